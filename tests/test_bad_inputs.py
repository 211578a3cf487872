"""No input can crash, hang, escape or corrupt: the bad-input corpus, property tests, atomic writes."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrplot
from lrplot.cli import SCHEDULER_PARAMS, cli
from lrplot.errors import LrplotError
from lrplot.registry import SCHEDULERS, all_names

from bad_inputs import ARGS, YAML


def _invoke(tmp_path, args):
    """Run lrplot in tmp_path beside an existing output file; return (result, that file's bytes after)."""
    out = tmp_path / "out.json"
    out.write_bytes(b'{"old": true}')
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, [a.replace("OUT", str(out)) for a in args])
    finally:
        os.chdir(cwd)
    return result, out.read_bytes()


def _assert_clean_refusal(tmp_path, result, after, fragment, before_files):
    assert result.exit_code == 2, f"exit {result.exit_code}: {result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("Error:") or "Usage:" in result.output
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


@pytest.mark.parametrize(("case_id", "args", "fragment"), ARGS, ids=[c[0] for c in ARGS])
def test_bad_command_lines(tmp_path, case_id, args, fragment):
    result, after = _invoke(tmp_path, args)
    _assert_clean_refusal(tmp_path, result, after, fragment, ["out.json"])


def test_the_corpus_is_large_enough():
    assert len(YAML) + len(ARGS) >= 60


# ------------------------------------------------------------------------------------------------
# Property tests: random configs and command lines end in success or a clean error, nothing else.

VALUES = st.one_of(
    st.integers(-5, 300),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(0, 2),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["0.95 ** epoch", "1 / epoch", "epoch // 3", "x", "min", "cos", "linear", "rel", "max"]),
    st.lists(st.integers(-3, 60), max_size=4),
    st.lists(st.floats(0, 1), min_size=1, max_size=3),
)
KEYS = st.sampled_from(sorted({p.name for s in SCHEDULERS for p in s.params if p.kind != "schedulers"} | {"typo_key", "last_epoch"}))


@st.composite
def schedulers(draw, depth=0):
    kind = draw(st.sampled_from(all_names() + ["nonsense"]))
    node = {"type": kind}
    node.update(draw(st.dictionaries(KEYS, VALUES, max_size=4)))
    if depth < 2 and draw(st.booleans()) and kind.lower() in ("sequential", "sequentiallr", "chained", "chainedscheduler", "chain", "seq"):
        node["schedulers"] = draw(st.lists(schedulers(depth=depth + 1), min_size=1, max_size=3))
        node["milestones"] = draw(st.lists(st.integers(0, 40), max_size=3))
    return node


@st.composite
def configs(draw):
    config = {"scheduler": draw(schedulers())}
    config["run"] = {
        "epochs": draw(st.integers(1, 40)),
        "steps_per_epoch": draw(st.integers(1, 4)),
        "step": draw(st.sampled_from(["epoch", "iteration", "fractional"])),
    }
    config["optimizer"] = draw(st.sampled_from([{}, {"lr": [0.1, 0.01]}, {"momentum": 0.9}, {"betas": [0.9, 0.999]}, {"lr": 0.0}]))
    if draw(st.booleans()):
        config["metric"] = draw(st.sampled_from([{"synthetic": True}, {"values": [1.0] * 200}, {"values": [float("nan")] * 200}]))
    return config


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(), st.booleans())
def test_random_configs_simulate_or_fail_cleanly(config, exact):
    try:
        trace = lrplot.simulate(config, exact=exact)
    except LrplotError as exc:
        assert str(exc)  # a message, no crash
        return
    assert trace.lr.shape[1] == config["run"]["epochs"] * config["run"]["steps_per_epoch"]


FLAG_NAMES = sorted(SCHEDULER_PARAMS)


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(["export", "explain", "code", "plot"]))
    args = [command, draw(st.sampled_from(all_names() + ["nonsense", "configs/warmup-cosine.yaml"]))]
    for name in draw(st.lists(st.sampled_from(FLAG_NAMES), max_size=4, unique=True)):
        flag = "--" + name.replace("_", "-")
        if SCHEDULER_PARAMS[name].kind == "bool":
            args.append(flag if draw(st.booleans()) else f"--no-{name.replace('_', '-')}")
        else:
            args += [flag, draw(st.one_of(st.sampled_from(["0", "-1", "3", "0.5", "1e400", "nan", "1,2", "[3]", "x", "epoch"]), st.text(max_size=6)))]
    args += ["--epochs", str(draw(st.integers(1, 30)))]
    if command == "plot":
        args += ["-o", "f.svg"]
    return args


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(command_lines())
def test_random_command_lines_succeed_or_exit_2(tmp_path, args):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        if "configs/warmup-cosine.yaml" in args:
            args = [a.replace("configs/warmup-cosine.yaml", os.path.join(cwd, "configs", "warmup-cosine.yaml")) for a in args]
        result = CliRunner().invoke(cli, args)
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 2), f"{args}: exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{args}: {result.exception!r}"
    assert "Traceback" not in result.output


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
