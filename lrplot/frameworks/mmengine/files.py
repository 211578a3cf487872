"""OpenMMLab Python configs, read as mmengine's ``Config.fromfile`` would, without running them.

A config (mmdetection's ``faster-rcnn_r50_fpn_1x_coco.py``) names its ``_base_`` files (a path or
a list, relative to its own folder), which are read first, in order, and merged: the bases may not
share a top-level key (mmengine raises KeyError), and the file's own keys are merged into theirs
the way ``Config._merge_a_into_b`` does: a dict merges key by key into the base's dict, unless it
says ``_delete_=True`` (then it replaces it); anything else (a list, a number) replaces. A
``{{_base_.key}}`` in the text, and ``_base_.key`` in an expression, read the merged bases.
New-style configs import their bases inside ``with read_base():`` (``from .._base_.x import *``,
relative to the file); those are read the same way. They also name classes by importing them
(``from mmengine.optim import LinearLR`` then ``type=LinearLR``): mmengine reads such an import as a
LazyObject that stands for the class, so lrplot reads it as the class's name, as an old-style config
writes it (``type='LinearLR'``): a class of mmengine or of torch.optim by its plain name, one of
another package (``mmdet.engine.schedulers.QuadraticWarmupLR``) by its full name, which the
``mmengine:`` section then refuses as not mmengine's. Imported names are not config keys.

Each file is parsed with :mod:`lrplot.pysource`, never executed: the model and data parts may call
functions or import modules, which is only an error where the schedule needs it (the optimizer,
``param_scheduler``, ``train_cfg``, ``auto_scale_lr`` and the train dataloader's ``batch_size``). A
base that cannot be found, a package-scoped base (``mmdet::...``) or one computed at run time is an
error naming the file and line.
"""

from __future__ import annotations

import ast
import copy
import os
import re
from pathlib import Path
from typing import Any

from ... import pysource
from ...errors import ConfigError
from ...sources import ConfigFile, SourceFile, read_source

MAX_DEPTH = 16  # _base_ chains nest a few files deep; a cycle is refused before this
SCHEDULE_KEYS = ("param_scheduler", "train_cfg", "optim_wrapper", "auto_scale_lr")
# Packages whose classes a config names by their plain name (mmengine's registry and torch.optim's).
_OWN_PACKAGES = ("mmengine", "torch.optim")
_BASE_VAR = re.compile(r"\{\{\s*_base_\.([\w\.]+)\s*\}\}")
_INSTEAD = "write the value itself in the file (a number, a string, a list or a dict(...))"


def _top_names(tree: ast.Module) -> set[str]:
    names = set()
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        names.update(t.id for t in targets if isinstance(t, ast.Name))
        if isinstance(stmt, ast.With) and _is_read_base(stmt):
            names.add("_base_")
    return names


