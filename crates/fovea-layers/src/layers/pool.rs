//! Pooling layers: [`MaxPool2d`], [`AvgPool2d`], [`AdaptiveMaxPool2d`], [`AdaptiveAvgPool2d`].
//! Thin wrappers over [`crate::functional`]'s pooling, with their settings checked when built.

use fovea_autograd::Var;
use fovea_tensor::{Error, Result};

use crate::functional::{
    AvgPool2dOptions, MaxPool2dOptions, adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d,
    max_pool2d,
};
use crate::module::Module;

/// Configuration of a [`MaxPool2d`] layer, with PyTorch's defaults (stride = kernel size,
/// padding 0, dilation 1, `ceil_mode` false).
///
/// # Example
/// ```
/// use fovea_layers::{MaxPool2dConfig, Module};
/// let pool = MaxPool2dConfig::new([3, 3]).with_stride([2, 2]).init()?; // AlexNet's pooling
/// assert_eq!(pool.kind(), "MaxPool2d");
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool2dConfig {
    /// Kernel size, stride, padding, dilation, ceil_mode.
    pub options: MaxPool2dOptions,
}

impl MaxPool2dConfig {
    /// Max pooling over `kernel_size` windows, stride = kernel size.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::MaxPool2dConfig::new([2, 2]).options.stride, [2, 2]);
    /// ```
    pub fn new(kernel_size: [usize; 2]) -> Self {
        MaxPool2dConfig {
            options: MaxPool2dOptions::new(kernel_size),
        }
    }

    /// Sets the stride.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::MaxPool2dConfig::new([3, 3]).with_stride([2, 2]).options.stride, [2, 2]);
    /// ```
    pub fn with_stride(mut self, stride: [usize; 2]) -> Self {
        self.options.stride = stride;
        self
    }

    /// Sets the padding (implicit −inf).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::MaxPool2dConfig::new([3, 3]).with_padding([1, 1]).options.padding, [1, 1]);
    /// ```
    pub fn with_padding(mut self, padding: [usize; 2]) -> Self {
        self.options.padding = padding;
        self
    }

    /// Sets the dilation.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::MaxPool2dConfig::new([3, 3]).with_dilation([2, 2]).options.dilation, [2, 2]);
    /// ```
    pub fn with_dilation(mut self, dilation: [usize; 2]) -> Self {
        self.options.dilation = dilation;
        self
    }

    /// Sets `ceil_mode`.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::MaxPool2dConfig::new([3, 3]).with_ceil_mode(true).options.ceil_mode);
    /// ```
    pub fn with_ceil_mode(mut self, ceil_mode: bool) -> Self {
        self.options.ceil_mode = ceil_mode;
        self
    }

    /// Builds the layer.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a zero kernel size, stride or dilation, or padding more
    /// than half the kernel size (PyTorch rejects it too, at the first forward).
    ///
    /// # Example
    /// ```
    /// let err = fovea_layers::MaxPool2dConfig::new([3, 3]).with_padding([2, 2]).init().unwrap_err();
    /// assert_eq!(err.to_string(), "MaxPool2d: padding [2, 2] must be at most half of kernel_size [3, 3]");
    /// ```
    pub fn init(&self) -> Result<MaxPool2d> {
        self.options.validate("MaxPool2d")?;
        Ok(MaxPool2d {
            options: self.options,
        })
    }
}

/// 2-d max pooling, see [`max_pool2d`].
///
/// PyTorch equivalent: `nn.MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C, oh, ow]`.
///
/// # Example
/// ```
/// use fovea_layers::{MaxPool2dConfig, Module};
/// let pool = MaxPool2dConfig::new([2, 2]).init()?;
/// let y = pool.forward(&fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[2, 3, 8, 8])))?;
/// assert_eq!(y.shape(), vec![2, 3, 4, 4]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MaxPool2d {
    /// Kernel size, stride, padding, dilation, ceil_mode.
    pub options: MaxPool2dOptions,
}

impl Module for MaxPool2d {
    fn kind(&self) -> &'static str {
        "MaxPool2d"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        max_pool2d(x, &self.options)
    }
}

