//! One test per error of the public fallible functions of `fovea-tensor` and `fovea-autograd`:
//! the exact message (what a user reads in a log) and the variant (what a caller matches on).
//! Operators cannot return a `Result`; they panic with the same message as the method.

use fovea::autograd::{
    CrossEntropyOptions, GradcheckOptions, Op, Var, cross_entropy, cross_entropy_with, gradcheck,
    mse_loss,
};
use fovea::tensor::{ConvGeometry, Error, Result, Tensor, broadcast_shapes, fans, seeded_rng};

/// Asserts that `$result` is an error of the variant `$variant` whose message is `$message`.
macro_rules! assert_error {
    ($result:expr, $variant:pat, $message:expr $(,)?) => {{
        let error = $result.expect_err("expected an error");
        assert_eq!(error.to_string(), $message);
        assert!(matches!(error, $variant), "wrong variant: {error:?}");
    }};
}

fn zeros(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape)
}

fn constant(shape: &[usize]) -> Var {
    Var::constant(zeros(shape))
}

fn parameter(shape: &[usize]) -> Var {
    Var::parameter(zeros(shape))
}

// ---------------------------------------------------------------------------------------------
// Construction and initialisation.

#[test]
fn from_vec_count() {
    assert_error!(
        Tensor::from_vec(vec![1.0, 2.0], &[3]),
        Error::InvalidShape { .. },
        "from_vec: 2 values do not fill the shape (3 needed) (shape [3])"
    );
}

#[test]
fn arange_zero_step() {
    assert_error!(
        Tensor::arange(0.0, 1.0, 0.0),
        Error::InvalidArgument { .. },
        "arange: needs finite bounds and a non-zero step, got start 0, end 1, step 0"
    );
}

#[test]
fn arange_non_finite_bound() {
    assert_error!(
        Tensor::arange(0.0, f32::INFINITY, 1.0),
        Error::InvalidArgument { .. },
        "arange: needs finite bounds and a non-zero step, got start 0, end inf, step 1"
    );
}

// The reason after the bounds is rand_distr's message (its version is pinned in the workspace).
#[test]
fn rand_uniform_bad_bounds() {
    assert_error!(
        Tensor::rand_uniform(&[2], 1.0, 0.0, &mut seeded_rng(0)),
        Error::InvalidArgument { .. },
        "rand_uniform: bounds [1, 0): low > high (or equal if exclusive) in uniform distribution"
    );
    // An empty interval [1, 1) has nothing to sample either.
    assert_error!(
        Tensor::rand_uniform(&[2], 1.0, 1.0, &mut seeded_rng(0)),
        Error::InvalidArgument { .. },
        "rand_uniform: bounds [1, 1): low > high (or equal if exclusive) in uniform distribution"
    );
}

#[test]
fn rand_normal_non_finite_std() {
    assert_error!(
        Tensor::rand_normal(&[2], 0.0, f32::NAN, &mut seeded_rng(0)),
        Error::InvalidArgument { .. },
        "rand_normal: mean 0, std NaN: variation parameter is non-finite in (log)normal distribution"
    );
}

/// `rand_normal` documents an error for a negative standard deviation (as `torch.normal`).
#[test]
fn rand_normal_negative_std() {
    let result = Tensor::rand_normal(&[2], 0.0, -1.0, &mut seeded_rng(0));
    let error = result.expect_err("rand_normal with std -1 must fail, as documented");
    assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
    assert!(
        error.to_string().starts_with("rand_normal: mean 0, std -1"),
        "{error}"
    );
}

#[test]
fn kaiming_on_one_axis() {
    assert_error!(
        Tensor::kaiming_uniform(&[3], 5f32.sqrt(), &mut seeded_rng(0)),
        Error::InvalidShape { .. },
        "kaiming_uniform: fan in/out needs at least 2 axes (shape [3])"
    );
}

#[test]
fn kaiming_zero_fan_in() {
    assert_error!(
        Tensor::kaiming_uniform(&[3, 0], 0.0, &mut seeded_rng(0)),
        Error::InvalidShape { .. },
        "kaiming_uniform: fan-in is 0 (shape [3, 0])"
    );
}

