//! [`Dataset`]: u8 images `[N, rows, cols]` with u8 class labels, and the selections on it.

use std::path::Path;

use fovea_tensor::{Error, Result, seeded_rng};
use rand::seq::SliceRandom;

use crate::idx::{IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IdxFile};

/// Number of classes of an MNIST-format data set (digits, Fashion-MNIST articles).
pub const MNIST_NUM_CLASSES: usize = 10;

/// Grey-scale images `[N, rows, cols]` as bytes (0 = black, 255 = white) with one class label
/// each, all below [`Dataset::num_classes`].
///
/// Selections ([`Dataset::filter_classes`], [`Dataset::limit_per_class`], [`Dataset::split`],
/// ...) return new data sets and keep the images' relative order; [`Dataset::batches`] turns one
/// into shuffled mini-batches of `f32` tensors.
///
/// PyTorch equivalent: `torchvision.datasets.FashionMNIST` (its `data` and `targets`).
///
/// # Example
/// ```
/// use fovea_data::Dataset;
/// // Four 1x2 images of classes 0, 1, 1, 2 (3 classes).
/// let ds = Dataset::new(vec![0, 255, 1, 2, 3, 4, 5, 6], vec![0, 1, 1, 2], 1, 2, 3)?;
/// assert_eq!(ds.len(), 4);
/// assert_eq!(ds.image(0), &[0, 255]);
/// assert_eq!(ds.class_counts(), vec![1, 2, 1]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    images: Vec<u8>,
    labels: Vec<u8>,
    rows: usize,
    cols: usize,
    num_classes: usize,
}

impl Dataset {
    /// Makes a data set from row-major image bytes `[N, rows, cols]` and N labels.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `images.len() != labels.len() * rows * cols`, when
    /// `num_classes` is 0 or above 256, or when a label is not below `num_classes`.
    ///
    /// # Example
    /// ```
    /// let err = fovea_data::Dataset::new(vec![0; 4], vec![0, 3], 1, 2, 3).unwrap_err();
    /// assert_eq!(err.to_string(), "dataset: label 3 at index 1 is not below 3 (the number of classes)");
    /// ```
    pub fn new(
        images: Vec<u8>,
        labels: Vec<u8>,
        rows: usize,
        cols: usize,
        num_classes: usize,
    ) -> Result<Self> {
        let op = "dataset";
        if num_classes == 0 || num_classes > 256 {
            return Err(Error::invalid_argument(
                op,
                format!("num_classes must be in 1..=256, got {num_classes}"),
            ));
        }
        let need = labels
            .len()
            .checked_mul(rows)
            .and_then(|n| n.checked_mul(cols));
        if need != Some(images.len()) {
            return Err(Error::invalid_argument(
                op,
                format!(
                    "{} labels of {rows}x{cols} images need {} image bytes, got {}",
                    labels.len(),
                    need.map_or("too many".to_string(), |n| n.to_string()),
                    images.len()
                ),
            ));
        }
        if let Some(reason) = bad_label(&labels, num_classes) {
            return Err(Error::invalid_argument(op, reason));
        }
        Ok(Dataset {
            images,
            labels,
            rows,
            cols,
            num_classes,
        })
    }

    /// Reads an MNIST-format pair of IDX files (each plain or gzip, see [`IdxFile::read`]):
    /// images with magic `0x00000803` and labels with magic `0x00000801`, 10 classes.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Format`] naming the file at fault: unreadable, corrupt gzip,
    /// truncated, wrong magic, a label count different from the image count (names the labels
    /// file), or a label of 10 or more (names the labels file).
    ///
    /// # Example
    /// ```
    /// use fovea_data::{Dataset, IdxFile};
    /// let dir = std::env::temp_dir();
    /// let (img, lab) = (dir.join("fovea-doc-img.gz"), dir.join("fovea-doc-lab"));
    /// IdxFile::new(vec![2, 2, 2], vec![0, 1, 2, 3, 4, 5, 6, 7])?.write(&img)?;
    /// IdxFile::new(vec![2], vec![9, 4])?.write(&lab)?;
    /// let ds = Dataset::from_idx_files(&img, &lab)?;
    /// assert_eq!((ds.len(), ds.rows(), ds.cols(), ds.labels()), (2, 2, 2, &[9u8, 4][..]));
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn from_idx_files(images: impl AsRef<Path>, labels: impl AsRef<Path>) -> Result<Self> {
        let (images, labels) = (images.as_ref(), labels.as_ref());
        let img = IdxFile::read_expecting(images, IDX_IMAGES_MAGIC)?;
        let lab = IdxFile::read_expecting(labels, IDX_LABELS_MAGIC)?;
        Self::from_idx(img, images, lab, labels)
    }

