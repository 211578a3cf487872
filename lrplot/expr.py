"""Safe arithmetic expressions for user-written schedule functions.

YAML configs describe callables such as ``lr_lambda: "0.95 ** epoch"`` (LambdaLR,
MultiplicativeLR) or ``scale_fn: "1 / (2.0 ** (x - 1))"`` (CyclicLR).  This module
turns such text into an :class:`Expr` that behaves like the equivalent Python lambda
without ever handing user text to ``eval``/``exec``/``compile``: the text is parsed
with ``ast.parse`` (which executes nothing), every node is checked against a
whitelist and compiled into a small tree of evaluator objects.

Grammar: int/float literals; the declared variables; the constants ``pi``, ``e`` and
``tau``; unary ``+ - not``; binary ``+ - * / // % **``; comparisons
``< <= > >= == !=`` (chainable); ``and``/``or``; ``a if cond else b``; calls of the
functions in :data:`FUNCTIONS` with positional arguments only.

Scalar semantics (``Expr.__call__``) are exactly those of CPython evaluating the same
text as ``lambda epoch: <text>`` after ``from math import <names>``: the same Python
operators run on the same Python numbers, so ints stay ints (``epoch // 10``,
``2 ** epoch``, ``floor(x)``), true division gives floats, comparisons give bools and
``and``/``or`` return one of their operands.  ``abs``, ``min`` and ``max`` are the
builtins; ``pow`` is ``math.pow`` (always a float), which is also what
``from math import *`` binds.  Departures, all of which raise :class:`ExprError`
instead of misbehaving:

* any operation whose integer result would reach 2**1024 in magnitude (checked
  *before* computing ``int ** int``, so ``9 ** 9 ** 9`` is refused instantly);
* Python exceptions (division by zero, overflow, math domain errors) and results
  that are complex (``(-8) ** (1/3)``) or not finite.

Vector semantics (``Expr.evaluate_array``) use numpy ufuncs and agree with the scalar
path to within a few ulp (numpy's ``tanh`` for example is not libm's).  Elements where
numpy could silently diverge from Python -- int64 overflow, ints beyond 2**53 meeting
floats, anything Python would raise on -- are flagged while evaluating and recomputed
with the exact scalar evaluator, which also produces the error messages.
"""

from __future__ import annotations

import ast
import keyword
import math
import numbers
import operator
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

import numpy as np

__all__ = ["CONSTANTS", "FUNCTIONS", "Expr", "ExprError", "parse_expr"]


class ExprError(ValueError):
    """Raised for any invalid or failing expression.

    ``str(e)`` is a short human message without the YAML path (callers prefix it).
    """


# Resource limits, checked before anything is evaluated, so hostile text can cost
# at most a bounded amount of parsing and compiling.
_MAX_CHARS = 1000
_MAX_NODES = 200
_MAX_DEPTH = 50
# Scalar ints must stay strictly inside +-2**1024 (roughly the float range), which
# bounds the cost of every integer operation.
_INT_BITS = 1024
_INT_LIMIT = 2**_INT_BITS
# float64 holds every integer up to 2**53 exactly; beyond it numpy's int->float
# conversions can differ from Python's exact int/float comparisons and divisions.
_EXACT_INT = 2**53
# Integer results estimated (in float64) beyond this may have wrapped around in int64.
_INT64_SAFE = 2.0**62

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}


# --------------------------------------------------------------------------------
# Vector helpers.  A vector value is a numpy array (or numpy scalar) of dtype bool,
# int64 or float64, paired with an "unsure" boolean mask marking elements whose value
# may differ from the scalar path; those are recomputed exactly at the end.
# --------------------------------------------------------------------------------

_Vec = tuple[Any, Any]  # (value array, unsure mask)


def _num(a):
    """Bools count as ints in arithmetic, as in Python (numpy would OR them)."""
    return a.astype(np.int64) if a.dtype == np.bool_ else a


def _f(a):
    return a.astype(np.float64)


def _inexact(a):
    """Int elements that float64 cannot hold exactly."""
    if a.dtype.kind != "i":
        return np.False_
    return (a < -_EXACT_INT) | (a > _EXACT_INT)


def _overflow(result, estimate):
    """For int64 results: elements whose float estimate says int64 may have wrapped."""
    if result.dtype.kind != "i":
        return np.False_
    return ~(np.abs(estimate) < _INT64_SAFE)


def _unify(a, b):
    """Give two operands one dtype for where()/comparisons.

    Python compares an int and a float exactly and keeps whichever one min() or
    ``if``/``else`` picks; numpy converts the int to float64 first, which is only
    exact up to 2**53, so larger ints are flagged.
    """
    a, b = _num(a), _num(b)
    if a.dtype == b.dtype:
        return a, b, np.False_
    return _f(a), _f(b), _inexact(a) | _inexact(b)


def _near(a, b):
    """Elements where a and b are so close that a few ulps of libm rounding could swap their order."""
    a, b = _f(_num(np.asarray(a))), _f(_num(np.asarray(b)))
    return np.abs(a - b) <= 1e-9 * np.maximum(np.abs(a), np.abs(b))


def _truthy(a):
    return a != 0  # NaN is truthy, as bool(float('nan')) is


def _libm_failed(result, args):
    """Where CPython's math functions (and float ``**``) raise instead of returning.

    They check the C library result: NaN from non-NaN inputs is a domain error
    (ValueError), an infinity from finite inputs an overflow or pole (OverflowError,
    ValueError, ZeroDivisionError).  numpy returns those values silently.
    """
    domain = np.isnan(result)
    pole = np.isinf(result)
    for arg in args:
        domain = domain & ~np.isnan(arg)
        pole = pole & np.isfinite(arg)
    return domain | pole


def _int_op(ufunc, a, b) -> _Vec:
    a, b = _num(a), _num(b)
    result = ufunc(a, b)
    if result.dtype.kind != "i":
        return result, np.False_  # floats: IEEE arithmetic, the same in numpy and Python
    return result, _overflow(result, ufunc(_f(a), _f(b)))


def _v_add(a, b) -> _Vec:
    return _int_op(np.add, a, b)


def _v_sub(a, b) -> _Vec:
    return _int_op(np.subtract, a, b)


def _v_mul(a, b) -> _Vec:
    return _int_op(np.multiply, a, b)


