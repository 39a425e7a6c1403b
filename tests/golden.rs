//! Golden tests: forward values and gradients compared with PyTorch.
//!
//! The fixtures in `tests/fixtures/` are written by `scripts/gen_golden.py` (see its header for
//! the format and how to regenerate them). Every case is run through fovea, its output and the
//! gradient of every input are compared elementwise with `|got − want| ≤ atol + rtol·|want|`,
//! and a family's test fails listing every case that missed, with its worst element.

use fovea::prelude::*;
use serde_json::Value;

/// PyTorch and fovea agree to a few f32 ulps on these small, well-conditioned cases.
const RTOL: f32 = 1e-5;
/// The absolute part covers values that should be 0 but come out as rounding noise (e.g. a
/// softmax probability times a gradient that nearly cancels).
const ATOL: f32 = 1e-6;

/// The cases of `tests/fixtures/<family>.json`.
fn load(family: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/{family}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases = doc["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: no cases"))
        .clone();
    assert!(!cases.is_empty(), "{path}: no cases");
    cases
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("an array of integers")
        .iter()
        .map(|x| x.as_u64().expect("an integer") as usize)
        .collect()
}

/// A `{"shape", "data"}` object as a tensor.
fn tensor(v: &Value) -> Tensor {
    let data = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect();
    Tensor::from_vec(data, &usizes(&v["shape"])).expect("fixture data fits its shape")
}

/// Input `name` of a case, as a parameter so that it receives a gradient.
fn input(case: &Value, name: &str) -> Var {
    Var::parameter(tensor(&case["inputs"][name]))
}

fn name(case: &Value) -> &str {
    case["name"].as_str().expect("case name")
}

/// Compares tensors for one op family, remembers the worst errors for the report and collects
/// every mismatch so that one run shows them all.
struct Checker {
    family: &'static str,
    rtol: f32,
    atol: f32,
    compared: usize,
    max_abs: f32,
    max_rel: f32,
    failures: Vec<String>,
}

impl Checker {
    fn new(family: &'static str) -> Self {
        Checker {
            family,
            rtol: RTOL,
            atol: ATOL,
            compared: 0,
            max_abs: 0.0,
            max_rel: 0.0,
            failures: Vec::new(),
        }
    }

    fn check(&mut self, case: &str, quantity: &str, got: &Tensor, want: &Value) {
        let want = tensor(want);
        if got.shape() != want.shape() {
            self.failures.push(format!(
                "{case}: {quantity} has shape {:?}, PyTorch {:?}",
                got.shape(),
                want.shape()
            ));
            return;
        }
        // The element that exceeds its tolerance by the largest factor.
        let mut worst: Option<(usize, f32, f32, f32)> = None;
        for (i, (&a, &b)) in got.to_vec().iter().zip(want.to_vec().iter()).enumerate() {
            let err = (a - b).abs();
            let allowed = self.atol + self.rtol * b.abs();
            self.compared += 1;
            self.max_abs = self.max_abs.max(err);
            if b != 0.0 {
                self.max_rel = self.max_rel.max(err / b.abs());
            }
            // A NaN on either side fails too.
            let failed = err > allowed || err.is_nan();
            if failed && worst.is_none_or(|(_, _, _, r)| err / allowed > r) {
                worst = Some((i, a, b, err / allowed));
            }
        }
        if let Some((i, a, b, _)) = worst {
            self.failures.push(format!(
                "{case}: {quantity}[{i}] (flat index) = {a:e}, PyTorch {b:e}, |diff| {:e} > {:e}",
                (a - b).abs(),
                self.atol + self.rtol * b.abs()
            ));
        }
    }

    /// Checks the output, backwards through it as the fixture did and checks every gradient.
    fn check_case(&mut self, case: &Value, output: &Var, inputs: &[(&str, &Var)]) {
        let case_name = name(case);
        self.check(case_name, "output", &output.value(), &case["output"]);
        let grads = match &case["grad_output"] {
            Value::Null => output.backward(),
            g => output.backward_with(tensor(g)),
        }
        .unwrap_or_else(|e| panic!("{case_name}: backward failed: {e}"));
        for (input_name, var) in inputs {
            let want = &case["grads"][*input_name];
            assert!(
                want.is_object(),
                "{case_name}: the fixture has no gradient for {input_name}"
            );
            match grads.get(var) {
                Some(got) => self.check(case_name, &format!("grad {input_name}"), got, want),
                None => self
                    .failures
                    .push(format!("{case_name}: no gradient for {input_name}")),
            }
        }
    }

