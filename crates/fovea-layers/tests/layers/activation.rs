//! The ReLU family (LeakyReLU, PReLU, RReLU, ELU): golden values from PyTorch, gradchecks,
//! hand-derived gradients, the edges at x = 0, RReLU's sampled slopes, and the errors.
//!
//! Also home of [`golden`], the fixture reader shared with the LRN tests (`tests/layers.rs`
//! belongs to the whole crate, so the helper lives in the first family that needed it).

use fovea_autograd::{GradcheckOptions, Var, gradcheck};
use fovea_layers::functional::{elu, leaky_relu, prelu, rrelu};
use fovea_layers::{Elu, LeakyRelu, Module, ModuleExt, PreluConfig, RreluConfig};
use fovea_tensor::{Tensor, seeded_rng};

/// Golden fixtures written by `scripts/golden_lrn_act.py` (format in its header): loading, and
/// comparing fovea with PyTorch elementwise with `|got − want| ≤ ATOL + RTOL·|want|`.
pub(crate) mod golden {
    use fovea_autograd::Var;
    use fovea_tensor::Tensor;
    use serde_json::Value;

    /// PyTorch and fovea agree to a few f32 ulps on these small, well-conditioned cases.
    pub const RTOL: f32 = 1e-5;
    /// For values that should be 0 but come out as rounding noise (gradients that cancel).
    pub const ATOL: f32 = 1e-6;

    pub use crate::fixtures::{load, tensor};

    /// Input `name` of a case, as a parameter so that it receives a gradient.
    pub fn input(case: &Value, name: &str) -> Var {
        Var::parameter(tensor(&case["inputs"][name]))
    }

    /// A number from a case's options.
    pub fn option(case: &Value, key: &str) -> f64 {
        case["options"][key]
            .as_f64()
            .unwrap_or_else(|| panic!("{}: option {key}", case["name"]))
    }

    /// Compares one family's outputs and gradients, keeps the worst error for the report and
    /// collects every mismatch so that one run shows them all.
    #[derive(Default)]
    pub struct Checker {
        pub compared: usize,
        pub max_abs: f32,
        pub failures: Vec<String>,
    }

    impl Checker {
        fn check(&mut self, case: &str, quantity: &str, got: &Tensor, want: &Value) {
            let want = tensor(want);
            if got.shape() != want.shape() {
                self.failures.push(format!(
                    "{case}: {quantity} shape {:?}, PyTorch {:?}",
                    got.shape(),
                    want.shape()
                ));
                return;
            }
            for (i, (&a, &b)) in got.to_vec().iter().zip(want.to_vec().iter()).enumerate() {
                let err = (a - b).abs();
                self.compared += 1;
                self.max_abs = self.max_abs.max(err);
                // A NaN on either side fails too.
                if err.is_nan() || err > ATOL + RTOL * b.abs() {
                    self.failures
                        .push(format!("{case}: {quantity}[{i}] = {a:e}, PyTorch {b:e}"));
                }
            }
        }

        /// Checks the output, backwards the fixture's upstream gradient and checks every
        /// input's gradient.
        pub fn check_case(&mut self, case: &Value, output: &Var, inputs: &[(&str, &Var)]) {
            let name = case["name"].as_str().expect("case name");
            self.check(name, "output", &output.value(), &case["output"]);
            let grads = output
                .backward_with(tensor(&case["grad_output"]))
                .expect("backward");
            for (input, var) in inputs {
                match grads.get(var) {
                    Some(got) => {
                        self.check(name, &format!("grad {input}"), got, &case["grads"][*input])
                    }
                    None => self
                        .failures
                        .push(format!("{name}: no gradient for {input}")),
                }
            }
        }

        /// Fails listing every mismatch; prints the worst error for the record.
        pub fn finish(self, family: &str) {
            eprintln!(
                "{family}: {} values, max |fovea − PyTorch| = {:.2e}",
                self.compared, self.max_abs
            );
            assert!(self.compared > 0, "{family}: nothing compared");
            assert!(
                self.failures.is_empty(),
                "{family}: {} mismatches:\n{}",
                self.failures.len(),
                self.failures.join("\n")
            );
        }
    }
}

/// Normal values pushed at least 0.1 away from 0, so that finite differences of step 1e-3 never
/// straddle a kink.
fn away_from_zero(shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_normal(shape, 0.0, 1.0, &mut seeded_rng(seed))
        .unwrap()
        .map(|v| v + 0.1f32.copysign(v))
}

fn check_gradient(name: &str, f: impl Fn(&[Var]) -> fovea_tensor::Result<Var>, inputs: &[Tensor]) {
    let report = gradcheck(f, inputs, GradcheckOptions::default()).unwrap();
    eprintln!(
        "{name}: gradcheck max rel error {:.2e}, max abs {:.2e}",
        report.max_rel_error(),
        report.max_abs_error()
    );
    assert!(report.passed(), "{name}: {report}");
}

