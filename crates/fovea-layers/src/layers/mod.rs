//! The layers (modules that own parameters or settings), one file per family.

mod activation;
mod conv2d;
mod dropout;
mod flatten;
mod linear;
mod lrn;
mod pool;
mod relu;
mod roi;
mod spp;

pub use activation::*;
pub use conv2d::{Conv2d, Conv2dConfig};
pub use dropout::*;
pub use flatten::Flatten;
pub use linear::{Linear, LinearConfig};
pub use lrn::*;
pub use pool::*;
pub use relu::Relu;
pub use roi::*;
pub use spp::*;
