//! The internal register IR that the translator produces and the executor runs, and the one
//! place its instruction set is declared.
//!
//! Every instruction is one fixed-size [`Instr`] (16 bytes): an opcode and three
//! 32-bit operand fields. Operands name *frame slots* (8-byte cells relative to
//! the frame pointer: params, then locals, then the operand-stack slots whose
//! positions the translator resolved statically), immediates, entity indices, or
//! branch targets. Ops that need more than three operands are followed by an
//! [`Op::Extra`] word that the executor reads and skips.
//!
//! # The instruction set, declared once
//!
//! [`define_isa!`] below lists every op with what each of its fields holds ([`Field`]: a
//! slot, a branch target, an immediate, a global/table/function/... index), its `Extra`
//! word's fields if it has one, whether it needs memory 0, and the translator's rewrite
//! properties (the fused compare-and-branch form, the negated comparison, the
//! immediate forms, a load's or store's fused-address forms, a binary operator's form with a
//! loaded right operand, a byte load's form converting to f32). From that one list the macro
//! derives the [`Op`] enum, [`Op::shape`], [`Op::is_branch`], [`Op::has_imm_s64`], [`Op::name`]
//! and the rewrite properties
//! [`Op::fused_branch`], [`Op::negated`], [`Op::imm_right`], [`Op::imm_left`], [`Op::indexed`],
//! [`Op::wrapped`], [`Op::loaded_right`], [`Op::loaded_right_wrapped`],
//! [`Op::to_f32_unsigned`]: each is an
//! exhaustive `match` generated per op (the rewrite properties are read at run time through
//! small tables built from those matches at compile time, see `isa_sparse!`), so an op cannot
//! be added without its properties, and no property has a catch-all default.
//! The executor's `step` (`ember-interp`, exec.rs) matches `Op` exhaustively too.
//! Who relies on the shapes: the translator's `finish` (branch targets -> relative
//! offsets), the IR verifier (`verify.rs`, debug builds and tests) and the executor's
//! unchecked slot and `ip` accesses, whose safety the verifier checks.
//!
//! Adding an op touches: its line here, its arm in `step` (exec.rs), and the translator code that
//! emits it (`translate.rs`). Nothing else needs to know it exists.
//!
//! Neither fuel nor stack effects are per-op properties today: fuel is charged per taken
//! branch and per call (exec.rs), and stack heights are resolved by the translator.

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

/// What one 32-bit field of an instruction holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Not used (the translator writes 0; the executor does not read it).
    Unused,
    /// A frame slot (read or written): below the frame size.
    Slot,
    /// A v128 value's slot: the value occupies this cell (low 64 bits) and the next (high 64
    /// bits), both below the frame size.
    V128,
    /// Two frame slots packed as 16-bit halves, low half first (`Copy2`).
    Slot2,
    /// Two v128 slots packed as 16-bit halves, low half first (each value takes its cell and
    /// the next).
    V128x2,
    /// A v128 slot (low 16 bits) and a slot (high 16 bits): a v128 loaded-right form's left
    /// operand and address.
    V128AndSlot,
    /// Slot of a call's first argument: the callee's frame starts there, so the callee's
    /// parameters and results occupy `base..base + max(params, results)` of this frame.
    CallBase,
    /// A branch target: an instruction index during translation; after the translator's
    /// `finish`, an offset relative to the next instruction (as the executor jumps).
    Target,
    /// `BrTable`'s count `n` of non-default targets: `n + 1` `Br` instructions follow.
    Count,
    /// A 32-bit immediate, used as is (u32 / i32 bits).
    Imm,
    /// A 32-bit immediate sign-extended to 64 bits: an i64 constant fits it only when
    /// `v as i32 as i64 == v`.
    ImmS64,
    /// A defined-function index (`Call`).
    DefFunc,
    /// An imported-function index, i.e. a module function index below the imports (`CallImport`).
    ImportFunc,
    /// A module function index, imports first (`RefFunc`).
    Func,
    /// A type index.
    Type,
    /// A module global index, imports first.
    Global,
    /// A module table index, imports first.
    Table,
    /// A data-segment index.
    Data,
    /// An element-segment index.
    Elem,
    /// A module memory index, imports first (`MemUse`).
    Memory,
}

/// An op's operands: what `dst`, `a` and `b` hold, what its `Extra` word's fields hold if it
/// is followed by one, and whether it accesses memory 0 (so the module must have one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub dst: Field,
    pub a: Field,
    pub b: Field,
    pub extra: Option<[Field; 3]>,
    pub mem: bool,
}

impl Shape {
    pub const fn fields(&self) -> [Field; 3] {
        [self.dst, self.a, self.b]
    }
}

/// The instruction set: one line per op (see the module docs). Syntax of a line:
///
/// `Name(dst, a, b) [+ (extra.dst, extra.a, extra.b)] [mem] [{ br = X; not = Y; imm = Z; imm_l = W; idx = V; wrap = U; ld = T; ldw = R; f32u = S; }],`
///
/// Fields are [`Field`] variant names, `_` for unused. The optional properties, in this order:
/// `br`: the fused compare-and-branch op for this comparison (same `a`, `b`; target in `dst`);
/// `not`: the comparison with the opposite outcome; `imm`: the form taking the top-of-stack
/// operand (right operand / stored value) as an immediate; `imm_l`: the form taking a constant
/// *left* operand as its immediate (`b`), with the other operand in `a`; `idx`: the load or store
/// form addressing the sum of two slots; `wrap`: the form addressing a slot plus a constant;
/// `ld`: the binary operator's form with its right operand loaded from memory; `ldw`: the same
/// loaded from a slot plus a constant (a wrapped load, `wrap`); `f32u`: the byte load's form
/// converting the byte to f32.
macro_rules! define_isa {
    ($(
        $(#[$doc:meta])*
        $name:ident ( $d:tt, $a:tt, $b:tt )
        $( + ( $xd:tt, $xa:tt, $xb:tt ) )?
        $( [$mem:ident] )?
        $( {
            $( br = $br:ident; )?
            $( not = $not:ident; )?
            $( imm = $imm:ident; )?
            $( imm_l = $imml:ident; )?
            $( idx = $idx:ident; )?
            $( wrap = $wrap:ident; )?
            $( ld = $ld:ident; )?
            $( ldw = $ldw:ident; )?
            $( f32u = $f32u:ident; )?
        } )?
        ,
    )*) => {
        /// Opcodes. A fieldless enum so `match` compiles to a jump table. Declared, with every
        /// op's properties, by `define_isa!` (see the module docs).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Op { $( $(#[$doc])* $name, )* }

        impl Op {
            /// Every op, in declaration order.
            pub const ALL: &'static [Op] = &[ $( Op::$name, )* ];

            /// What the op's fields hold.
            pub const fn shape(self) -> Shape {
                match self {
                    $( Op::$name => Shape {
                        dst: isa_field!($d),
                        a: isa_field!($a),
                        b: isa_field!($b),
                        extra: isa_extra!($( ($xd, $xa, $xb) )?),
                        mem: isa_flag!($($mem)?),
                    }, )*
                }
            }

            /// The op's name as declared.
            pub const fn name(self) -> &'static str {
                match self { $( Op::$name => stringify!($name), )* }
            }

            /// Whether `dst` is a branch target (rewritten to a relative offset by the
            /// translator's `finish`, followed by the executor's `jump!`).
            #[inline]
            pub const fn is_branch(self) -> bool {
                match self { $( Op::$name => isa_is!(Target, $d), )* }
            }

            /// Whether the op has a sign-extended immediate ([`Field::ImmS64`]): an i64
            /// constant becomes its immediate only if `v as i32 as i64 == v`.
            #[inline]
            pub const fn has_imm_s64(self) -> bool {
                match self { $( Op::$name => isa_is!(ImmS64, $d) || isa_is!(ImmS64, $b), )* }
            }

            // The translator's rewrite properties as declared, one exhaustive match each.
            // The public accessors (below the macro) read compact tables built from these at
            // compile time.
            const fn fused_branch_decl(self) -> Option<Op> {
                match self { $( Op::$name => isa_opt!($($($br)?)?), )* }
            }
            const fn negated_decl(self) -> Option<Op> {
                match self { $( Op::$name => isa_opt!($($($not)?)?), )* }
            }
            const fn imm_right_decl(self) -> Option<Op> {
                match self { $( Op::$name => isa_opt!($($($imm)?)?), )* }
            }
            const fn imm_left_decl(self) -> Option<Op> {
                match self { $( Op::$name => isa_opt!($($($imml)?)?), )* }
            }
            const fn indexed_decl(self) -> Option<Op> {
                match self { $( Op::$name => isa_opt!($($($idx)?)?), )* }
            }
            const fn wrapped_decl(self) -> Option<Op> {
                match self { $( Op::$name => isa_opt!($($($wrap)?)?), )* }
            }
            const fn loaded_right_decl(self) -> Option<Op> {
                match self { $( Op::$name => isa_opt!($($($ld)?)?), )* }
            }
            const fn loaded_right_wrapped_decl(self) -> Option<Op> {
                match self { $( Op::$name => isa_opt!($($($ldw)?)?), )* }
            }
            const fn to_f32_unsigned_decl(self) -> Option<Op> {
                match self { $( Op::$name => isa_opt!($($($f32u)?)?), )* }
            }
        }
    };
}

