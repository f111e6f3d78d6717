#!/usr/bin/env python3
"""A Hugging Face BERT sentence-embedding model (safetensors) as a GGUF file for llama.cpp's "bert"
architecture. Needs only numpy and gguf==0.19.0 (nn/engines/fetch_llm.sh installs both into
$EMBER_CACHE/pylib-gguf); no torch, no transformers.

Usage: bert_to_gguf.py [--outtype f32|f16] [--name NAME] MODEL_DIR OUT.gguf

MODEL_DIR holds config.json, model.safetensors, vocab.txt, tokenizer.json, tokenizer_config.json and,
for sentence-transformers models, modules.json with its Pooling folder (written as the pooling type).
It writes what llama.cpp's BERT loader and WordPiece tokenizer read, in the form llama.cpp's
convert_hf_to_gguf.py (BertModel) gives them:
- bert.context_length / embedding_length / block_count / feed_forward_length / attention.head_count /
  attention.layer_norm_epsilon / attention.causal = false / pooling_type;
- tokenizer.ggml.model "bert": the vocab.txt tokens in llama.cpp's "phantom space" form (a word-initial
  token gets a leading U+2581, a "##" continuation loses its "##", the special tokens stay as they are),
  token types (CONTROL for the special tokens, NORMAL else), scores (all 0: the WordPiece tokenizer
  does not read them, the converter of llama.cpp leaves them out), token_type_count, and the special
  token ids and add_bos / add_eos / add_sep flags as gguf's SpecialVocab derives them from the
  tokenizer files (for all-MiniLM-L6-v2: bos = cls = 101, eos = sep = 102, unk 100, pad 0, mask 103);
- the tensors under llama.cpp's names (token_embd, token_types, position_embd, token_embd_norm,
  blk.N.attn_q/k/v, attn_output, attn_output_norm, ffn_up, ffn_down, layer_output_norm). The
  position_ids buffer and the pooler are left out, as llama.cpp's converter does.
--outtype f32 (default) keeps every tensor F32; f16 stores the 2-D weight matrices as F16 but keeps
the 1-D norms and biases, position_embd and token_types F32 (llama.cpp's "mostly F16").
"""
import argparse
import json
import logging
import struct
import sys
from pathlib import Path

import numpy as np
import gguf

ST_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}

# Hugging Face BERT tensor name (without ".weight"/".bias") -> llama.cpp GGUF name.
TOP_LEVEL = {
    "embeddings.word_embeddings": "token_embd",
    "embeddings.token_type_embeddings": "token_types",
    "embeddings.position_embeddings": "position_embd",
    "embeddings.LayerNorm": "token_embd_norm",
}
PER_LAYER = {
    "attention.self.query": "attn_q",
    "attention.self.key": "attn_k",
    "attention.self.value": "attn_v",
    "attention.output.dense": "attn_output",
    "attention.output.LayerNorm": "attn_output_norm",
    "intermediate.dense": "ffn_up",
    "output.dense": "ffn_down",
    "output.LayerNorm": "layer_output_norm",
}
SKIP = ("embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias")
# Kept F32 by --outtype f16 too, as llama.cpp's converter does: ggml adds the token_types row to F32
# activations and cannot add an F16 one (an F16 token_types.weight aborts llama_encode in ggml_add).
F32_ALWAYS = ("position_embd.weight", "token_types.weight")


def read_safetensors(path):
    """{name: numpy array} of a .safetensors file (memory-mapped, row-major like PyTorch)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        out[name] = data[begin:end].view(ST_DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def gguf_name(hf_name):
    """llama.cpp's name of a Hugging Face BERT tensor, or None for one llama.cpp does not use."""
    name = hf_name.removeprefix("bert.")
    if name in SKIP or name.startswith("cls."):
        return None
    stem, _, kind = name.rpartition(".")
    kind = {"gamma": "weight", "beta": "bias"}.get(kind, kind)
    if stem in TOP_LEVEL:
        return f"{TOP_LEVEL[stem]}.{kind}"
    parts = stem.split(".", 3)
    if parts[:2] == ["encoder", "layer"] and parts[3] in PER_LAYER:
        return f"blk.{int(parts[2])}.{PER_LAYER[parts[3]]}.{kind}"
    raise ValueError(f"unexpected tensor {hf_name}")


