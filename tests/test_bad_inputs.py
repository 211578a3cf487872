"""No input can crash, hang, escape or corrupt: the bad-input corpus, property tests, atomic writes."""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrplot
from lrplot import output
from lrplot.cli import SCHEDULER_PARAMS, cli
from lrplot.code import library_code
from lrplot.errors import LrplotError
from lrplot.explain import explain
from lrplot.registry import SCHEDULERS, all_names, lookup
from lrplot.values import yaml_error_message

from bad_inputs import ARGS, CHECKS, GOOD, LIBRARY, LOGS, NEEDS_TENSORBOARD, TERMINAL, YAML

# numpy warnings are output too: a bad input must end in one Error: line and nothing else
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


CONFIGS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs")


def _invoke(tmp_path, args):
    """Run lrplot in tmp_path beside an existing output file; return (result, that file's bytes after)."""
    out = tmp_path / "out.json"
    out.write_bytes(b'{"old": true}')
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, [a.replace("OUT", str(out)).replace("CONFIGS", CONFIGS) for a in args])
    finally:
        os.chdir(cwd)
    return result, out.read_bytes()


def _assert_clean_refusal(tmp_path, result, after, fragment, before_files):
    assert result.exit_code == 2, f"exit {result.exit_code}: {result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), f"not one Error: line:\n{result.output}"
    assert fragment in result.output, result.output
    assert after == b'{"old": true}'  # the existing output is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == before_files  # and nothing else was written


@pytest.mark.parametrize(("case_id", "content", "fragment"), YAML, ids=[c[0] for c in YAML])
def test_bad_config_files(tmp_path, case_id, content, fragment):
    config = tmp_path / "bad.yaml"
    config.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = sorted(["bad.yaml", "out.json"])
    result, after = _invoke(tmp_path, ["export", str(config), "--format", "json", "-o", "OUT"])
    _assert_clean_refusal(tmp_path, result, after, fragment, before)
    plot, after = _invoke(tmp_path, ["plot", str(config), "-o", "out.png"])
    _assert_clean_refusal(tmp_path, plot, after, fragment, before)


@pytest.mark.parametrize(("case_id", "content", "fragment"), YAML, ids=[c[0] for c in YAML])
def test_bad_config_files_through_the_library(tmp_path, case_id, content, fragment):
    # lrplot.simulate(path) is held to the same messages as the command line.
    config = tmp_path / "bad.yaml"
    config.write_bytes(content if isinstance(content, bytes) else content.encode())
    (tmp_path / "out.json").write_bytes(b'{"old": true}')  # as beside the command line's runs
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with pytest.raises(LrplotError) as info:
            lrplot.simulate(config)
    finally:
        os.chdir(cwd)
    assert fragment in str(info.value)


@pytest.mark.parametrize(("case_id", "args", "fragment"), ARGS, ids=[c[0] for c in ARGS])
def test_bad_command_lines(tmp_path, case_id, args, fragment):
    result, after = _invoke(tmp_path, args)
    _assert_clean_refusal(tmp_path, result, after, fragment, ["out.json"])


@pytest.mark.parametrize(("case_id", "value", "fragment"), LIBRARY, ids=[c[0] for c in LIBRARY])
def test_bad_library_inputs(case_id, value, fragment):
    with pytest.raises(LrplotError) as info:
        lrplot.simulate(value)
    assert fragment in str(info.value)


# Finite numbers a float barely holds, in every numeric keyword of every scheduler and in every key of
# every framework section (over the section recipes of configs/): the framework arithmetic that
# derives counts from them must refuse them cleanly, in simulate, check and explain alike.
EXTREMES = (1e308, -1e308, 1e18, 10**30, 5e-324)


def _extreme_configs(family):
    from lrplot.values import yaml_load

    for info in family.schedulers:
        for p in info.params:
            if p.kind in ("int", "float", "per_group", "numbers"):
                for v in EXTREMES:
                    if p.kind == "int" and isinstance(v, float):
                        v = int(v) if abs(v) >= 1 else v
                    config = {"scheduler": {"type": info.name, **info.example, p.name: v}, "run": {"epochs": 5, "steps_per_epoch": 2}}
                    if info.steps_on_metric:
                        config["metric"] = {"synthetic": True}
                    yield config
    if family.section is None:
        return
    keys = [k for k, _, _ in family.part(family.section_module).keys() if k.isidentifier()]
    for recipe in sorted(os.listdir(CONFIGS)):
        data = yaml_load(open(os.path.join(CONFIGS, recipe)).read())
        if isinstance(data, dict) and isinstance(data.get(family.section), dict):
            for key in keys:
                for v in EXTREMES:
                    yield {**data, family.section: {**data[family.section], key: v}}


