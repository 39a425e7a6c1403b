//! The training loop every example repeats: one epoch of SGD over mini-batches, and evaluation.

use fovea_autograd::{Var, cross_entropy, no_grad};
use fovea_data::{Batch, Dataset, Normalize};
use fovea_layers::Module;
use fovea_optim::Sgd;
use fovea_tensor::Result;

/// Mean loss and accuracy over the samples seen.
///
/// # Example
/// ```
/// let s = fovea::train::EpochStats { loss: 0.5, accuracy: 0.9, samples: 100 };
/// assert_eq!(s.samples, 100);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EpochStats {
    /// Mean cross-entropy per sample.
    pub loss: f32,
    /// Fraction of samples whose arg-max prediction is the label.
    pub accuracy: f32,
    /// Number of samples.
    pub samples: usize,
}

/// Running sums behind [`EpochStats`].
#[derive(Default)]
struct Totals {
    batches: usize,
    loss: f64,
    correct: usize,
    samples: usize,
}

impl Totals {
    fn add(&mut self, logits: &Var, labels: &[usize], loss: f32) -> Result<()> {
        let predicted = logits.value().argmax(1, false)?;
        self.correct += predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
        self.loss += loss as f64 * labels.len() as f64;
        self.samples += labels.len();
        self.batches += 1;
        Ok(())
    }

    fn stats(&self) -> EpochStats {
        let n = self.samples.max(1) as f64;
        EpochStats {
            loss: (self.loss / n) as f32,
            accuracy: (self.correct as f64 / n) as f32,
            samples: self.samples,
        }
    }
}

/// One epoch of training: for each batch, forward, cross-entropy, backward, optimizer step.
/// `after_batch` is called after every step with the statistics so far (for a progress bar).
/// The model should be in training mode (`set_training(true)`).
///
/// # Errors
/// Any error of the forward pass, the loss or the optimizer; and
/// [`Error::InvalidArgument`](fovea_tensor::Error::InvalidArgument) when the loss becomes NaN or
/// infinite, naming the step, before the optimizer can write non-finite values into the
/// parameters (the usual cause is a learning rate that is too high).
///
/// # Example
/// ```
/// use fovea::prelude::*;
/// // Four 2x1 images; class 1 when the top pixel is bright.
/// let data = fovea::data::Dataset::new(vec![255, 0, 0, 255, 255, 255, 0, 0], vec![1, 0, 1, 0], 2, 1, 2)?;
/// let net = Sequential::new().add("flatten", Flatten).add("fc", LinearConfig::new(2, 2).init(&mut seeded_rng(0))?);
/// let mut opt = fovea::optim::Sgd::new(net.parameters(), fovea::optim::SgdConfig::new(0.5))?;
/// for epoch in 0..50 {
///     fovea::train::train_epoch(&net, &mut opt, data.batches(4, epoch)?, |_| {})?;
/// }
/// let stats = fovea::train::evaluate(&net, &data, 4, None)?;
/// assert_eq!(stats.accuracy, 1.0);
/// # Ok::<(), fovea::Error>(())
/// ```
pub fn train_epoch(
    model: &dyn Module,
    optimizer: &mut Sgd,
    batches: impl Iterator<Item = Batch>,
    mut after_batch: impl FnMut(&EpochStats),
) -> Result<EpochStats> {
    let mut totals = Totals::default();
    for batch in batches {
        let logits = model.forward(&Var::constant(batch.images))?;
        let loss = cross_entropy(&logits, &batch.labels)?;
        let value = loss.value().item().unwrap_or(f32::NAN);
        if !value.is_finite() {
            return Err(fovea_tensor::Error::invalid_argument(
                "train",
                format!(
                    "the loss is {value} at step {} (batch {} of this epoch); lower the learning rate (now {}) or clip the gradients",
                    optimizer.steps() + 1,
                    totals.batches + 1,
                    optimizer.lr()
                ),
            ));
        }
        let grads = loss.backward()?;
        optimizer.step(&grads)?;
        totals.add(&logits, &batch.labels, value)?;
        after_batch(&totals.stats());
    }
    Ok(totals.stats())
}

/// Loss and accuracy of `model` on a whole data set, without recording a graph. The model should
/// be in evaluation mode (`set_training(false)`) so that dropout is off.
///
/// # Errors
/// Any error of the forward pass or the loss.
///
/// # Example
/// See [`train_epoch`].
pub fn evaluate(
    model: &dyn Module,
    data: &Dataset,
    batch_size: usize,
    normalize: Option<Normalize>,
) -> Result<EpochStats> {
    let mut totals = Totals::default();
    no_grad(|| -> Result<()> {
        let config = fovea_data::BatchConfig::new(batch_size);
        let config = match normalize {
            Some(n) => config.with_normalize(n),
            None => config,
        };
        for batch in data.batches_with(&config)? {
            let logits = model.forward(&Var::constant(batch.images))?;
            let loss = cross_entropy(&logits, &batch.labels)?;
            totals.add(
                &logits,
                &batch.labels,
                loss.value().item().unwrap_or(f32::NAN),
            )?;
        }
        Ok(())
    })?;
    Ok(totals.stats())
}
