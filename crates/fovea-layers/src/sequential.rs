//! [`Sequential`]: named children applied in order.

use fovea_autograd::Var;
use fovea_tensor::Result;

use crate::module::{EndPoints, Module, NamedParameter, join_path};

/// Named child modules applied one after the other.
///
/// Children are named explicitly (`features.conv1`), which gives readable parameter names and
/// end points; nest `Sequential`s for blocks (`features`, `classifier`).
///
/// PyTorch equivalent: `nn.Sequential(OrderedDict(...))`.
///
/// # Example
/// ```
/// use fovea_layers::{Conv2dConfig, Flatten, LinearConfig, Module, Relu, Sequential};
/// use fovea_autograd::Var;
/// use fovea_tensor::{Tensor, seeded_rng};
/// let mut rng = seeded_rng(0);
/// let net = Sequential::new()
///     .add("features", Sequential::new()
///         .add("conv1", Conv2dConfig::new(1, 4, [3, 3]).init(&mut rng)?)
///         .add("relu1", Relu))
///     .add("flatten", Flatten)
///     .add("fc", LinearConfig::new(4 * 6 * 6, 10).init(&mut rng)?);
/// let y = net.forward(&Var::constant(Tensor::zeros(&[2, 1, 8, 8])))?;
/// assert_eq!(y.shape(), vec![2, 10]);
/// assert_eq!(net.parameters()[0].0, "features.conv1.weight");
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Default)]
pub struct Sequential {
    children: Vec<(String, Box<dyn Module>)>,
}

impl Sequential {
    /// An empty container.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::Sequential::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Sequential::default()
    }

    /// Appends a named child (builder style).
    ///
    /// # Example
    /// See [`Sequential`].
    pub fn add(mut self, name: &str, module: impl Module + 'static) -> Self {
        self.push(name, Box::new(module));
        self
    }

    /// Appends a named, boxed child.
    ///
    /// # Example
    /// ```
    /// let mut s = fovea_layers::Sequential::new();
    /// s.push("relu", Box::new(fovea_layers::Relu));
    /// assert_eq!(s.len(), 1);
    /// ```
    pub fn push(&mut self, name: &str, module: Box<dyn Module>) {
        self.children.push((name.to_string(), module));
    }

    /// Number of children.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::Sequential::new().add("r", fovea_layers::Relu).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// True without children.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::Sequential::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

impl Module for Sequential {
    fn kind(&self) -> &'static str {
        "Sequential"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        self.forward_at(x, "", None)
    }

    fn parameters(&self) -> Vec<NamedParameter> {
        let mut out = Vec::new();
        for (name, child) in &self.children {
            out.extend(
                child
                    .parameters()
                    .into_iter()
                    .map(|(n, v)| (join_path(name, &n), v)),
            );
        }
        out
    }

    fn set_training(&mut self, training: bool) {
        for (_, child) in &mut self.children {
            child.set_training(training);
        }
    }

    fn children(&self) -> Vec<(&str, &dyn Module)> {
        self.children
            .iter()
            .map(|(n, m)| (n.as_str(), m.as_ref()))
            .collect()
    }

    /// Replaces the child (or, through a dotted path, the descendant) called `path`.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{LinearConfig, Module, Sequential};
    /// let mut rng = fovea_tensor::seeded_rng(0);
    /// let mut net = Sequential::new()
    ///     .add("classifier", Sequential::new().add("fc", LinearConfig::new(8, 5).init(&mut rng)?));
    /// let new_head = Box::new(LinearConfig::new(8, 3).init(&mut rng)?);
    /// assert!(net.replace_child("classifier.fc", new_head).is_ok());
    /// assert_eq!(net.parameters()[0].1.shape(), vec![3, 8]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    fn replace_child(
        &mut self,
        path: &str,
        module: Box<dyn Module>,
    ) -> std::result::Result<Box<dyn Module>, Box<dyn Module>> {
        let (first, rest) = match path.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (path, None),
        };
        match (self.children.iter_mut().find(|(n, _)| n == first), rest) {
            (Some((_, slot)), None) => Ok(std::mem::replace(slot, module)),
            (Some((_, child)), Some(rest)) => child.replace_child(rest, module),
            (None, _) => Err(module),
        }
    }

    fn forward_at(
        &self,
        x: &Var,
        path: &str,
        mut end_points: Option<&mut EndPoints>,
    ) -> Result<Var> {
        let mut y = x.clone();
        for (name, child) in &self.children {
            y = child.forward_at(&y, &join_path(path, name), end_points.as_deref_mut())?;
        }
        if let (Some(points), false) = (end_points, path.is_empty()) {
            points.push(path, y.clone());
        }
        Ok(y)
    }
}
