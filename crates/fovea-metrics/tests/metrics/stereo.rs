//! Stereo errors: end-point error and bad-pixel rates by hand.

use fovea_metrics::{BadPixel, bad_pixel_rate, end_point_error, valid_where_positive};
use ndarray::array;

use super::helpers::assert_close;

#[test]
fn end_point_error_ignores_invalid_pixels() {
    let d = array![[10.0f32, 22.0], [7.5, 100.0]];
    let gt = array![[12.0f32, 21.0], [7.5, 0.0]];
    let valid = valid_where_positive(gt.view());
    // |10−12| + |22−21| + 0 over 3 valid pixels; the 100 vs 0 pixel is invalid.
    assert_close(
        end_point_error(d.view(), gt.view(), valid.view()).unwrap(),
        1.0,
        "EPE",
    );
}

#[test]
fn kitti_d1_needs_both_absolute_and_relative_error() {
    let d = array![[13.5f32, 50.0, 103.5, 80.0]];
    let gt = array![[10.0f32, 50.0, 100.0, 90.0]];
    let valid = array![[true, true, true, true]];
    // 3.5 px (35%): bad; 0: fine; 3.5 px (3.5%): fine under D1; 10 px (11%): bad.
    let d1 = bad_pixel_rate(d.view(), gt.view(), valid.view(), BadPixel::kitti_d1()).unwrap();
    assert_close(d1, 0.5, "D1");
    let bad3 = bad_pixel_rate(
        d.view(),
        gt.view(),
        valid.view(),
        BadPixel::Absolute { threshold: 3.0 },
    )
    .unwrap();
    assert_close(bad3, 0.75, "bad 3px");
    // Exactly at the tolerance is not bad (strict >).
    let at = bad_pixel_rate(
        d.view(),
        gt.view(),
        valid.view(),
        BadPixel::Absolute { threshold: 10.0 },
    )
    .unwrap();
    assert_close(at, 0.0, "at tolerance");
}
