//! Mini-batches: [`Batch`], the [`Batches`] iterator and its [`BatchConfig`].

use fovea_tensor::{Error, Result, Tensor, seeded_rng};
use rand::seq::SliceRandom;

use crate::Dataset;

/// Per-pixel normalisation `(x - mean) / std`, applied after scaling bytes to `[0, 1]`.
///
/// PyTorch equivalent: `transforms.Normalize((mean,), (std,))` after `transforms.ToTensor()`.
///
/// # Example
/// ```
/// use fovea_data::Normalize;
/// let n = Normalize::new(0.5, 0.25)?;
/// assert_eq!(n.apply(1.0), 2.0);
/// assert!(Normalize::new(0.5, 0.0).is_err());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normalize {
    mean: f32,
    std: f32,
}

impl Normalize {
    /// Mean and standard deviation of the 47,040,000 pixels of the full Fashion-MNIST train set,
    /// scaled to `[0, 1]`: 0.2860406, 0.3530242 (computed over the Debian package's files).
    pub const FASHION_MNIST: Normalize = Normalize {
        mean: 0.286_040_6,
        std: 0.353_024_2,
    };

    /// The values of the PyTorch MNIST example: mean 0.1307, std 0.3081.
    pub const MNIST: Normalize = Normalize {
        mean: 0.1307,
        std: 0.3081,
    };

    /// `(x - mean) / std`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `mean` is not finite or `std` is not finite and positive.
    ///
    /// # Example
    /// ```
    /// let err = fovea_data::Normalize::new(0.0, -1.0).unwrap_err();
    /// assert_eq!(err.to_string(), "normalize: std must be finite and > 0, got -1");
    /// ```
    pub fn new(mean: f32, std: f32) -> Result<Self> {
        if !mean.is_finite() {
            return Err(Error::invalid_argument(
                "normalize",
                format!("mean must be finite, got {mean}"),
            ));
        }
        if !(std.is_finite() && std > 0.0) {
            return Err(Error::invalid_argument(
                "normalize",
                format!("std must be finite and > 0, got {std}"),
            ));
        }
        Ok(Normalize { mean, std })
    }

    /// The mean subtracted.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::Normalize::MNIST.mean(), 0.1307);
    /// ```
    pub fn mean(&self) -> f32 {
        self.mean
    }

    /// The standard deviation divided by.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::Normalize::MNIST.std(), 0.3081);
    /// ```
    pub fn std(&self) -> f32 {
        self.std
    }

    /// `(x - mean) / std` for one value.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::Normalize::new(1.0, 2.0)?.apply(0.0), -0.5);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn apply(&self, x: f32) -> f32 {
        (x - self.mean) / self.std
    }
}

/// The order in which [`Batches`] visits the images.
///
/// # Example
/// ```
/// use fovea_data::{BatchConfig, Order};
/// assert_eq!(BatchConfig::new(32).order(), Order::Sequential);
/// assert_eq!(BatchConfig::new(32).with_shuffle(7).order(), Order::Shuffled(7));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Image 0, 1, 2, ...: for evaluation.
    Sequential,
    /// A permutation drawn from `fovea_tensor::seeded_rng(seed)`: the same seed always gives the
    /// same order. Pass a different seed each epoch (e.g. `base_seed + epoch`).
    Shuffled(u64),
}

/// How [`Dataset::batches_with`] cuts a data set into mini-batches. Defaults as PyTorch's
/// `DataLoader`: sequential order, last partial batch kept, no normalisation.
///
/// # Example
/// ```
/// use fovea_data::{BatchConfig, Normalize};
/// let cfg = BatchConfig::new(64)
///     .with_shuffle(1)
///     .with_drop_last(true)
///     .with_normalize(Normalize::FASHION_MNIST);
/// assert_eq!(cfg.batch_size(), 64);
/// assert!(cfg.drop_last());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchConfig {
    batch_size: usize,
    order: Order,
    drop_last: bool,
    normalize: Option<Normalize>,
}

impl BatchConfig {
    /// Batches of `batch_size` images, sequential, last partial batch kept, pixels in `[0, 1]`.
    /// A `batch_size` of 0 is rejected by [`Dataset::batches_with`].
    ///
    /// # Example
    /// ```
    /// let cfg = fovea_data::BatchConfig::new(10);
    /// assert_eq!((cfg.batch_size(), cfg.drop_last(), cfg.normalize()), (10, false, None));
    /// ```
    pub fn new(batch_size: usize) -> Self {
        BatchConfig {
            batch_size,
            order: Order::Sequential,
            drop_last: false,
            normalize: None,
        }
    }

