//! Per-thread scratch buffers for the convolution kernels, kept from one call to the next.
//!
//! A training step runs every convolution forward and backward; allocating its im2col matrices
//! afresh each time (megabytes per thread) costs a zero-fill or a round of page faults per call.
//! Each rayon thread keeps its buffers instead: a kernel takes them with [`Scratch::take`] and
//! they return to the thread when the guard drops. Contents are unspecified: every user writes
//! what it reads.

use std::cell::RefCell;

use fovea_tensor::AlignedBuf;

/// Buffers of one thread: a few vectors and the GEMM's packing buffer.
#[derive(Default)]
struct Buffers {
    vecs: [Vec<f32>; 3],
    gemm: AlignedBuf,
}

thread_local! {
    static SPARE: RefCell<Option<Buffers>> = const { RefCell::new(None) };
}

/// This thread's scratch buffers for as long as the guard lives.
pub(crate) struct Scratch(Buffers);

impl Scratch {
    /// Takes this thread's buffers (fresh ones when another guard on this thread holds them).
    pub(crate) fn take() -> Scratch {
        Scratch(SPARE.with(|s| s.borrow_mut().take()).unwrap_or_default())
    }

    /// Buffers 0, 1 and 2 with at least the given lengths, and the GEMM packing buffer.
    pub(crate) fn split(&mut self, lens: [usize; 3]) -> ([&mut [f32]; 3], &mut AlignedBuf) {
        let [a, b, c] = &mut self.0.vecs;
        // Each slice starts on a 64-byte boundary: the GEMM kernel reads im2col rows in place
        // with 16-lane loads, and a misaligned row splits every load across two cache lines.
        fn grow(v: &mut Vec<f32>, len: usize) -> &mut [f32] {
            if v.len() < len + 16 {
                v.resize(len + 16, 0.0);
            }
            let offset = (64 - v.as_ptr() as usize % 64) % 64 / 4;
            &mut v[offset..offset + len]
        }
        (
            [grow(a, lens[0]), grow(b, lens[1]), grow(c, lens[2])],
            &mut self.0.gemm,
        )
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let buffers = std::mem::take(&mut self.0);
        SPARE.with(|s| *s.borrow_mut() = Some(buffers));
    }
}
