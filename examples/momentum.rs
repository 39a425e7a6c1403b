//! Momentum as an experiment (issue 6, "The seed's details as experiments"): SGD without
//! momentum, with classic (heavy-ball) momentum μ = 0.5 and 0.9, and with Nesterov momentum 0.9.
//!
//! **Part 1: an ill-conditioned quadratic**, f(w) = ½(a·w₀² + b·w₁²) with a = 1, b = 50
//! (condition number 50), from w = (-4, 1), minimised by fovea's `Sgd` on a `Var` (the same code
//! path as a network's parameters). Without momentum the step must stay below 2/b (the steep
//! direction oscillates and diverges beyond), so the flat direction creeps along at lr·a per
//! step. Momentum builds up speed along the flat direction. For a quadratic with curvature h the
//! iteration is stable when
//!
//! ```text
//! no momentum:         lr·h < 2
//! heavy ball (μ):      lr·h < 2(1 + μ)
//! Nesterov (μ):        lr·h < 2(1 + μ)/(1 + 2μ)      (PyTorch's formulation)
//! ```
//!
//! so at lr = 0.95·2/b Nesterov diverges; the program therefore also runs lr = 1/b, inside every
//! limit. Trajectories are drawn over the contour ellipses of f; the table gives the steps to
//! reach f < 1e-3.
//!
//! **Part 2: the CNN.** LeNet-5 (`fovea::models::lenet5`) on Fashion-MNIST, the same learning
//! rate and the same mini-batches for every setting, a fixed number of steps: training-loss curves
//! and the steps to reach a target loss.
//!
//! Run: `cargo run --release --example momentum` (`--smoke` for a few-second version, `--help`
//! for the options). Plots go to `target/fovea-plots/momentum/`.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use common::plot::{Chart, Series, line_chart};
use fovea::data::{BatchConfig, Dataset, Normalize};
use fovea::optim::{Momentum, Sgd, SgdConfig};
use fovea::prelude::*;
use plotters::prelude::*;

#[derive(Parser, Debug)]
#[command(
    about = "SGD with and without (Nesterov) momentum on an ill-conditioned quadratic and on a CNN"
)]
struct Args {
    /// Curvature b of the steep direction of f(w) = ½(w₀² + b·w₁²) (the condition number).
    #[arg(long, default_value_t = 50.0)]
    b: f32,
    /// Steps allowed on the quadratic.
    #[arg(long, default_value_t = 300)]
    max_steps: usize,
    /// Training steps (mini-batches) of the CNN per setting.
    #[arg(long, default_value_t = 500)]
    cnn_steps: usize,
    /// Learning rate of the CNN (the same for every momentum setting).
    #[arg(long, default_value_t = 0.01)]
    lr: f32,
    /// Images per mini-batch of the CNN.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Target of the CNN's training loss (mean over the last 20 steps) for the table.
    #[arg(long, default_value_t = 0.8)]
    target_loss: f32,
    /// Seed of the CNN's initialisation and of the batch order.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Use the full Fashion-MNIST (from --data, $FOVEA_DATA or the Debian package) instead of
    /// the embedded subset.
    #[arg(long)]
    full: bool,
    /// Folder with the Fashion-MNIST IDX files (with --full).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Folder of the SVG plots (default: target/fovea-plots/momentum).
    #[arg(long)]
    out: Option<PathBuf>,
    /// A tiny run of a few seconds (for CI).
    #[arg(long)]
    smoke: bool,
}

/// The four optimizer settings compared.
const SETTINGS: [Momentum; 4] = [
    Momentum::None,
    Momentum::Classic {
        momentum: 0.5,
        dampening: 0.0,
    },
    Momentum::Classic {
        momentum: 0.9,
        dampening: 0.0,
    },
    Momentum::Nesterov { momentum: 0.9 },
];

fn label(m: Momentum) -> String {
    match m {
        Momentum::None => "μ = 0".into(),
        Momentum::Classic { momentum, .. } => format!("μ = {momentum}"),
        Momentum::Nesterov { momentum } => format!("Nesterov μ = {momentum}"),
    }
}

