//! Rates and scores computed from confusion matrices: recall (TPR), FPR, specificity (TNR), FNR,
//! precision, accuracy, balanced accuracy, F1 and F-beta, and their macro / micro / weighted
//! averages over classes. Every 0/0 is resolved by a [`ZeroDivision`] policy: nothing returns NaN.

use fovea_tensor::{Error, Result};

use crate::confusion::{BinaryConfusion, ConfusionMatrix};

/// The value a rate takes when it is 0/0 (e.g. precision with no predicted positive).
///
/// scikit-learn equivalent: the `zero_division` argument; its default `"warn"` returns 0 like
/// [`ZeroDivision::Zero`]. There is no NaN option: a metric here never returns NaN.
///
/// # Example
/// ```
/// use fovea_metrics::{BinaryConfusion, ZeroDivision};
/// let c = BinaryConfusion::new(0, 0, 4, 1)?; // nothing predicted positive
/// assert_eq!(c.precision(ZeroDivision::Zero), 0.0);
/// assert_eq!(c.precision(ZeroDivision::One), 1.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ZeroDivision {
    /// 0/0 counts as 0 (scikit-learn's default).
    #[default]
    Zero,
    /// 0/0 counts as 1.
    One,
}

impl ZeroDivision {
    /// The number a 0/0 rate takes.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::ZeroDivision::One.value(), 1.0);
    /// ```
    pub fn value(self) -> f64 {
        match self {
            ZeroDivision::Zero => 0.0,
            ZeroDivision::One => 1.0,
        }
    }

    /// `num / den`, or the policy's value when `den` is 0.
    fn divide(self, num: f64, den: f64) -> f64 {
        if den == 0.0 { self.value() } else { num / den }
    }
}

/// How per-class scores are combined into one number.
///
/// scikit-learn equivalent: the `average` argument (`"macro"`, `"micro"`, `"weighted"`).
///
/// # Example
/// ```
/// use fovea_metrics::{Average, ConfusionMatrix, ZeroDivision};
/// let cm = ConfusionMatrix::from_labels(&[0, 0, 0, 1], &[0, 0, 1, 1], 2)?;
/// // Micro-averaged precision of single-label data is the accuracy.
/// assert_eq!(cm.precision(Average::Micro, ZeroDivision::Zero), cm.accuracy());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Average {
    /// Unweighted mean of the per-class scores over all `num_classes` classes (a class with no
    /// sample on either side scores the [`ZeroDivision`] value, as scikit-learn with `labels=`).
    Macro,
    /// Score of the summed counts (TP, FP, FN summed over classes).
    Micro,
    /// Mean of the per-class scores weighted by support (true samples per class).
    Weighted,
}

/// The F-beta score from counts: `(1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP)`, which equals
/// `(1 + β²)·P·R / (β²·P + R)` wherever precision and recall are defined. Only 0/0 (no true and
/// no predicted positive) falls back to `zero_division`, as scikit-learn ≥ 1.3.
fn f_beta_from_counts(tp: f64, fp: f64, fn_: f64, beta: f64, zero_division: ZeroDivision) -> f64 {
    let b2 = beta * beta;
    zero_division.divide((1.0 + b2) * tp, (1.0 + b2) * tp + b2 * fn_ + fp)
}

fn check_beta(op: &str, beta: f64) -> Result<()> {
    if beta.is_finite() && beta >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            op,
            format!("beta {beta} must be finite and >= 0"),
        ))
    }
}

