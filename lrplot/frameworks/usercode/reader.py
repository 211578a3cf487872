"""The user's Python files, read statically: the names a schedule function can see.

A schedule function reads three kinds of names, and each is read here without running anything
(``lrplot.pysource`` evaluates literals and arithmetic; everything else is an Unreadable that is an
error only where the function needs it):

* module-level names (``learning_rate = 6e-4`` in nanoGPT's train.py), at their final value;
* the argument namespace: every ``parser.add_argument(..., default=...)`` of the file (or of
  ``args_from`` files), under argparse's ``dest``, then the rewrites a script makes after parsing
  (``args.lr = args.blr * eff_batch_size / 256`` in MAE's main), in file order, in any function;
* dataclass-like defaults: ``Config()`` of a class whose body assigns plain values is a mapping of
  them (``cfg.lr`` reads the default).

Pins (``--set NAME=VALUE``, or every module name of a ``set_file``) win over every assignment of the
same name in the files, and what is computed from them (``tokens_per_iter``, ``args.lr = args.blr *
...``) sees the pinned value, as when the script itself reads an override before computing.
"""

from __future__ import annotations

import ast
import copy
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import pysource
from ...errors import ConfigError
from ...pysource import Unreadable

# Names scripts give the parsed argument namespace, besides whatever they assign parse_args() to.
NAMESPACE_NAMES = ("args", "opt", "opts", "cfg", "config", "hparams", "hyp", "params", "conf", "FLAGS")


@dataclass
class SourceModule:
    """One file as read: its tree, its module-level names and where each function is."""

    path: Path
    where: str  # the path as messages show it
    text: str
    tree: ast.Module
    names: dict[str, Any]
    modules: dict[str, str]  # import aliases of modules: {"np": "numpy", "math": "math"}
    imported: dict[str, tuple[str, str]]  # from-imports: {"cos": ("math", "cos")}
    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)  # "get_lr", "Trainer.get_lr"
    namespace_names: tuple[str, ...] = ()

    def line(self, node: ast.AST) -> str:
        return f"{self.where}:{getattr(node, 'lineno', 1)}"

    def source_line(self, lineno: int) -> str:
        lines = self.text.splitlines()
        return lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""


