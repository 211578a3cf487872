"""``--watch``: draw again whenever a config file changes, until Ctrl-C.

Files are polled (a few stats a second, no dependency): their content is compared, not their
mtime, so an editor that saves by writing a new file and renaming it, or two saves within the
clock's resolution, still count, and touching a file without changing it does not.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

POLL_SECONDS = 0.25


def _contents(paths: Sequence[str]) -> tuple[bytes | None, ...]:
    out = []
    for p in paths:
        try:
            out.append(Path(p).read_bytes())
        except OSError:  # mid-save (renamed away for a moment): not a change yet
            out.append(None)
    return tuple(out)


def watch_files(paths: Sequence[str], draw: Callable[[], None], poll: float = POLL_SECONDS) -> None:
    """Call ``draw`` now, then after every change to one of ``paths``; return on Ctrl-C."""
    seen = _contents(paths)
    try:
        draw()
        while True:
            time.sleep(poll)
            now = _contents(paths)
            if None in now or now == seen:
                continue
            seen = now
            draw()
    except KeyboardInterrupt:
        return