@pytest.mark.parametrize("family", [f.name for f in __import__("lrplot.registry", fromlist=["FAMILIES"]).FAMILIES])
def test_extreme_numbers_in_every_keyword_and_section_key_fail_cleanly(tmp_path, family):
    from lrplot.check import check_file, selected
    from lrplot.registry import family as by_name

    rules = selected()
    for i, config in enumerate(_extreme_configs(by_name(family))):
        for exact in (False, True):
            try:
                trace = lrplot.simulate(config, exact=exact)
            except LrplotError as exc:
                assert str(exc).strip() and "\n" not in str(exc), (config, str(exc))
            else:
                explain(trace)
        path = tmp_path / f"{i}.yaml"
        path.write_text(json.dumps(config))
        checked = check_file(path, rules)  # LrplotErrors become findings or an invalid config, nothing else
        assert checked.invalid is None or checked.invalid.strip(), config


@pytest.mark.parametrize(("case_id", "env", "args", "fragment"), TERMINAL, ids=[c[0] for c in TERMINAL])
def test_terminal_sizes_beyond_a_screen_are_clamped_and_said(case_id, env, args, fragment):
    from lrplot.term import MAX_SIZE

    result = CliRunner().invoke(cli, args, env={**env, "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) <= MAX_SIZE[1] and max(len(line) for line in lines) <= MAX_SIZE[0]
    assert lines[-1] == fragment or lines[-1].startswith(fragment), lines[-1]


@pytest.mark.parametrize(("case_id", "files", "line"), CHECKS, ids=[c[0] for c in CHECKS])
def test_check_reports_one_finding_per_line_alike_in_a_folder_and_named(tmp_path, case_id, files, line):
    folder = tmp_path / "configs"
    folder.mkdir()
    for name, content in files.items():
        if isinstance(content, tuple):
            os.symlink(content[1], folder / name)
        else:
            (folder / name).write_text(content)
    first = next(iter(files))
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        in_folder = CliRunner().invoke(cli, ["check", "."])
        named = CliRunner().invoke(cli, ["check", first])
    finally:
        os.chdir(cwd)
    for result in (in_folder, named):
        assert result.exit_code in (0, 1, 2) and result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output and "internal error" not in result.output
    lines = in_folder.output.splitlines()
    assert any(shown.startswith(line) for shown in lines), in_folder.output
    # every line but the summary is one whole finding: its file, then what is wrong
    *findings, summary = lines
    names = {repr(n) if not n.isprintable() else n for n in files}
    assert all(any(f.startswith(n + ": ") for n in names) for f in findings), lines
    assert summary.endswith(("no findings", "invalid config", "invalid configs")) or " finding" in summary, summary
    # the first file named directly is reported as it is inside the folder
    assert named.output.splitlines()[0] == lines[0] and named.exit_code == in_folder.exit_code or first == "ok.yaml"


PLAN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "plans", "torch-warmup-cosine.yaml")


@pytest.mark.parametrize(("case_id", "name", "content", "args", "code", "fragment"), LOGS, ids=[c[0] for c in LOGS])
def test_logged_runs_are_read_within_the_plan_and_fail_cleanly(tmp_path, case_id, name, content, args, code, fragment):
    import importlib.util
    import time

    from lrplot.config import load
    from lrplot.runlog import read_runlog
    from lrplot.verify import verify

    if case_id in NEEDS_TENSORBOARD and importlib.util.find_spec("tensorboard") is None:
        pytest.skip("reading this event file needs the tensorboard package")
    log = tmp_path / name
    log.write_bytes(content)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        start = time.monotonic()
        result = CliRunner().invoke(cli, ["verify", PLAN, str(log), *args])
        took = time.monotonic() - start
        compared = CliRunner().invoke(cli, ["compare", PLAN, str(log), "-o", "c.svg"]) if code != 2 else None
    finally:
        os.chdir(cwd)
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert fragment in result.output, result.output
    assert took < 20, f"{took:.1f} s: the work is not bounded by the plan"  # a stray step once took minutes
    assert all(line.isprintable() for line in result.output.splitlines()), result.output  # names escaped
    if code == 2:
        assert [line for line in result.output.splitlines() if line.strip()] == [result.output.strip()] and result.output.startswith("Error:")
        assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no figure, nothing else
    elif "-o" in args:
        assert (tmp_path / "v.svg").stat().st_size > 0
    if compared is not None:
        assert compared.exit_code == 0, compared.output
    # The library says the same: the reader (told the plan's length) and the verdict.
    spec = load(PLAN)
    if code == 2 and "--output" not in fragment and "--column" not in args:
        with pytest.raises(LrplotError) as info:
            verify(spec, read_runlog(log, steps=spec.run.total_steps))
        assert fragment.split(": ", 1)[-1] in str(info.value)


def test_the_corpus_is_large_enough():
    assert len(YAML) + len(ARGS) >= 150


def test_the_docs_state_every_limit():
    from lrplot import config, files, inline, metric, sources, values

    page = open(os.path.join(os.path.dirname(CONFIGS), "docs", "config.md")).read()
    section = page[page.index("## What a config can and cannot do"):]
    stated = {
        "config bytes": f"{sources.MAX_FILE_BYTES >> 20} MiB", "log bytes": f"{metric.MAX_LOG_BYTES >> 20} MiB",
        "idle pipe": f"{files.IDLE_SECONDS:g} s", "values in a config": f"{values.MAX_VALUES_IN_CONFIG:,} values",
        "nesting of a config": f"{values.MAX_DEPTH} levels", "steps": f"{config.MAX_STEPS:,} optimizer steps",
        "traced values": f"{config.MAX_VALUES:,} traced", "groups": f"{config.MAX_GROUPS} param groups",
        "schedulers": f"{config.MAX_SCHEDULERS} schedulers", "scheduler nesting": f"{config.MAX_NESTING} deep",
        "updates": f"is at most {config.MAX_UPDATES:,}", "vars": f"{config.MAX_VARS} vars",
        "compare": f"at most {inline.MAX_SCHEDULES} schedules",
    }
    missing = [what for what, text in stated.items() if text not in section]
    assert not missing, f"docs/config.md does not state: {missing}"


@pytest.mark.parametrize(("case_id", "content"), GOOD, ids=[c[0] for c in GOOD])
def test_good_inputs_work_for_every_command(tmp_path, case_id, content):
    config = tmp_path / "good.yaml"
    config.write_text(content)
    for args in (["export", "--format", "json"], ["export", "--format", "csv"], ["explain"], ["code"], ["plot", "-o", str(tmp_path / "f.svg")]):
        result = CliRunner().invoke(cli, [args[0], str(config), *args[1:]])
        assert result.exit_code == 0, f"{args}: {result.output}{result.exception!r}"
        if args[0] == "code":
            compile(result.output, "<lrplot code>", "exec")


def test_a_config_whose_file_name_is_not_utf8(tmp_path):
    # An old Latin-1 name: the file is read, and named with U+FFFD where a byte is not UTF-8.
    folder = os.fsencode(tmp_path)
    path = os.fsdecode(os.path.join(folder, b"caf\xe9.yaml"))
    with open(path, "w") as f:
        f.write("scheduler: cosine\nrun: {epochs: 3}\n")
    doc = json.loads(CliRunner().invoke(cli, ["export", path]).output)
    assert doc["name"] == "caf\ufffd"
    for args in (["plot", path, "-o", str(tmp_path / "f.svg")], ["explain", path], ["compare", path, "-o", str(tmp_path / "c.svg")]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["plot", "cosine", "-o", "no/such/folder/f.png"],
        ["plot", "cosine", "-o", "OUT/"],
        ["compare", "cosine", "step:step_size=3", "-o", "no/such/folder/f.svg"],
        ["export", "cosine", "-o", "no/such/folder/t.json"],
        ["gallery", "CONFIGS", "-o", "OUT/gallery"],
    ],
    ids=lambda a: a[0] + "-" + a[-1].replace("/", "_"),
)
def test_outputs_are_checked_before_any_simulation(tmp_path, monkeypatch, args):
    # A config that takes minutes must not run before the user hears the folder is missing.
    import lrplot.engine
    import lrplot.gallery

    def must_not_run(*args, **kwargs):
        raise AssertionError("simulated before the output was checked")

    monkeypatch.setattr(lrplot.engine, "simulate", must_not_run)
    monkeypatch.setattr(lrplot.gallery, "render_gallery", must_not_run)
    result, _ = _invoke(tmp_path, args)
    assert result.exit_code == 2 and "Error: --output" in result.output, result.output


