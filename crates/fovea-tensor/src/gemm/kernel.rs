//! The micro-kernels: `C[MR×NR] = alpha·Σ_k a_k ⊗ b_k + beta·C` over packed panels.
//!
//! `a` holds `kc` groups of [`MR`] values (one column of an A panel each), `b` holds `kc` rows of
//! [`NR`] values, `ldb` apart (`NR` for a packed panel, the row stride when B is read in place);
//! `c` is row-major with row stride `ldc`. With `beta == 0` C is only written,
//! never read, so it may hold garbage (even NaN), as BLAS promises.
//!
//! The AVX-512 kernel keeps the 8×48 tile in 24 zmm registers: per step of k it loads three
//! vectors of B, broadcasts eight values of A and issues 24 FMAs, enough independent chains to
//! keep both FMA ports busy. Without AVX-512 a plain-Rust kernel with the same contract is used
//! (compiled for AVX2 when the CPU has it).

use std::sync::OnceLock;

/// Rows of a C tile (and of a packed A panel).
///
/// # Example
/// ```
/// // A 20-row A is packed as 3 panels of 8 rows, the last padded with zeros.
/// assert_eq!(20usize.div_ceil(fovea_tensor::MR), 3);
/// ```
pub const MR: usize = 8;
/// Columns of a C tile (and of a packed B panel): three 16-lane vectors.
///
/// # Example
/// ```
/// assert_eq!(fovea_tensor::NR, 3 * 16);
/// ```
pub const NR: usize = 48;

/// A micro-kernel: `(kc, a, lda, b, ldb, c, ldc, alpha, beta)`.
///
/// # Safety
/// `a` must hold `kc·MR` values (a packed panel; `lda` unused), or, for the kernels that read
/// A in place, `MR` rows of `kc` values `lda` apart; `b` `kc` rows of `NR` values at stride
/// `ldb`; `c` an `MR×NR` tile with row stride `ldc`.
pub(crate) type Kernel =
    unsafe fn(usize, *const f32, usize, *const f32, usize, *mut f32, usize, f32, f32);

/// Kernels for the first 16, 32 and all 48 columns of a tile: index `width.div_ceil(16) - 1`.
/// A tile at the right edge of C runs the narrowest that covers it instead of computing (and
/// discarding) up to 47 columns of zeros: a 169-position map is 3 full tiles and 25 columns.
/// Without AVX-512 all three are the full-width kernel.
///
/// `prefetch`: B's rows are read in place, a row stride apart, and the kernels ask for them
/// ahead of the loads (see `avx512::accumulate`); a packed B panel is contiguous, and the
/// hardware prefetcher follows it alone. `a_rows`: the kernels read A's rows in place (see
/// [`Kernel`]) instead of a packed panel.
pub(crate) fn kernels(prefetch: bool, a_rows: bool) -> [Kernel; 3] {
    static CHOSEN: OnceLock<[[[Kernel; 3]; 2]; 2]> = OnceLock::new();
    CHOSEN.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                use avx512::kernel as k;
                return [
                    [
                        [
                            k::<1, false, false>,
                            k::<2, false, false>,
                            k::<3, false, false>,
                        ],
                        [
                            k::<1, false, true>,
                            k::<2, false, true>,
                            k::<3, false, true>,
                        ],
                    ],
                    [
                        [
                            k::<1, true, false>,
                            k::<2, true, false>,
                            k::<3, true, false>,
                        ],
                        [k::<1, true, true>, k::<2, true, true>, k::<3, true, true>],
                    ],
                ];
            }
        }
        let [packed, rows] = [kernel::<false>(), kernel::<true>()];
        [[[packed; 3], [rows; 3]]; 2]
    })[usize::from(prefetch)][usize::from(a_rows)]
}

/// A kernel over B rows in segments: `(kc, a, segs, ldb, c, ldc, alpha, beta)`, see
/// `avx512::segments`.
pub(crate) type SegKernel =
    unsafe fn(usize, *const f32, &[*const f32], usize, *mut f32, usize, f32, f32);

