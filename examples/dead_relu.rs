//! Dead units and the learning rate: the same MLP (784 → 256 → 256 → 10) trained with plain SGD
//! at several learning rates, once per activation (ReLU, LeakyReLU, PReLU, RReLU, ELU).
//!
//! The seed of this experiment claims that a too-high learning rate can kill ~40% of a ReLU
//! network's units. This program measures it: after training, one pass over the training set
//! with [`DeadUnitMonitor`] counts, per hidden layer, the units whose pre-activation (the
//! Linear layer's output) is never > 0 on any training image.
//!
//! For ReLU such a unit outputs 0 on every input, gets a zero gradient, and can never recover:
//! it is dead. For LeakyReLU, PReLU, RReLU and ELU the same unit still passes a (small) gradient
//! for negative inputs, so it can recover; the column measures the same "never positive" share
//! for comparison, and that they keep learning is the cure the seed refers to.
//!
//! Run: `cargo run --release --example dead_relu` (embedded Fashion-MNIST subset; `--full` for
//! the installed full set, `--smoke` for a few-second check).

mod common;

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use common::plot::{Chart, Series, line_chart};
use fovea::data::{BatchConfig, Dataset, Normalize};
use fovea::layers::{Elu, LeakyRelu, PreluConfig, RreluConfig};
use fovea::optim::{Sgd, SgdConfig};
use fovea::prelude::*;

#[derive(Parser, Debug)]
#[command(about = "Dead units vs learning rate for ReLU, LeakyReLU, PReLU, RReLU and ELU")]
struct Args {
    /// Learning rates to try (plain SGD, no momentum, no weight decay), comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.01,0.03,0.1,0.3,0.5,0.7,1.0"
    )]
    lrs: Vec<f32>,
    /// Passes over the training images per run.
    #[arg(long, default_value_t = 2)]
    epochs: usize,
    /// Images per mini-batch.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Units in each of the two hidden layers.
    #[arg(long, default_value_t = 256)]
    hidden: usize,
    /// Training images per class (default: all of them).
    #[arg(long)]
    per_class: Option<usize>,
    /// First seed of the initialisation, the shuffling and RReLU's slopes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Seeds per (activation, learning rate): near the divergence threshold one seed trains and
    /// the next blows up, so a single run says little.
    #[arg(long, default_value_t = 3)]
    seeds: u64,
    /// Folder with the Fashion-MNIST IDX files (implies `--full`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Use the installed full data set ($FOVEA_DATA or the Debian package) instead of the
    /// embedded subset of 800 + 200 images per class.
    #[arg(long)]
    full: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Folder of the SVG plots.
    #[arg(long, default_value = "target/fovea-plots/dead_relu")]
    out: PathBuf,
    /// A tiny run for CI: 20 images per class, one epoch, two learning rates, one seed.
    #[arg(long)]
    smoke: bool,
}

/// The activations compared; every one but ReLU passes a gradient for negative inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Activation {
    Relu,
    Leaky,
    Prelu,
    Rrelu,
    Elu,
}

impl Activation {
    const ALL: [Activation; 5] = [
        Activation::Relu,
        Activation::Leaky,
        Activation::Prelu,
        Activation::Rrelu,
        Activation::Elu,
    ];

    fn label(self) -> &'static str {
        match self {
            Activation::Relu => "ReLU",
            Activation::Leaky => "LeakyReLU",
            Activation::Prelu => "PReLU",
            Activation::Rrelu => "RReLU",
            Activation::Elu => "ELU",
        }
    }

    /// The layer with PyTorch's defaults (LeakyReLU slope 0.01, PReLU one slope per unit
    /// starting at 0.25, RReLU U(1/8, 1/3), ELU α = 1).
    fn layer(self, units: usize, seed: u64) -> Result<Box<dyn Module>> {
        Ok(match self {
            Activation::Relu => Box::new(Relu),
            Activation::Leaky => Box::new(LeakyRelu::default()),
            Activation::Prelu => Box::new(PreluConfig::new(units).init()?),
            Activation::Rrelu => Box::new(RreluConfig::default().with_seed(seed).init()?),
            Activation::Elu => Box::new(Elu::default()),
        })
    }
}

/// The layers whose outputs (pre-activations) the monitor watches.
const WATCHED: [&str; 2] = ["fc1", "fc2"];

/// flatten → fc1 → act1 → fc2 → act2 → fc3. The same seed gives every activation the same
/// initial weights, so the runs differ only in the activation and the learning rate.
fn mlp(activation: Activation, hidden: usize, seed: u64) -> Result<Sequential> {
    let mut rng = seeded_rng(seed);
    let mut net = Sequential::new()
        .add("flatten", Flatten)
        .add("fc1", LinearConfig::new(28 * 28, hidden).init(&mut rng)?);
    net.push("act1", activation.layer(hidden, seed + 1)?);
    net.push(
        "fc2",
        Box::new(LinearConfig::new(hidden, hidden).init(&mut rng)?),
    );
    net.push("act2", activation.layer(hidden, seed + 2)?);
    net.push(
        "fc3",
        Box::new(LinearConfig::new(hidden, 10).init(&mut rng)?),
    );
    Ok(net)
}

