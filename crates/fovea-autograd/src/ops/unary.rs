//! Elementwise functions of one variable: exp, ln, sqrt, powf, abs, clamp, relu, sigmoid, tanh.
//! Each derivative is written next to its forward.

use fovea_tensor::{Result, Tensor};

use crate::Var;

impl Var {
    /// `eˣ`. ∂/∂x = g·eˣ (reuses the output).
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::zeros(&[1]));
    /// assert_eq!(x.exp().sum_all().backward()?.get(&x).unwrap().to_vec(), vec![1.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn exp(&self) -> Var {
        let out = self.value().exp();
        let saved = out.clone();
        Var::from_fn(out, &[self], "exp", move |g| Ok(vec![Some(g.mul(&saved)?)]))
    }

    /// Natural logarithm. ∂/∂x = g/x.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::full(&[1], 2.0));
    /// assert_eq!(x.ln().sum_all().backward()?.get(&x).unwrap().to_vec(), vec![0.5]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn ln(&self) -> Var {
        let x = self.value();
        Var::from_fn(x.ln(), &[self], "ln", move |g| Ok(vec![Some(g.div(&x)?)]))
    }

    /// Square root. ∂/∂x = g / (2√x).
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::full(&[1], 4.0));
    /// assert_eq!(x.sqrt().sum_all().backward()?.get(&x).unwrap().to_vec(), vec![0.25]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn sqrt(&self) -> Var {
        let out = self.value().sqrt();
        let saved = out.clone();
        Var::from_fn(out, &[self], "sqrt", move |g| {
            Ok(vec![Some(g.div(&saved.mul_scalar(2.0))?)])
        })
    }

    /// `xᵖ` for a constant exponent. ∂/∂x = g·p·xᵖ⁻¹.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::full(&[1], 3.0));
    /// assert_eq!(x.powf(2.0).sum_all().backward()?.get(&x).unwrap().to_vec(), vec![6.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn powf(&self, exponent: f32) -> Var {
        let x = self.value();
        Var::from_fn(x.powf(exponent), &[self], "powf", move |g| {
            Ok(vec![Some(
                g.mul(&x.powf(exponent - 1.0).mul_scalar(exponent))?,
            )])
        })
    }

    /// `|x|`. ∂/∂x = g·sign(x), with sign(0) = 0 as PyTorch.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::full(&[1], -3.0));
    /// assert_eq!(x.abs().sum_all().backward()?.get(&x).unwrap().to_vec(), vec![-1.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn abs(&self) -> Var {
        let x = self.value();
        Var::from_fn(x.abs(), &[self], "abs", move |g| {
            let sign = x.map(|v| {
                if v > 0.0 {
                    1.0
                } else if v < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            });
            Ok(vec![Some(g.mul(&sign)?)])
        })
    }

    /// Limits every element to `[min, max]`. ∂/∂x = g where min ≤ x ≤ max (bounds included, as
    /// PyTorch), else 0.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidArgument`] when `min > max` or either is NaN.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let x = fovea_autograd::Var::parameter(Tensor::from_vec(vec![-1.0, 0.5, 2.0], &[3])?);
    /// let g = x.clamp(0.0, 1.0)?.sum_all().backward()?;
    /// assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.0, 1.0, 0.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn clamp(&self, min: f32, max: f32) -> Result<Var> {
        let x = self.value();
        let out = x.clamp(min, max)?;
        Ok(Var::from_fn(out, &[self], "clamp", move |g| {
            let inside = x.map(|v| if (min..=max).contains(&v) { 1.0 } else { 0.0 });
            Ok(vec![Some(g.mul(&inside)?)])
        }))
    }

    /// `max(x, 0)`. ∂/∂x = g where x > 0, and 0 at x = 0 (as PyTorch).
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let x = fovea_autograd::Var::parameter(Tensor::from_vec(vec![-1.0, 0.0, 2.0], &[3])?);
    /// let g = x.relu().sum_all().backward()?;
    /// assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.0, 0.0, 1.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn relu(&self) -> Var {
        let x = self.value();
        let out = x.map(|v| v.max(0.0));
        Var::from_fn(out, &[self], "relu", move |g| {
            Ok(vec![Some(g.zip_with("relu backward", &x, |g, v| {
                if v > 0.0 { g } else { 0.0 }
            })?)])
        })
    }

    /// Logistic sigmoid `1 / (1 + e⁻ˣ)`, computed without overflow. ∂/∂x = g·s·(1 − s).
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::zeros(&[1]));
    /// assert_eq!(x.sigmoid().sum_all().backward()?.get(&x).unwrap().to_vec(), vec![0.25]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn sigmoid(&self) -> Var {
        let out = self.value().map(|v| {
            if v >= 0.0 {
                1.0 / (1.0 + (-v).exp())
            } else {
                let e = v.exp();
                e / (1.0 + e)
            }
        });
        let s = out.clone();
        Var::from_fn(out, &[self], "sigmoid", move |g| {
            Ok(vec![Some(g.zip_with("sigmoid backward", &s, |g, s| {
                g * s * (1.0 - s)
            })?)])
        })
    }

    /// Hyperbolic tangent. ∂/∂x = g·(1 − tanh²x).
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::zeros(&[1]));
    /// assert_eq!(x.tanh().sum_all().backward()?.get(&x).unwrap().to_vec(), vec![1.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn tanh(&self) -> Var {
        let out: Tensor = self.value().map(f32::tanh);
        let t = out.clone();
        Var::from_fn(out, &[self], "tanh", move |g| {
            Ok(vec![Some(g.zip_with("tanh backward", &t, |g, t| {
                g * (1.0 - t * t)
            })?)])
        })
    }
}
