//! Pooling: golden values from PyTorch (forward and backward), gradcheck for every op and
//! geometry, hand-computed cases, ties, accumulation, the layers and the errors.
//!
//! Golden fixtures: `tests/fixtures/pool.json`, written by `scripts/golden_pool.py`. Elements are
//! compared with `|got − want| ≤ ATOL + RTOL·|want|`.

use fovea_autograd::{GradcheckOptions, Var, gradcheck};
use fovea_layers::functional::{
    AvgPool2dOptions, MaxPool2dOptions, adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d,
    max_pool2d,
};
use fovea_layers::{
    AdaptiveAvgPool2dConfig, AdaptiveMaxPool2dConfig, AvgPool2dConfig, MaxPool2dConfig, Module,
};
use fovea_tensor::{Result, Tensor, seeded_rng};
use rand::seq::SliceRandom;
use serde_json::Value;

/// Relative tolerance against PyTorch: the ops are a max or a short f32 sum, a few ulps apart.
pub const RTOL: f32 = 1e-5;
/// Absolute tolerance, for sums that should be near 0 and come out as rounding noise.
pub const ATOL: f32 = 1e-6;

pub use crate::fixtures::{load, tensor, usizes};

/// A JSON `[a, b]`.
pub fn pair(v: &Value) -> [usize; 2] {
    usizes(v).try_into().expect("two integers")
}

/// Largest `|got − want|` over the elements, asserting every element is within tolerance.
pub fn assert_close(what: &str, got: &Tensor, want: &Tensor) -> f32 {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    let mut worst = 0.0f32;
    for (i, (a, b)) in got.to_vec().into_iter().zip(want.to_vec()).enumerate() {
        let err = (a - b).abs();
        assert!(
            err <= ATOL + RTOL * b.abs(),
            "{what}: element {i}: got {a}, want {b}"
        );
        worst = worst.max(err);
    }
    worst
}

/// Runs one golden case through `f` and checks its output and input gradient; returns the worst
/// absolute error of the two.
pub fn check_golden(case: &Value, f: impl Fn(&Var) -> Result<Var>) -> f32 {
    let name = case["name"].as_str().expect("name");
    let x = Var::parameter(tensor(&case["inputs"]["x"]));
    let y = f(&x).unwrap_or_else(|e| panic!("{name}: {e}"));
    let out_err = assert_close(
        &format!("{name} output"),
        &y.value(),
        &tensor(&case["output"]),
    );
    let grads = y.backward_with(tensor(&case["grad_output"])).unwrap();
    let grad_err = assert_close(
        &format!("{name} grad"),
        grads.get(&x).expect("x has a gradient"),
        &tensor(&case["grads"]["x"]),
    );
    out_err.max(grad_err)
}

/// Options of a golden max-pool case.
fn max_options(o: &Value) -> MaxPool2dOptions {
    MaxPool2dOptions::new(pair(&o["kernel_size"]))
        .with_stride(pair(&o["stride"]))
        .with_padding(pair(&o["padding"]))
        .with_dilation(pair(&o["dilation"]))
        .with_ceil_mode(o["ceil_mode"].as_bool().unwrap())
}

/// Options of a golden average-pool case.
fn avg_options(o: &Value) -> AvgPool2dOptions {
    AvgPool2dOptions::new(pair(&o["kernel_size"]))
        .with_stride(pair(&o["stride"]))
        .with_padding(pair(&o["padding"]))
        .with_ceil_mode(o["ceil_mode"].as_bool().unwrap())
        .with_count_include_pad(o["count_include_pad"].as_bool().unwrap())
}

#[test]
fn golden_pool_matches_pytorch() {
    let cases = load("pool");
    let mut worst: Vec<(&str, f32)> = Vec::new();
    for case in &cases {
        let op = case["op"].as_str().unwrap();
        let o = &case["options"];
        let err = match op {
            "max_pool2d" => check_golden(case, |x| max_pool2d(x, &max_options(o))),
            "avg_pool2d" => check_golden(case, |x| avg_pool2d(x, &avg_options(o))),
            "adaptive_max_pool2d" => {
                check_golden(case, |x| adaptive_max_pool2d(x, pair(&o["output_size"])))
            }
            "adaptive_avg_pool2d" => {
                check_golden(case, |x| adaptive_avg_pool2d(x, pair(&o["output_size"])))
            }
            other => panic!("unknown op {other}"),
        };
        match worst.iter_mut().find(|(name, _)| *name == op) {
            Some((_, w)) => *w = w.max(err),
            None => worst.push((op, err)),
        }
    }
    assert_eq!(worst.len(), 4, "every op has golden cases");
    for (op, err) in worst {
        eprintln!("golden {op}: max abs error {err:.2e}");
    }
}

