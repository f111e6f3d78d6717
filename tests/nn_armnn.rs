//! The ArmNN wasi-nn backend (libwasi_nn_backend_armnn.so) driven through its ABI table, as
//! libvmcore.so drives it (ember_nn_abi::host): WAMR's test models and Ember's extra ones (nn/models/), BlazeFace with
//! fp16 weights folded to fp32 (nn/engines/fetch.sh puts it in the cache), the unmodified fp16
//! BlazeFace (must fail naming DEQUANTIZE), and hostile input.
//!
//! Needs `cargo build` (the backend next to the test's profile folder), Debian's ArmNN
//! (toolchains/setup-host.sh) and nn/engines/fetch.sh; each missing piece fails the test.

#[path = "nn/armnn_driver.rs"]
mod armnn_driver;

use std::ffi::c_void;

use armnn_driver::*;
use ember_nn_abi::{encoding, target, tensor_type, NnError};

#[test]
fn wamr_test_models() {
    let nn = Armnn::open();
    let r = nn.run_f32(&model("sum.tflite"), &[1, 5, 5, 1], &ramp(25), 1).unwrap();
    assert_close(&r[0], &[300.0], 1e-4, "sum");
    let r = nn.run_f32(&model("max.tflite"), &[1, 5, 5, 1], &ramp(25), 1).unwrap();
    assert_close(&r[0], &[24.0], 0.0, "max");
    let r = nn.run_f32(&model("average.tflite"), &[1, 5, 5, 1], &ramp(25), 1).unwrap();
    assert_close(&r[0], &[12.0], 1e-5, "average");
    let r = nn.run_f32(&model("mult_dimensions.tflite"), &[1, 3, 3, 1], &ramp(9), 1).unwrap();
    assert_close(&r[0], &ramp(9), 0.0, "mult_dimensions");
    let r = nn.run_f32(&model("mult_outputs.tflite"), &[1, 4, 4, 1], &ramp(16), 2).unwrap();
    assert_close(&r[0], &[24.0, 28.0, 32.0, 36.0], 1e-4, "mult_outputs out0");
    assert_close(&r[1], &[6.0, 7.0, 8.0, 9.0], 1e-5, "mult_outputs out1");
    // fp32 -> QUANTIZE u8 (scale 24/255) -> AvgPool u8 -> DEQUANTIZE: 12 within one step.
    let r = nn.run_f32(&model("quantized.tflite"), &[1, 5, 5, 1], &ramp(25), 1).unwrap();
    assert_close(&r[0], &[12.0], 24.0 / 255.0, "quantized");
}

