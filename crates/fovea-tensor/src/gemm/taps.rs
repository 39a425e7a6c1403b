//! A GEMM whose right operand is a convolution's input seen through its kernel taps, without
//! im2col.
//!
//! For a stride-1 convolution, pad the image once and compute the output on the padded width:
//! output position `p = oy·Wp + ox` under tap `(i, j)` of channel `c` reads the padded image at
//! `c·plane + p + i·d·Wp + j·d`. So the im2col row of `(tap, c)` is the padded image itself,
//! shifted: row `(t, c)` of B starts at `offsets[t] + c·stride`, and consecutive positions are
//! consecutive values. [`gemm_taps`] reads those rows in place, one segment of `channels` rows
//! per tap, with the accumulators kept in registers across the taps of a block. The price is
//! `Wp − ow` junk columns per output row, computed and discarded (6% for a 32-wide map with
//! 3×3 "same" padding); the gain is not writing and reading the 9× larger im2col matrix.

use super::kernel::{self, MR, NR};
use super::pack::{KC, MC, NC, PackedA};

/// The right operand of [`gemm_taps`]: `taps × channels` rows of `cols` values, row `(t, c)`
/// starting at `data[offsets[t] + c·stride]`.
///
/// # Example
/// ```
/// use fovea_tensor::TapB;
/// // Two taps (offsets 0 and 1) of one channel over 3 columns of [1, 2, 3, 4, ...].
/// let data: Vec<f32> = (1..=20).map(|v| v as f32).collect();
/// let b = TapB::new(&data, &[0, 1], 1, 20, 3)?;
/// assert_eq!(b.depth(), 2);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct TapB<'a> {
    data: &'a [f32],
    offsets: &'a [usize],
    channels: usize,
    stride: usize,
    cols: usize,
}

impl<'a> TapB<'a> {
    /// Checks that every row, read 16-value vectors at a time up to the next multiple of 16
    /// past `cols`, lies inside `data` (so the buffer needs that much slack at its end).
    ///
    /// # Errors
    /// [`crate::Error::InvalidShape`] when it does not.
    pub fn new(
        data: &'a [f32],
        offsets: &'a [usize],
        channels: usize,
        stride: usize,
        cols: usize,
    ) -> crate::Result<Self> {
        let last = offsets.iter().max().copied().unwrap_or(0) + channels.saturating_sub(1) * stride;
        if !offsets.is_empty() && channels > 0 && data.len() < last + cols.next_multiple_of(16) {
            return Err(crate::Error::invalid_shape(
                "gemm_taps",
                format!(
                    "{} values cannot hold rows up to {last} + {} (16-value reads)",
                    data.len(),
                    cols.next_multiple_of(16)
                ),
                &[offsets.len() * channels, cols],
            ));
        }
        Ok(TapB {
            data,
            offsets,
            channels,
            stride,
            cols,
        })
    }

    /// Rows: taps × channels.
    ///
    /// # Example
    /// See [`TapB`].
    pub fn depth(&self) -> usize {
        self.offsets.len() * self.channels
    }
}

impl PackedA {
    /// Packs `a` in blocks whose depth is a multiple of `channels` (at most [`KC`] when
    /// `channels ≤ KC`), as [`gemm_taps`] needs: each block then covers whole taps.
    ///
    /// # Example
    /// ```
    /// let a = ndarray::Array2::<f32>::ones((4, 18));
    /// assert_eq!(fovea_tensor::PackedA::for_taps(a.view(), 9).depth(), 18);
    /// ```
    pub fn for_taps(a: ndarray::ArrayView2<f32>, channels: usize) -> PackedA {
        let depth = channels.max(1) * (KC / channels.max(1)).max(1);
        PackedA::with_depth(Default::default(), a, depth, true)
    }
}

