"""torchtitan's schedule arithmetic: ``Config.build`` and its ``linear_warmup_stable_decay`` lambda.

Transcribed from torchtitan 0.3.0, torchtitan/components/optimizer/lr_scheduler.py
(``LRSchedulersContainer.Config.build``; the same lambda as torchtitan/components/lr_scheduler.py of
0.1.0 to 0.2.2, pytorch/torchtitan tag v0.2.2, commit 73a0e697): ``phases`` does what ``build``
does before binding the lambda (warmup clipped to the steps, the decay rounded from ``decay_ratio``
and clipped, one virtual stable step so the lr never reaches 0), ``factor`` is the lambda statement
for statement in Python floats (the exact engine), ``factor_vector`` the same over a numpy array.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np


@dataclass(frozen=True)
class Phases:
    total_steps: int
    warmup_steps: int
    stable_steps: int
    decay_steps: int
    warmup_clipped: bool  # build's warning: warmup steps exceed total steps
    decay_clipped: bool  # build's warning: warmup + decay exceed total steps
    decay_type: str
    min_lr_factor: float


def phases(p: Mapping[str, Any]) -> Phases:
    total = p["total_steps"]
    warmup = int(p["warmup_steps"])
    warmup_clipped = warmup > total
    if warmup_clipped:
        warmup = total
    decay_clipped = False
    if p["decay_ratio"] is not None:
        decay = round(total * p["decay_ratio"])
        if warmup + decay > total:
            decay_clipped = True
            decay = total - warmup
    else:
        decay = total - warmup
    stable = total + 1 - warmup - decay  # "a virtual last step to prevent the learning rate from dropping to 0"
    return Phases(total, warmup, stable, decay, warmup_clipped, decay_clipped, p["decay_type"], p["min_lr_factor"])


def factor(current_step: int, ph: Phases) -> float:
    """linear_warmup_stable_decay, verbatim (AssertionError where torchtitan's asserts fail)."""
    warmup_steps, stable_steps, decay_steps = ph.warmup_steps, ph.stable_steps, ph.decay_steps
    lr_decay_type, min_lr_factor = ph.decay_type, ph.min_lr_factor
    warmup_stable_steps = warmup_steps + stable_steps
    if current_step < warmup_steps:
        current_step += 1
        assert warmup_steps != 0, "warmup_steps must not be zero to reach this branch"
        curr_adjustment = float(current_step / warmup_steps)
    elif current_step < warmup_stable_steps:
        curr_adjustment = 1.0
    else:
        current_step += 1
        assert decay_steps != 0, "decay_steps must not be zero to reach this branch"
        progress = float(current_step - warmup_stable_steps) / decay_steps
        if lr_decay_type == "linear":
            curr_adjustment = 1 - progress
        elif lr_decay_type == "sqrt":
            curr_adjustment = 1 - math.sqrt(progress)
        else:
            curr_adjustment = 0.5 * (1.0 + math.cos(math.pi * progress))
        curr_adjustment = min_lr_factor + (1 - min_lr_factor) * curr_adjustment
    return curr_adjustment


def factor_vector(steps: np.ndarray, ph: Phases) -> np.ndarray | None:
    """The lambda over an array of steps; None where it would assert (the exact engine says where)."""
    k = steps.astype(np.float64)
    out = np.ones_like(k)
    warm = k < ph.warmup_steps
    out[warm] = (k[warm] + 1) / ph.warmup_steps
    decay = k >= ph.warmup_steps + ph.stable_steps
    if decay.any():
        if ph.decay_steps == 0:
            return None
        progress = (k[decay] + 1 - (ph.warmup_steps + ph.stable_steps)) / ph.decay_steps
        if ph.decay_type == "linear":
            c = 1 - progress
        elif ph.decay_type == "sqrt":
            c = 1 - np.sqrt(progress)
        else:
            c = 0.5 * (1.0 + np.cos(math.pi * progress))
        out[decay] = ph.min_lr_factor + (1 - ph.min_lr_factor) * c
    return out
