"""``lrplot check``: the mistakes that make a schedule silently wrong, as rules with stable codes.

A :class:`Rule` is data: a code that never changes meaning, a name, a severity, a one-line summary
and the function that finds it. The rules any schedule can break (read off the trace: an lr of 0, a
negative one, a resume that changes the curve) are here; each framework adds its own pitfalls in
its ``checks`` module (``RULES``). ``explain`` shows the same findings as notes, so each pitfall is
worded once.

Severities: ``error`` (the library raises, or the run trains on a negative lr) fails a check;
``warning`` (the run trains, but not as meant) fails it with ``--strict``; ``info`` (the library
behaves in a way users do not expect, but the config is as meant) is a note of ``explain`` that
``check`` does not report.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from .frozen import record
from .engine.pitfalls import REPORTED, Finding, Rule, Subject, num
from .errors import ConfigError, TorchWouldRaise
from .files import line_path, one_line

if TYPE_CHECKING:
    from .config import Spec
    from .engine.trace import Trace

# ----------------------------------------------------------------------------------------------
# Rules any schedule can break


def _raises(s: Subject):
    if s.raised is not None:
        yield s.raised.path, s.raised.message


def _first_step_zero(s: Subject):
    trace = s.trace
    if trace is None or trace.lr.shape[1] < 2:
        return
    # A warmup from 0 (the next step trains); a group held at 0 for longer is frozen on purpose.
    zero = [g for g in range(trace.lr.shape[0]) if trace.lr[g, 0] == 0 and trace.lr[g, 1] > 0]
    if zero and _zero_start_by_design(s.spec) is None:
        yield "scheduler", (
            f"the first step trains with lr 0{_group_words(s.spec, zero)}: a warmup that starts at 0 wastes that step; "
            "start it above 0"
        )


def _zero_start_by_design(spec: Spec) -> str | None:
    """Why a first step at lr 0 is the framework's documented behaviour, which its own configuration
    cannot change (the family's ``checks.zero_start_by_design``), or None where the user wrote it."""
    import importlib

    try:
        module = importlib.import_module(f"{spec.family.package}.checks")
    except ModuleNotFoundError:
        return None
    hook = getattr(module, "zero_start_by_design", None)
    return hook(spec) if hook is not None else None


def _zero_end_advice(spec: Spec, k: int) -> str | None:
    """How to keep the lr off 0 in the framework's own words (the family's ``checks.zero_end_advice``,
    given the first step at lr 0), or None for the general advice."""
    import importlib

    try:
        module = importlib.import_module(f"{spec.family.package}.checks")
    except ModuleNotFoundError:
        return None
    hook = getattr(module, "zero_end_advice", None)
    return hook(spec, k) if hook is not None else None


def _first_step_zero_by_design(s: Subject):
    trace = s.trace
    if trace is None or trace.lr.shape[1] < 2 or not any(trace.lr[g, 0] == 0 and trace.lr[g, 1] > 0 for g in range(trace.lr.shape[0])):
        return
    why = _zero_start_by_design(s.spec)
    if why is not None:
        yield "scheduler", f"the first step trains with lr 0: {why}"


def _reaches_zero(s: Subject):
    import numpy as np

    trace = s.trace
    if trace is None or trace.lr.shape[1] < 2:
        return
    # steps that train with lr 0 right after a step that did not
    drops = (trace.lr[:, 1:] == 0) & (trace.lr[:, :-1] > 0)
    if not drops.any():
        return
    k = int(np.nonzero(drops.any(axis=0))[0][0]) + 1
    groups = [g for g in range(trace.lr.shape[0]) if drops[g, k - 1]]
    g = groups[0]
    rest = trace.lr.shape[1] - k
    zeros = int((trace.lr[g, k:] == 0).sum())
    span = f"the last {rest} steps train" if zeros == rest else f"{zeros} of the {rest} steps after it train"
    if rest == 1:
        span = "the last step trains"
    advice = _zero_end_advice(s.spec, k) or "end the decay with the run, or give it a floor above 0"
    yield "scheduler", f"the lr{_group_words(s.spec, groups)} reaches 0 at {trace.spec.run.at(k)}, and {span} with lr 0 (no floor); {advice}"


def _negative(s: Subject):
    import numpy as np

    trace = s.trace
    if trace is None or not (trace.lr < 0).any():
        return
    g, k = (int(i[0]) for i in np.nonzero(trace.lr < 0))
    yield "scheduler", (
        f"the lr{_group_words(s.spec, [g])} goes negative ({num(trace.lr[g, k])} at {trace.spec.run.at(k)}): an optimizer with a "
        "negative lr climbs the loss; check the expression or the lengths"
    )


SPIKE = 10.0  # an lr this many times its group's initial value is a mistake, not a schedule


def _far_above(s: Subject):
    import numpy as np

    trace = s.trace
    if trace is None or not s.spec.family.scales_lr:  # a schedule that is the lr itself has no factor to get wrong
        return
    # Schedulers that set their own peak (OneCycleLR's and CyclicLR's max_lr) are measured against it.
    initial = np.array([g.lr for g in s.spec.optimizer.groups], dtype=np.float64)
    for node in s.spec.scheduler.walk():
        peak = node.params.get("max_lr")
        if isinstance(peak, (int, float, tuple)) and not isinstance(peak, bool):
            initial = np.maximum(initial, np.broadcast_to(np.asarray(peak, dtype=np.float64), initial.shape))
    top = trace.lr.max(axis=1)
    over = [g for g in range(len(initial)) if initial[g] > 0 and top[g] / SPIKE > initial[g]]  # no overflow at 1e308
    if over:
        g = over[0]
        k = int(np.argmax(trace.lr[g]))
        with np.errstate(over="ignore"):  # an initial lr of 5e-324
            ratio = float(top[g] / initial[g])
        yield "scheduler", (
            f"the lr{_group_words(s.spec, [g])} reaches {num(top[g])} at {trace.spec.run.at(k)}, {ratio:.0f}x its initial "
            f"{num(initial[g])}; a schedule's factors scale the optimizer's lr (an lr_lambda returns a factor, not an lr)"
        )


def _resume(s: Subject, raises: bool):
    if s.declared_resume is None:
        return
    from .engine import whatif
    outcome, safe = s.declared_resume
    if (outcome.error is not None) != raises:
        return
    resume = s.spec.run.resume
    fix = f"; resume with {safe} (exact here)" if safe else ""
    how = f"resuming with {resume.method} after scheduler step {resume.at}"
    yield "run.resume.method", f"{how}: {outcome.error}{fix}" if raises else f"{how} {whatif.verdict(s.trace, outcome)}{fix}"


GENERAL_RULES: tuple[Rule, ...] = (
    Rule("LR001", "library-raises", "error", "the library raises while building or stepping the schedule", _raises, fallback=True),
    Rule("LR101", "first-step-zero", "warning", "the first step trains with lr 0", _first_step_zero),
    Rule("LR105", "first-step-zero-by-design", "info", "the first step trains with lr 0, as the framework documents", _first_step_zero_by_design),
    Rule("LR102", "lr-reaches-zero", "warning", "the lr reaches 0 before the run ends (no floor)", _reaches_zero),
    Rule("LR103", "lr-negative", "error", "the lr goes negative", _negative),
    Rule("LR104", "lr-far-above-initial", "warning", f"the lr rises above {SPIKE:g}x its initial value", _far_above),
    Rule("LR201", "resume-differs", "warning", "the declared resume (run.resume) trains another curve than the uninterrupted run", lambda s: _resume(s, False)),
    Rule("LR202", "resume-raises", "error", "the declared resume (run.resume) raises in the library", lambda s: _resume(s, True)),
)


@functools.lru_cache(maxsize=None)
def rules() -> tuple[Rule, ...]:
    """Every rule: the general ones, then each framework's (its ``checks`` module); every family loads."""
    from .registry import families

    found = list(GENERAL_RULES)
    for family in families():
        found += family_rules(family.name)
    codes = [r.code for r in found]
    assert len(codes) == len(set(codes)), f"duplicate rule codes: {codes}"
    return tuple(found)


@functools.lru_cache(maxsize=None)
def family_rules(name: str) -> tuple[Rule, ...]:
    """One framework's rules (its ``checks`` module), loaded for the configs of that framework only."""
    import importlib

    from .registry import family

    package = family(name).package
    try:
        module = importlib.import_module(f"{package}.checks")
    except ModuleNotFoundError as exc:
        if exc.name != f"{package}.checks":
            raise
        return ()
    return tuple(r if r.family else _with_family(r, name) for r in module.RULES)


def rules_for(family: str, ignore: Sequence[str] = ()) -> tuple[Rule, ...]:
    """The rules a config of ``family`` is checked by: the general ones and its framework's, less the ignored."""
    return tuple(r for r in (*GENERAL_RULES, *family_rules(family)) if not any(r.code.startswith(code) for code in ignore))


def _with_family(rule: Rule, family: str) -> Rule:
    from dataclasses import replace

    return replace(rule, family=family)


def selected(ignore: Sequence[str] = ()) -> tuple[Rule, ...]:
    """The rules left when codes (or code prefixes, like ``PT2``) are ignored; unknown ones are errors."""
    check_ignored(ignore)
    return tuple(r for r in rules() if not any(r.code.startswith(code) for code in ignore))


def check_ignored(ignore: Sequence[str]) -> None:
    """Every ignored code names a rule (which takes every family's rules to know; none to ignore, none loads)."""
    if not ignore:
        return
    all_rules = rules()
    for code in ignore:
        if not any(r.code.startswith(code) for r in all_rules):
            from .values import suggest

            raise ConfigError("--ignore", f"no rule has the code {code!r}{suggest(code, [r.code for r in all_rules])} (see `lrplot check --list`)")


def findings(subject: Subject, chosen: Sequence[Rule] | None = None) -> list[Finding]:
    """What the rules find in a config, in rule order (by default the general ones and its framework's)."""
    family = subject.spec.family.name
    chosen = rules_for(family) if chosen is None else chosen
    out: list[Finding] = []
    for rule in chosen:
        if rule.fallback or rule.family not in (None, family):
            continue
        out += [Finding(rule.code, rule.severity, where, message) for where, message in rule.find(subject)]
    if not any(f.severity == "error" for f in out):
        for rule in chosen:
            if rule.fallback and rule.family in (None, family):
                out += [Finding(rule.code, rule.severity, where, message) for where, message in rule.find(subject)]
    return out


def trace_findings(trace: Trace) -> list[Finding]:
    """The findings of a simulated schedule (``explain``'s notes)."""
    return findings(Subject(trace.spec, trace))


# ----------------------------------------------------------------------------------------------
# Files


@record
class Checked:
    """One config file: its findings, or why it could not be read (``invalid``)."""

    path: str
    findings: tuple[Finding, ...] = ()
    invalid: str | None = None


def check_file(path: Path, chosen: Sequence[Rule] | None = None, ignore: Sequence[str] = (), run: Mapping[str, Any] | None = None,
               framework: str | None = None) -> Checked:
    """One config's findings under ``chosen`` rules, or (None) the general rules and its own
    framework's, less ``ignore`` (so checking a torch config loads no other framework's rules).
    ``run`` and ``framework`` are the run flags (the plan a framework's own file lacks) and --framework."""
    from .config import load
    from .engine import simulate

    from .sources import framework_target

    where = str(path)
    try:
        made = framework_target(where)  # a target in a framework's own words: train.py:get_lr
        spec = load(path, framework=framework, run=run) if made is None else load({**made, "run": {**made.get("run", {}), **(run or {})}})
    except TorchWouldRaise as exc:
        # A config torch itself rejects is a finding (it has a code), not a file lrplot cannot read.
        subject = None
        raised = exc
    except ConfigError as exc:
        return Checked(where, invalid=str(exc))
    else:
        raised = None
        try:
            subject = Subject(spec, simulate(spec))
        except TorchWouldRaise as exc:
            subject = Subject(spec, None, exc)
        except ConfigError as exc:
            return Checked(where, invalid=str(exc))
    if subject is None:
        general = chosen if chosen is not None else [r for r in GENERAL_RULES if not any(r.code.startswith(c) for c in ignore)]
        fallback = [r for r in general if r.fallback]
        found = [Finding(r.code, r.severity, raised.path, raised.message) for r in fallback]
        return Checked(where, tuple(found))
    if chosen is None:
        chosen = rules_for(subject.spec.family.name, ignore)
    try:
        return Checked(where, tuple(f for f in findings(subject, chosen) if f.severity in REPORTED))
    except ConfigError as exc:
        return Checked(where, invalid=str(exc))


def config_files(paths: Sequence[str]) -> list[Path | ConfigError]:
    """The files to check: each file given, and the YAML files under each folder (hidden ones skipped).

    Inside a folder, every ``.yaml``/``.yml`` name that is not a folder counts, whatever it is: a
    dangling symbolic link or a loop of them is then reported as it is when named directly, not
    skipped. Links to folders are not followed (so a link to ``..`` cannot loop).
    """
    out: list[Path | ConfigError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = []
            for folder, subfolders, names in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
                found += [Path(folder, n) for n in names if not n.startswith(".") and Path(n).suffix in (".yaml", ".yml")]
            if not found:
                out.append(ConfigError(raw, "has no .yaml configs"))
            out += sorted(found)
        else:
            out.append(path)
    return out


@record
class Report:
    checked: tuple[Checked, ...]

    @property
    def all_findings(self) -> list[tuple[str, Finding]]:
        return [(c.path, f) for c in self.checked for f in c.findings]

    def exit_code(self, strict: bool) -> int:
        """2 when a config could not be read, 1 for an error (or with ``strict`` any finding), else 0."""
        if any(c.invalid is not None for c in self.checked):
            return 2
        found = [f for _, f in self.all_findings]
        if any(f.severity == "error" for f in found) or (strict and found):
            return 1
        return 0


def check_paths(paths: Sequence[str], ignore: Sequence[str] = (), run: Mapping[str, Any] | None = None, framework: str | None = None) -> Report:
    check_ignored(ignore)
    checked = []
    for item in config_files(paths):
        if isinstance(item, ConfigError):
            checked.append(Checked(item.path, invalid=item.message))
        else:
            checked.append(check_file(item, None, ignore, run, framework))
    return Report(tuple(checked))


def as_text(report: Report) -> str:
    lines = []
    for c in report.checked:
        # One finding per line, whatever a path or a message holds: a newline or a tab in them is escaped.
        path = line_path(c.path)
        if c.invalid is not None:
            lines.append(f"{path}: invalid config: {one_line(c.invalid)}")
        lines += [f"{path}: {f.code} {one_line(f.message)}" for f in c.findings]
    found = [f for _, f in report.all_findings]
    errors = sum(f.severity == "error" for f in found)
    invalid = sum(c.invalid is not None for c in report.checked)
    n = len(report.checked)
    configs = f"{n} config{'s' if n != 1 else ''}"
    if not found and not invalid:
        lines.append(f"{configs} checked: no findings")
    else:
        parts = []
        if found:
            with_findings = sum(bool(c.findings) for c in report.checked)
            parts.append(f"{len(found)} finding{'s' if len(found) != 1 else ''} ({errors} error{'s' if errors != 1 else ''}, "
                         f"{len(found) - errors} warning{'s' if len(found) - errors != 1 else ''}) in {with_findings} of {configs}")
        if invalid:
            parts.append(f"{invalid} invalid config{'s' if invalid != 1 else ''}")
        lines.append("; ".join(parts))
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    by_code = {r.code: r for r in rules()}
    doc = {
        "findings": [
            {"file": path, "code": f.code, "rule": by_code[f.code].name, "severity": f.severity, "field": f.field, "message": f.message}
            for path, f in report.all_findings
        ],
        "invalid": [{"file": c.path, "message": c.invalid} for c in report.checked if c.invalid is not None],
    }
    import json

    return json.dumps(doc, indent=2) + "\n"


def rules_table(markdown: bool = False) -> str:
    """Every rule, for ``lrplot check --list`` and the README."""
    rows = [(r.code, r.name, r.severity, r.family or "any", r.summary) for r in rules()]
    if markdown:
        lines = ["| code | name | severity | schedules | finds |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| `{code}` | {name} | {severity} | {family} | {summary} |" for code, name, severity, family, summary in rows]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row[:4], widths)) + "  " + row[4] for row in rows) + "\n"


# ----------------------------------------------------------------------------------------------
# Words shared by the rules (the framework rules use them too)


def _group_words(spec: Spec, groups: Sequence[int]) -> str:
    """`` of group 'head'`` when the optimizer has several groups, else nothing."""
    names = spec.group_names
    if len(names) == 1:
        return ""
    return (" of group " if len(groups) == 1 else " of groups ") + ", ".join(repr(names[g]) for g in groups)
