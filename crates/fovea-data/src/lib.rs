//! # fovea-data
//!
//! Data for fovea: an [`IdxFile`] reader and writer for MNIST-format files (plain or gzip),
//! [`Dataset`] (u8 images with class labels: keep-classes filter, label remapping,
//! n-images-per-class limit, splits), seeded shuffled mini-batches of `f32` tensors
//! ([`Dataset::batches`]), and [`FashionMnist`]: the full set from a directory, `$FOVEA_DATA` or
//! Debian's `dataset-fashion-mnist` package, or else a stratified 10,000-image subset embedded in
//! this crate. Most users reach it through the `fovea` facade.
//!
//! ```
//! use fovea_data::{BatchConfig, DataSource, FashionMnist, Normalize};
//! let data = FashionMnist::load(&DataSource::Embedded)?;
//! // Fine-tune on classes 5-9 (Sandal .. Ankle boot) with a 5-way head, 100 images per class.
//! let classes = [5, 6, 7, 8, 9];
//! let train = data.train.filter_classes(&classes)?.remap_labels(&classes)?.limit_per_class(100, 0);
//! assert_eq!(train.class_counts(), vec![100; 5]);
//! let cfg = BatchConfig::new(64).with_shuffle(1).with_normalize(Normalize::FASHION_MNIST);
//! for batch in train.batches_with(&cfg)? {
//!     assert_eq!(&batch.images.shape()[1..], &[1, 28, 28]);
//!     assert!(batch.labels.iter().all(|&l| l < 5));
//! }
//! # Ok::<(), fovea_tensor::Error>(())
//! ```
//!
//! ## fovea for PyTorch users
//!
//! | PyTorch / torchvision                                   | fovea-data                                          |
//! |---------------------------------------------------------|-----------------------------------------------------|
//! | `datasets.FashionMNIST(root, train=True)`               | `FashionMnist::load(&DataSource::Dir(root))?.train` |
//! | `transforms.ToTensor()`                                 | automatic: bytes / 255 in every [`Batch`]           |
//! | `transforms.Normalize((m,), (s,))`                      | [`BatchConfig::with_normalize`]`(Normalize::new(m, s)?)` |
//! | `DataLoader(ds, batch_size=b, shuffle=True)`            | `ds.batches(b, seed)?` (a new seed per epoch)       |
//! | `DataLoader(ds, b, shuffle=False, drop_last=True)`      | `ds.batches_with(&BatchConfig::new(b).with_drop_last(true))?` |
//! | `torch.utils.data.Subset(ds, indices)`                  | [`Dataset::subset`]                                 |
#![warn(missing_docs)]

mod batch;
mod dataset;
mod fashion;
mod idx;

pub use batch::{Batch, BatchConfig, Batches, Normalize, Order};
pub use dataset::{Dataset, MNIST_NUM_CLASSES};
pub use fashion::{
    CLASS_NAMES, DataSource, EMBEDDED_TEST_PER_CLASS, EMBEDDED_TRAIN_PER_CLASS, ENV_VAR,
    FILE_NAMES, FashionMnist, Origin, SYSTEM_DIR,
};
pub use idx::{IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IdxFile};
