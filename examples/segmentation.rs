//! A small fully-convolutional network segments synthetic "cells and membranes" images, and
//! the three segmentation errors of the ISBI 2012 challenge follow its training epoch by epoch.
//!
//! - **Data**: Voronoi cells on 48×48 images. A pixel is membrane (label 0) where its two nearest
//!   seeds are nearly equidistant (1–2 px boundaries), else cell interior (label 1). The input is
//!   the label drawn with a brightness per cell, dark "organelles" inside some cells (they look
//!   like membrane: false splits), faint gaps in some membranes (false merges), then blurred,
//!   plus Gaussian noise.
//! - **Model**: five 3×3 convolutions at full resolution (two dilated, receptive field 17 px)
//!   ending in 2 channels; per-pixel cross-entropy with the rarer membrane class weighted up.
//!   The prediction is the softmax probability of "cell".
//! - **Metrics**, on held-out images after every epoch (`fovea::metrics`): pixel error, warping
//!   error (Jain et al. 2010: only topological mistakes count; with the count of splits, merges,
//!   holes and objects added or deleted) and Rand error (1 − best foreground-restricted Rand
//!   F-score). A table and a line chart of the three errors; one prediction beside its label
//!   with the warping mistakes marked by kind.
//!
//! Epoch 0 is the untrained network, which calls every pixel membrane. Its warping error is
//! tiny nevertheless: warping shrinks each cell of the label to one pixel that cannot go without
//! deleting an object, so a missing cell costs one pixel. The mistake counts (one "object
//! deleted" per cell) tell what the error alone hides.
//!
//! The data are synthetic, so this example reads no Fashion-MNIST.
//!
//! Run: `cargo run --release --example segmentation` (`--smoke` for a tiny run, `--help` for options).

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use common::plot::{Chart, Series, line_chart};
use fovea::metrics::{
    MistakeCounts, MistakeKind, RandErrorOptions, WarpingOptions, WarpingResult, pixel_error,
    rand_error, warping_error,
};
use fovea::optim::{ParamGroup, Sgd, SgdConfig};
use fovea::prelude::*;
use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;

/// Label values: 1 = cell interior (object), 0 = membrane (boundary), as the warping error wants.
const CELL: usize = 1;
const MEMBRANE: usize = 0;
/// Binarisation threshold of every metric (the "cell" probability).
const THRESHOLD: f32 = 0.5;

#[derive(Parser, Debug)]
#[command(
    about = "A small fully-convolutional net on synthetic cell/membrane images: pixel, warping and Rand error per epoch"
)]
struct Args {
    /// Passes over the training images.
    #[arg(long, default_value_t = 16)]
    epochs: usize,
    /// Learning rate of SGD (momentum 0.9, weight decay 1e-4 on weights).
    #[arg(long, default_value_t = 0.05)]
    lr: f32,
    /// Images per mini-batch.
    #[arg(long, default_value_t = 8)]
    batch_size: usize,
    /// Training images (generated anew from the seed, not from a data set).
    #[arg(long, default_value_t = 256)]
    train_images: usize,
    /// Held-out images, scored after every epoch.
    #[arg(long, default_value_t = 24)]
    test_images: usize,
    /// Side of an image in pixels.
    #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u16).range(16..=256))]
    size: u16,
    /// Weight of membrane pixels in the loss (cell pixels weigh 1): membranes are ~20% of the
    /// pixels and a missed membrane pixel can merge two cells.
    #[arg(long, default_value_t = 2.0)]
    membrane_weight: f32,
    /// Seed of the images, the initialisation and the shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Where to write the plots (default: target/fovea-plots/segmentation).
    #[arg(long)]
    out: Option<PathBuf>,
    /// A tiny run (a few seconds) for CI: 2 epochs on 32 images, 4 held out.
    #[arg(long)]
    smoke: bool,
}

// ---------------------------------------------------------------------------------------------
// Synthetic cells and membranes
// ---------------------------------------------------------------------------------------------

/// One image: input intensities and the label (1 cell, 0 membrane), both `size × size` row-major.
struct Sample {
    input: Vec<f32>,
    label: Vec<f32>,
}

