"""Golden forward and backward values from torchvision for fovea's RoI ops.

Run from the repository root:

    /work/torchenv/bin/python scripts/golden_roi.py

It rewrites crates/fovea-layers/tests/fixtures/roi_pool.json and roi_align.json, read by
crates/fovea-layers/tests/layers/roi.rs. Each file records the torch and torchvision versions
that wrote it; the committed files were generated on CPU. Inputs are seeded, so rerunning with
the same versions gives the same files.

Every case is a JSON object:

    name           unique, used in failure messages
    features       {"shape": [N, C, H, W], "data": [flat, row-major]}
    boxes          {"shape": [K, 5], "data": [...]}, rows (batch index, x1, y1, x2, y2)
    options        output_size [ph, pw], spatial_scale, and for roi_align sampling_ratio, aligned
    grad_output    the upstream gradient fed to backward, shape [K, C, ph, pw]
    output         torchvision's forward value
    grad_features  torchvision's gradient with respect to the features
"""

import json
import os

import numpy as np
import torch
import torchvision
from torchvision.ops import roi_align, roi_pool

FIXTURES = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "fovea-layers", "tests", "fixtures")
)


def encode(t):
    """Shape and flat data; floats as the shortest decimal that reads back as the same f32."""
    t = t.detach().contiguous().to(torch.float32)
    data = [float(str(np.float32(v))) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "data": data}


def random_boxes(gen, k, n, height, width, scale, margin=3.0):
    """K boxes in image coordinates, corners anywhere from `margin` feature cells outside the map
    to `margin` inside the far edge, so that some stick out; x1 <= x2 and y1 <= y2 (corners are
    sorted); batch indices drawn from 0..n."""
    lo = torch.tensor([-margin / scale, -margin / scale])
    hi = torch.tensor([(width + margin) / scale, (height + margin) / scale])
    p = lo + (hi - lo) * torch.rand(k, 2, 2, generator=gen)  # [K, corner, (x, y)]
    p = torch.sort(p, dim=1).values
    batch = torch.randint(0, n, (k, 1), generator=gen).to(torch.float32)
    return torch.cat([batch, p[:, 0, :], p[:, 1, :]], dim=1)


def case(name, fn, features, boxes, options, gen):
    x = features.clone().requires_grad_(True)
    out = fn(x, boxes)
    grad_output = torch.randn(out.shape, generator=gen)
    out.backward(grad_output)
    return {
        "name": name,
        "features": encode(features),
        "boxes": encode(boxes),
        "options": options,
        "grad_output": encode(grad_output),
        "output": encode(out),
        "grad_features": encode(x.grad),
    }


