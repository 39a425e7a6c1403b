"""PyTorch twin of benches/ops.rs: the same workloads, the same output format.

Run: python benches/torch/ops.py [--threads N] [--quick] [NAME_FILTER...]
(benches/compare.sh runs it next to fovea's and prints the ratios.)

Prints one line per workload: name<TAB>threads<TAB>median_ms<TAB>min_ms.
"""
import sys
import time
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

try:
    import torchvision
except ImportError:  # roi_pool is skipped without torchvision
    torchvision = None


def op_step(x, f):
    x = x.clone().requires_grad_(True)
    g = torch.randn_like(f(x))

    def step():
        y = f(x)
        y.backward(g)
    return step


def conv_step(n, c, hw, o, k, stride, pad):
    w = torch.randn(o, c, k, k, requires_grad=True)
    b = torch.randn(o, requires_grad=True)
    return op_step(torch.randn(n, c, hw, hw), lambda x: F.conv2d(x, w, b, stride=stride, padding=pad))


def train_step(net, shape, classes):
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(*shape)
    y = torch.arange(shape[0]) % classes

    def step():
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
    return step


def fashion_alexnet(classes):
    return nn.Sequential(OrderedDict([
        ("features", nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 32, 5, padding=2)), ("relu1", nn.ReLU()),
            ("lrn1", nn.LocalResponseNorm(5, 5e-4, 0.75, 2.0)), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(32, 64, 5, padding=2)), ("relu2", nn.ReLU()),
            ("lrn2", nn.LocalResponseNorm(5, 5e-4, 0.75, 2.0)), ("pool2", nn.MaxPool2d(2))]))),
        ("classifier", nn.Sequential(OrderedDict([
            ("flatten", nn.Flatten()), ("fc1", nn.Linear(64 * 7 * 7, 256)), ("relu3", nn.ReLU()),
            ("dropout", nn.Dropout(0.5)), ("fc2", nn.Linear(256, classes))]))),
    ]))


def lenet5(classes):
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, classes))


def cifar_convnet(classes):
    c = lambda i, o: nn.Conv2d(i, o, 3, padding=1)
    return nn.Sequential(c(3, 32), nn.ReLU(), c(32, 32), nn.ReLU(), nn.MaxPool2d(2),
                         c(32, 64), nn.ReLU(), c(64, 64), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 8 * 8, 512), nn.ReLU(), nn.Linear(512, classes))


def alexnet_lrn(classes):
    lrn = lambda: nn.LocalResponseNorm(5, 5e-4, 0.75, 2.0)
    pool = lambda: nn.MaxPool2d(3, 2)
    return nn.Sequential(nn.Conv2d(3, 48, 11, 4, 2), nn.ReLU(), lrn(), pool(),
                         nn.Conv2d(48, 128, 5, padding=2), nn.ReLU(), lrn(), pool(),
                         nn.Conv2d(128, 192, 3, padding=1), nn.ReLU(), pool(),
                         nn.Flatten(), nn.Linear(192 * 2 * 2, 1024), nn.ReLU(), nn.Linear(1024, classes))


def roi_boxes():
    rows = []
    for i in range(512):
        x1, y1 = float(i * 37 % 500), float(i * 53 % 400)
        w, h = float(50 + i * 29 % 250), float(50 + i * 41 % 200)
        rows.append([0.0, x1, y1, min(x1 + w, 799.0), min(y1 + h, 599.0)])
    return torch.tensor(rows)


def gemm_step():
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    c = torch.empty(1024, 1024)
    return lambda: torch.mm(a, b, out=c)


def roi_step():
    boxes = roi_boxes()
    return op_step(torch.randn(1, 256, 38, 50),
                   lambda x: torchvision.ops.roi_pool(x, boxes, (7, 7), 1.0 / 16.0))


WORKLOADS = [
    ("gemm_1024", gemm_step),
    ("conv_w3_c1", lambda: conv_step(64, 3, 32, 32, 3, 1, 1)),
    ("conv_w3_c2", lambda: conv_step(64, 32, 32, 32, 3, 1, 1)),
    ("conv_w3_c3", lambda: conv_step(64, 32, 16, 64, 3, 1, 1)),
    ("conv_w3_c4", lambda: conv_step(64, 64, 16, 64, 3, 1, 1)),
    ("conv_w4_c1", lambda: conv_step(32, 3, 112, 48, 11, 4, 2)),
    ("conv_w4_c2", lambda: conv_step(32, 48, 13, 128, 5, 1, 2)),
    ("conv_w4_c3", lambda: conv_step(32, 128, 6, 192, 3, 1, 1)),
    ("lrn5_32x48x27x27", lambda: op_step(torch.randn(32, 48, 27, 27), lambda x: F.local_response_norm(x, 5, 1e-4, 0.75, 2.0))),
    ("maxpool2_64x64x32x32", lambda: op_step(torch.randn(64, 64, 32, 32), lambda x: F.max_pool2d(x, 2))),
    ("maxpool3s2_32x48x55x55", lambda: op_step(torch.randn(32, 48, 55, 55), lambda x: F.max_pool2d(x, 3, 2))),
    ("roipool_512x7x7", roi_step),
    ("train_w1_fashion_alexnet", lambda: train_step(fashion_alexnet(10), (64, 1, 28, 28), 10)),
    ("train_w2_lenet5", lambda: train_step(lenet5(10), (64, 1, 28, 28), 10)),
    ("train_w3_cifar", lambda: train_step(cifar_convnet(10), (64, 3, 32, 32), 10)),
    ("train_w4_alexnet_lrn", lambda: train_step(alexnet_lrn(10), (32, 3, 112, 112), 10)),
]


def main():
    args = sys.argv[1:]
    threads, quick, filters = None, False, []
    i = 0
    while i < len(args):
        if args[i] == "--threads":
            threads = int(args[i + 1])
            i += 1
        elif args[i] == "--quick":
            quick = True
        else:
            filters.append(args[i])
        i += 1
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    budget, max_iters = (0.3, 5) if quick else (3.0, 30)
    for name, make in WORKLOADS:
        if filters and not any(f in name for f in filters):
            continue
        if name.startswith("roipool") and torchvision is None:
            continue
        step = make()
        step()
        step()
        times, started = [], time.perf_counter()
        while len(times) < 5 or (len(times) < max_iters and time.perf_counter() - started < budget):
            t = time.perf_counter()
            step()
            times.append((time.perf_counter() - t) * 1e3)
        times.sort()
        print(f"{name}\t{torch.get_num_threads()}\t{times[len(times) // 2]:.3f}\t{times[0]:.3f}", flush=True)


if __name__ == "__main__":
    main()
