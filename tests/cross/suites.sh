# Sourced by tests/cross/run.sh inside its private mount namespace: lays out the scratch folder
# (tmpfs) with the unpacked bundle and the board root, then runs each suite under qemu-user.
# shellcheck shell=bash

PASSED=0 FAILED=0 SKIPPED=0
RESULTS=()
note() { echo "cross[$TARGET_NAME]: $*" >&2; }

# qrun BINARY ARGS...: run an ARM binary of the scratch folder under qemu with the board root.
qrun() { "$QEMU" -L "$BOARD_ROOT" "$@"; }

# record NAME STATUS SECONDS [DETAIL]
record() {
  local name="$1" st="$2" secs="$3" detail="${4:-}"
  case "$st" in
    pass) PASSED=$((PASSED + 1)) ;;
    fail) FAILED=$((FAILED + 1)) ;;
    skip) SKIPPED=$((SKIPPED + 1)) ;;
  esac
  RESULTS+=("$(printf '%-5s %-28s %5ss  %s' "$st" "$name" "$secs" "$detail")")
}

# run_suite NAME FUNCTION: times FUNCTION; its exit status 0 = pass, 77 = skip, else fail.
run_suite() {
  local name="$1" fn="$2" t0 rc=0
  t0=$(date +%s)
  echo "=== $TARGET_NAME: $name"
  "$fn" > "$SCRATCH/logs/$name.log" 2>&1 || rc=$?
  local secs=$(( $(date +%s) - t0 ))
  if [ $rc = 0 ]; then record "$name" pass "$secs"
  elif [ $rc = 77 ]; then record "$name" skip "$secs" "$(tail -n1 "$SCRATCH/logs/$name.log")"
  else
    record "$name" fail "$secs" "see log below"
    echo "--- $name log (last 40 lines)"; tail -n 40 "$SCRATCH/logs/$name.log"
  fi
  # The suite's own closing lines (counts), indented so that CI's parser does not mistake them for
  # this runner's summary.
  grep -v '^\s*$' "$SCRATCH/logs/$name.log" | tail -n 3 | sed 's/^/    /'
  cp "$SCRATCH/logs/$name.log" "$WORK/logs/" 2>/dev/null || true
}

setup_scratch() {
  mount -t tmpfs -o size=4g,mode=0755 ember-cross "$SCRATCH"
  mkdir -p "$SCRATCH/logs" "$SCRATCH/home" "$SCRATCH/bin" "$SCRATCH/tmp"
  rm -rf "$WORK/logs"; mkdir -p "$WORK/logs"
  local tarball
  tarball="$(ls "$WORK/bundles/"ember-*-"$TARGET_NAME".tar.gz | head -n1)"
  tar xzf "$tarball" -C "$SCRATCH"
  EMBER_DIR="$(ls -d "$SCRATCH"/ember-*-"$TARGET_NAME")"
  # The board's root: loader + libc (cross toolchain) and Debian's ArmNN packages.
  cp -a "$ARMNN_SYSROOT" "$SCRATCH/root"
  BOARD_ROOT="$SCRATCH/root"
  cp -a "$WORK/payload" "$SCRATCH/payload"
  if [ "$TARGET_NAME" = aarch64 ]; then
    mount --bind "$HERE/cpuinfo-aarch64.txt" /proc/cpuinfo
  fi
  # Shell wrappers so that host-side runners can call the ARM binaries as commands.
  local b
  for b in "$EMBER_DIR/bin/iwasm" "$SCRATCH/payload/bin/"*; do
    printf '#!/bin/sh\nexec %s -L %s %s "$@"\n' "$QEMU" "$BOARD_ROOT" "$b" > "$SCRATCH/bin/$(basename "$b")"
    chmod +x "$SCRATCH/bin/$(basename "$b")"
  done
  # Nothing may come from the developer's cache or home: only the bundle counts. The scratch
  # cache holds the real model and the photo (tests/nn_demo.rs reads them there), no engines.
  mkdir -p "$SCRATCH/cache/models" "$SCRATCH/cache/pictures"
  cp "$EMBER_CACHE/models/"face_detection_short_range*.tflite "$SCRATCH/cache/models/" 2>/dev/null || true
  # ONNX and OpenVINO IR forms of the models (tests/nn_backends.rs onnx_*, openvino_*).
  cp "$EMBER_CACHE/models/"face_detection_short_range.onnx "$EMBER_CACHE/models/"ch_ppocr* "$SCRATCH/cache/models/" 2>/dev/null || true
  cp -r "$EMBER_CACHE/models/openvino" "$SCRATCH/cache/models/" 2>/dev/null || true
  cp "$EMBER_CACHE/pictures/"astronaut.* "$SCRATCH/cache/pictures/" 2>/dev/null || true
  # The GGUF models of the ggml backend (tests/nn_ggml.rs).
  cp "$EMBER_CACHE/models/"SmolLM2-135M-Instruct.Q4_1.gguf "$EMBER_CACHE/models/"all-MiniLM-L6-v2.* "$SCRATCH/cache/models/" 2>/dev/null || true
  export EMBER_CACHE="$SCRATCH/cache" HOME="$SCRATCH/home" TMPDIR="$SCRATCH/tmp"
  export IWASM="$SCRATCH/bin/iwasm"
  if [ "$TARGET_NAME" = armv7 ]; then
    # qemu-arm 7.2 does not apply -L to statx, so ArmNN's compiled-in backend folder is not found
    # through the board root; name the (tmpfs) folder itself.
    export EMBER_ARMNN_BACKENDS_PATH="$BOARD_ROOT/usr/lib/$GNU_TRIPLET/armnn22"
  fi
}

