#!/usr/bin/python3
"""Optuna 3.1's TPE on bench/search's functions, budgets and seeds.

Prints the median simple regret (best found - minimum) over the seeds for
each function, budget and sampler, in the layout of go run ./bench/search.
Run with Debian's python3-optuna: /usr/bin/python3 bench/optuna/search.py
"""
import argparse
import math
import statistics

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(x):
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    u = x[1] - b * x[0] ** 2 + c * x[0] - 6
    return u * u + 10 * (1 - t) * math.cos(x[0]) + 10


A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
     [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def hartmann6(x):
    s = 0.0
    for i in range(4):
        e = sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))
        s += ALPHA[i] * math.exp(-e)
    return -s


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


PROBLEMS = {
    "branin": ([-5, 0], [10, 15], 0.397887, branin),
    "hartmann6": ([0] * 6, [1] * 6, -3.32237, hartmann6),
    "rosenbrock4": ([-5] * 4, [10] * 4, 0.0, rosenbrock),
}


def run(name, sampler, budget):
    lo, hi, fmin, f = PROBLEMS[name]

    def objective(trial):
        return f([trial.suggest_float(f"x{i+1}", lo[i], hi[i]) for i in range(len(lo))])

    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=budget)
    best, out = math.inf, []
    for t in study.trials:
        best = min(best, t.value)
        out.append(best - fmin)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--budgets", default="25,50")
    ap.add_argument("--funcs", default="branin,hartmann6,rosenbrock4")
    ap.add_argument("--samplers", default="tpe,tpe-mv")
    a = ap.parse_args()
    budgets = [int(b) for b in a.budgets.split(",")]
    print("function\tbudget\tsampler\tmedian regret")
    for name in a.funcs.split(","):
        for s in a.samplers.split(","):
            curves = []
            for seed in range(1, a.seeds + 1):
                sampler = optuna.samplers.TPESampler(seed=seed, multivariate=(s == "tpe-mv"))
                curves.append(run(name, sampler, max(budgets)))
            for b in budgets:
                print(f"{name}\t{b}\toptuna {s}\t{statistics.median(c[b-1] for c in curves):.4g}", flush=True)


if __name__ == "__main__":
    main()
