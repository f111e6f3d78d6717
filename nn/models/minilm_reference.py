#!/usr/bin/env python3
"""Reference sentence embedding of a BERT sentence-transformers model (all-MiniLM-L6-v2) in numpy
alone: WordPiece tokenization from vocab.txt, the BERT encoder over model.safetensors in float64,
mean pooling over the tokens (no L2 normalisation). The check for the GGUF that bert_to_gguf.py
writes: llama.cpp's mean-pooled embedding of the same sentence should agree with it.

Usage: minilm_reference.py [--gelu erf|tanh] [--out FILE] MODEL_DIR "A man is eating food."
Prints the token ids, the first 5 values and the L2 norm; --out writes the whole vector, one value a
line. --gelu tanh uses the tanh approximation that ggml's GELU computes (llama.cpp's BERT graph) in
place of BERT's exact erf GELU, to tell that difference from others.

The tokenizer is BERT's uncased BasicTokenizer + WordPiece for what simple sentences need: control
characters dropped, whitespace split, lower case, accents stripped, punctuation split off, CJK
characters split, greedy longest-match WordPiece with "##" continuations, [CLS] ... [SEP].
"""
import argparse
import json
import math
import struct
import unicodedata
from pathlib import Path

import numpy as np


def read_safetensors(path):
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    return {k: data[v["data_offsets"][0]:v["data_offsets"][1]].view(dtypes[v["dtype"]]).reshape(v["shape"])
            for k, v in header.items() if k != "__metadata__"}


def is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or
            0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or
            0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokens(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"):
            continue
        out.append(f" {ch} " if is_cjk(cp) else (" " if ch.isspace() else ch))
    words = []
    for word in "".join(out).lower().split():
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        cur = ""
        for ch in word:
            if is_punct(ch):
                if cur:
                    words.append(cur)
                words.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            words.append(cur)
    return words


def wordpiece(words, vocab, unk="[UNK]", max_chars=100):
    ids = []
    for word in words:
        if len(word) > max_chars:
            ids.append(vocab[unk])
            continue
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                if sub in vocab:
                    break
                end -= 1
            if end == start:
                pieces = [vocab[unk]]
                break
            pieces.append(vocab[sub])
            start = end
        ids.extend(pieces)
    return ids


def tokenize(text, vocab):
    return [vocab["[CLS]"]] + wordpiece(basic_tokens(text), vocab) + [vocab["[SEP]"]]


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


_erf = np.vectorize(math.erf)


def gelu(x, kind):
    if kind == "erf":
        return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def embed(model_dir, ids, gelu_kind="erf"):
    cfg = json.loads((model_dir / "config.json").read_text())
    t = {k.removeprefix("bert."): np.asarray(v, dtype=np.float64)
         for k, v in read_safetensors(model_dir / "model.safetensors").items() if v.dtype != np.int64}
    eps, n_head = cfg["layer_norm_eps"], cfg["num_attention_heads"]
    n = len(ids)
    x = (t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][:n] +
         t["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], eps)
    d_head = x.shape[1] // n_head

    def lin(h, name):
        return h @ t[name + ".weight"].T + t[name + ".bias"]

    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (lin(x, p + "attention.self." + s).reshape(n, n_head, d_head).transpose(1, 0, 2)
                   for s in ("query", "key", "value"))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d_head)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        a = (s @ v).transpose(1, 0, 2).reshape(n, -1)
        x = layer_norm(lin(a, p + "attention.output.dense") + x,
                       t[p + "attention.output.LayerNorm.weight"], t[p + "attention.output.LayerNorm.bias"], eps)
        h = gelu(lin(x, p + "intermediate.dense"), gelu_kind)
        x = layer_norm(lin(h, p + "output.dense") + x,
                       t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"], eps)
    return x.mean(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gelu", choices=("erf", "tanh"), default="erf")
    ap.add_argument("--out", type=Path)
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("text")
    args = ap.parse_args()
    words = (args.model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    vocab = {w: i for i, w in enumerate(words) if w}
    ids = tokenize(args.text, vocab)
    e = embed(args.model_dir, ids, args.gelu)
    print("tokens:", " ".join(map(str, ids)))
    print("first5:", " ".join(f"{v:.6f}" for v in e[:5]))
    print(f"norm: {np.linalg.norm(e):.6f}")
    if args.out:
        args.out.write_text("".join(f"{v:.9g}\n" for v in e))


if __name__ == "__main__":
    main()
