//! Helpers shared by the fuzz targets (fuzz/fuzz_targets/): driving a module through Ember
//! (load, validate, translate, instantiate with stub imports, call every export with fuel),
//! the same through wasmi 2.0 for the differential target, and the comparison of the two.
//!
//! Only `ember-interp` and `wasmi` are used here: the WASI and wasi-nn targets link `vmcore-rt`
//! (and its global allocator) on their own.

use ember_interp as ember;

/// Fuel for each exported call on Ember (one unit per taken branch and per call).
pub const EMBER_FUEL: u64 = 10_000;
/// Fuel for each exported call on wasmi (roughly one unit per instruction): enough that a call
/// which ends within [`EMBER_FUEL`] on Ember ends on wasmi too, small enough not to hang.
pub const WASMI_FUEL: u64 = 3_000_000;

/// The store limits of every Ember store made here: small, so that a fuzz input cannot make a
/// run take seconds or gigabytes.
pub fn ember_config() -> ember::Config {
    ember::Config {
        max_call_depth: 1_000,
        max_stack_cells: 1 << 16,
        max_memory_pages: 256,
        fuel: Some(EMBER_FUEL),
        host_memory: None,
    }
}

/// A value as both engines can report it: floats as bits, references as null or not.
#[derive(Clone, Copy, Debug)]
pub enum V {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    Ref(bool),
}

impl PartialEq for V {
    fn eq(&self, other: &V) -> bool {
        match (*self, *other) {
            (V::I32(a), V::I32(b)) => a == b,
            (V::I64(a), V::I64(b)) => a == b,
            // Any NaN equals any NaN: the spec leaves arithmetic NaN payloads open (wasm-smith's
            // NaN canonicalisation already makes them canonical; this is the safety net).
            (V::F32(a), V::F32(b)) => a == b || (f32::from_bits(a).is_nan() && f32::from_bits(b).is_nan()),
            (V::F64(a), V::F64(b)) => a == b || (f64::from_bits(a).is_nan() && f64::from_bits(b).is_nan()),
            (V::V128(a), V::V128(b)) => a == b,
            (V::Ref(a), V::Ref(b)) => a == b,
            _ => false,
        }
    }
}

/// How a call ended, in terms both engines share.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Values(Vec<V>),
    Trap(TrapKind),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    /// call_indirect through a null or uninitialised element.
    NullElement,
    SignatureMismatch,
    DivideByZero,
    IntegerOverflow,
    BadConversion,
    /// Stack exhaustion and fuel: the engines' limits differ, so a run that hits one is not
    /// compared any further (inconclusive).
    Limit,
    Other(String),
}

impl TrapKind {
    pub fn of_ember(t: &ember::Trap) -> TrapKind {
        use ember::Trap as T;
        match t {
            T::Unreachable => TrapKind::Unreachable,
            T::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
            T::TableOutOfBounds => TrapKind::TableOutOfBounds,
            T::IndirectCallToNull | T::UninitializedElement => TrapKind::NullElement,
            T::IndirectCallTypeMismatch => TrapKind::SignatureMismatch,
            T::IntegerDivideByZero => TrapKind::DivideByZero,
            T::IntegerOverflow => TrapKind::IntegerOverflow,
            T::InvalidConversionToInteger => TrapKind::BadConversion,
            T::StackExhausted | T::OutOfFuel => TrapKind::Limit,
            other => TrapKind::Other(other.to_string()),
        }
    }

