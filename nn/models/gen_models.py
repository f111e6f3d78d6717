#!/usr/bin/env python3
"""Writes Ember's small TFLite test models (no TensorFlow needed) into nn/models/.

WAMR's wasi-nn test set (input 0,1,2,... as fp32; expected values in shared/reference/wasi-nn.md):
  sum.tflite              Conv2D, one 5x5 filter of ones, bias 0        [1,5,5,1] -> [1,1,1,1] 300
  max.tflite              MaxPool 5x5                                   [1,5,5,1] -> 24
  average.tflite          AvgPool 5x5                                   [1,5,5,1] -> 12
  mult_dimensions.tflite  Conv2D 1x1, weight 1 (identity)               [1,3,3,1] -> out[i] = i
  mult_outputs.tflite     out0 Conv2D (4,1) ones, out1 AvgPool (4,1)    [1,4,4,1] -> 24,28,32,36 / 6,7,8,9
  quantized.tflite        fp32 -> QUANTIZE u8 -> AvgPool 5x5 u8 -> DEQUANTIZE -> fp32   ~ 12
Ember's additions:
  average_u8.tflite       uint8 in/out AvgPool 5x5 (scale 0.1, zero point 0)
  average_i8.tflite       int8 in/out AvgPool 5x5 (scale 0.1, zero point -128)
  average_dynamic.tflite  AvgPool 5x5 with a dynamic batch (shape signature [-1,5,5,1])
  sub_signature.tflite    out = a - b, inputs a, b ([1,4] each) in that subgraph order, but a
                          SignatureDef listing b first, under names sorting b first (wasi-nn
                          input 0 must still be a)
  conv_net.tflite         Conv2D 3x3x2 + ReLU -> FullyConnected 3 -> Softmax   [1,8,8,1] -> [1,3]
                          conv_net.expected: its output for x[k] = sin(0.37 k), from a pure-Python
                          reference (the tests compare the engines against it)
Usage: nn/models/gen_models.py [OUT_DIR]   (needs nn/engines/fetch.sh to have run)
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tflite_schema import ModelBuilder, Op, S, T, conv_options, f32, pool_options  # noqa: E402


def single_conv(name, in_shape, fh, fw, weight):
    m = ModelBuilder(name)
    x = m.tensor("input", in_shape)
    w = m.tensor("filter", [1, fh, fw, 1], data=f32([weight] * (fh * fw)))
    b = m.tensor("bias", [1], data=f32([0.0]))
    oh, ow = in_shape[1] - fh + 1, in_shape[2] - fw + 1
    y = m.tensor("output", [1, oh, ow, 1])
    m.op(Op.CONV_2D, [x, w, b], [y], *conv_options())
    return m.finish([x], [y])


def single_pool(name, code, in_shape, fh, fw, ttype=T.FLOAT32, quant=None, signature=None, version=1):
    m = ModelBuilder(name)
    x = m.tensor("input", in_shape, ttype, quant=quant, signature=signature)
    oh, ow = in_shape[1] - fh + 1, in_shape[2] - fw + 1
    out_sig = None if signature is None else [signature[0], oh, ow, 1]
    y = m.tensor("output", [in_shape[0], oh, ow, 1], ttype, quant=quant, signature=out_sig)
    m.op(code, [x], [y], *pool_options(fh, fw), version=version)
    return m.finish([x], [y])


def mult_outputs():
    m = ModelBuilder("mult_outputs")
    x = m.tensor("input", [1, 4, 4, 1])
    w = m.tensor("filter", [1, 4, 1, 1], data=f32([1.0] * 4))
    b = m.tensor("bias", [1], data=f32([0.0]))
    y0 = m.tensor("conv_out", [1, 1, 4, 1])
    y1 = m.tensor("pool_out", [1, 1, 4, 1])
    m.op(Op.CONV_2D, [x, w, b], [y0], *conv_options())
    m.op(Op.AVERAGE_POOL_2D, [x], [y1], *pool_options(4, 1))
    return m.finish([x], [y0, y1])


QUANT_SCALE = 24.0 / 255.0


def quantized():
    m = ModelBuilder("quantized")
    x = m.tensor("input", [1, 5, 5, 1])
    q = m.tensor("input_q", [1, 5, 5, 1], T.UINT8, quant=(QUANT_SCALE, 0))
    p = m.tensor("pool_q", [1, 1, 1, 1], T.UINT8, quant=(QUANT_SCALE, 0))
    y = m.tensor("output", [1, 1, 1, 1])
    m.op(Op.QUANTIZE, [x], [q])
    m.op(Op.AVERAGE_POOL_2D, [q], [p], *pool_options(5, 5))
    m.op(Op.DEQUANTIZE, [p], [y])
    return m.finish([x], [y])


def sub_signature():
    m = ModelBuilder("sub_signature")
    a = m.tensor("a", [1, 4])
    b = m.tensor("b", [1, 4])
    d = m.tensor("difference", [1, 4])
    m.op(Op.SUB, [a, b], [d], S.BuiltinOptions.SubOptions, S.SubOptionsT())
    sig = S.SignatureDefT()
    sig.signatureKey = "serving_default"
    sig.subgraphIndex = 0
    # Signature names sort the other way round too ("alpha" is b), whichever order LiteRT keeps.
    sig.inputs = [tensor_map("alpha", b), tensor_map("zeta", a)]
    sig.outputs = [tensor_map("difference", d)]
    return m.finish([a, b], [d], signatures=[sig])


def tensor_map(name, index):
    t = S.TensorMapT()
    t.name = name
    t.tensorIndex = index
    return t


# conv_net weights: deterministic, small, no randomness.
def conv_net_weights():
    conv_w = [0.25 * math.cos(0.7 * i) for i in range(2 * 3 * 3)]  # [2,3,3,1]
    conv_b = [0.05, -0.05]
    fc_w = [0.1 * math.sin(0.13 * i + 0.5) for i in range(3 * 72)]  # [3,72]
    fc_b = [0.1, 0.0, -0.1]
    return conv_w, conv_b, fc_w, fc_b


def conv_net():
    conv_w, conv_b, fc_w, fc_b = conv_net_weights()
    m = ModelBuilder("conv_net")
    x = m.tensor("input", [1, 8, 8, 1])
    cw = m.tensor("conv_w", [2, 3, 3, 1], data=f32(conv_w))
    cb = m.tensor("conv_b", [2], data=f32(conv_b))
    c = m.tensor("conv_out", [1, 6, 6, 2])
    fw = m.tensor("fc_w", [3, 72], data=f32(fc_w))
    fb = m.tensor("fc_b", [3], data=f32(fc_b))
    f = m.tensor("fc_out", [1, 3])
    y = m.tensor("probabilities", [1, 3])
    m.op(Op.CONV_2D, [x, cw, cb], [c], *conv_options(act=S.ActivationFunctionType.RELU))
    fco = S.FullyConnectedOptionsT()
    m.op(Op.FULLY_CONNECTED, [c, fw, fb], [f], S.BuiltinOptions.FullyConnectedOptions, fco)
    so = S.SoftmaxOptionsT()
    so.beta = 1.0
    m.op(Op.SOFTMAX, [f], [y], S.BuiltinOptions.SoftmaxOptions, so)
    return m.finish([x], [y])


def conv_net_reference():
    """The conv_net's output for x[k] = sin(0.37 k), computed in plain Python (NHWC)."""
    conv_w, conv_b, fc_w, fc_b = conv_net_weights()
    x = [math.sin(0.37 * k) for k in range(64)]
    conv = []  # NHWC flattening: (h, w, c)
    for h in range(6):
        for w in range(6):
            for c in range(2):
                s = conv_b[c]
                for i in range(3):
                    for j in range(3):
                        s += x[(h + i) * 8 + (w + j)] * conv_w[c * 9 + i * 3 + j]
                conv.append(max(s, 0.0))
    logits = [fc_b[o] + sum(conv[k] * fc_w[o * 72 + k] for k in range(72)) for o in range(3)]
    mx = max(logits)
    e = [math.exp(v - mx) for v in logits]
    return [v / sum(e) for v in e]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    models = {
        "sum": single_conv("sum", [1, 5, 5, 1], 5, 5, 1.0),
        "max": single_pool("max", Op.MAX_POOL_2D, [1, 5, 5, 1], 5, 5),
        "average": single_pool("average", Op.AVERAGE_POOL_2D, [1, 5, 5, 1], 5, 5),
        "mult_dimensions": single_conv("mult_dimensions", [1, 3, 3, 1], 1, 1, 1.0),
        "mult_outputs": mult_outputs(),
        "quantized": quantized(),
        "average_u8": single_pool("average_u8", Op.AVERAGE_POOL_2D, [1, 5, 5, 1], 5, 5, T.UINT8, (0.1, 0)),
        "average_i8": single_pool("average_i8", Op.AVERAGE_POOL_2D, [1, 5, 5, 1], 5, 5, T.INT8, (0.1, -128),
                                  version=2),
        "average_dynamic": single_pool("average_dynamic", Op.AVERAGE_POOL_2D, [1, 5, 5, 1], 5, 5,
                                       signature=[-1, 5, 5, 1]),
        "sub_signature": sub_signature(),
        "conv_net": conv_net(),
    }
    for name, data in models.items():
        with open(os.path.join(out, name + ".tflite"), "wb") as f:
            f.write(data)
    with open(os.path.join(out, "conv_net.expected"), "w") as f:
        f.write(" ".join(f"{v:.7f}" for v in conv_net_reference()) + "\n")
    print(f"gen_models: {len(models)} models written to {out}")


if __name__ == "__main__":
    main()