def _v_floordiv(a, b) -> _Vec:
    result, unsure = _int_op(np.floor_divide, a, b)
    return result, unsure | (b == 0)


def _v_mod(a, b) -> _Vec:
    # np.mod follows Python's sign convention (result has the divisor's sign).
    a, b = _num(a), _num(b)
    return np.mod(a, b), b == 0


def _v_truediv(a, b) -> _Vec:
    a, b = _num(a), _num(b)
    unsure = b == 0
    if a.dtype.kind == b.dtype.kind == "i":
        # Python rounds the exact quotient of two ints once; numpy converts first.
        unsure = unsure | _inexact(a) | _inexact(b)
    return np.true_divide(a, b), unsure


def _v_pow(a, b) -> _Vec:
    a, b = _num(a), _num(b)
    fa, fb = _f(a), _f(b)
    approx = np.power(fa, fb)  # what Python computes whenever a float is involved
    if a.dtype.kind == b.dtype.kind == "i":
        if np.all(b >= 0):
            # Python keeps an exact int; int64 power is exact until it could wrap.
            return np.power(a, b), ~(np.abs(approx) < _INT64_SAFE)
        # Mixed signs: negative exponents give floats (float pow rules), the others
        # exact ints that a float64 result only matches below 2**53.
        exact_int = (b >= 0) & ~(np.abs(approx) < _EXACT_INT)
        return approx, _libm_failed(approx, (fa, fb)) | exact_int
    return approx, _libm_failed(approx, (fa, fb))


def _v_neg(a) -> _Vec:
    a = _num(a)
    result = np.negative(a)
    return result, _overflow(result, _f(a))


def _v_pos(a) -> _Vec:
    return _num(a), np.False_


def _libm(ufunc) -> Callable[..., _Vec]:
    """Vector form of a math-module function computing on floats."""

    def apply(*args):
        floats = [_f(_num(arg)) for arg in args]
        result = ufunc(*floats)
        return result, _libm_failed(result, floats)

    return apply


_v_ln = _libm(np.log)


def _v_log(x, base=None) -> _Vec:
    # math.log(x, base) is literally log(x) / log(base), with ZeroDivisionError for
    # base 1; computing it the same way keeps the rounding identical.
    num, unsure = _v_ln(x)
    if base is None:
        return num, unsure
    den, base_unsure = _v_ln(base)
    return num / den, unsure | base_unsure | (den == 0)


def _to_int(ufunc) -> Callable[..., _Vec]:
    """floor/ceil/trunc return Python ints, so keep int64 for later ``//`` and ``%``."""

    def apply(x):
        if x.dtype.kind in "bi":
            return _num(x), np.False_  # math.floor(int) is that int
        result = ufunc(x)
        fits = np.abs(result) < _INT64_SAFE  # False for inf/NaN, where math raises
        return np.where(fits, result, 0).astype(np.int64), ~fits

    return apply


def _v_round(x, n=None) -> _Vec:
    """Python's round: an int, ties to even (np.rint rounds the same way); with decimals, Python
    rounds the exact decimal value, which numpy does not, so those are recomputed."""
    if n is not None:
        return np.full(np.broadcast_shapes(np.shape(x), np.shape(n)), np.nan), np.True_
    if x.dtype.kind in "bi":
        return _num(x), np.False_
    result = np.rint(x)
    fits = np.abs(result) < _INT64_SAFE  # False for inf/NaN, where round raises
    tie = np.abs(np.abs(x - np.trunc(x)) - 0.5) < 1e-9  # a tie libm rounding could move
    return np.where(fits, result, 0).astype(np.int64), ~fits | tie


def _v_abs(x) -> _Vec:
    x = _num(x)
    result = np.abs(x)
    return result, _overflow(result, _f(x))


def _extreme(better) -> Callable[..., _Vec]:
    """Builtin min/max: keep the first value unless a later one compares better.

    Unlike np.minimum this keeps Python's handling of NaN (``min(1, nan) == 1``) and
    of equal values (``min(0, -0.0)`` is the first one).
    """

    def apply(first, *rest):
        best, unsure = first, np.False_
        for value in rest:
            best, value, lossy = _unify(best, value)
            best = np.where(better(value, best), value, best)
            unsure = unsure | lossy
        return best, unsure

    return apply


# --------------------------------------------------------------------------------
# Function whitelist
# --------------------------------------------------------------------------------


class _Function(NamedTuple):
    description: str
    scalar: Callable[..., Any]
    vector: Callable[..., _Vec]
    min_args: int
    max_args: int | None  # None: no upper bound
    from_math: bool  # generated Python code must import it from math


_TO_INT = ("floor", "ceil", "trunc", "int")


def _math1(name: str, ufunc, description: str) -> _Function:
    return _Function(description, getattr(math, name), _libm(ufunc), 1, 1, True)


_FUNCTIONS: dict[str, _Function] = {
    "cos": _math1("cos", np.cos, "cosine (radians)"),
    "sin": _math1("sin", np.sin, "sine (radians)"),
    "tan": _math1("tan", np.tan, "tangent (radians)"),
    "acos": _math1("acos", np.arccos, "arc cosine, in radians"),
    "asin": _math1("asin", np.arcsin, "arc sine, in radians"),
    "atan": _math1("atan", np.arctan, "arc tangent, in radians"),
    "atan2": _Function(
        "atan2(y, x): arc tangent of y / x, using both signs for the quadrant",
        math.atan2, _libm(np.arctan2), 2, 2, True,
    ),
    "cosh": _math1("cosh", np.cosh, "hyperbolic cosine"),
    "sinh": _math1("sinh", np.sinh, "hyperbolic sine"),
    "tanh": _math1("tanh", np.tanh, "hyperbolic tangent"),
    "exp": _math1("exp", np.exp, "e raised to the power x"),
    "expm1": _math1("expm1", np.expm1, "exp(x) - 1, accurate for small x"),
    "log": _Function(
        "natural logarithm; log(x, base) for another base", math.log, _v_log, 1, 2, True
    ),
    "log1p": _math1("log1p", np.log1p, "log(1 + x), accurate for small x"),
    "log2": _math1("log2", np.log2, "base-2 logarithm"),
    "log10": _math1("log10", np.log10, "base-10 logarithm"),
    "sqrt": _math1("sqrt", np.sqrt, "square root"),
    "floor": _Function(
        "largest integer <= x (an int)", math.floor, _to_int(np.floor), 1, 1, True
    ),
    "ceil": _Function(
        "smallest integer >= x (an int)", math.ceil, _to_int(np.ceil), 1, 1, True
    ),
    "trunc": _Function(
        "x rounded toward zero (an int)", math.trunc, _to_int(np.trunc), 1, 1, True
    ),
    "abs": _Function("absolute value", abs, _v_abs, 1, 1, False),
    "min": _Function("smallest of two or more values", min, _extreme(np.less), 2, None, False),
    "max": _Function("largest of two or more values", max, _extreme(np.greater), 2, None, False),
    "pow": _Function(
        "pow(x, y): x ** y as a float (math.pow, not the builtin)",
        math.pow, _libm(np.power), 2, 2, True,
    ),
    "round": _Function(
        "round(x): the nearest integer, ties to even (Python's round); round(x, n): to n decimals",
        round, lambda x, n=None: _v_round(x, n), 1, 2, False,
    ),
    "int": _Function("int(x): x truncated toward zero (an int, as Python's int)", int, _to_int(np.trunc), 1, 1, False),
    "float": _Function("float(x): x as a float", float, lambda x: (_f(_num(x)), np.False_), 1, 1, False),
}

