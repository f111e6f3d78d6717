//! Unit tests of the dispatch layer against a backend linked into the test binary, written on
//! the backend SDK (a test fixture: it sums its fp32 or u8 input; models are the bytes
//! "SUMMODEL").

use super::ctx::NnCtx;
use crate::runtime::guest_memory::GuestMemory;
use super::{ephemeral, legacy, registry};
use ember_nn_abi::sdk::{self, Error, Options, TensorRef};
use ember_nn_abi::NnError;
use std::ffi::CStr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The fixture serves pytorch (3), an encoding no real backend of this repo claims.
const FIXTURE_ENCODING: u32 = ember_nn_abi::encoding::PYTORCH;
static LIVE_GRAPHS: AtomicUsize = AtomicUsize::new(0);
static LIVE_CONTEXTS: AtomicUsize = AtomicUsize::new(0);

struct Fixture;
struct FixtureGraph;
struct FixtureCtx {
    input: Vec<f32>,
    sum: Option<f32>,
}

impl sdk::Backend for Fixture {
    const NAME: &'static CStr = c"unit-test-fixture";
    const ENCODINGS: &'static [u32] = &[FIXTURE_ENCODING];
    const OPTIONS: &'static [&'static CStr] = &[];
    type Graph = FixtureGraph;
    fn new(_: &Options) -> sdk::Result<Fixture> {
        Ok(Fixture)
    }
    fn load(&self, builders: &[&[u8]], _: u32, _: u32) -> sdk::Result<FixtureGraph> {
        if builders != [b"SUMMODEL"] {
            return Err(Error::invalid("not SUMMODEL"));
        }
        LIVE_GRAPHS.fetch_add(1, Ordering::SeqCst);
        Ok(FixtureGraph)
    }
}

impl Drop for FixtureGraph {
    fn drop(&mut self) {
        LIVE_GRAPHS.fetch_sub(1, Ordering::SeqCst);
    }
}

impl sdk::Graph for FixtureGraph {
    type Context = FixtureCtx;
    fn init_execution_context(&self) -> sdk::Result<FixtureCtx> {
        LIVE_CONTEXTS.fetch_add(1, Ordering::SeqCst);
        Ok(FixtureCtx { input: Vec::new(), sum: None })
    }
}

impl Drop for FixtureCtx {
    fn drop(&mut self) {
        LIVE_CONTEXTS.fetch_sub(1, Ordering::SeqCst);
    }
}

impl sdk::Context for FixtureCtx {
    fn set_input(&mut self, index: u32, t: &TensorRef<'_>) -> sdk::Result<()> {
        if index != 0 {
            return Err(Error::invalid("one input"));
        }
        self.input = match t.ty {
            ember_nn_abi::tensor_type::FP32 => {
                t.data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
            }
            ember_nn_abi::tensor_type::U8 => t.data.iter().map(|b| f32::from(*b)).collect(),
            _ => return Err(Error::invalid("fp32 or u8")),
        };
        Ok(())
    }
    fn compute(&mut self) -> sdk::Result<()> {
        self.sum = Some(self.input.iter().sum());
        Ok(())
    }
    fn get_output(&mut self, index: u32, out: &mut [u8]) -> sdk::Result<usize> {
        match (index, self.sum) {
            (0, Some(s)) => sdk::copy_output(0, &s.to_le_bytes(), out),
            _ => Err(Error::invalid("no such output")),
        }
    }
}

