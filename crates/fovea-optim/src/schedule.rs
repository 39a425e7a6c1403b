//! Learning-rate schedules in closed form: the rate at epoch (or step) `t` from the initial rate.
//!
//! Call `optimizer.set_lr(schedule.lr(optimizer.initial_lr(), t))` at the start of epoch `t`.
//! A closed form needs no state, so resuming from a checkpoint only needs `t`.

use std::f32::consts::PI;

/// A learning-rate schedule.
///
/// # Example
/// ```
/// use fovea_optim::{LrSchedule, StepLr};
/// let s = StepLr { step_size: 10, gamma: 0.1 };
/// assert!((s.lr(1.0, 25) - 0.01).abs() < 1e-7);
/// ```
pub trait LrSchedule: Send + Sync {
    /// The learning rate at epoch (or step) `t`, starting from `initial`.
    fn lr(&self, initial: f32, t: usize) -> f32;
}

/// Multiplies the rate by `gamma` every `step_size` epochs: lr = initial·γ^⌊t/step⌋.
///
/// PyTorch equivalent: `torch.optim.lr_scheduler.StepLR(opt, step_size, gamma)`.
///
/// # Example
/// See [`LrSchedule`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepLr {
    /// Epochs between decays (must be > 0; 0 is treated as never decaying).
    pub step_size: usize,
    /// Decay factor.
    pub gamma: f32,
}

impl LrSchedule for StepLr {
    fn lr(&self, initial: f32, t: usize) -> f32 {
        if self.step_size == 0 {
            return initial;
        }
        initial * self.gamma.powi((t / self.step_size) as i32)
    }
}

/// Multiplies the rate by `gamma` at each milestone: lr = initial·γ^(milestones ≤ t).
///
/// PyTorch equivalent: `torch.optim.lr_scheduler.MultiStepLR(opt, milestones, gamma)`.
///
/// # Example
/// ```
/// use fovea_optim::{LrSchedule, MultiStepLr};
/// let s = MultiStepLr { milestones: vec![3, 6], gamma: 0.5 };
/// assert_eq!([s.lr(1.0, 2), s.lr(1.0, 3), s.lr(1.0, 6)], [1.0, 0.5, 0.25]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MultiStepLr {
    /// Epochs at which the rate decays.
    pub milestones: Vec<usize>,
    /// Decay factor.
    pub gamma: f32,
}

impl LrSchedule for MultiStepLr {
    fn lr(&self, initial: f32, t: usize) -> f32 {
        initial
            * self
                .gamma
                .powi(self.milestones.iter().filter(|&&m| m <= t).count() as i32)
    }
}

/// Cosine annealing from the initial rate down to `eta_min` over `t_max` epochs:
/// lr = η_min + (initial − η_min)·(1 + cos(π·t/T))/2, held at η_min after T.
///
/// PyTorch equivalent: `torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min)` (its
/// closed form; fovea does not restart after `T_max`).
///
/// # Example
/// ```
/// use fovea_optim::{CosineAnnealing, LrSchedule};
/// let s = CosineAnnealing { t_max: 10, eta_min: 0.0 };
/// assert!((s.lr(1.0, 5) - 0.5).abs() < 1e-6);
/// assert_eq!(s.lr(1.0, 10), 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CosineAnnealing {
    /// Length of the annealing in epochs.
    pub t_max: usize,
    /// Final rate.
    pub eta_min: f32,
}

impl LrSchedule for CosineAnnealing {
    fn lr(&self, initial: f32, t: usize) -> f32 {
        if self.t_max == 0 {
            return self.eta_min;
        }
        let progress = t.min(self.t_max) as f32 / self.t_max as f32;
        self.eta_min + (initial - self.eta_min) * (1.0 + (PI * progress).cos()) / 2.0
    }
}

/// Linear warm-up over `steps` from `start_factor`·initial to initial, then `then`
/// (whose clock starts at 0 when the warm-up ends).
///
/// PyTorch equivalent: `SequentialLR(opt, [LinearLR(opt, start_factor, total_iters=steps), then],
/// milestones=[steps])`.
///
/// # Example
/// ```
/// use fovea_optim::{LinearWarmup, LrSchedule, StepLr};
/// let s = LinearWarmup { steps: 4, start_factor: 0.25, then: Box::new(StepLr { step_size: 10, gamma: 0.1 }) };
/// assert_eq!([s.lr(1.0, 0), s.lr(1.0, 2), s.lr(1.0, 4)], [0.25, 0.625, 1.0]);
/// ```
pub struct LinearWarmup {
    /// Warm-up length.
    pub steps: usize,
    /// Fraction of the initial rate at t = 0.
    pub start_factor: f32,
    /// The schedule after the warm-up.
    pub then: Box<dyn LrSchedule>,
}

impl LrSchedule for LinearWarmup {
    fn lr(&self, initial: f32, t: usize) -> f32 {
        if t < self.steps {
            initial * (self.start_factor + (1.0 - self.start_factor) * t as f32 / self.steps as f32)
        } else {
            self.then.lr(initial, t - self.steps)
        }
    }
}

/// A constant rate (the "no schedule" schedule).
///
/// # Example
/// ```
/// use fovea_optim::{Constant, LrSchedule};
/// assert_eq!(Constant.lr(0.1, 99), 0.1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Constant;

impl LrSchedule for Constant {
    fn lr(&self, initial: f32, _t: usize) -> f32 {
        initial
    }
}
