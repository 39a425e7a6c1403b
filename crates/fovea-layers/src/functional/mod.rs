//! Every layer's operation as a function on variables (PyTorch's `torch.nn.functional`). The
//! modules in this crate are thin wrappers that own parameters and call these.

mod activation;
mod conv2d;
mod dropout;
mod linear;
mod lrn;
mod pool;
mod roi_align;
mod roi_pool;
mod scratch;
mod spp;

pub use activation::*;
pub use conv2d::{Conv2dOptions, conv2d};
pub use dropout::*;
pub use linear::linear;
pub use lrn::*;
pub use pool::*;
pub use roi_align::*;
pub use roi_pool::*;
pub use spp::*;