#[test]
fn golden_forward_and_backward_match_pytorch() {
    let mut checker = golden::Checker::default();
    for case in golden::load("activation") {
        let x = golden::input(&case, "x");
        match case["op"].as_str().unwrap() {
            "leaky_relu" => {
                let y = leaky_relu(&x, golden::option(&case, "negative_slope") as f32);
                checker.check_case(&case, &y, &[("x", &x)]);
            }
            "elu" => {
                let y = elu(&x, golden::option(&case, "alpha") as f32);
                checker.check_case(&case, &y, &[("x", &x)]);
            }
            "prelu" => {
                let w = golden::input(&case, "weight");
                let y = prelu(&x, &w).unwrap();
                checker.check_case(&case, &y, &[("x", &x), ("weight", &w)]);
            }
            "rrelu_eval" => {
                let (lower, upper) = (
                    golden::option(&case, "lower") as f32,
                    golden::option(&case, "upper") as f32,
                );
                let y = rrelu(&x, lower, upper, false, &mut seeded_rng(0)).unwrap();
                checker.check_case(&case, &y, &[("x", &x)]);
            }
            op => panic!("unknown op {op}"),
        }
    }
    checker.finish("activation");
}

#[test]
fn gradcheck_leaky_relu_and_elu() {
    let x = away_from_zero(&[2, 3, 4], 1);
    for slope in [0.01, 0.2, -0.5] {
        check_gradient(
            &format!("leaky_relu({slope})"),
            |v| Ok(leaky_relu(&v[0], slope)),
            std::slice::from_ref(&x),
        );
    }
    for alpha in [1.0, 0.5] {
        check_gradient(
            &format!("elu({alpha})"),
            |v| Ok(elu(&v[0], alpha)),
            std::slice::from_ref(&x),
        );
    }
}

#[test]
fn gradcheck_prelu_input_and_slopes() {
    let x = away_from_zero(&[2, 3, 3, 3], 2);
    // One shared slope, and one per channel; slopes of both signs and above 1.
    let shared = Tensor::from_vec(vec![0.3], &[1]).unwrap();
    let per_channel = Tensor::from_vec(vec![0.25, -0.4, 1.5], &[3]).unwrap();
    for (name, w) in [("prelu 1 slope", shared), ("prelu 3 slopes", per_channel)] {
        let report = gradcheck(
            |v| prelu(&v[0], &v[1]),
            &[x.clone(), w],
            GradcheckOptions::default(),
        )
        .unwrap();
        eprintln!(
            "{name}: gradcheck max rel error {:.2e} (x: {:.2e}, weight: {:.2e})",
            report.max_rel_error(),
            report.inputs[0].max_rel_error,
            report.inputs[1].max_rel_error
        );
        assert!(report.passed(), "{name}: {report}");
        // Both inputs really received a non-negligible gradient that was checked.
        assert!(report.inputs.iter().all(|r| r.passed));
    }
}

#[test]
fn gradcheck_rrelu_eval_and_train() {
    let x = away_from_zero(&[3, 4, 5], 3);
    check_gradient(
        "rrelu eval",
        |v| rrelu(&v[0], 0.125, 1.0 / 3.0, false, &mut seeded_rng(0)),
        std::slice::from_ref(&x),
    );
    // A fresh generator with the same seed on every call: every finite-difference evaluation sees
    // the same slopes as the analytic pass, so a backward that resampled would fail here.
    check_gradient(
        "rrelu train",
        |v| rrelu(&v[0], 0.125, 1.0 / 3.0, true, &mut seeded_rng(5)),
        std::slice::from_ref(&x),
    );
}

#[test]
fn rrelu_train_gradient_is_the_sampled_slope() {
    let xt = away_from_zero(&[400], 4);
    let x = Var::parameter(xt.clone());
    let y = rrelu(&x, 0.1, 0.3, true, &mut seeded_rng(11)).unwrap();
    let g = Tensor::rand_normal(&[400], 0.0, 1.0, &mut seeded_rng(12)).unwrap();
    let dx = y
        .backward_with(g.clone())
        .unwrap()
        .get(&x)
        .unwrap()
        .to_vec();
    let (xs, ys, gs) = (xt.to_vec(), y.value().to_vec(), g.to_vec());
    let mut negatives = 0;
    for i in 0..xs.len() {
        if xs[i] > 0.0 {
            assert_eq!(ys[i], xs[i]);
            assert_eq!(dx[i], gs[i]);
        } else {
            negatives += 1;
            let slope = ys[i] / xs[i];
            assert!((0.1..=0.3 + 1e-6).contains(&slope), "slope {slope}");
            // ∂L/∂x = g·slope with the slope used in the forward pass.
            assert!(
                (dx[i] - gs[i] * slope).abs() <= 1e-6 * (1.0 + gs[i].abs()),
                "element {i}"
            );
        }
    }
    assert!(negatives > 150, "{negatives} negative inputs");
}

