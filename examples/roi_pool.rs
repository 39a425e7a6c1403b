//! A small Fast R-CNN-style detector on synthetic canvases, once with RoI max pooling and once
//! with spatial pyramid pooling per RoI (SPP-net), compared on held-out canvases.
//!
//! - **Data**: 64×64 canvases holding 1–3 Fashion-MNIST items, each resized to 18–30 pixels and
//!   placed at random (items barely overlap). An item's box is the tight box of its ink.
//! - **Proposals**: every ground-truth box jittered a few times plus random boxes, as a cheap
//!   stand-in for selective search. A proposal whose best IoU with an item is ≥ 0.5 takes that
//!   item's class, one below 0.3 is background, the ones between are dropped (Fast R-CNN's rule).
//! - **Model**: a conv backbone to 1/4 resolution (spatial scale 0.25), RoI max pooling (4×4 bins)
//!   or SPP per RoI (levels 4, 2, 1), and an MLP classifier over the 10 classes plus background.
//! - **Report**: per-class precision / recall / F1 (scikit-learn's layout), a table comparing the
//!   two poolings, the ROC curve of "object vs background" with its AUC, the training losses, and
//!   a grid of the backbone's `end_points` (feature maps) for one canvas with its boxes drawn.
//!
//! Run: `cargo run --release --example roi_pool` (`--smoke` for a tiny run, `--help` for options).

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use common::plot::{Chart, Series, line_chart};
use fovea::data::{CLASS_NAMES, Dataset};
use fovea::layers::functional::{RoiPoolOptions, SppPerRoiOptions};
use fovea::layers::{MaxPool2dConfig, RoiPool, SppPerRoi};
use fovea::metrics::{
    Average, ClassificationReport, ConfusionMatrix, ReportOptions, RocCurve, RocOptions,
    ZeroDivision, roc_curve,
};
use fovea::optim::{ParamGroup, Sgd, SgdConfig};
use fovea::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;

/// Side of a canvas in pixels. Fixed so that every feature map (64, 32, 16) fills a panel of
/// the end-points grid with a whole number of SVG pixels per cell.
const CANVAS: usize = 64;
/// Smallest and largest side of a pasted item, in pixels.
const ITEM_SIZES: std::ops::RangeInclusive<usize> = 18..=30;
/// The backbone halves the resolution twice: boxes are scaled by 1/4 onto its feature map.
const SPATIAL_SCALE: f32 = 0.25;
/// Channels of the backbone's last feature map.
const FEATURE_CHANNELS: usize = 48;
/// The 10 Fashion-MNIST classes, then background.
const BACKGROUND: usize = 10;
const NUM_CLASSES: usize = 11;
/// Fast R-CNN's labelling thresholds on the best IoU with a ground-truth box.
const FOREGROUND_IOU: f32 = 0.5;
const BACKGROUND_IOU: f32 = 0.3;

#[derive(Parser, Debug)]
#[command(
    about = "A small Fast R-CNN-style detector on synthetic Fashion-MNIST canvases: RoI pooling vs SPP per RoI"
)]
struct Args {
    /// Passes over the training canvases (per pooling variant).
    #[arg(long, default_value_t = 8)]
    epochs: usize,
    /// Learning rate of SGD (momentum 0.9, weight decay 5e-4 on weights).
    #[arg(long, default_value_t = 0.02)]
    lr: f32,
    /// Canvases per mini-batch (each brings ~15 labelled proposals).
    #[arg(long, default_value_t = 8)]
    batch_size: usize,
    /// Training canvases (items from the Fashion-MNIST train split).
    #[arg(long, default_value_t = 1600)]
    train_canvases: usize,
    /// Held-out canvases (items from the test split).
    #[arg(long, default_value_t = 400)]
    test_canvases: usize,
    /// Jittered proposals per ground-truth box.
    #[arg(long, default_value_t = 5)]
    jitter_proposals: usize,
    /// Random proposals per canvas.
    #[arg(long, default_value_t = 6)]
    random_proposals: usize,
    /// Bins per side of RoI max pooling.
    #[arg(long, default_value_t = 4)]
    pooled: usize,
    /// Class whose one-vs-rest ROC curve is plotted (6, Shirt, is the hardest to tell apart).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(0..10))]
    roc_class: u8,
    /// Seed of the canvases, proposals, initialisation and shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Folder with the Fashion-MNIST IDX files (used with --full).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Use the full Fashion-MNIST (--data, $FOVEA_DATA or the Debian package) instead of the
    /// embedded subset.
    #[arg(long)]
    full: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Where to write the plots (default: target/fovea-plots/roi_pool).
    #[arg(long)]
    out: Option<PathBuf>,
    /// A tiny run (a few seconds) for CI: 2 epochs on 160 canvases, 40 held out.
    #[arg(long)]
    smoke: bool,
}

