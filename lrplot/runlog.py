"""Logged runs: the lr a real training run wrote, read from the file the tool itself writes.

One :class:`RunLog` per log: the step numbers the log records, the optimizer step each one is (the
tools number steps differently, see ``first_step``), and the lr of each param group there. Formats:

- CSV: PyTorch Lightning's CSVLogger ``metrics.csv`` (LearningRateMonitor's ``lr-<Optimizer>`` or
  ``lr-<Optimizer>/<group>`` columns), a W&B chart's "Export CSV" (``Step``, ``<run> - <key>``,
  with ``__MIN``/``__MAX`` columns), ``lrplot export``'s CSV, or any CSV with a step and an lr column;
- transformers' ``trainer_state.json`` (``log_history`` entries with ``learning_rate`` and ``step``),
  or the folder holding it (an output folder: its latest ``checkpoint-N``);
- TensorBoard event files or run folders, through the ``tensorboard`` package's own reader (an
  optional extra: ``pip install tensorboard``);
- JSON lines, one object per line with a step and an lr field.

Which lr and which step each tool records (DESIGN.md's convention is the lr optimizer step k trains
with, k from 0):

- Lightning's LearningRateMonitor reads the optimizer's lr in ``on_train_batch_start`` (or
  ``on_train_epoch_start`` for schedulers stepped per epoch) and logs it with
  ``step=_batches_that_stepped``, the optimizer steps already taken: step s is optimizer step s.
- transformers 5.23's Trainer logs the lr a step trained with, under the already incremented
  ``global_step``: step s is optimizer step s - 1. Its TensorBoard and W&B callbacks log the same
  value as ``train/learning_rate``, numbered the same way, so that name means steps from 1 too.
- A hand-written loop logs what its author wrote; the convention assumed is the common one, the lr
  read before ``optimizer.step()`` logged with the 0-based step (``--first-step 1`` says otherwise).

Reading is bounded by the log, never by what it says: files are streamed a block at a time and
only each point's step and lrs are kept (about the log's size in memory, at most); a reader told the
plan's length (``LogRequest.steps``) keeps no point past it, only counts them (``RunLog.beyond``);
a number too large for a float is infinite (never Python's int-string limit), a document nested
too deeply names its line, and names in messages are quoted with repr().

The frameworks' ``logs`` modules read their own formats with the public helpers here, which stay
as they are: ``csv_log`` and ``json_lines`` (streamed, a format's own step names and numbering
given), ``load_json`` (a whole JSON document), ``assemble`` (rows already in hand, as text cells),
``from_scalars`` (series of steps and values), ``choose_lr``, ``read_bytes``/``decode``, and
:class:`Points` (what a new reader collects points into); each takes the request's ``steps``.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import re
from array import array
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from .config import MAX_STEPS, RunSpec
from .errors import ConfigError
from .files import read_chunks, read_limited, user_path
from .values import suggest

MAX_LOG_BYTES = 1 << 30
# The names tools give the lr, after any W&B "<run> - " prefix and "train/" style path: lr,
# learning_rate, Lightning's lr-<Optimizer>[/<group>], lrplot's own lr_<group>.
_LR_NAME = re.compile(r"^(?:.*/)?(?:lr|learning[_-]?rate)$|^(?:.*/)?lr[-_][^/]+(?:/[^/]+)?$", re.I)
_NOT_LR = re.compile(r"(?:-momentum|-weight_decay|__MIN|__MAX)$")
_STEP_NAMES = ("step", "Step", "global_step", "trainer/global_step", "train/global_step", "_step", "iteration", "iter")
TENSORBOARD_HINT = "reading TensorBoard event files needs the tensorboard package: pip install tensorboard (or, from lrplot's checkout, pip install '.[tensorboard]')"


@dataclass(frozen=True)
class LogRequest:
    """What the user said about a log: its lr columns (one per param group), its step column, and
    the log's number for the first optimizer step (0 or 1); None where the format or the names decide."""

    columns: tuple[str, ...] = ()
    step_column: str | None = None
    first_step: int | None = None
    # The plan's optimizer steps, when the log is read to be compared with one: points past them
    # are counted, not kept (so a stray step 9,999,999 costs nothing). None: as many as lrplot simulates.
    steps: int | None = None


