"""Where everything around the data goes, measured on the figure itself.

A figure is a stack of panels (axes over one x) with a title above and notes below. ``Frame`` fits
the margins to what is really drawn (tick labels, axis labels, a top axis, a legend moved above the
panels), so nothing is clipped in a 3.5 in column and nothing wastes a 10 in slide; the tick
locators get as many ticks as their labels leave room for.

Inside a panel, a legend or an inset goes to the first free place among the usual ones (corners,
then edges), checked against every curve, marker and text in axes coordinates. A legend may raise
the top of the y axis a little (the data keep ``MIN_SHARE`` of the panel's height); one that still
does not fit joins a legend above the panels. An inset or a label that does not fit is left out,
and a note under the figure says what was left out where that loses something.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
from matplotlib.path import Path
from matplotlib.ticker import FixedLocator, LogLocator, MaxNLocator
from matplotlib.transforms import Bbox

from .style import Fonts

PAD = 0.02  # axes fraction between a box and the axes edge
GAP = 0.012  # axes fraction a box keeps from the data
MIN_SHARE = 0.8  # a legend's headroom leaves the data this share of the panel's height at least
EDGE_IN = 0.06  # inches between the figure's edge and any text
GAP_PT = 4.0  # points between the stacked parts (title, legend above, the panels' labels, notes)
MIN_PANEL = 0.3  # the lr panel keeps this share of the figure's height, or the legend above gives way
STEPS = [1, 2, 2.5, 5, 10]  # tick steps: 0, 2.5, 5, never 1.5, 3.0, 4.5


# ----------------------------------------------------------------------------------------------
# What a box must not cover


def is_guide(line) -> bool:
    """A full-height or full-width rule (an event, a resume point, the zero line), not data."""
    return str(line.get_gid()).startswith(GUIDE_GIDS)


GUIDE_GIDS = ("event-switch", "event-branch", "event-restart", "event-reduction-rule", "resume-point", "first-divergence", "zero")


def _polylines(ax) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(data polylines, marker points, rules) of ``ax`` in axes coordinates."""
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
        if is_guide(line):
            rules.append(xy)
        elif line.get_linestyle() in ("None", "none", "", " "):
            points.append(xy)
        else:
            curves.append(xy)
            if line.get_marker() not in (None, "None", "none", "", " "):
                points.append(xy)
    return curves, points, rules


def _finite_runs(xy: np.ndarray):
    ok = np.isfinite(xy).all(axis=1)
    edges = np.diff(np.concatenate([[0], ok.astype(np.int8), [0]]))
    for a, b in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]):
        yield xy[a:b]


class Obstacles:
    """What a box placed on ``ax`` must not cover, in axes coordinates: its curves and markers
    (within the axes), its texts and the boxes already placed."""

    def __init__(self, ax, renderer, boxes: Sequence[Bbox] = ()):
        self.ax = ax
        self.curves, self.points, self.rules = _polylines(ax)
        to_axes = ax.transAxes.inverted()
        self.boxes = list(boxes)
        for text in ax.texts:
            if text.get_visible() and text.get_text():
                self.boxes.append(text.get_window_extent(renderer).transformed(to_axes))
        for child in ax.child_axes:
            if child.get_visible() and child.get_gid() == "warmup-inset":
                self.boxes.append(child.get_tightbbox(renderer).transformed(to_axes))
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            self.boxes.append(legend.get_window_extent(renderer).transformed(to_axes))

    def hit(self, box: Bbox, soft: bool = False, gap: float = GAP) -> bool:
        grown = Bbox.from_extents(box.x0 - gap, box.y0 - gap, box.x1 + gap, box.y1 + gap)
        for xy in self.curves + (self.rules if soft else []):
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

    def extent(self) -> tuple[float, float] | None:
        """The data's lowest and highest point in axes coordinates, inside the x range shown (a
        linear lr axis counts its zero line: it starts at 0 on purpose)."""
        ys = []
        for xy in self.curves + self.points:
            for run in _finite_runs(xy):
                inside = run[(run[:, 0] >= -1e-9) & (run[:, 0] <= 1 + 1e-9)]
                if inside.size:
                    ys.append(inside[:, 1])
        if not ys:
            return None
        low, high = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
        if self.ax.get_yscale() == "linear":
            zero = self.ax.transAxes.inverted().transform(self.ax.transData.transform((0, 0)))[1]
            if 0 <= zero <= 1:
                low, high = min(low, zero), max(high, zero)
        return low, high


def candidates(w: float, h: float) -> list[tuple[float, float]]:
    """Lower-left corners of a w x h box at the usual places, most expected first."""
    left, right, bottom, top = PAD, 1 - PAD - w, PAD, 1 - PAD - h
    middle_x, middle_y = (1 - w) / 2, (1 - h) / 2
    return [(right, top), (left, top), (right, bottom), (left, bottom), (right, middle_y), (left, middle_y), (middle_x, top), (middle_x, bottom), (middle_x, middle_y)]


