//! Convolution geometry and the im2col / col2im transforms that turn a convolution into a GEMM.
//!
//! For one image `[C, H, W]`, im2col writes a matrix `[C·kh·kw, oh·ow]` whose row
//! `(c·kh + i)·kw + j` holds, for every output position, the input pixel under kernel tap
//! `(i, j)` of channel `c` (0 where the tap falls in the padding). col2im is its adjoint: it adds
//! every entry back to the pixel it came from, which is the input gradient of a convolution.

use rayon::prelude::*;

use crate::{Error, Result, Tensor};

/// Kernel size, stride, padding and dilation of a 2-d convolution or pooling window,
/// each as `[height, width]`.
///
/// # Example
/// ```
/// use fovea_tensor::ConvGeometry;
/// let g = ConvGeometry::new([3, 3]).with_stride([2, 2]).with_padding([1, 1]);
/// assert_eq!(g.output_size("conv2d", [28, 28])?, [14, 14]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    /// Window size `[kh, kw]`.
    pub kernel: [usize; 2],
    /// Step between windows `[sh, sw]`; PyTorch's default is 1.
    pub stride: [usize; 2],
    /// Zeros added on each side `[ph, pw]`; PyTorch's default is 0.
    pub padding: [usize; 2],
    /// Spacing between kernel taps `[dh, dw]`; PyTorch's default is 1.
    pub dilation: [usize; 2],
}

impl ConvGeometry {
    /// A window of size `kernel` with stride 1, no padding and dilation 1 (PyTorch's defaults).
    ///
    /// # Example
    /// ```
    /// let g = fovea_tensor::ConvGeometry::new([5, 5]);
    /// assert_eq!(g.stride, [1, 1]);
    /// ```
    pub fn new(kernel: [usize; 2]) -> Self {
        ConvGeometry {
            kernel,
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
        }
    }

    /// Sets the stride.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::ConvGeometry::new([2, 2]).with_stride([2, 2]).stride, [2, 2]);
    /// ```
    pub fn with_stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }

    /// Sets the padding.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::ConvGeometry::new([3, 3]).with_padding([1, 1]).padding, [1, 1]);
    /// ```
    pub fn with_padding(mut self, padding: [usize; 2]) -> Self {
        self.padding = padding;
        self
    }

    /// Sets the dilation.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::ConvGeometry::new([3, 3]).with_dilation([2, 2]).dilation, [2, 2]);
    /// ```
    pub fn with_dilation(mut self, dilation: [usize; 2]) -> Self {
        self.dilation = dilation;
        self
    }

    /// Output size `[oh, ow]` for an input of `[h, w]`:
    /// `o = (i + 2p − d·(k − 1) − 1) / s + 1`, as PyTorch.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `op` when a kernel size, stride or dilation is 0, or the
    /// dilated kernel is larger than the padded input.
    ///
    /// # Example
    /// ```
    /// let g = fovea_tensor::ConvGeometry::new([5, 5]);
    /// assert_eq!(g.output_size("conv2d", [28, 28])?, [24, 24]);
    /// assert!(g.output_size("conv2d", [4, 4]).is_err());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn output_size(&self, op: &str, input: [usize; 2]) -> Result<[usize; 2]> {
        let mut out = [0; 2];
        for d in 0..2 {
            let (k, s, p, dil) = (
                self.kernel[d],
                self.stride[d],
                self.padding[d],
                self.dilation[d],
            );
            if k == 0 || s == 0 || dil == 0 {
                return Err(Error::invalid_argument(
                    op,
                    format!(
                        "kernel {:?}, stride {:?} and dilation {:?} must be positive",
                        self.kernel, self.stride, self.dilation
                    ),
                ));
            }
            let span = dil * (k - 1) + 1;
            let padded = input[d] + 2 * p;
            if span > padded {
                return Err(Error::invalid_argument(
                    op,
                    format!(
                        "kernel {:?} (dilation {:?}) is larger than the padded input {:?} (padding {:?})",
                        self.kernel, self.dilation, input, self.padding
                    ),
                ));
            }
            out[d] = (padded - span) / s + 1;
        }
        Ok(out)
    }

    /// The range of output positions `o` along one axis for which tap `t` lands inside the input:
    /// `0 ≤ o·s + t·d − p < len`.
    pub(crate) fn valid_range(
        &self,
        axis: usize,
        tap: usize,
        len: usize,
        out_len: usize,
    ) -> (usize, usize) {
        let (s, p) = (self.stride[axis] as isize, self.padding[axis] as isize);
        let offset = (tap * self.dilation[axis]) as isize - p; // input index at o = 0
        let lo = if offset >= 0 {
            0
        } else {
            ((-offset + s - 1) / s).min(out_len as isize) // a tap may lie wholly in the padding
        };
        let hi = if (len as isize) > offset {
            ((len as isize - offset + s - 1) / s).min(out_len as isize)
        } else {
            0
        };
        (lo as usize, (hi.max(lo)) as usize)
    }
}

