#!/usr/bin/env python3
"""Runs an ONNX model once with ONNX Runtime on x[k] = sin(0.37 k) (in the model's own input layout,
dynamic dimensions set to 1, or given by --shape) and writes its outputs, for cross-backend checks.

OUT gets one line per output, in the model's output order: the values, flattened, "%.7g", spaces
between (the form of conv_net.expected). The inputs and outputs are printed.

Usage: onnx_reference.py [--shape 1,3,48,192] MODEL.onnx OUT.expected
Needs onnxruntime and numpy: PYTHONPATH=$EMBER_CACHE/pylib-onnx (nn/engines/fetch_onnx.sh).
"""
import os
import sys

import numpy as np
import onnxruntime as ort


def main():
    args = sys.argv[1:]
    fixed = None
    if args[:1] == ["--shape"] and len(args) > 1:
        fixed = [int(d) for d in args[1].split(",")]
        args = args[2:]
    if len(args) != 2:
        sys.exit(__doc__)
    src, dst = args
    sess = ort.InferenceSession(src, providers=["CPUExecutionProvider"])
    feeds = {}
    for i in sess.get_inputs():
        assert i.type == "tensor(float)", (i.name, i.type)
        shape = [d if isinstance(d, int) and d > 0 else 1 for d in i.shape] if fixed is None else fixed
        feeds[i.name] = np.sin(0.37 * np.arange(int(np.prod(shape)))).astype(np.float32).reshape(shape)
        print(f"onnx_reference: input {i.name} {i.shape} {i.type}, fed {shape}")
    outs = sess.run(None, feeds)
    lines = []
    for o, v in zip(sess.get_outputs(), outs):
        print(f"onnx_reference: output {o.name} {o.shape} {o.type} -> {list(v.shape)} "
              f"{np.round(v.reshape(-1)[:8], 7).tolist()}")
        lines.append(" ".join(f"{float(x):.7g}" for x in v.reshape(-1)))
    with open(dst + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(dst + ".tmp", dst)
    print(f"onnx_reference: -> {dst}")


if __name__ == "__main__":
    main()
