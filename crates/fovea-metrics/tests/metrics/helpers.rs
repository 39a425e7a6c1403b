//! Shared test helpers: tolerant float comparison, fixture loading, image builders.

use std::path::PathBuf;

use ndarray::Array2;

/// Relative tolerance for golden comparisons (both sides compute in f64 from the same counts).
pub const RTOL: f64 = 1e-9;
/// Absolute tolerance for golden comparisons.
pub const ATOL: f64 = 1e-12;

/// Asserts `|a − b| <= atol + rtol·|b|`.
#[track_caller]
pub fn assert_close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= ATOL + RTOL * b.abs(),
        "{what}: got {a}, expected {b}"
    );
}

/// Element-wise [`assert_close`] with equal lengths.
#[track_caller]
pub fn assert_all_close(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(
        a.len(),
        b.len(),
        "{what}: lengths {} vs {}",
        a.len(),
        b.len()
    );
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert_close(*x, *y, &format!("{what}[{k}]"));
    }
}

/// Parses `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is valid JSON")
}

/// A JSON array of numbers as `f64`s.
pub fn f64s(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// An image from rows of characters: `#` is object (1.0), `.` is boundary (0.0).
pub fn image(rows: &[&str]) -> Array2<f32> {
    let cols = rows[0].len();
    Array2::from_shape_fn((rows.len(), cols), |(r, c)| match rows[r].as_bytes()[c] {
        b'#' => 1.0,
        b'.' => 0.0,
        other => panic!("unexpected {}", other as char),
    })
}

/// Number of connected components of the object (`value = true`, 4-connected) or of the
/// background (`value = false`, 8-connected, with a background border around the image, so
/// all background touching the image edge is one component). An independent flood fill.
pub fn count_components(image: &Array2<f32>, value: bool) -> usize {
    let (rows, cols) = image.dim();
    let (h, w) = (rows as i64 + 2, cols as i64 + 2);
    let cell = |r: i64, c: i64| -> bool {
        if r == 0 || c == 0 || r == h - 1 || c == w - 1 {
            false
        } else {
            image[[(r - 1) as usize, (c - 1) as usize]] > 0.5
        }
    };
    let mut seen = vec![false; (h * w) as usize];
    let mut count = 0;
    for r0 in 0..h {
        for c0 in 0..w {
            if cell(r0, c0) != value || seen[(r0 * w + c0) as usize] {
                continue;
            }
            count += 1;
            seen[(r0 * w + c0) as usize] = true;
            let mut stack = vec![(r0, c0)];
            while let Some((r, c)) = stack.pop() {
                for (dr, dc) in [
                    (-1, -1),
                    (-1, 0),
                    (-1, 1),
                    (0, -1),
                    (0, 1),
                    (1, -1),
                    (1, 0),
                    (1, 1),
                ] {
                    if value && dr != 0 && dc != 0 {
                        continue; // objects are 4-connected
                    }
                    let (nr, nc) = (r + dr, c + dc);
                    if nr < 0 || nc < 0 || nr >= h || nc >= w {
                        continue;
                    }
                    let k = (nr * w + nc) as usize;
                    if cell(nr, nc) == value && !seen[k] {
                        seen[k] = true;
                        stack.push((nr, nc));
                    }
                }
            }
        }
    }
    count
}