#[test]
fn xavier_zero_fans() {
    assert_error!(
        Tensor::xavier_uniform(&[0, 0], 1.0, &mut seeded_rng(0)),
        Error::InvalidShape { .. },
        "xavier_uniform: fans are 0 (shape [0, 0])"
    );
}

#[test]
fn fans_names_the_caller() {
    assert_error!(
        fans("init", &[]),
        Error::InvalidShape { .. },
        "init: fan in/out needs at least 2 axes (shape [])"
    );
}

// ---------------------------------------------------------------------------------------------
// Shape operations.

#[test]
fn reshape_count() {
    assert_error!(
        zeros(&[2, 3]).reshape(&[4]),
        Error::ShapeMismatch { .. },
        "reshape: element counts differ: [2, 3] x [4]"
    );
}

#[test]
fn permute_invalid() {
    // A repeated axis and a list of the wrong length are both rejected.
    assert_error!(
        zeros(&[2, 3]).permute(&[0, 0]),
        Error::InvalidArgument { .. },
        "permute: [0, 0] is not a permutation of the axes of shape [2, 3]"
    );
    assert_error!(
        zeros(&[2, 3]).permute(&[1, 0, 2]),
        Error::InvalidArgument { .. },
        "permute: [1, 0, 2] is not a permutation of the axes of shape [2, 3]"
    );
}

#[test]
fn transpose_axis() {
    assert_error!(
        zeros(&[2, 3]).transpose(0, 2),
        Error::InvalidShape { .. },
        "transpose: axis 2 out of range for 2 axes (shape [2, 3])"
    );
}

#[test]
fn unsqueeze_axis() {
    // ndim itself is allowed (a new last axis); one past it is not.
    assert_error!(
        zeros(&[2, 3]).unsqueeze(3),
        Error::InvalidShape { .. },
        "unsqueeze: axis 3 out of range (shape [2, 3])"
    );
}

#[test]
fn concat_empty() {
    assert_error!(
        Tensor::concat(&[], 0),
        Error::InvalidArgument { .. },
        "concat: needs at least one tensor"
    );
}

#[test]
fn concat_mismatch() {
    assert_error!(
        Tensor::concat(&[&zeros(&[2, 3]), &zeros(&[2, 4])], 0),
        Error::ShapeMismatch { .. },
        "concat: shapes differ off axis 0: [2, 3] x [2, 4]"
    );
    // A different rank is the same mistake.
    assert_error!(
        Tensor::concat(&[&zeros(&[2, 3]), &zeros(&[2, 3, 1])], 0),
        Error::ShapeMismatch { .. },
        "concat: shapes differ off axis 0: [2, 3] x [2, 3, 1]"
    );
}

#[test]
fn concat_axis() {
    assert_error!(
        Tensor::concat(&[&zeros(&[2, 3])], 2),
        Error::InvalidShape { .. },
        "concat: axis 2 out of range for 2 axes (shape [2, 3])"
    );
}

#[test]
fn narrow_out_of_range() {
    assert_error!(
        zeros(&[2, 4]).narrow(1, 2, 3),
        Error::InvalidShape { .. },
        "narrow: range 2..2+3 out of bounds on axis 1 (shape [2, 4])"
    );
    // start + len overflowing usize is an error, not a panic.
    assert_error!(
        zeros(&[2, 4]).narrow(1, usize::MAX, 1),
        Error::InvalidShape { .. },
        format!(
            "narrow: range {0}..{0}+1 out of bounds on axis 1 (shape [2, 4])",
            usize::MAX
        )
    );
}

#[test]
fn narrow_axis() {
    assert_error!(
        zeros(&[2, 4]).narrow(2, 0, 1),
        Error::InvalidShape { .. },
        "narrow: axis 2 out of range for 2 axes (shape [2, 4])"
    );
}

