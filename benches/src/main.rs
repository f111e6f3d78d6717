//! ember-bench: runs the C benchmark programs (benches/programs, compiled by
//! benches/build.sh) on Ember and on wasmi in the same process, prints the
//! per-program times, the wasmi/Ember ratios (> 1: Ember is faster) and their
//! geometric mean, then the load/translation time of a generated large module.
//!
//!   ember-bench --wasm-dir DIR [--reps N] [--only NAME] [--quick]
//!               [--large-funcs N] [--no-large]

mod cputime;
mod engines;
mod large_module;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use cputime::{Stopwatch, Times};

use engines::{Ember, Engine, Wasmi};


struct Program {
    name: &'static str,
    arg: i32,
    quick_arg: i32,
    what: &'static str,
}

const PROGRAMS: &[Program] = &[
    Program { name: "fib", arg: 32, quick_arg: 20, what: "recursive fib(arg)" },
    Program { name: "sieve", arg: 1_000_000, quick_arg: 10_000, what: "primes below arg, 10 rounds" },
    Program { name: "matmul", arg: 160, quick_arg: 16, what: "f32 matmul arg x arg" },
    Program { name: "sha256", arg: 4096, quick_arg: 16, what: "sha256 of arg KiB" },
    Program { name: "mixed", arg: 3000, quick_arg: 20, what: "CoreMark-like mix, arg iterations" },
];

/// SIMD programs (benches/simd, built twice: NAME.wasm scalar, NAME.simd.wasm at -msimd128).
const SIMD_PROGRAMS: &[Program] = &[
    Program { name: "normalize", arg: 40, quick_arg: 1, what: "u8 RGB 256x256 -> f32 [-1,1], arg rounds" },
    Program { name: "matmul", arg: 160, quick_arg: 16, what: "f32 matmul arg x arg" },
    Program { name: "conv3x3", arg: 20, quick_arg: 1, what: "f32 3x3 conv 256x256, arg rounds" },
    Program { name: "face_pre", arg: 20, quick_arg: 1, what: "face demo letterbox 512->128, arg rounds" },
];

