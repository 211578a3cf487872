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
        pins, argument_pins = _pins(keys, "scheduler", None, [], [])
        module = read_module(path, str(path), pins)
        from .schedule import _as_list, resolve_path

        # --args-from: the argparse defaults the function's args come from (args.epochs, the run's length)
        args_from = [read_module(resolve_path(f, None), f, pins) for f in _as_list(keys.get("args_from"), "scheduler.args_from")]
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
    epochs = _args_epochs(module, function, {**pins, **argument_pins}, args_from)
    if epochs is not None:  # `for epoch in range(args.start_epoch, args.epochs)`: the function's own length is the run's
        out["run"] = {"epochs": epochs}
    if any(p in _STEPPY for p in params):  # called with the optimizer step: per iteration
        out["run"] = {**out.get("run", {}), "step": "iteration"}
        iterations = loop_iterations(module, function, name, _namespace(module, pins, argument_pins, args_from))
        if iterations is not None:
            out["run"] = {"iterations": iterations}
    return out


def _namespace(module, pins: dict, argument_pins: dict, args_from: list) -> dict:
    """The parsed arguments as the file (and --args-from) default them, --set over them, after the script's rewrites."""
    from .reader import apply_rewrites, argument_defaults

    namespace: dict = {}
    for reader in [*args_from, module]:
        for key, value in argument_defaults(reader)[0].items():
            namespace.setdefault(key, value)
    namespace.update(argument_pins)
    for reader in [*args_from, module]:
        apply_rewrites(reader, namespace, set(argument_pins))
    return namespace


def loop_iterations(module, function, name: str, namespace: dict) -> int | None:
    """The optimizer steps the file's training loop runs, where its shape says it, or None:

    * ``for step in range(max_steps):`` around the call (build-nanogpt), cut short by an ``if
      last_step: break`` before the call where ``last_step = step == N`` (modded-nanogpt's
      ``range(args.num_iterations + 1)``, which trains ``num_iterations`` steps);
    * ``while True:`` with such a break before the call (nanochat: ``last_step = step == num_iterations``);
    * nanoGPT's ``while True: ... iter_num += 1; if iter_num > max_iters: break`` after the call
      (iterations 0..max_iters).

    The call is the function's own, or, for a function handed to LambdaLR, a ``scheduler.step()``."""
    import ast
    import copy

    from ... import pysource
    from .reader import _Math

    short = name.split(".")[-1]
    own = {id(n) for n in ast.walk(function)} if function is not None else set()
    names = dict(module.names)
    for ns in module.namespace_names:
        if namespace and (ns not in names or isinstance(names[ns], pysource.Unreadable)):
            names[ns] = copy.deepcopy(namespace)
    evaluator = _Math(module.where, names, pysource.PURE_CALLS)
    evaluator.modules = module.modules

    def number(node) -> int | None:
        value = evaluator.value(node)
        ok = isinstance(value, int) and not isinstance(value, bool) and pysource.find_unreadable(value) is None
        return value if ok else None

    def calls(node) -> list[int]:
        lines = [n.lineno for n in ast.walk(node) if id(n) not in own and isinstance(n, ast.Call) and (
            isinstance(n.func, ast.Name) and n.func.id == short or isinstance(n.func, ast.Attribute) and n.func.attr == short)]
        return lines or [n.lineno for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                         and n.func.attr == "step" and not n.args and "sched" in ast.unparse(n.func.value).lower()]

    def stop_before(loop, var: str | None, line: int) -> tuple[str, int] | None:
        """(counter, N) of an `if counter == N: break` (or `>= N`, or a flag set so) before the call."""
        flags = {}
        for stmt in loop.body:
            if stmt.lineno >= line:
                return None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                flags[stmt.targets[0].id] = stmt.value
            if isinstance(stmt, ast.If) and any(isinstance(b, ast.Break) for b in stmt.body):
                test = stmt.test
                test = flags.get(test.id, test) if isinstance(test, ast.Name) else test
                if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.GtE)) \
                        and isinstance(test.left, ast.Name) and (var is None or test.left.id == var):
                    limit = number(test.comparators[0])
                    if limit is not None:
                        return test.left.id, limit
        return None

    for loop in ast.walk(module.tree):
        if id(loop) in own or not isinstance(loop, (ast.For, ast.While)):
            continue
        lines = calls(loop)
        if not lines:
            continue
        if isinstance(loop, ast.For):
            it = loop.iter
            if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and 1 <= len(it.args) <= 2
                    and not it.keywords and isinstance(loop.target, ast.Name)):
                continue
            bounds = [number(a) for a in it.args]
            if None in bounds:
                continue
            start, end = (0, bounds[0]) if len(bounds) == 1 else bounds
            stop = stop_before(loop, loop.target.id, min(lines))
            if stop is not None:
                end = min(end, stop[1])
            if end - start > 0:
                return end - start
        elif isinstance(loop.test, ast.Constant) and loop.test.value is True:
            stop = stop_before(loop, None, min(lines))
            if stop is not None and stop[1] > 0:
                return stop[1]
            for sub in ast.walk(loop):
                if isinstance(sub, ast.If) and any(isinstance(b, ast.Break) for b in sub.body) and isinstance(sub.test, ast.Compare) \
                        and len(sub.test.ops) == 1 and isinstance(sub.test.ops[0], (ast.Gt, ast.GtE)) and sub.lineno > max(lines):
                    limit = number(sub.test.comparators[0])
                    if limit is not None and limit > 0:
                        # `if iter_num > max_iters: break` after `iter_num += 1`: iterations 0..max_iters train
                        return limit + 1 if isinstance(sub.test.ops[0], ast.Gt) else limit
    return None


def _args_epochs(module, function, pins: dict, args_from: list = ()) -> int | None:
    """``args.epochs`` (argparse's default, of the --args-from files first as for the function's args, or --set), where the function reads it."""
    import ast

    from .reader import argument_defaults

    if function is None or not any(isinstance(n, ast.Attribute) and n.attr == "epochs" and isinstance(n.value, ast.Name)
                                   and n.value.id in module.namespace_names for n in ast.walk(function)):
        return None
    defaults: dict = {}
    for reader in [*args_from, module]:
        for key, value in argument_defaults(reader)[0].items():
            defaults.setdefault(key, value)
    value = pins.get("epochs", defaults.get("epochs"))
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
