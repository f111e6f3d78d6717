//! WAMR's wasi-nn test set (and Ember's conv_net) through iwasm on every real backend that is
//! built and whose engine is present, for both guest ABIs, plus the hostile guest with a real
//! engine (corrupt and truncated models). The same nn_values.wasm serves every model format:
//! FORMAT (tflite, onnx, openvino) picks the files it loads (see [`format`]).
//!
//! ONNX Runtime (backend onnx): the value tests, the hostile guest on sum.onnx, corrupt and
//! truncated .onnx files by name and by bytes, BlazeFace through the face demo and through
//! nn-bench against the TFLite backend (every output element within 1e-4), the PaddleOCR
//! classifier against its reference, a bad option value.
//!
//! Every backend is required: a library that is not built or an engine that is not installed
//! fails its tests. A run that cannot have some (a machine without an engine) names them in
//! EMBER_NN_SKIP_BACKENDS=a,b: their tests then return at once and say so on stderr, and
//! tests/all.sh prints the list in its summary.

use std::path::{Path, PathBuf};

use ember_test_support::*;

/// The model format a backend runs: nn_values.c's FORMAT.
fn format(backend: &str) -> &'static str {
    match backend {
        "onnx" | "tract" => "onnx",
        "openvino" => "openvino",
        _ => "tflite", // tflite, armnn
    }
}

/// Tests of nn_values.c that cannot run on a backend, each with the reason. They reach the app
/// as SKIP; the app lists what it skipped ("Skipped: ...") and [`values_target`] checks that the
/// list is exactly this one: nothing more skipped, nothing asked for that is no test.
fn skipped_tests(backend: &str) -> &'static [(&'static str, &'static str)] {
    match format(backend) {
        "onnx" | "openvino" => &[(
            "quantized",
            "quantized.tflite is TFLite uint8 quantization; nn/models/onnx and the OpenVINO IR set have no quantized model",
        )],
        _ => &[],
    }
}

/// Whether this run skips `backend` (EMBER_NN_SKIP_BACKENDS); every other backend is required.
fn skipped_by_run(backend: &str) -> bool {
    std::env::var("EMBER_NN_SKIP_BACKENDS").is_ok_and(|v| v.split(',').any(|b| b.trim() == backend))
}

fn required(backend: &str) -> bool {
    !skipped_by_run(backend)
}

/// The backend's library, or None when this run skips the backend (said on stderr); a library
/// that is not built fails the test.
fn backend_lib(backend: &str) -> Option<PathBuf> {
    if skipped_by_run(backend) {
        eprintln!("SKIPPED: backend {backend} (EMBER_NN_SKIP_BACKENDS)");
        return None;
    }
    let lib = backend_dir().join(format!("libwasi_nn_backend_{backend}.so"));
    assert!(lib.is_file(), "{} is not built (cargo build --workspace)", lib.display());
    Some(lib)
}

/// True when the run failed because the backend's engine is not installed: its init failed
/// (tflite, armnn open their engine there), or ONNX Runtime, opened at the first load, was not
/// found.
fn engine_absent(r: &Run) -> bool {
    r.code != Some(0)
        && (r.stderr.contains("failed to initialise")
            || r.stderr.contains("no ONNX Runtime library found")
            || r.stderr.contains("no OpenVINO C library found"))
}

/// [`engine_absent`], failing the test if the backend is required, else reporting the skip.
fn engine_missing(backend: &str, r: &Run) -> bool {
    engine_missing_if(backend, r, required(backend))
}

fn engine_missing_if(backend: &str, r: &Run, required: bool) -> bool {
    if !engine_absent(r) {
        return false;
    }
    assert!(!required, "backend {backend} cannot start (EMBER_NN_SKIP_BACKENDS={backend} skips it):\n{}", r.show());
    eprintln!("SKIPPED: backend {backend}: engine not available:\n{}", r.stderr);
    true
}

fn values(backend: &str, app: &Path) {
    values_env(backend, app, &[]);
}

fn values_env(backend: &str, app: &Path, env: &[(&str, &str)]) {
    values_target(backend, app, env, "cpu");
}