    pub fn of_wasmi(e: &wasmi::Error) -> TrapKind {
        use wasmi::TrapCode as C;
        match e.as_trap_code() {
            Some(C::UnreachableCodeReached) => TrapKind::Unreachable,
            Some(C::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
            Some(C::TableOutOfBounds) => TrapKind::TableOutOfBounds,
            Some(C::IndirectCallToNull) => TrapKind::NullElement,
            Some(C::BadSignature) => TrapKind::SignatureMismatch,
            Some(C::IntegerDivisionByZero) => TrapKind::DivideByZero,
            Some(C::IntegerOverflow) => TrapKind::IntegerOverflow,
            Some(C::BadConversionToInteger) => TrapKind::BadConversion,
            Some(C::StackOverflow | C::OutOfFuel | C::OutOfSystemMemory | C::GrowthOperationLimited) => TrapKind::Limit,
            _ => TrapKind::Other(e.to_string()),
        }
    }
}

/// Arguments of a given type for argument set `k` (0: zeros; 1: ones; 2: extremes).
pub fn ember_arg(ty: ember::ValType, k: usize) -> ember::Val {
    use ember::{Val, ValType as T};
    match (ty, k) {
        (T::I32, 0) => Val::I32(0),
        (T::I32, 1) => Val::I32(1),
        (T::I32, _) => Val::I32(i32::MIN),
        (T::I64, 0) => Val::I64(0),
        (T::I64, 1) => Val::I64(1),
        (T::I64, _) => Val::I64(-1),
        (T::F32, 0) => Val::F32(0),
        (T::F32, 1) => Val::F32(1.5f32.to_bits()),
        (T::F32, _) => Val::F32((-3.0e9f32).to_bits()),
        (T::F64, 0) => Val::F64(0),
        (T::F64, 1) => Val::F64(1.5f64.to_bits()),
        (T::F64, _) => Val::F64((-1.0e19f64).to_bits()),
        (ty, _) => Val::default_of(ty),
    }
}

/// How many fixed argument sets each exported function is called with.
pub const ARG_SETS: usize = 3;

pub fn from_ember_val(v: &ember::Val) -> V {
    use ember::Val;
    match *v {
        Val::I32(x) => V::I32(x),
        Val::I64(x) => V::I64(x),
        Val::F32(x) => V::F32(x),
        Val::F64(x) => V::F64(x),
        Val::V128(x) => V::V128(x),
        Val::FuncRef(f) => V::Ref(f.is_some()),
        Val::ExternRef(r) => V::Ref(r.is_some()),
    }
}

/// Instantiate `module` in a fresh store, every import stubbed (host functions that return
/// zeros, fresh memories, tables and globals of the imported types).
pub fn ember_instantiate(
    module: &ember::Module,
) -> Result<(ember::Store<()>, ember::Instance), ember::Error> {
    let mut store = ember::Store::new(ember_config(), ());
    let mut imports = Vec::with_capacity(module.imports().len());
    for imp in module.imports() {
        let ext = match &imp.ty {
            ember::ExternType::Func(ft) => {
                ember::Extern::Func(ember::Func::new_host(&mut store, ft.clone(), |_, _, _| Ok(())))
            }
            ember::ExternType::Memory(mt) => ember::Extern::Memory(ember::Memory::new(&mut store, mt.clone())?),
            ember::ExternType::Table(tt) => {
                let init = ember::Val::default_of(tt.elem);
                ember::Extern::Table(ember::Table::new(&mut store, tt.clone(), init)?)
            }
            ember::ExternType::Global(gt) => {
                let init = ember::Val::default_of(gt.content);
                ember::Extern::Global(ember::Global::new(&mut store, gt.clone(), init)?)
            }
        };
        imports.push(ext);
    }
    let inst = ember::Instance::new(&mut store, module, &imports)?;
    Ok((store, inst))
}

/// Call export `name` (a function) with argument set `k` and fresh fuel.
pub fn ember_call(store: &mut ember::Store<()>, inst: ember::Instance, name: &str, k: usize) -> Option<Outcome> {
    let f = inst.get_func(store, name)?;
    let ty = f.ty(store);
    let args: Vec<ember::Val> = ty.params.iter().map(|&t| ember_arg(t, k)).collect();
    let mut results: Vec<ember::Val> = ty.results.iter().map(|&t| ember::Val::default_of(t)).collect();
    store.set_fuel(Some(EMBER_FUEL));
    Some(match f.call(store, &args, &mut results) {
        Ok(()) => Outcome::Values(results.iter().map(from_ember_val).collect()),
        Err(t) => Outcome::Trap(TrapKind::of_ember(&t)),
    })
}

/// The whole Ember pipeline on raw bytes: load (decode + validate), translate every body,
/// instantiate with stub imports, call each exported function with each argument set. Errors
/// are fine; a panic, a sanitizer report or a hang is the bug being looked for.
pub fn ember_pipeline(bytes: &[u8]) {
    let Ok(module) = ember::Module::new(bytes) else { return };
    // Translation errors are reported as `Error::Invalid`; the lazy path below still runs.
    let _ = module.translate_all();
    let _ = module.footprint();
    let Ok((mut store, inst)) = ember_instantiate(&module) else { return };
    let funcs: Vec<Box<str>> = module
        .exports()
        .iter()
        .filter(|e| matches!(e.ty, ember::ExternType::Func(_)))
        .map(|e| e.name.clone())
        .collect();
    for k in 0..ARG_SETS {
        for name in &funcs {
            let _ = ember_call(&mut store, inst, name, k);
        }
    }
    // Read back what the calls left: memory, globals.
    for e in module.exports() {
        match e.ty {
            ember::ExternType::Memory(_) => {
                if let Some(m) = inst.get_memory(&store, &e.name) {
                    let _ = m.data(&store).iter().fold(0u8, |a, b| a ^ b);
                }
            }
            ember::ExternType::Global(_) => {
                if let Some(ember::Extern::Global(g)) = inst.get_export(&store, &e.name) {
                    let _ = g.get(&store);
                }
            }
            _ => {}
        }
    }
}

/// The wasm-smith configuration of the targets: WebAssembly 2.0 (what Ember implements)
/// without SIMD, with multi-memory (up to two memories), small modules, small memories and tables.
pub fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        tail_call_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        memory64_enabled: false,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        compact_imports_enabled: false,
        custom_descriptors_enabled: false,
        acquire_release_atomics_enabled: false,
        multibyte_array_access_enabled: false,
        // WebAssembly 2.0: multi-value, reference types (several tables), bulk memory,
        // sign extension, saturating conversions; and multi-memory (Ember's default features).
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        multi_value_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        max_memories: 2,
        max_tables: 4,
        max_memory32_bytes: 16 << 16,
        max_table_elements: 10_000,
        max_funcs: 30,
        max_instructions: 300,
        max_data_segments: 10,
        max_element_segments: 10,
        max_elements: 100,
        max_globals: 20,
        max_types: 30,
        ..wasm_smith::Config::default()
    }
}