/// A standard normal sample (Box–Muller: `rand_distr` is not a dependency of the examples).
fn normal(rng: &mut StdRng) -> f32 {
    let u1 = rng.random::<f32>().max(1e-7);
    let u2 = rng.random::<f32>();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// `[1, 2, 1] / 4` along rows then columns, edges replicated: a light blur, as a microscope's
/// point-spread function.
fn blur(image: &[f32], size: usize) -> Vec<f32> {
    let pass = |src: &[f32], step_r: usize, step_c: usize| -> Vec<f32> {
        let mut out = vec![0.0; src.len()];
        for r in 0..size {
            for c in 0..size {
                let at = |dr: isize, dc: isize| {
                    let rr = (r as isize + dr * step_r as isize).clamp(0, size as isize - 1);
                    let cc = (c as isize + dc * step_c as isize).clamp(0, size as isize - 1);
                    src[rr as usize * size + cc as usize]
                };
                out[r * size + c] = 0.25 * at(-1, -1) + 0.5 * at(0, 0) + 0.25 * at(1, 1);
            }
        }
        out
    };
    pass(&pass(image, 0, 1), 1, 0)
}

/// A Voronoi image: about one seed per 16×16 pixels, membrane where the distances to the two
/// nearest seeds differ by less than 1.6 px.
fn make_sample(size: usize, rng: &mut StdRng) -> Sample {
    let cells = (size * size / 256).max(2);
    let wanted = rng.random_range(cells.div_ceil(2)..=cells + cells / 2);
    // Seeds closer than ~2/3 of a cell width are rejected: |d2 − d1| is at most the distance
    // between the two seeds, so two close seeds would turn their whole surroundings into
    // "membrane" instead of a thin wall.
    let min_distance = 0.45 * (size * size) as f32 / wanted as f32;
    let min_distance = min_distance.sqrt();
    let mut seeds: Vec<(f32, f32)> = Vec::new();
    for _ in 0..50 * wanted {
        if seeds.len() == wanted {
            break;
        }
        let p = (
            rng.random_range(0.0..size as f32),
            rng.random_range(0.0..size as f32),
        );
        let far =
            |q: &(f32, f32)| (p.0 - q.0).powi(2) + (p.1 - q.1).powi(2) >= min_distance.powi(2);
        if seeds.iter().all(far) {
            seeds.push(p);
        }
    }
    let count = seeds.len();
    let brightness: Vec<f32> = (0..count).map(|_| rng.random_range(0.55..0.95)).collect();
    // Dark blobs inside some cells, and faint stretches of membrane.
    let mut organelles: Vec<(f32, f32, f32)> = Vec::new();
    for _ in 0..count {
        if rng.random::<f32>() < 0.5 {
            let centre = (
                rng.random_range(0.0..size as f32),
                rng.random_range(0.0..size as f32),
            );
            organelles.push((centre.0, centre.1, rng.random_range(1.2..2.5)));
        }
    }
    let gaps: Vec<(f32, f32)> = (0..rng.random_range(0..=2))
        .map(|_| {
            (
                rng.random_range(0.0..size as f32),
                rng.random_range(0.0..size as f32),
            )
        })
        .collect();
    let mut label = vec![0.0; size * size];
    let mut input = vec![0.0; size * size];
    for r in 0..size {
        for c in 0..size {
            let (y, x) = (r as f32 + 0.5, c as f32 + 0.5);
            let (mut d1, mut d2, mut nearest) = (f32::MAX, f32::MAX, 0);
            for (k, &(sx, sy)) in seeds.iter().enumerate() {
                let d = ((x - sx).powi(2) + (y - sy).powi(2)).sqrt();
                if d < d1 {
                    (d2, d1, nearest) = (d1, d, k);
                } else if d < d2 {
                    d2 = d;
                }
            }
            let near = |(px, py): (f32, f32), radius: f32| {
                (x - px).powi(2) + (y - py).powi(2) < radius * radius
            };
            let i = r * size + c;
            if d2 - d1 < 1.6 {
                label[i] = MEMBRANE as f32;
                let faint = gaps.iter().any(|&g| near(g, 3.0));
                input[i] = if faint { 0.45 } else { 0.1 };
            } else {
                label[i] = CELL as f32;
                let dark = organelles.iter().any(|&(ox, oy, rad)| near((ox, oy), rad));
                input[i] = if dark { 0.25 } else { brightness[nearest] };
            }
        }
    }
    // Blur, add noise, then centre and scale to a standard deviation of about 1: with PyTorch's
    // default initialisation the raw [0, 1] range trained ~3 epochs slower.
    let input = blur(&input, size)
        .into_iter()
        .map(|v| (v + 0.08 * normal(rng) - 0.5) / 0.25)
        .collect();
    Sample { input, label }
}

/// Images `[B, 1, S, S]` and the per-pixel targets (`B·S·S` labels, row-major as the logits).
fn batch(samples: &[&Sample], size: usize) -> Result<(Tensor, Vec<usize>)> {
    let mut input = Vec::with_capacity(samples.len() * size * size);
    let mut targets = Vec::with_capacity(samples.len() * size * size);
    for s in samples {
        input.extend_from_slice(&s.input);
        targets.extend(s.label.iter().map(|&l| l as usize));
    }
    Ok((
        Tensor::from_vec(input, &[samples.len(), 1, size, size])?,
        targets,
    ))
}

// ---------------------------------------------------------------------------------------------
// Network and metrics
// ---------------------------------------------------------------------------------------------

/// Five 3×3 convolutions (the middle ones dilated 2 and 4 to see a whole membrane gap), padded
/// to keep the full resolution, ending in the 2 class scores per pixel.
fn network(seed: u64) -> Result<Sequential> {
    let mut rng = seeded_rng(seed);
    let conv = |i, o, dilation: usize, rng: &mut StdRng| {
        Conv2dConfig::new(i, o, [3, 3])
            .with_padding([dilation, dilation])
            .with_dilation([dilation, dilation])
            .init(rng)
    };
    Ok(Sequential::new()
        .add("conv1", conv(1, 16, 1, &mut rng)?)
        .add("relu1", Relu)
        .add("conv2", conv(16, 16, 2, &mut rng)?)
        .add("relu2", Relu)
        .add("conv3", conv(16, 32, 4, &mut rng)?)
        .add("relu3", Relu)
        .add("conv4", conv(32, 32, 1, &mut rng)?)
        .add("relu4", Relu)
        .add(
            "classifier",
            Conv2dConfig::new(32, 2, [1, 1]).init(&mut rng)?,
        ))
}

/// The probability of "cell" of every pixel, `[N][S·S]`, without a graph.
fn predict(net: &Sequential, samples: &[Sample], size: usize) -> Result<Vec<Vec<f32>>> {
    no_grad(|| {
        let mut out = Vec::new();
        for chunk in samples.chunks(16) {
            let refs: Vec<&Sample> = chunk.iter().collect();
            let (images, _) = batch(&refs, size)?;
            let probs = net.forward(&Var::constant(images))?.softmax(1)?.value();
            // [B, 2, S, S]: channel 1 of each image is "cell".
            let data = probs.contiguous_data();
            for image in data.chunks(2 * size * size) {
                out.push(image[size * size..].to_vec());
            }
        }
        Ok(out)
    })
}

/// The three errors on the held-out images (means over images) and the summed mistake counts.
struct Scores {
    pixel: f64,
    warping: f64,
    rand: f64,
    counts: MistakeCounts,
    /// Each image's warping result (for the picture).
    warps: Vec<WarpingResult>,
}

/// A row-major `size × size` image as the 2-D view the metrics take.
fn view(image: &[f32], size: usize) -> Result<ArrayView2<'_, f32>> {
    ArrayView2::from_shape((size, size), image).map_err(|e| {
        Error::invalid_argument("segmentation", format!("image of the wrong size: {e}"))
    })
}

