//! RoI max pooling (Fast R-CNN) and SPP over each RoI (SPP-net), forward and backward side by
//! side, plus the checks of features and boxes that RoIAlign shares.
//!
//! Shapes: features `[N, C, H, W]`, boxes `[K, 5]` with rows (batch index, x1, y1, x2, y2) in
//! image coordinates, output `[K, C, ph, pw]`. For RoI k and channel c, every output bin is the
//! maximum of a rectangle of the feature plane (`features[batch(k), c]`); the forward pass saves
//! where that maximum was (its argmax), and the backward pass adds each output gradient at its
//! argmax. The bin rectangles follow torchvision's CPU kernel exactly (see [`roi_pool`]).
//!
//! - forward: the features are first copied channels-last (`[N, H, W, C]`), so that a bin's
//!   maximum over a block of channels is a run of vector compares over contiguous memory; then
//!   parallel over RoIs (each RoI writes its own output rows). The argmaxes take one byte each
//!   when every bin fits in 15x15 cells (they are as many as the outputs, so their size shows).
//! - backward: parallel over blocks of the (image, channel) planes of the feature gradient:
//!   several RoIs write into the same plane, so each plane is owned by one task that visits the
//!   RoIs of its image in order. No atomics, and the sums come out in the same order on every
//!   run (and in torchvision's order: RoI, then bin).
//!
//! Measured on 512 RoIs, 7x7 bins, features [1, 256, 38, 50] (`roipool_512x7x7` in
//! `benches/ops.rs`), forward and backward on one thread: 85 ms with a scalar loop per
//! (RoI, channel, bin) and 4-byte argmaxes, 18 ms now.

use fovea_autograd::{Op, Var};
use fovea_tensor::{Error, Result, Tensor};
use rayon::prelude::*;

/// Output size and scale of [`roi_pool`].
///
/// PyTorch equivalent: the `output_size` and `spatial_scale` arguments of
/// `torchvision.ops.roi_pool` (which has no defaults).
///
/// # Example
/// ```
/// use fovea_layers::functional::RoiPoolOptions;
/// let o = RoiPoolOptions::new([7, 7], 1.0 / 16.0);
/// assert_eq!((o.output_size, o.spatial_scale), ([7, 7], 0.0625));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoiPoolOptions {
    /// Bins per RoI `[ph, pw]`.
    pub output_size: [usize; 2],
    /// Factor from image coordinates (the boxes) to feature-map coordinates, e.g. 1/16 after
    /// four stride-2 stages.
    pub spatial_scale: f32,
}

impl RoiPoolOptions {
    /// `output_size` bins per RoI, boxes scaled by `spatial_scale`.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiPoolOptions::new([2, 3], 0.5);
    /// assert_eq!(o.output_size, [2, 3]);
    /// ```
    pub fn new(output_size: [usize; 2], spatial_scale: f32) -> Self {
        RoiPoolOptions {
            output_size,
            spatial_scale,
        }
    }

    /// Sets the output size `[ph, pw]`.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiPoolOptions::new([7, 7], 1.0).with_output_size([6, 6]);
    /// assert_eq!(o.output_size, [6, 6]);
    /// ```
    pub fn with_output_size(mut self, output_size: [usize; 2]) -> Self {
        self.output_size = output_size;
        self
    }

    /// Sets the spatial scale.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::RoiPoolOptions::new([7, 7], 1.0).with_spatial_scale(0.25);
    /// assert_eq!(o.spatial_scale, 0.25);
    /// ```
    pub fn with_spatial_scale(mut self, spatial_scale: f32) -> Self {
        self.spatial_scale = spatial_scale;
        self
    }

    /// Rejects a zero output size and a scale that is not positive and finite.
    pub(crate) fn validate(&self, op: &str) -> Result<()> {
        check_output_size(op, self.output_size)?;
        check_spatial_scale(op, self.spatial_scale)
    }
}

