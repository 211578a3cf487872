"""The detectron2 code that builds a config's schedule: its SOLVER block, or its ParamSchedulers.

A ``detectron2:`` section becomes the ``SOLVER:`` block of a detectron2 YAML config (the keys as
given, the rest left to detectron2's defaults) and the ``train_net.py`` line that trains it on the
world size given. A ParamScheduler config becomes the Python a LazyConfig's ``lr_multiplier``
instantiates (fvcore's classes and detectron2's ``WarmupParamScheduler``), wrapped in
``LRMultiplier`` over the run's iterations and stepped as detectron2's LRScheduler hook steps it;
the legacy LRSchedulers are built on the optimizer directly. The tests run the Python on fvcore
and torch (with detectron2's solver from the transcription the reference uses).
"""

from __future__ import annotations

from typing import Any

from ...config import SchedulerSpec, Spec
from ..torch.code import Namespace
from ..torch.code import _optimizer as optimizer_lines
from .records import BY_NAME, LEGACY, PREFIX
from .section import KEYS, WORLD_SIZE


def code(spec: Spec) -> str:
    if "detectron2" in spec.source:
        return _solver(spec)
    return _python(spec)


def _solver(spec: Spec) -> str:
    section = spec.source["detectron2"]
    lines = ["# detectron2 config (YAML): the SOLVER keys; the others keep detectron2's defaults", "SOLVER:"]
    for key in KEYS:
        if key in section:
            lines.append(f"  {key}: {_yaml(section[key])}")
    world = section.get(WORLD_SIZE[0])
    lines.append("")
    gpus = f" --num-gpus {world}" if world else ""
    lines.append(f"# python tools/train_net.py --config-file config.yaml{gpus}")
    lines.append(f"# trains {spec.run.total_steps} iterations; the LRScheduler hook steps the schedule after each")
    return "\n".join(lines) + "\n"


def _yaml(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return repr(value)


def _python(spec: Spec) -> str:
    node = spec.scheduler
    classes = sorted({n.info.library_name for n in node.walk()})
    fvcore = [c for c in classes if c.endswith("ParamScheduler") and c != "WarmupParamScheduler"]
    detectron2 = [c for c in classes if c not in fvcore]
    legacy = node.type in LEGACY
    if not legacy:
        detectron2 = sorted({*detectron2, "LRMultiplier"})
    ns = Namespace({"torch", *classes, "LRMultiplier", "iteration"})
    own = {n: ns.fresh(n) for n in ("model", "optimizer", "scheduler", "multiplier")}
    lines = ["import torch"]
    if fvcore:
        lines.append(f"from fvcore.common.param_scheduler import {', '.join(fvcore)}")
    lines.append(f"from detectron2.solver import {', '.join(detectron2)}")
    lines.append("")
    lines += optimizer_lines(spec, ns, own)
    n = spec.run.total_steps
    if legacy:
        keywords = [f"{p.name}={_literal(node.params[p.name])}" for p in node.info.params if _written(node, p.name)]
        lines.append(f"{own['scheduler']} = {node.info.library_name}({', '.join([own['optimizer'], *keywords])})")
    else:
        lines.append(f"{own['multiplier']} = {_expr(node, '')}")
        lines.append(f"{own['scheduler']} = LRMultiplier({own['optimizer']}, {own['multiplier']}, max_iter={n})")
    lines.append("")
    lines.append(f"for iteration in range({n}):  # detectron2's TrainerBase.train: max_iter iterations")
    lines.append("    ...  # forward pass, loss.backward()")
    lines.append(f"    {own['optimizer']}.step()")
    lines.append(f"    {own['scheduler']}.step()  # the LRScheduler hook, after every iteration")
    from .engine import after_last

    raised = after_last(spec)
    if raised is not None:
        lines.append(f"# the step after the last iteration raises {type(raised).__name__} ({raised}), as it does in detectron2's trainer")
    return "\n".join(lines) + "\n"


def _written(node: SchedulerSpec, name: str) -> bool:
    p = node.info.param(name)
    value = node.params[name]
    return value is not None and (p.required or p.default is not value and value != p.default or name == "max_iters")


def _expr(node: SchedulerSpec, indent: str) -> str:
    """A ParamScheduler as the call that builds it, nested ones written inside."""
    info = BY_NAME[node.type]
    inner = indent + "    "
    args = []
    for p in info.params:
        if not _written(node, p.name):
            continue
        value = node.params[p.name]
        if p.kind == "scheduler":
            args.append(f"{p.name}={_expr(value, inner)}")
        elif p.kind == "schedulers":
            items = ",\n".join(f"{inner}    {_expr(c, inner + '    ')}" for c in value)
            args.append(f"{p.name}=[\n{items},\n{inner}]")
        else:
            args.append(f"{p.name}={_literal(value)}")
    name = info.library_name
    if len(args) <= 2 and "\n" not in "".join(args):
        return f"{name}({', '.join(args)})"
    body = ",\n".join(f"{inner}{a}" for a in args)
    return f"{name}(\n{body},\n{indent})"


def _literal(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    return repr(value)


assert PREFIX  # the records' prefix names every type here
