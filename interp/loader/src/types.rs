//! The module-level types shared by the loader and the executor: value and
//! entity types, imports/exports, and the two error types ([`Error`] for
//! load/link/instantiate, [`Trap`] for execution). `ember-interp` re-exports them.

use std::fmt;

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

impl ValType {
    /// The 8-byte cells a value of this type occupies in a frame (and in the executor's
    /// value stack): 2 for v128 (low half first), 1 for everything else.
    #[inline]
    pub const fn cells(self) -> u32 {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }

    /// The cells of a sequence of values laid out one after another (params, results).
    pub fn cells_of(types: &[ValType]) -> u32 {
        types.iter().map(|t| t.cells()).sum()
    }
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
    /// Uses a feature Ember does not implement (SIMD, post-2.0 proposals).
    Unsupported(Box<str>),
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
            Error::Unsupported(m) => write!(f, "unsupported module: {m}"),
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