#[test]
fn index_select_index() {
    assert_error!(
        zeros(&[3]).index_select(0, &[0, 3]),
        Error::InvalidShape { .. },
        "index_select: index 3 out of range on axis 0 (shape [3])"
    );
}

#[test]
fn broadcast_to_incompatible() {
    assert_error!(
        zeros(&[2, 3]).broadcast_to(&[4, 3]),
        Error::ShapeMismatch { .. },
        "broadcast_to: shapes cannot be broadcast: [2, 3] x [4, 3]"
    );
}

#[test]
fn broadcast_to_smaller_target() {
    // [2, 3] and [3] are compatible, but the result would be [2, 3], not the target.
    assert_error!(
        zeros(&[2, 3]).broadcast_to(&[3]),
        Error::ShapeMismatch { .. },
        "broadcast_to: shape cannot be broadcast to the target: [2, 3] x [3]"
    );
}

#[test]
fn broadcast_shapes_names_the_op() {
    assert_error!(
        broadcast_shapes("conv bias", &[2, 3], &[4, 3]),
        Error::ShapeMismatch { .. },
        "conv bias: shapes cannot be broadcast: [2, 3] x [4, 3]"
    );
}

/// Both errors of `sum_to` put the source first and the target second, as `broadcast_to` does.
#[test]
fn sum_to_incompatible() {
    assert_error!(
        zeros(&[3]).sum_to(&[2, 3]),
        Error::ShapeMismatch { .. },
        "sum_to: target does not broadcast to the source: [3] x [2, 3]"
    );
    assert_error!(
        zeros(&[2, 3]).sum_to(&[4]),
        Error::ShapeMismatch { .. },
        "sum_to: shapes cannot be broadcast: [2, 3] x [4]"
    );
}

#[test]
fn zip_with_names_the_op() {
    assert_error!(
        zeros(&[2]).zip_with("hypot", &zeros(&[3]), f32::hypot),
        Error::ShapeMismatch { .. },
        "hypot: shapes cannot be broadcast: [2] x [3]"
    );
}

// ---------------------------------------------------------------------------------------------
// Elementwise arithmetic, on tensors and on variables.

type TensorOp = fn(&Tensor, &Tensor) -> Result<Tensor>;
type VarOp = fn(&Var, &Var) -> Result<Var>;

#[test]
fn binary_ops_non_broadcastable() {
    let ops: [(&str, TensorOp, VarOp); 6] = [
        ("add", Tensor::add, Var::add),
        ("sub", Tensor::sub, Var::sub),
        ("mul", Tensor::mul, Var::mul),
        ("div", Tensor::div, Var::div),
        ("maximum", Tensor::maximum, Var::maximum),
        ("minimum", Tensor::minimum, Var::minimum),
    ];
    for (name, tensor_op, var_op) in ops {
        let message = format!("{name}: shapes cannot be broadcast: [2, 3] x [4]");
        assert_error!(
            tensor_op(&zeros(&[2, 3]), &zeros(&[4])),
            Error::ShapeMismatch { .. },
            message
        );
        assert_error!(
            var_op(&parameter(&[2, 3]), &constant(&[4])),
            Error::ShapeMismatch { .. },
            message
        );
    }
}

#[test]
fn clamp_min_above_max() {
    let message = "clamp: needs min <= max, got min 1, max 0";
    assert_error!(
        zeros(&[2]).clamp(1.0, 0.0),
        Error::InvalidArgument { .. },
        message
    );
    assert_error!(
        parameter(&[2]).clamp(1.0, 0.0),
        Error::InvalidArgument { .. },
        message
    );
}

#[test]
fn clamp_nan_bound() {
    assert_error!(
        zeros(&[2]).clamp(f32::NAN, 1.0),
        Error::InvalidArgument { .. },
        "clamp: needs min <= max, got min NaN, max 1"
    );
}

// ---------------------------------------------------------------------------------------------
// Reductions.

#[test]
fn sum_repeated_axis() {
    let message = "sum: axis 1 repeated (shape [2, 3])";
    assert_error!(
        zeros(&[2, 3]).sum(&[1, 1], false),
        Error::InvalidShape { .. },
        message
    );
    assert_error!(
        parameter(&[2, 3]).sum(&[1, 1], false),
        Error::InvalidShape { .. },
        message
    );
}

