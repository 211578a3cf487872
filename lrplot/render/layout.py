"""Where a legend or an inset goes: inside the figure and off the data.

matplotlib's ``loc="best"`` only minimizes the overlap, so a five-way compare gets a legend on its
curves. Here a box goes to the first free place among the usual ones (corners, then edges), checked
against every line segment, marker and annotation in axes coordinates; when none is free, the y
axis grows headroom above the data for it; when it is too tall for that, it moves out to the right.
"""

from __future__ import annotations

import numpy as np
from matplotlib.path import Path
from matplotlib.transforms import Bbox

PAD = 0.02  # axes fraction between a box and the axes edge
GAP = 0.012  # axes fraction a box keeps from the data
MAX_HEADROOM = 0.5  # a box taller than this share of the axes goes outside


def _polylines(ax) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(data polylines, marker points, full-height lines) of ``ax`` in axes coordinates."""
    to_axes = ax.transAxes.inverted()
    curves, points, rules = [], [], []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = np.asarray(line.get_xydata(), dtype=float)
        if xy.size == 0:
            continue
        if line.get_drawstyle().startswith("steps-post") and len(xy) > 1:
            stepped = np.empty((2 * len(xy) - 1, 2))
            stepped[0::2] = xy
            stepped[1::2, 0] = xy[1:, 0]
            stepped[1::2, 1] = xy[:-1, 1]
            xy = stepped
        with np.errstate(all="ignore"):
            xy = to_axes.transform(line.get_transform().transform(xy))
        if line.get_linestyle() in ("None", "none", "", " "):
            points.append(xy)
        elif str(line.get_gid()).startswith("event-"):  # a full-height rule at a switch or restart
            rules.append(xy)
        else:
            curves.append(xy)
    return curves, points, rules


def _finite_runs(xy: np.ndarray):
    ok = np.isfinite(xy).all(axis=1)
    edges = np.diff(np.concatenate([[0], ok.astype(np.int8), [0]]))
    for a, b in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]):
        yield xy[a:b]


class Obstacles:
    """What a box placed on ``ax`` must not cover, in axes coordinates."""

    def __init__(self, ax, renderer, boxes: list[Bbox] | tuple = ()):
        self.curves, self.points, self.rules = _polylines(ax)
        to_axes = ax.transAxes.inverted()
        self.boxes = list(boxes)
        for text in ax.texts:
            if text.get_visible() and text.get_text():
                self.boxes.append(text.get_window_extent(renderer).transformed(to_axes))
        for child in ax.child_axes:
            if child.get_visible() and child.get_gid() == "warmup-inset":
                self.boxes.append(child.get_tightbbox(renderer).transformed(to_axes))

    def hit(self, box: Bbox, soft: bool = True) -> bool:
        grown = Bbox.from_extents(box.x0 - GAP, box.y0 - GAP, box.x1 + GAP, box.y1 + GAP)
        lines = self.curves + (self.rules if soft else [])
        for xy in lines:
            for run in _finite_runs(xy):
                if len(run) == 1:
                    if grown.contains(*run[0]):
                        return True
                elif Path(run).intersects_bbox(grown, filled=False):
                    return True
        for xy in self.points:
            inside = (xy[:, 0] >= grown.x0) & (xy[:, 0] <= grown.x1) & (xy[:, 1] >= grown.y0) & (xy[:, 1] <= grown.y1)
            if inside.any():
                return True
        return any(grown.overlaps(b) for b in self.boxes)

    def top(self) -> float:
        """The highest data point in axes coordinates (full-height event lines aside)."""
        ys = [run[:, 1] for xy in self.curves + self.points for run in _finite_runs(xy)]
        ys += [np.array([b.y1]) for b in self.boxes]
        return max((float(y.max()) for y in ys if y.size), default=0.0)


def candidates(w: float, h: float) -> list[tuple[float, float]]:
    """Lower-left corners of a w x h box at the usual places, most expected first."""
    left, right, bottom, top = PAD, 1 - PAD - w, PAD, 1 - PAD - h
    middle_x, middle_y = (1 - w) / 2, (1 - h) / 2
    return [(right, top), (left, top), (right, bottom), (left, bottom), (right, middle_y), (left, middle_y), (middle_x, top), (middle_x, bottom), (middle_x, middle_y)]


def free_place(obstacles: Obstacles, w: float, h: float, places=None) -> tuple[float, float] | None:
    if w > 1 - 2 * PAD or h > 1 - 2 * PAD:
        return None
    for x0, y0 in places or candidates(w, h):
        if not obstacles.hit(Bbox.from_bounds(x0, y0, w, h)):
            return x0, y0
    return None


def add_headroom(ax, top_share: float, data_top: float) -> None:
    """Raise the top of the y axis so the data (now reaching ``data_top`` in axes coordinates)
    stays below ``1 - top_share``, in the axis' own scale (linear or log)."""
    low, high = ax.get_ylim()
    transform = ax.yaxis.get_transform()
    t_low, t_high = transform.transform([low, high])
    t_data = t_low + data_top * (t_high - t_low)
    new_high = t_low + (t_data - t_low) / max(1e-9, 1 - top_share)
    with np.errstate(all="ignore"):
        value = float(transform.inverted().transform([new_high])[0])
    if np.isfinite(value) and value > high:
        ax.set_ylim(low, value)


def place_legend(ax, handles, labels, renderer, avoid: list[Bbox] | tuple = (), **kwargs):
    """A legend inside the axes and off the data, or (when it is too tall) to the right of them."""
    if not handles:
        return None
    legend = ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 0, 1, 1), borderaxespad=0, **kwargs)
    box = legend.get_window_extent(renderer).transformed(ax.transAxes.inverted())
    w, h = box.width, box.height
    obstacles = Obstacles(ax, renderer, avoid)
    spot = free_place(obstacles, w, h)
    if spot is None and h + 2 * PAD <= MAX_HEADROOM and w <= 1 - 2 * PAD:
        add_headroom(ax, h + 2 * PAD + GAP, obstacles.top())
        obstacles = Obstacles(ax, renderer, avoid)
        spot = free_place(obstacles, w, h, [(1 - PAD - w, 1 - PAD - h), (PAD, 1 - PAD - h)])
        if spot is None:  # a rule or an inset where the headroom is: soft obstacles give way
            spot = (1 - PAD - w, 1 - PAD - h)
    if spot is None:
        return _legend_outside(ax, legend, handles, labels, renderer, **kwargs)
    legend.set_bbox_to_anchor(Bbox.from_bounds(spot[0], spot[1], w, h), transform=ax.transAxes)
    return legend


def _legend_outside(ax, legend, handles, labels, renderer, **kwargs):
    """Too tall to fit over the data: the axes give up width on the right for the legend."""
    fig = ax.figure
    width_in = legend.get_window_extent(renderer).width / fig.dpi
    legend.remove()
    fig_w = fig.get_size_inches()[0]
    pos = ax.get_position()
    right = max(pos.x0 + 0.3, pos.x1 - (width_in + 0.15) / fig_w)
    for other in fig.axes:
        p = other.get_position()
        if abs(p.x0 - pos.x0) < 1e-9 and abs(p.x1 - pos.x1) < 1e-9:
            other.set_position([p.x0, p.y0, right - p.x0, p.height])
    return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(right + 0.1 / fig_w, pos.y1), bbox_transform=fig.transFigure, borderaxespad=0, **kwargs)
