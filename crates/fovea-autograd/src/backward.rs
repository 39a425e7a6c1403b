//! The backward walk and the [`Gradients`] it returns.

use std::collections::{HashMap, HashSet};

use fovea_tensor::{Error, Result, Tensor};

use crate::var::Var;

/// Gradients of a scalar with respect to the leaves that require them, keyed by variable.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// let w = Var::parameter(fovea_tensor::Tensor::full(&[1], 3.0));
/// let grads = (&w * &w).sum_all().backward()?;   // d(w²)/dw = 2w
/// assert_eq!(grads.get(&w).unwrap().to_vec(), vec![6.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Gradients {
    by_id: HashMap<u64, Tensor>,
}

impl Gradients {
    /// The gradient for `var`, or `None` if it does not require one or the loss does not
    /// depend on it.
    ///
    /// # Example
    /// See [`Gradients`].
    pub fn get(&self, var: &Var) -> Option<&Tensor> {
        self.by_id.get(&var.id())
    }

    /// Removes and returns the gradient for `var`.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// let w = Var::parameter(fovea_tensor::Tensor::ones(&[1]));
    /// let mut grads = w.sum_all().backward()?;
    /// assert!(grads.remove(&w).is_some());
    /// assert!(grads.get(&w).is_none());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn remove(&mut self, var: &Var) -> Option<Tensor> {
        self.by_id.remove(&var.id())
    }

    /// Sets (replaces) the gradient for `var`; gradient clipping uses this.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::{Gradients, Var};
    /// let w = Var::parameter(fovea_tensor::Tensor::ones(&[1]));
    /// let mut grads = Gradients::default();
    /// grads.insert(&w, fovea_tensor::Tensor::zeros(&[1]));
    /// assert!(grads.get(&w).is_some());
    /// ```
    pub fn insert(&mut self, var: &Var, grad: Tensor) {
        self.by_id.insert(var.id(), grad);
    }

    /// Number of gradients held.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_autograd::Gradients::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when no gradient is held.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_autograd::Gradients::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// Adds `grad` into the slot for `id`.
fn accumulate(grads: &mut HashMap<u64, Tensor>, id: u64, grad: Tensor) -> Result<()> {
    match grads.remove(&id) {
        Some(sum) => grads.insert(id, sum.add(&grad)?),
        None => grads.insert(id, grad),
    };
    Ok(())
}

impl Var {
    /// Reverse-mode differentiation of this scalar (a one-element variable) with respect to every
    /// leaf that requires a gradient. The graph is kept, so `backward` may be called again.
    ///
    /// Nodes are visited once each, in reverse creation order (a topological order), and a
    /// variable used several times receives the sum of its gradients. Intermediate gradients
    /// are freed as soon as they have been passed on.
    ///
    /// PyTorch equivalent: `loss.backward(retain_graph=True)` followed by reading `.grad`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when `self` has more than one element; [`Error::ShapeMismatch`]
    /// when an [`Op`](crate::Op) returns a gradient whose shape differs from its input's.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// let x = Var::parameter(fovea_tensor::Tensor::full(&[1], 2.0));
    /// let y = &x * &x.exp();                     // y = x·eˣ, dy/dx = (1 + x)eˣ
    /// let g = y.sum_all().backward()?;
    /// assert!((g.get(&x).unwrap().to_vec()[0] - 3.0 * 2f32.exp()).abs() < 1e-4);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn backward(&self) -> Result<Gradients> {
        let value = self.value();
        if value.len() != 1 {
            return Err(Error::invalid_shape(
                "backward",
                "needs a scalar (one-element) loss; reduce it first, e.g. with mean_all()",
                value.shape(),
            ));
        }
        self.backward_with(Tensor::ones(value.shape()))
    }

    /// Backward from a non-scalar output, given the gradient with respect to it (a
    /// vector-Jacobian product).
    ///
    /// PyTorch equivalent: `y.backward(gradient=grad)`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `grad` does not have this variable's shape, or an op returns
    /// a gradient of the wrong shape.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// use fovea_tensor::Tensor;
    /// let x = Var::parameter(Tensor::ones(&[2]));
    /// let g = x.mul_scalar(3.0).backward_with(Tensor::from_vec(vec![1.0, 2.0], &[2])?)?;
    /// assert_eq!(g.get(&x).unwrap().to_vec(), vec![3.0, 6.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn backward_with(&self, grad: Tensor) -> Result<Gradients> {
        if grad.shape() != self.shape() {
            return Err(Error::shape_mismatch(
                "backward",
                "the output gradient has another shape than the output",
                &self.shape(),
                grad.shape(),
            ));
        }
        let order = self.graph_in_reverse_order();
        let mut grads: HashMap<u64, Tensor> = HashMap::new();
        grads.insert(self.id(), grad);
        let mut leaves = Gradients::default();
        for node in order {
            let Some(grad) = grads.remove(&node.id()) else {
                continue;
            };
            let Some(origin) = &node.0.origin else {
                leaves.by_id.insert(node.id(), grad);
                continue;
            };
            let input_grads = origin.op.backward(&grad)?;
            if input_grads.len() != origin.inputs.len() {
                return Err(Error::invalid_argument(
                    origin.op.name(),
                    format!(
                        "backward returned {} gradients for {} inputs",
                        input_grads.len(),
                        origin.inputs.len()
                    ),
                ));
            }
            for (input, g) in origin.inputs.iter().zip(input_grads) {
                let Some(g) = g else { continue };
                if !input.requires_grad() {
                    continue;
                }
                if g.shape() != input.shape() {
                    return Err(Error::shape_mismatch(
                        format!("{} backward", origin.op.name()),
                        "gradient shape differs from the input shape",
                        &input.shape(),
                        g.shape(),
                    ));
                }
                accumulate(&mut grads, input.id(), g)?;
            }
        }
        Ok(leaves)
    }

    /// Every node reachable from `self` that requires a gradient, latest first.
    fn graph_in_reverse_order(&self) -> Vec<Var> {
        let mut seen = HashSet::new();
        let mut stack = vec![self.clone()];
        let mut nodes = Vec::new();
        while let Some(var) = stack.pop() {
            if !var.requires_grad() || !seen.insert(var.id()) {
                continue;
            }
            if let Some(origin) = &var.0.origin {
                stack.extend(origin.inputs.iter().cloned());
            }
            nodes.push(var);
        }
        nodes.sort_unstable_by_key(|v| std::cmp::Reverse(v.id()));
        nodes
    }
}
