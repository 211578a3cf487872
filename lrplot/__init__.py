"""lrplot: see a learning-rate schedule before you train.

``lrplot.simulate(config)`` reproduces the numbers torch.optim.lr_scheduler produces for a config
(a mapping in the YAML schema, or a path), without torch; ``lrplot.plot(config)`` and
``lrplot.compare(*configs)`` return figures that show themselves in Jupyter and save as PNG, SVG,
PDF or an interactive HTML page; ``lrplot.explore(config)`` puts sliders on a schedule's numbers
(the ``notebook`` extra). Heavy modules load on first use so that ``import lrplot`` and ``lrplot
--help`` stay instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["simulate", "load", "plot", "compare", "explore", "Trace", "Spec", "LrplotError", "ConfigError", "TorchWouldRaise", "__version__"]

from .errors import ConfigError, LrplotError, TorchWouldRaise

if TYPE_CHECKING:
    from .config import Spec, load
    from .drawing import compare, plot
    from .engine import Trace, simulate
    from .explorer import explore


def __getattr__(name: str) -> Any:
    if name in ("simulate", "Trace"):
        from . import engine

        return getattr(engine, name)
    if name in ("load", "Spec"):
        from . import config

        return getattr(config, name)
    if name in ("plot", "compare"):
        from . import drawing

        return getattr(drawing, name)
    if name == "explore":
        from .explorer import explore

        return explore
    raise AttributeError(f"module 'lrplot' has no attribute {name!r}")
