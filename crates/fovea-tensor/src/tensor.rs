//! The [`Tensor`] type: an n-d array of `f32`, cheap to clone, and its constructors.

use std::fmt;

use ndarray::{ArcArray, Array2, ArrayD, ArrayViewD, Ix2, Ix3, Ix4, IxDyn, Zip, s};

use rayon::prelude::*;

use crate::{Error, Result};

/// Elementwise operations on at least this many values run on every thread of the pool: below
/// it (128 KiB of f32) waking the other threads costs more than the work.
pub(crate) const PARALLEL_MIN_ELEMENTS: usize = 1 << 15;

/// An n-dimensional array of `f32` (NCHW for images), row-major, cheap to clone.
///
/// The data sits behind an `Arc` (ndarray's `ArcArray`): cloning a tensor copies a pointer and a
/// shape, never the numbers, so tensors can be saved for a backward pass freely. Every operation
/// returns a new tensor; nothing mutates data another tensor can see.
///
/// PyTorch equivalent: `torch.Tensor` with `dtype=torch.float32`, without autograd (that lives in
/// `fovea-autograd`).
///
/// # Example
/// ```
/// use fovea_tensor::Tensor;
/// let t = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
/// assert_eq!(t.shape(), &[2, 3]);
/// assert_eq!(t.sum_all(), 21.0);
/// # Ok::<(), fovea_tensor::Error>(())
/// ```
#[derive(Clone)]
pub struct Tensor {
    data: ArcArray<f32, IxDyn>,
}

impl Tensor {
    /// Wraps an ndarray array (any layout) as a tensor.
    ///
    /// # Example
    /// ```
    /// let a = ndarray::ArrayD::<f32>::zeros(ndarray::IxDyn(&[2, 2]));
    /// let t = fovea_tensor::Tensor::from_array(a);
    /// assert_eq!(t.shape(), &[2, 2]);
    /// ```
    pub fn from_array(array: ArrayD<f32>) -> Self {
        crate::threads::configure_from_env();
        Tensor {
            data: array.into_shared(),
        }
    }

    /// Wraps a shared ndarray array without copying.
    ///
    /// # Example
    /// ```
    /// let a = ndarray::ArcArray::<f32, _>::zeros(ndarray::IxDyn(&[3]));
    /// assert_eq!(fovea_tensor::Tensor::from_shared(a).len(), 3);
    /// ```
    pub fn from_shared(array: ArcArray<f32, IxDyn>) -> Self {
        crate::threads::configure_from_env();
        Tensor { data: array }
    }

    /// A tensor of the given shape filled with `value`.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::full(&[2, 2], 0.5);
    /// assert_eq!(t.to_vec(), vec![0.5; 4]);
    /// ```
    pub fn full(shape: &[usize], value: f32) -> Self {
        Self::from_array(ArrayD::from_elem(IxDyn(shape), value))
    }

    /// A tensor of zeros.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::zeros(&[3]).to_vec(), vec![0.0; 3]);
    /// ```
    pub fn zeros(shape: &[usize]) -> Self {
        Self::full(shape, 0.0)
    }

    /// A tensor of ones.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::ones(&[2]).to_vec(), vec![1.0; 2]);
    /// ```
    pub fn ones(shape: &[usize]) -> Self {
        Self::full(shape, 1.0)
    }

    /// A 0-d tensor holding one number.
    ///
    /// # Example
    /// ```
    /// let s = fovea_tensor::Tensor::scalar(3.0);
    /// assert_eq!(s.shape(), &[] as &[usize]);
    /// assert_eq!(s.item(), Some(3.0));
    /// ```
    pub fn scalar(value: f32) -> Self {
        Self::full(&[], value)
    }

