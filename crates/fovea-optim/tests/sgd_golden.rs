//! SGD trajectories against torch.optim.SGD (fixtures from `scripts/golden_sgd.py`), and the
//! optimizer's guarantees: frozen parameters untouched, resume is bit-identical.

use fovea_autograd::{Var, mse_loss};
use fovea_optim::{Momentum, ParamGroup, Sgd, SgdConfig, clip_grad_norm};
use fovea_tensor::Tensor;
use serde_json::Value;

const NAMES: [&str; 4] = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"];
const SHAPES: [&[usize]; 4] = [&[8, 4], &[8], &[3, 8], &[3]];

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sgd.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Linear 4→8, tanh, Linear 8→3, MSE: the same network as the script's.
fn loss(params: &[(String, Var)], x: &Var, y: &Var) -> Var {
    let p = |i: usize| &params[i].1;
    let h = x
        .matmul(&p(0).transpose(0, 1).unwrap())
        .unwrap()
        .add(p(1))
        .unwrap()
        .tanh();
    let out = h
        .matmul(&p(2).transpose(0, 1).unwrap())
        .unwrap()
        .add(p(3))
        .unwrap();
    mse_loss(&out, y).unwrap()
}

fn config_of(options: &Value) -> SgdConfig {
    let get = |k: &str| options.get(k).and_then(Value::as_f64).unwrap_or(0.0) as f32;
    let momentum = get("momentum");
    let kind = if options
        .get("nesterov")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        Momentum::Nesterov { momentum }
    } else if momentum > 0.0 {
        Momentum::Classic {
            momentum,
            dampening: get("dampening"),
        }
    } else {
        Momentum::None
    };
    SgdConfig::new(get("lr"))
        .with_momentum_kind(kind)
        .with_weight_decay(get("weight_decay"))
}

#[test]
fn twenty_steps_of_every_option_match_pytorch() {
    let fixture = fixture();
    let x = Var::constant(Tensor::from_vec(floats(&fixture["x"]), &[16, 4]).unwrap());
    let y = Var::constant(Tensor::from_vec(floats(&fixture["y"]), &[16, 3]).unwrap());
    for case in fixture["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let params: Vec<(String, Var)> = NAMES
            .iter()
            .zip(SHAPES)
            .map(|(n, s)| {
                (
                    n.to_string(),
                    Var::parameter(Tensor::from_vec(floats(&case["initial"][n]), s).unwrap()),
                )
            })
            .collect();
        let config = config_of(&case["options"]);
        let mut opt = Sgd::new(params.clone(), config).unwrap();
        if let Some(groups) = case["groups"].as_array() {
            for g in groups {
                let names: Vec<&str> = g[0]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_str().unwrap())
                    .collect();
                let mut group = ParamGroup::matching(&names);
                if let Some(wd) = g[1].get("weight_decay").and_then(Value::as_f64) {
                    group = group.with_weight_decay(wd as f32);
                }
                if let Some(lr) = g[1].get("lr").and_then(Value::as_f64) {
                    group = group.with_lr_scale(lr as f32 / config.lr);
                }
                opt = opt.with_group(group).unwrap();
            }
        }
        let step_lr = case["step_lr"].as_object().map(|s| fovea_optim::StepLr {
            step_size: s["step_size"].as_u64().unwrap() as usize,
            gamma: s["gamma"].as_f64().unwrap() as f32,
        });
        let mut worst = 0.0f32;
        for (step, expected) in case["trajectory"].as_array().unwrap().iter().enumerate() {
            if let Some(s) = &step_lr {
                use fovea_optim::LrSchedule;
                opt.set_lr(s.lr(opt.initial_lr(), step));
            }
            let mut grads = loss(&params, &x, &y).backward().unwrap();
            if let Some(max_norm) = case["clip"].as_f64() {
                clip_grad_norm(&mut grads, &params, max_norm as f32).unwrap();
            }
            opt.step(&grads).unwrap();
            for (n, v) in &params {
                let want = floats(&expected[n.as_str()]);
                for (i, (a, b)) in v.value().to_vec().iter().zip(&want).enumerate() {
                    // Relative error, with the denominator floored at 0.1 (the parameters' scale)
                    // so that a weight crossing zero does not divide by ~0.
                    let rel = (a - b).abs() / b.abs().max(0.1);
                    worst = worst.max(rel);
                    assert!(
                        rel <= 1e-6,
                        "{name}: step {}: {n}[{i}] = {a}, PyTorch {b}",
                        step + 1
                    );
                }
            }
        }
        eprintln!("sgd {name:<24} max relative deviation over 20 steps: {worst:.2e}");
    }
}

