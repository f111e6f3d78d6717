#!/usr/bin/env python3
"""Converts ONNX models to OpenVINO IR (NAME.xml + NAME.bin, f32 weights) and checks each IR against
ONNX Runtime on the same input.

Each input gets x[k] = sin(0.37 k) in its own layout (dynamic dimensions set to 1, or the whole
shape given by --shape, for every model of the call); dynamic dimensions stay dynamic in the IR. The IR runs on
OpenVINO's CPU device with INFERENCE_PRECISION_HINT f32, and every output must match ONNX Runtime's
within 1e-4 (absolute, plus 1e-4 relative). Writes OUT_DIR/NAME.xml/.bin for each IN.onnx.

Usage: to_openvino_ir.py [--shape 1,3,48,192] OUT_DIR IN.onnx...
Needs openvino, onnxruntime and numpy: PYTHONPATH=$EMBER_CACHE/pylib-onnx (nn/engines/fetch_onnx.sh).
"""
import os
import sys

import numpy as np
import onnxruntime as ort
import openvino as ov

ORT_TYPES = {"tensor(float)": np.float32, "tensor(int64)": np.int64, "tensor(int32)": np.int32,
             "tensor(uint8)": np.uint8, "tensor(int8)": np.int8}


def sin_input(shape, dtype, fixed=None):
    shape = [d if isinstance(d, int) and d > 0 else 1 for d in shape] if fixed is None else fixed
    n = int(np.prod(shape))
    return (np.sin(0.37 * np.arange(n, dtype=np.float64))).astype(dtype).reshape(shape)


def convert(src, out_dir, core, fixed=None):
    name = os.path.splitext(os.path.basename(src))[0]
    xml = os.path.join(out_dir, name + ".xml")
    ov.save_model(ov.convert_model(src), xml, compress_to_fp16=False)

    sess = ort.InferenceSession(src, providers=["CPUExecutionProvider"])
    feeds = {i.name: sin_input(i.shape, ORT_TYPES[i.type], fixed) for i in sess.get_inputs()}
    want = sess.run(None, feeds)

    compiled = core.compile_model(core.read_model(xml), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    ov_inputs = [feeds[p.get_any_name()] for p in compiled.inputs]
    res = compiled(ov_inputs)
    ok = True
    for o, w in zip(sess.get_outputs(), want):
        g = res[compiled.output(o.name)]
        same = g.shape == w.shape and np.allclose(g, w, rtol=1e-4, atol=1e-4)
        diff = float(np.max(np.abs(g.astype(np.float64) - w))) if g.shape == w.shape else float("nan")
        ok &= same
        print(f"to_openvino_ir: {name}.{o.name} {list(g.shape)} first {np.round(g.reshape(-1)[:4], 6).tolist()}"
              f" max|ov-ort| {diff:.2e} {'ok' if same else 'MISMATCH'}")
    return ok


def main():
    args = sys.argv[1:]
    fixed = None
    if args[:1] == ["--shape"] and len(args) > 1:
        fixed = [int(d) for d in args[1].split(",")]
        args = args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    out_dir, srcs = args[0], args[1:]
    os.makedirs(out_dir, exist_ok=True)
    core = ov.Core()
    bad = [s for s in srcs if not convert(s, out_dir, core, fixed)]
    if bad:
        sys.exit(f"to_openvino_ir: OpenVINO differs from ONNX Runtime for {bad}")
    print(f"to_openvino_ir: {len(srcs)} IR written to {out_dir} (openvino {ov.get_version()})")


if __name__ == "__main__":
    main()
