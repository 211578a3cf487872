"""Drive real PyTorch exactly as DESIGN.md's stepping convention says (needs the ``reference`` extra).

This is the ground truth lrplot is measured against: the golden-trace recorder, the live
differential test and the benchmarks all call :func:`torch_trace`. lrplot itself never imports this
module; only tools that compare against torch do. Lambdas are handed to torch as Python callables
(lrplot's expressions, which evaluate exactly as the same Python lambda would).
"""

from __future__ import annotations

import warnings
from typing import Any

from ...config import SchedulerSpec, Spec
from ...expr import Expr
from ...metric import MetricFeed


class TorchError(Exception):
    """Real torch raised: ``kind`` is its exception class, ``step`` the optimizer step (None: construction)."""

    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


def torch_trace(spec: Spec) -> dict[str, Any]:
    """Run the config on real torch: ``{"lr": [[...]], "momentum": [[...]] | None, "metric": [...] | None}``.

    Raises :class:`TorchError` when torch raises while building or stepping the scheduler.
    """
    import torch

    from ...engine import tracks_momentum

    params = [torch.nn.Parameter(torch.zeros(1)) for _ in spec.optimizer.groups]
    groups = [{"params": [p], "lr": g.lr} for p, g in zip(params, spec.optimizer.groups)]
    if spec.optimizer.betas is not None:
        opt = torch.optim.Adam(groups, betas=tuple(spec.optimizer.betas))
    else:
        opt = torch.optim.SGD(groups, momentum=spec.optimizer.momentum or 0)
    with_momentum = tracks_momentum(spec)
    use_betas = spec.optimizer.betas is not None
    run = spec.run
    plateau = spec.scheduler.type == "ReduceLROnPlateau"
    feed = MetricFeed(spec.metric, spec.optimizer.groups[0].lr) if plateau else None
    lrs: list[list[float]] = []
    momenta: list[list[float]] = []
    step = None

    def scheduler_step(epoch: Any = None) -> None:
        if plateau:
            # the same values, or the same synthetic model answering torch's own lr
            value = feed.next(float(opt.param_groups[0]["lr"]))
            sched.step(value, epoch) if epoch is not None else sched.step(value)
        elif epoch is not None:
            sched.step(epoch)
        else:
            sched.step()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # epoch-argument deprecation and friends
        try:
            sched = build_torch_scheduler(opt, spec.scheduler)
            spe = run.steps_per_epoch
            for step in range(run.total_steps):
                epoch, i = divmod(step, spe)
                lrs.append([float(g["lr"]) for g in opt.param_groups])
                if with_momentum:
                    momenta.append([float(g["betas"][0] if use_betas else g["momentum"]) for g in opt.param_groups])
                opt.step()
                if run.step == "iteration":
                    scheduler_step()
                elif run.step == "fractional":
                    scheduler_step(epoch + i / spe)
                elif i == spe - 1:
                    scheduler_step()
        except Exception as exc:  # whatever torch raises is the recorded outcome
            raise TorchError(type(exc).__name__, str(exc), step) from None
    return {
        "lr": [list(col) for col in zip(*lrs)],
        "momentum": [list(col) for col in zip(*momenta)] if with_momentum else None,
        "metric": feed.fed if feed is not None else None,  # what torch's ReduceLROnPlateau was fed
    }


def build_torch_scheduler(opt: Any, node: SchedulerSpec) -> Any:
    """Construct the torch scheduler a SchedulerSpec describes, children first."""
    import torch

    cls = getattr(torch.optim.lr_scheduler, node.type)
    kwargs = {k: _torch_value(v) for k, v in node.params.items() if k != "schedulers"}
    if node.type == "ChainedScheduler":
        return cls([build_torch_scheduler(opt, c) for c in node.children], optimizer=opt)
    if node.type == "SequentialLR":
        return cls(opt, schedulers=[build_torch_scheduler(opt, c) for c in node.children], **kwargs)
    return cls(opt, **kwargs)


def _torch_value(value: Any) -> Any:
    if isinstance(value, Expr):
        return lambda x, f=value: f(x)
    if isinstance(value, tuple):
        return [_torch_value(v) for v in value]
    return value
