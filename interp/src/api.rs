//! The public API of the interpreter, used by core/ (libvmcore.so), tests/ and benches/.
//! The module-level types and errors come from `ember-loader` and are re-exported here.

use std::rc::Rc;
use std::sync::Arc;

pub use ember_loader::module::{sections_size, Features, SectionsSize};
pub use ember_loader::{
    Error, ExportDesc, ExternType, FuncType, GlobalType, ImportDesc, MemoryType, TableType, Trap, ValType,
};
use ember_loader::module::ModuleInner;

use crate::exec;
use crate::store::{
    cell_to_val, val_to_cell, FuncEntity, FuncKind, GlobalEntity, MemoryEntity, Runtime, TableEntity,
};

/// Limits and knobs of a store. One source of truth for default limits.
#[derive(Clone, Debug)]
pub struct Config {
    /// Maximum nesting of wasm (and host->wasm) calls before `Trap::StackExhausted`.
    pub max_call_depth: u32,
    /// Maximum size of the value stack in 8-byte cells (all frames together).
    pub max_stack_cells: usize,
    /// Hard cap on linear memory pages (64 KiB each), below the module's own maximum.
    pub max_memory_pages: u32,
    /// Instruction budget; `None` = unlimited. Spent fuel traps with `Trap::OutOfFuel`.
    pub fuel: Option<u64>,
    /// The embedder's memory for what a guest can make the store allocate; `None` (the
    /// default): linear memories reserve address space and commit it as they grow
    /// (`ember_platform::vmem`), everything else uses the global allocator fallibly.
    pub host_memory: Option<HostMemory>,
}

/// How a store gets memory for guest-driven allocations when the embedder bounds memory
/// (libvmcore.so's pool and user-allocator modes). Plain function pointers: the store keeps a
/// copy in every memory it creates, and they must stay callable for the store's lifetime.
#[derive(Clone, Copy, Debug)]
pub struct HostMemory {
    /// Is there room for `bytes` more? Asked before a table, the element segments, globals,
    /// function entities, a function's IR or the value stack is allocated or grown (those
    /// allocations are fallible too: `try_reserve`). Answering false makes instantiation fail
    /// with `Error::Limit`, `table.grow` return -1, translation or stack growth trap.
    pub room_for: fn(usize) -> bool,
    /// `len` (> 0) zeroed bytes aligned to 16 for a linear memory, or None.
    pub alloc_zeroed: fn(usize) -> Option<std::ptr::NonNull<u8>>,
    /// Grow a block of `old` bytes from `alloc_zeroed` to `new` (> old) bytes, the added bytes
    /// zeroed; it may move. None leaves the block as it was.
    ///
    /// # Safety
    /// `ptr` must be a live block of `old` bytes from this `HostMemory`.
    pub grow_zeroed: unsafe fn(std::ptr::NonNull<u8>, usize, usize) -> Option<std::ptr::NonNull<u8>>,
    /// Free a block of `len` bytes.
    ///
    /// # Safety
    /// `ptr` must be a live block of `len` bytes from this `HostMemory`, freed once.
    pub free: unsafe fn(std::ptr::NonNull<u8>, usize),
}

impl Config {
    pub const DEFAULT_MAX_CALL_DEPTH: u32 = 10_000;
    pub const DEFAULT_MAX_STACK_CELLS: usize = 1 << 20;
    pub const DEFAULT_MAX_MEMORY_PAGES: u32 = 65_536;
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_call_depth: Self::DEFAULT_MAX_CALL_DEPTH,
            max_stack_cells: Self::DEFAULT_MAX_STACK_CELLS,
            max_memory_pages: Self::DEFAULT_MAX_MEMORY_PAGES,
            fuel: None,
            host_memory: None,
        }
    }
}

/// A runtime value. Floats are carried as bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef(Option<Func>),
    /// Host-chosen opaque reference value.
    ExternRef(Option<u32>),
}

impl Val {
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }
    /// The zero/null value of a type (defaults of locals and results buffers).
    pub fn default_of(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
        }
    }
}

