//! Loss functions: cross-entropy on integer labels (with class weights and an ignored label) and
//! mean squared error.

use fovea_tensor::{Error, Result, Tensor};

use crate::Var;
use crate::ops::softmax::log_softmax_tensor;

/// Options of [`cross_entropy_with`]; the default is PyTorch's (no weights, nothing ignored,
/// mean over the batch).
///
/// # Example
/// ```
/// use fovea_autograd::CrossEntropyOptions;
/// let opts = CrossEntropyOptions::default().with_ignore_index(255);
/// assert_eq!(opts.ignore_index, Some(255));
/// ```
#[derive(Clone, Debug, Default)]
pub struct CrossEntropyOptions {
    /// A weight per class, shape `[C]`: the loss of a sample of class `c` is scaled by
    /// `weight[c]` and the mean divides by the sum of the weights used.
    pub weight: Option<Tensor>,
    /// A target value that contributes neither loss nor gradient (e.g. 255 for "void" pixels).
    pub ignore_index: Option<usize>,
}

impl CrossEntropyOptions {
    /// Sets the per-class weights.
    ///
    /// # Example
    /// ```
    /// let w = fovea_tensor::Tensor::ones(&[3]);
    /// assert!(fovea_autograd::CrossEntropyOptions::default().with_weight(w).weight.is_some());
    /// ```
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.weight = Some(weight);
        self
    }

    /// Sets the ignored target value.
    ///
    /// # Example
    /// ```
    /// let o = fovea_autograd::CrossEntropyOptions::default().with_ignore_index(0);
    /// assert_eq!(o.ignore_index, Some(0));
    /// ```
    pub fn with_ignore_index(mut self, ignore_index: usize) -> Self {
        self.ignore_index = Some(ignore_index);
        self
    }
}

/// Cross-entropy between logits and integer class labels, averaged over the samples.
/// See [`cross_entropy_with`].
///
/// # Errors
/// As [`cross_entropy_with`].
///
/// # Example
/// ```
/// use fovea_autograd::{Var, cross_entropy};
/// use fovea_tensor::Tensor;
/// let logits = Var::parameter(Tensor::zeros(&[2, 4]));
/// let loss = cross_entropy(&logits, &[1, 3])?;
/// assert!((loss.value().item().unwrap() - 4f32.ln()).abs() < 1e-6);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn cross_entropy(logits: &Var, targets: &[usize]) -> Result<Var> {
    cross_entropy_with(logits, targets, &CrossEntropyOptions::default())
}