/// im2col for one image: `src` is `[channels, h, w]` row-major, `dst` is
/// `[channels·kh·kw, oh·ow]` and is fully overwritten.
///
/// # Panics
/// When a slice length does not match the geometry (an internal invariant of the callers).
///
/// # Example
/// ```
/// use fovea_tensor::{ConvGeometry, im2col_image};
/// let src = [1.0, 2.0, 3.0, 4.0]; // one 2x2 channel
/// let g = ConvGeometry::new([1, 1]);
/// let mut dst = [0.0; 4];
/// im2col_image(&src, 1, [2, 2], &g, [2, 2], &mut dst);
/// assert_eq!(dst, src);
/// ```
pub fn im2col_image(
    src: &[f32],
    channels: usize,
    input: [usize; 2],
    g: &ConvGeometry,
    output: [usize; 2],
    dst: &mut [f32],
) {
    im2col_rows(src, channels, input, g, output, dst, output[0] * output[1]);
}

/// [`im2col_image`] into rows `stride` values apart (`stride ≥ oh·ow`); the values between
/// rows are left as they are. A GEMM reading the matrix in place ([`crate::RowMajorB`]) wants
/// a stride that is not a multiple of 1024, which [`im2col_stride`] picks.
///
/// # Panics
/// When a slice length does not match the geometry.
///
/// # Example
/// ```
/// use fovea_tensor::{ConvGeometry, im2col_rows};
/// let g = ConvGeometry::new([1, 1]);
/// let mut dst = [9.0; 6];
/// im2col_rows(&[1.0, 2.0, 3.0, 4.0], 2, [1, 2], &g, [1, 2], &mut dst, 3);
/// assert_eq!(dst, [1.0, 2.0, 9.0, 3.0, 4.0, 9.0]);
/// ```
pub fn im2col_rows(
    src: &[f32],
    channels: usize,
    input: [usize; 2],
    g: &ConvGeometry,
    output: [usize; 2],
    dst: &mut [f32],
    stride: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: AVX-512F was detected.
        return unsafe { wide::im2col_rows(src, channels, input, g, output, dst, stride) };
    }
    im2col_rows_body(src, channels, input, g, output, dst, stride)
}

/// im2col and col2im compiled with AVX-512 enabled: the crate targets baseline x86-64, where
/// the fixed-size moves of [`copy_short`] and col2im's additions are 4-lane SSE. W4's first layer (27-value runs):
/// forward 1 thread 10.6 → 9.3 ms.
#[cfg(target_arch = "x86_64")]
pub(crate) mod wide {
    use crate::ConvGeometry;

    /// # Safety
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn im2col_rows(
        src: &[f32],
        channels: usize,
        input: [usize; 2],
        g: &ConvGeometry,
        output: [usize; 2],
        dst: &mut [f32],
        stride: usize,
    ) {
        super::im2col_rows_body(src, channels, input, g, output, dst, stride)
    }

