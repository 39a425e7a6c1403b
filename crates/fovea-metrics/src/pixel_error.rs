//! The pixel error of a segmentation: the fraction of pixels where the binarised label and the
//! binarised prediction disagree (ISBI 2012's "pixel error"; Fiji's `PixelError`).

use fovea_tensor::Result;
use ndarray::{ArrayView, ArrayView2, ArrayView3, Dimension, Zip};

use crate::validate::{check_non_empty, check_same_shape, check_threshold, nan_error};

/// Pixel error of a 2-D prediction: `#{(label > t) ≠ (prediction > t)} / #pixels`. A value
/// exactly at the threshold is background.
///
/// Fiji equivalent: `new PixelError(label, proposal).getMetricValue(threshold)`; NumPy:
/// `np.mean((label > t) != (pred > t))`.
///
/// # Errors
/// [`Error::ShapeMismatch`](fovea_tensor::Error::ShapeMismatch) when the shapes differ;
/// [`Error::InvalidShape`](fovea_tensor::Error::InvalidShape) when empty;
/// [`Error::InvalidArgument`](fovea_tensor::Error::InvalidArgument) when the threshold is outside
/// `[0, 1]` or a value is NaN.
///
/// # Example
/// ```
/// use ndarray::array;
/// let label = array![[1.0f32, 0.0], [1.0, 1.0]];
/// let prediction = array![[0.9f32, 0.5], [0.2, 0.7]]; // 0.5 is background; 0.2 is wrong
/// assert_eq!(fovea_metrics::pixel_error(label.view(), prediction.view(), 0.5)?, 0.25);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn pixel_error(
    label: ArrayView2<f32>,
    prediction: ArrayView2<f32>,
    threshold: f32,
) -> Result<f64> {
    disagreement_rate("pixel_error", label, prediction, threshold)
}

/// Pixel error of `[slices, rows, cols]` stacks: the mean over slices, which is the pixel error
/// of all pixels together since slices have the same size.
///
/// # Errors
/// As [`pixel_error`].
///
/// # Example
/// ```
/// use ndarray::Array3;
/// let label = Array3::<f32>::zeros((2, 2, 2));
/// let mut prediction = Array3::<f32>::zeros((2, 2, 2));
/// prediction[[1, 0, 0]] = 1.0;
/// assert_eq!(fovea_metrics::pixel_error_stack(label.view(), prediction.view(), 0.5)?, 0.125);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn pixel_error_stack(
    label: ArrayView3<f32>,
    prediction: ArrayView3<f32>,
    threshold: f32,
) -> Result<f64> {
    disagreement_rate("pixel_error_stack", label, prediction, threshold)
}

fn disagreement_rate<D: Dimension>(
    op: &str,
    label: ArrayView<f32, D>,
    prediction: ArrayView<f32, D>,
    threshold: f32,
) -> Result<f64> {
    check_threshold(op, threshold)?;
    check_same_shape(op, label.shape(), prediction.shape())?;
    check_non_empty(op, label.shape())?;
    let (wrong, nan) = match (label.as_slice(), prediction.as_slice()) {
        (Some(l), Some(p)) => count_slices(l, p, threshold),
        _ => Zip::from(&label)
            .and(&prediction)
            .fold((0u64, false), |(wrong, nan), &l, &p| {
                (
                    wrong + ((l > threshold) != (p > threshold)) as u64,
                    nan | l.is_nan() | p.is_nan(),
                )
            }),
    };
    if nan {
        return Err(nan_error(op, "label or prediction"));
    }
    Ok(wrong as f64 / label.len() as f64)
}

/// The contiguous fast path: NaN detection fused into the count, blocks of 4096 counted in u32
/// lanes so the loop vectorises (runs at memory speed).
fn count_slices(label: &[f32], prediction: &[f32], t: f32) -> (u64, bool) {
    let mut wrong = 0u64;
    let mut nan = false;
    for (l, p) in label.chunks(4096).zip(prediction.chunks(4096)) {
        let mut block = 0u32;
        let mut block_nan = false;
        for (&a, &b) in l.iter().zip(p) {
            block += ((a > t) != (b > t)) as u32;
            block_nan |= a.is_nan() | b.is_nan();
        }
        wrong += block as u64;
        nan |= block_nan;
    }
    (wrong, nan)
}
