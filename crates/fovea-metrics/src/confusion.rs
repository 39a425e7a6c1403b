//! Confusion matrices: [`BinaryConfusion`] (TP/FP/TN/FN) and the multiclass [`ConfusionMatrix`],
//! built from labels or from scores. The rates and averages computed from them live in
//! `classification.rs`.

use fovea_tensor::{Error, Result};
use ndarray::{Array2, ArrayView2};

use crate::validate::{check_same_len, check_threshold};

/// The four counts of a binary classification: true/false positives and negatives.
///
/// Built with [`BinaryConfusion::from_labels`], [`BinaryConfusion::from_scores`],
/// [`BinaryConfusion::new`] or [`ConfusionMatrix::one_vs_rest`]; it always holds at least one
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
    fn from_sums(tp: u64, fp: u64, positives: u64, n: u64) -> Self {
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

/// Counts `(true positives, false positives, positives)`, in blocks of 4096 with 32-bit lanes
/// so the inner loop vectorises and runs at memory speed.
fn count_labels(y_true: &[bool], y_pred: &[bool]) -> (u64, u64, u64) {
    let (mut tp, mut fp, mut pos) = (0u64, 0u64, 0u64);
    for (t, p) in y_true.chunks(4096).zip(y_pred.chunks(4096)) {
        let (mut btp, mut bfp, mut bpos) = (0u32, 0u32, 0u32);
        for (&t, &p) in t.iter().zip(p) {
            btp += (t & p) as u32;
            bfp += (!t & p) as u32;
            bpos += t as u32;
        }
        (tp, fp, pos) = (tp + btp as u64, fp + bfp as u64, pos + bpos as u64);
    }
    (tp, fp, pos)
}

/// [`count_labels`] with the prediction `score > threshold`, and whether a score is NaN (NaN
/// compares false, so it would otherwise pass silently as a negative).
fn count_scores(y_true: &[bool], scores: &[f32], threshold: f32) -> ((u64, u64, u64), bool) {
    let (mut tp, mut fp, mut pos, mut nan) = (0u64, 0u64, 0u64, false);
    for (t, s) in y_true.chunks(4096).zip(scores.chunks(4096)) {
        let (mut btp, mut bfp, mut bpos, mut bnan) = (0u32, 0u32, 0u32, false);
        for (&t, &s) in t.iter().zip(s) {
            let p = s > threshold;
            btp += (t & p) as u32;
            bfp += (!t & p) as u32;
            bpos += t as u32;
            bnan |= s.is_nan();
        }
        (tp, fp, pos) = (tp + btp as u64, fp + bfp as u64, pos + bpos as u64);
        nan |= bnan;
    }
    ((tp, fp, pos), nan)
}

/// A multiclass confusion matrix: `counts[[t, p]]` is the number of samples of true class `t`
/// predicted as class `p` (rows are truth, columns are predictions, as scikit-learn).
///
/// scikit-learn equivalent: `confusion_matrix(y_true, y_pred, labels=range(num_classes))`.
///
/// # Example
/// ```
/// use fovea_metrics::ConfusionMatrix;
/// let cm = ConfusionMatrix::from_labels(&[0, 1, 2, 2], &[0, 2, 2, 1], 3)?;
/// assert_eq!(cm.counts()[[2, 1]], 1);
/// assert_eq!(cm.support(), vec![1, 1, 2]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    counts: Array2<u64>,
}

