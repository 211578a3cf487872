"""Megatron-LM's lr arithmetic: ``OptimizerParamScheduler.get_lr`` and the samples each iteration adds.

``get_lr`` is megatron/core/optimizer_param_scheduler.py (megatron-core 0.16.1, identical at
NVIDIA/Megatron-LM d98e8a64), statement for statement in Python floats (the exact engine);
``lr_vector`` evaluates the same expressions over a numpy array of sample counts (the default
engine: the same IEEE operations, but numpy's cos, sqrt and pow may differ by an ulp).

The scheduler counts samples: training.py's ``train_step`` calls ``step(increment=get_num_microbatches()
* micro_batch_size * data_parallel_size)``, the current global batch, after every successful
iteration. With ``--rampup-batch-size start incr samples`` that batch grows: at the start of each
iteration ``update_num_microbatches(consumed_train_samples)`` sets it to ``start + int(consumed /
(samples / num_increments)) * incr`` until more than ``samples`` are consumed, then the global
batch (megatron/core/num_microbatches_calculator.py, RampupBatchsizeNumMicroBatchesCalculator.update,
core_v0.16.1). ``consumed`` computes those counts level by level, without a loop per iteration.
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from ...errors import ConfigError, TorchWouldRaise


# ----------------------------------------------------------------------------------------------
# get_lr, verbatim (optimizer_param_scheduler.py, OptimizerParamScheduler.get_lr)


def get_lr(num_steps: int, max_lr: float, min_lr: float, p: Mapping[str, Any]) -> float:
    init_lr, lr_warmup_steps, lr_decay_steps = p["init_lr"], p["lr_warmup_steps"], p["lr_decay_steps"]
    lr_decay_style, wsd_decay_steps, lr_wsd_decay_style = p["lr_decay_style"], p["wsd_decay_steps"], p["lr_wsd_decay_style"]
    # Use linear warmup for the initial part.
    if lr_warmup_steps > 0 and num_steps <= lr_warmup_steps:
        return init_lr + ((max_lr - init_lr) * float(num_steps) / float(lr_warmup_steps))
    # If the learning rate is constant, just return the initial value.
    if lr_decay_style == "constant":
        return max_lr
    # For any steps larger than `self.lr_decay_steps`, use `min_lr`.
    if num_steps > lr_decay_steps:
        return min_lr
    # If we are done with the warmup period, use the decay style.
    if lr_decay_style == "inverse-square-root":
        warmup_steps = max(lr_warmup_steps, 1)
        num_steps = max(num_steps, 1)
        lr = max_lr * warmup_steps**0.5 / (num_steps**0.5)
        return max(min_lr, lr)
    num_steps_ = num_steps - lr_warmup_steps
    decay_steps_ = lr_decay_steps - lr_warmup_steps
    decay_ratio = float(num_steps_) / float(decay_steps_)
    delta_lr = max_lr - min_lr
    if lr_decay_style == "linear":
        coeff = 1.0 - decay_ratio
    elif lr_decay_style == "cosine":
        coeff = 0.5 * (math.cos(math.pi * decay_ratio) + 1.0)
    else:  # WSD
        wsd_anneal_start_ = lr_decay_steps - wsd_decay_steps
        if num_steps <= wsd_anneal_start_:
            coeff = 1.0
        else:
            wsd_steps = num_steps - wsd_anneal_start_
            wsd_decay_ratio = float(wsd_steps) / float(wsd_decay_steps)
            if lr_wsd_decay_style == "linear":
                coeff = 1.0 - wsd_decay_ratio
            elif lr_wsd_decay_style == "cosine":
                coeff = 0.5 * (math.cos(math.pi * wsd_decay_ratio) + 1.0)
            elif lr_wsd_decay_style == "exponential":
                coeff = (2.0 * math.pow(0.5, wsd_decay_ratio)) - 1.0
            else:  # minus_sqrt
                coeff = 1.0 - math.sqrt(wsd_decay_ratio)
    return min_lr + coeff * delta_lr


def lr_vector(num_steps: np.ndarray, max_lr: float, min_lr: float, p: Mapping[str, Any]) -> np.ndarray:
    """get_lr over an array of sample counts, branch by branch with masks."""
    init, warm, decay = p["init_lr"], float(p["lr_warmup_steps"]), float(p["lr_decay_steps"])
    style, wsd, wsd_style = p["lr_decay_style"], p["wsd_decay_steps"], p["lr_wsd_decay_style"]
    n = num_steps.astype(np.float64)
    out = np.empty_like(n)
    todo = np.ones(n.shape, dtype=bool)
    if warm > 0:
        w = n <= warm
        out[w] = init + ((max_lr - init) * n[w] / warm)
        todo &= ~w
    if style == "constant":
        out[todo] = max_lr
        return out
    past = todo & (n > decay)
    out[past] = min_lr
    todo &= ~past
    k = n[todo]
    if style == "inverse-square-root":
        lr = max_lr * max(warm, 1) ** 0.5 / np.sqrt(np.maximum(k, 1))
        out[todo] = np.maximum(min_lr, lr)
        return out
    ratio = (k - warm) / (decay - warm)
    if style == "linear":
        coeff = 1.0 - ratio
    elif style == "cosine":
        coeff = 0.5 * (np.cos(math.pi * ratio) + 1.0)
    else:
        start = decay - wsd
        coeff = np.ones_like(k)
        a = k > start
        r = (k[a] - start) / float(wsd)
        coeff[a] = {
            "linear": lambda: 1.0 - r,
            "cosine": lambda: 0.5 * (np.cos(math.pi * r) + 1.0),
            "exponential": lambda: 2.0 * np.power(0.5, r) - 1.0,
            "minus_sqrt": lambda: 1.0 - np.sqrt(r),
        }[wsd_style]()
    out[todo] = min_lr + coeff * (max_lr - min_lr)
    return out


# ----------------------------------------------------------------------------------------------
# Samples per iteration

MAX_RAMP_INCREMENTS = 1_000_000  # each is a stretch of iterations computed on its own


def ramp_increments(global_batch: int, ramp: Sequence[int], path: str) -> float:
    """``rampup_samples_per_increment``, after the calculator's own assertions (in its words)."""
    if len(ramp) != 3:
        raise ConfigError(path, f"is start batch size, batch size increment and ramp-up samples (three integers), got {len(ramp)}")
    start, incr, samples = ramp
    checks = (
        (start > 0, f"start batch size should be positive, got {start}."),
        (incr > 0, f"batch size increment should be positive, got {incr}."),
        (samples >= 0, f"ramp-up samples should be non-negative, got {samples}."),
        (global_batch - start >= 0, f"expected global batch size to be greater than or equal to start batch size, got {global_batch} and {start}"),
    )
    for ok, message in checks:
        if not ok:
            raise TorchWouldRaise(path, f"Megatron raises AssertionError ({message})")
    diff = global_batch - start
    if diff % incr:
        raise TorchWouldRaise(
            path, f"Megatron raises AssertionError (expected global batch size interval ({diff}) to be divisible by global batch size increment ({incr}))"
        )
    if diff // incr > MAX_RAMP_INCREMENTS:
        raise ConfigError(path, f"ramps the batch up in {diff // incr:,} increments; lrplot follows at most {MAX_RAMP_INCREMENTS:,}")
    if diff == 0:
        raise TorchWouldRaise(
            path, f"Megatron raises ZeroDivisionError: the start batch size is the global batch size ({global_batch}), so the ramp has no increments; remove rampup_batch_size"
        )
    return samples / (diff // incr)


def _ramp(global_batch: int, ramp: Sequence[int]) -> Iterator[tuple[int, int, int]]:
    """(first consumed count, batch size, iterations) of each stretch of the ramp, in order: the
    iterations that start with at most ``samples`` consumed, as update() sizes them."""
    start, incr, samples = ramp
    per = samples / ((global_batch - start) // incr)
    c = 0
    while c <= samples:
        j = int(c / per)
        b = start + j * incr

        def same(i: int) -> bool:
            x = c + i * b
            return x <= samples and int(x / per) == j

        # the stretch ends where int(consumed / per) moves on: estimated, then settled exactly
        m = max(1, int((min(samples, (j + 1) * per) - c) // b) + 1)
        while m > 1 and not same(m - 1):
            m -= 1
        while same(m):
            m += 1
        yield c, b, m
        c += m * b


def consumed(n: int, global_batch: int, ramp: Sequence[int] | None) -> np.ndarray:
    """The samples consumed before each of ``n`` iterations: num_steps when iteration k trains."""
    if ramp is None:
        return np.arange(n, dtype=np.int64) * global_batch
    parts, k, c = [], 0, 0
    for c0, b, m in _ramp(global_batch, ramp):
        m = min(m, n - k)
        parts.append(c0 + b * np.arange(m, dtype=np.int64))
        k, c = k + m, c0 + m * b
        if k == n:
            return np.concatenate(parts)
    parts.append(c + global_batch * np.arange(n - k, dtype=np.int64))
    return np.concatenate(parts)


def total_samples(n: int, global_batch: int, ramp: Sequence[int] | None) -> int:
    """Samples consumed by ``n`` iterations."""
    if n == 0:
        return 0
    before = consumed(n, global_batch, ramp)
    return int(before[-1]) + batch_at(int(before[-1]), global_batch, ramp)


def batch_at(c: int, global_batch: int, ramp: Sequence[int] | None) -> int:
    if ramp is None or c > ramp[2]:
        return global_batch
    start, incr, samples = ramp
    return start + int(c / (samples / ((global_batch - start) // incr))) * incr


def iterations_for_samples(train_samples: int, global_batch: int, ramp: Sequence[int] | None) -> int:
    """training.py's update_train_iters: the iterations of a run given in samples."""
    if ramp is None:
        return train_samples // global_batch
    iterations = c = 0
    for c0, b, m in _ramp(global_batch, ramp):
        # the ramp loop also stops once more than train_samples are consumed
        if c0 > train_samples:
            break
        fit = min(m, (train_samples - c0) // b + 1)
        iterations += fit
        c = c0 + fit * b
        if fit < m:
            break
    if train_samples > c:
        iterations += (train_samples - c) // global_batch
    return iterations
