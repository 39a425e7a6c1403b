//! Dropout: the gradient is the mask times the scale, the kept fraction is 1 − p, seeded runs
//! repeat, evaluation is the identity, the edges p = 0 and p = 1, and the errors.

use fovea_autograd::{GradcheckOptions, Var, gradcheck};
use fovea_layers::functional::dropout;
use fovea_layers::{DropoutConfig, Module};
use fovea_tensor::{Tensor, seeded_rng};

fn randn(shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_normal(shape, 0.0, 1.0, &mut seeded_rng(seed)).unwrap()
}

#[test]
fn gradient_is_mask_times_scale() {
    let xt = randn(&[4, 50], 1).map(|v| v + 0.1f32.copysign(v)); // no exact zeros: y = 0 ⟺ dropped
    let x = Var::parameter(xt.clone());
    let y = dropout(&x, 0.2, true, &mut seeded_rng(2)).unwrap();
    let g = randn(&[4, 50], 3);
    let dx = y
        .backward_with(g.clone())
        .unwrap()
        .get(&x)
        .unwrap()
        .to_vec();
    let scale = 1.0 / (1.0 - 0.2f32);
    let (xs, ys, gs) = (xt.to_vec(), y.value().to_vec(), g.to_vec());
    let mut dropped = 0;
    for i in 0..xs.len() {
        if ys[i] == 0.0 {
            dropped += 1;
            assert_eq!(dx[i], 0.0, "element {i}");
        } else {
            assert_eq!(ys[i], xs[i] * scale, "element {i}");
            assert_eq!(dx[i], gs[i] * scale, "element {i}");
        }
    }
    assert!(
        (20..=60).contains(&dropped),
        "{dropped} of 200 dropped at p = 0.2"
    );
}

#[test]
fn gradcheck_with_a_fixed_mask() {
    // The same seed on every call: the same mask for the analytic and the numerical gradient.
    let report = gradcheck(
        |v| dropout(&v[0], 0.4, true, &mut seeded_rng(7)),
        &[randn(&[3, 4, 5], 4)],
        GradcheckOptions::default(),
    )
    .unwrap();
    eprintln!(
        "dropout: gradcheck max rel error {:.2e}",
        report.max_rel_error()
    );
    assert!(report.passed(), "{report}");
}

#[test]
fn kept_fraction_is_one_minus_p_and_seeded() {
    let n = 100_000;
    let x = Var::constant(Tensor::ones(&[n]));
    for p in [0.1f32, 0.3, 0.5, 0.9] {
        let layer = DropoutConfig::new(p).with_seed(42).init().unwrap();
        let y = layer.forward(&x).unwrap().value().to_vec();
        let kept = y.iter().filter(|&&v| v != 0.0).count() as f64 / n as f64;
        // Binomial: standard deviation √(p(1−p)/n) ≤ 1.6e-3; 6e-3 is > 3.7σ.
        assert!(
            (kept - f64::from(1.0 - p)).abs() < 6e-3,
            "p = {p}: kept {kept}"
        );
        assert!(y.iter().all(|&v| v == 0.0 || v == 1.0 / (1.0 - p)));
        // Inverted dropout keeps the mean: E[y] = x.
        let mean = y.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 0.03, "p = {p}: mean {mean}");
        // Same seed, same mask; the next call draws a new one.
        let twin = DropoutConfig::new(p).with_seed(42).init().unwrap();
        assert_eq!(twin.forward(&x).unwrap().value().to_vec(), y);
        assert_ne!(layer.forward(&x).unwrap().value().to_vec(), y);
    }
    let other_seed = DropoutConfig::new(0.5)
        .with_seed(43)
        .init()
        .unwrap()
        .forward(&x)
        .unwrap()
        .value()
        .to_vec();
    let seed_42 = DropoutConfig::new(0.5)
        .with_seed(42)
        .init()
        .unwrap()
        .forward(&x)
        .unwrap()
        .value()
        .to_vec();
    assert_ne!(other_seed, seed_42);
}

#[test]
fn eval_mode_and_p_zero_are_the_identity() {
    let xt = randn(&[2, 3, 4], 5);
    let x = Var::parameter(xt.clone());
    let mut layer = DropoutConfig::default().init().unwrap();
    assert!(layer.is_training());
    layer.set_training(false);
    assert!(!layer.is_training());
    let y = layer.forward(&x).unwrap();
    assert_eq!(y.value().to_vec(), xt.to_vec());
    assert_eq!(
        y.sum_all().backward().unwrap().get(&x).unwrap().to_vec(),
        vec![1.0; 24]
    );
    let y = dropout(&x, 0.0, true, &mut seeded_rng(0)).unwrap();
    assert_eq!(y.value().to_vec(), xt.to_vec());
}

#[test]
fn p_one_drops_everything() {
    let x = Var::parameter(randn(&[2, 8], 6));
    let y = DropoutConfig::new(1.0).init().unwrap().forward(&x).unwrap();
    assert_eq!(y.value().to_vec(), vec![0.0; 16]);
    assert_eq!(
        y.sum_all().backward().unwrap().get(&x).unwrap().to_vec(),
        vec![0.0; 16]
    );
}

#[test]
fn probability_outside_zero_one_is_a_typed_error() {
    let err = DropoutConfig::new(1.5).init().unwrap_err();
    assert!(matches!(err, fovea_tensor::Error::InvalidArgument { .. }));
    assert_eq!(
        err.to_string(),
        "Dropout: dropout probability has to be between 0 and 1, but got 1.5"
    );
    let err = DropoutConfig::new(-0.1).init().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Dropout: dropout probability has to be between 0 and 1, but got -0.1"
    );
    let x = Var::constant(Tensor::ones(&[2]));
    let err = dropout(&x, f32::NAN, false, &mut seeded_rng(0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dropout: dropout probability has to be between 0 and 1, but got NaN"
    );
}

#[test]
fn layer_defaults_follow_pytorch() {
    let layer = DropoutConfig::default().init().unwrap();
    assert_eq!(layer.kind(), "Dropout");
    assert_eq!(layer.p, 0.5);
    assert!(layer.parameters().is_empty());
}
