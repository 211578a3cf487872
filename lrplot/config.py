"""Config loading: YAML text or a mapping -> a validated, frozen :class:`Spec`.

Everything a user can get wrong is caught here, once, and reported with the YAML path of the field
(``scheduler.schedulers[1].gamma: must be > 0, got -1``). The engine can then trust its input.
"""

from __future__ import annotations

import math
import os
from dataclasses import field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from .frozen import record
from .errors import ConfigError, TorchWouldRaise
from .sources import MAX_FILE_BYTES, ConfigFile, read_config
from .registry import FROM_RUN, Param, ResolveContext, SchedulerInfo, all_names, families, family, lookup, section_family
from .values import MAX_STEPS, check_keys, check_text, check_tree, integer, key_path, number, suggest, type_name

STEP_MODES = ("epoch", "iteration", "fractional")
# Far above any real training run (a million iterations is a long one), and low enough that a
# trace always fits in memory: at most MAX_VALUES lrs (param groups x steps, 8 bytes each, times
# two with momentum). Checked before anything is allocated. (MAX_STEPS lives in values.py, where
# the frameworks' derived counts are checked against it too.)
MAX_VALUES = 20_000_000
MAX_GROUPS = 64
MAX_NESTING = 8
# Work grows with the schedulers stepped together (a ChainedScheduler steps all its children on
# every step): at most MAX_UPDATES scheduler steps of single schedulers in all, about a minute
# at the slowest (the step-by-step replicas). And at most MAX_SCHEDULERS in a config.
MAX_UPDATES = 20_000_000
MAX_SCHEDULERS = 256
MAX_VARS = 200
DEFAULT_LR = 0.1
DEFAULT_EPOCHS = 100

# The run's keys, for `lrplot list` and the docs: (key, kind, default, what it is).
RUN_KEYS_DOC = (
    ("epochs", "integer >= 1", str(DEFAULT_EPOCHS), "epochs to simulate"),
    ("iterations", "integer >= 1", "-", "or a run counted in optimizer steps (not both)"),
    ("steps_per_epoch", "integer >= 1", "1", "optimizer steps per epoch, or derived from the plan:"),
    ("dataset_size", "integer >= 1", "-", "  samples in the training set"),
    ("batch_size", "integer >= 1", "-", "  samples per batch, per device"),
    ("devices", "integer >= 1", "1", "  data-parallel processes (DistributedSampler's num_replicas)"),
    ("grad_accum", "integer >= 1", "1", "  batches per optimizer step"),
    ("drop_last", "bool", "false", "  the DataLoader drops a last partial batch"),
    ("step", "epoch | iteration | fractional", "-", "when scheduler.step() is called (default: by scheduler and run)"),
    ("dtype", "float64 | float32", "float64", "the precision the schedule is computed in (float32: as Keras and optax do by default)"),
    ("resume", "{at: E, method: M}", "-", "the run resumes from a checkpoint saved after scheduler step E, by M"),
)

# Read-only names every expression sees (DESIGN.md, "Expressions").
RUN_NAMES = ("total_steps", "steps_per_epoch", "epochs", "base_lr")
_PLAN_KEYS = ("dataset_size", "batch_size", "devices", "grad_accum", "drop_last")
_RUN_KEYS = ("epochs", "iterations", "steps_per_epoch", "step", "resume", "dtype", *_PLAN_KEYS)
DTYPES = ("float64", "float32")


@record
class Group:
    name: str
    lr: float


@record
class OptimizerSpec:
    """The fake optimizer: SGD, or Adam when ``betas`` is given."""

    groups: tuple[Group, ...]
    momentum: float | None = None  # SGD momentum as the user named it (None: torch's default, 0)
    betas: tuple[float, float] | None = None

    @property
    def kind(self) -> str:
        return "Adam" if self.betas is not None else "SGD"


