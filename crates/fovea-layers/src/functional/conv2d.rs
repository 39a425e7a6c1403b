//! 2-d convolution: im2col + GEMM per image, in parallel over the batch, forward and backward
//! side by side.
//!
//! Shapes: input `[N, C, H, W]`, weight `[O, C/groups, kh, kw]`, bias `[O]`, output
//! `[N, O, oh, ow]`. For image n and group g, with `cols = im2col(x_n)` (`[C·kh·kw, oh·ow]`):
//!
//! - forward: `y_n,g = W_g · cols_g + b_g`
//! - backward: `dW_g += dy_n,g · cols_gᵀ`, `db += Σ_positions dy_n`, `dx_n = col2im(W_gᵀ · dy_n,g)`
//!
//! The batch is split into one fixed block of images per thread; each block sums its weight
//! gradient in image order and the blocks are added in block order, so results are the same on
//! every run with the same thread count.

use fovea_autograd::{Op, Var};
use fovea_tensor::{ConvGeometry, Error, Result, Tensor, col2im_image, gemm, im2col_image};
use ndarray::{ArrayView2, ArrayViewMut2};
use rayon::prelude::*;

/// Stride, padding, dilation and groups of [`conv2d`]; the default is PyTorch's (1, 0, 1, 1).
///
/// # Example
/// ```
/// let o = fovea_layers::functional::Conv2dOptions::default().with_padding([1, 1]);
/// assert_eq!(o.padding, [1, 1]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dOptions {
    /// Step between output positions `[sh, sw]`.
    pub stride: [usize; 2],
    /// Zeros added on each side `[ph, pw]`.
    pub padding: [usize; 2],
    /// Spacing of kernel taps `[dh, dw]`.
    pub dilation: [usize; 2],
    /// Number of channel groups: input and output channels are split into `groups` blocks and
    /// block g of the output sees only block g of the input.
    pub groups: usize,
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Conv2dOptions {
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
            groups: 1,
        }
    }
}

impl Conv2dOptions {
    /// Sets the stride.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::Conv2dOptions::default().with_stride([2, 2]).stride, [2, 2]);
    /// ```
    pub fn with_stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }

    /// Sets the padding.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::Conv2dOptions::default().with_padding([2, 1]).padding, [2, 1]);
    /// ```
    pub fn with_padding(mut self, padding: [usize; 2]) -> Self {
        self.padding = padding;
        self
    }

    /// Sets the dilation.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::Conv2dOptions::default().with_dilation([2, 2]).dilation, [2, 2]);
    /// ```
    pub fn with_dilation(mut self, dilation: [usize; 2]) -> Self {
        self.dilation = dilation;
        self
    }

    /// Sets the number of groups.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::Conv2dOptions::default().with_groups(2).groups, 2);
    /// ```
    pub fn with_groups(mut self, groups: usize) -> Self {
        self.groups = groups;
        self
    }
}

/// Everything the kernels need to know about one convolution, checked once.
#[derive(Clone, Copy, Debug)]
struct Plan {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    o: usize,
    groups: usize,
    geometry: ConvGeometry,
    out: [usize; 2],
}

impl Plan {
    fn new(
        x: &[usize],
        weight: &[usize],
        bias: Option<&[usize]>,
        opts: &Conv2dOptions,
    ) -> Result<Plan> {
        let [n, c, h, w] = *x else {
            return Err(Error::invalid_shape(
                "conv2d",
                "input must be [N, C, H, W]",
                x,
            ));
        };
        let [o, cg, kh, kw] = *weight else {
            return Err(Error::invalid_shape(
                "conv2d",
                "weight must be [out, in/groups, kh, kw]",
                weight,
            ));
        };
        let groups = opts.groups;
        if groups == 0 || o % groups != 0 {
            return Err(Error::invalid_argument(
                "conv2d",
                format!("groups {groups} must be positive and divide the {o} output channels"),
            ));
        }
        if cg * groups != c {
            return Err(Error::shape_mismatch(
                "conv2d",
                format!("input channels differ from weight in-channels x groups ({cg} x {groups})"),
                x,
                weight,
            ));
        }
        if let Some(b) = bias {
            if b != [o] {
                return Err(Error::shape_mismatch(
                    "conv2d",
                    "bias needs one value per output channel",
                    weight,
                    b,
                ));
            }
        }
        if n * c * h * w == 0 {
            return Err(Error::invalid_shape("conv2d", "input is empty", x));
        }
        let geometry = ConvGeometry {
            kernel: [kh, kw],
            stride: opts.stride,
            padding: opts.padding,
            dilation: opts.dilation,
        };
        let out = geometry.output_size("conv2d", [h, w])?;
        Ok(Plan {
            n,
            c,
            h,
            w,
            o,
            groups,
            geometry,
            out,
        })
    }

