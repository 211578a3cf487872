"""The torchtitan code of a config: its TOML tables (and 0.3's overrides), and the schedule ``build`` makes, stepped as the trainer steps it.

The tables are written as a job config of releases up to 0.2 has them, then as torchtitan 0.3's
command-line overrides; the Python below builds ``LRSchedulersContainer.Config(...)`` on a
stand-in optimizer and calls ``step()`` after every optimizer step, as the trainer does. The
tests run it on real torchtitan.
"""

from __future__ import annotations

from ...config import Spec
from ..torch.code import Namespace
from ..torch.code import _optimizer as optimizer_lines

_KEYS = ("warmup_steps", "decay_ratio", "decay_type", "min_lr_factor", "total_steps")


def _toml(value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def code(spec: Spec) -> str:
    p = spec.scheduler.params
    n = spec.run.total_steps
    written = {k: p[k] for k in _KEYS if p[k] is not None and not (k == "total_steps" and p[k] == n)}
    lines = ["# torchtitan job config (TOML, releases up to 0.2):", "#   [lr_scheduler]"]
    lines += [f"#   {k} = {_toml(v)}" for k, v in written.items()]
    lines += ["#   [training]", f"#   steps = {n}", "#   [optimizer]", f"#   lr = {spec.optimizer.groups[0].lr!r}"]
    overrides = [f"--lr_scheduler.{k} {v}" for k, v in written.items()] + [f"--training.steps {n}", f"--optimizer.lr {spec.optimizer.groups[0].lr!r}"]
    lines += ["# torchtitan 0.3 overrides:", "#   " + " ".join(overrides), ""]
    ns = Namespace({"torch", "LRSchedulersContainer", "step"})
    own = {k: ns.fresh(k) for k in ("model", "optimizer", "scheduler", "metric")}
    lines += ["import torch", "from torchtitan.components.optimizer.lr_scheduler import LRSchedulersContainer", ""]
    lines += optimizer_lines(spec, ns, own)
    keywords = ", ".join(f"{k}={v!r}" for k, v in written.items())
    lines.append(f"{own['scheduler']} = LRSchedulersContainer.Config({keywords}).build(optimizers=[{own['optimizer']}], training_steps={n})")
    lines.append("")
    lines.append("# torchtitan's train_step: optimizers.step(), then lr_schedulers.step()")
    lines.append(f"for step in range({n}):")
    lines.append("    ...  # forward and backward passes")
    lines.append(f"    {own['optimizer']}.step()")
    lines.append(f"    {own['scheduler']}.step()")
    return "\n".join(lines) + "\n"