FUNCTIONS: dict[str, str] = {name: f.description for name, f in _FUNCTIONS.items()}


# --------------------------------------------------------------------------------
# Evaluator nodes.  scalar() works on Python numbers and raises ExprError without
# the variable values (Expr.__call__ appends them); vector() returns a _Vec.
# --------------------------------------------------------------------------------


def _short(value: Any) -> str:
    """repr() for messages, abbreviated for 300-digit ints."""
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:12]}...({len(text)} characters)"


def _operand(value: Any) -> str:
    """_short() with negative numbers parenthesized, so '(-8) ** 0.5' reads right."""
    text = _short(value)
    return f"({text})" if text.startswith("-") else text


def _check_int(result, shown: Callable[[], str]):
    if type(result) is int and not -_INT_LIMIT < result < _INT_LIMIT:
        raise ExprError(f"integer result too large ({shown()})")
    return result


class _Node:
    """An evaluator node.  ``rounds``: the subtree calls libm or ``**`` on floats, where numpy and
    CPython may differ in the last bits; a discontinuous operation on such a value (``%``, ``//``,
    floor, a comparison) can turn those bits into a different answer, so it defers to Python."""

    __slots__ = ("rounds",)

    def scalar(self, env: dict[str, Any]) -> Any:
        raise NotImplementedError

    def vector(self, env: dict[str, Any]) -> _Vec:
        raise NotImplementedError


class _Const(_Node):
    __slots__ = ("value", "array", "unsure")

    def __init__(self, value: int | float):
        self.value = value
        self.rounds = False
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            # int64 cannot hold it, so no vector value is right: have every element
            # recomputed by the scalar path.
            self.array, self.unsure = np.asarray(np.nan), np.True_
        else:
            dtype = np.int64 if isinstance(value, int) else np.float64
            self.array, self.unsure = np.asarray(value, dtype), np.False_

    def scalar(self, env):
        return self.value

    def vector(self, env):
        return self.array, self.unsure


class _Named(_Const):
    """A read-only name bound when the expression is built (``total_steps``, a var, ``base_lr``)."""

    __slots__ = ("name",)

    def __init__(self, name: str, value: int | float):
        super().__init__(value)
        self.name = name


class _Var(_Node):
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name
        self.rounds = False

    def scalar(self, env):
        return env[self.name]

    def vector(self, env):
        return env[self.name], np.False_


class _Unary(_Node):
    __slots__ = ("op", "vop", "operand")

    def __init__(self, op, vop, operand: _Node):
        self.op, self.vop, self.operand = op, vop, operand
        self.rounds = operand.rounds

    def scalar(self, env):
        return self.op(self.operand.scalar(env))  # -int cannot grow past the limit

    def vector(self, env):
        value, unsure = self.operand.vector(env)
        result, op_unsure = self.vop(value)
        return result, unsure | op_unsure


class _Not(_Node):
    __slots__ = ("operand",)

    def __init__(self, operand: _Node):
        self.operand = operand
        self.rounds = False  # a bool: the near-zero test below decides it

    def scalar(self, env):
        return not self.operand.scalar(env)

    def vector(self, env):
        value, unsure = self.operand.vector(env)
        if self.operand.rounds:
            unsure = unsure | _near(value, 0)
        return ~_truthy(value), unsure


def _pow_too_large(a, b) -> bool:
    """Would int ** int reach 2**1024?  Decided without computing the power."""
    return (
        isinstance(a, int)
        and isinstance(b, int)
        and b > 0
        and (abs(a).bit_length() - 1) * b >= _INT_BITS  # a**b >= 2**((bits-1)*b)
    )


class _Binary(_Node):
    __slots__ = ("symbol", "op", "vop", "left", "right")

    def __init__(self, symbol: str, op, vop, left: _Node, right: _Node):
        self.symbol, self.op, self.vop = symbol, op, vop
        self.left, self.right = left, right
        self.rounds = symbol == "**" or left.rounds or right.rounds

    def scalar(self, env):
        a = self.left.scalar(env)
        b = self.right.scalar(env)

        def shown():
            return f"{_operand(a)} {self.symbol} {_operand(b)}"

        if self.symbol == "**" and _pow_too_large(a, b):
            raise ExprError(f"'**' result too large ({shown()})")
        try:
            result = self.op(a, b)
        except ZeroDivisionError:
            raise ExprError(f"division by zero ({shown()})") from None
        except OverflowError:
            raise ExprError(f"numeric overflow ({shown()})") from None
        if isinstance(result, complex):  # negative float ** fractional power
            raise ExprError(f"'**' result is not a real number ({shown()})")
        return _check_int(result, shown)

    def vector(self, env):
        a, a_unsure = self.left.vector(env)
        b, b_unsure = self.right.vector(env)
        result, unsure = self.vop(a, b)
        if self.symbol in ("%", "//") and (self.left.rounds or self.right.rounds) and result.dtype.kind == "f":
            # The last bits of a large dividend decide the remainder: no tolerance helps.
            unsure = np.True_
        return result, a_unsure | b_unsure | unsure


