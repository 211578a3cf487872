"""A ``type: code`` scheduler: the user's functions, as the training loop calls them, and the lrs they give.

``function: train.py:get_lr`` names the function (``Class.method`` too); ``call`` is the call as the
loop writes it, in the loop's names (``adjust_learning_rate(optimizer, epoch + 1, args)``), and
``when`` is where the loop makes it:

* ``iteration``: before every optimizer step; ``step`` is the step (0, 1, ...), ``epoch`` its epoch
  and ``i`` the batch in the epoch. With gradient accumulation (``run.grad_accum``) the call is made
  once per optimizer step, at the first batch of its accumulation, as MAE's and ConvNeXt-V2's loops do
  (``if data_iter_step % accum_iter == 0: adjust_learning_rate(optimizer, data_iter_step /
  len(data_loader) + epoch, args)``): ``i`` counts batches (0, accum, 2 * accum, ...) as the loop's
  ``enumerate`` does, and ``len(loader)`` is the batches per epoch, while ``step`` and
  ``steps_per_epoch`` count optimizer steps;
* ``epoch_start``: before each epoch's first step (``epoch`` 0, 1, ..., ``i`` 0);
* ``epoch_end``: after each epoch's last step (``i`` the epoch's last batch); the next epoch trains
  with it, the first one with the optimizer's own lr.

The loop's names: ``optimizer``; ``epoch``, ``i`` (also ``idx``, ``batch_idx``, ``data_iter_step``),
``step`` (also ``it``, ``iter_num``, ``iteration``, ``global_step``); ``loader`` (also
``train_loader``, ``data_loader``: its ``len`` is the batches per epoch, as is ``iters_per_epoch``);
``steps_per_epoch`` (optimizer steps), ``grad_accum``, ``epochs``, ``total_steps``; the parsed arguments (``args``, or whatever the file names them); and
the file's module-level names. A function that returns a number gives the lr (``returns: lr``) or
a factor of each group's initial lr (``returns: factor``, LambdaLR's way); one that assigns
``param_group['lr']`` sets the lr itself, and where a call assigns nothing the lr carries over.
``also`` adds functions the loop calls too (SupCon's per-epoch decay and per-batch warmup).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ...errors import ConfigError
from .program import Program, run_scalar, run_vector
from .reader import WORLD_SIZE_CALLS, SourceModule, apply_rewrites, argument_defaults, read_module
from .translate import Loader, Optimizer, Sym, Translator, translate

WHEN = ("iteration", "epoch_start", "epoch_end")
RETURNS = ("lr", "factor")
# the loop's names for the call's variables
STEP_NAMES = ("step", "it", "iter_num", "iteration", "global_step", "cur_iter", "num_iters", "total_iter", "curr_step")
BATCH_NAMES = ("i", "idx", "batch_idx", "batch_id", "data_iter_step", "batch", "batch_i")
LOADER_NAMES = ("loader", "train_loader", "data_loader", "dataloader", "trainloader", "train_dataloader", "loader_train")
OPTIMIZER_NAMES = ("optimizer", "optim", "optimiser")
_PHASE = {"epoch_end": 0, "epoch_start": 1, "iteration": 2}


@dataclass(frozen=True)
class Part:
    """One function as the loop calls it."""

    program: Program
    when: str
    call: str
    returns: str  # lr | factor (a function that sets the groups: "sets")
    source: str  # the function's text, for `code`
    names: Mapping[str, Any] = field(default_factory=dict)  # the file's names it reads, as read (for `code`)
    first_line: int = 0  # the function's first line in its file
    namespace: Mapping[str, Any] = field(default_factory=dict)  # the parsed arguments, as read
    namespace_names: tuple[str, ...] = ()  # what the file calls them


@dataclass(frozen=True)
class Schedule:
    parts: tuple[Part, ...]
    files: tuple[str, ...]
    lines: tuple[str, ...]


def parse_target(text: Any, path: str) -> tuple[str, str]:
    """``FILE.py:NAME`` -> (file, name)."""
    if not isinstance(text, str) or ":" not in text:
        raise ConfigError(path, f"must be FILE.py:NAME, the file and the function in it (like train.py:get_lr), got {text!r}")
    file, _, name = text.rpartition(":")
    if not file.endswith(".py") or not all(part.isidentifier() for part in name.split(".")) or name.count(".") > 1:
        raise ConfigError(path, f"must be FILE.py:NAME, the file and the function in it (like train.py:get_lr), got {text!r}")
    return file, name


def resolve_path(file: str, base_dir: Path | None) -> Path:
    from ...files import user_path

    import os

    path = user_path(file, "function")
    return path if path.is_absolute() or base_dir is None else Path(os.path.normpath(Path(base_dir) / path))


def _pins(params: Mapping[str, Any], path: str, base_dir: Path | None, files: list[str], lines: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(module names pinned, argument names pinned) from ``set`` and ``set_file``."""
    from ...files import shown
    from ...values import yaml_load

    module: dict[str, Any] = {}
    arguments: dict[str, Any] = {}
    for item in _as_list(params.get("set_file"), f"{path}.set_file"):
        name, eq, file = item.partition("=") if "=" in item and not item.endswith(".py") else ("", "", item)
        target = resolve_path(file, base_dir)
        where = shown(target)
        if name:
            from ...sources import read_source

            data = read_source(target, where).data
            if not isinstance(data, dict):
                raise ConfigError(f"{path}.set_file", f"{where} is not a YAML or JSON mapping")
            module[name] = data
        else:
            names = read_module(target, where).names
            from ...pysource import find_unreadable

            given = {k: v for k, v in names.items() if find_unreadable(v) is None and not k.startswith("_")}
            module.update(given)
            arguments.update(given)
            lines.append(f"{where}: {len(given)} names set over the script's ({', '.join(list(given)[:8])}{', ...' if len(given) > 8 else ''})")
        files.append(where)
    raw = params.get("set")
    items: dict[str, Any] = {}
    if isinstance(raw, Mapping):
        items = dict(raw)
    else:
        from ...inline import _split_top_level

        for text in _as_list(raw, f"{path}.set"):
            for piece in _split_top_level(text):
                key, eq, value = piece.partition("=")
                if not eq or not key.strip():
                    raise ConfigError(f"{path}.set", f"{piece!r} is not NAME=VALUE")
                items[key.strip()] = yaml_load(value.strip())
    for key, value in items.items():
        if not isinstance(key, str) or not all(p.isidentifier() for p in key.split(".")):
            raise ConfigError(f"{path}.set", f"{key!r} is not a name (like lr or args.lr or cfg.SOLVER.BASE_LR)")
        head, *rest = key.split(".")
        if rest and head in ("args", "opt", "opts"):
            arguments[".".join(rest)] = value
            continue
        if rest:
            node = module.setdefault(head, {})
            for part in rest[:-1]:
                node = node.setdefault(part, {})
            node[rest[-1]] = value
        else:
            module[key] = value
            arguments[key] = value
        lines.append(f"{key} = {value!r} (set)")
    return module, arguments


