//! The internal register IR that the translator produces and the executor runs.
//!
//! Every instruction is one fixed-size [`Instr`] (16 bytes): an opcode and three
//! 32-bit operand fields. Operands name *frame slots* (8-byte cells relative to
//! the frame pointer: params, then locals, then the operand-stack slots whose
//! positions the translator resolved statically), immediates, or instruction
//! indices (branch targets). Ops that need more than three operands are followed
//! by an [`Op::Extra`] word that the executor reads and skips.
//!
//! Field conventions (`dst`, `a`, `b`) are documented per opcode group below.

/// A frame-slot index (cells from the frame pointer).
pub type Slot = u32;

#[derive(Clone, Copy, Debug)]
pub struct Instr {
    pub op: Op,
    pub dst: u32,
    pub a: u32,
    pub b: u32,
}

impl Instr {
    pub fn new(op: Op, dst: u32, a: u32, b: u32) -> Instr {
        Instr { op, dst, a, b }
    }
}

macro_rules! define_ops {
    ($($name:ident,)*) => {
        /// Opcodes. A fieldless enum so `match` compiles to a jump table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Op { $($name,)* }
    };
}

define_ops! {
    // ---- control ----
    // Extra: payload word of the preceding instruction (never executed).
    Extra,
    Unreachable,
    // Br: dst = target pc.
    Br,
    // BrIf / BrIfNot: dst = target pc, a = condition slot (i32).
    BrIf,
    BrIfNot,
    // Fused compare + branch: dst = target, a, b = operand slots.
    BrI32Eq, BrI32Ne, BrI32LtS, BrI32LtU, BrI32GtS, BrI32GtU, BrI32LeS, BrI32LeU, BrI32GeS, BrI32GeU,
    BrI32Eqz, BrI64Eqz, BrI64Eq, BrI64Ne,
    // Fused compare-with-immediate + branch: dst = target, a = slot, b = i32 immediate.
    BrI32EqImm, BrI32NeImm, BrI32LtSImm, BrI32LtUImm, BrI32GtSImm, BrI32GtUImm,
    BrI32LeSImm, BrI32LeUImm, BrI32GeSImm, BrI32GeUImm,
    // BrTable: a = index slot, b = number of non-default targets n; followed by
    // n + 1 `Br` instructions (the last is the default).
    BrTable,
    // Return: results already at fp[0..]. ReturnSlot: fp[0] = fp[a] then return.
    Return,
    ReturnSlot,
    // Calls: dst = function (defined index for Call, module index for CallImport),
    // a = slot of the first argument (the callee frame starts there).
    Call,
    CallImport,
    // CallIndirect: dst = type index, a = first-argument slot, b = table-index slot;
    // Extra.dst = table.
    CallIndirect,
    // ---- data movement ----
    // Copy: fp[dst] = fp[a]. Const32: fp[dst] = a. Const64: fp[dst] = a | b << 32.
    Copy,
    // Copy2: two sequential copies packed as 16-bit slots:
    // fp[dst & 0xffff] = fp[a & 0xffff]; then fp[dst >> 16] = fp[a >> 16].
    Copy2,
    Const32,
    Const64,
    // Select: dst = a if cond != 0 else b; Extra.a = cond slot.
    Select,
    // GlobalGet: fp[dst] = global a. GlobalSet: global dst = fp[a].
    GlobalGet,
    GlobalSet,
    // ---- memory: loads dst = mem[fp[a] + b]; stores mem[fp[a] + b] = fp[dst] ----
    I32Load, I64Load, F32Load, F64Load,
    I32Load8S, I32Load8U, I32Load16S, I32Load16U,
    I64Load8S, I64Load8U, I64Load16S, I64Load16U, I64Load32S, I64Load32U,
    I32Store, I64Store, F32Store, F64Store, I32Store8, I32Store16, I64Store8, I64Store16, I64Store32,
    // Stores of a constant: mem[fp[a] + b] = dst (I64StoreImm: dst sign-extended to 64 bits).
    I32StoreImm, I32Store8Imm, I32Store16Imm, I64StoreImm,
    // MemorySize: fp[dst] = pages. MemoryGrow: fp[dst] = grow(fp[a]).
    MemorySize,
    MemoryGrow,
    // MemoryFill/MemoryCopy: dst = dest-address slot, a = value / source slot, b = length slot.
    MemoryFill,
    MemoryCopy,
    // MemoryInit: dst, a, b as MemoryCopy; Extra.dst = data segment. DataDrop: dst = segment.
    MemoryInit,
    DataDrop,
    // ---- tables ----
    // TableGet: fp[dst] = table b [fp[a]]. TableSet: table dst [fp[a]] = fp[b].
    TableGet,
    TableSet,
    // TableSize: fp[dst] = size of table a. TableGrow: fp[dst] = grow(init fp[a], by fp[b]); Extra.dst = table.
    TableSize,
    TableGrow,
    // TableFill: dst = start slot, a = value slot, b = length slot; Extra.dst = table.
    TableFill,
    // TableCopy: dst/a/b = d/s/n slots; Extra.dst = dest table, Extra.a = source table.
    TableCopy,
    // TableInit: dst/a/b = d/s/n slots; Extra.dst = table, Extra.a = element segment.
    TableInit,
    ElemDrop,
    // RefFunc: fp[dst] = reference to function a (module index). RefIsNull: fp[dst] = fp[a] == 0.
    RefFunc,
    RefIsNull,
    // ---- i32 (binary: fp[dst] = fp[a] op fp[b]; unary: fp[dst] = op fp[a]) ----
    I32Eqz, I32Eq, I32Ne, I32LtS, I32LtU, I32GtS, I32GtU, I32LeS, I32LeU, I32GeS, I32GeU,
    I32Clz, I32Ctz, I32Popcnt,
    I32Add, I32Sub, I32Mul, I32DivS, I32DivU, I32RemS, I32RemU,
    I32And, I32Or, I32Xor, I32Shl, I32ShrS, I32ShrU, I32Rotl, I32Rotr,
    // i32 with an immediate right operand: fp[dst] = fp[a] op b.
    I32AddImm, I32SubImm, I32MulImm, I32AndImm, I32OrImm, I32XorImm, I32ShlImm, I32ShrSImm, I32ShrUImm,
    I32EqImm, I32NeImm, I32LtSImm, I32LtUImm, I32GtSImm, I32GtUImm, I32LeSImm, I32LeUImm, I32GeSImm, I32GeUImm,
    // ---- i64 ----
    I64Eqz, I64Eq, I64Ne, I64LtS, I64LtU, I64GtS, I64GtU, I64LeS, I64LeU, I64GeS, I64GeU,
    I64Clz, I64Ctz, I64Popcnt,
    I64Add, I64Sub, I64Mul, I64DivS, I64DivU, I64RemS, I64RemU,
    I64And, I64Or, I64Xor, I64Shl, I64ShrS, I64ShrU, I64Rotl, I64Rotr,
    // i64 with a sign-extended 32-bit immediate: fp[dst] = fp[a] op (b as i32 as i64).
    I64AddImm, I64AndImm, I64ShlImm, I64ShrSImm, I64ShrUImm,
    // ---- f32 ----
    F32Eq, F32Ne, F32Lt, F32Gt, F32Le, F32Ge,
    F32Abs, F32Neg, F32Ceil, F32Floor, F32Trunc, F32Nearest, F32Sqrt,
    F32Add, F32Sub, F32Mul, F32Div, F32Min, F32Max, F32Copysign,
    // ---- f64 ----
    F64Eq, F64Ne, F64Lt, F64Gt, F64Le, F64Ge,
    F64Abs, F64Neg, F64Ceil, F64Floor, F64Trunc, F64Nearest, F64Sqrt,
    F64Add, F64Sub, F64Mul, F64Div, F64Min, F64Max, F64Copysign,
    // ---- conversions ----
    I32WrapI64, I32TruncF32S, I32TruncF32U, I32TruncF64S, I32TruncF64U,
    I64ExtendI32S, I64ExtendI32U, I64TruncF32S, I64TruncF32U, I64TruncF64S, I64TruncF64U,
    F32ConvertI32S, F32ConvertI32U, F32ConvertI64S, F32ConvertI64U, F32DemoteF64,
    F64ConvertI32S, F64ConvertI32U, F64ConvertI64S, F64ConvertI64U, F64PromoteF32,
    I32Extend8S, I32Extend16S, I64Extend8S, I64Extend16S, I64Extend32S,
    I32TruncSatF32S, I32TruncSatF32U, I32TruncSatF64S, I32TruncSatF64U,
    I64TruncSatF32S, I64TruncSatF32U, I64TruncSatF64S, I64TruncSatF64U,
}

/// A translated function body.
#[derive(Debug)]
pub struct CompiledFunc {
    pub code: Box<[Instr]>,
    /// Cells the frame needs: params + locals + deepest operand stack.
    pub frame_size: u32,
    pub num_params: u32,
    /// Declared (non-parameter) locals, zeroed on entry.
    pub num_locals: u32,
}
