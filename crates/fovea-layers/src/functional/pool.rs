//! 2-d pooling: max and average over sliding windows (stride, padding, dilation, ceil_mode) and
//! over adaptive bins, forward and backward side by side.
//!
//! Every op maps each `[H, W]` plane of an `[N, C, H, W]` input to an `[oh, ow]` plane on its own,
//! so the kernels are plain loops over one plane, run in parallel over the N·C planes. There is no
//! im2col: pooling reads each input a few times at most and is memory bound, and gathering windows
//! into a matrix would only add traffic.
//!
//! A pooling window is always a rectangle: the input rows of output row `i` times the input
//! columns of output column `j`. So the geometry of every op is one [`Windows`] table built once
//! per call (one [`Span`] per output row and per output column), and four small kernels serve all
//! four ops:
//!
//! - max forward: the maximum over the window and its position (the argmax, kept for backward);
//! - max backward: `dx[argmax] += dy`, accumulating where windows overlap;
//! - average forward: the window sum over the divisor PyTorch uses;
//! - average backward: `dx += dy / divisor` over the same window.

use fovea_autograd::{Op, Var};
use fovea_tensor::{Error, Result, Tensor};
use rayon::prelude::*;

/// Argmax of a window with no tap inside the input (only possible for degenerate geometries): the
/// output is −inf, as PyTorch's, and receives no gradient.
const NO_ARGMAX: u32 = u32::MAX;

/// Settings of [`max_pool2d`]; [`MaxPool2dOptions::new`] gives PyTorch's defaults (stride equal to
/// the kernel size, padding 0, dilation 1, floor mode).
///
/// # Example
/// ```
/// let o = fovea_layers::functional::MaxPool2dOptions::new([3, 3]).with_stride([2, 2]);
/// assert_eq!((o.kernel_size, o.stride, o.padding), ([3, 3], [2, 2], [0, 0]));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool2dOptions {
    /// Window size `[kh, kw]`.
    pub kernel_size: [usize; 2],
    /// Step between windows `[sh, sw]`.
    pub stride: [usize; 2],
    /// Implicit −inf added on each side `[ph, pw]`; at most half the kernel size.
    pub padding: [usize; 2],
    /// Spacing of the window's taps `[dh, dw]`.
    pub dilation: [usize; 2],
    /// Rounds the output size up instead of down, so that a partial window at the bottom/right
    /// edge produces an output too (as long as it starts inside the input or the left padding).
    pub ceil_mode: bool,
}

impl MaxPool2dOptions {
    /// Windows of `kernel_size` with PyTorch's defaults: stride = kernel size, no padding,
    /// dilation 1, `ceil_mode` false.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::MaxPool2dOptions::new([2, 2]).stride, [2, 2]);
    /// ```
    pub fn new(kernel_size: [usize; 2]) -> Self {
        MaxPool2dOptions {
            kernel_size,
            stride: kernel_size,
            padding: [0, 0],
            dilation: [1, 1],
            ceil_mode: false,
        }
    }

    /// Sets the stride.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::MaxPool2dOptions::new([3, 3]).with_stride([1, 1]).stride, [1, 1]);
    /// ```
    pub fn with_stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }

    /// Sets the padding.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::MaxPool2dOptions::new([3, 3]).with_padding([1, 1]).padding, [1, 1]);
    /// ```
    pub fn with_padding(mut self, padding: [usize; 2]) -> Self {
        self.padding = padding;
        self
    }

    /// Sets the dilation.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::MaxPool2dOptions::new([3, 3]).with_dilation([2, 2]).dilation, [2, 2]);
    /// ```
    pub fn with_dilation(mut self, dilation: [usize; 2]) -> Self {
        self.dilation = dilation;
        self
    }

    /// Sets `ceil_mode`.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::functional::MaxPool2dOptions::new([3, 3]).with_ceil_mode(true).ceil_mode);
    /// ```
    pub fn with_ceil_mode(mut self, ceil_mode: bool) -> Self {
        self.ceil_mode = ceil_mode;
        self
    }

    /// Checks the settings on their own (no input needed): what a layer checks when it is built.
    pub(crate) fn validate(&self, op: &str) -> Result<()> {
        check_window(
            op,
            self.kernel_size,
            self.stride,
            self.padding,
            Some(self.dilation),
        )
    }
}