/// A wasm-smith module from fuzz input `data`: [`smith_config`] adjusted by `adjust`, and half
/// of the modules with every trapping instruction guarded (so that calls run further), or None
/// when wasm-smith cannot build one.
fn smith_bytes(data: &[u8], adjust: impl FnOnce(&mut wasm_smith::Config)) -> Option<Vec<u8>> {
    let mut u = arbitrary::Unstructured::new(data);
    let mut cfg = smith_config();
    adjust(&mut cfg);
    cfg.disallow_traps = u.arbitrary().unwrap_or(false);
    wasm_smith::Module::new(cfg, &mut u).ok().map(|m| m.to_bytes())
}

/// The module the `smith_modules` target builds from its input `data`.
pub fn smith_module(data: &[u8]) -> Option<Vec<u8>> {
    smith_bytes(data, |_| {})
}

/// The module the `differential_wasmi` target builds from its input `data`: no imports, every
/// item exported, NaNs canonicalised, growth bounded by the module itself (so both engines agree
/// on memory.grow / table.grow). Also what `examples/smith_wasm.rs` writes out to replay a
/// finding.
pub fn differential_module(data: &[u8]) -> Option<Vec<u8>> {
    smith_bytes(data, |cfg| {
        cfg.max_imports = 0;
        cfg.min_funcs = 1;
        cfg.canonicalize_nans = true;
        cfg.export_everything = true;
        cfg.memory_max_size_required = true;
        cfg.table_max_size_required = true;
    })
}

// ---------------------------------------------------------------------------------------------
// wasmi 2.0 side of the differential target.

pub fn wasmi_engine() -> wasmi::Engine {
    let mut c = wasmi::Config::default();
    c.consume_fuel(true)
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_multi_memory(true)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false);
    // SIMD and memory64 are compiled out (features "simd" and "memory64" off).
    wasmi::Engine::new(&c)
}

pub fn wasmi_arg(ty: wasmi::ValType, k: usize) -> wasmi::Val {
    use ember::Val as E;
    let e = match ty {
        wasmi::ValType::I32 => ember_arg(ember::ValType::I32, k),
        wasmi::ValType::I64 => ember_arg(ember::ValType::I64, k),
        wasmi::ValType::F32 => ember_arg(ember::ValType::F32, k),
        wasmi::ValType::F64 => ember_arg(ember::ValType::F64, k),
        wasmi::ValType::FuncRef => return wasmi::Val::FuncRef(wasmi::Nullable::Null),
        wasmi::ValType::ExternRef => return wasmi::Val::ExternRef(wasmi::Nullable::Null),
        wasmi::ValType::V128 => return wasmi::Val::V128(wasmi::V128::from(0u128)),
    };
    match e {
        E::I32(x) => wasmi::Val::I32(x),
        E::I64(x) => wasmi::Val::I64(x),
        E::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
        E::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
        _ => unreachable!(),
    }
}

