//! Threshold-free binary metrics: the ROC curve with its area (AUC), the precision-recall curve
//! with average precision, and the trapezoidal [`auc`]. Semantics follow scikit-learn 1.9:
//! thresholds are the distinct scores, a sample is positive at threshold `t` when `score >= t`.

use fovea_tensor::{Error, Result};

use crate::validate::{check_no_nan_slice, check_same_len};

/// Options of [`roc_curve`].
///
/// # Example
/// ```
/// let options = fovea_metrics::RocOptions::default().with_drop_intermediate(false);
/// assert!(!options.drop_intermediate);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RocOptions {
    /// Drop points collinear with their neighbours (they change neither the plot nor the AUC).
    /// Default `true`, as scikit-learn's `drop_intermediate`.
    pub drop_intermediate: bool,
}

impl Default for RocOptions {
    fn default() -> Self {
        RocOptions {
            drop_intermediate: true,
        }
    }
}

impl RocOptions {
    /// Sets [`RocOptions::drop_intermediate`].
    ///
    /// # Example
    /// ```
    /// assert!(fovea_metrics::RocOptions::default().with_drop_intermediate(true).drop_intermediate);
    /// ```
    pub fn with_drop_intermediate(mut self, drop_intermediate: bool) -> Self {
        self.drop_intermediate = drop_intermediate;
        self
    }
}

/// A receiver operating characteristic curve: `(fpr[i], tpr[i])` is reached by calling
/// positive every sample with `score >= thresholds[i]`. Starts at (0, 0) with threshold `+inf`.
///
/// # Example
/// ```
/// use fovea_metrics::{roc_curve, RocOptions};
/// let roc = roc_curve(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true], &RocOptions::default())?;
/// assert_eq!(roc.fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
/// assert_eq!(roc.tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
/// assert_eq!(roc.auc(), 0.75);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RocCurve {
    /// False positive rates, increasing.
    pub fpr: Vec<f64>,
    /// True positive rates (recall), increasing.
    pub tpr: Vec<f64>,
    /// Decreasing thresholds; the first is `f32::INFINITY`.
    pub thresholds: Vec<f32>,
}

impl RocCurve {
    /// Area under the curve by the trapezoidal rule.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{roc_curve, RocOptions};
    /// let roc = roc_curve(&[0.2, 0.9], &[false, true], &RocOptions::default())?;
    /// assert_eq!(roc.auc(), 1.0);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn auc(&self) -> f64 {
        trapezoid(&self.fpr, &self.tpr)
    }
}

/// A precision-recall curve, ordered as scikit-learn: by increasing threshold, so recall
/// decreases; a last point (recall 0, precision 1) has no threshold.
///
/// # Example
/// ```
/// use fovea_metrics::precision_recall_curve;
/// let pr = precision_recall_curve(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true])?;
/// assert_eq!(pr.thresholds, vec![0.1, 0.35, 0.4, 0.8]);
/// assert_eq!(pr.recall, vec![1.0, 1.0, 0.5, 0.5, 0.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PrecisionRecallCurve {
    /// Precision at each threshold, then 1.
    pub precision: Vec<f64>,
    /// Recall at each threshold, then 0.
    pub recall: Vec<f64>,
    /// Increasing distinct scores.
    pub thresholds: Vec<f32>,
}

impl PrecisionRecallCurve {
    /// Average precision: `Σ (R[i] − R[i+1]) · P[i]`, the step-wise area without interpolation
    /// (scikit-learn's `average_precision_score`).
    ///
    /// # Example
    /// ```
    /// let pr = fovea_metrics::precision_recall_curve(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true])?;
    /// assert!((pr.average_precision() - 0.8333333333333333).abs() < 1e-12);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn average_precision(&self) -> f64 {
        let ap: f64 = self
            .recall
            .windows(2)
            .zip(&self.precision)
            .map(|(r, p)| (r[0] - r[1]) * p)
            .sum();
        // Rounding can give -0.0; scikit-learn clips it the same way.
        ap.max(0.0)
    }
}