def _as_list(value: Any, path: str) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(path, f"must be text (or a list of it), got {item!r}")
    return list(items)


def read(params: Mapping[str, Any], path: str, base_dir: Path | None, run: Any, n_groups: int) -> Schedule:
    """The functions a ``type: code`` scheduler names, read and translated."""
    files: list[str] = []
    lines: list[str] = []
    module_pins, argument_pins = _pins(params, path, base_dir, files, lines)
    specs = [(params, path)]
    also = params.get("also") or ()
    if isinstance(also, str):  # --also "[{function: ..., call: ..., when: ...}]": YAML, as a config writes it
        from ...values import yaml_load

        try:
            also = yaml_load(also)
        except Exception:  # noqa: BLE001 - any YAML error: the message below says what to write
            raise ConfigError(f"{path}.also", "must be a YAML list of {function: FILE.py:NAME, call: ..., when: ...}") from None
    if isinstance(also, Mapping):
        also = [also]
    if not isinstance(also, (list, tuple)):
        raise ConfigError(f"{path}.also", "must be a list of {function: FILE.py:NAME, call: ..., when: ...}")
    for i, extra in enumerate(also):
        where = f"{path}.also[{i}]"
        if not isinstance(extra, Mapping):
            raise ConfigError(where, "must be a mapping {function: FILE.py:NAME, call: ..., when: ...}")
        unknown = [k for k in extra if k not in ("function", "call", "when", "returns")]
        if unknown:
            raise ConfigError(f"{where}.{unknown[0]}", "is not a key of an `also` function; it takes function, call, when, returns")
        specs.append((extra, where))
    args_from = [resolve_path(f, base_dir) for f in _as_list(params.get("args_from"), f"{path}.args_from")]
    parts = []
    for spec, where in specs:
        parts.append(_part(spec, where, base_dir, run, n_groups, module_pins, argument_pins, args_from, files, lines))
    return Schedule(tuple(parts), tuple(dict.fromkeys(files)), tuple(lines))


