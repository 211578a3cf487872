"""The configurations whose timm 1.0.31 traces are recorded as golden files (inputs only).

``CASES`` is a list of ``(case_id, config)``; ``tests/golden/record_timm.py`` runs each on real timm
(over torch 2.13.0) the way train.py steps it and writes ``tests/golden/timm/<id>.json``. Every
scheduler class and keyword branch appears, stepped per epoch and per update, with one to three
param groups; the ``sec-`` cases use the ``timm:`` section (train.py's arguments), which the
recorder builds through train.py's own path (``scheduler_kwargs``, ``create_scheduler_v2``).
Runs are short so the committed traces stay small.
"""

from __future__ import annotations

from typing import Any

Config = dict[str, Any]
CASES: list[tuple[str, Config]] = []

GROUPS2 = [{"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]
GROUPS3 = [{"name": "embed", "lr": 0.002}, {"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]
# a validation loss that improves, stalls, improves (one value per epoch)
LOSS = [2.0, 1.6, 1.4, 1.35, 1.36, 1.34, 1.35, 1.2, 1.1, 1.1, 1.1, 1.1, 1.1, 1.05, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
        0.99, 0.99, 0.99, 0.99, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98]


def add(case_id: str, scheduler: Any, *, epochs: int = 12, spe: int = 3, step: str | None = None, lr: Any = 0.1,
        groups: list[dict[str, Any]] | None = None, metric: Any = None, iterations: int | None = None) -> None:
    assert all(case_id != cid for cid, _ in CASES), f"duplicate case id {case_id}"
    optimizer: Config = {"param_groups": [dict(g) for g in groups]} if groups is not None else {"lr": lr}
    run: Config = {"iterations": iterations} if iterations is not None else {"epochs": epochs}
    if spe != 1:
        run["steps_per_epoch"] = spe
    if step is not None:
        run["step"] = step
    config: Config = {"name": case_id, "optimizer": optimizer, "run": run, "scheduler": scheduler}
    if metric is not None:
        config["metric"] = metric
    CASES.append((case_id, config))


def section(case_id: str, args: dict[str, Any], *, optimizer: Config | None = None, metric: Any = None) -> None:
    assert all(case_id != cid for cid, _ in CASES), f"duplicate case id {case_id}"
    config: Config = {"name": case_id, "timm": args}
    if optimizer is not None:
        config["optimizer"] = optimizer
    if metric is not None:
        config["metric"] = metric
    CASES.append((case_id, config))


def per_update(**keys: Any) -> dict[str, Any]:
    return {**keys, "t_in_epochs": False}


# ------------------------------------------------------------------------------------------------
# CosineLRScheduler

add("cosine-plain", {"type": "timm.cosine"}, epochs=20, spe=2)
add("cosine-warmup-lr-min", {"type": "timm.cosine", "warmup_t": 3, "warmup_lr_init": 1e-4, "lr_min": 1e-5}, groups=GROUPS2)
add("cosine-warmup-prefix", {"type": "timm.cosine", "t_initial": 16, "warmup_t": 4, "warmup_lr_init": 1e-3, "warmup_prefix": True}, epochs=25, spe=1)
add("cosine-cycles-mul2", {"type": "timm.cosine", "t_initial": 2, "cycle_mul": 2.0, "cycle_decay": 0.5, "cycle_limit": 3, "lr_min": 1e-4}, epochs=20, spe=1)
add("cosine-cycles-mul1", {"type": "timm.cosine", "t_initial": 5, "cycle_decay": 0.5, "cycle_limit": 3}, epochs=20, spe=2, groups=GROUPS2)
add("cosine-cycles-mul1.5-update", per_update(type="timm.cosine", t_initial=6, cycle_mul=1.5, cycle_limit=4, warmup_t=3), epochs=15, spe=4)
add("cosine-cycles-mul3-boundary", per_update(type="timm.cosine", t_initial=10, cycle_mul=3.0, cycle_limit=9, lr_min=1e-3), epochs=130, spe=10)
add("cosine-k-decay", {"type": "timm.cosine", "k_decay": 2.0, "lr_min": 1e-3}, epochs=15, spe=1)
add("cosine-k-decay-update", per_update(type="timm.cosine", k_decay=0.5, warmup_t=5, warmup_lr_init=1e-4), epochs=10, spe=6, groups=GROUPS3)
add("cosine-noise-from", {"type": "timm.cosine", "noise_range_t": 5, "noise_pct": 0.3, "noise_std": 0.5, "noise_seed": 7}, epochs=20, spe=2)
add("cosine-noise-range-update", per_update(type="timm.cosine", noise_range_t=[10, 60], noise_pct=0.1, noise_seed=123), epochs=10, spe=8, groups=GROUPS2)
add("cosine-noise-in-warmup", {"type": "timm.cosine", "warmup_t": 5, "noise_range_t": [1, 9], "noise_seed": -3}, epochs=12, spe=1)
add("cosine-noise-tight", per_update(type="timm.cosine", noise_range_t=0, noise_pct=0.02, noise_std=1.0, noise_seed=2**32 - 5), epochs=6, spe=5)
add("cosine-shorter-than-run", {"type": "timm.cosine", "t_initial": 10, "lr_min": 1e-4}, epochs=20, spe=1)
add("cosine-iterations-per-epoch", {"type": "timm.cosine", "warmup_t": 2}, iterations=50, spe=8, step="epoch")
add("cosine-iterations-per-update", {"type": "timm.cosine", "warmup_t": 6, "lr_min": 1e-5}, iterations=90, spe=1)
add("cosine-cycle-mul-half-raises", {"type": "timm.cosine", "t_initial": 4, "cycle_mul": 0.5, "cycle_limit": 9}, epochs=12, spe=1)

# TanhLRScheduler
add("tanh-plain", {"type": "timm.tanh"}, epochs=15, spe=2)
add("tanh-warmup", {"type": "timm.tanh", "warmup_t": 3, "warmup_lr_init": 1e-4}, groups=GROUPS2)
add("tanh-warmup-prefix", {"type": "timm.tanh", "t_initial": 10, "warmup_t": 3, "warmup_lr_init": 1e-4, "warmup_prefix": True}, epochs=15, spe=1)
add("tanh-cycles", {"type": "timm.tanh", "t_initial": 4, "cycle_mul": 1.5, "cycle_limit": 3, "cycle_decay": 0.5, "lb": -5.0, "ub": 5.0, "lr_min": 1e-4}, epochs=20, spe=1)
add("tanh-update-noise", per_update(type="timm.tanh", warmup_t=4, noise_range_t=[5, 30], noise_std=0.3), epochs=8, spe=5)
add("tanh-lb-not-below-ub", {"type": "timm.tanh", "t_initial": 5, "lb": 3.0, "ub": 3.0}, epochs=5, spe=1)

# StepLRScheduler
add("step-plain", {"type": "timm.step", "decay_t": 3, "decay_rate": 0.5}, epochs=12, spe=2)
add("step-warmup-prefix", {"type": "timm.step", "decay_t": 2, "decay_rate": 0.5, "warmup_t": 2, "warmup_lr_init": 1e-3}, groups=GROUPS2)
add("step-warmup-no-prefix", {"type": "timm.step", "decay_t": 2, "decay_rate": 0.5, "warmup_t": 3, "warmup_lr_init": 1e-3, "warmup_prefix": False}, epochs=12, spe=1)
add("step-fractional-period", {"type": "timm.step", "decay_t": 2.4, "decay_rate": 0.97, "warmup_t": 3, "warmup_lr_init": 1e-6}, epochs=30, spe=1)
add("step-update-noise", per_update(type="timm.step", decay_t=7.5, decay_rate=0.3, noise_range_t=5), epochs=8, spe=4, groups=GROUPS3)
add("step-no-decay-default", {"type": "timm.step", "decay_t": 4}, epochs=8, spe=1)

# MultiStepLRScheduler
add("multistep-plain", {"type": "timm.multistep", "decay_t": [3, 7], "decay_rate": 0.5}, epochs=10, spe=2)
add("multistep-warmup", {"type": "timm.multistep", "decay_t": [4, 8], "decay_rate": 0.1, "warmup_t": 2, "warmup_lr_init": 1e-3}, groups=GROUPS2)
add("multistep-no-prefix", {"type": "timm.multistep", "decay_t": [4, 8], "decay_rate": 0.1, "warmup_t": 2, "warmup_prefix": False}, epochs=10, spe=1)
add("multistep-update", per_update(type="timm.multistep", decay_t=[5, 11, 11, 30], decay_rate=0.5), epochs=6, spe=4)

# PolyLRScheduler
add("poly-power2", {"type": "timm.poly", "power": 2.0, "lr_min": 1e-4}, epochs=12, spe=2)
add("poly-k-decay-warmup", {"type": "timm.poly", "k_decay": 0.5, "warmup_t": 2, "warmup_lr_init": 1e-3}, groups=GROUPS2)
add("poly-cycles-update", per_update(type="timm.poly", t_initial=6, cycle_limit=3, cycle_decay=0.5), epochs=6, spe=4)
add("poly-prefix-mul", {"type": "timm.poly", "t_initial": 4, "cycle_mul": 2.0, "cycle_limit": 2, "warmup_t": 2, "warmup_prefix": True}, epochs=16, spe=1)

# WSDLRScheduler
add("wsd-1-sqrt", {"type": "timm.wsd", "decay_t": 4}, epochs=12, spe=2)
add("wsd-linear-warmup", {"type": "timm.wsd", "t_initial": 8, "decay_t": 3, "decay_fn": "linear", "warmup_t": 2, "warmup_lr_init": 1e-3, "lr_min": 1e-4}, epochs=12, spe=1, groups=GROUPS2)
add("wsd-cosine", {"type": "timm.wsd", "decay_t": 5, "decay_fn": "cosine"}, epochs=12, spe=1)
add("wsd-power", {"type": "timm.wsd", "decay_t": 5, "decay_fn": "power", "decay_power": 2.0}, epochs=12, spe=1)
add("wsd-exp", {"type": "timm.wsd", "decay_t": 5, "decay_fn": "exp", "decay_ratio": 0.05}, epochs=12, spe=1)
add("wsd-rsqrt", {"type": "timm.wsd", "decay_t": 3, "stable_fn": "rsqrt", "warmup_t": 2, "decay_fn": "linear"}, epochs=12, spe=1)
add("wsd-power-stable-update", per_update(type="timm.wsd", decay_t=6, stable_fn="power", stable_power=0.3, stable_timescale=2, warmup_t=3, noise_range_t=[4, 10]), epochs=8, spe=4)
add("wsd-rsqrt-timescale", {"type": "timm.wsd", "decay_t": 3, "stable_fn": "rsqrt", "stable_timescale": 1.5, "lr_min": 0.05}, epochs=10, spe=1)
add("wsd-decay-too-long", {"type": "timm.wsd", "t_initial": 5, "decay_t": 6}, epochs=8, spe=1)
add("wsd-rsqrt-no-timescale", {"type": "timm.wsd", "t_initial": 8, "decay_t": 3, "stable_fn": "rsqrt"}, epochs=8, spe=1)

# PlateauLRScheduler (one metric value per epoch)
add("plateau-min", {"type": "timm.plateau", "decay_rate": 0.5, "patience_t": 1, "mode": "min"}, epochs=20, spe=2, metric={"values": LOSS[:20]})
add("plateau-max-synthetic", {"type": "timm.plateau", "decay_rate": 0.5, "patience_t": 2}, epochs=30, spe=1, metric={"synthetic": {"model": "steps", "every": 6}})
add("plateau-warmup", {"type": "timm.plateau", "decay_rate": 0.5, "patience_t": 1, "mode": "min", "warmup_t": 3, "warmup_lr_init": 1e-3}, epochs=20, spe=2, groups=GROUPS2, metric={"values": LOSS[:20]})
add("plateau-cooldown-lr-min", {"type": "timm.plateau", "decay_rate": 0.1, "patience_t": 0, "mode": "min", "cooldown_t": 2, "lr_min": 0.005}, epochs=20, spe=1, metric={"values": LOSS[:20]})
add("plateau-noise", {"type": "timm.plateau", "decay_rate": 0.5, "patience_t": 1, "mode": "min", "noise_range_t": 3, "noise_pct": 0.2, "noise_seed": 5}, epochs=20, spe=1, metric={"values": LOSS[:20]})
add("plateau-uniform-noise-warmup", {"type": "timm.plateau", "decay_rate": 0.5, "patience_t": 1, "mode": "min", "warmup_t": 2, "noise_range_t": [3, 15], "noise_type": "uniform", "noise_pct": 0.3}, epochs=20, spe=2, metric={"values": LOSS[:20]})
add("plateau-closed-loop-groups", {"type": "timm.plateau", "decay_rate": 0.3, "patience_t": 2, "mode": "min", "warmup_t": 2}, epochs=30, spe=1, groups=GROUPS3, metric={"synthetic": {"seed": 3}})
add("plateau-nan-metric", {"type": "timm.plateau", "decay_rate": 0.5, "patience_t": 1, "mode": "min"}, epochs=10, spe=1, metric={"values": [1.0, 0.9, float("nan"), float("nan"), 0.8, 0.8, 0.8, 0.8, 0.7, 0.7]})
add("plateau-decay-rate-one", {"type": "timm.plateau", "decay_rate": 1.0}, epochs=5, spe=1, metric={"values": LOSS[:5]})

# ------------------------------------------------------------------------------------------------
# The timm: section (train.py's arguments; its defaults for the rest: warmup_epochs 5, ...)

section("sec-cosine-defaults", {"sched": "cosine", "epochs": 20})
section("sec-cosine-updates", {"sched": "cosine", "epochs": 10, "warmup_epochs": 2, "min_lr": 1e-5, "sched_on_updates": True, "updates_per_epoch": 7, "lr": 0.4})
section("sec-cosine-prefix-cooldown", {"sched": "cosine", "epochs": 12, "warmup_epochs": 3, "warmup_prefix": True, "cooldown_epochs": 3, "min_lr": 1e-4, "updates_per_epoch": 2})
section("sec-cosine-cycles", {"sched": "cosine", "epochs": 4, "warmup_epochs": 1, "lr_cycle_limit": 3, "lr_cycle_mul": 1.5, "cooldown_epochs": 2})
section("sec-cosine-cycles-updates", {"sched": "cosine", "epochs": 3, "warmup_epochs": 0, "lr_cycle_limit": 3, "lr_cycle_mul": 2.0, "sched_on_updates": True, "updates_per_epoch": 5, "lr_k_decay": 0.7})
section("sec-cosine-noise", {"sched": "cosine", "epochs": 30, "warmup_epochs": 3, "lr_noise": [0.3, 0.9], "lr_noise_pct": 0.5, "seed": 3})
section("sec-cosine-noise-from-updates", {"sched": "cosine", "epochs": 8, "lr_noise": [0.55], "lr_noise_std": 0.5, "sched_on_updates": True, "updates_per_epoch": 10})
section("sec-tanh", {"sched": "tanh", "epochs": 15, "warmup_epochs": 2, "min_lr": 1e-5, "updates_per_epoch": 2})
section("sec-step-efficientnet", {"sched": "step", "epochs": 30, "decay_epochs": 2.4, "decay_rate": 0.97, "warmup_lr": 1e-6, "lr": 0.016})
section("sec-step-updates", {"sched": "step", "epochs": 8, "decay_epochs": 2.4, "decay_rate": 0.5, "warmup_epochs": 1, "sched_on_updates": True, "updates_per_epoch": 5})
section("sec-constant", {"sched": "constant", "epochs": 10, "warmup_epochs": 3, "warmup_prefix": True})
section("sec-multistep-updates", {"sched": "multistep", "epochs": 15, "decay_milestones": [5, 12], "warmup_epochs": 1, "sched_on_updates": True, "updates_per_epoch": 3})
section("sec-plateau-loss", {"sched": "plateau", "epochs": 30, "eval_metric": "loss", "patience_epochs": 2, "decay_rate": 0.5}, metric={"synthetic": {"model": "steps", "every": 5}})
section("sec-plateau-top1-noise", {"sched": "plateau", "epochs": 20, "patience_epochs": 1, "lr_noise": [0.5], "warmup_epochs": 2}, metric={"synthetic": {"seed": 4}})
section("sec-poly-updates", {"sched": "poly", "epochs": 10, "decay_rate": 2.0, "warmup_epochs": 1, "sched_on_updates": True, "updates_per_epoch": 4})
section("sec-wsd-fraction", {"sched": "wsd", "epochs": 20, "warmup_epochs": 2, "decay_epochs": 0.3, "cooldown_epochs": 1})
section("sec-wsd-prefix-updates", {"sched": "wsd", "epochs": 10, "warmup_epochs": 2, "warmup_prefix": True, "decay_epochs": 0.25, "sched_on_updates": True, "updates_per_epoch": 4, "lr_decay_fn": "cosine"})
section("sec-rsqrt", {"sched": "rsqrt", "epochs": 20, "warmup_epochs": 3, "decay_epochs": 0.2})
section("sec-rsqrt-timescale-updates", {"sched": "rsqrt", "epochs": 10, "warmup_epochs": 0, "decay_epochs": 3, "lr_stable_timescale": 1.5, "sched_on_updates": True, "updates_per_epoch": 3})
section("sec-lr-base-sqrt", {"sched": "cosine", "epochs": 10, "opt": "adamw", "batch_size": 64, "world_size": 8, "lr_base": 5e-4})
section("sec-dataset-plan", {"sched": "cosine", "epochs": 6, "warmup_epochs": 1, "sched_on_updates": True, "dataset_size": 1000, "batch_size": 32, "world_size": 3, "grad_accum_steps": 2})
section("sec-groups", {"sched": "step", "epochs": 12, "decay_epochs": 4, "lr": 0.05}, optimizer={"param_groups": [{"name": "backbone", "lr": 0.005}, {"name": "head"}]})
section("sec-plateau-on-updates", {"sched": "plateau", "epochs": 5, "sched_on_updates": True, "updates_per_epoch": 2}, metric={"synthetic": True})
section("sec-wsd-default-decay", {"sched": "wsd", "epochs": 20})
