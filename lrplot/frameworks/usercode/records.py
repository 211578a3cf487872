"""``type: code``: a schedule function from the user's own file, as data for the registry.

The scheduler's keywords say which function (``function: train.py:get_lr``), how the training loop
calls it (``call``, ``when``), what its value is (``returns``), and where its names come from
besides the file (``set``, ``set_file``, ``args_from``); ``also`` adds functions the loop calls too.
The file is read and the function translated when the config is loaded (``resolve``), so every
error names the file and the line, and the files read reach ``Spec.files``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from ..base import REQUIRED, Family, Param, ResolveContext, SchedulerInfo

PARAMS = (
    Param("function", "raw", REQUIRED, "FILE.py:NAME, the function (or module-level lambda; Class.method) that gives the lr"),
    Param("call", "raw", None, "the call as the loop makes it, in its names: epoch, i, step, optimizer, args, loader", optional=True),
    Param("when", "choice", None, "where the loop calls it: iteration, epoch_start or epoch_end (default: by run.step)",
          choices=("iteration", "epoch_start", "epoch_end"), optional=True),
    Param("returns", "choice", None, "what its value is: lr, or factor (of each group's initial lr, as LambdaLR's lambda)",
          choices=("lr", "factor"), optional=True),
    Param("set", "raw", None, "NAME=VALUE,...: values over the file's names and arguments (args.lr, cfg.SOLVER.BASE_LR)", optional=True),
    Param("set_file", "raw", None, "FILE.py whose names override the script's (nanoGPT's config/*.py), or NAME=FILE.yaml", optional=True),
    Param("args_from", "raw", None, "FILE.py whose argparse defaults (and rewrites) the function's args come from", optional=True),
    Param("also", "raw", None, "more functions the loop calls: a list of {function, call, when, returns}", optional=True),
)

SCHEDULERS = (
    SchedulerInfo(
        "code.function", ("code",),
        "your own schedule function, read from your file and translated, never run",
        PARAMS,
        example={"function": "tests/fixtures/code/imagenet/main.py:adjust_learning_rate"},  # from the repository's root
        family="code",
        library_name="your function",
    ),
)

_TARGET = re.compile(r"^(?P<file>.+\.py):(?P<name>[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)?)$")
_STEPPY = ("it", "step", "iter", "iteration", "iter_num", "global_step", "cur_iter", "num_iters", "curr_step", "x")


def target(text: str, keys: dict | None = None) -> dict | None:
    """``train.py:get_lr`` on the command line: the config it means (the file from the current folder);
    ``keys`` are the scheduler flags given with it (``--set``, ``--set-file``), which the file's loop sees too."""
    m = _TARGET.match(text)
    if m is None or not Path(m["file"]).is_file():
        return None
    scheduler: dict[str, Any] = {"type": "code", "function": text}
    return {"name": f"{Path(m['file']).name}:{m['name']}", "scheduler": scheduler, **_loop_defaults(Path(m["file"]), m["name"], keys or {})}


