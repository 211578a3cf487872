"""Drive real optax 0.2.8 on a CPU jax (the ``reference`` extra): the ground truth of the tests.

``schedule_trace`` evaluates the config's schedule op by op at every update count. float32 is optax
as it runs by default: ``optax.sgd(learning_rate=schedule)`` updated from its own int32 count without
x64; each update of gradient 1 is minus the lr it trained with, exactly. float64 is optax's same code
in float64 throughout: jax with x64 and the schedule called with a float64 count (optax's int32
count would make ``count / transition_steps`` a float32 division even with x64).

Op by op, not jitted: under ``jax.jit`` XLA folds the schedule's constants and reassociates it
(``pi * (count / 300)`` becomes ``count * 0.0104719764``), which moves the last bit of some float32
values; lrplot reproduces the schedule as written. lrplot never imports this module.
"""

from __future__ import annotations

from typing import Any, Mapping

VERSION = "0.2.8"


class LibraryError(Exception):
    """optax raised: ``kind`` is the exception class, ``step`` the update (None: while building)."""

    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


def versions() -> dict[str, str]:
    import jax
    import optax

    if optax.__version__ != VERSION:
        raise SystemExit(f"optax {VERSION} is the reference, but {optax.__version__} is installed")
    return {"optax": optax.__version__, "jax": jax.__version__}


def build(node) -> Any:
    """The optax schedule of a resolved scheduler spec (nested ones too), from lrplot's keywords."""
    import optax

    name = node.info.library_name
    if name == "join_schedules":
        return optax.join_schedules([build(c) for c in node.params["schedules"]], list(node.params["boundaries"]))
    if name == "sgdr_schedule":
        return optax.sgdr_schedule([_keywords(c) for c in node.params["cosine_kwargs"]])
    return getattr(optax, name)(**_keywords(node))


def _keywords(node) -> dict[str, Any]:
    out = {}
    for key, value in node.params.items():
        if key == "boundaries_and_scales" and value is not None:
            value = dict(value)
        elif key == "power" and float(value).is_integer():
            value = int(value)  # lrplot reads a whole power as code writes it (power=2): jax's integer_pow
        out[key] = value
    return out


def schedule_trace(config: Mapping[str, Any]) -> dict[str, Any]:
    """``{"lr": [[...]]}`` for a ``type: optax.<function>`` config in its run's dtype; LibraryError when optax raises."""
    import jax

    from ...config import load

    spec = load(config)
    x64 = spec.run.dtype == "float64"
    jax.config.update("jax_enable_x64", x64)
    import jax.numpy as jnp
    import optax

    step = None
    lrs: list[float] = []
    try:
        schedule = build(spec.scheduler)
        if x64:
            for step in range(spec.run.total_steps):
                lrs.append(float(schedule(jnp.asarray(step, dtype=jnp.float64))))
        else:
            tx = optax.sgd(learning_rate=schedule)
            state = tx.init(jnp.zeros((), jnp.float32))
            update = tx.update
            one = jnp.ones((), jnp.float32)
            for step in range(spec.run.total_steps):
                updates, state = update(one, state)
                lrs.append(-float(updates))
    except Exception as exc:  # noqa: BLE001  what the library raises is the recorded outcome
        raise LibraryError(type(exc).__name__, str(exc), step) from None
    return {"lr": [lrs]}


def library_error(config: Mapping[str, Any]) -> LibraryError | None:
    """What optax raises building the config's schedule from its keywords as written (None: it builds)."""
    import optax

    written = dict(config["scheduler"])
    name = written.pop("type").split(".")[-1]
    try:
        getattr(optax, name)(**written)
    except Exception as exc:  # noqa: BLE001
        return LibraryError(type(exc).__name__, str(exc), None)
    return None
