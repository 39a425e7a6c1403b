//! The layers (modules that own parameters or settings), one file each.

mod conv2d;
mod flatten;
mod linear;
mod relu;

pub use conv2d::{Conv2d, Conv2dConfig};
pub use flatten::Flatten;
pub use linear::{Linear, LinearConfig};
pub use relu::Relu;
