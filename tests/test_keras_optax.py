"""Keras 3.15 and optax 0.2.8: schedules that are the lr itself, evaluated at the optimizer's count, in float64 or float32.

The golden traces were recorded from the real libraries (tests/golden/record_keras.py and
record_optax.py); where the libraries are importable, live tests and the emitted code run on them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.code import library_code
from lrplot.config import load
from lrplot.engine import simulate
from lrplot.errors import ConfigError, TorchWouldRaise
from lrplot.registry import family

GOLDEN = Path(__file__).parent / "golden"
FAMILIES = ("keras", "optax")
FILES = sorted(p for name in FAMILIES for p in (GOLDEN / name).glob("*.json"))
# float32 operations whose library version is XLA's own approximation, not the correctly rounded value:
# pow and log. A value that goes through them may be one float32 unit in the last place away.
_POW_KEYS = ("decay_rate", "t_mul", "m_mul")


def _uses_float32_pow(scheduler: dict) -> bool:
    kind = scheduler["type"].split(".")[1]
    if kind in ("ExponentialDecay", "CosineDecayRestarts", "exponential_decay", "warmup_exponential_decay_schedule"):
        return True
    if kind in ("PolynomialDecay", "polynomial_schedule"):
        power = scheduler.get("power", 1.0)
        return kind == "PolynomialDecay" and power != 1 or not float(power).is_integer()
    return scheduler.get("exponent", 1.0) != 1.0


def _doc(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_case(path: Path) -> None:
    doc = _doc(path)
    config = doc["config"]
    if doc["error"] is not None:
        with pytest.raises(TorchWouldRaise):
            load(config)
        return
    expected = np.array(doc["lr"])
    exact = simulate(config, exact=True).lr
    default = simulate(config).lr
    peak = np.abs(expected).max()
    if config["run"].get("dtype", "float64") == "float64":
        np.testing.assert_array_equal(exact, expected)
        assert np.abs(default - expected).max() <= 1e-12 * peak
        return
    np.testing.assert_array_equal(default, exact)  # float32 is always the library's own arithmetic
    scheduler = config["scheduler"]
    # Keras' ops.cond (CosineDecay with a warmup_target, CosineDecayRestarts) compiles its branches even
    # when called eagerly, and XLA rewrites them: a few float32 units in the last place, on a few steps
    compiled = scheduler["type"] == "keras.CosineDecayRestarts" or scheduler["type"] == "keras.CosineDecay" and scheduler.get("warmup_target") is not None
    if compiled or _uses_float32_pow(scheduler):
        ulp = np.spacing(np.abs(expected).astype(np.float32)).astype(np.float64)
        assert (np.abs(exact - expected) <= (8 if compiled else 1) * ulp).all()
        assert np.mean(exact == expected) >= 0.85
    else:
        np.testing.assert_array_equal(exact, expected)


def test_goldens_cover_every_schedule_in_both_precisions() -> None:
    for name in FAMILIES:
        covered = {(_doc(p)["config"]["scheduler"]["type"], _doc(p)["config"]["run"].get("dtype", "float64"))
                   for p in FILES if p.parent.name == name and _doc(p)["lr"] is not None}
        for info in family(name).schedulers:
            for dtype in ("float64", "float32"):
                assert (info.name, dtype) in covered, (info.name, dtype)


def _live(name: str):
    return pytest.importorskip(name, reason=f"{name} is not installed: live tests need the reference extra")


@pytest.mark.parametrize("path", [p for p in FILES if p.parent.name == "optax"][::7], ids=lambda p: p.stem)
def test_live_optax_agrees(path: Path) -> None:
    _live("optax")
    from lrplot.frameworks.optax.reference import schedule_trace

    doc = _doc(path)
    if doc["lr"] is None:
        return
    assert schedule_trace(doc["config"])["lr"] == doc["lr"]


def test_emitted_code_runs_on_the_libraries() -> None:
    """`lrplot code` for a config of each family, run on the real library, gives the trace bit for bit."""
    _live("optax")
    for path in (GOLDEN / "optax" / "join-nested-32.json", GOLDEN / "optax" / "sgdr-64.json", GOLDEN / "optax" / "piecewise-constant-32.json"):
        config = _doc(path)["config"]
        namespace: dict = {}
        exec(compile(library_code(load(config)), "<lrplot code>", "exec"), namespace)  # lrplot's own output
        np.testing.assert_array_equal(np.array(namespace["lrs"]), simulate(config, exact=True).lr[0])
    keras = _live("keras")
    dtype = {"jax": "float32", "torch": "float64"}.get(keras.backend.backend())
    if dtype is None:
        return
    config = {"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.0, "warmup_target": 0.1, "warmup_steps": 20},
              "run": {"iterations": 200, "dtype": dtype}}
    namespace = {}
    exec(compile(library_code(load(config)), "<lrplot code>", "exec"), namespace)
    np.testing.assert_array_equal(np.array(namespace["lrs"]), simulate(config, exact=True).lr[0])


def test_code_speaks_the_libraries() -> None:
    keras_code = library_code(load({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.0, "warmup_target": 1e-3,
                                                         "warmup_steps": 50}, "run": {"iterations": 1000}, "optimizer": {"betas": [0.9, 0.98]}}))
    assert "keras.optimizers.schedules.CosineDecay(" in keras_code and "decay_steps=950," in keras_code
    assert "keras.optimizers.Adam(learning_rate=schedule, beta_1=0.9, beta_2=0.98)" in keras_code
    optax_code = library_code(load({"scheduler": {"type": "optax.warmup_cosine_decay", "init_value": 0.0, "peak_value": 1e-3,
                                                         "warmup_steps": 50}, "run": {"iterations": 1000, "dtype": "float32"}}))
    assert "optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.001, warmup_steps=50, decay_steps=1000)" in optax_code
    assert "jax_enable_x64" not in optax_code and "jnp.int32" in optax_code


# ----------------------------------------------------------------------------------------------
# The config


@pytest.mark.parametrize(
    "config, path, fragment",
    [
        ({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0}}, "scheduler.initial_learning_rate", "int32"),
        ({"scheduler": {"type": "keras.PiecewiseConstantDecay", "boundaries": [5], "values": [1, 0.5]}}, "scheduler.values[0]", "write 1.0"),
        ({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.1}, "optimizer": {"lr": 0.1}}, "optimizer.lr", "learning rate itself"),
        ({"scheduler": {"type": "optax.cosine_decay_schedule", "init_value": 0.1}, "optimizer": {"lr": [0.1, 0.2]}}, "optimizer.lr", "no lr of its own"),
        ({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.1}, "run": {"epochs": 3, "step": "epoch"}}, "run.step", "optimizer.iterations"),
        ({"scheduler": {"type": "optax.constant_schedule", "value": 0.1}, "run": {"epochs": 3, "step": "epoch"}}, "run.step", "update count"),
        ({"scheduler": {"type": "StepLR", "step_size": 3}, "run": {"dtype": "float32"}}, "run.dtype", "keras, optax"),
        ({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.1}, "run": {"dtype": "float16"}}, "run.dtype", "float64, float32"),
        ({"scheduler": {"type": "keras.ExponentialDecay", "initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.5}},
         "scheduler.decay_steps", "Keras raises ValueError"),
        ({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.0, "warmup_target": 0.1, "warmup_steps": 100}, "run": {"iterations": 100}},
         "scheduler.warmup_steps", "fills the whole run"),
        ({"scheduler": {"type": "optax.warmup_cosine_decay_schedule", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10, "decay_steps": 5}},
         "scheduler.decay_steps", "greater than warmup_steps"),
        ({"scheduler": {"type": "optax.piecewise_constant_schedule", "init_value": 0.1, "boundaries_and_scales": [10, 0.1]}},
         "scheduler.boundaries_and_scales", "mapping of steps"),
        ({"scheduler": {"type": "optax.join_schedules", "schedules": [{"type": "optax.constant_schedule", "value": 0.1}, {"type": "StepLR", "step_size": 2}],
                        "boundaries": [5]}}, "scheduler.schedules[1].type", "joins optax schedules only"),
        ({"scheduler": {"type": "optax.join_schedules", "schedules": [{"type": "optax.constant_schedule", "value": 0.1}], "boundaries": [5]}},
         "scheduler.boundaries", "one fewer boundary"),
        ({"scheduler": {"type": "optax.sgdr_schedule", "cosine_kwargs": [{"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 5}]}},
         "scheduler.cosine_kwargs[0].decay_steps", "KeyError"),
        ({"scheduler": {"type": "optax.linear_schedule", "init_value": 0.1, "end_value": 0.0, "transition_steps": 1e12}},
         "scheduler.transition_steps", "int32"),
    ],
)
def test_mistakes_are_named(config, path, fragment) -> None:
    with pytest.raises(ConfigError) as exc:
        load(config)
    assert exc.value.path == path and fragment in exc.value.message, str(exc.value)


def test_lengths_are_filled_from_the_run() -> None:
    run = {"iterations": 1000}
    assert load({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.0, "warmup_target": 0.1, "warmup_steps": 50}, "run": run}
                ).scheduler.params["decay_steps"] == 950  # Keras counts decay_steps after the warmup
    assert load({"scheduler": {"type": "optax.warmup_cosine_decay", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 50}, "run": run}
                ).scheduler.params["decay_steps"] == 1000  # optax counts it from 0
    joined = load({"scheduler": {"type": "optax.join_schedules", "schedules": [
        {"type": "optax.linear_schedule", "init_value": 0.0, "end_value": 0.1}, {"type": "optax.cosine_decay_schedule", "init_value": 0.1}],
        "boundaries": [100]}, "run": run}).scheduler
    assert [c.params.get("transition_steps", c.params.get("decay_steps")) for c in joined.params["schedules"]] == [100, 900]


def test_the_same_schedule_in_both_libraries_differs_where_they_count_differently() -> None:
    """Keras' piecewise boundaries switch one step later than optax's; both train step k with schedule(k)."""
    keras = simulate({"scheduler": {"type": "keras.PiecewiseConstantDecay", "boundaries": [10], "values": [0.1, 0.01]}, "run": {"iterations": 20}})
    optax = simulate({"scheduler": {"type": "optax.piecewise_constant_schedule", "init_value": 0.1, "boundaries_and_scales": {10: 0.1}},
                      "run": {"iterations": 20}})
    assert keras.lr[0, 10] == 0.1 and keras.lr[0, 11] == 0.01
    assert optax.lr[0, 9] == 0.1 and optax.lr[0, 10] == pytest.approx(0.01)


def test_float32_is_what_the_library_trains_with() -> None:
    config = {"scheduler": {"type": "optax.warmup_cosine_decay", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10}, "run": {"iterations": 100}}
    f64 = simulate(config).lr
    f32 = simulate({**config, "run": {"iterations": 100, "dtype": "float32"}}).lr
    assert (f32 == f32.astype(np.float32)).all()  # every value is a float32
    assert 0 < np.abs(f32 - f64).max() < 1e-7


# ----------------------------------------------------------------------------------------------
# Words, checks, figures


def test_explain_states_the_stepping_and_how_far_float32_moves_the_run() -> None:
    from lrplot.explain import explain

    text = explain(simulate({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.0, "warmup_target": 0.1, "warmup_steps": 10},
                             "run": {"iterations": 200}}))
    assert "schedule evaluated at optimizer.iterations before every update (step k trains with schedule(k), k from 0), in float64" in text
    assert "float32 moves the lr by at most" in text and "(KR302)" in text
    text = explain(simulate({"scheduler": {"type": "optax.cosine_decay_schedule", "init_value": 0.1}, "run": {"iterations": 200, "dtype": "float32"}}))
    assert "at the optimizer's update count" in text and "float64 would move this float32 run's lr" in text


@pytest.mark.parametrize(
    "config, code",
    [
        ({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.0, "warmup_target": 0.1, "warmup_steps": 50, "decay_steps": 1000},
          "run": {"iterations": 1000}}, "KR101"),
        ({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.1, "decay_steps": 500}, "run": {"iterations": 1000}}, "KR102"),
        ({"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.1, "warmup_steps": 50}, "run": {"iterations": 1000}}, "KR103"),
        ({"scheduler": {"type": "optax.warmup_cosine_decay", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 50, "decay_steps": 950},
          "run": {"iterations": 1000}}, "OX101"),
        ({"scheduler": {"type": "optax.cosine_decay_schedule", "init_value": 0.1, "decay_steps": 500}, "run": {"iterations": 1000}}, "OX102"),
        ({"scheduler": {"type": "optax.linear_schedule", "init_value": 0.1, "end_value": 0.0, "transition_steps": 0}, "run": {"iterations": 10}}, "OX103"),
        ({"scheduler": {"type": "optax.linear_onecycle", "peak_value": 0.1, "transition_steps": 1}, "run": {"iterations": 10}}, "OX104"),
    ],
)
def test_pitfalls_are_check_rules(config, code, tmp_path) -> None:
    import yaml

    path = tmp_path / "schedule.yaml"
    path.write_text(yaml.safe_dump(config))
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert f": {code} " in result.output, result.output


def test_events_mark_warmup_and_restarts() -> None:
    from lrplot.engine.events import find_events

    warm = find_events(simulate({"scheduler": {"type": "optax.warmup_cosine_decay", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 30,
                                               "decay_steps": 80}, "run": {"iterations": 100}}))
    assert [(e.step, e.kind) for e in warm] == [(30, "milestone"), (80, "milestone")]
    restarts = find_events(simulate({"scheduler": {"type": "keras.CosineDecayRestarts", "initial_learning_rate": 0.1, "first_decay_steps": 10},
                                     "run": {"iterations": 100}}))
    assert [e.step for e in restarts if e.kind == "restart"] == [10, 30, 70]


def test_command_line_speaks_keras_and_optax(tmp_path) -> None:
    runner = CliRunner()
    listing = runner.invoke(cli, ["list", "keras"])
    assert listing.exit_code == 0 and "keras.CosineDecay" in listing.output and "warmup_target" in listing.output
    listing = runner.invoke(cli, ["list", "optax"])
    assert listing.exit_code == 0 and all(f"optax.{n}" in listing.output for n in ("sgdr_schedule", "join_schedules", "piecewise_interpolate_schedule"))
    out = runner.invoke(cli, ["export", "optax.piecewise_constant_schedule", "--init-value", "0.1", "--boundaries-and-scales", "3:0.5,6:0.5",
                              "--iterations", "8", "--dtype", "float32", "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = [line.split(",") for line in out.output.splitlines()]
    assert [float(row[rows[0].index("lr")]) for row in rows[1:]] == [
        float(np.float32(v)) for v in (0.1,) * 3 + (0.05,) * 3 + (0.025,) * 2]
    bad = runner.invoke(cli, ["plot", "StepLR", "--step-size", "3", "--dtype", "float32", "-o", str(tmp_path / "x.png")])
    assert bad.exit_code == 2 and "--dtype: StepLR is computed in float64" in bad.output and not (tmp_path / "x.png").exists()
    bad = runner.invoke(cli, ["plot", "keras.CosineDecay", "--initial-learning-rate", "0.1", "--lr", "0.1", "-o", str(tmp_path / "x.png")])
    assert bad.exit_code == 2 and "--lr" in bad.output
    drawn = runner.invoke(cli, ["plot", "keras.CosineDecay", "--initial-learning-rate", "0.1", "--iterations", "100", "-o", str(tmp_path / "k.svg")])
    assert drawn.exit_code == 0 and (tmp_path / "k.svg").exists()


# ----------------------------------------------------------------------------------------------
# Keras' CSVLogger


LOGS = Path(__file__).parent / "fixtures" / "runs"


def test_csvlogger_log_is_verified_against_its_plan() -> None:
    runner = CliRunner()
    plan = LOGS / "keras-csvlogger" / "plan.yaml"
    result = runner.invoke(cli, ["verify", str(plan), str(LOGS / "keras-csvlogger" / "training.log")])
    assert result.exit_code == 0, result.output
    assert "Keras CSVLogger, one point per epoch (the lr after its last step)" in result.output
    wrong = runner.invoke(cli, ["verify", str(LOGS / "keras-csvlogger" / "plan-decay-steps-with-warmup.yaml"),
                                str(LOGS / "keras-csvlogger" / "training.log")])
    assert wrong.exit_code == 1, wrong.output


def test_csvlogger_is_claimed_by_its_header_only(tmp_path) -> None:
    from lrplot.frameworks.keras.logs import claims_log

    keras_log = tmp_path / "training.log"
    keras_log.write_text("epoch,learning_rate,loss\n0,0.1,1.0\n")
    assert claims_log(keras_log)
    other = tmp_path / "metrics.csv"
    other.write_text("epoch,step,learning_rate\n0,0,0.1\n")
    yolo = tmp_path / "results.csv"
    yolo.write_text("epoch,lr/pg0,lr/pg1\n1,0.1,0.1\n")
    assert not claims_log(other) and not claims_log(yolo) and not claims_log(tmp_path)


def test_restarts_that_shrink_end_where_keras_returns_nan() -> None:
    # t_mul 0.5: the cosines last 50, 25, 12.5, ... steps, 100 in all; Keras 3.15 returns nan from step 100 on
    result = CliRunner().invoke(cli, ["explain", "keras.CosineDecayRestarts", "--initial-learning-rate", "0.1", "--first-decay-steps", "50",
                                      "--t-mul", "0.5", "--iterations", "200"])
    assert result.exit_code == 2 and "--t-mul" in result.output and "first_decay_steps / (1 - t_mul) = 50 / 0.5 = 100 steps" in result.output
    assert "nan from step 100 on" in result.output and "overflows" not in result.output, result.output
    assert CliRunner().invoke(cli, ["explain", "keras.CosineDecayRestarts", "--initial-learning-rate", "0.1", "--first-decay-steps", "50",
                                    "--t-mul", "0.5", "--iterations", "100"]).exit_code == 0
    try:
        import keras
    except ImportError:
        return
    schedule = keras.optimizers.schedules.CosineDecayRestarts(0.1, 50, t_mul=0.5)
    assert np.isfinite(float(schedule(99))) and np.isnan(float(schedule(100))) and np.isnan(float(schedule(150)))


def test_a_csvlogger_log_without_the_lr_says_how_to_log_it(tmp_path) -> None:
    # Keras 3.15's CSVLogger writes the epoch's logs: without a callback that adds the lr, only the losses
    log = tmp_path / "training.log"
    log.write_text("epoch,loss,val_loss\n0,0.48,NA\n1,0.21,NA\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text("scheduler: {type: keras.CosineDecay, initial_learning_rate: 0.1, decay_steps: 100}\nrun: {iterations: 100}\n")
    result = CliRunner().invoke(cli, ["verify", str(plan), str(log)])
    assert result.exit_code == 2 and "is a Keras CSVLogger log (epoch, loss, val_loss) with no learning_rate column" in result.output, result.output
    assert "LambdaCallback(on_epoch_end=" in result.output and "is not a run log lrplot reads" not in result.output
    # a CSV with an lr column of another name is still any CSV's
    from lrplot.frameworks.keras.logs import claims_log

    other = tmp_path / "log.csv"
    other.write_text("epoch,loss,lr\n0,0.5,0.1\n")
    assert not claims_log(other) and claims_log(log)
