//! Local response normalisation: golden values from PyTorch in both conventions, gradchecks for
//! odd and even window sizes, the fused kernel against the composed oracle (forward and
//! backward), a hand-derived gradient, the AlexNet preset, edges and errors.

use fovea_autograd::{GradcheckOptions, Var, gradcheck};
use fovea_layers::Module;
use fovea_layers::functional::{
    LrnConfig, LrnConvention, local_response_norm, local_response_norm_composed,
};
use fovea_tensor::{Tensor, seeded_rng};

use crate::activation::golden;

fn randn(shape: &[usize], scale: f32, seed: u64) -> Tensor {
    Tensor::rand_normal(shape, 0.0, scale, &mut seeded_rng(seed)).unwrap()
}

/// The config a fixture case describes.
fn fixture_config(case: &serde_json::Value) -> LrnConfig {
    let num = |key| golden::option(case, key) as f32;
    match case["options"]["convention"].as_str().unwrap() {
        "pytorch" => LrnConfig::pytorch(
            golden::option(case, "size") as usize,
            num("alpha"),
            num("beta"),
            num("k"),
        ),
        "tensorflow" => LrnConfig::tensorflow(
            golden::option(case, "depth_radius") as usize,
            num("bias"),
            num("alpha"),
            num("beta"),
        ),
        other => panic!("unknown convention {other}"),
    }
}

#[test]
fn golden_forward_and_backward_match_pytorch() {
    let cases = golden::load("lrn");
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    // The fixture covers odd and even windows and the AlexNet preset.
    for needed in ["lrn_size2", "lrn_size3", "lrn_size5", "lrn_alexnet"] {
        assert!(names.contains(&needed), "fixture lacks {needed}");
    }
    let mut fused = golden::Checker::default();
    let mut composed = golden::Checker::default();
    for case in &cases {
        let config = fixture_config(case);
        if case["name"] == "lrn_alexnet" {
            assert_eq!(config, LrnConfig::alexnet());
        }
        let x = golden::input(case, "x");
        fused.check_case(
            case,
            &local_response_norm(&x, &config).unwrap(),
            &[("x", &x)],
        );
        let x = golden::input(case, "x");
        composed.check_case(
            case,
            &local_response_norm_composed(&x, &config).unwrap(),
            &[("x", &x)],
        );
    }
    fused.finish("lrn (fused)");
    composed.finish("lrn (composed)");
}

/// Configs with a large γ, so that the cross-channel part of the gradient is as large as the
/// direct part: sizes 2, 3, 5 (and 4) in both conventions. The TensorFlow convention only has odd
/// windows through its constructor; the even one is written out.
fn gradcheck_configs() -> Vec<LrnConfig> {
    vec![
        LrnConfig::pytorch(2, 1.0, 0.75, 1.0),
        LrnConfig::pytorch(3, 1.5, 0.6, 1.0),
        LrnConfig::pytorch(4, 2.0, 0.5, 1.0),
        LrnConfig::pytorch(5, 2.5, 0.75, 2.0),
        LrnConfig {
            size: 2,
            alpha: 0.5,
            beta: 1.0,
            k: 1.0,
            convention: LrnConvention::TensorFlow,
        },
        LrnConfig::tensorflow(1, 1.0, 0.5, 0.75),
        LrnConfig::tensorflow(2, 2.0, 0.5, 0.75),
        LrnConfig::alexnet(),
    ]
}

#[test]
fn gradcheck_fused_and_composed_both_conventions() {
    let x = randn(&[2, 6, 2, 3], 1.0, 1);
    for config in gradcheck_configs() {
        for (name, composed) in [("fused", false), ("composed", true)] {
            let f = |v: &[Var]| {
                if composed {
                    local_response_norm_composed(&v[0], &config)
                } else {
                    local_response_norm(&v[0], &config)
                }
            };
            let report =
                gradcheck(f, std::slice::from_ref(&x), GradcheckOptions::default()).unwrap();
            eprintln!(
                "lrn {name} size {} {:?}: gradcheck max rel error {:.2e}, max abs {:.2e}",
                config.size,
                config.convention,
                report.max_rel_error(),
                report.max_abs_error()
            );
            assert!(report.passed(), "{name} {config:?}: {report}");
        }
    }
}

