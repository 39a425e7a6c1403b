"""Golden values for fovea's Conv2d and Linear from PyTorch.

Run from the repository root with a PyTorch virtual environment outside the repo:

    python3 -m venv ../torchenv && ../torchenv/bin/pip install torch
    ../torchenv/bin/python scripts/golden_conv.py

Writes crates/fovea-layers/tests/fixtures/conv2d.json: for each case the input, weight, bias,
options, a random upstream gradient, and PyTorch's output and gradients with respect to input,
weight and bias (float32, CPU).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join("crates", "fovea-layers", "tests", "fixtures", "conv2d.json")


def flat(t):
    # 9 significant digits identify a float32 exactly and keep the file small.
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


def conv_case(name, x_shape, w_shape, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1, bias=True):
    x = torch.randn(*x_shape, requires_grad=True)
    w = torch.randn(*w_shape, requires_grad=True)
    b = torch.randn(w_shape[0], requires_grad=True) if bias else None
    y = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    g = torch.randn_like(y)
    y.backward(g)
    return {
        "name": name,
        "x_shape": list(x_shape), "x": flat(x),
        "w_shape": list(w_shape), "w": flat(w),
        "bias": flat(b) if bias else None,
        "stride": list(stride), "padding": list(padding), "dilation": list(dilation), "groups": groups,
        "y_shape": list(y.shape), "y": flat(y), "grad_output": flat(g),
        "grad_x": flat(x.grad), "grad_w": flat(w.grad), "grad_b": flat(b.grad) if bias else None,
    }


def linear_case(name, n, fin, fout):
    x = torch.randn(n, fin, requires_grad=True)
    w = torch.randn(fout, fin, requires_grad=True)
    b = torch.randn(fout, requires_grad=True)
    y = F.linear(x, w, b)
    g = torch.randn_like(y)
    y.backward(g)
    return {
        "name": name, "x_shape": [n, fin], "x": flat(x), "w_shape": [fout, fin], "w": flat(w), "bias": flat(b),
        "y_shape": list(y.shape), "y": flat(y), "grad_output": flat(g),
        "grad_x": flat(x.grad), "grad_w": flat(w.grad), "grad_b": flat(b.grad),
    }


conv = [
    conv_case("plain_3x3", (2, 3, 6, 6), (4, 3, 3, 3)),
    conv_case("stride2_pad1", (2, 3, 7, 7), (5, 3, 3, 3), stride=(2, 2), padding=(1, 1)),
    conv_case("rect_kernel_stride_pad", (1, 2, 7, 8), (3, 2, 3, 2), stride=(2, 1), padding=(1, 0)),
    conv_case("dilation2", (2, 2, 9, 9), (3, 2, 3, 3), dilation=(2, 2), padding=(2, 2)),
    conv_case("groups2", (2, 4, 6, 6), (6, 2, 3, 3), groups=2, padding=(1, 1)),
    conv_case("depthwise", (2, 4, 5, 5), (4, 1, 3, 3), groups=4, stride=(2, 2), padding=(1, 1)),
    conv_case("no_bias_5x5", (1, 1, 8, 8), (2, 1, 5, 5), bias=False),
    conv_case("alexnet_11x11_s4", (1, 3, 19, 19), (2, 3, 11, 11), stride=(4, 4), padding=(2, 2)),
    conv_case("all_combined", (2, 4, 9, 8), (4, 2, 3, 2), stride=(2, 3), padding=(2, 1), dilation=(2, 1), groups=2),
]
linear = [linear_case("linear_5x7_to_3", 5, 7, 3), linear_case("linear_1x20_to_10", 1, 20, 10)]

with open(OUT, "w") as f:
    json.dump({"torch_version": torch.__version__, "conv2d": conv, "linear": linear}, f)
print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes")
