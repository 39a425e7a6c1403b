//! Softmax and log-softmax along an axis, computed with the maximum subtracted so that large
//! logits never overflow.

use fovea_tensor::{Error, Result, Tensor};

use crate::Var;

/// `x − max − ln Σ exp(x − max)` along `axis`, on plain tensors; `op` names the caller in errors.
pub(crate) fn log_softmax_tensor(op: &str, x: &Tensor, axis: usize) -> Result<Tensor> {
    if axis >= x.ndim() {
        return Err(Error::invalid_shape(
            op,
            format!("axis {axis} out of range"),
            x.shape(),
        ));
    }
    let max = x.max(&[axis], true)?;
    // A row of all −inf would give NaN from (−inf) − (−inf); shift such rows by 0 instead.
    let max = max.map(|m| if m.is_finite() { m } else { 0.0 });
    let shifted = x.sub(&max)?;
    let log_sum = shifted.exp().sum(&[axis], true)?.ln();
    shifted.sub(&log_sum)
}

impl Var {
    /// Softmax along `axis`: eˣ / Σ eˣ. ∂/∂x = y·(g − Σ g·y).
    ///
    /// PyTorch equivalent: `torch.softmax(x, dim=axis)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when `axis` is out of range.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let x = fovea_autograd::Var::constant(Tensor::from_vec(vec![1000.0, 1000.0], &[1, 2])?);
    /// assert_eq!(x.softmax(1)?.value().to_vec(), vec![0.5, 0.5]); // no overflow
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn softmax(&self, axis: usize) -> Result<Var> {
        let y = log_softmax_tensor("softmax", &self.value(), axis)?.exp();
        let saved = y.clone();
        Ok(Var::from_fn(y, &[self], "softmax", move |g| {
            let dot = g.mul(&saved)?.sum(&[axis], true)?;
            Ok(vec![Some(saved.mul(&g.sub(&dot)?)?)])
        }))
    }

    /// Log-softmax along `axis`: x − ln Σ eˣ. ∂/∂x = g − softmax(x)·Σ g.
    ///
    /// PyTorch equivalent: `torch.log_softmax(x, dim=axis)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when `axis` is out of range.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let x = fovea_autograd::Var::constant(Tensor::from_vec(vec![0.0, 0.0], &[1, 2])?);
    /// let y = x.log_softmax(1)?.value().to_vec();
    /// assert!((y[0] - 0.5f32.ln()).abs() < 1e-6);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn log_softmax(&self, axis: usize) -> Result<Var> {
        let y = log_softmax_tensor("log_softmax", &self.value(), axis)?;
        let probs = y.exp();
        Ok(Var::from_fn(y, &[self], "log_softmax", move |g| {
            let total = g.sum(&[axis], true)?;
            Ok(vec![Some(g.sub(&probs.mul(&total)?)?)])
        }))
    }
}
