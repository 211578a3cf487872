"""The generated parts of the documentation: the command reference, the check rules, the resume
methods and stepping mistakes, the gallery table, the frameworks' index, and the README's figures.

    python -m lrplot.docs          # rewrite them in docs/*.md (and gallery/readme-*.svg)

Each page holds its generated parts between ``<!-- generated:NAME -->`` markers. The tests
regenerate every part and fail when a committed page differs, so the docs can't drift from the
CLI's own help, the registry or the gallery.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPARE_FIGURE = "gallery/readme-compare.svg"
COMPARE_ARGS = ["step:step_size=30", "multistep:milestones=[30,80]", "cosine", "onecycle:max_lr=0.1", "--epochs", "100"]
# The what-if figures of docs/what-if.md: a config, and where it resumes (every method) or which mistakes.
WHATIF_FIGURES = {
    "gallery/readme-resume.svg": ("configs/warmup-cosine.yaml", {"resume_at": 50}),
    "gallery/readme-mistakes.svg": ("configs/onecycle-per-batch.yaml", {"what_if": "all"}),
}
WIDTH = 100  # the command reference, as a 100-column terminal shows it


def command_reference() -> str:
    """``lrplot --help``, then every option of every command (``lrplot help COMMAND``)."""
    import click

    from .cli import cli
    from .clihelp import full_help

    # the settings a real invocation gets (help_option_names), at a fixed width
    root = click.Context(cli, info_name="lrplot", **{**cli.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH})
    parts = ["```text", cli.get_help(root), "```"]
    for name in cli.list_commands(root):
        command = cli.get_command(root, name)
        ctx = click.Context(command, info_name=name, parent=root, terminal_width=WIDTH, max_content_width=WIDTH)
        parts += ["", f"#### `lrplot {name}`", "", "```text", full_help(command, ctx), "```"]
    return "\n".join(parts)


def gallery_table(root: Path = ROOT) -> str:
    from .config import load
    from .gallery import Entry, description, find_configs, markdown_index

    entries = [Entry(path.stem, load(path).name, description(path), path.name) for path in find_configs(root / "configs")]
    lines = markdown_index(entries, "../configs", image_prefix="../gallery/").splitlines()
    return "\n".join(lines[lines.index("| figure | recipe |") :])


def frameworks_index() -> str:
    """One row per framework of the registry, linking its page (``docs/frameworks/<name>.md``)."""
    from .registry import FAMILIES

    lines = ["| framework | what lrplot computes | schedulers |", "| --- | --- | --- |"]
    for family in FAMILIES:
        lines.append(f"| [`{family.name}`]({family.name}.md) | {family.title} | {len(family.schedulers)} |")
    return "\n".join(lines)


def check_rules() -> str:
    from .check import rules_table

    return rules_table(markdown=True)


def resume_methods() -> str:
    from .whatif import RESUME_METHODS

    lines = ["| method | | the resuming script runs |", "| --- | --- | --- |"]
    for m in RESUME_METHODS:
        lines.append(f"| `{m.name}` | {m.label} | `{'`<br>`'.join(m.code.splitlines())}` |")
    return "\n".join(lines)


def stepping_mistakes() -> str:
    from .whatif import MISTAKES

    lines = ["| mistake | what the loop does |", "| --- | --- |"]
    lines += [f"| `{m.name}` | {m.description} |" for m in MISTAKES]
    return "\n".join(lines)


# page -> the generated parts it holds
PAGES = {
    "docs/commands.md": {"commands": command_reference},
    "docs/check.md": {"check-rules": check_rules},
    "docs/what-if.md": {"resume-methods": resume_methods, "stepping-mistakes": stepping_mistakes},
    "docs/gallery.md": {"gallery": gallery_table},
    "docs/frameworks/README.md": {"frameworks": frameworks_index},
}


def render(page: str, text: str) -> str:
    """A page's text with every generated part brought up to date."""
    for name, make in PAGES[page].items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- /generated:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"{page} has no <!-- generated:{name} --> section")
        text = pattern.sub(lambda m: m.group(1) + make() + "\n" + m.group(2), text)
    return text


