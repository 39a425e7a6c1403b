//! # fovea
//!
//! A small deep-learning framework for computer vision, in Rust, fast on a laptop CPU.
//!
//! This crate is the facade: it re-exports the parts, each of which lives in its own crate.
//!
//! | crate | holds |
//! |---|---|
//! | [`tensor`] (`fovea-tensor`) | n-d `f32` tensors: shape ops, broadcasting, reductions, matmul, im2col |
//! | [`autograd`] (`fovea-autograd`) | reverse-mode differentiation, losses, `gradcheck` |
//! | [`layers`] (`fovea-layers`) | `Module`, `Sequential`, Conv2d, pooling, activations, LRN, RoI pooling, SPP |
//! | [`optim`] (`fovea-optim`) | SGD as `torch.optim.SGD`, parameter groups, clipping, LR schedules |
//! | [`checkpoint`] (`fovea-checkpoint`) | parameters on disk, partial loading, freezing, safetensors |
//! | [`data`] (`fovea-data`) | IDX files, Fashion-MNIST (embedded subset or full), mini-batches |
//! | [`metrics`] (`fovea-metrics`) | classification, segmentation (pixel, warping, Rand error), stereo |
//! | [`models`] | ready-made networks |
//! | [`train`] | the training loop: one epoch, evaluation |
//!
//! Most programs need only the [`prelude`]:
//!
//! ```
//! use fovea::prelude::*;
//! let w = Var::parameter(Tensor::from_vec(vec![0.5, -0.5], &[2, 1])?);
//! let x = Var::constant(Tensor::from_vec(vec![1.0, 2.0], &[1, 2])?);
//! let loss = x.matmul(&w)?.powf(2.0).mean_all();
//! let grads = loss.backward()?;
//! assert_eq!(grads.get(&w).unwrap().to_vec(), vec![-1.0, -2.0]);
//! # Ok::<(), fovea::Error>(())
//! ```
//!
//! ## fovea for PyTorch users
//!
//! | PyTorch | fovea |
//! |---|---|
//! | `torch.tensor(data).reshape(shape)` | `Tensor::from_vec(data, &shape)?` |
//! | `torch.zeros(shape)` | `Tensor::zeros(&shape)` |
//! | `nn.Parameter(t)` | `Var::parameter(t)` |
//! | `t.detach()` / a tensor without grad | `v.detach()` / `Var::constant(t)` |
//! | `loss.backward(); p.grad` | `let g = loss.backward()?; g.get(&p)` |
//! | `with torch.no_grad():` | `no_grad(\|\| ...)` |
//! | `torch.matmul(a, b)` | `a.matmul(&b)?` |
//! | `t.sum(dim, keepdim)` | `t.sum(&[dim], keepdim)?` |
//! | `F.cross_entropy(x, y, weight, ignore_index)` | `cross_entropy_with(&x, &y, &opts)?` |
//! | `F.unfold(x, k, d, p, s)` | `x.im2col(&ConvGeometry::new(k).with_...)?` |
//! | `torch.autograd.gradcheck` | `gradcheck(f, &inputs, opts)?` |
#![warn(missing_docs)]

pub use fovea_autograd as autograd;
pub use fovea_checkpoint as checkpoint;
pub use fovea_data as data;
pub use fovea_layers as layers;
pub use fovea_metrics as metrics;
pub use fovea_optim as optim;

pub mod models;
pub mod train;
pub use fovea_tensor as tensor;

pub use fovea_tensor::{Error, Result};

// Compiles and runs the README's examples as doctests, so the README cannot drift.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The names most programs use.
///
/// ```
/// use fovea::prelude::*;
/// let t = Tensor::ones(&[2]);
/// assert_eq!(Var::constant(t).sum_all().value().item(), Some(2.0));
/// ```
pub mod prelude {
    pub use fovea_autograd::{
        CrossEntropyOptions, Gradients, Var, cross_entropy, cross_entropy_with, gradcheck,
        mse_loss, no_grad,
    };
    pub use fovea_layers::{
        Conv2d, Conv2dConfig, DeadUnitMonitor, EndPoints, Flatten, Linear, LinearConfig, Module,
        ModuleExt, Relu, Sequential, functional as F, summary,
    };
    pub use fovea_tensor::{ConvGeometry, Error, Result, Tensor, seeded_rng};
}
