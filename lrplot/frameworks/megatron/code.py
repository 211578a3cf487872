"""The Megatron-LM code of a config: its launch arguments, and OptimizerParamScheduler stepped as training.py steps it.

A ``megatron:`` section is written back as pretrain_gpt.py's arguments; every config gets the
Python that builds ``OptimizerParamScheduler`` with the values training.py's
``get_optimizer_param_scheduler`` computes (in samples) and steps it with ``step(increment=<the
global batch>)`` after every iteration (through Megatron's own ramp-up calculator where the batch
ramps up). The tests run it on real megatron-core.
"""

from __future__ import annotations

from ...config import Spec
from ..torch.code import Namespace
from ..torch.code import _optimizer as optimizer_lines
from .section import dest


def arguments(spec: Spec) -> list[str]:
    """The section as pretrain_gpt.py's command-line arguments, as the user gave them."""
    section = spec.source.get("megatron") or {}
    out = []
    for key, value in section.items():
        flag = "--" + dest(key).replace("_", "-")
        if value is True:
            out.append(flag)
        elif isinstance(value, list):
            out.append(f"{flag} {' '.join(str(v) for v in value)}")
        elif value is not False and value is not None:
            out.append(f"{flag} {value}")
    return out


def code(spec: Spec) -> str:
    p = spec.scheduler.params
    ns = Namespace({"torch", "OptimizerParamScheduler", "iteration", "consumed", "calculator", "batch"})
    own = {n: ns.fresh(n) for n in ("model", "optimizer", "scheduler", "metric")}
    lines = []
    args = arguments(spec)
    if args:
        lines += ["# pretrain_gpt.py arguments (Megatron-LM core 0.16.1):"] + [f"#   {a}" for a in args] + [""]
    lines += ["import torch", "from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler"]
    ramp = p["rampup_batch_size"]
    if ramp is not None:
        lines.append("from megatron.core.num_microbatches_calculator import RampupBatchsizeNumMicroBatchesCalculator")
    lines.append("")
    lines += optimizer_lines(spec, ns, own)
    groups = spec.optimizer.groups
    mins = p["min_lr"] if isinstance(p["min_lr"], tuple) else (p["min_lr"],) * len(groups)
    if len(groups) > 1:
        lines.append("# each group's max_lr and min_lr (Megatron's param-group overrides, --decoupled-lr)")
        for g, (group, floor) in enumerate(zip(groups, mins)):
            lines.append(f'{own["optimizer"]}.param_groups[{g}].update(max_lr={group.lr!r}, min_lr={floor!r})')
    lines.append(f"{own['scheduler']} = OptimizerParamScheduler(")
    lines.append(f"    {own['optimizer']},")
    for key, value in (
        ("init_lr", p["init_lr"]), ("max_lr", groups[0].lr), ("min_lr", mins[0]), ("lr_warmup_steps", p["lr_warmup_steps"]),
        ("lr_decay_steps", p["lr_decay_steps"]), ("lr_decay_style", p["lr_decay_style"]), ("start_wd", 0.0), ("end_wd", 0.0),
        ("wd_incr_steps", p["lr_decay_steps"]), ("wd_incr_style", "constant"), ("wsd_decay_steps", p["wsd_decay_steps"]),
        ("lr_wsd_decay_style", p["lr_wsd_decay_style"]),
    ):
        lines.append(f"    {key}={value!r},")
    lines.append(")  # counted in samples; its constructor calls step(0)")
    lines.append("")
    if ramp is not None:
        lines.append(f"calculator = RampupBatchsizeNumMicroBatchesCalculator({p['increment']}, 1, 1, False, 0, {ramp[0]}, {ramp[1]}, {ramp[2]})")
        lines.append("consumed = 0")
    lines.append("# training.py's train_step: opt_param_scheduler.step(increment=<the global batch>) after every iteration")
    lines.append(f"for iteration in range({spec.run.total_steps}):")
    if ramp is not None:
        lines.append("    calculator.update(consumed, False)  # update_num_microbatches(consumed_train_samples)")
        lines.append("    batch = calculator.get_current_global_batch_size()")
    lines.append("    ...  # forward and backward passes")
    lines.append(f"    {own['optimizer']}.step()")
    if ramp is not None:
        lines.append(f"    {own['scheduler']}.step(increment=batch)")
        lines.append("    consumed += batch")
    else:
        lines.append(f"    {own['scheduler']}.step(increment={p['increment']})")
    return "\n".join(lines) + "\n"
