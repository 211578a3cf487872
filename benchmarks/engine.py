"""lrplot's engine against stepping the real library, side by side in one process.

    python benchmarks/engine.py            # needs the reference extra (torch, transformers, timm, ultralytics, fvcore, mmengine, ...)
    python benchmarks/engine.py --closed-forms   # every Keras and optax schedule, 1M steps, float64 and float32

For each run: lrplot's vectorized engine (the default), its exact step-by-step engine, and the real
library (torch, transformers' get_scheduler over a torch optimizer, timm stepped as its train.py
steps it, ultralytics' schedule code in its training loop, fvcore's ParamSchedulers under detectron2's
transcribed LRMultiplier as its trainer steps them, mmengine's schedulers stepped as its
ParamSchedulerHook steps them, DeepSpeed's engine on CPU, Megatron's OptimizerParamScheduler stepped in
samples, or torchtitan's LambdaLR) stepping the same scheduler the way DESIGN.md says. The library is timed on a prefix
of the long runs and scaled per step (said in the output); the schedules are given explicit lengths
so a prefix steps exactly what the full run would. Times are the best of several repeats; the ratios
are what to read, since this machine is shared and noisy.
"""

from __future__ import annotations

import time

import lrplot
from lrplot.code import library_code
from lrplot.config import load
from lrplot.frameworks.detectron2.reference import trace as detectron2_trace
from lrplot.frameworks.timm.reference import timm_trace
from lrplot.frameworks.torch.reference import torch_trace
from lrplot.frameworks.transformers.reference import get_scheduler_trace
from lrplot.frameworks.yolo.reference import yolo_trace