// ---------------------------------------------------------------------------------------------
// Synthetic canvases and proposals
// ---------------------------------------------------------------------------------------------

/// A box `[x1, y1, x2, y2]` in canvas pixels, corners inclusive (as torchvision's RoI boxes).
type Bbox = [f32; 4];

/// One pasted item.
struct Object {
    class: usize,
    bbox: Bbox,
}

/// A canvas, its items, and its labelled proposals.
struct Sample {
    /// `CANVAS × CANVAS` intensities in [0, 1], row-major.
    pixels: Vec<f32>,
    objects: Vec<Object>,
    proposals: Vec<Bbox>,
    /// Class of each proposal (`BACKGROUND` for background).
    labels: Vec<usize>,
}

fn area(b: &Bbox) -> f32 {
    (b[2] - b[0] + 1.0).max(0.0) * (b[3] - b[1] + 1.0).max(0.0)
}

fn intersection(a: &Bbox, b: &Bbox) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0]) + 1.0).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1]) + 1.0).max(0.0);
    w * h
}

fn iou(a: &Bbox, b: &Bbox) -> f32 {
    let inter = intersection(a, b);
    inter / (area(a) + area(b) - inter)
}

/// A standard normal sample (Box–Muller: `rand_distr` is not a dependency of the examples).
fn normal(rng: &mut StdRng) -> f32 {
    let u1 = rng.random::<f32>().max(1e-7);
    let u2 = rng.random::<f32>();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// Bilinear resize of a `rows × cols` u8 image to `size × size`, in [0, 1] (pixel centres
/// aligned, as `F.interpolate(align_corners=False)`).
fn resize(image: &[u8], rows: usize, cols: usize, size: usize) -> Vec<f32> {
    let at = |r: usize, c: usize| image[r * cols + c] as f32 / 255.0;
    let source = |i: usize, n: usize| {
        let s = ((i as f32 + 0.5) * n as f32 / size as f32 - 0.5).clamp(0.0, (n - 1) as f32);
        let lo = s.floor() as usize;
        (lo, (lo + 1).min(n - 1), s - lo as f32)
    };
    let mut out = Vec::with_capacity(size * size);
    for i in 0..size {
        let (r0, r1, fr) = source(i, rows);
        for j in 0..size {
            let (c0, c1, fc) = source(j, cols);
            let top = at(r0, c0) * (1.0 - fc) + at(r0, c1) * fc;
            let bottom = at(r1, c0) * (1.0 - fc) + at(r1, c1) * fc;
            out.push(top * (1.0 - fr) + bottom * fr);
        }
    }
    out
}

/// The tight box of the ink (> 0.1) of a `size × size` patch, or None when it is blank.
fn tight_box(patch: &[f32], size: usize) -> Option<Bbox> {
    let (mut x1, mut y1, mut x2, mut y2) = (usize::MAX, usize::MAX, 0, 0);
    for (i, &v) in patch.iter().enumerate() {
        if v > 0.1 {
            let (r, c) = (i / size, i % size);
            (x1, y1, x2, y2) = (x1.min(c), y1.min(r), x2.max(c), y2.max(r));
        }
    }
    (x1 <= x2 && y1 <= y2).then_some([x1 as f32, y1 as f32, x2 as f32, y2 as f32])
}

/// A canvas with 1–3 items of `items` pasted at random places, overlapping by at most 10% of
/// the smaller box (so that every item stays recognisable).
fn make_canvas(items: &Dataset, rng: &mut StdRng) -> (Vec<f32>, Vec<Object>) {
    let mut pixels = vec![0.0f32; CANVAS * CANVAS];
    let mut objects: Vec<Object> = Vec::new();
    let wanted = rng.random_range(1..=3);
    for _ in 0..50 {
        if objects.len() == wanted {
            break;
        }
        let index = rng.random_range(0..items.len());
        let size = rng.random_range(ITEM_SIZES);
        let (x0, y0) = (
            rng.random_range(0..=CANVAS - size),
            rng.random_range(0..=CANVAS - size),
        );
        let patch = resize(items.image(index), items.rows(), items.cols(), size);
        let Some(tight) = tight_box(&patch, size) else {
            continue;
        };
        let (dx, dy) = (x0 as f32, y0 as f32);
        let bbox = [tight[0] + dx, tight[1] + dy, tight[2] + dx, tight[3] + dy];
        let crowded = objects
            .iter()
            .any(|o| intersection(&o.bbox, &bbox) > 0.1 * area(&o.bbox).min(area(&bbox)));
        if crowded {
            continue;
        }
        for r in 0..size {
            for c in 0..size {
                let p = &mut pixels[(y0 + r) * CANVAS + x0 + c];
                *p = p.max(patch[r * size + c]);
            }
        }
        objects.push(Object {
            class: items.label(index) as usize,
            bbox,
        });
    }
    (pixels, objects)
}

/// Clips a box to the canvas and makes it at least 4 pixels on a side.
fn clip(b: Bbox) -> Bbox {
    let max = (CANVAS - 1) as f32;
    let x1 = b[0].round().clamp(0.0, max - 3.0);
    let y1 = b[1].round().clamp(0.0, max - 3.0);
    let x2 = b[2].round().clamp(x1 + 3.0, max);
    let y2 = b[3].round().clamp(y1 + 3.0, max);
    [x1, y1, x2, y2]
}

/// Proposals: each ground-truth box jittered (centre shifted by ~15% of its size, sides scaled
/// by ~e^±0.2) plus uniformly random boxes of 8–40 pixels a side.
fn propose(objects: &[Object], jitter: usize, random: usize, rng: &mut StdRng) -> Vec<Bbox> {
    let mut boxes = Vec::new();
    for o in objects {
        let [x1, y1, x2, y2] = o.bbox;
        let (w, h) = (x2 - x1 + 1.0, y2 - y1 + 1.0);
        let (cx, cy) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
        for _ in 0..jitter {
            let (cx, cy) = (cx + 0.15 * w * normal(rng), cy + 0.15 * h * normal(rng));
            let (w, h) = (w * (0.2 * normal(rng)).exp(), h * (0.2 * normal(rng)).exp());
            boxes.push(clip([
                cx - w / 2.0,
                cy - h / 2.0,
                cx + w / 2.0,
                cy + h / 2.0,
            ]));
        }
    }
    for _ in 0..random {
        let (w, h) = (rng.random_range(8.0..40.0), rng.random_range(8.0..40.0));
        let x1 = rng.random_range(0.0..CANVAS as f32 - w);
        let y1 = rng.random_range(0.0..CANVAS as f32 - h);
        boxes.push(clip([x1, y1, x1 + w - 1.0, y1 + h - 1.0]));
    }
    boxes
}

/// The class of a proposal by its best IoU: an item's class (≥ 0.5), background (< 0.3), or
/// None (in between: too ambiguous to train or score on, as in Fast R-CNN).
fn label_of(proposal: &Bbox, objects: &[Object]) -> Option<usize> {
    let best = objects
        .iter()
        .map(|o| (iou(proposal, &o.bbox), o.class))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((v, class)) if v >= FOREGROUND_IOU => Some(class),
        Some((v, _)) if v >= BACKGROUND_IOU => None,
        _ => Some(BACKGROUND),
    }
}

