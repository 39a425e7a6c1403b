//! Ready-made networks: the ones fovea's examples train and its benchmarks time.
//!
//! Each returns a [`Sequential`] with PyTorch-style names (`features.conv1`, `classifier.fc2`),
//! so a `state_dict` of the same PyTorch network loads into it.

use fovea_layers::functional::LrnConfig;
use fovea_layers::{
    Conv2dConfig, DropoutConfig, Flatten, LinearConfig, MaxPool2dConfig, Relu, Sequential,
};
use fovea_tensor::{Result, seeded_rng};

/// The AlexNet-style network of the pretrain/fine-tune examples, for 1×28×28 images:
///
/// ```text
/// features:   conv1 5x5 32 pad 2 → relu1 → lrn1 → pool1 2x2 → 32x14x14
///             conv2 5x5 64 pad 2 → relu2 → lrn2 → pool2 2x2 → 64x7x7
/// classifier: flatten → fc1 3136→256 → relu3 → dropout (p=0.5) → fc2 256→classes
/// ```
///
/// LRN uses the AlexNet paper's settings (k=2, n=5, α=1e-4, β=0.75). The head is the
/// last layer, `classifier.fc2`; replace it with `replace_child("classifier.fc2", ...)`.
///
/// # Errors
/// [`fovea_tensor::Error::InvalidArgument`] when `classes` is 0.
///
/// # Example
/// ```
/// use fovea::prelude::*;
/// let net = fovea::models::fashion_alexnet(10, 0)?;
/// let y = net.forward(&Var::constant(Tensor::zeros(&[2, 1, 28, 28])))?;
/// assert_eq!(y.shape(), vec![2, 10]);
/// # Ok::<(), fovea::Error>(())
/// ```
pub fn fashion_alexnet(classes: usize, seed: u64) -> Result<Sequential> {
    let mut rng = seeded_rng(seed);
    let lrn = LrnConfig::alexnet();
    let features = Sequential::new()
        .add(
            "conv1",
            Conv2dConfig::new(1, 32, [5, 5])
                .with_padding([2, 2])
                .init(&mut rng)?,
        )
        .add("relu1", Relu)
        .add("lrn1", lrn.init()?)
        .add("pool1", MaxPool2dConfig::new([2, 2]).init()?)
        .add(
            "conv2",
            Conv2dConfig::new(32, 64, [5, 5])
                .with_padding([2, 2])
                .init(&mut rng)?,
        )
        .add("relu2", Relu)
        .add("lrn2", lrn.init()?)
        .add("pool2", MaxPool2dConfig::new([2, 2]).init()?);
    Ok(Sequential::new()
        .add("features", features)
        .add("classifier", head(64 * 7 * 7, classes, seed, &mut rng)?))
}

/// flatten → fc1 → relu3 → dropout → fc2.
fn head(inputs: usize, classes: usize, seed: u64, rng: &mut impl rand::Rng) -> Result<Sequential> {
    Ok(Sequential::new()
        .add("flatten", Flatten)
        .add("fc1", LinearConfig::new(inputs, 256).init(rng)?)
        .add("relu3", Relu)
        .add("dropout", DropoutConfig::new(0.5).with_seed(seed).init()?)
        .add("fc2", LinearConfig::new(256, classes).init(rng)?))
}

/// A new classifier layer for `classes` outputs, to put in place of `classifier.fc2` of
/// [`fashion_alexnet`] when fine-tuning on another task.
///
/// # Errors
/// [`fovea_tensor::Error::InvalidArgument`] when `classes` is 0.
///
/// # Example
/// ```
/// use fovea::prelude::*;
/// let mut net = fovea::models::fashion_alexnet(5, 0)?;
/// let head = fovea::models::fashion_alexnet_head(3, 1)?;
/// assert!(net.replace_child("classifier.fc2", Box::new(head)).is_ok());
/// # Ok::<(), fovea::Error>(())
/// ```
pub fn fashion_alexnet_head(classes: usize, seed: u64) -> Result<fovea_layers::Linear> {
    LinearConfig::new(256, classes).init(&mut seeded_rng(seed))
}

/// LeNet-5 as in Caffe's MNIST example, for 1×28×28 images (workload W2 of the benchmarks):
/// conv1 5x5 20 → pool 2x2 → conv2 5x5 50 → pool 2x2 → fc1 800→500 → relu → fc2 500→classes.
///
/// # Errors
/// [`fovea_tensor::Error::InvalidArgument`] when `classes` is 0.
///
/// # Example
/// ```
/// use fovea::prelude::*;
/// let net = fovea::models::lenet5(10, 0)?;
/// assert_eq!(net.forward(&Var::constant(Tensor::zeros(&[1, 1, 28, 28])))?.shape(), vec![1, 10]);
/// # Ok::<(), fovea::Error>(())
/// ```
pub fn lenet5(classes: usize, seed: u64) -> Result<Sequential> {
    let mut rng = seeded_rng(seed);
    Ok(Sequential::new()
        .add("conv1", Conv2dConfig::new(1, 20, [5, 5]).init(&mut rng)?)
        .add("pool1", MaxPool2dConfig::new([2, 2]).init()?)
        .add("conv2", Conv2dConfig::new(20, 50, [5, 5]).init(&mut rng)?)
        .add("pool2", MaxPool2dConfig::new([2, 2]).init()?)
        .add("flatten", Flatten)
        .add("fc1", LinearConfig::new(50 * 4 * 4, 500).init(&mut rng)?)
        .add("relu", Relu)
        .add("fc2", LinearConfig::new(500, classes).init(&mut rng)?))
}

