//! WAMR's wasi-nn test set (and Ember's conv_net) through iwasm on every real backend that is
//! built and whose engine is present, for both guest ABIs, plus the hostile guest with a real
//! engine (corrupt and truncated .tflite models).
//!
//! A backend whose library is not built or whose engine is not installed is reported as
//! SKIPPED on stderr; with EMBER_NN_REQUIRE_BACKENDS=tflite,armnn (tests/all.sh sets it after
//! fetching the engines) a missing one fails the test instead.

#[path = "nn/support.rs"]
mod support;

use support::*;

/// Tests known not to run on a backend, with the reason (engine limits, not dispatch).
fn skipped_tests(backend: &str) -> &'static str {
    let _ = backend;
    ""
}

fn required(backend: &str) -> bool {
    std::env::var("EMBER_NN_REQUIRE_BACKENDS")
        .map(|v| v.split(',').any(|b| b.trim() == backend))
        .unwrap_or(false)
}

/// The backend's library if it is usable here, else None (after reporting why).
fn backend_lib(backend: &str) -> Option<std::path::PathBuf> {
    let lib = profile_dir().join(format!("libwasi_nn_backend_{backend}.so"));
    if !lib.is_file() {
        assert!(!required(backend), "{} is not built (cargo build)", lib.display());
        eprintln!("SKIPPED: {} is not built", lib.display());
        return None;
    }
    Some(lib)
}

/// True when the run failed because the backend's engine is not installed (its init failed).
fn engine_missing(backend: &str, r: &Run) -> bool {
    if r.code == Some(0) || !r.stderr.contains("failed to initialise") {
        return false;
    }
    assert!(!required(backend), "backend {backend} cannot start:\n{}", r.show());
    eprintln!("SKIPPED: backend {backend}: engine not available:\n{}", r.stderr);
    true
}

fn values(backend: &str, app: &std::path::Path) {
    values_env(backend, app, &[]);
}

fn values_env(backend: &str, app: &std::path::Path, env: &[(&str, &str)]) {
    values_target(backend, app, env, "cpu");
}

/// `target` reaches the app as TARGET (cpu, gpu, tpu) and the backend as the execution target.
fn values_target(backend: &str, app: &std::path::Path, env: &[(&str, &str)], target: &str) {
    let Some(lib) = backend_lib(backend) else { return };
    let models = models_dir();
    let args = vec![
        format!("--native-lib={}", s(&lib)),
        format!("--wasi-nn-backend={backend}"),
        "--nn-preload".into(),
        format!("wamr-sum:TensorFlowLite:CPU:{}", s(models.join("sum.tflite"))),
        format!("--map-dir=/models::{}", s(&models)),
        format!("--env=SKIP={}", skipped_tests(backend)),
        format!("--env=TARGET={target}"),
        s(app),
        "/models".into(),
        "wamr-sum".into(),
    ];
    let r = run(&iwasm(), &args, env);
    if engine_missing(backend, &r) {
        return;
    }
    eprintln!("{backend} {}:\n{}", app.display(), r.stdout);
    assert!(r.stdout.contains("Tests: passed!"), "{}", r.show());
    assert_eq!(r.code, Some(0), "{}", r.show());
}

fn hostile(backend: &str) {
    hostile_env(backend, &[]);
}

fn hostile_env(backend: &str, env: &[(&str, &str)]) {
    let Some(lib) = backend_lib(backend) else { return };
    let args = vec![
        format!("--native-lib={}", s(&lib)),
        format!("--wasi-nn-backend={backend}"),
        format!("--map-dir=/models::{}", s(models_dir())),
        s(&apps().hostile),
        "/models/sum.tflite".into(),
        "4".into(),
        "300".into(),
    ];
    let r = run(&iwasm(), &args, env);
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

/// Lookup by encoding with no --native-lib: the backends sit next to libvmcore.so in
/// target/<profile>/, so a tflite model finds libwasi_nn_backend_tflite.so by itself.
#[test]
fn tflite_found_next_to_libvmcore_by_encoding() {
    if backend_lib("tflite").is_none() {
        return;
    }
    let models = models_dir();
    let args = vec![
        format!("--map-dir=/models::{}", s(&models)),
        s(&apps().values_ephemeral),
        "/models".into(),
    ];
    let r = run(&iwasm(), &args, &[]);
    if engine_missing("tflite", &r) {
        return;
    }
    assert!(r.stdout.contains("Tests: passed!"), "{}", r.show());
}

/// Several instances running wasi-nn at once from different threads of one process (C API,
/// tests/nn/embed/threads.c), sharing each backend: 8 instances of the hostile guest and of the
/// value tests per backend.
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
        .arg(profile_dir())
        .arg("-lvmcore")
        .arg(format!("-Wl,-rpath,{}", s(profile_dir())))
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(st.success());
    let models = s(models_dir());
    for backend in ["tflite", "armnn"] {
        let Some(lib) = backend_lib(backend) else { continue };
        let runs: [(&std::path::Path, &[&str]); 2] = [
            (&apps().hostile, &["/models/sum.tflite", "4", "300"]),
            (&apps().values_legacy, &["/models"]),
        ];
        for (app, app_args) in runs {
            let mut args = vec![s(&lib), s(app), models.clone(), "8".to_string()];
            args.extend(app_args.iter().map(|a| a.to_string()));
            let r = run(&exe, &args, &[]);
            if engine_missing(backend, &r) {
                break;
            }
            assert!(r.stdout.contains("threads: 0 of 8 instances failed"), "{backend}: {}", r.show());
            assert_eq!(r.code, Some(0), "{}", r.show());
        }
    }
}
