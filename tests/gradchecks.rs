//! Gradient checks of every differentiable operation of `fovea-autograd` against central
//! differences, plus the cases a finite difference cannot see (STYLE.md, practice 9): an input
//! used twice, a non-trivial upstream gradient, and the kinks (ReLU at 0, tied maxima).
//!
//! The checks are table-driven: each family builds a list of [`Case`]s (a name, the function of
//! the inputs, the inputs) and [`check_all`] runs them, prints one line per op and fails naming
//! every op whose analytic gradient disagrees with the numerical one.
//!
//! Inputs are drawn from seeded generators, and are kept more than `eps` (1e-3) away from the
//! points where the function has a kink, where the two one-sided derivatives differ and no
//! finite difference can agree with either.

use fovea::autograd::{
    CrossEntropyOptions, GradcheckOptions, Var, cross_entropy, cross_entropy_with, gradcheck,
    mse_loss,
};
use fovea::tensor::{ConvGeometry, Result, Tensor, seeded_rng};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// The function under test: variables in, a variable of any shape out.
type Forward = Box<dyn Fn(&[Var]) -> Result<Var>>;

/// One row of a gradcheck table.
struct Case {
    name: String,
    forward: Forward,
    inputs: Vec<Tensor>,
}

/// A row of the table.
fn case(
    name: impl Into<String>,
    inputs: Vec<Tensor>,
    forward: impl Fn(&[Var]) -> Result<Var> + 'static,
) -> Case {
    Case {
        name: name.into(),
        forward: Box::new(forward),
        inputs,
    }
}

