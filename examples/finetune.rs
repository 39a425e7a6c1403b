//! Fine-tunes the pretrained CNN (from `pretrain`) on Fashion-MNIST classes 5–9 with only 50
//! images per class, and compares, on the held-out test images of those classes:
//!
//! - **fine-tuned**: pretrained features frozen (conv layers), classifier (fc1, new fc2) trained;
//! - **feature extractor**: everything frozen but the new head (fc2);
//! - **from scratch**: the same network, randomly initialised, all layers trained on the same images.
//!
//! Each is run with several seeds (which 50 images per class, head initialisation, shuffling,
//! dropout); the table shows mean ± standard deviation of the test accuracy.
//!
//! Run: `cargo run --release --example pretrain && cargo run --release --example finetune`

mod common;

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use fovea::checkpoint::{Checkpoint, freeze};
use fovea::data::{BatchConfig, Dataset, Normalize};
use fovea::optim::{Sgd, SgdConfig};
use fovea::prelude::*;

#[derive(Parser, Debug)]
#[command(
    about = "Fine-tune the pretrained CNN on Fashion-MNIST classes 5-9 from 50 images per class"
)]
struct Args {
    /// The checkpoint written by the pretrain example.
    #[arg(long, default_value = "checkpoints/pretrained.fovea")]
    checkpoint: PathBuf,
    /// Passes over the 250 training images.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Learning rate of SGD (momentum 0.9, weight decay 5e-4).
    #[arg(long, default_value_t = 0.01)]
    lr: f32,
    /// Images per mini-batch.
    #[arg(long, default_value_t = 25)]
    batch_size: usize,
    /// Training images per class.
    #[arg(long, default_value_t = 50)]
    per_class: usize,
    /// Number of seeds to average over.
    #[arg(long, default_value_t = 3)]
    seeds: u64,
    /// First seed.
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
    /// Parameters frozen in the fine-tuned variant (comma-separated name patterns).
    #[arg(long, default_value = "features.*")]
    freeze: String,
    /// Learning-rate multiplier for the unfrozen `features.*` parameters of the fine-tuned variant.
    #[arg(long, default_value_t = 0.1)]
    backbone_lr_scale: f32,
    /// Also save the best fine-tuned model here.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// How much of the pretrained network is reused and what is trained.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Variant {
    FineTuned,
    FeatureExtractor,
    FromScratch,
}

impl Variant {
    fn label(self) -> &'static str {
        match self {
            Variant::FineTuned => "fine-tuned (conv frozen)",
            Variant::FeatureExtractor => "feature extractor (head only)",
            Variant::FromScratch => "from scratch",
        }
    }
}

const CLASSES: [u8; 5] = [5, 6, 7, 8, 9];

/// Builds the network for one variant and seed, trains it, and returns its test accuracy.
fn run(
    variant: Variant,
    seed: u64,
    args: &Args,
    pretrained: &Checkpoint,
    train: &Dataset,
    test: &Dataset,
) -> Result<(f32, Sequential)> {
    let mut net = fovea::models::fashion_alexnet(CLASSES.len(), 1000 + seed)?;
    if variant != Variant::FromScratch {
        let report = pretrained.load_partial(&net)?;
        tracing::debug!("loaded {} tensors from the checkpoint", report.loaded.len());
        // A fresh head for the new classes (the pretrained one knows classes 0-4).
        let head = fovea::models::fashion_alexnet_head(CLASSES.len(), 2000 + seed)?;
        let _old = net
            .replace_child("classifier.fc2", Box::new(head))
            .map_err(|_| Error::invalid_argument("finetune", "no classifier.fc2"))?;
        let patterns: Vec<&str> = args
            .freeze
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        match variant {
            Variant::FineTuned if patterns.is_empty() => {}
            Variant::FineTuned => _ = freeze(&net, &patterns)?,
            _ => _ = freeze(&net, &["features.*", "classifier.fc1.*"])?,
        }
    }
    let config = SgdConfig::new(args.lr)
        .with_momentum(0.9)
        .with_weight_decay(5e-4);
    let mut opt = Sgd::new(net.parameters(), config)?;
    if variant == Variant::FineTuned {
        // Pretrained layers that stay trainable move slowly; the new head learns at the full rate.
        opt = opt.with_group(
            fovea::optim::ParamGroup::matching(&["features.*"])
                .with_lr_scale(args.backbone_lr_scale),
        )?;
    }
    let bar = common::epoch_bar(args.epochs, &format!("seed {seed}"));
    bar.set_message(variant.label());
    for epoch in 0..args.epochs {
        net.set_training(true);
        let config = BatchConfig::new(args.batch_size)
            .with_shuffle(seed * 1000 + epoch as u64)
            .with_normalize(Normalize::FASHION_MNIST);
        let stats =
            fovea::train::train_epoch(&net, &mut opt, train.batches_with(&config)?, |_| {})?;
        tracing::debug!(
            "{} seed {seed} epoch {}: loss {:.4} acc {:.4}",
            variant.label(),
            epoch + 1,
            stats.loss,
            stats.accuracy
        );
        bar.inc(1);
    }
    bar.finish_and_clear();
    net.set_training(false);
    let stats = fovea::train::evaluate(&net, test, 500, Some(Normalize::FASHION_MNIST))?;
    tracing::info!(
        "{:<30} seed {seed}: test accuracy {:.4}",
        variant.label(),
        stats.accuracy
    );
    Ok((stats.accuracy, net))
}

