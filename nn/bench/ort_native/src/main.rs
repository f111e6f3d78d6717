//! The native side of the ONNX Runtime overhead benchmark: a model run N times on
//! libonnxruntime.so called directly (no wasm, no Ember), with the settings of Ember's onnx
//! backend (nn/onnx/src/ort.rs): one OrtEnv, default session options with graph optimization
//! ORT_ENABLE_ALL and ONNX Runtime's default thread counts, the session from the model's bytes.
//! Per inference it does what the backend's set_input + compute do: the input copied into a
//! buffer, an OrtValue over it, Run with every output by name (ONNX Runtime allocates them), each
//! output's shape read and its bytes copied out, the values released.
//!
//!   ort_native LIBONNXRUNTIME.so MODEL.onnx N [threads=K] [input=FILE]
//!
//! threads=K sets the intra-op thread count (SetIntraOpNumThreads), as the backend's option
//! threads=K does (iwasm --wasi-nn-backend-opt=onnx:threads=K); without it, ONNX Runtime's
//! default, as the backend's default.
//!
//! The input (input 0, f32, its dims from the model) is FILE's raw f32 values (e.g. the wasm
//! app's preprocessed picture, nn/bench/face_input.py), else x[k] = sin(0.37 k). Prints
//! "seconds_per_inference S cpu_seconds_per_inference C" (wall and process CPU) to stderr.

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;

use ort_sys::{
    GraphOptimizationLevel, ONNXTensorElementDataType, OrtAllocatorType, OrtApi, OrtApiBase, OrtLoggingLevel, OrtMemType,
    OrtStatusPtr, OrtValue, ORT_API_VERSION,
};

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}
extern "C" {
    fn clock_gettime(clock: i32, t: *mut Timespec) -> i32;
}
const CLOCK_MONOTONIC: i32 = 1;
const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;

fn clock(id: i32) -> f64 {
    let mut t = Timespec { sec: 0, nsec: 0 };
    // SAFETY: an out struct of the C layout (x86_64/aarch64 Linux: two 64-bit fields).
    unsafe { clock_gettime(id, &mut t) };
    t.sec as f64 + t.nsec as f64 * 1e-9
}

