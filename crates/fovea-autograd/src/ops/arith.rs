//! Broadcasting arithmetic on variables: add, sub, mul, div, maximum, minimum, scalar forms,
//! negation, and the `+ - * /` operators. Each gradient is summed back to its input's shape
//! ([`Tensor::sum_to`]), which is the whole of broadcasting's backward rule.

use std::ops;

use fovea_tensor::{Result, Tensor};

use crate::Var;

impl Var {
    /// `a + b`, broadcasting. ∂/∂a = g, ∂/∂b = g, each summed to its input's shape.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// use fovea_tensor::Tensor;
    /// let a = Var::parameter(Tensor::ones(&[2, 3]));
    /// let b = Var::parameter(Tensor::ones(&[3]));
    /// let g = a.add(&b)?.sum_all().backward()?;
    /// assert_eq!(g.get(&b).unwrap().to_vec(), vec![2.0; 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn add(&self, other: &Var) -> Result<Var> {
        let (a, b) = (self.value(), other.value());
        let out = a.add(&b)?;
        let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
        Ok(Var::from_fn(out, &[self, other], "add", move |g| {
            Ok(vec![Some(g.sum_to(&sa)?), Some(g.sum_to(&sb)?)])
        }))
    }

    /// `a − b`, broadcasting. ∂/∂a = g, ∂/∂b = −g.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// let a = Var::parameter(fovea_tensor::Tensor::ones(&[2]));
    /// let g = Var::constant(fovea_tensor::Tensor::ones(&[2])).sub(&a)?.sum_all().backward()?;
    /// assert_eq!(g.get(&a).unwrap().to_vec(), vec![-1.0, -1.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn sub(&self, other: &Var) -> Result<Var> {
        let (a, b) = (self.value(), other.value());
        let out = a.sub(&b)?;
        let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
        Ok(Var::from_fn(out, &[self, other], "sub", move |g| {
            Ok(vec![Some(g.sum_to(&sa)?), Some(g.neg().sum_to(&sb)?)])
        }))
    }

    /// `a · b` elementwise, broadcasting. ∂/∂a = g·b, ∂/∂b = g·a.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// use fovea_tensor::Tensor;
    /// let a = Var::parameter(Tensor::full(&[1], 3.0));
    /// let b = Var::parameter(Tensor::full(&[1], 4.0));
    /// let g = a.mul(&b)?.sum_all().backward()?;
    /// assert_eq!(g.get(&a).unwrap().to_vec(), vec![4.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn mul(&self, other: &Var) -> Result<Var> {
        let (a, b) = (self.value(), other.value());
        let out = a.mul(&b)?;
        Ok(Var::from_fn(out, &[self, other], "mul", move |g| {
            Ok(vec![
                Some(g.mul(&b)?.sum_to(a.shape())?),
                Some(g.mul(&a)?.sum_to(b.shape())?),
            ])
        }))
    }

    /// `a / b` elementwise, broadcasting. ∂/∂a = g/b, ∂/∂b = −g·a/b².
    ///
    /// # Errors
    /// [`fovea_tensor::Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// use fovea_tensor::Tensor;
    /// let b = Var::parameter(Tensor::full(&[1], 2.0));
    /// let g = Var::constant(Tensor::ones(&[1])).div(&b)?.sum_all().backward()?;
    /// assert_eq!(g.get(&b).unwrap().to_vec(), vec![-0.25]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn div(&self, other: &Var) -> Result<Var> {
        let (a, b) = (self.value(), other.value());
        let out = a.div(&b)?;
        Ok(Var::from_fn(out, &[self, other], "div", move |g| {
            let ga = g.div(&b)?;
            let gb = ga.mul(&a)?.div(&b)?.neg();
            Ok(vec![
                Some(ga.sum_to(a.shape())?),
                Some(gb.sum_to(b.shape())?),
            ])
        }))
    }

    /// Elementwise maximum, broadcasting. The gradient goes to the larger operand; on a tie it is
    /// split in half between both, as `torch.maximum`.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// use fovea_tensor::Tensor;
    /// let a = Var::parameter(Tensor::from_vec(vec![1.0, 5.0, 2.0], &[3])?);
    /// let b = Var::constant(Tensor::full(&[3], 2.0));
    /// let g = a.maximum(&b)?.sum_all().backward()?;
    /// assert_eq!(g.get(&a).unwrap().to_vec(), vec![0.0, 1.0, 0.5]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn maximum(&self, other: &Var) -> Result<Var> {
        self.select_extreme(other, "maximum", |a, b| a > b)
    }

    /// Elementwise minimum, broadcasting; ties split the gradient, as `torch.minimum`.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::ShapeMismatch`] when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// use fovea_tensor::Tensor;
    /// let a = Var::parameter(Tensor::from_vec(vec![1.0, 5.0], &[2])?);
    /// let g = a.minimum(&Var::constant(Tensor::full(&[2], 2.0)))?.sum_all().backward()?;
    /// assert_eq!(g.get(&a).unwrap().to_vec(), vec![1.0, 0.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn minimum(&self, other: &Var) -> Result<Var> {
        self.select_extreme(other, "minimum", |a, b| a < b)
    }

    /// Shared body of maximum/minimum: `wins(a, b)` says `a` is strictly selected.
    fn select_extreme(
        &self,
        other: &Var,
        name: &'static str,
        wins: fn(f32, f32) -> bool,
    ) -> Result<Var> {
        let (a, b) = (self.value(), other.value());
        let out = a.zip_with(name, &b, |x, y| {
            if wins(x, y) || x.is_nan() || x == y {
                x
            } else {
                y
            }
        })?;
        Ok(Var::from_fn(out, &[self, other], name, move |g| {
            // Share of the gradient that goes to `a`: 1, 0, or ½ on a tie.
            let share_a = a.zip_with(name, &b, |x, y| {
                if x == y {
                    0.5
                } else if wins(x, y) {
                    1.0
                } else {
                    0.0
                }
            })?;
            let ga = g.mul(&share_a)?;
            let gb = g.sub(&ga)?;
            Ok(vec![
                Some(ga.sum_to(a.shape())?),
                Some(gb.sum_to(b.shape())?),
            ])
        }))
    }

    /// Adds a constant number. ∂/∂x = g.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[1]));
    /// assert_eq!(x.add_scalar(2.0).value().to_vec(), vec![3.0]);
    /// ```
    pub fn add_scalar(&self, value: f32) -> Var {
        Var::from_fn(self.value().add_scalar(value), &[self], "add_scalar", |g| {
            Ok(vec![Some(g.clone())])
        })
    }

    /// Multiplies by a constant number. ∂/∂x = c·g.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[1]));
    /// assert_eq!(x.mul_scalar(2.0).value().to_vec(), vec![2.0]);
    /// ```
    pub fn mul_scalar(&self, value: f32) -> Var {
        Var::from_fn(
            self.value().mul_scalar(value),
            &[self],
            "mul_scalar",
            move |g| Ok(vec![Some(g.mul_scalar(value))]),
        )
    }

    /// `−x`. ∂/∂x = −g.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[1]));
    /// assert_eq!(x.neg().value().to_vec(), vec![-1.0]);
    /// ```
    pub fn neg(&self) -> Var {
        Var::from_fn(self.value().neg(), &[self], "neg", |g| {
            Ok(vec![Some(g.neg())])
        })
    }
}

