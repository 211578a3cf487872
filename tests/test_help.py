"""The command line explains itself in a screen: --help shows the common options, `lrplot help`
the rest, summaries are never cut, and `lrplot list` fits 100 columns."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.clihelp import TOPIC_WORDS, TOPICS
from lrplot.registry import FAMILIES

COMMANDS = cli.list_commands(click.Context(cli))
NARROW = {"COLUMNS": "80"}


def run(*args: str, env=NARROW):
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_lrplot_help_names_what_lrplot_does_and_never_cuts_a_summary():
    text = run("--help")
    words = " ".join(text.split())
    for family in FAMILIES[1:]:
        assert family.name in words
    assert "checks configs" in words and "a logged run against its plan" in words
    commands = text.split("Commands:")[1]
    assert "..." not in commands and all(f"  {name} " in commands for name in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_help_fits_a_screen_of_80_columns(command):
    lines = run(command, "--help").splitlines()
    assert max(len(line) for line in lines) <= 80
    if command in ("plot", "compare", "verify"):
        assert len(lines) <= 40, f"{command} --help is {len(lines)} lines"


@pytest.mark.parametrize("command", ["plot", "compare", "export", "explain", "code"])
def test_options_left_out_of_help_are_named_there_and_listed_by_topic(command):
    short = run(command, "--help")
    full = run("help", command)
    root = click.Context(cli)
    params = [p for p in cli.get_command(root, command).params if isinstance(p, click.Option)]
    for p in params:
        # every option is in --help (itself, or named under its topic) and in `lrplot help COMMAND`
        flag = re.compile(rf"(?<![\w-]){re.escape(p.opts[0])}(?![\w-])")
        assert flag.search(full) and flag.search(short), p.opts[0]
    for topic in {TOPICS[p.name] for p in params if p.name in TOPICS}:
        listed = run("help", topic)
        for p in params:
            if TOPICS.get(p.name) == topic:
                assert p.opts[0] in listed


def test_help_topics_and_errors():
    assert set(TOPIC_WORDS) == set(TOPICS.values())
    root = click.Context(cli)
    # a command is said to take the run's options only where it takes every one (verify has no --dtype)
    taken = {name: {p.opts[0] for p in cli.get_command(root, name).params if TOPICS.get(p.name) == "run"} for name in COMMANDS}
    every = set().union(*taken.values())
    takers = [name for name in COMMANDS if taken[name] == every]
    assert {"plot", "compare", "export", "explain", "code"} <= set(takers) and "verify" not in takers and "--dtype" in every
    text = " ".join(run("help", "run").split())
    assert f"Taken by: {', '.join(takers[:-1])} and {takers[-1]}." in text
    assert "check and verify take only --dataset-size," in text and "--dtype" not in text.split("take only")[1].split(".")[0]
    result = CliRunner().invoke(cli, ["help", "figures"])
    assert result.exit_code == 2 and "did you mean 'figure'?" in result.output


def test_list_fits_100_columns_and_writes_booleans_one_way():
    for what in [None, *(f.name for f in FAMILIES), "onecycle", "cyclic"]:
        text = run("list", *([what] if what else []), env={"COLUMNS": "200"})
        assert max(len(line) for line in text.splitlines()) <= 100, what
        assert not re.search(r"\b(True|False)\b", text), what
