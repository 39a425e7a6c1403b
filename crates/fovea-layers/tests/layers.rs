//! fovea-layers' integration tests, one binary with a module per layer family.

#[path = "layers/activation.rs"]
mod activation;
#[path = "layers/conv2d.rs"]
mod conv2d;
#[path = "layers/dropout.rs"]
mod dropout;
#[path = "layers/fast_paths.rs"]
mod fast_paths;
#[path = "layers/fixtures.rs"]
mod fixtures;
#[path = "layers/lrn.rs"]
mod lrn;
#[path = "layers/module.rs"]
mod module;
#[path = "layers/pool.rs"]
mod pool;
#[path = "layers/roi.rs"]
mod roi;
#[path = "layers/spp.rs"]
mod spp;
