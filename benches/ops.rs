//! fovea's side of the speed comparison with PyTorch (`benches/torch/ops.py` is the twin;
//! `benches/compare.sh` runs both alternately and prints the table).
//!
//! Run: `cargo bench --bench ops -- [--threads N] [--quick] [NAME_FILTER...]`
//!
//! Prints one line per workload: `name<TAB>threads<TAB>median_ms<TAB>min_ms`. Each workload
//! runs 2 warm-up iterations, then until 30 iterations or 3 seconds have passed (at least 5).
//!
//! `--peak` instead prints `fma_peak<TAB>1<TAB>GFLOP/s`: one core's multiply-add throughput
//! measured now, the denominator of the GEMM target (see [`fma_peak`]).

use std::time::{Duration, Instant};

use fovea::layers::functional::{
    Conv2dOptions, LrnConfig, MaxPool2dOptions, RoiPoolOptions, conv2d, local_response_norm,
    max_pool2d, roi_pool,
};
use fovea::optim::{Sgd, SgdConfig};
use fovea::prelude::*;
use ndarray::{Array2, Ix2};

/// The allocator a fovea program should pick, shared with the examples.
#[path = "../examples/common/alloc.rs"]
mod alloc;

type Step = Box<dyn FnMut()>;
/// Builds a workload (allocates its inputs) and returns its step.
type Setup = Box<dyn Fn() -> Step>;

fn randn(shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_normal(shape, 0.0, 1.0, &mut seeded_rng(seed)).expect("valid std")
}

/// Forward and backward of one op on a parameter input, with a random upstream gradient.
fn op_step(x: Tensor, f: impl Fn(&Var) -> Var + 'static) -> Step {
    let x = Var::parameter(x);
    let y = f(&x);
    let g = randn(&y.shape(), 99);
    Box::new(move || {
        let y = f(&x);
        std::hint::black_box(y.backward_with(g.clone()).expect("backward"));
    })
}

/// A convolution's forward and backward (input, weight and bias gradients).
fn conv_step(n: usize, c: usize, hw: usize, o: usize, k: usize, stride: usize, pad: usize) -> Step {
    let w = Var::parameter(randn(&[o, c, k, k], 1));
    let b = Var::parameter(randn(&[o], 2));
    let opts = Conv2dOptions::default()
        .with_stride([stride, stride])
        .with_padding([pad, pad]);
    op_step(randn(&[n, c, hw, hw], 0), move |x| {
        conv2d(x, &w, Some(&b), &opts).expect("conv")
    })
}

/// One SGD training step (forward, cross-entropy, backward, momentum update) of a network.
fn train_step(net: Sequential, input: &[usize], classes: usize) -> Step {
    let mut opt = Sgd::new(net.parameters(), SgdConfig::new(0.01).with_momentum(0.9)).expect("sgd");
    let x =
        Var::constant(Tensor::rand_uniform(input, 0.0, 1.0, &mut seeded_rng(0)).expect("bounds"));
    let labels: Vec<usize> = (0..input[0]).map(|i| i % classes).collect();
    Box::new(move || {
        let loss = cross_entropy(&net.forward(&x).expect("forward"), &labels).expect("loss");
        opt.step(&loss.backward().expect("backward")).expect("step");
    })
}

/// One core's peak in GFLOP/s, measured: the best of 5 runs of a loop of independent
/// multiply-adds on registers (24 chains, enough to keep both FMA ports busy), with the widest
/// vectors the CPU has. The clock of a cloud CPU moves with load and neighbours, so the GEMM
/// target compares against this figure taken in the same run, not a datasheet number.
fn fma_peak() -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: AVX-512F was detected.
            return (0..5)
                .map(|_| unsafe { fma_loop_avx512() })
                .fold(0.0, f64::max);
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: AVX2 and FMA were detected.
            return (0..5)
                .map(|_| unsafe { fma_loop_avx2() })
                .fold(0.0, f64::max);
        }
    }
    0.0
}

/// Iterations of the FMA loops: 24 chains × 2²³ ≈ 0.2 G multiply-adds, about 0.1 s.
#[cfg(target_arch = "x86_64")]
const FMA_ITERS: usize = 1 << 23;

