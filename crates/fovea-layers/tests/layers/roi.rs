//! RoI pooling, RoIAlign and SPP per RoI: golden forward and backward values from torchvision,
//! gradcheck over overlapping, border, degenerate and outside boxes on several images,
//! hand-computed gradients, and the exact error messages.
//!
//! The fixtures `tests/fixtures/roi_pool.json` and `roi_align.json` are written by
//! `scripts/golden_roi.py` (see its header for the format).

use fovea_autograd::{GradcheckOptions, Var, gradcheck};
use fovea_layers::functional::{
    RoiAlignOptions, RoiPoolOptions, SppPerRoiOptions, roi_align, roi_pool, spp_per_roi,
};
use fovea_layers::{RoiAlign, RoiPool, SppPerRoi};
use fovea_tensor::{Tensor, seeded_rng};
use rand::seq::SliceRandom;
use serde_json::Value;

/// torchvision and fovea run the same f32 operations in the same order, so they agree to a few
/// ulps; the absolute part covers outputs that should be 0 or nearly cancel.
const RTOL: f32 = 1e-5;
const ATOL: f32 = 1e-6;

fn boxes(rows: &[[f32; 5]]) -> Tensor {
    Tensor::from_vec(rows.concat(), &[rows.len(), 5]).unwrap()
}

