//! RoIAlign (Mask R-CNN): average of bilinear samples per bin, forward and backward side by side.
//!
//! Shapes: features `[N, C, H, W]`, boxes `[K, 5]` (batch index, x1, y1, x2, y2), output
//! `[K, C, ph, pw]`. The sampling points and their four bilinear weights depend only on the box,
//! not on the channel, so they are computed once per RoI ([`RoiSamples`]), used by the forward
//! pass for every channel and kept for the backward pass. Everything is computed in f32 in the
//! order of torchvision's CPU kernel, so the forward pass agrees with it to the bit.
//!
//! - forward: `y[k, c, i, j] = (1/count) Σ_samples Σ_corners w · x[batch(k), c, corner]`
//! - backward: `dx[batch(k), c, corner] += dy[k, c, i, j] · (w / count)` for every sample of the
//!   bin. torchvision computes `(dy · w) / count`; with `w / count` precomputed per RoI the
//!   backward does no division per channel (which cost ~30% of its time), at the price of at most
//!   one ulp per term when count is not a power of two.
//!
//! The forward pass is parallel over RoIs, the backward pass over blocks of (image, channel)
//! planes, so RoIs that share a plane are summed by one task, in RoI order (no atomics, same
//! result on every run).

use fovea_autograd::{Op, Var};
use fovea_tensor::{Error, Result, Tensor};
use rayon::prelude::*;

use super::roi_pool::{RoiBox, RoiInputs, check_output_size, check_spatial_scale};

/// Output size, scale, sampling grid and pixel model of [`roi_align`]; the defaults of
/// [`RoiAlignOptions::new`] are torchvision's (`sampling_ratio = -1`, `aligned = false`).
///
/// PyTorch equivalent: the arguments of `torchvision.ops.roi_align`.
///
/// # Example
/// ```
/// use fovea_layers::functional::RoiAlignOptions;
/// let o = RoiAlignOptions::new([7, 7], 1.0 / 16.0).with_sampling_ratio(2).with_aligned(true);
/// assert_eq!((o.sampling_ratio, o.aligned), (2, true));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoiAlignOptions {
    /// Bins per RoI `[ph, pw]`.
    pub output_size: [usize; 2],
    /// Factor from image coordinates (the boxes) to feature-map coordinates.
    pub spatial_scale: f32,
    /// Sampling points per bin along each axis; ≤ 0 means adaptive: `ceil(roi_size / pooled)`
    /// along that axis (torchvision's convention, hence a signed integer).
    pub sampling_ratio: i32,
    /// `true`: a pixel's centre is at +0.5, so boxes are shifted by −0.5 cell after scaling
    /// (Detectron2's correct alignment). `false`: the original Mask R-CNN convention, where a box
    /// is at least 1 × 1 cell.
    pub aligned: bool,
}

impl RoiAlignOptions {
    /// `output_size` bins per RoI, boxes scaled by `spatial_scale`, adaptive sampling, not
    /// aligned (torchvision's defaults).
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiAlignOptions::new([2, 2], 0.5);
    /// assert_eq!((o.sampling_ratio, o.aligned), (-1, false));
    /// ```
    pub fn new(output_size: [usize; 2], spatial_scale: f32) -> Self {
        RoiAlignOptions {
            output_size,
            spatial_scale,
            sampling_ratio: -1,
            aligned: false,
        }
    }

    /// Sets the output size `[ph, pw]`.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiAlignOptions::new([7, 7], 1.0).with_output_size([14, 14]);
    /// assert_eq!(o.output_size, [14, 14]);
    /// ```
    pub fn with_output_size(mut self, output_size: [usize; 2]) -> Self {
        self.output_size = output_size;
        self
    }

    /// Sets the spatial scale.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiAlignOptions::new([7, 7], 1.0).with_spatial_scale(0.125);
    /// assert_eq!(o.spatial_scale, 0.125);
    /// ```
    pub fn with_spatial_scale(mut self, spatial_scale: f32) -> Self {
        self.spatial_scale = spatial_scale;
        self
    }

    /// Sets the sampling ratio (≤ 0: adaptive).
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiAlignOptions::new([7, 7], 1.0).with_sampling_ratio(0);
    /// assert_eq!(o.sampling_ratio, 0);
    /// ```
    pub fn with_sampling_ratio(mut self, sampling_ratio: i32) -> Self {
        self.sampling_ratio = sampling_ratio;
        self
    }

