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
//! On 32-bit ARM (AAPCS, hard-float, Linux) the same trick works with the
//! rules of that ABI applied while sorting: 32-bit integers/pointers take
//! r0-r3, a 64-bit integer takes an even/odd register pair (or an 8-byte
//! aligned stack slot pair), floats take the VFP registers s0-s15 (f32,
//! back-filling) / d0-d7 (f64), and the rest goes to 4-byte stack words. The
//! fixed type is then `fn(r0..r3: u32, d0..d7: f64, stack words...)`.
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
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn layout(args: &[Arg]) -> Result<Frame, &'static str> {
    let mut f = Frame { ints: [0; 8], flts: [0.0; 8], stack: [0; MAX_STACK_SLOTS] };
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
    Ok(f)
}

/// Where each argument goes on 32-bit ARM (AAPCS-VFP).
#[cfg(target_arch = "arm")]
struct Frame {
    core: [u32; 4],
    /// s0..s15 (d_k = s_2k | s_2k+1 << 32)
    vfp: [u32; 16],
    stack: [u32; MAX_STACK_SLOTS],
}

#[cfg(target_arch = "arm")]
fn layout(args: &[Arg]) -> Result<Frame, &'static str> {
    let mut f = Frame { core: [0; 4], vfp: [0; 16], stack: [0; MAX_STACK_SLOTS] };
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

/// Call `fptr` with `args`; returns the raw bits of the integer (pair) or
/// float return register.
///
/// # Safety
/// `fptr` must be a C function whose parameters, in order, have exactly the
/// types of `args` and whose return type matches `ret` (or is void).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub unsafe fn call(fptr: *const std::ffi::c_void, args: &[Arg], ret: Ret) -> Result<u64, &'static str> {
    let Frame { ints: i, flts: f, stack: s } = layout(args)?;
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
            // guarantees the types match.
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
/// As for the 64-bit version.
#[cfg(target_arch = "arm")]
pub unsafe fn call(fptr: *const std::ffi::c_void, args: &[Arg], ret: Ret) -> Result<u64, &'static str> {
    let Frame { core: c, vfp: v, stack: s } = layout(args)?;
    let d: [f64; 8] = std::array::from_fn(|k| f64::from_bits(v[2 * k] as u64 | (v[2 * k + 1] as u64) << 32));
    macro_rules! call_as {
        ($ret:ty) => {{
            type F = unsafe extern "C" fn(
                u32, u32, u32, u32,
                f64, f64, f64, f64, f64, f64, f64, f64,
                u32, u32, u32, u32, u32, u32, u32, u32,
                u32, u32, u32, u32, u32, u32, u32, u32,
            ) -> $ret;
            // SAFETY: see the module docs (AAPCS-VFP argument placement).
            let func: F = unsafe { std::mem::transmute::<*const std::ffi::c_void, F>(fptr) };
            // SAFETY: as above.
            unsafe {
                func(
                    c[0], c[1], c[2], c[3],
                    d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7],
                    s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
                    s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15],
                )
            }
        }};
    }
    Ok(match ret {
        Ret::Int => call_as!(u64),
        Ret::Float => call_as!(f64).to_bits(),
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