/// What one training run measured.
struct Outcome {
    /// Per watched layer, the share of units never positive on the training set.
    dead: Vec<f32>,
    total_dead: f32,
    test_accuracy: f32,
    /// The loss became NaN or infinite: training stopped there, and the dead-unit counts of
    /// the exploded weights mean nothing.
    diverged: bool,
}

/// The runs of one (activation, learning rate) over the seeds.
struct Row {
    activation: Activation,
    lr: f32,
    runs: Vec<Outcome>,
}

impl Row {
    fn trained(&self) -> impl Iterator<Item = &Outcome> {
        self.runs.iter().filter(|o| !o.diverged)
    }

    /// Mean over the runs that did not diverge (NaN when all did).
    fn mean_trained(&self, value: impl Fn(&Outcome) -> f32) -> f32 {
        let values: Vec<f32> = self.trained().map(value).collect();
        values.iter().sum::<f32>() / values.len() as f32
    }

    /// The largest share of never-positive units of any run that did not diverge.
    fn max_dead(&self) -> f32 {
        self.trained()
            .map(|o| o.total_dead)
            .fold(f32::NAN, f32::max)
    }

    /// Mean test accuracy over all runs: a diverged run keeps the last weights before its
    /// loss blew up, and their (near-chance) accuracy is what that learning rate delivers.
    fn mean_accuracy(&self) -> f32 {
        self.runs.iter().map(|o| o.test_accuracy).sum::<f32>() / self.runs.len() as f32
    }

    fn diverged(&self) -> usize {
        self.runs.iter().filter(|o| o.diverged).count()
    }
}

/// One pass over `data` in evaluation mode, counting for each watched layer the units that
/// are ever > 0.
fn count_dead(net: &Sequential, data: &Dataset) -> Result<DeadUnitMonitor> {
    let mut monitor = DeadUnitMonitor::default();
    no_grad(|| -> Result<()> {
        let config = BatchConfig::new(500).with_normalize(Normalize::FASHION_MNIST);
        for batch in data.batches_with(&config)? {
            let (_, points) = net.forward_with_end_points(&Var::constant(batch.images))?;
            monitor.observe_end_points(&points, |p| WATCHED.contains(&p))?;
        }
        Ok(())
    })?;
    Ok(monitor)
}

/// Trains one network and measures it.
fn run(
    activation: Activation,
    lr: f32,
    seed: u64,
    args: &Args,
    data: (&Dataset, &Dataset),
    bar: &indicatif::ProgressBar,
) -> Result<Outcome> {
    let (train, test) = data;
    let mut net = mlp(activation, args.hidden, seed)?;
    // Plain SGD: no momentum and no weight decay, so the step size is exactly `lr`.
    let mut opt = Sgd::new(net.parameters(), SgdConfig::new(lr))?;
    let mut diverged = false;
    for epoch in 0..args.epochs {
        bar.set_message(format!(
            "{} lr {lr} seed {seed} epoch {}/{}",
            activation.label(),
            epoch + 1,
            args.epochs
        ));
        net.set_training(true);
        let config = BatchConfig::new(args.batch_size)
            .with_shuffle(seed * 1000 + epoch as u64)
            .with_normalize(Normalize::FASHION_MNIST);
        let batches = train.batches_with(&config)?;
        let per_epoch = batches.len() as u64;
        let mut done = 0;
        let result = fovea::train::train_epoch(&net, &mut opt, batches, |_| {
            done += 1;
            bar.inc(1);
        });
        match result {
            Ok(_) => {}
            // `train_epoch` stops at the first non-finite loss, before the step that would
            // write NaN into the weights: this run diverged, and its remaining batches are
            // skipped (about a third of the default grid diverges).
            Err(Error::InvalidArgument { op, .. }) if op == "train" => {
                diverged = true;
                bar.inc((args.epochs - epoch) as u64 * per_epoch - done);
                break;
            }
            Err(e) => return Err(e),
        }
    }
    net.set_training(false);
    let monitor = count_dead(&net, train)?;
    let test_stats = fovea::train::evaluate(&net, test, 500, Some(Normalize::FASHION_MNIST))?;
    Ok(Outcome {
        dead: WATCHED
            .iter()
            .map(|name| monitor.dead_fraction(name).unwrap_or(f32::NAN))
            .collect(),
        total_dead: monitor.total_dead_fraction(),
        test_accuracy: test_stats.accuracy,
        diverged: diverged || !test_stats.loss.is_finite(),
    })
}

/// Percent with one decimal, or "-" when no run trained.
fn percent(x: f32) -> String {
    if x.is_finite() {
        format!("{:.1}%", 100.0 * x)
    } else {
        "-".to_string()
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<10} {:>5} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}",
        "activation", "lr", "fc1", "fc2", "total", "max", "test acc", "diverged"
    );
    for row in rows {
        println!(
            "{:<10} {:>5} {:>8} {:>8} {:>8} {:>8} {:>8.2}% {:>7}/{}",
            row.activation.label(),
            row.lr,
            percent(row.mean_trained(|o| o.dead[0])),
            percent(row.mean_trained(|o| o.dead[1])),
            percent(row.mean_trained(|o| o.total_dead)),
            percent(row.max_dead()),
            100.0 * row.mean_accuracy(),
            row.diverged(),
            row.runs.len()
        );
    }
}

