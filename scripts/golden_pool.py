"""Golden forward and backward values from PyTorch for fovea's pooling and SPP tests.

Run from the repository root:

    /work/torchenv/bin/python scripts/golden_pool.py

It rewrites crates/fovea-layers/tests/fixtures/{pool,spp}.json, read by
crates/fovea-layers/tests/layers/{pool,spp}.rs. Each file records `torch_version`; the inputs are
seeded, so rerunning with the same torch gives the same files.

Every case is a JSON object:

    name          unique, used in failure messages
    op            max_pool2d | avg_pool2d | adaptive_max_pool2d | adaptive_avg_pool2d | spp
    options       kernel_size, stride, padding, dilation, ceil_mode, count_include_pad
                  (sliding ops), output_size (adaptive ops) or levels (spp)
    inputs        {"x": {"shape": [...], "data": [flat, row-major]}}
    grad_output   the upstream gradient fed to backward (random, so that a backward rule that
                  ignores it cannot pass)
    output        the expected forward value
    grads         {"x": expected gradient}
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


def run_case(name, op, shape, fn, options):
    """Random input of `shape`, forward through `fn`, backward with a random upstream gradient."""
    x = torch.randn(*shape).requires_grad_(True)
    out = fn(x)
    grad_output = torch.randn(*out.shape)
    out.backward(gradient=grad_output)
    return {
        "name": name,
        "op": op,
        "options": options,
        "inputs": {"x": encode(x)},
        "grad_output": encode(grad_output),
        "output": encode(out),
        "grads": {"x": encode(x.grad)},
    }


def max_case(name, shape, k, s, p=(0, 0), d=(1, 1), ceil=False):
    opts = {"kernel_size": list(k), "stride": list(s), "padding": list(p), "dilation": list(d), "ceil_mode": ceil}
    return run_case(name, "max_pool2d", shape, lambda x: F.max_pool2d(x, k, s, p, d, ceil_mode=ceil), opts)


def avg_case(name, shape, k, s, p=(0, 0), ceil=False, include_pad=True):
    opts = {"kernel_size": list(k), "stride": list(s), "padding": list(p), "ceil_mode": ceil, "count_include_pad": include_pad}
    fn = lambda x: F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include_pad)
    return run_case(name, "avg_pool2d", shape, fn, opts)


def adaptive_case(name, op, shape, size):
    fn = getattr(F, op)
    return run_case(name, op, shape, lambda x: fn(x, size), {"output_size": list(size)})


def spp_case(name, shape, levels):
    fn = lambda x: torch.cat([F.adaptive_max_pool2d(x, n).flatten(1) for n in levels], 1)
    return run_case(name, "spp", shape, fn, {"levels": list(levels)})


def pool_cases():
    return [
        max_case("max_k2s2", [1, 3, 6, 6], (2, 2), (2, 2)),
        max_case("max_k3s2_overlap", [2, 2, 7, 7], (3, 3), (2, 2)),
        max_case("max_k3s2_odd_floor", [1, 2, 6, 6], (3, 3), (2, 2)),
        max_case("max_k3s2_odd_ceil", [1, 2, 6, 6], (3, 3), (2, 2), ceil=True),
        max_case("max_k3s2p1_floor", [1, 2, 6, 7], (3, 3), (2, 2), (1, 1)),
        max_case("max_k3s2p1_ceil", [1, 2, 6, 7], (3, 3), (2, 2), (1, 1), ceil=True),
        # ceil mode's last window would start in the right padding: PyTorch drops it.
        max_case("max_k3s4p1_ceil_dropped", [1, 2, 6, 6], (3, 3), (4, 4), (1, 1), ceil=True),
        max_case("max_dilation2_p1", [1, 2, 7, 8], (3, 2), (1, 2), (1, 1), (2, 2)),
        max_case("max_rect_k2x3_s1x2_p1", [2, 2, 5, 7], (2, 3), (1, 2), (1, 1)),
        avg_case("avg_k2s2", [1, 3, 6, 6], (2, 2), (2, 2)),
        avg_case("avg_k3s2_overlap", [2, 2, 7, 7], (3, 3), (2, 2)),
        avg_case("avg_k3s2p1_pad_floor", [1, 2, 6, 7], (3, 3), (2, 2), (1, 1)),
        avg_case("avg_k3s2p1_nopad_floor", [1, 2, 6, 7], (3, 3), (2, 2), (1, 1), include_pad=False),
        # Windows that run past the padded input: the divisor is the clipped window.
        avg_case("avg_k3s2p1_pad_ceil", [1, 2, 6, 6], (3, 3), (2, 2), (1, 1), ceil=True),
        avg_case("avg_k3s2p1_nopad_ceil", [1, 2, 6, 6], (3, 3), (2, 2), (1, 1), ceil=True, include_pad=False),
        avg_case("avg_k3s2_ceil_past_input", [1, 2, 6, 6], (3, 3), (2, 2), ceil=True),
        avg_case("avg_k3s4p1_ceil_dropped", [1, 2, 6, 6], (3, 3), (4, 4), (1, 1), ceil=True),
        avg_case("avg_rect_k2x3_s1x2_p1", [2, 2, 5, 7], (2, 3), (1, 2), (1, 1), include_pad=False),
        adaptive_case("adaptive_max_7x5_to_3x2", "adaptive_max_pool2d", [2, 3, 7, 5], (3, 2)),
        adaptive_case("adaptive_max_5x7_to_4x3", "adaptive_max_pool2d", [1, 2, 5, 7], (4, 3)),
        adaptive_case("adaptive_max_3x3_to_4x5_upsample", "adaptive_max_pool2d", [1, 2, 3, 3], (4, 5)),
        adaptive_case("adaptive_avg_7x5_to_3x2", "adaptive_avg_pool2d", [2, 3, 7, 5], (3, 2)),
        adaptive_case("adaptive_avg_5x7_to_4x3", "adaptive_avg_pool2d", [1, 2, 5, 7], (4, 3)),
        adaptive_case("adaptive_avg_3x3_to_4x5_upsample", "adaptive_avg_pool2d", [1, 2, 3, 3], (4, 5)),
    ]


def spp_cases():
    return [
        spp_case("spp_421_13x11", [2, 2, 13, 11], (4, 2, 1)),
        spp_case("spp_321_7x7", [1, 2, 7, 7], (3, 2, 1)),
        spp_case("spp_421_3x3_smaller_than_level", [2, 2, 3, 3], (4, 2, 1)),
        spp_case("spp_6321_10x9", [1, 2, 10, 9], (6, 3, 2, 1)),
    ]


def write(family, cases):
    path = os.path.join(FIXTURES, f"{family}.json")
    doc = {"torch_version": torch.__version__, "generator": "scripts/golden_pool.py", "cases": cases}
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    write("pool", pool_cases())
    torch.manual_seed(1)
    write("spp", spp_cases())


if __name__ == "__main__":
    main()