/// A VGG-style CIFAR network for 3×32×32 images (workload W3): conv32-conv32-pool-conv64-conv64-
/// pool-fc512-fc10, all convolutions 3x3 with padding 1, each followed by ReLU.
///
/// # Errors
/// [`fovea_tensor::Error::InvalidArgument`] when `classes` is 0.
///
/// # Example
/// ```
/// use fovea::prelude::*;
/// let net = fovea::models::cifar_convnet(10, 0)?;
/// assert_eq!(net.forward(&Var::constant(Tensor::zeros(&[1, 3, 32, 32])))?.shape(), vec![1, 10]);
/// # Ok::<(), fovea::Error>(())
/// ```
pub fn cifar_convnet(classes: usize, seed: u64) -> Result<Sequential> {
    let mut rng = seeded_rng(seed);
    let conv = |i, o, rng: &mut rand::rngs::StdRng| {
        Conv2dConfig::new(i, o, [3, 3])
            .with_padding([1, 1])
            .init(rng)
    };
    Ok(Sequential::new()
        .add("conv1", conv(3, 32, &mut rng)?)
        .add("relu1", Relu)
        .add("conv2", conv(32, 32, &mut rng)?)
        .add("relu2", Relu)
        .add("pool1", MaxPool2dConfig::new([2, 2]).init()?)
        .add("conv3", conv(32, 64, &mut rng)?)
        .add("relu3", Relu)
        .add("conv4", conv(64, 64, &mut rng)?)
        .add("relu4", Relu)
        .add("pool2", MaxPool2dConfig::new([2, 2]).init()?)
        .add("flatten", Flatten)
        .add("fc1", LinearConfig::new(64 * 8 * 8, 512).init(&mut rng)?)
        .add("relu5", Relu)
        .add("fc2", LinearConfig::new(512, classes).init(&mut rng)?))
}

/// A small AlexNet with LRN for 3×112×112 images (workload W4): conv1 11x11/4 48 (pad 2) → relu →
/// LRN → pool 3x3/2 → conv2 5x5 128 (pad 2) → relu → LRN → pool 3x3/2 → conv3 3x3 192 (pad 1) →
/// relu → pool 3x3/2 → fc1 768→1024 → relu → fc2 1024→classes. LRN as the AlexNet paper.
///
/// # Errors
/// [`fovea_tensor::Error::InvalidArgument`] when `classes` is 0.
///
/// # Example
/// ```
/// use fovea::prelude::*;
/// let net = fovea::models::alexnet_lrn(10, 0)?;
/// assert_eq!(net.forward(&Var::constant(Tensor::zeros(&[1, 3, 112, 112])))?.shape(), vec![1, 10]);
/// # Ok::<(), fovea::Error>(())
/// ```
pub fn alexnet_lrn(classes: usize, seed: u64) -> Result<Sequential> {
    let mut rng = seeded_rng(seed);
    let pool = || MaxPool2dConfig::new([3, 3]).with_stride([2, 2]).init();
    Ok(Sequential::new()
        .add(
            "conv1",
            Conv2dConfig::new(3, 48, [11, 11])
                .with_stride([4, 4])
                .with_padding([2, 2])
                .init(&mut rng)?,
        )
        .add("relu1", Relu)
        .add("lrn1", LrnConfig::alexnet().init()?)
        .add("pool1", pool()?)
        .add(
            "conv2",
            Conv2dConfig::new(48, 128, [5, 5])
                .with_padding([2, 2])
                .init(&mut rng)?,
        )
        .add("relu2", Relu)
        .add("lrn2", LrnConfig::alexnet().init()?)
        .add("pool2", pool()?)
        .add(
            "conv3",
            Conv2dConfig::new(128, 192, [3, 3])
                .with_padding([1, 1])
                .init(&mut rng)?,
        )
        .add("relu3", Relu)
        .add("pool3", pool()?)
        .add("flatten", Flatten)
        .add("fc1", LinearConfig::new(192 * 2 * 2, 1024).init(&mut rng)?)
        .add("relu4", Relu)
        .add("fc2", LinearConfig::new(1024, classes).init(&mut rng)?))
}
