//! A minimal stderr logger for this library's copy of the `log` crate (a cdylib has its own
//! logger slot, apart from libvmcore.so's). Level: init option `log_level=` (error, warn, info,
//! debug, trace or iwasm's 0..5), else RUST_LOG when it is a bare level, else warn.
use log::{LevelFilter, Log, Metadata, Record};

struct Stderr;

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }
    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            eprintln!("[{} {}] {}", record.level(), record.target(), record.args());
        }
    }
    fn flush(&self) {}
}

static LOGGER: Stderr = Stderr;

fn parse_level(text: &str) -> Option<LevelFilter> {
    match text.trim().to_ascii_lowercase().as_str() {
        "0" | "off" => Some(LevelFilter::Off),
        "1" | "error" => Some(LevelFilter::Error),
        "2" | "warn" => Some(LevelFilter::Warn),
        "3" | "info" => Some(LevelFilter::Info),
        "4" | "debug" => Some(LevelFilter::Debug),
        "5" | "trace" => Some(LevelFilter::Trace),
        _ => None,
    }
}

/// Installs the logger once (later calls only adjust the level).
pub fn init(options: &[String]) {
    let level = options
        .iter()
        .find_map(|o| o.strip_prefix("log_level=").and_then(parse_level))
        .or_else(|| std::env::var("RUST_LOG").ok().as_deref().and_then(parse_level))
        .unwrap_or(LevelFilter::Warn);
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}
