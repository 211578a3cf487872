"""A stale figure beside what it should be now: committed | now | the pixels that differ.

``lrplot gallery --check`` writes one per stale figure, so a reviewer sees what changed without
rendering anything. The images compared are the PNGs (an SVG's bytes can differ where nothing
shows); figures of different sizes are aligned at their top left on white.
"""

from __future__ import annotations

import io

import numpy as np

from .style import Look, figure_bytes


def _pixels(png: bytes | None) -> np.ndarray | None:
    if png is None:
        return None
    from matplotlib import image

    try:
        rgba = image.imread(io.BytesIO(png), format="png")
    except (OSError, ValueError, SyntaxError):  # a committed file that is not a PNG (any more)
        return None
    if rgba.ndim == 2:
        rgba = np.stack([rgba] * 3, axis=-1)
    return rgba[..., :3].astype(np.float32)


def difference_png(old: bytes | None, new: bytes, title: str) -> bytes:
    """A PNG of three panels: the committed figure (``old``, None when missing), the new one, and
    the new one faded with every pixel that differs in red; ``title`` says which figure it is."""
    from matplotlib.figure import Figure

    now = _pixels(new)
    before = _pixels(old)
    assert now is not None, "the new figure is a PNG lrplot drew"
    h = max(now.shape[0], 0 if before is None else before.shape[0])
    w = max(now.shape[1], 0 if before is None else before.shape[1])

    def padded(img: np.ndarray | None) -> np.ndarray:
        out = np.ones((h, w, 3), np.float32)
        if img is not None:
            out[: img.shape[0], : img.shape[1]] = img
        return out

    a, b = padded(before), padded(now)
    changed = np.any(np.abs(a - b) > 1e-6, axis=-1)
    diff = 0.75 + 0.25 * b  # the new figure, faded
    diff[changed] = (0.85, 0.1, 0.1)
    count = int(changed.sum())
    look = Look(dpi=100)
    # inches at 100 dpi: each panel at its pixel size, 0.1 in apart, room above for the headings
    width, height = 3 * w / 100 + 0.4, h / 100 + 0.7
    fig = Figure(figsize=(width, height), dpi=100)
    headings = (
        "committed" if before is not None else "committed: missing or not a PNG",
        "drawn now",
        f"{count:,} pixels differ" if count else "no pixel differs (only the file's bytes)",
    )
    for i, (img, heading) in enumerate(zip((a, b, diff), headings)):
        ax = fig.add_axes(((0.1 + i * (w / 100 + 0.1)) / width, 0.05 / height, w / 100 / width, h / 100 / height))
        ax.imshow(img, interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(heading, fontsize=10, loc="left")
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    return figure_bytes(fig, "png", look)
