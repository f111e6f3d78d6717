//! The `spectest` host module that the suite imports from: print functions,
//! four immutable globals, a funcref table (10..20) and a memory (1..2 pages).

use std::collections::HashMap;

use ember_interp::{
    Error, Extern, Func, FuncType, Global, GlobalType, Memory, MemoryType, Store, Table, TableType, Val,
    ValType,
};

/// Creates the spectest entities in `store`; returns them by export name.
pub fn create<T>(store: &mut Store<T>) -> Result<HashMap<&'static str, Extern>, Error> {
    use ValType::*;
    let mut m = HashMap::new();
    let prints: [(&'static str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let f = Func::new_host(store, FuncType::new(params.to_vec(), Vec::new()), move |_caller, args, _results| {
            log::debug!("spectest.{name}{args:?}");
            Ok(())
        });
        m.insert(name, Extern::Func(f));
    }
    let globals = [
        ("global_i32", I32, Val::I32(666)),
        ("global_i64", I64, Val::I64(666)),
        ("global_f32", F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, val) in globals {
        let g = Global::new(store, GlobalType { content: ty, mutable: false }, val)?;
        m.insert(name, Extern::Global(g));
    }
    let table = Table::new(store, TableType { elem: FuncRef, min: 10, max: Some(20) }, Val::FuncRef(None))?;
    m.insert("table", Extern::Table(table));
    let memory = Memory::new(store, MemoryType { min: 1, max: Some(2) })?;
    m.insert("memory", Extern::Memory(memory));
    Ok(m)
}