/// What gives nn_values.wasm the models of `backend`'s format: the guest model directory (its
/// MODEL_DIR argument) and iwasm's arguments: the directories (EXPECTED_DIR=/models holds
/// conv_net.expected), FORMAT, and the named model "wamr-sum" (sum in that format).
fn format_args(backend: &str) -> (String, Vec<String>) {
    let models = models_dir();
    let fmt = format(backend);
    let (dir, preload, mut args) = match fmt {
        "tflite" => ("/models", format!("TensorFlowLite:CPU:{}", string(models.join("sum.tflite"))), vec![]),
        "onnx" => ("/models/onnx", format!("onnx:cpu:{}", string(models.join("onnx/sum.onnx"))), vec![]),
        "openvino" => {
            let ir = cache().join("models/openvino");
            let files = format!("{},{}", string(ir.join("sum.xml")), string(ir.join("sum.bin")));
            ("/ir", format!("openvino:cpu:{files}"), vec![format!("--map-dir=/ir::{}", string(&ir))])
        }
        _ => unreachable!(),
    };
    args.extend([
        "--nn-preload".into(),
        format!("wamr-sum:{preload}"),
        format!("--map-dir=/models::{}", string(&models)),
        format!("--env=FORMAT={fmt}"),
        "--env=EXPECTED_DIR=/models".into(),
    ]);
    (dir.to_string(), args)
}

/// iwasm's arguments for nn_values.wasm (`app`) on `backend` in its format, with the backend
/// given by --native-lib (`lib`) or, without, found by encoding. SKIP is skipped_tests(backend).
fn values_args(backend: &str, lib: Option<&Path>, app: &Path, target: &str) -> Vec<String> {
    let mut args = match lib {
        Some(lib) => vec![format!("--native-lib={}", string(lib)), format!("--wasi-nn-backend={backend}")],
        None => vec![],
    };
    let (dir, fmt_args) = format_args(backend);
    args.extend(fmt_args);
    let skip: Vec<&str> = skipped_tests(backend).iter().map(|(t, _)| *t).collect();
    args.extend([format!("--env=SKIP={}", skip.join(",")), format!("--env=TARGET={target}"), string(app), dir, "wamr-sum".into()]);
    args
}

/// `target` reaches the app as TARGET (cpu, gpu, tpu) and the backend as the execution target.
fn values_target(backend: &str, app: &Path, env: &[(&str, &str)], target: &str) {
    let Some(lib) = backend_lib(backend) else { return };
    let r = run_env(&iwasm(), &values_args(backend, Some(&lib), app, target), env);
    if engine_missing(backend, &r) {
        return;
    }
    eprintln!("{backend} {}:\n{}", app.display(), r.stdout);
    check_values(backend, &r);
}

/// All values right, and the app's own list of what it skipped exactly skipped_tests(backend).
fn check_values(backend: &str, r: &Run) {
    let skips = skipped_tests(backend);
    for (test, why) in skips {
        eprintln!("SKIPPED on {backend}: {test}: {why}");
    }
    assert!(r.stdout.contains("Tests: passed!"), "{}", r.show());
    assert_eq!(r.code, Some(0), "{}", r.show());
    let printed: Vec<&str> = r.stdout.lines().filter_map(|l| l.strip_prefix("Skipped: ")).collect();
    assert_eq!(printed.len(), 1, "one 'Skipped:' line wanted\n{}", r.show());
    let mut got: Vec<&str> = if printed[0] == "none" { vec![] } else { printed[0].split(',').collect() };
    let mut want: Vec<&str> = skips.iter().map(|(t, _)| *t).collect();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "{backend}: the tests the app skipped\n{}", r.show());
    assert_eq!(r.stdout.matches("skipped (SKIP)").count(), want.len(), "{}", r.show());
}

/// The hostile guest's "sum" model of a backend's format: guest path and encoding number.
fn hostile_model(backend: &str) -> (&'static str, &'static str) {
    match format(backend) {
        // OpenVINO reads ONNX too: the hostile guest's truncated and mutated copies of one file.
        "onnx" | "openvino" => ("/models/onnx/sum.onnx", "1"),
        "tflite" => ("/models/sum.tflite", "4"),
        f => panic!("no hostile model for format {f}"),
    }
}

fn hostile(backend: &str) {
    hostile_env(backend, &[]);
}

