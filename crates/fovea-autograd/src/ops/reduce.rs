//! Reductions on variables: sum, mean, max over axes, and over everything.

use fovea_tensor::{Result, Tensor};

use crate::Var;

/// The shape `shape` takes after reducing `axes` with keepdim.
fn kept_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .map(|(i, &len)| if axes.contains(&i) { 1 } else { len })
        .collect()
}

impl Var {
    /// Sum over `axes`. ∂/∂x = g broadcast back over the reduced axes.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidShape`] for an axis out of range or repeated.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[2, 3]));
    /// assert_eq!(x.sum(&[1], false)?.value().to_vec(), vec![3.0, 3.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn sum(&self, axes: &[usize], keepdim: bool) -> Result<Var> {
        let x = self.value();
        let out = x.sum(axes, keepdim)?;
        let shape = x.shape().to_vec();
        let kept = kept_shape(&shape, axes);
        Ok(Var::from_fn(out, &[self], "sum", move |g| {
            Ok(vec![Some(g.reshape(&kept)?.broadcast_to(&shape)?)])
        }))
    }

    /// Mean over `axes`. ∂/∂x = g / count, broadcast back.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidShape`] for an axis out of range or repeated.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[2, 4]));
    /// let g = x.mean(&[1], false)?.sum_all().backward()?;
    /// assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.25; 8]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn mean(&self, axes: &[usize], keepdim: bool) -> Result<Var> {
        let x = self.value();
        let out = x.mean(axes, keepdim)?;
        let shape = x.shape().to_vec();
        let kept = kept_shape(&shape, axes);
        let count: usize = axes.iter().map(|&a| shape[a]).product();
        Ok(Var::from_fn(out, &[self], "mean", move |g| {
            Ok(vec![Some(
                g.reshape(&kept)?
                    .broadcast_to(&shape)?
                    .mul_scalar(1.0 / count as f32),
            )])
        }))
    }

    /// Maximum over `axes`. The gradient goes to the maximal elements, shared equally among
    /// ties (PyTorch equivalent: `torch.amax`, whose gradient is split the same way).
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidShape`] for an axis out of range, repeated, or empty.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let x = fovea_autograd::Var::parameter(Tensor::from_vec(vec![1.0, 3.0, 3.0, 2.0], &[4])?);
    /// let g = x.max(&[0], false)?.sum_all().backward()?;
    /// assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.0, 0.5, 0.5, 0.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn max(&self, axes: &[usize], keepdim: bool) -> Result<Var> {
        let x = self.value();
        // One reduction: the keepdim result serves the backward, and is reshaped for the output.
        let kept_max = x.max(axes, true)?;
        let shape = x.shape().to_vec();
        let kept = kept_shape(&shape, axes);
        let out = if keepdim {
            kept_max.clone()
        } else {
            let reduced: Vec<usize> = (0..shape.len())
                .filter(|a| !axes.contains(a))
                .map(|a| shape[a])
                .collect();
            kept_max.reshape(&reduced)?
        };
        let axes = axes.to_vec();
        Ok(Var::from_fn(out, &[self], "max", move |g| {
            let is_max = x.zip_with(
                "max backward",
                &kept_max,
                |v, m| if v == m { 1.0 } else { 0.0 },
            )?;
            let ties = is_max.sum(&axes, true)?;
            let share = is_max.div(&ties)?;
            Ok(vec![Some(share.mul(&g.reshape(&kept)?)?)])
        }))
    }

    /// Sum of all elements, as a 0-d variable (the usual loss reduction).
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[2, 2]));
    /// assert_eq!(x.sum_all().value().item(), Some(4.0));
    /// ```
    pub fn sum_all(&self) -> Var {
        let x = self.value();
        let shape = x.shape().to_vec();
        Var::from_fn(Tensor::scalar(x.sum_all()), &[self], "sum_all", move |g| {
            Ok(vec![Some(Tensor::full(
                &shape,
                g.item().expect("internal: scalar gradient"),
            ))])
        })
    }

    /// Mean of all elements, as a 0-d variable.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::full(&[4], 2.0));
    /// let g = x.mean_all().backward()?;
    /// assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.25; 4]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn mean_all(&self) -> Var {
        let x = self.value();
        let shape = x.shape().to_vec();
        let n = x.len().max(1) as f32;
        Var::from_fn(
            Tensor::scalar(x.mean_all()),
            &[self],
            "mean_all",
            move |g| {
                Ok(vec![Some(Tensor::full(
                    &shape,
                    g.item().expect("internal: scalar gradient") / n,
                ))])
            },
        )
    }
}
