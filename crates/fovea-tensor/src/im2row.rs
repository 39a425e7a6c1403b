//! im2row: the transpose of im2col, one row per output position holding its receptive field.
//!
//! A convolution's weight gradient is `dW = dy · im2colᵀ` (positions are the shared axis). With
//! the receptive fields as rows, `im2colᵀ` is a row-major matrix that the GEMM kernel reads in
//! place, so dW becomes an ordinary product instead of a dot-product kernel or a transposing
//! pack (1.3–1.6× faster on the shapes of W3 and W4).
//!
//! The rows are built from a channels-last copy of the image ([`channels_last`]) and ordered
//! `(tap i, tap j, channel)`: each tap is then one contiguous run of channels, and with one
//! group and no dilation a whole kernel row (`kw` taps) is one run. A gradient computed on these
//! rows comes out as `[O, kh, kw, C]`; the caller permutes it to `[O, C, kh, kw]`.

use std::ops::Range;

use crate::ConvGeometry;
use crate::im2col::{copy_short, zero_short};

/// Copies one image from `[channels, plane]` (planar) to `[plane, channels]` (channels last).
///
/// # Panics
/// When `image` or `dst` does not hold `channels·plane` values.
///
/// # Example
/// ```
/// let mut dst = [0.0; 6];
/// fovea_tensor::channels_last(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3, &mut dst);
/// assert_eq!(dst, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
/// ```
pub fn channels_last(image: &[f32], channels: usize, plane: usize, dst: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: AVX-512F was detected.
        return unsafe { wide::channels_last(image, channels, plane, dst) };
    }
    channels_last_body(image, channels, plane, dst)
}

#[inline(always)]
fn channels_last_body(image: &[f32], channels: usize, plane: usize, dst: &mut [f32]) {
    assert!(
        image.len() == channels * plane && dst.len() == channels * plane,
        "channels_last: {} and {} values for {channels} channels of {plane}",
        image.len(),
        dst.len()
    );
    // Blocks of 16 pixels: the 16 source runs and the block of destination rows stay in L1.
    const BLOCK: usize = 16;
    for p0 in (0..plane).step_by(BLOCK) {
        let p1 = (p0 + BLOCK).min(plane);
        for (c, src) in image.chunks_exact(plane).enumerate() {
            for (p, &v) in (p0..p1).zip(&src[p0..p1]) {
                dst[p * channels + c] = v;
            }
        }
    }
}

/// The im2row matrix of one image: row `oy·ow + ox` (at `stride` values apart) holds the
/// receptive field of output position `(oy, ox)` for the channels in `group`, in the order
/// `(i, j, c)`: `kh·kw·group.len()` values, 0 where a tap falls in the padding.
///
/// `src` is the image channels last (`[h, w, channels]`, see [`channels_last`]).
///
/// # Panics
/// When a slice is too short for the geometry or `stride` is shorter than a row.
///
/// # Example
/// ```
/// use fovea_tensor::{ConvGeometry, im2row};
/// // A 1×3 image with 2 channels (channels last), a 1×2 kernel: 2 positions of 4 values.
/// let src = [1.0, 10.0, 2.0, 20.0, 3.0, 30.0];
/// let mut dst = [0.0; 8];
/// im2row(&src, 2, 0..2, [1, 3], &ConvGeometry::new([1, 2]), [1, 2], &mut dst, 4);
/// assert_eq!(dst, [1.0, 10.0, 2.0, 20.0, 2.0, 20.0, 3.0, 30.0]);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn im2row(
    src: &[f32],
    channels: usize,
    group: Range<usize>,
    input: [usize; 2],
    g: &ConvGeometry,
    output: [usize; 2],
    dst: &mut [f32],
    stride: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: AVX-512F was detected.
        return unsafe { wide::im2row(src, channels, group, input, g, output, dst, stride) };
    }
    im2row_body(src, channels, group, input, g, output, dst, stride)
}

/// [`im2row`] and [`channels_last`] compiled with AVX-512 enabled (see `im2col::wide`).
#[cfg(target_arch = "x86_64")]
mod wide {
    use std::ops::Range;

    use crate::ConvGeometry;

    /// # Safety
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn im2row(
        src: &[f32],
        channels: usize,
        group: Range<usize>,
        input: [usize; 2],
        g: &ConvGeometry,
        output: [usize; 2],
        dst: &mut [f32],
        stride: usize,
    ) {
        super::im2row_body(src, channels, group, input, g, output, dst, stride)
    }