fn hostile_env(backend: &str, env: &[(&str, &str)]) {
    let Some(lib) = backend_lib(backend) else { return };
    let (model, enc) = hostile_model(backend);
    let args = vec![
        format!("--native-lib={}", string(&lib)),
        format!("--wasi-nn-backend={backend}"),
        format!("--map-dir=/models::{}", string(models_dir())),
        string(&apps().hostile),
        model.into(),
        enc.into(),
        "300".into(),
    ];
    let r = run_env(&iwasm(), &args, env);
    if engine_missing(backend, &r) {
        return;
    }
    eprintln!("{backend} hostile:\n{}", r.stdout);
    assert!(r.stdout.contains("hostile: all"), "{}", r.show());
    assert_eq!(r.code, Some(0), "{}", r.show());
}

#[test]
fn tflite_values_ephemeral() {
    values("tflite", &apps().values_ephemeral);
}

#[test]
fn tflite_values_legacy() {
    values("tflite", &apps().values_legacy);
}

#[test]
fn tflite_hostile() {
    hostile("tflite");
}

/// load_by_name of a guest path, as WAMR's test apps do ("./models/sum.tflite" with --dir=.):
/// resolved through the app's own preopens by the WASI sandbox (a link inside followed), and
/// by wasi-libc's rule (the longest preopen name that prefixes the path: "./models/.." is the
/// /models preopen here). A file outside every preopen is not_found (8), also when it exists on
/// the host and also through a link, unless --wasi-nn-allow-host-paths. Needs the TFLite
/// backend and its engine: fails (no skip) without them.
#[test]
fn tflite_load_by_name_of_guest_paths() {
    let lib = backend_dir().join("libwasi_nn_backend_tflite.so");
    assert!(lib.is_file(), "{} is not built (cargo build)", lib.display());
    let dir = scratch("guest_paths");
    let app_dir = dir.join("app");
    std::fs::create_dir_all(app_dir.join("real")).unwrap();
    std::fs::copy(models_dir().join("sum.tflite"), app_dir.join("real/sum.tflite")).unwrap();
    std::fs::copy(models_dir().join("sum.tflite"), dir.join("outside.tflite")).unwrap();
    std::os::unix::fs::symlink("real", app_dir.join("nets")).unwrap();
    std::os::unix::fs::symlink("../outside.tflite", app_dir.join("escape.tflite")).unwrap();
    let outside = string(dir.join("outside.tflite"));
    let run_named = |name: &str, extra: &[&str]| {
        let mut args = vec![
            format!("--native-lib={}", string(&lib)),
            "--wasi-nn-backend=tflite".into(),
            // What `--dir=.` gives an app started in app_dir.
            format!("--map-dir=.::{}", string(&app_dir)),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let (model_dir, fmt_args) = format_args("tflite");
        args.extend(fmt_args);
        args.extend(["--env=SKIP=".into(), "--env=TARGET=cpu".into(), string(&apps().values_ephemeral), model_dir]);
        args.push(name.into());
        run_env(&iwasm(), &args, &[])
    };
    for name in ["./nets/sum.tflite", "nets/sum.tflite", "./models/sum.tflite", "/models/sum.tflite"] {
        let r = run_named(name, &[]);
        assert!(r.stdout.contains("named model (sum)") && r.stdout.contains("Tests: passed!"), "{name}\n{}", r.show());
        assert_eq!(r.code, Some(0), "{name}\n{}", r.show());
    }
    for name in ["../outside.tflite", "./escape.tflite", outside.as_str(), "./nets/missing.tflite"] {
        let r = run_named(name, &[]);
        assert!(r.stdout.contains(&format!("load_by_name({name}): error 8")), "{name} must be not_found\n{}", r.show());
        assert!(r.stderr.contains(&format!("'{name}' is not a named model")), "{name}: the log says why\n{}", r.show());
        assert_eq!(r.code, Some(1), "{}", r.show());
    }
    // Host paths come last, and only when allowed.
    let r = run_named(&outside, &["--wasi-nn-allow-host-paths"]);
    assert!(r.stdout.contains("Tests: passed!"), "{}", r.show());
}

/// Target gpu without a GPU delegate or GpuAcc: both backends fall back to the CPU (with a
/// warning) and the values hold.
#[test]
fn gpu_target_falls_back_to_cpu() {
    values_target("tflite", &apps().values_legacy, &[], "gpu");
    values_target("armnn", &apps().values_ephemeral, &[], "gpu");
}

/// The TFLite backend on the classic TensorFlow Lite C API (what board vendors ship) instead of
/// LiteRT. (Named without "tflite_": tests/cross selects the engine itself for tflite_*.)
const CLASSIC: &[(&str, &str)] = &[("EMBER_TFLITE_ENGINE", "classic")];

#[test]
fn classic_engine_values_ephemeral() {
    values_env("tflite", &apps().values_ephemeral, CLASSIC);
}

#[test]
fn classic_engine_values_legacy() {
    values_env("tflite", &apps().values_legacy, CLASSIC);
}

#[test]
fn classic_engine_hostile() {
    hostile_env("tflite", CLASSIC);
}

#[test]
fn armnn_values_ephemeral() {
    values("armnn", &apps().values_ephemeral);
}

#[test]
fn armnn_values_legacy() {
    values("armnn", &apps().values_legacy);
}

#[test]
fn armnn_hostile() {
    hostile("armnn");
}

#[test]
fn openvino_values_ephemeral() {
    values("openvino", &apps().values_ephemeral);
}

#[test]
fn openvino_values_legacy() {
    values("openvino", &apps().values_legacy);
}

/// The hostile guest on OpenVINO (sum.onnx through OpenVINO's ONNX frontend, with the guest's
/// truncated and mutated copies).
#[test]
fn openvino_hostile() {
    hostile("openvino");
}

#[test]
fn onnx_values_ephemeral() {
    values("onnx", &apps().values_ephemeral);
}

#[test]
fn onnx_values_legacy() {
    values("onnx", &apps().values_legacy);
}

/// The hostile guest on sum.onnx: bad pointers and handles, the guest's own truncated and
/// corrupt copies of the model (half, first 8 bytes, body overwritten) and 200 mutated ones.
#[test]
fn onnx_hostile() {
    hostile("onnx");
}

#[test]
fn tract_values_ephemeral() {
    values("tract", &apps().values_ephemeral);
}

#[test]
fn tract_values_legacy() {
    values("tract", &apps().values_legacy);
}

/// The hostile guest on tract (sum.onnx and the guest's truncated and mutated copies): tract's
/// parser panics on some malformed models, which the backend's model checks refuse first and
/// the SDK's guard turns into an error (the backend is built with panic=unwind).
#[test]
fn tract_hostile() {
    hostile("tract");
}

/// FORMAT=onnx with no --native-lib: libwasi_nn_backend_onnx.so is found next to libvmcore.so
/// by encoding onnx (and by what autodetect makes of the .onnx bytes).
#[test]
fn onnx_found_next_to_libvmcore_by_encoding() {
    if backend_lib("onnx").is_none() {
        return;
    }
    let r = run_env(&iwasm(), &values_args("onnx", None, &apps().values_ephemeral, "cpu"), &[]);
    if engine_missing("onnx", &r) {
        return;
    }
    check_values("onnx", &r);
}

/// Without ONNX Runtime (EMBER_ONNXRUNTIME_LIB names an absent file) every ONNX load fails with
/// not_found and the log says why; the harness takes that for a missing engine, so the onnx
/// tests fail when onnx is required (EMBER_NN_REQUIRE_BACKENDS) and are SKIPPED otherwise.
#[test]
fn onnx_missing_engine_fails_when_required() {
    let Some(lib) = backend_lib("onnx") else { return };
    let absent = scratch("onnx_missing_engine").join("libonnxruntime.so");
    let env = [("EMBER_ONNXRUNTIME_LIB", absent.to_str().unwrap())];
    let r = run_env(&iwasm(), &values_args("onnx", Some(&lib), &apps().values_ephemeral, "cpu"), &env);
    assert_eq!(r.code, Some(1), "{}", r.show());
    assert!(!r.stdout.contains("Tests: passed!") && r.stdout.contains("error 8"), "{}", r.show());
    assert!(r.stderr.contains(absent.to_str().unwrap()), "the log names what was tried\n{}", r.show());
    assert!(engine_absent(&r), "{}", r.show());
    eprintln!("(below: the harness on a deliberately missing ONNX Runtime, not required then required)");
    assert!(engine_missing_if("onnx", &r, false), "not required: SKIPPED");
    let required = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| engine_missing_if("onnx", &r, true)));
    assert!(required.is_err(), "required: the test must fail");
}

