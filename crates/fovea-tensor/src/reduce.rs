//! Reductions over axes: sum, mean, max, argmax (with keepdim), and over all elements.

use ndarray::{ArrayD, Axis};

use crate::shape_ops::check_axis;
use crate::{Error, Result, Tensor};

/// Validates a list of axes (in range, no repeats) and returns it sorted in descending order,
/// the order in which they can be removed one by one.
fn sorted_axes(op: &str, shape: &[usize], axes: &[usize]) -> Result<Vec<usize>> {
    let mut sorted = axes.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    for (i, &axis) in sorted.iter().enumerate() {
        check_axis(op, shape, axis)?;
        if i > 0 && sorted[i - 1] == axis {
            return Err(Error::invalid_shape(
                op,
                format!("axis {axis} repeated"),
                shape,
            ));
        }
    }
    Ok(sorted)
}

impl Tensor {
    /// Reduces `axes` with `f` (one axis at a time), keeping them as length 1 if `keepdim`.
    fn reduce_axes(
        &self,
        op: &str,
        axes: &[usize],
        keepdim: bool,
        f: impl Fn(&ArrayD<f32>, Axis) -> ArrayD<f32>,
    ) -> Result<Tensor> {
        let sorted = sorted_axes(op, self.shape(), axes)?;
        let mut acc = self.array().view().into_owned();
        for &axis in &sorted {
            let reduced = f(&acc, Axis(axis));
            acc = if keepdim {
                reduced.insert_axis(Axis(axis))
            } else {
                reduced
            };
        }
        Ok(Tensor::from_array(acc))
    }

    /// Sum over `axes`; with `keepdim` the reduced axes stay with length 1.
    ///
    /// PyTorch equivalent: `t.sum(dim=axes, keepdim=keepdim)`.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] for an axis out of range or repeated.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::ones(&[2, 3, 4]);
    /// assert_eq!(t.sum(&[0, 2], true)?.shape(), &[1, 3, 1]);
    /// assert_eq!(t.sum(&[0, 2], false)?.to_vec(), vec![8.0; 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn sum(&self, axes: &[usize], keepdim: bool) -> Result<Tensor> {
        self.reduce_axes("sum", axes, keepdim, |a, axis| a.sum_axis(axis))
    }

    /// Mean over `axes` (sum divided by the number of elements reduced).
    ///
    /// # Errors
    /// [`Error::InvalidShape`] for an axis out of range or repeated.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::arange(0.0, 4.0, 1.0)?.reshape(&[2, 2])?;
    /// assert_eq!(t.mean(&[1], false)?.to_vec(), vec![0.5, 2.5]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn mean(&self, axes: &[usize], keepdim: bool) -> Result<Tensor> {
        sorted_axes("mean", self.shape(), axes)?;
        let sum = self.sum(axes, keepdim)?;
        let count: usize = axes.iter().map(|&a| self.shape()[a]).product();
        Ok(sum.mul_scalar(1.0 / count as f32))
    }

    /// Maximum over `axes`. NaN propagates.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] for an axis out of range or repeated, or an empty reduced axis.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::from_vec(vec![1.0, 4.0, 3.0, 2.0], &[2, 2])?;
    /// assert_eq!(t.max(&[1], false)?.to_vec(), vec![4.0, 3.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn max(&self, axes: &[usize], keepdim: bool) -> Result<Tensor> {
        if let Some(&a) = axes
            .iter()
            .find(|&&a| a < self.ndim() && self.shape()[a] == 0)
        {
            return Err(Error::invalid_shape(
                "max",
                format!("axis {a} is empty"),
                self.shape(),
            ));
        }
        self.reduce_axes("max", axes, keepdim, |a, axis| {
            a.fold_axis(axis, f32::NEG_INFINITY, |&m, &x| {
                if m.is_nan() || m >= x { m } else { x }
            })
        })
    }

    /// Index of the maximum along `axis`; the first one wins on ties (as PyTorch).
    ///
    /// # Errors
    /// [`Error::InvalidShape`] for an axis out of range or empty.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::from_vec(vec![1.0, 4.0, 4.0, 2.0], &[2, 2])?;
    /// assert_eq!(t.argmax(1, false)?.into_raw_vec_and_offset().0, vec![1, 0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn argmax(&self, axis: usize, keepdim: bool) -> Result<ArrayD<usize>> {
        check_axis("argmax", self.shape(), axis)?;
        if self.shape()[axis] == 0 {
            return Err(Error::invalid_shape(
                "argmax",
                format!("axis {axis} is empty"),
                self.shape(),
            ));
        }
        let out = self.array().map_axis(Axis(axis), |lane| {
            let mut best = 0;
            for (i, &x) in lane.iter().enumerate() {
                if x > lane[best] || (x.is_nan() && !lane[best].is_nan()) {
                    best = i;
                }
            }
            best
        });
        Ok(if keepdim {
            out.insert_axis(Axis(axis))
        } else {
            out
        })
    }

    /// Sum of all elements (accumulated in f64).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::ones(&[3, 3]).sum_all(), 9.0);
    /// ```
    pub fn sum_all(&self) -> f32 {
        self.array().iter().map(|&x| x as f64).sum::<f64>() as f32
    }

    /// Mean of all elements (NaN for an empty tensor).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::full(&[4], 2.0).mean_all(), 2.0);
    /// ```
    pub fn mean_all(&self) -> f32 {
        (self.array().iter().map(|&x| x as f64).sum::<f64>() / self.len() as f64) as f32
    }

    /// Largest element (−inf for an empty tensor; NaN if any element is NaN).
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::from_vec(vec![1.0, 7.0, 3.0], &[3])?;
    /// assert_eq!(t.max_all(), 7.0);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn max_all(&self) -> f32 {
        self.array().iter().fold(
            f32::NEG_INFINITY,
            |m, &x| if m.is_nan() || m >= x { m } else { x },
        )
    }
}
