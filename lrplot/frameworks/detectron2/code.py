"""The detectron2 code that builds a config's schedule: its SOLVER keys, or its ParamSchedulers.

A ``detectron2:`` section becomes the SOLVER keys set on ``get_cfg()`` as detectron2's tutorial sets
them (the rest left to detectron2's defaults), ``auto_scale_workers`` where DefaultTrainer would
call it, and ``build_lr_scheduler`` stepped after every iteration. A ParamScheduler config becomes the Python a LazyConfig's ``lr_multiplier``
instantiates (fvcore's classes and detectron2's ``WarmupParamScheduler``), wrapped in
``LRMultiplier`` over the run's iterations and stepped as detectron2's LRScheduler hook steps it;
the legacy LRSchedulers are built on the optimizer directly. The tests run the Python on fvcore
and torch (with detectron2's solver from the transcription the reference uses).
"""

from __future__ import annotations

from typing import Any

from ...config import SchedulerSpec, Spec, options_into_section
from ..torch.code import Namespace
from ..torch.code import _optimizer as optimizer_lines
from .records import BY_NAME, LEGACY
from .section import KEYS, OPTIONS, WORLD_SIZE


def code(spec: Spec) -> str:
    if "detectron2" in spec.source:
        return _solver(spec)
    return _python(spec)


def _solver(spec: Spec) -> str:
    """The SOLVER keys set on detectron2's config, as its tutorial sets them, and what DefaultTrainer builds from them."""
    from .section import read_keys

    # the section as the spec was built from it: with the run flags (--devices is WORLD_SIZE,
    # --iterations MAX_ITER, --lr BASE_LR) moved in, so the code trains the plan that was drawn
    data, _ = options_into_section(spec.source, "detectron2", OPTIONS)
    section = data["detectron2"]
    cfg = read_keys(section, "detectron2")
    world = section.get(WORLD_SIZE[0])
    scales = bool(cfg["REFERENCE_WORLD_SIZE"]) and world is not None and world != cfg["REFERENCE_WORLD_SIZE"]
    bias = cfg["BIAS_LR_FACTOR"] is not None and cfg["BIAS_LR_FACTOR"] != 1.0
    solver = ["build_lr_scheduler", *(["build_optimizer"] if bias else [])]
    lines = ["import torch", "from detectron2.config import get_cfg"]
    if scales:
        lines.append("from detectron2.engine import DefaultTrainer")
    lines += [f"from detectron2.solver import {', '.join(solver)}", "", "cfg = get_cfg()  # detectron2's defaults, then the SOLVER keys"]
    for key in KEYS:
        if key in section:
            lines.append(f"cfg.SOLVER.{key} = {_python_value(cfg[key])}")
    if scales:
        lines.append(f"cfg = DefaultTrainer.auto_scale_workers(cfg, {world})  # DefaultTrainer does this on {world} GPUs")
    lines.append("")
    lines.append("model = torch.nn.Linear(1, 1)  # stands in for your model")
    if bias:
        lines.append("optimizer = build_optimizer(cfg, model)  # its biases at BASE_LR x BIAS_LR_FACTOR")
    else:
        lines.append("optimizer = torch.optim.SGD(model.parameters(), lr=cfg.SOLVER.BASE_LR, momentum=cfg.SOLVER.MOMENTUM)")
    lines.append("scheduler = build_lr_scheduler(cfg, optimizer)")
    lines.append("")
    lines.append(f"for iteration in range(cfg.SOLVER.MAX_ITER):  # {spec.run.total_steps}, as DefaultTrainer trains")
    lines.append("    ...  # forward pass, loss.backward()")
    lines.append("    optimizer.step()")
    lines.append("    scheduler.step()  # the LRScheduler hook, after every iteration")
    lines += _after_last(spec)
    return "\n".join(lines) + "\n"


def _python_value(value: Any) -> str:
    if isinstance(value, list):
        return repr(tuple(value))
    return repr(value)


def _after_last(spec: Spec) -> list[str]:
    from .engine import after_last

    raised = after_last(spec)
    if raised is None:
        return []
    return [f"# the step after the last iteration raises {type(raised).__name__} ({raised}), as it does in detectron2's trainer"]


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
    lines += _after_last(spec)
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