@record
class Plan:
    """The training plan: what a plain PyTorch loop makes of a dataset, a batch size and devices.

    ``DistributedSampler`` gives each of ``devices`` processes ``ceil(dataset_size / devices)``
    samples (it pads by repeating samples); the ``DataLoader`` cuts them into batches (the last one
    partial, or dropped with ``drop_last``); the loop calls ``optimizer.step()`` after every
    ``grad_accum`` batches, so a remainder of fewer batches does not step.
    """

    dataset_size: int
    batch_size: int
    devices: int = 1
    grad_accum: int = 1
    drop_last: bool = False

    @property
    def per_device(self) -> int:
        return -(-self.dataset_size // self.devices)

    @property
    def batches(self) -> int:
        full, rest = divmod(self.per_device, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    @property
    def steps(self) -> int:
        return self.batches // self.grad_accum

    def arithmetic(self) -> list[str]:
        """The derivation of the optimizer steps per epoch, a line per stage."""
        lines = []
        if self.devices > 1:
            padded = self.per_device * self.devices - self.dataset_size
            pad = f" (DistributedSampler pads {padded} repeated samples)" if padded else ""
            lines.append(f"{self.dataset_size} samples / {self.devices} devices = {self.per_device} samples per device{pad}")
        else:
            lines.append(f"{self.dataset_size} samples on one device")
        full, rest = divmod(self.per_device, self.batch_size)
        if rest:
            what = f"the last {rest} dropped (drop_last)" if self.drop_last else f"the last one of {rest}"
            lines.append(f"{self.per_device} / batch_size {self.batch_size} = {self.batches} batches per epoch, {what}")
        else:
            lines.append(f"{self.per_device} / batch_size {self.batch_size} = {self.batches} batches per epoch")
        if self.grad_accum > 1:
            left = self.batches % self.grad_accum
            tail = f"; the last {left} batches accumulate but never step" if left else ""
            lines.append(f"{self.batches} batches / grad_accum {self.grad_accum} = {self.steps} optimizer steps per epoch{tail}")
        else:
            lines.append(f"one optimizer step per batch: {self.steps} per epoch")
        return lines


@record
class Resume:
    """``run.resume``: the run is resumed from a checkpoint saved after scheduler step ``at``.

    ``method`` is how the training script resumes (lrplot.whatif.RESUME_METHODS); ``plot`` draws the
    resumed run over the plan, ``export`` writes it, ``explain`` and ``check`` say what it does.
    """

    at: int
    method: str = "state_dict"


@record
class RunSpec:
    """The run: how many optimizer steps, how they group into epochs, when the scheduler steps.

    ``unit`` is how the run is counted (``epoch`` or ``iteration``), which is the axis figures and
    ``explain`` speak in. An iteration run without an epoch length has ``has_epochs`` False (its
    ``steps_per_epoch`` of 1 is only arithmetic). An iteration run may end inside an epoch.
    """

    total_steps: int  # optimizer steps in the run
    steps_per_epoch: int
    step: str  # epoch | iteration | fractional
    unit: str = "epoch"
    has_epochs: bool = True
    plan: Plan | None = None
    resume: Resume | None = None
    dtype: str = "float64"  # the precision the library computes the schedule in (its family's ``dtypes``)

    @property
    def epochs(self) -> int:
        """Epochs the run touches (the last one may be partial in an iteration run)."""
        return -(-self.total_steps // self.steps_per_epoch)

    @property
    def epoch_count(self) -> int | float:
        """The run's length in epochs, fractional when it ends inside one."""
        whole, rest = divmod(self.total_steps, self.steps_per_epoch)
        return whole if not rest else self.total_steps / self.steps_per_epoch

    @property
    def scheduler_steps(self) -> int:
        """Calls of scheduler.step() in the run (per epoch: only after epochs that complete)."""
        return self.total_steps // self.steps_per_epoch if self.step == "epoch" else self.total_steps

    @property
    def length(self) -> int:
        """The run's length on the scheduler's own time axis (what T_max defaults to)."""
        return self.total_steps if self.step == "iteration" else self.epochs

    def at(self, k: int) -> str:
        """Optimizer step k in the run's own words: an epoch, an iteration, or both."""
        spe = self.steps_per_epoch
        if self.unit == "epoch" and spe == 1:
            return f"epoch {k:,}"
        if not self.has_epochs or spe == 1:
            return f"iteration {k:,}"
        return f"iteration {k:,} (epoch {k / spe:,.6g})"


@record
class SchedulerSpec:
    type: str  # the registry's type name (torch class name, or <framework>.<name>)
    params: Mapping[str, Any]  # every keyword, defaults filled; children are SchedulerSpecs
    path: str  # where it stands in the config, for messages

    @property
    def children(self) -> tuple[SchedulerSpec, ...]:
        one = self.params.get("scheduler")  # a wrapper's one nested scheduler (Param kind "scheduler")
        return tuple(self.params.get("schedulers", ())) + ((one,) if isinstance(one, SchedulerSpec) else ())

    @property
    def info(self) -> SchedulerInfo:
        info = lookup(self.type)
        assert info is not None
        return info

    def walk(self):
        """This scheduler and every nested one, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@record
class MetricSpec:
    """What ReduceLROnPlateau is fed: fixed ``values`` (given or read from a log) or a ``synthetic`` model."""

    values: tuple[float, ...] | None = None
    synthetic: Any = None  # metric.SyntheticSpec
    source: str = "values"  # values | csv | synthetic
    file: str | None = None  # the log the values were read from (csv)


@record
class Var:
    """A named number of the config's ``vars:``, as given (``source``) and as worked out (``value``)."""

    name: str
    value: int | float
    source: Any  # the number or the expression text
    expr: Any = None  # the parsed expression (expr.Expr), when the source is one


@record
class Spec:
    name: str
    optimizer: OptimizerSpec
    run: RunSpec
    scheduler: SchedulerSpec
    metric: MetricSpec | None = None
    source: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    vars: tuple[Var, ...] = ()
    # How a framework's file and section (``transformers:``, ``timm:``) became this config: which file
    # gave what, and the framework's arithmetic, in lines.
    derivation: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # every file the config was read from (the config, what it includes or names)

    @property
    def group_names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.optimizer.groups)

    @property
    def family(self):
        return family(self.scheduler.info.family)

    def run_names(self) -> dict[str, int | float]:
        """The read-only run names expressions see (``base_lr`` is per group, so not here)."""
        return run_names(self.run)


def run_names(run: RunSpec) -> dict[str, int | float]:
    names: dict[str, int | float] = {"total_steps": run.scheduler_steps}
    if run.has_epochs:
        names["steps_per_epoch"] = run.steps_per_epoch
        names["epochs"] = run.epoch_count
    return names


# ----------------------------------------------------------------------------------------------
# Loading


def load(source: Mapping[str, Any] | str | os.PathLike, base_dir: str | os.PathLike | None = None, framework: str | None = None,
         run: Mapping[str, Any] | None = None) -> Spec:
    """Validate a config given as a mapping (the YAML schema) or a path: lrplot's YAML config, or a
    framework's own file read as it is (an OpenMMLab .py config, timm's args.yaml; see sources.py).

    Relative paths inside the config (a metric log) are read from the config file's folder, or
    from ``base_dir`` (default: the current folder) for a mapping. ``framework`` says which
    framework's file ``source`` is, where lrplot cannot tell; ``run`` adds to (or overrides) the
    config's run, as the run flags do (the plan a framework's file rarely holds: dataset_size, devices).
    """
    if isinstance(source, Mapping):
        return from_mapping(source, base_dir=base_dir)
    if not isinstance(source, (str, os.PathLike)):
        raise ConfigError("", f"a config is a mapping in the YAML schema, a Spec, or the path of a YAML file; got {type_name(source)}" + ("" if source is None else f" {source!r:.40}"))
    from .files import name_of

    path = Path(source)
    read = read_config(path, framework)
    data = read.data
    if run and isinstance(data, Mapping):
        given = data.get("run")
        data = {**data, "run": {**(given if isinstance(given, Mapping) else {}), **run}}
    return from_mapping(data, default_name=name_of(path), base_dir=path.parent, origin=read)


def check_resume_at(run: RunSpec, at: Any, path: str) -> int:
    """``at`` as a scheduler step a run can resume at: after its first step, before its last."""
    at = integer(at, path)
    if run.step == "fractional":
        raise ConfigError(
            path, "resumes are modelled for runs stepped per epoch or per iteration; fractional stepping calls "
            "step(epoch) with the epoch itself, so use `step: epoch` or `step: iteration` to see a resume",
        )
    last = run.scheduler_steps - 1
    if not 1 <= at <= last:
        per = "epoch" if run.step == "epoch" else "iteration"
        raise ConfigError(path, f"must be a scheduler step from 1 to {last} (the run steps its scheduler {last + 1} times, once per {per}), got {at}")
    return at


def check_method(name: Any, path: str) -> str:
    from .whatif import BY_METHOD, METHOD_NAMES

    if not isinstance(name, str) or name not in BY_METHOD:
        raise ConfigError(path, f"must be one of {', '.join(METHOD_NAMES)}, got {name!r}{suggest(str(name), METHOD_NAMES)}")
    return name


PLAIN_KEYS = ("name", "optimizer", "run", "vars", "scheduler", "metric")


def every_section() -> dict:
    """Every framework's config section: its name -> its family (every family loads)."""
    from .registry import families

    return {f.section: f for f in families() if f.section}


def __getattr__(name: str) -> Any:
    if name == "SECTIONS":  # every family's, loaded on first use
        return every_section()
    raise AttributeError(f"module 'lrplot.config' has no attribute {name!r}")


def from_mapping(data: Any, default_name: str | None = None, base_dir: str | os.PathLike | None = None, origin: ConfigFile | None = None) -> Spec:
    """Validate a config mapping; ``origin`` is the file it was read from (which file gave what)."""
    try:
        spec = _from_mapping(data, default_name, base_dir)
    except ConfigError as exc:
        raise _in_file(exc, data, origin) from None
    log = (spec.metric.file,) if spec.metric is not None and spec.metric.file else ()  # a file read too
    if origin is None or not (origin.lines or origin.files):
        return replace(spec, files=tuple(dict.fromkeys(spec.files + log))) if log else spec
    return replace(spec, derivation=origin.lines + spec.derivation, files=tuple(dict.fromkeys(origin.files + spec.files + log)))


def _in_file(exc: ConfigError, data: Any, origin: ConfigFile | None) -> ConfigError:
    """An error in a key of a framework section that a framework's own file gave, named by that file and key
    (``args.yaml: time``, not ``yolo.time``, which the user never wrote)."""
    if origin is None or origin.framework is None or len(origin.files) != 1 or not isinstance(data, Mapping):
        return exc
    section, dot, key = exc.path.partition(".")
    given, read = data.get(section), origin.data.get(section)
    if not dot or not isinstance(given, Mapping) or not isinstance(read, Mapping) or key not in read or given.get(key) is not read[key]:
        return exc
    return type(exc)(f"{origin.files[0]}: {key}", exc.message)


def _from_mapping(data: Any, default_name: str | None, base_dir: Any) -> Spec:
    if not isinstance(data, Mapping):
        raise ConfigError("", f"a config must be a mapping with a `scheduler:` key, got {type_name(data)}")
    check_tree(data)
    source = data
    # A key that is not lrplot's own may be a framework's section: only that framework loads.
    found = {k: section_family(k) for k in data if k not in PLAIN_KEYS}
    if not all(found.values()):
        check_keys(data, "", (*PLAIN_KEYS, *every_section()))  # names the misspelt key, among every section
    # A section may name another framework's configuration (a module's ``names_sections``: the
    # TrainingArguments' `deepspeed` names a ds_config); that framework loads too, to take it over.
    for key in list(found):
        module = found[key].part(found[key].section_module)
        for other in getattr(module, "names_sections", lambda section: ())(data[key]):
            found.setdefault(other, section_family(other))
    derivation: tuple[str, ...] = ()
    from .registry import PACKAGES

    named = sorted(found, key=PACKAGES.index)
    if not named:
        return _from_plain(data, source, derivation, default_name, base_dir)
    # One section translates the config: the only one, or the one whose module ``takes_over`` a
    # config with another beside it (a ds_config under transformers' Trainer). Only the frameworks
    # whose sections the config has load.
    lead = next((k for k in named if getattr(found[k].part(found[k].section_module), "takes_over", lambda d: False)(data)), None)
    if lead is None and len(named) > 1:
        raise ConfigError(named[1], f"one framework section per config; this one has {' and '.join(named)}")
    sections = [lead or named[0]]
    # The framework's own vocabulary (TrainingArguments, train.py's arguments) describes the
    # scheduler and the run; the family turns it into the plain config it means, and an error in
    # what it made is named by the section's field that caused it.
    family_ = found[sections[0]]
    reader = family_.part(family_.section_module)
    files: tuple[str, ...] = ()
    if hasattr(reader, "read_named"):  # files the config names (a ds_config's path), read now; checks see what they hold
        data, derivation, files = reader.read_named(data, Path(base_dir) if base_dir is not None else None)
        source = data
    data, moved = options_into_section(data, sections[0], getattr(reader, "OPTIONS", {}))
    if data.get("vars") is not None and sections[0] in data:  # a section's keys may name vars (those that do not use the run), which it then consumes
        data = {k: v for k, v in data.items() if k != "vars"} | {sections[0]: named_fields(data[sections[0]], early_vars(data["vars"]), sections[0])}
    data, made = reader.translate(data.get(sections[0]), data, sections[0])
    derivation = moved + derivation + tuple(made)
    check_tree(data)
    try:
        spec = _from_plain(data, source, derivation, default_name, base_dir)
        return replace(spec, files=tuple(dict.fromkeys(files + spec.files))) if files else spec
    except ConfigError as exc:
        made = exc.path.split(".")[0].split("[")[0] in ("optimizer", "run", "scheduler")
        if made and hasattr(reader, "section_error"):
            raise reader.section_error(exc) from None
        raise


def options_into_section(data: Mapping[str, Any], section: str, options: Mapping[str, str]) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    """The run's and optimizer's values given beside a framework section (a YAML's ``run:``, or
    ``--dataset-size`` and the other run flags), moved to the section keys they mean (the section
    module's ``OPTIONS``, ``a.b`` naming a nested key), over the section's own; and a line saying so for each. Optimizer values
    the framework has no key for stay where they are, for the section to judge."""
    own = data.get(section)
    if not options or not isinstance(own, Mapping):
        return data, ()
    out, moved = dict(data), dict(own)
    lines: list[str] = []
    for part in ("run", "optimizer"):
        given = data.get(part)
        if not isinstance(given, Mapping):
            continue
        rest = {}
        for key, value in given.items():
            if part == "run" and key == "dtype":
                _section_dtype(section, value)  # the precision is the framework's, not a size of the run
                continue
            target = options.get(f"{part}.{key}") if isinstance(key, str) else None
            if target is None:
                rest[key] = value
                continue
            current = _dotted(own, target)
            over = f", over the section's {current!r}" if current is not None and current != value else ""
            lines.append(f"{section}.{target} = {value!r} (from {part}.{key}{over})")
            _set_dotted(moved, target, value)
        if part == "run" and rest:
            # The section sizes the run itself; name the run keys it does take.
            takes = ", ".join(f"{k.split('.', 1)[1]} (as {section}.{v})" for k, v in options.items() if k.startswith("run."))
            key = next(iter(rest))
            raise ConfigError(f"run.{key}", f"the `{section}:` section sizes the run itself; from the run it takes {takes}")
        if rest:
            out[part] = rest
        else:
            del out[part]
    out[section] = moved
    return out, tuple(lines)


def _section_dtype(section: str, dtype: Any) -> None:
    """``run.dtype`` beside a framework section: its framework's own precision is the default; another is an error."""
    from .registry import families, section_family

    framework = section_family(section)
    if dtype not in framework.dtypes:
        others = ", ".join(f.name for f in families() if dtype in f.dtypes)
        raise ConfigError("run.dtype", f"the `{section}:` section's schedule is computed in {' or '.join(framework.dtypes)} ({framework.name} "
                                       f"schedules use Python floats); {dtype} applies to the frameworks that compute in it ({others})")


def _dotted(data: Mapping[str, Any], target: str) -> Any:
    """``data["a"]["b"]`` for the target ``a.b`` (an OPTIONS key may name a nested key), or None."""
    for part in target.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def _set_dotted(data: dict, target: str, value: Any) -> None:
    """Set the key ``a.b`` of ``data``, copying the mappings on the way (the section's own stay as written)."""
    *outer, last = target.split(".")
    for part in outer:
        inner = data.get(part)
        data[part] = dict(inner) if isinstance(inner, Mapping) else {}
        data = data[part]
    data[last] = value


def _from_plain(data: Mapping[str, Any], source: Mapping[str, Any], derivation: tuple[str, ...], default_name: str | None, base_dir: Any) -> Spec:
    if "scheduler" not in data:
        raise ConfigError("scheduler", "missing; say which scheduler to simulate (e.g. `scheduler: {type: StepLR, step_size: 10}`)")

    optimizer = _optimizer(data.get("optimizer", {}))
    scheduler_data = data["scheduler"]
    if isinstance(scheduler_data, str):  # `scheduler: cosine` is shorthand for `{type: cosine}`
        scheduler_data = {"type": scheduler_data}
    info = _scheduler_info(scheduler_data, "scheduler")
    early = early_vars(data.get("vars"))
    later = set(data.get("vars") or ()) - set(early) if isinstance(data.get("vars"), Mapping) else set()
    run = _run(named_fields(data.get("run", {}), early, "run", _RUN_NUMBERS, later),
               family(info.family).default_step(scheduler_data, info))
    framework = family(info.family)
    if run.dtype not in framework.dtypes:
        raise ConfigError(
            "run.dtype",
            f"{info.name} is computed in {' or '.join(framework.dtypes)} ({framework.name} schedules use Python floats); "
            f"{run.dtype} applies to the frameworks that compute in it ({', '.join(f.name for f in families() if run.dtype in f.dtypes)})",
        )
    given_lr = isinstance(data.get("optimizer"), Mapping) and [k for k in ("lr", "param_groups") if k in data["optimizer"]]
    if not framework.scales_lr and given_lr:
        raise ConfigError(
            f"optimizer.{given_lr[0]}",
            f"{info.name} is the optimizer's learning rate itself (the optimizer is built with learning_rate=schedule, "
            f"one for all its variables), so the optimizer has no lr of its own; set the schedule's keywords (`lrplot list {info.name}`)",
        )
    if run.resume is not None:
        from .whatif import models_resumes

        if not models_resumes(family(info.family)):
            raise ConfigError("run.resume", f"resumes are modelled for torch's schedulers; {info.name} is a {info.family} schedule")
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
    variables = _vars(data.get("vars"), run)
    names = Names(run, {**run_names(run), **{v.name: v.value for v in variables}}, tuple(g.lr for g in optimizer.groups))
    read: dict[str, list] = {"files": [], "lines": []}  # what the schedulers read besides the config
    scheduler = _scheduler(scheduler_data, "scheduler", optimizer, run, names, run.length, depth=0, base_dir=base_dir, read=read)
    _check_work(scheduler, run)
    metric = _metric(data.get("metric"), scheduler, run, Path(base_dir) if base_dir is not None else Path("."))

    name = data.get("name", default_name or scheduler.type)
    if not isinstance(name, (str, int, float)) or isinstance(name, bool):
        raise ConfigError("name", f"must be a string, got {type_name(name)}")
    return Spec(check_text(str(name), "name"), optimizer, run, scheduler, metric, MappingProxyType(dict(source)), variables,
                derivation + tuple(read["lines"]), tuple(dict.fromkeys(read["files"])))


def _check_work(scheduler: SchedulerSpec, run: RunSpec) -> None:
    """The limits on schedulers, checked once the tree is known and before anything is simulated."""
    count = sum(1 for _ in scheduler.walk())
    if count > MAX_SCHEDULERS:
        raise ConfigError("scheduler", f"{count} schedulers in all (nested ones included); lrplot simulates at most {MAX_SCHEDULERS}")
    width = _width(scheduler)
    updates = width * run.scheduler_steps
    if updates > MAX_UPDATES:
        raise ConfigError(
            "scheduler",
            f"{width} schedulers stepped together (ChainedScheduler children) x {run.scheduler_steps:,} scheduler steps = "
            f"{updates:,} updates; lrplot computes at most {MAX_UPDATES:,} (fewer chained schedulers or a shorter run)",
        )


def _width(node: SchedulerSpec) -> int:
    """How many single schedulers step on the same step: all children of a chain, one of a sequence."""
    if not node.children:
        return 1
    widths = [_width(child) for child in node.children]
    return sum(widths) if node.info.children_together else max(widths)


# ----------------------------------------------------------------------------------------------
# Sections


def _optimizer(data: Any) -> OptimizerSpec:
    path = "optimizer"
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping (lr, momentum or betas, param_groups), got {type_name(data)}")
    check_keys(data, path, ("lr", "momentum", "betas", "param_groups", "type"))
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
                raise ConfigError(gpath, f"must be a mapping like {{name: head, lr: 0.1}}, got {type_name(g)}")
            check_keys(g, gpath, ("name", "lr"))
            # Like torch, a group without its own lr takes the optimizer's.
            lr = _lr_value(g["lr"], f"{gpath}.lr") if "lr" in g else default_lr
            gname = g.get("name", f"group{i}")
            if not isinstance(gname, (str, int)) or isinstance(gname, bool):
                raise ConfigError(f"{gpath}.name", f"must be a string, got {type_name(gname)}")
            groups.append(Group(check_text(str(gname), f"{gpath}.name"), lr))
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
        momentum = number(data["momentum"], f"{path}.momentum")
        if momentum < 0:
            raise TorchWouldRaise(f"{path}.momentum", f"must be >= 0, got {momentum} (torch.optim.SGD raises ValueError)")
    if "betas" in data:
        raw = data["betas"]
        if not isinstance(raw, (list, tuple)) or len(raw) != 2:
            raise ConfigError(f"{path}.betas", "must be a list of two numbers, like [0.9, 0.999]")
        betas = tuple(number(v, f"{path}.betas[{i}]") for i, v in enumerate(raw))  # type: ignore[assignment]
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise TorchWouldRaise(f"{path}.betas[{i}]", f"must be >= 0 and < 1, got {b} (torch.optim.Adam raises ValueError)")
    return OptimizerSpec(tuple(groups), momentum, betas)


def _lr_value(value: Any, path: str) -> float:
    lr = number(value, path)
    if lr < 0:
        raise TorchWouldRaise(path, f"must be >= 0, got {lr} (torch's optimizers raise ValueError: Invalid learning rate)")
    return lr


def _run(data: Any, default_step: str) -> RunSpec:
    path = "run"
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping (epochs or iterations, steps_per_epoch, step), got {type_name(data)}")
    check_keys(data, path, _RUN_KEYS)
    if "epochs" in data and "iterations" in data:
        raise ConfigError(
            f"{path}.iterations",
            "a run is counted in epochs or in iterations (optimizer steps), not both; keep one "
            "(steps_per_epoch, or the dataset and batch sizes, relate the two)",
        )
    plan = _plan(data, path)
    if plan is not None and "steps_per_epoch" in data:
        raise ConfigError(
            f"{path}.steps_per_epoch",
            "is derived from the training plan (dataset_size, batch_size, devices, grad_accum, drop_last); give one or the other",
        )
    if plan is not None:
        spe = plan.steps
    else:
        spe = _positive_int(data.get("steps_per_epoch", 1), f"{path}.steps_per_epoch")
    has_epochs = "iterations" not in data or "steps_per_epoch" in data or plan is not None
    if "iterations" in data:
        total = _positive_int(data["iterations"], f"{path}.iterations")
        unit = "iteration"
        if total > MAX_STEPS:
            raise ConfigError(f"{path}.iterations", f"{total:,} optimizer steps; lrplot simulates at most {MAX_STEPS:,}")
    else:
        epochs = _positive_int(data.get("epochs", DEFAULT_EPOCHS), f"{path}.epochs")
        unit = "epoch"
        if epochs * spe > MAX_STEPS:
            raise ConfigError(
                path, f"epochs * steps_per_epoch = {epochs * spe:,} optimizer steps; lrplot simulates at most {MAX_STEPS:,}"
            )
        total = epochs * spe
    if "iterations" in data:
        # A run counted in optimizer steps is a loop that steps the scheduler after each of them
        # (nanoGPT, detectron2, the LLM recipes); `step:` still says otherwise when it does not.
        default_step = "iteration"
    step = data.get("step", default_step)
    if not isinstance(step, str) or step.lower() not in STEP_MODES:
        raise ConfigError(f"{path}.step", f"must be one of {', '.join(STEP_MODES)}, got {step!r}{suggest(step, STEP_MODES)}")
    step = step.lower()
    if step != "iteration" and not has_epochs:
        raise ConfigError(
            f"{path}.step",
            f"`step: {step}` needs epochs: give run.steps_per_epoch (or the dataset and batch sizes) with run.iterations",
        )
    dtype = data.get("dtype", "float64")
    if dtype not in DTYPES:
        raise ConfigError(f"{path}.dtype", f"must be one of {', '.join(DTYPES)}, got {dtype!r}{suggest(dtype, DTYPES)}")
    run = RunSpec(total, spe, step, unit, has_epochs, plan, dtype=dtype)
    if "resume" in data:
        run = replace(run, resume=_resume(data["resume"], run, f"{path}.resume"))
    return run


def _resume(data: Any, run: RunSpec, path: str) -> Resume:

    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping like {{at: 30, method: state_dict}}, got {type_name(data)}")
    check_keys(data, path, ("at", "method"))
    if "at" not in data:
        raise ConfigError(f"{path}.at", "missing; the scheduler step after which the checkpoint was saved")
    at = check_resume_at(run, data["at"], f"{path}.at")
    return Resume(at, check_method(data.get("method", "state_dict"), f"{path}.method"))


_RUN_NUMBERS = ("epochs", "iterations", "steps_per_epoch", "dataset_size", "batch_size", "devices", "grad_accum")
NAMES_WHERE = "a number, or a name: a var (vars:) or, outside run:, the run's total_steps, steps_per_epoch or epochs"


def named(value: Any, path: str, names: Mapping[str, Any]) -> Any:
    """A numeric field's value: a name (a var, a run name) stands for its number."""
    if isinstance(value, str) and value.strip().isidentifier():
        name = value.strip()
        if name in names:
            return names[name]
        raise ConfigError(path, f"{name!r} is not a defined name; a numeric field takes {NAMES_WHERE}{suggest(name, list(names))}")
    return value


def named_fields(data: Any, names: Mapping[str, Any], path: str, keys: tuple[str, ...] | None = None, later: Any = ()) -> Any:
    """A mapping whose numeric fields (``keys``; every string value that is a defined name, when None) name vars."""
    if not isinstance(data, Mapping) or not names and keys is None:
        return data
    out = dict(data)
    for key, value in data.items():
        if keys is not None and key in keys:
            if isinstance(value, str) and value.strip().isidentifier() and value.strip() in RUN_NAMES:
                raise ConfigError(f"{path}.{key}", f"{value!r} is the run's own number, which run: defines; give a number or a var")
            if isinstance(value, str) and value.strip() in later:
                raise ConfigError(f"{path}.{key}", f"the var {value.strip()!r} uses the run's names, so it cannot size the run; a run "
                                  "field takes a number or a var that does not depend on the run")
            out[key] = named(value, f"{path}.{key}", names)
        elif keys is None and isinstance(value, str) and value.strip() in names:
            out[key] = names[value.strip()]
    return out


def _positive_int(value: Any, path: str) -> int:
    n = integer(value, path)
    if n < 1:
        raise ConfigError(path, f"must be >= 1, got {n}")
    return n


def _plan(data: Mapping[str, Any], path: str) -> Plan | None:
    given = [k for k in _PLAN_KEYS if k in data]
    if not given:
        return None
    missing = [k for k in ("dataset_size", "batch_size") if k not in data]
    if missing:
        raise ConfigError(
            f"{path}.{missing[0]}",
            f"missing; a training plan needs dataset_size and batch_size (it has {', '.join(given)})",
        )
    drop_last = data.get("drop_last", False)
    if not isinstance(drop_last, bool):
        raise ConfigError(f"{path}.drop_last", f"must be true or false, got {drop_last!r}")
    values = {k: _positive_int(data.get(k, 1), f"{path}.{k}") for k in ("dataset_size", "batch_size", "devices", "grad_accum")}
    if values["dataset_size"] > 10**12:
        raise ConfigError(f"{path}.dataset_size", f"{values['dataset_size']:,} samples is beyond any dataset; check the number")
    plan = Plan(drop_last=drop_last, **values)
    if plan.batches == 0:
        raise ConfigError(
            f"{path}.batch_size",
            f"{plan.per_device} samples per device make no full batch of {plan.batch_size} with drop_last: true, "
            "so an epoch never steps; lower batch_size or set drop_last: false",
        )
    if plan.steps == 0:
        raise ConfigError(
            f"{path}.grad_accum",
            f"{plan.batches} batches per epoch never reach grad_accum {plan.grad_accum}, so the optimizer never steps; "
            f"lower grad_accum to at most {plan.batches}",
        )
    return plan


_RESERVED_VAR_NAMES = {
    **{n: f"shadows the run's {n}" for n in RUN_NAMES},
    "epoch": "is the expression's variable",
    "step": "is the expression's variable (another name for epoch)",
    "x": "is scale_fn's variable",
}


def early_vars(data: Any) -> dict[str, int | float]:
    """The vars that do not use the run's names, worked out before the run (its fields may name them)."""
    return {v.name: v.value for v in _vars(data, None)}


def _vars(data: Any, run: RunSpec | None) -> tuple[Var, ...]:
    """``vars:``: named numbers, each a number or an expression of other vars and the run names.

    With ``run`` None (before the run is known), the vars that use a run name, and those that use
    them, are left out."""
    path = "vars"
    if data is None:
        return ()
    from .expr import CONSTANTS, FUNCTIONS, ExprError, parse_expr  # a config with vars loads the expressions
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping of names to numbers or expressions, got {type_name(data)}")
    if len(data) > MAX_VARS:
        raise ConfigError(path, f"{len(data)} vars; at most {MAX_VARS}")
    import keyword

    for key, value in data.items():
        vpath = f"{path}.{key}"
        if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
            raise ConfigError(vpath, "a var's name must be a plain identifier, like warmup_iters")
        if key in _RESERVED_VAR_NAMES:
            raise ConfigError(vpath, f"{_RESERVED_VAR_NAMES[key]}; pick another name")
        if key in CONSTANTS or key in FUNCTIONS:
            raise ConfigError(vpath, f"shadows the {'constant' if key in CONSTANTS else 'function'} {key}; pick another name")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ConfigError(vpath, f"must be a number or an expression, got {type_name(value)}")
    base = run_names(run) if run is not None else {n: 1 for n in RUN_NAMES if n != "base_lr"}
    unavailable = {
        "epoch": "vars are numbers fixed for the run; use epoch (or step) in lr_lambda itself",
        "step": "vars are numbers fixed for the run; use step (or epoch) in lr_lambda itself",
        "base_lr": "each param group has its own base_lr; use it in lr_lambda itself",
        **({} if run is None or run.has_epochs else {n: "the run has no epochs; give run.steps_per_epoch" for n in ("steps_per_epoch", "epochs")}),
    }
    # Dependencies first (any order is allowed in the file), with cycles named.
    deps: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        if isinstance(value, str):
            try:
                probe = parse_expr(value, (), {**base, **{k: 0 for k in data}}, unavailable=unavailable)
            except ExprError as exc:
                raise ConfigError(f"{path}.{key}", str(exc)) from None
            deps[key] = tuple(n for n in probe.used_names() if n in data)
        else:
            deps[key] = ()
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            cycle = chain[chain.index(name):] + [name]
            raise ConfigError(f"{path}.{cycle[0]}", f"vars refer to each other in a circle: {' -> '.join(cycle)}")
        state[name] = "active"
        for dep in deps[name]:
            visit(dep, chain + [name])
        state[name] = "done"
        order.append(name)

    for key in data:
        visit(key, [])
    values: dict[str, int | float] = {}
    exprs: dict[str, Any] = {}
    if run is None:  # before the run: leave out what uses the run's names, directly or through another var
        uses_run = set()
        for key in order:
            raw = data[key]
            if isinstance(raw, str):
                probe = parse_expr(raw, (), {**base, **{k: 0 for k in data}})
                if any(n in base or n in uses_run for n in probe.used_names()):
                    uses_run.add(key)
        order = [k for k in order if k not in uses_run]
        base = {}
    for key in order:
        raw = data[key]
        vpath = f"{path}.{key}"
        if isinstance(raw, str):
            try:
                exprs[key] = parse_expr(raw, (), {**base, **values})
                result = exprs[key]()
            except ExprError as exc:
                raise ConfigError(vpath, str(exc)) from None
        else:
            result = raw if isinstance(raw, float) else integer(raw, vpath)
        if isinstance(result, bool):
            result = int(result)
        if isinstance(result, float) and not math.isfinite(result):
            raise ConfigError(vpath, f"is {result}; a var must be a finite number")
        values[key] = result
    return tuple(Var(k, values[k], data[k], exprs.get(k)) for k in order)  # each after the vars it uses


@record
class Names:
    """What expressions may name: the run names and vars (``shared``), and each group's base_lr."""

    run: RunSpec
    shared: Mapping[str, int | float]
    base_lrs: tuple[float, ...]

    def unavailable(self) -> dict[str, str]:
        if self.run.has_epochs:
            return {}
        return {n: "the run has no epochs; give run.steps_per_epoch" for n in ("steps_per_epoch", "epochs")}


def _metric(data: Any, scheduler: SchedulerSpec, run: RunSpec, base_dir: Path) -> MetricSpec | None:
    plateau = next((s for s in scheduler.walk() if s.info.steps_on_metric), None)
    if data is not None or plateau is not None:
        from .metric import read_log, synthetic_spec  # loaded for a metric (or the error without one)
    if data is None:
        if plateau is not None:
            raise ConfigError(
                "metric",
                f"{plateau.type} needs a metric: `metric: {{synthetic: true}}` for a simulated training curve, "
                "`{csv: log.csv, column: val_loss}` to replay a log, or `{values: [...]}`, one per scheduler step",
            )
        return None
    path = "metric"
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping like {{synthetic: true}} or {{values: [1.0, 0.9, ...]}}, got {type_name(data)}")
    check_keys(data, path, ("values", "csv", "column", "epoch_column", "synthetic"))
    kinds = [k for k in ("values", "csv", "synthetic") if k in data]
    if len(kinds) != 1:
        raise ConfigError(path, "give exactly one of `values`, `csv` (with `column`) or `synthetic`")
    kind = kinds[0]
    if kind != "csv" and ("column" in data or "epoch_column" in data):
        raise ConfigError(path, "`column` and `epoch_column` go with `csv:`")
    if kind == "synthetic":
        # Any schedule may carry a synthetic metric: it then shows the metric that schedule would
        # produce (only ReduceLROnPlateau reacts to it).
        # torch's `mode` (min/max), or mmengine's `rule` (less/greater)
        mode = "min" if plateau is None else plateau.params.get("mode") or ("max" if plateau.params.get("rule") == "greater" else "min")
        return MetricSpec(synthetic=synthetic_spec(data["synthetic"], f"{path}.synthetic", mode), source="synthetic")
    if plateau is None:
        raise ConfigError(
            path, f"only ReduceLROnPlateau reads metric values, and {scheduler.type} is not one; remove `metric:` (or use `synthetic:`)"
        )
    if kind == "csv":
        from .files import user_path

        if not isinstance(data["csv"], str) or not data["csv"]:
            raise ConfigError(f"{path}.csv", "must be the path of a CSV log")
        log = user_path(data["csv"], f"{path}.csv")
        log = log if log.is_absolute() else base_dir / log
        values = read_log(log, data.get("column"), data.get("epoch_column"), path, run.scheduler_steps)
        where, file = f"{path}.csv", str(log)
    else:
        raw = data["values"]
        if not isinstance(raw, (list, tuple)):
            raise ConfigError(f"{path}.values", f"must be a list of numbers, got {type_name(raw)}")
        values = []
        for i, v in enumerate(raw):
            if isinstance(v, float) and math.isnan(v):
                values.append(v)  # NaN is allowed: torch counts it as a bad epoch
            elif isinstance(v, float) and math.isinf(v):
                raise ConfigError(f"{path}.values[{i}]", f"must be a number or NaN (a bad epoch), got {v}")
            else:
                values.append(number(v, f"{path}.values[{i}]"))
        where, file = f"{path}.values", None
    needed = run.scheduler_steps
    if len(values) < needed:
        fix = f"shorten run.epochs to {len(values)}" if run.step == "epoch" else "shorten the run"
        raise ConfigError(
            where,
            f"{len(values)} values for {needed} scheduler steps ({run.step} stepping); give one value per step, or {fix}",
        )
    return MetricSpec(values=tuple(values[:needed]), source=kind, file=file)


# ----------------------------------------------------------------------------------------------
# Schedulers


def _scheduler_info(data: Any, path: str) -> SchedulerInfo:
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping with a `type:`, got {type_name(data)}")
    if "type" not in data:
        raise ConfigError(f"{path}.type", "missing; name a torch scheduler class or alias (see `lrplot list`)")
    kind = data["type"]
    if not isinstance(kind, str):
        raise ConfigError(f"{path}.type", f"must be a string, got {type_name(kind)}")
    info = lookup(kind)
    if info is None:
        shown = kind if len(kind) <= 60 else kind[:57] + "..."
        raise ConfigError(f"{path}.type", f"unknown scheduler {shown!r}{suggest(kind, all_names())} (see `lrplot list`)")
    return info


_RETIRED = {
    "verbose": "was removed from torch's schedulers (torch 2.13 has no `verbose`); delete it",
    "optimizer": "is not a scheduler key; configure the optimizer under the top-level `optimizer:`",
}


def _scheduler(data: Any, path: str, opt: OptimizerSpec, run: RunSpec, names: Names, length: int, depth: int, base_dir: Any = None,
               read: dict | None = None) -> SchedulerSpec:
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
            raise ConfigError(key_path(path, key), f"{info.name} has no option {key!r}{suggest(key, known)}; it takes {', '.join(known)}")

    params: dict[str, Any] = {}
    for p in info.params:
        ppath = f"{path}.{p.name}"
        if p.name in data:
            params[p.name] = _param_value(p, data[p.name], ppath, names)
        elif p.required:
            raise ConfigError(ppath, f"missing; {info.name} needs {p.name} ({p.doc})")
        elif p.default is FROM_RUN:
            params[p.name] = FROM_RUN  # resolved by the family, once the other keywords are known
        else:
            params[p.name] = p.default

    def child(child_data: Any, child_path: str, child_length: int) -> SchedulerSpec:
        return _scheduler(child_data, child_path, opt, run, names, child_length, depth + 1, base_dir, read)

    read = read if read is not None else {"files": [], "lines": []}
    context = ResolveContext(path, len(opt.groups), length, depth, run, child, lookup, base_dir, read["files"], read["lines"])
    family(info.family).resolve(info, params, context)
    return SchedulerSpec(info.name, MappingProxyType(params), path)


def _param_value(p: Param, value: Any, path: str, names: Names) -> Any:
    n_groups = len(names.base_lrs)
    if value is None:
        if p.optional:
            return None
        raise ConfigError(path, f"must not be empty ({p.doc})")
    if p.kind in ("int", "float", "int_list", "numbers", "per_group"):
        value = [named(v, f"{path}[{i}]", names.shared) for i, v in enumerate(value)] if isinstance(value, (list, tuple)) else named(value, path, names.shared)
    if p.kind == "int":
        return _bounded(p, integer(value, path), path)
    if p.kind == "float":
        return _bounded(p, number(value, path), path)
    if p.kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(path, f"must be true or false, got {value!r}")
        return value
    if p.kind == "str":
        if not isinstance(value, str) or not value:
            raise ConfigError(path, f"must be a string ({p.doc}), got {value!r}")
        return value
    if p.kind == "choice":
        if not isinstance(value, str) or value not in p.choices:
            msg = f"must be one of {', '.join(p.choices)}, got {value!r}{suggest(value, p.choices)}"
            raise (TorchWouldRaise if p.torch_checks else ConfigError)(path, msg)
        return value
    if p.kind == "int_list":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(path, f"must be a list of integers like [30, 80], got {type_name(value)}")
        return tuple(_bounded(p, integer(v, f"{path}[{i}]"), f"{path}[{i}]") for i, v in enumerate(value))
    if p.kind == "numbers":
        if isinstance(value, (list, tuple)):
            return tuple(_bounded(p, number(v, f"{path}[{i}]"), f"{path}[{i}]") for i, v in enumerate(value))
        return _bounded(p, number(value, path), path)
    if p.kind == "per_group":
        if isinstance(value, (list, tuple)):
            if len(value) != n_groups:
                raise TorchWouldRaise(
                    path, f"has {len(value)} values but the optimizer has {n_groups} param groups; give one per group"
                )
            return tuple(_bounded(p, number(v, f"{path}[{i}]"), f"{path}[{i}]") for i, v in enumerate(value))
        return _bounded(p, number(value, path), path)
    if p.kind == "step_map":  # optax's boundaries_and_scales: {step: factor}
        if not isinstance(value, Mapping):
            raise ConfigError(path, f"must be a mapping of steps to numbers like {{1000: 0.1, 2000: 0.1}}, got {type_name(value)}")
        # a JSON mapping's keys are strings: "1000" is the step 1000 there
        steps = [int(k) if isinstance(k, str) and k.strip().lstrip("-").isdigit() else k for k in value]
        return tuple((integer(k, f"{path}[{k!r}]"), _bounded(p, number(v, f"{path}[{k!r}]"), f"{path}[{k!r}]")) for k, v in zip(steps, value.values()))
    if p.kind in ("expr", "per_group_expr"):
        return _expression(p, value, path, names)
    if p.kind == "choice_list":
        items = value if isinstance(value, (list, tuple)) else [value]
        for i, item in enumerate(items):
            if not isinstance(item, str) or item not in p.choices:
                msg = f"must be a list of {', '.join(p.choices)}, got {item!r}{suggest(str(item), p.choices)}"
                raise (TorchWouldRaise if p.torch_checks else ConfigError)(f"{path}[{i}]", msg)
        return tuple(items)
    if p.kind == "scheduler":
        if not isinstance(value, (Mapping, str)):
            raise ConfigError(path, f"must be a scheduler mapping with a `type:`, got {type_name(value)}")
        return value  # validated by the family's resolve, like `schedulers`
    if p.kind == "raw":  # the family's resolve reads it (a file name, a call, a mapping)
        return value
    if p.kind == "schedulers":
        if not isinstance(value, (list, tuple)):
            raise ConfigError(path, f"must be a list of scheduler mappings, got {type_name(value)}")
        if not value:
            raise TorchWouldRaise(path, "is empty; torch needs at least one scheduler")
        if len(value) > MAX_SCHEDULERS:  # before validating each of them
            raise ConfigError(path, f"{len(value)} schedulers; lrplot simulates at most {MAX_SCHEDULERS} in all")
        return value  # validated by the family's resolve, which knows each child's share of the run
    raise AssertionError(p.kind)


def _expression(p: Param, value: Any, path: str, names: Names) -> Any:
    """An expression keyword: one Expr, or one per param group.

    Each group's expression sees its own ``base_lr``; a single expression that uses it becomes one
    per group when the groups' lrs differ.
    """
    from .expr import ExprError, parse_expr

    n_groups = len(names.base_lrs)
    aliases = {"step": "epoch"} if p.variable == "epoch" else {}
    unavailable = names.unavailable()

    def parse(text: Any, where: str, group: int):
        try:
            return parse_expr(text, (p.variable,), {**names.shared, "base_lr": names.base_lrs[group]}, aliases, unavailable)
        except ExprError as exc:
            raise ConfigError(where, str(exc)) from None

    if p.kind == "per_group_expr" and isinstance(value, (list, tuple)):
        if len(value) != n_groups:
            raise TorchWouldRaise(path, f"has {len(value)} expressions but the optimizer has {n_groups} param groups; give one per group")
        return tuple(parse(text, f"{path}[{i}]", i) for i, text in enumerate(value))
    first = parse(value, path, 0)
    if not first.uses("base_lr") or len(set(names.base_lrs)) == 1:
        return first
    if p.kind != "per_group_expr":
        raise ConfigError(path, f"{p.name} is one function for every param group, and their base_lr differ; write the number")
    return tuple([first] + [parse(value, path, g) for g in range(1, n_groups)])


def _bounded(p: Param, value: Any, path: str) -> Any:
    if p.bound is not None:
        problem = p.bound.violation(value)
        if problem:
            suffix = " (torch raises ValueError)" if p.torch_checks else ""
            raise (TorchWouldRaise if p.torch_checks else ConfigError)(path, f"{problem}, got {value}{suffix}")
    return value