@dataclass(frozen=True, eq=False)
class RunLog:
    """The lr a run logged, at the steps it logged it.

    ``columns`` are the log's names for them as text can show them (``shown_name``). ``logged_step[i]`` is the step number as the log writes it; ``step[i]`` the optimizer step it
    belongs to (``logged_step - first_step``); ``lr[g, i]`` param group g's lr there, one row per
    ``columns`` entry. Points are sorted by step, one per step (a later write of a step wins, as
    TensorBoard shows a resumed run).
    """

    path: str
    kind: str
    columns: tuple[str, ...]
    logged_step: np.ndarray
    lr: np.ndarray
    first_step: int
    # A log with one point per epoch (Keras' CSVLogger, YOLO's results.csv): ``logged_step`` counts
    # epochs (from ``first_step``), and each lr is the one of the epoch's "first" or "last" optimizer
    # step, or the one "after" its last (the next epoch's first). ``on_run`` places them on steps.
    per_epoch: str | None = None
    # Significant digits the log writes its values with (YOLO's results.csv: %.6g, %20.5g), when fewer
    # than a float's: verify then allows their rounding, half a unit in the last digit.
    digits: int | None = None
    # Points at or past the longest run lrplot simulates, counted and not kept: (how many, the last step).
    beyond: tuple[int, int] = (0, -1)
    # What the reader noticed and the verdict should say (an event file cut off inside a record).
    notes: tuple[str, ...] = ()
    # A log of the lr after each step's scheduler step (Megatron's, DeepSpeed's monitor): its point
    # at the run's last step + 1 is the lr the schedule reached when training ended, which no step
    # trains with; ``on_run`` leaves that one point out.
    after_run_end: bool = False

    @property
    def step(self) -> np.ndarray:
        return self.logged_step - self.first_step

    def on_run(self, run: RunSpec) -> "RunLog":
        """The log on the run's optimizer steps: a per-epoch log's points at the step each belongs to."""
        if self.after_run_end:
            keep = self.step != run.total_steps
            return RunLog(self.path, self.kind, self.columns, self.logged_step[keep], self.lr[:, keep], self.first_step, digits=self.digits,
                          beyond=self.beyond, notes=self.notes)
        if self.per_epoch is None:
            return self
        spe = run.steps_per_epoch
        offset = {"first": 0, "last": spe - 1, "after": spe}[self.per_epoch]
        step = self.step * spe + offset
        kind = f"{self.kind}, one point per epoch (its {self.per_epoch} step)" if self.per_epoch != "after" else (
            f"{self.kind}, one point per epoch (the lr after its last step)")
        # the lr after the run's last epoch is one no step of the run trains with: nothing to compare
        keep = step != run.total_steps if self.per_epoch == "after" else slice(None)
        if not np.all(keep) and np.any(keep):
            step, lr = step[keep], self.lr[:, keep]
        else:
            lr = self.lr
        return RunLog(self.path, kind, self.columns, step, lr, 0, digits=self.digits, beyond=self.beyond, notes=self.notes)

    def __len__(self) -> int:
        return int(self.logged_step.shape[0])

    @property
    def label(self) -> str:
        """A short name for legends: the file (or run folder) and the folder it is in."""
        parts = Path(self.path).parts[-2:]
        return "/".join(parts)

    def describe(self) -> str:
        names = self.columns
        what = f"column {names[0]}" if len(names) == 1 else f"columns {', '.join(names)}"
        steps = f"steps {int(self.logged_step[0])}..{int(self.logged_step[-1])}"
        base = "optimizer step s-1" if self.first_step == 1 else "optimizer step s"
        return f"{self.kind}, {what}, {len(self):,} point{'s' if len(self) != 1 else ''} at {steps} (step s is {base})"


def shown_name(name: str) -> str:
    """A log's name for a column, tag or key as text can show it: itself, or its repr() when it holds
    a character no line or file can (a newline, a control character, a lone surrogate)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return repr(name)
    return name if name.isprintable() and name.strip() == name and name else repr(name)


def read_runlog(
    path: str | Path,
    columns: Sequence[str] = (),
    step_column: str | None = None,
    first_step: int | None = None,
    steps: int | None = None,
) -> RunLog:
    """Read a logged run: the format from the file (or folder), the lr and step columns found by name.

    ``columns`` names the lr column(s) (one per param group), ``step_column`` the step; both are
    found by the names the tools use when not given. ``first_step`` is the log's number for the
    first optimizer step (0 or 1), where the format does not fix it. ``steps`` is the length of the
    plan the log is read for (``verify``): points past it are counted, not kept. A framework's own
    logs (trainer_state.json, ...) are read by the framework's ``logs`` module, which knows how that
    framework numbers its steps.
    """
    where = str(path)
    p = user_path(str(path), where)
    if first_step is not None and first_step not in (0, 1):
        raise ConfigError("--first-step", f"must be 0 or 1 (the log's number for the first optimizer step), got {first_step}")
    if not p.exists():
        raise ConfigError(where, "no such file or folder")
    request = LogRequest(tuple(columns), step_column, first_step, steps)
    reader = _framework_reader(p)
    if reader is not None:
        return reader.read_log(p, where, request)
    if p.is_dir():
        events = _event_files(p)
        if not events:
            raise ConfigError(where, f"is a folder with no TensorBoard event files (events.out.tfevents.*) and no log lrplot knows; {_readable()}")
        return _tensorboard(where, events, request)
    name = p.name
    if name.startswith("events.out.tfevents"):
        if not p.is_file():  # the reader would block on a FIFO, or read a device without end
            raise ConfigError(where, "is not a regular file; a TensorBoard event file is one")
        return _tensorboard(where, [p], request)
    if name.endswith((".jsonl", ".ndjson")):
        return json_lines(where, p, request)
    if name.endswith((".csv", ".tsv")):
        return csv_log(p, where, request, delimiter="\t" if name.endswith(".tsv") else ",")
    raise ConfigError(where, f"is not a run log lrplot reads: {_readable()}")


def _log_readers() -> list[Any]:
    from .registry import FAMILIES

    return [f.part(f.logs_module) for f in FAMILIES if f.logs_module]


def _framework_reader(p: Path) -> Any:
    """The logs module of the framework whose log (or output folder) ``p`` is, if any."""
    try:
        return next((reader for reader in _log_readers() if reader.claims_log(p)), None)
    except OSError:
        return None


def _readable() -> str:
    from .registry import FAMILIES

    theirs = ", ".join(f.name for f in FAMILIES if f.logs_module)
    return (f"give a .csv, a .jsonl file, a TensorBoard event file or run folder, or a framework's own log ({theirs}; "
            "docs/verify.md lists each one's files)")


def run_folder(folder: str | Path) -> tuple[Path, Path]:
    """The config and the log a framework's output folder holds (``lrplot verify WORK_DIR``)."""
    where = str(folder)
    p = user_path(where, where)
    if not p.is_dir():
        raise ConfigError(where, "is not a folder; give CONFIG RUNLOG, or a framework's output folder (an mmengine work_dir, ...)")
    for reader in _log_readers():
        found = reader.run_folder(p)
        if found is not None:
            return found
    from .registry import FAMILIES

    frameworks = ", ".join(f.name for f in FAMILIES if f.logs_module)
    raise ConfigError(where, f"holds no config and log lrplot can pair ({frameworks} output folders); give CONFIG RUNLOG")


# ----------------------------------------------------------------------------------------------
# Files


def read_bytes(p: Path, where: str) -> bytes:
    # files.read_limited: pipes read with a bound and a timeout, devices refused unopened.
    return read_limited(p, MAX_LOG_BYTES, where, "run logs")


def decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(where, "is not UTF-8 text") from None


def _event_files(folder: Path) -> list[Path]:
    """The event files of a run folder, or of the one run below it (Lightning's version_N)."""
    own = sorted(f for f in folder.iterdir() if f.name.startswith("events.out.tfevents") and f.is_file())
    if own:
        return own
    runs = sorted({f.parent for f in folder.rglob("events.out.tfevents*") if f.is_file()})
    if len(runs) > 1:
        shown = ", ".join(str(r.relative_to(folder)) for r in runs[:6])
        raise ConfigError(str(folder), f"holds {len(runs)} TensorBoard runs ({shown}); name one run folder")
    return sorted(f for f in runs[0].iterdir() if f.name.startswith("events.out.tfevents")) if runs else []


# ----------------------------------------------------------------------------------------------
# Columns


def is_lr_name(name: str) -> bool:
    """A column, tag or key that holds an lr, by the names the tools give it."""
    short = name.split(" - ", 1)[1] if " - " in name else name  # a W&B export's "<run> - <key>"
    return bool(_LR_NAME.match(short)) and not _NOT_LR.search(short)


def choose_lr(names: Sequence[str], given: Sequence[str], where: str) -> list[str]:
    """The lr series of a log: the given names, or the one family of lr names it has.

    Several lr names are one family when they are one optimizer's param groups (Lightning's
    ``lr-AdamW/pg1``, ``lr-AdamW/pg2``; lrplot's ``lr_<group>``).
    """
    if given:
        for name in given:
            if name not in names:
                raise ConfigError("--column", f"{where} has no {name!r}{suggest(name, names)}; it has {_listing(names)}")
        return list(given)
    found = [n for n in names if is_lr_name(n)]
    if not found:
        raise ConfigError(where, f"has no lr column (like lr, learning_rate or lr-AdamW); it has {_listing(names)}: name one with --column")
    families = {_family(n) for n in found}
    if len(families) > 1:
        raise ConfigError(where, f"has several lr columns ({_names(found)}); choose with --column (once per param group)")
    return found


def _family(name: str) -> str:
    """What several lr names must share to be one optimizer's param groups (and one W&B run's)."""
    run, _, key = name.rpartition(" - ")
    if key.lower().startswith("lr-"):  # Lightning: lr-<Optimizer>/<group>
        return f"{run}|{key.split('/', 1)[0]}"
    if key.lower().startswith("lr_"):  # lrplot export: lr_<group>
        return f"{run}|lr_"
    return name


def _listing(names: Iterable[str]) -> str:
    names = [n for n in names if n]
    shown = ", ".join(repr(n) for n in names[:30])
    return (shown + f", ... ({len(names)} in all)") if len(names) > 30 else (shown or "none")


def _choose_step(names: Sequence[str], given: str | None, where: str) -> str:
    if given is not None:
        if given not in names:
            raise ConfigError("--step-column", f"{where} has no {given!r}{suggest(given, names)}; it has {_listing(names)}")
        return given
    for candidate in _STEP_NAMES:
        if candidate in names:
            return candidate
    raise ConfigError(where, f"has no step column (like step, Step, global_step or _step); it has {_listing(names)}: name one with --step-column")


def _first_step(names: Iterable[str], given: int | None) -> int:
    if given is not None:
        return given
    # A framework's loggers may number their steps from 1 under names of their own (its logs
    # module's NAMES_FROM_ONE), in a plain CSV or TensorBoard run too, or a W&B export ("<run> - <name>").
    from_one = {name for reader in _log_readers() for name in getattr(reader, "NAMES_FROM_ONE", ())}
    return 1 if any(n.split(" - ", 1)[-1] in from_one for n in names) else 0


# ----------------------------------------------------------------------------------------------
# Formats
#
# Logs are read as streams (files.read_chunks, a megabyte at a time): what a log keeps is one step
# and one lr per group for each point it logs, never its text, so a log takes about its own size in
# memory however it is laid out. Points past the longest run lrplot simulates (MAX_STEPS) are
# counted, not kept: no plan reaches them.

CHUNK = 1 << 18  # a quarter megabyte: the numpy parse of a block makes several arrays its size and more


def _chunks(source: Path | bytes, where: str) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray)):
        for i in range(0, len(source), CHUNK):
            yield bytes(source[i:i + CHUNK])
        return
    yield from read_chunks(source, MAX_LOG_BYTES, where, "run logs", size=CHUNK)