/// A bad option value fails loudly: given by --native-lib, iwasm refuses to start; found by
/// encoding, the backend does not come up, every ONNX load fails, and the error is logged.
#[test]
fn onnx_bad_option_value_fails_loudly() {
    let Some(lib) = backend_lib("onnx") else { return };
    let app = &apps().values_ephemeral;
    for given in [true, false] {
        let mut args = vec!["--wasi-nn-backend-opt=onnx:threads=abc".to_string()];
        args.extend(values_args("onnx", given.then_some(lib.as_path()), app, "cpu"));
        let r = run_env(&iwasm(), &args, &[]);
        assert!(matches!(r.code, Some(c) if c != 0), "{}", r.show());
        assert!(r.stderr.contains("threads=abc") && r.stderr.contains("failed to initialise"), "{}", r.show());
        assert!(!r.stdout.contains("Tests: passed!") && !r.stdout.contains("ok  "), "{}", r.show());
        if given {
            assert!(!r.stdout.contains("ABI "), "the app must not run\n{}", r.show());
        }
    }
}

/// nn-bench's arguments on one backend: --native-lib and the preference, then `rest`.
fn bench_args(lib: &Path, backend: &str, rest: &[String]) -> Vec<String> {
    let mut args = vec![format!("--native-lib={}", string(lib)), format!("--wasi-nn-backend={backend}")];
    args.extend(rest.iter().cloned());
    args
}

