"""Inline schedule specs for ``lrplot compare``: ``alias:key=value,key=value`` and sweeps."""

from __future__ import annotations

from typing import Any

from .errors import ConfigError


def parse_inline(text: str) -> tuple[str, dict[str, Any]]:
    """``multistep:milestones=[30,80],gamma=0.5`` -> ("multistep", {"milestones": [30, 80], "gamma": 0.5})."""
    kind, _, rest = text.partition(":")
    if not kind.strip():
        raise ConfigError(text, "an inline spec starts with a scheduler name, like step:step_size=10")
    keys: dict[str, Any] = {}
    for item in _split_top_level(rest):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise ConfigError(text, f"{item!r} is not key=value")
        keys[key.strip()] = _value(value.strip(), text)
    return kind.strip(), keys


# Keys of an inline spec that belong to the run and the optimizer, as the run flags name them
# (`cosine:lr=5e-5,epochs=3`); like the flags, they win over a scheduler keyword of the same name.
RUN_KEYS = {"epochs": "epochs", "iterations": "iterations", "steps_per_epoch": "steps_per_epoch", "step": "step_mode",
            "dataset_size": "dataset_size", "batch_size": "batch_size", "devices": "devices", "grad_accum": "grad_accum",
            "drop_last": "drop_last", "lr": "lr", "momentum": "momentum"}


def split_run_keys(keys: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An inline spec's keys: (the scheduler's, the run's and optimizer's as run-flag values)."""
    scheduler = {k: v for k, v in keys.items() if k not in RUN_KEYS}
    own = {RUN_KEYS[k]: v for k, v in keys.items() if k in RUN_KEYS}
    return scheduler, own


def run_key_words(text: str) -> str:
    """An inline spec's run and optimizer keys as written (``lr=5e-5, epochs=3``), for its legend entry:
    two specs of one scheduler that differ only there would otherwise read the same."""
    _, _, rest = text.partition(":")
    items = [item.strip() for item in _split_top_level(rest)]
    return ", ".join(item for item in items if item.partition("=")[0].strip() in RUN_KEYS)


def split_label(text: str) -> tuple[str, str | None]:
    """``baseline=multistep:milestones=[30,80]`` -> (the spec, "baseline"); (text, None) without a label.

    A label is what comes before an ``=`` that stands before any ``:`` (an inline spec's keys come
    after its ``:``, so ``step:step_size=30`` has none); a path is never split.
    """
    label, eq, rest = text.partition("=")
    if not eq or ":" in label or not label.strip() or not rest.strip() or "/" in label or label.endswith((".yaml", ".yml")):
        return text, None
    return rest.strip(), label.strip()


# One figure holds at most this many schedules (lines of an overlay, panels of a grid), and they
# trace at most as many values in all as one schedule may (config.MAX_VALUES): both are checked
# before anything is simulated.
MAX_SCHEDULES = 24


def check_count(count: int) -> None:
    if count > MAX_SCHEDULES:
        raise ConfigError("SPEC", f"{count} schedules; one figure compares at most {MAX_SCHEDULES}")


def check_total(specs: list[Any]) -> None:
    """The schedules' traced values (param groups x steps) together, against one trace's bound."""
    from .config import MAX_VALUES

    total = sum(len(s.optimizer.groups) * s.run.total_steps for s in specs)
    if total > MAX_VALUES:
        raise ConfigError("SPEC", f"the {len(specs)} schedules trace {total:,} values in all; a comparison traces at most {MAX_VALUES:,} (shorter runs or fewer schedules)")


def expand_sweep(specs: tuple[str, ...], sweep: str) -> list[tuple[str, str, dict[str, Any]]]:
    """One (spec, label, extra keys) per value of ``KEY=V1,V2,...``."""
    if len(specs) != 1:
        raise ConfigError("--sweep", f"sweeps one SPEC over values; got {len(specs)} SPECs")
    key, eq, values = sweep.partition("=")
    key = key.strip()
    items = _split_top_level(values)
    if not eq or not key or not items:
        raise ConfigError("--sweep", "must be KEY=V1,V2,..., like T_max=25,50,100")
    if len(items) > MAX_SCHEDULES:
        raise ConfigError("--sweep", f"{len(items)} values; at most {MAX_SCHEDULES} lines fit one figure")
    return [(specs[0], f"{key}={v.strip()}", {key: _value(v.strip(), "--sweep")}) for v in items]


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside brackets, so lists like [30,80] stay whole."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return [p for p in parts if p.strip()]


def _value(text: str, where: str) -> Any:
    """A value as YAML reads it (numbers as YAML 1.2 writes them: ``1e-6``, ``3e4``)."""
    import yaml

    from .values import check_tree, yaml_load

    try:
        value = yaml_load(text) if text else None
    except yaml.YAMLError as exc:
        shown = text if len(text) <= 60 else text[:57] + "..."
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(where, f"cannot read the value {shown!r} ({reason})") from None
    check_tree(value, where)
    return value