#[test]
fn sum_axis_out_of_range() {
    let message = "sum: axis 2 out of range for 2 axes (shape [2, 3])";
    assert_error!(
        zeros(&[2, 3]).sum(&[0, 2], true),
        Error::InvalidShape { .. },
        message
    );
    assert_error!(
        parameter(&[2, 3]).sum(&[2], true),
        Error::InvalidShape { .. },
        message
    );
}

/// `mean` validates through `sum`; the message must still name the op the user called.
#[test]
fn mean_axis_out_of_range() {
    let message = "mean: axis 2 out of range for 2 axes (shape [2, 3])";
    assert_error!(
        zeros(&[2, 3]).mean(&[2], false),
        Error::InvalidShape { .. },
        message
    );
    assert_error!(
        parameter(&[2, 3]).mean(&[2], false),
        Error::InvalidShape { .. },
        message
    );
}

#[test]
fn max_repeated_axis() {
    assert_error!(
        zeros(&[2, 3]).max(&[0, 0], false),
        Error::InvalidShape { .. },
        "max: axis 0 repeated (shape [2, 3])"
    );
}

#[test]
fn max_over_empty_axis() {
    let message = "max: axis 1 is empty (shape [2, 0])";
    assert_error!(
        zeros(&[2, 0]).max(&[1], false),
        Error::InvalidShape { .. },
        message
    );
    assert_error!(
        parameter(&[2, 0]).max(&[1], false),
        Error::InvalidShape { .. },
        message
    );
}

#[test]
fn argmax_axis_out_of_range() {
    assert_error!(
        zeros(&[2, 3]).argmax(2, false),
        Error::InvalidShape { .. },
        "argmax: axis 2 out of range for 2 axes (shape [2, 3])"
    );
}

#[test]
fn argmax_over_empty_axis() {
    assert_error!(
        zeros(&[2, 0]).argmax(1, true),
        Error::InvalidShape { .. },
        "argmax: axis 1 is empty (shape [2, 0])"
    );
}

// ---------------------------------------------------------------------------------------------
// Matrix products and convolution columns.

#[test]
fn matmul_rank_below_two() {
    let message = "matmul: operands need at least 2 axes: [3] x [3, 4]";
    assert_error!(
        zeros(&[3]).matmul(&zeros(&[3, 4])),
        Error::ShapeMismatch { .. },
        message
    );
    assert_error!(
        parameter(&[3]).matmul(&constant(&[3, 4])),
        Error::ShapeMismatch { .. },
        message
    );
}

#[test]
fn matmul_inner_mismatch() {
    let message = "matmul: inner dimensions differ: [2, 3] x [4, 5]";
    assert_error!(
        zeros(&[2, 3]).matmul(&zeros(&[4, 5])),
        Error::ShapeMismatch { .. },
        message
    );
    assert_error!(
        parameter(&[2, 3]).matmul(&parameter(&[4, 5])),
        Error::ShapeMismatch { .. },
        message
    );
}

#[test]
fn matmul_batch_mismatch() {
    assert_error!(
        zeros(&[2, 3, 4]).matmul(&zeros(&[3, 4, 5])),
        Error::ShapeMismatch { .. },
        "matmul: batch dimensions do not broadcast: [2, 3, 4] x [3, 4, 5]"
    );
}

#[test]
fn im2col_not_four_axes() {
    assert_error!(
        zeros(&[1, 5, 5]).im2col(&ConvGeometry::new([3, 3])),
        Error::InvalidShape { .. },
        "im2col: expected 4 axes [N, C, H, W] (shape [1, 5, 5])"
    );
}

