//! Drives libwasi_nn_backend_armnn.so through its ABI table as libvmcore.so does: dlopen of the
//! built library next to the test's profile folder, then ember_nn_abi::host's checked table and
//! safe wrappers (records at warn and above go to stderr). Shared by tests/nn_armnn*.rs.
#![allow(dead_code)]

use std::ffi::{c_void, CStr};
use std::path::Path;

use ember_nn_abi::host::{self, Handle, Instance, Table};
use ember_nn_abi::{encoding, log_level, target, tensor_type, NnError};
use ember_platform::dynlib::DynLib;
pub use ember_test_support::{cache, repo};

pub fn read(path: &Path, hint: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {} ({e}); {hint}", path.display()))
}

pub fn model(name: &str) -> Vec<u8> {
    read(&repo().join("nn/models").join(name), "the test models are committed in nn/models/")
}

pub struct Armnn {
    /// Dropped before the library (fields drop in order).
    pub instance: Instance,
    _lib: DynLib,
}

#[derive(Debug)]
pub struct Failure {
    pub code: NnError,
    pub message: String,
}

pub type Res<T> = Result<T, Failure>;

fn failure(f: host::Failure) -> Failure {
    Failure { code: f.code, message: f.detail.unwrap_or_default() }
}

/// The backend library's checked table (and the library, which must outlive it).
pub fn table() -> (Table, DynLib) {
    let path = ember_test_support::profile_dir().join("libwasi_nn_backend_armnn.so");
    let lib = DynLib::open(&path)
        .unwrap_or_else(|e| panic!("{e}\n(build it with `cargo build`; ArmNN comes from toolchains/setup-host.sh)"));
    let entry = lib.symbol_address("ember_nn_backend_entry").expect("entry symbol exported");
    // SAFETY: the entry symbol has the ABI's EntryFn type (nn/include/wasi_nn_backend.h).
    let entry: ember_nn_abi::EntryFn = unsafe { std::mem::transmute(entry) };
    // SAFETY: the entry returns a static table that lives as long as the library (kept with it).
    let table = unsafe { Table::check(entry(), &path) }.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(table.name(), "armnn");
    (table, lib)
}

impl Armnn {
    pub fn open() -> Armnn {
        Armnn::open_with(&[])
    }

    pub fn open_with(options: &[&CStr]) -> Armnn {
        Armnn::try_open_with(options)
            .unwrap_or_else(|e| panic!("ArmNN backend init failed: {e:?} (is libarmnn-cpuref-backend22 installed?)"))
    }

    /// Initialises the backend with `options` ("key=value") and a stderr log sink at warn.
    pub fn try_open_with(options: &[&CStr]) -> Res<Armnn> {
        let (table, lib) = table();
        let opts: Vec<String> = options.iter().map(|o| o.to_str().expect("UTF-8 option").to_owned()).collect();
        let instance = table.init(&opts, host::stderr_log, log_level::WARN).map_err(failure)?;
        Ok(Armnn { instance, _lib: lib })
    }

    pub fn load_with(&self, bytes: &[u8], enc: u32, tgt: u32) -> Res<*mut c_void> {
        self.instance.load(&[bytes], enc, tgt).map(|g| g.0).map_err(failure)
    }

    pub fn load(&self, bytes: &[u8]) -> Res<*mut c_void> {
        self.load_with(bytes, encoding::TENSORFLOWLITE, target::CPU)
    }

    pub fn context(&self, graph: *mut c_void) -> Res<*mut c_void> {
        self.instance.init_execution_context(Handle(graph)).map(|c| c.0).map_err(failure)
    }

    pub fn set_input(&self, ctx: *mut c_void, index: u32, dims: &[u32], ty: u32, data: &[u8]) -> Res<()> {
        self.instance.set_input(Handle(ctx), index, dims, ty, data).map_err(failure)
    }

    pub fn compute(&self, ctx: *mut c_void) -> Res<()> {
        self.instance.compute(Handle(ctx)).map_err(failure)
    }

    /// (result, needed): the size written, or the size the backend reported as needed (0 if none).
    pub fn get_output_raw(&self, ctx: *mut c_void, index: u32, buf: &mut [u8]) -> (Res<()>, usize) {
        match self.instance.get_output(Handle(ctx), index, buf) {
            Ok(n) => (Ok(()), n),
            Err(f) => {
                let needed = f.needed.unwrap_or(0);
                (Err(failure(f)), needed)
            }
        }
    }

    pub fn get_output(&self, ctx: *mut c_void, index: u32) -> Res<Vec<u8>> {
        let mut buf = vec![0u8; 1 << 20];
        let n = self.instance.get_output(Handle(ctx), index, &mut buf).map_err(failure)?;
        buf.truncate(n);
        Ok(buf)
    }

    pub fn finalize(&self, ctx: *mut c_void) {
        self.instance.finalize_execution_context(Handle(ctx))
    }

    pub fn unload(&self, graph: *mut c_void) {
        self.instance.unload(Handle(graph))
    }

    /// Loads `bytes`, runs it on fp32 `input` of shape `dims`, returns every output as f32s.
    pub fn run_f32(&self, bytes: &[u8], dims: &[u32], input: &[f32], outputs: u32) -> Res<Vec<Vec<f32>>> {
        let g = self.load(bytes)?;
        let c = self.context(g)?;
        let result = (|| {
            self.set_input(c, 0, dims, tensor_type::FP32, &f32_bytes(input))?;
            self.compute(c)?;
            (0..outputs).map(|i| self.get_output(c, i).map(|b| bytes_f32(&b))).collect()
        })();
        self.finalize(c);
        self.unload(g);
        result
    }
}

pub fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub fn bytes_f32(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

pub fn ramp(n: usize) -> Vec<f32> {
    (0..n).map(|k| k as f32).collect()
}

pub fn assert_close(got: &[f32], want: &[f32], tol: f32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol, "{what}[{i}]: got {g}, want {w} (+-{tol}); all: {got:?}");
    }
}

pub fn sin_input(n: usize) -> Vec<f32> {
    (0..n).map(|k| (0.37 * k as f64).sin() as f32).collect()
}
