"""The ``lrplot`` command: a thin click layer over the library.

Each command parses, makes one library call and writes its output. Library errors become one line
on stderr and exit code 2; nothing here prints a traceback. numpy, yaml and matplotlib load only
inside the commands that need them, so ``lrplot --help`` is instant and ``export`` / ``list`` never
import matplotlib.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

import click

from .clihelp import TOPICS, TopicCommand
from .errors import LrplotError
from .flags import flag_name, parse_flags, parse_int
from .registry import Param

# OneCycleLR's own ``epochs`` / ``steps_per_epoch`` keywords share their names with the run
# options; as flags those names mean the run (the keywords stay available in YAML).
_RUN_NAMES = {"epochs", "steps_per_epoch"}


class _OneLine(click.ClickException):
    """An error said in one ``Error:`` line, whatever a name in it holds (a key ``"lr\\n"`` of a
    config or a log): control characters are written as escapes."""

    def __init__(self, message: str):
        from .files import one_line

        super().__init__(one_line(message))


class UserError(_OneLine):
    exit_code = 2


class RuntimeFailure(_OneLine):
    exit_code = 1


class UsageLine(click.UsageError):
    """A usage error (a bad option value, a missing argument, an unknown command) in one ``Error:``
    line like every other error; click's own adds the usage and a hint on three more lines."""

    def __init__(self, exc: click.UsageError):
        super().__init__(exc.format_message(), exc.ctx)
        # A missing or unknown name is helped by the command's options; a bad value says enough.
        self.hint = "" if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter) else self._hint()

    def _hint(self) -> str:
        if self.ctx is None:
            return ""
        return f"See '{self.ctx.command_path} --help'."

    def show(self, file: Any = None) -> None:
        message = self.format_message().rstrip()
        if self.hint:
            message += (" " if message.endswith((".", "?")) else ". ") + self.hint
        click.echo(f"Error: {message}", file=file, err=file is None)


def _one_line(exc: click.UsageError) -> click.UsageError:
    # `lrplot` alone shows the help (NoArgsIsHelpError, click >= 8.2): that is no error to reword.
    if isinstance(exc, UsageLine) or type(exc).__name__ == "NoArgsIsHelpError":
        return exc
    return UsageLine(exc)


class _Group(click.Group):
    # The help names every framework, which takes all their records: made when --help shows it,
    # not by every command.
    @property
    def help(self) -> str | None:
        text = self.__dict__.get("_help")
        return text.replace("{frameworks}", _frameworks()) if text and "{frameworks}" in text else text

    @help.setter
    def help(self, value: str | None) -> None:
        self.__dict__["_help"] = value

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:  # `lrplot --bogus`
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LrplotError as exc:
            raise UserError(str(exc)) from None
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except BrokenPipeError:
            # `lrplot list | head`: the reader has gone. Let click end quietly, as Unix tools do.
            raise
        except OSError as exc:
            raise RuntimeFailure(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from None
        except Exception as exc:  # a bug: say so in one line, the traceback only on request
            if os.environ.get("LRPLOT_DEBUG"):
                raise
            raise RuntimeFailure(f"internal error ({type(exc).__name__}: {exc}); set LRPLOT_DEBUG=1 to see the traceback") from None


# ----------------------------------------------------------------------------------------------
# Option types


class _Int(click.ParamType):
    name = "INTEGER"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return parse_int(str(value))
        except (ValueError, OverflowError):
            self.fail(f"{value!r} is not an integer (like 600000 or 6e5)", param, ctx)


INT = _Int()


class _FloatOrList(click.ParamType):
    name = "FLOAT[,FLOAT...]"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float, list)):
            return value
        try:
            items = [float(v) for v in str(value).split(",")]
        except ValueError:
            self.fail(f"{value!r} is not a number or a comma-separated list of numbers", param, ctx)
        return items[0] if len(items) == 1 else items


def _apply(options: list[Callable], f: Callable, topic: str | None = None) -> Callable:
    """Decorate ``f`` with click options, listed in the order --help shows them; with a ``topic``
    (run, metric, what-if, figure), --help names them under it unless they are common (clihelp)."""
    for option in reversed(options):
        f = option(f)
    if topic is not None:
        for param in f.__click_params__[-len(options):]:
            TOPICS[param.name] = topic
    return f


def _scheduler_params() -> dict[str, Param]:
    """Every scheduler keyword that can be a flag, once (for the tests' fuzzing and the docs)."""
    from .registry import SCHEDULERS

    params: dict[str, Param] = {}
    for info in SCHEDULERS:
        for p in info.params:
            if not p.nested and p.name not in _RUN_NAMES:
                params.setdefault(p.name, p)
    return params


def __getattr__(name: str) -> Any:
    if name == "SCHEDULER_PARAMS":  # every family's keywords: loaded when asked for, not by every command
        return _scheduler_params()
    raise AttributeError(f"module 'lrplot.cli' has no attribute {name!r}")

# The commands that describe one schedule take SCHEDULER|CONFIG, then that scheduler's keywords as
# flags, which click hands over unparsed (see flags.py).
SCHEDULE_COMMAND = {"ignore_unknown_options": True, "allow_extra_args": True}
SCHEDULER_FLAGS_HELP = (
    "SCHEDULER is a scheduler name (`lrplot list`) with its keywords as flags (--step-size 10, "
    "--milestones 30,80; `lrplot list NAME` lists them); CONFIG is a YAML file, which flags override."
)


METRIC_MODELS = ("synthetic", "closed_loop", "exp_decay", "steps", "noisy")


def metric_options(f: Callable) -> Callable:
    options = [
        click.option("--metric", "metric_model", type=click.Choice(METRIC_MODELS), default=None,
                     help="Feed ReduceLROnPlateau a seeded synthetic metric (synthetic = closed_loop: it reacts to the lr)."),
        click.option("--metric-seed", type=INT, default=None, help="Seed of the synthetic metric's noise [default: 0]."),
        click.option("--metric-noise", type=click.FLOAT, default=None, help="Noise of the synthetic metric [default: 0.01]."),
        click.option("--metric-csv", default=None, help="Replay a CSV log (pandas, Keras, Lightning, TensorBoard export)."),
        click.option("--metric-column", default=None, help="The log's column to replay, like val_loss."),
        click.option("--metric-epoch-column", default=None, help="Take the last value per epoch of this column (Lightning logs)."),
    ]
    return _apply(options, f, "metric")


