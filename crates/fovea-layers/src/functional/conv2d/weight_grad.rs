//! The weight gradient of a convolution, `dW_g = Σ_images dy_g · colsᵀ`, for one block of
//! images (one thread's share; the caller sums the blocks in order).
//!
//! Two ways, chosen by the channels per group:
//! - [`rows`]: the receptive fields as rows (im2row, from a channels-last copy of each image),
//!   so `colsᵀ` is row-major and the product runs on the ordinary GEMM kernel. im2row copies
//!   runs of channels (a whole kernel row of them with one group and no dilation), so this
//!   needs runs of at least [`MIN_RUN`] values ([`use_rows`]).
//! - [`dots`]: im2col as in the forward pass and the dot-product kernel [`gemm_nt`], for
//!   shorter runs (LeNet's 5×5 kernel on one channel: runs of 5).
//!
//! On the shapes of W3 and W4 the ordinary kernel runs 1.3–1.6× faster than the dot products
//! (`dy` 32–192 rows, 288–1200 columns, 256–1024 positions per image).

use std::ops::Range;

use fovea_tensor::{
    PackedA, RowMajorB, channels_last, gemm_nt, gemm_packed, im2col_stride, im2row,
};
use ndarray::ArrayView2;

use super::Plan;
use crate::functional::scratch::Scratch;

/// Shortest im2row run for [`rows`]: below, copying runs costs more than the kernel saves
/// (W3's RGB 3×3 layer, runs of 9, took 5.9 ms fwd+bwd with dots, 7.2 ms with rows).
const MIN_RUN: usize = 16;

/// Whether [`rows`] suits this convolution: im2row copies `kw·C` values at a time with one group
/// and no horizontal dilation (W4's 11×11 RGB layer: 33, 10% faster than dots), `C/groups` otherwise.
pub(super) fn use_rows(plan: &Plan) -> bool {
    let run = if plan.groups == 1 && plan.geometry.dilation[1] == 1 {
        plan.geometry.kernel[1] * plan.c
    } else {
        plan.c / plan.groups
    };
    run >= MIN_RUN
}

/// `dw += dW` of images `images`, `nb` images per GEMM, through im2row and the GEMM kernel.
pub(super) fn rows(
    plan: &Plan,
    x: &[f32],
    dy: &[f32],
    images: Range<usize>,
    nb: usize,
    dw: &mut [f32],
    scratch: &mut Scratch,
) {
    let (rows, l) = (plan.group_rows(), plan.positions());
    let (og, cg) = (plan.o / plan.groups, plan.c / plan.groups);
    let [kh, kw] = plan.geometry.kernel;
    let (plane, image) = (plan.h * plan.w, plan.c * plan.h * plan.w);
    let stride = im2col_stride(rows);
    let wide_len = if nb > 1 { og * nb * l } else { 0 };
    let ([hwc, fields, dy_wide], buf) = scratch.split([nb * image, nb * l * stride, wide_len]);
    // The gradient in (i, j, c) order, as the rows hold it; permuted into dw at the end.
    let mut grad = vec![0.0f32; plan.o * rows];
    let mut packed: Option<PackedA> = None;
    for first in images.clone().step_by(nb) {
        let count = nb.min(images.end - first);
        for t in 0..count {
            let src = &x[(first + t) * image..][..image];
            channels_last(src, plan.c, plane, &mut hwc[t * image..][..image]);
        }
        for g in 0..plan.groups {
            for t in 0..count {
                im2row(
                    &hwc[t * image..][..image],
                    plan.c,
                    g * cg..(g + 1) * cg,
                    [plan.h, plan.w],
                    &plan.geometry,
                    plan.out,
                    &mut fields[t * l * stride..],
                    stride,
                );
            }
            // A = dy of this group, the images side by side along the positions.
            let dyg = dy_side_by_side(plan, dy, first..first + count, g, dy_wide);
            let a = ArrayView2::from_shape((og, count * l), dyg).expect("internal: og·wide values");
            match packed.as_mut() {
                Some(p) => p.repack(a),
                None => packed = Some(PackedA::new(a)),
            }
            let b = RowMajorB::new(fields, count * l, rows, stride).expect("internal: sized above");
            let gg = &mut grad[g * og * rows..(g + 1) * og * rows];
            let a = packed.as_ref().expect("internal: packed above");
            gemm_packed(1.0, a, &b, 1.0, gg, rows, buf);
        }
    }
    // (i, j, c) → (c, i, j) within each output channel's row.
    let taps = kh * kw;
    for (dst, src) in dw.chunks_exact_mut(rows).zip(grad.chunks_exact(rows)) {
        for (t, run) in src.chunks_exact(cg).enumerate() {
            for (c, &v) in run.iter().enumerate() {
                dst[c * taps + t] += v;
            }
        }
    }
}

/// `dw += dW` of images `images`, `nb` images per GEMM, through im2col and [`gemm_nt`].
pub(super) fn dots(
    plan: &Plan,
    x: &[f32],
    dy: &[f32],
    images: Range<usize>,
    nb: usize,
    dw: &mut [f32],
    scratch: &mut Scratch,
) {
    let (rows, l) = (plan.group_rows(), plan.positions());
    let og = plan.o / plan.groups;
    let image = plan.c * plan.h * plan.w;
    let stride = im2col_stride(nb * l);
    let wide_len = if nb > 1 { og * nb * l } else { 0 };
    let ([cols, dy_wide, _], _) = scratch.split([rows * stride, wide_len, 0]);
    for first in images.clone().step_by(nb) {
        let count = nb.min(images.end - first);
        for g in 0..plan.groups {
            let xs = &x[first * image..(first + count) * image];
            plan.im2col_side_by_side(xs, g, cols, stride);
            let dwg = &mut dw[g * og * rows..(g + 1) * og * rows];
            let dyg = dy_side_by_side(plan, dy, first..first + count, g, dy_wide);
            let wide = count * l;
            gemm_nt(
                1.0,
                dyg,
                wide,
                cols,
                stride,
                [og, rows, wide],
                1.0,
                dwg,
                rows,
            );
        }
    }
}

/// Group `g`'s output gradient of `images` as one `[O/groups, images·oh·ow]` matrix: the slice of
/// dy itself for one image, else the images copied side by side into `wide`.
fn dy_side_by_side<'a>(
    plan: &Plan,
    dy: &'a [f32],
    images: Range<usize>,
    g: usize,
    wide: &'a mut [f32],
) -> &'a [f32] {
    let (og, l) = (plan.o / plan.groups, plan.positions());
    let at = |t: usize| &dy[(t * plan.o + g * og) * l..][..og * l];
    if images.len() == 1 {
        return at(images.start);
    }
    let width = images.len() * l;
    for (i, t) in images.enumerate() {
        for (k, src) in at(t).chunks_exact(l).enumerate() {
            wide[k * width + i * l..][..l].copy_from_slice(src);
        }
    }
    &wide[..og * width]
}
