#!/usr/bin/env python3
"""Folds fp16 constant weights into fp32 constants: every DEQUANTIZE whose input is a constant
FLOAT16 tensor is removed and its output tensor gets the fp32 values as its own buffer.

MediaPipe's models store weights as fp16 constants feeding DEQUANTIZE; ArmNN 20.08's TFLite parser
rejects that (shared/reference/engines.md), and accepts the folded model.
Usage: fold_fp16.py IN.tflite OUT.tflite   (needs nn/engines/fetch.sh's pylib; no numpy)
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tflite_schema import Op, S, T, flatbuffers  # noqa: E402


def fold(data):
    model = S.ModelT.InitFromPackedBuf(bytearray(data), 0)
    folded = 0
    for sg in model.subgraphs:
        keep = []
        for op in sg.operators:
            oc = model.operatorCodes[op.opcodeIndex]
            code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
            src = sg.tensors[op.inputs[0]] if op.inputs is not None and len(op.inputs) == 1 else None
            if (code == Op.DEQUANTIZE and src is not None and src.type == T.FLOAT16 and src.buffer != 0
                    and model.buffers[src.buffer].data is not None and len(model.buffers[src.buffer].data) > 0):
                raw = bytes(bytearray(model.buffers[src.buffer].data))
                n = len(raw) // 2
                values = struct.unpack(f"<{n}e", raw)
                b = S.BufferT()
                b.data = list(struct.pack(f"<{n}f", *values))
                model.buffers.append(b)
                dst = sg.tensors[op.outputs[0]]
                dst.buffer = len(model.buffers) - 1
                model.buffers[src.buffer].data = None  # the fp16 copy is no longer needed
                folded += 1
            else:
                keep.append(op)
        sg.operators = keep
    b = flatbuffers.Builder(len(data) * 2)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output()), folded


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    out, folded = fold(data)
    with open(sys.argv[2], "wb") as f:
        f.write(out)
    print(f"fold_fp16: {folded} DEQUANTIZE ops folded -> {sys.argv[2]}")


if __name__ == "__main__":
    main()
