//! Matrix product of variables, 2-d and batched.

use fovea_tensor::Result;

use crate::Var;

impl Var {
    /// Matrix product `[.., m, k] x [.., k, n] -> [.., m, n]` with broadcast batch axes.
    /// ∂/∂a = g·bᵀ, ∂/∂b = aᵀ·g, each summed over the batch axes its input was broadcast along.
    ///
    /// # Errors
    /// As [`fovea_tensor::Tensor::matmul`].
    ///
    /// # Example
    /// ```
    /// use fovea_autograd::Var;
    /// use fovea_tensor::Tensor;
    /// let a = Var::parameter(Tensor::ones(&[2, 3]));
    /// let b = Var::parameter(Tensor::ones(&[3, 4]));
    /// let g = a.matmul(&b)?.sum_all().backward()?;
    /// assert_eq!(g.get(&a).unwrap().to_vec(), vec![4.0; 6]); // each row of b sums to 4
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn matmul(&self, other: &Var) -> Result<Var> {
        let (a, b) = (self.value(), other.value());
        let out = a.matmul(&b)?;
        Ok(Var::from_fn(out, &[self, other], "matmul", move |g| {
            let t = |x: &fovea_tensor::Tensor| x.transpose(x.ndim() - 2, x.ndim() - 1);
            let ga = g.matmul(&t(&b)?)?.sum_to(a.shape())?;
            let gb = t(&a)?.matmul(g)?.sum_to(b.shape())?;
            Ok(vec![Some(ga), Some(gb)])
        }))
    }
}
