"""``lrplot.explore(config)``: sliders on a schedule's numbers in Jupyter (the ``notebook`` extra).

Every number that moves the figure gets a slider: the config's own (the scheduler's keywords,
nested ones and list items included, the optimizer's lr and momentum where the schedule reads them,
the run's lengths, a framework section's keys, ``vars``), a section's defaults the schedule reads,
and the numbers a family reads from its own source (a user's function's names, moved through
``set:``). A learning rate (as its family's records name them: ``Family.lr_keys``) gets a log
slider, a count an integer slider, a keyword the scheduler's record bounds a bounded one. Releasing
a slider simulates the changed config and redraws the figure, the YAML of the current settings and
the framework's own code for them; a value the library would reject shows its error and keeps the
last figure. The widgets are ipywidgets', so they also work
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

NOTEBOOK_HINT = "lrplot.explore needs ipywidgets: pip install ipywidgets (or, from lrplot's checkout, pip install '.[notebook]')"
SLIDED = ("vars", "optimizer", "run", "scheduler")  # besides a framework section; never the metric
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
    """(path, value) of every number of the config a slider may move, in the config's order."""
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
            for path, value in walk(data[key], (key,)):
                if path[:2] == ("optimizer", "betas") and path[2:] != (0,):
                    continue  # a trace carries beta1 only: beta2 moves nothing drawn
                yield path, value


def path_text(path: tuple[Any, ...]) -> str:
    """``("scheduler", "schedulers", 1, "T_max")`` -> ``scheduler.schedulers[1].T_max`` (as errors name fields)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _path_of(text: str) -> tuple[Any, ...]:
    """``scheduler.schedulers[1]`` (a SchedulerSpec's path) -> ``("scheduler", "schedulers", 1)``."""
    return tuple(int(i) if i else k for k, i in re.findall(r"([^.\[\]]+)|\[(\d+)\]", text))


def _key(name: Any) -> str:
    return str(name).replace("-", "_")


def _lr_keys(data: Mapping[str, Any], path: tuple[Any, ...]) -> frozenset[str]:
    """The keys that are learning rates where ``path`` stands: the optimizer's ``lr``, a scheduler's
    family's ``lr_keys`` (of the nearest scheduler mapping, a ``type``), a section's family's."""
    from .registry import family, lookup, section_family

    head = path[0]
    if head == "optimizer":
        return frozenset({"lr"})
    if head == "scheduler":
        node: Any = data
        info = None
        for part in path[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, Mapping) and isinstance(node.get("type"), str):
                info = lookup(node["type"]) or info
        return frozenset() if info is None else family(info.family).lr_keys
    found = section_family(head)
    return frozenset() if found is None else found.lr_keys


def _is_lr(data: Mapping[str, Any], path: tuple[Any, ...], lr_vars: frozenset[str] = frozenset()) -> bool:
    """A learning rate (not a factor of one, nor a count): by the family's records, or a var used as one."""
    if path[0] == "vars":
        return len(path) == 2 and path[1] in lr_vars
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    return _key(key) in {_key(k) for k in _lr_keys(data, path)}


def _lr_vars(data: Mapping[str, Any]) -> frozenset[str]:
    """The vars the config writes as a learning rate (``max_lr: peak``)."""
    names = data.get("vars")
    if not isinstance(names, Mapping):
        return frozenset()
    found: set[str] = set()

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, str) and node.strip() in names and _is_lr(data, path):
            found.add(node.strip())
        elif isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, (*path, i))

    for key in data:
        if key != "vars":
            walk(data[key], (key,))
    return frozenset(found)


def _bound(data: Mapping[str, Any], path: tuple[Any, ...]):
    """The registry's limit on a scheduler keyword at ``path``, if the record has one."""
    from .registry import lookup

    if path[0] != "scheduler" or not isinstance(path[-1], str):
        return None
    node: Any = data
    try:
        for part in path[:-1]:
            node = node[part]
    except (KeyError, IndexError, TypeError):
        return None
    info = lookup(node.get("type")) if isinstance(node, Mapping) and isinstance(node.get("type"), str) else None
    if info is None:
        return None
    try:
        return info.param(path[-1]).bound
    except KeyError:
        return None


def slider(data: Mapping[str, Any], path: tuple[Any, ...], value: int | float, lr: bool | None = None, top_lr: float = 1.0):
    """The slider for one number: log for a learning rate (linear from 0 to the config's largest lr
    when it is 0), integer for a count, else linear within the keyword's bounds (or around the value)."""
    import ipywidgets as widgets

    lr = _is_lr(data, path, _lr_vars(data)) if lr is None else lr
    common = {"description": path_text(path), "continuous_update": False, "style": {"description_width": "initial"},
              "layout": widgets.Layout(width="460px")}
    if isinstance(value, int) and not (lr and value == 0):
        return widgets.IntSlider(value=value, min=min(0, value), max=max(2 * abs(value), 10), **common)
    if lr and value > 0:
        exponent = math.log10(value)
        return widgets.FloatLogSlider(value=value, base=10, min=math.floor(exponent) - 2, max=math.ceil(exponent) + 1, step=0.01,
                                      readout_format=".3g", **common)
    if lr and value == 0:  # a log slider cannot hold 0: linear up to the config's largest lr, in fine steps
        return widgets.FloatSlider(value=0.0, min=0.0, max=top_lr, step=top_lr / 1000, readout_format=".3g", **common)
    bound = _bound(data, path)
    low = bound.low if bound is not None and bound.low is not None else (0.0 if value >= 0 else 2 * value)
    high = bound.high if bound is not None and bound.high is not None else (1.0 if 0 <= value <= 1 else max(2 * abs(value), low + 1))
    low, high = min(low, value), max(high, value)
    return widgets.FloatSlider(value=value, min=low, max=high, step=(high - low) / 1000, readout_format=".4g", **common)


