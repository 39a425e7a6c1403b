//! RoI layers: [`RoiPool`], [`RoiAlign`] and [`SppPerRoi`].
//!
//! They take two inputs, the feature map (a variable) and the boxes (data), so they are not
//! [`Module`](crate::Module)s, whose `forward` takes one input; call
//! [`forward_rois`](RoiPool::forward_rois) instead. They own no parameters. Their settings are
//! checked when the layer is built, so a layer that exists can only fail on its inputs.

use fovea_autograd::Var;
use fovea_tensor::{Result, Tensor};

use crate::functional::{
    RoiAlignOptions, RoiPoolOptions, SppPerRoiOptions, roi_align, roi_pool, spp_per_roi,
};

/// RoI max pooling layer (Fast R-CNN): every box pooled to a fixed `ph × pw` grid.
/// See [`roi_pool`](crate::functional::roi_pool) for the exact semantics.
///
/// PyTorch equivalent: `torchvision.ops.RoIPool(output_size, spatial_scale)`.
///
/// # Shapes
/// features `[N, C, H, W]`, boxes `[K, 5]` (batch index, x1, y1, x2, y2) → `[K, C, ph, pw]`.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::RoiPool;
/// use fovea_layers::functional::RoiPoolOptions;
/// use fovea_tensor::Tensor;
/// let pool = RoiPool::new(RoiPoolOptions::new([7, 7], 1.0 / 16.0))?;
/// let features = Var::constant(Tensor::ones(&[2, 256, 38, 50]));
/// let boxes = Tensor::from_vec(vec![0.0, 10.0, 20.0, 300.0, 200.0, 1.0, 0.0, 0.0, 799.0, 599.0], &[2, 5])?;
/// assert_eq!(pool.forward_rois(&features, &boxes)?.shape(), vec![2, 256, 7, 7]);
/// assert!(RoiPool::new(RoiPoolOptions::new([0, 7], 1.0)).is_err());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoiPool {
    options: RoiPoolOptions,
}

impl RoiPool {
    /// A RoI pooling layer with the given output size and scale.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidArgument`] for a zero output size or a spatial scale that is
    /// not positive and finite.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{RoiPool, functional::RoiPoolOptions};
    /// let err = RoiPool::new(RoiPoolOptions::new([7, 7], 0.0)).unwrap_err();
    /// assert_eq!(err.to_string(), "RoiPool: spatial_scale must be positive and finite, got 0");
    /// ```
    pub fn new(options: RoiPoolOptions) -> Result<Self> {
        options.validate("RoiPool")?;
        Ok(RoiPool { options })
    }

    /// The layer's settings.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{RoiPool, functional::RoiPoolOptions};
    /// let pool = RoiPool::new(RoiPoolOptions::new([7, 7], 0.0625))?;
    /// assert_eq!(pool.options().output_size, [7, 7]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn options(&self) -> &RoiPoolOptions {
        &self.options
    }

    /// Pools every box of `boxes` from `features`.
    ///
    /// # Errors
    /// As [`roi_pool`](crate::functional::roi_pool): bad feature or box shapes, non-finite
    /// boxes, batch indices that are not integers in `0..N`.
    ///
    /// # Example
    /// See [`RoiPool`].
    pub fn forward_rois(&self, features: &Var, boxes: &Tensor) -> Result<Var> {
        roi_pool(features, boxes, &self.options)
    }
}

/// RoIAlign layer (Mask R-CNN): every box resampled bilinearly to a fixed `ph × pw` grid.
/// See [`roi_align`](crate::functional::roi_align) for the exact semantics.
///
/// PyTorch equivalent: `torchvision.ops.RoIAlign(output_size, spatial_scale, sampling_ratio, aligned)`.
///
/// # Shapes
/// features `[N, C, H, W]`, boxes `[K, 5]` (batch index, x1, y1, x2, y2) → `[K, C, ph, pw]`.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::RoiAlign;
/// use fovea_layers::functional::RoiAlignOptions;
/// use fovea_tensor::Tensor;
/// let align = RoiAlign::new(RoiAlignOptions::new([2, 2], 0.5).with_sampling_ratio(2).with_aligned(true))?;
/// let features = Var::constant(Tensor::full(&[1, 3, 8, 8], 2.0));
/// let boxes = Tensor::from_vec(vec![0.0, 2.0, 2.0, 10.0, 12.0], &[1, 5])?;
/// let y = align.forward_rois(&features, &boxes)?;
/// assert_eq!(y.shape(), vec![1, 3, 2, 2]);
/// assert!(y.value().to_vec().iter().all(|&v| (v - 2.0).abs() < 1e-6)); // a constant map stays constant
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoiAlign {
    options: RoiAlignOptions,
}

