//! Weight decay as an experiment (issue 6, "The seed's details as experiments").
//!
//! **Part 1: ridge regression.** A degree-9 polynomial w₀ + w₁x + … + w₉x⁹ is fitted to 12 noisy
//! samples of sin(πx) on [-1, 1] by minimising
//!
//! ```text
//! J(w) = MSE(Xw, y) + λ·wᵀw
//! ```
//!
//! written out as an autograd expression (`mse_loss + λ·Σw²`) and minimised with fovea's `Sgd`
//! (full batch, so plain deterministic gradient descent, with Nesterov momentum because
//! the monomial features make the problem very ill-conditioned). For every λ the program also
//! minimises the plain MSE with `SgdConfig::with_weight_decay(2λ)` and checks that both give the
//! same w: the gradient of λ·wᵀw is 2λ·w, and SGD's weight decay adds wd·w to the gradient, so
//! **wd = 2λ** (PyTorch's `weight_decay` is the same: it is the gradient of (wd/2)·‖w‖²).
//! A closed-form ridge solution, (XᵀX/n + λI)⁻¹·Xᵀy/n in f64, cross-checks both.
//!
//! λ = 0 interpolates the noise (wild curve, large ‖w‖, large test error); a large λ shrinks
//! w towards 0 and underfits; in between the test error is lowest.
//!
//! **Part 2: the CNN.** LeNet-5 (`fovea::models::lenet5`) trained on a small class-balanced
//! subset of Fashion-MNIST with several weight decays; test accuracy and weight norm.
//!
//! Run: `cargo run --release --example weight_decay` (`--smoke` for a few-second version,
//! `--help` for the options). Plots go to `target/fovea-plots/weight_decay/`.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use common::plot::{Chart, Series, line_chart};
use fovea::data::{BatchConfig, Dataset, Normalize};
use fovea::optim::{Momentum, ParamGroup, Sgd, SgdConfig};
use fovea::prelude::*;
use plotters::prelude::*;

#[derive(Parser, Debug)]
#[command(
    about = "Weight decay: ridge regression of a degree-9 polynomial, and a CNN with and without weight decay"
)]
struct Args {
    /// Seed of the regression samples, the CNN's initialisation, subset and shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Noisy training samples of sin(πx) for the regression.
    #[arg(long, default_value_t = 12)]
    samples: usize,
    /// Standard deviation of the noise added to the regression targets.
    #[arg(long, default_value_t = 0.3)]
    noise: f32,
    /// Full-batch gradient steps per λ (the λ = 0 problem is ill-conditioned: it needs many).
    #[arg(long, default_value_t = 20_000)]
    steps: usize,
    /// Weight decays of the CNN runs (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "0,5e-4,5e-3,2e-2")]
    cnn_weight_decay: Vec<f32>,
    /// Passes over the CNN's training images.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// CNN training images per class (a small subset, so that regularisation matters).
    #[arg(long, default_value_t = 50)]
    per_class: usize,
    /// Learning rate of the CNN's SGD (momentum 0.9).
    #[arg(long, default_value_t = 0.01)]
    lr: f32,
    /// Images per mini-batch of the CNN.
    #[arg(long, default_value_t = 25)]
    batch_size: usize,
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
    /// Folder of the SVG plots (default: target/fovea-plots/weight_decay).
    #[arg(long)]
    out: Option<PathBuf>,
    /// A tiny run of a few seconds (for CI).
    #[arg(long)]
    smoke: bool,
}

/// Polynomial degree: features x⁰ … x⁹.
const DEGREE: usize = 9;
/// The λ values of the table (0 to "large").
const LAMBDAS: [f64; 8] = [0.0, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0];
/// The λ values whose fitted curves are drawn.
const PLOTTED: [f64; 4] = [0.0, 1e-4, 1e-1, 10.0];

fn truth(x: f64) -> f64 {
    (std::f64::consts::PI * x).sin()
}

/// Rows [x⁰, x¹, …, x⁹] for each x.
fn features(xs: &[f64]) -> Vec<Vec<f64>> {
    xs.iter()
        .map(|&x| (0..=DEGREE).map(|k| x.powi(k as i32)).collect())
        .collect()
}

fn predict(w: &[f64], x: f64) -> f64 {
    // Horner's rule.
    w.iter().rev().fold(0.0, |acc, &c| acc * x + c)
}

