//! Fully connected layer as a function: `y = x·Wᵀ + b`, composed from autograd ops.

use fovea_autograd::Var;
use fovea_tensor::{Error, Result};

/// `y = x·Wᵀ + b`. Composed from `matmul` (on a transposed view: no copy) and a broadcast add, so
/// its gradient is theirs.
///
/// PyTorch equivalent: `torch.nn.functional.linear(x, weight, bias)`.
///
/// # Shapes
/// x `[N, in]`, weight `[out, in]`, bias `[out]` → `[N, out]`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when x is not 2-d, its features differ from the weight's, or the
/// bias length differs from `out`.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_tensor::Tensor;
/// let x = Var::constant(Tensor::ones(&[2, 3]));
/// let w = Var::parameter(Tensor::ones(&[4, 3]));
/// let y = fovea_layers::functional::linear(&x, &w, None)?;
/// assert_eq!(y.value().to_vec(), vec![3.0; 8]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn linear(x: &Var, weight: &Var, bias: Option<&Var>) -> Result<Var> {
    let (xs, ws) = (x.shape(), weight.shape());
    if xs.len() != 2 || ws.len() != 2 || xs[1] != ws[1] {
        return Err(Error::shape_mismatch(
            "linear",
            "input must be [N, in] and weight [out, in]",
            &xs,
            &ws,
        ));
    }
    let y = x.matmul(&weight.transpose(0, 1)?)?;
    match bias {
        Some(b) if b.shape() != [ws[0]] => Err(Error::shape_mismatch(
            "linear",
            "bias needs one value per output feature",
            &ws,
            &b.shape(),
        )),
        Some(b) => y.add(b),
        None => Ok(y),
    }
}
