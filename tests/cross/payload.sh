# Sourced by tests/cross/run.sh (outside the namespace): builds what the tests need beside the
# bundle into $WORK/payload: cross-built test binaries and libraries, and architecture-independent
# inputs (.wast files, wasm apps, models) made by the other suites' own build steps.
# shellcheck shell=bash

build_payload() {
  local P="$WORK/payload" bdir
  rm -rf "$P"; mkdir -p "$P/bin" "$P/lib"
  bdir="$CROSS_TARGET_DIR/$TRIPLE/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")"

  # spec: the harness cross-built without the embedded suite; the .wast files from a host build.
  "$ROOT/toolchains/cargo-cross.sh" "$TARGET_NAME" build --profile "$PROFILE" -p ember-spectest --no-default-features
  cp "$bdir/ember-spectest" "$P/bin/"
  "$GNU_TRIPLET-strip" "$P/bin/ember-spectest"
  # (the same package selection as tests/all.sh's `cargo build`, so nothing is rebuilt there)
  (cd "$ROOT" && cargo build -q --workspace)
  "${CARGO_TARGET_DIR:-$ROOT/target}/debug/ember-spectest" export "$P/wast" >/dev/null

  # armv7 (ILP32): vmcore-types' header check (core/types/tests/header_mirror.rs) cross-built, so
  # that it compares the target's Rust mirror with the target's C header layout (the host-built
  # driver, LP64, can do that only for aarch64).
  if [ "$TARGET_NAME" = armv7 ]; then
    local exe
    exe="$("$ROOT/toolchains/cargo-cross.sh" "$TARGET_NAME" test --profile "$PROFILE" -p vmcore-types --test header_mirror --no-run \
             --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "header_mirror":
        print(m["executable"])')"
    [ -n "$exe" ] && cp "$exe" "$P/bin/header_mirror-target"
  fi

  # hello world, as wasm (for iwasm) and as a native ARM program (qemu's own footprint).
  mkdir -p "$P/wasm"
  clang-14 --target=wasm32-wasi -O2 "$HERE/hello.c" -o "$P/wasm/hello.wasm"
  "$GNU_TRIPLET-gcc" -O2 "$HERE/hello.c" -o "$P/bin/hello-native"
  # A SIMD program (bundle-smoke runs it; the bundles have SIMD).
  clang-14 --target=wasm32-wasi -O2 -msimd128 "$ROOT/tests/native/simd_app.c" -o "$P/wasm/simd_app.wasm"

  # A wasi-nn app of tests/nn (its own build flags) for the direct backend checks.
  clang-14 --target=wasm32-wasi -O2 "$ROOT/tests/nn/apps/nn_values.c" -o "$P/wasm/nn_values.wasm" -lm

  # The main demo's app (examples/face_detect), for the footprint figures.
  clang-14 --target=wasm32-wasi -O2 "$ROOT/examples/face_detect/face_detect.c" -o "$P/wasm/face_detect.wasm" -lm

  # llama.cpp run natively on the board (the ggml backend's harness, built with the bundle):
  # tests/nn_ggml.rs compares token ids and embeddings with it (EMBER_TEST_GGML_NATIVE).
  if [ -f "$bdir/ggml_native" ]; then
    cp "$bdir/ggml_native" "$P/bin/"
    "$GNU_TRIPLET-strip" "$P/bin/ggml_native"
  fi

  # Host-side test drivers of the other suites (Rust integration tests that run iwasm as a
  # command): built for the host here, run inside the namespace with EMBER_TEST_IWASM pointing
  # at the qemu wrapper of the bundle's iwasm. Their paths go to $P/host-tests.list. (Test
  # targets of ember-tests, tests/*.rs, and of vmcore-types, core/types/tests/header_mirror.rs.)
  host_test_exes wasi core_cli core_native core_capi nn_backends nn_demo nn_ggml header_mirror > "$P/host-tests.list"
}

# host_test_exes NAME...: builds the host test binaries with the same package selection as
# tests/all.sh's `cargo test` (so its artifacts are reused, not rebuilt with other features) and
# prints "NAME PATH" for the integration tests NAME.
host_test_exes() {
  (cd "$ROOT" && cargo test -q --workspace --no-run --message-format=json 2>/dev/null) |
    python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] in sys.argv[1:]:
        print(m["target"]["name"], m["executable"])' "$@"
}
