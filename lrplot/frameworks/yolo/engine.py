"""Stepping YOLO's schedule through a run the way its training loop does, batch by batch.

Each optimizer step of the trace is a batch (the loop's ``ni``; with ``nbs`` above the batch size the
optimizer steps every ``accumulate`` batches, at the lr of the batch it steps on). Outside the
warmup every batch of epoch e trains at ``initial_lr * lf(e)`` (YOLOv5: ``lf(e - 1)`` from epoch 1),
which the LambdaLR sets when the loop steps it; the warmup's batches overwrite it with
``np.interp`` (numpy itself, as the loop calls it), the batches after the last warm one keep its lr
until the next ``scheduler.step()`` and its momentum for good (:mod:`.loop` says why). Only the
lambda differs between modes: numpy's cos by default, Python's ``math.cos`` with ``exact``.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated
from . import loop


def code_of(spec: Spec) -> str:
    return spec.scheduler.info.library_name  # "ultralytics" or "yolov5"


def warmup(spec: Spec) -> tuple[int, int]:
    """(``nw``, the batches the warmup sets, within the run)."""
    p, run = spec.scheduler.params, spec.run
    code = code_of(spec)
    rule = p.get("warmup_rule", "min100")
    nw = loop.warmup_iterations(code, rule, p["warmup_epochs"], run.steps_per_epoch, run.epochs)
    return nw, min(loop.warm_batches(code, rule, nw), run.total_steps)


def bias_groups(spec: Spec) -> list[bool]:
    """Which param groups start the warmup at ``warmup_bias_lr``."""
    names = spec.group_names
    if code_of(spec) == "yolov5" or spec.scheduler.params["bias_group"] == "first":
        return [i == 0 for i in range(len(names))]  # `warmup_bias_lr if j == 0 else 0.0`
    return [n == "bias" or n.startswith("bias.") for n in names]  # `x.get("param_group") == "bias"`


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    run, p = spec.run, spec.scheduler.params
    code = code_of(spec)
    nb, epochs, n = run.steps_per_epoch, run.epochs, run.total_steps
    base = np.array([g.lr for g in spec.optimizer.groups], dtype=np.float64)
    lf = loop.lf_values(code, p["cos_lr"], p["lrf"], epochs, epochs, exact)
    # LambdaLR: base_lr * lmbda(last_epoch), the same product the warmup's target takes
    lr = np.repeat(base[:, None] * loop.epoch_factors(code, lf)[None, :], nb, axis=1)[:, :n]
    opt = spec.optimizer
    # SGD (and RMSprop) groups have a "momentum" the warmup sets; Adam's have betas, which it leaves
    warms_momentum = opt.betas is None
    start = opt.betas[0] if opt.betas is not None else (opt.momentum or 0.0)
    momentum = np.full((len(base), n), float(start))
    nw, warm = warmup(spec)
    if warm:
        starts = [p["warmup_bias_lr"] if bias else 0.0 for bias in bias_groups(spec)]
        xp = [0, nw]
        for e in range(-(-warm // nb)):
            ni = np.arange(e * nb, min((e + 1) * nb, warm))
            for g in range(len(base)):
                lr[g, ni] = np.interp(ni, xp, [starts[g], base[g] * lf[e]])
        # the rest of the warmup's last epoch keeps its last lr, until the next scheduler.step()
        last = warm - 1
        lr[:, warm:min((last // nb + 1) * nb, n)] = lr[:, last:last + 1]
        if warms_momentum:
            momentum[:, :warm] = np.interp(np.arange(warm), xp, [p["warmup_momentum"], p["momentum"]])[None, :]
            momentum[:, warm:] = momentum[:, last:last + 1]
    at = np.arange(nb - 1, n, nb)
    return Simulated(lr, momentum, at)