# ------------------------------------------------------------------------------------------------
# Property tests: random configs and command lines end in success or a clean error, nothing else.

# Python's own words and lrplot's own variable names, where a config's names could clash with them.
PYTHON_NAMES = ["class", "range", "lambda", "None", "print", "float", "torch", "optimizer", "model", "scheduler", "metric",
                "i", "epoch", "step", "cos", "lambda_lr", "group0", "cosine_annealing_lr", "x", "_"]

VALUES = st.one_of(
    st.integers(-5, 300),
    st.integers(-(2**70), 2**70),
    st.integers(10**300, 10**400),  # beyond a float
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(0, 2),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["0.95 ** epoch", "1 / epoch", "epoch // 3", "x", "min", "cos", "linear", "rel", "max", "2001-13-45", "\ud800"]),
    st.lists(st.integers(-3, 60), max_size=4),
    st.lists(st.floats(0, 1), min_size=1, max_size=3),
)
KEYS = st.sampled_from(sorted({p.name for s in SCHEDULERS for p in s.params if not p.nested} | {"typo_key", "last_epoch"}))


def plausible(p):
    """Values a user would give keyword ``p``: mostly in range, sometimes at its edges."""
    if p.choices:
        return st.sampled_from(p.choices)
    return {
        "int": st.integers(0, 60),
        "float": st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, 1e-300, 1e300, 5e-324])),
        "bool": st.booleans(),
        "int_list": st.lists(st.integers(0, 60), max_size=4).map(sorted),
        "per_group": st.floats(0, 1),
        "expr": st.sampled_from(["x", "1.0", "0.5 ** x", "1 / (1 + x)"]),
        "per_group_expr": st.sampled_from(["0.95 ** epoch", "1.0", "epoch / total_steps", "min(1, (epoch + 1) / 5)"]),
    }.get(p.kind, VALUES)


