//! Bad input gives typed errors: shape mismatches, empty inputs, thresholds outside [0, 1],
//! NaN scores.

use fovea_metrics::{
    BadPixel, BinaryConfusion, ConfusionMatrix, RandErrorOptions, RocOptions, WarpingOptions,
    ZeroDivision, auc, average_precision, bad_pixel_rate, end_point_error, pixel_error,
    pixel_error_stack, precision_recall_curve, rand_error, rand_score, roc_curve, warping_error,
    warping_error_masked,
};
use fovea_tensor::Error;
use ndarray::{Array2, Array3};

fn is_shape_mismatch(e: Error) -> bool {
    matches!(e, Error::ShapeMismatch { .. })
}
fn is_invalid_shape(e: Error) -> bool {
    matches!(e, Error::InvalidShape { .. })
}
fn is_invalid_argument(e: Error) -> bool {
    matches!(e, Error::InvalidArgument { .. })
}

#[test]
fn segmentation_shape_mismatch() {
    let a = Array2::<f32>::zeros((4, 5));
    let b = Array2::<f32>::zeros((5, 4));
    let options = WarpingOptions::default();
    assert!(is_shape_mismatch(
        pixel_error(a.view(), b.view(), 0.5).unwrap_err()
    ));
    assert!(is_shape_mismatch(
        warping_error(a.view(), b.view(), &options).unwrap_err()
    ));
    assert!(is_shape_mismatch(
        rand_error(a.view(), b.view(), &RandErrorOptions::default()).unwrap_err()
    ));
    let mask = Array2::from_elem((3, 3), true);
    let err = warping_error_masked(a.view(), a.view(), mask.view(), &options).unwrap_err();
    assert!(err.to_string().contains("[4, 5] x [3, 3]"), "{err}");
    let s = Array3::<f32>::zeros((2, 4, 5));
    let t = Array3::<f32>::zeros((3, 4, 5));
    assert!(is_shape_mismatch(
        pixel_error_stack(s.view(), t.view(), 0.5).unwrap_err()
    ));
}

#[test]
fn empty_images() {
    let e = Array2::<f32>::zeros((0, 5));
    assert!(is_invalid_shape(
        pixel_error(e.view(), e.view(), 0.5).unwrap_err()
    ));
    assert!(is_invalid_shape(
        warping_error(e.view(), e.view(), &WarpingOptions::default()).unwrap_err()
    ));
    assert!(is_invalid_shape(
        rand_score(e.view(), e.view(), 0.5).unwrap_err()
    ));
    let s = Array3::<f32>::zeros((0, 4, 4));
    assert!(is_invalid_shape(
        pixel_error_stack(s.view(), s.view(), 0.5).unwrap_err()
    ));
    let valid = Array2::from_elem((0, 5), true);
    assert!(is_invalid_argument(
        end_point_error(e.view(), e.view(), valid.view()).unwrap_err()
    ));
    assert!(is_invalid_shape(
        BinaryConfusion::from_labels(&[], &[]).unwrap_err()
    ));
    assert!(is_invalid_shape(
        ConfusionMatrix::from_labels(&[], &[], 2).unwrap_err()
    ));
    assert!(is_invalid_shape(
        roc_curve(&[], &[], &RocOptions::default()).unwrap_err()
    ));
}

#[test]
fn thresholds_outside_unit_interval() {
    let a = Array2::<f32>::zeros((3, 3));
    for t in [-0.1f32, 1.5, f32::NAN, f32::INFINITY] {
        assert!(
            is_invalid_argument(pixel_error(a.view(), a.view(), t).unwrap_err()),
            "{t}"
        );
        let options = WarpingOptions::default().with_threshold(t);
        assert!(
            is_invalid_argument(warping_error(a.view(), a.view(), &options).unwrap_err()),
            "{t}"
        );
        let options = RandErrorOptions::default().with_thresholds(vec![0.5, t]);
        assert!(
            is_invalid_argument(rand_error(a.view(), a.view(), &options).unwrap_err()),
            "{t}"
        );
        assert!(
            is_invalid_argument(BinaryConfusion::from_scores(&[0.3], &[true], t).unwrap_err()),
            "{t}"
        );
    }
    // The ends of the interval are accepted.
    assert!(pixel_error(a.view(), a.view(), 0.0).is_ok());
    assert!(pixel_error(a.view(), a.view(), 1.0).is_ok());
    let none = RandErrorOptions::default().with_thresholds(vec![]);
    assert!(is_invalid_argument(
        rand_error(a.view(), a.view(), &none).unwrap_err()
    ));
}

