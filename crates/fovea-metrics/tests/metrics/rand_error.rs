//! Rand error: hand-computed cases and a brute-force pair-counting oracle.

use fovea_metrics::{RandErrorOptions, rand_error, rand_error_stack, rand_score};
use ndarray::{Array2, Array3, array};
use rand::{Rng, SeedableRng, rngs::StdRng};

use super::helpers::{assert_close, image};

#[test]
fn identical_segmentations_score_one() {
    let label = image(&["##.##", "##.##", ".....", "#####"]);
    let r = rand_error(label.view(), label.view(), &RandErrorOptions::default()).unwrap();
    assert_eq!(r.error, 0.0);
    assert_eq!(r.scores.len(), 10);
}

#[test]
fn split_by_hand() {
    // One label object of 5 pixels; the prediction cuts it: pieces of 2 and 2, one boundary
    // pixel (a singleton). Σ_ij = 2² + 2² + 1 = 9, Σ_lab = 5² = 25, Σ_pred = 2² + 2² + 1 = 9.
    let label = array![[1.0f32, 1.0, 1.0, 1.0, 1.0]];
    let prediction = array![[1.0f32, 1.0, 0.0, 1.0, 1.0]];
    let s = rand_score(label.view(), prediction.view(), 0.5).unwrap();
    assert_close(s.precision, 1.0, "precision");
    assert_close(s.recall, 9.0 / 25.0, "recall");
    assert_close(s.f_score, 2.0 * 0.36 / 1.36, "F");
}

#[test]
fn merge_by_hand() {
    // Label objects of 3 and 1 pixels; the prediction merges them (and the boundary pixel,
    // which is outside the label's foreground and so ignored). Σ_ij = 3² + 1² = 10,
    // Σ_lab = 10, Σ_pred = 4² = 16.
    let label = array![[1.0f32, 1.0, 1.0, 0.0, 1.0]];
    let prediction = array![[1.0f32, 1.0, 1.0, 1.0, 1.0]];
    let s = rand_score(label.view(), prediction.view(), 0.5).unwrap();
    assert_close(s.precision, 10.0 / 16.0, "precision");
    assert_close(s.recall, 1.0, "recall");
}

#[test]
fn best_threshold_is_taken() {
    let label = array![[1.0f32, 1.0, 0.0, 1.0, 1.0]];
    // The boundary is predicted at 0.35: merged for thresholds below 0.35, right from 0.4.
    let prediction = array![[0.9f32, 0.8, 0.35, 0.7, 0.95]];
    let r = rand_error(
        label.view(),
        prediction.view(),
        &RandErrorOptions::default(),
    )
    .unwrap();
    assert_eq!(r.error, 0.0);
    assert_eq!(r.best.threshold, 0.4);
    assert!(r.scores[0].f_score < 1.0); // threshold 0.0: one merged object
    // At 0.9 only the 0.95 pixel stays object: the other label pixels become predicted
    // boundary singletons, so pairs the label keeps together are lost and recall drops.
    assert!(r.scores[9].recall < 1.0);
    assert_eq!(r.scores[9].precision, 1.0);
}

/// Brute force over ordered pixel pairs inside the label's objects: together in the label
/// (same object), together in the prediction (same object, or the same pixel).
fn oracle(label: &Array2<f32>, prediction: &Array2<f32>) -> (f64, f64) {
    let label_ids = components4(label);
    let pred_ids = components4(prediction);
    let inside: Vec<usize> = (0..label_ids.len())
        .filter(|&k| label_ids[k] != 0)
        .collect();
    let (mut both, mut in_label, mut in_pred) = (0f64, 0f64, 0f64);
    for &a in &inside {
        for &b in &inside {
            let l = label_ids[a] == label_ids[b];
            let p = a == b || (pred_ids[a] != 0 && pred_ids[a] == pred_ids[b]);
            both += (l && p) as u8 as f64;
            in_label += l as u8 as f64;
            in_pred += p as u8 as f64;
        }
    }
    (both / in_pred, both / in_label)
}

/// 4-connected object ids (0 = background), row-major.
fn components4(img: &Array2<f32>) -> Vec<usize> {
    let (h, w) = img.dim();
    let mut ids = vec![0usize; h * w];
    let mut next = 0;
    for start in 0..h * w {
        if img[[start / w, start % w]] <= 0.5 || ids[start] != 0 {
            continue;
        }
        next += 1;
        ids[start] = next;
        let mut stack = vec![start];
        while let Some(k) = stack.pop() {
            let (r, c) = (k / w, k % w);
            let mut push = |rr: usize, cc: usize| {
                let j = rr * w + cc;
                if img[[rr, cc]] > 0.5 && ids[j] == 0 {
                    ids[j] = next;
                    stack.push(j);
                }
            };
            if r > 0 {
                push(r - 1, c)
            }
            if r + 1 < h {
                push(r + 1, c)
            }
            if c > 0 {
                push(r, c - 1)
            }
            if c + 1 < w {
                push(r, c + 1)
            }
        }
    }
    ids
}

#[test]
fn matches_pair_counting_oracle() {
    let mut rng = StdRng::seed_from_u64(3);
    for _ in 0..5 {
        let label =
            Array2::from_shape_fn(
                (12, 14),
                |_| if rng.random_bool(0.7) { 1.0f32 } else { 0.0 },
            );
        let prediction =
            Array2::from_shape_fn(
                (12, 14),
                |_| if rng.random_bool(0.6) { 1.0f32 } else { 0.0 },
            );
        let s = rand_score(label.view(), prediction.view(), 0.5).unwrap();
        let (p, r) = oracle(&label, &prediction);
        assert_close(s.precision, p, "precision");
        assert_close(s.recall, r, "recall");
    }
}

#[test]
fn stack_averages_slices() {
    let mut label = Array3::<f32>::ones((2, 1, 5));
    label[[0, 0, 2]] = 0.0;
    let prediction = Array3::<f32>::ones((2, 1, 5));
    let options = RandErrorOptions::default().with_thresholds(vec![0.5]);
    let r = rand_error_stack(label.view(), prediction.view(), &options).unwrap();
    // Slice 0: merge of 2 + 2 → P = 8/16, R = 1, F = 2/3; slice 1: F = 1.
    assert_close(r.best.f_score, (2.0 / 3.0 + 1.0) / 2.0, "mean F");
    assert_close(r.error, 1.0 - 5.0 / 6.0, "error");
}

#[test]
fn label_without_objects_is_an_error() {
    let label = Array2::<f32>::zeros((3, 3));
    let err = rand_score(label.view(), label.view(), 0.5).unwrap_err();
    assert!(err.to_string().contains("no object pixel"), "{err}");
}
