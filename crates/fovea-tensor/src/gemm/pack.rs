//! Packing: copying blocks of A and B into the panel layouts the micro-kernel streams through.
//!
//! A is packed whole, once, into [`PackedA`] (for a convolution the weights are packed once per
//! call and reused for every image). B is packed block by block by whatever implements
//! [`PackB`], or read in place when it is row-major ([`RowMajorB`]): a convolution's im2col
//! matrix is written once and read straight from L2, with no second copy.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::kernel::{MR, NR};

/// Depth of one block of [`crate::gemm_taps`]: one B panel (`KC × NR`, 36 KiB), read through
/// the taps of a padded image, stays in L1 while the A panels of a block stream past it.
///
/// # Example
/// ```
/// assert!(fovea_tensor::KC * fovea_tensor::NR * 4 <= 48 * 1024); // one B panel fits L1
/// ```
pub const KC: usize = 192;
/// Rows of A per block of [`crate::gemm_taps`]: `MC × KC` (192 KiB) stays in L2.
///
/// # Example
/// ```
/// assert_eq!(fovea_tensor::MC % fovea_tensor::MR, 0); // whole panels
/// ```
pub const MC: usize = 256;
/// Columns of C per block of [`crate::gemm_taps`] (22 panels).
///
/// # Example
/// ```
/// assert_eq!(fovea_tensor::NC % fovea_tensor::NR, 0); // whole panels
/// ```
pub const NC: usize = 22 * NR;

/// Depth of one block of [`crate::gemm_packed`] (and of [`PackedA::new`]): the driver keeps
/// one A panel (`MR × PACKED_KC`, 16 KiB) in L1 and streams the B panels of a block past it
/// from L2, the order BLIS uses for a kernel that broadcasts A. A deeper block means fewer
/// passes over C: GEMM 1024³ on 1 thread 13.2 → 12.5 ms (5 alternating runs) against KC's
/// order and depth.
pub(crate) const PACKED_KC: usize = 512;
/// Width of one B block in that order: `PACKED_KC × PACKED_NC` (960 KiB) stays in L2.
pub(crate) const PACKED_NC: usize = 10 * NR;
/// Depth of one block of [`crate::gemm`], which reads a row-major A in place and packs A's
/// other layouts itself: twice [`PACKED_KC`], so that a product up to 1024 deep writes C once
/// instead of reading and writing it again for every 512 of the shared axis. The A panel read
/// in place is then 32 KiB and B blocks are narrower ([`GEMM_NC`]). GEMM 1024³ against
/// 512-deep, 10-panel blocks, 40 calls alternating call by call, medians of 6 runs on 2
/// threads: 6.23–6.44 → 6.03–6.21 ms (faster in all 6), 3 runs on 1 thread: 12.17–12.57 →
/// 11.83–12.21 ms (all 3); 2048 deep was no faster than 1024.
pub(crate) const GEMM_KC: usize = 1024;
/// Width of one B block of [`crate::gemm`]: `GEMM_KC × GEMM_NC` is 576 KiB. Three panels were
/// faster than five (960 KiB, the budget of [`PACKED_NC`]) although A is read once per block:
/// a smaller block leaves more of L2 to A's panels and C's tiles (1024³ on 2 threads, medians
/// of 6 runs: 6.03–6.21 ms with three, 6.14–6.57 with five).
pub(crate) const GEMM_NC: usize = 3 * NR;

/// A `Vec<f32>` whose usable slice starts on a 64-byte boundary, so that the kernel's 16-lane
/// loads never straddle two cache lines. [`crate::gemm_packed`] packs B into it; keep one per
/// thread and pass it to every call to avoid reallocating.
///
/// # Example
/// ```
/// use fovea_tensor::{AlignedBuf, PackedA, gemm_packed};
/// let a = ndarray::Array2::<f32>::ones((2, 3));
/// let b = ndarray::Array2::<f32>::ones((3, 4));
/// let (packed, mut buf) = (PackedA::new(a.view()), AlignedBuf::default());
/// let mut c = [0.0f32; 8];
/// for _ in 0..2 {
///     gemm_packed(1.0, &packed, &b.view(), 0.0, &mut c, 4, &mut buf); // the buffer is reused
/// }
/// assert_eq!(c, [3.0; 8]);
/// ```
#[derive(Default, Debug)]
pub struct AlignedBuf {
    data: Vec<f32>,
    offset: usize,
    len: usize,
}

