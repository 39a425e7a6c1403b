//! The fast kernels of max pooling (the dedicated 2x2/2 and 3x3/2 loops) and RoI pooling
//! (channels-last, vectorized, compact argmax) against naive references written straight from
//! PyTorch's and torchvision's CPU loops: bit-for-bit equal forward values and input gradients
//! on random data full of ties, NaN and infinities, at odd sizes and channel counts, and the
//! same bits whatever the number of threads.
//!
//! Bitwise equality is the right test here (not a tolerance): the references visit the taps in
//! the same order and add each input's gradients in the same order, so any difference is a bug.

use fovea_autograd::Var;
use fovea_layers::functional::{MaxPool2dOptions, RoiPoolOptions, max_pool2d, roi_pool};
use fovea_tensor::{Tensor, seeded_rng};
use rand::Rng;

/// Values drawn from a few levels (so most windows hold ties), with a sprinkling of NaN, +inf,
/// −inf and −f32::MAX (torchvision's initial maximum).
fn tied(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = seeded_rng(seed);
    (0..len)
        .map(|_| match rng.random_range(0..100) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            3 => -f32::MAX,
            _ => rng.random_range(-3..3) as f32 * 0.5,
        })
        .collect()
}

/// A random upstream gradient (with some exact zeros and negative zeros).
fn upstream(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = seeded_rng(seed);
    (0..len)
        .map(|_| match rng.random_range(0..20) {
            0 => 0.0,
            1 => -0.0,
            _ => rng.random_range(-1.0..1.0),
        })
        .collect()
}

/// Bitwise equality, NaN included.
fn assert_same_bits(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{what}: element {i}: {g} vs {w}");
    }
}

/// Forward values and input gradient of `f` for `x` and the upstream gradient `dy`.
fn run(x: &[f32], shape: &[usize], dy_seed: u64, f: impl Fn(&Var) -> Var) -> (Vec<f32>, Vec<f32>) {
    let x = Var::parameter(Tensor::from_vec(x.to_vec(), shape).unwrap());
    let y = f(&x);
    let dy = upstream(y.value().len(), dy_seed);
    let dy = Tensor::from_vec(dy, &y.shape()).unwrap();
    let g = y.backward_with(dy).unwrap();
    (y.value().to_vec(), g.get(&x).unwrap().to_vec())
}

// ---------------------------------------------------------------------------------------------
// Max pooling without padding or dilation.

/// PyTorch's CPU max pooling (no padding, no dilation, floor mode), then its backward: each
/// window starts from −inf with the argmax at its first tap, takes a tap when
/// `val > max || isnan(val)`, and the gradient is scattered in output order.
fn naive_max_pool(
    x: &[f32],
    [n, c, h, w]: [usize; 4],
    k: usize,
    s: usize,
    dy: &[f32],
) -> (Vec<f32>, Vec<f32>) {
    let (oh, ow) = ((h - k) / s + 1, (w - k) / s + 1);
    let mut y = Vec::new();
    let mut dx = vec![0.0f32; x.len()];
    for p in 0..n * c {
        let plane = &x[p * h * w..(p + 1) * h * w];
        for i in 0..oh {
            for j in 0..ow {
                let (mut best, mut at) = (f32::NEG_INFINITY, i * s * w + j * s);
                for r in i * s..i * s + k {
                    for q in j * s..j * s + k {
                        let v = plane[r * w + q];
                        if v > best || v.is_nan() {
                            (best, at) = (v, r * w + q);
                        }
                    }
                }
                y.push(best);
                dx[p * h * w + at] += dy[(p * oh + i) * ow + j];
            }
        }
    }
    (y, dx)
}

