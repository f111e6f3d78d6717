#!/usr/bin/env python3
"""Converts MediaPipe's BlazeFace (face_detection_short_range, fp16 weights folded) to ONNX with
tflite2onnx, keeping the TFLite model's NHWC input, and checks it against the reference figures.

tflite2onnx 0.4.1 turns the graph input into NCHW: input [1,3,128,128]; its outputs keep the TFLite
shapes: regressors [1,896,16], classificators [1,896,1]. Ember's wasm demo feeds NHWC [1,128,128,3],
so this script puts one Transpose (perm 0,3,1,2) in front: the written model takes input
[1,128,128,3] NHWC float32, like the .tflite. Then, on x[k] = sin(0.37 k), the first regressors and
classificators must match the reference (shared engines notes) within 1e-4 absolute plus 1e-5
relative: LiteRT 2.3.0 and ONNX Runtime 1.31.1 both give 29.84941 29.84913 for the third and fourth
regressors here, 1.1e-4 and 1.3e-4 off the reference's 29.8493 29.8490 (4e-6 relative).

Usage: blazeface_to_onnx.py IN_fp32.tflite OUT.onnx
Needs tflite2onnx, tflite, onnx, onnxruntime, numpy: PYTHONPATH=$EMBER_CACHE/pylib-onnx.
"""
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
import tflite2onnx
from onnx import helper

REF_REGRESSORS = [0.536577, -0.624964, 29.8493, 29.8490]
REF_CLASSIFICATORS = [-4.561491, -3.820391, -4.080200]


def nhwc_input(m):
    """Renames the NCHW graph input and feeds it from a new NHWC input of the old name."""
    g = m.graph
    assert len(g.input) == 1, [i.name for i in g.input]
    old = g.input[0]
    name = old.name
    n, c, h, w = [d.dim_value for d in old.type.tensor_type.shape.dim]
    inner = name + "_nchw"
    for node in g.node:
        node.input[:] = [inner if i == name else i for i in node.input]
    g.node.insert(0, helper.make_node("Transpose", [name], [inner], perm=[0, 3, 1, 2],
                                      name=name + "_to_nchw"))
    g.input.remove(old)
    g.input.append(helper.make_tensor_value_info(name, old.type.tensor_type.elem_type, [n, h, w, c]))
    # tflite2onnx lists initializers and value_info in a varying order: sort them, for a stable file.
    for field in (g.initializer, g.value_info):
        items = sorted(field, key=lambda t: t.name)
        del field[:]
        field.extend(items)
    onnx.checker.check_model(m, full_check=True)
    return m


def describe(sess):
    io = [f"input {i.name} {i.shape}" for i in sess.get_inputs()]
    io += [f"output {o.name} {o.shape}" for o in sess.get_outputs()]
    return ", ".join(io)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.onnx")
        tflite2onnx.convert(src, raw)
        print("blazeface_to_onnx: tflite2onnx gave",
              describe(ort.InferenceSession(raw, providers=["CPUExecutionProvider"])))
        m = nhwc_input(onnx.load(raw))
    onnx.save(m, dst + ".tmp")

    sess = ort.InferenceSession(dst + ".tmp", providers=["CPUExecutionProvider"])
    print("blazeface_to_onnx: written model:", describe(sess))
    x = np.sin(0.37 * np.arange(128 * 128 * 3)).astype(np.float32).reshape(1, 128, 128, 3)
    out = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {sess.get_inputs()[0].name: x})))
    reg = out["regressors"].reshape(-1)[:4]
    cls = out["classificators"].reshape(-1)[:3]
    print(f"blazeface_to_onnx: regressors {reg.tolist()} classificators {cls.tolist()}")
    diff = max(np.max(np.abs(reg - REF_REGRESSORS)), np.max(np.abs(cls - REF_CLASSIFICATORS)))
    print(f"blazeface_to_onnx: max |onnx - reference| {diff:.2e}")
    if not (np.allclose(reg, REF_REGRESSORS, rtol=1e-5, atol=1e-4)
            and np.allclose(cls, REF_CLASSIFICATORS, rtol=1e-5, atol=1e-4)):
        os.remove(dst + ".tmp")
        sys.exit(f"blazeface_to_onnx: differs from the reference {REF_REGRESSORS} {REF_CLASSIFICATORS}")
    os.replace(dst + ".tmp", dst)
    print(f"blazeface_to_onnx: matches the reference -> {dst}")


if __name__ == "__main__":
    main()
