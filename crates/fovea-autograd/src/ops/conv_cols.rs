//! im2col and col2im on variables; each is the other's gradient.

use fovea_tensor::{ConvGeometry, Result};

use crate::Var;

impl Var {
    /// Unfolds `[N, C, H, W]` into `[N, C·kh·kw, oh·ow]` (see [`fovea_tensor::Tensor::im2col`]).
    /// ∂/∂x = col2im(g).
    ///
    /// # Errors
    /// As [`fovea_tensor::Tensor::im2col`].
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::{ConvGeometry, Tensor};
    /// let x = fovea_autograd::Var::parameter(Tensor::ones(&[1, 1, 3, 3]));
    /// let g = x.im2col(&ConvGeometry::new([2, 2]))?.sum_all().backward()?;
    /// // The centre pixel is covered by all four 2x2 windows.
    /// assert_eq!(g.get(&x).unwrap().to_vec()[4], 4.0);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn im2col(&self, geometry: &ConvGeometry) -> Result<Var> {
        let x = self.value();
        let out = x.im2col(geometry)?;
        let g0 = *geometry;
        let image = [x.shape()[1], x.shape()[2], x.shape()[3]];
        Ok(Var::from_fn(out, &[self], "im2col", move |g| {
            Ok(vec![Some(g.col2im(&g0, image)?)])
        }))
    }

    /// Folds `[N, C·kh·kw, oh·ow]` back into `[N, C, H, W]`, summing overlaps
    /// (see [`fovea_tensor::Tensor::col2im`]). ∂/∂cols = im2col(g).
    ///
    /// # Errors
    /// As [`fovea_tensor::Tensor::col2im`].
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::{ConvGeometry, Tensor};
    /// let cols = fovea_autograd::Var::parameter(Tensor::ones(&[1, 4, 4]));
    /// let img = cols.col2im(&ConvGeometry::new([2, 2]), [1, 3, 3])?;
    /// assert_eq!(img.shape(), vec![1, 1, 3, 3]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn col2im(&self, geometry: &ConvGeometry, image: [usize; 3]) -> Result<Var> {
        let out = self.value().col2im(geometry, image)?;
        let g0 = *geometry;
        Ok(Var::from_fn(out, &[self], "col2im", move |g| {
            Ok(vec![Some(g.im2col(&g0)?)])
        }))
    }
}