fn main() -> Result<()> {
    let mut args = Args::parse();
    common::init_logging();
    common::set_threads(args.threads);
    if args.smoke {
        args.epochs = 1;
        args.per_class = Some(20);
        args.lrs = vec![0.01, 1.0];
        args.seeds = 1;
    }
    // The embedded subset unless the full set is asked for, so that results are reproducible
    // whatever is installed.
    let embedded = !args.full && args.data.is_none();
    let fashion = common::load_fashion(args.data.clone(), embedded)?;
    let train = match args.per_class {
        Some(n) => fashion.train.limit_per_class(n, args.seed),
        None => fashion.train,
    };
    // The test set stays whole, except in the smoke run where speed is all that matters.
    let test = match (args.smoke, args.per_class) {
        (true, Some(n)) => fashion.test.limit_per_class(n, args.seed),
        _ => fashion.test,
    };
    tracing::info!("{} train / {} test images", train.len(), test.len());

    // The reference: how many units are never positive before any training step.
    let at_init = count_dead(&mlp(Activation::Relu, args.hidden, args.seed)?, &train)?;
    println!(
        "At initialisation {:.1}% of the hidden units are never positive on the training set.",
        100.0 * at_init.total_dead_fraction()
    );

    let started = Instant::now();
    let batches_per_epoch = train.len().div_ceil(args.batch_size);
    let seeds: Vec<u64> = (args.seed..args.seed + args.seeds).collect();
    let runs = Activation::ALL.len() * args.lrs.len() * seeds.len();
    let bar = common::epoch_bar(runs * args.epochs * batches_per_epoch, "dead units");
    let mut rows = Vec::new();
    for activation in Activation::ALL {
        for &lr in &args.lrs {
            let mut row = Row {
                activation,
                lr,
                runs: Vec::new(),
            };
            for &seed in &seeds {
                row.runs
                    .push(run(activation, lr, seed, &args, (&train, &test), &bar)?);
            }
            rows.push(row);
        }
    }
    bar.finish_and_clear();

    println!(
        "\nShare of hidden units whose pre-activation (the fc1/fc2 output) is never > 0 on any of \
         the {} training images, after {} epoch(s) of plain SGD (batch {}), {} seed(s) each.\n\
         fc1, fc2, total: mean over the seeds that did not diverge; max: the worst such seed; \
         test acc: mean over all seeds (a diverged run is scored with its last weights before the \
         loss blew up: near chance).\n",
        train.len(),
        args.epochs,
        args.batch_size,
        seeds.len()
    );
    print_table(&rows);
    // The seed's claim, checked against this run.
    let worst_relu = rows
        .iter()
        .filter(|r| r.activation == Activation::Relu)
        .map(Row::max_dead)
        .fold(f32::NAN, f32::max);
    let relu_diverged = rows
        .iter()
        .any(|r| r.activation == Activation::Relu && r.diverged() > 0);
    println!(
        "\nThe seed claims a too-high learning rate can kill ~40% of ReLU units. Here the worst \
         ReLU run that still trained has {} dead units{}.",
        percent(worst_relu),
        if relu_diverged {
            "; at higher learning rates the loss diverges before more units die"
        } else {
            ""
        }
    );
    println!(
        "For ReLU these units are dead: zero output, zero gradient, forever. For LeakyReLU, \
         PReLU, RReLU and ELU the same units still get a gradient through the negative side \
         and can recover, so their columns count units that are merely asleep."
    );

    // Plots: one line per activation over the learning rates (diverged runs left out).
    let series = |value: fn(&Row) -> f32| -> Vec<Series> {
        Activation::ALL
            .iter()
            .map(|&a| Series {
                label: a.label().to_string(),
                points: rows
                    .iter()
                    .filter(|r| r.activation == a)
                    .map(|r| (r.lr as f64, 100.0 * value(r) as f64))
                    .collect(),
            })
            .collect()
    };
    let dead_path = args.out.join("dead_vs_lr.svg");
    line_chart(
        &dead_path,
        &Chart {
            title: "Hidden units never positive on the training set (runs that trained)",
            x_label: "learning rate (plain SGD)",
            y_label: "never-positive units (%)",
            log_x: true,
            log_y: false,
        },
        &series(|r| r.mean_trained(|o| o.total_dead)),
    )?;
    let accuracy_path = args.out.join("accuracy_vs_lr.svg");
    line_chart(
        &accuracy_path,
        &Chart {
            title: "Test accuracy (mean over seeds, diverged runs at chance)",
            x_label: "learning rate (plain SGD)",
            y_label: "test accuracy (%)",
            log_x: true,
            log_y: false,
        },
        &series(Row::mean_accuracy),
    )?;
    println!(
        "\n{runs} runs in {:.1}s; plots: {} and {}",
        started.elapsed().as_secs_f32(),
        dead_path.display(),
        accuracy_path.display()
    );
    Ok(())
}
