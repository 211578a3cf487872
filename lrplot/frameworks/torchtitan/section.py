"""The ``torchtitan:`` config section: a torchtitan job config's ``[lr_scheduler]``, ``[training]`` and
``[optimizer]`` tables, or 0.3's command-line overrides, and the schedule its trainer builds.

Releases up to 0.2 configure a job in TOML (``[lr_scheduler] warmup_steps = 200``); 0.3 configures
it in Python and takes overrides on the command line (``--lr_scheduler.warmup_steps 2000
--training.steps 10000``). The section holds either spelling: the tables as the TOML has them, or
the overrides as keys (``lr_scheduler.warmup_steps: 2000``, the ``--`` optional); an override wins
over its table's key, as on torchtitan's command line; and ``own_flags`` takes the same overrides as
flags after a TOML or a config with this section (``lrplot explain llama3_8b.toml --training.steps 2000``). The schedule reads ``lr_scheduler.*``,
``training.steps`` and ``optimizer.lr``; the tables' other keys (a TOML's batch size, sequence
length, ...) are accepted and do not change it.
"""

from __future__ import annotations

from typing import Any, Mapping

from ...errors import ConfigError, TorchWouldRaise
from ...values import integer, number, suggest, type_name
from .records import DECAY_TYPES

SECTION = "torchtitan"
MAX_STEPS = 10_000_000
# LRSchedulersContainer.Config (0.3.0): key -> (default, what it is)
LR_SCHEDULER: dict[str, tuple[Any, str]] = {
    "warmup_steps": (200, "steps of linear warmup (the first trains at 1/warmup_steps of the lr)"),
    "total_steps": (None, "steps the schedule is laid over (default: training.steps)"),
    "decay_ratio": (None, "the last fraction of the steps that decays (none: all after the warmup)"),
    "decay_type": ("linear", "linear, sqrt or cosine"),
    "min_lr_factor": (0.0, "the decay ends at min_lr_factor x the lr"),
}
TABLES = {"lr_scheduler": LR_SCHEDULER, "training": {"steps": (10000, "optimizer steps of the run")}, "optimizer": {"lr": (8e-4, "the peak lr")}}
# The run's and optimizer's options (a YAML's run:, or --iterations and --lr) as the overrides they mean.
OPTIONS = {"run.iterations": "training.steps", "optimizer.lr": "optimizer.lr"}


def keys() -> list[tuple[str, str, str]]:
    return [(f"{table}.{k}", "-" if d is None else str(d), doc) for table, fields in TABLES.items() for k, (d, doc) in fields.items()]


def read(section: Any, path: str = SECTION) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The three tables with overrides applied, and where each value was written (for messages)."""
    if not isinstance(section, Mapping):
        raise ConfigError(path, f"must be a mapping of torchtitan's tables (lr_scheduler, training, optimizer), got {type_name(section)}")
    tables: dict[str, dict[str, Any]] = {t: {} for t in TABLES}
    written: dict[str, str] = {}
    overrides = []
    for key, value in section.items():
        if not isinstance(key, str):
            raise ConfigError(path, f"has a key {key!r} that is not a table or an override")
        name = key[2:] if key.startswith("--") else key
        if "." in name:
            overrides.append((key, name, value))
            continue
        if name not in TABLES:
            raise ConfigError(f"{path}.{key}", f"is not a table the schedule reads{suggest(name, TABLES)}; the section takes "
                              "lr_scheduler, training and optimizer (as the TOML has them), or overrides like lr_scheduler.warmup_steps")
        if not isinstance(value, Mapping):
            raise ConfigError(f"{path}.{key}", f"must be a table (a mapping), got {type_name(value)}")
        for k, v in value.items():
            tables[name][k] = v
            written[f"{name}.{k}"] = f"{path}.{key}.{k}"
    for key, name, value in overrides:
        table, _, field = name.partition(".")
        if table not in TABLES or "." in field:
            raise ConfigError(f"{path}.{key}", f"is not an override the schedule reads{suggest(name, [f'{t}.{k}' for t in TABLES for k in TABLES[t]])}")
        tables[table][field] = value
        written[name] = f"{path}.{key}"
    scheduler = tables["lr_scheduler"]
    if "lr_min" in scheduler:
        if "min_lr_factor" in scheduler:
            raise ConfigError(written["lr_scheduler.lr_min"], "is the old name of min_lr_factor, which is given too; keep min_lr_factor")
        scheduler["min_lr_factor"] = scheduler.pop("lr_min")  # torchtitan 0.1.0's name (renamed in pytorch/torchtitan#1471)
        written["lr_scheduler.min_lr_factor"] = written.pop("lr_scheduler.lr_min")
    for k in scheduler:
        if k not in LR_SCHEDULER:
            raise TorchWouldRaise(written[f"lr_scheduler.{k}"], f"torchtitan's LRScheduler config has no field {k!r}{suggest(k, LR_SCHEDULER)}; "
                                  f"it takes {', '.join(LR_SCHEDULER)}")
    return tables, written


_OPTIONAL = ("lr_scheduler.total_steps", "lr_scheduler.decay_ratio")  # Optional fields: "None" on the command line is None


def own_flags(flags: list[str], section: Any, path: str = SECTION) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The section with torchtitan's command-line overrides (``--lr_scheduler.warmup_steps 100 --training.steps 2000``,
    or ``--name=value``; tyro's ``-`` spelling too) as its keys, over its tables as on torchtitan's command line; and a
    line for each. Values are converted as torchtitan's config types them (an int, a float, a string)."""
    if not isinstance(section, Mapping):
        raise ConfigError(path, f"must be a mapping of torchtitan's tables (lr_scheduler, training, optimizer), got {type_name(section)}")
    known = [f"--{t}.{k}" for t in TABLES for k in TABLES[t]]
    out, lines, i = dict(section), [], 0
    while i < len(flags):
        token = flags[i]
        name, eq, text = token.partition("=")
        override = name[2:].replace("-", "_") if name.startswith("--") else ""
        table, _, field = override.partition(".")
        if table not in TABLES or field not in TABLES[table]:
            raise ConfigError(name, f"is not a torchtitan override the schedule reads{suggest('--' + override, known)}; it takes {', '.join(known)}")
        if not eq:
            if i + 1 >= len(flags) or flags[i + 1].startswith("--"):
                raise ConfigError(name, "needs a value")
            text, i = flags[i + 1], i + 1
        i += 1
        value: Any = text
        if override in _OPTIONAL and text == "None":
            value = None
        elif field != "decay_type":
            try:
                value = int(text) if field in ("steps", "warmup_steps", "total_steps") else float(text)
            except ValueError:
                raise ConfigError(name, f"is {text!r}, not {'an integer' if field in ('steps', 'warmup_steps', 'total_steps') else 'a number'} (torchtitan's command line refuses it)") from None
        had = any((k[2:] if k.startswith("--") else k) == override for k in out) or (
            isinstance(out.get(table), Mapping) and field in out[table])
        out = {k: v for k, v in out.items() if (k[2:] if k.startswith("--") else k) != override}
        out[f"--{override}"] = value
        lines.append(f"  {path}: --{override} {text} (from the command line{', over the config' if had else ''})")
    return out, tuple(lines)