/// The largest stable lr·h on a quadratic of curvature h (see the module docs).
fn stability_limit(m: Momentum) -> f32 {
    match m {
        Momentum::None => 2.0,
        Momentum::Classic { momentum, .. } => 2.0 * (1.0 + momentum),
        Momentum::Nesterov { momentum } => 2.0 * (1.0 + momentum) / (1.0 + 2.0 * momentum),
    }
}

/// The quadratic's target value.
const TARGET_F: f32 = 1e-3;
/// The start point.
const START: [f32; 2] = [-4.0, 1.0];

/// How a run on the quadratic ended.
enum Outcome {
    Reached(usize),
    Diverged(usize),
    NotWithin(usize),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Reached(k) => write!(f, "{k}"),
            Outcome::Diverged(k) => write!(f, "diverges (f > 1e6 at step {k})"),
            Outcome::NotWithin(n) => write!(f, "not within {n}"),
        }
    }
}

/// A run on the quadratic: the iterates, f at each, and the outcome.
struct QuadRun {
    path: Vec<(f64, f64)>,
    values: Vec<(f64, f64)>,
    outcome: Outcome,
}

/// Minimises f(w) = ½(a·w₀² + b·w₁²) with `Sgd` on a 2-element parameter.
fn quadratic_run(a: f32, b: f32, lr: f32, momentum: Momentum, max_steps: usize) -> Result<QuadRun> {
    let curvature = Var::constant(Tensor::from_vec(vec![a, b], &[2])?);
    let w = Var::parameter(Tensor::from_vec(START.to_vec(), &[2])?);
    let config = SgdConfig::new(lr).with_momentum_kind(momentum);
    let mut opt = Sgd::new(vec![("w".into(), w.clone())], config)?;
    let mut path = Vec::new();
    let mut values = Vec::new();
    for step in 0..=max_steps {
        // f = ½·Σ cᵢ·wᵢ²
        let f = w.mul(&w)?.mul(&curvature)?.sum_all().mul_scalar(0.5);
        let value = f.value().item().unwrap_or(f32::NAN);
        let p = w.value().to_vec();
        path.push((p[0] as f64, p[1] as f64));
        values.push((step as f64, value as f64));
        if value < TARGET_F {
            return Ok(QuadRun {
                path,
                values,
                outcome: Outcome::Reached(step),
            });
        }
        // NaN counts as diverged too.
        if value.is_nan() || value > 1e6 {
            return Ok(QuadRun {
                path,
                values,
                outcome: Outcome::Diverged(step),
            });
        }
        if step < max_steps {
            opt.step(&f.backward()?)?;
        }
    }
    Ok(QuadRun {
        path,
        values,
        outcome: Outcome::NotWithin(max_steps),
    })
}

