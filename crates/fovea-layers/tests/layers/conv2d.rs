//! Conv2d: gradcheck over stride/padding/dilation/groups combinations, and the layer's errors.

use fovea_autograd::{GradcheckOptions, Var, gradcheck};
use fovea_layers::functional::{Conv2dOptions, conv2d};
use fovea_layers::{Conv2dConfig, Module};
use fovea_tensor::{Tensor, seeded_rng};

fn randn(shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_normal(shape, 0.0, 1.0, &mut seeded_rng(seed)).unwrap()
}

#[test]
fn conv2d_gradcheck_combinations() {
    // (input shape, weight shape, options)
    let cases = [
        ([2, 3, 5, 5], [4, 3, 3, 3], Conv2dOptions::default()),
        (
            [2, 3, 7, 6],
            [4, 3, 3, 2],
            Conv2dOptions::default()
                .with_stride([2, 1])
                .with_padding([1, 0]),
        ),
        (
            [1, 2, 7, 7],
            [3, 2, 3, 3],
            Conv2dOptions::default()
                .with_dilation([2, 2])
                .with_padding([2, 1]),
        ),
        (
            [2, 4, 5, 5],
            [6, 2, 3, 3],
            Conv2dOptions::default().with_groups(2).with_padding([1, 1]),
        ),
        (
            [3, 4, 6, 6],
            [4, 1, 2, 2],
            Conv2dOptions::default().with_groups(4).with_stride([2, 2]),
        ),
    ];
    for (k, (xs, ws, opts)) in cases.iter().enumerate() {
        let inputs = [
            randn(xs, k as u64),
            randn(ws, 10 + k as u64),
            randn(&[ws[0]], 20 + k as u64),
        ];
        let report = gradcheck(
            |v| conv2d(&v[0], &v[1], Some(&v[2]), opts),
            &inputs,
            GradcheckOptions::default(),
        )
        .unwrap();
        eprintln!(
            "conv2d case {k} {opts:?}: max rel {:.2e}, max abs {:.2e}",
            report.max_rel_error(),
            report.max_abs_error()
        );
        assert!(report.passed(), "conv2d case {k}: {report}");
    }
}

#[test]
fn conv2d_without_bias_matches_im2col_matmul() {
    let x = randn(&[2, 3, 6, 6], 1);
    let w = randn(&[5, 3, 3, 3], 2);
    let opts = Conv2dOptions::default()
        .with_stride([2, 2])
        .with_padding([1, 1]);
    let y = conv2d(
        &Var::constant(x.clone()),
        &Var::constant(w.clone()),
        None,
        &opts,
    )
    .unwrap()
    .value();
    // Reference: y_n = W[5, 27] · im2col(x_n)[27, 9].
    let geometry = fovea_tensor::ConvGeometry::new([3, 3])
        .with_stride([2, 2])
        .with_padding([1, 1]);
    let cols = x.im2col(&geometry).unwrap();
    let reference = w
        .reshape(&[5, 27])
        .unwrap()
        .matmul(&cols)
        .unwrap()
        .reshape(&[2, 5, 3, 3])
        .unwrap();
    assert!(y.all_close(&reference, 1e-5, 1e-5));
}

#[test]
fn conv2d_wrong_channel_count_names_the_path() {
    let conv = Conv2dConfig::new(3, 8, [3, 3])
        .init(&mut seeded_rng(0))
        .unwrap();
    let net = fovea_layers::Sequential::new().add(
        "features",
        fovea_layers::Sequential::new().add("conv1", conv),
    );
    let err = net
        .forward(&Var::constant(Tensor::zeros(&[1, 1, 8, 8])))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "features.conv1: conv2d: input channels differ from weight in-channels x groups (3 x 1): [1, 1, 8, 8] x [8, 3, 3, 3]"
    );
}