pub(crate) fn check_output_size(op: &str, output_size: [usize; 2]) -> Result<()> {
    if output_size.contains(&0) {
        return Err(Error::invalid_argument(
            op,
            format!("output size must be positive, got {output_size:?}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_spatial_scale(op: &str, spatial_scale: f32) -> Result<()> {
    if !(spatial_scale.is_finite() && spatial_scale > 0.0) {
        return Err(Error::invalid_argument(
            op,
            format!("spatial_scale must be positive and finite, got {spatial_scale}"),
        ));
    }
    Ok(())
}

/// One checked row of the box tensor.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RoiBox {
    /// Image of the batch the box lies on.
    pub batch: usize,
    /// x1, y1, x2, y2 in image coordinates (finite).
    pub corners: [f32; 4],
}

/// The checked features `[N, C, H, W]` and boxes shared by every RoI op.
pub(crate) struct RoiInputs {
    pub dims: [usize; 4],
    pub boxes: Vec<RoiBox>,
}

impl RoiInputs {
    /// Checks features (4-d, non-empty) and boxes (`[K, 5]`, finite, integral batch index in
    /// range); `op` names the operation in the errors.
    pub(crate) fn new(op: &str, features: &[usize], boxes: &Tensor) -> Result<RoiInputs> {
        let [n, c, h, w] = *features else {
            return Err(Error::invalid_shape(
                op,
                "features must be [N, C, H, W]",
                features,
            ));
        };
        if n * c * h * w == 0 {
            return Err(Error::invalid_shape(op, "features are empty", features));
        }
        // Argmax positions are stored as u32 to halve the memory the backward pass keeps.
        if h * w >= u32::MAX as usize {
            return Err(Error::invalid_shape(
                op,
                "feature planes above 2^32 - 1 elements are not supported",
                features,
            ));
        }
        let &[_, 5] = boxes.shape() else {
            return Err(Error::invalid_shape(
                op,
                "boxes must be [K, 5] rows of (batch index, x1, y1, x2, y2)",
                boxes.shape(),
            ));
        };
        let data = boxes.contiguous_data();
        let mut out = Vec::with_capacity(data.len() / 5);
        for (k, row) in data.chunks_exact(5).enumerate() {
            if row.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid_argument(
                    op,
                    format!("box {k} has a non-finite value: {row:?}"),
                ));
            }
            let b = row[0];
            if b.fract() != 0.0 {
                return Err(Error::invalid_argument(
                    op,
                    format!("box {k}: batch index {b} is not an integer"),
                ));
            }
            if b < 0.0 || b >= n as f32 {
                return Err(Error::invalid_argument(
                    op,
                    format!("box {k}: batch index {b} is out of range for features {features:?}"),
                ));
            }
            out.push(RoiBox {
                batch: b as usize,
                corners: [row[1], row[2], row[3], row[4]],
            });
        }
        Ok(RoiInputs {
            dims: [n, c, h, w],
            boxes: out,
        })
    }

    /// The RoIs of each image, in box order: who writes into which plane during backward.
    pub(crate) fn rois_by_image(&self) -> Vec<Vec<usize>> {
        let mut by_image = vec![Vec::new(); self.dims[0]];
        for (k, b) in self.boxes.iter().enumerate() {
            by_image[b.batch].push(k);
        }
        by_image
    }
}

/// No maximum found: the bin was empty (or held only NaN or values ≤ −f32::MAX).
const NO_ARGMAX: u32 = u32::MAX;

/// The `[start, end)` cell ranges of the `pooled` bins along one axis of a RoI whose corners are
/// `lo` and `hi` (image coordinates), on an axis of `len` cells. torchvision's rule, in f32 as
/// its float kernel: start/end = round(coord·scale), size = max(end − start + 1, 1),
/// bin = size/pooled, bin i covers [floor(i·bin), ceil((i+1)·bin)) + start, clipped to [0, len].
fn bin_ranges(lo: f32, hi: f32, scale: f32, pooled: usize, len: usize) -> Vec<(usize, usize)> {
    // Clamped to torchvision's int range: beyond it its kernel is undefined, here it is just far
    // outside the map (and i64 sums cannot overflow).
    let round = |v: f32| (v * scale).round().clamp(-2_147_483_648.0, 2_147_483_647.0) as i64;
    let (start, end) = (round(lo), round(hi));
    let size = (end - start + 1).max(1);
    let bin = size as f32 / pooled as f32;
    let clip = |v: i64| (v + start).clamp(0, len as i64) as usize;
    (0..pooled)
        .map(|i| {
            let a = (i as f32 * bin).floor() as i64;
            let b = ((i + 1) as f32 * bin).ceil() as i64;
            (clip(a), clip(b))
        })
        .collect()
}

/// The bins of one RoI: image, then `[start, end)` rows of each bin row and columns of each bin
/// column.
struct RoiGrid {
    batch: usize,
    rows: Vec<(usize, usize)>,
    cols: Vec<(usize, usize)>,
}

impl RoiGrid {
    /// The bins in output (row-major) order: rows × columns.
    fn bins(&self) -> impl Iterator<Item = ((usize, usize), (usize, usize))> + '_ {
        self.rows
            .iter()
            .flat_map(|&r| self.cols.iter().map(move |&c| (r, c)))
    }
}

