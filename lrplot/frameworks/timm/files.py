"""timm's own files: the ``args.yaml`` train.py writes into its output folder, and the ``--config``
YAML it reads, which hold the same keys.

train.py parses its arguments (a ``-c/--config`` YAML sets their defaults), then dumps every one of
them with ``yaml.safe_dump(args.__dict__)`` into ``<output>/<experiment>/args.yaml``. The keys are
argparse's destinations (``sched``, ``warmup_epochs``, ``lr_base``, ...): the schedule's are the
``timm:`` section's, and the rest (the model, the data, augmentation) do not change the schedule.
What train.py learns at run time is not in the file: the dataset's size and the number of processes
(give them with --dataset-size and --devices).
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from ...sources import ConfigFile, SourceFile
from .section import ARGS, NOT_FLAGS

# Keys every train.py args.yaml has that no other file lrplot reads would: the schedule's and the model's.
_SIGNATURE = ("sched", "epochs", "warmup_epochs", "model", "opt")


def claims(source: SourceFile) -> str | None:
    data = source.data
    if isinstance(data, dict) and all(k in data for k in _SIGNATURE):
        return "timm train.py arguments (args.yaml)"
    return None


def read(source: SourceFile) -> ConfigFile:
    data: dict[str, Any] = source.data
    repeats = data.get("epoch_repeats") or 0
    if repeats:
        # train.py's loader repeats the dataset epoch_repeats times per epoch (a multi-epochs loader)
        raise ConfigError(f"{source.where}: epoch_repeats", f"is {repeats}: train.py's epochs then cover the data {repeats} times, "
                          "which lrplot does not model; set it to 0, or give updates_per_epoch in a `timm:` section")
    section = {key: data[key] for key in ARGS if key in data and key not in NOT_FLAGS}
    lines = [f"  {len(section)} of its {len(data)} train.py arguments make the schedule; the others (model, data, augmentation) do not change it"]
    start = data.get("start_epoch")
    if start or data.get("resume"):
        lines.append(f"  the run resumed (resume {data.get('resume')!r}, start_epoch {start!r}); lrplot draws it from its first epoch")
    config: dict[str, Any] = {"timm": section}
    if data.get("experiment"):
        config["name"] = str(data["experiment"])
    return ConfigFile(config, "timm", tuple(lines), (source.where,))
