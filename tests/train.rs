//! The training loop: it learns, and a diverging run stops with an error naming the step.

use fovea::data::Dataset;
use fovea::optim::{Sgd, SgdConfig};
use fovea::prelude::*;

/// 16 random 4x4 images in 2 classes, class 1 brighter.
fn toy_data() -> Dataset {
    let mut images = Vec::new();
    let mut labels = Vec::new();
    for i in 0..16u8 {
        let class = i % 2;
        images
            .extend((0..16u16).map(|p| (class as u16 * 120 + (i as u16 * 7 + p * 13) % 100) as u8));
        labels.push(class);
    }
    Dataset::new(images, labels, 4, 4, 2).unwrap()
}

fn small_net() -> Sequential {
    Sequential::new().add("flatten", Flatten).add(
        "fc",
        LinearConfig::new(16, 2).init(&mut seeded_rng(0)).unwrap(),
    )
}

#[test]
fn training_reduces_the_loss_and_evaluates() {
    let data = toy_data();
    let net = small_net();
    let mut opt = Sgd::new(net.parameters(), SgdConfig::new(0.1)).unwrap();
    let first =
        fovea::train::train_epoch(&net, &mut opt, data.batches(4, 0).unwrap(), |_| {}).unwrap();
    let mut last = first;
    for epoch in 1..20 {
        last = fovea::train::train_epoch(&net, &mut opt, data.batches(4, epoch).unwrap(), |_| {})
            .unwrap();
    }
    assert!(last.loss < first.loss / 2.0, "{first:?} -> {last:?}");
    assert_eq!(last.samples, 16);
    let eval = fovea::train::evaluate(&net, &data, 5, None).unwrap();
    assert_eq!(eval.accuracy, 1.0);
}

#[test]
fn a_diverging_run_stops_with_an_error_naming_the_step() {
    // Every image appears with both labels, so the gradient never vanishes; with an absurd
    // learning rate and momentum the weights, then the logits, overflow within a few steps.
    let images: Vec<u8> = (0..16u16)
        .flat_map(|i| (0..16u16).map(move |p| ((i * 7 + p * 13) % 200) as u8))
        .collect();
    let doubled: Vec<u8> = images.iter().chain(&images).copied().collect();
    let labels: Vec<u8> = (0..32).map(|i| (i / 16) as u8).collect();
    let data = Dataset::new(doubled, labels, 4, 4, 2).unwrap();
    let net = small_net();
    let mut opt = Sgd::new(net.parameters(), SgdConfig::new(1e38).with_momentum(0.9)).unwrap();
    let mut error = None;
    for epoch in 0..5 {
        if let Err(e) =
            fovea::train::train_epoch(&net, &mut opt, data.batches(4, epoch).unwrap(), |_| {})
        {
            error = Some(e);
            break;
        }
    }
    let message = error.expect("the run must stop").to_string();
    assert!(message.starts_with("train: the loss is "), "{message}");
    assert!(
        message.contains(&format!("at step {}", opt.steps() + 1)),
        "{message}"
    );
    assert!(
        message.contains("lower the learning rate (now 1000000000000000000000000000000000000"),
        "{message}"
    );
    // The parameters were not overwritten with NaN by the failing step.
    assert!(
        net.parameters()
            .iter()
            .all(|(_, v)| !v.value().has_non_finite())
    );
}