/// Settings of [`avg_pool2d`]; [`AvgPool2dOptions::new`] gives PyTorch's defaults (stride equal to
/// the kernel size, padding 0, floor mode, `count_include_pad` true).
///
/// # Example
/// ```
/// let o = fovea_layers::functional::AvgPool2dOptions::new([3, 3]).with_count_include_pad(false);
/// assert_eq!((o.stride, o.count_include_pad), ([3, 3], false));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2dOptions {
    /// Window size `[kh, kw]`.
    pub kernel_size: [usize; 2],
    /// Step between windows `[sh, sw]`.
    pub stride: [usize; 2],
    /// Implicit zeros added on each side `[ph, pw]`; at most half the kernel size.
    pub padding: [usize; 2],
    /// Rounds the output size up instead of down (see [`MaxPool2dOptions::ceil_mode`]).
    pub ceil_mode: bool,
    /// Whether the padding zeros count in the divisor. With `true` a window divides by its size
    /// clipped to the padded input (so a `ceil_mode` window that runs past the padding divides by
    /// less than kh·kw); with `false` by the number of input elements it covers.
    pub count_include_pad: bool,
}

impl AvgPool2dOptions {
    /// Windows of `kernel_size` with PyTorch's defaults: stride = kernel size, no padding,
    /// `ceil_mode` false, `count_include_pad` true.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::functional::AvgPool2dOptions::new([2, 2]).count_include_pad);
    /// ```
    pub fn new(kernel_size: [usize; 2]) -> Self {
        AvgPool2dOptions {
            kernel_size,
            stride: kernel_size,
            padding: [0, 0],
            ceil_mode: false,
            count_include_pad: true,
        }
    }

    /// Sets the stride.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::AvgPool2dOptions::new([3, 3]).with_stride([2, 2]).stride, [2, 2]);
    /// ```
    pub fn with_stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }

    /// Sets the padding.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::AvgPool2dOptions::new([3, 3]).with_padding([1, 0]).padding, [1, 0]);
    /// ```
    pub fn with_padding(mut self, padding: [usize; 2]) -> Self {
        self.padding = padding;
        self
    }

    /// Sets `ceil_mode`.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_layers::functional::AvgPool2dOptions::new([3, 3]).with_ceil_mode(true).ceil_mode);
    /// ```
    pub fn with_ceil_mode(mut self, ceil_mode: bool) -> Self {
        self.ceil_mode = ceil_mode;
        self
    }

    /// Sets `count_include_pad`.
    ///
    /// # Example
    /// ```
    /// assert!(!fovea_layers::functional::AvgPool2dOptions::new([3, 3]).with_count_include_pad(false).count_include_pad);
    /// ```
    pub fn with_count_include_pad(mut self, count_include_pad: bool) -> Self {
        self.count_include_pad = count_include_pad;
        self
    }

    /// Checks the settings on their own (no input needed): what a layer checks when it is built.
    pub(crate) fn validate(&self, op: &str) -> Result<()> {
        check_window(op, self.kernel_size, self.stride, self.padding, None)
    }
}

/// Positive kernel, stride and dilation, and padding at most half the kernel (PyTorch's rule,
/// which ignores the dilation: it keeps every window's first tap inside the input or near it).
fn check_window(
    op: &str,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: Option<[usize; 2]>,
) -> Result<()> {
    if kernel.contains(&0) || stride.contains(&0) {
        return Err(Error::invalid_argument(
            op,
            format!("kernel_size {kernel:?} and stride {stride:?} must be positive"),
        ));
    }
    if let Some(d) = dilation
        && d.contains(&0)
    {
        return Err(Error::invalid_argument(
            op,
            format!("dilation {d:?} must be positive"),
        ));
    }
    if padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2 {
        return Err(Error::invalid_argument(
            op,
            format!("padding {padding:?} must be at most half of kernel_size {kernel:?}"),
        ));
    }
    Ok(())
}

/// The input rows (or columns) that one output row (or column) reads.
#[derive(Clone, Copy, Debug)]
struct Span {
    /// First input index read.
    first: usize,
    /// Taps inside the input, `step` apart (0 when the window lies in the padding only).
    count: usize,
    /// This axis's factor of the average's divisor.
    divisor: usize,
}

/// The geometry of one pooling call: input plane size, one span per output row and column, and
/// the distance between taps (the dilation; 1 for average and adaptive pooling).
#[derive(Clone, Debug)]
struct Windows {
    input: [usize; 2],
    rows: Vec<Span>,
    cols: Vec<Span>,
    step: [usize; 2],
    /// Output columns whose windows lie wholly inside the input and start `col_stride` apart
    /// (all but the padded or ceil-mode edges of sliding windows; none for adaptive bins): the
    /// max kernel's fast path.
    interior: std::ops::Range<usize>,
    col_stride: usize,
}

