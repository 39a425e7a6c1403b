//! Local response normalisation across channels (Krizhevsky et al. 2012, §3.3): a fused kernel
//! with a hand-derived backward ([`local_response_norm`]), and the same function composed from
//! autograd ops ([`local_response_norm_composed`]), which the tests use as the kernel's oracle.
//!
//! For channel c at one position, with the window W(c) = [c − n/2, c + (n−1)/2] clipped to the
//! existing channels (PyTorch's zero padding; for odd n this is c ± n/2):
//!
//! - forward: `s_c = k + γ·Σ_{i∈W(c)} a_i²`, `b_c = a_c·s_c^(−β)`, where the coefficient γ is
//!   `α/n` in the PyTorch/Caffe convention and `α` in the AlexNet/TensorFlow one
//!   ([`LrnConvention`]).
//! - backward: derived in the comment on `backward_tile_body` below.

use fovea_autograd::{Op, Var};
use fovea_tensor::{Error, Result, Tensor};
use rayon::prelude::*;

/// Which formula the `alpha` of an [`LrnConfig`] belongs to.
///
/// The two conventions describe the same family of functions; with a window of n channels,
/// `α_pytorch = n·α_tensorflow`.
///
/// # Example
/// ```
/// use fovea_layers::functional::{LrnConfig, LrnConvention};
/// assert_eq!(LrnConfig::alexnet().convention, LrnConvention::TensorFlow);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LrnConvention {
    /// PyTorch / Caffe `LocalResponseNorm`: `s = k + α/n·Σ a²` (α is divided by the window size).
    PyTorch,
    /// The AlexNet paper and `tf.nn.local_response_normalization`: `s = k + α·Σ a²`.
    TensorFlow,
}

/// Settings of local response normalisation: window size n, α, β, k and the convention α is in.
///
/// [`LrnConfig::new`] has PyTorch's defaults (α = 1e-4, β = 0.75, k = 1). The two explicit
/// constructors take each framework's arguments in that framework's order:
///
/// | fovea | PyTorch | TensorFlow |
/// |---|---|---|
/// | `LrnConfig::pytorch(n, α, β, k)` | `nn.LocalResponseNorm(n, α, β, k)` | `local_response_normalization(r = ⌊n/2⌋, bias = k, alpha = α/n, beta = β)` (odd n only) |
/// | `LrnConfig::tensorflow(r, bias, α, β)` | `nn.LocalResponseNorm(2r + 1, α·(2r + 1), β, bias)` | `local_response_normalization(r, bias, α, β)` |
///
/// # Example
/// ```
/// use fovea_layers::functional::LrnConfig;
/// let lrn = LrnConfig::pytorch(5, 1e-3, 0.75, 2.0);
/// assert_eq!(lrn.coefficient(), 1e-3 / 5.0);
/// let tf = LrnConfig::tensorflow(2, 2.0, 2e-4, 0.75);
/// assert_eq!((tf.size, tf.coefficient()), (5, 2e-4));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrnConfig {
    /// Channels in the window, n (≥ 1; even sizes are allowed, see the module docs).
    pub size: usize,
    /// α, in [`LrnConfig::convention`].
    pub alpha: f32,
    /// The exponent β.
    pub beta: f32,
    /// The additive constant k (TensorFlow's `bias`).
    pub k: f32,
    /// Whether α is divided by n.
    pub convention: LrnConvention,
}

impl LrnConfig {
    /// A window of `size` channels with PyTorch's defaults: α = 1e-4 (divided by n), β = 0.75, k = 1.
    ///
    /// # Example
    /// ```
    /// let lrn = fovea_layers::functional::LrnConfig::new(5);
    /// assert_eq!((lrn.alpha, lrn.beta, lrn.k), (1e-4, 0.75, 1.0));
    /// ```
    pub fn new(size: usize) -> Self {
        Self::pytorch(size, 1e-4, 0.75, 1.0)
    }

    /// PyTorch's / Caffe's convention, arguments in `nn.LocalResponseNorm`'s order:
    /// `b_c = a_c / (k + α/n·Σ a²)^β`.
    ///
    /// # Example
    /// ```
    /// let lrn = fovea_layers::functional::LrnConfig::pytorch(3, 0.3, 0.5, 1.0);
    /// assert!((lrn.coefficient() - 0.1).abs() < 1e-7);
    /// ```
    pub fn pytorch(size: usize, alpha: f32, beta: f32, k: f32) -> Self {
        LrnConfig {
            size,
            alpha,
            beta,
            k,
            convention: LrnConvention::PyTorch,
        }
    }

