//! Calling a C function whose signature is only known at run time.
//!
//! On x86_64 (System V) and aarch64 (AAPCS64, Linux) integer and
//! floating-point arguments are assigned to separate register files in
//! order, and arguments that do not fit spill to the stack in order, one
//! 8-byte slot each. [`layout`] sorts each argument into the next free int
//! register, float register or stack slot (an f32 in the low half of a float
//! register / slot), and a small assembly routine, `ember_invoke_native`
//! (one per architecture, below), loads exactly that frame (every argument
//! register, then the stack slots) and calls the function; the callee reads
//! the ones it declared, and the routine stores both return registers (the
//! integer one and the float one), of which the signature picks one. WAMR's
//! invokeNative assembly works the same way. No Rust function pointer of a
//! made-up type is ever called (that would be undefined behaviour in Rust,
//! whatever the machine does).
//!
//! On 32-bit ARM (AAPCS, hard-float, Linux) the same, with that ABI's rules
//! applied while sorting: 32-bit integers/pointers take r0-r3, a 64-bit
//! integer an even/odd register pair (or an 8-byte aligned pair of stack
//! words), floats the VFP registers s0-s15 (f32, back-filling) / d0-d7 (f64),
//! the rest 4-byte stack words; the result comes back in r0:r1 or d0/s0.
//!
//! Other architectures: only `register_natives_raw` natives can be called.

/// One native argument.
#[derive(Clone, Copy, Debug)]
pub enum Arg {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
    /// A native pointer (exec_env, converted app addresses).
    Ptr(usize),
}

/// Where the result comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Int,
    Float,
}

/// How many stack slots (8 bytes on 64-bit targets, 4-byte words on arm) we pass.
pub const MAX_STACK_SLOTS: usize = 16;

#[cfg(target_arch = "x86_64")]
const INT_REGS: usize = 6;
#[cfg(target_arch = "aarch64")]
const INT_REGS: usize = 8;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const FLOAT_REGS: usize = 8;

/// Where each argument goes on x86_64 / aarch64.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
struct Frame {
    ints: [u64; 8],
    flts: [f64; 8],
    stack: [u64; MAX_STACK_SLOTS],
    /// Stack slots used.
    nstack: usize,
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn layout(args: &[Arg]) -> Result<Frame, &'static str> {
    let mut f = Frame { ints: [0; 8], flts: [0.0; 8], stack: [0; MAX_STACK_SLOTS], nstack: 0 };
    let (mut ni, mut nf, mut ns) = (0usize, 0usize, 0usize);
    for a in args {
        let (is_float, v) = match *a {
            Arg::I32(x) => (false, x as u64),
            Arg::I64(x) => (false, x),
            Arg::Ptr(p) => (false, p as u64),
            Arg::F32(b) => (true, b as u64),
            Arg::F64(b) => (true, b),
        };
        if !is_float && ni < INT_REGS {
            f.ints[ni] = v;
            ni += 1;
        } else if is_float && nf < FLOAT_REGS {
            f.flts[nf] = f64::from_bits(v);
            nf += 1;
        } else {
            if ns == MAX_STACK_SLOTS {
                return Err("too many arguments for a native call");
            }
            f.stack[ns] = v;
            ns += 1;
        }
    }
    f.nstack = ns;
    Ok(f)
}

/// Where each argument goes on 32-bit ARM (AAPCS-VFP).
#[cfg(target_arch = "arm")]
struct Frame {
    core: [u32; 4],
    /// s0..s15 (d_k = s_2k | s_2k+1 << 32)
    vfp: [u32; 16],
    stack: [u32; MAX_STACK_SLOTS],
    /// Stack words used.
    nstack: usize,
}

