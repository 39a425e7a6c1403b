//! NumPy broadcasting: the shape rule, and its reverse (summing a gradient back to an input's shape).

use ndarray::{Axis, IxDyn, Zip};

use crate::tensor::PARALLEL_MIN_ELEMENTS;
use crate::{Error, Result, Tensor};

/// The shape two operands broadcast to, by NumPy's rule: align trailing axes; each pair must be
/// equal or contain a 1.
///
/// # Errors
/// [`Error::ShapeMismatch`] naming `op` when an aligned pair differs and neither is 1.
///
/// # Example
/// ```
/// use fovea_tensor::broadcast_shapes;
/// assert_eq!(broadcast_shapes("add", &[8, 1, 6, 1], &[7, 1, 5])?, vec![8, 7, 6, 5]);
/// assert!(broadcast_shapes("add", &[2, 3], &[4, 3]).is_err());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn broadcast_shapes(op: &str, lhs: &[usize], rhs: &[usize]) -> Result<Vec<usize>> {
    let n = lhs.len().max(rhs.len());
    let mut out = vec![0; n];
    for i in 0..n {
        // Walk from the last axis; a missing axis counts as 1.
        let a = if i < lhs.len() {
            lhs[lhs.len() - 1 - i]
        } else {
            1
        };
        let b = if i < rhs.len() {
            rhs[rhs.len() - 1 - i]
        } else {
            1
        };
        out[n - 1 - i] = match (a, b) {
            (a, b) if a == b => a,
            (1, b) => b,
            (a, 1) => a,
            _ => {
                return Err(Error::shape_mismatch(
                    op,
                    "shapes cannot be broadcast",
                    lhs,
                    rhs,
                ));
            }
        };
    }
    Ok(out)
}

impl Tensor {
    /// The tensor repeated (materialised) to `shape` by broadcasting.
    ///
    /// PyTorch equivalent: `t.expand(shape).contiguous()`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `self` cannot broadcast to `shape` (the result must be `shape`
    /// itself, not something larger).
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::from_vec(vec![1.0, 2.0], &[2, 1])?;
    /// assert_eq!(t.broadcast_to(&[2, 3])?.to_vec(), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        let target = broadcast_shapes("broadcast_to", self.shape(), shape)?;
        if target != shape {
            return Err(Error::shape_mismatch(
                "broadcast_to",
                "shape cannot be broadcast to the target",
                self.shape(),
                shape,
            ));
        }
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let view = self
            .array()
            .broadcast(IxDyn(shape))
            .expect("internal: broadcast checked");
        Ok(Tensor::from_array(view.to_owned()))
    }

    /// Sums `self` down to `shape`, the reverse of broadcasting: leading axes that `shape` lacks
    /// are summed away, axes where `shape` has 1 are summed with keepdim. This is how the gradient
    /// of a broadcast operand is formed.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `shape` does not broadcast to `self.shape()`.
    ///
    /// # Example
    /// ```
    /// let g = fovea_tensor::Tensor::ones(&[4, 2, 3]);
    /// let s = g.sum_to(&[2, 1])?;
    /// assert_eq!(s.shape(), &[2, 1]);
    /// assert_eq!(s.to_vec(), vec![12.0, 12.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn sum_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let full = broadcast_shapes("sum_to", self.shape(), shape)?;
        if full != self.shape() {
            return Err(Error::shape_mismatch(
                "sum_to",
                "target does not broadcast to the source",
                self.shape(),
                shape,
            ));
        }
        let lead = self.ndim() - shape.len();
        let mut acc = self.array().view().into_owned();
        for _ in 0..lead {
            acc = acc.sum_axis(Axis(0));
        }
        for (axis, &len) in shape.iter().enumerate() {
            if len == 1 && acc.shape()[axis] != 1 {
                acc = acc.sum_axis(Axis(axis)).insert_axis(Axis(axis));
            }
        }
        Ok(Tensor::from_array(acc))
    }

    /// Applies `f` pairwise after broadcasting both operands to their common shape.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] naming `op` when the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let a = Tensor::from_vec(vec![1.0, 2.0], &[2, 1])?;
    /// let b = Tensor::from_vec(vec![10.0, 20.0, 30.0], &[3])?;
    /// let c = a.zip_with("hypot", &b, |x, y| x.hypot(y))?;
    /// assert_eq!(c.shape(), &[2, 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn zip_with(
        &self,
        op: &str,
        other: &Tensor,
        f: impl Fn(f32, f32) -> f32 + Sync + Send,
    ) -> Result<Tensor> {
        if self.shape() == other.shape() {
            let zip = Zip::from(self.array()).and(other.array());
            let out = if self.len() >= PARALLEL_MIN_ELEMENTS && rayon::current_num_threads() > 1 {
                zip.par_map_collect(|&a, &b| f(a, b))
            } else {
                zip.map_collect(|&a, &b| f(a, b))
            };
            return Ok(Tensor::from_array(out));
        }
        let shape = broadcast_shapes(op, self.shape(), other.shape())?;
        let a = self
            .array()
            .broadcast(IxDyn(&shape))
            .expect("internal: checked");
        let b = other
            .array()
            .broadcast(IxDyn(&shape))
            .expect("internal: checked");
        let out = Zip::from(&a).and(&b).map_collect(|&a, &b| f(a, b));
        Ok(Tensor::from_array(out))
    }
}
