//! Calling a C function whose signature is only known at run time.
//!
//! On x86_64 (System V) and aarch64 (AAPCS64, Linux) integer and
//! floating-point arguments are assigned to separate register files in
//! order, and arguments that do not fit spill to the stack in order, one
//! 8-byte slot each. So any signature made of 64-bit-or-smaller scalars can
//! be called through ONE fixed function type
//! `fn(int regs..., float regs..., stack slots...)`: we sort each argument
//! into the next free int register, float register or stack slot, and the
//! callee reads exactly the ones it declared (extra arguments are harmless:
//! the caller owns and pops the stack area). An f32 travels in the low half
//! of a float register / stack slot. The result is read from the integer or
//! the float return register, chosen by the signature. WAMR's invokeNative
//! assembly does the same.
//!
//! Other architectures: only `register_natives_raw` natives can be called.

/// Argument class of one native argument.
#[derive(Clone, Copy, Debug)]
pub enum Arg {
    Int(u64),
    /// f64 bits; an f32 is given as its bits in the low 32 bits.
    Float(u64),
}

/// Where the result comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Int,
    Float,
}

/// How many stack slots we can pass.
pub const MAX_STACK_SLOTS: usize = 16;

#[cfg(target_arch = "x86_64")]
pub const INT_REGS: usize = 6;
#[cfg(target_arch = "aarch64")]
pub const INT_REGS: usize = 8;
pub const FLOAT_REGS: usize = 8;

/// Can `args` be passed (registers plus at most MAX_STACK_SLOTS)?
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub fn fits(n_int: usize, n_float: usize) -> bool {
    n_int.saturating_sub(INT_REGS) + n_float.saturating_sub(FLOAT_REGS) <= MAX_STACK_SLOTS
}
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub fn fits(_n_int: usize, _n_float: usize) -> bool {
    false
}

/// Call `fptr` with `args`; returns the raw bits of the integer or float
/// return register.
///
/// # Safety
/// `fptr` must be a C function whose parameters, in order, have exactly the
/// classes of `args` (pointer/int64/int32 = Int, float/double = Float) and
/// whose return type matches `ret` (or is void).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub unsafe fn call(fptr: *const std::ffi::c_void, args: &[Arg], ret: Ret) -> Result<u64, &'static str> {
    let mut ints = [0u64; 8];
    let mut flts = [0f64; FLOAT_REGS];
    let mut stack = [0u64; MAX_STACK_SLOTS];
    let (mut ni, mut nf, mut ns) = (0usize, 0usize, 0usize);
    for a in args {
        match *a {
            Arg::Int(v) if ni < INT_REGS => {
                ints[ni] = v;
                ni += 1;
            }
            Arg::Float(bits) if nf < FLOAT_REGS => {
                flts[nf] = f64::from_bits(bits);
                nf += 1;
            }
            Arg::Int(v) | Arg::Float(v) => {
                if ns == MAX_STACK_SLOTS {
                    return Err("too many arguments for a native call");
                }
                stack[ns] = v;
                ns += 1;
            }
        }
    }
    let (i, f, s) = (ints, flts, stack);
    macro_rules! call_as {
        ($ret:ty) => {{
            #[cfg(target_arch = "x86_64")]
            type F = unsafe extern "C" fn(
                u64, u64, u64, u64, u64, u64,
                f64, f64, f64, f64, f64, f64, f64, f64,
                u64, u64, u64, u64, u64, u64, u64, u64,
                u64, u64, u64, u64, u64, u64, u64, u64,
            ) -> $ret;
            #[cfg(target_arch = "aarch64")]
            type F = unsafe extern "C" fn(
                u64, u64, u64, u64, u64, u64, u64, u64,
                f64, f64, f64, f64, f64, f64, f64, f64,
                u64, u64, u64, u64, u64, u64, u64, u64,
                u64, u64, u64, u64, u64, u64, u64, u64,
            ) -> $ret;
            // SAFETY: see the module docs: the callee reads its own
            // parameters from these registers/slots; the caller's contract
            // guarantees the classes match.
            let func: F = unsafe { std::mem::transmute::<*const std::ffi::c_void, F>(fptr) };
            #[cfg(target_arch = "x86_64")]
            let r = unsafe {
                func(
                    i[0], i[1], i[2], i[3], i[4], i[5],
                    f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                    s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
                    s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15],
                )
            };
            #[cfg(target_arch = "aarch64")]
            let r = unsafe {
                func(
                    i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7],
                    f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                    s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
                    s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15],
                )
            };
            r
        }};
    }
    Ok(match ret {
        Ret::Int => call_as!(u64),
        Ret::Float => call_as!(f64).to_bits(),
    })
}

/// # Safety
/// Never calls anything on this architecture.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub unsafe fn call(_fptr: *const std::ffi::c_void, _args: &[Arg], _ret: Ret) -> Result<u64, &'static str> {
    Err("native functions with signatures can only be called on x86_64 and aarch64 here; register them with wasm_runtime_register_natives_raw")
}

#[cfg(all(test, any(target_arch = "x86_64", target_arch = "aarch64")))]
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

    #[test]
    fn calls_with_mixed_classes_and_stack_spill() {
        let args = [
            Arg::Int(1),
            Arg::Float(1.5f32.to_bits() as u64),
            Arg::Int(-3i64 as u64),
            Arg::Float(0.25f64.to_bits()),
            Arg::Int(10),
        ];
        let r = unsafe { call(mixed as *const _, &args, Ret::Float) }.unwrap();
        assert_eq!(f64::from_bits(r), 1.0 + 1.5 - 3.0 + 0.25 + 10.0);
        let args: Vec<Arg> = (1..=9).map(Arg::Int).chain([Arg::Float(2.0f32.to_bits() as u64)]).collect();
        let r = unsafe { call(many as *const _, &args, Ret::Int) }.unwrap() as u32 as i32;
        assert_eq!(r, (1..=9).map(|k| k * k).sum::<i32>() + 20);
        let r = unsafe { call(ret_f32 as *const _, &[Arg::Float(3.5f32.to_bits() as u64)], Ret::Float) }.unwrap();
        assert_eq!(f32::from_bits(r as u32), 7.0);
    }
}