impl BinaryConfusion {
    /// Recall, also true positive rate (TPR) or sensitivity: `TP / (TP + FN)`.
    /// With no positive sample it is `zero_division`.
    ///
    /// scikit-learn: `recall_score`; torchmetrics: `BinaryRecall`.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{BinaryConfusion, ZeroDivision};
    /// assert_eq!(BinaryConfusion::new(3, 1, 5, 1)?.recall(ZeroDivision::Zero), 0.75);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn recall(&self, zero_division: ZeroDivision) -> f64 {
        let (tp, fn_) = (self.true_positives() as f64, self.false_negatives() as f64);
        zero_division.divide(tp, tp + fn_)
    }

    /// False positive rate (FPR, fall-out): `FP / (FP + TN)`. With no negative sample it is
    /// `zero_division`.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{BinaryConfusion, ZeroDivision};
    /// assert_eq!(BinaryConfusion::new(3, 1, 3, 1)?.false_positive_rate(ZeroDivision::Zero), 0.25);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn false_positive_rate(&self, zero_division: ZeroDivision) -> f64 {
        let (fp, tn) = (self.false_positives() as f64, self.true_negatives() as f64);
        zero_division.divide(fp, fp + tn)
    }

    /// Specificity, also true negative rate (TNR): `TN / (TN + FP)`. With no negative sample it
    /// is `zero_division`.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{BinaryConfusion, ZeroDivision};
    /// assert_eq!(BinaryConfusion::new(3, 1, 3, 1)?.specificity(ZeroDivision::Zero), 0.75);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn specificity(&self, zero_division: ZeroDivision) -> f64 {
        let (fp, tn) = (self.false_positives() as f64, self.true_negatives() as f64);
        zero_division.divide(tn, fp + tn)
    }

    /// False negative rate (FNR, miss rate): `FN / (FN + TP)`. With no positive sample it is
    /// `zero_division`.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{BinaryConfusion, ZeroDivision};
    /// assert_eq!(BinaryConfusion::new(3, 1, 5, 1)?.false_negative_rate(ZeroDivision::Zero), 0.25);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn false_negative_rate(&self, zero_division: ZeroDivision) -> f64 {
        let (tp, fn_) = (self.true_positives() as f64, self.false_negatives() as f64);
        zero_division.divide(fn_, tp + fn_)
    }

    /// Precision (positive predictive value): `TP / (TP + FP)`. With no predicted positive it is
    /// `zero_division`.
    ///
    /// scikit-learn: `precision_score`; torchmetrics: `BinaryPrecision`.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{BinaryConfusion, ZeroDivision};
    /// assert_eq!(BinaryConfusion::new(3, 1, 5, 1)?.precision(ZeroDivision::Zero), 0.75);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn precision(&self, zero_division: ZeroDivision) -> f64 {
        let (tp, fp) = (self.true_positives() as f64, self.false_positives() as f64);
        zero_division.divide(tp, tp + fp)
    }

    /// Accuracy: `(TP + TN) / total`; always defined (a confusion holds at least one sample).
    ///
    /// scikit-learn: `accuracy_score`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::BinaryConfusion::new(3, 1, 5, 1)?.accuracy(), 0.8);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn accuracy(&self) -> f64 {
        (self.true_positives() + self.true_negatives()) as f64 / self.total() as f64
    }

    /// Balanced accuracy: the mean of recall and specificity. When one class has no sample its
    /// rate is undefined and left out, so the result is the other rate (scikit-learn's
    /// `balanced_accuracy_score` does the same, with a warning).
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::BinaryConfusion;
    /// assert_eq!(BinaryConfusion::new(3, 1, 3, 1)?.balanced_accuracy(), 0.75);
    /// assert_eq!(BinaryConfusion::new(0, 1, 3, 0)?.balanced_accuracy(), 0.75); // no positive
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn balanced_accuracy(&self) -> f64 {
        let positives = self.true_positives() + self.false_negatives();
        let negatives = self.true_negatives() + self.false_positives();
        let tpr = self.true_positives() as f64 / positives as f64;
        let tnr = self.true_negatives() as f64 / negatives as f64;
        match (positives > 0, negatives > 0) {
            (true, true) => 0.5 * (tpr + tnr),
            (true, false) => tpr,
            // A confusion holds at least one sample, so one side is non-empty.
            _ => tnr,
        }
    }

    /// F1 score, the harmonic mean of precision and recall: `2PR / (P + R)`, computed as
    /// `2TP / (2TP + FP + FN)`. It is `zero_division` only with no true and no predicted
    /// positive; when precision alone is undefined (no predicted positive) F1 is 0.
    ///
    /// scikit-learn: `f1_score`.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{BinaryConfusion, ZeroDivision};
    /// let f1 = BinaryConfusion::new(3, 1, 5, 1)?.f1(ZeroDivision::Zero);
    /// assert!((f1 - 0.75).abs() < 1e-12);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn f1(&self, zero_division: ZeroDivision) -> f64 {
        self.f_beta_unchecked(1.0, zero_division)
    }

    /// F-beta score: `(1 + β²)·P·R / (β²·P + R)`, computed from counts as
    /// `(1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP)`; β > 1 weighs recall more. Degenerate cases as
    /// [`BinaryConfusion::f1`].
    ///
    /// scikit-learn: `fbeta_score`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `beta` is negative, infinite or NaN.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{BinaryConfusion, ZeroDivision};
    /// let c = BinaryConfusion::new(3, 1, 5, 1)?;
    /// assert!((c.f_beta(2.0, ZeroDivision::Zero)? - 0.75).abs() < 1e-12);
    /// assert!(c.f_beta(-1.0, ZeroDivision::Zero).is_err());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn f_beta(&self, beta: f64, zero_division: ZeroDivision) -> Result<f64> {
        check_beta("f_beta", beta)?;
        Ok(self.f_beta_unchecked(beta, zero_division))
    }

    fn f_beta_unchecked(&self, beta: f64, zero_division: ZeroDivision) -> f64 {
        f_beta_from_counts(
            self.true_positives() as f64,
            self.false_positives() as f64,
            self.false_negatives() as f64,
            beta,
            zero_division,
        )
    }
}