# Footprint figures: stripped sizes and the peak RSS of the qemu process for hello world, beside
# qemu running a native ARM hello (its own overhead). Written to $WORK/footprint.txt for
# BENCHMARKS.md. One pass/fail test: iwasm + libvmcore.so under 1 MiB on aarch64 (a hard limit).
suite_footprint() {
  local out="$WORK/footprint.txt" f
  {
    echo "target $TRIPLE, bundle $(basename "$EMBER_DIR")"
    for f in "$EMBER_DIR/bin/iwasm" "$EMBER_DIR/lib/libvmcore.so" "$EMBER_DIR/lib/wasi-nn/"*.so \
             "$EMBER_DIR/lib/wasi-nn/engines/"*.so; do
      [ -f "$f" ] && printf 'size %-40s %9d\n' "${f#"$EMBER_DIR/"}" "$(stat -c %s "$f")"
    done
    local sum=$(( $(stat -c %s "$EMBER_DIR/bin/iwasm") + $(stat -c %s "$EMBER_DIR/lib/libvmcore.so") ))
    printf 'size %-40s %9d  (limit 1048576: %s)\n' "iwasm+libvmcore.so" "$sum" \
      "$([ "$sum" -le 1048576 ] && echo "met, $((1048576 - sum)) under" || echo "NOT met, over by $((sum - 1048576))")"
    local rss
    rss="$( { /usr/bin/time -f %M "$QEMU" -L "$BOARD_ROOT" "$SCRATCH/payload/bin/hello-native" >/dev/null; } 2>&1 | tail -n1)"
    echo "rss_kib qemu+native-hello $rss"
    rss="$( { /usr/bin/time -f %M "$IWASM" "$SCRATCH/payload/wasm/hello.wasm" >/dev/null; } 2>&1 | tail -n1)"
    echo "rss_kib qemu+iwasm-hello $rss"
    footprint_nn_demo
  } | tee "$out"
  if [ "$TARGET_NAME" = aarch64 ] && ! grep -q 'limit 1048576: met,' "$out"; then
    echo "footprint: iwasm + libvmcore.so is over the 1 MiB limit on aarch64"
    return 1
  fi
}

