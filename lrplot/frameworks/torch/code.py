"""The PyTorch code that builds a config's torch scheduler and steps it the way the config says.

The output is meant to be pasted into a training loop; it also runs as it is (a stand-in model and
empty batches), which is how the tests check it against real torch.
"""

from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
from typing import Any


from ...code import metric_lines
from ...config import SchedulerSpec, Spec
from ...expr import Expr
from ..base import FROM_RUN
from .records import BY_NAME


def code(spec: Spec) -> str:
    classes = sorted({s.type for s in spec.scheduler.walk()})
    exprs = [e for s in spec.scheduler.walk() for v in s.params.values() for e in _exprs(v)]
    math_names = sorted({name for e in exprs + [v.expr for v in spec.vars if v.expr is not None] for name in e.math_names()})
    # One namespace for the module: what it imports and loops over cannot move, the config's
    # vars keep their names unless they would shadow one of those, and lrplot's own variables
    # (the model, the optimizer, one per group and per child scheduler) take what is left.
    ns = Namespace({"torch", *classes, *math_names, "epoch", "step", "i"})
    rename = ns.config_names([*spec.run_names(), *(v.name for v in spec.vars)])
    own = {n: ns.fresh(n) for n in ("model", "optimizer", "scheduler", "metric")}
    lines = ["import torch", f"from torch.optim.lr_scheduler import {', '.join(classes)}"]
    if math_names:
        lines.append(f"from math import {', '.join(math_names)}")
    lines.append("")
    lines += names_block(spec, {n for e in exprs for n in e.used_names()}, rename)
    lines += _optimizer(spec, ns, own)
    built: list[str] = []
    top = _scheduler(spec.scheduler, built, ns, own, rename)
    lines += built
    lines.append(f"{own['scheduler']} = {top}")
    lines.append("")
    metric = spec.scheduler.type == "ReduceLROnPlateau"
    if metric:
        lines += metric_lines(spec, "ReduceLROnPlateau", own["metric"])
    lines += _loop(spec, metric, own)
    return "\n".join(lines) + "\n"


def _loop(spec: Spec, metric: bool, own: dict[str, str]) -> list[str]:
    run = spec.run
    spe = run.steps_per_epoch
    optimizer, scheduler, values = own["optimizer"], own["scheduler"], own["metric"]
    if run.unit == "iteration":
        lines = [f"for step in range({run.total_steps}):  # {run.total_steps} optimizer steps" + (f", {spe} per epoch" if run.has_epochs and spe > 1 else "")]
        lines.append("    ...  # forward pass, loss.backward()")
        lines.append(f"    {optimizer}.step()")
        if run.step == "iteration":
            lines.append(f"    {scheduler}.step({f'{values}[step]' if metric else ''})")
        elif run.step == "fractional":
            args = f"{values}[step], " if metric else ""
            lines.append(f"    {scheduler}.step({args}step // {spe} + step % {spe} / {spe})")
        else:
            lines.append(f"    if (step + 1) % {spe} == 0:  # the end of an epoch")
            lines.append(f"        {scheduler}.step({f'{values}[step // {spe}]' if metric else ''})")
        return lines
    lines = [f"for epoch in range({run.epochs}):"]
    lines.append(f"    for i in range({spe}):  # for i, batch in enumerate(train_loader): {spe} batch{'es' if spe > 1 else ''} per epoch")
    lines.append("        ...  # forward pass, loss.backward()")
    lines.append(f"        {optimizer}.step()")
    if run.step == "iteration":
        lines.append(f"        {scheduler}.step({f'{values}[epoch * {spe} + i]' if metric else ''})")
    elif run.step == "fractional":
        args = f"{values}[epoch * {spe} + i], " if metric else ""
        lines.append(f"        {scheduler}.step({args}epoch + i / {spe})")
    else:
        lines.append(f"    {scheduler}.step({f'{values}[epoch]' if metric else ''})")
    return lines


def names_block(spec: Spec, used: set[str], rename: dict[str, str] | None = None) -> list[str]:
    """Definitions of the run names and vars the expressions use, the vars as the config wrote them
    (under the Python names ``rename`` gives them, where their own would shadow one the code needs)."""
    rename = rename or {}
    needed = set(used)
    for var in reversed(spec.vars):  # each var comes after the ones it uses
        if var.name in needed and var.expr is not None:
            needed |= set(var.expr.used_names())
    docs = {"total_steps": "scheduler steps in the run", "steps_per_epoch": "optimizer steps per epoch", "epochs": "epochs in the run"}
    lines = [f"{rename.get(name, name)} = {value!r}  # {docs[name]}" for name, value in spec.run_names().items() if name in needed]
    lines += [
        f"{rename.get(v.name, v.name)} = {python(v.expr, rename) if v.expr is not None else repr(v.value)}" for v in spec.vars if v.name in needed
    ]
    return lines + ([""] if lines else [])