    /// # Safety
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn col2im_image(
        cols: &[f32],
        channels: usize,
        input: [usize; 2],
        g: &ConvGeometry,
        output: [usize; 2],
        dst: &mut [f32],
    ) {
        if g.stride[1] == 1 && input[1] <= 16 {
            // SAFETY: AVX-512F is enabled in this function.
            return unsafe { col2im_narrow(cols, channels, input, g, output, dst) };
        }
        super::col2im_image_body(cols, channels, input, g, output, dst)
    }

    /// col2im for maps at most 16 wide with a horizontal stride of 1, one input row per
    /// vector: the row is loaded once, each kernel column's run is added to it through a
    /// masked load shifted by that column's offset, and it is stored once. The generic loop
    /// adds runs shorter than 16 values one value at a time (W4's 5×5 layer on 13×13 maps:
    /// 69 → 30 µs per image; 128 channels of 6×6: 30 → 17 µs). On wider maps the generic
    /// loop wins (32×32: 51 µs against 60 µs for this one vector per 16 columns). Each input
    /// value sums its taps in the same order either way, so the results are the same bits.
    /// `cols` and `dst` have the lengths [`super::col2im_image`] checks.
    ///
    /// # Safety
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    unsafe fn col2im_narrow(
        cols: &[f32],
        channels: usize,
        input: [usize; 2],
        g: &ConvGeometry,
        output: [usize; 2],
        dst: &mut [f32],
    ) {
        use std::arch::x86_64::*;
        let [h, w] = input;
        let [oh, ow] = output;
        let [kh, kw] = g.kernel;
        let l = oh * ow;
        assert!(w <= 16, "col2im: a row fits one vector");
        let lanes = |from: usize, to: usize| ((1u32 << to) - (1u32 << from)) as __mmask16;
        // Per kernel column: its lanes (the input columns its valid outputs reach) and how far
        // its output columns are shifted from them: input column x = output column + shift.
        let (dil, pad) = (g.dilation[1], g.padding[1]);
        let columns: Vec<(__mmask16, isize)> = (0..kw)
            .map(|j| {
                let (x_lo, x_hi) = g.valid_range(1, j, w, ow);
                let shift = (j * dil) as isize - pad as isize;
                let (lo, hi) = (x_lo as isize + shift, x_hi as isize + shift);
                let mask = if x_lo < x_hi {
                    lanes(lo as usize, hi as usize)
                } else {
                    0
                };
                (mask, shift)
            })
            .collect();
        let row_mask = lanes(0, w);
        for c in 0..channels {
            let plane = &mut dst[c * h * w..][..h * w];
            for i in 0..kh {
                let (y_lo, y_hi) = g.valid_range(0, i, h, oh);
                let taps = &cols[(c * kh + i) * kw * l..][..kw * l];
                for oy in y_lo..y_hi {
                    let iy = oy * g.stride[0] + i * g.dilation[0] - g.padding[0];
                    let line = plane[iy * w..][..w].as_mut_ptr();
                    // SAFETY: the mask keeps the load and the store inside the row's w values.
                    let mut acc = unsafe { _mm512_maskz_loadu_ps(row_mask, line) };
                    for (j, &(mask, shift)) in columns.iter().enumerate() {
                        // Lane x reads output column x − shift of this tap's row oy; lanes
                        // outside the mask are never read, so the pointer may lie before it.
                        let src = taps[j * l + oy * ow..].as_ptr().wrapping_offset(-shift);
                        // SAFETY: the unmasked lanes are the valid outputs of row oy.
                        let v = unsafe { _mm512_maskz_loadu_ps(mask, src) };
                        acc = _mm512_add_ps(acc, v);
                    }
                    // SAFETY: as the load above.
                    unsafe { _mm512_mask_storeu_ps(line, row_mask, acc) };
                }
            }
        }
    }
}