impl AlignedBuf {
    /// Resizes to `len` values (contents unspecified) and returns them.
    pub(crate) fn slice(&mut self, len: usize) -> &mut [f32] {
        if self.data.len() < len + 16 {
            self.data = vec![0.0; len + 16];
        }
        let addr = self.data.as_ptr() as usize;
        self.offset = (64 - addr % 64) % 64 / 4;
        self.len = len;
        &mut self.data[self.offset..self.offset + len]
    }

    fn get(&self) -> &[f32] {
        &self.data[self.offset..self.offset + self.len]
    }
}

/// The left operand of [`crate::gemm_packed`], packed once: `MR`-row panels in blocks 512 deep.
///
/// # Example
/// ```
/// use fovea_tensor::{PackedA, gemm_packed};
/// let a = ndarray::array![[1.0f32, 2.0], [3.0, 4.0]];
/// let packed = PackedA::new(a.view());
/// assert_eq!((packed.rows(), packed.depth()), (2, 2));
/// let mut c = [0.0f32; 4];
/// gemm_packed(1.0, &packed, &a.view(), 0.0, &mut c, 2, &mut Default::default());
/// assert_eq!(c, [7.0, 10.0, 15.0, 22.0]);
/// ```
#[derive(Debug)]
pub struct PackedA {
    buf: AlignedBuf,
    m: usize,
    k: usize,
    panels: usize,
    /// Depth of the packed blocks: [`PACKED_KC`], or a multiple of the channels for taps.
    kc: usize,
}

impl PackedA {
    /// Packs `a` (`m × k`, any strides, transposed views included).
    ///
    /// # Example
    /// ```
    /// let a = ndarray::Array2::<f32>::ones((3, 5));
    /// assert_eq!(fovea_tensor::PackedA::new(a.t()).rows(), 5);
    /// ```
    pub fn new(a: ArrayView2<f32>) -> PackedA {
        Self::with_depth(AlignedBuf::default(), a, PACKED_KC, true)
    }

    /// Packs `a` into `buf` (reused storage) in blocks `kc` deep; with `split`, a large A is
    /// packed by every thread of the pool.
    pub(crate) fn with_depth(
        buf: AlignedBuf,
        a: ArrayView2<f32>,
        kc: usize,
        split: bool,
    ) -> PackedA {
        let mut packed = PackedA {
            buf,
            m: 0,
            k: 0,
            panels: 0,
            kc,
        };
        packed.pack(a, split);
        packed
    }

    /// The storage, for reuse.
    pub(crate) fn into_buffer(self) -> AlignedBuf {
        self.buf
    }

    /// Packs `a` in place of the current contents, reusing the buffer.
    ///
    /// # Example
    /// ```
    /// let mut packed = fovea_tensor::PackedA::new(ndarray::Array2::<f32>::ones((3, 5)).view());
    /// packed.repack(ndarray::Array2::<f32>::ones((2, 4)).view());
    /// assert_eq!((packed.rows(), packed.depth()), (2, 4));
    /// ```
    pub fn repack(&mut self, a: ArrayView2<f32>) {
        self.pack(a, true)
    }