def _put(config: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    """Set the number at ``path``, making the mappings on the way (a section's default, a ``set`` key)."""
    node: Any = config
    for part in path[:-1]:
        if isinstance(node, Mapping) and part not in node:
            node[part] = {}
        node = node[part]
    node[path[-1]] = value


def _nudged(value: int | float, lr_scale: float) -> list[int | float]:
    """Other values to try a number at, to see whether it matters."""
    if isinstance(value, int):
        return [value + 1, value - 1]
    if value == 0:
        return [lr_scale * 0.5, 0.5]
    return [value * 1.5, value * 0.5]


def _defaults(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], int | float]]:
    """The numeric keys of each framework section the config leaves at the framework's default
    (``lrplot list FRAMEWORK`` shows them)."""
    from .registry import section_family
    from .values import yaml_load

    for head in data:
        found = section_family(head)
        if found is None or not isinstance(data[head], Mapping):
            continue
        written = {_key(k) for k in data[head]}
        for name, default, _ in found.part(found.section_module).keys():
            try:
                value = yaml_load(default)
            except Exception:  # noqa: BLE001 - a default shown in words: not a number
                continue
            path = (head, *str(name).split("."))
            node: Any = data[head]
            for part in path[1:-1]:
                node = node.get(part) if isinstance(node, Mapping) else None
            given = _key(path[1]) in written if len(path) == 2 else (not isinstance(node, Mapping) if node is not None else False) or (
                isinstance(node, Mapping) and path[-1] in node)
            if not given and isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                yield path, value


def _equal(a: Any, b: Any) -> bool:
    import numpy as np

    return (a is None) == (b is None) and (a is None or (a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))))


def _same(a: Trace, b: Trace) -> bool:
    """Two traces draw the same figure: the same lrs, momenta and metric."""
    return _equal(a.lr, b.lr) and _equal(a.momentum, b.momentum) and _equal(a.metric, b.metric)


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
        found = self._found(data)
        lrs = [v for _, v, lr in found if lr and v > 0]
        top = max(lrs, default=1.0)
        self.sliders = {path_text(p): slider(data, p, v, lr, top) for p, v, lr in found[:MAX_SLIDERS]}
        self._paths = {path_text(p): p for p, _, _ in found[:MAX_SLIDERS]}
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

    def _spec(self, config: Mapping[str, Any]):
        from .config import from_mapping

        return from_mapping(config, default_name=self.name, base_dir=self.base_dir)

    def _found(self, data: dict[str, Any]) -> list[tuple[tuple[Any, ...], int | float, bool]]:
        """(path, value, is an lr) of every number a slider moves the figure with: the config's own,
        the framework section's defaults the schedule reads and the numbers a scheduler's family reads
        from its own source (a user's function's names); not the optimizer's lr or momentum where the
        schedule overrides them."""
        from .engine import simulate
        from .registry import family

        lr_vars = _lr_vars(data)
        found = [(p, v, _is_lr(data, p, lr_vars)) for p, v in numbers(data)]
        try:
            spec = self._spec(data)
        except LrplotError:
            return found  # the first redraw shows the error; every number stays slidable to fix it
        seen = {p for p, _, _ in found}

        def drawn(s: Any) -> tuple:
            return (s.optimizer, s.run, s.scheduler, s.metric)

        base: list = []  # the config's own trace, simulated once a default needs it

        def moves(trial_spec: Any) -> bool:
            if drawn(trial_spec) == drawn(spec):  # the schedule does not read it: no need to simulate
                return False
            if not base:
                base.append(simulate(spec, self.exact))
            return not _same(base[0], simulate(trial_spec, self.exact))

        for path, value in _defaults(data):  # a section's default gets a slider when moving it moves the figure
            for other in _nudged(value, 1.0):
                trial = copy.deepcopy(data)
                _put(trial, path, other)
                try:
                    if moves(self._spec(trial)):
                        found.append((path, value, _is_lr(data, path)))
                        seen.add(path)
                    break
                except LrplotError:
                    continue
        for node in spec.scheduler.walk():
            knobs = family(node.info.family).knobs
            if knobs is None or not node.path.startswith("scheduler"):
                continue
            at = _path_of(node.path)
            for key, value, lr in knobs(node.params):
                path = (*at, *key)
                holder: Any = data
                for part in path[:-1]:
                    holder = holder.get(part, {}) if isinstance(holder, Mapping) else None
                if path not in seen and isinstance(holder, Mapping):  # a `set` written as text stays as written
                    found.append((path, value, lr))
                    seen.add(path)
        own = [(p, v) for p, v, _ in found if p[0] == "optimizer" and (p[-1] in ("lr", "momentum") or p[-2:] == ("betas", 0)
                                                                         or (len(p) > 2 and p[1] == "lr"))]
        if own:  # does the schedule read the optimizer's lr and momentum? (a function returning the lr does not)
            trial = copy.deepcopy(data)
            for path, value in own:
                _put(trial, path, value * 0.5 if value else 0.5)
            try:
                before, after = simulate(spec, self.exact), simulate(self._spec(trial), self.exact)
            except LrplotError:
                return found
            same_lr = _equal(before.lr, after.lr)
            same_momentum = before.momentum is None or after.momentum is None or _equal(before.momentum, after.momentum)
            moot = {p for p, _ in own if (same_lr if _is_lr(data, p) else same_momentum)}
            found = [item for item in found if item[0] not in moot]
        return found

    @property
    def trace(self) -> Trace | None:
        return None if self.plot is None else self.plot.trace

    def set(self, path: str, value: int | float) -> None:
        """Change one number (what a slider's release does) and redraw."""
        _put(self.config, self._paths[path], value)
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