/// `C = alpha·A·B + beta·C` for a [`TapB`], with A packed by [`PackedA::for_taps`] for the same
/// channel count, C row-major with row stride `ldc`. Runs on the calling thread.
///
/// # Panics
/// When the depths differ, A was packed in blocks that are not whole taps, or C is too short.
///
/// # Example
/// ```
/// use fovea_tensor::{PackedA, TapB, gemm_taps};
/// let data: Vec<f32> = (1..=20).map(|v| v as f32).collect();
/// let b = TapB::new(&data, &[0, 1], 1, 20, 3)?; // rows [1, 2, 3] and [2, 3, 4]
/// let a = ndarray::array![[1.0f32, 10.0]];
/// let mut c = [0.0f32; 3];
/// gemm_taps(1.0, &PackedA::for_taps(a.view(), 1), &b, 0.0, &mut c, 3);
/// assert_eq!(c, [21.0, 32.0, 43.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn gemm_taps(alpha: f32, a: &PackedA, b: &TapB, beta: f32, c: &mut [f32], ldc: usize) {
    let (m, n, k) = (a.rows(), b.cols, a.depth());
    let ch = b.channels;
    assert!(
        k == b.depth() && ldc >= n && (m == 0 || c.len() >= (m - 1) * ldc + n),
        "gemm_taps: shapes do not chain: [{m}, {k}] x [{}, {n}] into {} values at stride {ldc}",
        b.depth(),
        c.len()
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        return super::scale_rows(c, [m, n], ldc, beta);
    }
    let kb = a.block_depth();
    assert!(
        kb.is_multiple_of(ch),
        "gemm_taps: A blocks must hold whole taps"
    );
    let segments = kernel::segment_kernels();
    let plain = kernel::kernels(false, false);
    let base = b.data.as_ptr();
    let cp = c.as_mut_ptr();
    let mut segs: Vec<*const f32> = Vec::with_capacity(kb / ch);
    for j0 in (0..n).step_by(NC) {
        let nc = NC.min(n - j0);
        let np = nc.div_ceil(NR);
        for k0 in (0..k).step_by(kb) {
            let kc = kb.min(k - k0);
            let taps = &b.offsets[k0 / ch..(k0 + kc) / ch];
            let beta = if k0 == 0 { beta } else { 1.0 };
            for p0 in (0..a.panels()).step_by(MC / MR) {
                let p1 = (p0 + MC / MR).min(a.panels());
                for t in 0..np {
                    let col = j0 + t * NR;
                    let width = NR.min(nc - t * NR);
                    segs.clear();
                    // SAFETY: TapB::new checked every row up to 16-value reads past cols.
                    segs.extend(taps.iter().map(|&o| unsafe { base.add(o + col) }));
                    let which = width.div_ceil(16) - 1;
                    for p in p0..p1 {
                        let ap = a.panel(k0, kc, p).as_ptr();
                        let rows = MR.min(m - p * MR);
                        let direct = rows == MR && width.is_multiple_of(16);
                        let mut scratch = [0.0f32; MR * NR];
                        // SAFETY: the tile's origin lies inside C (checked above).
                        let (out, ldo, beta_o) = if direct {
                            (unsafe { cp.add(p * MR * ldc + col) }, ldc, beta)
                        } else {
                            (scratch.as_mut_ptr(), NR, 0.0)
                        };
                        match segments {
                            // SAFETY: each segment is ch rows of ≥ 16·(which+1) readable values
                            // at stride b.stride; the A panel holds kc = segs·ch columns.
                            Some(kernels) => unsafe {
                                kernels[which](ch, ap, &segs, b.stride, out, ldo, alpha, beta_o)
                            },
                            None => {
                                for (s, &seg) in segs.iter().enumerate() {
                                    let beta_s = if s == 0 { beta_o } else { 1.0 };
                                    // SAFETY: as above, one segment at a time.
                                    unsafe {
                                        plain[which](
                                            ch,
                                            ap.add(s * ch * MR),
                                            0,
                                            seg,
                                            b.stride,
                                            out,
                                            ldo,
                                            alpha,
                                            beta_s,
                                        )
                                    };
                                }
                            }
                        }
                        if !direct {
                            for r in 0..rows {
                                let dst = &mut c[(p * MR + r) * ldc + col..][..width];
                                let src = &scratch[r * NR..r * NR + width];
                                for (d, &v) in dst.iter_mut().zip(src) {
                                    *d = if beta == 0.0 { v } else { v + beta * *d };
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a naive sum, for channel counts that make blocks of several taps, one tap, and
    /// a depth that is not a multiple of the block; widths at and around the kernel's edges.
    #[test]
    fn matches_naive_sum() {
        for (m, taps, ch, n) in [
            (8, 9, 32, 100),
            (13, 9, 3, 48),
            (5, 25, 48, 33),
            (16, 2, 200, 17),
        ] {
            let stride = n + 40;
            let offsets: Vec<usize> = (0..taps).map(|t| (t * 7) % 23).collect();
            let len = offsets.iter().max().unwrap() + (ch - 1) * stride + n.next_multiple_of(16);
            let data: Vec<f32> = (0..len).map(|i| ((i * 13) % 17) as f32 - 8.0).collect();
            let b = TapB::new(&data, &offsets, ch, stride, n).unwrap();
            let a = ndarray::Array2::from_shape_fn((m, taps * ch), |(i, j)| {
                ((i * 5 + j * 3) % 11) as f32 * 0.25
            });
            for beta in [0.0f32, 1.0] {
                let mut c = vec![if beta == 0.0 { f32::NAN } else { 2.0 }; m * n];
                gemm_taps(1.0, &PackedA::for_taps(a.view(), ch), &b, beta, &mut c, n);
                for i in 0..m {
                    for j in 0..n {
                        let mut want = if beta == 0.0 { 0.0 } else { 2.0f64 };
                        for (t, &o) in offsets.iter().enumerate() {
                            for cc in 0..ch {
                                let bv = data[o + cc * stride + j] as f64;
                                want += a[[i, t * ch + cc]] as f64 * bv;
                            }
                        }
                        let got = c[i * n + j] as f64;
                        assert!(
                            (got - want).abs() <= 1e-3 * want.abs().max(1.0),
                            "{m}x{n}, {taps} taps of {ch}: [{i}, {j}] {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