/// Corrupt and truncated .onnx files (BlazeFace's) by name (--nn-preload: ONNX Runtime reads the
/// file itself) and as bytes (load): each load fails with a wasi-nn error, nn-bench exits 1,
/// nothing crashes. A byte flip inside the weights can still be a valid model: it must run or
/// fail cleanly.
#[test]
fn onnx_corrupt_and_truncated_files() {
    corrupt_and_truncated_files("onnx");
}

/// The same on tract (its parser gets the bytes of named models too).
#[test]
fn tract_corrupt_and_truncated_files() {
    corrupt_and_truncated_files("tract");
}

fn corrupt_and_truncated_files(backend: &str) {
    let Some(lib) = backend_lib(backend) else { return };
    let m = std::fs::read(cached("models/face_detection_short_range.onnx")).unwrap();
    let tflite = std::fs::read(cached("models/face_detection_short_range.tflite")).unwrap();
    let n = m.len();
    let mut body = m[..8].to_vec();
    body.extend((8..n).map(|i| (0xffu32.wrapping_sub(i as u32 * 7)) as u8));
    let mut flipped = m.clone();
    flipped[n / 2] ^= 0x5a;
    flipped[n / 2 + 1] ^= 0xa5;
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("empty", vec![], true),
        ("first_8_bytes", m[..8].to_vec(), true),
        ("a_third", m[..n / 3].to_vec(), true),
        ("half", m[..n / 2].to_vec(), true),
        ("nine_tenths", m[..n * 9 / 10].to_vec(), true),
        ("last_byte_cut", m[..n - 1].to_vec(), true),
        ("body_overwritten", body, true),
        ("a_tflite_file", tflite, true),
        ("weights_flipped", flipped, false),
    ];
    let dir = scratch(&format!("{backend}_corrupt"));
    let bench = string(&examples().nn_bench);
    for (name, bytes, must_fail) in cases {
        let file = dir.join(format!("{name}.onnx"));
        std::fs::write(&file, bytes).unwrap();
        let common = ["--input=0:f32:1x128x128x3".to_string(), "--warmup=0".into(), "--runs=1".into()];
        let by_name = [
            vec!["--nn-preload".into(), format!("bad:onnx:cpu:{}", string(&file)), bench.clone()],
            common.to_vec(),
            vec!["@bad".into()],
        ]
        .concat();
        let by_bytes =
            [vec![format!("--dir={}", string(&dir)), bench.clone(), "--encoding=onnx".into()], common.to_vec(), vec![string(&file)]]
                .concat();
        for (how, rest) in [("by name", by_name), ("as bytes", by_bytes)] {
            let r = run_env(&iwasm(), &bench_args(&lib, backend, &rest), &[]);
            if engine_missing(backend, &r) {
                return;
            }
            eprintln!("{name} {how}: exit {:?}: {}", r.code, r.stderr.lines().find(|l| l.contains("load")).unwrap_or(""));
            if must_fail {
                assert_eq!(r.code, Some(1), "{name} {how}\n{}", r.show());
                assert!(r.stderr.contains("nn-bench: load failed: "), "{name} {how}\n{}", r.show());
            } else {
                assert!(matches!(r.code, Some(0 | 1)), "{name} {how}\n{}", r.show());
            }
        }
    }
}

