//! `C = alpha·A·Bᵀ + beta·C` with both A and B row-major along the shared axis: every output is a
//! dot product of two contiguous rows, so nothing is packed or transposed.
//!
//! This is the shape of a convolution's weight gradient (`dW = dy · colsᵀ`, the positions are
//! the long shared axis). Packing `colsᵀ` for the ordinary kernel means transposing the whole
//! im2col matrix for every image; here a 4×6 tile of 16-lane partial sums runs down the rows
//! instead (10 loads for 24 FMAs) and is reduced once at the end.

/// Rows of A per tile.
const MI: usize = 4;
/// Rows of B per tile.
const NJ: usize = 6;
/// Length of the shared axis per pass: 6 rows of B (6 KiB) stay in L1 while A's rows stream by.
const KB: usize = 512;

/// `c[i·ldc + j] = alpha·Σ_l a[i·lda + l]·b[j·ldb + l] + beta·c[i·ldc + j]` for `i < m`, `j < n`,
/// `l < k`. With `beta == 0` C is not read. Runs on the calling thread.
///
/// # Panics
/// When a slice is too short for its rows at its stride, or a stride is shorter than `k` (`n`
/// for `ldc`).
///
/// # Example
/// ```
/// // [1 2; 3 4] · [1 2; 3 4]ᵀ
/// let a = [1.0f32, 2.0, 3.0, 4.0];
/// let mut c = [0.0f32; 4];
/// fovea_tensor::gemm_nt(1.0, &a, 2, &a, 2, [2, 2, 2], 0.0, &mut c, 2);
/// assert_eq!(c, [5.0, 11.0, 11.0, 25.0]);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn gemm_nt(
    alpha: f32,
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    [m, n, k]: [usize; 3],
    beta: f32,
    c: &mut [f32],
    ldc: usize,
) {
    let fits = |len: usize, rows: usize, stride: usize, width: usize| {
        stride >= width && (rows == 0 || len >= (rows - 1) * stride + width)
    };
    assert!(
        fits(a.len(), m, lda, k) && fits(b.len(), n, ldb, k) && fits(c.len(), m, ldc, n),
        "gemm_nt: [{m}, {k}] x [{n}, {k}]ᵀ does not fit the slices ({}, {}, {} values at strides {lda}, {ldb}, {ldc})",
        a.len(),
        b.len(),
        c.len()
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        return super::scale_rows(c, [m, n], ldc, beta);
    }
    #[cfg(target_arch = "x86_64")]
    let fast = std::arch::is_x86_feature_detected!("avx512f");
    #[cfg(not(target_arch = "x86_64"))]
    let fast = false;
    for l0 in (0..k).step_by(KB) {
        let kb = KB.min(k - l0);
        let beta = if l0 == 0 { beta } else { 1.0 };
        for j0 in (0..n).step_by(NJ) {
            let nj = NJ.min(n - j0);
            for i0 in (0..m).step_by(MI) {
                let mi = MI.min(m - i0);
                let tile = Tile {
                    a: &a[i0 * lda + l0..],
                    lda,
                    b: &b[j0 * ldb + l0..],
                    ldb,
                    k: kb,
                    alpha,
                    beta,
                };
                let c = &mut c[i0 * ldc + j0..];
                #[cfg(target_arch = "x86_64")]
                if fast {
                    // SAFETY: AVX-512F was detected; the slices were checked above.
                    unsafe { avx512::tile(&tile, mi, nj, c, ldc) };
                    continue;
                }
                let _ = fast;
                tile.portable(mi, nj, c, ldc);
            }
        }
    }
}

/// One tile's operands: `mi` rows of A and `nj` rows of B, `k` long, starting at the slices.
struct Tile<'a> {
    a: &'a [f32],
    lda: usize,
    b: &'a [f32],
    ldb: usize,
    k: usize,
    alpha: f32,
    beta: f32,
}