def _part(spec, path, base_dir, run, n_groups, module_pins, argument_pins, args_from, files, lines) -> Part:
    from ...files import shown

    file, name = parse_target(spec.get("function"), f"{path}.function")
    target = resolve_path(file, base_dir)
    where = shown(target)
    module = read_module(target, where, module_pins)
    files.append(where)
    function = module.functions.get(name)
    lambda_ = None
    if function is None:
        lambda_ = _module_lambda(module, name)
        if lambda_ is None:
            known = ", ".join(list(module.functions)[:12]) or "none"
            raise ConfigError(f"{path}.function", f"{where} has no function {name!r} at module level (its functions: {known})")
        function = lambda_
    # the parsed arguments: the defaults of this file and of args_from, then what the scripts rewrite
    namespace: dict[str, Any] = {}
    readers = [read_module(p, shown(p), module_pins) for p in args_from] + [module]
    for reader in readers:
        defaults, said = argument_defaults(reader)
        for key, value in defaults.items():
            namespace.setdefault(key, value)
        lines += said
        if reader is not module:
            files.append(reader.where)
    namespace.update(argument_pins)
    devices = run.plan.devices if run.plan is not None else 1
    rewrites = [r for reader in readers for r in apply_rewrites(reader, namespace, set(argument_pins), devices)]
    if any(WORLD_SIZE_CALLS[0] in reader.text for reader in readers):
        lines.append(f"  get_world_size() = {devices} (run.devices)")
    globals_ = dict(module.names)
    for ns in module.namespace_names:
        if namespace and (ns not in globals_ or _unreadable(globals_[ns])):
            globals_[ns] = namespace
    when = spec.get("when") or ("iteration" if run.step == "iteration" else "epoch_start")
    if when not in WHEN:
        raise ConfigError(f"{path}.when", f"must be one of {', '.join(WHEN)}, got {when!r}")
    if (when == "iteration") != (run.step == "iteration") and ".also" not in path:
        raise ConfigError(f"{path}.when", f"is {when}, but run.step is {run.step}; give run.step: {'iteration' if when == 'iteration' else 'epoch'} "
                          "(or leave one of the two out)")
    call = spec.get("call") or default_call(function, name, when, module.namespace_names, path)
    skipped = _loop_condition(module, function, name, globals_, namespace, run, n_groups, lines)
    if skipped is not None:  # the loop does not call the function (nanoGPT's decay_lr = False): its other value is the lr
        other, site = skipped
        synthetic = ast.FunctionDef(name.split(".")[-1], ast.arguments([], [], None, [], [], None, []), [ast.Return(other)], [], None, None)
        for node in ast.walk(synthetic):
            ast.copy_location(node, site)
        program = translate(module, synthetic, f"{where}:{name}", globals_, _loop_names(module, namespace, run, n_groups),
                            n_groups, ("epoch", "i", "step"))
        used = _names_read(synthetic, globals_)
        for key, value in used.items():
            lines.append(f"  {key} = {value!r}")
        text = ast.unparse(other)
        # its source is the loop's line, as a comment (the code lrplot writes does not call the function)
        return Part(program, when, text, "lr", f"# {module.source_line(site.lineno)}", used, site.lineno, namespace,
                    tuple(n for n in module.namespace_names if n in _read_names(other)))
    params = _bind(call, function, name, module, globals_, namespace, run, n_groups, path)
    program = translate(module, function, f"{where}:{name}", globals_, params, n_groups, ("epoch", "i", "step"))
    returns = spec.get("returns") or ("lr" if program.sets_groups or not _lambda_lr(module, name) else "factor")
    if returns not in RETURNS:
        raise ConfigError(f"{path}.returns", f"must be lr or factor, got {returns!r}")
    if not program.sets_groups and not any(True for s in program.statements() if type(s).__name__ == "Return" and s.expr is not None):
        raise ConfigError(f"{path}.function", f"{where}:{name} neither returns a number nor assigns param_group['lr']: it gives no lr")
    source = ast.get_source_segment(module.text, function) or ""
    used = _names_read(function, globals_)
    read_attrs = {n.attr for n in ast.walk(function) if isinstance(n, ast.Attribute)}
    lines += [line for attr, line in rewrites if attr in read_attrs]
    lines.append(f"{where}:{function.lineno}: {name}, read and translated, never run; called {call} at {when.replace('_', ' ')}"
                 + (", its value is " + ("a factor of each group's initial lr (LambdaLR)" if returns == "factor" else "the lr") if not program.sets_groups else ""))
    if ".also" not in path and not _length_read(module, function, name, namespace):
        length = f"{run.total_steps:,} iterations" if run.unit == "iteration" else f"{run.epoch_count:g} epochs"
        lines.append(f"  note: {where} does not say how long its loop runs in a way lrplot reads (`for step in range(N)` around the "
                     f"call, `args.epochs`, a `while True` loop's break); the run is {length}: give --iterations N or --epochs N "
                     "(run.iterations, run.epochs) as the script runs")
    accum = run.plan.grad_accum if run.plan is not None else 1
    if when == "iteration" and accum > 1:
        lines.append(f"  grad_accum {accum}: one call per optimizer step, at its first batch (i = 0, {accum}, {2 * accum}, ...; "
                     f"len(loader) = {run.plan.batches}), as MAE's loop")
    for key, value in used.items():
        lines.append(f"  {key} = {value!r}")
    return Part(program, when, call, "sets" if program.sets_groups else returns, source, used, function.lineno, namespace,
                tuple(n for n in module.namespace_names if n in _read_names(function) | _read_names(ast.parse(call.strip(), mode="eval"))))