class _Compare(_Node):
    """A (possibly chained) comparison; ``a < b < c`` evaluates b once and stops early."""

    __slots__ = ("first", "rest")

    def __init__(self, first: _Node, rest: list[tuple[Any, Any, _Node]]):
        self.first, self.rest = first, rest  # rest: (op, ufunc, operand)
        self.rounds = False

    def scalar(self, env):
        left = self.first.scalar(env)
        for op, _, node in self.rest:
            right = node.scalar(env)
            if not op(left, right):
                return False
            left = right
        return True

    def vector(self, env):
        left, unsure = self.first.vector(env)
        left_rounds = self.first.rounds
        alive = np.True_  # elements whose chain has been true so far
        for _, ufunc, node in self.rest:
            right, right_unsure = node.vector(env)
            a, b, lossy = _unify(left, right)
            if left_rounds or node.rounds:
                lossy = lossy | _near(a, b)  # a near-tie may compare the other way in Python
            unsure = unsure | (alive & (right_unsure | lossy))
            alive = alive & ufunc(a, b)
            left, left_rounds = right, node.rounds
        return alive, unsure


class _BoolOp(_Node):
    """``and``/``or``: Python returns the deciding operand itself, not a bool."""

    __slots__ = ("is_and", "values")

    def __init__(self, is_and: bool, values: list[_Node]):
        self.is_and, self.values = is_and, values
        self.rounds = any(v.rounds for v in values)

    def scalar(self, env):
        for node in self.values[:-1]:
            value = node.scalar(env)
            if bool(value) != self.is_and:  # falsy stops 'and', truthy stops 'or'
                return value
        return self.values[-1].scalar(env)

    def vector(self, env):
        result, unsure = self.values[0].vector(env)
        going = _truthy(result) == self.is_and  # elements that evaluate the next one
        for node in self.values[1:]:
            value, value_unsure = node.vector(env)
            result, value_c, lossy = _unify(result, value)
            result = np.where(going, value_c, result)
            unsure = unsure | lossy | (going & value_unsure)
            going = going & (_truthy(value) == self.is_and)
        return result, unsure


class _IfExp(_Node):
    __slots__ = ("test", "body", "orelse")

    def __init__(self, test: _Node, body: _Node, orelse: _Node):
        self.test, self.body, self.orelse = test, body, orelse
        self.rounds = body.rounds or orelse.rounds

    def scalar(self, env):
        return self.body.scalar(env) if self.test.scalar(env) else self.orelse.scalar(env)

    def vector(self, env):
        # Both branches are computed everywhere; failures in the branch not taken
        # must not count, so only the chosen branch's unsure mask is kept.
        test, unsure = self.test.vector(env)
        body, body_unsure = self.body.vector(env)
        orelse, orelse_unsure = self.orelse.vector(env)
        chosen = _truthy(test)
        body, orelse, lossy = _unify(body, orelse)
        result = np.where(chosen, body, orelse)
        return result, unsure | lossy | np.where(chosen, body_unsure, orelse_unsure)


class _Call(_Node):
    __slots__ = ("name", "func", "args")

    def __init__(self, name: str, func: _Function, args: list[_Node]):
        self.name, self.func, self.args = name, func, args
        integral = name in _TO_INT
        self.rounds = (func.from_math and not integral) or (not integral and any(a.rounds for a in args))

    def scalar(self, env):
        args = [node.scalar(env) for node in self.args]
        try:
            return self.func.scalar(*args)
        except ValueError:
            problem = "math domain error in"
        except OverflowError:
            problem = "numeric overflow in"
        except ZeroDivisionError:  # log(x, 1)
            problem = "division by zero in"
        raise ExprError(f"{problem} {self.name}({', '.join(map(_short, args))})")

    def vector(self, env):
        values, unsure = [], np.False_
        for node in self.args:
            value, value_unsure = node.vector(env)
            values.append(value)
            unsure = unsure | value_unsure
        result, call_unsure = self.func.vector(*values)
        if self.name in _TO_INT and self.args[0].rounds and values[0].dtype.kind == "f":
            call_unsure = call_unsure | _near(values[0], np.round(values[0]))  # floor(2.9999999999999996)
        return result, unsure | call_unsure


# --------------------------------------------------------------------------------
# The fast scalar path: the evaluator tree as nested Python closures of one variable,
# with the parts that do not depend on it computed once (``0.5 * (base_lr - min_lr)``).
# Every closure performs exactly the Python operation its node does, in the same order,
# so the results are the same objects' values; anything unusual (an exception, an int
# power, an int too large, a complex result) raises _Fallback, and the caller re-runs the
# tree evaluator, which gives the result or the error message with the variable's value.
# --------------------------------------------------------------------------------


class _Fallback(Exception):
    """The fast path cannot decide this call: evaluate it with the tree."""


_VARIES = object()  # a closure's "constant" when it depends on the variable


def _closure(node: _Node) -> tuple[Callable[[Any], Any], Any]:
    """``(f, constant)``: ``f(v)`` evaluates ``node`` with the variable ``v``; ``constant`` is its
    value when it does not depend on ``v`` (computed once, here), else ``_VARIES``."""
    constant = _constant(node)
    if constant is not _VARIES:
        return (lambda v: constant), constant
    return _CLOSURES[type(node)](node), _VARIES


def _constant(node: _Node) -> Any:
    """The subtree's value when it does not read the variable (and evaluates cleanly), else ``_VARIES``."""
    if isinstance(node, _Const):
        return node.value
    if _depends(node):
        return _VARIES
    try:
        value = node.scalar({})
    except ExprError:
        return _VARIES  # fails whenever it runs: left to the tree, with its message
    if isinstance(value, complex) or (type(value) is int and not -_INT_LIMIT < value < _INT_LIMIT):
        return _VARIES
    return value


def _depends(node: _Node) -> bool:
    """Does the subtree read the variable?"""
    if isinstance(node, _Var):
        return True
    children = {
        _Unary: lambda n: [n.operand], _Not: lambda n: [n.operand], _Binary: lambda n: [n.left, n.right],
        _Compare: lambda n: [n.first, *(r[2] for r in n.rest)], _BoolOp: lambda n: n.values,
        _IfExp: lambda n: [n.test, n.body, n.orelse], _Call: lambda n: n.args,
    }.get(type(node), lambda n: [])(node)
    return any(_depends(child) for child in children)


