//! The [`Module`] trait, named parameters, and [`EndPoints`]: every layer's output by path.

use fovea_autograd::Var;
use fovea_tensor::Result;

/// A named parameter: its path in the network (`features.conv1.weight`) and the shared variable.
pub type NamedParameter = (String, Var);

/// A building block of a network: a forward function plus the parameters it owns.
///
/// Parameter names and shapes follow PyTorch (`weight`, `bias`; Conv2d weight
/// `[out, in/groups, kh, kw]`, Linear weight `[out, in]`), so a PyTorch `state_dict` maps onto
/// [`Module::parameters`] name for name. Containers ([`Sequential`](crate::Sequential)) prefix
/// their children's names with the child's name and a dot.
///
/// PyTorch equivalent: `torch.nn.Module`.
///
/// # Example
/// ```
/// use fovea_layers::{Linear, LinearConfig, Module};
/// use fovea_autograd::Var;
/// use fovea_tensor::{Tensor, seeded_rng};
/// let fc = LinearConfig::new(4, 2).init(&mut seeded_rng(0))?;
/// let y = fc.forward(&Var::constant(Tensor::ones(&[3, 4])))?;
/// assert_eq!(y.shape(), vec![3, 2]);
/// let names: Vec<String> = fc.parameters().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["weight", "bias"]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub trait Module: Send + Sync {
    /// The layer's type name as PyTorch prints it ("Conv2d", "ReLU", "Sequential").
    fn kind(&self) -> &'static str;

    /// The forward pass.
    ///
    /// # Errors
    /// A typed error naming the operation and shapes when the input does not fit the layer.
    fn forward(&self, x: &Var) -> Result<Var>;

    /// The parameters with their names relative to this module, in a stable order.
    fn parameters(&self) -> Vec<NamedParameter> {
        Vec::new()
    }

    /// Switches training mode (Dropout and RReLU behave differently) on this module and all
    /// its children. Modules start in training mode, as in PyTorch.
    fn set_training(&mut self, _training: bool) {}

    /// The direct children, with their names (empty for a leaf layer).
    fn children(&self) -> Vec<(&str, &dyn Module)> {
        Vec::new()
    }

    /// Replaces the descendant at the dotted `path` (`classifier.fc2`) with `module` and returns
    /// the old one; gives `module` back when there is no such descendant. Leaves have none;
    /// containers override this.
    ///
    /// # Errors
    /// `Err(module)` when the path does not name a descendant.
    #[allow(clippy::result_large_err)]
    fn replace_child(
        &mut self,
        _path: &str,
        module: Box<dyn Module>,
    ) -> std::result::Result<Box<dyn Module>, Box<dyn Module>> {
        Err(module)
    }

    /// The forward pass of this module at `path` inside a network: errors are prefixed with the
    /// path, and when `end_points` is given the output is recorded under the path. Containers
    /// override this to pass longer paths to their children.
    ///
    /// # Errors
    /// As [`Module::forward`], prefixed with `path`.
    fn forward_at(&self, x: &Var, path: &str, end_points: Option<&mut EndPoints>) -> Result<Var> {
        let y = self.forward(x).map_err(|e| {
            if path.is_empty() {
                e
            } else {
                e.in_context(path)
            }
        })?;
        if let Some(points) = end_points {
            points.push(path, y.clone());
        }
        Ok(y)
    }
}

/// Convenience methods on every module.
pub trait ModuleExt: Module {
    /// Runs the forward pass and returns every named layer's output, in execution order,
    /// keyed by its path (`features.conv1`, `features.relu1`, ...), as TF-slim's `end_points`.
    /// Recording costs one clone of a shared pointer per layer; a plain
    /// [`forward`](Module::forward) records nothing.
    ///
    /// # Errors
    /// As [`Module::forward`].
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{LinearConfig, ModuleExt, Relu, Sequential};
    /// use fovea_autograd::Var;
    /// use fovea_tensor::{Tensor, seeded_rng};
    /// let net = Sequential::new()
    ///     .add("fc1", LinearConfig::new(4, 8).init(&mut seeded_rng(0))?)
    ///     .add("relu1", Relu)
    ///     .add("fc2", LinearConfig::new(8, 2).init(&mut seeded_rng(1))?);
    /// let (y, points) = net.forward_with_end_points(&Var::constant(Tensor::ones(&[5, 4])))?;
    /// assert_eq!(points.names(), ["fc1", "relu1", "fc2"]);
    /// assert_eq!(points.get("relu1").unwrap().shape(), vec![5, 8]);
    /// assert_eq!(y.shape(), vec![5, 2]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    fn forward_with_end_points(&self, x: &Var) -> Result<(Var, EndPoints)> {
        let mut points = EndPoints::default();
        let y = self.forward_at(x, "", Some(&mut points))?;
        Ok((y, points))
    }

    /// Total number of scalar parameters.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{LinearConfig, ModuleExt};
    /// let fc = LinearConfig::new(4, 2).init(&mut fovea_tensor::seeded_rng(0))?;
    /// assert_eq!(fc.parameter_count(), 4 * 2 + 2);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    fn parameter_count(&self) -> usize {
        self.parameters()
            .iter()
            .map(|(_, v)| v.shape().iter().product::<usize>())
            .sum()
    }

    /// The parameter with this name, if any.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{LinearConfig, ModuleExt};
    /// let fc = LinearConfig::new(4, 2).init(&mut fovea_tensor::seeded_rng(0))?;
    /// assert_eq!(fc.parameter("weight").unwrap().shape(), vec![2, 4]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    fn parameter(&self, name: &str) -> Option<Var> {
        self.parameters()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

impl<M: Module + ?Sized> ModuleExt for M {}

/// Every named layer's output from one forward pass, in execution order.
///
/// PyTorch equivalent: outputs collected with `register_forward_hook`; TF-slim: `end_points`.
///
/// # Example
/// See [`ModuleExt::forward_with_end_points`].
#[derive(Clone, Debug, Default)]
pub struct EndPoints {
    entries: Vec<(String, Var)>,
}

impl EndPoints {
    /// Records an output (the path `""` of a top-level leaf is kept as is).
    ///
    /// # Example
    /// ```
    /// let mut points = fovea_layers::EndPoints::default();
    /// points.push("conv1", fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[1])));
    /// assert_eq!(points.len(), 1);
    /// ```
    pub fn push(&mut self, path: &str, output: Var) {
        self.entries.push((path.to_string(), output));
    }

    /// The output recorded under `path`.
    ///
    /// # Example
    /// See [`ModuleExt::forward_with_end_points`].
    pub fn get(&self, path: &str) -> Option<&Var> {
        self.entries.iter().find(|(n, _)| n == path).map(|(_, v)| v)
    }

    /// The recorded paths in execution order.
    ///
    /// # Example
    /// See [`ModuleExt::forward_with_end_points`].
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// (path, output) pairs in execution order.
    ///
    /// # Example
    /// ```
    /// let points = fovea_layers::EndPoints::default();
    /// assert_eq!(points.iter().count(), 0);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Var)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Number of recorded outputs.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::EndPoints::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing was recorded.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::EndPoints::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Joins a parent path and a child name with a dot (`"features" + "conv1"`).
pub(crate) fn join_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}