    /// The AlexNet paper's / TensorFlow's convention, arguments in
    /// `tf.nn.local_response_normalization`'s order: window n = 2·`depth_radius` + 1,
    /// `b_c = a_c / (bias + α·Σ a²)^β`. The same function as
    /// `pytorch(2r + 1, α·(2r + 1), β, bias)`.
    ///
    /// # Example
    /// ```
    /// let lrn = fovea_layers::functional::LrnConfig::tensorflow(2, 2.0, 1e-4, 0.75);
    /// assert_eq!((lrn.size, lrn.k, lrn.coefficient()), (5, 2.0, 1e-4));
    /// ```
    pub fn tensorflow(depth_radius: usize, bias: f32, alpha: f32, beta: f32) -> Self {
        LrnConfig {
            size: 2 * depth_radius + 1,
            alpha,
            beta,
            k: bias,
            convention: LrnConvention::TensorFlow,
        }
    }

    /// AlexNet's LRN as in the paper (§3.3): k = 2, n = 5, α = 1e-4, β = 0.75. The paper's
    /// formula does not divide α by n, so this is `tensorflow(2, 2.0, 1e-4, 0.75)`, i.e.
    /// PyTorch's `LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)` (torchvision's AlexNet has
    /// no LRN; Caffe's `bvlc_alexnet` uses α = 1e-4 in its own, divided, convention).
    ///
    /// # Example
    /// ```
    /// use fovea_layers::functional::LrnConfig;
    /// assert_eq!(LrnConfig::alexnet(), LrnConfig::tensorflow(2, 2.0, 1e-4, 0.75));
    /// ```
    pub fn alexnet() -> Self {
        Self::tensorflow(2, 2.0, 1e-4, 0.75)
    }

    /// Sets α (in this config's convention).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::LrnConfig::new(5).with_alpha(1e-3).alpha, 1e-3);
    /// ```
    pub fn with_alpha(mut self, alpha: f32) -> Self {
        self.alpha = alpha;
        self
    }

    /// Sets β.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::LrnConfig::new(5).with_beta(0.5).beta, 0.5);
    /// ```
    pub fn with_beta(mut self, beta: f32) -> Self {
        self.beta = beta;
        self
    }

    /// Sets k.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::LrnConfig::new(5).with_k(2.0).k, 2.0);
    /// ```
    pub fn with_k(mut self, k: f32) -> Self {
        self.k = k;
        self
    }

    /// γ, the factor on the window's sum of squares: `α/n` (PyTorch) or `α` (TensorFlow).
    ///
    /// # Example
    /// ```
    /// use fovea_layers::functional::LrnConfig;
    /// assert_eq!(LrnConfig::pytorch(4, 2.0, 0.75, 1.0).coefficient(), 0.5);
    /// assert_eq!(LrnConfig::tensorflow(1, 1.0, 2.0, 0.75).coefficient(), 2.0);
    /// ```
    pub fn coefficient(&self) -> f32 {
        match self.convention {
            LrnConvention::PyTorch => self.alpha / self.size as f32,
            LrnConvention::TensorFlow => self.alpha,
        }
    }

    /// Channels of the window before and after the centre: `(n/2, (n−1)/2)`, PyTorch's padding.
    /// For even n the window leans towards lower channels.
    ///
    /// # Example
    /// ```
    /// use fovea_layers::functional::LrnConfig;
    /// assert_eq!(LrnConfig::new(5).window(), (2, 2));
    /// assert_eq!(LrnConfig::new(4).window(), (2, 1));
    /// ```
    pub fn window(&self) -> (usize, usize) {
        (self.size / 2, self.size.saturating_sub(1) / 2)
    }

    /// Checks the settings; `op` names the caller in the message.
    pub(crate) fn check(&self, op: &str) -> Result<()> {
        if self.size == 0 {
            return Err(Error::invalid_argument(
                op,
                "size must be at least 1, got 0",
            ));
        }
        let finite = self.alpha.is_finite() && self.beta.is_finite() && self.k.is_finite();
        if !finite || self.alpha < 0.0 || self.k < 0.0 {
            return Err(Error::invalid_argument(
                op,
                format!(
                    "alpha, beta and k must be finite with alpha >= 0 and k >= 0, got alpha {}, beta {}, k {}",
                    self.alpha, self.beta, self.k
                ),
            ));
        }
        Ok(())
    }
}

