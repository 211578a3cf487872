"""A torchtitan job config (``llama3_8b.toml``), as releases up to 0.2 use them, read with ``tomllib``.

The schedule reads three tables: ``[lr_scheduler]``, ``[training] steps`` and ``[optimizer] lr``; the
others (``[job]``, ``[model]``, ``[parallelism]``, ``[checkpoint]``, ...) do not change it. A
torchtitan TOML is recognised by ``[job]``/``[model]``/``[training]`` tables beside one of those.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from ...sources import ConfigFile, SourceFile

_TABLES = ("lr_scheduler", "training", "optimizer")


def claims(source: SourceFile) -> str | None:
    data = source.data
    if isinstance(data, dict) and any(t in data for t in ("lr_scheduler", "optimizer")) and any(t in data for t in ("job", "model", "training")):
        return "a torchtitan job config (TOML)"
    return None


def read(source: SourceFile) -> ConfigFile:
    data: dict[str, Any] = source.data
    section = {t: data[t] for t in _TABLES if t in data}
    for t, v in section.items():
        if not isinstance(v, dict):
            raise ConfigError(f"{source.where}: {t}", "must be a table ([" + t + "])")
    others = [t for t in data if t not in _TABLES]
    lines = [f"  [lr_scheduler], [training] steps and [optimizer] lr make the schedule; {len(others)} other tables ({', '.join(others[:6])}{', ...' if len(others) > 6 else ''}) do not change it"]
    config: dict[str, Any] = {"torchtitan": section}
    job = data.get("job")
    if isinstance(job, dict) and isinstance(job.get("description"), str):
        config["name"] = job["description"]
    return ConfigFile(config, "torchtitan", tuple(lines), (source.where,))