impl Tile<'_> {
    fn portable(&self, mi: usize, nj: usize, c: &mut [f32], ldc: usize) {
        for i in 0..mi {
            let a = &self.a[i * self.lda..i * self.lda + self.k];
            for j in 0..nj {
                let b = &self.b[j * self.ldb..j * self.ldb + self.k];
                // 16 partial sums, as the vector kernel, so that LLVM can vectorise the loop.
                let mut acc = [0.0f32; 16];
                let (ac, bc) = (a.chunks_exact(16), b.chunks_exact(16));
                let tail: f32 = ac
                    .remainder()
                    .iter()
                    .zip(bc.remainder())
                    .map(|(x, y)| x * y)
                    .sum();
                for (x, y) in ac.zip(bc) {
                    for l in 0..16 {
                        acc[l] += x[l] * y[l];
                    }
                }
                let dot = acc.iter().sum::<f32>() + tail;
                let out = &mut c[i * ldc + j];
                *out = if self.beta == 0.0 {
                    self.alpha * dot
                } else {
                    self.alpha * dot + self.beta * *out
                };
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{MI, NJ, Tile};

    /// Dispatches to the tile kernel specialised for `mi × nj`.
    ///
    /// # Safety
    /// The CPU must support AVX-512F; the tile's slices must hold its rows.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn tile(t: &Tile, mi: usize, nj: usize, c: &mut [f32], ldc: usize) {
        macro_rules! dispatch {
            ($($m:literal),*; $($n:literal),*) => {
                dispatch!(@rows [$($m),*] [$($n),*])
            };
            (@rows [$($m:literal),*] $ns:tt) => {
                match mi {
                    $($m => dispatch!(@cols $m $ns),)*
                    _ => unreachable!("tile rows"),
                }
            };
            (@cols $m:literal [$($n:literal),*]) => {
                match nj {
                    // SAFETY: forwarded from the caller.
                    $($n => unsafe { kernel::<$m, $n>(t, c, ldc) },)*
                    _ => unreachable!("tile columns"),
                }
            };
        }
        const _: () = assert!(MI == 4 && NJ == 6);
        dispatch!(1, 2, 3, 4; 1, 2, 3, 4, 5, 6)
    }

    /// Lane `i` of the result is the sum of the 16 lanes of `v[i]`: unpack/shuffle-and-add within
    /// 128-bit blocks (16 → 8 → 4 vectors), then across blocks (4 → 2 → 1).
    #[target_feature(enable = "avx512f")]
    fn sum16(v: &[__m512]) -> __m512 {
        let mut pairs = [_mm512_setzero_ps(); 8];
        for (k, p) in pairs.iter_mut().enumerate() {
            let (a, b) = (v[2 * k], v[2 * k + 1]);
            *p = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
        }
        let mut quads = [_mm512_setzero_ps(); 4];
        for (k, q) in quads.iter_mut().enumerate() {
            let (a, b) = (pairs[2 * k], pairs[2 * k + 1]);
            *q = _mm512_add_ps(
                _mm512_shuffle_ps::<0x44>(a, b),
                _mm512_shuffle_ps::<0xEE>(a, b),
            );
        }
        // Block L of quads[m] now holds the block-L partial sums of v[4m..4m + 4].
        let half = |a: __m512, b: __m512| {
            _mm512_add_ps(
                _mm512_shuffle_f32x4::<0x88>(a, b),
                _mm512_shuffle_f32x4::<0xDD>(a, b),
            )
        };
        let (lo, hi) = (half(quads[0], quads[1]), half(quads[2], quads[3]));
        half(lo, hi)
    }

    /// `M × N` dot products of 16-lane partial sums, reduced at the end.
    ///
    /// # Safety
    /// As [`tile`].
    #[target_feature(enable = "avx512f")]
    unsafe fn kernel<const M: usize, const N: usize>(t: &Tile, c: &mut [f32], ldc: usize) {
        let mut acc = [[_mm512_setzero_ps(); N]; M];
        let (a, b) = (t.a.as_ptr(), t.b.as_ptr());
        let mut l = 0;
        let step = |l: usize, mask: __mmask16, acc: &mut [[__m512; N]; M]| {
            let mut bv = [_mm512_setzero_ps(); N];
            for (j, v) in bv.iter_mut().enumerate() {
                // SAFETY: row j of B holds k values from b + j·ldb; the mask stops at k.
                *v = unsafe { _mm512_maskz_loadu_ps(mask, b.add(j * t.ldb + l)) };
            }
            for (i, row) in acc.iter_mut().enumerate() {
                // SAFETY: as above for row i of A.
                let av = unsafe { _mm512_maskz_loadu_ps(mask, a.add(i * t.lda + l)) };
                for (x, &bj) in row.iter_mut().zip(&bv) {
                    *x = _mm512_fmadd_ps(av, bj, *x);
                }
            }
        };
        while l + 16 <= t.k {
            step(l, 0xffff, &mut acc);
            l += 16;
        }
        if l < t.k {
            step(l, (1u16 << (t.k - l)) - 1, &mut acc);
        }
        if M * N == 24 {
            // The full tile: 24 sums reduced together (a transpose-and-add tree), 4× fewer
            // instructions than reducing each accumulator on its own.
            let mut flat = [_mm512_setzero_ps(); 32];
            for (i, row) in acc.iter().enumerate() {
                flat[i * N..(i + 1) * N].copy_from_slice(row);
            }
            let mut sums = [0.0f32; 32];
            // SAFETY: each store writes 16 values into the 32-value array.
            unsafe {
                _mm512_storeu_ps(sums.as_mut_ptr(), sum16(&flat[..16]));
                _mm512_storeu_ps(sums.as_mut_ptr().add(16), sum16(&flat[16..]));
            }
            for i in 0..M {
                for j in 0..N {
                    let dot = sums[i * N + j];
                    let out = &mut c[i * ldc + j];
                    *out = if t.beta == 0.0 {
                        t.alpha * dot
                    } else {
                        t.alpha * dot + t.beta * *out
                    };
                }
            }
            return;
        }
        for (i, row) in acc.iter().enumerate() {
            for (j, &x) in row.iter().enumerate() {
                let dot = _mm512_reduce_add_ps(x);
                let out = &mut c[i * ldc + j];
                *out = if t.beta == 0.0 {
                    t.alpha * dot
                } else {
                    t.alpha * dot + t.beta * *out
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_on_awkward_sizes() {
        for (m, n, k) in [
            (1, 1, 1),
            (4, 6, 16),
            (5, 7, 17),
            (9, 13, 300),
            (3, 2, 513),
            (2, 3, 0),
        ] {
            let (lda, ldb, ldc) = (k + 3, k + 1, n + 2);
            let a: Vec<f32> = (0..m * lda).map(|i| ((i * 7) % 11) as f32 - 5.0).collect();
            let b: Vec<f32> = (0..n * ldb).map(|i| ((i * 5) % 13) as f32 * 0.5).collect();
            for beta in [0.0f32, 2.0] {
                let mut c = vec![if beta == 0.0 { f32::NAN } else { 1.0 }; m * ldc];
                gemm_nt(0.5, &a, lda, &b, ldb, [m, n, k], beta, &mut c, ldc);
                let mut portable = vec![if beta == 0.0 { f32::NAN } else { 1.0 }; m * ldc];
                for i in 0..m {
                    for j in 0..n {
                        let want: f64 = (0..k)
                            .map(|l| a[i * lda + l] as f64 * b[j * ldb + l] as f64)
                            .sum();
                        let want = 0.5 * want as f32 + if beta == 0.0 { 0.0 } else { beta };
                        let got = c[i * ldc + j];
                        assert!(
                            (got - want).abs() <= 1e-4 * want.abs().max(1.0),
                            "{m}x{n}x{k}: {got} vs {want}"
                        );
                    }
                }
                // The portable path on the same tiles.
                for i0 in (0..m).step_by(MI) {
                    for j0 in (0..n).step_by(NJ) {
                        if k == 0 {
                            continue;
                        }
                        let tile = Tile {
                            a: &a[i0 * lda..],
                            lda,
                            b: &b[j0 * ldb..],
                            ldb,
                            k,
                            alpha: 0.5,
                            beta,
                        };
                        tile.portable(
                            MI.min(m - i0),
                            NJ.min(n - j0),
                            &mut portable[i0 * ldc + j0..],
                            ldc,
                        );
                    }
                }
                if k > 0 {
                    for i in 0..m {
                        for j in 0..n {
                            let (x, y) = (c[i * ldc + j], portable[i * ldc + j]);
                            assert!(
                                (x - y).abs() <= 1e-4 * x.abs().max(1.0),
                                "portable {y} vs {x}"
                            );
                        }
                    }
                }
            }
        }
    }
}
