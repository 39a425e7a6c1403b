//! Mini-batches: coverage, seeded order, drop_last, scaling and normalisation.

use fovea_data::{BatchConfig, Dataset, Normalize, Order};

use crate::toy;

fn epoch(ds: &Dataset, cfg: &BatchConfig) -> Vec<Vec<usize>> {
    ds.batches_with(cfg).unwrap().map(|b| b.indices).collect()
}

#[test]
fn every_index_exactly_once_per_epoch() {
    let ds = toy(10, 10); // 100 images
    for (batch_size, seed) in [(1, 0), (7, 1), (32, 2), (100, 3), (1000, 4)] {
        let batches: Vec<_> = ds.batches(batch_size, seed).unwrap().collect();
        let mut seen: Vec<usize> = batches.iter().flat_map(|b| b.indices.clone()).collect();
        seen.sort();
        assert_eq!(
            seen,
            (0..100).collect::<Vec<_>>(),
            "batch size {batch_size}"
        );
        // All full but the last, which keeps the remainder.
        let sizes: Vec<usize> = batches.iter().map(|b| b.labels.len()).collect();
        let full = 100 / batch_size;
        let rest = 100 % batch_size;
        assert_eq!(sizes.len(), full + usize::from(rest > 0));
        assert!(sizes[..full].iter().all(|&s| s == batch_size));
        if rest > 0 {
            assert_eq!(sizes[full], rest);
        }
        // Labels and images belong to the indices.
        for b in &batches {
            for (k, &i) in b.indices.iter().enumerate() {
                assert_eq!(b.labels[k], ds.label(i) as usize);
                assert_eq!(b.images.to_vec()[k * 6], ds.image(i)[0] as f32 / 255.0);
            }
        }
    }
}

#[test]
fn same_seed_same_order_other_seed_other_order() {
    let ds = toy(10, 10);
    let cfg = |seed| BatchConfig::new(16).with_shuffle(seed);
    assert_eq!(epoch(&ds, &cfg(7)), epoch(&ds, &cfg(7)));
    assert_ne!(epoch(&ds, &cfg(7)), epoch(&ds, &cfg(8)));
    // Shuffled means not the identity.
    let flat: Vec<usize> = epoch(&ds, &cfg(7)).concat();
    assert_ne!(flat, (0..100).collect::<Vec<_>>());
    // `batches` is the shuffled config.
    let via_batches: Vec<Vec<usize>> = ds.batches(16, 7).unwrap().map(|b| b.indices).collect();
    assert_eq!(via_batches, epoch(&ds, &cfg(7)));
}

#[test]
fn sequential_order_and_drop_last() {
    let ds = toy(2, 5); // 10 images
    let cfg = BatchConfig::new(4).with_order(Order::Sequential);
    assert_eq!(
        epoch(&ds, &cfg),
        vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]
    );
    let dropped = epoch(&ds, &cfg.with_drop_last(true));
    assert_eq!(dropped, vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]]);
    // Exact lengths, before and during iteration.
    let mut it = ds.batches_with(&cfg).unwrap();
    assert_eq!(it.len(), 3);
    it.next();
    assert_eq!(it.len(), 2);
    assert_eq!(ds.batches_with(&cfg.with_drop_last(true)).unwrap().len(), 2);
    // Fewer images than one batch with drop_last: no batch at all.
    assert_eq!(
        ds.batches_with(&BatchConfig::new(11).with_drop_last(true))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn empty_dataset_has_no_batches() {
    let ds = Dataset::new(vec![], vec![], 28, 28, 10).unwrap();
    assert_eq!(ds.batches(8, 0).unwrap().count(), 0);
}

#[test]
fn zero_batch_size_is_an_error() {
    let err = toy(2, 2).batches(0, 0).unwrap_err();
    assert_eq!(err.to_string(), "batches: batch_size must be > 0");
}

#[test]
fn tensor_shape_scaling_and_normalisation() {
    let images: Vec<u8> = vec![0, 51, 102, 255, 255, 255, 0, 0];
    let ds = Dataset::new(images, vec![1, 0], 2, 2, 2).unwrap();
    let b = ds
        .batches_with(&BatchConfig::new(2))
        .unwrap()
        .next()
        .unwrap();
    assert_eq!(b.images.shape(), &[2, 1, 2, 2]);
    assert_eq!(
        b.images.to_vec(),
        vec![0.0, 0.2, 0.4, 1.0, 1.0, 1.0, 0.0, 0.0]
    );
    assert_eq!(b.labels, vec![1, 0]);
    let norm = Normalize::new(0.5, 0.25).unwrap();
    let b = ds
        .batches_with(&BatchConfig::new(2).with_normalize(norm))
        .unwrap()
        .next()
        .unwrap();
    let want = [-2.0, -1.2, -0.4, 2.0, 2.0, 2.0, -2.0, -2.0];
    for (got, want) in b.images.to_vec().iter().zip(want) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
}

#[test]
fn normalize_validation() {
    let err = |m: f32, s: f32| Normalize::new(m, s).unwrap_err().to_string();
    assert_eq!(
        err(f32::NAN, 1.0),
        "normalize: mean must be finite, got NaN"
    );
    assert_eq!(
        err(0.0, 0.0),
        "normalize: std must be finite and > 0, got 0"
    );
    assert_eq!(
        err(0.0, f32::INFINITY),
        "normalize: std must be finite and > 0, got inf"
    );
}

#[test]
fn batch_of_selected_images() {
    let ds = toy(3, 2);
    let b = ds.batch_of(&[4, 1], Some(Normalize::MNIST)).unwrap();
    assert_eq!(b.indices, vec![4, 1]);
    assert_eq!(b.labels, vec![1, 1]);
    let x = b.images.to_vec()[0];
    assert!((x - (4.0 / 255.0 - 0.1307) / 0.3081).abs() < 1e-6);
    assert_eq!(
        ds.batch_of(&[6], None).unwrap_err().to_string(),
        "batch_of: index 6 out of range for 6 images"
    );
}
