"""torchtitan's own log: the TensorBoard run its metrics logger writes (``[metrics] enable_tensorboard``).

The trainer reads the lr before ``optimizers.step()`` and logs it at ``self.step``, which counts from
1: step s of the log is the lr optimizer step s - 1 trained with. The scalar is ``lr`` up to 0.2 and
``lr/<Optimizer>`` (``lr/AdamW``) in 0.3 (``LRSchedulersContainer.get_metrics``). A run is recognised
by torchtitan's ``loss_metrics/global_avg_loss`` scalar.
"""

from __future__ import annotations

from pathlib import Path

from ...dashboards import Logging, per_group
from ...errors import ConfigError
from ...runlog import LogRequest, RunLog, from_scalars
from ..megatron.logs import mentions, scalars

LOG_FORMATS = "a torchtitan TensorBoard run (lr or lr/<Optimizer> per step, from 1)"


def claims_log(path: Path) -> bool:
    return mentions(path, b"loss_metrics/global_avg_loss")


def read_log(path: Path, where: str, request: LogRequest) -> RunLog:
    found = scalars(path, where)
    names = list(request.columns) or [n for n in found if n == "lr" or n.startswith("lr/")]
    if not names:
        raise ConfigError(where, f"has no lr scalar (lr, or lr/<Optimizer> in 0.3); it has {', '.join(sorted(found))}")
    for n in names:
        if n not in found:
            raise ConfigError("--column", f"{where} has no {n!r}")
    if request.first_step not in (None, 1):
        raise ConfigError("--first-step", "torchtitan numbers its steps from 1 (the lr of step s is logged at s + 1); drop --first-step")
    return from_scalars(where, {n: found[n] for n in names}, first_step=1,
                        kind="torchtitan TensorBoard (step s: the lr optimizer step s - 1 trained with)")


def run_folder(folder: Path) -> None:
    return None


def dashboard(spec) -> Logging:
    """The trainer's TensorBoardLogger writes ``LRSchedulersContainer.get_metrics()`` at its step (from
    1), read before the step: ``lr/<Optimizer>`` in 0.3 (the ``[optimizer] name``, AdamW by default).
    The other groups and the momentum go beside it."""
    tables = spec.source.get("torchtitan") if isinstance(spec.source.get("torchtitan"), dict) else {}
    name = (tables.get("optimizer") or {}).get("name", "AdamW")
    return Logging(per_group(spec, f"lr/{name}", f"lr/{name}/{{}}", first=f"lr/{name}"), per_group(spec, "momentum", "momentum/{}"), first_step=1)
