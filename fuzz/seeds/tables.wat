;; Reference types: several tables, table.get/set/grow/fill/copy/init, ref.func, externref.
(module
  (table $t 2 10 funcref)
  (table $e 1 externref)
  (elem $seg func $f $g)
  (elem declare func $h)
  (func $f (result i32) (i32.const 1))
  (func $g (result i32) (i32.const 2))
  (func $h (result i32) (i32.const 3))
  (func (export "init") (table.init $t $seg (i32.const 0) (i32.const 0) (i32.const 2)))
  (func (export "grow") (param i32) (result i32) (table.grow $t (ref.func $h) (local.get 0)))
  (func (export "call") (param i32) (result i32) (call_indirect $t (result i32) (local.get 0)))
  (func (export "null") (result i32) (ref.is_null (table.get $e (i32.const 0))))
  (func (export "fill") (table.fill $t (i32.const 0) (ref.null func) (table.size $t))))
