//! Property tests of NumPy's broadcasting rule: `broadcast_shapes`, broadcasting arithmetic, and
//! `sum_to`, its reverse (the gradient of a broadcast operand).
//!
//! Compatible pairs are generated backwards from a result shape: each operand drops some leading
//! axes and sets some of the rest to 1, which is exactly the set of shapes that broadcast to it.

use fovea::tensor::{Error, Tensor, broadcast_shapes, seeded_rng};
use proptest::prelude::*;

/// How an operand is derived from the result shape.
#[derive(Clone, Debug)]
struct Operand {
    /// Leading axes dropped (at most the rank).
    dropped: usize,
    /// For each remaining axis, whether it is set to 1.
    ones: Vec<bool>,
}

impl Operand {
    fn shape(&self, result: &[usize]) -> Vec<usize> {
        let dropped = self.dropped.min(result.len());
        result[dropped..]
            .iter()
            .zip(&self.ones[dropped..])
            .map(|(&len, &one)| if one { 1 } else { len })
            .collect()
    }
}

/// A result shape of rank 0 to 4 with axes of length 1 to 4 (small: the tensors are built).
fn result_shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..=4, 0..=4)
}

fn operand() -> impl Strategy<Value = Operand> {
    (0usize..=4, prop::collection::vec(any::<bool>(), 4))
        .prop_map(|(dropped, ones)| Operand { dropped, ones })
}

/// What the two operands broadcast to: for each axis of the result, 1 if both operands have 1
/// there or lack it, else the result's length; leading axes both operands lack disappear.
fn expected_shape(result: &[usize], a: &[usize], b: &[usize]) -> Vec<usize> {
    let rank = a.len().max(b.len());
    let at = |s: &[usize], i: usize| {
        // Axis i of the result (counted in the result's rank), 1 where `s` lacks it.
        let offset = result.len() - s.len();
        if i < offset { 1 } else { s[i - offset] }
    };
    (result.len() - rank..result.len())
        .map(|i| at(a, i).max(at(b, i)))
        .collect()
}

fn random(shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_normal(shape, 0.0, 1.0, &mut seeded_rng(seed)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn broadcast_shapes_follows_numpy(result in result_shape(), a in operand(), b in operand()) {
        let (sa, sb) = (a.shape(&result), b.shape(&result));
        let expected = expected_shape(&result, &sa, &sb);
        prop_assert_eq!(broadcast_shapes("add", &sa, &sb).unwrap(), expected.clone());
        // The rule is symmetric.
        prop_assert_eq!(broadcast_shapes("add", &sb, &sa).unwrap(), expected);
    }

    #[test]
    fn add_equals_explicit_broadcast_then_add(
        result in result_shape(),
        a in operand(),
        b in operand(),
        seed in any::<u64>(),
    ) {
        let (sa, sb) = (a.shape(&result), b.shape(&result));
        let (x, y) = (random(&sa, seed), random(&sb, seed.wrapping_add(1)));
        let shape = broadcast_shapes("add", &sa, &sb).unwrap();
        let explicit = x.broadcast_to(&shape).unwrap().add(&y.broadcast_to(&shape).unwrap()).unwrap();
        let implicit = x.add(&y).unwrap();
        prop_assert_eq!(implicit.shape(), &shape[..]);
        // The same additions on the same numbers: equal to the bit.
        prop_assert_eq!(implicit.to_vec(), explicit.to_vec());
    }

    #[test]
    fn sum_to_of_broadcast_ones_counts_repeats(result in result_shape(), a in operand()) {
        let sa = a.shape(&result);
        // Every element of `sa` is repeated |result| / |sa| times in the broadcast.
        let repeats = result.iter().product::<usize>() / sa.iter().product::<usize>();
        let summed = Tensor::ones(&sa).broadcast_to(&result).unwrap().sum_to(&sa).unwrap();
        prop_assert_eq!(summed.shape(), &sa[..]);
        prop_assert!(summed.to_vec().iter().all(|&v| v == repeats as f32), "{:?}", summed);
    }

    #[test]
    fn sum_to_is_the_adjoint_of_broadcast_to(
        result in result_shape(),
        a in operand(),
        seed in any::<u64>(),
    ) {
        // <broadcast_to(x), g> = <x, sum_to(g)> for every x and g: the backward rule of
        // broadcasting is the transpose of broadcasting.
        let sa = a.shape(&result);
        let (x, g) = (random(&sa, seed), random(&result, seed.wrapping_add(1)));
        let dot = |p: &Tensor, q: &Tensor| -> f64 {
            p.to_vec().iter().zip(q.to_vec()).map(|(&u, v)| u as f64 * v as f64).sum()
        };
        let lhs = dot(&x.broadcast_to(&result).unwrap(), &g);
        let rhs = dot(&x, &g.sum_to(&sa).unwrap());
        prop_assert!((lhs - rhs).abs() <= 1e-4 * (1.0 + lhs.abs()), "{} vs {}", lhs, rhs);
    }

    #[test]
    fn incompatible_axes_are_rejected(
        result in prop::collection::vec(1usize..=4, 1..=4),
        a in operand(),
        b in operand(),
        axis_seed in any::<usize>(),
        lengths in (2usize..=5, 2usize..=5).prop_filter("lengths differ", |(p, q)| p != q),
    ) {
        // Derive a compatible pair, then give one axis two different lengths, neither 1. The
        // axis must exist in both: `b` drops only leading axes before it.
        let axis = axis_seed % result.len();
        let mut sa = Operand { dropped: 0, ..a }.shape(&result);
        let mut sb = Operand { dropped: 0, ..b.clone() }.shape(&result);
        sa[axis] = lengths.0;
        sb[axis] = lengths.1;
        let sb = sb[b.dropped.min(axis)..].to_vec();
        let error = broadcast_shapes("add", &sa, &sb).unwrap_err();
        prop_assert!(matches!(error, Error::ShapeMismatch { .. }), "{:?}", error);
        let error = Tensor::zeros(&sa).add(&Tensor::zeros(&sb)).unwrap_err();
        prop_assert!(matches!(error, Error::ShapeMismatch { .. }), "{:?}", error);
        let expected_message = format!("add: shapes cannot be broadcast: {sa:?} x {sb:?}");
        prop_assert_eq!(error.to_string(), expected_message);
        // Neither can be broadcast to the other.
        let error = Tensor::zeros(&sb).broadcast_to(&sa).unwrap_err();
        prop_assert!(matches!(error, Error::ShapeMismatch { .. }), "{:?}", error);
        let error = Tensor::zeros(&sa).broadcast_to(&sb).unwrap_err();
        prop_assert!(matches!(error, Error::ShapeMismatch { .. }), "{:?}", error);
    }
}
