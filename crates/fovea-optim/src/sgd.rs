//! [`Sgd`]: stochastic gradient descent over named parameters, with parameter groups.

use std::collections::HashMap;

use fovea_autograd::{Gradients, Var, name_matches};
use fovea_tensor::{Error, Result, Tensor};

use crate::sgd_step::{Momentum, SgdHyper, sgd_step_in_place};
use crate::state::{NamedTensor, SgdState};

/// Default hyper-parameters of [`Sgd`], with PyTorch's defaults (no momentum, dampening 0,
/// no weight decay).
///
/// # Example
/// ```
/// let c = fovea_optim::SgdConfig::new(0.01).with_momentum(0.9).with_weight_decay(5e-4);
/// assert_eq!(c.momentum.coefficient(), 0.9);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdConfig {
    /// Base learning rate (schedules change it; groups scale it).
    pub lr: f32,
    /// Momentum variant.
    pub momentum: Momentum,
    /// L2 penalty `wd` (gradient += wd·p).
    pub weight_decay: f32,
}

impl SgdConfig {
    /// Plain SGD with learning rate `lr`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_optim::SgdConfig::new(0.1).lr, 0.1);
    /// ```
    pub fn new(lr: f32) -> Self {
        SgdConfig {
            lr,
            momentum: Momentum::None,
            weight_decay: 0.0,
        }
    }

    /// Classic momentum μ with dampening 0 (PyTorch's default).
    ///
    /// # Example
    /// ```
    /// let c = fovea_optim::SgdConfig::new(0.1).with_momentum(0.9);
    /// assert_eq!(c.momentum, fovea_optim::Momentum::Classic { momentum: 0.9, dampening: 0.0 });
    /// ```
    pub fn with_momentum(mut self, momentum: f32) -> Self {
        self.momentum = Momentum::Classic {
            momentum,
            dampening: 0.0,
        };
        self
    }

    /// Sets the momentum variant explicitly (e.g. classic with dampening, or Nesterov).
    ///
    /// # Example
    /// ```
    /// use fovea_optim::{Momentum, SgdConfig};
    /// let c = SgdConfig::new(0.1).with_momentum_kind(Momentum::Nesterov { momentum: 0.9 });
    /// assert_eq!(c.momentum.coefficient(), 0.9);
    /// ```
    pub fn with_momentum_kind(mut self, momentum: Momentum) -> Self {
        self.momentum = momentum;
        self
    }

    /// L2 weight decay `wd` (gradient += wd·p).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_optim::SgdConfig::new(0.1).with_weight_decay(1e-4).weight_decay, 1e-4);
    /// ```
    pub fn with_weight_decay(mut self, weight_decay: f32) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    fn validate(&self, op: &str) -> Result<()> {
        let bad = |reason: String| Err(Error::invalid_argument(op, reason));
        if !(self.lr.is_finite() && self.lr >= 0.0) {
            return bad(format!(
                "learning rate must be finite and >= 0, got {}",
                self.lr
            ));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!(
                "weight decay must be finite and >= 0, got {}",
                self.weight_decay
            ));
        }
        validate_momentum(op, &self.momentum)
    }
}

fn validate_momentum(op: &str, m: &Momentum) -> Result<()> {
    let ok = match *m {
        Momentum::None => true,
        Momentum::Classic {
            momentum,
            dampening,
        } => momentum.is_finite() && momentum >= 0.0 && (0.0..=1.0).contains(&dampening),
        Momentum::Nesterov { momentum } => momentum.is_finite() && momentum > 0.0,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            op,
            format!(
                "invalid momentum {m:?} (momentum >= 0, dampening in [0, 1], Nesterov needs momentum > 0)"
            ),
        ))
    }
}

/// Settings for the parameters whose names match any of `patterns` (`*` and `?` wildcards).
/// The first group that matches a parameter applies; unmatched parameters use the
/// [`SgdConfig`].
///
/// PyTorch equivalent: a parameter group (`optimizer.param_groups`) built by name.
///
/// # Example
/// ```
/// use fovea_optim::ParamGroup;
/// // No weight decay on biases; a 10x smaller learning rate for the backbone.
/// let no_decay = ParamGroup::matching(&["*.bias", "*prelu*"]).with_weight_decay(0.0);
/// let backbone = ParamGroup::matching(&["features.*"]).with_lr_scale(0.1);
/// assert!(no_decay.matches("classifier.fc1.bias"));
/// assert!(!backbone.matches("classifier.fc1.weight"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ParamGroup {
    /// Name patterns.
    pub patterns: Vec<String>,
    /// Multiplier of the base learning rate.
    pub lr_scale: f32,
    /// Weight decay for the group (default: the config's).
    pub weight_decay: Option<f32>,
    /// Momentum for the group (default: the config's).
    pub momentum: Option<Momentum>,
}

