//! The SGD update as a pure function of (parameter, gradient, momentum buffer): trivial to test
//! against `torch.optim.SGD` and to checkpoint.

use fovea_tensor::{Result, Tensor};

/// How the momentum buffer is used.
///
/// # Example
/// ```
/// use fovea_optim::Momentum;
/// let m = Momentum::Classic { momentum: 0.9, dampening: 0.0 };
/// assert_eq!(m.coefficient(), 0.9);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Momentum {
    /// Plain gradient descent.
    None,
    /// b = μ·b + (1 − dampening)·g (b = g on the first step); the step uses b.
    Classic {
        /// μ.
        momentum: f32,
        /// Dampening of the new gradient; PyTorch's default (and fovea's) is 0.
        dampening: f32,
    },
    /// Nesterov momentum: b as in `Classic` with dampening 0; the step uses g + μ·b.
    Nesterov {
        /// μ (must be > 0).
        momentum: f32,
    },
}

impl Momentum {
    /// μ, or 0 for [`Momentum::None`].
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_optim::Momentum::None.coefficient(), 0.0);
    /// ```
    pub fn coefficient(&self) -> f32 {
        match *self {
            Momentum::None => 0.0,
            Momentum::Classic { momentum, .. } | Momentum::Nesterov { momentum } => momentum,
        }
    }
}

/// Hyper-parameters of one SGD step.
///
/// # Example
/// ```
/// let h = fovea_optim::SgdHyper { lr: 0.1, momentum: fovea_optim::Momentum::None, weight_decay: 0.0 };
/// assert_eq!(h.lr, 0.1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdHyper {
    /// Learning rate.
    pub lr: f32,
    /// Momentum variant.
    pub momentum: Momentum,
    /// L2 penalty coefficient `wd`: the gradient becomes g + wd·p, which is the gradient of
    /// loss + (wd/2)·‖p‖². For J(w) = MSE + λ·wᵀw use wd = 2λ.
    pub weight_decay: f32,
}

/// One SGD step exactly as `torch.optim.SGD`:
///
/// ```text
/// g = grad + wd·p
/// if momentum: b = g (first step) else μ·b + (1 − dampening)·g
///              g = g + μ·b (Nesterov) or b (classic)
/// p = p − lr·g
/// ```
///
/// Returns the new parameter and the new momentum buffer (`None` without momentum).
///
/// # Errors
/// [`fovea_tensor::Error::ShapeMismatch`] when the gradient or the buffer has another shape
/// than the parameter.
///
/// # Example
/// ```
/// use fovea_optim::{Momentum, SgdHyper, sgd_step};
/// use fovea_tensor::Tensor;
/// let h = SgdHyper { lr: 0.1, momentum: Momentum::Classic { momentum: 0.9, dampening: 0.0 }, weight_decay: 0.0 };
/// let p = Tensor::ones(&[1]);
/// let g = Tensor::ones(&[1]);
/// let (p, b) = sgd_step(&p, &g, None, &h)?;          // b = g = 1, p = 1 − 0.1
/// let (p, _) = sgd_step(&p, &g, b.as_ref(), &h)?;     // b = 0.9 + 1 = 1.9, p = 0.9 − 0.19
/// assert!((p.to_vec()[0] - 0.71).abs() < 1e-6);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn sgd_step(
    param: &Tensor,
    grad: &Tensor,
    buffer: Option<&Tensor>,
    h: &SgdHyper,
) -> Result<(Tensor, Option<Tensor>)> {
    let check = |what: &str, t: &Tensor| -> Result<()> {
        if t.shape() != param.shape() {
            return Err(fovea_tensor::Error::shape_mismatch(
                "sgd",
                format!("{what} shape differs from the parameter's"),
                param.shape(),
                t.shape(),
            ));
        }
        Ok(())
    };
    check("gradient", grad)?;
    if let Some(b) = buffer {
        check("momentum buffer", b)?;
    }
    let p = param.contiguous_data();
    let mut g: Vec<f32> = grad.contiguous_data().into_owned();
    if h.weight_decay != 0.0 {
        g.iter_mut()
            .zip(p.iter())
            .for_each(|(g, &p)| *g += h.weight_decay * p);
    }
    let new_buffer = match h.momentum {
        Momentum::None => None,
        Momentum::Classic {
            momentum,
            dampening,
        } => {
            let b = update_buffer(buffer, &g, momentum, dampening);
            g.copy_from_slice(&b);
            Some(b)
        }
        Momentum::Nesterov { momentum } => {
            let b = update_buffer(buffer, &g, momentum, 0.0);
            g.iter_mut().zip(&b).for_each(|(g, &b)| *g += momentum * b);
            Some(b)
        }
    };
    let updated: Vec<f32> = p.iter().zip(&g).map(|(&p, &g)| p - h.lr * g).collect();
    let shape = param.shape();
    Ok((
        Tensor::from_vec(updated, shape)?,
        new_buffer.map(|b| Tensor::from_vec(b, shape)).transpose()?,
    ))
}

/// b = g on the first step, else μ·b + (1 − dampening)·g.
fn update_buffer(buffer: Option<&Tensor>, g: &[f32], momentum: f32, dampening: f32) -> Vec<f32> {
    match buffer {
        None => g.to_vec(),
        Some(b) => b
            .contiguous_data()
            .iter()
            .zip(g)
            .map(|(&b, &g)| momentum * b + (1.0 - dampening) * g)
            .collect(),
    }
}