    /// Sets the batch size.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::BatchConfig::new(10).with_batch_size(3).batch_size(), 3);
    /// ```
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Sets the order.
    ///
    /// # Example
    /// ```
    /// use fovea_data::{BatchConfig, Order};
    /// let cfg = BatchConfig::new(10).with_shuffle(3).with_order(Order::Sequential);
    /// assert_eq!(cfg.order(), Order::Sequential);
    /// ```
    pub fn with_order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// Shorthand for `with_order(Order::Shuffled(seed))`.
    ///
    /// # Example
    /// ```
    /// use fovea_data::{BatchConfig, Order};
    /// assert_eq!(BatchConfig::new(10).with_shuffle(3).order(), Order::Shuffled(3));
    /// ```
    pub fn with_shuffle(self, seed: u64) -> Self {
        self.with_order(Order::Shuffled(seed))
    }

    /// Whether to drop the last batch when it has fewer than `batch_size` images.
    ///
    /// PyTorch equivalent: `DataLoader(drop_last=...)`.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_data::BatchConfig::new(10).with_drop_last(true).drop_last());
    /// ```
    pub fn with_drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// Normalises pixels with `(x - mean) / std` after scaling to `[0, 1]`.
    ///
    /// # Example
    /// ```
    /// use fovea_data::{BatchConfig, Normalize};
    /// let cfg = BatchConfig::new(10).with_normalize(Normalize::MNIST);
    /// assert_eq!(cfg.normalize(), Some(Normalize::MNIST));
    /// ```
    pub fn with_normalize(mut self, normalize: Normalize) -> Self {
        self.normalize = Some(normalize);
        self
    }

    /// The batch size.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::BatchConfig::new(10).batch_size(), 10);
    /// ```
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The order.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::BatchConfig::new(10).order(), fovea_data::Order::Sequential);
    /// ```
    pub fn order(&self) -> Order {
        self.order
    }

    /// Whether a last partial batch is dropped.
    ///
    /// # Example
    /// ```
    /// assert!(!fovea_data::BatchConfig::new(10).drop_last());
    /// ```
    pub fn drop_last(&self) -> bool {
        self.drop_last
    }

    /// The normalisation, if any.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::BatchConfig::new(10).normalize(), None);
    /// ```
    pub fn normalize(&self) -> Option<Normalize> {
        self.normalize
    }
}

/// A mini-batch.
///
/// # Shapes
/// `images`: `[B, 1, rows, cols]`, `f32`, bytes scaled by 1/255 to `[0, 1]` and then normalised
/// if the [`BatchConfig`] says so; `labels` and `indices`: `B` entries.
///
/// # Example
/// ```
/// let ds = fovea_data::Dataset::new(vec![0, 255, 51, 102], vec![1, 0], 1, 2, 2)?;
/// let b = ds.batch_of(&[1, 0], None)?;
/// assert_eq!(b.images.shape(), &[2, 1, 1, 2]);
/// assert_eq!(b.images.to_vec(), vec![0.2, 0.4, 0.0, 1.0]);
/// assert_eq!((b.labels, b.indices), (vec![0, 1], vec![1, 0]));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Batch {
    /// The images, `[B, 1, rows, cols]`.
    pub images: Tensor,
    /// The class label of each image.
    pub labels: Vec<usize>,
    /// The index in the data set of each image.
    pub indices: Vec<usize>,
}

/// The iterator of [`Dataset::batches`] and [`Dataset::batches_with`]: one epoch of mini-batches.
///
/// Every image appears exactly once per epoch (unless `drop_last` drops the tail). It knows its
/// length ([`ExactSizeIterator`]).
///
/// # Example
/// ```
/// let ds = fovea_data::Dataset::new(vec![0; 5], vec![0; 5], 1, 1, 1)?;
/// let sizes: Vec<usize> = ds.batches(2, 0)?.map(|b| b.labels.len()).collect();
/// assert_eq!(sizes, vec![2, 2, 1]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Batches<'a> {
    dataset: &'a Dataset,
    order: Vec<usize>,
    position: usize,
    config: BatchConfig,
}

