//! Unit tests of the dispatch layer against a backend table linked into the test binary
//! (a test fixture: it sums its fp32 input; models are the bytes "SUMMODEL").

use super::ctx::NnCtx;
use super::{ephemeral, legacy, registry};
use ember_nn_abi::{Backend, Bytes, InitArgs, NnError, Tensor};
use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The fixture serves pytorch (3), an encoding no real backend of this repo claims.
const FIXTURE_ENCODING: u32 = ember_nn_abi::encoding::PYTORCH;
static LIVE_GRAPHS: AtomicUsize = AtomicUsize::new(0);
static LIVE_CONTEXTS: AtomicUsize = AtomicUsize::new(0);

struct FixtureCtx {
    input: Vec<f32>,
    sum: Option<f32>,
}

unsafe extern "C" fn f_init(_a: *const InitArgs, s: *mut *mut c_void) -> u32 {
    // SAFETY: valid out slot per ABI.
    unsafe { *s = std::ptr::null_mut() };
    0
}
unsafe extern "C" fn f_destroy(_s: *mut c_void) {}
unsafe extern "C" fn f_load(_s: *mut c_void, b: *const Bytes, n: u32, _e: u32, _t: u32, g: *mut *mut c_void) -> u32 {
    if n != 1 {
        return NnError::InvalidArgument as u32;
    }
    // SAFETY: one builder, valid for the call.
    let bytes = unsafe { std::slice::from_raw_parts((*b).data, (*b).len) };
    if bytes != b"SUMMODEL" {
        return NnError::InvalidArgument as u32;
    }
    LIVE_GRAPHS.fetch_add(1, Ordering::SeqCst);
    // SAFETY: valid out slot.
    unsafe { *g = Box::into_raw(Box::new(0u8)) as *mut c_void };
    0
}
unsafe extern "C" fn f_unload(_s: *mut c_void, g: *mut c_void) {
    LIVE_GRAPHS.fetch_sub(1, Ordering::SeqCst);
    // SAFETY: g came from f_load.
    drop(unsafe { Box::from_raw(g as *mut u8) });
}
unsafe extern "C" fn f_init_ctx(_s: *mut c_void, _g: *mut c_void, c: *mut *mut c_void) -> u32 {
    LIVE_CONTEXTS.fetch_add(1, Ordering::SeqCst);
    // SAFETY: valid out slot.
    unsafe { *c = Box::into_raw(Box::new(FixtureCtx { input: Vec::new(), sum: None })) as *mut c_void };
    0
}
unsafe extern "C" fn f_fini_ctx(_s: *mut c_void, c: *mut c_void) {
    LIVE_CONTEXTS.fetch_sub(1, Ordering::SeqCst);
    // SAFETY: c came from f_init_ctx.
    drop(unsafe { Box::from_raw(c as *mut FixtureCtx) });
}
unsafe extern "C" fn f_set_input(_s: *mut c_void, c: *mut c_void, i: u32, t: *const Tensor) -> u32 {
    // SAFETY: live context and a tensor valid for the call.
    let (c, t) = unsafe { (&mut *(c as *mut FixtureCtx), &*t) };
    if i != 0 {
        return NnError::InvalidArgument as u32;
    }
    // SAFETY: data_len bytes at data, valid for the call.
    let d = unsafe { std::slice::from_raw_parts(t.data, t.data_len) };
    c.input = match t.ty {
        ember_nn_abi::tensor_type::FP32 => d.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
        ember_nn_abi::tensor_type::U8 => d.iter().map(|b| f32::from(*b)).collect(),
        _ => return NnError::InvalidArgument as u32,
    };
    0
}
unsafe extern "C" fn f_compute(_s: *mut c_void, c: *mut c_void) -> u32 {
    // SAFETY: live context.
    let c = unsafe { &mut *(c as *mut FixtureCtx) };
    c.sum = Some(c.input.iter().sum());
    0
}
unsafe extern "C" fn f_get_output(_s: *mut c_void, c: *mut c_void, i: u32, out: *mut u8, len: usize, needed: *mut usize) -> u32 {
    // SAFETY: live context, valid needed slot.
    let c = unsafe { &*(c as *const FixtureCtx) };
    let sum = match (i, c.sum) {
        (0, Some(s)) => s,
        _ => return NnError::InvalidArgument as u32,
    };
    // SAFETY: valid slot.
    unsafe { *needed = 4 };
    if len < 4 {
        return NnError::TooLarge as u32;
    }
    // SAFETY: out has len >= 4 writable bytes.
    unsafe { std::ptr::copy_nonoverlapping(sum.to_le_bytes().as_ptr(), out, 4) };
    0
}

