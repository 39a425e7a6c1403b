//! IDX reading and writing: round trips, gzip, and every malformed file.

use fovea_data::{Dataset, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IdxFile};
use fovea_tensor::Error;

use crate::{TempDir, gzip, idx_bytes};

fn images() -> IdxFile {
    IdxFile::new(vec![3, 2, 2], (0..12).collect()).unwrap()
}

fn labels() -> IdxFile {
    IdxFile::new(vec![3], vec![9, 0, 4]).unwrap()
}

#[test]
fn round_trip_plain_and_gz() {
    let dir = TempDir::new("round-trip");
    for name in ["images", "images.gz"] {
        let path = dir.join(name);
        images().write(&path).unwrap();
        assert_eq!(IdxFile::read(&path).unwrap(), images(), "{name}");
    }
    let plain = std::fs::read(dir.join("images")).unwrap();
    assert_eq!(
        &plain[..16],
        &[0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2]
    );
    assert_eq!(plain.len(), 16 + 12);
    let gz = std::fs::read(dir.join("images.gz")).unwrap();
    assert_eq!(&gz[..2], &[0x1f, 0x8b]);
}

#[test]
fn gzip_is_detected_by_content_not_name() {
    let dir = TempDir::new("gz-content");
    let path = dir.join("labels-without-suffix");
    std::fs::write(&path, gzip(&labels().to_bytes())).unwrap();
    assert_eq!(IdxFile::read(&path).unwrap(), labels());
}

#[test]
fn dataset_from_plain_and_gz_pairs() {
    let dir = TempDir::new("pairs");
    images().write(dir.join("i")).unwrap();
    images().write(dir.join("i.gz")).unwrap();
    labels().write(dir.join("l")).unwrap();
    labels().write(dir.join("l.gz")).unwrap();
    for (i, l) in [("i", "l"), ("i.gz", "l.gz"), ("i", "l.gz"), ("i.gz", "l")] {
        let ds = Dataset::from_idx_files(dir.join(i), dir.join(l)).unwrap();
        assert_eq!(
            (ds.len(), ds.rows(), ds.cols(), ds.num_classes()),
            (3, 2, 2, 10)
        );
        assert_eq!(ds.labels(), &[9, 0, 4]);
        assert_eq!(ds.image(2), &[8, 9, 10, 11]);
    }
}

#[test]
fn magic_constants() {
    assert_eq!(images().magic(), IDX_IMAGES_MAGIC);
    assert_eq!(labels().magic(), IDX_LABELS_MAGIC);
}

/// Writes `bytes` to a file, reads it back and returns the error message with the path replaced
/// by `PATH`, checking it is a `Format` error naming the file.
fn format_error(dir: &TempDir, bytes: &[u8]) -> String {
    let path = dir.join("bad");
    std::fs::write(&path, bytes).unwrap();
    let err = IdxFile::read(&path).unwrap_err();
    match &err {
        Error::Format { path: p, .. } => assert_eq!(p, &path),
        other => panic!("not a Format error: {other:?}"),
    }
    err.to_string().replace(&path.display().to_string(), "PATH")
}

#[test]
fn malformed_files_name_the_file() {
    let dir = TempDir::new("malformed");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            vec![],
            "idx read: PATH: truncated: 0 bytes, an IDX header needs at least 4",
        ),
        (
            vec![0, 0, 8],
            "idx read: PATH: truncated: 3 bytes, an IDX header needs at least 4",
        ),
        (
            idx_bytes(0x0102_0803, &[1, 1, 1], &[0]),
            "idx read: PATH: not an IDX file: magic 0x01020803 does not start with two zero bytes",
        ),
        (
            idx_bytes(0x0000_0d01, &[1], &[0, 0, 0, 0]),
            "idx read: PATH: unsupported IDX data type 0x0d in magic 0x00000d01 (only 0x08, unsigned byte)",
        ),
        (
            idx_bytes(0x0000_0800, &[], &[]),
            "idx read: PATH: magic 0x00000800 declares 0 dims",
        ),
        (
            idx_bytes(0x0000_0803, &[2, 28], &[]),
            "idx read: PATH: truncated: 12 bytes, the header of a 3-dim IDX file needs 16",
        ),
        (
            idx_bytes(0x0000_0803, &[2, 2, 2], &[0; 7]),
            "idx read: PATH: truncated: dims [2, 2, 2] need 8 bytes of data, found 7",
        ),
        (
            idx_bytes(0x0000_0801, &[2], &[0; 3]),
            "idx read: PATH: trailing data: dims [2] need 2 bytes of data, found 3",
        ),
        (
            gzip(&idx_bytes(0x0000_0801, &[2], &[0; 1])),
            "idx read: PATH: truncated: dims [2] need 2 bytes of data, found 1",
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(format_error(&dir, &bytes), want);
    }
}