/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn fma_loop_avx512() -> f64 {
    use std::arch::x86_64::*;
    let (x, y) = (_mm512_set1_ps(0.999_999), _mm512_set1_ps(1e-7));
    let mut acc = [_mm512_set1_ps(1.0); 24];
    let t = Instant::now();
    for _ in 0..FMA_ITERS {
        for a in acc.iter_mut() {
            *a = _mm512_fmadd_ps(*a, x, y);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    std::hint::black_box(acc);
    (FMA_ITERS * 24 * 16 * 2) as f64 / secs / 1e9
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_loop_avx2() -> f64 {
    use std::arch::x86_64::*;
    let (x, y) = (_mm256_set1_ps(0.999_999), _mm256_set1_ps(1e-7));
    let mut acc = [_mm256_set1_ps(1.0); 12];
    let t = Instant::now();
    for _ in 0..FMA_ITERS {
        for a in acc.iter_mut() {
            *a = _mm256_fmadd_ps(*a, x, y);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    std::hint::black_box(acc);
    (FMA_ITERS * 12 * 8 * 2) as f64 / secs / 1e9
}

/// 512 boxes in a 600x800 image from a fixed formula (the PyTorch twin computes the same).
fn roi_boxes() -> Tensor {
    let mut data = Vec::with_capacity(512 * 5);
    for i in 0..512usize {
        let (x1, y1) = ((i * 37 % 500) as f32, (i * 53 % 400) as f32);
        let (w, h) = ((50 + i * 29 % 250) as f32, (50 + i * 41 % 200) as f32);
        data.extend([0.0, x1, y1, (x1 + w).min(799.0), (y1 + h).min(599.0)]);
    }
    Tensor::from_vec(data, &[512, 5]).expect("512 x 5")
}

fn workloads() -> Vec<(&'static str, Setup)> {
    vec![
        (
            "gemm_1024",
            Box::new(|| {
                let a = randn(&[1024, 1024], 0)
                    .array()
                    .view()
                    .into_dimensionality::<Ix2>()
                    .expect("2-d")
                    .to_owned();
                let b = randn(&[1024, 1024], 1)
                    .array()
                    .view()
                    .into_dimensionality::<Ix2>()
                    .expect("2-d")
                    .to_owned();
                let mut c = Array2::<f32>::zeros((1024, 1024));
                Box::new(move || fovea::tensor::gemm(1.0, a.view(), b.view(), 0.0, c.view_mut()))
                    as Step
            }),
        ),
        ("conv_w3_c1", Box::new(|| conv_step(64, 3, 32, 32, 3, 1, 1))),
        (
            "conv_w3_c2",
            Box::new(|| conv_step(64, 32, 32, 32, 3, 1, 1)),
        ),
        (
            "conv_w3_c3",
            Box::new(|| conv_step(64, 32, 16, 64, 3, 1, 1)),
        ),
        (
            "conv_w3_c4",
            Box::new(|| conv_step(64, 64, 16, 64, 3, 1, 1)),
        ),
        (
            "conv_w4_c1",
            Box::new(|| conv_step(32, 3, 112, 48, 11, 4, 2)),
        ),
        (
            "conv_w4_c2",
            Box::new(|| conv_step(32, 48, 13, 128, 5, 1, 2)),
        ),
        (
            "conv_w4_c3",
            Box::new(|| conv_step(32, 128, 6, 192, 3, 1, 1)),
        ),
        (
            "lrn5_32x48x27x27",
            Box::new(|| {
                op_step(randn(&[32, 48, 27, 27], 0), |x| {
                    local_response_norm(x, &LrnConfig::pytorch(5, 1e-4, 0.75, 2.0)).expect("lrn")
                })
            }),
        ),
        (
            "maxpool2_64x64x32x32",
            Box::new(|| {
                op_step(randn(&[64, 64, 32, 32], 0), |x| {
                    max_pool2d(x, &MaxPool2dOptions::new([2, 2])).expect("pool")
                })
            }),
        ),
        (
            "maxpool3s2_32x48x55x55",
            Box::new(|| {
                op_step(randn(&[32, 48, 55, 55], 0), |x| {
                    max_pool2d(x, &MaxPool2dOptions::new([3, 3]).with_stride([2, 2])).expect("pool")
                })
            }),
        ),
        (
            "roipool_512x7x7",
            Box::new(|| {
                let boxes = roi_boxes();
                op_step(randn(&[1, 256, 38, 50], 0), move |x| {
                    roi_pool(x, &boxes, &RoiPoolOptions::new([7, 7], 1.0 / 16.0)).expect("roi")
                })
            }),
        ),
        (
            "train_w1_fashion_alexnet",
            Box::new(|| {
                train_step(
                    fovea::models::fashion_alexnet(10, 0).expect("net"),
                    &[64, 1, 28, 28],
                    10,
                )
            }),
        ),
        (
            "train_w2_lenet5",
            Box::new(|| {
                train_step(
                    fovea::models::lenet5(10, 0).expect("net"),
                    &[64, 1, 28, 28],
                    10,
                )
            }),
        ),
        (
            "train_w3_cifar",
            Box::new(|| {
                train_step(
                    fovea::models::cifar_convnet(10, 0).expect("net"),
                    &[64, 3, 32, 32],
                    10,
                )
            }),
        ),
        (
            "train_w4_alexnet_lrn",
            Box::new(|| {
                train_step(
                    fovea::models::alexnet_lrn(10, 0).expect("net"),
                    &[32, 3, 112, 112],
                    10,
                )
            }),
        ),
    ]
}

fn main() {
    alloc::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = 0;
    let mut quick = false;
    let mut filters = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--threads" => {
                threads = args
                    .get(i + 1)
                    .and_then(|t| t.parse().ok())
                    .expect("--threads N");
                i += 1;
            }
            "--quick" => quick = true,
            "--peak" => {
                println!("fma_peak\t1\t{:.1}", fma_peak());
                return;
            }
            "--bench" => {} // added by `cargo bench`
            other => filters.push(other.to_string()),
        }
        i += 1;
    }
    if threads > 0 {
        fovea::tensor::set_num_threads(threads).expect("first thing the program does");
    }
    let threads = fovea::tensor::num_threads();
    let (budget, max_iters) = if quick {
        (Duration::from_millis(300), 5)
    } else {
        (Duration::from_secs(3), 30)
    };
    for (name, make) in workloads() {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let mut step = make();
        step();
        step();
        let mut times = Vec::new();
        let started = Instant::now();
        while times.len() < 5 || (times.len() < max_iters && started.elapsed() < budget) {
            let t = Instant::now();
            step();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name}\t{threads}\t{:.3}\t{:.3}",
            times[times.len() / 2],
            times[0]
        );
    }
}
