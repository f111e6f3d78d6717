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
  (cd "$ROOT" && cargo run -q -p ember-spectest -- export "$P/wast" >/dev/null)

  # hello world, as wasm (for iwasm) and as a native ARM program (qemu's own footprint).
  mkdir -p "$P/wasm"
  clang-14 --target=wasm32-wasi -O2 "$HERE/hello.c" -o "$P/wasm/hello.wasm"
  "$GNU_TRIPLET-gcc" -O2 "$HERE/hello.c" -o "$P/bin/hello-native"
}