fn fixture() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        registry::register_table(ember_nn_abi::backend_table!(Fixture), "unit-test-fixture");
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
    fn view(&mut self) -> GuestMemory<'_> {
        GuestMemory::new(&mut self.bytes)
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
    assert_eq!(code(ephemeral::load(nn, &mut m.view(), &[builders, 1, FIXTURE_ENCODING, 0, out])), 0);
    let g = m.u32_at(out);
    assert_eq!(code(ephemeral::init_execution_context(nn, &mut m.view(), &[g, out])), 0);
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
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, t])), 0);
    // data_len does not match dims * type size.
    let bad = ephemeral_tensor(&mut m, &[1, 3], 1, &floats(&[1.0, 2.0]));
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, bad])), 1);
    // Same bytes as fp64: 2 elements of 8 bytes would need 16, and type fp64 with dims [1,1] is 8.
    let bad = ephemeral_tensor(&mut m, &[1, 1], 2, &floats(&[1.0]));
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, bad])), 1);
    // Unknown tensor type.
    let bad = ephemeral_tensor(&mut m, &[1], 9, &floats(&[1.0]));
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, bad])), 1);
    // dims_len huge.
    let bad = m.words(&[16, 0x4000_0000, 1, 16, 4]);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, bad])), 1);
    // Tensor struct out of bounds, data out of bounds, data wrapping around 4 GiB.
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, mem_len - 8])), 1);
    let d = m.words(&[1]);
    let bad = m.words(&[d, 1, 3, mem_len - 2, 1]);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, bad])), 0, "1 u8 in bounds");
    let bad = m.words(&[d, 1, 3, mem_len, 1]);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, bad])), 1);
    let big = m.words(&[0x4000_0000]);
    let bad = m.words(&[big, 1, 1, 0xffff_fff0, 0]);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, bad])), 1);
    // Invalid context handle.
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c + 100, 0, t])), 1);

    // Restore the good input (the last accepted one was the single u8).
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c, 0, t])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.view(), &[c])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.view(), &[12345])), 1);

    // Output buffer too small: too_large with the needed size.
    let out = m.put(&[0; 16]);
    let written = m.words(&[0]);
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.view(), &[c, 0, out, 2, written])), 7);
    assert_eq!(m.u32_at(written), 4);
    // Output buffer out of bounds, bytes_written out of bounds.
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.view(), &[c, 0, mem_len - 2, 4, written])), 1);
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.view(), &[c, 0, out, 16, mem_len - 3])), 1);
    // Good.
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.view(), &[c, 0, out, 16, written])), 0);
    assert_eq!(m.u32_at(written), 4);
    assert_eq!(f32::from_bits(m.u32_at(out)), 10.5);

    // Unknown encoding and target, autodetect on unknown bytes, out-of-bounds builders.
    let model = m.put(b"SUMMODEL");
    let builders = m.words(&[model, 8]);
    let gout = m.words(&[0]);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[builders, 1, 77, 0, gout])), 2);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[builders, 1, FIXTURE_ENCODING, 9, gout])), 1);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[builders, 1, 6, 0, gout])), 2);
    let oob = m.words(&[mem_len - 4, 8]);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[oob, 1, FIXTURE_ENCODING, 0, gout])), 1);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[builders, 0x2000_0000, FIXTURE_ENCODING, 0, gout])), 1);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[builders, 1, FIXTURE_ENCODING, 0, mem_len])), 1);
    // Corrupt model bytes: the backend's code comes through.
    let junk = m.put(b"SUMMODEX");
    let jb = m.words(&[junk, 8]);
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[jb, 1, FIXTURE_ENCODING, 0, gout])), 1);
    // An encoding nobody serves (tensorflow: no backend library of that name exists).
    assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[builders, 1, 2, 0, gout])), 2);

    // load_by_name: unknown names are not_found; host paths are refused by default.
    let name = m.put(b"/etc/passwd");
    assert_eq!(code(ephemeral::load_by_name(&mut nn, &mut m.view(), &[name, 11, gout], None)), 8);
    assert_eq!(code(ephemeral::load_by_name(&mut nn, &mut m.view(), &[name, 0x7fff_ffff, gout], None)), 1);

    // Released handles, never reused.
    assert_eq!(code(ephemeral::finalize_execution_context(&mut nn, &mut m.view(), &[c])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.view(), &[c])), 1);
    assert_eq!(code(ephemeral::finalize_execution_context(&mut nn, &mut m.view(), &[c])), 1);
    assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.view(), &[g, gout])), 0);
    let c2 = m.u32_at(gout);
    assert_ne!(c2, c);
    assert_eq!(code(ephemeral::unload(&mut nn, &mut m.view(), &[g])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.view(), &[c2])), 1, "unload finalizes contexts");
    assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.view(), &[g, gout])), 1);
    assert_eq!(nn.graph_count() + nn.context_count(), 0);

    // The instance still works: a fresh graph gives a new handle and a correct result.
    let (g2, c3) = ephemeral_ready(&mut nn, &mut m);
    assert!(g2 > g && c3 > c2);
    assert_eq!(code(ephemeral::set_input(&mut nn, &mut m.view(), &[c3, 0, t])), 0);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.view(), &[c3])), 0);
    assert_eq!(code(ephemeral::get_output(&mut nn, &mut m.view(), &[c3, 0, out, 4, written])), 0);
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
            assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[builders, 1, FIXTURE_ENCODING, 0, out])), 0);
        }
        assert_eq!(code(ephemeral::load(&mut nn, &mut m.view(), &[builders, 1, FIXTURE_ENCODING, 0, out])), 7);
        let g = m.u32_at(out);
        for _ in 0..super::MAX_CONTEXTS {
            assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.view(), &[g, out])), 0);
        }
        assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.view(), &[g, out])), 7);
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
    assert_eq!(code(legacy::load(&mut nn, &mut m.view(), &[array, FIXTURE_ENCODING, 0, out])), 0);
    let g = m.u32_at(out);
    assert_eq!(code(ephemeral::init_execution_context(&mut nn, &mut m.view(), &[g, out])), 0);
    let c = m.u32_at(out);
    // Legacy tensor: dims struct {ptr, len}, type u8 + padding, data pointer; no length.
    let dims = m.words(&[1, 3]);
    let dims_struct = m.words(&[dims, 2]);
    let data = m.put(&floats(&[1.0, 2.0, 3.0]));
    let t = m.words(&[dims_struct, 0xffff_ff01, data]);
    assert_eq!(code(legacy::set_input(&mut nn, &mut m.view(), &[c, 0, t])), 0);
    // Data that would run past the end of memory.
    let big = m.words(&[1, 0x1000_0000]);
    let big_struct = m.words(&[big, 2]);
    let bad = m.words(&[big_struct, 1, data]);
    assert_eq!(code(legacy::set_input(&mut nn, &mut m.view(), &[c, 0, bad])), 1);
    assert_eq!(code(ephemeral::compute(&mut nn, &mut m.view(), &[c])), 0);
    // get_output counts fp32 elements: capacity 0 -> too_large and the needed count (1).
    let buf = m.put(&[0; 16]);
    let inout = m.words(&[0]);
    assert_eq!(code(legacy::get_output(&mut nn, &mut m.view(), &[c, 0, buf, inout])), 7);
    assert_eq!(m.u32_at(inout), 1);
    let inout = m.words(&[4]);
    assert_eq!(code(legacy::get_output(&mut nn, &mut m.view(), &[c, 0, buf, inout])), 0);
    assert_eq!(m.u32_at(inout), 1);
    assert_eq!(f32::from_bits(m.u32_at(buf)), 6.0);
    // Capacity that would pass the end of memory.
    let inout = m.words(&[0x4000_0000]);
    assert_eq!(code(legacy::get_output(&mut nn, &mut m.view(), &[c, 0, buf, inout])), 1);
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