#[test]
fn im2col_kernel_larger_than_padded_input() {
    assert_error!(
        zeros(&[1, 1, 3, 3]).im2col(&ConvGeometry::new([5, 5])),
        Error::InvalidArgument { .. },
        "im2col: kernel [5, 5] (dilation [1, 1]) is larger than the padded input [3, 3] (padding [0, 0])"
    );
    // Dilation widens the kernel: 3 taps 2 apart span 5 > 4. Padding 1 would make it fit.
    let g = ConvGeometry::new([3, 3]).with_dilation([2, 2]);
    assert_error!(
        parameter(&[1, 1, 4, 4]).im2col(&g),
        Error::InvalidArgument { .. },
        "im2col: kernel [3, 3] (dilation [2, 2]) is larger than the padded input [4, 4] (padding [0, 0])"
    );
    assert!(zeros(&[1, 1, 4, 4]).im2col(&g.with_padding([1, 1])).is_ok());
}

#[test]
fn im2col_zero_stride() {
    assert_error!(
        zeros(&[1, 1, 5, 5]).im2col(&ConvGeometry::new([3, 3]).with_stride([0, 1])),
        Error::InvalidArgument { .. },
        "im2col: kernel [3, 3], stride [0, 1] and dilation [1, 1] must be positive"
    );
}

#[test]
fn col2im_wrong_shape() {
    // A 3x3 kernel on a 5x5 image: 9 rows per channel and 3·3 = 9 output positions.
    let message = "col2im: expected [N, 9, 9] for image [1, 5, 5] (shape [1, 9, 8])";
    let g = ConvGeometry::new([3, 3]);
    assert_error!(
        zeros(&[1, 9, 8]).col2im(&g, [1, 5, 5]),
        Error::InvalidShape { .. },
        message
    );
    assert_error!(
        parameter(&[1, 9, 8]).col2im(&g, [1, 5, 5]),
        Error::InvalidShape { .. },
        message
    );
}

#[test]
fn col2im_geometry() {
    assert_error!(
        zeros(&[1, 9, 9]).col2im(&ConvGeometry::new([3, 3]).with_dilation([0, 1]), [1, 5, 5]),
        Error::InvalidArgument { .. },
        "col2im: kernel [3, 3], stride [1, 1] and dilation [0, 1] must be positive"
    );
}

#[test]
fn output_size_names_the_caller() {
    assert_error!(
        ConvGeometry::new([0, 3]).output_size("max_pool2d", [8, 8]),
        Error::InvalidArgument { .. },
        "max_pool2d: kernel [0, 3], stride [1, 1] and dilation [1, 1] must be positive"
    );
}

// ---------------------------------------------------------------------------------------------
// Variables and the backward walk.

#[test]
fn backward_on_non_scalar() {
    assert_error!(
        parameter(&[2]).exp().backward(),
        Error::InvalidShape { .. },
        "backward: needs a scalar (one-element) loss; reduce it first, e.g. with mean_all() (shape [2])"
    );
}

#[test]
fn backward_with_wrong_shape() {
    assert_error!(
        parameter(&[2]).exp().backward_with(zeros(&[3])),
        Error::ShapeMismatch { .. },
        "backward: the output gradient has another shape than the output: [2] x [3]"
    );
}

#[test]
fn set_value_shape_change() {
    assert_error!(
        parameter(&[2]).set_value(zeros(&[3])),
        Error::ShapeMismatch { .. },
        "set_value: the new value has another shape: [2] x [3]"
    );
}

#[test]
fn set_value_on_non_leaf() {
    assert_error!(
        parameter(&[2]).exp().set_value(zeros(&[2])),
        Error::InvalidArgument { .. },
        "set_value: only leaves can be assigned"
    );
}

#[test]
fn set_requires_grad_on_non_leaf() {
    assert_error!(
        parameter(&[2]).exp().set_requires_grad(false),
        Error::InvalidArgument { .. },
        "set_requires_grad: only leaves can be frozen or unfrozen"
    );
}

/// An [`Op`] that returns the gradients it is told to, to exercise the checks of the walk.
struct Faulty(Vec<Option<Tensor>>);

impl Op for Faulty {
    fn name(&self) -> &str {
        "faulty"
    }
    fn backward(&self, _: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(self.0.clone())
    }
}