/// A validated module. Cheap to clone (shared internals); function bodies are
/// translated to IR lazily on first call.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl Module {
    pub fn new(bytes: &[u8]) -> Result<Module, Error> {
        Ok(Module { inner: Arc::new(ModuleInner::parse(bytes)?) })
    }
    /// [`Module::new`] asking `room_for(bytes)` (as [`HostMemory::room_for`]) before the
    /// entities each section declares are allocated; refusal is `Error::Limit`.
    pub fn new_checked(bytes: &[u8], room_for: fn(usize) -> bool) -> Result<Module, Error> {
        Ok(Module { inner: Arc::new(ModuleInner::parse_checked(bytes, room_for)?) })
    }
    /// [`Module::new`] accepting what `features` says beyond WebAssembly 2.0 (`new`: the
    /// default [`Features`]; `Features::WASM2`: exactly 2.0).
    pub fn new_with_features(bytes: &[u8], features: Features) -> Result<Module, Error> {
        Ok(Module { inner: Arc::new(ModuleInner::parse_with(bytes, features, |_| true)?) })
    }
    pub fn imports(&self) -> &[ImportDesc] {
        &self.inner.imports
    }
    pub fn exports(&self) -> &[ExportDesc] {
        &self.inner.exports
    }
    /// What instantiating this module allocates up front for its defined entities (imports
    /// excluded), for embedders that check it against their memory before instantiating.
    pub fn footprint(&self) -> Footprint {
        crate::instantiate::footprint(&self.inner)
    }
    /// Translate every function body now instead of on first call (start-up
    /// cost moves to load time; useful for measuring translation speed).
    pub fn translate_all(&self) -> Result<(), Error> {
        for def in 0..self.inner.bodies.len() as u32 {
            exec::compiled(&self.inner, def, None).map_err(|t| Error::Invalid(t.message().into()))?;
        }
        Ok(())
    }
}

/// Bytes instantiating a module allocates up front ([`Module::footprint`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Initial size of the defined linear memories.
    pub memory: u64,
    /// The defined tables at their initial size (8 bytes per element).
    pub tables: u64,
    /// Element-segment cells, globals, function entities, exports and types (estimated).
    pub other: u64,
}

impl Footprint {
    pub fn total(&self) -> u64 {
        self.memory + self.tables + self.other
    }
}

/// Handles into a [`Store`]. Using a handle with another store is a logic
/// error that returns an error or panics-free garbage, never UB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extern {
    Func(Func),
    Memory(Memory),
    Table(Table),
    Global(Global),
}

/// A host function: gets the caller (store + calling instance), the arguments,
/// and writes its results into the given slice (pre-filled with defaults).
pub type HostFunc<T> =
    dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + 'static;

/// Owns all runtime state of one or more instances, and the embedder data `T`.
pub struct Store<T> {
    data: T,
    config: Config,
    pub(crate) rt: Runtime,
    pub(crate) hosts: Vec<Rc<HostFunc<T>>>,
}

impl<T> Store<T> {
    pub fn new(config: Config, data: T) -> Self {
        let rt = Runtime { fuel: config.fuel, ..Runtime::default() };
        Store { data, config, rt, hosts: Vec::new() }
    }
    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn data(&self) -> &T {
        &self.data
    }
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }
    /// Set (or clear) the remaining fuel.
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.rt.fuel = fuel;
    }
    pub fn fuel(&self) -> Option<u64> {
        self.rt.fuel
    }
}

/// What a host function sees of the world.
pub struct Caller<'a, T> {
    pub store: &'a mut Store<T>,
    /// The instance whose code called the host function (None when called from the host).
    pub instance: Option<Instance>,
}

impl<'a, T> Caller<'a, T> {
    pub fn data(&self) -> &T {
        self.store.data()
    }
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }
    /// The calling instance's memory 0 (imported or defined), if any.
    pub fn memory(&self) -> Option<Memory> {
        self.instance?.memory(self.store)
    }
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        self.instance?.get_export(self.store, name)
    }
}

impl Func {
    pub fn new_host<T>(
        store: &mut Store<T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + 'static,
    ) -> Func {
        let type_id = store.rt.intern_type(&ty);
        let h = store.hosts.len() as u32;
        store.hosts.push(Rc::new(f));
        let id = store.rt.funcs.len() as u32;
        store.rt.funcs.push(FuncEntity { type_id, kind: FuncKind::Host(h) });
        Func(id)
    }
    pub fn ty<T>(&self, store: &Store<T>) -> FuncType {
        match store.rt.funcs.get(self.0 as usize) {
            Some(_) => store.rt.func_type(self.0).clone(),
            None => FuncType::new([], []),
        }
    }
    /// Call with typed arguments; results are written into `results`
    /// (its length must equal the result count). Re-entrant: a host function
    /// may call back into wasm through `caller.store`.
    pub fn call<T>(&self, store: &mut Store<T>, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
        exec::invoke(store, self.0, args, results)
    }
}

