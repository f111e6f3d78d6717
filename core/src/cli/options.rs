//! iwasm's command line: one table of options (add a row to extend it).
//! Parsing stops at the first argument that is not an option: the wasm file;
//! everything after it is the app's argv. A bad command line is an [`Error`].

use std::fmt;

/// What is wrong with the command line. `Display` gives the line iwasm prints (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A size that is not a number with an optional K, M or G.
    Size { text: String },
    /// A size of 4G or more.
    SizeTooLarge { text: String },
    /// A count (`--fuel`) that is not a non-negative integer.
    Count { option: &'static str, text: String },
    /// A value of the wrong shape: `invalid OPTION 'VALUE': expected EXPECTED`.
    Value { option: &'static str, text: String, expected: &'static str },
    /// `--dir=` with nothing after it.
    EmptyDir,
    /// Not an option of iwasm.
    Unknown { arg: String },
    /// An option of WAMR's iwasm for a feature Ember does not have (`missing` says what).
    WamrOnly { option: &'static str, missing: &'static str },
    /// A flag given a value.
    TakesNoValue { option: String },
    /// The last argument is an option that needs a value.
    NeedsValue { option: String, metavar: &'static str },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Size { text } => write!(f, "invalid size '{text}' (expected a number with optional K, M or G)"),
            Error::SizeTooLarge { text } => write!(f, "size '{text}' is too large (at most 4G-1 bytes)"),
            Error::Count { option, text } => write!(f, "invalid {option} '{text}' (expected a non-negative integer)"),
            Error::Value { option, text, expected } => write!(f, "invalid {option} '{text}': expected {expected}"),
            Error::EmptyDir => f.write_str("invalid --dir: empty path"),
            Error::Unknown { arg } => write!(f, "unknown option '{arg}' (see --help)"),
            Error::WamrOnly { option, missing } => {
                write!(f, "option {option} is WAMR's, for a feature Ember does not have: {missing}")
            }
            Error::TakesNoValue { option } => write!(f, "option {option} takes no value"),
            Error::NeedsValue { option, metavar } => write!(f, "option {option} needs a value ({metavar})"),
        }
    }
}

impl std::error::Error for Error {}

/// What the command line asks for.
#[derive(Debug, Default)]
pub struct Opts {
    pub function: Option<String>,
    pub stack_size: u32,
    pub heap_size: u32,
    pub env: Vec<String>,
    pub dirs: Vec<String>,
    pub map_dirs: Vec<String>,
    pub native_libs: Vec<String>,
    pub verbose: Option<u32>,
    pub repl: bool,
    /// Pool mode with this many bytes; None = system allocator.
    pub pool_size: Option<u32>,
    pub mem_stats: bool,
    pub fuel: u64,
    pub version: bool,
    pub help: bool,
    pub wasm: Option<String>,
    /// The app's argv without argv[0] (the wasm file).
    pub app_args: Vec<String>,
    /// wasi-nn settings (option name without dashes, value), applied in order through
    /// ember_nn_set_option after runtime init and before --native-lib libraries are loaded.
    pub nn_settings: Vec<(String, Option<String>)>,
}

/// A wasi-nn option (crate::nn::capi::NN_OPTIONS, the one table of them): recorded for
/// ember_nn_set_option (ember_nn.h), applied after runtime init.
fn nn_setting(o: &mut Opts, key: &str, value: Option<&str>) {
    o.nn_settings.push((key.to_string(), value.map(str::to_string)));
}

/// The defaults, one source of truth (also printed by --help).
pub const DEFAULT_STACK_SIZE: u32 = 1024 * 1024;
pub const DEFAULT_HEAP_SIZE: u32 = 16 * 1024;

/// How an option takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// `--flag`
    Flag,
    /// `--name=VALUE` or `--name VALUE` (or `-f VALUE` for short forms)
    Value,
}

pub struct OptSpec {
    pub long: &'static str,
    pub short: Option<&'static str>,
    pub arity: Arity,
    pub metavar: &'static str,
    pub help: &'static str,
    pub apply: fn(&mut Opts, &str) -> Result<(), Error>,
}

/// Parse "123", "64K", "16M", "1G" (powers of 1024) into bytes (u32).
pub fn parse_size(s: &str) -> Result<u32, Error> {
    let t = s.trim();
    let (num, mul) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1u64 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1u64 << 30),
        _ => (t, 1u64),
    };
    let n: u64 = num.parse().map_err(|_| Error::Size { text: s.to_string() })?;
    n.checked_mul(mul)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| Error::SizeTooLarge { text: s.to_string() })
}

