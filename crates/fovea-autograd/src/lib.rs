//! # fovea-autograd
//!
//! Reverse-mode automatic differentiation for fovea. A [`Var`] is a tensor that remembers the
//! operation that made it; [`Var::backward`] walks that record once, in reverse creation order,
//! and returns the [`Gradients`] of a scalar with respect to every parameter. Later crates add
//! operations (Conv2d, LRN, RoI pooling) through the [`Op`] trait without touching this crate,
//! and [`gradcheck`] verifies any of them against central differences.
//!
//! ```
//! use fovea_autograd::{Var, cross_entropy};
//! use fovea_tensor::{Tensor, seeded_rng};
//! let mut rng = seeded_rng(0);
//! let w = Var::parameter(Tensor::rand_normal(&[4, 3], 0.0, 0.1, &mut rng)?);
//! let x = Var::constant(Tensor::rand_normal(&[8, 4], 0.0, 1.0, &mut rng)?);
//! let loss = cross_entropy(&x.matmul(&w)?, &[0, 1, 2, 0, 1, 2, 0, 1])?;
//! let grads = loss.backward()?;
//! assert_eq!(grads.get(&w).unwrap().shape(), &[4, 3]);
//! # Ok::<(), fovea_tensor::Error>(())
//! ```
#![warn(missing_docs)]

mod backward;
mod gradcheck;
mod loss;
mod mode;
mod ops;
mod pattern;
mod var;

pub use backward::Gradients;
pub use gradcheck::{GradcheckOptions, GradcheckReport, InputReport, gradcheck};
pub use loss::{CrossEntropyOptions, cross_entropy, cross_entropy_with, mse_loss};
pub use mode::{NoGradGuard, is_grad_enabled, no_grad};
pub use pattern::name_matches;
pub use var::{Op, Var};
