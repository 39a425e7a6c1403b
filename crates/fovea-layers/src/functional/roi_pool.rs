//! RoI max pooling (Fast R-CNN) and SPP over each RoI (SPP-net), forward and backward side by
//! side, plus the checks of features and boxes that RoIAlign shares.
//!
//! Shapes: features `[N, C, H, W]`, boxes `[K, 5]` with rows (batch index, x1, y1, x2, y2) in
//! image coordinates, output `[K, C, ph, pw]`. For RoI k and channel c, every output bin is the
//! maximum of a rectangle of the feature plane (`features[batch(k), c]`); the forward pass saves
//! where that maximum was (its argmax), and the backward pass adds each output gradient at its
//! argmax. The bin rectangles follow torchvision's CPU kernel exactly (see [`roi_pool`]).
//!
//! - forward: parallel over RoIs (each RoI writes its own output rows).
//! - backward: parallel over the (image, channel) planes of the feature gradient: several RoIs
//!   write into the same plane, so each plane is owned by one task that visits the RoIs of its
//!   image in order. No atomics, and the sums come out in the same order on every run (and in
//!   torchvision's order: RoI, then bin).

use fovea_autograd::{Op, Var};
use fovea_tensor::{Error, Result, Tensor};
use rayon::prelude::*;

/// Output size and scale of [`roi_pool`].
///
/// PyTorch equivalent: the `output_size` and `spatial_scale` arguments of
/// `torchvision.ops.roi_pool` (which has no defaults).
///
/// # Example
/// ```
/// use fovea_layers::functional::RoiPoolOptions;
/// let o = RoiPoolOptions::new([7, 7], 1.0 / 16.0);
/// assert_eq!((o.output_size, o.spatial_scale), ([7, 7], 0.0625));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoiPoolOptions {
    /// Bins per RoI `[ph, pw]`.
    pub output_size: [usize; 2],
    /// Factor from image coordinates (the boxes) to feature-map coordinates, e.g. 1/16 after
    /// four stride-2 stages.
    pub spatial_scale: f32,
}

impl RoiPoolOptions {
    /// `output_size` bins per RoI, boxes scaled by `spatial_scale`.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiPoolOptions::new([2, 3], 0.5);
    /// assert_eq!(o.output_size, [2, 3]);
    /// ```
    pub fn new(output_size: [usize; 2], spatial_scale: f32) -> Self {
        RoiPoolOptions {
            output_size,
            spatial_scale,
        }
    }

    /// Sets the output size `[ph, pw]`.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiPoolOptions::new([7, 7], 1.0).with_output_size([6, 6]);
    /// assert_eq!(o.output_size, [6, 6]);
    /// ```
    pub fn with_output_size(mut self, output_size: [usize; 2]) -> Self {
        self.output_size = output_size;
        self
    }

    /// Sets the spatial scale.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiPoolOptions::new([7, 7], 1.0).with_spatial_scale(0.25);
    /// assert_eq!(o.spatial_scale, 0.25);
    /// ```
    pub fn with_spatial_scale(mut self, spatial_scale: f32) -> Self {
        self.spatial_scale = spatial_scale;
        self
    }

    /// Rejects a zero output size and a scale that is not positive and finite.
    pub(crate) fn validate(&self, op: &str) -> Result<()> {
        check_output_size(op, self.output_size)?;
        check_spatial_scale(op, self.spatial_scale)
    }
}