static ENCODINGS: [u32; 1] = [FIXTURE_ENCODING];
static FIXTURE: Backend = Backend {
    abi_version: ember_nn_abi::ABI_VERSION,
    name: c"unit-test-fixture".as_ptr() as *const c_char,
    encodings: ENCODINGS.as_ptr(),
    encodings_len: 1,
    init: f_init,
    destroy: f_destroy,
    load: f_load,
    load_by_name: None,
    unload: f_unload,
    init_execution_context: f_init_ctx,
    finalize_execution_context: f_fini_ctx,
    set_input: f_set_input,
    compute: f_compute,
    get_output: f_get_output,
    last_error: None,
};

fn fixture() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        registry::register_table(&FIXTURE, "unit-test-fixture");
    });
}

/// Guest memory with a bump allocator.
struct Mem {
    bytes: Vec<u8>,
    top: u32,
}

impl Mem {
    fn new() -> Mem {
        Mem { bytes: vec![0; 65536], top: 16 }
    }
    fn put(&mut self, data: &[u8]) -> u32 {
        let at = self.top;
        self.bytes[at as usize..at as usize + data.len()].copy_from_slice(data);
        self.top = (self.top + data.len() as u32 + 7) & !7;
        at
    }
    fn words(&mut self, w: &[u32]) -> u32 {
        let b: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.put(&b)
    }
    fn u32_at(&self, p: u32) -> u32 {
        let p = p as usize;
        u32::from_le_bytes(self.bytes[p..p + 4].try_into().unwrap())
    }
}

fn code(r: Result<(), NnError>) -> u32 {
    match r {
        Ok(()) => 0,
        Err(e) => e as u32,
    }
}

/// load + init_execution_context through the ephemeral ABI; returns (graph, ctx).
fn ephemeral_ready(nn: &mut NnCtx, m: &mut Mem) -> (u32, u32) {
    let model = m.put(b"SUMMODEL");
    let builders = m.words(&[model, 8]);
    let out = m.words(&[0xffff_ffff]);
    assert_eq!(code(ephemeral::load(nn, &mut m.bytes, &[builders, 1, FIXTURE_ENCODING, 0, out])), 0);
    let g = m.u32_at(out);
    assert_eq!(code(ephemeral::init_execution_context(nn, &mut m.bytes, &[g, out])), 0);
    (g, m.u32_at(out))
}

fn ephemeral_tensor(m: &mut Mem, dims: &[u32], ty: u32, data: &[u8]) -> u32 {
    let d = m.words(dims);
    let p = m.put(data);
    m.words(&[d, dims.len() as u32, ty | 0xabcd_ef00, p, data.len() as u32])
}