/// Configuration of an [`AvgPool2d`] layer, with PyTorch's defaults (stride = kernel size,
/// padding 0, `ceil_mode` false, `count_include_pad` true).
///
/// # Example
/// ```
/// let pool = fovea_layers::AvgPool2dConfig::new([2, 2]).init()?;
/// assert!(pool.options.count_include_pad);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2dConfig {
    /// Kernel size, stride, padding, ceil_mode, count_include_pad.
    pub options: AvgPool2dOptions,
}

impl AvgPool2dConfig {
    /// Average pooling over `kernel_size` windows, stride = kernel size.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::AvgPool2dConfig::new([3, 3]).options.stride, [3, 3]);
    /// ```
    pub fn new(kernel_size: [usize; 2]) -> Self {
        AvgPool2dConfig {
            options: AvgPool2dOptions::new(kernel_size),
        }
    }

    /// Sets the stride.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::AvgPool2dConfig::new([3, 3]).with_stride([2, 2]).options.stride, [2, 2]);
    /// ```
    pub fn with_stride(mut self, stride: [usize; 2]) -> Self {
        self.options.stride = stride;
        self
    }

    /// Sets the padding (implicit zeros).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::AvgPool2dConfig::new([3, 3]).with_padding([1, 1]).options.padding, [1, 1]);
    /// ```
    pub fn with_padding(mut self, padding: [usize; 2]) -> Self {
        self.options.padding = padding;
        self
    }

    /// Sets `ceil_mode`.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::AvgPool2dConfig::new([3, 3]).with_ceil_mode(true).options.ceil_mode);
    /// ```
    pub fn with_ceil_mode(mut self, ceil_mode: bool) -> Self {
        self.options.ceil_mode = ceil_mode;
        self
    }

    /// Sets `count_include_pad`.
    ///
    /// # Example
    /// ```
    /// assert!(!fovea_layers::AvgPool2dConfig::new([3, 3]).with_count_include_pad(false).options.count_include_pad);
    /// ```
    pub fn with_count_include_pad(mut self, count_include_pad: bool) -> Self {
        self.options.count_include_pad = count_include_pad;
        self
    }

    /// Builds the layer.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a zero kernel size or stride, or padding more than half
    /// the kernel size.
    ///
    /// # Example
    /// ```
    /// let err = fovea_layers::AvgPool2dConfig::new([0, 2]).init().unwrap_err();
    /// assert_eq!(err.to_string(), "AvgPool2d: kernel_size [0, 2] and stride [0, 2] must be positive");
    /// ```
    pub fn init(&self) -> Result<AvgPool2d> {
        self.options.validate("AvgPool2d")?;
        Ok(AvgPool2d {
            options: self.options,
        })
    }
}

/// 2-d average pooling, see [`avg_pool2d`].
///
/// PyTorch equivalent: `nn.AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C, oh, ow]`.
///
/// # Example
/// ```
/// use fovea_layers::{AvgPool2dConfig, Module};
/// let pool = AvgPool2dConfig::new([2, 2]).init()?;
/// let y = pool.forward(&fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[1, 1, 4, 4])))?;
/// assert_eq!(y.value().to_vec(), vec![1.0; 4]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AvgPool2d {
    /// Kernel size, stride, padding, ceil_mode, count_include_pad.
    pub options: AvgPool2dOptions,
}

impl Module for AvgPool2d {
    fn kind(&self) -> &'static str {
        "AvgPool2d"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        avg_pool2d(x, &self.options)
    }
}

/// Checks an adaptive output size when a layer is built.
fn check_output_size(op: &str, output_size: [usize; 2]) -> Result<()> {
    if output_size.contains(&0) {
        return Err(Error::invalid_argument(
            op,
            format!("output_size {output_size:?} must be positive"),
        ));
    }
    Ok(())
}

/// Configuration of an [`AdaptiveMaxPool2d`] layer: the output size.
///
/// # Example
/// ```
/// let pool = fovea_layers::AdaptiveMaxPool2dConfig::new([6, 6]).init()?;
/// assert_eq!(pool.output_size, [6, 6]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdaptiveMaxPool2dConfig {
    /// Output size `[oh, ow]`.
    pub output_size: [usize; 2],
}

