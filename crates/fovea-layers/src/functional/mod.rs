//! Every layer's operation as a function on variables (PyTorch's `torch.nn.functional`). The
//! modules in this crate are thin wrappers that own parameters and call these.

mod conv2d;
mod linear;

pub use conv2d::{Conv2dOptions, conv2d};
pub use linear::linear;