/// max |a − b| / (atol + |b|) over the elements.
fn worst_ratio(got: &Tensor, want: &Tensor, atol: f32) -> f32 {
    assert_eq!(got.shape(), want.shape());
    got.to_vec()
        .iter()
        .zip(want.to_vec())
        .map(|(a, b)| (a - b).abs() / (atol + b.abs()))
        .fold(0.0, f32::max)
}

/// The fused kernel's error against the oracle: (elementwise check, max |a − b| / max |b|).
///
/// Each element must satisfy `|a − b| ≤ 1e-5·|b| + 1e-6·max|b|`. The absolute part scales with
/// the tensor because a gradient element that cancels to nearly 0 (`g·p` against the
/// cross-channel term, e.g. `1 − 2β·a²/s ≈ 0` for window 1) keeps the rounding of its terms, a few
/// ulps of the largest values (measured: ≤ 5e-7 on values up to 4); a purely relative test
/// would demand more digits than either implementation has there.
fn against_oracle(got: &Tensor, want: &Tensor) -> (bool, f32) {
    assert_eq!(got.shape(), want.shape());
    let (got, want) = (got.to_vec(), want.to_vec());
    let scale = want.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let ok = got
        .iter()
        .zip(&want)
        .all(|(a, b)| (a - b).abs() <= 1e-5 * b.abs() + 1e-6 * scale);
    let max_abs = got
        .iter()
        .zip(&want)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    (ok, max_abs / scale)
}

#[test]
fn fused_kernel_matches_composed_oracle() {
    // Shapes with 1 and 2 channels (windows larger than C), a map larger than one 256-position
    // tile with a partial last tile (20×20 = 400), and 3-d and 5-d inputs.
    let shapes: [&[usize]; 6] = [
        &[3, 16, 5, 7],
        &[2, 1, 4, 4],
        &[2, 2, 3, 3],
        &[2, 9, 20, 20],
        &[4, 7, 11],
        &[2, 5, 3, 2, 4],
    ];
    let configs = [
        LrnConfig::pytorch(1, 1.0, 0.75, 1.0),
        LrnConfig::pytorch(2, 1.0, 0.75, 1.0),
        LrnConfig::pytorch(3, 0.8, 0.6, 1.5),
        LrnConfig::pytorch(4, 1.2, 0.5, 1.0),
        LrnConfig::pytorch(5, 2.0, 1.0, 1.0),
        LrnConfig::pytorch(6, 1.0, 0.75, 0.5),
        LrnConfig::pytorch(7, 3.0, 0.9, 1.0),
        LrnConfig::alexnet(),
        LrnConfig::tensorflow(3, 1.0, 0.2, 0.75),
    ];
    let (mut worst_forward, mut worst_backward) = (0.0f32, 0.0f32);
    for (s, shape) in shapes.iter().enumerate() {
        for (c, config) in configs.iter().enumerate() {
            let seed = (10 * s + c) as u64;
            let xt = randn(shape, 2.0, seed);
            let g = randn(shape, 1.0, seed + 1000);
            let (x1, x2) = (Var::parameter(xt.clone()), Var::parameter(xt));
            let (y1, y2) = (
                local_response_norm(&x1, config).unwrap(),
                local_response_norm_composed(&x2, config).unwrap(),
            );
            let (forward_ok, forward) = against_oracle(&y1.value(), &y2.value());
            let d1 = y1
                .backward_with(g.clone())
                .unwrap()
                .get(&x1)
                .unwrap()
                .clone();
            let d2 = y2.backward_with(g).unwrap().get(&x2).unwrap().clone();
            let (backward_ok, backward) = against_oracle(&d1, &d2);
            assert!(
                forward_ok && backward_ok,
                "{shape:?} {config:?}: forward {forward:e}, backward {backward:e}"
            );
            worst_forward = worst_forward.max(forward);
            worst_backward = worst_backward.max(backward);
        }
    }
    eprintln!(
        "lrn fused vs composed: max |diff| / max |value|: forward {worst_forward:.2e}, backward {worst_backward:.2e}"
    );
}

