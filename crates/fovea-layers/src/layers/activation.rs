//! The ReLU family as layers: [`LeakyRelu`], [`Prelu`], [`Rrelu`], [`Elu`]. (Plain ReLU is
//! [`Relu`](crate::Relu).) Each wraps the function of the same name in
//! [`functional`](crate::functional).

use std::sync::{Mutex, PoisonError};

use fovea_autograd::Var;
use fovea_tensor::{Error, Result, Tensor, seeded_rng};
use rand::rngs::StdRng;

use crate::functional::{check_rrelu_bounds, elu, leaky_relu, prelu, rrelu};
use crate::module::{Module, NamedParameter};

/// Leaky ReLU with a fixed negative slope (PyTorch's default 0.01). See [`leaky_relu`].
///
/// PyTorch equivalent: `nn.LeakyReLU(negative_slope)`.
///
/// # Shapes
/// Any shape; the output has the input's shape.
///
/// # Example
/// ```
/// use fovea_layers::{LeakyRelu, Module};
/// let x = fovea_autograd::Var::constant(fovea_tensor::Tensor::from_vec(vec![-1.0, 2.0], &[2])?);
/// assert_eq!(LeakyRelu::default().forward(&x)?.value().to_vec(), vec![-0.01, 2.0]);
/// assert_eq!(LeakyRelu::new(0.2).forward(&x)?.value().to_vec(), vec![-0.2, 2.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    /// The slope for x ≤ 0.
    pub negative_slope: f32,
}

impl Default for LeakyRelu {
    fn default() -> Self {
        LeakyRelu {
            negative_slope: 0.01,
        }
    }
}

impl LeakyRelu {
    /// Leaky ReLU with this negative slope.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::LeakyRelu::new(0.1).negative_slope, 0.1);
    /// ```
    pub fn new(negative_slope: f32) -> Self {
        LeakyRelu { negative_slope }
    }
}

impl Module for LeakyRelu {
    fn kind(&self) -> &'static str {
        "LeakyReLU"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        Ok(leaky_relu(x, self.negative_slope))
    }
}

/// ELU with scale α on the negative side (PyTorch's default 1). See [`elu`].
///
/// PyTorch equivalent: `nn.ELU(alpha)`.
///
/// # Shapes
/// Any shape; the output has the input's shape.
///
/// # Example
/// ```
/// use fovea_layers::{Elu, Module};
/// let x = fovea_autograd::Var::constant(fovea_tensor::Tensor::from_vec(vec![-1.0, 2.0], &[2])?);
/// let y = Elu::default().forward(&x)?.value().to_vec();
/// assert!((y[0] - (-1f32).exp_m1()).abs() < 1e-7 && y[1] == 2.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Elu {
    /// α: the output tends to −α as x → −∞.
    pub alpha: f32,
}

impl Default for Elu {
    fn default() -> Self {
        Elu { alpha: 1.0 }
    }
}

impl Elu {
    /// ELU with this α.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::Elu::new(0.5).alpha, 0.5);
    /// ```
    pub fn new(alpha: f32) -> Self {
        Elu { alpha }
    }
}

impl Module for Elu {
    fn kind(&self) -> &'static str {
        "ELU"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        Ok(elu(x, self.alpha))
    }
}

/// Configuration of a [`Prelu`] layer, with PyTorch's defaults: one shared slope, initialised
/// to 0.25.
///
/// # Example
/// ```
/// let prelu = fovea_layers::PreluConfig::new(64).with_init(0.1).init()?;
/// assert_eq!(prelu.weight.shape(), vec![64]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PreluConfig {
    /// Number of slopes: 1 (shared) or the number of input channels.
    pub num_parameters: usize,
    /// Initial value of every slope.
    pub init: f32,
}

impl Default for PreluConfig {
    fn default() -> Self {
        PreluConfig {
            num_parameters: 1,
            init: 0.25,
        }
    }
}

impl PreluConfig {
    /// `num_parameters` slopes (1, or one per channel), initialised to 0.25.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::PreluConfig::new(3).init, 0.25);
    /// ```
    pub fn new(num_parameters: usize) -> Self {
        PreluConfig {
            num_parameters,
            ..Self::default()
        }
    }

    /// Sets the initial slope.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::PreluConfig::default().with_init(0.1).init, 0.1);
    /// ```
    pub fn with_init(mut self, init: f32) -> Self {
        self.init = init;
        self
    }

    /// Builds the layer: `weight` = `[num_parameters]` filled with `init`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for zero slopes or a non-finite initial value.
    ///
    /// # Example
    /// ```
    /// let prelu = fovea_layers::PreluConfig::default().init()?;
    /// assert_eq!(prelu.weight.value().to_vec(), vec![0.25]);
    /// let err = fovea_layers::PreluConfig::new(0).init().unwrap_err();
    /// assert_eq!(err.to_string(), "PReLU: num_parameters must be at least 1, got 0");
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn init(&self) -> Result<Prelu> {
        if self.num_parameters == 0 {
            return Err(Error::invalid_argument(
                "PReLU",
                "num_parameters must be at least 1, got 0",
            ));
        }
        if !self.init.is_finite() {
            return Err(Error::invalid_argument(
                "PReLU",
                format!("init must be finite, got {}", self.init),
            ));
        }
        Ok(Prelu {
            weight: Var::parameter(Tensor::full(&[self.num_parameters], self.init)),
        })
    }
}