#[inline(always)]
fn im2col_rows_body(
    src: &[f32],
    channels: usize,
    input: [usize; 2],
    g: &ConvGeometry,
    output: [usize; 2],
    dst: &mut [f32],
    stride: usize,
) {
    let [h, w] = input;
    let [oh, ow] = output;
    let [kh, kw] = g.kernel;
    let rows_total = channels * kh * kw;
    assert_eq!(src.len(), channels * h * w, "im2col: source length");
    assert!(
        stride >= oh * ow && dst.len() >= rows_total.saturating_sub(1) * stride + oh * ow,
        "im2col: destination length"
    );
    let mut rows = dst.chunks_mut(stride).map(|r| &mut r[..oh * ow]);
    // Valid output ranges per tap, the same for every channel.
    let ys: Vec<_> = (0..kh).map(|i| g.valid_range(0, i, h, oh)).collect();
    let xs: Vec<_> = (0..kw).map(|j| g.valid_range(1, j, w, ow)).collect();
    // With a horizontal stride s, every input row is first split into its s phases (columns
    // q, q + s, q + 2s, ...): the taps of one output row are then a contiguous run of one phase,
    // copied like the stride-1 case instead of gathered one value at a time.
    let sw = g.stride[1];
    let phase_len = w.div_ceil(sw);
    let phases: Vec<f32> = if sw > 1 {
        let mut p = vec![0.0; channels * h * sw * phase_len];
        for (line, out) in src.chunks_exact(w).zip(p.chunks_exact_mut(sw * phase_len)) {
            // Phase by phase: no division per value (it was a third of this function's time).
            for (q, phase) in out.chunks_exact_mut(phase_len).enumerate() {
                for (d, &v) in phase.iter_mut().zip(line.iter().skip(q).step_by(sw)) {
                    *d = v;
                }
            }
        }
        p
    } else {
        Vec::new()
    };
    for c in 0..channels {
        let plane = &src[c * h * w..(c + 1) * h * w];
        for (i, &(y_lo, y_hi)) in ys.iter().enumerate() {
            for (j, &(x_lo, x_hi)) in xs.iter().enumerate() {
                let row = rows.next().expect("internal: row count");
                if g.stride == [1, 1] && w == ow {
                    same_width_row(plane, w, [y_lo, y_hi], [x_lo, x_hi], [i, j], g, row);
                    continue;
                }
                for oy in 0..oh {
                    let out = &mut row[oy * ow..(oy + 1) * ow];
                    if oy < y_lo || oy >= y_hi || x_lo == x_hi {
                        zero_short(out); // above/below the image, or a tap wholly in the padding
                        continue;
                    }
                    let iy = oy * g.stride[0] + i * g.dilation[0] - g.padding[0];
                    let line = &plane[iy * w..(iy + 1) * w];
                    zero_short(&mut out[..x_lo]);
                    zero_short(&mut out[x_hi..]);
                    let x0 = x_lo * g.stride[1] + j * g.dilation[1] - g.padding[1];
                    if g.stride[1] == 1 {
                        copy_short(&mut out[x_lo..x_hi], &line[x0..x0 + (x_hi - x_lo)]);
                    } else {
                        let phase = &phases[((c * h + iy) * sw + x0 % sw) * phase_len..];
                        let start = x0 / sw;
                        copy_short(&mut out[x_lo..x_hi], &phase[start..start + (x_hi - x_lo)]);
                    }
                }
            }
        }
    }
}

/// Copies a short run (an image row: tens of values) with fixed-size moves that the compiler
/// inlines; `copy_from_slice` would call `memcpy`, whose call costs as much as the copy here.
/// The last chunk overlaps the previous one instead of looping over a remainder.
#[inline(always)]
pub(crate) fn copy_short(dst: &mut [f32], src: &[f32]) {
    fn chunk<const K: usize>(dst: &mut [f32], src: &[f32], at: usize) {
        let d: &mut [f32; K] = (&mut dst[at..at + K]).try_into().expect("K values");
        let s: &[f32; K] = (&src[at..at + K]).try_into().expect("K values");
        *d = *s;
    }
    let n = dst.len();
    let src = &src[..n];
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            chunk::<8>(dst, src, i);
            i += 8;
        }
        chunk::<8>(dst, src, n - 8);
    } else if n >= 4 {
        chunk::<4>(dst, src, 0);
        chunk::<4>(dst, src, n - 4);
    } else {
        for (d, &s) in dst.iter_mut().zip(src).take(3) {
            *d = s;
        }
    }
}

