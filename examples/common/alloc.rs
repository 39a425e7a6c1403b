//! The allocator of the examples and benches (`benches/ops.rs` includes this file).
//!
//! A training step allocates and frees dozens of multi-megabyte buffers. glibc's malloc hands
//! them back to the OS and faults them in again every step (a TLB shootdown each time with 2
//! threads): W1 at 2 threads took 54 ms per step with it, 44 ms with mimalloc. A program using
//! fovea picks its allocator the same way, with the two `global_allocator` lines below.

/// mimalloc instead of the system allocator.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option (its place in the C enum `mi_option_e`, the same in
/// mimalloc 2 and 3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells mimalloc never to return freed pages to the OS.
///
/// By default it purges memory freed 10 ms ago, and a training step (50–130 ms) frees and
/// reallocates the same buffers each step, so every step faulted ~1 GB of zeroed pages back in:
/// W3 on 1 thread spent 0.5 s of a 3.6 s run in the kernel (9591 page faults in W4's run,
/// 219 with this). W3 127 ms instead of 133 ms, W4 116 instead of 123 (1 thread). The cost is
/// that the peak working set stays mapped until the program ends.
pub fn keep_freed_memory() {
    // SAFETY: sets an integer option; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}