macro_rules! isa_field {
    (_) => {
        Field::Unused
    };
    ($k:ident) => {
        Field::$k
    };
}

macro_rules! isa_extra {
    () => {
        None
    };
    (($d:tt, $a:tt, $b:tt)) => {
        Some([isa_field!($d), isa_field!($a), isa_field!($b)])
    };
}

macro_rules! isa_flag {
    () => {
        false
    };
    (mem) => {
        true
    };
}

macro_rules! isa_opt {
    () => {
        None
    };
    ($op:ident) => {
        Some(Op::$op)
    };
}

macro_rules! isa_is {
    ($kind:ident, _) => {
        false
    };
    ($kind:ident, $k:ident) => {
        matches!(Field::$k, Field::$kind)
    };
}

/// A public accessor for a declared `Option<Op>` property (`$decl`, exhaustive): a table
/// built at compile time covering only the ops from the first to the last that have the
/// property (a full 241-entry table per property would cost the release build ~0.5 KB each).
macro_rules! isa_sparse {
    ($(#[$doc:meta])* $name:ident = $decl:ident) => {
        $(#[$doc])*
        #[inline]
        pub fn $name(self) -> Option<Op> {
            const LO: usize = {
                let mut i = 0;
                while i < Op::ALL.len() && Op::ALL[i].$decl().is_none() {
                    i += 1;
                }
                i
            };
            const HI: usize = {
                let mut i = Op::ALL.len();
                while i > LO && Op::ALL[i - 1].$decl().is_none() {
                    i -= 1;
                }
                i
            };
            const TABLE: [Option<Op>; HI - LO] = {
                let mut t = [None; HI - LO];
                let mut i = LO;
                while i < HI {
                    t[i - LO] = Op::ALL[i].$decl();
                    i += 1;
                }
                t
            };
            match TABLE.get((self as usize).wrapping_sub(LO)) {
                Some(&p) => p,
                None => None,
            }
        }
    };
}

impl Op {
    isa_sparse!(
        /// The compare-and-branch op a branch on this comparison's result fuses into.
        fused_branch = fused_branch_decl
    );
    isa_sparse!(
        /// The comparison with the opposite outcome.
        negated = negated_decl
    );
    isa_sparse!(
        /// The form with the top-of-stack operand (right operand, stored value) as an immediate.
        imm_right = imm_right_decl
    );
    isa_sparse!(
        /// The form with a constant left operand as the immediate (`b`), the right operand in
        /// `a` (commuted; for comparisons the mirrored comparison).
        imm_left = imm_left_decl
    );
    isa_sparse!(
        /// For a load or store: the form whose address is the wrapping sum of two slots
        /// (`a` = [`Field::Slot2`]), into which the `i32.add` computing the address fuses.
        indexed = indexed_decl
    );
    isa_sparse!(
        /// For a load or store with offset 0: the form whose `b` is an immediate added to the
        /// address slot with wrapping at 2^32 (not an offset), into which the `i32.add` of a
        /// constant computing the address fuses.
        wrapped = wrapped_decl
    );
    isa_sparse!(
        /// For a binary operator: the form whose right operand is loaded from memory (`a` =
        /// [`Field::Slot2`]: left operand, address; `b` = offset), into which a full-width
        /// load at a one-slot address (`I32Load`, `I64Load`, `F32Load`, `F64Load`) feeding the
        /// operator fuses.
        loaded_right = loaded_right_decl
    );
    isa_sparse!(
        /// For a binary operator: the form whose right operand is loaded at a slot plus a
        /// constant added with wrapping (`a` = left operand, address; `b` = the constant), into
        /// which a wrapped load (`I32LoadW`, `I64LoadW`) feeding the operator fuses.
        loaded_right_wrapped = loaded_right_wrapped_decl
    );
    isa_sparse!(
        /// For a byte load: the same access converting the byte to f32 (`f32.convert_i32_u`
        /// of the loaded value fused in; same fields).
        to_f32_unsigned = to_f32_unsigned_decl
    );
}

define_isa! {
    // ---- control ----
    // Extra: payload word of the preceding instruction (never executed; its fields are
    // declared by the op it follows).
    Extra(_, _, _),
    Unreachable(_, _, _),
    // Br: dst = target.
    Br(Target, _, _),
    // BrIf / BrIfNot: dst = target, a = condition slot (i32).
    BrIf(Target, Slot, _),
    BrIfNot(Target, Slot, _),
    // Fused compare + branch: dst = target, a, b = operand slots.
    BrI32Eq(Target, Slot, Slot),
    BrI32Ne(Target, Slot, Slot),
    BrI32LtS(Target, Slot, Slot),
    BrI32LtU(Target, Slot, Slot),
    BrI32GtS(Target, Slot, Slot),
    BrI32GtU(Target, Slot, Slot),
    BrI32LeS(Target, Slot, Slot),
    BrI32LeU(Target, Slot, Slot),
    BrI32GeS(Target, Slot, Slot),
    BrI32GeU(Target, Slot, Slot),
    BrI32Eqz(Target, Slot, _),
    BrI64Eqz(Target, Slot, _),
    BrI64Eq(Target, Slot, Slot),
    BrI64Ne(Target, Slot, Slot),
    // Fused compare-with-immediate + branch: dst = target, a = slot, b = i32 immediate.
    BrI32EqImm(Target, Slot, Imm),
    BrI32NeImm(Target, Slot, Imm),
    BrI32LtSImm(Target, Slot, Imm),
    BrI32LtUImm(Target, Slot, Imm),
    BrI32GtSImm(Target, Slot, Imm),
    BrI32GtUImm(Target, Slot, Imm),
    BrI32LeSImm(Target, Slot, Imm),
    BrI32LeUImm(Target, Slot, Imm),
    BrI32GeSImm(Target, Slot, Imm),
    BrI32GeUImm(Target, Slot, Imm),
    // Loop back-edges (translate.rs `fuse_step`): an add fused into the compare-and-branch
    // that reads its result. The add is done (and its result stored) first, whether or not
    // the branch is taken; the comparison reads its other operand after that store.
    // Increment in place: fp[x] = fp[x] + b (wrapping), then branch if fp[x] OP fp[n];
    // a = x | n << 16.
    BrI32IncNe(Target, Slot2, Imm),
    BrI32IncLtS(Target, Slot2, Imm),
    BrI32IncLtU(Target, Slot2, Imm),
    BrI64IncNe(Target, Slot2, ImmS64),
    // Increment in place by a constant, compared with a constant: fp[a] += (b >> 16) as i16,
    // then branch if fp[a] OP (b as i16): both constants fit 16 bits, sign-extended.
    BrI32IncNeImm(Target, Slot, Imm),
    BrI32IncLtSImm(Target, Slot, Imm),
    BrI32IncLtUImm(Target, Slot, Imm),
    // Branch on a loaded i32 (translate.rs `br_if`): dst = target, a and b the load's; branch
    // if the loaded value is not 0 (the load's bounds check first).
    BrIfI32Load(Target, Slot, Imm) [mem],
    BrIfI32Load8U(Target, Slot, Imm) [mem],
    BrIfI32Load8UX(Target, Slot2, Imm) [mem],
    // Add of two slots: fp[t] = fp[x] + fp[y] (wrapping), then branch if fp[t] OP fp[n];
    // a = x | y << 16, b = t | n << 16.
    BrI32AddNe(Target, Slot2, Slot2),
    BrI32AddLtS(Target, Slot2, Slot2),
    BrI32AddLtU(Target, Slot2, Slot2),
    // A step in place, then an add compared (a strength-reduced loop: `j += i` then
    // `base + j < n`): fp[x] = fp[x] + fp[y], then branch if fp[z] + fp[x] OP fp[n] (wrapping
    // adds; the second sum is a dead temporary, not stored); a = x | y << 16, b = z | n << 16.
    BrI32StepAddLtS(Target, Slot2, Slot2),
    BrI32StepAddLtU(Target, Slot2, Slot2),
    // BrTable: a = index slot, b = number of non-default targets n; followed by
    // n + 1 `Br` instructions (the last is the default).
    BrTable(_, Slot, Count),
    // Return: results already at fp[0..]. ReturnSlot: fp[0] = fp[a] then return.
    Return(_, _, _),
    ReturnSlot(_, Slot, _),
    // Calls: dst = function, a = slot of the first argument (the callee frame starts there).
    Call(DefFunc, CallBase, _),
    CallImport(ImportFunc, CallBase, _),
    // CallIndirect: dst = type index, b = table-index slot; Extra.dst = table.
    CallIndirect(Type, CallBase, Slot) + (Table, _, _),
    // ---- data movement ----
    // Copy: fp[dst] = fp[a].
    Copy(Slot, Slot, _),
    // Copy2: two sequential copies packed as 16-bit slots:
    // fp[dst & 0xffff] = fp[a & 0xffff]; then fp[dst >> 16] = fp[a >> 16].
    Copy2(Slot2, Slot2, _),
    // Const32: fp[dst] = a. Const64: fp[dst] = a | b << 32.
    Const32(Slot, Imm, _),
    Const64(Slot, Imm, Imm),
    // Select: dst = a if cond != 0 else b; Extra.a = cond slot.
    Select(Slot, Slot, Slot) + (_, Slot, _),
    // Select on an i32 comparison (translate.rs `select_on_compare`): dst = fp[x] if
    // fp[p] OP fp[q] else fp[y]; a = x | y << 16, b = p | q << 16.
    SelectI32Eq(Slot, Slot2, Slot2),
    SelectI32LtS(Slot, Slot2, Slot2),
    SelectI32LtU(Slot, Slot2, Slot2),
    // GlobalGet: fp[dst] = global a. GlobalSet: global dst = fp[a].
    GlobalGet(Slot, Global, _),
    GlobalSet(Global, Slot, _),
    // ---- memory: loads fp[dst] = mem[fp[a] + b]; stores mem[fp[a] + b] = fp[dst] ----
    I32Load(Slot, Slot, Imm) [mem] { idx = I32LoadX; wrap = I32LoadW; },
    I64Load(Slot, Slot, Imm) [mem] { idx = I64LoadX; wrap = I64LoadW; },
    F32Load(Slot, Slot, Imm) [mem] { idx = I32LoadX; wrap = I32LoadW; },
    F64Load(Slot, Slot, Imm) [mem] { idx = I64LoadX; wrap = I64LoadW; },
    I32Load8S(Slot, Slot, Imm) [mem] { idx = I32Load8SX; wrap = I32Load8SW; },
    I32Load8U(Slot, Slot, Imm) [mem] { idx = I32Load8UX; wrap = I32Load8UW; f32u = F32Load8U; },
    I32Load16S(Slot, Slot, Imm) [mem] { idx = I32Load16SX; wrap = I32Load16SW; },
    I32Load16U(Slot, Slot, Imm) [mem] { idx = I32Load16UX; wrap = I32Load16UW; },
    I64Load8S(Slot, Slot, Imm) [mem],
    I64Load8U(Slot, Slot, Imm) [mem] { idx = I32Load8UX; wrap = I32Load8UW; },
    I64Load16S(Slot, Slot, Imm) [mem],
    I64Load16U(Slot, Slot, Imm) [mem] { idx = I32Load16UX; wrap = I32Load16UW; },
    I64Load32S(Slot, Slot, Imm) [mem],
    I64Load32U(Slot, Slot, Imm) [mem] { idx = I32LoadX; wrap = I32LoadW; },
    I32Store(Slot, Slot, Imm) [mem] { imm = I32StoreImm; idx = I32StoreX; wrap = I32StoreW; },
    I64Store(Slot, Slot, Imm) [mem] { imm = I64StoreImm; idx = I64StoreX; wrap = I64StoreW; },
    F32Store(Slot, Slot, Imm) [mem] { imm = I32StoreImm; idx = I32StoreX; wrap = I32StoreW; },
    F64Store(Slot, Slot, Imm) [mem] { imm = I64StoreImm; idx = I64StoreX; wrap = I64StoreW; },
    I32Store8(Slot, Slot, Imm) [mem] { imm = I32Store8Imm; idx = I32Store8X; wrap = I32Store8W; },
    I32Store16(Slot, Slot, Imm) [mem] { imm = I32Store16Imm; idx = I32Store16X; wrap = I32Store16W; },
    I64Store8(Slot, Slot, Imm) [mem] { imm = I32Store8Imm; idx = I32Store8X; wrap = I32Store8W; },
    I64Store16(Slot, Slot, Imm) [mem] { imm = I32Store16Imm; idx = I32Store16X; wrap = I32Store16W; },
    I64Store32(Slot, Slot, Imm) [mem] { imm = I32StoreImm; idx = I32StoreX; wrap = I32StoreW; },
    // Stores of a constant: mem[fp[a] + b] = dst (I64StoreImm: dst sign-extended to 64 bits).
    I32StoreImm(Imm, Slot, Imm) [mem] { idx = I32StoreImmX; wrap = I32StoreImmW; },
    I32Store8Imm(Imm, Slot, Imm) [mem] { idx = I32Store8ImmX; wrap = I32Store8ImmW; },
    I32Store16Imm(Imm, Slot, Imm) [mem] { idx = I32Store16ImmX; wrap = I32Store16ImmW; },
    I64StoreImm(ImmS64, Slot, Imm) [mem] { idx = I64StoreImmX; wrap = I64StoreImmW; },
    // Loads and stores at the sum of two slots: the `i32.add` computing the address fused in
    // (`indexed`). a = the two address slots packed as 16-bit halves (as Copy2), b = offset;
    // the address is (fp[a & 0xffff] + fp[a >> 16]) mod 2^32, plus b without wrapping. Loads
    // write fp[dst]; stores store fp[dst] (the Imm forms: dst itself, as the forms above).
    I32LoadX(Slot, Slot2, Imm) [mem],
    I64LoadX(Slot, Slot2, Imm) [mem],
    I32Load8SX(Slot, Slot2, Imm) [mem],
    I32Load8UX(Slot, Slot2, Imm) [mem] { f32u = F32Load8UX; },
    I32Load16SX(Slot, Slot2, Imm) [mem],
    I32Load16UX(Slot, Slot2, Imm) [mem],
    I32StoreX(Slot, Slot2, Imm) [mem],
    I64StoreX(Slot, Slot2, Imm) [mem],
    I32Store8X(Slot, Slot2, Imm) [mem],
    I32Store16X(Slot, Slot2, Imm) [mem],
    I32StoreImmX(Imm, Slot2, Imm) [mem],
    I32Store8ImmX(Imm, Slot2, Imm) [mem],
    I32Store16ImmX(Imm, Slot2, Imm) [mem],
    I64StoreImmX(ImmS64, Slot2, Imm) [mem],
    // Loads and stores at a slot plus a constant: the `i32.add` of a constant computing the
    // address of an access with offset 0 fused in (`wrapped`). a = address slot, b = the
    // constant; the address is (fp[a] + b) mod 2^32 (wasm's add wraps; an offset would not).
    I32LoadW(Slot, Slot, Imm) [mem],
    I64LoadW(Slot, Slot, Imm) [mem],
    I32Load8SW(Slot, Slot, Imm) [mem],
    I32Load8UW(Slot, Slot, Imm) [mem] { f32u = F32Load8UW; },
    I32Load16SW(Slot, Slot, Imm) [mem],
    I32Load16UW(Slot, Slot, Imm) [mem],
    I32StoreW(Slot, Slot, Imm) [mem],
    I64StoreW(Slot, Slot, Imm) [mem],
    I32Store8W(Slot, Slot, Imm) [mem],
    I32Store16W(Slot, Slot, Imm) [mem],
    I32StoreImmW(Imm, Slot, Imm) [mem],
    I32Store8ImmW(Imm, Slot, Imm) [mem],
    I32Store16ImmW(Imm, Slot, Imm) [mem],
    I64StoreImmW(ImmS64, Slot, Imm) [mem],
    // Chains: a binary operator with an operand computed by the instruction before, fused in
    // (translate.rs `fuse_chain`; the operator commutes, so the computed operand may be either).
    // By a shift or rotation by a constant: fp[dst] = fp[l] op (fp[x] sh b), a = l | x << 16.
    I32XorRotlImm(Slot, Slot2, Imm),
    I32XorShrUImm(Slot, Slot2, Imm),
    I32XorShlImm(Slot, Slot2, Imm),
    // A shift right then a mask (from `(x >> k) & m`, and `(x & m) >> k` as `(x >> k) & (m >> k)`):
    // fp[dst] = (fp[a] >> (b & 31)) & (b >> 5), the mask below 2^27; by a slot:
    // fp[dst] = (fp[x] >> fp[y]) & b, a = x | y << 16.
    I32ShrUImmAndImm(Slot, Slot, Imm),
    I32ShrUAndImm(Slot, Slot2, Imm),
    // By an operator of two slots: fp[dst] = fp[b] op (fp[x] op2 fp[y]), a = x | y << 16.
    I32AddAdd(Slot, Slot2, Slot),
    I32AddMul(Slot, Slot2, Slot),
    I32AddAnd(Slot, Slot2, Slot),
    I32AddXor(Slot, Slot2, Slot),
    I32XorAnd(Slot, Slot2, Slot),
    I32AndXor(Slot, Slot2, Slot),
    // Float multiply-adds: fp[dst] = fp[b] + fp[x] * fp[y], two roundings as the pair (a float
    // add commutes but for which NaN's payload a NaN + NaN carries, which the spec leaves open).
    F32AddMul(Slot, Slot2, Slot),
    F64AddMul(Slot, Slot2, Slot),
    // Float add chains (a sum of many terms, `s = t + s` in a row): fp[dst] = fp[b] + (fp[x] +
    // fp[y]), the inner sum first, so the pair's roundings (and commuting as the multiply-adds).
    F32AddAdd(Slot, Slot2, Slot),
    F64AddAdd(Slot, Slot2, Slot),
    // Binary operators with the right operand loaded from memory: the full-width load feeding
    // them fused in (`loaded_right`). a = the left operand's slot and the address slot packed
    // as 16-bit halves (as Copy2), b = offset: fp[dst] = fp[a & 0xffff] op mem[fp[a >> 16] + b]
    // (4 bytes for i32/f32, 8 for i64/f64; the load's bounds check first, as unfused).
    I32AddLd(Slot, Slot2, Imm) [mem],
    I32SubLd(Slot, Slot2, Imm) [mem],
    I32MulLd(Slot, Slot2, Imm) [mem],
    I32AndLd(Slot, Slot2, Imm) [mem],
    I32OrLd(Slot, Slot2, Imm) [mem],
    I32XorLd(Slot, Slot2, Imm) [mem],
    I64AddLd(Slot, Slot2, Imm) [mem],
    I64SubLd(Slot, Slot2, Imm) [mem],
    I64MulLd(Slot, Slot2, Imm) [mem],
    I64AndLd(Slot, Slot2, Imm) [mem],
    I64OrLd(Slot, Slot2, Imm) [mem],
    I64XorLd(Slot, Slot2, Imm) [mem],
    F32AddLd(Slot, Slot2, Imm) [mem],
    F32SubLd(Slot, Slot2, Imm) [mem],
    F32MulLd(Slot, Slot2, Imm) [mem],
    F64AddLd(Slot, Slot2, Imm) [mem],
    F64SubLd(Slot, Slot2, Imm) [mem],
    F64MulLd(Slot, Slot2, Imm) [mem],
    // The same with a wrapped load (`ldw`): fp[dst] = fp[a & 0xffff] op mem[fp[a >> 16] + b],
    // the sum wrapping at 2^32.
    I32AddLdW(Slot, Slot2, Imm) [mem],
    F32AddLdW(Slot, Slot2, Imm) [mem],
    F32MulLdW(Slot, Slot2, Imm) [mem],
    // Read-modify-write (translate.rs `fuse_read_modify_write`): an add with a loaded right
    // operand whose sum is stored back where it was loaded from: mem[ea] = fp[l] + mem[ea],
    // ea = fp[x] + b, a = l | x << 16 (one bounds check: the access is the same).
    I32AddLdSt(_, Slot2, Imm) [mem],
    I64AddLdSt(_, Slot2, Imm) [mem],
    F32AddLdSt(_, Slot2, Imm) [mem],
    F64AddLdSt(_, Slot2, Imm) [mem],
    // Byte loads converting the byte to f32 (a pixel's `(float)p[i]`: `f32.convert_i32_u` of an
    // `i32.load8_u` fused in, `to_f32_unsigned`): the plain, indexed and wrapped addresses as
    // I32Load8U, I32Load8UX, I32Load8UW; fp[dst] = the byte as f32.
    F32Load8U(Slot, Slot, Imm) [mem],
    F32Load8UX(Slot, Slot2, Imm) [mem],
    F32Load8UW(Slot, Slot, Imm) [mem],
    // MemUse: the memory the next instruction accesses is memory dst (memory.copy's source:
    // memory a). Multi-memory: an access to memory k != 0 is that access between `MemUse k`
    // and `MemUse 0` (translate.rs, `on_memory`); memory 0 is the executor's usual one.
    MemUse(Memory, Memory, _) [mem],
    // MemorySize: fp[dst] = pages. MemoryGrow: fp[dst] = grow(fp[a]).
    MemorySize(Slot, _, _) [mem],
    MemoryGrow(Slot, Slot, _) [mem],
    // MemoryFill/MemoryCopy: dst = dest-address slot, a = value / source slot, b = length slot.
    MemoryFill(Slot, Slot, Slot) [mem],
    MemoryCopy(Slot, Slot, Slot) [mem],
    // MemoryInit: dst, a, b as MemoryCopy; Extra.dst = data segment. DataDrop: dst = segment.
    MemoryInit(Slot, Slot, Slot) + (Data, _, _) [mem],
    DataDrop(Data, _, _),
    // ---- tables ----
    // TableGet: fp[dst] = table b [fp[a]]. TableSet: table dst [fp[a]] = fp[b].
    TableGet(Slot, Slot, Table),
    TableSet(Table, Slot, Slot),
    // TableSize: fp[dst] = size of table a. TableGrow: fp[dst] = grow(init fp[a], by fp[b]);
    // Extra.dst = table.
    TableSize(Slot, Table, _),
    TableGrow(Slot, Slot, Slot) + (Table, _, _),
    // TableFill: dst = start slot, a = value slot, b = length slot; Extra.dst = table.
    TableFill(Slot, Slot, Slot) + (Table, _, _),
    // TableCopy: dst/a/b = d/s/n slots; Extra.dst = dest table, Extra.a = source table.
    TableCopy(Slot, Slot, Slot) + (Table, Table, _),
    // TableInit: dst/a/b = d/s/n slots; Extra.dst = table, Extra.a = element segment.
    TableInit(Slot, Slot, Slot) + (Table, Elem, _),
    ElemDrop(Elem, _, _),
    // RefFunc: fp[dst] = reference to function a. RefIsNull: fp[dst] = fp[a] == 0.
    RefFunc(Slot, Func, _),
    RefIsNull(Slot, Slot, _),
    // ---- i32 (binary: fp[dst] = fp[a] op fp[b]; unary: fp[dst] = op fp[a]) ----
    I32Eqz(Slot, Slot, _) { br = BrI32Eqz; },
    I32Eq(Slot, Slot, Slot) { br = BrI32Eq; not = I32Ne; imm = I32EqImm; imm_l = I32EqImm; },
    I32Ne(Slot, Slot, Slot) { br = BrI32Ne; not = I32Eq; imm = I32NeImm; imm_l = I32NeImm; },
    I32LtS(Slot, Slot, Slot) { br = BrI32LtS; not = I32GeS; imm = I32LtSImm; imm_l = I32GtSImm; },
    I32LtU(Slot, Slot, Slot) { br = BrI32LtU; not = I32GeU; imm = I32LtUImm; imm_l = I32GtUImm; },
    I32GtS(Slot, Slot, Slot) { br = BrI32GtS; not = I32LeS; imm = I32GtSImm; imm_l = I32LtSImm; },
    I32GtU(Slot, Slot, Slot) { br = BrI32GtU; not = I32LeU; imm = I32GtUImm; imm_l = I32LtUImm; },
    I32LeS(Slot, Slot, Slot) { br = BrI32LeS; not = I32GtS; imm = I32LeSImm; imm_l = I32GeSImm; },
    I32LeU(Slot, Slot, Slot) { br = BrI32LeU; not = I32GtU; imm = I32LeUImm; imm_l = I32GeUImm; },
    I32GeS(Slot, Slot, Slot) { br = BrI32GeS; not = I32LtS; imm = I32GeSImm; imm_l = I32LeSImm; },
    I32GeU(Slot, Slot, Slot) { br = BrI32GeU; not = I32LtU; imm = I32GeUImm; imm_l = I32LeUImm; },
    I32Clz(Slot, Slot, _),
    I32Ctz(Slot, Slot, _),
    I32Popcnt(Slot, Slot, _),
    I32Add(Slot, Slot, Slot) { imm = I32AddImm; imm_l = I32AddImm; ld = I32AddLd; ldw = I32AddLdW; },
    I32Sub(Slot, Slot, Slot) { imm = I32SubImm; ld = I32SubLd; },
    I32Mul(Slot, Slot, Slot) { imm = I32MulImm; imm_l = I32MulImm; ld = I32MulLd; },
    I32DivS(Slot, Slot, Slot),
    I32DivU(Slot, Slot, Slot),
    I32RemS(Slot, Slot, Slot),
    I32RemU(Slot, Slot, Slot),
    I32And(Slot, Slot, Slot) { imm = I32AndImm; imm_l = I32AndImm; ld = I32AndLd; },
    I32Or(Slot, Slot, Slot) { imm = I32OrImm; imm_l = I32OrImm; ld = I32OrLd; },
    I32Xor(Slot, Slot, Slot) { imm = I32XorImm; imm_l = I32XorImm; ld = I32XorLd; },
    I32Shl(Slot, Slot, Slot) { imm = I32ShlImm; },
    I32ShrS(Slot, Slot, Slot) { imm = I32ShrSImm; },
    I32ShrU(Slot, Slot, Slot) { imm = I32ShrUImm; },
    I32Rotl(Slot, Slot, Slot) { imm = I32RotlImm; },
    I32Rotr(Slot, Slot, Slot) { imm = I32RotrImm; },
    // i32 with an immediate right operand: fp[dst] = fp[a] op b.
    I32AddImm(Slot, Slot, Imm),
    I32SubImm(Slot, Slot, Imm),
    I32MulImm(Slot, Slot, Imm),
    I32AndImm(Slot, Slot, Imm),
    I32OrImm(Slot, Slot, Imm),
    I32XorImm(Slot, Slot, Imm),
    I32ShlImm(Slot, Slot, Imm),
    I32ShrSImm(Slot, Slot, Imm),
    I32ShrUImm(Slot, Slot, Imm),
    I32RotlImm(Slot, Slot, Imm),
    I32RotrImm(Slot, Slot, Imm),
    I32EqImm(Slot, Slot, Imm) { br = BrI32EqImm; not = I32NeImm; },
    I32NeImm(Slot, Slot, Imm) { br = BrI32NeImm; not = I32EqImm; },
    I32LtSImm(Slot, Slot, Imm) { br = BrI32LtSImm; not = I32GeSImm; },
    I32LtUImm(Slot, Slot, Imm) { br = BrI32LtUImm; not = I32GeUImm; },
    I32GtSImm(Slot, Slot, Imm) { br = BrI32GtSImm; not = I32LeSImm; },
    I32GtUImm(Slot, Slot, Imm) { br = BrI32GtUImm; not = I32LeUImm; },
    I32LeSImm(Slot, Slot, Imm) { br = BrI32LeSImm; not = I32GtSImm; },
    I32LeUImm(Slot, Slot, Imm) { br = BrI32LeUImm; not = I32GtUImm; },
    I32GeSImm(Slot, Slot, Imm) { br = BrI32GeSImm; not = I32LtSImm; },
    I32GeUImm(Slot, Slot, Imm) { br = BrI32GeUImm; not = I32LtUImm; },
    // ---- i64 ----
    I64Eqz(Slot, Slot, _) { br = BrI64Eqz; },
    I64Eq(Slot, Slot, Slot) { br = BrI64Eq; not = I64Ne; },
    I64Ne(Slot, Slot, Slot) { br = BrI64Ne; not = I64Eq; },
    I64LtS(Slot, Slot, Slot),
    I64LtU(Slot, Slot, Slot),
    I64GtS(Slot, Slot, Slot),
    I64GtU(Slot, Slot, Slot),
    I64LeS(Slot, Slot, Slot),
    I64LeU(Slot, Slot, Slot),
    I64GeS(Slot, Slot, Slot),
    I64GeU(Slot, Slot, Slot),
    I64Clz(Slot, Slot, _),
    I64Ctz(Slot, Slot, _),
    I64Popcnt(Slot, Slot, _),
    I64Add(Slot, Slot, Slot) { imm = I64AddImm; imm_l = I64AddImm; ld = I64AddLd; },
    I64Sub(Slot, Slot, Slot) { ld = I64SubLd; },
    I64Mul(Slot, Slot, Slot) { ld = I64MulLd; },
    I64DivS(Slot, Slot, Slot),
    I64DivU(Slot, Slot, Slot),
    I64RemS(Slot, Slot, Slot),
    I64RemU(Slot, Slot, Slot),
    I64And(Slot, Slot, Slot) { imm = I64AndImm; imm_l = I64AndImm; ld = I64AndLd; },
    I64Or(Slot, Slot, Slot) { ld = I64OrLd; },
    I64Xor(Slot, Slot, Slot) { ld = I64XorLd; },
    I64Shl(Slot, Slot, Slot) { imm = I64ShlImm; },
    I64ShrS(Slot, Slot, Slot) { imm = I64ShrSImm; },
    I64ShrU(Slot, Slot, Slot) { imm = I64ShrUImm; },
    I64Rotl(Slot, Slot, Slot) { imm = I64RotlImm; },
    I64Rotr(Slot, Slot, Slot) { imm = I64RotrImm; },
    // i64 with a sign-extended 32-bit immediate: fp[dst] = fp[a] op (b as i32 as i64).
    I64AddImm(Slot, Slot, ImmS64),
    I64AndImm(Slot, Slot, ImmS64),
    I64ShlImm(Slot, Slot, ImmS64),
    I64ShrSImm(Slot, Slot, ImmS64),
    I64ShrUImm(Slot, Slot, ImmS64),
    I64RotlImm(Slot, Slot, ImmS64),
    I64RotrImm(Slot, Slot, ImmS64),
    // ---- f32 ----
    F32Eq(Slot, Slot, Slot),
    F32Ne(Slot, Slot, Slot),
    F32Lt(Slot, Slot, Slot),
    F32Gt(Slot, Slot, Slot),
    F32Le(Slot, Slot, Slot),
    F32Ge(Slot, Slot, Slot),
    F32Abs(Slot, Slot, _),
    F32Neg(Slot, Slot, _),
    F32Ceil(Slot, Slot, _),
    F32Floor(Slot, Slot, _),
    F32Trunc(Slot, Slot, _),
    F32Nearest(Slot, Slot, _),
    F32Sqrt(Slot, Slot, _),
    F32Add(Slot, Slot, Slot) { imm = F32AddImm; imm_l = F32AddImm; ld = F32AddLd; ldw = F32AddLdW; },
    F32Sub(Slot, Slot, Slot) { imm = F32SubImm; ld = F32SubLd; },
    F32Mul(Slot, Slot, Slot) { imm = F32MulImm; imm_l = F32MulImm; ld = F32MulLd; ldw = F32MulLdW; },
    F32Div(Slot, Slot, Slot) { imm = F32DivImm; },
    F32Min(Slot, Slot, Slot),
    F32Max(Slot, Slot, Slot),
    F32Copysign(Slot, Slot, Slot),
    // f32 with a constant right operand, its bits in b: fp[dst] = fp[a] op f32::from_bits(b)
    // (add and mul also take a constant left operand: IEEE add and multiply commute, NaN
    // payloads being free for the result to pick).
    F32AddImm(Slot, Slot, Imm),
    F32SubImm(Slot, Slot, Imm),
    F32MulImm(Slot, Slot, Imm),
    F32DivImm(Slot, Slot, Imm),
    // ---- f64 ----
    F64Eq(Slot, Slot, Slot),
    F64Ne(Slot, Slot, Slot),
    F64Lt(Slot, Slot, Slot),
    F64Gt(Slot, Slot, Slot),
    F64Le(Slot, Slot, Slot),
    F64Ge(Slot, Slot, Slot),
    F64Abs(Slot, Slot, _),
    F64Neg(Slot, Slot, _),
    F64Ceil(Slot, Slot, _),
    F64Floor(Slot, Slot, _),
    F64Trunc(Slot, Slot, _),
    F64Nearest(Slot, Slot, _),
    F64Sqrt(Slot, Slot, _),
    F64Add(Slot, Slot, Slot) { ld = F64AddLd; },
    F64Sub(Slot, Slot, Slot) { ld = F64SubLd; },
    F64Mul(Slot, Slot, Slot) { ld = F64MulLd; },
    F64Div(Slot, Slot, Slot),
    F64Min(Slot, Slot, Slot),
    F64Max(Slot, Slot, Slot),
    F64Copysign(Slot, Slot, Slot),
    // ---- conversions (fp[dst] = op fp[a]) ----
    // (`i32.wrap_i64` is no instruction: an i32 is its cell's low half, translate.rs.)
    I32TruncF32S(Slot, Slot, _),
    I32TruncF32U(Slot, Slot, _),
    I32TruncF64S(Slot, Slot, _),
    I32TruncF64U(Slot, Slot, _),
    I64ExtendI32S(Slot, Slot, _),
    I64ExtendI32U(Slot, Slot, _),
    I64TruncF32S(Slot, Slot, _),
    I64TruncF32U(Slot, Slot, _),
    I64TruncF64S(Slot, Slot, _),
    I64TruncF64U(Slot, Slot, _),
    F32ConvertI32S(Slot, Slot, _),
    F32ConvertI32U(Slot, Slot, _),
    F32ConvertI64S(Slot, Slot, _),
    F32ConvertI64U(Slot, Slot, _),
    F32DemoteF64(Slot, Slot, _),
    F64ConvertI32S(Slot, Slot, _),
    F64ConvertI32U(Slot, Slot, _),
    F64ConvertI64S(Slot, Slot, _),
    F64ConvertI64U(Slot, Slot, _),
    F64PromoteF32(Slot, Slot, _),
    I32Extend8S(Slot, Slot, _),
    I32Extend16S(Slot, Slot, _),
    I64Extend8S(Slot, Slot, _),
    I64Extend16S(Slot, Slot, _),
    I64Extend32S(Slot, Slot, _),
    I32TruncSatF32S(Slot, Slot, _),
    I32TruncSatF32U(Slot, Slot, _),
    I32TruncSatF64S(Slot, Slot, _),
    I32TruncSatF64U(Slot, Slot, _),
    I64TruncSatF32S(Slot, Slot, _),
    I64TruncSatF32U(Slot, Slot, _),
    I64TruncSatF64S(Slot, Slot, _),
    I64TruncSatF64U(Slot, Slot, _),
    // ---- SIMD (v128 values occupy two cells: fp[s] low 64 bits, fp[s + 1] high) ----
    // V128GlobalGet: fp[dst..] = global a. V128GlobalSet: global dst = fp[a..].
    V128GlobalGet(V128, Global, _),
    V128GlobalSet(Global, V128, _),
    // V128Copy: fp[dst..] = fp[a..] (one 16-byte move, where two `Copy`s would be two 8-byte
    // ones that a 16-byte read of the result waits for).
    V128Copy(V128, V128, _),
    // V128Select: dst = a if cond != 0 else b; Extra.a = cond slot.
    V128Select(V128, V128, V128) + (_, Slot, _),
    // V128Const: fp[dst..] = a | b << 32 | Extra.dst << 64 | Extra.a << 96.
    V128Const(V128, Imm, Imm) + (Imm, Imm, _),
    // Loads: fp[dst..] = load(mem[fp[a] + b]); V128Store: mem[fp[a] + b] = fp[dst..].
    V128Load(V128, Slot, Imm) [mem] { idx = V128LoadX; wrap = V128LoadW; },
    V128Load8x8S(V128, Slot, Imm) [mem],
    V128Load8x8U(V128, Slot, Imm) [mem],
    V128Load16x4S(V128, Slot, Imm) [mem],
    V128Load16x4U(V128, Slot, Imm) [mem],
    V128Load32x2S(V128, Slot, Imm) [mem],
    V128Load32x2U(V128, Slot, Imm) [mem],
    V128Load8Splat(V128, Slot, Imm) [mem],
    V128Load16Splat(V128, Slot, Imm) [mem],
    V128Load32Splat(V128, Slot, Imm) [mem],
    V128Load64Splat(V128, Slot, Imm) [mem],
    V128Load32Zero(V128, Slot, Imm) [mem],
    V128Load64Zero(V128, Slot, Imm) [mem],
    V128Store(V128, Slot, Imm) [mem] { idx = V128StoreX; wrap = V128StoreW; },
    // V128Load and V128Store at the sum of two slots and at a slot plus a constant (as I32LoadX
    // and I32LoadW).
    V128LoadX(V128, Slot2, Imm) [mem],
    V128LoadW(V128, Slot, Imm) [mem],
    V128StoreX(V128, Slot2, Imm) [mem],
    V128StoreW(V128, Slot, Imm) [mem],
    // Lane loads: fp[dst..] = fp[Extra.dst..] with lane Extra.a loaded from mem[fp[a] + b].
    V128Load8Lane(V128, Slot, Imm) + (V128, Imm, _) [mem],
    V128Load16Lane(V128, Slot, Imm) + (V128, Imm, _) [mem],
    V128Load32Lane(V128, Slot, Imm) + (V128, Imm, _) [mem],
    V128Load64Lane(V128, Slot, Imm) + (V128, Imm, _) [mem],
    // Lane stores: mem[fp[a] + b] = lane Extra.dst of fp[dst..].
    V128Store8Lane(V128, Slot, Imm) + (Imm, _, _) [mem],
    V128Store16Lane(V128, Slot, Imm) + (Imm, _, _) [mem],
    V128Store32Lane(V128, Slot, Imm) + (Imm, _, _) [mem],
    V128Store64Lane(V128, Slot, Imm) + (Imm, _, _) [mem],
    // I8x16Shuffle: lane i of dst = lane s_i of a ++ b; the 16 lane indices (< 32) packed
    // 5 bits each into Extra.dst (lanes 0-5), Extra.a (6-11), Extra.b (12-15).
    I8x16Shuffle(V128, V128, V128) + (Imm, Imm, Imm),
    // A shuffle of consecutive lanes k..k + 16 (0 < k < 16: a window sliding over the pair, as
    // convolutions do): dst = bytes k.. of fp[x..] ++ fp[y..], a = x | y << 16, b = k.
    I8x16ShuffleWindow(V128, V128x2, Imm),
    // Extract lane b of fp[a..] into a scalar; replace: dst = a with lane Extra.dst = fp[b].
    I8x16ExtractLaneS(Slot, V128, Imm),
    I8x16ExtractLaneU(Slot, V128, Imm),
    I16x8ExtractLaneS(Slot, V128, Imm),
    I16x8ExtractLaneU(Slot, V128, Imm),
    I32x4ExtractLane(Slot, V128, Imm),
    I64x2ExtractLane(Slot, V128, Imm),
    F32x4ExtractLane(Slot, V128, Imm),
    F64x2ExtractLane(Slot, V128, Imm),
    I8x16ReplaceLane(V128, V128, Slot) + (Imm, _, _),
    I16x8ReplaceLane(V128, V128, Slot) + (Imm, _, _),
    I32x4ReplaceLane(V128, V128, Slot) + (Imm, _, _),
    I64x2ReplaceLane(V128, V128, Slot) + (Imm, _, _),
    F32x4ReplaceLane(V128, V128, Slot) + (Imm, _, _),
    F64x2ReplaceLane(V128, V128, Slot) + (Imm, _, _),
    // Splat: every lane of dst = fp[a].
    I8x16Splat(V128, Slot, _),
    I16x8Splat(V128, Slot, _),
    I32x4Splat(V128, Slot, _),
    I64x2Splat(V128, Slot, _),
    F32x4Splat(V128, Slot, _),
    F64x2Splat(V128, Slot, _),
    // Tests to an i32: fp[dst] = op fp[a..].
    V128AnyTrue(Slot, V128, _),
    I8x16AllTrue(Slot, V128, _),
    I8x16Bitmask(Slot, V128, _),
    I16x8AllTrue(Slot, V128, _),
    I16x8Bitmask(Slot, V128, _),
    I32x4AllTrue(Slot, V128, _),
    I32x4Bitmask(Slot, V128, _),
    I64x2AllTrue(Slot, V128, _),
    I64x2Bitmask(Slot, V128, _),
    // Shifts by a scalar count (modulo the lane width): dst = a op fp[b].
    I8x16Shl(V128, V128, Slot),
    I8x16ShrS(V128, V128, Slot),
    I8x16ShrU(V128, V128, Slot),
    I16x8Shl(V128, V128, Slot),
    I16x8ShrS(V128, V128, Slot),
    I16x8ShrU(V128, V128, Slot),
    I32x4Shl(V128, V128, Slot),
    I32x4ShrS(V128, V128, Slot),
    I32x4ShrU(V128, V128, Slot),
    I64x2Shl(V128, V128, Slot),
    I64x2ShrS(V128, V128, Slot),
    I64x2ShrU(V128, V128, Slot),
    // V128Bitselect: dst = (a & c) | (b & !c), c = Extra.a.
    V128Bitselect(V128, V128, V128) + (_, V128, _),
    // Unary lane-wise: dst = op a.
    V128Not(V128, V128, _),
    I8x16Abs(V128, V128, _),
    I8x16Neg(V128, V128, _),
    I8x16Popcnt(V128, V128, _),
    I16x8Abs(V128, V128, _),
    I16x8Neg(V128, V128, _),
    I16x8ExtAddPairwiseI8x16S(V128, V128, _),
    I16x8ExtAddPairwiseI8x16U(V128, V128, _),
    I16x8ExtendLowI8x16S(V128, V128, _),
    I16x8ExtendHighI8x16S(V128, V128, _),
    I16x8ExtendLowI8x16U(V128, V128, _),
    I16x8ExtendHighI8x16U(V128, V128, _),
    I32x4Abs(V128, V128, _),
    I32x4Neg(V128, V128, _),
    I32x4ExtAddPairwiseI16x8S(V128, V128, _),
    I32x4ExtAddPairwiseI16x8U(V128, V128, _),
    I32x4ExtendLowI16x8S(V128, V128, _),
    I32x4ExtendHighI16x8S(V128, V128, _),
    I32x4ExtendLowI16x8U(V128, V128, _),
    I32x4ExtendHighI16x8U(V128, V128, _),
    I64x2Abs(V128, V128, _),
    I64x2Neg(V128, V128, _),
    I64x2ExtendLowI32x4S(V128, V128, _),
    I64x2ExtendHighI32x4S(V128, V128, _),
    I64x2ExtendLowI32x4U(V128, V128, _),
    I64x2ExtendHighI32x4U(V128, V128, _),
    F32x4Ceil(V128, V128, _),
    F32x4Floor(V128, V128, _),
    F32x4Trunc(V128, V128, _),
    F32x4Nearest(V128, V128, _),
    F32x4Abs(V128, V128, _),
    F32x4Neg(V128, V128, _),
    F32x4Sqrt(V128, V128, _),
    F64x2Ceil(V128, V128, _),
    F64x2Floor(V128, V128, _),
    F64x2Trunc(V128, V128, _),
    F64x2Nearest(V128, V128, _),
    F64x2Abs(V128, V128, _),
    F64x2Neg(V128, V128, _),
    F64x2Sqrt(V128, V128, _),
    I32x4TruncSatF32x4S(V128, V128, _),
    I32x4TruncSatF32x4U(V128, V128, _),
    F32x4ConvertI32x4S(V128, V128, _),
    F32x4ConvertI32x4U(V128, V128, _),
    I32x4TruncSatF64x2SZero(V128, V128, _),
    I32x4TruncSatF64x2UZero(V128, V128, _),
    F64x2ConvertLowI32x4S(V128, V128, _),
    F64x2ConvertLowI32x4U(V128, V128, _),
    F32x4DemoteF64x2Zero(V128, V128, _),
    F64x2PromoteLowF32x4(V128, V128, _),
    // Binary lane-wise: dst = a op b.
    I8x16Swizzle(V128, V128, V128),
    V128And(V128, V128, V128),
    V128AndNot(V128, V128, V128),
    V128Or(V128, V128, V128),
    V128Xor(V128, V128, V128),
    I8x16Eq(V128, V128, V128),
    I8x16Ne(V128, V128, V128),
    I8x16LtS(V128, V128, V128),
    I8x16LtU(V128, V128, V128),
    I8x16GtS(V128, V128, V128),
    I8x16GtU(V128, V128, V128),
    I8x16LeS(V128, V128, V128),
    I8x16LeU(V128, V128, V128),
    I8x16GeS(V128, V128, V128),
    I8x16GeU(V128, V128, V128),
    I16x8Eq(V128, V128, V128),
    I16x8Ne(V128, V128, V128),
    I16x8LtS(V128, V128, V128),
    I16x8LtU(V128, V128, V128),
    I16x8GtS(V128, V128, V128),
    I16x8GtU(V128, V128, V128),
    I16x8LeS(V128, V128, V128),
    I16x8LeU(V128, V128, V128),
    I16x8GeS(V128, V128, V128),
    I16x8GeU(V128, V128, V128),
    I32x4Eq(V128, V128, V128),
    I32x4Ne(V128, V128, V128),
    I32x4LtS(V128, V128, V128),
    I32x4LtU(V128, V128, V128),
    I32x4GtS(V128, V128, V128),
    I32x4GtU(V128, V128, V128),
    I32x4LeS(V128, V128, V128),
    I32x4LeU(V128, V128, V128),
    I32x4GeS(V128, V128, V128),
    I32x4GeU(V128, V128, V128),
    I64x2Eq(V128, V128, V128),
    I64x2Ne(V128, V128, V128),
    I64x2LtS(V128, V128, V128),
    I64x2GtS(V128, V128, V128),
    I64x2LeS(V128, V128, V128),
    I64x2GeS(V128, V128, V128),
    F32x4Eq(V128, V128, V128),
    F32x4Ne(V128, V128, V128),
    F32x4Lt(V128, V128, V128),
    F32x4Gt(V128, V128, V128),
    F32x4Le(V128, V128, V128),
    F32x4Ge(V128, V128, V128),
    F64x2Eq(V128, V128, V128),
    F64x2Ne(V128, V128, V128),
    F64x2Lt(V128, V128, V128),
    F64x2Gt(V128, V128, V128),
    F64x2Le(V128, V128, V128),
    F64x2Ge(V128, V128, V128),
    I8x16NarrowI16x8S(V128, V128, V128),
    I8x16NarrowI16x8U(V128, V128, V128),
    I8x16Add(V128, V128, V128),
    I8x16AddSatS(V128, V128, V128),
    I8x16AddSatU(V128, V128, V128),
    I8x16Sub(V128, V128, V128),
    I8x16SubSatS(V128, V128, V128),
    I8x16SubSatU(V128, V128, V128),
    I8x16MinS(V128, V128, V128),
    I8x16MinU(V128, V128, V128),
    I8x16MaxS(V128, V128, V128),
    I8x16MaxU(V128, V128, V128),
    I8x16AvgrU(V128, V128, V128),
    I16x8Q15MulrSatS(V128, V128, V128),
    I16x8NarrowI32x4S(V128, V128, V128),
    I16x8NarrowI32x4U(V128, V128, V128),
    I16x8Add(V128, V128, V128),
    I16x8AddSatS(V128, V128, V128),
    I16x8AddSatU(V128, V128, V128),
    I16x8Sub(V128, V128, V128),
    I16x8SubSatS(V128, V128, V128),
    I16x8SubSatU(V128, V128, V128),
    I16x8Mul(V128, V128, V128),
    I16x8MinS(V128, V128, V128),
    I16x8MinU(V128, V128, V128),
    I16x8MaxS(V128, V128, V128),
    I16x8MaxU(V128, V128, V128),
    I16x8AvgrU(V128, V128, V128),
    I16x8ExtMulLowI8x16S(V128, V128, V128),
    I16x8ExtMulHighI8x16S(V128, V128, V128),
    I16x8ExtMulLowI8x16U(V128, V128, V128),
    I16x8ExtMulHighI8x16U(V128, V128, V128),
    I32x4Add(V128, V128, V128),
    I32x4Sub(V128, V128, V128),
    I32x4Mul(V128, V128, V128),
    I32x4MinS(V128, V128, V128),
    I32x4MinU(V128, V128, V128),
    I32x4MaxS(V128, V128, V128),
    I32x4MaxU(V128, V128, V128),
    I32x4DotI16x8S(V128, V128, V128),
    I32x4ExtMulLowI16x8S(V128, V128, V128),
    I32x4ExtMulHighI16x8S(V128, V128, V128),
    I32x4ExtMulLowI16x8U(V128, V128, V128),
    I32x4ExtMulHighI16x8U(V128, V128, V128),
    I64x2Add(V128, V128, V128),
    I64x2Sub(V128, V128, V128),
    I64x2Mul(V128, V128, V128),
    I64x2ExtMulLowI32x4S(V128, V128, V128),
    I64x2ExtMulHighI32x4S(V128, V128, V128),
    I64x2ExtMulLowI32x4U(V128, V128, V128),
    I64x2ExtMulHighI32x4U(V128, V128, V128),
    F32x4Add(V128, V128, V128) { ld = F32x4AddLd; ldw = F32x4AddLdW; },
    F32x4Sub(V128, V128, V128),
    F32x4Mul(V128, V128, V128) { ld = F32x4MulLd; ldw = F32x4MulLdW; },
    F32x4Div(V128, V128, V128),
    F32x4Min(V128, V128, V128),
    F32x4Max(V128, V128, V128),
    F32x4PMin(V128, V128, V128),
    F32x4PMax(V128, V128, V128),
    F64x2Add(V128, V128, V128),
    F64x2Sub(V128, V128, V128),
    F64x2Mul(V128, V128, V128),
    F64x2Div(V128, V128, V128),
    F64x2Min(V128, V128, V128),
    F64x2Max(V128, V128, V128),
    F64x2PMin(V128, V128, V128),
    F64x2PMax(V128, V128, V128),
    // f32x4 multiply-add chains (translate/fuse.rs, `fuse_chain`): m = fp[x] * fp[y] lane by
    // lane (a = x | y << 16), then AddMul: fp[b] + m, MulAdd: m + fp[b], SubMul: fp[b] - m,
    // MulSub: m - fp[b]. Two roundings, in the pair's operand order: the same bits as the pair
    // (but for which payload a lane of two NaN operands carries, which the spec leaves open).
    F32x4AddMul(V128, V128x2, V128),
    F32x4MulAdd(V128, V128x2, V128),
    F32x4SubMul(V128, V128x2, V128),
    F32x4MulSub(V128, V128x2, V128),
    // An f32x4 add chain, as F32AddAdd: fp[dst] = fp[b] + (fp[x] + fp[y]) lane by lane.
    F32x4AddAdd(V128, V128x2, V128),
    // v128 loaded-right forms (`ld`, `ldw`), as the scalar ones: fp[dst] = fp[a & 0xffff] op the
    // 16 bytes at fp[a >> 16] + b (W: the sum wrapping at 2^32); AddLdSt stores the sum back
    // there (`fuse_read_modify_write`).
    F32x4AddLd(V128, V128AndSlot, Imm) [mem],
    F32x4MulLd(V128, V128AndSlot, Imm) [mem],
    F32x4AddLdW(V128, V128AndSlot, Imm) [mem],
    F32x4MulLdW(V128, V128AndSlot, Imm) [mem],
    F32x4AddLdSt(_, V128AndSlot, Imm) [mem],
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `Op::ALL` is in discriminant order, and the compact accessors agree with the
    /// declaration for every op.
    #[test]
    fn accessors_match_the_declaration() {
        let simd = Op::V128Const as usize;
        for (i, &op) in Op::ALL.iter().enumerate() {
            assert_eq!(op as usize, i, "{}", op.name());
            assert_eq!(op.fused_branch(), op.fused_branch_decl(), "{}", op.name());
            assert_eq!(op.negated(), op.negated_decl(), "{}", op.name());
            assert_eq!(op.imm_right(), op.imm_right_decl(), "{}", op.name());
            assert_eq!(op.imm_left(), op.imm_left_decl(), "{}", op.name());
            assert_eq!(op.indexed(), op.indexed_decl(), "{}", op.name());
            assert_eq!(op.wrapped(), op.wrapped_decl(), "{}", op.name());
            assert_eq!(op.loaded_right(), op.loaded_right_decl(), "{}", op.name());
            assert_eq!(op.loaded_right_wrapped(), op.loaded_right_wrapped_decl(), "{}", op.name());
            // A wrapped loaded-right form has the plain one's shape, and the plain one exists.
            if let Some(w) = op.loaded_right_wrapped() {
                let l = op.loaded_right().expect("a plain loaded-right form");
                assert_eq!(w.shape(), l.shape(), "{}", w.name());
                assert_eq!(w.name(), format!("{}W", l.name()), "{}", w.name());
            }
            assert_eq!(op.to_f32_unsigned(), op.to_f32_unsigned_decl(), "{}", op.name());
            // The converting form of a byte load is the same access (same fields), never SIMD.
            if let Some(c) = op.to_f32_unsigned() {
                assert_eq!(c.shape(), op.shape(), "{}", op.name());
                assert!(op.name().starts_with("I32Load8U") && (c as usize) < simd, "{}", c.name());
                assert_eq!(c.name().trim_start_matches("F32Load8U"), op.name().trim_start_matches("I32Load8U"));
            }
            // A loaded-right form is the binary operator with its right operand's slot replaced
            // by an address and an offset; SIMD only for a SIMD operator.
            if let Some(l) = op.loaded_right() {
                let (s, ls) = (op.shape(), l.shape());
                let (v, pair) = match op as usize >= simd {
                    true => (Field::V128, Field::V128AndSlot),
                    false => (Field::Slot, Field::Slot2),
                };
                assert_eq!((s.dst, s.a, s.b, s.extra, s.mem), (v, v, v, None, false), "{}", op.name());
                assert_eq!((ls.dst, ls.a, ls.b, ls.extra, ls.mem), (v, pair, Field::Imm, None, true), "{}", l.name());
                assert_eq!(l as usize >= simd, op as usize >= simd, "{}", l.name());
                assert_eq!(l.name(), format!("{}Ld", op.name()), "{}", l.name());
            }
            // Every access with an indexed form has a wrapped one, of the same shape but `b`.
            assert_eq!(op.indexed().is_some(), op.wrapped().is_some(), "{}", op.name());
            if let Some(w) = op.wrapped() {
                assert_eq!(w.shape(), op.shape(), "{}", op.name());
                assert_eq!(w as usize >= simd, op as usize >= simd, "{}: SIMD only if the access is", w.name());
            }
            // An indexed form is the same access with the two-slot address: same value field,
            // same offset, a `Slot2` for the address; SIMD only for a SIMD access (the non-SIMD
            // build has the others).
            if let Some(x) = op.indexed() {
                let (s, xs) = (op.shape(), x.shape());
                assert_eq!((s.a, s.b, s.mem), (Field::Slot, Field::Imm, true), "{}", op.name());
                assert_eq!((xs.dst, xs.a, xs.b, xs.extra, xs.mem), (s.dst, Field::Slot2, Field::Imm, None, true), "{}", op.name());
                assert_eq!(x as usize >= simd, op as usize >= simd, "{}: SIMD only if the access is", x.name());
            }
            assert_eq!(op.is_branch(), op.shape().dst == Field::Target, "{}", op.name());
            let s = op.shape();
            assert_eq!(op.has_imm_s64(), s.fields().contains(&Field::ImmS64), "{}", op.name());
        }
        assert_eq!(Op::ALL.len(), Op::F32x4AddLdSt as usize + 1);
    }
}
