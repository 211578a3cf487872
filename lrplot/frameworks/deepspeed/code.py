"""The DeepSpeed code of a config: its ds_config block, and the scheduler stepped as DeepSpeed's engine steps it.

The ds_config is written the way DeepSpeed reads it (``"scheduler": {"type", "params"}``, every
keyword lrplot filled written out); the Python below it builds the same class from
``deepspeed.runtime.lr_schedules`` on a stand-in optimizer and steps it once per optimizer step,
not after the steps an fp16 overflow skipped, which is what ``DeepSpeedEngine.step()`` does. The
tests run it on real DeepSpeed.
"""

from __future__ import annotations

import json

from ...config import Spec
from ..torch.code import Namespace
from ..torch.code import _optimizer as optimizer_lines


def ds_config(spec: Spec) -> dict:
    node = spec.scheduler
    params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in node.params.items() if k != "skipped_steps" and v is not None}
    block: dict = {"scheduler": {"type": node.info.library_name, "params": params}}
    opt = spec.optimizer
    if opt.betas is not None:
        block["optimizer"] = {"type": "Adam", "params": {"lr": opt.groups[0].lr, "betas": list(opt.betas)}}
    return block


def code(spec: Spec) -> str:
    node = spec.scheduler
    name = node.info.library_name
    config = ds_config(spec)
    ns = Namespace({"torch", "json", name, "ds_config", "skipped", "step"})
    own = {n: ns.fresh(n) for n in ("model", "optimizer", "scheduler", "metric")}
    lines = ["import torch", f"from deepspeed.runtime.lr_schedules import {name}", "", "# the ds_config's blocks (ds_config.json)"]
    lines += ["ds_config = " + json.dumps(config, indent=4).replace("true", "True").replace("false", "False").replace("null", "None"), ""]
    lines += optimizer_lines(spec, ns, own)
    lines.append(f'{own["scheduler"]} = {name}({own["optimizer"]}, **ds_config["scheduler"]["params"])')
    skipped = list(node.params["skipped_steps"] or ())
    lines.append(f"skipped = {set(skipped)!r}  # optimizer steps an fp16 overflow skipped" if skipped else "skipped = set()  # fp16 overflow skips: none")
    lines.append("")
    lines.append("# DeepSpeed's engine.step(): lr_scheduler.step() after every optimizer step it applies")
    lines.append(f"for step in range({spec.run.total_steps}):")
    lines.append("    ...  # forward pass, engine.backward(loss)")
    lines.append(f"    {own['optimizer']}.step()")
    lines.append("    if step not in skipped:")
    lines.append(f"        {own['scheduler']}.step()")
    return "\n".join(lines) + "\n"
