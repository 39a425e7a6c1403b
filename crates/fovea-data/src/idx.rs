//! The IDX file format of MNIST and Fashion-MNIST, plain or gzip-compressed.
//!
//! An IDX file is a 4-byte big-endian magic `0x0000_TTNN` (TT = data type, 0x08 for unsigned
//! bytes; NN = number of dimensions), then NN big-endian `u32` dimensions, then the data in
//! row-major order. Images are `0x0000_0803` (`[N, rows, cols]`), labels `0x0000_0801` (`[N]`).
//! Format: <http://yann.lecun.com/exdb/mnist/> (section "FILE FORMATS FOR THE MNIST DATABASE").
//!
//! Only unsigned-byte data (type 0x08) is supported: that is all MNIST-format data sets use.

use std::borrow::Cow;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use fovea_tensor::{Error, Result};

/// The operation name in every error of this module.
const OP: &str = "idx read";

/// IDX data type byte for unsigned bytes.
const TYPE_U8: u8 = 0x08;

/// Magic of an IDX file of u8 images `[N, rows, cols]`.
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;

/// Magic of an IDX file of u8 labels `[N]`.
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;

/// The contents of an unsigned-byte IDX file: its dimensions and its data, row-major.
///
/// # Example
/// ```
/// use fovea_data::IdxFile;
/// let f = IdxFile::new(vec![2, 3], vec![1, 2, 3, 4, 5, 6])?;
/// assert_eq!(f.dims(), &[2, 3]);
/// assert_eq!(f.magic(), 0x0000_0802);
/// assert_eq!(IdxFile::parse(&f.to_bytes(), "in-memory")?, f);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxFile {
    dims: Vec<usize>,
    data: Vec<u8>,
}

impl IdxFile {
    /// Makes an IDX array from its dimensions and row-major data.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when there are no or more than 255 dimensions, a dimension does
    /// not fit in a `u32`, or `data.len()` is not the product of `dims`.
    ///
    /// # Example
    /// ```
    /// let err = fovea_data::IdxFile::new(vec![2, 2], vec![0; 3]).unwrap_err();
    /// assert_eq!(err.to_string(), "idx: dims [2, 2] need 4 bytes of data, got 3");
    /// ```
    pub fn new(dims: Vec<usize>, data: Vec<u8>) -> Result<Self> {
        let op = "idx";
        if dims.is_empty() || dims.len() > 255 {
            return Err(Error::invalid_argument(
                op,
                format!("an IDX file has 1 to 255 dims, got {}", dims.len()),
            ));
        }
        if let Some(d) = dims.iter().find(|&&d| u32::try_from(d).is_err()) {
            return Err(Error::invalid_argument(
                op,
                format!("dim {d} does not fit in a u32"),
            ));
        }
        let need = checked_product(&dims)
            .ok_or_else(|| Error::invalid_argument(op, format!("dims {dims:?} overflow")))?;
        if need != data.len() {
            return Err(Error::invalid_argument(
                op,
                format!(
                    "dims {dims:?} need {need} bytes of data, got {}",
                    data.len()
                ),
            ));
        }
        Ok(IdxFile { dims, data })
    }