@st.composite
def schedulers(draw, depth=0):
    if draw(st.integers(0, 3)) == 0:  # anything at all
        kind = draw(st.sampled_from(all_names() + ["nonsense"]))
        node = {"type": kind}
        node.update(draw(st.dictionaries(KEYS, VALUES, max_size=4)))
        if depth < 2 and draw(st.booleans()) and kind.lower() in ("sequential", "sequentiallr", "chained", "chainedscheduler", "chain", "seq"):
            node["schedulers"] = draw(st.lists(schedulers(depth=depth + 1), min_size=1, max_size=3))
            node["milestones"] = draw(st.lists(st.integers(0, 40), max_size=3))
        return node
    # A scheduler's own example, then some of its keywords changed: mostly good configs, so that
    # what succeeds is tried as hard as what fails.
    info = draw(st.sampled_from([i for i in SCHEDULERS if depth < 2 or not i.composite]))
    node = {"type": draw(st.sampled_from([info.name, *info.aliases])), **copy.deepcopy(info.example)}
    for p in draw(st.lists(st.sampled_from([p for p in info.params if not p.nested] or [None]), max_size=2, unique_by=id)):
        if p is not None:
            node[p.name] = draw(st.one_of(plausible(p), VALUES) if draw(st.integers(0, 3)) == 0 else plausible(p))
    if info.composite:
        node["schedulers"] = draw(st.lists(schedulers(depth=depth + 1), min_size=1, max_size=3))
        if "milestones" in node:
            node["milestones"] = sorted(draw(st.lists(st.integers(0, 40), min_size=len(node["schedulers"]) - 1, max_size=len(node["schedulers"]) - 1)))
    return node


