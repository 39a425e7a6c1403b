//! Bridges from fovea tensors to the array views the segmentation metrics take.

use fovea_tensor::{Error, Result, Tensor};
use ndarray::{ArrayView3, Axis, Ix3};

/// Views a tensor of images as a `[slices, rows, cols]` stack: `[H, W]` becomes one slice,
/// `[N, H, W]` is taken as is, `[N, 1, H, W]` (NCHW with one channel) drops the channel axis.
/// No data is copied; pass the result to [`pixel_error_stack`](crate::pixel_error_stack),
/// [`warping_error_stack`](crate::warping_error_stack) or
/// [`rand_error_stack`](crate::rand_error_stack).
///
/// # Errors
/// [`Error::InvalidShape`] for any other shape.
///
/// # Example
/// ```
/// use fovea_tensor::Tensor;
/// let batch = Tensor::zeros(&[4, 1, 8, 8]);
/// let stack = fovea_metrics::image_stack(&batch)?;
/// assert_eq!(stack.shape(), &[4, 8, 8]);
/// let err = fovea_metrics::image_stack(&Tensor::zeros(&[2, 3, 8, 8])).unwrap_err();
/// assert!(err.to_string().contains("[2, 3, 8, 8]"));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn image_stack(tensor: &Tensor) -> Result<ArrayView3<'_, f32>> {
    let view = tensor.view();
    let shape = tensor.shape().to_vec();
    let stack = match shape.len() {
        2 => view.insert_axis(Axis(0)),
        3 => view,
        4 if shape[1] == 1 => view.index_axis_move(Axis(1), 0),
        _ => {
            return Err(Error::invalid_shape(
                "image_stack",
                "expected [H, W], [N, H, W] or [N, 1, H, W]",
                &shape,
            ));
        }
    };
    Ok(stack
        .into_dimensionality::<Ix3>()
        .expect("internal: 3 axes by construction"))
}
