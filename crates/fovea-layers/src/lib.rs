//! # fovea-layers
//!
//! Modules and layers for vision networks: the [`Module`] trait with PyTorch-style parameter
//! names, [`Sequential`], Conv2d, Linear, pooling, the ReLU family, LRN, RoI pooling and SPP;
//! every operation also as a function on variables in [`functional`]. A forward pass can record
//! every named layer's output ([`ModuleExt::forward_with_end_points`]).
//! Most users reach it through the `fovea` facade.
#![warn(missing_docs)]

mod dead_units;
pub mod functional;
mod layers;
mod module;
mod sequential;
mod summary;

pub use dead_units::DeadUnitMonitor;
pub use layers::*;
pub use module::{EndPoints, Module, ModuleExt, NamedParameter};
pub use sequential::Sequential;
pub use summary::{Summary, SummaryRow, summary};
