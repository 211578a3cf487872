"""The documentation gallery: every config in a folder rendered to SVG and PNG, with an index.

``render_gallery`` returns the files as bytes (name -> content), so the same code writes a gallery
and checks a committed one: ``--check`` renders into memory and compares byte for byte.
"""

from __future__ import annotations

import hashlib
import html
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .cache import Figure, Output, Request, Source, draw, lookup
from .errors import ConfigError

GALLERY_DPI = 100  # the PNGs are thumbnails and README images; the SVGs are the full-quality figures


@dataclass(frozen=True)
class Entry:
    stem: str
    title: str
    description: str
    config: str  # the config's file name (.yaml or .yml)


def find_configs(folder: Path) -> list[Path]:
    """The folder's configs, each of which becomes ``<stem>.svg`` and ``<stem>.png``."""
    from .files import shown

    if not folder.is_dir():
        raise ConfigError(shown(folder), "is not a folder of YAML configs")
    configs = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not configs:
        raise ConfigError(shown(folder), "has no .yaml configs")
    stems: dict[str, Path] = {}
    for path in configs:
        try:
            path.name.encode("utf-8")
        except UnicodeEncodeError:
            raise ConfigError(shown(path), "the file name is not UTF-8, so the gallery cannot link to it; rename it") from None
        # a.yaml and a.yml (or A.yaml on a case-insensitive disk) would render to the same figure
        other = stems.setdefault(path.stem.lower(), path)
        if other is not path:
            raise ConfigError(str(path), f"renders to the same figure as {other.name}; rename one of them")
    return configs