# Peak RSS (of the qemu process) of the main demo: BlazeFace on the photo, one inference.
# demo_rss LABEL ENGINE_ENV IWASM_OPTION MODEL
demo_rss() {
  local m="$EMBER_CACHE/models" p="$EMBER_CACHE/pictures" res rss
  res="$( { env "$2" /usr/bin/time -f 'rss %M' "$IWASM" "$3" --dir="$m" --dir="$p" \
            "$SCRATCH/payload/wasm/face_detect.wasm" "$m/$4" "$p/astronaut.ppm" cpu; } 2>&1 )" || true
  rss="$(echo "$res" | sed -n 's/^rss //p' | tail -n1)"
  echo "rss_kib qemu+demo-$1 $rss  ($(echo "$res" | grep -m1 -i 'face' || echo "no result"))"
}
footprint_nn_demo() {
  if [ "$TARGET_NAME" = aarch64 ]; then
    demo_rss tflite-litert EMBER_TFLITE_ENGINE=litert --wasi-nn-backend=tflite face_detection_short_range.tflite
    demo_rss tflite-classic EMBER_TFLITE_ENGINE=classic --wasi-nn-backend=tflite face_detection_short_range.tflite
  fi
  demo_rss armnn EMBER_UNUSED=1 --wasi-nn-backend=armnn face_detection_short_range_fp32.tflite
}

# ---- suites -----------------------------------------------------------------------------------
suite_bundle_smoke() {
  local v out
  v="$("$IWASM" --version 2>&1)"; echo "iwasm --version: $v"
  [ -n "$v" ] || { echo "iwasm --version printed nothing"; return 1; }
  out="$("$IWASM" "$SCRATCH/payload/wasm/hello.wasm")"
  echo "hello.wasm: $out"
  [ "$out" = "hello from ember" ] || return 1
  # The bundle's libvmcore.so has fixed-width SIMD (toolchains/bundle.sh's default; native+cli
  # runs the same program through tests/core_cli.rs, the spec suite all of SIMD).
  out="$("$IWASM" "$SCRATCH/payload/wasm/simd_app.wasm" 2>&1)" || { echo "simd_app.wasm: $out"; return 1; }
  echo "simd_app.wasm: $out"
  [ "$out" = "simd: 255 11 255 | 3.5 -3.5 1 16.5 | 255 255 | mask 2" ]
}

# The .deb: its control data, and its tree unpacked into the scratch folder runs hello world
# through the /usr/bin/iwasm symlink ($ORIGIN resolves through it).
suite_deb() {
  local deb root out
  deb="$(ls "$WORK/bundles/"ember_*_"$DEB_ARCH".deb | head -n1)"
  dpkg-deb -I "$deb" | sed -n '/Package:/,$p'
  dpkg-deb -f "$deb" Architecture | grep -qx "$DEB_ARCH" || { echo "wrong Architecture"; return 1; }
  if [ -f "$EMBER_DIR/lib/wasi-nn/libwasi_nn_backend_armnn.so" ]; then
    dpkg-deb -f "$deb" Depends | grep -q 'libarmnn22' || { echo "Depends lacks ArmNN"; return 1; }
  fi
  root="$SCRATCH/debroot"; mkdir -p "$root"
  dpkg-deb -x "$deb" "$root"
  out="$(qrun "$root/usr/bin/iwasm" "$SCRATCH/payload/wasm/hello.wasm")"
  echo "deb iwasm: $out"
  [ "$out" = "hello from ember" ]
}

# The subset (--spec subset): every execution-related file of the 2.0 suite, i.e. every opcode
# class: i32/i64/f32/f64 arithmetic, comparisons and bit ops, conversions (incl. non-trapping and
# sign-extension), constants, memory loads/stores/size/grow/traps and bulk memory, control flow,
# calls (direct, indirect, deep recursion), locals/globals, tables, element/data segments,
# reference types, traps and stack exhaustion, linking/imports/exports/start. Left out are the
# files that test only the binary/text decoders (binary*, comments, custom, *_literals, names,
# token, utf8-*, type, forward, inline-module, unreached-*, memory_redundancy, table-sub), which
# run the same wasmparser code on every target.
SPEC_SUBSET=(i32 i64 f32 f32_cmp f32_bitwise f64 f64_cmp f64_bitwise float_exprs float_misc
             float_memory conversions int_exprs const memory memory_size memory_grow memory_trap
             memory_copy memory_fill memory_init address align load store endianness bulk data
             block loop if br br_if br_table return select nop unreachable unwind labels switch
             call call_indirect func_ptrs fac func local_get local_set local_tee global
             table table_get table_set table_grow table_size table_fill table_copy table_init
             elem ref_func ref_is_null ref_null traps stack left-to-right linking exports imports
             start skip-stack-guard-page)