#[cfg(target_arch = "arm")]
fn layout(args: &[Arg]) -> Result<Frame, &'static str> {
    let mut f = Frame { core: [0; 4], vfp: [0; 16], stack: [0; MAX_STACK_SLOTS], nstack: 0 };
    let mut ncrn = 0usize;
    let mut used = [false; 16];
    let mut vfp_done = false;
    let mut words: usize = 0;
    let push = |f: &mut Frame, w: u32, words: &mut usize| -> Result<(), &'static str> {
        if *words == MAX_STACK_SLOTS {
            return Err("too many arguments for a native call");
        }
        f.stack[*words] = w;
        *words += 1;
        Ok(())
    };
    for a in args {
        match *a {
            Arg::I32(x) => {
                if ncrn < 4 {
                    f.core[ncrn] = x;
                    ncrn += 1;
                } else {
                    push(&mut f, x, &mut words)?;
                }
            }
            Arg::Ptr(p) => {
                if ncrn < 4 {
                    f.core[ncrn] = p as u32;
                    ncrn += 1;
                } else {
                    push(&mut f, p as u32, &mut words)?;
                }
            }
            Arg::I64(x) => {
                ncrn += ncrn & 1;
                if ncrn <= 2 {
                    f.core[ncrn] = x as u32;
                    f.core[ncrn + 1] = (x >> 32) as u32;
                    ncrn += 2;
                } else {
                    ncrn = 4;
                    words += words & 1;
                    push(&mut f, x as u32, &mut words)?;
                    push(&mut f, (x >> 32) as u32, &mut words)?;
                }
            }
            Arg::F32(b) => match (!vfp_done).then(|| used.iter().position(|u| !u)).flatten() {
                Some(k) => {
                    used[k] = true;
                    f.vfp[k] = b;
                }
                None => {
                    vfp_done = true;
                    push(&mut f, b, &mut words)?;
                }
            },
            Arg::F64(b) => match (!vfp_done).then(|| (0..8).find(|d| !used[2 * d] && !used[2 * d + 1])).flatten() {
                Some(d) => {
                    used[2 * d] = true;
                    used[2 * d + 1] = true;
                    f.vfp[2 * d] = b as u32;
                    f.vfp[2 * d + 1] = (b >> 32) as u32;
                }
                None => {
                    vfp_done = true;
                    words += words & 1;
                    push(&mut f, b as u32, &mut words)?;
                    push(&mut f, (b >> 32) as u32, &mut words)?;
                }
            },
        }
    }
    f.nstack = words;
    Ok(f)
}

/// Can a native with these parameters (after exec_env) be called here?
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "arm"))]
pub fn fits(args: &[Arg]) -> bool {
    layout(args).is_ok()
}
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "arm")))]
pub fn fits(_args: &[Arg]) -> bool {
    false
}

// The invokers. Arguments: the function, the int registers, the float registers, the stack
// slots and their count, and where to store [int return register(s), float return register].
// They keep the ABI's stack alignment, copy the stack slots to the bottom of their frame, load
// every argument register and call; all other state is the callee's business.
#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl ember_invoke_native",
    ".hidden ember_invoke_native",
    ".type ember_invoke_native,@function",
    "ember_invoke_native:",
    ".cfi_startproc",
    "push rbp",
    ".cfi_def_cfa_offset 16",
    ".cfi_offset rbp, -16",
    "mov rbp, rsp",
    ".cfi_def_cfa_register rbp",
    "push rbx",
    "push r12",
    ".cfi_offset rbx, -24",
    ".cfi_offset r12, -32",
    "mov r10, rdi",          // the function
    "mov r11, rsi",          // int registers
    "mov rbx, r9",           // out (callee-saved across the call)
    "lea rax, [r8*8 + 15]",  // stack area, 16-byte aligned (rsp is, after the 3 pushes)
    "and rax, -16",
    "sub rsp, rax",
    "xor r12d, r12d",
    "2:",
    "cmp r12, r8",
    "jae 3f",
    "mov rax, [rcx + r12*8]",
    "mov [rsp + r12*8], rax",
    "inc r12",
    "jmp 2b",
    "3:",
    "movsd xmm0, qword ptr [rdx]",
    "movsd xmm1, qword ptr [rdx + 8]",
    "movsd xmm2, qword ptr [rdx + 16]",
    "movsd xmm3, qword ptr [rdx + 24]",
    "movsd xmm4, qword ptr [rdx + 32]",
    "movsd xmm5, qword ptr [rdx + 40]",
    "movsd xmm6, qword ptr [rdx + 48]",
    "movsd xmm7, qword ptr [rdx + 56]",
    "mov rdi, [r11]",
    "mov rsi, [r11 + 8]",
    "mov rdx, [r11 + 16]",
    "mov rcx, [r11 + 24]",
    "mov r8, [r11 + 32]",
    "mov r9, [r11 + 40]",
    "mov eax, 8",            // vector registers used, for a variadic callee
    "call r10",
    "mov [rbx], rax",
    "movsd qword ptr [rbx + 8], xmm0",
    "lea rsp, [rbp - 16]",
    "pop r12",
    "pop rbx",
    "pop rbp",
    ".cfi_def_cfa rsp, 8",
    "ret",
    ".cfi_endproc",
    ".size ember_invoke_native, .-ember_invoke_native",
);

