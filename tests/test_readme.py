"""The README's and docs' promises: the README opens with its two set-up commands, finds its way in
a screen, and every example of the README and of docs/ works as written."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```bash\n(.*?)```", README, re.S)
PAGES = {"README.md": README, **{str(p.relative_to(ROOT)): p.read_text() for p in sorted((ROOT / "docs").rglob("*.md"))}}


def test_readme_opens_with_the_two_commands():
    first_lines = README.split("\n## ")[0]
    assert BLOCKS[0].strip() in first_lines and BLOCKS[1].strip() in first_lines
    assert BLOCKS[0].strip().endswith("lrplot plot step --step-size 10 --gamma 0.5")


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert BLOCKS[1].strip() in ci.splitlines()


def _lrplot_commands(block: str) -> list[list[str]]:
    commands = []
    for line in block.splitlines():
        line = line.split("  #")[0].strip()
        if line.startswith("lrplot "):
            commands.append(shlex.split(line)[1:])
    return commands


def test_first_figure_command(tmp_path):
    (args,) = [c for c in _lrplot_commands(BLOCKS[0].split("&&")[-1])]
    proc = subprocess.run([sys.executable, "-m", "lrplot", *args], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "StepLR.png").exists()


EXAMPLES = [
    args
    for page, text in PAGES.items()
    for block in re.findall(r"```bash\n(.*?)```", text, re.S)[(2 if page == "README.md" else 0) :]
    for args in _lrplot_commands(block)
    if args[0] != "gallery"
]


@pytest.mark.parametrize("args", EXAMPLES, ids=" ".join)
def test_usage_examples_run(tmp_path, args):
    # the files the examples name, as a user would have them
    (tmp_path / "schedule.yaml").write_text((ROOT / "configs" / "warmup-cosine.yaml").read_text())
    (tmp_path / "logs.csv").write_text((ROOT / "tests" / "golden" / "logs" / "keras.csv").read_text())
    # a user's own training scripts, for the examples that read them (docs/frameworks/code.md)
    shutil.copytree(ROOT / "tests" / "fixtures" / "code" / "nanogpt", tmp_path, dirs_exist_ok=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "code" / "imagenet" / "main.py", tmp_path / "main.py")
    args = [str(ROOT / a) if a.startswith(("configs/", "tests/")) else a for a in args]
    proc = subprocess.run([sys.executable, "-m", "lrplot", *args], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def _is_config(block: str) -> bool:
    """A YAML block that is (a fragment of) an lrplot config, not a CI workflow or a docs tool's settings."""
    from lrplot.sources import OWN_KEYS
    from lrplot.config import SECTIONS
    from lrplot.values import yaml_load

    if "!!python/" in block:  # a docs tool's settings (mkdocs.yml names lrplot's fence), never lrplot's
        return False
    data = yaml_load(block)
    return isinstance(data, dict) and bool(set(data) & (set(OWN_KEYS) | set(SECTIONS)))


# the config examples of the README and docs (their other YAML, CI steps and docs tools' settings, are not)
YAML_BLOCKS = [b for text in PAGES.values() for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if _is_config(b)]


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=lambda b: b.splitlines()[0][:40])
def test_yaml_examples_are_valid_configs(block, tmp_path):
    from lrplot.config import from_mapping
    from lrplot.values import yaml_load

    from lrplot.config import SECTIONS

    data = yaml_load(block)
    if "scheduler" not in data and not set(SECTIONS) & set(data):  # a fragment of a config
        data["scheduler"] = "cosine"
    # the user's own script an example names sits beside the config
    shutil.copy(ROOT / "tests" / "fixtures" / "code" / "imagenet" / "main.py", tmp_path / "main.py")
    from_mapping(data, base_dir=tmp_path)


def test_nanogpt_example_is_the_recipe():
    from lrplot.values import yaml_load

    recipe = yaml_load((ROOT / "configs" / "nanogpt-cosine.yaml").read_text())
    (example,) = [yaml_load(b) for b in YAML_BLOCKS if "nanoGPT" not in b and "warmup_iters" in b]
    assert {k: recipe[k] for k in example} == example


def test_readme_is_a_first_screen_that_points_to_the_rest():
    assert len(README.encode()) < 8_000  # it was 88 KB, half of it generated reference
    links = set(re.findall(r"\]\((docs/[^)#]+)\)", README))
    assert {"docs/config.md", "docs/figures.md", "docs/commands.md", "docs/frameworks/README.md"} <= links
    for link in links:
        assert (ROOT / link).is_file(), link
    assert README.count("<img ") == 1


def _prose(text: str) -> str:
    """A Markdown page without its fenced code blocks (a fence opens and closes on lines of its own)."""
    kept, fence = [], None
    for line in text.splitlines():
        m = re.match(r"\s*(`{3,}|~{3,})", line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and m and m.group(1).startswith(fence) and not line.strip()[len(m.group(1)):].strip():
            fence = None
        elif fence is None:
            kept.append(line)
    return "\n".join(kept)


def test_docs_links_lead_to_files():
    for page, text in PAGES.items():
        folder = (ROOT / page).parent
        text = _prose(text)  # what a code block shows is an example's output, not a link
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text) + re.findall(r'src="([^"]+)"', text):
            if not target.startswith(("http", "mailto")):
                assert (folder / target).exists(), f"{page}: {target}"


def test_development_installs_the_reference_in_pyprojects_order():
    (line,) = [line for line in (ROOT / "pyproject.toml").read_text().splitlines() if line.startswith("reference = [")]
    pins = re.findall(r'"([^"]+)"', line)
    text = PAGES["docs/development.md"]
    installs = [line for line in re.findall(r"```bash\n(.*?)```", text, re.S)[1].splitlines() if line.startswith("pip install")]
    assert installs[0] == f"pip install {next(p for p in pins if p.startswith('torch=='))}"  # torch first
    assert installs[-1].startswith("pip install --no-deps timm==")  # timm last, alone
    named = {word for line in installs for word in line.split() if "==" in word}
    assert named == set(pins), "docs/development.md installs what pyproject's reference extra pins"