@st.composite
def configs(draw):
    config = {"scheduler": draw(schedulers())}
    config["run"] = draw(st.one_of(
        st.fixed_dictionaries({"epochs": st.integers(1, 40), "steps_per_epoch": st.integers(1, 4), "step": st.sampled_from(["epoch", "iteration", "fractional"])}),
        st.fixed_dictionaries({"epochs": st.integers(1, 40), "steps_per_epoch": st.integers(1, 4)}),
    ))
    groups = st.lists(st.fixed_dictionaries({"name": st.one_of(st.sampled_from(PYTHON_NAMES), st.text(max_size=8)), "lr": st.floats(0, 1)}),
                      min_size=2, max_size=3, unique_by=lambda g: g["name"])
    config["optimizer"] = draw(st.one_of(
        st.sampled_from([{}, {"lr": [0.1, 0.01]}, {"momentum": 0.9}, {"betas": [0.9, 0.999]}, {"lr": 0.0}]),
        groups.map(lambda g: {"param_groups": g}),
    ))
    if draw(st.booleans()):
        names = st.one_of(st.sampled_from(["range", "torch", "i", "print", "optimizer", "model", "lambda_lr", "group0"]), st.sampled_from(PYTHON_NAMES))
        config["vars"] = draw(st.dictionaries(names, st.one_of(st.integers(1, 9), st.sampled_from(["range + 1", "torch * 2"])), max_size=3))
    if "plateau" in repr(config["scheduler"]).lower() or draw(st.integers(0, 3)) == 0:
        config["metric"] = draw(st.one_of(
            st.sampled_from([{"synthetic": True}, {"values": [1.0] * 200}, {"values": [float("nan")] * 200}]),
            st.dictionaries(st.sampled_from(["initial", "rate", "every", "seed", "noise"]), VALUES, max_size=2).map(lambda d: {"synthetic": d}),
        ))
    return config


def _reference_json(trace) -> bytes:
    """The export as it was before streaming: one json.dumps of the whole document."""
    doc = {
        "name": trace.name, "unit": trace.unit, "steps_per_epoch": trace.steps_per_epoch if trace.has_epochs else None,
        "step": trace.step.tolist(), "epoch": trace.epoch.tolist() if trace.has_epochs else None, "groups": list(trace.groups),
        "lr": trace.lr.tolist(), "momentum": None if trace.momentum is None else trace.momentum.tolist(),
        "metric": None if trace.metric is None else [None if v != v else v for v in trace.metric.tolist()],
    }
    return (json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n").encode()


def _reference_csv(trace) -> bytes:
    columns = [[str(s) for s in trace.step.tolist()]] + ([[repr(e) for e in trace.epoch.tolist()]] if trace.has_epochs else [])
    columns += [[repr(v) for v in row] for row in trace.lr.tolist()]
    columns += [] if trace.momentum is None else [[repr(v) for v in row] for row in trace.momentum.tolist()]
    columns += [] if trace.metric is None else [["" if v != v else repr(v) for v in trace.metric.tolist()]]
    header = ",".join('"' + c.replace('"', '""') + '"' if any(ch in c for ch in ',"\n') else c for c in output.csv_header(trace))
    return ("\n".join([header] + [",".join(cells) for cells in zip(*columns)]) + "\n").encode()


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(), st.booleans())
def test_random_configs_simulate_or_fail_cleanly(config, exact):
    try:
        trace = lrplot.simulate(config, exact=exact)
    except LrplotError as exc:
        assert str(exc)  # a message, no crash
        return
    assert trace.lr.shape[1] == config["run"]["epochs"] * config["run"]["steps_per_epoch"]
    # What succeeds works for every command that does not draw: explain, code, export.
    assert explain(trace)
    compile(library_code(trace.spec), "<lrplot code>", "exec")
    assert output.to_json(trace) == _reference_json(trace)
    assert output.to_csv(trace) == _reference_csv(trace)


def test_streamed_exports_are_the_documents_bytes_across_chunks(monkeypatch):
    monkeypatch.setattr(output, "_CHUNK", 7)  # many chunks, and a last one cut short
    for config in ({"scheduler": "cosine", "optimizer": {"lr": [0.1, 0.2], "momentum": 0.9}, "run": {"epochs": 40}},
                   {"scheduler": "plateau", "metric": {"synthetic": True}, "run": {"iterations": 30}},
                   {"scheduler": {"type": "onecycle", "max_lr": 0.1}, "optimizer": {"param_groups": [{"name": 'a,"b"', "lr": 0.1}]}, "run": {"epochs": 3, "steps_per_epoch": 5}}):
        trace = lrplot.simulate(config)
        assert output.to_json(trace) == _reference_json(trace)
        assert output.to_csv(trace) == _reference_csv(trace)


# YAML values that PyYAML's constructors refuse in every way they can, put where configs, inline
# specs and sweeps put values.
YAML_VALUES = st.one_of(
    st.sampled_from(["!!float abc", "!!int x", "!!int 1.5", "!!timestamp x", "!!bool maybe", "!!binary abc", "!!str [1]", "!!set [1]",
                     "!!python/name:os.system", "&a [*a]", "&a {b: *a}", "9" * 5000, "2001-13-45", "1e400", ".nan", "-.inf",
                     '"\\ud800"', "[1, [2, [3]]]", "~", "!!null x", "!custom 3"]),
    st.text(alphabet=st.sampled_from(list("!&*[]{}:,-.0123456789eEx'\"~ ")), max_size=12),
)


