//! # fovea-metrics
//!
//! Evaluation metrics for fovea on plain arrays (ndarray views and slices): classification
//! (confusion matrices, rates, F-scores, ROC and precision-recall curves, a printable report),
//! segmentation (pixel error, the topology-aware warping error, the ISBI 2012 Rand error) and
//! stereo matching (end-point error, bad-pixel rate). It needs no autograd. Most users reach it
//! through the `fovea` facade.
//!
//! Every fallible function returns [`fovea_tensor::Result`]; degenerate ratios (0/0) take a
//! documented value and never a silent NaN.
//!
//! ```
//! use fovea_metrics::{Average, ConfusionMatrix, ZeroDivision};
//! let cm = ConfusionMatrix::from_labels(&[0, 1, 2, 2], &[0, 2, 2, 1], 3)?;
//! assert_eq!(cm.accuracy(), 0.5);
//! assert_eq!(cm.recall(Average::Macro, ZeroDivision::Zero), 0.5);
//! # Ok::<(), fovea_tensor::Error>(())
//! ```
//!
//! | fovea | scikit-learn / Fiji / PyTorch ecosystem |
//! |---|---|
//! | [`ConfusionMatrix::from_labels`] | `sklearn.metrics.confusion_matrix` |
//! | [`ConfusionMatrix::f_beta`] | `fbeta_score(average=...)` |
//! | [`roc_curve`], [`roc_auc_score`] | `roc_curve`, `roc_auc_score` |
//! | [`precision_recall_curve`], [`average_precision`] | `precision_recall_curve`, `average_precision_score` |
//! | [`ClassificationReport`] | `classification_report` |
//! | [`pixel_error`] | Fiji `PixelError` |
//! | [`warping_error`] | Fiji `WarpingError` |
//! | [`rand_error`] | Fiji `RandError.getRandIndexMaximalFScore` (ISBI 2012) |
//! | [`end_point_error`], [`bad_pixel_rate`] | KITTI EPE, D1 |
#![warn(missing_docs)]

mod averages;
mod binary_confusion;
mod components;
mod confusion;
mod curves;
mod mistakes;
mod pixel_error;
mod rand_error;
mod rates;
mod report;
mod simple_point;
mod stereo;
mod tensor_input;
mod validate;
mod warping;

pub use averages::Average;
pub use binary_confusion::BinaryConfusion;
pub use confusion::ConfusionMatrix;
pub use curves::{
    PrecisionRecallCurve, RocCurve, RocOptions, auc, average_precision, precision_recall_curve,
    roc_auc_score, roc_curve,
};
pub use mistakes::{Mistake, MistakeCounts, MistakeKind};
pub use pixel_error::{pixel_error, pixel_error_stack};
pub use rand_error::{
    RandErrorOptions, RandErrorResult, RandScore, rand_error, rand_error_stack, rand_score,
};
pub use rates::ZeroDivision;
pub use report::{ClassificationReport, ReportOptions, ReportRow};
pub use simple_point::{SIMPLE_POINT_TABLE, is_simple, topological_numbers};
pub use stereo::{BadPixel, bad_pixel_rate, end_point_error, valid_where_positive};
pub use tensor_input::image_stack;
pub use warping::{
    WarpingOptions, WarpingResult, WarpingStackResult, warping_error, warping_error_masked,
    warping_error_stack,
};

/// The README's example runs as a doctest, so it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