/// Values 0.01·(a permutation of 0..n): all distinct and 0.01 apart, far more than the 2·eps of
/// a central difference, so no perturbation changes which cell is a bin's maximum.
fn distinct_features(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut values: Vec<f32> = (0..n).map(|i| i as f32 * 0.01 - 0.005 * n as f32).collect();
    values.shuffle(&mut seeded_rng(seed));
    Tensor::from_vec(values, shape).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Golden values from torchvision.

use crate::fixtures::{load, tensor};

fn output_size(options: &Value) -> [usize; 2] {
    let s = options["output_size"].as_array().unwrap();
    [
        s[0].as_u64().unwrap() as usize,
        s[1].as_u64().unwrap() as usize,
    ]
}

/// Largest |got − want| and largest |got − want|/|want| (over |want| > ATOL) seen in a family.
#[derive(Default)]
struct Worst {
    abs: f32,
    rel: f32,
    failures: Vec<String>,
}

impl Worst {
    fn compare(&mut self, case: &str, what: &str, got: &Tensor, want: &Tensor) {
        assert_eq!(got.shape(), want.shape(), "{case}: {what} shape");
        for (i, (&a, &b)) in got.to_vec().iter().zip(&want.to_vec()).enumerate() {
            let err = (a - b).abs();
            self.abs = self.abs.max(err);
            if b.abs() > ATOL {
                self.rel = self.rel.max(err / b.abs());
            }
            if err > ATOL + RTOL * b.abs() {
                self.failures
                    .push(format!("{case}: {what}[{i}]: got {a}, want {b}"));
            }
        }
    }
}

/// Runs every case of a family through `f`, backward with the recorded upstream gradient, and
/// compares output and feature gradient with torchvision's.
fn check_family(family: &str, f: impl Fn(&Var, &Tensor, &Value) -> Var) -> Worst {
    let mut worst = Worst::default();
    for case in load(family) {
        let name = case["name"].as_str().unwrap();
        let features = Var::parameter(tensor(&case["features"]));
        let y = f(&features, &tensor(&case["boxes"]), &case["options"]);
        worst.compare(name, "output", &y.value(), &tensor(&case["output"]));
        let grads = y.backward_with(tensor(&case["grad_output"])).unwrap();
        worst.compare(
            name,
            "grad_features",
            grads.get(&features).unwrap(),
            &tensor(&case["grad_features"]),
        );
    }
    eprintln!(
        "{family} vs torchvision: max abs error {:.2e}, max rel error {:.2e}",
        worst.abs, worst.rel
    );
    worst
}

#[test]
fn roi_pool_matches_torchvision_forward_and_backward() {
    let worst = check_family("roi_pool", |x, b, o| {
        let opts = RoiPoolOptions::new(output_size(o), o["spatial_scale"].as_f64().unwrap() as f32);
        roi_pool(x, b, &opts).unwrap()
    });
    assert!(worst.failures.is_empty(), "{}", worst.failures.join("\n"));
    // Max pooling copies values: forward and backward are exact (the backward sums in
    // torchvision's order).
    assert_eq!(worst.abs, 0.0);
}

/// The forward pass repeats torchvision's f32 operations in order (bit-identical on these
/// cases); the backward multiplies by a precomputed `w / count` where torchvision divides
/// `(g · w) / count`, one ulp per term, hence the same RTOL/ATOL rather than exact equality
/// (observed: max abs error 2.4e-7 on gradients of order 1).
#[test]
fn roi_align_matches_torchvision_forward_and_backward() {
    let worst = check_family("roi_align", |x, b, o| {
        let opts =
            RoiAlignOptions::new(output_size(o), o["spatial_scale"].as_f64().unwrap() as f32)
                .with_sampling_ratio(o["sampling_ratio"].as_i64().unwrap() as i32)
                .with_aligned(o["aligned"].as_bool().unwrap());
        roi_align(x, b, &opts).unwrap()
    });
    assert!(worst.failures.is_empty(), "{}", worst.failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Gradcheck.

/// Boxes on two images: overlapping and identical boxes, boxes on the borders, a point, a line,
/// a reversed box, boxes partly outside and one fully outside (empty bins).
fn awkward_boxes() -> Tensor {
    boxes(&[
        [0.0, 0.0, 0.0, 6.0, 5.0],
        [0.0, 1.0, 1.0, 5.0, 4.0],
        [1.0, 1.0, 1.0, 5.0, 4.0],
        [1.0, 1.0, 1.0, 5.0, 4.0],
        [1.0, 5.0, 4.0, 6.0, 5.0],
        [0.0, 3.0, 2.0, 3.0, 2.0],
        [1.0, 0.0, 3.0, 6.0, 3.0],
        [0.0, 5.0, 4.0, 2.0, 1.0],
        [1.0, -4.0, -3.0, 2.5, 2.0],
        [0.0, 4.0, 3.0, 11.0, 9.0],
        [1.0, 20.0, 20.0, 30.0, 30.0],
    ])
}

#[test]
fn roi_pool_gradcheck() {
    let features = distinct_features(&[2, 3, 6, 7], 1);
    let b = awkward_boxes();
    for (output, scale) in [([2, 2], 1.0), ([3, 2], 1.0), ([2, 3], 0.5)] {
        let opts = RoiPoolOptions::new(output, scale);
        let report = gradcheck(
            |v| roi_pool(&v[0], &b, &opts),
            std::slice::from_ref(&features),
            GradcheckOptions::default(),
        )
        .unwrap();
        eprintln!(
            "roi_pool gradcheck {opts:?}: max rel {:.2e}, max abs {:.2e}",
            report.max_rel_error(),
            report.max_abs_error()
        );
        assert!(report.passed(), "{opts:?}: {report}");
    }
}

#[test]
fn roi_align_gradcheck() {
    let features = Tensor::rand_normal(&[2, 3, 6, 7], 0.0, 1.0, &mut seeded_rng(2)).unwrap();
    let b = awkward_boxes();
    for aligned in [false, true] {
        for (sampling_ratio, scale) in [(-1, 1.0), (2, 0.5), (1, 1.0)] {
            let opts = RoiAlignOptions::new([2, 3], scale)
                .with_sampling_ratio(sampling_ratio)
                .with_aligned(aligned);
            // RoIAlign is linear in the features, so a large step is exact and keeps the f32
            // rounding of the difference quotient (~1e-7/eps) small.
            let check = GradcheckOptions::default().with_eps(0.1);
            let report = gradcheck(
                |v| roi_align(&v[0], &b, &opts),
                std::slice::from_ref(&features),
                check,
            )
            .unwrap();
            eprintln!(
                "roi_align gradcheck {opts:?}: max rel {:.2e}, max abs {:.2e}",
                report.max_rel_error(),
                report.max_abs_error()
            );
            assert!(report.passed(), "{opts:?}: {report}");
        }
    }
}

#[test]
fn spp_per_roi_gradcheck() {
    let features = distinct_features(&[2, 2, 7, 6], 3);
    let b = awkward_boxes();
    let opts = SppPerRoiOptions::default().with_levels(vec![3, 2, 1]);
    let report = gradcheck(
        |v| spp_per_roi(&v[0], &b, &opts),
        std::slice::from_ref(&features),
        GradcheckOptions::default(),
    )
    .unwrap();
    eprintln!(
        "spp_per_roi gradcheck: max rel {:.2e}, max abs {:.2e}",
        report.max_rel_error(),
        report.max_abs_error()
    );
    assert!(report.passed(), "{report}");
}

// ---------------------------------------------------------------------------------------------
// Hand-computed cases.

#[test]
fn roi_pool_identical_rois_accumulate_at_the_argmax() {
    // One 3×3 plane, max 9 at (1, 1). Two identical RoIs over the whole plane, 1×1 output:
    // both outputs are 9 and both gradients (2 and 3) land on cell 4, so d/dx[4] = 5.
    let x = Var::parameter(
        Tensor::from_vec(
            vec![1.0, 2.0, 3.0, 4.0, 9.0, 5.0, 6.0, 7.0, 8.0],
            &[1, 1, 3, 3],
        )
        .unwrap(),
    );
    let b = boxes(&[[0.0, 0.0, 0.0, 2.0, 2.0], [0.0, 0.0, 0.0, 2.0, 2.0]]);
    let y = roi_pool(&x, &b, &RoiPoolOptions::new([1, 1], 1.0)).unwrap();
    assert_eq!(y.value().to_vec(), vec![9.0, 9.0]);
    let g = y
        .backward_with(Tensor::from_vec(vec![2.0, 3.0], &[2, 1, 1, 1]).unwrap())
        .unwrap();
    assert_eq!(
        g.get(&x).unwrap().to_vec(),
        vec![0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0]
    );
}

#[test]
fn roi_pool_overlapping_bins_and_ties() {
    // A 1×3 row [1, 1, 0] pooled to 1×2 over the whole row: size 3, bin 1.5, so bin 0 covers
    // cells [0, 2) and bin 1 cells [1, 3): they overlap at cell 1. Bin 0 holds the tie 1, 1:
    // the first (cell 0) wins. Bin 1's max is cell 1. Upstream [10, 100] → dx = [10, 100, 0].
    let x = Var::parameter(Tensor::from_vec(vec![1.0, 1.0, 0.0], &[1, 1, 1, 3]).unwrap());
    let y = roi_pool(
        &x,
        &boxes(&[[0.0, 0.0, 0.0, 2.0, 0.0]]),
        &RoiPoolOptions::new([1, 2], 1.0),
    )
    .unwrap();
    assert_eq!(y.value().to_vec(), vec![1.0, 1.0]);
    let g = y
        .backward_with(Tensor::from_vec(vec![10.0, 100.0], &[1, 1, 1, 2]).unwrap())
        .unwrap();
    assert_eq!(g.get(&x).unwrap().to_vec(), vec![10.0, 100.0, 0.0]);
}

#[test]
fn roi_pool_box_outside_the_map_outputs_zero_and_no_gradient() {
    let x = Var::parameter(Tensor::full(&[1, 2, 4, 4], -3.0));
    let y = roi_pool(
        &x,
        &boxes(&[[0.0, 10.0, 10.0, 20.0, 20.0]]),
        &RoiPoolOptions::new([2, 2], 1.0),
    )
    .unwrap();
    assert_eq!(y.value().to_vec(), vec![0.0; 8]);
    let g = y.sum_all().backward().unwrap();
    assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.0; 32]);
}

#[test]
fn roi_align_single_sample_is_bilinear() {
    // 2×3 plane x[r][c] = 10r + c. Box (0.5, 1.0)–(1.5, 1.5), not aligned, 1×1 output, one sample:
    // roi 1 × 1 (width forced up from 0.5), sample at y = 1.0 + 0.5·1 = 1.5 → clamped to the last
    // row 1 (y ≥ H − 1); x = 0.5 + 0.5·1 = 1.0. So the value is x[1][1] = 11 with weight
    // hy·hx = 1 (ly = 0, lx = 0) on cell (1, 1), and the gradient lands there.
    let x = Var::parameter(
        Tensor::from_vec(vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0], &[1, 1, 2, 3]).unwrap(),
    );
    let opts = RoiAlignOptions::new([1, 1], 1.0).with_sampling_ratio(1);
    let y = roi_align(&x, &boxes(&[[0.0, 0.5, 1.0, 1.5, 1.5]]), &opts).unwrap();
    assert_eq!(y.value().to_vec(), vec![11.0]);
    let g = y.backward_with(Tensor::full(&[1, 1, 1, 1], 3.0)).unwrap();
    assert_eq!(
        g.get(&x).unwrap().to_vec(),
        vec![0.0, 0.0, 0.0, 0.0, 3.0, 0.0]
    );

    // Aligned, box (0.75, 0.25)–(1.75, 1.25): start −0.5 → (0.25, −0.25), size 1 × 1, sample at
    // y = −0.25 + 0.5 = 0.25, x = 0.25 + 0.5 = 0.75. Weights: hy·hx = 0.75·0.25, hy·lx = 0.75·0.75,
    // ly·hx = 0.25·0.25, ly·lx = 0.25·0.75 on cells (0,0), (0,1), (1,0), (1,1):
    // value = 0.5625·1 + 0.0625·10 + 0.1875·11 = 3.25.
    let opts = opts.with_aligned(true);
    let y = roi_align(&x, &boxes(&[[0.0, 0.75, 0.25, 1.75, 1.25]]), &opts).unwrap();
    assert!((y.value().to_vec()[0] - 3.25).abs() < 1e-6);
    let g = y
        .backward_with(Tensor::full(&[1, 1, 1, 1], 2.0))
        .unwrap()
        .get(&x)
        .unwrap()
        .to_vec();
    let want = [0.375, 1.125, 0.0, 0.125, 0.375, 0.0];
    assert!(
        g.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-6),
        "{g:?}"
    );
}

