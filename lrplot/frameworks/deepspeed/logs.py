"""DeepSpeed's own log: the ``Train/Samples/lr`` scalar its monitor writes (``"tensorboard"`` or ``"wandb"`` in the ds_config).

``DeepSpeedEngine.step()`` writes ``Train/Samples/lr`` after each optimizer step, at ``global_samples``
(samples, not steps) and after the scheduler stepped: the value at samples S = (k + 1) x
train_batch_size is the lr optimizer step k + 1 trains with. The batch size is the first point's
sample count (the monitor writes every step); the log's steps are S / train_batch_size.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ...errors import ConfigError
from ...runlog import LogRequest, RunLog, from_scalars
from ..megatron.logs import mentions, scalars

LOG_FORMATS = "a DeepSpeed monitor TensorBoard run (Train/Samples/lr, per sample)"
_TAG = "Train/Samples/lr"


def claims_log(path: Path) -> bool:
    return mentions(path, _TAG.encode())


def read_log(path: Path, where: str, request: LogRequest) -> RunLog:
    found = scalars(path, where)
    if _TAG not in found:
        raise ConfigError(where, f"has no {_TAG} scalar (DeepSpeed's monitor); it has {', '.join(sorted(found))}")
    samples, values = found[_TAG]
    batch = int(samples[0]) if len(samples) else 0
    if batch <= 0 or np.any(samples % batch):
        raise ConfigError(where, f"{_TAG} is not logged at multiples of one batch size (first at {batch} samples); lrplot cannot tell the steps")
    if request.first_step not in (None, 0):
        raise ConfigError("--first-step", "DeepSpeed logs the lr after each step at its samples; lrplot maps them onto steps: drop --first-step")
    log = from_scalars(where, {_TAG: (samples // batch, values)}, first_step=0,
                        kind=f"DeepSpeed monitor (Train/Samples/lr at global_samples / train_batch_size {batch}: the lr after each step, the next step's)")
    return replace(log, after_run_end=True)


def run_folder(folder: Path) -> None:
    return None
