//! Connected-component labelling of binary images stored as padded row-major 0/1 grids: the
//! foreground with 4-connectivity, the background with 8-connectivity (the pairing that keeps
//! digital topology consistent, and the one the warping and Rand errors use).

use ndarray::ArrayView2;

/// A binary image with a 1-pixel border of background (0) around it, row-major.
pub(crate) struct PaddedGrid {
    /// 0 or 1 per pixel, `(rows + 2) * stride` entries.
    pub cells: Vec<u8>,
    /// Row length including the border: `cols + 2`.
    pub stride: usize,
    /// Image rows (without border).
    pub rows: usize,
    /// Image columns (without border).
    pub cols: usize,
}

impl PaddedGrid {
    /// Binarises `image` with `value > threshold` (a value at the threshold is background).
    pub fn binarize(image: ArrayView2<f32>, threshold: f32) -> Self {
        let (rows, cols) = image.dim();
        let stride = cols + 2;
        let mut cells = vec![0u8; (rows + 2) * stride];
        for (r, row) in image.rows().into_iter().enumerate() {
            let base = (r + 1) * stride + 1;
            for (c, &v) in row.iter().enumerate() {
                cells[base + c] = (v > threshold) as u8;
            }
        }
        PaddedGrid {
            cells,
            stride,
            rows,
            cols,
        }
    }

    /// Flat index of image pixel `(row, col)`.
    #[inline]
    pub fn index(&self, row: usize, col: usize) -> usize {
        (row + 1) * self.stride + col + 1
    }

    /// Image coordinates of flat index `i`.
    #[inline]
    pub fn coords(&self, i: usize) -> (usize, usize) {
        (i / self.stride - 1, i % self.stride - 1)
    }

    /// Labels the cells equal to `value`: 0 for other cells, 1.. for components. With `eight`,
    /// diagonal neighbours connect; the border takes part (it is background).
    pub fn label(&self, value: u8, eight: bool) -> (Vec<u32>, u32) {
        let s = self.stride as isize;
        let four = [-s, -1, 1, s];
        let all = [-s - 1, -s, -s + 1, -1, 1, s - 1, s, s + 1];
        let offsets: &[isize] = if eight { &all } else { &four };
        let n = self.cells.len();
        let mut labels = vec![0u32; n];
        let mut next = 0u32;
        let mut stack = Vec::new();
        for start in 0..n {
            if self.cells[start] != value || labels[start] != 0 {
                continue;
            }
            next += 1;
            labels[start] = next;
            stack.push(start);
            while let Some(i) = stack.pop() {
                for &o in offsets {
                    let j = i as isize + o;
                    // Out-of-grid neighbours exist only for border cells: skip them.
                    if j < 0 || j as usize >= n {
                        continue;
                    }
                    let j = j as usize;
                    let (ci, cj) = (i % self.stride, j % self.stride);
                    if ci.abs_diff(cj) > 1 {
                        continue; // wrapped around a row end
                    }
                    if self.cells[j] == value && labels[j] == 0 {
                        labels[j] = next;
                        stack.push(j);
                    }
                }
            }
        }
        (labels, next)
    }
}
