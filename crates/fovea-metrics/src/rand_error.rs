//! The Rand error of the ISBI 2012 EM segmentation challenge (Arganda-Carreras et al.,
//! "Crowdsourcing the creation of image segmentation algorithms for connectomics", Front.
//! Neuroanat. 2015; Fiji's `RandError.getRandIndexMaximalFScore`): 1 − the best F-score, over a
//! set of thresholds, of the foreground-restricted Rand index.
//!
//! At a threshold t, both images are binarised with `> t` and split into 4-connected objects.
//! Over the n pixels inside label objects, with `c_ij` the number of pixels in label object i
//! and predicted object j, and the pixels the prediction marks as boundary counted as
//! single-pixel objects (`c_0` of them):
//!
//! ```text
//! Σ_ij  = Σ c_ij² + c_0        (pairs together in both)
//! Σ_lab = Σ_i (Σ_j c_ij + c_i0)²   (pairs together in the label)
//! Σ_pred = Σ_j (Σ_i c_ij)² + c_0  (pairs together in the prediction)
//! precision = Σ_ij / Σ_pred,  recall = Σ_ij / Σ_lab,  F = 2PR / (P + R)
//! ```

use std::collections::HashMap;

use fovea_tensor::{Error, Result};
use ndarray::{ArrayView2, ArrayView3, Axis};

use crate::components::PaddedGrid;
use crate::validate::{check_no_nan, check_non_empty, check_same_shape, check_threshold};

/// Options of [`rand_error`].
///
/// # Example
/// ```
/// let options = fovea_metrics::RandErrorOptions::default().with_thresholds(vec![0.5]);
/// assert_eq!(options.thresholds, vec![0.5]);
/// assert_eq!(fovea_metrics::RandErrorOptions::default().thresholds.len(), 10);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RandErrorOptions {
    /// Thresholds tried, each in `[0, 1]`. Default 0.0, 0.1, …, 0.9, as the ISBI 2012
    /// evaluation script (`minThreshold 0.0, maxThreshold 0.9, stepThreshold 0.1`).
    pub thresholds: Vec<f32>,
}

impl Default for RandErrorOptions {
    fn default() -> Self {
        RandErrorOptions {
            thresholds: (0..10).map(|k| k as f32 / 10.0).collect(),
        }
    }
}

impl RandErrorOptions {
    /// Sets [`RandErrorOptions::thresholds`].
    ///
    /// # Example
    /// ```
    /// let o = fovea_metrics::RandErrorOptions::default().with_thresholds(vec![0.2, 0.4]);
    /// assert_eq!(o.thresholds.len(), 2);
    /// ```
    pub fn with_thresholds(mut self, thresholds: Vec<f32>) -> Self {
        self.thresholds = thresholds;
        self
    }
}

/// Foreground-restricted Rand precision, recall and F-score at one threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandScore {
    /// The binarisation threshold.
    pub threshold: f32,
    /// Rand precision (split errors lower it less than merges).
    pub precision: f64,
    /// Rand recall.
    pub recall: f64,
    /// `2PR / (P + R)`.
    pub f_score: f64,
}

/// What [`rand_error`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct RandErrorResult {
    /// `1 − best.f_score`.
    pub error: f64,
    /// The score at the best threshold (the first one on ties).
    pub best: RandScore,
    /// The score at every threshold, in the order given (for stacks, means over slices).
    pub scores: Vec<RandScore>,
}

/// The foreground-restricted Rand score of a 2-D prediction at one threshold.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the shapes differ; [`Error::InvalidShape`] when empty;
/// [`Error::InvalidArgument`] when the threshold is outside `[0, 1]`, a value is NaN, or the
/// binarised label has no object pixel (the score is undefined).
///
/// # Example
/// ```
/// use ndarray::array;
/// let label = array![[1.0f32, 0.0, 1.0]];
/// let merged = array![[1.0f32, 1.0, 1.0]]; // the boundary is missed: one object
/// let s = fovea_metrics::rand_score(label.view(), merged.view(), 0.5)?;
/// assert_eq!((s.precision, s.recall), (0.5, 1.0));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn rand_score(
    label: ArrayView2<f32>,
    prediction: ArrayView2<f32>,
    threshold: f32,
) -> Result<RandScore> {
    let op = "rand_score";
    validate(op, label.shape(), prediction.shape())?;
    check_threshold(op, threshold)?;
    check_no_nan(op, "label", &label)?;
    check_no_nan(op, "prediction", &prediction)?;
    score_at(op, label, prediction, threshold)
}

/// The ISBI 2012 Rand error of a 2-D prediction: `1 − max_t F(t)` over `options.thresholds`.
///
/// Fiji equivalent: `new RandError(label, proposal).getRandIndexMaximalFScore(0.0, 0.9, 0.1)`
/// gives the maximal F-score (this returns 1 minus it, and every score).
///
/// # Errors
/// As [`rand_score`], and [`Error::InvalidArgument`] when `options.thresholds` is empty.
///
/// # Example
/// ```
/// use fovea_metrics::{rand_error, RandErrorOptions};
/// use ndarray::array;
/// let label = array![[1.0f32, 0.0, 1.0]];
/// let prediction = array![[0.9f32, 0.4, 0.8]]; // split at thresholds >= 0.4
/// let result = rand_error(label.view(), prediction.view(), &RandErrorOptions::default())?;
/// assert_eq!(result.error, 0.0);
/// assert_eq!(result.best.threshold, 0.4);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn rand_error(
    label: ArrayView2<f32>,
    prediction: ArrayView2<f32>,
    options: &RandErrorOptions,
) -> Result<RandErrorResult> {
    let stack_label = label.insert_axis(Axis(0));
    let stack_prediction = prediction.insert_axis(Axis(0));
    rand_error_stack(stack_label, stack_prediction, options).map_err(|e| e.in_context("rand_error"))
}

