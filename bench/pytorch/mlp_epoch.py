#!/usr/bin/env python3
"""Time one training epoch of the seed MLP in PyTorch, on one thread.

The model and training loop mirror the Go benchmark BenchmarkFashionMLPEpoch
(nn/fashion_bench_test.go): Flatten, Linear 784->300 + ReLU, Linear 300->100
+ ReLU, Linear 100->10, cross-entropy on the logits (the same loss as a
softmax output with sparse categorical cross-entropy), plain SGD with
learning rate 0.01, batch 32, the 55,000 samples reshuffled every epoch and
the training accuracy accumulated as the Go Fit does. One epoch is 1,719
steps (the last batch has 24 samples).

Data: the real Fashion-MNIST training images (the first 55,000, pixels
scaled to [0, 1], as the Go benchmark uses), read from the gzip IDX files
with gzip and struct, or random float32 images and labels. The timing does
not depend on the values; both are offered so that the benchmark also runs
without the data.

Prints the seconds per epoch of each timed epoch (wall clock and process
CPU time), their median, and the torch version, thread settings and the
BLAS library actually loaded.

    python3 bench/pytorch/mlp_epoch.py                 # real data if found, 3 timed epochs
    python3 bench/pytorch/mlp_epoch.py --data random --epochs 5
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import struct
import sys
import time

# One thread everywhere, set before torch (and its BLAS) are loaded: torch's
# set_num_threads does not reach a BLAS with its own thread pool.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import torch  # noqa: E402  (after the environment)
from torch import nn  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def default_data_dir():
    """$TUNE_DATA_DIR/fashion-mnist, else ../shared/data/fashion-mnist next to the repository."""
    root = os.environ.get("TUNE_DATA_DIR")
    if not root:
        root = os.path.join(REPO_ROOT, "..", "shared", "data")
    return os.path.normpath(os.path.join(root, "fashion-mnist"))


def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 2051:
            raise ValueError(f"{path}: magic {magic}, want 2051 (IDX images)")
        buf = f.read(count * rows * cols)
    if len(buf) != count * rows * cols:
        raise ValueError(f"{path}: {len(buf)} pixel bytes, want {count * rows * cols}")
    return torch.frombuffer(bytearray(buf), dtype=torch.uint8).reshape(count, rows, cols)


def read_idx_labels(path):
    with gzip.open(path, "rb") as f:
        magic, count = struct.unpack(">II", f.read(8))
        if magic != 2049:
            raise ValueError(f"{path}: magic {magic}, want 2049 (IDX labels)")
        buf = f.read(count)
    if len(buf) != count:
        raise ValueError(f"{path}: {len(buf)} label bytes, want {count}")
    return torch.frombuffer(bytearray(buf), dtype=torch.uint8).to(torch.int64)


def load_fashion(data_dir, n):
    x = read_idx_images(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))
    y = read_idx_labels(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"))
    if len(x) != len(y) or len(x) < n:
        raise ValueError(f"{data_dir}: {len(x)} images, {len(y)} labels, need {n}")
    # The first n, as the Go benchmark keeps the last 5,000 of 60,000 for validation.
    return x[:n].to(torch.float32).div_(255.0), y[:n].clone()


def random_data(n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)


def make_model():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 300), nn.ReLU(),
        nn.Linear(300, 100), nn.ReLU(),
        nn.Linear(100, 10),
    )


def train_epoch(model, loss_fn, opt, x, y, batch, gen):
    """One shuffled epoch; returns (mean loss, accuracy), synchronised once at the end."""
    n = len(x)
    order = torch.randperm(n, generator=gen)
    loss_sum = torch.zeros((), dtype=torch.float64)
    correct = torch.zeros((), dtype=torch.int64)
    for i in range(0, n, batch):
        idx = order[i:i + batch]
        xb, yb = x[idx], y[idx]  # gather the batch, as Fit copies its rows
        logits = model(xb)
        loss = loss_fn(logits, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            loss_sum += loss.detach() * len(idx)
            correct += (logits.argmax(1) == yb).sum()
    return loss_sum.item() / n, correct.item() / n


def loaded_blas():
    """The BLAS/LAPACK shared objects mapped into this process (Linux only)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if line.rstrip().endswith(".so") or ".so." in line}
    except OSError:
        return []
    keys = ("blas", "lapack", "mkl", "blis", "dnnl")
    return sorted(p for p in libs if any(k in os.path.basename(p).lower() for k in keys))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", choices=("auto", "fashion", "random"), default="auto",
                    help="real Fashion-MNIST, random values, or real if found (default auto)")
    ap.add_argument("--data-dir", default=default_data_dir(),
                    help="directory with the gzip IDX files (default $TUNE_DATA_DIR/fashion-mnist "
                         "or ../shared/data/fashion-mnist; now %(default)s)")
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs (default 3)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed epochs first (default 1)")
    ap.add_argument("--samples", type=int, default=55000, help="training samples (default 55000)")
    ap.add_argument("--batch", type=int, default=32, help="batch size (default 32)")
    ap.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (default 0.01)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--interop-threads", type=int, default=1,
                    help="torch.set_num_interop_threads, 0 to leave it (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="also print a JSON summary line")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    if args.interop_threads > 0:
        torch.set_num_interop_threads(args.interop_threads)
    torch.manual_seed(args.seed)

    source = args.data
    if source == "auto":
        found = os.path.exists(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"))
        source = "fashion" if found else "random"
    if source == "fashion":
        x, y = load_fashion(args.data_dir, args.samples)
        what = f"Fashion-MNIST ({args.data_dir})"
    else:
        x, y = random_data(args.samples, args.seed)
        what = "random float32"

    model = make_model()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    steps = (args.samples + args.batch - 1) // args.batch

    print(f"torch {torch.__version__}, Python {platform.python_version()}, {platform.machine()}")
    print(f"threads: intra-op {torch.get_num_threads()}, inter-op {torch.get_num_interop_threads()}")
    print(f"BLAS loaded: {', '.join(loaded_blas()) or 'unknown'}")
    print(f"data: {what}, {args.samples} samples, batch {args.batch}, {steps} steps per epoch, SGD lr {args.lr}")

    wall, cpu = [], []
    for e in range(args.warmup + args.epochs):
        w0, c0 = time.perf_counter(), time.process_time()
        loss, acc = train_epoch(model, loss_fn, opt, x, y, args.batch, gen)
        w, c = time.perf_counter() - w0, time.process_time() - c0
        timed = e >= args.warmup
        if timed:
            wall.append(w)
            cpu.append(c)
        print(f"epoch {e + 1}{'' if timed else ' (warm-up)'}: {w:.3f} s wall, {c:.3f} s CPU, "
              f"loss {loss:.4f}, accuracy {acc:.4f}")

    if not wall:
        return
    med_w, med_c = statistics.median(wall), statistics.median(cpu)
    print(f"median over {len(wall)} epochs: {med_w:.3f} s/epoch wall ({med_w / args.samples * 1e9:.0f} ns/sample), "
          f"{med_c:.3f} s/epoch CPU; min {min(wall):.3f} s wall")
    if args.json:
        print(json.dumps({
            "torch": torch.__version__, "threads": torch.get_num_threads(),
            "interop_threads": torch.get_num_interop_threads(), "blas": loaded_blas(),
            "data": source, "samples": args.samples, "batch": args.batch, "steps": steps,
            "epoch_seconds_wall": wall, "epoch_seconds_cpu": cpu,
            "median_seconds_wall": med_w, "median_seconds_cpu": med_c,
        }))


if __name__ == "__main__":
    sys.exit(main())