def _checked(r: Any) -> Any:
    """An int result beyond the limit, or a complex one, is the tree's to report."""
    if type(r) is float:
        return r
    if (type(r) is int and -_INT_LIMIT < r < _INT_LIMIT) or type(r) is bool:
        return r
    raise _Fallback


def _c_var(node: _Var):
    return lambda v: v


def _c_unary(node: _Unary):
    f, _ = _closure(node.operand)
    op = node.op
    if op is operator.neg:
        return lambda v: -f(v)
    return lambda v: op(f(v))


def _c_not(node: _Not):
    f, _ = _closure(node.operand)
    return lambda v: not f(v)


def _c_binary(node: _Binary):
    op = node.op
    if node.symbol == "**":
        left, right = _closure(node.left)[0], _closure(node.right)[0]

        def power(v):
            x, y = left(v), right(v)
            if type(x) is not float and type(y) is not float:
                raise _Fallback  # int ** int: the tree bounds it before computing it
            return _checked(x ** y)
        return power
    steps, inner = _chain(node)
    if not steps:  # both sides vary
        left, right = _closure(node.left)[0], _closure(node.right)[0]

        def binary(v):
            r = op(left(v), right(v))
            return r if type(r) is float else _checked(r)
        return binary
    if len(steps) > 1:
        # ``(min_lr + 0.5 * (1.0 + cos(...)) * c) / base_lr``: each operation with a constant, one
        # after another on one value, in one call (each checked as its own node would be).
        f = _closure(inner)[0]
        # On a float with float constants each operation is a float's own method, and every result
        # a float: nothing to check between them (c.__rsub__(x) is x - c, the same IEEE operation).
        # tails[i]: the methods of steps i.. when their constants are all floats (else None)
        tails: list[list[Callable] | None] = []
        for i in range(len(steps)):
            rest = steps[i:]
            tails.append([getattr(c, _METHOD[op, left]) for op, c, left in rest] if all(type(c) is float for _, c, _ in rest) else None)
        careful = [(op, c, left, tail) for (op, c, left), tail in zip(steps, tails)]

        def chain(v):
            x = f(v)
            for op, c, constant_left, tail in careful:
                if tail is not None and type(x) is float:  # floats from here on: the rest in a row
                    for method in tail:
                        x = method(x)
                    return x
                x = op(c, x) if constant_left else op(x, c)
                if type(x) is not float:
                    x = _checked(x)
            return x
        return chain
    ((_, c, constant_left),) = steps
    # One operation with a constant, on the bare variable or on a value (``step - 2000``, ``pi * x``).
    if isinstance(inner, _Var):
        if constant_left:
            def constant_and_variable(v):
                r = op(c, v)
                return r if type(r) is float else _checked(r)
            return constant_and_variable

        def variable_and_constant(v):
            r = op(v, c)
            return r if type(r) is float else _checked(r)
        return variable_and_constant
    f = _closure(inner)[0]
    if constant_left:
        def with_constant_left(v):
            r = op(c, f(v))
            return r if type(r) is float else _checked(r)
        return with_constant_left

    def with_constant_right(v):
        r = op(f(v), c)
        return r if type(r) is float else _checked(r)
    return with_constant_right


# (operator, constant on the left) -> the constant's method computing it: c + x, x - c, c / x, ...
_METHOD = {
    (operator.add, True): "__add__", (operator.add, False): "__radd__",
    (operator.mul, True): "__mul__", (operator.mul, False): "__rmul__",
    (operator.sub, True): "__sub__", (operator.sub, False): "__rsub__",
    (operator.truediv, True): "__truediv__", (operator.truediv, False): "__rtruediv__",
    (operator.floordiv, True): "__floordiv__", (operator.floordiv, False): "__rfloordiv__",
    (operator.mod, True): "__mod__", (operator.mod, False): "__rmod__",
}


def _chain(node: _Node) -> tuple[list[tuple[Callable, Any, bool]], _Node]:
    """Binary operations with a constant side, nested one in another, innermost first:
    ``([(op, constant, constant_on_the_left), ...], the innermost operand that varies)``."""
    steps: list[tuple[Callable, Any, bool]] = []
    while isinstance(node, _Binary) and node.symbol != "**":
        left, right = _constant(node.left), _constant(node.right)
        if (left is _VARIES) == (right is _VARIES):
            break
        steps.append((node.op, right if left is _VARIES else left, left is not _VARIES))
        node = node.left if left is _VARIES else node.right
    return steps[::-1], node


def _c_compare(node: _Compare):
    first, _ = _closure(node.first)
    rest = [(op, _closure(operand)[0]) for op, _, operand in node.rest]
    if len(rest) == 1:
        (op, second), = rest
        bound = _constant(node.rest[0][2])
        if isinstance(node.first, _Var) and bound is not _VARIES:  # ``step < warmup_iters``
            return lambda v: op(v, bound)
        return lambda v: op(first(v), second(v))

    def chain(v):
        left = first(v)
        for op, f in rest:
            right = f(v)
            if not op(left, right):
                return False
            left = right
        return True
    return chain


def _c_boolop(node: _BoolOp):
    fs = [_closure(value)[0] for value in node.values]
    *head, last = fs
    is_and = node.is_and

    def boolop(v):
        for f in head:
            value = f(v)
            if bool(value) != is_and:
                return value
        return last(v)
    return boolop


def _c_ifexp(node: _IfExp):
    body, _ = _closure(node.body)
    orelse, _ = _closure(node.orelse)
    t = node.test
    if isinstance(t, _Compare) and len(t.rest) == 1 and isinstance(t.first, _Var):
        # ``a if step < warmup_iters else b``: the comparison made here, not in a call of its own
        op, _, operand = t.rest[0]
        c = _constant(operand)
        if c is not _VARIES and op in _IF_VARIABLE_VS_CONSTANT:
            return _IF_VARIABLE_VS_CONSTANT[op](c, body, orelse)
    test, _ = _closure(t)
    return lambda v: body(v) if test(v) else orelse(v)


