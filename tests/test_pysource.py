"""Python files read statically (lrplot.pysource): what is read, what is refused, and bounds."""

from __future__ import annotations

import re

import pytest

from lrplot.errors import ConfigError
from lrplot.pysource import PURE_CALLS, Unreadable, find_unreadable, module_names, need


def names(text: str, **kw):
    return module_names(text, "cfg.py", **kw)


def test_literals_arithmetic_and_earlier_names():
    ns = names(
        "max_epochs = 12\n"
        "lr = 0.02 * 8 / 16\n"
        "milestones = [8, 11]\n"
        "param_scheduler = [dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),\n"
        "                   dict(type='MultiStepLR', end=max_epochs, milestones=milestones, gamma=0.1)]\n"
        "optim_wrapper = dict(optimizer=dict(type='SGD', lr=lr, momentum=0.9))\n"
        "name = f'run-{max_epochs}e'\n"
        "x = {**dict(a=1), 'b': (1, 2)[1], 'c': -max_epochs if max_epochs > 10 else 0}\n"
    )
    assert ns["lr"] == 0.02 * 8 / 16
    assert ns["param_scheduler"][1] == {"type": "MultiStepLR", "end": 12, "milestones": [8, 11], "gamma": 0.1}
    assert ns["optim_wrapper"]["optimizer"]["lr"] == 0.01
    assert ns["name"] == "run-12e"
    assert ns["x"] == {"a": 1, "b": 2, "c": -12}


def test_attribute_and_item_assignment_set_keys_of_dicts():
    ns = names("train_dataloader = dict(batch_size=2)\ntrain_dataloader.batch_size = 16\ncfg = {}\ncfg['lr'] = 0.1\nn = 1\nn += 2\n")
    assert ns["train_dataloader"] == {"batch_size": 16} and ns["cfg"] == {"lr": 0.1} and ns["n"] == 3


def test_what_cannot_be_read_is_unreadable_until_needed():
    ns = names(
        "import torch\n"
        "model = dict(backbone=build_backbone(depth=50))\n"
        "for i in range(3):\n    last = i\n"
        "lr = 0.1\n"
    )
    assert ns["lr"] == 0.1  # the schedule's part is read whatever the rest holds
    assert isinstance(ns["torch"], Unreadable) and isinstance(ns["last"], Unreadable)
    assert isinstance(find_unreadable(ns["model"]), Unreadable)
    with pytest.raises(ConfigError) as err:
        need(ns["model"], "model.backbone")
    assert str(err.value).startswith("cfg.py:2: model.backbone comes from a call of build_backbone()")
    with pytest.raises(ConfigError, match=r"cfg.py:3: .*a for loop at line 3"):
        need(ns["last"])


def test_an_unknown_name_says_where_it_is_used():
    ns = names("a = b + 1\n")
    with pytest.raises(ConfigError, match="cfg.py:1: the name 'b', which the file does not assign before this line"):
        need(ns["a"])


def test_allowed_calls_compute_and_others_do_not():
    ns = names("a = round(2.5)\nb = max(1, 3)\nc = open('x')\n", calls=PURE_CALLS)
    assert ns["a"] == 2 and ns["b"] == 3 and isinstance(ns["c"], Unreadable)


@pytest.mark.parametrize("text, message", [
    ("x = 10 ** 10 ** 10\n", "bits; not a number a config holds"),
    ("x = [0] * 10 ** 9\n", "items; lrplot reads at most"),
    ("x = 'a' * 200_000\n", "items; lrplot reads at most"),
    ("x = 1 / 0\n", "cannot be computed (ZeroDivisionError"),
    ("x = (\n", "is not valid Python"),
])
def test_refused_with_the_line(text, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        names(text)


@pytest.mark.parametrize("text", ["x = " + "[" * 100_000 + "]" * 100_000 + "\n", "x = " + "-" * 100_000 + "1\n",
                                  "x = " + "1 + " * 50_000 + "1\n"])
def test_deep_nesting_is_an_error_not_a_crash(text):
    with pytest.raises(ConfigError, match="nested|too deep|too large"):
        names(text)


def test_nothing_runs():
    # a file that would write a file, import, and call things: reading it does none of that
    ns = names("import os\nos.system('touch /tmp/lrplot-must-not-exist')\nopen('/tmp/lrplot-must-not-exist', 'w')\nlr = 1\n")
    import os

    assert ns["lr"] == 1 and not os.path.exists("/tmp/lrplot-must-not-exist")


SCHEDULE = '''
BASE = 90000
def default_X_scheduler(num_X, factor=0.001, *, method="linear"):
    """a docstring"""
    total = num_X * BASE
    if num_X <= 2:
        milestones = [60000, 80000]
    elif num_X == 3:
        milestones = [total - 60000, total - 20000]
    else:
        return dict(total=total)
    return dict(milestones=milestones, total=total, factor=factor, method=method)
one = default_X_scheduler(1)
three = default_X_scheduler(3, factor=0.01, method="constant")
nine = default_X_scheduler(9)
'''


def test_the_files_own_functions_are_called_when_a_reader_allows():
    ns = module_names(SCHEDULE, "s.py", functions=True)
    assert ns["one"] == {"milestones": [60000, 80000], "total": 90000, "factor": 0.001, "method": "linear"}
    assert ns["three"] == {"milestones": [210000, 250000], "total": 270000, "factor": 0.01, "method": "constant"}
    assert ns["nine"] == {"total": 810000}
    assert isinstance(module_names(SCHEDULE, "s.py")["one"], Unreadable)  # not unless asked


@pytest.mark.parametrize("body, construct", [
    ("    for i in range(n):\n        pass\n    return n\n", "a for loop in a function"),
    ("    import os\n    return n\n", "an import in a function"),
    ("    while n:\n        n -= 1\n    return n\n", "a while loop in a function"),
    ("    return f(n)\n", "more than 16 deep"),
])
def test_a_function_that_does_more_is_unreadable_or_refused(body, construct):
    text = "def f(n):\n" + body + "x = f(3)\n"
    try:
        value = module_names(text, "f.py", functions=True)["x"]
    except ConfigError as exc:
        assert construct in str(exc)
        return
    assert isinstance(value, Unreadable) and construct in value.construct and value.where == "f.py:2"


@pytest.mark.parametrize("call, construct", [
    ("f()", "without its argument 'n'"), ("f(1, 2)", "with 2 positional arguments"), ("f(m=1)", "unexpected argument 'm'"),
    ("f(open('x'))", "a call of open()"),
])
def test_calls_that_do_not_fit_the_function_are_unreadable(call, construct):
    value = module_names(f"def f(n):\n    return n\nx = {call}\n", "f.py", functions=True)["x"]
    assert isinstance(value, Unreadable) and construct in value.construct