fn parse_u64(s: &str, option: &'static str) -> Result<u64, Error> {
    s.trim().parse().map_err(|_| Error::Count { option, text: s.to_string() })
}

pub const OPTIONS: &[OptSpec] = &[
    OptSpec {
        long: "--function",
        short: Some("-f"),
        arity: Arity::Value,
        metavar: "NAME",
        help: "call exported function NAME with the app arguments as its parameters, print its results",
        apply: |o, v| {
            o.function = Some(v.to_string());
            Ok(())
        },
    },
    OptSpec {
        long: "--stack-size",
        short: None,
        arity: Arity::Value,
        metavar: "SIZE",
        help: "operand stack of the instance in bytes (8 per slot, at least 128K; default 1M)",
        apply: |o, v| {
            o.stack_size = parse_size(v)?;
            Ok(())
        },
    },
    OptSpec {
        long: "--heap-size",
        short: None,
        arity: Arity::Value,
        metavar: "SIZE",
        help: "host-managed app heap for module_malloc when the app exports no malloc/free (default 16K)",
        apply: |o, v| {
            o.heap_size = parse_size(v)?;
            Ok(())
        },
    },
    OptSpec {
        long: "--env",
        short: None,
        arity: Arity::Value,
        metavar: "NAME=VALUE",
        help: "add an environment variable for the app (repeatable)",
        apply: |o, v| {
            match v.split_once('=') {
                Some((name, _)) if !name.is_empty() => {}
                _ => return Err(Error::Value { option: "--env", text: v.to_string(), expected: "NAME=VALUE" }),
            }
            o.env.push(v.to_string());
            Ok(())
        },
    },
    OptSpec {
        long: "--dir",
        short: None,
        arity: Arity::Value,
        metavar: "DIR",
        help: "preopen host directory DIR for the app under the same name (repeatable)",
        apply: |o, v| {
            if v.is_empty() {
                return Err(Error::EmptyDir);
            }
            o.dirs.push(v.to_string());
            Ok(())
        },
    },
    OptSpec {
        long: "--map-dir",
        short: None,
        arity: Arity::Value,
        metavar: "GUEST::HOST",
        help: "preopen host directory HOST for the app under the name GUEST (repeatable)",
        apply: |o, v| {
            match v.split_once("::") {
                Some((g, h)) if !g.is_empty() && !h.is_empty() => {}
                _ => return Err(Error::Value { option: "--map-dir", text: v.to_string(), expected: "GUEST::HOST" }),
            }
            o.map_dirs.push(v.to_string());
            Ok(())
        },
    },
    OptSpec {
        long: "--native-lib",
        short: None,
        arity: Arity::Value,
        metavar: "PATH",
        help: "load a native library (get_native_lib protocol) and register its functions (repeatable)",
        apply: |o, v| {
            o.native_libs.push(v.to_string());
            Ok(())
        },
    },
    OptSpec {
        long: "-v",
        short: None,
        arity: Arity::Value,
        metavar: "N",
        help: "log level 0-5 (0-1 errors, 2 warnings (default), 3 info, 4 debug, 5 trace); RUST_LOG wins",
        apply: |o, v| match v.trim().parse::<u32>() {
            Ok(n) if n <= 5 => {
                o.verbose = Some(n);
                Ok(())
            }
            _ => Err(Error::Value { option: "-v", text: v.to_string(), expected: "0 to 5" }),
        },
    },
    OptSpec {
        long: "--pool-size",
        short: None,
        arity: Arity::Value,
        metavar: "SIZE",
        help: "memory mode: run the whole runtime in a TLSF pool of SIZE bytes (0 = system allocator, the default)",
        apply: |o, v| {
            let n = parse_size(v)?;
            o.pool_size = (n > 0).then_some(n);
            Ok(())
        },
    },
    OptSpec {
        long: "--mem-stats",
        short: None,
        arity: Arity::Flag,
        metavar: "",
        help: "print the runtime allocator's statistics to stderr at exit",
        apply: |o, _| {
            o.mem_stats = true;
            Ok(())
        },
    },
    OptSpec {
        long: "--fuel",
        short: None,
        arity: Arity::Value,
        metavar: "N",
        help: "instruction budget; the app traps with \"all fuel consumed\" when it is spent (0 = unlimited)",
        apply: |o, v| {
            o.fuel = parse_u64(v, "--fuel")?;
            Ok(())
        },
    },
    OptSpec {
        long: "--repl",
        short: None,
        arity: Arity::Flag,
        metavar: "",
        help: "read \"FUNCTION ARGS...\" lines from stdin and call them (\"__exit__\" or EOF ends)",
        apply: |o, _| {
            o.repl = true;
            Ok(())
        },
    },
    OptSpec {
        long: "--interp",
        short: None,
        arity: Arity::Flag,
        metavar: "",
        help: "run in the interpreter (WAMR's running-mode flag; Ember always interprets)",
        apply: |_, _| Ok(()),
    },
    OptSpec {
        long: "--version",
        short: None,
        arity: Arity::Flag,
        metavar: "",
        help: "print the version and exit",
        apply: |o, _| {
            o.version = true;
            Ok(())
        },
    },
    OptSpec {
        long: "--help",
        short: Some("-h"),
        arity: Arity::Flag,
        metavar: "",
        help: "print this help and exit",
        apply: |o, _| {
            o.help = true;
            Ok(())
        },
    },
];