#[test]
fn nan_scores() {
    let mut p = Array2::<f32>::zeros((3, 3));
    p[[1, 2]] = f32::NAN;
    let l = Array2::<f32>::zeros((3, 3));
    assert!(is_invalid_argument(
        pixel_error(l.view(), p.view(), 0.5).unwrap_err()
    ));
    assert!(is_invalid_argument(
        pixel_error(p.view(), l.view(), 0.5).unwrap_err()
    ));
    assert!(is_invalid_argument(
        warping_error(l.view(), p.view(), &WarpingOptions::default()).unwrap_err()
    ));
    assert!(is_invalid_argument(
        rand_score(l.view(), p.view(), 0.5).unwrap_err()
    ));
    // A non-contiguous view takes the other code path and must still see the NaN.
    let strided = p.t();
    assert!(is_invalid_argument(
        pixel_error(l.view(), strided, 0.5).unwrap_err()
    ));
    let scores = [0.2, f32::NAN, 0.7];
    let y = [true, false, true];
    assert!(is_invalid_argument(
        BinaryConfusion::from_scores(&scores, &y, 0.5).unwrap_err()
    ));
    assert!(is_invalid_argument(
        roc_curve(&scores, &y, &RocOptions::default()).unwrap_err()
    ));
    assert!(is_invalid_argument(
        precision_recall_curve(&scores, &y).unwrap_err()
    ));
    assert!(is_invalid_argument(
        average_precision(&scores, &y).unwrap_err()
    ));
    let multi = ndarray::array![[0.1f32, f32::NAN]];
    assert!(is_invalid_argument(
        ConfusionMatrix::from_scores(multi.view(), &[0]).unwrap_err()
    ));
    assert!(is_invalid_argument(
        auc(&[0.0, f64::NAN], &[0.0, 1.0]).unwrap_err()
    ));
    let valid = Array2::from_elem((3, 3), true);
    assert!(is_invalid_argument(
        end_point_error(p.view(), l.view(), valid.view()).unwrap_err()
    ));
}

#[test]
fn classification_argument_errors() {
    assert!(is_shape_mismatch(
        BinaryConfusion::from_labels(&[true], &[true, false]).unwrap_err()
    ));
    assert!(is_shape_mismatch(
        BinaryConfusion::from_scores(&[0.1, 0.2], &[true], 0.5).unwrap_err()
    ));
    assert!(is_invalid_argument(
        ConfusionMatrix::from_labels(&[0, 3], &[0, 1], 3).unwrap_err()
    ));
    assert!(is_invalid_argument(
        ConfusionMatrix::from_labels(&[0], &[0], 0).unwrap_err()
    ));
    let scores = ndarray::array![[0.1f32, 0.9]];
    assert!(is_shape_mismatch(
        ConfusionMatrix::from_scores(scores.view(), &[0, 1]).unwrap_err()
    ));
    let c = BinaryConfusion::new(1, 1, 1, 1).unwrap();
    for beta in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(is_invalid_argument(
            c.f_beta(beta, ZeroDivision::Zero).unwrap_err()
        ));
    }
    assert!(is_invalid_argument(
        BinaryConfusion::new(0, 0, 0, 0).unwrap_err()
    ));
    assert!(is_invalid_argument(
        auc(&[0.0, 1.0, 0.5], &[0.0, 1.0, 1.0]).unwrap_err()
    ));
    assert!(is_invalid_shape(auc(&[0.0], &[0.0]).unwrap_err()));
}

#[test]
fn stereo_argument_errors() {
    let d = Array2::<f32>::zeros((2, 2));
    let valid = Array2::from_elem((2, 2), false);
    assert!(is_invalid_argument(
        end_point_error(d.view(), d.view(), valid.view()).unwrap_err()
    ));
    let valid = Array2::from_elem((2, 3), true);
    assert!(is_shape_mismatch(
        end_point_error(d.view(), d.view(), valid.view()).unwrap_err()
    ));
    let valid = Array2::from_elem((2, 2), true);
    let negative = BadPixel::Absolute { threshold: -1.0 };
    assert!(is_invalid_argument(
        bad_pixel_rate(d.view(), d.view(), valid.view(), negative).unwrap_err()
    ));
}