impl RoiAlign {
    /// A RoIAlign layer with the given settings.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidArgument`] for a zero output size or a spatial scale that is
    /// not positive and finite.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{RoiAlign, functional::RoiAlignOptions};
    /// let err = RoiAlign::new(RoiAlignOptions::new([7, 0], 1.0)).unwrap_err();
    /// assert_eq!(err.to_string(), "RoiAlign: output size must be positive, got [7, 0]");
    /// ```
    pub fn new(options: RoiAlignOptions) -> Result<Self> {
        options.validate("RoiAlign")?;
        Ok(RoiAlign { options })
    }

    /// The layer's settings.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{RoiAlign, functional::RoiAlignOptions};
    /// let align = RoiAlign::new(RoiAlignOptions::new([7, 7], 0.0625))?;
    /// assert_eq!(align.options().sampling_ratio, -1);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn options(&self) -> &RoiAlignOptions {
        &self.options
    }

    /// Resamples every box of `boxes` from `features`.
    ///
    /// # Errors
    /// As [`roi_align`](crate::functional::roi_align): bad feature or box shapes, non-finite
    /// boxes, batch indices that are not integers in `0..N`.
    ///
    /// # Example
    /// See [`RoiAlign`].
    pub fn forward_rois(&self, features: &Var, boxes: &Tensor) -> Result<Var> {
        roi_align(features, boxes, &self.options)
    }
}

/// SPP-net's spatial pyramid pooling over each RoI: a fixed-length vector per box (21·C values
/// for the default levels `[4, 2, 1]`). See [`spp_per_roi`](crate::functional::spp_per_roi).
///
/// PyTorch equivalent: none built in.
///
/// # Shapes
/// features `[N, C, H, W]`, boxes `[K, 5]` → `[K, C·Σn²]`.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::SppPerRoi;
/// use fovea_layers::functional::SppPerRoiOptions;
/// use fovea_tensor::Tensor;
/// let spp = SppPerRoi::new(SppPerRoiOptions::default().with_spatial_scale(1.0 / 16.0))?;
/// let features = Var::constant(Tensor::ones(&[1, 256, 13, 13]));
/// let boxes = Tensor::from_vec(vec![0.0, 0.0, 0.0, 100.0, 150.0], &[1, 5])?;
/// assert_eq!(spp.forward_rois(&features, &boxes)?.shape(), vec![1, 21 * 256]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SppPerRoi {
    options: SppPerRoiOptions,
}

impl SppPerRoi {
    /// An SPP-per-RoI layer with the given levels and scale.
    ///
    /// # Errors
    /// [`fovea_tensor::Error::InvalidArgument`] for no levels, a zero level, or a spatial scale
    /// that is not positive and finite.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{SppPerRoi, functional::SppPerRoiOptions};
    /// let err = SppPerRoi::new(SppPerRoiOptions::default().with_levels(vec![])).unwrap_err();
    /// assert_eq!(err.to_string(), "SppPerRoi: levels must be a non-empty list of positive sizes, got []");
    /// ```
    pub fn new(options: SppPerRoiOptions) -> Result<Self> {
        options.validate("SppPerRoi")?;
        Ok(SppPerRoi { options })
    }

    /// The layer's settings.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{SppPerRoi, functional::SppPerRoiOptions};
    /// let spp = SppPerRoi::new(SppPerRoiOptions::default())?;
    /// assert_eq!(spp.options().levels, vec![4, 2, 1]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn options(&self) -> &SppPerRoiOptions {
        &self.options
    }

    /// Pools every box of `boxes` from `features` at every level.
    ///
    /// # Errors
    /// As [`spp_per_roi`](crate::functional::spp_per_roi).
    ///
    /// # Example
    /// See [`SppPerRoi`].
    pub fn forward_rois(&self, features: &Var, boxes: &Tensor) -> Result<Var> {
        spp_per_roi(features, boxes, &self.options)
    }
}