impl Windows {
    fn output(&self) -> [usize; 2] {
        [self.rows.len(), self.cols.len()]
    }
}

/// Number of sliding windows along one axis, PyTorch's `pooling_output_shape`:
/// `⌊(in + 2p − d(k − 1) − 1 (+ s − 1 in ceil mode)) / s⌋ + 1`, minus one in ceil mode when the
/// last window would start in the right padding. `None` when no window fits (the kernel is larger
/// than the padded input). Saturating arithmetic: absurd sizes give `None`, never an overflow.
fn sliding_len(
    input: usize,
    kernel: usize,
    stride: usize,
    pad: usize,
    dilation: usize,
    ceil_mode: bool,
) -> Option<usize> {
    let reach = dilation.saturating_mul(kernel - 1).saturating_add(1);
    let padded = input
        .saturating_add(pad.saturating_mul(2))
        .saturating_add(if ceil_mode { stride - 1 } else { 0 });
    let mut len = padded.checked_sub(reach)? / stride + 1;
    if ceil_mode && (len - 1) * stride >= input + pad {
        len -= 1;
    }
    Some(len)
}

/// Spans of sliding windows along one axis. Window `o` covers taps `o·s − p + t·d` for
/// `t < k`; the taps inside `[0, in)` are read. The average's divisor with `count_include_pad`
/// is the window clipped to the padded input `[−p, in + p)` (PyTorch's `pool_size`), so only a
/// `ceil_mode` window that runs past the right padding divides by less than k.
fn sliding_spans(
    input: usize,
    kernel: usize,
    stride: usize,
    pad: usize,
    dilation: usize,
    len: usize,
    count_include_pad: bool,
) -> Vec<Span> {
    (0..len)
        .map(|o| {
            let start = (o * stride) as isize - pad as isize;
            // Skip the taps in the left padding.
            let skip = if start < 0 {
                start.unsigned_abs().div_ceil(dilation)
            } else {
                0
            };
            let first = (start + (skip * dilation) as isize) as usize;
            let count = if skip < kernel && first < input {
                (kernel - skip).min((input - 1 - first) / dilation + 1)
            } else {
                0
            };
            let clipped = ((start + kernel as isize).min((input + pad) as isize) - start) as usize;
            Span {
                first: first.min(input),
                count,
                divisor: if count_include_pad { clipped } else { count },
            }
        })
        .collect()
}

/// Spans of adaptive bins along one axis: bin `i` of `n` is `[⌊i·in/n⌋, ⌈(i+1)·in/n⌉)`, as
/// PyTorch's adaptive pooling (bins overlap when `in` is not a multiple of `n`).
fn adaptive_spans(input: usize, n: usize) -> Vec<Span> {
    (0..n)
        .map(|i| {
            let first = i * input / n;
            let count = ((i + 1) * input).div_ceil(n) - first;
            Span {
                first,
                count,
                divisor: count,
            }
        })
        .collect()
}

/// `[N, C, H, W]` of a non-empty 4-d input.
fn input_shape(op: &str, shape: &[usize]) -> Result<[usize; 4]> {
    let [n, c, h, w] = *shape else {
        return Err(Error::invalid_shape(
            op,
            "input must be [N, C, H, W]",
            shape,
        ));
    };
    if n * c * h * w == 0 {
        return Err(Error::invalid_shape(op, "input is empty", shape));
    }
    Ok([n, c, h, w])
}

