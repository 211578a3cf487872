"""The Keras code that builds a config's schedule and the optimizer that evaluates it.

The schedule with every keyword written out (the lengths lrplot filled from the run too), passed
to an optimizer as its ``learning_rate``; then the lr of each update as Keras computes it,
``schedule(step)`` at ``optimizer.iterations`` 0, 1, ... The tests run it against the real library.
"""

from __future__ import annotations

from ...config import Spec
from ..base import FROM_RUN


def code(spec: Spec) -> str:
    node, run, opt = spec.scheduler, spec.run, spec.optimizer
    name = node.info.library_name
    lines = ["import keras", ""]
    if run.dtype == "float64":
        lines.append('keras.config.set_floatx("float64")  # lrplot draws float64; Keras computes in float32 by default')
        lines.append("# (float64 needs the torch backend: on JAX, ops.cos returns float32 for a float64 tensor)")
        lines.append("")
    lines.append(f"schedule = keras.optimizers.schedules.{name}(")
    for p in node.info.params:
        value = node.params[p.name]
        if p.default is not FROM_RUN and not p.required and value == p.default and type(value) is type(p.default):
            continue
        if value is None:
            continue
        lines.append(f"    {p.name}={list(value) if isinstance(value, tuple) else value!r},")
    lines.append(")")
    if opt.betas is not None:
        optimizer = f"keras.optimizers.Adam(learning_rate=schedule, beta_1={opt.betas[0]!r}, beta_2={opt.betas[1]!r})"
    elif opt.momentum:
        optimizer = f"keras.optimizers.SGD(learning_rate=schedule, momentum={opt.momentum!r})"
    else:
        optimizer = "keras.optimizers.SGD(learning_rate=schedule)"
    lines.append(f"optimizer = {optimizer}")
    how = f"{run.epoch_count:g} epochs of {run.steps_per_epoch} steps" if run.has_epochs and run.steps_per_epoch > 1 else f"{run.total_steps} steps"
    lines.append(f"# model.compile(optimizer=optimizer, ...); model.fit(...) for {how}: {run.total_steps} updates")
    lines.append("")
    lines.append("# The optimizer evaluates the schedule at optimizer.iterations (0 at the first update): the lr of every update")
    lines.append(f"lrs = [float(schedule(step)) for step in range({run.total_steps})]")
    return "\n".join(lines) + "\n"
