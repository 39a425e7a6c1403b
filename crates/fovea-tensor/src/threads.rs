//! Thread control: fovea runs all its parallel work on one rayon pool, sized by
//! `FOVEA_NUM_THREADS` or by [`set_num_threads`], never nesting a second pool.

use std::sync::Once;

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