/// `count` canvases from `items`, with their labelled proposals.
fn make_samples(items: &Dataset, count: usize, args: &Args, rng: &mut StdRng) -> Vec<Sample> {
    (0..count)
        .map(|_| {
            let (pixels, objects) = make_canvas(items, rng);
            let mut proposals = Vec::new();
            let mut labels = Vec::new();
            for p in propose(&objects, args.jitter_proposals, args.random_proposals, rng) {
                if let Some(label) = label_of(&p, &objects) {
                    proposals.push(p);
                    labels.push(label);
                }
            }
            Sample {
                pixels,
                objects,
                proposals,
                labels,
            }
        })
        .collect()
}

/// The network's inputs for a few canvases: images `[B, 1, 64, 64]`, boxes `[K, 5]` (batch
/// index, x1, y1, x2, y2) and the K labels.
fn batch(samples: &[&Sample]) -> Result<(Tensor, Tensor, Vec<usize>)> {
    let mut pixels = Vec::with_capacity(samples.len() * CANVAS * CANVAS);
    let (mut boxes, mut labels) = (Vec::new(), Vec::new());
    for (i, s) in samples.iter().enumerate() {
        pixels.extend_from_slice(&s.pixels);
        for (b, &label) in s.proposals.iter().zip(&s.labels) {
            boxes.extend_from_slice(&[i as f32, b[0], b[1], b[2], b[3]]);
            labels.push(label);
        }
    }
    let images = Tensor::from_vec(pixels, &[samples.len(), 1, CANVAS, CANVAS])?;
    let boxes = Tensor::from_vec(boxes, &[labels.len(), 5])?;
    Ok((images, boxes, labels))
}

// ---------------------------------------------------------------------------------------------
// The detector
// ---------------------------------------------------------------------------------------------

/// How each proposal becomes a fixed-length vector.
enum Pooling {
    /// Fast R-CNN: one `n × n` grid of max-pooled bins.
    Roi(RoiPool),
    /// SPP-net: several grids (4×4, 2×2, 1×1) concatenated.
    Spp(SppPerRoi),
}

