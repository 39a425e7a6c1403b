//! safetensors import and export, with PyTorch parameter names, for interchange with PyTorch,
//! candle and burn.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use fovea_layers::Module;
use fovea_optim::NamedTensor;
use fovea_tensor::{Error, Result};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

/// Writes every parameter of `model` to a safetensors file (f32, little-endian, PyTorch names),
/// readable by `safetensors.torch.load_file`.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written; [`Error::Format`] if serialization fails.
///
/// # Example
/// ```
/// use fovea_layers::LinearConfig;
/// let fc = LinearConfig::new(3, 2).init(&mut fovea_tensor::seeded_rng(0))?;
/// let path = std::env::temp_dir().join(format!("fovea-doc-{}.safetensors", std::process::id()));
/// fovea_checkpoint::save_safetensors(&fc, &path)?;
/// let tensors = fovea_checkpoint::load_safetensors(&path)?;
/// assert_eq!(tensors[0].name, "bias"); // sorted by name, as safetensors stores them
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
pub fn save_safetensors(model: &dyn Module, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let params: Vec<(String, Vec<usize>, Vec<u8>)> = model
        .parameters()
        .into_iter()
        .map(|(name, var)| {
            let value = var.value();
            let bytes = value
                .contiguous_data()
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect();
            (name, value.shape().to_vec(), bytes)
        })
        .collect();
    let format = |reason: String| Error::Format {
        op: "safetensors save".into(),
        path: path.to_path_buf(),
        reason,
    };
    let views = params
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(Dtype::F32, shape.clone(), bytes).map(|v| (name.clone(), v))
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| format(e.to_string()))?;
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    let bytes = safetensors::serialize(views, Some(metadata)).map_err(|e| format(e.to_string()))?;
    fs::write(path, bytes).map_err(|e| Error::Io {
        op: "safetensors save".into(),
        path: path.to_path_buf(),
        source: e,
    })
}

/// Reads every tensor of a safetensors file (f32 only), sorted by name.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] naming the file and the tensor
/// when it is not valid safetensors or holds a dtype other than F32.
///
/// # Example
/// See [`save_safetensors`].
pub fn load_safetensors(path: impl AsRef<Path>) -> Result<Vec<NamedTensor>> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|e| Error::Io {
        op: "safetensors load".into(),
        path: path.to_path_buf(),
        source: e,
    })?;
    let format = |reason: String| Error::Format {
        op: "safetensors load".into(),
        path: path.to_path_buf(),
        reason,
    };
    let file = SafeTensors::deserialize(&bytes).map_err(|e| format(e.to_string()))?;
    let mut out = Vec::new();
    for (name, view) in file.tensors() {
        if view.dtype() != Dtype::F32 {
            return Err(format(format!(
                "tensor {name:?} has dtype {:?}; fovea reads F32 only",
                view.dtype()
            )));
        }
        let data = view
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("internal: 4 bytes")))
            .collect();
        out.push(NamedTensor {
            name,
            shape: view.shape().to_vec(),
            data,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