    /// Reads an unsigned-byte IDX file, gzip-compressed or not.
    ///
    /// Compression is detected from the content (the gzip magic `1f 8b`; an IDX file starts with
    /// `00 00`), not from the file name.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::Format`] when the gzip stream is
    /// corrupt or the content is not a well-formed unsigned-byte IDX file (see [`IdxFile::parse`]).
    /// Both carry the path.
    ///
    /// # Example
    /// ```
    /// let path = std::env::temp_dir().join(format!("fovea-doc-idx-{}.gz", std::process::id()));
    /// let f = fovea_data::IdxFile::new(vec![3], vec![7, 8, 9])?;
    /// f.write(&path)?; // gzip because of the name
    /// assert_eq!(fovea_data::IdxFile::read(&path)?, f);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            op: OP.into(),
            path: path.to_path_buf(),
            source,
        })?;
        parse_cow(Cow::Owned(bytes), path)
    }

    /// Parses the bytes of an unsigned-byte IDX file, gzip-compressed or not; `path` only names
    /// the source in errors.
    ///
    /// # Errors
    /// [`Error::Format`] naming `path` when the gzip stream is corrupt, the header is truncated,
    /// the magic does not start with two zero bytes, the data type is not 0x08 (unsigned byte),
    /// there are zero dimensions, or the data is shorter or longer than the dimensions say.
    ///
    /// # Example
    /// ```
    /// let bytes = [0, 0, 8, 1, 0, 0, 0, 3, 10, 20]; // magic 0x801, dims [3], 2 bytes of data
    /// let err = fovea_data::IdxFile::parse(&bytes, "labels.idx").unwrap_err();
    /// assert_eq!(err.to_string(), "idx read: labels.idx: truncated: dims [3] need 3 bytes of data, found 2");
    /// ```
    pub fn parse(bytes: &[u8], path: impl AsRef<Path>) -> Result<Self> {
        parse_cow(Cow::Borrowed(bytes), path.as_ref())
    }

    /// Like [`IdxFile::read`], and checks the magic is `expected` (e.g. [`IDX_IMAGES_MAGIC`]).
    ///
    /// # Errors
    /// As [`IdxFile::read`], and [`Error::Format`] when the magic differs from `expected`.
    ///
    /// # Example
    /// ```
    /// use fovea_data::{IdxFile, IDX_IMAGES_MAGIC};
    /// let path = std::env::temp_dir().join(format!("fovea-doc-magic-{}", std::process::id()));
    /// IdxFile::new(vec![3], vec![7, 8, 9])?.write(&path)?;
    /// let err = IdxFile::read_expecting(&path, IDX_IMAGES_MAGIC).unwrap_err();
    /// assert!(err.to_string().ends_with("magic 0x00000801 (1 dims), expected 0x00000803 (3 dims)"));
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn read_expecting(path: impl AsRef<Path>, expected: u32) -> Result<Self> {
        let path = path.as_ref();
        let f = Self::read(path)?;
        f.expect_magic(path, expected)
    }

    /// Like [`IdxFile::parse`], and checks the magic is `expected`.
    ///
    /// # Errors
    /// As [`IdxFile::parse`], and [`Error::Format`] when the magic differs from `expected`.
    ///
    /// # Example
    /// ```
    /// use fovea_data::{IdxFile, IDX_LABELS_MAGIC};
    /// let f = IdxFile::parse_expecting(&[0, 0, 8, 1, 0, 0, 0, 1, 4], "l", IDX_LABELS_MAGIC)?;
    /// assert_eq!(f.data(), &[4]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn parse_expecting(bytes: &[u8], path: impl AsRef<Path>, expected: u32) -> Result<Self> {
        let path = path.as_ref();
        Self::parse(bytes, path)?.expect_magic(path, expected)
    }

    fn expect_magic(self, path: &Path, expected: u32) -> Result<Self> {
        let magic = self.magic();
        if magic != expected {
            return Err(format_error(
                path,
                format!(
                    "magic {magic:#010x} ({} dims), expected {expected:#010x} ({} dims)",
                    magic & 0xff,
                    expected & 0xff
                ),
            ));
        }
        Ok(self)
    }

    /// The magic number: `0x0000_08NN` with NN the number of dimensions.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::IdxFile::new(vec![1, 2, 2], vec![0; 4])?.magic(), 0x0803);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn magic(&self) -> u32 {
        ((TYPE_U8 as u32) << 8) | self.dims.len() as u32
    }

    /// The dimensions, e.g. `[60000, 28, 28]`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::IdxFile::new(vec![2], vec![0; 2])?.dims(), &[2]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The data, row-major.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_data::IdxFile::new(vec![2], vec![5, 6])?.data(), &[5, 6]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The dimensions and the data, consuming the file.
    ///
    /// # Example
    /// ```
    /// let (dims, data) = fovea_data::IdxFile::new(vec![2], vec![5, 6])?.into_parts();
    /// assert_eq!((dims, data), (vec![2], vec![5, 6]));
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn into_parts(self) -> (Vec<usize>, Vec<u8>) {
        (self.dims, self.data)
    }

    /// The uncompressed IDX bytes: magic, dims, data.
    ///
    /// # Example
    /// ```
    /// let bytes = fovea_data::IdxFile::new(vec![2], vec![5, 6])?.to_bytes();
    /// assert_eq!(bytes, [0, 0, 8, 1, 0, 0, 0, 2, 5, 6]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 4 * self.dims.len() + self.data.len());
        out.extend_from_slice(&self.magic().to_be_bytes());
        for &d in &self.dims {
            // `new` and `parse` guarantee every dim fits in a u32.
            out.extend_from_slice(&(d as u32).to_be_bytes());
        }
        out.extend_from_slice(&self.data);
        out
    }

    /// Writes the file, gzip-compressed (level 9) when the name ends in `.gz`, plain otherwise.
    ///
    /// # Errors
    /// [`Error::Io`] with the path when the file cannot be created or written.
    ///
    /// # Example
    /// ```
    /// let path = std::env::temp_dir().join(format!("fovea-doc-write-{}", std::process::id()));
    /// fovea_data::IdxFile::new(vec![2], vec![5, 6])?.write(&path)?;
    /// assert_eq!(std::fs::read(&path).unwrap(), [0, 0, 8, 1, 0, 0, 0, 2, 5, 6]);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let io = |source: std::io::Error| Error::Io {
            op: "idx write".into(),
            path: path.to_path_buf(),
            source,
        };
        let bytes = self.to_bytes();
        let gz = path.extension().is_some_and(|e| e == "gz");
        if gz {
            let file = std::fs::File::create(path).map_err(io)?;
            let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::best());
            enc.write_all(&bytes).map_err(io)?;
            enc.finish().map_err(io)?.sync_all().map_err(io)
        } else {
            std::fs::write(path, &bytes).map_err(io)
        }
    }
}

