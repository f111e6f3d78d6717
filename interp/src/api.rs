//! The public API of the interpreter. SKELETON written by the lead to fix the
//! interface between interp/ and its users (core/, tests/). The interp owner
//! fills in the bodies and may move items into their own files, but keeps
//! these names and signatures (additions are fine; tell the lead of changes).

use std::fmt;

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
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    pub params: Box<[ValType]>,
    pub results: Box<[ValType]>,
}

impl FuncType {
    pub fn new(params: impl Into<Box<[ValType]>>, results: impl Into<Box<[ValType]>>) -> Self {
        FuncType { params: params.into(), results: results.into() }
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

/// Execution traps, as the spec names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trap {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    IndirectCallTypeMismatch,
    UninitializedElement,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    StackExhausted,
    OutOfFuel,
    /// A host function failed; the message is the host's.
    Host(Box<str>),
    /// The guest asked to exit (WASI proc_exit) with this status. Not an error for the CLI.
    Exit(i32),
}

impl Trap {
    pub fn message(&self) -> &str {
        match self {
            Trap::Unreachable => "unreachable",
            Trap::MemoryOutOfBounds => "out of bounds memory access",
            Trap::TableOutOfBounds => "out of bounds table access",
            Trap::IndirectCallToNull => "uninitialized element",
            Trap::IndirectCallTypeMismatch => "indirect call type mismatch",
            Trap::UninitializedElement => "uninitialized element",
            Trap::IntegerDivideByZero => "integer divide by zero",
            Trap::IntegerOverflow => "integer overflow",
            Trap::InvalidConversionToInteger => "invalid conversion to integer",
            Trap::StackExhausted => "call stack exhausted",
            Trap::OutOfFuel => "all fuel consumed",
            Trap::Host(m) => m,
            Trap::Exit(_) => "exit",
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trap::Exit(code) => write!(f, "exit with status {code}"),
            t => f.write_str(t.message()),
        }
    }
}

impl std::error::Error for Trap {}

/// Load, link and instantiation errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Not a well-formed binary (bad magic, truncated section, bad LEB, ...).
    Malformed(Box<str>),
    /// Well-formed but fails validation.
    Invalid(Box<str>),
    /// An import is missing or has the wrong type.
    Unlinkable(Box<str>),
    /// A limit of the Config or of the host was exceeded (memory pages, allocation failure).
    Limit(Box<str>),
    /// A trap during instantiation (segment init out of bounds, start function trap).
    Trap(Trap),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed(m) => write!(f, "malformed module: {m}"),
            Error::Invalid(m) => write!(f, "invalid module: {m}"),
            Error::Unlinkable(m) => write!(f, "unlinkable: {m}"),
            Error::Limit(m) => write!(f, "limit exceeded: {m}"),
            Error::Trap(t) => write!(f, "trap: {t}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Trap> for Error {
    fn from(t: Trap) -> Self {
        Error::Trap(t)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MemoryType {
    pub min: u32,
    pub max: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableType {
    pub elem: ValType,
    pub min: u32,
    pub max: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExternType {
    Func(FuncType),
    Memory(MemoryType),
    Table(TableType),
    Global(GlobalType),
}

#[derive(Clone, Debug)]
pub struct ImportDesc {
    pub module: Box<str>,
    pub name: Box<str>,
    pub ty: ExternType,
}

#[derive(Clone, Debug)]
pub struct ExportDesc {
    pub name: Box<str>,
    pub ty: ExternType,
}

/// A validated module. Cheap to clone (shared internals); function bodies are
/// translated to IR lazily on first call.
#[derive(Clone)]
pub struct Module {
    _todo: (),
}

impl Module {
    pub fn new(bytes: &[u8]) -> Result<Module, Error> {
        let _ = bytes;
        todo!()
    }
    pub fn imports(&self) -> &[ImportDesc] {
        todo!()
    }
    pub fn exports(&self) -> &[ExportDesc] {
        todo!()
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
}

impl<T> Store<T> {
    pub fn new(config: Config, data: T) -> Self {
        Store { data, config }
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
        let _ = fuel;
        todo!()
    }
    pub fn fuel(&self) -> Option<u64> {
        todo!()
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
        todo!()
    }
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let _ = name;
        todo!()
    }
}

impl Func {
    pub fn new_host<T>(
        store: &mut Store<T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + 'static,
    ) -> Func {
        let _ = (store, ty, f);
        todo!()
    }
    pub fn ty<T>(&self, store: &Store<T>) -> FuncType {
        let _ = store;
        todo!()
    }
    /// Call with typed arguments; results are written into `results`
    /// (its length must equal the result count). Re-entrant: a host function
    /// may call back into wasm through `caller.store`.
    pub fn call<T>(&self, store: &mut Store<T>, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
        let _ = (store, args, results);
        todo!()
    }
}

impl Memory {
    pub fn new<T>(store: &mut Store<T>, ty: MemoryType) -> Result<Memory, Error> {
        let _ = (store, ty);
        todo!()
    }
    pub fn ty<T>(&self, store: &Store<T>) -> MemoryType {
        let _ = store;
        todo!()
    }
    pub fn data<'s, T>(&self, store: &'s Store<T>) -> &'s [u8] {
        let _ = store;
        todo!()
    }
    pub fn data_mut<'s, T>(&self, store: &'s mut Store<T>) -> &'s mut [u8] {
        let _ = store;
        todo!()
    }
    /// Size in pages.
    pub fn size<T>(&self, store: &Store<T>) -> u32 {
        let _ = store;
        todo!()
    }
    /// Grow by `delta` pages; returns the old size in pages.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u32) -> Result<u32, Trap> {
        let _ = (store, delta);
        todo!()
    }
    /// Bounds-checked (overflow-safe) copy out of linear memory.
    pub fn read<T>(&self, store: &Store<T>, offset: u64, buf: &mut [u8]) -> Result<(), Trap> {
        let _ = (store, offset, buf);
        todo!()
    }
    /// Bounds-checked (overflow-safe) copy into linear memory.
    pub fn write<T>(&self, store: &mut Store<T>, offset: u64, bytes: &[u8]) -> Result<(), Trap> {
        let _ = (store, offset, bytes);
        todo!()
    }
}