/// Cross-entropy with options.
///
/// `logits` is `[N, C]` or `[N, C, d1, d2, ...]` (e.g. per-pixel `[N, C, H, W]`); `targets` holds
/// one class per sample (per pixel), `N·d1·d2·…` values in row-major order. With `w` the class
/// weights (1 by default) and `y_i` the target of sample `i`, the loss is
///
/// L = −Σᵢ w[yᵢ]·log_softmax(xᵢ)[yᵢ] / Σᵢ w[yᵢ]
///
/// over the samples whose target is not `ignore_index`. When every target is ignored the loss
/// is 0 with a zero gradient (PyTorch returns NaN, which would poison a training run). The
/// log-softmax is computed with the maximum subtracted.
///
/// PyTorch equivalent: `torch.nn.functional.cross_entropy(x, y, weight, ignore_index=...)`.
///
/// # Errors
/// [`Error::InvalidShape`] when `logits` has fewer than 2 axes;
/// [`Error::ShapeMismatch`] when the target count or the weight length does not fit;
/// [`Error::InvalidArgument`] when a target is out of range and not ignored.
///
/// # Example
/// ```
/// use fovea_autograd::{CrossEntropyOptions, Var, cross_entropy_with};
/// use fovea_tensor::Tensor;
/// let logits = Var::parameter(Tensor::zeros(&[3, 2]));
/// let opts = CrossEntropyOptions::default().with_ignore_index(9);
/// let loss = cross_entropy_with(&logits, &[0, 9, 1], &opts)?;
/// let g = loss.backward()?;
/// assert_eq!(g.get(&logits).unwrap().to_vec()[2..4], [0.0, 0.0]); // ignored row
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn cross_entropy_with(
    logits: &Var,
    targets: &[usize],
    options: &CrossEntropyOptions,
) -> Result<Var> {
    let shape = logits.shape();
    if shape.len() < 2 {
        return Err(Error::invalid_shape(
            "cross_entropy",
            "logits need shape [N, C, ...]",
            &shape,
        ));
    }
    if shape.len() > 2 {
        // [N, C, d...] -> [N, d..., C] -> [N·∏d, C]: classes on the last axis, one row per pixel.
        let mut axes: Vec<usize> = (0..shape.len()).filter(|&a| a != 1).collect();
        axes.push(1);
        let rows = shape.iter().product::<usize>() / shape[1];
        let flat = logits.permute(&axes)?.reshape(&[rows, shape[1]])?;
        return cross_entropy_with(&flat, targets, options).map_err(|e| match e {
            Error::ShapeMismatch {
                op, reason, rhs, ..
            } => Error::ShapeMismatch {
                op,
                reason,
                lhs: shape.clone(),
                rhs,
            },
            other => other,
        });
    }
    let (n, classes) = (shape[0], shape[1]);
    if targets.len() != n {
        return Err(Error::shape_mismatch(
            "cross_entropy",
            "one target per sample needed (logits x targets)",
            &shape,
            &[targets.len()],
        ));
    }
    let weight = match &options.weight {
        Some(w) if w.shape() != [classes] => {
            return Err(Error::shape_mismatch(
                "cross_entropy",
                "weight needs one value per class (logits x weight)",
                &shape,
                w.shape(),
            ));
        }
        Some(w) => w.to_vec(),
        None => vec![1.0; classes],
    };
    // Per-sample weight; 0 for ignored samples.
    let mut sample_weight = Vec::with_capacity(n);
    for (i, &t) in targets.iter().enumerate() {
        if Some(t) == options.ignore_index {
            sample_weight.push(0.0);
        } else if t >= classes {
            return Err(Error::invalid_argument(
                "cross_entropy",
                format!("target {t} of sample {i} out of range for {classes} classes"),
            ));
        } else {
            sample_weight.push(weight[t]);
        }
    }
    let total: f64 = sample_weight.iter().map(|&w| w as f64).sum();
    let scale = if total > 0.0 {
        (1.0 / total) as f32
    } else {
        0.0
    };
    let log_probs = log_softmax_tensor("cross_entropy", &logits.value(), 1)?;
    let lp = log_probs.contiguous_data();
    let mut loss = 0.0f64;
    for i in 0..n {
        if sample_weight[i] != 0.0 {
            loss -= (sample_weight[i] * lp[i * classes + targets[i]]) as f64;
        }
    }
    let value = Tensor::scalar((loss * scale as f64) as f32);
    let targets = targets.to_vec();
    Ok(Var::from_fn(value, &[logits], "cross_entropy", move |g| {
        // ∂L/∂xᵢ = g·w[yᵢ]/Σw · (softmax(xᵢ) − onehot(yᵢ)).
        let g = g.item().expect("internal: scalar gradient") * scale;
        let mut grad = log_probs.exp().to_array();
        for (i, mut row) in grad.outer_iter_mut().enumerate() {
            let w = sample_weight[i] * g;
            if w == 0.0 {
                row.fill(0.0);
                continue;
            }
            row.mapv_inplace(|p| p * w);
            row[targets[i]] -= w;
        }
        Ok(vec![Some(Tensor::from_array(grad))])
    }))
}

/// Mean squared error `mean((prediction − target)²)` over all elements.
/// ∂/∂prediction = 2(prediction − target)/n, and the negative for the target.
///
/// PyTorch equivalent: `torch.nn.functional.mse_loss(prediction, target)`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the shapes differ (PyTorch would broadcast with a warning; a
/// shape mismatch in a loss is almost always a bug).
///
/// # Example
/// ```
/// use fovea_autograd::{Var, mse_loss};
/// use fovea_tensor::Tensor;
/// let p = Var::parameter(Tensor::from_vec(vec![1.0, 3.0], &[2])?);
/// let t = Var::constant(Tensor::from_vec(vec![0.0, 0.0], &[2])?);
/// let loss = mse_loss(&p, &t)?;
/// assert_eq!(loss.value().item(), Some(5.0));
/// assert_eq!(loss.backward()?.get(&p).unwrap().to_vec(), vec![1.0, 3.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn mse_loss(prediction: &Var, target: &Var) -> Result<Var> {
    let (p, t) = (prediction.shape(), target.shape());
    if p != t {
        return Err(Error::shape_mismatch(
            "mse_loss",
            "prediction and target shapes differ",
            &p,
            &t,
        ));
    }
    let diff = prediction.sub(target)?;
    Ok(diff.mul(&diff)?.mean_all())
}