/// All-distinct values 0.1 apart (a shuffled grid), so every window's maximum is unique by a
/// margin much larger than gradcheck's step and max pooling is differentiable there.
pub fn distinct(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut values: Vec<f32> = (0..n).map(|i| (i as f32 - n as f32 / 2.0) * 0.1).collect();
    values.shuffle(&mut seeded_rng(seed));
    Tensor::from_vec(values, shape).unwrap()
}

/// Gradchecks `f` on a distinct-valued input; returns the max relative error.
///
/// Pooling is piecewise linear, so central differences are exact up to f32 rounding for any step
/// that does not reorder a window: a step of 0.01 keeps values 0.1 apart in order and makes the
/// rounding error (~ulp(|x| ≈ 15) / 0.02) ten times smaller than the default 1e-3 would.
pub fn check_gradient(
    what: &str,
    shape: &[usize],
    seed: u64,
    f: impl Fn(&Var) -> Result<Var>,
) -> f64 {
    let report = gradcheck(
        |v| f(&v[0]),
        &[distinct(shape, seed)],
        GradcheckOptions::default().with_eps(1e-2),
    )
    .unwrap();
    eprintln!(
        "gradcheck {what}: max rel {:.2e}, max abs {:.2e}",
        report.max_rel_error(),
        report.max_abs_error()
    );
    assert!(report.passed(), "{what}: {report}");
    report.max_rel_error()
}

#[test]
fn max_pool2d_gradcheck() {
    let cases = [
        ("2x2/2", [2, 3, 6, 6], MaxPool2dOptions::new([2, 2])),
        (
            "3x3/2 overlapping",
            [2, 2, 7, 7],
            MaxPool2dOptions::new([3, 3]).with_stride([2, 2]),
        ),
        (
            "3x3/1 padding 1",
            [1, 2, 5, 6],
            MaxPool2dOptions::new([3, 3])
                .with_stride([1, 1])
                .with_padding([1, 1]),
        ),
        (
            "3x3/2 padding 1 ceil",
            [1, 2, 6, 6],
            MaxPool2dOptions::new([3, 3])
                .with_stride([2, 2])
                .with_padding([1, 1])
                .with_ceil_mode(true),
        ),
        (
            "3x3/2 ceil, partial windows",
            [1, 2, 6, 8],
            MaxPool2dOptions::new([3, 3])
                .with_stride([2, 2])
                .with_ceil_mode(true),
        ),
        (
            "3x2/(1,2) dilation 2 padding 1",
            [1, 2, 7, 8],
            MaxPool2dOptions::new([3, 2])
                .with_stride([1, 2])
                .with_padding([1, 1])
                .with_dilation([2, 2]),
        ),
    ];
    for (k, (what, shape, opts)) in cases.iter().enumerate() {
        check_gradient(&format!("max_pool2d {what}"), shape, k as u64, |x| {
            max_pool2d(x, opts)
        });
    }
}

#[test]
fn avg_pool2d_gradcheck() {
    let base = AvgPool2dOptions::new([3, 3]).with_stride([2, 2]);
    let cases = [
        ("2x2/2", [2, 3, 6, 6], AvgPool2dOptions::new([2, 2])),
        ("3x3/2 overlapping", [2, 2, 7, 7], base),
        (
            "3x3/2 padding 1 include pad",
            [1, 2, 6, 7],
            base.with_padding([1, 1]),
        ),
        (
            "3x3/2 padding 1 exclude pad",
            [1, 2, 6, 7],
            base.with_padding([1, 1]).with_count_include_pad(false),
        ),
        (
            "3x3/2 padding 1 ceil include pad",
            [1, 2, 6, 6],
            base.with_padding([1, 1]).with_ceil_mode(true),
        ),
        (
            "3x3/2 padding 1 ceil exclude pad",
            [1, 2, 6, 6],
            base.with_padding([1, 1])
                .with_ceil_mode(true)
                .with_count_include_pad(false),
        ),
    ];
    for (k, (what, shape, opts)) in cases.iter().enumerate() {
        check_gradient(&format!("avg_pool2d {what}"), shape, 10 + k as u64, |x| {
            avg_pool2d(x, opts)
        });
    }
}

