;; Runs until the fuel is gone; deep recursion until the call-depth limit.
(module
  (func (export "spin") (loop $l (br $l)))
  (func $r (export "recurse") (param i32) (result i32) (call $r (i32.add (local.get 0) (i32.const 1)))))