    /// A tensor from row-major data.
    ///
    /// # Errors
    /// [`Error::InvalidShape`] when `data.len()` is not the product of `shape`.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// let t = Tensor::from_vec(vec![1.0, 2.0], &[2, 1])?;
    /// assert_eq!(t.shape(), &[2, 1]);
    /// assert!(Tensor::from_vec(vec![1.0, 2.0], &[3]).is_err());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn from_vec(data: Vec<f32>, shape: &[usize]) -> Result<Self> {
        let expected: usize = shape.iter().product();
        if data.len() != expected {
            return Err(Error::invalid_shape(
                "from_vec",
                format!(
                    "{} values do not fill the shape ({expected} needed)",
                    data.len()
                ),
                shape,
            ));
        }
        let array = ArrayD::from_shape_vec(IxDyn(shape), data).expect("internal: length checked");
        Ok(Self::from_array(array))
    }

    /// `[start, start + step, ...]` up to but excluding `end`, as a 1-d tensor.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `step` is zero or not finite, or the bounds are not finite.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::arange(0.0, 1.0, 0.25)?;
    /// assert_eq!(t.to_vec(), vec![0.0, 0.25, 0.5, 0.75]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn arange(start: f32, end: f32, step: f32) -> Result<Self> {
        if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
            return Err(Error::invalid_argument(
                "arange",
                format!(
                    "needs finite bounds and a non-zero step, got start {start}, end {end}, step {step}"
                ),
            ));
        }
        let n = ((end - start) / step).ceil().max(0.0) as usize;
        let data = (0..n).map(|i| start + i as f32 * step).collect::<Vec<_>>();
        Self::from_vec(data, &[n])
    }

    /// The shape (one length per axis).
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::zeros(&[1, 2, 3]).shape(), &[1, 2, 3]);
    /// ```
    pub fn shape(&self) -> &[usize] {
        self.data.shape()
    }

    /// Number of axes.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::zeros(&[1, 2, 3]).ndim(), 3);
    /// ```
    pub fn ndim(&self) -> usize {
        self.data.ndim()
    }

    /// Number of elements.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::zeros(&[2, 3]).len(), 6);
    /// ```
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the tensor holds no element.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_tensor::Tensor::zeros(&[0, 3]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The single value of a one-element tensor, else `None`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(fovea_tensor::Tensor::ones(&[1, 1]).item(), Some(1.0));
    /// assert_eq!(fovea_tensor::Tensor::ones(&[2]).item(), None);
    /// ```
    pub fn item(&self) -> Option<f32> {
        (self.len() == 1).then(|| *self.data.iter().next().expect("internal: one element"))
    }

    /// The elements in row-major (logical) order.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2])?;
    /// assert_eq!(t.transpose(0, 1)?.to_vec(), vec![1.0, 3.0, 2.0, 4.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn to_vec(&self) -> Vec<f32> {
        match self.data.as_slice() {
            Some(s) => s.to_vec(),
            None => standard_copy(self.data.view()).into_raw_vec_and_offset().0,
        }
    }

    /// A read-only ndarray view.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::ones(&[2, 2]);
    /// assert_eq!(t.view()[[1, 1]], 1.0);
    /// ```
    pub fn view(&self) -> ArrayViewD<'_, f32> {
        self.data.view()
    }

    /// The underlying shared array (cheap: shares the data).
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::ones(&[2]);
    /// assert_eq!(t.array().len(), 2);
    /// ```
    pub fn array(&self) -> &ArcArray<f32, IxDyn> {
        &self.data
    }

    /// An owned, standard-layout (row-major contiguous) copy of the data, ready to mutate.
    ///
    /// # Example
    /// ```
    /// let mut a = fovea_tensor::Tensor::ones(&[2]).to_array();
    /// a[[0]] = 5.0;
    /// assert_eq!(a[[0]], 5.0);
    /// ```
    pub fn to_array(&self) -> ArrayD<f32> {
        standard_copy(self.data.view())
    }

    /// The data as a contiguous row-major slice, copying only if the layout is not already so.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::from_vec(vec![1.0, 2.0], &[2])?;
    /// assert_eq!(&*t.contiguous_data(), &[1.0, 2.0]);
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn contiguous_data(&self) -> std::borrow::Cow<'_, [f32]> {
        match self.data.as_slice() {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(self.to_vec()),
        }
    }

    /// The values as a mutable row-major slice, for updating a tensor in place.
    ///
    /// Storage shared with a clone is copied first (copy on write), as is a non-contiguous
    /// layout, so no other tensor ever sees the change.
    ///
    /// # Example
    /// ```
    /// let a = fovea_tensor::Tensor::zeros(&[2]);
    /// let mut b = a.clone();
    /// b.data_mut()[1] = 5.0;
    /// assert_eq!((a.to_vec(), b.to_vec()), (vec![0.0, 0.0], vec![0.0, 5.0]));
    /// ```
    pub fn data_mut(&mut self) -> &mut [f32] {
        if !self.data.is_standard_layout() {
            *self = Self::from_array(self.to_array());
        }
        self.data
            .as_slice_mut()
            .expect("internal: standard layout after the copy above")
    }

    /// The same values in standard (row-major contiguous) layout; free when already so.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::zeros(&[2, 3]).transpose(0, 1)?.contiguous();
    /// assert!(t.array().is_standard_layout());
    /// # Ok::<(), fovea_tensor::Error>(())
    /// ```
    pub fn contiguous(&self) -> Tensor {
        if self.data.is_standard_layout() {
            self.clone()
        } else {
            Self::from_array(self.to_array())
        }
    }

    /// Applies `f` to every element.
    ///
    /// # Example
    /// ```
    /// let t = fovea_tensor::Tensor::ones(&[2]).map(|x| x * 3.0);
    /// assert_eq!(t.to_vec(), vec![3.0, 3.0]);
    /// ```
    pub fn map(&self, f: impl Fn(f32) -> f32 + Sync + Send) -> Tensor {
        if self.len() >= PARALLEL_MIN_ELEMENTS && rayon::current_num_threads() > 1 {
            return Self::from_array(Zip::from(&self.data).par_map_collect(|&x| f(x)));
        }
        Self::from_array(self.data.map(|&x| f(x)))
    }

    /// True when every element of `self` and `other` (same shape) differ by at most
    /// `atol + rtol * |other|`.
    ///
    /// # Example
    /// ```
    /// use fovea_tensor::Tensor;
    /// assert!(Tensor::ones(&[2]).all_close(&Tensor::full(&[2], 1.0 + 1e-7), 1e-5, 1e-6));
    /// ```
    pub fn all_close(&self, other: &Tensor, rtol: f32, atol: f32) -> bool {
        self.shape() == other.shape()
            && self
                .data
                .iter()
                .zip(other.data.iter())
                .all(|(a, b)| (a - b).abs() <= atol + rtol * b.abs())
    }

    /// True when any element is NaN or infinite.
    ///
    /// # Example
    /// ```
    /// assert!(fovea_tensor::Tensor::full(&[1], f32::NAN).has_non_finite());
    /// ```
    pub fn has_non_finite(&self) -> bool {
        self.data.iter().any(|x| !x.is_finite())
    }
}

