//! Fashion-MNIST: the embedded subset, loading from a directory, the lookup, the full set.

use std::path::Path;

use fovea_data::{
    CLASS_NAMES, DataSource, Dataset, EMBEDDED_TEST_PER_CLASS, EMBEDDED_TRAIN_PER_CLASS,
    FILE_NAMES, FashionMnist, IdxFile, Origin, SYSTEM_DIR,
};
use fovea_tensor::Error;

use crate::TempDir;

#[test]
fn embedded_subset_has_the_documented_counts() {
    let data = FashionMnist::load(&DataSource::Embedded).unwrap();
    assert_eq!(data.origin, Origin::Embedded);
    assert_eq!(
        (EMBEDDED_TRAIN_PER_CLASS, EMBEDDED_TEST_PER_CLASS),
        (800, 200)
    );
    assert_eq!((data.train.len(), data.test.len()), (8000, 2000));
    assert_eq!(data.train.class_counts(), vec![800; 10]);
    assert_eq!(data.test.class_counts(), vec![200; 10]);
    for ds in [&data.train, &data.test] {
        assert_eq!((ds.rows(), ds.cols(), ds.num_classes()), (28, 28, 10));
    }
    // The first images of the official splits: an ankle boot (train) and an ankle boot (test).
    assert_eq!(CLASS_NAMES[data.train.label(0) as usize], "Ankle boot");
    assert_eq!(data.test.labels()[..4], [9, 2, 1, 1]);
    // Real images, not blank: mean brightness near Fashion-MNIST's 0.286.
    let mean = data.train.images().iter().map(|&p| p as f64).sum::<f64>()
        / data.train.images().len() as f64
        / 255.0;
    assert!((mean - 0.286).abs() < 0.01, "{mean}");
}

#[test]
fn class_names() {
    assert_eq!(CLASS_NAMES.len(), 10);
    assert_eq!(CLASS_NAMES[0], "T-shirt/top");
    assert_eq!(CLASS_NAMES[9], "Ankle boot");
}

/// Writes `ds` as an images/labels pair under the official names with prefix `split`.
fn write_pair(ds: &Dataset, images: &Path, labels: &Path) {
    IdxFile::new(vec![ds.len(), ds.rows(), ds.cols()], ds.images().to_vec())
        .unwrap()
        .write(images)
        .unwrap();
    IdxFile::new(vec![ds.len()], ds.labels().to_vec())
        .unwrap()
        .write(labels)
        .unwrap();
}

#[test]
fn loads_a_directory_with_plain_or_gz_files() {
    let embedded = FashionMnist::load(&DataSource::Embedded).unwrap();
    let small_train = embedded.train.limit_per_class(3, 0);
    let small_test = embedded.test.limit_per_class(1, 0);
    let dir = TempDir::new("fashion-dir");
    let p =
        |i: usize, gz: bool| dir.join(&format!("{}{}", FILE_NAMES[i], if gz { ".gz" } else { "" }));
    // Train plain, test gzip'd.
    write_pair(&small_train, &p(0, false), &p(1, false));
    write_pair(&small_test, &p(2, true), &p(3, true));
    let source = DataSource::Dir(dir.path().to_path_buf());
    assert_eq!(
        source.locate().unwrap(),
        Origin::Dir(dir.path().to_path_buf())
    );
    let data = FashionMnist::load(&source).unwrap();
    assert_eq!(data.origin, Origin::Dir(dir.path().to_path_buf()));
    assert_eq!(data.train, small_train);
    assert_eq!(data.test, small_test);
    // A plain file wins over its .gz.
    let other = embedded.test.limit_per_class(2, 0);
    write_pair(&other, &p(2, false), &p(3, false));
    assert_eq!(FashionMnist::load(&source).unwrap().test, other);
}

#[test]
fn a_directory_missing_a_file_is_an_error() {
    let dir = TempDir::new("fashion-missing");
    let source = DataSource::Dir(dir.path().to_path_buf());
    let err = FashionMnist::load(&source).unwrap_err();
    let missing = dir.join(FILE_NAMES[0]);
    assert!(matches!(&err, Error::Io { path, source, .. }
        if path == &missing && source.kind() == std::io::ErrorKind::NotFound));
    assert_eq!(
        err.to_string(),
        format!(
            "fashion-mnist load: {}: neither this file nor its .gz exists",
            missing.display()
        )
    );
    // Three of four present: names the fourth.
    for name in &FILE_NAMES[..3] {
        std::fs::write(dir.join(name), b"").unwrap();
    }
    let err = source.locate().unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("{}: neither", dir.join(FILE_NAMES[3]).display()))
    );
    // All present but broken: the reader's error, naming the file.
    std::fs::write(dir.join(FILE_NAMES[3]), b"").unwrap();
    let err = FashionMnist::load(&source).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err}");
}

#[test]
fn auto_lookup_without_env() {
    if std::env::var_os(fovea_data::ENV_VAR).is_some_and(|v| !v.is_empty()) {
        println!(
            "note: {} is set; skipping the Auto lookup test",
            fovea_data::ENV_VAR
        );
        return;
    }
    let origin = DataSource::Auto.locate().unwrap();
    if Path::new(SYSTEM_DIR)
        .join(format!("{}.gz", FILE_NAMES[0]))
        .exists()
        || Path::new(SYSTEM_DIR).join(FILE_NAMES[0]).exists()
    {
        assert_eq!(origin, Origin::System(SYSTEM_DIR.into()));
    } else {
        assert_eq!(origin, Origin::Embedded);
    }
}

#[test]
fn full_set_when_installed() {
    if !Path::new(SYSTEM_DIR).exists() {
        println!(
            "note: {SYSTEM_DIR} absent (Debian package dataset-fashion-mnist); skipping the full-set test"
        );
        return;
    }
    let full = FashionMnist::load(&DataSource::Dir(SYSTEM_DIR.into())).unwrap();
    assert_eq!((full.train.len(), full.test.len()), (60_000, 10_000));
    assert_eq!(full.train.class_counts(), vec![6000; 10]);
    assert_eq!(full.test.class_counts(), vec![1000; 10]);
    // The embedded subset is the first 800 / 200 images of each class, in file order.
    let embedded = FashionMnist::load(&DataSource::Embedded).unwrap();
    for (whole, part, per_class) in [
        (&full.train, &embedded.train, EMBEDDED_TRAIN_PER_CLASS),
        (&full.test, &embedded.test, EMBEDDED_TEST_PER_CLASS),
    ] {
        let mut taken = [0usize; 10];
        let firsts: Vec<usize> = (0..whole.len())
            .filter(|&i| {
                let t = &mut taken[whole.label(i) as usize];
                *t += 1;
                *t <= per_class
            })
            .collect();
        assert_eq!(&whole.subset(&firsts).unwrap(), part);
    }
}
