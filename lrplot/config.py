"""Config loading: YAML text or a mapping -> a validated, frozen :class:`Spec`.

Everything a user can get wrong is caught here, once, and reported with the YAML path of the field
(``scheduler.schedulers[1].gamma: must be > 0, got -1``). The engine can then trust its input.
"""

from __future__ import annotations

import difflib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from .errors import ConfigError, TorchWouldRaise
from .registry import FROM_RUN, REQUIRED, Param, SchedulerInfo, all_names, lookup

STEP_MODES = ("epoch", "iteration", "fractional")
# Far above any real training run (a million iterations is a long one), and low enough that a
# trace always fits in memory: at most MAX_VALUES lrs (param groups x steps, 8 bytes each, times
# two with momentum). Checked before anything is allocated.
MAX_STEPS = 10_000_000
MAX_VALUES = 20_000_000
MAX_GROUPS = 64
MAX_NESTING = 8
MAX_FILE_BYTES = 1 << 20
DEFAULT_LR = 0.1
DEFAULT_EPOCHS = 100


@dataclass(frozen=True)
class Group:
    name: str
    lr: float


@dataclass(frozen=True)
class OptimizerSpec:
    """The fake optimizer: SGD, or Adam when ``betas`` is given."""

    groups: tuple[Group, ...]
    momentum: float | None = None  # SGD momentum as the user named it (None: torch's default, 0)
    betas: tuple[float, float] | None = None

    @property
    def kind(self) -> str:
        return "Adam" if self.betas is not None else "SGD"


@dataclass(frozen=True)
class RunSpec:
    epochs: int
    steps_per_epoch: int
    step: str  # epoch | iteration | fractional

    @property
    def total_steps(self) -> int:
        """Optimizer steps in the run."""
        return self.epochs * self.steps_per_epoch

    @property
    def scheduler_steps(self) -> int:
        """Calls of scheduler.step() in the run."""
        return self.epochs if self.step == "epoch" else self.total_steps

    @property
    def length(self) -> int:
        """The run's length on the scheduler's own time axis (what T_max defaults to)."""
        return self.total_steps if self.step == "iteration" else self.epochs


