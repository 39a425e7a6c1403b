//! Known-answer warping cases (the list), invariants on random images, and the mistake
//! classes checked by flipping each mistake and recounting components.

use fovea_metrics::{
    MistakeKind, WarpingOptions, WarpingResult, pixel_error, warping_error, warping_error_masked,
    warping_error_stack,
};
use ndarray::{Array2, Array3, Axis};
use rand::{Rng, SeedableRng, rngs::StdRng};

use super::helpers::{count_components, image};

fn warp(label: &Array2<f32>, prediction: &Array2<f32>) -> WarpingResult {
    let result =
        warping_error(label.view(), prediction.view(), &WarpingOptions::default()).unwrap();
    let pixel = pixel_error(label.view(), prediction.view(), 0.5).unwrap();
    eprintln!(
        "warping {:.6} ({} mistakes: {:?}), pixel {:.6}, passes {}",
        result.error,
        result.mistakes.len(),
        result.counts,
        pixel,
        result.passes
    );
    result
}

/// Two objects split by a vertical boundary at column 4.
fn two_objects() -> Array2<f32> {
    image(&[
        "####.####",
        "####.####",
        "####.####",
        "####.####",
        "####.####",
        "####.####",
        "####.####",
        "####.####",
    ])
}

#[test]
fn boundary_shifted_over_part_of_its_length_costs_nothing() {
    let label = two_objects();
    let prediction = image(&[
        "####.####",
        "####.####",
        "#####.###",
        "#####.###",
        "#####.###",
        "#####.###",
        "####.####",
        "####.####",
    ]);
    let r = warp(&label, &prediction);
    assert_eq!(r.error, 0.0);
    assert!(r.mistakes.is_empty());
    assert_eq!(r.warped_label, prediction); // fully warped onto the prediction
    assert_eq!(
        pixel_error(label.view(), prediction.view(), 0.5).unwrap(),
        8.0 / 72.0
    );
}

#[test]
fn two_pixel_boundary_with_a_one_pixel_bump_costs_nothing() {
    let label = image(&["###..###", "###..###", "###..###", "###..###", "###..###"]);
    // Bump into the right object, and a dent narrowing the boundary to one pixel.
    let prediction = image(&["###..###", "###...##", "###..###", "###.####", "###..###"]);
    let r = warp(&label, &prediction);
    assert_eq!(r.error, 0.0);
    assert!(pixel_error(label.view(), prediction.view(), 0.5).unwrap() > 0.0);
}

#[test]
fn cutting_an_object_in_two_is_a_split() {
    let label = image(&[
        ".......", ".#####.", ".#####.", ".#####.", ".#####.", ".......",
    ]);
    let prediction = image(&[
        ".......", ".#####.", ".#####.", ".......", ".#####.", ".......",
    ]);
    let r = warp(&label, &prediction);
    // Four of the five cut pixels are simple (they only dent the object); the last would split.
    assert_eq!(r.mistakes.len(), 1);
    assert_eq!(r.mistakes[0].kind, MistakeKind::Split);
    assert_eq!(r.error, 1.0 / 42.0);
}

#[test]
fn bridging_a_boundary_gap_is_a_merge() {
    let label = two_objects();
    let mut prediction = label.clone();
    prediction[[3, 4]] = 1.0;
    let r = warp(&label, &prediction);
    assert_eq!(r.counts.merge, 1);
    assert_eq!(r.counts.total(), 1);
    assert_eq!((r.mistakes[0].row, r.mistakes[0].col), (3, 4));
    assert_eq!(r.error, 1.0 / 72.0);
}

#[test]
fn a_one_pixel_hole_in_the_prediction_is_a_hole_added() {
    let label = Array2::<f32>::ones((5, 5));
    let mut prediction = label.clone();
    prediction[[2, 2]] = 0.0;
    let r = warp(&label, &prediction);
    assert_eq!(r.counts.hole_added, 1);
    assert_eq!(r.error, 1.0 / 25.0);
}