#[test]
fn adaptive_pool2d_gradcheck() {
    let cases = [
        ([2, 2, 7, 5], [3, 2]),
        ([1, 3, 5, 7], [4, 3]),
        ([1, 2, 3, 3], [4, 5]),
        ([1, 2, 6, 6], [1, 1]),
    ];
    for (k, (shape, size)) in cases.iter().enumerate() {
        check_gradient(
            &format!("adaptive_max_pool2d {shape:?} -> {size:?}"),
            shape,
            20 + k as u64,
            |x| adaptive_max_pool2d(x, *size),
        );
        check_gradient(
            &format!("adaptive_avg_pool2d {shape:?} -> {size:?}"),
            shape,
            30 + k as u64,
            |x| adaptive_avg_pool2d(x, *size),
        );
    }
}

fn var(data: &[f32], shape: &[usize]) -> Var {
    Var::parameter(Tensor::from_vec(data.to_vec(), shape).unwrap())
}

#[test]
fn max_pool2d_hand_computed() {
    // 4x4 input, 2x2 windows, stride 2:
    //   1 5 | 2 0        max 5 at (0,1), max 4 at (1,3)
    //   3 2 | 1 4
    //   ----+----
    //   0 7 | 9 8        max 7 at (2,1), max 9 at (2,2)
    //   6 1 | 2 3
    let x = var(
        &[
            1., 5., 2., 0., 3., 2., 1., 4., 0., 7., 9., 8., 6., 1., 2., 3.,
        ],
        &[1, 1, 4, 4],
    );
    let y = max_pool2d(&x, &MaxPool2dOptions::new([2, 2])).unwrap();
    assert_eq!(y.value().to_vec(), vec![5., 4., 7., 9.]);
    // dL/dx = upstream gradient at each argmax, 0 elsewhere (not split, not 1/4 of it).
    let g = y
        .backward_with(Tensor::from_vec(vec![10., 20., 30., 40.], &[1, 1, 2, 2]).unwrap())
        .unwrap();
    #[rustfmt::skip]
    let want = vec![
        0., 10., 0., 0.,
        0., 0., 0., 20.,
        0., 30., 40., 0.,
        0., 0., 0., 0.,
    ];
    assert_eq!(g.get(&x).unwrap().to_vec(), want);
}

#[test]
fn avg_pool2d_hand_computed_with_padding() {
    // 2x2 input [[1, 2], [3, 4]], 2x2 windows, stride 1, padding 1 → 3x3 output. Each corner
    // window holds one input element, each edge window two, the centre window all four.
    let x = var(&[1., 2., 3., 4.], &[1, 1, 2, 2]);
    let opts = AvgPool2dOptions::new([2, 2])
        .with_stride([1, 1])
        .with_padding([1, 1]);
    // count_include_pad: always divide by 4.
    let y = avg_pool2d(&x, &opts).unwrap();
    assert_eq!(
        y.value().to_vec(),
        vec![0.25, 0.75, 0.5, 1.0, 2.5, 1.5, 0.75, 1.75, 1.0]
    );
    // d/dx of the sum: each input is in 4 windows, each with weight 1/4.
    assert_eq!(
        y.sum_all().backward().unwrap().get(&x).unwrap().to_vec(),
        vec![1.0; 4]
    );
    // Without the padding in the divisor: divide by the inputs covered.
    let y = avg_pool2d(&x, &opts.with_count_include_pad(false)).unwrap();
    assert_eq!(
        y.value().to_vec(),
        vec![1.0, 1.5, 2.0, 2.0, 2.5, 3.0, 3.0, 3.5, 4.0]
    );
    // Input (0,0) is in windows with 1, 2, 2 and 4 elements: 1 + 1/2 + 1/2 + 1/4.
    assert_eq!(
        y.sum_all().backward().unwrap().get(&x).unwrap().to_vec(),
        vec![2.25; 4]
    );
}