struct Args {
    wasm_dir: PathBuf,
    reps: usize,
    only: Option<String>,
    quick: bool,
    large_funcs: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args { wasm_dir: PathBuf::new(), reps: 5, only: None, quick: false, large_funcs: 12_000 };
    let mut dir = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--wasm-dir" => dir = Some(PathBuf::from(value()?)),
            "--reps" => a.reps = value()?.parse().map_err(|e| format!("--reps: {e}"))?,
            "--only" => a.only = Some(value()?),
            "--quick" => a.quick = true,
            "--large-funcs" => a.large_funcs = value()?.parse().map_err(|e| format!("--large-funcs: {e}"))?,
            "--no-large" => a.large_funcs = 0,
            "-h" | "--help" => {
                return Err("usage: ember-bench --wasm-dir DIR [--reps N] [--only NAME] [--quick] \
                            [--large-funcs N] [--no-large]"
                    .into())
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    a.wasm_dir = dir.ok_or("--wasm-dir DIR is required (benches/build.sh makes it)")?;
    a.reps = a.reps.max(1);
    Ok(a)
}

/// Best time (on-CPU where known) of each engine over `reps` rounds; a round runs wasmi then Ember
/// on fresh instances, so that load from other processes hits both alike.
/// The result must not vary between runs.
fn best_of_both(wasm: &[u8], arg: i32, reps: usize) -> [Result<(i32, Times), String>; 2] {
    let engines: [&dyn Engine; 2] = [&Ember, &Wasmi];
    let mut best: [Result<(i32, Times), String>; 2] = [Err("no run".into()), Err("no run".into())];
    for _ in 0..reps {
        for i in [1, 0] {
            if matches!(&best[i], Err(e) if e != "no run") {
                continue;
            }
            let engine = engines[i];
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| engine.run(wasm, arg)));
            let r = run.unwrap_or_else(|_| Err(format!("{} panicked", engine.name())));
            best[i] = match (&best[i], r) {
                (_, Err(e)) => Err(e),
                (Ok((bv, _)), Ok((v, _))) if *bv != v => {
                    Err(format!("{}: result changed between runs ({bv} vs {v})", engine.name()))
                }
                (Ok((_, bt)), Ok((v, t))) => Ok((v, if t.best_figure() < bt.best_figure() { t } else { *bt })),
                (Err(_), Ok(x)) => Ok(x),
            };
        }
    }
    best
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ember-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let mut ok = true;
    println!("{:<8} {:<34} {:>8} {:>12} {:>10} {:>10} {:>8} {:>10} {:>10}", "program", "work", "arg", "result",
        "ember ms", "wasmi ms", "ratio", "ember wall", "wasmi wall");
    let mut log_sum = 0.0;
    let mut n = 0;
    for p in PROGRAMS {
        if args.only.as_deref().is_some_and(|o| o != p.name) {
            continue;
        }
        let path = args.wasm_dir.join(format!("{}.wasm", p.name));
        let wasm = match std::fs::read(&path) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                ok = false;
                continue;
            }
        };
        let arg = if args.quick { p.quick_arg } else { p.arg };
        let [ember, wasmi] = best_of_both(&wasm, arg, args.reps);
        match (ember, wasmi) {
            (Ok((ev, et)), Ok((wv, wt))) => {
                let ratio = wt.best_figure().as_secs_f64() / et.best_figure().as_secs_f64();
                let agree = if ev == wv { "" } else { "  RESULTS DIFFER" };
                ok &= ev == wv;
                println!("{:<8} {:<34} {:>8} {:>12} {:>10.1} {:>10.1} {:>8.2} {:>10.1} {:>10.1}{agree}", p.name, p.what, arg, ev,
                    ms(et.best_figure()), ms(wt.best_figure()), ratio, ms(et.wall), ms(wt.wall));
                if ev != wv {
                    println!("         wasmi result {wv}");
                }
                log_sum += ratio.ln();
                n += 1;
            }
            (e, w) => {
                ok = false;
                println!("{:<8} {:<34} {:>8} ember: {}  wasmi: {}", p.name, p.what, arg, show(&e), show(&w));
            }
        }
    }
    if n > 0 {
        println!("(ms: on-CPU time of the calling thread, best of {}; wall: wall-clock time of that run)", args.reps);
        println!("geometric mean of wasmi/ember time ratios over {n} programs: {:.3} (> 1: Ember faster)",
            (log_sum / n as f64).exp());
    }
    ok &= simd(&args);
    if args.large_funcs > 0 {
        if let Err(e) = large(args.large_funcs) {
            eprintln!("large module: {e}");
            ok = false;
        }
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// The SIMD table: each program's scalar and -msimd128 builds on Ember and wasmi (results must
/// agree everywhere: the vectorized loops keep each lane's order of operations). Ratios: Ember
/// scalar/SIMD time (the SIMD speed-up), wasmi/Ember on the SIMD bytes (> 1: Ember faster).
fn simd(args: &Args) -> bool {
    let mut ok = true;
    println!("\nSIMD: the same source scalar and at -msimd128 (clang's auto-vectorization)");
    println!("{:<10} {:<42} {:>6} {:>12} {:>10} {:>10} {:>10} {:>10} {:>9} {:>11}", "program", "work", "arg", "result",
        "ember sc", "ember simd", "wasmi sc", "wasmi simd", "simd gain", "wasmi/ember");
    for p in SIMD_PROGRAMS {
        if args.only.as_deref().is_some_and(|o| o != p.name) {
            continue;
        }
        let arg = if args.quick { p.quick_arg } else { p.arg };
        let mut runs = Vec::new();
        for file in [format!("{}.wasm", p.name), format!("{}.simd.wasm", p.name)] {
            let path = args.wasm_dir.join(&file);
            match std::fs::read(&path) {
                Ok(wasm) => runs.push(best_of_both(&wasm, arg, args.reps)),
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    ok = false;
                }
            }
        }
        let [[Ok((es, ets)), Ok((ws, wts))], [Ok((ev, etv)), Ok((wv, wtv))]] = &runs[..] else {
            ok = false;
            println!("{:<10} {:<42} {:>6} failed: {:?}", p.name, p.what, arg,
                runs.iter().flatten().filter_map(|r| r.as_ref().err()).collect::<Vec<_>>());
            continue;
        };
        let agree = es == ev && ws == wv && es == ws;
        ok &= agree;
        let (e_sc, e_v, w_sc, w_v) = (ets.best_figure(), etv.best_figure(), wts.best_figure(), wtv.best_figure());
        println!("{:<10} {:<42} {:>6} {:>12} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>9.2} {:>11.2}{}", p.name, p.what, arg, ev,
            ms(e_sc), ms(e_v), ms(w_sc), ms(w_v), e_sc.as_secs_f64() / e_v.as_secs_f64(),
            w_v.as_secs_f64() / e_v.as_secs_f64(), if agree { "" } else { "  RESULTS DIFFER" });
    }
    println!("(simd gain: Ember scalar / Ember SIMD time; wasmi/ember: on the SIMD build; ms: on-CPU, best of {})", args.reps);
    ok
}