/// Windows of a sliding pooling op, or the error that says why none fits.
#[allow(clippy::too_many_arguments)]
fn sliding_windows(
    op: &str,
    shape: &[usize],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: Option<[usize; 2]>,
    ceil_mode: bool,
    count_include_pad: bool,
) -> Result<Windows> {
    check_window(op, kernel, stride, padding, dilation)?;
    let [_, _, h, w] = input_shape(op, shape)?;
    let d = dilation.unwrap_or([1, 1]);
    let input = [h, w];
    let mut spans = [Vec::new(), Vec::new()];
    for a in 0..2 {
        let Some(len) = sliding_len(input[a], kernel[a], stride[a], padding[a], d[a], ceil_mode)
        else {
            let what = match dilation {
                Some(d) => format!(
                    "kernel_size {kernel:?} with dilation {d:?} is larger than the input padded by {padding:?}"
                ),
                None => {
                    format!("kernel_size {kernel:?} is larger than the input padded by {padding:?}")
                }
            };
            return Err(Error::invalid_shape(op, what, shape));
        };
        spans[a] = sliding_spans(
            input[a],
            kernel[a],
            stride[a],
            padding[a],
            d[a],
            len,
            count_include_pad,
        );
    }
    let [rows, cols] = spans;
    // Full windows are never clipped, and they form one run (the clipped ones are at the edges).
    let full: Vec<usize> = (0..cols.len())
        .filter(|&o| cols[o].count == kernel[1])
        .collect();
    let interior = match (full.first(), full.last()) {
        (Some(&lo), Some(&hi)) => lo..hi + 1,
        _ => 0..0,
    };
    Ok(Windows {
        input,
        rows,
        cols,
        step: d,
        interior,
        col_stride: stride[1],
    })
}

/// Windows of an adaptive pooling op.
fn adaptive_windows(op: &str, shape: &[usize], output_size: [usize; 2]) -> Result<Windows> {
    let [_, _, h, w] = input_shape(op, shape)?;
    if output_size.contains(&0) {
        return Err(Error::invalid_argument(
            op,
            format!("output_size {output_size:?} must be positive"),
        ));
    }
    Ok(Windows {
        input: [h, w],
        rows: adaptive_spans(h, output_size[0]),
        cols: adaptive_spans(w, output_size[1]),
        step: [1, 1],
        interior: 0..0,
        col_stride: 0,
    })
}

// ---------------------------------------------------------------------------------------------
// Max pooling: forward keeps the argmax, backward routes each gradient to it.
// ---------------------------------------------------------------------------------------------

/// Max forward on one plane: `y[o] = max over window(o)`, `arg[o]` = its flat index in the plane.
/// Strict `>` keeps the first maximum in row-major window order, as PyTorch; a NaN wins (so NaN
/// propagates, as PyTorch's `val > max || isnan(val)`).
///
/// Loop order, for speed: per output row, taps outermost and output columns innermost. Each
/// output still sees its taps in row-major order (so ties resolve as above), but consecutive
/// iterations update different outputs: no chain of dependent compare-and-selects, and selects
/// instead of branches that random data mispredicts half the time. The interior columns (full
/// windows) run a loop without bounds checks whose stride is a constant for strides 1 and 2;
/// the edge columns take the general path. This is still scalar code on baseline x86-64: an
/// explicitly vectorized interior is the next step if a benchmark asks for it.
fn max_forward_plane(x: &[f32], win: &Windows, y: &mut [f32], arg: &mut [u32]) {
    if is_plain(win, 2, 2) {
        return max_forward_plane_2x2(x, win, y, arg);
    }
    if is_plain(win, 3, 2) {
        return max_forward_plane_3x3s2(x, win, y, arg);
    }
    let width = win.input[1];
    let [sr, sc] = win.step;
    let ow = win.cols.len();
    let col_taps = win.cols.iter().map(|c| c.count).max().unwrap_or(0);
    let (lo, hi) = (win.interior.start, win.interior.end);
    let edges: Vec<usize> = (0..lo).chain(hi..ow).collect();
    for (r, (y, arg)) in win
        .rows
        .iter()
        .zip(y.chunks_exact_mut(ow).zip(arg.chunks_exact_mut(ow)))
    {
        for ((y, arg), c) in y.iter_mut().zip(arg.iter_mut()).zip(&win.cols) {
            *y = f32::NEG_INFINITY;
            // PyTorch starts from the first tap, so an all −inf window still points inside itself.
            *arg = if r.count * c.count > 0 {
                (r.first * width + c.first) as u32
            } else {
                NO_ARGMAX
            };
        }
        for i in (0..r.count).map(|t| r.first + t * sr) {
            let row = &x[i * width..(i + 1) * width];
            let base = (i * width) as u32;
            for t in 0..col_taps {
                for &o in &edges {
                    let c = &win.cols[o];
                    if t < c.count {
                        let j = c.first + t * sc;
                        max_update(row[j], base + j as u32, &mut y[o], &mut arg[o]);
                    }
                }
                if lo < hi {
                    let start = win.cols[lo].first + t * sc;
                    let (y, arg) = (&mut y[lo..hi], &mut arg[lo..hi]);
                    match win.col_stride {
                        1 => max_tap::<1>(row, start, base, y, arg),
                        2 => max_tap::<2>(row, start, base, y, arg),
                        s => max_tap_strided(row, start, s, base, y, arg),
                    }
                }
            }
        }
    }
}

