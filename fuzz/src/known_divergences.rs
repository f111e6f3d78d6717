//! Known bugs of the reference (wasmi 2.0.0) that the differential target must not report as
//! Ember bugs. One entry per bug, with its minimal case; fuzz/known_divergences.md describes
//! them. The unit tests below check that each minimal case still diverges (so the entry is
//! dropped when the reference is upgraded and fixed), that Ember gives the spec's answer (and
//! that a third engine, wabt's spec interpreter, gives it too), and that the filter recognises
//! the case.

use wasmparser::{
    BlockType, BrTable, CompositeInnerType, Frame, FrameKind, FuncValidator, FunctionBody, Operator, Parser, Payload,
    ValidPayload, Validator, ValidatorResources, WasmFeatures, WasmModuleResources,
};

/// One known divergence.
pub struct Known {
    pub id: &'static str,
    /// The minimal module (text format) and the call that shows it: export "f", one argument.
    pub wat: &'static str,
    pub arg: i32,
    /// The spec's result (Ember's), and what wasmi 2.0.0 returns.
    pub expected: i32,
    pub wasmi_gives: i32,
}

pub const KNOWN: &[Known] = &[
    Known {
        id: "wasmi-select-eqz-local",
        wat: r#"(module (func (export "f") (param i32) (result i32)
            (select (i32.const 1) (i32.const 2) (i32.eqz (local.get 0)))))"#,
        arg: 5,
        expected: 2,
        wasmi_gives: 1,
    },
    Known {
        id: "wasmi-select-eqz-local",
        // The issue's form: the "avoid division by zero" idiom x / (x == 0 ? 1 : x).
        wat: r#"(module (func (export "f") (param i32) (result i32)
            (i32.div_u (i32.const 7) (select (i32.const 1) (local.get 0) (i32.eqz (local.get 0))))))"#,
        arg: 2,
        expected: 3,
        wasmi_gives: 7,
    },
    Known {
        id: "wasmi-select-eqz-local",
        wat: r#"(module (func (export "f") (param i32) (result i32)
            (select (i32.const 1) (i32.const 2) (i32.ne (local.get 0) (i32.const 0)))))"#,
        arg: 0,
        expected: 2,
        wasmi_gives: 2, // correct for 0 ...
    },
    Known {
        id: "wasmi-select-eqz-local",
        wat: r#"(module (func (export "f") (param i32) (result i32)
            (select (i32.const 1) (i32.const 2) (i32.ne (local.get 0) (i32.const 0)))))"#,
        arg: 3,
        expected: 1,
        wasmi_gives: 2, // ... and wrong for anything else
    },
];

/// Modules wasmi 2.0.0's translator is known to panic on (a debug assertion, on in the fuzz
/// builds), by id, with the minimal case: export "f", one i32 argument, the spec's result.
/// The differential target does not run such a module on wasmi at all ([`wasmi_panics`]).
pub const WASMI_PANICS: &[Known] = &[Known {
    id: "wasmi-if-param-register",
    // An `if` whose parameter is a computed value (held in a register by wasmi's translator)
    // and whose `then` branch stores it in a local: re-pushing the parameters for the `else`
    // trips "a register operand already exists on the stack" (with `drop` instead of
    // `local.set` it does not).
    wat: r#"(module (func (export "f") (param i32) (result i32) (local i32)
        local.get 0 local.get 0 i32.add local.get 0
        if (param i32) local.set 1 else drop end
        i32.const 7))"#,
    arg: 1,
    expected: 7,
    wasmi_gives: 7,
}];