    /// Pairs an images and a labels [`IdxFile`] already read and checked for their magic.
    pub(crate) fn from_idx(
        img: IdxFile,
        img_path: &Path,
        lab: IdxFile,
        lab_path: &Path,
    ) -> Result<Self> {
        let format = |reason: String| Error::Format {
            op: "idx read".into(),
            path: lab_path.to_path_buf(),
            reason,
        };
        let (dims, images) = img.into_parts();
        let (_, labels) = lab.into_parts();
        if labels.len() != dims[0] {
            return Err(format(format!(
                "{} labels for {} images in {}",
                labels.len(),
                dims[0],
                img_path.display()
            )));
        }
        if let Some(reason) = bad_label(&labels, MNIST_NUM_CLASSES) {
            return Err(format(reason));
        }
        Ok(Dataset {
            images,
            labels,
            rows: dims[1],
            cols: dims[2],
            num_classes: MNIST_NUM_CLASSES,
        })
    }

    /// Number of images.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::Dataset::new(vec![0; 6], vec![0, 1, 0], 1, 2, 2)?.len(), 3);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_data::Dataset::new(vec![], vec![], 28, 28, 10)?.is_empty());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image height.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::Dataset::new(vec![0; 6], vec![0], 2, 3, 1)?.rows(), 2);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Image width.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::Dataset::new(vec![0; 6], vec![0], 2, 3, 1)?.cols(), 3);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Number of classes: every label is below it. 10 for MNIST-format files; the number of
    /// classes kept after [`Dataset::remap_labels`].
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::Dataset::new(vec![0; 2], vec![0, 4], 1, 1, 5)?.num_classes(), 5);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// All image bytes, row-major `[N, rows, cols]`.
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![1, 2], vec![0, 0], 1, 1, 1)?;
    /// assert_eq!(ds.images(), &[1, 2]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn images(&self) -> &[u8] {
        &self.images
    }

    /// All labels.
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![1, 2], vec![1, 0], 1, 1, 2)?;
    /// assert_eq!(ds.labels(), &[1, 0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The bytes of image `i`, row-major `[rows, cols]`.
    ///
    /// # Panics
    /// When `i >= self.len()`, as slice indexing.
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![1, 2, 3, 4], vec![0, 0], 1, 2, 1)?;
    /// assert_eq!(ds.image(1), &[3, 4]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn image(&self, i: usize) -> &[u8] {
        let size = self.rows * self.cols;
        &self.images[i * size..(i + 1) * size]
    }

    /// The label of image `i`.
    ///
    /// # Panics
    /// When `i >= self.len()`, as slice indexing.
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![1, 2], vec![0, 1], 1, 1, 2)?;
    /// assert_eq!(ds.label(1), 1);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    /// Number of images of each class, indexed by label (`num_classes` entries).
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![0; 4], vec![2, 0, 2, 2], 1, 1, 4)?;
    /// assert_eq!(ds.class_counts(), vec![1, 0, 3, 0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.num_classes];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }

    /// The images at `indices`, in that order (an index may repeat).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when an index is not below `self.len()`.
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![10, 11, 12], vec![0, 1, 2], 1, 1, 3)?;
    /// assert_eq!(ds.subset(&[2, 0])?.images(), &[12, 10]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn subset(&self, indices: &[usize]) -> Result<Dataset> {
        if let Some(&i) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(Error::invalid_argument(
                "subset",
                format!("index {i} out of range for {} images", self.len()),
            ));
        }
        Ok(self.select(indices))
    }

    /// The same selection as `subset`, for indices known to be in range.
    fn select(&self, indices: &[usize]) -> Dataset {
        let size = self.rows * self.cols;
        let mut images = Vec::with_capacity(indices.len() * size);
        for &i in indices {
            images.extend_from_slice(self.image(i));
        }
        Dataset {
            images,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            rows: self.rows,
            cols: self.cols,
            num_classes: self.num_classes,
        }
    }

    /// Keeps only the images whose label is in `classes`, in their original order, with their
    /// labels unchanged (follow with [`Dataset::remap_labels`] to train a `classes.len()`-way
    /// head).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `classes` is empty, repeats a class, or names a class not
    /// below [`Dataset::num_classes`].
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![0, 1, 2, 3], vec![0, 5, 9, 5], 1, 1, 10)?;
    /// let kept = ds.filter_classes(&[5, 9])?;
    /// assert_eq!((kept.images(), kept.labels()), (&[1u8, 2, 3][..], &[5u8, 9, 5][..]));
    /// assert_eq!(kept.num_classes(), 10);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn filter_classes(&self, classes: &[u8]) -> Result<Dataset> {
        let member = self.class_table("filter_classes", classes)?;
        let indices: Vec<usize> = (0..self.len())
            .filter(|&i| member[self.labels[i] as usize].is_some())
            .collect();
        Ok(self.select(&indices))
    }

    /// Renumbers the labels: an image of class `classes[j]` gets label `j`, and
    /// [`Dataset::num_classes`] becomes `classes.len()`. Fine-tuning on classes 5–9 then trains a
    /// 5-way head: `ds.filter_classes(&[5, 6, 7, 8, 9])?.remap_labels(&[5, 6, 7, 8, 9])?`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `classes` is empty, repeats a class, names a class not
    /// below [`Dataset::num_classes`], or an image's label is not among `classes` (filter first).
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![0; 3], vec![7, 5, 9], 1, 1, 10)?;
    /// let ds = ds.remap_labels(&[5, 7, 9])?;
    /// assert_eq!((ds.labels(), ds.num_classes()), (&[1u8, 0, 2][..], 3));
    /// let err = ds.remap_labels(&[0, 1]).unwrap_err();
    /// assert_eq!(err.to_string(), "remap_labels: label 2 at index 2 is not among the classes [0, 1]");
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn remap_labels(&self, classes: &[u8]) -> Result<Dataset> {
        let op = "remap_labels";
        let table = self.class_table(op, classes)?;
        let labels = self
            .labels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                table[l as usize].ok_or_else(|| {
                    Error::invalid_argument(
                        op,
                        format!("label {l} at index {i} is not among the classes {classes:?}"),
                    )
                })
            })
            .collect::<Result<Vec<u8>>>()?;
        Ok(Dataset {
            images: self.images.clone(),
            labels,
            rows: self.rows,
            cols: self.cols,
            num_classes: classes.len(),
        })
    }

    /// Validates a class list and returns, for every label, its position in the list.
    fn class_table(&self, op: &str, classes: &[u8]) -> Result<Vec<Option<u8>>> {
        if classes.is_empty() {
            return Err(Error::invalid_argument(op, "no classes given"));
        }
        let mut table = vec![None; self.num_classes];
        for (j, &c) in classes.iter().enumerate() {
            let slot = table.get_mut(c as usize).ok_or_else(|| {
                Error::invalid_argument(
                    op,
                    format!(
                        "class {c} is not below {} (the number of classes)",
                        self.num_classes
                    ),
                )
            })?;
            if slot.is_some() {
                return Err(Error::invalid_argument(
                    op,
                    format!("class {c} given twice in {classes:?}"),
                ));
            }
            // j < 256: at most num_classes <= 256 distinct classes.
            *slot = Some(j as u8);
        }
        Ok(table)
    }

    /// Splits into the first `at` images and the rest, keeping the order.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `at > self.len()`.
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![1, 2, 3], vec![0, 0, 0], 1, 1, 1)?;
    /// let (a, b) = ds.split(1)?;
    /// assert_eq!((a.images(), b.images()), (&[1u8][..], &[2u8, 3][..]));
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn split(&self, at: usize) -> Result<(Dataset, Dataset)> {
        if at > self.len() {
            return Err(Error::invalid_argument(
                "split",
                format!("split point {at} beyond {} images", self.len()),
            ));
        }
        let size = self.rows * self.cols;
        let part = |images: &[u8], labels: &[u8]| Dataset {
            images: images.to_vec(),
            labels: labels.to_vec(),
            rows: self.rows,
            cols: self.cols,
            num_classes: self.num_classes,
        };
        Ok((
            part(&self.images[..at * size], &self.labels[..at]),
            part(&self.images[at * size..], &self.labels[at..]),
        ))
    }

    /// Stratified split: after a shuffle seeded by `seed`, the first `n` images of each class go
    /// to the first data set and all others to the second. A class with `n` or fewer images goes
    /// wholly to the first. Both keep the original relative order of their images. A validation
    /// set of 500 images per class: `let (val, train) = ds.split_per_class(500, seed);`.
    ///
    /// The same seed always selects the same images (the shuffle is `fovea_tensor::seeded_rng`).
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![0; 6], vec![0, 1, 0, 1, 0, 1], 1, 1, 2)?;
    /// let (a, b) = ds.split_per_class(2, 7);
    /// assert_eq!((a.class_counts(), b.class_counts()), (vec![2, 2], vec![1, 1]));
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn split_per_class(&self, n: usize, seed: u64) -> (Dataset, Dataset) {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut seeded_rng(seed));
        let mut taken = vec![0usize; self.num_classes];
        let mut first = vec![false; self.len()];
        for i in order {
            let t = &mut taken[self.labels[i] as usize];
            if *t < n {
                *t += 1;
                first[i] = true;
            }
        }
        let (a, b): (Vec<usize>, Vec<usize>) = (0..self.len()).partition(|&i| first[i]);
        (self.select(&a), self.select(&b))
    }

    /// At most `n` images of each class, chosen after a shuffle seeded by `seed` (stratified, see
    /// [`Dataset::split_per_class`]), in their original relative order.
    ///
    /// # Example
    /// ```
    /// let ds = fovea_data::Dataset::new(vec![0; 5], vec![0, 0, 0, 1, 2], 1, 1, 3)?;
    /// assert_eq!(ds.limit_per_class(2, 0).class_counts(), vec![2, 1, 1]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn limit_per_class(&self, n: usize, seed: u64) -> Dataset {
        self.split_per_class(n, seed).0
    }
}

/// The message for the first label not below `num_classes`, if any.
fn bad_label(labels: &[u8], num_classes: usize) -> Option<String> {
    labels
        .iter()
        .position(|&l| l as usize >= num_classes)
        .map(|i| {
            format!(
                "label {} at index {i} is not below {num_classes} (the number of classes)",
                labels[i]
            )
        })
}