@settings(max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["step", "cosine", "multistep", "exponential", "chained", "lambda", "plateau"]), KEYS, YAML_VALUES)
def test_random_yaml_values_in_files_and_inline_specs_fail_cleanly(kind, key, value):
    from lrplot.config import load
    from lrplot.values import yaml_load

    text = f"scheduler: {{type: {kind}, {key}: {value}}}\nrun: {{epochs: 5}}\nmetric: {{synthetic: true}}\n"
    try:
        load(yaml_load(text))
    except LrplotError as exc:
        assert str(exc)
    except yaml.YAMLError as exc:
        assert yaml_error_message(exc).strip()
    with tempfile.TemporaryDirectory() as folder:
        figure = os.path.join(folder, "c.svg")
        for args in (["compare", f"{kind}:{key}={value}", "--epochs", "5", "-o", figure], ["compare", kind, "--sweep", f"{key}={value}", "--epochs", "5", "-o", figure]):
            result = CliRunner().invoke(cli, args)
            assert result.exit_code in (0, 2), f"{args}: {result.output}{result.exception!r}"
            assert "Traceback" not in result.output and "internal error" not in result.output


FLAG_NAMES = sorted(SCHEDULER_PARAMS)
FLAG_VALUES = st.one_of(st.sampled_from(["0", "-1", "3", "0.5", "1e400", "nan", "1,2", "[3]", "x", "epoch", "9" * 400, "", ",,,"]), st.text(max_size=6))
# Run and output flags, and --size's parsing (the figure's other drawing flags belong to the figure tests).
RUN_FLAGS = {
    "--epochs": st.sampled_from(["1", "30", "0", "-3", "6e1", "1e7", "2.5", "x", "9" * 30]),
    "--iterations": st.sampled_from(["5", "60", "0", "1e9", "abc"]),
    "--steps-per-epoch": st.sampled_from(["1", "4", "0", "1e8"]),
    "--step": st.sampled_from(["epoch", "iteration", "fractional", "batch"]),
    "--lr": st.sampled_from(["0.1", "0.1,0.01", "-1", "nan", "1e400", "", ",", "0.1," * 70]),
    "--momentum": st.sampled_from(["0.9", "-0.5", "inf", "x"]),
    "--metric": st.sampled_from(["synthetic", "steps", "bogus"]),
    "--metric-csv": st.sampled_from(["nowhere.csv", "~no_such_user_lrplot/x.csv", ".", "/dev/null"]),
}
OUTPUTS = {
    "export": st.sampled_from(["-", "t.json", "t.csv", "dir/", "", ".", "x" * 300 + ".json", "no/such/t.json", "OUT", "OUT/t.json"]),
    "plot": st.sampled_from(["f.svg", "f.png", "f.jpg", "dir/", "", ".", "x" * 300 + ".svg", "no/such/f.svg", "OUT/f.svg"]),
}


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(["export", "explain", "code", "plot", "compare"]))
    target = draw(st.sampled_from(all_names() + ["nonsense", "x" * 300, "configs/warmup-cosine.yaml", "configs/", "/dev/null"]))
    args = [command, target]
    if command == "compare":
        args += draw(st.lists(st.sampled_from(["step:step_size=3", "cosine", "exponential:gamma=!!float x", "x" * 300, "multistep:milestones=[2,4]"]), max_size=3))
        if draw(st.booleans()):
            args += ["--sweep", draw(st.sampled_from(["T_max=", "T_max=,,,", "T_max=1,2", "=3", "gamma=!!float abc", "T_max=" + ",".join(["1"] * 30)]))]
    else:
        # Mostly the chosen scheduler's own keywords with plausible values, sometimes anything.
        info = lookup(target)
        own = [p.name for p in info.params if p.kind != "schedulers" and p.name in SCHEDULER_PARAMS] if info else []
        if info is not None and not info.composite and draw(st.integers(0, 3)):  # its example's keywords first
            for key, value in info.example.items():
                if key in SCHEDULER_PARAMS and SCHEDULER_PARAMS[key].kind == "bool":
                    args.append(("--" if value else "--no-") + key.replace("_", "-"))
                elif key in SCHEDULER_PARAMS:
                    args += ["--" + key.replace("_", "-"), ",".join(map(str, value)) if isinstance(value, list) else str(value)]
        for name in draw(st.lists(st.sampled_from(own or FLAG_NAMES) if own and draw(st.integers(0, 3)) else st.sampled_from(FLAG_NAMES), max_size=4, unique=True)):
            p = SCHEDULER_PARAMS[name]
            flag = "--" + name.replace("_", "-")
            if p.kind == "bool":
                args.append(flag if draw(st.booleans()) else f"--no-{name.replace('_', '-')}")
            else:
                value = draw(st.one_of(plausible(p), FLAG_VALUES) if draw(st.integers(0, 3)) == 0 else plausible(p))
                args += [flag, ",".join(map(str, value)) if isinstance(value, list) else str(value)]
    for flag in draw(st.lists(st.sampled_from(sorted(RUN_FLAGS)), max_size=2, unique=True)):
        args += [flag, draw(RUN_FLAGS[flag])]
    if "--epochs" not in args and "--iterations" not in args:
        args += ["--epochs", str(draw(st.integers(1, 30)))]
    if command in ("plot", "compare"):
        args += ["-o", draw(OUTPUTS["plot"])]
        if draw(st.booleans()):
            args += ["--size", draw(st.sampled_from(["7x4", "3.5x2.5", "1x1", "0.5x4", "1.2.3x4", "7by4", "x", "7x", "..x..", "1e3x4", "12X8"]))]
    elif command == "export":
        args += ["-o", draw(OUTPUTS["export"])]
    return args


