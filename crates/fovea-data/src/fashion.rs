//! Fashion-MNIST: the full set from a directory, or the subset embedded in this crate.
//!
//! Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017, <https://arxiv.org/abs/1708.07747>) is
//! Copyright (c) 2017 Zalando SE and released under the MIT licence; see
//! `data/LICENSE-fashion-mnist` in this crate.

use std::fmt;
use std::path::{Path, PathBuf};

use fovea_tensor::{Error, Result};

use crate::Dataset;
use crate::idx::{IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IdxFile};

/// The ten Fashion-MNIST classes, indexed by label.
pub const CLASS_NAMES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// The environment variable naming a directory with the full Fashion-MNIST files.
pub const ENV_VAR: &str = "FOVEA_DATA";

/// Where Debian's package `dataset-fashion-mnist` installs the full set.
pub const SYSTEM_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// Images per class in the embedded train subset (the first 800 of each class of the official
/// train split, in file order): 8,000 in all.
pub const EMBEDDED_TRAIN_PER_CLASS: usize = 800;

/// Images per class in the embedded test subset (the first 200 of each class of the official
/// test split, in file order): 2,000 in all.
pub const EMBEDDED_TEST_PER_CLASS: usize = 200;

/// The file names looked for in a directory, each plain or with `.gz`: train images, train
/// labels, test images, test labels (the names of the original distribution and of MNIST).
pub const FILE_NAMES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// The embedded subset: gzip'd IDX files written by `scripts/make_fashion_subset.py`.
const EMBEDDED: [(&str, &[u8]); 4] = [
    (
        "fashion-subset-train-images-idx3-ubyte.gz",
        include_bytes!("../data/fashion-subset-train-images-idx3-ubyte.gz"),
    ),
    (
        "fashion-subset-train-labels-idx1-ubyte.gz",
        include_bytes!("../data/fashion-subset-train-labels-idx1-ubyte.gz"),
    ),
    (
        "fashion-subset-test-images-idx3-ubyte.gz",
        include_bytes!("../data/fashion-subset-test-images-idx3-ubyte.gz"),
    ),
    (
        "fashion-subset-test-labels-idx1-ubyte.gz",
        include_bytes!("../data/fashion-subset-test-labels-idx1-ubyte.gz"),
    ),
];

/// Where [`FashionMnist::load`] looks for the data.
///
/// # Example
/// ```
/// use fovea_data::DataSource;
/// // `--data DIR` given or not:
/// assert_eq!(DataSource::from_arg(Some("/data/fashion")), DataSource::Dir("/data/fashion".into()));
/// assert_eq!(DataSource::from_arg(None::<&str>), DataSource::Auto);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DataSource {
    /// In order: the directory in `$FOVEA_DATA` when set (an error if the files are not there),
    /// then [`SYSTEM_DIR`] when it holds the four files, else the embedded subset (with a
    /// `tracing` info line saying so).
    #[default]
    Auto,
    /// This directory only (an error if the files are not there): e.g. from `--data DIR`.
    Dir(PathBuf),
    /// The embedded subset only.
    Embedded,
}

impl DataSource {
    /// [`DataSource::Dir`] when a directory is given (e.g. a `--data DIR` argument), else
    /// [`DataSource::Auto`].
    ///
    /// # Example
    /// ```
    /// use fovea_data::DataSource;
    /// let dir: Option<std::path::PathBuf> = None;
    /// assert_eq!(DataSource::from_arg(dir), DataSource::Auto);
    /// ```
    pub fn from_arg(dir: Option<impl Into<PathBuf>>) -> Self {
        dir.map_or(DataSource::Auto, |d| DataSource::Dir(d.into()))
    }

    /// Where the data would be loaded from, without reading it: the lookup of
    /// [`FashionMnist::load`].
    ///
    /// # Errors
    /// [`Error::Io`] (kind `NotFound`) naming the first missing file when a [`DataSource::Dir`]
    /// or the `$FOVEA_DATA` directory lacks one of [`FILE_NAMES`] (plain or `.gz`).
    ///
    /// # Example
    /// ```
    /// use fovea_data::{DataSource, Origin};
    /// assert_eq!(DataSource::Embedded.locate()?, Origin::Embedded);
    /// let err = DataSource::Dir("/nonexistent".into()).locate().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "fashion-mnist load: /nonexistent/train-images-idx3-ubyte: neither this file nor its .gz exists"
    /// );
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn locate(&self) -> Result<Origin> {
        match self {
            DataSource::Dir(dir) => {
                find_files(dir)?;
                Ok(Origin::Dir(dir.clone()))
            }
            DataSource::Embedded => Ok(Origin::Embedded),
            DataSource::Auto => {
                if let Some(dir) = std::env::var_os(ENV_VAR).filter(|d| !d.is_empty()) {
                    let dir = PathBuf::from(dir);
                    find_files(&dir)?;
                    return Ok(Origin::Env(dir));
                }
                let system = PathBuf::from(SYSTEM_DIR);
                if find_files(&system).is_ok() {
                    return Ok(Origin::System(system));
                }
                Ok(Origin::Embedded)
            }
        }
    }
}

/// Where a [`FashionMnist`] was loaded from.
///
/// # Example
/// ```
/// use fovea_data::Origin;
/// assert!(Origin::Embedded.is_embedded());
/// assert_eq!(Origin::Embedded.to_string(), "the embedded Fashion-MNIST subset");
/// assert_eq!(Origin::Dir("/d".into()).to_string(), "/d");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A directory given explicitly ([`DataSource::Dir`]).
    Dir(PathBuf),
    /// The directory in `$FOVEA_DATA`.
    Env(PathBuf),
    /// [`SYSTEM_DIR`] (Debian package `dataset-fashion-mnist`).
    System(PathBuf),
    /// The subset embedded in this crate.
    Embedded,
}

