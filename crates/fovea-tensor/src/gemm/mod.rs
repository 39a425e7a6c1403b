//! Matrix products: [`gemm`] on ndarray views and [`gemm_packed`], the blocked driver behind it
//! that convolutions call with im2col packed on the fly.
//!
//! The driver follows the BLIS layout: A is packed once into `MR`-row panels (or, in [`gemm`],
//! read in place when it is row-major); for each block of rows and columns of B, B is packed
//! into `NR`-wide panels (or read in place), then every (A panel, B panel) pair is one call of
//! the `MR×NR` micro-kernel (`kernel.rs`). Tiles that stick out of C are computed into a
//! scratch tile and copied back.
//!
//! The loop order is BLIS's for a kernel that broadcasts A: blocks of the shared axis up to
//! 512 deep (1024 in [`gemm`]); each A panel stays in L1 while the B panels of a block
//! (packed, or read in place from a convolution's im2col, written just before and still in
//! L2) stream past it; the hardware prefetcher follows packed panels, and the kernel asks for
//! in-place rows itself. `gemm_taps` (`taps.rs`) uses the other order: its B panels, read
//! through a padded image's taps, stay in L1 while blocks of A panels stream past them.

mod kernel;
mod nt;
mod pack;
mod taps;

use ndarray::{ArrayView2, ArrayViewMut2, linalg::general_mat_mul};

pub use kernel::{MR, NR};
pub use nt::gemm_nt;
pub use pack::{AlignedBuf, KC, MC, NC, PackB, PackedA, RowMajorB};
use pack::{GEMM_KC, GEMM_NC, PACKED_NC};
pub use taps::{TapB, gemm_taps};

/// Products smaller than this many multiply-adds stay on one thread: below it, the cost of
/// waking a second thread outweighs the gain.
const PARALLEL_MIN_FLOPS: usize = 1 << 21;

/// `C = alpha·A·B + beta·C` with A packed, B packing itself, C row-major with row stride `ldc`.
///
/// `buf` is scratch for the packed B blocks; pass the same one to successive calls to avoid
/// reallocating. With `beta == 0` C is not read. Runs on the calling thread.
///
/// # Panics
/// When `b.depth()` differs from `a.depth()`, or `c` is too short for `a.rows()` rows of
/// `b.width()` values at stride `ldc` (with `ldc ≥ b.width()`).
///
/// # Example
/// ```
/// use fovea_tensor::{PackedA, gemm_packed};
/// let a = ndarray::array![[1.0f32, 0.0, 2.0]];
/// let b = ndarray::array![[1.0f32], [5.0], [3.0]];
/// let mut c = [1.0f32];
/// gemm_packed(2.0, &PackedA::new(a.view()), &b.view(), 1.0, &mut c, 1, &mut Default::default());
/// assert_eq!(c, [15.0]); // 2·(1 + 6) + 1
/// ```
pub fn gemm_packed<B: PackB + ?Sized>(
    alpha: f32,
    a: &PackedA,
    b: &B,
    beta: f32,
    c: &mut [f32],
    ldc: usize,
    buf: &mut AlignedBuf,
) {
    let (m, n) = (a.rows(), b.width());
    assert!(
        b.depth() == a.depth() && ldc >= n && (m == 0 || c.len() >= (m - 1) * ldc + n),
        "gemm_packed: shapes do not chain: [{m}, {}] x [{}, {n}] into {} values at stride {ldc}",
        a.depth(),
        b.depth(),
        c.len()
    );
    // SAFETY: checked above that every (row < m, column < n) lies inside c.
    unsafe {
        gemm_columns(
            alpha,
            &Left::Packed(a),
            b,
            0..n,
            PACKED_NC,
            beta,
            c.as_mut_ptr(),
            ldc,
            buf,
        )
    }
}