/// Does `bytes` have what wasmi 2.0.0's translator is known to panic on? Returns its id:
/// wasmi-if-param-register for any `if` whose block type has parameters (found with an
/// explicit `else` too; wasm-smith makes them, compilers hardly ever).
pub fn wasmi_panics(bytes: &[u8]) -> Option<&'static str> {
    let mut params: Vec<usize> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::TypeSection(types)) => {
                for ty in types.into_iter_err_on_gc_types() {
                    params.push(ty.map(|f| f.params().len()).unwrap_or(0));
                }
            }
            Ok(Payload::CodeSectionEntry(body)) => {
                let Ok(reader) = body.get_operators_reader() else { continue };
                for op in reader {
                    let Ok(op) = op else { break };
                    if let Operator::If { blockty: BlockType::FuncType(t) } = op {
                        if params.get(t as usize).is_some_and(|&n| n > 0) {
                            return Some("wasmi-if-param-register");
                        }
                    }
                }
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

fn is_local(op: &Operator<'_>) -> bool {
    matches!(op, Operator::LocalGet { .. } | Operator::LocalTee { .. })
}

fn is_zero(op: &Operator<'_>) -> bool {
    matches!(op, Operator::I32Const { value: 0 })
}

/// Does a function body of `bytes` contain the pattern of a known divergence? Returns its id.
pub fn known(bytes: &[u8]) -> Option<&'static str> {
    if select_eqz_local(bytes) {
        return Some("wasmi-select-eqz-local");
    }
    if br_table_moves_values(bytes) {
        return Some("wasmi-br-table-move");
    }
    None
}

/// wasmi-select-eqz-local: a `select` (untyped or typed, any value type) whose condition is
/// computed right before it as `i32.eqz` of a local, or `i32.eq` / `i32.ne` of a local and the
/// constant 0 (either order). wasmi 2.0.0 fuses the comparison into the select and then ignores
/// it: the result is always the first operand (eqz, eq) or always the second (ne).
fn select_eqz_local(bytes: &[u8]) -> bool {
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else { continue };
        let Ok(reader) = body.get_operators_reader() else { continue };
        let mut last: [Option<Operator<'_>>; 3] = [None, None, None];
        for op in reader {
            let Ok(op) = op else { break };
            if matches!(op, Operator::Select | Operator::TypedSelect { .. }) {
                let hit = match &last {
                    [_, Some(a), Some(Operator::I32Eqz)] => is_local(a),
                    [Some(a), Some(b), Some(Operator::I32Eq | Operator::I32Ne)] => {
                        (is_local(a) && is_zero(b)) || (is_zero(a) && is_local(b))
                    }
                    _ => false,
                };
                if hit {
                    return true;
                }
            }
            last = [last[1].take(), last[2].take(), Some(op)];
        }
    }
    false
}

