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
    arithmetic on it, with: ``step < 500`` gives 500; and the lengths of the ramps it clamps
    (``min(1.0, (step + 1) / 500)`` gives 500 too: the warmup ends where the ramp reaches the clamp)."""
    import ast

    def moves(node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in variables for n in ast.walk(node))

    def constant(node: ast.AST) -> float | None:
        try:
            value = ast.literal_eval(node)
        except ValueError:
            value = dict(expr.names).get(node.id) if isinstance(node, ast.Name) else None
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    found = []
    for node in ast.walk(ast.parse(expr.to_python(), mode="eval")):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            moving = [moves(side) for side in sides]
            if any(moving):
                found += [c for side, m in zip(sides, moving) if not m and (c := constant(side)) is not None]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max"):
            for arg in node.args:  # a clamped ramp: (step + 1) / 500 inside min(1.0, ...)
                for sub in ast.walk(arg):
                    if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Div) and moves(sub.left) and not moves(sub.right):
                        c = constant(sub.right)
                        if c is not None:
                            found.append(c)
    return found
