//! Numerical gradient checking by central differences, for any function of variables.

use std::fmt;

use fovea_tensor::{Error, Result, Tensor, seeded_rng};

use crate::{Var, no_grad};

/// Settings of [`gradcheck`].
///
/// # Example
/// ```
/// let o = fovea_autograd::GradcheckOptions::default().with_eps(1e-2);
/// assert_eq!(o.eps, 1e-2);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct GradcheckOptions {
    /// Step of the central difference `(f(x + eps) − f(x − eps)) / 2eps`. f32 forward passes
    /// make steps much below 1e-3 noisy.
    pub eps: f64,
    /// Absolute tolerance: an element passes when `|analytic − numeric| ≤ atol + rtol·|numeric|`.
    pub atol: f64,
    /// Relative tolerance (see `atol`).
    pub rtol: f64,
    /// Seed of the random projection that turns a tensor output into a scalar.
    pub seed: u64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 1e-3,
            atol: 1e-3,
            rtol: 1e-2,
            seed: 0,
        }
    }
}

impl GradcheckOptions {
    /// Sets the finite-difference step.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_autograd::GradcheckOptions::default().with_eps(0.01).eps, 0.01);
    /// ```
    pub fn with_eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Sets both tolerances.
    ///
    /// # Example
    /// ```
    /// let o = fovea_autograd::GradcheckOptions::default().with_tolerance(1e-2, 1e-4);
    /// assert_eq!((o.rtol, o.atol), (1e-2, 1e-4));
    /// ```
    pub fn with_tolerance(mut self, rtol: f64, atol: f64) -> Self {
        self.rtol = rtol;
        self.atol = atol;
        self
    }
}

/// How closely the analytic gradient of one input matched the numerical one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputReport {
    /// max |analytic − numeric| over the elements.
    pub max_abs_error: f64,
    /// max |analytic − numeric| / max(|analytic|, |numeric|) over the elements whose gradient
    /// is not negligible (both above `atol`); 0 when all are negligible.
    pub max_rel_error: f64,
    /// True when every element is within `atol + rtol·|numeric|`.
    pub passed: bool,
}

/// The result of [`gradcheck`]: one [`InputReport`] per input.
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckReport {
    /// One entry per input, in order.
    pub inputs: Vec<InputReport>,
}

impl GradcheckReport {
    /// True when every input passed.
    ///
    /// # Example
    /// See [`gradcheck`].
    pub fn passed(&self) -> bool {
        self.inputs.iter().all(|r| r.passed)
    }

    /// The largest relative error over all inputs.
    ///
    /// # Example
    /// See [`gradcheck`].
    pub fn max_rel_error(&self) -> f64 {
        self.inputs
            .iter()
            .map(|r| r.max_rel_error)
            .fold(0.0, f64::max)
    }

    /// The largest absolute error over all inputs.
    ///
    /// # Example
    /// See [`gradcheck`].
    pub fn max_abs_error(&self) -> f64 {
        self.inputs
            .iter()
            .map(|r| r.max_abs_error)
            .fold(0.0, f64::max)
    }
}

impl fmt::Display for GradcheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.inputs.iter().enumerate() {
            writeln!(
                f,
                "input {i}: max abs error {:.2e}, max rel error {:.2e}, {}",
                r.max_abs_error,
                r.max_rel_error,
                if r.passed { "ok" } else { "FAILED" }
            )?;
        }
        Ok(())
    }
}

/// Σ r·y accumulated in f64.
fn project(y: &Tensor, r: &[f32]) -> f64 {
    y.contiguous_data()
        .iter()
        .zip(r)
        .map(|(&a, &b)| a as f64 * b as f64)
        .sum()
}

