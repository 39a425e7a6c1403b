//! [`summary`]: a printable table of a network's layers, output shapes and parameter counts,
//! like `torchinfo.summary`.

use std::fmt;

use fovea_autograd::{Var, no_grad};
use fovea_tensor::{Result, Tensor};

use crate::module::{Module, ModuleExt, join_path};

/// One row of a [`Summary`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// Path of the layer (`features.conv1`).
    pub name: String,
    /// Layer type ("Conv2d").
    pub kind: String,
    /// Output shape for the summarised input.
    pub output_shape: Vec<usize>,
    /// Parameters owned directly by this layer (containers show 0; their children count).
    pub parameters: usize,
    /// Nesting depth (0 for top-level children).
    pub depth: usize,
}

/// The layers of a network with output shapes and parameter counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Rows in execution order (containers after their children).
    pub rows: Vec<SummaryRow>,
    /// Total parameter count.
    pub total_parameters: usize,
    /// Parameters that currently require a gradient (not frozen).
    pub trainable_parameters: usize,
}

/// Runs `model` on zeros of `input_shape` (without recording a graph) and tabulates every named
/// layer with its output shape and parameter count.
///
/// PyTorch equivalent: `torchinfo.summary(model, input_size)`.
///
/// # Errors
/// The forward pass's errors (e.g. an input shape the network does not accept).
///
/// # Example
/// ```
/// use fovea_layers::{Conv2dConfig, Flatten, LinearConfig, Relu, Sequential, summary};
/// let mut rng = fovea_tensor::seeded_rng(0);
/// let net = Sequential::new()
///     .add("conv1", Conv2dConfig::new(1, 4, [3, 3]).init(&mut rng)?)
///     .add("relu1", Relu)
///     .add("flatten", Flatten)
///     .add("fc", LinearConfig::new(4 * 26 * 26, 10).init(&mut rng)?);
/// let s = summary(&net, &[1, 1, 28, 28])?;
/// assert_eq!(s.rows[0].output_shape, vec![1, 4, 26, 26]);
/// assert_eq!(s.total_parameters, 4 * 9 + 4 + 4 * 26 * 26 * 10 + 10);
/// println!("{s}");
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn summary(model: &dyn Module, input_shape: &[usize]) -> Result<Summary> {
    let (_, points) =
        no_grad(|| model.forward_with_end_points(&Var::constant(Tensor::zeros(input_shape))))?;
    let mut rows = Vec::new();
    collect_rows(model, "", 0, &mut rows);
    for row in &mut rows {
        if let Some(output) = points.get(&row.name) {
            row.output_shape = output.shape();
        }
    }
    // Execution order: the order in which the end points were recorded.
    let order = |name: &str| {
        points
            .names()
            .iter()
            .position(|n| *n == name)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by_key(|r| order(&r.name));
    let params = model.parameters();
    let count = |v: &Var| v.shape().iter().product::<usize>();
    Ok(Summary {
        rows,
        total_parameters: params.iter().map(|(_, v)| count(v)).sum(),
        trainable_parameters: params
            .iter()
            .filter(|(_, v)| v.requires_grad())
            .map(|(_, v)| count(v))
            .sum(),
    })
}

fn collect_rows(module: &dyn Module, path: &str, depth: usize, rows: &mut Vec<SummaryRow>) {
    for (name, child) in module.children() {
        let child_path = join_path(path, name);
        let grandchildren = child.children();
        let own = if grandchildren.is_empty() {
            child
                .parameters()
                .iter()
                .map(|(_, v)| v.shape().iter().product::<usize>())
                .sum()
        } else {
            0
        };
        rows.push(SummaryRow {
            name: child_path.clone(),
            kind: child.kind().to_string(),
            output_shape: Vec::new(),
            parameters: own,
            depth,
        });
        collect_rows(child, &child_path, depth + 1, rows);
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = "-".repeat(78);
        writeln!(f, "{line}")?;
        writeln!(
            f,
            "{:<36} {:<24} {:>16}",
            "Layer (type)", "Output shape", "Param #"
        )?;
        writeln!(f, "{line}")?;
        for r in &self.rows {
            let label = format!("{}{} ({})", "  ".repeat(r.depth), r.name, r.kind);
            writeln!(
                f,
                "{label:<36} {:<24} {:>16}",
                format!("{:?}", r.output_shape),
                r.parameters
            )?;
        }
        writeln!(f, "{line}")?;
        writeln!(f, "Total params: {}", self.total_parameters)?;
        writeln!(f, "Trainable params: {}", self.trainable_parameters)?;
        writeln!(
            f,
            "Non-trainable params: {}",
            self.total_parameters - self.trainable_parameters
        )?;
        write!(f, "{line}")
    }
}