#[test]
fn max_pool_fast_paths_match_the_naive_loop_bitwise() {
    let shapes: [[usize; 4]; 6] = [
        [1, 1, 3, 3],
        [2, 3, 7, 9],
        [1, 2, 8, 10],
        [3, 2, 11, 6],
        [1, 5, 55, 55],
        [2, 1, 4, 17],
    ];
    for (seed, shape) in shapes.into_iter().enumerate() {
        for (k, s) in [(3, 2), (2, 2), (3, 1)] {
            let x = tied(shape.iter().product(), seed as u64);
            let opts = MaxPool2dOptions::new([k, k]).with_stride([s, s]);
            let (y, dx) = run(&x, &shape, 7, |v| max_pool2d(v, &opts).unwrap());
            let (y_ref, dx_ref) = naive_max_pool(&x, shape, k, s, &upstream(y.len(), 7));
            let what = format!("{k}x{k}/{s} on {shape:?}");
            assert_same_bits(&format!("{what} forward"), &y, &y_ref);
            assert_same_bits(&format!("{what} backward"), &dx, &dx_ref);
        }
    }
}

/// A ceil-mode window clipped at the edge is not the plain fast path; one that is not clipped
/// is. Both agree with the floor-mode result on the windows they share.
#[test]
fn max_pool_3x3s2_ceil_mode_edges() {
    for (shape, ow) in [([1, 2, 7, 7], 3), ([1, 2, 8, 8], 4)] {
        let x = tied(shape.iter().product(), 3);
        let opts = MaxPool2dOptions::new([3, 3]).with_stride([2, 2]);
        let floor = run(&x, &shape, 1, |v| max_pool2d(v, &opts).unwrap()).0;
        let ceil = run(&x, &shape, 1, |v| {
            max_pool2d(v, &opts.with_ceil_mode(true)).unwrap()
        })
        .0;
        let fw = (shape[3] - 3) / 2 + 1;
        assert_eq!(ceil.len(), 2 * ow * ow);
        for p in 0..2 {
            for i in 0..fw {
                for j in 0..fw {
                    let (a, b) = (ceil[(p * ow + i) * ow + j], floor[(p * fw + i) * fw + j]);
                    assert_eq!(a.to_bits(), b.to_bits(), "{shape:?} plane {p} ({i}, {j})");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// RoI pooling.

/// torchvision's CPU `roi_pool` forward and backward, loop for loop: bins from the rounded box
/// (f32 arithmetic), maximum by strict `>` from −FLT_MAX (argmax −1 if none), 0 for an empty
/// bin, and the gradient scattered in (RoI, channel, bin) order.
fn naive_roi_pool(
    x: &[f32],
    [_, c, h, w]: [usize; 4],
    boxes: &[[f32; 5]],
    [ph, pw]: [usize; 2],
    scale: f32,
    dy: &[f32],
) -> (Vec<f32>, Vec<f32>) {
    let mut y = Vec::new();
    let mut dx = vec![0.0f32; x.len()];
    for (k, b) in boxes.iter().enumerate() {
        let batch = b[0] as usize;
        let round = |v: f32| (v * scale).round() as i64;
        let (sw, sh, ew, eh) = (round(b[1]), round(b[2]), round(b[3]), round(b[4]));
        let bin_h = (eh - sh + 1).max(1) as f32 / ph as f32;
        let bin_w = (ew - sw + 1).max(1) as f32 / pw as f32;
        for ch in 0..c {
            let plane = (batch * c + ch) * h * w;
            for i in 0..ph {
                for j in 0..pw {
                    let clip = |v: i64, len: usize| (v.clamp(0, len as i64)) as usize;
                    let h0 = clip((i as f32 * bin_h).floor() as i64 + sh, h);
                    let h1 = clip(((i + 1) as f32 * bin_h).ceil() as i64 + sh, h);
                    let w0 = clip((j as f32 * bin_w).floor() as i64 + sw, w);
                    let w1 = clip(((j + 1) as f32 * bin_w).ceil() as i64 + sw, w);
                    let empty = h1 <= h0 || w1 <= w0;
                    let (mut best, mut at) = (if empty { 0.0 } else { -f32::MAX }, None);
                    for r in h0..h1 {
                        for q in w0..w1 {
                            if x[plane + r * w + q] > best {
                                (best, at) = (x[plane + r * w + q], Some(r * w + q));
                            }
                        }
                    }
                    y.push(best);
                    let o = ((k * c + ch) * ph + i) * pw + j;
                    if let Some(a) = at {
                        dx[plane + a] += dy[o];
                    }
                }
            }
        }
    }
    (y, dx)
}

/// Boxes on two images: tiny, degenerate, reversed, partly and wholly outside the map,
/// overlapping, and (when `large`) one whose bins exceed 15 cells, which switches the whole call
/// to plane-index argmaxes.
fn mixed_boxes(large: bool, seed: u64) -> Vec<[f32; 5]> {
    let mut rng = seeded_rng(seed);
    let mut boxes = vec![
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [1.0, 10.0, 12.0, 3.0, 2.0],
        [0.0, -40.0, -40.0, -20.0, -20.0],
        [1.0, 100.0, 100.0, 200.0, 200.0],
        [0.0, 25.0, -10.0, 60.0, 30.0],
        [0.0, 25.0, -10.0, 60.0, 30.0],
    ];
    for _ in 0..20 {
        let (x1, y1) = (rng.random_range(-8.0..70.0), rng.random_range(-8.0..50.0));
        let (bw, bh) = (rng.random_range(0.0..40.0), rng.random_range(0.0..30.0));
        let batch = rng.random_range(0..2) as f32;
        boxes.push([batch, x1, y1, x1 + bw, y1 + bh]);
    }
    if large {
        boxes.push([1.0, -200.0, -200.0, 300.0, 300.0]);
    }
    boxes
}

fn check_roi_pool(channels: usize, output: [usize; 2], large: bool, seed: u64) {
    // Scale 1/2: a 76 x 56 image onto a 38 x 28 map.
    let dims = [2, channels, 28, 38];
    let scale = 0.5;
    let x = tied(dims.iter().product(), seed);
    let rows = mixed_boxes(large, seed);
    let boxes = Tensor::from_vec(rows.concat(), &[rows.len(), 5]).unwrap();
    let opts = RoiPoolOptions::new(output, scale);
    let (y, dx) = run(&x, &dims, seed + 1, |v| roi_pool(v, &boxes, &opts).unwrap());
    let dy = upstream(y.len(), seed + 1);
    let (y_ref, dx_ref) = naive_roi_pool(&x, dims, &rows, output, scale, &dy);
    let what = format!("{channels} channels, output {output:?}, large {large}");
    assert_same_bits(&format!("{what}: forward"), &y, &y_ref);
    assert_same_bits(&format!("{what}: backward"), &dx, &dx_ref);
}

#[test]
fn roi_pool_matches_the_naive_loop_bitwise() {
    // Channel counts around the vector blocks (16, 32 and 64 lanes) and their remainders.
    for (seed, channels) in [1, 3, 16, 17, 64, 70, 130].into_iter().enumerate() {
        for output in [[7, 7], [2, 3], [1, 1]] {
            for large in [false, true] {
                check_roi_pool(channels, output, large, seed as u64);
            }
        }
    }
}

/// Same bits with 1, 2 and 3 threads: the backward pass owns each feature plane in one task
/// and adds into it in a fixed order.
#[test]
fn roi_pool_and_max_pool_do_not_depend_on_the_thread_count() {
    let results = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let dims = [2, 40, 28, 38];
            let x = tied(dims.iter().product(), 5);
            let rows = mixed_boxes(true, 5);
            let boxes = Tensor::from_vec(rows.concat(), &[rows.len(), 5]).unwrap();
            let opts = RoiPoolOptions::new([7, 7], 0.5);
            let roi = run(&x, &dims, 6, |v| roi_pool(v, &boxes, &opts).unwrap());
            let opts = MaxPool2dOptions::new([3, 3]).with_stride([2, 2]);
            let max = run(&x, &dims, 6, |v| max_pool2d(v, &opts).unwrap());
            [roi.0, roi.1, max.0, max.1]
        })
    };
    let one = results(1);
    for threads in [2, 3] {
        for (got, want) in results(threads).iter().zip(&one) {
            assert_same_bits(&format!("{threads} threads"), got, want);
        }
    }
}