_IF_VARIABLE_VS_CONSTANT: dict[Callable, Callable] = {
    operator.lt: lambda c, body, orelse: lambda v: body(v) if v < c else orelse(v),
    operator.le: lambda c, body, orelse: lambda v: body(v) if v <= c else orelse(v),
    operator.gt: lambda c, body, orelse: lambda v: body(v) if v > c else orelse(v),
    operator.ge: lambda c, body, orelse: lambda v: body(v) if v >= c else orelse(v),
    operator.eq: lambda c, body, orelse: lambda v: body(v) if v == c else orelse(v),
    operator.ne: lambda c, body, orelse: lambda v: body(v) if v != c else orelse(v),
}


def _c_call(node: _Call):
    fs = [_closure(arg)[0] for arg in node.args]
    fn = node.func.scalar
    if len(fs) == 1:
        (f,) = fs
        return lambda v: fn(f(v))
    return lambda v: fn(*[f(v) for f in fs])


_CLOSURES: dict[type, Callable[[Any], Callable[[Any], Any]]] = {
    _Var: _c_var, _Unary: _c_unary, _Not: _c_not, _Binary: _c_binary,
    _Compare: _c_compare, _BoolOp: _c_boolop, _IfExp: _c_ifexp, _Call: _c_call,
}


# --------------------------------------------------------------------------------
# Validation and compilation
# --------------------------------------------------------------------------------

_BINARY_OPS: dict[type, tuple[str, Callable, Callable]] = {
    ast.Add: ("+", operator.add, _v_add),
    ast.Sub: ("-", operator.sub, _v_sub),
    ast.Mult: ("*", operator.mul, _v_mul),
    ast.Div: ("/", operator.truediv, _v_truediv),
    ast.FloorDiv: ("//", operator.floordiv, _v_floordiv),
    ast.Mod: ("%", operator.mod, _v_mod),
    ast.Pow: ("**", operator.pow, _v_pow),
}
_UNARY_OPS: dict[type, tuple[Callable, Callable]] = {
    ast.USub: (operator.neg, _v_neg),
    ast.UAdd: (operator.pos, _v_pos),
}
_COMPARE_OPS: dict[type, tuple[Callable, Callable]] = {
    ast.Lt: (operator.lt, np.less),
    ast.LtE: (operator.le, np.less_equal),
    ast.Gt: (operator.gt, np.greater),
    ast.GtE: (operator.ge, np.greater_equal),
    ast.Eq: (operator.eq, np.equal),
    ast.NotEq: (operator.ne, np.not_equal),
}
# Spellings of the operators we refuse, for error messages.
_OPERATOR_SYMBOLS: dict[type, str] = {
    ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|",
    ast.BitXor: "^", ast.BitAnd: "&", ast.Invert: "~", ast.Is: "is",
    ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}
_FORBIDDEN: dict[type, str] = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "subscripts are",
    ast.Lambda: "lambda is",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Set: "sets are",
    ast.Dict: "dicts are",
    ast.JoinedStr: "f-strings are",
    ast.NamedExpr: "assignments (':=') are",
    ast.Starred: "'*' unpacking is",
}
_ALLOWED_OPERATORS = "+ - * / // % ** < <= > >= == != and or not"


class _Compiled(NamedTuple):
    node: _Node
    python: str
    math_names: tuple[str, ...]
    used_names: tuple[str, ...]


class _Builder:
    """Turns a size-checked ``ast`` tree into evaluator nodes, refusing anything else."""

    def __init__(
        self,
        text: str,
        variables: tuple[str, ...],
        names: dict[str, int | float] | None = None,
        aliases: dict[str, str] | None = None,
        unavailable: dict[str, str] | None = None,
    ):
        self.text = text
        self.variables = variables
        self.names = names or {}
        self.aliases = aliases or {}
        self.unavailable = unavailable or {}
        self.math_names: set[str] = set()
        self.used_names: set[str] = set()

    def snippet(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.text, node) or ast.unparse(node)
        return text if len(text) <= 40 else text[:37] + "..."

    def build(self, node: ast.expr) -> _Node:
        method = getattr(self, "_build_" + type(node).__name__, None)
        if method is not None:
            return method(node)
        what = _FORBIDDEN.get(type(node), f"'{type(node).__name__}' expressions are")
        raise ExprError(f"{what} not allowed ('{self.snippet(node)}')")

    def allowed_names(self) -> str:
        names = self.variables + tuple(self.aliases) + tuple(self.names) + tuple(CONSTANTS)
        return f"expressions may use {', '.join(names)} and the functions {', '.join(_FUNCTIONS)}"

    def _build_Constant(self, node: ast.Constant) -> _Node:
        value = node.value
        shown = self.snippet(node)
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise ExprError(f"'{shown}' is not allowed: only numbers are")
        if isinstance(value, (str, bytes)):
            raise ExprError(f"strings are not allowed ({shown})")
        if isinstance(value, complex):
            raise ExprError(f"complex numbers are not allowed ({shown})")
        if isinstance(value, float) and not math.isfinite(value):
            raise ExprError(f"number {shown} is not finite (too large for a float)")
        if isinstance(value, int) and not -_INT_LIMIT < value < _INT_LIMIT:
            raise ExprError(f"integer {shown} is too large")
        return _Const(value)

    def _build_Name(self, node: ast.Name) -> _Node:
        name = node.id
        if name in self.variables:
            return _Var(name)
        if name in self.aliases:
            return _Var(self.aliases[name])
        if name in self.names:
            self.used_names.add(name)
            return _Named(name, self.names[name])
        if name in self.unavailable:
            raise ExprError(f"'{name}' is not available here: {self.unavailable[name]}")
        if name in CONSTANTS:
            self.math_names.add(name)
            return _Const(CONSTANTS[name])
        if name in _FUNCTIONS:
            raise ExprError(f"'{name}' is a function; call it like {name}(...)")
        raise ExprError(f"unknown name '{name}': {self.allowed_names()}")

    def _build_UnaryOp(self, node: ast.UnaryOp) -> _Node:
        if isinstance(node.op, ast.Not):
            return _Not(self.build(node.operand))
        op, vop = self.operator(_UNARY_OPS, node.op)
        return _Unary(op, vop, self.build(node.operand))

    def _build_BinOp(self, node: ast.BinOp) -> _Node:
        symbol, op, vop = self.operator(_BINARY_OPS, node.op)
        return _Binary(symbol, op, vop, self.build(node.left), self.build(node.right))

    def _build_Compare(self, node: ast.Compare) -> _Node:
        rest = [
            (*self.operator(_COMPARE_OPS, op), self.build(operand))
            for op, operand in zip(node.ops, node.comparators)
        ]
        return _Compare(self.build(node.left), rest)

    def _build_BoolOp(self, node: ast.BoolOp) -> _Node:
        return _BoolOp(isinstance(node.op, ast.And), [self.build(v) for v in node.values])

    def _build_IfExp(self, node: ast.IfExp) -> _Node:
        return _IfExp(self.build(node.test), self.build(node.body), self.build(node.orelse))

    def _build_Call(self, node: ast.Call) -> _Node:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _FUNCTIONS:
            raise ExprError(
                "function calls must name an allowed function; "
                f"'{self.snippet(node.func)}' is not one (allowed: {', '.join(_FUNCTIONS)})"
            )
        if node.keywords:
            raise ExprError(f"keyword arguments are not allowed ('{self.snippet(node)}')")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise ExprError(f"'*' arguments are not allowed ('{self.snippet(node)}')")
        func = _FUNCTIONS[name]
        count = len(node.args)
        if count < func.min_args or (func.max_args is not None and count > func.max_args):
            if func.max_args is None:
                expected = f"at least {func.min_args}"
            elif func.max_args == func.min_args:
                expected = f"exactly {func.min_args}"
            else:
                expected = f"{func.min_args} or {func.max_args}"
            raise ExprError(f"{name}() takes {expected} arguments (got {count})")
        if func.from_math:
            self.math_names.add(name)
        return _Call(name, func, [self.build(arg) for arg in node.args])

    @staticmethod
    def operator(table: dict, op: ast.AST):
        if type(op) not in table:
            symbol = _OPERATOR_SYMBOLS.get(type(op), type(op).__name__)
            raise ExprError(
                f"operator '{symbol}' is not allowed (allowed: {_ALLOWED_OPERATORS})"
            )
        return table[type(op)]