def _loop_defaults(path: Path, name: str, keys: dict) -> dict:
    """What the file says about how its loop calls the function: per iteration when a parameter is
    the step, nanoGPT's iterations 0..max_iters (a `while True` loop that breaks when `iter_num >
    max_iters`), the epochs of `args.epochs` when the function reads it, the optimizer's lr."""
    import ast

    from ... import pysource
    from ...errors import LrplotError
    from .reader import read_module

    from .schedule import _pins

    try:
        pins, _ = _pins(keys, "scheduler", None, [], [])
        module = read_module(path, str(path), pins)
    except LrplotError:
        return {}  # resolve reports it, with the config's words
    from .schedule import optimizer_lr

    function = module.functions.get(name)
    params = [a.arg for a in function.args.args] if function is not None else []
    out: dict = {}
    lr = optimizer_lr(module, pins)
    # the param groups the function sets by index (optimizer.param_groups[1]) exist in the file's optimizer
    indices = [n.slice.value for n in ast.walk(function) if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Attribute)
               and n.value.attr == "param_groups" and isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, int)] if function else []
    groups = max(indices, default=0) + 1
    if lr is not None or groups > 1:  # the file's own optimizer: what steps before the function's first call train with
        first = 0.1 if lr is None else lr
        out["optimizer"] = {"lr": first if groups == 1 else [first] * groups}
    params = params[1:] if params[:1] == ["self"] else params
    epochs = _args_epochs(module, function, pins)
    if epochs is not None:  # `for epoch in range(args.start_epoch, args.epochs)`: the function's own length is the run's
        out["run"] = {"epochs": epochs}
    if any(p in _STEPPY for p in params):  # called with the optimizer step: per iteration
        out["run"] = {**out.get("run", {}), "step": "iteration"}
        for node in module.tree.body:
            if isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value is True:
                for sub in ast.walk(node):
                    if isinstance(sub, ast.If) and any(isinstance(b, ast.Break) for b in sub.body) and isinstance(sub.test, ast.Compare) \
                            and len(sub.test.ops) == 1 and isinstance(sub.test.ops[0], (ast.Gt, ast.GtE)) and isinstance(sub.test.comparators[0], ast.Name):
                        limit = module.names.get(sub.test.comparators[0].id)
                        if isinstance(limit, int) and not isinstance(limit, bool) and pysource.find_unreadable(limit) is None and limit > 0:
                            # `if iter_num > max_iters: break` after `iter_num += 1`: iterations 0..max_iters train
                            out["run"] = {"iterations": limit + 1 if isinstance(sub.test.ops[0], ast.Gt) else limit}
    return out


def _args_epochs(module, function, pins: dict) -> int | None:
    """``args.epochs`` (argparse's default, or --set), where the function reads it."""
    import ast

    from .reader import argument_defaults

    if function is None or not any(isinstance(n, ast.Attribute) and n.attr == "epochs" and isinstance(n.value, ast.Name)
                                   and n.value.id in module.namespace_names for n in ast.walk(function)):
        return None
    value = pins.get("epochs", argument_defaults(module)[0].get("epochs"))
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def default_step(data: Any, info: SchedulerInfo) -> str:
    when = data.get("when") if isinstance(data, dict) else None
    return "iteration" if when == "iteration" else "epoch"


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    from .schedule import read

    if ctx.run.step == "fractional":
        raise ConfigError("run.step", "a function is called per iteration or per epoch; use step: iteration or step: epoch, "
                          "and say the fraction in `call` (like epoch + i / steps_per_epoch)")
    schedule = read(params, ctx.path, ctx.base_dir, ctx.run, ctx.n_groups)
    params["translated"] = schedule
    ctx.files.extend(schedule.files)
    ctx.lines.extend(schedule.lines)


def knobs(params: dict) -> list:
    """The numbers the functions read from the file and its arguments, as the ``set`` keys that change
    them, for ``lrplot.explore``; a name like lr, min_lr, learning_rate or base_lr is an lr."""
    import ast
    import textwrap

    out: dict = {}
    for part in params["translated"].parts:
        attrs = {n.attr for n in ast.walk(ast.parse(textwrap.dedent(part.source))) if isinstance(n, ast.Attribute)
                 and isinstance(n.value, ast.Name) and n.value.id in part.namespace_names} if part.namespace_names else set()
        found = [*part.names.items(), *((f"args.{a}", part.namespace[a]) for a in sorted(attrs) if a in part.namespace)]
        for key, value in found:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.setdefault(key, value)
    return [(("set", key), value, bool(_LR_NAME.search(key.rpartition(".")[2]))) for key, value in out.items()]


_LR_NAME = re.compile(r"(?:^|_)(?:lr|learning_rate)(?:$|_|\d)", re.I)

FAMILY = Family(
    "code",
    "your own schedule function (train.py:get_lr), read statically and translated, never run",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.usercode",
    default_step=default_step,
    target=target,
    knobs=knobs,
)