    /// Rows of one group's im2col matrix: (C/groups)·kh·kw.
    fn group_rows(&self) -> usize {
        self.c / self.groups * self.geometry.kernel[0] * self.geometry.kernel[1]
    }

    fn positions(&self) -> usize {
        self.out[0] * self.out[1]
    }

    /// Images per parallel block: one block per thread.
    fn block(&self) -> usize {
        self.n.div_ceil(rayon::current_num_threads()).max(1)
    }
}

/// Forward kernel: returns the output `[N, O, oh, ow]` as a flat vector.
fn forward_kernel(plan: &Plan, x: &[f32], weight: &[f32], bias: Option<&[f32]>) -> Vec<f32> {
    let (rows, l) = (plan.group_rows(), plan.positions());
    let og = plan.o / plan.groups;
    let mut out = vec![0.0; plan.n * plan.o * l];
    let image = plan.c * plan.h * plan.w;
    out.par_chunks_mut(plan.o * l)
        .zip(x.par_chunks(image))
        .for_each_init(
            || vec![0.0; rows * plan.groups * l],
            |cols, (y, x)| {
                im2col_image(x, plan.c, [plan.h, plan.w], &plan.geometry, plan.out, cols);
                for g in 0..plan.groups {
                    let wg = ArrayView2::from_shape(
                        (og, rows),
                        &weight[g * og * rows..(g + 1) * og * rows],
                    )
                    .expect("internal");
                    let cg =
                        ArrayView2::from_shape((rows, l), &cols[g * rows * l..(g + 1) * rows * l])
                            .expect("internal");
                    let mut yg =
                        ArrayViewMut2::from_shape((og, l), &mut y[g * og * l..(g + 1) * og * l])
                            .expect("internal");
                    if let Some(b) = bias {
                        for (k, mut row) in yg.outer_iter_mut().enumerate() {
                            row.fill(b[g * og + k]);
                        }
                    }
                    gemm(1.0, wg, cg, if bias.is_some() { 1.0 } else { 0.0 }, yg);
                }
            },
        );
    out
}

/// Backward kernel: gradients for input, weight and bias from the output gradient.
fn backward_kernel(
    plan: &Plan,
    x: &[f32],
    weight: &[f32],
    dy: &[f32],
    need_dx: bool,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let (rows, l) = (plan.group_rows(), plan.positions());
    let og = plan.o / plan.groups;
    let image = plan.c * plan.h * plan.w;
    let block = plan.block();
    let mut dx = vec![0.0; if need_dx { plan.n * image } else { 0 }];
    let dx_blocks: Vec<&mut [f32]> = if need_dx {
        dx.chunks_mut(block * image).collect()
    } else {
        Vec::new()
    };
    let mut dx_iter = dx_blocks.into_iter();
    let jobs: Vec<(usize, Option<&mut [f32]>)> = (0..plan.n.div_ceil(block))
        .map(|b| (b, dx_iter.next()))
        .collect();
    // Each block returns its own weight and bias gradient; summed in block order below.
    let partials: Vec<(Vec<f32>, Vec<f32>)> = jobs
        .into_par_iter()
        .map(|(b, mut dx_block)| {
            let mut dw = vec![0.0; plan.o * rows];
            let mut db = vec![0.0; plan.o];
            let mut cols = vec![0.0; rows * plan.groups * l];
            let mut dcols = vec![0.0; rows * plan.groups * l];
            for i in b * block..((b + 1) * block).min(plan.n) {
                let xi = &x[i * image..(i + 1) * image];
                let dyi = &dy[i * plan.o * l..(i + 1) * plan.o * l];
                im2col_image(
                    xi,
                    plan.c,
                    [plan.h, plan.w],
                    &plan.geometry,
                    plan.out,
                    &mut cols,
                );
                for (k, row) in dyi.chunks_exact(l).enumerate() {
                    db[k] += row.iter().sum::<f32>();
                }
                for g in 0..plan.groups {
                    let dyg = ArrayView2::from_shape((og, l), &dyi[g * og * l..(g + 1) * og * l])
                        .expect("internal");
                    let cg =
                        ArrayView2::from_shape((rows, l), &cols[g * rows * l..(g + 1) * rows * l])
                            .expect("internal");
                    let dwg = ArrayViewMut2::from_shape(
                        (og, rows),
                        &mut dw[g * og * rows..(g + 1) * og * rows],
                    )
                    .expect("internal");
                    gemm(1.0, dyg, cg.t(), 1.0, dwg);
                    if need_dx {
                        let wg = ArrayView2::from_shape(
                            (og, rows),
                            &weight[g * og * rows..(g + 1) * og * rows],
                        )
                        .expect("internal");
                        let dcg = ArrayViewMut2::from_shape(
                            (rows, l),
                            &mut dcols[g * rows * l..(g + 1) * rows * l],
                        )
                        .expect("internal");
                        gemm(1.0, wg.t(), dyg, 0.0, dcg);
                    }
                }
                if let Some(dxb) = dx_block.as_deref_mut() {
                    let local = i - b * block;
                    col2im_image(
                        &dcols,
                        plan.c,
                        [plan.h, plan.w],
                        &plan.geometry,
                        plan.out,
                        &mut dxb[local * image..(local + 1) * image],
                    );
                }
            }
            (dw, db)
        })
        .collect();
    let mut dw = vec![0.0; plan.o * rows];
    let mut db = vec![0.0; plan.o];
    for (pw, pb) in partials {
        dw.iter_mut().zip(pw).for_each(|(a, b)| *a += b);
        db.iter_mut().zip(pb).for_each(|(a, b)| *a += b);
    }
    (dx, dw, db)
}

