//! The built-in differentiable operations, one file per family. Each is an inherent method of
//! [`Var`](crate::Var) whose forward and backward sit side by side.

mod arith;
mod conv_cols;
mod matmul;
mod reduce;
mod shape;
pub(crate) mod softmax;
mod unary;
