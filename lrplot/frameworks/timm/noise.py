"""timm's lr noise, drawn exactly as timm draws it, without torch.

timm (``Scheduler._calculate_noise``, scheduler.py) draws the noise of step ``t`` from a *fresh*
``torch.Generator()`` seeded with ``noise_seed + t``: ``torch.randn(1)`` times ``noise_std``, redrawn
until ``|noise| < noise_pct`` (``noise_type='normal'``), or one ``torch.rand(1)`` mapped to
``[-noise_pct, noise_pct)`` (any other type; only PlateauLRScheduler takes one). So the noise is a
pure function of ``noise_seed + t``, and this module computes it from torch's CPU generator,
reproduced here from its sources (pytorch/pytorch at 2.13):

* ``Generator.manual_seed`` (torch/csrc/Generator.cpp, ``unpack_uint64``) reads the seed as a
  uint64, and ``mt19937`` (aten/src/ATen/core/MT19937RNGEngine.h, ``init_with_uint32``) keeps its
  low 32 bits: seeds equal mod 2**32 give the same stream.
* ``random()`` is one tempered 32-bit mt19937 output; ``random64()`` two, the first the high word
  (CPUGeneratorImpl.cpp).
* ``randn(1)`` on a float32 tensor of fewer than 16 elements takes the serial path of
  ``normal_kernel`` (native/cpu/DistributionTemplates.h): ``at::normal_distribution<double>`` rounded
  to float32. That is Box-Muller on two 53-bit uniforms from ``random64()``: ``r = sqrt(-2 *
  log1p(-u2))``, ``theta = 2 pi u1``, returning ``r cos(theta)`` and caching ``r sin(theta)`` for
  the next draw (DistributionsHelper.h). ``manual_seed`` clears the cache.
* ``rand(1)`` on float32 is ``(random() & (2**24 - 1)) * 2**-24`` (TransformationHelper.h).

:class:`Generator` is that generator, plainly. :func:`noise` draws many steps at once: a fresh
mt19937's first outputs depend only on the first 397 + k words of its seeding recurrence, so the
first twist is computed for whole arrays of seeds with numpy, and the rare step that needs more
draws than that falls back to :class:`Generator`. Box-Muller runs in Python's ``math`` (glibc, as
torch's ``std::`` functions), so the float32 results are torch's to the bit.
"""

from __future__ import annotations

import math
import struct

import numpy as np

_N, _M = 624, 397  # MERSENNE_STATE_N, MERSENNE_STATE_M
_MATRIX_A, _UPPER, _LOWER = 0x9908B0DF, 0x80000000, 0x7FFFFFFF
_MASK32 = 0xFFFFFFFF
_MASK53 = (1 << 53) - 1
_SEED_MULTIPLIER = 1812433253
_FIRST_TWIST = _N - _M  # outputs of the first twist that need no word the twist itself rewrote


