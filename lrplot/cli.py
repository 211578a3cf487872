"""The ``lrplot`` command: a thin click layer over the library.

Each command parses, makes one library call and writes its output. Library errors become one line
on stderr and exit code 2; nothing here prints a traceback. numpy, yaml and matplotlib load only
inside the commands that need them, so ``lrplot --help`` is instant and ``export`` / ``list`` never
import matplotlib.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

import click

from .errors import LrplotError
from .registry import SCHEDULERS, Param

# OneCycleLR's own ``epochs`` / ``steps_per_epoch`` keywords share their names with the run
# options; as flags those names mean the run (the keywords stay available in YAML).
_RUN_NAMES = {"epochs", "steps_per_epoch"}


class UserError(click.ClickException):
    exit_code = 2


class RuntimeFailure(click.ClickException):
    exit_code = 1


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LrplotError as exc:
            raise UserError(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except OSError as exc:
            raise RuntimeFailure(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from None
        except Exception as exc:  # a bug: say so in one line, the traceback only on request
            if os.environ.get("LRPLOT_DEBUG"):
                raise
            raise RuntimeFailure(f"internal error ({type(exc).__name__}: {exc}); set LRPLOT_DEBUG=1 to see the traceback") from None


# ----------------------------------------------------------------------------------------------
# Option types


class _IntList(click.ParamType):
    name = "INT,INT,..."

    def convert(self, value, param, ctx):
        if isinstance(value, (list, tuple)):
            return list(value)
        try:
            return [int(v) for v in str(value).split(",") if v.strip()]
        except ValueError:
            self.fail(f"{value!r} is not a comma-separated list of integers (like 30,80)", param, ctx)


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


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _scheduler_params() -> dict[str, Param]:
    """Every scheduler keyword that can be a flag, once (the same name means the same thing)."""
    params: dict[str, Param] = {}
    for info in SCHEDULERS:
        for p in info.params:
            if p.kind != "schedulers" and p.name not in _RUN_NAMES:
                params.setdefault(p.name, p)
    return params


SCHEDULER_PARAMS = _scheduler_params()


def _option_for(p: Param) -> Callable:
    help_text = f"{p.doc}."
    if p.kind == "bool":
        return click.option(f"{_flag(p.name)}/--no-{p.name.replace('_', '-')}", p.name, default=None, help=help_text)
    kind = {
        "int": click.INT,
        "float": click.FLOAT,
        "int_list": _IntList(),
        "per_group": _FloatOrList(),
    }.get(p.kind, click.STRING)
    if p.kind == "choice":
        help_text = f"{p.doc}: {' | '.join(p.choices)}."
    return click.option(_flag(p.name), p.name, type=kind, default=None, help=help_text)


def scheduler_options(f: Callable) -> Callable:
    for p in reversed(list(SCHEDULER_PARAMS.values())):
        f = _option_for(p)(f)
    return f


def run_options(f: Callable) -> Callable:
    options = [
        click.option("--epochs", type=click.INT, default=None, help="Epochs to simulate [default: 100]."),
        click.option("--steps-per-epoch", "steps_per_epoch", type=click.INT, default=None, help="Optimizer steps per epoch [default: 1]."),
        click.option(
            "--step",
            "step_mode",
            type=click.Choice(["epoch", "iteration", "fractional"]),
            default=None,
            help="When scheduler.step() is called [default: iteration for OneCycleLR/CyclicLR, else epoch].",
        ),
        click.option("--lr", type=_FloatOrList(), default=None, help="Initial lr; a comma-separated list makes one param group each [default: 0.1]."),
        click.option("--momentum", type=click.FLOAT, default=None, help="SGD momentum of the fake optimizer."),
        click.option("--exact", is_flag=True, help="Follow torch's operation order step by step (bit-identical, slower)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


# ----------------------------------------------------------------------------------------------
# From arguments to a Spec


def _looks_like_file(target: str) -> bool:
    return target.endswith((".yaml", ".yml")) or os.sep in target or Path(target).is_file()


def build_spec(target: str, kwargs: dict[str, Any]):
    """A validated Spec from ``SCHEDULER|CONFIG`` plus flags (flags override a config file)."""
    from .config import from_mapping, read_yaml

    given = {k: v for k, v in kwargs.items() if k in SCHEDULER_PARAMS and v is not None}
    run = {k: v for k, v in (("epochs", kwargs["epochs"]), ("steps_per_epoch", kwargs["steps_per_epoch"]), ("step", kwargs["step_mode"])) if v is not None}
    optimizer = {k: kwargs[k] for k in ("lr", "momentum") if kwargs[k] is not None}
    default_name = None
    if _looks_like_file(target):
        path = Path(target)
        data = read_yaml(path)
        if not isinstance(data, dict):
            raise UserError(f"{target}: a config must be a mapping with a `scheduler:` key")
        data = dict(data)
        default_name = path.stem
        if given:
            sched = data.get("scheduler")
            data["scheduler"] = {**(sched if isinstance(sched, dict) else {"type": sched}), **given}
    else:
        data = {"scheduler": {"type": target, **given}}
    for section, values in (("run", run), ("optimizer", optimizer)):
        if values:
            current = data.get(section) or {}
            data[section] = {**(current if isinstance(current, dict) else {}), **values}
    try:
        return from_mapping(data, default_name=default_name)
    except LrplotError as exc:
        raise UserError(_as_flag(str(exc), set(given) | set(run) | set(optimizer))) from None


def _as_flag(message: str, flags: set[str]) -> str:
    """Name the flag the user typed rather than the YAML path it became."""
    m = re.match(r"(scheduler|run|optimizer)\.(\w+)(.*?): (.*)", message, re.S)
    if m and m.group(2) in flags:
        return f"{_flag(m.group(2))}{m.group(3)}: {m.group(4)}"
    return message


def _simulate(target: str, kwargs: dict[str, Any]):
    from .engine import simulate

    return simulate(build_spec(target, kwargs), exact=kwargs["exact"])


# ----------------------------------------------------------------------------------------------
# Commands


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="lrplot")
def cli() -> None:
    """See a learning-rate schedule before you train.

    lrplot simulates torch.optim.lr_scheduler exactly (same numbers as PyTorch 2.13, no torch
    needed) from a YAML config or from flags, and draws or exports the curve.

    \b
    Examples:
      lrplot plot step --step-size 10 --gamma 0.5
      lrplot plot onecycle --max-lr 0.1 --epochs 10 --steps-per-epoch 100 -o onecycle.svg
      lrplot export cosine --T-max 100 --epochs 100 --format csv
      lrplot list
    """


@cli.command()
@click.argument("target", metavar="SCHEDULER|CONFIG")
@scheduler_options
@run_options
@click.option("-o", "--output", default=None, help="Figure file (.png, .svg or .pdf) [default: <name>.png].")
@click.option("--title", default=None, help="Figure title [default: name and scheduler].")
@click.option("--log", "log_scale", is_flag=True, help="Logarithmic lr axis.")
def plot(target: str, output: str | None, title: str | None, log_scale: bool, **kwargs: Any) -> None:
    """Draw one schedule: lr (and momentum) against epoch.

    SCHEDULER is a torch class name or alias (see `lrplot list`), configured with flags named like
    the torch keywords; CONFIG is a YAML file (flags override it).
    """
    from .output import figure_format, write_atomic

    trace = _simulate(target, kwargs)
    path = output or _default_figure_name(trace.name)
    fmt = figure_format(path)
    from .render import figure_bytes, plot_trace

    data = figure_bytes(plot_trace(trace, title=title, log=log_scale), fmt)
    write_atomic(path, data)
    click.echo(path)


def _default_figure_name(name: str) -> str:
    return (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "schedule") + ".png"


@cli.command()
@click.argument("target", metavar="SCHEDULER|CONFIG")
@scheduler_options
@run_options
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default=None, help="Data format [default: from -o's extension, else json].")
@click.option("-o", "--output", default="-", show_default=True, help="File to write, or - for stdout.")
def export(target: str, fmt: str | None, output: str, **kwargs: Any) -> None:
    """Write the numbers: one row (CSV) or entry (JSON) per optimizer step."""
    from .output import check_writable, to_csv, to_json, write_output

    if fmt is None:
        ext = Path(output).suffix.lower().lstrip(".")
        fmt = ext if ext in ("json", "csv") else "json"
    if output != "-":
        check_writable(output)
    trace = _simulate(target, kwargs)
    write_output(output, to_csv(trace) if fmt == "csv" else to_json(trace))


@cli.command(name="list")
def list_() -> None:
    """Every scheduler, its aliases, options and defaults."""
    from .registry import FROM_RUN, REQUIRED

    for info in SCHEDULERS:
        aliases = ", ".join(info.aliases)
        click.echo(click.style(info.name, bold=True) + f"  ({aliases})  {info.description}")
        if info.default_step != "epoch":
            click.echo(f"    steps per {info.default_step} by default")
        for p in info.params:
            if p.default is REQUIRED:
                default = "required"
            elif p.default is FROM_RUN:
                default = "from run"
            elif p.default is None:
                default = "-"
            elif isinstance(p.default, float):
                default = f"{p.default:g}"
            else:
                default = str(p.default)
            click.echo(f"    {p.name:<17} {_kind(p):<34} {default:<9} {p.doc}")
        click.echo()
    click.echo("Run options: --epochs, --steps-per-epoch, --step epoch|iteration|fractional, --lr, --momentum")


_KINDS = {
    "per_group": "float or list",
    "per_group_expr": "expr or list",
    "int_list": "list of int",
    "schedulers": "list of schedulers",
}


def _kind(p: Param) -> str:
    if p.choices:
        return " | ".join(p.choices)
    kind = _KINDS.get(p.kind, p.kind)
    if p.variable:
        kind += f" in {p.variable}" if p.kind == "expr" else ""
    if p.bound is not None:
        kind += ", " + p.bound.describe().replace("must be ", "")
    return kind


def main() -> None:
    cli(prog_name="lrplot")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