def _length_read(module: SourceModule, function: ast.FunctionDef, name: str, namespace: dict[str, Any]) -> bool:
    """Whether the file says how long its loop runs (what ``FILE.py:NAME`` takes for the run)."""
    from .records import _args_epochs, loop_iterations

    try:
        return loop_iterations(module, function, name, namespace) is not None or _args_epochs(module, function, namespace) is not None
    except ConfigError:
        return False


def _loop_condition(module: SourceModule, function: ast.FunctionDef, name: str, globals_: dict[str, Any], namespace: dict[str, Any],
                    run: Any, n_groups: int, lines: list[str]) -> tuple[ast.expr, ast.AST] | None:
    """Where the file's own loop calls the function inside a conditional expression (nanoGPT's ``lr =
    get_lr(iter_num) if decay_lr else learning_rate``), the condition read with the file's names:
    None when the loop calls the function (or the file has no such call), else (the expression the
    loop takes instead, the statement it stands in)."""
    short = name.split(".")[-1]

    def calls_it(node: ast.expr) -> bool:
        return isinstance(node, ast.Call) and (isinstance(node.func, ast.Name) and node.func.id == short
                                               or isinstance(node.func, ast.Attribute) and node.func.attr == short)

    own = {id(n) for n in ast.walk(function)}
    sites = []
    for stmt in ast.walk(module.tree):
        if isinstance(stmt, ast.stmt) and id(stmt) not in own and not isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.Module)):
            for node in ast.iter_child_nodes(stmt):
                if isinstance(node, ast.IfExp) and (calls_it(node.body) or calls_it(node.orelse)):
                    sites.append((stmt, node))
    if len(sites) != 1:
        return None
    stmt, site = sites[0]
    reader = Translator(module, function, f"the loop's call at {module.line(stmt)}", globals_, n_groups)
    said = f"{module.line(stmt)}: the loop says `{module.source_line(stmt.lineno)}`"
    try:
        test = reader.value(site.test, _loop_names(module, namespace, run, n_groups))
    except ConfigError:
        lines.append(f"{said}; lrplot cannot read {ast.unparse(site.test)[:40]} and draws the call (--set it to decide)")
        return None
    if isinstance(test, Sym):
        lines.append(f"{said}; lrplot draws the call (its condition depends on the step)")
        return None
    taken = site.body if bool(test) else site.orelse
    condition = ast.unparse(site.test)
    if calls_it(taken):
        lines.append(f"{said}: {condition} is {bool(test)}, so it calls {short}")
        return None
    lines.append(f"{said}: {condition} is {bool(test)}, so the lr is {ast.unparse(taken)} and {short} is not called")
    return taken, stmt


