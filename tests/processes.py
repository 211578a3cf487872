"""lrplot run as a child process in the tests: signals as a terminal gives them, and never left behind.

A test suite inherits the signal dispositions of whatever started it: `pytest &` from a script
starts with SIGINT ignored, `nohup pytest` with SIGHUP ignored, and a child process inherits those
in turn, so a test that stops lrplot with Ctrl-C (or expects it to die of SIGTERM) would wait in
vain and leave it running. :func:`running` starts lrplot with the default dispositions (Python
then turns SIGINT into KeyboardInterrupt, as at a terminal) and kills it on the way out of the
test, whatever happened inside.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from typing import Any, Iterator

LRPLOT = [sys.executable, "-m", "lrplot"]
# The signals tests send lrplot; the others keep what the suite was given.
SENT = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _default_signals() -> None:
    for signum in SENT:
        signal.signal(signum, signal.SIG_DFL)


@contextlib.contextmanager
def running(args: list[str], **kwargs: Any) -> Iterator[subprocess.Popen]:
    """``subprocess.Popen(LRPLOT + args)``, killed and reaped when the block ends if it still runs."""
    proc = subprocess.Popen([*LRPLOT, *args], preexec_fn=_default_signals, **kwargs)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
