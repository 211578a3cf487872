"""Drive real Keras 3.15 (the ``reference`` extra): the ground truth of the tests.

``schedule_trace`` builds the config's schedule with ``keras.optimizers.schedules`` and reads the lr
each optimizer step trains with: ``SGD(learning_rate=schedule).learning_rate`` (the schedule called
with ``optimizer.iterations``), then one update. Each update starts from 0 with gradient 1, so the
variable afterwards is minus the lr that update used; the two must agree. The schedule runs op by
op, as Keras evaluates it eagerly (and as the torch backend always does).

The backend decides the precision Keras can compute in, and is fixed when Keras is imported:
float32 on JAX (``KERAS_BACKEND=jax``, Keras' default floatx), float64 on torch
(``KERAS_BACKEND=torch`` and ``keras.config.set_floatx("float64")``): the JAX backend's ``ops.cos``
returns float32 for a float64 tensor (``result_type(x.dtype, float)``), so a float64 CosineDecay
there is not float64. lrplot never imports this module.
"""

from __future__ import annotations

from typing import Any, Mapping

VERSION = "3.15"
BACKEND = {"float32": "jax", "float64": "torch"}


class LibraryError(Exception):
    """Keras raised: ``kind`` is the exception class, ``step`` the optimizer step (None: while building)."""

    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


def versions() -> dict[str, str]:
    import keras

    if not keras.__version__.startswith(VERSION + "."):
        raise SystemExit(f"keras {VERSION}.* is the reference, but {keras.__version__} is installed")
    return {"keras": keras.__version__, "backend": keras.backend.backend()}


def keywords(spec) -> dict[str, Any]:
    """The schedule's keywords as lrplot resolved them (the lengths the run filled written out)."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in spec.scheduler.params.items()}


def schedule_trace(config: Mapping[str, Any]) -> dict[str, Any]:
    """``{"lr": [[...]]}`` for a ``type: keras.<Class>`` config in its run's dtype; LibraryError when Keras raises.

    The process's backend must be the one for that dtype (``BACKEND``)."""
    import keras
    import numpy as np

    from ...config import load

    spec = load(config)
    dtype = spec.run.dtype
    if keras.backend.backend() != BACKEND[dtype]:
        raise SystemExit(f"Keras computes {dtype} on the {BACKEND[dtype]} backend here; run with KERAS_BACKEND={BACKEND[dtype]}")
    keras.config.set_floatx(dtype)
    name = spec.scheduler.info.library_name
    step = None
    lrs: list[float] = []
    try:
        schedule = getattr(keras.optimizers.schedules, name)(**keywords(spec))
        variable = keras.Variable(np.zeros((), dtype=dtype), dtype=dtype)
        optimizer = keras.optimizers.SGD(learning_rate=schedule)
        optimizer.build([variable])
        one = keras.ops.ones((), dtype=dtype)
        for step in range(spec.run.total_steps):
            read = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            variable.assign(np.zeros((), dtype=dtype))
            optimizer.apply([one], [variable])
            trained = -float(keras.ops.convert_to_numpy(variable.value))
            if trained != read:
                raise AssertionError(f"step {step}: the update used {trained!r}, optimizer.learning_rate says {read!r}")
            lrs.append(trained)
    except AssertionError:
        raise
    except Exception as exc:  # noqa: BLE001  what the library raises is the recorded outcome
        raise LibraryError(type(exc).__name__, str(exc), step) from None
    return {"lr": [lrs]}