/// `n` zeros, written by every thread of the pool when `n` is large. A big zeroed buffer that the
/// allocator reuses must be cleared by whoever asks for it; on the calling thread alone that
/// serial memset was a tenth of a 2-thread training step.
///
/// # Example
/// ```
/// assert_eq!(fovea_tensor::zeros_vec(3), vec![0.0; 3]);
/// ```
pub fn zeros_vec(n: usize) -> Vec<f32> {
    if n < PARALLEL_MIN_ELEMENTS * 4 || rayon::current_num_threads() <= 1 {
        return vec![0.0; n];
    }
    let mut v = Vec::with_capacity(n);
    v.par_extend(rayon::iter::repeat_n(0.0f32, n));
    v
}

/// A row-major copy of any view. ndarray's generic copy walks a dynamic-rank index per element,
/// which for a transposed 800k-element gradient took ~80 ms; fixed-rank views are walked much
/// faster, and 2-d views are copied in cache-sized tiles so that a transposed source is read
/// one tile at a time.
fn standard_copy(view: ArrayViewD<'_, f32>) -> ArrayD<f32> {
    if view.is_standard_layout() {
        return view.to_owned();
    }
    match view.ndim() {
        2 => {
            let v = view.into_dimensionality::<Ix2>().expect("internal: 2-d");
            let (rows, cols) = v.dim();
            let mut out = Array2::<f32>::zeros((rows, cols));
            const TILE: usize = 32;
            for i in (0..rows).step_by(TILE) {
                for j in (0..cols).step_by(TILE) {
                    let (i1, j1) = ((i + TILE).min(rows), (j + TILE).min(cols));
                    out.slice_mut(s![i..i1, j..j1])
                        .assign(&v.slice(s![i..i1, j..j1]));
                }
            }
            out.into_dyn()
        }
        3 => view
            .into_dimensionality::<Ix3>()
            .expect("internal: 3-d")
            .as_standard_layout()
            .into_owned()
            .into_dyn(),
        4 => view
            .into_dimensionality::<Ix4>()
            .expect("internal: 4-d")
            .as_standard_layout()
            .into_owned()
            .into_dyn(),
        _ => view.as_standard_layout().into_owned(),
    }
}

impl From<ArrayD<f32>> for Tensor {
    fn from(array: ArrayD<f32>) -> Self {
        Tensor::from_array(array)
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor{:?} {:?}", self.shape(), self.data.view())
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.data)
    }
}
