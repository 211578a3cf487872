"""A translated schedule function: statements over lrplot expressions, and how they run.

The translator (``translate``) turns a user's function into a :class:`Program`: a list of
statements whose every expression is an :class:`lrplot.expr.Expr` (the safe arithmetic language),
with the file's constants folded in. Loops over known lists are unrolled, branches on known values
are decided, so what is left is straight-line code with branches on the step:

* ``Let``: a local variable;
* ``Branch``: ``if`` on a value of the step;
* ``Return``: the function's value;
* ``SetLR``: ``param_group['lr'] = ...`` for one param group;
* ``Check``: an ``assert``, checked at every call.

It runs for all calls at once over numpy arrays (each statement on the calls that reach it), or
call by call with Python's own numbers (``exact``, and for functions that read the lr they set
before, which carry state from call to call).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import TorchWouldRaise
from ...expr import Expr, ExprError


@dataclass(frozen=True)
class Let:
    name: str
    expr: Expr
    line: int


@dataclass(frozen=True)
class Branch:
    test: Expr
    body: tuple
    orelse: tuple
    line: int


@dataclass(frozen=True)
class Return:
    expr: Expr | None
    line: int


@dataclass(frozen=True)
class SetLR:
    group: int
    expr: Expr
    line: int


@dataclass(frozen=True)
class Check:
    expr: Expr
    line: int
    text: str


def state_name(group: int) -> str:
    """The variable that holds a param group's lr as the function finds it (``param_group['lr']``)."""
    return f"lr_of_group{group}"


@dataclass(frozen=True)
class Program:
    """One translated function: its statements, where it came from, and what it reads."""

    where: str  # "train.py:get_lr"
    file: str  # the file as messages show it
    body: tuple
    variables: tuple[str, ...]  # the call's names it reads: epoch, i, step
    sets_groups: bool  # assigns param_group['lr'] (else: its return value is the lr or a factor)
    stateful: bool  # reads a param group's lr before setting it
    lines: tuple[int, ...] = field(default=())  # lines of the statements that give the lr (for phases)

    def statements(self):
        def walk(block):
            for stmt in block:
                yield stmt
                if isinstance(stmt, Branch):
                    yield from walk(stmt.body)
                    yield from walk(stmt.orelse)
        return walk(self.body)


@dataclass
class Outcome:
    """What the calls did: per call, the value returned (NaN for none) and each group's lr set (NaN: not set),
    and which statement gave group 0 its value (its line, 0 for none): the phases of the schedule."""

    returned: np.ndarray
    set: np.ndarray  # [groups, calls]
    source: np.ndarray  # line numbers: the first of the branch last taken, or the statement's


def _rounds(expr: Expr) -> bool:
    """The expression calls libm or raises a float to a power: numpy's last bit may differ from Python's."""
    return bool(expr.math_names()) or "**" in expr.to_python()