fn score(samples: &[Sample], predictions: &[Vec<f32>], size: usize) -> Result<Scores> {
    let (mut pixel, mut warping, mut rand) = (0.0, 0.0, 0.0);
    let mut counts = MistakeCounts::default();
    let mut warps = Vec::new();
    let warp_options = WarpingOptions::default().with_threshold(THRESHOLD);
    let rand_options = RandErrorOptions::default();
    for (s, p) in samples.iter().zip(predictions) {
        let (label, prediction) = (view(&s.label, size)?, view(p, size)?);
        pixel += pixel_error(label, prediction, THRESHOLD)?;
        rand += rand_error(label, prediction, &rand_options)?.error;
        let w = warping_error(label, prediction, &warp_options)?;
        warping += w.error;
        let c = &w.counts;
        counts.split += c.split;
        counts.merge += c.merge;
        counts.hole_added += c.hole_added;
        counts.hole_deleted += c.hole_deleted;
        counts.object_added += c.object_added;
        counts.object_deleted += c.object_deleted;
        warps.push(w);
    }
    let n = samples.len().max(1) as f64;
    Ok(Scores {
        pixel: pixel / n,
        warping: warping / n,
        rand: rand / n,
        counts,
        warps,
    })
}

// ---------------------------------------------------------------------------------------------
// The picture: input, label, prediction, mistakes
// ---------------------------------------------------------------------------------------------