def scan(w: float, h: float) -> list[tuple[float, float]]:
    """Every place on a grid over the axes, nearest a corner first: where none of the usual places
    is free (a warmup's rise a few pixels from the left edge blocks both left corners)."""
    xs, ys = np.linspace(PAD, 1 - PAD - w, 13), np.linspace(PAD, 1 - PAD - h, 9)
    corners = [(PAD, PAD), (1 - PAD - w, PAD), (PAD, 1 - PAD - h), (1 - PAD - w, 1 - PAD - h)]
    places = [(float(x), float(y)) for x in xs for y in ys]
    return sorted(places, key=lambda p: min(abs(p[0] - cx) + abs(p[1] - cy) for cx, cy in corners))


def free_place(obstacles: Obstacles, w: float, h: float, places=None, soft: bool = True) -> tuple[float, float] | None:
    if w > 1 - 2 * PAD or h > 1 - 2 * PAD:
        return None
    for x0, y0 in places or candidates(w, h) + scan(w, h):
        if not obstacles.hit(Bbox.from_bounds(x0, y0, w, h), soft=soft):
            return x0, y0
    return None


def add_headroom(ax, obstacles: Obstacles, room: float) -> bool:
    """Raise the top of the y axis (in its own scale, linear or log) so the data stay below
    ``1 - room`` in axes coordinates, unless that leaves them less than MIN_SHARE of the panel."""
    extent = obstacles.extent()
    if extent is None:
        return False
    low, high = extent
    target = 1 - room
    if high <= target:
        return True
    if high <= 0 or (high - low) * target / high < MIN_SHARE:
        return False
    bottom, top = ax.get_ylim()
    transform = ax.yaxis.get_transform()
    t_bottom, t_top = transform.transform([bottom, top])
    t_high = t_bottom + high * (t_top - t_bottom)
    with np.errstate(all="ignore"):
        value = float(transform.inverted().transform([t_bottom + (t_high - t_bottom) / target])[0])
    if not (math.isfinite(value) and value > top):
        return False
    ax.set_ylim(bottom, value)
    return True


# ----------------------------------------------------------------------------------------------
# Ticks that fit their axis


def fit_ticks(ax, fonts: Fonts, x: bool = True, y: bool = True) -> None:
    """As many major ticks as the axis length leaves room for, their labels never touching."""
    fig = ax.figure
    box = ax.get_position()
    h_pt = box.height * fig.get_figheight() * 72
    if y:
        n = max(1, int(h_pt / (2.6 * fonts.tick)))
        if ax.get_yscale() == "log":
            low, high = sorted(ax.get_ylim())
            decades = math.floor(math.log10(high)) - math.ceil(math.log10(low)) + 1 if low > 0 else 2
            # fewer than two decades labelled: the 2s and 5s too, so both ends of the data have numbers
            subs = (1.0,) if decades >= 2 else (1.0, 2.0, 5.0)
            ax.yaxis.set_major_locator(LogLocator(subs=subs, numticks=max(2, n + 1)))
        elif ax.get_yscale() == "linear":
            locator = MaxNLocator(nbins=n, steps=STEPS, min_n_ticks=2)
            low, high = sorted(ax.get_ylim())
            ticks = [t for t in locator.tick_values(low, high) if low <= t <= high]
            # a panel too low for the two ticks' worth of steps min_n_ticks forced (0.25, 0.5, 0.75
            # in 21 pt): every other one, or every third, so their labels stay apart
            if len(ticks) > 2 and high > low:
                apart = h_pt * (ticks[1] - ticks[0]) / (high - low)
                need = 1.4 * fonts.tick
                if apart < need:
                    kept = ticks[:: math.ceil(need / apart)]
                    locator = FixedLocator(kept if len(kept) >= 2 else [ticks[0], ticks[-1]])
            ax.yaxis.set_major_locator(locator)
    if x:
        for axis in [ax.xaxis, *[c.xaxis for c in ax.child_axes if c.get_gid() and c.get_gid().endswith("-axis")]]:
            axis.set_major_locator(spaced_locator(axis, box.width * fig.bbox.width, fonts.tick, fig.canvas.get_renderer()))


TICK_GAP_EM = 0.8  # the least space between two x tick labels, in the labels' own size
TICK_EM = 5.0  # the axis length per tick at most, in the labels' size: a calm axis, not every place labelled


def spaced_locator(axis, width_px: float, size: float, renderer) -> MaxNLocator:
    """The locator of the most ticks whose labels, as they will read ("10k", "0.5"), keep
    TICK_GAP_EM apart along ``width_px`` (an estimate from the widest label gave 5k10k in a
    narrow panel, and too few ticks in a wide one)."""
    low, high = sorted(axis.get_view_interval())
    integer = getattr(axis.get_major_locator(), "_integer", False)
    formatter = axis.get_major_formatter()
    gap = TICK_GAP_EM * size * renderer.points_to_pixels(1.0)
    most = max(1, min(12, int(width_px / (TICK_EM * size * renderer.points_to_pixels(1.0)))))
    for n in range(most, 0, -1):
        locator = MaxNLocator(nbins=n, integer=integer, steps=STEPS, min_n_ticks=2)
        if n == 1 or not high > low:
            return locator
        span = high - low
        ticks = [t for t in locator.tick_values(low, high) if low - 1e-9 * span <= t <= high + 1e-9 * span]
        if len(ticks) < 2:
            continue
        if hasattr(formatter, "set_locs"):
            formatter.set_locs(ticks)
        widths = [text_width(str(formatter(t, i)), size, renderer) for i, t in enumerate(ticks)]
        spacing = (ticks[1] - ticks[0]) / span * width_px
        if all((a + b) / 2 + gap <= spacing for a, b in zip(widths, widths[1:])):
            return locator
    return MaxNLocator(nbins=1, integer=integer, steps=STEPS, min_n_ticks=2)


