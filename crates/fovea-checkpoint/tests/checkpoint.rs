//! fovea-checkpoint: file format, atomic save, strict/partial loading, freezing, exact resume,
//! and safetensors interchange with PyTorch (fixtures from `scripts/golden_checkpoint.py`).

use std::path::PathBuf;

use fovea_autograd::{Var, cross_entropy};
use fovea_checkpoint::{
    Checkpoint, Metadata, freeze, load_safetensors, save_safetensors, unfreeze,
};
use fovea_layers::{Conv2dConfig, Flatten, LinearConfig, Module, ModuleExt, Relu, Sequential};
use fovea_optim::{Sgd, SgdConfig};
use fovea_tensor::{Error, Tensor, seeded_rng};
use serde_json::Value;

/// conv1 → relu1 → flatten → fc: the network of `scripts/golden_checkpoint.py`.
fn network(seed: u64) -> Sequential {
    let mut rng = seeded_rng(seed);
    Sequential::new()
        .add(
            "conv1",
            Conv2dConfig::new(1, 4, [3, 3]).init(&mut rng).unwrap(),
        )
        .add("relu1", Relu)
        .add("flatten", Flatten)
        .add(
            "fc",
            LinearConfig::new(4 * 6 * 6, 3).init(&mut rng).unwrap(),
        )
}

/// A fresh temporary folder for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fovea-ckpt-{test}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn shape(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn values(model: &dyn Module) -> Vec<Vec<f32>> {
    model
        .parameters()
        .iter()
        .map(|(_, v)| v.value().to_vec())
        .collect()
}

#[test]
fn save_then_load_round_trips_everything() {
    let dir = temp_dir("roundtrip");
    let path = dir.join("model.fovea");
    let net = network(0);
    let mut opt = Sgd::new(net.parameters(), SgdConfig::new(0.1).with_momentum(0.9)).unwrap();
    let x =
        Var::constant(Tensor::rand_normal(&[2, 1, 8, 8], 0.0, 1.0, &mut seeded_rng(1)).unwrap());
    opt.step(
        &cross_entropy(&net.forward(&x).unwrap(), &[0, 2])
            .unwrap()
            .backward()
            .unwrap(),
    )
    .unwrap();
    let metadata = Metadata::new("conv-relu-fc")
        .with_class_names(&["a", "b", "c"])
        .with_epoch(2)
        .with_step(1)
        .with_extra("lr", "0.1");
    let saved = Checkpoint::from_module(&net, metadata).with_optimizer(&opt);
    saved.save(&path).unwrap();
    let loaded = Checkpoint::load(&path).unwrap();
    assert_eq!(loaded, saved);
    assert_eq!(loaded.metadata.fovea_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(loaded.optimizer.as_ref().unwrap().buffers.len(), 4);
    // The temporary file was renamed away: only the checkpoint remains.
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, ["model.fovea"]);
}

#[test]
fn saving_over_a_checkpoint_replaces_it_whole() {
    let dir = temp_dir("replace");
    let path = dir.join("model.fovea");
    Checkpoint::from_module(&network(0), Metadata::new("first"))
        .save(&path)
        .unwrap();
    Checkpoint::from_module(&network(1), Metadata::new("second"))
        .save(&path)
        .unwrap();
    let loaded = Checkpoint::load(&path).unwrap();
    assert_eq!(loaded.metadata.architecture, "second");
    assert_eq!(
        loaded.tensors[0].data,
        network(1).parameters()[0].1.value().to_vec()
    );
}

#[test]
fn a_failed_save_leaves_the_previous_file_and_names_the_path() {
    let dir = temp_dir("failed");
    let path = dir.join("model.fovea");
    Checkpoint::from_module(&network(0), Metadata::new("good"))
        .save(&path)
        .unwrap();
    // A folder where the file should go: the rename fails after the temporary file is written.
    let blocked = dir.join("blocked.fovea");
    std::fs::create_dir_all(blocked.join("inside")).unwrap();
    let err = Checkpoint::from_module(&network(1), Metadata::new("bad"))
        .save(&blocked)
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("checkpoint save: {}", blocked.display())),
        "{err}"
    );
    // No temporary file is left behind, and the earlier checkpoint is intact.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    assert_eq!(
        Checkpoint::load(&path).unwrap().metadata.architecture,
        "good"
    );
    // A folder that does not exist: the error names the temporary file it tried to create.
    let err = Checkpoint::from_module(&network(1), Metadata::new("x"))
        .save(dir.join("nope/model.fovea"))
        .unwrap_err();
    assert!(err.to_string().contains("nope/.model.fovea.tmp-"), "{err}");
}