struct Api(&'static OrtApi);

impl Api {
    fn check(&self, s: OrtStatusPtr, what: &str) {
        if !s.0.is_null() {
            // SAFETY: a live status; its message is a NUL-terminated string.
            let msg = unsafe { CStr::from_ptr((self.0.GetErrorMessage)(s.0)) }.to_string_lossy();
            eprintln!("ort_native: {what}: {msg}");
            std::process::exit(1);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = || -> ! {
        eprintln!("usage: ort_native LIBONNXRUNTIME.so MODEL.onnx N [threads=K] [input=FILE]");
        std::process::exit(2)
    };
    if args.len() < 4 {
        usage();
    }
    let n: usize = args[3].parse().unwrap_or_else(|_| usage());
    let (mut threads, mut input_file) = (None::<i32>, None::<String>);
    for a in &args[4..] {
        match a.split_once('=') {
            Some(("threads", v)) => threads = Some(v.parse().unwrap_or_else(|_| usage())),
            Some(("input", v)) => input_file = Some(v.to_string()),
            _ => usage(),
        }
    }
    let model = std::fs::read(&args[2]).unwrap_or_else(|e| panic!("{}: {e}", args[2]));
    // SAFETY: ONNX Runtime's initialisers; kept loaded for the process.
    let lib = unsafe { libloading::Library::new(&args[1]) }.unwrap_or_else(|e| panic!("{}: {e}", args[1]));
    // SAFETY: OrtGetApiBase's signature; the table it returns is static.
    let api: &'static OrtApi = unsafe {
        let f = lib.get::<unsafe extern "system" fn() -> *const OrtApiBase>(b"OrtGetApiBase\0").expect("OrtGetApiBase");
        let base = &*f();
        &*(base.GetApi)(ORT_API_VERSION)
    };
    let a = Api(api);
    // SAFETY (all API calls below): out slots, live handles, arrays and strings valid for the call.
    unsafe {
        let mut env = ptr::null_mut();
        a.check((api.CreateEnv)(OrtLoggingLevel::ORT_LOGGING_LEVEL_WARNING, c"ember-native".as_ptr(), &mut env), "CreateEnv");
        let mut opts = ptr::null_mut();
        a.check((api.CreateSessionOptions)(&mut opts), "CreateSessionOptions");
        if let Some(t) = threads {
            a.check((api.SetIntraOpNumThreads)(opts, t), "intra-op threads");
        }
        a.check((api.SetSessionGraphOptimizationLevel)(opts, GraphOptimizationLevel::ORT_ENABLE_ALL), "optimization level");
        let mut session = ptr::null_mut();
        a.check(
            (api.CreateSessionFromArray)(env, model.as_ptr() as *const c_void, model.len(), opts, &mut session),
            "CreateSessionFromArray",
        );
        let mut cpu = ptr::null_mut();
        a.check((api.CreateCpuMemoryInfo)(OrtAllocatorType::OrtDeviceAllocator, OrtMemType::OrtMemTypeDefault, &mut cpu), "memory info");
        let mut alloc = ptr::null_mut();
        a.check((api.GetAllocatorWithDefaultOptions)(&mut alloc), "allocator");

        let name = |i: usize, output: bool| -> CString {
            let mut p: *mut c_char = ptr::null_mut();
            let s = if output { (api.SessionGetOutputName)(session, i, alloc, &mut p) } else { (api.SessionGetInputName)(session, i, alloc, &mut p) };
            a.check(s, "name");
            let owned = CStr::from_ptr(p).to_owned();
            a.check((api.AllocatorFree)(alloc, p as *mut c_void), "free");
            owned
        };
        let mut n_out = 0usize;
        a.check((api.SessionGetOutputCount)(session, &mut n_out), "output count");
        let in_name = name(0, false);
        let out_names: Vec<CString> = (0..n_out).map(|i| name(i, true)).collect();
        let out_ptrs: Vec<*const c_char> = out_names.iter().map(|c| c.as_ptr()).collect();

        // Input 0's dims (all fixed for the models benchmarked).
        let mut info = ptr::null_mut();
        a.check((api.SessionGetInputTypeInfo)(session, 0, &mut info), "input type");
        let mut tinfo = ptr::null();
        a.check((api.CastTypeInfoToTensorInfo)(info, &mut tinfo), "tensor info");
        let mut rank = 0usize;
        a.check((api.GetDimensionsCount)(tinfo, &mut rank), "rank");
        let mut dims = vec![0i64; rank];
        a.check((api.GetDimensions)(tinfo, dims.as_mut_ptr(), rank), "dims");
        (api.ReleaseTypeInfo)(info);
        let count: usize = dims.iter().map(|&d| d.max(1) as usize).product();
        let dims: Vec<i64> = dims.iter().map(|&d| d.max(1)).collect();
        let source: Vec<f32> = match &input_file {
            Some(path) => {
                let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
                assert_eq!(bytes.len(), count * 4, "{path}: {} bytes, the input needs {}", bytes.len(), count * 4);
                bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
            }
            None => (0..count).map(|k| (0.37f32 * k as f32).sin()).collect(),
        };
        let mut input = vec![0f32; count];
        // Each output's bytes land here (sized at the first run, as the backend's Vec would be).
        let mut outputs: Vec<Vec<u8>> = vec![Vec::new(); n_out];

        let mut run = |outputs: &mut Vec<Vec<u8>>| {
            input.copy_from_slice(&source);
            let mut value = ptr::null_mut();
            a.check(
                (api.CreateTensorWithDataAsOrtValue)(
                    cpu,
                    input.as_mut_ptr() as *mut c_void,
                    count * 4,
                    dims.as_ptr(),
                    dims.len(),
                    ONNXTensorElementDataType::ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT,
                    &mut value,
                ),
                "input tensor",
            );
            let mut out: Vec<*mut OrtValue> = vec![ptr::null_mut(); n_out];
            let in_ptr = in_name.as_ptr();
            let in_val = value as *const OrtValue;
            a.check((api.Run)(session, ptr::null(), &in_ptr, &in_val, 1, out_ptrs.as_ptr(), n_out, out.as_mut_ptr()), "Run");
            for (i, &v) in out.iter().enumerate() {
                let mut shape = ptr::null_mut();
                a.check((api.GetTensorTypeAndShape)(v, &mut shape), "output shape");
                let mut elems = 0usize;
                a.check((api.GetTensorShapeElementCount)(shape, &mut elems), "element count");
                (api.ReleaseTensorTypeAndShapeInfo)(shape);
                let mut data = ptr::null_mut();
                a.check((api.GetTensorMutableData)(v, &mut data), "output data");
                let bytes = std::slice::from_raw_parts(data as *const u8, elems * 4); // f32 outputs
                outputs[i].clear();
                outputs[i].extend_from_slice(bytes);
                (api.ReleaseValue)(v);
            }
            (api.ReleaseValue)(value);
        };
        // No warm-up: the wasm app (face_detect REPEAT) times its first inference too.
        let (t0, c0) = (clock(CLOCK_MONOTONIC), clock(CLOCK_PROCESS_CPUTIME_ID));
        for _ in 0..n {
            run(&mut outputs);
        }
        let (t1, c1) = (clock(CLOCK_MONOTONIC), clock(CLOCK_PROCESS_CPUTIME_ID));
        let sum: f64 = outputs.iter().flat_map(|o| o.chunks_exact(4)).map(|c| f32::from_ne_bytes([c[0], c[1], c[2], c[3]]) as f64).sum();
        eprintln!("ort_native: {} outputs, checksum {sum:.6}", outputs.len());
        eprintln!("seconds_per_inference {:.9} cpu_seconds_per_inference {:.9}", (t1 - t0) / n as f64, (c1 - c0) / n as f64);
    }
}