def _float32(x: float) -> float:
    """``static_cast<float>(double)`` and back, as ``Tensor.item()`` returns a float32 value."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def _temper(y: int) -> int:
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C5680
    y ^= (y << 15) & 0xEFC60000
    y ^= y >> 18
    return y & _MASK32


class Generator:
    """``torch.Generator()`` on CPU, as far as ``randn(1)`` and ``rand(1)`` use it."""

    def __init__(self, seed: int):
        # manual_seed: only the low 32 bits reach the engine, and the cached normal is dropped.
        state = [seed & _MASK32]
        for j in range(1, _N):
            prev = state[-1]
            state.append((_SEED_MULTIPLIER * (prev ^ (prev >> 30)) + j) & _MASK32)
        self._state = state
        self._next = _N  # the first draw twists
        self._cached_normal: float | None = None

    def _twist(self) -> None:
        s = self._state
        for k in range(_N):
            y = (s[k] & _UPPER) | (s[(k + 1) % _N] & _LOWER)
            s[k] = s[(k + _M) % _N] ^ (y >> 1) ^ (_MATRIX_A if s[(k + 1) % _N] & 1 else 0)
        self._next = 0

    def random(self) -> int:
        if self._next == _N:
            self._twist()
        y = self._state[self._next]
        self._next += 1
        return _temper(y)

    def _uniform53(self) -> float:
        high = self.random()
        return (((high << 32) | self.random()) & _MASK53) * 2.0**-53

    def randn(self) -> float:
        if self._cached_normal is not None:
            value, self._cached_normal = self._cached_normal, None
            return _float32(value)
        u1 = self._uniform53()
        u2 = self._uniform53()
        cos_half, sin_half = _box_muller(u1, u2)
        self._cached_normal = sin_half
        return _float32(cos_half)

    def rand(self) -> float:
        return (self.random() & 0xFFFFFF) * 2.0**-24


def _box_muller(u1: float, u2: float) -> tuple[float, float]:
    r = math.sqrt(-2.0 * math.log1p(-u2))
    theta = 2.0 * math.pi * u1
    return r * math.cos(theta), r * math.sin(theta)


def noise_at(seed: int, noise_type: str, pct: float, std: float) -> float:
    """``Scheduler._calculate_noise`` for one seed (``noise_seed + t``), step by step."""
    g = Generator(seed)
    if noise_type == "normal":
        while True:
            value = g.randn() * std
            if abs(value) < pct:
                return value
    return 2 * (g.rand() - 0.5) * pct


def _first_outputs(seeds: np.ndarray, count: int) -> np.ndarray:
    """The first ``count`` outputs (uint32, shape (count, n)) of fresh generators seeded with ``seeds``.

    Output i of the first twist is ``state[i + 397] ^ f(state[i], state[i + 1])`` over the seeding
    recurrence's words, unchanged for i < 227: the recurrence runs 397 + count steps, vectorized
    over the seeds (uint32 arithmetic wraps mod 2**32 as the engine's does).
    """
    assert count <= _FIRST_TWIST
    s = (seeds & _MASK32).astype(np.uint32)
    low = np.empty((count + 1, s.size), dtype=np.uint32)
    high = np.empty((count, s.size), dtype=np.uint32)
    low[0] = s
    multiplier = np.uint32(_SEED_MULTIPLIER)
    for j in range(1, _M + count):
        s = multiplier * (s ^ (s >> np.uint32(30))) + np.uint32(j)
        if j <= count:
            low[j] = s
        if j >= _M:
            high[j - _M] = s
    y = (low[:-1] & np.uint32(_UPPER)) | (low[1:] & np.uint32(_LOWER))
    out = high ^ (y >> np.uint32(1)) ^ np.where(low[1:] & np.uint32(1), np.uint32(_MATRIX_A), np.uint32(0))
    out ^= out >> np.uint32(11)
    out ^= (out << np.uint32(7)) & np.uint32(0x9D2C5680)
    out ^= (out << np.uint32(15)) & np.uint32(0xEFC60000)
    out ^= out >> np.uint32(18)
    return out


_BLOCK = 1 << 15  # seeds per vectorized pass: the recurrence's arrays stay in cache
# Box-Muller pairs available per seed after each pass (4 outputs a pair; the first twist holds 56):
# most seeds accept a draw of the first pair, and each pass only draws for the seeds still waiting.
_PAIRS = (1, 2, 4, 8, 16, 32, 56)


def noise(seeds: np.ndarray, noise_type: str, pct: float, std: float) -> np.ndarray:
    """``_calculate_noise`` for every seed (``noise_seed + t``) of an int64 array, bit for bit."""
    seeds = np.asarray(seeds, dtype=np.int64)
    out = np.empty(seeds.size, dtype=np.float64)
    for start in range(0, seeds.size, _BLOCK):
        block = seeds[start:start + _BLOCK]
        out[start:start + block.size] = _noise_block(block, noise_type, pct, std)
    return out


def _noise_block(seeds: np.ndarray, noise_type: str, pct: float, std: float) -> np.ndarray:
    if noise_type != "normal":
        u = (_first_outputs(seeds, 1)[0] & np.uint32(0xFFFFFF)).astype(np.float64) * 2.0**-24
        return 2 * (u - 0.5) * pct
    out = np.empty(seeds.size, dtype=np.float64)
    todo = np.arange(seeds.size)
    done_pairs = 0
    for pairs in _PAIRS:
        words = _first_outputs(seeds[todo], 4 * pairs)[4 * done_pairs:].astype(np.uint64)
        u1 = (((words[0::4] << np.uint64(32)) | words[1::4]) & np.uint64(_MASK53)).astype(np.float64) * 2.0**-53
        u2 = (((words[2::4] << np.uint64(32)) | words[3::4]) & np.uint64(_MASK53)).astype(np.float64) * 2.0**-53
        halves = [_box_muller(a, b) for a, b in zip(u1.ravel().tolist(), u2.ravel().tolist())]
        # draws in torch's order: each pair's cosine half, then its cached sine half
        draws = np.array(halves, dtype=np.float64).reshape(u1.shape + (2,)).transpose(0, 2, 1).reshape(-1, todo.size)
        values = draws.astype(np.float32).astype(np.float64) * std
        ok = np.abs(values) < pct
        found = ok.any(axis=0)
        first = ok.argmax(axis=0)
        out[todo[found]] = values[first[found], np.nonzero(found)[0]]
        todo = todo[~found]
        done_pairs = pairs
        if not todo.size:
            return out
    for index in todo.tolist():
        out[index] = noise_at(int(seeds[index]), "normal", pct, std)
    return out