pub fn from_wasmi_val(v: &wasmi::Val) -> V {
    match v {
        wasmi::Val::I32(x) => V::I32(*x),
        wasmi::Val::I64(x) => V::I64(*x),
        wasmi::Val::F32(x) => V::F32(x.to_bits()),
        wasmi::Val::F64(x) => V::F64(x.to_bits()),
        wasmi::Val::V128(x) => V::V128(x.as_u128()),
        wasmi::Val::FuncRef(r) => V::Ref(!r.is_null()),
        wasmi::Val::ExternRef(r) => V::Ref(!r.is_null()),
    }
}

/// Everything one engine did with a module: instantiation, then each (export, argument set)
/// call in order until the first inconclusive one, then the exported globals and memories.
#[derive(Debug, PartialEq)]
pub struct Run {
    /// None: instantiation failed (validation is compared separately).
    pub calls: Option<Vec<(String, usize, Outcome)>>,
    /// A call hit a limit (fuel, stack): the state below is not comparable.
    pub inconclusive: bool,
    pub globals: Vec<(String, V)>,
    pub memories: Vec<(String, Vec<u8>)>,
    pub tables: Vec<(String, u32)>,
}

/// Run `module` (no imports) on Ember.
pub fn ember_run(bytes: &[u8]) -> Result<Run, String> {
    let module = ember::Module::new(bytes).map_err(|e| e.to_string())?;
    let mut run = Run { calls: None, inconclusive: false, globals: vec![], memories: vec![], tables: vec![] };
    let (mut store, inst) = match ember_instantiate(&module) {
        Ok(x) => x,
        Err(ember::Error::Trap(t)) => {
            // The start function ran out of fuel or stack: say so, so that it is not compared.
            run.inconclusive = TrapKind::of_ember(&t) == TrapKind::Limit;
            return Ok(run);
        }
        Err(_) => return Ok(run),
    };
    // Both engines call the exports in name order (their export lists are not in the same order).
    let mut names: Vec<(String, bool)> =
        module.exports().iter().map(|e| (e.name.to_string(), matches!(e.ty, ember::ExternType::Func(_)))).collect();
    names.sort();
    let mut calls = Vec::new();
    'all: for k in 0..ARG_SETS {
        for (name, is_func) in &names {
            if !is_func {
                continue;
            }
            let out = ember_call(&mut store, inst, name, k).expect("exported function");
            let limit = out == Outcome::Trap(TrapKind::Limit);
            calls.push((name.clone(), k, out));
            if limit {
                run.inconclusive = true;
                break 'all;
            }
        }
    }
    run.calls = Some(calls);
    if run.inconclusive {
        return Ok(run);
    }
    for (name, _) in &names {
        match inst.get_export(&store, name) {
            Some(ember::Extern::Global(g)) => run.globals.push((name.clone(), from_ember_val(&g.get(&store)))),
            Some(ember::Extern::Memory(m)) => run.memories.push((name.clone(), m.data(&store).to_vec())),
            Some(ember::Extern::Table(t)) => run.tables.push((name.clone(), t.size(&store))),
            _ => {}
        }
    }
    Ok(run)
}

/// How far [`wasmi_run`] needs to go: Ember's run on the same module ended at a limit (fuel,
/// stack), so only the calls before that one can be compared.
pub fn wasmi_plan(ember: &Result<Run, String>) -> Option<usize> {
    match ember {
        Ok(r) if r.inconclusive => Some(r.calls.as_ref().map_or(0, |c| c.len().saturating_sub(1))),
        _ => None,
    }
}