/// How the argmax of an output is stored: the forward pass writes one per output, as many as
/// output values, and the backward pass reads them all back, so their size counts as much as
/// the search for the maxima (fresh memory is paid in page faults).
trait ArgmaxCell: Copy + PartialEq + Send + Sync {
    /// No maximum (see [`NO_ARGMAX`]).
    const NONE: Self;
    /// The code of cell (`row`, `col`) of the bin whose top-left cell is (`top`, `left`), on a
    /// map `width` cells wide.
    fn encode(row: usize, col: usize, top: usize, left: usize, width: usize) -> u32;
    /// The stored form of an [`ArgmaxCell::encode`] value or [`NO_ARGMAX`].
    fn store(code: u32) -> Self;
    /// The plane index of a stored cell of the bin whose top-left plane index is `origin`.
    fn plane_index(self, origin: usize, width: usize) -> usize;
}

/// The cell within its bin, `16·row + column` from the bin's top-left cell: a quarter of the
/// memory of a plane index, for RoIs whose bins all have at most 15 rows and 15 columns (the
/// largest code is then 14·16 + 14 = 238, below the 255 that means none).
impl ArgmaxCell for u8 {
    const NONE: u8 = u8::MAX;
    #[inline(always)]
    fn encode(row: usize, col: usize, top: usize, left: usize, _width: usize) -> u32 {
        (((row - top) << 4) | (col - left)) as u32
    }
    #[inline(always)]
    fn store(code: u32) -> u8 {
        code as u8 // NO_ARGMAX → u8::MAX
    }
    #[inline(always)]
    fn plane_index(self, origin: usize, width: usize) -> usize {
        origin + (self >> 4) as usize * width + (self & 15) as usize
    }
}

/// The index in the feature plane, for RoIs with larger bins.
impl ArgmaxCell for u32 {
    const NONE: u32 = NO_ARGMAX;
    #[inline(always)]
    fn encode(row: usize, col: usize, _top: usize, _left: usize, width: usize) -> u32 {
        (row * width + col) as u32
    }
    #[inline(always)]
    fn store(code: u32) -> u32 {
        code
    }
    #[inline(always)]
    fn plane_index(self, _origin: usize, _width: usize) -> usize {
        self as usize
    }
}

/// The argmax of every output in the encoding chosen for the call.
enum Argmax {
    Packed(Vec<u8>),
    Plane(Vec<u32>),
}

