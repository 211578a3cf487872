"""detectron2's own files: a yacs YAML config with its ``_BASE_`` chain, and a LazyConfig ``.py``.

A YAML config (``configs/COCO-Detection/faster_rcnn_R_50_FPN_1x.yaml``, or the ``config.yaml``
detectron2 dumps into its output folder) is read as fvcore's ``CfgNode.load_yaml_with_base`` reads
it: each ``_BASE_`` (one path or a list) relative to the file's folder, the file's keys merged over
its bases (a value under a Python tag, as Base-RetinaNet.yaml's anchor sizes, is left unread unless
it is a SOLVER key lrplot reads); then yacs decodes strings holding Python literals (``STEPS: (60000, 80000)`` is a
tuple) and checks each value against its default's type. Its ``SOLVER`` keys become the
``detectron2:`` section; keys a project added to SOLVER (detectron2 itself would refuse them) are
named in ``explain`` and left out. YAML is read with the safe loader only (detectron2 falls back to
``yaml.unsafe_load``; lrplot never does).

A LazyConfig (``configs/COCO-Detection/retinanet_R_50_FPN_1x.py``) is parsed, never run: its
relative imports of other config files are followed as LazyConfig follows them (a fresh read of
``..common/coco_schedule.py`` for each), ``L(Class)(...)`` is the ``{"_target_": ...}`` mapping
LazyCall makes, the file's own small functions are called statically (``default_X_scheduler(1)``),
and ``lr_multiplier``, ``train.max_iter`` and ``optimizer`` give the schedule, the run and the lr.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from ...values import Missing, YamlTag
from ...pysource import Evaluator, Unreadable, need, parse
from ...sources import ConfigFile, SourceFile, read_source
from .records import BY_NAME, PREFIX
from .section import INERT, KEYS, decode

BASE_KEY = "_BASE_"
MAX_FILES = 32  # files in one _BASE_ chain or import tree
# a LazyConfig sets or imports lr_multiplier (also in a parenthesized list of names: new_baselines'
# 400ep file imports everything from its 100ep sibling), or imports detectron2 or fvcore's schedulers
_LAZY = re.compile(r"^\s*lr_multiplier\s*=|import[^\n(]*\blr_multiplier\b|import\s*\([^)]*\blr_multiplier\b"
                   r"|^\s*from\s+(detectron2\.|fvcore\.common\.param_scheduler)", re.M)


def claims(source: SourceFile) -> str | None:
    if source.suffix == ".py":
        return "a detectron2 LazyConfig" if _LAZY.search(source.text) else None
    data = source.data
    if isinstance(data, dict) and (BASE_KEY in data or isinstance(data.get("SOLVER"), dict) and set(data["SOLVER"]) & set(KEYS)):
        return "a detectron2 config"
    return None


def read(source: SourceFile) -> ConfigFile:
    if source.suffix == ".py":
        return _lazy(source)
    return _yaml(source)


# ------------------------------------------------------------------------------------------------
# YAML, fvcore's load_yaml_with_base


def _yaml(source: SourceFile) -> ConfigFile:
    files: list[str] = []
    origin: dict[str, str] = {}  # SOLVER key -> the file that set it last
    cfg = _with_base(source, files, origin, ())
    solver = cfg.get("SOLVER", {})
    if not isinstance(solver, dict):
        raise ConfigError(f"{source.where}: SOLVER", f"must be a mapping of SOLVER keys, got {type(solver).__name__}")
    for key, value in solver.items():
        # a YAML tag lrplot does not construct (Base-RetinaNet.yaml's `!!python/object/apply:eval` under
        # MODEL) only matters in a key lrplot reads
        if key in KEYS and find_tag(value) is not None:
            tag = find_tag(value)
            raise ConfigError(f"{origin.get(key, source.where)}: SOLVER.{key}", f"holds {tag.tag} (line {tag.line}), which detectron2 evaluates "
                              "with yaml.unsafe_load and lrplot never runs; write the value itself")
    section = {k: decode(v) for k, v in solver.items() if k in KEYS}
    lines = []
    schedule = [k for k in section if k not in INERT]
    by_file: dict[str, list[str]] = {}
    for key in schedule:
        by_file.setdefault(origin[key], []).append(key)
    for where, keys in by_file.items():
        lines.append(f"  {where}: SOLVER {', '.join(keys)}")
    if not schedule:
        lines.append("  no SOLVER keys: detectron2's defaults")
    added = [k for k in solver if k not in KEYS]
    if added:
        lines.append(f"  SOLVER keys detectron2 does not define, left out (a project's own): {', '.join(added)}")
    _check_types(section, origin)
    config: dict[str, Any] = {"detectron2": section}
    return ConfigFile(config, "detectron2", tuple(lines), tuple(files))


def find_tag(value: Any) -> YamlTag | None:
    if isinstance(value, YamlTag):
        return value
    for item in value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ():
        found = find_tag(item)
        if found is not None:
            return found
    return None


def _with_base(source: SourceFile, files: list[str], origin: dict[str, str], chain: tuple[str, ...]) -> dict[str, Any]:
    if source.parse_error and source.data is None:
        raise ConfigError(source.where, source.parse_error)
    key = os.path.realpath(source.path)
    if key in chain:
        raise ConfigError(source.where, "its _BASE_ chain comes back to itself (fvcore would recurse until it fails)")
    if len(files) >= MAX_FILES:
        raise ConfigError(source.where, f"its _BASE_ chain reads more than {MAX_FILES} files")
    files.append(source.where)
    cfg = source.data
    if cfg is None:
        cfg = {}
    if not isinstance(cfg, dict):
        raise ConfigError(source.where, f"must be a mapping of config keys (MODEL, SOLVER, ...), got {type(cfg).__name__}")
    cfg = dict(cfg)
    base: dict[str, Any] | None = None
    base_origin: dict[str, str] = {}
    if BASE_KEY in cfg:
        named = cfg.pop(BASE_KEY)
        paths = named if isinstance(named, list) else [named]
        base = {}
        for name in paths:
            if not isinstance(name, str):
                raise ConfigError(f"{source.where}: {BASE_KEY}", f"must be a path (or a list of paths), got {name!r}")
            if name.startswith(("https://", "http://")):
                raise ConfigError(f"{source.where}: {BASE_KEY}", f"{name} is a URL; lrplot reads local files: download it and name the copy")
            path = Path(os.path.expanduser(name) if name.startswith("~") else name)
            if not path.is_absolute():
                path = Path(os.path.normpath(source.path.parent / path))  # fvcore: relative to the config file itself
            if not path.is_file():
                raise ConfigError(f"{source.where}: {BASE_KEY}", f"{name} is not a file ({path}); fvcore reads it relative to this file's folder")
            from ...files import shown

            parent = _with_base(read_source(path, shown(path)), files, base_origin, (*chain, key))
            _merge(parent, base, f"{source.where}: {BASE_KEY}")
    if base is None:
        _note(cfg, source.where, origin)
        return cfg
    origin.update(base_origin)
    _note(cfg, source.where, origin)
    _merge(cfg, base, source.where)
    return base


def _merge(a: dict[str, Any], b: dict[str, Any], where: str) -> None:
    """fvcore's merge_a_into_b: a's values over b's, mappings merged key by key."""
    for k, v in a.items():
        if isinstance(v, dict) and k in b:
            if not isinstance(b[k], dict):
                raise ConfigError(f"{where}: {k}", f"is a mapping, but its base holds a {type(b[k]).__name__} there (fvcore: Cannot inherit key '{k}' from base!)")
            _merge(v, b[k], where)
        else:
            b[k] = v


