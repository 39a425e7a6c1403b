//! Glob patterns over parameter names (`features.*`, `*.bias`), used to choose parameter groups,
//! freeze layers and select what to load.

/// True when `name` matches `pattern`, where `*` matches any run of characters (dots included)
/// and `?` any single character; everything else matches itself.
///
/// # Example
/// ```
/// use fovea_autograd::name_matches;
/// assert!(name_matches("features.*", "features.conv1.weight"));
/// assert!(name_matches("*.bias", "classifier.fc2.bias"));
/// assert!(name_matches("features.conv?.weight", "features.conv2.weight"));
/// assert!(!name_matches("*.bias", "classifier.fc2.weight"));
/// ```
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Iterative wildcard matching with one backtrack point (the last `*`): linear in practice.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}
