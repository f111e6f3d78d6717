//! ember-spectest: run the WebAssembly 2.0 spec suite against ember-interp.
//!
//!   ember-spectest [--dir DIR] [--filter TEXT] [--jobs N] [--no-simd]
//!                  [--expected FILE | --bless] [--timeout SECS] [--failures]
//!   ember-spectest export DIR
//!
//! Exit status: 0 when the failures equal the expectation list, 1 when they
//! differ, 2 on usage or I/O errors, 3 when a file hangs.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ember_spectest::{expected_failures_path, run, source, Options, Source, EXPECTED_FAILURES};

const USAGE: &str = "\
usage: ember-spectest [--dir DIR] [--filter TEXT] [--jobs N] [--no-simd]
                      [--expected FILE | --bless] [--timeout SECS] [--failures]
       ember-spectest export DIR

  --dir DIR        read *.wast from DIR instead of the embedded suite
  --filter TEXT    only files whose name contains TEXT
  --jobs N         files run in parallel (default: number of CPUs)
  --no-simd        leave the simd_*.wast files out (a quicker run; --simd, the default,
                   is accepted for older scripts)
  --expected FILE  expectation list to compare with (default: the one built in)
  --bless          write the current failures to tests/spec/expected-failures.txt
  --timeout SECS   abort when one file runs longer (default 300)
  --failures       print every failure (and malformed/invalid mix-ups)
  export DIR       write the embedded suite's .wast files to DIR";

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ember-spectest: {e}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> Result<ExitCode, String> {
    let mut args = std::env::args().skip(1);
    let mut opts = Options::default();
    let mut expected_path: Option<PathBuf> = None;
    let mut bless = false;
    let mut show_failures = false;
    while let Some(a) = args.next() {
        let mut value = |what: &str| args.next().ok_or(format!("{a} needs {what}\n{USAGE}"));
        match a.as_str() {
            "export" => {
                let dir = PathBuf::from(value("a directory")?);
                let n = source::export(&dir)?;
                println!("wrote {n} .wast files to {}", dir.display());
                return Ok(ExitCode::SUCCESS);
            }
            "--dir" => opts.source = Source::Dir(value("a directory")?.into()),
            "--filter" => opts.filter = Some(value("a text")?),
            "--jobs" => opts.jobs = value("a number")?.parse().map_err(|e| format!("--jobs: {e}"))?,
            "--simd" => opts.run_simd = true,
            "--no-simd" => opts.run_simd = false,
            "--expected" => expected_path = Some(value("a file")?.into()),
            "--bless" => bless = true,
            "--failures" => show_failures = true,
            "--timeout" => {
                let s: u64 = value("seconds")?.parse().map_err(|e| format!("--timeout: {e}"))?;
                opts.file_timeout = Duration::from_secs(s);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }

    let report = run(&opts)?;
    let mut out = std::io::stdout().lock();
    report.print(&mut out).map_err(|e| e.to_string())?;
    if show_failures {
        for f in report.failures() {
            println!("FAIL {} {}", f.key(), f.reason);
        }
        for f in report.files.iter().flat_map(|f| f.misclassified.iter()) {
            println!("MISCLASSIFIED {} {}", f.key(), f.reason);
        }
    }
    if bless {
        if opts.filter.is_some() {
            return Err("--bless needs the whole suite (no --filter)".into());
        }
        let path = expected_failures_path();
        std::fs::write(&path, report.expectation_text()).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let expected_text = match &expected_path {
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?,
        None => EXPECTED_FAILURES.to_string(),
    };
    let cmp = report.compare(&expected_text)?;
    print!("{cmp}");
    Ok(if cmp.is_clean() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
