//! Elementwise arithmetic with NumPy broadcasting, unary maths, and the `+ - * /` operators.

use std::ops;

use crate::{Error, Result, Tensor};

impl Tensor {
    /// `self + other`, broadcasting.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let c = Tensor::ones(&[2, 3]).add(&Tensor::ones(&[3]))?;
    /// assert_eq!(c.to_vec(), vec![2.0; 6]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        self.zip_with("add", other, |a, b| a + b)
    }

    /// `self - other`, broadcasting.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// assert_eq!(Tensor::ones(&[2]).sub(&Tensor::ones(&[1]))?.to_vec(), vec![0.0, 0.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn sub(&self, other: &Tensor) -> Result<Tensor> {
        self.zip_with("sub", other, |a, b| a - b)
    }

    /// `self * other` elementwise, broadcasting.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// assert_eq!(Tensor::full(&[2], 3.0).mul(&Tensor::full(&[2], 2.0))?.to_vec(), vec![6.0, 6.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn mul(&self, other: &Tensor) -> Result<Tensor> {
        self.zip_with("mul", other, |a, b| a * b)
    }

    /// `self / other` elementwise, broadcasting (IEEE: x/0 is ±inf or NaN).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// assert_eq!(Tensor::full(&[1], 3.0).div(&Tensor::full(&[1], 2.0))?.to_vec(), vec![1.5]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn div(&self, other: &Tensor) -> Result<Tensor> {
        self.zip_with("div", other, |a, b| a / b)
    }

    /// Elementwise maximum, broadcasting. NaN propagates (as `torch.maximum`).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let m = Tensor::from_vec(vec![1.0, 5.0], &[2])?.maximum(&Tensor::scalar(2.0))?;
    /// assert_eq!(m.to_vec(), vec![2.0, 5.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn maximum(&self, other: &Tensor) -> Result<Tensor> {
        self.zip_with(
            "maximum",
            other,
            |a, b| if a.is_nan() || a >= b { a } else { b },
        )
    }

    /// Elementwise minimum, broadcasting. NaN propagates (as `torch.minimum`).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let m = Tensor::from_vec(vec![1.0, 5.0], &[2])?.minimum(&Tensor::scalar(2.0))?;
    /// assert_eq!(m.to_vec(), vec![1.0, 2.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn minimum(&self, other: &Tensor) -> Result<Tensor> {
        self.zip_with(
            "minimum",
            other,
            |a, b| if a.is_nan() || a <= b { a } else { b },
        )
    }

    /// Adds a number to every element.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::ones(&[1]).add_scalar(1.5).to_vec(), vec![2.5]);
    /// ```
    pub fn add_scalar(&self, value: f32) -> Tensor {
        self.map(|x| x + value)
    }

    /// Multiplies every element by a number.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::ones(&[1]).mul_scalar(-2.0).to_vec(), vec![-2.0]);
    /// ```
    pub fn mul_scalar(&self, value: f32) -> Tensor {
        self.map(|x| x * value)
    }

    /// `-x`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::ones(&[1]).neg().to_vec(), vec![-1.0]);
    /// ```
    pub fn neg(&self) -> Tensor {
        self.map(|x| -x)
    }

    /// `eˣ`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::zeros(&[1]).exp().to_vec(), vec![1.0]);
    /// ```
    pub fn exp(&self) -> Tensor {
        self.map(f32::exp)
    }

    /// Natural logarithm (ln 0 = −inf, ln of a negative number = NaN, as IEEE and PyTorch).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::ones(&[1]).ln().to_vec(), vec![0.0]);
    /// ```
    pub fn ln(&self) -> Tensor {
        self.map(f32::ln)
    }

    /// Square root (NaN for negative numbers).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::full(&[1], 9.0).sqrt().to_vec(), vec![3.0]);
    /// ```
    pub fn sqrt(&self) -> Tensor {
        self.map(f32::sqrt)
    }

    /// `xᵖ` for a fixed exponent.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::full(&[1], 2.0).powf(3.0).to_vec(), vec![8.0]);
    /// ```
    pub fn powf(&self, exponent: f32) -> Tensor {
        self.map(|x| x.powf(exponent))
    }

    /// Absolute value.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::full(&[1], -2.0).abs().to_vec(), vec![2.0]);
    /// ```
    pub fn abs(&self) -> Tensor {
        self.map(f32::abs)
    }

    /// Each element limited to `[min, max]`.
    ///
    /// PyTorch equivalent: `t.clamp(min, max)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `min > max` or either is NaN.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::from_vec(vec![-2.0, 0.5, 3.0], &[3])?.clamp(0.0, 1.0)?;
    /// assert_eq!(t.to_vec(), vec![0.0, 0.5, 1.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn clamp(&self, min: f32, max: f32) -> Result<Tensor> {
        if min.is_nan() || max.is_nan() || min > max {
            return Err(Error::invalid_argument(
                "clamp",
                format!("needs min <= max, got min {min}, max {max}"),
            ));
        }
        Ok(self.map(|x| x.clamp(min, max)))
    }
}

macro_rules! binary_operator {
    ($trait:ident, $method:ident, $fallible:ident, $symbol:literal) => {
        #[doc = concat!("`&a ", $symbol, " &b` with broadcasting.")]
        ///
        /// # Panics
        #[doc = concat!("When the shapes do not broadcast, with the message of [`Tensor::", stringify!($fallible), "`]'s error; use that method to get a `Result`.")]
        impl ops::$trait<&Tensor> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: &Tensor) -> Tensor {
                Tensor::$fallible(self, rhs).unwrap_or_else(|e| panic!("{e}"))
            }
        }

        #[doc = concat!("`a ", $symbol, " b` with broadcasting; see the `&Tensor` form.")]
        impl ops::$trait<Tensor> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: Tensor) -> Tensor {
                ops::$trait::$method(&self, &rhs)
            }
        }

        #[doc = concat!("`&a ", $symbol, " x` for a number `x`.")]
        impl ops::$trait<f32> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: f32) -> Tensor {
                self.map(|a| ops::$trait::$method(a, rhs))
            }
        }
    };
}

binary_operator!(Add, add, add, "+");
binary_operator!(Sub, sub, sub, "-");
binary_operator!(Mul, mul, mul, "*");
binary_operator!(Div, div, div, "/");

/// `-&a`.
impl ops::Neg for &Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(self)
    }
}
