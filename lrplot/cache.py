"""Figures cached by their content: shared by the gallery, the Sphinx directive and the Markdown fence.

A figure's key is a hash of everything that decides its bytes: each config's bytes and those of
every other file it reads (``Spec.files``: an included framework file, a metric log), lrplot's own
source files (a version string stays the same when the renderer changes; the files do not), the
versions of the libraries that write the bytes (matplotlib, numpy, Pillow) and how the figure is
drawn (formats, dpi). Which other files a config reads is known only once it is loaded, and a hit
should not pay for loading it; so, as ccache's direct mode does, the key covers the config's own
bytes, and its entry lists the other files with their hashes: the entry is a hit only while those
files are unchanged.

Entries live in one folder (``$LRPLOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/lrplot``, else
``~/.cache/lrplot``), as ``<key>.json`` (the files read, each output's hash, the figure's title)
beside ``<key>.<format>``. Every file is written atomically (a temporary file, then a rename) and
the json last; an output is used only if it matches the hash its json gives, so processes drawing
at once (``sphinx-build -j``, the gallery's workers, two builds) never read half a figure, and one
that finds an entry removed under it draws the figure again. A cache that cannot be written (a
read-only home) only costs the time to draw again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

LAYOUT = 1  # how an entry is written; a new layout makes every older entry a miss
MAX_ENTRIES = 4000  # figures kept; the least recently used beyond this are removed
FORMATS = ("svg", "png")
# The libraries whose versions change a figure's bytes: (import name, distribution name).
LIBRARIES = (("matplotlib", "matplotlib"), ("numpy", "numpy"), ("PIL", "pillow"))


@dataclass(frozen=True)
class Source:
    """One schedule of a figure: a config file (``file``, its path), YAML text (``yaml``, relative
    paths in it read from ``base``) or an inline spec like ``cosine:T_max=50`` (``spec``)."""

    kind: str
    text: str
    base: str = ""


@dataclass(frozen=True)
class Request:
    """A figure: one schedule (drawn as ``lrplot plot`` draws it) or several (as ``lrplot compare``)."""

    sources: tuple[Source, ...]
    formats: tuple[str, ...] = ("svg",)
    dpi: int = 150


@dataclass
class Output:
    """One format of a figure: its hash, and its bytes (a cached one is read when first asked for)."""

    sha256: str
    data: bytes | None = None
    path: Path | None = None  # the cached file
    request: Request | None = None  # what drew it, to draw again should the cached file be lost

    def read(self) -> bytes:
        """The bytes; a cached file that is gone, or no longer what was stored, is drawn again."""
        if not self.readable:
            assert self.request is not None and self.path is not None
            again = render(self.request).outputs[self.path.suffix[1:]]
            self.sha256, self.data = again.sha256, again.data
        assert self.data is not None
        return self.data

    @property
    def readable(self) -> bool:
        """Whether the bytes are at hand without drawing: held, or a cached file that is intact."""
        if self.data is None and self.path is not None:
            try:
                data = self.path.read_bytes()
            except OSError:
                return False
            if hashlib.sha256(data).hexdigest() == self.sha256:
                self.data = data
        return self.data is not None


@dataclass
class Figure:
    """What a request drew (or found): an Output per format, the title, whether it was drawn now,
    and the files besides the sources' own that it was drawn from (an include, a metric log)."""

    outputs: dict[str, Output]
    title: str
    drawn: bool
    files: tuple[str, ...] = ()


def css_width(png: bytes, dpi: int) -> int:
    """The width in CSS pixels (96 an inch) a PNG drawn at ``dpi`` shows at as large as its SVG would
    (a 150-dpi PNG at its own pixel size is half as large again, and blurred where it is scaled)."""
    return round(int.from_bytes(png[16:20], "big") * 96 / dpi)  # the IHDR chunk's width


