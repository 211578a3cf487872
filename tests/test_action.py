"""The composite action's shell steps, run here as GitHub runs them: `bash --noprofile --norc -eo
pipefail` on the step's script, with the env: its step sets (inputs substituted as GitHub would) and
the runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from examples import CONFIGS

ACTION = yaml.safe_load((CONFIGS.parent / "action.yml").read_text())
STEPS = {step.get("name"): step for step in ACTION["runs"]["steps"]}


def run_step(name: str, inputs: dict[str, str], cwd: Path, runner: Path) -> tuple[subprocess.CompletedProcess, str, str]:
    """Run step ``name`` with ``inputs``; (the process, what it wrote to GITHUB_OUTPUT, to the summary)."""
    step = STEPS[name]
    values = {f"inputs.{k}": v for k, v in {**{k: d.get("default", "") for k, d in ACTION["inputs"].items()}, **inputs}.items()}
    values["runner.temp"] = str(runner)

    def expand(text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], text)

    output, summary = runner / "output.txt", runner / "summary.md"
    output.write_text("")
    summary.write_text("")
    script = runner / "step.sh"
    script.write_text(step["run"])
    env = {
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"], "HOME": os.environ.get("HOME", str(runner)),
        "RUNNER_TEMP": str(runner), "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTION_PATH": str(CONFIGS.parent),
        **{k: expand(str(v)) for k, v in step.get("env", {}).items()},
    }
    process = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env, capture_output=True, text=True)
    return process, output.read_text(), summary.read_text()


def test_no_input_is_inlined_into_a_script():
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), f"{step.get('name')}: an input inside the script; pass it through env:"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "configs").mkdir()
    for name in ("warmup-cosine.yaml", "step-every-10-halve.yaml"):
        shutil.copy(CONFIGS / name, tmp_path / "configs" / name)
    runner = tmp_path / "runner"
    runner.mkdir()
    return tmp_path, runner


def test_gallery_mode_passes_on_a_current_gallery_and_annotates_each_stale_figure(project):
    root, runner = project
    inputs = {"mode": "gallery", "configs": "configs", "gallery": "docs/figures"}
    (root / "docs").mkdir()
    subprocess.run([sys.executable, "-m", "lrplot", "gallery", "configs", "-o", "docs/figures"], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "LRPLOT_CACHE_DIR": str(runner / "lrplot-cache")})
    done, output, summary = run_step("lrplot gallery --check", inputs, root, runner)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "docs/figures: 2 figures up to date" in done.stdout and output == summary == ""

    config = root / "configs" / "warmup-cosine.yaml"
    config.write_text(config.read_text().replace("T_max: 95", "T_max: 50"))
    done, output, summary = run_step("lrplot gallery --check", inputs, root, runner)
    assert done.returncode == 1
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert annotations == [
        f"::error file=docs/figures/warmup-cosine.{ext},title=Stale schedule figure::docs/figures/warmup-cosine.{ext} differs from what "
        "configs draws now; the new file and warmup-cosine.diff.png are in the artifact lrplot-stale-figures"
        for ext in ("svg", "png")
    ]
    assert output == "stale=docs/figures/stale\n"
    assert "| `warmup-cosine.svg` | differs | `warmup-cosine.diff.png` |" in summary
    assert sorted(p.name for p in (root / "docs" / "figures" / "stale").iterdir()) == [
        ".gitignore", "warmup-cosine.diff.png", "warmup-cosine.png", "warmup-cosine.svg",
    ]


def test_gallery_mode_inputs_stay_data(project):
    """An input that looks like shell is a (missing) folder name, never a command."""
    root, runner = project
    done, output, _ = run_step("lrplot gallery --check", {"mode": "gallery", "configs": "configs$(touch pwned)", "gallery": "x`touch pwned2`"}, root, runner)
    assert done.returncode == 2 and not (root / "pwned").exists() and not (root / "pwned2").exists()
    assert done.stdout.splitlines()[-1] == "::error title=lrplot gallery::Error: configs$(touch pwned): is not a folder of YAML configs"
    assert output == ""


def test_check_mode_splits_paths_and_args(project):
    root, runner = project
    (root / "configs" / "late.yaml").write_text("scheduler: {type: multistep, milestones: [3, 10]}\nrun: {epochs: 5}\n")
    inputs = {"paths": "configs/warmup-cosine.yaml  configs/late.yaml", "args": "--strict"}
    done, _, _ = run_step("lrplot check", inputs, root, runner)
    assert done.returncode == 1 and done.stdout.startswith("configs/late.yaml: PT204 ")
    done, _, _ = run_step("lrplot check", {**inputs, "args": "--strict --ignore PT204"}, root, runner)
    assert done.returncode == 0, done.stdout + done.stderr
    done, _, _ = run_step("lrplot check", {"paths": "configs/*.yaml"}, root, runner)
    assert done.returncode == 2 and "configs/*.yaml: no such file" in done.stdout  # no pattern expansion: the input is what it says


def test_an_unknown_mode_fails(project):
    root, runner = project
    done, _, _ = run_step("Mode", {"mode": "galery\n::warning::x"}, root, runner)
    assert done.returncode == 2 and done.stdout == "::error title=lrplot::mode is check or gallery, not 'galery ::warning::x'\n"
