//! A printable per-class report (precision, recall, F1, support), laid out character for
//! character like scikit-learn's `classification_report`.

use std::fmt;

use fovea_tensor::{Error, Result};

use crate::averages::Average;
use crate::confusion::ConfusionMatrix;
use crate::rates::ZeroDivision;

/// Options of [`ClassificationReport::new`].
///
/// # Example
/// ```
/// let options = fovea_metrics::ReportOptions::default().with_digits(3);
/// assert_eq!(options.digits, 3);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportOptions {
    /// Names printed for the classes; `None` prints the class indices. Default `None`.
    pub target_names: Option<Vec<String>>,
    /// Digits after the decimal point. Default 2 (scikit-learn's default).
    pub digits: usize,
    /// Value of undefined precisions / recalls / F1 scores. Default [`ZeroDivision::Zero`].
    pub zero_division: ZeroDivision,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            target_names: None,
            digits: 2,
            zero_division: ZeroDivision::Zero,
        }
    }
}

impl ReportOptions {
    /// Sets [`ReportOptions::target_names`].
    ///
    /// # Example
    /// ```
    /// let o = fovea_metrics::ReportOptions::default().with_target_names(&["cat", "dog"]);
    /// assert_eq!(o.target_names.unwrap()[1], "dog");
    /// ```
    pub fn with_target_names(mut self, names: &[&str]) -> Self {
        self.target_names = Some(names.iter().map(|s| s.to_string()).collect());
        self
    }

    /// Sets [`ReportOptions::digits`].
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::ReportOptions::default().with_digits(4).digits, 4);
    /// ```
    pub fn with_digits(mut self, digits: usize) -> Self {
        self.digits = digits;
        self
    }

    /// Sets [`ReportOptions::zero_division`].
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{ReportOptions, ZeroDivision};
    /// let o = ReportOptions::default().with_zero_division(ZeroDivision::One);
    /// assert_eq!(o.zero_division, ZeroDivision::One);
    /// ```
    pub fn with_zero_division(mut self, zero_division: ZeroDivision) -> Self {
        self.zero_division = zero_division;
        self
    }
}

/// One line of a [`ClassificationReport`].
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRow {
    /// The class name, or `macro avg` / `weighted avg`.
    pub name: String,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1 score.
    pub f1: f64,
    /// Number of true samples.
    pub support: u64,
}

/// Per-class precision, recall, F1 and support, with accuracy and the macro and weighted
/// averages; `Display` prints it like scikit-learn's `classification_report`.
///
/// # Example
/// ```
/// use fovea_metrics::{ClassificationReport, ConfusionMatrix, ReportOptions};
/// let cm = ConfusionMatrix::from_labels(&[0, 1, 2, 2, 2], &[0, 0, 2, 2, 1], 3)?;
/// let report = ClassificationReport::new(&cm, &ReportOptions::default())?;
/// let expected = "              precision    recall  f1-score   support
///
///            0       0.50      1.00      0.67         1
///            1       0.00      0.00      0.00         1
///            2       1.00      0.67      0.80         3
///
///     accuracy                           0.60         5
///    macro avg       0.50      0.56      0.49         5
/// weighted avg       0.70      0.60      0.61         5
/// ";
/// assert_eq!(report.to_string(), expected);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ClassificationReport {
    /// One row per class.
    pub classes: Vec<ReportRow>,
    /// Fraction of correct predictions.
    pub accuracy: f64,
    /// Unweighted mean over classes.
    pub macro_avg: ReportRow,
    /// Support-weighted mean over classes.
    pub weighted_avg: ReportRow,
    /// Number of samples.
    pub total: u64,
    /// Digits printed after the decimal point.
    pub digits: usize,
}

impl ClassificationReport {
    /// Builds the report of a confusion matrix.
    ///
    /// scikit-learn equivalent: `classification_report(y_true, y_pred, labels=range(n),
    /// target_names=..., digits=..., zero_division=...)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `target_names` has not one name per class.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{ClassificationReport, ConfusionMatrix, ReportOptions};
    /// let cm = ConfusionMatrix::from_labels(&[0, 1], &[0, 1], 2)?;
    /// let options = ReportOptions::default().with_target_names(&["cat", "dog"]);
    /// let report = ClassificationReport::new(&cm, &options)?;
    /// assert_eq!(report.classes[1].name, "dog");
    /// assert!(ClassificationReport::new(&cm, &ReportOptions::default().with_target_names(&["x"])).is_err());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn new(confusion: &ConfusionMatrix, options: &ReportOptions) -> Result<Self> {
        let n = confusion.num_classes();
        let names: Vec<String> = match &options.target_names {
            Some(names) if names.len() != n => {
                return Err(Error::invalid_argument(
                    "ClassificationReport::new",
                    format!("{} target names for {n} classes", names.len()),
                ));
            }
            Some(names) => names.clone(),
            None => (0..n).map(|k| k.to_string()).collect(),
        };
        let zd = options.zero_division;
        let precision = confusion.precision_per_class(zd);
        let recall = confusion.recall_per_class(zd);
        let f1 = confusion
            .f_beta_per_class(1.0, zd)
            .expect("internal: beta 1 is valid");
        let support = confusion.support();
        let classes = (0..n)
            .map(|k| ReportRow {
                name: names[k].clone(),
                precision: precision[k],
                recall: recall[k],
                f1: f1[k],
                support: support[k],
            })
            .collect();
        let total = confusion.total();
        let avg_row = |name: &str, average: Average| ReportRow {
            name: name.to_string(),
            precision: confusion.precision(average, zd),
            recall: confusion.recall(average, zd),
            f1: confusion.f1(average, zd),
            support: total,
        };
        Ok(ClassificationReport {
            classes,
            accuracy: confusion.accuracy(),
            macro_avg: avg_row("macro avg", Average::Macro),
            weighted_avg: avg_row("weighted avg", Average::Weighted),
            total,
            digits: options.digits,
        })
    }
}

impl fmt::Display for ClassificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Column layout of scikit-learn: a name column as wide as the longest name (at least
        // "weighted avg"), then four right-aligned columns of width 9, each after one space.
        let d = self.digits;
        let w = self
            .classes
            .iter()
            .map(|r| r.name.chars().count())
            .max()
            .unwrap_or(0)
            .max("weighted avg".len())
            .max(d);
        let headers = ["precision", "recall", "f1-score", "support"];
        write!(f, "{:>w$} ", "")?;
        for h in headers {
            write!(f, " {h:>9}")?;
        }
        writeln!(f, "\n")?;
        let row = |f: &mut fmt::Formatter<'_>, r: &ReportRow| {
            writeln!(
                f,
                "{:>w$}  {:>9.d$} {:>9.d$} {:>9.d$} {:>9}",
                r.name, r.precision, r.recall, r.f1, r.support
            )
        };
        for r in &self.classes {
            row(f, r)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:>w$}  {:>9} {:>9} {:>9.d$} {:>9}",
            "accuracy", "", "", self.accuracy, self.total
        )?;
        row(f, &self.macro_avg)?;
        row(f, &self.weighted_avg)
    }
}
