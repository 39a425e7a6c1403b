//! Serializable optimizer state, for checkpoints.

use fovea_tensor::{Result, Tensor};
use serde::{Deserialize, Serialize};

/// A named tensor in plain form (name, shape, row-major data), serializable with serde.
///
/// # Example
/// ```
/// use fovea_optim::NamedTensor;
/// let t = fovea_tensor::Tensor::ones(&[2]);
/// let n = NamedTensor::from_tensor("w", &t);
/// assert_eq!(n.to_tensor()?.to_vec(), vec![1.0, 1.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedTensor {
    /// Parameter name.
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
}

impl NamedTensor {
    /// Copies a tensor out.
    ///
    /// # Example
    /// See [`NamedTensor`].
    pub fn from_tensor(name: &str, tensor: &Tensor) -> Self {
        NamedTensor {
            name: name.to_string(),
            shape: tensor.shape().to_vec(),
            data: tensor.to_vec(),
        }
    }

    /// Back to a tensor.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidShape`] when the data does not fill the shape.
    ///
    /// # Example
    /// See [`NamedTensor`].
    pub fn to_tensor(&self) -> Result<Tensor> {
        Tensor::from_vec(self.data.clone(), &self.shape).map_err(|e| e.in_context(&self.name))
    }
}

/// The state of an [`Sgd`](crate::Sgd) optimizer.
///
/// # Example
/// See [`Sgd::load_state`](crate::Sgd::load_state).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgdState {
    /// Steps taken.
    pub steps: u64,
    /// Current base learning rate.
    pub lr: f32,
    /// Momentum buffers by parameter name, sorted by name.
    pub buffers: Vec<NamedTensor>,
}
