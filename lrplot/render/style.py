"""How lrplot's figures look, and how they become bytes that are the same on every run.

A pinned rc context (``styled``) makes output reproducible whatever the style: fixed
``svg.hashsalt``, no dates in metadata, one font family.
"""

from __future__ import annotations

import io
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Iterator

import matplotlib

matplotlib.use("Agg")  # never try to open a display: lrplot runs on servers and in CI

from matplotlib.figure import Figure  # noqa: E402

from ..errors import ConfigError  # noqa: E402


DETERMINISM = {
    "svg.hashsalt": "lrplot",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "path.simplify": True,
    # Every text is shown as written: a `$` in a config name or a title is a dollar sign, never
    # mathtext (which would fail on unbalanced dollars or render `$x$` as math).
    "text.parse_math": False,
}

MAX_PIXELS = 100_000_000  # a PNG's pixel buffer is 4 bytes each: 400 MB at most


LIGHT = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(
        color=["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
    ),
    "legend.frameon": False,
    "legend.fontsize": 9,
}


DARK = {
    **LIGHT,
    "figure.facecolor": "#15171c",
    "axes.facecolor": "#15171c",
    "savefig.facecolor": "#15171c",
    "axes.edgecolor": "#9aa0a6",
    "axes.labelcolor": "#e8eaed",
    "text.color": "#e8eaed",
    "xtick.color": "#bdc1c6",
    "ytick.color": "#bdc1c6",
    "grid.color": "#33363d",
    "axes.prop_cycle": matplotlib.cycler(
        color=["#8ab4f8", "#f28b82", "#81c995", "#c58af9", "#fdd663", "#78d9ec", "#fcad70", "#ff8bcb"]
    ),
}


METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


EVENT_LEGEND = {"switch": "scheduler switch", "branch": "branch", "restart": "warm restart", "reduction": "plateau reduction"}


def _mix(a: str, b: str, share: float) -> str:
    """``share`` of colour ``a`` over ``b``: a grey that reads on the style's own background."""
    from matplotlib.colors import to_hex, to_rgb

    return to_hex([share * x + (1 - share) * y for x, y in zip(to_rgb(a), to_rgb(b))])


def dark_background() -> bool:
    from matplotlib.colors import to_rgb

    return sum(to_rgb(matplotlib.rcParams["axes.facecolor"])) < 1.5


def event_style(kind: str) -> dict:
    """How an event is drawn, in the current style's colours: a milestone marker must show on a dark
    background as on a light one (a fixed dark grey vanished on --dark)."""
    ink, paper = matplotlib.rcParams["text.color"], matplotlib.rcParams["axes.facecolor"]
    if kind in ("switch", "branch"):  # a branch of the user's own function is drawn as a switch, and named for what it is
        return {"color": _mix(ink, paper, 0.5), "ls": "--", "lw": 0.9}
    if kind == "restart":
        return {"color": _mix(ink, paper, 0.42), "ls": ":", "lw": 0.9}
    if kind == "reduction":
        return {"marker": "v", "color": "#d62728", "ms": 6}
    return {"marker": "v", "color": _mix(ink, paper, 0.68), "ms": 5}


def shade_alpha() -> float:
    """Opacity of a shaded span (the patience running out, a cooldown): stronger on a dark background."""
    return 0.3 if dark_background() else 0.12


@dataclass(frozen=True)
class Fonts:
    """Type sizes in points for a figure of a given size: matplotlib's 10 pt on a 7 in figure, and
    the 8 pt journals ask for in a 3.5 in column (text does not shrink with the figure, so a column
    figure at 10 pt has no room left for its data)."""

    title: float
    label: float
    tick: float
    legend: float
    small: float

    @classmethod
    def for_size(cls, size: tuple[float, float]) -> Fonts:
        w, h = size
        s = min(1.0, max(0.8, min(w / 6.5, h / 3.6)))
        return cls(title=11 * s, label=10 * s, tick=9 * s, legend=9 * s, small=8 * s)


@dataclass(frozen=True)
class Look:
    """How a figure looks: size in inches, dpi, a matplotlib style name, dark mode, log axis."""

    size: tuple[float, float] | None = None
    dpi: int = 150
    style: str | None = None
    dark: bool = False
    log: bool = False
    title: str | None = None

    def check(self) -> None:
        if self.style is not None and self.style != "default" and self.style not in available_styles():
            import difflib

            from matplotlib import style as mpl_style

            close = difflib.get_close_matches(self.style, mpl_style.available, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError("--style", f"unknown matplotlib style {self.style!r}{hint}; see matplotlib.style.available")
        if self.size is not None and not all(0.5 <= v <= 50 for v in self.size):
            raise ConfigError("--size", "width and height must be between 0.5 and 50 inches")
        if not 10 <= self.dpi <= 1200:
            raise ConfigError("--dpi", f"must be between 10 and 1200, got {self.dpi}")

    def check_pixels(self, size: tuple[float, float]) -> None:
        """Refuse a raster figure too large to draw, before anything is drawn (``--dpi 1200 --size
        50x50`` would ask for 14 GB)."""
        w, h = (round(v * self.dpi) for v in size)
        if w * h > MAX_PIXELS:
            raise ConfigError(
                "--dpi/--size", f"{w:,} x {h:,} pixels is more than a PNG lrplot draws ({MAX_PIXELS // 1_000_000} megapixels); lower --dpi or --size"
            )


_GLYPHS: set[int] = set()


def literal(text: str) -> str:
    """User text (names, titles) as the pinned font can draw it: a character DejaVu Sans lacks
    (CJK, emoji) becomes U+FFFD instead of a box and a matplotlib warning on stderr."""
    if not _GLYPHS:
        from matplotlib import font_manager, ft2font

        _GLYPHS.update(ft2font.FT2Font(font_manager.findfont(DETERMINISM["font.family"])).get_charmap())
    return "".join(ch if ord(ch) in _GLYPHS or ch in "\n" else "\ufffd" for ch in text)


def unique_ids(fig: Figure) -> None:
    """Every artist's gid unique (an SVG's element ids must be): a repeated one gets -2, -3, ...
    in drawing order, so the first keeps the name tests and stylesheets look for."""
    seen: set[str] = set()
    for artist in fig.findobj(lambda a: a.get_gid() is not None):
        gid, n = str(artist.get_gid()), 1
        while gid in seen:
            n += 1
            gid = f"{artist.get_gid()}-{n}"
        seen.add(gid)
        artist.set_gid(gid)


def available_styles() -> list[str]:
    from matplotlib import style as mpl_style  # only styled figures pay for the style library

    return mpl_style.available


@contextmanager
def styled(look: Look) -> Iterator[None]:
    with ExitStack() as stack:
        if look.style is not None:
            from matplotlib import style as mpl_style

            stack.enter_context(mpl_style.context(look.style))
        stack.enter_context(matplotlib.rc_context({**(DARK if look.dark else LIGHT if look.style is None else {}), **DETERMINISM, "savefig.dpi": look.dpi}))
        yield


def figure_bytes(fig: Figure, fmt: str, look: Look = Look()) -> bytes:
    """Render to PNG, SVG or PDF bytes, identical across runs for identical figures."""
    buf = io.BytesIO()
    with styled(look):
        # zlib level 3 instead of 6: a third faster to encode for files a fifth larger.
        extra = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
        fig.savefig(buf, format=fmt, metadata=METADATA[fmt], dpi=look.dpi, facecolor=fig.get_facecolor(), **extra)
    return buf.getvalue()