def _metric_section(kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """The `metric:` mapping the metric flags describe, or None when none is given."""
    model, csv = kwargs.get("metric_model"), kwargs.get("metric_csv")
    synthetic_extra = {k: kwargs.get(f"metric_{k}") for k in ("seed", "noise") if kwargs.get(f"metric_{k}") is not None}
    log_extra = {k: kwargs.get(f"metric_{k}") for k in ("column", "epoch_column") if kwargs.get(f"metric_{k}") is not None}
    if model and csv:
        raise UserError("--metric and --metric-csv: choose a synthetic metric or a log, not both")
    if csv:
        if synthetic_extra:
            raise UserError("--metric-seed and --metric-noise go with --metric, not --metric-csv")
        from .files import user_path

        # flags name paths from the current folder, whatever folder a config file is in
        return {"csv": str(user_path(csv, "--metric-csv").absolute()), **log_extra}
    if log_extra:
        raise UserError("--metric-column and --metric-epoch-column go with --metric-csv")
    if model or synthetic_extra:
        chosen = "closed_loop" if model in (None, "synthetic") else model
        return {"synthetic": {"model": chosen, **synthetic_extra}}
    return None


def run_options(f: Callable) -> Callable:
    options = [
        click.option("--epochs", type=INT, default=None, help="Epochs to simulate [default: 100]."),
        click.option("--iterations", type=INT, default=None, help="Or a length in optimizer steps (nanoGPT's max_iters)."),
        click.option("--steps-per-epoch", "steps_per_epoch", type=INT, default=None, help="Optimizer steps per epoch [default: 1]."),
        click.option(
            "--step",
            "step_mode",
            type=click.Choice(["epoch", "iteration", "fractional"]),
            default=None,
            help="When scheduler.step() is called [default: iteration for OneCycleLR/CyclicLR, else epoch].",
        ),
        click.option("--lr", type=_FloatOrList(), default=None, help="Initial lr [default: 0.1]; 0.01,0.1 makes two groups."),
        click.option("--momentum", type=click.FLOAT, default=None, help="SGD momentum of the fake optimizer."),
        click.option("--exact", is_flag=True, help="Follow torch's operation order step by step (bit-identical, slower)."),
        click.option("--dtype", type=click.Choice(["float64", "float32"]), default=None,
                     help="Precision the schedule is computed in: float32 as Keras and optax compute by default [default: float64]."),
    ]
    return _apply(options, plan_options(f), "run")


def plan_options(f: Callable) -> Callable:
    """The training plan (steps per epoch from the data), and which framework a config file is."""
    options = [
        click.option("--dataset-size", "dataset_size", type=INT, default=None, help="Training samples (with --batch-size: the steps per epoch)."),
        click.option("--batch-size", "batch_size", type=INT, default=None, help="Samples per batch, per device."),
        click.option("--devices", type=INT, default=None, help="Data-parallel processes (GPUs) [default: 1]."),
        click.option("--grad-accum", "grad_accum", type=INT, default=None, help="Batches per optimizer step [default: 1]."),
        click.option("--drop-last/--no-drop-last", "drop_last", default=None, help="The data loader drops a last partial batch."),
        click.option("--framework", default=None, metavar="NAME", help="Read CONFIG as this framework's own file (when lrplot cannot tell)."),
    ]
    return _apply(options, f, "run")


def resume_at_option(f: Callable) -> Callable:
    return _apply([click.option(
        "--resume-at", "resume_at", type=INT, default=None, metavar="E",
        help="Resume after scheduler step E (over run.resume).",
    )], f, "what-if")


class _LazyChoice(click.Choice):
    """A click.Choice whose choices are read when first needed (parsing the option, or --help), so
    the records they come from do not load with every command."""

    def __init__(self, load: Callable[[], Any]):
        self._load = load
        self.case_sensitive = True

    @property
    def choices(self) -> Any:
        return tuple(self._load())

    @choices.setter
    def choices(self, value: Any) -> None:
        pass


class _LazyHelpOption(click.Option):
    """A click option whose help text is made when --help shows it."""

    def __init__(self, *args: Any, make_help: Callable[[], str], **kwargs: Any):
        self._make_help = make_help
        super().__init__(*args, **kwargs)

    @property
    def help(self) -> str:
        return self._make_help()

    @help.setter
    def help(self, value: Any) -> None:
        pass


def _method_names() -> tuple[str, ...]:
    from .whatif import METHOD_NAMES

    return METHOD_NAMES


def resume_method_option(f: Callable) -> Callable:
    return _apply([click.option(
        "--resume-method", "resume_method", type=_LazyChoice(_method_names), default=None, metavar="METHOD", cls=_LazyHelpOption,
        make_help=lambda: f"How the script resumes: {', '.join(_method_names())} [default: plot draws every way; export needs one].",
    )], f, "what-if")


def _what_if_help() -> str:
    from .whatif import MISTAKE_NAMES

    return f"Stepping mistakes to draw: {', '.join(MISTAKE_NAMES)}, or all (those that apply)."


def what_if_option(f: Callable) -> Callable:
    return _apply([click.option(
        "--what-if", "what_if", default=None, metavar="MISTAKES", cls=_LazyHelpOption, make_help=_what_if_help,
    )], f, "what-if")


def _resume_request(trace, kwargs: dict[str, Any], command: str) -> tuple[int, tuple[str, ...]] | None:
    """Where the run resumes and by which methods: the flags, else the config's run.resume."""
    at, method = kwargs.pop("resume_at", None), kwargs.pop("resume_method", None)
    if at is None and method is None and trace.spec.run.resume is None:
        return None  # no resume: the what-if machinery stays unloaded
    from .engine.whatif import resume_request

    return resume_request(trace, at, method, command)


def metric_all_option(f: Callable) -> Callable:
    return _apply([click.option(
        "--metric-all", is_flag=True,
        help="Feed the synthetic metric to every schedule, not only ReduceLROnPlateau, to show the metric each would produce.",
    )], f, "metric")


def schedule_options(f: Callable) -> Callable:
    """Everything that describes one schedule from flags besides its keywords: the run, the metric."""
    return run_options(metric_options(f))


# ----------------------------------------------------------------------------------------------
# From arguments to a Spec


def _framework_target(target: str, keys: dict | None = None) -> dict | None:
    from .sources import framework_target

    return framework_target(target, keys)


def _looks_like_file(target: str) -> bool:
    if _framework_target(target) is not None:
        return False
    if target.endswith((".yaml", ".yml")) or os.sep in target:
        return True
    try:  # a FIFO or a device is a file too (`lrplot plot <(...)`); a folder is not
        return Path(target).exists() and not Path(target).is_dir()
    except (OSError, ValueError):  # a name too long for a file (or with a NUL) is a scheduler name
        return False


PLAN_FLAGS = ("dataset_size", "batch_size", "devices", "grad_accum", "drop_last")


def build_spec(target: str, kwargs: dict[str, Any], extra: dict[str, Any] | None = None, name: str | None = None, flags: list[str] | None = None):
    """A validated Spec from ``SCHEDULER|CONFIG``, its keyword ``flags`` and the run flags (flags override a file).

    CONFIG is lrplot's YAML or a framework's own file (sources.py); the run flags, the plan's among
    them, go to the config's ``run:``, which a framework section maps onto its own keys.
    """
    from .config import from_mapping
    from .registry import lookup
    from .sources import read_config

    given_run = (("epochs", kwargs.get("epochs")), ("iterations", kwargs.get("iterations")), ("steps_per_epoch", kwargs.get("steps_per_epoch")),
                 ("step", kwargs.get("step_mode")), ("dtype", kwargs.get("dtype")), *((k, kwargs.get(k)) for k in PLAN_FLAGS))
    run = {k: v for k, v in given_run if v is not None}
    optimizer = {k: kwargs[k] for k in ("lr", "momentum") if kwargs.get(k) is not None}
    default_name = origin = None
    framework = kwargs.get("framework")
    made = _framework_target(target)
    if made is not None:  # a target in a framework's own words (train.py:get_lr)
        from .registry import lookup

        keys = {**dict(extra or {}), **(parse_flags(flags, lookup(made["scheduler"]["type"])) if flags else {})}
        data = {**_framework_target(target, keys), **({"name": name} if name else {})}
        for section, values in (("run", run), ("optimizer", optimizer)):
            if values:
                current = dict(data.get(section) or {})
                if section == "run" and ("epochs" in values or "iterations" in values):
                    current.pop("epochs", None), current.pop("iterations", None)
                data[section] = {**current, **values}
        data["scheduler"] = {**data["scheduler"], **keys}
        try:
            return from_mapping(data)
        except LrplotError as exc:
            # the scheduler's keys are flags here (--call, --set), the call guessed from the parameters too
            raise UserError(_as_flag(str(exc), set(run) | set(optimizer) | set(keys) | {"call"})) from None
    is_file = _looks_like_file(target)
    if framework is not None and not is_file:
        raise UserError(f"--framework says which framework a config file belongs to; {target!r} is not a file")
    if is_file:
        path = Path(target)
        origin = read_config(path, framework)
        data = origin.data
        if not isinstance(data, dict):
            raise UserError(f"{target}: a config must be a mapping with a `scheduler:` key")
        data = dict(data)
        from .files import name_of

        default_name = name_of(path)
        sched = data.get("scheduler")
        kind = sched if isinstance(sched, str) else sched.get("type") if isinstance(sched, dict) else None
        sets, rest = _section_sets(flags or [])
        if sets and _sections(data):  # a framework section's keys (a scheduler's own --set, user code's, stays its flag)
            data, origin = _set_section_keys(target, data, origin, sets)
            flags = rest
        if flags:  # a framework's own command-line flags (torchtitan's --lr_scheduler.warmup_steps 100)
            data, origin, flags = _section_flags(data, origin, flags)
        if flags and origin.framework is not None:
            raise UserError(f"{target} is read as {origin.framework}'s own file, which builds the scheduler; scheduler flags "
                            f"({' '.join(flags)}) do not apply: change the file, set its keys with --set KEY=VALUE, or use the run options")
    else:
        data, sched, kind = {}, None, target
    given = dict(extra or {})
    if flags:
        info = lookup(kind) if isinstance(kind, str) else None
        if info is None:
            data.setdefault("scheduler", {"type": kind})  # the config reports the unknown name
            from .config import from_mapping as check

            check(data)
        given.update(parse_flags(flags, info))
    if is_file:
        if given:
            data["scheduler"] = {**(sched if isinstance(sched, dict) else {"type": sched}), **given}
    else:
        data = {"scheduler": {"type": target, **given}}
    if name is not None:
        data["name"] = name
    metric = _metric_section(kwargs)
    if metric is not None:
        data["metric"] = metric
    for section, values in (("run", run), ("optimizer", optimizer)):
        if values:
            current = data.get(section) or {}
            current = dict(current) if isinstance(current, dict) else {}
            # --epochs and --iterations each replace the other way of counting the file's run
            for given_key, other in (("epochs", "iterations"), ("iterations", "epochs")):
                if section == "run" and given_key in values and given_key not in current:
                    current.pop(other, None)
            data[section] = {**current, **values}
    try:
        return from_mapping(data, default_name=default_name, base_dir=Path(target).parent if is_file else None, origin=origin)
    except LrplotError as exc:
        # Without a file, every run key can only have come from (or be given by) a flag.
        implied = set() if is_file else {k for k, _ in given_run}
        message = _as_flag(str(exc), set(given) | set(run) | set(optimizer) | implied)
        if origin is not None and origin.framework is not None and message == str(exc) and not message.startswith(f"{target}:"):
            message = f"{target}: {message}"  # the section path is lrplot's reading of the framework's file: name the file
        raise UserError(message) from None


def _section_flags(data: dict[str, Any], origin: Any, flags: list[str]) -> tuple[dict[str, Any], Any, list[str]]:
    """Flags a framework takes on its own command line (torchtitan's ``--lr_scheduler.warmup_steps 100``), given to
    the config's section of that framework (its module's ``own_flags``); the data, the origin saying so, and the
    flags left (none, when a section took them)."""
    from dataclasses import replace

    from .registry import section_family

    for key in data:
        family_ = section_family(key)
        reader = family_.part(family_.section_module) if family_ is not None else None
        if reader is not None and hasattr(reader, "own_flags"):
            section, lines = reader.own_flags(flags, data[key], key)
            return {**data, key: section}, replace(origin, lines=origin.lines + tuple(lines)), []
    return data, origin, flags


def _section_sets(flags: list[str]) -> tuple[list[str], list[str]]:
    """The ``--set KEY=VALUE[,KEY=VALUE]`` values among a config file's flags, and the other flags."""
    sets, rest, i = [], [], 0
    while i < len(flags):
        token = flags[i]
        if token == "--set" and i + 1 < len(flags):
            sets.append(flags[i + 1])
            i += 2
            continue
        if token.startswith("--set="):
            sets.append(token[len("--set="):])
        else:
            rest.append(token)
        i += 1
    return sets, rest


def _sections(data: dict) -> list[str]:
    """The framework sections of a config mapping (``yolo``, ``transformers``, ...)."""
    from .registry import section_family

    return [k for k in data if isinstance(k, str) and isinstance(data[k], dict) and section_family(k) is not None]


def _set_section_keys(target: str, data: dict, origin: Any, sets: list[str]) -> tuple[dict, Any]:
    """``--set KEY=VALUE`` over a config's framework section (``yolo.nc``; ``SECTION.KEY`` where there are
    several): the keys a framework's own file lacks, given on the command line. Values are read as YAML."""
    from dataclasses import replace as replaced

    from .values import yaml_load

    sections = _sections(data)
    lines = []
    for text in sets:
        for item in (part.strip() for part in text.split(",")):
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not key:
                raise UserError(f"--set: give KEY=VALUE (a key of the config's framework section, like --set nc=2), got {item!r}")
            section, dot, name = key.partition(".")
            if not dot:
                if len(sections) != 1:
                    raise UserError(f"--set {item}: {target} has the sections {', '.join(sections)}: name one, --set SECTION.{key}=...")
                section, name = sections[0], key
            elif section not in sections:
                raise UserError(f"--set {item}: {target} has no {section}: section" + (f" (it has {', '.join(sections)})" if sections else ""))
            try:
                parsed = yaml_load(value) if value.strip() else None
            except Exception as exc:  # YAML's own error, in its words
                raise UserError(f"--set {item}: the value is not YAML: {exc}") from None
            data = {**data, section: {**data[section], name: parsed}}
            lines.append(f"{section}.{name} = {parsed!r} (from --set)")
    if origin is not None:
        origin = replaced(origin, lines=origin.lines + tuple(lines))
    return data, origin


def _as_flag(message: str, flags: set[str]) -> str:
    """Name the flag the user typed rather than the YAML path it became."""
    m = re.match(r"(scheduler|run|optimizer)\.(\w+)(.*?): (.*)", message, re.S)
    if m and m.group(2) in flags:
        return f"{flag_name(m.group(2))}{m.group(3)}: {m.group(4)}"
    return message


def _simulate(target: str, kwargs: dict[str, Any], flags: list[str]):
    from .engine import simulate

    return simulate(build_spec(target, kwargs, flags=flags), exact=kwargs["exact"])


# ----------------------------------------------------------------------------------------------
# Commands


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=lambda ctx, param, value: _version(ctx, value),
              help="Show the version and exit.")  # click.version_option looks up translations at every start-up
