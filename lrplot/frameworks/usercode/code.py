"""The code a ``type: code`` config stands for: the user's own function, with the values lrplot read
for its names, called the way the config says the loop calls it.

The function's text is copied from the file as it is; the names it reads from the file are written
out with the values lrplot read (the arguments as an ``argparse.Namespace``), so the script runs on
its own without running the user's file. The tests run it and compare its lrs with lrplot's.
"""

from __future__ import annotations

from ...config import Spec
from ..torch.code import Namespace
from ..torch.code import _optimizer as optimizer_lines

def code(spec: Spec) -> str:
    schedule = spec.scheduler.params["translated"]
    run = spec.run
    ns = Namespace({"torch", "argparse", "math", "np", "epoch", "i", "step", "steps_per_epoch", "loader", "lrs"})
    own = {"model": "model", "optimizer": "optimizer"}
    lines = ["import argparse", "import math", "", "import numpy as np", "import torch", ""]
    namespace: dict = {}
    for part in schedule.parts:
        namespace.update(part.namespace)
    written = set()
    for part in schedule.parts:
        lines.append(f"# from {part.program.where.rsplit(':', 1)[0]}, as lrplot read it")
        for key, value in part.names.items():
            if key not in written:
                lines.append(f"{key} = {value!r}")
                written.add(key)
    if namespace:
        items = ", ".join(f"{k}={v!r}" for k, v in namespace.items() if _plain(v))
        for name in sorted({n for p in schedule.parts for n in p.namespace_names}):
            lines.append(f"{name} = argparse.Namespace({items})")
    lines.append("")
    for part in schedule.parts:
        lines += part.source.splitlines()
        lines.append("")
    lines += optimizer_lines(spec, ns, own)
    accum = run.plan.grad_accum if run.plan is not None else 1
    batches = run.plan.batches if run.plan is not None else run.steps_per_epoch
    lines.append(f"steps_per_epoch = {run.steps_per_epoch}  # optimizer steps")
    if accum > 1 or any("grad_accum" in p.call for p in schedule.parts):
        lines.append(f"grad_accum = {accum}")
    if accum > 1:
        lines += [f"loader = range({batches})  # stands in for your data loader: {batches} batches"]
    else:
        lines.append(f"loader = range({batches})  # stands in for your data loader")
    lines.append("lrs = []  # the lr each optimizer step trains with, per param group")
    before, inside = _aliases(schedule)
    lines += before + [""]
    epochs = run.epochs
    lines.append(f"for epoch in range({epochs}):")
    starts = [p for p in schedule.parts if p.when == "epoch_start"]
    each = [p for p in schedule.parts if p.when == "iteration"]
    ends = [p for p in schedule.parts if p.when == "epoch_end"]
    if starts:
        lines += ["    step = epoch * steps_per_epoch", "    i = 0"]
        lines += [f"    {line}" for line in inside]
    lines += [f"    {_statement(p)}" for p in starts]
    if accum > 1:  # one call per optimizer step, at the first batch it accumulates (MAE's `if data_iter_step % accum_iter == 0`)
        lines.append("    for i in range(0, steps_per_epoch * grad_accum, grad_accum):")
        lines.append("        step = epoch * steps_per_epoch + i // grad_accum")
    else:
        lines.append("    for i in range(steps_per_epoch):")
        lines.append("        step = epoch * steps_per_epoch + i")
    lines += [f"        {line}" for line in inside]
    if run.total_steps % run.steps_per_epoch:
        lines.append(f"        if step == {run.total_steps}:  # the run ends inside this epoch")
        lines.append("            break")
    lines += [f"        {_statement(p)}" for p in each]
    lines.append("        lrs.append([group['lr'] for group in optimizer.param_groups])")
    lines.append("        optimizer.step()")
    if ends:
        if accum > 1:
            lines.append("    i = len(loader) - 1  # the epoch's last batch")
        lines += [f"    {line}" for line in inside]
    lines += [f"    {_statement(p)}" for p in ends]
    return "\n".join(lines) + "\n"


def _statement(part) -> str:
    if part.returns == "sets":
        return part.call
    if part.returns == "factor":  # LambdaLR's way: the group's initial lr times the factor
        return f"for group in optimizer.param_groups: group['lr'] = group.setdefault('initial_lr', group['lr']) * {part.call}"
    return f"for group in optimizer.param_groups: group['lr'] = {part.call}"


def _aliases(schedule) -> tuple[list[str], list[str]]:
    """The loop's other names the calls use (iter_num, train_loader, ...): before the loop, and per step."""
    import ast

    from .schedule import BATCH_NAMES, LOADER_NAMES, STEP_NAMES

    used = {n.id for p in schedule.parts for n in ast.walk(ast.parse(p.call, mode="eval")) if isinstance(n, ast.Name)}
    before = [f"{n} = loader" for n in sorted(used & set(LOADER_NAMES)) if n != "loader"]
    before += ["iters_per_epoch = len(loader)"] if "iters_per_epoch" in used else []
    inside = [f"{n} = step" for n in sorted(used & set(STEP_NAMES)) if n != "step"]
    inside += [f"{n} = i" for n in sorted(used & set(BATCH_NAMES)) if n != "i"]
    return before, inside


def _plain(value) -> bool:
    from ...pysource import find_unreadable

    return find_unreadable(value) is None
