//! The TFLite wasi-nn backend, driven directly through its C ABI table (no wasm involved), on
//! both engines: LiteRT 2.3 and the classic TFLite 2.9 C API from the Ember cache.
//! Needs `cargo build --workspace` (the backend .so next to iwasm) and nn/engines/fetch.sh.

use std::path::PathBuf;

use ember_nn_abi::host::{stderr_log, Failure, Handle, Instance, Table};
use ember_nn_abi::{log_level, tensor_type as ty, EntryFn};
use ember_test_support::{cache, profile_dir, repo};

const INVALID_ARGUMENT: u32 = 1;
const RUNTIME_ERROR: u32 = 5;
const TOO_LARGE: u32 = 7;


fn engine_lib(engine: &str) -> PathBuf {
    let p = match engine {
        "litert" => cache().join("engines/litert").join(std::env::consts::ARCH).join("libLiteRt.so"),
        _ => cache().join("engines/tflite-classic").join(std::env::consts::ARCH).join("libtensorflowlite_c.so"),
    };
    assert!(p.exists(), "{} is missing: run nn/engines/fetch.sh first", p.display());
    p
}

/// A library built by cargo: in the profile directory after `cargo build`, or only in deps/
/// when it was last built as a dependency.
fn built(name: &str) -> PathBuf {
    let dir = profile_dir();
    let top = dir.join(name);
    if top.exists() {
        top
    } else {
        dir.join("deps").join(name)
    }
}

/// The backend, opened and initialised as libvmcore.so does (ember_nn_abi::host), with
/// libvmcore.so loaded first so that the backend's NEEDED entry resolves to it. Both stay
/// loaded, as libvmcore.so keeps backends loaded for the life of the process.
struct Backend_ {
    b: Instance,
    _libs: std::mem::ManuallyDrop<Vec<libloading::Library>>,
}

fn code<T>(r: Result<T, Failure>) -> u32 {
    r.map_or_else(|f| f.code as u32, |_| 0)
}

