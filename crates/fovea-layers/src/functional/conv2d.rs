//! 2-d convolution: im2col + GEMM per image (the GEMM reads the column matrix in place, from
//! L2), in parallel over the batch, forward and backward side by side.
//!
//! Shapes: input `[N, C, H, W]`, weight `[O, C/groups, kh, kw]`, bias `[O]`, output
//! `[N, O, oh, ow]`. For image n and group g, with `cols = im2col(x_n)` (`[C·kh·kw, oh·ow]`):
//!
//! - forward: `y_n,g = W_g · cols_g + b_g`
//! - backward: `dW_g += dy_n,g · cols_gᵀ` (dot products of rows, [`gemm_nt`]), `db += Σ_positions dy_n`, `dx_n = col2im(W_gᵀ · dy_n,g)`,
//!   computed for stride 1 as the convolution of `dy` with the flipped kernel (no col2im)
//!
//! The batch is split into one fixed block of images per thread; each block sums its weight
//! gradient in image order and the blocks are added in block order, so results are the same on
//! every run with the same thread count.

use std::mem::MaybeUninit;

mod taps;
mod weight_grad;

use super::scratch::Scratch;
use fovea_autograd::{Op, Var};
use fovea_tensor::{
    ConvGeometry, Error, PackedA, Result, RowMajorB, Tensor, col2im_image, gemm_packed,
    im2col_rows, im2col_stride, zeros_vec,
};
use ndarray::ArrayView2;
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

/// Values of an im2col matrix that one GEMM reads in place: 2 MiB, this machine's L2 per core.
const COLS_BUDGET: usize = 1 << 19;

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
        if let Some(b) = bias
            && b != [o]
        {
            return Err(Error::shape_mismatch(
                "conv2d",
                "bias needs one value per output channel",
                weight,
                b,
            ));
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

    /// Images per GEMM: small maps are put side by side until the GEMM's long axis (positions)
    /// reaches 256, so that per-call costs (reductions, partial tiles) are spread over enough
    /// work, as long as the `rows × positions` im2col matrix stays within [`COLS_BUDGET`] values.
    fn chunk(&self, rows: usize, positions: usize) -> usize {
        let fits = COLS_BUDGET / (rows * positions).max(1);
        256usize
            .div_ceil(positions)
            .min(fits)
            .clamp(1, self.block())
    }

    /// The im2col matrices of group `g` of each image in `images`, side by side: image t's
    /// positions are columns `t·oh·ow ..` of rows `stride` apart.
    fn im2col_side_by_side(&self, images: &[f32], g: usize, cols: &mut [f32], stride: usize) {
        let (l, plane) = (self.positions(), self.h * self.w);
        let cg = self.c / self.groups;
        for (t, image) in images.chunks_exact(self.c * plane).enumerate() {
            let xg = &image[g * cg * plane..(g + 1) * cg * plane];
            let dst = &mut cols[t * l..];
            im2col_rows(
                xg,
                cg,
                [self.h, self.w],
                &self.geometry,
                self.out,
                dst,
                stride,
            );
        }
    }

    /// Images per parallel block: one block per thread.
    fn block(&self) -> usize {
        self.n.div_ceil(rayon::current_num_threads()).max(1)
    }
}

/// Weights of each group packed as the left operand of a GEMM; `transpose` packs `W_gᵀ`.
fn pack_groups(plan: &Plan, weight: &[f32], transpose: bool) -> Vec<PackedA> {
    let (rows, og) = (plan.group_rows(), plan.o / plan.groups);
    weight
        .chunks_exact(og * rows)
        .map(|wg| {
            let wg = ArrayView2::from_shape((og, rows), wg).expect("internal");
            PackedA::new(if transpose { wg.t() } else { wg })
        })
        .collect()
}

