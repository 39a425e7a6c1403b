"""Golden SGD trajectories from torch.optim.SGD for fovea-optim's tests.

Run from the repository root with a PyTorch virtual environment outside the repo:

    ../torchenv/bin/python scripts/golden_sgd.py

A small MLP (Linear 4->8, tanh, Linear 8->3) with MSE loss on fixed data is trained for 20
steps under each option combination; the parameters after every step are written to
crates/fovea-optim/tests/fixtures/sgd.json (float32, CPU).
"""
import json
import os

import torch

OUT = os.path.join("crates", "fovea-optim", "tests", "fixtures", "sgd.json")
STEPS = 20


def flat(t):
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


def make_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))


NAMES = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
torch.manual_seed(1)
X = torch.randn(16, 4)
Y = torch.randn(16, 3)


def run(name, opt_kwargs, groups=None, clip=None, step_lr=None):
    model = make_model()
    params = list(model.parameters())
    initial = {n: flat(p) for n, p in zip(NAMES, params)}
    if groups is None:
        opt = torch.optim.SGD(params, **opt_kwargs)
    else:
        # groups: list of (names, overrides); remaining parameters use the defaults.
        used, param_groups = set(), []
        for names, overrides in groups:
            param_groups.append({"params": [params[NAMES.index(n)] for n in names], **overrides})
            used.update(names)
        param_groups.append({"params": [p for n, p in zip(NAMES, params) if n not in used]})
        opt = torch.optim.SGD(param_groups, **opt_kwargs)
    sched = torch.optim.lr_scheduler.StepLR(opt, **step_lr) if step_lr else None
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X), Y)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        if sched:
            sched.step()
        trajectory.append({n: flat(p) for n, p in zip(NAMES, params)})
    return {"name": name, "options": opt_kwargs, "groups": groups, "clip": clip, "step_lr": step_lr,
            "initial": initial, "trajectory": trajectory}


cases = [
    run("plain", {"lr": 0.1}),
    run("momentum", {"lr": 0.05, "momentum": 0.9}),
    run("momentum_dampening", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    run("nesterov", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    run("weight_decay", {"lr": 0.1, "weight_decay": 0.01}),
    run("momentum_weight_decay", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
    run("nesterov_weight_decay", {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.05}),
    run("dampening_weight_decay", {"lr": 0.05, "momentum": 0.8, "dampening": 0.5, "weight_decay": 0.02}),
    run("groups", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01},
        groups=[(["fc1.bias", "fc2.bias"], {"weight_decay": 0.0}), (["fc1.weight"], {"lr": 0.005})]),
    run("clip", {"lr": 0.2, "momentum": 0.9}, clip=0.1),
    run("step_lr", {"lr": 0.1, "momentum": 0.9}, step_lr={"step_size": 5, "gamma": 0.5}),
]
data = {"torch_version": torch.__version__, "x": flat(X), "y": flat(Y), "steps": STEPS, "cases": cases}
with open(OUT, "w") as f:
    json.dump(data, f)
print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes")