impl Table {
    pub fn new<T>(store: &mut Store<T>, ty: TableType, init: Val) -> Result<Table, Error> {
        let _ = (store, ty, init);
        todo!()
    }
    pub fn ty<T>(&self, store: &Store<T>) -> TableType {
        let _ = store;
        todo!()
    }
    pub fn size<T>(&self, store: &Store<T>) -> u32 {
        let _ = store;
        todo!()
    }
    pub fn get<T>(&self, store: &Store<T>, index: u32) -> Option<Val> {
        let _ = (store, index);
        todo!()
    }
    pub fn set<T>(&self, store: &mut Store<T>, index: u32, val: Val) -> Result<(), Trap> {
        let _ = (store, index, val);
        todo!()
    }
}

impl Global {
    pub fn new<T>(store: &mut Store<T>, ty: GlobalType, val: Val) -> Result<Global, Error> {
        let _ = (store, ty, val);
        todo!()
    }
    pub fn ty<T>(&self, store: &Store<T>) -> GlobalType {
        let _ = store;
        todo!()
    }
    pub fn get<T>(&self, store: &Store<T>) -> Val {
        let _ = store;
        todo!()
    }
    pub fn set<T>(&self, store: &mut Store<T>, val: Val) -> Result<(), Error> {
        let _ = (store, val);
        todo!()
    }
}

impl Instance {
    /// Instantiate `module` with `imports` given in the module's import order.
    /// Runs data/element initialisation and the start function.
    pub fn new<T>(store: &mut Store<T>, module: &Module, imports: &[Extern]) -> Result<Instance, Error> {
        let _ = (store, module, imports);
        todo!()
    }
    pub fn get_export<T>(&self, store: &Store<T>, name: &str) -> Option<Extern> {
        let _ = (store, name);
        todo!()
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
    /// The instance's memory 0 (imported or defined), if any.
    pub fn memory<T>(&self, store: &Store<T>) -> Option<Memory> {
        let _ = store;
        todo!()
    }
}