    /// Sets whether boxes are shifted by −0.5 cell (pixel centres at +0.5).
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiAlignOptions::new([7, 7], 1.0).with_aligned(true);
    /// assert!(o.aligned);
    /// ```
    pub fn with_aligned(mut self, aligned: bool) -> Self {
        self.aligned = aligned;
        self
    }

    /// Rejects a zero output size and a scale that is not positive and finite.
    pub(crate) fn validate(&self, op: &str) -> Result<()> {
        check_output_size(op, self.output_size)?;
        check_spatial_scale(op, self.spatial_scale)
    }
}

/// At most this many sampling points per RoI. Only an absurd box (far larger than any feature
/// map, with adaptive sampling) reaches it; refusing it beats allocating without bound.
const MAX_SAMPLES_PER_ROI: usize = 1 << 26;

/// One bilinear sample: four cells of the plane and their weights. `inside` is false for a
/// sample more than one cell outside the map, which contributes 0 (its weights are 0).
#[derive(Clone, Copy, Debug)]
struct Sample {
    cells: [u32; 4],
    weights: [f32; 4],
    /// `weights / count`: what the backward pass spreads per unit of output gradient.
    grad_weights: [f32; 4],
    inside: bool,
}

const OUTSIDE: Sample = Sample {
    cells: [0; 4],
    weights: [0.0; 4],
    grad_weights: [0.0; 4],
    inside: false,
};

/// The sampling points of one RoI: `per_bin` consecutive samples for each bin, row-major.
struct RoiSamples {
    samples: Vec<Sample>,
    per_bin: usize,
    /// Divisor of the bin sum: the number of samples per bin (at least 1, so that a bin without
    /// samples outputs 0).
    count: f32,
}

/// One sample at (y, x) in cell coordinates, with torchvision's boundary rules: beyond one cell
/// outside the map it contributes nothing; between −1 and 0 it is clamped to 0; at or past the
/// last cell it is clamped to it (all four corners collapse onto the edge cell).
fn bilinear(mut y: f32, mut x: f32, h: usize, w: usize) -> Sample {
    if y < -1.0 || y > h as f32 || x < -1.0 || x > w as f32 {
        return OUTSIDE;
    }
    y = y.max(0.0);
    x = x.max(0.0);
    // Truncation is the floor here: y, x ≥ 0 (a NaN, from a box at the edge of f32, becomes 0).
    let (mut y_low, mut x_low) = (y as usize, x as usize);
    let y_high = if y_low >= h - 1 {
        y_low = h - 1;
        y = y_low as f32;
        y_low
    } else {
        y_low + 1
    };
    let x_high = if x_low >= w - 1 {
        x_low = w - 1;
        x = x_low as f32;
        x_low
    } else {
        x_low + 1
    };
    let (ly, lx) = (y - y_low as f32, x - x_low as f32);
    let (hy, hx) = (1.0 - ly, 1.0 - lx);
    let cell = |r: usize, c: usize| (r * w + c) as u32;
    Sample {
        cells: [
            cell(y_low, x_low),
            cell(y_low, x_high),
            cell(y_high, x_low),
            cell(y_high, x_high),
        ],
        weights: [hy * hx, hy * lx, ly * hx, ly * lx],
        grad_weights: [0.0; 4], // set once the count is known
        inside: true,
    }
}

