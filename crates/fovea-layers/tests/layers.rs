//! fovea-layers' integration tests, one binary with a module per layer family.

#[path = "layers/conv2d.rs"]
mod conv2d;