/// Forward kernel: returns the output `[N, O, oh, ow]` as a flat vector.
///
/// Each block of output starts as the bias (or zeros), written while the block is about to be
/// used, and the GEMM adds to it: one pass over the output instead of three (zero-fill, GEMM,
/// bias), which matters because a layer's output is larger than L2.
fn forward_kernel(plan: &Plan, x: &[f32], weight: &[f32], bias: Option<&[f32]>) -> Vec<f32> {
    if taps::applies(plan) {
        return taps::forward(plan, x, weight, bias);
    }
    let (rows, l) = (plan.group_rows(), plan.positions());
    let og = plan.o / plan.groups;
    let image = plan.c * plan.h * plan.w;
    let nb = plan.chunk(rows, l);
    let stride = im2col_stride(nb * l);
    let packed = pack_groups(plan, weight, false);
    let total = plan.n * plan.o * l;
    let mut out: Vec<f32> = Vec::with_capacity(total);
    out.spare_capacity_mut()[..total]
        .par_chunks_mut(nb * plan.o * l)
        .zip(x.par_chunks(nb * image))
        .for_each(|(y, x)| {
            let y = fill_rows(y, |row| bias.map_or(0.0, |b| b[row % plan.o]), l);
            let mut scratch = Scratch::take();
            let wide_len = if nb > 1 { og * nb * l } else { 0 };
            let ([cols, wide, _], buf) = scratch.split([rows * stride, wide_len, 0]);
            let count = x.len() / image;
            for (g, wg) in packed.iter().enumerate() {
                plan.im2col_side_by_side(x, g, cols, stride);
                let cols =
                    RowMajorB::new(cols, rows, count * l, stride).expect("internal: sized above");
                if count == 1 {
                    // One image: straight into the output.
                    let yg = &mut y[g * og * l..(g + 1) * og * l];
                    gemm_packed(1.0, wg, &cols, 1.0, yg, l, buf);
                } else {
                    // Images side by side, then dealt back to their places.
                    let wide = &mut wide[..og * count * l];
                    for (k, row) in wide.chunks_exact_mut(count * l).enumerate() {
                        row.fill(bias.map_or(0.0, |b| b[g * og + k]));
                    }
                    gemm_packed(1.0, wg, &cols, 1.0, wide, count * l, buf);
                    for (t, yt) in y.chunks_exact_mut(plan.o * l).enumerate() {
                        for k in 0..og {
                            let src = &wide[k * count * l + t * l..][..l];
                            yt[(g * og + k) * l..][..l].copy_from_slice(src);
                        }
                    }
                }
            }
        });
    // SAFETY: `fill_rows` wrote every element of every block, and the blocks cover `total`.
    unsafe { out.set_len(total) };
    out
}

/// Writes `value(r)` into every element of row `r` (rows of `len` values) and returns the
/// block, now initialised.
fn fill_rows(
    block: &mut [MaybeUninit<f32>],
    value: impl Fn(usize) -> f32,
    len: usize,
) -> &mut [f32] {
    for (r, row) in block.chunks_mut(len).enumerate() {
        let v = value(r);
        row.iter_mut().for_each(|x| {
            x.write(v);
        });
    }
    // SAFETY: every element was written just above, and MaybeUninit<f32> has f32's layout.
    unsafe { &mut *(block as *mut [MaybeUninit<f32>] as *mut [f32]) }
}

/// The input gradient as a convolution of the output gradient, when the geometry allows it:
/// with stride 1, `dx = conv(dy, W')` where `W'[c, o, p, q] = W[o, c, kh−1−p, kw−1−q]`, padding
/// `d·(k−1) − pad` and the same dilation. That replaces the GEMM into a `[C·kh·kw, oh·ow]`
/// buffer and the scatter of col2im by one GEMM with im2col packed on the fly.
///
/// Only worth it when the output is about as large as the input ("same" padding): for a
/// "valid" convolution the padded `dy` makes that GEMM `H·W / (oh·ow)` times larger than
/// `Wᵀ·dy` (2.25 times for LeNet's second layer), most of it multiplications by zero.
///
/// And only with at least 8 input channels per group: the input channels are the rows of that
/// GEMM, and the kernel computes 8 rows at a time (an RGB input would waste 5 of every 8).
///
/// And only with at most twice as many output channels as input channels per group: the
/// im2col of `dy` has `O·kh·kw` rows where col2im scatters `C·kh·kw`. W4's 48 → 128 layer
/// (5×5) runs fwd+bwd in 38.0 ms with col2im, 40.3 ms this way; W3's 32 → 64 layer 16.4 ms
/// with col2im, 14.8 ms this way (1 thread).
fn transposed_geometry(plan: &Plan) -> Option<ConvGeometry> {
    let g = &plan.geometry;
    let same_size = 4 * plan.h * plan.w <= 5 * plan.positions();
    let cg = plan.c / plan.groups;
    let narrow = plan.o / plan.groups <= 2 * cg;
    if g.stride != [1, 1] || !same_size || cg < fovea_tensor::MR || !narrow {
        return None;
    }
    let pad = |d: usize| (g.dilation[d] * (g.kernel[d] - 1)).checked_sub(g.padding[d]);
    let padding = [pad(0)?, pad(1)?];
    Some(ConvGeometry {
        kernel: g.kernel,
        stride: [1, 1],
        padding,
        dilation: g.dilation,
    })
}