fn floats(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn ephemeral_round_trip_and_hostile_calls() {
    fixture();
    let mut nn = NnCtx::default();
    let mut m = Mem::new();
    let (g, c) = ephemeral_ready(&mut nn, &mut m);
    let mem_len = m.bytes.len() as u32;

    // A good input; the padding bytes after the type are garbage (0xabcdef) and ignored.
    let t = ephemeral_tensor(&mut m, &[1, 2, 2], 1, &floats(&[1.0, 2.0, 3.0, 4.5]));
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, t])), 0);
    // data_len does not match dims * type size.
    let bad = ephemeral_tensor(&mut m, &[1, 3], 1, &floats(&[1.0, 2.0]));
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, bad])), 1);
    // Same bytes as fp64: 2 elements of 8 bytes would need 16, and type fp64 with dims [1,1] is 8.
    let bad = ephemeral_tensor(&mut m, &[1, 1], 2, &floats(&[1.0]));
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, bad])), 1);
    // Unknown tensor type.
    let bad = ephemeral_tensor(&mut m, &[1], 9, &floats(&[1.0]));
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, bad])), 1);
    // dims_len huge.
    let bad = m.words(&[16, 0x4000_0000, 1, 16, 4]);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, bad])), 1);
    // Tensor struct out of bounds, data out of bounds, data wrapping around 4 GiB.
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, mem_len - 8])), 1);
    let d = m.words(&[1]);
    let bad = m.words(&[d, 1, 3, mem_len - 2, 1]);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, bad])), 0, "1 u8 in bounds");
    let bad = m.words(&[d, 1, 3, mem_len, 1]);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, bad])), 1);
    let big = m.words(&[0x4000_0000]);
    let bad = m.words(&[big, 1, 1, 0xffff_fff0, 0]);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, bad])), 1);
    // Invalid context handle.
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c + 100, 0, t])), 1);

    // Restore the good input (the last accepted one was the single u8).
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c, 0, t])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.bytes, &[c])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.bytes, &[12345])), 1);

    // Output buffer too small: too_large with the needed size.
    let out = m.put(&[0; 16]);
    let written = m.words(&[0]);
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.bytes, &[c, 0, out, 2, written])), 7);
    assert_eq!(m.u32_at(written), 4);
    // Output buffer out of bounds, bytes_written out of bounds.
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.bytes, &[c, 0, mem_len - 2, 4, written])), 1);
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.bytes, &[c, 0, out, 16, mem_len - 3])), 1);
    // Good.
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.bytes, &[c, 0, out, 16, written])), 0);
    assert_eq!(m.u32_at(written), 4);
    assert_eq!(f32::from_bits(m.u32_at(out)), 10.5);

    // Unknown encoding and target, autodetect on unknown bytes, out-of-bounds builders.
    let model = m.put(b"SUMMODEL");
    let builders = m.words(&[model, 8]);
    let gout = m.words(&[0]);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[builders, 1, 77, 0, gout])), 2);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[builders, 1, FIXTURE_ENCODING, 9, gout])), 1);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[builders, 1, 6, 0, gout])), 2);
    let oob = m.words(&[mem_len - 4, 8]);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[oob, 1, FIXTURE_ENCODING, 0, gout])), 1);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[builders, 0x2000_0000, FIXTURE_ENCODING, 0, gout])), 1);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[builders, 1, FIXTURE_ENCODING, 0, mem_len])), 1);
    // Corrupt model bytes: the backend's code comes through.
    let junk = m.put(b"SUMMODEX");
    let jb = m.words(&[junk, 8]);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[jb, 1, FIXTURE_ENCODING, 0, gout])), 1);
    // An encoding nobody serves (onnx: no backend library in the test binary's directories).
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[builders, 1, 1, 0, gout])), 2);

    // load_by_name: unknown names are not_found; host paths are refused by default.
    let name = m.put(b"/etc/passwd");
    assert_eq!(code(ephemeral::load_by_name(&mut nn, &mut m.bytes, &[name, 11, gout])), 8);
    assert_eq!(code(ephemeral::load_by_name(&mut nn, &mut m.bytes, &[name, 0x7fff_ffff, gout])), 1);

    // Released handles, never reused.
    assert_eq!(code(ephemeral::finalize_execution_context(&mut nn, &mut m.bytes, &[c])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.bytes, &[c])), 1);
    assert_eq!(code(ephemeral::finalize_execution_context(&mut nn, &mut m.bytes, &[c])), 1);
    assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.bytes, &[g, gout])), 0);
    let c2 = m.u32_at(gout);
    assert_ne!(c2, c);
    assert_eq!(code(ephemeral::unload(&mut nn, &mut m.bytes, &[g])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.bytes, &[c2])), 1, "unload finalizes contexts");
    assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.bytes, &[g, gout])), 1);
    assert_eq!(nn.graph_count() + nn.context_count(), 0);

    // The instance still works: a fresh graph gives a new handle and a correct result.
    let (g2, c3) = ephemeral_ready(&mut nn, &mut m);
    assert!(g2 > g && c3 > c2);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.bytes, &[c3, 0, t])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.bytes, &[c3])), 0);
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.bytes, &[c3, 0, out, 4, written])), 0);
    assert_eq!(f32::from_bits(m.u32_at(out)), 10.5);
}

