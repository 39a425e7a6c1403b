"""Golden forward and backward values from PyTorch for fovea's tests (tests/golden.rs).

Run from the repository root:

    /work/torchenv/bin/python scripts/gen_golden.py

It rewrites tests/fixtures/{softmax,cross_entropy,mse,matmul,im2col}.json. The committed
fixtures were generated on CPU with torch 2.15.0+cu132 (each file records `torch_version`).
The inputs are seeded, so rerunning with the same torch gives the same files.

Every case is a JSON object:

    name          unique, used in failure messages
    op            the fovea function to call
    inputs        {name: {"shape": [...], "data": [flat, row-major]}}
    options       op-specific settings (axis, targets, ignore_index, geometry, ...)
    grad_output   the upstream gradient fed to backward (null for scalar losses, which
                  backward from the loss itself, i.e. with gradient 1)
    output        the expected forward value
    grads         {input name: expected gradient}, one per input
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))


def encode(t):
    """Shape and flat data; floats as the shortest decimal that reads back as the same f32."""
    t = t.detach().contiguous()
    data = [float(str(np.float32(v))) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "data": data}


def randn(*shape, scale=1.0):
    return torch.randn(*shape, dtype=torch.float32) * scale


def run_case(name, op, inputs, fn, options=None, upstream=True):
    """Calls `fn` on the inputs (positionally, in order), backwards through it and packs inputs, output and gradients.

    With `upstream`, the output is tensor-valued and backward gets a random gradient (so a
    backward rule that ignores the upstream gradient cannot pass); otherwise the output is a
    scalar loss and backward starts from it.
    """
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    out = fn(*leaves.values())
    grad_output = None
    if upstream:
        grad_output = randn(*out.shape)
        out.backward(gradient=grad_output)
    else:
        out.backward()
    return {
        "name": name,
        "op": op,
        "inputs": {k: encode(v) for k, v in inputs.items()},
        "options": options or {},
        "grad_output": None if grad_output is None else encode(grad_output),
        "output": encode(out),
        "grads": {k: encode(v.grad) for k, v in leaves.items()},
    }


def huge_logits():
    """Logits of ±1000 next to small ones: exp overflows unless the maximum is subtracted."""
    return torch.tensor(
        [
            [1000.0, -1000.0, 0.5, 999.0],
            [-1000.0, -1000.0, -999.5, -1001.0],
            [0.1, -0.2, 1000.0, 1000.0],
        ]
    )


def softmax_cases():
    cases = []
    inputs = [
        ("2d_axis1", randn(4, 5, scale=2.0), 1),
        ("2d_axis0", randn(3, 4, scale=2.0), 0),
        ("3d_axis1", randn(2, 3, 4, scale=2.0), 1),
        ("huge_axis1", huge_logits(), 1),
    ]
    for op, f in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
        for suffix, x, axis in inputs:
            cases.append(
                run_case(f"{op}_{suffix}", op, {"x": x}, lambda x, f=f, axis=axis: f(x, dim=axis), {"axis": axis})
            )
    return cases


def ce_case(name, logits, targets, weight=None, ignore_index=None):
    options = {"targets": targets.reshape(-1).tolist()}
    kwargs = {}
    if weight is not None:
        options["weight"] = encode(weight)
        kwargs["weight"] = weight
    if ignore_index is not None:
        options["ignore_index"] = ignore_index
        kwargs["ignore_index"] = ignore_index
    return run_case(
        name,
        "cross_entropy",
        {"logits": logits},
        lambda logits: F.cross_entropy(logits, targets, **kwargs),
        options,
        upstream=False,
    )


def cross_entropy_cases():
    weight4 = torch.rand(4) + 0.25
    weight3 = torch.rand(3) + 0.25
    return [
        ce_case("plain", randn(5, 4, scale=2.0), torch.tensor([0, 3, 1, 1, 2])),
        # The first row's target has logit −1000 against a +1000: loss ≈ 2000, gradient exact.
        ce_case("huge_logits", huge_logits(), torch.tensor([1, 2, 3])),
        ce_case("weight", randn(6, 4, scale=2.0), torch.tensor([0, 1, 2, 3, 3, 1]), weight=weight4),
        # Rows 1 and 4 carry the "void" label 255: no loss, zero gradient, not in the mean.
        ce_case("ignore_index", randn(5, 4, scale=2.0), torch.tensor([2, 255, 0, 3, 255]), ignore_index=255),
        # Here the ignored value is a real class (2): its rows drop out, and so does weight[2].
        ce_case(
            "weight_and_ignore_index",
            randn(6, 4, scale=2.0),
            torch.tensor([2, 0, 1, 2, 3, 1]),
            weight=weight4,
            ignore_index=2,
        ),
        # Per-pixel [N, C, H, W] with [N, H, W] targets, as in segmentation.
        ce_case("per_pixel", randn(2, 3, 2, 3, scale=2.0), torch.randint(0, 3, (2, 2, 3))),
        ce_case(
            "per_pixel_weight_and_ignore_index",
            randn(2, 3, 2, 3, scale=2.0),
            torch.tensor([[[0, 1, 255], [2, 2, 0]], [[255, 1, 1], [0, 2, 255]]]),
            weight=weight3,
            ignore_index=255,
        ),
    ]


def mse_cases():
    return [
        run_case(
            f"mse_{suffix}",
            "mse_loss",
            {"prediction": randn(*shape), "target": randn(*shape)},
            F.mse_loss,
            upstream=False,
        )
        for suffix, shape in [("2d", (3, 4)), ("4d", (2, 3, 2, 2))]
    ]


def matmul_cases():
    shapes = [
        ("2d", (3, 4), (4, 5)),
        ("batched_same", (2, 3, 4), (2, 4, 2)),
        # rhs without batch axes: its gradient sums over the batch.
        ("batched_rhs_2d", (3, 2, 4), (4, 3)),
        # [2, 1] x [3] batch axes broadcast to [2, 3]; both gradients sum over a broadcast axis.
        ("batched_broadcast", (2, 1, 3, 4), (3, 4, 2)),
    ]
    return [
        run_case(f"matmul_{suffix}", "matmul", {"a": randn(*sa), "b": randn(*sb)}, torch.matmul)
        for suffix, sa, sb in shapes
    ]


def im2col_cases():
    # (name, [N, C, H, W], kernel, stride, padding, dilation)
    geometries = [
        ("k3", (2, 2, 4, 5), (3, 3), (1, 1), (0, 0), (1, 1)),
        # Non-overlapping 2x2 windows.
        ("k2_s2", (1, 2, 4, 4), (2, 2), (2, 2), (0, 0), (1, 1)),
        # Stride 2 over 6 columns with a 3-wide kernel leaves the last column unused: zero gradient.
        ("k3_s2_p1", (1, 2, 5, 6), (3, 3), (2, 2), (1, 1), (1, 1)),
        ("k3x2_s2x1_p1x0_d1x2", (2, 1, 5, 5), (3, 2), (2, 1), (1, 0), (1, 2)),
        ("k2_s1_p2_d2", (1, 2, 4, 3), (2, 2), (1, 1), (2, 2), (2, 2)),
    ]
    cases = []
    for name, shape, k, s, p, d in geometries:
        geometry = {"kernel": list(k), "stride": list(s), "padding": list(p), "dilation": list(d)}
        kw = dict(kernel_size=k, stride=s, padding=p, dilation=d)
        cases.append(run_case(f"im2col_{name}", "im2col", {"x": randn(*shape)}, lambda x: F.unfold(x, **kw), geometry))
        n, c, h, w = shape
        cols_shape = F.unfold(torch.zeros(shape), **kw).shape
        options = dict(geometry, image=[c, h, w])
        cases.append(
            run_case(
                f"col2im_{name}",
                "col2im",
                {"cols": randn(*cols_shape)},
                lambda cols: F.fold(cols, output_size=(h, w), **kw),
                options,
            )
        )
    return cases


def main():
    torch.manual_seed(0)
    os.makedirs(FIXTURES, exist_ok=True)
    families = [
        ("softmax", softmax_cases),
        ("cross_entropy", cross_entropy_cases),
        ("mse", mse_cases),
        ("matmul", matmul_cases),
        ("im2col", im2col_cases),
    ]
    for family, make in families:
        doc = {"torch_version": torch.__version__, "generator": "scripts/gen_golden.py", "cases": make()}
        path = os.path.join(FIXTURES, f"{family}.json")
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(f"{path}: {len(doc['cases'])} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
