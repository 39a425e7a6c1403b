//! The warping error (Jain et al., "Boundary learning by optimization with topological
//! constraints", CVPR 2010; Fiji's `WarpingError`): the pixel error left after the label has
//! been deformed towards the prediction by flipping simple points only, so boundary shifts cost
//! nothing and only topological mistakes (splits, merges, holes, objects) count.

use fovea_tensor::Result;
use ndarray::{Array2, ArrayView2, ArrayView3, Axis};

use crate::components::PaddedGrid;
use crate::mistakes::{Mistake, MistakeCounts, classify};
use crate::simple_point::{SIMPLE_POINT_TABLE, ring_at};
use crate::validate::{check_no_nan, check_non_empty, check_same_shape, check_threshold};

/// Options of the warping error.
///
/// # Example
/// ```
/// let options = fovea_metrics::WarpingOptions::default().with_threshold(0.3);
/// assert_eq!(options.threshold, 0.3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WarpingOptions {
    /// Both images are binarised with `value > threshold`; must lie in `[0, 1]`. Default 0.5.
    pub threshold: f32,
}

impl Default for WarpingOptions {
    fn default() -> Self {
        WarpingOptions { threshold: 0.5 }
    }
}

impl WarpingOptions {
    /// Sets [`WarpingOptions::threshold`].
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::WarpingOptions::default().with_threshold(0.7).threshold, 0.7);
    /// ```
    pub fn with_threshold(mut self, threshold: f32) -> Self {
        self.threshold = threshold;
        self
    }
}

/// What [`warping_error`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct WarpingResult {
    /// Remaining disagreements / all pixels of the image (masked or not), in `[0, 1]`.
    pub error: f64,
    /// The label after warping, 0.0 (background) or 1.0 (object); usable as a training target
    /// (Jain et al. train against it).
    pub warped_label: Array2<f32>,
    /// The remaining disagreements, classified, in the order the last pass visited them.
    pub mistakes: Vec<Mistake>,
    /// The mistakes counted by kind.
    pub counts: MistakeCounts,
    /// Number of flipping passes run.
    pub passes: usize,
}

/// What [`warping_error_stack`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct WarpingStackResult {
    /// Mean of the slices' warping errors (Fiji averages per slice too).
    pub mean_error: f64,
    /// One result per slice.
    pub slices: Vec<WarpingResult>,
}

/// Warping error of a 2-D prediction against a 2-D binary label (1 = object, 0 = boundary).
///
/// The label is warped towards the binarised prediction: each pass lists the pixels where they
/// disagree (column-major order, then sorted stably by `|prediction − threshold|`, most
/// confident first) and flips each one that is simple in the current label (4-connected
/// objects, 8-connected background, a background border around the image); passes repeat until
/// nothing disagrees or a pass flips nothing. The error is the number of disagreements left
/// divided by the number of pixels, and each is classified as a [`MistakeKind`](crate::MistakeKind).
///
/// Fiji equivalent: `new WarpingError(label, proposal).getMetricValue(threshold)`.
///
/// # Errors
/// [`Error::ShapeMismatch`](fovea_tensor::Error::ShapeMismatch) when the shapes differ;
/// [`Error::InvalidShape`](fovea_tensor::Error::InvalidShape) when empty;
/// [`Error::InvalidArgument`](fovea_tensor::Error::InvalidArgument) when the threshold is outside
/// `[0, 1]` or an image holds NaN.
///
/// # Example
/// ```
/// use fovea_metrics::{pixel_error, warping_error, WarpingOptions};
/// use ndarray::Array2;
/// // Two objects split by a vertical boundary at column 4; the prediction moves the boundary
/// // to column 5 on rows 2..5: a shift, not a topological mistake.
/// let label = Array2::from_shape_fn((8, 9), |(_, c)| if c == 4 { 0.0f32 } else { 1.0 });
/// let prediction = Array2::from_shape_fn((8, 9), |(r, c)| {
///     let boundary = if (2..5).contains(&r) { 5 } else { 4 };
///     if c == boundary { 0.1f32 } else { 0.9 }
/// });
/// let result = warping_error(label.view(), prediction.view(), &WarpingOptions::default())?;
/// assert_eq!(result.error, 0.0);
/// assert!(pixel_error(label.view(), prediction.view(), 0.5)? > 0.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn warping_error(
    label: ArrayView2<f32>,
    prediction: ArrayView2<f32>,
    options: &WarpingOptions,
) -> Result<WarpingResult> {
    validate("warping_error", label, prediction, options)?;
    Ok(warp(label, prediction, None, options.threshold))
}