#[test]
fn hand_derived_single_channel() {
    // One channel, window 1, β = 1, γ = α = 0.5, k = 1: b = a / (1 + a²/2).
    // db/da = (1 + a²/2 − a·a) / (1 + a²/2)² = (1 − a²/2) / (1 + a²/2)²; at a = 2: −1/9.
    let x = Var::parameter(Tensor::full(&[1, 1, 1], 2.0));
    let y = local_response_norm(&x, &LrnConfig::pytorch(1, 0.5, 1.0, 1.0)).unwrap();
    assert!((y.value().to_vec()[0] - 2.0 / 3.0).abs() < 1e-7);
    let dx = y.sum_all().backward().unwrap().get(&x).unwrap().to_vec()[0];
    assert!((dx + 1.0 / 9.0).abs() < 1e-7, "{dx}");
}

#[test]
fn hand_derived_two_channels_even_window() {
    // Window 2 covers channels [c − 1, c]: s_0 = k + γa_0², s_1 = k + γ(a_0² + a_1²).
    // With β = 1, γ = α/2 = 1, k = 1, a = (1, 2): s = (2, 6), b = (1/2, 1/3).
    // ∂(b_0 + b_1)/∂a_0 = 1/s_0 − 2a_0²/s_0² − 2a_0·a_1/s_1² = 1/2 − 1/2 − 4/36 = −1/9
    // ∂(b_0 + b_1)/∂a_1 = 1/s_1 − 2a_1²/s_1² = 1/6 − 8/36 = −1/18
    let x = Var::parameter(Tensor::from_vec(vec![1.0, 2.0], &[1, 2, 1]).unwrap());
    let config = LrnConfig::pytorch(2, 2.0, 1.0, 1.0);
    let y = local_response_norm(&x, &config).unwrap();
    let got = y.value().to_vec();
    assert!(
        (got[0] - 0.5).abs() < 1e-7 && (got[1] - 1.0 / 3.0).abs() < 1e-7,
        "{got:?}"
    );
    let dx = y.sum_all().backward().unwrap().get(&x).unwrap().to_vec();
    assert!(
        (dx[0] + 1.0 / 9.0).abs() < 1e-7 && (dx[1] + 1.0 / 18.0).abs() < 1e-7,
        "{dx:?}"
    );
}

#[test]
fn input_used_twice_accumulates() {
    let xt = randn(&[1, 4, 2, 2], 1.0, 3);
    let config = LrnConfig::pytorch(3, 1.0, 0.75, 1.0);
    let x = Var::parameter(xt.clone());
    let once = local_response_norm(&x, &config)
        .unwrap()
        .sum_all()
        .backward()
        .unwrap()
        .get(&x)
        .unwrap()
        .clone();
    let y = local_response_norm(&x, &config)
        .unwrap()
        .add(&local_response_norm(&x, &config).unwrap())
        .unwrap();
    let twice = y.sum_all().backward().unwrap().get(&x).unwrap().clone();
    assert!(twice.all_close(&once.mul_scalar(2.0), 1e-6, 1e-7));
}

