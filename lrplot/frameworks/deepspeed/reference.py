"""Drive real DeepSpeed 0.19.8 on CPU (needs the ``reference`` extra): the ground truth of the tests.

A config's ds_config (the section as written, or a ``type: deepspeed.<Class>`` config's keywords as
a ``"scheduler"`` block) goes to ``deepspeed.initialize`` over a one-layer model in a one-process
gloo group, and the engine trains: ``engine.backward``, ``engine.step()``, the lr each step trains
with read before it. A step listed in ``skipped_steps`` is made to overflow by setting the
optimizer's ``overflow`` flag the engine reads (what DeepSpeed's fp16 optimizers set on inf
gradients), so the engine's own skip branch runs. Under transformers' Trainer, the ds_config is
filled by transformers' own ``HfTrainerDeepSpeedConfig`` (``trainer_config_process`` and
``trainer_config_finalize``) with the num_training_steps a real Trainer computes. lrplot never
imports this module.
"""

from __future__ import annotations

import copy
import logging
import os
import warnings
from typing import Any, Mapping

VERSION = "0.19.8"


class LibraryError(Exception):
    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


def version() -> str:
    import deepspeed

    return deepspeed.__version__


def _environment() -> None:
    os.environ.setdefault("DS_ACCELERATOR", "cpu")
    for key, value in (("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", "29533"), ("RANK", "0"), ("LOCAL_RANK", "0"), ("WORLD_SIZE", "1")):
        os.environ.setdefault(key, value)


def _hf_filled(ds: dict[str, Any], section: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """The ds_config as transformers' integration fills it, and the optimizer steps the Trainer trains."""
    from transformers import TrainingArguments
    from transformers.integrations.deepspeed import HfTrainerDeepSpeedConfig

    from ..transformers.reference import PLAN_KEYS, stand_ins, trainer_trace

    hf = {k: v for k, v in section.items() if k != "deepspeed"}
    sizes = trainer_trace(hf)  # a real Trainer (without DeepSpeed): num_training_steps and the steps it trains
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(output_dir=tmp, use_cpu=True, report_to="none", **{k: v for k, v in hf.items() if k not in PLAN_KEYS})
        config = HfTrainerDeepSpeedConfig(copy.deepcopy(ds))
        config.trainer_config_process(args)
        config.trainer_config_finalize(args, stand_ins({"dataset_size": 1})["model"], sizes["num_training_steps"])
    return config.config, len(sizes["lr"][0])


def trace(config: Mapping[str, Any]) -> dict[str, Any]:
    _environment()
    import torch
    import deepspeed

    deepspeed.utils.logger.setLevel(logging.ERROR)
    if "deepspeed" in config or "transformers" in config:
        ds = copy.deepcopy(dict(config.get("deepspeed") or config["transformers"]["deepspeed"]))
        steps = ds.pop("steps", None)
        skipped = set(ds.pop("skipped_steps", None) or ())
        if "transformers" in config and "scheduler" not in ds:
            # no DeepSpeed scheduler: the Trainer's own schedule trains (the engine steps it as the Trainer would)
            from ..transformers.reference import trainer_trace

            return {"lr": trainer_trace({k: v for k, v in config["transformers"].items() if k != "deepspeed"})["lr"], "momentum": None}
        if "transformers" in config:
            try:
                ds, steps = _hf_filled(ds, config["transformers"])
            except Exception as exc:  # noqa: BLE001 - transformers refusing the ds_config is the recorded outcome
                raise LibraryError(type(exc).__name__, str(exc), None) from None
        steps = steps or ds["scheduler"]["params"]["total_num_steps"]
        # without an optimizer block the client's optimizer trains: the Trainer's AdamW at learning_rate
        fallback = config["transformers"].get("learning_rate", 5e-5) if "transformers" in config else 0.001
        lr = (ds.get("optimizer") or {}).get("params", {}).get("lr", fallback)
        betas = (ds.get("optimizer") or {}).get("params", {}).get("betas", [0.9, 0.999])
    else:
        written = {k: v for k, v in config["scheduler"].items() if k != "type"}
        skipped = set(written.pop("skipped_steps", None) or ())
        steps = config["run"]["iterations"]
        name = config["scheduler"]["type"].split(".", 1)[1]
        if name in ("WarmupDecayLR", "WarmupCosineLR"):
            written.setdefault("total_num_steps", steps)
        ds = {"scheduler": {"type": name, "params": written}}
        lr = config["optimizer"]["lr"]
        betas = config["optimizer"].get("betas")
    ds["train_batch_size"] = 1
    for key in ("train_micro_batch_size_per_gpu", "gradient_accumulation_steps", "fp16", "bf16", "zero_optimization"):
        ds.pop(key, None)  # one process on a CPU: fp32, no ZeRO; overflows come from skipped_steps
    opt_params = {"lr": lr, "torch_adam": True, **({"betas": list(betas)} if betas is not None else {})}
    ds["optimizer"] = {"type": "AdamW" if betas is not None else "SGD", "params": opt_params if betas is not None else {"lr": lr}}
    model = torch.nn.Linear(2, 1)
    lrs: list[float] = []
    moms: list[float] = []
    step = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            engine, *_ = deepspeed.initialize(model=model, model_parameters=model.parameters(), config=ds)
            for step in range(steps):
                group = engine.optimizer.param_groups[0]
                lrs.append(float(group["lr"]))
                if "betas" in group:
                    moms.append(float(group["betas"][0]))
                if step in skipped:
                    engine.optimizer.overflow = True
                engine.backward(engine(torch.ones(1, 2)).sum())
                engine.step()
                if step in skipped:
                    del engine.optimizer.overflow
        except Exception as exc:  # noqa: BLE001 - what DeepSpeed raises is the recorded outcome
            raise LibraryError(type(exc).__name__, str(exc), step) from None
    return {"lr": [lrs], "momentum": [moms] if moms else None}
