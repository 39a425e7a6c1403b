//! Trains a 2-layer network on XOR with nothing but fovea's autograd: the README's example.
//!
//! Run: `cargo run --release --example xor`

use fovea::prelude::*;

fn main() -> Result<()> {
    let mut rng = seeded_rng(0);
    let x = Var::constant(Tensor::from_vec(
        vec![0., 0., 0., 1., 1., 0., 1., 1.],
        &[4, 2],
    )?);
    let y = [0, 1, 1, 0];
    let w1 = Var::parameter(Tensor::rand_normal(&[2, 8], 0.0, 1.0, &mut rng)?);
    let b1 = Var::parameter(Tensor::zeros(&[8]));
    let w2 = Var::parameter(Tensor::rand_normal(&[8, 2], 0.0, 1.0, &mut rng)?);
    let b2 = Var::parameter(Tensor::zeros(&[2]));
    let params = [&w1, &b1, &w2, &b2];
    for step in 0..=500 {
        let hidden = x.matmul(&w1)?.add(&b1)?.tanh();
        let logits = hidden.matmul(&w2)?.add(&b2)?;
        let loss = cross_entropy(&logits, &y)?;
        let grads = loss.backward()?;
        for p in params {
            // Plain gradient descent, learning rate 0.5.
            p.set_value(
                p.value()
                    .sub(&grads.get(p).expect("used").mul_scalar(0.5))?,
            )?;
        }
        if step % 100 == 0 {
            let predicted = logits.value().argmax(1, false)?;
            println!(
                "step {step:3}  loss {:.4}  predictions {predicted}",
                loss.value().item().unwrap_or(f32::NAN)
            );
        }
    }
    Ok(())
}