impl Iterator for Batches<'_> {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        let rest = self.order.len() - self.position;
        let take = rest.min(self.config.batch_size);
        if take == 0 || (self.config.drop_last && take < self.config.batch_size) {
            return None;
        }
        let indices = &self.order[self.position..self.position + take];
        self.position += take;
        Some(self.dataset.make_batch(indices, self.config.normalize))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let rest = self.order.len() - self.position;
        let b = self.config.batch_size;
        let n = if self.config.drop_last {
            rest / b
        } else {
            rest.div_ceil(b)
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for Batches<'_> {}

impl Dataset {
    /// One epoch of shuffled mini-batches of `batch_size` images; the last batch keeps the
    /// remaining images even when fewer than `batch_size` (use [`Dataset::batches_with`] and
    /// [`BatchConfig::with_drop_last`] to drop it). The same `seed` gives the same order; pass a
    /// new seed each epoch (e.g. `base_seed + epoch`).
    ///
    /// PyTorch equivalent: `DataLoader(ds, batch_size, shuffle=True)` (a different RNG, so not
    /// the same order as PyTorch's).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `batch_size` is 0.
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![0; 10], (0..10).collect(), 1, 1, 10)?;
    /// let a: Vec<Vec<usize>> = ds.batches(4, 42)?.map(|b| b.indices).collect();
    /// let b: Vec<Vec<usize>> = ds.batches(4, 42)?.map(|b| b.indices).collect();
    /// assert_eq!(a, b);
    /// assert_eq!(a.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 4, 2]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn batches(&self, batch_size: usize, seed: u64) -> Result<Batches<'_>> {
        self.batches_with(&BatchConfig::new(batch_size).with_shuffle(seed))
    }

    /// One epoch of mini-batches as `config` says.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the batch size is 0.
    ///
    /// # Example
    /// ```
    /// use fovea_data::{BatchConfig, Normalize};
    /// let ds = fovea_data::Dataset::new(vec![0, 255, 0], vec![0, 0, 0], 1, 1, 1)?;
    /// let cfg = BatchConfig::new(2).with_drop_last(true).with_normalize(Normalize::new(0.5, 0.5)?);
    /// let batches: Vec<_> = ds.batches_with(&cfg)?.collect();
    /// assert_eq!(batches.len(), 1);
    /// assert_eq!(batches[0].images.to_vec(), vec![-1.0, 1.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn batches_with(&self, config: &BatchConfig) -> Result<Batches<'_>> {
        if config.batch_size == 0 {
            return Err(Error::invalid_argument("batches", "batch_size must be > 0"));
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        if let Order::Shuffled(seed) = config.order {
            order.shuffle(&mut seeded_rng(seed));
        }
        Ok(Batches {
            dataset: self,
            order,
            position: 0,
            config: *config,
        })
    }

    /// The images at `indices` as one [`Batch`], optionally normalised.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when an index is not below `self.len()`.
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![0, 255], vec![0, 1], 1, 1, 2)?;
    /// assert_eq!(ds.batch_of(&[1], None)?.images.to_vec(), vec![1.0]);
    /// assert!(ds.batch_of(&[2], None).is_err());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn batch_of(&self, indices: &[usize], normalize: Option<Normalize>) -> Result<Batch> {
        if let Some(&i) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(Error::invalid_argument(
                "batch_of",
                format!("index {i} out of range for {} images", self.len()),
            ));
        }
        Ok(self.make_batch(indices, normalize))
    }

    fn make_batch(&self, indices: &[usize], normalize: Option<Normalize>) -> Batch {
        // Bytes to f32 through a 256-entry table: one lookup per pixel, normalisation included.
        let mut table = [0f32; 256];
        for (v, t) in table.iter_mut().enumerate() {
            let x = v as f32 / 255.0;
            *t = normalize.map_or(x, |n| n.apply(x));
        }
        let size = self.rows() * self.cols();
        let mut data = Vec::with_capacity(indices.len() * size);
        for &i in indices {
            data.extend(self.image(i).iter().map(|&p| table[p as usize]));
        }
        let images = Tensor::from_vec(data, &[indices.len(), 1, self.rows(), self.cols()])
            .expect("internal: batch data matches its shape");
        Batch {
            images,
            labels: indices.iter().map(|&i| self.label(i) as usize).collect(),
            indices: indices.to_vec(),
        }
    }
}