/// True for `k`x`k` windows at stride `s` with neither padding, dilation nor a clipped ceil-mode
/// edge: window `o` starts at input `s·o` on both axes and has all `k` taps inside the input.
fn is_plain(win: &Windows, k: usize, s: usize) -> bool {
    let plain = |spans: &[Span]| {
        spans
            .iter()
            .enumerate()
            .all(|(o, span)| span.first == s * o && span.count == k)
    };
    win.step == [1, 1] && plain(&win.rows) && plain(&win.cols)
}

/// [`max_forward_plane`] for plain 2x2/2 windows (see [`is_plain`]), the pooling of most CNNs:
/// four loads and three compare-selects per output, in the general loop's tap order (so ties and
/// NaN resolve the same way), without its per-tap bookkeeping. Measured on [64, 64, 32, 32]:
/// see `benches/ops.rs` (`maxpool2_*`).
fn max_forward_plane_2x2(x: &[f32], win: &Windows, y: &mut [f32], arg: &mut [u32]) {
    let width = win.input[1];
    let ow = win.cols.len();
    for (r, (y, arg)) in y
        .chunks_exact_mut(ow)
        .zip(arg.chunks_exact_mut(ow))
        .enumerate()
    {
        let top = 2 * r * width;
        let (row0, row1) = (&x[top..top + 2 * ow], &x[top + width..top + width + 2 * ow]);
        let (base0, base1) = (top as u32, (top + width) as u32);
        for (c, (y, arg)) in y.iter_mut().zip(arg.iter_mut()).enumerate() {
            let j = 2 * c;
            let (mut best, mut at) = (row0[j], base0 + j as u32);
            max_update(row0[j + 1], base0 + j as u32 + 1, &mut best, &mut at);
            max_update(row1[j], base1 + j as u32, &mut best, &mut at);
            max_update(row1[j + 1], base1 + j as u32 + 1, &mut best, &mut at);
            *y = best;
            *arg = at;
        }
    }
}

/// [`max_forward_plane`] for plain 3x3/2 windows (AlexNet's and GoogLeNet's overlapping
/// pooling): the nine taps of each output in the general loop's row-major order (so ties and NaN
/// resolve the same way), as selects without the general loop's per-tap bookkeeping. Forward and
/// backward on [32, 48, 55, 55] (`maxpool3s2_*` in `benches/ops.rs`), one thread: 39 → 8 ms.
fn max_forward_plane_3x3s2(x: &[f32], win: &Windows, y: &mut [f32], arg: &mut [u32]) {
    let width = win.input[1];
    let ow = win.cols.len();
    for (r, (y, arg)) in y
        .chunks_exact_mut(ow)
        .zip(arg.chunks_exact_mut(ow))
        .enumerate()
    {
        let top = 2 * r * width;
        // Window columns 2c .. 2c + 2 of the three rows; the last window ends at 2·ow ≤ width − 1.
        let row = |i: usize| &x[top + i * width..top + i * width + 2 * ow + 1];
        let (row0, row1, row2) = (row(0), row(1), row(2));
        let w = width as u32;
        for (c, (y, arg)) in y.iter_mut().zip(arg.iter_mut()).enumerate() {
            let j = 2 * c;
            let at0 = (top + j) as u32;
            let (mut best, mut at) = (row0[j], at0);
            max_update(row0[j + 1], at0 + 1, &mut best, &mut at);
            max_update(row0[j + 2], at0 + 2, &mut best, &mut at);
            max_update(row1[j], at0 + w, &mut best, &mut at);
            max_update(row1[j + 1], at0 + w + 1, &mut best, &mut at);
            max_update(row1[j + 2], at0 + w + 2, &mut best, &mut at);
            max_update(row2[j], at0 + 2 * w, &mut best, &mut at);
            max_update(row2[j + 1], at0 + 2 * w + 1, &mut best, &mut at);
            max_update(row2[j + 2], at0 + 2 * w + 2, &mut best, &mut at);
            *y = best;
            *arg = at;
        }
    }
}

/// One tap of one window: keeps `v` (at flat index `at`) if it beats the running maximum.
#[inline(always)]
fn max_update(v: f32, at: u32, best: &mut f32, best_at: &mut u32) {
    let better = v > *best || v.is_nan();
    *best = if better { v } else { *best };
    *best_at = if better { at } else { *best_at };
}