def _read_names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


OPTIMIZERS = ("SGD", "Adam", "AdamW", "LARS", "LAMB", "Lamb", "RMSprop", "Adagrad", "Adadelta", "NAdam", "RAdam", "Adamax", "Lion")


def optimizer_lr(module: SourceModule, pins: dict[str, Any]) -> float | None:
    """The lr the file builds its optimizer with (``torch.optim.SGD(params, args.lr, ...)``), where
    one optimizer class is built and its lr can be read; None otherwise."""
    import copy

    from ... import pysource

    namespace, _ = argument_defaults(module)
    namespace.update(pins)
    apply_rewrites(module, namespace, set(pins))
    names = dict(module.names)
    for ns in module.namespace_names:
        if ns not in names or _unreadable(names[ns]):
            names[ns] = copy.deepcopy(namespace)
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
            if func in OPTIMIZERS:
                arg = next((k.value for k in node.keywords if k.arg == "lr"), node.args[1] if len(node.args) > 1 else None)
                if arg is not None:
                    found.append(pysource.Evaluator(module.where, dict(names), pysource.PURE_CALLS).value(arg))
    good = [v for v in found if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0]
    return float(good[0]) if good and len(set(good)) == 1 and len(good) == len(found) else None


def _unreadable(value: Any) -> bool:
    from ...pysource import Unreadable

    return isinstance(value, Unreadable)


def _module_lambda(module: SourceModule, name: str) -> ast.FunctionDef | None:
    """A module-level ``name = lambda x: ...`` as the function it is."""
    for node in module.tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            fn = ast.FunctionDef(name, node.value.args, [ast.Return(node.value.body, lineno=node.lineno, col_offset=0)], [], None, None)
            ast.copy_location(fn, node)
            fn.end_lineno = node.end_lineno
            return fn
    return None