/// wasmi-br-table-move: a `br_table` with at least two distinct targets, where some target takes
/// two or more values and those values must move down the operand stack (there are operands
/// below them that the branch drops). wasmi 2.0.0 then gives a wrong first value (a stale or
/// garbage one). Needs the operand stack's height at the branch: the module is validated
/// operator by operator (a module that does not validate matches nothing).
fn br_table_moves_values(bytes: &[u8]) -> bool {
    let mut validator = Validator::new_with_features(WasmFeatures::all());
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(payload) = payload else { return false };
        match validator.payload(&payload) {
            Ok(ValidPayload::Func(func, body)) => {
                if function_has_br_table_move(func.into_validator(Default::default()), &body) {
                    return true;
                }
            }
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

fn function_has_br_table_move(mut fv: FuncValidator<ValidatorResources>, body: &FunctionBody<'_>) -> bool {
    let Ok(locals) = body.get_locals_reader() else { return false };
    for local in locals {
        let Ok((count, ty)) = local else { return false };
        if fv.define_locals(0, count, ty).is_err() {
            return false;
        }
    }
    let Ok(mut ops) = body.get_operators_reader() else { return false };
    while !ops.eof() {
        let Ok((op, offset)) = ops.read_with_offset() else { return false };
        if let Operator::BrTable { targets } = &op {
            if br_table_moves(&fv, targets) {
                return true;
            }
        }
        if fv.op(offset, &op).is_err() {
            return false;
        }
    }
    false
}

/// The pattern at one `br_table`, before the validator consumes it (its index is on top).
fn br_table_moves(fv: &FuncValidator<ValidatorResources>, targets: &BrTable<'_>) -> bool {
    let Some(current) = fv.get_control_frame(0) else { return false };
    if current.unreachable {
        return false; // the stack height is polymorphic there
    }
    let Ok(mut depths) = targets.targets().collect::<Result<Vec<u32>, _>>() else { return false };
    depths.push(targets.default());
    depths.sort_unstable();
    depths.dedup();
    if depths.len() < 2 {
        return false;
    }
    // Below the index. (A module only one engine validates can get here with an empty stack.)
    let Some(values_top) = (fv.operand_stack_height() as usize).checked_sub(1) else { return false };
    depths.iter().any(|&depth| {
        let Some(frame) = fv.get_control_frame(depth as usize) else { return false };
        let arity = label_arity(fv, frame);
        arity >= 2 && values_top >= arity && values_top - arity > frame.height
    })
}

/// How many values a branch to `frame` carries: a loop's parameters, any other block's results.
fn label_arity(fv: &FuncValidator<ValidatorResources>, frame: &Frame) -> usize {
    let (params, results) = match frame.block_type {
        BlockType::Empty => (0, 0),
        BlockType::Type(_) => (0, 1),
        BlockType::FuncType(idx) => match fv.resources().sub_type_at(idx).map(|t| &t.composite_type.inner) {
            Some(CompositeInnerType::Func(f)) => (f.params().len(), f.results().len()),
            _ => (0, 0),
        },
    };
    if frame.kind == FrameKind::Loop { params } else { results }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_wasmi(bytes: &[u8], arg: i32) -> i32 {
        let engine = crate::wasmi_engine();
        let m = wasmi::Module::new(&engine, bytes).unwrap();
        let mut store = wasmi::Store::new(&engine, ());
        store.set_fuel(1000).unwrap();
        let inst = wasmi::Linker::<()>::new(&engine).instantiate_and_start(&mut store, &m).unwrap();
        inst.get_typed_func::<i32, i32>(&store, "f").unwrap().call(&mut store, arg).unwrap()
    }

    fn call_ember(bytes: &[u8], arg: i32) -> i32 {
        let m = ember_interp::Module::new(bytes).unwrap();
        let (mut store, inst) = crate::ember_instantiate(&m).unwrap();
        let f = inst.get_func(&store, "f").unwrap();
        let mut out = [ember_interp::Val::I32(0)];
        f.call(&mut store, &[ember_interp::Val::I32(arg)], &mut out).unwrap();
        match out[0] {
            ember_interp::Val::I32(v) => v,
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn every_known_case_still_diverges_and_is_filtered() {
        for k in KNOWN {
            let bytes = wat::parse_str(k.wat).unwrap();
            assert_eq!(call_ember(&bytes, k.arg), k.expected, "{}: Ember", k.wat);
            assert_eq!(call_wasmi(&bytes, k.arg), k.wasmi_gives, "{}: wasmi (fixed? drop the entry)", k.wat);
            assert_eq!(known(&bytes), Some(k.id), "{}: filter", k.wat);
        }
    }

    /// A third engine settles who is right: wabt's spec interpreter (`spectest-interp`, Debian's
    /// wabt, installed by toolchains/setup-host.sh) must give Ember's (the spec's) answer.
    #[test]
    fn a_third_engine_agrees_with_ember() {
        let dir = std::env::temp_dir().join(format!("ember-known-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Whether wabt passes `f(arg) == want` (its summary: "N/M tests passed.").
        let wabt_passes = |case: &str, k: &Known, want: i32| -> bool {
            let wast = dir.join(format!("{case}.wast"));
            let json = dir.join(format!("{case}.json"));
            std::fs::write(&wast, format!("{}\n(assert_return (invoke \"f\" (i32.const {})) (i32.const {want}))\n", k.wat, k.arg)).unwrap();
            let run = |cmd: &str, args: &[&std::path::Path]| {
                let out = std::process::Command::new(cmd).args(args).current_dir(&dir).output().unwrap_or_else(|e| panic!("{cmd} (wabt): {e}"));
                (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
            };
            let (ok, out) = run("wast2json", &[&wast, std::path::Path::new("-o"), &json]);
            assert!(ok, "wast2json: {out}");
            let (ok, out) = run("spectest-interp", &[&json]);
            let summary = out.lines().find(|l| l.ends_with("tests passed.")).unwrap_or_else(|| panic!("spectest-interp: {out}"));
            let (passed, total) = summary.split_whitespace().next().unwrap().split_once('/').unwrap();
            ok && passed == total
        };
        for (i, k) in KNOWN.iter().enumerate() {
            assert!(wabt_passes(&format!("ember{i}"), k, k.expected), "{}: wabt disagrees with Ember", k.wat);
            if k.wasmi_gives != k.expected {
                assert!(!wabt_passes(&format!("wasmi{i}"), k, k.wasmi_gives), "{}: wabt accepts wasmi's answer too", k.wat);
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// wasmi-if-param-register: wasmi 2.0.0 still panics (debug assertions: this test build),
    /// Ember and wabt give the spec's result, the filter matches, and the near misses (an `if`
    /// without parameters, a `block` with one) run on wasmi and are not filtered.
    #[test]
    fn wasmi_panic_cases_still_panic_and_are_filtered() {
        for k in WASMI_PANICS {
            let bytes = wat::parse_str(k.wat).unwrap();
            assert_eq!(call_ember(&bytes, k.arg), k.expected, "{}: Ember", k.wat);
            let wasmi = std::panic::catch_unwind(|| call_wasmi(&bytes, k.arg));
            assert!(wasmi.is_err(), "{}: wasmi no longer panics (fixed? drop the entry)", k.wat);
            assert_eq!(wabt_runs_f_with(&bytes, k.arg, "if-param"), format!("f(i32:{}) => i32:{}", k.arg, k.expected), "wabt");
            assert_eq!(wasmi_panics(&bytes), Some(k.id), "{}: filter", k.wat);
        }
        for wat in [
            r#"(module (func (export "f") (param i32) (result i32)
                local.get 0 if (result i32) i32.const 1 else i32.const 7 end))"#,
            r#"(module (func (export "f") (param i32) (result i32)
                local.get 0 local.get 0 i32.add block (param i32) drop end i32.const 7))"#,
        ] {
            let bytes = wat::parse_str(wat).unwrap();
            assert_eq!(wasmi_panics(&bytes), None, "{wat}");
            assert_eq!(call_wasmi(&bytes, 0), call_ember(&bytes, 0), "{wat}");
        }
    }

    /// wabt's `spectest-interp` running `f(arg)` (its `--run-all-exports` line, arguments shown).
    fn wabt_runs_f_with(bytes: &[u8], arg: i32, case: &str) -> String {
        let dir = std::env::temp_dir().join(format!("ember-known-{case}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let json = dir.join("m.json");
        let wasm = dir.join("m.0.wasm");
        std::fs::write(&wasm, bytes).unwrap();
        std::fs::write(&json, format!(r#"{{"source_filename": "m.wast", "commands": [
            {{"type": "module", "line": 1, "filename": "m.0.wasm"}},
            {{"type": "action", "line": 2, "action": {{"type": "invoke", "field": "f",
              "args": [{{"type": "i32", "value": "{}"}}]}}, "expected": [{{"type": "i32"}}]}}]}}"#, arg as u32)).unwrap();
        let out = std::process::Command::new("spectest-interp").arg(&json).output().expect("spectest-interp (wabt)");
        let _ = std::fs::remove_dir_all(&dir);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines().find(|l| l.starts_with("f(")).unwrap_or(&text).trim().to_string()
    }

    fn seed(name: &str) -> Vec<u8> {
        wat::parse_file(format!("{}/seeds/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// Results of `f()` on Ember and on wasmi 2.0.0.
    fn results_of_f(bytes: &[u8]) -> (Vec<crate::V>, Vec<crate::V>) {
        let m = ember_interp::Module::new(bytes).unwrap();
        let (mut store, inst) = crate::ember_instantiate(&m).unwrap();
        let mut out = [ember_interp::Val::I32(0), ember_interp::Val::I32(0)];
        inst.get_func(&store, "f").unwrap().call(&mut store, &[], &mut out).unwrap();
        let engine = crate::wasmi_engine();
        let wm = wasmi::Module::new(&engine, bytes).unwrap();
        let mut ws = wasmi::Store::new(&engine, ());
        ws.set_fuel(100_000).unwrap();
        let wi = wasmi::Linker::<()>::new(&engine).instantiate_and_start(&mut ws, &wm).unwrap();
        let mut wout = [wasmi::Val::I32(0), wasmi::Val::I32(0)];
        wi.get_func(&ws, "f").unwrap().call(&mut ws, &[], &mut wout).unwrap();
        (out.iter().map(crate::from_ember_val).collect(), wout.iter().map(crate::from_wasmi_val).collect())
    }

    /// wabt's `wasm-interp --run-all-exports` on a module whose only export is `f`.
    fn wabt_runs_f(bytes: &[u8], case: &str) -> String {
        let dir = std::env::temp_dir().join(format!("ember-known-{case}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wasm = dir.join("m.wasm");
        std::fs::write(&wasm, bytes).unwrap();
        let out = std::process::Command::new("wasm-interp").arg(&wasm).arg("--run-all-exports").output().expect("wasm-interp (wabt)");
        let _ = std::fs::remove_dir_all(&dir);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// wasmi-br-table-move (fuzz/known_divergences.md): wasmi 2.0.0 gives a wrong first value;
    /// the spec, Ember and wabt agree. The minimal case and the finding it was reduced from.
    #[test]
    fn wasmi_br_table_move_still_diverges_and_is_filtered() {
        use crate::V;
        let minimal = seed("wasmi_br_table_move.wat");
        let (ember, wasmi) = results_of_f(&minimal);
        assert_eq!(ember, [V::I32(11), V::I32(22)], "Ember");
        assert_eq!(wasmi[1], V::I32(22), "wasmi");
        assert_ne!(wasmi[0], V::I32(11), "wasmi gives the right first value (fixed? drop the entry)");
        assert_eq!(wabt_runs_f(&minimal, "brt"), "f() => i32:11, i32:22", "wabt");
        assert_eq!(known(&minimal), Some("wasmi-br-table-move"), "filter");

        let found = seed("wasmi_br_table_move_found.wat");
        let (ember, wasmi) = results_of_f(&found);
        assert_eq!(ember, [V::Ref(false), V::Ref(false)], "Ember");
        assert_eq!(wasmi, [V::Ref(true), V::Ref(false)], "wasmi (fixed? drop the entry)");
        assert_eq!(wabt_runs_f(&found, "brt-found"), "f() => funcref:0, funcref:0", "wabt");
        assert_eq!(known(&found), Some("wasmi-br-table-move"), "filter");
    }

    /// Shapes next to wasmi-br-table-move where wasmi 2.0.0 is right: not filtered, and (so that
    /// the filter stays honest) Ember and wasmi agree on them.
    #[test]
    fn br_table_near_misses_agree_and_are_not_filtered() {
        let body = |pre: &str, n: usize, targets: &str| {
            let results = vec!["i32"; n].join(" ");
            let values: String = (1..=n).map(|k| format!("i32.const {} ", 10 * k)).collect();
            format!(r#"(module (global $i (mut i32) (i32.const 0))
                (func (export "f") (result {results}) block (result {results})
                  {pre} {values} global.get $i br_table {targets} end))"#)
        };
        for (wat, n) in [
            (body("", 2, "0 1"), 2),              // nothing to move past
            (body("i32.const 7", 2, "0 0"), 2),   // one target only
            (body("i32.const 7", 1, "0 1"), 1),   // a single value moves
        ] {
            let bytes = wat::parse_str(&wat).unwrap();
            assert_eq!(known(&bytes), None, "{wat}");
            if n == 2 {
                let (ember, wasmi) = results_of_f(&bytes);
                assert_eq!(ember, wasmi, "{wat}");
            }
        }
    }

    #[test]
    fn near_misses_are_not_filtered() {
        for wat in [
            // Condition computed from a local through arithmetic: wasmi is right.
            r#"(module (func (param i32) (result i32)
                (select (i32.const 1) (i32.const 2) (i32.eqz (i32.sub (local.get 0) (i32.const 1))))))"#,
            // Comparison with a non-zero constant: wasmi is right.
            r#"(module (func (param i32) (result i32)
                (select (i32.const 1) (i32.const 2) (i32.eq (local.get 0) (i32.const 7)))))"#,
            // i64.eqz: wasmi is right.
            r#"(module (func (param i64) (result i32)
                (select (i32.const 1) (i32.const 2) (i64.eqz (local.get 0)))))"#,
        ] {
            assert_eq!(known(&wat::parse_str(wat).unwrap()), None, "{wat}");
        }
    }
}