/// The numbers of the demo's face line ("face at x=.. y=.. w=.. h=.. with score .. (eyes at
/// ..,.. and ..,..; nose at ..,..)").
fn face_numbers(stdout: &str) -> Vec<f32> {
    assert!(stdout.starts_with("1 face found"), "{stdout}");
    let line = stdout.lines().find(|l| l.contains("face at")).expect("a face line");
    line.split(|c: char| !c.is_ascii_digit() && c != '.' && c != '-')
        .filter(|w| !w.is_empty() && w.chars().any(|c| c.is_ascii_digit()))
        .map(|w| w.trim_end_matches('.').parse().unwrap_or_else(|e| panic!("{w} in {line}: {e}")))
        .collect()
}

/// BlazeFace as ONNX through the face demo (examples/face_detect, a named model: --nn-preload
/// face:onnx:cpu:...) finds the same face as the .tflite on LiteRT: "1 face found", box, eyes
/// and nose within a pixel, score within 0.01.
#[test]
fn onnx_face_demo_matches_tflite() {
    face_demo_matches_tflite("onnx");
}

/// The same on OpenVINO, with BlazeFace as OpenVINO IR (xml + bin, preloaded by path).
#[test]
fn openvino_face_demo_matches_tflite() {
    face_demo_matches_tflite("openvino");
}

/// The same on tract, with BlazeFace as ONNX.
#[test]
fn tract_face_demo_matches_tflite() {
    face_demo_matches_tflite("tract");
}

/// BlazeFace in `backend`'s format as a named model (--nn-preload face:ENC:cpu:FILES).
fn blazeface_preload(backend: &str) -> String {
    match format(backend) {
        "openvino" => {
            let ir = cache().join("models/openvino");
            format!(
                "face:openvino:cpu:{},{}",
                string(ir.join("face_detection_short_range.xml")),
                string(ir.join("face_detection_short_range.bin"))
            )
        }
        _ => format!("face:onnx:cpu:{}", string(cached("models/face_detection_short_range.onnx"))),
    }
}

fn face_demo_matches_tflite(backend: &str) {
    let (Some(lib), Some(tfl)) = (backend_lib(backend), backend_lib("tflite")) else { return };
    let picture = cached("pictures/astronaut.ppm");
    let pictures = format!("--dir={}", string(picture.parent().unwrap()));
    let app = string(&examples().face_detect);
    let args = vec![
        format!("--native-lib={}", string(&lib)),
        format!("--wasi-nn-backend={backend}"),
        format!("--nn-preload={}", blazeface_preload(backend)),
        pictures.clone(),
        app.clone(),
        "@face".into(),
        string(&picture),
        "cpu".into(),
    ];
    let o = run_env(&iwasm(), &args, &[]);
    if engine_missing(backend, &o) {
        return;
    }
    assert_eq!(o.code, Some(0), "{}", o.show());
    let tmodel = cached("models/face_detection_short_range.tflite");
    let args = vec![
        format!("--native-lib={}", string(&tfl)),
        format!("--dir={}", string(tmodel.parent().unwrap())),
        pictures,
        app,
        string(&tmodel),
        string(&picture),
        "cpu".into(),
    ];
    let t = run_env(&iwasm(), &args, &[("EMBER_TFLITE_ENGINE", "litert")]);
    if engine_missing("tflite", &t) {
        return;
    }
    assert_eq!(t.code, Some(0), "{}", t.show());
    eprintln!("{backend}:   {}tflite: {}", o.stdout, t.stdout);
    let (a, b) = (face_numbers(&o.stdout), face_numbers(&t.stdout));
    assert_eq!(a.len(), 11, "x y w h score, eyes, nose: {a:?}");
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        let slack = if i == 4 { 0.01 } else { 1.0 };
        assert!((x - y).abs() <= slack, "{backend} {a:?} vs tflite {b:?} (item {i})");
    }
}

/// The PaddleOCR MobileNetV3 classifier (NCHW [1,3,48,192], dynamic dims in the model) through
/// nn-bench on x[k] = sin(0.37 k): both softmax outputs within 1e-4 of ONNX Runtime's figures
/// in ch_ppocr_cls.expected.
#[test]
fn onnx_classifier_matches_reference() {
    classifier_matches_reference("onnx");
}

/// The classifier as OpenVINO IR on OpenVINO (f32 inference precision), same reference.
#[test]
fn openvino_classifier_matches_reference() {
    classifier_matches_reference("openvino");
}

