;; fuzz/known_divergences.md, wasmi-br-table-move: the finding as differential_wasmi made it
;; (reduced line by line, not minimal; the minimal case is wasmi_br_table_move.wat). f() returns two
;; null funcrefs (the spec, Ember, wabt); wasmi 2.0.0 returns a non-null first one.
(module
  (type (;0;) (func (result funcref funcref)))
  (func (;0;) (type 0) (result funcref funcref)
    (local funcref f32 i32 i64 f32 i32 f64 f64 f64 f32)
    block (result funcref funcref)  ;; label = @1
      f32.const 0x1.63dec6p-10 (;=0.00135754;)
      f32.const nan (;=nan;)
      local.get 1
      local.get 1
      f32.eq
      select
      block  ;; label = @2
        block  ;; label = @3
        end
      end
      f32.const -inf (;=-inf;)
      f32.eq
      if  ;; label = @2
        f32.const 0x0p+0 (;=0;)
        local.set 4
      end
      local.get 4
      f32.const -0x1p+63 (;=-9.22337e+18;)
      f32.lt
      if  ;; label = @2
      end
      local.get 4
      f32.const 0x1.fffffep+62 (;=9.22337e+18;)
      f32.gt
      if  ;; label = @2
        f32.const 0x1.fffffep+62 (;=9.22337e+18;)
        local.set 4
      end
      local.get 0
      call 2
      table.size 0
      br_table 0 (;@1;) 1 (;@0;) 1 (;@0;)
    end)
  (func (;1;) (type 0) (result funcref funcref) ref.null func ref.null func)
  (func (;2;) (type 0) (result funcref funcref)
    ref.null func
    ref.null func)
  (func (;3;) (type 0) (result funcref funcref)
    ref.null func
    ref.null func)
  (table (;0;) 1403 3333 funcref)
  (memory (;0;) 1 2)
  (global (;0;) (mut i32) (i32.const 0))
  (global (;1;) (mut i64) (i64.const 0))
  (global (;2;) (mut i64) (i64.const 0))
  (global (;3;) (mut i32) (i32.const 0))
  (export "f" (func 0))
  (elem (;0;) func)
  (elem (;1;) externref)
  (elem (;2;) func)
  (data (;0;) ""))

