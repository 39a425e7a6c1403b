//! The module system: parameter names, end points, summary, the dead-unit monitor, training mode.

use fovea_autograd::Var;
use fovea_layers::{
    Conv2dConfig, DeadUnitMonitor, Flatten, LinearConfig, Module, ModuleExt, Relu, Sequential,
    summary,
};
use fovea_tensor::{Tensor, seeded_rng};

/// features: conv1 → relu1 → conv2 → relu2; classifier: flatten → fc1 → relu3 → fc2.
fn small_net() -> Sequential {
    let mut rng = seeded_rng(0);
    Sequential::new()
        .add(
            "features",
            Sequential::new()
                .add(
                    "conv1",
                    Conv2dConfig::new(1, 4, [3, 3]).init(&mut rng).unwrap(),
                )
                .add("relu1", Relu)
                .add(
                    "conv2",
                    Conv2dConfig::new(4, 8, [3, 3])
                        .with_stride([2, 2])
                        .init(&mut rng)
                        .unwrap(),
                )
                .add("relu2", Relu),
        )
        .add(
            "classifier",
            Sequential::new()
                .add("flatten", Flatten)
                .add(
                    "fc1",
                    LinearConfig::new(8 * 3 * 3, 16).init(&mut rng).unwrap(),
                )
                .add("relu3", Relu)
                .add("fc2", LinearConfig::new(16, 10).init(&mut rng).unwrap()),
        )
}

#[test]
fn parameter_names_and_shapes_follow_pytorch() {
    let net = small_net();
    let params: Vec<(String, Vec<usize>)> = net
        .parameters()
        .into_iter()
        .map(|(n, v)| (n, v.shape()))
        .collect();
    let expected = [
        ("features.conv1.weight", vec![4, 1, 3, 3]),
        ("features.conv1.bias", vec![4]),
        ("features.conv2.weight", vec![8, 4, 3, 3]),
        ("features.conv2.bias", vec![8]),
        ("classifier.fc1.weight", vec![16, 72]),
        ("classifier.fc1.bias", vec![16]),
        ("classifier.fc2.weight", vec![10, 16]),
        ("classifier.fc2.bias", vec![10]),
    ];
    assert_eq!(params.len(), expected.len());
    for ((name, shape), (en, es)) in params.iter().zip(expected) {
        assert_eq!((name.as_str(), shape), (en, &es));
    }
    // 36+4 + 288+8 + 1152+16 + 160+10
    assert_eq!(net.parameter_count(), 1674);
}

#[test]
fn end_points_record_every_layer_in_order() {
    let net = small_net();
    let x =
        Var::constant(Tensor::rand_normal(&[2, 1, 9, 9], 0.0, 1.0, &mut seeded_rng(1)).unwrap());
    let (y, points) = net.forward_with_end_points(&x).unwrap();
    assert_eq!(
        points.names(),
        [
            "features.conv1",
            "features.relu1",
            "features.conv2",
            "features.relu2",
            "features",
            "classifier.flatten",
            "classifier.fc1",
            "classifier.relu3",
            "classifier.fc2",
            "classifier"
        ]
    );
    assert_eq!(
        points.get("features.conv1").unwrap().shape(),
        vec![2, 4, 7, 7]
    );
    assert_eq!(
        points.get("features.relu2").unwrap().shape(),
        vec![2, 8, 3, 3]
    );
    // The last end point is the network's output, and recording does not change it.
    assert_eq!(
        points.get("classifier").unwrap().value().to_vec(),
        y.value().to_vec()
    );
    assert_eq!(
        net.forward(&x).unwrap().value().to_vec(),
        y.value().to_vec()
    );
    // The relu outputs really are the relu of the conv outputs.
    let conv = points.get("features.conv1").unwrap().value().to_vec();
    let relu = points.get("features.relu1").unwrap().value().to_vec();
    assert!(conv.iter().zip(&relu).all(|(c, r)| *r == c.max(0.0)));
}

#[test]
fn end_points_keep_gradients_flowing() {
    // A loss on an intermediate end point backpropagates into the layers before it only.
    let net = small_net();
    let x =
        Var::constant(Tensor::rand_normal(&[2, 1, 9, 9], 0.0, 1.0, &mut seeded_rng(2)).unwrap());
    let (_, points) = net.forward_with_end_points(&x).unwrap();
    let grads = points
        .get("features.conv2")
        .unwrap()
        .sum_all()
        .backward()
        .unwrap();
    assert!(
        grads
            .get(&net.parameter("features.conv1.weight").unwrap())
            .is_some()
    );
    assert!(
        grads
            .get(&net.parameter("classifier.fc1.weight").unwrap())
            .is_none()
    );
}