def folder() -> Path:
    """Where entries live: $LRPLOT_CACHE_DIR, else $XDG_CACHE_HOME/lrplot, else ~/.cache/lrplot."""
    if os.environ.get("LRPLOT_CACHE_DIR"):
        return Path(os.environ["LRPLOT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lrplot"


_DIGEST: list[str] = []


def code_digest() -> str:
    """A hash of lrplot's installed source files: what draws the figure, not what it calls itself."""
    if not _DIGEST:
        root = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
        _DIGEST.append(h.hexdigest())
    return _DIGEST[0]


_VERSIONS: dict[str, str] = {}


def library_versions() -> dict[str, str]:
    """The installed versions of LIBRARIES, read without importing them (matplotlib alone costs a
    third of a second, which a cache hit must not pay)."""
    import importlib.util

    if _VERSIONS:
        return _VERSIONS

    versions = {}
    for module, dist in LIBRARIES:
        spec = importlib.util.find_spec(module)
        version = None
        if spec is not None and spec.origin:
            site = Path(spec.origin).parent.parent
            prefix = dist.lower() + "-"
            try:
                names = os.listdir(site)
            except OSError:
                names = []
            found = [n for n in names if n.lower().startswith(prefix) and n.endswith((".dist-info", ".egg-info"))]
            if len(found) == 1:
                version = found[0][len(prefix) : found[0].rindex(".")]
        if version is None:  # an unusual install (a source tree, a system package): ask the slow way
            from importlib import metadata

            try:
                version = metadata.version(dist)
            except metadata.PackageNotFoundError:
                version = "absent"
        versions[dist] = version
    _VERSIONS.update(versions)
    return _VERSIONS


def _sha256(path: str) -> str | None:
    """The hash of a regular file, read in chunks (None for anything else: a pipe is never waited on)."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        h = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def key(request: Request) -> str:
    """The request's key: its sources' own bytes, lrplot's code, the libraries' versions, the formats."""
    from .files import read_limited, shown
    from .sources import MAX_FILE_BYTES

    sources = []
    for source in request.sources:
        if source.kind == "file":
            path = os.path.abspath(source.text)
            content = read_limited(Path(path), MAX_FILE_BYTES, shown(source.text), "configs")
            # The path too: a config's name defaults to its file name, and its relative paths start from its folder.
            sources.append({"file": path, "sha256": hashlib.sha256(content).hexdigest()})
        else:
            sources.append({source.kind: source.text, "base": os.path.abspath(source.base) if source.kind == "yaml" else ""})
    what = {
        "layout": LAYOUT, "lrplot": code_digest(), "libraries": library_versions(),
        "formats": list(request.formats), "dpi": request.dpi, "sources": sources,
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def lookup(request: Request, where: Path | None = None) -> Figure | None:
    """The cached figure for ``request`` if every file it was drawn from is unchanged, else None."""
    where = where or folder()
    k = key(request)
    entry = where / f"{k}.json"
    try:
        meta = json.loads(entry.read_text(encoding="utf-8"))
        files, outputs, title = meta["files"], meta["outputs"], meta["title"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(_sha256(path) != digest for path, digest in files.items()):
        return None
    try:
        os.utime(entry)  # recently used: kept when the cache is pruned
    except OSError:
        pass
    if set(outputs) != set(request.formats):
        return None
    return Figure({fmt: Output(digest, None, where / f"{k}.{fmt}", request) for fmt, digest in outputs.items()}, title, False, (*files,))


def store(request: Request, figure: Figure, where: Path | None = None) -> None:
    """Keep a drawn figure; a cache that cannot be written is skipped (the figure is drawn again next time)."""
    from .output import write_atomic

    where = where or folder()
    k = key(request)
    files = {os.path.abspath(p): _sha256(p) for p in figure.files}
    if None in files.values():  # a file read while drawing is gone already: nothing stable to key on
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        for fmt, out in figure.outputs.items():
            write_atomic(str(where / f"{k}.{fmt}"), out.read())
        meta = {"files": files, "outputs": {fmt: out.sha256 for fmt, out in figure.outputs.items()}, "title": figure.title}
        write_atomic(str(where / f"{k}.json"), json.dumps(meta, indent=1).encode())
        _prune(where)
    except OSError:
        pass


_PRUNED: list[Path] = []


def _prune(where: Path) -> None:
    """Once per process: remove the least recently used entries beyond MAX_ENTRIES."""
    if where in _PRUNED:
        return
    _PRUNED.append(where)
    entries = []
    for item in os.scandir(where):
        if item.name.endswith(".json"):
            try:
                entries.append((item.stat().st_mtime, item.name[: -len(".json")]))
            except OSError:
                pass
    entries.sort()
    for _, old in entries[: max(0, len(entries) - MAX_ENTRIES)]:
        for ext in ("json", *FORMATS):
            try:
                os.unlink(where / f"{old}.{ext}")
            except OSError:
                pass


def draw(request: Request, where: Path | None = None) -> Figure:
    """The figure a request asks for: from the cache when its entry holds, else drawn now and kept."""
    found = lookup(request, where)
    if found is not None and all(out.readable for out in found.outputs.values()):
        return found
    figure = render(request)
    store(request, figure, where)
    return figure


def sources(path: str | None, body: str | None, compare: str | None, base: str, root: str | None = None) -> tuple[Source, ...]:
    """A docs figure's schedules: a config path or YAML text (not both), then ``compare``'s items, split
    as a shell splits them: config paths or inline specs (``cosine:T_max=50``). Paths are relative to
    ``base``; with ``root`` (Sphinx's source folder), one starting with ``/`` is relative to ``root``."""
    import shlex

    def at(item: str) -> str:
        return os.path.normpath(os.path.join(root, item.lstrip("/")) if root is not None and item.startswith("/") else os.path.join(base, item))

    if path and body:
        raise ConfigError("", "give a config path or YAML in the body, not both")
    found = []
    if path:
        found.append(Source("file", at(path)))
    elif body and body.strip():
        found.append(Source("yaml", body, base))
    try:
        items = shlex.split(compare or "")
    except ValueError as exc:
        raise ConfigError("compare", f"{exc} (quote a spec holding spaces whole)") from None
    for item in items:
        is_file = item.endswith((".yaml", ".yml", ".py", ".json", ".toml")) or "/" in item or os.sep in item or os.path.isfile(at(item))
        found.append(Source("file", at(item)) if is_file else Source("spec", item))
    if not found:
        raise ConfigError("", "give a config path, YAML in the body, or schedules to compare")
    return tuple(found)


def load_source(source: Source):
    """The validated Spec of one source; errors name the file (a file) or stay as the config gives them."""
    from .config import from_mapping, load

    if source.kind == "file":
        from .files import shown

        try:
            return load(source.text)
        except ConfigError as exc:
            where = shown(source.text)
            raise ConfigError(where, exc.message if exc.path == where else str(exc)) from None
    if source.kind == "yaml":
        import yaml

        from .values import yaml_error_message, yaml_load

        try:
            data = yaml_load(source.text)
        except yaml.YAMLError as exc:
            raise ConfigError("", yaml_error_message(exc)) from None
        return from_mapping(data, base_dir=source.base or ".")
    if source.kind == "spec":
        from .inline import parse_inline

        try:
            kind, keys = parse_inline(source.text)
            return from_mapping({"scheduler": {"type": kind, **keys}})
        except ConfigError as exc:  # named by the spec: a figure may compare several
            raise ConfigError(f"compare spec {source.text!r}", str(exc)) from None
    raise ValueError(f"unknown source kind {source.kind!r}")


def render(request: Request) -> Figure:
    """Draw a request now (no cache): one schedule as ``plot`` draws it, several as ``compare``."""
    from .inline import check_count, check_total
    from .engine import simulate

    check_count(len(request.sources))
    specs = [load_source(s) for s in request.sources]
    check_total(specs)
    traces = [simulate(spec) for spec in specs]
    from .render import Look, compare_traces, figure_bytes, plot_trace

    look = Look(dpi=request.dpi)
    if len(traces) == 1:
        fig, title = plot_trace(traces[0], look), traces[0].name
    else:
        from .explain import summary

        labels = [spec.name if s.kind != "spec" else summary(spec) for s, spec in zip(request.sources, specs)]
        fig, title = compare_traces(traces, labels, look), ", ".join(labels)
    outputs = {}
    for fmt in request.formats:
        data = figure_bytes(fig, fmt, look)
        outputs[fmt] = Output(hashlib.sha256(data).hexdigest(), data, None, request)
    files = tuple(dict.fromkeys(os.path.abspath(f) for spec in specs for f in spec.files))
    own = {os.path.abspath(s.text) for s in request.sources if s.kind == "file"}  # in the key already
    return Figure(outputs, title, True, tuple(f for f in files if f not in own))