RUNS = {
    "OneCycleLR, 1,000,000 iterations": (
        {"scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 1_000_000}},
        {"epochs": 1000, "steps_per_epoch": 1000, "step": "iteration"},
    ),
    "SequentialLR(LinearLR, CosineAnnealingLR), 1,000,000 iterations": (
        {
            "scheduler": {
                "type": "SequentialLR",
                "milestones": [50_000],
                "schedulers": [
                    {"type": "LinearLR", "start_factor": 0.01, "total_iters": 50_000},
                    {"type": "CosineAnnealingLR", "T_max": 950_000},
                ],
            }
        },
        {"epochs": 1000, "steps_per_epoch": 1000, "step": "iteration"},
    ),
    "transformers.cosine (get_scheduler), 1,000,000 iterations": (
        {"scheduler": {"type": "transformers.cosine", "num_warmup_steps": 10_000, "num_training_steps": 1_000_000}},
        {"iterations": 1_000_000},
    ),
    "timm.cosine per update (step_update), warmup, 1,000,000 updates": (
        {"scheduler": {"type": "timm.cosine", "t_initial": 1_000_000, "warmup_t": 50_000, "warmup_lr_init": 1e-6, "lr_min": 1e-5}},
        {"epochs": 1000, "steps_per_epoch": 1000, "step": "iteration"},
    ),
    "timm train.py --sched cosine --epochs 150 --warmup-epochs 5 (1251 updates/epoch)": (
        {"timm": {"sched": "cosine", "epochs": 150, "warmup_epochs": 5, "lr": 0.4, "updates_per_epoch": 1251}},
        None,
    ),
    "deepspeed.WarmupCosineLR (engine stepping), 1,000,000 steps": (
        {"scheduler": {"type": "deepspeed.WarmupCosineLR", "total_num_steps": 1_000_000, "warmup_num_steps": 2000, "warmup_type": "linear"}},
        {"iterations": 1_000_000},
    ),
    "deepspeed.WarmupDecayLR (log warmup, fp16 skips), 1,000,000 steps": (
        {"scheduler": {"type": "deepspeed.WarmupDecayLR", "total_num_steps": 1_000_000, "warmup_num_steps": 2000, "warmup_max_lr": 0.001,
                       "skipped_steps": list(range(12))}},
        {"iterations": 1_000_000},
    ),
    "deepspeed.OneCycle (beta1 cycled), 1,000,000 steps": (
        {"optimizer": {"lr": 0.01, "betas": [0.9, 0.999]},
         "scheduler": {"type": "deepspeed.OneCycle", "cycle_min_lr": 1e-4, "cycle_max_lr": 1e-3, "cycle_first_step_size": 300_000,
                       "decay_step_size": 1000, "decay_lr_rate": 0.1}},
        {"iterations": 1_000_000},
    ),
    "deepspeed.LRRangeTest, 1,000,000 steps": (
        {"scheduler": {"type": "deepspeed.LRRangeTest", "lr_range_test_step_size": 1000, "lr_range_test_staircase": True}},
        {"iterations": 1_000_000},
    ),
    "megatron cosine in samples, batch ramp-up, 1,000,000 iterations": (
        {"scheduler": {"type": "megatron.OptimizerParamScheduler", "lr_decay_style": "cosine", "lr_warmup_steps": 2_000_000,
                       "lr_decay_steps": 1_000_000_000, "min_lr": 1e-5, "increment": 1024, "rampup_batch_size": [32, 32, 50_000_000]}},
        {"iterations": 1_000_000},
    ),
    "megatron WSD (minus_sqrt anneal), 1,000,000 iterations": (
        {"scheduler": {"type": "megatron.OptimizerParamScheduler", "lr_decay_style": "WSD", "lr_wsd_decay_style": "minus_sqrt",
                       "lr_warmup_steps": 2000, "lr_decay_steps": 1_000_000, "wsd_decay_steps": 200_000}},
        {"iterations": 1_000_000},
    ),
    "torchtitan cosine WSD, 1,000,000 steps": (
        {"scheduler": {"type": "torchtitan.linear_warmup_stable_decay", "warmup_steps": 2000, "decay_ratio": 0.2, "decay_type": "cosine",
                       "min_lr_factor": 0.1, "total_steps": 1_000_000}},
        {"iterations": 1_000_000},
    ),
    "nanoGPT's get_lr from train.py (type: code), 1,000,000 iterations": (
        {"scheduler": {"type": "code", "function": "tests/fixtures/code/nanogpt/train.py:get_lr", "when": "iteration"}},
        {"iterations": 1_000_000},
    ),
    "yolo.ultralytics (cos_lr, 3-epoch warmup of lr and momentum), 1,000,000 batches": (
        {"optimizer": {"momentum": 0.937, "param_groups": [{"name": "weight", "lr": 0.01}, {"name": "bn", "lr": 0.01}, {"name": "bias", "lr": 0.01}]},
         "scheduler": {"type": "yolo.ultralytics", "cos_lr": True, "warmup_epochs": 3.0}},
        {"epochs": 100, "steps_per_epoch": 10_000},
    ),
    "detectron2 Warmup(CosineParamScheduler) (LRMultiplier), 1,000,000 iterations": (
        {"scheduler": {"type": "detectron2.WarmupParamScheduler", "warmup_factor": 0.001, "warmup_length": 0.01,
                       "scheduler": {"type": "detectron2.CosineParamScheduler", "start_value": 1.0, "end_value": 0.0}}},
        {"iterations": 1_000_000},
    ),
    "detectron2 Composite(Linear, Exponential, Poly), 1,000,000 iterations": (
        {"scheduler": {"type": "detectron2.CompositeParamScheduler", "lengths": [0.1, 0.6, 0.3], "interval_scaling": ["rescaled"] * 3,
                       "schedulers": [{"type": "detectron2.LinearParamScheduler", "start_value": 0.0, "end_value": 1.0},
                                      {"type": "detectron2.ExponentialParamScheduler", "start_value": 1.0, "decay": 0.1},
                                      {"type": "detectron2.PolynomialDecayParamScheduler", "base_value": 0.1, "power": 2.0}]}},
        {"iterations": 1_000_000},
    ),
    "detectron2 legacy WarmupMultiStepLR, 1,000,000 iterations": (
        {"scheduler": {"type": "detectron2.WarmupMultiStepLR", "milestones": [600_000, 800_000], "warmup_iters": 10_000}},
        {"iterations": 1_000_000},
    ),
    "detectron2 SOLVER 3x (Base-RCNN-FPN: Warmup + MultiStep), 270,000 iterations": (
        {"detectron2": {"BASE_LR": 0.02, "IMS_PER_BATCH": 16, "STEPS": [210000, 250000], "MAX_ITER": 270000}},
        None,
    ),
    "mmengine LinearLR + CosineAnnealingLR (convert_to_iter_based), 1,000,000 iterations": (
        {"scheduler": {"type": "mmengine.param_scheduler", "schedulers": [
            {"type": "mmengine.LinearLR", "start_factor": 0.001, "end": 20, "convert_to_iter_based": True},
            {"type": "mmengine.CosineAnnealingLR", "eta_min": 1e-5, "begin": 20, "convert_to_iter_based": True}]}},
        {"epochs": 1000, "steps_per_epoch": 1000},
    ),
    "mmengine PolyLR (mmsegmentation), 1,000,000 iterations": (
        {"scheduler": {"type": "mmengine.PolyLR", "eta_min": 1e-4, "power": 0.9, "by_epoch": False}},
        {"iterations": 1_000_000},
    ),
    "mmengine OneCycleLR, 1,000,000 iterations": (
        {"scheduler": {"type": "mmengine.OneCycleLR", "eta_max": 0.1, "by_epoch": False}},
        {"iterations": 1_000_000},
    ),
    "mmengine LinearLR (500 it) + MultiStepLR (mmdetection 1x), 12 x 7330 iterations": (
        {"scheduler": {"type": "mmengine.param_scheduler", "schedulers": [
            {"type": "mmengine.LinearLR", "start_factor": 0.001, "by_epoch": False, "end": 500},
            {"type": "mmengine.MultiStepLR", "milestones": [8, 11]}]}},
        {"epochs": 12, "steps_per_epoch": 7330},
    ),
    "StepLR, 100 epochs": (
        {"scheduler": {"type": "StepLR", "step_size": 30, "gamma": 0.1}},
        {"epochs": 100, "steps_per_epoch": 1, "step": "epoch"},
    ),
}
TORCH_PREFIX_STEPS = 20_000


def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f}ms" if seconds >= 1e-3 else f"{seconds * 1e6:.0f}us"