def _blocks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The stream in blocks of whole lines (each ends with a newline, the last maybe not)."""
    rest = b""
    for chunk in chunks:
        data = rest + chunk
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
            rest = data[cut:]
        else:
            rest = data
        if len(rest) > MAX_LINE_BYTES:
            raise _LineTooLong
    if rest:
        yield rest


MAX_LINE_BYTES = 16 << 20  # a log line longer than this is not a log's line


class _LineTooLong(Exception):
    pass


class Points:
    """The numbers a streamed log keeps: each point's step and lr per column, checked as they come.

    ``add(steps, lrs, lines)`` takes them in numpy arrays (``lines``: the line or entry number of
    each, for messages); ``log(kind)`` makes the RunLog. A step that is not a whole number, an lr
    that is not finite, or a step before the first optimizer step is an error naming its line.
    Points at or past ``first_step + steps`` (the plan's length when the reader is told it, else
    the longest run lrplot simulates) are counted (``RunLog.beyond``), not kept. Kept points cost
    8 bytes for the step and 8 per column, in arrays that grow in place.
    """

    def __init__(self, where: str, names: Sequence[str], first_step: int, unit: str = "line", steps: int | None = None):
        self.where, self.names, self.first_step, self.unit = where, list(names), first_step, unit
        self.limit = first_step + min(MAX_STEPS, steps if steps is not None else MAX_STEPS)
        self._step = array("q")
        self._lr = [array("d") for _ in names]
        self.beyond = 0
        self.beyond_first, self.beyond_last = 2**62, -1
        self.plan = steps

    def add(self, steps: np.ndarray, lrs: np.ndarray, lines: np.ndarray) -> None:
        where, unit = self.where, self.unit
        whole = np.isfinite(steps) & (steps == np.floor(steps))
        if not whole.all():
            i = int(np.argmin(whole))
            raise ConfigError(where, f"{unit} {int(lines[i])}: the step {_number_text(steps[i])} is not a whole number")
        finite = np.isfinite(lrs)
        if not finite.all():
            g, i = (int(a[0]) for a in np.nonzero(~finite))
            raise ConfigError(where, f"{unit} {int(lines[i])}: {self.names[g]!r} is {lrs[g, i]}, not a finite lr")
        early = steps < self.first_step
        if early.any():
            i = int(np.argmax(early))
            raise ConfigError(where, f"{unit} {int(lines[i])}: step {_number_text(steps[i])} comes before the first optimizer step ({self.first_step}); see --first-step")
        past = steps >= self.limit
        if past.any():
            self.beyond += int(past.sum())
            self.beyond_first = min(self.beyond_first, int(min(steps[past].min(), 2.0**62)))
            self.beyond_last = max(self.beyond_last, int(min(steps[past].max(), 2.0**62)))
            keep = ~past
            steps, lrs = steps[keep], lrs[:, keep]
        if steps.size:
            self._step.frombytes(steps.astype(np.int64).tobytes())
            for column, values in zip(self._lr, lrs):
                column.frombytes(np.ascontiguousarray(values, dtype=np.float64).tobytes())

    def log(self, kind: str) -> RunLog:
        if not self._step:
            fs = self.first_step
            if self.beyond and self.plan is not None and self.plan <= MAX_STEPS:
                raise ConfigError(self.where, f"has no step inside the plan: it logs optimizer steps {self.beyond_first - fs:,}..{self.beyond_last - fs:,}, "
                                              f"the plan has 0..{self.plan - 1:,} (check the config's run, or --first-step)")
            if self.beyond:
                raise ConfigError(self.where, f"logs only steps at or past {MAX_STEPS:,} (up to {self.beyond_last - fs:,}); lrplot verifies runs of at most {MAX_STEPS:,} optimizer steps")
            raise ConfigError(self.where, f"has no value in {_names(self.names)}")
        step = np.frombuffer(self._step, dtype=np.int64)
        lr = np.frombuffer(self._lr[0])[None, :] if len(self._lr) == 1 else np.vstack([np.frombuffer(c) for c in self._lr])
        step, lr = _one_per_step(step, lr)
        # Named as text can show them: a report, a legend or an export never meets a newline or a
        # lone surrogate in a name (shown_name).
        columns = tuple(shown_name(n) for n in self.names)
        return RunLog(self.where, kind, columns, step, lr, self.first_step, beyond=(self.beyond, self.beyond_last))


def _one_per_step(step: np.ndarray, lr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted by step, one point per step: the last write of a step wins (a resumed run logs it again)."""
    if np.any(step[1:] <= step[:-1]):
        order = np.argsort(step, kind="stable")
        step, lr = step[order], lr[:, order]
        last = np.append(step[1:] != step[:-1], True)
        step, lr = step[last], lr[:, last]
    return step, lr


def _number_text(value: float) -> str:
    return repr(int(value)) if np.isfinite(value) and value == int(value) and abs(value) < 2**63 else repr(float(value))