/// `[N, C, L]` with L the product of the axes after the channels.
fn split_shape(shape: &[usize]) -> Result<(usize, usize, usize)> {
    if shape.len() < 3 {
        return Err(Error::invalid_shape(
            "local_response_norm",
            "input must be [N, C, ...] with at least 3 axes",
            shape,
        ));
    }
    Ok((shape[0], shape[1], shape[2..].iter().product()))
}

// ---------------------------------------------------------------------------------------------
// The fused kernel.
//
// The work is split into tiles: one image and a run of up to TILE spatial positions, all C
// channels. A tile's rows are contiguous runs of memory (NCHW), so the window sums are vector
// additions of whole rows, and tiles are independent, so rayon runs them in parallel over the
// batch and the positions at once.

/// Spatial positions per tile: a tile's three `[C, TILE]` scratch blocks (3 × 48 × 256 floats =
/// 144 KiB for AlexNet's first LRN) stay in L2, and a 27×27 map gives 3 tiles per image, enough
/// tasks for rayon to balance.
const TILE: usize = 256;

/// The numbers every tile needs.
#[derive(Clone, Copy, Debug)]
struct Plan {
    c: usize,
    l: usize,
    before: usize,
    after: usize,
    gamma: f32,
    beta: f32,
    k: f32,
}

impl Plan {
    /// Tiles per image.
    fn tiles(&self) -> usize {
        self.l.div_ceil(TILE)
    }

    /// Image and first position of tile `t`.
    fn tile_origin(&self, t: usize) -> (usize, usize) {
        (t / self.tiles(), t % self.tiles() * TILE)
    }

    /// Channel c of the tile at `origin`, `width` positions, as a range of the `[N, C, L]` data.
    fn row(&self, origin: (usize, usize), c: usize, width: usize) -> std::ops::Range<usize> {
        let start = (origin.0 * self.c + c) * self.l + origin.1;
        start..start + width
    }
}

/// A `[N, C, L]` buffer cut into tiles: tile t holds its C row pieces, in channel order.
fn tile_rows<'a>(data: &'a mut [f32], plan: &Plan) -> Vec<Vec<&'a mut [f32]>> {
    let per_image = plan.tiles();
    let images = data.len() / (plan.c * plan.l);
    let mut tiles: Vec<Vec<&mut [f32]>> = (0..images * per_image)
        .map(|_| Vec::with_capacity(plan.c))
        .collect();
    for (row, data) in data.chunks_mut(plan.l).enumerate() {
        let image = row / plan.c;
        for (t, piece) in data.chunks_mut(TILE).enumerate() {
            tiles[image * per_image + t].push(piece);
        }
    }
    tiles
}

/// `out[i] = s[i]^(−β)`. `powf` is not vectorised and costs more than the rest of the kernel
/// together, so the usual β get exact-enough shortcuts (≤ 3 ulp): β = 0.75 (AlexNet,
/// GoogLeNet) is `1/(√s·√√s)`.
#[inline(always)]
fn pow_neg_beta(s: &[f32], beta: f32, out: &mut [f32]) {
    let pairs = out.iter_mut().zip(s);
    if beta == 0.75 {
        pairs.for_each(|(o, &s)| {
            let r = s.sqrt();
            *o = 1.0 / (r * r.sqrt());
        });
    } else if beta == 0.5 {
        pairs.for_each(|(o, &s)| *o = 1.0 / s.sqrt());
    } else if beta == 1.0 {
        pairs.for_each(|(o, &s)| *o = 1.0 / s);
    } else {
        pairs.for_each(|(o, &s)| *o = s.powf(-beta));
    }
}

/// Adds rows `lo..=hi` of a `[C, width]` buffer into `sum`.
#[inline(always)]
fn window_sum(rows: &[f32], width: usize, lo: usize, hi: usize, sum: &mut [f32]) {
    sum.fill(0.0);
    for row in rows[lo * width..(hi + 1) * width].chunks_exact(width) {
        sum.iter_mut().zip(row).for_each(|(s, &r)| *s += r);
    }
}

/// One tile's scratch space: the squares and two more `[C, width]` blocks, and two rows.
#[derive(Default)]
struct Scratch {
    data: Vec<f32>,
}

