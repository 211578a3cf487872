"""The schedule in mmengine's own words: a ``param_scheduler`` list as an OpenMMLab config writes it,
and the few lines that build and step it the way the Runner and ParamSchedulerHook do.

The list writes every scheduler's keywords that differ from mmengine's defaults, and always
``begin``, ``end`` (the Runner's default filled in) and ``by_epoch``. The loop is the Runner's
without a model or data: ``optimizer.step()`` per iteration, then the schedulers with ``by_epoch``
false; after each epoch those with ``by_epoch`` true; after each validation the ReduceOnPlateau
ones with the metric. It runs as it is on real mmengine, which is how the tests check it.
"""

from __future__ import annotations

from typing import Any

from ...code import metric_lines
from ...config import Spec
from ..base import FROM_RUN

_ALWAYS = ("begin", "end", "by_epoch")


def _literal(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    if isinstance(value, float) and value == 1.0 / 3:
        return "1.0 / 3"
    return repr(value)


def scheduler_dicts(spec: Spec) -> list[str]:
    """``dict(type='LinearLR', ...)`` for each scheduler of the config, in order."""
    node = spec.scheduler
    out = []
    for child in node.children if node.info.composite else (node,):
        keys = [f"type={child.info.library_name!r}"]
        for p in child.info.params:
            value = child.params[p.name]
            if p.name in _ALWAYS or p.name == "convert_to_iter_based" and value:
                keys.append(f"{p.name}={_literal(value)}")
            elif p.name != "convert_to_iter_based" and value is not None and not (p.default is not FROM_RUN and type(value) is type(p.default) and value == p.default):
                keys.append(f"{p.name}={_literal(value)}")
        out.append(f"dict({', '.join(keys)})")
    return out


def code(spec: Spec) -> str:
    run, opt = spec.run, spec.optimizer
    nodes = spec.scheduler.children if spec.scheduler.info.composite else (spec.scheduler,)
    plateau = any(n.info.steps_on_metric for n in nodes)
    epoch_loop = run.unit != "iteration"
    lines = ["import torch", "from mmengine.optim import OptimWrapper", "from mmengine.registry import PARAM_SCHEDULERS", ""]
    lines.append("# the schedule as an OpenMMLab config writes it (end written out: the Runner's default is max_epochs or max_iters)")
    lines.append("param_scheduler = [")
    lines += [f"    {d}," for d in scheduler_dicts(spec)]
    lines.append("]")
    if epoch_loop:
        lines.append(f"train_cfg = dict(type='EpochBasedTrainLoop', max_epochs={run.epochs}, val_interval=1)")
    else:
        lines.append(f"train_cfg = dict(type='IterBasedTrainLoop', max_iters={run.total_steps})")
    lines.append("")
    lines.append("# what the Runner builds from them: one parameter per param group stands in for the model")
    groups = ", ".join(f"dict(params=[torch.nn.Parameter(torch.zeros(1))], lr={g.lr!r})" for g in opt.groups)
    default = opt.groups[0].lr
    if opt.betas is not None:
        lines.append(f"optimizer = torch.optim.Adam([{groups}], lr={default!r}, betas={tuple(opt.betas)!r})")
    else:
        lines.append(f"optimizer = torch.optim.SGD([{groups}], lr={default!r}, momentum={opt.momentum or 0!r})")
    lines.append("optim_wrapper = OptimWrapper(optimizer)")
    lines.append(f"epoch_length = {run.steps_per_epoch}  # len(train_dataloader)")
    lines.append("schedulers = [PARAM_SCHEDULERS.build(cfg, default_args=dict(optimizer=optim_wrapper, epoch_length=epoch_length))")
    lines.append("              for cfg in param_scheduler]")
    lines.append("")
    if plateau:
        lines += metric_lines(spec, "ReduceOnPlateau", "metric", ", one per validation (after each epoch)")
    monitor = next((n.params["monitor"] for n in nodes if n.info.steps_on_metric), "loss")
    lines.append("# ParamSchedulerHook: after every iteration the schedulers with by_epoch=False, after every epoch the others")
    if epoch_loop:
        lines.append(f"for epoch in range({run.epochs}):")
        lines.append("    for i in range(epoch_length):")
        lines.append("        optimizer.step()  # the iteration trains: forward, loss.backward(), optim_wrapper.update_params")
        lines.append("        for scheduler in schedulers:")
        lines.append("            if not scheduler.by_epoch:")
        lines.append("                scheduler.step()")
        lines.append("    for scheduler in schedulers:")
        lines.append("        if scheduler.by_epoch:")
        lines.append("            scheduler.step()")
        if plateau:
            lines.append("    for scheduler in schedulers:  # the validation after the epoch: after_val_epoch")
            lines.append("        if getattr(scheduler, 'need_val_args', False):")
            lines.append(f"            scheduler.step({{{monitor!r}: metric[epoch]}})")
    else:
        lines.append(f"for iteration in range({run.total_steps}):")
        lines.append("    optimizer.step()  # the iteration trains: forward, loss.backward(), optim_wrapper.update_params")
        lines.append("    for scheduler in schedulers:")
        lines.append("        if not scheduler.by_epoch:")
        lines.append("            scheduler.step()")
        lines.append("for scheduler in schedulers:  # IterBasedTrainLoop is one long epoch: after_train_epoch comes at the end")
        lines.append("    if scheduler.by_epoch:")
        lines.append("        scheduler.step()")
    return "\n".join(lines) + "\n"
