//! fovea's benchmarks: one criterion harness, one module per subject.
//!
//! Run: `cargo bench --bench bench_main` (add a filter, e.g. `-- gemm`, to run one group).

use criterion::{criterion_group, criterion_main};

mod gemm;

criterion_group!(benches, gemm::bench);
criterion_main!(benches);