/// Borrowed pieces of [`Scratch`] for a tile of `width` positions.
struct TileBuffers<'a> {
    /// a², `[C, width]`.
    squares: &'a mut [f32],
    /// s^(−β), `[C, width]`.
    p: &'a mut [f32],
    /// backward's `t = g·a·p/s`, `[C, width]`.
    t: &'a mut [f32],
    /// One row: the window sum.
    sum: &'a mut [f32],
    /// One row: s.
    s: &'a mut [f32],
}

impl Scratch {
    /// Splits the buffer for a tile of `width` positions, with the squares of the tile's inputs
    /// already computed.
    #[inline(always)]
    fn tile<'a>(
        &'a mut self,
        plan: &Plan,
        x: &[f32],
        origin: (usize, usize),
        width: usize,
    ) -> TileBuffers<'a> {
        let block = plan.c * width;
        self.data.resize(3 * plan.c * TILE + 2 * TILE, 0.0);
        let (squares, rest) = self.data.split_at_mut(block);
        let (p, rest) = rest.split_at_mut(block);
        let (t, rest) = rest.split_at_mut(block);
        let (sum, rest) = rest.split_at_mut(width);
        let s = &mut rest[..width];
        for (c, sq) in squares.chunks_exact_mut(width).enumerate() {
            sq.iter_mut()
                .zip(&x[plan.row(origin, c, width)])
                .for_each(|(sq, &a)| *sq = a * a);
        }
        TileBuffers {
            squares,
            p,
            t,
            sum,
            s,
        }
    }
}

impl TileBuffers<'_> {
    /// For channel c: `s = k + γ·Σ_{i∈W(c)} a_i²` into `self.s`, and `s^(−β)` into row c of `self.p`.
    #[inline(always)]
    fn powers(&mut self, plan: &Plan, c: usize) {
        let width = self.s.len();
        let (lo, hi) = (
            c.saturating_sub(plan.before),
            (c + plan.after).min(plan.c - 1),
        );
        window_sum(self.squares, width, lo, hi, self.sum);
        self.s
            .iter_mut()
            .zip(self.sum.iter())
            .for_each(|(s, &sum)| *s = plan.k + plan.gamma * sum);
        pow_neg_beta(self.s, plan.beta, &mut self.p[c * width..(c + 1) * width]);
    }
}

/// Forward on one tile: `y = a·s^(−β)`.
#[inline(always)]
fn forward_tile_body(
    plan: &Plan,
    x: &[f32],
    origin: (usize, usize),
    y: &mut [&mut [f32]],
    scratch: &mut Scratch,
) {
    let width = y[0].len();
    let mut buf = scratch.tile(plan, x, origin, width);
    for (c, y) in y.iter_mut().enumerate() {
        buf.powers(plan, c);
        let (a, p) = (
            &x[plan.row(origin, c, width)],
            &buf.p[c * width..(c + 1) * width],
        );
        y.iter_mut()
            .zip(a)
            .zip(p)
            .for_each(|((y, &a), &p)| *y = a * p);
    }
}

/// Backward on one tile. s and its power are recomputed from the saved input rather than saved
/// by forward: that costs less than writing and reading back a tensor the size of the input,
/// and keeps a training step's memory at the input alone.
///
/// With `b_c = a_c·s_c^(−β)` and `s_c = k + γ·Σ_{i∈W(c)} a_i²`:
///
/// ```text
/// ∂b_c/∂a_j = [c = j]·s_c^(−β) + a_c·(−β)·s_c^(−β−1)·γ·2a_j·[j ∈ W(c)]
/// ∂L/∂a_j   = Σ_c g_c·∂b_c/∂a_j
///           = g_j·s_j^(−β) − 2βγ·a_j·Σ_{c: j∈W(c)} g_c·a_c·s_c^(−β−1)
///           = g_j·p_j      − 2βγ·a_j·Σ_{c: j∈W(c)} t_c,     p_c = s_c^(−β), t_c = g_c·a_c·p_c/s_c
/// ```
///
/// W(c) = [c − before, c + after], so j ∈ W(c) ⟺ c ∈ [j − after, j + before]: the transposed
/// window is the mirror image, which differs from W(j) for even n.
#[inline(always)]
fn backward_tile_body(
    plan: &Plan,
    x: &[f32],
    g: &[f32],
    origin: (usize, usize),
    dx: &mut [&mut [f32]],
    scratch: &mut Scratch,
) {
    let width = dx[0].len();
    let mut buf = scratch.tile(plan, x, origin, width);
    for c in 0..plan.c {
        buf.powers(plan, c);
        let r = plan.row(origin, c, width);
        let (g, a, p, s) = (
            &g[r.clone()],
            &x[r],
            &buf.p[c * width..(c + 1) * width],
            &buf.s[..],
        );
        let t = &mut buf.t[c * width..(c + 1) * width];
        for i in 0..width {
            t[i] = g[i] * a[i] * p[i] / s[i];
        }
    }
    let two_beta_gamma = 2.0 * plan.beta * plan.gamma;
    for (j, dx) in dx.iter_mut().enumerate() {
        let (lo, hi) = (
            j.saturating_sub(plan.after),
            (j + plan.before).min(plan.c - 1),
        );
        window_sum(buf.t, width, lo, hi, buf.sum);
        let r = plan.row(origin, j, width);
        let (g, a, p, sum) = (
            &g[r.clone()],
            &x[r],
            &buf.p[j * width..(j + 1) * width],
            &buf.sum[..],
        );
        for i in 0..width {
            dx[i] = g[i] * p[i] - two_beta_gamma * a[i] * sum[i];
        }
    }
}

