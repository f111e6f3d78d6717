//! The backend's own `log` sink. A cdylib carries its own copy of the `log` crate, whose logger
//! slot is not libvmcore.so's, so without this our warnings (cpu fallbacks, refused models) would
//! vanish. Level: init option `log_level=` (off, error, warn, info, debug, trace, or iwasm's
//! -v numbers 0..5), else RUST_LOG when it is a bare level, else warn. Lines go to stderr.

use log::{LevelFilter, Log, Metadata, Record};

struct StderrSink;

impl Log for StderrSink {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }
    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            eprintln!("[{:<5}] {}", record.level(), record.args());
        }
    }
    fn flush(&self) {}
}

static SINK: StderrSink = StderrSink;

pub fn parse_level(s: &str) -> Option<LevelFilter> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "0" | "off" => LevelFilter::Off,
        "1" | "error" => LevelFilter::Error,
        "2" | "warn" => LevelFilter::Warn,
        "3" | "info" => LevelFilter::Info,
        "4" | "debug" => LevelFilter::Debug,
        "5" | "trace" => LevelFilter::Trace,
        _ => return None,
    })
}

/// Installs the sink (once per process; later calls only set the level).
pub fn install(level: Option<LevelFilter>) {
    let _ = log::set_logger(&SINK);
    let level =
        level.or_else(|| std::env::var("RUST_LOG").ok().as_deref().and_then(parse_level)).unwrap_or(LevelFilter::Warn);
    log::set_max_level(level);
}