#[test]
fn roi_align_far_outside_sample_counts_but_contributes_zero() {
    // Not aligned, scale 1, box (0, 0)–(0, 4) on a 2×2 map of ones, output 2×1, one sample per
    // bin: bin height 2, samples at y = 1 (inside) and y = 3 > H = 2 (outside: contributes 0).
    let x = Var::parameter(Tensor::ones(&[1, 1, 2, 2]));
    let opts = RoiAlignOptions::new([2, 1], 1.0).with_sampling_ratio(1);
    let y = roi_align(&x, &boxes(&[[0.0, 0.0, 0.0, 0.0, 4.0]]), &opts).unwrap();
    assert_eq!(y.value().to_vec(), vec![1.0, 0.0]);
    let g = y.sum_all().backward().unwrap();
    // The inside sample sits at (1, 0.5): clamped to row 1, half on each column.
    assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.0, 0.0, 0.5, 0.5]);
}

#[test]
fn spp_per_roi_is_roi_pool_per_level_concatenated() {
    let features = Var::parameter(distinct_features(&[2, 3, 9, 8], 4));
    let b = boxes(&[
        [1.0, 0.0, 0.0, 15.0, 17.0],
        [0.0, 2.0, 4.0, 11.0, 9.0],
        [1.0, -2.0, 3.0, 8.0, 30.0],
    ]);
    let y = spp_per_roi(
        &features,
        &b,
        &SppPerRoiOptions::default().with_spatial_scale(0.5),
    )
    .unwrap()
    .value();
    assert_eq!(y.shape(), &[3, 21 * 3]);
    let mut want = Vec::new();
    let levels: Vec<Vec<f32>> = [4, 2, 1]
        .iter()
        .map(|&n| {
            roi_pool(&features, &b, &RoiPoolOptions::new([n, n], 0.5))
                .unwrap()
                .value()
                .to_vec()
        })
        .collect();
    for k in 0..3 {
        for (level, n) in levels.iter().zip([4, 2, 1]) {
            want.extend_from_slice(&level[k * 3 * n * n..(k + 1) * 3 * n * n]);
        }
    }
    assert_eq!(y.to_vec(), want);
}