def _names(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


def csv_log(
    source: Path | bytes, where: str, request: LogRequest = LogRequest(), *, delimiter: str = ",", kind: str | None = None,
    step_names: Sequence[str] = (), first_step: int | None = None,
) -> RunLog:
    """A CSV log, streamed: a header row, then rows; rows without an lr (other metrics' rows) are skipped.

    ``source`` is the file (or its bytes). The lr columns are ``request.columns`` or found by name
    (``choose_lr``), the step column ``request.step_column``, else the first of ``step_names``
    the header has, else the usual names; ``first_step`` numbers the log's steps where the user
    said nothing. Unquoted rows are parsed a block at a time in numpy; a quoted field switches to
    Python's csv module for the rest of the file. Public: a framework's logs module reads its own
    CSV logs with it (YOLO's results.csv, Keras' CSVLogger).
    """
    chunks = _chunks(source, where)
    head, first_block = _header(chunks, where)
    try:
        header = [h.strip() for h in next(csv.reader([decode(head, where).rstrip("\r")], delimiter=delimiter), [])]
    except csv.Error as exc:
        raise ConfigError(where, f"is not a readable CSV: {exc}") from None
    if not any(header):
        raise ConfigError(where, "is empty or has no header row")
    lr_names = choose_lr(header, request.columns, where)
    step_given = request.step_column or next((n for n in step_names if n in header), None)
    step_name = _choose_step(header, step_given, where)
    wanted = [header.index(step_name)] + [header.index(n) for n in lr_names]
    if kind is None:
        kind = "W&B export" if any(" - " in n for n in lr_names) else "Lightning CSVLogger" if lr_names[0].startswith("lr-") else "CSV"
    numbering = request.first_step if request.first_step is not None else first_step
    points = Points(where, lr_names, _first_step(header, numbering), steps=request.steps)
    line = 2  # the first body line's number
    blocks = _blocks(_prepend(first_block, chunks))
    try:
        for block in blocks:
            if b'"' in block:
                # A quoted field may hold a newline or a delimiter: Python's csv for the rest.
                _careful_csv(_prepend(block, blocks), line, wanted, delimiter, points)
                break
            if not _fast_block(block, line, wanted, len(header), delimiter, points):
                _careful_csv(iter([block]), line, wanted, delimiter, points)
            line += block.count(b"\n")
    except _LineTooLong:
        raise ConfigError(where, f"has a line longer than {MAX_LINE_BYTES >> 20} MiB; not a log's line") from None
    return points.log(kind)


def _prepend(first: bytes, rest: Iterable[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def _header(chunks: Iterator[bytes], where: str) -> tuple[bytes, bytes]:
    """The header line (a UTF-8 BOM dropped) and the bytes after it read so far."""
    data = b""
    for chunk in chunks:
        data += chunk
        if b"\n" in data or len(data) > MAX_LINE_BYTES:
            break
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    newline = data.find(b"\n")
    if newline < 0:
        if len(data) > MAX_LINE_BYTES:
            raise ConfigError(where, f"has a header line longer than {MAX_LINE_BYTES >> 20} MiB; not a CSV's header")
        return data, b""
    return data[:newline], data[newline + 1 :]


def _fast_block(block: bytes, line: int, wanted: list[int], n_fields: int, delimiter: str, points: Points) -> bool:
    """An unquoted block of rows parsed in numpy; False when it needs the careful reader (which names the line)."""
    fast = _numeric_columns(block, wanted, n_fields, delimiter)
    if fast is None:
        return False
    (step, _), *lrs = fast
    filled = ~np.vstack([e for _, e in lrs])
    present = filled.all(axis=0)
    if np.any(filled.any(axis=0) & ~present) or not np.all(np.isfinite(step[present])):
        return False
    rows = np.flatnonzero(present)
    points.add(step[rows], np.vstack([v[rows] for v, _ in lrs]), rows + line)
    return True


def _careful_csv(blocks: Iterable[bytes], line: int, wanted: list[int], delimiter: str, points: Points) -> None:
    """Rows through Python's csv module, one at a time: a cell that is not a number names its line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    where = points.where

    def text() -> Iterator[str]:
        try:
            for block in blocks:
                yield from decoder.decode(block).splitlines(keepends=True)
            yield decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ConfigError(where, "is not UTF-8 text") from None

    reader = csv.reader(text(), delimiter=delimiter)
    steps: list[float] = []
    values: list[list[float]] = []
    lines: list[int] = []
    try:
        for row in reader:
            n = line + reader.line_num - 1  # the row's first line
            cells = [row[i] if i < len(row) else "" for i in wanted]
            filled = [bool(c.strip()) for c in cells[1:]]
            if not any(filled):
                continue
            if not all(filled):
                raise ConfigError(where, f"line {n} has a value for some of {_names(points.names)} but not all; choose columns with --column")
            steps.append(_cell_number(cells[0], "the step", where, n))
            values.append([_cell_number(c, repr(name), where, n) for c, name in zip(cells[1:], points.names)])
            lines.append(n)
            if len(steps) >= 65536:
                points.add(np.array(steps), np.array(values).T, np.array(lines))
                steps, values, lines = [], [], []
    except csv.Error as exc:
        raise ConfigError(where, f"is not a readable CSV: {exc}") from None
    if steps:
        points.add(np.array(steps), np.array(values).T, np.array(lines))


def _cell_number(cell: str, name: str, where: str, line: int, unit: str = "line") -> float:
    try:
        return float(cell)
    except ValueError:
        raise ConfigError(where, f"{unit} {line}: {name} is {cell.strip()[:40]!r}, not a number") from None


def _numeric_columns(body: bytes, wanted: list[int], n_fields: int, delimiter: str) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The wanted columns of an unquoted CSV body as floats, with the mask of empty cells, parsed
    in numpy (a million rows in a fraction of a second); None when the body is not that simple."""
    if b'"' in body or not body.strip():
        return None
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n")
    if not body.endswith(b"\n"):
        body += b"\n"
    buf = np.frombuffer(body + b"nan\n", dtype=np.uint8)  # "nan" at the end stands in for empty cells
    size = len(body)
    lines = np.flatnonzero(buf[:size] == 10)
    seps = np.flatnonzero(buf[:size] == ord(delimiter))
    if seps.size != lines.size * (n_fields - 1):
        return None
    if n_fields > 1:
        grid = seps.reshape(lines.size, n_fields - 1)
        # Each line must hold exactly its n_fields - 1 separators (no blank or ragged line).
        if np.any(grid[:, -1] >= lines) or np.any(grid[1:, 0] <= lines[:-1]):
            return None
    starts_of_lines = np.concatenate([[0], lines[:-1] + 1])
    out = []
    for f in wanted:
        start = starts_of_lines if f == 0 else grid[:, f - 1] + 1
        end = lines if f == n_fields - 1 else grid[:, f]
        length = end - start
        empty = length == 0
        values = _whole_numbers(buf, start, length) if f == wanted[0] else None  # steps are whole; lrs seldom
        if values is None:
            values = _floats(buf, np.where(empty, size, start), np.where(empty, 3, length))
        if values is None or values.size != lines.size:
            return None
        out.append((values, empty))
    return out


def _whole_numbers(buf: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray | None:
    """Cells of plain digits (step numbers) as exact integers, empty ones NaN; None otherwise."""
    width = int(length.max())
    if width == 0 or width > 15:
        return None
    # Right-align every cell in a row of ``width`` bytes, then read the digits positionally.
    offsets = np.arange(width) - width
    index = (start + length)[:, None] + offsets[None, :]
    inside = offsets[None, :] >= -length[:, None]
    digits = buf[np.where(inside, index, 0)].astype(np.int64) - 48
    digits[~inside] = 0
    if np.any((digits < 0) | (digits > 9)):
        return None
    values = (digits @ (10 ** np.arange(width - 1, -1, -1, dtype=np.int64))).astype(np.float64)
    values[length == 0] = np.nan
    return values


def _floats(buf: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray | None:
    """Cells as floats, parsed by numpy's own text reader from the cells laid end to end."""
    step = length + 1
    stop = np.cumsum(step)
    index = np.arange(int(stop[-1]), dtype=np.int64) + np.repeat(start - (stop - step), step)
    text = buf[index]
    text[stop - 1] = 10
    try:
        return np.fromstring(text.tobytes(), sep="\n")
    except ValueError:
        return None


def json_lines(where: str, data: bytes | Path, request: LogRequest, kind: str = "JSON lines", step_names: Sequence[str] = (), first_step: int | None = None) -> RunLog:
    """A JSON-lines log, streamed: one object per line, with a step and an lr field (records without
    the lr, like other metrics' lines, are skipped). ``data`` is the file (or its bytes);
    ``step_names`` and ``first_step`` are a format's own step field and numbering, where the user
    said nothing. Public: a framework's logs module reads its own JSON-lines logs with it
    (mmengine's vis_data scalars, detectron2's metrics.json).

    Values are read as a log writes them: an integer of thousands of digits is a float (infinite,
    so refused as an lr or a step, never Python's int-string limit), an object nested too deeply
    for the parser names its line, and names are quoted in messages.
    """
    fields = _JsonFields(where, request, step_names)
    try:
        for block_start, block in _numbered_blocks(_chunks(data, where)):
            fields.read(block, block_start)
    except _LineTooLong:
        raise ConfigError(where, f"has a line longer than {MAX_LINE_BYTES >> 20} MiB; not a log's line") from None
    return fields.log(kind, first_step)


def _numbered_blocks(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    line = 1
    for block in _blocks(chunks):
        yield line, block
        line += block.count(b"\n")


def load_json(data: bytes, where: str) -> Any:
    """A whole JSON document (``trainer_state.json``, a ``metrics.json``), read as ``json_lines`` reads
    its lines: an integer of thousands of digits is a float (infinite), never Python's int-string
    limit; a document nested too deeply names itself; anything else that is not JSON says where.
    Public and stable, for the frameworks' logs modules."""
    try:
        return json.loads(decode(data, where), parse_int=_json_int)
    except RecursionError:
        raise ConfigError(where, "is nested too deeply to read") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(where, f"is not JSON ({exc.msg} at line {exc.lineno})") from None
    except ValueError as exc:
        raise ConfigError(where, f"is not JSON ({exc})") from None


_JSON = json.JSONDecoder()
_JSON_GUARDED = None


def _decode_guarded(raw: str, where: str, n: int, exc: ValueError) -> Any:
    """A line the plain decoder refused, again with integers of more than 300 digits read as floats
    (what the plain decoder cannot hold); a line that still fails is not JSON."""
    global _JSON_GUARDED
    if _JSON_GUARDED is None:
        _JSON_GUARDED = json.JSONDecoder(parse_int=_json_int)
    try:
        return _JSON_GUARDED.decode(raw)
    except RecursionError:
        raise ConfigError(where, f"line {n} is nested too deeply to read") from None
    except ValueError as again:
        raise ConfigError(where, f"line {n} is not JSON ({getattr(again, 'msg', again)})") from None


def _json_int(text: str) -> float | int:
    # Python refuses to read an int of more than 4300 digits (and reading one costs quadratic time).
    return int(text) if len(text) <= 300 else float(text)


class _JsonFields:
    """The fields of a JSON-lines log that can be a step or an lr: their values, line by line."""

    MAX_NAMES = 10_000  # the names kept for messages; a log with more is listed as far as that

    def __init__(self, where: str, request: LogRequest, step_names: Sequence[str]):
        self.where, self.request = where, request
        self.step_candidates = set(_STEP_NAMES) | set(step_names) | ({request.step_column} if request.step_column else set())
        self.step_names = step_names
        self.names: dict[str, None] = {}
        self.values: dict[str, tuple[array, array]] = {}  # name -> (lines, numbers), 16 bytes a value
        self.bad: dict[str, tuple[int, str]] = {}  # name -> (line, text) of its first value that is not a number
        self.records = 0
        self._wanted: dict[str, bool] = {}

    def wanted(self, name: str) -> bool:
        """A name that can be a step or an lr (remembered, for the next line's same names)."""
        known = name in self.step_candidates or name in self.request.columns or is_lr_name(name)
        if len(self._wanted) < 100_000:
            self._wanted[name] = known
        return known

    def read(self, block: bytes, first_line: int) -> None:
        where, names, values, wanted_names = self.where, self.names, self.values, self._wanted
        decode = _JSON.raw_decode  # a line starts with its object; what follows it is checked below
        try:
            text = block.decode("utf-8-sig" if first_line == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            line = first_line + block.count(b"\n", 0, exc.start)
            raise ConfigError(where, f"line {line} is not UTF-8 text") from None
        n = first_line - 1
        for raw in text.split("\n"):
            n += 1
            if not raw or raw.isspace():
                continue
            try:
                record, end = decode(raw)
                if end != len(raw) and not raw[end:].isspace():
                    raise ValueError("extra data")
            except RecursionError:
                raise ConfigError(where, f"line {n} is nested too deeply to read") from None
            except ValueError as exc:
                # Leading blanks, Python's int-string limit (an integer of thousands of digits, read
                # as a float then), or no JSON: the careful decoder says which.
                record = _decode_guarded(raw, where, n, exc)
            if type(record) is not dict:
                raise ConfigError(where, f"line {n} is not a JSON object; JSON lines logs hold one object per line")
            self.records += 1
            for key, value in record.items():
                wanted = wanted_names.get(key)
                if wanted is None:
                    wanted = self.wanted(key)
                    if key not in names and len(names) < self.MAX_NAMES:
                        names[key] = None
                if not wanted or value is None:
                    continue
                if type(value) is float:
                    number = value
                elif type(value) is int:
                    try:
                        number = float(value)
                    except OverflowError:  # beyond a float: refused as an lr or a step
                        number = math.inf if value > 0 else -math.inf
                else:
                    number = self._number(key, value, n)
                    if number is None:
                        continue
                column = values.get(key)
                if column is None:
                    column = values[key] = (array("q"), array("d"))
                column[0].append(n)
                column[1].append(number)

    def _number(self, key: str, value: Any, n: int) -> float | None:
        """A JSON value as a number (an int, a numeric string); None for an empty string (no value,
        as an empty cell); NaN, remembered with its line, for what is not a number."""
        if isinstance(value, str) and not value.strip():
            return None
        try:
            return float(value) if type(value) is int else float(value if isinstance(value, str) else str(value))
        except (ValueError, OverflowError):
            if type(value) is int:
                return math.inf if value > 0 else -math.inf  # beyond a float: refused as an lr or a step
            if key not in self.bad:
                self.bad[key] = (n, str(value)[:40])
            return math.nan

    def log(self, kind: str, first_step: int | None) -> RunLog:
        where = self.where
        if not self.records:
            raise ConfigError(where, "is empty")
        names = list(self.names)
        lr_names = choose_lr(names, self.request.columns, where)
        step_given = self.request.step_column or next((s for s in self.step_names if s in names), None)
        step_name = _choose_step(names, step_given, where)
        numbering = self.request.first_step if self.request.first_step is not None else first_step
        points = Points(where, lr_names, _first_step(names, numbering), steps=self.request.steps)
        empty = (array("q"), array("d"))
        lines = [np.frombuffer(self.values.get(name, empty)[0], dtype=np.int64) for name in lr_names]
        rows = lines[0]
        for other in lines[1:]:
            rows = np.intersect1d(rows, other, assume_unique=True)
        everywhere = np.unique(np.concatenate(lines)) if len(lines) > 1 else rows
        if everywhere.size != rows.size:
            n = int(np.setdiff1d(everywhere, rows)[0])
            raise ConfigError(where, f"line {n} has a value for some of {_names(lr_names)} but not all; choose columns with --column")
        if rows.size == 0:
            raise ConfigError(where, f"has no value in {_names(lr_names)}")
        for name in [step_name, *lr_names]:
            line, text = self.bad.get(name, (None, ""))
            if line is not None and np.any(rows == line):
                what = "the step" if name == step_name else repr(name)
                raise ConfigError(where, f"line {line}: {what} is {text!r}, not a number")
        lr = np.vstack([np.frombuffer(self.values[name][1])[np.searchsorted(lines[i], rows)] for i, name in enumerate(lr_names)])
        step_lines = np.frombuffer(self.values.get(step_name, empty)[0], dtype=np.int64)
        step_values = np.frombuffer(self.values.get(step_name, empty)[1])
        at = np.searchsorted(step_lines, rows) if step_lines.size else np.zeros(rows.size, dtype=np.int64)
        found = (at < step_lines.size) & (step_lines[np.minimum(at, max(step_lines.size - 1, 0))] == rows) if step_lines.size else np.zeros(rows.size, bool)
        if not found.all():
            n = int(rows[np.argmin(found)])
            raise ConfigError(where, f"line {n}: the step is '', not a number")
        steps = step_values[at].astype(np.float64)
        self.values.clear()
        points.add(steps, lr, rows)
        return points.log(kind)


def cell(value: Any) -> str:
    """A JSON value as a CSV-like cell, for ``assemble``."""
    return "" if value is None else str(value)


def _tensorboard(where: str, files: list[Path], request: LogRequest) -> RunLog:
    # The framing first: a damaged file is said to be one, with or without TensorBoard's reader.
    checked = [check_event_file(f, str(f) if f.name not in where else where) for f in files]
    notes = tuple(note for _, note in checked if note)
    if not any(records for records, _ in checked):
        why = notes[0].replace("; it is read to its last whole record", "") if notes else f"the event file{'s are' if len(files) > 1 else ' is'} empty"
        raise ConfigError(where, f"holds no whole TensorBoard event: {why}")
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError:
        raise ConfigError(where, TENSORBOARD_HINT) from None
    scalars = read_scalars(files, event_accumulator)
    names = list(scalars)
    lr_names = choose_lr(names, request.columns, where)
    log = from_scalars(where, {n: scalars[n] for n in lr_names}, first_step=_first_step(names, request.first_step), steps=request.steps)
    return replace(log, notes=log.notes + notes) if notes else log


def check_event_file(path: Path, where: str) -> tuple[int, str | None]:
    """Walk a TensorBoard event file's records (TFRecord framing: a length, its masked CRC-32C, the
    data, the data's CRC), reading only their headers: a ConfigError for a file that is not one or
    is corrupt; else its whole records, and a note for one cut off inside a record (a run killed
    while writing), saying where. TensorBoard's own reader stops quietly at either."""
    offset = 0
    records = 0
    pending = b""
    skip = 0
    for chunk in read_chunks(path, MAX_LOG_BYTES, where, "run logs", size=CHUNK):
        if skip >= len(chunk):
            skip -= len(chunk)
            offset += len(chunk)
            continue
        data = pending + chunk[skip:]
        base = offset + skip - len(pending)
        offset += len(chunk)
        skip = 0
        i = 0
        while len(data) - i >= 12:
            header = data[i : i + 8]
            length = int.from_bytes(header, "little")
            if _masked_crc32c(header) != int.from_bytes(data[i + 8 : i + 12], "little"):
                if records == 0:
                    raise ConfigError(where, "is not a TensorBoard event file: its first record's header does not check out (a random or damaged file?)")
                raise ConfigError(where, f"is corrupt at byte {base + i:,}: the header of record {records + 1} does not check out; "
                                         f"the {records} records before it are whole")
            end = i + 12 + length + 4
            records += 1
            if end > len(data):
                skip = end - len(data)
                data = b""
                i = 0
                break
            i = end
        pending = data[i:]
    size = offset
    if skip or pending:
        whole = records - (1 if skip else 0)
        return whole, (f"the event file {path.name} is cut off: it ends inside record {whole + 1}, at byte {size:,} "
                       "(a run killed while writing?); it is read to its last whole record")
    return records, None


_CRC_TABLE: list[int] = []


def _masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC-32C (Castagnoli) of a few bytes: the record headers' check."""
    if not _CRC_TABLE:
        for n in range(256):
            c = n
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            _CRC_TABLE.append(c)
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_scalars(files: list[Path], event_accumulator: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every scalar series of a run's event files, as TensorBoard's own reader returns them.

    The reader keeps every point (its default samples 10,000 per tag), reads the files in name
    order (their names start with the time they were opened), and drops a restarted run's points
    past the step it restarted from, as the TensorBoard UI does.
    """
    keep_all = {event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0}
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    folder = files[0].parent
    if len(files) == 1 or all(f.parent == folder for f in files):
        target = str(folder) if len(files) > 1 else str(files[0])
        acc = event_accumulator.EventAccumulator(target, size_guidance=keep_all)
        acc.Reload()
        tags = acc.Tags()
        for tag in tags.get(event_accumulator.SCALARS, []):
            events = acc.Scalars(tag)
            out[tag] = (np.fromiter((e.step for e in events), np.int64, len(events)), np.fromiter((e.value for e in events), np.float64, len(events)))
        for tag in tags.get(event_accumulator.TENSORS, []):
            # tf.summary.scalar (TF2, Keras) writes a scalar tensor instead of a simple_value.
            from tensorboard.util import tensor_util

            events = acc.Tensors(tag)
            values = [tensor_util.make_ndarray(e.tensor_proto) for e in events]
            if events and all(v.shape == () and v.dtype.kind == "f" for v in values):
                out[tag] = (np.fromiter((e.step for e in events), np.int64, len(events)), np.array(values, dtype=np.float64))
    return out


def from_scalars(where: str, series: dict[str, tuple[np.ndarray, np.ndarray]], first_step: int = 0, kind: str = "TensorBoard", steps: int | None = None) -> RunLog:
    """A RunLog from (steps, values) per lr tag, as ``read_scalars`` returns them (or a test recorded
    them, or a framework's logs module collected them); ``steps`` as ``LogRequest.steps``. Public and stable."""
    names = list(series)
    logged = np.asarray(series[names[0]][0])
    for name in names[1:]:
        if not np.array_equal(series[name][0], logged):
            raise ConfigError(where, f"the tags {names[0]!r} and {name!r} are logged at different steps; choose one with --column")
    if logged.size == 0:
        raise ConfigError(where, f"has no value in {_names(names)}")
    points = Points(where, names, first_step, unit="point", steps=steps)
    lr = np.vstack([np.asarray(series[name][1], dtype=np.float64) for name in names])
    points.add(logged.astype(np.float64), lr, np.arange(1, logged.size + 1))
    return points.log(kind)


def assemble(where: str, kind: str, names: Sequence[str], steps: list[str], values: list[list[str]], first_step: int, line_offset: int | None,
             plan_steps: int | None = None) -> RunLog:
    """A RunLog from cells (text, as a CSV or ``cell`` gives them), one list per column, row by row:
    rows with an lr become points, rows without one (other metrics' rows) are skipped. Public and
    stable: a framework's logs module that has its rows in hand (transformers' log_history) uses it;
    one that reads a file line by line streams it with ``csv_log`` or ``json_lines`` instead.
    ``line_offset`` numbers the rows in messages as lines from it, or (None) as entries from 1;
    ``plan_steps`` is ``LogRequest.steps``."""
    unit = "line" if line_offset is not None else "entry"
    first = line_offset if line_offset is not None else 1
    points = Points(where, names, first_step, unit=unit, steps=plan_steps)
    filled = np.array([[bool(c) and not c.isspace() for c in col] for col in values], dtype=bool).reshape(len(values), -1)
    present = filled.all(axis=0)
    partial = np.nonzero(filled.any(axis=0) & ~present)[0]
    if partial.size:
        raise ConfigError(where, f"{unit} {int(partial[0]) + first} has a value for some of {_names(names)} but not all; choose columns with --column")
    rows = np.nonzero(present)[0]
    if rows.size == 0:
        raise ConfigError(where, f"has no value in {_names(names)}")
    step = np.array([_cell_number(steps[i], "the step", where, int(i) + first, unit) for i in rows.tolist()])
    lr = np.array([[_cell_number(col[i], repr(name), where, int(i) + first, unit) for i in rows.tolist()] for col, name in zip(values, names)])
    points.add(step, lr.reshape(len(names), -1), rows + first)
    return points.log(kind)


def as_trace(log: RunLog, name: str):
    """The logged run as a Trace, for ``compare``: each logged lr holds until the next logged step
    (as a trace's steps do), and the steps before the first logged one have none (NaN).

    A logged run has no scheduler, so its Spec's ``scheduler`` is None; figures read only its name,
    groups and run."""
    from .config import Group, OptimizerSpec, Spec
    from .engine import Trace

    n = int(log.step[-1]) + 1
    steps = np.arange(n, dtype=np.int64)
    held = np.searchsorted(log.step, steps, side="right") - 1
    lr = np.where(held >= 0, log.lr[:, np.maximum(held, 0)], np.nan)
    groups = tuple(Group(column, float(log.lr[i, 0])) for i, column in enumerate(log.columns))
    run = RunSpec(total_steps=n, steps_per_epoch=1, step="iteration", unit="iteration", has_epochs=False)
    spec = Spec(name, OptimizerSpec(groups), run, None)  # type: ignore[arg-type]
    return Trace(spec, steps, steps.astype(np.float64), lr)


def looks_like_runlog(text: str) -> bool:
    """A ``compare`` SPEC that names a logged run rather than a config or an inline schedule."""
    p = Path(text).expanduser()
    name = p.name
    if name.endswith((".csv", ".tsv", ".jsonl", ".ndjson")) or name.startswith("events.out.tfevents"):
        return True
    try:
        return _framework_reader(p) is not None or (p.is_dir() and any(p.rglob("events.out.tfevents*")))
    except (OSError, ValueError):  # a name too long for a path, a NUL byte: an inline spec, not a folder
        return False