#[test]
fn zero_input_gives_zero_output_and_the_k_gradient() {
    // a = 0: s = k everywhere, b = 0 and ∂L/∂a = g·k^(−β) (the cross term has a factor a).
    let x = Var::parameter(Tensor::zeros(&[1, 3, 2, 2]));
    let y = local_response_norm(&x, &LrnConfig::pytorch(3, 1.0, 0.75, 16.0)).unwrap();
    assert_eq!(y.value().to_vec(), vec![0.0; 12]);
    let dx = y
        .backward_with(Tensor::full(&[1, 3, 2, 2], 2.0))
        .unwrap()
        .get(&x)
        .unwrap()
        .to_vec();
    assert!(dx.iter().all(|&d| (d - 2.0 / 8.0).abs() < 1e-7), "{dx:?}"); // 16^(−3/4) = 1/8
}

#[test]
fn alexnet_preset_is_the_paper_convention() {
    let alexnet = LrnConfig::alexnet();
    assert_eq!(
        (alexnet.size, alexnet.alpha, alexnet.beta, alexnet.k),
        (5, 1e-4, 0.75, 2.0)
    );
    assert_eq!(alexnet.convention, LrnConvention::TensorFlow);
    assert_eq!(alexnet, LrnConfig::tensorflow(2, 2.0, 1e-4, 0.75));
    // The same function as PyTorch's LocalResponseNorm(5, alpha = 5e-4, beta = 0.75, k = 2).
    let x = Var::constant(randn(&[2, 8, 5, 5], 10.0, 4));
    let a = local_response_norm(&x, &alexnet).unwrap().value();
    let b = local_response_norm(&x, &LrnConfig::pytorch(5, 5e-4, 0.75, 2.0))
        .unwrap()
        .value();
    assert!(worst_ratio(&a, &b, 1e-6) < 1e-6);
    // ... and not the one with α divided twice.
    let c = local_response_norm(&x, &LrnConfig::pytorch(5, 1e-4, 0.75, 2.0))
        .unwrap()
        .value();
    assert!(worst_ratio(&a, &c, 1e-6) > 1e-3);
}

#[test]
fn bad_configs_and_inputs_are_typed_errors() {
    let err = LrnConfig::new(0).init().unwrap_err();
    assert!(matches!(err, fovea_tensor::Error::InvalidArgument { .. }));
    assert_eq!(
        err.to_string(),
        "LocalResponseNorm: size must be at least 1, got 0"
    );
    let x = Var::constant(Tensor::ones(&[1, 3, 2, 2]));
    let err = local_response_norm(&x, &LrnConfig::new(0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "local_response_norm: size must be at least 1, got 0"
    );
    let err = local_response_norm_composed(&x, &LrnConfig::new(0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "local_response_norm: size must be at least 1, got 0"
    );
    let err = LrnConfig::new(3).with_k(-1.0).init().unwrap_err();
    assert_eq!(
        err.to_string(),
        "LocalResponseNorm: alpha, beta and k must be finite with alpha >= 0 and k >= 0, got alpha 0.0001, beta 0.75, k -1"
    );
    let err =
        local_response_norm(&Var::constant(Tensor::ones(&[3, 4])), &LrnConfig::new(3)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "local_response_norm: input must be [N, C, ...] with at least 3 axes (shape [3, 4])"
    );
}

#[test]
fn layer_runs_the_fused_kernel() {
    let lrn = LrnConfig::pytorch(3, 1.0, 0.75, 1.0).init().unwrap();
    assert_eq!(lrn.kind(), "LocalResponseNorm");
    assert!(lrn.parameters().is_empty());
    let x = Var::parameter(randn(&[2, 5, 3, 3], 1.0, 6));
    let y = lrn.forward(&x).unwrap();
    assert_eq!(y.op_name(), Some("local_response_norm"));
    let want = local_response_norm_composed(&x, &lrn.config)
        .unwrap()
        .value();
    assert!(worst_ratio(&y.value(), &want, 1e-6) < 1e-5);
    // An empty batch passes through.
    let empty = lrn
        .forward(&Var::constant(Tensor::zeros(&[0, 5, 3, 3])))
        .unwrap();
    assert_eq!(empty.shape(), vec![0, 5, 3, 3]);
}
