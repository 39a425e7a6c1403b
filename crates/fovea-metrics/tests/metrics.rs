//! fovea-metrics integration tests: one binary, one module per metric family.

mod metrics {
    pub mod bad_input;
    pub mod classification;
    pub mod helpers;
    pub mod pixel_error;
    pub mod rand_error;
    pub mod simple_point;
    pub mod sklearn_golden;
    pub mod stereo;
    pub mod warping;
}
