"""``lrplot.explore(config)``: sliders on a schedule's numbers in Jupyter (the ``notebook`` extra).

Every number of the config (the scheduler's keywords, nested ones and list items included, the
optimizer's lr, the run's lengths, a framework section's keys, ``vars``) gets a slider: a log
slider for a learning rate, an integer slider for a count, a bounded one where the scheduler's
record bounds the keyword. Releasing a slider simulates the changed config and redraws the figure,
the YAML of the current settings and the framework's own code for them; a value the library would
reject shows its error and keeps the last figure. The widgets are ipywidgets', so they also work
headless: set ``explorer.sliders[path].value`` and read ``explorer.trace``.
"""

from __future__ import annotations

import copy
import html
import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from .errors import ConfigError, LrplotError

if TYPE_CHECKING:
    from .drawing import Plot
    from .engine import Trace

NOTEBOOK_HINT = "lrplot.explore needs ipywidgets: pip install 'lrplot[notebook]'"
SLIDED = ("vars", "optimizer", "run", "scheduler")  # besides a framework section; never the metric
LR_WORD = re.compile(r"(?:^|_)(?:lr|learning_rate|eta_min)(?:$|_)|^lr\d|^base_lr$", re.I)
MAX_SLIDERS = 60  # a config with more numbers than this gets sliders for the first ones


def explore(config: Mapping[str, Any] | str | os.PathLike, *, framework: str | None = None, exact: bool = False, **figure: Any) -> Explorer:
    """Sliders for the numbers of ``config`` (a mapping in the YAML schema, or a config file), with the
    figure, the YAML and the framework's code redrawn on release. ``figure`` takes ``lrplot.plot``'s
    figure options (``log``, ``size``, ``title``, ...)."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        raise ConfigError("", NOTEBOOK_HINT) from None
    if isinstance(config, Mapping):
        data, name, base_dir = copy.deepcopy(dict(config)), None, None
    elif isinstance(config, (str, os.PathLike)):
        from .files import name_of
        from .sources import read_config

        path = Path(config)
        data, name, base_dir = copy.deepcopy(dict(read_config(path, framework).data)), name_of(path), path.parent
    else:
        raise ConfigError("config", f"must be a config mapping or a path, not {type(config).__name__}")
    return Explorer(data, name, base_dir, exact, figure)


def numbers(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], int | float]]:
    """(path, value) of every number a slider moves, in the config's order."""
    from .config import SECTIONS

    def walk(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], int | float]]:
        if isinstance(node, bool):
            return
        if isinstance(node, (int, float)) and math.isfinite(node):
            yield path, node
        elif isinstance(node, Mapping):
            for key, value in node.items():
                yield from walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, (*path, i))

    for key in data:
        if key in SLIDED or key in SECTIONS:
            yield from walk(data[key], (key,))


def path_text(path: tuple[Any, ...]) -> str:
    """``("scheduler", "schedulers", 1, "T_max")`` -> ``scheduler.schedulers[1].T_max`` (as errors name fields)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _is_lr(path: tuple[Any, ...]) -> bool:
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    return bool(LR_WORD.search(key))


def _bound(data: Mapping[str, Any], path: tuple[Any, ...]):
    """The registry's limit on a scheduler keyword at ``path``, if the record has one."""
    from .registry import lookup

    if path[0] != "scheduler" or not isinstance(path[-1], str):
        return None
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    info = lookup(node.get("type")) if isinstance(node, Mapping) and isinstance(node.get("type"), str) else None
    if info is None:
        return None
    try:
        return info.param(path[-1]).bound
    except KeyError:
        return None


def slider(data: Mapping[str, Any], path: tuple[Any, ...], value: int | float):
    """The slider for one number: log for a learning rate, integer for a count, else linear within
    the keyword's bounds (or around the value)."""
    import ipywidgets as widgets

    common = {"description": path_text(path), "continuous_update": False, "style": {"description_width": "initial"},
              "layout": widgets.Layout(width="460px")}
    if isinstance(value, int):
        return widgets.IntSlider(value=value, min=min(0, value), max=max(2 * abs(value), 10), **common)
    if _is_lr(path) and value > 0:
        exponent = math.log10(value)
        return widgets.FloatLogSlider(value=value, base=10, min=math.floor(exponent) - 2, max=math.ceil(exponent) + 1, step=0.01,
                                      readout_format=".3g", **common)
    bound = _bound(data, path)
    low = bound.low if bound is not None and bound.low is not None else (0.0 if value >= 0 else 2 * value)
    high = bound.high if bound is not None and bound.high is not None else (1.0 if 0 <= value <= 1 else max(2 * abs(value), low + 1))
    low, high = min(low, value), max(high, value)
    return widgets.FloatSlider(value=value, min=low, max=high, step=(high - low) / 1000, readout_format=".4g", **common)


class Explorer:
    """The widgets of ``lrplot.explore``: ``sliders`` by path, the ``figure`` (a PNG), ``yaml``,
    ``code`` and ``message``; ``config``, ``plot`` and ``trace`` are the current settings' own."""

    def __init__(self, data: dict[str, Any], name: str | None, base_dir: Path | None, exact: bool, figure: dict[str, Any]):
        import ipywidgets as widgets

        from .drawing import look_and_view

        self.config = data
        self.name = name
        self.base_dir = base_dir
        self.exact = exact
        self.look, self.view = look_and_view(**figure)
        self.plot: Plot | None = None
        found = list(numbers(data))
        self.sliders = {path_text(p): slider(data, p, v) for p, v in found[:MAX_SLIDERS]}
        self._paths = {path_text(p): p for p, _ in found[:MAX_SLIDERS]}
        for text, s in self.sliders.items():
            s.observe(lambda change, text=text: self.set(text, change["new"]), names="value")
        self.image = widgets.Image(format="png")
        self.message = widgets.HTML()
        self.yaml = widgets.HTML()
        self.code = widgets.HTML()
        tabs = widgets.Tab(children=[self.yaml, self.code])
        tabs.set_title(0, "YAML")
        tabs.set_title(1, "code")
        note = [widgets.HTML(f"<i>sliders for the first {MAX_SLIDERS} of {len(found)} numbers</i>")] if len(found) > MAX_SLIDERS else []
        self.widget = widgets.HBox([widgets.VBox([*self.sliders.values(), *note]), widgets.VBox([self.image, self.message, tabs])])
        self.redraw()

    @property
    def trace(self) -> Trace | None:
        return None if self.plot is None else self.plot.trace

    def set(self, path: str, value: int | float) -> None:
        """Change one number (what a slider's release does) and redraw."""
        node: Any = self.config
        parts = self._paths[path]
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
        self.redraw()

    def redraw(self) -> None:
        """Simulate the current settings; show the figure, the YAML and the code, or the error."""
        from .code import library_code
        from .config import from_mapping
        from .drawing import plotted
        from .engine import simulate
        import yaml

        try:
            spec = from_mapping(self.config, default_name=self.name, base_dir=self.base_dir)
            plot = plotted(simulate(spec, self.exact), self.look, self.view)
            png = plot.to_bytes("png")
            code = library_code(spec)
        except LrplotError as exc:
            self.message.value = f'<span style="color:#c62828">{html.escape(str(exc))}</span>'
            return
        self.plot = plot
        self.image.value = png
        w, _ = plot.figure.get_size_inches()
        self.image.layout.width = f"{round(w * 96)}px"
        self.message.value = ""
        self.yaml.value = f"<pre>{html.escape(yaml.safe_dump(self.config, sort_keys=False, default_flow_style=None, width=100))}</pre>"
        self.code.value = f"<pre>{html.escape(code)}</pre>"

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