#[test]
fn rrelu_train_slopes_are_uniform_and_fresh() {
    let n = 100_000;
    let (lower, upper) = (1.0f32 / 8.0, 1.0f32 / 3.0);
    let rrelu_layer = RreluConfig::default().with_seed(3).init().unwrap();
    let x = Var::constant(Tensor::full(&[n], -1.0));
    let slopes: Vec<f32> = rrelu_layer
        .forward(&x)
        .unwrap()
        .value()
        .to_vec()
        .iter()
        .map(|y| -y)
        .collect();
    assert!(slopes.iter().all(|s| (lower..=upper).contains(s)));
    let mean = slopes.iter().map(|&s| f64::from(s)).sum::<f64>() / n as f64;
    let var = slopes
        .iter()
        .map(|&s| (f64::from(s) - mean).powi(2))
        .sum::<f64>()
        / n as f64;
    let mid = f64::from(lower + upper) / 2.0;
    let width = f64::from(upper - lower);
    // U(l, u): mean (l+u)/2, variance (u−l)²/12. The standard error of the mean is
    // 0.060/√1e5 ≈ 1.9e-4, so 1e-3 is > 5σ; the variance is checked to 2%.
    assert!((mean - mid).abs() < 1e-3, "mean {mean} vs {mid}");
    assert!(
        (var / (width * width / 12.0) - 1.0).abs() < 0.02,
        "variance {var}"
    );
    // The extremes of 1e5 draws come within 1e-3 of both bounds.
    assert!(slopes.iter().any(|&s| s < lower + 1e-3) && slopes.iter().any(|&s| s > upper - 1e-3));
    // A second forward draws fresh slopes; a layer with the same seed repeats the first draw.
    let again = rrelu_layer.forward(&x).unwrap().value().to_vec();
    assert_ne!(again.iter().map(|y| -y).collect::<Vec<_>>(), slopes);
    let twin = RreluConfig::default().with_seed(3).init().unwrap();
    assert_eq!(
        twin.forward(&x)
            .unwrap()
            .value()
            .to_vec()
            .iter()
            .map(|y| -y)
            .collect::<Vec<_>>(),
        slopes
    );
}

#[test]
fn rrelu_layer_eval_uses_the_midpoint() {
    let mut layer = RreluConfig::new(0.1, 0.3).init().unwrap();
    assert!(layer.is_training());
    layer.set_training(false);
    let x = Var::parameter(Tensor::from_vec(vec![-2.0, 0.0, 3.0], &[3]).unwrap());
    let y = layer.forward(&x).unwrap();
    let got = y.value().to_vec();
    assert!(
        (got[0] + 0.4).abs() < 1e-7 && got[1] == 0.0 && got[2] == 3.0,
        "{got:?}"
    );
    let dx = y.sum_all().backward().unwrap().get(&x).unwrap().to_vec();
    // x = 0 takes the negative side, as PyTorch.
    assert!(
        (dx[0] - 0.2).abs() < 1e-7 && (dx[1] - 0.2).abs() < 1e-7 && dx[2] == 1.0,
        "{dx:?}"
    );
}

#[test]
fn gradients_at_zero_take_the_negative_side() {
    let x = Var::parameter(Tensor::zeros(&[1]));
    let grad = |y: Var| y.sum_all().backward().unwrap().get(&x).unwrap().to_vec()[0];
    assert_eq!(grad(leaky_relu(&x, 0.2)), 0.2);
    assert_eq!(grad(elu(&x, 0.5)), 0.5); // α·e⁰
    let w = Var::parameter(Tensor::full(&[1], 0.3));
    let y = prelu(&x, &w).unwrap();
    let grads = y.sum_all().backward().unwrap();
    assert_eq!(grads.get(&x).unwrap().to_vec(), vec![0.3]);
    assert_eq!(grads.get(&w).unwrap().to_vec(), vec![0.0]); // ∂y/∂a = x = 0
}

#[test]
fn prelu_hand_derived_with_input_used_twice() {
    // L = Σ prelu(x, a)·x: for x > 0 the term is x², for x ≤ 0 it is a_c·x².
    // ∂L/∂x = 2x or 2a_c·x (the two uses accumulate); ∂L/∂a_c = Σ_{x ≤ 0 in channel c} x².
    let x = Var::parameter(
        Tensor::from_vec(vec![-1.0, 2.0, -3.0, -0.5, 4.0, -2.0], &[1, 2, 3]).unwrap(),
    );
    let w = Var::parameter(Tensor::from_vec(vec![0.5, 0.25], &[2]).unwrap());
    let loss = prelu(&x, &w).unwrap().mul(&x).unwrap().sum_all();
    assert_eq!(
        loss.value().to_vec(),
        vec![0.5 + 4.0 + 4.5 + 0.0625 + 16.0 + 1.0]
    );
    let grads = loss.backward().unwrap();
    assert_eq!(
        grads.get(&x).unwrap().to_vec(),
        vec![-1.0, 4.0, -3.0, -0.25, 8.0, -1.0]
    );
    assert_eq!(grads.get(&w).unwrap().to_vec(), vec![1.0 + 9.0, 0.25 + 4.0]);
}