/// The classifier on tract: its input dims are dynamic in the model, so tract makes its plan at
/// the first compute with the guest's shape.
#[test]
fn tract_classifier_matches_reference() {
    classifier_matches_reference("tract");
}

fn classifier_matches_reference(backend: &str) {
    let Some(lib) = backend_lib(backend) else { return };
    let onnx = cached("models/ch_ppocr_mobile_v2.0_cls_infer.onnx");
    let (model, encoding) = match format(backend) {
        "openvino" => {
            let ir = cache().join("models/openvino");
            (
                format!("{},{}", string(ir.join("ch_ppocr_mobile_v2.0_cls_infer.xml")), string(ir.join("ch_ppocr_mobile_v2.0_cls_infer.bin"))),
                "openvino",
            )
        }
        _ => (string(&onnx), "onnx"),
    };
    let text = std::fs::read_to_string(cached("models/ch_ppocr_cls.expected")).unwrap();
    let want: Vec<f32> = text.split_whitespace().map(|v| v.parse().unwrap()).collect();
    assert_eq!(want.len(), 2, "ch_ppocr_cls.expected: {text}");
    let rest = [
        format!("--dir={}", string(onnx.parent().unwrap())),
        format!("--dir={}", string(cache().join("models/openvino"))),
        string(&examples().nn_bench),
        format!("--encoding={encoding}"),
        "--input=0:f32:1x3x48x192".into(),
        "--show=2".into(),
        "--outputs=1".into(),
        model,
    ];
    let r = run_env(&iwasm(), &bench_args(&lib, backend, &rest), &[]);
    if engine_missing(backend, &r) {
        return;
    }
    assert_eq!(r.code, Some(0), "{}", r.show());
    assert!(r.stdout.contains("output 0: 8 bytes = 2 f32"), "{}", r.show());
    let got = bench_values(&r.stdout, 0);
    assert_eq!(got.len(), 2, "{}", r.show());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-4, "got {got:?}, want {want:?}\n{}", r.show());
    }
}

/// Cross-backend agreement: BlazeFace as ONNX on ONNX Runtime and as .tflite on LiteRT, the same
/// input (x[k] = sin(0.37 k)) through nn-bench, every element of both outputs (nn-bench
/// --save) within 1e-4. Prints each backend's per-inference times (50 runs; EMBER_TEST_BENCH_RUNS
/// sets another count, as tests/cross does under qemu, where the times mean nothing and a
/// LiteRT inference takes ~2.8 s).
#[test]
fn onnx_blazeface_outputs_agree_with_tflite() {
    blazeface_outputs_agree_with_tflite("onnx");
}

/// The same for OpenVINO running BlazeFace as IR.
#[test]
fn openvino_blazeface_outputs_agree_with_tflite() {
    blazeface_outputs_agree_with_tflite("openvino");
}

/// The same for tract running BlazeFace as ONNX.
#[test]
fn tract_blazeface_outputs_agree_with_tflite() {
    blazeface_outputs_agree_with_tflite("tract");
}

fn blazeface_outputs_agree_with_tflite(other: &str) {
    let (Some(lib), Some(tfl)) = (backend_lib(other), backend_lib("tflite")) else { return };
    let timed = match std::env::var("EMBER_TEST_BENCH_RUNS") {
        Ok(v) => v.parse::<u32>().ok().filter(|&n| n > 0).unwrap_or_else(|| panic!("EMBER_TEST_BENCH_RUNS={v}: not a count")),
        Err(_) => 50,
    };
    let out = scratch(&format!("blazeface_agree_{other}"));
    let ir = cache().join("models/openvino");
    let model = match format(other) {
        "openvino" => format!(
            "{},{}",
            string(ir.join("face_detection_short_range.xml")),
            string(ir.join("face_detection_short_range.bin"))
        ),
        _ => string(cached("models/face_detection_short_range.onnx")),
    };
    let runs = [
        (other, lib, model, format(other)),
        ("tflite", tfl, string(cached("models/face_detection_short_range.tflite")), "tflite"),
    ];
    for (backend, lib, model, enc) in &runs {
        let rest = [
            format!("--dir={}", string(cache().join("models"))),
            format!("--dir={}", string(&ir)),
            format!("--map-dir=/out::{}", string(&out)),
            string(&examples().nn_bench),
            format!("--encoding={enc}"),
            "--input=0:f32:1x128x128x3".into(),
            format!("--runs={timed}"),
            "--outputs=2".into(),
            format!("--save=/out/{backend}."),
            model.clone(),
        ];
        let r = run_env(&iwasm(), &bench_args(lib, backend, &rest), &[("EMBER_TFLITE_ENGINE", "litert")]);
        if engine_missing(backend, &r) {
            return;
        }
        assert_eq!(r.code, Some(0), "{}", r.show());
        let (min, median, mean, max) = bench_times(&r.stdout);
        eprintln!("BlazeFace on {backend}: per inference min {min:.3} median {median:.3} mean {mean:.3} max {max:.3} ms");
    }
    for (index, len) in [(0, 896 * 16), (1, 896)] {
        let a = read_f32s(&out.join(format!("{other}.{index}.bin")));
        let b = read_f32s(&out.join(format!("tflite.{index}.bin")));
        assert_eq!((a.len(), b.len()), (len, len), "output {index}");
        let (worst, at) = a.iter().zip(&b).enumerate().fold((0f32, 0), |(w, at), (i, (x, y))| {
            let d = (x - y).abs();
            if d > w || d.is_nan() { (if d.is_nan() { f32::INFINITY } else { d }, i) } else { (w, at) }
        });
        eprintln!("output {index}: {len} elements, largest difference {worst:e} at {at} ({other} {} tflite {})", a[at], b[at]);
        assert!(worst <= 1e-4, "output {index}: {other} {} vs tflite {} at {at}", a[at], b[at]);
    }
}