#[test]
fn a_missed_one_pixel_object_is_an_object_deleted() {
    let mut label = Array2::<f32>::zeros((5, 5));
    label[[1, 3]] = 1.0;
    let prediction = Array2::<f32>::zeros((5, 5));
    let r = warp(&label, &prediction);
    assert_eq!(r.counts.object_deleted, 1);
    assert_eq!(r.error, 1.0 / 25.0);
}

#[test]
fn a_missed_one_pixel_hole_is_a_hole_deleted() {
    let mut label = Array2::<f32>::ones((5, 5));
    label[[2, 2]] = 0.0;
    let prediction = Array2::<f32>::ones((5, 5));
    let r = warp(&label, &prediction);
    assert_eq!(r.counts.hole_deleted, 1);
    assert_eq!(r.error, 1.0 / 25.0);
}

#[test]
fn an_extra_one_pixel_object_is_an_object_added() {
    let label = Array2::<f32>::zeros((5, 5));
    let mut prediction = label.clone();
    prediction[[4, 0]] = 0.9; // at the image corner: the border counts as background
    let r = warp(&label, &prediction);
    assert_eq!(r.counts.object_added, 1);
    assert_eq!(r.error, 1.0 / 25.0);
}

#[test]
fn soft_prediction_at_the_threshold_is_background() {
    let label = two_objects();
    let mut prediction = label.clone();
    prediction[[3, 4]] = 0.5; // exactly at the threshold: background, no merge
    assert_eq!(warp(&label, &prediction).error, 0.0);
    prediction[[3, 4]] = 0.5001;
    assert_eq!(warp(&label, &prediction).counts.merge, 1);
}

#[test]
fn confident_pixels_flip_first() {
    // A two-pixel object the prediction misses: whichever pixel flips first is removed, the
    // other is left as a one-pixel deleted object. The more confident one goes first.
    let label = image(&[".....", ".##..", "....."]);
    let mut prediction = Array2::<f32>::zeros((3, 5));
    prediction[[1, 1]] = 0.4; // barely background
    let r = warp(&label, &prediction);
    assert_eq!((r.mistakes[0].row, r.mistakes[0].col), (1, 1));
    prediction[[1, 1]] = 0.0;
    prediction[[1, 2]] = 0.4;
    let r = warp(&label, &prediction);
    assert_eq!((r.mistakes[0].row, r.mistakes[0].col), (1, 2));
    // Ties keep column-major order: (1, 1) is visited and flipped first.
    let r = warp(&label, &Array2::zeros((3, 5)));
    assert_eq!((r.mistakes[0].row, r.mistakes[0].col), (1, 2));
    assert_eq!(r.mistakes[0].kind, MistakeKind::ObjectDeleted);
}

#[test]
fn mask_limits_flips_and_counts() {
    let label = two_objects();
    let mut prediction = label.clone();
    prediction[[3, 4]] = 1.0; // a merge...
    prediction[[6, 1]] = 0.0; // ...and a hole
    let all = Array2::from_elem((8, 9), true);
    let full = warping_error_masked(
        label.view(),
        prediction.view(),
        all.view(),
        &WarpingOptions::default(),
    )
    .unwrap();
    assert_eq!(full.error, 2.0 / 72.0);
    let mut mask = all.clone();
    mask[[3, 4]] = false;
    let masked = warping_error_masked(
        label.view(),
        prediction.view(),
        mask.view(),
        &WarpingOptions::default(),
    )
    .unwrap();
    assert_eq!(masked.error, 1.0 / 72.0); // still divided by all pixels
    assert_eq!(masked.counts.hole_added, 1);
    assert_eq!(masked.warped_label[[3, 4]], 0.0);
}

#[test]
fn stack_is_the_mean_over_slices() {
    let mut label = Array3::<f32>::ones((3, 5, 5));
    label[[2, 2, 2]] = 0.0;
    let prediction = Array3::<f32>::ones((3, 5, 5));
    let r =
        warping_error_stack(label.view(), prediction.view(), &WarpingOptions::default()).unwrap();
    assert_eq!(r.slices.len(), 3);
    assert_eq!(r.slices[2].counts.hole_deleted, 1);
    assert!((r.mean_error - 1.0 / 75.0).abs() < 1e-15);
}