#[test]
fn op_gradient_of_wrong_shape() {
    let x = parameter(&[2]);
    let y = Var::from_op(zeros(&[2]), &[&x], Faulty(vec![Some(zeros(&[3]))]));
    assert_error!(
        y.sum_all().backward(),
        Error::ShapeMismatch { .. },
        "faulty backward: gradient shape differs from the input shape: [2] x [3]"
    );
}

#[test]
fn op_wrong_number_of_gradients() {
    let x = parameter(&[2]);
    let y = Var::from_op(zeros(&[2]), &[&x], Faulty(vec![None, None]));
    assert_error!(
        y.sum_all().backward(),
        Error::InvalidArgument { .. },
        "faulty: backward returned 2 gradients for 1 inputs"
    );
}

/// gradcheck refuses a function whose output shape depends on where it is evaluated: here the
/// output is [1, 2] at x₀ = 0 and [2] once the finite difference moves x₀ above 0.
#[test]
fn gradcheck_output_shape_changed() {
    let input = Tensor::from_vec(vec![0.0, 1.0], &[2]).unwrap();
    let f = |v: &[Var]| {
        if v[0].value().to_vec()[0] > 0.0 {
            Ok(v[0].clone())
        } else {
            v[0].reshape(&[1, 2])
        }
    };
    assert_error!(
        gradcheck(f, &[input], GradcheckOptions::default()),
        Error::ShapeMismatch { .. },
        "gradcheck: output shape changed: [1, 2] x [2]"
    );
}

/// The shape operations of `Var` validate exactly as those of `Tensor`.
#[test]
fn var_shape_ops_report_tensor_errors() {
    let x = parameter(&[2, 3]);
    assert_error!(
        x.reshape(&[4]),
        Error::ShapeMismatch { .. },
        "reshape: element counts differ: [2, 3] x [4]"
    );
    assert_error!(
        x.permute(&[0]),
        Error::InvalidArgument { .. },
        "permute: [0] is not a permutation of the axes of shape [2, 3]"
    );
    assert_error!(
        x.transpose(2, 0),
        Error::InvalidShape { .. },
        "transpose: axis 2 out of range for 2 axes (shape [2, 3])"
    );
    assert_error!(
        x.unsqueeze(3),
        Error::InvalidShape { .. },
        "unsqueeze: axis 3 out of range (shape [2, 3])"
    );
    assert_error!(
        x.broadcast_to(&[3]),
        Error::ShapeMismatch { .. },
        "broadcast_to: shape cannot be broadcast to the target: [2, 3] x [3]"
    );
    assert_error!(
        Var::concat(&[], 0),
        Error::InvalidArgument { .. },
        "concat: needs at least one tensor"
    );
    assert_error!(
        Var::concat(&[&x, &parameter(&[2, 4])], 0),
        Error::ShapeMismatch { .. },
        "concat: shapes differ off axis 0: [2, 3] x [2, 4]"
    );
    assert_error!(
        x.narrow(0, 1, 2),
        Error::InvalidShape { .. },
        "narrow: range 1..1+2 out of bounds on axis 0 (shape [2, 3])"
    );
    assert_error!(
        x.index_select(1, &[3]),
        Error::InvalidShape { .. },
        "index_select: index 3 out of range on axis 1 (shape [2, 3])"
    );
}

// ---------------------------------------------------------------------------------------------
// Softmax and losses.

#[test]
fn log_softmax_axis() {
    assert_error!(
        parameter(&[2, 3]).log_softmax(2),
        Error::InvalidShape { .. },
        "log_softmax: axis 2 out of range (shape [2, 3])"
    );
}

/// softmax is computed through log-softmax; its error must still name softmax.
#[test]
fn softmax_axis() {
    assert_error!(
        parameter(&[2, 3]).softmax(2),
        Error::InvalidShape { .. },
        "softmax: axis 2 out of range (shape [2, 3])"
    );
}

