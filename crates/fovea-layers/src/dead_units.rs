//! [`DeadUnitMonitor`]: which units of a layer ever fire over a data set.
//!
//! A ReLU unit whose input is negative for every example gets no gradient and never recovers:
//! a "dead" unit. A too-high learning rate can kill a large share of them. The monitor watches
//! any named layer's output (through [`EndPoints`]), not only ReLUs.

use std::fmt;

use fovea_tensor::{Error, Result, Tensor};

use crate::module::EndPoints;

/// Activity counts of one layer.
#[derive(Clone, Debug, PartialEq)]
struct LayerActivity {
    name: String,
    /// Per unit: on how many inputs it was active.
    active: Vec<u64>,
    /// How many inputs were observed.
    inputs: u64,
}

/// Counts, per unit, the inputs on which the unit was active (> 0).
///
/// A unit is a channel of a convolutional map `[N, C, H, W]` (active on an input when any of
/// its `H·W` values is > 0) or a feature of a dense output `[N, F]`. After a pass over a data
/// set, [`dead_fraction`](Self::dead_fraction) is the share of units that were never active.
///
/// # Example
/// ```
/// use fovea_layers::DeadUnitMonitor;
/// use fovea_tensor::Tensor;
/// let mut monitor = DeadUnitMonitor::default();
/// // Two inputs, three features: feature 1 never fires.
/// let out = Tensor::from_vec(vec![1.0, 0.0, 0.0, 0.0, -2.0, 3.0], &[2, 3])?;
/// monitor.observe("fc1", &out)?;
/// assert_eq!(monitor.active_fraction("fc1").unwrap(), vec![0.5, 0.0, 0.5]);
/// assert_eq!(monitor.dead_fraction("fc1"), Some(1.0 / 3.0));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeadUnitMonitor {
    layers: Vec<LayerActivity>,
}

impl DeadUnitMonitor {
    /// Adds one batch of a layer's output (`[N, units]` or `[N, units, ...]`) to the counts.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] for fewer than 2 axes, or a unit count that differs from earlier
    /// batches of the same layer.
    ///
    /// # Example
    /// See [`DeadUnitMonitor`].
    pub fn observe(&mut self, name: &str, output: &Tensor) -> Result<()> {
        let shape = output.shape();
        if shape.len() < 2 {
            return Err(Error::invalid_shape(
                "dead unit monitor",
                format!("{name}: needs [N, units, ...]"),
                shape,
            ));
        }
        let (n, units) = (shape[0], shape[1]);
        let per_unit = shape[2..].iter().product::<usize>();
        let index = match self.layers.iter().position(|l| l.name == name) {
            Some(i) => i,
            None => {
                self.layers.push(LayerActivity {
                    name: name.to_string(),
                    active: vec![0; units],
                    inputs: 0,
                });
                self.layers.len() - 1
            }
        };
        let layer = &mut self.layers[index];
        if layer.active.len() != units {
            return Err(Error::invalid_shape(
                "dead unit monitor",
                format!("{name}: {} units before, {units} now", layer.active.len()),
                shape,
            ));
        }
        let data = output.contiguous_data();
        for sample in data.chunks_exact(units * per_unit.max(1)).take(n) {
            for (u, values) in sample.chunks_exact(per_unit.max(1)).enumerate() {
                if values.iter().any(|&v| v > 0.0) {
                    layer.active[u] += 1;
                }
            }
        }
        layer.inputs += n as u64;
        Ok(())
    }

    /// Observes every end point whose path `keep` accepts (e.g. the activations:
    /// `|p| p.contains("relu")`).
    ///
    /// # Errors
    /// As [`observe`](Self::observe).
    ///
    /// # Example
    /// ```
    /// use fovea_layers::{DeadUnitMonitor, LinearConfig, ModuleExt, Relu, Sequential};
    /// use fovea_autograd::Var;
    /// use fovea_tensor::{Tensor, seeded_rng};
    /// let net = Sequential::new().add("fc1", LinearConfig::new(3, 4).init(&mut seeded_rng(0))?).add("relu1", Relu);
    /// let (_, points) = net.forward_with_end_points(&Var::constant(Tensor::ones(&[8, 3])))?;
    /// let mut monitor = DeadUnitMonitor::default();
    /// monitor.observe_end_points(&points, |p| p.starts_with("relu"))?;
    /// assert_eq!(monitor.layer_names(), ["relu1"]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn observe_end_points(
        &mut self,
        points: &EndPoints,
        keep: impl Fn(&str) -> bool,
    ) -> Result<()> {
        for (path, output) in points.iter() {
            if keep(path) {
                self.observe(path, &output.value())?;
            }
        }
        Ok(())
    }

    /// Per unit, the fraction of observed inputs on which it was active.
    ///
    /// # Example
    /// See [`DeadUnitMonitor`].
    pub fn active_fraction(&self, name: &str) -> Option<Vec<f32>> {
        let layer = self.layers.iter().find(|l| l.name == name)?;
        let total = layer.inputs.max(1) as f32;
        Some(layer.active.iter().map(|&a| a as f32 / total).collect())
    }

    /// Share of the layer's units never active on any observed input.
    ///
    /// # Example
    /// See [`DeadUnitMonitor`].
    pub fn dead_fraction(&self, name: &str) -> Option<f32> {
        let layer = self.layers.iter().find(|l| l.name == name)?;
        Some(dead_share(&layer.active))
    }

    /// Share of dead units over all observed layers together.
    ///
    /// # Example
    /// ```
    /// let m = fovea_layers::DeadUnitMonitor::default();
    /// assert_eq!(m.total_dead_fraction(), 0.0);
    /// ```
    pub fn total_dead_fraction(&self) -> f32 {
        let all: Vec<u64> = self
            .layers
            .iter()
            .flat_map(|l| l.active.iter().copied())
            .collect();
        dead_share(&all)
    }

    /// Names of the observed layers, in first-seen order.
    ///
    /// # Example
    /// See [`DeadUnitMonitor::observe_end_points`].
    pub fn layer_names(&self) -> Vec<&str> {
        self.layers.iter().map(|l| l.name.as_str()).collect()
    }

    /// Forgets all counts (e.g. before a new pass over the data).
    ///
    /// # Example
    /// ```
    /// let mut m = fovea_layers::DeadUnitMonitor::default();
    /// m.observe("a", &fovea_tensor::Tensor::ones(&[1, 2]))?;
    /// m.reset();
    /// assert!(m.layer_names().is_empty());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn reset(&mut self) {
        self.layers.clear();
    }
}

fn dead_share(active: &[u64]) -> f32 {
    if active.is_empty() {
        return 0.0;
    }
    active.iter().filter(|&&a| a == 0).count() as f32 / active.len() as f32
}

/// A table: layer, units, dead units, dead %.
impl fmt::Display for DeadUnitMonitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<24} {:>8} {:>8} {:>8}",
            "layer", "units", "dead", "dead %"
        )?;
        for layer in &self.layers {
            let dead = layer.active.iter().filter(|&&a| a == 0).count();
            writeln!(
                f,
                "{:<24} {:>8} {:>8} {:>7.1}%",
                layer.name,
                layer.active.len(),
                dead,
                100.0 * dead_share(&layer.active)
            )?;
        }
        Ok(())
    }
}