pub(crate) fn check_output_size(op: &str, output_size: [usize; 2]) -> Result<()> {
    if output_size.contains(&0) {
        return Err(Error::invalid_argument(
            op,
            format!("output size must be positive, got {output_size:?}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_spatial_scale(op: &str, spatial_scale: f32) -> Result<()> {
    if !(spatial_scale.is_finite() && spatial_scale > 0.0) {
        return Err(Error::invalid_argument(
            op,
            format!("spatial_scale must be positive and finite, got {spatial_scale}"),
        ));
    }
    Ok(())
}

/// One checked row of the box tensor.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RoiBox {
    /// Image of the batch the box lies on.
    pub batch: usize,
    /// x1, y1, x2, y2 in image coordinates (finite).
    pub corners: [f32; 4],
}

/// The checked features `[N, C, H, W]` and boxes shared by every RoI op.
pub(crate) struct RoiInputs {
    pub dims: [usize; 4],
    pub boxes: Vec<RoiBox>,
}

impl RoiInputs {
    /// Checks features (4-d, non-empty) and boxes (`[K, 5]`, finite, integral batch index in
    /// range); `op` names the operation in the errors.
    pub(crate) fn new(op: &str, features: &[usize], boxes: &Tensor) -> Result<RoiInputs> {
        let [n, c, h, w] = *features else {
            return Err(Error::invalid_shape(
                op,
                "features must be [N, C, H, W]",
                features,
            ));
        };
        if n * c * h * w == 0 {
            return Err(Error::invalid_shape(op, "features are empty", features));
        }
        // Argmax positions are stored as u32 to halve the memory the backward pass keeps.
        if h * w >= u32::MAX as usize {
            return Err(Error::invalid_shape(
                op,
                "feature planes above 2^32 - 1 elements are not supported",
                features,
            ));
        }
        let &[_, 5] = boxes.shape() else {
            return Err(Error::invalid_shape(
                op,
                "boxes must be [K, 5] rows of (batch index, x1, y1, x2, y2)",
                boxes.shape(),
            ));
        };
        let data = boxes.contiguous_data();
        let mut out = Vec::with_capacity(data.len() / 5);
        for (k, row) in data.chunks_exact(5).enumerate() {
            if row.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid_argument(
                    op,
                    format!("box {k} has a non-finite value: {row:?}"),
                ));
            }
            let b = row[0];
            if b.fract() != 0.0 {
                return Err(Error::invalid_argument(
                    op,
                    format!("box {k}: batch index {b} is not an integer"),
                ));
            }
            if b < 0.0 || b >= n as f32 {
                return Err(Error::invalid_argument(
                    op,
                    format!("box {k}: batch index {b} is out of range for features {features:?}"),
                ));
            }
            out.push(RoiBox {
                batch: b as usize,
                corners: [row[1], row[2], row[3], row[4]],
            });
        }
        Ok(RoiInputs {
            dims: [n, c, h, w],
            boxes: out,
        })
    }

    /// The RoIs of each image, in box order: who writes into which plane during backward.
    pub(crate) fn rois_by_image(&self) -> Vec<Vec<usize>> {
        let mut by_image = vec![Vec::new(); self.dims[0]];
        for (k, b) in self.boxes.iter().enumerate() {
            by_image[b.batch].push(k);
        }
        by_image
    }
}

/// No maximum found: the bin was empty (or held only NaN or values ≤ −f32::MAX).
const NO_ARGMAX: u32 = u32::MAX;

/// The `[start, end)` cell ranges of the `pooled` bins along one axis of a RoI whose corners are
/// `lo` and `hi` (image coordinates), on an axis of `len` cells. torchvision's rule, in f32 as
/// its float kernel: start/end = round(coord·scale), size = max(end − start + 1, 1),
/// bin = size/pooled, bin i covers [floor(i·bin), ceil((i+1)·bin)) + start, clipped to [0, len].
fn bin_ranges(lo: f32, hi: f32, scale: f32, pooled: usize, len: usize) -> Vec<(usize, usize)> {
    // Clamped to torchvision's int range: beyond it its kernel is undefined, here it is just far
    // outside the map (and i64 sums cannot overflow).
    let round = |v: f32| (v * scale).round().clamp(-2_147_483_648.0, 2_147_483_647.0) as i64;
    let (start, end) = (round(lo), round(hi));
    let size = (end - start + 1).max(1);
    let bin = size as f32 / pooled as f32;
    let clip = |v: i64| (v + start).clamp(0, len as i64) as usize;
    (0..pooled)
        .map(|i| {
            let a = (i as f32 * bin).floor() as i64;
            let b = ((i + 1) as f32 * bin).ceil() as i64;
            (clip(a), clip(b))
        })
        .collect()
}

/// Forward kernel: output `[K, C, ph, pw]` and the argmax of every output (an index into its
/// feature plane, [`NO_ARGMAX`] for an empty bin).
fn pool_forward(
    inputs: &RoiInputs,
    output_size: [usize; 2],
    scale: f32,
    x: &[f32],
) -> (Vec<f32>, Vec<u32>) {
    let [_, c, h, w] = inputs.dims;
    let per_roi = c * output_size[0] * output_size[1];
    let mut out = vec![0.0; inputs.boxes.len() * per_roi];
    let mut argmax = vec![NO_ARGMAX; out.len()];
    out.par_chunks_mut(per_roi)
        .zip(argmax.par_chunks_mut(per_roi))
        .zip(&inputs.boxes)
        .for_each(|((out, argmax), b)| {
            let [x1, y1, x2, y2] = b.corners;
            let rows = bin_ranges(y1, y2, scale, output_size[0], h);
            let cols = bin_ranges(x1, x2, scale, output_size[1], w);
            let bins: Vec<_> = rows
                .iter()
                .flat_map(|&r| cols.iter().map(move |&col| (r, col)))
                .collect();
            let mut slots = out.iter_mut().zip(argmax.iter_mut());
            for ch in 0..c {
                let plane = &x[(b.batch * c + ch) * h * w..][..h * w];
                for (&((h0, h1), (w0, w1)), (y, arg)) in bins.iter().zip(slots.by_ref()) {
                    if h1 <= h0 || w1 <= w0 {
                        continue; // empty bin: output 0, no argmax (both already so)
                    }
                    // Strict `>` from −f32::MAX: the first maximum in row-major order wins, NaN never does.
                    // Written as selects, not a branch: on varied data the branch mispredicts
                    // at every new maximum, which made the loop ~2x slower.
                    let (mut best, mut best_at) = (-f32::MAX, NO_ARGMAX);
                    for row in h0..h1 {
                        let start = row * w + w0;
                        for (i, &v) in plane[start..start + (w1 - w0)].iter().enumerate() {
                            let better = v > best;
                            best = if better { v } else { best };
                            best_at = if better { (start + i) as u32 } else { best_at };
                        }
                    }
                    (*y, *arg) = (best, best_at);
                }
            }
        });
    (out, argmax)
}

/// Backward kernel: each output gradient added at its argmax, one task per feature plane.
fn pool_backward(
    dims: [usize; 4],
    rois_by_image: &[Vec<usize>],
    argmax: &[u32],
    bins: usize,
    dy: &[f32],
) -> Vec<f32> {
    let [n, c, h, w] = dims;
    let mut dx = vec![0.0; n * c * h * w];
    dx.par_chunks_mut(h * w).enumerate().for_each(|(p, plane)| {
        let (image, ch) = (p / c, p % c);
        for &k in &rois_by_image[image] {
            let at = (k * c + ch) * bins;
            for (&a, &g) in argmax[at..at + bins].iter().zip(&dy[at..at + bins]) {
                if a != NO_ARGMAX {
                    plane[a as usize] += g;
                }
            }
        }
    });
    dx
}

/// The recorded RoI pooling: the argmax of every output and which RoIs lie on which image.
struct RoiPoolOp {
    dims: [usize; 4],
    rois_by_image: Vec<Vec<usize>>,
    argmax: Vec<u32>,
    bins: usize,
}

impl Op for RoiPoolOp {
    fn name(&self) -> &str {
        "roi_pool"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let dx = pool_backward(
            self.dims,
            &self.rois_by_image,
            &self.argmax,
            self.bins,
            &grad.contiguous_data(),
        );
        Ok(vec![Some(Tensor::from_vec(dx, &self.dims)?)])
    }
}

/// RoI pooling on checked inputs (shared by [`roi_pool`] and [`spp_per_roi`]).
fn roi_pool_checked(
    features: &Var,
    inputs: &RoiInputs,
    output_size: [usize; 2],
    scale: f32,
) -> Result<Var> {
    let x = features.value();
    let (out, argmax) = pool_forward(inputs, output_size, scale, &x.contiguous_data());
    let out = Tensor::from_vec(
        out,
        &[
            inputs.boxes.len(),
            inputs.dims[1],
            output_size[0],
            output_size[1],
        ],
    )?;
    let op = RoiPoolOp {
        dims: inputs.dims,
        rois_by_image: inputs.rois_by_image(),
        argmax,
        bins: output_size[0] * output_size[1],
    };
    Ok(Var::from_op(out, &[features], op))
}

/// RoI max pooling (Fast R-CNN, <https://arxiv.org/abs/1504.08083>): each box is cut into
/// `ph × pw` bins and every bin outputs the maximum of the feature cells it covers, per channel.
///
/// The bins follow torchvision's kernel, computed in f32 as there: the box corners are scaled
/// and rounded (half away from zero) to cells `start`, `end`; the RoI spans
/// `size = max(end − start + 1, 1)` cells (so a degenerate or reversed box is one cell), each bin
/// `size/pooled` cells (a float); bin i covers `[floor(i·bin), ceil((i+1)·bin))` from `start`,
/// clipped to the map. Bins may overlap by one cell. An empty bin (its box outside the map)
/// outputs 0 and gets no gradient. Ties: the first maximum in row-major order wins and receives
/// the whole gradient. Gradients from overlapping bins and RoIs add up. The boxes are data and
/// get no gradient (torchvision gives none either).
///
/// PyTorch equivalent: `torchvision.ops.roi_pool(features, boxes, output_size, spatial_scale)`.
///
/// # Shapes
/// features `[N, C, H, W]`, boxes `[K, 5]` (batch index, x1, y1, x2, y2) → `[K, C, ph, pw]`.
/// `K = 0` gives an empty `[0, C, ph, pw]` output, as in torchvision.
///
/// # Errors
/// [`Error::InvalidShape`] when the features are not 4-d or are empty, or the boxes are not
/// `[K, 5]`; [`Error::InvalidArgument`] for a zero output size, a spatial scale that is not
/// positive and finite, a non-finite box value, or a batch index that is not an integer in
/// `0..N`.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{RoiPoolOptions, roi_pool};
/// use fovea_tensor::Tensor;
/// let x = Var::parameter(Tensor::arange(0.0, 16.0, 1.0)?.reshape(&[1, 1, 4, 4])?);
/// let boxes = Tensor::from_vec(vec![0.0, 0.0, 0.0, 3.0, 3.0], &[1, 5])?;
/// let y = roi_pool(&x, &boxes, &RoiPoolOptions::new([2, 2], 1.0))?;
/// assert_eq!(y.value().to_vec(), vec![5.0, 7.0, 13.0, 15.0]);
/// let g = y.sum_all().backward()?;
/// assert_eq!(g.get(&x).unwrap().to_vec()[5], 1.0); // the argmax of the first bin
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn roi_pool(features: &Var, boxes: &Tensor, options: &RoiPoolOptions) -> Result<Var> {
    options.validate("roi_pool")?;
    let inputs = RoiInputs::new("roi_pool", &features.shape(), boxes)?;
    roi_pool_checked(
        features,
        &inputs,
        options.output_size,
        options.spatial_scale,
    )
}

/// Pyramid levels and scale of [`spp_per_roi`]; the default is SPP-net's levels `[4, 2, 1]`
/// (21 bins per channel) at scale 1.
///
/// # Example
/// ```
/// use fovea_layers::functional::SppPerRoiOptions;
/// let o = SppPerRoiOptions::default().with_spatial_scale(1.0 / 16.0);
/// assert_eq!((o.levels.as_slice(), o.spatial_scale), (&[4, 2, 1][..], 0.0625));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SppPerRoiOptions {
    /// Grid sizes n of the levels: level n pools each RoI into n × n bins.
    pub levels: Vec<usize>,
    /// Factor from image coordinates (the boxes) to feature-map coordinates.
    pub spatial_scale: f32,
}

