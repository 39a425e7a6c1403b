//! Stereo-matching errors of disparity maps over a validity mask: the end-point error (mean
//! absolute disparity difference) and the bad-pixel rate, including KITTI 2015's D1 criterion.

use fovea_tensor::{Error, Result};
use ndarray::{Array2, ArrayView2, Zip};

use crate::validate::{check_same_shape, nan_error};

/// When a pixel's disparity counts as wrong ("bad").
///
/// # Example
/// ```
/// use fovea_metrics::BadPixel;
/// assert_eq!(BadPixel::kitti_d1(), BadPixel::Kitti { absolute: 3.0, relative: 0.05 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BadPixel {
    /// `|d − d*| > threshold` pixels (Middlebury's "bad 2.0" is `threshold: 2.0`).
    Absolute {
        /// Tolerance in pixels.
        threshold: f32,
    },
    /// `|d − d*| > absolute` and `|d − d*| > relative · |d*|` (KITTI 2015 D1: 3 px and 5%).
    Kitti {
        /// Tolerance in pixels.
        absolute: f32,
        /// Tolerance as a fraction of the true disparity.
        relative: f32,
    },
}

impl BadPixel {
    /// KITTI 2015's D1 criterion: wrong when off by more than 3 px and more than 5%.
    ///
    /// # Example
    /// ```
    /// assert!(matches!(fovea_metrics::BadPixel::kitti_d1(), fovea_metrics::BadPixel::Kitti { .. }));
    /// ```
    pub fn kitti_d1() -> Self {
        BadPixel::Kitti {
            absolute: 3.0,
            relative: 0.05,
        }
    }

    fn is_bad(self, d: f32, truth: f32) -> bool {
        let e = (d - truth).abs();
        match self {
            BadPixel::Absolute { threshold } => e > threshold,
            BadPixel::Kitti { absolute, relative } => e > absolute && e > relative * truth.abs(),
        }
    }

    fn validate(self, op: &str) -> Result<()> {
        let ok = match self {
            BadPixel::Absolute { threshold } => threshold.is_finite() && threshold >= 0.0,
            BadPixel::Kitti { absolute, relative } => {
                absolute.is_finite() && absolute >= 0.0 && relative.is_finite() && relative >= 0.0
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid_argument(
                op,
                format!("{self:?}: tolerances must be finite and >= 0"),
            ))
        }
    }
}

/// The validity mask of KITTI ground truth: `true` where the true disparity is `> 0` (KITTI
/// stores 0 where no disparity was measured).
///
/// # Example
/// ```
/// let gt = ndarray::array![[0.0f32, 12.5]];
/// assert_eq!(fovea_metrics::valid_where_positive(gt.view()), ndarray::array![[false, true]]);
/// ```
pub fn valid_where_positive(ground_truth: ArrayView2<f32>) -> Array2<bool> {
    ground_truth.mapv(|d| d > 0.0)
}

/// Validates and returns `(sum of |d − d*|, number of bad pixels, number of valid pixels)`.
fn accumulate(
    op: &str,
    disparity: ArrayView2<f32>,
    ground_truth: ArrayView2<f32>,
    valid: ArrayView2<bool>,
    bad: BadPixel,
) -> Result<(f64, u64, u64)> {
    check_same_shape(op, disparity.shape(), ground_truth.shape())?;
    check_same_shape(op, disparity.shape(), valid.shape())?;
    let (mut sum, mut bad_count, mut n, mut nan) = (0f64, 0u64, 0u64, false);
    Zip::from(&disparity)
        .and(&ground_truth)
        .and(&valid)
        .for_each(|&d, &t, &v| {
            if v {
                nan |= d.is_nan() | t.is_nan();
                sum += (d - t).abs() as f64;
                bad_count += bad.is_bad(d, t) as u64;
                n += 1;
            }
        });
    if nan {
        return Err(nan_error(op, "a valid pixel's disparity"));
    }
    if n == 0 {
        return Err(Error::invalid_argument(op, "no valid pixel"));
    }
    Ok((sum, bad_count, n))
}

/// End-point error: the mean `|d − d*|` over valid pixels (in pixels).
///
/// Equivalent: KITTI / Scene Flow "EPE"; NumPy `np.abs(d - gt)[valid].mean()`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the shapes differ; [`Error::InvalidArgument`] when no pixel is
/// valid (also for empty maps) or a valid pixel holds NaN.
///
/// # Example
/// ```
/// use ndarray::array;
/// let d = array![[10.0f32, 20.0, 5.0]];
/// let gt = array![[11.0f32, 20.0, 0.0]];
/// let valid = fovea_metrics::valid_where_positive(gt.view());
/// assert_eq!(fovea_metrics::end_point_error(d.view(), gt.view(), valid.view())?, 0.5);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn end_point_error(
    disparity: ArrayView2<f32>,
    ground_truth: ArrayView2<f32>,
    valid: ArrayView2<bool>,
) -> Result<f64> {
    let criterion = BadPixel::Absolute { threshold: 0.0 };
    let (sum, _, n) = accumulate("end_point_error", disparity, ground_truth, valid, criterion)?;
    Ok(sum / n as f64)
}

/// Fraction of valid pixels whose disparity is bad under `criterion`.
///
/// KITTI 2015 equivalent with [`BadPixel::kitti_d1`]: the "D1" error (per image; KITTI's
/// benchmark pools all pixels of all images).
///
/// # Errors
/// As [`end_point_error`], and [`Error::InvalidArgument`] for a negative, infinite or NaN
/// tolerance.
///
/// # Example
/// ```
/// use fovea_metrics::{bad_pixel_rate, BadPixel};
/// use ndarray::array;
/// let d = array![[10.0f32, 104.0, 50.0, 0.0]];
/// let gt = array![[14.0f32, 100.0, 50.0, 9.0]];
/// let valid = array![[true, true, true, false]];
/// // 10 vs 14: 4 px and 29%: bad. 104 vs 100: 4 px but only 4%: fine under D1.
/// assert_eq!(bad_pixel_rate(d.view(), gt.view(), valid.view(), BadPixel::kitti_d1())?, 1.0 / 3.0);
/// let rate = bad_pixel_rate(d.view(), gt.view(), valid.view(), BadPixel::Absolute { threshold: 3.0 })?;
/// assert_eq!(rate, 2.0 / 3.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn bad_pixel_rate(
    disparity: ArrayView2<f32>,
    ground_truth: ArrayView2<f32>,
    valid: ArrayView2<bool>,
    criterion: BadPixel,
) -> Result<f64> {
    let op = "bad_pixel_rate";
    criterion.validate(op)?;
    let (_, bad, n) = accumulate(op, disparity, ground_truth, valid, criterion)?;
    Ok(bad as f64 / n as f64)
}