/// `W'_g` of [`transposed_geometry`] for every group, packed: `[C/groups, O/groups·kh·kw]`.
fn pack_flipped(plan: &Plan, weight: &[f32]) -> Vec<PackedA> {
    let (og, cg) = (plan.o / plan.groups, plan.c / plan.groups);
    let [kh, kw] = plan.geometry.kernel;
    weight
        .chunks_exact(og * cg * kh * kw)
        .map(|wg| {
            let flipped = flip(plan, wg);
            let flipped = ArrayView2::from_shape((cg, og * kh * kw), &flipped).expect("internal");
            PackedA::new(flipped)
        })
        .collect()
}

/// `W'_g` of [`transposed_geometry`] for one group's weights, `[C/groups, O/groups, kh, kw]`:
/// row c holds, for each o, the kernel of (o, c) reversed. Loops rather than an index formula
/// per value: with a division per value this took 1.3 ms for W4's 128 → 192 layer.
fn flip(plan: &Plan, wg: &[f32]) -> Vec<f32> {
    let (og, cg) = (plan.o / plan.groups, plan.c / plan.groups);
    let taps = plan.geometry.kernel[0] * plan.geometry.kernel[1];
    let mut flipped = vec![0.0f32; cg * og * taps];
    for (o, wo) in wg.chunks_exact(cg * taps).enumerate() {
        for (c, kernel) in wo.chunks_exact(taps).enumerate() {
            let dst = &mut flipped[(c * og + o) * taps..][..taps];
            for (d, &v) in dst.iter_mut().zip(kernel.iter().rev()) {
                *d = v;
            }
        }
    }
    flipped
}