/// Zeroes a short run, as [`copy_short`] copies one.
#[inline(always)]
pub(crate) fn zero_short(dst: &mut [f32]) {
    fn chunk<const K: usize>(dst: &mut [f32], at: usize) {
        let d: &mut [f32; K] = (&mut dst[at..at + K]).try_into().expect("K values");
        *d = [0.0; K];
    }
    let n = dst.len();
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            chunk::<8>(dst, i);
            i += 8;
        }
        chunk::<8>(dst, n - 8);
    } else if n >= 4 {
        chunk::<4>(dst, 0);
        chunk::<4>(dst, n - 4);
    } else {
        for x in dst.iter_mut().take(3) {
            *x = 0.0;
        }
    }
}

/// One im2col row (kernel tap `[i, j]` of one channel) when the output is as wide as the input
/// (stride 1, "same" padding across): consecutive output rows then read consecutive input rows,
/// so the whole row is one contiguous copy, after which the few positions whose tap lies in the
/// horizontal padding are zeroed. Per output row copies would cost a `memcpy` call per 30 values.
#[inline(always)]
fn same_width_row(
    plane: &[f32],
    w: usize,
    [y_lo, y_hi]: [usize; 2],
    [x_lo, x_hi]: [usize; 2],
    [i, j]: [usize; 2],
    g: &ConvGeometry,
    row: &mut [f32],
) {
    if y_lo >= y_hi || x_lo >= x_hi {
        row.fill(0.0);
        return;
    }
    row[..y_lo * w].fill(0.0);
    row[y_hi * w..].fill(0.0);
    // Position p = oy·w + ox reads plane[p + offset], offset = (i·dh − ph)·w + j·dw − pw; every
    // position from the first valid one to the last valid one reads inside the plane.
    let (first, last) = (y_lo * w + x_lo, (y_hi - 1) * w + x_hi);
    let src_first =
        (y_lo + i * g.dilation[0] - g.padding[0]) * w + x_lo + j * g.dilation[1] - g.padding[1];
    row[first..last].copy_from_slice(&plane[src_first..src_first + (last - first)]);
    for oy in y_lo..y_hi {
        let (left, rest) = row[oy * w..(oy + 1) * w].split_at_mut(x_lo);
        for x in left.iter_mut().chain(rest[x_hi - x_lo..].iter_mut()) {
            *x = 0.0;
        }
    }
}

/// A row stride for an im2col matrix of `positions` columns that a GEMM reads in place: a
/// multiple of 16 (whole cache lines) that is not a multiple of 1024 (rows 4 KiB apart alias in
/// L1).
///
/// # Example
/// ```
/// assert_eq!(fovea_tensor::im2col_stride(1024), 1040);
/// assert_eq!(fovea_tensor::im2col_stride(100), 112);
/// ```
pub fn im2col_stride(positions: usize) -> usize {
    let stride = positions.next_multiple_of(16);
    if stride.is_multiple_of(1024) {
        stride + 16
    } else {
        stride
    }
}