def description(path: Path) -> str:
    """The comment lines a recipe starts with, joined into one sentence or two."""
    from .files import read_limited
    from .sources import MAX_FILE_BYTES

    lines = []
    for line in read_limited(path, MAX_FILE_BYTES, str(path), "configs").decode("utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def request(path: Path) -> Request:
    """A gallery figure: the config drawn as ``lrplot plot`` draws it, as SVG and as a PNG thumbnail."""
    return Request((Source("file", str(path)),), ("svg", "png"), GALLERY_DPI)


COMMAND = "lrplot gallery configs -o gallery"  # what made the repository's own gallery


def gallery_command(config_dir: Path, out_dir: Path) -> str:
    """The command that makes a gallery, for its README: its folders from the current one where they are
    inside it, however they were spelt (``./configs``, an absolute path), so ``--check`` reads the same."""
    import shlex

    def spelt(path: Path) -> str:
        inside = os.path.relpath(path.resolve(), Path.cwd().resolve())
        return shlex.quote((inside if not inside.startswith("..") else str(path)).replace(os.sep, "/"))

    return f"lrplot gallery {spelt(config_dir)} -o {spelt(out_dir)}"


def render_gallery(configs: list[Path], config_link: str, progress: Callable[[str], None] | None = None, command: str = COMMAND,
                   counts: dict[str, int] | None = None) -> dict[str, Output]:
    """Every output file of the gallery, by name. ``config_link`` is the path from the gallery to the
    configs; ``command`` the command that makes it (the README says it); ``counts`` (if given) gets how
    many figures were ``drawn`` and how many came ``cached``.

    A config whose cache entry holds (``lrplot.cache``: the same bytes, the same files read, the
    same lrplot and matplotlib) is not drawn again; its outputs are known by their hashes, so
    ``--check`` of an unchanged gallery reads no figure from the cache and imports no matplotlib.
    """
    figures: dict[Path, Figure] = {}
    missing: list[Path] = []
    for path in configs:
        found = lookup(request(path))
        if found is not None:
            figures[path] = found
            if progress:
                progress(path.stem)
        else:
            missing.append(path)
    if counts is not None:
        counts.update(drawn=len(missing), cached=len(configs) - len(missing))
    if len(missing) == 1:
        figures[missing[0]] = _draw_or_raise(missing[0], _draw_safely(missing[0]))
        if progress:
            progress(missing[0].stem)
    elif missing:
        from concurrent.futures import ProcessPoolExecutor

        workers = min(len(missing), os.cpu_count() or 1, 4)
        # Figures are independent: one process per core; results come back in config order.
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for path, result in zip(missing, pool.map(_draw_safely, missing)):
                figures[path] = _draw_or_raise(path, result)
                if progress:
                    progress(path.stem)
    files: dict[str, Output] = {}
    entries: list[Entry] = []
    for path in configs:
        figure = figures[path]
        files[f"{path.stem}.svg"] = figure.outputs["svg"]
        files[f"{path.stem}.png"] = figure.outputs["png"]
        entries.append(Entry(path.stem, figure.title, description(path), path.name))
    files["README.md"] = _output(markdown_index(entries, config_link, image_prefix="", command=command).encode())
    files["index.html"] = _output(html_index(entries, config_link).encode())
    return files


def _output(data: bytes) -> Output:
    return Output(hashlib.sha256(data).hexdigest(), data=data)


def _draw_safely(path: Path) -> Figure | str:
    from .errors import LrplotError

    try:
        return draw(request(path))
    except LrplotError as exc:  # reported in the parent, naming the config
        return str(exc)


def _draw_or_raise(path: Path, result: Figure | str) -> Figure:
    if isinstance(result, str):
        raise ConfigError(str(path), result.removeprefix(f"{path}: "))
    return result


def markdown_index(entries: list[Entry], config_link: str, image_prefix: str, command: str = COMMAND) -> str:
    lines = [
        "# lrplot gallery",
        "",
        f"Generated by `{command}`; CI checks it is current with `--check`.",
        "Click a figure for the SVG.",
        "",
        "| figure | recipe |",
        "| --- | --- |",
    ]
    for e in entries:
        svg, png, config = (_url(f"{image_prefix}{e.stem}{ext}") for ext in (".svg", ".png", ""))
        image = f'<a href="{svg}"><img src="{png}" width="320" alt="{html.escape(e.title)}"></a>'
        lines.append(f"| {_cell(image)} | **[{_cell(_markdown(e.title))}]({_url(config_link)}/{_url(e.config)})**<br>{_cell(e.description)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown(text: str) -> str:
    """Text inside a Markdown link: brackets and HTML kept as text."""
    return html.escape(text, quote=False).replace("[", "\\[").replace("]", "\\]")


def _url(path: str) -> str:
    """A relative link to a file, percent-encoded: a file name cannot end an attribute or a link."""
    return urllib.parse.quote(path)


def html_index(entries: list[Entry], config_link: str) -> str:
    def attr(path: str) -> str:
        return html.escape(_url(path), quote=True)

    cards = "\n".join(
        f'<figure><a href="{attr(e.stem + ".svg")}"><img src="{attr(e.stem + ".svg")}" alt="{html.escape(e.title)}" loading="lazy"></a>'
        f'<figcaption><a href="{attr(config_link + "/" + e.config)}"><b>{html.escape(e.title)}</b></a><br>{html.escape(e.description)}</figcaption></figure>'
        for e in entries
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lrplot gallery</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }}
main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 1.5rem; }}
figure {{ margin: 0; }}
img {{ width: 100%; border: 1px solid #e5e5e5; }}
figcaption {{ font-size: 0.9rem; line-height: 1.35; margin-top: 0.4rem; }}
</style>
</head>
<body>
<h1>lrplot gallery</h1>
<p>{len(entries)} recipes, each rendered from its config by <code>lrplot gallery</code>.</p>
<main>
{cards}
</main>
</body>
</html>
"""


def compare_with(folder: Path, files: dict[str, Output]) -> list[tuple[str, str]]:
    """(name, "missing" or "differs") for each generated file missing from ``folder`` or different there."""
    problems = []
    for name, out in files.items():
        existing = folder / name
        if not existing.is_file():
            problems.append((name, "missing"))
        elif hashlib.sha256(existing.read_bytes()).hexdigest() != out.sha256:
            problems.append((name, "differs"))
    return problems


STALE = "stale"  # the gallery's folder where --check writes what its stale files should be now


def write_stale(out_dir: Path, files: dict[str, Output], problems: list[tuple[str, str]]) -> list[str]:
    """Write each stale file as it should be now into ``<out_dir>/stale/`` and, for a figure, a
    difference image beside it; one line per stale file says what is where."""
    from .files import shown
    from .output import write_atomic

    stale = out_dir / STALE
    stale.mkdir(exist_ok=True)
    # what --check leaves is for looking at, never for committing
    write_atomic(str(stale / ".gitignore"), b"# written by lrplot gallery --check for review; not to be committed\n*\n")
    figures = {name for name in files if name.endswith((".svg", ".png"))}
    lines, compared = [], set()
    for name, problem in problems:
        now = stale / name
        write_atomic(str(now), files[name].read())
        line = f"{problem}: {name}  -> now: {shown(now)}"
        if name in figures:
            stem = name.rsplit(".", 1)[0]
            diff = stale / f"{stem}.diff.png"
            if stem not in compared:
                from .render.difference import difference_png

                committed = out_dir / f"{stem}.png"
                old = committed.read_bytes() if committed.is_file() else None
                write_atomic(str(diff), difference_png(old, files[f"{stem}.png"].read(), shown(committed)))
                compared.add(stem)
            line += f", difference: {shown(diff)}"
        lines.append(line)
    return lines


def clear_stale(out_dir: Path, files: dict[str, Output]) -> None:
    """Remove what an earlier --check left in ``<out_dir>/stale/`` for these files (and the folder, once empty)."""
    stale = out_dir / STALE
    if not stale.is_dir():
        return
    names = {*files, *(f"{name.rsplit('.', 1)[0]}.diff.png" for name in files), ".gitignore"}
    for name in names:
        try:
            (stale / name).unlink()
        except FileNotFoundError:
            pass
    try:
        stale.rmdir()
    except OSError:  # something else is in it: not ours to remove
        pass