/// Parses IDX bytes, decompressing gzip; reuses an owned buffer for the data.
fn parse_cow(bytes: Cow<'_, [u8]>, path: &Path) -> Result<IdxFile> {
    let fail = |reason: String| format_error(path, reason);
    let raw: Cow<'_, [u8]> = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 2);
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| fail(format!("gzip: {e}")))?;
        Cow::Owned(out)
    } else {
        bytes
    };
    if raw.len() < 4 {
        return Err(fail(format!(
            "truncated: {} bytes, an IDX header needs at least 4",
            raw.len()
        )));
    }
    let magic = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
    if raw[0] != 0 || raw[1] != 0 {
        return Err(fail(format!(
            "not an IDX file: magic {magic:#010x} does not start with two zero bytes"
        )));
    }
    if raw[2] != TYPE_U8 {
        return Err(fail(format!(
            "unsupported IDX data type {:#04x} in magic {magic:#010x} (only 0x08, unsigned byte)",
            raw[2]
        )));
    }
    let ndim = raw[3] as usize;
    if ndim == 0 {
        return Err(fail(format!("magic {magic:#010x} declares 0 dims")));
    }
    let header = 4 + 4 * ndim;
    if raw.len() < header {
        return Err(fail(format!(
            "truncated: {} bytes, the header of a {ndim}-dim IDX file needs {header}",
            raw.len()
        )));
    }
    let dims: Vec<usize> = raw[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let need = checked_product(&dims).ok_or_else(|| fail(format!("dims {dims:?} overflow")))?;
    let found = raw.len() - header;
    if found < need {
        return Err(fail(format!(
            "truncated: dims {dims:?} need {need} bytes of data, found {found}"
        )));
    }
    if found > need {
        return Err(fail(format!(
            "trailing data: dims {dims:?} need {need} bytes of data, found {found}"
        )));
    }
    let data = match raw {
        // An owned buffer (a file read or decompressed) is reused: no second copy of 47 MB.
        Cow::Owned(mut v) => {
            v.drain(..header);
            v
        }
        Cow::Borrowed(b) => b[header..].to_vec(),
    };
    Ok(IdxFile { dims, data })
}

fn format_error(path: &Path, reason: String) -> Error {
    Error::Format {
        op: OP.into(),
        path: PathBuf::from(path),
        reason,
    }
}

fn checked_product(dims: &[usize]) -> Option<usize> {
    dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}