impl Pooling {
    fn name(&self) -> String {
        match self {
            Pooling::Roi(p) => {
                let [h, w] = p.options().output_size;
                format!("RoI pool {h}x{w}")
            }
            Pooling::Spp(p) => {
                let levels: Vec<String> =
                    p.options().levels.iter().map(|n| n.to_string()).collect();
                format!("SPP per RoI {{{}}}", levels.join(","))
            }
        }
    }

    /// Length of the pooled vector per feature channel.
    fn bins(&self) -> usize {
        match self {
            Pooling::Roi(p) => p.options().output_size.iter().product(),
            Pooling::Spp(p) => p.options().bins_per_channel(),
        }
    }

    /// Features `[N, C, H, W]`, boxes `[K, 5]` → `[K, C·bins]`.
    fn forward(&self, features: &Var, boxes: &Tensor) -> Result<Var> {
        match self {
            Pooling::Roi(p) => {
                let k = boxes.shape()[0];
                p.forward_rois(features, boxes)?
                    .reshape(&[k, FEATURE_CHANNELS * self.bins()])
            }
            Pooling::Spp(p) => p.forward_rois(features, boxes),
        }
    }
}

/// Backbone (shared by all RoIs of a canvas), RoI pooling, classifier.
struct Detector {
    backbone: Sequential,
    pooling: Pooling,
    head: Sequential,
}

impl Detector {
    fn new(pooling: Pooling, seed: u64) -> Result<Detector> {
        let mut rng = seeded_rng(seed);
        let conv = |i, o, rng: &mut StdRng| {
            Conv2dConfig::new(i, o, [3, 3])
                .with_padding([1, 1])
                .init(rng)
        };
        // 64×64 → pool → 32×32 → pool → 16×16: one feature cell per 4 canvas pixels.
        let backbone = Sequential::new()
            .add("conv1", conv(1, 16, &mut rng)?)
            .add("relu1", Relu)
            .add("pool1", MaxPool2dConfig::new([2, 2]).init()?)
            .add("conv2", conv(16, 32, &mut rng)?)
            .add("relu2", Relu)
            .add("pool2", MaxPool2dConfig::new([2, 2]).init()?)
            .add("conv3", conv(32, FEATURE_CHANNELS, &mut rng)?)
            .add("relu3", Relu);
        let inputs = FEATURE_CHANNELS * pooling.bins();
        let head = Sequential::new()
            .add("fc1", LinearConfig::new(inputs, 128).init(&mut rng)?)
            .add("relu1", Relu)
            .add("fc2", LinearConfig::new(128, NUM_CLASSES).init(&mut rng)?);
        Ok(Detector {
            backbone,
            pooling,
            head,
        })
    }

    fn parameters(&self) -> Vec<(String, Var)> {
        let prefixed = |prefix: &str, m: &Sequential| {
            m.parameters()
                .into_iter()
                .map(|(n, v)| (format!("{prefix}.{n}"), v))
                .collect::<Vec<_>>()
        };
        let mut params = prefixed("backbone", &self.backbone);
        params.extend(prefixed("head", &self.head));
        params
    }

    /// Class logits `[K, 11]` of the K boxes on the images `[N, 1, 64, 64]`.
    fn forward(&self, images: &Tensor, boxes: &Tensor) -> Result<Var> {
        let features = self.backbone.forward(&Var::constant(images.clone()))?;
        let pooled = self.pooling.forward(&features, boxes)?;
        self.head.forward(&pooled)
    }

    /// Class probabilities `[K][11]` of every proposal of `samples`, without a graph.
    fn predict(&self, samples: &[Sample]) -> Result<Vec<Vec<f32>>> {
        no_grad(|| {
            let mut probs = Vec::new();
            for chunk in samples.chunks(64) {
                let refs: Vec<&Sample> = chunk.iter().collect();
                let (images, boxes, _) = batch(&refs)?;
                let p = self.forward(&images, &boxes)?.softmax(1)?.value();
                probs.extend(p.to_vec().chunks(NUM_CLASSES).map(|r| r.to_vec()));
            }
            Ok(probs)
        })
    }
}

