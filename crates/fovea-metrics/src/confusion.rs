//! The multiclass [`ConfusionMatrix`] (rows truth, columns prediction), built from labels,
//! from arg-max scores or from counts. Its averaged scores live in `averages.rs`.

use fovea_tensor::{Error, Result};
use ndarray::{Array2, ArrayView2};

use crate::binary_confusion::BinaryConfusion;
use crate::validate::check_same_len;

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
        Ok(BinaryConfusion::from_sums(
            tp,
            predicted - tp,
            support,
            self.total(),
        ))
    }
}
