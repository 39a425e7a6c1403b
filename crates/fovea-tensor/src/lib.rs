//! # fovea-tensor
//!
//! n-dimensional `f32` tensors for fovea, on [`ndarray`]: construction and seeded initialisation,
//! shape operations, NumPy broadcasting, reductions, matrix products and im2col. It knows nothing
//! of gradients; `fovea-autograd` builds on it. Most users reach it through the `fovea` facade.
//!
//! ```
//! use fovea_tensor::Tensor;
//! let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2])?;
//! let y = x.matmul(&x)?.add(&Tensor::ones(&[2]))?;
//! assert_eq!(y.to_vec(), vec![8.0, 11.0, 16.0, 23.0]);
//! # Ok::<(), fovea_tensor::Error>(())
//! ```
#![warn(missing_docs)]

mod broadcast;
mod elementwise;
mod error;
mod gemm;
mod im2col;
mod im2row;
mod init;
mod matmul;
mod reduce;
mod shape_ops;
mod tensor;
mod threads;

pub use broadcast::broadcast_shapes;
pub use error::{Error, Result};
pub use gemm::{
    AlignedBuf, KC, MC, MR, NC, NR, PackB, PackedA, RowMajorB, TapB, gemm, gemm_nt, gemm_packed,
    gemm_taps,
};
pub use im2col::{ConvGeometry, col2im_image, im2col_image, im2col_rows, im2col_stride};
pub use im2row::{channels_last, im2row};
pub use init::{fans, seeded_rng};
pub use tensor::{Tensor, zeros_vec};
pub use threads::{NUM_THREADS_ENV, num_threads, set_num_threads};

pub use ndarray;
