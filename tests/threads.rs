//! Thread control, in a test binary of its own because it builds the process's global pool.

use fovea::prelude::*;

/// `set_num_threads(2)` makes the calling thread one of the pool's two threads; a parallel
/// product called from it, and one called from a thread outside the pool (run by the other
/// thread alone), give the same bits and the product's values; the pool is sized once.
#[test]
fn the_calling_thread_is_one_of_the_pool() -> fovea::tensor::Result<()> {
    fovea::tensor::set_num_threads(2)?;
    assert_eq!(fovea::tensor::num_threads(), 2);
    assert_eq!(
        rayon::current_thread_index(),
        Some(0),
        "the caller is thread 0"
    );
    assert!(fovea::tensor::set_num_threads(2).is_err(), "sized once");

    // Large enough (m·n·k ≥ 2²¹) for the product to be split between the threads.
    let a = Tensor::rand_uniform(&[200, 300], -1.0, 1.0, &mut seeded_rng(1))?;
    let b = Tensor::rand_uniform(&[300, 250], -1.0, 1.0, &mut seeded_rng(2))?;
    let here = a.matmul(&b)?;
    let (a2, b2) = (a.clone(), b.clone());
    let there = std::thread::spawn(move || a2.matmul(&b2))
        .join()
        .expect("no panic")?;
    assert_eq!(here.to_vec(), there.to_vec());
    let (av, bv, cv) = (a.to_vec(), b.to_vec(), here.to_vec());
    for (i, j) in [(0, 0), (199, 249), (77, 131)] {
        let want: f32 = (0..300).map(|p| av[i * 300 + p] * bv[p * 250 + j]).sum();
        let got = cv[i * 250 + j];
        assert!(
            (got - want).abs() <= 1e-4 * want.abs().max(1.0),
            "{got} vs {want}"
        );
    }
    Ok(())
}
