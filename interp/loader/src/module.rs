//! Decoding and validation (wasmparser) into [`ModuleInner`]: the module's
//! types, imports, exports, segments and function bodies. Bodies are kept as
//! byte ranges and translated to IR lazily on first call (see `translate.rs`).

use std::ops::Range;
use std::sync::OnceLock;

use wasmparser::{
    BinaryReaderError, DataKind, ElementItems, ElementKind, ExternalKind, Operator, Parser, Payload,
    TypeRef, ValidPayload, Validator, WasmFeatures,
};

use crate::types::{
    Error, ExportDesc, ExternType, FuncType, GlobalType, ImportDesc, MemoryType, TableType, ValType,
};
use crate::ir::CompiledFunc;

/// A constant expression (WebAssembly 2.0 allows exactly one instruction).
#[derive(Clone, Copy, Debug)]
pub enum ConstExpr {
    /// A plain value, as cell bits (i32/i64/f32/f64/null ref).
    Bits(u64),
    /// A v128 constant: low and high halves (two words, so the enum keeps 8-byte alignment).
    V128([u64; 2]),
    RefFunc(u32),
    GlobalGet(u32),
}

pub enum ElemItems {
    Funcs(Box<[u32]>),
    Exprs(Box<[ConstExpr]>),
}

impl ElemItems {
    pub fn len(&self) -> usize {
        match self {
            ElemItems::Funcs(f) => f.len(),
            ElemItems::Exprs(e) => e.len(),
        }
    }
}

pub enum ElemMode {
    Passive,
    Declared,
    Active { table: u32, offset: ConstExpr },
}

pub struct ElemSeg {
    pub mode: ElemMode,
    pub items: ElemItems,
}

pub struct DataSeg {
    /// Active: (memory, offset expression); None = passive.
    pub active: Option<(u32, ConstExpr)>,
    pub bytes: Range<usize>,
}

/// Where a module's bytes go, from the section headers alone (see [`sections_size`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionsSize {
    /// The bytes outside custom sections: what loading parses and translates.
    pub parsed: usize,
    /// The bytes up to the end of the last non-custom section: what a module keeps (function
    /// bodies and data segments are read from it by offset). Trailing custom sections (names,
    /// DWARF: where toolchains put them) are dropped.
    pub kept: usize,
}

/// [`SectionsSize`] of `wasm`, by a scan of its section headers. A malformed section list
/// counts whole from there on (the parser reports it).
pub fn sections_size(wasm: &[u8]) -> SectionsSize {
    let mut at = 8.min(wasm.len()); // magic and version
    let (mut custom, mut kept) = (0usize, at);
    while at < wasm.len() {
        let id = wasm[at];
        // The section size (wasmparser's LEB128 reader), then the section's end.
        let mut r = wasmparser::BinaryReader::new(&wasm[at + 1..], 0);
        let end = r
            .read_var_u32()
            .ok()
            .map(|len| (at + 1 + r.current_position()).saturating_add(len as usize))
            .filter(|&e| e <= wasm.len());
        let Some(end) = end else {
            kept = wasm.len();
            break;
        };
        if id == 0 {
            custom += end - at;
        } else {
            kept = end;
        }
        at = end;
    }
    SectionsSize { parsed: wasm.len() - custom, kept }
}

pub struct ModuleInner {
    /// The module's bytes up to its last non-custom section ([`SectionsSize::kept`]).
    pub bytes: Box<[u8]>,
    pub types: Vec<FuncType>,
    pub imports: Vec<ImportDesc>,
    pub exports: Vec<ExportDesc>,
    /// (name, kind, index) of each export, in order (parallel to `exports`).
    pub export_items: Vec<(ExternalKind, u32)>,
    /// Type index of every function (imported first).
    pub func_types: Vec<u32>,
    pub num_imported_funcs: u32,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    /// Defined tables, memories, globals.
    pub tables: Vec<TableType>,
    pub memories: Vec<MemoryType>,
    pub globals: Vec<(GlobalType, ConstExpr)>,
    pub elems: Vec<ElemSeg>,
    pub datas: Vec<DataSeg>,
    pub start: Option<u32>,
    /// Byte ranges of the defined functions' bodies in `bytes`.
    pub bodies: Vec<Range<usize>>,
    /// Lazily translated bodies, parallel to `bodies`.
    pub compiled: Vec<OnceLock<Result<CompiledFunc, Box<str>>>>,
}