impl AdaptiveMaxPool2dConfig {
    /// Adaptive max pooling to `output_size`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::AdaptiveMaxPool2dConfig::new([1, 1]).output_size, [1, 1]);
    /// ```
    pub fn new(output_size: [usize; 2]) -> Self {
        AdaptiveMaxPool2dConfig { output_size }
    }

    /// Builds the layer.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a zero output size.
    ///
    /// # Example
    /// ```
    /// let err = fovea_layers::AdaptiveMaxPool2dConfig::new([0, 3]).init().unwrap_err();
    /// assert_eq!(err.to_string(), "AdaptiveMaxPool2d: output_size [0, 3] must be positive");
    /// ```
    pub fn init(&self) -> Result<AdaptiveMaxPool2d> {
        check_output_size("AdaptiveMaxPool2d", self.output_size)?;
        Ok(AdaptiveMaxPool2d {
            output_size: self.output_size,
        })
    }
}

/// 2-d adaptive max pooling, see [`adaptive_max_pool2d`].
///
/// PyTorch equivalent: `nn.AdaptiveMaxPool2d(output_size)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C, oh, ow]` for any `H`, `W`.
///
/// # Example
/// ```
/// use fovea_layers::{AdaptiveMaxPool2dConfig, Module};
/// let pool = AdaptiveMaxPool2dConfig::new([2, 3]).init()?;
/// let y = pool.forward(&fovea_autograd::Var::constant(fovea_tensor::Tensor::ones(&[1, 4, 7, 9])))?;
/// assert_eq!(y.shape(), vec![1, 4, 2, 3]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AdaptiveMaxPool2d {
    /// Output size `[oh, ow]`.
    pub output_size: [usize; 2],
}

impl Module for AdaptiveMaxPool2d {
    fn kind(&self) -> &'static str {
        "AdaptiveMaxPool2d"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        adaptive_max_pool2d(x, self.output_size)
    }
}

/// Configuration of an [`AdaptiveAvgPool2d`] layer: the output size.
///
/// # Example
/// ```
/// let gap = fovea_layers::AdaptiveAvgPool2dConfig::new([1, 1]).init()?; // global average pooling
/// assert_eq!(gap.output_size, [1, 1]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdaptiveAvgPool2dConfig {
    /// Output size `[oh, ow]`.
    pub output_size: [usize; 2],
}

impl AdaptiveAvgPool2dConfig {
    /// Adaptive average pooling to `output_size`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::AdaptiveAvgPool2dConfig::new([6, 6]).output_size, [6, 6]);
    /// ```
    pub fn new(output_size: [usize; 2]) -> Self {
        AdaptiveAvgPool2dConfig { output_size }
    }

    /// Builds the layer.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a zero output size.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::AdaptiveAvgPool2dConfig::new([2, 0]).init().is_err());
    /// ```
    pub fn init(&self) -> Result<AdaptiveAvgPool2d> {
        check_output_size("AdaptiveAvgPool2d", self.output_size)?;
        Ok(AdaptiveAvgPool2d {
            output_size: self.output_size,
        })
    }
}

/// 2-d adaptive average pooling, see [`adaptive_avg_pool2d`].
///
/// PyTorch equivalent: `nn.AdaptiveAvgPool2d(output_size)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C, oh, ow]` for any `H`, `W`.
///
/// # Example
/// ```
/// use fovea_layers::{AdaptiveAvgPool2dConfig, Module};
/// let gap = AdaptiveAvgPool2dConfig::new([1, 1]).init()?;
/// let y = gap.forward(&fovea_autograd::Var::constant(fovea_tensor::Tensor::full(&[2, 3, 5, 5], 2.0)))?;
/// assert_eq!(y.value().to_vec(), vec![2.0; 6]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AdaptiveAvgPool2d {
    /// Output size `[oh, ow]`.
    pub output_size: [usize; 2],
}

impl Module for AdaptiveAvgPool2d {
    fn kind(&self) -> &'static str {
        "AdaptiveAvgPool2d"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        adaptive_avg_pool2d(x, self.output_size)
    }
}