suite_spec() {
  local dir="$SCRATCH/payload/wast" args=()
  if [ "$SPEC_MODE" = subset ]; then
    dir="$SCRATCH/spec-subset"; mkdir -p "$dir"
    local n
    for n in "${SPEC_SUBSET[@]}"; do
      cp "$SCRATCH/payload/wast/$n.wast" "$dir/" || return 1
    done
  fi
  echo "spec: $(ls "$dir" | wc -l) .wast files ($SPEC_MODE)"
  "$SCRATCH/bin/ember-spectest" --dir "$dir" --jobs "$(nproc)" --timeout 1200 "${args[@]}"
}

# host_test NAME: the host-built integration test binary NAME (see payload.sh).
host_test() { awk -v n="$1" '$1 == n { print $2 }' "$SCRATCH/payload/host-tests.list"; }

# nn_case LABEL BACKEND FILTER... [ENV=VALUE...]: runs the wasi-nn integration tests of BACKEND
# (tests/nn_backends.rs: WAMR's test set and conv_net through both ABIs, the hostile guest, and
# lookup by encoding) against the bundle's iwasm and lib/wasi-nn, with the backend required.
nn_case() {
  local label="$1" backend="$2" filters=(); shift 2
  while [ $# -gt 0 ] && [[ "$1" != *=* ]]; do filters+=("$1"); shift; done
  local exe; exe="$(host_test nn_backends)"
  [ -x "$exe" ] || { echo "nn_backends test binary missing"; return 1; }
  # The BlazeFace agreement tests time 50 inferences per engine on the host; under qemu the times
  # mean nothing and a LiteRT inference takes ~2.8 s (aarch64), so one timed run (after nn-bench's
  # one warm-up) checks the same outputs.
  # (armv7 runs none of them: no TFLite engine there to compare with.)
  case "$TARGET_NAME:$backend" in aarch64:onnx | aarch64:openvino | aarch64:tract)
    echo "$TARGET_NAME: ${backend}_blazeface_outputs_agree_with_tflite times 1 inference per engine (EMBER_TEST_BENCH_RUNS=1; host: 50)" ;;
  esac
  env -u EMBER_NN_SKIP_BACKENDS EMBER_TEST_IWASM="$IWASM" EMBER_TEST_BACKEND_DIR="$EMBER_DIR/lib/wasi-nn" \
      EMBER_TEST_BENCH_RUNS=1 "$@" "$exe" --test-threads=2 "${filters[@]}"
}

# The ArmNN backends a run actually found (the backend logs them at info level).
armnn_found() {
  env RUST_LOG=info "$@" "$IWASM" --wasi-nn-backend=armnn --map-dir=/models::"$ROOT/nn/models" \
    "$SCRATCH/payload/wasm/nn_values.wasm" /models 2>&1 >/dev/null | grep -o 'ArmNN backends \[[^]]*\]' | head -n1
}

# WASI preview1 (tests/wasi.rs: every area, exact stdout, the hostile-path set) against the
# bundle's iwasm.
suite_wasi() {
  local exe; exe="$(host_test wasi)"
  [ -x "$exe" ] || { echo "wasi test binary missing"; return 1; }
  env EMBER_TEST_IWASM="$IWASM" "$exe" --test-threads=2
}

