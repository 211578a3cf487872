"""Stepping transformers' schedules through a run.

The Trainer calls ``scheduler.step()`` after every optimizer step (``run.step: iteration``, the
default here); the other step modes step the scheduler as torch's LambdaLR (or ReduceLROnPlateau)
would be stepped, like any torch scheduler. The default engine evaluates the lambda over all
scheduler positions at once with numpy; ``exact=True`` (and any corner where the lambda would
raise) runs transformers' lambda in Python floats inside torch's LambdaLR replica. The metric-driven
schedules (reduce_lr_on_plateau, greedy) always run step by step.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ...config import Spec
from ...engine import Simulated, initial_momentum, tracks_momentum
from ...errors import ConfigError, TorchWouldRaise
from ..torch.engine import replay, scheduler_step_positions
from . import replica, schedules


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    at = scheduler_step_positions(spec)
    node = spec.scheduler
    name = node.info.library_name
    if node.info.steps_on_metric:
        cls = replica.GreedyLR if name == "greedy" else replica.ReduceLROnPlateau
        return _replay(spec, at, lambda opt: cls(opt, node))
    kw = build_keywords(spec)
    if not exact:
        lr = _vectorized(spec, name, kw)
        if lr is not None:
            momentum = np.repeat(initial_momentum(spec)[:, None], lr.shape[1], axis=1) if tracks_momentum(spec) else None
            return Simulated(lr, momentum, at)
    lr_lambda = schedules.exact_lambda(name, kw)
    return _replay(spec, at, lambda opt: replica.LambdaLR(opt, node, lr_lambda))


def lr_init(spec: Spec) -> float:
    """``optimizer.defaults["lr"]``, which polynomial and min_lr read: the first group's lr.

    (The Trainer builds every group at ``learning_rate``; code lrplot writes passes the first
    group's lr as the optimizer's default, so the same holds there.)
    """
    return spec.optimizer.groups[0].lr


def build_keywords(spec: Spec) -> dict[str, Any]:
    """The lambda's keywords, or the refusal transformers' get_* function would raise."""
    name = spec.scheduler.info.library_name
    try:
        return schedules.keywords(name, spec.scheduler.params, lr_init(spec))
    except (ValueError, ZeroDivisionError) as exc:
        key = "lr_end" if name == "polynomial" else "min_lr"
        fix = {
            "lr_end": "give an lr_end below the lr",
            "min_lr": "min_lr is divided by the lr; give a positive lr, or min_lr_rate",
        }[key]
        raise TorchWouldRaise(
            _path(spec, key), f"transformers raises {type(exc).__name__} while building the schedule ({exc}); {fix}"
        ) from None


def _vectorized(spec: Spec, name: str, kw: dict[str, Any]) -> np.ndarray | None:
    """lr[g, k], or None where the lambda is not finite (Python raises there: the replica reports it)."""
    run = spec.run
    n, spe = run.total_steps, run.steps_per_epoch
    if run.step == "iteration":
        positions = np.arange(n + 1, dtype=np.float64)  # + the step() after the last optimizer step
    elif run.step == "epoch":
        positions = np.arange(run.scheduler_steps + 1, dtype=np.float64)
    else:
        # step(epoch + i / steps_per_epoch) after optimizer step k sets the lr of step k + 1;
        # construction's initial step sets step 0's at position 0.
        k = np.arange(n, dtype=np.int64)
        positions = np.concatenate([[0.0], k // spe + (k % spe) / spe])
    with np.errstate(all="ignore"):
        factors = schedules.VECTOR[name](positions, **kw)
        if not math.isfinite(float(np.sum(factors))):  # one pass: any NaN or inf makes the sum one
            return None
    per_step = np.repeat(factors, spe)[:n] if run.step == "epoch" else factors[:n]
    base = np.array([g.lr for g in spec.optimizer.groups])
    return base[:, None] * per_step[None, :]


def _replay(spec: Spec, at: np.ndarray, build: Callable[[Any], Any]) -> Simulated:
    # transformers' schedules are torch schedulers underneath: torch's loop steps them
    return replay(spec, at, build, lambda kind, message, where: _would_raise(spec, kind, message, where))


def _would_raise(spec: Spec, kind: str, message: str, where: str) -> ConfigError:
    p = spec.scheduler.params
    if spec.scheduler.info.library_name == "polynomial" and kind == "ZeroDivisionError":
        return TorchWouldRaise(
            _path(spec, "num_warmup_steps"),
            f"transformers raises ZeroDivisionError {where}: num_warmup_steps ({p['num_warmup_steps']}) equals "
            f"num_training_steps, so polynomial's decay has no steps (the Trainer crashes as training ends); "
            "make the warmup shorter than the run",
        )
    return TorchWouldRaise(
        _path(spec, None), f"transformers raises {kind} {where} ({message}); change the schedule's keywords so it can run"
    )


def _path(spec: Spec, key: str | None) -> str:
    """Where the offending value was written: the scheduler's keyword, or the TrainingArguments field."""
    if "transformers" in spec.source:
        from .trainer import argument_path

        return argument_path(key)
    return spec.scheduler.path if key is None else f"{spec.scheduler.path}.{key}"