fn two_params() -> Vec<(String, Var)> {
    vec![
        (
            "frozen.weight".to_string(),
            Var::parameter(Tensor::from_vec(vec![0.3, -0.7], &[2]).unwrap()),
        ),
        (
            "head.weight".to_string(),
            Var::parameter(Tensor::from_vec(vec![1.5, 0.2], &[2]).unwrap()),
        ),
    ]
}

fn quadratic(params: &[(String, Var)]) -> Var {
    // (a·b summed)² + Σ b²: couples both parameters.
    let ab = params[0].1.mul(&params[1].1).unwrap().sum_all();
    ab.mul(&ab)
        .unwrap()
        .add(&params[1].1.powf(2.0).sum_all())
        .unwrap()
}

#[test]
fn frozen_parameters_stay_bit_identical_and_get_no_state() {
    let params = two_params();
    params[0].1.set_requires_grad(false).unwrap();
    let before = params[0].1.value().to_vec();
    let config = SgdConfig::new(0.1)
        .with_momentum(0.9)
        .with_weight_decay(0.5);
    let mut opt = Sgd::new(params.clone(), config).unwrap();
    for _ in 0..10 {
        let grads = quadratic(&params).backward().unwrap();
        assert!(grads.get(&params[0].1).is_none());
        opt.step(&grads).unwrap();
    }
    // Bit-identical: weight decay would have shrunk it, momentum would have moved it.
    assert_eq!(params[0].1.value().to_vec(), before);
    let names: Vec<String> = opt.state().buffers.into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["head.weight"]);
}

#[test]
fn resuming_from_saved_state_is_bit_identical() {
    let config = SgdConfig::new(0.05)
        .with_momentum_kind(Momentum::Nesterov { momentum: 0.9 })
        .with_weight_decay(0.01);
    // Uninterrupted: 10 steps.
    let straight = two_params();
    let mut opt = Sgd::new(straight.clone(), config).unwrap();
    for _ in 0..10 {
        opt.step(&quadratic(&straight).backward().unwrap()).unwrap();
    }
    // Interrupted after 4 steps: copy parameters and optimizer state into fresh objects.
    let first = two_params();
    let mut opt1 = Sgd::new(first.clone(), config).unwrap();
    for _ in 0..4 {
        opt1.step(&quadratic(&first).backward().unwrap()).unwrap();
    }
    let state = opt1.state();
    let resumed: Vec<(String, Var)> = first
        .iter()
        .map(|(n, v)| (n.clone(), Var::parameter(v.value())))
        .collect();
    let mut opt2 = Sgd::new(resumed.clone(), config).unwrap();
    opt2.load_state(&state).unwrap();
    for _ in 4..10 {
        opt2.step(&quadratic(&resumed).backward().unwrap()).unwrap();
    }
    for (a, b) in straight.iter().zip(&resumed) {
        assert_eq!(a.1.value().to_vec(), b.1.value().to_vec(), "{}", a.0);
    }
    assert_eq!(opt.state(), opt2.state());
}

#[test]
fn invalid_settings_are_typed_errors() {
    let err = Sgd::new(
        vec![],
        SgdConfig::new(0.1).with_momentum_kind(Momentum::Nesterov { momentum: 0.0 }),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "sgd: invalid momentum Nesterov { momentum: 0.0 } (momentum >= 0, dampening in [0, 1], Nesterov needs momentum > 0)"
    );
    let err = Sgd::new(vec![], SgdConfig::new(-1.0)).err().unwrap();
    assert_eq!(
        err.to_string(),
        "sgd: learning rate must be finite and >= 0, got -1"
    );
    let p = Var::parameter(Tensor::ones(&[1]));
    let err = Sgd::new(
        vec![("w".into(), p.clone()), ("w".into(), p)],
        SgdConfig::new(0.1),
    )
    .err()
    .unwrap();
    assert_eq!(err.to_string(), "sgd: parameter name \"w\" appears twice");
}

#[test]
fn weight_decay_is_the_gradient_of_an_l2_penalty() {
    // J(w) = λ·wᵀw has gradient 2λw; SGD with wd = 2λ on a zero loss gradient takes the same step.
    let lambda = 0.05;
    let w = Var::parameter(Tensor::from_vec(vec![1.0, -2.0], &[2]).unwrap());
    let explicit = w.powf(2.0).sum_all().mul_scalar(lambda).backward().unwrap();
    let g = explicit.get(&w).unwrap().to_vec();
    let h = fovea_optim::SgdHyper {
        lr: 1.0,
        momentum: Momentum::None,
        weight_decay: 2.0 * lambda,
    };
    let (p, _) = fovea_optim::sgd_step(&w.value(), &Tensor::zeros(&[2]), None, &h).unwrap();
    let stepped: Vec<f32> = w
        .value()
        .to_vec()
        .iter()
        .zip(&g)
        .map(|(w, g)| w - g)
        .collect();
    assert_eq!(p.to_vec(), stepped);
}