def claims(source: SourceFile) -> str | None:
    """An OpenMMLab config: a ``_base_`` (or ``read_base()``) chain, or a ``param_scheduler`` of its own."""
    try:
        tree = ast.parse(_BASE_VAR.sub("None", source.text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names = _top_names(tree)
    if "_base_" in names or "param_scheduler" in names:
        return "an OpenMMLab (mmengine) config"
    return None


class ImportedClass(str):
    """A name a new-style config imports (``from mmengine.optim import LinearLR``), read as the class's
    name: mmengine's lazy import makes ``type=LinearLR`` the class itself."""

    module = ""

    def __new__(cls, name: str, module: str) -> "ImportedClass":
        own = any(module == p or module.startswith(p + ".") for p in _OWN_PACKAGES)
        out = super().__new__(cls, name if own else f"{module}.{name}")
        out.module = module
        return out

    def __reduce__(self):  # copy.deepcopy keeps the module
        return (_imported, (str(self), self.module))


def _imported(text: str, module: str) -> ImportedClass:
    out = str.__new__(ImportedClass, text)
    out.module = module
    return out


class _Evaluator(pysource.Evaluator):
    """pysource's evaluator, with a new-style config's ``from package.module import Class`` read as the
    class; ``hidden`` holds the names an import, a def or a class binds, which are not config keys."""

    def __init__(self, where: str, names: dict[str, Any]):
        super().__init__(where, names)
        self.hidden: set[str] = set()

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = [stmt.name] if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else [
                (a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"]
            self.hidden.update(bound)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            self.hidden.difference_update(t.id for t in targets if isinstance(t, ast.Name))
        if isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module and all(a.name != "*" for a in stmt.names):
            for alias in stmt.names:
                self.names[alias.asname or alias.name] = ImportedClass(alias.name, stmt.module)
            return
        super().statement(stmt)


class _Reader:
    """Follows one config's base chain; ``origin`` remembers which file set each top-level key."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.origin: dict[str, str] = {}

    def read(self, path: Path, where: str, chain: tuple[str, ...] = ()) -> dict[str, Any]:
        key = str(path.resolve())
        if key in chain:
            raise ConfigError(where, "its _base_ chain includes itself; mmengine would recurse without end")
        if len(chain) > MAX_DEPTH:
            raise ConfigError(where, f"a _base_ chain more than {MAX_DEPTH} files deep")
        source = read_source(path, where)
        self.files.append(source.where)
        placeholders: dict[str, str] = {}

        def placeholder(match: re.Match) -> str:
            name = f"_lrplot_base_var_{len(placeholders)}"
            placeholders[name] = match.group(1)
            return name

        text = _BASE_VAR.sub(placeholder, source.text)
        tree = pysource.parse(text, source.where)
        bases, body = self._bases(tree, path, source.where, chain + (key,))
        base = self._merge_bases(bases, source.where)
        names: dict[str, Any] = {"_base_": copy.deepcopy(base)}
        for name, dotted in placeholders.items():
            names[name] = _lookup(base, dotted, source.where)
        evaluator = _Evaluator(source.where, names)
        evaluator.run(body)
        own = {k: v for k, v in evaluator.names.items()
               if k != "_base_" and k not in placeholders and not k.startswith("__") and k not in evaluator.hidden}
        for k in own:
            self.origin[k] = source.where if k not in base else f"{source.where} (over {self.origin.get(k, 'its base')})"
        return merge(own, copy.deepcopy(base))

    def _bases(self, tree: ast.Module, path: Path, where: str, chain: tuple[str, ...]) -> tuple[list[dict[str, Any]], list[ast.stmt]]:
        """The base files' configs, in order, and the statements of the file itself."""
        found: list[dict[str, Any]] = []
        body: list[ast.stmt] = []
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_base_" for t in stmt.targets):
                value = pysource.Evaluator(where).value(stmt.value)
                at = f"{where}:{stmt.lineno}"
                items = [value] if isinstance(value, str) else value
                if isinstance(value, pysource.Unreadable) or not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
                    raise ConfigError(at, "_base_ must be a path or a list of paths written as strings, which lrplot reads without running the file")
                for item in items:
                    found.append(self._base_file(item, path, at, chain))
            elif isinstance(stmt, ast.With) and _is_read_base(stmt):
                for inner in stmt.body:
                    found.append(self._import_base(inner, path, f"{where}:{inner.lineno}", chain))
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)) and _imports_read_base(stmt):
                continue
            else:
                body.append(stmt)
        return found, body

    def _base_file(self, item: str, path: Path, at: str, chain: tuple[str, ...]) -> dict[str, Any]:
        if "::" in item:
            raise ConfigError(at, f"the base {item!r} is in an installed package (package::path), which lrplot does not import; "
                              "copy that file beside this one and name it by its relative path")
        if not item.endswith(".py"):
            raise ConfigError(at, f"the base {item!r} is not a .py config; lrplot reads Python configs (write its .py relative path)")
        target = Path(os.path.normpath(path.parent / item))
        if not target.is_file():
            raise ConfigError(at, f"the base {item!r} is not there ({target}); _base_ paths are relative to the file's folder")
        from ...files import shown

        return self.read(target, shown(target), chain)

    def _import_base(self, stmt: ast.stmt, path: Path, at: str, chain: tuple[str, ...]) -> dict[str, Any]:
        """``from .._base_.schedules.schedule_1x import *`` inside ``with read_base():``."""
        if not isinstance(stmt, ast.ImportFrom) or not stmt.level:
            what = ast.unparse(stmt)[:60]
            raise ConfigError(at, f"{what!r} inside read_base() is not a relative import of a config; lrplot reads "
                              "`from .path.to.config import *` relative to the file (a package's configs are not imported)")
        folder = path.parent
        for _ in range(stmt.level - 1):
            folder = folder.parent
        target = Path(os.path.normpath(folder.joinpath(*(stmt.module or "").split(".")).with_suffix(".py")))
        if not target.is_file():
            raise ConfigError(at, f"the base {ast.unparse(stmt)!r} names {target}, which is not there")
        from ...files import shown

        data = self.read(target, shown(target), chain)
        if any(a.name == "*" for a in stmt.names):
            return data
        out = {}
        for alias in stmt.names:
            if alias.name not in data:
                raise ConfigError(at, f"{target.name} has no {alias.name!r} to import")
            out[alias.asname or alias.name] = data[alias.name]
        return out

    def _merge_bases(self, bases: list[dict[str, Any]], where: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for base in bases:
            shared = sorted(set(base) & set(merged))
            if shared:
                raise ConfigError(where, f"its bases share the keys {', '.join(shared)}; mmengine raises KeyError (Duplicate key is not allowed among bases)")
            merged.update(base)
        return merged


def _is_read_base(stmt: ast.With) -> bool:
    return any(isinstance(i.context_expr, ast.Call) and ast.unparse(i.context_expr.func).endswith("read_base") for i in stmt.items)


def _imports_read_base(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.ImportFrom) and any(a.name == "read_base" for a in stmt.names)


def _lookup(base: dict[str, Any], dotted: str, where: str) -> Any:
    value: Any = base
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return pysource.Unreadable(where, f"{{{{_base_.{dotted}}}}}, which its bases do not hold", "name a key the _base_ files set")
    return copy.deepcopy(value)


def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """``Config._merge_a_into_b``: a's dicts merge into b's key by key unless ``_delete_=True``; the rest replaces."""
    for key, value in a.items():
        if isinstance(value, dict) and key in b and not value.get("_delete_", False):
            if isinstance(b[key], dict):
                b[key] = merge({k: v for k, v in value.items() if k != "_delete_"}, b[key])
                continue
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "_delete_"}
        b[key] = value
    return b


def read(source: SourceFile) -> ConfigFile:
    reader = _Reader()
    data = reader.read(source.path, source.where)
    section: dict[str, Any] = {}
    lines = []
    for key in SCHEDULE_KEYS:
        if key in data:
            section[key] = pysource.need(data[key], key)
            lines.append(f"  {key} from {reader.origin.get(key, source.where)}")
    loader = data.get("train_dataloader")
    if isinstance(loader, dict) and "batch_size" in loader:
        section["train_dataloader"] = {"batch_size": pysource.need(loader["batch_size"], "train_dataloader.batch_size")}
        if "drop_last" in loader:
            section["train_dataloader"]["drop_last"] = pysource.need(loader["drop_last"], "train_dataloader.drop_last")
        lines.append(f"  train_dataloader.batch_size {section['train_dataloader']['batch_size']} from {reader.origin.get('train_dataloader', source.where)}")
    missing = [k for k in ("param_scheduler", "train_cfg", "optim_wrapper") if k not in section]
    if missing:
        raise ConfigError(source.where, f"has no {', '.join(missing)} (nor do its bases); lrplot draws the param_scheduler an OpenMMLab config trains with")
    hooks = data.get("default_hooks")
    hook = hooks.get("param_scheduler") if isinstance(hooks, dict) else None
    kind = hook.get("type") if isinstance(hook, dict) else None
    if section["param_scheduler"] is None and isinstance(kind, str) and kind.rsplit(".", 1)[-1] != "ParamSchedulerHook":
        # mmyolo: `param_scheduler = None`, and a hook of its own sets the lr every iteration
        raise ConfigError(f"{reader.origin.get('default_hooks', source.where).split(' (over ')[0]}: default_hooks.param_scheduler",
                          f"is {kind}, a hook that sets the lr itself (param_scheduler is None, from "
                          f"{reader.origin.get('param_scheduler', source.where).split(' (over ')[0]}), which lrplot does not model; it draws mmengine's "
                          "param_scheduler list under ParamSchedulerHook")
    from .section import schedulers

    try:  # the list as the mmengine: section reads it, its mistakes named in the file that wrote them
        schedulers(section, "param_scheduler")
    except ConfigError as exc:
        raise type(exc)(f"{reader.origin.get('param_scheduler', source.where)}: {exc.path.removeprefix('param_scheduler.')}", exc.message) from None
    wrapper = section["optim_wrapper"]
    if isinstance(wrapper, dict) and wrapper.get("constructor") not in (None, "DefaultOptimWrapperConstructor"):
        lines.append(f"  optim_wrapper.constructor {wrapper['constructor']!r} builds its own param groups (layer-wise lrs): lrplot draws the base lr's group")
    from ...files import name_of

    return ConfigFile({"mmengine": section, "name": name_of(source.path)}, "mmengine", tuple(lines), tuple(reader.files))