fn show(r: &Result<(i32, Times), String>) -> String {
    match r {
        Ok((v, t)) => format!("{v} in {:.1} ms", ms(t.best_figure())),
        Err(e) => format!("error: {e}"),
    }
}

/// Load and translation times of a generated module of `funcs` functions.
fn large(funcs: u32) -> Result<(), String> {
    let wasm = large_module::generate(funcs, 3);
    let names: Vec<String> = (1..=funcs).map(|i| format!("f{i}")).collect();
    println!("\nlarge module: {funcs} functions, {:.2} MB", wasm.len() as f64 / 1e6);
    println!("{:<38} {:>12} {:>16} {:>16}", "engine", "load ms", "1st call-all ms", "2nd call-all ms");

    // Ember: Module::new validates; bodies are translated on first call.
    {
        use ember_interp::{Config, Instance, Module, Store, Val};
        let t = Stopwatch::start();
        let module = Module::new(&wasm).map_err(|e| format!("ember: {e}"))?;
        let load = t.stop().best_figure();
        if cfg!(feature = "verify") {
            module.translate_all().map_err(|e| format!("ember: IR verification: {e}"))?;
        }
        let mut store = Store::new(Config::default(), ());
        let inst = Instance::new(&mut store, &module, &[]).map_err(|e| format!("ember: {e}"))?;
        let funcs: Vec<_> = names.iter().map(|n| inst.get_func(&store, n).ok_or("missing export")).collect::<Result<_, _>>()?;
        let mut pass = || -> Result<Duration, String> {
            let t = Stopwatch::start();
            let mut out = [Val::I32(0)];
            for f in &funcs {
                f.call(&mut store, &[Val::I32(0)], &mut out).map_err(|e| format!("ember: {e}"))?;
            }
            Ok(t.stop().best_figure())
        };
        let first = pass()?;
        let second = pass()?;
        println!("{:<38} {:>12.1} {:>16.1} {:>16.1}", "ember (lazy translation)", ms(load), ms(first), ms(second));
    }
    for (label, mode) in [
        ("wasmi 2.0 (lazy translation, default)", wasmi::CompilationMode::LazyTranslation),
        ("wasmi 2.0 (eager translation)", wasmi::CompilationMode::Eager),
    ] {
        let mut config = wasmi::Config::default();
        config.compilation_mode(mode);
        let engine = wasmi::Engine::new(&config);
        let t = Stopwatch::start();
        let module = wasmi::Module::new(&engine, &wasm[..]).map_err(|e| format!("wasmi: {e}"))?;
        let load = t.stop().best_figure();
        let mut store = wasmi::Store::new(&engine, ());
        let inst = wasmi::Linker::<()>::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| format!("wasmi: {e}"))?;
        let funcs: Vec<_> = names
            .iter()
            .map(|n| inst.get_typed_func::<i32, i32>(&store, n).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        let mut pass = || -> Result<Duration, String> {
            let t = Stopwatch::start();
            for f in &funcs {
                f.call(&mut store, 0).map_err(|e| format!("wasmi: {e}"))?;
            }
            Ok(t.stop().best_figure())
        };
        let first = pass()?;
        let second = pass()?;
        println!("{:<38} {:>12.1} {:>16.1} {:>16.1}", label, ms(load), ms(first), ms(second));
    }
    println!("(on-CPU ms; translation cost ~ load + 1st call-all - 2nd call-all)");
    Ok(())
}