/// The features `[N, C, H, W]` as `[N, H, W, C]`: every feature cell's channels side by side, so
/// that one bin is pooled for a block of channels with contiguous, vectorizable loads.
fn channels_last(dims: [usize; 4], x: &[f32]) -> Vec<f32> {
    let [_, c, h, w] = dims;
    let hw = h * w;
    let mut xt = vec![0.0; x.len()];
    xt.par_chunks_mut(c * w)
        .enumerate()
        .for_each(|(image_row, out)| {
            let (image, row) = (image_row / h, image_row % h);
            let planes = &x[image * c * hw..(image + 1) * c * hw];
            // Cell by cell: the `c` cache lines the gather touches serve 16 consecutive cells.
            for (col, cell) in out.chunks_exact_mut(c).enumerate() {
                let at = row * w + col;
                for (ch, v) in cell.iter_mut().enumerate() {
                    *v = planes[ch * hw + at];
                }
            }
        });
    xt
}

/// Maxima and argmaxima (as [`ArgmaxCell::encode`] codes) of the bin `rows` × `cols` for the `B`
/// channels from `ch`, over the channels-last image `xt` (`[H, W, c]`, `width` cells a row), its
/// cells in row-major order. Strict `>` from −f32::MAX, per channel: the first maximum wins, NaN
/// never does, as in torchvision. Selects over fixed-size arrays, so that the block stays in
/// vector registers and every cell is one vector compare and two blends.
#[inline(always)]
fn bin_block<A: ArgmaxCell, const B: usize>(
    xt: &[f32],
    c: usize,
    width: usize,
    (rows, cols): ((usize, usize), (usize, usize)),
    ch: usize,
) -> ([f32; B], [u32; B]) {
    let (mut best, mut best_at) = ([-f32::MAX; B], [NO_ARGMAX; B]);
    for row in rows.0..rows.1 {
        let first = row * width + cols.0;
        let line = &xt[first * c..(row * width + cols.1) * c];
        for (i, cell) in line.chunks_exact(c).enumerate() {
            let v: &[f32; B] = cell[ch..ch + B].try_into().expect("internal: B values");
            let at = A::encode(row, cols.0 + i, rows.0, cols.0, width);
            for l in 0..B {
                let better = v[l] > best[l];
                best[l] = if better { v[l] } else { best[l] };
                // A bit mask, not `if better { at } else { .. }`: with that the compiler moved
                // each lane's flag to a scalar register and chose with 16 cmovs, 2x slower.
                let mask = (better as u32).wrapping_neg();
                best_at[l] = (at & mask) | (best_at[l] & !mask);
            }
        }
    }
    (best, best_at)
}

/// Forward kernel: output `[K, C, ph, pw]` and the argmax of every output ([`ArgmaxCell::NONE`]
/// for an empty bin). Parallel over RoIs, each writing its own `[C, ph, pw]` block with
/// [`pool_roi`], in the widest vector instructions the CPU has.
fn pool_forward<A: ArgmaxCell>(
    dims: [usize; 4],
    grids: &[RoiGrid],
    bins: usize,
    xt: &[f32],
) -> (Vec<f32>, Vec<A>) {
    let [_, c, h, w] = dims;
    let per_roi = c * bins;
    let mut out = vec![0.0; grids.len() * per_roi];
    let mut argmax = vec![A::NONE; out.len()];
    let simd = Simd::detect();
    out.par_chunks_mut(per_roi)
        .zip(argmax.par_chunks_mut(per_roi))
        .zip(grids)
        .for_each(|((out, argmax), grid)| {
            let xt = &xt[grid.batch * h * w * c..(grid.batch + 1) * h * w * c];
            let roi = RoiOutput { out, argmax };
            match simd {
                // SAFETY: `Simd::detect` found the instructions these functions are compiled for.
                #[cfg(target_arch = "x86_64")]
                Simd::Avx512 => unsafe { pool_roi_avx512(xt, c, w, grid, roi) },
                #[cfg(target_arch = "x86_64")]
                Simd::Avx2 => unsafe { pool_roi_avx2(xt, c, w, grid, roi) },
                Simd::Baseline => pool_roi::<A, 16>(xt, c, w, grid, roi),
            }
        });
    (out, argmax)
}