    /// [`PackedA::repack`]; with `split`, a large A is packed by every thread of the pool.
    fn pack(&mut self, a: ArrayView2<f32>, split: bool) {
        let (m, k) = a.dim();
        let panels = m.div_ceil(MR);
        let dst = self.buf.slice(panels * MR * k);
        let (rs, cs) = (a.strides()[0], a.strides()[1]);
        let pack_panel = |k0: usize, kc: usize, p: usize, block: &mut [f32]| {
            let rows = MR.min(m - p * MR);
            if rows < MR {
                block.fill(0.0);
            }
            if cs == 1 && rows == MR {
                // Row-major, a full panel: 8×8 blocks transposed in registers.
                let src: [&[f32]; MR] = std::array::from_fn(|r| {
                    let row = a.row(p * MR + r).to_slice().expect("unit column stride");
                    &row[k0..k0 + kc]
                });
                transpose_rows(&src, block);
            } else if cs == 1 {
                // Row-major: each row of the panel is a contiguous run.
                for r in 0..rows {
                    let row = a.row(p * MR + r);
                    let row = &row.to_slice().expect("unit column stride")[k0..k0 + kc];
                    for (kk, &v) in row.iter().enumerate() {
                        block[kk * MR + r] = v;
                    }
                }
            } else if rs == 1 {
                // Column-major (a transposed view): each k holds MR consecutive values.
                for kk in 0..kc {
                    let col = a.column(k0 + kk);
                    let col = col.to_slice().expect("unit row stride");
                    block[kk * MR..kk * MR + rows].copy_from_slice(&col[p * MR..p * MR + rows]);
                }
            } else {
                for r in 0..rows {
                    let row = a.row(p * MR + r);
                    for kk in 0..kc {
                        block[kk * MR + r] = row[k0 + kk];
                    }
                }
            }
        };
        // A large A is packed by every thread of the pool (it would otherwise be the serial
        // part of a parallel product).
        let parallel = split && m * k >= 1 << 16 && rayon::current_num_threads() > 1;
        for k0 in (0..k).step_by(self.kc) {
            let kc = self.kc.min(k - k0);
            let block = &mut dst[k0 * panels * MR..(k0 + kc) * panels * MR];
            if parallel {
                block
                    .par_chunks_mut(kc * MR)
                    .enumerate()
                    .for_each(|(p, panel)| pack_panel(k0, kc, p, panel));
            } else {
                for (p, panel) in block.chunks_mut(kc * MR).enumerate() {
                    pack_panel(k0, kc, p, panel);
                }
            }
        }
        (self.m, self.k, self.panels) = (m, k, panels);
    }

    /// Rows of A (m).
    ///
    /// # Example
    /// ```
    /// let a = ndarray::Array2::<f32>::ones((3, 5));
    /// assert_eq!(fovea_tensor::PackedA::new(a.view()).rows(), 3);
    /// ```
    pub fn rows(&self) -> usize {
        self.m
    }

    /// Columns of A (k, the depth of the product).
    ///
    /// # Example
    /// ```
    /// let a = ndarray::Array2::<f32>::ones((3, 5));
    /// assert_eq!(fovea_tensor::PackedA::new(a.view()).depth(), 5);
    /// ```
    pub fn depth(&self) -> usize {
        self.k
    }

    pub(crate) fn panels(&self) -> usize {
        self.panels
    }

    /// Depth of the packed blocks.
    pub(crate) fn block_depth(&self) -> usize {
        self.kc
    }

    /// Panel `p` of the block starting at depth `k0` (`kc` deep).
    pub(crate) fn panel(&self, k0: usize, kc: usize, p: usize) -> &[f32] {
        let start = k0 * self.panels * MR + p * kc * MR;
        &self.buf.get()[start..start + kc * MR]
    }
}

/// Writes `src[r][k]` to `dst[k·MR + r]` for every row r and k: an A panel from MR row-major
/// rows. With AVX each 8×8 block is transposed in registers (eight loads, 24 shuffles, eight
/// stores); for the plain loop the compiler moved one value at a time through the stack.
fn transpose_rows(src: &[&[f32]; MR], dst: &mut [f32]) {
    let kc = src[0].len();
    assert!(
        src.iter().all(|row| row.len() == kc) && dst.len() >= kc * MR,
        "transpose_rows: {MR} rows of {kc} values into {} values",
        dst.len()
    );
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        done = kc / 8 * 8;
        // SAFETY: AVX was detected; every row holds kc ≥ done values and dst kc·MR (checked).
        unsafe { transpose_blocks_avx(src, done, dst) };
    }
    for k in done..kc {
        for r in 0..MR {
            dst[k * MR + r] = src[r][k];
        }
    }
}

