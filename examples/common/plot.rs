//! SVG line charts for the experiment examples (plotters, SVG backend: no system libraries).

use std::path::Path;

use fovea::prelude::*;
use plotters::prelude::*;

/// One named line of a chart.
pub struct Series {
    /// Legend label.
    pub label: String,
    /// (x, y) points in order.
    pub points: Vec<(f64, f64)>,
}

/// Axis settings of a chart.
pub struct Chart<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// Label of the x axis.
    pub x_label: &'a str,
    /// Label of the y axis.
    pub y_label: &'a str,
    /// Logarithmic x axis (e.g. learning rates, weight-decay strengths).
    pub log_x: bool,
    /// Logarithmic y axis (e.g. losses).
    pub log_y: bool,
}

fn plot_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Format {
        op: "plot".into(),
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Draws `series` as lines with markers into an SVG file at `path` (folders are created).
pub fn line_chart(path: &Path, chart: &Chart, series: &[Series]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io {
            op: "plot".into(),
            path: dir.to_path_buf(),
            source: e,
        })?;
    }
    let all = series.iter().flat_map(|s| s.points.iter().copied());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in all.filter(|(x, y)| x.is_finite() && y.is_finite()) {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    // A margin on both sides, so that no point sits on an axis; multiplicative on a log axis.
    let pad = |a: f64, b: f64, log: bool| match (log, a == b) {
        (true, _) => (a / 1.25, b * 1.25),
        (false, true) => (a - 0.5, b + 0.5),
        (false, false) => (a - 0.05 * (b - a), b + 0.05 * (b - a)),
    };
    let ((x0, x1), (y0, y1)) = (pad(x0, x1, chart.log_x), pad(y0, y1, chart.log_y));
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_error(path, e))?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(chart.title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60);
    // The four axis kinds are different types in plotters, hence one arm each.
    macro_rules! draw {
        ($x:expr, $y:expr) => {{
            let mut c = builder
                .build_cartesian_2d($x, $y)
                .map_err(|e| plot_error(path, e))?;
            c.configure_mesh()
                .x_desc(chart.x_label)
                .y_desc(chart.y_label)
                .draw()
                .map_err(|e| plot_error(path, e))?;
            for (i, s) in series.iter().enumerate() {
                let color = Palette99::pick(i).mix(0.9);
                let points: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .collect();
                c.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                    .map_err(|e| plot_error(path, e))?
                    .label(s.label.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
                c.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(|e| plot_error(path, e))?;
            }
            c.configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(|e| plot_error(path, e))?;
        }};
    }
    let (lx0, ly0) = (x0.max(f64::MIN_POSITIVE), y0.max(1e-12));
    match (chart.log_x, chart.log_y) {
        (false, false) => draw!(x0..x1, y0..y1),
        (true, false) => draw!((lx0..x1).log_scale(), y0..y1),
        (false, true) => draw!(x0..x1, (ly0..y1).log_scale()),
        (true, true) => draw!((lx0..x1).log_scale(), (ly0..y1).log_scale()),
    }
    root.present().map_err(|e| plot_error(path, e))?;
    Ok(())
}
