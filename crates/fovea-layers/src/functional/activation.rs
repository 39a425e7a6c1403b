//! The ReLU family: leaky ReLU, PReLU, RReLU and ELU, each forward kernel next to its backward.
//!
//! All four are `y = x` for `x > 0` and differ only on the negative side:
//!
//! | function     | `x ≤ 0`                     | ∂y/∂x for `x ≤ 0`       | PyTorch equivalent      |
//! |--------------|-----------------------------|-------------------------|-------------------------|
//! | [`leaky_relu`] | `slope·x`                 | `slope`                 | `F.leaky_relu`          |
//! | [`prelu`]    | `a_c·x` (learned, per channel) | `a_c`; ∂y/∂a_c = `x`  | `F.prelu`               |
//! | [`rrelu`]    | `r·x`, `r ~ U(lower, upper)` | `r` (the same draw)    | `F.rrelu`               |
//! | [`elu`]      | `α(eˣ − 1)`                 | `α·eˣ`                  | `F.elu`                 |
//!
//! At exactly `x = 0` every gradient takes the negative side, as PyTorch's kernels test `x > 0`.

use fovea_autograd::{Op, Var};
use fovea_tensor::{Error, Result, Tensor};
use rand::Rng;
use rayon::prelude::*;

/// Elements per rayon task: below this, splitting costs more than it saves.
const GRAIN: usize = 1 << 14;

/// `f` of every element, in parallel for large inputs.
pub(crate) fn map_par(x: &[f32], f: impl Fn(f32) -> f32 + Sync) -> Vec<f32> {
    x.par_iter().with_min_len(GRAIN).map(|&v| f(v)).collect()
}

/// `f` of every pair of elements, in parallel for large inputs.
pub(crate) fn zip_par(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32 + Sync) -> Vec<f32> {
    a.par_iter()
        .zip(b)
        .with_min_len(GRAIN)
        .map(|(&a, &b)| f(a, b))
        .collect()
}

/// A tensor of `shape` from a kernel's output, which has one value per input element.
pub(crate) fn same_shape(data: Vec<f32>, shape: &[usize]) -> Tensor {
    Tensor::from_vec(data, shape).expect("internal: a kernel returns one value per input element")
}

// ---------------------------------------------------------------------------------------------
// Leaky ReLU: y = x > 0 ? x : slope·x        ∂y/∂x = x > 0 ? 1 : slope

struct LeakyReluOp {
    x: Tensor,
    slope: f32,
}

impl Op for LeakyReluOp {
    fn name(&self) -> &str {
        "leaky_relu"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let slope = self.slope;
        let dx = zip_par(
            &grad.contiguous_data(),
            &self.x.contiguous_data(),
            |g, x| {
                if x > 0.0 { g } else { g * slope }
            },
        );
        Ok(vec![Some(same_shape(dx, self.x.shape()))])
    }
}