def cli() -> None:
    """See a learning-rate schedule before you train.

    lrplot computes, exactly and without those libraries, the lr a run trains with under PyTorch's
    schedulers and {frameworks}, from a YAML config, the framework's own config file or flags: it
    draws and compares schedules, writes the numbers, explains them in words, checks configs for
    the mistakes that make a schedule silently wrong, and checks a logged run against its plan.

    \b
    Examples:
      lrplot plot step --step-size 10 --gamma 0.5
      lrplot plot configs/warmup-cosine.yaml --resume-at 50
      lrplot compare step:step_size=30 cosine --epochs 100
      lrplot export cosine --T-max 100 --epochs 100 --format csv
      lrplot explain configs/run-glue-mrpc-linear-warmup.yaml
      lrplot check configs/
      lrplot verify plan.yaml lightning_logs/version_0/metrics.csv
      lrplot list transformers
      lrplot help plot        every option (--help shows the common ones)
    """


def _version(ctx: click.Context, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("lrplot")
    except PackageNotFoundError:
        from . import __version__ as number
    click.echo(f"{ctx.find_root().info_name}, version {number}")
    ctx.exit()


def _frameworks() -> str:
    from .registry import FAMILIES

    # the libraries by name; a family that is no library (the user's own schedule function) by what it is
    names = [f.name for f in FAMILIES if f.name != "torch" and f.target is None]
    libraries = "those of " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]) if names else "nothing else"
    return libraries + (" (and the schedule function in your own train.py)" if any(f.target is not None for f in FAMILIES) else "")


