"""Drive real transformers 5.23.0 (needs the ``reference`` extra): the ground truth of the tests.

``get_scheduler_trace`` builds a ``type: transformers.<name>`` config with ``transformers.get_scheduler``
over a real torch optimizer and steps it as DESIGN.md's stepping convention says. ``trainer_trace``
runs a real ``Trainer`` on a tiny model over an in-memory dataset of ``dataset_size`` samples with
the config's ``transformers:`` TrainingArguments, and records the lr every optimizer step trained
with (read at ``on_pre_optimizer_step``). Under ``torchrun`` it trains on every process (gloo) and
each process records its own. lrplot never imports this module.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from typing import Any, Mapping

from ...metric import MetricFeed

VERSION = "5.23.0"


class LibraryError(Exception):
    """The library raised: ``kind`` is the exception class, ``step`` the optimizer step (None: while building)."""

    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


def check_version() -> str:
    import transformers

    if transformers.__version__ != VERSION:
        raise SystemExit(f"transformers {VERSION} is the reference, but {transformers.__version__} is installed")
    return transformers.__version__


def scheduler_arguments(config: Mapping[str, Any], run_length: int) -> tuple[str, dict[str, Any]]:
    """``get_scheduler``'s name and keyword arguments for a ``type:`` config: the keywords exactly as
    the config writes them (the library's own defaults for the rest; lrplot's validation not in the
    way), and ``num_training_steps`` filled from the run where the config leaves it out, as lrplot does."""
    from ...registry import lookup

    written = dict(config["scheduler"])
    info = lookup(written.pop("type"))
    args = {k: written.pop(k) for k in ("num_warmup_steps", "num_training_steps") if k in written}
    takes_length = any(p.name == "num_training_steps" for p in info.params)
    if takes_length and "num_training_steps" not in args and written.get("num_stable_steps") is None:
        args["num_training_steps"] = run_length
    if written:
        args["scheduler_specific_kwargs"] = written
    return info.library_name, args


def get_scheduler_trace(config: Mapping[str, Any], base_dir: Any = None) -> dict[str, Any]:
    """``{"lr": [[...]], "momentum": [[...]] | None, "metric": [...] | None}``; LibraryError when it raises.

    The run, optimizer and metric come from lrplot's reading of the config; the schedule is built
    by transformers from the config's own keywords, so the library decides what it accepts.
    """
    import torch
    import transformers

    from ...config import load
    from ...engine import tracks_momentum
    from ...registry import lookup

    metric_driven = lookup(config["scheduler"]["type"]).steps_on_metric
    stand_in = "transformers.reduce_lr_on_plateau" if metric_driven else "transformers.constant"
    spec = load({**config, "scheduler": {"type": stand_in}}, base_dir=base_dir)
    opt_spec = spec.optimizer
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in opt_spec.groups]
    groups = [{"params": [p], "lr": g.lr} for p, g in zip(params, opt_spec.groups)]
    # optimizer.defaults["lr"] (read by polynomial and min_lr) is the first group's lr, as in lrplot
    default_lr = opt_spec.groups[0].lr
    if opt_spec.betas is not None:
        opt = torch.optim.Adam(groups, lr=default_lr, betas=tuple(opt_spec.betas))
    else:
        opt = torch.optim.SGD(groups, lr=default_lr, momentum=opt_spec.momentum or 0)
    with_momentum = tracks_momentum(spec)
    use_betas = opt_spec.betas is not None
    feed = MetricFeed(spec.metric, opt_spec.groups[0].lr) if metric_driven else None
    run = spec.run
    name, args = scheduler_arguments(config, run.length)
    lrs: list[list[float]] = []
    momenta: list[list[float]] = []
    step = None

    def scheduler_step(epoch: Any = None) -> None:
        values = () if feed is None else (feed.next(float(opt.param_groups[0]["lr"])),)
        sched.step(*values, *(() if epoch is None else (epoch,)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's epoch-argument deprecation
        try:
            sched = transformers.get_scheduler(name, opt, **args)
            spe = run.steps_per_epoch
            for step in range(run.total_steps):
                epoch, i = divmod(step, spe)
                lrs.append([float(g["lr"]) for g in opt.param_groups])
                if with_momentum:
                    momenta.append([float(g["betas"][0] if use_betas else g["momentum"]) for g in opt.param_groups])
                opt.step()
                if run.step == "iteration":
                    scheduler_step()
                elif run.step == "fractional":
                    scheduler_step(epoch + i / spe)
                elif i == spe - 1:
                    scheduler_step()
        except Exception as exc:  # whatever the library raises is the recorded outcome
            raise LibraryError(type(exc).__name__, str(exc), step) from None
    return {
        "lr": [list(col) for col in zip(*lrs)],
        "momentum": [list(col) for col in zip(*momenta)] if with_momentum else None,
        "metric": feed.fed if feed is not None else None,
    }


# ----------------------------------------------------------------------------------------------
# A real Trainer run

# Fields of the section that are lrplot's, not TrainingArguments'.
PLAN_KEYS = ("dataset_size", "devices")


def stand_ins(section: dict[str, Any], metric: list[float] | None = None) -> dict[str, Any]:
    """The model and data a Trainer case trains on: ``model``, ``train_dataset`` (``dataset_size`` samples)
    and ``eval_dataset``. The model's evaluation loss is ``metric``'s next value at each evaluation
    (values exact in float32, so ``eval_loss`` is exactly them; four eval samples are one batch)."""
    import torch

    evals = list(metric or [])

    class TinyModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = torch.nn.Linear(4, 1)
            self.evaluations = 0

        def forward(self, x, labels=None):
            out = self.lin(x).squeeze(-1)
            loss = ((out - labels) ** 2).mean()
            if not self.training:
                loss = loss * 0 + evals[self.evaluations]
                self.evaluations += 1
            return {"loss": loss, "logits": out}

    def samples(n: int, seed: int) -> list[dict[str, Any]]:
        g = torch.Generator().manual_seed(seed)
        return [{"x": torch.randn(4, generator=g), "labels": torch.randn((), generator=g)} for _ in range(n)]

    torch.manual_seed(0)
    return {"model": TinyModel(), "train_dataset": samples(section["dataset_size"], 1), "eval_dataset": samples(4, 2)}


def trainer_trace(section: dict[str, Any], metric: list[float] | None = None) -> dict[str, Any]:
    """Train the stand-in model with these TrainingArguments; the lr of every optimizer step (group 0).

    Returns ``{"lr": [[...]], "num_training_steps", "num_warmup_steps", "metric"}`` (``metric``: the
    eval_loss values a plateau scheduler was stepped with); raises LibraryError where transformers
    (or torch, or accelerate) raises.
    """
    from transformers import Trainer, TrainerCallback, TrainingArguments
    from transformers.trainer_callback import PrinterCallback
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    lrs: list[float] = []
    fed: list[float] = []
    sizes: dict[str, int] = {}

    class Recorder(TrainerCallback):
        def on_pre_optimizer_step(self, args, state, control, optimizer=None, **kw):
            lrs.append(float(optimizer.param_groups[0]["lr"]))  # what this optimizer.step() uses

        def on_evaluate(self, args, state, control, metrics=None, **kw):
            fed.append(metrics["eval_loss"])  # what the Trainer steps a plateau scheduler with

    class RecordingTrainer(Trainer):
        def create_scheduler(self, num_training_steps, optimizer=None):
            if self.lr_scheduler is None:
                sizes["num_training_steps"] = num_training_steps
                sizes["num_warmup_steps"] = self.args.get_warmup_steps(num_training_steps)
            return super().create_scheduler(num_training_steps, optimizer)

    arguments = {k: v for k, v in section.items() if k not in PLAN_KEYS}
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world != section.get("devices", 1):
        raise SystemExit(f"the case wants {section.get('devices', 1)} devices, this process group has {world}")
    fixed = {"report_to": "none", "save_strategy": "no", "disable_tqdm": True, "use_cpu": True, "seed": 0}
    if world > 1:
        fixed.update(ddp_backend="gloo", ddp_find_unused_parameters=False)
    step = None
    with warnings.catch_warnings(), tempfile.TemporaryDirectory(prefix="lrplot-trainer-") as tmp:
        warnings.simplefilter("ignore")
        try:
            args = TrainingArguments(**{"output_dir": tmp, **fixed, **arguments})
            data = stand_ins(section, metric)
            trainer = RecordingTrainer(
                model=data["model"],
                args=args,
                train_dataset=data["train_dataset"],
                eval_dataset=data["eval_dataset"] if args.eval_strategy != "no" else None,
                callbacks=[Recorder()],
            )
            trainer.remove_callback(PrinterCallback)
            step = 0
            trainer.train()
        except Exception as exc:  # noqa: BLE001  the library's exception is the recorded outcome
            raise LibraryError(type(exc).__name__, str(exc), None if step is None else len(lrs)) from None
    return {"lr": [lrs], "metric": fed or None, **sizes}