/// A cell-like label: objects in a grid of 1-pixel boundaries every `period` pixels.
fn cells(rows: usize, cols: usize, period: usize) -> Array2<f32> {
    Array2::from_shape_fn((rows, cols), |(r, c)| {
        if r % period == 0 || c % period == 0 {
            0.0
        } else {
            1.0
        }
    })
}

/// `label` with a fraction of pixels replaced by a wrong soft value, other pixels soft-correct.
fn noisy(label: &Array2<f32>, fraction: f64, seed: u64) -> Array2<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    label.mapv(|l| {
        let confidence: f32 = rng.random_range(0.0..0.5);
        let flip = rng.random_bool(fraction);
        if (l > 0.5) != flip {
            0.5 + confidence + 1e-3
        } else {
            0.5 - confidence
        }
    })
}

#[test]
fn random_images_keep_topology_and_classify_consistently() {
    let mut kinds = std::collections::HashSet::new();
    for seed in 0..8 {
        // Cell grids, and random labels whose one-pixel objects and holes the noise can miss.
        let label = if seed % 2 == 0 {
            cells(40, 50, 7)
        } else {
            let mut rng = StdRng::seed_from_u64(100 + seed);
            Array2::from_shape_fn((40, 50), |_| if rng.random_bool(0.6) { 1.0 } else { 0.0 })
        };
        let prediction = noisy(&label, 0.1, seed);
        let r = warping_error(label.view(), prediction.view(), &WarpingOptions::default()).unwrap();
        // Simple-point flips never change the topology of the label.
        assert_eq!(
            count_components(&r.warped_label, true),
            count_components(&label, true)
        );
        assert_eq!(
            count_components(&r.warped_label, false),
            count_components(&label, false)
        );
        // The mistakes are exactly the remaining disagreements.
        let binary = prediction.mapv(|p| if p > 0.5 { 1.0f32 } else { 0.0 });
        let disagree = r
            .warped_label
            .iter()
            .zip(&binary)
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(disagree, r.mistakes.len());
        assert_eq!(r.counts.total(), r.mistakes.len());
        assert_eq!(r.error, disagree as f64 / 2000.0);
        assert!(r.error < pixel_error(label.view(), prediction.view(), 0.5).unwrap());
        // Flipping one mistake changes the topology the way its kind says.
        for m in &r.mistakes {
            let mut flipped = r.warped_label.clone();
            flipped[[m.row, m.col]] = 1.0 - flipped[[m.row, m.col]];
            let objects = count_components(&flipped, true) as i64
                - count_components(&r.warped_label, true) as i64;
            let background = count_components(&flipped, false) as i64
                - count_components(&r.warped_label, false) as i64;
            let ok = match m.kind {
                MistakeKind::ObjectAdded => objects == 1 && background == 0,
                MistakeKind::ObjectDeleted => objects == -1 && background == 0,
                MistakeKind::Merge => objects < 0,
                MistakeKind::Split => objects > 0,
                MistakeKind::HoleAdded => objects == 0 && background > 0,
                MistakeKind::HoleDeleted => objects == 0 && background < 0,
            };
            assert!(
                ok,
                "seed {seed}: {m:?} changed objects by {objects}, background by {background}"
            );
            kinds.insert(m.kind);
        }
    }
    // The oracle must have seen every kind, or it proved less than it claims.
    eprintln!("kinds seen: {kinds:?}");
    assert_eq!(kinds.len(), 6);
}

#[test]
fn views_with_strides_give_the_same_result() {
    let label = cells(20, 30, 6);
    let prediction = noisy(&label, 0.1, 42);
    let a = warping_error(label.view(), prediction.view(), &WarpingOptions::default()).unwrap();
    // Transposed twice through a strided view: same pixels, non-contiguous memory.
    let lt = label.t().to_owned();
    let pt = prediction.t().to_owned();
    let b = warping_error(lt.t(), pt.t(), &WarpingOptions::default()).unwrap();
    assert_eq!(a, b);
    assert_eq!(label.len_of(Axis(0)), a.warped_label.nrows());
}
