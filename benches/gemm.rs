//! GEMM throughput on the square product and on convolution-shaped products, 1 and 2 threads.
//! Criterion reports the throughput in elements/s where one element is one FLOP (2·m·k·n per
//! product), so "Gelem/s" reads as GFLOP/s.

use criterion::{BenchmarkId, Criterion, Throughput};
use fovea::tensor::{Tensor, gemm, seeded_rng};
use ndarray::{Array2, Ix2};

const SHAPES: [(usize, usize, usize); 4] = [
    (1024, 1024, 1024),
    (64, 800, 3136),
    (32, 25, 784),
    (256, 3136, 64),
];

fn matrix(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
    let t = Tensor::rand_uniform(&[rows, cols], -1.0, 1.0, &mut seeded_rng(seed))
        .expect("valid bounds");
    t.array()
        .view()
        .into_dimensionality::<Ix2>()
        .expect("2-d")
        .to_owned()
}

pub fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm");
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        for (m, k, n) in SHAPES {
            let (a, b) = (matrix(m, k, 0), matrix(k, n, 1));
            let mut out = Array2::<f32>::zeros((m, n));
            group.throughput(Throughput::Elements(2 * (m * k * n) as u64));
            let id = BenchmarkId::new(format!("{threads}t"), format!("{m}x{k}x{n}"));
            group.bench_function(id, |bencher| {
                pool.install(|| {
                    bencher.iter(|| gemm(1.0, a.view(), b.view(), 0.0, out.view_mut()))
                });
            });
        }
    }
    group.finish();
}
