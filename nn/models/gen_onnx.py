#!/usr/bin/env python3
"""Writes Ember's small ONNX test models into nn/models/onnx/, with onnx.helper, and checks them with
ONNX Runtime.

The same nets, names and wasi-nn-facing shapes as the .tflite ones of gen_models.py (WAMR's wasi-nn
test set plus conv_net), so the same wasm apps run unchanged on the ONNX backends: inputs and outputs
stay NHWC; Transpose nodes inside the graph feed ONNX's NCHW Conv / pooling ops.
  sum.onnx              Conv 5x5 ones, bias 0                 input [1,5,5,1] -> output [1,1,1,1] 300
  max.onnx              MaxPool 5x5                           input [1,5,5,1] -> output 24
  average.onnx          AveragePool 5x5                       input [1,5,5,1] -> output 12
  mult_dimensions.onnx  Conv 1x1, weight 1 (identity)         input [1,3,3,1] -> output[i] = i
  mult_outputs.onnx     Conv (4,1) ones / AveragePool (4,1)   input [1,4,4,1] -> conv_out [1,1,4,1]
                        24,28,32,36 and pool_out [1,1,4,1] 6,7,8,9 (outputs in that order)
  conv_net.onnx         Conv 3x3 x2 + Relu -> Gemm 3 -> Softmax input [1,8,8,1] -> probabilities [1,3]
                        (conv_net.expected; the dense layer reads the conv output in NHWC order)
The WAMR nets take x = 0,1,2,... as input; conv_net takes x[k] = sin(0.37 k).
Opset 13, IR version 7 (read by ONNX Runtime, OpenVINO and tract).

Usage: gen_onnx.py [OUT_DIR]    writes, then checks (default OUT_DIR: nn/models/onnx)
       gen_onnx.py --check DIR  only checks the models in DIR
Needs onnx, numpy and onnxruntime: PYTHONPATH=$EMBER_CACHE/pylib-onnx (nn/engines/fetch_onnx.sh).
"""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))

OPSET = 13
IR_VERSION = 7
NHWC_TO_NCHW = [0, 3, 1, 2]
NCHW_TO_NHWC = [0, 2, 3, 1]


def conv_net_weights():
    """The same deterministic weights as gen_models.py's conv_net (checked against conv_net.expected)."""
    conv_w = [0.25 * math.cos(0.7 * i) for i in range(2 * 3 * 3)]  # [2,3,3,1]
    conv_b = [0.05, -0.05]
    fc_w = [0.1 * math.sin(0.13 * i + 0.5) for i in range(3 * 72)]  # [3,72]
    fc_b = [0.1, 0.0, -0.1]
    return conv_w, conv_b, fc_w, fc_b


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def const(name, shape, values):
    return helper.make_tensor(name, TensorProto.FLOAT, shape, [float(v) for v in values])