impl Origin {
    /// Whether this is the embedded subset (not the full set).
    ///
    /// # Example
    /// ```
    /// assert!(!fovea_data::Origin::System("/usr/share/datasets/fashion-mnist".into()).is_embedded());
    /// ```
    pub fn is_embedded(&self) -> bool {
        matches!(self, Origin::Embedded)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Dir(d) => write!(f, "{}", d.display()),
            Origin::Env(d) => write!(f, "{} (from ${ENV_VAR})", d.display()),
            Origin::System(d) => write!(f, "{}", d.display()),
            Origin::Embedded => f.write_str("the embedded Fashion-MNIST subset"),
        }
    }
}

/// Fashion-MNIST's train and test sets, and where they came from.
///
/// The full set has 60,000 train and 10,000 test images of 28×28; the embedded subset 8,000
/// (800 per class) and 2,000 (200 per class). Labels index [`CLASS_NAMES`].
///
/// PyTorch equivalent: `torchvision.datasets.FashionMNIST(root, train=True/False)`.
///
/// # Example
/// ```
/// use fovea_data::{DataSource, FashionMnist, CLASS_NAMES};
/// let data = FashionMnist::load(&DataSource::Embedded)?;
/// assert_eq!((data.train.len(), data.test.len()), (8000, 2000));
/// assert_eq!(data.test.class_counts(), vec![200; 10]);
/// assert_eq!(CLASS_NAMES[data.train.label(0) as usize], "Ankle boot");
/// assert!(data.origin.is_embedded());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FashionMnist {
    /// The train set.
    pub train: Dataset,
    /// The test set.
    pub test: Dataset,
    /// Where both came from.
    pub origin: Origin,
}

impl FashionMnist {
    /// Loads train and test sets from the first place `source` finds (see [`DataSource`]).
    /// Logs the origin with `tracing::info!`; for the embedded subset the line says how to get
    /// the full set.
    ///
    /// # Errors
    /// As [`DataSource::locate`], then as [`Dataset::from_idx_files`] for each pair of files.
    ///
    /// # Example
    /// ```
    /// use fovea_data::{DataSource, FashionMnist};
    /// // The full set when installed or named by $FOVEA_DATA, else the embedded subset.
    /// let data = FashionMnist::load(&DataSource::Auto)?;
    /// assert_eq!((data.train.rows(), data.train.cols()), (28, 28));
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn load(source: &DataSource) -> Result<Self> {
        let origin = source.locate()?;
        let (train, test) = match &origin {
            Origin::Dir(dir) | Origin::Env(dir) | Origin::System(dir) => {
                let [train_img, train_lab, test_img, test_lab] = find_files(dir)?;
                // Train and test decompress in parallel: the train images are 26 MB of gzip.
                let (train, test) = std::thread::scope(|s| {
                    let train = s.spawn(|| Dataset::from_idx_files(&train_img, &train_lab));
                    let test = Dataset::from_idx_files(&test_img, &test_lab);
                    (train.join(), test)
                });
                let train = train.unwrap_or_else(|e| std::panic::resume_unwind(e))?;
                let (train, test) = (train, test?);
                tracing::info!(
                    "loaded Fashion-MNIST from {origin} ({} train / {} test images)",
                    train.len(),
                    test.len()
                );
                (train, test)
            }
            Origin::Embedded => {
                let (train, test) = (embedded_pair(0)?, embedded_pair(2)?);
                tracing::info!(
                    "using the embedded Fashion-MNIST subset ({} train / {} test images); \
                     install dataset-fashion-mnist or pass --data for the full set",
                    train.len(),
                    test.len()
                );
                (train, test)
            }
        };
        Ok(FashionMnist {
            train,
            test,
            origin,
        })
    }
}

/// The images and labels of the embedded files at `EMBEDDED[first]` and `EMBEDDED[first + 1]`.
fn embedded_pair(first: usize) -> Result<Dataset> {
    let name = |i: usize| Path::new("<embedded>").join(EMBEDDED[i].0);
    let (img_path, lab_path) = (name(first), name(first + 1));
    let img = IdxFile::parse_expecting(EMBEDDED[first].1, &img_path, IDX_IMAGES_MAGIC)?;
    let lab = IdxFile::parse_expecting(EMBEDDED[first + 1].1, &lab_path, IDX_LABELS_MAGIC)?;
    Dataset::from_idx(img, &img_path, lab, &lab_path)
}

/// The paths of [`FILE_NAMES`] in `dir`, each the plain file if present, else its `.gz`.
fn find_files(dir: &Path) -> Result<[PathBuf; 4]> {
    let find = |name: &str| -> Result<PathBuf> {
        let plain = dir.join(name);
        if plain.is_file() {
            return Ok(plain);
        }
        let gz = dir.join(format!("{name}.gz"));
        if gz.is_file() {
            return Ok(gz);
        }
        Err(Error::Io {
            op: "fashion-mnist load".into(),
            path: plain,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "neither this file nor its .gz exists",
            ),
        })
    };
    Ok([
        find(FILE_NAMES[0])?,
        find(FILE_NAMES[1])?,
        find(FILE_NAMES[2])?,
        find(FILE_NAMES[3])?,
    ])
}
