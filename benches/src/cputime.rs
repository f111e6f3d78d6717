//! Time measurement that survives a busy machine: wall-clock time and the
//! calling thread's on-CPU time (CLOCK_THREAD_CPUTIME_ID). On a loaded host
//! (other builds sharing the cores) on-CPU time is the fairer figure; wall
//! time is kept too.

use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct Times {
    pub wall: Duration,
    /// None where the kernel does not report it.
    pub cpu: Option<Duration>,
}

impl Times {
    /// The figure used for comparisons: CPU time when known, else wall time.
    pub fn best_figure(&self) -> Duration {
        self.cpu.unwrap_or(self.wall)
    }
}

fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec we pass, which lives on
    // this stack frame for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return None;
    }
    Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

pub struct Stopwatch {
    wall: Instant,
    cpu: Option<u64>,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        let cpu = thread_cpu_ns();
        Stopwatch { wall: Instant::now(), cpu }
    }

    pub fn stop(&self) -> Times {
        let wall = self.wall.elapsed();
        let cpu = match (self.cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => Some(Duration::from_nanos(b.saturating_sub(a))),
            _ => None,
        };
        Times { wall, cpu }
    }
}
