"""The records every framework describes its schedulers with: data, no behaviour.

A :class:`SchedulerInfo` per scheduler (its type name, the aliases people type, a one-line
description and its keywords with defaults and limits) and a :class:`Family` per framework. The
config loader, ``lrplot list``, the CLI flags, the docs and the tests all read these records.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Callable

from ..frozen import record

REQUIRED: Any = object()  # default of a keyword the user must give
FROM_RUN: Any = object()  # default filled from the run's length (T_max, total_steps)


@record
class Bound:
    """A numeric limit: ``value > low`` (or ``>=`` when ``inclusive``)."""

    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True

    def violation(self, value: float) -> str | None:
        """A short description of the broken limit, or None when ``value`` is inside."""
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return self.describe()
        if self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive)):
            return self.describe()
        return None

    def describe(self) -> str:
        lo = None if self.low is None else f"{'>=' if self.low_inclusive else '>'} {_num(self.low)}"
        hi = None if self.high is None else f"{'<=' if self.high_inclusive else '<'} {_num(self.high)}"
        if lo and hi:
            return f"must be {lo} and {hi}"
        return f"must be {lo or hi}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


POSITIVE = Bound(low=0, low_inclusive=False)
NON_NEGATIVE = Bound(low=0)


@record
class Param:
    """One constructor keyword.

    ``kind`` is one of: ``int``, ``float``, ``bool``, ``str`` (a name: mmengine's ``monitor``), ``choice``,
    ``choice_list`` (a list of ``choices``), ``int_list``, ``per_group`` (a float, or a list with one
    float per param group), ``numbers`` (a number, or a list of numbers: timm's ``noise_range_t``),
    ``expr`` / ``per_group_expr`` (expressions in ``variable``), ``schedulers`` (nested scheduler
    configs), ``scheduler`` (one nested scheduler config: detectron2's WarmupParamScheduler wraps one),
    ``step_map`` (a mapping of steps to numbers: optax's ``boundaries_and_scales``, a tuple of (step,
    number) pairs as written) and ``raw`` (passed as written, for the family's resolve to read).
    """

    name: str
    kind: str
    default: Any
    doc: str
    bound: Bound | None = None
    choices: tuple[str, ...] = ()
    variable: str = ""
    optional: bool = False  # None is a valid value (torch's ``None`` default)
    torch_checks: bool = False  # torch itself raises outside ``bound`` (else: lrplot's own sanity rule)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def nested(self) -> bool:
        """Holds nested schedulers (never a command-line flag)."""
        return self.kind in ("schedulers", "scheduler")


@record
class SchedulerInfo:
    name: str  # the type name: torch's class name, or <framework>.<name>
    aliases: tuple[str, ...]
    description: str
    params: tuple[Param, ...]
    example: dict[str, Any] = field(default_factory=dict)  # keywords of a typical use, for docs and tests
    composite: bool = False
    children_together: bool = False  # a composite that steps every child on every step (its work adds up)
    cycles_momentum: bool = False  # has a ``cycle_momentum`` keyword
    default_step: str = "epoch"  # when scheduler.step() is called unless the run says otherwise
    family: str = "torch"
    library_name: str = ""  # what the library itself calls it, when that differs from ``name``
    steps_on_metric: bool = False  # step() takes the validation metric (ReduceLROnPlateau and kin): the config needs `metric:`

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


@record
class ResolveContext:
    """What a family's ``resolve`` knows about where a scheduler stands in the config."""

    path: str  # the scheduler's YAML path
    n_groups: int
    length: int  # the run's length on this scheduler's own time axis (its share, inside a composite)
    depth: int
    run: Any  # the config's RunSpec
    child: Callable[[Any, str, int], Any]  # validate a nested scheduler mapping: (data, path, length)
    lookup: Callable[[str], "SchedulerInfo | None"]  # any family's scheduler by type name or alias
    base_dir: Any = None  # the folder paths in the config are relative to (the config's own)
    files: list = field(default_factory=list)  # files the scheduler read (for Spec.files: --watch, the gallery)
    lines: list = field(default_factory=list)  # which file gave what (for explain)


@record
class Family:
    """One framework: its schedulers, the rules between their keywords, and where its code lives.

    ``resolve(info, params, ctx)`` checks what involves several keywords or the run and fills the
    lengths the run implies (at config time, so it is light). The rest lives in the family's
    package, one module per job, each imported only when a config needs it: ``engine``
    (``simulate``), ``describe`` (``events``, ``phases``, ``summary``), ``code`` (``code``),
    ``checks`` (``RULES``: its pitfalls, for ``lrplot check`` and ``explain``), optionally
    ``resume`` (what resumed runs and stepping mistakes train with, for ``lrplot.whatif``) and
    ``reference`` (driving the real library, for the recorder and the tests).
    """

    name: str
    title: str
    schedulers: tuple[SchedulerInfo, ...]
    resolve: Callable[[SchedulerInfo, dict, ResolveContext], None]
    package: str
    # When the scheduler steps unless the run says (``scheduler_data`` as written, its record).
    default_step: Callable[[Any, SchedulerInfo], str] = lambda data, info: info.default_step
    # The framework's own configuration vocabulary, as a top-level config section (``transformers:``),
    # read by the package's module ``section_module``: its ``translate(section, config, path)`` returns
    # the config the section describes (a plain ``scheduler:``, ``run:`` and ``optimizer:``) and the
    # lines of arithmetic that derived it, for ``explain``; its optional ``section_error(exc)`` names
    # an error in that config by the section's field that caused it.
    #
    # The section module may also map the run's and optimizer's options onto its own keys with
    # ``OPTIONS`` (``{"run.dataset_size": "dataset_size", "run.devices": "world_size", "optimizer.lr":
    # "lr"}``): a `run:` or `optimizer:` value beside the section (a YAML's, or a command-line flag
    # such as ``--dataset-size``) then sets that key of the section; any other is an error naming
    # the options it takes.
    section: str | None = None
    section_module: str = "section"
    # The framework's own files, read as they are (an OpenMMLab .py config, a ds_config.json, the
    # args.yaml timm's train.py writes): the endings it may claim (".py", ".yaml"), and its module
    # ``files_module`` with ``claims(source) -> str | None`` (what it takes the file for, like "an
    # OpenMMLab config", or None when the file is not its) and ``read(source) -> ConfigFile``, both
    # given a :class:`lrplot.sources.SourceFile`. Neither ever executes anything in the file.
    file_suffixes: tuple[str, ...] = ()
    files_module: str = "files"
    # The logs its training loop writes and its output folders: module ``logs_module`` with
    # ``LOG_FORMATS`` (what it reads, for messages), ``claims_log(path) -> bool`` (a cheap look at a
    # file's name, or a folder's files), ``read_log(path, where, request) -> RunLog`` (``request``: a
    # :class:`lrplot.runlog.LogRequest`; the log's steps mapped onto optimizer steps as the framework
    # numbers them, or ``per_epoch``) and ``run_folder(folder) -> tuple[Path, Path] | None`` (the
    # config and the log an output folder holds, for ``lrplot verify WORK_DIR``).
    logs_module: str | None = None
    # The precisions its schedules are computed in (``run.dtype``, ``--dtype``): float64 (Python floats,
    # as torch's schedulers) unless the library computes in float32 by default and lrplot reproduces that.
    dtypes: tuple[str, ...] = ("float64",)
    # Its schedules scale the optimizer's lr (a LambdaLR factor, base_lrs); False where a schedule is the
    # lr itself (the optimizer is built with ``learning_rate=schedule``), so the optimizer has no lr to give.
    scales_lr: bool = True
    # Its schedulers are torch LRScheduler objects moved by the training script's own
    # scheduler.step() calls (torch's, transformers' LambdaLRs), so a stepping mistake is a different
    # count of those calls (what ``lrplot verify`` simulates); False where the framework's loop steps them.
    stepped_by_script: bool = False
    # A command-line target in the framework's own words (``train.py:get_lr``): ``target(text, keys)``
    # gives the config mapping it means (``keys``: the scheduler flags given with it), or None when
    # the text is not one of its targets. Checked before anything else.
    target: Callable[..., "dict | None"] | None = None
    # The keywords of its schedulers and the keys of its section that are learning rates (an lr, not
    # a factor of one), ``-`` and ``_`` alike: ``lrplot.explore`` gives them log sliders.
    lr_keys: frozenset[str] = frozenset()
    # The numbers a resolved scheduler of the family reads that its config leaves to the family's own
    # source (a user's function's names): ``knobs(params)`` (the resolved keywords) gives (the key path
    # under the scheduler's mapping that sets one, its value, whether it is an lr), for ``lrplot.explore``.
    knobs: Callable[[dict], list] | None = None

    def part(self, module: str) -> Any:
        import importlib

        return importlib.import_module(f"{self.package}.{module}")