# iwasm's CLI (tests/core_cli.rs, including pool mode), native libraries (tests/core_native.rs:
# --native-lib with validated pointers, a separately built library allocating from iwasm's pool,
# symbols defined only by libvmcore.so) and C programs embedding libvmcore.so (tests/core_capi.rs,
# pool and allocator modes). The C code is cross-compiled against the bundle's libvmcore.so
# (EMBER_TEST_CC, EMBER_TEST_LIB_DIR) and the C programs run under qemu (EMBER_TEST_RUNNER).
suite_core() {
  local exe rc=0 t
  # vmcore-types' mirror_layout_matches_the_c_compiler compares the Rust mirror's layout as
  # compiled into the test binary with what the target's C compiler prints for wasm_export.h: the
  # host-built (LP64) driver can do that only for aarch64; armv7 runs the cross-built binary.
  local mirror
  if [ "$TARGET_NAME" = armv7 ]; then
    mirror="$SCRATCH/bin/header_mirror-target"
    [ -f "$SCRATCH/payload/bin/header_mirror-target" ] || { echo "cross-built header_mirror missing"; return 1; }
  else
    mirror="$(host_test header_mirror)"
    [ -x "$mirror" ] || { echo "header_mirror test binary missing"; return 1; }
  fi
  echo "--- header_mirror ($TARGET_NAME C compiler) mirror_layout_matches_the_c_compiler"
  env EMBER_TEST_CC="$GNU_TRIPLET-gcc" EMBER_TEST_RUNNER="$QEMU -L $BOARD_ROOT" \
    "$mirror" --exact mirror_layout_matches_the_c_compiler || rc=1
  for t in core_cli core_native core_capi; do
    exe="$(host_test "$t")"
    [ -x "$exe" ] || { echo "$t test binary missing"; return 1; }
    echo "--- $t"
    env EMBER_TEST_IWASM="$IWASM" EMBER_TEST_IWASM_ELF="$EMBER_DIR/bin/iwasm" \
      EMBER_TEST_LIB_DIR="$EMBER_DIR/lib" EMBER_TEST_CC="$GNU_TRIPLET-gcc" \
      EMBER_TEST_RUNNER="$QEMU -L $BOARD_ROOT" "$exe" --test-threads=2 || rc=1
  done
  return $rc
}

suite_nn_tflite_litert()  { nn_case litert tflite tflite_ EMBER_TFLITE_ENGINE=litert; }
# ONNX Runtime and OpenVINO from the bundle's lib/wasi-nn/engines (aarch64 wheels); the tests
# comparing with TFLite use LiteRT from the bundle too.
suite_nn_onnx()     { nn_case onnx onnx onnx_ EMBER_TFLITE_ENGINE=litert; }
suite_nn_openvino() { nn_case openvino openvino openvino_ EMBER_TFLITE_ENGINE=litert; }
# tract on both boards. armv7's bundle has no TFLite engine, so there the tests that compare
# tract's BlazeFace with LiteRT's are not run (named here, not skipped inside a test); the
# classifier is still checked against its reference figures.
suite_nn_tract() {
  if [ "$TARGET_NAME" = aarch64 ]; then
    nn_case tract tract tract_ EMBER_TFLITE_ENGINE=litert
  else
    echo "armv7: not run (no TFLite engine to compare with): tract_face_demo_matches_tflite, tract_blazeface_outputs_agree_with_tflite"
    nn_case tract tract tract_values tract_hostile tract_classifier tract_corrupt
  fi
}
# The ggml backend (llama.cpp in the bundle) against llama.cpp run natively on the same board
# (the harness under qemu): token ids, streaming, embeddings, the hostile guest, bad models.
# Not run here: wasmedge_guest_crate_runs_unchanged (it builds a Rust guest with cargo, which the
# sandbox has no registry for; the guest is the same wasm on every board: the host run covers it)
# and named_model_is_mapped_not_copied (the peak RSS would be qemu's);
# armv7 (no SIMD in this llama.cpp build, ~3x slower under qemu) runs the core of the set.
suite_nn_ggml() {
  local exe; exe="$(host_test nn_ggml)"
  [ -x "$exe" ] || { echo "nn_ggml test binary missing"; return 1; }
  [ -x "$SCRATCH/bin/ggml_native" ] || { echo "ggml_native (payload) missing"; return 1; }
  local filters=(--skip wasmedge_guest_crate_runs_unchanged --skip named_model_is_mapped_not_copied)
  if [ "$TARGET_NAME" = armv7 ]; then
    echo "armv7: not run (time under qemu): streaming_example_prints_an_answer, semantic_search_example_ranks_by_meaning, model_from_bytes_under_both_ggml_numbers"
    filters+=(--skip streaming_example --skip semantic_search_example --skip model_from_bytes)
  fi
  echo "not run: wasmedge_guest_crate_runs_unchanged (needs cargo and a registry; covered by the host run), named_model_is_mapped_not_copied (qemu's own memory would count)"
  env -u EMBER_NN_SKIP_BACKENDS EMBER_TEST_IWASM="$IWASM" EMBER_TEST_BACKEND_DIR="$EMBER_DIR/lib/wasi-nn" \
      EMBER_TEST_GGML_NATIVE="$SCRATCH/bin/ggml_native" "$exe" --test-threads=2 "${filters[@]}"
}
suite_nn_tflite_classic() { nn_case classic tflite tflite_ EMBER_TFLITE_ENGINE=classic; }
suite_nn_armnn_cpuacc() {
  local found; found="$(armnn_found)"; echo "found: $found"
  case "$found" in *CpuAcc*) ;; *) echo "CpuAcc not available"; return 1 ;; esac
  nn_case cpuacc armnn armnn_
}
suite_nn_armnn_cpuref() {
  # Only CpuRef in the backends folder (on aarch64 the board root also has CpuAcc).
  local dir="$SCRATCH/armnn-cpuref-only" found
  mkdir -p "$dir"
  cp "$BOARD_ROOT/usr/lib/$GNU_TRIPLET/armnn22/Arm_CpuRef_backend.so" "$dir/"
  found="$(armnn_found EMBER_ARMNN_BACKENDS_PATH="$dir")"; echo "found: $found"
  [ "$found" = "ArmNN backends [CpuRef]" ] || { echo "expected only CpuRef"; return 1; }
  nn_case cpuref armnn armnn_ EMBER_ARMNN_BACKENDS_PATH="$dir"
}