/// The vector instructions [`pool_forward`] runs with, found at run time: fovea is built for
/// baseline x86-64 (4-wide SSE2), and the bin maxima run about 3x faster 16 lanes wide.
#[derive(Clone, Copy)]
enum Simd {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Baseline,
}

impl Simd {
    fn detect() -> Simd {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Simd::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Simd::Avx2;
            }
        }
        Simd::Baseline
    }
}

/// One RoI's `[C, bins]` block of the output and of the argmax.
struct RoiOutput<'a, A> {
    out: &'a mut [f32],
    argmax: &'a mut [A],
}

/// [`pool_roi`] compiled for AVX-512: 64 channels a block, four 16-lane registers.
///
/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn pool_roi_avx512<A: ArgmaxCell>(
    xt: &[f32],
    c: usize,
    w: usize,
    grid: &RoiGrid,
    roi: RoiOutput<'_, A>,
) {
    pool_roi::<A, 64>(xt, c, w, grid, roi)
}

/// [`pool_roi`] compiled for AVX2: 32 channels a block, four 8-lane registers.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn pool_roi_avx2<A: ArgmaxCell>(
    xt: &[f32],
    c: usize,
    w: usize,
    grid: &RoiGrid,
    roi: RoiOutput<'_, A>,
) {
    pool_roi::<A, 32>(xt, c, w, grid, roi)
}

/// One RoI of the forward pass over its image's channels-last features `xt` (`[H, w, c]`): for
/// each block of `B` channels, every bin's maxima with [`bin_block`] (four independent vector
/// registers' worth of channels hide the compare-blend latency), collected bin-major and then
/// written out channel-major, one contiguous row of `bins` values per channel. Channels past the
/// last whole block go one at a time.
#[inline(always)]
fn pool_roi<A: ArgmaxCell, const B: usize>(
    xt: &[f32],
    c: usize,
    w: usize,
    grid: &RoiGrid,
    roi: RoiOutput<'_, A>,
) {
    let RoiOutput { out, argmax } = roi;
    let bins = grid.rows.len() * grid.cols.len();
    let mut values = vec![[0.0; B]; bins];
    let mut cells = vec![[NO_ARGMAX; B]; bins];
    let mut ch = 0;
    while ch < c {
        let lanes = if ch + B <= c { B } else { 1 };
        for (bin, span) in grid.bins().enumerate() {
            let ((h0, h1), (w0, w1)) = span;
            if h1 <= h0 || w1 <= w0 {
                // An empty bin outputs 0 and has no argmax.
                (values[bin], cells[bin]) = ([0.0; B], [NO_ARGMAX; B]);
            } else if lanes == B {
                (values[bin], cells[bin]) = bin_block::<A, B>(xt, c, w, span, ch);
            } else {
                let ([v], [a]) = bin_block::<A, 1>(xt, c, w, span, ch);
                (values[bin][0], cells[bin][0]) = (v, a);
            }
        }
        for l in 0..lanes {
            let row = (ch + l) * bins..(ch + l + 1) * bins;
            for ((o, a), (v, at)) in out[row.clone()]
                .iter_mut()
                .zip(&mut argmax[row])
                .zip(values.iter().zip(&cells))
            {
                (*o, *a) = (v[l], A::store(at[l]));
            }
        }
        ch += lanes;
    }
}

/// Feature planes per task of the backward kernel: enough tasks for the threads, and per RoI
/// one contiguous run of `BACKWARD_CHANNELS · bins` gradients and argmaxima to read.
const BACKWARD_CHANNELS: usize = 16;