# ----------------------------------------------------------------------------------------------
# Legends


@dataclass
class Entry:
    handle: object
    label: str
    essential: bool = True  # a line's name; events and guides give way first when room runs out
    short: str | None = None  # fewer words, for when even the essential entries do not fit


def make_legend(owner, entries: Sequence[Entry], fonts: Fonts, ncol: int = 1, **kwargs):
    import matplotlib

    face = matplotlib.rcParams["axes.facecolor"]
    return owner.legend(
        [e.handle for e in entries], [e.label for e in entries], ncol=ncol, fontsize=fonts.legend, frameon=True,
        facecolor=face if face != "none" else "white", edgecolor="none", framealpha=0.9, borderpad=0.25, borderaxespad=0,
        handlelength=1.6, handletextpad=0.5, labelspacing=0.3, columnspacing=1.0, **kwargs,
    )


def legend_inside(ax, entries: Sequence[Entry], fonts: Fonts, renderer, avoid: Sequence[Bbox] = ()):
    """A legend inside ``ax``, off the data (raising the y axis a little if that is enough), or None."""
    legend = make_legend(ax, entries, fonts, loc="lower left", bbox_to_anchor=(0, 0, 1, 1))
    legend.set_gid(f"legend-{ax.get_gid() or 'lr'}")
    box = legend.get_window_extent(renderer).transformed(ax.transAxes.inverted())
    w, h = box.width, box.height
    legend.set_visible(False)  # not an obstacle to itself
    obstacles = Obstacles(ax, renderer, avoid)
    spot = free_place(obstacles, w, h)
    if spot is None and add_headroom(ax, obstacles, h + 2 * PAD + GAP):
        obstacles = Obstacles(ax, renderer, avoid)
        spot = free_place(obstacles, w, h, [(1 - PAD - w, 1 - PAD - h), (PAD, 1 - PAD - h)])
    if spot is None:
        legend.remove()
        return None
    legend.set_visible(True)
    legend.set_bbox_to_anchor(Bbox.from_bounds(spot[0], spot[1], w, h), transform=ax.transAxes)
    return legend


def still_free(ax, artist, renderer, boxes: Sequence[Bbox] = ()) -> bool:
    """Whether a placed legend or inset still covers nothing (the axes may have changed size)."""
    to_axes = ax.transAxes.inverted()
    box = (artist.get_tightbbox(renderer) if hasattr(artist, "get_tightbbox") else artist.get_window_extent(renderer)).transformed(to_axes)
    visible = artist.get_visible()
    artist.set_visible(False)
    try:
        inside = box.x0 >= -1e-6 and box.y0 >= -1e-6 and box.x1 <= 1 + 1e-6 and box.y1 <= 1 + 1e-6
        return inside and not Obstacles(ax, renderer, boxes).hit(box, soft=True, gap=GAP / 2)
    finally:
        artist.set_visible(visible)


def wrap(text: str, width_px: float, size: float, renderer, seps: Sequence[str] = (", ", " ")) -> str:
    """``text`` in lines no wider than ``width_px``, split after a separator: the first of ``seps``
    that leaves a line at least two fifths full (a title breaks after its name only when the name
    is a good part of the line), else the last that fits."""
    lines: list[str] = []
    rest = text
    while rest and text_width(rest, size, renderer) > width_px:
        cuts = []
        for sep in seps:
            i = len(rest)
            while True:
                i = rest.rfind(sep, 0, i)
                if i <= 0:
                    break
                if sep == " " and VALUE.match(rest, i + 1):
                    continue  # never between a key and its value: "T_0 / 10"
                if text_width(rest[: i + len(sep)].rstrip(), size, renderer) <= width_px:
                    cuts.append(i + len(sep))
                    break
        full = [c for c in cuts if text_width(rest[:c].rstrip(), size, renderer) >= 0.4 * width_px]
        cut = full[0] if full else max(cuts, default=0)
        if not cut:
            break
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return "\n".join(lines + [rest])


VALUE = re.compile(r"[-+\u2212]?[\d.]|\[|\u00d7")  # a number, a list or a factor: a key's value, kept on its key's line


def text_width(text: str, size: float, renderer) -> float:
    """Width in pixels of ``text``'s widest line at ``size`` points."""
    from matplotlib.font_manager import FontProperties

    font = FontProperties(size=size)
    return max(renderer.get_text_width_height_descent(line, font, ismath=False)[0] for line in text.split("\n"))


# ----------------------------------------------------------------------------------------------
# The frame: title, panels, legend above, notes