def _lambda_lr(module: SourceModule, name: str) -> bool:
    """Whether the file hands the function to LambdaLR (then its value is a factor)."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
            if func == "LambdaLR":
                handed = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "lr_lambda")]
                if any(isinstance(a, ast.Name) and a.id == name or isinstance(a, ast.Attribute) and a.attr == name for a in handed):
                    return True
    return False


# parameters named like the loop's time: the step or the epoch (bound before any other unknown parameter)
TIMED_NAMES = (*STEP_NAMES, "iter", "cur_step", "current_step", "cur_epoch", "current_epoch", "epoch", "ep")


def _timed(param: str) -> bool:
    return param in TIMED_NAMES or "epoch" in param.lower()


def default_call(function: ast.FunctionDef, name: str, when: str, namespaces: tuple[str, ...], path: str) -> str:
    """The call the loop most likely makes, from the parameters' names; ``call`` says it otherwise.

    The step (or the epoch) goes to the parameter named like it (``it``, ``step``, ``epoch``, ...),
    or, where none is, to the first parameter lrplot cannot otherwise fill."""
    args = function.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if positional and positional[0] == "self":
        positional = positional[1:]
    first_default = len(positional) - len(args.defaults)
    known = {p for p in positional if p in OPTIMIZER_NAMES or p in LOADER_NAMES or p in BATCH_NAMES
             or (p in namespaces and p not in BATCH_NAMES + STEP_NAMES)}
    timed = next((p for p in positional if p not in known and _timed(p)), None)
    if timed is None:
        timed = next((p for k, p in enumerate(positional) if p not in known and k < first_default), None)
    # the parameters the call passes: up to the last one that has no default, or is the time
    last = max([k for k, p in enumerate(positional) if k < first_default or p == timed], default=-1)

    def argument(param: str) -> str | None:
        if param in OPTIMIZER_NAMES:
            return "optimizer"
        if param in namespaces and param not in BATCH_NAMES + STEP_NAMES:
            return param
        if param in LOADER_NAMES:
            return "loader"
        if param in BATCH_NAMES:
            return "i"
        if param == timed:
            if when == "iteration":
                return "epoch + i / len(loader)" if "epoch" in param.lower() else "step"
            return "epoch + 1" if when == "epoch_end" else "epoch"
        return None

    out = []
    keyword = False  # after a parameter left at its default, the rest go by name
    for k, param in enumerate(positional[:last + 1]):
        given = argument(param)
        if given is None and k >= first_default:
            keyword = True
            continue
        if given is None:
            shown = ", ".join(argument(p) or f"<{p}>" for p in positional[:max(last, positional.index(param)) + 1])
            raise ConfigError(f"{path}.call", f"{name}'s parameter {param!r} is not one lrplot can guess; write the call as the loop makes "
                              f"it, like call: \"{name.split('.')[-1]}({shown})\" with <{param}> the value the loop passes, in the loop's "
                              "names (epoch, i, step, optimizer, args) or a number")
        out.append(f"{param}={given}" if keyword else given)
    return f"{name.split('.')[-1]}({', '.join(out)})"


def _loop_names(module: SourceModule, namespace: dict[str, Any], run: Any, n_groups: int) -> dict[str, Any]:
    """The names a training loop has where it calls the function: the call's variables, the loader, the run."""
    batches = run.plan.batches if run.plan is not None else run.steps_per_epoch
    # i and len(loader) count batches (iters_per_epoch is MoCo v3's len(train_loader)), step and steps_per_epoch optimizer steps
    loop: dict[str, Any] = {"epoch": Sym(ast.Name("epoch", ast.Load())), "optimizer": Optimizer(n_groups),
                            "steps_per_epoch": run.steps_per_epoch, "iters_per_epoch": batches,
                            "grad_accum": run.plan.grad_accum if run.plan is not None else 1,
                            "epochs": run.epochs, "total_steps": run.total_steps}
    loop.update({n: Sym(ast.Name("step", ast.Load())) for n in STEP_NAMES})
    loop.update({n: Sym(ast.Name("i", ast.Load())) for n in BATCH_NAMES})
    loop.update({n: Loader(batches) for n in LOADER_NAMES})
    for ns in module.namespace_names:
        loop.setdefault(ns, namespace)
    return loop


