//! [`Conv2d`]: the 2-d convolution layer.

use fovea_autograd::Var;
use fovea_tensor::{Error, Result, Tensor};
use rand::Rng;

use crate::functional::{Conv2dOptions, conv2d};
use crate::module::{Module, NamedParameter};

/// Configuration of a [`Conv2d`] layer, with PyTorch's defaults (stride 1, padding 0,
/// dilation 1, groups 1, bias).
///
/// # Example
/// ```
/// use fovea_layers::Conv2dConfig;
/// let conv = Conv2dConfig::new(3, 64, [11, 11]).with_stride([4, 4]).with_padding([2, 2])
///     .init(&mut fovea_tensor::seeded_rng(0))?;
/// assert_eq!(conv.weight.shape(), vec![64, 3, 11, 11]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dConfig {
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Kernel size `[kh, kw]`.
    pub kernel_size: [usize; 2],
    /// Stride, padding, dilation, groups.
    pub options: Conv2dOptions,
    /// Whether to add a learnable bias.
    pub bias: bool,
}

impl Conv2dConfig {
    /// A convolution from `in_channels` to `out_channels` with the given kernel size.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::Conv2dConfig::new(1, 8, [5, 5]).options.stride, [1, 1]);
    /// ```
    pub fn new(in_channels: usize, out_channels: usize, kernel_size: [usize; 2]) -> Self {
        Conv2dConfig {
            in_channels,
            out_channels,
            kernel_size,
            options: Conv2dOptions::default(),
            bias: true,
        }
    }

    /// Sets the stride.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::Conv2dConfig::new(1, 1, [3, 3]).with_stride([2, 2]).options.stride, [2, 2]);
    /// ```
    pub fn with_stride(mut self, stride: [usize; 2]) -> Self {
        self.options.stride = stride;
        self
    }

    /// Sets the padding.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::Conv2dConfig::new(1, 1, [3, 3]).with_padding([1, 1]).options.padding, [1, 1]);
    /// ```
    pub fn with_padding(mut self, padding: [usize; 2]) -> Self {
        self.options.padding = padding;
        self
    }

    /// Sets the dilation.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::Conv2dConfig::new(1, 1, [3, 3]).with_dilation([2, 2]).options.dilation, [2, 2]);
    /// ```
    pub fn with_dilation(mut self, dilation: [usize; 2]) -> Self {
        self.options.dilation = dilation;
        self
    }

    /// Sets the number of groups.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::Conv2dConfig::new(4, 4, [3, 3]).with_groups(2).options.groups, 2);
    /// ```
    pub fn with_groups(mut self, groups: usize) -> Self {
        self.options.groups = groups;
        self
    }

    /// Sets whether the layer has a bias.
    ///
    /// # Example
    /// ```
    /// assert!(!fovea_layers::Conv2dConfig::new(1, 1, [3, 3]).with_bias(false).bias);
    /// ```
    pub fn with_bias(mut self, bias: bool) -> Self {
        self.bias = bias;
        self
    }

    /// Builds the layer with PyTorch's initialisation: weight and bias ~ U(−1/√fan_in,
    /// 1/√fan_in), fan_in = in/groups·kh·kw (kaiming-uniform with a = √5).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for zero sizes, zero stride or dilation, or groups that do not
    /// divide both channel counts.
    ///
    /// # Example
    /// ```
    /// let conv = fovea_layers::Conv2dConfig::new(4, 6, [3, 3]).with_groups(2).init(&mut fovea_tensor::seeded_rng(0))?;
    /// assert_eq!(conv.weight.shape(), vec![6, 2, 3, 3]);
    /// assert!(fovea_layers::Conv2dConfig::new(3, 6, [3, 3]).with_groups(2).init(&mut fovea_tensor::seeded_rng(0)).is_err());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn init(&self, rng: &mut impl Rng) -> Result<Conv2d> {
        let o = &self.options;
        let bad = self.in_channels == 0
            || self.out_channels == 0
            || self.kernel_size.contains(&0)
            || o.stride.contains(&0)
            || o.dilation.contains(&0)
            || o.groups == 0
            || !self.in_channels.is_multiple_of(o.groups)
            || !self.out_channels.is_multiple_of(o.groups);
        if bad {
            return Err(Error::invalid_argument(
                "Conv2d",
                format!(
                    "sizes, stride and dilation must be positive and groups must divide both channel counts, got {self:?}"
                ),
            ));
        }
        let [kh, kw] = self.kernel_size;
        let shape = [self.out_channels, self.in_channels / o.groups, kh, kw];
        let weight = Tensor::kaiming_uniform(&shape, 5f32.sqrt(), rng)?;
        let bound = 1.0 / ((shape[1] * kh * kw) as f32).sqrt();
        let bias = if self.bias {
            Some(Var::parameter(Tensor::rand_uniform(
                &[self.out_channels],
                -bound,
                bound,
                rng,
            )?))
        } else {
            None
        };
        Ok(Conv2d {
            weight: Var::parameter(weight),
            bias,
            options: self.options,
        })
    }
}

/// A 2-d convolution layer.
///
/// PyTorch equivalent: `nn.Conv2d(in, out, kernel_size, stride, padding, dilation, groups, bias)`.
///
/// # Shapes
/// `[N, in, H, W]` → `[N, out, oh, ow]`; weight `[out, in/groups, kh, kw]`, bias `[out]`.
pub struct Conv2d {
    /// Weight `[out, in/groups, kh, kw]`.
    pub weight: Var,
    /// Bias `[out]`, if any.
    pub bias: Option<Var>,
    /// Stride, padding, dilation, groups.
    pub options: Conv2dOptions,
}

impl Module for Conv2d {
    fn kind(&self) -> &'static str {
        "Conv2d"
    }

    fn forward(&self, x: &Var) -> Result<Var> {
        conv2d(x, &self.weight, self.bias.as_ref(), &self.options)
    }

    fn parameters(&self) -> Vec<NamedParameter> {
        let mut out = vec![("weight".to_string(), self.weight.clone())];
        if let Some(b) = &self.bias {
            out.push(("bias".to_string(), b.clone()));
        }
        out
    }
}