def _note(cfg: dict[str, Any], where: str, origin: dict[str, str]) -> None:
    solver = cfg.get("SOLVER")
    if isinstance(solver, dict):
        for k in solver:
            origin[k] = where
    origin.setdefault("", where)


def _check_types(section: dict[str, Any], origin: dict[str, str]) -> None:
    """yacs' merge checks each value against its default's type: an error names the file that set it."""
    from .section import read_keys

    try:
        read_keys(section, "detectron2")
    except ConfigError as exc:
        key = exc.path.split(".", 1)[-1].split("[")[0]
        if key in origin:
            raise type(exc)(f"{origin[key]}: SOLVER.{exc.path.split('.', 1)[-1]}", exc.message) from None
        raise


# ------------------------------------------------------------------------------------------------
# LazyConfig .py


class LazyCall(dict):
    """What ``L(Class)(**kwargs)`` makes: a mapping with ``_target_``, and where it was written."""

    where = ""


class Partial(dict):
    """What the file sets on a value it cannot read (a ``get_config(...)`` result): those keys only;
    ``origin`` says where the rest came from."""

    def __init__(self, origin: Unreadable):
        super().__init__()
        self.origin = origin


class _Lazy(Evaluator):
    """pysource's evaluator with LazyConfig's imports of other config files and LazyCall."""

    def __init__(self, source: SourceFile, files: list[str]):
        super().__init__(source.where, functions=True)
        self.path = source.path
        self.files = files
        self.imports: dict[str, str] = {}  # a name -> the qualified name it was imported as

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.ImportFrom) and stmt.level > 0:
            self._relative(stmt)
            return
        if isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                self.imports[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                self.imports[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        super().statement(stmt)

    def _relative(self, stmt: ast.ImportFrom) -> None:
        """LazyConfig's find_relative_file: ``from ..common.optim import SGD`` reads ../common/optim.py afresh."""
        folder = self.path.parent
        for _ in range(stmt.level - 1):
            folder = folder.parent
        names = [(a.asname or a.name, a.name) for a in stmt.names]
        if not stmt.module:
            for bound, _ in names:
                self.names[bound] = self.unreadable(stmt, "a `from . import` (LazyConfig imports config files by name only)")
            return
        path = Path(os.path.normpath(folder.joinpath(*stmt.module.split(".")))).with_suffix(".py")
        if not path.is_file():
            for bound, _ in names:
                self.names[bound] = self.unreadable(stmt, f"an import of {path}, which is not there", "copy the config file beside it")
            return
        if len(self.files) >= MAX_FILES:
            raise ConfigError(self.at(stmt), f"imports more than {MAX_FILES} config files")
        from ...files import shown

        other = read_source(path, shown(path))
        names_there = _evaluate(other, self.files)
        for bound, name in names:
            self.names[bound] = names_there.get(name, self.unreadable(stmt, f"{name}, which {shown(path)} does not define"))

    def bind(self, target: ast.expr, value: Any) -> None:
        # `train = get_config("common/train.py").train` then `train.max_iter = ...`: the keys the file
        # sets on what it cannot read are known, the rest stay unknown (Partial)
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = self.names.get(target.value.id)
            if isinstance(owner, Unreadable):
                self.names[target.value.id] = Partial(owner)
        super().bind(target, value)

    def _ListComp(self, node: ast.ListComp) -> Any:
        """``[milestone * 4 for milestone in lr_multiplier.scheduler.milestones]``: one ``for`` over a
        list the file holds, the element an expression of the name (no condition, no nesting)."""
        gen = node.generators[0]
        if len(node.generators) != 1 or gen.ifs or gen.is_async or not isinstance(gen.target, ast.Name):
            return self.unreadable(node, "a list comprehension other than [expression for name in list]", "write the list out")
        items = self.value(gen.iter)
        if isinstance(items, Unreadable):
            return items
        if not isinstance(items, (list, tuple)):
            return self.unreadable(node, f"a list comprehension over {type(items).__name__}, not a list", "write the list out")
        name, out = gen.target.id, []
        had, saved = name in self.names, self.names.get(name)
        try:
            for item in items:
                self.names[name] = item
                out.append(self.value(node.elt))
        finally:
            if had:
                self.names[name] = saved
            else:
                self.names.pop(name, None)
        return self._sized(node, out)

    def _Call(self, node: ast.Call) -> Any:
        inner = node.func
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and self.imports.get(inner.func.id, "").endswith("LazyCall"):
            if len(inner.args) != 1 or node.args:
                return self.unreadable(node, "a LazyCall other than L(Class)(keyword=value, ...)")
            target = ast.unparse(inner.args[0])
            head, _, rest = target.partition(".")
            qualified = self.imports.get(head, head) + (f".{rest}" if rest else "")
            out = LazyCall(_target_=qualified)
            out.where = self.at(node)
            for kw in node.keywords:
                if kw.arg is None:
                    return self.unreadable(kw, "a ** in a LazyCall")
                out[kw.arg] = self.value(kw.value)
            return out
        return super()._Call(node)


def _evaluate(source: SourceFile, files: list[str]) -> dict[str, Any]:
    if len(files) >= MAX_FILES:
        raise ConfigError(source.where, f"the config imports more than {MAX_FILES} files")
    files.append(source.where)
    tree = parse(source.text, source.where)
    evaluator = _Lazy(source, files)
    try:
        return evaluator.run(tree.body)
    except RecursionError:
        raise ConfigError(source.where, "holds an expression nested too deeply to read") from None


_FVCORE = "fvcore.common.param_scheduler."
_SOLVER = ("detectron2.solver.", "detectron2.solver.lr_scheduler.")


def _lazy(source: SourceFile) -> ConfigFile:
    files: list[str] = []
    names = _evaluate(source, files)
    lines = []
    multiplier = names.get("lr_multiplier")
    if multiplier is None:
        others = sorted(n for n, v in names.items() if n.startswith("lr_multiplier") and isinstance(v, dict))
        hint = f" (it defines {', '.join(others)}: a LazyConfig that trains names one as `lr_multiplier`)" if others else ""
        raise ConfigError(source.where, f"defines no lr_multiplier, the schedule a LazyConfig trains with{hint}")
    need(multiplier, "lr_multiplier")
    scheduler = _scheduler(multiplier, "lr_multiplier", source.where)
    config: dict[str, Any] = {"scheduler": scheduler}
    lines.append(f"  lr_multiplier: {_target(multiplier)} ({getattr(multiplier, 'where', source.where)})")
    train = names.get("train")
    max_iter = None
    if isinstance(train, dict) and "max_iter" in train:
        max_iter = need(train["max_iter"], "train.max_iter")
        if not isinstance(max_iter, int) or isinstance(max_iter, bool):
            raise ConfigError(f"{source.where}: train.max_iter", f"must be a whole number of iterations, got {max_iter!r}")
        config["run"] = {"iterations": max_iter}
        lines.append(f"  train.max_iter: {max_iter} iterations, the LRMultiplier's max_iter")
    else:
        found = train if isinstance(train, Unreadable) else getattr(train, "origin", None)
        said = "no train.max_iter" + (f" ({found.construct} at {found.where})" if found else "")
        lines.append(f"  {said}: give --iterations")
        # never the default run drawn as if it were this one: refused unless --iterations gives it
        config["run"] = {"iterations": Missing(f"{source.where} sets {said}; give the run's length with --iterations")}
    optimizer = names.get("optimizer")
    if isinstance(optimizer, dict):
        config["optimizer"], said = _optimizer(optimizer, source.where)
        lines.append(f"  optimizer: {said}")
    else:
        lines.append("  no optimizer: give --lr")
    return ConfigFile(config, "detectron2", tuple(lines), tuple(files))


def _target(call: Any) -> str:
    return str(call.get("_target_", "?")).rsplit(".", 1)[-1] if isinstance(call, dict) else "?"


def _scheduler(call: Any, field: str, where: str) -> dict[str, Any]:
    """A LazyCall of a ParamScheduler as lrplot's scheduler mapping (``type: detectron2.<Class>``)."""
    at = getattr(call, "where", where)
    if not isinstance(call, dict) or "_target_" not in call:
        raise ConfigError(f"{at}: {field}", f"must be L(SomeParamScheduler)(...), got {type(call).__name__}")
    target = str(call["_target_"])
    name = target.rsplit(".", 1)[-1]
    known = PREFIX + name in BY_NAME and (target.startswith(_FVCORE) or target.startswith(_SOLVER) or "." not in target)
    if not known:
        raise ConfigError(f"{at}: {field}", f"L({target}) is not one of fvcore's ParamSchedulers or detectron2's WarmupParamScheduler; "
                          "lrplot reads those (see `lrplot list detectron2`)")
    out: dict[str, Any] = {"type": PREFIX + name}
    for key, value in call.items():
        if key == "_target_":
            continue
        value = need(value, f"{field}.{key}")
        if key == "scheduler":
            value = _scheduler(value, f"{field}.scheduler", at)
        elif key == "schedulers" and isinstance(value, (list, tuple)):
            value = [_scheduler(v, f"{field}.schedulers[{i}]", at) for i, v in enumerate(value)]
        elif isinstance(value, tuple):
            value = list(value)
        if isinstance(value, str) and value == "???":
            raise ConfigError(f"{at}: {field}.{key}", "is ??? (OmegaConf's missing value): the config expects it set elsewhere; give it in the file")
        out[key] = value
    return out


def _optimizer(call: dict[str, Any], where: str) -> tuple[dict[str, Any], str]:
    target = str(call.get("_target_", ""))
    kind = target.rsplit(".", 1)[-1]
    lr = need(call.get("lr"), "optimizer.lr")
    if lr is None:
        raise ConfigError(f"{getattr(call, 'where', where)}: optimizer.lr", "is not set: the LRMultiplier multiplies each group's lr; set optimizer.lr")
    out: dict[str, Any] = {"lr": lr}
    said = f"{kind}, lr {lr}"
    if "betas" in call:
        out["betas"] = list(need(call["betas"], "optimizer.betas"))
        said += f", betas {out['betas']}"
    elif kind in ("Adam", "AdamW"):
        out["betas"] = [0.9, 0.999]
    elif "momentum" in call:
        out["momentum"] = need(call["momentum"], "optimizer.momentum")
        said += f", momentum {out['momentum']}"
    params = call.get("params")
    factor = params.get("bias_lr_factor") if isinstance(params, dict) else None
    if isinstance(factor, (int, float)) and factor != 1.0:
        lr_of = params.get("base_lr", lr)
        out = {k: v for k, v in out.items() if k != "lr"}
        out["param_groups"] = [{"name": "weights", "lr": lr}, {"name": "bias", "lr": lr_of * factor}]
        said += f", biases at {lr_of} x bias_lr_factor {factor}"
    return out, said