def _optimizer(spec: Spec, ns: Namespace, own: dict[str, str]) -> list[str]:
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
            f"{own['model']} = torch.nn.Linear(1, 1)  # stands in for your model",
            f"{own['optimizer']} = torch.optim.{cls}({own['model']}.parameters(), lr={opt.groups[0].lr!r}{extra})",
        ]
    names = [ns.fresh(_identifier(g.name)) for g in opt.groups]
    lines = [f"{n} = torch.nn.Linear(1, 1)  # stands in for the parameters of group {g.name!r}" for n, g in zip(names, opt.groups)]
    lines.append(f"{own['optimizer']} = torch.optim.{cls}(")
    lines.append("    [")
    for n, g in zip(names, opt.groups):
        lines.append(f'        {{"params": {n}.parameters(), "lr": {g.lr!r}}},')
    lines.append(f"    ]{extra},")
    lines.append(")")
    return lines


def _scheduler(node: SchedulerSpec, built: list[str], ns: Namespace, own: dict[str, str], rename: dict[str, str]) -> str:
    """Emit ``node`` (children first, as torch needs them built) and return the expression naming it."""
    optimizer = own["optimizer"]
    if node.children:
        names = []
        for child in node.children:
            expr = _scheduler(child, built, ns, own, rename)
            name = ns.fresh(_snake(child.type))
            built.append(f"{name} = {expr}")
            names.append(name)
        children = f"[{', '.join(names)}]"
        if node.type == "ChainedScheduler":
            return f"ChainedScheduler({children}, optimizer={optimizer})"
        return f"SequentialLR({optimizer}, schedulers={children}, milestones={list(node.params['milestones'])!r})"
    info = BY_NAME[node.type]
    args = [optimizer]
    for p in info.params:
        value = node.params[p.name]
        # Keywords the user left at torch's default stay out; lengths filled from the run are
        # written out so the code means the same thing outside lrplot.
        if p.default is not FROM_RUN and not p.required and type(value) is type(p.default) and value == p.default:
            continue
        if value is None:
            continue
        args.append(f"{p.name}={_literal(value, p.variable, rename)}")
    return f"{node.type}({', '.join(args)})"


def _literal(value: Any, variable: str, rename: dict[str, str] | None = None) -> str:
    if isinstance(value, Expr):
        # base_lr differs between groups: each lambda carries its own, as a default argument
        base = f", base_lr={dict(value.names)['base_lr']!r}" if value.uses("base_lr") else ""
        return f"lambda {variable}{base}: {python(value, rename or {})}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_literal(v, variable, rename) for v in value) + "]"
    return repr(value)


def python(expr: Expr, rename: dict[str, str]) -> str:
    """The expression as Python, with the config's names under their names in the emitted module."""
    text = expr.to_python()
    if not any(name in rename and rename[name] != name for name in expr.used_names()):
        return text
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    # Names only (never inside a string or a number), replaced from the end so offsets hold.
    spans = [
        (starts[tok.start[0] - 1] + tok.start[1], starts[tok.end[0] - 1] + tok.end[1], rename[tok.string])
        for tok in tokenize.generate_tokens(io.StringIO(text).readline)
        if tok.type == tokenize.NAME and tok.string in rename
    ]
    for begin, end, name in reversed(spans):
        text = text[:begin] + name + text[end:]
    return text


def _exprs(value: Any) -> list[Expr]:
    if isinstance(value, Expr):
        return [value]
    if isinstance(value, tuple):
        return [v for v in value if isinstance(v, Expr)]
    return []


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _identifier(name: str) -> str:
    ident = re.sub(r"\W+", "_", name, flags=re.ASCII).strip("_").lower() or "group"
    return "group_" + ident if ident[0].isdigit() else ident


class Namespace:
    """The names of an emitted module: Python's keywords and builtins and ``fixed`` are taken, and
    :meth:`fresh` hands out the next free ``base``, ``base_2``, ... (in linear time overall)."""

    def __init__(self, fixed: set[str]):
        self.fixed = set(fixed) | set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))
        self.taken = set(self.fixed)
        self._next: dict[str, int] = {}

    def config_names(self, names: list[str]) -> dict[str, str]:
        """The config's own names (vars, run names) keep their spelling unless it is fixed here."""
        self.taken |= set(names)
        return {name: self.fresh(name) if name in self.fixed else name for name in names}

    def fresh(self, base: str) -> str:
        name = base
        if name in self.taken:
            i = self._next.get(base, 2)
            while f"{base}_{i}" in self.taken:
                i += 1
            self._next[base] = i + 1
            name = f"{base}_{i}"
        self.taken.add(name)
        return name
