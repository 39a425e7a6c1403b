//! Thread control: fovea runs all its parallel work on one rayon pool, sized by
//! `FOVEA_NUM_THREADS` or by [`set_num_threads`], never nesting a second pool.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Error, Result};

/// Environment variable read once, before the first tensor is made, to size the pool.
pub const NUM_THREADS_ENV: &str = "FOVEA_NUM_THREADS";

static FROM_ENV: Once = Once::new();

/// Sizes the global pool from `FOVEA_NUM_THREADS` the first time it is called (every tensor
/// constructor calls it; the check costs one atomic load). Without the variable, rayon's default
/// applies (`RAYON_NUM_THREADS`, else one thread per core).
pub(crate) fn configure_from_env() {
    FROM_ENV.call_once(|| {
        if let Some(n) = std::env::var(NUM_THREADS_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
        {
            // Fails only if the program built the pool itself first; its choice then stands.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global();
        }
    });
}

/// Sizes fovea's thread pool. Call it at the start of a program, before any tensor exists;
/// `n = 0` means one thread per core.
///
/// With `n ≥ 2` the calling thread becomes one of the pool's `n` threads (rayon's
/// `use_current_thread`; `n − 1` more are started). A parallel operation called from it then
/// starts at once on this thread while the others wake, instead of waiting for a sleeping
/// worker first (~45 µs per operation on the 2-core development VM): 2-thread training steps
/// W2 5.91 → 5.40 ms, W3 47.8 → 45.8 ms, W4 44.1 → 40.6 ms (3 alternating runs). Call it from
/// the thread that runs the model, and keep that thread alive while fovea works: it takes part
/// in the pool's work only while it is itself inside a fovea operation. Operations called from
/// other threads run on the other `n − 1`.
///
/// PyTorch equivalent: `torch.set_num_threads(n)` (which, unlike this, may be called later).
///
/// # Errors
/// [`Error::InvalidArgument`] when the pool was already started (by an earlier tensor
/// operation, `FOVEA_NUM_THREADS` or another call).
///
/// # Example
/// ```
/// // In a fresh program, before any tensor: fovea_tensor::set_num_threads(2)?;
/// let _ = fovea_tensor::set_num_threads(2);
/// assert!(fovea_tensor::num_threads() >= 1);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn set_num_threads(n: usize) -> Result<()> {
    FROM_ENV.call_once(|| {}); // an explicit choice overrides the environment
    // 0: rayon's default, spelled out because the count decides the caller's role below.
    let threads = match n {
        0 => std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        n => n,
    };
    let builder = rayon::ThreadPoolBuilder::new().num_threads(threads);
    // One thread alone must not be the caller: work sent from any other thread would then
    // find no thread to run it.
    let builder = if threads >= 2 {
        builder.use_current_thread()
    } else {
        builder
    };
    builder.build_global().map_err(|e| {
        Error::invalid_argument(
            "set_num_threads",
            format!("the thread pool is already running ({e}); call this first"),
        )
    })
}

/// Number of threads fovea's parallel operations use.
///
/// # Example
/// ```
/// assert!(fovea_tensor::num_threads() >= 1);
/// ```
pub fn num_threads() -> usize {
    configure_from_env();
    rayon::current_num_threads()
}

/// Runs `work(i)` for every part `i < parts` on the pool's threads and returns when all are
/// done: each thread takes the next part until none is left, the calling thread too.
///
/// Once the caller has no part left it spins for the others instead of sleeping in rayon's
/// wait: parts are sized to end together, and a sleeping thread took 50–150 µs to wake on the
/// 2-core development VM once the last part ended (instrumented GEMM 1024³ on 2 threads: the
/// call returned up to 150 µs after both parts were done). After ~4000 spins it yields the
/// core instead, in case a part's thread was descheduled.
///
/// `work` must not itself wait on the pool. A panic in a part is raised here once every part
/// has ended.
pub(crate) fn for_each_part(parts: usize, work: impl Fn(usize) + Sync) {
    /// Counts a part as done even when it panics, so that the wait below ends.
    struct Done<'a>(&'a AtomicUsize);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Release);
        }
    }
    let (next, done) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let take = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= parts {
                return;
            }
            let _done = Done(&done);
            work(i);
        }
    };
    let helpers = rayon::current_num_threads().min(parts).saturating_sub(1);
    rayon::scope(|s| {
        for _ in 0..helpers {
            s.spawn(|_| take());
        }
        take();
        let mut spins = 0u32;
        while done.load(Ordering::Acquire) < parts {
            if spins < 4096 {
                std::hint::spin_loop();
                spins += 1;
            } else {
                std::thread::yield_now();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every part runs exactly once, on pools of 1 to 3 threads and with more parts than
    /// threads, called from inside a pool and from outside any (the global pool).
    #[test]
    fn every_part_runs_once() {
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            for parts in [0, 1, 2, 7] {
                let runs: Vec<AtomicUsize> = (0..parts).map(|_| AtomicUsize::new(0)).collect();
                let count = |i: usize| {
                    runs[i].fetch_add(1, Ordering::Relaxed);
                };
                pool.install(|| for_each_part(parts, count));
                for_each_part(parts, count);
                for (i, r) in runs.iter().enumerate() {
                    assert_eq!(r.load(Ordering::Relaxed), 2, "{threads} threads, part {i}");
                }
            }
        }
    }

    /// A panicking part is raised to the caller once the other parts have ended (the wait for
    /// them must not hang on the part that never finished).
    #[test]
    fn a_panicking_part_is_raised() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("pool");
        let finished = AtomicUsize::new(0);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| {
                for_each_part(4, |i| {
                    assert!(i != 1, "part 1 fails");
                    finished.fetch_add(1, Ordering::Relaxed);
                })
            })
        }));
        assert!(result.is_err(), "the panic reaches the caller");
        assert_eq!(finished.load(Ordering::Relaxed), 3, "the other parts ran");
    }
}
