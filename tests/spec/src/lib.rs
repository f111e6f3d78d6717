//! Ember's conformance harness: runs the official WebAssembly 2.0 spec suite
//! (.wast files, parsed with `wast`) against `ember-interp`, prints per-file
//! pass/fail counts, and compares the failures with expected-failures.txt.
//!
//! Used by the `ember-spectest` binary and by ember-interp's `interp/tests/spec.rs`.
//!
//! A run: every file gets a fresh `Store<()>` (default `Config`) on a worker thread
//! with an 8 MiB native stack (files run in parallel). Each directive is one check
//! (`runner.rs`): `module` (binary, text or quoted; imports resolved by name from `spectest`
//! and `register`ed instances; a name that resolves to nothing is unlinkable; every function
//! of a module that must load is translated at once, through the IR verifier, which
//! ember-interp's `verify` feature keeps on in release runs: a verifier failure fails the
//! check), `register`,
//! `invoke`, `get`, `assert_return`, `assert_trap` (also a module whose instantiation must trap:
//! the 2.0 form of assert_uninstantiable), `assert_exhaustion` (`Trap::StackExhausted`),
//! `assert_invalid` / `assert_malformed` (`Module::new` must fail with `Malformed` or `Invalid`;
//! the other of the two is a "mix-up", listed by `--failures`, not a failure; quoted text that
//! `wast` itself rejects is malformed at the text level and passes), `assert_unlinkable`. Trap
//! messages match by prefix. A failed `module` leaves no current instance, so later checks fail
//! instead of running against a stale module. A panic fails the check and the file continues on
//! a fresh store; a file running over 300 s aborts the run (exit 3). Failures are compared by
//! key (`file line:col`) with `expected-failures.txt` in both directions; reasons are
//! documentation. The simd_*.wast files (fixed-width SIMD) are part of the suite; `--no-simd`
//! leaves them out (counted, not run) for a quicker run. So are the multi-memory proposal's
//! files, named `multi-memory_*.wast` (source.rs). Cross bundles: `ember-spectest export DIR` on the host, then
//! `--dir DIR` on the target (built with `--no-default-features` to leave the 26 MB embedded
//! data out); `--expected FILE` takes another list where float NaN details differ.

pub mod expectations;
mod panic_capture;
pub mod runner;
pub mod source;
mod spectest_host;
mod values;

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

pub use expectations::Comparison;
pub use runner::{Failure, FileResult};
pub use source::Source;

/// The committed expectation list, as built into this binary.
pub const EXPECTED_FAILURES: &str = include_str!("../expected-failures.txt");

/// Where `--bless` writes the list (the source tree this crate was built from).
pub fn expected_failures_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("expected-failures.txt")
}

/// Stack of each worker thread: what a process main thread usually gets.
/// Deep wasm recursion must trap ("call stack exhausted") well within it.
pub const WORKER_STACK_BYTES: usize = 8 << 20;

#[derive(Clone, Debug)]
pub struct Options {
    pub source: Source,
    /// Worker threads (files run in parallel, one store per file).
    pub jobs: usize,
    /// Run the simd_*.wast files too (default; `false` counts them without running them).
    pub run_simd: bool,
    /// Only files whose name contains this.
    pub filter: Option<String>,
    /// A file running longer than this aborts the process (a hang is a bug).
    pub file_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            source: Source::Embedded,
            jobs: thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            run_simd: true,
            filter: None,
            file_timeout: Duration::from_secs(300),
        }
    }
}

pub struct Report {
    /// Results of the files that ran, in name order (simd ones only with `run_simd`).
    pub files: Vec<FileResult>,
    /// simd_*.wast files not run: count of files and of their directives.
    pub simd_skipped_files: usize,
    pub simd_skipped_checks: usize,
    pub elapsed: Duration,
}