def compare_figure() -> bytes:
    """The README's compare figure: what `lrplot compare` with COMPARE_ARGS draws."""
    from .cli import build_spec
    from .inline import parse_inline
    from .engine import simulate
    from .explain import summary
    from .render import compare_traces, figure_bytes

    specs, flags = COMPARE_ARGS[:-2], {"epochs": int(COMPARE_ARGS[-1])}
    traces = [simulate(build_spec(kind, flags, keys)) for text in specs for kind, keys in [parse_inline(text)]]
    # labelled as `lrplot compare` labels unnamed inline specs: by what they are
    return figure_bytes(compare_traces(traces, [summary(t.spec) for t in traces]), "svg")


# The same intended schedule written for several frameworks (their docs pages show where they differ):
# the figure, the configs as `lrplot compare` takes them, and the zoom (--xlim) if any.
FRAMEWORK_COMPARES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "docs/frameworks/detection-compare.svg": (
        ("configs/compare-detection-torch.yaml", "configs/compare-detection-mmengine.yaml", "configs/compare-detection-detectron2.yaml"), None),
    "docs/frameworks/detection-compare-decay.svg": (
        ("configs/compare-detection-torch.yaml", "configs/compare-detection-mmengine.yaml", "configs/compare-detection-detectron2.yaml"),
        "58000:60000"),
    "docs/frameworks/warmup5-cosine1-compare.svg": (
        tuple(f"configs/warmup5-cosine1-{name}.yaml" for name in ("torch", "transformers", "timm", "keras", "optax")), None),
    "docs/frameworks/llm-stacks-compare.svg": (
        tuple(f"configs/compare-llm-{name}.yaml" for name in ("transformers", "deepspeed", "megatron", "torchtitan")), None),
}


def framework_compare(name: str) -> bytes:
    """A cross-framework figure: what `lrplot compare CONFIG... [--xlim A:B] -o NAME` draws."""
    from .chart import View, parse_xlim
    from .config import load
    from .engine import simulate
    from .render import compare_traces, figure_bytes

    configs, xlim = FRAMEWORK_COMPARES[name]
    traces = [simulate(load(ROOT / config)) for config in configs]
    return figure_bytes(compare_traces(traces, [t.name for t in traces], view=View(xlim=parse_xlim(xlim))), "svg")


def whatif_figure(name: str) -> bytes:
    """A what-if figure: what `lrplot plot CONFIG --resume-at E` (or `--what-if all`) draws."""
    from . import whatif
    from .engine import whatif as curves
    from .engine import simulate
    from .render import figure_bytes, plot_trace

    config, request = WHATIF_FIGURES[name]
    trace = simulate(ROOT / config)
    if "resume_at" in request:
        outcomes = curves.resumes(trace, request["resume_at"])
    else:
        outcomes = curves.mistakes(trace, [m for m in whatif.MISTAKE_NAMES if curves.mistake_applies(trace.spec, m) is None])
    return figure_bytes(plot_trace(trace, overlays=outcomes), "svg")


def main() -> int:
    for page in PAGES:
        path = ROOT / page
        path.write_text(render(page, path.read_text(encoding="utf-8")), encoding="utf-8")
    (ROOT / COMPARE_FIGURE).write_bytes(compare_figure())
    for name in WHATIF_FIGURES:
        (ROOT / name).write_bytes(whatif_figure(name))
    for name in FRAMEWORK_COMPARES:
        (ROOT / name).write_bytes(framework_compare(name))
    print(f"updated {', '.join(PAGES)}, {COMPARE_FIGURE}, {', '.join(WHATIF_FIGURES)} and {', '.join(FRAMEWORK_COMPARES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
