//! The one error type of fovea.
//!
//! Every fallible public function in every fovea crate returns [`Result`]. Each variant names the
//! operation (or, for layers, the module path) and the shapes or file involved, so a message read
//! in a log is enough to find the mistake.

use std::path::PathBuf;

/// `Result` with fovea's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in fovea.
///
/// # Example
/// ```
/// use fovea_tensor::Tensor;
/// let a = Tensor::zeros(&[2, 3]);
/// let b = Tensor::zeros(&[4, 5]);
/// let err = a.matmul(&b).unwrap_err();
/// assert_eq!(err.to_string(), "matmul: inner dimensions differ: [2, 3] x [4, 5]");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two operands whose shapes do not fit together.
    #[error("{op}: {reason}: {lhs:?} x {rhs:?}")]
    ShapeMismatch {
        /// The operation, or a layer's path.
        op: String,
        /// What does not fit, e.g. "inner dimensions differ".
        reason: String,
        /// Shape of the left (first) operand.
        lhs: Vec<usize>,
        /// Shape of the right (second) operand.
        rhs: Vec<usize>,
    },
    /// One tensor whose shape is not acceptable for the operation.
    #[error("{op}: {reason} (shape {shape:?})")]
    InvalidShape {
        /// The operation, or a layer's path.
        op: String,
        /// Why the shape is rejected.
        reason: String,
        /// The offending shape.
        shape: Vec<usize>,
    },
    /// An argument (an axis, a size, a hyper-parameter, a value) out of its domain.
    #[error("{op}: {reason}")]
    InvalidArgument {
        /// The operation, or a layer's path.
        op: String,
        /// What is wrong with the argument.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{op}: {path}: {source}")]
    Io {
        /// The operation, e.g. "checkpoint save".
        op: String,
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its contents are not what they must be.
    #[error("{op}: {path}: {reason}")]
    Format {
        /// The operation, e.g. "idx read".
        op: String,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// Builds [`Error::ShapeMismatch`].
    ///
    /// # Example
    /// ```
    /// let e = fovea_tensor::Error::shape_mismatch("add", "cannot broadcast", &[2], &[3]);
    /// assert_eq!(e.to_string(), "add: cannot broadcast: [2] x [3]");
    /// ```
    pub fn shape_mismatch(
        op: impl Into<String>,
        reason: impl Into<String>,
        lhs: &[usize],
        rhs: &[usize],
    ) -> Self {
        Error::ShapeMismatch {
            op: op.into(),
            reason: reason.into(),
            lhs: lhs.to_vec(),
            rhs: rhs.to_vec(),
        }
    }

    /// Builds [`Error::InvalidShape`].
    ///
    /// # Example
    /// ```
    /// let e = fovea_tensor::Error::invalid_shape("softmax", "needs at least 1 axis", &[]);
    /// assert_eq!(e.to_string(), "softmax: needs at least 1 axis (shape [])");
    /// ```
    pub fn invalid_shape(
        op: impl Into<String>,
        reason: impl Into<String>,
        shape: &[usize],
    ) -> Self {
        Error::InvalidShape {
            op: op.into(),
            reason: reason.into(),
            shape: shape.to_vec(),
        }
    }

    /// Builds [`Error::InvalidArgument`].
    ///
    /// # Example
    /// ```
    /// let e = fovea_tensor::Error::invalid_argument("clamp", "min 2 > max 1");
    /// assert_eq!(e.to_string(), "clamp: min 2 > max 1");
    /// ```
    pub fn invalid_argument(op: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            op: op.into(),
            reason: reason.into(),
        }
    }

    /// Returns the same error with `prefix: ` put before its operation name, so a layer can say
    /// where in a network an op failed (`features.conv1: conv2d: ...`).
    ///
    /// # Example
    /// ```
    /// let e = fovea_tensor::Error::invalid_argument("conv2d", "stride 0").in_context("features.conv1");
    /// assert_eq!(e.to_string(), "features.conv1: conv2d: stride 0");
    /// ```
    pub fn in_context(self, prefix: &str) -> Self {
        let wrap = |op: String| format!("{prefix}: {op}");
        match self {
            Error::ShapeMismatch {
                op,
                reason,
                lhs,
                rhs,
            } => Error::ShapeMismatch {
                op: wrap(op),
                reason,
                lhs,
                rhs,
            },
            Error::InvalidShape { op, reason, shape } => Error::InvalidShape {
                op: wrap(op),
                reason,
                shape,
            },
            Error::InvalidArgument { op, reason } => Error::InvalidArgument {
                op: wrap(op),
                reason,
            },
            Error::Io { op, path, source } => Error::Io {
                op: wrap(op),
                path,
                source,
            },
            Error::Format { op, path, reason } => Error::Format {
                op: wrap(op),
                path,
                reason,
            },
        }
    }
}