def translate(section: Any, config: Mapping[str, Any], path: str = SECTION) -> tuple[dict[str, Any], tuple[str, ...]]:
    for key in ("scheduler", "run"):
        if key in config:
            raise ConfigError(key, f"the `{path}:` section sets the {key} (lr_scheduler and training.steps); remove `{key}:` and change the section")
    if isinstance(config.get("optimizer"), Mapping) and config["optimizer"]:
        raise ConfigError("optimizer", f"the `{path}:` section sets the lr (optimizer.lr); remove `optimizer:`")
    tables, written = read(section, path)

    def where(name: str) -> str:
        return written.get(name, f"{path}.{name}")

    def value(table: str, key: str) -> Any:
        return tables[table].get(key, TABLES[table][key][0])

    steps = integer(value("training", "steps"), where("training.steps"))
    if steps < 1:
        raise ConfigError(where("training.steps"), f"must be >= 1, got {steps}")
    if steps > MAX_STEPS:
        raise ConfigError(where("training.steps"), f"{steps:,} steps; lrplot simulates at most {MAX_STEPS:,}")
    lr = number(value("optimizer", "lr"), where("optimizer.lr"))
    scheduler: dict[str, Any] = {"type": "torchtitan.linear_warmup_stable_decay"}
    for key in LR_SCHEDULER:
        if key in tables["lr_scheduler"] and not (tables["lr_scheduler"][key] is None and LR_SCHEDULER[key][0] is None):  # None: the default
            scheduler[key] = tables["lr_scheduler"][key]
    if scheduler.get("decay_type", "linear") not in DECAY_TYPES:
        raise TorchWouldRaise(where("lr_scheduler.decay_type"), f"torchtitan's config refuses {scheduler['decay_type']!r}{suggest(scheduler['decay_type'], DECAY_TYPES)}; "
                              f"it takes {', '.join(DECAY_TYPES)}")
    out: dict[str, Any] = {"optimizer": {"lr": lr}, "run": {"iterations": steps}, "scheduler": scheduler}
    for key in ("name", "metric", "vars"):
        if key in config:
            out[key] = config[key]
    lines = [f"torchtitan trainer: training.steps {steps:,}, optimizer.lr {lr:g}; LRSchedulersContainer.Config.build over "
             + (f"lr_scheduler.total_steps {scheduler['total_steps']}" if scheduler.get("total_steps") is not None else f"training.steps {steps:,}")]
    return out, tuple(lines)


def section_error(exc: ConfigError) -> ConfigError:
    where = exc.path
    if where.startswith("scheduler."):
        key = where[len("scheduler."):].split(".")[0]
        where = f"{SECTION}.lr_scheduler.{key}"
    elif where.startswith("optimizer"):
        where = f"{SECTION}.optimizer.lr"
    elif where.startswith("run"):
        where = f"{SECTION}.training.steps"
    else:
        where = SECTION
    return type(exc)(where, exc.message)
