//! Gradient clipping by global norm.

use fovea_autograd::{Gradients, Var};
use fovea_tensor::Result;

/// Scales all gradients of `params` together so that their global L2 norm is at most
/// `max_norm`, and returns the norm before clipping.
///
/// As PyTorch: coefficient = max_norm / (norm + 1e-6), applied only when below 1.
///
/// PyTorch equivalent: `torch.nn.utils.clip_grad_norm_(params, max_norm)`.
///
/// # Errors
/// [`fovea_tensor::Error::InvalidArgument`] when `max_norm` is negative or not finite.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_tensor::Tensor;
/// let w = Var::parameter(Tensor::from_vec(vec![3.0, 4.0], &[2])?);
/// let mut grads = w.powf(2.0).mul_scalar(0.5).sum_all().backward()?; // gradient = w = (3, 4)
/// let norm = fovea_optim::clip_grad_norm(&mut grads, &[("w".into(), w.clone())], 1.0)?;
/// assert_eq!(norm, 5.0);
/// let g = grads.get(&w).unwrap().to_vec();
/// assert!((g[0] - 0.6).abs() < 1e-5 && (g[1] - 0.8).abs() < 1e-5);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn clip_grad_norm(
    grads: &mut Gradients,
    params: &[(String, Var)],
    max_norm: f32,
) -> Result<f32> {
    if !(max_norm.is_finite() && max_norm >= 0.0) {
        return Err(fovea_tensor::Error::invalid_argument(
            "clip_grad_norm",
            format!("max_norm must be finite and >= 0, got {max_norm}"),
        ));
    }
    let total: f64 = params
        .iter()
        .filter_map(|(_, v)| grads.get(v))
        .map(|g| {
            g.contiguous_data()
                .iter()
                .map(|&x| (x as f64) * (x as f64))
                .sum::<f64>()
        })
        .sum();
    let norm = total.sqrt() as f32;
    let coefficient = max_norm / (norm + 1e-6);
    if coefficient < 1.0 {
        for (_, v) in params {
            if let Some(g) = grads.get(v) {
                let scaled = g.mul_scalar(coefficient);
                grads.insert(v, scaled);
            }
        }
    }
    Ok(norm)
}