def _size(ctx, param, value):
    if value is None:
        return None
    number = r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    m = re.fullmatch(rf"\s*{number}\s*[xX]\s*{number}\s*", value)
    if not m:
        raise click.BadParameter("must be WIDTHxHEIGHT in inches, like 7x4")
    return float(m.group(1)), float(m.group(2))


def _figure_option_list(output_help: str) -> dict[str, Callable]:
    """The figure options by name, in the order --help lists them (a command that draws one kind
    of figure takes the ones that apply to it)."""
    return {
        "output": click.option("-o", "--output", default=None, metavar="FILE", help=output_help),
        "title": click.option("--title", default=None, help="Figure title."),
        "log": click.option("--log", "log_scale", is_flag=True, help="Log lr axis (a zero lr is marked at the bottom)."),
        "xlim": click.option("--xlim", default=None, metavar="A:B", help="Zoom to x from A to B in the figure's unit (epochs or iterations), like 0:2000 or :5."),
        "size": click.option("--size", callback=_size, default=None, metavar="WxH", help="Size in inches, like 3.5x2.6 or 7x4."),
        "dpi": click.option("--dpi", type=click.INT, default=150, show_default=True, help="Resolution of PNG output."),
        "style": click.option("--style", default=None, help="A matplotlib style name (like ggplot or seaborn-v0_8-paper)."),
        "dark": click.option("--dark", is_flag=True, help="Dark background, for slides and dark-mode docs."),
        "show": click.option("--show", is_flag=True, help="Also open the figure in a window, where there is a display."),
        "term": click.option("--term", is_flag=True, help="Draw in the terminal (braille; COLUMNS x LINES)."),
        "watch": click.option("--watch", is_flag=True, help="Draw again whenever a config file changes, until Ctrl-C."),
    }


def figure_options(f: Callable) -> Callable:
    options = _figure_option_list("A .png, .svg, .pdf, or .html (an interactive page) [default: NAME.png].")
    return _apply(list(options.values()), f, "figure")


def look_options(output_help: str) -> Callable[[Callable], Callable]:
    """The options of a figure's look, as plot's (size, dpi, style, dark, log, title), and its
    output file and --show: for a command whose figure has no zoom, terminal drawing or watch."""
    options = _figure_option_list(output_help)
    return lambda f: _apply([options[name] for name in ("output", "title", "log", "size", "dpi", "style", "dark", "show")], f, "figure")


def _look(kwargs: dict[str, Any]):
    from .render import Look

    return Look(
        size=kwargs.pop("size"), dpi=kwargs.pop("dpi"), style=kwargs.pop("style"), dark=kwargs.pop("dark"),
        log=kwargs.pop("log_scale"), title=kwargs.pop("title"),
    )


def _figure_plan(kwargs: dict[str, Any], output: str | None, show: bool, x: str | None = None, normalize: bool = False):
    """(look, view, term, watch) from the figure options; the figure options a terminal cannot honour are refused."""
    from .chart import View, parse_xlim

    term, watch = kwargs.pop("term"), kwargs.pop("watch")
    view = View(x=x, xlim=parse_xlim(kwargs.pop("xlim")), normalize=normalize)
    if term:
        given = [name for name, value in (("-o", output), ("--show", show), ("--size", kwargs["size"]), ("--style", kwargs["style"]), ("--dark", kwargs["dark"])) if value]
        if given:
            raise UserError(f"--term draws in the terminal: leave out {', '.join(given)}")
        look = None
        kwargs.update(log=kwargs.pop("log_scale"))
        for key in ("size", "dpi", "style", "dark"):
            kwargs.pop(key)
    else:
        look = _look(kwargs)
        look.check()
    return look, view, term, watch


