"""Drive real megatron-core 0.16.1's OptimizerParamScheduler (needs the ``reference`` extra).

Only ``megatron.core.optimizer_param_scheduler`` is imported. What training.py does around it is
transcribed here, loop for loop, independently of lrplot's vectorized arithmetic
(NVIDIA/Megatron-LM, tag core_v0.16.1, commit 55ac7082): ``validate_args``' checks of the schedule's
arguments (megatron/training/arguments.py:756-836), ``get_optimizer_param_scheduler`` and
``update_train_iters`` (megatron/training/training.py:1128-1404), the training loop's
``update_num_microbatches(consumed_train_samples)`` and ``step(increment=...)`` per iteration
(training.py:1729, 2736), and RampupBatchsizeNumMicroBatchesCalculator.update
(megatron/core/num_microbatches_calculator.py). lrplot never imports this module.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any, Mapping

VERSION = "0.16.1"

# argparse defaults of the schedule's arguments (training_config.py SchedulerConfig, arguments.py)
DEFAULTS = dict(
    lr=None, min_lr=0.0, lr_decay_style="linear", lr_wsd_decay_style="exponential", lr_decay_iters=None, lr_decay_samples=None,
    lr_wsd_decay_iters=None, lr_wsd_decay_samples=None, lr_warmup_fraction=None, lr_warmup_iters=0, lr_warmup_samples=0,
    lr_warmup_init=0.0, train_iters=None, train_samples=None, global_batch_size=None, rampup_batch_size=None,
    decoupled_lr=None, decoupled_min_lr=None, micro_batch_size=None, fp16=False, bf16=False,
)


class LibraryError(Exception):
    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


def version() -> str:
    from importlib.metadata import version as installed

    return installed("megatron-core")


class Ramp:
    """RampupBatchsizeNumMicroBatchesCalculator's batch size (micro batch x data parallel = 1)."""

    def __init__(self, global_batch_size: int, start: int, increment: int, samples: int):
        assert start > 0 and increment > 0 and samples >= 0
        diff = global_batch_size - start
        assert diff >= 0
        assert diff % increment == 0
        self.g, self.start, self.increment, self.samples = global_batch_size, start, increment, samples
        self.per_increment = samples / (diff // increment)

    def batch(self, consumed: int) -> int:
        if consumed > self.samples:
            return self.g
        steps = int(consumed / self.per_increment)
        return self.start + steps * self.increment


def _args(config: Mapping[str, Any]) -> SimpleNamespace:
    given = {k.lstrip("-").replace("-", "_"): v for k, v in config["megatron"].items()}
    args = SimpleNamespace(**{**DEFAULTS, **given})
    # validate_args
    assert args.global_batch_size > 0
    if args.train_iters:
        assert args.train_samples is None, "expected iteration-based training"
        assert args.lr_decay_samples is None, "expected iteration-based learning rate decay"
        assert args.lr_warmup_samples == 0, "expected iteration-based learning rate warmup"
        assert args.rampup_batch_size is None, "expected no batch-size rampup for iteration-based training"
        if args.lr_warmup_fraction is not None:
            assert args.lr_warmup_iters == 0, "can only specify one of lr-warmup-fraction and lr-warmup-iters"
    if args.train_samples:
        assert args.train_iters is None, "expected sample-based training"
        assert args.lr_decay_iters is None, "expected sample-based learning rate decay"
        assert args.lr_warmup_iters == 0, "expected sample-based learnig rate warmup"
        if args.lr_warmup_fraction is not None:
            assert args.lr_warmup_samples == 0, "can only specify one of lr-warmup-fraction and lr-warmup-samples"
    if args.lr is not None:
        assert args.min_lr <= args.lr
    return args


def _build(args: SimpleNamespace, ramp: Ramp | None) -> dict[str, Any]:
    """get_optimizer_param_scheduler's keywords (update_train_iters included)."""
    if args.train_iters:
        if args.lr_decay_iters is None:
            args.lr_decay_iters = args.train_iters
        lr_decay_steps = args.lr_decay_iters * args.global_batch_size
        wsd_decay_steps = args.lr_wsd_decay_iters * args.global_batch_size if args.lr_wsd_decay_iters is not None else None
        if args.lr_warmup_fraction is not None:
            lr_warmup_steps = args.lr_warmup_fraction * lr_decay_steps
        else:
            lr_warmup_steps = args.lr_warmup_iters * args.global_batch_size
    elif args.train_samples:
        if ramp is None:
            args.train_iters = args.train_samples // args.global_batch_size
        else:
            iterations = consumed = 0
            while consumed <= int(args.rampup_batch_size[2]) and consumed <= args.train_samples:
                consumed += ramp.batch(consumed)
                iterations += 1
            if args.train_samples > consumed:
                iterations += (args.train_samples - consumed) // args.global_batch_size
            args.train_iters = iterations
        if args.lr_decay_samples is None:
            args.lr_decay_samples = args.train_samples
        lr_decay_steps = args.lr_decay_samples
        wsd_decay_steps = args.lr_wsd_decay_samples
        if args.lr_warmup_fraction is not None:
            lr_warmup_steps = args.lr_warmup_fraction * lr_decay_steps
        else:
            lr_warmup_steps = args.lr_warmup_samples
    else:
        raise Exception("either train-iters or train-samples should be provided.")
    return dict(init_lr=args.lr_warmup_init, max_lr=args.lr, min_lr=args.min_lr, lr_warmup_steps=lr_warmup_steps,
                lr_decay_steps=lr_decay_steps, lr_decay_style=args.lr_decay_style, wsd_decay_steps=wsd_decay_steps,
                lr_wsd_decay_style=args.lr_wsd_decay_style)


def trace(config: Mapping[str, Any]) -> dict[str, Any]:
    import torch
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    step = None
    lrs: list[list[float]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if "megatron" in config:
                args = _args(config)
                ramp = Ramp(args.global_batch_size, *args.rampup_batch_size) if args.rampup_batch_size is not None else None
                kw = _build(args, ramp)
                iterations, batch = args.train_iters, args.global_batch_size
                groups = [{"lr": args.lr}]
                if args.decoupled_lr is not None:
                    override = {"max_lr": args.decoupled_lr}
                    if args.decoupled_min_lr is not None:
                        override["min_lr"] = args.decoupled_min_lr
                    groups.append({"lr": args.decoupled_lr, **override})
            else:
                written = {k: v for k, v in config["scheduler"].items() if k != "type"}
                batch = written.pop("increment", 1)
                ramp_args = written.pop("rampup_batch_size", None)
                ramp = Ramp(batch, *ramp_args) if ramp_args is not None else None
                iterations = config["run"]["iterations"]
                if "lr_decay_steps" not in written:  # lrplot fills it from the run: its samples
                    consumed = 0
                    for _ in range(iterations):
                        consumed += ramp.batch(consumed) if ramp else batch
                    written["lr_decay_steps"] = consumed
                lr = config["optimizer"]["lr"]
                kw = dict(init_lr=0.0, max_lr=lr, min_lr=0.0, lr_warmup_steps=0, lr_decay_style="linear", lr_wsd_decay_style="exponential",
                          wsd_decay_steps=None)
                kw.update(written)
                groups = [{"lr": lr}]
            params = [torch.nn.Parameter(torch.zeros(1)) for _ in groups]
            opt = torch.optim.SGD([{"params": [p], **g} for p, g in zip(params, groups)], lr=groups[0]["lr"])
            sched = OptimizerParamScheduler(opt, start_wd=0.0, end_wd=0.0, wd_incr_steps=1, wd_incr_style="constant", **kw)
            consumed = 0
            for step in range(iterations):
                current = ramp.batch(consumed) if ramp else batch  # update_num_microbatches(consumed_train_samples)
                lrs.append([float(g["lr"]) for g in opt.param_groups])
                opt.step()
                sched.step(increment=current)
                consumed += current
        except Exception as exc:  # noqa: BLE001 - what Megatron raises is the recorded outcome
            raise LibraryError(type(exc).__name__, str(exc), step) from None
    return {"lr": [list(col) for col in zip(*lrs)], "momentum": None}