fn find(name: &str) -> Option<&'static OptSpec> {
    OPTIONS.iter().find(|s| s.long == name || s.short == Some(name))
}

/// WAMR iwasm options for features Ember does not have, with what is missing: a WAMR user's
/// script gets the reason, not "unknown option".
const WAMR_WITHOUT_FEATURE: &[(&str, &str)] = &[
    ("--addr-pool", "WAMR's socket extension (address pools); Ember has WASI preview1's sock_* calls on preopened sockets only"),
    ("--allow-resolve", "WAMR's socket extension (name resolution)"),
    ("--max-threads", "threads (wasi-threads / pthread): Ember instances run single-threaded"),
    ("--fast-jit", "a JIT: Ember is an interpreter"),
    ("--llvm-jit", "a JIT: Ember is an interpreter"),
    ("--multi-tier-jit", "a JIT: Ember is an interpreter"),
    ("--jit-codecache-size", "a JIT: Ember is an interpreter"),
    ("--llvm-jit-size-level", "a JIT: Ember is an interpreter"),
    ("--llvm-jit-opt-level", "a JIT: Ember is an interpreter"),
    ("--perf-profile", "Linux perf JIT maps: Ember is an interpreter"),
    ("--disable-bounds-checks", "AoT code: Ember always checks bounds in software"),
    ("--module-path", "multi-module linking (imports from other .wasm files)"),
    ("--gc-heap-size", "the GC proposal"),
    ("--timeout", "a wall-clock timeout; --fuel=N bounds the instructions an app may run"),
];

/// The error for an option that is not in the table.
fn unknown(arg: &str, name: &str) -> Error {
    match WAMR_WITHOUT_FEATURE.iter().find(|(o, _)| *o == name) {
        Some((option, missing)) => Error::WamrOnly { option, missing },
        None => Error::Unknown { arg: arg.to_string() },
    }
}

