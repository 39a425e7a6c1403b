//! The forward pass of a stride-1 convolution without im2col: each image is padded once and
//! the GEMM reads it through the kernel taps ([`fovea_tensor::gemm_taps`]).
//!
//! The output is computed on the padded width (`Wp` columns per output row, the last `Wp − ow`
//! of them junk) and the valid columns are copied out with the bias added. Worth it when the
//! junk is small: [`applies`] asks for at most an eighth of the columns.

use std::mem::MaybeUninit;

use fovea_tensor::{PackedA, TapB, gemm_taps};
use ndarray::ArrayView2;
use rayon::prelude::*;

use super::Plan;
use crate::functional::scratch::Scratch;

/// Stride 1, one group, and at most one junk column in eight (W3's 32- and 16-wide 3×3 layers:
/// 2 of 34 and 2 of 18; W4's 13-wide 5×5 layer would waste 4 of 17 and keeps im2col).
pub(super) fn applies(plan: &Plan) -> bool {
    let wp = plan.w + 2 * plan.geometry.padding[1];
    plan.geometry.stride == [1, 1] && plan.groups == 1 && 8 * plan.out[1] >= 7 * wp
}

/// The output `[N, O, oh, ow]` as a flat vector (see the module docs).
pub(super) fn forward(plan: &Plan, x: &[f32], weight: &[f32], bias: Option<&[f32]>) -> Vec<f32> {
    let [kh, kw] = plan.geometry.kernel;
    let [ph, pw] = plan.geometry.padding;
    let [dh, dw] = plan.geometry.dilation;
    let (hp, wp) = (plan.h + 2 * ph, plan.w + 2 * pw);
    let [oh, ow] = plan.out;
    let (c, o) = (plan.c, plan.o);
    let cols = oh * wp;
    // Weights as [O, kh, kw, C]: the taps in the order of the segments.
    let taps = kh * kw;
    let mut permuted = vec![0.0f32; o * taps * c];
    for (dst, src) in permuted
        .chunks_exact_mut(taps * c)
        .zip(weight.chunks_exact(c * taps))
    {
        for (ch, kernel) in src.chunks_exact(taps).enumerate() {
            for (t, &v) in kernel.iter().enumerate() {
                dst[t * c + ch] = v;
            }
        }
    }
    let packed = PackedA::for_taps(
        ArrayView2::from_shape((o, taps * c), &permuted).expect("internal: o·taps·c values"),
        c,
    );
    let offsets: Vec<usize> = (0..kh)
        .flat_map(|i| (0..kw).map(move |j| i * dh * wp + j * dw))
        .collect();
    let image = c * plan.h * plan.w;
    let plane = hp * wp;
    // Slack past the last plane: the junk columns of the last rows read up to one padded row
    // and a 16-value vector beyond it.
    let padded_len = c * plane + offsets.last().copied().unwrap_or(0) + 64;
    let total = plan.n * o * oh * ow;
    let mut out: Vec<f32> = Vec::with_capacity(total);
    out.spare_capacity_mut()[..total]
        .par_chunks_mut((o * oh * ow).max(1))
        .zip(x.par_chunks(image.max(1)))
        .for_each(|(y, x)| {
            let mut scratch = Scratch::take();
            let ([padded, wide, _], _) = scratch.split([padded_len, o * cols, 0]);
            padded.fill(0.0);
            for (ch, src) in x.chunks_exact(plan.h * plan.w).enumerate() {
                for (r, row) in src.chunks_exact(plan.w).enumerate() {
                    let at = ch * plane + (r + ph) * wp + pw;
                    padded[at..at + plan.w].copy_from_slice(row);
                }
            }
            let b = TapB::new(padded, &offsets, c, plane, cols).expect("internal: slack above");
            gemm_taps(1.0, &packed, &b, 0.0, wide, cols);
            write_valid(y, wide, bias, [o, oh, ow], wp);
        });
    // SAFETY: write_valid initialised every value of every image's block.
    unsafe { out.set_len(total) };
    out
}

/// Copies the valid `ow` columns of each output row (rows `wp` apart in `wide`) into `y`, with
/// the bias of each output channel added.
fn write_valid(
    y: &mut [MaybeUninit<f32>],
    wide: &[f32],
    bias: Option<&[f32]>,
    [o, oh, ow]: [usize; 3],
    wp: usize,
) {
    for k in 0..o {
        let b = bias.map_or(0.0, |b| b[k]);
        for r in 0..oh {
            let src = &wide[(k * oh + r) * wp..][..ow];
            let dst = &mut y[(k * oh + r) * ow..][..ow];
            for (d, &v) in dst.iter_mut().zip(src) {
                d.write(v + b);
            }
        }
    }
}