@dataclass(frozen=True)
class SchedulerSpec:
    type: str  # torch class name
    params: Mapping[str, Any]  # every torch keyword, defaults filled; children are SchedulerSpecs
    path: str  # where it stands in the config, for messages

    @property
    def children(self) -> tuple[SchedulerSpec, ...]:
        return tuple(self.params.get("schedulers", ()))

    def walk(self):
        """This scheduler and every nested one, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class MetricSpec:
    """What ReduceLROnPlateau is fed: fixed ``values`` (given or read from a log) or a ``synthetic`` model."""

    values: tuple[float, ...] | None = None
    synthetic: Any = None  # metric.SyntheticSpec
    source: str = "values"  # values | csv | synthetic


@dataclass(frozen=True)
class Spec:
    name: str
    optimizer: OptimizerSpec
    run: RunSpec
    scheduler: SchedulerSpec
    metric: MetricSpec | None = None
    source: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def group_names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.optimizer.groups)


# ----------------------------------------------------------------------------------------------
# Loading


def load(source: Mapping[str, Any] | str | os.PathLike, base_dir: str | os.PathLike | None = None) -> Spec:
    """Validate a config given as a mapping (the YAML schema) or a path to a YAML file.

    Relative paths inside the config (a metric log) are read from the config file's folder, or
    from ``base_dir`` (default: the current folder) for a mapping.
    """
    if isinstance(source, Mapping):
        return from_mapping(source, base_dir=base_dir)
    path = Path(source)
    return from_mapping(read_yaml(path), default_name=path.stem, base_dir=path.parent)


def read_yaml(path: Path) -> Any:
    import yaml

    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ConfigError(where, f"file is {size} bytes; configs are limited to {MAX_FILE_BYTES} bytes")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(where, "no such file") from None
    except IsADirectoryError:
        raise ConfigError(where, "is a folder, not a YAML file") from None
    except OSError as exc:
        raise ConfigError(where, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(where, "is not UTF-8 text; a config is a YAML file") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(where, f"invalid YAML{at}: {problem}") from None
    except RecursionError:
        raise ConfigError(where, "YAML nested too deeply") from None
    if data is None:
        raise ConfigError(where, "is empty; a config needs at least a `scheduler:` mapping")
    return data


def from_mapping(data: Any, default_name: str | None = None, base_dir: str | os.PathLike | None = None) -> Spec:
    if not isinstance(data, Mapping):
        raise ConfigError("", f"a config must be a mapping with a `scheduler:` key, got {_type_name(data)}")
    _check_keys(data, "", ("name", "optimizer", "run", "scheduler", "metric"))
    if "scheduler" not in data:
        raise ConfigError("scheduler", "missing; say which scheduler to simulate (e.g. `scheduler: {type: StepLR, step_size: 10}`)")

    optimizer = _optimizer(data.get("optimizer", {}))
    scheduler_data = data["scheduler"]
    if isinstance(scheduler_data, str):  # `scheduler: cosine` is shorthand for `{type: cosine}`
        scheduler_data = {"type": scheduler_data}
    info = _scheduler_info(scheduler_data, "scheduler")
    run = _run(data.get("run", {}), _default_step(scheduler_data, info))
    if run.total_steps * len(optimizer.groups) > MAX_VALUES:
        raise ConfigError(
            "run",
            f"{len(optimizer.groups)} param groups x {run.total_steps:,} steps = {run.total_steps * len(optimizer.groups):,} values; "
            f"lrplot traces at most {MAX_VALUES:,} (fewer steps or groups)",
        )
    if run.step == "fractional" and info.composite:
        raise TorchWouldRaise(
            "run.step",
            f"torch's {info.name}.step() takes no epoch, so fractional stepping raises TypeError; "
            "use `step: iteration` or `step: epoch`",
        )
    scheduler = _scheduler(scheduler_data, "scheduler", optimizer, run.length, depth=0)
    metric = _metric(data.get("metric"), scheduler, run, Path(base_dir) if base_dir is not None else Path("."))

    name = data.get("name", default_name or scheduler.type)
    if not isinstance(name, (str, int, float)) or isinstance(name, bool):
        raise ConfigError("name", f"must be a string, got {_type_name(name)}")
    return Spec(str(name), optimizer, run, scheduler, metric, MappingProxyType(dict(data)))


# ----------------------------------------------------------------------------------------------
# Sections


def _optimizer(data: Any) -> OptimizerSpec:
    path = "optimizer"
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping (lr, momentum or betas, param_groups), got {_type_name(data)}")
    _check_keys(data, path, ("lr", "momentum", "betas", "param_groups", "type"))
    if "type" in data:
        kind = data["type"]
        if not isinstance(kind, str) or kind.lower() not in ("sgd", "adam"):
            raise ConfigError(f"{path}.type", "must be SGD or Adam (Adam is also implied by `betas`)")
    default_lr = DEFAULT_LR
    lrs: list[float] = []
    if "lr" in data:
        raw = data["lr"]
        if isinstance(raw, (list, tuple)):
            if not raw:
                raise ConfigError(f"{path}.lr", "an empty list; give one lr per param group")
            lrs = [_lr_value(v, f"{path}.lr[{i}]") for i, v in enumerate(raw)]
        else:
            default_lr = _lr_value(raw, f"{path}.lr")
    groups: list[Group] = []
    if "param_groups" in data:
        if lrs:
            raise ConfigError(f"{path}.lr", "a list of lrs and `param_groups` both define groups; keep one")
        raw_groups = data["param_groups"]
        if not isinstance(raw_groups, list) or not raw_groups:
            raise ConfigError(f"{path}.param_groups", "must be a non-empty list of {name, lr} mappings")
        for i, g in enumerate(raw_groups):
            gpath = f"{path}.param_groups[{i}]"
            if not isinstance(g, Mapping):
                raise ConfigError(gpath, f"must be a mapping like {{name: head, lr: 0.1}}, got {_type_name(g)}")
            _check_keys(g, gpath, ("name", "lr"))
            # Like torch, a group without its own lr takes the optimizer's.
            lr = _lr_value(g["lr"], f"{gpath}.lr") if "lr" in g else default_lr
            gname = g.get("name", f"group{i}")
            if not isinstance(gname, (str, int)) or isinstance(gname, bool):
                raise ConfigError(f"{gpath}.name", f"must be a string, got {_type_name(gname)}")
            groups.append(Group(str(gname), lr))
    else:
        groups = [Group(f"group{i}", lr) for i, lr in enumerate(lrs or [default_lr])]
    if len(groups) > MAX_GROUPS:
        raise ConfigError(f"{path}.param_groups", f"{len(groups)} groups; at most {MAX_GROUPS} are supported")
    names = [g.name for g in groups]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}.param_groups", "group names must be unique")

    momentum = betas = None
    if "momentum" in data and "betas" in data:
        raise ConfigError(path, "give `momentum` (SGD) or `betas` (Adam), not both")
    if str(data.get("type", "")).lower() == "adam" and "betas" not in data:
        betas = (0.9, 0.999)  # torch.optim.Adam's default
    if "momentum" in data:
        if str(data.get("type", "")).lower() == "adam":
            raise ConfigError(f"{path}.momentum", "Adam has no momentum; use `betas: [beta1, beta2]`")
        momentum = _number(data["momentum"], f"{path}.momentum")
        if momentum < 0:
            raise TorchWouldRaise(f"{path}.momentum", f"must be >= 0, got {momentum} (torch.optim.SGD raises ValueError)")
    if "betas" in data:
        raw = data["betas"]
        if not isinstance(raw, (list, tuple)) or len(raw) != 2:
            raise ConfigError(f"{path}.betas", "must be a list of two numbers, like [0.9, 0.999]")
        betas = tuple(_number(v, f"{path}.betas[{i}]") for i, v in enumerate(raw))  # type: ignore[assignment]
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise TorchWouldRaise(f"{path}.betas[{i}]", f"must be >= 0 and < 1, got {b} (torch.optim.Adam raises ValueError)")
    return OptimizerSpec(tuple(groups), momentum, betas)


def _lr_value(value: Any, path: str) -> float:
    lr = _number(value, path)
    if lr < 0:
        raise TorchWouldRaise(path, f"must be >= 0, got {lr} (torch's optimizers raise ValueError: Invalid learning rate)")
    return lr


def _default_step(scheduler_data: Any, info: SchedulerInfo) -> str:
    """Per-iteration stepping when any scheduler in the tree is meant for it (CyclicLR, OneCycleLR)."""
    if info.default_step == "iteration":
        return "iteration"
    if info.composite and isinstance(scheduler_data, Mapping):
        for child in scheduler_data.get("schedulers") or ():
            child_info = lookup(child.get("type", "")) if isinstance(child, Mapping) and isinstance(child.get("type"), str) else None
            if child_info is not None and _default_step(child, child_info) == "iteration":
                return "iteration"
    return "epoch"


def _run(data: Any, default_step: str) -> RunSpec:
    path = "run"
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping (epochs, steps_per_epoch, step), got {_type_name(data)}")
    _check_keys(data, path, ("epochs", "steps_per_epoch", "step"))
    epochs = _integer(data.get("epochs", DEFAULT_EPOCHS), f"{path}.epochs")
    spe = _integer(data.get("steps_per_epoch", 1), f"{path}.steps_per_epoch")
    if epochs < 1:
        raise ConfigError(f"{path}.epochs", f"must be >= 1, got {epochs}")
    if spe < 1:
        raise ConfigError(f"{path}.steps_per_epoch", f"must be >= 1, got {spe}")
    if epochs * spe > MAX_STEPS:
        raise ConfigError(
            path, f"epochs * steps_per_epoch = {epochs * spe} optimizer steps; lrplot simulates at most {MAX_STEPS:,}"
        )
    step = data.get("step", default_step)
    if not isinstance(step, str) or step.lower() not in STEP_MODES:
        raise ConfigError(f"{path}.step", f"must be one of {', '.join(STEP_MODES)}, got {step!r}{_suggest(step, STEP_MODES)}")
    return RunSpec(epochs, spe, step.lower())


def _metric(data: Any, scheduler: SchedulerSpec, run: RunSpec, base_dir: Path) -> MetricSpec | None:
    from .metric import read_log, synthetic_spec

    plateau = next((s for s in scheduler.walk() if s.type == "ReduceLROnPlateau"), None)
    if data is None:
        if plateau is not None:
            raise ConfigError(
                "metric",
                "ReduceLROnPlateau needs a metric: `metric: {synthetic: true}` for a simulated training curve, "
                "`{csv: log.csv, column: val_loss}` to replay a log, or `{values: [...]}`, one per scheduler step",
            )
        return None
    path = "metric"
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping like {{synthetic: true}} or {{values: [1.0, 0.9, ...]}}, got {_type_name(data)}")
    _check_keys(data, path, ("values", "csv", "column", "epoch_column", "synthetic"))
    kinds = [k for k in ("values", "csv", "synthetic") if k in data]
    if len(kinds) != 1:
        raise ConfigError(path, "give exactly one of `values`, `csv` (with `column`) or `synthetic`")
    kind = kinds[0]
    if kind != "csv" and ("column" in data or "epoch_column" in data):
        raise ConfigError(path, "`column` and `epoch_column` go with `csv:`")
    if kind == "synthetic":
        # Any schedule may carry a synthetic metric: it then shows the metric that schedule would
        # produce (only ReduceLROnPlateau reacts to it).
        mode = plateau.params["mode"] if plateau is not None else "min"
        return MetricSpec(synthetic=synthetic_spec(data["synthetic"], f"{path}.synthetic", mode), source="synthetic")
    if plateau is None:
        raise ConfigError(
            path, f"only ReduceLROnPlateau reads metric values, and {scheduler.type} is not one; remove `metric:` (or use `synthetic:`)"
        )
    if kind == "csv":
        if not isinstance(data["csv"], str) or not data["csv"]:
            raise ConfigError(f"{path}.csv", "must be the path of a CSV log")
        log = Path(data["csv"]).expanduser()
        values = read_log(log if log.is_absolute() else base_dir / log, data.get("column"), data.get("epoch_column"), path)
        where = f"{path}.csv"
    else:
        raw = data["values"]
        if not isinstance(raw, (list, tuple)):
            raise ConfigError(f"{path}.values", f"must be a list of numbers, got {_type_name(raw)}")
        values = []
        for i, v in enumerate(raw):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ConfigError(f"{path}.values[{i}]", f"must be a number, got {_type_name(v)}")
            if math.isinf(v):
                raise ConfigError(f"{path}.values[{i}]", f"must be a number or NaN (a bad epoch), got {v}")
            values.append(float(v))  # NaN is allowed: torch counts it as a bad epoch
        where = f"{path}.values"
    needed = run.scheduler_steps
    if len(values) < needed:
        fix = f"shorten run.epochs to {len(values)}" if run.step == "epoch" else "shorten the run"
        raise ConfigError(
            where,
            f"{len(values)} values for {needed} scheduler steps ({run.step} stepping); give one value per step, or {fix}",
        )
    return MetricSpec(values=tuple(values[:needed]), source=kind)


# ----------------------------------------------------------------------------------------------
# Schedulers


def _scheduler_info(data: Any, path: str) -> SchedulerInfo:
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping with a `type:`, got {_type_name(data)}")
    if "type" not in data:
        raise ConfigError(f"{path}.type", "missing; name a torch scheduler class or alias (see `lrplot list`)")
    kind = data["type"]
    if not isinstance(kind, str):
        raise ConfigError(f"{path}.type", f"must be a string, got {_type_name(kind)}")
    info = lookup(kind)
    if info is None:
        raise ConfigError(f"{path}.type", f"unknown scheduler {kind!r}{_suggest(kind, all_names())} (see `lrplot list`)")
    return info


_RETIRED = {
    "verbose": "was removed from torch's schedulers (torch 2.13 has no `verbose`); delete it",
    "optimizer": "is not a scheduler key; configure the optimizer under the top-level `optimizer:`",
}


def _scheduler(data: Any, path: str, opt: OptimizerSpec, length: int, depth: int) -> SchedulerSpec:
    if depth > MAX_NESTING:
        raise ConfigError(path, f"schedulers nested more than {MAX_NESTING} deep")
    if isinstance(data, str):
        data = {"type": data}
    info = _scheduler_info(data, path)
    known = [p.name for p in info.params]
    for key in data:
        if key == "type":
            continue
        if key == "last_epoch":
            if data[key] != -1 or isinstance(data[key], bool):
                raise ConfigError(
                    f"{path}.last_epoch",
                    "only -1 (the default) is supported: lrplot simulates a run from its start",
                )
            continue
        if key in _RETIRED:
            raise ConfigError(f"{path}.{key}", _RETIRED[key])
        if key not in known:
            raise ConfigError(f"{path}.{key}", f"{info.name} has no option {key!r}{_suggest(key, known)}; it takes {', '.join(known)}")

    params: dict[str, Any] = {}
    for p in info.params:
        ppath = f"{path}.{p.name}"
        if p.name in data:
            params[p.name] = _param_value(p, data[p.name], ppath, len(opt.groups))
        elif p.required:
            raise ConfigError(ppath, f"missing; {info.name} needs {p.name} ({p.doc})")
        elif p.default is FROM_RUN:
            params[p.name] = FROM_RUN  # resolved below, once the other keywords are known
        else:
            params[p.name] = p.default

    _cross_checks(info, params, path, opt, length, depth)
    return SchedulerSpec(info.name, MappingProxyType(params), path)


def _param_value(p: Param, value: Any, path: str, n_groups: int) -> Any:
    from .expr import ExprError, parse_expr

    if value is None:
        if p.optional:
            return None
        raise ConfigError(path, f"must not be empty ({p.doc})")
    if p.kind == "int":
        return _bounded(p, _integer(value, path), path)
    if p.kind == "float":
        return _bounded(p, _number(value, path), path)
    if p.kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(path, f"must be true or false, got {value!r}")
        return value
    if p.kind == "choice":
        if not isinstance(value, str) or value not in p.choices:
            msg = f"must be one of {', '.join(p.choices)}, got {value!r}{_suggest(value, p.choices)}"
            raise (TorchWouldRaise if p.torch_checks else ConfigError)(path, msg)
        return value
    if p.kind == "int_list":
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(path, f"must be a list of integers like [30, 80], got {_type_name(value)}")
        return tuple(_bounded(p, _integer(v, f"{path}[{i}]"), f"{path}[{i}]") for i, v in enumerate(value))
    if p.kind == "per_group":
        if isinstance(value, (list, tuple)):
            if len(value) != n_groups:
                raise TorchWouldRaise(
                    path, f"has {len(value)} values but the optimizer has {n_groups} param groups; give one per group"
                )
            return tuple(_bounded(p, _number(v, f"{path}[{i}]"), f"{path}[{i}]") for i, v in enumerate(value))
        return _bounded(p, _number(value, path), path)
    if p.kind in ("expr", "per_group_expr"):
        if p.kind == "per_group_expr" and isinstance(value, (list, tuple)):
            if len(value) != n_groups:
                raise TorchWouldRaise(
                    path, f"has {len(value)} expressions but the optimizer has {n_groups} param groups; give one per group"
                )
            items = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
        else:
            items = [(path, value)]
        exprs = []
        for ipath, text in items:
            try:
                exprs.append(parse_expr(text, (p.variable,)))
            except ExprError as exc:
                raise ConfigError(ipath, str(exc)) from None
        return tuple(exprs) if p.kind == "per_group_expr" and isinstance(value, (list, tuple)) else exprs[0]
    if p.kind == "schedulers":
        if not isinstance(value, (list, tuple)):
            raise ConfigError(path, f"must be a list of scheduler mappings, got {_type_name(value)}")
        if not value:
            raise TorchWouldRaise(path, "is empty; torch needs at least one scheduler")
        return value  # validated by _cross_checks, which knows each child's share of the run
    raise AssertionError(p.kind)


def _cross_checks(info: SchedulerInfo, params: dict[str, Any], path: str, opt: OptimizerSpec, length: int, depth: int) -> None:
    """Rules that involve several keywords, the run, or nested schedulers."""
    if info.name == "SequentialLR":
        children, milestones = params["schedulers"], params["milestones"]
        if len(milestones) != len(children) - 1:
            raise TorchWouldRaise(
                f"{path}.milestones",
                f"{len(milestones)} milestones for {len(children)} schedulers; torch needs exactly one fewer milestone than schedulers",
            )
        if list(milestones) != sorted(milestones):
            raise ConfigError(f"{path}.milestones", f"must be in increasing order, got {list(milestones)}")
        bounds = [0, *milestones, max(length, *milestones) if milestones else length]
        params["schedulers"] = _children(children, f"{path}.schedulers", info, opt, [bounds[i + 1] - bounds[i] for i in range(len(children))], depth)
    elif info.name == "ChainedScheduler":
        params["schedulers"] = _children(params["schedulers"], f"{path}.schedulers", info, opt, [length] * len(params["schedulers"]), depth)
    elif info.name == "CosineAnnealingLR":
        if params["T_max"] is FROM_RUN:
            params["T_max"] = max(length, 1)
    elif info.name == "OneCycleLR":
        given = [k for k in ("epochs", "steps_per_epoch") if params[k] is not None]
        if len(given) == 1:
            raise TorchWouldRaise(
                path, f"OneCycleLR needs both epochs and steps_per_epoch, or total_steps; only {given[0]} is given"
            )
        if params["total_steps"] is FROM_RUN:
            params["total_steps"] = None if given else max(length, 1)
    elif info.name == "CyclicLR":
        if params["scale_fn"] is None and params["scale_mode"] != "cycle":
            # torch silently resets scale_mode from the mode when there is no scale_fn; keep the
            # config honest instead of letting a keyword do nothing.
            raise ConfigError(f"{path}.scale_mode", "only applies with a custom `scale_fn`; remove it")


def _children(items: Any, path: str, parent: SchedulerInfo, opt: OptimizerSpec, lengths: list[int], depth: int) -> tuple[SchedulerSpec, ...]:
    out = []
    for i, (child, length) in enumerate(zip(items, lengths)):
        cpath = f"{path}[{i}]"
        info = _scheduler_info({"type": child} if isinstance(child, str) else child, cpath)
        if info.name == "ReduceLROnPlateau":
            raise TorchWouldRaise(
                f"{cpath}.type",
                f"torch's {parent.name} does not support ReduceLROnPlateau (its step() needs a metric); "
                "use ReduceLROnPlateau on its own",
            )
        out.append(_scheduler(child, cpath, opt, length, depth + 1))
    return tuple(out)


# ----------------------------------------------------------------------------------------------
# Values


def _check_keys(data: Mapping[str, Any], path: str, known: tuple[str, ...]) -> None:
    for key in data:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            section = f"`{path}`" if path else "the top level"
            raise ConfigError(where, f"unknown key{_suggest(key, known)}; {section} takes {', '.join(known)}")


def _suggest(word: Any, options: Any) -> str:
    if not isinstance(word, str):
        return ""
    lowered = {o.lower().replace("-", "_"): o for o in options}
    match = difflib.get_close_matches(word.lower().replace("-", "_"), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[match[0]]!r}?)" if match else ""


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = " (quote-free, like 0.1 or 1e-3)" if isinstance(value, str) else ""
        raise ConfigError(path, f"must be a number, got {_type_name(value)} {value!r}{hint}")
    if isinstance(value, int) and abs(value) > 2**53:
        raise ConfigError(path, f"{value} is too large")
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(path, f"must be a finite number, got {value}")
    return value


def _integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(path, f"must be an integer, got {_type_name(value)} {value!r}")
    if abs(value) > 2**53:
        raise ConfigError(path, f"{value} is too large")
    return value


def _bounded(p: Param, value: Any, path: str) -> Any:
    if p.bound is not None:
        problem = p.bound.violation(value)
        if problem:
            suffix = " (torch raises ValueError)" if p.torch_checks else ""
            raise (TorchWouldRaise if p.torch_checks else ConfigError)(path, f"{problem}, got {value}{suffix}")
    return value