#[test]
fn prelu_layer_parameters_follow_pytorch() {
    let layer = PreluConfig::new(3).init().unwrap();
    let params = layer.parameters();
    assert_eq!(params.len(), 1);
    assert_eq!(params[0].0, "weight");
    assert_eq!(params[0].1.value().to_vec(), vec![0.25; 3]);
    assert_eq!(layer.parameter_count(), 3);
    let x = Var::constant(Tensor::from_vec(vec![-4.0, -8.0, 12.0], &[1, 3]).unwrap());
    assert_eq!(
        layer.forward(&x).unwrap().value().to_vec(),
        vec![-1.0, -2.0, 12.0]
    );
}

#[test]
fn prelu_slope_count_mismatch_is_a_typed_error() {
    let layer = PreluConfig::new(4).init().unwrap();
    let err = layer
        .forward(&Var::constant(Tensor::ones(&[2, 3, 5, 5])))
        .unwrap_err();
    assert!(matches!(err, fovea_tensor::Error::ShapeMismatch { .. }));
    assert_eq!(
        err.to_string(),
        "prelu: the number of slopes must be 1 or the number of channels (axis 1): [2, 3, 5, 5] x [4]"
    );
    // A 1-d input has no channel axis: only a single slope fits, as PyTorch.
    let two = Var::constant(Tensor::ones(&[2]));
    let err = prelu(&Var::constant(Tensor::ones(&[2])), &two).unwrap_err();
    assert_eq!(
        err.to_string(),
        "prelu: the number of slopes must be 1 or the number of channels (axis 1): [2] x [2]"
    );
    let err = prelu(&two, &Var::constant(Tensor::ones(&[1, 1]))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "prelu: weight must be 1-d [num_parameters] (shape [1, 1])"
    );
    let err = PreluConfig::new(0).init().unwrap_err();
    assert_eq!(
        err.to_string(),
        "PReLU: num_parameters must be at least 1, got 0"
    );
}

#[test]
fn rrelu_bad_bounds_are_typed_errors() {
    let err = RreluConfig::new(0.4, 0.2).init().unwrap_err();
    assert_eq!(
        err.to_string(),
        "RReLU: needs finite bounds with lower <= upper, got lower 0.4, upper 0.2"
    );
    let x = Var::constant(Tensor::ones(&[2]));
    let err = rrelu(&x, f32::NAN, 0.2, true, &mut seeded_rng(0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rrelu: needs finite bounds with lower <= upper, got lower NaN, upper 0.2"
    );
}

#[test]
fn layers_print_pytorch_names_and_defaults() {
    assert_eq!(LeakyRelu::default().kind(), "LeakyReLU");
    assert_eq!(LeakyRelu::default().negative_slope, 0.01);
    assert_eq!(Elu::default().kind(), "ELU");
    assert_eq!(Elu::default().alpha, 1.0);
    let rrelu_layer = RreluConfig::default().init().unwrap();
    assert_eq!(rrelu_layer.kind(), "RReLU");
    assert_eq!((rrelu_layer.lower, rrelu_layer.upper), (0.125, 1.0 / 3.0));
    assert!(rrelu_layer.parameters().is_empty());
    let prelu_layer = PreluConfig::default().init().unwrap();
    assert_eq!(prelu_layer.kind(), "PReLU");
    assert_eq!(prelu_layer.weight.shape(), vec![1]);
}

#[test]
fn activation_layers_agree_with_their_functions() {
    let x = Var::constant(away_from_zero(&[2, 3, 4], 9));
    let same = |a: Var, b: Var| assert_eq!(a.value().to_vec(), b.value().to_vec());
    same(
        LeakyRelu::new(0.3).forward(&x).unwrap(),
        leaky_relu(&x, 0.3),
    );
    same(Elu::new(0.7).forward(&x).unwrap(), elu(&x, 0.7));
    // The layer's generator is seeded like seeded_rng(seed): the same draws as the function.
    let layer = RreluConfig::new(0.1, 0.2).with_seed(8).init().unwrap();
    same(
        layer.forward(&x).unwrap(),
        rrelu(&x, 0.1, 0.2, true, &mut seeded_rng(8)).unwrap(),
    );
}
