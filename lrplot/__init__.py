"""lrplot: see a learning-rate schedule before you train.

``lrplot.simulate(config)`` reproduces the numbers torch.optim.lr_scheduler produces for a config
(a mapping in the YAML schema, or a path), without torch. Heavy modules load on first use so that
``lrplot --help`` stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["simulate", "load", "Trace", "Spec", "LrplotError", "ConfigError", "TorchWouldRaise", "__version__"]

from .errors import ConfigError, LrplotError, TorchWouldRaise

if TYPE_CHECKING:
    from .config import Spec, load
    from .engine import Trace, simulate


def __getattr__(name: str) -> Any:
    if name in ("simulate", "Trace"):
        from . import engine

        return getattr(engine, name)
    if name in ("load", "Spec"):
        from . import config

        return getattr(config, name)
    raise AttributeError(f"module 'lrplot' has no attribute {name!r}")