impl Backend_ {
    fn try_new(options: &[String]) -> Result<Backend_, Failure> {
        let core = built("libvmcore.so");
        let backend = built("libwasi_nn_backend_tflite.so");
        assert!(backend.exists(), "{} is missing: run cargo build --workspace", backend.display());
        // SAFETY: our own libraries.
        let core = unsafe { libloading::Library::new(&core) }.expect("libvmcore.so");
        // SAFETY: as above.
        let lib = unsafe { libloading::Library::new(&backend) }.expect("backend .so");
        // SAFETY: the entry symbol has the ABI's EntryFn type and returns a static table.
        let table = unsafe {
            let entry: libloading::Symbol<EntryFn> = lib.get(b"ember_nn_backend_entry\0").expect("entry symbol");
            Table::check(entry(), &backend).expect("a valid table")
        };
        assert_eq!(table.name(), "tflite");
        let b = table.init(options, stderr_log, log_level::WARN)?;
        Ok(Backend_ { b, _libs: std::mem::ManuallyDrop::new(vec![lib, core]) })
    }
    fn new(options: &[String]) -> Backend_ {
        Backend_::try_new(options).unwrap_or_else(|f| panic!("init failed: {f}"))
    }
    fn engine(engine: &str) -> Backend_ {
        Backend_::new(&[format!("engine={engine}"), format!("engine_lib={}", engine_lib(engine).display())])
    }
    fn last_error(&self) -> String {
        self.b.last_error().unwrap_or_default()
    }
    fn load_bytes(&self, model: &[u8], target: u32) -> Result<Handle, u32> {
        self.b.load(&[model], 4, target).map_err(|f| f.code as u32)
    }
    fn load(&self, name: &str) -> Handle {
        let path =
            if name.starts_with('/') { PathBuf::from(name) } else { repo().join(format!("nn/models/{name}.tflite")) };
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.load_bytes(&bytes, 0).unwrap_or_else(|rc| panic!("load {name}: {rc}: {}", self.last_error()))
    }
    fn ctx(&self, g: Handle) -> Handle {
        self.b.init_execution_context(g).unwrap_or_else(|f| panic!("init_execution_context: {f}"))
    }
    fn set(&self, c: Handle, index: u32, dims: &[u32], t: u32, data: &[u8]) -> u32 {
        code(self.b.set_input(c, index, dims, t, data))
    }
    fn set_f32(&self, c: Handle, dims: &[u32], values: &[f32]) {
        let rc = self.set(c, 0, dims, ty::FP32, &f32_bytes(values));
        assert_eq!(rc, 0, "set_input: {}", self.last_error());
    }
    fn compute(&self, c: Handle) -> u32 {
        code(self.b.compute(c))
    }
    /// (code, the output, its size in bytes as the backend reported it).
    fn output(&self, c: Handle, index: u32, cap: usize) -> (u32, Vec<u8>, usize) {
        let mut buf = vec![0u8; cap];
        match self.b.get_output(c, index, &mut buf) {
            Ok(n) => {
                buf.truncate(n);
                (0, buf, n)
            }
            Err(f) => (f.code as u32, Vec::new(), f.needed.unwrap_or(0)),
        }
    }
    fn run_f32(&self, c: Handle, dims: &[u32], input: &[f32], outputs: u32) -> Vec<Vec<f32>> {
        self.set_f32(c, dims, input);
        assert_eq!(self.compute(c), 0, "compute: {}", self.last_error());
        (0..outputs)
            .map(|i| {
                let (rc, b, _) = self.output(c, i, 1 << 20);
                assert_eq!(rc, 0, "get_output {i}: {}", self.last_error());
                from_f32_bytes(&b)
            })
            .collect()
    }
    fn release(&self, g: Handle, cs: &[Handle]) {
        for &c in cs {
            self.b.finalize_execution_context(c);
        }
        self.b.unload(g);
    }
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_f32_bytes(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

fn ramp(n: usize) -> Vec<f32> {
    (0..n).map(|i| i as f32).collect()
}

/// WAMR's wasi-nn test set (shared/reference/wasi-nn.md) plus Ember's additions.
fn model_set(engine: &str) {
    let b = Backend_::engine(engine);
    let single = |name: &str, dims: &[u32], n_out: u32| -> Vec<Vec<f32>> {
        let g = b.load(name);
        let c = b.ctx(g);
        let n: u32 = dims.iter().product();
        let out = b.run_f32(c, dims, &ramp(n as usize), n_out);
        b.release(g, &[c]);
        out
    };
    assert_eq!(single("sum", &[1, 5, 5, 1], 1), vec![vec![300.0]]);
    assert_eq!(single("max", &[1, 5, 5, 1], 1), vec![vec![24.0]]);
    assert_eq!(single("average", &[1, 5, 5, 1], 1), vec![vec![12.0]]);
    assert_eq!(single("mult_dimensions", &[1, 3, 3, 1], 1), vec![ramp(9)]);
    assert_eq!(single("mult_outputs", &[1, 4, 4, 1], 2), vec![vec![24.0, 28.0, 32.0, 36.0], vec![6.0, 7.0, 8.0, 9.0]]);
    // uint8 AvgPool between QUANTIZE and DEQUANTIZE (scale 24/255): 12 within one quantum.
    let q = single("quantized", &[1, 5, 5, 1], 1)[0][0];
    assert!((q - 12.0).abs() <= 24.0 / 255.0, "{engine}: quantized gave {q}");

    // u8 and i8 tensors end to end.
    for (name, bytes, expect) in [
        ("average_u8", (0..25u8).collect::<Vec<u8>>(), 12u8),
        ("average_i8", (0..25u8).map(|k| k.wrapping_add(128)).collect(), (-116i8) as u8),
    ] {
        let g = b.load(name);
        let c = b.ctx(g);
        assert_eq!(b.set(c, 0, &[1, 5, 5, 1], ty::U8, &bytes), 0, "{name}: {}", b.last_error());
        assert_eq!(b.compute(c), 0);
        let (rc, out, needed) = b.output(c, 0, 16);
        assert_eq!((rc, needed), (0, 1));
        assert_eq!(out, vec![expect], "{engine} {name}");
        b.release(g, &[c]);
    }

    // fp32 tensors for the same quantized inputs: quantized with the model's scale (0.1) and
    // zero point (0 for uint8, -128 for int8) on the way in, so x = 0.1 k gives the same answers.
    for (name, expect) in [("average_u8", 12u8), ("average_i8", (-116i8) as u8)] {
        let g = b.load(name);
        let c = b.ctx(g);
        let x: Vec<f32> = (0..25).map(|k| k as f32 * 0.1).collect();
        assert_eq!(b.set(c, 0, &[1, 5, 5, 1], ty::FP32, &f32_bytes(&x)), 0, "{name}: {}", b.last_error());
        assert_eq!(b.compute(c), 0);
        let (rc, out, _) = b.output(c, 0, 16);
        assert_eq!((rc, out), (0, vec![expect]), "{engine} {name} from fp32");
        // The wrong number of fp32 values is still refused.
        assert_eq!(b.set(c, 0, &[1, 5, 5, 1], ty::FP32, &f32_bytes(&x[..24])), INVALID_ARGUMENT, "{name}");
        b.release(g, &[c]);
    }

    // A dynamic batch: the input is resized to [2,5,5,1], the output follows.
    let g = b.load("average_dynamic");
    let c = b.ctx(g);
    let out = b.run_f32(c, &[2, 5, 5, 1], &ramp(50), 1);
    assert_eq!(out, vec![vec![12.0, 37.0]], "{engine}: dynamic batch");
    // Only the batch is dynamic: another spatial size is refused, and the context goes on.
    assert_eq!(b.set(c, 0, &[1, 4, 4, 1], ty::FP32, &f32_bytes(&ramp(16))), INVALID_ARGUMENT);
    assert_eq!(b.run_f32(c, &[1, 5, 5, 1], &ramp(25), 1), vec![vec![12.0]], "{engine}: back to batch 1");
    b.release(g, &[c]);

    // Input indices follow the subgraph even when the SignatureDef lists the inputs otherwise.
    let g = b.load("sub_signature");
    let c = b.ctx(g);
    assert_eq!(b.set(c, 0, &[1, 4], ty::FP32, &f32_bytes(&[10.0, 20.0, 30.0, 40.0])), 0);
    assert_eq!(b.set(c, 1, &[1, 4], ty::FP32, &f32_bytes(&[1.0, 2.0, 3.0, 4.0])), 0);
    assert_eq!(b.compute(c), 0, "{}", b.last_error());
    let (rc, out, _) = b.output(c, 0, 16);
    assert_eq!((rc, from_f32_bytes(&out)), (0, vec![9.0, 18.0, 27.0, 36.0]), "{engine}: a - b");
    b.release(g, &[c]);

    // conv + fully connected + softmax against the generator's pure-Python reference.
    let expected: Vec<f32> = std::fs::read_to_string(repo().join("nn/models/conv_net.expected"))
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let g = b.load("conv_net");
    let c = b.ctx(g);
    let x: Vec<f32> = (0..64).map(|k| (0.37 * k as f32).sin()).collect();
    let out = b.run_f32(c, &[1, 8, 8, 1], &x, 1);
    for (a, e) in out[0].iter().zip(&expected) {
        assert!((a - e).abs() < 1e-5, "{engine}: conv_net {:?} vs {:?}", out[0], expected);
    }
    b.release(g, &[c]);
}

/// BlazeFace (face_detection_short_range) against the reference figures of engines.md.
fn blazeface(engine: &str) {
    let b = Backend_::engine(engine);
    let model = cache().join("models/face_detection_short_range.tflite");
    assert!(model.exists(), "{} is missing: run nn/engines/fetch.sh first", model.display());
    let g = b.load(model.to_str().unwrap());
    let c = b.ctx(g);
    let x: Vec<f32> = (0..128 * 128 * 3).map(|k| (0.37 * k as f32).sin()).collect();
    let out = b.run_f32(c, &[1, 128, 128, 3], &x, 2);
    let (reg, cls) = if out[0].len() == 896 * 16 { (&out[0], &out[1]) } else { (&out[1], &out[0]) };
    assert_eq!((reg.len(), cls.len()), (896 * 16, 896));
    let close = |a: f32, e: f32| (a - e).abs() <= 1e-3 * e.abs().max(1.0);
    for (a, e) in reg.iter().zip([0.536577, -0.624964, 29.8493, 29.8490]) {
        assert!(close(*a, e), "{engine}: regressors {:?}", &reg[..4]);
    }
    for (a, e) in cls.iter().zip([-4.561491, -3.820391, -4.080200]) {
        assert!(close(*a, e), "{engine}: classificators {:?}", &cls[..3]);
    }
    b.release(g, &[c]);
}

/// Bad input gets its error code and the backend keeps working.
fn hostile(engine: &str) {
    let b = Backend_::engine(engine);
    let good = std::fs::read(repo().join("nn/models/conv_net.tflite")).unwrap();
    assert_eq!(b.load_bytes(b"", 0), Err(INVALID_ARGUMENT));
    assert_eq!(b.load_bytes(&[0x5a; 4096], 0), Err(INVALID_ARGUMENT));
    for cut in [8, 16, good.len() / 3, good.len() / 2, good.len() - 1] {
        let r = b.load_bytes(&good[..cut], 0);
        assert!(matches!(r, Err(INVALID_ARGUMENT) | Err(RUNTIME_ERROR)), "{engine}: truncated at {cut}: {r:?}");
    }
    let mut flipped = good.clone();
    for i in (12..flipped.len()).step_by(97) {
        flipped[i] ^= 0x5a;
    }
    if let Ok(g) = b.load_bytes(&flipped, 0) {
        b.release(g, &[]); // corrupted weights can still be a valid model
    }
    assert_eq!(b.load_bytes(&good, 9), Err(INVALID_ARGUMENT), "unknown target");

    let g = b.load("conv_net");
    let c = b.ctx(g);
    let x = f32_bytes(&[0.5; 64]);
    let (rc, _, _) = b.output(c, 0, 64);
    assert_eq!(rc, RUNTIME_ERROR, "get_output before compute");
    assert_eq!(b.set(c, 0, &[1, 8, 8, 1], ty::FP32, &x[..60]), INVALID_ARGUMENT, "short data");
    assert_eq!(b.set(c, 0, &[1, 8, 8, 1], ty::U8, &x[..64]), INVALID_ARGUMENT, "wrong type");
    assert_eq!(b.set(c, 1, &[1, 8, 8, 1], ty::FP32, &x), INVALID_ARGUMENT, "no input 1");
    assert!(b.last_error().contains("input 1"), "{}", b.last_error());
    assert_eq!(b.set(c, 0, &[1, 8, 8, 1], ty::FP32, &x), 0);
    assert_eq!(b.compute(c), 0);
    let (rc, _, needed) = b.output(c, 0, 4);
    assert_eq!((rc, needed), (TOO_LARGE, 12), "too small a buffer reports the size");
    assert_eq!(b.output(c, 3, 64).0, INVALID_ARGUMENT, "no output 3");
    // Two contexts of one graph are independent.
    let c2 = b.ctx(g);
    let other = b.run_f32(c2, &[1, 8, 8, 1], &[-0.5; 64], 1);
    let (rc, first, _) = b.output(c, 0, 64);
    assert_eq!(rc, 0);
    assert_ne!(from_f32_bytes(&first), other[0]);
    b.release(g, &[c, c2]);
    // Still working after all that.
    let g = b.load("sum");
    let c = b.ctx(g);
    assert_eq!(b.run_f32(c, &[1, 5, 5, 1], &ramp(25), 1), vec![vec![300.0]]);
    // A gpu target without a delegate falls back to the cpu (with a warning).
    let sum = std::fs::read(repo().join("nn/models/sum.tflite")).unwrap();
    let g2 = b.load_bytes(&sum, 1).expect("gpu target falls back to cpu");
    b.release(g2, &[]);
    b.release(g, &[c]);
}

#[test]
fn litert_model_set() {
    model_set("litert");
}

#[test]
fn classic_model_set() {
    model_set("classic");
}

#[test]
fn litert_blazeface_reference() {
    blazeface("litert");
}

#[test]
fn classic_blazeface_reference() {
    blazeface("classic");
}

#[test]
fn litert_hostile_input() {
    hostile("litert");
}

#[test]
fn classic_hostile_input() {
    hostile("classic");
}

#[test]
fn missing_engine_is_reported_with_the_paths_tried() {
    let b = Backend_::new(&["engine=classic".into(), "engine_lib=/nonexistent/libtensorflowlite_c.so".into()]);
    let sum = std::fs::read(repo().join("nn/models/sum.tflite")).unwrap();
    assert_eq!(b.load_bytes(&sum, 0), Err(8), "not_found");
    let e = b.last_error();
    assert!(e.contains("/nonexistent/libtensorflowlite_c.so") && e.contains("fetch.sh"), "{e}");
}

/// gpu through a delegate: the classic engine loads the `delegate=` library through the
/// external delegate protocol, hands it `delegate.K=V` options and asks it to prepare the graph;
/// cpu does not use it. The recording delegate claims no operator, so results stay exact.
#[test]
fn classic_gpu_target_uses_the_configured_delegate() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nn_tflite_delegate");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let so = dir.join("librecording_delegate.so");
    let log = dir.join("events.txt");
    let include = cache().join("engines/tflite-classic/include");
    assert!(include.exists(), "{} is missing: run nn/engines/fetch.sh first", include.display());
    let st = std::process::Command::new("gcc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&so)
        .arg("-I")
        .arg(&include)
        .arg(repo().join("nn/tflite/tests/recording_delegate.c"))
        .status()
        .expect("gcc");
    assert!(st.success(), "building the recording delegate");
    let b = Backend_::new(&[
        "engine=classic".into(),
        format!("engine_lib={}", engine_lib("classic").display()),
        format!("delegate={}", so.display()),
        format!("delegate.log={}", log.display()),
    ]);
    let sum = std::fs::read(repo().join("nn/models/sum.tflite")).unwrap();
    let events = || std::fs::read_to_string(&log).unwrap_or_default();
    let g = b.load_bytes(&sum, 0).unwrap();
    b.release(g, &[]);
    assert_eq!(events(), "", "target cpu must not use the delegate");
    let g = b.load_bytes(&sum, 1).unwrap_or_else(|rc| panic!("gpu load: {rc}: {}", b.last_error()));
    let c = b.ctx(g);
    assert_eq!(b.run_f32(c, &[1, 5, 5, 1], &ramp(25), 1), vec![vec![300.0]]);
    b.release(g, &[c]);
    let ev = events();
    assert!(ev.starts_with("create\nprepare\n") && ev.ends_with("destroy\n"), "{ev:?}");
    // A library that is not a delegate is refused at load, with the reason.
    let b = Backend_::new(&[
        "engine=classic".into(),
        format!("engine_lib={}", engine_lib("classic").display()),
        format!("delegate={}", engine_lib("classic").display()),
    ]);
    assert_eq!(b.load_bytes(&sum, 1), Err(INVALID_ARGUMENT));
    assert!(b.last_error().contains("not a TFLite external delegate"), "{}", b.last_error());
}

/// A bad option value fails init with invalid_argument and says which option (libvmcore.so then
/// refuses TFLite models loudly instead of handing them to another backend).
#[test]
fn bad_option_values_fail_init() {
    for (opt, needle) in [("threads=abc", "threads=abc"), ("engine=tensorrt", "engine=tensorrt"), ("max_tensor_mb=0", "max_tensor_mb=0")] {
        let f = Backend_::try_new(&[opt.to_string()]).err().unwrap_or_else(|| panic!("{opt} accepted"));
        assert_eq!(f.code as u32, INVALID_ARGUMENT, "{opt}");
        assert!(f.detail.as_deref().unwrap_or("").contains(needle), "{opt}: {f}");
    }
}