/// The segment kernels for the first 16, 32 and all 48 columns of a tile, where the CPU has
/// AVX-512; elsewhere `None`, and the caller runs [`kernel`] once per segment.
pub(crate) fn segment_kernels() -> Option<[SegKernel; 3]> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        return Some([
            avx512::segments::<1, false>,
            avx512::segments::<2, false>,
            avx512::segments::<3, false>,
        ]);
    }
    None
}

/// The fastest full-width kernel this CPU runs for packed A panels (`A_ROWS = false`) or A's
/// rows read in place (`true`).
pub(crate) fn kernel<const A_ROWS: bool>() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return avx512::kernel::<3, false, A_ROWS>;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return kernel_avx2::<A_ROWS>;
        }
    }
    kernel_portable::<A_ROWS>
}

/// The portable kernel; also what tests compare the AVX-512 one against.
///
/// # Safety
/// As [`Kernel`].
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn kernel_portable<const A_ROWS: bool>(
    kc: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    alpha: f32,
    beta: f32,
) {
    // SAFETY: the caller's contract is the same.
    unsafe { portable_body::<A_ROWS>(kc, a, lda, b, ldb, c, ldc, alpha, beta) }
}

/// The portable kernel compiled with AVX2 enabled (8-lane vectors instead of SSE's 4).
///
/// # Safety
/// As [`Kernel`]; the CPU must support AVX2 (checked by [`kernel`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn kernel_avx2<const A_ROWS: bool>(
    kc: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    alpha: f32,
    beta: f32,
) {
    // SAFETY: the caller's contract is the same.
    unsafe { portable_body::<A_ROWS>(kc, a, lda, b, ldb, c, ldc, alpha, beta) }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn portable_body<const A_ROWS: bool>(
    kc: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    alpha: f32,
    beta: f32,
) {
    let mut acc = [[0.0f32; NR]; MR];
    for k in 0..kc {
        // SAFETY: row k of B holds NR values at b + k·ldb.
        let bk = unsafe { std::slice::from_raw_parts(b.add(k * ldb), NR) };
        for (r, row) in acc.iter_mut().enumerate() {
            // SAFETY: A's value (row r, depth k) at the offset the contract gives.
            let av = unsafe { *a.add(if A_ROWS { r * lda + k } else { k * MR + r }) };
            for (x, &bv) in row.iter_mut().zip(bk) {
                *x += av * bv;
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        // SAFETY: row r of the tile lies at c + r·ldc and holds NR values.
        let out = unsafe { std::slice::from_raw_parts_mut(c.add(r * ldc), NR) };
        if beta == 0.0 {
            out.iter_mut().zip(row).for_each(|(o, &x)| *o = alpha * x);
        } else {
            out.iter_mut()
                .zip(row)
                .for_each(|(o, &x)| *o = alpha * x + beta * *o);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::MR;

    /// The AVX-512 kernel on the first `16·V` columns of a tile (see the module docs): `V = 3`
    /// is the full tile, 1 and 2 the narrower kernels for the right edge of C; `A_ROWS` reads
    /// A's rows in place, `lda` apart.
    ///
    /// # Safety
    /// As [`super::Kernel`], with `b` and `c` rows of `16·V` values; the CPU must support
    /// AVX-512F (checked by [`super::kernel`]).
    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn kernel<const V: usize, const PREFETCH: bool, const A_ROWS: bool>(
        kc: usize,
        a: *const f32,
        lda: usize,
        b: *const f32,
        ldb: usize,
        c: *mut f32,
        ldc: usize,
        alpha: f32,
        beta: f32,
    ) {
        // SAFETY: the caller's contract, B as a single segment.
        unsafe { tile::<V, PREFETCH, A_ROWS>(kc, a, lda, &[b], ldb, c, ldc, alpha, beta) }
    }

    /// [`kernel`] over B rows in segments: `segs[s]` points at `kc` rows (`ldb` apart) and the
    /// A panel holds `segs.len()·kc` columns. The accumulators stay in registers across the
    /// segments (a convolution's kernel taps, read from a padded image without im2col).
    ///
    /// # Safety
    /// As [`kernel`] for every segment; AVX-512F present.
    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    pub(in crate::gemm) unsafe fn segments<const V: usize, const PREFETCH: bool>(
        kc: usize,
        a: *const f32,
        segs: &[*const f32],
        ldb: usize,
        c: *mut f32,
        ldc: usize,
        alpha: f32,
        beta: f32,
    ) {
        // SAFETY: the caller's contract, A packed.
        unsafe { tile::<V, PREFETCH, false>(kc, a, 0, segs, ldb, c, ldc, alpha, beta) }
    }

    /// [`kernel`] and [`segments`] in one: A packed or (`A_ROWS`) read in place, B in segments.
    ///
    /// # Safety
    /// As [`segments`]; with `A_ROWS`, `a` holds MR rows of `segs.len()·kc` values `lda` apart.
    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<const V: usize, const PREFETCH: bool, const A_ROWS: bool>(
        kc: usize,
        a: *const f32,
        lda: usize,
        segs: &[*const f32],
        ldb: usize,
        c: *mut f32,
        ldc: usize,
        alpha: f32,
        beta: f32,
    ) {
        // C is read only after the whole k loop; asking for its lines now hides their latency
        // behind the loop (GEMM 1024³ on 1 thread: 13.8 → 13.4 ms, 3 runs each).
        if beta != 0.0 {
            for r in 0..MR {
                // SAFETY: prefetching is a hint; the addresses lie inside the tile.
                unsafe {
                    let p = c.add(r * ldc) as *const i8;
                    _mm_prefetch::<_MM_HINT_T0>(p);
                    for v in 1..V {
                        _mm_prefetch::<_MM_HINT_T0>(p.add(64 * v));
                    }
                    // The last value: one more line when the row is not aligned.
                    _mm_prefetch::<_MM_HINT_T0>(p.add(64 * V - 4));
                }
            }
        }
        // SAFETY: the caller's contract.
        let acc = unsafe { accumulate::<V, PREFETCH, A_ROWS>(kc, a, lda, segs, ldb) };
        let va = _mm512_set1_ps(alpha);
        let vb = _mm512_set1_ps(beta);
        for (r, row) in acc.iter().enumerate() {
            for (v, &x) in row.iter().enumerate() {
                // SAFETY: the tile's row r holds 16·V values at c + r·ldc.
                unsafe {
                    let p = c.add(r * ldc + 16 * v);
                    let mut y = _mm512_mul_ps(va, x);
                    if beta != 0.0 {
                        y = _mm512_fmadd_ps(vb, _mm512_loadu_ps(p), y);
                    }
                    _mm512_storeu_ps(p, y);
                }
            }
        }
    }

    /// Rows of B ahead of the one being read that [`accumulate`] asks the cache for when B is
    /// read in place: 16 rows, about 200 cycles of the loop, the order of an L2 round trip
    /// with room to spare (8, 16 and 32 measured alike; 4 a little slower).
    const PREFETCH_ROWS: usize = 16;

    /// Steps of k per trip of [`accumulate`]'s loop. The loop's own instructions (two pointer
    /// increments, a counter and a branch) run on the ALU ports that also issue the FMAs;
    /// once per 4 steps instead of every step: the kernel on panels in L1 (512 deep) went
    /// from 213–215 to 223–235 GFLOP/s of a 236 peak, from L2 212 → 218–229 (an 8-step
    /// loop was no faster than a 1-step one).
    const UNROLL: usize = 4;

    /// The k loop of [`tile`]: the `MR × 16·V` tile summed in registers, [`UNROLL`] steps
    /// per trip, A's values broadcast from a packed panel or (`A_ROWS`) from MR rows `lda`
    /// apart.
    ///
    /// With `PREFETCH` (B's rows read in place, `ldb` apart, from a convolution's im2col) it
    /// asks for B's rows `PREFETCH_ROWS` ahead, one hint per cache line, so the loads do not
    /// wait on L2. A packed panel is one contiguous run that the hardware prefetcher follows
    /// by itself, and the hints only took load slots: with the unrolled loop, GEMM 1024³ on 1
    /// thread ran at 10.77 ms without them against 11.07 ms with them (40 calls alternating).
    /// A B panel that stays in L1 (`gemm_taps`) goes without too.
    ///
    /// # Safety
    /// As [`tile`].
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn accumulate<const V: usize, const PREFETCH: bool, const A_ROWS: bool>(
        kc: usize,
        a: *const f32,
        lda: usize,
        segs: &[*const f32],
        ldb: usize,
    ) -> [[__m512; V]; MR] {
        // The distance from one step's A values to the next: a packed panel holds MR values
        // per step; rows read in place advance one value.
        let (next, rows) = if A_ROWS { (1, lda) } else { (MR, 1) };
        let mut acc = [[_mm512_setzero_ps(); V]; MR];
        let mut a = a;
        // B in segments of kc rows each (one segment for a plain panel).
        for &seg in segs {
            let mut b = seg;
            for _ in 0..kc / UNROLL {
                for s in 0..UNROLL {
                    // SAFETY: a advances through kc steps per segment and b through kc rows
                    // of ldb; step s of this trip reads the s-th of the next UNROLL.
                    unsafe {
                        let (a, b) = (a.add(s * next), b.add(s * ldb));
                        step::<V, PREFETCH>(&mut acc, a, rows, b, ldb)
                    };
                }
                // SAFETY: as above.
                unsafe {
                    a = a.add(UNROLL * next);
                    b = b.add(UNROLL * ldb);
                }
            }
            for _ in 0..kc % UNROLL {
                // SAFETY: as above, one step at a time.
                unsafe {
                    step::<V, PREFETCH>(&mut acc, a, rows, b, ldb);
                    a = a.add(next);
                    b = b.add(ldb);
                }
            }
        }
        acc
    }

    /// One step of k: three rows' worth of B loaded, MR values of A broadcast, `MR·V` FMAs.
    ///
    /// # Safety
    /// `a` holds MR values `rows` apart, `b` 16·V; prefetching is a hint, valid on any address.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn step<const V: usize, const PREFETCH: bool>(
        acc: &mut [[__m512; V]; MR],
        a: *const f32,
        rows: usize,
        b: *const f32,
        ldb: usize,
    ) {
        if PREFETCH {
            for v in 0..V {
                let ahead = b.wrapping_add(PREFETCH_ROWS * ldb + 16 * v);
                _mm_prefetch::<_MM_HINT_T0>(ahead as *const i8);
            }
        }
        let mut bv = [_mm512_setzero_ps(); V];
        for (v, x) in bv.iter_mut().enumerate() {
            // SAFETY: b holds 16·V values (the caller's contract).
            *x = unsafe { _mm512_loadu_ps(b.add(16 * v)) };
        }
        for (r, row) in acc.iter_mut().enumerate() {
            // SAFETY: a holds MR values `rows` apart.
            let ar = _mm512_set1_ps(unsafe { *a.add(r * rows) });
            for (x, &y) in row.iter_mut().zip(&bv) {
                *x = _mm512_fmadd_ps(ar, y, *x);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full-width kernels in use (AVX-512 here when the CPU has it, with and without
    /// prefetching B, A packed or read in place) against the portable ones and a naive sum.
    #[test]
    fn kernels_agree() {
        for prefetch in [false, true] {
            agree(kernels(prefetch, false)[2], kernel_portable::<false>, false);
            agree(kernels(prefetch, true)[2], kernel_portable::<true>, true);
        }
    }

    /// `kernel` and `portable` on one tile, A packed or (`a_rows`) as rows `lda` apart; B and
    /// A's rows with NaN between them that must never be read.
    fn agree(kernel: Kernel, portable: Kernel, a_rows: bool) {
        let kc = 37;
        let value = |r: usize, k: usize| (((k * MR + r) * 7 % 13) as f32) - 6.0;
        let lda = if a_rows { kc + 3 } else { 0 };
        let a: Vec<f32> = if a_rows {
            (0..MR * lda)
                .map(|i| match (i / lda, i % lda) {
                    (r, k) if k < kc => value(r, k),
                    _ => f32::NAN,
                })
                .collect()
        } else {
            (0..kc * MR).map(|i| value(i % MR, i / MR)).collect()
        };
        let ldb = NR + 5;
        let b: Vec<f32> = (0..kc * ldb)
            .map(|i| {
                if i % ldb < NR {
                    ((i * 5 % 11) as f32) * 0.25
                } else {
                    f32::NAN
                }
            })
            .collect();
        let ldc = NR + 3;
        for beta in [0.0f32, 1.0, -0.5] {
            let start: Vec<f32> = (0..MR * ldc).map(|i| i as f32).collect();
            let (mut fast, mut slow) = (start.clone(), start.clone());
            for (f, out) in [(kernel, &mut fast), (portable, &mut slow)] {
                let (ap, bp, cp) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
                // SAFETY: buffers sized as the contract asks.
                unsafe { f(kc, ap, lda, bp, ldb, cp, ldc, 2.0, beta) };
            }
            for r in 0..MR {
                for j in 0..ldc {
                    let want = if j < NR {
                        let dot: f32 = (0..kc).map(|k| value(r, k) * b[k * ldb + j]).sum();
                        2.0 * dot + beta * start[r * ldc + j]
                    } else {
                        start[r * ldc + j] // outside the tile: untouched
                    };
                    for got in [fast[r * ldc + j], slow[r * ldc + j]] {
                        assert!(
                            (got - want).abs() <= 1e-3 * want.abs().max(1.0),
                            "a_rows {a_rows}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod speed {
    use super::*;

    /// Not a test of correctness: prints the kernel's throughput on L1-resident panels, best of
    /// 5 runs, on 64-byte-aligned buffers as the driver packs them (a B row straddling two
    /// cache lines costs ~15%), with A packed and with A's rows read in place (211–216 and
    /// 211–212 GFLOP/s here). Compare with `cargo bench --bench ops -- --peak`.
    /// `cargo test --release -p fovea-tensor kernel_peak -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn kernel_peak() {
        use crate::gemm::AlignedBuf;
        let kc = 192;
        let (mut a, mut b, mut c) = (
            AlignedBuf::default(),
            AlignedBuf::default(),
            AlignedBuf::default(),
        );
        let a = a.slice(kc * MR);
        a.fill(1.0);
        let b = b.slice(kc * NR);
        b.fill(1.0);
        let c = c.slice(MR * NR);
        c.fill(0.0);
        let reps = 200_000;
        // A packed, then A's rows read in place (kc apart).
        for (f, lda, what) in [
            (kernel::<false>(), 0, "packed A"),
            (kernel::<true>(), kc, "A in place"),
        ] {
            let best = (0..5)
                .map(|_| {
                    let t = std::time::Instant::now();
                    for _ in 0..reps {
                        // SAFETY: sized as the contract asks.
                        unsafe {
                            let (ap, bp, cp) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
                            f(kc, ap, lda, bp, NR, cp, NR, 1.0, 1.0)
                        };
                    }
                    2.0 * (kc * MR * NR) as f64 * reps as f64 / t.elapsed().as_secs_f64() / 1e9
                })
                .fold(0.0, f64::max);
            println!("kernel, {what}: {best:.1} GFLOP/s ({})", c[0]);
        }
    }
}
