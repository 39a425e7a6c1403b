//! [`Checkpoint`]: named tensors, optimizer state and metadata, saved atomically.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use fovea_layers::Module;
use fovea_optim::{NamedTensor, Sgd, SgdState};
use fovea_tensor::{Error, Result};
use serde::{Deserialize, Serialize};

use crate::format::{decode, encode};

/// Facts about a checkpoint besides the tensors.
///
/// # Example
/// ```
/// let m = fovea_checkpoint::Metadata::new("lenet").with_epoch(3).with_extra("dataset", "fashion-mnist");
/// assert_eq!(m.epoch, 3);
/// assert_eq!(m.extra["dataset"], "fashion-mnist");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The fovea version that wrote the file.
    pub fovea_version: String,
    /// A description of the architecture (free text, e.g. the model's summary or a name).
    pub architecture: String,
    /// Class names, in label order.
    pub class_names: Vec<String>,
    /// Completed epochs.
    pub epoch: u64,
    /// Completed optimizer steps.
    pub step: u64,
    /// Free-form key/values (dataset, hyper-parameters, accuracy, ...).
    pub extra: BTreeMap<String, String>,
}

impl Metadata {
    /// Metadata for the given architecture, stamped with this fovea version.
    ///
    /// # Example
    /// See [`Metadata`].
    pub fn new(architecture: &str) -> Self {
        Metadata {
            fovea_version: env!("CARGO_PKG_VERSION").to_string(),
            architecture: architecture.to_string(),
            ..Default::default()
        }
    }

    /// Sets the class names.
    ///
    /// # Example
    /// ```
    /// let m = fovea_checkpoint::Metadata::new("net").with_class_names(&["cat", "dog"]);
    /// assert_eq!(m.class_names, ["cat", "dog"]);
    /// ```
    pub fn with_class_names(mut self, names: &[&str]) -> Self {
        self.class_names = names.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Sets the epoch.
    ///
    /// # Example
    /// See [`Metadata`].
    pub fn with_epoch(mut self, epoch: u64) -> Self {
        self.epoch = epoch;
        self
    }

    /// Sets the step.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_checkpoint::Metadata::new("net").with_step(100).step, 100);
    /// ```
    pub fn with_step(mut self, step: u64) -> Self {
        self.step = step;
        self
    }

    /// Adds a free-form key/value.
    ///
    /// # Example
    /// See [`Metadata`].
    pub fn with_extra(mut self, key: &str, value: &str) -> Self {
        self.extra.insert(key.to_string(), value.to_string());
        self
    }
}

/// Everything a `.fovea` file holds (see [`crate::format`] for the bytes).
///
/// # Example
/// ```
/// use fovea_checkpoint::{Checkpoint, Metadata};
/// use fovea_layers::{LinearConfig, Module};
/// let fc = LinearConfig::new(4, 2).init(&mut fovea_tensor::seeded_rng(0))?;
/// let path = std::env::temp_dir().join(format!("fovea-doc-{}.fovea", std::process::id()));
/// Checkpoint::from_module(&fc, Metadata::new("fc")).save(&path)?;
///
/// let other = LinearConfig::new(4, 2).init(&mut fovea_tensor::seeded_rng(1))?;
/// let report = Checkpoint::load(&path)?.load_into(&other)?;
/// assert_eq!(report.loaded, ["weight", "bias"]);
/// assert_eq!(other.weight.value().to_vec(), fc.weight.value().to_vec());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Metadata.
    pub metadata: Metadata,
    /// Every parameter, by name, in the model's order.
    pub tensors: Vec<NamedTensor>,
    /// Optimizer state, if saved.
    pub optimizer: Option<SgdState>,
}

impl Checkpoint {
    /// A checkpoint of every parameter of `model` (frozen ones included).
    ///
    /// # Example
    /// See [`Checkpoint`].
    pub fn from_module(model: &dyn Module, metadata: Metadata) -> Self {
        let tensors = model
            .parameters()
            .iter()
            .map(|(n, v)| NamedTensor::from_tensor(n, &v.value()))
            .collect();
        Checkpoint {
            metadata,
            tensors,
            optimizer: None,
        }
    }

    /// Adds the optimizer's state (momentum buffers, step count, learning rate).
    ///
    /// # Example
    /// ```
    /// use fovea_checkpoint::{Checkpoint, Metadata};
    /// let opt = fovea_optim::Sgd::new(vec![], fovea_optim::SgdConfig::new(0.1))?;
    /// let fc = fovea_layers::LinearConfig::new(2, 2).init(&mut fovea_tensor::seeded_rng(0))?;
    /// let c = Checkpoint::from_module(&fc, Metadata::new("fc")).with_optimizer(&opt);
    /// assert!(c.optimizer.is_some());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn with_optimizer(mut self, optimizer: &Sgd) -> Self {
        self.optimizer = Some(optimizer.state());
        self
    }

    /// The tensor called `name`.
    ///
    /// # Example
    /// ```
    /// use fovea_checkpoint::{Checkpoint, Metadata};
    /// let fc = fovea_layers::LinearConfig::new(2, 3).init(&mut fovea_tensor::seeded_rng(0))?;
    /// let c = Checkpoint::from_module(&fc, Metadata::new("fc"));
    /// assert_eq!(c.tensor("weight").unwrap().shape, vec![3, 2]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn tensor(&self, name: &str) -> Option<&NamedTensor> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// Writes the checkpoint to `path` atomically: the bytes go to a temporary file in the same
    /// folder, which is synced to disk and then renamed over `path`. A crash at any moment leaves
    /// either the previous file or the new one, never a half-written file.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file when a write, sync or rename fails.
    ///
    /// # Example
    /// See [`Checkpoint`].
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let bytes = encode(self, path)?;
        let io = |e: std::io::Error, p: &Path| Error::Io {
            op: "checkpoint save".into(),
            path: p.to_path_buf(),
            source: e,
        };
        let tmp = temporary_path(path);
        let write = || -> std::io::Result<()> {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()
        };
        if let Err(e) = write() {
            fs::remove_file(&tmp).ok();
            return Err(io(e, &tmp));
        }
        fs::rename(&tmp, path).map_err(|e| {
            fs::remove_file(&tmp).ok();
            io(e, path)
        })?;
        // Make the rename itself durable (best effort: not every platform can sync a folder).
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = fs::File::open(dir)
        {
            d.sync_all().ok();
        }
        Ok(())
    }

    /// Reads and verifies a checkpoint (magic, version, length, checksum).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::Format`] naming the file when it is
    /// not a fovea checkpoint, has another format version, is truncated or corrupted.
    ///
    /// # Example
    /// See [`Checkpoint`].
    pub fn load(path: impl AsRef<Path>) -> Result<Checkpoint> {
        let path = path.as_ref();
        let bytes = fs::read(path).map_err(|e| Error::Io {
            op: "checkpoint load".into(),
            path: path.to_path_buf(),
            source: e,
        })?;
        decode(&bytes, path)
    }
}

/// `dir/.name.tmp-<pid>`: in the same folder, so that the rename never crosses file systems.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}
