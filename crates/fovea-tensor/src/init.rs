//! Seeded random tensors and the weight initialisations of PyTorch's `torch.nn.init`.
//!
//! Every function takes the random generator explicitly: the same seed gives the same numbers on
//! every run and every machine (for a given `rand` version, pinned in the workspace).

use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, Normal, Uniform};

use crate::{Error, Result, Tensor};

/// A seeded random generator for the functions of this module.
///
/// # Example
/// ```
/// use fovea_tensor::{Tensor, seeded_rng};
/// let a = Tensor::rand_uniform(&[3], -1.0, 1.0, &mut seeded_rng(7))?;
/// let b = Tensor::rand_uniform(&[3], -1.0, 1.0, &mut seeded_rng(7))?;
/// assert_eq!(a.to_vec(), b.to_vec());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn seeded_rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Fan-in and fan-out as PyTorch computes them: a weight `[out, in, k...]` has
/// fan_in = in·∏k and fan_out = out·∏k.
///
/// # Errors
/// [`Error::InvalidShape`] for fewer than 2 axes.
///
/// # Example
/// ```
/// assert_eq!(fovea_tensor::fans("init", &[16, 3, 5, 5])?, (75, 400));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn fans(op: &str, shape: &[usize]) -> Result<(usize, usize)> {
    if shape.len() < 2 {
        return Err(Error::invalid_shape(
            op,
            "fan in/out needs at least 2 axes",
            shape,
        ));
    }
    let receptive: usize = shape[2..].iter().product();
    Ok((shape[1] * receptive, shape[0] * receptive))
}

impl Tensor {
    /// Uniform samples in `[low, high)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless `low < high`, both finite.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::rand_uniform(&[100], 0.0, 1.0, &mut fovea_tensor::seeded_rng(0))?;
    /// assert!(t.to_vec().iter().all(|&x| (0.0..1.0).contains(&x)));
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn rand_uniform(
        shape: &[usize],
        low: f32,
        high: f32,
        rng: &mut impl Rng,
    ) -> Result<Tensor> {
        let dist = Uniform::new(low, high).map_err(|e| {
            Error::invalid_argument("rand_uniform", format!("bounds [{low}, {high}): {e}"))
        })?;
        let n = shape.iter().product();
        let data = (0..n).map(|_| dist.sample(rng)).collect();
        Tensor::from_vec(data, shape)
    }

    /// Normal samples with the given mean and standard deviation.
    ///
    /// PyTorch equivalent: `torch.nn.init.normal_(t, mean, std)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `std` is negative or not finite.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::rand_normal(&[1000], 0.0, 1.0, &mut fovea_tensor::seeded_rng(0))?;
    /// assert!(t.mean_all().abs() < 0.1);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn rand_normal(shape: &[usize], mean: f32, std: f32, rng: &mut impl Rng) -> Result<Tensor> {
        // rand_distr accepts a negative std (it mirrors the distribution); PyTorch does not.
        if std.is_sign_negative() || !mean.is_finite() {
            return Err(Error::invalid_argument(
                "rand_normal",
                format!("mean {mean}, std {std}: needs a finite mean and a std >= 0"),
            ));
        }
        let dist = Normal::new(mean, std).map_err(|e| {
            Error::invalid_argument("rand_normal", format!("mean {mean}, std {std}: {e}"))
        })?;
        let n = shape.iter().product();
        let data = (0..n).map(|_| dist.sample(rng)).collect();
        Tensor::from_vec(data, shape)
    }

    /// Kaiming (He) uniform initialisation, fan-in mode, for a leaky ReLU of slope `a`:
    /// U(−b, b) with b = √(6 / ((1 + a²)·fan_in)).
    ///
    /// PyTorch's `Conv2d` and `Linear` initialise their weights with `a = √5`, which gives
    /// b = 1/√fan_in. PyTorch equivalent: `torch.nn.init.kaiming_uniform_(w, a)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] for fewer than 2 axes or a zero fan-in.
    ///
    /// # Example
    /// ```
    /// let w = fovea_tensor::Tensor::kaiming_uniform(&[8, 4], 5f32.sqrt(), &mut fovea_tensor::seeded_rng(1))?;
    /// assert!(w.to_vec().iter().all(|x| x.abs() <= 0.5)); // 1/sqrt(4)
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn kaiming_uniform(shape: &[usize], a: f32, rng: &mut impl Rng) -> Result<Tensor> {
        let (fan_in, _) = fans("kaiming_uniform", shape)?;
        if fan_in == 0 {
            return Err(Error::invalid_shape(
                "kaiming_uniform",
                "fan-in is 0",
                shape,
            ));
        }
        let gain = (2.0 / (1.0 + a * a)).sqrt();
        let bound = gain * (3.0 / fan_in as f32).sqrt();
        Tensor::rand_uniform(shape, -bound, bound, rng)
    }

    /// Xavier (Glorot) uniform initialisation: U(−b, b) with b = gain·√(6 / (fan_in + fan_out)).
    ///
    /// PyTorch equivalent: `torch.nn.init.xavier_uniform_(w, gain)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] for fewer than 2 axes or zero fans.
    ///
    /// # Example
    /// ```
    /// let w = fovea_tensor::Tensor::xavier_uniform(&[3, 3], 1.0, &mut fovea_tensor::seeded_rng(1))?;
    /// assert!(w.to_vec().iter().all(|x| x.abs() <= 1.0));
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn xavier_uniform(shape: &[usize], gain: f32, rng: &mut impl Rng) -> Result<Tensor> {
        let (fan_in, fan_out) = fans("xavier_uniform", shape)?;
        if fan_in + fan_out == 0 {
            return Err(Error::invalid_shape("xavier_uniform", "fans are 0", shape));
        }
        let bound = gain * (6.0 / (fan_in + fan_out) as f32).sqrt();
        Tensor::rand_uniform(shape, -bound, bound, rng)
    }
}