impl ConfusionMatrix {
    /// Counts (true, predicted) class pairs; classes are `0..num_classes`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the lengths differ; [`Error::InvalidShape`] when empty;
    /// [`Error::InvalidArgument`] when `num_classes` is 0 or a label is `>= num_classes`.
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_labels(&[0, 1], &[1, 1], 2)?;
    /// assert_eq!(cm.counts()[[0, 1]], 1);
    /// assert!(fovea_metrics::ConfusionMatrix::from_labels(&[0, 5], &[1, 1], 2).is_err());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn from_labels(y_true: &[usize], y_pred: &[usize], num_classes: usize) -> Result<Self> {
        let op = "ConfusionMatrix::from_labels";
        check_same_len(op, y_true.len(), y_pred.len())?;
        if y_true.is_empty() {
            return Err(Error::invalid_shape(op, "empty input", &[0]));
        }
        if num_classes == 0 {
            return Err(Error::invalid_argument(op, "num_classes is 0"));
        }
        let mut counts = vec![0u64; num_classes * num_classes];
        for (&t, &p) in y_true.iter().zip(y_pred) {
            if t >= num_classes || p >= num_classes {
                return Err(Error::invalid_argument(
                    op,
                    format!("label {} is not below num_classes {num_classes}", t.max(p)),
                ));
            }
            counts[t * num_classes + p] += 1;
        }
        let counts = Array2::from_shape_vec((num_classes, num_classes), counts)
            .expect("internal: n*n counts");
        Ok(ConfusionMatrix { counts })
    }

    /// Counts true classes against the arg-max of `scores` (`[samples, classes]`); a tie goes to
    /// the lowest class index, as `numpy.argmax` and `torch.argmax`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `scores` has not one row per label; [`Error::InvalidShape`]
    /// when empty; [`Error::InvalidArgument`] when a score is NaN or a label is out of range.
    ///
    /// # Example
    /// ```
    /// let scores = ndarray::array![[0.1f32, 0.7, 0.2], [0.5, 0.5, 0.0]];
    /// let cm = fovea_metrics::ConfusionMatrix::from_scores(scores.view(), &[1, 1])?;
    /// assert_eq!(cm.counts()[[1, 1]], 1); // first row: argmax 1
    /// assert_eq!(cm.counts()[[1, 0]], 1); // second row: tie, lowest index 0
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn from_scores(scores: ArrayView2<f32>, y_true: &[usize]) -> Result<Self> {
        let op = "ConfusionMatrix::from_scores";
        let (rows, classes) = scores.dim();
        if rows != y_true.len() {
            return Err(Error::shape_mismatch(
                op,
                "scores need one row per label",
                &[rows, classes],
                &[y_true.len()],
            ));
        }
        if rows == 0 || classes == 0 {
            return Err(Error::invalid_shape(op, "empty input", &[rows, classes]));
        }
        let mut pred = Vec::with_capacity(rows);
        for row in scores.rows() {
            let mut best = 0;
            for (k, &v) in row.iter().enumerate() {
                if v.is_nan() {
                    return Err(crate::validate::nan_error(op, "scores"));
                }
                if v > row[best] {
                    best = k;
                }
            }
            pred.push(best);
        }
        Self::from_labels(y_true, &pred, classes).map_err(|e| e.in_context(op))
    }

    /// A confusion matrix from a square table of counts (rows truth, columns prediction).
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when `counts` is not square or has no row;
    /// [`Error::InvalidArgument`] when all counts are 0.
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_counts(ndarray::array![[5, 1], [2, 7]])?;
    /// assert_eq!(cm.total(), 15);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn from_counts(counts: Array2<u64>) -> Result<Self> {
        let op = "ConfusionMatrix::from_counts";
        let (r, c) = counts.dim();
        if r != c || r == 0 {
            return Err(Error::invalid_shape(
                op,
                "counts must be square and non-empty",
                &[r, c],
            ));
        }
        if counts.sum() == 0 {
            return Err(Error::invalid_argument(op, "all counts are 0 (no sample)"));
        }
        Ok(ConfusionMatrix { counts })
    }

    /// Number of classes (rows of the matrix).
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_labels(&[0], &[0], 4)?;
    /// assert_eq!(cm.num_classes(), 4);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn num_classes(&self) -> usize {
        self.counts.nrows()
    }

    /// The counts, `[true class, predicted class]`.
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_labels(&[1], &[0], 2)?;
    /// assert_eq!(cm.counts(), ndarray::array![[0u64, 0], [1, 0]]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn counts(&self) -> ArrayView2<'_, u64> {
        self.counts.view()
    }

    /// Number of samples.
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_labels(&[1, 0], &[0, 0], 2)?;
    /// assert_eq!(cm.total(), 2);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn total(&self) -> u64 {
        self.counts.sum()
    }

    /// Samples of each true class (row sums); scikit-learn calls it `support`.
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_labels(&[1, 1, 0], &[0, 1, 0], 3)?;
    /// assert_eq!(cm.support(), vec![1, 2, 0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn support(&self) -> Vec<u64> {
        self.counts.rows().into_iter().map(|r| r.sum()).collect()
    }

    /// Samples predicted as each class (column sums).
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_labels(&[1, 1, 0], &[0, 1, 0], 3)?;
    /// assert_eq!(cm.predicted_counts(), vec![2, 1, 0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn predicted_counts(&self) -> Vec<u64> {
        self.counts.columns().into_iter().map(|c| c.sum()).collect()
    }

    /// The binary confusion of `class` against all other classes (one-vs-rest).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `class >= num_classes`.
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_labels(&[0, 1, 2, 2], &[0, 2, 2, 1], 3)?;
    /// let c2 = cm.one_vs_rest(2)?;
    /// assert_eq!((c2.true_positives(), c2.false_positives(), c2.false_negatives()), (1, 1, 1));
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn one_vs_rest(&self, class: usize) -> Result<BinaryConfusion> {
        let n = self.num_classes();
        if class >= n {
            return Err(Error::invalid_argument(
                "ConfusionMatrix::one_vs_rest",
                format!("class {class} is not below num_classes {n}"),
            ));
        }
        let tp = self.counts[[class, class]];
        let support = self.counts.row(class).sum();
        let predicted = self.counts.column(class).sum();
        let fp = predicted - tp;
        let fn_ = support - tp;
        Ok(BinaryConfusion {
            tp,
            fp,
            tn: self.total() - tp - fp - fn_,
            fn_,
        })
    }
}