    /// # Safety
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn channels_last(
        image: &[f32],
        channels: usize,
        plane: usize,
        dst: &mut [f32],
    ) {
        super::channels_last_body(image, channels, plane, dst)
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn im2row_body(
    src: &[f32],
    channels: usize,
    group: Range<usize>,
    input: [usize; 2],
    g: &ConvGeometry,
    output: [usize; 2],
    dst: &mut [f32],
    stride: usize,
) {
    let ([h, w], [oh, ow], [kh, kw]) = (input, output, g.kernel);
    let (c0, cg) = (group.start, group.len());
    let row_len = kh * kw * cg;
    let positions = oh * ow;
    assert!(
        src.len() == h * w * channels && group.end <= channels,
        "im2row: {} source values for [{h}, {w}, {channels}], group {group:?}",
        src.len()
    );
    assert!(
        stride >= row_len && (positions == 0 || dst.len() >= (positions - 1) * stride + row_len),
        "im2row: {} values cannot hold {positions} rows of {row_len} at stride {stride}",
        dst.len()
    );
    let ys: Vec<_> = (0..kh).map(|i| g.valid_range(0, i, h, oh)).collect();
    let xs: Vec<_> = (0..kw).map(|j| g.valid_range(1, j, w, ow)).collect();
    // With all channels and adjacent taps, a kernel row reads kw neighbouring pixels: one run.
    let whole_rows = cg == channels && g.dilation[1] == 1;
    let pixel = |iy: usize, ix: usize| (iy * w + ix) * channels + c0;
    for oy in 0..oh {
        for ox in 0..ow {
            let row = &mut dst[(oy * ow + ox) * stride..][..row_len];
            for (i, &(y_lo, y_hi)) in ys.iter().enumerate() {
                let taps = &mut row[i * kw * cg..(i + 1) * kw * cg];
                if oy < y_lo || oy >= y_hi {
                    zero_short(taps);
                    continue;
                }
                let iy = oy * g.stride[0] + i * g.dilation[0] - g.padding[0];
                let ix0 = (ox * g.stride[1]) as isize - g.padding[1] as isize;
                let inside = |j: usize| xs[j].0 <= ox && ox < xs[j].1;
                if whole_rows && inside(0) && inside(kw - 1) {
                    copy_run(taps, &src[pixel(iy, ix0 as usize)..][..kw * cg]);
                    continue;
                }
                for (j, tap) in taps.chunks_exact_mut(cg).enumerate() {
                    if inside(j) {
                        let ix = (ix0 + (j * g.dilation[1]) as isize) as usize;
                        copy_run(tap, &src[pixel(iy, ix)..][..cg]);
                    } else {
                        zero_short(tap);
                    }
                }
            }
        }
    }
}

/// Copies a run: inline moves when short, `memcpy` (wide vector moves) when long. W4's layers
/// copy runs of 33 to 384 values.
#[inline(always)]
fn copy_run(dst: &mut [f32], src: &[f32]) {
    if dst.len() >= 64 {
        dst.copy_from_slice(src);
    } else {
        copy_short(dst, src);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::im2col_rows;

    /// im2row is im2col transposed, with rows reordered from (c, i, j) to (i, j, c), for every
    /// kind of geometry and for a group of channels.
    #[test]
    fn is_im2col_transposed() {
        let geometries = [
            ConvGeometry::new([3, 3]).with_padding([1, 1]),
            ConvGeometry::new([5, 5]).with_padding([2, 2]),
            ConvGeometry::new([3, 2])
                .with_stride([2, 3])
                .with_padding([2, 1]),
            ConvGeometry::new([3, 3])
                .with_dilation([2, 2])
                .with_padding([1, 3]),
            ConvGeometry::new([2, 2]),
        ];
        let (c, h, w) = (5, 7, 6);
        let image: Vec<f32> = (0..c * h * w).map(|v| v as f32 + 1.0).collect();
        let mut hwc = vec![0.0; c * h * w];
        channels_last(&image, c, h * w, &mut hwc);
        for g in geometries {
            let [oh, ow] = g.output_size("test", [h, w]).unwrap();
            let [kh, kw] = g.kernel;
            for group in [0..c, 1..4] {
                let cg = group.len();
                let l = oh * ow;
                let mut cols = vec![f32::NAN; cg * kh * kw * l];
                let planes = &image[group.start * h * w..group.end * h * w];
                im2col_rows(planes, cg, [h, w], &g, [oh, ow], &mut cols, l);
                let stride = kh * kw * cg + 3;
                let mut rows = vec![f32::NAN; l * stride];
                im2row(
                    &hwc,
                    c,
                    group.clone(),
                    [h, w],
                    &g,
                    [oh, ow],
                    &mut rows,
                    stride,
                );
                for p in 0..l {
                    for ch in 0..cg {
                        for t in 0..kh * kw {
                            let want = cols[(ch * kh * kw + t) * l + p];
                            let got = rows[p * stride + t * cg + ch];
                            assert_eq!(got, want, "{g:?} group {group:?} p {p} c {ch} tap {t}");
                        }
                    }
                }
            }
        }
    }
}
