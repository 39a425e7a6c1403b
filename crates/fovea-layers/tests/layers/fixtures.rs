//! Reading the golden-value fixtures that `scripts/golden_*.py` write (one shared reader for
//! every layer family).

use fovea_tensor::Tensor;
use serde_json::Value;

/// The cases of `tests/fixtures/<family>.json`; panics naming the file when it is malformed.
pub fn load(family: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/{family}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(
        doc["torch_version"]
            .as_str()
            .is_some_and(|v| v.starts_with('2')),
        "{path}: torch_version"
    );
    let cases = doc["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: no cases"))
        .clone();
    assert!(!cases.is_empty(), "{path}: no cases");
    cases
}

/// A JSON array of integers.
pub fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_u64().expect("an integer") as usize)
        .collect()
}

/// A `{"shape", "data"}` object as a tensor.
pub fn tensor(v: &Value) -> Tensor {
    let data = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect();
    Tensor::from_vec(data, &usizes(&v["shape"])).expect("fixture data fits its shape")
}
