//! [`Tensor::matmul`] for 2-d and batched tensors, on [`crate::gemm`].

use ndarray::{Array2, Axis, Ix2, IxDyn};
use rayon::prelude::*;

use crate::{Error, Result, Tensor, broadcast_shapes, gemm};

impl Tensor {
    /// Matrix product. Both operands need at least 2 axes: the last two are the matrices
    /// (`[.., m, k] x [.., k, n] -> [.., m, n]`), the leading (batch) axes broadcast.
    ///
    /// PyTorch equivalent: `torch.matmul(a, b)` for operands of rank ≥ 2.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when an operand has fewer than 2 axes, the inner dimensions differ,
    /// or the batch axes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let a = Tensor::ones(&[5, 2, 3]);
    /// let b = Tensor::ones(&[3, 4]);
    /// let c = a.matmul(&b)?;
    /// assert_eq!(c.shape(), &[5, 2, 4]);
    /// assert_eq!(c.to_vec()[0], 3.0);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        let (ls, rs) = (self.shape(), other.shape());
        if ls.len() < 2 || rs.len() < 2 {
            return Err(Error::shape_mismatch(
                "matmul",
                "operands need at least 2 axes",
                ls,
                rs,
            ));
        }
        let (m, k) = (ls[ls.len() - 2], ls[ls.len() - 1]);
        let (k2, n) = (rs[rs.len() - 2], rs[rs.len() - 1]);
        if k != k2 {
            return Err(Error::shape_mismatch(
                "matmul",
                "inner dimensions differ",
                ls,
                rs,
            ));
        }
        if ls.len() == 2 && rs.len() == 2 {
            let a = self
                .array()
                .view()
                .into_dimensionality::<Ix2>()
                .expect("internal: 2-d");
            let b = other
                .array()
                .view()
                .into_dimensionality::<Ix2>()
                .expect("internal: 2-d");
            let mut c = Array2::from_shape_vec((m, n), crate::zeros_vec(m * n)).expect("m x n");
            gemm(1.0, a, b, 0.0, c.view_mut());
            return Ok(Tensor::from_array(c.into_dyn()));
        }
        let batch =
            broadcast_shapes("matmul", &ls[..ls.len() - 2], &rs[..rs.len() - 2]).map_err(|_| {
                Error::shape_mismatch("matmul", "batch dimensions do not broadcast", ls, rs)
            })?;
        let count: usize = batch.iter().product();
        let stack = |t: &Tensor, rows: usize, cols: usize| -> Result<Tensor> {
            let mut full = batch.clone();
            full.extend([rows, cols]);
            t.broadcast_to(&full)?.reshape(&[count, rows, cols])
        };
        let a = stack(self, m, k)?;
        let b = stack(other, k, n)?;
        let mut out = ndarray::Array3::<f32>::zeros((count, m, n));
        let a3 = a
            .array()
            .view()
            .into_dimensionality::<ndarray::Ix3>()
            .expect("internal: 3-d");
        let b3 = b
            .array()
            .view()
            .into_dimensionality::<ndarray::Ix3>()
            .expect("internal: 3-d");
        out.axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(
                a3.axis_iter(Axis(0))
                    .into_par_iter()
                    .zip(b3.axis_iter(Axis(0))),
            )
            .for_each(|(c, (a, b))| gemm(1.0, a, b, 0.0, c));
        let mut shape = batch;
        shape.extend([m, n]);
        let out = out
            .into_shape_with_order(IxDyn(&shape))
            .expect("internal: same count");
        Ok(Tensor::from_array(out))
    }
}
