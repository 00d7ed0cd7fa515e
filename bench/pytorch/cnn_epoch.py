#!/usr/bin/env python3
"""Time training epochs of the lecture's MNIST CNN in PyTorch, on one thread.

The model and loop mirror the Go benchmark BenchmarkMNISTCNNEpoch
(nn/cnn_bench_test.go): Conv2d(1, 32, 5) + ReLU, MaxPool2d(2), Dropout(0.2),
Flatten, Linear(4608, 128) + ReLU, Linear(128, 10), cross-entropy on the
logits (the softmax output with sparse categorical cross-entropy), Adam
(lr 0.001, eps 1e-7 as Keras), batch 200, the 60,000 training images
reshuffled every epoch: 300 steps. PyTorch's layout is channels-first
(N, 1, 28, 28); the Go model is channels-last, which for one input channel
is the same memory.

An epoch of this build takes about a minute, so --batches N times only the
first N steps of each epoch and extrapolates to 300 (the per-step cost does
not change along an epoch); the output says when it does.

    /usr/bin/python3 bench/pytorch/cnn_epoch.py --batches 40 --epochs 3
"""

import argparse
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlp_epoch  # noqa: E402  (sets the one-thread environment before torch loads)
import torch  # noqa: E402
from torch import nn  # noqa: E402


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 5), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.2),
        nn.Flatten(),
        nn.Linear(4608, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def train_steps(model, loss_fn, opt, x, y, batch, steps, gen):
    order = torch.randperm(len(x), generator=gen)
    for s in range(steps):
        idx = order[s * batch:(s + 1) * batch]
        xb, yb = x[idx], y[idx]
        loss = loss_fn(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return loss.item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", choices=("auto", "fashion", "random"), default="auto")
    ap.add_argument("--data-dir", default=mlp_epoch.default_data_dir())
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs (default 3)")
    ap.add_argument("--batches", type=int, default=0,
                    help="time only the first N steps of each epoch and extrapolate (default 0: whole epochs)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    n, batch = 60000, 200
    source = args.data
    if source == "auto":
        found = os.path.exists(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"))
        source = "fashion" if found else "random"
    if source == "fashion":
        x, y = mlp_epoch.load_fashion(args.data_dir, n)
    else:
        x, y = mlp_epoch.random_data(n, args.seed)
    x = x.reshape(n, 1, 28, 28).contiguous()

    model = make_model()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    gen = torch.Generator().manual_seed(args.seed)
    full = n // batch
    steps = args.batches if 0 < args.batches < full else full
    scale = full / steps

    print(f"torch {torch.__version__}, Python {platform.python_version()}, {platform.machine()}")
    print(f"threads: intra-op {torch.get_num_threads()}, inter-op {torch.get_num_interop_threads()}, "
          f"mkldnn {torch.backends.mkldnn.is_available()}")
    print(f"BLAS loaded: {', '.join(mlp_epoch.loaded_blas()) or 'unknown'}")
    print(f"data: {source}, {n} images, batch {batch}, {full} steps per epoch"
          + (f"; timing {steps} steps and extrapolating ×{scale:g}" if steps < full else ""))

    train_steps(model, loss_fn, opt, x, y, batch, min(steps, 10), gen)  # warm-up
    wall, cpu = [], []
    for e in range(args.epochs):
        w0, c0 = time.perf_counter(), time.process_time()
        loss = train_steps(model, loss_fn, opt, x, y, batch, steps, gen)
        w, c = (time.perf_counter() - w0) * scale, (time.process_time() - c0) * scale
        wall.append(w)
        cpu.append(c)
        print(f"epoch {e + 1}: {w:.2f} s wall, {c:.2f} s CPU per epoch{' (extrapolated)' if steps < full else ''}, "
              f"last loss {loss:.4f}")
    print(f"median over {len(wall)} epochs: {statistics.median(wall):.2f} s/epoch wall, "
          f"{statistics.median(cpu):.2f} s/epoch CPU")


if __name__ == "__main__":
    main()