/// Backward kernel: each output gradient added at its argmax. `origins` holds the plane index of
/// every bin's top-left cell, `[K, bins]`. Parallel over blocks of the feature gradient's
/// planes: each plane is owned by one task, which visits the RoIs of its image in order, so
/// there are no atomics and every gradient sums in the same order (RoI, then bin, as
/// torchvision) whatever the number of threads.
fn pool_backward<A: ArgmaxCell>(
    dims: [usize; 4],
    rois_by_image: &[Vec<usize>],
    bins: usize,
    origins: &[usize],
    argmax: &[A],
    dy: &[f32],
) -> Vec<f32> {
    let [n, c, h, w] = dims;
    let hw = h * w;
    let mut dx = vec![0.0; n * c * hw];
    dx.par_chunks_mut(c * hw)
        .enumerate()
        .for_each(|(image, planes)| {
            planes
                .par_chunks_mut(BACKWARD_CHANNELS * hw)
                .enumerate()
                .for_each(|(block, planes)| {
                    let channels = planes.len() / hw;
                    for &k in &rois_by_image[image] {
                        let origins = &origins[k * bins..(k + 1) * bins];
                        let at = (k * c + block * BACKWARD_CHANNELS) * bins;
                        let args = &argmax[at..at + channels * bins];
                        let grads = &dy[at..at + channels * bins];
                        for (plane, (args, grads)) in planes
                            .chunks_exact_mut(hw)
                            .zip(args.chunks_exact(bins).zip(grads.chunks_exact(bins)))
                        {
                            for ((&a, &g), &origin) in args.iter().zip(grads).zip(origins) {
                                if a != A::NONE {
                                    plane[a.plane_index(origin, w)] += g;
                                }
                            }
                        }
                    }
                });
        });
    dx
}

/// The recorded RoI pooling: the argmax of every output, where each bin starts and which RoIs
/// lie on which image.
struct RoiPoolOp {
    dims: [usize; 4],
    rois_by_image: Vec<Vec<usize>>,
    bins: usize,
    /// Plane index of every bin's top-left cell, `[K, bins]`.
    origins: Vec<usize>,
    argmax: Argmax,
}

impl Op for RoiPoolOp {
    fn name(&self) -> &str {
        "roi_pool"
    }

    fn backward(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let dy = grad.contiguous_data();
        let (by_image, origins) = (&self.rois_by_image, &self.origins);
        let dx = match &self.argmax {
            Argmax::Packed(a) => pool_backward(self.dims, by_image, self.bins, origins, a, &dy),
            Argmax::Plane(a) => pool_backward(self.dims, by_image, self.bins, origins, a, &dy),
        };
        Ok(vec![Some(Tensor::from_vec(dx, &self.dims)?)])
    }
}

/// RoI pooling on checked inputs (shared by [`roi_pool`] and [`spp_per_roi`]).
fn roi_pool_checked(
    features: &Var,
    inputs: &RoiInputs,
    output_size: [usize; 2],
    scale: f32,
) -> Result<Var> {
    let [_, c, h, w] = inputs.dims;
    let grids: Vec<RoiGrid> = inputs
        .boxes
        .iter()
        .map(|b| {
            let [x1, y1, x2, y2] = b.corners;
            RoiGrid {
                batch: b.batch,
                rows: bin_ranges(y1, y2, scale, output_size[0], h),
                cols: bin_ranges(x1, x2, scale, output_size[1], w),
            }
        })
        .collect();
    let bins = output_size[0] * output_size[1];
    let origins = grids
        .iter()
        .flat_map(|g| g.bins().map(|((h0, _), (w0, _))| h0 * w + w0))
        .collect();
    let small = |spans: &[(usize, usize)]| spans.iter().all(|&(a, b)| b.saturating_sub(a) <= 15);
    let packed = grids.iter().all(|g| small(&g.rows) && small(&g.cols));
    let xt = channels_last(inputs.dims, &features.value().contiguous_data());
    let (out, argmax) = if packed {
        let (out, a) = pool_forward::<u8>(inputs.dims, &grids, bins, &xt);
        (out, Argmax::Packed(a))
    } else {
        let (out, a) = pool_forward::<u32>(inputs.dims, &grids, bins, &xt);
        (out, Argmax::Plane(a))
    };
    let out = Tensor::from_vec(out, &[grids.len(), c, output_size[0], output_size[1]])?;
    let op = RoiPoolOp {
        dims: inputs.dims,
        rois_by_image: inputs.rois_by_image(),
        bins,
        origins,
        argmax,
    };
    Ok(Var::from_op(out, &[features], op))
}

