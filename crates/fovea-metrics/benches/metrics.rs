//! fovea-metrics benchmarks: warping error on a 512×512 image with 10% noisy pixels, pixel
//! error and confusion matrices on large inputs (expected to run at memory speed).
//!
//! Run: `cargo bench -p fovea-metrics --bench metrics`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fovea_metrics::{
    BinaryConfusion, ConfusionMatrix, RandErrorOptions, WarpingOptions, pixel_error, rand_error,
    warping_error,
};
use ndarray::Array2;
use rand::{Rng, SeedableRng, rngs::StdRng};

/// A cell-like label: 1-pixel boundaries every 32 pixels.
fn cells(size: usize) -> Array2<f32> {
    Array2::from_shape_fn((size, size), |(r, c)| {
        if r % 32 == 0 || c % 32 == 0 { 0.0 } else { 1.0 }
    })
}

/// Soft prediction agreeing with `label` except on `fraction` of the pixels.
fn noisy(label: &Array2<f32>, fraction: f64, seed: u64) -> Array2<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    label.mapv(|l| {
        let confidence: f32 = rng.random_range(0.0..0.5);
        let flip = rng.random_bool(fraction);
        if (l > 0.5) != flip {
            0.5 + confidence + 1e-3
        } else {
            0.5 - confidence
        }
    })
}

fn segmentation(c: &mut Criterion) {
    let label = cells(512);
    let prediction = noisy(&label, 0.10, 1);
    let mut group = c.benchmark_group("segmentation_512x512_noise10");
    group.sample_size(20);
    group.bench_function("warping_error", |b| {
        b.iter(|| {
            warping_error(
                black_box(label.view()),
                black_box(prediction.view()),
                &WarpingOptions::default(),
            )
            .unwrap()
        })
    });
    group.bench_function("rand_error_10_thresholds", |b| {
        b.iter(|| {
            rand_error(
                black_box(label.view()),
                black_box(prediction.view()),
                &RandErrorOptions::default(),
            )
            .unwrap()
        })
    });
    group.finish();

    let big_label = noisy(&cells(4096), 0.5, 2);
    let big_prediction = noisy(&cells(4096), 0.1, 3);
    let mut group = c.benchmark_group("pixel_error_4096x4096");
    group.throughput(Throughput::Bytes((2 * 4 * big_label.len()) as u64));
    group.bench_function("pixel_error", |b| {
        b.iter(|| {
            pixel_error(
                black_box(big_label.view()),
                black_box(big_prediction.view()),
                0.5,
            )
            .unwrap()
        })
    });
    group.finish();
}

fn confusion(c: &mut Criterion) {
    let n = 16 << 20;
    let mut rng = StdRng::seed_from_u64(4);
    let y_true: Vec<bool> = (0..n).map(|_| rng.random_bool(0.3)).collect();
    let y_pred: Vec<bool> = (0..n).map(|_| rng.random_bool(0.3)).collect();
    let scores: Vec<f32> = (0..n).map(|_| rng.random_range(0.0..1.0)).collect();
    let mut group = c.benchmark_group("confusion_16M");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("binary_from_labels", |b| {
        b.iter(|| BinaryConfusion::from_labels(black_box(&y_true), black_box(&y_pred)).unwrap())
    });
    group.bench_function("binary_from_scores", |b| {
        b.iter(|| {
            BinaryConfusion::from_scores(black_box(&scores), black_box(&y_true), 0.5).unwrap()
        })
    });
    let classes = 10;
    let t: Vec<usize> = (0..n).map(|_| rng.random_range(0..classes)).collect();
    let p: Vec<usize> = (0..n).map(|_| rng.random_range(0..classes)).collect();
    group.bench_function("multiclass_10_from_labels", |b| {
        b.iter(|| ConfusionMatrix::from_labels(black_box(&t), black_box(&p), classes).unwrap())
    });
    group.finish();
}

criterion_group!(benches, segmentation, confusion);
criterion_main!(benches);
