//! [`Linear`]: a fully connected layer.

use fovea_autograd::Var;
use fovea_tensor::{Error, Result, Tensor};
use rand::Rng;

use crate::functional::linear;
use crate::module::{Module, NamedParameter};

/// Configuration of a [`Linear`] layer; `bias` defaults to true as in PyTorch.
///
/// # Example
/// ```
/// let fc = fovea_layers::LinearConfig::new(784, 10).with_bias(false).init(&mut fovea_tensor::seeded_rng(0))?;
/// assert!(fc.bias.is_none());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinearConfig {
    /// Input features.
    pub in_features: usize,
    /// Output features.
    pub out_features: usize,
    /// Whether to add a learnable bias.
    pub bias: bool,
}

impl LinearConfig {
    /// A layer from `in_features` to `out_features`, with bias.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::LinearConfig::new(3, 2).bias);
    /// ```
    pub fn new(in_features: usize, out_features: usize) -> Self {
        LinearConfig {
            in_features,
            out_features,
            bias: true,
        }
    }

    /// Sets whether the layer has a bias.
    ///
    /// # Example
    /// ```
    /// assert!(!fovea_layers::LinearConfig::new(3, 2).with_bias(false).bias);
    /// ```
    pub fn with_bias(mut self, bias: bool) -> Self {
        self.bias = bias;
        self
    }

    /// Builds the layer with PyTorch's initialisation: weight and bias ~ U(−1/√in, 1/√in)
    /// (kaiming-uniform with a = √5).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a size is 0.
    ///
    /// # Example
    /// ```
    /// let fc = fovea_layers::LinearConfig::new(4, 2).init(&mut fovea_tensor::seeded_rng(0))?;
    /// assert_eq!(fc.weight.shape(), vec![2, 4]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn init(&self, rng: &mut impl Rng) -> Result<Linear> {
        if self.in_features == 0 || self.out_features == 0 {
            return Err(Error::invalid_argument(
                "Linear",
                format!("sizes must be positive, got {self:?}"),
            ));
        }
        let weight =
            Tensor::kaiming_uniform(&[self.out_features, self.in_features], 5f32.sqrt(), rng)?;
        let bound = 1.0 / (self.in_features as f32).sqrt();
        let bias = if self.bias {
            Some(Var::parameter(Tensor::rand_uniform(
                &[self.out_features],
                -bound,
                bound,
                rng,
            )?))
        } else {
            None
        };
        Ok(Linear {
            weight: Var::parameter(weight),
            bias,
        })
    }
}

/// A fully connected layer `y = x·Wᵀ + b`.
///
/// PyTorch equivalent: `nn.Linear(in_features, out_features, bias)`.
///
/// # Shapes
/// `[N, in]` → `[N, out]`; weight `[out, in]`, bias `[out]`.
pub struct Linear {
    /// Weight `[out, in]`.
    pub weight: Var,
    /// Bias `[out]`, if any.
    pub bias: Option<Var>,
}

impl Module for Linear {
    fn kind(&self) -> &'static str {
        "Linear"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        linear(x, &self.weight, self.bias.as_ref())
    }

    fn parameters(&self) -> Vec<NamedParameter> {
        let mut out = vec![("weight".to_string(), self.weight.clone())];
        if let Some(b) = &self.bias {
            out.push(("bias".to_string(), b.clone()));
        }
        out
    }
}