#[test]
fn avg_pool2d_ceil_window_past_padded_input_divides_by_clipped_size() {
    // 2x2 input, kernel 3, stride 2, ceil mode: one window of which only 2x2 lies in the
    // (unpadded) input, PyTorch divides by 2·2 = 4, not 9.
    let x = var(&[0., 1., 2., 3.], &[1, 1, 2, 2]);
    let opts = AvgPool2dOptions::new([3, 3])
        .with_stride([2, 2])
        .with_ceil_mode(true);
    assert_eq!(avg_pool2d(&x, &opts).unwrap().value().to_vec(), vec![1.5]);
    let y = max_pool2d(
        &x,
        &MaxPool2dOptions::new([3, 3])
            .with_stride([2, 2])
            .with_ceil_mode(true),
    )
    .unwrap();
    assert_eq!(y.value().to_vec(), vec![3.0]);
}

#[test]
fn ceil_mode_drops_a_window_that_starts_in_the_right_padding() {
    // H = 6, kernel 3, stride 4, padding 1: ⌈(6 + 2 − 3) / 4⌉ + 1 = 3 windows, but the third
    // would start at row 2·4 − 1 = 7, past the input (rows 0..6), so PyTorch keeps 2.
    let x = Var::constant(Tensor::ones(&[1, 1, 6, 6]));
    let opts = MaxPool2dOptions::new([3, 3])
        .with_stride([4, 4])
        .with_padding([1, 1])
        .with_ceil_mode(true);
    assert_eq!(max_pool2d(&x, &opts).unwrap().shape(), vec![1, 1, 2, 2]);
    assert_eq!(
        max_pool2d(&x, &opts.with_ceil_mode(false)).unwrap().shape(),
        vec![1, 1, 2, 2]
    );
    // H = 6, kernel 3, stride 2: floor gives 2 windows, ceil 3 (the last covers rows 4, 5 only).
    let x = Var::constant(Tensor::ones(&[1, 1, 6, 6]));
    let opts = MaxPool2dOptions::new([3, 3]).with_stride([2, 2]);
    assert_eq!(max_pool2d(&x, &opts).unwrap().shape(), vec![1, 1, 2, 2]);
    assert_eq!(
        max_pool2d(&x, &opts.with_ceil_mode(true)).unwrap().shape(),
        vec![1, 1, 3, 3]
    );
}

#[test]
fn max_pool2d_ties_go_to_the_first_maximum() {
    // All equal: each 2x2 window's gradient goes to its top-left element, in full.
    let x = Var::parameter(Tensor::ones(&[1, 1, 4, 4]));
    let y = max_pool2d(&x, &MaxPool2dOptions::new([2, 2])).unwrap();
    let g = y
        .backward_with(Tensor::from_vec(vec![1., 2., 3., 4.], &[1, 1, 2, 2]).unwrap())
        .unwrap();
    #[rustfmt::skip]
    let want = vec![
        1., 0., 2., 0.,
        0., 0., 0., 0.,
        3., 0., 4., 0.,
        0., 0., 0., 0.,
    ];
    assert_eq!(g.get(&x).unwrap().to_vec(), want);
    // A tie later in the window: [0, 2, 2, 1] → the 2 at position 1 (row-major first).
    let x = var(&[0., 2., 2., 1.], &[1, 1, 2, 2]);
    let g = max_pool2d(&x, &MaxPool2dOptions::new([2, 2]))
        .unwrap()
        .sum_all()
        .backward()
        .unwrap();
    assert_eq!(g.get(&x).unwrap().to_vec(), vec![0., 1., 0., 0.]);
    // Adaptive max pooling breaks ties the same way.
    let x = var(&[3., 1., 3., 3.], &[1, 1, 1, 4]);
    let g = adaptive_max_pool2d(&x, [1, 1])
        .unwrap()
        .sum_all()
        .backward()
        .unwrap();
    assert_eq!(g.get(&x).unwrap().to_vec(), vec![1., 0., 0., 0.]);
}

#[test]
fn overlapping_windows_accumulate_at_a_shared_maximum() {
    // 1x5 row, kernel 1x3, stride 1x1: windows [0..3), [1..4), [2..5) all have their max at 2.
    let x = var(&[1., 2., 9., 3., 4.], &[1, 1, 1, 5]);
    let opts = MaxPool2dOptions::new([1, 3]).with_stride([1, 1]);
    let y = max_pool2d(&x, &opts).unwrap();
    assert_eq!(y.value().to_vec(), vec![9., 9., 9.]);
    let g = y
        .backward_with(Tensor::from_vec(vec![1., 10., 100.], &[1, 1, 1, 3]).unwrap())
        .unwrap();
    assert_eq!(g.get(&x).unwrap().to_vec(), vec![0., 0., 111., 0., 0.]);
}

