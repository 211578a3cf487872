"""The optax code that builds a config's schedule and the optimizer that evaluates it.

The schedule function with every keyword written out (the lengths lrplot filled from the run too,
nested schedules of join_schedules built first), passed to an optimizer as its ``learning_rate``;
then the lr of each update as optax computes it, ``schedule(count)`` at the update count 0, 1, ...
The tests run it against the real library.
"""

from __future__ import annotations

from typing import Any

from ...config import SchedulerSpec, Spec
from ..base import FROM_RUN


def _call(node: SchedulerSpec, indent: str) -> str:
    name, p = node.info.library_name, node.params
    if name == "join_schedules":
        inner = ",\n".join(f"{indent}        {_call(child, indent + '        ')}" for child in p["schedules"])
        return f"optax.join_schedules(\n{indent}    schedules=[\n{inner},\n{indent}    ],\n{indent}    boundaries={list(p['boundaries'])!r},\n{indent})"
    if name == "sgdr_schedule":
        inner = ",\n".join(f"{indent}        {_keywords_dict(child)}" for child in p["cosine_kwargs"])
        return f"optax.sgdr_schedule([\n{inner},\n{indent}])"
    args = ", ".join(f"{k}={v!r}" for k, v in _keywords(node).items())
    return f"optax.{name}({args})"


def _keywords(node: SchedulerSpec) -> dict[str, Any]:
    out = {}
    for prm in node.info.params:
        value = node.params[prm.name]
        if prm.default is not FROM_RUN and not prm.required and value == prm.default and type(value) is type(prm.default):
            continue
        if value is None:
            continue
        if prm.kind == "step_map":
            value = dict(value)
        elif prm.name == "power" and float(value).is_integer():
            value = int(value)  # a whole power, as code writes it: jax's integer_pow
        out[prm.name] = list(value) if isinstance(value, tuple) else value
    return out


def _keywords_dict(node: SchedulerSpec) -> str:
    return "dict(" + ", ".join(f"{k}={v!r}" for k, v in _keywords(node).items()) + ")"


def code(spec: Spec) -> str:
    run, opt = spec.run, spec.optimizer
    lines = []
    if run.dtype == "float64":
        lines += ["import jax", "", 'jax.config.update("jax_enable_x64", True)  # lrplot draws float64; jax computes in float32 by default', ""]
    lines += ["import jax.numpy as jnp", "import optax", ""]
    lines.append(f"schedule = {_call(spec.scheduler, '')}")
    if opt.betas is not None:
        optimizer = f"optax.adam(learning_rate=schedule, b1={opt.betas[0]!r}, b2={opt.betas[1]!r})"
    elif opt.momentum:
        optimizer = f"optax.sgd(learning_rate=schedule, momentum={opt.momentum!r})"
    else:
        optimizer = "optax.sgd(learning_rate=schedule)"
    lines.append(f"optimizer = {optimizer}  # {run.total_steps} updates")
    lines.append("")
    lines.append("# The optimizer evaluates the schedule at its update count (state.count, 0 at the first update)")
    count = "jnp.float64" if run.dtype == "float64" else "jnp.int32"
    why = "  # float64 throughout (optax's own count is an int32, whose divisions stay float32)" if run.dtype == "float64" else ""
    lines.append(f"lrs = [float(schedule(jnp.asarray(count, {count}))) for count in range({run.total_steps})]{why}")
    return "\n".join(lines) + "\n"
