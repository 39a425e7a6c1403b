//! Gradient mode: inside [`no_grad`] (inference), operations record no graph and cost nothing
//! beyond their forward computation.

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// True unless the current thread is inside [`no_grad`] or holds a [`NoGradGuard`].
///
/// # Example
/// ```
/// assert!(fovea_autograd::is_grad_enabled());
/// fovea_autograd::no_grad(|| assert!(!fovea_autograd::is_grad_enabled()));
/// ```
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(Cell::get)
}

/// Runs `f` with gradient recording off on this thread: every [`Var`](crate::Var) it creates is
/// a constant with no history. The previous mode is restored afterwards, even on panic.
///
/// PyTorch equivalent: `with torch.no_grad():` (also `torch.inference_mode()`).
///
/// # Example
/// ```
/// use fovea_autograd::{Var, no_grad};
/// use fovea_tensor::Tensor;
/// let w = Var::parameter(Tensor::ones(&[2]));
/// let y = no_grad(|| w.mul_scalar(3.0));
/// assert!(!y.requires_grad());
/// ```
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    let _guard = NoGradGuard::new();
    f()
}

/// Turns gradient recording off on this thread until dropped.
///
/// # Example
/// ```
/// {
///     let _guard = fovea_autograd::NoGradGuard::new();
///     assert!(!fovea_autograd::is_grad_enabled());
/// }
/// assert!(fovea_autograd::is_grad_enabled());
/// ```
pub struct NoGradGuard {
    previous: bool,
}

impl NoGradGuard {
    /// Disables recording and remembers the previous mode.
    ///
    /// # Example
    /// ```
    /// let _g = fovea_autograd::NoGradGuard::new();
    /// ```
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let previous = GRAD_ENABLED.with(|g| g.replace(false));
        NoGradGuard { previous }
    }
}

impl Drop for NoGradGuard {
    fn drop(&mut self) {
        GRAD_ENABLED.with(|g| g.set(self.previous));
    }
}