fn kind_color(kind: MistakeKind) -> RGBColor {
    match kind {
        MistakeKind::Split => RGBColor(230, 25, 25),
        MistakeKind::Merge => RGBColor(30, 90, 255),
        MistakeKind::HoleAdded => RGBColor(255, 150, 0),
        MistakeKind::HoleDeleted => RGBColor(170, 60, 220),
        MistakeKind::ObjectAdded => RGBColor(0, 190, 70),
        MistakeKind::ObjectDeleted => RGBColor(0, 200, 220),
    }
}

const KINDS: [(MistakeKind, &str); 6] = [
    (MistakeKind::Split, "split"),
    (MistakeKind::Merge, "merge"),
    (MistakeKind::HoleAdded, "hole added"),
    (MistakeKind::HoleDeleted, "hole deleted"),
    (MistakeKind::ObjectAdded, "object added"),
    (MistakeKind::ObjectDeleted, "object deleted"),
];

/// Draws a gray image (`lo` black, `hi` white) with `cell` SVG pixels per image pixel; runs of
/// equal quantised gray along a row are one rectangle (a smaller SVG).
fn draw_gray(
    area: &DrawingArea<SVGBackend, Shift>,
    values: &[f32],
    size: usize,
    (lo, hi): (f32, f32),
    origin: (i32, i32),
    cell: i32,
) -> std::result::Result<(), String> {
    let gray = |v: f32| (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * 63.0).round() as u8 * 4;
    for (r, row) in values.chunks(size).enumerate() {
        let mut c = 0;
        while c < row.len() {
            let g = gray(row[c]);
            let mut end = c + 1;
            while end < row.len() && gray(row[end]) == g {
                end += 1;
            }
            let (x, y) = (origin.0 + c as i32 * cell, origin.1 + r as i32 * cell);
            let corner = (origin.0 + end as i32 * cell, y + cell);
            area.draw(&Rectangle::new(
                [(x, y), corner],
                RGBColor(g, g, g).filled(),
            ))
            .map_err(|e| e.to_string())?;
            c = end;
        }
    }
    Ok(())
}

/// Input, label, probability of "cell", and the binarised prediction with every remaining
/// warping mistake marked (a coloured pixel in a ring of its kind's colour), plus a legend.
fn prediction_figure(
    path: &Path,
    sample: &Sample,
    prediction: &[f32],
    warp: &WarpingResult,
    size: usize,
    title: &str,
) -> Result<()> {
    const PANEL: i32 = 288;
    const GAP: i32 = 16;
    let cell = (PANEL / size as i32).max(1);
    let panel = cell * size as i32;
    let (width, height) = (4 * (panel + GAP) + GAP + 150, panel + 80);
    let root = SVGBackend::new(path, (width as u32, height as u32)).into_drawing_area();
    let run = || -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let font = ("sans-serif", 15).into_font();
        root.draw(&Text::new(
            title.to_string(),
            (GAP, 8),
            ("sans-serif", 17).into_font(),
        ))
        .map_err(|e| e.to_string())?;
        let binary: Vec<f32> = prediction
            .iter()
            .map(|&p| if p > THRESHOLD { 1.0 } else { 0.0 })
            .collect();
        let panels: [(&str, &[f32], (f32, f32)); 4] = [
            ("input", &sample.input, (-2.4, 2.4)),
            ("label (white: cell)", &sample.label, (0.0, 1.0)),
            ("p(cell)", prediction, (0.0, 1.0)),
            ("prediction > 0.5, mistakes", &binary, (0.0, 1.0)),
        ];
        let y = 56;
        for (i, (name, values, range)) in panels.iter().enumerate() {
            let x = GAP + i as i32 * (panel + GAP);
            root.draw(&Text::new(name.to_string(), (x, y - 20), font.clone()))
                .map_err(|e| e.to_string())?;
            draw_gray(&root, values, size, *range, (x, y), cell)?;
        }
        // Mistakes on the last panel.
        let x = GAP + 3 * (panel + GAP);
        let at = |m: &fovea::metrics::Mistake| (x + m.col as i32 * cell, y + m.row as i32 * cell);
        // First a translucent halo per mistake (neighbouring mistakes of a kind merge into one
        // blob, visible at a glance), then the pixels themselves on top.
        for m in &warp.mistakes {
            let (px, py) = at(m);
            let halo = kind_color(m.kind).mix(0.3).filled();
            root.draw(&Circle::new((px + cell / 2, py + cell / 2), 2 * cell, halo))
                .map_err(|e| e.to_string())?;
        }
        for m in &warp.mistakes {
            let (px, py) = at(m);
            let fill = kind_color(m.kind).filled();
            root.draw(&Rectangle::new([(px, py), (px + cell, py + cell)], fill))
                .map_err(|e| e.to_string())?;
        }
        // Legend with the count of each kind.
        let lx = GAP + 4 * (panel + GAP);
        for (i, (kind, name)) in KINDS.iter().enumerate() {
            let ly = y + 10 + i as i32 * 24;
            let n = warp.mistakes.iter().filter(|m| m.kind == *kind).count();
            root.draw(&Rectangle::new(
                [(lx, ly), (lx + 14, ly + 14)],
                kind_color(*kind).filled(),
            ))
            .map_err(|e| e.to_string())?;
            root.draw(&Text::new(
                format!("{name} ({n})"),
                (lx + 20, ly),
                font.clone(),
            ))
            .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())
    };
    run().map_err(|e| Error::Format {
        op: "segmentation plot".into(),
        path: path.to_path_buf(),
        reason: e,
    })
}