/// Runs every case, prints a line per op, and fails with the names and reports of all the ops
/// that did not pass (so one failure does not hide the next).
///
/// Every op passes with the default options (eps 1e-3, atol 1e-3, rtol 1e-2): no case needs a
/// looser tolerance. A relative error of ~1e-2 on a line is an element whose gradient is barely
/// above `atol` (the report's relative error ignores smaller ones); its absolute error is tiny.
fn check_all(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for c in &cases {
        let report = gradcheck(&c.forward, &c.inputs, GradcheckOptions::default())
            .unwrap_or_else(|e| panic!("{}: gradcheck returned an error: {e}", c.name));
        eprintln!(
            "{:<28} max rel {:.2e} max abs {:.2e}",
            c.name,
            report.max_rel_error(),
            report.max_abs_error()
        );
        if !report.passed() {
            failures.push(format!(
                "{} (inputs {:?}):\n{report}",
                c.name,
                shapes(&c.inputs)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "gradcheck failed for:\n{}",
        failures.join("\n")
    );
}

/// A shape without spaces, `[3,1,4]`, to keep the names of the table short.
fn compact(shape: &[usize]) -> String {
    format!("{shape:?}").replace(' ', "")
}

fn shapes(inputs: &[Tensor]) -> Vec<Vec<usize>> {
    inputs.iter().map(|t| t.shape().to_vec()).collect()
}

// ---------------------------------------------------------------------------------------------
// Seeded inputs.

fn normal(rng: &mut StdRng, shape: &[usize]) -> Tensor {
    Tensor::rand_normal(shape, 0.0, 1.0, rng).unwrap()
}

fn uniform(rng: &mut StdRng, shape: &[usize], low: f32, high: f32) -> Tensor {
    Tensor::rand_uniform(shape, low, high, rng).unwrap()
}

/// A random shape of rank 1 to 3 with axes of length 1 to 4.
fn random_shape(rng: &mut StdRng) -> Vec<usize> {
    let rank = rng.random_range(1..=3);
    (0..rank).map(|_| rng.random_range(1..=4)).collect()
}

/// Moves every value closer than `margin` to one of `kinks` out to `kink ± margin`, so that the
/// finite difference never straddles a kink.
fn away_from(t: &Tensor, kinks: &[f32], margin: f32) -> Tensor {
    t.map(|mut x| {
        for &k in kinks {
            if (x - k).abs() < margin {
                x = if x >= k { k + margin } else { k - margin };
            }
        }
        x
    })
}

/// Distinct values spaced 0.1 apart in random order: no two tie, so every maximum is unique by
/// far more than `eps`.
fn distinct(rng: &mut StdRng, shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    let mut values: Vec<f32> = (0..n).map(|i| 0.1 * i as f32 - 0.05 * n as f32).collect();
    values.shuffle(rng);
    Tensor::from_vec(values, shape).unwrap()
}

/// Two normal tensors whose broadcast elements all differ by at least 0.01 (ten times `eps`),
/// so that `maximum`/`minimum` never see a tie during the finite difference.
fn separated_pair(rng: &mut StdRng, a_shape: &[usize], b_shape: &[usize]) -> (Tensor, Tensor) {
    loop {
        let (a, b) = (normal(rng, a_shape), normal(rng, b_shape));
        let gap = a.zip_with("gap", &b, |x, y| (x - y).abs()).unwrap();
        if gap.to_vec().iter().all(|&d| d > 0.01) {
            return (a, b);
        }
    }
}

/// The broadcasting pairs every binary op is checked on: both directions of each rule.
const BROADCAST_PAIRS: [(&[usize], &[usize]); 7] = [
    (&[2, 3], &[2, 3]),    // same shape
    (&[3, 1, 4], &[2, 4]), // both operands broadcast
    (&[2, 4], &[3, 1, 4]), // the same, swapped
    (&[4], &[2, 3, 4]),    // leading axes missing on the left
    (&[2, 3, 4], &[4]),    // ... on the right
    (&[], &[2, 3]),        // a 0-d scalar on the left
    (&[2, 3], &[]),        // ... on the right
];

// ---------------------------------------------------------------------------------------------
// The tables.

#[test]
fn binary_ops_with_broadcasting() {
    let mut rng = seeded_rng(100);
    let mut cases = Vec::new();
    for (sa, sb) in BROADCAST_PAIRS {
        let label = |op: &str| format!("{op} {} {}", compact(sa), compact(sb));
        let (a, b) = (normal(&mut rng, sa), normal(&mut rng, sb));
        cases.push(case(label("add"), vec![a.clone(), b.clone()], |v| {
            v[0].add(&v[1])
        }));
        cases.push(case(label("sub"), vec![a.clone(), b.clone()], |v| {
            v[0].sub(&v[1])
        }));
        cases.push(case(label("mul"), vec![a.clone(), b], |v| v[0].mul(&v[1])));
        // The divisor stays in ±[0.5, 2]: away from the pole at 0.
        let divisor = away_from(&uniform(&mut rng, sb, -2.0, 2.0), &[0.0], 0.5);
        cases.push(case(label("div"), vec![a, divisor], |v| v[0].div(&v[1])));
        let (a, b) = separated_pair(&mut rng, sa, sb);
        cases.push(case(label("maximum"), vec![a.clone(), b.clone()], |v| {
            v[0].maximum(&v[1])
        }));
        cases.push(case(label("minimum"), vec![a, b], |v| v[0].minimum(&v[1])));
    }
    // The operators are the same methods; one composite checks that they are wired to them.
    let (a, b) = (normal(&mut rng, &[2, 3]), normal(&mut rng, &[3]));
    let b = away_from(&b, &[0.0], 0.5);
    cases.push(case("operators (a*b+a-b)/b", vec![a, b], |v| {
        Ok(&(&(&(&v[0] * &v[1]) + &v[0]) - &v[1]) / &v[1])
    }));
    check_all(cases);
}

#[test]
fn unary_ops() {
    let mut rng = seeded_rng(200);
    // Shapes come from their own generator so that adding a case does not change the others'.
    let mut shape_rng = seeded_rng(201);
    let mut shape = || random_shape(&mut shape_rng);
    let mut cases = Vec::new();

    let x = normal(&mut rng, &shape());
    cases.push(case("add_scalar", vec![x.clone()], |v| {
        Ok(v[0].add_scalar(0.7))
    }));
    cases.push(case("mul_scalar", vec![x.clone()], |v| {
        Ok(v[0].mul_scalar(-1.3))
    }));
    cases.push(case("neg", vec![x.clone()], |v| Ok(v[0].neg())));
    cases.push(case("exp", vec![x.clone()], |v| Ok(v[0].exp())));
    cases.push(case("sigmoid", vec![x.clone()], |v| Ok(v[0].sigmoid())));
    cases.push(case("tanh", vec![x], |v| Ok(v[0].tanh())));
    // ln, sqrt and powf are checked on positive inputs, in [0.5, 2], well inside their domain.
    let positive = uniform(&mut rng, &shape(), 0.5, 2.0);
    cases.push(case("ln", vec![positive.clone()], |v| Ok(v[0].ln())));
    cases.push(case("sqrt", vec![positive.clone()], |v| Ok(v[0].sqrt())));
    for p in [2.0, 3.0, 0.5, -1.5, 1.7] {
        cases.push(case(
            format!("powf({p})"),
            vec![positive.clone()],
            move |v| Ok(v[0].powf(p)),
        ));
    }
    // abs and relu have their kink at 0; clamp at its two bounds.
    let x = away_from(&normal(&mut rng, &shape()), &[0.0], 0.05);
    cases.push(case("abs", vec![x.clone()], |v| Ok(v[0].abs())));
    cases.push(case("relu", vec![x], |v| Ok(v[0].relu())));
    let x = away_from(&uniform(&mut rng, &shape(), -1.0, 1.0), &[-0.5, 0.5], 0.05);
    cases.push(case("clamp(-0.5, 0.5)", vec![x], |v| v[0].clamp(-0.5, 0.5)));
    check_all(cases);
}

#[test]
fn shape_ops() {
    let mut rng = seeded_rng(300);
    let x = normal(&mut rng, &[2, 3, 4]);
    let cases = vec![
        case("reshape [2,3,4]->[6,4]", vec![x.clone()], |v| {
            v[0].reshape(&[6, 4])
        }),
        case("permute [2,0,1]", vec![x.clone()], |v| {
            v[0].permute(&[2, 0, 1])
        }),
        case("transpose(0, 2)", vec![x.clone()], |v| v[0].transpose(0, 2)),
        case("unsqueeze(1)", vec![x.clone()], |v| v[0].unsqueeze(1)),
        case("unsqueeze(3) (last)", vec![x.clone()], |v| {
            v[0].unsqueeze(3)
        }),
        case(
            "broadcast_to [3,1]->[2,3,4]",
            vec![normal(&mut rng, &[3, 1])],
            |v| v[0].broadcast_to(&[2, 3, 4]),
        ),
        case(
            "concat 3 inputs axis 1",
            vec![
                normal(&mut rng, &[2, 1, 3]),
                normal(&mut rng, &[2, 2, 3]),
                normal(&mut rng, &[2, 3, 3]),
            ],
            |v| Var::concat(&[&v[0], &v[1], &v[2]], 1),
        ),
        case("narrow(1, 1, 2)", vec![x.clone()], |v| v[0].narrow(1, 1, 2)),
        // Index 2 is taken twice: its gradient is the sum of both slices.
        case("index_select(2,[3,0,3,1])", vec![x.clone()], |v| {
            v[0].index_select(2, &[3, 0, 3, 1])
        }),
        // A view (permute) fed into an op that reads memory (reshape), and back.
        case("permute then reshape", vec![x], |v| {
            v[0].permute(&[1, 2, 0])?.reshape(&[12, 2])
        }),
    ];
    check_all(cases);
}

#[test]
fn reductions() {
    let mut rng = seeded_rng(400);
    let x = normal(&mut rng, &[2, 3, 4]);
    // max is checked on distinct values: a tie is a kink (see `max_over_axis_splits_ties`).
    let d = distinct(&mut rng, &[2, 3, 4]);
    let mut cases = Vec::new();
    for (axes, keepdim) in [
        (&[1][..], false),
        (&[1][..], true),
        (&[0, 2][..], false),
        (&[2, 0][..], true),
        (&[0, 1, 2][..], false),
    ] {
        let label = |op: &str| format!("{op} {} keepdim={keepdim}", compact(axes));
        cases.push(case(label("sum"), vec![x.clone()], move |v| {
            v[0].sum(axes, keepdim)
        }));
        cases.push(case(label("mean"), vec![x.clone()], move |v| {
            v[0].mean(axes, keepdim)
        }));
        cases.push(case(label("max"), vec![d.clone()], move |v| {
            v[0].max(axes, keepdim)
        }));
    }
    cases.push(case("sum_all", vec![x.clone()], |v| Ok(v[0].sum_all())));
    cases.push(case("mean_all", vec![x], |v| Ok(v[0].mean_all())));
    check_all(cases);
}

#[test]
fn matmul() {
    let mut rng = seeded_rng(500);
    let mut cases = Vec::new();
    for (sa, sb) in [
        (&[3, 4][..], &[4, 5][..]),
        (&[2, 3, 4, 5][..], &[5, 6][..]), // a 2-d right operand broadcast over the batch
        (&[4, 5][..], &[2, 5, 3][..]),    // ... and a 2-d left operand
        (&[3, 1, 4, 5][..], &[2, 5, 6][..]), // both batch shapes broadcast: [3, 2]
    ] {
        let inputs = vec![normal(&mut rng, sa), normal(&mut rng, sb)];
        cases.push(case(
            format!("matmul {} {}", compact(sa), compact(sb)),
            inputs,
            |v| v[0].matmul(&v[1]),
        ));
    }
    // A transposed (non-contiguous) operand takes the strided path of gemm.
    let inputs = vec![normal(&mut rng, &[4, 3]), normal(&mut rng, &[4, 5])];
    cases.push(case("matmul aT b", inputs, |v| {
        v[0].transpose(0, 1)?.matmul(&v[1])
    }));
    check_all(cases);
}

#[test]
fn im2col_and_col2im() {
    let mut rng = seeded_rng(600);
    let image = [2, 5, 6]; // [C, H, W]
    let geometries = [
        ("k3 s1 p0 d1", ConvGeometry::new([3, 3])),
        (
            "k3 s2 p1 d1",
            ConvGeometry::new([3, 3])
                .with_stride([2, 2])
                .with_padding([1, 1]),
        ),
        (
            "k2 s1 p1 d2",
            ConvGeometry::new([2, 2])
                .with_padding([1, 1])
                .with_dilation([2, 2]),
        ),
        (
            "k3x2 s2x1 p1x0 d1x2",
            ConvGeometry::new([3, 2])
                .with_stride([2, 1])
                .with_padding([1, 0])
                .with_dilation([1, 2]),
        ),
        (
            "k3 s2 p2 d2",
            ConvGeometry::new([3, 3])
                .with_stride([2, 2])
                .with_padding([2, 2])
                .with_dilation([2, 2]),
        ),
    ];
    let mut cases = Vec::new();
    for (label, g) in geometries {
        let x = normal(&mut rng, &[2, image[0], image[1], image[2]]);
        cases.push(case(format!("im2col {label}"), vec![x], move |v| {
            v[0].im2col(&g)
        }));
        let [oh, ow] = g.output_size("test", [image[1], image[2]]).unwrap();
        let cols = normal(
            &mut rng,
            &[2, image[0] * g.kernel[0] * g.kernel[1], oh * ow],
        );
        cases.push(case(format!("col2im {label}"), vec![cols], move |v| {
            v[0].col2im(&g, image)
        }));
    }
    check_all(cases);
}

#[test]
fn softmax_and_losses() {
    let mut rng = seeded_rng(700);
    let x = normal(&mut rng, &[3, 4]);
    let mut cases = Vec::new();
    for axis in [0, 1] {
        cases.push(case(
            format!("softmax axis {axis}"),
            vec![x.clone()],
            move |v| v[0].softmax(axis),
        ));
        cases.push(case(
            format!("log_softmax axis {axis}"),
            vec![x.clone()],
            move |v| v[0].log_softmax(axis),
        ));
    }
    cases.push(case(
        "softmax 3-d axis 2",
        vec![normal(&mut rng, &[2, 3, 4])],
        |v| v[0].softmax(2),
    ));

    let logits = normal(&mut rng, &[5, 3]);
    let targets = [0, 2, 1, 2, 0];
    let weight = Tensor::from_vec(vec![0.2, 1.0, 2.5], &[3]).unwrap();
    cases.push(case("cross_entropy", vec![logits.clone()], move |v| {
        cross_entropy(&v[0], &targets)
    }));
    let opts = CrossEntropyOptions::default().with_weight(weight.clone());
    cases.push(case(
        "cross_entropy weight",
        vec![logits.clone()],
        move |v| cross_entropy_with(&v[0], &targets, &opts),
    ));
    // 255 marks void samples (outside the class range: ignored, not an error).
    let void_targets = [0, 255, 1, 2, 255];
    let opts = CrossEntropyOptions::default().with_ignore_index(255);
    cases.push(case(
        "cross_entropy ignore 255",
        vec![logits.clone()],
        move |v| cross_entropy_with(&v[0], &void_targets, &opts),
    ));
    // Ignoring a real class (2) drops its samples from both the sum and the weight total.
    let opts = CrossEntropyOptions::default()
        .with_ignore_index(2)
        .with_weight(weight);
    cases.push(case(
        "cross_entropy ignore2+weight",
        vec![logits],
        move |v| cross_entropy_with(&v[0], &targets, &opts),
    ));
    // Per-pixel form: [N, C, H, W] logits with N·H·W targets in row-major (n, h, w) order.
    let pixel_targets = [0, 1, 2, 2, 1, 0, 255, 1];
    let opts = CrossEntropyOptions::default().with_ignore_index(255);
    cases.push(case(
        "cross_entropy [2,3,2,2]",
        vec![normal(&mut rng, &[2, 3, 2, 2])],
        move |v| cross_entropy_with(&v[0], &pixel_targets, &opts),
    ));
    // Both the prediction and the target are parameters: the target gets −∂/∂prediction.
    let (p, t) = (normal(&mut rng, &[2, 3]), normal(&mut rng, &[2, 3]));
    cases.push(case("mse_loss (pred and target)", vec![p, t], |v| {
        mse_loss(&v[0], &v[1])
    }));
    check_all(cases);
}

/// A small network mixing most ops, with a weight used twice: the accumulation of gradients
/// across a real graph.
#[test]
fn composite_graph() {
    let mut rng = seeded_rng(800);
    let inputs = vec![
        normal(&mut rng, &[4, 3]),
        normal(&mut rng, &[3, 5]),
        normal(&mut rng, &[5]),
    ];
    let cases = vec![case("x·w1 + b, tanh, ·w1ᵀ, CE", inputs, |v| {
        let h = v[0].matmul(&v[1])?.add(&v[2])?.tanh();
        let back = h.matmul(&v[1].transpose(0, 1)?)?; // w1 used a second time
        cross_entropy(&back.mul(&v[0])?, &[0, 2, 1, 1])
    })];
    check_all(cases);
}

// ---------------------------------------------------------------------------------------------
// The ways of testing a backward rule that gradcheck does not cover.

fn parameter(values: &[f32], shape: &[usize]) -> Var {
    Var::parameter(Tensor::from_vec(values.to_vec(), shape).unwrap())
}

fn grad_of(grads: &fovea::autograd::Gradients, v: &Var) -> Vec<f32> {
    grads.get(v).expect("a gradient").to_vec()
}

/// x·x + x uses x three times: d/dx = 2x + 1, each use adding its share.
#[test]
fn input_used_twice_accumulates() {
    let x = parameter(&[1.0, -2.0, 3.0, 0.5], &[4]);
    let y = (&(&x * &x) + &x).sum_all();
    let g = y.backward().unwrap();
    // 2·1+1 = 3, 2·(−2)+1 = −3, 2·3+1 = 7, 2·0.5+1 = 2 (all exact in f32).
    assert_eq!(grad_of(&g, &x), vec![3.0, -3.0, 7.0, 2.0]);

    // The same variable on both sides of a broadcast: a [2,1] + aᵀ [1,2] → [2,2];
    // each a_i appears in 2 elements through each operand: gradient 4.
    let a = parameter(&[1.0, 2.0], &[2, 1]);
    let y = a.add(&a.transpose(0, 1).unwrap()).unwrap().sum_all();
    assert_eq!(grad_of(&y.backward().unwrap(), &a), vec![4.0, 4.0]);

    // A diamond: e = exp(x) feeds both factors of e·e = exp(2x); d/dx = 2·exp(2x).
    let x = parameter(&[0.5, -1.0], &[2]);
    let e = x.exp();
    let g = (&e * &e).sum_all().backward().unwrap();
    let expected = Tensor::from_vec(vec![2.0 * 1f32.exp(), 2.0 * (-2f32).exp()], &[2]).unwrap();
    assert!(g.get(&x).unwrap().all_close(&expected, 1e-6, 0.0));
}

/// backward_with a random upstream gradient G: for y = a·b with a [2,3] and b [3],
/// ∂/∂a = G·b (broadcast) and ∂/∂b = Σ₀ G·a (summed over the broadcast axis).
#[test]
fn non_trivial_upstream_gradient() {
    let mut rng = seeded_rng(900);
    let (a_t, b_t) = (normal(&mut rng, &[2, 3]), normal(&mut rng, &[3]));
    let upstream = normal(&mut rng, &[2, 3]);
    let (a, b) = (Var::parameter(a_t.clone()), Var::parameter(b_t.clone()));
    let g = a.mul(&b).unwrap().backward_with(upstream.clone()).unwrap();
    let (av, bv, gv) = (a_t.to_vec(), b_t.to_vec(), upstream.to_vec());
    let expect_a: Vec<f32> = (0..6).map(|i| gv[i] * bv[i % 3]).collect();
    let expect_b: Vec<f32> = (0..3)
        .map(|j| gv[j] * av[j] + gv[3 + j] * av[3 + j])
        .collect();
    assert!(g.get(&a).unwrap().all_close(
        &Tensor::from_vec(expect_a, &[2, 3]).unwrap(),
        1e-6,
        1e-7
    ));
    assert!(
        g.get(&b)
            .unwrap()
            .all_close(&Tensor::from_vec(expect_b, &[3]).unwrap(), 1e-6, 1e-7)
    );

    // dfdx's trick: an exp after the op makes the upstream gradient of relu differ per element.
    // loss = Σ exp(relu(x)); ∂/∂x = exp(relu(x))·[x > 0].
    let x = parameter(&[-1.0, 0.5, 2.0], &[3]);
    let g = x.relu().exp().sum_all().backward().unwrap();
    let expected = Tensor::from_vec(vec![0.0, 0.5f32.exp(), 2f32.exp()], &[3]).unwrap();
    assert!(g.get(&x).unwrap().all_close(&expected, 1e-6, 0.0));
}

/// PyTorch's choices at the kinks: relu'(0) = 0, |x|'(0) = 0, clamp passes the gradient at its
/// bounds, and a tie in maximum/minimum splits the gradient in half.
#[test]
fn edges_at_kinks() {
    let x = parameter(&[0.0, -0.0, 1.0], &[3]);
    assert_eq!(
        grad_of(&x.relu().sum_all().backward().unwrap(), &x),
        vec![0.0, 0.0, 1.0]
    );
    assert_eq!(
        grad_of(&x.abs().sum_all().backward().unwrap(), &x),
        vec![0.0, 0.0, 1.0]
    );

    let x = parameter(&[-1.0, -0.5, 0.0, 0.5, 1.0], &[5]);
    let g = x.clamp(-0.5, 0.5).unwrap().sum_all().backward().unwrap();
    assert_eq!(grad_of(&g, &x), vec![0.0, 1.0, 1.0, 1.0, 0.0]);

    // a = [1, 2, 3], b = [2, 2, 2]: a wins at 3, b at 1, the middle is a tie.
    let a = parameter(&[1.0, 2.0, 3.0], &[3]);
    let b = parameter(&[2.0, 2.0, 2.0], &[3]);
    let g = a.maximum(&b).unwrap().sum_all().backward().unwrap();
    assert_eq!(grad_of(&g, &a), vec![0.0, 0.5, 1.0]);
    assert_eq!(grad_of(&g, &b), vec![1.0, 0.5, 0.0]);
    let g = a.minimum(&b).unwrap().sum_all().backward().unwrap();
    assert_eq!(grad_of(&g, &a), vec![1.0, 0.5, 0.0]);
    assert_eq!(grad_of(&g, &b), vec![0.0, 0.5, 1.0]);

    // A tie through broadcasting: b = 2 (0-d) meets a tie once; its share is 0.5 + the one
    // element it wins outright (a = 1): 1.5.
    let s = parameter(&[2.0], &[]);
    let g = a.maximum(&s).unwrap().sum_all().backward().unwrap();
    assert_eq!(grad_of(&g, &s), vec![1.5]);
}

/// max over an axis gives the gradient to the maximal elements, split equally among ties.
#[test]
fn max_over_axis_splits_ties() {
    // Rows [1, 3, 3] (two-way tie) and [2, 2, 2] (three-way tie).
    let x = parameter(&[1.0, 3.0, 3.0, 2.0, 2.0, 2.0], &[2, 3]);
    let upstream = Tensor::from_vec(vec![1.0, 6.0], &[2]).unwrap();
    let g = x.max(&[1], false).unwrap().backward_with(upstream).unwrap();
    // Row 0: 1 split in 2 → 0.5 each; row 1: 6 split in 3 → 2 each.
    assert_eq!(grad_of(&g, &x), vec![0.0, 0.5, 0.5, 2.0, 2.0, 2.0]);

    // Over several axes at once: the maximum 3 appears twice in the whole tensor.
    let g = x.max(&[0, 1], true).unwrap().sum_all().backward().unwrap();
    assert_eq!(grad_of(&g, &x), vec![0.0, 0.5, 0.5, 0.0, 0.0, 0.0]);
}

/// The gradcheck itself must catch a wrong backward rule, or every table above proves nothing.
#[test]
fn gradcheck_detects_a_wrong_gradient() {
    use fovea::autograd::Op;
    /// y = x², with the gradient deliberately off by a factor 2 (x instead of 2x).
    struct WrongSquare(Tensor);
    impl Op for WrongSquare {
        fn name(&self) -> &str {
            "wrong_square"
        }
        fn backward(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
            Ok(vec![Some(g.mul(&self.0)?)])
        }
    }
    let x = normal(&mut seeded_rng(1000), &[3]);
    let report = gradcheck(
        |v| {
            Ok(Var::from_op(
                v[0].value().powf(2.0),
                &[&v[0]],
                WrongSquare(v[0].value()),
            ))
        },
        &[x],
        GradcheckOptions::default(),
    )
    .unwrap();
    assert!(!report.passed(), "{report}");
    assert!(report.max_rel_error() > 0.4, "{report}");
}
