//! [`Var`]: a tensor that remembers how it was computed, and the [`Op`] trait through which any
//! crate adds a differentiable operation.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use fovea_tensor::{Error, Result, Tensor};

use crate::mode::is_grad_enabled;

/// The backward half of a differentiable operation.
///
/// An operation computes its output from plain tensors, keeps what its gradient needs (inputs,
/// output, masks, indices) inside the `Op` value, and records itself with [`Var::from_op`]. During
/// [`Var::backward`] its [`backward`](Op::backward) receives the gradient of the loss with respect
/// to the output and returns one gradient per input, each with that input's shape (`None` for an
/// input that needs none). This is how `fovea-layers` adds Conv2d, LRN and RoI pooling without
/// touching this crate.
///
/// PyTorch equivalent: `torch.autograd.Function` (its `backward`; the forward is the caller's code).
///
/// # Example
/// ```
/// use fovea_autograd::{Op, Var};
/// use fovea_tensor::{Result, Tensor};
///
/// /// y = x³, dy/dx = 3x².
/// struct Cube { x: Tensor }
/// impl Op for Cube {
///     fn name(&self) -> &str { "cube" }
///     fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
///         Ok(vec![Some(grad.mul(&self.x.powf(2.0).mul_scalar(3.0))?)])
///     }
/// }
/// fn cube(x: &Var) -> Var {
///     let value = x.value().powf(3.0);
///     Var::from_op(value, &[x], Cube { x: x.value() })
/// }
///
/// let x = Var::parameter(Tensor::full(&[1], 2.0));
/// let grads = cube(&x).sum_all().backward()?;
/// assert_eq!(grads.get(&x).unwrap().to_vec(), vec![12.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub trait Op: Send + Sync {
    /// Short name used in error messages ("matmul", "conv2d", ...).
    fn name(&self) -> &str;

    /// Gradients with respect to each input, in the order the inputs were given to
    /// [`Var::from_op`], from the gradient with respect to the output.
    ///
    /// # Errors
    /// Whatever the computation reports; a gradient of the wrong shape is reported by the
    /// backward walk as [`Error::ShapeMismatch`].
    fn backward(&self, grad_output: &Tensor) -> Result<Vec<Option<Tensor>>>;
}

/// An [`Op`] from a closure; used by the built-in operations to keep forward and backward in
/// one function.
pub(crate) struct FnOp<F> {
    pub name: &'static str,
    pub backward: F,
}

