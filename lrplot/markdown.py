"""Schedule figures in Markdown: a custom fence of ``pymdownx.superfences`` (MkDocs, Zensical,
ProperDocs, or Python-Markdown alone). In ``mkdocs.yml`` (Zensical reads the same keys):

.. code-block:: yaml

    markdown_extensions:
      - pymdownx.superfences:
          custom_fences:
            - name: lrplot
              class: lrplot
              format: !!python/name:lrplot.markdown.fence
              validator: !!python/name:lrplot.markdown.validate   # for the options below

then, in a page, a fence holding a config's path (relative to the folder of ``mkdocs.yml``, wherever
the build runs from; with Python-Markdown alone, to the current folder) or the YAML itself::

    ```lrplot caption="Warmup, then cosine"
    schedules/warmup-cosine.yaml
    ```

Options: ``alt``, ``caption``, ``width`` (a CSS length), ``format`` (``svg``, the default, or
``png``), ``compare`` (more schedules in the same figure: config paths or inline specs like
``cosine:T_max=50``) and ``inline`` (``true``, the default: the figure is inside the page, an SVG
as markup and a PNG as a data URL; ``false``: written beside the page's HTML and linked, which
needs MkDocs or ProperDocs, the tools that say where the page goes). Figures come from lrplot's
cache (``lrplot.cache``), so an unchanged one is never drawn twice. A config lrplot refuses stops
the build with its message, the page and the fence's line (under MkDocs, its clean abort: exit 1, no
traceback). It needs pymdown-extensions: ``pip install pymdown-extensions`` (or, from lrplot's
checkout, ``pip install '.[markdown]'``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
from typing import Any

from pymdownx.superfences import SuperFencesException

from .cache import Request, css_width, draw, sources
from .errors import LrplotError

OPTIONS = ("alt", "caption", "width", "format", "compare", "inline")
_SUFFIXES = (".yaml", ".yml", ".py", ".json", ".toml")


def validate(language: str, inputs: dict[str, str], options: dict[str, str], attrs: dict[str, str], md: Any) -> bool:
    """superfences' validator: the fence's options, each checked (an unknown one stops the build)."""
    from .values import suggest

    for name, value in inputs.items():
        if name not in OPTIONS:
            raise SuperFencesException(f"lrplot fence: unknown option {name!r}{suggest(name, list(OPTIONS))}; the options are {', '.join(OPTIONS)}")
        if name == "format" and value not in ("svg", "png"):
            raise SuperFencesException(f"lrplot fence: format must be svg or png, got {value!r}")
        if name == "inline" and value not in ("true", "false"):
            raise SuperFencesException(f"lrplot fence: inline must be true or false, got {value!r}")
        options[name] = value
    return True


def fence(source: str, language: str, class_name: str, options: dict[str, str], md: Any, **kwargs: Any) -> str:
    """superfences' formatter: the figure the fence's config (a path, or YAML) draws, as HTML."""
    body = source.strip()
    is_path = "\n" not in body and body.endswith(_SUFFIXES)
    fmt = options.get("format", "svg")
    try:
        wanted = sources(body if is_path else None, None if is_path else source, options.get("compare"), base_dir(md))
        request = Request(wanted, (fmt,))
        figure = draw(request)
    except LrplotError as exc:
        said = body if is_path else (body.splitlines() or [""])[0] + (" ..." if "\n" in body else "")
        raise fence_error(f"{_where(md, source)}lrplot fence ({said}): {exc}") from None
    data = figure.outputs[fmt].read()
    digest = hashlib.sha256(data).hexdigest()
    alt = options.get("alt", figure.title)
    if "width" in options:
        width = f' style="width: {html.escape(options["width"])}"'
    else:
        width = f' width="{css_width(data, request.dpi)}"' if fmt == "png" else ""
    if options.get("inline", "true") == "false":
        src = html.escape(_beside_page(md, figure.title, digest, fmt, data))
        shown = f'<img src="{src}" alt="{html.escape(alt)}"{width}>'
    elif fmt == "png":
        shown = f'<img src="data:image/png;base64,{base64.b64encode(data).decode()}" alt="{html.escape(alt)}"{width}>'
    else:
        shown = inline_svg(data.decode("utf-8"), f"lrplot-{digest[:10]}-", alt, options.get("width"))
    caption = f"<figcaption>{html.escape(options['caption'])}</figcaption>" if options.get("caption") else ""
    classes = " ".join(c for c in (class_name, *kwargs.get("classes", ())) if c) or "lrplot"
    return f'<figure class="{html.escape(classes)}">{shown}{caption}</figure>'


def _mkdocs(md: Any) -> tuple[Any, Any]:
    """(the page's MkDocs File, the MkDocs config) while MkDocs (or ProperDocs) renders a page, else Nones."""
    processor = md.treeprocessors["relpath"] if "relpath" in md.treeprocessors else None
    return getattr(processor, "file", None), getattr(processor, "config", None)


def base_dir(md: Any) -> str:
    """The folder a fence's paths are relative to: mkdocs.yml's, wherever the build runs from (MkDocs
    tells its extensions the config file's path); else the folder the docs are built from."""
    _, config = _mkdocs(md)
    path = config.get("config_file_path") if config is not None and hasattr(config, "get") else None
    return os.path.dirname(os.path.abspath(path)) if isinstance(path, str) and path else os.getcwd()


def _where(md: Any, source: str) -> str:
    """``docs/index.md:3: `` (the page, and the line of the fence's opening) where it can be told."""
    page, config = _mkdocs(md)
    lines = getattr(md, "lines", None) or []
    body = source.strip("\n").splitlines()
    line = None
    for i, text in enumerate(lines):
        if text.lstrip().startswith(("```", "~~~")) and "lrplot" in text and [t.strip() for t in lines[i + 1 : i + 1 + len(body)]] == [b.strip() for b in body]:
            line = i + 1
            break
    name = getattr(page, "src_uri", None)
    if name is not None and config is not None and hasattr(config, "get") and config.get("docs_dir"):
        name = os.path.relpath(os.path.join(config["docs_dir"], name), base_dir(md))
    if name is None:
        return f"line {line}: " if line else ""
    return f"{name}:{line}: " if line else f"{name}: "


def fence_error(message: str) -> Exception:
    """The error that stops the build: under MkDocs a ``PluginError`` too, so MkDocs prints the message
    and aborts (exit 1) instead of printing a traceback; superfences passes it on either way."""
    try:
        from mkdocs.exceptions import PluginError
    except ImportError:
        return SuperFencesException(message)

    class FenceError(SuperFencesException, PluginError):
        pass

    return FenceError(message)


def inline_svg(svg: str, prefix: str, alt: str, width: str | None) -> str:
    """matplotlib's SVG as markup inside a page: no XML prologue, its ids made unique to this figure
    (two figures' ``clip-path`` ids would otherwise collide), a title for screen readers, and a size
    that follows the page (``width``, else at most the column)."""
    svg = svg[svg.index("<svg") :]
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'(href="#|url\(#)([^")]+)', lambda m: m.group(1) + (prefix if m.group(2) in ids else "") + m.group(2), svg)
    style = f"width: {html.escape(width)}; height: auto" if width else "max-width: 100%; height: auto"
    head = svg.index(">")
    return f'{svg[:head]} role="img" style="{style}">' + f"<title>{html.escape(alt)}</title>" + svg[head + 1 :]


def _beside_page(md: Any, title: str, digest: str, fmt: str, data: bytes) -> str:
    """Write the figure into the folder of the page's HTML; its URL from the page."""
    page = getattr(md.treeprocessors["relpath"], "file", None) if "relpath" in md.treeprocessors else None
    dest = getattr(page, "abs_dest_path", None)
    if not dest:
        raise fence_error("lrplot fence: inline=false writes the figure beside the page's HTML, which only MkDocs "
                                   "and ProperDocs say; leave inline at true (the figure goes inside the page)")
    from .output import write_atomic

    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", title).strip("-.")[:40] or "lrplot"
    name = f"{slug}-{digest[:16]}.{fmt}"
    folder = os.path.dirname(dest)
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, name)
    if not os.path.isfile(target):
        write_atomic(target, data)
    return name