impl RoiSamples {
    /// The sampling points of box `b` on an `h × w` map, as torchvision computes them (f32,
    /// same operation order): start = corner·scale − offset, size = end − start (at least 1 when
    /// not aligned), bin = size/pooled, grid = sampling_ratio or ceil(size/pooled) per axis,
    /// sample (iy, ix) of bin (i, j) at start + i·bin + (iy + 0.5)·bin/grid.
    fn new(
        op: &str,
        k: usize,
        b: &RoiBox,
        o: &RoiAlignOptions,
        h: usize,
        w: usize,
    ) -> Result<RoiSamples> {
        let offset = if o.aligned { 0.5 } else { 0.0 };
        let [x1, y1, x2, y2] = b.corners.map(|v| v * o.spatial_scale - offset);
        let (mut roi_h, mut roi_w) = (y2 - y1, x2 - x1);
        if !o.aligned {
            // The original RoIAlign forces malformed RoIs to 1 × 1.
            roi_h = roi_h.max(1.0);
            roi_w = roi_w.max(1.0);
        }
        let [ph, pw] = o.output_size;
        let (bin_h, bin_w) = (roi_h / ph as f32, roi_w / pw as f32);
        // An adaptive grid of a reversed (aligned) box is ≤ 0: no samples, output 0.
        let grid = |bin: f32| {
            if o.sampling_ratio > 0 {
                o.sampling_ratio as usize
            } else {
                bin.ceil().max(0.0) as usize
            }
        };
        let (grid_h, grid_w) = (grid(bin_h), grid(bin_w));
        let per_bin = grid_h.saturating_mul(grid_w);
        if per_bin.saturating_mul(ph * pw) > MAX_SAMPLES_PER_ROI {
            return Err(Error::invalid_argument(
                op,
                format!(
                    "box {k} would need {grid_h} x {grid_w} samples per bin; use a positive sampling_ratio or a smaller box: {:?}",
                    b.corners
                ),
            ));
        }
        let mut samples = Vec::with_capacity(per_bin * ph * pw);
        for i in 0..ph {
            for j in 0..pw {
                for iy in 0..grid_h {
                    let y = y1 + i as f32 * bin_h + (iy as f32 + 0.5) * bin_h / grid_h as f32;
                    for ix in 0..grid_w {
                        let x = x1 + j as f32 * bin_w + (ix as f32 + 0.5) * bin_w / grid_w as f32;
                        samples.push(bilinear(y, x, h, w));
                    }
                }
            }
        }
        let count = per_bin.max(1) as f32;
        for s in &mut samples {
            s.grad_weights = s.weights.map(|w| w / count);
        }
        Ok(RoiSamples {
            samples,
            per_bin,
            count,
        })
    }

    /// The samples of bin `bin` (row-major index).
    fn bin(&self, bin: usize) -> &[Sample] {
        &self.samples[bin * self.per_bin..(bin + 1) * self.per_bin]
    }
}

/// Forward kernel: output `[K, C, ph, pw]` from the samples of each RoI.
fn align_forward(inputs: &RoiInputs, rois: &[RoiSamples], bins: usize, x: &[f32]) -> Vec<f32> {
    let [_, c, h, w] = inputs.dims;
    let mut out = vec![0.0; rois.len() * c * bins];
    out.par_chunks_mut(c * bins)
        .zip(rois)
        .zip(&inputs.boxes)
        .for_each(|((out, roi), b)| {
            for (ch, out) in out.chunks_exact_mut(bins).enumerate() {
                let plane = &x[(b.batch * c + ch) * h * w..][..h * w];
                for (bin, y) in out.iter_mut().enumerate() {
                    let mut sum = 0.0;
                    for s in roi.bin(bin) {
                        // torchvision's operation order: ((w0·v0 + w1·v1) + w2·v2) + w3·v3.
                        let [v0, v1, v2, v3] = s.cells.map(|i| plane[i as usize]);
                        sum += s.weights[0] * v0
                            + s.weights[1] * v1
                            + s.weights[2] * v2
                            + s.weights[3] * v3;
                    }
                    *y = sum / roi.count;
                }
            }
        });
    out
}

/// Feature planes per backward task: the samples of a RoI (kilobytes) are read once per block
/// instead of once per channel, while the block's planes stay in cache.
const CHANNEL_BLOCK: usize = 16;

/// Backward kernel: every output gradient spread over its bin's samples. One task per block of
/// planes of one image; inside it RoI by RoI, so each plane sums in RoI, bin, sample order.
fn align_backward(
    dims: [usize; 4],
    rois_by_image: &[Vec<usize>],
    rois: &[RoiSamples],
    bins: usize,
    dy: &[f32],
) -> Vec<f32> {
    let [n, c, h, w] = dims;
    let mut dx = vec![0.0; n * c * h * w];
    let blocks = dx
        .par_chunks_mut(c * h * w)
        .enumerate()
        .flat_map(|(image, planes)| {
            planes
                .par_chunks_mut(CHANNEL_BLOCK * h * w)
                .enumerate()
                .map(move |(b, block)| (image, b * CHANNEL_BLOCK, block))
        });
    blocks.for_each(|(image, c0, block)| {
        for &k in &rois_by_image[image] {
            let roi = &rois[k];
            for (ch, plane) in (c0..).zip(block.chunks_exact_mut(h * w)) {
                for (bin, &g) in dy[(k * c + ch) * bins..][..bins].iter().enumerate() {
                    for s in roi.bin(bin).iter().filter(|s| s.inside) {
                        for (&cell, &wt) in s.cells.iter().zip(&s.grad_weights) {
                            plane[cell as usize] += g * wt;
                        }
                    }
                }
            }
        }
    });
    dx
}