impl Default for SppPerRoiOptions {
    fn default() -> Self {
        SppPerRoiOptions {
            levels: vec![4, 2, 1],
            spatial_scale: 1.0,
        }
    }
}

impl SppPerRoiOptions {
    /// Sets the pyramid levels.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::SppPerRoiOptions::default().with_levels(vec![6, 3, 2, 1]);
    /// assert_eq!(o.bins_per_channel(), 50);
    /// ```
    pub fn with_levels(mut self, levels: Vec<usize>) -> Self {
        self.levels = levels;
        self
    }

    /// Sets the spatial scale.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::SppPerRoiOptions::default().with_spatial_scale(0.5);
    /// assert_eq!(o.spatial_scale, 0.5);
    /// ```
    pub fn with_spatial_scale(mut self, spatial_scale: f32) -> Self {
        self.spatial_scale = spatial_scale;
        self
    }

    /// Σ n² over the levels: the output length per channel.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::SppPerRoiOptions::default().bins_per_channel(), 21);
    /// ```
    pub fn bins_per_channel(&self) -> usize {
        self.levels.iter().map(|n| n * n).sum()
    }

    /// Rejects no levels, a zero level and a scale that is not positive and finite.
    pub(crate) fn validate(&self, op: &str) -> Result<()> {
        if self.levels.is_empty() || self.levels.contains(&0) {
            return Err(Error::invalid_argument(
                op,
                format!(
                    "levels must be a non-empty list of positive sizes, got {:?}",
                    self.levels
                ),
            ));
        }
        check_spatial_scale(op, self.spatial_scale)
    }
}

