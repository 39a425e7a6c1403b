"""Golden forward and backward values from PyTorch for fovea-layers' LRN and ReLU-family tests
(crates/fovea-layers/tests/layers/{lrn,activation}.rs).

Run from the repository root:

    /work/torchenv/bin/python scripts/golden_lrn_act.py

It rewrites crates/fovea-layers/tests/fixtures/{lrn,activation}.json. Each file records
`torch_version`; the inputs are seeded, so rerunning with the same torch gives the same files.

Every case is a JSON object in the format of scripts/gen_golden.py:

    name          unique, used in failure messages
    op            the fovea function to call
    inputs        {name: {"shape": [...], "data": [flat, row-major]}}
    options       op-specific settings (for LRN: the fovea constructor and its arguments)
    grad_output   the random upstream gradient fed to backward
    output        the expected forward value
    grads         {input name: expected gradient}, one per input

LRN cases in the TensorFlow/AlexNet convention (alpha not divided by the window size n) are
computed with PyTorch's LocalResponseNorm(n, alpha * n, beta, bias), the documented conversion.
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

FIXTURES = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "fovea-layers", "tests", "fixtures")
)


def encode(t):
    """Shape and flat data; floats as the shortest decimal that reads back as the same f32."""
    t = t.detach().contiguous()
    data = [float(str(np.float32(v))) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "data": data}


def randn(*shape, scale=1.0):
    return torch.randn(*shape, dtype=torch.float32) * scale


def run_case(name, op, inputs, fn, options):
    """Calls `fn` on the inputs (in order), backwards a random upstream gradient through it and
    packs inputs, output and gradients."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    out = fn(*leaves.values())
    grad_output = randn(*out.shape)
    out.backward(gradient=grad_output)
    return {
        "name": name,
        "op": op,
        "inputs": {k: encode(v) for k, v in inputs.items()},
        "options": options,
        "grad_output": encode(grad_output),
        "output": encode(out),
        "grads": {k: encode(v.grad) for k, v in leaves.items()},
    }


def lrn_pytorch(name, shape, size, alpha, beta, k, scale):
    options = {"convention": "pytorch", "size": size, "alpha": alpha, "beta": beta, "k": k}
    fn = lambda x: F.local_response_norm(x, size, alpha=alpha, beta=beta, k=k)  # noqa: E731
    return run_case(name, "local_response_norm", {"x": randn(*shape, scale=scale)}, fn, options)


def lrn_tensorflow(name, shape, depth_radius, bias, alpha, beta, scale):
    n = 2 * depth_radius + 1
    options = {"convention": "tensorflow", "depth_radius": depth_radius, "bias": bias, "alpha": alpha, "beta": beta}
    fn = lambda x: F.local_response_norm(x, n, alpha=alpha * n, beta=beta, k=bias)  # noqa: E731
    return run_case(name, "local_response_norm", {"x": randn(*shape, scale=scale)}, fn, options)


def lrn_cases():
    # Large alpha makes the cross-channel term of the gradient as big as the direct one, so a
    # wrong window (e.g. not mirrored for even sizes) cannot hide. Each beta path of the kernel
    # appears: 0.75 and 0.5 and 1 (shortcuts) and 0.6 (powf).
    return [
        lrn_pytorch("lrn_size2", (2, 6, 3, 3), 2, 1.0, 0.75, 1.0, 1.5),
        lrn_pytorch("lrn_size3", (2, 5, 2, 3), 3, 0.8, 0.6, 1.5, 1.5),
        lrn_pytorch("lrn_size3_3d", (2, 5, 4), 3, 0.9, 1.0, 1.0, 1.5),
        lrn_pytorch("lrn_size4", (1, 7, 2, 2), 4, 1.2, 0.5, 1.0, 1.5),
        lrn_pytorch("lrn_size5", (2, 7, 3, 3), 5, 2.0, 0.75, 1.0, 1.5),
        # Window larger than the channel count: every window is clipped.
        lrn_pytorch("lrn_size5_3_channels", (1, 3, 2, 2), 5, 1.5, 0.75, 1.0, 1.5),
        # AlexNet (paper, sec. 3.3): k=2, n=5, alpha=1e-4 undivided, beta=0.75. Inputs of
        # AlexNet's first-layer scale (~10) make the normalisation visible.
        lrn_tensorflow("lrn_alexnet", (2, 8, 3, 3), 2, 2.0, 1e-4, 0.75, 10.0),
        lrn_tensorflow("lrn_tf_radius1", (2, 4, 2, 3), 1, 1.0, 0.3, 0.75, 1.5),
    ]


def activation_cases():
    cases = []
    for slope in (0.01, 0.2):
        cases.append(
            run_case(
                f"leaky_relu_{slope}",
                "leaky_relu",
                {"x": randn(3, 4, 5)},
                lambda x, s=slope: F.leaky_relu(x, s),
                {"negative_slope": slope},
            )
        )
    prelu_inputs = [
        ("prelu_1", randn(2, 3, 4, 4), torch.rand(1) * 0.5),
        ("prelu_c", randn(2, 3, 4, 4), torch.rand(3) * 0.5),
        ("prelu_c_2d", randn(4, 5), torch.rand(5) * 0.5),
        ("prelu_1_1d", randn(7), torch.rand(1) * 0.5),
    ]
    for name, x, w in prelu_inputs:
        cases.append(run_case(name, "prelu", {"x": x, "weight": w}, F.prelu, {}))
    for alpha in (1.0, 0.5):
        cases.append(
            run_case(
                f"elu_{alpha}", "elu", {"x": randn(3, 4, 5, scale=2.0)}, lambda x, a=alpha: F.elu(x, a), {"alpha": alpha}
            )
        )
    for lower, upper in ((1.0 / 8.0, 1.0 / 3.0), (0.1, 0.3)):
        cases.append(
            run_case(
                f"rrelu_eval_{lower:.3f}_{upper:.3f}",
                "rrelu_eval",
                {"x": randn(2, 3, 4)},
                lambda x, lo=lower, up=upper: F.rrelu(x, lo, up, training=False),
                {"lower": lower, "upper": upper},
            )
        )
    return cases


def write(family, cases):
    path = os.path.join(FIXTURES, f"{family}.json")
    doc = {"torch_version": torch.__version__, "generator": "scripts/golden_lrn_act.py", "cases": cases}
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


def main():
    torch.manual_seed(0)
    write("lrn", lrn_cases())
    write("activation", activation_cases())


if __name__ == "__main__":
    main()