def run_vector(program: Program, env: dict[str, np.ndarray], n_groups: int, exact: bool = False) -> Outcome:
    """Every call at once: ``env`` holds each variable's value per call. With ``exact``, what numpy
    computes with libm (cos, exp, **) is recomputed call by call with Python's own, so every value
    is the one the function itself computes; the rest of the arithmetic is IEEE's in both."""
    n = len(next(iter(env.values()))) if env else 0
    out = Outcome(np.full(n, np.nan), np.full((n_groups, n), np.nan), np.zeros(n, dtype=np.int64))
    alive = np.ones(n, dtype=bool)
    branch_line = np.zeros(n, dtype=np.int64)  # the first line of the branch last taken: the phase a call is in
    values: dict[str, np.ndarray] = dict(env)

    returns = [0]  # how many Returns have run: the calls still alive change only then

    def evaluate(expr: Expr, idx: np.ndarray | None, line: int) -> np.ndarray:
        args = {name: values[name] if idx is None else values[name][idx] for name in expr.variables}
        try:
            result = expr.evaluate_array(**args)
            if exact and _rounds(expr) and result.size:
                columns = [args[name].tolist() for name in expr.variables]
                result = np.array([expr(*point) for point in zip(*columns)] if columns else [expr()] * result.size, dtype=np.float64)
            return result
        except ExprError as exc:
            raise _raises(program, line, str(exc)) from None

    def block(stmts, mask: np.ndarray) -> None:
        seen = -1
        for stmt in stmts:
            if seen != returns[0]:  # the calls this statement runs for, and their indices (None: all of them)
                seen = returns[0]
                live = mask & alive
                count = int(live.sum())
                if count == 0:
                    return
                idx = None if count == n else np.nonzero(live)[0]
                at = slice(None) if idx is None else idx
            if isinstance(stmt, Let):
                if idx is None:
                    values[stmt.name] = evaluate(stmt.expr, None, stmt.line)
                else:
                    current = values.get(stmt.name)
                    if current is None:
                        current = values[stmt.name] = np.full(n, np.nan)
                    current[idx] = evaluate(stmt.expr, idx, stmt.line)
            elif isinstance(stmt, Branch):
                test = np.zeros(n, dtype=bool)
                test[at] = evaluate(stmt.test, idx, stmt.line) != 0
                for taken, body in ((live & test, stmt.body), (live & ~test, stmt.orelse)):
                    if body:
                        branch_line[taken] = body[0].line
                    block(body, taken)
            elif isinstance(stmt, Return):
                if stmt.expr is not None:
                    out.returned[at] = evaluate(stmt.expr, idx, stmt.line)
                    if not program.sets_groups:
                        out.source[at] = np.where(branch_line[at] > 0, branch_line[at], stmt.line)
                alive[at] = False
                returns[0] += 1
            elif isinstance(stmt, SetLR):
                out.set[stmt.group, at] = evaluate(stmt.expr, idx, stmt.line)
                if stmt.group == 0:
                    out.source[at] = np.where(branch_line[at] > 0, branch_line[at], stmt.line)
            elif isinstance(stmt, Check):
                ok = evaluate(stmt.expr, idx, stmt.line) != 0
                if not ok.all():
                    k = int(np.arange(n)[at][np.nonzero(~ok)[0][0]])
                    raise _assert_fails(program, stmt, {v: env[v][k] for v in program.variables})

    block(program.body, np.ones(n, dtype=bool))
    return out


def run_scalar(program: Program, point: dict[str, Any], lrs: list[float]) -> tuple[Any, list[float | None], int]:
    """One call with Python's numbers: (the value returned or None, each group's lr set or None, source line).

    ``lrs`` are the groups' lrs as the call finds them (what ``param_group['lr']`` reads).
    """
    values: dict[str, Any] = dict(point)
    for g, lr in enumerate(lrs):
        values[state_name(g)] = lr
    set_: list[float | None] = [None] * len(lrs)
    source = branch_line = 0

    def evaluate(expr: Expr, line: int):
        try:
            return expr(**{name: values[name] for name in expr.variables})
        except ExprError as exc:
            raise _raises(program, line, str(exc)) from None

    def block(stmts) -> tuple[bool, Any]:
        nonlocal source, branch_line
        for stmt in stmts:
            if isinstance(stmt, Let):
                values[stmt.name] = evaluate(stmt.expr, stmt.line)
            elif isinstance(stmt, Branch):
                body = stmt.body if evaluate(stmt.test, stmt.line) else stmt.orelse
                if body:
                    branch_line = body[0].line
                done, value = block(body)
                if done:
                    return True, value
            elif isinstance(stmt, Return):
                if stmt.expr is None:
                    return True, None
                if not program.sets_groups:
                    source = branch_line or stmt.line
                return True, evaluate(stmt.expr, stmt.line)
            elif isinstance(stmt, SetLR):
                value = evaluate(stmt.expr, stmt.line)
                set_[stmt.group] = value
                values[state_name(stmt.group)] = value  # a later read sees it, as in the dict
                if stmt.group == 0:
                    source = branch_line or stmt.line
            elif isinstance(stmt, Check):
                if not evaluate(stmt.expr, stmt.line):
                    raise _assert_fails(program, stmt, point)
        return False, None

    _, returned = block(program.body)
    return returned, set_, source


def _at(point: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_short(v)}" for k, v in point.items())


def _short(v: Any) -> str:
    if isinstance(v, (float, np.floating)) and not float(v).is_integer():
        return f"{float(v):.6g}"
    return str(int(v)) if isinstance(v, (int, np.integer, float, np.floating)) and math.isfinite(float(v)) else str(v)


def _raises(program: Program, line: int, message: str) -> TorchWouldRaise:
    return TorchWouldRaise(f"{program.file}:{line}", f"{program.where} raises here ({message}): the training script would stop; "
                           "lrplot draws only what the function computes")


def _assert_fails(program: Program, stmt: Check, point: dict[str, Any]) -> TorchWouldRaise:
    return TorchWouldRaise(f"{program.file}:{stmt.line}", f"`{stmt.text}` fails at {_at(point)} (AssertionError): the training script "
                           "stops there; change the run's length or the function's names")


