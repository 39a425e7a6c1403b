//! Forward semantics of the tensor operations, against values computed by hand (the arithmetic
//! is in the comments) or by a naive loop that is obviously right; plus the gradient-mode rules
//! (no_grad, frozen parameters).

use fovea::autograd::{CrossEntropyOptions, Var, cross_entropy_with, is_grad_enabled, no_grad};
use fovea::tensor::{ConvGeometry, Tensor, seeded_rng};

fn tensor(values: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_vec(values.to_vec(), shape).unwrap()
}

fn random(shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_normal(shape, 0.0, 1.0, &mut seeded_rng(seed)).unwrap()
}

/// Σ pᵢqᵢ in f64.
fn dot(p: &Tensor, q: &Tensor) -> f64 {
    assert_eq!(p.shape(), q.shape());
    p.to_vec()
        .iter()
        .zip(q.to_vec())
        .map(|(&a, b)| a as f64 * b as f64)
        .sum()
}

// ---------------------------------------------------------------------------------------------
// Construction and shape operations.

#[test]
fn arange() {
    // ceil((1 − 0) / 0.25) = 4 values; the end is excluded.
    assert_eq!(
        Tensor::arange(0.0, 1.0, 0.25).unwrap().to_vec(),
        vec![0.0, 0.25, 0.5, 0.75]
    );
    // A negative step counts down: ceil((0 − 1) / −0.25) = 4.
    assert_eq!(
        Tensor::arange(1.0, 0.0, -0.25).unwrap().to_vec(),
        vec![1.0, 0.75, 0.5, 0.25]
    );
    // 3 .. 8 by 2: 3, 5, 7 (ceil(5 / 2) = 3 values).
    assert_eq!(
        Tensor::arange(3.0, 8.0, 2.0).unwrap().to_vec(),
        vec![3.0, 5.0, 7.0]
    );
    // An end behind the start gives an empty tensor, as numpy.arange (torch.arange raises).
    assert_eq!(Tensor::arange(1.0, 0.0, 1.0).unwrap().shape(), &[0]);
}

#[test]
fn broadcasting_add() {
    // [2, 1] + [3] → [2, 3]: row i is a[i] + b.
    let a = tensor(&[10.0, 20.0], &[2, 1]);
    let b = tensor(&[1.0, 2.0, 3.0], &[3]);
    let c = a.add(&b).unwrap();
    assert_eq!(c.shape(), &[2, 3]);
    assert_eq!(c.to_vec(), vec![11.0, 12.0, 13.0, 21.0, 22.0, 23.0]);
    // A 0-d scalar broadcasts to anything: [1, 2, 3] − 1.
    assert_eq!(
        b.sub(&Tensor::scalar(1.0)).unwrap().to_vec(),
        vec![0.0, 1.0, 2.0]
    );
}