fn plot_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Format {
        op: "plot".into(),
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Contour ellipses of f and the trajectories of `runs`. Points outside the view are dropped
/// (a diverging trajectory is drawn until it leaves).
fn plot_trajectories(
    path: &Path,
    title: &str,
    a: f32,
    b: f32,
    runs: &[(String, &QuadRun)],
) -> Result<()> {
    let (x0, x1, y0, y1) = (-5.0, 5.0, -2.0, 2.0);
    let root = SVGBackend::new(path, (900, 460)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_error(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| plot_error(path, e))?;
    chart
        .configure_mesh()
        .x_desc("w₀ (flat, a = 1)")
        .y_desc("w₁ (steep)")
        .draw()
        .map_err(|e| plot_error(path, e))?;
    // f = c is the ellipse w₀ = √(2c/a)·cos t, w₁ = √(2c/b)·sin t; levels spaced by ×4,
    // the largest one still inside the view (f(start) = 33 is wider than it).
    for level in (0..7).map(|i| 12.0 * 0.25f64.powi(i)) {
        let (ra, rb) = (
            (2.0 * level / a as f64).sqrt(),
            (2.0 * level / b as f64).sqrt(),
        );
        let ellipse: Vec<(f64, f64)> = (0..=120)
            .map(|i| {
                let t = i as f64 / 120.0 * std::f64::consts::TAU;
                (ra * t.cos(), rb * t.sin())
            })
            .filter(|&(x, y)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y))
            .collect();
        chart
            .draw_series(LineSeries::new(ellipse, BLACK.mix(0.25).stroke_width(1)))
            .map_err(|e| plot_error(path, e))?;
    }
    for (i, (name, run)) in runs.iter().enumerate() {
        let color = Palette99::pick(i).mix(0.9);
        let inside: Vec<(f64, f64)> = run
            .path
            .iter()
            .copied()
            .take_while(|&(x, y)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y))
            .collect();
        chart
            .draw_series(LineSeries::new(inside.clone(), color.stroke_width(2)))
            .map_err(|e| plot_error(path, e))?
            .label(format!("{name}: {}", run.outcome))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(inside.iter().map(|&p| Circle::new(p, 2, color.filled())))
            .map_err(|e| plot_error(path, e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))?;
    Ok(())
}

fn quadratic(args: &Args, out: &Path) -> Result<()> {
    let (a, b) = (1.0f32, args.b);
    // lr just below the no-momentum limit 2/b, and 1/b, inside every setting's limit.
    let rates = [0.95 * 2.0 / b, 1.0 / b];
    let mut table: Vec<Vec<String>> = SETTINGS
        .iter()
        .map(|&m| vec![label(m), format!("{:.3}", stability_limit(m) / b)])
        .collect();
    for lr in rates {
        let runs: Vec<(String, QuadRun)> = SETTINGS
            .iter()
            .map(|&m| Ok((label(m), quadratic_run(a, b, lr, m, args.max_steps)?)))
            .collect::<Result<_>>()?;
        for (row, (_, run)) in table.iter_mut().zip(&runs) {
            row.push(run.outcome.to_string());
        }
        let refs: Vec<(String, &QuadRun)> = runs.iter().map(|(n, r)| (n.clone(), r)).collect();
        plot_trajectories(
            &out.join(format!("quadratic_lr{lr:.3}.svg")),
            &format!("f(w) = ½(w₀² + {b}·w₁²), lr = {lr:.3}: SGD trajectories from (-4, 1)"),
            a,
            b,
            &refs,
        )?;
        let series: Vec<Series> = runs
            .iter()
            .map(|(name, run)| Series {
                label: name.clone(),
                points: run.values.clone(),
            })
            .collect();
        line_chart(
            &out.join(format!("quadratic_f_lr{lr:.3}.svg")),
            &Chart {
                title: &format!("f(w) = ½(w₀² + {b}·w₁²), lr = {lr:.3}"),
                x_label: "step",
                y_label: "f(w)",
                log_x: false,
                log_y: true,
            },
            &series,
        )?;
    }
    println!(
        "\nQuadratic f(w) = ½(w₀² + {b}·w₁²) from (-4, 1), fovea Sgd on a Var: steps to f < {TARGET_F:.0e}"
    );
    println!(
        "| setting | largest stable lr (steep direction) | lr = {:.3} (0.95·2/b) | lr = {:.3} (1/b) |",
        rates[0], rates[1]
    );
    println!("|---|---|---|---|");
    for row in table {
        println!("| {} |", row.join(" | "));
    }
    Ok(())
}

/// A CNN run: the training loss at every step.
struct CnnRun {
    momentum: Momentum,
    losses: Vec<f32>,
    seconds: f32,
}

/// Mean of the last `window` losses at each step (the per-batch loss is noisy).
fn running_mean(losses: &[f32], window: usize) -> Vec<f32> {
    (0..losses.len())
        .map(|i| {
            let from = (i + 1).saturating_sub(window);
            losses[from..=i].iter().sum::<f32>() / (i + 1 - from) as f32
        })
        .collect()
}

const WINDOW: usize = 20;

fn cnn_run(args: &Args, momentum: Momentum, train: &Dataset, steps: usize) -> Result<CnnRun> {
    let started = Instant::now();
    let mut net = fovea::models::lenet5(10, args.seed)?;
    net.set_training(true);
    let config = SgdConfig::new(args.lr).with_momentum_kind(momentum);
    let mut opt = Sgd::new(net.parameters(), config)?;
    let bar = common::epoch_bar(steps, &label(momentum));
    let mut losses = Vec::with_capacity(steps);
    let mut epoch = 0;
    'train: loop {
        // The same batches in the same order for every setting: only the momentum differs.
        let batches = train.batches_with(
            &BatchConfig::new(args.batch_size)
                .with_shuffle(args.seed * 1000 + epoch)
                .with_drop_last(true)
                .with_normalize(Normalize::FASHION_MNIST),
        )?;
        for batch in batches {
            let logits = net.forward(&Var::constant(batch.images))?;
            let loss = cross_entropy(&logits, &batch.labels)?;
            opt.step(&loss.backward()?)?;
            losses.push(loss.value().item().unwrap_or(f32::NAN));
            bar.set_message(format!(
                "loss {:.3}",
                running_mean(&losses[losses.len().saturating_sub(WINDOW)..], WINDOW)
                    .last()
                    .copied()
                    .unwrap_or(f32::NAN)
            ));
            bar.inc(1);
            if losses.len() == steps {
                break 'train;
            }
        }
        epoch += 1;
    }
    bar.finish_and_clear();
    Ok(CnnRun {
        momentum,
        losses,
        seconds: started.elapsed().as_secs_f32(),
    })
}