@settings(max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(command_lines())
def test_random_command_lines_succeed_or_exit_2(tmp_path, args):
    cwd = os.getcwd()
    work = tmp_path / "run"  # hypothesis reuses tmp_path across examples: a fresh folder each time
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    (work / "OUT").write_text("old")
    os.chdir(work)
    try:
        args = [a.replace("configs/", os.path.join(cwd, "configs") + "/") if a.startswith("configs/") else a for a in args]
        args = [str(work / a) if a.startswith("OUT") else a for a in args]
        result = CliRunner().invoke(cli, args)
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 2), f"{args}: exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{args}: {result.exception!r}"
    assert "Traceback" not in result.output
    assert (work / "OUT").read_text() == "old" or result.exit_code == 0
    assert not [p for p in work.rglob("*") if p.name.startswith(".lrplot-")], "a temporary file was left behind"


# ------------------------------------------------------------------------------------------------
# Writes are atomic


def test_interrupted_write_leaves_old_file_and_no_partial(tmp_path, monkeypatch):
    from lrplot import output

    target = tmp_path / "trace.json"
    target.write_text("old")

    class Interrupted(BaseException):
        pass

    real_fdopen = os.fdopen

    def fdopen(fd, mode):
        f = real_fdopen(fd, mode)
        real_write = f.write

        def write(data):
            real_write(data[: len(data) // 2])  # half of the file reaches the disk, then ^C
            raise Interrupted()

        f.write = write
        return f

    monkeypatch.setattr(output.os, "fdopen", fdopen)
    with pytest.raises(Interrupted):
        output.write_atomic(str(target), b"x" * 10_000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["trace.json"]  # no temporary left behind


def test_interrupt_during_cli_run_exits_without_partial_file(tmp_path, monkeypatch):
    import lrplot.output as output

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", boom)
    result = CliRunner().invoke(cli, ["export", "cosine", "-o", str(tmp_path / "t.json")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_successful_write_replaces_atomically(tmp_path):
    target = tmp_path / "t.json"
    target.write_text("old")
    result = CliRunner().invoke(cli, ["export", "cosine", "--epochs", "5", "-o", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text())["lr"][0][0] == 0.1
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


def test_written_files_get_ordinary_permissions(tmp_path):
    # the temporary file is private until renamed; the result must not stay that way
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        assert CliRunner().invoke(cli, ["export", "cosine", "--epochs", "3", "-o", str(fresh)]).exit_code == 0
        assert fresh.stat().st_mode & 0o777 == 0o644
        shared = tmp_path / "shared.png"
        shared.write_bytes(b"old")
        shared.chmod(0o664)
        assert CliRunner().invoke(cli, ["plot", "cosine", "--epochs", "3", "-o", str(shared)]).exit_code == 0
        assert shared.stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(umask)
