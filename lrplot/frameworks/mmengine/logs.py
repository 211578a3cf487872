"""mmengine's own log: the ``vis_data/scalars.json`` its LocalVisBackend writes into a work_dir.

A work_dir holds the dumped config (``<config name>.py``) and one ``<timestamp>/`` folder per run,
whose ``vis_data/scalars.json`` (and ``<timestamp>.json``, the same lines) has a JSON line per
logged iteration. RuntimeInfoHook reads the lr in ``before_train_iter`` (what the iteration trains
with) and LoggerHook writes it with ``step`` = ``runner.iter + 1``: step s is iteration s - 1, as
lrplot numbers them from 0. ``lr`` is the optimizer's first param group; with several groups
OptimWrapper also logs ``base_lr``, its base group (the optimizer's lr before ``paramwise_cfg``'s
``lr_mult``), which is lrplot's first group (``default``) and is the column read by default.
"""

from __future__ import annotations

from pathlib import Path

from ...dashboards import Logging, per_group
from ...errors import ConfigError
from ...runlog import LogRequest, RunLog, json_lines, read_bytes

LOG_FORMATS = "vis_data/scalars.json, or the work_dir holding it"
_NAMES = ("scalars.json",)


def _is_vis_json(path: Path) -> bool:
    return path.suffix == ".json" and path.parent.name == "vis_data"


def _runs(folder: Path) -> list[Path]:
    """The ``scalars.json`` files below a work_dir (one per run), a run folder, or a vis_data folder."""
    if folder.name == "vis_data" and (folder / "scalars.json").is_file():
        return [folder / "scalars.json"]
    if (folder / "vis_data" / "scalars.json").is_file():
        return [folder / "vis_data" / "scalars.json"]
    return sorted(p / "vis_data" / "scalars.json" for p in folder.iterdir() if (p / "vis_data" / "scalars.json").is_file())


def claims_log(path: Path) -> bool:
    if path.is_dir():
        return bool(_runs(path))
    return _is_vis_json(path)


def read_log(path: Path, where: str, request: LogRequest) -> RunLog:
    if path.is_dir():
        runs = _runs(path)
        path = runs[-1]  # the latest run: the timestamps sort in time
        where = f"{where}/{path.relative_to(Path(where)) if Path(where) in path.parents else path.name}"
    if request.first_step not in (None, 1):
        raise ConfigError("--first-step", "mmengine logs step = iteration + 1 (counted from 1); drop --first-step")
    data = read_bytes(path, where)
    if not request.columns and b'"base_lr"' in data:
        request = LogRequest(("base_lr",), request.step_column, request.first_step, request.steps)
    return json_lines(where, data, request, kind="mmengine vis_data scalars", step_names=("step",), first_step=1)


def run_folder(folder: Path) -> tuple[Path, Path] | None:
    """A work_dir's dumped config and its latest run's scalars.json."""
    runs = _runs(folder)
    if not runs:
        return None
    log = runs[-1]
    configs = sorted(p for p in folder.glob("*.py") if p.is_file())
    if len(configs) == 1:
        return configs[0], log
    copy = log.parent / "config.py"  # LocalVisBackend's copy of the config
    if copy.is_file():
        return copy, log
    if configs:
        raise ConfigError(str(folder), f"holds {len(configs)} configs ({', '.join(p.name for p in configs[:4])}); give CONFIG RUNLOG")
    return None


def dashboard(spec) -> Logging:
    """LoggerHook writes to every visualizer backend (TensorboardVisBackend as LocalVisBackend) the
    lr at ``runner.iter + 1``: ``lr`` for one param group; with several, the base group (lrplot's
    first) as ``base_lr``, the others beside it. The momentum, which it does not log, goes beside them."""
    lr = ("lr",) if len(spec.group_names) == 1 else per_group(spec, "lr", "lr_{}", first="base_lr")
    return Logging(lr, per_group(spec, "momentum", "momentum_{}"), first_step=1)