fn cnn(args: &Args, out: &Path) -> Result<()> {
    let fashion = common::load_fashion(args.data.clone(), !args.full)?;
    let steps = if args.smoke { 10 } else { args.cnn_steps };
    let mut runs = Vec::new();
    for m in SETTINGS {
        let run = cnn_run(args, m, &fashion.train, steps)?;
        tracing::info!("{}: {:.1}s", label(m), run.seconds);
        runs.push(run);
    }
    println!(
        "\nLeNet-5 on Fashion-MNIST ({} training images), SGD lr {}, batch {}, {steps} steps; \
         loss = mean over the last {WINDOW} steps",
        fashion.train.len(),
        args.lr,
        args.batch_size
    );
    println!(
        "| setting | steps to loss < {} | loss after {steps} steps | time |",
        args.target_loss
    );
    println!("|---|---|---|---|");
    let mut series = Vec::new();
    for r in &runs {
        let smooth = running_mean(&r.losses, WINDOW);
        // The window must be full before the running mean is believed.
        let reached = smooth
            .iter()
            .enumerate()
            .skip(WINDOW - 1)
            .find(|(_, l)| **l < args.target_loss)
            .map_or(format!("not within {steps}"), |(i, _)| (i + 1).to_string());
        println!(
            "| {} | {reached} | {:.3} | {:.1}s |",
            label(r.momentum),
            smooth.last().copied().unwrap_or(f32::NAN),
            r.seconds
        );
        series.push(Series {
            label: label(r.momentum),
            points: smooth
                .iter()
                .enumerate()
                .map(|(i, &l)| ((i + 1) as f64, l as f64))
                .collect(),
        });
    }
    line_chart(
        &out.join("cnn_loss.svg"),
        &Chart {
            title: &format!(
                "LeNet-5 on Fashion-MNIST, SGD lr {}: training loss (mean of {WINDOW} steps)",
                args.lr
            ),
            x_label: "step",
            y_label: "cross-entropy",
            log_x: false,
            log_y: true,
        },
        &series,
    )
}

fn main() -> Result<()> {
    let args = Args::parse();
    common::init_logging();
    common::set_threads(args.threads);
    let out = common::plot_dir(args.out.as_deref(), "momentum")?;
    let started = Instant::now();
    quadratic(&args, &out)?;
    cnn(&args, &out)?;
    println!(
        "\nplots in {}: quadratic_lr*.svg (trajectories), quadratic_f_lr*.svg, cnn_loss.svg \
         ({:.1}s in all)",
        out.display(),
        started.elapsed().as_secs_f32()
    );
    Ok(())
}