def _bind(call: str, function: ast.FunctionDef, name: str, module: SourceModule, globals_: dict[str, Any], namespace: dict[str, Any],
          run: Any, n_groups: int, path: str) -> dict[str, Any]:
    """The function's parameters, bound to what ``call`` passes in the loop's names."""
    try:
        tree = ast.parse(call.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ConfigError(f"{path}.call", f"is not a Python call ({exc.msg})") from None
    short = name.split(".")[-1]
    called = tree.func.attr if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Attribute) else (
        tree.func.id if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) else None)
    if called != short:
        raise ConfigError(f"{path}.call", f"must call {short}(...), as the loop does, got {call!r}")
    reader = Translator(module, function, f"the call {call!r}", globals_, n_groups)
    loop = _loop_names(module, namespace, run, n_groups)
    args = function.args
    if args.vararg or args.kwarg or args.kwonlyargs:
        raise ConfigError(module.line(function), f"{name} takes *args, **kwargs or keyword-only parameters, which lrplot does not bind")
    positional = [a.arg for a in args.posonlyargs + args.args]
    if positional and positional[0] == "self":
        positional = positional[1:]
    bound: dict[str, Any] = {}
    if len(tree.args) > len(positional):
        raise ConfigError(f"{path}.call", f"passes {len(tree.args)} arguments, but {name} takes {len(positional)}")
    def argument(node: ast.expr) -> Any:
        try:
            return reader.value(node, loop)
        except ConfigError as exc:  # about the call's text (line 1 of it), not the file: say where it was written
            if exc.path != module.line(node):
                raise
            raise ConfigError(f"{path}.call", f"{exc.message} (the loop's names: epoch, i, step, optimizer, loader, steps_per_epoch, "
                                              "grad_accum, epochs, total_steps, the parsed arguments)") from None

    for param, arg in zip(positional, tree.args):
        bound[param] = argument(arg)
    for kw in tree.keywords:
        if kw.arg not in positional:
            raise ConfigError(f"{path}.call", f"{name} has no parameter {kw.arg!r}")
        bound[kw.arg] = argument(kw.value)
    defaults = dict(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    for param in positional:
        if param not in bound:
            if param not in defaults:
                raise ConfigError(f"{path}.call", f"gives no value for {name}'s parameter {param!r}")
            bound[param] = reader.value(defaults[param], {})
    if (args.posonlyargs + args.args)[:1] and (args.posonlyargs + args.args)[0].arg == "self":
        # a method: what it reads of self is given with --set self.NAME=VALUE, over what __init__ assigns
        # (self.X = a number, or a parameter with a default) and the loop's step (self.step, self.epoch)
        given = globals_.get("self")
        bound["self"] = {**_init_attributes(module, name), **{n: loop[n] for n in (*STEP_NAMES, "epoch")},
                         **(given if isinstance(given, dict) else {})}
    return bound


def _init_attributes(module: SourceModule, name: str) -> dict[str, Any]:
    """What ``Class.__init__`` assigns to ``self`` that can be read: numbers and a parameter's default."""
    init = module.functions.get(f"{name.split('.')[0]}.__init__") if "." in name else None
    if init is None:
        return {}
    params = [a.arg for a in init.args.posonlyargs + init.args.args]
    defaults = dict(zip(params[len(params) - len(init.args.defaults):], init.args.defaults))
    defaults.update({a.arg: d for a, d in zip(init.args.kwonlyargs, init.args.kw_defaults) if d is not None})
    out: dict[str, Any] = {}
    for stmt in init.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute) \
                and isinstance(stmt.targets[0].value, ast.Name) and stmt.targets[0].value.id == "self":
            value = stmt.value
            if isinstance(value, ast.Name) and value.id in defaults:
                value = defaults[value.id]
            if isinstance(value, ast.Constant) and isinstance(value.value, (int, float)):
                out[stmt.targets[0].attr] = value.value
            else:
                out.pop(stmt.targets[0].attr, None)
    return out


def _names_read(function: ast.FunctionDef, globals_: dict[str, Any]) -> dict[str, Any]:
    """The file's names the function reads (plain values), for explain and code."""
    params = {a.arg for a in function.args.args + function.args.posonlyargs}
    out: dict[str, Any] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id not in params and node.id in globals_:
            value = globals_[node.id]
            if isinstance(value, (int, float, str, bool, list, tuple)) and not isinstance(value, type):
                out[node.id] = value
    return dict(sorted(out.items()))


# ----------------------------------------------------------------------------------------------
# Running


