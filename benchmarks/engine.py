"""lrplot's engines against stepping the real library, side by side in one process.

    python benchmarks/engine.py            # needs the reference extra (torch, transformers, timm, ultralytics, fvcore, mmengine, ...)
    python benchmarks/engine.py --closed-forms   # every Keras and optax schedule, 1M steps, float64 and float32

For each run: lrplot's vectorized engine (the default), its exact step-by-step engine (``--exact``,
bit-identical to the library), and the real library two ways:

- ``loop``: as a training loop steps it (record the lr, ``optimizer.step()`` on one tensor per
  group, ``scheduler.step()``; transformers' get_scheduler over a torch optimizer, timm as its
  train.py does, ultralytics' schedule code in its training loop, fvcore's ParamSchedulers under
  detectron2's transcribed LRMultiplier as its trainer steps them, mmengine's schedulers as its
  ParamSchedulerHook steps them, DeepSpeed's engine on CPU, Megatron's OptimizerParamScheduler
  stepped in samples, or torchtitan's LambdaLR), timed on a prefix of the long runs and scaled per step;
- ``scheduler``: the library's scheduler object alone, stepped in a bare loop that records the lr,
  with no optimizer step: the least the library can spend, and what ``--exact`` must beat by 2x
  (``scheduler/exact``). Lambdas are native Python functions here (nanoGPT's ``get_lr`` as its
  train.py writes it), not lrplot's expressions.

The schedules have explicit lengths so a prefix steps exactly what the full run would. Times are
the best of several repeats, in CPU time; read the ratios, since this machine is shared and noisy.
"""

from __future__ import annotations

import math
import time
import warnings

import lrplot
from lrplot.code import library_code
from lrplot.config import load

# The references (lrplot.frameworks.*.reference) import the real libraries: they load where a run needs
# them, so --help and --closed-forms work without the reference extra.

NANOGPT = {  # configs/nanogpt-cosine.yaml: GPT-2 124M's schedule in nanoGPT's train.py
    "learning_rate": 6e-4, "warmup_iters": 2000, "lr_decay_iters": 600_000, "min_lr": 6e-5,
}


def nanogpt_get_lr(it: int) -> float:
    """nanoGPT's ``get_lr`` (karpathy/nanoGPT, train.py), divided by the base lr as LambdaLR's factor."""
    c = NANOGPT
    if it < c["warmup_iters"]:
        lr = c["learning_rate"] * (it + 1) / (c["warmup_iters"] + 1)
    elif it > c["lr_decay_iters"]:
        lr = c["min_lr"]
    else:
        decay_ratio = (it - c["warmup_iters"]) / (c["lr_decay_iters"] - c["warmup_iters"])
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        lr = c["min_lr"] + coeff * (c["learning_rate"] - c["min_lr"])
    return lr / c["learning_rate"]


RUNS = {
    "CosineAnnealingLR, 1,000,000 iterations": (
        {"scheduler": {"type": "CosineAnnealingLR", "T_max": 1_000_000}},
        {"iterations": 1_000_000, "step": "iteration"},
    ),
    "OneCycleLR, 1,000,000 iterations": (
        {"scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 1_000_000}},
        {"epochs": 1000, "steps_per_epoch": 1000, "step": "iteration"},
    ),
    "nanoGPT: LambdaLR (its get_lr), 600,000 iterations": ("configs/nanogpt-cosine.yaml", None),
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
LOOP_PREFIX_STEPS = 20_000
SCHEDULER_PREFIX_STEPS = 200_000


def best_of(fn, repeats: int) -> float:
    """The least CPU time of ``repeats`` runs (CPU, not wall: the other processes on this machine
    then slow both sides of a ratio alike)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
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
    """Step the real library as a training loop: transformers' schedules through get_scheduler, timm's as train.py does, torch's directly."""
    from lrplot.frameworks.detectron2.reference import trace as detectron2_trace
    from lrplot.frameworks.timm.reference import timm_trace
    from lrplot.frameworks.torch.reference import torch_trace
    from lrplot.frameworks.transformers.reference import get_scheduler_trace
    from lrplot.frameworks.yolo.reference import yolo_trace

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
    elif kind.startswith("transformers."):
        get_scheduler_trace(config)
    elif kind.startswith("mmengine."):
        # the code `lrplot code` writes: mmengine's schedulers built by PARAM_SCHEDULERS, stepped as ParamSchedulerHook does
        exec(compile(library_code(load(config)), "<lrplot code>", "exec"), {})
    elif kind.startswith("yolo."):
        yolo_trace(config)  # ultralytics' own schedule code in its training loop's order
    else:
        torch_trace(load(config))


def scheduler_alone(config: dict | str, steps: int) -> float | None:
    """Seconds for ``steps`` of the library's scheduler alone (record the lr, step it), or None where not measured."""
    import torch

    from lrplot.frameworks.timm.reference import timm_scheduler_module
    from lrplot.frameworks.torch.reference import build_torch_scheduler
    from lrplot.frameworks.transformers.reference import scheduler_arguments

    spec = load(config)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1)) for _ in spec.optimizer.groups][:1], lr=spec.optimizer.groups[0].lr, momentum=0.9)
    node = spec.scheduler
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if isinstance(config, str) and "nanogpt" in config:
            sched = torch.optim.lr_scheduler.LambdaLR(opt, nanogpt_get_lr)
        elif node.type.startswith("transformers."):
            import transformers

            name, args = scheduler_arguments(config, spec.run.length)
            sched = transformers.get_scheduler(name, opt, **args)
        elif node.type.startswith("timm."):
            ts = timm_scheduler_module()
            sched = ts.CosineLRScheduler(opt, **{k: v for k, v in node.params.items() if k != "noise_range_t"})
            group = opt.param_groups[0]
            lrs = []
            t0 = time.process_time()
            for k in range(1, steps + 1):
                lrs.append(group["lr"])
                sched.step_update(k)
            return time.process_time() - t0
        elif spec.run.step == "iteration" and node.info.family == "torch":
            sched = build_torch_scheduler(opt, node)
        else:
            return None  # the other libraries' schedulers: their loop column stands for them
        group = opt.param_groups[0]
        lrs = []
        t0 = time.process_time()
        for _ in range(steps):
            lrs.append(group["lr"])
            sched.step()
        return time.process_time() - t0


