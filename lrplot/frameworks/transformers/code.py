"""The transformers code that builds a config's schedule: ``get_scheduler``, or the user's TrainingArguments.

A ``type: transformers.<name>`` config becomes a ``get_scheduler`` call over a torch optimizer and a
loop stepping it as the run says (lengths lrplot filled from the run written out). A
``transformers:`` section becomes the ``TrainingArguments`` it holds and the Trainer that uses them,
for the user's own model and dataset; the tests run both against the real library.
"""

from __future__ import annotations


from ...code import metric_lines
from ...config import Spec
from ..base import FROM_RUN
from ..torch.code import Namespace, _identifier, _loop
from .records import BY_NAME
from .trainer import PLAN_KEYS, read


def code(spec: Spec) -> str:
    if "transformers" in spec.source:
        return _trainer_code(spec)
    return _get_scheduler_code(spec)


def _get_scheduler_code(spec: Spec) -> str:
    node = spec.scheduler
    info = BY_NAME[node.type]
    args = [repr(info.library_name), "optimizer"]
    kwargs = {}
    for p in info.params:
        value = node.params[p.name]
        # Keywords left at transformers' defaults stay out; lengths filled from the run are written.
        if value is None or (p.default is not FROM_RUN and not p.required and value == p.default):
            continue
        value = list(value) if isinstance(value, tuple) else value
        if p.name in ("num_warmup_steps", "num_training_steps"):
            args.append(f"{p.name}={value!r}")
        else:
            kwargs[p.name] = value
    if kwargs:
        args.append(f"scheduler_specific_kwargs={kwargs!r}")
    # One namespace for the module, as torch's code has: group names never shadow Python or the code.
    ns = Namespace({"torch", "get_scheduler", "epoch", "step", "i"})
    own = {n: ns.fresh(n) for n in ("model", "optimizer", "scheduler", "metric")}
    args[1] = own["optimizer"]
    lines = ["import torch", "from transformers import get_scheduler", ""]
    lines += _optimizer(spec, ns, own)
    lines.append(f"{own['scheduler']} = get_scheduler(")
    lines += [f"    {a}," for a in args]
    lines.append(")")
    lines.append("")
    metric = info.steps_on_metric
    if metric:
        lines += metric_lines(spec, spec.scheduler.info.library_name, own["metric"])
    lines += _loop(spec, metric, own)
    return "\n".join(lines) + "\n"


def _optimizer(spec: Spec, ns: Namespace, own: dict[str, str]) -> list[str]:
    opt = spec.optimizer
    if opt.betas is not None:
        cls, extra = "Adam", [f"betas={tuple(opt.betas)!r}"]
    else:
        cls, extra = "SGD", [f"momentum={opt.momentum!r}"] if opt.momentum is not None else []
    model, optimizer = own["model"], own["optimizer"]
    if len(opt.groups) == 1:
        keywords = ", ".join([f"lr={opt.groups[0].lr!r}", *extra])
        return [f"{model} = torch.nn.Linear(1, 1)  # stands in for your model", f"{optimizer} = torch.optim.{cls}({model}.parameters(), {keywords})"]
    names = [ns.fresh(_identifier(g.name)) for g in opt.groups]
    lines = [f"{n} = torch.nn.Linear(1, 1)  # stands in for the parameters of group {g.name!r}" for n, g in zip(names, opt.groups)]
    lines.append(f"{optimizer} = torch.optim.{cls}(")
    lines.append("    [")
    lines += [f'        {{"params": {n}.parameters(), "lr": {g.lr!r}}},' for n, g in zip(names, opt.groups)]
    lines.append("    ],")
    # polynomial and min_lr read optimizer.defaults["lr"]: lrplot takes the first group's
    lines.append(f"    lr={opt.groups[0].lr!r},  # optimizer.defaults['lr']")
    lines += [f"    {e}," for e in extra]
    lines.append(")")
    return lines


def _trainer_code(spec: Spec) -> str:
    from .checks import _with_options

    section, args = _with_options(spec.source)
    plan = args.plan
    lines = ["from transformers import Trainer, TrainingArguments", "", "training_args = TrainingArguments("]
    lines += [f"    {key}={value!r}," for key, value in section.items() if key not in PLAN_KEYS]
    lines.append(")")
    where = []
    if plan.dataset_size is not None:
        where.append(f"your {plan.dataset_size:,} training samples")
    if plan.devices > 1:
        where.append(f"{plan.devices} processes (torchrun --nproc_per_node {plan.devices}, or across nodes)")
    lines.append(
        f"# The Trainer derives num_training_steps={plan.num_training_steps} and num_warmup_steps={plan.num_warmup_steps}"
        + (f" from these, {' and '.join(where)}" if where else " from these")
        + "; `lrplot explain` shows the arithmetic."
    )
    evaluation = ", eval_dataset=eval_dataset" if args.eval_strategy != "no" else ""
    lines.append(f"trainer = Trainer(model=model, args=training_args, train_dataset=train_dataset{evaluation})  # your model and data")
    lines.append("trainer.train()")
    return "\n".join(lines) + "\n"