#[test]
fn damaged_files_are_rejected_with_the_reason() {
    let dir = temp_dir("damaged");
    let path = dir.join("model.fovea");
    Checkpoint::from_module(&network(0), Metadata::new("net"))
        .save(&path)
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let p = path.display();
    let cases: Vec<(Vec<u8>, String)> = vec![
        (
            bytes[..bytes.len() - 10].to_vec(),
            format!(
                "checkpoint load: {p}: file is {} bytes but the header announces",
                bytes.len() - 10
            ),
        ),
        (
            {
                let mut b = bytes.clone();
                b[40] ^= 0xff;
                b
            },
            format!("checkpoint load: {p}: checksum mismatch (the file is corrupted)"),
        ),
        (
            {
                let mut b = bytes.clone();
                b[0] = b'X';
                b
            },
            format!("checkpoint load: {p}: not a fovea checkpoint (bad magic bytes or too short)"),
        ),
        (
            {
                let mut b = bytes.clone();
                b[8] = 9;
                b
            },
            format!(
                "checkpoint load: {p}: format version 9 is not supported (this fovea reads version 1)"
            ),
        ),
    ];
    for (damaged, expected) in cases {
        std::fs::write(&path, damaged).unwrap();
        let err = Checkpoint::load(&path).unwrap_err();
        assert!(matches!(err, Error::Format { .. }));
        assert!(
            err.to_string().starts_with(&expected),
            "{err}\nexpected: {expected}"
        );
    }
    let err = Checkpoint::load(dir.join("missing.fovea")).unwrap_err();
    assert!(
        matches!(err, Error::Io { .. }) && err.to_string().contains("missing.fovea"),
        "{err}"
    );
}

#[test]
fn strict_load_refuses_differences_and_changes_nothing() {
    let source = network(0);
    let target = Sequential::new()
        .add(
            "conv1",
            Conv2dConfig::new(1, 4, [3, 3])
                .init(&mut seeded_rng(5))
                .unwrap(),
        )
        .add("flatten", Flatten)
        .add(
            "head",
            LinearConfig::new(4 * 6 * 6, 5)
                .init(&mut seeded_rng(6))
                .unwrap(),
        );
    let before = values(&target);
    let err = Checkpoint::from_module(&source, Metadata::new("net"))
        .load_into(&target)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "checkpoint load (strict): names or shapes differ: loaded 2, missing [\"head.weight\", \"head.bias\"], unexpected [\"fc.weight\", \"fc.bias\"]"
    );
    assert_eq!(values(&target), before);
}

#[test]
fn partial_load_reports_each_name_and_loads_what_fits() {
    let source = network(0);
    let mut target = network(7);
    // A new head for 5 classes: same name, other shape.
    target
        .replace_child(
            "fc",
            Box::new(
                LinearConfig::new(4 * 6 * 6, 5)
                    .init(&mut seeded_rng(8))
                    .unwrap(),
            ),
        )
        .ok()
        .unwrap();
    let new_head = target.parameter("fc.weight").unwrap().value().to_vec();
    let report = Checkpoint::from_module(&source, Metadata::new("net"))
        .load_partial(&target)
        .unwrap();
    assert_eq!(report.loaded, ["conv1.weight", "conv1.bias"]);
    assert!(report.missing.is_empty() && report.unexpected.is_empty());
    assert_eq!(
        report.shape_mismatched,
        [
            ("fc.weight".to_string(), vec![5, 144], vec![3, 144]),
            ("fc.bias".to_string(), vec![5], vec![3])
        ]
    );
    assert_eq!(
        target.parameter("conv1.weight").unwrap().value().to_vec(),
        source.parameter("conv1.weight").unwrap().value().to_vec()
    );
    assert_eq!(
        target.parameter("fc.weight").unwrap().value().to_vec(),
        new_head
    );
}