/// [`forward_tile_body`], compiled for AVX-512 when the CPU has it: the crate targets baseline
/// x86-64 (4-lane SSE), and the square roots and divisions of LRN are compute-bound.
fn forward_tile(
    plan: &Plan,
    x: &[f32],
    origin: (usize, usize),
    y: &mut [&mut [f32]],
    scratch: &mut Scratch,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: AVX-512F was detected.
        return unsafe { wide::forward_tile(plan, x, origin, y, scratch) };
    }
    forward_tile_body(plan, x, origin, y, scratch)
}

/// [`backward_tile_body`], compiled for AVX-512 when the CPU has it (see [`forward_tile`]).
fn backward_tile(
    plan: &Plan,
    x: &[f32],
    g: &[f32],
    origin: (usize, usize),
    dx: &mut [&mut [f32]],
    scratch: &mut Scratch,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: AVX-512F was detected.
        return unsafe { wide::backward_tile(plan, x, g, origin, dx, scratch) };
    }
    backward_tile_body(plan, x, g, origin, dx, scratch)
}

/// The tile functions compiled with AVX-512 enabled (the bodies are inlined into them).
#[cfg(target_arch = "x86_64")]
mod wide {
    use super::{Plan, Scratch};

    /// # Safety
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn forward_tile(
        plan: &Plan,
        x: &[f32],
        origin: (usize, usize),
        y: &mut [&mut [f32]],
        scratch: &mut Scratch,
    ) {
        super::forward_tile_body(plan, x, origin, y, scratch)
    }

    /// # Safety
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn backward_tile(
        plan: &Plan,
        x: &[f32],
        g: &[f32],
        origin: (usize, usize),
        dx: &mut [&mut [f32]],
        scratch: &mut Scratch,
    ) {
        super::backward_tile_body(plan, x, g, origin, dx, scratch)
    }
}

/// The recorded LRN: only the input (backward recomputes s from it).
struct LrnOp {
    plan: Plan,
    x: Tensor,
}

impl Op for LrnOp {
    fn name(&self) -> &str {
        "local_response_norm"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let plan = &self.plan;
        let (x, g) = (self.x.contiguous_data(), grad.contiguous_data());
        let mut dx = fovea_tensor::zeros_vec(x.len());
        if !dx.is_empty() {
            let tiles = tile_rows(&mut dx, plan).into_par_iter().enumerate();
            tiles.for_each_init(Scratch::default, |scratch, (t, mut dx)| {
                backward_tile(plan, &x, &g, plan.tile_origin(t), &mut dx, scratch);
            });
        }
        Ok(vec![Some(Tensor::from_vec(dx, self.x.shape())?)])
    }
}

