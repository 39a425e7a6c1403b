//! [`Spp`]: the spatial pyramid pooling layer of SPP-net.

use fovea_autograd::Var;
use fovea_tensor::{Error, Result};

use crate::functional::{SPP_LEVELS, spp};
use crate::module::Module;

/// Configuration of an [`Spp`] layer: the pyramid levels, by default SPP-net's `[4, 2, 1]`.
///
/// # Example
/// ```
/// use fovea_layers::SppConfig;
/// assert_eq!(SppConfig::default().levels, vec![4, 2, 1]);
/// let spp = SppConfig::default().with_levels(&[3, 2, 1]).init()?;
/// assert_eq!(spp.features_per_channel(), 14);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SppConfig {
    /// Bins per side of each level, in output order.
    pub levels: Vec<usize>,
}

impl Default for SppConfig {
    fn default() -> Self {
        SppConfig {
            levels: SPP_LEVELS.to_vec(),
        }
    }
}

impl SppConfig {
    /// Sets the levels.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::SppConfig::default().with_levels(&[6, 3, 2, 1]).levels, vec![6, 3, 2, 1]);
    /// ```
    pub fn with_levels(mut self, levels: &[usize]) -> Self {
        self.levels = levels.to_vec();
        self
    }

    /// Builds the layer.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for no levels or a zero level.
    ///
    /// # Example
    /// ```
    /// let err = fovea_layers::SppConfig::default().with_levels(&[2, 0]).init().unwrap_err();
    /// assert_eq!(err.to_string(), "SPP: levels must be non-empty and positive, got [2, 0]");
    /// ```
    pub fn init(&self) -> Result<Spp> {
        if self.levels.is_empty() || self.levels.contains(&0) {
            return Err(Error::invalid_argument(
                "SPP",
                format!(
                    "levels must be non-empty and positive, got {:?}",
                    self.levels
                ),
            ));
        }
        Ok(Spp {
            levels: self.levels.clone(),
        })
    }
}

/// Spatial pyramid pooling: a fixed-length `[N, C·Σ n²]` vector from a feature map of any size,
/// see [`spp`] for the bins and the feature order.
///
/// PyTorch equivalent: none built in;
/// `torch.cat([F.adaptive_max_pool2d(x, n).flatten(1) for n in levels], 1)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C·Σ n²]` (`[N, 21·C]` with the default levels).
///
/// # Example
/// ```
/// use fovea_layers::{Module, SppConfig};
/// use fovea_autograd::Var;
/// use fovea_tensor::Tensor;
/// let spp = SppConfig::default().init()?;
/// assert_eq!(spp.kind(), "SPP");
/// // Any input size gives the same feature length.
/// assert_eq!(spp.forward(&Var::constant(Tensor::ones(&[2, 8, 13, 13])))?.shape(), vec![2, 168]);
/// assert_eq!(spp.forward(&Var::constant(Tensor::ones(&[2, 8, 10, 7])))?.shape(), vec![2, 168]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Spp {
    /// Bins per side of each level, in output order.
    pub levels: Vec<usize>,
}

impl Spp {
    /// Features per input channel, `Σ n²`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::SppConfig::default().init()?.features_per_channel(), 21);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn features_per_channel(&self) -> usize {
        self.levels.iter().map(|n| n * n).sum()
    }
}

impl Module for Spp {
    fn kind(&self) -> &'static str {
        "SPP"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        spp(x, &self.levels)
    }
}
