//! Runtime entities owned by a store (the non-generic part of `Store<T>`).
//!
//! Values live in 8-byte cells (`u64`): i32/f32 in the low half, i64/f64 in the
//! whole cell, references as `index + 1` (0 = null). v128 will take two cells.

use std::collections::HashMap;
use std::sync::Arc;

use crate::api::{Error, Func, FuncType, GlobalType, MemoryType, TableType, Trap, Val, ValType};
use ember_loader::module::ModuleInner;

pub(crate) const PAGE_SIZE: usize = 65536;

pub(crate) enum FuncKind {
    /// A function defined by a module: (instance, defined-function index).
    Wasm { inst: u32, def: u32 },
    /// A host function: index into `Store::hosts`.
    Host(u32),
}

pub(crate) struct FuncEntity {
    pub type_id: u32,
    pub kind: FuncKind,
}

/// A zero-filled buffer from the global allocator's `alloc_zeroed` (fresh
/// pages from the OS stay untouched until used, so a large memory costs no
/// RSS up front). None when the allocation fails.
fn zeroed_bytes(len: usize) -> Option<Vec<u8>> {
    if len == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u8>(len).ok()?;
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` was allocated by the global allocator with exactly this
    // layout (u8 array of `len`), and all `len` bytes are initialised (zero).
    Some(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

pub(crate) struct MemoryEntity {
    pub data: Vec<u8>,
    pub ty: MemoryType,
}

impl MemoryEntity {
    pub(crate) fn new(ty: MemoryType, max_pages: u32) -> Result<MemoryEntity, Error> {
        if ty.min > max_pages.min(65536) {
            return Err(Error::Limit(format!("memory of {} pages exceeds the limit of {max_pages}", ty.min).into()));
        }
        let bytes = usize::try_from(ty.min as u64 * PAGE_SIZE as u64)
            .map_err(|_| Error::Limit(format!("memory of {} pages does not fit the address space", ty.min).into()))?;
        let data = zeroed_bytes(bytes)
            .ok_or_else(|| Error::Limit(format!("cannot allocate {bytes} bytes of linear memory").into()))?;
        Ok(MemoryEntity { data, ty })
    }

    pub(crate) fn pages(&self) -> u32 {
        (self.data.len() / PAGE_SIZE) as u32
    }

    /// Grow by `delta` pages; returns the old size or None (the wasm -1).
    pub(crate) fn grow(&mut self, delta: u32, max_pages: u32) -> Option<u32> {
        let old = self.pages();
        let new = old as u64 + delta as u64;
        let max = self.ty.max.unwrap_or(65536).min(65536).min(max_pages) as u64;
        if new > max {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let new_bytes = match usize::try_from(new * PAGE_SIZE as u64) {
            Ok(b) => b,
            Err(_) => return None,
        };
        let mut data = zeroed_bytes(new_bytes)?;
        data[..self.data.len()].copy_from_slice(&self.data);
        self.data = data;
        Some(old)
    }
}

pub(crate) struct TableEntity {
    pub elems: Vec<u64>,
    pub ty: TableType,
}

/// Tables never grow beyond this many elements (10 M), whatever their type says.
pub(crate) const MAX_TABLE_ELEMS: u32 = 10_000_000;

impl TableEntity {
    pub(crate) fn grow(&mut self, delta: u32, init: u64) -> Option<u32> {
        let old = self.elems.len() as u32;
        let new = old as u64 + delta as u64;
        let max = self.ty.max.unwrap_or(u32::MAX).min(MAX_TABLE_ELEMS) as u64;
        if new > max {
            return None;
        }
        if self.elems.try_reserve_exact(delta as usize).is_err() {
            return None;
        }
        self.elems.resize(new as usize, init);
        Some(old)
    }
}

pub(crate) struct GlobalEntity {
    pub ty: GlobalType,
    /// Cell bits (v128 will use all 128).
    pub bits: u128,
}

pub(crate) struct InstanceData {
    pub module: Arc<ModuleInner>,
    pub funcs: Box<[u32]>,
    pub tables: Box<[u32]>,
    pub memories: Box<[u32]>,
    pub globals: Box<[u32]>,
    /// Store type id of each module type index.
    pub type_ids: Box<[u32]>,
    /// Exports sorted by name.
    pub exports: Box<[(Box<str>, crate::api::Extern)]>,
    /// Element segments (resolved cells); emptied by elem.drop.
    pub elems: Vec<Box<[u64]>>,
    /// Data segments still alive (false after data.drop / active init).
    pub datas_alive: Vec<bool>,
}

#[derive(Default)]
pub(crate) struct Runtime {
    pub funcs: Vec<FuncEntity>,
    pub memories: Vec<MemoryEntity>,
    pub tables: Vec<TableEntity>,
    pub globals: Vec<GlobalEntity>,
    pub instances: Vec<InstanceData>,
    pub types: Vec<FuncType>,
    pub type_map: HashMap<FuncType, u32>,
    /// The value stack shared by all activations (nested host->wasm calls use
    /// the region above `stack_top`).
    pub stack: Vec<u64>,
    pub stack_top: usize,
    /// Wasm frames currently active (all nested executors together).
    pub depth: u32,
    /// Executors currently running (host -> wasm re-entrance nests them).
    pub nesting: u32,
    pub fuel: Option<u64>,
    /// A spare frame stack, reused by the outermost executor.
    pub frame_pool: Vec<crate::exec::Frame>,
}

impl Runtime {
    pub(crate) fn intern_type(&mut self, ty: &FuncType) -> u32 {
        if let Some(&id) = self.type_map.get(ty) {
            return id;
        }
        let id = self.types.len() as u32;
        self.types.push(ty.clone());
        self.type_map.insert(ty.clone(), id);
        id
    }

    pub(crate) fn func_type(&self, f: u32) -> &FuncType {
        &self.types[self.funcs[f as usize].type_id as usize]
    }
}

/// Encode a value into a cell.
pub(crate) fn val_to_cell(v: &Val) -> u64 {
    match *v {
        Val::I32(x) => x as u32 as u64,
        Val::I64(x) => x as u64,
        Val::F32(x) => x as u64,
        Val::F64(x) => x,
        Val::V128(x) => x as u64,
        Val::FuncRef(f) => f.map(|f| f.0 as u64 + 1).unwrap_or(0),
        Val::ExternRef(e) => e.map(|e| e as u64 + 1).unwrap_or(0),
    }
}

/// Decode a cell of the given type.
pub(crate) fn cell_to_val(c: u64, ty: ValType) -> Val {
    match ty {
        ValType::I32 => Val::I32(c as u32 as i32),
        ValType::I64 => Val::I64(c as i64),
        ValType::F32 => Val::F32(c as u32),
        ValType::F64 => Val::F64(c),
        ValType::V128 => Val::V128(c as u128),
        ValType::FuncRef => Val::FuncRef(if c == 0 { None } else { Some(Func((c - 1) as u32)) }),
        ValType::ExternRef => Val::ExternRef(if c == 0 { None } else { Some((c - 1) as u32) }),
    }
}

pub(crate) fn check_val(v: &Val, ty: ValType) -> Result<(), Trap> {
    if v.ty() == ty {
        Ok(())
    } else {
        Err(Trap::Host(format!("type mismatch: expected {ty:?}, got {:?}", v.ty()).into()))
    }
}
