//! Scores of a multiclass [`ConfusionMatrix`]: accuracy, balanced accuracy, and per-class or
//! macro / micro / weighted averaged precision, recall, F1 and F-beta, as scikit-learn.

use fovea_tensor::Result;

use crate::binary_confusion::BinaryConfusion;
use crate::confusion::ConfusionMatrix;
use crate::rates::{ZeroDivision, check_beta, f_beta_from_counts};

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
    /// [`Error::InvalidArgument`](fovea_tensor::Error::InvalidArgument) when `beta` is negative, infinite or NaN.
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
    /// [`Error::InvalidArgument`](fovea_tensor::Error::InvalidArgument) when `beta` is negative, infinite or NaN.
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