/// Counts per distinct score, by decreasing score: `(false positives, true positives,
/// threshold)` when every sample with `score >= threshold` is called positive.
/// scikit-learn's `confusion_matrix_at_thresholds` (formerly `_binary_clf_curve`).
fn counts_at_thresholds(
    op: &str,
    scores: &[f32],
    y_true: &[bool],
) -> Result<(Vec<f64>, Vec<f64>, Vec<f32>)> {
    check_same_len(op, y_true.len(), scores.len())?;
    if scores.is_empty() {
        return Err(Error::invalid_shape(op, "empty input", &[0]));
    }
    check_no_nan_slice(op, "scores", scores)?;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // partial_cmp, not total_cmp: -0.0 and 0.0 must tie as in NumPy. No NaN is left.
    order.sort_unstable_by(|&a, &b| scores[b].partial_cmp(&scores[a]).expect("internal: no NaN"));
    let (mut fps, mut tps, mut thresholds) = (Vec::new(), Vec::new(), Vec::new());
    let (mut fp, mut tp) = (0u64, 0u64);
    for (i, &k) in order.iter().enumerate() {
        if y_true[k] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_value = i + 1 == order.len() || scores[order[i + 1]] != scores[k];
        if last_of_value {
            fps.push(fp as f64);
            tps.push(tp as f64);
            thresholds.push(scores[k]);
        }
    }
    Ok((fps, tps, thresholds))
}

/// The ROC curve of binary scores.
///
/// scikit-learn equivalent: `roc_curve(y_true, y_score, drop_intermediate=...)`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the lengths differ; [`Error::InvalidShape`] when empty;
/// [`Error::InvalidArgument`] when a score is NaN or `y_true` holds only one class (the ROC is
/// undefined then: scikit-learn returns NaN rates and a NaN AUC with a warning).
///
/// # Example
/// ```
/// use fovea_metrics::{roc_curve, RocOptions};
/// let roc = roc_curve(&[0.3, 0.3, 0.9], &[false, true, true], &RocOptions::default())?;
/// assert_eq!(roc.thresholds[1..], [0.9, 0.3]);
/// assert!(roc_curve(&[0.3, 0.9], &[true, true], &RocOptions::default()).is_err());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn roc_curve(scores: &[f32], y_true: &[bool], options: &RocOptions) -> Result<RocCurve> {
    let op = "roc_curve";
    let (mut fps, mut tps, mut thresholds) = counts_at_thresholds(op, scores, y_true)?;
    let (negatives, positives) = (fps[fps.len() - 1], tps[tps.len() - 1]);
    if negatives == 0.0 || positives == 0.0 {
        return Err(Error::invalid_argument(
            op,
            "y_true holds only one class; the ROC curve is undefined",
        ));
    }
    if options.drop_intermediate && fps.len() > 2 {
        // Keep the ends and every corner: a point whose second difference is 0 in both fps
        // and tps lies on the segment between its neighbours.
        let keep: Vec<usize> = (0..fps.len())
            .filter(|&i| {
                i == 0
                    || i + 1 == fps.len()
                    || fps[i + 1] - 2.0 * fps[i] + fps[i - 1] != 0.0
                    || tps[i + 1] - 2.0 * tps[i] + tps[i - 1] != 0.0
            })
            .collect();
        fps = keep.iter().map(|&i| fps[i]).collect();
        tps = keep.iter().map(|&i| tps[i]).collect();
        thresholds = keep.iter().map(|&i| thresholds[i]).collect();
    }
    let fpr = std::iter::once(0.0)
        .chain(fps.iter().map(|f| f / negatives))
        .collect();
    let tpr = std::iter::once(0.0)
        .chain(tps.iter().map(|t| t / positives))
        .collect();
    let thresholds = std::iter::once(f32::INFINITY).chain(thresholds).collect();
    Ok(RocCurve {
        fpr,
        tpr,
        thresholds,
    })
}

/// Area under the ROC curve of binary scores (all points kept; the area is the same).
///
/// scikit-learn equivalent: `roc_auc_score(y_true, y_score)`; torchmetrics: `BinaryAUROC`.
///
/// # Errors
/// As [`roc_curve`]: mismatched lengths, empty input, NaN score, a single class.
///
/// # Example
/// ```
/// let auc = fovea_metrics::roc_auc_score(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true])?;
/// assert_eq!(auc, 0.75);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn roc_auc_score(scores: &[f32], y_true: &[bool]) -> Result<f64> {
    let options = RocOptions::default().with_drop_intermediate(false);
    roc_curve(scores, y_true, &options)
        .map(|roc| roc.auc())
        .map_err(|e| e.in_context("roc_auc_score"))
}

