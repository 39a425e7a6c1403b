//! Matrix products: [`gemm`] on ndarray views (matrixmultiply's AVX kernels, split across the
//! rayon pool for large products) and [`Tensor::matmul`] for 2-d and batched tensors.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Ix2, IxDyn, linalg::general_mat_mul};
use rayon::prelude::*;

use crate::{Error, Result, Tensor, broadcast_shapes};

/// Products smaller than this many multiply-adds stay on one thread: below it, the cost of
/// waking a second thread and packing `b` twice outweighs the gain.
const PARALLEL_MIN_FLOPS: usize = 1 << 21;

/// `c = alpha·a·b + beta·c` on 2-d views of any strides (transposed views need no copy).
///
/// With more than one thread in the current rayon pool and a large enough product, the output is
/// split into one block of rows (or columns, whichever is longer) per thread; each block is
/// computed by the same single-threaded kernel, so results do not depend on the thread count.
///
/// # Panics
/// When the shapes do not chain (`a: m×k`, `b: k×n`, `c: m×n`); [`Tensor::matmul`] checks them.
///
/// # Example
/// ```
/// use ndarray::array;
/// let a = array![[1.0f32, 2.0], [3.0, 4.0]];
/// let mut c = ndarray::Array2::<f32>::zeros((2, 2));
/// fovea_tensor::gemm(1.0, a.view(), a.view(), 0.0, c.view_mut());
/// assert_eq!(c, array![[7.0, 10.0], [15.0, 22.0]]);
/// ```
pub fn gemm(
    alpha: f32,
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    beta: f32,
    mut c: ArrayViewMut2<f32>,
) {
    let (m, k) = a.dim();
    let n = b.dim().1;
    assert!(
        b.dim().0 == k && c.dim() == (m, n),
        "gemm: shapes do not chain: {:?} x {:?} -> {:?}",
        a.shape(),
        b.shape(),
        c.shape()
    );
    let threads = rayon::current_num_threads();
    if threads <= 1 || m * n * k < PARALLEL_MIN_FLOPS {
        general_mat_mul(alpha, &a, &b, beta, &mut c);
        return;
    }
    if m >= n {
        // Rows of c with the matching rows of a; blocks a multiple of 8 rows (kernel height).
        let rows = m.div_ceil(threads).next_multiple_of(8);
        let c_blocks: Vec<_> = c.axis_chunks_iter_mut(Axis(0), rows).collect();
        let a_blocks: Vec<_> = a.axis_chunks_iter(Axis(0), rows).collect();
        c_blocks
            .into_par_iter()
            .zip(a_blocks)
            .for_each(|(mut c, a)| {
                general_mat_mul(alpha, &a, &b, beta, &mut c);
            });
    } else {
        let cols = n.div_ceil(threads).next_multiple_of(16);
        let c_blocks: Vec<_> = c.axis_chunks_iter_mut(Axis(1), cols).collect();
        let b_blocks: Vec<_> = b.axis_chunks_iter(Axis(1), cols).collect();
        c_blocks
            .into_par_iter()
            .zip(b_blocks)
            .for_each(|(mut c, b)| {
                general_mat_mul(alpha, &a, &b, beta, &mut c);
            });
    }
}

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
            let mut c = Array2::<f32>::zeros((m, n));
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