/// One tap of consecutive interior windows: output `k` reads `row[start + k·S]`, with the stride
/// a compile-time constant (the common strides 1 and 2) so that the index arithmetic folds.
#[inline(always)]
fn max_tap<const S: usize>(row: &[f32], start: usize, base: u32, y: &mut [f32], arg: &mut [u32]) {
    max_tap_strided(row, start, S, base, y, arg)
}

/// [`max_tap`] for any stride.
#[inline(always)]
fn max_tap_strided(
    row: &[f32],
    start: usize,
    stride: usize,
    base: u32,
    y: &mut [f32],
    arg: &mut [u32],
) {
    let n = y.len().min(arg.len());
    if n == 0 {
        return;
    }
    // One slice holding every tap, so that the indexing below needs no bounds checks.
    let taps = &row[start..start + (n - 1) * stride + 1];
    let (y, arg) = (&mut y[..n], &mut arg[..n]);
    for k in 0..n {
        let at = k * stride;
        max_update(taps[at], base + (start + at) as u32, &mut y[k], &mut arg[k]);
    }
}

/// Max backward on one plane: each output gradient is added at its argmax; overlapping windows
/// that share an argmax accumulate.
fn max_backward_plane(dy: &[f32], arg: &[u32], dx: &mut [f32]) {
    for (&g, &a) in dy.iter().zip(arg) {
        if a != NO_ARGMAX {
            dx[a as usize] += g;
        }
    }
}

/// The recorded max pooling (sliding or adaptive): the input shape and the argmax of every output.
struct MaxPoolOp {
    name: &'static str,
    input: [usize; 4],
    argmax: Vec<u32>,
}

impl Op for MaxPoolOp {
    fn name(&self) -> &str {
        self.name
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let [n, c, h, w] = self.input;
        let dy = grad.contiguous_data();
        let per_plane = self.argmax.len() / (n * c);
        let mut dx = fovea_tensor::zeros_vec(n * c * h * w);
        dx.par_chunks_mut(h * w)
            .zip(
                dy.par_chunks(per_plane)
                    .zip(self.argmax.par_chunks(per_plane)),
            )
            .for_each(|(dx, (dy, arg))| max_backward_plane(dy, arg, dx));
        Ok(vec![Some(Tensor::from_vec(dx, &self.input)?)])
    }
}

