"""The PyTorch code that builds a config's torch scheduler and steps it the way the config says.

The output is meant to be pasted into a training loop; it also runs as it is (a stand-in model and
empty batches), which is how the tests check it against real torch.
"""

from __future__ import annotations

import re

import numpy as np
from typing import Any

from ...config import SchedulerSpec, Spec
from ...expr import Expr
from ..base import FROM_RUN
from .records import BY_NAME


def code(spec: Spec) -> str:
    classes = sorted({s.type for s in spec.scheduler.walk()})
    exprs = [e for s in spec.scheduler.walk() for v in s.params.values() for e in _exprs(v)]
    math_names = sorted({name for e in exprs + [v.expr for v in spec.vars if v.expr is not None] for name in e.math_names()})
    lines = ["import torch", f"from torch.optim.lr_scheduler import {', '.join(classes)}"]
    if math_names:
        lines.append(f"from math import {', '.join(math_names)}")
    lines.append("")
    lines += names_block(spec, {n for e in exprs for n in e.used_names()})
    lines += _optimizer(spec)
    built: list[str] = []
    top = _scheduler(spec.scheduler, built, set())
    lines += built
    lines.append(f"scheduler = {top}")
    lines.append("")
    metric = spec.scheduler.type == "ReduceLROnPlateau"
    if metric:
        if spec.metric.values is not None:
            values = list(spec.metric.values)
            lines.append(f"# ReduceLROnPlateau steps on your validation metric; these are the config's {spec.metric.source}.")
        else:
            from ...engine import simulate

            trace = simulate(spec)
            values = trace.metric[~np.isnan(trace.metric)].tolist()
            lines.append("# ReduceLROnPlateau steps on your validation metric; these are what lrplot's synthetic model gave.")
        lines.append(f"metric = {values!r}".replace("nan", "float('nan')"))
        lines.append("")
    lines += _loop(spec, metric)
    return "\n".join(lines) + "\n"


def _loop(spec: Spec, metric: bool) -> list[str]:
    run = spec.run
    spe = run.steps_per_epoch
    if run.unit == "iteration":
        lines = [f"for step in range({run.total_steps}):  # {run.total_steps} optimizer steps" + (f", {spe} per epoch" if run.has_epochs and spe > 1 else "")]
        lines.append("    ...  # forward pass, loss.backward()")
        lines.append("    optimizer.step()")
        if run.step == "iteration":
            lines.append(f"    scheduler.step({'metric[step]' if metric else ''})")
        elif run.step == "fractional":
            args = "metric[step], " if metric else ""
            lines.append(f"    scheduler.step({args}step // {spe} + step % {spe} / {spe})")
        else:
            lines.append(f"    if (step + 1) % {spe} == 0:  # the end of an epoch")
            lines.append(f"        scheduler.step({f'metric[step // {spe}]' if metric else ''})")
        return lines
    lines = [f"for epoch in range({run.epochs}):"]
    lines.append(f"    for i in range({spe}):  # for i, batch in enumerate(train_loader): {spe} batch{'es' if spe > 1 else ''} per epoch")
    lines.append("        ...  # forward pass, loss.backward()")
    lines.append("        optimizer.step()")
    if run.step == "iteration":
        lines.append(f"        scheduler.step({'metric[epoch * ' + str(spe) + ' + i]' if metric else ''})")
    elif run.step == "fractional":
        args = f"metric[epoch * {spe} + i], " if metric else ""
        lines.append(f"        scheduler.step({args}epoch + i / {spe})")
    else:
        lines.append(f"    scheduler.step({'metric[epoch]' if metric else ''})")
    return lines


