"""ReduceLROnPlateau's metric: synthetic models, replayed logs, and how they reach figures and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
from lrplot.cli import cli
from lrplot.config import load
from lrplot.errors import ConfigError
from lrplot.metric import MODELS, SYNTHETIC_PARAMS
from lrplot.render import plot_trace

from examples import CONFIGS

LOGS = CONFIGS.parent / "tests" / "golden" / "logs"


def plateau(metric, epochs=80, **keys):
    return {"scheduler": {"type": "plateau", "patience": 5, "factor": 0.5, **keys}, "run": {"epochs": epochs}, "metric": metric}


def fed(trace) -> np.ndarray:
    return trace.metric[~np.isnan(trace.metric)]


@pytest.mark.parametrize("model", MODELS)
def test_same_seed_same_trace_other_seed_other_metric(model):
    a = lrplot.simulate(plateau({"synthetic": {"model": model, "seed": 4}}))
    b = lrplot.simulate(plateau({"synthetic": {"model": model, "seed": 4}}))
    c = lrplot.simulate(plateau({"synthetic": {"model": model, "seed": 5}}))
    assert np.array_equal(a.lr, b.lr) and np.array_equal(fed(a), fed(b))
    assert not np.array_equal(fed(a), fed(c))
    assert fed(a).shape == (80,)


def test_closed_loop_reductions_unlock_progress():
    # The same model under a constant lr settles on the floor that lr allows; each reduction lowers
    # that floor, so the plateau schedule ends clearly better, and improves after every reduction.
    model = {"synthetic": {"seed": 1, "noise": 0.002}}
    reacting = lrplot.simulate(plateau(model, epochs=200))
    constant = lrplot.simulate({"scheduler": {"type": "constant", "factor": 1.0}, "run": {"epochs": 200}, "metric": model})
    assert fed(reacting)[-1] < 0.8 * fed(constant)[-1]
    reductions = np.nonzero(reacting.plateau.reduced)[0]
    assert len(reductions) >= 2
    for j in reductions[:-1]:
        before = reacting.plateau.best[j]
        assert fed(reacting)[j + 1 : j + 40].min() < before - 0.01


def test_open_loop_shapes_do_not_depend_on_the_lr():
    shape = {"synthetic": {"model": "exp_decay", "seed": 2}}
    a = lrplot.simulate(plateau(shape, patience=2))
    b = lrplot.simulate(plateau(shape, patience=20))
    assert np.array_equal(fed(a), fed(b)) and not np.array_equal(a.lr, b.lr)


def test_max_mode_metric_rises():
    trace = lrplot.simulate(plateau({"synthetic": {"noise": 0.0}}, mode="max"))
    assert fed(trace)[0] < fed(trace)[-1] <= 0.95


def test_synthetic_metric_on_a_schedule_that_does_not_react():
    trace = lrplot.simulate({"scheduler": {"type": "cosine"}, "run": {"epochs": 50}, "metric": {"synthetic": True}})
    assert fed(trace).shape == (50,) and trace.plateau is None


@pytest.mark.parametrize(
    ("log", "column", "epoch_column"),
    [("pandas.csv", "val_loss", None), ("keras.csv", "val_loss", None), ("lightning.csv", "val_loss", "epoch"), ("tensorboard.csv", "Value", "Step")],
)
def test_logs_in_the_formats_people_export(log, column, epoch_column):
    metric = {"csv": str(LOGS / log), "column": column}
    if epoch_column:
        metric["epoch_column"] = epoch_column
    trace = lrplot.simulate(plateau(metric, epochs=60))
    reference = lrplot.simulate(plateau({"csv": str(LOGS / "keras.csv"), "column": "val_loss"}, epochs=60))
    assert np.array_equal(fed(trace), fed(reference))  # the same curve, written four ways


@pytest.mark.parametrize(
    ("metric", "fragment"),
    [
        ({"csv": "keras.csv", "column": "val_los"}, "has no column 'val_los' (did you mean 'val_loss'?); its columns are 'epoch', 'loss', 'lr', 'val_loss'"),
        ({"csv": "lightning.csv", "column": "val_loss"}, "line 2 has no 'val_loss' value; give epoch_column"),
        ({"csv": "missing.csv", "column": "val_loss"}, "no such file"),
        ({"csv": "keras.csv"}, "name the column to replay"),
        ({"csv": "keras.csv", "column": "val_loss", "synthetic": True}, "exactly one of"),
        ({"values": [1.0, 2.0]}, "2 values for 80 scheduler steps"),
        ({"synthetic": {"modl": "steps"}}, "did you mean 'model'"),
        ({"synthetic": {"model": "sine"}}, "must be one of closed_loop"),
        ({"synthetic": {"rate": 2}}, "must be <= 1"),
    ],
)
def test_metric_errors_name_the_field_and_fix(metric, fragment):
    with pytest.raises(ConfigError) as info:
        load(plateau(metric), base_dir=LOGS)
    assert fragment in str(info.value)
    assert str(info.value).startswith("metric")


def test_short_log_error_says_how_to_fix():
    with pytest.raises(ConfigError, match=r"60 values for 100 scheduler steps .* shorten run.epochs to 60"):
        load(plateau({"csv": "keras.csv", "column": "val_loss"}, epochs=100), base_dir=LOGS)


def test_bad_cells_are_reported_with_their_line(tmp_path):
    (tmp_path / "log.csv").write_text("epoch,val_loss\n0,1.0\n1,oops\n")
    with pytest.raises(ConfigError, match="line 3: 'val_loss' is 'oops', not a number"):
        load(plateau({"csv": "log.csv", "column": "val_loss"}, epochs=2), base_dir=tmp_path)


def test_only_the_rows_the_run_uses_are_read(tmp_path):
    # A log far longer than the run: the values after the run's last step are never parsed (a
    # 64 MiB log of one-character rows took 5 GB when every row was kept).
    (tmp_path / "log.csv").write_text("val_loss\n" + "0.5\n" * 100_000 + "oops\n")
    assert fed(lrplot.simulate(load(plateau({"csv": "log.csv", "column": "val_loss"}, epochs=3), base_dir=tmp_path))).tolist() == [0.5] * 3


def test_per_epoch_logs_keep_only_the_epochs_the_run_uses(tmp_path):
    # Epochs logged in any order, the last value of each wins; epochs past the run's window are
    # not kept, and a gap there does not matter.
    rows = ["epoch,val_loss", "5,9", "3,0.7", "2,0.8", "2,0.6", "4,0.5", "900,1"] + [f"{e},1" for e in range(1000, 1200, 2)]
    (tmp_path / "log.csv").write_text("\n".join(rows) + "\n")
    spec = load(plateau({"csv": "log.csv", "column": "val_loss", "epoch_column": "epoch"}, epochs=3), base_dir=tmp_path)
    assert list(spec.metric.values) == [0.6, 0.7, 0.5]
    (tmp_path / "gap.csv").write_text("epoch,val_loss\n0,1\n2,1\n")
    with pytest.raises(ConfigError, match="no 'val_loss' value for the epoch before 2"):
        load(plateau({"csv": "gap.csv", "column": "val_loss", "epoch_column": "epoch"}, epochs=3), base_dir=tmp_path)


def test_log_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "log.csv").write_text("val_loss\n" + "\n".join(str(1 / (k + 1)) for k in range(10)))
    config = tmp_path / "run" / "plateau.yaml"
    config.write_text("scheduler: {type: plateau, patience: 1}\nrun: {epochs: 10}\nmetric: {csv: log.csv, column: val_loss}\n")
    assert fed(lrplot.simulate(config)).tolist() == [1 / (k + 1) for k in range(10)]


def test_figure_has_a_metric_panel_with_windows():
    trace = lrplot.simulate(plateau({"csv": str(LOGS / "keras.csv"), "column": "val_loss"}, epochs=60, patience=3, cooldown=4))
    fig = plot_trace(trace)
    lr_ax, metric_ax = fig.axes[:2]
    (line,) = [ln for ln in metric_ax.get_lines() if ln.get_gid() == "metric"]
    assert np.array_equal(line.get_ydata(), fed(trace))
    assert np.array_equal(line.get_xdata(), np.arange(1, 61))  # measured at the end of each epoch
    gids = [str(a.get_gid()) for a in metric_ax.get_children()]
    assert len([g for g in gids if g.startswith("patience-window-")]) == trace.plateau.reduced.sum() >= 2
    assert "cooldown-window-0" in gids and "metric-best" in gids
    (marks,) = [ln for ln in lr_ax.get_lines() if ln.get_gid() == "event-reduction"]  # one line, a marker per reduction
    assert len(marks.get_xdata()) == trace.plateau.reduced.sum()


def test_cli_metric_flags(tmp_path):
    runner = CliRunner()
    out = tmp_path / "p.png"
    result = runner.invoke(cli, ["plot", "plateau", "--patience", "5", "--metric", "synthetic", "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["export", "plateau", "--patience", "3", "--epochs", "60", "--metric-csv", str(LOGS / "keras.csv"), "--metric-column", "val_loss"])
    doc = json.loads(result.output)
    assert [v for v in doc["metric"] if v is not None] == fed(lrplot.simulate(plateau({"csv": str(LOGS / "keras.csv"), "column": "val_loss"}, epochs=60, patience=3))).tolist()
    result = runner.invoke(cli, ["export", "plateau", "--metric-csv", str(LOGS / "keras.csv")])
    assert result.exit_code == 2 and "name the column" in result.output
    result = runner.invoke(cli, ["plot", "plateau", "--metric", "steps", "--metric-csv", "x.csv"])
    assert result.exit_code == 2 and "not both" in result.output


def test_compare_feeds_every_schedule_the_same_model_when_asked(tmp_path):
    out = tmp_path / "c.svg"
    args = ["compare", "plateau:patience=3", "plateau:patience=10", "cosine", "--metric", "synthetic", "--epochs", "60", "-o", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert CliRunner().invoke(cli, [*args, "--metric-all"]).exit_code == 0
    assert CliRunner().invoke(cli, ["compare", "cosine", "step:step_size=5", "--metric-all"]).exit_code == 2


def test_list_documents_the_synthetic_model():
    output = CliRunner().invoke(cli, ["list"]).output
    for p in SYNTHETIC_PARAMS:
        assert p.name in output