#[test]
fn input_used_twice_accumulates_gradients() {
    // L = Σ maxpool(x) + Σ avgpool(x): dL/dx = argmax indicator + 1/4 everywhere.
    let x = var(&[1., 5., 2., 0., 3., 2., 1., 4.], &[1, 1, 2, 4]);
    let m = max_pool2d(&x, &MaxPool2dOptions::new([2, 2])).unwrap();
    let a = avg_pool2d(&x, &AvgPool2dOptions::new([2, 2])).unwrap();
    let g = m.add(&a).unwrap().sum_all().backward().unwrap();
    assert_eq!(
        g.get(&x).unwrap().to_vec(),
        vec![0.25, 1.25, 0.25, 0.25, 0.25, 0.25, 0.25, 1.25]
    );
}

#[test]
fn max_pool2d_padding_is_minus_infinity() {
    // All-negative input with padding: a padded window's max is the input's, never 0.
    let x = Var::constant(Tensor::full(&[1, 1, 2, 2], -3.0));
    let opts = MaxPool2dOptions::new([2, 2])
        .with_stride([1, 1])
        .with_padding([1, 1]);
    assert_eq!(
        max_pool2d(&x, &opts).unwrap().value().to_vec(),
        vec![-3.0; 9]
    );
}

#[test]
fn max_pool2d_propagates_nan() {
    let x = Var::constant(Tensor::from_vec(vec![1., f32::NAN, 2., 3.], &[1, 1, 2, 2]).unwrap());
    let y = max_pool2d(&x, &MaxPool2dOptions::new([2, 2]))
        .unwrap()
        .value()
        .to_vec();
    assert!(y[0].is_nan());
}

#[test]
fn adaptive_bins_match_the_formula() {
    // 7 rows into 3 bins: [0, 3), [2, 5), [4, 7); means of 0..7 are 1, 3, 5.
    let x = Var::constant(
        Tensor::arange(0.0, 7.0, 1.0)
            .unwrap()
            .reshape(&[1, 1, 7, 1])
            .unwrap(),
    );
    assert_eq!(
        adaptive_avg_pool2d(&x, [3, 1]).unwrap().value().to_vec(),
        vec![1.0, 3.0, 5.0]
    );
    assert_eq!(
        adaptive_max_pool2d(&x, [3, 1]).unwrap().value().to_vec(),
        vec![2.0, 4.0, 6.0]
    );
    // More bins than rows: 2 rows into 3 bins [0, 1), [0, 2), [1, 2).
    let x = var(&[1., 4.], &[1, 1, 2, 1]);
    let y = adaptive_avg_pool2d(&x, [3, 1]).unwrap();
    assert_eq!(y.value().to_vec(), vec![1.0, 2.5, 4.0]);
    assert_eq!(
        y.sum_all().backward().unwrap().get(&x).unwrap().to_vec(),
        vec![1.5, 1.5]
    );
}

#[test]
fn layers_match_functional_and_have_pytorch_names() {
    let x = Var::constant(distinct(&[2, 3, 9, 8], 7));
    let max = MaxPool2dConfig::new([3, 3])
        .with_stride([2, 2])
        .with_padding([1, 1])
        .with_ceil_mode(true)
        .init()
        .unwrap();
    let want = max_pool2d(
        &x,
        &MaxPool2dOptions::new([3, 3])
            .with_stride([2, 2])
            .with_padding([1, 1])
            .with_ceil_mode(true),
    )
    .unwrap();
    assert_eq!(max.kind(), "MaxPool2d");
    assert_eq!(
        max.forward(&x).unwrap().value().to_vec(),
        want.value().to_vec()
    );
    assert!(max.parameters().is_empty());

    let avg = AvgPool2dConfig::new([2, 2])
        .with_count_include_pad(false)
        .with_padding([1, 0])
        .init()
        .unwrap();
    let want = avg_pool2d(
        &x,
        &AvgPool2dOptions::new([2, 2])
            .with_count_include_pad(false)
            .with_padding([1, 0]),
    )
    .unwrap();
    assert_eq!(avg.kind(), "AvgPool2d");
    assert_eq!(
        avg.forward(&x).unwrap().value().to_vec(),
        want.value().to_vec()
    );

    let amax = AdaptiveMaxPool2dConfig::new([4, 3]).init().unwrap();
    assert_eq!(amax.kind(), "AdaptiveMaxPool2d");
    assert_eq!(
        amax.forward(&x).unwrap().value().to_vec(),
        adaptive_max_pool2d(&x, [4, 3]).unwrap().value().to_vec()
    );
    let aavg = AdaptiveAvgPool2dConfig::new([4, 3]).init().unwrap();
    assert_eq!(aavg.kind(), "AdaptiveAvgPool2d");
    assert_eq!(
        aavg.forward(&x).unwrap().value().to_vec(),
        adaptive_avg_pool2d(&x, [4, 3]).unwrap().value().to_vec()
    );
}