fn mean_std(values: &[f32]) -> (f32, f32) {
    let n = values.len() as f32;
    let mean = values.iter().sum::<f32>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

fn main() -> Result<()> {
    let args = Args::parse();
    common::init_logging();
    common::set_threads(args.threads);
    let pretrained = Checkpoint::load(&args.checkpoint)?;
    tracing::info!(
        "pretrained on {:?} for {} epochs (test accuracy {})",
        pretrained.metadata.class_names,
        pretrained.metadata.epoch,
        pretrained
            .metadata
            .extra
            .get("test_accuracy")
            .map_or("?", String::as_str)
    );
    let fashion = common::load_fashion(args.data.clone(), args.embedded)?;
    let pool = fashion
        .train
        .filter_classes(&CLASSES)?
        .remap_labels(&CLASSES)?;
    let test = fashion
        .test
        .filter_classes(&CLASSES)?
        .remap_labels(&CLASSES)?;
    let started = Instant::now();
    let variants = [
        Variant::FineTuned,
        Variant::FeatureExtractor,
        Variant::FromScratch,
    ];
    let mut results: Vec<(Variant, Vec<f32>, f32)> = Vec::new();
    let mut best: Option<(f32, Sequential)> = None;
    for variant in variants {
        let t = Instant::now();
        let mut accuracies = Vec::new();
        for seed in args.seed..args.seed + args.seeds {
            // The same 50 images per class for every variant of a seed.
            let train = pool.limit_per_class(args.per_class, seed);
            let (accuracy, net) = run(variant, seed, &args, &pretrained, &train, &test)?;
            accuracies.push(accuracy);
            if variant == Variant::FineTuned && best.as_ref().is_none_or(|(b, _)| accuracy > *b) {
                best = Some((accuracy, net));
            }
        }
        results.push((
            variant,
            accuracies,
            t.elapsed().as_secs_f32() / args.seeds as f32,
        ));
    }

    println!();
    println!(
        "Fashion-MNIST classes 5-9, {} training images per class, {} test images, {} seeds",
        args.per_class,
        test.len(),
        args.seeds
    );
    println!("| variant | test accuracy (mean ± std) | per seed | time per run |");
    println!("|---|---|---|---|");
    for (variant, accuracies, seconds) in &results {
        let (mean, std) = mean_std(accuracies);
        let each: Vec<String> = accuracies
            .iter()
            .map(|a| format!("{:.1}", 100.0 * a))
            .collect();
        println!(
            "| {} | {:.1}% ± {:.1} | {} | {:.1}s |",
            variant.label(),
            100.0 * mean,
            100.0 * std,
            each.join(" / "),
            seconds
        );
    }
    let fine = mean_std(&results[0].1).0;
    let scratch = mean_std(&results[2].1).0;
    println!(
        "fine-tuning vs from scratch: {:+.1} points ({:.1}s in all)",
        100.0 * (fine - scratch),
        started.elapsed().as_secs_f32()
    );
    if let (Some(path), Some((_, net))) = (&args.output, best) {
        let metadata = fovea::checkpoint::Metadata::new(
            "fovea::models::fashion_alexnet (fine-tuned on classes 5-9)",
        )
        .with_class_names(&CLASSES.map(|c| fovea::data::CLASS_NAMES[c as usize]));
        Checkpoint::from_module(&net, metadata).save(path)?;
    }
    Ok(())
}
