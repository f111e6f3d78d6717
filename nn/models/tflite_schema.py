"""Small helpers to write TFLite flatbuffers without TensorFlow.

Uses the object API of LiteRT's generated schema module (schema_py_generated.py from the
ai-edge-litert wheel, unpacked by nn/engines/fetch.sh into $EMBER_CACHE/pylib/ember_litert_schema)
and the PyPI `flatbuffers` runtime (also in $EMBER_CACHE/pylib).
"""
import os
import struct
import sys

_cache = os.environ.get("EMBER_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "ember")
sys.path.insert(0, os.path.join(_cache, "pylib"))

try:
    import flatbuffers  # noqa: E402
    from ember_litert_schema import schema_py_generated as S  # noqa: E402
except ImportError as e:  # pragma: no cover - setup error path
    sys.exit(f"{e}: run nn/engines/fetch.sh first (it puts flatbuffers and the schema into {_cache}/pylib)")

T = S.TensorType
Op = S.BuiltinOperator


class ModelBuilder:
    """Accumulates tensors, buffers and operators of a single-subgraph model."""

    def __init__(self, description):
        self.description = description
        self.buffers = [S.BufferT()]  # buffer 0: the empty sentinel
        self.tensors = []
        self.operators = []
        self.opcodes = []  # (builtin code, version)

    def tensor(self, name, shape, ttype=T.FLOAT32, data=None, quant=None, signature=None):
        """Adds a tensor; data (bytes) makes it a constant. Returns its index."""
        buf = 0
        if data is not None:
            b = S.BufferT()
            b.data = list(data)
            self.buffers.append(b)
            buf = len(self.buffers) - 1
        t = S.TensorT()
        t.name = name
        t.shape = list(shape)
        t.type = ttype
        t.buffer = buf
        if signature is not None:
            t.shapeSignature = list(signature)
        if quant is not None:
            q = S.QuantizationParametersT()
            q.scale = [float(quant[0])]
            q.zeroPoint = [int(quant[1])]
            t.quantization = q
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, options_type=0, options=None, version=1):
        key = (code, version)
        if key not in self.opcodes:
            self.opcodes.append(key)
        o = S.OperatorT()
        o.opcodeIndex = self.opcodes.index(key)
        o.inputs = list(inputs)
        o.outputs = list(outputs)
        o.builtinOptionsType = options_type
        o.builtinOptions = options
        self.operators.append(o)

    def finish(self, inputs, outputs, signatures=None):
        """Returns the .tflite bytes (file identifier TFL3); signatures: SignatureDefT list."""
        sg = S.SubGraphT()
        sg.tensors = self.tensors
        sg.inputs = list(inputs)
        sg.outputs = list(outputs)
        sg.operators = self.operators
        sg.name = "main"
        m = S.ModelT()
        m.version = 3
        m.description = self.description
        m.buffers = self.buffers
        m.subgraphs = [sg]
        m.signatureDefs = signatures
        codes = []
        for code, version in self.opcodes:
            c = S.OperatorCodeT()
            c.builtinCode = code
            c.deprecatedBuiltinCode = min(code, 127)
            c.version = version
            codes.append(c)
        m.operatorCodes = codes
        b = flatbuffers.Builder(1024)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def f32(values):
    return struct.pack(f"<{len(values)}f", *values)


def i32(values):
    return struct.pack(f"<{len(values)}i", *values)


def conv_options(padding=S.Padding.VALID, stride=1, act=S.ActivationFunctionType.NONE):
    o = S.Conv2DOptionsT()
    o.padding, o.strideW, o.strideH, o.fusedActivationFunction = padding, stride, stride, act
    return S.BuiltinOptions.Conv2DOptions, o


def pool_options(fh, fw, padding=S.Padding.VALID, stride=1):
    o = S.Pool2DOptionsT()
    o.padding, o.strideW, o.strideH, o.filterHeight, o.filterWidth = padding, stride, stride, fh, fw
    return S.BuiltinOptions.Pool2DOptions, o