#[test]
fn spp_per_roi_gradient_sums_over_levels() {
    // The global maximum (cell 15 of a 4×4 arange) is the max of the level-1 bin and of the
    // bottom-right level-2 bin: it receives both gradients, 1 + 1.
    let x = Var::parameter(
        Tensor::arange(0.0, 16.0, 1.0)
            .unwrap()
            .reshape(&[1, 1, 4, 4])
            .unwrap(),
    );
    let b = boxes(&[[0.0, 0.0, 0.0, 3.0, 3.0]]);
    let y = spp_per_roi(&x, &b, &SppPerRoiOptions::default().with_levels(vec![2, 1])).unwrap();
    assert_eq!(y.value().to_vec(), vec![5.0, 7.0, 13.0, 15.0, 15.0]);
    let g = y.sum_all().backward().unwrap().get(&x).unwrap().to_vec();
    let mut want = vec![0.0; 16];
    (want[5], want[7], want[13], want[15]) = (1.0, 1.0, 1.0, 2.0);
    assert_eq!(g, want);
}

#[test]
fn zero_boxes_give_an_empty_output_and_a_zero_gradient() {
    let x = Var::parameter(Tensor::ones(&[2, 3, 4, 4]));
    let none = Tensor::zeros(&[0, 5]);
    let y = roi_pool(&x, &none, &RoiPoolOptions::new([2, 2], 1.0)).unwrap();
    assert_eq!(y.shape(), vec![0, 3, 2, 2]);
    assert_eq!(
        y.sum_all().backward().unwrap().get(&x).unwrap().to_vec(),
        vec![0.0; 96]
    );
    let y = roi_align(&x, &none, &RoiAlignOptions::new([2, 3], 1.0)).unwrap();
    assert_eq!(y.shape(), vec![0, 3, 2, 3]);
    assert_eq!(
        y.sum_all().backward().unwrap().get(&x).unwrap().to_vec(),
        vec![0.0; 96]
    );
    assert_eq!(
        spp_per_roi(&x, &none, &SppPerRoiOptions::default())
            .unwrap()
            .shape(),
        vec![0, 63]
    );
}