/// What a module may use beyond WebAssembly 2.0 (fixed-width SIMD is a build feature, `simd`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// Several memories in one module, each memory instruction naming one (the multi-memory
    /// proposal, part of Wasm 3.0; executed as `Op::MemUse` describes). On by default; off, a
    /// second memory is invalid as in 2.0, whose spec tests say so.
    pub multi_memory: bool,
}

impl Features {
    /// Exactly WebAssembly 2.0.
    pub const WASM2: Features = Features { multi_memory: false };
}

impl Default for Features {
    fn default() -> Features {
        Features { multi_memory: true }
    }
}

/// wasmparser's feature set for `f`.
fn wasm_features(f: Features) -> WasmFeatures {
    let mut w = WasmFeatures::WASM2;
    w.set(WasmFeatures::MULTI_MEMORY, f.multi_memory);
    w
}

/// wasmparser reports decoding and validation problems with one error type;
/// sort them into the spec's malformed / invalid verdicts by message.
fn classify(e: BinaryReaderError, in_validation: bool) -> Error {
    let msg = e.message().to_string();
    let text = format!("{} (at offset {:#x})", msg, e.offset());
    const MALFORMED: &[&str] = &[
        "unexpected end",
        "malformed",
        "invalid leb",
        "integer too large",
        "integer representation too long",
        "section size mismatch",
        "illegal opcode",
        "unknown opcode",
        "inconsistent lengths",
        "data count section required",
        "data count and data section have inconsistent lengths",
        "zero byte expected",
        "too many locals",
        "invalid section",
        "magic",
        "version",
        "unknown binary version",
        "out of order",
        "duplicate section",
        "invalid utf-8",
        "malformed UTF-8",
        "control frames remain",
        "operators remaining after end",
        "END opcode expected",
        "invalid value type",
        "invalid table resizable limits flags",
        "invalid memory limits flags",
        "unknown import kind",
        "unknown external kind",
        "trailing bytes",
        "too many",
        "length out of bounds",
        "invalid var_u32",
        "function body must end",
        "function and code section",
        "mutability",
        "bad type",
        "invalid reference type",
        "invalid ref type",
        "unexpected content",
        "invalid leading byte",
        "shared",
    ];
    // Opcodes of post-2.0 proposals that wasmparser decodes anyway: in a 2.0
    // module they are illegal opcodes (malformed), not non-constant operators.
    const FOREIGN_OPS: &[&str] = &[
        "visit_ref_eq", "visit_struct", "visit_array", "visit_i31", "visit_ref_test", "visit_ref_cast",
        "visit_br_on", "visit_any_convert", "visit_extern_convert", "visit_ref_as_non_null",
        "visit_call_ref", "visit_return_call", "visit_throw", "visit_try", "visit_rethrow",
        "visit_delegate", "visit_catch", "visit_memory_atomic", "visit_i32_atomic", "visit_i64_atomic",
    ];
    if msg.contains("non-constant operator") && FOREIGN_OPS.iter().any(|o| msg.contains(o)) {
        return Error::Malformed(text.into());
    }
    // A build without the `simd` feature decodes no SIMD: say so.
    #[cfg(not(feature = "simd"))]
    if msg.contains("SIMD") {
        return Error::Unsupported(
            format!("SIMD (v128) instructions are not in this build (feature `simd`): {text}").into(),
        );
    }
    let lower = msg.to_ascii_lowercase();
    let malformed = MALFORMED
        .iter()
        .any(|p| lower.contains(&p.to_ascii_lowercase()));
    if malformed || !in_validation {
        Error::Malformed(text.into())
    } else {
        Error::Invalid(text.into())
    }
}