def _prefix(config: dict, run: dict) -> dict:
    if "iterations" in run:
        return {**config, "run": {**run, "iterations": LOOP_PREFIX_STEPS}}
    return {**config, "run": {**run, "epochs": LOOP_PREFIX_STEPS // run["steps_per_epoch"]}}


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
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="only the runs whose label holds this text")
    parser.add_argument("--closed-forms", action="store_true", help="time every closed form over 1,000,000 steps instead (no library needed)")
    args = parser.parse_args()
    if args.closed_forms:  # no library needed
        for name, dtype, seconds in every_closed_form():
            print(f"{name:<44} {dtype}  1,000,000 steps  {_ms(seconds):>8}")
        return
    import torch
    import transformers

    from lrplot.frameworks.timm.reference import timm_version

    print(f"torch {torch.__version__}, transformers {transformers.__version__}, timm {timm_version()}, lrplot {lrplot.__version__}")
    print(f"{'run':<66} {'lrplot':>9} {'exact':>9} {'loop':>9} {'scheduler':>10} {'loop/lrplot':>12} {'scheduler/exact':>16}")
    for label, (config, run) in RUNS.items():
        if args.only not in label:
            continue
        if run is not None:
            config = {**config, "run": run}
        spec = load(config)
        steps = spec.run.total_steps
        fast = best_of(lambda: lrplot.simulate(spec), 5)
        exact = best_of(lambda: lrplot.simulate(spec, exact=True), 2 if steps > 100_000 else 5)
        note = ""
        try:
            if isinstance(config, str):
                loop = None  # the lambda as lrplot's expression would time lrplot, not torch
            elif steps > LOOP_PREFIX_STEPS and run is not None:
                prefix = _prefix(config, run)
                loop = best_of(lambda: library_trace(prefix), 2) * steps / load(prefix).run.total_steps
                note = f"  (loop timed on {LOOP_PREFIX_STEPS:,} steps, scheduler on {SCHEDULER_PREFIX_STEPS:,}, scaled)"
            else:
                loop = best_of(lambda: library_trace(config), 3)
        except Exception as exc:  # a reference library this machine lacks (each reference says so its own way)
            if not isinstance(exc, (ImportError, lrplot.LrplotError)) and "No module named" not in str(exc):
                raise
            loop, note = None, f"  (not measured: {str(exc).splitlines()[0]})"  # or the prefix is no run the library takes
        alone = None
        if steps > 10_000:
            measured = [scheduler_alone(config, min(steps, SCHEDULER_PREFIX_STEPS)) for _ in range(2)]
            alone = None if None in measured else min(measured) * steps / min(steps, SCHEDULER_PREFIX_STEPS)
        cells = [_ms(fast), _ms(exact), _ms(loop) if loop else "-", _ms(alone) if alone else "-",
                 f"{loop / fast:.0f}x" if loop else "-", f"{alone / exact:.2f}x" if alone else "-"]
        print(f"{label:<66} {cells[0]:>9} {cells[1]:>9} {cells[2]:>9} {cells[3]:>10} {cells[4]:>12} {cells[5]:>16}{note}")


if __name__ == "__main__":
    main()
