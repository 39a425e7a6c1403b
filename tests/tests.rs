//! fovea's integration tests, one binary with a module per subject (fast to build).

mod broadcasting;
mod errors;
mod golden;
mod gradchecks;
mod tensor_ops;
mod train;
