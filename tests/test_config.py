"""Config validation: every mistake is refused with the field's path and a way to fix it."""

from __future__ import annotations

import pytest

from lrplot.config import MAX_STEPS, load
from lrplot.errors import ConfigError, TorchWouldRaise
from lrplot.registry import FROM_RUN, REQUIRED, SCHEDULERS

from examples import example_config


def _error(config) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(config)
    return info.value


@pytest.mark.parametrize("info", SCHEDULERS, ids=lambda i: i.name)
def test_every_example_loads_and_fills_defaults(info):
    spec = load(example_config(info))
    assert spec.scheduler.type == info.name
    for p in info.params:
        value = spec.scheduler.params[p.name]
        assert value is not REQUIRED and value is not FROM_RUN


@pytest.mark.parametrize("spelling_of", [(i, a) for i in SCHEDULERS for a in (i.name, *i.aliases)], ids=lambda v: v[1])
def test_aliases_are_case_insensitive_with_dash_or_underscore(spelling_of):
    info, spelling = spelling_of
    for variant in (spelling, spelling.upper(), spelling.replace("_", "-")):
        config = example_config(info)
        config["scheduler"]["type"] = variant
        assert load(config).scheduler.type == info.name


@pytest.mark.parametrize("info", SCHEDULERS, ids=lambda i: i.name)
def test_required_keywords_are_named_when_missing(info):
    for p in info.params:
        if p.required:
            config = example_config(info)
            config["scheduler"].pop(p.name, None)
            assert _error(config).path == f"scheduler.{p.name}"


BOUNDED = [(i, p) for i in SCHEDULERS for p in i.params if p.bound is not None and p.bound.low is not None]


@pytest.mark.parametrize("case", BOUNDED, ids=lambda c: f"{c[0].name}.{c[1].name}")
def test_values_below_their_bound_are_refused(case):
    info, p = case
    bad = p.bound.low - 1 if p.bound.low_inclusive else p.bound.low
    if p.kind == "int_list":
        bad = [int(bad)]
    elif p.kind == "int":
        bad = int(bad)
    config = example_config(info)
    config["scheduler"][p.name] = bad
    err = _error(config)
    assert err.path.startswith(f"scheduler.{p.name}")
    assert "must be" in err.message
    assert isinstance(err, TorchWouldRaise) == p.torch_checks


def test_unknown_key_suggests_the_right_one():
    err = _error({"scheduler": {"type": "StepLR", "stepsize": 10}})
    assert err.path == "scheduler.stepsize"
    assert "did you mean 'step_size'" in err.message


def test_unknown_scheduler_suggests_an_alias():
    err = _error({"scheduler": {"type": "cosin"}})
    assert err.path == "scheduler.type" and "did you mean 'cosine'" in err.message


def test_verbose_gets_a_message_about_torch():
    err = _error({"scheduler": {"type": "StepLR", "step_size": 3, "verbose": True}})
    assert "torch 2.13 has no `verbose`" in err.message


def test_last_epoch_default_is_accepted_and_others_refused():
    assert load({"scheduler": {"type": "StepLR", "step_size": 3, "last_epoch": -1}})
    assert _error({"scheduler": {"type": "StepLR", "step_size": 3, "last_epoch": 5}}).path == "scheduler.last_epoch"


def test_nested_paths_name_the_child():
    err = _error(
        {"scheduler": {"type": "sequential", "milestones": [5], "schedulers": [{"type": "linear"}, {"type": "step", "step_size": 2, "gamma": -1}]}}
    )
    assert str(err) == "scheduler.schedulers[1].gamma: must be > 0, got -1.0"


def test_composites_refuse_plateau_like_torch():
    for kind in ("SequentialLR", "ChainedScheduler"):
        scheduler = {"type": kind, "schedulers": [{"type": "step", "step_size": 2}, {"type": "plateau"}]}
        if kind == "SequentialLR":
            scheduler["milestones"] = [3]
        err = _error({"scheduler": scheduler, "metric": {"values": [1.0] * 100}})
        assert isinstance(err, TorchWouldRaise) and err.path == "scheduler.schedulers[1].type"


def test_sequential_needs_one_milestone_fewer_than_schedulers():
    err = _error({"scheduler": {"type": "sequential", "milestones": [2, 4], "schedulers": ["step"]}})
    assert isinstance(err, TorchWouldRaise) and err.path == "scheduler.milestones"


def test_fractional_composites_are_refused_like_torch():
    err = _error({"scheduler": {"type": "chained", "schedulers": [{"type": "exponential", "gamma": 0.9}]}, "run": {"step": "fractional"}})
    assert isinstance(err, TorchWouldRaise) and "TypeError" in err.message


def test_per_group_lists_must_match_the_groups():
    err = _error({"optimizer": {"lr": [0.1, 0.01]}, "scheduler": {"type": "cyclic", "base_lr": [0.01], "max_lr": 0.1}})
    assert err.path == "scheduler.base_lr" and "2 param groups" in err.message
    err = _error({"optimizer": {"lr": [0.1, 0.01]}, "scheduler": {"type": "lambda", "lr_lambda": ["1", "1", "1"]}})
    assert err.path == "scheduler.lr_lambda"


def test_expressions_cannot_escape():
    err = _error({"scheduler": {"type": "lambda", "lr_lambda": "__import__('os').system('true')"}})
    assert err.path == "scheduler.lr_lambda"


def test_run_length_is_bounded_before_allocating():
    err = _error({"scheduler": "step", "run": {"epochs": MAX_STEPS, "steps_per_epoch": 2}})
    assert err.path == "run" and "at most" in err.message


def test_run_fills_lengths():
    spec = load({"scheduler": "cosine", "run": {"epochs": 40}})
    assert spec.scheduler.params["T_max"] == 40
    spec = load({"scheduler": {"type": "onecycle", "max_lr": 1.0}, "run": {"epochs": 4, "steps_per_epoch": 25}})
    assert spec.run.step == "iteration" and spec.scheduler.params["total_steps"] == 100
    seq = load({"scheduler": {"type": "sequential", "milestones": [5], "schedulers": [{"type": "linear"}, {"type": "cosine"}]}, "run": {"epochs": 50}})
    assert seq.scheduler.children[1].params["T_max"] == 45  # the rest of the run after the milestone


def test_plateau_needs_enough_metric_values():
    err = _error({"scheduler": "plateau", "run": {"epochs": 10}, "metric": {"values": [1.0, 0.5]}})
    assert err.path == "metric.values" and "2 values for 10 scheduler steps" in err.message
    assert _error({"scheduler": "plateau"}).path == "metric"
    assert _error({"scheduler": "exponential", "metric": {"values": [1.0]}}).path == "scheduler.gamma"
    assert _error({"scheduler": {"type": "step", "step_size": 3}, "metric": {"values": [1.0]}}).path == "metric"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("scheduler: [unclosed", "invalid YAML at line 1"),
        ("", "is empty"),
        ("- just\n- a list\n", "must be a mapping"),
        ("scheduler: !!python/object/apply:os.system ['true']\n", "invalid YAML"),
    ],
)
def test_bad_yaml_files(tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert fragment in str(_error(path))


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert "not UTF-8" in str(_error(path))