    /// Prints the measured agreement (run with `--nocapture` to see it) and fails on mismatches.
    fn finish(self) {
        eprintln!(
            "golden {}: {} values, max abs err {:e}, max rel err {:e} (rtol {:e}, atol {:e})",
            self.family, self.compared, self.max_abs, self.max_rel, self.rtol, self.atol
        );
        assert!(
            self.compared > 0,
            "golden {}: nothing compared",
            self.family
        );
        assert!(
            self.failures.is_empty(),
            "golden {}: differs from PyTorch:\n{}",
            self.family,
            self.failures.join("\n")
        );
    }
}

#[test]
fn softmax_and_log_softmax_match_pytorch() {
    let mut checker = Checker::new("softmax");
    for case in load("softmax") {
        let x = input(&case, "x");
        let axis = case["options"]["axis"].as_u64().expect("axis") as usize;
        let y = match case["op"].as_str() {
            Some("softmax") => x.softmax(axis),
            Some("log_softmax") => x.log_softmax(axis),
            other => panic!("{}: unknown op {other:?}", name(&case)),
        }
        .unwrap_or_else(|e| panic!("{}: {e}", name(&case)));
        checker.check_case(&case, &y, &[("x", &x)]);
    }
    checker.finish();
}

#[test]
fn cross_entropy_matches_pytorch() {
    let mut checker = Checker::new("cross_entropy");
    for case in load("cross_entropy") {
        let logits = input(&case, "logits");
        let options = &case["options"];
        let mut opts = CrossEntropyOptions::default();
        if options["weight"].is_object() {
            opts = opts.with_weight(tensor(&options["weight"]));
        }
        if let Some(i) = options["ignore_index"].as_u64() {
            opts = opts.with_ignore_index(i as usize);
        }
        let loss = cross_entropy_with(&logits, &usizes(&options["targets"]), &opts)
            .unwrap_or_else(|e| panic!("{}: {e}", name(&case)));
        checker.check_case(&case, &loss, &[("logits", &logits)]);
    }
    checker.finish();
}

#[test]
fn mse_loss_matches_pytorch() {
    let mut checker = Checker::new("mse");
    for case in load("mse") {
        let (p, t) = (input(&case, "prediction"), input(&case, "target"));
        let loss = mse_loss(&p, &t).unwrap_or_else(|e| panic!("{}: {e}", name(&case)));
        checker.check_case(&case, &loss, &[("prediction", &p), ("target", &t)]);
    }
    checker.finish();
}

#[test]
fn matmul_matches_pytorch() {
    let mut checker = Checker::new("matmul");
    for case in load("matmul") {
        let (a, b) = (input(&case, "a"), input(&case, "b"));
        let c = a
            .matmul(&b)
            .unwrap_or_else(|e| panic!("{}: {e}", name(&case)));
        checker.check_case(&case, &c, &[("a", &a), ("b", &b)]);
    }
    checker.finish();
}

#[test]
fn im2col_and_col2im_match_unfold_and_fold() {
    let mut checker = Checker::new("im2col");
    for case in load("im2col") {
        let o = &case["options"];
        let pair = |key: &str| -> [usize; 2] { usizes(&o[key]).try_into().expect("two values") };
        let geometry = ConvGeometry::new(pair("kernel"))
            .with_stride(pair("stride"))
            .with_padding(pair("padding"))
            .with_dilation(pair("dilation"));
        let (input_name, x, y) = match case["op"].as_str() {
            Some("im2col") => {
                let x = input(&case, "x");
                let y = x.im2col(&geometry);
                ("x", x, y)
            }
            Some("col2im") => {
                let cols = input(&case, "cols");
                let image: [usize; 3] = usizes(&o["image"]).try_into().expect("[C, H, W]");
                let y = cols.col2im(&geometry, image);
                ("cols", cols, y)
            }
            other => panic!("{}: unknown op {other:?}", name(&case)),
        };
        let y = y.unwrap_or_else(|e| panic!("{}: {e}", name(&case)));
        checker.check_case(&case, &y, &[(input_name, &x)]);
    }
    checker.finish();
}
