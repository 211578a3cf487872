"""The plan as a run in a dashboard: ``lrplot export CONFIG --format tensorboard -o DIR``.

The planned lr of every param group (and the momentum, where the trace has one) is written as a
TensorBoard run with TensorBoard's own record writer and protos (the ``tensorboard`` extra), under
the tags and at the step numbers the framework's own training loop logs with, so that the plan
and the real run share charts and their points line up (``Logging``; a framework's ``logs`` module
says how its loop logs with ``dashboard(spec)``, and runlog.py's notes say how each tool numbers its
steps). Points are float64 tensors with the scalars plugin's metadata: TensorBoard reads back the
exact plan, where ``add_scalar``'s float32 would round it.

A run of up to ``MAX_POINTS`` logged points is written whole; a longer one as the steps a figure
keeps (every pixel column's first, last, lowest and highest: ``chart.reduce_points``), each with its
own exact value, since TensorBoard shows a sample of a thousand points per chart anyway and
writing a million events takes a minute.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

from .errors import ConfigError

if TYPE_CHECKING:
    from .config import Spec
    from .engine import Trace

MAX_POINTS = 20_000  # logged steps written whole; above, the steps a 5,000-column figure keeps
EVENT_FILE = "events.out.tfevents.0.lrplot"  # TensorBoard reads any name with "tfevents"; this one is lrplot's
TENSORBOARD_HINT = "writing a TensorBoard run needs the tensorboard package: pip install tensorboard (or, from lrplot's checkout, pip install '.[tensorboard]')"


@dataclass(frozen=True)
class Logging:
    """How a training loop writes the lr to a dashboard: the tag of each param group's lr and
    momentum, the number it logs optimizer step 0 (or epoch 0) under, and whether it logs one
    point per epoch (the lr the epoch's last step trained with) instead of one per step."""

    lr: tuple[str, ...]
    momentum: tuple[str, ...]
    first_step: int = 0
    per_epoch: bool = False


def plain(spec: Spec) -> Logging:
    """lrplot's own names, as its CSV export writes them (``lr``, or ``lr_<group>`` for several
    groups), at the 0-based optimizer step: a hand-written loop's ``writer.add_scalar("lr",
    scheduler.get_last_lr()[0], step)`` before ``optimizer.step()``, and detectron2's ``lr``."""
    return Logging(per_group(spec, "lr", "lr_{}"), per_group(spec, "momentum", "momentum_{}"))


def per_group(spec: Spec, one: str, each: str, first: str | None = None) -> tuple[str, ...]:
    """A tag per param group: ``one`` for a single group, else ``each`` formatted with the group's
    name (or, with ``first``, that tag for the first group: the one a loop that logs one group logs)."""
    groups = spec.group_names
    if len(groups) == 1:
        return (one,)
    return tuple(first if first is not None and g == 0 else each.format(name) for g, name in enumerate(groups))


def logging_of(spec: Spec) -> Logging:
    """How the spec's framework logs the lr: its ``logs`` module's ``dashboard(spec)``, else ``plain``."""
    family = spec.family
    module = family.part(family.logs_module) if family.logs_module else None
    hook = getattr(module, "dashboard", None)
    return hook(spec) if hook is not None else plain(spec)


def points(trace: Trace, logging: Logging) -> tuple[np.ndarray, np.ndarray]:
    """(logged steps, values[tag, point]): the lr tags' rows, then the momentum tags'."""
    rows = [trace.lr] + ([trace.momentum] if trace.momentum is not None else [])
    values = np.vstack(rows)
    if logging.per_epoch:
        spe, n = trace.steps_per_epoch, len(trace)
        last = np.arange(spe - 1, n, spe)  # the last optimizer step of each whole epoch
        return np.arange(last.size, dtype=np.int64) + logging.first_step, values[:, last]
    steps = np.arange(len(trace))
    if steps.size > MAX_POINTS:
        from .chart import reduce_points

        columns = MAX_POINTS // (4 * values.shape[0])
        steps = np.unique(np.concatenate([reduce_points(row, columns) for row in values]))
    return steps + logging.first_step, values[:, steps]


def tensorboard_chunks(trace: Trace, logging: Logging | None = None) -> Iterator[bytes]:
    """The bytes of an event file holding the plan, written by TensorBoard's own RecordWriter."""
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2
        from tensorboard.plugins.scalar import metadata
        from tensorboard.summary.writer.record_writer import RecordWriter
    except ImportError:
        raise ConfigError("--format tensorboard", TENSORBOARD_HINT) from None
    logging = logging or logging_of(trace.spec)
    tags = list(logging.lr) + (list(logging.momentum) if trace.momentum is not None else [])
    steps, values = points(trace, logging)
    scalar = metadata.create_summary_metadata(display_name=None, description=None)
    shape = tensor_shape_pb2.TensorShapeProto()
    buffer = io.BytesIO()
    writer = RecordWriter(buffer)
    # wall_time 0: the same plan gives the same bytes (TensorBoard's "relative" x is then 0 throughout)
    writer.write(event_pb2.Event(wall_time=0.0, file_version="brain.Event:2").SerializeToString())
    for i, step in enumerate(steps.tolist()):
        summary = summary_pb2.Summary(value=[
            summary_pb2.Summary.Value(
                tag=tag, metadata=scalar if i == 0 else None,  # the plugin reads a tag's metadata from its first point
                tensor=tensor_pb2.TensorProto(dtype=types_pb2.DT_DOUBLE, tensor_shape=shape, double_val=[value]),
            )
            for tag, value in zip(tags, values[:, i].tolist())
        ])
        writer.write(event_pb2.Event(wall_time=0.0, step=step, summary=summary).SerializeToString())
        if buffer.tell() > 1 << 20:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def run_folder(path: str) -> Path:
    """The folder a TensorBoard run goes to, checked before any work: new, or holding no event file
    but lrplot's own (the plan is never written into a real run's folder, where it would mix with it)."""
    from .output import check_folder

    if path == "-":
        raise ConfigError("--output", "a TensorBoard run is a folder: name one with -o, like runs/plan")
    folder = Path(path)
    check_folder(folder, "--output")
    if folder.is_dir():
        theirs = sorted(f.name for f in folder.iterdir() if "tfevents" in f.name and f.name != EVENT_FILE)
        if theirs:
            raise ConfigError("--output", f"{path!r} holds another run's event files ({theirs[0]}); write the plan to a folder of its own, "
                                          "beside the run (TensorBoard shows every run under its --logdir)")
    return folder


def write_tensorboard(trace: Trace, folder: Path) -> Path:
    """Write (or replace, atomically) the plan's event file in ``folder``; returns its path."""
    from .output import write_atomic

    chunks = tensorboard_chunks(trace)
    first = next(chunks)  # a missing tensorboard package fails here, before any folder is made
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EVENT_FILE
    write_atomic(os.fspath(path), _prepend(first, chunks))
    return path


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