/// The 8×8 blocks of [`transpose_rows`] below depth `full` (a multiple of 8).
///
/// # Safety
/// The CPU must support AVX; every row of `src` holds at least `full` values and `dst` at
/// least `full·MR`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn transpose_blocks_avx(src: &[&[f32]; MR], full: usize, dst: &mut [f32]) {
    use std::arch::x86_64::*;
    const _: () = assert!(MR == 8, "one 8-lane vector per column of a panel");
    let out = dst.as_mut_ptr();
    for k in (0..full).step_by(8) {
        // SAFETY: k + 8 ≤ full: inside every row and inside dst (the caller's contract).
        unsafe {
            let r: [__m256; 8] = std::array::from_fn(|i| _mm256_loadu_ps(src[i].as_ptr().add(k)));
            // Rows interleaved in pairs (t), the pairs' 64-bit halves combined (s): each
            // 128-bit lane of s holds one column of four rows; the lanes of s and its
            // partner four rows down make one column of eight.
            let t0 = _mm256_unpacklo_ps(r[0], r[1]);
            let t1 = _mm256_unpackhi_ps(r[0], r[1]);
            let t2 = _mm256_unpacklo_ps(r[2], r[3]);
            let t3 = _mm256_unpackhi_ps(r[2], r[3]);
            let t4 = _mm256_unpacklo_ps(r[4], r[5]);
            let t5 = _mm256_unpackhi_ps(r[4], r[5]);
            let t6 = _mm256_unpacklo_ps(r[6], r[7]);
            let t7 = _mm256_unpackhi_ps(r[6], r[7]);
            let s = [
                _mm256_shuffle_ps::<0x44>(t0, t2),
                _mm256_shuffle_ps::<0xEE>(t0, t2),
                _mm256_shuffle_ps::<0x44>(t1, t3),
                _mm256_shuffle_ps::<0xEE>(t1, t3),
                _mm256_shuffle_ps::<0x44>(t4, t6),
                _mm256_shuffle_ps::<0xEE>(t4, t6),
                _mm256_shuffle_ps::<0x44>(t5, t7),
                _mm256_shuffle_ps::<0xEE>(t5, t7),
            ];
            for j in 0..4 {
                let low = _mm256_permute2f128_ps::<0x20>(s[j], s[j + 4]);
                let high = _mm256_permute2f128_ps::<0x31>(s[j], s[j + 4]);
                _mm256_storeu_ps(out.add((k + j) * MR), low);
                _mm256_storeu_ps(out.add((k + j + 4) * MR), high);
            }
        }
    }
}

/// A right operand that packs itself: `B[k0..k0+kc, j0..j0+nc]` as `NR`-wide panels.
///
/// Panel `t` covers columns `j0 + t·NR ..`; it holds `kc` rows of `NR` values, row after row,
/// with the columns past `nc` set to zero. `dst` has room for exactly `nc.div_ceil(NR)` panels.
/// [`crate::gemm_packed`] asks for blocks of at most 512 rows and 480 columns.
///
/// # Example
/// ```
/// use fovea_tensor::PackB;
/// let b = ndarray::array![[1.0f32, 2.0], [3.0, 4.0]];
/// let view = b.view();
/// assert_eq!((view.depth(), view.width()), (2, 2));
/// let mut dst = vec![9.0; 2 * 48];
/// view.pack_b(0, 2, 1, 1, &mut dst);
/// assert_eq!((dst[0], dst[1], dst[48]), (2.0, 0.0, 4.0));
/// ```
pub trait PackB: Sync {
    /// Rows of B (the depth k of the product).
    fn depth(&self) -> usize;
    /// Columns of B (n).
    fn width(&self) -> usize;
    /// Writes the block as described on the trait.
    fn pack_b(&self, k0: usize, kc: usize, j0: usize, nc: usize, dst: &mut [f32]);
    /// B's own storage and row stride when the kernel may read it without packing (row-major,
    /// unit column stride); `None` (the default) means always pack.
    fn in_place(&self) -> Option<(&[f32], usize)> {
        None
    }
}