fn mse(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let sum: f64 = xs
        .iter()
        .zip(ys)
        .map(|(&x, &y)| (predict(w, x) - y).powi(2))
        .sum();
    sum / xs.len() as f64
}

fn norm(w: &[f64]) -> f64 {
    w.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// The regression problem: training samples and a dense noise-free test grid.
struct Problem {
    x_train: Vec<f64>,
    y_train: Vec<f64>,
    x_test: Vec<f64>,
    y_test: Vec<f64>,
}

impl Problem {
    /// `n` samples, one drawn uniformly in each of `n` equal bins of [-1, 1] (so the ends are
    /// covered but the points are irregular), with Gaussian noise of standard deviation `noise`.
    fn new(n: usize, noise: f32, seed: u64) -> Result<Problem> {
        let mut rng = seeded_rng(seed);
        let u = Tensor::rand_uniform(&[n], 0.0, 1.0, &mut rng)?.to_vec();
        let e = Tensor::rand_normal(&[n], 0.0, noise, &mut rng)?.to_vec();
        let x_train: Vec<f64> = (0..n)
            .map(|i| -1.0 + 2.0 * (i as f64 + u[i] as f64) / n as f64)
            .collect();
        let y_train = x_train
            .iter()
            .zip(&e)
            .map(|(&x, &e)| truth(x) + e as f64)
            .collect();
        // The test error is measured against the noise-free function (add σ² for the expected
        // error on fresh noisy samples).
        let x_test: Vec<f64> = (0..=200).map(|i| -1.0 + i as f64 / 100.0).collect();
        let y_test = x_test.iter().map(|&x| truth(x)).collect();
        Ok(Problem {
            x_train,
            y_train,
            x_test,
            y_test,
        })
    }

    /// The minimiser of J in closed form: (XᵀX/n + λI) w = Xᵀy/n, solved in f64.
    fn ridge(&self, lambda: f64) -> Vec<f64> {
        let x = features(&self.x_train);
        let n = x.len() as f64;
        let d = DEGREE + 1;
        let mut a = vec![vec![0.0; d + 1]; d]; // augmented [A | b]
        for (row, &y) in x.iter().zip(&self.y_train) {
            for i in 0..d {
                for j in 0..d {
                    a[i][j] += row[i] * row[j] / n;
                }
                a[i][d] += row[i] * y / n;
            }
        }
        for (i, r) in a.iter_mut().enumerate() {
            r[i] += lambda;
        }
        solve(a)
    }
}

/// Gaussian elimination with partial pivoting on an augmented d×(d+1) matrix.
fn solve(mut a: Vec<Vec<f64>>) -> Vec<f64> {
    let d = a.len();
    for col in 0..d {
        let pivot = (col..d)
            .max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        let (top, below) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for row in below {
            let f = row[col] / pivot_row[col];
            for (x, p) in row.iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
        }
    }
    let mut w = vec![0.0; d];
    for r in (0..d).rev() {
        let s: f64 = (r + 1..d).map(|c| a[r][c] * w[c]).sum();
        w[r] = (a[r][d] - s) / a[r][r];
    }
    w
}

/// How the penalty enters the optimisation.
#[derive(Clone, Copy, Debug)]
enum Penalty {
    /// λ·Σw² is part of the autograd expression of J.
    InLoss,
    /// The loss is the plain MSE; `Sgd` adds weight decay wd = 2λ to the gradient.
    WeightDecay,
}

/// Minimises J by full-batch gradient descent through autograd and `Sgd`; returns w.
fn fit_gd(
    problem: &Problem,
    lambda: f64,
    penalty: Penalty,
    steps: usize,
    bar: &indicatif::ProgressBar,
) -> Result<Vec<f64>> {
    let n = problem.x_train.len();
    let rows: Vec<f32> = features(&problem.x_train)
        .into_iter()
        .flatten()
        .map(|v| v as f32)
        .collect();
    let x = Var::constant(Tensor::from_vec(rows, &[n, DEGREE + 1])?);
    let y = Var::constant(Tensor::from_vec(
        problem.y_train.iter().map(|&v| v as f32).collect(),
        &[n, 1],
    )?);
    let w = Var::parameter(Tensor::zeros(&[DEGREE + 1, 1]));
    // The Hessian of J is 2(XᵀX/n + λI); its largest eigenvalue is at most 2(trace(XᵀX)/n + λ),
    // so lr = 1/L is stable. Nesterov momentum 0.99 because at small λ the condition number is
    // ~1e9: plain gradient descent would need billions of steps, accelerated ~√κ times fewer.
    let trace: f64 = problem
        .x_train
        .iter()
        .map(|&x| (0..=DEGREE).map(|k| x.powi(2 * k as i32)).sum::<f64>())
        .sum::<f64>()
        / n as f64;
    let lr = (1.0 / (2.0 * (trace + lambda))) as f32;
    let lam = lambda as f32;
    let config = SgdConfig::new(lr).with_momentum_kind(Momentum::Nesterov { momentum: 0.99 });
    let config = match penalty {
        Penalty::InLoss => config,
        Penalty::WeightDecay => config.with_weight_decay(2.0 * lam),
    };
    let mut opt = Sgd::new(vec![("w".into(), w.clone())], config)?;
    for step in 0..steps {
        let loss = mse_loss(&x.matmul(&w)?, &y)?;
        let objective = match penalty {
            // J(w) = MSE + λ·wᵀw, exactly as written.
            Penalty::InLoss => loss.add(&w.mul(&w)?.sum_all().mul_scalar(lam))?,
            Penalty::WeightDecay => loss,
        };
        opt.step(&objective.backward()?)?;
        if step % 1000 == 0 {
            bar.inc(1000.min(steps - step) as u64);
        }
    }
    Ok(w.value().to_vec().into_iter().map(f64::from).collect())
}

/// One row of the regression table.
struct Fit {
    lambda: f64,
    w: Vec<f64>,
    /// max |w(J in the loss) − w(weight decay 2λ)|.
    wd_gap: f64,
    exact: Vec<f64>,
}

fn lambda_label(lambda: f64) -> String {
    if lambda == 0.0 {
        "0".into()
    } else {
        format!("{lambda:.0e}")
    }
}

fn regression(args: &Args, out: &Path) -> Result<()> {
    let problem = Problem::new(args.samples, args.noise, args.seed)?;
    let steps = if args.smoke { 500 } else { args.steps };
    let started = Instant::now();
    let bar = common::epoch_bar(2 * LAMBDAS.len() * steps, "ridge GD");
    let mut fits = Vec::new();
    for &lambda in &LAMBDAS {
        bar.set_message(format!("λ = {}", lambda_label(lambda)));
        let w = fit_gd(&problem, lambda, Penalty::InLoss, steps, &bar)?;
        let w_wd = fit_gd(&problem, lambda, Penalty::WeightDecay, steps, &bar)?;
        let wd_gap = w
            .iter()
            .zip(&w_wd)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        fits.push(Fit {
            lambda,
            w,
            wd_gap,
            exact: problem.ridge(lambda),
        });
    }
    bar.finish_and_clear();

    println!(
        "\nDegree-{DEGREE} polynomial, {} samples of sin(πx) + N(0, {}²), J = MSE + λ·wᵀw, {steps} \
         full-batch Nesterov steps per λ ({:.1}s)",
        args.samples,
        args.noise,
        started.elapsed().as_secs_f32()
    );
    println!("test MSE: against sin(πx) on 201 points of [-1, 1]; exact: closed-form ridge (f64)");
    println!(
        "| λ | train MSE | test MSE | ‖w‖ | exact train MSE | exact test MSE | exact ‖w‖ | ‖w − w_exact‖ | max |w_J − w_wd=2λ| |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let p = &problem;
    for f in &fits {
        let gap: f64 = norm(
            &f.w.iter()
                .zip(&f.exact)
                .map(|(a, b)| a - b)
                .collect::<Vec<_>>(),
        );
        println!(
            "| {} | {:.4} | {:.4} | {:.3} | {:.4} | {:.4} | {:.3} | {:.2e} | {:.1e} |",
            lambda_label(f.lambda),
            mse(&f.w, &p.x_train, &p.y_train),
            mse(&f.w, &p.x_test, &p.y_test),
            norm(&f.w),
            mse(&f.exact, &p.x_train, &p.y_train),
            mse(&f.exact, &p.x_test, &p.y_test),
            norm(&f.exact),
            gap,
            f.wd_gap
        );
    }
    let worst = fits.iter().map(|f| f.wd_gap).fold(0.0, f64::max);
    println!(
        "J with λ·wᵀw in the loss and SGD with weight_decay = 2λ: largest difference in w {worst:.1e} \
         ({})",
        if worst <= 1e-4 * fits.iter().map(|f| norm(&f.w)).fold(1.0, f64::max) {
            "the same"
        } else {
            "NOT the same"
        }
    );

    plot_fits(&out.join("fits.svg"), p, &fits)?;
    // Test and train error along a dense λ sweep (closed form: cheap), log-log.
    let sweep: Vec<f64> = (0..=45)
        .map(|i| 10f64.powf(-8.0 + i as f64 / 5.0))
        .collect();
    let curve = |xs: &[f64], ys: &[f64]| {
        sweep
            .iter()
            .map(|&l| (l, mse(&p.ridge(l), xs, ys)))
            .collect::<Vec<_>>()
    };
    line_chart(
        &out.join("mse_vs_lambda.svg"),
        &Chart {
            title: "Ridge regression: error against λ (closed form)",
            x_label: "λ",
            y_label: "MSE",
            log_x: true,
            log_y: true,
        },
        &[
            Series {
                label: "train MSE".into(),
                points: curve(&p.x_train, &p.y_train),
            },
            Series {
                label: "test MSE (vs sin πx)".into(),
                points: curve(&p.x_test, &p.y_test),
            },
        ],
    )?;
    Ok(())
}

fn plot_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Format {
        op: "plot".into(),
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The samples, the true function and the fitted curves of some λ; y is clipped to [-2, 2]
/// (the λ = 0 curve leaves it), a curve is drawn as the pieces that stay inside.
fn plot_fits(path: &Path, p: &Problem, fits: &[Fit]) -> Result<()> {
    let (y0, y1) = (-2.0, 2.0);
    let grid: Vec<f64> = (0..=800).map(|i| -1.0 + i as f64 / 400.0).collect();
    let pieces = |f: &dyn Fn(f64) -> f64| {
        let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for &x in &grid {
            let y = f(x);
            if (y0..=y1).contains(&y) {
                out.last_mut().expect("internal: never empty").push((x, y));
            } else if !out.last().is_some_and(Vec::is_empty) {
                out.push(Vec::new());
            }
        }
        out
    };
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_error(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Degree-9 fits of J = MSE + λ·wᵀw (gradient descent)",
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(-1.0..1.0, y0..y1)
        .map_err(|e| plot_error(path, e))?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc("y")
        .draw()
        .map_err(|e| plot_error(path, e))?;
    let mut draw = |f: &dyn Fn(f64) -> f64, label: String, style: ShapeStyle| -> Result<()> {
        for (i, piece) in pieces(f).into_iter().enumerate() {
            let series = chart
                .draw_series(LineSeries::new(piece, style))
                .map_err(|e| plot_error(path, e))?;
            if i == 0 {
                series
                    .label(label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
        }
        Ok(())
    };
    draw(&truth, "sin(πx)".into(), BLACK.mix(0.5).stroke_width(1))?;
    for (i, fit) in fits
        .iter()
        .filter(|f| PLOTTED.contains(&f.lambda))
        .enumerate()
    {
        let color = Palette99::pick(i).mix(0.9).stroke_width(2);
        let w = fit.w.clone();
        draw(
            &move |x| predict(&w, x),
            format!("λ = {}", lambda_label(fit.lambda)),
            color,
        )?;
    }
    if let Some(zero) = fits.iter().find(|f| f.lambda == 0.0) {
        let w = zero.exact.clone();
        draw(
            &move |x| predict(&w, x),
            "λ = 0, exact minimiser".into(),
            RED.mix(0.4).stroke_width(1),
        )?;
    }
    chart
        .draw_series(
            p.x_train
                .iter()
                .zip(&p.y_train)
                .map(|(&x, &y)| Circle::new((x, y), 4, BLACK.filled())),
        )
        .map_err(|e| plot_error(path, e))?
        .label("training samples")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, BLACK.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))?;
    Ok(())
}

/// Square root of the sum of squares of the weights (biases excluded: they are not decayed).
fn weight_norm(net: &Sequential) -> f32 {
    net.parameters()
        .iter()
        .filter(|(name, _)| name.ends_with("weight"))
        .map(|(_, p)| p.value().to_vec().iter().map(|v| v * v).sum::<f32>())
        .sum::<f32>()
        .sqrt()
}

/// Result of one CNN run.
struct CnnRun {
    weight_decay: f32,
    train_accuracy: f32,
    test_accuracy: f32,
    test_loss: f32,
    weight_norm: f32,
    losses: Vec<(f64, f64)>,
    seconds: f32,
}

fn cnn_run(args: &Args, weight_decay: f32, train: &Dataset, test: &Dataset) -> Result<CnnRun> {
    let started = Instant::now();
    let epochs = if args.smoke { 1 } else { args.epochs };
    let mut net = fovea::models::lenet5(10, args.seed)?;
    // As AlexNet and torchvision's recipes: decay on the weights, none on the biases.
    let config = SgdConfig::new(args.lr)
        .with_momentum(0.9)
        .with_weight_decay(weight_decay);
    let mut opt = Sgd::new(net.parameters(), config)?
        .with_group(ParamGroup::matching(&["*.bias"]).with_weight_decay(0.0))?;
    let per_epoch = train.len().div_ceil(args.batch_size);
    let bar = common::epoch_bar(epochs * per_epoch, &format!("wd {weight_decay:.0e}"));
    let mut losses = Vec::new();
    let mut stats = Default::default();
    for epoch in 0..epochs {
        net.set_training(true);
        // The same image order for every weight decay: only wd differs between the runs.
        let batches = train.batches_with(
            &BatchConfig::new(args.batch_size)
                .with_shuffle(args.seed * 1000 + epoch as u64)
                .with_normalize(Normalize::FASHION_MNIST),
        )?;
        stats = fovea::train::train_epoch(&net, &mut opt, batches, |s| {
            bar.set_message(format!("loss {:.3}", s.loss));
            bar.inc(1);
        })?;
        losses.push(((epoch + 1) as f64, stats.loss as f64));
    }
    bar.finish_and_clear();
    net.set_training(false);
    let eval = fovea::train::evaluate(&net, test, 500, Some(Normalize::FASHION_MNIST))?;
    Ok(CnnRun {
        weight_decay,
        train_accuracy: stats.accuracy,
        test_accuracy: eval.accuracy,
        test_loss: eval.loss,
        weight_norm: weight_norm(&net),
        losses,
        seconds: started.elapsed().as_secs_f32(),
    })
}

fn cnn(args: &Args, out: &Path) -> Result<()> {
    let fashion = common::load_fashion(args.data.clone(), !args.full)?;
    let per_class = if args.smoke { 5 } else { args.per_class };
    let train = fashion.train.limit_per_class(per_class, args.seed);
    let test = if args.smoke {
        fashion.test.limit_per_class(10, args.seed)
    } else {
        fashion.test.clone()
    };
    let mut runs = Vec::new();
    for &wd in &args.cnn_weight_decay {
        let run = cnn_run(args, wd, &train, &test)?;
        tracing::info!(
            "wd {wd:.0e}: test accuracy {:.4} ({:.1}s)",
            run.test_accuracy,
            run.seconds
        );
        runs.push(run);
    }
    println!(
        "\nLeNet-5 on {} Fashion-MNIST training images ({per_class} per class), {} epochs, SGD lr {} \
         momentum 0.9, weight decay on the weights only; {} test images",
        train.len(),
        if args.smoke { 1 } else { args.epochs },
        args.lr,
        test.len()
    );
    println!("| weight decay | train accuracy | test accuracy | test loss | ‖weights‖ | time |");
    println!("|---|---|---|---|---|---|");
    for r in &runs {
        println!(
            "| {} | {:.1}% | {:.1}% | {:.3} | {:.2} | {:.1}s |",
            if r.weight_decay == 0.0 {
                "0".into()
            } else {
                format!("{:.0e}", r.weight_decay)
            },
            100.0 * r.train_accuracy,
            100.0 * r.test_accuracy,
            r.test_loss,
            r.weight_norm,
            r.seconds
        );
    }
    let series: Vec<Series> = runs
        .iter()
        .map(|r| Series {
            label: format!("weight decay {:.0e}", r.weight_decay),
            points: r.losses.clone(),
        })
        .collect();
    line_chart(
        &out.join("cnn_train_loss.svg"),
        &Chart {
            title: "LeNet-5: training loss per epoch",
            x_label: "epoch",
            y_label: "mean cross-entropy",
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
    let out = common::plot_dir(args.out.as_deref(), "weight_decay")?;
    let started = Instant::now();
    regression(&args, &out)?;
    cnn(&args, &out)?;
    println!(
        "\nplots: {}/{{fits,mse_vs_lambda,cnn_train_loss}}.svg ({:.1}s in all)",
        out.display(),
        started.elapsed().as_secs_f32()
    );
    Ok(())
}