/// Compares the gradients that [`Var::backward`] computes for `f` with central differences.
///
/// `f` maps variables to a variable of any shape. The output is reduced to a scalar
/// L = Σ r·f(x) with a fixed random `r` (seeded by `options.seed`), accumulated in f64, so every
/// output element is checked at once. For each element of each input, the numerical derivative
/// is (L(x + eps) − L(x − eps)) / 2eps. Inputs are passed to `f` as parameters in the given order.
///
/// Keep inputs away from kinks (ReLU at 0, ties of a max) by more than `eps`, where the two
/// one-sided derivatives differ and no finite difference can agree.
///
/// PyTorch equivalent: `torch.autograd.gradcheck` (which needs f64 inputs; fovea runs f32 ops
/// and accumulates in f64).
///
/// # Errors
/// Whatever `f` returns, and the errors of [`Var::backward_with`].
///
/// # Example
/// ```
/// use fovea_autograd::{GradcheckOptions, gradcheck};
/// use fovea_tensor::{Tensor, seeded_rng};
/// let a = Tensor::rand_normal(&[3, 4], 0.0, 1.0, &mut seeded_rng(1))?;
/// let b = Tensor::rand_normal(&[4], 0.0, 1.0, &mut seeded_rng(2))?;
/// let report = gradcheck(|v| v[0].mul(&v[1])?.exp().sum(&[1], false), &[a, b], GradcheckOptions::default())?;
/// assert!(report.passed(), "{report}");
/// assert!(report.max_rel_error() < 1e-2);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn gradcheck(
    f: impl Fn(&[Var]) -> Result<Var>,
    inputs: &[Tensor],
    options: GradcheckOptions,
) -> Result<GradcheckReport> {
    let vars: Vec<Var> = inputs.iter().map(|t| Var::parameter(t.clone())).collect();
    let y = f(&vars)?;
    let out_shape = y.shape();
    let r = Tensor::rand_uniform(&out_shape, -1.0, 1.0, &mut seeded_rng(options.seed))?;
    let r_data = r.to_vec();
    let grads = y.backward_with(r)?;

    let mut reports = Vec::with_capacity(inputs.len());
    for (k, input) in inputs.iter().enumerate() {
        let analytic = grads
            .get(&vars[k])
            .map(|g| g.to_vec())
            .unwrap_or_else(|| vec![0.0; input.len()]);
        let base = input.to_vec();
        let mut report = InputReport {
            max_abs_error: 0.0,
            max_rel_error: 0.0,
            passed: true,
        };
        for i in 0..base.len() {
            let eval = |delta: f64| -> Result<f64> {
                let mut moved = base.clone();
                moved[i] = (base[i] as f64 + delta) as f32;
                let moved = Tensor::from_vec(moved, input.shape())?;
                let args: Vec<Var> = inputs
                    .iter()
                    .enumerate()
                    .map(|(j, t)| Var::constant(if j == k { moved.clone() } else { t.clone() }))
                    .collect();
                let out = no_grad(|| f(&args))?;
                if out.shape() != out_shape {
                    return Err(Error::shape_mismatch(
                        "gradcheck",
                        "output shape changed",
                        &out_shape,
                        &out.shape(),
                    ));
                }
                Ok(project(&out.value(), &r_data))
            };
            // Use the step actually representable in f32 so that the quotient is exact in x.
            let up = (base[i] as f64 + options.eps) as f32 as f64 - base[i] as f64;
            let down = base[i] as f64 - (base[i] as f64 - options.eps) as f32 as f64;
            let numeric = (eval(up)? - eval(-down)?) / (up + down);
            let a = analytic[i] as f64;
            let abs = (a - numeric).abs();
            report.max_abs_error = report.max_abs_error.max(abs);
            let scale = a.abs().max(numeric.abs());
            if scale > options.atol {
                report.max_rel_error = report.max_rel_error.max(abs / scale);
            }
            if abs > options.atol + options.rtol * numeric.abs() {
                report.passed = false;
            }
        }
        reports.push(report);
    }
    Ok(GradcheckReport { inputs: reports })
}
