;; Imports of every kind (stubbed by the targets), mutable globals, a start function.
(module
  (import "env" "f" (func $imp (param i32) (result i32)))
  (import "env" "m" (memory 1))
  (import "env" "t" (table 1 funcref))
  (import "env" "g" (global $ig i64))
  (global $c (mut i32) (i32.const 7))
  (global (export "x") (mut f32) (f32.const 0.5))
  (start $s)
  (func $s (global.set $c (call $imp (global.get $c))))
  (func (export "get") (result i64) (i64.add (global.get $ig) (i64.extend_i32_s (global.get $c)))))
