//! Dataset construction and selections: filter, remap, per-class limits, splits.

use fovea_data::Dataset;

use crate::toy;

#[test]
fn new_rejects_inconsistent_input() {
    let msg = |images: usize, labels: Vec<u8>, classes: usize| {
        Dataset::new(vec![0; images], labels, 2, 3, classes)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        msg(11, vec![0, 0], 2),
        "dataset: 2 labels of 2x3 images need 12 image bytes, got 11"
    );
    assert_eq!(
        msg(12, vec![0, 2], 2),
        "dataset: label 2 at index 1 is not below 2 (the number of classes)"
    );
    assert_eq!(
        msg(12, vec![0, 0], 0),
        "dataset: num_classes must be in 1..=256, got 0"
    );
    assert_eq!(
        msg(12, vec![0, 0], 257),
        "dataset: num_classes must be in 1..=256, got 257"
    );
}

#[test]
fn accessors() {
    let ds = toy(3, 2); // labels 0 1 2 0 1 2, image i = [i; 6]
    assert_eq!(ds.len(), 6);
    assert!(!ds.is_empty());
    assert_eq!((ds.rows(), ds.cols(), ds.num_classes()), (2, 3, 3));
    assert_eq!(ds.image(4), &[4; 6]);
    assert_eq!(ds.label(4), 1);
    assert_eq!(ds.class_counts(), vec![2, 2, 2]);
    assert_eq!(ds.images().len(), 36);
}

#[test]
fn filter_classes_keeps_order_and_labels() {
    let ds = toy(4, 3); // labels 0 1 2 3 0 1 2 3 0 1 2 3
    let kept = ds.filter_classes(&[3, 1]).unwrap();
    assert_eq!(kept.labels(), &[1, 3, 1, 3, 1, 3]);
    let firsts: Vec<u8> = (0..kept.len()).map(|i| kept.image(i)[0]).collect();
    assert_eq!(firsts, vec![1, 3, 5, 7, 9, 11]);
    assert_eq!(kept.num_classes(), 4);
    assert_eq!(kept.class_counts(), vec![0, 3, 0, 3]);
}

#[test]
fn remap_labels_to_a_k_way_head() {
    let ds = toy(10, 2);
    let classes = [5, 6, 7, 8, 9];
    let five = ds
        .filter_classes(&classes)
        .unwrap()
        .remap_labels(&classes)
        .unwrap();
    assert_eq!(five.num_classes(), 5);
    assert_eq!(five.labels(), &[0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    // Images unchanged: image of original index 5 comes first.
    assert_eq!(five.image(0), &[5; 6]);
    // The order of `classes` defines the new labels.
    let swapped = ds
        .filter_classes(&[2, 1])
        .unwrap()
        .remap_labels(&[2, 1])
        .unwrap();
    assert_eq!(swapped.labels(), &[1, 0, 1, 0]);
}

#[test]
fn class_list_errors() {
    let ds = toy(4, 1);
    let err = |r: fovea_tensor::Result<Dataset>| r.unwrap_err().to_string();
    assert_eq!(
        err(ds.filter_classes(&[])),
        "filter_classes: no classes given"
    );
    assert_eq!(
        err(ds.filter_classes(&[4])),
        "filter_classes: class 4 is not below 4 (the number of classes)"
    );
    assert_eq!(
        err(ds.filter_classes(&[1, 2, 1])),
        "filter_classes: class 1 given twice in [1, 2, 1]"
    );
    assert_eq!(err(ds.remap_labels(&[])), "remap_labels: no classes given");
    assert_eq!(
        err(ds.remap_labels(&[0, 1, 2])),
        "remap_labels: label 3 at index 3 is not among the classes [0, 1, 2]"
    );
}

#[test]
fn limit_per_class_is_stratified_seeded_and_ordered() {
    // Unbalanced: class 0 has 10 images, class 1 has 5, class 2 has 2.
    let labels: Vec<u8> = [vec![0u8; 10], vec![1; 5], vec![2; 2]].concat();
    let n = labels.len();
    let ds = Dataset::new((0..n as u8).collect(), labels, 1, 1, 3).unwrap();
    let a = ds.limit_per_class(3, 11);
    assert_eq!(a.class_counts(), vec![3, 3, 2]);
    // Original relative order kept: image bytes (= original indices) ascending.
    assert!(a.images().windows(2).all(|w| w[0] < w[1]));
    // Same seed, same selection; some other seed selects differently.
    assert_eq!(ds.limit_per_class(3, 11), a);
    assert!((0..20).any(|s| ds.limit_per_class(3, s) != a));
    // More than there are: everything.
    assert_eq!(ds.limit_per_class(100, 0), ds);
    assert!(ds.limit_per_class(0, 0).is_empty());
}

#[test]
fn split_per_class_is_a_partition() {
    let ds = toy(5, 7);
    let (a, b) = ds.split_per_class(3, 5);
    assert_eq!(a.class_counts(), vec![3; 5]);
    assert_eq!(b.class_counts(), vec![4; 5]);
    let mut all: Vec<u8> = a.images().iter().chain(b.images()).copied().collect();
    all.sort();
    let mut want = ds.images().to_vec();
    want.sort();
    assert_eq!(all, want);
    assert_eq!(a, ds.limit_per_class(3, 5));
}

#[test]
fn split_and_subset() {
    let ds = toy(2, 3);
    let (a, b) = ds.split(4).unwrap();
    assert_eq!((a.len(), b.len()), (4, 2));
    assert_eq!(b.image(0), ds.image(4));
    let (a, b) = ds.split(6).unwrap();
    assert_eq!((a.len(), b.len()), (6, 0));
    assert_eq!(
        ds.split(7).unwrap_err().to_string(),
        "split: split point 7 beyond 6 images"
    );
    let s = ds.subset(&[5, 5, 0]).unwrap();
    assert_eq!(s.labels(), &[1, 1, 0]);
    assert_eq!(s.image(1), &[5; 6]);
    assert_eq!(
        ds.subset(&[0, 6]).unwrap_err().to_string(),
        "subset: index 6 out of range for 6 images"
    );
}