def model(name, nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(graph, producer_name="ember gen_onnx.py",
                          opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = IR_VERSION
    onnx.checker.check_model(m, full_check=True)
    return m


def to_nchw(x):
    return helper.make_node("Transpose", [x], [x + "_nchw"], perm=NHWC_TO_NCHW, name=x + "_to_nchw")


def to_nhwc(y):
    return helper.make_node("Transpose", [y + "_nchw"], [y], perm=NCHW_TO_NHWC, name=y + "_to_nhwc")


def single_conv(name, in_shape, fh, fw, weight):
    oh, ow = in_shape[1] - fh + 1, in_shape[2] - fw + 1
    nodes = [to_nchw("input"),
             helper.make_node("Conv", ["input_nchw", "filter", "bias"], ["output_nchw"],
                              kernel_shape=[fh, fw], name="conv"),
             to_nhwc("output")]
    inits = [const("filter", [1, 1, fh, fw], [weight] * (fh * fw)), const("bias", [1], [0.0])]
    return model(name, nodes, [vi("input", in_shape)], [vi("output", [1, oh, ow, 1])], inits)


def single_pool(name, op, in_shape, fh, fw):
    oh, ow = in_shape[1] - fh + 1, in_shape[2] - fw + 1
    nodes = [to_nchw("input"),
             helper.make_node(op, ["input_nchw"], ["output_nchw"], kernel_shape=[fh, fw], name="pool"),
             to_nhwc("output")]
    return model(name, nodes, [vi("input", in_shape)], [vi("output", [1, oh, ow, 1])])


def mult_outputs():
    nodes = [to_nchw("input"),
             helper.make_node("Conv", ["input_nchw", "filter", "bias"], ["conv_out_nchw"],
                              kernel_shape=[4, 1], name="conv"),
             helper.make_node("AveragePool", ["input_nchw"], ["pool_out_nchw"], kernel_shape=[4, 1],
                              name="pool"),
             to_nhwc("conv_out"), to_nhwc("pool_out")]
    inits = [const("filter", [1, 1, 4, 1], [1.0] * 4), const("bias", [1], [0.0])]
    return model("mult_outputs", nodes, [vi("input", [1, 4, 4, 1])],
                 [vi("conv_out", [1, 1, 4, 1]), vi("pool_out", [1, 1, 4, 1])], inits)


def conv_net():
    conv_w, conv_b, fc_w, fc_b = conv_net_weights()
    # TFLite's OHWI [2,3,3,1] filter is OIHW [2,1,3,3] here (one input channel: same order).
    # TFLite's FULLY_CONNECTED flattens the NHWC conv output: transpose back before flattening.
    nodes = [to_nchw("input"),
             helper.make_node("Conv", ["input_nchw", "conv_w", "conv_b"], ["conv_pre"],
                              kernel_shape=[3, 3], name="conv"),
             helper.make_node("Relu", ["conv_pre"], ["conv_out_nchw"], name="relu"),
             to_nhwc("conv_out"),
             helper.make_node("Reshape", ["conv_out", "flat_shape"], ["flat"], name="flatten"),
             helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["fc_out"], transB=1, name="fc"),
             helper.make_node("Softmax", ["fc_out"], ["probabilities"], axis=1, name="softmax")]
    inits = [const("conv_w", [2, 1, 3, 3], conv_w), const("conv_b", [2], conv_b),
             const("fc_w", [3, 72], fc_w), const("fc_b", [3], fc_b),
             helper.make_tensor("flat_shape", TensorProto.INT64, [2], [1, 72])]
    return model("conv_net", nodes, [vi("input", [1, 8, 8, 1])], [vi("probabilities", [1, 3])], inits)


def models():
    return {
        "sum": single_conv("sum", [1, 5, 5, 1], 5, 5, 1.0),
        "max": single_pool("max", "MaxPool", [1, 5, 5, 1], 5, 5),
        "average": single_pool("average", "AveragePool", [1, 5, 5, 1], 5, 5),
        "mult_dimensions": single_conv("mult_dimensions", [1, 3, 3, 1], 1, 1, 1.0),
        "mult_outputs": mult_outputs(),
        "conv_net": conv_net(),
    }


def expected():
    """name -> (input shape, input, [(output name, shape, values)])."""
    ramp = lambda n: np.arange(n, dtype=np.float32)  # noqa: E731
    with open(os.path.join(HERE, "conv_net.expected")) as f:
        conv_ref = [float(v) for v in f.read().split()]
    return {
        "sum": ([1, 5, 5, 1], ramp(25), [("output", [1, 1, 1, 1], [300.0])]),
        "max": ([1, 5, 5, 1], ramp(25), [("output", [1, 1, 1, 1], [24.0])]),
        "average": ([1, 5, 5, 1], ramp(25), [("output", [1, 1, 1, 1], [12.0])]),
        "mult_dimensions": ([1, 3, 3, 1], ramp(9), [("output", [1, 3, 3, 1], list(range(9)))]),
        "mult_outputs": ([1, 4, 4, 1], ramp(16), [("conv_out", [1, 1, 4, 1], [24, 28, 32, 36]),
                                                 ("pool_out", [1, 1, 4, 1], [6, 7, 8, 9])]),
        "conv_net": ([1, 8, 8, 1], np.array([math.sin(0.37 * k) for k in range(64)], np.float32),
                     [("probabilities", [1, 3], conv_ref)]),
    }


def check(out_dir):
    import onnxruntime as ort
    failed = 0
    for name, (shape, x, outs) in expected().items():
        path = os.path.join(out_dir, name + ".onnx")
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        ins = sess.get_inputs()
        assert [i.name for i in ins] == ["input"] and list(ins[0].shape) == shape, (name, ins)
        assert [o.name for o in sess.get_outputs()] == [o[0] for o in outs], name
        got = sess.run(None, {"input": x.reshape(shape)})
        for (oname, oshape, want), g in zip(outs, got):
            ok = list(g.shape) == oshape and np.allclose(g.reshape(-1), want, rtol=0, atol=1e-6)
            failed += not ok
            print(f"gen_onnx: {name}.{oname} {list(g.shape)} {np.round(g.reshape(-1), 7).tolist()} "
                  f"{'ok' if ok else 'MISMATCH, want %s %s' % (oshape, want)}")
    if failed:
        sys.exit(f"gen_onnx: {failed} outputs differ")
    print(f"gen_onnx: {len(expected())} models match with onnxruntime {ort.__version__}")


def main():
    args = sys.argv[1:]
    if args[:1] == ["--check"]:
        check(args[1] if len(args) > 1 else os.path.join(HERE, "onnx"))
        return
    out = args[0] if args else os.path.join(HERE, "onnx")
    os.makedirs(out, exist_ok=True)
    for name, m in models().items():
        onnx.save(m, os.path.join(out, name + ".onnx"))
    print(f"gen_onnx: {len(models())} models written to {out}")
    check(out)


if __name__ == "__main__":
    main()
