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
    loop = _Loop(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # epoch-argument deprecation and friends
        try:
            opt = loop.optimizer()
            sched = build_torch_scheduler(opt, spec.scheduler)
            loop.run(opt, sched, 0, spec.run.total_steps)
        except Exception as exc:  # whatever torch raises is the recorded outcome
            raise TorchError(type(exc).__name__, _message(exc), loop.step) from None
    return {
        "lr": loop.columns(loop.lrs),
        "momentum": loop.columns(loop.momenta) if loop.with_momentum else None,
        "metric": loop.feed.fed if loop.feed is not None else None,  # what torch's ReduceLROnPlateau was fed
    }


class _Loop:
    """A training loop over real torch, DESIGN.md's stepping convention: record, optimizer.step(), scheduler.step()."""

    def __init__(self, spec: Spec):
        from ...engine import tracks_momentum

        self.spec = spec
        self.with_momentum = tracks_momentum(spec)
        self.use_betas = spec.optimizer.betas is not None
        self.plateau = spec.scheduler.type == "ReduceLROnPlateau"
        self.feed = MetricFeed(spec.metric, spec.optimizer.groups[0].lr) if self.plateau else None
        self.lrs: list[list[float]] = []
        self.momenta: list[list[float]] = []
        self.step: int | None = None  # the optimizer step being run (None: building the scheduler)

    def optimizer(self) -> Any:
        """A fresh SGD (Adam with ``betas``) over one new tensor per param group, as a new process builds it."""
        import torch

        spec = self.spec
        params = [torch.nn.Parameter(torch.zeros(1)) for _ in spec.optimizer.groups]
        groups = [{"params": [p], "lr": g.lr} for p, g in zip(params, spec.optimizer.groups)]
        if self.use_betas:
            return torch.optim.Adam(groups, betas=tuple(spec.optimizer.betas))
        return torch.optim.SGD(groups, momentum=spec.optimizer.momentum or 0)

    def record(self, opt: Any) -> None:
        self.lrs.append([float(g["lr"]) for g in opt.param_groups])
        if self.with_momentum:
            self.momenta.append([float(g["betas"][0] if self.use_betas else g["momentum"]) for g in opt.param_groups])

    def scheduler_step(self, opt: Any, sched: Any, epoch: Any = None) -> None:
        if self.plateau:
            # the same values, or the same synthetic model answering torch's own lr
            value = self.feed.next(float(opt.param_groups[0]["lr"]))
            sched.step(value, epoch) if epoch is not None else sched.step(value)
        elif epoch is not None:
            sched.step(epoch)
        else:
            sched.step()

    def run(self, opt: Any, sched: Any, start: int, stop: int, calls: Any = None) -> None:
        """Optimizer steps ``start`` to ``stop - 1``: record the lr, optimizer.step(), scheduler.step() as planned.

        ``calls``, when given, is how often scheduler.step() is called before and after each optimizer
        step instead (two arrays: the stepping mistakes).
        """
        spe = self.spec.run.steps_per_epoch
        mode = self.spec.run.step
        for step in range(start, stop):
            self.step = step
            epoch, i = divmod(step, spe)
            if calls is not None:
                before, after = int(calls[0][step]), int(calls[1][step])
            else:
                before, after = 0, 1 if mode != "epoch" or i == spe - 1 else 0
            for _ in range(before):
                self.scheduler_step(opt, sched)
            self.record(opt)
            opt.step()
            if calls is None and mode == "fractional":
                self.scheduler_step(opt, sched, epoch + i / spe)
                continue
            for _ in range(after):
                self.scheduler_step(opt, sched)

    @staticmethod
    def columns(rows: list[list[float]]) -> list[list[float]]:
        return [list(col) for col in zip(*rows)]


def _message(exc: BaseException) -> str:
    # KeyError's str() is the repr of its message; the message itself is what torch says.
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


# ------------------------------------------------------------------------------------------------
# Resumed runs and stepping mistakes (lrplot.whatif): what a training script does, on real torch.


def torch_resume_trace(spec: Spec, at: int, method: str) -> dict[str, Any]:
    """Run the config on torch, save a checkpoint after scheduler step ``at``, resume it with ``method``.

    Returns ``{"lr", "momentum", "error"}`` for the optimizer steps from the resume on (the steps
    before are the uninterrupted run's): ``error`` is ``{"type", "message", "step"}`` when torch
    raises (``step`` None: while resuming), and then ``lr``/``momentum`` are None. The checkpoint
    goes through ``torch.save``/``torch.load``; the resumed process builds a new optimizer over new
    tensors, as a new process does, and the scheduler as the training script does.
    """
    import io

    import torch

    from ...engine.whatif import resume_step

    start = resume_step(spec.run, at)
    loop = _Loop(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = loop.optimizer()
        sched = build_torch_scheduler(opt, spec.scheduler)
        loop.run(opt, sched, 0, start)
        buffer = io.BytesIO()
        torch.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, buffer)
        buffer.seek(0)
        checkpoint = torch.load(buffer, weights_only=False)
        loop.lrs, loop.momenta, loop.step = [], [], None
        try:
            opt = loop.optimizer()
            sched = _resume(opt, spec, checkpoint, at, method)
            loop.run(opt, sched, start, spec.run.total_steps)
        except Exception as exc:
            error = {"type": type(exc).__name__, "message": _message(exc), "step": loop.step}
            return {"lr": None, "momentum": None, "error": error}
    return {"lr": loop.columns(loop.lrs), "momentum": loop.columns(loop.momenta) if loop.with_momentum else None, "error": None}


def _resume(opt: Any, spec: Spec, checkpoint: dict[str, Any], at: int, method: str) -> Any:
    """What each way of resuming does in a training script (lrplot.whatif.RESUME_METHODS says it in words)."""
    node = spec.scheduler
    if method == "state_dict":
        sched = build_torch_scheduler(opt, node)
        opt.load_state_dict(checkpoint["optimizer"])
        sched.load_state_dict(checkpoint["scheduler"])
    elif method == "build_after_load":
        opt.load_state_dict(checkpoint["optimizer"])
        sched = build_torch_scheduler(opt, node)
        sched.load_state_dict(checkpoint["scheduler"])
    elif method == "scheduler_only":
        sched = build_torch_scheduler(opt, node)
        sched.load_state_dict(checkpoint["scheduler"])
    elif method == "last_epoch":
        opt.load_state_dict(checkpoint["optimizer"])
        sched = build_torch_scheduler(opt, node, last_epoch=at - 1)
    elif method == "last_epoch_fresh":
        sched = build_torch_scheduler(opt, node, last_epoch=at - 1)
    elif method == "set_last_epoch":
        sched = build_torch_scheduler(opt, node)
        opt.load_state_dict(checkpoint["optimizer"])
        sched.last_epoch = at - 1
    elif method == "restart":
        sched = build_torch_scheduler(opt, node)
        opt.load_state_dict(checkpoint["optimizer"])
    elif method == "catch_up":
        sched = build_torch_scheduler(opt, node)
        opt.load_state_dict(checkpoint["optimizer"])
        for _ in range(at):
            sched.step()
    else:
        raise ValueError(f"unknown resume method {method!r}")
    return sched


def torch_mistake_trace(spec: Spec, mistake: str) -> dict[str, Any]:
    """Run the config on torch with a stepping mistake: ``{"lr", "momentum", "error"}`` for the whole run."""
    from ...engine.whatif import mistake_calls

    loop = _Loop(spec)
    calls = mistake_calls(spec.run, mistake)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Detected call of lr_scheduler.step() before optimizer.step()"
        try:
            opt = loop.optimizer()
            sched = build_torch_scheduler(opt, spec.scheduler)
            loop.run(opt, sched, 0, spec.run.total_steps, calls)
        except Exception as exc:
            error = {"type": type(exc).__name__, "message": _message(exc), "step": loop.step}
            return {"lr": None, "momentum": None, "error": error}
    return {"lr": loop.columns(loop.lrs), "momentum": loop.columns(loop.momenta) if loop.with_momentum else None, "error": None}


def build_torch_scheduler(opt: Any, node: SchedulerSpec, last_epoch: int | None = None) -> Any:
    """Construct the torch scheduler a SchedulerSpec describes, children first.

    ``last_epoch`` goes where a resuming script passes it (see ``replica.build``): the scheduler's
    own keyword; SequentialLR's children are built without it, ChainedScheduler's each get it.
    """
    import torch

    cls = getattr(torch.optim.lr_scheduler, node.type)
    kwargs = {k: _torch_value(v) for k, v in node.params.items() if k != "schedulers"}
    if node.type == "ChainedScheduler":
        return cls([build_torch_scheduler(opt, c, last_epoch) for c in node.children], optimizer=opt)
    if last_epoch is not None:
        kwargs["last_epoch"] = last_epoch  # ReduceLROnPlateau raises TypeError: it has no last_epoch
    if node.type == "SequentialLR":
        return cls(opt, schedulers=[build_torch_scheduler(opt, c) for c in node.children], **kwargs)
    return cls(opt, **kwargs)


def _torch_value(value: Any) -> Any:
    if isinstance(value, Expr):
        return lambda x, f=value: f(x)
    if isinstance(value, tuple):
        return [_torch_value(v) for v in value]
    return value
