//! fovea-data integration tests: one binary, a module per subject.

mod batches;
mod dataset;
mod fashion;
mod idx;

use std::path::{Path, PathBuf};

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("fovea-data-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Raw IDX bytes: magic, dims, data, written as given (for broken files).
pub fn idx_bytes(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// Gzip-compresses `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A small data set: `per_class` images of each of `classes` classes, interleaved
/// (labels 0, 1, .., k-1, 0, 1, ..), image i filled with the byte i % 256, 2x3 pixels.
pub fn toy(classes: u8, per_class: usize) -> fovea_data::Dataset {
    let n = classes as usize * per_class;
    let labels: Vec<u8> = (0..n).map(|i| (i % classes as usize) as u8).collect();
    let images: Vec<u8> = (0..n).flat_map(|i| [(i % 256) as u8; 6]).collect();
    fovea_data::Dataset::new(images, labels, 2, 3, classes as usize).unwrap()
}