/// Run `module` (no imports) on wasmi 2.0, the same way as [`ember_run`]. `stop_before`: make
/// only that many calls and report the run as inconclusive (see [`wasmi_plan`]); Some(0) only
/// validates when Ember's instantiation ran out of fuel or stack.
pub fn wasmi_run(bytes: &[u8], stop_before: Option<usize>) -> Result<Run, String> {
    let engine = wasmi_engine();
    let module = wasmi::Module::new(&engine, bytes).map_err(|e| e.to_string())?;
    if stop_before == Some(0) {
        return Ok(Run { calls: None, inconclusive: true, globals: vec![], memories: vec![], tables: vec![] });
    }
    let mut store = wasmi::Store::new(&engine, ());
    let linker = wasmi::Linker::<()>::new(&engine);
    let mut run = Run { calls: None, inconclusive: false, globals: vec![], memories: vec![], tables: vec![] };
    store.set_fuel(WASMI_FUEL).expect("fuel is on");
    let inst = match linker.instantiate_and_start(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            // The start function ran out of fuel or stack: say so, so that it is not compared.
            run.inconclusive = TrapKind::of_wasmi(&e) == TrapKind::Limit;
            return Ok(run);
        }
    };
    let mut names: Vec<(String, bool)> =
        module.exports().map(|e| (e.name().to_string(), matches!(e.ty(), wasmi::ExternType::Func(_)))).collect();
    names.sort();
    let mut calls = Vec::new();
    'all: for k in 0..ARG_SETS {
        for (name, is_func) in &names {
            if !is_func {
                continue;
            }
            if stop_before.is_some_and(|n| calls.len() >= n) {
                run.inconclusive = true;
                break 'all;
            }
            let f = inst.get_func(&store, name).expect("exported function");
            let ty = f.ty(&store);
            let args: Vec<wasmi::Val> = ty.params().iter().map(|&t| wasmi_arg(t, k)).collect();
            let mut results: Vec<wasmi::Val> = ty.results().iter().map(|&t| wasmi::Val::default_for_ty(t)).collect();
            store.set_fuel(WASMI_FUEL).expect("fuel is on");
            let out = match f.call(&mut store, &args, &mut results) {
                Ok(()) => Outcome::Values(results.iter().map(from_wasmi_val).collect()),
                Err(e) => Outcome::Trap(TrapKind::of_wasmi(&e)),
            };
            let limit = out == Outcome::Trap(TrapKind::Limit);
            calls.push((name.clone(), k, out));
            if limit {
                run.inconclusive = true;
                break 'all;
            }
        }
    }
    run.calls = Some(calls);
    if run.inconclusive {
        return Ok(run);
    }
    for (name, _) in &names {
        match inst.get_export(&store, name) {
            Some(wasmi::Extern::Global(g)) => run.globals.push((name.clone(), from_wasmi_val(&g.get(&store)))),
            Some(wasmi::Extern::Memory(m)) => run.memories.push((name.clone(), m.data(&store).to_vec())),
            Some(wasmi::Extern::Table(t)) => run.tables.push((name.clone(), t.size(&store) as u32)),
            _ => {}
        }
    }
    Ok(run)
}

/// Where two runs first differ, in words (None: they agree, or one of them is inconclusive).
pub fn compare(ember: &Run, wasmi: &Run) -> Option<String> {
    let (Some(ec), Some(wc)) = (&ember.calls, &wasmi.calls) else {
        if ember.inconclusive || wasmi.inconclusive {
            return None;
        }
        if ember.calls.is_some() != wasmi.calls.is_some() {
            return Some(format!(
                "instantiation: ember {} / wasmi {}",
                if ember.calls.is_some() { "succeeded" } else { "failed" },
                if wasmi.calls.is_some() { "succeeded" } else { "failed" }
            ));
        }
        return None;
    };
    for (e, w) in ec.iter().zip(wc) {
        if e.2 == Outcome::Trap(TrapKind::Limit) || w.2 == Outcome::Trap(TrapKind::Limit) {
            return None;
        }
        if e != w {
            return Some(format!("call {}(args set {}): ember {:?} / wasmi {:?}", e.0, e.1, e.2, w.2));
        }
    }
    if ember.inconclusive || wasmi.inconclusive {
        return None;
    }
    if ec.len() != wc.len() {
        return Some(format!("{} calls on ember, {} on wasmi", ec.len(), wc.len()));
    }
    if ember.globals != wasmi.globals {
        return Some(format!("globals: ember {:?} / wasmi {:?}", ember.globals, wasmi.globals));
    }
    if ember.tables != wasmi.tables {
        return Some(format!("table sizes: ember {:?} / wasmi {:?}", ember.tables, wasmi.tables));
    }
    for ((n, a), (_, b)) in ember.memories.iter().zip(&wasmi.memories) {
        if a.len() != b.len() {
            return Some(format!("memory {n}: ember {} bytes / wasmi {} bytes", a.len(), b.len()));
        }
        if let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) {
            return Some(format!("memory {n} differs first at byte {i}: ember {:#04x} / wasmi {:#04x}", a[i], b[i]));
        }
    }
    if ember.memories.len() != wasmi.memories.len() {
        return Some("exported memories differ".into());
    }
    None
}

pub mod known_divergences;

#[cfg(test)]
mod tests {
    /// The committed module_bytes corpus through the pipeline without libFuzzer (`cargo test`
    /// on any toolchain): the seeds load, and no regression input panics.
    #[test]
    fn module_bytes_corpus_replays() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/module_bytes");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if path.extension().is_some_and(|x| x == "wasm") {
                assert!(ember_interp::Module::new(&bytes).is_ok(), "seed {} does not load", path.display());
            }
            crate::ember_pipeline(&bytes);
            n += 1;
        }
        assert!(n >= 5, "only {n} inputs in {}", dir.display());
    }
}