/// Leaky ReLU: `x` for `x > 0`, `negative_slope·x` otherwise; the gradient at 0 is
/// `negative_slope`, as PyTorch. Any shape.
///
/// PyTorch equivalent: `torch.nn.functional.leaky_relu(x, negative_slope)`.
///
/// # Shapes
/// Any shape; the output has the input's shape.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::leaky_relu;
/// use fovea_tensor::Tensor;
/// let x = Var::parameter(Tensor::from_vec(vec![-2.0, 3.0], &[2])?);
/// let y = leaky_relu(&x, 0.1);
/// assert_eq!(y.value().to_vec(), vec![-0.2, 3.0]);
/// let g = y.sum_all().backward()?;
/// assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.1, 1.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn leaky_relu(x: &Var, negative_slope: f32) -> Var {
    let xv = x.value();
    let y = map_par(&xv.contiguous_data(), |v| {
        if v > 0.0 { v } else { v * negative_slope }
    });
    let y = same_shape(y, xv.shape());
    Var::from_op(
        y,
        &[x],
        LeakyReluOp {
            x: xv,
            slope: negative_slope,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// PReLU: y = x > 0 ? x : a_c·x     ∂y/∂x = x > 0 ? 1 : a_c     ∂y/∂a_c = x > 0 ? 0 : x

/// How PReLU's slopes map onto the elements: the flat input is a sequence of runs of `inner`
/// elements, and run r belongs to channel `r % channels`.
#[derive(Clone, Copy, Debug)]
struct SlopeLayout {
    channels: usize,
    inner: usize,
}

impl SlopeLayout {
    /// One slope for everything, or one per channel (axis 1) of `shape`.
    fn new(shape: &[usize], slopes: &[usize]) -> Result<SlopeLayout> {
        let count = match slopes {
            [m] => *m,
            _ => {
                return Err(Error::invalid_shape(
                    "prelu",
                    "weight must be 1-d [num_parameters]",
                    slopes,
                ));
            }
        };
        let len: usize = shape.iter().product();
        if count == 1 {
            return Ok(SlopeLayout {
                channels: 1,
                inner: len.max(1),
            });
        }
        // As PyTorch: without an axis 1 there are no channels, so only a single slope fits.
        if shape.len() < 2 || shape[1] != count {
            return Err(Error::shape_mismatch(
                "prelu",
                "the number of slopes must be 1 or the number of channels (axis 1)",
                shape,
                slopes,
            ));
        }
        Ok(SlopeLayout {
            channels: count,
            inner: shape[2..].iter().product::<usize>().max(1),
        })
    }
}

struct PreluOp {
    x: Tensor,
    weight: Tensor,
    layout: SlopeLayout,
}

impl Op for PreluOp {
    fn name(&self) -> &str {
        "prelu"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let SlopeLayout { channels, inner } = self.layout;
        let (x, g, a) = (
            self.x.contiguous_data(),
            grad.contiguous_data(),
            self.weight.contiguous_data(),
        );
        let mut dx = vec![0.0; x.len()];
        // One partial slope gradient per run, in f64 (a channel may sum millions of terms),
        // then added in run order so the result does not depend on the thread count.
        let partial: Vec<f64> = dx
            .par_chunks_mut(inner)
            .zip(x.par_chunks(inner).zip(g.par_chunks(inner)))
            .enumerate()
            .map(|(run, (dx, (x, g)))| {
                let slope = a[run % channels];
                let mut da = 0.0f64;
                for ((dx, &x), &g) in dx.iter_mut().zip(x).zip(g) {
                    if x > 0.0 {
                        *dx = g;
                    } else {
                        *dx = g * slope;
                        da += f64::from(g) * f64::from(x);
                    }
                }
                da
            })
            .collect();
        let mut da = vec![0.0f64; channels];
        for (run, p) in partial.into_iter().enumerate() {
            da[run % channels] += p;
        }
        let da: Vec<f32> = da.into_iter().map(|v| v as f32).collect();
        Ok(vec![
            Some(same_shape(dx, self.x.shape())),
            Some(same_shape(da, self.weight.shape())),
        ])
    }
}

/// Parametric ReLU: `x` for `x > 0`, `a·x` otherwise, with learnable slopes `a`: one shared
/// slope, or one per channel (axis 1). Gradients flow to both `x` and `weight`.
///
/// PyTorch equivalent: `torch.nn.functional.prelu(x, weight)`. Paper: He et al. 2015,
/// <https://arxiv.org/abs/1502.01852>.
///
/// # Shapes
/// x `[N, C, ...]` (any shape with one slope), weight `[1]` or `[C]` → x's shape.
///
/// # Errors
/// [`Error::InvalidShape`] when `weight` is not 1-d; [`Error::ShapeMismatch`] when it holds
/// neither 1 nor `C` slopes.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::prelu;
/// use fovea_tensor::Tensor;
/// // Two channels of two pixels; channel 0 has slope 0.1, channel 1 slope 0.5.
/// let x = Var::constant(Tensor::from_vec(vec![-1.0, 2.0, -4.0, 3.0], &[1, 2, 2])?);
/// let w = Var::parameter(Tensor::from_vec(vec![0.1, 0.5], &[2])?);
/// let y = prelu(&x, &w)?;
/// assert_eq!(y.value().to_vec(), vec![-0.1, 2.0, -2.0, 3.0]);
/// let g = y.sum_all().backward()?;
/// assert_eq!(g.get(&w).unwrap().to_vec(), vec![-1.0, -4.0]); // Σ of the negative inputs
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn prelu(x: &Var, weight: &Var) -> Result<Var> {
    let (xv, wv) = (x.value(), weight.value());
    let layout = SlopeLayout::new(xv.shape(), wv.shape())?;
    let a = wv.contiguous_data();
    let mut y = xv.contiguous_data().into_owned();
    y.par_chunks_mut(layout.inner)
        .enumerate()
        .for_each(|(run, y)| {
            let slope = a[run % layout.channels];
            y.iter_mut()
                .filter(|v| **v <= 0.0)
                .for_each(|v| *v *= slope);
        });
    let y = same_shape(y, xv.shape());
    Ok(Var::from_op(
        y,
        &[x, weight],
        PreluOp {
            x: xv,
            weight: wv,
            layout,
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// RReLU: y = x·r with r = 1 for x > 0 and r ~ U(lower, upper) otherwise     ∂y/∂x = r

/// Checks RReLU's bounds; `op` names the caller in the message.
pub(crate) fn check_rrelu_bounds(op: &str, lower: f32, upper: f32) -> Result<()> {
    if lower.is_finite() && upper.is_finite() && lower <= upper {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            op,
            format!("needs finite bounds with lower <= upper, got lower {lower}, upper {upper}"),
        ))
    }
}

/// The sampled factor of every element, saved so that backward uses the same draws.
struct RreluOp {
    noise: Tensor,
}

impl Op for RreluOp {
    fn name(&self) -> &str {
        "rrelu"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let dx = zip_par(
            &grad.contiguous_data(),
            &self.noise.contiguous_data(),
            |g, r| g * r,
        );
        Ok(vec![Some(same_shape(dx, self.noise.shape()))])
    }
}

/// Randomized leaky ReLU (Xu et al. 2015, <https://arxiv.org/abs/1505.00853>).
///
/// In training, every element with `x ≤ 0` is multiplied by its own fresh slope drawn from
/// `U(lower, upper)` (one draw per element per call, taken from `rng` for every element in
/// row-major order, so the stream does not depend on the data's signs); the gradient uses the
/// same draws. In evaluation it is [`leaky_relu`] with the slope `(lower + upper)/2`.
///
/// PyTorch equivalent: `torch.nn.functional.rrelu(x, lower, upper, training)` (PyTorch draws
/// from its own generator, so training outputs agree in distribution, not in value).
///
/// # Shapes
/// Any shape; the output has the input's shape.
///
/// # Errors
/// [`Error::InvalidArgument`] unless `lower` and `upper` are finite and `lower ≤ upper`.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::rrelu;
/// use fovea_tensor::{Tensor, seeded_rng};
/// let x = Var::constant(Tensor::from_vec(vec![-1.0, 2.0], &[2])?);
/// let eval = rrelu(&x, 0.125, 0.375, false, &mut seeded_rng(0))?;
/// assert_eq!(eval.value().to_vec(), vec![-0.25, 2.0]);
/// let train = rrelu(&x, 0.125, 0.375, true, &mut seeded_rng(0))?.value().to_vec();
/// assert!((-0.375..=-0.125).contains(&train[0]) && train[1] == 2.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn rrelu(x: &Var, lower: f32, upper: f32, training: bool, rng: &mut impl Rng) -> Result<Var> {
    check_rrelu_bounds("rrelu", lower, upper)?;
    if !training {
        return Ok(leaky_relu(x, (lower + upper) / 2.0));
    }
    let xv = x.value();
    let data = xv.contiguous_data();
    let width = upper - lower;
    let noise: Vec<f32> = data
        .iter()
        .map(|&v| {
            let r = lower + width * rng.random::<f32>();
            if v > 0.0 { 1.0 } else { r }
        })
        .collect();
    let y = same_shape(zip_par(&data, &noise, |v, r| v * r), xv.shape());
    let noise = same_shape(noise, xv.shape());
    Ok(Var::from_op(y, &[x], RreluOp { noise }))
}

// ---------------------------------------------------------------------------------------------
// ELU: y = x > 0 ? x : α(eˣ − 1)     ∂y/∂x = x > 0 ? 1 : α·eˣ

struct EluOp {
    x: Tensor,
    alpha: f32,
}

impl Op for EluOp {
    fn name(&self) -> &str {
        "elu"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let alpha = self.alpha;
        let dx = zip_par(
            &grad.contiguous_data(),
            &self.x.contiguous_data(),
            |g, x| {
                if x > 0.0 { g } else { g * alpha * x.exp() }
            },
        );
        Ok(vec![Some(same_shape(dx, self.x.shape()))])
    }
}

/// Exponential linear unit (Clevert et al. 2015, <https://arxiv.org/abs/1511.07289>): `x` for
/// `x > 0`, `α(eˣ − 1)` otherwise (computed with `exp_m1`, exact near 0).
///
/// PyTorch equivalent: `torch.nn.functional.elu(x, alpha)`.
///
/// # Shapes
/// Any shape; the output has the input's shape.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::elu;
/// use fovea_tensor::Tensor;
/// let x = Var::parameter(Tensor::from_vec(vec![0.0, 2.0], &[2])?);
/// let y = elu(&x, 1.0);
/// assert_eq!(y.value().to_vec(), vec![0.0, 2.0]);
/// let g = y.sum_all().backward()?;
/// assert_eq!(g.get(&x).unwrap().to_vec(), vec![1.0, 1.0]); // α·e⁰ = 1 at 0
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn elu(x: &Var, alpha: f32) -> Var {
    let xv = x.value();
    let y = map_par(&xv.contiguous_data(), |v| {
        if v > 0.0 { v } else { alpha * v.exp_m1() }
    });
    let y = same_shape(y, xv.shape());
    Var::from_op(y, &[x], EluOp { x: xv, alpha })
}