/// The plan of `dx = conv(dy, W')` ([`transposed_geometry`]): dy's channels in, x's out.
fn transposed_plan(plan: &Plan, geometry: ConvGeometry) -> Plan {
    Plan {
        n: plan.n,
        c: plan.o,
        h: plan.out[0],
        w: plan.out[1],
        o: plan.c,
        groups: plan.groups,
        geometry,
        out: [plan.h, plan.w],
    }
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
    let (og, cg) = (plan.o / plan.groups, plan.c / plan.groups);
    let plane = plan.h * plan.w;
    let image = plan.c * plane;
    let block = plan.block();
    // The input gradient either as a convolution of dy (stride 1) or as Wᵀ·dy + col2im.
    let flipped = transposed_geometry(plan);
    // dx = conv(dy, W') through the padded dy's taps, outside the blocks below, when that
    // convolution suits it (see taps::applies).
    let dx_taps = match flipped {
        Some(g) if need_dx => {
            let dx_plan = transposed_plan(plan, g);
            taps::applies(&dx_plan).then(|| taps::forward(&dx_plan, dy, &flip(plan, weight), None))
        }
        _ => None,
    };
    let need_dx = need_dx && dx_taps.is_none();
    let packed_dx = match (need_dx, flipped) {
        (false, _) => Vec::new(),
        (true, Some(_)) => pack_flipped(plan, weight),
        (true, None) => pack_groups(plan, weight, true),
    };
    let mut dx = zeros_vec(if need_dx { plan.n * image } else { 0 });
    let dx_blocks: Vec<&mut [f32]> = if need_dx {
        dx.chunks_mut(block * image).collect()
    } else {
        Vec::new()
    };
    let mut dx_iter = dx_blocks.into_iter();
    let jobs: Vec<(usize, Option<&mut [f32]>)> = (0..plan.n.div_ceil(block))
        .map(|b| (b, dx_iter.next()))
        .collect();
    // Images per GEMM for the weight gradient and for the input gradient.
    let [kh, kw] = plan.geometry.kernel;
    let (nb_w, nb_x) = (plan.chunk(rows, l), plan.chunk(og * kh * kw, plane));
    let stride_x = im2col_stride(nb_x * plane);
    // Each block returns its own weight and bias gradient; summed in block order below.
    let partials: Vec<(Vec<f32>, Vec<f32>)> = jobs
        .into_par_iter()
        .map(|(b, dx_block)| {
            let images = b * block..((b + 1) * block).min(plan.n);
            let mut dw = vec![0.0; plan.o * rows];
            let mut db = vec![0.0; plan.o];
            for (k, row) in dy[images.start * plan.o * l..images.end * plan.o * l]
                .chunks_exact(l)
                .enumerate()
            {
                db[k % plan.o] += sum(row);
            }
            let mut scratch = Scratch::take();
            if weight_grad::use_rows(plan) {
                weight_grad::rows(plan, x, dy, images.clone(), nb_w, &mut dw, &mut scratch);
            } else {
                weight_grad::dots(plan, x, dy, images.clone(), nb_w, &mut dw, &mut scratch);
            }
            let Some(dx_block) = dx_block else {
                return (dw, db);
            };
            let local = |i: usize| (i - images.start) * image;
            match flipped {
                Some(geometry) => {
                    // dx = conv(dy, W'), several images side by side.
                    let taps = og * kh * kw;
                    let wide_len = if nb_x > 1 { cg * nb_x * plane } else { 0 };
                    let ([dy_cols, dx_wide, _], buf) =
                        scratch.split([taps * stride_x, wide_len, 0]);
                    for first in images.clone().step_by(nb_x) {
                        let count = nb_x.min(images.end - first);
                        for g in 0..plan.groups {
                            for t in 0..count {
                                let dyg = &dy[((first + t) * plan.o + g * og) * l..][..og * l];
                                let dst = &mut dy_cols[t * plane..];
                                im2col_rows(
                                    dyg,
                                    og,
                                    plan.out,
                                    &geometry,
                                    [plan.h, plan.w],
                                    dst,
                                    stride_x,
                                );
                            }
                            let b = RowMajorB::new(dy_cols, taps, count * plane, stride_x)
                                .expect("internal: sized above");
                            if count == 1 {
                                let dxg =
                                    &mut dx_block[local(first) + g * cg * plane..][..cg * plane];
                                gemm_packed(1.0, &packed_dx[g], &b, 0.0, dxg, plane, buf);
                            } else {
                                let wide = count * plane;
                                let dxw = &mut dx_wide[..cg * wide];
                                gemm_packed(1.0, &packed_dx[g], &b, 0.0, dxw, wide, buf);
                                for t in 0..count {
                                    let dxt = &mut dx_block[local(first + t) + g * cg * plane..];
                                    for (k, dst) in
                                        dxt[..cg * plane].chunks_exact_mut(plane).enumerate()
                                    {
                                        dst.copy_from_slice(&dxw[k * wide + t * plane..][..plane]);
                                    }
                                }
                            }
                        }
                    }
                }
                None => {
                    // dx = col2im(Wᵀ·dy), image by image.
                    let ([dcols, _, _], buf) = scratch.split([rows * l, 0, 0]);
                    for i in images.clone() {
                        for g in 0..plan.groups {
                            let dyg = &dy[(i * plan.o + g * og) * l..][..og * l];
                            let dyg = ArrayView2::from_shape((og, l), dyg).expect("internal");
                            gemm_packed(1.0, &packed_dx[g], &dyg, 0.0, dcols, l, buf);
                            let dxg = &mut dx_block[local(i) + g * cg * plane..][..cg * plane];
                            let geometry = &plan.geometry;
                            col2im_image(dcols, cg, [plan.h, plan.w], geometry, plan.out, dxg);
                        }
                    }
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
    (dx_taps.unwrap_or(dx), dw, db)
}

/// The sum of `values` in 16 interleaved partial sums: a single running f32 sum is one add per
/// 4-cycle latency (`Iterator::sum` may not reorder), 16 chains keep the vector units busy.
fn sum(values: &[f32]) -> f32 {
    let mut acc = [0.0f32; 16];
    let chunks = values.chunks_exact(16);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a += v;
        }
    }
    acc.iter().sum::<f32>() + tail
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
