//! Shape operations: reshape, permute, transpose, unsqueeze, concat, narrow, index_select.
//!
//! Views (permute, transpose, narrow, and reshape of row-major data) share the data; the others
//! copy.

use ndarray::{Axis, IxDyn, Slice};

use crate::{Error, Result, Tensor};

/// Checks that `axis` is an axis of `shape`.
pub(crate) fn check_axis(op: &str, shape: &[usize], axis: usize) -> Result<()> {
    if axis >= shape.len() {
        return Err(Error::invalid_shape(
            op,
            format!("axis {axis} out of range for {} axes", shape.len()),
            shape,
        ));
    }
    Ok(())
}

impl Tensor {
    /// The same elements, in row-major order, under a new shape.
    ///
    /// PyTorch equivalent: `t.reshape(shape)`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the element counts differ.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::arange(0.0, 6.0, 1.0)?.reshape(&[2, 3])?;
    /// assert_eq!(t.shape(), &[2, 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        if shape.iter().product::<usize>() != self.len() {
            return Err(Error::shape_mismatch(
                "reshape",
                "element counts differ",
                self.shape(),
                shape,
            ));
        }
        let standard = self.contiguous();
        let array = standard
            .array()
            .clone()
            .into_shape_with_order(IxDyn(shape))
            .expect("internal: contiguous data, same count");
        // Shares the data: a reshape of row-major data copies nothing.
        Ok(Tensor::from_shared(array))
    }

    /// Reorders the axes: axis `i` of the result is axis `axes[i]` of `self`. A view, no copy.
    ///
    /// PyTorch equivalent: `t.permute(axes)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless `axes` is a permutation of `0..ndim`.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::zeros(&[2, 3, 4]).permute(&[2, 0, 1])?;
    /// assert_eq!(t.shape(), &[4, 2, 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn permute(&self, axes: &[usize]) -> Result<Tensor> {
        let mut seen = vec![false; self.ndim()];
        let valid = axes.len() == self.ndim()
            && axes
                .iter()
                .all(|&a| a < seen.len() && !std::mem::replace(&mut seen[a], true));
        if !valid {
            return Err(Error::invalid_argument(
                "permute",
                format!(
                    "{axes:?} is not a permutation of the axes of shape {:?}",
                    self.shape()
                ),
            ));
        }
        let array = self.array().clone().permuted_axes(IxDyn(axes));
        Ok(Tensor::from_shared(array))
    }

    /// Swaps two axes. A view, no copy.
    ///
    /// PyTorch equivalent: `t.transpose(a, b)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when an axis is out of range.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::zeros(&[2, 3]).transpose(0, 1)?;
    /// assert_eq!(t.shape(), &[3, 2]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn transpose(&self, a: usize, b: usize) -> Result<Tensor> {
        check_axis("transpose", self.shape(), a)?;
        check_axis("transpose", self.shape(), b)?;
        let mut array = self.array().clone();
        array.swap_axes(a, b);
        Ok(Tensor::from_shared(array))
    }

    /// Inserts an axis of length 1 at `axis` (which may equal `ndim`).
    ///
    /// PyTorch equivalent: `t.unsqueeze(axis)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when `axis > ndim`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::zeros(&[3]).unsqueeze(0)?.shape(), &[1, 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn unsqueeze(&self, axis: usize) -> Result<Tensor> {
        if axis > self.ndim() {
            return Err(Error::invalid_shape(
                "unsqueeze",
                format!("axis {axis} out of range"),
                self.shape(),
            ));
        }
        let mut shape = self.shape().to_vec();
        shape.insert(axis, 1);
        self.reshape(&shape)
    }

    /// Joins tensors along `axis`; all other axes must agree.
    ///
    /// PyTorch equivalent: `torch.cat(tensors, dim=axis)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty list; [`Error::ShapeMismatch`] when two shapes differ
    /// off `axis` or in rank; [`Error::InvalidShape`] when `axis` is out of range.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let c = Tensor::concat(&[&Tensor::zeros(&[2, 1]), &Tensor::ones(&[2, 2])], 1)?;
    /// assert_eq!(c.shape(), &[2, 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn concat(tensors: &[&Tensor], axis: usize) -> Result<Tensor> {
        let first = tensors
            .first()
            .ok_or_else(|| Error::invalid_argument("concat", "needs at least one tensor"))?;
        check_axis("concat", first.shape(), axis)?;
        for t in &tensors[1..] {
            let same_rank = t.ndim() == first.ndim();
            let same_rest =
                same_rank && (0..t.ndim()).all(|i| i == axis || t.shape()[i] == first.shape()[i]);
            if !same_rest {
                return Err(Error::shape_mismatch(
                    "concat",
                    format!("shapes differ off axis {axis}"),
                    first.shape(),
                    t.shape(),
                ));
            }
        }
        let views: Vec<_> = tensors.iter().map(|t| t.view()).collect();
        let array = ndarray::concatenate(Axis(axis), &views).expect("internal: shapes checked");
        Ok(Tensor::from_array(array))
    }

    /// The elements `start..start + len` along `axis`. A view, no copy.
    ///
    /// PyTorch equivalent: `t.narrow(axis, start, len)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when the axis or the range is out of bounds.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::arange(0.0, 5.0, 1.0)?.narrow(0, 1, 3)?;
    /// assert_eq!(t.to_vec(), vec![1.0, 2.0, 3.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Result<Tensor> {
        check_axis("narrow", self.shape(), axis)?;
        let end = start.checked_add(len).filter(|&e| e <= self.shape()[axis]);
        let Some(end) = end else {
            return Err(Error::invalid_shape(
                "narrow",
                format!("range {start}..{start}+{len} out of bounds on axis {axis}"),
                self.shape(),
            ));
        };
        let array = self
            .array()
            .clone()
            .slice_axis_move(Axis(axis), Slice::from(start..end));
        Ok(Tensor::from_shared(array))
    }

    /// The entries at `indices` along `axis`, in that order (repeats allowed).
    ///
    /// PyTorch equivalent: `t.index_select(axis, indices)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when the axis or an index is out of range.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::arange(0.0, 4.0, 1.0)?.index_select(0, &[3, 0, 3])?;
    /// assert_eq!(t.to_vec(), vec![3.0, 0.0, 3.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn index_select(&self, axis: usize, indices: &[usize]) -> Result<Tensor> {
        check_axis("index_select", self.shape(), axis)?;
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.shape()[axis]) {
            return Err(Error::invalid_shape(
                "index_select",
                format!("index {bad} out of range on axis {axis}"),
                self.shape(),
            ));
        }
        Ok(Tensor::from_array(self.array().select(Axis(axis), indices)))
    }
}