/// A row-major matrix that the kernel reads in place, without packing: what a convolution
/// hands the GEMM after writing its im2col matrix. Choose a row stride that is not a multiple
/// of 1024 (4 KiB): rows that far apart share an L1 set and evict each other.
///
/// # Example
/// ```
/// use fovea_tensor::{PackB, RowMajorB};
/// let data = [1.0f32, 2.0, 0.0, 3.0, 4.0, 0.0]; // 2 x 2 with row stride 3
/// let b = RowMajorB::new(&data, 2, 2, 3)?;
/// assert_eq!((b.depth(), b.width()), (2, 2));
/// assert!(RowMajorB::new(&data, 3, 2, 3).is_err());
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RowMajorB<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    stride: usize,
}

impl<'a> RowMajorB<'a> {
    /// `rows × cols` values, row `r` starting at `data[r·stride]`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidShape`] when `stride < cols` or `data` is too short.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_tensor::RowMajorB::new(&[0.0; 6], 2, 3, 3).is_ok());
    /// ```
    pub fn new(data: &'a [f32], rows: usize, cols: usize, stride: usize) -> crate::Result<Self> {
        if stride < cols || (rows > 0 && data.len() < (rows - 1) * stride + cols) {
            return Err(crate::Error::invalid_shape(
                "gemm",
                format!(
                    "{} values cannot hold {rows} rows of {cols} at stride {stride}",
                    data.len()
                ),
                &[rows, cols],
            ));
        }
        Ok(RowMajorB {
            data,
            rows,
            cols,
            stride,
        })
    }
}

impl PackB for RowMajorB<'_> {
    fn depth(&self) -> usize {
        self.rows
    }

    fn width(&self) -> usize {
        self.cols
    }

    fn pack_b(&self, k0: usize, kc: usize, j0: usize, nc: usize, dst: &mut [f32]) {
        for (t, panel) in dst.chunks_exact_mut(kc * NR).enumerate() {
            let c0 = j0 + t * NR;
            let w = NR.min(j0 + nc - c0);
            for (kk, out) in panel.chunks_exact_mut(NR).enumerate() {
                let start = (k0 + kk) * self.stride + c0;
                out[..w].copy_from_slice(&self.data[start..start + w]);
                out[w..].fill(0.0);
            }
        }
    }

    fn in_place(&self) -> Option<(&[f32], usize)> {
        Some((self.data, self.stride))
    }
}

impl PackB for ArrayView2<'_, f32> {
    fn depth(&self) -> usize {
        self.dim().0
    }

    fn width(&self) -> usize {
        self.dim().1
    }

    fn pack_b(&self, k0: usize, kc: usize, j0: usize, nc: usize, dst: &mut [f32]) {
        for (t, panel) in dst.chunks_exact_mut(kc * NR).enumerate() {
            let c0 = j0 + t * NR;
            let w = NR.min(j0 + nc - c0);
            if self.strides()[1] == 1 {
                for kk in 0..kc {
                    let row = self.row(k0 + kk);
                    let src = row.as_slice().expect("unit column stride");
                    let out = &mut panel[kk * NR..(kk + 1) * NR];
                    out[..w].copy_from_slice(&src[c0..c0 + w]);
                    out[w..].fill(0.0);
                }
            } else {
                // Column-major (a transposed view): read down each column.
                for jj in 0..NR {
                    if jj < w {
                        let col = self.column(c0 + jj);
                        for kk in 0..kc {
                            panel[kk * NR + jj] = col[k0 + kk];
                        }
                    } else {
                        for kk in 0..kc {
                            panel[kk * NR + jj] = 0.0;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The register transpose and its one-value tail against the definition, on depths around
    /// the 8-wide blocks.
    #[test]
    fn transpose_rows_matches_definition() {
        for kc in [0, 1, 7, 8, 9, 23, 64] {
            let rows: Vec<Vec<f32>> = (0..MR)
                .map(|r| (0..kc).map(|k| (r * 100 + k) as f32).collect())
                .collect();
            let src: [&[f32]; MR] = std::array::from_fn(|r| rows[r].as_slice());
            let mut dst = vec![f32::NAN; kc * MR];
            transpose_rows(&src, &mut dst);
            for k in 0..kc {
                for r in 0..MR {
                    assert_eq!(dst[k * MR + r], rows[r][k], "kc {kc}: row {r}, depth {k}");
                }
            }
        }
    }
}