#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".text",
    ".p2align 2",
    ".globl ember_invoke_native",
    ".hidden ember_invoke_native",
    ".type ember_invoke_native,%function",
    "ember_invoke_native:",
    ".cfi_startproc",
    "stp x29, x30, [sp, #-32]!",
    ".cfi_def_cfa_offset 32",
    ".cfi_offset x29, -32",
    ".cfi_offset x30, -24",
    "mov x29, sp",
    ".cfi_def_cfa_register x29",
    "str x19, [sp, #16]",
    ".cfi_offset x19, -16",
    "mov x19, x5",           // out (callee-saved across the call)
    "mov x9, x0",            // the function
    "mov x10, x1",           // int registers
    "lsl x11, x4, #3",       // stack area, 16-byte aligned
    "add x11, x11, #15",
    "and x11, x11, #-16",
    "sub sp, sp, x11",
    "mov x12, #0",
    "2:",
    "cmp x12, x4",
    "b.hs 3f",
    "ldr x13, [x3, x12, lsl #3]",
    "str x13, [sp, x12, lsl #3]",
    "add x12, x12, #1",
    "b 2b",
    "3:",
    "ldp d0, d1, [x2]",
    "ldp d2, d3, [x2, #16]",
    "ldp d4, d5, [x2, #32]",
    "ldp d6, d7, [x2, #48]",
    "ldp x0, x1, [x10]",
    "ldp x2, x3, [x10, #16]",
    "ldp x4, x5, [x10, #32]",
    "ldp x6, x7, [x10, #48]",
    "blr x9",
    "str x0, [x19]",
    "str d0, [x19, #8]",
    "mov sp, x29",
    "ldr x19, [sp, #16]",
    "ldp x29, x30, [sp], #32",
    ".cfi_def_cfa sp, 0",
    "ret",
    ".cfi_endproc",
    ".size ember_invoke_native, .-ember_invoke_native",
);

#[cfg(target_arch = "arm")]
std::arch::global_asm!(
    ".syntax unified",
    ".arm",
    ".fpu vfpv3-d16",
    ".text",
    ".p2align 2",
    ".globl ember_invoke_native",
    ".hidden ember_invoke_native",
    ".type ember_invoke_native,%function",
    "ember_invoke_native:",
    "push {{r4, r5, r6, r7, r11, lr}}", // 24 bytes: sp stays 8-byte aligned
    "add r11, sp, #16",
    "ldr r4, [sp, #24]",      // stack word count (5th argument)
    "ldr r5, [sp, #28]",      // out (6th; callee-saved across the call)
    "mov r12, r0",            // the function
    "mov r6, r1",             // core registers
    "lsl r7, r4, #2",         // stack area, 8-byte aligned
    "add r7, r7, #7",
    "bic r7, r7, #7",
    "sub sp, sp, r7",
    "mov r7, #0",
    "2:",
    "cmp r7, r4",
    "bhs 3f",
    "ldr lr, [r3, r7, lsl #2]",
    "str lr, [sp, r7, lsl #2]",
    "add r7, r7, #1",
    "b 2b",
    "3:",
    "vldmia r2, {{d0-d7}}",
    "ldm r6, {{r0-r3}}",
    "blx r12",
    "str r0, [r5]",
    "str r1, [r5, #4]",
    "vstr d0, [r5, #8]",
    "sub sp, r11, #16",
    "pop {{r4, r5, r6, r7, r11, pc}}",
    ".size ember_invoke_native, .-ember_invoke_native",
);

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
extern "C" {
    fn ember_invoke_native(
        func: *const std::ffi::c_void,
        ints: *const u64,
        flts: *const f64,
        stack: *const u64,
        nstack: usize,
        out: *mut [u64; 2],
    );
}

#[cfg(target_arch = "arm")]
extern "C" {
    fn ember_invoke_native(
        func: *const std::ffi::c_void,
        core: *const u32,
        vfp: *const u32,
        stack: *const u32,
        nstack: usize,
        out: *mut [u32; 4],
    );
}

/// Call `fptr` with `args`; returns the raw bits of the integer (pair) or
/// float return register.
///
/// # Safety
/// `fptr` must be a C function whose parameters, in order, have exactly the
/// types of `args` and whose return type matches `ret` (or is void).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub unsafe fn call(fptr: *const std::ffi::c_void, args: &[Arg], ret: Ret) -> Result<u64, &'static str> {
    let f = layout(args)?;
    let mut out = [0u64; 2];
    // SAFETY: the frame holds every argument where the ABI puts it (see the module docs) and
    // `nstack` <= MAX_STACK_SLOTS slots; the caller's contract makes the callee's parameters
    // those; `out` is writable.
    unsafe { ember_invoke_native(fptr, f.ints.as_ptr(), f.flts.as_ptr(), f.stack.as_ptr(), f.nstack, &mut out) };
    Ok(match ret {
        Ret::Int => out[0],
        Ret::Float => out[1],
    })
}

