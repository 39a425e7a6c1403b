//! # fovea-optim
//!
//! Optimizers for fovea: [`Sgd`] exactly as `torch.optim.SGD` (momentum, dampening, Nesterov,
//! L2 weight decay) over named parameters with [`ParamGroup`]s chosen by name pattern, the
//! update itself as the pure function [`sgd_step`], [`clip_grad_norm`], and learning-rate
//! schedules ([`StepLr`], [`MultiStepLr`], [`CosineAnnealing`], [`LinearWarmup`]).
//! Most users reach it through the `fovea` facade.
#![warn(missing_docs)]

mod clip;
mod schedule;
mod sgd;
mod sgd_step;
mod state;

pub use clip::clip_grad_norm;
pub use schedule::{Constant, CosineAnnealing, LinearWarmup, LrSchedule, MultiStepLr, StepLr};
pub use sgd::{ParamGroup, Sgd, SgdConfig};
pub use sgd_step::{Momentum, SgdHyper, sgd_step, sgd_step_in_place};
pub use state::{NamedTensor, SgdState};
