//! Instantiation: import matching, entity creation, segment initialisation
//! (element segments, then data segments, in order, as WebAssembly 2.0
//! specifies), then the start function.

use crate::api::{Error, Extern, ExternType, Func, Instance, Module, Store, Trap};
use ember_loader::module::{ConstExpr, ElemItems, ElemMode};
use crate::store::{FuncEntity, FuncKind, GlobalEntity, InstanceData, MemoryEntity, Runtime, TableEntity, MAX_TABLE_ELEMS};

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
    let rt = &mut store.rt;
    let mut funcs = Vec::with_capacity(m.func_types.len());
    let mut tables = Vec::new();
    let mut memories = Vec::new();
    let mut globals = Vec::new();
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
    // Check the limits of the defined entities before creating anything.
    for mt in &m.memories {
        if mt.min > max_pages.min(65536) {
            return Err(Error::Limit(format!("memory of {} pages exceeds the limit of {max_pages}", mt.min).into()));
        }
    }
    for tt in &m.tables {
        if tt.min > MAX_TABLE_ELEMS {
            return Err(Error::Limit(format!("table of {} elements exceeds the limit", tt.min).into()));
        }
    }
    let inst_id = rt.instances.len() as u32;
    let type_ids: Box<[u32]> = m.types.iter().map(|t| rt.intern_type(t)).collect();
    for def in 0..m.bodies.len() as u32 {
        let type_id = type_ids[m.func_types[(def + m.num_imported_funcs) as usize] as usize];
        funcs.push(rt.funcs.len() as u32);
        rt.funcs.push(FuncEntity { type_id, kind: FuncKind::Wasm { inst: inst_id, def } });
    }
    for tt in &m.tables {
        tables.push(rt.tables.len() as u32);
        rt.tables.push(TableEntity { elems: vec![0; tt.min as usize], ty: tt.clone() });
    }
    for mt in &m.memories {
        let e = MemoryEntity::new(mt.clone(), max_pages)?;
        memories.push(rt.memories.len() as u32);
        rt.memories.push(e);
    }
    for (gt, init) in &m.globals {
        let bits = eval(rt, &funcs, &globals, *init);
        globals.push(rt.globals.len() as u32);
        rt.globals.push(GlobalEntity { ty: gt.clone(), bits });
    }
    let mut exports: Vec<(Box<str>, Extern)> = m
        .exports
        .iter()
        .zip(&m.export_items)
        .map(|(d, (kind, idx))| {
            let i = *idx as usize;
            let e = match kind {
                wasmparser::ExternalKind::Table => Extern::Table(crate::api::Table(tables[i])),
                wasmparser::ExternalKind::Memory => Extern::Memory(crate::api::Memory(memories[i])),
                wasmparser::ExternalKind::Global => Extern::Global(crate::api::Global(globals[i])),
                _ => Extern::Func(Func(funcs[i])),
            };
            (d.name.clone(), e)
        })
        .collect();
    // Sorted by name for binary search (export names are unique).
    exports.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let elems: Vec<Box<[u64]>> = m
        .elems
        .iter()
        .map(|seg| match &seg.items {
            ElemItems::Funcs(f) => f.iter().map(|&i| funcs[i as usize] as u64 + 1).collect(),
            ElemItems::Exprs(es) => es.iter().map(|&e| eval(rt, &funcs, &globals, e) as u64).collect(),
        })
        .collect();
    rt.instances.push(InstanceData {
        module: m.clone(),
        funcs: funcs.into(),
        tables: tables.into(),
        memories: memories.into(),
        globals: globals.into(),
        type_ids,
        exports: exports.into(),
        elems,
        datas_alive: vec![true; m.datas.len()],
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
            let data = &mut rt.memories[mi].data;
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