#[test]
fn quantized_u8_and_i8_io() {
    let nn = Armnn::open();
    for (name, input, want) in [
        ("average_u8.tflite", (0u8..25).collect::<Vec<u8>>(), 12u8),
        // int8 with zero point -128: q = k - 128, the mean -116 travels as the byte 140.
        ("average_i8.tflite", (0i32..25).map(|k| (k - 128) as i8 as u8).collect(), (-116i8) as u8),
    ] {
        let g = nn.load(&model(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let c = nn.context(g).unwrap();
        nn.set_input(c, 0, &[1, 5, 5, 1], tensor_type::U8, &input).unwrap();
        nn.compute(c).unwrap();
        // One step of rounding apart is allowed: CpuAcc (Arm Compute Library) gives -115 for int8.
        let got = nn.get_output(c, 0).unwrap();
        assert_eq!(got.len(), 1, "{name}");
        assert!((got[0] as i8 as i32 - want as i8 as i32).abs() <= 1 || got[0] == want, "{name}: got {got:?}, want [{want}]");
        // An fp32 tensor of the right byte count is still the wrong type for a u8 input.
        let e = nn.set_input(c, 0, &[1, 5, 5, 1], tensor_type::FP32, &f32_bytes(&ramp(25))).unwrap_err();
        assert_eq!(e.code, NnError::InvalidArgument, "{e:?}");
        nn.finalize(c);
        nn.unload(g);
    }
}

fn sin_input(n: usize) -> Vec<f32> {
    (0..n).map(|k| (0.37 * k as f64).sin() as f32).collect()
}

#[test]
fn conv_net_matches_reference() {
    let nn = Armnn::open();
    let text = String::from_utf8(model("conv_net.expected")).unwrap();
    let want: Vec<f32> = text.split_whitespace().map(|v| v.parse().unwrap()).collect();
    let r = nn.run_f32(&model("conv_net.tflite"), &[1, 8, 8, 1], &sin_input(64), 1).unwrap();
    assert_close(&r[0], &want, 1e-5, "conv_net");
}

#[test]
fn blazeface_fp32_matches_reference() {
    let path = cache().join("models/face_detection_short_range_fp32.tflite");
    let bytes = read(&path, "run nn/engines/fetch.sh (it folds BlazeFace's fp16 weights for ArmNN)");
    let nn = Armnn::open();
    let r = nn.run_f32(&bytes, &[1, 128, 128, 3], &sin_input(128 * 128 * 3), 2).unwrap();
    // Outputs: regressors [1,896,16] and classificators [1,896,1] (shared/reference/engines.md).
    assert_eq!((r[0].len(), r[1].len()), (896 * 16, 896));
    assert_close(&r[0][..4], &[0.536577, -0.624964, 29.8493, 29.8490], 2e-3, "regressors");
    assert_close(&r[1][..3], &[-4.561491, -3.820391, -4.080200], 1e-3, "classificators");
}

#[test]
fn blazeface_fp16_is_refused_naming_dequantize() {
    let path = cache().join("models/face_detection_short_range.tflite");
    let bytes = read(&path, "run nn/engines/fetch.sh");
    let nn = Armnn::open();
    let e = nn.load(&bytes).unwrap_err();
    assert_eq!(e.code, NnError::UnsupportedOperation, "{e:?}");
    assert!(e.message.contains("DEQUANTIZE"), "{}", e.message);
    // The backend still works afterwards.
    let r = nn.run_f32(&model("sum.tflite"), &[1, 5, 5, 1], &ramp(25), 1).unwrap();
    assert_close(&r[0], &[300.0], 1e-4, "sum after a refused model");
}

#[test]
fn targets_and_encodings() {
    let nn = Armnn::open();
    let sum = model("sum.tflite");
    // gpu and tpu fall back to the CPU with a warning (no GpuAcc/TPU backend here).
    for tgt in [target::GPU, target::TPU] {
        let g = nn.load_with(&sum, encoding::TENSORFLOWLITE, tgt).unwrap();
        nn.unload(g);
    }
    let g = nn.load_with(&sum, encoding::AUTODETECT, target::CPU).unwrap();
    nn.unload(g);
    assert_eq!(nn.load_with(&sum, encoding::TENSORFLOWLITE, 7).unwrap_err().code, NnError::InvalidArgument);
    assert_eq!(nn.load_with(&sum, encoding::ONNX, target::CPU).unwrap_err().code, NnError::InvalidEncoding);
    assert_eq!(nn.load_with(b"<xml/>", encoding::AUTODETECT, target::CPU).unwrap_err().code, NnError::InvalidEncoding);
}

#[test]
fn corrupt_and_truncated_models_are_errors() {
    let nn = Armnn::open();
    let sum = model("sum.tflite");
    assert!(nn.load(&[]).is_err());
    assert!(nn.load(b"TFL3").is_err());
    let junk: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    assert_eq!(nn.load(&junk).unwrap_err().code, NnError::InvalidArgument);
    // A malformed model is the guest's error (invalid_argument), or names an operator ArmNN cannot
    // run (unsupported_operation); never runtime_error.
    let malformed = |e: Failure, what: &str| {
        assert!(matches!(e.code, NnError::InvalidArgument | NnError::UnsupportedOperation), "{what}: {e:?}");
    };
    for cut in 0..sum.len() {
        match nn.load(&sum[..cut]) {
            Ok(g) => nn.unload(g),
            Err(e) => malformed(e, &format!("sum cut at {cut}")),
        }
    }
    // Every single byte changed: an error or a model that runs, never a crash.
    let mut ok = 0;
    for i in 0..sum.len() {
        let mut m = sum.clone();
        m[i] ^= 0xA5;
        let loaded = nn.load(&m);
        if let Err(e) = &loaded {
            malformed(Failure { code: e.code, message: e.message.clone() }, &format!("sum byte {i}"));
        }
        if let Ok(g) = loaded {
            ok += 1;
            if let Ok(c) = nn.context(g) {
                let _ = nn.set_input(c, 0, &[1, 5, 5, 1], tensor_type::FP32, &f32_bytes(&ramp(25)));
                let _ = nn.compute(c);
                nn.finalize(c);
            }
            nn.unload(g);
        }
    }
    eprintln!("corrupt models: {ok} of {} one-byte changes still loaded", sum.len());
    // One-byte changes found by fuzzing that kill an x86_64 process using ArmNN 20.08 directly
    // (SIGFPE, SIGSEGV, abort): the backend must refuse them with an error. On ARM an integer
    // division by zero does not trap, so there some of them load; they must not crash either.
    // The probe that also runs one inference (probe_run=1) refuses them as well.
    let nn_run = Armnn::open_with(&[c"probe_run=1"]);
    for (name, at, value) in [("sum.tflite", 316, 0u8), ("quantized.tflite", 683, 1), ("quantized.tflite", 208, 232), ("quantized.tflite", 448, 65)] {
        let mut m = model(name);
        m[at] = value;
        for backend in [&nn, &nn_run] {
            match backend.load(&m) {
                Err(e) => eprintln!("{name} byte {at} = {value}: {e:?}"),
                Ok(g) if !cfg!(target_arch = "x86_64") => backend.unload(g),
                Ok(_) => panic!("{name} with byte {at} = {value} must be refused"),
            }
        }
    }
    let r = nn_run.run_f32(&sum, &[1, 5, 5, 1], &ramp(25), 1).unwrap();
    assert_close(&r[0], &[300.0], 1e-4, "sum with probe_run=1");
    // Several bytes changed at once (a fixed pseudo-random sequence): such models made ArmNN
    // 20.08 crash (SIGSEGV, SIGFPE) until the backend's scan and probe process refused them.
    for name in ["conv_net.tflite", "quantized.tflite", "mult_outputs.tflite"] {
        let base = model(name);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        for _ in 0..150 {
            let mut m = base.clone();
            for _ in 0..1 + next(6) {
                let at = next(m.len());
                m[at] = [0, 0xff, 0x80, 0x7f, 1, next(256) as u8][next(6)];
            }
            if let Ok(g) = nn.load(&m) {
                nn.unload(g);
            }
        }
    }
    let r = nn.run_f32(&sum, &[1, 5, 5, 1], &ramp(25), 1).unwrap();
    assert_close(&r[0], &[300.0], 1e-4, "sum after corrupt models");
}

#[test]
fn tensor_checks_and_output_contract() {
    let nn = Armnn::open();
    let g = nn.load(&model("mult_outputs.tflite")).unwrap();
    let c = nn.context(g).unwrap();
    let input = f32_bytes(&ramp(16));
    // get_output and compute before inputs.
    assert_eq!(nn.compute(c).unwrap_err().code, NnError::InvalidArgument);
    assert_eq!(nn.get_output(c, 0).unwrap_err().code, NnError::RuntimeError);
    // Bad index, type, shape, byte count.
    assert_eq!(nn.set_input(c, 1, &[1, 4, 4, 1], tensor_type::FP32, &input).unwrap_err().code, NnError::InvalidArgument);
    assert_eq!(nn.set_input(c, 0, &[1, 4, 4, 1], tensor_type::I32, &input).unwrap_err().code, NnError::InvalidArgument);
    assert_eq!(nn.set_input(c, 0, &[1, 5, 5, 1], tensor_type::FP32, &input).unwrap_err().code, NnError::InvalidArgument);
    assert_eq!(nn.set_input(c, 0, &[1, 4, 4, 1], tensor_type::FP32, &input[..60]).unwrap_err().code, NnError::InvalidArgument);
    assert_eq!(
        nn.set_input(c, 0, &[u32::MAX, u32::MAX, u32::MAX, 2], tensor_type::FP32, &input).unwrap_err().code,
        NnError::InvalidArgument
    );
    nn.set_input(c, 0, &[1, 4, 4, 1], tensor_type::FP32, &input).unwrap();
    nn.compute(c).unwrap();
    // Too small: TOO_LARGE, the size needed reported, nothing written.
    let mut small = [0xEEu8; 15];
    let (r, needed) = nn.get_output_raw(c, 1, &mut small);
    assert_eq!(r.unwrap_err().code, NnError::TooLarge);
    assert_eq!(needed, 16);
    assert_eq!(small, [0xEE; 15]);
    let mut exact = [0u8; 16];
    let (r, needed) = nn.get_output_raw(c, 1, &mut exact);
    r.unwrap();
    assert_eq!(needed, 16);
    assert_close(&bytes_f32(&exact), &[6.0, 7.0, 8.0, 9.0], 1e-5, "exact buffer");
    assert_eq!(nn.get_output(c, 2).unwrap_err().code, NnError::InvalidArgument);
    // Contexts are independent; a context outlives its graph's unload.
    let c2 = nn.context(g).unwrap();
    nn.set_input(c2, 0, &[1, 4, 4, 1], tensor_type::FP32, &f32_bytes(&[1.0; 16])).unwrap();
    nn.unload(g);
    nn.compute(c2).unwrap();
    assert_close(&bytes_f32(&nn.get_output(c2, 1).unwrap()), &[1.0; 4], 1e-6, "second context");
    assert_close(&bytes_f32(&nn.get_output(c, 1).unwrap()), &[6.0, 7.0, 8.0, 9.0], 1e-5, "first context");
    nn.finalize(c2);
    nn.finalize(c);
}

/// An init that fails: its failure (code and the backend's last_error text).
fn init_failure(options: &[&std::ffi::CStr]) -> Failure {
    match Armnn::try_open_with(options) {
        Ok(_) => panic!("init with {options:?} must fail"),
        Err(e) => e,
    }
}

#[test]
fn bad_backends_path_is_an_init_error() {
    let e = init_failure(&[c"backends_path=/nonexistent/armnn"]);
    assert_eq!(e.code, NnError::InvalidArgument, "{e:?}");
    assert!(e.message.contains("/nonexistent/armnn"), "{}", e.message);
}

#[test]
fn init_options_are_declared_and_checked() {
    // The table declares the init keys (libvmcore.so warns about and drops any other key; the
    // log level is no option any more: it comes with the init args, from the runtime's -v).
    let (table, _lib) = table();
    assert_eq!(table.option_keys(), ["backends_path", "probe_timeout_ms", "probe_run"]);
    // A bad value is an init error naming the key and the value.
    for (opt, key, value) in [
        (c"probe_timeout_ms=soon", "probe_timeout_ms", "soon"),
        (c"probe_timeout_ms=-1", "probe_timeout_ms", "-1"),
        (c"probe_run=maybe", "probe_run", "maybe"),
    ] {
        let e = init_failure(&[opt]);
        assert_eq!(e.code, NnError::InvalidArgument, "{opt:?}: {e:?}");
        assert!(e.message.contains(key) && e.message.contains(value), "{opt:?}: {}", e.message);
    }
    // Good values; probe_timeout_ms=0 turns the probe off (trusted models only).
    let nn = Armnn::open_with(&[c"probe_timeout_ms=0", c"probe_run=off"]);
    let r = nn.run_f32(&model("sum.tflite"), &[1, 5, 5, 1], &ramp(25), 1).unwrap();
    assert_close(&r[0], &[300.0], 1e-4, "sum without the probe");
}

#[test]
fn contexts_on_several_threads() {
    // The backend instance is shared (host::Instance is Sync: the ABI serializes calls per
    // context only); each thread below uses its own contexts.
    let nn = &Armnn::open();
    let sum = nn.load(&model("sum.tflite")).unwrap() as usize;
    let avg = nn.load(&model("average.tflite")).unwrap() as usize;
    std::thread::scope(|s| {
        for t in 0..4u32 {
            s.spawn(move || {
                // Two threads per graph, each with its own context and its own input scale.
                let (graph, factor) = if t % 2 == 0 { (sum, 25.0) } else { (avg, 1.0) };
                let c = nn.context(graph as *mut c_void).unwrap();
                for i in 0..200u32 {
                    let scale = (t * 1000 + i) as f32;
                    nn.set_input(c, 0, &[1, 5, 5, 1], tensor_type::FP32, &f32_bytes(&[scale; 25])).unwrap();
                    nn.compute(c).unwrap();
                    let got = bytes_f32(&nn.get_output(c, 0).unwrap());
                    assert_close(&got, &[scale * factor], scale * factor * 1e-5, "threaded");
                }
                nn.finalize(c);
            });
        }
    });
    nn.unload(sum as *mut c_void);
    nn.unload(avg as *mut c_void);
}
