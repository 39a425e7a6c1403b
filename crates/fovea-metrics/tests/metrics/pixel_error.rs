//! Pixel error: known answers, the threshold convention, stacks, and the strided path against
//! the contiguous fast path.

use fovea_metrics::{image_stack, pixel_error, pixel_error_stack};
use fovea_tensor::Tensor;
use ndarray::{Array2, Array3, array};
use rand::{Rng, SeedableRng, rngs::StdRng};

#[test]
fn known_answer() {
    let label = array![[1.0f32, 1.0, 0.0], [0.0, 1.0, 0.0]];
    let prediction = array![[0.8f32, 0.3, 0.6], [0.1, 0.9, 0.0]];
    // (0,1): 1 vs 0.3 wrong; (0,2): 0 vs 0.6 wrong; 2 of 6.
    assert_eq!(
        pixel_error(label.view(), prediction.view(), 0.5).unwrap(),
        2.0 / 6.0
    );
    // At threshold 0.25 the 0.3 counts as object: only (0,2) is wrong.
    assert_eq!(
        pixel_error(label.view(), prediction.view(), 0.25).unwrap(),
        1.0 / 6.0
    );
}

#[test]
fn exactly_at_threshold_is_background() {
    let label = array![[0.0f32, 1.0]];
    let prediction = array![[0.5f32, 0.5]];
    // 0.5 > 0.5 is false: background, right for the 0 label, wrong for the 1 label.
    assert_eq!(
        pixel_error(label.view(), prediction.view(), 0.5).unwrap(),
        0.5
    );
    // Threshold 1.0 makes everything background; 0.0 makes every positive value object.
    assert_eq!(pixel_error(label.view(), label.view(), 1.0).unwrap(), 0.0);
    assert_eq!(
        pixel_error(label.view(), prediction.view(), 0.0).unwrap(),
        0.5
    );
}

#[test]
fn strided_and_contiguous_paths_agree_with_a_naive_count() {
    let mut rng = StdRng::seed_from_u64(7);
    let label = Array2::from_shape_fn(
        (97, 131),
        |_| if rng.random_bool(0.5) { 1.0f32 } else { 0.0 },
    );
    let prediction = Array2::from_shape_fn((97, 131), |_| rng.random_range(0.0f32..1.0));
    let naive = label
        .iter()
        .zip(&prediction)
        .filter(|&(&l, &p)| (l > 0.5) != (p > 0.5))
        .count() as f64
        / label.len() as f64;
    let fast = pixel_error(label.view(), prediction.view(), 0.5).unwrap();
    let lt = label.t().to_owned();
    let pt = prediction.t().to_owned();
    let strided = pixel_error(lt.t(), pt.t(), 0.5).unwrap();
    assert!((fast - naive).abs() < 1e-15 && (strided - naive).abs() < 1e-15);
    assert!(
        fast > 0.4 && fast < 0.6,
        "random: about half wrong, got {fast}"
    );
}

#[test]
fn stack_is_the_mean_over_slices() {
    let label = Array3::<f32>::zeros((4, 3, 3));
    let mut prediction = Array3::<f32>::zeros((4, 3, 3));
    prediction[[0, 0, 0]] = 1.0;
    prediction[[3, 1, 1]] = 1.0;
    prediction[[3, 2, 2]] = 1.0;
    // Slices: 1/9, 0, 0, 2/9 → mean 3/36.
    let e = pixel_error_stack(label.view(), prediction.view(), 0.5).unwrap();
    assert!((e - 3.0 / 36.0).abs() < 1e-15);
}

#[test]
fn tensors_as_stacks() {
    let label = Tensor::from_vec(vec![0.0, 1.0, 1.0, 0.0], &[1, 1, 2, 2]).unwrap();
    let prediction = Tensor::from_vec(vec![0.0, 0.9, 0.2, 0.0], &[1, 1, 2, 2]).unwrap();
    let e = pixel_error_stack(
        image_stack(&label).unwrap(),
        image_stack(&prediction).unwrap(),
        0.5,
    )
    .unwrap();
    assert_eq!(e, 0.25);
}
