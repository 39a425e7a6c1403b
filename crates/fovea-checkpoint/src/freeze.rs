//! Freezing and unfreezing parameters by name pattern.

use fovea_autograd::name_matches;
use fovea_layers::Module;
use fovea_tensor::{Error, Result};

/// Freezes every parameter whose name matches one of `patterns` (`features.*`, `*.bias`):
/// it gets no gradient, the optimizer skips it, and it stays bit-identical through training.
/// Returns the names frozen.
///
/// PyTorch equivalent: `p.requires_grad_(False)` for the matching `named_parameters()`.
///
/// # Errors
/// [`Error::InvalidArgument`] when no pattern matches any parameter (almost always a typo).
///
/// # Example
/// ```
/// use fovea_layers::{LinearConfig, Sequential};
/// let mut rng = fovea_tensor::seeded_rng(0);
/// let net = Sequential::new()
///     .add("features", LinearConfig::new(4, 8).init(&mut rng)?)
///     .add("head", LinearConfig::new(8, 2).init(&mut rng)?);
/// let frozen = fovea_checkpoint::freeze(&net, &["features.*"])?;
/// assert_eq!(frozen, ["features.weight", "features.bias"]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn freeze(model: &dyn Module, patterns: &[&str]) -> Result<Vec<String>> {
    set_trainable(model, patterns, false, "freeze")
}

/// Unfreezes every parameter whose name matches one of `patterns`. Returns the names.
///
/// # Errors
/// [`Error::InvalidArgument`] when no pattern matches any parameter.
///
/// # Example
/// ```
/// use fovea_layers::LinearConfig;
/// let fc = LinearConfig::new(4, 2).init(&mut fovea_tensor::seeded_rng(0))?;
/// fovea_checkpoint::freeze(&fc, &["*"])?;
/// assert_eq!(fovea_checkpoint::unfreeze(&fc, &["*.bias", "bias"])?, ["bias"]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn unfreeze(model: &dyn Module, patterns: &[&str]) -> Result<Vec<String>> {
    set_trainable(model, patterns, true, "unfreeze")
}

fn set_trainable(
    model: &dyn Module,
    patterns: &[&str],
    trainable: bool,
    op: &str,
) -> Result<Vec<String>> {
    let params = model.parameters();
    let matched = |p: &&str| params.iter().any(|(n, _)| name_matches(p, n));
    // Several patterns may be given for models of different shapes; only when none of them
    // matches anything is it an error.
    if !patterns.iter().any(matched) {
        return Err(Error::invalid_argument(
            op,
            format!("patterns {patterns:?} match no parameter"),
        ));
    }
    let mut changed = Vec::new();
    for (name, var) in params {
        if patterns.iter().any(|p| name_matches(p, &name)) {
            var.set_requires_grad(trainable)?;
            changed.push(name);
        }
    }
    Ok(changed)
}
