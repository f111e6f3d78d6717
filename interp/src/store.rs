//! Runtime entities owned by a store (the non-generic part of `Store<T>`).
//!
//! Values live in 8-byte cells (`u64`): i32/f32 in the low half, i64/f64 in the
//! whole cell, references as `index + 1` (0 = null). v128 will take two cells.

use std::collections::HashMap;
use std::sync::Arc;

use std::ptr::NonNull;

use crate::api::{Error, Func, FuncType, GlobalType, HostMemory, MemoryType, TableType, Trap, Val, ValType};
use ember_platform::vmem::VMem;
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

/// Where a linear memory's bytes live.
enum Bytes {
    /// Reserved address space committed as it grows (system memory mode, the default): no
    /// copy on grow, zeroed pages from the kernel, untouched pages cost no RSS.
    Reserved(VMem),
    /// A block of the embedder's allocator ([`HostMemory`]: pool or user-allocator mode).
    /// `ptr` is dangling while `len` is 0 (nothing allocated).
    Host { ptr: NonNull<u8>, len: usize, host: HostMemory },
}

pub(crate) struct MemoryEntity {
    bytes: Bytes,
    pub ty: MemoryType,
}

fn pages_to_bytes(pages: u32) -> Option<usize> {
    usize::try_from(pages as u64 * PAGE_SIZE as u64).ok()
}

impl MemoryEntity {
    /// A memory of `ty.min` pages, at most `max_pages` (the store's limit); from `host` when
    /// given, else reserved up to its maximum (see `ember_platform::vmem`).
    pub(crate) fn new(ty: MemoryType, max_pages: u32, host: Option<HostMemory>) -> Result<MemoryEntity, Error> {
        let limit = max_pages.min(65536);
        if ty.min > limit {
            return Err(Error::Limit(format!("memory of {} pages exceeds the limit of {max_pages}", ty.min).into()));
        }
        let too_big = || Error::Limit(format!("memory of {} pages does not fit the address space", ty.min).into());
        let bytes = pages_to_bytes(ty.min).ok_or_else(too_big)?;
        let bytes = match host {
            Some(host) => {
                let ptr = if bytes == 0 {
                    NonNull::dangling()
                } else {
                    (host.alloc_zeroed)(bytes).ok_or_else(|| {
                        Error::Limit(format!("cannot allocate {bytes} bytes of linear memory (memory pool too small?)").into())
                    })?
                };
                Bytes::Host { ptr, len: bytes, host }
            }
            None => {
                // Reserve up to the maximum this memory can ever reach in this store (64-bit
                // targets; 32-bit ones reserve `bytes` and remap on growth).
                let max = ty.max.unwrap_or(65536).min(limit).max(ty.min);
                let max_bytes = pages_to_bytes(max).unwrap_or(usize::MAX);
                let v = VMem::new(bytes, max_bytes)
                    .map_err(|e| Error::Limit(format!("cannot map {bytes} bytes of linear memory: {e}").into()))?;
                Bytes::Reserved(v)
            }
        };
        Ok(MemoryEntity { bytes, ty })
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> usize {
        match &self.bytes {
            Bytes::Reserved(v) => v.len(),
            Bytes::Host { len, .. } => *len,
        }
    }

    /// Base pointer (valid for `len()` bytes until the next grow).
    pub(crate) fn as_mut_ptr(&mut self) -> *mut u8 {
        match &mut self.bytes {
            Bytes::Reserved(v) => v.as_ptr(),
            Bytes::Host { ptr, .. } => ptr.as_ptr(),
        }
    }

    pub(crate) fn data(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Reserved(v) => v.as_slice(),
            // SAFETY: `ptr` holds `len` initialised bytes owned by this memory (or is dangling
            // with `len` 0); the borrow of `self` keeps them alive and unmoved.
            Bytes::Host { ptr, len, .. } => unsafe { std::slice::from_raw_parts(ptr.as_ptr(), *len) },
        }
    }

    pub(crate) fn data_mut(&mut self) -> &mut [u8] {
        match &mut self.bytes {
            Bytes::Reserved(v) => v.as_mut_slice(),
            // SAFETY: as in `data`, uniquely borrowed through `&mut self`.
            Bytes::Host { ptr, len, .. } => unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr(), *len) },
        }
    }

    pub(crate) fn pages(&self) -> u32 {
        (self.len() / PAGE_SIZE) as u32
    }

    /// Grow by `delta` pages; returns the old size or None (the wasm -1). The new pages are
    /// zero; the base pointer may change (re-derive cached pointers).
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
        let new_bytes = pages_to_bytes(new as u32)?;
        match &mut self.bytes {
            Bytes::Reserved(v) => {
                if let Err(e) = v.grow(new_bytes) {
                    log::debug!("memory.grow to {new} pages failed: {e}");
                    return None;
                }
            }
            Bytes::Host { ptr, len, host } => {
                let p = if *len == 0 {
                    (host.alloc_zeroed)(new_bytes)?
                } else {
                    // SAFETY: `ptr` is the live block of `len` bytes from this `host`.
                    unsafe { (host.grow_zeroed)(*ptr, *len, new_bytes)? }
                };
                *ptr = p;
                *len = new_bytes;
            }
        }
        Some(old)
    }
}

impl Drop for MemoryEntity {
    fn drop(&mut self) {
        if let Bytes::Host { ptr, len, host } = &self.bytes {
            if *len > 0 {
                // SAFETY: the live block of `len` bytes this memory got from `host`, freed once.
                unsafe { (host.free)(*ptr, *len) };
            }
        }
    }
}

