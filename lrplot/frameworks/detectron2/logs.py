"""detectron2's own log: the ``metrics.json`` its JSONWriter writes into the output folder.

One JSON object per line, written every 20 iterations (``PeriodicWriter``) and at the last one,
with ``iteration`` and the scalars put since the last write; evaluation results come on lines of
their own, without ``lr``. The LRScheduler hook puts ``lr`` in ``after_step``, before it steps the
scheduler, so the lr logged at iteration i is the one iteration i trained with: iteration i is
optimizer step i (from 0). It logs one param group's lr (``get_best_param_group_id``: the most
common lr when every group holds one parameter, as detectron2's default groups do).

An output folder holds ``metrics.json`` and the ``config.yaml`` detectron2 dumps beside it (the
whole config, every key written out), so ``lrplot verify OUTPUT_DIR`` needs nothing else.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import ConfigError
from ...runlog import LogRequest, RunLog, json_lines

LOG_FORMATS = "metrics.json (detectron2), or the output folder holding it and config.yaml"


def claims_log(path: Path) -> bool:
    return path.name == "metrics.json" or (path.is_dir() and (path / "metrics.json").is_file())


def read_log(path: Path, where: str, request: LogRequest) -> RunLog:
    if path.is_dir():
        path = path / "metrics.json"
    if request.first_step not in (None, 0):
        raise ConfigError("--first-step", "detectron2 logs the lr of iteration i as iteration i, from 0; drop --first-step")
    columns = request.columns or ("lr",)
    return json_lines(where, path, LogRequest(columns, request.step_column, 0, request.steps), "detectron2 metrics.json",
                      step_names=("iteration",), first_step=0)


def run_folder(folder: Path) -> tuple[Path, Path] | None:
    """An output folder: the ``config.yaml`` detectron2 dumped and its ``metrics.json``."""
    config, log = folder / "config.yaml", folder / "metrics.json"
    if config.is_file() and log.is_file():
        return config, log
    return None