fn no_memory() -> Trap {
    Trap::Host("memory not in this store".into())
}

impl Memory {
    pub fn new<T>(store: &mut Store<T>, ty: MemoryType) -> Result<Memory, Error> {
        let m = MemoryEntity::new(ty, store.config.max_memory_pages, store.config.host_memory)?;
        store.rt.memories.push(m);
        Ok(Memory(store.rt.memories.len() as u32 - 1))
    }
    pub fn ty<T>(&self, store: &Store<T>) -> MemoryType {
        match store.rt.memories.get(self.0 as usize) {
            Some(m) => MemoryType { min: m.pages(), max: m.ty.max },
            None => MemoryType { min: 0, max: None },
        }
    }
    pub fn data<'s, T>(&self, store: &'s Store<T>) -> &'s [u8] {
        match store.rt.memories.get(self.0 as usize) {
            Some(m) => m.data(),
            None => &[],
        }
    }
    pub fn data_mut<'s, T>(&self, store: &'s mut Store<T>) -> &'s mut [u8] {
        match store.rt.memories.get_mut(self.0 as usize) {
            Some(m) => m.data_mut(),
            None => &mut [],
        }
    }
    /// The memory's bytes and the store's embedder data at once (both live in the store): what
    /// a host function needs to work on guest memory with its own per-instance state.
    pub fn data_and_store_mut<'s, T>(&self, store: &'s mut Store<T>) -> (&'s mut [u8], &'s mut T) {
        let bytes = match store.rt.memories.get_mut(self.0 as usize) {
            Some(m) => m.data_mut(),
            None => &mut [],
        };
        (bytes, &mut store.data)
    }
    /// Size in pages.
    pub fn size<T>(&self, store: &Store<T>) -> u32 {
        store.rt.memories.get(self.0 as usize).map(|m| m.pages()).unwrap_or(0)
    }
    /// Grow by `delta` pages; returns the old size in pages.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u32) -> Result<u32, Trap> {
        let max = store.config.max_memory_pages;
        let m = store.rt.memories.get_mut(self.0 as usize).ok_or_else(no_memory)?;
        m.grow(delta, max).ok_or_else(|| Trap::Host("memory.grow failed".into()))
    }
    /// Bounds-checked (overflow-safe) copy out of linear memory.
    pub fn read<T>(&self, store: &Store<T>, offset: u64, buf: &mut [u8]) -> Result<(), Trap> {
        let data = self.data(store);
        let end = offset.checked_add(buf.len() as u64).ok_or(Trap::MemoryOutOfBounds)?;
        if end > data.len() as u64 {
            return Err(Trap::MemoryOutOfBounds);
        }
        buf.copy_from_slice(&data[offset as usize..end as usize]);
        Ok(())
    }
    /// Bounds-checked (overflow-safe) copy into linear memory.
    pub fn write<T>(&self, store: &mut Store<T>, offset: u64, bytes: &[u8]) -> Result<(), Trap> {
        let data = self.data_mut(store);
        let end = offset.checked_add(bytes.len() as u64).ok_or(Trap::MemoryOutOfBounds)?;
        if end > data.len() as u64 {
            return Err(Trap::MemoryOutOfBounds);
        }
        data[offset as usize..end as usize].copy_from_slice(bytes);
        Ok(())
    }
}

fn ref_cell<T>(store: &Store<T>, v: &Val, ty: ValType) -> Result<u64, Error> {
    if v.ty() != ty {
        return Err(Error::Unlinkable(format!("value of type {:?} where {ty:?} expected", v.ty()).into()));
    }
    if let Val::FuncRef(Some(f)) = v {
        if f.0 as usize >= store.rt.funcs.len() {
            return Err(Error::Unlinkable("function not in this store".into()));
        }
    }
    Ok(val_to_cell(v))
}