#[test]
fn layers_forward_like_the_functions() {
    let features = Var::constant(distinct_features(&[2, 3, 6, 7], 5));
    let b = awkward_boxes();
    let pool = RoiPoolOptions::new([2, 3], 0.5);
    assert_eq!(
        RoiPool::new(pool)
            .unwrap()
            .forward_rois(&features, &b)
            .unwrap()
            .value()
            .to_vec(),
        roi_pool(&features, &b, &pool).unwrap().value().to_vec()
    );
    let align = RoiAlignOptions::new([3, 2], 0.5).with_aligned(true);
    assert_eq!(
        RoiAlign::new(align)
            .unwrap()
            .forward_rois(&features, &b)
            .unwrap()
            .value()
            .to_vec(),
        roi_align(&features, &b, &align).unwrap().value().to_vec()
    );
    let spp = SppPerRoiOptions::default();
    assert_eq!(
        SppPerRoi::new(spp.clone())
            .unwrap()
            .forward_rois(&features, &b)
            .unwrap()
            .value()
            .to_vec(),
        spp_per_roi(&features, &b, &spp).unwrap().value().to_vec()
    );
}

// ---------------------------------------------------------------------------------------------
// Errors: one per bad input, with the exact message.

fn pool_err(shape: &[usize], b: &Tensor) -> String {
    roi_pool(
        &Var::constant(Tensor::zeros(shape)),
        b,
        &RoiPoolOptions::new([2, 2], 1.0),
    )
    .unwrap_err()
    .to_string()
}

#[test]
fn error_boxes_of_the_wrong_shape() {
    assert_eq!(
        pool_err(&[1, 1, 4, 4], &Tensor::zeros(&[3, 4])),
        "roi_pool: boxes must be [K, 5] rows of (batch index, x1, y1, x2, y2) (shape [3, 4])"
    );
    assert_eq!(
        pool_err(&[1, 1, 4, 4], &Tensor::zeros(&[5])),
        "roi_pool: boxes must be [K, 5] rows of (batch index, x1, y1, x2, y2) (shape [5])"
    );
}

#[test]
fn error_batch_index_out_of_range_or_not_an_integer() {
    let b = boxes(&[[0.0, 0.0, 0.0, 1.0, 1.0], [2.0, 0.0, 0.0, 1.0, 1.0]]);
    assert_eq!(
        pool_err(&[2, 3, 4, 4], &b),
        "roi_pool: box 1: batch index 2 is out of range for features [2, 3, 4, 4]"
    );
    let b = boxes(&[[-1.0, 0.0, 0.0, 1.0, 1.0]]);
    assert_eq!(
        pool_err(&[2, 3, 4, 4], &b),
        "roi_pool: box 0: batch index -1 is out of range for features [2, 3, 4, 4]"
    );
    let b = boxes(&[[0.5, 0.0, 0.0, 1.0, 1.0]]);
    assert_eq!(
        pool_err(&[2, 3, 4, 4], &b),
        "roi_pool: box 0: batch index 0.5 is not an integer"
    );
}

