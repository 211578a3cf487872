"""The vocabulary of pitfalls: a rule, what it looks at, and what it finds.

A :class:`Rule` is data: a code that never changes meaning, a name, a severity, a one-line summary
and the function that finds it in a :class:`Subject` (a config, its trace, or what the library
raised). ``lrplot.check`` holds the rules any schedule can break and runs them; each framework adds
its own in its ``checks`` module.
"""

from __future__ import annotations

import functools
from dataclasses import field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..frozen import record
from ..errors import TorchWouldRaise

if TYPE_CHECKING:
    from ..config import Spec
    from .trace import Trace

SEVERITIES = ("error", "warning", "info")
REPORTED = ("error", "warning")  # what `lrplot check` reports; info is for explain


@record
class Finding:
    code: str
    severity: str
    field: str  # the config field it is about (``scheduler.T_max``), "" for the schedule as a whole
    message: str  # one line: what goes wrong, and the fix


@record
class Subject:
    """What the rules look at: the config, its trace (None when the library raises), and the raise."""

    spec: Spec
    trace: Trace | None = None
    raised: TorchWouldRaise | None = None

    @functools.cached_property
    def declared_resume(self) -> tuple[Any, str | None] | None:
        """The outcome of the resume the config declares (``run.resume``), and a method exact here."""
        resume = self.spec.run.resume
        if resume is None or self.trace is None:
            return None
        from . import whatif
        (outcome,) = whatif.resumes(self.trace, resume.at, (resume.method,))
        if outcome.error is None and outcome.same_as(self.trace):
            return None
        return outcome, whatif.safe_method(self.trace, resume.at)


@record
class Rule:
    """One pitfall. ``find`` yields ``(field, message)`` for each place the config has it."""

    code: str
    name: str
    severity: str
    summary: str
    find: Callable[[Subject], Iterable[tuple[str, str]]] = field(repr=False)
    family: str | None = None  # the framework whose schedules it checks (None: any)
    # Reports only when no other rule explains an error (the library raising, in general terms).
    fallback: bool = False



def num(v: float) -> str:
    return f"{float(v):.4g}"


FAR = 4  # a number this many times the scheduler steps of a run is not one its step count reaches


def compared_numbers(expr: Any, variables: tuple[str, ...]) -> list[float]:
    """The numbers an expression (an ``lrplot.expr.Expr``) compares one of ``variables``, or
    arithmetic on it, with: ``step < 500`` gives 500."""
    import ast

    found = []
    for node in ast.walk(ast.parse(expr.to_python(), mode="eval")):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            moves = [any(isinstance(n, ast.Name) and n.id in variables for n in ast.walk(side)) for side in sides]
            if any(moves):
                for side, moving in zip(sides, moves):
                    if not moving:
                        try:
                            value = ast.literal_eval(side)
                        except ValueError:
                            value = dict(expr.names).get(side.id) if isinstance(side, ast.Name) else None
                        if isinstance(value, (int, float)) and not isinstance(value, bool):
                            found.append(float(value))
    return found