impl Table {
    pub fn new<T>(store: &mut Store<T>, ty: TableType, init: Val) -> Result<Table, Error> {
        let cell = ref_cell(store, &init, ty.elem)?;
        let t = TableEntity::new(ty, cell, store.config.host_memory)?;
        store.rt.tables.push(t);
        Ok(Table(store.rt.tables.len() as u32 - 1))
    }
    pub fn ty<T>(&self, store: &Store<T>) -> TableType {
        match store.rt.tables.get(self.0 as usize) {
            Some(t) => TableType { elem: t.ty.elem, min: t.elems.len() as u32, max: t.ty.max },
            None => TableType { elem: ValType::FuncRef, min: 0, max: None },
        }
    }
    pub fn size<T>(&self, store: &Store<T>) -> u32 {
        store.rt.tables.get(self.0 as usize).map(|t| t.elems.len() as u32).unwrap_or(0)
    }
    pub fn get<T>(&self, store: &Store<T>, index: u32) -> Option<Val> {
        let t = store.rt.tables.get(self.0 as usize)?;
        let c = *t.elems.get(index as usize)?;
        Some(cell_to_val(c, t.ty.elem))
    }
    pub fn set<T>(&self, store: &mut Store<T>, index: u32, val: Val) -> Result<(), Trap> {
        let elem = store.rt.tables.get(self.0 as usize).ok_or(Trap::TableOutOfBounds)?.ty.elem;
        let c = ref_cell(store, &val, elem).map_err(|e| Trap::Host(e.to_string().into()))?;
        let t = &mut store.rt.tables[self.0 as usize];
        *t.elems.get_mut(index as usize).ok_or(Trap::TableOutOfBounds)? = c;
        Ok(())
    }
}

impl Global {
    pub fn new<T>(store: &mut Store<T>, ty: GlobalType, val: Val) -> Result<Global, Error> {
        let bits = match val {
            Val::V128(v) => v,
            _ => ref_cell(store, &val, ty.content)? as u128,
        };
        store.rt.globals.push(GlobalEntity { ty, bits });
        Ok(Global(store.rt.globals.len() as u32 - 1))
    }
    pub fn ty<T>(&self, store: &Store<T>) -> GlobalType {
        match store.rt.globals.get(self.0 as usize) {
            Some(g) => g.ty.clone(),
            None => GlobalType { content: ValType::I32, mutable: false },
        }
    }
    pub fn get<T>(&self, store: &Store<T>) -> Val {
        match store.rt.globals.get(self.0 as usize) {
            Some(g) if g.ty.content == ValType::V128 => Val::V128(g.bits),
            Some(g) => cell_to_val(g.bits as u64, g.ty.content),
            None => Val::I32(0),
        }
    }
    pub fn set<T>(&self, store: &mut Store<T>, val: Val) -> Result<(), Error> {
        let ty = self.ty(store);
        if !ty.mutable {
            return Err(Error::Unlinkable("global is immutable".into()));
        }
        let bits = match val {
            Val::V128(v) if ty.content == ValType::V128 => v,
            _ => ref_cell(store, &val, ty.content)? as u128,
        };
        store.rt.globals[self.0 as usize].bits = bits;
        Ok(())
    }
}

impl Instance {
    /// Instantiate `module` with `imports` given in the module's import order.
    /// Runs data/element initialisation and the start function.
    pub fn new<T>(store: &mut Store<T>, module: &Module, imports: &[Extern]) -> Result<Instance, Error> {
        crate::instantiate::instantiate(store, module, imports)
    }
    pub fn get_export<T>(&self, store: &Store<T>, name: &str) -> Option<Extern> {
        let inst = store.rt.instances.get(self.0 as usize)?;
        let k = inst.exports.binary_search_by(|(n, _)| (**n).cmp(name)).ok()?;
        Some(inst.exports[k].1)
    }
    pub fn get_func<T>(&self, store: &Store<T>, name: &str) -> Option<Func> {
        match self.get_export(store, name)? {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    pub fn get_memory<T>(&self, store: &Store<T>, name: &str) -> Option<Memory> {
        match self.get_export(store, name)? {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    /// The instance's table 0 (imported or defined), if any.
    pub fn table<T>(&self, store: &Store<T>) -> Option<Table> {
        let inst = store.rt.instances.get(self.0 as usize)?;
        inst.tables.first().map(|&t| Table(t))
    }
    /// The instance's memory 0 (imported or defined), if any.
    pub fn memory<T>(&self, store: &Store<T>) -> Option<Memory> {
        let inst = store.rt.instances.get(self.0 as usize)?;
        inst.memories.first().map(|&m| Memory(m))
    }
}