def pool_cases():
    gen = torch.Generator().manual_seed(0)
    cases = []

    def add(name, features, boxes, output_size, scale):
        fn = lambda x, b: roi_pool(x, b, output_size, scale)
        opts = {"output_size": list(output_size), "spatial_scale": scale}
        cases.append(case(name, fn, features, boxes, opts, gen))

    x = torch.randn(1, 2, 6, 7, generator=gen)
    b = torch.tensor([[0, 0, 0, 6, 5], [0, 1, 2, 4, 4], [0, 2, 1, 5, 5]], dtype=torch.float32)
    add("scale1_2x2_inside", x, b, (2, 2), 1.0)

    # Two images, overlapping and identical boxes; both images used.
    x = torch.randn(2, 3, 8, 9, generator=gen)
    b = torch.tensor(
        [[0, 0, 0, 15, 13], [1, 2, 3, 12, 14], [1, 2, 3, 12, 14], [0, 4, 4, 16, 15], [1, 0, 0, 17, 15]],
        dtype=torch.float32,
    )
    add("scale0.5_3x3_overlap_batch2", x, b, (3, 3), 0.5)

    # Non-square output, boxes partly outside on every side, one fully outside (all bins empty).
    x = torch.randn(2, 2, 5, 6, generator=gen)
    b = torch.tensor(
        [[0, -9, -7, 10, 8], [1, 14, 10, 40, 30], [1, -20, 3, 6, 25], [0, 40, 40, 60, 60]], dtype=torch.float32
    )
    add("scale0.25_2x3_partly_outside", x, b, (2, 3), 0.25)

    # Degenerate boxes: a point, a line, a reversed box; more bins than cells.
    x = torch.randn(1, 2, 5, 5, generator=gen)
    b = torch.tensor([[0, 2, 2, 2, 2], [0, 1, 3, 4, 3], [0, 4, 4, 1, 1], [0, 0, 0, 1, 4]], dtype=torch.float32)
    add("degenerate_3x3", x, b, (3, 3), 1.0)

    # Scale 1/16 with coordinates whose scaled value is exactly .5 (rounds away from zero).
    x = torch.randn(1, 2, 7, 8, generator=gen)
    b = torch.tensor([[0, 8, 24, 56, 88], [0, 0, 8, 120, 104], [0, -8, -24, 40, 40]], dtype=torch.float32)
    add("scale1/16_half_rounding", x, b, (2, 2), 1.0 / 16.0)

    # Ties: integer-valued features, so bins hold repeated maxima (the first one wins).
    x = torch.randint(-2, 3, (1, 2, 6, 6), generator=gen).to(torch.float32)
    b = torch.tensor([[0, 0, 0, 5, 5], [0, 1, 0, 5, 4]], dtype=torch.float32)
    add("ties_first_max_wins", x, b, (2, 2), 1.0)

    # All-negative features.
    x = -torch.rand(1, 1, 5, 5, generator=gen) - 1.0
    b = torch.tensor([[0, 0, 0, 4, 4], [0, 1, 1, 3, 2]], dtype=torch.float32)
    add("negative_features", x, b, (2, 2), 1.0)

    # Random boxes, several scales and output sizes.
    for i, (scale, out) in enumerate([(1.0, (2, 2)), (0.5, (3, 2)), (1.0 / 3.0, (4, 4)), (0.125, (2, 3))]):
        x = torch.randn(2, 2, 7, 9, generator=gen)
        b = random_boxes(gen, 6, 2, 7, 9, scale)
        add(f"random_{i}_scale{scale:.4g}_{out[0]}x{out[1]}", x, b, out, scale)
    return cases


def align_cases():
    gen = torch.Generator().manual_seed(1)
    cases = []

    def add(name, features, boxes, output_size, scale, sampling_ratio, aligned):
        fn = lambda x, b: roi_align(x, b, output_size, scale, sampling_ratio, aligned)
        opts = {
            "output_size": list(output_size),
            "spatial_scale": scale,
            "sampling_ratio": sampling_ratio,
            "aligned": aligned,
        }
        cases.append(case(name, fn, features, boxes, opts, gen))

    # Fixed boxes: inside, partly outside on each side (samples with y < -1 or y > H contribute
    # 0, samples in (-1, 0] are clamped to the edge), a point, a line, a reversed box.
    fixed = torch.tensor(
        [
            [0, 0.5, 0.5, 5.0, 4.0],
            [1, -3.0, -2.5, 3.0, 2.0],
            [1, 4.0, 3.0, 9.5, 8.0],
            [0, 2.0, 2.0, 2.0, 2.0],
            [0, 1.0, 3.0, 6.0, 3.0],
            [1, 5.0, 4.0, 1.0, 1.5],
            [0, -1.4, -1.2, 0.3, 0.6],
        ],
        dtype=torch.float32,
    )
    for aligned in (False, True):
        for sampling_ratio in (-1, 0, 1, 2):
            x = torch.randn(2, 2, 6, 7, generator=gen)
            add(f"fixed_aligned{aligned}_sr{sampling_ratio}", x, fixed, (2, 3), 1.0, sampling_ratio, aligned)

    # Random boxes over several scales and output sizes, both alignments.
    settings = [(0.5, (3, 3), -1), (0.25, (2, 2), 2), (1.0 / 16.0, (2, 2), 0), (1.0 / 3.0, (4, 3), 1)]
    for aligned in (False, True):
        for i, (scale, out, sr) in enumerate(settings):
            x = torch.randn(2, 2, 6, 8, generator=gen)
            b = random_boxes(gen, 5, 2, 6, 8, scale)
            add(f"random_{i}_scale{scale:.4g}_{out[0]}x{out[1]}_sr{sr}_aligned{aligned}", x, b, out, scale, sr, aligned)
    return cases


def write(family, cases):
    doc = {
        "generator": "scripts/golden_roi.py",
        "torch_version": torch.__version__,
        "torchvision_version": torchvision.__version__,
        "cases": cases,
    }
    path = os.path.join(FIXTURES, f"{family}.json")
    os.makedirs(FIXTURES, exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    torch.set_num_threads(1)
    write("roi_pool", pool_cases())
    write("roi_align", align_cases())