def _check_size(tree: ast.Expression) -> None:
    """Bound the tree before the (recursive) builder walks it.  Iterative on purpose."""
    count = 0
    stack = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr):
            count += 1
            if count > _MAX_NODES:
                raise ExprError(f"expression too complex (more than {_MAX_NODES} terms)")
            if depth > _MAX_DEPTH:
                raise ExprError(f"expression nested too deeply (limit {_MAX_DEPTH} levels)")
            depth += 1
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))


def _syntax_message(exc: SyntaxError, text: str, indent: int) -> str:
    lines = text.splitlines() or [""]
    line = exc.lineno or 1
    column = exc.offset or 0
    if line > len(lines) or not 0 < column <= len(lines[line - 1]):
        where = "at the end"  # the parser reports offset 0 for unexpected EOF
    elif len(lines) > 1:
        where = f"at line {line}, column {column + (indent if line == 1 else 0)}"
    else:
        where = f"at column {column + indent}"
    return f"syntax error {where}: {exc.msg}"


class _Rename(ast.NodeTransformer):
    def __init__(self, aliases: dict[str, str]):
        self.aliases = aliases

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(self.aliases.get(node.id, node.id), node.ctx)


def _compile(
    source: str,
    variables: tuple[str, ...],
    names: dict[str, int | float] | None = None,
    aliases: dict[str, str] | None = None,
    unavailable: dict[str, str] | None = None,
) -> _Compiled:
    if not isinstance(source, str):
        raise ExprError(f"expected an expression string, got {type(source).__name__}")
    if len(source) > _MAX_CHARS:
        raise ExprError(
            f"expression too long ({len(source)} characters; the limit is {_MAX_CHARS})"
        )
    # Leading whitespace would be an IndentationError (YAML block scalars add some).
    text = source.strip()
    if not text:
        raise ExprError("empty expression")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        indent = len(source) - len(source.lstrip())
        raise ExprError(_syntax_message(exc, text, indent)) from None
    except ValueError as exc:  # e.g. NUL characters
        raise ExprError(f"invalid expression text: {exc}") from None
    except (RecursionError, MemoryError):
        raise ExprError(f"expression nested too deeply (limit {_MAX_DEPTH} levels)") from None
    _check_size(tree)
    builder = _Builder(text, variables, names, aliases, unavailable)
    node = builder.build(tree.body)
    # Generated code names the variable as the lambda does: an alias (``step``) becomes it.
    python = ast.unparse(_Rename(aliases).visit(tree) if aliases else tree)
    return _Compiled(node, python, tuple(sorted(builder.math_names)), tuple(sorted(builder.used_names)))


def _check_variables(variables: tuple[str, ...]) -> None:
    # Programmer errors (the variables come from code, not YAML): plain ValueError.
    for name in variables:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"invalid variable name {name!r}")
        if name in CONSTANTS or name in _FUNCTIONS:
            raise ValueError(f"variable name {name!r} would hide a built-in name")
    if len(set(variables)) != len(variables):
        raise ValueError(f"duplicate variable names in {variables!r}")


def _scalar_arg(name: str, value: Any) -> int | float:
    # Plain Python numbers keep the arithmetic exactly Python's (numpy ints wrap).
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"{name} must be a real number, not {type(value).__name__}")


def _array_arg(name: str, value: Any) -> np.ndarray:
    array = np.asarray(value)
    kind = array.dtype.kind
    if kind == "b" or (kind in "iu" and np.can_cast(array.dtype, np.int64)):
        return array.astype(np.int64)
    if kind == "f":
        return array.astype(np.float64)
    raise TypeError(f"{name} must be an int or float array, not {array.dtype}")


def _describe(env: dict[str, Any]) -> str:
    return ", ".join(f"{name}={_short(value)}" for name, value in env.items())


def _is_finite(value: Any) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        return False