#[test]
fn concat() {
    let a = tensor(&[1.0, 2.0, 3.0, 4.0], &[2, 2]); // [[1, 2], [3, 4]]
    let b = tensor(&[5.0, 6.0], &[1, 2]); // [[5, 6]]
    let c = tensor(&[7.0, 8.0], &[2, 1]); // [[7], [8]]
    // Along axis 0 the rows are stacked: [[1, 2], [3, 4], [5, 6]].
    let rows = Tensor::concat(&[&a, &b], 0).unwrap();
    assert_eq!(rows.shape(), &[3, 2]);
    assert_eq!(rows.to_vec(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    // Along axis 1 each row is extended: [[1, 2, 7], [3, 4, 8]].
    let cols = Tensor::concat(&[&a, &c], 1).unwrap();
    assert_eq!(cols.to_vec(), vec![1.0, 2.0, 7.0, 3.0, 4.0, 8.0]);
}

#[test]
fn narrow() {
    // arange(12) as [3, 4]; columns 1..3 are [[1, 2], [5, 6], [9, 10]].
    let x = Tensor::arange(0.0, 12.0, 1.0)
        .unwrap()
        .reshape(&[3, 4])
        .unwrap();
    let n = x.narrow(1, 1, 2).unwrap();
    assert_eq!(n.shape(), &[3, 2]);
    assert_eq!(n.to_vec(), vec![1.0, 2.0, 5.0, 6.0, 9.0, 10.0]);
    // A narrowed view composes with further ops: its row sums are 3, 11, 19.
    assert_eq!(n.sum(&[1], false).unwrap().to_vec(), vec![3.0, 11.0, 19.0]);
}

#[test]
fn index_select() {
    // arange(6) as [2, 3] = [[0, 1, 2], [3, 4, 5]]; columns [2, 0, 2].
    let x = Tensor::arange(0.0, 6.0, 1.0)
        .unwrap()
        .reshape(&[2, 3])
        .unwrap();
    let s = x.index_select(1, &[2, 0, 2]).unwrap();
    assert_eq!(s.to_vec(), vec![2.0, 0.0, 2.0, 5.0, 3.0, 5.0]);
    // Rows [1, 1]: the second row twice.
    assert_eq!(
        x.index_select(0, &[1, 1]).unwrap().to_vec(),
        vec![3.0, 4.0, 5.0, 3.0, 4.0, 5.0]
    );
}

#[test]
fn permute_and_contiguous() {
    // x[i][j][k] = 12i + 4j + k; permute [2, 0, 1] puts k first: y[k][i][j] = x[i][j][k].
    let x = Tensor::arange(0.0, 24.0, 1.0)
        .unwrap()
        .reshape(&[2, 3, 4])
        .unwrap();
    let y = x.permute(&[2, 0, 1]).unwrap();
    assert_eq!(y.shape(), &[4, 2, 3]);
    let c = y.contiguous();
    assert!(c.array().is_standard_layout());
    let values = c.to_vec();
    for k in 0..4 {
        for i in 0..2 {
            for j in 0..3 {
                assert_eq!(values[(k * 2 + i) * 3 + j], (12 * i + 4 * j + k) as f32);
            }
        }
    }
    // to_vec of the view reads in logical order too, and reshape copies in that order.
    assert_eq!(y.to_vec(), values);
    assert_eq!(y.reshape(&[24]).unwrap().to_vec(), values);
    // The first values: y[0][0][:] = x[0][:][0] = 0, 4, 8; y[0][1][:] = x[1][:][0] = 12, 16, 20.
    assert_eq!(values[..6], [0.0, 4.0, 8.0, 12.0, 16.0, 20.0]);
}

// ---------------------------------------------------------------------------------------------
// Reductions.

#[test]
fn sum_mean_max_keepdim() {
    // x = [[1, 5, 3], [4, 2, 6]].
    let x = tensor(&[1.0, 5.0, 3.0, 4.0, 2.0, 6.0], &[2, 3]);
    // Over axis 0: [1+4, 5+2, 3+6] = [5, 7, 9]; means [2.5, 3.5, 4.5]; maxima [4, 5, 6].
    let s = x.sum(&[0], true).unwrap();
    assert_eq!(s.shape(), &[1, 3]);
    assert_eq!(s.to_vec(), vec![5.0, 7.0, 9.0]);
    assert_eq!(x.mean(&[0], false).unwrap().to_vec(), vec![2.5, 3.5, 4.5]);
    assert_eq!(x.max(&[0], false).unwrap().to_vec(), vec![4.0, 5.0, 6.0]);
    // Over axis 1 with keepdim: sums [[9], [12]], means [[3], [4]], maxima [[5], [6]].
    let m = x.max(&[1], true).unwrap();
    assert_eq!(m.shape(), &[2, 1]);
    assert_eq!(m.to_vec(), vec![5.0, 6.0]);
    assert_eq!(x.sum(&[1], true).unwrap().to_vec(), vec![9.0, 12.0]);
    assert_eq!(x.mean(&[1], true).unwrap().to_vec(), vec![3.0, 4.0]);
    // Over both axes: 21, mean 3.5, max 6; keepdim gives [1, 1], otherwise 0-d.
    assert_eq!(x.sum(&[0, 1], true).unwrap().shape(), &[1, 1]);
    assert_eq!(x.sum(&[1, 0], false).unwrap().shape(), &[] as &[usize]);
    assert_eq!(x.sum(&[0, 1], false).unwrap().item(), Some(21.0));
    assert_eq!(x.mean(&[0, 1], false).unwrap().item(), Some(3.5));
    assert_eq!(x.max(&[0, 1], false).unwrap().item(), Some(6.0));
    assert_eq!((x.sum_all(), x.mean_all(), x.max_all()), (21.0, 3.5, 6.0));
    // The keepdim result subtracts back by broadcasting: x − max over rows ≤ 0, 0 at the max.
    assert_eq!(
        x.sub(&m).unwrap().to_vec(),
        vec![-4.0, 0.0, -2.0, -2.0, -4.0, 0.0]
    );
}

#[test]
fn argmax_tie_takes_the_first() {
    // Rows [1, 4, 4] and [7, 2, 7]: ties go to the first index, as torch.argmax.
    let x = tensor(&[1.0, 4.0, 4.0, 7.0, 2.0, 7.0], &[2, 3]);
    assert_eq!(
        x.argmax(1, false).unwrap().into_raw_vec_and_offset().0,
        vec![1, 0]
    );
    // Down the columns: [1, 7] → 1, [4, 2] → 0, [4, 7] → 1; keepdim gives [1, 3].
    let a = x.argmax(0, true).unwrap();
    assert_eq!(a.shape(), &[1, 3]);
    assert_eq!(a.into_raw_vec_and_offset().0, vec![1, 0, 1]);
    // All equal: index 0.
    assert_eq!(
        Tensor::ones(&[5])
            .argmax(0, false)
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        vec![0]
    );
}

// ---------------------------------------------------------------------------------------------
// Matrix products.

#[test]
fn matmul_2d_by_hand() {
    // [[1, 2, 3], [4, 5, 6]] · [[7, 8], [9, 10], [11, 12]]:
    // 1·7 + 2·9 + 3·11 = 58, 1·8 + 2·10 + 3·12 = 64, 4·7 + 5·9 + 6·11 = 139, 4·8 + 5·10 + 6·12 = 154.
    let a = tensor(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let b = tensor(&[7.0, 8.0, 9.0, 10.0, 11.0, 12.0], &[3, 2]);
    let c = a.matmul(&b).unwrap();
    assert_eq!(c.shape(), &[2, 2]);
    assert_eq!(c.to_vec(), vec![58.0, 64.0, 139.0, 154.0]);
    // A transposed (strided) view gives the same product: (bᵀ)ᵀ = b.
    let bt = tensor(&[7.0, 9.0, 11.0, 8.0, 10.0, 12.0], &[2, 3])
        .transpose(0, 1)
        .unwrap();
    assert_eq!(
        a.matmul(&bt).unwrap().to_vec(),
        vec![58.0, 64.0, 139.0, 154.0]
    );
}

/// A product large enough (m·n·k ≥ 2²¹) for gemm to split it across threads must equal a naive
/// triple loop in f64.
#[test]
fn matmul_large_matches_naive_loop() {
    let (m, k, n) = (130, 128, 129);
    let (a, b) = (random(&[m, k], 1), random(&[k, n], 2));
    let (av, bv) = (a.to_vec(), b.to_vec());
    let c = a.matmul(&b).unwrap().to_vec();
    for i in 0..m {
        for j in 0..n {
            let naive: f64 = (0..k)
                .map(|p| av[i * k + p] as f64 * bv[p * n + j] as f64)
                .sum();
            assert!(
                (c[i * n + j] as f64 - naive).abs() < 1e-4 * (1.0 + naive.abs()),
                "({i}, {j})"
            );
        }
    }
}

/// [3, 1, 4, 5] x [2, 5, 6] → [3, 2, 4, 6]: block (i, j) is a[i, 0] · b[j].
#[test]
fn matmul_batched_equals_loop_of_2d_products() {
    let (a, b) = (random(&[3, 1, 4, 5], 3), random(&[2, 5, 6], 4));
    let c = a.matmul(&b).unwrap();
    assert_eq!(c.shape(), &[3, 2, 4, 6]);
    for i in 0..3 {
        for j in 0..2 {
            let ai = a.narrow(0, i, 1).unwrap().reshape(&[4, 5]).unwrap();
            let bj = b.narrow(0, j, 1).unwrap().reshape(&[5, 6]).unwrap();
            let block = c
                .narrow(0, i, 1)
                .unwrap()
                .narrow(1, j, 1)
                .unwrap()
                .reshape(&[4, 6])
                .unwrap();
            assert!(
                block.all_close(&ai.matmul(&bj).unwrap(), 1e-6, 1e-6),
                "block ({i}, {j})"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// im2col and col2im.

/// The direct definition of a convolution (cross-correlation, as PyTorch) of x [N, C, H, W] with
/// w [O, C, kh, kw]: y[n, o, oy, ox] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, oy·s + i·d − p, ...],
/// taps that fall in the padding counting as 0.
fn naive_conv(x: &Tensor, w: &Tensor, g: &ConvGeometry) -> Tensor {
    let (xs, ws) = (x.shape().to_vec(), w.shape().to_vec());
    let (n, c, h, wd, o) = (xs[0], xs[1], xs[2], xs[3], ws[0]);
    let [kh, kw] = g.kernel;
    let [oh, ow] = g.output_size("naive", [h, wd]).unwrap();
    let (xv, wv) = (x.to_vec(), w.to_vec());
    let mut out = vec![0.0f32; n * o * oh * ow];
    for b in 0..n {
        for oc in 0..o {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut acc = 0.0f64;
                    for ic in 0..c {
                        for i in 0..kh {
                            for j in 0..kw {
                                let iy = (oy * g.stride[0] + i * g.dilation[0]) as isize
                                    - g.padding[0] as isize;
                                let ix = (ox * g.stride[1] + j * g.dilation[1]) as isize
                                    - g.padding[1] as isize;
                                if iy < 0 || ix < 0 || iy >= h as isize || ix >= wd as isize {
                                    continue; // padding
                                }
                                let xi = ((b * c + ic) * h + iy as usize) * wd + ix as usize;
                                let wi = ((oc * c + ic) * kh + i) * kw + j;
                                acc += xv[xi] as f64 * wv[wi] as f64;
                            }
                        }
                    }
                    out[((b * o + oc) * oh + oy) * ow + ox] = acc as f32;
                }
            }
        }
    }
    Tensor::from_vec(out, &[n, o, oh, ow]).unwrap()
}

/// The convolution as fovea computes it: w [O, C·kh·kw] times the columns [N, C·kh·kw, oh·ow].
fn conv_by_gemm(x: &Tensor, w: &Tensor, g: &ConvGeometry) -> Tensor {
    let (n, o) = (x.shape()[0], w.shape()[0]);
    let [oh, ow] = g.output_size("gemm", [x.shape()[2], x.shape()[3]]).unwrap();
    let cols = x.im2col(g).unwrap();
    let w2 = w.reshape(&[o, w.len() / o]).unwrap();
    w2.matmul(&cols).unwrap().reshape(&[n, o, oh, ow]).unwrap()
}

fn geometries() -> Vec<(&'static str, ConvGeometry)> {
    let k3 = ConvGeometry::new([3, 3]);
    vec![
        ("plain", k3),
        ("stride 2", k3.with_stride([2, 2])),
        ("padding 1", k3.with_padding([1, 1])),
        ("dilation 2", k3.with_dilation([2, 2])),
        (
            "stride 2 padding 1",
            k3.with_stride([2, 2]).with_padding([1, 1]),
        ),
        (
            "padding 1 dilation 2",
            k3.with_padding([1, 1]).with_dilation([2, 2]),
        ),
        (
            "stride 2 padding 1 dilation 2",
            k3.with_stride([2, 2])
                .with_padding([1, 1])
                .with_dilation([2, 2]),
        ),
        (
            "2x3 kernel, mixed",
            ConvGeometry::new([2, 3])
                .with_stride([1, 2])
                .with_padding([0, 2])
                .with_dilation([2, 1]),
        ),
        (
            "1x1 stride 2",
            ConvGeometry::new([1, 1]).with_stride([2, 2]),
        ),
    ]
}

#[test]
fn im2col_gemm_equals_direct_convolution() {
    // 7x8 images: odd and even sizes, so strides leave remainders.
    let x = random(&[2, 3, 7, 8], 10);
    for (i, (label, g)) in geometries().into_iter().enumerate() {
        let w = random(&[4, 3, g.kernel[0], g.kernel[1]], 20 + i as u64);
        let expected = naive_conv(&x, &w, &g);
        let got = conv_by_gemm(&x, &w, &g);
        assert_eq!(got.shape(), expected.shape(), "{label}");
        assert!(
            got.all_close(&expected, 1e-4, 1e-5),
            "{label}: {got:?}\n{expected:?}"
        );
    }
}

/// A kernel larger than the image with enough padding is valid (PyTorch accepts it): a 5x5
/// kernel with padding 2 on a 1x1 map, and a 1x6 kernel with padding 3 on a width of 1. Some
/// taps then see only padding for every output position.
#[test]
fn im2col_kernel_taps_entirely_in_padding() {
    let cases = [
        (
            vec![1, 2, 1, 1],
            ConvGeometry::new([5, 5]).with_padding([2, 2]),
        ),
        (
            vec![1, 1, 3, 1],
            ConvGeometry::new([1, 6]).with_padding([0, 3]),
        ),
    ];
    for (shape, g) in cases {
        let x = random(&shape, 30);
        let w = random(&[2, shape[1], g.kernel[0], g.kernel[1]], 31);
        let got = conv_by_gemm(&x, &w, &g);
        assert!(got.all_close(&naive_conv(&x, &w, &g), 1e-4, 1e-5), "{g:?}");
        // And col2im, the gradient, must fold such columns back.
        let [oh, ow] = g.output_size("t", [shape[2], shape[3]]).unwrap();
        let cols = random(&[1, shape[1] * g.kernel[0] * g.kernel[1], oh * ow], 32);
        let image = [shape[1], shape[2], shape[3]];
        let adj = (
            dot(&x.im2col(&g).unwrap(), &cols),
            dot(&x, &cols.col2im(&g, image).unwrap()),
        );
        assert!(
            (adj.0 - adj.1).abs() <= 1e-4 * adj.0.abs().max(1.0),
            "{g:?}: {adj:?}"
        );
    }
}

/// col2im is the adjoint (transpose) of im2col: <im2col(x), y> = <x, col2im(y)>.
#[test]
fn col2im_is_the_adjoint_of_im2col() {
    let image = [3, 7, 8];
    for (i, (label, g)) in geometries().into_iter().enumerate() {
        let [oh, ow] = g.output_size("t", [image[1], image[2]]).unwrap();
        let x = random(&[2, image[0], image[1], image[2]], 40 + i as u64);
        let y = random(
            &[2, image[0] * g.kernel[0] * g.kernel[1], oh * ow],
            60 + i as u64,
        );
        let lhs = dot(&x.im2col(&g).unwrap(), &y);
        let rhs = dot(&x, &y.col2im(&g, image).unwrap());
        assert!(
            (lhs - rhs).abs() <= 1e-4 * lhs.abs().max(1.0),
            "{label}: {lhs} vs {rhs}"
        );
    }
}

#[test]
fn im2col_layout_by_hand() {
    // x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], 2x2 kernel, stride 1: 4 windows (2x2 output).
    // Row (i, j) holds tap (i, j) of each window, windows in row-major order:
    // tap (0,0): 1 2 4 5; (0,1): 2 3 5 6; (1,0): 4 5 7 8; (1,1): 5 6 8 9.
    let x = Tensor::arange(1.0, 10.0, 1.0)
        .unwrap()
        .reshape(&[1, 1, 3, 3])
        .unwrap();
    let cols = x.im2col(&ConvGeometry::new([2, 2])).unwrap();
    assert_eq!(cols.shape(), &[1, 4, 4]);
    #[rustfmt::skip]
    let expected = vec![
        1.0, 2.0, 4.0, 5.0,
        2.0, 3.0, 5.0, 6.0,
        4.0, 5.0, 7.0, 8.0,
        5.0, 6.0, 8.0, 9.0,
    ];
    assert_eq!(cols.to_vec(), expected);
    // Folding ones back counts the windows covering each pixel: corners 1, edges 2, centre 4.
    let counts = Tensor::ones(&[1, 4, 4])
        .col2im(&ConvGeometry::new([2, 2]), [1, 3, 3])
        .unwrap();
    assert_eq!(
        counts.to_vec(),
        vec![1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]
    );
}

// ---------------------------------------------------------------------------------------------
// Seeded initialisation.

#[test]
fn seeded_init_is_reproducible() {
    let uniform = |seed| Tensor::rand_uniform(&[64], -1.0, 1.0, &mut seeded_rng(seed)).unwrap();
    let normal = |seed| Tensor::rand_normal(&[64], 0.0, 1.0, &mut seeded_rng(seed)).unwrap();
    let kaiming = |seed| Tensor::kaiming_uniform(&[8, 4], 0.0, &mut seeded_rng(seed)).unwrap();
    let xavier = |seed| Tensor::xavier_uniform(&[8, 4], 1.0, &mut seeded_rng(seed)).unwrap();
    assert_eq!(uniform(7).to_vec(), uniform(7).to_vec());
    assert_eq!(normal(7).to_vec(), normal(7).to_vec());
    assert_eq!(kaiming(7).to_vec(), kaiming(7).to_vec());
    assert_eq!(xavier(7).to_vec(), xavier(7).to_vec());
    // Another seed, other numbers.
    assert_ne!(uniform(7).to_vec(), uniform(8).to_vec());
    assert_ne!(normal(7).to_vec(), normal(8).to_vec());
    // One generator drawn twice continues its stream instead of repeating it.
    let mut rng = seeded_rng(7);
    let first = Tensor::rand_uniform(&[8], 0.0, 1.0, &mut rng).unwrap();
    let second = Tensor::rand_uniform(&[8], 0.0, 1.0, &mut rng).unwrap();
    assert_ne!(first.to_vec(), second.to_vec());
}

#[test]
fn kaiming_and_xavier_bounds() {
    // Conv weight [16, 3, 5, 5]: fan_in = 3·25 = 75, fan_out = 16·25 = 400.
    // PyTorch's default a = √5: b = √(6 / ((1 + 5)·75)) = 1/√75 ≈ 0.1155.
    let w = Tensor::kaiming_uniform(&[16, 3, 5, 5], 5f32.sqrt(), &mut seeded_rng(3)).unwrap();
    let bound = 1.0 / 75f32.sqrt();
    let max = w.to_vec().iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(max <= bound, "{max} > {bound}");
    // 1200 samples fill the interval: the largest is close to the bound.
    assert!(max > 0.95 * bound, "{max} is far below {bound}");
    // a = 0 (ReLU): b = √(6 / 75) ≈ 0.283.
    let w = Tensor::kaiming_uniform(&[16, 3, 5, 5], 0.0, &mut seeded_rng(3)).unwrap();
    let bound = (6.0f32 / 75.0).sqrt();
    assert!(w.to_vec().iter().all(|x| x.abs() <= bound));
    // Xavier with gain 2: b = 2·√(6 / (75 + 400)) ≈ 0.2248.
    let w = Tensor::xavier_uniform(&[16, 3, 5, 5], 2.0, &mut seeded_rng(3)).unwrap();
    let bound = 2.0 * (6.0f32 / 475.0).sqrt();
    assert!(w.to_vec().iter().all(|x| x.abs() <= bound));
    // The mean of U(−b, b) is 0: within a few standard errors (b/√3/√1200 ≈ 0.004).
    assert!(w.mean_all().abs() < 0.02);
}

// ---------------------------------------------------------------------------------------------
// Gradient mode.

#[test]
fn no_grad_records_nothing() {
    let w = Var::parameter(Tensor::ones(&[2, 2]));
    let y = no_grad(|| {
        assert!(!is_grad_enabled());
        w.matmul(&w).unwrap().exp().sum_all()
    });
    assert!(!y.requires_grad());
    assert!(y.is_leaf() && y.op_name().is_none());
    // The mode is restored afterwards, and the same ops record again.
    assert!(is_grad_enabled());
    let y = w.matmul(&w).unwrap().exp().sum_all();
    assert!(y.requires_grad());
    assert_eq!(y.op_name(), Some("sum_all"));
    // no_grad nests and restores the outer (disabled) state.
    no_grad(|| {
        no_grad(|| ());
        assert!(!is_grad_enabled());
    });
}

#[test]
fn frozen_parameter_gets_no_gradient() {
    // y = Σ w·x; ∂/∂x = w = 2, and w, frozen, gets nothing.
    let w = Var::parameter(Tensor::full(&[3], 2.0));
    let x = Var::parameter(Tensor::full(&[3], 5.0));
    w.set_requires_grad(false).unwrap();
    let g = w.mul(&x).unwrap().sum_all().backward().unwrap();
    assert!(g.get(&w).is_none());
    assert_eq!(g.get(&x).unwrap().to_vec(), vec![2.0; 3]);
    // A graph of frozen parameters and constants only is not recorded at all.
    let c = Var::constant(Tensor::ones(&[3]));
    assert!(!w.mul(&c).unwrap().requires_grad());
    // Unfrozen, it gets ∂/∂w = x = 5 again.
    w.set_requires_grad(true).unwrap();
    let g = w.mul(&x).unwrap().sum_all().backward().unwrap();
    assert_eq!(g.get(&w).unwrap().to_vec(), vec![5.0; 3]);
}

/// The per-pixel cross-entropy on [N, C, H, W] equals the plain one on the logits moved to
/// [N·H·W, C] (pixel rows in (n, h, w) order), with the same targets.
#[test]
fn cross_entropy_per_pixel_equals_flattened() {
    let logits = random(&[2, 3, 2, 2], 70);
    let targets = [0, 2, 1, 1, 2, 0, 255, 1];
    let opts = CrossEntropyOptions::default()
        .with_ignore_index(255)
        .with_weight(tensor(&[0.5, 1.0, 2.0], &[3]));
    let per_pixel = cross_entropy_with(&Var::constant(logits.clone()), &targets, &opts).unwrap();
    let flat = logits
        .permute(&[0, 2, 3, 1])
        .unwrap()
        .reshape(&[8, 3])
        .unwrap();
    let plain = cross_entropy_with(&Var::constant(flat.clone()), &targets, &opts).unwrap();
    assert_eq!(per_pixel.value().to_vec(), plain.value().to_vec());
    // And by hand from log-softmax: −Σ w[y]·lp[y] / Σ w[y] over the 7 non-ignored pixels.
    let lp = Var::constant(flat).log_softmax(1).unwrap().value().to_vec();
    let w = [0.5f32, 1.0, 2.0];
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for (i, &t) in targets.iter().enumerate().filter(|&(_, &t)| t != 255) {
        num -= (w[t] * lp[i * 3 + t]) as f64;
        den += w[t] as f64;
    }
    let expected = (num / den) as f32;
    let got = per_pixel.value().item().unwrap();
    assert!(
        (got - expected).abs() < 1e-5 * expected.abs().max(1.0),
        "{got} vs {expected}"
    );
}