#[test]
fn configs_have_pytorch_defaults() {
    let m = MaxPool2dConfig::new([3, 2]).options;
    assert_eq!(
        (m.stride, m.padding, m.dilation, m.ceil_mode),
        ([3, 2], [0, 0], [1, 1], false)
    );
    let a = AvgPool2dConfig::new([3, 2]).options;
    assert_eq!(
        (a.stride, a.padding, a.ceil_mode, a.count_include_pad),
        ([3, 2], [0, 0], false, true)
    );
}

#[test]
fn layers_reject_bad_settings_at_construction() {
    let msg = |r: Result<String>| r.unwrap_err().to_string();
    assert_eq!(
        msg(MaxPool2dConfig::new([0, 2]).init().map(|l| l.kind().into())),
        "MaxPool2d: kernel_size [0, 2] and stride [0, 2] must be positive"
    );
    assert_eq!(
        msg(MaxPool2dConfig::new([2, 2])
            .with_stride([2, 0])
            .init()
            .map(|l| l.kind().into())),
        "MaxPool2d: kernel_size [2, 2] and stride [2, 0] must be positive"
    );
    assert_eq!(
        msg(MaxPool2dConfig::new([3, 3])
            .with_dilation([0, 1])
            .init()
            .map(|l| l.kind().into())),
        "MaxPool2d: dilation [0, 1] must be positive"
    );
    // PyTorch: "pad should be smaller than or equal to half of kernel size"; dilation does not help.
    assert_eq!(
        msg(MaxPool2dConfig::new([3, 3])
            .with_padding([2, 1])
            .with_dilation([2, 2])
            .init()
            .map(|l| l.kind().into())),
        "MaxPool2d: padding [2, 1] must be at most half of kernel_size [3, 3]"
    );
    assert_eq!(
        msg(AvgPool2dConfig::new([2, 4])
            .with_padding([1, 3])
            .init()
            .map(|l| l.kind().into())),
        "AvgPool2d: padding [1, 3] must be at most half of kernel_size [2, 4]"
    );
    assert_eq!(
        msg(AvgPool2dConfig::new([2, 2])
            .with_stride([0, 0])
            .init()
            .map(|l| l.kind().into())),
        "AvgPool2d: kernel_size [2, 2] and stride [0, 0] must be positive"
    );
    assert_eq!(
        msg(AdaptiveMaxPool2dConfig::new([2, 0])
            .init()
            .map(|l| l.kind().into())),
        "AdaptiveMaxPool2d: output_size [2, 0] must be positive"
    );
    assert_eq!(
        msg(AdaptiveAvgPool2dConfig::new([0, 0])
            .init()
            .map(|l| l.kind().into())),
        "AdaptiveAvgPool2d: output_size [0, 0] must be positive"
    );
}