impl ConfusionMatrix {
    fn per_class_binary(&self) -> Vec<BinaryConfusion> {
        (0..self.num_classes())
            .map(|k| self.one_vs_rest(k).expect("internal: class in range"))
            .collect()
    }

    /// Combines per-class scores; `micro` is the score of the summed counts.
    fn average(&self, per_class: Vec<f64>, average: Average, micro: f64) -> f64 {
        match average {
            Average::Macro => per_class.iter().sum::<f64>() / per_class.len() as f64,
            Average::Micro => micro,
            Average::Weighted => {
                let support = self.support();
                let total: u64 = support.iter().sum();
                per_class
                    .iter()
                    .zip(&support)
                    .map(|(s, &w)| s * w as f64)
                    .sum::<f64>()
                    / total as f64
            }
        }
    }

    /// Micro-averaged (TP, FP, FN): summed over classes, for single-label data FP = FN =
    /// total − trace.
    fn micro_counts(&self) -> (f64, f64, f64) {
        let trace: u64 = (0..self.num_classes()).map(|k| self.counts()[[k, k]]).sum();
        let wrong = (self.total() - trace) as f64;
        (trace as f64, wrong, wrong)
    }

    /// Accuracy: the fraction of samples on the diagonal. scikit-learn: `accuracy_score`.
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_labels(&[0, 1, 2, 2], &[0, 2, 2, 1], 3)?;
    /// assert_eq!(cm.accuracy(), 0.5);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn accuracy(&self) -> f64 {
        self.micro_counts().0 / self.total() as f64
    }

    /// Balanced accuracy: the mean recall over the classes that have at least one true sample
    /// (classes without support are left out, as scikit-learn's `balanced_accuracy_score`).
    ///
    /// # Example
    /// ```
    /// let cm = fovea_metrics::ConfusionMatrix::from_labels(&[0, 0, 1, 1], &[0, 0, 0, 1], 3)?;
    /// assert_eq!(cm.balanced_accuracy(), 0.75); // class 2 has no sample: left out
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn balanced_accuracy(&self) -> f64 {
        let support = self.support();
        let recalls: Vec<f64> = (0..self.num_classes())
            .filter(|&k| support[k] > 0)
            .map(|k| self.counts()[[k, k]] as f64 / support[k] as f64)
            .collect();
        recalls.iter().sum::<f64>() / recalls.len() as f64
    }

    /// Precision of each class (one-vs-rest), `zero_division` for a class never predicted.
    ///
    /// scikit-learn: `precision_score(..., average=None, labels=range(n))`.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{ConfusionMatrix, ZeroDivision};
    /// let cm = ConfusionMatrix::from_labels(&[0, 1, 1], &[0, 0, 1], 2)?;
    /// assert_eq!(cm.precision_per_class(ZeroDivision::Zero), vec![0.5, 1.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn precision_per_class(&self, zero_division: ZeroDivision) -> Vec<f64> {
        self.per_class_binary()
            .iter()
            .map(|c| c.precision(zero_division))
            .collect()
    }

    /// Recall of each class (one-vs-rest), `zero_division` for a class with no true sample.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{ConfusionMatrix, ZeroDivision};
    /// let cm = ConfusionMatrix::from_labels(&[0, 1, 1], &[0, 0, 1], 2)?;
    /// assert_eq!(cm.recall_per_class(ZeroDivision::Zero), vec![1.0, 0.5]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn recall_per_class(&self, zero_division: ZeroDivision) -> Vec<f64> {
        self.per_class_binary()
            .iter()
            .map(|c| c.recall(zero_division))
            .collect()
    }

    /// F-beta of each class (one-vs-rest); see [`BinaryConfusion::f_beta`].
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `beta` is negative, infinite or NaN.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{ConfusionMatrix, ZeroDivision};
    /// let cm = ConfusionMatrix::from_labels(&[0, 1, 1], &[0, 0, 1], 2)?;
    /// let f1 = cm.f_beta_per_class(1.0, ZeroDivision::Zero)?;
    /// assert!((f1[0] - 2.0 / 3.0).abs() < 1e-12 && (f1[1] - 2.0 / 3.0).abs() < 1e-12);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn f_beta_per_class(&self, beta: f64, zero_division: ZeroDivision) -> Result<Vec<f64>> {
        check_beta("f_beta_per_class", beta)?;
        Ok(self
            .per_class_binary()
            .iter()
            .map(|c| c.f_beta_unchecked(beta, zero_division))
            .collect())
    }

    /// Averaged precision. scikit-learn: `precision_score(..., average=...)`.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{Average, ConfusionMatrix, ZeroDivision};
    /// let cm = ConfusionMatrix::from_labels(&[0, 1, 1], &[0, 0, 1], 2)?;
    /// assert_eq!(cm.precision(Average::Macro, ZeroDivision::Zero), 0.75);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn precision(&self, average: Average, zero_division: ZeroDivision) -> f64 {
        let (tp, fp, _) = self.micro_counts();
        let micro = zero_division.divide(tp, tp + fp);
        self.average(self.precision_per_class(zero_division), average, micro)
    }

    /// Averaged recall. scikit-learn: `recall_score(..., average=...)`; macro recall is the
    /// balanced accuracy when every class has support.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{Average, ConfusionMatrix, ZeroDivision};
    /// let cm = ConfusionMatrix::from_labels(&[0, 1, 1], &[0, 0, 1], 2)?;
    /// assert_eq!(cm.recall(Average::Macro, ZeroDivision::Zero), 0.75);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn recall(&self, average: Average, zero_division: ZeroDivision) -> f64 {
        let (tp, _, fn_) = self.micro_counts();
        let micro = zero_division.divide(tp, tp + fn_);
        self.average(self.recall_per_class(zero_division), average, micro)
    }

    /// Averaged F1. scikit-learn: `f1_score(..., average=...)`.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{Average, ConfusionMatrix, ZeroDivision};
    /// let cm = ConfusionMatrix::from_labels(&[0, 1, 1], &[0, 0, 1], 2)?;
    /// assert!((cm.f1(Average::Macro, ZeroDivision::Zero) - 2.0 / 3.0).abs() < 1e-12);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn f1(&self, average: Average, zero_division: ZeroDivision) -> f64 {
        self.f_beta(1.0, average, zero_division)
            .expect("internal: beta 1 is valid")
    }

    /// Averaged F-beta. scikit-learn: `fbeta_score(..., beta=beta, average=...)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `beta` is negative, infinite or NaN.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{Average, ConfusionMatrix, ZeroDivision};
    /// let cm = ConfusionMatrix::from_labels(&[0, 1, 1], &[0, 0, 1], 2)?;
    /// let micro = cm.f_beta(0.5, Average::Micro, ZeroDivision::Zero)?;
    /// assert!((micro - cm.accuracy()).abs() < 1e-12);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn f_beta(&self, beta: f64, average: Average, zero_division: ZeroDivision) -> Result<f64> {
        let per_class = self.f_beta_per_class(beta, zero_division)?;
        let (tp, fp, fn_) = self.micro_counts();
        let micro = f_beta_from_counts(tp, fp, fn_, beta, zero_division);
        Ok(self.average(per_class, average, micro))
    }
}