/// The precision-recall curve of binary scores.
///
/// scikit-learn equivalent: `precision_recall_curve(y_true, y_score)`.
///
/// Degenerate case: with no positive sample, recall is set to 1 at every threshold and
/// precision is 0 there (scikit-learn does the same, with a warning), so average precision is 0.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the lengths differ; [`Error::InvalidShape`] when empty;
/// [`Error::InvalidArgument`] when a score is NaN.
///
/// # Example
/// ```
/// let pr = fovea_metrics::precision_recall_curve(&[0.2, 0.9], &[false, true])?;
/// assert_eq!(pr.precision, vec![0.5, 1.0, 1.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn precision_recall_curve(scores: &[f32], y_true: &[bool]) -> Result<PrecisionRecallCurve> {
    let (fps, tps, thresholds) = counts_at_thresholds("precision_recall_curve", scores, y_true)?;
    let positives = tps[tps.len() - 1];
    // tps + fps >= 1 at every threshold, so precision is always defined.
    let precision = tps.iter().zip(&fps).rev().map(|(t, f)| t / (t + f));
    let recall = tps
        .iter()
        .rev()
        .map(|t| if positives == 0.0 { 1.0 } else { t / positives });
    Ok(PrecisionRecallCurve {
        precision: precision.chain(std::iter::once(1.0)).collect(),
        recall: recall.chain(std::iter::once(0.0)).collect(),
        thresholds: thresholds.into_iter().rev().collect(),
    })
}

/// Average precision of binary scores: the precision-recall curve's step-wise area.
///
/// scikit-learn equivalent: `average_precision_score(y_true, y_score)`. With no positive sample
/// the value is 0 (see [`precision_recall_curve`]).
///
/// # Errors
/// As [`precision_recall_curve`].
///
/// # Example
/// ```
/// let ap = fovea_metrics::average_precision(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true])?;
/// assert!((ap - 0.8333333333333333).abs() < 1e-12);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn average_precision(scores: &[f32], y_true: &[bool]) -> Result<f64> {
    precision_recall_curve(scores, y_true)
        .map(|pr| pr.average_precision())
        .map_err(|e| e.in_context("average_precision"))
}

/// Area under a curve `(x, y)` by the trapezoidal rule; `x` must be monotonic (increasing or
/// decreasing; a decreasing `x` gives the same positive area, as scikit-learn).
///
/// scikit-learn equivalent: `sklearn.metrics.auc(x, y)`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the lengths differ; [`Error::InvalidShape`] with fewer than 2
/// points; [`Error::InvalidArgument`] when `x` is not monotonic or a value is NaN.
///
/// # Example
/// ```
/// assert_eq!(fovea_metrics::auc(&[0.0, 0.5, 1.0], &[0.0, 1.0, 1.0])?, 0.75);
/// assert_eq!(fovea_metrics::auc(&[1.0, 0.0], &[1.0, 1.0])?, 1.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn auc(x: &[f64], y: &[f64]) -> Result<f64> {
    let op = "auc";
    check_same_len(op, x.len(), y.len())?;
    if x.len() < 2 {
        return Err(Error::invalid_shape(
            op,
            "needs at least 2 points",
            &[x.len()],
        ));
    }
    if x.iter().chain(y).any(|v| v.is_nan()) {
        return Err(crate::validate::nan_error(op, "x or y"));
    }
    let increasing = x.windows(2).all(|w| w[0] <= w[1]);
    let decreasing = x.windows(2).all(|w| w[0] >= w[1]);
    if !increasing && !decreasing {
        return Err(Error::invalid_argument(
            op,
            "x is neither increasing nor decreasing",
        ));
    }
    let area = trapezoid(x, y);
    Ok(if increasing { area } else { -area })
}

/// `Σ (x[i+1] − x[i]) · (y[i] + y[i+1]) / 2`.
fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2)
        .zip(y.windows(2))
        .map(|(xs, ys)| (xs[1] - xs[0]) * (ys[0] + ys[1]) * 0.5)
        .sum()
}
