;; fuzz/known_divergences.md, wasmi-br-table-move: a br_table with two distinct targets carrying two
;; values that must move down past an operand the branch drops. f() returns 11, 22 (the spec, Ember,
;; wabt); wasmi 2.0.0 returns a garbage first value.
(module
  (global $i (mut i32) (i32.const 0))
  (func (export "f") (result i32 i32)
    block (result i32 i32)
      i32.const 0    ;; dropped by the branch
      i32.const 11
      i32.const 22
      global.get $i  ;; not a constant, so the br_table stays a br_table
      br_table 0 1
    end))