macro_rules! var_operator {
    ($trait:ident, $method:ident, $symbol:literal) => {
        #[doc = concat!("`&a ", $symbol, " &b` on variables, broadcasting.")]
        ///
        /// # Panics
        #[doc = concat!("When the shapes do not broadcast, with the message of [`Var::", stringify!($method), "`]'s error.")]
        impl ops::$trait<&Var> for &Var {
            type Output = Var;
            fn $method(self, rhs: &Var) -> Var {
                Var::$method(self, rhs).unwrap_or_else(|e| panic!("{e}"))
            }
        }

        #[doc = concat!("`a ", $symbol, " b` on variables; see the `&Var` form.")]
        impl ops::$trait<Var> for Var {
            type Output = Var;
            fn $method(self, rhs: Var) -> Var {
                ops::$trait::$method(&self, &rhs)
            }
        }
    };
}

var_operator!(Add, add, "+");
var_operator!(Sub, sub, "-");
var_operator!(Mul, mul, "*");
var_operator!(Div, div, "/");

/// `-&x`.
impl ops::Neg for &Var {
    type Output = Var;
    fn neg(self) -> Var {
        Var::neg(self)
    }
}

/// Used by tests and losses: a plain tensor as a constant variable.
impl From<Tensor> for Var {
    fn from(value: Tensor) -> Var {
        Var::constant(value)
    }
}