#[test]
fn cross_entropy_target_out_of_range() {
    assert_error!(
        cross_entropy(&parameter(&[2, 3]), &[0, 5]),
        Error::InvalidArgument { .. },
        "cross_entropy: target 5 of sample 1 out of range for 3 classes"
    );
}

#[test]
fn cross_entropy_target_count() {
    assert_error!(
        cross_entropy(&parameter(&[2, 3]), &[0, 1, 2]),
        Error::ShapeMismatch { .. },
        "cross_entropy: one target per sample needed (logits x targets): [2, 3] x [3]"
    );
    // The per-pixel form reports the logits' own shape, not the flattened [N·H·W, C].
    assert_error!(
        cross_entropy(&parameter(&[2, 3, 2, 2]), &[0; 7]),
        Error::ShapeMismatch { .. },
        "cross_entropy: one target per sample needed (logits x targets): [2, 3, 2, 2] x [7]"
    );
}

#[test]
fn cross_entropy_weight_length() {
    let opts = CrossEntropyOptions::default().with_weight(Tensor::ones(&[4]));
    assert_error!(
        cross_entropy_with(&parameter(&[2, 3]), &[0, 1], &opts),
        Error::ShapeMismatch { .. },
        "cross_entropy: weight needs one value per class (logits x weight): [2, 3] x [4]"
    );
}

#[test]
fn cross_entropy_one_axis_logits() {
    assert_error!(
        cross_entropy(&parameter(&[3]), &[0]),
        Error::InvalidShape { .. },
        "cross_entropy: logits need shape [N, C, ...] (shape [3])"
    );
}

#[test]
fn mse_loss_shapes() {
    assert_error!(
        mse_loss(&parameter(&[2]), &constant(&[3])),
        Error::ShapeMismatch { .. },
        "mse_loss: prediction and target shapes differ: [2] x [3]"
    );
}

#[test]
fn in_context_prefixes_the_op() {
    assert_error!(
        zeros(&[2, 3])
            .matmul(&zeros(&[4, 5]))
            .map_err(|e| e.in_context("features.fc1")),
        Error::ShapeMismatch { .. },
        "features.fc1: matmul: inner dimensions differ: [2, 3] x [4, 5]"
    );
}

// ---------------------------------------------------------------------------------------------
// Operators panic with the message of the method they stand for.

#[test]
#[should_panic(expected = "add: shapes cannot be broadcast: [2, 3] x [4]")]
fn tensor_add_operator_panics() {
    let _ = &zeros(&[2, 3]) + &zeros(&[4]);
}

#[test]
#[should_panic(expected = "sub: shapes cannot be broadcast: [2, 3] x [4]")]
fn tensor_sub_operator_panics() {
    let _ = zeros(&[2, 3]) - zeros(&[4]);
}

#[test]
#[should_panic(expected = "mul: shapes cannot be broadcast: [2, 3] x [4]")]
fn tensor_mul_operator_panics() {
    let _ = &zeros(&[2, 3]) * &zeros(&[4]);
}

#[test]
#[should_panic(expected = "div: shapes cannot be broadcast: [2, 3] x [4]")]
fn tensor_div_operator_panics() {
    let _ = &zeros(&[2, 3]) / &zeros(&[4]);
}

#[test]
#[should_panic(expected = "add: shapes cannot be broadcast: [2, 3] x [4]")]
fn var_add_operator_panics() {
    let _ = &parameter(&[2, 3]) + &constant(&[4]);
}

#[test]
#[should_panic(expected = "sub: shapes cannot be broadcast: [2, 3] x [4]")]
fn var_sub_operator_panics() {
    let _ = parameter(&[2, 3]) - constant(&[4]);
}

#[test]
#[should_panic(expected = "mul: shapes cannot be broadcast: [2, 3] x [4]")]
fn var_mul_operator_panics() {
    let _ = &parameter(&[2, 3]) * &constant(&[4]);
}

#[test]
#[should_panic(expected = "div: shapes cannot be broadcast: [2, 3] x [4]")]
fn var_div_operator_panics() {
    let _ = &parameter(&[2, 3]) / &constant(&[4]);
}