/// Parametric ReLU with 1 or C learnable slopes on axis 1. See [`prelu`].
///
/// PyTorch equivalent: `nn.PReLU(num_parameters, init)`; the parameter is named `weight`,
/// shape `[num_parameters]`, as in a PyTorch `state_dict`.
///
/// # Shapes
/// `[N, C, ...]` → the same shape; with one slope any shape.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::{Module, PreluConfig};
/// use fovea_tensor::Tensor;
/// let prelu = PreluConfig::new(2).init()?;
/// assert_eq!(prelu.kind(), "PReLU");
/// let x = Var::constant(Tensor::from_vec(vec![-4.0, 1.0], &[1, 2])?);
/// assert_eq!(prelu.forward(&x)?.value().to_vec(), vec![-1.0, 1.0]);
/// let err = prelu.forward(&Var::constant(Tensor::ones(&[1, 3]))).unwrap_err();
/// assert!(err.to_string().starts_with("prelu: the number of slopes"));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Prelu {
    /// The slopes, `[num_parameters]`.
    pub weight: Var,
}

impl Module for Prelu {
    fn kind(&self) -> &'static str {
        "PReLU"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        prelu(x, &self.weight)
    }

    fn parameters(&self) -> Vec<NamedParameter> {
        vec![("weight".to_string(), self.weight.clone())]
    }
}

/// Configuration of an [`Rrelu`] layer: PyTorch's bounds lower = 1/8, upper = 1/3, and the
/// seed of the layer's own generator (0 by default).
///
/// # Example
/// ```
/// let rrelu = fovea_layers::RreluConfig::default().with_seed(42).init()?;
/// assert_eq!((rrelu.lower, rrelu.upper), (0.125, 1.0 / 3.0));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RreluConfig {
    /// Lower bound of the random slope.
    pub lower: f32,
    /// Upper bound of the random slope.
    pub upper: f32,
    /// Seed of the layer's random generator.
    pub seed: u64,
}

impl Default for RreluConfig {
    fn default() -> Self {
        RreluConfig {
            lower: 1.0 / 8.0,
            upper: 1.0 / 3.0,
            seed: 0,
        }
    }
}

impl RreluConfig {
    /// Slopes drawn from U(`lower`, `upper`).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::RreluConfig::new(0.1, 0.3).upper, 0.3);
    /// ```
    pub fn new(lower: f32, upper: f32) -> Self {
        RreluConfig {
            lower,
            upper,
            ..Self::default()
        }
    }

    /// Sets the seed of the layer's generator.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::RreluConfig::default().with_seed(9).seed, 9);
    /// ```
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Builds the layer, in training mode.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless the bounds are finite and `lower ≤ upper`.
    ///
    /// # Example
    /// ```
    /// let err = fovea_layers::RreluConfig::new(0.5, 0.1).init().unwrap_err();
    /// assert_eq!(err.to_string(), "RReLU: needs finite bounds with lower <= upper, got lower 0.5, upper 0.1");
    /// ```
    pub fn init(&self) -> Result<Rrelu> {
        check_rrelu_bounds("RReLU", self.lower, self.upper)?;
        Ok(Rrelu {
            lower: self.lower,
            upper: self.upper,
            training: true,
            rng: Mutex::new(seeded_rng(self.seed)),
        })
    }
}

/// Randomized leaky ReLU: in training a fresh slope ~ U(lower, upper) per element per forward
/// pass, drawn from the layer's seeded generator (the gradient uses the same slopes); in
/// evaluation the fixed slope (lower + upper)/2. See [`rrelu`].
///
/// PyTorch equivalent: `nn.RReLU(lower, upper)`.
///
/// # Shapes
/// Any shape; the output has the input's shape.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::{Module, RreluConfig};
/// use fovea_tensor::Tensor;
/// let mut rrelu = RreluConfig::new(0.1, 0.3).init()?;
/// let x = Var::constant(Tensor::full(&[100], -1.0));
/// let train = rrelu.forward(&x)?.value().to_vec();
/// assert!(train.iter().all(|&y| (-0.3..=-0.1).contains(&y)));
/// rrelu.set_training(false);
/// let eval = rrelu.forward(&x)?.value().to_vec();
/// assert!(eval.iter().all(|&y| (y + 0.2).abs() < 1e-7));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Debug)]
pub struct Rrelu {
    /// Lower bound of the random slope.
    pub lower: f32,
    /// Upper bound of the random slope.
    pub upper: f32,
    training: bool,
    /// Behind a lock because `forward` takes `&self` and modules are shared between threads.
    rng: Mutex<StdRng>,
}

impl Rrelu {
    /// True in training mode (the initial mode).
    ///
    /// # Example
    /// ```
    /// use fovea_layers::Module;
    /// let mut rrelu = fovea_layers::RreluConfig::default().init()?;
    /// rrelu.set_training(false);
    /// assert!(!rrelu.is_training());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn is_training(&self) -> bool {
        self.training
    }
}

impl Module for Rrelu {
    fn kind(&self) -> &'static str {
        "RReLU"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        // A panic elsewhere while holding the lock leaves a usable generator: keep going.
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        rrelu(x, self.lower, self.upper, self.training, &mut *rng)
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }
}
