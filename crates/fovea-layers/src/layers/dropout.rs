//! [`Dropout`]: inverted dropout with a seeded generator owned by the layer.

use std::sync::{Mutex, PoisonError};

use fovea_autograd::Var;
use fovea_tensor::{Result, seeded_rng};
use rand::rngs::StdRng;

use crate::functional::{check_probability, dropout};
use crate::module::Module;

/// Configuration of a [`Dropout`] layer: PyTorch's p = 0.5, and the seed of the layer's own
/// generator (seed 0 by default, so runs are reproducible unless asked otherwise).
///
/// # Example
/// ```
/// use fovea_layers::DropoutConfig;
/// let drop = DropoutConfig::new(0.3).with_seed(7).init()?;
/// assert_eq!(drop.p, 0.3);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DropoutConfig {
    /// Probability of zeroing an element, in [0, 1].
    pub p: f32,
    /// Seed of the layer's random generator.
    pub seed: u64,
}

impl Default for DropoutConfig {
    fn default() -> Self {
        DropoutConfig { p: 0.5, seed: 0 }
    }
}

impl DropoutConfig {
    /// Dropout with probability `p`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::DropoutConfig::new(0.2).p, 0.2);
    /// ```
    pub fn new(p: f32) -> Self {
        DropoutConfig {
            p,
            ..Self::default()
        }
    }

    /// Sets the seed of the layer's generator.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::DropoutConfig::default().with_seed(3).seed, 3);
    /// ```
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Builds the layer, in training mode.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidArgument`] when `p` is outside [0, 1].
    ///
    /// # Example
    /// ```
    /// let err = fovea_layers::DropoutConfig::new(1.5).init().unwrap_err();
    /// assert_eq!(err.to_string(), "Dropout: dropout probability has to be between 0 and 1, but got 1.5");
    /// ```
    pub fn init(&self) -> Result<Dropout> {
        check_probability("Dropout", self.p)?;
        Ok(Dropout {
            p: self.p,
            training: true,
            rng: Mutex::new(seeded_rng(self.seed)),
        })
    }
}

/// Inverted dropout: in training, zeroes each element with probability p and scales the rest by
/// 1/(1 − p), drawing a fresh mask from the layer's seeded generator at every forward pass; in
/// evaluation the identity. See [`dropout`].
///
/// PyTorch equivalent: `nn.Dropout(p)`.
///
/// # Shapes
/// Any shape; the output has the input's shape.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::{DropoutConfig, Module};
/// use fovea_tensor::Tensor;
/// let mut drop = DropoutConfig::default().init()?;
/// let x = Var::constant(Tensor::ones(&[4, 100]));
/// let y = drop.forward(&x)?.value().to_vec();
/// assert!(y.iter().all(|&v| v == 0.0 || v == 2.0));
/// drop.set_training(false);
/// assert_eq!(drop.forward(&x)?.value().to_vec(), vec![1.0; 400]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Debug)]
pub struct Dropout {
    /// Probability of zeroing an element.
    pub p: f32,
    training: bool,
    /// Behind a lock because `forward` takes `&self` and modules are shared between threads.
    rng: Mutex<StdRng>,
}

impl Dropout {
    /// True in training mode (the initial mode).
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::DropoutConfig::default().init()?.is_training());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn is_training(&self) -> bool {
        self.training
    }
}

impl Module for Dropout {
    fn kind(&self) -> &'static str {
        "Dropout"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        // A panic elsewhere while holding the lock leaves a usable generator: keep going.
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        dropout(x, self.p, self.training, &mut *rng)
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }
}