# The main demo (tests/nn_demo.rs: BlazeFace finds the face in the photo) on both TFLite engines.
suite_nn_demo() {
  local exe; exe="$(host_test nn_demo)"
  [ -x "$exe" ] || { echo "nn_demo test binary missing"; return 1; }
  env EMBER_TEST_IWASM="$IWASM" "$exe" --test-threads=2
}

suite_nn() {
  if [ "$TARGET_NAME" = aarch64 ]; then
    run_suite nn-demo suite_nn_demo
    run_suite nn-tflite-litert suite_nn_tflite_litert
    run_suite nn-tflite-classic suite_nn_tflite_classic
    run_suite nn-armnn-cpuacc suite_nn_armnn_cpuacc
    run_suite nn-onnx suite_nn_onnx
    run_suite nn-openvino suite_nn_openvino
  fi
  run_suite nn-tract suite_nn_tract
  run_suite nn-ggml suite_nn_ggml
  run_suite nn-armnn-cpuref suite_nn_armnn_cpuref
}

inside_main() {
  setup_scratch
  local s
  IFS=, read -r -a wanted <<< "$SUITES"
  run_suite bundle-smoke suite_bundle_smoke
  run_suite deb suite_deb
  run_suite footprint suite_footprint
  for s in "${wanted[@]}"; do
    case "$s" in
      spec) [ "$SPEC_MODE" = none ] || run_suite "spec-$SPEC_MODE" suite_spec ;;
      wasi) run_suite wasi suite_wasi ;;
      native) run_suite native+cli suite_core ;;
      *) if declare -F "suite_$s" >/dev/null; then "suite_$s"; else note "unknown suite $s"; fi ;;
    esac
  done
  echo
  echo "=== $TARGET_NAME summary (qemu-user, bundle in $EMBER_DIR)"
  printf '%s\n' "${RESULTS[@]}"
  echo "cross-$TARGET_NAME: $PASSED passed, $FAILED failed, $SKIPPED skipped"
  [ "$FAILED" = 0 ]
}