/// The Rand error of `[slices, rows, cols]` stacks: at each threshold the slices' precision,
/// recall and F-score are averaged, then the threshold with the best mean F-score is taken.
///
/// # Errors
/// As [`rand_error`].
///
/// # Example
/// ```
/// use fovea_metrics::{rand_error_stack, RandErrorOptions};
/// use ndarray::Array3;
/// let label = Array3::<f32>::ones((2, 3, 3));
/// let result = rand_error_stack(label.view(), label.view(), &RandErrorOptions::default())?;
/// assert_eq!(result.error, 0.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn rand_error_stack(
    label: ArrayView3<f32>,
    prediction: ArrayView3<f32>,
    options: &RandErrorOptions,
) -> Result<RandErrorResult> {
    let op = "rand_error_stack";
    validate(op, label.shape(), prediction.shape())?;
    if options.thresholds.is_empty() {
        return Err(Error::invalid_argument(op, "no threshold given"));
    }
    for &t in &options.thresholds {
        check_threshold(op, t)?;
    }
    check_no_nan(op, "label", &label)?;
    check_no_nan(op, "prediction", &prediction)?;
    let slices = label.len_of(Axis(0)) as f64;
    let mut scores = Vec::with_capacity(options.thresholds.len());
    for &t in &options.thresholds {
        let mut mean = RandScore {
            threshold: t,
            precision: 0.0,
            recall: 0.0,
            f_score: 0.0,
        };
        for (l, p) in label.axis_iter(Axis(0)).zip(prediction.axis_iter(Axis(0))) {
            let s = score_at(op, l, p, t)?;
            mean.precision += s.precision / slices;
            mean.recall += s.recall / slices;
            mean.f_score += s.f_score / slices;
        }
        scores.push(mean);
    }
    let best = scores
        .iter()
        .copied()
        .reduce(|best, s| if s.f_score > best.f_score { s } else { best })
        .expect("internal: at least one threshold");
    Ok(RandErrorResult {
        error: 1.0 - best.f_score,
        best,
        scores,
    })
}

fn validate(op: &str, label: &[usize], prediction: &[usize]) -> Result<()> {
    check_same_shape(op, label, prediction)?;
    check_non_empty(op, label)
}

/// The score at one threshold, on validated inputs.
fn score_at(
    op: &str,
    label: ArrayView2<f32>,
    prediction: ArrayView2<f32>,
    threshold: f32,
) -> Result<RandScore> {
    let (label_ids, label_count) = PaddedGrid::binarize(label, threshold).label(1, false);
    let (pred_ids, pred_count) = PaddedGrid::binarize(prediction, threshold).label(1, false);
    // Contingency table over label-object pixels; predicted boundary pixels are singletons.
    // Marginals are indexed by component id; only the joint table needs a map.
    let mut joint: HashMap<(u32, u32), u64> = HashMap::new();
    let mut per_label = vec![0u64; label_count as usize + 1];
    let mut per_pred = vec![0u64; pred_count as usize + 1];
    let mut singletons = 0u64;
    let mut run: Option<((u32, u32), u64)> = None;
    for (&a, &b) in label_ids.iter().zip(&pred_ids) {
        if a == 0 {
            continue;
        }
        per_label[a as usize] += 1;
        if b == 0 {
            singletons += 1;
            continue;
        }
        per_pred[b as usize] += 1;
        // Neighbouring pixels mostly share their pair: count runs before touching the map.
        match &mut run {
            Some((key, n)) if *key == (a, b) => *n += 1,
            _ => {
                if let Some((key, n)) = run.take() {
                    *joint.entry(key).or_default() += n;
                }
                run = Some(((a, b), 1));
            }
        }
    }
    if let Some((key, n)) = run {
        *joint.entry(key).or_default() += n;
    }
    if label_count == 0 {
        return Err(Error::invalid_argument(
            op,
            format!("the label has no object pixel at threshold {threshold}"),
        ));
    }
    let sum_joint = sum_of_squares(joint.values()) + singletons as f64;
    let sum_label = sum_of_squares(per_label.iter());
    let sum_pred = sum_of_squares(per_pred.iter()) + singletons as f64;
    let precision = sum_joint / sum_pred;
    let recall = sum_joint / sum_label;
    Ok(RandScore {
        threshold,
        precision,
        recall,
        f_score: 2.0 * precision * recall / (precision + recall),
    })
}

fn sum_of_squares<'a>(counts: impl Iterator<Item = &'a u64>) -> f64 {
    counts.map(|&c| c as f64 * c as f64).sum()
}