/// The driver for columns `cols` of C, in blocks of B at most `max_width` columns wide.
///
/// # Safety
/// `c + i·ldc + j` must be valid for writes for every row `i < a.rows()` and `j` in `cols`, and
/// no other thread may touch those elements meanwhile.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_columns<B: PackB + ?Sized>(
    alpha: f32,
    a: &Left,
    b: &B,
    cols: std::ops::Range<usize>,
    max_width: usize,
    beta: f32,
    c: *mut f32,
    ldc: usize,
    buf: &mut AlignedBuf,
) {
    let (m, k) = (a.rows(), a.depth());
    if m == 0 || cols.is_empty() {
        return;
    }
    if k == 0 {
        for i in 0..m {
            for j in cols.clone() {
                // SAFETY: inside the caller's region.
                unsafe {
                    let p = c.add(i * ldc + j);
                    *p = if beta == 0.0 { 0.0 } else { beta * *p };
                }
            }
        }
        return;
    }
    let direct = b.in_place();
    let kb = a.block_depth();
    // Blocks of equal width (whole panels), at most `max_width`: 528 columns in blocks of at
    // most 480 as 288 + 240, not 480 + a 48-wide block that reads all of A again for one panel.
    let blocks = cols.len().div_ceil(max_width);
    let width = cols.len().div_ceil(blocks).next_multiple_of(NR);
    for j0 in cols.clone().step_by(width) {
        let nc = width.min(cols.end - j0);
        let np = nc.div_ceil(NR);
        let edge = nc - (np - 1) * NR; // width of the last panel
        for k0 in (0..k).step_by(kb) {
            let kc = kb.min(k - k0);
            // Packed panels: all of them, or only a partial last one when B is read in place.
            let packed = match direct {
                None => {
                    let packed = buf.slice(np * kc * NR);
                    b.pack_b(k0, kc, j0, nc, packed);
                    &*packed
                }
                Some(_) if edge < NR => {
                    let packed = buf.slice(kc * NR);
                    b.pack_b(k0, kc, j0 + (np - 1) * NR, edge, packed);
                    &*packed
                }
                Some(_) => &[][..],
            };
            let block = Block {
                k0,
                kc,
                j0,
                nc,
                packed,
                direct,
            };
            let beta = if k0 == 0 { beta } else { 1.0 };
            // SAFETY: the caller's region covers every panel's rows and these columns.
            unsafe { block_tiles(alpha, a, &block, beta, c, ldc) }
        }
    }
}

/// A as the driver reads it: packed panels, or a row-major A read in place.
enum Left<'a> {
    Packed(&'a PackedA),
    /// The full panels of `a` (a multiple of MR rows, unit column stride, positive row
    /// stride) read straight from its rows; the rows after them packed in `tail`.
    Rows {
        a: ArrayView2<'a, f32>,
        tail: &'a PackedA,
    },
}

impl Left<'_> {
    fn rows(&self) -> usize {
        match self {
            Left::Packed(a) => a.rows(),
            Left::Rows { a, tail } => a.nrows() + tail.rows(),
        }
    }

    fn depth(&self) -> usize {
        match self {
            Left::Packed(a) => a.depth(),
            Left::Rows { a, .. } => a.ncols(),
        }
    }

    fn block_depth(&self) -> usize {
        match self {
            Left::Packed(a) => a.block_depth(),
            Left::Rows { tail, .. } => tail.block_depth(),
        }
    }

    fn panels(&self) -> usize {
        match self {
            Left::Packed(a) => a.panels(),
            Left::Rows { a, tail } => a.nrows() / MR + tail.panels(),
        }
    }

    /// Panel `p`, columns `k0..k0+kc`, as the kernels take it: a packed panel and 0, or the
    /// panel's first row and A's row stride.
    fn panel(&self, k0: usize, kc: usize, p: usize) -> (*const f32, usize) {
        match self {
            Left::Packed(a) => (a.panel(k0, kc, p).as_ptr(), 0),
            Left::Rows { a, tail } => match p.checked_sub(a.nrows() / MR) {
                Some(q) => (tail.panel(k0, kc, q).as_ptr(), 0),
                None => {
                    let lda = a.strides()[0] as usize;
                    // SAFETY: row p·MR < a.nrows() and column k0 < a.ncols() lie inside a.
                    (unsafe { a.as_ptr().add(p * MR * lda + k0) }, lda)
                }
            },
        }
    }
}