impl ParamGroup {
    /// A group for the names matching any of `patterns`, with the default settings.
    ///
    /// # Example
    /// See [`ParamGroup`].
    pub fn matching(patterns: &[&str]) -> Self {
        ParamGroup {
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
            lr_scale: 1.0,
            weight_decay: None,
            momentum: None,
        }
    }

    /// Scales the learning rate of this group.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_optim::ParamGroup::matching(&["*"]).with_lr_scale(0.1).lr_scale, 0.1);
    /// ```
    pub fn with_lr_scale(mut self, scale: f32) -> Self {
        self.lr_scale = scale;
        self
    }

    /// Sets this group's weight decay.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_optim::ParamGroup::matching(&["*"]).with_weight_decay(0.0).weight_decay, Some(0.0));
    /// ```
    pub fn with_weight_decay(mut self, weight_decay: f32) -> Self {
        self.weight_decay = Some(weight_decay);
        self
    }

    /// Sets this group's momentum.
    ///
    /// # Example
    /// ```
    /// let g = fovea_optim::ParamGroup::matching(&["*"]).with_momentum(fovea_optim::Momentum::None);
    /// assert_eq!(g.momentum, Some(fovea_optim::Momentum::None));
    /// ```
    pub fn with_momentum(mut self, momentum: Momentum) -> Self {
        self.momentum = Some(momentum);
        self
    }

    /// True when `name` matches one of the patterns.
    ///
    /// # Example
    /// See [`ParamGroup`].
    pub fn matches(&self, name: &str) -> bool {
        self.patterns.iter().any(|p| name_matches(p, name))
    }
}

/// Stochastic gradient descent exactly as `torch.optim.SGD` (see [`crate::sgd_step()`]), over named
/// parameters, with parameter groups. Parameters that are frozen (`requires_grad` false) or got
/// no gradient are skipped entirely: no weight decay, no momentum buffer, not a bit changed.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_optim::{Sgd, SgdConfig};
/// use fovea_tensor::Tensor;
/// let w = Var::parameter(Tensor::full(&[1], 3.0));
/// let mut opt = Sgd::new(vec![("w".into(), w.clone())], SgdConfig::new(0.1).with_momentum(0.9))?;
/// for _ in 0..100 {
///     let grads = (&w * &w).sum_all().backward()?; // minimise w²
///     opt.step(&grads)?;
/// }
/// assert!(w.value().to_vec()[0].abs() < 0.05);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub struct Sgd {
    params: Vec<(String, Var)>,
    config: SgdConfig,
    groups: Vec<ParamGroup>,
    lr: f32,
    buffers: HashMap<String, Tensor>,
    steps: u64,
}

impl Sgd {
    /// An optimizer over `params` (as returned by `Module::parameters`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for invalid hyper-parameters or a repeated parameter name.
    ///
    /// # Example
    /// See [`Sgd`].
    pub fn new(params: Vec<(String, Var)>, config: SgdConfig) -> Result<Self> {
        config.validate("sgd")?;
        let mut seen = std::collections::HashSet::new();
        if let Some((name, _)) = params.iter().find(|(n, _)| !seen.insert(n.clone())) {
            return Err(Error::invalid_argument(
                "sgd",
                format!("parameter name {name:?} appears twice"),
            ));
        }
        Ok(Sgd {
            params,
            lr: config.lr,
            config,
            groups: Vec::new(),
            buffers: HashMap::new(),
            steps: 0,
        })
    }