#[test]
fn overflowing_dims_are_an_error() {
    let dir = TempDir::new("overflow");
    let bytes = idx_bytes(0x0000_0804, &[u32::MAX; 4], &[]);
    assert_eq!(
        format_error(&dir, &bytes),
        "idx read: PATH: dims [4294967295, 4294967295, 4294967295, 4294967295] overflow"
    );
}

#[test]
fn corrupt_gzip_names_the_file() {
    let dir = TempDir::new("corrupt-gz");
    let whole = gzip(&images().to_bytes());
    // Cut inside the deflate stream.
    assert_eq!(
        format_error(&dir, &whole[..whole.len() / 2]),
        "idx read: PATH: gzip: incomplete deflate stream"
    );
    // A damaged CRC.
    let mut bad = whole.clone();
    let n = bad.len();
    bad[n - 8] ^= 0xff;
    assert_eq!(
        format_error(&dir, &bad),
        "idx read: PATH: gzip: corrupt gzip stream does not have a matching checksum"
    );
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let dir = TempDir::new("missing");
    let path = dir.join("nope.gz");
    let err = IdxFile::read(&path).unwrap_err();
    assert!(matches!(&err, Error::Io { path: p, source, .. }
        if p == &path && source.kind() == std::io::ErrorKind::NotFound));
    assert_eq!(
        err.to_string(),
        format!(
            "idx read: {}: No such file or directory (os error 2)",
            path.display()
        )
    );
}

#[test]
fn wrong_magic_for_images_and_labels() {
    let dir = TempDir::new("wrong-magic");
    images().write(dir.join("i")).unwrap();
    labels().write(dir.join("l")).unwrap();
    let (i, l) = (dir.join("i"), dir.join("l"));
    let err = Dataset::from_idx_files(&l, &i).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "idx read: {}: magic 0x00000801 (1 dims), expected 0x00000803 (3 dims)",
            l.display()
        )
    );
    let err = Dataset::from_idx_files(&i, &i).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "idx read: {}: magic 0x00000803 (3 dims), expected 0x00000801 (1 dims)",
            i.display()
        )
    );
}

#[test]
fn label_count_mismatch_and_bad_label() {
    let dir = TempDir::new("labels");
    let (i, l) = (dir.join("i.gz"), dir.join("l.gz"));
    images().write(&i).unwrap();
    IdxFile::new(vec![2], vec![1, 2])
        .unwrap()
        .write(&l)
        .unwrap();
    let err = Dataset::from_idx_files(&i, &l).unwrap_err();
    assert!(matches!(&err, Error::Format { path, .. } if path == &l));
    assert_eq!(
        err.to_string(),
        format!(
            "idx read: {}: 2 labels for 3 images in {}",
            l.display(),
            i.display()
        )
    );
    IdxFile::new(vec![3], vec![1, 10, 2])
        .unwrap()
        .write(&l)
        .unwrap();
    let err = Dataset::from_idx_files(&i, &l).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "idx read: {}: label 10 at index 1 is not below 10 (the number of classes)",
            l.display()
        )
    );
}

#[test]
fn idx_new_rejects_bad_shapes() {
    let msg = |dims: Vec<usize>, n: usize| IdxFile::new(dims, vec![0; n]).unwrap_err().to_string();
    assert_eq!(msg(vec![], 0), "idx: an IDX file has 1 to 255 dims, got 0");
    assert_eq!(
        msg(vec![1; 256], 1),
        "idx: an IDX file has 1 to 255 dims, got 256"
    );
    assert_eq!(
        msg(vec![2, 3], 5),
        "idx: dims [2, 3] need 6 bytes of data, got 5"
    );
    if usize::BITS > 32 {
        assert_eq!(
            msg(vec![1 << 32], 0),
            "idx: dim 4294967296 does not fit in a u32"
        );
    }
}

#[test]
fn write_to_missing_directory_is_an_io_error() {
    let dir = TempDir::new("write-missing");
    let path = dir.join("no/such/dir/x.gz");
    let err = labels().write(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "idx write: {}: No such file or directory (os error 2)",
            path.display()
        )
    );
}
