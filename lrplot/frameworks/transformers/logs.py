"""transformers' own log: the ``trainer_state.json`` the Trainer writes into its output folder and checkpoints.

Its ``log_history`` holds an entry per logging step with ``learning_rate`` and ``step``; since
transformers 4.51 the lr logged at global step g is the one optimizer step g - 1 trained with (the
Trainer logs after incrementing ``global_step``), so its steps count from 1. Evaluation and summary
entries carry no lr and are skipped. The Trainer keeps its TrainingArguments only as a pickled
``training_args.bin``, which lrplot never loads, so an output folder gives the log but not the plan.
"""

from __future__ import annotations

from pathlib import Path

from ...dashboards import Logging, per_group
from ...errors import ConfigError
from ...runlog import LogRequest, RunLog, assemble, cell, choose_lr, load_json, read_bytes

LOG_FORMATS = "trainer_state.json, or the output folder holding it"
# The Trainer's TensorBoard and W&B callbacks log the same values as trainer_state.json, under these
# names, numbered the same way (from 1): in any CSV or TensorBoard run they mean steps from 1.
NAMES_FROM_ONE = ("train/learning_rate", "train/global_step")


def claims_log(path: Path) -> bool:
    return path.name == "trainer_state.json" or (path.is_dir() and _state_in(path) is not None)


def read_log(path: Path, where: str, request: LogRequest) -> RunLog:
    if path.is_dir():
        path = _state_in(path)
    state = load_json(read_bytes(path, where), where)
    if not isinstance(state, dict) or not isinstance(state.get("log_history"), list):
        raise ConfigError(where, "has no log_history; lrplot reads transformers' trainer_state.json (or give a .jsonl log)")
    if request.first_step not in (None, 1):
        raise ConfigError("--first-step", "transformers numbers its steps from 1 (global_step after the step); drop --first-step")
    entries = [e for e in state["log_history"] if isinstance(e, dict)]
    names = list(dict.fromkeys(k for e in entries for k in e))
    lr_names = choose_lr(names, request.columns or (["learning_rate"] if "learning_rate" in names else []), where)
    if len(lr_names) != 1:
        raise ConfigError("--column", "trainer_state.json logs one lr (param group 0's); name one column")
    rows = [e for e in entries if e.get(lr_names[0]) is not None]  # eval and summary entries have none
    steps = [cell(e.get("step")) for e in rows]
    values = [[cell(e.get(lr_names[0])) for e in rows]]
    return assemble(where, "transformers trainer_state.json", lr_names, steps, values, 1, line_offset=None, plan_steps=request.steps)


def run_folder(folder: Path) -> None:
    """An output folder holds the log, but its TrainingArguments only pickled: no plan to pair it with."""
    return None


def _state_in(folder: Path) -> Path | None:
    """``trainer_state.json`` in a folder, or in its latest ``checkpoint-N`` (whose log holds the others')."""
    own = folder / "trainer_state.json"
    if own.is_file():
        return own
    checkpoints = [c for c in folder.glob("checkpoint-*") if c.name[11:].isdigit() and (c / "trainer_state.json").is_file()]
    if not checkpoints:
        return None
    return max(checkpoints, key=lambda c: int(c.name[11:])) / "trainer_state.json"


def dashboard(spec) -> Logging:
    """The Trainer's TensorBoardCallback and WandbCallback log param group 0's lr as
    ``train/learning_rate`` at ``global_step`` (from 1, like trainer_state.json); the other groups
    and the momentum, which it does not log, go beside it."""
    return Logging(per_group(spec, "train/learning_rate", "train/learning_rate/{}", first="train/learning_rate"),
                   per_group(spec, "train/momentum", "train/momentum/{}"), first_step=1)
