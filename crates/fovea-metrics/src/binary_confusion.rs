//! [`BinaryConfusion`]: the TP / FP / TN / FN counts of a binary classification, counted from
//! labels or thresholded scores at memory speed. Its rates live in `rates.rs`.

use fovea_tensor::{Error, Result};

use crate::validate::{check_same_len, check_threshold};

/// The four counts of a binary classification: true/false positives and negatives.
///
/// Built with [`BinaryConfusion::from_labels`], [`BinaryConfusion::from_scores`],
/// [`BinaryConfusion::new`] or [`ConfusionMatrix::one_vs_rest`](crate::ConfusionMatrix::one_vs_rest); it always holds at least one
/// sample, so accuracy is always defined.
///
/// scikit-learn equivalent: `confusion_matrix(y_true, y_pred).ravel()` gives `tn, fp, fn, tp`.
///
/// # Example
/// ```
/// use fovea_metrics::BinaryConfusion;
/// let c = BinaryConfusion::from_labels(&[true, true, false, false], &[true, false, true, false])?;
/// assert_eq!((c.true_positives(), c.false_positives()), (1, 1));
/// assert_eq!((c.true_negatives(), c.false_negatives()), (1, 1));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BinaryConfusion {
    tp: u64,
    fp: u64,
    tn: u64,
    fn_: u64,
}

impl BinaryConfusion {
    /// A confusion from its four counts.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when all four counts are 0 (no sample: every rate would be 0/0).
    ///
    /// # Example
    /// ```
    /// let c = fovea_metrics::BinaryConfusion::new(3, 1, 5, 1)?;
    /// assert_eq!(c.total(), 10);
    /// assert!(fovea_metrics::BinaryConfusion::new(0, 0, 0, 0).is_err());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn new(
        true_positives: u64,
        false_positives: u64,
        true_negatives: u64,
        false_negatives: u64,
    ) -> Result<Self> {
        let c = BinaryConfusion {
            tp: true_positives,
            fp: false_positives,
            tn: true_negatives,
            fn_: false_negatives,
        };
        if c.total() == 0 {
            return Err(Error::invalid_argument(
                "BinaryConfusion::new",
                "all counts are 0 (no sample)",
            ));
        }
        Ok(c)
    }

    /// Counts agreements between true and predicted binary labels (`true` = positive).
    ///
    /// scikit-learn equivalent: `confusion_matrix(y_true, y_pred, labels=[0, 1])`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the lengths differ; [`Error::InvalidShape`] when empty.
    ///
    /// # Example
    /// ```
    /// let c = fovea_metrics::BinaryConfusion::from_labels(&[true, false], &[true, true])?;
    /// assert_eq!(c.false_positives(), 1);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn from_labels(y_true: &[bool], y_pred: &[bool]) -> Result<Self> {
        let op = "BinaryConfusion::from_labels";
        check_same_len(op, y_true.len(), y_pred.len())?;
        if y_true.is_empty() {
            return Err(Error::invalid_shape(op, "empty input", &[0]));
        }
        let (tp, fp, pos) = count_labels(y_true, y_pred);
        Ok(Self::from_sums(tp, fp, pos, y_true.len() as u64))
    }

    /// The confusion from true positives, false positives, positives and sample count.
    pub(crate) fn from_sums(tp: u64, fp: u64, positives: u64, n: u64) -> Self {
        BinaryConfusion {
            tp,
            fp,
            tn: n - positives - fp,
            fn_: positives - tp,
        }
    }

    /// Counts agreements between true labels and scores binarised with `score > threshold`
    /// (a score exactly at the threshold is negative).
    ///
    /// torchmetrics equivalent: `binary_stat_scores(preds, target, threshold)` (also `>`).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the lengths differ; [`Error::InvalidShape`] when empty;
    /// [`Error::InvalidArgument`] when `threshold` is outside `[0, 1]` or a score is NaN.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::BinaryConfusion;
    /// let c = BinaryConfusion::from_scores(&[0.9, 0.5, 0.2], &[true, true, false], 0.5)?;
    /// assert_eq!((c.true_positives(), c.false_negatives(), c.true_negatives()), (1, 1, 1));
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn from_scores(scores: &[f32], y_true: &[bool], threshold: f32) -> Result<Self> {
        let op = "BinaryConfusion::from_scores";
        check_threshold(op, threshold)?;
        check_same_len(op, y_true.len(), scores.len())?;
        if scores.is_empty() {
            return Err(Error::invalid_shape(op, "empty input", &[0]));
        }
        let ((tp, fp, pos), nan) = count_scores(y_true, scores, threshold);
        if nan {
            return Err(crate::validate::nan_error(op, "scores"));
        }
        Ok(Self::from_sums(tp, fp, pos, scores.len() as u64))
    }

    /// True positives: positive samples predicted positive.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::BinaryConfusion::new(3, 1, 5, 1)?.true_positives(), 3);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn true_positives(&self) -> u64 {
        self.tp
    }

    /// False positives: negative samples predicted positive.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::BinaryConfusion::new(3, 1, 5, 1)?.false_positives(), 1);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn false_positives(&self) -> u64 {
        self.fp
    }

    /// True negatives: negative samples predicted negative.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::BinaryConfusion::new(3, 1, 5, 1)?.true_negatives(), 5);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn true_negatives(&self) -> u64 {
        self.tn
    }

    /// False negatives: positive samples predicted negative.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::BinaryConfusion::new(3, 1, 5, 2)?.false_negatives(), 2);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn false_negatives(&self) -> u64 {
        self.fn_
    }

    /// Number of samples, `TP + FP + TN + FN` (always at least 1).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::BinaryConfusion::new(3, 1, 5, 1)?.total(), 10);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn total(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }
}

/// Counts `(true positives, false positives, positives)`. Blocks of 255 samples are summed in
/// `u8` lanes (a block cannot overflow them): the loop vectorises to 16 or 32 samples per
/// instruction even on baseline x86-64, and runs at memory speed.
fn count_labels(y_true: &[bool], y_pred: &[bool]) -> (u64, u64, u64) {
    let (mut tp, mut fp, mut pos) = (0u64, 0u64, 0u64);
    for (t, p) in y_true.chunks(255).zip(y_pred.chunks(255)) {
        let (mut btp, mut bfp, mut bpos) = (0u8, 0u8, 0u8);
        for (&t, &p) in t.iter().zip(p) {
            btp += (t & p) as u8;
            bfp += (!t & p) as u8;
            bpos += t as u8;
        }
        (tp, fp, pos) = (tp + btp as u64, fp + bfp as u64, pos + bpos as u64);
    }
    (tp, fp, pos)
}

/// [`count_labels`] with the prediction `score > threshold`, and whether a score is NaN (NaN
/// compares false, so it would otherwise pass silently as a negative). Each block is first
/// binarised into a small buffer, then counted: two loops that each vectorise.
fn count_scores(y_true: &[bool], scores: &[f32], threshold: f32) -> ((u64, u64, u64), bool) {
    let (mut tp, mut fp, mut pos, mut nan) = (0u64, 0u64, 0u64, false);
    let mut pred = [false; 4096];
    for (t, s) in y_true.chunks(4096).zip(scores.chunks(4096)) {
        let mut block_nan = false;
        for (d, &v) in pred.iter_mut().zip(s) {
            *d = v > threshold;
            block_nan |= v.is_nan();
        }
        let (btp, bfp, bpos) = count_labels(t, &pred[..t.len()]);
        (tp, fp, pos) = (tp + btp, fp + bfp, pos + bpos);
        nan |= block_nan;
    }
    ((tp, fp, pos), nan)
}