/// One block of B: rows `k0..k0+kc`, columns `j0..j0+nc`, as `NR`-wide panels that are either
/// all in `packed` or read in place from `direct` (data, row stride), a partial last panel then
/// packed alone in `packed`.
struct Block<'a> {
    k0: usize,
    kc: usize,
    j0: usize,
    nc: usize,
    packed: &'a [f32],
    direct: Option<(&'a [f32], usize)>,
}

/// Every tile of A's panels against one block of B: each A panel stays in L1 while the block's
/// B panels stream past it from L2 (see PACKED_KC); C is read and written once per block of
/// the shared axis, so deep blocks touch it seldom. The other order (each B panel
/// in L1 while a block of A panels streams past it, blocks 192 deep) read and wrote C up to 2.7
/// times as often: W4's 5×5 layer's weight gradient took 12.9 ms that way, 11.5 ms this way;
/// W4's training step 96–101 ms against 91–94 ms (1 thread, alternating runs).
///
/// # Safety
/// `c + i·ldc + j` must be valid for writes for every row `i < a.rows()` and column `j` of the
/// block, and no other thread may touch them meanwhile.
unsafe fn block_tiles(alpha: f32, a: &Left, block: &Block, beta: f32, c: *mut f32, ldc: usize) {
    let Block {
        k0,
        kc,
        j0,
        nc,
        packed,
        direct,
    } = *block;
    let m = a.rows();
    // Prefetching pays only where B's rows lie a row stride apart (read in place).
    let prefetch = direct.is_some();
    // Kernels for packed A panels and for A's rows read in place.
    let by_a = [
        kernel::kernels(prefetch, false),
        kernel::kernels(prefetch, true),
    ];
    let run = |p: usize, t: usize| {
        let width = NR.min(nc - t * NR);
        let (bp, ldb) = match direct {
            None => (packed[t * kc * NR..].as_ptr(), NR),
            Some(_) if width < NR => (packed.as_ptr(), NR),
            Some((data, stride)) => (data[k0 * stride + j0 + t * NR..].as_ptr(), stride),
        };
        let (ap, lda) = a.panel(k0, kc, p);
        let kernels = by_a[usize::from(lda != 0)];
        let rows = MR.min(m - p * MR);
        // SAFETY: the tile's origin is inside the caller's region.
        let tile = unsafe { c.add(p * MR * ldc + j0 + t * NR) };
        if rows == MR && width.is_multiple_of(16) {
            // A full tile, or one whose width the narrower kernels cover exactly: written in
            // place (a 1024-wide product on 2 threads ends each part with a 32-wide tile).
            // SAFETY: B rows hold NR values at stride ldb (a partial panel is zero-padded);
            // the kernel writes only the tile's first `width` columns.
            unsafe { kernels[width / 16 - 1](kc, ap, lda, bp, ldb, tile, ldc, alpha, beta) };
        } else {
            // A tile at C's bottom or right edge, computed on a copy of it in a full-size
            // scratch tile by the narrowest kernel that covers its columns: the same
            // arithmetic as in place, so a value's bits do not depend on which tile (or
            // which thread's part) holds it.
            let narrow = kernels[width.div_ceil(16) - 1];
            let mut scratch = [0.0f32; MR * NR];
            if beta != 0.0 {
                for r in 0..rows {
                    // SAFETY: row r < rows of the tile holds width values inside C.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            tile.add(r * ldc),
                            scratch[r * NR..].as_mut_ptr(),
                            width,
                        )
                    };
                }
            }
            // SAFETY: the scratch tile has stride NR; B rows hold NR values
            // (a partial panel is packed, zero-padded to NR).
            unsafe { narrow(kc, ap, lda, bp, ldb, scratch.as_mut_ptr(), NR, alpha, beta) };
            for r in 0..rows {
                // SAFETY: as above.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        scratch[r * NR..].as_ptr(),
                        tile.add(r * ldc),
                        width,
                    )
                };
            }
        }
    };
    for p in 0..a.panels() {
        for t in 0..nc.div_ceil(NR) {
            run(p, t);
        }
    }
}