def _term_color() -> bool:
    """ANSI colours only for a terminal that has them: https://no-color.org, and TERM=dumb has none."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _save_figure(drawing, output: str | None, default_name: str, show: bool) -> None:
    """Draw the library's Drawing and write it (atomically for a file), then print the path.

    Commands that simulate first check the path themselves before they start (figure_format).
    """
    path = drawing.save(output or _default_figure_name(default_name))
    click.echo(path)
    if show:
        _show(path)


def _draw(draw: Callable[[], None], watch: bool, files: list[str], term: bool) -> None:
    """Draw once, or (``--watch``) again each time one of ``files`` changes."""
    if not watch:
        draw()
        return
    if not files:
        raise UserError("--watch follows config files: give a CONFIG (a YAML file), not only scheduler names")
    from .watch import watch_files

    def again() -> None:
        if term and sys.stdout.isatty():
            click.echo("\x1b[H\x1b[2J", nl=False)  # a terminal figure replaces the last one
        try:
            draw()
        except (LrplotError, click.ClickException) as exc:  # mid-edit: say what is wrong and wait for the fix
            message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
            click.echo(f"Error: {message}", err=True)
        click.echo(f"(watching {', '.join(files)}; Ctrl-C to stop)", err=True)

    watch_files(files, again)


def _show(path: str) -> None:
    # A saved file opened by the desktop's viewer: no GUI backend, and nothing happens on a server.
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or sys.platform in ("darwin", "win32")):
        click.echo("(no display: --show skipped)", err=True)
        return
    click.launch(path)


@cli.command(cls=TopicCommand, context_settings=SCHEDULE_COMMAND, epilog=SCHEDULER_FLAGS_HELP, short_help="Draw one schedule, with what-ifs over it.")
@click.argument("target", metavar="SCHEDULER|CONFIG [SCHEDULER FLAGS]")
@schedule_options
@resume_at_option
@resume_method_option
@what_if_option
@figure_options
@click.pass_context
def plot(ctx: click.Context, target: str, output: str | None, show: bool, **kwargs: Any) -> None:
    """Draw one schedule: lr (and a changing momentum) against epoch or iteration, events marked;
    with --resume-at or --what-if (or run.resume), what a resumed run or a stepping mistake trains
    with, over the plan.
    """
    look, view, term, watch = _figure_plan(kwargs, output, show)
    flags = list(ctx.args)
    if output:  # before a simulation that may take a while
        from .output import PAGE_FORMATS, figure_format

        figure_format(output, PAGE_FORMATS)
    elif not term:  # <name>.png, in the current folder
        from .output import check_folder

        check_folder(Path("."), "--output")

    what_if = {k: kwargs.pop(k) for k in ("resume_at", "resume_method", "what_if")}

    def draw() -> None:
        trace = _simulate(target, kwargs, flags)
        outcomes = _what_ifs(trace, dict(what_if), kwargs["exact"])
        if term:
            if outcomes:
                raise UserError("--term draws the planned curve only: leave it out to see resumes and stepping mistakes")
            from .term import plot_text

            click.echo(plot_text(trace, view, log=kwargs["log"], title=kwargs["title"], color=_term_color()), nl=False, color=_term_color())
            return
        from .drawing import plotted

        _save_figure(plotted(trace, look, view, outcomes), output, trace.name, show)

    _draw(draw, watch, _watched(target) if watch else [], term)  # the files only matter to --watch (they cost a second read)


def _watched(target: str) -> list[str]:
    """The files --watch follows: the config and every file it reads (Spec.files)."""
    if not (_looks_like_file(target) or _framework_target(target) is not None):
        return []
    try:
        return list(build_spec(target, {}).files) or [target]
    except (LrplotError, click.ClickException):
        return [target.rpartition(":")[0]] if _framework_target(target) is not None else [target]


def _what_ifs(trace, flags: dict[str, Any], exact: bool) -> list:
    """The what-ifs plot draws: the resume the flags (or the config) ask for, and the mistakes."""
    if all(flags.get(k) is None for k in ("resume_at", "resume_method", "what_if")) and trace.spec.run.resume is None:
        return []  # nothing to overlay: the what-if machinery stays unloaded
    from .engine.whatif import overlays

    return overlays(trace, flags["resume_at"], flags["resume_method"], flags["what_if"], exact)


@cli.command(cls=TopicCommand, short_help="Several schedules (or logged runs) in one figure.")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC [SPEC ...]")
@click.option("--layout", type=click.Choice(["overlay", "grid"]), default="overlay", help="One axes, or small multiples [overlay].")
@click.option("--x", "x_mode", type=click.Choice(["epoch", "iteration", "progress"]), default=None, metavar="UNIT", help="epoch, iteration or progress (0 to 1) [runs' unit].")
@click.option("--normalize", is_flag=True, help="Each line divided by its peak: shapes compare.")
@click.option("--sweep", default=None, metavar="KEY=V1,V2", help="A line per value of a keyword (one SPEC).")
@run_options
@metric_options
@metric_all_option
@figure_options
def compare(specs: tuple[str, ...], layout: str, x_mode: str | None, normalize: bool, sweep: str | None, metric_all: bool, output: str | None, show: bool, **kwargs: Any) -> None:
    """Several schedules in one figure.

    A SPEC is a config file, an inline `alias:key=value,...` (run options apply to these) or a
    logged run, named by what it is unless labelled: `LABEL=SPEC`.

    \b
      lrplot compare step:step_size=30 cosine multistep:milestones=[30,80]
      lrplot compare base=run.yaml cosine:T_max=50 --x progress --normalize
      lrplot compare cosine --sweep T_max=25,50,100 --epochs 100
    """
    from .inline import check_count, check_total, expand_sweep, parse_inline, run_key_words, split_label, split_run_keys
    from .engine import simulate
    from .explain import summary
    from .output import PAGE_FORMATS, figure_format

    look, view, term, watch = _figure_plan(kwargs, output, show, x_mode, normalize)
    run_flags = {k: kwargs[k] for k in ("epochs", "iterations", "steps_per_epoch", "step_mode", "dtype", "lr", "momentum", *PLAN_FLAGS)}
    # A config file keeps its own run, but the plan (which a framework's file rarely holds) and
    # --framework apply to it too.
    file_flags = {k: kwargs[k] for k in (*PLAN_FLAGS, "framework")}
    metric_flags = {k: v for k, v in kwargs.items() if k.startswith("metric_")}
    if metric_all and not (kwargs.get("metric_model") or kwargs.get("metric_seed") is not None or kwargs.get("metric_noise") is not None):
        raise UserError("--metric-all feeds the synthetic metric to every schedule: add --metric synthetic")
    # (spec text, label or None, extra keys): a sweep labels each line by its value
    items = expand_sweep(specs, sweep) if sweep else [(*split_label(text), {}) for text in specs]
    check_count(len(items))
    if not term:
        figure_format(output or _default_figure_name("compare"), PAGE_FORMATS)  # before any simulation
    files = list(dict.fromkeys(text for text, _, _ in items if _looks_like_file(text)))

    from .runlog import as_trace, looks_like_runlog, read_runlog

    def draw() -> None:
        from .config import Spec

        built, labels = [], []  # a Spec to simulate, or a logged run's Trace, in the order given
        for text, label, extra in items:
            if looks_like_runlog(text):
                # A logged run (a CSV, trainer_state.json, TensorBoard run, JSON lines): its lr as logged.
                log = read_runlog(text)
                built.append(as_trace(log, label or log.label))
                labels.append(label or log.label)
                continue
            if _looks_like_file(text):
                spec = build_spec(text, file_flags, extra, name=label)
                shown = spec.name
            elif _framework_target(text) is not None:
                spec = build_spec(text, run_flags, extra, name=label)
                shown = spec.name
            else:
                kind, keys = parse_inline(text)
                from .registry import lookup

                info = lookup(kind)
                # The same metric for every plateau spec (and, with --metric-all, for every spec).
                wants_metric = metric_all or (info is not None and info.steps_on_metric)
                keys, own = split_run_keys(keys)  # `cosine:lr=5e-5,epochs=3`: the run's and optimizer's keys
                spec = build_spec(kind, {**run_flags, **own, **(metric_flags if wants_metric else {})}, {**keys, **extra}, name=label)
                written = run_key_words(text)
                shown = label or (f"{summary(spec)} ({written})" if written else summary(spec))
            built.append(spec)
            labels.append(shown)
        check_total([b for b in built if isinstance(b, Spec)])  # every schedule is known before any is simulated
        traces = [simulate(b, exact=kwargs["exact"]) if isinstance(b, Spec) else b for b in built]
        if term:
            from .term import compare_text

            text = compare_text(traces, labels, view, log=kwargs["log"], title=kwargs["title"], layout=layout, color=_term_color())
            click.echo(text, nl=False, color=_term_color())
            return
        from .drawing import comparison

        _save_figure(comparison(traces, labels, look, view, layout), output, "compare", show)

    _draw(draw, watch, files, term)


@cli.command(cls=TopicCommand, context_settings=SCHEDULE_COMMAND, epilog=SCHEDULER_FLAGS_HELP, short_help="The schedule in words: phases, extremes, pitfalls.")
@click.argument("target", metavar="SCHEDULER|CONFIG [SCHEDULER FLAGS]")
@schedule_options
@resume_at_option
@click.pass_context
def explain(ctx: click.Context, target: str, resume_at: int | None, **kwargs: Any) -> None:
    """The schedule in plain words: the run, phases, extremes, the last lr, pitfalls (what `lrplot
    check` finds), and what each way of resuming from a checkpoint does."""
    from .explain import explain as explain_trace
    from .config import check_resume_at

    trace = _simulate(target, kwargs, ctx.args)
    if resume_at is not None:
        resume_at = check_resume_at(trace.spec.run, resume_at, "--resume-at")
    click.echo(explain_trace(trace, resume_at), nl=False)


@cli.command(cls=TopicCommand, context_settings=SCHEDULE_COMMAND, epilog=SCHEDULER_FLAGS_HELP, short_help="The code that builds the schedule with its own library.")
@click.argument("target", metavar="SCHEDULER|CONFIG [SCHEDULER FLAGS]")
@schedule_options
@click.pass_context
def code(ctx: click.Context, target: str, **kwargs: Any) -> None:
    """The code that builds this schedule with its own library and steps it as the config says."""
    from .code import library_code

    click.echo(library_code(build_spec(target, kwargs, flags=ctx.args)), nl=False)


def _default_figure_name(name: str) -> str:
    return (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "schedule") + ".png"


@cli.command(cls=TopicCommand, context_settings=SCHEDULE_COMMAND, epilog=SCHEDULER_FLAGS_HELP, short_help="The numbers, one row per optimizer step (CSV or JSON).")
@click.argument("target", metavar="SCHEDULER|CONFIG [SCHEDULER FLAGS]")
@schedule_options
@resume_at_option
@resume_method_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "tensorboard"]), default=None, metavar="FORMAT",
              help="json, csv, or tensorboard (a run in the folder -o names) [default: from -o's extension, else json].")
@click.option("-o", "--output", default="-", show_default=True, help="File to write, or - for stdout.")
@click.pass_context
def export(ctx: click.Context, target: str, fmt: str | None, output: str, **kwargs: Any) -> None:
    """Write the numbers: one row (CSV) or entry (JSON) per optimizer step.

    A resumed run (--resume-at E --resume-method M, or the config's run.resume) is written as it
    trains: the planned steps before the checkpoint, then what the resumed run trains with.
    --format tensorboard -o DIR writes the plan as a TensorBoard run (pip install
    tensorboard), under the tags and step numbers the framework's loop logs with.
    """
    from .output import csv_chunks, destination, json_chunks, write

    if fmt is None:
        ext = Path(output).suffix.lower().lstrip(".")
        fmt = ext if ext in ("json", "csv") else "json"
    if fmt == "tensorboard":
        from .dashboards import run_folder

        dest = run_folder(output)
    else:
        dest = destination(output)
    trace = _simulate(target, kwargs, ctx.args)
    method_flag = kwargs.get("resume_method") is not None
    resume = _resume_request(trace, kwargs, "export")
    if resume is not None:
        from .engine.whatif import resumed_trace

        (method,) = resume[1]
        trace = resumed_trace(trace, resume[0], method, "--resume-method" if method_flag else "run.resume.method")
    if fmt == "tensorboard":
        from .dashboards import write_tensorboard

        click.echo(write_tensorboard(trace, dest))
        return
    write(dest, csv_chunks(trace) if fmt == "csv" else json_chunks(trace))


@cli.command(short_help="Find the mistakes that make a schedule silently wrong.")
@click.argument("paths", nargs=-1, metavar="CONFIG|FOLDER...")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (errors always do).")
@click.option("--ignore", default=None, metavar="CODE[,CODE...]", help="Skip these rules (a code, or a prefix like PT2).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="`path: CODE message` lines, or JSON for tools.")
@click.option("--list", "list_rules", is_flag=True, help="List every rule: code, name, severity, what it finds.")
@plan_options
def check(paths: tuple[str, ...], strict: bool, ignore: str | None, fmt: str, list_rules: bool, framework: str | None, **plan: Any) -> None:
    """Check schedule configs for the mistakes that make a schedule silently wrong.

    Each finding is a `path: CODE message` line; the codes are stable (`lrplot check --list`).
    Exit code: 0 clean (or only warnings), 1 an error (with --strict, any finding), 2 a config
    lrplot cannot read. Folders are searched for .yaml/.yml files. The plan options complete a
    framework's own file that lacks them (an OpenMMLab config: --dataset-size, --devices).

    \b
      lrplot check configs/
      lrplot check --strict --ignore PT203 schedule.yaml
      lrplot check faster_rcnn_1x.py --dataset-size 117266 --devices 8
    """
    from .check import as_json, as_text, check_paths, rules_table

    if list_rules:
        click.echo(rules_table(), nl=False)
        return
    if not paths:
        raise UserError("name the configs to check (files or folders), or --list for the rules")
    run = {k: v for k, v in plan.items() if v is not None}
    report = check_paths(paths, [c.strip() for c in ignore.split(",") if c.strip()] if ignore else (), run, framework)
    click.echo(as_json(report) if fmt == "json" else as_text(report), nl=False)
    sys.exit(report.exit_code(strict))


@cli.command(name="list", short_help="Schedulers, frameworks and their keywords.")
@click.argument("what", required=False, metavar="[NAME|FRAMEWORK]")
def list_(what: str | None) -> None:
    """Schedulers with their keywords and defaults: torch's and the frameworks', one framework, or one scheduler.

    \b
      lrplot list               torch's classes, the frameworks, run, vars, metric
      lrplot list transformers  a framework's schedules and its section's keys
      lrplot list cosine        one scheduler, every keyword (and its flag)
    """
    from .registry import FAMILIES, family, lookup

    if what is not None:
        families = {f.name: f for f in FAMILIES}
        if what.lower() in families:
            chosen = family(what.lower())
            _heading(chosen.name, chosen.title)
            click.echo()
            for info in chosen.schedulers:
                _echo_scheduler(info)
            if chosen.section is not None:
                _heading(f"{chosen.section}:", "a config section in the framework's own words, which lrplot turns into the schedule it means")
                _table([(key, _word(default), doc) for key, default, doc in chosen.part(chosen.section_module).keys()])
            return
        info = lookup(what)
        if info is None:
            from .registry import all_names
            from .values import suggest

            raise UserError(f"unknown scheduler or framework {what!r}{suggest(what, all_names() + list(families))} (see `lrplot list`)")
        _echo_scheduler(info, flags=True)
        return
    torch, *others = FAMILIES
    for info in torch.schedulers:
        _echo_scheduler(info)
    for other in others:
        names = ", ".join(i.name.split(".", 1)[1] for i in other.schedulers)
        _heading(other.name, other.title)
        _table([(f"{names}  (lrplot list {other.name})",)])
        click.echo()
    from .config import RUN_KEYS_DOC, RUN_NAMES

    _heading("run", "how long the run is and when the scheduler steps (flags: --epochs, --iterations, --steps-per-epoch, --step)")
    _table([(key, kind, _word(default), doc) for key, kind, default, doc in RUN_KEYS_DOC])
    click.echo()
    _heading("vars", "named numbers for expressions: a number, or an expression of other vars and the run's names")
    _table([(f"expressions (lr_lambda in epoch, also spelled step; scale_fn in x) see {', '.join(RUN_NAMES)} and the vars",)])
    click.echo()
    from .metric import SYNTHETIC_PARAMS

    _heading("metric", "what ReduceLROnPlateau is fed, one value per scheduler step")
    rows = [
        ("values", "list of numbers", "-", "explicit values"),
        ("csv", "path", "-", "replay a log (--metric-csv); with column, epoch_column (--metric-column)"),
        ("synthetic", "true or a mapping", "-", "a seeded simulated metric (--metric synthetic), with the keys:"),
    ]
    rows += [(f"  {p.name}", "", "-" if p.default is None else _word(str(p.default)), p.doc) for p in SYNTHETIC_PARAMS]
    _table(rows)


LIST_WIDTH = 100  # `lrplot list` fits this many columns (or the terminal, when narrower)


def _width() -> int:
    import shutil

    return min(LIST_WIDTH, shutil.get_terminal_size((LIST_WIDTH, 24)).columns)


def _heading(name: str, words: str) -> None:
    """A bold name and its words, wrapped under it."""
    import textwrap

    lines = textwrap.wrap(f"{name}  {words}", _width(), subsequent_indent="    ", break_on_hyphens=False)
    click.echo(click.style(name, bold=True) + lines[0][len(name):])
    for line in lines[1:]:
        click.echo(line)


def _word(value: str) -> str:
    """A default as a config writes it: booleans one way (true, false), like YAML."""
    return value.lower() if value in ("True", "False") else value


def _table(rows: list[tuple[str, ...]], indent: int = 4) -> None:
    """Rows of cells in columns as wide as their widest cell, the last column wrapped in what is
    left, every line within the width."""
    import textwrap

    width = _width()
    columns = max(len(r) for r in rows)
    # the first column (a name) is never cut; the others take at most a third of the width
    widths = [min(max(len(r[i]) for r in rows if len(r) > i + 1), width // (2 if i == 0 else 3)) for i in range(columns - 1)]
    last = width - indent - sum(w + 2 for w in widths)
    below = last < 30  # too narrow for words: the last column goes under its row, indented
    for row in rows:
        cells = [textwrap.wrap(cell, w, break_on_hyphens=False) or [""] for cell, w in zip(row[:-1], widths)]
        if below and len(row) == columns:
            cells.append([""])
            for k in range(max(len(c) for c in cells)):
                parts = [(c[k] if k < len(c) else "").ljust(w) for c, w in zip(cells[:-1], widths)]
                click.echo((" " * indent + "  ".join(parts)).rstrip())
            for line in textwrap.wrap(row[-1], width - indent - 4, break_on_hyphens=False):
                click.echo(" " * (indent + 4) + line)
            continue
        cells.append(textwrap.wrap(row[-1], last if len(row) == columns else width - indent, break_on_hyphens=False) or [""])
        for k in range(max(len(c) for c in cells)):
            parts = [(c[k] if k < len(c) else "").ljust(w) for c, w in zip(cells[:-1], widths)]
            text = cells[-1][k] if k < len(cells[-1]) else ""
            click.echo((" " * indent + "  ".join([*parts, text])).rstrip())


def _echo_scheduler(info, flags: bool = False) -> None:
    from .registry import FROM_RUN, REQUIRED

    aliases = f"  ({', '.join(info.aliases)})" if info.aliases else ""
    _heading(info.name, f"{aliases.strip()}  {info.description}".strip())
    if info.default_step != "epoch":
        click.echo(f"    steps per {info.default_step} by default")
    rows = []
    for p in info.params:
        if p.default is REQUIRED:
            default = "required"
        elif p.default is FROM_RUN:
            default = "from run"
        elif p.default is None:
            default = "-"
        elif isinstance(p.default, bool):
            default = str(p.default).lower()
        elif isinstance(p.default, float):
            default = f"{p.default:g}"
        else:
            default = str(p.default)
        name = p.name
        if flags and not p.nested:
            name = f"{flag_name(p.name)}{'/--no-' + p.name.replace('_', '-') if p.kind == 'bool' else ''}"
        rows.append((name, _kind(p), default, p.doc))
    if rows:
        _table(rows)
    click.echo()


_KINDS = {
    "per_group": "float or list",
    "per_group_expr": "expr or list",
    "int_list": "list of int",
    "numbers": "number or list",
    "schedulers": "list of schedulers",
    "scheduler": "a scheduler",
    "step_map": "{step: number, ...}",
    "raw": "text",
}


def _kind(p: Param) -> str:
    if p.choices:
        return ("list of " if p.kind == "choice_list" else "") + " | ".join(p.choices)
    kind = _KINDS.get(p.kind, p.kind)
    if p.variable:
        kind += f" in {p.variable}" if p.kind == "expr" else ""
    if p.bound is not None:
        kind += ", " + p.bound.describe().replace("must be ", "")
    return kind


@cli.command(short_help="Render a folder of configs, reproducibly (docs, CI).")
@click.argument("config_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the figures and the index.")
@click.option("--check", is_flag=True, help="Exit 1 listing every file that is missing or differs, each written as it should be now, "
              "with a difference image per figure, into OUTPUT/stale/.")
def gallery(config_dir: Path, out_dir: Path, check: bool) -> None:
    """Render every config of a folder (SVG and PNG) with a README.md table and an index.html.

    Byte-for-byte reproducible, so CI can check that a committed gallery is current. Figures are
    cached by content (the config and the files it reads, lrplot's code, matplotlib's version) in
    $LRPLOT_CACHE_DIR (default ~/.cache/lrplot): an unchanged config is not drawn again.
    """
    from .gallery import clear_stale, compare_with, find_configs, gallery_command, render_gallery, write_stale
    from .output import check_folder

    configs = find_configs(config_dir)
    if not check:
        check_folder(out_dir, "--output")
    link = os.path.relpath(config_dir.resolve(), out_dir.resolve()).replace(os.sep, "/")
    # click draws the bar only on a terminal; in CI it prints the label once.
    counts: dict[str, int] = {}
    with click.progressbar(length=len(configs), label=f"{len(configs)} configs", file=sys.stderr) as bar:
        files = render_gallery(configs, link, progress=lambda _: bar.update(1), command=gallery_command(config_dir, out_dir), counts=counts)
    click.echo(f"{counts['drawn']} drawn, {counts['cached']} from the cache", err=True)
    if check:
        problems = compare_with(out_dir, files)
        if problems:
            try:
                check_folder(out_dir, "--output")
                lines, where = write_stale(out_dir, files, problems), f"what they should be now, and the difference images, are in {out_dir / 'stale'}"
            except (LrplotError, OSError) as exc:  # a read-only checkout: the list still says what is stale
                lines, where = [f"{problem}: {name}" for name, problem in problems], f"nothing written: {exc}"
            click.echo("\n".join(lines), err=True)
            click.echo(f"{len(problems)} gallery files are out of date ({where}): run `lrplot gallery {config_dir} -o {out_dir}`", err=True)
            sys.exit(1)
        click.echo(f"{out_dir}: {len(configs)} figures up to date")
        return
    from .output import destination, write

    out_dir.mkdir(parents=True, exist_ok=True)
    for name, _ in compare_with(out_dir, files):
        write(destination(str(out_dir / name)), [files[name].read()])
    clear_stale(out_dir, files)
    click.echo(f"{out_dir}: {len(configs)} figures, README.md, index.html")


@cli.command(cls=TopicCommand, short_help="Check a logged run's lr against its plan.")
@click.argument("config", metavar="CONFIG|RUN_FOLDER")
@click.argument("runlog", metavar="[RUNLOG]", required=False)
@click.option("--column", "columns", multiple=True, metavar="NAME", help="The log's lr column, tag or key; once per param group [default: found by name, like lr-AdamW or learning_rate].")
@click.option("--step-column", default=None, metavar="NAME", help="The log's step column or key [default: found by name, like step or global_step].")
@click.option("--first-step", type=click.IntRange(0, 1), default=None, help="The log's number for the first optimizer step [default: 1 for transformers' logs, else 0].")
@click.option("--tolerance", type=click.FLOAT, default=1e-6, show_default=True, help="Largest difference that still follows the plan, relative to the peak lr.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE[,...]", help="Keys of the config's framework section its file lacks (yolo's nc, version).")
@plan_options
@look_options("Also draw the plan, the log, the explaining mistake and the residuals (.png, .svg or .pdf).")
def verify(config: str, runlog: str | None, columns: tuple[str, ...], step_column: str | None, first_step: int | None, tolerance: float, output: str | None, show: bool,
           sets: tuple[str, ...], **plan: Any) -> None:
    """Check a logged run's lr against its plan, and name the mistake that explains a divergence.

    RUNLOG is a CSV (Lightning's CSVLogger metrics.csv, a W&B export, any CSV with a step and an
    lr column), transformers' trainer_state.json (or its output folder), a TensorBoard event file
    or run folder (pip install tensorboard), JSON lines, or a framework's own log. A
    framework's output folder alone (RUN_FOLDER) is enough where it holds both the config and the log.
    The plan options (--dataset-size, --devices, ...) complete a config that lacks them.

    Exit code 0: the run followed the plan; 1: it diverged; 2: bad input.
    """
    from .runlog import read_runlog, run_folder
    from .verify import report, verify as judge

    figure = {key: plan.pop(key) for key in ("title", "log_scale", "size", "dpi", "style", "dark")}
    look = None
    if output is None:
        given = [flag for flag, key in (("--title", "title"), ("--log", "log_scale"), ("--size", "size"), ("--dpi", "dpi"), ("--style", "style"), ("--dark", "dark"))
                 if figure[key] not in (None, False) and not (key == "dpi" and figure[key] == 150)] + (["--show"] if show else [])
        if given:
            raise UserError(f"{', '.join(given)}: there is no figure to shape; name one with -o FILE (.png, .svg or .pdf)")
    else:
        from .output import figure_format

        if Path(output).suffix.lower() == ".html":
            raise UserError(f"--output: {output!r}: verify draws a .png, .svg or .pdf (the interactive .html page is plot's and compare's)")
        figure_format(output)
        look = _look(figure)
        look.check()
    if runlog is None:
        config_path, log_path = run_folder(config)
        config, runlog = str(config_path), str(log_path)
        click.echo(f"{config}: the plan; {runlog}: the log", err=True)
    spec = build_spec(config, {**plan, "exact": False}, flags=[f"--set={v}" for v in sets])
    log = read_runlog(runlog, columns, step_column, first_step, steps=spec.run.total_steps)  # no point past the plan is kept
    verdict = judge(spec, log, tolerance, base_dir=Path(config).parent)
    if output is not None:
        from .verify import figure_refusal

        refused = figure_refusal(verdict)
        if refused:  # before the report: one Error: line, no figure and no partial output
            raise UserError(f"--output: {refused}")
    click.echo(report(verdict), nl=False)
    if output is not None:
        from .chart import View
        from .drawing import Drawing
        from .render.verify import plot_verdict

        _save_figure(Drawing([], [spec.name], look, View(), lambda: plot_verdict(verdict, look)), output, spec.name, show)
    if not verdict.followed:
        sys.exit(1)


@cli.command(name="help", short_help="Every option of a command, or of a topic.")
@click.argument("what", required=False, metavar="[COMMAND|TOPIC]")
@click.pass_context
def help_(ctx: click.Context, what: str | None) -> None:
    """Every option of a command (its --help shows the common ones), or the options of a topic:
    run, metric, what-if or figure.

    \b
      lrplot help plot        every option of plot, by topic
      lrplot help run         the run's options, and the commands that take them
    """
    from .clihelp import TOPIC_WORDS, full_help, topic_help

    root = ctx.find_root()
    if what is None:
        click.echo(root.get_help())
        return
    if what in TOPIC_WORDS:
        click.echo(topic_help(cli, root, what), nl=False)
        return
    command = cli.get_command(root, what)
    if command is None:
        from .values import suggest

        choices = [*cli.list_commands(root), *TOPIC_WORDS]
        raise UserError(f"lrplot help: no command or topic {what!r}{suggest(what, choices)}; choose from {', '.join(choices)}")
    click.echo(full_help(command, click.Context(command, info_name=what, parent=root)))


def main() -> None:
    try:
        cli(prog_name="lrplot")
    except OSError as exc:
        # Help or a listing written to a full disk or device (`lrplot --help > /dev/full`): click
        # passes the error on (only a closed pipe is its business). One line, exit 1, and no
        # second complaint when Python flushes stdout at exit.
        click.echo(f"Error: cannot write the output: {exc.strerror or exc}", err=True)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
