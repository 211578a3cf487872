"""Drive real Keras 3.15 (the ``reference`` extra): the ground truth of the tests.

``schedule_trace`` builds the config's schedule with ``keras.optimizers.schedules`` and evaluates it
at each optimizer step's ``optimizer.iterations`` (0, 1, ..., in the iteration variable's dtype), op
by op, as Keras evaluates it eagerly (and as the torch backend always does). The first updates are
also run through ``SGD(learning_rate=schedule)``: each starts from 0 with gradient 1, so the variable
afterwards is minus the lr that update used, which must be the schedule's value.

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
        counter = optimizer.iterations.dtype
        # one eager call per step, op by op (jax.vmap or jax.jit would stage the whole schedule and let
        # XLA rewrite it: constants folded, products reassociated, the last bit of float32 moved)
        values = [float(keras.ops.convert_to_numpy(schedule(keras.ops.convert_to_tensor(k, dtype=counter))))
                  for k in range(spec.run.total_steps)]
        for step, value in enumerate(values[:3]):  # the optimizer trains with exactly these values
            variable.assign(np.zeros((), dtype=dtype))
            optimizer.apply([one], [variable])
            trained = -float(keras.ops.convert_to_numpy(variable.value))
            if trained != value:
                raise AssertionError(f"step {step}: the update used {trained!r}, the schedule says {value!r}")
        step = None
        lrs = values
    except AssertionError:
        raise
    except Exception as exc:  # noqa: BLE001  what the library raises is the recorded outcome
        raise LibraryError(type(exc).__name__, str(exc), step) from None
    return {"lr": [lrs]}


def library_error(config: Mapping[str, Any]) -> LibraryError | None:
    """What Keras raises building the config's schedule from its keywords as written (None: it builds)."""
    import keras

    written = dict(config["scheduler"])
    name = written.pop("type").split(".")[-1]
    try:
        getattr(keras.optimizers.schedules, name)(**written)
    except Exception as exc:  # noqa: BLE001
        return LibraryError(type(exc).__name__, str(exc), None)
    return None