#[test]
fn error_non_finite_box_values() {
    let b = boxes(&[[0.0, 0.0, 0.0, 1.0, 1.0], [0.0, f32::NAN, 0.0, 1.0, 1.0]]);
    assert_eq!(
        pool_err(&[1, 1, 4, 4], &b),
        "roi_pool: box 1 has a non-finite value: [0.0, NaN, 0.0, 1.0, 1.0]"
    );
    let b = boxes(&[[0.0, 0.0, 0.0, f32::INFINITY, 1.0]]);
    let err = roi_align(
        &Var::constant(Tensor::zeros(&[1, 1, 4, 4])),
        &b,
        &RoiAlignOptions::new([2, 2], 1.0),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "roi_align: box 0 has a non-finite value: [0.0, 0.0, 0.0, inf, 1.0]"
    );
}

#[test]
fn error_features_not_4d_or_empty() {
    let b = boxes(&[[0.0, 0.0, 0.0, 1.0, 1.0]]);
    assert_eq!(
        pool_err(&[3, 4, 4], &b),
        "roi_pool: features must be [N, C, H, W] (shape [3, 4, 4])"
    );
    assert_eq!(
        pool_err(&[1, 0, 4, 4], &b),
        "roi_pool: features are empty (shape [1, 0, 4, 4])"
    );
    let err = spp_per_roi(
        &Var::constant(Tensor::zeros(&[1, 2, 0, 4])),
        &b,
        &SppPerRoiOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "spp_per_roi: features are empty (shape [1, 2, 0, 4])"
    );
}

#[test]
fn error_bad_settings_in_functions_and_layers() {
    let x = Var::constant(Tensor::zeros(&[1, 1, 4, 4]));
    let b = boxes(&[[0.0, 0.0, 0.0, 1.0, 1.0]]);
    let err = roi_pool(&x, &b, &RoiPoolOptions::new([0, 2], 1.0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "roi_pool: output size must be positive, got [0, 2]"
    );
    let err = roi_align(&x, &b, &RoiAlignOptions::new([2, 2], -1.0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "roi_align: spatial_scale must be positive and finite, got -1"
    );
    assert_eq!(
        RoiPool::new(RoiPoolOptions::new([7, 0], 1.0))
            .unwrap_err()
            .to_string(),
        "RoiPool: output size must be positive, got [7, 0]"
    );
    assert_eq!(
        RoiAlign::new(RoiAlignOptions::new([7, 7], f32::NAN))
            .unwrap_err()
            .to_string(),
        "RoiAlign: spatial_scale must be positive and finite, got NaN"
    );
    assert_eq!(
        RoiPool::new(RoiPoolOptions::new([7, 7], f32::INFINITY))
            .unwrap_err()
            .to_string(),
        "RoiPool: spatial_scale must be positive and finite, got inf"
    );
    assert_eq!(
        SppPerRoi::new(SppPerRoiOptions::default().with_levels(vec![]))
            .unwrap_err()
            .to_string(),
        "SppPerRoi: levels must be a non-empty list of positive sizes, got []"
    );
    assert_eq!(
        SppPerRoi::new(SppPerRoiOptions::default().with_levels(vec![2, 0]))
            .unwrap_err()
            .to_string(),
        "SppPerRoi: levels must be a non-empty list of positive sizes, got [2, 0]"
    );
}

#[test]
fn error_roi_align_box_too_large_for_adaptive_sampling() {
    let b = boxes(&[[0.0, 0.0, 0.0, 1e30, 1e30]]);
    let err = roi_align(
        &Var::constant(Tensor::zeros(&[1, 1, 4, 4])),
        &b,
        &RoiAlignOptions::new([2, 2], 1.0),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("roi_align: box 0 would need"),
        "{err}"
    );
    // With a fixed sampling ratio the same box is fine: its samples are all far outside.
    let y = roi_align(
        &Var::constant(Tensor::ones(&[1, 1, 4, 4])),
        &b,
        &RoiAlignOptions::new([2, 2], 1.0).with_sampling_ratio(2),
    )
    .unwrap();
    assert_eq!(y.value().to_vec(), vec![0.0; 4]);
}
