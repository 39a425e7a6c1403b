#!/usr/bin/env python3
"""Writes the stratified Fashion-MNIST subset embedded in the fovea-data crate.

Reads the full Fashion-MNIST IDX files (plain or .gz) and keeps, per class, the *first*
TRAIN_PER_CLASS images of the official train split and the first TEST_PER_CLASS images of the
official test split, in file order (no shuffling: the result is reproducible without any RNG, and
the images keep their original relative order). The four subsets are written as gzip'd IDX files
(gzip level 9, mtime 0 so the output is byte-for-byte reproducible) into crates/fovea-data/data/.

Usage:
    python3 scripts/make_fashion_subset.py [SOURCE_DIR] [OUT_DIR]

SOURCE_DIR defaults to /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist),
OUT_DIR to crates/fovea-data/data next to this script's repository root.

Fashion-MNIST is Copyright (c) 2017 Zalando SE, MIT licence (see
crates/fovea-data/data/LICENSE-fashion-mnist).
"""

import gzip
import os
import struct
import sys

TRAIN_PER_CLASS = 800
TEST_PER_CLASS = 200
NUM_CLASSES = 10
MAX_TOTAL_BYTES = 6 * 1024 * 1024


def read_file(directory, stem):
    """Returns the bytes of STEM or STEM.gz in DIRECTORY (decompressed)."""
    plain = os.path.join(directory, stem)
    if os.path.exists(plain):
        with open(plain, "rb") as f:
            return f.read()
    with gzip.open(plain + ".gz", "rb") as f:
        return f.read()


def read_idx(directory, stem, magic):
    data = read_file(directory, stem)
    (got,) = struct.unpack(">I", data[:4])
    if got != magic:
        raise SystemExit(f"{stem}: magic {got:#010x}, expected {magic:#010x}")
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    body = data[4 + 4 * ndim :]
    item = 1
    for d in dims[1:]:
        item *= d
    if len(body) != dims[0] * item:
        raise SystemExit(f"{stem}: {len(body)} data bytes, expected {dims[0] * item}")
    return dims, item, body


def write_idx_gz(path, magic, dims, body):
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * len(dims), *dims)
    with open(path, "wb") as raw:
        # mtime=0 and no file name in the header: reproducible bytes.
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as f:
            f.write(header + body)


def subset(source, out, split_in, split_out, per_class):
    idims, item, images = read_idx(source, f"{split_in}-images-idx3-ubyte", 0x00000803)
    ldims, _, labels = read_idx(source, f"{split_in}-labels-idx1-ubyte", 0x00000801)
    if idims[0] != ldims[0]:
        raise SystemExit(f"{split_in}: {idims[0]} images but {ldims[0]} labels")
    taken = [0] * NUM_CLASSES
    keep = []
    for i, label in enumerate(labels):
        if taken[label] < per_class:
            taken[label] += 1
            keep.append(i)
    if taken != [per_class] * NUM_CLASSES:
        raise SystemExit(f"{split_in}: not enough images per class: {taken}")
    out_images = b"".join(images[i * item : (i + 1) * item] for i in keep)
    out_labels = bytes(labels[i] for i in keep)
    n = len(keep)
    paths = [
        os.path.join(out, f"fashion-subset-{split_out}-images-idx3-ubyte.gz"),
        os.path.join(out, f"fashion-subset-{split_out}-labels-idx1-ubyte.gz"),
    ]
    write_idx_gz(paths[0], 0x00000803, (n,) + tuple(idims[1:]), out_images)
    write_idx_gz(paths[1], 0x00000801, (n,), out_labels)
    return n, paths


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    source = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "crates", "fovea-data", "data")
    os.makedirs(out, exist_ok=True)
    n_train, p_train = subset(source, out, "train", "train", TRAIN_PER_CLASS)
    n_test, p_test = subset(source, out, "t10k", "test", TEST_PER_CLASS)
    total = 0
    for p in p_train + p_test:
        size = os.path.getsize(p)
        total += size
        print(f"{p}: {size} bytes")
    print(f"{n_train} train + {n_test} test images, {total} bytes in all")
    if total > MAX_TOTAL_BYTES:
        raise SystemExit(f"subset is {total} bytes, more than the {MAX_TOTAL_BYTES} allowed")


if __name__ == "__main__":
    main()
