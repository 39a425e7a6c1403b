//! [`Flatten`]: `[N, ...]` to `[N, features]`.

use fovea_autograd::Var;
use fovea_tensor::{Error, Result};

use crate::module::Module;

/// Flattens every axis after the first: `[N, C, H, W]` → `[N, C·H·W]`.
///
/// PyTorch equivalent: `nn.Flatten()`.
///
/// # Example
/// ```
/// use fovea_layers::{Flatten, Module};
/// let x = fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[2, 3, 4, 5]));
/// assert_eq!(Flatten.forward(&x)?.shape(), vec![2, 60]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Flatten;

impl Module for Flatten {
    fn kind(&self) -> &'static str {
        "Flatten"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        let shape = x.shape();
        if shape.is_empty() {
            return Err(Error::invalid_shape(
                "flatten",
                "needs at least 1 axis",
                &shape,
            ));
        }
        let rest = shape[1..].iter().product();
        x.reshape(&[shape[0], rest])
    }
}
