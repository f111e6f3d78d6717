#!/usr/bin/env bash
# ThreadSanitizer over libvmcore.so's C API used by four threads at once
# (tests/native/capi_threads.c: loading, instantiating, lazily translated calls, the allocator),
# in pool and in system mode. Exits non-zero on any data race TSan reports.
#
# The Rust standard library must be instrumented too (its Mutex/OnceLock are what the runtime
# synchronizes with), so libvmcore.so is built with -Zbuild-std. That needs the library's source
# for the exact compiler: rustup's stable (which ships the TSan runtime) plus Debian's rust-src
# package of the same version (a Debian package, not a rustup component: rustup components cannot
# be downloaded here). RUSTC_BOOTSTRAP=1 enables the -Z flags on that stable compiler. Nothing
# here ships; the cache is ${EMBER_CACHE:-~/.cache/ember}/tsan.
#
#   tests/tsan/run.sh [ROUNDS]      # default 100 rounds per mode (30 missed the pool race here)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-100}"
cache="${EMBER_CACHE:-$HOME/.cache/ember}/tsan"
mkdir -p "$cache"
triple=x86_64-unknown-linux-gnu

stable="$(rustc +stable --print sysroot)"
ver="$(rustc +stable --version | awk '{print $2}')"
tc="$cache/toolchain-$ver"
if [ ! -d "$tc/lib/rustlib/src/rust/library" ]; then
  echo "tsan: Debian's rust-src $ver for rustup's stable $ver"
  rm -rf "$tc" "$cache/deb"
  mkdir -p "$cache/deb"
  # Debian keeps every rustc it still ships in its pool; the Sources index names the versions.
  curl -fsS -m 300 http://deb.debian.org/debian/dists/sid/main/source/Sources.xz -o "$cache/deb/Sources.xz"
  got=""
  for dv in $(xz -dc "$cache/deb/Sources.xz" | awk '/^Package: /{p=($2=="rustc")} p&&/^Version: /{print $2}' | grep "^$ver+" | sort -rV); do
    f="rust-src_${dv}_all.deb"
    if curl -fsS -m 600 "http://deb.debian.org/debian/pool/main/r/rustc/${f//+/%2B}" -o "$cache/deb/$f"; then
      got="$cache/deb/$f"
      break
    fi
  done
  if [ -z "$got" ]; then
    echo "tsan: FAILED: no rust-src $ver in Debian's pool (rustup's stable is $ver)" >&2
    exit 1
  fi
  dpkg -x "$got" "$cache/deb/x"
  # The stable toolchain, hard-linked where it can be (rustup's copy is not touched), plus the
  # library source.
  cp -al "$stable" "$tc" 2>/dev/null || { rm -rf "$tc"; cp -a "$stable" "$tc"; }
  mkdir -p "$tc/lib/rustlib/src/rust"
  cp -a "$cache/deb/x/usr/src/rustc-$ver/library" "$tc/lib/rustlib/src/rust/"
  rm -rf "$cache/deb"
fi

export CARGO_TARGET_DIR="$cache/target"
export RUSTC="$tc/bin/rustc" RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zsanitizer=thread"
echo "tsan: building libvmcore.so with ThreadSanitizer (std included)"
"$tc/bin/cargo" build -q -Zbuild-std --target "$triple" -p vmcore
lib="$CARGO_TARGET_DIR/$triple/debug"
rt="$tc/lib/rustlib/$triple/lib/librustc-stable_rt.tsan.a"
# The C test instrumented by clang, linked with the same TSan runtime as the Rust code.
clang-14 -Wall -Werror -g -O1 -fsanitize=thread -fno-sanitize-link-runtime -I core/include \
  tests/native/capi_threads.c -o "$cache/capi_threads" -L "$lib" -lvmcore -Wl,-rpath,"$lib" \
  -Wl,--whole-archive "$rt" -Wl,--no-whole-archive -lpthread -ldl -lm -lrt -lstdc++
# First a control: a program with a known race must be reported (TSan is live, exit code 66).
printf '#include <pthread.h>\nint x;\nstatic void *f(void *a) { for (int i = 0; i < 100000; i++) x++; return a; }\nint main(void) { pthread_t t[2]; for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, f, 0); for (int i = 0; i < 2; i++) pthread_join(t[i], 0); return 0; }\n' >"$cache/control.c"
clang-14 -g -O1 -fsanitize=thread -fno-sanitize-link-runtime "$cache/control.c" -o "$cache/control" \
  -Wl,--whole-archive "$rt" -Wl,--no-whole-archive -lpthread -ldl -lm -lrt -lstdc++
rc=0
TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$cache/control" 2>/dev/null || rc=$?
if [ "$rc" -ne 66 ]; then
  echo "tsan: FAILED: the control race was not reported (exit $rc)" >&2
  exit 1
fi
wat2wasm tests/native/capi_threads.wat -o "$cache/capi_threads.wasm"
for mode in pool system; do
  echo "tsan: capi_threads, $mode mode, $rounds rounds"
  TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
    "$cache/capi_threads" "$cache/capi_threads.wasm" "$mode" "$rounds"
done
echo "tsan: no data race reported"