/// [`warping_error`] where only pixels with `mask == true` may flip or count as disagreements
/// (Fiji's mask: "the areas where warping is allowed"); the error still divides by all pixels.
///
/// # Errors
/// As [`warping_error`], plus [`Error::ShapeMismatch`](fovea_tensor::Error::ShapeMismatch)
/// when the mask's shape differs.
///
/// # Example
/// ```
/// use fovea_metrics::{warping_error_masked, WarpingOptions};
/// use ndarray::Array2;
/// let mut label = Array2::<f32>::zeros((5, 5));
/// label[[2, 2]] = 1.0; // a one-pixel object the prediction misses...
/// let prediction = Array2::<f32>::zeros((5, 5));
/// let mask = Array2::from_shape_fn((5, 5), |(r, _)| r != 2); // ...in a row the mask excludes
/// let result = warping_error_masked(label.view(), prediction.view(), mask.view(), &WarpingOptions::default())?;
/// assert_eq!(result.error, 0.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn warping_error_masked(
    label: ArrayView2<f32>,
    prediction: ArrayView2<f32>,
    mask: ArrayView2<bool>,
    options: &WarpingOptions,
) -> Result<WarpingResult> {
    let op = "warping_error_masked";
    validate(op, label, prediction, options)?;
    check_same_shape(op, label.shape(), mask.shape())?;
    Ok(warp(label, prediction, Some(mask), options.threshold))
}

/// [`warping_error`] of each slice of `[slices, rows, cols]` stacks, and their mean.
///
/// # Errors
/// As [`warping_error`]; an empty stack (no slice) is an
/// [`Error::InvalidShape`](fovea_tensor::Error::InvalidShape).
///
/// # Example
/// ```
/// use fovea_metrics::{warping_error_stack, WarpingOptions};
/// use ndarray::Array3;
/// let label = Array3::<f32>::ones((2, 4, 4));
/// let mut prediction = Array3::<f32>::ones((2, 4, 4));
/// prediction[[1, 1, 1]] = 0.0; // a hole in slice 1: one mistake out of 16 pixels
/// let result = warping_error_stack(label.view(), prediction.view(), &WarpingOptions::default())?;
/// assert_eq!(result.slices[1].error, 1.0 / 16.0);
/// assert_eq!(result.mean_error, 0.5 / 16.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn warping_error_stack(
    label: ArrayView3<f32>,
    prediction: ArrayView3<f32>,
    options: &WarpingOptions,
) -> Result<WarpingStackResult> {
    let op = "warping_error_stack";
    check_same_shape(op, label.shape(), prediction.shape())?;
    check_non_empty(op, label.shape())?;
    let slices = label
        .axis_iter(Axis(0))
        .zip(prediction.axis_iter(Axis(0)))
        .map(|(l, p)| warping_error(l, p, options).map_err(|e| e.in_context(op)))
        .collect::<Result<Vec<_>>>()?;
    let mean_error = slices.iter().map(|s| s.error).sum::<f64>() / slices.len() as f64;
    Ok(WarpingStackResult { mean_error, slices })
}

fn validate(
    op: &str,
    label: ArrayView2<f32>,
    prediction: ArrayView2<f32>,
    options: &WarpingOptions,
) -> Result<()> {
    check_threshold(op, options.threshold)?;
    check_same_shape(op, label.shape(), prediction.shape())?;
    check_non_empty(op, label.shape())?;
    check_no_nan(op, "label", &label)?;
    check_no_nan(op, "prediction", &prediction)
}

/// The warping itself, on validated inputs.
fn warp(
    label: ArrayView2<f32>,
    prediction: ArrayView2<f32>,
    mask: Option<ArrayView2<bool>>,
    threshold: f32,
) -> WarpingResult {
    let mut grid = PaddedGrid::binarize(label, threshold);
    let (rows, cols) = (grid.rows, grid.cols);
    // Disagreements in column-major (x-major) order, as Fiji lists them, with their sort key.
    let mut pending: Vec<(usize, f32)> = Vec::new();
    for c in 0..cols {
        for r in 0..rows {
            if mask.is_some_and(|m| !m[[r, c]]) {
                continue;
            }
            let p = prediction[[r, c]];
            let i = grid.index(r, c);
            if grid.cells[i] != (p > threshold) as u8 {
                pending.push((i, (p - threshold).abs()));
            }
        }
    }
    // One stable sort suffices: the prediction never changes and only listed pixels flip, so
    // each pass's list is the previous list minus the flipped pixels, already in order.
    pending.sort_by(|a, b| b.1.partial_cmp(&a.1).expect("internal: no NaN"));
    let mut passes = 0;
    while !pending.is_empty() {
        passes += 1;
        let before = pending.len();
        let (cells, stride) = (&mut grid.cells, grid.stride);
        // Flip in place, in order: a flip can make a later pixel of the same pass simple.
        pending.retain(|&(i, _)| {
            if SIMPLE_POINT_TABLE[ring_at(cells, stride, i) as usize] {
                cells[i] ^= 1;
                false
            } else {
                true
            }
        });
        if pending.len() == before {
            break;
        }
    }
    let remaining: Vec<usize> = pending.iter().map(|&(i, _)| i).collect();
    let mistakes = classify(&grid, &remaining);
    let warped_label =
        Array2::from_shape_fn((rows, cols), |(r, c)| grid.cells[grid.index(r, c)] as f32);
    WarpingResult {
        error: remaining.len() as f64 / (rows * cols) as f64,
        warped_label,
        counts: MistakeCounts::from_mistakes(&mistakes),
        mistakes,
        passes,
    }
}
