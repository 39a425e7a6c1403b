//! The simple-point table against an independent oracle: flood fills on the 3×3 patch itself
//! (Fiji's `topo` procedure), not on the ring bit order.

use fovea_metrics::{SIMPLE_POINT_TABLE, is_simple, topological_numbers};

/// Patch coordinates (row, col) of ring bits 0..8: NW, N, NE, E, SE, S, SW, W.
const RING: [(i32, i32); 8] = [
    (0, 0),
    (0, 1),
    (0, 2),
    (1, 2),
    (2, 2),
    (2, 1),
    (2, 0),
    (1, 0),
];

fn patch(ring: u8) -> [[bool; 3]; 3] {
    let mut p = [[false; 3]; 3];
    for (bit, &(r, c)) in RING.iter().enumerate() {
        p[r as usize][c as usize] = ring & (1 << bit) != 0;
    }
    p // centre left false: it is excluded from both counts
}

/// Components of the cells equal to `value` in the patch without its centre; with
/// `near_centre`, only components holding a 4-neighbour of the centre count.
fn components(p: &[[bool; 3]; 3], value: bool, eight: bool, near_centre: bool) -> usize {
    let mut id = [[0usize; 3]; 3];
    let mut next = 0;
    for r0 in 0..3 {
        for c0 in 0..3 {
            if (r0, c0) == (1, 1) || p[r0][c0] != value || id[r0][c0] != 0 {
                continue;
            }
            next += 1;
            let mut stack = vec![(r0 as i32, c0 as i32)];
            id[r0][c0] = next;
            while let Some((r, c)) = stack.pop() {
                for dr in -1..=1i32 {
                    for dc in -1..=1i32 {
                        let diagonal = dr != 0 && dc != 0;
                        if (dr, dc) == (0, 0) || (diagonal && !eight) {
                            continue;
                        }
                        let (nr, nc) = (r + dr, c + dc);
                        if !(0..3).contains(&nr) || !(0..3).contains(&nc) || (nr, nc) == (1, 1) {
                            continue;
                        }
                        let (ur, uc) = (nr as usize, nc as usize);
                        if p[ur][uc] == value && id[ur][uc] == 0 {
                            id[ur][uc] = next;
                            stack.push((nr, nc));
                        }
                    }
                }
            }
        }
    }
    if !near_centre {
        return next;
    }
    let mut ids: Vec<usize> = [(0, 1), (1, 0), (1, 2), (2, 1)]
        .iter()
        .map(|&(r, c)| id[r][c])
        .filter(|&i| i != 0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

#[test]
fn table_matches_flood_fill_oracle() {
    for ring in 0..=255u8 {
        let p = patch(ring);
        let t4 = components(&p, true, false, true);
        let t8 = components(&p, false, true, false);
        assert_eq!(
            topological_numbers(ring),
            (t4 as u8, t8 as u8),
            "ring {ring:08b}"
        );
        assert_eq!(is_simple(ring), t4 == 1 && t8 == 1, "ring {ring:08b}");
    }
}

#[test]
fn exactly_116_simple_patterns() {
    let count = SIMPLE_POINT_TABLE.iter().filter(|&&s| s).count();
    assert_eq!(count, 116);
}

#[test]
fn topological_numbers_agree_unless_one_is_zero() {
    // In 2-D with (4, 8) connectivity T4 = T̄8 whenever both are non-zero; the mistake
    // classifier relies on it.
    for ring in 0..=255u8 {
        let (t4, t8) = topological_numbers(ring);
        if t4 > 0 && t8 > 0 {
            assert_eq!(t4, t8, "ring {ring:08b}");
        }
    }
}

#[test]
fn complement_duality() {
    // Complementing a ring swaps object and background; the (4, 8) numbers are not symmetric,
    // but a pattern and its complement cannot both be interior/isolated.
    assert_eq!(topological_numbers(0xFF), (1, 0));
    assert_eq!(topological_numbers(0x00), (0, 1));
    // Corners only: no 4-neighbour in the object, background 8-connected through N, E, S, W.
    assert_eq!(topological_numbers(0b0101_0101), (0, 1));
    // Edges only (N, E, S, W): four object arcs and four background corners.
    assert_eq!(topological_numbers(0b1010_1010), (4, 4));
}
