//! The wasi-nn host functions of vmcore-rt (`wasi_ephemeral_nn` and legacy `wasi_nn`, as the
//! linker gets them from `vmcore_rt::nn::lookup`), called directly with fuzzed arguments and
//! fuzzed guest memory against the C fake backend of the tests (built by fuzz/build.rs,
//! registered once through `nn::register_backend_library`). Every call must return an error
//! code and never trap; dropping the store releases every graph and context.
#![no_main]

use std::path::Path;
use std::sync::{Once, OnceLock};

use arbitrary::Unstructured;
use ember_interp::{Caller, Config, Instance, Module, Store, Val};
use libfuzzer_sys::fuzz_target;

/// EMBER_FUZZ_TRACE=1: print every call and its result on stderr (to see what a corpus reaches).
fn trace() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("EMBER_FUZZ_TRACE").is_some_and(|v| v == "1"))
}
use vmcore_rt::nn::NnCtx;
use vmcore_rt::runtime::host::StoreData;

/// `(module (memory 1))`
const MODULE: &[u8] = &[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1];
const MEM: u32 = 65536;

const EPHEMERAL: [&str; 12] = [
    "load", "load_by_name", "load_by_name_with_config", "init_execution_context", "set_input", "compute",
    "get_output", "unload", "finalize_execution_context", "compute_single", "get_output_single", "fini_single",
];
const LEGACY: [&str; 9] = [
    "load", "load_by_name", "load_by_name_with_config", "init_execution_context", "set_input", "compute",
    "get_output", "unload", "finalize_execution_context",
];

const MODEL: &[u8] = b"EMBER-FAKE-MODEL:sum";
/// Guest memory layout (before the fuzzed patches): the model, builder lists for both ABIs,
/// dims, fp32 data, a tensor for each ABI, an output buffer and result slots.
const AT_MODEL: u32 = 0x100;
const AT_BUILDERS: u32 = 0x140; // [{ptr, len}]
const AT_LEGACY_BUILDERS: u32 = 0x150; // {builders_ptr, count}
const AT_DIMS: u32 = 0x200; // [1, 4]
const AT_DATA: u32 = 0x210; // 4 x f32
const AT_TENSOR: u32 = 0x240; // ephemeral: dims_ptr, dims_len, type, data_ptr, data_len
const AT_LEGACY_TENSOR: u32 = 0x260; // legacy: dims_struct_ptr, type, data_ptr
const AT_LEGACY_DIMS: u32 = 0x280; // {ptr, len}
const AT_OUT: u32 = 0x300;
const AT_SLOT: u32 = 0x340;
const AT_NAME: u32 = 0x380; // "model"

const POOL: [u32; 24] = [
    0, 1, 2, 3, 4, 6, 20, 64, AT_MODEL, AT_BUILDERS, AT_LEGACY_BUILDERS, AT_DIMS, AT_DATA, AT_TENSOR,
    AT_LEGACY_TENSOR, AT_LEGACY_DIMS, AT_OUT, AT_SLOT, AT_SLOT + 4, AT_NAME, 5, MEM - 4, MEM, 0xffff_fff0,
];

fn words(store: &mut Store<StoreData>, inst: Instance, at: u32, w: &[u32]) {
    let b: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
    inst.memory(store).unwrap().write(store, u64::from(at), &b).unwrap();
}

fn plant(store: &mut Store<StoreData>, inst: Instance) {
    let mem = inst.memory(store).unwrap();
    mem.write(store, u64::from(AT_MODEL), MODEL).unwrap();
    mem.write(store, u64::from(AT_NAME), b"model").unwrap();
    words(store, inst, AT_BUILDERS, &[AT_MODEL, MODEL.len() as u32]);
    words(store, inst, AT_LEGACY_BUILDERS, &[AT_BUILDERS, 1]);
    words(store, inst, AT_DIMS, &[1, 4]);
    let data: Vec<u32> = [1.0f32, 2.0, 3.5, -4.0].iter().map(|f| f.to_bits()).collect();
    words(store, inst, AT_DATA, &data);
    words(store, inst, AT_TENSOR, &[AT_DIMS, 2, 1, AT_DATA, 16]);
    words(store, inst, AT_LEGACY_DIMS, &[AT_DIMS, 2]);
    words(store, inst, AT_LEGACY_TENSOR, &[AT_LEGACY_DIMS, 1, AT_DATA]);
    words(store, inst, AT_SLOT, &[0, 0, 16, 0]);
}

