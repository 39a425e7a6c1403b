//! What every example program shares: logging, threads, data loading, progress bars.
#![allow(dead_code)] // each example uses a different part

use std::path::PathBuf;

use fovea::data::{DataSource, FashionMnist};
use fovea::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};

pub mod alloc;

/// Logs to stderr at INFO (override with `RUST_LOG`-style levels through `FOVEA_LOG=debug`).
///
/// Also keeps freed memory mapped ([`alloc::keep_freed_memory`]): every example calls this first.
pub fn init_logging() {
    alloc::keep_freed_memory();
    let level = match std::env::var("FOVEA_LOG").as_deref() {
        Ok("debug") => tracing::Level::DEBUG,
        Ok("warn") => tracing::Level::WARN,
        _ => tracing::Level::INFO,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
}

/// Sizes the one rayon pool fovea uses (must run before any computation).
pub fn set_threads(threads: Option<usize>) {
    if let Some(n) = threads
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
    {
        tracing::warn!("could not set {n} threads: {e}");
    }
}

/// Fashion-MNIST from `--data`, `FOVEA_DATA`, the Debian package, or the embedded subset
/// (`embedded` forces the subset even when a full set is installed).
pub fn load_fashion(data: Option<PathBuf>, embedded: bool) -> Result<FashionMnist> {
    let source = if embedded {
        DataSource::Embedded
    } else {
        DataSource::from_arg(data)
    };
    let set = FashionMnist::load(&source)?;
    tracing::info!(
        "Fashion-MNIST from {}: {} train / {} test images",
        set.origin,
        set.train.len(),
        set.test.len()
    );
    Ok(set)
}

/// A progress bar over the batches of one epoch.
pub fn epoch_bar(batches: usize, label: &str) -> ProgressBar {
    let bar = ProgressBar::new(batches as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>14} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar
}

pub mod plot;

/// The default output folder of the experiment examples' plots.
pub const DEFAULT_PLOT_DIR: &str = "target/fovea-plots";

/// The plot folder of `example`: `--out` when given, else `target/fovea-plots/<example>`; created
/// if missing.
pub fn plot_dir(out: Option<&std::path::Path>, example: &str) -> Result<PathBuf> {
    let dir = out.map_or_else(
        || std::path::Path::new(DEFAULT_PLOT_DIR).join(example),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io {
        op: example.to_string(),
        path: dir.clone(),
        source: e,
    })?;
    Ok(dir)
}
