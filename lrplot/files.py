"""Reading the files a user names (a config, a metric log): bounded, never stuck, never trusting st_size.

A path may name anything: a FIFO nobody writes to, ``/dev/zero``, a terminal, a file that grows
while it is read, or a ``/proc`` file whose size says 0. Regular files and pipes (``<(...)``,
``/dev/stdin``, FIFOs) are read; devices, sockets and folders are refused before they are opened.
A file is opened without blocking (a FIFO with no writer would block ``open`` forever), its kind
is checked again on the open file, at most ``limit + 1`` bytes are read, and a pipe that sends
nothing for ``IDLE_SECONDS`` is given up on.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Iterator

from .errors import ConfigError

IDLE_SECONDS = 10.0  # a pipe or device that sends nothing for this long is given up on
_CHUNK = 1 << 16


def user_path(text: str, field: str) -> Path:
    """A path as the user wrote it, ``~`` and ``~user`` expanded; a ConfigError for what names no file."""
    if "\0" in text:
        raise ConfigError(field, "the path contains a NUL byte, which no file name can")
    if text.startswith("~"):
        expanded = os.path.expanduser(text)
        if expanded == text:  # os.path.expanduser leaves ~name as it is when there is no such user
            user = text[1:].split("/", 1)[0].split(os.sep, 1)[0]
            raise ConfigError(field, f"{text!r}: there is no user {user!r} whose home ~{user} could be")
        return Path(expanded)
    return Path(text)


def shown(path: os.PathLike | str) -> str:
    """A path for a message: bytes that are not UTF-8 (an old Latin-1 name) shown as escapes."""
    text = os.fspath(path)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# Characters that end a line or move a terminal's cursor: C0 and C1 controls, DEL, and Unicode's
# line and paragraph separators (which some readers also split lines at).
_CONTROL = r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"


def one_line(text: str) -> str:
    """``text`` with every control character written as its Python escape (``\\n``, ``\\t``,
    ``\\x1b``), so that what a line reports stays on one line and cannot drive the terminal."""
    return re.sub(_CONTROL, lambda m: repr(m.group())[1:-1], text)


def line_path(path: os.PathLike | str) -> str:
    """A path at the start of a report line (``path: CODE message``): as it is, or quoted with
    repr() when it holds a character that would break the line (a newline, a tab)."""
    text = shown(path)
    return repr(text) if re.search(_CONTROL, text) else text


def read_limited(path: Path, limit: int, field: str, what: str) -> bytes:
    """At most ``limit`` bytes of ``path``; a ConfigError on ``field`` for anything else.

    ``what`` names the kind of file in messages ("configs", "metric logs"); messages name the
    file unless ``field`` already is its path.
    """
    return b"".join(read_chunks(path, limit, field, what))


def read_chunks(path: Path, limit: int, field: str, what: str, size: int = _CHUNK) -> Iterator[bytes]:
    """``read_limited`` as a stream: the file's bytes in chunks of about ``size``, read as they are
    used, so a reader keeps only what it takes from them (a run log of a gigabyte is never held
    whole). The same checks: devices refused unopened, pipes waited on but not for ever, a
    ConfigError past ``limit`` bytes."""
    name = shown(path)
    it = "" if field == name else f"{name} "  # "is a folder" after the path; "logs/x is a folder" after metric.csv
    cannot = f"cannot read{' ' + name if it else ''}"
    try:
        # Devices are refused before they are opened: opening one can act (a watchdog arms, a tape
        # rewinds), and a path in a config may come from anyone.
        _check_kind(os.stat(path).st_mode, field, it)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        if os.path.islink(path):  # a symbolic link to nothing: say where it points
            raise ConfigError(field, f"{it}is a symbolic link to {os.readlink(path)!r}, which does not exist") from None
        raise ConfigError(field, "no such file" + ("" if not it else f": {name}")) from None
    except ValueError:  # a NUL byte in a path given as a Path
        raise ConfigError(field, "the path contains a NUL byte, which no file name can") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(field, f"{it}is a loop of symbolic links (each points on to the next, back to itself)") from None
        raise ConfigError(field, f"{cannot}: {exc.strerror or exc}") from None
    try:
        try:
            mode = os.fstat(fd).st_mode
            _check_kind(mode, field, it)  # the file opened is the one checked, even if the path changed since
            total = 0
            for chunk in _read(fd, limit + 1, waits=stat.S_ISFIFO(mode), field=field, it=it, size=size):
                total += len(chunk)
                if total > limit:
                    raise ConfigError(field, f"{it}is larger than {_size(limit)}; {what} are limited to {_size(limit)}")
                yield chunk
        except OSError as exc:
            raise ConfigError(field, f"{cannot}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _check_kind(mode: int, field: str, it: str) -> None:
    """Regular files and pipes are read; anything else is refused with what it is."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return
    if stat.S_ISDIR(mode):
        raise ConfigError(field, f"{it}is a folder, not a file")
    kind = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}.get(stat.S_IFMT(mode), "not a regular file")
    raise ConfigError(field, f"{it}is {kind}; give a file (or a pipe)")


def _read(fd: int, most: int, waits: bool, field: str, it: str, size: int = _CHUNK) -> Iterator[bytes]:
    """Chunks until end of file or ``most`` bytes; a pipe is waited on, but not for ever."""
    import select

    total = 0
    while total < most:
        if waits:
            # Before any writer opens a FIFO, poll waits (Linux reports no hangup for a FIFO that
            # never had a writer), so a FIFO filled later is read, and one never filled times out.
            ready, _, _ = select.select([fd], [], [], IDLE_SECONDS)
            if not ready:
                raise ConfigError(field, f"{it.strip() + ': ' if it else ''}nothing arrived in {IDLE_SECONDS:g} s (a FIFO nobody writes to?)")
        try:
            chunk = os.read(fd, min(size, most - total))
        except BlockingIOError:
            continue
        if not chunk:
            break
        total += len(chunk)
        yield chunk


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n % (1 << 20) == 0 else f"{n:,} bytes"


def name_of(path: os.PathLike | str) -> str:
    """A file's stem as a label (a config's default name); bytes that are not UTF-8 become U+FFFD."""
    return Path(path).stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
