#!/usr/bin/python3
"""Optuna 3.1's NSGA-II and TPE on bench/multiobjective's problems.

Median hypervolume (same reference points) over the seeds at each budget.
Run with Debian's python3-optuna: /usr/bin/python3 bench/optuna/multiobjective.py
"""
import argparse
import math
import statistics

import numpy as np
import optuna
from optuna._hypervolume import WFG

optuna.logging.set_verbosity(optuna.logging.WARNING)


def zdt_g(x):
    return 1 + 9 * sum(x[1:]) / (len(x) - 1)


def zdt1(x):
    g = zdt_g(x)
    return [x[0], g * (1 - math.sqrt(x[0] / g))]


def zdt2(x):
    g = zdt_g(x)
    return [x[0], g * (1 - (x[0] / g) ** 2)]


def dtlz2(x):
    g = sum((v - 0.5) ** 2 for v in x[2:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b), (1 + g) * math.sin(a)]


PROBLEMS = {"zdt1": (30, [11, 11], zdt1), "zdt2": (30, [11, 11], zdt2), "dtlz2": (12, [3, 3, 3], dtlz2)}


def hypervolume(points, ref):
    inside = [p for p in points if all(a < r for a, r in zip(p, ref))]
    if not inside:
        return 0.0
    return WFG().compute(np.array(inside), np.array(ref, dtype=float))


def run(name, sampler, budget, checkpoints):
    dims, ref, f = PROBLEMS[name]
    study = optuna.create_study(directions=["minimize"] * len(ref), sampler=sampler)
    study.optimize(lambda t: f([t.suggest_float(f"x{i:02d}", 0, 1) for i in range(dims)]), n_trials=budget)
    values = [t.values for t in study.trials]
    return {b: hypervolume(values[:b], ref) for b in checkpoints}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budgets", default="100,300")
    ap.add_argument("--samplers", default="nsga2,tpe")
    ap.add_argument("--problems", default="zdt1,zdt2,dtlz2")
    a = ap.parse_args()
    budgets = [int(b) for b in a.budgets.split(",")]
    print("problem\tbudget\tsampler\tmedian hypervolume")
    for name in a.problems.split(","):
        for s in a.samplers.split(","):
            runs = []
            for seed in range(1, a.seeds + 1):
                sampler = optuna.samplers.NSGAIISampler(seed=seed) if s == "nsga2" else optuna.samplers.TPESampler(seed=seed)
                runs.append(run(name, sampler, max(budgets), budgets))
            for b in budgets:
                print(f"{name}\t{b}\toptuna {s}\t{statistics.median(r[b] for r in runs):.4g}", flush=True)


if __name__ == "__main__":
    main()
