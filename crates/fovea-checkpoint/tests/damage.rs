//! Damaged checkpoint files: every kind of damage is a typed error, never a panic, and a
//! corrupted length can never make the decoder allocate beyond the file.

use fovea_checkpoint::format::{FORMAT_VERSION, MAGIC};
use fovea_checkpoint::{Checkpoint, Metadata};
use fovea_layers::{Conv2dConfig, LinearConfig, Sequential};
use fovea_tensor::{Error, seeded_rng};

fn valid_file_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut rng = seeded_rng(0);
    let net = Sequential::new()
        .add(
            "conv",
            Conv2dConfig::new(1, 2, [3, 3]).init(&mut rng).unwrap(),
        )
        .add("fc", LinearConfig::new(8, 3).init(&mut rng).unwrap());
    let path = dir.join("valid.fovea");
    Checkpoint::from_module(
        &net,
        Metadata::new("net").with_class_names(&["a", "b", "c"]),
    )
    .save(&path)
    .unwrap();
    std::fs::read(&path).unwrap()
}

/// Replaces the payload's CRC so that the damage reaches the decoder itself.
fn reseal(bytes: &mut [u8]) {
    let n = bytes.len();
    let crc = crc32fast::hash(&bytes[20..n - 4]);
    bytes[n - 4..].copy_from_slice(&crc.to_le_bytes());
}

/// A tiny deterministic generator (xorshift64*), so the mutations are the same on every run.
struct Mutations(u64);
impl Mutations {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn temp_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fovea-damage-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn an_empty_file_is_a_format_error() {
    let dir = temp_dir("empty");
    let path = dir.join("empty.fovea");
    std::fs::write(&path, b"").unwrap();
    let err = Checkpoint::load(&path).unwrap_err();
    assert!(matches!(err, Error::Format { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "checkpoint load: {}: not a fovea checkpoint (bad magic bytes or too short)",
            path.display()
        )
    );
}

#[test]
fn thousands_of_random_mutations_never_panic() {
    let dir = temp_dir("fuzz");
    let valid = valid_file_bytes(&dir);
    let path = dir.join("mutated.fovea");
    let mut rng = Mutations(0x9e37_79b9_7f4a_7c15);
    let (mut rejected, mut accepted) = (0, 0);
    for round in 0..4000 {
        let mut bytes = valid.clone();
        match rng.below(4) {
            // Flip 1-8 random bytes.
            0 | 1 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 + rng.below(255) as u8;
                }
            }
            // Truncate anywhere.
            2 => bytes.truncate(rng.below(bytes.len())),
            // Overwrite a random 8-byte window with a random value (lengths, counts).
            _ => {
                let i = rng.below(bytes.len() - 8);
                bytes[i..i + 8].copy_from_slice(&rng.next().to_le_bytes());
            }
        }
        // Half the time, fix the checksum so the mutation reaches the bincode decoder.
        if round % 2 == 0 && bytes.len() >= 24 && bytes[..8] == *MAGIC {
            reseal(&mut bytes);
        }
        std::fs::write(&path, &bytes).unwrap();
        match Checkpoint::load(&path) {
            Ok(_) => accepted += 1, // a flip inside a float value decodes fine
            Err(Error::Format { .. }) => rejected += 1,
            Err(other) => panic!("round {round}: unexpected error kind {other:?}"),
        }
    }
    eprintln!("4000 mutations: {rejected} rejected, {accepted} decoded (value-only changes)");
    assert!(rejected > 3000);
}

#[test]
fn a_huge_length_prefix_is_rejected_without_allocating() {
    let dir = temp_dir("huge");
    let mut bytes = valid_file_bytes(&dir);
    assert_eq!(&bytes[..8], MAGIC);
    assert_eq!(
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
        FORMAT_VERSION
    );
    // The payload starts with Metadata.fovea_version: a u64 length then the bytes. Claim 2^60.
    bytes[20..28].copy_from_slice(&(1u64 << 60).to_le_bytes());
    reseal(&mut bytes);
    let path = dir.join("huge.fovea");
    std::fs::write(&path, &bytes).unwrap();
    let started = std::time::Instant::now();
    let err = Checkpoint::load(&path).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert!(err.to_string().contains("decoding failed"), "{err}");
    assert!(started.elapsed().as_secs_f32() < 1.0);
    // The same for the tensor count: find the first tensor's name length and inflate it.
    let mut bytes = valid_file_bytes(&dir);
    let name = b"conv.weight";
    let at = bytes.windows(name.len()).position(|w| w == name).unwrap() - 8;
    bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    reseal(&mut bytes);
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        Checkpoint::load(&path).unwrap_err(),
        Error::Format { .. }
    ));
}

#[test]
fn saving_into_a_read_only_folder_fails_and_keeps_the_previous_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("readonly");
    let valid = valid_file_bytes(&dir); // also writes dir/valid.fovea
    let path = dir.join("valid.fovea");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    // root ignores permissions; then there is nothing to test here.
    let probe = dir.join("probe");
    if std::fs::write(&probe, b"x").is_ok() {
        std::fs::remove_file(&probe).ok();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: running with permission to write into read-only folders (root)");
        return;
    }
    let fc = LinearConfig::new(2, 2).init(&mut seeded_rng(5)).unwrap();
    let err = Checkpoint::from_module(&fc, Metadata::new("other"))
        .save(&path)
        .unwrap_err();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), valid);
}