def function_trace(config: dict) -> None:
    """The user's own function (a copied fixture), run in its loop: what lrplot's translation stands for."""
    import ast
    import math

    spec = load(config)
    (part,) = spec.scheduler.params["translated"].parts
    namespace = {"math": math, **dict(part.names)}
    exec(compile(ast.parse(part.source), part.program.where, "exec"), namespace)  # noqa: S102 - the benchmark runs the fixture
    function = namespace[ast.parse(part.source).body[0].name]
    groups = [{"lr": g.lr} for g in spec.optimizer.groups]
    for step in range(spec.run.total_steps):
        lr = function(step)
        for group in groups:
            group["lr"] = lr


def library_trace(config: dict) -> None:
    """Step the real library: transformers' schedules through get_scheduler, timm's as train.py does, torch's directly."""
    kind = config["scheduler"]["type"] if "scheduler" in config else ""
    stack = kind.split(".", 1)[0]
    if kind == "code":
        function_trace(config)
    elif "detectron2" in config or kind.startswith("detectron2."):
        detectron2_trace(config)
    elif stack in ("deepspeed", "megatron", "torchtitan"):
        import importlib

        importlib.import_module(f"lrplot.frameworks.{stack}.reference").trace(config)
    elif "timm" in config or kind.startswith("timm."):
        timm_trace(config)
    elif kind.startswith("mmengine."):
        # the code `lrplot code` writes: mmengine's schedulers built by PARAM_SCHEDULERS, stepped as ParamSchedulerHook does
        exec(compile(library_code(load(config)), "<lrplot code>", "exec"), {})
    elif kind.startswith("transformers."):
        get_scheduler_trace(config)
    elif kind.startswith("yolo."):
        yolo_trace(config)  # ultralytics' own schedule code in its training loop's order
    else:
        torch_trace(load(config))


def _prefix(run: dict) -> dict:
    if "iterations" in run:
        return {**run, "iterations": TORCH_PREFIX_STEPS}
    return {**run, "epochs": TORCH_PREFIX_STEPS // run["steps_per_epoch"]}


def every_closed_form(steps: int = 1_000_000) -> list[tuple[str, str, float]]:
    """(schedule, dtype, seconds) for the example of every schedule of the frameworks whose schedules are pure
    functions of the step (Keras, optax), over ``steps`` steps: the engine evaluates them all at once."""
    from lrplot.registry import family

    out = []
    for name in ("keras", "optax"):
        for info in family(name).schedulers:
            for dtype in ("float64", "float32"):
                spec = load({"scheduler": {"type": info.name, **info.example}, "run": {"iterations": steps, "dtype": dtype}})
                out.append((info.name, dtype, best_of(lambda: lrplot.simulate(spec), 3)))
    return out


def main() -> None:
    import sys

    if "--closed-forms" in sys.argv:  # no library needed
        for name, dtype, seconds in every_closed_form():
            print(f"{name:<44} {dtype}  1,000,000 steps  {_ms(seconds):>8}")
        return
    import torch
    import transformers

    from lrplot.frameworks.timm.reference import timm_version

    print(f"torch {torch.__version__}, transformers {transformers.__version__}, timm {timm_version()}, lrplot {lrplot.__version__}")
    print(f"{'run':<68} {'lrplot':>10} {'exact':>10} {'library':>10} {'library/lrplot':>15}")
    for label, (config, run) in RUNS.items():
        if run is None:  # a timm: or detectron2: section sets its own run
            spec = load(config)
            fast = best_of(lambda: lrplot.simulate(spec), 5)
            exact = best_of(lambda: lrplot.simulate(spec, exact=True), 5)
            library_time = best_of(lambda: library_trace(config), 2)
            print(f"{label:<68} {_ms(fast):>10} {_ms(exact):>10} {_ms(library_time):>10} {library_time / fast:>14.0f}x")
            continue
        spec = load({**config, "run": run})
        steps = spec.run.total_steps
        fast = best_of(lambda: lrplot.simulate(spec), 5)
        exact = best_of(lambda: lrplot.simulate(spec, exact=True), 1 if steps > 100_000 else 5)
        if steps > TORCH_PREFIX_STEPS:
            prefix = {**config, "run": _prefix(run)}
            prefix_steps = load(prefix).run.total_steps
            library_time = best_of(lambda: library_trace(prefix), 2) * steps / prefix_steps
            note = f"  (library timed on the first {prefix_steps:,} steps, scaled)"
        else:
            library_time = best_of(lambda: library_trace({**config, "run": run}), 5)
            note = ""
        print(f"{label:<68} {_ms(fast):>10} {_ms(exact):>10} {_ms(library_time):>10} {library_time / fast:>14.0f}x{note}")


if __name__ == "__main__":
    main()