def names_block(spec: Spec, used: set[str]) -> list[str]:
    """Definitions of the run names and vars the expressions use, the vars as the config wrote them."""
    needed = set(used)
    for var in reversed(spec.vars):  # each var comes after the ones it uses
        if var.name in needed and var.expr is not None:
            needed |= set(var.expr.used_names())
    docs = {"total_steps": "scheduler steps in the run", "steps_per_epoch": "optimizer steps per epoch", "epochs": "epochs in the run"}
    lines = [f"{name} = {value!r}  # {docs[name]}" for name, value in spec.run_names().items() if name in needed]
    lines += [f"{v.name} = {v.expr.to_python() if v.expr is not None else repr(v.value)}" for v in spec.vars if v.name in needed]
    return lines + ([""] if lines else [])


def _optimizer(spec: Spec) -> list[str]:
    opt = spec.optimizer
    extra = ""
    if opt.betas is not None:
        cls, extra = "Adam", f", betas={tuple(opt.betas)!r}"
    else:
        cls = "SGD"
        if opt.momentum is not None:
            extra = f", momentum={opt.momentum!r}"
    if len(opt.groups) == 1:
        return [
            "model = torch.nn.Linear(1, 1)  # stands in for your model",
            f"optimizer = torch.optim.{cls}(model.parameters(), lr={opt.groups[0].lr!r}{extra})",
        ]
    names = _identifiers([g.name for g in opt.groups])
    lines = [f"{n} = torch.nn.Linear(1, 1)  # stands in for the parameters of group {g.name!r}" for n, g in zip(names, opt.groups)]
    lines.append(f"optimizer = torch.optim.{cls}(")
    lines.append("    [")
    for n, g in zip(names, opt.groups):
        lines.append(f'        {{"params": {n}.parameters(), "lr": {g.lr!r}}},')
    lines.append(f"    ]{extra},")
    lines.append(")")
    return lines


def _scheduler(node: SchedulerSpec, built: list[str], taken: set[str]) -> str:
    """Emit ``node`` (children first, as torch needs them built) and return the expression naming it."""
    if node.children:
        names = []
        for child in node.children:
            expr = _scheduler(child, built, taken)
            name = _fresh(_snake(child.type), taken)
            built.append(f"{name} = {expr}")
            names.append(name)
        children = f"[{', '.join(names)}]"
        if node.type == "ChainedScheduler":
            return f"ChainedScheduler({children}, optimizer=optimizer)"
        return f"SequentialLR(optimizer, schedulers={children}, milestones={list(node.params['milestones'])!r})"
    info = BY_NAME[node.type]
    args = ["optimizer"]
    for p in info.params:
        value = node.params[p.name]
        # Keywords the user left at torch's default stay out; lengths filled from the run are
        # written out so the code means the same thing outside lrplot.
        if p.default is not FROM_RUN and not p.required and type(value) is type(p.default) and value == p.default:
            continue
        if value is None:
            continue
        args.append(f"{p.name}={_literal(value, p.variable)}")
    return f"{node.type}({', '.join(args)})"


def _literal(value: Any, variable: str) -> str:
    if isinstance(value, Expr):
        # base_lr differs between groups: each lambda carries its own, as a default argument
        base = f", base_lr={dict(value.names)['base_lr']!r}" if value.uses("base_lr") else ""
        return f"lambda {variable}{base}: {value.to_python()}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_literal(v, variable) for v in value) + "]"
    return repr(value)


def _exprs(value: Any) -> list[Expr]:
    if isinstance(value, Expr):
        return [value]
    if isinstance(value, tuple):
        return [v for v in value if isinstance(v, Expr)]
    return []


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _fresh(base: str, taken: set[str]) -> str:
    name, i = base, 2
    while name in taken or name in ("optimizer", "scheduler", "model", "metric", "torch"):
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def _identifiers(names: list[str]) -> list[str]:
    taken: set[str] = set()
    out = []
    for n in names:
        ident = re.sub(r"\W+", "_", n).strip("_").lower() or "group"
        if ident[0].isdigit():
            ident = "group_" + ident
        out.append(_fresh(ident, taken))
    return out
