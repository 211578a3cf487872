"""Valid but awkward inputs draw in every figure (PNG, SVG, log axis, terminal) with text shown
literally and nothing on stderr: the figure block of the bad-input corpus, and property tests."""

from __future__ import annotations

import os
import warnings

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrplot
from lrplot.cli import cli
from lrplot.render import Look, figure_bytes, plot_trace

from bad_inputs import FIGURE_INPUTS


def _run(tmp_path, args):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a matplotlib warning is a failure, not noise on stderr
            return CliRunner().invoke(cli, args)
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize(("case_id", "content", "args"), FIGURE_INPUTS, ids=[c[0] for c in FIGURE_INPUTS])
def test_awkward_inputs_draw_without_warnings(tmp_path, case_id, content, args):
    if content is not None:
        (tmp_path / "c.yaml").write_text(content, encoding="utf-8")
        args = ["c.yaml", *args]
    outputs = [["-o", "f.png"], ["-o", "f.svg"]] + ([] if "--size" in args else [["--term"]])  # --term has no --size
    for output in outputs:
        result = _run(tmp_path, ["plot", *args, *output])
        assert result.exit_code == 0, f"{output}: {result.output}"
        if output[0] == "-o":
            assert result.output == f"{output[1]}\n"
            assert (tmp_path / output[1]).stat().st_size > 1000
        else:
            assert "nan" not in result.output and "inf" not in result.output


NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAMES, NAMES, st.floats(5e-324, 1.7e308), st.sampled_from([(0.5, 0.5), (1, 4), (7, 0.9), (3, 2), (20, 1)]), st.booleans())
def test_any_name_lr_and_size_draws_literally(name, group, lr, size, log):
    config = {"name": name, "optimizer": {"param_groups": [{"name": group, "lr": lr}, {"name": group + "2", "lr": lr / 2}]}, "scheduler": {"type": "poly", "total_iters": 5}, "run": {"epochs": 8}}
    trace = lrplot.simulate(config)
    look = Look(size=size, dpi=40, log=log, title=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_trace(trace, look)
        figure_bytes(fig, "png", look)
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "title"]
    assert texts and "$" not in name or "$" in "".join(texts)
