//! Pretrains the AlexNet-style CNN (conv → ReLU → LRN → max-pool, twice; fc → dropout → fc) on
//! Fashion-MNIST classes 0–4 and writes `checkpoints/pretrained.fovea` for `finetune`.
//!
//! Run: `cargo run --release --example pretrain` (embedded subset by default;
//! `--data DIR` or the `dataset-fashion-mnist` package for the full set; `--all-classes` trains
//! on all 10 classes instead).

mod common;

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use fovea::checkpoint::{Checkpoint, Metadata};
use fovea::data::{BatchConfig, CLASS_NAMES, Normalize};
use fovea::optim::{ParamGroup, Sgd, SgdConfig};
use fovea::prelude::*;

#[derive(Parser, Debug)]
#[command(about = "Pretrain the AlexNet-style CNN on Fashion-MNIST classes 0-4")]
struct Args {
    /// Passes over the training images.
    #[arg(long, default_value_t = 8)]
    epochs: usize,
    /// Learning rate of SGD (momentum 0.9, weight decay 5e-4).
    #[arg(long, default_value_t = 0.02)]
    lr: f32,
    /// Images per mini-batch.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Seed of the initialisation, the shuffling and dropout.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Folder with the Fashion-MNIST IDX files (default: $FOVEA_DATA, the Debian package, or the embedded subset).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Use the embedded subset even when a full data set is installed.
    #[arg(long)]
    embedded: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Where to write the checkpoint.
    #[arg(long, default_value = "checkpoints/pretrained.fovea")]
    output: PathBuf,
    /// Anneal the learning rate to 0 along a cosine over the epochs (default: constant).
    #[arg(long)]
    cosine: bool,
    /// Train on all 10 classes (the full-data benchmark) instead of classes 0-4.
    #[arg(long)]
    all_classes: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    common::init_logging();
    common::set_threads(args.threads);
    let fashion = common::load_fashion(args.data.clone(), args.embedded)?;
    let classes: Vec<u8> = if args.all_classes {
        (0..10).collect()
    } else {
        (0..5).collect()
    };
    let train = fashion
        .train
        .filter_classes(&classes)?
        .remap_labels(&classes)?;
    let test = fashion
        .test
        .filter_classes(&classes)?
        .remap_labels(&classes)?;
    tracing::info!(
        "classes {classes:?}: {} train / {} test images",
        train.len(),
        test.len()
    );

    let mut net = fovea::models::fashion_alexnet(classes.len(), args.seed)?;
    println!("{}", summary(&net, &[1, 1, 28, 28])?);
    // As AlexNet: weight decay on the weights, none on the biases.
    let config = SgdConfig::new(args.lr)
        .with_momentum(0.9)
        .with_weight_decay(5e-4);
    let mut opt = Sgd::new(net.parameters(), config)?
        .with_group(ParamGroup::matching(&["*.bias"]).with_weight_decay(0.0))?;
    let normalize = Normalize::FASHION_MNIST;
    let started = Instant::now();
    let mut test_stats = Default::default();
    let schedule = fovea::optim::CosineAnnealing {
        t_max: args.epochs,
        eta_min: 0.0,
    };
    for epoch in 0..args.epochs {
        if args.cosine {
            use fovea::optim::LrSchedule;
            opt.set_lr(schedule.lr(opt.initial_lr(), epoch));
        }
        net.set_training(true);
        let batches = train.batches_with(
            &BatchConfig::new(args.batch_size)
                .with_shuffle(args.seed * 1000 + epoch as u64)
                .with_normalize(normalize),
        )?;
        let bar = common::epoch_bar(
            batches.len(),
            &format!("epoch {}/{}", epoch + 1, args.epochs),
        );
        let stats = fovea::train::train_epoch(&net, &mut opt, batches, |s| {
            bar.set_message(format!("loss {:.3} acc {:.3}", s.loss, s.accuracy));
            bar.inc(1);
        })?;
        bar.finish_and_clear();
        net.set_training(false);
        test_stats = fovea::train::evaluate(&net, &test, 256, Some(normalize))?;
        tracing::info!(
            "epoch {}/{}: train loss {:.4} acc {:.4} | test loss {:.4} acc {:.4} | {:.1}s",
            epoch + 1,
            args.epochs,
            stats.loss,
            stats.accuracy,
            test_stats.loss,
            test_stats.accuracy,
            started.elapsed().as_secs_f32()
        );
    }
    if let Some(dir) = args.output.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io {
            op: "pretrain".into(),
            path: dir.to_path_buf(),
            source: e,
        })?;
    }
    let names: Vec<&str> = classes.iter().map(|&c| CLASS_NAMES[c as usize]).collect();
    let metadata = Metadata::new("fovea::models::fashion_alexnet")
        .with_class_names(&names)
        .with_epoch(args.epochs as u64)
        .with_step(opt.steps())
        .with_extra("data", &fashion.origin.to_string())
        .with_extra("test_accuracy", &format!("{:.4}", test_stats.accuracy))
        .with_extra("lr", &args.lr.to_string());
    Checkpoint::from_module(&net, metadata)
        .with_optimizer(&opt)
        .save(&args.output)?;
    println!(
        "test accuracy on classes {classes:?}: {:.2}% after {} epochs ({:.1}s); checkpoint written to {}",
        100.0 * test_stats.accuracy,
        args.epochs,
        started.elapsed().as_secs_f32(),
        args.output.display()
    );
    Ok(())
}