@dataclass
class Inset:
    """A box drawn inside a panel where it is free, or left out with ``note``."""

    ax: object
    draw: Callable[[tuple[float, float, float, float]], object]  # axes-fraction rect -> the inset axes
    size_in: tuple[float, float]  # the inset's plotting area, inches
    note: str
    min_in: tuple[float, float] = (1.0, 0.55)


@dataclass
class Label:
    """A text along a rule at x (data), kept where it covers nothing, else left out."""

    ax: object
    x: float
    text: str
    color: str


@dataclass
class Frame:
    fig: object
    panels: list  # the axes, top to bottom, sharing x
    fonts: Fonts
    title: Sequence[str]  # from the fullest to the shortest: the first that fits is shown
    notes: list[str] = field(default_factory=list)
    optional: list = field(default_factory=list)  # (panel or top axis, note): what gives way, last first, before the legend does
    hspace_pt: float | None = None
    _title_artist: object = None
    _note_artist: object = None
    above: object = None  # the legend above the panels

    def __post_init__(self) -> None:
        self.renderer = self.fig.canvas.get_renderer()
        self._ylabels: dict = {}
        self._label_notes: dict = {}  # panel -> what its y label lost at this size
        self._noted: dict = {}  # panel -> its label's note, once made (a dropped panel's goes with it)
        dpi = self.fig.dpi
        self.edge = EDGE_IN * dpi
        self.gap = GAP_PT * dpi / 72
        self._title_artist = self.fig.text(0, 1, self._title_fitting(self.title), ha="left", va="top", fontsize=self.fonts.title, gid="title")

    def _title_fitting(self, candidates: Sequence[str]) -> str:
        return title_text(candidates, self.fig.bbox.width - 2 * self.edge, self.fonts.title, self.renderer)

    def _shorter_title(self) -> bool:
        """A title of fewer lines (a shorter candidate), when there is one: room for the data."""
        shown = self._title_artist.get_text()
        for i in range(1, len(self.title)):
            text = self._title_fitting(self.title[i:])
            if text.count("\n") < shown.count("\n"):
                self._title_artist.set_text(text)
                return True
        return False

    # -- margins

    def fit(self) -> bool:
        """Margins that hold exactly what is drawn around the panels; twice, as the tick labels
        change with the axes' size. False when the figure is too small to hold them."""
        fig, r = self.fig, self.renderer
        fits = True
        W, H = fig.bbox.width, fig.bbox.height
        top_fixed = self.edge + self._height(self._title_artist) + self.gap
        if self.above is not None:
            top_fixed += self._height(self.above) + self.gap
        bottom_fixed = self.edge + (self._height(self._note_artist) + self.gap if self._note_artist is not None else 0.0)
        for _ in range(2):
            for ax in self.panels:
                fit_ticks(ax, self.fonts, x=ax is self.panels[-1] or ax is self.panels[0])
                self._fit_ylabel(ax)
            left = right = 0.0
            for ax in self.panels:
                tight, box = ax.get_tightbbox(r), ax.bbox
                left, right = max(left, box.x0 - tight.x0), max(right, tight.x1 - box.x1)
            top = max(0.0, self.panels[0].get_tightbbox(r).y1 - self.panels[0].bbox.y1)
            bottom = max(0.0, self.panels[-1].bbox.y0 - self.panels[-1].get_tightbbox(r).y0)
            l, rt = (self.edge + left) / W, 1 - (self.edge + max(right, 0.0)) / W
            t, b = 1 - (top_fixed + top) / H, (bottom_fixed + bottom) / H
            fits = l <= 0.45 and rt >= 0.55 and t >= 0.55 and b <= 0.45
            l, rt = min(l, 0.45), max(rt, 0.55)
            t, b = max(t, 0.55), min(b, 0.45)
            n = len(self.panels)
            hspace = 0.0
            if n > 1:
                gap = (self.hspace_pt or 1.8 * self.fonts.tick) * fig.dpi / 72
                average = ((t - b) * H - (n - 1) * gap) / n
                hspace = gap / max(average, 1.0)
            fig.subplots_adjust(left=l, right=rt, top=t, bottom=b, hspace=hspace)
        self._title_artist.set_position((self.edge / W, 1 - self.edge / H))
        if self._note_artist is not None:
            self._note_artist.set_position((self.edge / W, self.edge / H))
        if self.above is not None:
            top_axes = self.panels[0]
            y = (top_axes.bbox.y1 + top + self.gap) / H
            width = self.above.get_window_extent(r).width
            x0 = min(top_axes.bbox.x0, W - self.edge - width) / W
            self.above.set_bbox_to_anchor((max(self.edge / W, x0), y), transform=fig.transFigure)
        fig.align_ylabels(self.panels)
        return fits

    def _fit_ylabel(self, ax) -> None:
        """A y label no taller than its panel: wrapped at its spaces (a stacked panel's label ran
        into the next panel's), in its usual abbreviation ("mom."), without its remark in brackets,
        or left out; what it loses is noted (``label_notes``)."""
        label = ax.yaxis.label
        full = self._ylabels.setdefault(ax, label.get_text())
        # between stacked panels a label may reach a little into the gap (its neighbours' labels
        # are centred on their own panels)
        reach = 0.8 * self.fonts.tick * self.fig.dpi / 72 if len(self.panels) > 1 else 0.0
        room, size = max(ax.bbox.height - 2 + reach, 1.0), label.get_fontsize()

        def forms(text: str) -> list[str]:
            two = wrap(text, room, size, self.renderer, seps=(" ",))
            return [text, text.replace(" (", "\n("), *([two] if two.count("\n") <= 1 else [])]

        short = full.split(" (")[0]
        whole = forms(full) + forms(abbreviated(full))  # nothing lost
        for text in whole + forms(short) + forms(abbreviated(short)) + [""]:
            if not text or text_width(text, size, self.renderer) <= room:
                break
        label.set_text(text)
        if text in whole or not full:
            self._label_notes.pop(ax, None)
        else:
            self._label_notes[ax] = f"{'y label' if text else 'the y axis'} in full: {full}"

    def _height(self, artist) -> float:
        return artist.get_window_extent(self.renderer).height if artist is not None else 0.0

    def set_notes(self, notes: Sequence[str]) -> None:
        if self._note_artist is not None:
            self._note_artist.remove()
            self._note_artist = None
        notes = list(dict.fromkeys(n for n in notes if n))
        if notes:
            from .style import literal

            width = self.fig.bbox.width - 2 * self.edge
            text = wrap(literal("; ".join(notes)), width, self.fonts.small, self.renderer, seps=("; ", ", ", " "))
            self._note_artist = self.fig.text(0, 0, text, ha="left", va="bottom", fontsize=self.fonts.small, color=_grey(), gid="note", linespacing=1.25)

    # -- legends, insets and labels

    def arrange(self, legends: Sequence[tuple[object, list[Entry]]] = (), inset: Inset | None = None, labels: Sequence[Label] = ()) -> None:
        """Place every legend, the inset and the labels; what does not fit moves out or is left out
        (and noted). Decisions only ever go one way (inside -> above -> fewer entries -> none;
        inset -> none), so a few rounds settle them."""
        limits = {ax: ax.get_ylim() for ax in self.panels}
        legends = [(ax, entries) for ax, entries in legends if entries]
        moved: set = set()  # the panels whose legend is above
        level = 0  # 0: every entry above; 1: the essential ones; 2: in short; 3: no legend above
        drop_inset = inset is None
        for _ in range(60):  # each round moves a decision one way: they settle long before
            for ax, lim in limits.items():
                ax.set_ylim(*lim)
            for ax in self.panels:
                if ax.get_legend() is not None:
                    ax.get_legend().remove()
                for child in list(ax.child_axes):
                    if child.get_gid() == "warmup-inset":
                        child.remove()
                for text in list(ax.texts):
                    if text.get_gid() == "rule-label":
                        text.remove()
            notes = list(self.notes) + [n for ax, n in self._noted.items() if ax in self.panels]
            above_entries: list[Entry] = []
            for ax, entries in legends:
                if ax in moved:
                    above_entries += entries
            if above_entries and level >= 1:
                kept = [e for e in above_entries if e.essential]
                left_out = [e.label for e in above_entries if not e.essential]
                if left_out:
                    notes.append("left out of the legend at this size: " + ", ".join(left_out))
                above_entries = kept
            if above_entries and level == 2:
                above_entries = [Entry(e.handle, e.short or e.label) for e in above_entries]
            if above_entries and level >= 3 and self._shorter_title():
                level = 2
                continue
            if above_entries and level >= 3 and self.optional:
                panel, note = self.optional.pop()
                if panel in self.panels:
                    self._drop_panel(panel)
                    legends = [(ax, entries) for ax, entries in legends if ax is not panel]
                    limits.pop(panel, None)
                    moved.discard(panel)
                else:  # a top axis
                    panel.remove()
                self.notes.append(note)
                level = 0
                continue
            if above_entries and level >= 3:
                notes.append(f"the legend ({len(above_entries)} entries) needs a larger --size")
                above_entries = []
            if drop_inset and inset is not None:
                notes.append(inset.note)
            self.set_notes(notes)
            self._legend_above(above_entries)
            fits = self.fit()
            lost = {ax: n for ax, n in self._label_notes.items() if ax in self.panels and ax not in self._noted}
            if lost:  # a label that lost words at this size: noted, and the note's room made
                self._noted.update(lost)
                continue
            changed = False
            if above_entries and (not fits or self.panels[0].bbox.height < MIN_PANEL * self.fig.bbox.height):
                level += 1
                continue
            placed = []
            for ax, entries in legends:
                if ax in moved:
                    continue
                legend = legend_inside(ax, entries, self.fonts, self.renderer)
                if legend is None:
                    moved.add(ax)
                    changed = True
                else:
                    placed.append(legend)
            if changed:
                continue
            self.fit()  # headroom may have changed the tick labels
            for legend in placed:
                if not still_free(legend.axes, legend, self.renderer):
                    moved.add(legend.axes)
                    changed = True
            if changed:
                continue
            if not drop_inset:
                box = self._place_inset(inset)
                if box is None:
                    drop_inset = True
                    continue
            break
        # a label noted in a tighter round that is whole again: its note goes (its room only grows)
        stale = [n for ax, n in self._noted.items() if ax in self.panels and ax not in self._label_notes]
        if stale:
            self.set_notes([n for n in notes if n not in stale])
            self.fit()
        self._place_labels(labels)

    def _drop_panel(self, panel) -> None:
        """Leave a panel out: the others share its room, the lowest one takes the x axis."""
        from matplotlib.gridspec import GridSpec

        last = panel is self.panels[-1]
        xlabel = self.panels[-1].get_xlabel()
        ratios = panel.get_subplotspec().get_gridspec().get_height_ratios() or [1.0] * len(self.panels)
        keep = [(ax, r) for ax, r in zip(self.panels, ratios) if ax is not panel]
        self.fig.delaxes(panel)
        # out of the group whose y labels align too (its labels would still push the others left)
        self.fig._align_label_groups["y"].remove(panel)
        grid = GridSpec(len(keep), 1, figure=self.fig, height_ratios=[r for _, r in keep])
        for i, (ax, _) in enumerate(keep):
            ax.set_subplotspec(grid[i])
        self.panels = [ax for ax, _ in keep]
        if last:
            bottom = self.panels[-1]
            bottom.xaxis.set_tick_params(which="both", labelbottom=True)
            bottom.set_xlabel(xlabel, fontsize=self.fonts.label)

    def _legend_above(self, entries: list[Entry]) -> None:
        if self.above is not None:
            self.above.remove()
            self.above = None
        if not entries:
            return
        width = self.fig.bbox.width - 2 * self.edge
        # labels wrapped to the width one column has at most; then as many columns as fit
        entries = [Entry(e.handle, wrap(e.label, 0.8 * width, self.fonts.legend, self.renderer), e.essential, e.short) for e in entries]
        for ncol in range(min(len(entries), 6), 0, -1):
            legend = make_legend(self.fig, entries, self.fonts, ncol=ncol, loc="lower left", bbox_to_anchor=(0, 0))
            if legend.get_window_extent(self.renderer).width <= width or ncol == 1:
                break
            legend.remove()
        legend.set_gid("legend")
        self.above = legend

    def _place_inset(self, inset: Inset):
        """The inset at its wished size where that is free, else smaller, down to its least size."""
        box = inset.ax.bbox
        w_in, h_in = box.width / self.fig.dpi, box.height / self.fig.dpi
        # its wish, within two fifths of the panel's width and half its height
        w, h = min(inset.size_in[0], 0.42 * w_in), min(inset.size_in[1], 0.45 * h_in)
        for shrink in (1.0, 0.85, 0.7):
            size = (max(w * shrink, inset.min_in[0]), max(h * shrink, inset.min_in[1]))
            if size[0] > w or size[1] > h:
                break
            placed = self._inset_at(inset, size, (w_in, h_in))
            if placed is not None:
                return placed
        return None

    def _inset_at(self, inset: Inset, size: tuple[float, float], panel: tuple[float, float]):
        ax, r = inset.ax, self.renderer
        box = ax.bbox
        (w, h), (w_in, h_in) = size, panel
        trial = inset.draw((0.3, 0.3, w / w_in, h / h_in))
        tight = trial.get_tightbbox(r)
        left = (trial.bbox.x0 - tight.x0) / box.width
        below = (trial.bbox.y0 - tight.y0) / box.height
        right = (tight.x1 - trial.bbox.x1) / box.width
        above = (tight.y1 - trial.bbox.y1) / box.height
        trial.remove()
        box_w, box_h = w / w_in + left + right, h / h_in + below + above
        spot = free_place(Obstacles(ax, r), box_w, box_h)
        if spot is None:
            return None
        return inset.draw((spot[0] + left, spot[1] + below, w / w_in, h / h_in))

    def _place_labels(self, labels: Sequence[Label]) -> None:
        """Each label along its rule (rotated, from the bottom or the top, on either side), where
        it covers no data and no other text; else left out (the legend names the rule)."""
        for label in labels:
            ax = label.ax
            for va, y, dy in (("bottom", 0.0, 4), ("top", 1.0, -4)):
                placed = False
                for ha, dx in (("left", 3), ("right", -3)):
                    text = ax.annotate(
                        label.text, (label.x, y), xycoords=("data", "axes fraction"), xytext=(dx, dy), textcoords="offset points",
                        ha=ha, va=va, rotation=90, fontsize=self.fonts.small, color=label.color, gid="rule-label",
                    )
                    box = text.get_window_extent(self.renderer).transformed(ax.transAxes.inverted())
                    text.set_visible(False)
                    fits = box.x0 >= 0 and box.x1 <= 1 and box.y0 >= 0 and box.y1 <= 1 and not Obstacles(ax, self.renderer).hit(box, soft=False, gap=GAP / 2)
                    if fits:
                        text.set_visible(True)
                        placed = True
                        break
                    text.remove()
                if placed:
                    break