#[test]
fn freezing_by_pattern_keeps_layers_bit_identical_through_training() {
    let net = network(0);
    assert_eq!(
        freeze(&net, &["conv1.*"]).unwrap(),
        ["conv1.weight", "conv1.bias"]
    );
    let frozen_before = net.parameter("conv1.weight").unwrap().value().to_vec();
    let head_before = net.parameter("fc.weight").unwrap().value().to_vec();
    let mut opt = Sgd::new(
        net.parameters(),
        SgdConfig::new(0.1)
            .with_momentum(0.9)
            .with_weight_decay(0.01),
    )
    .unwrap();
    let x =
        Var::constant(Tensor::rand_normal(&[4, 1, 8, 8], 0.0, 1.0, &mut seeded_rng(2)).unwrap());
    for _ in 0..5 {
        opt.step(
            &cross_entropy(&net.forward(&x).unwrap(), &[0, 1, 2, 0])
                .unwrap()
                .backward()
                .unwrap(),
        )
        .unwrap();
    }
    assert_eq!(
        net.parameter("conv1.weight").unwrap().value().to_vec(),
        frozen_before
    );
    assert_ne!(
        net.parameter("fc.weight").unwrap().value().to_vec(),
        head_before
    );
    assert_eq!(
        unfreeze(&net, &["*.bias"]).unwrap(),
        ["conv1.bias", "fc.bias"]
    );
    assert!(net.parameter("conv1.bias").unwrap().requires_grad());
    let err = freeze(&net, &["features.*"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "freeze: patterns [\"features.*\"] match no parameter"
    );
}

#[test]
fn resuming_from_a_checkpoint_file_is_bit_identical() {
    let dir = temp_dir("resume");
    let data: Vec<(Var, Vec<usize>)> = (0..6)
        .map(|i| {
            (
                Var::constant(
                    Tensor::rand_normal(&[4, 1, 8, 8], 0.0, 1.0, &mut seeded_rng(10 + i)).unwrap(),
                ),
                vec![0, 1, 2, (i % 3) as usize],
            )
        })
        .collect();
    let config = SgdConfig::new(0.05)
        .with_momentum(0.9)
        .with_weight_decay(5e-4);
    let train = |net: &Sequential, opt: &mut Sgd, steps: std::ops::Range<usize>| {
        for i in steps {
            let (x, y) = &data[i];
            opt.step(
                &cross_entropy(&net.forward(x).unwrap(), y)
                    .unwrap()
                    .backward()
                    .unwrap(),
            )
            .unwrap();
        }
    };
    let straight = network(0);
    let mut opt = Sgd::new(straight.parameters(), config).unwrap();
    train(&straight, &mut opt, 0..6);

    let first = network(0);
    let mut opt1 = Sgd::new(first.parameters(), config).unwrap();
    train(&first, &mut opt1, 0..3);
    let path = dir.join("mid.fovea");
    Checkpoint::from_module(&first, Metadata::new("net").with_step(3))
        .with_optimizer(&opt1)
        .save(&path)
        .unwrap();

    let resumed = network(99); // different initial values: everything must come from the file
    let ckpt = Checkpoint::load(&path).unwrap();
    ckpt.load_into(&resumed).unwrap();
    let mut opt2 = Sgd::new(resumed.parameters(), config).unwrap();
    opt2.load_state(ckpt.optimizer.as_ref().unwrap()).unwrap();
    train(&resumed, &mut opt2, 3..6);
    assert_eq!(values(&resumed), values(&straight));
}

#[test]
fn a_pytorch_state_dict_loads_and_gives_the_same_output() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("torch_model.json")).unwrap())
            .unwrap();
    let tensors = load_safetensors(fixture("torch_model.safetensors")).unwrap();
    let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["conv1.bias", "conv1.weight", "fc.bias", "fc.weight"]
    );
    let net = network(42);
    let ckpt = Checkpoint {
        metadata: Metadata::new("from torch"),
        tensors,
        optimizer: None,
    };
    ckpt.load_into(&net).unwrap();
    let x = Var::constant(
        Tensor::from_vec(floats(&expected["input"]), &shape(&expected["input_shape"])).unwrap(),
    );
    let y = net.forward(&x).unwrap().value().to_vec();
    let want = floats(&expected["output"]);
    let worst = y
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    eprintln!("PyTorch state_dict in fovea: max |fovea − torch| = {worst:.2e}");
    assert!(worst <= 1e-5, "max difference {worst}");
}

#[test]
fn a_fovea_export_is_what_pytorch_reads() {
    // The export of a seeded network is deterministic; its committed copy is what
    // scripts/golden_checkpoint.py loads with safetensors.torch.load_file and checks against
    // fovea's forward pass. FOVEA_BLESS=1 rewrites both fixtures.
    let net = network(3);
    let dir = temp_dir("export");
    let path = dir.join("export.safetensors");
    save_safetensors(&net, &path).unwrap();
    let x = Tensor::rand_normal(&[2, 1, 8, 8], 0.0, 1.0, &mut seeded_rng(4)).unwrap();
    let y = net.forward(&Var::constant(x.clone())).unwrap().value();
    if std::env::var("FOVEA_BLESS").is_ok() {
        std::fs::copy(&path, fixture("fovea_export.safetensors")).unwrap();
        let json = serde_json::json!({ "input_shape": x.shape(), "input": x.to_vec(), "output": y.to_vec() });
        std::fs::write(fixture("fovea_export.json"), json.to_string()).unwrap();
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(fixture("fovea_export.safetensors")).unwrap()
    );
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("fovea_export.json")).unwrap())
            .unwrap();
    // Within float rounding, not bit for bit: the GEMM kernel (and so the summation order)
    // depends on the CPU.
    for (a, b) in y.to_vec().iter().zip(floats(&recorded["output"])) {
        assert!(
            (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
            "{a} vs recorded {b}"
        );
    }
    // And it loads back into fovea unchanged.
    let back = load_safetensors(&path).unwrap();
    for (name, var) in net.parameters() {
        assert_eq!(
            back.iter().find(|t| t.name == name).unwrap().data,
            var.value().to_vec(),
            "{name}"
        );
    }
}
