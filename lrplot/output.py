"""Files out: the export formats, streamed, and writes that never leave a partial or damaged file.

Where an output path leads is settled before any work (:func:`destination`): a regular file (or
a new one) is written atomically, through a temporary file beside it and a rename; a symlink is
written through, atomically beside its target, and stays a symlink; a FIFO or a character device
(``/dev/null``, a terminal) is written directly, since renaming over it would replace the device
with a plain file; a folder, socket or block device is refused. Exports are generated in chunks,
so writing 20 million values needs a few megabytes beyond the trace itself.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from .frozen import record
from .errors import ConfigError

if TYPE_CHECKING:
    from .engine import Trace

FIGURE_FORMATS = ("png", "svg", "pdf")
PAGE_FORMATS = (*FIGURE_FORMATS, "html")  # plot and compare also write an interactive page
DATA_FORMATS = ("json", "csv")
_CHUNK = 1 << 14  # values (JSON) or rows (CSV) per chunk of an export: a few MB of text


@record
class Destination:
    """Where an output goes: ``path`` (a symlink's target) and how: ``file`` (atomic), ``stream``, ``stdout``."""

    path: str
    how: str


def figure_format(path: str, formats: tuple[str, ...] = FIGURE_FORMATS) -> str:
    """The figure format a path's extension names (one of ``formats``), its destination checked: a
    clear error before any work."""
    destination(path)
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in formats:
        *most, last = (f".{f}" for f in formats)
        raise ConfigError("--output", f"{path!r} has no figure extension; end it with {', '.join(most)} or {last}")
    return ext


def destination(path: str, field: str = "--output") -> Destination:
    """Where writing ``path`` goes, checked now: a ConfigError on ``field`` for what cannot be written."""
    if path == "-":
        if sys.stdout is None:
            raise ConfigError(field, "standard output is closed; name a file with -o")
        return Destination("-", "stdout")
    if not path:
        raise ConfigError(field, "is empty; name a file")
    if "\0" in path:
        raise ConfigError(field, "the path contains a NUL byte, which no file name can")
    if path.endswith(("/", os.sep)):
        raise ConfigError(field, f"{path!r} ends with {path[-1]!r}, so it names a folder; name a file in it")
    try:
        st = os.stat(path)  # follows symlinks: what is written is what the path leads to
    except FileNotFoundError:
        st = None  # a new file, or a symlink to one that does not exist yet
    except OSError as exc:  # a name too long, a symlink loop, a file where a folder should be
        if exc.errno == errno.ENOTDIR:
            raise ConfigError(field, f"folder {os.path.dirname(path)!r} does not exist") from None
        raise ConfigError(field, f"cannot write {path!r}: {exc.strerror or exc}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(field, f"{path!r} is a folder; name a file")
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
            return Destination(path, "stream")
        if not stat.S_ISREG(st.st_mode):
            kind = "a socket" if stat.S_ISSOCK(st.st_mode) else "a block device" if stat.S_ISBLK(st.st_mode) else "not a regular file"
            raise ConfigError(field, f"{path!r} is {kind}; lrplot writes files, FIFOs and character devices")
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise ConfigError(field, f"folder {os.path.dirname(path) or '.'!r} does not exist")
    _probe(folder, field)
    return Destination(target, "file")


def check_folder(folder: Path, field: str) -> None:
    """An output folder that exists, or can be made under a writable folder; checked before any work."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(field, f"{str(folder)!r} is a file, not a folder")
    existing = folder.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(field, f"{str(existing)!r} is a file, so folder {str(folder)!r} cannot be made")
    _probe(str(existing), field)


def _probe(folder: str, field: str) -> None:
    """A real probe: permission bits say nothing for root, or on read-only and virtual file systems."""
    try:
        with _signals_raise(), _temporary(folder) as (fd, _):
            os.close(fd)
    except OSError as exc:
        raise ConfigError(field, f"cannot write in folder {folder!r}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _temporary(folder: str) -> Iterator[tuple[int, str]]:
    """A new private file in ``folder`` (fd, path), removed unless the block renamed it away.

    Its name is chosen before it is made, so a signal that arrives while it is being made (when
    mkstemp would not have returned its name yet) still finds it to remove.
    """
    path = os.path.join(folder, f".lrplot-{os.urandom(8).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = -1
    try:
        fd = os.open(path, flags, 0o600)
        yield fd, path
    except BaseException as exc:
        if not (isinstance(exc, FileExistsError) and fd == -1):  # else another file had the name: not ours
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        raise
    with contextlib.suppress(FileNotFoundError):  # a probe, or a write that never reached its rename
        os.unlink(path)


def write(dest: Destination, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` where ``dest`` leads: atomically for a file, directly to a stream or stdout."""
    if dest.how == "stdout":
        out = sys.stdout.buffer
        for chunk in chunks:
            out.write(chunk)
        out.flush()
    elif dest.how == "stream":
        # Opening a FIFO waits for its reader, as a shell's `>` does; no O_CREAT: it exists.
        fd = os.open(dest.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
    else:
        write_atomic(dest.path, chunks)


def write_atomic(path: str, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    A rename within one folder is atomic, so readers see the old file or the new one, never a mix;
    a failure, an interrupt, SIGTERM or SIGHUP before the rename leaves the old file as it was
    and removes the temporary one.
    """
    folder = os.path.dirname(os.path.abspath(path))
    with _signals_raise(), _temporary(folder) as (fd, tmp):
        with os.fdopen(fd, "wb") as f:
            for chunk in [data] if isinstance(data, bytes) else data:
                f.write(chunk)
        # The temporary file is private (0600); give it the mode a plain open() would: the
        # replaced file's, or the umask's.
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived during a write: unwind (removing the temporary file), then die of it."""


_FATAL_SIGNALS = ("SIGTERM", "SIGHUP")


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """During the block, SIGTERM and SIGHUP raise instead of killing at once (SIGINT already does).

    The previous handlers are back afterwards, and a signal that arrived is delivered again to
    them, so the process still ends the way the sender meant. Signals the process ignores (nohup)
    stay ignored; outside the main thread Python cannot install handlers, so nothing changes.
    """
    import signal

    previous: dict[int, object] = {}
    caught: list[int] = []

    def handler(signum, frame):
        if not caught:  # a second signal during the cleanup must not interrupt it
            caught.append(signum)
            raise _Terminated(signum)

    try:
        for sig in (getattr(signal, name) for name in _FATAL_SIGNALS if hasattr(signal, name)):
            if signal.getsignal(sig) is not signal.SIG_IGN:
                previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    except _Terminated:
        pass
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
    if caught:
        signal.raise_signal(caught[0])
        raise SystemExit(128 + caught[0])  # the previous handler returned: the write did not happen


def _mode_for(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# ----------------------------------------------------------------------------------------------
# Export formats (DESIGN.md): floats are written with repr, which round-trips exactly. The bytes
# are exactly ``json.dumps(doc, separators=(",", ":"))`` of the whole document; they are made in
# chunks so that memory does not grow with the export.


def to_json(trace: Trace) -> bytes:
    return b"".join(json_chunks(trace))


def to_csv(trace: Trace) -> bytes:
    return b"".join(csv_chunks(trace))


def _json_scalar(value) -> str:
    """``json.dumps(value)`` of a name, a number or None, without loading the json package (its C
    string encoder alone; json.dumps uses the same one)."""
    if value is None:
        return "null"
    if isinstance(value, str):
        try:
            from _json import encode_basestring_ascii
        except ImportError:  # an interpreter without json's C accelerator
            from json.encoder import encode_basestring_ascii
        return encode_basestring_ascii(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and value - value == 0:  # finite: json.dumps writes float.__repr__
        return float.__repr__(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json_scalar(v) for v in value) + "]"
    import json

    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def json_chunks(trace: Trace) -> Iterator[bytes]:
    scalar = _json_scalar

    yield (
        f'{{"name":{scalar(trace.name)},"unit":{scalar(trace.unit)},'
        # a run counted in iterations with no epoch length has no epochs to list
        f'"steps_per_epoch":{scalar(trace.steps_per_epoch if trace.has_epochs else None)},"step":'
    ).encode()
    yield from _json_list(trace.step, str)
    yield b',"epoch":'
    yield from _json_list(trace.epoch, repr) if trace.has_epochs else [b"null"]
    yield f',"groups":{scalar(list(trace.groups))},"lr":'.encode()
    yield from _json_rows(trace.lr)
    yield b',"momentum":'
    yield from [b"null"] if trace.momentum is None else _json_rows(trace.momentum)
    yield b',"metric":'
    yield from [b"null"] if trace.metric is None else _json_list(trace.metric, _json_metric)
    yield b"}\n"


def _json_metric(v: float) -> str:
    return "null" if v != v else repr(v)


def _json_rows(array) -> Iterator[bytes]:
    yield b"["
    for g in range(array.shape[0]):
        if g:
            yield b","
        yield from _json_list(array[g], repr)
    yield b"]"


def _json_list(values, form) -> Iterator[bytes]:
    yield b"["
    for start in range(0, len(values), _CHUNK):
        text = ",".join(map(form, values[start : start + _CHUNK].tolist()))
        yield (text if start == 0 else "," + text).encode()
    yield b"]"


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


def csv_chunks(trace: Trace) -> Iterator[bytes]:
    yield (",".join(_csv_field(c) for c in csv_header(trace)) + "\n").encode()
    for start in range(0, len(trace), _CHUNK):
        part = slice(start, start + _CHUNK)
        columns: list[list[str]] = [[str(s) for s in trace.step[part].tolist()]]
        if trace.has_epochs:
            columns.append([repr(e) for e in trace.epoch[part].tolist()])
        for row in trace.lr[:, part].tolist():
            columns.append([repr(v) for v in row])
        if trace.momentum is not None:
            for row in trace.momentum[:, part].tolist():
                columns.append([repr(v) for v in row])
        if trace.metric is not None:
            columns.append(["" if v != v else repr(v) for v in trace.metric[part].tolist()])
        yield ("\n".join(",".join(cells) for cells in zip(*columns)) + "\n").encode()


def _csv_field(name: str) -> str:
    if any(c in name for c in ',"\n'):
        return '"' + name.replace('"', '""') + '"'
    return name
