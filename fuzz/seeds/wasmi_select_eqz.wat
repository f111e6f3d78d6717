;; fuzz/known_divergences.md: wasmi 2.0.0 returns 1 for f(5) (the spec says 2) and 7 for g(2) (3).
(module
  (func (export "f") (param i32) (result i32)
    (select (i32.const 1) (i32.const 2) (i32.eqz (local.get 0))))
  (func (export "g") (param i32) (result i32)
    (i32.div_u (i32.const 7) (select (i32.const 1) (local.get 0) (i32.eqz (local.get 0))))))