impl<F> Op for FnOp<F>
where
    F: Fn(&Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync,
{
    fn name(&self) -> &str {
        self.name
    }
    fn backward(&self, grad_output: &Tensor) -> Result<Vec<Option<Tensor>>> {
        (self.backward)(grad_output)
    }
}

/// Where a non-leaf variable came from.
pub(crate) struct Origin {
    pub inputs: Vec<Var>,
    pub op: Box<dyn Op>,
}

pub(crate) struct Node {
    /// Creation order: a node's inputs always have smaller ids, so sorting by id is a
    /// topological order and backward is one reverse walk.
    pub id: u64,
    pub value: RwLock<Tensor>,
    pub requires_grad: AtomicBool,
    pub origin: Option<Origin>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A differentiable tensor: a value plus, when it was computed from variables that require
/// gradients, the operation and inputs that produced it.
///
/// Leaves are created with [`Var::parameter`] (trainable, requires a gradient) or
/// [`Var::constant`] (data). Operations on variables return new variables; the graph lives as
/// long as the variables that hold it. Cloning a `Var` is cheap and shares the node, so a
/// module and its optimizer see the same parameter.
///
/// PyTorch equivalent: a `torch.Tensor` with `requires_grad`.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_tensor::Tensor;
/// let w = Var::parameter(Tensor::from_vec(vec![1.0, -2.0], &[2])?);
/// let x = Var::constant(Tensor::from_vec(vec![3.0, 4.0], &[2])?);
/// let loss = (&w * &x).sum_all();          // 3w0 + 4w1
/// let grads = loss.backward()?;
/// assert_eq!(grads.get(&w).unwrap().to_vec(), vec![3.0, 4.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone)]
pub struct Var(pub(crate) Arc<Node>);

impl Var {
    fn leaf(value: Tensor, requires_grad: bool) -> Var {
        Var(Arc::new(Node {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            value: RwLock::new(value),
            requires_grad: AtomicBool::new(requires_grad),
            origin: None,
        }))
    }

    /// A trainable leaf: gradients are computed for it.
    ///
    /// # Example
    /// ```
    /// let w = fovea_autograd::Var::parameter(fovea_tensor::Tensor::zeros(&[3]));
    /// assert!(w.requires_grad() && w.is_leaf());
    /// ```
    pub fn parameter(value: Tensor) -> Var {
        Self::leaf(value, true)
    }

    /// A constant leaf (input data, targets): no gradient is computed for it.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::constant(fovea_tensor::Tensor::zeros(&[3]));
    /// assert!(!x.requires_grad());
    /// ```
    pub fn constant(value: Tensor) -> Var {
        Self::leaf(value, false)
    }

    /// Records the result of an operation. `value` is the output computed from the inputs'
    /// values; `op` computes the inputs' gradients later. If gradient recording is off
    /// ([`no_grad`](crate::no_grad)) or no input requires a gradient, the result is a constant
    /// and `op` is dropped at once.
    ///
    /// # Example
    /// See [`Op`].
    pub fn from_op(value: Tensor, inputs: &[&Var], op: impl Op + 'static) -> Var {
        if !is_grad_enabled() || !inputs.iter().any(|v| v.requires_grad()) {
            return Self::constant(value);
        }
        Var(Arc::new(Node {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            value: RwLock::new(value),
            requires_grad: AtomicBool::new(true),
            origin: Some(Origin {
                inputs: inputs.iter().map(|&v| v.clone()).collect(),
                op: Box::new(op),
            }),
        }))
    }

    /// [`Var::from_op`] with the backward pass given as a closure.
    pub(crate) fn from_fn<F>(value: Tensor, inputs: &[&Var], name: &'static str, backward: F) -> Var
    where
        F: Fn(&Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync + 'static,
    {
        Self::from_op(value, inputs, FnOp { name, backward })
    }

    /// A unique id (creation order).
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// let a = Var::constant(fovea_tensor::Tensor::zeros(&[1]));
    /// let b = Var::constant(fovea_tensor::Tensor::zeros(&[1]));
    /// assert!(a.id() < b.id());
    /// ```
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// The current value (cheap: tensors share their data).
    ///
    /// # Example
    /// ```
    /// let v = fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[2]));
    /// assert_eq!(v.value().to_vec(), vec![1.0, 1.0]);
    /// ```
    pub fn value(&self) -> Tensor {
        self.0
            .value
            .read()
            .expect("internal: value lock poisoned")
            .clone()
    }

    /// The shape of the value.
    ///
    /// # Example
    /// ```
    /// let v = fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[2, 5]));
    /// assert_eq!(v.shape(), vec![2, 5]);
    /// ```
    pub fn shape(&self) -> Vec<usize> {
        self.0
            .value
            .read()
            .expect("internal: value lock poisoned")
            .shape()
            .to_vec()
    }

    /// True for leaves (parameters and constants), false for results of operations.
    ///
    /// # Example
    /// ```
    /// let w = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[1]));
    /// assert!(w.is_leaf());
    /// assert!(!w.exp().is_leaf());
    /// ```
    pub fn is_leaf(&self) -> bool {
        self.0.origin.is_none()
    }

    /// True when gradients flow to or through this variable.
    ///
    /// # Example
    /// ```
    /// let w = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[1]));
    /// assert!(w.exp().requires_grad());
    /// ```
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad.load(Ordering::Relaxed)
    }

    /// Freezes (`false`) or unfreezes (`true`) a leaf. A frozen parameter gets no gradient, and
    /// operations on frozen parameters and constants only record no graph.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a non-leaf (its flag follows from its inputs).
    ///
    /// # Example
    /// ```
    /// let w = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[1]));
    /// w.set_requires_grad(false)?;
    /// assert!(!w.exp().requires_grad());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn set_requires_grad(&self, requires_grad: bool) -> Result<()> {
        if !self.is_leaf() {
            return Err(Error::invalid_argument(
                "set_requires_grad",
                "only leaves can be frozen or unfrozen",
            ));
        }
        self.0.requires_grad.store(requires_grad, Ordering::Relaxed);
        Ok(())
    }

    /// Replaces the value of a leaf (what an optimizer step does). Graphs already built keep the
    /// values their operations saved.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a non-leaf; [`Error::ShapeMismatch`] when the shape changes.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let w = fovea_autograd::Var::parameter(Tensor::ones(&[2]));
    /// w.set_value(Tensor::zeros(&[2]))?;
    /// assert_eq!(w.value().to_vec(), vec![0.0, 0.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn set_value(&self, value: Tensor) -> Result<()> {
        if !self.is_leaf() {
            return Err(Error::invalid_argument(
                "set_value",
                "only leaves can be assigned",
            ));
        }
        let mut slot = self.0.value.write().expect("internal: value lock poisoned");
        if slot.shape() != value.shape() {
            return Err(Error::shape_mismatch(
                "set_value",
                "the new value has another shape",
                slot.shape(),
                value.shape(),
            ));
        }
        *slot = value;
        Ok(())
    }

    /// A constant with the same value and no history.
    ///
    /// PyTorch equivalent: `t.detach()`.
    ///
    /// # Example
    /// ```
    /// let w = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[1]));
    /// assert!(!w.exp().detach().requires_grad());
    /// ```
    pub fn detach(&self) -> Var {
        Var::constant(self.value())
    }

    /// The name of the operation that produced this variable, `None` for a leaf.
    ///
    /// # Example
    /// ```
    /// let w = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[1]));
    /// assert_eq!(w.exp().op_name(), Some("exp"));
    /// ```
    pub fn op_name(&self) -> Option<&str> {
        self.0.origin.as_ref().map(|o| o.op.name())
    }
}

impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Var")
            .field("id", &self.id())
            .field("op", &self.op_name())
            .field("requires_grad", &self.requires_grad())
            .field("value", &self.value())
            .finish()
    }
}
