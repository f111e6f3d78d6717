;; wasmi 2.0.0's translator panics (debug assertion "a register operand already exists on the
;; stack") on an `if` whose parameter is a computed value and whose `then` branch stores it in a
;; local. f(1) = 7 on Ember and wabt. See fuzz/known_divergences.md, wasmi-if-param-register.
(module
  (func (export "f") (param i32) (result i32) (local i32)
    local.get 0 local.get 0 i32.add local.get 0
    if (param i32) local.set 1 else drop end
    i32.const 7))
