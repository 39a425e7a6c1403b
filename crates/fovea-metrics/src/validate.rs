//! Input checks shared by every metric, so each public entry point validates the same way and
//! reports the same typed errors.

use fovea_tensor::{Error, Result};
use ndarray::{ArrayView, Dimension};

/// Rejects thresholds outside `[0, 1]` (and NaN): every thresholded metric in this crate works on
/// probabilities, so a threshold of 3 is a mistake, not a request.
pub(crate) fn check_threshold(op: &str, threshold: f32) -> Result<()> {
    if (0.0..=1.0).contains(&threshold) {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            op,
            format!("threshold {threshold} is outside [0, 1]"),
        ))
    }
}

/// Rejects two operands whose shapes differ.
pub(crate) fn check_same_shape(op: &str, lhs: &[usize], rhs: &[usize]) -> Result<()> {
    if lhs == rhs {
        Ok(())
    } else {
        Err(Error::shape_mismatch(op, "shapes differ", lhs, rhs))
    }
}

/// Rejects arrays with no elements: every metric here is a mean or a ratio over elements.
pub(crate) fn check_non_empty(op: &str, shape: &[usize]) -> Result<()> {
    if shape.iter().product::<usize>() == 0 {
        Err(Error::invalid_shape(op, "empty input", shape))
    } else {
        Ok(())
    }
}

/// Rejects slices of different lengths (sample-wise inputs such as labels and scores).
pub(crate) fn check_same_len(op: &str, lhs: usize, rhs: usize) -> Result<()> {
    if lhs == rhs {
        Ok(())
    } else {
        Err(Error::shape_mismatch(op, "lengths differ", &[lhs], &[rhs]))
    }
}

/// The error for a NaN found in `what` (a NaN would silently compare as "not above threshold").
pub(crate) fn nan_error(op: &str, what: &str) -> Error {
    Error::invalid_argument(op, format!("{what} contains NaN"))
}

/// Rejects an array holding a NaN.
pub(crate) fn check_no_nan<D: Dimension>(
    op: &str,
    what: &str,
    a: &ArrayView<f32, D>,
) -> Result<()> {
    let has_nan = match a.as_slice_memory_order() {
        Some(s) => s.iter().any(|v| v.is_nan()),
        None => a.iter().any(|v| v.is_nan()),
    };
    if has_nan {
        Err(nan_error(op, what))
    } else {
        Ok(())
    }
}

/// Rejects a slice holding a NaN.
pub(crate) fn check_no_nan_slice(op: &str, what: &str, s: &[f32]) -> Result<()> {
    if s.iter().any(|v| v.is_nan()) {
        Err(nan_error(op, what))
    } else {
        Ok(())
    }
}