def pooling_type(model_dir):
    modules = model_dir / "modules.json"
    if not modules.is_file():
        return None
    for mod in json.loads(modules.read_text()):
        if mod["type"].endswith("Pooling"):
            cfg = json.loads((model_dir / mod["path"] / "config.json").read_text())
            if cfg.get("pooling_mode_mean_tokens"):
                return gguf.PoolingType.MEAN
            if cfg.get("pooling_mode_cls_token"):
                return gguf.PoolingType.CLS
            raise ValueError(f"unsupported pooling {cfg}")
    return None


def vocab(model_dir, n_vocab):
    """(tokens in phantom-space form, token types) of vocab.txt, checked against tokenizer.json."""
    words = (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    if words and words[-1] == "":
        words.pop()
    tok = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    if tok["model"]["type"] != "WordPiece":
        raise ValueError(f"tokenizer model {tok['model']['type']}, not WordPiece")
    if tok["model"].get("continuing_subword_prefix", "##") != "##":
        raise ValueError("WordPiece continuation prefix is not ##")
    ids = tok["model"]["vocab"]
    if len(ids) != len(words) or any(ids[w] != i for i, w in enumerate(words)):
        raise ValueError("vocab.txt and tokenizer.json disagree")
    if len(words) > n_vocab:
        raise ValueError(f"{len(words)} tokens for vocab_size {n_vocab}")
    special = {t["content"] for t in tok.get("added_tokens", []) if t.get("special")}
    tokens, types = [], []
    for i in range(n_vocab):
        if i >= len(words):
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        elif words[i] in special:
            tokens.append(words[i])
            types.append(gguf.TokenType.CONTROL)
        else:
            w = words[i]
            tokens.append(w[2:] if w.startswith("##") else "\u2581" + w)
            types.append(gguf.TokenType.NORMAL)
    if len(set(tokens)) != len(tokens):
        raise ValueError("duplicate tokens after the phantom-space mapping")
    return tokens, types


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--outtype", choices=("f32", "f16"), default="f32")
    ap.add_argument("--name", help="general.name (default: config.json's _name_or_path)")
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    d = args.model_dir
    cfg = json.loads((d / "config.json").read_text())
    if cfg.get("model_type") != "bert":
        sys.exit(f"bert_to_gguf: {d}/config.json is a {cfg.get('model_type')!r} model, not bert")
    if cfg.get("position_embedding_type", "absolute") != "absolute" or cfg.get("hidden_act") != "gelu":
        sys.exit("bert_to_gguf: only absolute position embeddings and gelu are supported")
    arch = gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.BERT]
    w = gguf.GGUFWriter(args.out, arch)
    w.add_name(args.name or cfg.get("_name_or_path") or d.name)
    w.add_file_type(gguf.LlamaFileType.ALL_F32 if args.outtype == "f32" else gguf.LlamaFileType.MOSTLY_F16)
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(cfg["num_attention_heads"])
    w.add_layer_norm_eps(cfg["layer_norm_eps"])
    w.add_causal_attention(False)
    pool = pooling_type(d)
    if pool is not None:
        w.add_pooling_type(pool)

    tokens, types = vocab(d, cfg["vocab_size"])
    w.add_tokenizer_model("bert")
    w.add_tokenizer_pre("default")  # llama.cpp reads the pre-tokenizer for BPE vocabularies only
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_scores([0.0] * len(tokens))
    w.add_token_type_count(cfg.get("type_vocab_size", 1))
    # gguf 0.19.0 has no key for the cls id (llama.cpp reads none: bos = cls for BERT); without this
    # SpecialVocab warns that it skips it.
    logging.getLogger("gguf.vocab").setLevel(logging.ERROR)
    gguf.SpecialVocab(d, n_vocab=len(tokens)).add_to_gguf(w)

    n = 0
    for hf_name, t in read_safetensors(d / "model.safetensors").items():
        name = gguf_name(hf_name)
        if name is None:
            continue
        if t.dtype != np.float32:
            t = t.astype(np.float32)
        if args.outtype == "f16" and t.ndim == 2 and name not in F32_ALWAYS:
            t = t.astype(np.float16)
        w.add_tensor(name, np.ascontiguousarray(t))
        n += 1
    expected = 5 + cfg["num_hidden_layers"] * 16  # 3 embeddings, their norm (w, b); 8 (w, b) pairs a layer
    if n != expected:
        sys.exit(f"bert_to_gguf: wrote {n} tensors, expected {expected}")

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"bert_to_gguf: {args.out} ({args.outtype}, {n} tensors, {len(tokens)} tokens, "
          f"pooling {pool.name if pool is not None else 'none'})")


if __name__ == "__main__":
    main()
