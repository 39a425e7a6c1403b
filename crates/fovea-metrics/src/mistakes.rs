//! Classification of the disagreements left after warping into topological mistakes: split,
//! merge, hole added / deleted, object added / deleted.
//!
//! Every remaining disagreement is a non-simple pixel of the warped label. Flipping it to agree
//! with the prediction would change the topology, and how is read from its ring (the
//! topological numbers T4, T̄8) and from the connected components of the whole warped label
//! (foreground 4-connected, background 8-connected, background border):
//!
//! | label → prediction | condition | kind |
//! |---|---|---|
//! | background → object | no 4-neighbour in the object (T4 = 0) | [`MistakeKind::ObjectAdded`] |
//! | background → object | ring all object (T̄8 = 0): a 1-pixel hole is filled | [`MistakeKind::HoleDeleted`] |
//! | background → object | 4-neighbours in ≥ 2 different objects | [`MistakeKind::Merge`] |
//! | background → object | otherwise: one object closes around background | [`MistakeKind::HoleAdded`] |
//! | object → background | no 4-neighbour in the object (T4 = 0): a 1-pixel object | [`MistakeKind::ObjectDeleted`] |
//! | object → background | ring all object (T̄8 = 0): a 1-pixel hole is punched | [`MistakeKind::HoleAdded`] |
//! | object → background | the object falls apart | [`MistakeKind::Split`] |
//! | object → background | otherwise: two background regions join | [`MistakeKind::HoleDeleted`] |
//!
//! "Falls apart" is decided without a search: removing a pixel whose ring holds k object arcs
//! (and so k background arcs) that meet b distinct background components leaves the object in
//! k − b + 1 pieces (the Euler number changes by k − 1, shared between new object pieces and
//! joined background components). Fiji's `WarpingError.classifyMismatches2d` flips the pixel and
//! relabels instead; the classes are the same.

use crate::components::PaddedGrid;
use crate::simple_point::{ring_at, topological_numbers};

/// The kind of a topological mistake of the prediction relative to the (warped) label.
///
/// Fiji equivalent: the `WarpingError` flags `SPLIT`, `MERGE`, `HOLE_ADDITION`,
/// `HOLE_DELETION`, `OBJECT_ADDITION`, `OBJECT_DELETION`.
///
/// # Example
/// ```
/// use fovea_metrics::{warping_error, WarpingOptions, MistakeKind};
/// use ndarray::Array2;
/// // A one-pixel object the prediction misses.
/// let mut label = Array2::<f32>::zeros((5, 5));
/// label[[2, 2]] = 1.0;
/// let prediction = Array2::<f32>::zeros((5, 5));
/// let result = warping_error(label.view(), prediction.view(), &WarpingOptions::default())?;
/// assert_eq!(result.mistakes[0].kind, MistakeKind::ObjectDeleted);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MistakeKind {
    /// The prediction cuts a label object in two.
    Split,
    /// The prediction joins two label objects.
    Merge,
    /// The prediction has a hole (background enclosed by an object) the label lacks.
    HoleAdded,
    /// The prediction lacks a hole of the label.
    HoleDeleted,
    /// The prediction has an object the label lacks.
    ObjectAdded,
    /// The prediction lacks an object of the label.
    ObjectDeleted,
}

/// One disagreement left after warping, at image coordinates `(row, col)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mistake {
    /// Row of the pixel.
    pub row: usize,
    /// Column of the pixel.
    pub col: usize,
    /// What flipping it would do to the topology.
    pub kind: MistakeKind,
}

/// Number of remaining disagreements of each kind.
///
/// # Example
/// ```
/// let counts = fovea_metrics::MistakeCounts { split: 1, merge: 2, ..Default::default() };
/// assert_eq!(counts.total(), 3);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MistakeCounts {
    /// Pixels whose flip would split an object.
    pub split: usize,
    /// Pixels whose flip would merge objects.
    pub merge: usize,
    /// Pixels whose flip would add a hole.
    pub hole_added: usize,
    /// Pixels whose flip would delete a hole.
    pub hole_deleted: usize,
    /// Pixels whose flip would add an object.
    pub object_added: usize,
    /// Pixels whose flip would delete an object.
    pub object_deleted: usize,
}

impl MistakeCounts {
    /// Sum of all kinds: the number of remaining disagreements.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_metrics::MistakeCounts::default().total(), 0);
    /// ```
    pub fn total(&self) -> usize {
        self.split
            + self.merge
            + self.hole_added
            + self.hole_deleted
            + self.object_added
            + self.object_deleted
    }

    /// Counts `mistakes` by kind.
    ///
    /// # Example
    /// ```
    /// use fovea_metrics::{Mistake, MistakeCounts, MistakeKind};
    /// let m = [Mistake { row: 0, col: 0, kind: MistakeKind::Merge }];
    /// assert_eq!(MistakeCounts::from_mistakes(&m).merge, 1);
    /// ```
    pub fn from_mistakes(mistakes: &[Mistake]) -> Self {
        let mut c = MistakeCounts::default();
        for m in mistakes {
            match m.kind {
                MistakeKind::Split => c.split += 1,
                MistakeKind::Merge => c.merge += 1,
                MistakeKind::HoleAdded => c.hole_added += 1,
                MistakeKind::HoleDeleted => c.hole_deleted += 1,
                MistakeKind::ObjectAdded => c.object_added += 1,
                MistakeKind::ObjectDeleted => c.object_deleted += 1,
            }
        }
        c
    }
}

/// Distinct non-zero labels among `labels[i + o]` for the offsets; at most 8, so a small array.
fn distinct_labels(labels: &[u32], i: usize, offsets: &[isize]) -> usize {
    let mut seen = [0u32; 8];
    let mut n = 0;
    for &o in offsets {
        let l = labels[(i as isize + o) as usize];
        if l != 0 && !seen[..n].contains(&l) {
            seen[n] = l;
            n += 1;
        }
    }
    n
}

/// Classifies the disagreements at flat indices `remaining` of the warped label `grid`.
pub(crate) fn classify(grid: &PaddedGrid, remaining: &[usize]) -> Vec<Mistake> {
    if remaining.is_empty() {
        return Vec::new();
    }
    let (fg_labels, _) = grid.label(1, false);
    let (bg_labels, _) = grid.label(0, true);
    let s = grid.stride as isize;
    let four = [-s, -1, 1, s];
    let eight = [-s - 1, -s, -s + 1, -1, 1, s - 1, s, s + 1];
    remaining
        .iter()
        .map(|&i| {
            let (t4, t8) = topological_numbers(ring_at(&grid.cells, grid.stride, i));
            let kind = if grid.cells[i] == 0 {
                // Label background, prediction object: the prediction adds object here.
                if t4 == 0 {
                    MistakeKind::ObjectAdded
                } else if t8 == 0 {
                    MistakeKind::HoleDeleted
                } else if distinct_labels(&fg_labels, i, &four) >= 2 {
                    MistakeKind::Merge
                } else {
                    MistakeKind::HoleAdded
                }
            } else if t4 == 0 {
                MistakeKind::ObjectDeleted
            } else if t8 == 0 {
                MistakeKind::HoleAdded
            } else {
                // Object pieces left after removing the pixel: k − b + 1 (see module docs),
                // at least 2 exactly when k > b.
                let b = distinct_labels(&bg_labels, i, &eight);
                if t4 as usize > b {
                    MistakeKind::Split
                } else {
                    MistakeKind::HoleDeleted
                }
            };
            let (row, col) = grid.coords(i);
            Mistake { row, col, kind }
        })
        .collect()
}