/// Local response normalisation across channels, fused: one pass forms the window sums of
/// squares and the output; backward is hand-derived (see the source of `backward_tile_body`). Tiles
/// of one image × up to 256 positions run in parallel.
///
/// `b_c = a_c / (k + γ·Σ_{i∈W(c)} a_i²)^β` with `γ = α/n` (PyTorch) or `α` (TensorFlow), W(c)
/// the n channels `c − n/2 ..= c + (n−1)/2` and missing channels counted as 0.
///
/// PyTorch equivalent: `torch.nn.functional.local_response_norm(x, size, alpha, beta, k)`;
/// TensorFlow: `tf.nn.local_response_normalization` (NHWC there). Paper: Krizhevsky et al.
/// 2012, §3.3, <https://papers.nips.cc/paper/4824>.
///
/// # Shapes
/// `[N, C, ...]` (at least 3 axes, as PyTorch) → the same shape.
///
/// # Errors
/// [`Error::InvalidShape`] for fewer than 3 axes; [`Error::InvalidArgument`] for size 0, a
/// non-finite α, β or k, or a negative α or k.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{LrnConfig, local_response_norm};
/// use fovea_tensor::Tensor;
/// // One position, channels 1, 2, 2; window 3 with γ = α/n = 1/3, k = 1, β = 1.
/// let x = Var::parameter(Tensor::from_vec(vec![1.0, 2.0, 2.0], &[1, 3, 1])?);
/// let y = local_response_norm(&x, &LrnConfig::pytorch(3, 1.0, 1.0, 1.0))?;
/// // channel 0: 1 / (1 + (1 + 4)/3); channel 1: 2 / (1 + 9/3); channel 2: 2 / (1 + 8/3)
/// let want = [1.0 / (1.0 + 5.0 / 3.0), 2.0 / 4.0, 2.0 / (1.0 + 8.0 / 3.0)];
/// for (a, b) in y.value().to_vec().iter().zip(want) {
///     assert!((a - b).abs() < 1e-6);
/// }
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn local_response_norm(x: &Var, config: &LrnConfig) -> Result<Var> {
    config.check("local_response_norm")?;
    let xv = x.value();
    let (_, c, l) = split_shape(xv.shape())?;
    let (before, after) = config.window();
    let plan = Plan {
        c,
        l,
        before,
        after,
        gamma: config.coefficient(),
        beta: config.beta,
        k: config.k,
    };
    let data = xv.contiguous_data();
    let mut y = fovea_tensor::zeros_vec(data.len());
    if !data.is_empty() {
        let tiles = tile_rows(&mut y, &plan).into_par_iter().enumerate();
        tiles.for_each_init(Scratch::default, |scratch, (t, mut y)| {
            forward_tile(&plan, &data, plan.tile_origin(t), &mut y, scratch);
        });
    }
    let y = Tensor::from_vec(y, xv.shape())?;
    let op = LrnOp { plan, x: xv };
    Ok(Var::from_op(y, &[x], op))
}

/// The same function as [`local_response_norm`], composed from autograd ops (square, zero-pad
/// and sum the channel window by `narrow`, scale, `powf`, divide), as burn's `local_response.rs`.
/// Slower and hungrier (it keeps every intermediate), but each step is an op with its own tested
/// gradient: it is the oracle for the fused kernel.
///
/// # Shapes
/// As [`local_response_norm`].
///
/// # Errors
/// As [`local_response_norm`].
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{LrnConfig, local_response_norm, local_response_norm_composed};
/// use fovea_tensor::{Tensor, seeded_rng};
/// let x = Var::constant(Tensor::rand_normal(&[2, 6, 3, 3], 0.0, 1.0, &mut seeded_rng(0))?);
/// let config = LrnConfig::pytorch(4, 0.5, 0.75, 1.0);
/// let fused = local_response_norm(&x, &config)?.value();
/// let composed = local_response_norm_composed(&x, &config)?.value();
/// assert!(fused.all_close(&composed, 1e-5, 1e-6));
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn local_response_norm_composed(x: &Var, config: &LrnConfig) -> Result<Var> {
    config.check("local_response_norm")?;
    let shape = x.shape();
    let (_, c, _) = split_shape(&shape)?;
    let (before, after) = config.window();
    let zeros = |channels: usize| {
        let mut s = shape.clone();
        s[1] = channels;
        Var::constant(Tensor::zeros(&s))
    };
    // a²: [N, C, ...]
    let squares = x.mul(x)?;
    // zero-padded: [N, before + C + after, ...]
    let (front, back) = (zeros(before), zeros(after));
    let parts: Vec<&Var> = [(&front, before), (&squares, c), (&back, after)]
        .into_iter()
        .filter(|(_, len)| *len > 0)
        .map(|(v, _)| v)
        .collect();
    let padded = Var::concat(&parts, 1)?;
    // Σ_{i∈W(c)} a_i² = Σ_{d<n} padded[:, c + d]: [N, C, ...]
    let mut sum = padded.narrow(1, 0, c)?;
    for d in 1..config.size {
        sum = sum.add(&padded.narrow(1, d, c)?)?;
    }
    // s = k + γ·Σ; b = a / s^β
    let s = sum.mul_scalar(config.coefficient()).add_scalar(config.k);
    x.div(&s.powf(config.beta))
}
