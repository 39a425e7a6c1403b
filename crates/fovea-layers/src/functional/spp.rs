//! Spatial pyramid pooling (He et al., "Spatial Pyramid Pooling in Deep Convolutional Networks
//! for Visual Recognition", ECCV 2014, <https://arxiv.org/abs/1406.4729>): a fixed-length vector
//! from a feature map of any size, composed of adaptive max pooling, a reshape and a concat.

use fovea_autograd::Var;
use fovea_tensor::{Error, Result};

use super::adaptive_max_pool2d;

/// The pyramid of the SPP-net paper: 4×4, 2×2 and 1×1 bins, 21 per channel.
///
/// # Example
/// ```
/// assert_eq!(fovea_layers::functional::SPP_LEVELS.iter().map(|n| n * n).sum::<usize>(), 21);
/// ```
pub const SPP_LEVELS: [usize; 3] = [4, 2, 1];

/// Spatial pyramid pooling: for each level `n`, an `n×n` adaptive max pool (bins
/// `[⌊i·H/n⌋, ⌈(i+1)·H/n⌉)`, as [`adaptive_max_pool2d`]), flattened, and the levels concatenated.
///
/// Feature order: level by level in the order given; within a level channel-major, i.e. feature
/// `offset(level) + c·n² + i·n + j` is bin `(i, j)` of channel `c`, where `offset` is `C·Σ` of
/// the earlier levels' `n²`. The gradient is max pooling's: each feature's gradient goes to its
/// bin's first maximum, and the levels' contributions add up.
///
/// PyTorch equivalent: `torch.cat([F.adaptive_max_pool2d(x, n).flatten(1) for n in levels], 1)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C·Σ n²]`; `[N, 21·C]` for [`SPP_LEVELS`]. H and W may differ between
/// calls (that is the point), and may be smaller than `n` (bins then repeat rows/columns).
///
/// # Errors
/// [`Error::InvalidArgument`] for empty `levels` or a zero level; [`Error::InvalidShape`] for a
/// non-4-d or empty input.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{SPP_LEVELS, spp};
/// use fovea_tensor::Tensor;
/// let x = Var::constant(Tensor::arange(0.0, 16.0, 1.0)?.reshape(&[1, 1, 4, 4])?);
/// assert_eq!(spp(&x, &SPP_LEVELS)?.shape(), vec![1, 21]);
/// // Level 2 then level 1: the 2×2 maxima, then the global maximum.
/// assert_eq!(spp(&x, &[2, 1])?.value().to_vec(), vec![5.0, 7.0, 13.0, 15.0, 15.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn spp(x: &Var, levels: &[usize]) -> Result<Var> {
    if levels.is_empty() || levels.contains(&0) {
        return Err(Error::invalid_argument(
            "spp",
            format!("levels must be non-empty and positive, got {levels:?}"),
        ));
    }
    let shape = x.shape();
    let &[n, c, _, _] = shape.as_slice() else {
        return Err(Error::invalid_shape(
            "spp",
            "input must be [N, C, H, W]",
            &shape,
        ));
    };
    let pooled = levels
        .iter()
        // [N, C, H, W] → [N, C, n, n] → [N, C·n²]: row-major, so channel-major within a level.
        .map(|&level| {
            adaptive_max_pool2d(x, [level, level]).and_then(|p| p.reshape(&[n, c * level * level]))
        })
        .collect::<Result<Vec<Var>>>()
        .map_err(|e| e.in_context("spp"))?;
    let parts: Vec<&Var> = pooled.iter().collect();
    Var::concat(&parts, 1)
}
