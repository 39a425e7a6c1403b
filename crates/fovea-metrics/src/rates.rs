//! Rates of a [`BinaryConfusion`]: recall (TPR), FPR, specificity (TNR), FNR, precision,
//! accuracy, balanced accuracy, F1 and F-beta. Every 0/0 is resolved by a [`ZeroDivision`]
//! policy: nothing returns NaN.

use fovea_tensor::{Error, Result};

use crate::binary_confusion::BinaryConfusion;

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
    pub(crate) fn divide(self, num: f64, den: f64) -> f64 {
        if den == 0.0 { self.value() } else { num / den }
    }
}

/// The F-beta score from counts: `(1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP)`, which equals
/// `(1 + β²)·P·R / (β²·P + R)` wherever precision and recall are defined. Only 0/0 (no true and
/// no predicted positive) falls back to `zero_division`, as scikit-learn ≥ 1.3.
pub(crate) fn f_beta_from_counts(
    tp: f64,
    fp: f64,
    fn_: f64,
    beta: f64,
    zero_division: ZeroDivision,
) -> f64 {
    let b2 = beta * beta;
    zero_division.divide((1.0 + b2) * tp, (1.0 + b2) * tp + b2 * fn_ + fp)
}

pub(crate) fn check_beta(op: &str, beta: f64) -> Result<()> {
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

    pub(crate) fn f_beta_unchecked(&self, beta: f64, zero_division: ZeroDivision) -> f64 {
        f_beta_from_counts(
            self.true_positives() as f64,
            self.false_positives() as f64,
            self.false_negatives() as f64,
            beta,
            zero_division,
        )
    }
}