def _grey() -> str:
    import matplotlib

    from .style import _mix

    return _mix(matplotlib.rcParams["text.color"], matplotlib.rcParams["figure.facecolor"], 0.55)


MAX_TITLE_LINES = 2
ABBREVIATIONS = {"learning rate": "lr", "momentum": "mom."}  # what a label is shortened to first


def abbreviated(text: str) -> str:
    for long, short in ABBREVIATIONS.items():
        text = text.replace(long, short)
    return text



def title_text(candidates: Sequence[str], width_px: float, size: float, renderer) -> str:
    """The fullest title of ``candidates`` that fits two lines of the figure's width, split between
    parts (after the name, between schedulers, between keywords); the last one cut at a part with an
    ellipsis when even it does not fit."""
    from .style import literal

    if isinstance(candidates, str):
        candidates = [candidates]
    for text in candidates:
        lines = wrap(literal(text), width_px, size, renderer, seps=(" \u2192 ", " + ", ": ", ", ", " ")).split("\n")
        if len(lines) <= MAX_TITLE_LINES and all(text_width(line, size, renderer) <= width_px for line in lines):
            return "\n".join(lines)
    kept = lines[: MAX_TITLE_LINES]
    last = kept[-1]
    while last and text_width(last + "\u2026", size, renderer) > width_px:
        cut = max(last.rfind(", "), last.rfind(" "))
        last = last[:cut] if cut > 0 else last[:-1]
    kept[-1] = last.rstrip(" ,:\u2192") + "\u2026"
    return "\n".join(kept)