def read_module(path: Path, where: str, pins: dict[str, Any] | None = None) -> SourceModule:
    """A Python file's module-level names (pins win over its own assignments) and its functions."""
    from ...sources import read_source

    source = read_source(path, where)
    tree = pysource.parse(source.text, where)
    pins = pins or {}
    evaluator = _Pinned(where, dict(copy.deepcopy(pins)), {**pysource.PURE_CALLS, **_dataclass_calls(tree, where)}, pins)
    try:
        names = evaluator.run(tree.body)
    except RecursionError:
        raise ConfigError(where, "holds an expression nested too deeply to read") from None
    modules: dict[str, str] = {}
    imported: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules[(alias.asname or alias.name).split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                imported[alias.asname or alias.name] = (node.module, alias.name)
    functions: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    functions[f"{node.name}.{item.name}"] = item
    return SourceModule(path, where, source.text, tree, names, modules, imported, functions, _namespace_names(tree))


class _Pinned(pysource.Evaluator):
    """An evaluator whose pinned names keep their pinned value through the file's own assignments."""

    def __init__(self, where: str, names: dict[str, Any], calls: dict, pins: dict[str, Any]):
        super().__init__(where, names, calls)
        self.pins = pins

    def bind(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name) and target.id in self.pins:
            return
        super().bind(target, value)

    def statement(self, stmt: ast.stmt) -> None:
        super().statement(stmt)
        for key in self.pins:  # an import or a loop binds names without bind()
            if isinstance(self.names.get(key), Unreadable):
                self.names[key] = copy.deepcopy(self.pins[key])


def _dataclass_calls(tree: ast.Module, where: str) -> dict[str, Any]:
    """``Config()`` of a module-level class whose body assigns plain values: a mapping of them."""
    calls: dict[str, Any] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        evaluator = pysource.Evaluator(where, {}, pysource.PURE_CALLS)
        defaults: dict[str, Any] = {}
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.value is not None:
                defaults[item.target.id] = evaluator.value(item.value)
            elif isinstance(item, ast.Assign) and len(item.targets) == 1 and isinstance(item.targets[0], ast.Name):
                defaults[item.targets[0].id] = evaluator.value(item.value)
        if defaults:
            def make(*args: Any, _defaults: dict = defaults, _name: str = node.name, **kwargs: Any) -> dict[str, Any]:
                if args:
                    raise TypeError(f"{_name}() with positional arguments")
                return {**copy.deepcopy(_defaults), **kwargs}

            calls[node.name] = make
    return calls


def _namespace_names(tree: ast.Module) -> tuple[str, ...]:
    """The names a file assigns ``parser.parse_args()`` (or ``parse_known_args()[0]``) to, and the usual ones."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Call, ast.Subscript)):
            call = node.value.value if isinstance(node.value, ast.Subscript) else node.value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in ("parse_args", "parse_known_args"):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.append(target.id)
                    elif isinstance(target, ast.Tuple) and target.elts and isinstance(target.elts[0], ast.Name):
                        found.append(target.elts[0].id)
    return tuple(dict.fromkeys([*found, *NAMESPACE_NAMES]))


# ----------------------------------------------------------------------------------------------
# argparse


def argument_defaults(module: SourceModule) -> tuple[dict[str, Any], list[str]]:
    """Every ``add_argument`` default of a file, by dest; and a line per argument, for ``explain``."""
    defaults: dict[str, Any] = {}
    lines: list[str] = []
    evaluator = pysource.Evaluator(module.where, dict(module.names), pysource.PURE_CALLS)
    for node in ast.walk(module.tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument"):
            continue
        flags = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        dest = None
        if "dest" in kw and isinstance(kw["dest"], ast.Constant) and isinstance(kw["dest"].value, str):
            dest = kw["dest"].value
        else:
            longs = [f for f in flags if f.startswith("--")]
            chosen = longs[0] if longs else (flags[0] if flags else None)
            if chosen is not None:
                dest = chosen.lstrip("-").replace("-", "_")
        if not dest:
            continue
        action = kw.get("action")
        action_name = action.value if isinstance(action, ast.Constant) else None
        if "default" in kw:
            value = evaluator.value(kw["default"])
        elif action_name == "store_true":
            value = False
        elif action_name == "store_false":
            value = True
        else:
            value = None
        kind = kw.get("type")
        if isinstance(value, str) and isinstance(kind, ast.Name) and kind.id in ("int", "float"):
            # argparse applies `type` to a string default
            try:
                value = int(value) if kind.id == "int" else float(value)
            except ValueError:
                value = Unreadable(module.line(node), f"the default {value!r} of {dest}, which {kind.id}() cannot read")
        defaults.setdefault(dest, value)
    if defaults:
        lines.append(f"{module.where}: {len(defaults)} argparse defaults (args.NAME)")
    return defaults, lines


def apply_rewrites(module: SourceModule, namespace: dict[str, Any], pinned: set[str], devices: int | None = None) -> list[tuple[str, str]]:
    """The assignments a script makes to its parsed arguments (``args.lr = args.blr * ...``), in file
    order in every function, where they can be read; an attribute a loop or a branch lrplot cannot
    decide assigns becomes Unreadable. Pinned attributes keep their value; ``get_world_size()`` is
    ``devices`` (the run's). Returns (attribute, line) for each rewrite, for ``explain``."""
    lines: list[tuple[str, str]] = []
    for node in module.tree.body:
        bodies = [node.body] if isinstance(node, ast.FunctionDef) else [
            item.body for item in getattr(node, "body", []) if isinstance(item, ast.FunctionDef)] if isinstance(node, ast.ClassDef) else []
        for body in bodies:
            # a copy: `self.lr = lr` in an __init__ must not write into the module's names (--set self.lr=... lives there)
            names: dict[str, Any] = copy.deepcopy(module.names)
            for ns in module.namespace_names:
                names[ns] = namespace
            evaluator = _Rewrites(module, names, namespace, pinned, lines)
            evaluator.devices = devices
            evaluator.block(body)
    return lines


WORLD_SIZE_CALLS = ("get_world_size",)  # torch.distributed's, and the helpers scripts wrap it in (MAE's misc.get_world_size())


class _Math(pysource.Evaluator):
    """An evaluator that also computes ``math.cos(...)``, ``math.pi`` and numpy's scalar math,
    where a script computes a default with them (SupCon's ``warmup_to``), and the world size a
    script asks torch.distributed for (the run's devices)."""

    modules: dict[str, str] = {}
    devices: int | None = None

    def _Attribute(self, node: ast.Attribute) -> Any:
        if isinstance(node.value, ast.Name) and self.modules.get(node.value.id) in ("math", "numpy") and node.attr in ("pi", "e", "tau", "inf"):
            return getattr(math, node.attr)
        return super()._Attribute(node)

    def _Call(self, node: ast.Call) -> Any:
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if called in WORLD_SIZE_CALLS and not node.args and self.devices is not None:
            return self.devices
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and self.modules.get(func.value.id) in ("math", "numpy") \
                and not node.keywords:
            args = [self.value(a) for a in node.args]
            for a in args:
                if isinstance(a, Unreadable):
                    return a
            module = math if self.modules[func.value.id] == "math" else __import__("numpy")
            function = getattr(module, func.attr, None)
            if callable(function) and all(isinstance(a, (int, float)) for a in args):
                try:
                    result = function(*args)
                except (ArithmeticError, ValueError, TypeError) as exc:
                    raise ConfigError(self.at(node), f"{ast.unparse(node)[:60]!r} cannot be computed ({exc})") from None
                return result.item() if hasattr(result, "item") else result
        return super()._Call(node)


class _Rewrites(_Math):
    def __init__(self, module: SourceModule, names: dict[str, Any], namespace: dict[str, Any], pinned: set[str], lines: list[str]):
        super().__init__(module.where, names, pysource.PURE_CALLS)
        self.modules = module.modules
        self.module, self.namespace, self.pinned, self.lines = module, namespace, pinned, lines

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            try:
                self.one(stmt)
            except ConfigError:
                # a rewrite that cannot be computed makes what it assigns unknown, not the file unreadable
                for attr in self._assigned(stmt):
                    self.namespace[attr] = self.unreadable(stmt, f"an assignment to args.{attr} that cannot be computed")

    def one(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.If):
            test = self.value(stmt.test)
            if isinstance(test, Unreadable):
                self._unknown(stmt, f"an if statement at line {stmt.lineno} whose test lrplot cannot decide")
            else:
                self.block(stmt.body if test else stmt.orelse)
        elif isinstance(stmt, ast.Assign) and _parses_args(stmt.value):
            for target in stmt.targets:  # `opt = parser.parse_args()` inside parse_option()
                if isinstance(target, ast.Name):
                    self.names[target.id] = self.namespace
        elif isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            before = dict(self.namespace)
            self.statement(stmt)
            for attr in self._assigned(stmt):
                if attr in self.pinned:
                    self.namespace[attr] = before.get(attr)
                elif attr in self.namespace:
                    self.lines.append((attr, f"{self.module.line(stmt)}: {self.module.source_line(stmt.lineno)}  (after parsing)"))
        elif isinstance(stmt, ast.Expr):
            # `opt.lr_decay_epochs.append(...)`: a value changed in place is no longer the one read
            self._unknown(stmt, f"a call at line {stmt.lineno} that changes it in place")
        elif isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.Pass, ast.Import, ast.ImportFrom, ast.Return)):
            return
        else:
            self._unknown(stmt, f"{pysource._describe(stmt)} at line {stmt.lineno}")

    def _unknown(self, stmt: ast.stmt, construct: str) -> None:
        for attr in self._assigned(stmt):
            if attr not in self.pinned:
                self.namespace[attr] = self.unreadable(stmt, f"args.{attr} assigned in {construct}",
                                                       f"give its value with --set {attr}=VALUE")
        for name in pysource._assigned_names(stmt):
            self.names[name] = self.unreadable(stmt, construct)

    def _assigned(self, stmt: ast.stmt) -> list[str]:
        out = []
        for node in ast.walk(stmt):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.module.namespace_names:
                if isinstance(node.ctx, ast.Store):
                    out.append(node.attr)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                inner = node.func.value  # ns.X.append(...), ns.X.update(...)
                if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) and inner.value.id in self.module.namespace_names:
                    out.append(inner.attr)
        return out


def _parses_args(node: ast.expr) -> bool:
    call = node.value if isinstance(node, ast.Subscript) else node
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in ("parse_args", "parse_known_args")