#[test]
fn bad_inputs_are_typed_errors() {
    let x = |shape: &[usize]| Var::constant(Tensor::zeros(shape));
    let msg = |r: Result<Var>| r.unwrap_err().to_string();
    let max = MaxPool2dOptions::new([3, 3]);
    let avg = AvgPool2dOptions::new([3, 3]).with_padding([1, 0]);

    // Kernel larger than the padded input.
    assert_eq!(
        msg(max_pool2d(&x(&[1, 1, 2, 5]), &max)),
        "max_pool2d: kernel_size [3, 3] with dilation [1, 1] is larger than the input padded by [0, 0] (shape [1, 1, 2, 5])"
    );
    assert_eq!(
        msg(max_pool2d(
            &x(&[1, 1, 2, 9]),
            &max.with_dilation([2, 2]).with_padding([1, 1])
        )),
        "max_pool2d: kernel_size [3, 3] with dilation [2, 2] is larger than the input padded by [1, 1] (shape [1, 1, 2, 9])"
    );
    assert_eq!(
        msg(avg_pool2d(&x(&[1, 1, 5, 2]), &avg)),
        "avg_pool2d: kernel_size [3, 3] is larger than the input padded by [1, 0] (shape [1, 1, 5, 2])"
    );
    // Not 4-d.
    assert_eq!(
        msg(max_pool2d(&x(&[1, 4, 4]), &max)),
        "max_pool2d: input must be [N, C, H, W] (shape [1, 4, 4])"
    );
    assert_eq!(
        msg(avg_pool2d(&x(&[1, 1, 1, 4, 4]), &avg)),
        "avg_pool2d: input must be [N, C, H, W] (shape [1, 1, 1, 4, 4])"
    );
    assert_eq!(
        msg(adaptive_max_pool2d(&x(&[4, 4]), [2, 2])),
        "adaptive_max_pool2d: input must be [N, C, H, W] (shape [4, 4])"
    );
    // Empty.
    assert_eq!(
        msg(max_pool2d(&x(&[0, 1, 4, 4]), &max)),
        "max_pool2d: input is empty (shape [0, 1, 4, 4])"
    );
    assert_eq!(
        msg(avg_pool2d(&x(&[1, 0, 4, 4]), &avg)),
        "avg_pool2d: input is empty (shape [1, 0, 4, 4])"
    );
    assert_eq!(
        msg(adaptive_avg_pool2d(&x(&[1, 1, 0, 4]), [1, 1])),
        "adaptive_avg_pool2d: input is empty (shape [1, 1, 0, 4])"
    );
    // Settings checked by the functions too.
    assert_eq!(
        msg(max_pool2d(
            &x(&[1, 1, 4, 4]),
            &MaxPool2dOptions::new([2, 2]).with_padding([2, 2])
        )),
        "max_pool2d: padding [2, 2] must be at most half of kernel_size [2, 2]"
    );
    assert_eq!(
        msg(adaptive_max_pool2d(&x(&[1, 1, 4, 4]), [0, 2])),
        "adaptive_max_pool2d: output_size [0, 2] must be positive"
    );
    // A layer's error carries its path in a network.
    let net =
        fovea_layers::Sequential::new().add("pool1", MaxPool2dConfig::new([3, 3]).init().unwrap());
    assert_eq!(
        net.forward(&x(&[1, 1, 2, 2])).unwrap_err().to_string(),
        "pool1: max_pool2d: kernel_size [3, 3] with dilation [1, 1] is larger than the input padded by [0, 0] (shape [1, 1, 2, 2])"
    );
}

/// The dedicated 2x2/2 loop must resolve ties and NaN exactly as the general one (and PyTorch):
/// the first maximum in row-major window order gets the gradient; a NaN wins.
#[test]
fn max_pool_2x2_fast_path_ties_and_nan() {
    // Plane 0: all equal → argmax top-left of each window. Plane 1: the tie is between the
    // bottom-left and bottom-right taps → bottom-left. Plane 2: a NaN at the top-right tap.
    let plane0 = [5., 5., 5., 5., 5., 5., 5., 5.];
    let plane1 = [0., 0., 0., 0., 7., 7., 7., 7.];
    let plane2 = [1., f32::NAN, 9., 9., 2., 3., 4., 8.];
    let data = [plane0, plane1, plane2].concat();
    let x = fovea_autograd::Var::parameter(Tensor::from_vec(data, &[1, 3, 2, 4]).unwrap());
    let y = max_pool2d(&x, &MaxPool2dOptions::new([2, 2])).unwrap();
    let out = y.value().to_vec();
    assert_eq!(&out[..4], &[5., 5., 7., 7.]);
    assert!(out[4].is_nan() && out[5] == 9.0);
    let g = y.backward_with(Tensor::ones(&[1, 3, 1, 2])).unwrap();
    let dx = g.get(&x).unwrap().to_vec();
    assert_eq!(&dx[..8], &[1., 0., 1., 0., 0., 0., 0., 0.]);
    assert_eq!(&dx[8..16], &[0., 0., 0., 0., 1., 0., 1., 0.]);
    assert_eq!(&dx[16..], &[0., 1., 1., 0., 0., 0., 0., 0.]);
}
