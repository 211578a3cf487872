"""The command line, through click's CliRunner and once as a real process."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import lrplot
from lrplot.cli import cli
from lrplot.registry import SCHEDULERS

from examples import CONFIGS, example_config


def run(*args, **kwargs):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)


def test_plot_step_example_from_the_readme(tmp_path):
    out = tmp_path / "step.png"
    result = run("plot", "step", "--step-size", "10", "--gamma", "0.5", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.output.strip() == str(out)


def test_plot_without_output_writes_name_png_in_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("plot", "cosine", "--epochs", "20")
    assert result.exit_code == 0 and result.output.strip() == "CosineAnnealingLR.png"
    assert (tmp_path / "CosineAnnealingLR.png").stat().st_size > 1000


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_figure_formats_by_extension(tmp_path, fmt):
    out = tmp_path / f"f.{fmt}"
    assert run("plot", "onecycle", "--max-lr", "0.1", "--epochs", "3", "--steps-per-epoch", "10", "-o", str(out)).exit_code == 0
    head = out.read_bytes()[:5]
    assert head == {"png": b"\x89PNG\r", "svg": b"<?xml", "pdf": b"%PDF-"}[fmt]


def test_export_json_matches_simulate():
    result = run("export", "cosine", "--T-max", "100", "--epochs", "100", "--format", "json")
    doc = json.loads(result.output)
    trace = lrplot.simulate({"scheduler": {"type": "cosine", "T_max": 100}, "run": {"epochs": 100}})
    assert doc["lr"] == trace.lr.tolist()  # repr round-trips: bit-identical
    assert doc["step"] == list(range(100)) and doc["groups"] == ["group0"]
    assert doc["unit"] == "epoch" and doc["steps_per_epoch"] == 1
    assert doc["momentum"] is None and doc["metric"] is None


def test_export_csv_columns_for_two_groups_with_momentum():
    result = run("export", "onecycle", "--max-lr", "0.1,0.2", "--lr", "0.1,0.2", "--epochs", "2", "--steps-per-epoch", "5", "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["step", "epoch", "lr_group0", "lr_group1", "momentum_group0", "momentum_group1"]
    assert len(rows) == 11
    trace = lrplot.simulate({"optimizer": {"lr": [0.1, 0.2]}, "scheduler": {"type": "onecycle", "max_lr": [0.1, 0.2]}, "run": {"epochs": 2, "steps_per_epoch": 5}})
    assert [float(r[3]) for r in rows[1:]] == trace.lr[1].tolist()


def test_export_to_file_and_config_with_overrides(tmp_path):
    config = tmp_path / "warm.yaml"
    config.write_text("scheduler: {type: step, step_size: 5}\nrun: {epochs: 10}\n")
    out = tmp_path / "warm.json"
    assert run("export", str(config), "--gamma", "0.5", "--epochs", "12", "-o", str(out)).exit_code == 0
    doc = json.loads(out.read_text())
    assert doc["name"] == "warm" and len(doc["lr"][0]) == 12 and doc["lr"][0][5] == 0.05


def test_exact_flag_is_bit_identical_to_exact_simulate():
    result = run("export", "warm_restarts", "--T-0", "3", "--T-mult", "2", "--epochs", "20", "--steps-per-epoch", "7", "--step", "fractional", "--exact")
    spec = {"scheduler": {"type": "warm_restarts", "T_0": 3, "T_mult": 2}, "run": {"epochs": 20, "steps_per_epoch": 7, "step": "fractional"}}
    assert json.loads(result.output)["lr"] == lrplot.simulate(spec, exact=True).lr.tolist()


def test_list_shows_every_scheduler_alias_and_option():
    # torch's classes in `lrplot list`; another framework's in `lrplot list FRAMEWORK`
    outputs = {"torch": run("list").output}
    for info in SCHEDULERS:
        if info.family not in outputs:
            outputs[info.family] = run("list", info.family).output
        output = outputs[info.family]
        assert info.name in output
        for alias in info.aliases:
            assert alias in output
        for p in info.params:
            assert p.name in output


@pytest.mark.parametrize("info", SCHEDULERS, ids=lambda i: i.name)
def test_every_scheduler_keyword_is_a_flag_listed_by_list_name(info):
    listed = run("list", info.name).output
    for p in info.params:
        if not p.nested:
            assert "--" + p.name.replace("_", "-") in listed
    # --help stays short: it points to `lrplot list NAME` instead of listing every keyword
    help_text = run("plot", "--help").output
    assert "lrplot list" in help_text and "--step-size" not in help_text.replace("--step-size 10", "")


def test_list_a_family_and_unknown_names():
    assert "StepLR" in run("list", "torch").output
    # a framework's own config section is listed with its family
    assert "per_device_train_batch_size" in run("list", "transformers").output
    assert "warmup_epochs" in run("list", "timm").output and "transformers:" not in run("list", "timm").output
    bad = run("list", "cosin")
    assert bad.exit_code == 2 and "did you mean" in bad.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["plot", "step", "--step-size", "0"], "--step-size: must be > 0, got 0"),
        (["plot", "stepp"], "did you mean 'step'"),
        (["plot", "step", "--step-size", "3", "--T-max", "4"], "--T-max: StepLR has no option 'T_max'"),
        (["plot", "step"], "scheduler.step_size: missing"),
        (["plot", "constant", "--factor", "2"], "torch raises ValueError"),
        (["export", "onecycle", "--max-lr", "0.1", "--total-steps", "5", "--epochs", "2", "--steps-per-epoch", "5"], "Tried to step"),
        (["plot", "step", "--step-size", "2", "-o", "x.txt"], "end it with .png, .svg, .pdf or .html"),
        (["plot", "missing.yaml"], "no such file"),
        (["plot", "lambda", "--lr-lambda", "__import__('os')"], "--lr-lambda"),
        (["plot", "step", "--step-size", "two"], "is not an integer"),
    ],
)
def test_errors_exit_2_with_one_clear_line(tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_failed_run_leaves_existing_output_untouched(tmp_path):
    out = tmp_path / "keep.png"
    out.write_bytes(b"precious")
    result = CliRunner().invoke(cli, ["plot", "step", "--step-size", "-1", "-o", str(out)])
    assert result.exit_code == 2
    assert out.read_bytes() == b"precious"
    data = tmp_path / "keep.json"
    data.write_text("old")
    result = CliRunner().invoke(cli, ["export", "onecycle", "--max-lr", "1", "--total-steps", "3", "-o", str(data)])
    assert result.exit_code == 2 and data.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json", "keep.png"]


def _modules_after(*args: str) -> set[str]:
    code = "import sys; from lrplot.cli import main; sys.argv = ['lrplot', *sys.argv[1:]]\ntry:\n    main()\nexcept SystemExit:\n    pass\nprint('\\n'.join(sys.modules), file=sys.stderr)"
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return set(proc.stderr.split())


def test_commands_that_draw_nothing_never_import_matplotlib():
    assert "matplotlib" not in _modules_after("export", "step", "--step-size", "3", "--epochs", "5")
    assert "matplotlib" not in _modules_after("list")
    assert "matplotlib" not in _modules_after("explain", "step", "--step-size", "3")
    assert "matplotlib" not in _modules_after("code", "plateau", "--metric", "synthetic")


def test_help_imports_neither_numpy_nor_matplotlib():
    modules = _modules_after("--help")
    assert "numpy" not in modules and "matplotlib" not in modules


def test_real_process_plot_and_export(tmp_path):
    out = tmp_path / "first.png"
    proc = subprocess.run(
        [sys.executable, "-m", "lrplot", "plot", "step", "--step-size", "10", "--gamma", "0.5", "-o", str(out)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.exists()
    proc = subprocess.run([sys.executable, "-m", "lrplot", "plot", "nope"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("Error: ") and "Traceback" not in proc.stderr


def test_svg_is_byte_identical_across_processes(tmp_path):
    config = tmp_path / "c.yaml"
    import yaml

    config.write_text(yaml.safe_dump(example_config(next(s for s in SCHEDULERS if s.name == "CyclicLR"))))  # lr and momentum panels
    outputs = []
    for i in range(2):
        out = tmp_path / f"{i}.svg"
        subprocess.run([sys.executable, "-m", "lrplot", "plot", str(config), "-o", str(out)], check=True, capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_compare_inline_specs_and_sweep(tmp_path):
    out = tmp_path / "cmp.svg"
    result = run("compare", "step:step_size=30", "multistep:milestones=[30,80],gamma=0.5", str(CONFIGS / "warmup-cosine.yaml"), "--epochs", "100", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"<?xml")
    grid = tmp_path / "sweep.png"
    result = run("compare", "cosine", "--sweep", "T_max=25,50,100", "--layout", "grid", "--epochs", "100", "-o", str(grid))
    assert result.exit_code == 0 and grid.exists()


def test_compare_legend_names_an_inline_specs_run_keys():
    # `cosine:lr=5e-5,epochs=3` against `cosine:lr=1e-3,epochs=10`: the lr and length are the point
    # of the comparison, so the legend shows them as written rather than numbering two equal names
    result = run("compare", "cosine:lr=5e-5,epochs=3", "cosine:lr=1e-3,epochs=10", "step:step_size=2", "--term")
    assert result.exit_code == 0, result.output
    assert "CosineAnnealingLR (lr=5e-5, epochs=3)" in result.output
    assert "CosineAnnealingLR (lr=1e-3, epochs=10)" in result.output
    assert "StepLR" in result.output and "step_size=2)" not in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["compare", "step:step_size=10", "cosine", "--sweep", "T_max=1,2"], "sweeps one SPEC"),
        (["compare", "cosine", "--sweep", "T_max"], "must be KEY=V1,V2"),
        (["compare", "step:step_size"], "is not key=value"),
        (["compare", "step:stepsize=3"], "did you mean 'step_size'"),
        (["plot", "step", "--step-size", "3", "--style", "gplot"], "did you mean 'ggplot'"),
        (["plot", "step", "--step-size", "3", "--size", "big"], "WIDTHxHEIGHT"),
    ],
)
def test_figure_command_errors(tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and fragment in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_explain_and_code_commands():
    text = run("explain", "step", "--step-size", "10", "--gamma", "0.5", "--epochs", "20").output
    assert "epochs 10-19  0.05" in text
    code = run("code", "cosine", "--epochs", "50").output
    assert "CosineAnnealingLR(optimizer, T_max=50)" in code
    compile(code, "<code>", "exec")


def test_plot_options(tmp_path):
    out = tmp_path / "dark.png"
    result = run("plot", "exponential", "--gamma", "0.9", "--log", "--dark", "--size", "5x3", "--dpi", "80", "--title", "Decay", "-o", str(out))
    assert result.exit_code == 0, result.output
    from matplotlib.image import imread

    image = imread(str(out))
    assert image.shape[:2] == (240, 400)
    assert image[-3, -3, :3].max() < 0.2  # dark background (the title starts near the top left corner)
