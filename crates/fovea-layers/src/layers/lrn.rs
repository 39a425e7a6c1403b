//! [`Lrn`]: the local response normalisation layer.

use fovea_autograd::Var;
use fovea_tensor::Result;

use crate::functional::{LrnConfig, local_response_norm};
use crate::module::Module;

impl LrnConfig {
    /// Builds the layer after checking the settings.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidArgument`] for size 0, a non-finite α, β or k, or a
    /// negative α or k.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::functional::LrnConfig;
    /// let lrn = LrnConfig::alexnet().init()?;
    /// assert_eq!(lrn.config.size, 5);
    /// let err = LrnConfig::new(0).init().unwrap_err();
    /// assert_eq!(err.to_string(), "LocalResponseNorm: size must be at least 1, got 0");
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn init(&self) -> Result<Lrn> {
        self.check("LocalResponseNorm")?;
        Ok(Lrn { config: *self })
    }
}

/// Local response normalisation across channels (AlexNet §3.3), with the fused kernel of
/// [`local_response_norm`]. No parameters; the same in training and evaluation.
///
/// PyTorch equivalent: `nn.LocalResponseNorm(size, alpha, beta, k)` (for
/// [`LrnConfig::pytorch`]; see [`LrnConfig`] for the TensorFlow convention).
///
/// # Shapes
/// `[N, C, ...]` (at least 3 axes) → the same shape.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::LrnConfig;
/// use fovea_layers::Module;
/// use fovea_tensor::Tensor;
/// let lrn = LrnConfig::pytorch(5, 1e-4, 0.75, 1.0).init()?;
/// assert_eq!(lrn.kind(), "LocalResponseNorm");
/// let y = lrn.forward(&Var::constant(Tensor::ones(&[2, 8, 4, 4])))?;
/// assert_eq!(y.shape(), vec![2, 8, 4, 4]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Lrn {
    /// Window size, α, β, k and the convention of α.
    pub config: LrnConfig,
}

impl Module for Lrn {
    fn kind(&self) -> &'static str {
        "LocalResponseNorm"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        local_response_norm(x, &self.config)
    }
}