/// Spatial pyramid pooling over each RoI (SPP-net, <https://arxiv.org/abs/1406.4729>, §3.2 for
/// detection): for every box and every level n, n × n max pooling over the box's window, each
/// level flattened channel-major (`[C, n, n]` → `C·n²`) and the levels concatenated in order.
///
/// Each level is exactly [`roi_pool`] with output `[n, n]` (same window rounding, same bins, same
/// tie rule), so gradients add up over overlapping RoIs and over levels.
///
/// PyTorch equivalent: none built in; `torch.cat([roi_pool(x, boxes, n, scale).flatten(1) for n
/// in levels], 1)`.
///
/// # Shapes
/// features `[N, C, H, W]`, boxes `[K, 5]` → `[K, C·Σn²]` (`[K, 21·C]` for the default levels).
///
/// # Errors
/// As [`roi_pool`], named `spp_per_roi`; [`Error::InvalidArgument`] for no levels or a zero
/// level.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{SppPerRoiOptions, spp_per_roi};
/// use fovea_tensor::Tensor;
/// let x = Var::parameter(Tensor::arange(0.0, 32.0, 1.0)?.reshape(&[1, 2, 4, 4])?);
/// let boxes = Tensor::from_vec(vec![0.0, 0.0, 0.0, 3.0, 3.0], &[1, 5])?;
/// let y = spp_per_roi(&x, &boxes, &SppPerRoiOptions::default())?;
/// assert_eq!(y.shape(), vec![1, 42]);
/// // Level 1 (the last 2 values) is the maximum of each channel's window.
/// assert_eq!(&y.value().to_vec()[40..], &[15.0, 31.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn spp_per_roi(features: &Var, boxes: &Tensor, options: &SppPerRoiOptions) -> Result<Var> {
    options.validate("spp_per_roi")?;
    let inputs = RoiInputs::new("spp_per_roi", &features.shape(), boxes)?;
    let [k, c] = [inputs.boxes.len(), inputs.dims[1]];
    let levels = options
        .levels
        .iter()
        .map(|&n| {
            roi_pool_checked(features, &inputs, [n, n], options.spatial_scale)?
                .reshape(&[k, c * n * n])
        })
        .collect::<Result<Vec<Var>>>()?;
    Var::concat(&levels.iter().collect::<Vec<_>>(), 1)
}