/// The recorded RoIAlign: the samples of every RoI and which RoIs lie on which image.
struct RoiAlignOp {
    dims: [usize; 4],
    rois_by_image: Vec<Vec<usize>>,
    rois: Vec<RoiSamples>,
    bins: usize,
}

impl Op for RoiAlignOp {
    fn name(&self) -> &str {
        "roi_align"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let dx = align_backward(
            self.dims,
            &self.rois_by_image,
            &self.rois,
            self.bins,
            &grad.contiguous_data(),
        );
        Ok(vec![Some(Tensor::from_vec(dx, &self.dims)?)])
    }
}

/// RoIAlign (Mask R-CNN, <https://arxiv.org/abs/1703.06870>): each box is cut into `ph × pw`
/// bins and every bin outputs the average of `grid_h × grid_w` bilinearly interpolated samples,
/// per channel; no coordinate is rounded.
///
/// Semantics of torchvision's kernel: corners are scaled by `spatial_scale` and shifted by −0.5
/// when `aligned`; without `aligned` a RoI is at least 1 × 1 cell. Bin (i, j) has samples at
/// `start + i·bin + (iy + 0.5)·bin/grid`. A sample beyond one cell outside the map
/// (y < −1, y > H, x < −1 or x > W) contributes 0 but still counts in the average; one in
/// (−1, 0) is clamped to 0, one past the last cell to the last cell. An aligned box with
/// x2 < x1 or y2 < y1 has no samples and outputs 0. Gradients from overlapping RoIs add up;
/// the boxes get no gradient.
///
/// PyTorch equivalent: `torchvision.ops.roi_align(features, boxes, output_size, spatial_scale,
/// sampling_ratio, aligned)`.
///
/// # Shapes
/// features `[N, C, H, W]`, boxes `[K, 5]` (batch index, x1, y1, x2, y2) → `[K, C, ph, pw]`.
/// `K = 0` gives an empty `[0, C, ph, pw]` output, as in torchvision.
///
/// # Errors
/// [`Error::InvalidShape`] when the features are not 4-d or are empty, or the boxes are not
/// `[K, 5]`; [`Error::InvalidArgument`] for a zero output size, a spatial scale that is not
/// positive and finite, a non-finite box value, a batch index that is not an integer in `0..N`,
/// or a box so large that adaptive sampling would need more than 2^26 samples.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{RoiAlignOptions, roi_align};
/// use fovea_tensor::Tensor;
/// let x = Var::parameter(Tensor::arange(0.0, 16.0, 1.0)?.reshape(&[1, 1, 4, 4])?);
/// let boxes = Tensor::from_vec(vec![0.0, 0.0, 0.0, 3.0, 3.0], &[1, 5])?;
/// let y = roi_align(&x, &boxes, &RoiAlignOptions::new([2, 2], 1.0))?;
/// // x[i][j] = 4i + j is linear, so each bin outputs the value at its centre.
/// assert_eq!(y.value().to_vec(), vec![3.75, 5.25, 9.75, 11.25]);
/// let g = y.sum_all().backward()?;
/// assert!((g.get(&x).unwrap().sum_all() - 4.0).abs() < 1e-6); // each bin spreads a total of 1
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn roi_align(features: &Var, boxes: &Tensor, options: &RoiAlignOptions) -> Result<Var> {
    const OP: &str = "roi_align";
    options.validate(OP)?;
    let inputs = RoiInputs::new(OP, &features.shape(), boxes)?;
    let [_, c, h, w] = inputs.dims;
    let rois = inputs
        .boxes
        .par_iter()
        .enumerate()
        .map(|(k, b)| RoiSamples::new(OP, k, b, options, h, w))
        .collect::<Result<Vec<_>>>()?;
    let bins = options.output_size[0] * options.output_size[1];
    let out = align_forward(&inputs, &rois, bins, &features.value().contiguous_data());
    let out = Tensor::from_vec(
        out,
        &[
            rois.len(),
            c,
            options.output_size[0],
            options.output_size[1],
        ],
    )?;
    let op = RoiAlignOp {
        dims: inputs.dims,
        rois_by_image: inputs.rois_by_image(),
        rois,
        bins,
    };
    Ok(Var::from_op(out, &[features], op))
}