#[test]
fn summary_lists_layers_shapes_and_counts() {
    let net = small_net();
    net.parameter("features.conv1.weight")
        .unwrap()
        .set_requires_grad(false)
        .unwrap();
    let s = summary(&net, &[1, 1, 9, 9]).unwrap();
    let conv2 = s.rows.iter().find(|r| r.name == "features.conv2").unwrap();
    assert_eq!(
        (
            conv2.kind.as_str(),
            conv2.output_shape.clone(),
            conv2.parameters
        ),
        ("Conv2d", vec![1, 8, 3, 3], 296)
    );
    assert_eq!(s.total_parameters, 1674);
    assert_eq!(s.trainable_parameters, 1674 - 36);
    let text = s.to_string();
    assert!(text.contains("features.conv2 (Conv2d)"), "{text}");
    assert!(text.contains("Non-trainable params: 36"), "{text}");
}

#[test]
fn dead_unit_monitor_counts_channels_and_features() {
    let mut monitor = DeadUnitMonitor::default();
    // [N=2, C=3, 1, 2]: channel 0 fires on sample 0 only, channel 1 never, channel 2 on both.
    let conv = Tensor::from_vec(
        vec![1.0, 0.0, 0.0, -1.0, 0.0, 2.0, 0.0, 0.0, -3.0, 0.0, 0.5, 0.5],
        &[2, 3, 1, 2],
    )
    .unwrap();
    monitor.observe("relu1", &conv).unwrap();
    assert_eq!(
        monitor.active_fraction("relu1").unwrap(),
        vec![0.5, 0.0, 1.0]
    );
    assert_eq!(monitor.dead_fraction("relu1"), Some(1.0 / 3.0));
    // A second batch where channel 1 fires revives it.
    let revive = Tensor::from_vec(vec![0.0, 0.0, 1.0, 0.0, 0.0, 0.0], &[1, 3, 1, 2]).unwrap();
    monitor.observe("relu1", &revive).unwrap();
    assert_eq!(monitor.dead_fraction("relu1"), Some(0.0));
    assert_eq!(
        monitor.active_fraction("relu1").unwrap(),
        vec![1.0 / 3.0, 1.0 / 3.0, 2.0 / 3.0]
    );
    // A unit-count change is an error naming the layer.
    let err = monitor
        .observe("relu1", &Tensor::zeros(&[1, 4]))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "dead unit monitor: relu1: 3 units before, 4 now (shape [1, 4])"
    );
}

#[test]
fn dead_unit_monitor_sees_a_killed_relu_layer() {
    // Push the first conv's bias far negative: every relu1 unit is dead on every input.
    let net = small_net();
    net.parameter("features.conv1.bias")
        .unwrap()
        .set_value(Tensor::full(&[4], -100.0))
        .unwrap();
    let x =
        Var::constant(Tensor::rand_uniform(&[4, 1, 9, 9], 0.0, 1.0, &mut seeded_rng(3)).unwrap());
    let (_, points) = net.forward_with_end_points(&x).unwrap();
    let mut monitor = DeadUnitMonitor::default();
    monitor
        .observe_end_points(&points, |p| p.contains("relu"))
        .unwrap();
    assert_eq!(
        monitor.layer_names(),
        ["features.relu1", "features.relu2", "classifier.relu3"]
    );
    assert_eq!(monitor.dead_fraction("features.relu1"), Some(1.0));
    assert!(monitor.to_string().contains("features.relu1"));
}

#[test]
fn replace_swaps_a_head() {
    let mut head = Sequential::new().add(
        "fc",
        LinearConfig::new(8, 5).init(&mut seeded_rng(0)).unwrap(),
    );
    let old = head
        .replace_child(
            "fc",
            Box::new(LinearConfig::new(8, 3).init(&mut seeded_rng(1)).unwrap()),
        )
        .ok()
        .unwrap();
    assert_eq!(old.parameters()[0].1.shape(), vec![5, 8]);
    assert_eq!(head.parameters()[0].1.shape(), vec![3, 8]);
    assert!(head.replace_child("nope", Box::new(Relu)).is_err());
}
