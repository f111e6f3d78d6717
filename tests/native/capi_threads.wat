;; capi_threads.c's module: eight loops that differ in their constants (each translated lazily
;; on its first call, so threads calling them in different orders race to translate them), a
;; recursive fib, memory.grow and a store per call. Results are recomputed by the C program.
(module
  (memory (export "memory") 1 64)
  (global $calls (mut i32) (i32.const 0))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "grow") (result i32) (memory.grow (i32.const 1)))
  (func (export "calls") (result i32) (global.get $calls))
  ;; f0(n) = sum over k < n of (k * 3) xor 1; stored at 0
  (func (export "f0") (param $n i32) (result i32) (local $k i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.xor (i32.mul (local.get $k) (i32.const 3)) (i32.const 1))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 0) (local.get $s))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $s))
  ;; f1(n) = sum over k < n of (k * 5) xor 2; stored at 4
  (func (export "f1") (param $n i32) (result i32) (local $k i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.xor (i32.mul (local.get $k) (i32.const 5)) (i32.const 2))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 4) (local.get $s))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $s))
  ;; f2(n) = sum over k < n of (k * 7) xor 3; stored at 8
  (func (export "f2") (param $n i32) (result i32) (local $k i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.xor (i32.mul (local.get $k) (i32.const 7)) (i32.const 3))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 8) (local.get $s))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $s))
  ;; f3(n) = sum over k < n of (k * 9) xor 4; stored at 12
  (func (export "f3") (param $n i32) (result i32) (local $k i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.xor (i32.mul (local.get $k) (i32.const 9)) (i32.const 4))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 12) (local.get $s))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $s))
  ;; f4(n) = sum over k < n of (k * 11) xor 5; stored at 16
  (func (export "f4") (param $n i32) (result i32) (local $k i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.xor (i32.mul (local.get $k) (i32.const 11)) (i32.const 5))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 16) (local.get $s))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $s))
  ;; f5(n) = sum over k < n of (k * 13) xor 6; stored at 20
  (func (export "f5") (param $n i32) (result i32) (local $k i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.xor (i32.mul (local.get $k) (i32.const 13)) (i32.const 6))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 20) (local.get $s))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $s))
  ;; f6(n) = sum over k < n of (k * 15) xor 7; stored at 24
  (func (export "f6") (param $n i32) (result i32) (local $k i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.xor (i32.mul (local.get $k) (i32.const 15)) (i32.const 7))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 24) (local.get $s))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $s))
  ;; f7(n) = sum over k < n of (k * 17) xor 8; stored at 28
  (func (export "f7") (param $n i32) (result i32) (local $k i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.xor (i32.mul (local.get $k) (i32.const 17)) (i32.const 8))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 28) (local.get $s))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $s))
)
