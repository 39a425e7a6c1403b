//! # fovea-checkpoint
//!
//! Parameters on disk: a [`Checkpoint`] holds every named tensor of a model, the optimizer's
//! state and [`Metadata`], in a versioned, checksummed file written atomically (see [`format`]).
//! Loading is strict by default ([`Checkpoint::load_into`]); [`Checkpoint::load_partial`]
//! reports loaded / missing / unexpected / shape-mismatched names, which is how a pretrained
//! backbone goes under a new head. [`freeze`] and [`unfreeze`] select parameters by name
//! pattern. [`save_safetensors`] and [`load_safetensors`] exchange weights with PyTorch.
//! Most users reach it through the `fovea` facade.
#![warn(missing_docs)]

mod checkpoint;
pub mod format;
mod freeze;
mod load;
mod safetensors_io;

pub use checkpoint::{Checkpoint, Metadata};
pub use freeze::{freeze, unfreeze};
pub use load::LoadReport;
pub use safetensors_io::{load_safetensors, save_safetensors};
