"""The configurations whose torch 2.13.0 traces are recorded as golden files.

``CASES`` is a list of ``(case_id, config)`` pairs; each config is a mapping in the YAML schema of
DESIGN.md and must be accepted by ``lrplot.config.load``. These are *inputs* only: the expected
numbers come from real PyTorch, recorded by ``tests/golden/record.py`` into ``traces/<id>.json``.

Keep runs short (a few hundred optimizer steps) so the committed traces stay small. Metric values
for ReduceLROnPlateau are generated here, deterministically, one per scheduler step.
"""

from __future__ import annotations

import math
import random
from typing import Any

Config = dict[str, Any]

CASES: list[tuple[str, Config]] = []

# Optimizer shapes used throughout.
GROUPS2 = [{"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]
GROUPS3 = [{"name": "embed", "lr": 0.002}, {"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]


def add(case_id: str, scheduler: Any, **run: Any) -> None:
    """Append one case (see ``config`` for the keywords)."""
    assert all(case_id != cid for cid, _ in CASES), f"duplicate case id {case_id}"
    CASES.append((case_id, config(case_id, scheduler, **run)))


def config(case_id: str, scheduler: Any, *, epochs: int = 30, spe: int = 1, step: str | None = None,
           lr: float | None = 0.1, momentum: float | None = None, betas: list[float] | None = None,
           groups: list[dict[str, Any]] | None = None, metric: list[float] | None = None) -> Config:
    """A case's config; only the keys that differ from lrplot's defaults are written out."""
    optimizer: Config = {}
    if groups is not None:
        optimizer["param_groups"] = [dict(g) for g in groups]
    elif lr is not None:
        optimizer["lr"] = lr
    if momentum is not None:
        optimizer["momentum"] = momentum
    if betas is not None:
        optimizer["betas"] = list(betas)
    run: Config = {"epochs": epochs}
    if spe != 1:
        run["steps_per_epoch"] = spe
    if step is not None:
        run["step"] = step
    out: Config = {"name": case_id, "optimizer": optimizer, "run": run, "scheduler": scheduler}
    if metric is not None:
        out["metric"] = {"values": list(metric)}
    return out


def metric_curve(n: int, seed: int, *, start: float = 2.0, floor: float = 0.2, rate: float = 0.08,
                 noise: float = 0.02, plateaus: int = 3, offset: float = 0.0, sign: float = 1.0,
                 nan_at: tuple[int, ...] = ()) -> list[float]:
    """A validation-loss-like curve: exponential decay, flat stretches, seeded noise."""
    rng = random.Random(seed)
    flat = set()
    for _ in range(plateaus):
        begin = rng.randrange(max(n, 1))
        flat.update(range(begin, begin + rng.randint(4, 12)))
    values, t = [], 0.0
    for k in range(n):
        if k not in flat:
            t += 1.0
        v = floor + (start - floor) * math.exp(-rate * t) + rng.gauss(0.0, noise)
        values.append(round(sign * v + offset, 6))
    for k in nan_at:
        if k < n:
            values[k] = float("nan")
    return values


def steps_of(epochs: int, spe: int, step: str) -> int:
    """How many times scheduler.step() is called in a run."""
    return epochs if step == "epoch" else epochs * spe


# ------------------------------------------------------------------------------------------------
# Each non-composite class in every step mode (epoch with several steps per epoch, iteration,
# fractional), with a typical configuration.

TYPICAL: dict[str, Config] = {
    "LambdaLR": {"type": "LambdaLR", "lr_lambda": "0.9 ** epoch"},
    "MultiplicativeLR": {"type": "MultiplicativeLR", "lr_lambda": "0.95"},
    "StepLR": {"type": "StepLR", "step_size": 3, "gamma": 0.5},
    "MultiStepLR": {"type": "MultiStepLR", "milestones": [2, 5, 9], "gamma": 0.5},
    "ConstantLR": {"type": "ConstantLR", "factor": 0.5, "total_iters": 4},
    "LinearLR": {"type": "LinearLR", "start_factor": 0.25, "total_iters": 6},
    "ExponentialLR": {"type": "ExponentialLR", "gamma": 0.9},
    "PolynomialLR": {"type": "PolynomialLR", "total_iters": 8, "power": 2.0},
    "CosineAnnealingLR": {"type": "CosineAnnealingLR", "T_max": 7, "eta_min": 0.001},
    "ReduceLROnPlateau": {"type": "ReduceLROnPlateau", "patience": 2, "factor": 0.5},
    "CyclicLR": {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4},
    "OneCycleLR": {"type": "OneCycleLR", "max_lr": 0.1},
    "CosineAnnealingWarmRestarts": {"type": "CosineAnnealingWarmRestarts", "T_0": 3, "T_mult": 2},
}

for _cls, _sched in TYPICAL.items():
    for _mode, _epochs, _spe in (("epoch", 12, 4), ("iteration", 12, 4), ("fractional", 12, 4)):
        _kw: dict[str, Any] = {}
        if _cls == "ReduceLROnPlateau":
            _kw["metric"] = metric_curve(steps_of(_epochs, _spe, _mode), seed=len(CASES))
        if _cls in ("CyclicLR", "OneCycleLR"):
            _kw["momentum"] = 0.9
        add(f"mode-{_cls.lower()}-{_mode}", dict(_sched), epochs=_epochs, spe=_spe, step=_mode, **_kw)

# ------------------------------------------------------------------------------------------------
# StepLR / MultiStepLR

add("steplr-basic", {"type": "StepLR", "step_size": 10}, epochs=50)
add("steplr-alias-gamma-half", {"type": "step", "step_size": 3, "gamma": 0.5}, epochs=30)
add("steplr-step1", {"type": "StepLR", "step_size": 1, "gamma": 0.9}, epochs=60)
add("steplr-gamma-above-1", {"type": "StepLR", "step_size": 4, "gamma": 1.5}, epochs=20)
add("steplr-groups3-momentum", {"type": "StepLR", "step_size": 5, "gamma": 0.3}, epochs=25, groups=GROUPS3, momentum=0.9)
add("steplr-adam", {"type": "StepLR", "step_size": 7, "gamma": 0.7}, epochs=30, betas=[0.9, 0.999])
add("steplr-last-epoch-default", {"type": "StepLR", "step_size": 5, "last_epoch": -1}, epochs=20)

add("multistep-basic", {"type": "MultiStepLR", "milestones": [30, 80]}, epochs=100)
add("multistep-unsorted", {"type": "MultiStepLR", "milestones": [20, 5, 12], "gamma": 0.5}, epochs=30)
add("multistep-duplicate", {"type": "MultiStepLR", "milestones": [5, 10, 10, 15], "gamma": 0.5}, epochs=25)
add("multistep-milestone-zero", {"type": "MultiStepLR", "milestones": [0, 10], "gamma": 0.5}, epochs=20)
add("multistep-single-int", {"type": "multistep", "milestones": 8, "gamma": 0.2}, epochs=16)
add("multistep-beyond-run", {"type": "MultiStepLR", "milestones": [3, 500]}, epochs=10)
add("multistep-groups2", {"type": "MultiStepLR", "milestones": [4, 8], "gamma": 0.25}, epochs=12, groups=GROUPS2, momentum=0.95)

# ------------------------------------------------------------------------------------------------
# ConstantLR / LinearLR

add("constant-default", {"type": "ConstantLR"}, epochs=12)
add("constant-total0", {"type": "ConstantLR", "factor": 0.5, "total_iters": 0}, epochs=10)
add("constant-half", {"type": "constant", "factor": 0.5, "total_iters": 10}, epochs=20)
add("constant-factor1", {"type": "ConstantLR", "factor": 1.0, "total_iters": 5}, epochs=10)
add("constant-factor0-total0", {"type": "ConstantLR", "factor": 0.0, "total_iters": 0}, epochs=8)
add("constant-groups2", {"type": "ConstantLR", "factor": 0.1, "total_iters": 3}, epochs=8, groups=GROUPS2)

add("linear-default", {"type": "LinearLR"}, epochs=12)
add("linear-warmup", {"type": "LinearLR", "start_factor": 0.1, "end_factor": 1.0, "total_iters": 10}, epochs=20)
add("linear-decay", {"type": "LinearLR", "start_factor": 1.0, "end_factor": 0.1, "total_iters": 20}, epochs=30)
add("linear-end-factor0", {"type": "linear", "start_factor": 1.0, "end_factor": 0.0, "total_iters": 10}, epochs=20)
add("linear-total0", {"type": "LinearLR", "start_factor": 0.5, "total_iters": 0}, epochs=10)
add("linear-tiny-start", {"type": "LinearLR", "start_factor": 0.001, "total_iters": 100}, epochs=120)
add("linear-iteration-warmup", {"type": "LinearLR", "start_factor": 0.01, "total_iters": 250}, epochs=3, spe=100, step="iteration")
add("linear-groups3", {"type": "LinearLR", "start_factor": 0.2, "end_factor": 0.8, "total_iters": 7}, epochs=10, groups=GROUPS3)

# ------------------------------------------------------------------------------------------------
# ExponentialLR / PolynomialLR / CosineAnnealingLR

add("exponential-basic", {"type": "ExponentialLR", "gamma": 0.9}, epochs=50)
add("exponential-slow-long", {"type": "exponential", "gamma": 0.999}, epochs=3000)
add("exponential-gamma1", {"type": "ExponentialLR", "gamma": 1.0}, epochs=10)
add("exponential-groups2-adam", {"type": "ExponentialLR", "gamma": 0.8}, epochs=20, groups=GROUPS2, betas=[0.95, 0.99])

add("poly-default", {"type": "PolynomialLR"}, epochs=10)
add("poly-power-half", {"type": "PolynomialLR", "total_iters": 20, "power": 0.5}, epochs=25)
add("poly-power-2", {"type": "poly", "total_iters": 20, "power": 2.0}, epochs=25)
add("poly-past-total", {"type": "PolynomialLR", "total_iters": 10, "power": 1.0}, epochs=30)
add("poly-power0", {"type": "PolynomialLR", "total_iters": 6, "power": 0.0}, epochs=10)
add("poly-iteration", {"type": "PolynomialLR", "total_iters": 300, "power": 0.9}, epochs=4, spe=80, step="iteration")

add("cosine-basic", {"type": "CosineAnnealingLR", "T_max": 50}, epochs=50)
add("cosine-eta-min", {"type": "CosineAnnealingLR", "T_max": 30, "eta_min": 0.001}, epochs=30)
add("cosine-rises-again", {"type": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.01}, epochs=65)
add("cosine-tmax1", {"type": "CosineAnnealingLR", "T_max": 1}, epochs=10)
add("cosine-tmax-from-run", {"type": "cosine"}, epochs=40)
add("cosine-iteration-long", {"type": "CosineAnnealingLR", "T_max": 2000, "eta_min": 1e-5}, epochs=20, spe=100, step="iteration")
add("cosine-groups3-momentum", {"type": "CosineAnnealingLR", "T_max": 20, "eta_min": 0.0005}, epochs=30, groups=GROUPS3, momentum=0.9)

# ------------------------------------------------------------------------------------------------
# LambdaLR / MultiplicativeLR

LAMBDAS = {
    "pow": "0.95 ** epoch",
    "floordiv": "epoch // 10",
    "warmup": "min(1.0, (epoch + 1) / 5)",
    "invsqrt": "1 / sqrt(max(epoch, 1))",
    "intstep": "1 if epoch < 10 else 0",
    "cond": "0.5 if epoch % 7 == 0 else 1.0",
    "cos": "0.5 * (1 + cos(pi * epoch / 30))",
}
for _key, _expr in LAMBDAS.items():
    add(f"lambda-{_key}", {"type": "LambdaLR", "lr_lambda": _expr}, epochs=30)
add("lambda-groups2-list", {"type": "LambdaLR", "lr_lambda": ["0.9 ** epoch", "epoch // 5 + 1"]}, epochs=20, groups=GROUPS2)
add("lambda-groups3-list", {"type": "lambda", "lr_lambda": ["1.0", "0.5 ** (epoch // 4)", "exp(-0.1 * epoch)"]}, epochs=20, groups=GROUPS3)
add("lambda-constant-int", {"type": "LambdaLR", "lr_lambda": "2"}, epochs=5)

MULTS = {
    "const": "0.95",
    "pow": "0.95 ** epoch",
    "cond": "0.5 if epoch % 10 == 0 else 1.0",
    "int": "1",
    "intzero": "1 if epoch < 6 else 0",
    "floordiv": "epoch // 3 + 1",
}
for _key, _expr in MULTS.items():
    add(f"multiplicative-{_key}", {"type": "MultiplicativeLR", "lr_lambda": _expr}, epochs=20)
add("multiplicative-groups2-list", {"type": "multiplicative", "lr_lambda": ["0.9", "0.99 ** epoch"]}, epochs=25, groups=GROUPS2)

# ------------------------------------------------------------------------------------------------
# CyclicLR

CYC = {"type": "CyclicLR", "base_lr": 0.001, "max_lr": 0.1, "step_size_up": 10}
add("cyclic-triangular", dict(CYC), epochs=100)
add("cyclic-triangular2", dict(CYC, mode="triangular2"), epochs=120)
add("cyclic-exp-range", dict(CYC, mode="exp_range", gamma=0.99), epochs=100)
add("cyclic-scale-fn-cycle", dict(CYC, scale_fn="1 / (2.0 ** (x - 1))", scale_mode="cycle"), epochs=100)
add("cyclic-scale-fn-iterations", dict(CYC, scale_fn="0.995 ** x", scale_mode="iterations"), epochs=100)
add("cyclic-scale-fn-default-mode", dict(CYC, scale_fn="1 / x"), epochs=80)
add("cyclic-up-down", dict(CYC, step_size_up=5, step_size_down=15), epochs=100)
add("cyclic-down0", dict(CYC, step_size_up=6, step_size_down=0), epochs=40)
add("cyclic-no-momentum-cycle", dict(CYC, cycle_momentum=False), epochs=60, momentum=0.9)
add("cyclic-sgd-default-momentum", dict(CYC), epochs=50)
add("cyclic-momentum", dict(CYC, base_momentum=0.85, max_momentum=0.95), epochs=60, momentum=0.9)
add("cyclic-adam", dict(CYC, mode="triangular2"), epochs=80, betas=[0.9, 0.999])
add("cyclic-groups2-lists", dict(CYC, base_lr=[0.0001, 0.001], max_lr=[0.01, 0.1]), epochs=60, groups=GROUPS2, momentum=0.9)
add("cyclic-groups3-momentum-lists", dict(CYC, base_lr=0.001, max_lr=[0.01, 0.05, 0.1], base_momentum=[0.8, 0.85, 0.7],
                                          max_momentum=[0.9, 0.95, 0.99]), epochs=60, groups=GROUPS3, momentum=0.9)
add("cyclic-epoch-stepping", dict(CYC, step_size_up=3), epochs=20, spe=5, step="epoch", momentum=0.9)
add("cyclic-default-size-long", {"type": "cyclic", "base_lr": 0.0001, "max_lr": 0.01}, epochs=3000, step="iteration")
add("cyclic-exp-range-long-gamma", dict(CYC, mode="exp_range", gamma=0.9995, step_size_up=50), epochs=10, spe=100)

# ------------------------------------------------------------------------------------------------
# OneCycleLR

OC = {"type": "OneCycleLR", "max_lr": 0.1}
add("onecycle-cos", dict(OC, total_steps=100), epochs=100)
add("onecycle-linear", dict(OC, total_steps=100, anneal_strategy="linear"), epochs=100)
add("onecycle-three-phase", dict(OC, total_steps=100, three_phase=True), epochs=100)
add("onecycle-three-phase-linear", dict(OC, total_steps=90, three_phase=True, anneal_strategy="linear"), epochs=90)
add("onecycle-pct0", dict(OC, total_steps=50, pct_start=0.0), epochs=50)
add("onecycle-pct025", dict(OC, total_steps=80, pct_start=0.25), epochs=80)
add("onecycle-pct05", dict(OC, total_steps=80, pct_start=0.5), epochs=80)
add("onecycle-pct1-short", dict(OC, total_steps=61, pct_start=1.0), epochs=60)
add("onecycle-pct05-three-phase", dict(OC, total_steps=60, pct_start=0.5, three_phase=True), epochs=60)
add("onecycle-div-factors", dict(OC, total_steps=120, div_factor=10.0, final_div_factor=100.0), epochs=120)
add("onecycle-no-momentum-cycle", dict(OC, total_steps=60, cycle_momentum=False), epochs=60, momentum=0.9)
add("onecycle-sgd-default-momentum", dict(OC, total_steps=60), epochs=60)
add("onecycle-momentum-range", dict(OC, total_steps=60, base_momentum=0.8, max_momentum=0.99), epochs=60, momentum=0.9)
add("onecycle-adam", dict(OC, total_steps=100), epochs=100, betas=[0.9, 0.999])
add("onecycle-epochs-spe", dict(OC, epochs=10, steps_per_epoch=20), epochs=10, spe=20)
add("onecycle-total-from-run", dict(OC), epochs=5, spe=40)
add("onecycle-groups2-max-lr", dict(OC, max_lr=[0.01, 0.1], total_steps=80), epochs=80, groups=GROUPS2, momentum=0.9)
add("onecycle-groups3-momentum-lists", dict(OC, max_lr=[0.005, 0.05, 0.5], total_steps=70, base_momentum=[0.8, 0.85, 0.9],
                                            max_momentum=[0.9, 0.95, 0.99]), epochs=70, groups=GROUPS3, momentum=0.9)
add("onecycle-longer-total", dict(OC, total_steps=150), epochs=100)
add("error-onecycle-one-step-over", dict(OC, total_steps=100, anneal_strategy="linear", three_phase=True), epochs=101)
add("onecycle-long", dict(OC, max_lr=0.01, total_steps=3000, three_phase=True), epochs=30, spe=100)

# ------------------------------------------------------------------------------------------------
# CosineAnnealingWarmRestarts

WR = {"type": "CosineAnnealingWarmRestarts"}
add("restarts-tmult1", dict(WR, T_0=10), epochs=50)
add("restarts-tmult2", dict(WR, T_0=5, T_mult=2), epochs=80)
add("restarts-tmult3", dict(WR, T_0=2, T_mult=3), epochs=90)
add("restarts-eta-min", dict(WR, T_0=8, T_mult=2, eta_min=0.001), epochs=60)
add("restarts-t0-1", dict(WR, T_0=1), epochs=10)
for _spe in (3, 7, 10):
    add(f"restarts-fractional-spe{_spe}", dict(WR, T_0=4, T_mult=2, eta_min=0.0001), epochs=30, spe=_spe, step="fractional")
add("restarts-fractional-tmult1", dict(WR, T_0=5, eta_min=0.001), epochs=20, spe=7, step="fractional")
add("restarts-fractional-tmult3", dict(WR, T_0=1, T_mult=3), epochs=40, spe=3, step="fractional")
add("restarts-iteration", dict(WR, T_0=50, T_mult=2), epochs=30, spe=10, step="iteration")
add("restarts-groups2-adam", dict(WR, T_0=6, T_mult=2, eta_min=0.0001), epochs=40, groups=GROUPS2, betas=[0.9, 0.98])

# ------------------------------------------------------------------------------------------------
# ReduceLROnPlateau

PL = {"type": "ReduceLROnPlateau"}


def plateau(case_id: str, sched: Config, *, epochs: int = 80, spe: int = 1, step: str | None = None,
            seed: int = 0, groups: list[dict[str, Any]] | None = None, momentum: float | None = None,
            **curve: Any) -> None:
    n = steps_of(epochs, spe, step or "epoch")
    add(case_id, sched, epochs=epochs, spe=spe, step=step, groups=groups, momentum=momentum,
        metric=metric_curve(n, seed, **curve))


plateau("plateau-default", dict(PL), epochs=120, seed=1, rate=0.05, plateaus=5)
plateau("plateau-patience0", dict(PL, patience=0, factor=0.5), epochs=60, seed=2)
plateau("plateau-factor-half", dict(PL, patience=3, factor=0.5), seed=3)
plateau("plateau-cooldown", dict(PL, patience=2, factor=0.5, cooldown=4), seed=4)
plateau("plateau-max-mode", dict(PL, mode="max", patience=3, factor=0.5), seed=5, sign=-1.0, offset=3.0)
plateau("plateau-max-abs", dict(PL, mode="max", threshold_mode="abs", threshold=0.01, patience=2), seed=6, sign=-1.0, offset=3.0)
plateau("plateau-abs", dict(PL, threshold_mode="abs", threshold=0.02, patience=2, factor=0.5), seed=7)
plateau("plateau-big-threshold", dict(PL, threshold=0.1, patience=1, factor=0.5), seed=8)
plateau("plateau-min-lr", dict(PL, patience=1, factor=0.5, min_lr=0.01), seed=9)
plateau("plateau-min-lr-list", dict(PL, patience=1, factor=0.3, min_lr=[0.001, 0.02]), seed=10, groups=GROUPS2)
plateau("plateau-eps-skip", dict(PL, patience=1, factor=0.5, eps=0.01), seed=11)
plateau("plateau-nan", dict(PL, patience=2, factor=0.5), seed=12, nan_at=(0, 5, 6, 7, 20, 21, 22, 40))
plateau("plateau-negative-rel", dict(PL, patience=2, factor=0.5, threshold=0.05), seed=13, offset=-3.0)
plateau("plateau-negative-max-rel", dict(PL, mode="max", patience=2, factor=0.5, threshold=0.05), seed=14, sign=-1.0, offset=-0.5)
plateau("plateau-iteration", dict(PL, patience=15, factor=0.5, cooldown=5), epochs=20, spe=10, step="iteration", seed=15, rate=0.01)
plateau("plateau-epoch-spe", dict(PL, patience=2, factor=0.5), epochs=30, spe=8, seed=16)
plateau("plateau-groups3-momentum", dict(PL, patience=2, factor=0.2, min_lr=1e-4), seed=17, groups=GROUPS3, momentum=0.9)
plateau("plateau-noisy-flat", dict(PL, patience=4, factor=0.7, cooldown=2), epochs=150, seed=18, noise=0.05, rate=0.02)
add("plateau-constant-metric", dict(PL, patience=3, factor=0.5), epochs=30, metric=[1.0] * 30)
add("plateau-all-nan", dict(PL, patience=1, factor=0.5), epochs=15, metric=[float("nan")] * 15)

# ------------------------------------------------------------------------------------------------
# SequentialLR

WARM = {"type": "LinearLR", "start_factor": 0.1, "total_iters": 5}
add("seq-warmup-cosine", {"type": "SequentialLR", "milestones": [5], "schedulers": [dict(WARM), {"type": "CosineAnnealingLR", "T_max": 95}]}, epochs=100)
add("seq-warmup-cosine-default-tmax", {"type": "sequential", "milestones": [10],
    "schedulers": [{"type": "LinearLR", "start_factor": 0.01, "total_iters": 10}, {"type": "CosineAnnealingLR", "eta_min": 0.001}]}, epochs=60)
add("seq-three-phases", {"type": "SequentialLR", "milestones": [5, 20],
    "schedulers": [dict(WARM), {"type": "ConstantLR", "factor": 1.0, "total_iters": 1}, {"type": "ExponentialLR", "gamma": 0.9}]}, epochs=40)
add("seq-milestone-zero", {"type": "SequentialLR", "milestones": [0],
    "schedulers": [dict(WARM), {"type": "ExponentialLR", "gamma": 0.9}]}, epochs=20)
add("seq-milestone-zero-three", {"type": "SequentialLR", "milestones": [0, 8],
    "schedulers": [{"type": "ConstantLR", "factor": 0.5}, {"type": "StepLR", "step_size": 2, "gamma": 0.5}, {"type": "ExponentialLR", "gamma": 0.8}]}, epochs=20)
add("seq-docs-constant-exponential", {"type": "SequentialLR", "milestones": [20],
    "schedulers": [{"type": "ConstantLR", "factor": 0.1, "total_iters": 20}, {"type": "ExponentialLR", "gamma": 0.9}]}, epochs=60, lr=0.05)
_LATER = {
    "multiplicative": {"type": "MultiplicativeLR", "lr_lambda": "0.9"},
    "exponential": {"type": "ExponentialLR", "gamma": 0.85},
    "steplr": {"type": "StepLR", "step_size": 4, "gamma": 0.5},
    "constant": {"type": "ConstantLR", "factor": 0.5, "total_iters": 3},
    "lambda": {"type": "LambdaLR", "lr_lambda": "0.9 ** epoch"},
    "multistep": {"type": "MultiStepLR", "milestones": [0, 3, 6], "gamma": 0.5},
    "poly": {"type": "PolynomialLR", "total_iters": 10, "power": 2.0},
    "linear": {"type": "LinearLR", "start_factor": 1.0, "end_factor": 0.1, "total_iters": 10},
    "cyclic": {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3},
    "onecycle": {"type": "OneCycleLR", "max_lr": 0.2},
    "restarts": {"type": "CosineAnnealingWarmRestarts", "T_0": 4, "T_mult": 2, "eta_min": 0.001},
    "cosine": {"type": "CosineAnnealingLR", "T_max": 6, "eta_min": 0.01},
}
for _key, _child in _LATER.items():
    _step = "iteration" if _key in ("cyclic", "onecycle") else "epoch"
    add(f"seq-later-{_key}", {"type": "SequentialLR", "milestones": [6], "schedulers": [dict(WARM), dict(_child)]},
        epochs=30, step=_step, momentum=0.9 if _key in ("cyclic", "onecycle") else None)
add("seq-two-onecycle", {"type": "SequentialLR", "milestones": [50],
    "schedulers": [{"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 50}, {"type": "OneCycleLR", "max_lr": 0.05, "total_steps": 50}]},
    epochs=100, momentum=0.9)
add("seq-onecycle-then-constant", {"type": "SequentialLR", "milestones": [40],
    "schedulers": [{"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 40}, {"type": "ConstantLR", "factor": 1.0}]}, epochs=60)
add("seq-cyclic-first", {"type": "SequentialLR", "milestones": [30],
    "schedulers": [{"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}, {"type": "ExponentialLR", "gamma": 0.95}]},
    epochs=60, betas=[0.9, 0.99])
add("seq-restarts-first", {"type": "SequentialLR", "milestones": [15],
    "schedulers": [{"type": "CosineAnnealingWarmRestarts", "T_0": 5}, {"type": "StepLR", "step_size": 5, "gamma": 0.5}]}, epochs=30)
add("seq-groups3", {"type": "SequentialLR", "milestones": [4, 12],
    "schedulers": [{"type": "LinearLR", "start_factor": 0.2, "total_iters": 4}, {"type": "CosineAnnealingLR", "T_max": 8}, {"type": "ConstantLR", "factor": 0.1, "total_iters": 100}]},
    epochs=24, groups=GROUPS3, momentum=0.9)
add("seq-iteration-spe", {"type": "SequentialLR", "milestones": [50],
    "schedulers": [{"type": "LinearLR", "start_factor": 0.01, "total_iters": 50}, {"type": "CosineAnnealingLR", "T_max": 250}]},
    epochs=6, spe=50, step="iteration")
add("seq-epoch-spe", {"type": "SequentialLR", "milestones": [3],
    "schedulers": [dict(WARM), {"type": "ExponentialLR", "gamma": 0.8}]}, epochs=10, spe=4)
add("seq-milestone-beyond-run", {"type": "SequentialLR", "milestones": [100],
    "schedulers": [dict(WARM), {"type": "ExponentialLR", "gamma": 0.8}]}, epochs=20)
add("seq-single-child", {"type": "SequentialLR", "milestones": [], "schedulers": [{"type": "StepLR", "step_size": 3}]}, epochs=12)
add("seq-equal-milestones", {"type": "SequentialLR", "milestones": [5, 5],
    "schedulers": [dict(WARM), {"type": "ConstantLR", "factor": 0.5}, {"type": "ExponentialLR", "gamma": 0.9}]}, epochs=15)

# ------------------------------------------------------------------------------------------------
# ChainedScheduler

add("chain-docs-constant-exponential", {"type": "ChainedScheduler",
    "schedulers": [{"type": "ConstantLR", "factor": 0.1, "total_iters": 20}, {"type": "ExponentialLR", "gamma": 0.9}]}, epochs=40, lr=0.05)
add("chain-lambda-overrides", {"type": "chained",
    "schedulers": [{"type": "ExponentialLR", "gamma": 0.9}, {"type": "LambdaLR", "lr_lambda": "1 / (epoch + 1)"}]}, epochs=20)
add("chain-cosine-eta-min", {"type": "ChainedScheduler",
    "schedulers": [{"type": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.01}, {"type": "StepLR", "step_size": 7, "gamma": 0.5}]}, epochs=35)
add("chain-warmup-step", {"type": "ChainedScheduler",
    "schedulers": [{"type": "LinearLR", "start_factor": 0.1, "total_iters": 5}, {"type": "MultiStepLR", "milestones": [10, 20]}]}, epochs=30)
add("chain-three", {"type": "ChainedScheduler",
    "schedulers": [{"type": "ConstantLR", "factor": 0.5, "total_iters": 4}, {"type": "PolynomialLR", "total_iters": 15, "power": 1.5},
                   {"type": "MultiplicativeLR", "lr_lambda": "0.98"}]}, epochs=20)
add("chain-single", {"type": "ChainedScheduler", "schedulers": [{"type": "ExponentialLR", "gamma": 0.7}]}, epochs=10)
add("chain-cyclic-exponential", {"type": "ChainedScheduler",
    "schedulers": [{"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}, {"type": "ExponentialLR", "gamma": 0.99}]},
    epochs=40, momentum=0.9)
add("chain-restarts-constant", {"type": "ChainedScheduler",
    "schedulers": [{"type": "ConstantLR", "factor": 0.5, "total_iters": 3}, {"type": "CosineAnnealingWarmRestarts", "T_0": 4}]}, epochs=20)
add("chain-onecycle-multiplicative", {"type": "ChainedScheduler",
    "schedulers": [{"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 50}, {"type": "MultiplicativeLR", "lr_lambda": "0.99"}]},
    epochs=50, momentum=0.9)
add("chain-groups2", {"type": "ChainedScheduler",
    "schedulers": [{"type": "LinearLR", "start_factor": 0.5, "total_iters": 3}, {"type": "CosineAnnealingLR", "T_max": 12, "eta_min": 0.001}]},
    epochs=24, groups=GROUPS2, betas=[0.9, 0.999])
add("chain-iteration-spe", {"type": "ChainedScheduler",
    "schedulers": [{"type": "LinearLR", "start_factor": 0.1, "total_iters": 20}, {"type": "ExponentialLR", "gamma": 0.995}]},
    epochs=5, spe=20, step="iteration")

# ------------------------------------------------------------------------------------------------
# Nesting

CHAIN = {"type": "ChainedScheduler", "schedulers": [{"type": "ConstantLR", "factor": 0.5, "total_iters": 3}, {"type": "ExponentialLR", "gamma": 0.9}]}
add("nest-seq-first-chain", {"type": "SequentialLR", "milestones": [8], "schedulers": [CHAIN, {"type": "CosineAnnealingLR", "T_max": 12}]}, epochs=20)
add("nest-seq-only-chain", {"type": "SequentialLR", "milestones": [], "schedulers": [CHAIN]}, epochs=12)
add("nest-chain-with-seq", {"type": "ChainedScheduler", "schedulers": [
    {"type": "SequentialLR", "milestones": [5], "schedulers": [dict(WARM), {"type": "ExponentialLR", "gamma": 0.9}]},
    {"type": "StepLR", "step_size": 6, "gamma": 0.5}]}, epochs=20)
add("nest-seq-in-seq-first", {"type": "SequentialLR", "milestones": [10], "schedulers": [
    {"type": "SequentialLR", "milestones": [4], "schedulers": [dict(WARM), {"type": "ExponentialLR", "gamma": 0.9}]},
    {"type": "CosineAnnealingLR", "T_max": 10}]}, epochs=20)
add("nest-chain-in-chain", {"type": "ChainedScheduler", "schedulers": [CHAIN, {"type": "MultiplicativeLR", "lr_lambda": "0.97"}]}, epochs=15)

# ------------------------------------------------------------------------------------------------
# torch raises (the error is the golden outcome)

add("error-onecycle-too-short", dict(OC, total_steps=50), epochs=60)
add("error-onecycle-epochs-spe-too-short", dict(OC, epochs=4, steps_per_epoch=10), epochs=5, spe=10)
add("error-onecycle-pct1-full-run", dict(OC, total_steps=40, pct_start=1.0), epochs=40)
add("error-onecycle-zero-phase", dict(OC, total_steps=100, pct_start=0.01), epochs=100)
add("error-onecycle-zero-phase-three", dict(OC, total_steps=10, pct_start=0.1, three_phase=True), epochs=10)
add("error-constant-factor0", {"type": "ConstantLR", "factor": 0.0, "total_iters": 4}, epochs=10)
add("error-seq-later-linear-total0", {"type": "SequentialLR", "milestones": [5],
    "schedulers": [{"type": "ExponentialLR", "gamma": 0.9}, {"type": "LinearLR", "start_factor": 0.5, "total_iters": 0}]}, epochs=10)
add("error-seq-later-chain", {"type": "SequentialLR", "milestones": [5], "schedulers": [dict(WARM), CHAIN]}, epochs=12)
add("error-seq-later-seq", {"type": "SequentialLR", "milestones": [5], "schedulers": [
    dict(WARM), {"type": "SequentialLR", "milestones": [3], "schedulers": [{"type": "ConstantLR"}, {"type": "ExponentialLR", "gamma": 0.9}]}]}, epochs=12)
add("error-seq-later-onecycle-too-short", {"type": "SequentialLR", "milestones": [10],
    "schedulers": [dict(WARM), {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 10}]}, epochs=30)
add("error-chain-constant-factor0", {"type": "ChainedScheduler",
    "schedulers": [{"type": "ConstantLR", "factor": 0.0, "total_iters": 3}, {"type": "ExponentialLR", "gamma": 0.9}]}, epochs=8)


# ------------------------------------------------------------------------------------------------
# Long runs (recursion drift against closed forms) and numeric corner cases

add("cosine-many-periods", {"type": "CosineAnnealingLR", "T_max": 7, "eta_min": 0.001}, epochs=3000)
add("cosine-eta-min-above-lr", {"type": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.5}, epochs=30)
add("cosine-zero-lr-group", {"type": "CosineAnnealingLR", "T_max": 8, "eta_min": 0.001}, epochs=20,
    groups=[{"name": "frozen", "lr": 0.0}, {"name": "head", "lr": 0.1}])
add("linear-long-warmup", {"type": "LinearLR", "start_factor": 0.001, "total_iters": 2500}, epochs=30, spe=100, step="iteration")
add("poly-long", {"type": "PolynomialLR", "total_iters": 2900, "power": 0.5}, epochs=3000)
add("multiplicative-long", {"type": "MultiplicativeLR", "lr_lambda": "0.999 if epoch % 2 else 1.0005"}, epochs=3000)
add("restarts-long-iteration", {"type": "CosineAnnealingWarmRestarts", "T_0": 10, "T_mult": 2, "eta_min": 1e-6}, epochs=30, spe=100, step="iteration")
add("exponential-underflow", {"type": "ExponentialLR", "gamma": 0.001}, epochs=120)
add("onecycle-total1", dict(OC, total_steps=1), epochs=1)
add("onecycle-total2-three-phase", dict(OC, total_steps=3, three_phase=True, pct_start=0.2), epochs=3)
add("onecycle-epoch-stepping-spe", dict(OC, total_steps=25, anneal_strategy="linear"), epochs=20, spe=6, step="epoch", betas=[0.85, 0.99])
add("cyclic-size1-down0", dict(CYC, step_size_up=1, step_size_down=0), epochs=10)
add("cyclic-scale-fn-int", dict(CYC, scale_fn="1 if x < 3 else 0", scale_mode="cycle"), epochs=100)
for _tm, _ep in ((3, 130), (5, 160)):
    add(f"restarts-fractional-log-rounding-tmult{_tm}", {"type": "CosineAnnealingWarmRestarts", "T_0": 1, "T_mult": _tm},
        epochs=_ep, spe=2, step="fractional")
add("restarts-fractional-t0-3-tmult2", {"type": "CosineAnnealingWarmRestarts", "T_0": 3, "T_mult": 2}, epochs=100, spe=3, step="fractional")
add("lambda-negative", {"type": "LambdaLR", "lr_lambda": "cos(pi * epoch / 10)"}, epochs=30)
add("lambda-negative-zero", {"type": "LambdaLR", "lr_lambda": "0.0 * (5 - epoch)"}, epochs=10)
add("lambda-tanh-log", {"type": "LambdaLR", "lr_lambda": "tanh(log(epoch + 1))"}, epochs=30)
add("lambda-int-power", {"type": "LambdaLR", "lr_lambda": "2 ** (epoch // 3)"}, epochs=20, lr=0.001)
plateau("plateau-min-lr-above", dict(PL, patience=1, factor=0.5, min_lr=0.5), epochs=30, seed=19)
plateau("plateau-factor0", dict(PL, patience=2, factor=0.0), epochs=30, seed=20)
plateau("plateau-fractional-cooldown", dict(PL, patience=3, factor=0.5, cooldown=3, threshold_mode="abs", threshold=0.005),
        epochs=20, spe=5, step="fractional", seed=21, rate=0.02)

# Optimizer spellings
CASES.append(("optimizer-adam-type", {"name": "optimizer-adam-type", "optimizer": {"type": "Adam", "lr": 0.01}, "run": {"epochs": 40},
              "scheduler": {"type": "OneCycleLR", "max_lr": 0.05}}))
CASES.append(("optimizer-lr-list", {"name": "optimizer-lr-list", "optimizer": {"lr": [0.01, 0.1]}, "run": {"epochs": 20},
              "scheduler": {"type": "StepLR", "step_size": 5, "gamma": 0.5}}))
CASES.append(("optimizer-group-default-lr", {"name": "optimizer-group-default-lr",
              "optimizer": {"lr": 0.05, "momentum": 0.9, "param_groups": [{"name": "a"}, {"name": "b", "lr": 0.2}]},
              "run": {"epochs": 30}, "scheduler": {"type": "CosineAnnealingLR", "T_max": 30}}))
CASES.append(("optimizer-momentum-zero", {"name": "optimizer-momentum-zero", "optimizer": {"lr": 0.1, "momentum": 0.0},
              "run": {"epochs": 20}, "scheduler": {"type": "ExponentialLR", "gamma": 0.9}}))
CASES.append(("scheduler-shorthand-string", {"name": "scheduler-shorthand-string", "run": {"epochs": 25}, "scheduler": "cosine"}))
CASES.append(("defaults-everywhere", {"scheduler": {"type": "warm_restarts", "T_0": 10}}))

# Composites where construction order moves initial_lr (OneCycleLR overwrites it, CyclicLR sets lr)
add("seq-onecycle-then-cosine", {"type": "SequentialLR", "milestones": [30],
    "schedulers": [{"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 30}, {"type": "CosineAnnealingLR", "T_max": 30}]}, epochs=60)
add("seq-exponential-onecycle-step", {"type": "SequentialLR", "milestones": [10, 40],
    "schedulers": [{"type": "ExponentialLR", "gamma": 0.9}, {"type": "OneCycleLR", "max_lr": 0.3, "total_steps": 30},
                   {"type": "StepLR", "step_size": 5, "gamma": 0.5}]}, epochs=60, momentum=0.9)
add("seq-onecycle-then-cyclic", {"type": "SequentialLR", "milestones": [20],
    "schedulers": [{"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 20}, {"type": "CyclicLR", "base_lr": 0.001, "max_lr": 0.01, "step_size_up": 5}]},
    epochs=50, momentum=0.9)
add("seq-cyclic-then-onecycle", {"type": "SequentialLR", "milestones": [20],
    "schedulers": [{"type": "CyclicLR", "base_lr": 0.001, "max_lr": 0.01, "step_size_up": 5}, {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 30}]},
    epochs=50, betas=[0.9, 0.999])
add("seq-onecycle-then-lambda", {"type": "SequentialLR", "milestones": [20],
    "schedulers": [{"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 20}, {"type": "LambdaLR", "lr_lambda": "0.9 ** epoch"}]}, epochs=40)
add("seq-later-constant-total0", {"type": "SequentialLR", "milestones": [5],
    "schedulers": [{"type": "ExponentialLR", "gamma": 0.8}, {"type": "ConstantLR", "factor": 0.5, "total_iters": 0}]}, epochs=15)
add("seq-later-linear-decreasing", {"type": "SequentialLR", "milestones": [4],
    "schedulers": [{"type": "ConstantLR", "factor": 0.2, "total_iters": 10}, {"type": "LinearLR", "start_factor": 0.9, "end_factor": 0.05, "total_iters": 12}]},
    epochs=25)
add("seq-in-seq-milestone-zero", {"type": "SequentialLR", "milestones": [6], "schedulers": [
    {"type": "SequentialLR", "milestones": [0], "schedulers": [dict(WARM), {"type": "StepLR", "step_size": 2, "gamma": 0.7}]},
    {"type": "ExponentialLR", "gamma": 0.9}]}, epochs=15)
add("chain-onecycle-cosine", {"type": "ChainedScheduler",
    "schedulers": [{"type": "CosineAnnealingLR", "T_max": 20, "eta_min": 0.001}, {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 40}]},
    epochs=40)
add("chain-two-cyclic", {"type": "ChainedScheduler",
    "schedulers": [{"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4},
                   {"type": "CyclicLR", "base_lr": 0.001, "max_lr": 0.05, "step_size_up": 7, "base_momentum": 0.5, "max_momentum": 0.6}]},
    epochs=40, momentum=0.9)
add("chain-lambda-then-multiplicative-groups2", {"type": "ChainedScheduler",
    "schedulers": [{"type": "LambdaLR", "lr_lambda": ["0.9 ** epoch", "1.0"]}, {"type": "MultiplicativeLR", "lr_lambda": ["1.0", "0.95"]}]},
    epochs=20, groups=GROUPS2)

# Recursive cosine against its closed form over many periods (drift grows with the period)
add("cosine-drift-tmax305", {"type": "CosineAnnealingLR", "T_max": 305}, epochs=3000, lr=0.36055509702450067)
add("cosine-drift-tmax250", {"type": "CosineAnnealingLR", "T_max": 250, "eta_min": 0.001}, epochs=3000, lr=0.36055509702450067)
add("cosine-drift-eta-min-near-lr", {"type": "CosineAnnealingLR", "T_max": 334, "eta_min": 0.007}, epochs=597, lr=0.00859273318921798, momentum=0.68)
add("cosine-drift-eta-min-above-lr", {"type": "CosineAnnealingLR", "T_max": 365, "eta_min": 0.005457}, epochs=532, lr=0.002595)

# Unusual but legal keyword combinations torch accepts
add("cyclic-base-above-max", dict(CYC, base_lr=0.1, max_lr=0.01, step_size_up=5), epochs=40, momentum=0.9)
add("onecycle-total-and-epochs", dict(OC, total_steps=30, epochs=3, steps_per_epoch=10), epochs=30)
add("onecycle-momentum-inverted", dict(OC, total_steps=40, base_momentum=0.95, max_momentum=0.85), epochs=40, momentum=0.9)
add("onecycle-pct-int0", dict(OC, total_steps=30, pct_start=0), epochs=30)
add("constant-factor0-fractional", {"type": "ConstantLR", "factor": 0.0, "total_iters": 3}, epochs=8, spe=2, step="fractional")
add("error-linear-total0-fractional", {"type": "LinearLR", "start_factor": 0.5, "total_iters": 0}, epochs=8, spe=2, step="fractional")
add("error-constant-factor0-iteration", {"type": "ConstantLR", "factor": 0.0, "total_iters": 7}, epochs=4, spe=3, step="iteration")

# Expressions torch never evaluates where they are undefined (MultiplicativeLR skips epoch 0; the
# lambda is called one step past the run's last observed step, and no further).
add("multiplicative-undefined-at-0", {"type": "MultiplicativeLR", "lr_lambda": "min(1.0, 10 / epoch)"}, epochs=20)
add("multiplicative-log-at-0", {"type": "MultiplicativeLR", "lr_lambda": "log(epoch + 2) / log(epoch + 1)"}, epochs=20, lr=0.001)
add("lambda-pole-past-run", {"type": "LambdaLR", "lr_lambda": "1 / (31 - epoch)"}, epochs=30)
add("cyclic-scale-fn-pole-past-run", dict(CYC, scale_fn="1 / (7 - x)", scale_mode="cycle"), epochs=100)
add("cyclic-scale-fn-iterations-edge-of-domain", dict(CYC, scale_fn="sqrt(100 - x)", scale_mode="iterations"), epochs=100)


# Expressions that fail while torch steps. Not recorded: lrplot.reference hands torch lrplot's own
# Expr evaluator as the lambda, so the "torch" outcome is lrplot's ExprError rather than the
# ZeroDivisionError / ValueError / OverflowError a Python lambda raises. Move these into CASES once
# the reference evaluates the expression text as real Python.
EXPRESSION_FAILURES: list[tuple[str, Config]] = []
_n_before = len(CASES)
add("error-lambda-div-zero", {"type": "LambdaLR", "lr_lambda": "1 / (epoch - 3)"}, epochs=10)
add("error-lambda-math-domain", {"type": "LambdaLR", "lr_lambda": "sqrt(5 - epoch)"}, epochs=10)
add("error-lambda-log0-construction", {"type": "LambdaLR", "lr_lambda": "log(epoch)"}, epochs=10)
add("error-lambda-exp-overflow", {"type": "LambdaLR", "lr_lambda": "exp(epoch * 100)"}, epochs=10)
add("error-lambda-int-overflow", {"type": "LambdaLR", "lr_lambda": "10 ** epoch"}, epochs=320)
add("error-multiplicative-div-zero", {"type": "MultiplicativeLR", "lr_lambda": "1 / (epoch % 4)"}, epochs=10)
add("error-cyclic-scale-fn-div0", dict(CYC, scale_fn="1 / x", scale_mode="iterations"), epochs=10)

EXPRESSION_FAILURES.extend(CASES[_n_before:])
del CASES[_n_before:]


CASE_IDS = [cid for cid, _ in CASES]
assert len(set(CASE_IDS)) == len(CASE_IDS)


# ReduceLROnPlateau fed replayed logs (tests/golden/logs, in the formats people export) and the
# synthetic models: torch is fed exactly what lrplot feeds its own engine.
def log_case(case_id: str, log: str, column: str, epoch_column: str | None = None, **plateau_args: Any) -> None:
    metric = {"csv": f"logs/{log}", "column": column}
    if epoch_column:
        metric["epoch_column"] = epoch_column
    CASES.append((case_id, {"name": case_id, "optimizer": {"lr": 0.1}, "run": {"epochs": 60},
                            "scheduler": dict(PL, patience=3, factor=0.5, **plateau_args), "metric": metric}))


log_case("log-pandas", "pandas.csv", "val_loss")
log_case("log-pandas-max-acc", "pandas.csv", "val_acc", mode="max")
log_case("log-keras", "keras.csv", "val_loss", cooldown=2)
log_case("log-lightning", "lightning.csv", "val_loss", epoch_column="epoch")
log_case("log-tensorboard", "tensorboard.csv", "Value", epoch_column="Step", threshold_mode="abs", threshold=0.01)

for model, extra in (("closed_loop", {}), ("exp_decay", {"rate": 0.05}), ("steps", {"every": 12, "rate": 0.3}), ("noisy", {})):
    CASES.append((f"synthetic-{model}", {"name": f"synthetic-{model}", "optimizer": {"lr": 0.1, "momentum": 0.9}, "run": {"epochs": 120},
                                         "scheduler": dict(PL, patience=5, factor=0.5), "metric": {"synthetic": {"model": model, "seed": 3, **extra}}}))
CASES.append(("synthetic-closed-loop-max-cooldown", {"name": "synthetic-closed-loop-max-cooldown", "run": {"epochs": 100},
                                                     "scheduler": dict(PL, mode="max", patience=4, factor=0.3, cooldown=3),
                                                     "metric": {"synthetic": {"noise": 0.003, "seed": 7}}}))
CASES.append(("synthetic-closed-loop-iteration", {"name": "synthetic-closed-loop-iteration", "run": {"epochs": 10, "steps_per_epoch": 20, "step": "iteration"},
                                                  "optimizer": {"lr": [0.05, 0.1]},
                                                  "scheduler": dict(PL, patience=20, factor=0.5, min_lr=[0.001, 0.01]),
                                                  "metric": {"synthetic": {"rate": 0.02, "seed": 11}}}))


# Runs counted in iterations, training plans, vars and the run's names in expressions (issue 9).
def run_case(case_id: str, scheduler: Any, run: Config, **extra: Any) -> None:
    CASES.append((case_id, {"name": case_id, "optimizer": extra.pop("optimizer", {"lr": 0.1}), "run": run, "scheduler": scheduler, **extra}))


run_case("iterations-cosine", {"type": "cosine"}, {"iterations": 250})
run_case("iterations-yaml12-numbers", {"type": "cosine", "eta_min": 1e-6, "T_max": 2e2}, {"iterations": 2.5e2}, optimizer={"lr": 5e-5})
# an iteration run that ends inside its last epoch, the scheduler stepped per epoch or fractionally
run_case("iterations-partial-epoch-step", {"type": "StepLR", "step_size": 2, "gamma": 0.5}, {"iterations": 103, "steps_per_epoch": 10, "step": "epoch"})
run_case("iterations-partial-epoch-cosine", {"type": "cosine"}, {"iterations": 95, "steps_per_epoch": 20, "step": "epoch"})
run_case("iterations-partial-epoch-fractional", {"type": "warm_restarts", "T_0": 2}, {"iterations": 77, "steps_per_epoch": 10, "step": "fractional"})
run_case("iterations-partial-epoch-plateau", dict(PL, patience=1), {"iterations": 57, "steps_per_epoch": 8, "step": "epoch"},
         metric={"values": metric_curve(7, seed=91)})
run_case("plan-8-devices-accum", {"type": "OneCycleLR", "max_lr": 0.1}, {"epochs": 3, "dataset_size": 5000, "batch_size": 32, "devices": 8, "grad_accum": 4})
run_case("plan-drop-last-iteration-cosine", {"type": "cosine"}, {"epochs": 4, "dataset_size": 1000, "batch_size": 64, "drop_last": True, "step": "iteration"})
# nanoGPT's get_lr (karpathy/nanoGPT train.py), written with vars and the run's names
NANOGPT = ("(step + 1) / (warmup_iters + 1) if step < warmup_iters else (min_lr / base_lr if step > lr_decay_iters else "
           "(min_lr + 0.5 * (1.0 + cos(pi * (step - warmup_iters) / (lr_decay_iters - warmup_iters))) * (base_lr - min_lr)) / base_lr)")
run_case("vars-nanogpt", {"type": "LambdaLR", "lr_lambda": NANOGPT}, {"iterations": 300}, optimizer={"lr": 6e-4, "betas": [0.9, 0.95]},
         vars={"warmup_iters": 20, "lr_decay_iters": "total_steps - 30", "min_lr": 6e-5})
run_case("vars-base-lr-groups", {"type": "LambdaLR", "lr_lambda": "max(0.0, 1 - step / total_steps) + floor_lr / base_lr"},
         {"epochs": 20, "steps_per_epoch": 3}, optimizer={"param_groups": GROUPS2}, vars={"floor_lr": 1e-3})
run_case("run-names-cyclic-scale-fn", dict(CYC, scale_fn="1 / (1 + x / epochs)", scale_mode="cycle"), {"epochs": 6, "steps_per_epoch": 10})