pub(crate) struct TableEntity {
    pub elems: Vec<u64>,
    pub ty: TableType,
}

/// Tables never grow beyond this many elements (10 M), whatever their type says.
pub(crate) const MAX_TABLE_ELEMS: u32 = 10_000_000;

impl TableEntity {
    /// A table of `ty.min` elements set to `init`, allocated fallibly after asking `host`.
    pub(crate) fn new(ty: TableType, init: u64, host: Option<HostMemory>) -> Result<TableEntity, Error> {
        if ty.min > MAX_TABLE_ELEMS {
            return Err(Error::Limit(format!("table of {} elements exceeds the limit of {MAX_TABLE_ELEMS}", ty.min).into()));
        }
        let n = ty.min as usize;
        let mut elems = Vec::new();
        if !room_for(host, n.saturating_mul(8)) || elems.try_reserve_exact(n).is_err() {
            return Err(Error::Limit(
                format!("not enough memory for a table of {n} elements ({} bytes)", n as u64 * 8).into(),
            ));
        }
        elems.resize(n, init);
        Ok(TableEntity { elems, ty })
    }

    /// Grow by `delta` elements set to `init`; returns the old size or None (the wasm -1).
    /// Capacity grows geometrically (at least doubling, up to the table's maximum), so a guest
    /// growing one element at a time does not reallocate, and copy, at every step: that made
    /// `table.grow 1` in a loop quadratic (fuzzing, smith_modules). Each step up in capacity is
    /// asked of `host` first; when doubling does not fit, the exact size is tried.
    pub(crate) fn grow(&mut self, delta: u32, init: u64, host: Option<HostMemory>) -> Option<u32> {
        let old = self.elems.len() as u32;
        let new = old as u64 + delta as u64;
        let max = self.ty.max.unwrap_or(u32::MAX).min(MAX_TABLE_ELEMS) as u64;
        if new > max {
            return None;
        }
        let new = new as usize;
        if new > self.elems.capacity() {
            let doubled = new.max(self.elems.capacity().saturating_mul(2)).min(max as usize);
            let reserve = |v: &mut Vec<u64>, cap: usize| {
                room_for(host, (cap - v.capacity()).saturating_mul(8)) && v.try_reserve_exact(cap - v.len()).is_ok()
            };
            if !reserve(&mut self.elems, doubled) && !reserve(&mut self.elems, new) {
                return None;
            }
        }
        self.elems.resize(new, init);
        Some(old)
    }
}

/// Ask the embedder whether `bytes` more may be allocated for the guest (always yes without
/// a [`HostMemory`]; the allocation itself is fallible either way).
pub(crate) fn room_for(host: Option<HostMemory>, bytes: usize) -> bool {
    host.is_none_or(|h| (h.room_for)(bytes))
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

/// Write `v` into `cells` at `*k` and advance `*k` past it: one cell, two for a v128 (low
/// half first), as frames lay values out.
pub(crate) fn write_cells(cells: &mut [u64], k: &mut usize, v: &Val) {
    if let Val::V128(x) = *v {
        cells[*k] = x as u64;
        cells[*k + 1] = (x >> 64) as u64;
        *k += 2;
    } else {
        cells[*k] = val_to_cell(v);
        *k += 1;
    }
}

/// Read a value of type `ty` from `cells` at `*k` and advance `*k` past it (see `write_cells`).
pub(crate) fn read_cells(cells: &[u64], k: &mut usize, ty: ValType) -> Val {
    if ty == ValType::V128 {
        let v = Val::V128(cells[*k] as u128 | (cells[*k + 1] as u128) << 64);
        *k += 2;
        v
    } else {
        let v = cell_to_val(cells[*k], ty);
        *k += 1;
        v
    }
}

/// Encode a one-cell value (anything but a v128, which `write_cells` splits in two).
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

/// Decode a one-cell value of the given type (a v128 takes two: `read_cells`).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `table.grow 1` in a loop reallocates O(log n) times, not at every step (it was quadratic:
    /// a reallocation, and a copy, per grow).
    #[test]
    fn a_table_growing_by_one_reallocates_geometrically() {
        let ty = TableType { elem: ValType::ExternRef, min: 1, max: None };
        let mut t = TableEntity::new(ty, 0, None).expect("table");
        let mut reallocs = 0;
        for i in 1..100_000u32 {
            let cap = t.elems.capacity();
            assert_eq!(t.grow(1, 7, None), Some(i));
            reallocs += (t.elems.capacity() != cap) as u32;
        }
        assert_eq!(t.elems.len(), 100_000);
        assert!(t.elems[1..].iter().all(|&e| e == 7));
        assert!(reallocs <= 20, "{reallocs} reallocations for 100 000 grows");
    }

    /// Capacity never exceeds the table's maximum, and growth stops there.
    #[test]
    fn a_table_grows_to_its_maximum_and_no_further() {
        let ty = TableType { elem: ValType::FuncRef, min: 3, max: Some(10) };
        let mut t = TableEntity::new(ty, 0, None).expect("table");
        for i in 3..10u32 {
            assert_eq!(t.grow(1, 0, None), Some(i));
            assert!(t.elems.capacity() <= 10, "capacity {}", t.elems.capacity());
        }
        assert_eq!(t.grow(1, 0, None), None);
        assert_eq!(t.elems.len(), 10);
    }
}
