"""Schedule figures inside a Sphinx build: ``extensions = ["lrplot.sphinx"]`` in ``conf.py``, then

.. code-block:: rst

    .. lrplot:: schedules/warmup-cosine.yaml
       :caption: Five epochs of linear warmup, then cosine.

    .. lrplot::
       :alt: StepLR halving the lr every 10 epochs
       :format: png

       scheduler: {type: step, step_size: 10, gamma: 0.5}
       run: {epochs: 50}

    .. lrplot:: schedules/warmup-cosine.yaml
       :compare: schedules/step.yaml cosine:T_max=100

The argument is a config file (lrplot's YAML or a framework's own file), relative to the document
or, starting with ``/``, to the source folder, as for ``.. image::``; the body may hold the YAML
instead. ``:compare:`` adds schedules drawn in the same figure, as ``lrplot compare`` draws them.
The figure options are the usual ones: ``:alt:``, ``:caption:``, ``:width:``, ``:align:``, and
``:format: svg|png`` (default: SVG where the builder shows it; a builder that cannot, LaTeX, always gets PNG).

The directive draws its figure itself, through lrplot's cache (``lrplot.cache``: keyed by the
config's bytes and every file it reads, lrplot's code and matplotlib's version), so a rebuild or a
second checkout redraws nothing unchanged; it never imports torch. Each config and file it reads is
a dependency of its document, so editing one rebuilds that page. A config lrplot refuses is an
error at the directive's file and line, and fails the build (exit status 1) until it is fixed.
Sphinx itself is only needed here: ``pip install sphinx`` (or, from lrplot's checkout, ``pip install '.[sphinx]'``).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import __version__
from .cache import Request, css_width, draw, sources
from .errors import LrplotError

logger = logging.getLogger(__name__)
FOLDER = "lrplot"  # under the build's doctree folder: the figures Sphinx then copies into _images/
_BUILDER = {"svg": True}  # whether the running builder shows SVG (set when it starts; parallel readers inherit it)


def _choice(*values: str):
    return lambda argument: directives.choice(argument, values)


class LrplotDirective(SphinxDirective):
    """``.. lrplot:: [CONFIG]``, with YAML in its body when there is no CONFIG."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {
        "alt": directives.unchanged,
        "caption": directives.unchanged,
        "width": directives.length_or_percentage_or_unitless,
        "align": _choice("left", "center", "right"),
        "format": _choice("svg", "png"),
        "compare": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        env = self.env
        doc_dir = Path(env.doc2path(env.docname)).parent
        # a builder that cannot show SVG (LaTeX: pdflatex includes no .svg) gets the PNG, even where svg is asked for
        fmt = "png" if not _BUILDER["svg"] else self.options.get("format") or "svg"
        try:
            wanted = sources(self.arguments[0] if self.arguments else None, "\n".join(self.content), self.options.get("compare"),
                             str(doc_dir), root=str(env.srcdir))
            for source in wanted:
                if source.kind == "file":
                    env.note_dependency(os.path.abspath(source.text))
            request = Request(wanted, (fmt,))
            figure = draw(request)
        except LrplotError as exc:
            return self._failed(str(exc), self._body_line(exc))
        for path in figure.files:
            env.note_dependency(path)
        if figure.drawn:
            logger.verbose("lrplot: drew %s", figure.title, location=self.get_location())
        data = figure.outputs[fmt].read()
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", figure.title).strip("-.")[:40] or "lrplot"
        # Named by content: identical figures share one file; a changed one never overwrites another's.
        target = Path(env.doctreedir) / FOLDER / f"{slug}-{hashlib.sha256(data).hexdigest()[:16]}.{fmt}"
        if not target.is_file():
            from .output import write_atomic

            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(str(target), data)  # parallel readers write the same bytes, each by a rename
        image = nodes.image(uri=os.path.relpath(target, doc_dir).replace(os.sep, "/"), alt=self.options.get("alt", figure.title))
        if "width" in self.options:
            image["width"] = self.options["width"]
        elif fmt == "png":
            image["width"] = f"{css_width(data, request.dpi)}px"
        node = nodes.figure("", image, classes=["lrplot"])
        if "align" in self.options:
            node["align"] = self.options["align"]
        messages: list[nodes.Node] = []
        if self.options.get("caption"):
            text, messages = self.state.inline_text(self.options["caption"], self.lineno)
            node += nodes.caption(self.options["caption"], "", *text)
        self.set_source_info(node)
        return [node, *messages]

    def _body_line(self, exc: LrplotError) -> int | None:
        """The line of the page that holds the field an error in the body's YAML names, or None."""
        if self.arguments or not self.content or not getattr(exc, "path", ""):
            return None
        at = _yaml_line("\n".join(self.content), exc.path)
        return None if at is None else self.content_offset + 1 + at

    def _failed(self, message: str, line: int | None = None) -> list[nodes.Node]:
        location = (self.env.docname, line) if line is not None else self.get_location()
        logger.error("lrplot: %s", message, location=location)
        _errors(self.env).setdefault(self.env.docname, []).append(message)
        self.env.note_reread()  # read again next build, so the error is reported until it is fixed
        return []


def _yaml_line(text: str, field: str) -> int | None:
    """The line (from 0) of ``field`` (``scheduler.schedulers[1].gamma``, as errors name fields) in YAML
    ``text``: its key's line, or the deepest part of it the text has."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", field):
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
            if found is None:
                break
            line, node = found[0].start_mark.line, found[1]
        elif isinstance(node, yaml.SequenceNode) and part.startswith("[") and int(part[1:-1]) < len(node.value):
            node = node.value[int(part[1:-1])]
            line = node.start_mark.line
        else:
            break
    return line


def _errors(env: Any) -> dict[str, list[str]]:
    """The lrplot errors of each document read, kept in the environment (parallel reads merge it)."""
    if not hasattr(env, "lrplot_errors"):
        env.lrplot_errors = {}
    return env.lrplot_errors


def _purge(app: Any, env: Any, docname: str) -> None:
    _errors(env).pop(docname, None)


def _merge(app: Any, env: Any, docnames: set[str], other: Any) -> None:
    _errors(env).update({d: e for d, e in _errors(other).items() if d in docnames})


def _finished(app: Any, exception: Exception | None) -> None:
    count = sum(len(e) for e in _errors(app.env).values())
    if exception is None and count:
        logger.error("lrplot: %d figure%s could not be drawn; the build fails", count, "" if count == 1 else "s")
        app.statuscode = 1


def _builder_started(app: Any) -> None:
    _BUILDER["svg"] = "image/svg+xml" in app.builder.supported_image_types


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("lrplot", LrplotDirective)
    app.connect("builder-inited", _builder_started)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("build-finished", _finished)
    return {"version": __version__, "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
