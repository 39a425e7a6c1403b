"""safetensors interchange fixtures between PyTorch and fovea (fovea-checkpoint's tests).

Run from the repository root with a PyTorch virtual environment outside the repo
(`pip install torch safetensors`):

    ../torchenv/bin/python scripts/golden_checkpoint.py

1. PyTorch -> fovea: builds a small seeded network whose state_dict names match fovea's
   Sequential (conv1, relu1, flatten, fc), saves it with safetensors.torch.save_file to
   torch_model.safetensors, and writes an input and PyTorch's output to torch_model.json.
   The Rust test loads the file into the same fovea network and compares the forward pass.
2. fovea -> PyTorch: loads fovea_export.safetensors (written by the Rust test with
   FOVEA_BLESS=1, committed) with safetensors.torch.load_file into the same PyTorch network
   (strict), runs fovea's recorded input and checks PyTorch's output against fovea's
   (fovea_export.json). Exits non-zero on a mismatch.
"""
import json
import os
import sys
from collections import OrderedDict

import torch
from safetensors.torch import load_file, save_file

DIR = os.path.join("crates", "fovea-checkpoint", "tests", "fixtures")


def network():
    return torch.nn.Sequential(OrderedDict([
        ("conv1", torch.nn.Conv2d(1, 4, 3)),
        ("relu1", torch.nn.ReLU()),
        ("flatten", torch.nn.Flatten()),
        ("fc", torch.nn.Linear(4 * 6 * 6, 3)),
    ]))


def flat(t):
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


torch.manual_seed(0)
model = network()
x = torch.randn(2, 1, 8, 8)
save_file(model.state_dict(), os.path.join(DIR, "torch_model.safetensors"))
with open(os.path.join(DIR, "torch_model.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "input_shape": list(x.shape), "input": flat(x),
               "output_shape": list(model(x).shape), "output": flat(model(x))}, f)
print("wrote torch_model.safetensors and torch_model.json")

export = os.path.join(DIR, "fovea_export.safetensors")
if not os.path.exists(export):
    print("no fovea_export.safetensors yet: run FOVEA_BLESS=1 cargo test -p fovea-checkpoint first")
    sys.exit(0)
fovea_model = network()
fovea_model.load_state_dict(load_file(export), strict=True)
with open(os.path.join(DIR, "fovea_export.json")) as f:
    ref = json.load(f)
out = fovea_model(torch.tensor(ref["input"]).reshape(ref["input_shape"]))
diff = (out.reshape(-1) - torch.tensor(ref["output"])).abs().max().item()
print(f"fovea export loaded in PyTorch: max |torch - fovea| = {diff:.3e}")
sys.exit(0 if diff <= 1e-5 else 1)