// ---------------------------------------------------------------------------------------------

/// One row of the per-epoch table.
struct Row {
    epoch: usize,
    loss: f64,
    scores: Scores,
    seconds: f64,
}

fn print_row(r: &Row) {
    let c = &r.scores.counts;
    let loss = if r.epoch == 0 {
        "-".to_string()
    } else {
        format!("{:.4}", r.loss)
    };
    println!(
        "| {} | {loss} | {:.4} | {:.4} | {} | {} | {} / {} | {} / {} | {:.4} | {:.1} s |",
        r.epoch,
        r.scores.pixel,
        r.scores.warping,
        c.split,
        c.merge,
        c.hole_added,
        c.hole_deleted,
        c.object_added,
        c.object_deleted,
        r.scores.rand,
        r.seconds
    );
}

fn main() -> Result<()> {
    let args = Args::parse();
    common::init_logging();
    common::set_threads(args.threads);
    let out = common::plot_dir(args.out.as_deref(), "segmentation")?;
    let size = args.size as usize;
    // --smoke: a handful of images and two epochs, to check that everything runs.
    let (train_count, test_count, epochs) = if args.smoke {
        (32, 4, 2)
    } else {
        (args.train_images, args.test_images, args.epochs)
    };
    if args.batch_size == 0 || train_count == 0 || test_count == 0 {
        return Err(Error::invalid_argument(
            "segmentation",
            "--batch-size, --train-images and --test-images must be at least 1",
        ));
    }
    let started = Instant::now();
    let mut rng = seeded_rng(args.seed);
    let train_set: Vec<Sample> = (0..train_count)
        .map(|_| make_sample(size, &mut rng))
        .collect();
    let test_set: Vec<Sample> = (0..test_count)
        .map(|_| make_sample(size, &mut rng))
        .collect();
    let membrane = train_set
        .iter()
        .flat_map(|s| &s.label)
        .filter(|&&l| l == MEMBRANE as f32)
        .count() as f64
        / (train_count * size * size) as f64;
    tracing::info!(
        "{train_count} train / {test_count} held-out images of {size}x{size}, {:.1}% membrane pixels",
        100.0 * membrane
    );

    let net = network(args.seed)?;
    println!("{}", summary(&net, &[1, 1, size, size])?);
    let config = SgdConfig::new(args.lr)
        .with_momentum(0.9)
        .with_weight_decay(1e-4);
    let mut opt = Sgd::new(net.parameters(), config)?
        .with_group(ParamGroup::matching(&["*.bias"]).with_weight_decay(0.0))?;
    let mut weights = [1.0f32; 2];
    weights[MEMBRANE] = args.membrane_weight;
    let loss_options =
        CrossEntropyOptions::default().with_weight(Tensor::from_vec(weights.to_vec(), &[2])?);

    // Epoch 0: the untrained network, as a baseline for the curves.
    let mut rows = vec![Row {
        epoch: 0,
        loss: f64::NAN,
        scores: score(&test_set, &predict(&net, &test_set, size)?, size)?,
        seconds: started.elapsed().as_secs_f64(),
    }];
    let mut order: Vec<usize> = (0..train_count).collect();
    let mut shuffle_rng = seeded_rng(args.seed.wrapping_add(1000));
    for epoch in 1..=epochs {
        // Fisher–Yates shuffle, reproducible from the seed.
        for i in (1..order.len()).rev() {
            order.swap(i, shuffle_rng.random_range(0..=i));
        }
        let steps = order.len().div_ceil(args.batch_size);
        let bar = common::epoch_bar(steps, &format!("epoch {epoch}/{epochs}"));
        let (mut loss_sum, mut batches) = (0.0f64, 0usize);
        for chunk in order.chunks(args.batch_size) {
            let refs: Vec<&Sample> = chunk.iter().map(|&i| &train_set[i]).collect();
            let (images, targets) = batch(&refs, size)?;
            let logits = net.forward(&Var::constant(images))?;
            let loss = cross_entropy_with(&logits, &targets, &loss_options)?;
            let grads = loss.backward()?;
            opt.step(&grads)?;
            loss_sum += loss.value().item().unwrap_or(f32::NAN) as f64;
            batches += 1;
            bar.set_message(format!("loss {:.4}", loss_sum / batches as f64));
            bar.inc(1);
        }
        bar.finish_and_clear();
        let scores = score(&test_set, &predict(&net, &test_set, size)?, size)?;
        tracing::info!(
            "epoch {epoch}/{epochs}: loss {:.4} | pixel {:.4} warping {:.4} ({} splits, {} merges) rand {:.4}",
            loss_sum / batches.max(1) as f64,
            scores.pixel,
            scores.warping,
            scores.counts.split,
            scores.counts.merge,
            scores.rand
        );
        rows.push(Row {
            epoch,
            loss: loss_sum / batches.max(1) as f64,
            scores,
            seconds: started.elapsed().as_secs_f64(),
        });
    }

    println!(
        "\nHeld-out errors ({test_count} images of {size}x{size}; means over images, mistakes summed):\n"
    );
    println!(
        "| epoch | train loss | pixel error | warping error | splits | merges | holes added / deleted | objects added / deleted | Rand error | elapsed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        print_row(r);
    }

    let errors_path = out.join("errors.svg");
    let curve = |name: &str, f: fn(&Scores) -> f64| Series {
        label: name.to_string(),
        points: rows
            .iter()
            .map(|r| (r.epoch as f64, f(&r.scores)))
            .collect(),
    };
    line_chart(
        &errors_path,
        &Chart {
            title: "Segmentation errors on held-out images",
            x_label: "epoch (0: untrained)",
            y_label: "error (log scale)",
            log_x: false,
            // The errors span 0.002 to 0.8: only a log axis shows all three.
            log_y: true,
        },
        &[
            curve("pixel error", |s| s.pixel),
            curve("warping error", |s| s.warping),
            curve("Rand error", |s| s.rand),
        ],
    )?;

    // The held-out image with the most topological mistakes after training: where to look.
    let last = rows.last().map(|r| &r.scores);
    let figure_path = out.join("prediction.svg");
    if let Some(scores) = last {
        let predictions = predict(&net, &test_set, size)?;
        let worst = (0..test_count)
            .max_by_key(|&i| scores.warps[i].mistakes.len())
            .unwrap_or(0);
        let warp = &scores.warps[worst];
        let title = format!(
            "held-out image {worst} (the most warping mistakes): pixel error {:.4}, warping error {:.4}",
            pixel_error(
                view(&test_set[worst].label, size)?,
                view(&predictions[worst], size)?,
                THRESHOLD
            )?,
            warp.error
        );
        prediction_figure(
            &figure_path,
            &test_set[worst],
            &predictions[worst],
            warp,
            size,
            &title,
        )?;
    }
    println!(
        "\n{:.1} s in all; wrote {} and {}",
        started.elapsed().as_secs_f64(),
        errors_path.display(),
        figure_path.display()
    );
    Ok(())
}