# ----------------------------------------------------------------------------------------------
# A grid of small multiples


@dataclass
class GridPanel:
    """One panel of a grid: its axes, its run's name, the unit its values are drawn in (``×10⁻³``
    or ""), and whether it shows its own y label (a row of panels on one scale labels it once)."""

    ax: object
    name: str
    scale: str = ""
    own_ylabel: bool = True


@dataclass
class Grid:
    """A constrained layout places the panels; this fits what goes around them at the figure's real
    size: ticks for each panel's width and height, y and x labels shared by the figure when a
    panel's own would be taller than the panel or crowd it (the panels' scales then follow their
    titles), titles no wider than their panel (without the start they share with other names,
    else cut), the figure's title above and a note below saying what was shortened."""

    fig: object
    panels: list  # GridPanel, in reading order
    cols: int
    fonts: Fonts
    ylabel: str  # "lr", "lr / its peak"
    xlabel: str  # the x unit
    title: str | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.renderer = self.fig.canvas.get_renderer()
        self.edge = EDGE_IN * self.fig.dpi
        self.gap = GAP_PT * self.fig.dpi / 72
        self.shared = False
        self._note = None
        self._suptitle = None
        self._bottom = 0.0  # figure fraction under the panels kept for the note

    def arrange(self) -> None:
        fig, W = self.fig, self.fig.bbox.width
        if self.title:
            self._suptitle = fig.suptitle(title_text([self.title], W - 2 * self.edge, self.fonts.title, self.renderer), x=self.edge / W, ha="left", fontsize=self.fonts.title)
        self._labels()
        self._titles_full()
        if not self._settle() or self._crowded():
            self.shared = True
            self._labels()
            self._titles_full()
            self._settle()
        for _ in range(2):  # the note's height moves the panels, which moves the titles' room
            notes = self._fit_titles()
            self._set_note(self.notes + notes)
            self._settle()
        self._fit_titles()
        # as laid out here: a layout run again when drawn would move the x label back over the note
        fig.set_layout_engine("none")

    # -- labels

    def _labels(self) -> None:
        fig, fonts = self.fig, self.fonts
        last_row = len(self.panels) - self.cols
        scales = {p.scale for p in self.panels}
        for i, p in enumerate(self.panels):
            ax = p.ax
            own = not self.shared and p.own_ylabel
            ax.set_ylabel(f"{self.ylabel} ({p.scale})" if own and p.scale else self.ylabel if own else "", fontsize=fonts.label)
            ax.set_xlabel(self.xlabel if not self.shared and i >= last_row else "", fontsize=fonts.label)
        if self.shared:
            one = next(iter(scales)) if len(scales) == 1 else ""
            fig.supylabel(f"{self.ylabel} ({one})" if one else self.ylabel, x=self.edge / fig.bbox.width, ha="left", fontsize=fonts.label)
            fig.supxlabel(self.xlabel, fontsize=fonts.label)

    def _title_suffix(self, p: GridPanel) -> str:
        """A panel's scale after its title, where the figure's one y label cannot say it."""
        if not self.shared or not p.scale or len({q.scale for q in self.panels}) == 1:
            return ""
        return f" ({p.scale})"

    def _titles_full(self) -> None:
        for p in self.panels:
            p.ax.set_title(p.name + self._title_suffix(p), fontsize=self.fonts.legend, loc="left")

    def _crowded(self) -> bool:
        """Whether a panel's own labels do not fit it: a y label taller than its panel (it runs
        into the row below), or labels and ticks taking half a column's width."""
        column = (self.fig.bbox.width - 2 * self.edge) / self.cols
        for p in self.panels:
            ax = p.ax
            label = ax.yaxis.label
            if label.get_text() and label.get_window_extent(self.renderer).height > ax.bbox.height:
                return True
            if ax.bbox.width < 0.5 * column:
                return True
        return False

    # -- layout

    def _settle(self) -> bool:
        """Lay the panels out, fit their ticks, and again; False when the constrained layout gave
        up (the panels' labels leave them no room), which matplotlib would only warn of."""
        import warnings

        engine = self.fig.get_layout_engine()
        applied = True
        for _ in range(2):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                engine.execute(self.fig)
            applied = applied and not any("collapsed" in str(w.message) for w in caught)
            for p in self.panels:
                fit_ticks(p.ax, self.fonts)
        if self.shared:  # the layout put it at the very bottom, where the note is
            label = self.fig._supxlabel
            label.set_y(self._bottom + self.edge / self.fig.bbox.height)
            label.set_va("bottom")
        return applied

    def _set_note(self, notes: Sequence[str]) -> None:
        from .style import literal

        fig = self.fig
        if self._note is not None:
            self._note.remove()
            self._note = None
        notes = list(dict.fromkeys(n for n in notes if n))
        bottom = 0.0
        if notes:
            text = wrap(literal("; ".join(notes)), fig.bbox.width - 2 * self.edge, self.fonts.small, self.renderer, seps=("; ", ", ", " "))
            self._note = fig.text(self.edge / fig.bbox.width, self.edge / fig.bbox.height, text, ha="left", va="bottom",
                                  fontsize=self.fonts.small, color=_grey(), gid="note", linespacing=1.25)
            bottom = (self._note.get_window_extent(self.renderer).height + self.gap) / fig.bbox.height
        fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
        self._bottom = bottom

    # -- titles

    def _room(self, i: int) -> float:
        """Pixels a panel's title may take: to the next panel's labels in its row, or the edge."""
        p, r = self.panels[i], self.renderer
        right = self.fig.bbox.width - self.edge
        if (i + 1) % self.cols and i + 1 < len(self.panels):
            nxt = self.panels[i + 1].ax
            title = nxt.title, nxt._left_title
            visible = [t.get_visible() for t in title]
            for t in title:
                t.set_visible(False)
            right = min(right, nxt.get_tightbbox(r).x0 - self.gap)
            for t, v in zip(title, visible):
                t.set_visible(v)
        return right - p.ax.bbox.x0

    def _fit_titles(self) -> list[str]:
        """Each title whole where every one fits its room; else each without the start it shares
        with other names (all alike: "detectron2", "mmengine"), keeping more of it where two ends
        are the same, and cut with an ellipsis (at the start of a shortened name, whose end tells
        it apart; else at its end) where even that does not fit. The notes saying what was left out."""
        size = self.fonts.legend
        rooms = [self._room(i) for i in range(len(self.panels))]
        suffixes = [self._title_suffix(p) for p in self.panels]
        names = [p.name for p in self.panels]

        def fits(text: str, i: int) -> bool:
            return text_width(text + suffixes[i], size, self.renderer) <= rooms[i]

        cuts = [shared_starts(name, names) for name in names]
        chosen = [0] * len(names)
        if not all(fits(name, i) for i, name in enumerate(names)):
            chosen = [len(c) - 1 for c in cuts]
            for _ in range(len(names)):  # two names with the same end keep more of their start
                texts = [name[cuts[i][k]:] for i, (name, k) in enumerate(zip(names, chosen))]
                same = [i for i, t in enumerate(texts) if texts.count(t) > 1 and chosen[i] > 0]
                if not same:
                    break
                for i in same:
                    chosen[i] -= 1
        starts, cut, dropped = [], False, False
        for i, p in enumerate(self.panels):
            start = cuts[i][chosen[i]]
            text = names[i][start:]
            if start:
                starts.append(names[i][: cuts[i][-1]])
            if not fits(text, i):
                cut = True
                if start:  # the end tells it apart
                    while len(text) > 1 and not fits("\u2026" + text, i):
                        text = text[1:]
                    text = "\u2026" + text
                else:
                    while len(text) > 1 and not fits(text + "\u2026", i):
                        text = text[:-1]
                    text = text.rstrip(" -_/:,(") + "\u2026"
                if not fits(text, i):
                    text, dropped = "", True
            p.ax.set_title(text + suffixes[i] if text else "", fontsize=size, loc="left")
        if dropped:
            return ["panel titles left out at this size: " + ", ".join(names)]
        notes = []
        if starts:
            notes.append("titles without " + ", ".join(f"\u2018{s}\u2019" for s in dict.fromkeys(starts)) + " at this size")
        if cut:
            notes.append("titles cut at this size")
        return notes


def shared_starts(name: str, names: Sequence[str]) -> list[int]:
    """Where ``name`` may start when shortened: 0, then after each separator (-, /, space) that
    ends a start another name shares: compare-detection-torch -> detection-torch -> torch."""
    out = [0]
    for m in re.finditer(r"[-/ ]+", name):
        c = m.end()
        if 0 < c < len(name) and any(other != name and other.startswith(name[:c]) for other in names):
            out.append(c)
    return out
