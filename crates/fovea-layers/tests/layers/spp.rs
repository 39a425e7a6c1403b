//! SPP: golden values from PyTorch (`torch.cat` of adaptive max pools), gradcheck, the feature
//! order, the layer and its errors. Tolerance and helpers as in `pool.rs`.

use fovea_autograd::Var;
use fovea_layers::functional::{SPP_LEVELS, adaptive_max_pool2d, spp};
use fovea_layers::{Module, SppConfig};
use fovea_tensor::Tensor;

use super::pool::{check_golden, check_gradient, distinct, load, usizes};

#[test]
fn golden_spp_matches_pytorch() {
    let mut worst = 0.0f32;
    for case in load("spp") {
        let levels = usizes(&case["options"]["levels"]);
        worst = worst.max(check_golden(&case, |x| spp(x, &levels)));
    }
    eprintln!("golden spp: max abs error {worst:.2e}");
}

#[test]
fn spp_gradcheck() {
    // Non-divisible sizes (bins overlap), a level larger than the input, and the default pyramid,
    // whose 1x1 level shares its maximum with a bin of every other level (gradients add up).
    check_gradient("spp [4, 2, 1] on 9x7", &[2, 2, 9, 7], 40, |x| {
        spp(x, &SPP_LEVELS)
    });
    check_gradient("spp [3, 1] on 5x5", &[1, 3, 5, 5], 41, |x| spp(x, &[3, 1]));
    check_gradient("spp [4, 2, 1] on 3x3", &[1, 2, 3, 3], 42, |x| {
        spp(x, &SPP_LEVELS)
    });
}

#[test]
fn spp_feature_order_is_level_then_channel_then_bin() {
    // Channel c of the 4x4 input holds 100·c + (0..16): 2x2 maxima 5, 7, 13, 15 (+100·c),
    // global maximum 15 (+100·c).
    let data: Vec<f32> = (0..2)
        .flat_map(|c| (0..16).map(move |i| (100 * c + i) as f32))
        .collect();
    let x = Var::parameter(Tensor::from_vec(data, &[1, 2, 4, 4]).unwrap());
    let y = spp(&x, &[2, 1]).unwrap();
    assert_eq!(
        y.value().to_vec(),
        vec![5., 7., 13., 15., 105., 107., 113., 115., 15., 115.]
    );
    // Gradient: the 1x1 level's gradient lands on the same element as the last 2x2 bin's.
    let dy: Vec<f32> = (1..=10).map(|v| v as f32).collect();
    let g = y
        .backward_with(Tensor::from_vec(dy, &[1, 10]).unwrap())
        .unwrap();
    let g = g.get(&x).unwrap().to_vec();
    assert_eq!((g[5], g[7], g[13], g[15]), (1., 2., 3., 4. + 9.));
    assert_eq!(
        (g[16 + 5], g[16 + 7], g[16 + 13], g[16 + 15]),
        (5., 6., 7., 8. + 10.)
    );
    assert_eq!(g.iter().sum::<f32>(), 55.0);
}

#[test]
fn spp_equals_concatenated_adaptive_max_pools() {
    let x = Var::constant(distinct(&[2, 3, 11, 13], 3));
    let y = spp(&x, &SPP_LEVELS).unwrap();
    assert_eq!(y.shape(), vec![2, 63]);
    let y = y.value().to_vec();
    let mut offset = 0;
    for n in SPP_LEVELS {
        let level = adaptive_max_pool2d(&x, [n, n]).unwrap().value().to_vec();
        let per_image = 3 * n * n;
        for b in 0..2 {
            assert_eq!(
                y[b * 63 + offset..b * 63 + offset + per_image],
                level[b * per_image..(b + 1) * per_image]
            );
        }
        offset += per_image;
    }
}

#[test]
fn spp_layer() {
    let layer = SppConfig::default().init().unwrap();
    assert_eq!(
        (
            layer.kind(),
            layer.levels.clone(),
            layer.features_per_channel()
        ),
        ("SPP", vec![4, 2, 1], 21)
    );
    let x = Var::constant(distinct(&[2, 4, 6, 10], 5));
    assert_eq!(
        layer.forward(&x).unwrap().value().to_vec(),
        spp(&x, &[4, 2, 1]).unwrap().value().to_vec()
    );
    assert!(layer.parameters().is_empty());
}

#[test]
fn spp_errors() {
    assert_eq!(
        SppConfig::default()
            .with_levels(&[])
            .init()
            .unwrap_err()
            .to_string(),
        "SPP: levels must be non-empty and positive, got []"
    );
    assert_eq!(
        SppConfig::default()
            .with_levels(&[4, 0])
            .init()
            .unwrap_err()
            .to_string(),
        "SPP: levels must be non-empty and positive, got [4, 0]"
    );
    let x = |shape: &[usize]| Var::constant(Tensor::zeros(shape));
    assert_eq!(
        spp(&x(&[1, 1, 4, 4]), &[]).unwrap_err().to_string(),
        "spp: levels must be non-empty and positive, got []"
    );
    assert_eq!(
        spp(&x(&[2, 16]), &SPP_LEVELS).unwrap_err().to_string(),
        "spp: input must be [N, C, H, W] (shape [2, 16])"
    );
    assert_eq!(
        spp(&x(&[2, 3, 0, 5]), &SPP_LEVELS).unwrap_err().to_string(),
        "spp: adaptive_max_pool2d: input is empty (shape [2, 3, 0, 5])"
    );
    let layer = SppConfig::default().init().unwrap();
    let net = fovea_layers::Sequential::new().add("spp", layer);
    assert_eq!(
        net.forward(&x(&[4, 4])).unwrap_err().to_string(),
        "spp: spp: input must be [N, C, H, W] (shape [4, 4])"
    );
}
