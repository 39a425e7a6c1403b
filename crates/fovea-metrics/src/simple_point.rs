//! Simple points of binary images (4-connected foreground, 8-connected background), decided by
//! a 256-entry table indexed by the 3×3 ring around a pixel.
//!
//! A pixel is *simple* when flipping it changes no topology: in its ring, the foreground has
//! exactly one 4-connected component that touches the centre through a 4-neighbour, and the
//! background has exactly one 8-connected component (Bertrand & Malandain's topological numbers
//! T4 and T̄8, Patt. Recog. Lett. 15, 1994). The centre's own value does not matter.
//!
//! Ring bits, clockwise from the top-left: bit 0 = NW, 1 = N, 2 = NE, 3 = E, 4 = SE, 5 = S,
//! 6 = SW, 7 = W; a set bit is foreground. The tables are computed at compile time from that
//! definition.

/// Bits of the four 4-neighbours (N, E, S, W) in a ring pattern.
const EDGE_BITS: u8 = 0b1010_1010;

/// Whether ring positions `i` and `j` are adjacent inside the ring: cyclic neighbours are
/// 4-adjacent (a corner and an edge pixel); with 8-adjacency two edge pixels one corner apart
/// (N and E, ...) touch diagonally too.
const fn ring_adjacent(i: u32, j: u32, eight: bool) -> bool {
    let d = (i + 8 - j) % 8;
    d == 1 || d == 7 || (eight && i % 2 == 1 && j % 2 == 1 && (d == 2 || d == 6))
}

/// Number of connected components of the set bits of `set` inside the ring; with
/// `touching_centre`, only those holding a 4-neighbour of the centre count.
const fn ring_components(set: u8, eight: bool, touching_centre: bool) -> u8 {
    let mut seen: u8 = 0;
    let mut count = 0;
    let mut start = 0;
    while start < 8 {
        if set & (1 << start) != 0 && seen & (1 << start) == 0 {
            // Grow the component of `start` until it stops changing (8 nodes: cheap).
            let mut comp: u8 = 1 << start;
            let mut changed = true;
            while changed {
                changed = false;
                let mut i = 0;
                while i < 8 {
                    if comp & (1 << i) != 0 {
                        let mut j = 0;
                        while j < 8 {
                            let free = set & (1 << j) != 0 && comp & (1 << j) == 0;
                            if free && ring_adjacent(i, j, eight) {
                                comp |= 1 << j;
                                changed = true;
                            }
                            j += 1;
                        }
                    }
                    i += 1;
                }
            }
            seen |= comp;
            if !touching_centre || comp & EDGE_BITS != 0 {
                count += 1;
            }
        }
        start += 1;
    }
    count
}

const fn build_t4() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut p = 0;
    while p < 256 {
        t[p] = ring_components(p as u8, false, true);
        p += 1;
    }
    t
}

const fn build_t8_background() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut p = 0;
    while p < 256 {
        t[p] = ring_components(!(p as u8), true, false);
        p += 1;
    }
    t
}

const fn build_simple(t4: &[u8; 256], t8: &[u8; 256]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut p = 0;
    while p < 256 {
        t[p] = t4[p] == 1 && t8[p] == 1;
        p += 1;
    }
    t
}

const T4_FOREGROUND: [u8; 256] = build_t4();
const T8_BACKGROUND: [u8; 256] = build_t8_background();

/// The simple-point table: `SIMPLE_POINT_TABLE[ring]` is `true` when a pixel with that ring
/// pattern is simple (116 of the 256 patterns are). See the module docs for the bit order.
///
/// # Example
/// ```
/// use fovea_metrics::SIMPLE_POINT_TABLE;
/// // Foreground only above (NW, N, NE): flipping the centre just grows or shrinks an edge.
/// assert!(SIMPLE_POINT_TABLE[0b0000_0111]);
/// // Foreground N and S only: the centre joins (or separates) two pieces.
/// assert!(!SIMPLE_POINT_TABLE[0b0010_0010]);
/// ```
pub static SIMPLE_POINT_TABLE: [bool; 256] = build_simple(&T4_FOREGROUND, &T8_BACKGROUND);

/// Whether a pixel with this ring pattern is simple (a lookup in [`SIMPLE_POINT_TABLE`]).
///
/// Fiji equivalent: `WarpingError.simple2DBertrand(patch, 4)`.
///
/// # Example
/// ```
/// assert!(fovea_metrics::is_simple(0b1100_0001)); // W, SW, NW: one side
/// assert!(!fovea_metrics::is_simple(0)); // isolated pixel: flipping adds or deletes an object
/// assert!(!fovea_metrics::is_simple(0xFF)); // interior pixel: flipping adds or fills a hole
/// ```
pub fn is_simple(ring: u8) -> bool {
    SIMPLE_POINT_TABLE[ring as usize]
}

/// The topological numbers of a ring pattern: `(T4, T̄8)`, the number of 4-connected foreground
/// components touching the centre through a 4-neighbour and the number of 8-connected background
/// components in the ring. A pixel is simple exactly when both are 1.
///
/// # Example
/// ```
/// assert_eq!(fovea_metrics::topological_numbers(0b0010_0010), (2, 2)); // N and S
/// assert_eq!(fovea_metrics::topological_numbers(0), (0, 1));
/// assert_eq!(fovea_metrics::topological_numbers(0xFF), (1, 0));
/// ```
pub fn topological_numbers(ring: u8) -> (u8, u8) {
    (T4_FOREGROUND[ring as usize], T8_BACKGROUND[ring as usize])
}

/// The ring pattern of the pixel at flat index `i` of a padded row-major 0/1 grid of row
/// length `stride` (the caller guarantees a 1-pixel border around `i`).
#[inline(always)]
pub(crate) fn ring_at(grid: &[u8], stride: usize, i: usize) -> u8 {
    grid[i - stride - 1]
        | grid[i - stride] << 1
        | grid[i - stride + 1] << 2
        | grid[i + 1] << 3
        | grid[i + stride + 1] << 4
        | grid[i + stride] << 5
        | grid[i + stride - 1] << 6
        | grid[i - 1] << 7
}