    /// Adds a parameter group (builder style); earlier groups take precedence.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an invalid scale, weight decay or momentum.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// use fovea_optim::{ParamGroup, Sgd, SgdConfig};
    /// let b = Var::parameter(fovea_tensor::Tensor::ones(&[2]));
    /// let opt = Sgd::new(vec![("fc.bias".into(), b)], SgdConfig::new(0.1).with_weight_decay(1e-4))?
    ///     .with_group(ParamGroup::matching(&["*.bias"]).with_weight_decay(0.0))?;
    /// assert_eq!(opt.hyper_for("fc.bias").weight_decay, 0.0);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn with_group(mut self, group: ParamGroup) -> Result<Self> {
        if !(group.lr_scale.is_finite() && group.lr_scale >= 0.0)
            || group
                .weight_decay
                .is_some_and(|w| !(w.is_finite() && w >= 0.0))
        {
            return Err(Error::invalid_argument(
                "sgd",
                format!("invalid parameter group {group:?}"),
            ));
        }
        if let Some(m) = &group.momentum {
            validate_momentum("sgd", m)?;
        }
        self.groups.push(group);
        Ok(self)
    }

    /// The hyper-parameters that apply to the parameter called `name` right now.
    ///
    /// # Example
    /// See [`Sgd::with_group`].
    pub fn hyper_for(&self, name: &str) -> SgdHyper {
        let group = self.groups.iter().find(|g| g.matches(name));
        SgdHyper {
            lr: self.lr * group.map_or(1.0, |g| g.lr_scale),
            momentum: group
                .and_then(|g| g.momentum)
                .unwrap_or(self.config.momentum),
            weight_decay: group
                .and_then(|g| g.weight_decay)
                .unwrap_or(self.config.weight_decay),
        }
    }

    /// Applies one update to every parameter that has a gradient in `grads`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when a gradient's shape differs from its parameter's.
    ///
    /// # Example
    /// See [`Sgd`].
    pub fn step(&mut self, grads: &Gradients) -> Result<()> {
        for (name, var) in &self.params {
            let Some(grad) = grads.get(var) else { continue };
            if !var.requires_grad() {
                continue;
            }
            let hyper = self.hyper_for(name);
            // The buffer is taken out so that its storage is not shared while it is updated.
            let mut buffer = self.buffers.remove(name);
            let value = sgd_step_in_place(&var.value(), grad, &mut buffer, &hyper);
            let value = match value {
                Ok(value) => value,
                Err(e) => {
                    if let Some(b) = buffer {
                        self.buffers.insert(name.clone(), b);
                    }
                    return Err(e.in_context(name));
                }
            };
            var.set_value(value)?;
            if let Some(b) = buffer {
                self.buffers.insert(name.clone(), b);
            }
        }
        self.steps += 1;
        Ok(())
    }

    /// The current base learning rate.
    ///
    /// # Example
    /// ```
    /// let opt = fovea_optim::Sgd::new(vec![], fovea_optim::SgdConfig::new(0.1))?;
    /// assert_eq!(opt.lr(), 0.1);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn lr(&self) -> f32 {
        self.lr
    }

    /// Sets the base learning rate (what a schedule does each epoch or step).
    ///
    /// # Example
    /// ```
    /// let mut opt = fovea_optim::Sgd::new(vec![], fovea_optim::SgdConfig::new(0.1))?;
    /// opt.set_lr(0.01);
    /// assert_eq!(opt.lr(), 0.01);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }

    /// The learning rate given at construction (schedules start from it).
    ///
    /// # Example
    /// ```
    /// let opt = fovea_optim::Sgd::new(vec![], fovea_optim::SgdConfig::new(0.1))?;
    /// assert_eq!(opt.initial_lr(), 0.1);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn initial_lr(&self) -> f32 {
        self.config.lr
    }

    /// Number of steps taken.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_optim::Sgd::new(vec![], fovea_optim::SgdConfig::new(0.1))?.steps(), 0);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The parameters this optimizer updates.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_optim::Sgd::new(vec![], fovea_optim::SgdConfig::new(0.1))?.parameters().is_empty());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn parameters(&self) -> &[(String, Var)] {
        &self.params
    }

    /// A snapshot of the optimizer's state (step count, learning rate, momentum buffers by
    /// parameter name), for a checkpoint.
    ///
    /// # Example
    /// ```
    /// let opt = fovea_optim::Sgd::new(vec![], fovea_optim::SgdConfig::new(0.1))?;
    /// assert_eq!(opt.state().steps, 0);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn state(&self) -> SgdState {
        let mut buffers: Vec<NamedTensor> = self
            .buffers
            .iter()
            .map(|(n, t)| NamedTensor::from_tensor(n, t))
            .collect();
        buffers.sort_by(|a, b| a.name.cmp(&b.name));
        SgdState {
            steps: self.steps,
            lr: self.lr,
            buffers,
        }
    }

    /// Restores a state saved by [`Sgd::state`], so that training resumes exactly.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a buffer of an unknown parameter;
    /// [`Error::ShapeMismatch`] for a buffer whose shape differs from its parameter's.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// use fovea_optim::{Sgd, SgdConfig};
    /// let w = Var::parameter(fovea_tensor::Tensor::ones(&[1]));
    /// let mut a = Sgd::new(vec![("w".into(), w.clone())], SgdConfig::new(0.1).with_momentum(0.9))?;
    /// a.step(&w.sum_all().backward()?)?;
    /// let mut b = Sgd::new(vec![("w".into(), w.clone())], SgdConfig::new(0.1).with_momentum(0.9))?;
    /// b.load_state(&a.state())?;
    /// assert_eq!(b.state(), a.state());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn load_state(&mut self, state: &SgdState) -> Result<()> {
        let mut buffers = HashMap::new();
        for b in &state.buffers {
            let Some((_, var)) = self.params.iter().find(|(n, _)| *n == b.name) else {
                return Err(Error::invalid_argument(
                    "sgd load_state",
                    format!("momentum buffer for unknown parameter {:?}", b.name),
                ));
            };
            let t = b.to_tensor()?;
            if t.shape() != var.shape() {
                return Err(Error::shape_mismatch(
                    format!("sgd load_state: {}", b.name),
                    "buffer shape differs from the parameter's",
                    &var.shape(),
                    t.shape(),
                ));
            }
            buffers.insert(b.name.clone(), t);
        }
        self.buffers = buffers;
        self.steps = state.steps;
        self.lr = state.lr;
        Ok(())
    }
}