/// # Safety
/// As for the 64-bit version.
#[cfg(target_arch = "arm")]
pub unsafe fn call(fptr: *const std::ffi::c_void, args: &[Arg], ret: Ret) -> Result<u64, &'static str> {
    let f = layout(args)?;
    let mut out = [0u32; 4];
    // SAFETY: as for the 64-bit version (AAPCS-VFP argument placement).
    unsafe { ember_invoke_native(fptr, f.core.as_ptr(), f.vfp.as_ptr(), f.stack.as_ptr(), f.nstack, &mut out) };
    Ok(match ret {
        Ret::Int => out[0] as u64 | (out[1] as u64) << 32,
        Ret::Float => out[2] as u64 | (out[3] as u64) << 32,
    })
}

/// # Safety
/// Never calls anything on this architecture.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "arm")))]
pub unsafe fn call(_fptr: *const std::ffi::c_void, _args: &[Arg], _ret: Ret) -> Result<u64, &'static str> {
    Err("native functions with signatures cannot be called on this architecture; register them with wasm_runtime_register_natives_raw")
}

#[cfg(all(test, any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "arm")))]
mod tests {
    use super::*;

    extern "C" fn mixed(a: i32, b: f32, c: i64, d: f64, e: i32) -> f64 {
        a as f64 + b as f64 + c as f64 + d + e as f64
    }
    extern "C" fn many(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32, h: i32, i: i32, j: f32) -> i32 {
        a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + (10.0 * j) as i32
    }
    extern "C" fn ret_f32(x: f32) -> f32 {
        x * 2.0
    }

    extern "C" fn tricky(a: i32, b: i64, c: f32, d: f64, e: f32, f: i64, g: i32) -> i64 {
        a as i64 + b + (c * 10.0) as i64 + (d * 100.0) as i64 + (e * 1000.0) as i64 + f + g as i64
    }
    #[allow(clippy::too_many_arguments)]
    extern "C" fn doubles(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64, i: f64, x: f32, k: i32) -> f64 {
        a + 2.0 * b + 3.0 * c + 4.0 * d + 5.0 * e + 6.0 * f + 7.0 * g + 8.0 * h + 9.0 * i + 10.0 * x as f64 + k as f64
    }

    #[test]
    fn calls_with_mixed_classes_and_stack_spill() {
        let args = [Arg::I32(1), Arg::F32(1.5f32.to_bits()), Arg::I64(-3i64 as u64), Arg::F64(0.25f64.to_bits()), Arg::I32(10)];
        let r = unsafe { call(mixed as *const _, &args, Ret::Float) }.unwrap();
        assert_eq!(f64::from_bits(r), 1.0 + 1.5 - 3.0 + 0.25 + 10.0);
        let args: Vec<Arg> = (1..=9u32).map(Arg::I32).chain([Arg::F32(2.0f32.to_bits())]).collect();
        let r = unsafe { call(many as *const _, &args, Ret::Int) }.unwrap() as u32 as i32;
        assert_eq!(r, (1..=9).map(|k| k * k).sum::<i32>() + 20);
        let r = unsafe { call(ret_f32 as *const _, &[Arg::F32(3.5f32.to_bits())], Ret::Float) }.unwrap();
        assert_eq!(f32::from_bits(r as u32), 7.0);
        // 64-bit pairs, VFP back-filling and stack alignment (the arm rules).
        let args = [
            Arg::I32(-1i32 as u32),
            Arg::I64(1 << 40),
            Arg::F32(0.5f32.to_bits()),
            Arg::F64(0.25f64.to_bits()),
            Arg::F32(0.125f32.to_bits()),
            Arg::I64(-(1i64 << 35) as u64),
            Arg::I32(7),
        ];
        let r = unsafe { call(tricky as *const _, &args, Ret::Int) }.unwrap() as i64;
        assert_eq!(r, -1 + (1 << 40) + 5 + 25 + 125 - (1 << 35) + 7);
        let mut args: Vec<Arg> = (1..=9).map(|k| Arg::F64((k as f64).to_bits())).collect();
        args.push(Arg::F32(0.5f32.to_bits()));
        args.push(Arg::I32(3));
        let r = unsafe { call(doubles as *const _, &args, Ret::Float) }.unwrap();
        assert_eq!(f64::from_bits(r), (1..=9).map(|k| (k * k) as f64).sum::<f64>() + 5.0 + 3.0);
    }
}
