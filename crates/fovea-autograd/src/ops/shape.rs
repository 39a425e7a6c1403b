//! Shape operations on variables: reshape, permute, transpose, unsqueeze, broadcast_to, concat,
//! narrow, index_select. Their gradients move numbers back to where they came from.

use fovea_tensor::{Result, Tensor};

use crate::Var;

/// Adds `grad` (shaped like `narrow(axis, start, len)` of `shape`) into a zero tensor of `shape`.
fn scatter_narrow(shape: &[usize], axis: usize, start: usize, grad: &Tensor) -> Tensor {
    let mut full = ndarray::ArrayD::<f32>::zeros(ndarray::IxDyn(shape));
    full.slice_axis_mut(
        ndarray::Axis(axis),
        ndarray::Slice::from(start..start + grad.shape()[axis]),
    )
    .assign(&grad.view());
    Tensor::from_array(full)
}

impl Var {
    /// Same elements under a new shape. ∂/∂x = g reshaped back.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::ShapeMismatch`] when the element counts differ.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[2, 3]));
    /// assert_eq!(x.reshape(&[6])?.shape(), vec![6]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn reshape(&self, shape: &[usize]) -> Result<Var> {
        let x = self.value();
        let out = x.reshape(shape)?;
        let original = x.shape().to_vec();
        Ok(Var::from_fn(out, &[self], "reshape", move |g| {
            Ok(vec![Some(g.reshape(&original)?)])
        }))
    }

    /// Reorders axes. ∂/∂x = g permuted by the inverse permutation.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidArgument`] unless `axes` is a permutation.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[2, 3, 4]));
    /// assert_eq!(x.permute(&[2, 0, 1])?.shape(), vec![4, 2, 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn permute(&self, axes: &[usize]) -> Result<Var> {
        let out = self.value().permute(axes)?;
        let mut inverse = vec![0; axes.len()];
        for (i, &a) in axes.iter().enumerate() {
            inverse[a] = i;
        }
        Ok(Var::from_fn(out, &[self], "permute", move |g| {
            Ok(vec![Some(g.permute(&inverse)?)])
        }))
    }

    /// Swaps two axes. ∂/∂x = g with the same axes swapped.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidShape`] when an axis is out of range.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[2, 3]));
    /// assert_eq!(x.transpose(0, 1)?.shape(), vec![3, 2]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn transpose(&self, a: usize, b: usize) -> Result<Var> {
        let out = self.value().transpose(a, b)?;
        Ok(Var::from_fn(out, &[self], "transpose", move |g| {
            Ok(vec![Some(g.transpose(a, b)?)])
        }))
    }

    /// Inserts an axis of length 1.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidShape`] when `axis > ndim`.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[3]));
    /// assert_eq!(x.unsqueeze(1)?.shape(), vec![3, 1]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn unsqueeze(&self, axis: usize) -> Result<Var> {
        let mut shape = self.shape();
        if axis > shape.len() {
            return Err(fovea_tensor::Error::invalid_shape(
                "unsqueeze",
                format!("axis {axis} out of range"),
                &shape,
            ));
        }
        shape.insert(axis, 1);
        self.reshape(&shape)
    }

    /// Broadcasts to `shape`. ∂/∂x = g summed back to the input's shape.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::ShapeMismatch`] when the input does not broadcast to `shape`.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[3]));
    /// let g = x.broadcast_to(&[4, 3])?.sum_all().backward()?;
    /// assert_eq!(g.get(&x).unwrap().to_vec(), vec![4.0; 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Var> {
        let x = self.value();
        let out = x.broadcast_to(shape)?;
        let original = x.shape().to_vec();
        Ok(Var::from_fn(out, &[self], "broadcast_to", move |g| {
            Ok(vec![Some(g.sum_to(&original)?)])
        }))
    }

    /// Joins variables along `axis`. Each input's gradient is its slice of g.
    ///
    /// # Errors
    /// As [`Tensor::concat`].
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// let a = Var::parameter(fovea_tensor::Tensor::ones(&[1, 2]));
    /// let b = Var::parameter(fovea_tensor::Tensor::ones(&[3, 2]));
    /// assert_eq!(Var::concat(&[&a, &b], 0)?.shape(), vec![4, 2]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn concat(vars: &[&Var], axis: usize) -> Result<Var> {
        let values: Vec<Tensor> = vars.iter().map(|v| v.value()).collect();
        let refs: Vec<&Tensor> = values.iter().collect();
        let out = Tensor::concat(&refs, axis)?;
        let lengths: Vec<usize> = values.iter().map(|v| v.shape()[axis]).collect();
        Ok(Var::from_fn(out, vars, "concat", move |g| {
            let mut start = 0;
            let mut grads = Vec::with_capacity(lengths.len());
            for &len in &lengths {
                grads.push(Some(g.narrow(axis, start, len)?.contiguous()));
                start += len;
            }
            Ok(grads)
        }))
    }

    /// Elements `start..start + len` along `axis`. ∂/∂x = g placed in that range, zeros elsewhere.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidShape`] when out of bounds.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[4]));
    /// let g = x.narrow(0, 1, 2)?.sum_all().backward()?;
    /// assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.0, 1.0, 1.0, 0.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Result<Var> {
        let x = self.value();
        let out = x.narrow(axis, start, len)?;
        let shape = x.shape().to_vec();
        Ok(Var::from_fn(out, &[self], "narrow", move |g| {
            Ok(vec![Some(scatter_narrow(&shape, axis, start, g))])
        }))
    }

    /// Entries at `indices` along `axis`. ∂/∂x adds each slice of g back at its index, so a
    /// repeated index receives the sum.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidShape`] when the axis or an index is out of range.
    ///
    /// # Example
    /// ```
    /// let x = fovea_autograd::Var::parameter(fovea_tensor::Tensor::ones(&[3]));
    /// let g = x.index_select(0, &[2, 2, 0])?.sum_all().backward()?;
    /// assert_eq!(g.get(&x).unwrap().to_vec(), vec![1.0, 0.0, 2.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn index_select(&self, axis: usize, indices: &[usize]) -> Result<Var> {
        let x = self.value();
        let out = x.index_select(axis, indices)?;
        let shape = x.shape().to_vec();
        let indices = indices.to_vec();
        Ok(Var::from_fn(out, &[self], "index_select", move |g| {
            let mut full = ndarray::ArrayD::<f32>::zeros(ndarray::IxDyn(&shape));
            for (k, &i) in indices.iter().enumerate() {
                let mut dst = full.index_axis_mut(ndarray::Axis(axis), i);
                dst += &g.view().index_axis(ndarray::Axis(axis), k);
            }
            Ok(vec![Some(Tensor::from_array(full))])
        }))
    }
}
