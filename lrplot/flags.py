"""A scheduler's keywords as command-line flags, named like the library's keywords.

``lrplot plot step --step-size 10 --gamma 0.5``: the flags after SCHEDULER are that scheduler's own
keywords (``--step-size`` for ``step_size``, ``--T-max`` for ``T_max``, ``--num-warmup-steps`` for
transformers' ``num_warmup_steps``), so ``--help`` stays short and every framework's vocabulary
fits. Values are read by the keyword's kind: integers as ML people write counts (``3e4``), lists
comma-separated (``--milestones 30,80``), booleans as ``--cycle-momentum/--no-cycle-momentum``.
"""

from __future__ import annotations

from typing import Any

from .errors import ConfigError
from .registry import Param, SchedulerInfo
from .values import suggest


def flag_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def parse_int(text: str) -> int:
    """An integer as ML people type counts: ``600000``, ``6e5``, ``3e4`` (integral values only)."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        value = float(text)  # ValueError for what is not a number at all
        if not value.is_integer():
            raise ValueError(text) from None
        return int(value)


def parse_flags(args: list[str], info: SchedulerInfo) -> dict[str, Any]:
    """The keywords ``args`` (what follows SCHEDULER on the command line) give ``info``."""
    by_flag: dict[str, Param] = {}
    for p in info.params:
        if p.nested:
            continue
        by_flag[flag_name(p.name)] = p
        by_flag.setdefault(flag_name(p.name).lower(), p)  # --t-max for --T-max
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if not token.startswith("--") or token == "--":
            raise ConfigError(token, f"unexpected argument {token!r}: give one SCHEDULER|CONFIG, then its keywords as flags")
        name, eq, inline = token.partition("=")
        negated = None
        p = by_flag.get(name) or by_flag.get(name.lower())
        if p is None and name.startswith("--no-"):
            p = by_flag.get("--" + name[5:]) or by_flag.get(("--" + name[5:]).lower())
            negated = p is not None and p.kind == "bool"
            if not negated:
                p = None
        if p is None:
            known = [flag_name(q.name) for q in info.params if not q.nested]
            hint = suggest(name, known)
            takes = f"it takes {', '.join(known)}" if known else "it takes no keywords as flags"
            raise ConfigError(name, f"{info.name} has no option {name[2:].replace('-', '_')!r}{hint}; {takes} (see `lrplot list {info.name}`)")
        flag = flag_name(p.name)
        if p.kind == "bool":
            if eq:
                raise ConfigError(flag, f"is a switch: {flag} or --no-{p.name.replace('_', '-')}, without a value")
            out[p.name] = not negated
            continue
        if negated:
            raise ConfigError(name, f"{flag} takes a value; there is no {name}")
        if eq:
            text = inline
        elif i < len(args):
            text = args[i]
            i += 1
        else:
            raise ConfigError(flag, "needs a value")
        out[p.name] = _value(p, text, flag)
    return out


def _value(p: Param, text: str, flag: str) -> Any:
    try:
        if p.kind == "int":
            return parse_int(text)
        if p.kind == "float":
            return float(text)
        if p.kind == "int_list":
            return [parse_int(v) for v in text.split(",") if v.strip()]
        if p.kind in ("per_group", "numbers"):
            items = [float(v) for v in text.split(",")]
            return items[0] if len(items) == 1 else items
        if p.kind == "choice_list":
            return [v.strip() for v in text.split(",")]
        if p.kind == "step_map":
            pairs = [item.split(":") for item in text.split(",") if item.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError(text)
            return {parse_int(k): float(v) for k, v in pairs}
    except (ValueError, OverflowError):
        what = {
            "int": "an integer (like 600000 or 6e5)",
            "float": "a number",
            "int_list": "a comma-separated list of integers (like 30,80)",
            "per_group": "a number or a comma-separated list of numbers",
            "numbers": "a number or a comma-separated list of numbers",
            "step_map": "comma-separated STEP:NUMBER pairs (like 1000:0.1,2000:0.1)",
        }[p.kind]
        raise ConfigError(flag, f"{text!r} is not {what}") from None
    return text  # choices and expressions: the config validates them