impl Report {
    /// Failures of the files that ran, in file and line order.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        self.files.iter().flat_map(|f| f.failures.iter())
    }

    /// Names of the files that ran.
    pub fn files_run(&self) -> BTreeSet<String> {
        self.files.iter().map(|f| f.name.clone()).collect()
    }

    /// (checks, passed, failed) over the files that ran.
    pub fn totals(&self) -> (usize, usize, usize) {
        self.files.iter().fold((0, 0, 0), |(t, p, f), r| (t + r.total, p + r.passed, f + r.failures.len()))
    }

    pub fn compare(&self, expected_text: &str) -> Result<Comparison, String> {
        let expected = expectations::parse(expected_text)?;
        Ok(expectations::compare(&expected, self.failures(), &self.files_run()))
    }

    pub fn expectation_text(&self) -> String {
        expectations::render(self.failures())
    }

    /// The per-file table and totals.
    pub fn print(&self, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, "{:<32} {:>7} {:>7} {:>7}", "file", "checks", "pass", "fail")?;
        for f in &self.files {
            writeln!(w, "{:<32} {:>7} {:>7} {:>7}", f.name, f.total, f.passed, f.failures.len())?;
        }
        let (t, p, fl) = self.totals();
        let misclassified: usize = self.files.iter().map(|f| f.misclassified.len()).sum();
        let pct = if t > 0 { 100.0 * p as f64 / t as f64 } else { 0.0 };
        writeln!(w, "spec 2.0: {t} checks, {p} pass, {fl} fail ({pct:.2}% pass) in {} files",
            self.files_run().len())?;
        if misclassified > 0 {
            writeln!(w, "note: {misclassified} modules were rejected as invalid where the spec says malformed or vice versa \
                (not failures; listed by --failures)")?;
        }
        let simd_run: Vec<&FileResult> = self.files.iter().filter(|f| f.simd).collect();
        if !simd_run.is_empty() {
            let (t, p) = simd_run.iter().fold((0, 0), |(t, p), r| (t + r.total, p + r.passed));
            writeln!(w, "  of which simd_*.wast: {t} checks, {p} pass in {} files", simd_run.len())?;
        }
        let multi: Vec<&FileResult> =
            self.files.iter().filter(|f| f.name.starts_with(source::MULTI_MEMORY_PREFIX)).collect();
        if !multi.is_empty() {
            let (t, p) = multi.iter().fold((0, 0), |(t, p), r| (t + r.total, p + r.passed));
            writeln!(w, "  of which {}*.wast (multi-memory proposal): {t} checks, {p} pass in {} files",
                source::MULTI_MEMORY_PREFIX, multi.len())?;
        }
        if self.simd_skipped_files > 0 {
            writeln!(w, "simd: {} checks in {} simd_*.wast files left out (--no-simd)",
                self.simd_skipped_checks, self.simd_skipped_files)?;
        }
        writeln!(w, "time: {:.1} s", self.elapsed.as_secs_f64())
    }
}

/// Runs the suite as `opts` says.
pub fn run(opts: &Options) -> Result<Report, String> {
    let start = Instant::now();
    let mut all = opts.source.load()?;
    if let Some(pat) = &opts.filter {
        all.retain(|f| f.name.contains(pat.as_str()));
    }
    let mut simd_skipped_files = 0;
    let mut simd_skipped_checks = 0;
    let mut to_run = Vec::new();
    for f in all {
        if f.is_simd() && !opts.run_simd {
            simd_skipped_files += 1;
            simd_skipped_checks += runner::count_directives(&f.name, &f.text)?;
        } else {
            to_run.push(f);
        }
    }
    let files = run_parallel(to_run, opts)?;
    Ok(Report { files, simd_skipped_files, simd_skipped_checks, elapsed: start.elapsed() })
}

fn run_parallel(files: Vec<source::WastFile>, opts: &Options) -> Result<Vec<FileResult>, String> {
    let files = Arc::new(files);
    let next = Arc::new(AtomicUsize::new(0));
    let results = Arc::new(Mutex::new(Vec::new()));
    let jobs = opts.jobs.max(1).min(files.len().max(1));
    // What each worker is running since when, for the watchdog.
    let running: Arc<Mutex<Vec<Option<(String, Instant)>>>> = Arc::new(Mutex::new(vec![None; jobs]));
    let done = Arc::new(AtomicBool::new(false));

    let watchdog = {
        let (running, done, limit) = (running.clone(), done.clone(), opts.file_timeout);
        thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                thread::sleep(Duration::from_millis(200));
                let guard = running.lock().unwrap_or_else(|e| e.into_inner());
                for (name, since) in guard.iter().flatten() {
                    if since.elapsed() > limit {
                        eprintln!("ember-spectest: {name} still running after {} s: aborting (a hang is a bug)",
                            limit.as_secs());
                        std::process::exit(3);
                    }
                }
            }
        })
    };

    let mut handles = Vec::new();
    for w in 0..jobs {
        let (files, next, results, running) = (files.clone(), next.clone(), results.clone(), running.clone());
        let h = thread::Builder::new()
            .name(format!("spec-{w}"))
            .stack_size(WORKER_STACK_BYTES)
            .spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = files.get(i) else { break };
                running.lock().unwrap_or_else(|e| e.into_inner())[w] = Some((f.name.clone(), Instant::now()));
                let r = runner::run_file(&f.name, &f.text, f.is_simd());
                running.lock().unwrap_or_else(|e| e.into_inner())[w] = None;
                results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
            })
            .map_err(|e| format!("cannot start worker: {e}"))?;
        handles.push(h);
    }
    let mut worker_died = false;
    for h in handles {
        worker_died |= h.join().is_err();
    }
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
    if worker_died {
        return Err("a worker thread died outside of the per-check panic guard".into());
    }
    let mut out = std::mem::take(&mut *results.lock().unwrap_or_else(|e| e.into_inner()));
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
