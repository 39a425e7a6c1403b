//! Prints GEMM throughput (GFLOP/s) for a square product and the products a convolution makes,
//! on 1 and 2 threads.
//!
//! Run: `cargo run --release --example gemm_speed`
//!
//! Each figure is the best of several timed runs after a warm-up (the machine is shared and
//! noisy; the best run is the one least disturbed). FLOPs are counted as 2·m·k·n.

use std::time::Instant;

use fovea::tensor::{Tensor, gemm, seeded_rng};
use ndarray::{Array2, Ix2};

/// (m, k, n): the square product, then LeNet/CIFAR-style convolution products
/// (weights x im2col columns, and the weight gradient).
const SHAPES: [(usize, usize, usize); 4] = [
    (1024, 1024, 1024),
    (64, 800, 3136),
    (32, 25, 784),
    (256, 3136, 64),
];

fn best_gflops(m: usize, k: usize, n: usize, threads: usize) -> f64 {
    let mut rng = seeded_rng(0);
    let a = Tensor::rand_uniform(&[m, k], -1.0, 1.0, &mut rng).expect("valid bounds");
    let b = Tensor::rand_uniform(&[k, n], -1.0, 1.0, &mut rng).expect("valid bounds");
    let a = a
        .array()
        .view()
        .into_dimensionality::<Ix2>()
        .expect("2-d")
        .to_owned();
    let b = b
        .array()
        .view()
        .into_dimensionality::<Ix2>()
        .expect("2-d")
        .to_owned();
    let mut c = Array2::<f32>::zeros((m, n));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let flops = 2.0 * (m * k * n) as f64;
    // Enough repetitions for ~0.3 s per measurement at 100 GFLOP/s.
    let reps = ((3e10 / flops) as usize).clamp(1, 2000);
    pool.install(|| {
        gemm(1.0, a.view(), b.view(), 0.0, c.view_mut()); // warm-up
        (0..7)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..reps {
                    gemm(1.0, a.view(), b.view(), 0.0, c.view_mut());
                }
                flops * reps as f64 / start.elapsed().as_secs_f64() / 1e9
            })
            .fold(0.0, f64::max)
    })
}

fn main() {
    println!("| m x k x n | 1 thread GFLOP/s | 2 threads GFLOP/s |");
    println!("|---|---|---|");
    for (m, k, n) in SHAPES {
        let one = best_gflops(m, k, n, 1);
        let two = best_gflops(m, k, n, 2);
        println!("| {m}x{k}x{n} | {one:.1} | {two:.1} |");
    }
}