/// col2im for one image, the adjoint of [`im2col_image`]: adds every entry of `cols`
/// (`[channels·kh·kw, oh·ow]`) into the pixel of `dst` (`[channels, h, w]`) it was taken from.
/// `dst` is accumulated into, not overwritten.
///
/// # Panics
/// When a slice length does not match the geometry.
///
/// # Example
/// ```
/// use fovea_tensor::{ConvGeometry, col2im_image};
/// // A 2x2 kernel over a 2x2 image with padding 1: every pixel is seen by 4 taps.
/// let g = ConvGeometry::new([2, 2]).with_padding([1, 1]);
/// let cols = vec![1.0; 4 * 9];
/// let mut img = [0.0; 4];
/// col2im_image(&cols, 1, [2, 2], &g, [3, 3], &mut img);
/// assert_eq!(img, [4.0; 4]);
/// ```
pub fn col2im_image(
    cols: &[f32],
    channels: usize,
    input: [usize; 2],
    g: &ConvGeometry,
    output: [usize; 2],
    dst: &mut [f32],
) {
    let ([h, w], [oh, ow], [kh, kw]) = (input, output, g.kernel);
    assert_eq!(dst.len(), channels * h * w, "col2im: destination length");
    assert_eq!(
        cols.len(),
        channels * kh * kw * oh * ow,
        "col2im: source length"
    );
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: AVX-512F was detected.
        return unsafe { wide::col2im_image(cols, channels, input, g, output, dst) };
    }
    col2im_image_body(cols, channels, input, g, output, dst)
}

#[inline(always)]
fn col2im_image_body(
    cols: &[f32],
    channels: usize,
    input: [usize; 2],
    g: &ConvGeometry,
    output: [usize; 2],
    dst: &mut [f32],
) {
    let [h, w] = input;
    let [oh, ow] = output;
    let [kh, kw] = g.kernel;
    let mut rows = cols.chunks_exact(oh * ow);
    for c in 0..channels {
        let plane = &mut dst[c * h * w..(c + 1) * h * w];
        for i in 0..kh {
            let (y_lo, y_hi) = g.valid_range(0, i, h, oh);
            for j in 0..kw {
                let (x_lo, x_hi) = g.valid_range(1, j, w, ow);
                let row = rows.next().expect("internal: row count");
                for oy in y_lo..y_hi {
                    let iy = oy * g.stride[0] + i * g.dilation[0] - g.padding[0];
                    let line = &mut plane[iy * w..(iy + 1) * w];
                    if x_lo == x_hi {
                        continue;
                    }
                    let x0 = x_lo * g.stride[1] + j * g.dilation[1] - g.padding[1];
                    let src = &row[oy * ow + x_lo..oy * ow + x_hi];
                    if g.stride[1] == 1 {
                        // A contiguous run: vectorised (the strided loop below is not).
                        let dst = &mut line[x0..x0 + src.len()];
                        dst.iter_mut().zip(src).for_each(|(d, &v)| *d += v);
                    } else {
                        for (k, &v) in src.iter().enumerate() {
                            line[x0 + k * g.stride[1]] += v;
                        }
                    }
                }
            }
        }
    }
}

/// Checks a `[N, C, H, W]` shape and returns its parts.
fn nchw(op: &str, shape: &[usize]) -> Result<[usize; 4]> {
    match *shape {
        [n, c, h, w] => Ok([n, c, h, w]),
        _ => Err(Error::invalid_shape(
            op,
            "expected 4 axes [N, C, H, W]",
            shape,
        )),
    }
}