#[test]
fn limits_and_release_on_drop() {
    fixture();
    let before = (LIVE_GRAPHS.load(Ordering::SeqCst), LIVE_CONTEXTS.load(Ordering::SeqCst));
    {
        let mut nn = NnCtx::default();
        let mut m = Mem::new();
        let model = m.put(b"SUMMODEL");
        let builders = m.words(&[model, 8]);
        let out = m.words(&[0]);
        for _ in 0..super::MAX_GRAPHS {
            assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[builders, 1, FIXTURE_ENCODING, 0, out])), 0);
        }
        assert_eq!(code(ephemeral::load(&mut nn, &mut m.bytes, &[builders, 1, FIXTURE_ENCODING, 0, out])), 7);
        let g = m.u32_at(out);
        for _ in 0..super::MAX_CONTEXTS {
            assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.bytes, &[g, out])), 0);
        }
        assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.bytes, &[g, out])), 7);
    }
    // Other tests run concurrently and hold their own graphs; this test's were all released.
    // (Checked loosely: the counts are back at or below where they started plus the others'.)
    let after = (LIVE_GRAPHS.load(Ordering::SeqCst), LIVE_CONTEXTS.load(Ordering::SeqCst));
    assert!(after.0 < before.0 + super::MAX_GRAPHS && after.1 < before.1 + super::MAX_CONTEXTS);
}

#[test]
fn legacy_abi_layout_and_sizes() {
    fixture();
    let mut nn = NnCtx::default();
    let mut m = Mem::new();
    let model = m.put(b"SUMMODEL");
    let builders = m.words(&[model, 8]);
    let array = m.words(&[builders, 1]);
    let out = m.words(&[0]);
    assert_eq!(code(legacy::load(&mut nn, &mut m.bytes, &[array, FIXTURE_ENCODING, 0, out])), 0);
    let g = m.u32_at(out);
    assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.bytes, &[g, out])), 0);
    let c = m.u32_at(out);
    // Legacy tensor: dims struct {ptr, len}, type u8 + padding, data pointer; no length.
    let dims = m.words(&[1, 3]);
    let dims_struct = m.words(&[dims, 2]);
    let data = m.put(&floats(&[1.0, 2.0, 3.0]));
    let t = m.words(&[dims_struct, 0xffff_ff01, data]);
    assert_eq!(code(legacy::set_input(&mut nn, &mut m.bytes, &[c, 0, t])), 0);
    // Data that would run past the end of memory.
    let big = m.words(&[1, 0x1000_0000]);
    let big_struct = m.words(&[big, 2]);
    let bad = m.words(&[big_struct, 1, data]);
    assert_eq!(code(legacy::set_input(&mut nn, &mut m.bytes, &[c, 0, bad])), 1);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.bytes, &[c])), 0);
    // get_output counts fp32 elements: capacity 0 -> too_large and the needed count (1).
    let buf = m.put(&[0; 16]);
    let inout = m.words(&[0]);
    assert_eq!(code(legacy::get_output(&mut nn, &mut m.bytes, &[c, 0, buf, inout])), 7);
    assert_eq!(m.u32_at(inout), 1);
    let inout = m.words(&[4]);
    assert_eq!(code(legacy::get_output(&mut nn, &mut m.bytes, &[c, 0, buf, inout])), 0);
    assert_eq!(m.u32_at(inout), 1);
    assert_eq!(f32::from_bits(m.u32_at(buf)), 6.0);
    // Capacity that would pass the end of memory.
    let inout = m.words(&[0x4000_0000]);
    assert_eq!(code(legacy::get_output(&mut nn, &mut m.bytes, &[c, 0, buf, inout])), 1);
}

#[test]
fn host_function_tables() {
    for name in ["load", "load_by_name", "load_by_name_with_config", "init_execution_context", "set_input", "compute", "get_output", "unload", "finalize_execution_context"] {
        assert!(super::lookup("wasi_ephemeral_nn", name).is_some(), "{name}");
        assert!(super::lookup("wasi_nn", name).is_some(), "{name}");
    }
    assert_eq!(super::lookup("wasi_ephemeral_nn", "get_output").unwrap().params.len(), 5);
    assert_eq!(super::lookup("wasi_nn", "get_output").unwrap().params.len(), 4);
    assert_eq!(super::lookup("wasi_nn", "load").unwrap().params.len(), 4);
    assert!(super::lookup("wasi_snapshot_preview1", "fd_write").is_none());
    assert!(super::lookup("wasi_ephemeral_nn", "nope").is_none());
}