/// The well-formed arguments of `module.name` for graph `g` and context `c`.
fn template(module: &str, name: &str, g: u32, c: u32) -> Vec<u32> {
    let legacy = module == "wasi_nn";
    match name {
        "load" if legacy => vec![AT_LEGACY_BUILDERS, 3, 0, AT_SLOT],
        "load" => vec![AT_BUILDERS, 1, 3, 0, AT_SLOT],
        "load_by_name" => vec![AT_NAME, 5, AT_SLOT],
        "load_by_name_with_config" => vec![AT_NAME, 5, AT_MODEL, 4, AT_SLOT],
        "init_execution_context" => vec![g, AT_SLOT + 4],
        "set_input" if legacy => vec![c, 0, AT_LEGACY_TENSOR],
        "set_input" => vec![c, 0, AT_TENSOR],
        // Legacy: *inout = capacity in fp32 elements (planted: 16).
        "get_output" if legacy => vec![c, 0, AT_OUT, AT_SLOT + 8],
        "get_output" | "get_output_single" => vec![c, 0, AT_OUT, 64, AT_SLOT + 12],
        "unload" => vec![g],
        _ => vec![c],
    }
}

fn some_u32(u: &mut Unstructured<'_>) -> arbitrary::Result<u32> {
    Ok(match u.int_in_range(0..=7)? {
        0 => u.int_in_range(0..=8)?,
        1..=6 => *u.choose(&POOL)?,
        _ => u.arbitrary()?,
    })
}

fn run(u: &mut Unstructured<'_>, store: &mut Store<StoreData>, inst: Instance) -> arbitrary::Result<()> {
    plant(store, inst);
    let mem = inst.memory(store).unwrap();
    for _ in 0..u.int_in_range(0..=6)? {
        let at = u.int_in_range(0..=0x400u32)?;
        let len = u.int_in_range(0..=24usize)?;
        let bytes = u.bytes(len)?;
        let _ = mem.write(store, u64::from(at), bytes);
    }
    for _ in 0..u.int_in_range(1..=16)? {
        let (module, name) = if u.ratio(2, 3)? {
            ("wasi_ephemeral_nn", *u.choose(&EPHEMERAL)?)
        } else {
            ("wasi_nn", *u.choose(&LEGACY)?)
        };
        let def = vmcore_rt::nn::lookup(module, name).expect("a wasi-nn function");
        let args: Vec<u32> = if u.ratio(3, 4)? {
            // The well-formed call (graph and context handles are small numbers), sometimes
            // with one argument replaced.
            // Usually the handles the last load / init_execution_context wrote.
            let mut last = [0u8; 8];
            mem.read(store, u64::from(AT_SLOT), &mut last).unwrap();
            let (lg, lc) = (u32::from_le_bytes(last[..4].try_into().unwrap()), u32::from_le_bytes(last[4..].try_into().unwrap()));
            let g = if u.ratio(2, 3)? { lg } else { u.int_in_range(0..=3)? };
            let c = if u.ratio(2, 3)? { lc } else { u.int_in_range(0..=3)? };
            let mut a = template(module, name, g, c);
            if u.ratio(1, 4)? {
                let k = u.choose_index(a.len())?;
                a[k] = some_u32(u)?;
            }
            a
        } else {
            (0..def.params.len()).map(|_| some_u32(u)).collect::<arbitrary::Result<_>>()?
        };
        assert_eq!(args.len(), def.params.len(), "{module}.{name}: template arity");
        let args: Vec<Val> = args.into_iter().map(|v| Val::I32(v as i32)).collect();
        let mut results = [Val::I32(-1)];
        let mut caller = Caller { store: &mut *store, instance: Some(inst) };
        if let Err(t) = (def.func)(&mut caller, &args, &mut results) {
            panic!("{module}.{name}{args:?} trapped: {t}");
        }
        if trace() {
            eprintln!("{module}.{name}{args:?} -> {:?}", results[0]);
        }
        // The ABI's error codes: success 0 .. not_found 8, the llm codes 100 ..= 103.
        assert!(matches!(results[0], Val::I32(0..=8 | 100..=103)), "{module}.{name}{args:?} returned {:?}", results[0]);
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        vmcore_rt::nn::register_backend_library(Path::new(env!("EMBER_FUZZ_FAKE_BACKEND")))
            .expect("the fake backend registers");
    });
    let module = Module::new(MODULE).unwrap();
    // What instantiation gives an instance importing wasi-nn (`nn::Nn::prepare`).
    let mut store_data = StoreData::default();
    store_data.slots.insert(NnCtx::default());
    let mut store = Store::new(Config::default(), store_data);
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let _ = run(&mut Unstructured::new(data), &mut store, inst);
    // Dropping the store releases the instance's graphs and contexts (the fake backend reports
    // leaks and double releases on stderr when it is destroyed).
    drop(store);
});
