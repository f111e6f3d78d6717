//! Instantiation: import matching, entity creation, segment initialisation
//! (element segments, then data segments, in order, as WebAssembly 2.0
//! specifies), then the start function.

use crate::api::{Error, Extern, ExternType, Footprint, Func, HostMemory, Instance, Module, Store, Trap};
use ember_loader::module::{ConstExpr, ElemItems, ElemMode, ModuleInner};
use crate::store::{
    room_for, FuncEntity, FuncKind, GlobalEntity, InstanceData, MemoryEntity, Runtime, TableEntity, MAX_TABLE_ELEMS,
    PAGE_SIZE,
};

/// What instantiating `m` allocates up front for its defined entities (see [`Footprint`]).
pub(crate) fn footprint(m: &ModuleInner) -> Footprint {
    use std::mem::size_of;
    let memory = m.memories.iter().map(|t| t.min as u64 * PAGE_SIZE as u64).sum();
    let tables = m.tables.iter().map(|t| t.min as u64 * 8).sum();
    let n = |x: usize| x as u64;
    let elems: u64 = m.elems.iter().map(|e| n(e.items.len()) * 8 + n(size_of::<Box<[u64]>>())).sum();
    let exports: u64 = m.exports.iter().map(|e| n(e.name.len()) + n(size_of::<(Box<str>, Extern)>())).sum();
    let types: u64 = m.types.iter().map(|t| 4 + 2 * n(size_of::<crate::api::FuncType>() + t.params.len() + t.results.len()) + 32).sum();
    let other = elems
        + exports
        + types
        + n(m.globals.len()) * n(size_of::<GlobalEntity>() + 4)
        + n(m.bodies.len()) * n(size_of::<FuncEntity>())
        + n(m.func_types.len()) * 4
        + n(m.datas.len())
        + n(size_of::<InstanceData>());
    Footprint { memory, tables, other }
}

fn out_of_memory(what: &str) -> Error {
    Error::Limit(format!("not enough memory for {what}").into())
}

/// An empty vector with room for `n` elements, allocated fallibly.
fn try_vec<T>(n: usize, what: &str) -> Result<Vec<T>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| out_of_memory(what))?;
    Ok(v)
}

/// Room for `n` more elements in `v`, allocated fallibly.
fn try_room<T>(v: &mut Vec<T>, n: usize, what: &str) -> Result<(), Error> {
    v.try_reserve(n).map_err(|_| out_of_memory(what))
}

fn unlinkable(msg: String) -> Error {
    Error::Unlinkable(msg.into())
}

fn limits_match(actual_min: u64, actual_max: Option<u32>, min: u32, max: Option<u32>) -> bool {
    if actual_min < min as u64 {
        return false;
    }
    match max {
        None => true,
        Some(m) => matches!(actual_max, Some(a) if a <= m),
    }
}

fn eval(rt: &Runtime, funcs: &[u32], globals: &[u32], e: ConstExpr) -> u128 {
    match e {
        ConstExpr::Bits(b) => b as u128,
        ConstExpr::V128([lo, hi]) => lo as u128 | (hi as u128) << 64,
        ConstExpr::RefFunc(i) => funcs[i as usize] as u128 + 1,
        ConstExpr::GlobalGet(i) => rt.globals[globals[i as usize] as usize].bits,
    }
}