def calls(when: str, run: Any) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    """The call points of a part: the loop's variables per call, the optimizer step each call's lr
    starts at, and the part's order among the calls at one step."""
    n, spe = run.total_steps, run.steps_per_epoch
    accum = run.plan.grad_accum if run.plan is not None else 1
    batches = run.plan.batches if run.plan is not None else spe
    if when == "iteration":  # once per optimizer step, at the first batch it accumulates (i counts batches)
        k = np.arange(n, dtype=np.int64)
        return {"epoch": k // spe, "i": k % spe * accum, "step": k}, k, _PHASE[when]
    if when == "epoch_start":
        e = np.arange(-(-n // spe), dtype=np.int64)
        return {"epoch": e, "i": np.zeros_like(e), "step": e * spe}, e * spe, _PHASE[when]
    e = np.arange(n // spe, dtype=np.int64)
    return {"epoch": e, "i": np.full_like(e, batches - 1), "step": (e + 1) * spe - 1}, (e + 1) * spe, _PHASE[when]


def lrs(schedule: Schedule, run: Any, base: list[float], exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """lr[g, k] for every optimizer step, and the line that gave group 0's lr (0: the optimizer's own)."""
    n, groups = run.total_steps, len(base)
    if any(p.program.stateful for p in schedule.parts):
        return _stepwise(schedule, run, base)
    keys, values, sources = [], [], []
    for order, part in enumerate(schedule.parts):
        env, at, phase = calls(part.when, run)
        outcome = run_vector(part.program, {v: env[v] for v in part.program.variables} or {"step": env["step"]}, groups, exact)
        value = _set(part, outcome.returned, outcome.set, base)
        if len(schedule.parts) == 1:
            return _carried(value, outcome.source, at, n, base)
        keys.append((at * 3 + phase) * len(schedule.parts) + order)
        values.append(value)
        sources.append(outcome.source)
    key = np.concatenate(keys)
    order = np.argsort(key, kind="stable")
    value = np.concatenate(values, axis=1)[:, order]
    source = np.concatenate(sources)[order]
    # the calls in the loop's order; each step trains with the last value set at or before it
    at = key[order] // len(schedule.parts) // 3
    return _carried(value, source, at, n, base)


def _carried(value: np.ndarray, source: np.ndarray, at: np.ndarray, n: int, base: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Per step, the value of the last call at or before it that set one (calls in order; NaN: not set)."""
    out = np.empty((len(base), n))
    lines = np.zeros(n, dtype=np.int64)
    for g in range(len(base)):
        have = ~np.isnan(value[g])
        if at.size == n and have.all() and (at == np.arange(n)).all():
            out[g] = value[g]
            if g == 0:
                lines = source.copy()
            continue
        # the index of the last call that set a value, for each call, then for each step
        marks = np.where(have, np.arange(at.size), -1)
        last = np.maximum.accumulate(marks) if marks.size else marks
        first_call = np.searchsorted(at, np.arange(n), side="right") - 1
        idx = np.where(first_call >= 0, last[np.maximum(first_call, 0)] if last.size else -1, -1)
        out[g] = np.where(idx >= 0, value[g][np.maximum(idx, 0)], base[g])
        if g == 0:
            lines = np.where(idx >= 0, source[np.maximum(idx, 0)], 0)
    return out, lines


def _set(part: Part, returned: np.ndarray, set_: np.ndarray, base: list[float]) -> np.ndarray:
    if part.returns == "sets":
        return set_
    if part.returns == "factor":
        return np.asarray(base, dtype=np.float64)[:, None] * returned[None, :]
    return np.broadcast_to(returned, set_.shape).copy()


MAX_STEPWISE_CALLS = 2_000_000  # a function that reads the lr it set runs call by call in Python: about a minute at most


def _stepwise(schedule: Schedule, run: Any, base: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Call by call with Python's numbers, in the loop's order, for functions that read the lr they set."""
    n, groups = run.total_steps, len(base)
    total = sum(calls(p.when, run)[1].size for p in schedule.parts)
    if total > MAX_STEPWISE_CALLS:
        raise ConfigError(schedule.parts[0].program.file, f"{schedule.parts[0].program.where} reads param_group['lr'], so lrplot runs its "
                          f"{total:,} calls one by one; it does that for at most {MAX_STEPWISE_CALLS:,} calls (a shorter run, or "
                          "compute the lr from the step instead of from the last one)")
    events = []
    for order, part in enumerate(schedule.parts):
        env, at, phase = calls(part.when, run)
        for j in range(at.size):
            events.append(((int(at[j]) * 3 + phase) * len(schedule.parts) + order, part, {v: int(env[v][j]) for v in part.program.variables}))
    events.sort(key=lambda e: e[0])
    out = np.empty((groups, n))
    lines = np.zeros(n, dtype=np.int64)
    current, line = list(base), 0
    k = 0
    for key, part, point in events:
        step = key // len(schedule.parts) // 3
        while k < min(step, n):
            out[:, k] = current
            lines[k] = line
            k += 1
        returned, set_, source = run_scalar(part.program, point, current)
        if part.returns == "sets":
            new = [c if s is None else s for c, s in zip(current, set_)]
        elif returned is None:
            new = current
        else:
            new = [b * returned for b in base] if part.returns == "factor" else [returned] * groups
        if step < n:
            current = [float(v) for v in new]
            line = source or line
    while k < n:
        out[:, k] = current
        lines[k] = line
        k += 1
    return out, lines