pub fn parse(args: &[String]) -> Result<Opts, Error> {
    let mut o = Opts { stack_size: DEFAULT_STACK_SIZE, heap_size: DEFAULT_HEAP_SIZE, ..Opts::default() };
    let mut k = 0;
    while k < args.len() {
        let a = &args[k];
        if !a.starts_with('-') || a == "-" {
            o.wasm = Some(a.clone());
            o.app_args = args[k + 1..].to_vec();
            return Ok(o);
        }
        if a == "--" {
            if let Some(w) = args.get(k + 1) {
                o.wasm = Some(w.clone());
                o.app_args = args[k + 2..].to_vec();
            }
            return Ok(o);
        }
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (a.as_str(), None),
        };
        // A row of OPTIONS, or a wasi-nn option (their own table, crate::nn::capi::NN_OPTIONS).
        enum Opt {
            Row(&'static OptSpec),
            Nn(&'static crate::nn::capi::NnOption),
        }
        let opt = match name.strip_prefix("--").and_then(crate::nn::capi::nn_option) {
            Some(nn) => Opt::Nn(nn),
            None => Opt::Row(find(name).ok_or_else(|| unknown(a, name))?),
        };
        let (long, metavar) = match opt {
            Opt::Row(spec) => (spec.long, (spec.arity == Arity::Value).then_some(spec.metavar)),
            Opt::Nn(nn) => (name, nn.metavar),
        };
        let value = match (metavar, inline) {
            (None, Some(_)) => return Err(Error::TakesNoValue { option: long.to_string() }),
            (None, None) => None,
            (Some(_), Some(v)) => Some(v),
            (Some(m), None) => {
                k += 1;
                Some(args.get(k).ok_or_else(|| Error::NeedsValue { option: long.to_string(), metavar: m })?.as_str())
            }
        };
        match opt {
            Opt::Row(spec) => (spec.apply)(&mut o, value.unwrap_or(""))?,
            Opt::Nn(nn) => nn_setting(&mut o, nn.name, value),
        }
        if o.help || o.version {
            return Ok(o);
        }
        k += 1;
    }
    Ok(o)
}

pub fn help() -> String {
    let mut s = String::from(
        "Usage: iwasm [OPTIONS] WASM_FILE [APP_ARGS...]\n\
         Runs a WebAssembly module (WASI command or a module with main) with Ember's interpreter.\n\
         Options stop at WASM_FILE; what follows is the app's argv.\n\nOptions:\n",
    );
    for spec in OPTIONS {
        let mut left = match spec.short {
            Some(sh) => format!("{sh}, {}", spec.long),
            None => spec.long.to_string(),
        };
        if spec.arity == Arity::Value {
            left.push('=');
            left.push_str(spec.metavar);
        }
        s.push_str(&format!("  {left:<28} {}\n", spec.help));
    }
    for nn in crate::nn::capi::NN_OPTIONS {
        s.push_str(&crate::nn::capi::help_line(&format!("--{}", nn.name), nn.metavar, nn.help));
    }
    s.push_str(
        "\nMemory mode: the default is the system allocator, because linear memories and wasi-nn\n\
         models are sized by the app and a fixed pool would cap them arbitrarily; --pool-size\n\
         bounds the whole runtime (modules, instances, linear memories, native libraries' and\n\
         backends' wasm_runtime_malloc) to one TLSF pool instead.\n\
         Exit status: the app's proc_exit status (or main's return value); 1 on a trap or an\n\
         error; 2 on a command-line error.\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn stops_at_the_wasm_file() {
        let o = parse(&v(&["--env=A=1", "-f", "add", "--stack-size=64K", "app.wasm", "--env=x", "-v"])).unwrap();
        assert_eq!(o.env, vec!["A=1"]);
        assert_eq!(o.function.as_deref(), Some("add"));
        assert_eq!(o.stack_size, 65536);
        assert_eq!(o.wasm.as_deref(), Some("app.wasm"));
        assert_eq!(o.app_args, vec!["--env=x", "-v"]);
    }

    #[test]
    fn rejects_bad_options() {
        let e = |a: &[&str]| parse(&v(a)).unwrap_err().to_string();
        assert_eq!(e(&["--bogus", "a.wasm"]), "unknown option '--bogus' (see --help)");
        let t = e(&["--max-threads=4", "a.wasm"]);
        assert!(t.starts_with("option --max-threads is WAMR's, for a feature Ember does not have: threads"), "{t}");
        assert!(e(&["--addr-pool=1.2.3.4/15", "a.wasm"]).contains("socket"));
        assert_eq!(e(&["--map-dir=nocolons", "a.wasm"]), "invalid --map-dir 'nocolons': expected GUEST::HOST");
        assert_eq!(e(&["--dir=", "a.wasm"]), "invalid --dir: empty path");
        assert_eq!(e(&["--fuel=-1", "a.wasm"]), "invalid --fuel '-1' (expected a non-negative integer)");
        assert_eq!(e(&["--mem-stats=1", "a.wasm"]), "option --mem-stats takes no value");
        assert!(parse(&v(&["--env=NOEQUALS", "a.wasm"])).is_err());
        assert!(parse(&v(&["--env==x", "a.wasm"])).is_err());
        assert!(parse(&v(&["-v=9", "a.wasm"])).is_err());
        assert!(parse(&v(&["--pool-size=12Q", "a.wasm"])).is_err());
        assert_eq!(parse(&v(&["--fuel"])).unwrap_err().to_string(), "option --fuel needs a value (N)");
        assert!(parse(&v(&["--repl=1"])).is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16M").unwrap(), 16 << 20);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert_eq!(parse_size("4G").unwrap_err().to_string(), "size '4G' is too large (at most 4G-1 bytes)");
        assert_eq!(parse_size("12Q").unwrap_err().to_string(), "invalid size '12Q' (expected a number with optional K, M or G)");
    }
}
