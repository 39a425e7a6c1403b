//! Loading named tensors into a model: strict by default, partial with a report.

use std::collections::HashSet;

use fovea_layers::Module;
use fovea_optim::NamedTensor;
use fovea_tensor::{Error, Result};

use crate::checkpoint::Checkpoint;

/// What a load did, name by name.
///
/// # Example
/// See [`Checkpoint::load_partial`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Parameters whose values were set.
    pub loaded: Vec<String>,
    /// Model parameters the checkpoint lacks (left as they were).
    pub missing: Vec<String>,
    /// Checkpoint tensors the model has no parameter for (ignored).
    pub unexpected: Vec<String>,
    /// Names present on both sides with different shapes: (name, model shape, checkpoint shape).
    pub shape_mismatched: Vec<(String, Vec<usize>, Vec<usize>)>,
}

impl LoadReport {
    /// True when every parameter was loaded and nothing was left over.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_checkpoint::LoadReport::default().is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.shape_mismatched.is_empty()
    }
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "loaded {}, missing {:?}, unexpected {:?}",
            self.loaded.len(),
            self.missing,
            self.unexpected
        )?;
        for (n, m, c) in &self.shape_mismatched {
            write!(f, ", {n}: model {m:?} vs checkpoint {c:?}")?;
        }
        Ok(())
    }
}

/// Compares names and shapes without touching the model.
pub(crate) fn plan(model: &dyn Module, tensors: &[NamedTensor]) -> LoadReport {
    let params = model.parameters();
    let names: HashSet<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    let mut report = LoadReport::default();
    for (name, var) in &params {
        match tensors.iter().find(|t| &t.name == name) {
            None => report.missing.push(name.clone()),
            Some(t) if t.shape != var.shape() => {
                report
                    .shape_mismatched
                    .push((name.clone(), var.shape(), t.shape.clone()))
            }
            Some(_) => report.loaded.push(name.clone()),
        }
    }
    report.unexpected = tensors
        .iter()
        .filter(|t| !names.contains(t.name.as_str()))
        .map(|t| t.name.clone())
        .collect();
    report
}

/// Sets every parameter named in `report.loaded` from `tensors`.
pub(crate) fn apply(
    model: &dyn Module,
    tensors: &[NamedTensor],
    report: &LoadReport,
) -> Result<()> {
    for (name, var) in model.parameters() {
        if report.loaded.contains(&name) {
            let t = tensors
                .iter()
                .find(|t| t.name == name)
                .expect("internal: planned");
            var.set_value(t.to_tensor()?)?;
        }
    }
    Ok(())
}

impl Checkpoint {
    /// Loads every parameter of `model` from this checkpoint, strictly: the names and shapes
    /// must match exactly, otherwise nothing is changed.
    ///
    /// PyTorch equivalent: `model.load_state_dict(state, strict=True)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] listing the missing, unexpected and shape-mismatched names.
    ///
    /// # Example
    /// See [`Checkpoint`].
    pub fn load_into(&self, model: &dyn Module) -> Result<LoadReport> {
        let report = plan(model, &self.tensors);
        if !report.is_complete() {
            return Err(Error::invalid_argument(
                "checkpoint load (strict)",
                format!("names or shapes differ: {report}"),
            ));
        }
        apply(model, &self.tensors, &report)?;
        Ok(report)
    }

    /// Loads what fits and reports the rest: parameters with a matching name and shape are set;
    /// missing, unexpected and shape-mismatched names are listed and left alone. This is how a
    /// pretrained backbone is loaded under a new classifier head.
    ///
    /// PyTorch equivalent: `model.load_state_dict(state, strict=False)` (which, unlike fovea,
    /// fails on shape mismatches).
    ///
    /// # Errors
    /// Only when a stored tensor's data does not fill its own shape (a corrupted record).
    ///
    /// # Example
    /// ```
    /// use fovea_checkpoint::{Checkpoint, Metadata};
    /// use fovea_layers::{LinearConfig, Sequential};
    /// let mut rng = fovea_tensor::seeded_rng(0);
    /// let old = Sequential::new()
    ///     .add("backbone", LinearConfig::new(4, 8).init(&mut rng)?)
    ///     .add("head", LinearConfig::new(8, 5).init(&mut rng)?);
    /// let new = Sequential::new()
    ///     .add("backbone", LinearConfig::new(4, 8).init(&mut rng)?)
    ///     .add("head", LinearConfig::new(8, 3).init(&mut rng)?);
    /// let report = Checkpoint::from_module(&old, Metadata::new("old")).load_partial(&new)?;
    /// assert_eq!(report.loaded, ["backbone.weight", "backbone.bias"]);
    /// assert_eq!(report.shape_mismatched.len(), 2);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn load_partial(&self, model: &dyn Module) -> Result<LoadReport> {
        let report = plan(model, &self.tensors);
        apply(model, &self.tensors, &report)?;
        Ok(report)
    }
}