/// `C = beta·C` on `m` rows of `n` values `ldc` apart: a product with no shared axis. With
/// `beta == 0` C is overwritten with zeros, not read (it may hold NaN).
fn scale_rows(c: &mut [f32], [m, n]: [usize; 2], ldc: usize, beta: f32) {
    for i in 0..m {
        c[i * ldc..i * ldc + n]
            .iter_mut()
            .for_each(|x| *x = if beta == 0.0 { 0.0 } else { beta * *x });
    }
}

/// A raw pointer that may cross to rayon threads; each thread writes its own columns.
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: used only for disjoint column ranges of one C, joined before C is used again.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

impl SendPtr {
    /// A method, so that closures capture the whole `SendPtr` (which is `Send`), not the field.
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// `c = alpha·a·b + beta·c` on 2-d views of any strides (transposed views need no copy).
///
/// With more than one thread in the current rayon pool and a large enough product, each thread
/// computes a block of c's rows or columns on its own; every tile is computed as on one
/// thread, so results do not depend on the thread count.
///
/// # Panics
/// When the shapes do not chain (`a: m×k`, `b: k×n`, `c: m×n`); [`crate::Tensor::matmul`]
/// checks them.
///
/// # Example
/// ```
/// use ndarray::array;
/// let a = array![[1.0f32, 2.0], [3.0, 4.0]];
/// let mut c = ndarray::Array2::<f32>::zeros((2, 2));
/// fovea_tensor::gemm(1.0, a.view(), a.view(), 0.0, c.view_mut());
/// assert_eq!(c, array![[7.0, 10.0], [15.0, 22.0]]);
/// ```
pub fn gemm(
    alpha: f32,
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    beta: f32,
    mut c: ArrayViewMut2<f32>,
) {
    let (m, k) = a.dim();
    let n = b.dim().1;
    assert!(
        b.dim().0 == k && c.dim() == (m, n),
        "gemm: shapes do not chain: {:?} x {:?} -> {:?}",
        a.shape(),
        b.shape(),
        c.shape()
    );
    let ldc = c.strides()[0];
    if m == 0 || n == 0 {
        return;
    }
    if (n > 1 && c.strides()[1] != 1) || (m > 1 && ldc < n as isize) {
        // C is not row-major: the rare case, left to matrixmultiply.
        general_mat_mul(alpha, &a, &b, beta, &mut c);
        return;
    }
    let ldc = if m > 1 { ldc as usize } else { n };
    let threads = rayon::current_num_threads();
    let ptr = SendPtr(c.as_mut_ptr());
    if threads <= 1 || m * n * k < PARALLEL_MIN_FLOPS {
        // SAFETY: c is row-major with stride ldc over m rows and n columns.
        unsafe { product(alpha, a, &b, 0..n, beta, ptr.get(), ldc, true) };
        return;
    }
    // Each thread computes its own block of C from start to end, packing what it needs itself:
    // its rows of A and all of B, or all of A and its columns of B (a row-major A is read in
    // place, not packed). The larger of m and n is split, so that the operand every thread
    // reads in full is the smaller one (with A in place, splitting columns when m > n was no
    // faster). Nothing packed is shared and there is no synchronisation until the end.
    // Threads packing each block of B together and then sharing it (or sharing one packed A)
    // were slower: a line that both threads read is in both L2 caches, and rewriting it for
    // the next block waits for the other core to give it up. GEMM 1024³ on 2 threads, 5
    // alternating runs: medians 6.07 ms shared, 5.84 ms independent (5.95 shared A, then
    // independent columns).
    let split_rows = m > n;
    // Rows go in whole panels (a part ending inside one would pack and multiply zero rows).
    // Columns are split evenly: a tile cut at a part's edge costs a narrower kernel call but
    // no wasted work (1024 as 528 + 496 columns left one thread waiting 5% of the time; as
    // 512 + 512, 2 threads: 5.65 → 5.55 ms, 6 alternating runs). A value's sum does not
    // depend on which tile holds it.
    let (len, unit) = if split_rows { (m, MR) } else { (n, NR) };
    let parts = threads.min(len.div_ceil(unit));
    let size = if split_rows {
        len.div_ceil(parts).next_multiple_of(MR)
    } else {
        len.div_ceil(parts)
    };
    crate::threads::for_each_part(len.div_ceil(size), |i| {
        let part = i * size..((i + 1) * size).min(len);
        let (a, cols, c) = if split_rows {
            // SAFETY: row part.start < m of a row-major C with stride ldc.
            let c = unsafe { ptr.get().add(part.start * ldc) };
            (a.slice(ndarray::s![part, ..]), 0..n, c)
        } else {
            (a, part, ptr.get())
        };
        // SAFETY: c is row-major with stride ldc; this task writes only its own rows or
        // columns of it.
        unsafe { product(alpha, a, &b, cols, beta, c, ldc, false) };
    });
}

/// Columns `cols` of `c = alpha·a·b + beta·c` on the calling thread: A read in place when it
/// is row-major, else packed (by every thread of the pool when `split` and A is large), B
/// packed block by block, with the packing buffers this thread keeps between calls.
///
/// # Safety
/// `c + i·ldc + j` must be valid for writes for every row `i` of `a` and `j` in `cols`, and
/// untouched by anything else meanwhile.
#[allow(clippy::too_many_arguments)]
unsafe fn product(
    alpha: f32,
    a: ArrayView2<f32>,
    b: &ArrayView2<f32>,
    cols: std::ops::Range<usize>,
    beta: f32,
    c: *mut f32,
    ldc: usize,
    split: bool,
) {
    // A row-major A is read in place, but for its last rows when they do not fill a panel.
    // The kernel broadcasts A's values one at a time, so eight rows a stride apart serve it
    // as well as a packed panel (the same 32 KiB for a 1024-deep block), and the pass that
    // packed A (read it from L3, write a copy) is gone; on several threads each thread made
    // that pass over all of A for its columns. Same sums in the same order, so the same bits.
    // GEMM 1024³, packed vs in place alternating call by call, medians of 30 calls (every one
    // of 8 runs faster in place; four shown): 2 threads 5.43 → 5.16, 5.76 → 5.58, 6.20 → 5.94, 6.31 → 5.99 ms; 1 thread
    // 10.47 → 10.19, 10.96 → 10.53 ms; 1001×777 by 777×300: 2.77 → 2.55 ms.
    let (m, k) = a.dim();
    let in_place = m >= MR && k > 0 && a.strides()[1] == 1 && a.strides()[0] > 0;
    let full = if in_place { m / MR * MR } else { 0 };
    // Taken in the reverse of the order they are returned in, so that each buffer keeps its
    // role (and its size) from call to call.
    let packed = PackedA::with_depth(
        spare_buffer(),
        a.slice(ndarray::s![full.., ..]),
        GEMM_KC,
        split,
    );
    let left = if in_place {
        Left::Rows {
            a: a.slice(ndarray::s![..full, ..]),
            tail: &packed,
        }
    } else {
        Left::Packed(&packed)
    };
    let mut buf = spare_buffer();
    // SAFETY: the caller's contract.
    unsafe { gemm_columns(alpha, &left, b, cols, GEMM_NC, beta, c, ldc, &mut buf) };
    return_buffer(buf);
    return_buffer(packed.into_buffer());
}

thread_local! {
    /// Packing buffers kept by each thread between calls of [`gemm`]: allocating megabytes per
    /// product costs a round of page faults each time (5% of a 1024³ product).
    static SPARE: std::cell::RefCell<Vec<AlignedBuf>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn spare_buffer() -> AlignedBuf {
    SPARE.with(|s| s.borrow_mut().pop()).unwrap_or_default()
}

fn return_buffer(buf: AlignedBuf) {
    SPARE.with(|s| {
        let mut spare = s.borrow_mut();
        if spare.len() < 2 {
            spare.push(buf);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn naive(a: &Array2<f32>, b: &Array2<f32>) -> Array2<f32> {
        let (m, k) = a.dim();
        let n = b.dim().1;
        Array2::from_shape_fn((m, n), |(i, j)| {
            (0..k)
                .map(|p| a[[i, p]] as f64 * b[[p, j]] as f64)
                .sum::<f64>() as f32
        })
    }

    /// `a: m×k` and `b: k×n` with small integer-like values, different in every position.
    fn operands(m: usize, n: usize, k: usize) -> (Array2<f32>, Array2<f32>) {
        let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 31 + j * 17) % 23) as f32 - 11.0);
        let b = Array2::from_shape_fn((k, n), |(i, j)| ((i * 13 + j * 7) % 19) as f32 * 0.1);
        (a, b)
    }

    /// Every value of `got` within 1e-3 (relative, or absolute below 1) of `want + offset`.
    fn assert_close<'a>(
        got: impl IntoIterator<Item = &'a f32>,
        want: &Array2<f32>,
        offset: f32,
        what: &str,
    ) {
        for (&x, &w) in got.into_iter().zip(want) {
            let w = w + offset;
            assert!(
                (x - w).abs() <= 1e-3 * w.abs().max(1.0),
                "{what}: {x} vs {w}"
            );
        }
    }

    /// B read in place (row stride wider than B, NaN in the gap that must never be read), with
    /// one and several blocks of the shared axis and partial tiles on both edges.
    #[test]
    fn in_place_b_matches_naive() {
        for (m, n, k) in [
            (13, 100, 37),
            (8, 48, 512),
            (20, 1100, 300),
            (9, 97, 513),
            (17, 49, 900),
        ] {
            let (a, b) = operands(m, n, k);
            let stride = n + 7;
            let mut data = vec![f32::NAN; k * stride];
            for (row, src) in data.chunks_exact_mut(stride).zip(b.rows()) {
                row[..n].iter_mut().zip(src).for_each(|(d, &v)| *d = v);
            }
            let packed = PackedA::new(a.view());
            assert_eq!(
                packed.block_depth() >= k,
                k <= 512,
                "{m}x{n}x{k}: one block iff short"
            );
            let want = naive(&a, &b);
            for beta in [0.0f32, 1.0] {
                let mut c = vec![if beta == 0.0 { f32::NAN } else { 1.0 }; m * n];
                let rb = RowMajorB::new(&data, k, n, stride).expect("sized above");
                gemm_packed(
                    1.0,
                    &packed,
                    &rb,
                    beta,
                    &mut c,
                    n,
                    &mut AlignedBuf::default(),
                );
                assert_close(&c, &want, beta, &format!("{m}x{n}x{k}"));
            }
        }
    }

    /// Products large enough to run in parallel, on pools of 1, 2 and 3 threads: the same bits
    /// on every pool (rows split when m > n, else columns; parts ending inside a panel), and
    /// the naive product's values.
    #[test]
    fn parallel_products_match_one_thread() {
        for (m, n, k) in [
            (520, 300, 600),
            (1001, 60, 300),
            (300, 1000, 900),
            (8, 2000, 300),
            (70, 1000, 513),
        ] {
            let (a, b) = operands(m, n, k);
            let want = naive(&a, &b);
            // beta·C inexact, so a tile summed as alpha·AB + beta·C in two roundings instead
            // of one (a part's edge tile against a full tile on one thread) shows.
            let start = Array2::from_shape_fn((m, n), |(i, j)| ((i * 7 + j * 3) % 11) as f32 * 0.1);
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let mut c = start.clone();
                pool.install(|| gemm(1.0, a.view(), b.view(), 0.3, c.view_mut()));
                c
            };
            let one = run(1);
            assert_close(&(&one - &start * 0.3), &want, 0.0, &format!("{m}x{n}x{k}"));
            for threads in [2, 3] {
                let bits = |c: &Array2<f32>| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&run(threads)),
                    bits(&one),
                    "{m}x{n}x{k} on {threads} threads"
                );
            }
        }
    }

    /// A read in place (rows of a wider array, NaN in the gap that must never be read; m not a
    /// multiple of MR, so the last rows are packed) gives the bits of the packed path with
    /// blocks as deep, on one thread and split over two (rows when m > n, else columns).
    #[test]
    fn in_place_a_matches_packed() {
        for (m, n, k) in [
            (8, 48, 5),
            (13, 100, 37),
            (517, 300, 1100),
            (300, 1000, 1025),
        ] {
            let (a, b) = operands(m, n, k);
            let mut wide = Array2::from_elem((m, k + 5), f32::NAN);
            wide.slice_mut(ndarray::s![.., ..k]).assign(&a);
            let in_place = wide.slice(ndarray::s![.., ..k]);
            let mut packed = vec![0.0f32; m * n];
            gemm_packed(
                1.0,
                &PackedA::with_depth(AlignedBuf::default(), a.view(), GEMM_KC, true),
                &b.view(),
                0.0,
                &mut packed,
                n,
                &mut AlignedBuf::default(),
            );
            assert_close(&packed, &naive(&a, &b), 0.0, &format!("{m}x{n}x{k} packed"));
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let mut c = Array2::from_elem((m, n), f32::NAN);
                pool.install(|| gemm(1.0, in_place, b.view(), 0.0, c.view_mut()));
                let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(c.as_slice().expect("standard layout")),
                    bits(&packed),
                    "{m}x{n}x{k} on {threads} threads"
                );
            }
        }
    }

    /// Every edge case of the blocking: sizes around MR, NR, GEMM_KC and GEMM_NC, beta 0/1,
    /// transposed A and B.
    #[test]
    fn matches_naive_on_awkward_sizes() {
        let sizes = [
            (1, 1, 1),
            (7, 47, 3),
            (8, 48, 256),
            (9, 49, 257),
            (17, 1100, 30),
            (33, 97, 600),
            (9, 145, 1025),
            (3, 2, 0),
        ];
        for (m, n, k) in sizes {
            let (a, b) = operands(m, n, k);
            let bt = b.t().to_owned(); // column-major copy for the strided packer
            let at = a.t().to_owned(); // a column-major A is packed, not read in place
            let want = naive(&a, &b);
            for beta in [0.0f32, 1.0] {
                let start = Array2::from_elem((m, n), if beta == 0.0 { f32::NAN } else { 1.0 });
                let mut c = start.clone();
                gemm(1.0, a.view(), b.view(), beta, c.view_mut());
                let mut ct = start.clone();
                gemm(1.0, a.view(), bt.t(), beta, ct.view_mut());
                let mut cat = start.clone();
                gemm(1.0, at.t(), b.view(), beta, cat.view_mut());
                assert_close(&c, &want, beta, &format!("{m}x{n}x{k}"));
                assert_eq!(c, ct, "{m}x{n}x{k}: strided B packs the same");
                assert_eq!(c, cat, "{m}x{n}x{k}: strided A packs the same");
            }
        }
    }
}
