//! Drives libwasi_nn_backend_armnn.so through its ABI v1 table, as libvmcore.so does (dlopen of
//! the built library next to the test's profile folder). Shared by tests/nn_armnn*.rs.
#![allow(dead_code)]

use std::ffi::{c_void, CStr};
use std::path::{Path, PathBuf};
use std::ptr;

use ember_nn_abi::{encoding, target, tensor_type, Backend, Bytes, InitArgs, NnError, Tensor, ABI_VERSION};
use ember_platform::dynlib::DynLib;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn cache() -> PathBuf {
    std::env::var_os("EMBER_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/ember"))
}

pub fn read(path: &Path, hint: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {} ({e}); {hint}", path.display()))
}

pub fn model(name: &str) -> Vec<u8> {
    read(&repo().join("nn/models").join(name), "the test models are committed in nn/models/")
}

pub struct Armnn {
    pub table: &'static Backend,
    pub state: *mut c_void,
    _lib: DynLib,
}

#[derive(Debug)]
pub struct Failure {
    pub code: NnError,
    pub message: String,
}

pub type Res<T> = Result<T, Failure>;

impl Armnn {
    pub fn open() -> Armnn {
        Armnn::open_with(&[])
    }

    pub fn open_with(options: &[&CStr]) -> Armnn {
        // The test binary is target/<profile>/deps/nn_armnn-*; the backend is in target/<profile>/.
        let exe = std::env::current_exe().expect("current_exe");
        let profile = exe.parent().and_then(Path::parent).expect("profile folder");
        let path = profile.join("libwasi_nn_backend_armnn.so");
        let lib = DynLib::open(&path).unwrap_or_else(|e| {
            panic!("{e}\n(build it with `cargo build`; ArmNN comes from toolchains/setup-host.sh)")
        });
        let entry = lib.symbol_address("ember_nn_backend_entry").expect("entry symbol exported");
        // SAFETY: the entry symbol has the ABI's EntryFn type (nn/include/wasi_nn_backend.h).
        let entry: ember_nn_abi::EntryFn = unsafe { std::mem::transmute(entry) };
        // SAFETY: the entry returns a pointer to a static table that lives as long as the library.
        let table: &'static Backend = unsafe { &*entry() };
        assert_eq!(table.abi_version, ABI_VERSION);
        // SAFETY: the name is a static C string.
        assert_eq!(unsafe { CStr::from_ptr(table.name) }.to_str().unwrap(), "armnn");
        let opts: Vec<_> = options.iter().map(|o| o.as_ptr()).collect();
        let args = InitArgs { options: opts.as_ptr(), options_len: opts.len() as u32 };
        let mut state = ptr::null_mut();
        // SAFETY: valid args and out-pointer.
        let code = unsafe { (table.init)(&args, &mut state) };
        let mut this = Armnn { table, state, _lib: lib };
        if code != 0 {
            let e = this.failure(code);
            this.state = ptr::null_mut();
            panic!("ArmNN backend init failed: {e:?} (is libarmnn-cpuref-backend22 installed?)");
        }
        this
    }

    pub fn failure(&self, code: u32) -> Failure {
        let f = self.table.last_error.expect("last_error is provided");
        // SAFETY: last_error returns a NUL-terminated string valid until the next call.
        let message = unsafe { CStr::from_ptr(f(self.state)) }.to_string_lossy().into_owned();
        Failure { code: NnError::from_raw(code), message }
    }

    pub fn check(&self, code: u32) -> Res<()> {
        if code == 0 {
            Ok(())
        } else {
            Err(self.failure(code))
        }
    }

    pub fn load_with(&self, bytes: &[u8], enc: u32, tgt: u32) -> Res<*mut c_void> {
        let b = Bytes { data: bytes.as_ptr(), len: bytes.len() };
        let mut g = ptr::null_mut();
        // SAFETY: one valid builder, valid out-pointer.
        self.check(unsafe { (self.table.load)(self.state, &b, 1, enc, tgt, &mut g) })?;
        Ok(g)
    }

    pub fn load(&self, bytes: &[u8]) -> Res<*mut c_void> {
        self.load_with(bytes, encoding::TENSORFLOWLITE, target::CPU)
    }

    pub fn context(&self, graph: *mut c_void) -> Res<*mut c_void> {
        let mut c = ptr::null_mut();
        // SAFETY: live graph, valid out-pointer.
        self.check(unsafe { (self.table.init_execution_context)(self.state, graph, &mut c) })?;
        Ok(c)
    }

    pub fn set_input(&self, ctx: *mut c_void, index: u32, dims: &[u32], ty: u32, data: &[u8]) -> Res<()> {
        let t = Tensor { dims: dims.as_ptr(), dims_len: dims.len() as u32, ty, data: data.as_ptr(), data_len: data.len() };
        // SAFETY: live context, tensor valid for the call.
        self.check(unsafe { (self.table.set_input)(self.state, ctx, index, &t) })
    }

    pub fn compute(&self, ctx: *mut c_void) -> Res<()> {
        // SAFETY: live context.
        self.check(unsafe { (self.table.compute)(self.state, ctx) })
    }

    /// (result, needed)
    pub fn get_output_raw(&self, ctx: *mut c_void, index: u32, buf: &mut [u8]) -> (Res<()>, usize) {
        let mut needed = 0usize;
        // SAFETY: live context, buffer valid for its length.
        let code = unsafe { (self.table.get_output)(self.state, ctx, index, buf.as_mut_ptr(), buf.len(), &mut needed) };
        (self.check(code), needed)
    }

    pub fn get_output(&self, ctx: *mut c_void, index: u32) -> Res<Vec<u8>> {
        let mut buf = vec![0u8; 1 << 20];
        let (r, needed) = self.get_output_raw(ctx, index, &mut buf);
        r?;
        buf.truncate(needed);
        Ok(buf)
    }

    pub fn finalize(&self, ctx: *mut c_void) {
        // SAFETY: live context, released once.
        unsafe { (self.table.finalize_execution_context)(self.state, ctx) }
    }

    pub fn unload(&self, graph: *mut c_void) {
        // SAFETY: live graph, released once.
        unsafe { (self.table.unload)(self.state, graph) }
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

impl Drop for Armnn {
    fn drop(&mut self) {
        if !self.state.is_null() {
            // SAFETY: state from init, every graph and context released by the tests.
            unsafe { (self.table.destroy)(self.state) }
        }
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
