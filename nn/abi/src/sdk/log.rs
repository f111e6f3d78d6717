//! The backend's `log` records, forwarded to libvmcore.so's logger through the init args' log
//! sink. A cdylib carries its own copy of the `log` crate (its own logger slot and level), so
//! without this a backend's records would never reach `iwasm -v=N` or `RUST_LOG`.

use crate::sys::{log_level, HostLog, InitArgs};
use std::ffi::CString;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The host's sink as a function address (0 until the first init).
static SINK: AtomicUsize = AtomicUsize::new(0);

struct Forward;

static FORWARD: Forward = Forward;

fn to_abi(level: ::log::Level) -> u32 {
    match level {
        ::log::Level::Error => log_level::ERROR,
        ::log::Level::Warn => log_level::WARN,
        ::log::Level::Info => log_level::INFO,
        ::log::Level::Debug => log_level::DEBUG,
        ::log::Level::Trace => log_level::TRACE,
    }
}

fn filter(level: u32) -> ::log::LevelFilter {
    match level {
        log_level::OFF => ::log::LevelFilter::Off,
        log_level::ERROR => ::log::LevelFilter::Error,
        log_level::WARN => ::log::LevelFilter::Warn,
        log_level::INFO => ::log::LevelFilter::Info,
        log_level::DEBUG => ::log::LevelFilter::Debug,
        _ => ::log::LevelFilter::Trace,
    }
}

impl ::log::Log for Forward {
    fn enabled(&self, metadata: &::log::Metadata) -> bool {
        metadata.level() <= ::log::max_level() && SINK.load(Ordering::Acquire) != 0
    }

    fn log(&self, record: &::log::Record) {
        let sink = SINK.load(Ordering::Acquire);
        if sink == 0 || record.level() > ::log::max_level() {
            return;
        }
        // SAFETY: SINK only ever holds a HostLog function address (stored in `install`).
        let sink: HostLog = unsafe { std::mem::transmute::<usize, HostLog>(sink) };
        let target = CString::new(record.target()).unwrap_or_default();
        let msg = record.args().to_string();
        // SAFETY: the ABI's sink contract: a NUL-terminated target, msg readable for its length.
        unsafe { sink(to_abi(record.level()), target.as_ptr(), msg.as_ptr(), msg.len()) }
    }

    fn flush(&self) {}
}

/// Route this library's `log` records to the runtime (every init; the runtime's level may have
/// changed since the last one).
pub(crate) fn install(args: &InitArgs) {
    SINK.store(args.log as usize, Ordering::Release);
    let _ = ::log::set_logger(&FORWARD);
    ::log::set_max_level(filter(args.log_level));
}
