"""Files out: the export formats, and atomic writes that never leave a partial or damaged file."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .engine import Trace

FIGURE_FORMATS = ("png", "svg", "pdf")
DATA_FORMATS = ("json", "csv")


def figure_format(path: str) -> str:
    """The figure format a path's extension names; a clear error before any work is done."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in FIGURE_FORMATS:
        raise ConfigError("--output", f"{path!r} has no figure extension; end it with .png, .svg or .pdf")
    check_writable(path)
    return ext


def check_writable(path: str) -> None:
    folder = Path(path).parent
    if not folder.is_dir():
        raise ConfigError("--output", f"folder {str(folder)!r} does not exist")
    if Path(path).is_dir():
        raise ConfigError("--output", f"{path!r} is a folder; name a file")
    # A real probe: permission bits say nothing for root, or on read-only and virtual file systems.
    try:
        fd, probe = tempfile.mkstemp(prefix=".lrplot-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ConfigError("--output", f"cannot write in folder {str(folder)!r}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    A rename within one folder is atomic, so readers see the old file or the new one, never a mix;
    a failure (or an interrupt) before the rename leaves the old file as it was.
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".lrplot-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        # mkstemp makes the file private (0600); give it the mode a plain open() would: the
        # replaced file's, or the umask's.
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _mode_for(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_output(target: str, data: bytes) -> None:
    """Write to a path atomically, or to stdout for ``-``."""
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        check_writable(target)
        write_atomic(target, data)


# ----------------------------------------------------------------------------------------------
# Export formats (DESIGN.md): floats are written with repr, which round-trips exactly.


def to_json(trace: Trace) -> bytes:
    doc: dict[str, Any] = {
        "name": trace.name,
        "unit": trace.unit,
        # a run counted in iterations with no epoch length has no epochs to list
        "steps_per_epoch": trace.steps_per_epoch if trace.has_epochs else None,
        "step": trace.step.tolist(),
        "epoch": trace.epoch.tolist() if trace.has_epochs else None,
        "groups": list(trace.groups),
        "lr": trace.lr.tolist(),
        "momentum": None if trace.momentum is None else trace.momentum.tolist(),
        "metric": None if trace.metric is None else [None if v != v else v for v in trace.metric.tolist()],
    }
    return (json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n").encode()


def csv_header(trace: Trace) -> list[str]:
    groups = trace.groups
    one = len(groups) == 1
    cols = ["step", "epoch"] if trace.has_epochs else ["step"]
    cols += ["lr"] if one else [f"lr_{g}" for g in groups]
    if trace.momentum is not None:
        cols += ["momentum"] if one else [f"momentum_{g}" for g in groups]
    if trace.metric is not None:
        cols.append("metric")
    return cols


def to_csv(trace: Trace) -> bytes:
    columns: list[list[str]] = [[str(s) for s in trace.step.tolist()]]
    if trace.has_epochs:
        columns.append([repr(e) for e in trace.epoch.tolist()])
    for row in trace.lr.tolist():
        columns.append([repr(v) for v in row])
    if trace.momentum is not None:
        for row in trace.momentum.tolist():
            columns.append([repr(v) for v in row])
    if trace.metric is not None:
        columns.append(["" if v != v else repr(v) for v in trace.metric.tolist()])
    header = [_csv_field(c) for c in csv_header(trace)]
    lines = [",".join(header)]
    lines += [",".join(cells) for cells in zip(*columns)]
    return ("\n".join(lines) + "\n").encode()


def _csv_field(name: str) -> str:
    if any(c in name for c in ',"\n'):
        return '"' + name.replace('"', '""') + '"'
    return name
