"""The timm code that builds a config's scheduler and steps it the way timm's train.py does.

A config with a scheduler gets timm's class with every keyword that differs from its default
(lengths the run filled written out); a config with a ``timm:`` section gets ``create_scheduler_v2``
with the keywords train.py's ``scheduler_kwargs`` passes, and trains the epochs it returns. The loop
is train.py's: ``step_update(num_updates)`` after every optimizer update, ``step(epoch + 1, metric)``
after every epoch. It runs as it is (a stand-in model, no batches), which is how the tests check
it against real timm.
"""

from __future__ import annotations

from typing import Any


from ...code import metric_lines
from ...config import Spec
from ..base import FROM_RUN
# the optimizer is the one torch's own code builds (the fake optimizer is the same), in a namespace
# where group names never shadow Python or this module's own names
from ..torch.code import Namespace
from ..torch.code import _optimizer as optimizer_lines
from .section import command_line, factory_kwargs, read_args, updates_per_epoch

# create_scheduler_v2's own defaults (scheduler_factory.py): keywords equal to them stay out
FACTORY_DEFAULTS = dict(
    sched="cosine", num_epochs=300, decay_epochs=None, decay_milestones=[90, 180, 270], cooldown_epochs=0,
    patience_epochs=10, decay_rate=0.1, min_lr=0.0, warmup_lr=1e-5, warmup_epochs=0, warmup_prefix=False, noise=None,
    noise_pct=0.67, noise_std=1.0, noise_seed=42, cycle_mul=1.0, cycle_decay=0.1, cycle_limit=1, k_decay=1.0,
    decay_fn=None, stable_timescale=None, plateau_mode="max", step_on_epochs=True,
)


# the keywords each sched reads besides the common ones (create_scheduler_v2's branches)
_COMMON = ("sched", "num_epochs", "cooldown_epochs", "warmup_lr", "warmup_epochs", "warmup_prefix", "noise", "noise_pct",
           "noise_std", "noise_seed", "step_on_epochs")
_CYCLES = ("min_lr", "cycle_mul", "cycle_decay", "cycle_limit")
READS = {
    "cosine": _CYCLES + ("k_decay",), "tanh": _CYCLES, "poly": _CYCLES + ("k_decay", "decay_rate"),
    "step": ("decay_epochs", "decay_rate"), "constant": (), "multistep": ("decay_milestones", "decay_rate"),
    "plateau": ("min_lr", "patience_epochs", "decay_rate", "plateau_mode"),
    "wsd": ("min_lr", "decay_epochs", "decay_fn", "stable_timescale"), "rsqrt": ("min_lr", "decay_epochs", "decay_fn", "stable_timescale"),
}


# the names the emitted module defines or loops with, besides the imports
_MODULE_NAMES = {"torch", "num_updates", "num_epochs", "updates_per_epoch", "epoch", "i"}


def code(spec: Spec) -> str:
    section = spec.source.get("timm")
    node = spec.scheduler
    plateau = node.info.steps_on_metric
    imported = "create_scheduler_v2" if section is not None else node.info.library_name
    ns = Namespace(_MODULE_NAMES | {imported})
    own = {n: ns.fresh(n) for n in ("model", "optimizer", "scheduler", "metric")}  # the names themselves: nothing took them
    if section is not None:
        lines = ["import torch", "from timm.scheduler import create_scheduler_v2", ""]
        lines += optimizer_lines(spec, ns, own)
        lines += _factory(spec, section)
    else:
        lines = ["import torch", f"from timm.scheduler import {node.info.library_name}", ""]
        lines += optimizer_lines(spec, ns, own)
        lines.append(f"scheduler = {node.info.library_name}({', '.join(['optimizer', *_keywords(spec)])})")
    lines.append("")
    if plateau:
        lines += metric_lines(spec, "PlateauLRScheduler", "metric", ", one per epoch")
    lines += _loop(spec, plateau, section is not None)
    return "\n".join(lines) + "\n"


def _keywords(spec: Spec) -> list[str]:
    node = spec.scheduler
    out = []
    for p in node.info.params:
        value = node.params[p.name]
        if p.default is not FROM_RUN and type(value) is type(p.default) and value == p.default:
            continue
        if value is None:
            continue
        out.append(f"{p.name}={_literal(value)}")
    return out


def _factory(spec: Spec, section: Any) -> list[str]:
    args = read_args(section, "timm")
    kwargs = factory_kwargs(args)
    upe, _ = updates_per_epoch(args, "timm")
    lines = [f"# timm train.py {command_line(section)}: create_scheduler_v2(optimizer, **scheduler_kwargs(args), ...)"]
    how = "ceil(len(loader_train) / grad_accum_steps)" if upe else "stepped per epoch: its updates share the epoch's lr"
    lines.append(f"updates_per_epoch = {spec.run.steps_per_epoch}  # {how}")
    lines.append("scheduler, num_epochs = create_scheduler_v2(")
    lines.append("    optimizer,")
    for key, value in kwargs.items():
        default = FACTORY_DEFAULTS[key]
        if key not in _COMMON + READS[kwargs["sched"]]:
            continue
        if type(value) is type(default) and value == default or (value is None and default is None):
            continue
        lines.append(f"    {key}={_literal(value)},")
    lines.append("    updates_per_epoch=updates_per_epoch,")
    lines.append(")")
    return lines


def _loop(spec: Spec, plateau: bool, factory: bool) -> list[str]:
    run = spec.run
    per = run.steps_per_epoch
    lines = ["# timm's train.py: step_update() after every optimizer update, step(epoch + 1, metric) after every epoch"]
    metric = ", metric[epoch]" if plateau else ""
    if run.total_steps % per == 0:
        epochs = "num_epochs" if factory else str(run.epochs)
        lines += ["num_updates = 0", f"for epoch in range({epochs}):" + (f"  # {run.epochs}" if factory else "")]
        inner = "range(updates_per_epoch)" if factory else f"range({per})"
        lines.append(f"    for i in {inner}:  # for batch in loader_train (an update per batch, or per accumulation)")
        lines.append("        ...  # forward pass, loss.backward()")
        lines.append("        optimizer.step()")
        lines.append("        num_updates += 1")
        lines.append("        scheduler.step_update(num_updates=num_updates)")
        lines.append(f"    scheduler.step(epoch + 1{metric})")
        return lines
    # a run counted in updates that ends inside an epoch
    lines.append(f"for num_updates in range(1, {run.total_steps + 1}):  # {run.total_steps} updates, {per} per epoch")
    lines.append("    ...  # forward pass, loss.backward()")
    lines.append("    optimizer.step()")
    lines.append("    scheduler.step_update(num_updates=num_updates)")
    lines.append(f"    if num_updates % {per} == 0:  # the end of an epoch")
    lines.append(f"        epoch = num_updates // {per} - 1")
    lines.append(f"        scheduler.step(epoch + 1{metric})")
    return lines


def _literal(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    return repr(value)