/// The recorded convolution: what backward needs.
struct Conv2dOp {
    plan: Plan,
    x: Tensor,
    weight: Tensor,
    has_bias: bool,
    need_dx: bool,
}

impl Op for Conv2dOp {
    fn name(&self) -> &str {
        "conv2d"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let p = &self.plan;
        let (dx, dw, db) = backward_kernel(
            p,
            &self.x.contiguous_data(),
            &self.weight.contiguous_data(),
            &grad.contiguous_data(),
            self.need_dx,
        );
        let dx = if self.need_dx {
            Some(Tensor::from_vec(dx, &[p.n, p.c, p.h, p.w])?)
        } else {
            None
        };
        let mut grads = vec![dx, Some(Tensor::from_vec(dw, self.weight.shape())?)];
        if self.has_bias {
            grads.push(Some(Tensor::from_vec(db, &[p.o])?));
        }
        Ok(grads)
    }
}

/// 2-d convolution (cross-correlation, as every framework) of `x` with `weight`, plus `bias`.
///
/// `y[n, o, i, j] = b[o] + Σ_{c in group(o), p, q} W[o, c, p, q] · x[n, c, i·s + p·d − pad, j·s + q·d − pad]`
///
/// PyTorch equivalent: `torch.nn.functional.conv2d(x, weight, bias, stride, padding, dilation, groups)`.
///
/// # Shapes
/// x `[N, C, H, W]`, weight `[O, C/groups, kh, kw]`, bias `[O]` → `[N, O, oh, ow]` with
/// `oh = (H + 2p − d(kh − 1) − 1)/s + 1`.
///
/// # Errors
/// [`Error::InvalidShape`] for a non-4-d or empty input or weight; [`Error::ShapeMismatch`] when
/// the channels do not match the weight (times groups) or the bias length differs from `O`;
/// [`Error::InvalidArgument`] for zero stride/dilation, groups not dividing `O`, or a kernel
/// larger than the padded input.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{Conv2dOptions, conv2d};
/// use fovea_tensor::Tensor;
/// let x = Var::constant(Tensor::ones(&[1, 1, 4, 4]));
/// let w = Var::parameter(Tensor::ones(&[2, 1, 3, 3]));
/// let y = conv2d(&x, &w, None, &Conv2dOptions::default().with_padding([1, 1]))?;
/// assert_eq!(y.shape(), vec![1, 2, 4, 4]);
/// assert_eq!(y.value().to_vec()[0], 4.0); // corner: 2x2 taps inside the image
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn conv2d(x: &Var, weight: &Var, bias: Option<&Var>, opts: &Conv2dOptions) -> Result<Var> {
    let (xv, wv) = (x.value(), weight.value());
    let bv = bias.map(Var::value);
    let plan = Plan::new(xv.shape(), wv.shape(), bv.as_ref().map(|b| b.shape()), opts)?;
    let out = forward_kernel(
        &plan,
        &xv.contiguous_data(),
        &wv.contiguous_data(),
        bv.as_ref().map(|b| b.contiguous_data()).as_deref(),
    );
    let out = Tensor::from_vec(out, &[plan.n, plan.o, plan.out[0], plan.out[1]])?;
    let op = Conv2dOp {
        plan,
        x: xv,
        weight: wv,
        has_bias: bias.is_some(),
        need_dx: x.requires_grad(),
    };
    Ok(match bias {
        Some(b) => Var::from_op(out, &[x, weight, b], op),
        None => Var::from_op(out, &[x, weight], op),
    })
}
