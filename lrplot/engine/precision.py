"""Arithmetic in a library's own precision, over numpy arrays: float64, or float32 as Keras and optax compute.

A schedule written once against :class:`Arith` runs in three ways:

* ``float64`` (the default engine): numpy's vectorized float64; its ``cos``, ``power`` and ``log`` may
  differ from the C library's in the last bit (within 1e-12 of the peak lr);
* ``float64`` with ``exact``: the same operations, the transcendental ones through Python's ``math``
  (the C library's ``cos``, ``pow`` and ``log``, which is what XLA's CPU backend calls in float64), so
  every value is bit-identical to the library's;
* ``float32``: every array and every constant in float32, rounded after each operation as the
  library's tensors are. ``+ - * /``, ``floor``, ``minimum`` and comparisons are IEEE operations, the
  same bits everywhere. ``cos`` is the C library's ``cosf`` (which XLA's CPU backend calls) where it
  can be reached, else the correctly rounded cosine; ``power`` and ``log`` are the C library's
  float64 results rounded to float32 (numpy's, recomputed with the C library near a rounding
  midpoint; XLA's own float32 approximations can differ from them by one unit in the last place).

A Python number meets an array the way jax and Keras meet it: converted to the array's dtype first
(``c``), so ``(1 - alpha) * x`` rounds ``1 - alpha`` (computed in Python's double) to float32 once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math

import numpy as np

PRECISIONS = ("float64", "float32")


class Arith:
    """The arrays and functions of one precision (``dtype``); ``exact`` follows the C library in float64."""

    def __init__(self, dtype: str = "float64", exact: bool = False):
        self.name = dtype
        self.dtype = np.float32 if dtype == "float32" else np.float64
        self.exact = exact

    def c(self, value) -> np.ndarray:
        """A Python number (or an array) as the library's tensor of this precision."""
        return np.asarray(value, dtype=self.dtype)

    def cos(self, x: np.ndarray) -> np.ndarray:
        x = self.c(x)
        if self.dtype is np.float32:
            return _cosf(x)
        if self.exact:
            return _elementwise(math.cos, x)
        return np.cos(x)

    def power(self, x, y) -> np.ndarray:
        x, y = np.broadcast_arrays(self.c(x), self.c(y))
        if self.exact and self.dtype is np.float64:
            return _elementwise(_pow, x, y)
        # A decay far below the smallest double (0.5 ** 100000) is exactly 0, but numpy's pow takes
        # its slow path through the subnormals to say so, at 20x the time: answer those directly.
        with np.errstate(all="ignore"):
            vanished = (x > 0) & (x < 1) & (y * np.log2(x.astype(np.float64)) < -1100)
        if not vanished.any():
            return self._power(x, y)
        out = np.zeros(x.shape, dtype=self.dtype)
        keep = ~vanished
        out[keep] = self._power(x[keep], y[keep])
        return out

    def _power(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            if self.dtype is np.float32:
                wide = (x.astype(np.float64), y.astype(np.float64))
                return _rounded32(np.power(*wide), _pow, wide)
            return np.power(x, y)

    def log(self, x) -> np.ndarray:
        x = self.c(x)
        if self.dtype is np.float32:
            wide = (x.astype(np.float64),)
            with np.errstate(all="ignore"):
                return _rounded32(np.log(*wide), _log, wide)
        if self.exact:
            return _elementwise(_log, x)
        with np.errstate(all="ignore"):
            return np.log(x)

    def integer_pow(self, x: np.ndarray, n: int) -> np.ndarray:
        """``x ** n`` for a Python int ``n`` as jax computes it (lax.integer_pow: squaring, left to right)."""
        x = self.c(x)
        if n == 0:
            return np.ones_like(x)
        negative, n = n < 0, abs(n)
        acc = None
        while n > 0:
            if n & 1:
                acc = x if acc is None else acc * x
            n >>= 1
            if n > 0:
                x = x * x
        return np.divide(self.c(1), acc) if negative else acc


def _elementwise(f, *arrays: np.ndarray) -> np.ndarray:
    """``f`` (a function of Python floats) over arrays, in float64, the same shape."""
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    flat = [np.broadcast_to(a, shape).ravel().tolist() for a in arrays]
    return np.fromiter(map(f, *flat), dtype=np.float64, count=math.prod(shape)).reshape(shape)


def _rounded32(wide: np.ndarray, exact, args: tuple[np.ndarray, ...]) -> np.ndarray:
    """A float64 result (numpy's, within an ulp of the C library's) rounded to float32, the same as
    rounding the C library's own float64 result, except where it lies near halfway between two
    float32 values: those few are computed again with ``exact`` (a function of Python floats)."""
    out = wide.astype(np.float32)
    ulp = np.spacing(np.abs(out)).astype(np.float64)
    with np.errstate(all="ignore"):
        off = np.abs(np.abs(wide - out.astype(np.float64)) / ulp - 0.5)
    near = np.flatnonzero(off < 1e-4)  # (infinities and NaN are the C library's too)
    if near.size:
        flat = [np.broadcast_to(a, wide.shape).ravel()[near] for a in args]
        again = np.fromiter(map(exact, *(f.tolist() for f in flat)), dtype=np.float64, count=near.size)
        out = out.ravel()
        out[near] = again.astype(np.float32)
        out = out.reshape(wide.shape)
    return out


def _pow(x: float, y: float) -> float:
    """C's pow, with its answers where Python's math.pow raises (as XLA returns them)."""
    try:
        return math.pow(x, y)
    except ValueError:  # a negative base to a fractional power
        return math.nan
    except OverflowError:
        return math.inf


def _log(x: float) -> float:
    if x == 0:
        return -math.inf
    if x < 0 or math.isnan(x):
        return math.nan
    return math.inf if math.isinf(x) else math.log(x)


@functools.lru_cache(maxsize=1)
def _libm_cosf():
    """The C library's float32 cosine (glibc's: what XLA's CPU backend calls), or None where there is none."""
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    try:
        cosf = ctypes.CDLL(name).cosf
    except (OSError, AttributeError):
        return None
    cosf.restype, cosf.argtypes = ctypes.c_float, [ctypes.c_float]
    return cosf


def _cosf(x: np.ndarray) -> np.ndarray:
    """float32 cosine: correctly rounded, except where the C library's cosf rounds the other way.

    glibc's cosf is within 0.56 units in the last place: it differs from the correctly rounded
    value only where the true cosine lies close to halfway between two floats. Those few values
    (a few percent) are asked of cosf itself; the rest are the correctly rounded cosine.
    """
    wide = np.cos(x.astype(np.float64))
    out = wide.astype(np.float32)
    cosf = _libm_cosf()
    if cosf is None or out.size == 0:
        return out
    # Distance of the true value from the float32 rounding midpoint, in float32 units in the last place.
    ulp = np.spacing(np.abs(out)).astype(np.float64)
    with np.errstate(all="ignore"):
        off = np.abs(np.abs(wide - out.astype(np.float64)) / ulp - 0.5)
    near = np.flatnonzero(off < 0.1)
    if near.size:
        flat_x, flat_out = x.ravel(), out.ravel()
        flat_out[near] = np.array([cosf(v) for v in flat_x[near].tolist()], dtype=np.float32)
        out = flat_out.reshape(out.shape)
    return out
