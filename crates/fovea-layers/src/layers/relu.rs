//! [`Relu`]: the rectified linear unit.

use fovea_autograd::Var;
use fovea_tensor::Result;

use crate::module::Module;

/// `max(x, 0)`; the gradient at exactly 0 is 0, as PyTorch.
///
/// PyTorch equivalent: `nn.ReLU()`.
///
/// # Example
/// ```
/// use fovea_layers::{Module, Relu};
/// let x = fovea_autograd::Var::constant(fovea_tensor::Tensor::from_vec(vec![-1.0, 2.0], &[2])?);
/// assert_eq!(Relu.forward(&x)?.value().to_vec(), vec![0.0, 2.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Relu;

impl Module for Relu {
    fn kind(&self) -> &'static str {
        "ReLU"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        Ok(x.relu())
    }
}
