//! Dropout (Srivastava et al. 2014, <https://jmlr.org/papers/v15/srivastava14a.html>), inverted:
//! kept elements are scaled by `1/(1 − p)` in training so that evaluation is the identity.
//!
//! - forward: `y = x·m` with `m = 1/(1 − p)` with probability `1 − p`, else `0`
//! - backward: `∂L/∂x = g·m` (the same mask)

use fovea_autograd::{Op, Var};
use fovea_tensor::{Error, Result, Tensor};
use rand::Rng;

use super::activation::{same_shape, zip_par};

/// Checks a drop probability; `op` names the caller in the message (PyTorch's wording).
pub(crate) fn check_probability(op: &str, p: f32) -> Result<()> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            op,
            format!("dropout probability has to be between 0 and 1, but got {p}"),
        ))
    }
}

/// The mask times the scale, saved for backward.
struct DropoutOp {
    mask: Tensor,
}

impl Op for DropoutOp {
    fn name(&self) -> &str {
        "dropout"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let dx = zip_par(
            &grad.contiguous_data(),
            &self.mask.contiguous_data(),
            |g, m| g * m,
        );
        Ok(vec![Some(same_shape(dx, self.mask.shape()))])
    }
}

/// Inverted dropout: in training, zeroes each element with probability `p` and scales the others
/// by `1/(1 − p)`; with `training == false` or `p == 0` it returns `x` itself. `p == 1` zeroes
/// everything (gradient 0). One uniform draw per element from `rng`, in row-major order, so a
/// seeded generator gives the same mask on every run.
///
/// PyTorch equivalent: `torch.nn.functional.dropout(x, p, training)` (same distribution, not the
/// same draws).
///
/// # Shapes
/// Any shape; the output has the input's shape.
///
/// # Errors
/// [`Error::InvalidArgument`] when `p` is outside `[0, 1]` (or NaN).
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::dropout;
/// use fovea_tensor::{Tensor, seeded_rng};
/// let x = Var::parameter(Tensor::ones(&[1000]));
/// let y = dropout(&x, 0.5, true, &mut seeded_rng(0))?.value().to_vec();
/// assert!(y.iter().all(|&v| v == 0.0 || v == 2.0)); // kept elements are scaled by 1/(1 − p)
/// let kept = y.iter().filter(|&&v| v != 0.0).count();
/// assert!((450..550).contains(&kept));
/// assert_eq!(dropout(&x, 0.5, false, &mut seeded_rng(0))?.value().to_vec(), vec![1.0; 1000]);
/// assert!(dropout(&x, 1.5, true, &mut seeded_rng(0)).is_err());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn dropout(x: &Var, p: f32, training: bool, rng: &mut impl Rng) -> Result<Var> {
    check_probability("dropout", p)?;
    if !training || p == 0.0 {
        return Ok(x.clone());
    }
    // For p = 1 every element is dropped; a scale of 0 avoids 0·∞ = NaN.
    let scale = if p < 1.0 { 1.0 / (1.0 - p) } else { 0.0 };
    let xv = x.value();
    // `random::<f32>()` is uniform on [0, 1): `< p` drops with probability p, and p = 1 drops all.
    let mask: Vec<f32> = (0..xv.len())
        .map(|_| if rng.random::<f32>() < p { 0.0 } else { scale })
        .collect();
    let y = same_shape(
        zip_par(&xv.contiguous_data(), &mask, |v, m| v * m),
        xv.shape(),
    );
    let mask = same_shape(mask, xv.shape());
    Ok(Var::from_op(y, &[x], DropoutOp { mask }))
}