/// RoI max pooling (Fast R-CNN, <https://arxiv.org/abs/1504.08083>): each box is cut into
/// `ph × pw` bins and every bin outputs the maximum of the feature cells it covers, per channel.
///
/// The bins follow torchvision's kernel, computed in f32 as there: the box corners are scaled
/// and rounded (half away from zero) to cells `start`, `end`; the RoI spans
/// `size = max(end − start + 1, 1)` cells (so a degenerate or reversed box is one cell), each bin
/// `size/pooled` cells (a float); bin i covers `[floor(i·bin), ceil((i+1)·bin))` from `start`,
/// clipped to the map. Bins may overlap by one cell. An empty bin (its box outside the map)
/// outputs 0 and gets no gradient. Ties: the first maximum in row-major order wins and receives
/// the whole gradient. Gradients from overlapping bins and RoIs add up. The boxes are data and
/// get no gradient (torchvision gives none either).
///
/// PyTorch equivalent: `torchvision.ops.roi_pool(features, boxes, output_size, spatial_scale)`.
///
/// # Shapes
/// features `[N, C, H, W]`, boxes `[K, 5]` (batch index, x1, y1, x2, y2) → `[K, C, ph, pw]`.
/// `K = 0` gives an empty `[0, C, ph, pw]` output, as in torchvision.
///
/// # Errors
/// [`Error::InvalidShape`] when the features are not 4-d or are empty, or the boxes are not
/// `[K, 5]`; [`Error::InvalidArgument`] for a zero output size, a spatial scale that is not
/// positive and finite, a non-finite box value, or a batch index that is not an integer in
/// `0..N`.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{RoiPoolOptions, roi_pool};
/// use fovea_tensor::Tensor;
/// let x = Var::parameter(Tensor::arange(0.0, 16.0, 1.0)?.reshape(&[1, 1, 4, 4])?);
/// let boxes = Tensor::from_vec(vec![0.0, 0.0, 0.0, 3.0, 3.0], &[1, 5])?;
/// let y = roi_pool(&x, &boxes, &RoiPoolOptions::new([2, 2], 1.0))?;
/// assert_eq!(y.value().to_vec(), vec![5.0, 7.0, 13.0, 15.0]);
/// let g = y.sum_all().backward()?;
/// assert_eq!(g.get(&x).unwrap().to_vec()[5], 1.0); // the argmax of the first bin
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn roi_pool(features: &Var, boxes: &Tensor, options: &RoiPoolOptions) -> Result<Var> {
    options.validate("roi_pool")?;
    let inputs = RoiInputs::new("roi_pool", &features.shape(), boxes)?;
    roi_pool_checked(
        features,
        &inputs,
        options.output_size,
        options.spatial_scale,
    )
}

/// Pyramid levels and scale of [`spp_per_roi`]; the default is SPP-net's levels `[4, 2, 1]`
/// (21 bins per channel) at scale 1.
///
/// # Example
/// ```
/// use fovea_layers::functional::SppPerRoiOptions;
/// let o = SppPerRoiOptions::default().with_spatial_scale(1.0 / 16.0);
/// assert_eq!((o.levels.as_slice(), o.spatial_scale), (&[4, 2, 1][..], 0.0625));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SppPerRoiOptions {
    /// Grid sizes n of the levels: level n pools each RoI into n × n bins.
    pub levels: Vec<usize>,
    /// Factor from image coordinates (the boxes) to feature-map coordinates.
    pub spatial_scale: f32,
}

impl Default for SppPerRoiOptions {
    fn default() -> Self {
        SppPerRoiOptions {
            levels: vec![4, 2, 1],
            spatial_scale: 1.0,
        }
    }
}