/// Trains a detector with this pooling; returns it with the mean loss of every epoch.
fn train(
    pooling: Pooling,
    train_set: &[Sample],
    args: &Args,
    epochs: usize,
) -> Result<(Detector, Vec<f64>)> {
    let detector = Detector::new(pooling, args.seed)?;
    let config = SgdConfig::new(args.lr)
        .with_momentum(0.9)
        .with_weight_decay(5e-4);
    let mut opt = Sgd::new(detector.parameters(), config)?
        .with_group(ParamGroup::matching(&["*.bias"]).with_weight_decay(0.0))?;
    let mut rng = seeded_rng(args.seed.wrapping_add(1000));
    let mut order: Vec<usize> = (0..train_set.len()).collect();
    let mut losses = Vec::new();
    for epoch in 0..epochs {
        // Fisher–Yates shuffle of the canvases, reproducible from the seed.
        for i in (1..order.len()).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let steps = order.len().div_ceil(args.batch_size);
        let name = detector.pooling.name();
        let bar = common::epoch_bar(steps, &format!("{name} {}/{epochs}", epoch + 1));
        let (mut loss_sum, mut correct, mut seen) = (0.0f64, 0usize, 0usize);
        for chunk in order.chunks(args.batch_size) {
            let refs: Vec<&Sample> = chunk.iter().map(|&i| &train_set[i]).collect();
            let (images, boxes, labels) = batch(&refs)?;
            if labels.is_empty() {
                bar.inc(1);
                continue; // every proposal was ambiguous: nothing to learn from
            }
            let logits = detector.forward(&images, &boxes)?;
            let loss = cross_entropy(&logits, &labels)?;
            let grads = loss.backward()?;
            opt.step(&grads)?;
            let predicted = logits.value().argmax(1, false)?;
            correct += predicted
                .iter()
                .zip(&labels)
                .filter(|(p, l)| p == l)
                .count();
            loss_sum += loss.value().item().unwrap_or(f32::NAN) as f64 * labels.len() as f64;
            seen += labels.len();
            bar.set_message(format!(
                "loss {:.3} acc {:.3}",
                loss_sum / seen as f64,
                correct as f64 / seen as f64
            ));
            bar.inc(1);
        }
        bar.finish_and_clear();
        let mean = loss_sum / seen.max(1) as f64;
        tracing::info!(
            "{name} epoch {}/{epochs}: train loss {mean:.4}, RoI accuracy {:.4} ({seen} RoIs)",
            epoch + 1,
            correct as f64 / seen.max(1) as f64
        );
        losses.push(mean);
    }
    Ok((detector, losses))
}

/// What one variant scored on the held-out canvases.
struct Evaluation {
    name: String,
    features_per_roi: usize,
    parameters: usize,
    train_seconds: f64,
    report: ClassificationReport,
    macro_f1: f64,
    /// Object (any class) vs background, scored by 1 − p(background).
    roc: RocCurve,
    /// `--roc-class` vs every other RoI, scored by its probability (None when the held-out
    /// RoIs hold no such item, possible in a smoke run).
    class_roc: Option<RocCurve>,
    /// Mean of the one-vs-rest AUCs of the object classes present.
    mean_class_auc: f64,
}

fn evaluate(
    detector: &Detector,
    test_set: &[Sample],
    train_seconds: f64,
    roc_class: usize,
) -> Result<Evaluation> {
    let probs = detector.predict(test_set)?;
    let labels: Vec<usize> = test_set.iter().flat_map(|s| s.labels.clone()).collect();
    let predicted: Vec<usize> = probs.iter().map(|p| argmax(p)).collect();
    let confusion = ConfusionMatrix::from_labels(&labels, &predicted, NUM_CLASSES)?;
    let mut names: Vec<&str> = CLASS_NAMES.to_vec();
    names.push("background");
    let report = ClassificationReport::new(
        &confusion,
        &ReportOptions::default()
            .with_target_names(&names)
            .with_digits(3),
    )?;
    // Object vs background: the score of "some object" is 1 − p(background).
    let scores: Vec<f32> = probs.iter().map(|p| 1.0 - p[BACKGROUND]).collect();
    let is_object: Vec<bool> = labels.iter().map(|&l| l != BACKGROUND).collect();
    let roc = roc_curve(&scores, &is_object, &RocOptions::default())?;
    // One class against all other RoIs (other classes and background).
    let one_vs_rest = |class: usize| -> Result<Option<RocCurve>> {
        if !labels.contains(&class) {
            return Ok(None); // no positive: the curve is undefined
        }
        let scores: Vec<f32> = probs.iter().map(|p| p[class]).collect();
        let positive: Vec<bool> = labels.iter().map(|&l| l == class).collect();
        roc_curve(&scores, &positive, &RocOptions::default()).map(Some)
    };
    let class_roc = one_vs_rest(roc_class)?;
    let mut aucs = Vec::new();
    for class in 0..BACKGROUND {
        if let Some(roc) = one_vs_rest(class)? {
            aucs.push(roc.auc());
        }
    }
    Ok(Evaluation {
        name: detector.pooling.name(),
        features_per_roi: FEATURE_CHANNELS * detector.pooling.bins(),
        parameters: detector
            .parameters()
            .iter()
            .map(|(_, v)| v.shape().iter().product::<usize>())
            .sum(),
        train_seconds,
        macro_f1: confusion.f1(Average::Macro, ZeroDivision::Zero),
        report,
        roc,
        class_roc,
        mean_class_auc: aucs.iter().sum::<f64>() / aucs.len().max(1) as f64,
    })
}

fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

// ---------------------------------------------------------------------------------------------
// Pictures
// ---------------------------------------------------------------------------------------------

fn plot_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Format {
        op: "roi_pool plot".into(),
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The ROC curve resampled at 101 false-positive rates (the best true-positive rate reachable
/// at each): the full curve has thousands of corners, which would bury the chart in markers.
fn resampled(roc: &RocCurve) -> Vec<(f64, f64)> {
    (0..=100)
        .map(|i| {
            let f = i as f64 / 100.0;
            let tpr = roc
                .fpr
                .iter()
                .zip(&roc.tpr)
                .filter(|(x, _)| **x <= f + 1e-12)
                .map(|(_, y)| *y)
                .fold(0.0, f64::max);
            (f, tpr)
        })
        .collect()
}

/// Draws a gray image (its minimum black, its maximum white) with `cell` SVG pixels per image
/// pixel. Runs of equal quantised gray along a row become one rectangle, which keeps the SVG a
/// few times smaller (feature maps are flat over the empty canvas).
fn draw_gray(
    area: &DrawingArea<SVGBackend, Shift>,
    values: &[f32],
    cols: usize,
    origin: (i32, i32),
    cell: i32,
) -> std::result::Result<(), String> {
    let (lo, hi) = values
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let range = (hi - lo).max(1e-6);
    let gray = |v: f32| (((v - lo) / range) * 63.0).round() as u8 * 4;
    for (r, row) in values.chunks(cols).enumerate() {
        let mut c = 0;
        while c < row.len() {
            let g = gray(row[c]);
            let mut end = c + 1;
            while end < row.len() && gray(row[end]) == g {
                end += 1;
            }
            let (x, y) = (origin.0 + c as i32 * cell, origin.1 + r as i32 * cell);
            let (x2, y2) = (origin.0 + end as i32 * cell, y + cell);
            area.draw(&Rectangle::new(
                [(x, y), (x2, y2)],
                RGBColor(g, g, g).filled(),
            ))
            .map_err(|e| e.to_string())?;
            c = end;
        }
    }
    Ok(())
}

/// Outlines a canvas box on a panel whose image is `scale` SVG pixels per canvas pixel.
fn draw_box(
    area: &DrawingArea<SVGBackend, Shift>,
    b: &Bbox,
    origin: (i32, i32),
    scale: f32,
    style: ShapeStyle,
    label: Option<&str>,
) -> std::result::Result<(), String> {
    let p = |x: f32, y: f32| {
        (
            origin.0 + (x * scale).round() as i32,
            origin.1 + (y * scale).round() as i32,
        )
    };
    let (a, b2) = (p(b[0], b[1]), p(b[2] + 1.0, b[3] + 1.0));
    area.draw(&Rectangle::new([a, b2], style))
        .map_err(|e| e.to_string())?;
    if let Some(text) = label {
        let font = ("sans-serif", 15).into_font().color(&style.color);
        area.draw(&Text::new(text.to_string(), (a.0 + 2, a.1 + 2), font))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The grid of `end_points`: row 0 the canvas with its ground truth and proposals, and the
/// detections (the most probable proposal per predicted class); then for each conv layer of
/// the backbone its most varied channels, with the ground-truth boxes scaled onto the map.
fn end_points_grid(path: &Path, detector: &Detector, sample: &Sample) -> Result<()> {
    const PANEL: i32 = 192;
    const CHANNELS: usize = 6;
    const GAP: i32 = 12;
    const TITLE: i32 = 20;
    let image = Tensor::from_vec(sample.pixels.clone(), &[1, 1, CANVAS, CANVAS])?;
    let (_, points) = no_grad(|| {
        detector
            .backbone
            .forward_with_end_points(&Var::constant(image.clone()))
    })?;
    let probs = detector.predict(std::slice::from_ref(sample))?;
    let convs: Vec<(&str, &Var)> = points
        .iter()
        .filter(|(name, _)| name.starts_with("conv"))
        .collect();

    let width = CHANNELS as i32 * (PANEL + GAP) + GAP;
    let height = 2 * PANEL + GAP + convs.len() as i32 * (PANEL + TITLE + GAP) + TITLE + 2 * GAP;
    let root = SVGBackend::new(path, (width as u32, height as u32)).into_drawing_area();
    let run = || -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let title_font = ("sans-serif", 14).into_font();
        let green = RGBColor(0, 170, 0);
        let put_title = |x: i32, y: i32, text: &str| {
            root.draw(&Text::new(
                text.to_string(),
                (x, y - TITLE + 3),
                title_font.clone(),
            ))
            .map_err(|e| e.to_string())
        };

        // Row 0, at twice the size: the input with ground truth (green) and proposals (thin
        // orange: labelled object, blue: background), then the detections (red).
        let big = 2 * PANEL + GAP;
        // Whole SVG pixels per canvas pixel, and the boxes drawn at exactly that scale.
        let big_cell = big / CANVAS as i32;
        let big_scale = big_cell as f32;
        let y0 = GAP + TITLE;
        put_title(GAP, y0, "truth (green); proposals: object orange, bg blue")?;
        draw_gray(&root, &sample.pixels, CANVAS, (GAP, y0), big_cell)?;
        for (p, &label) in sample.proposals.iter().zip(&sample.labels) {
            let color = if label == BACKGROUND {
                RGBColor(80, 120, 255).mix(0.8)
            } else {
                RGBColor(255, 150, 0).mix(0.8)
            };
            draw_box(&root, p, (GAP, y0), big_scale, color.stroke_width(1), None)?;
        }
        for o in &sample.objects {
            let name = CLASS_NAMES[o.class];
            draw_box(
                &root,
                &o.bbox,
                (GAP, y0),
                big_scale,
                green.stroke_width(3),
                Some(name),
            )?;
        }
        let x1 = 2 * GAP + big;
        put_title(x1, y0, "detections (best RoI per predicted class)")?;
        draw_gray(&root, &sample.pixels, CANVAS, (x1, y0), big_cell)?;
        let red = RGBColor(255, 40, 40);
        for class in 0..BACKGROUND {
            let best = probs
                .iter()
                .enumerate()
                .filter(|(_, p)| argmax(p) == class)
                .max_by(|a, b| a.1[class].total_cmp(&b.1[class]));
            if let Some((k, p)) = best {
                let text = format!("{} {:.2}", CLASS_NAMES[class], p[class]);
                let b = &sample.proposals[k];
                draw_box(
                    &root,
                    b,
                    (x1, y0),
                    big_scale,
                    red.stroke_width(2),
                    Some(&text),
                )?;
            }
        }

        // One row per conv layer: the channels that vary most over this canvas.
        for (row, (name, var)) in convs.iter().enumerate() {
            let value = var.value();
            let &[_, channels, h, w] = value.shape() else {
                return Err(format!(
                    "{name}: expected a 4-d map, got {:?}",
                    value.shape()
                ));
            };
            let data = value.contiguous_data();
            let planes: Vec<&[f32]> = data.chunks(h * w).take(channels).collect();
            let spread = |p: &[f32]| {
                let mean = p.iter().sum::<f32>() / p.len() as f32;
                p.iter().map(|v| (v - mean).powi(2)).sum::<f32>()
            };
            let mut order: Vec<usize> = (0..channels).collect();
            order.sort_by(|&a, &b| spread(planes[b]).total_cmp(&spread(planes[a])));
            let y = GAP + TITLE + big + TITLE + GAP + row as i32 * (PANEL + TITLE + GAP);
            let map_cell = PANEL / w as i32;
            for (col, &ch) in order.iter().take(CHANNELS).enumerate() {
                let x = GAP + col as i32 * (PANEL + GAP);
                put_title(x, y, &format!("{name} channel {ch} ({h}x{w})"))?;
                draw_gray(&root, planes[ch], w, (x, y), map_cell)?;
                for o in &sample.objects {
                    // Canvas pixels → map cells: the map is w cells for CANVAS pixels.
                    let s = map_cell as f32 * w as f32 / CANVAS as f32;
                    draw_box(
                        &root,
                        &o.bbox,
                        (x, y),
                        s,
                        green.mix(0.8).stroke_width(1),
                        None,
                    )?;
                }
            }
        }
        root.present().map_err(|e| e.to_string())
    };
    run().map_err(|e| plot_error(path, e))
}

// ---------------------------------------------------------------------------------------------

fn main() -> Result<()> {
    let args = Args::parse();
    common::init_logging();
    common::set_threads(args.threads);
    let out = common::plot_dir(args.out.as_deref(), "roi_pool")?;
    // --smoke: a handful of canvases and one epoch, to check that everything runs.
    let (train_count, test_count, epochs) = if args.smoke {
        (160, 40, 2)
    } else {
        (args.train_canvases, args.test_canvases, args.epochs)
    };
    if args.batch_size == 0 || train_count == 0 || test_count == 0 {
        return Err(Error::invalid_argument(
            "roi_pool",
            "--batch-size, --train-canvases and --test-canvases must be at least 1",
        ));
    }
    let fashion = common::load_fashion(args.data.clone(), !args.full)?;
    let started = Instant::now();
    let mut rng = seeded_rng(args.seed);
    let train_set = make_samples(&fashion.train, train_count, &args, &mut rng);
    let test_set = make_samples(&fashion.test, test_count, &args, &mut rng);
    let count = |set: &[Sample]| -> (usize, usize) {
        let rois: usize = set.iter().map(|s| s.labels.len()).sum();
        let objects = set
            .iter()
            .flat_map(|s| &s.labels)
            .filter(|&&l| l != BACKGROUND);
        (rois, objects.count())
    };
    let ((train_rois, train_fg), (test_rois, test_fg)) = (count(&train_set), count(&test_set));
    tracing::info!(
        "{train_count} train canvases ({train_rois} labelled RoIs, {train_fg} on objects), \
         {test_count} test canvases ({test_rois} RoIs, {test_fg} on objects)"
    );

    let variants = [
        Pooling::Roi(RoiPool::new(RoiPoolOptions::new(
            [args.pooled, args.pooled],
            SPATIAL_SCALE,
        ))?),
        Pooling::Spp(SppPerRoi::new(
            SppPerRoiOptions::default().with_spatial_scale(SPATIAL_SCALE),
        )?),
    ];
    let mut results = Vec::new();
    let mut loss_series = Vec::new();
    let mut first_detector = None;
    for pooling in variants {
        let t = Instant::now();
        let (detector, losses) = train(pooling, &train_set, &args, epochs)?;
        let seconds = t.elapsed().as_secs_f64();
        let evaluation = evaluate(&detector, &test_set, seconds, args.roc_class as usize)?;
        loss_series.push(Series {
            label: evaluation.name.clone(),
            points: losses
                .iter()
                .enumerate()
                .map(|(e, &l)| ((e + 1) as f64, l))
                .collect(),
        });
        results.push(evaluation);
        first_detector.get_or_insert(detector);
    }

    for r in &results {
        println!(
            "\n{} on {test_count} held-out canvases ({test_rois} RoIs):\n",
            r.name
        );
        println!("{}", r.report);
    }
    let class_name = CLASS_NAMES[args.roc_class as usize];
    println!(
        "| pooling | features per RoI | parameters | train time | RoI accuracy | macro F1 | \
         AUC object vs background | AUC {class_name} vs rest | mean one-vs-rest AUC (10 classes) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {} | {} | {:.1} s | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
            r.name,
            r.features_per_roi,
            r.parameters,
            r.train_seconds,
            r.report.accuracy,
            r.macro_f1,
            r.roc.auc(),
            r.class_roc.as_ref().map_or(f64::NAN, RocCurve::auc),
            r.mean_class_auc
        );
    }

    // Plots: the easy question (is there an object?) and a hard one (is it a shirt?).
    let class_title = format!("{class_name} vs every other RoI, held-out canvases");
    type Pick = fn(&Evaluation) -> Option<&RocCurve>;
    let rocs: [(&str, &str, Pick); 2] = [
        (
            "roc_object.svg",
            "Object vs background, held-out canvases",
            |r| Some(&r.roc),
        ),
        ("roc_class.svg", &class_title, |r| r.class_roc.as_ref()),
    ];
    let mut written = Vec::new();
    for (file, title, curve) in rocs {
        let mut series: Vec<Series> = results
            .iter()
            .filter_map(|r| {
                curve(r).map(|roc| Series {
                    label: format!("{} (AUC {:.4})", r.name, roc.auc()),
                    points: resampled(roc),
                })
            })
            .collect();
        series.push(Series {
            label: "chance".into(),
            points: vec![(0.0, 0.0), (1.0, 1.0)],
        });
        let path = out.join(file);
        line_chart(
            &path,
            &Chart {
                title,
                x_label: "false positive rate",
                y_label: "true positive rate",
                log_x: false,
                log_y: false,
            },
            &series,
        )?;
        written.push(path);
    }
    let loss_path = out.join("loss.svg");
    line_chart(
        &loss_path,
        &Chart {
            title: "Training loss (cross-entropy over RoIs)",
            x_label: "epoch",
            y_label: "mean loss",
            log_x: false,
            log_y: false,
        },
        &loss_series,
    )?;
    written.push(loss_path);
    let grid_path = out.join("end_points.svg");
    if let (Some(detector), Some(sample)) = (&first_detector, test_set.first()) {
        end_points_grid(&grid_path, detector, sample)?;
        written.push(grid_path);
    }
    let written: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    println!(
        "\n{:.1} s in all; wrote {}",
        started.elapsed().as_secs_f64(),
        written.join(", ")
    );
    Ok(())
}
