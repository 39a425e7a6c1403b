//! The byte layout of a `.fovea` file, and the only place that knows about bincode.
//!
//! ```text
//! offset  size  content
//! 0       8     magic b"FOVEACKP"
//! 8       4     format version, u32 little-endian
//! 12      8     payload length n, u64 little-endian
//! 20      n     payload: the bincode (1.x, default options) encoding of the serde record
//! 20+n    4     CRC-32 (IEEE) of the payload, u32 little-endian
//! ```

use std::path::Path;

use bincode::Options;
use fovea_tensor::{Error, Result};
use serde::{Serialize, de::DeserializeOwned};

/// Identifies a fovea checkpoint.
pub const MAGIC: &[u8; 8] = b"FOVEACKP";
/// Bumped whenever the record's layout changes; older versions are rejected with a clear error.
pub const FORMAT_VERSION: u32 = 1;

const HEADER: usize = 8 + 4 + 8;

/// Encodes `record` into the full file contents.
pub(crate) fn encode<T: Serialize>(record: &T, path: &Path) -> Result<Vec<u8>> {
    let payload = bincode::serialize(record).map_err(|e| Error::Format {
        op: "checkpoint save".into(),
        path: path.to_path_buf(),
        reason: format!("encoding failed: {e}"),
    })?;
    let mut bytes = Vec::with_capacity(HEADER + payload.len() + 4);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&payload);
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    Ok(bytes)
}

/// Checks the framing of `bytes` and decodes the record.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8], path: &Path) -> Result<T> {
    let fail = |reason: String| Error::Format {
        op: "checkpoint load".into(),
        path: path.to_path_buf(),
        reason,
    };
    if bytes.len() < HEADER + 4 || &bytes[..8] != MAGIC {
        return Err(fail(
            "not a fovea checkpoint (bad magic bytes or too short)".into(),
        ));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("internal: 4 bytes"));
    if version != FORMAT_VERSION {
        return Err(fail(format!(
            "format version {version} is not supported (this fovea reads version {FORMAT_VERSION})"
        )));
    }
    let length = u64::from_le_bytes(bytes[12..20].try_into().expect("internal: 8 bytes"));
    let expected = (HEADER as u64)
        .checked_add(length)
        .and_then(|n| n.checked_add(4));
    if expected != Some(bytes.len() as u64) {
        return Err(fail(format!(
            "file is {} bytes but the header announces a {length}-byte payload (truncated or corrupted)",
            bytes.len()
        )));
    }
    let payload = &bytes[HEADER..HEADER + length as usize];
    let stored = u32::from_le_bytes(
        bytes[HEADER + length as usize..]
            .try_into()
            .expect("internal: 4 bytes"),
    );
    if crc32fast::hash(payload) != stored {
        return Err(fail("checksum mismatch (the file is corrupted)".into()));
    }
    // The same encoding as `bincode::serialize` (fixed-width integers), plus a size limit: a
    // corrupted length prefix can never make the decoder allocate more than the payload holds.
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_limit(length)
        .deserialize(payload)
        .map_err(|e| fail(format!("decoding failed: {e}")))
}
