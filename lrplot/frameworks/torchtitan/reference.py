"""Drive real torchtitan 0.3.0 (needs the ``reference`` extra): the ground truth of the tests.

The config's ``[lr_scheduler]`` keys, as written, go to ``LRSchedulersContainer.Config(...).build``
over a real torch optimizer with ``training_steps`` = the run; ``lr_schedulers.step()`` follows every
optimizer step, the last one included, as torchtitan's trainer does. lrplot never imports this module.
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping

VERSION = "0.3.0"


class LibraryError(Exception):
    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


def version() -> str:
    from importlib.metadata import version as installed

    return installed("torchtitan")


def arguments(config: Mapping[str, Any]) -> tuple[dict[str, Any], int, float]:
    """The lr_scheduler keys, training.steps and optimizer.lr as torchtitan's config holds them."""
    if "torchtitan" in config:
        section = config["torchtitan"]
        tables: dict[str, dict[str, Any]] = {"lr_scheduler": {}, "training": {}, "optimizer": {}}
        for key, value in section.items():
            name = key.lstrip("-")
            if "." in name:
                table, field = name.split(".", 1)
                tables[table][field] = value
            else:
                tables[name].update(value)
        sched = dict(tables["lr_scheduler"])
        if "lr_min" in sched:  # 0.1.0's name
            sched["min_lr_factor"] = sched.pop("lr_min")
        return sched, tables["training"].get("steps", 10000), tables["optimizer"].get("lr", 8e-4)
    written = {k: v for k, v in config["scheduler"].items() if k != "type"}
    return written, config["run"]["iterations"], config["optimizer"]["lr"]


def trace(config: Mapping[str, Any]) -> dict[str, Any]:
    import torch
    from torchtitan.components.optimizer.lr_scheduler import LRSchedulersContainer

    sched, steps, lr = arguments(config)
    lrs_given = lr if isinstance(lr, list) else [lr]
    opt = torch.optim.AdamW([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": x} for x in lrs_given], lr=lrs_given[0])
    lrs: list[list[float]] = []
    step = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            container = LRSchedulersContainer.Config(**sched).build(optimizers=[opt], training_steps=steps)
            for step in range(steps):
                lrs.append([float(g["lr"]) for g in opt.param_groups])
                opt.step()
                container.step()
        except Exception as exc:  # noqa: BLE001 - what torchtitan raises is the recorded outcome
            raise LibraryError(type(exc).__name__, str(exc), step) from None
    return {"lr": [list(col) for col in zip(*lrs)], "momentum": None}