pub fn convert_valtype(t: wasmparser::ValType) -> ValType {
    match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(r) => {
            if r.is_extern_ref() {
                ValType::ExternRef
            } else {
                ValType::FuncRef
            }
        }
    }
}

/// wasmparser reads memory limits as 64-bit numbers (for memory64); a 32-bit
/// memory's limits must be at most 5 LEB128 bytes.
fn check_limits32(bytes: &[u8], offset: usize) -> Result<(), Error> {
    let mut r = wasmparser::BinaryReader::new(&bytes[offset..], offset as u64);
    let flags = r.read_u8().map_err(|e| classify(e, false))?;
    if flags & 0x04 == 0 {
        r.read_var_u32().map_err(|e| classify(e, false))?;
        if flags & 0x01 != 0 {
            r.read_var_u32().map_err(|e| classify(e, false))?;
        }
    }
    Ok(())
}

/// Binary-format checks that wasmparser leaves to later proposals' rules
/// (where they would surface as validation errors): 32-bit limits of memories
/// and tables.
fn pre_validate(bytes: &[u8], payload: &Payload<'_>) -> Result<(), Error> {
    match payload {
        Payload::MemorySection(r) => {
            for t in r.clone().into_iter_with_offsets() {
                let (off, _) = t.map_err(|e| classify(e, false))?;
                check_limits32(bytes, off as usize)?;
            }
        }
        Payload::TableSection(r) => {
            for t in r.clone().into_iter_with_offsets() {
                let (off, _) = t.map_err(|e| classify(e, false))?;
                // reftype byte, then limits (2.0 has no table initialiser prefix).
                if bytes.get(off as usize) != Some(&0x40) {
                    check_limits32(bytes, off as usize + 1)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// On a validation error, decode the body alone: a decoding error that comes
/// later in the body still makes the module malformed rather than invalid.
fn body_decode_error(body: &wasmparser::FunctionBody<'_>) -> Option<BinaryReaderError> {
    let locals = match body.get_locals_reader() {
        Ok(l) => l,
        Err(e) => return Some(e),
    };
    for l in locals {
        if let Err(e) = l {
            return Some(e);
        }
    }
    let mut ops = match body.get_operators_reader() {
        Ok(o) => o,
        Err(e) => return Some(e),
    };
    while !ops.eof() {
        if let Err(e) = ops.read() {
            return Some(e);
        }
    }
    ops.finish().err()
}

fn convert_reftype(r: wasmparser::RefType) -> ValType {
    if r.is_extern_ref() {
        ValType::ExternRef
    } else {
        ValType::FuncRef
    }
}

fn convert_table(t: &wasmparser::TableType) -> TableType {
    TableType {
        elem: convert_reftype(t.element_type),
        min: t.initial as u32,
        max: t.maximum.map(|m| m.min(u32::MAX as u64) as u32),
    }
}

fn convert_memory(m: &wasmparser::MemoryType) -> MemoryType {
    MemoryType { min: m.initial as u32, max: m.maximum.map(|m| m.min(u32::MAX as u64) as u32) }
}

fn convert_global(g: &wasmparser::GlobalType) -> GlobalType {
    GlobalType { content: convert_valtype(g.content_type), mutable: g.mutable }
}

fn const_expr(e: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, Error> {
    let mut r = e.get_operators_reader();
    let op = r.read().map_err(|e| classify(e, false))?;
    Ok(match op {
        Operator::I32Const { value } => ConstExpr::Bits(value as u32 as u64),
        Operator::I64Const { value } => ConstExpr::Bits(value as u64),
        Operator::F32Const { value } => ConstExpr::Bits(value.bits() as u64),
        Operator::F64Const { value } => ConstExpr::Bits(value.bits()),
        #[cfg(feature = "simd")]
        Operator::V128Const { value } => {
            let v = u128::from_le_bytes(*value.bytes());
            ConstExpr::V128([v as u64, (v >> 64) as u64])
        }
        Operator::RefNull { .. } => ConstExpr::Bits(0),
        Operator::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        Operator::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
        _ => {
            let at = e.get_binary_reader().original_position();
            return Err(Error::Invalid(format!("unsupported constant expression at offset {at}").into()));
        }
    })
}

/// Bytes kept per entity of a section (this crate's copy plus wasmparser's validator state),
/// for the memory check before a section is read.
const COST_TYPE: usize = 160;
const COST_IMPORT: usize = 160;
const COST_FUNC: usize = 96;
const COST_TABLE: usize = 48;
const COST_GLOBAL: usize = 64;
const COST_EXPORT: usize = 128;
const COST_ELEM: usize = 64;
const COST_ELEM_ITEM: usize = 8;
const COST_DATA: usize = 48;

/// Ask `room` for `count` entities of `cost` bytes, then reserve them in `v` fallibly.
fn reserve<T>(v: &mut Vec<T>, count: u32, cost: usize, room: fn(usize) -> bool, what: &str) -> Result<(), Error> {
    let bytes = (count as usize).saturating_mul(cost.max(std::mem::size_of::<T>()));
    if !room(bytes) || v.try_reserve_exact(count as usize).is_err() {
        return Err(Error::Limit(format!("not enough memory to load {count} {what} (about {bytes} bytes)").into()));
    }
    Ok(())
}

impl ModuleInner {
    pub fn parse(bytes: &[u8]) -> Result<ModuleInner, Error> {
        Self::parse_checked(bytes, |_| true)
    }

    /// [`ModuleInner::parse`] that asks `room(bytes)` before each section's entities are
    /// allocated (counts come from the section headers, so a tiny module cannot make it
    /// allocate much without asking). wasmparser's own state stays infallible: it is bounded
    /// by the same counts (included in the costs asked for) and by wasmparser's limits.
    pub fn parse_checked(bytes: &[u8], room: fn(usize) -> bool) -> Result<ModuleInner, Error> {
        Self::parse_with(bytes, Features::default(), room)
    }

    /// [`ModuleInner::parse_checked`] with the features `features`.
    pub fn parse_with(bytes: &[u8], features: Features, room: fn(usize) -> bool) -> Result<ModuleInner, Error> {
        let mut validator = Validator::new_with_features(wasm_features(features));
        let kept = sections_size(bytes).kept;
        let mut copy = Vec::new();
        if !room(kept) || copy.try_reserve_exact(kept).is_err() {
            return Err(Error::Limit(format!("not enough memory to load a module of {kept} bytes").into()));
        }
        copy.extend_from_slice(&bytes[..kept]);
        let mut m = ModuleInner {
            bytes: copy.into_boxed_slice(),
            types: Vec::new(),
            imports: Vec::new(),
            exports: Vec::new(),
            export_items: Vec::new(),
            func_types: Vec::new(),
            num_imported_funcs: 0,
            num_imported_tables: 0,
            num_imported_memories: 0,
            num_imported_globals: 0,
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            start: None,
            bodies: Vec::new(),
            compiled: Vec::new(),
        };
        let mut allocs = wasmparser::FuncValidatorAllocations::default();
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(|e| classify(e, false))?;
            pre_validate(bytes, &payload)?;
            let valid = validator.payload(&payload).map_err(|e| classify(e, true))?;
            match &payload {
                Payload::TypeSection(r) => reserve(&mut m.types, r.count(), COST_TYPE, room, "types")?,
                Payload::ImportSection(r) => reserve(&mut m.imports, r.count(), COST_IMPORT, room, "imports")?,
                Payload::FunctionSection(r) => {
                    reserve(&mut m.func_types, r.count(), COST_FUNC, room, "functions")?;
                    reserve(&mut m.bodies, r.count(), 0, room, "functions")?;
                    reserve(&mut m.compiled, r.count(), 0, room, "functions")?;
                }
                Payload::TableSection(r) => reserve(&mut m.tables, r.count(), COST_TABLE, room, "tables")?,
                Payload::GlobalSection(r) => reserve(&mut m.globals, r.count(), COST_GLOBAL, room, "globals")?,
                Payload::ExportSection(r) => {
                    reserve(&mut m.exports, r.count(), COST_EXPORT, room, "exports")?;
                    reserve(&mut m.export_items, r.count(), 0, room, "exports")?;
                }
                Payload::ElementSection(r) => reserve(&mut m.elems, r.count(), COST_ELEM, room, "element segments")?,
                Payload::DataSection(r) => reserve(&mut m.datas, r.count(), COST_DATA, room, "data segments")?,
                _ => {}
            }
            match &payload {
                Payload::TypeSection(r) => {
                    for rg in r.clone().into_iter_err_on_gc_types() {
                        let ft = rg.map_err(|e| classify(e, true))?;
                        m.types.push(FuncType::new(
                            ft.params().iter().map(|t| convert_valtype(*t)).collect::<Vec<_>>(),
                            ft.results().iter().map(|t| convert_valtype(*t)).collect::<Vec<_>>(),
                        ));
                    }
                }
                Payload::ImportSection(r) => {
                    for imp in r.clone().into_imports() {
                        let imp = imp.map_err(|e| classify(e, false))?;
                        let ty = match imp.ty {
                            TypeRef::Func(t) => {
                                m.func_types.push(t);
                                m.num_imported_funcs += 1;
                                ExternType::Func(m.types[t as usize].clone())
                            }
                            TypeRef::Table(t) => {
                                m.num_imported_tables += 1;
                                ExternType::Table(convert_table(&t))
                            }
                            TypeRef::Memory(t) => {
                                m.num_imported_memories += 1;
                                ExternType::Memory(convert_memory(&t))
                            }
                            TypeRef::Global(g) => {
                                m.num_imported_globals += 1;
                                ExternType::Global(convert_global(&g))
                            }
                            _ => return Err(Error::Invalid("unsupported import kind".into())),
                        };
                        m.imports.push(ImportDesc { module: imp.module.into(), name: imp.name.into(), ty });
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r.clone() {
                        m.func_types.push(t.map_err(|e| classify(e, false))?);
                    }
                }
                Payload::TableSection(r) => {
                    for t in r.clone() {
                        let t = t.map_err(|e| classify(e, false))?;
                        m.tables.push(convert_table(&t.ty));
                    }
                }
                Payload::MemorySection(r) => {
                    for t in r.clone() {
                        m.memories.push(convert_memory(&t.map_err(|e| classify(e, false))?));
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r.clone() {
                        let g = g.map_err(|e| classify(e, false))?;
                        m.globals.push((convert_global(&g.ty), const_expr(&g.init_expr)?));
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r.clone() {
                        let e = e.map_err(|e| classify(e, false))?;
                        m.export_items.push((e.kind, e.index));
                        m.exports.push(ExportDesc { name: e.name.into(), ty: ExternType::Func(FuncType::new([], [])) });
                    }
                }
                Payload::StartSection { func, .. } => m.start = Some(*func),
                Payload::ElementSection(r) => {
                    for e in r.clone() {
                        let e = e.map_err(|e| classify(e, false))?;
                        let mode = match e.kind {
                            ElementKind::Passive => ElemMode::Passive,
                            ElementKind::Declared => ElemMode::Declared,
                            ElementKind::Active { table_index, offset_expr } => ElemMode::Active {
                                table: table_index.unwrap_or(0),
                                offset: const_expr(&offset_expr)?,
                            },
                        };
                        let items = match e.items {
                            ElementItems::Functions(r) => {
                                let mut v = Vec::new();
                                reserve(&mut v, r.count(), COST_ELEM_ITEM, room, "element items")?;
                                for f in r {
                                    v.push(f.map_err(|e| classify(e, false))?);
                                }
                                ElemItems::Funcs(v.into())
                            }
                            ElementItems::Expressions(_, r) => {
                                let mut v = Vec::new();
                                reserve(&mut v, r.count(), COST_ELEM_ITEM, room, "element items")?;
                                for x in r {
                                    v.push(const_expr(&x.map_err(|e| classify(e, false))?)?);
                                }
                                ElemItems::Exprs(v.into())
                            }
                        };
                        m.elems.push(ElemSeg { mode, items });
                    }
                }
                Payload::DataSection(r) => {
                    for d in r.clone() {
                        let d = d.map_err(|e| classify(e, false))?;
                        let start = d.data.as_ptr() as usize - bytes.as_ptr() as usize;
                        let active = match d.kind {
                            DataKind::Passive => None,
                            DataKind::Active { memory_index, offset_expr } => {
                                Some((memory_index, const_expr(&offset_expr)?))
                            }
                        };
                        m.datas.push(DataSeg { active, bytes: start..start + d.data.len() });
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let range = body.range();
                    m.bodies.push(range.start as usize..range.end as usize);
                }
                _ => {}
            }
            if let ValidPayload::Func(fv, body) = valid {
                let (r, a) = ember_validate::validate_body(fv, &body, std::mem::take(&mut allocs));
                if let Err(e) = r {
                    return Err(match body_decode_error(&body) {
                        Some(d) => classify(d, false),
                        None => classify(e, true),
                    });
                }
                allocs = a;
            }
        }
        // Export types, now that every index space is known.
        for i in 0..m.exports.len() {
            let (kind, idx) = m.export_items[i];
            m.exports[i].ty = m.extern_type(kind, idx);
        }
        m.compiled.clear();
        reserve(&mut m.compiled, m.bodies.len() as u32, 0, room, "functions")?;
        m.compiled.extend((0..m.bodies.len()).map(|_| OnceLock::new()));
        Ok(m)
    }

    fn extern_type(&self, kind: ExternalKind, idx: u32) -> ExternType {
        match kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                ExternType::Func(self.types[self.func_types[idx as usize] as usize].clone())
            }
            ExternalKind::Table => ExternType::Table(self.table_type(idx)),
            ExternalKind::Memory => ExternType::Memory(self.memory_type(idx)),
            ExternalKind::Global => ExternType::Global(self.global_type(idx)),
            ExternalKind::Tag => ExternType::Func(FuncType::new([], [])),
        }
    }

    fn nth_import<F: Fn(&ExternType) -> Option<R>, R>(&self, n: u32, f: F) -> Option<R> {
        self.imports.iter().filter_map(|i| f(&i.ty)).nth(n as usize)
    }

    pub fn table_type(&self, idx: u32) -> TableType {
        if idx < self.num_imported_tables {
            self.nth_import(idx, |t| if let ExternType::Table(t) = t { Some(t.clone()) } else { None })
                .expect("validated table index")
        } else {
            self.tables[(idx - self.num_imported_tables) as usize].clone()
        }
    }

    pub fn memory_type(&self, idx: u32) -> MemoryType {
        if idx < self.num_imported_memories {
            self.nth_import(idx, |t| if let ExternType::Memory(t) = t { Some(t.clone()) } else { None })
                .expect("validated memory index")
        } else {
            self.memories[(idx - self.num_imported_memories) as usize].clone()
        }
    }

    pub fn global_type(&self, idx: u32) -> GlobalType {
        if idx < self.num_imported_globals {
            self.nth_import(idx, |t| if let ExternType::Global(t) = t { Some(t.clone()) } else { None })
                .expect("validated global index")
        } else {
            self.globals[(idx - self.num_imported_globals) as usize].0.clone()
        }
    }

    pub fn func_type(&self, func_idx: u32) -> &FuncType {
        &self.types[self.func_types[func_idx as usize] as usize]
    }
}