impl Tensor {
    /// Unfolds every image of a `[N, C, H, W]` batch into `[N, C·kh·kw, oh·ow]` (see the module
    /// docs for the row order). Images are processed in parallel.
    ///
    /// PyTorch equivalent: `torch.nn.functional.unfold(x, kernel, dilation, padding, stride)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] unless the input has 4 axes; the errors of
    /// [`ConvGeometry::output_size`].
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::{ConvGeometry, Tensor};
    /// let x = Tensor::ones(&[2, 3, 5, 5]);
    /// let cols = x.im2col(&ConvGeometry::new([3, 3]))?;
    /// assert_eq!(cols.shape(), &[2, 27, 9]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn im2col(&self, g: &ConvGeometry) -> Result<Tensor> {
        let [n, c, h, w] = nchw("im2col", self.shape())?;
        let [oh, ow] = g.output_size("im2col", [h, w])?;
        let rows = c * g.kernel[0] * g.kernel[1];
        let src = self.contiguous_data();
        let mut out = vec![0.0; n * rows * oh * ow];
        if !out.is_empty() {
            out.par_chunks_mut(rows * oh * ow)
                .zip(src.par_chunks(c * h * w))
                .for_each(|(dst, img)| im2col_image(img, c, [h, w], g, [oh, ow], dst));
        }
        Tensor::from_vec(out, &[n, rows, oh * ow])
    }

    /// Folds `[N, C·kh·kw, oh·ow]` columns back into `[N, C, H, W]` images, summing entries that
    /// map to the same pixel: the adjoint of [`Tensor::im2col`].
    ///
    /// PyTorch equivalent: `torch.nn.functional.fold(cols, (H, W), kernel, dilation, padding, stride)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when `self` is not `[N, C·kh·kw, oh·ow]` for `image = [C, H, W]`.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::{ConvGeometry, Tensor};
    /// let g = ConvGeometry::new([3, 3]);
    /// let cols = Tensor::ones(&[1, 9, 9]);
    /// let img = cols.col2im(&g, [1, 5, 5])?;
    /// assert_eq!(img.to_vec()[12], 9.0); // the centre pixel is seen by all 9 taps
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn col2im(&self, g: &ConvGeometry, image: [usize; 3]) -> Result<Tensor> {
        let [c, h, w] = image;
        let [oh, ow] = g.output_size("col2im", [h, w])?;
        let rows = c * g.kernel[0] * g.kernel[1];
        let n = match *self.shape() {
            [n, r, l] if r == rows && l == oh * ow => n,
            _ => {
                return Err(Error::invalid_shape(
                    "col2im",
                    format!("expected [N, {rows}, {}] for image {image:?}", oh * ow),
                    self.shape(),
                ));
            }
        };
        let cols = self.contiguous_data();
        let mut out = vec![0.0; n * c * h * w];
        if !out.is_empty() {
            out.par_chunks_mut(c * h * w)
                .zip(cols.par_chunks(rows * oh * ow))
                .for_each(|(dst, col)| col2im_image(col, c, [h, w], g, [oh, ow], dst));
        }
        Tensor::from_vec(out, &[n, c, h, w])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The col2im the CPU runs (the narrow-map AVX-512 loop where it applies) gives the same
    /// bits as the generic loop, on maps up to 16 wide and geometries at its edges.
    #[test]
    fn col2im_paths_agree() {
        // (channels, [h, w], kernel, stride, padding, dilation)
        let cases = [
            (3, [13, 13], [5, 5], [1, 1], [2, 2], [1, 1]),
            (2, [16, 16], [3, 3], [1, 1], [1, 1], [1, 1]),
            (2, [7, 1], [3, 1], [1, 1], [1, 0], [1, 1]),
            (2, [9, 11], [3, 3], [2, 1], [1, 1], [2, 2]),
            (1, [6, 5], [3, 7], [1, 1], [3, 4], [1, 1]),
            (4, [6, 6], [3, 3], [1, 1], [0, 0], [1, 1]),
            (2, [10, 12], [2, 4], [1, 1], [0, 3], [1, 3]),
        ];
        for (c, input, kernel, stride, padding, dilation) in cases {
            let g = ConvGeometry {
                kernel,
                stride,
                padding,
                dilation,
            };
            let out = g.output_size("test", input).expect("valid geometry");
            let n = c * kernel[0] * kernel[1] * out[0] * out[1];
            let cols: Vec<f32> = (0..n)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.013)
                .collect();
            let start: Vec<f32> = (0..c * input[0] * input[1])
                .map(|i| i as f32 * 0.5)
                .collect();
            let (mut fast, mut plain) = (start.clone(), start);
            col2im_image(&cols, c, input, &g, out, &mut fast);
            col2im_image_body(&cols, c, input, &g, out, &mut plain);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&fast),
                bits(&plain),
                "{input:?} {kernel:?} {stride:?} {padding:?} {dilation:?}"
            );
        }
    }
}