/// Runs the max forward on every plane in parallel and records the op.
fn max_pool(name: &'static str, x: &Var, win: &Windows) -> Result<Var> {
    let xv = x.value();
    let [n, c, h, w] = input_shape(name, xv.shape())?;
    if h * w > NO_ARGMAX as usize {
        return Err(Error::invalid_shape(
            name,
            "a plane has more than 2^32 − 1 elements",
            xv.shape(),
        ));
    }
    let [oh, ow] = win.output();
    let data = xv.contiguous_data();
    let mut y = fovea_tensor::zeros_vec(n * c * oh * ow);
    let mut argmax = vec![0u32; n * c * oh * ow];
    y.par_chunks_mut(oh * ow)
        .zip(argmax.par_chunks_mut(oh * ow))
        .zip(data.par_chunks(h * w))
        .for_each(|((y, arg), x)| max_forward_plane(x, win, y, arg));
    let out = Tensor::from_vec(y, &[n, c, oh, ow])?;
    Ok(Var::from_op(
        out,
        &[x],
        MaxPoolOp {
            name,
            input: [n, c, h, w],
            argmax,
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// Average pooling: forward divides the window sum, backward spreads the gradient back.
// ---------------------------------------------------------------------------------------------

/// The divisor of one window (0 only for a window with no input element and
/// `count_include_pad` false, whose output is 0 as PyTorch's).
fn divisor(r: &Span, c: &Span) -> f32 {
    (r.divisor * c.divisor) as f32
}

/// Average forward on one plane: `y[o] = Σ window(o) / divisor(o)`.
fn avg_forward_plane(x: &[f32], win: &Windows, y: &mut [f32]) {
    let width = win.input[1];
    let outputs = win
        .rows
        .iter()
        .flat_map(|r| win.cols.iter().map(move |c| (r, c)));
    for ((r, c), y) in outputs.zip(y.iter_mut()) {
        let mut sum = 0.0;
        for i in r.first..r.first + r.count {
            sum += x[i * width + c.first..i * width + c.first + c.count]
                .iter()
                .sum::<f32>();
        }
        *y = if r.count * c.count == 0 {
            0.0
        } else {
            sum / divisor(r, c)
        };
    }
}

/// Average backward on one plane: `dx[window(o)] += dy[o] / divisor(o)`.
fn avg_backward_plane(dy: &[f32], win: &Windows, dx: &mut [f32]) {
    let width = win.input[1];
    let outputs = win
        .rows
        .iter()
        .flat_map(|r| win.cols.iter().map(move |c| (r, c)));
    for ((r, c), &g) in outputs.zip(dy) {
        if r.count * c.count == 0 {
            continue;
        }
        let share = g / divisor(r, c);
        for i in r.first..r.first + r.count {
            dx[i * width + c.first..i * width + c.first + c.count]
                .iter_mut()
                .for_each(|d| *d += share);
        }
    }
}

/// The recorded average pooling (sliding or adaptive): the input shape and the windows.
struct AvgPoolOp {
    name: &'static str,
    input: [usize; 4],
    windows: Windows,
}

impl Op for AvgPoolOp {
    fn name(&self) -> &str {
        self.name
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let [n, c, h, w] = self.input;
        let [oh, ow] = self.windows.output();
        let dy = grad.contiguous_data();
        let mut dx = fovea_tensor::zeros_vec(n * c * h * w);
        dx.par_chunks_mut(h * w)
            .zip(dy.par_chunks(oh * ow))
            .for_each(|(dx, dy)| avg_backward_plane(dy, &self.windows, dx));
        Ok(vec![Some(Tensor::from_vec(dx, &self.input)?)])
    }
}

/// Runs the average forward on every plane in parallel and records the op.
fn avg_pool(name: &'static str, x: &Var, windows: Windows) -> Result<Var> {
    let xv = x.value();
    let [n, c, h, w] = input_shape(name, xv.shape())?;
    let [oh, ow] = windows.output();
    let data = xv.contiguous_data();
    let mut y = fovea_tensor::zeros_vec(n * c * oh * ow);
    y.par_chunks_mut(oh * ow)
        .zip(data.par_chunks(h * w))
        .for_each(|(y, x)| avg_forward_plane(x, &windows, y));
    let out = Tensor::from_vec(y, &[n, c, oh, ow])?;
    Ok(Var::from_op(
        out,
        &[x],
        AvgPoolOp {
            name,
            input: [n, c, h, w],
            windows,
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// The public functions.
// ---------------------------------------------------------------------------------------------

/// 2-d max pooling: the maximum of each window, padding counting as −inf.
///
/// `y[n, c, i, j] = max_{p < kh, q < kw} x[n, c, i·sh − ph + p·dh, j·sw − pw + q·dw]`
///
/// The gradient of each output goes to the position of its maximum (the first one in row-major
/// window order on ties, as PyTorch) and accumulates where windows overlap (kernel > stride).
///
/// PyTorch equivalent: `torch.nn.functional.max_pool2d(x, kernel_size, stride, padding, dilation,
/// ceil_mode)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C, oh, ow]` with `oh = ⌊(H + 2ph − dh(kh − 1) − 1) / sh⌋ + 1` (with
/// `ceil_mode`: rounded up, minus one when the last window would start in the right padding).
///
/// # Errors
/// [`Error::InvalidShape`] for a non-4-d or empty input, or a kernel (dilated) larger than the
/// padded input; [`Error::InvalidArgument`] for a zero kernel size, stride or dilation, or padding
/// more than half the kernel size.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{MaxPool2dOptions, max_pool2d};
/// use fovea_tensor::Tensor;
/// let x = Var::parameter(Tensor::arange(0.0, 16.0, 1.0)?.reshape(&[1, 1, 4, 4])?);
/// let y = max_pool2d(&x, &MaxPool2dOptions::new([2, 2]))?;
/// assert_eq!(y.value().to_vec(), vec![5.0, 7.0, 13.0, 15.0]);
/// let dx = y.sum_all().backward()?.get(&x).unwrap().to_vec();
/// assert_eq!(dx.iter().filter(|&&g| g == 1.0).count(), 4); // one per window, at its maximum
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn max_pool2d(x: &Var, opts: &MaxPool2dOptions) -> Result<Var> {
    let o = opts;
    let win = sliding_windows(
        "max_pool2d",
        &x.shape(),
        o.kernel_size,
        o.stride,
        o.padding,
        Some(o.dilation),
        o.ceil_mode,
        false,
    )?;
    max_pool("max_pool2d", x, &win)
}

/// 2-d average pooling: the mean of each window.
///
/// `y[n, c, i, j] = Σ_{window} x / divisor`, where the divisor is kh·kw clipped to the padded
/// input with `count_include_pad` (PyTorch's default), or the number of input elements in the
/// window without it. The gradient `dy / divisor` goes to every input element of the window.
///
/// PyTorch equivalent: `torch.nn.functional.avg_pool2d(x, kernel_size, stride, padding,
/// ceil_mode, count_include_pad)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C, oh, ow]` with `oh = ⌊(H + 2ph − kh) / sh⌋ + 1` (with `ceil_mode`:
/// rounded up, minus one when the last window would start in the right padding).
///
/// # Errors
/// [`Error::InvalidShape`] for a non-4-d or empty input, or a kernel larger than the padded
/// input; [`Error::InvalidArgument`] for a zero kernel size or stride, or padding more than half
/// the kernel size.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{AvgPool2dOptions, avg_pool2d};
/// use fovea_tensor::Tensor;
/// let x = Var::constant(Tensor::ones(&[1, 1, 2, 2]));
/// let opts = AvgPool2dOptions::new([2, 2]).with_stride([1, 1]).with_padding([1, 1]);
/// // Corner windows hold one input element and three padding zeros.
/// assert_eq!(avg_pool2d(&x, &opts)?.value().to_vec()[0], 0.25);
/// let opts = opts.with_count_include_pad(false);
/// assert_eq!(avg_pool2d(&x, &opts)?.value().to_vec()[0], 1.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn avg_pool2d(x: &Var, opts: &AvgPool2dOptions) -> Result<Var> {
    let o = opts;
    let win = sliding_windows(
        "avg_pool2d",
        &x.shape(),
        o.kernel_size,
        o.stride,
        o.padding,
        None,
        o.ceil_mode,
        o.count_include_pad,
    )?;
    avg_pool("avg_pool2d", x, win)
}

/// 2-d adaptive max pooling to a fixed output size: bin `(i, j)` of `[oh, ow]` covers rows
/// `[⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉)` and columns `[⌊j·W/ow⌋, ⌈(j+1)·W/ow⌉)`; bins overlap when the
/// sizes do not divide. Gradient and ties as [`max_pool2d`].
///
/// PyTorch equivalent: `torch.nn.functional.adaptive_max_pool2d(x, output_size)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C, oh, ow]` (`oh`, `ow` may exceed `H`, `W`: bins then repeat rows).
///
/// # Errors
/// [`Error::InvalidShape`] for a non-4-d or empty input; [`Error::InvalidArgument`] for a zero
/// output size.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::adaptive_max_pool2d;
/// use fovea_tensor::Tensor;
/// let x = Var::constant(Tensor::arange(0.0, 5.0, 1.0)?.reshape(&[1, 1, 1, 5])?);
/// // 5 columns into 2 bins: [0, 3) and [2, 5).
/// assert_eq!(adaptive_max_pool2d(&x, [1, 2])?.value().to_vec(), vec![2.0, 4.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn adaptive_max_pool2d(x: &Var, output_size: [usize; 2]) -> Result<Var> {
    let win = adaptive_windows("adaptive_max_pool2d", &x.shape(), output_size)?;
    max_pool("adaptive_max_pool2d", x, &win)
}

/// 2-d adaptive average pooling to a fixed output size: the mean over each bin, bins as
/// [`adaptive_max_pool2d`].
///
/// PyTorch equivalent: `torch.nn.functional.adaptive_avg_pool2d(x, output_size)`.
///
/// # Shapes
/// `[N, C, H, W]` → `[N, C, oh, ow]`.
///
/// # Errors
/// [`Error::InvalidShape`] for a non-4-d or empty input; [`Error::InvalidArgument`] for a zero
/// output size.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::adaptive_avg_pool2d;
/// use fovea_tensor::Tensor;
/// let x = Var::constant(Tensor::arange(0.0, 5.0, 1.0)?.reshape(&[1, 1, 1, 5])?);
/// // Bins [0, 3) and [2, 5): means 1 and 3. Global average pooling is output size [1, 1].
/// assert_eq!(adaptive_avg_pool2d(&x, [1, 2])?.value().to_vec(), vec![1.0, 3.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn adaptive_avg_pool2d(x: &Var, output_size: [usize; 2]) -> Result<Var> {
    let win = adaptive_windows("adaptive_avg_pool2d", &x.shape(), output_size)?;
    avg_pool("adaptive_avg_pool2d", x, win)
}