/// Lookup by encoding with no --native-lib: the backends sit next to libvmcore.so in
/// target/<profile>/, so a tflite model finds libwasi_nn_backend_tflite.so by itself.
#[test]
fn tflite_found_next_to_libvmcore_by_encoding() {
    if backend_lib("tflite").is_none() {
        return;
    }
    let models = models_dir();
    let args = vec![
        format!("--map-dir=/models::{}", string(&models)),
        string(&apps().values_ephemeral),
        "/models".into(),
    ];
    let r = run_env(&iwasm(), &args, &[]);
    if engine_missing("tflite", &r) {
        return;
    }
    assert!(r.stdout.contains("Tests: passed!"), "{}", r.show());
}

/// Several instances running wasi-nn at once from different threads of one process (C API,
/// tests/nn/embed/threads.c), sharing each backend: 8 instances of the hostile guest and (TFLite
/// models) of the value tests per backend.
///
/// Found with it (about 1 run in 100 of the hostile guest): ArmNN 20.08's
/// Runtime::LoadNetwork takes its NetworkId from a plain `m_NetworkIdCounter++` outside the
/// runtime's lock, so two threads loading at once can get the same id; the second network then
/// replaces the first in the runtime's map, and the first owner's EnqueueWorkload fails with
/// "unordered_map::at" after an unload (or runs the other network). The ArmNN backend must
/// serialize its LoadNetwork/UnloadNetwork calls on one IRuntime.
#[test]
fn threads_instances_share_backends() {
    let dir = scratch("threads");
    let exe = dir.join("threads");
    let st = std::process::Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-std=c11", "-Wall", "-Werror", "-pthread", "-I"])
        .arg(repo().join("core/include"))
        .arg(repo().join("tests/nn/embed/threads.c"))
        .arg("-L")
        .arg(backend_dir())
        .arg("-lvmcore")
        .arg(format!("-Wl,-rpath,{}", string(backend_dir())))
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(st.success());
    let models = string(models_dir());
    for backend in ["tflite", "armnn", "onnx", "openvino", "tract"] {
        let Some(lib) = backend_lib(backend) else { continue };
        let (model, enc) = hostile_model(backend);
        let hostile_args = [model, enc, "300"];
        let mut runs: Vec<(&Path, &[&str])> = vec![(&apps().hostile, &hostile_args)];
        // threads.c gives the app no environment: nn_values.wasm runs its default FORMAT, tflite.
        if format(backend) == "tflite" {
            runs.push((&apps().values_legacy, &["/models"]));
        }
        for (app, app_args) in runs {
            let mut args = vec![string(&lib), string(app), models.clone(), "8".to_string()];
            args.extend(app_args.iter().map(|a| a.to_string()));
            let r = run_env(&exe, &args, &[]);
            if engine_missing(backend, &r) {
                break;
            }
            assert!(r.stdout.contains("threads: 0 of 8 instances failed"), "{backend}: {}", r.show());
            assert_eq!(r.code, Some(0), "{}", r.show());
        }
    }
}
