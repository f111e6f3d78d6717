//! Logging of libvmcore.so: env_logger, installed once by the first init or
//! wasm_runtime_set_log_level. RUST_LOG, when set, wins over the C API level.
//! The logger is allocated with the system allocator so it survives a
//! memory pool's retirement.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use log::LevelFilter;

static INIT: Once = Once::new();
static FROM_ENV: AtomicBool = AtomicBool::new(false);

/// env_logger, with every allocation it makes (its per-thread format
/// buffers) taken from the system allocator, so log state never lives in a
/// memory pool that may be retired.
struct SystemAllocLogger(env_logger::Logger);

impl log::Log for SystemAllocLogger {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        self.0.enabled(m)
    }
    fn log(&self, r: &log::Record<'_>) {
        crate::alloc::with_system(|| self.0.log(r))
    }
    fn flush(&self) {
        crate::alloc::with_system(|| self.0.flush())
    }
}

/// Install the logger (idempotent). Default level: warnings.
pub fn init() {
    INIT.call_once(|| {
        crate::alloc::with_system(|| {
            let from_env = std::env::var_os("RUST_LOG").is_some();
            FROM_ENV.store(from_env, Ordering::Relaxed);
            let mut b = env_logger::Builder::from_env(env_logger::Env::default());
            if !from_env {
                b.filter_level(LevelFilter::Trace);
            }
            let logger = b.build();
            let max = if from_env { logger.filter() } else { LevelFilter::Warn };
            if log::set_boxed_logger(Box::new(SystemAllocLogger(logger))).is_ok() {
                log::set_max_level(max);
            }
        })
    });
}

/// WAMR levels (0 fatal, 1 error, 2 warning, 3 debug, 4 verbose) plus
/// iwasm's -v=5: 0-1 error, 2 warn, 3 info, 4 debug, 5+ trace.
pub fn level_filter(level: u32) -> LevelFilter {
    match level {
        0 | 1 => LevelFilter::Error,
        2 => LevelFilter::Warn,
        3 => LevelFilter::Info,
        4 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    }
}

pub fn set_level(level: u32) {
    init();
    if !FROM_ENV.load(Ordering::Relaxed) {
        log::set_max_level(level_filter(level));
    }
}
