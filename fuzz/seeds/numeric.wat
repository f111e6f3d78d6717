;; Integer traps, float edge cases, conversions, sign extension, saturating truncation.
(module
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "sat") (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
  (func (export "minmax") (param f32 f32) (result f32)
    (f32.min (f32.max (local.get 0) (local.get 1)) (f32.nearest (local.get 1))))
  (func (export "ext") (param i32) (result i64) (i64.extend16_s (i64.extend_i32_u (local.get 0))))
  (func (export "bits") (param f64) (result i64)
    (i64.rotl (i64.reinterpret_f64 (f64.copysign (local.get 0) (f64.const -0))) (i64.const 7)))
  (func (export "sel") (param i32) (result i32)
    (select (i32.clz (local.get 0)) (i32.popcnt (local.get 0)) (i32.ctz (local.get 0)))))