@dataclass(frozen=True)
class Expr:
    """A validated expression over ``variables``; construct with :func:`parse_expr`.

    Calling it evaluates with exact Python semantics; ``evaluate_array`` is the
    vectorized equivalent.  Wrong arguments (missing/unknown variables, non-numbers)
    raise TypeError, like calling a lambda wrongly; everything about the expression
    itself raises ExprError.
    """

    source: str  # the original text
    variables: tuple[str, ...]  # allowed variable names, e.g. ("epoch",) or ("x",)
    names: tuple[tuple[str, int | float], ...] = field(default=(), repr=False)  # read-only named numbers, bound now
    aliases: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # other spellings of a variable: (("step", "epoch"),)
    _compiled: _Compiled = field(init=False, repr=False, compare=False)

    def __post_init__(self, unavailable: dict[str, str] | None = None) -> None:
        if isinstance(self.variables, str):
            raise TypeError("variables must be a tuple of names, not a string")
        variables = tuple(self.variables)
        names, aliases = dict(self.names), dict(self.aliases)
        _check_variables(variables + tuple(names) + tuple(aliases))
        if any(target not in variables for target in aliases.values()):
            raise ValueError(f"aliases {aliases!r} must name variables of {variables!r}")
        # Frozen dataclass: normalizing fields has to bypass __setattr__.
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "names", tuple(names.items()))
        object.__setattr__(self, "aliases", tuple(aliases.items()))
        object.__setattr__(self, "_compiled", _compile(self.source, variables, names, aliases, unavailable))

    def __reduce__(self):
        # The compiled tree holds closures, which pickle cannot store; recompile.
        return Expr, (self.source, self.variables, self.names, self.aliases)

    def _bind(self, args: tuple, kwargs: dict, convert: Callable) -> dict[str, Any]:
        names = self.variables
        if len(args) > len(names):
            raise TypeError(
                f"expression takes {len(names)} argument(s) ({', '.join(names)}), "
                f"got {len(args)}"
            )
        values = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"unexpected argument {key!r} (variables: {', '.join(names)})")
            if key in values:
                raise TypeError(f"argument {key!r} given twice")
            values[key] = value
        missing = [name for name in names if name not in values]
        if missing:
            raise TypeError(f"missing value for {', '.join(missing)}")
        return {name: convert(name, values[name]) for name in names}

    def __call__(self, *args: Any, **kwargs: Any) -> float | int:
        """Evaluate exactly as the equivalent Python lambda would (ints, bools kept)."""
        env = self._bind(args, kwargs, _scalar_arg)
        try:
            result = self._compiled.node.scalar(env)
            if not _is_finite(result):
                raise ExprError(f"result {_short(result)} is not finite")
        except ExprError as exc:
            raise ExprError(f"{exc} at {_describe(env)}") from None
        return result

    def function(self) -> Callable[[Any], float | int]:
        """The expression as a function of its one variable, for calling it step after step: the
        same value (or ExprError) as calling the Expr, several times faster.

        It evaluates nested closures with the parts that do not depend on the variable computed
        once; whatever they cannot decide (an error, an int power, a result that is not finite)
        is evaluated by the tree, which also words the error.
        """
        if len(self.variables) != 1:
            return self
        fast, constant = _closure(self._compiled.node)
        slow = self

        def call(x: Any) -> float | int:
            if type(x) is not int and type(x) is not float:
                return slow(x)  # numpy numbers and the like: converted as __call__ does
            try:
                r = fast(x)
            except (_Fallback, ArithmeticError, ValueError, TypeError):
                return slow(x)
            if type(r) is float:
                if r - r == 0.0:  # finite: inf - inf and nan - nan are nan
                    return r
            elif type(r) is int and -_EXACT_INT <= r <= _EXACT_INT:
                return r
            return slow(x)  # bools, large ints, infinities: the tree decides, and words an error

        return call

    def evaluate_array(self, *args: Any, **kwargs: Any) -> np.ndarray:
        """Evaluate elementwise over int/float arrays (broadcast together).

        Returns float64 of the broadcast shape, within a few ulp of calling the
        expression on each element; raises the scalar path's ExprError for the first
        element (in C order) that fails or is not finite.
        """
        env = self._bind(args, kwargs, _array_arg)
        shape = np.broadcast_shapes(*(array.shape for array in env.values()))
        with np.errstate(all="ignore"):  # failures are detected via the unsure mask
            value, unsure = self._compiled.node.vector(env)
            out = np.array(np.broadcast_to(np.asarray(value, np.float64), shape))
            redo = np.broadcast_to(unsure, shape) | ~np.isfinite(out)
        if redo.any():
            inputs = dict(zip(env, np.broadcast_arrays(*env.values())))
            for index in np.flatnonzero(redo):
                point = {name: array.flat[index].item() for name, array in inputs.items()}
                out.flat[index] = self(**point)
        return out

    def to_python(self) -> str:
        """Normalized Python source, for ``lambda <variables>: <source>`` in generated code.

        The generated module must ``from math import`` the names in :meth:`math_names`
        (which includes ``pow``, so that it means ``math.pow`` as here).
        """
        return self._compiled.python

    def math_names(self) -> tuple[str, ...]:
        """Sorted names the expression takes from the math module (not abs/min/max)."""
        return self._compiled.math_names

    def used_names(self) -> tuple[str, ...]:
        """Sorted read-only names (of ``names``) the expression uses."""
        return self._compiled.used_names

    def uses(self, name: str) -> bool:
        return name in self._compiled.used_names


def parse_expr(
    text: str | int | float,
    variables: tuple[str, ...],
    names: dict[str, int | float] | None = None,
    aliases: dict[str, str] | None = None,
    unavailable: dict[str, str] | None = None,
) -> Expr:
    """Validate ``text`` eagerly and return an :class:`Expr`; raises ExprError.

    ``names`` are read-only numbers the expression may use (the run's ``total_steps``, a config's
    vars); ``aliases`` other spellings of a variable (``step`` for ``epoch``); ``unavailable``
    names that exist elsewhere, with the reason they do not here (for a helpful message). A bare
    int or float (YAML ``lr_lambda: 1``) is a constant expression.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ExprError(
            f"expected an expression string or a number, got {type(text).__name__} "
            f"({_short(text)})"
        )
    if isinstance(text, float) and not math.isfinite(text):
        raise ExprError(f"expected a finite number, got {text!r}")
    if isinstance(text, int) and not -_INT_LIMIT < text < _INT_LIMIT:
        raise ExprError("integer constant too large")
    expr = Expr.__new__(Expr)
    fields = {"source": text if isinstance(text, str) else repr(text), "variables": variables,
              "names": tuple((names or {}).items()), "aliases": tuple((aliases or {}).items())}
    for key, value in fields.items():
        object.__setattr__(expr, key, value)
    expr.__post_init__(unavailable)
    return expr