impl SppPerRoiOptions {
    /// Sets the pyramid levels.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::SppPerRoiOptions::default().with_levels(vec![6, 3, 2, 1]);
    /// assert_eq!(o.bins_per_channel(), 50);
    /// ```
    pub fn with_levels(mut self, levels: Vec<usize>) -> Self {
        self.levels = levels;
        self
    }

    /// Sets the spatial scale.
    ///
    /// # Example
    /// ```
    /// let o = fovea_layers::functional::SppPerRoiOptions::default().with_spatial_scale(0.5);
    /// assert_eq!(o.spatial_scale, 0.5);
    /// ```
    pub fn with_spatial_scale(mut self, spatial_scale: f32) -> Self {
        self.spatial_scale = spatial_scale;
        self
    }

    /// Σ n² over the levels: the output length per channel.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_layers::functional::SppPerRoiOptions::default().bins_per_channel(), 21);
    /// ```
    pub fn bins_per_channel(&self) -> usize {
        self.levels.iter().map(|n| n * n).sum()
    }

    /// Rejects no levels, a zero level and a scale that is not positive and finite.
    pub(crate) fn validate(&self, op: &str) -> Result<()> {
        if self.levels.is_empty() || self.levels.contains(&0) {
            return Err(Error::invalid_argument(
                op,
                format!(
                    "levels must be a non-empty list of positive sizes, got {:?}",
                    self.levels
                ),
            ));
        }
        check_spatial_scale(op, self.spatial_scale)
    }
}

/// Spatial pyramid pooling over each RoI (SPP-net, <https://arxiv.org/abs/1406.4729>, §3.2 for
/// detection): for every box and every level n, n × n max pooling over the box's window, each
/// level flattened channel-major (`[C, n, n]` → `C·n²`) and the levels concatenated in order.
///
/// Each level is exactly [`roi_pool`] with output `[n, n]` (same window rounding, same bins, same
/// tie rule), so gradients add up over overlapping RoIs and over levels.
///
/// PyTorch equivalent: none built in; `torch.cat([roi_pool(x, boxes, n, scale).flatten(1) for n
/// in levels], 1)`.
///
/// # Shapes
/// features `[N, C, H, W]`, boxes `[K, 5]` → `[K, C·Σn²]` (`[K, 21·C]` for the default levels).
///
/// # Errors
/// As [`roi_pool`], named `spp_per_roi`; [`Error::InvalidArgument`] for no levels or a zero
/// level.
///
/// # Example
/// ```
/// use fovea_autograd::Var;
/// use fovea_layers::functional::{SppPerRoiOptions, spp_per_roi};
/// use fovea_tensor::Tensor;
/// let x = Var::parameter(Tensor::arange(0.0, 32.0, 1.0)?.reshape(&[1, 2, 4, 4])?);
/// let boxes = Tensor::from_vec(vec![0.0, 0.0, 0.0, 3.0, 3.0], &[1, 5])?;
/// let y = spp_per_roi(&x, &boxes, &SppPerRoiOptions::default())?;
/// assert_eq!(y.shape(), vec![1, 42]);
/// // Level 1 (the last 2 values) is the maximum of each channel's window.
/// assert_eq!(&y.value().to_vec()[40..], &[15.0, 31.0]);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn spp_per_roi(features: &Var, boxes: &Tensor, options: &SppPerRoiOptions) -> Result<Var> {
    options.validate("spp_per_roi")?;
    let inputs = RoiInputs::new("spp_per_roi", &features.shape(), boxes)?;
    let [k, c] = [inputs.boxes.len(), inputs.dims[1]];
    let levels = options
        .levels
        .iter()
        .map(|&n| {
            roi_pool_checked(features, &inputs, [n, n], options.spatial_scale)?
                .reshape(&[k, c * n * n])
        })
        .collect::<Result<Vec<Var>>>()?;
    Var::concat(&levels.iter().collect::<Vec<_>>(), 1)
}
