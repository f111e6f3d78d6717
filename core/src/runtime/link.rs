//! Instantiation: let each host interface prepare the store's data, resolve every import
//! through the first interface that provides it (see host.rs), build the store, run the start
//! function. The natives' and the libc-builtin's call glue live with them (`natives/glue.rs`,
//! `libc_builtin/mod.rs`).

use std::sync::atomic::{AtomicU64, Ordering};

use ember_interp::{Config, Extern, ExternType, HostMemory, Instance};

use super::error::{Error, LinkError};
use super::host::{HostInterface, Linking, StoreData};
use super::instance::ModuleInst;
use super::module::LoadedModule;
use crate::alloc::Mode;

/// Bytes per interpreter stack cell: stack_size / CELL = Config::max_stack_cells.
const CELL: u32 = 8;
/// Smallest operand stack we give an instance (bytes).
pub const MIN_STACK_SIZE: u32 = 128 * 1024;

/// Room an instance needs besides its linear memory (store, tables, frames).
const INSTANCE_OVERHEAD: usize = 64 << 10;

static DEFAULT_FUEL: AtomicU64 = AtomicU64::new(0);

pub fn set_default_fuel(fuel: u64) {
    DEFAULT_FUEL.store(fuel, Ordering::Relaxed);
}

/// The Config of an instance with this operand-stack size (bytes), for the current memory mode.
pub fn config_for(stack_size: u32) -> Config {
    let fuel = DEFAULT_FUEL.load(Ordering::Relaxed);
    Config {
        max_stack_cells: (stack_size.max(MIN_STACK_SIZE) / CELL) as usize,
        fuel: (fuel != 0).then_some(fuel),
        host_memory: host_memory(),
        ..Config::default()
    }
}

/// Where an instance's guest-driven memory comes from. System mode: nothing to bound, linear
/// memories reserve address space and commit lazily (ember_platform::vmem). Pool and
/// user-allocator modes: linear memories come from the mode's allocator (WAMR puts them in
/// the pool too), and tables, segments, IR and the operand stack are checked against the pool
/// before they are allocated.
fn host_memory() -> Option<HostMemory> {
    match crate::alloc::mode() {
        Mode::System => None,
        Mode::Pool | Mode::User => Some(HostMemory {
            room_for: crate::alloc::guest_room_for,
            alloc_zeroed: crate::alloc::linear_alloc_zeroed,
            grow_zeroed: crate::alloc::linear_grow_zeroed,
            free: crate::alloc::linear_free,
        }),
    }
}

/// Instantiate a loaded module, its imports provided by `interfaces` (asked in this order).
///
/// # Safety
/// `lm` must point to a live module that outlives the instance (WAMR's
/// contract for wasm_runtime_instantiate).
pub unsafe fn instantiate(
    lm: *const LoadedModule,
    stack_size: u32,
    heap_size: u32,
    interfaces: &[&dyn HostInterface],
) -> Result<Box<ModuleInst>, Error> {
    // SAFETY: caller's contract.
    let module = unsafe { &*lm };
    let imports = module.module.imports();

    // Pool mode: refuse early, with the numbers, when what the module declares cannot fit
    // (the interpreter checks each part again as it allocates it).
    let fp = module.module.footprint();
    let need = fp.total().saturating_add(INSTANCE_OVERHEAD as u64);
    if !crate::alloc::room_for(usize::try_from(need).unwrap_or(usize::MAX)) {
        return Err(Error::InstanceRoom {
            need,
            memory: fp.memory,
            tables: fp.tables,
            other: fp.other,
            overhead: INSTANCE_OVERHEAD,
            free: crate::alloc::stats().free,
        });
    }

    let mut data = StoreData::default();
    for i in interfaces {
        i.prepare(module, &mut data)?;
    }
    let inst = ModuleInst::new(lm, config_for(stack_size), data, stack_size, heap_size);
    let ip: *const ModuleInst = &*inst;

    // SAFETY: no wasm runs yet; this is the only reference to the store
    // until Instance::new returns (host calls during the start function go
    // through the Caller's reborrow of it).
    let store = unsafe { inst.store() };
    let mut externs = Vec::with_capacity(imports.len());
    let mut at = Linking { store, inst: ip };
    for imp in imports {
        let (m, f) = (&*imp.module, &*imp.name);
        let fail = |why| Error::Link { module: m.to_string(), field: f.to_string(), why };
        let ExternType::Func(ft) = &imp.ty else {
            return Err(fail(LinkError::NotAFunction { ty: format!("{:?}", imp.ty) }));
        };
        let Some(i) = interfaces.iter().find(|i| i.provides(m, f)) else {
            return Err(fail(LinkError::Missing));
        };
        externs.push(Extern::Func(i.link(&mut at, m, f, ft).map_err(fail)?));
    }

    let store = at.store;
    let config = store.config();
    log::debug!(
        "instantiating: {} imports linked, operand stack {} slots, fuel {:?}",
        externs.len(),
        config.max_stack_cells,
        config.fuel
    );
    let instance = Instance::new(store, &module.module, &externs).map_err(|e| Error::Instantiate(e.to_string()))?;
    inst.instance.set(Some(instance));
    inst.memory.set(instance.memory(store));
    if heap_size > 0 && inst.memory.get().is_some() && !super::app_memory::has_guest_allocator(&inst) {
        // Failure is not fatal: module_malloc then reports "app heap out of memory".
        super::app_memory::ensure_heap(&inst);
    }
    Ok(inst)
}