pub(crate) fn instantiate<T>(store: &mut Store<T>, module: &Module, imports: &[Extern]) -> Result<Instance, Error> {
    let m = &module.inner;
    if imports.len() != m.imports.len() {
        return Err(unlinkable(format!("expected {} imports, got {}", m.imports.len(), imports.len())));
    }
    let max_pages = store.config().max_memory_pages;
    let host: Option<HostMemory> = store.config().host_memory;
    // Everything a module can make instantiation allocate is checked before anything is
    // created: first the limits, then (with a HostMemory) the room for all of it.
    for mt in &m.memories {
        if mt.min > max_pages.min(65536) {
            return Err(Error::Limit(format!("memory of {} pages exceeds the limit of {max_pages}", mt.min).into()));
        }
    }
    for tt in &m.tables {
        if tt.min > MAX_TABLE_ELEMS {
            return Err(Error::Limit(format!("table of {} elements exceeds the limit of {MAX_TABLE_ELEMS}", tt.min).into()));
        }
    }
    let fp = footprint(m);
    if !room_for(host, usize::try_from(fp.tables + fp.other).unwrap_or(usize::MAX)) {
        return Err(Error::Limit(
            format!(
                "not enough memory to instantiate: tables need {} bytes, segments, globals and functions {} bytes",
                fp.tables, fp.other
            )
            .into(),
        ));
    }
    let rt = &mut store.rt;
    let mut funcs = try_vec(m.func_types.len(), "the function table")?;
    let mut tables = try_vec(m.num_imported_tables as usize + m.tables.len(), "tables")?;
    let mut memories = try_vec(m.num_imported_memories as usize + m.memories.len(), "memories")?;
    let mut globals = try_vec(m.num_imported_globals as usize + m.globals.len(), "globals")?;
    for (desc, ext) in m.imports.iter().zip(imports) {
        let what = || format!("{}::{}", desc.module, desc.name);
        match (&desc.ty, ext) {
            (ExternType::Func(ft), Extern::Func(f)) => {
                if f.0 as usize >= rt.funcs.len() || rt.func_type(f.0) != ft {
                    return Err(unlinkable(format!("incompatible import type for {}", what())));
                }
                funcs.push(f.0);
            }
            (ExternType::Table(tt), Extern::Table(t)) => {
                let ok = match rt.tables.get(t.0 as usize) {
                    Some(e) => e.ty.elem == tt.elem && limits_match(e.elems.len() as u64, e.ty.max, tt.min, tt.max),
                    None => false,
                };
                if !ok {
                    return Err(unlinkable(format!("incompatible import type for {}", what())));
                }
                tables.push(t.0);
            }
            (ExternType::Memory(mt), Extern::Memory(mem)) => {
                let ok = match rt.memories.get(mem.0 as usize) {
                    Some(e) => limits_match(e.pages() as u64, e.ty.max, mt.min, mt.max),
                    None => false,
                };
                if !ok {
                    return Err(unlinkable(format!("incompatible import type for {}", what())));
                }
                memories.push(mem.0);
            }
            (ExternType::Global(gt), Extern::Global(g)) => {
                let ok = matches!(rt.globals.get(g.0 as usize), Some(e) if e.ty == *gt);
                if !ok {
                    return Err(unlinkable(format!("incompatible import type for {}", what())));
                }
                globals.push(g.0);
            }
            _ => return Err(unlinkable(format!("incompatible import type for {}", what()))),
        }
    }
    let inst_id = rt.instances.len() as u32;
    let mut type_ids = try_vec(m.types.len(), "types")?;
    try_room(&mut rt.types, m.types.len(), "types")?;
    type_ids.extend(m.types.iter().map(|t| rt.intern_type(t)));
    let type_ids: Box<[u32]> = type_ids.into();
    try_room(&mut rt.funcs, m.bodies.len(), "functions")?;
    for def in 0..m.bodies.len() as u32 {
        let type_id = type_ids[m.func_types[(def + m.num_imported_funcs) as usize] as usize];
        funcs.push(rt.funcs.len() as u32);
        rt.funcs.push(FuncEntity { type_id, kind: FuncKind::Wasm { inst: inst_id, def } });
    }
    try_room(&mut rt.tables, m.tables.len(), "tables")?;
    for tt in &m.tables {
        let t = TableEntity::new(tt.clone(), 0, host)?;
        tables.push(rt.tables.len() as u32);
        rt.tables.push(t);
    }
    try_room(&mut rt.memories, m.memories.len(), "memories")?;
    for mt in &m.memories {
        let e = MemoryEntity::new(mt.clone(), max_pages, host)?;
        memories.push(rt.memories.len() as u32);
        rt.memories.push(e);
    }
    try_room(&mut rt.globals, m.globals.len(), "globals")?;
    for (gt, init) in &m.globals {
        let bits = eval(rt, &funcs, &globals, *init);
        globals.push(rt.globals.len() as u32);
        rt.globals.push(GlobalEntity { ty: gt.clone(), bits });
    }
    let mut exports: Vec<(Box<str>, Extern)> = try_vec(m.exports.len(), "exports")?;
    for (d, (kind, idx)) in m.exports.iter().zip(&m.export_items) {
        let i = *idx as usize;
        let e = match kind {
            wasmparser::ExternalKind::Table => Extern::Table(crate::api::Table(tables[i])),
            wasmparser::ExternalKind::Memory => Extern::Memory(crate::api::Memory(memories[i])),
            wasmparser::ExternalKind::Global => Extern::Global(crate::api::Global(globals[i])),
            _ => Extern::Func(Func(funcs[i])),
        };
        exports.push((d.name.clone(), e));
    }
    // Sorted by name for binary search (export names are unique).
    exports.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut elems: Vec<Box<[u64]>> = try_vec(m.elems.len(), "element segments")?;
    for seg in &m.elems {
        let mut cells = try_vec(seg.items.len(), "element segments")?;
        match &seg.items {
            ElemItems::Funcs(f) => cells.extend(f.iter().map(|&i| funcs[i as usize] as u64 + 1)),
            ElemItems::Exprs(es) => cells.extend(es.iter().map(|&e| eval(rt, &funcs, &globals, e) as u64)),
        }
        elems.push(cells.into_boxed_slice());
    }
    let mut datas_alive = try_vec(m.datas.len(), "data segments")?;
    datas_alive.resize(m.datas.len(), true);
    try_room(&mut rt.instances, 1, "the instance")?;
    rt.instances.push(InstanceData {
        module: m.clone(),
        funcs: funcs.into(),
        tables: tables.into(),
        memories: memories.into(),
        globals: globals.into(),
        type_ids,
        exports: exports.into(),
        elems,
        datas_alive,
    });
    // Active and declared element segments, in order; then data segments.
    for (k, seg) in m.elems.iter().enumerate() {
        match &seg.mode {
            ElemMode::Passive => {}
            ElemMode::Declared => rt.instances[inst_id as usize].elems[k] = Box::new([]),
            ElemMode::Active { table, offset } => {
                let inst = &rt.instances[inst_id as usize];
                let off = eval(rt, &inst.funcs, &inst.globals, *offset) as u32 as u64;
                let t = inst.tables[*table as usize] as usize;
                let items = std::mem::take(&mut rt.instances[inst_id as usize].elems[k]);
                let table = &mut rt.tables[t].elems;
                if off + items.len() as u64 > table.len() as u64 {
                    return Err(Error::Trap(Trap::TableOutOfBounds));
                }
                table[off as usize..off as usize + items.len()].copy_from_slice(&items);
                debug_assert_eq!(items.len(), seg.items.len());
            }
        }
    }
    for (k, seg) in m.datas.iter().enumerate() {
        if let Some((mem, offset)) = seg.active {
            let inst = &rt.instances[inst_id as usize];
            let off = eval(rt, &inst.funcs, &inst.globals, offset) as u32 as u64;
            let mi = inst.memories[mem as usize] as usize;
            rt.instances[inst_id as usize].datas_alive[k] = false;
            let data = rt.memories[mi].data_mut();
            let len = seg.bytes.len();
            if off + len as u64 > data.len() as u64 {
                return Err(Error::Trap(Trap::MemoryOutOfBounds));
            }
            data[off as usize..off as usize + len].copy_from_slice(&m.bytes[seg.bytes.clone()]);
        }
    }
    let instance = Instance(inst_id);
    if let Some(start) = m.start {
        let f = Func(rt.instances[inst_id as usize].funcs[start as usize]);
        f.call(store, &[], &mut [])?;
    }
    Ok(instance)
}
