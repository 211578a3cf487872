"""Schedules in the user's own code (``type: code``, ``FILE.py:NAME``): read statically, never run.

Each case is a real project's schedule function (tests/fixtures/code, sources cited in each file).
The reference is the function itself: the test executes the copied function (lrplot never does) in
the loop its project runs, on a stand-in optimizer, with the names lrplot read, and compares the lrs
with lrplot's trace; what lrplot read for the names is checked against the file's own text.
"""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lrplot.cli import cli
from lrplot.config import from_mapping
from lrplot.engine import simulate
from lrplot.errors import ConfigError

FIXTURES = Path(__file__).parent / "fixtures" / "code"

# (fixture function, scheduler keys, run, optimizer lrs)
CASES = {
    "nanogpt": ("nanogpt/train.py:get_lr", {}, {"iterations": 6001, "step": "iteration"}, [6e-4]),
    "nanogpt-gpt2-config": ("nanogpt/train.py:get_lr", {"set_file": "nanogpt/config/train_gpt2.py", "set": "lr_decay_iters=5000,warmup_iters=200"},
                            {"iterations": 5001}, [6e-4]),
    "imagenet": ("imagenet/main.py:adjust_learning_rate", {"when": "epoch_start"}, {"epochs": 90, "steps_per_epoch": 3}, [0.1]),
    "moco-steps": ("moco/main_moco.py:adjust_learning_rate", {}, {"epochs": 200, "steps_per_epoch": 2}, [0.03]),
    "moco-cos": ("moco/main_moco.py:adjust_learning_rate", {"set": "cos=true"}, {"epochs": 200}, [0.03]),
    "mocov3": ("mocov3/main_moco.py:adjust_learning_rate", {"when": "iteration", "call": "adjust_learning_rate(optimizer, epoch + i / iters_per_epoch, args)"},
               {"epochs": 100, "steps_per_epoch": 7, "step": "iteration"}, [0.6]),
    "mae": ("mae/util/lr_sched.py:adjust_learning_rate", {"when": "iteration", "args_from": "mae/main_pretrain.py", "set": "args.lr=0.0024",
            "call": "adjust_learning_rate(optimizer, data_iter_step / len(data_loader) + epoch, args)"},
            {"epochs": 50, "steps_per_epoch": 5, "step": "iteration"}, [0.0024]),
    # MAE's loop with gradient accumulation: `if data_iter_step % accum_iter == 0: adjust_learning_rate(...)`, i in batches
    "mae-accum": ("mae/util/lr_sched.py:adjust_learning_rate", {"when": "iteration", "args_from": "mae/main_pretrain.py",
                  "set": "args.lr=0.0024,args.epochs=4,args.warmup_epochs=1",
                  "call": "adjust_learning_rate(optimizer, data_iter_step / len(data_loader) + epoch, args)"},
                  {"epochs": 4, "dataset_size": 86, "batch_size": 2, "grad_accum": 4, "step": "iteration"}, [0.0024]),
    "barlowtwins": ("barlowtwins/main.py:adjust_learning_rate", {"when": "iteration"}, {"epochs": 30, "steps_per_epoch": 4, "step": "iteration"}, [0.2, 0.0048]),
    "supcon": ("supcon/util.py:adjust_learning_rate", {"args_from": "supcon/main_supcon.py", "call": "adjust_learning_rate(opt, optimizer, epoch + 1)",
               "set": "cosine=true,batch_size=1024", "also": [{"function": "supcon/util.py:warmup_learning_rate", "when": "iteration",
                                                               "call": "warmup_learning_rate(opt, epoch + 1, i, len(train_loader), optimizer)"}]},
               {"epochs": 40, "steps_per_epoch": 6}, [0.5]),
    "detectron2-warmup": ("detectron2/lr_scheduler.py:_get_warmup_factor_at_iter", {"returns": "factor", "when": "iteration",
                          "call": "_get_warmup_factor_at_iter('linear', step, 1000, 0.001)"}, {"iterations": 3000}, [0.02]),
}


def _spec(case):
    function, keys, run, lrs = CASES[case]
    data = {"optimizer": {"lr": lrs}, "run": run, "scheduler": {"type": "code", "function": function, **keys}}
    return from_mapping(data, base_dir=FIXTURES)


def _function(part):
    """The fixture's function, executed from its own text with the names lrplot read (never the file)."""
    import argparse

    tree = ast.parse(part.source)
    namespace = {"math": math, "np": np, "numpy": np, **dict(part.names)}
    for name in part.namespace_names:
        namespace[name] = argparse.Namespace(**dict(part.namespace))
    if isinstance(tree.body[0], ast.FunctionDef):
        exec(compile(tree, part.program.where, "exec"), namespace)  # noqa: S102 - the test runs the copied fixture
        return namespace[tree.body[0].name], namespace
    raise AssertionError("not a function")


class _Optimizer:
    def __init__(self, lrs):
        self.param_groups = [{"lr": lr} for lr in lrs]


def _reference(spec):
    """Run the copied functions in the loop the project runs, on a stand-in optimizer."""
    run = spec.run
    schedule = spec.scheduler.params["translated"]
    optimizer = _Optimizer([g.lr for g in spec.optimizer.groups])
    initial = [g.lr for g in spec.optimizer.groups]
    functions = [_function(p) for p in schedule.parts]
    spe = run.steps_per_epoch
    accum = run.plan.grad_accum if run.plan is not None else 1
    batches = run.plan.batches if run.plan is not None else spe
    out = []

    def call(part, fn, names, epoch, i, step):
        scope = {**names, fn.__name__: fn, "optimizer": optimizer, "epoch": epoch, "i": i, "step": step, "len": len,
                 "steps_per_epoch": spe, "iters_per_epoch": batches, "data_iter_step": i, "idx": i, "it": step, "iter_num": step}
        for loader in ("loader", "train_loader", "data_loader"):
            scope[loader] = range(batches)
        value = eval(part.call, scope)  # noqa: S307 - the test runs the copied fixture
        if part.returns == "lr":
            for group in optimizer.param_groups:
                group["lr"] = value
        elif part.returns == "factor":
            for group, base in zip(optimizer.param_groups, initial):
                group["lr"] = base * value

    for epoch in range(run.epochs):
        for part, (fn, names) in zip(schedule.parts, functions):
            if part.when == "epoch_start":
                call(part, fn, names, epoch, 0, epoch * spe)
        for i in range(batches):  # MAE's loop: the call at the first batch of each accumulation, a step after its last
            step = epoch * spe + i // accum
            if i // accum >= spe or step >= run.total_steps:
                break
            if i % accum == 0:
                for part, (fn, names) in zip(schedule.parts, functions):
                    if part.when == "iteration":
                        call(part, fn, names, epoch, i, step)
            if (i + 1) % accum == 0:
                out.append([g["lr"] for g in optimizer.param_groups])
        for part, (fn, names) in zip(schedule.parts, functions):
            if part.when == "epoch_end":
                call(part, fn, names, epoch, batches - 1, (epoch + 1) * spe - 1)
    return np.array(out, dtype=np.float64).T


@pytest.mark.parametrize("case", CASES)
def test_trace_is_the_function_run_in_its_loop(case):
    spec = _spec(case)
    reference = _reference(spec)
    exact = simulate(spec, exact=True).lr
    assert np.array_equal(exact, reference)  # bit for bit: the same Python operations on the same numbers
    fast = simulate(spec).lr
    assert np.max(np.abs(fast - reference)) <= 1e-12 * np.max(np.abs(reference))


def test_nanogpt_reads_the_file_as_it_is():
    spec = _spec("nanogpt")
    (part,) = spec.scheduler.params["translated"].parts
    assert dict(part.names) == {"learning_rate": 6e-4, "lr_decay_iters": 600000, "min_lr": 6e-5, "warmup_iters": 2000}
    assert spec.files == (str(FIXTURES / "nanogpt/train.py"),) or spec.files[0].endswith("nanogpt/train.py")
    gpt2 = _spec("nanogpt-gpt2-config")
    assert dict(gpt2.scheduler.params["translated"].parts[0].names)["lr_decay_iters"] == 5000  # --set wins over the config file
    assert any(f.endswith("train_gpt2.py") for f in gpt2.files)


def test_argparse_defaults_and_rewrites():
    (imagenet,) = _spec("imagenet").scheduler.params["translated"].parts
    assert imagenet.namespace["lr"] == 0.1 and imagenet.namespace["epochs"] == 90  # parser.add_argument('--lr', '--learning-rate', default=0.1)
    (mocov3,) = _spec("mocov3").scheduler.params["translated"].parts
    assert mocov3.namespace["lr"] == 0.6 * 4096 / 256  # main(): args.lr = args.lr * args.batch_size / 256


def test_nanogpt_loop_runs_max_iters_plus_one():
    # while True: ... iter_num += 1; if iter_num > max_iters: break  -> iterations 0..max_iters
    result = CliRunner().invoke(cli, ["export", str(FIXTURES / "nanogpt/train.py") + ":get_lr", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = result.output.strip().splitlines()
    assert len(rows) == 1 + 600001


REFUSED = {
    # coiltraine's schedule reads g_conf, a config object of another module
    "object-from-another-module": ({"function": "coiltraine/network/optimizer.py:adjust_learning_rate"}, "optimizer.py:14", "from configs import g_conf"),
    # ... and, given its values, halves the lr in a while loop
    "while-loop": ({"function": "coiltraine/network/optimizer.py:adjust_learning_rate",
                    "set": "g_conf.LEARNING_RATE=2e-4,g_conf.LEARNING_RATE_DECAY_INTERVAL=50000,g_conf.LEARNING_RATE_DECAY_LEVEL=0.5"},
                   "optimizer.py:18", "a while loop"),
    # detectron2's WarmupMultiStepLR.get_lr calls a helper (and bisect_right): lrplot translates one function
    "helper-function": ({"function": "detectron2/lr_scheduler.py:WarmupMultiStepLR.get_lr", "call": "get_lr()", "when": "iteration",
                         "set": "self.warmup_method=linear,self.last_epoch=0,self.warmup_iters=1000,self.warmup_factor=0.001"},
                        "lr_scheduler.py:169", "a call of _get_warmup_factor_at_iter(), another function of the file"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_what_cannot_be_translated_is_refused_by_file_and_line(case):
    keys, where, words = REFUSED[case]
    with pytest.raises(ConfigError) as info:
        from_mapping({"run": {"epochs": 5, "step": "iteration" if keys.get("when") == "iteration" else "epoch"}, "scheduler": {"type": "code", **keys}},
                     base_dir=FIXTURES)
    assert where in str(info.value) and words in str(info.value)


def test_cli_commands_on_a_function(tmp_path):
    target = str(FIXTURES / "imagenet/main.py") + ":adjust_learning_rate"
    runner = CliRunner()
    for args in (["plot", target, "--epochs", "90", "-o", str(tmp_path / "f.png")], ["explain", target, "--epochs", "90"],
                 ["export", target, "--epochs", "90"], ["code", target, "--epochs", "90"],
                 ["compare", target, "multistep:milestones=[30,60],gamma=0.1", "--epochs", "90", "-o", str(tmp_path / "c.png")]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output)
    result = runner.invoke(cli, ["plot", str(FIXTURES / "imagenet/main.py") + ":no_such_function"])
    assert result.exit_code == 2 and "Error:" in result.output and "no_such_function" in result.output


@pytest.mark.parametrize("case", CASES)
def test_the_emitted_code_runs_the_function(case):
    spec = _spec(case)
    from lrplot.code import library_code

    pytest.importorskip("torch")
    text = library_code(spec)
    namespace: dict = {}
    exec(compile(text, "emitted", "exec"), namespace)  # noqa: S102
    assert np.array_equal(np.array(namespace["lrs"]).T, simulate(spec, exact=True).lr)  # bit for bit, run with torch


def test_per_epoch_function_counting_iterations_is_a_warning():
    from lrplot.check import findings
    from lrplot.engine.pitfalls import Subject

    spec = from_mapping({"run": {"epochs": 12, "steps_per_epoch": 500}, "scheduler": {"type": "code", "function": "nanogpt/train.py:get_lr",
                         "when": "epoch_start", "call": "get_lr(epoch)"}}, base_dir=FIXTURES)
    codes = [f.code for f in findings(Subject(spec, simulate(spec)))]
    assert "UC101" in codes



def test_verify_a_log_the_function_wrote(tmp_path):
    # the lr MoCo's loop sets, logged per optimizer step as a CSV logger writes it (step,lr)
    spec = _spec("moco-steps")
    logged = _reference(spec)[0]
    log = tmp_path / "metrics.csv"
    log.write_text("step,lr\n" + "".join(f"{k},{float(lr)!r}\n" for k, lr in enumerate(logged)))
    config = tmp_path / "moco.yaml"
    config.write_text(f"optimizer: {{lr: 0.03}}\nrun: {{epochs: 200, steps_per_epoch: 2}}\n"
                      f"scheduler: {{type: code, function: '{FIXTURES / 'moco/main_moco.py'}:adjust_learning_rate'}}\n")
    result = CliRunner().invoke(cli, ["verify", str(config), str(log)])
    assert result.exit_code == 0, result.output
    # a run whose milestones moved (--schedule 100 160) diverges, and verify says where
    log.write_text("step,lr\n" + "".join(f"{k},{(0.003 if 200 <= k < 240 else float(lr))!r}\n" for k, lr in enumerate(logged)))
    result = CliRunner().invoke(cli, ["verify", str(config), str(log)])
    assert result.exit_code == 1 and "200" in result.output


def test_gallery_recipes_read_the_fixtures():
    root = Path(__file__).parent.parent / "configs"
    for name in ("nanogpt-train-py", "imagenet-adjust-learning-rate"):
        spec = __import__("lrplot.config", fromlist=["load"]).load(root / f"{name}.yaml")
        assert spec.scheduler.type == "code.function" and len(spec.files) >= 2  # the config and the function's file
    nanogpt = __import__("lrplot.config", fromlist=["load"]).load(root / "nanogpt-cosine.yaml")
    assert nanogpt.run.total_steps == 600001  # iterations 0..max_iters, as nanoGPT's loop runs them


def test_vars_name_numbers_in_every_numeric_field():
    spec = from_mapping({"vars": {"max_iters": 1000, "n": "max_iters + 1", "m1": "total_steps // 2", "w": 10},
                         "run": {"iterations": "n"},
                         "scheduler": {"type": "multistep", "milestones": ["m1", 900], "gamma": 0.5}})
    assert spec.run.total_steps == 1001 and spec.scheduler.params["milestones"] == (500, 900)
    hf = from_mapping({"vars": {"w": 10}, "transformers": {"learning_rate": 5e-5, "warmup_steps": "w", "max_steps": 100}})
    assert hf.scheduler.params["num_warmup_steps"] == 10
    with pytest.raises(ConfigError, match="not a defined name.*a var"):
        from_mapping({"scheduler": {"type": "step", "step_size": "w"}})
    with pytest.raises(ConfigError, match="uses the run's names, so it cannot size the run"):
        from_mapping({"vars": {"a": "total_steps"}, "run": {"epochs": "a"}, "scheduler": "cosine"})


def test_inline_compare_specs_take_run_and_optimizer_keys(tmp_path):
    from lrplot.inline import split_run_keys

    assert split_run_keys({"lr": 5e-5, "epochs": 3, "T_max": 3}) == ({"T_max": 3}, {"lr": 5e-5, "epochs": 3})
    result = CliRunner().invoke(cli, ["compare", "cosine:lr=5e-5,epochs=3", "cosine:lr=6e-4,iterations=100", "-o", str(tmp_path / "c.png")])
    assert result.exit_code == 0, result.output


def test_a_target_reads_its_optimizer_and_loop_from_the_file():
    from lrplot.sources import framework_target

    mocov3 = framework_target(str(FIXTURES / "mocov3/main_moco.py") + ":adjust_learning_rate")
    assert mocov3["optimizer"] == {"lr": 9.6}  # LARS(..., args.lr) after main's args.lr = args.lr * args.batch_size / 256
    barlow = framework_target(str(FIXTURES / "barlowtwins/main.py") + ":adjust_learning_rate")
    # LARS(parameters, lr=0); two groups set by index; args.epochs (1000) and the step it takes
    assert barlow["optimizer"] == {"lr": [0.0, 0.0]} and barlow["run"] == {"epochs": 1000, "step": "iteration"}
    nanogpt = framework_target(str(FIXTURES / "nanogpt/train.py") + ":get_lr", {"set": "max_iters=100"})
    assert nanogpt["run"] == {"iterations": 101}
    assert framework_target("configs/warmup-cosine.yaml") is None and framework_target("nowhere.py:get_lr") is None
    result = CliRunner().invoke(cli, ["check", "--strict", str(FIXTURES / "imagenet/main.py") + ":adjust_learning_rate"])
    assert result.exit_code == 0, result.output


def test_a_function_that_multiplies_the_lr_it_finds(tmp_path):
    # the pattern of many scripts (`if epoch in schedule: param_group['lr'] *= gamma`): the lr carries state
    # from call to call, so lrplot runs it call by call; written here, compared with running it
    source = (
        "def adjust_lr(optimizer, epoch, gamma):\n"
        "    schedule = list(range(3, 32, 2))\n"
        "    if epoch in schedule:\n"
        "        for param_group in optimizer.param_groups:\n"
        "            param_group['lr'] *= gamma\n"
        "    return optimizer.state_dict()['param_groups'][0]['lr']\n"
    )
    (tmp_path / "lr.py").write_text(source)
    spec = from_mapping({"optimizer": {"lr": [0.1, 0.01]}, "run": {"epochs": 40},
                         "scheduler": {"type": "code", "function": "lr.py:adjust_lr", "call": "adjust_lr(optimizer, epoch, 0.5)"}}, base_dir=tmp_path)
    namespace: dict = {}
    exec(compile(source, "lr.py", "exec"), namespace)  # noqa: S102
    optimizer = _Optimizer([0.1, 0.01])
    optimizer.state_dict = lambda: {"param_groups": optimizer.param_groups}
    want = []
    for epoch in range(40):
        namespace["adjust_lr"](optimizer, epoch, 0.5)
        want.append([g["lr"] for g in optimizer.param_groups])
    assert np.array_equal(simulate(spec).lr, np.array(want).T) and spec.scheduler.params["translated"].parts[0].program.stateful


def test_a_file_read_is_refused(tmp_path):
    # written here (the shape of a schedule that reads its lr from a file the user edits while training)
    (tmp_path / "lr.py").write_text("def manual(epoch, lr):\n    with open('lr.txt') as f:\n        return float(f.read())\n")
    with pytest.raises(ConfigError, match=r"lr.py:2: .*a with block \(I/O\)"):
        from_mapping({"scheduler": {"type": "code", "function": "lr.py:manual", "call": "manual(epoch, 0.1)"}}, base_dir=tmp_path)


def test_the_loops_condition_around_the_call_is_read():
    # nanoGPT's loop: `lr = get_lr(iter_num) if decay_lr else learning_rate`; config/finetune_shakespeare.py sets decay_lr = False
    result = CliRunner().invoke(cli, ["export", str(FIXTURES / "nanogpt/train.py") + ":get_lr", "--set-file",
                                      str(FIXTURES / "nanogpt/config/finetune_shakespeare.py"), "--format", "csv", "-o", "-"])
    assert result.exit_code == 0, result.output
    lrs = [float(row.split(",")[-1]) for row in result.output.strip().splitlines()[1:]]
    # the reference: the loop's own line, run with the config's names (the test executes the copied files; lrplot never does)
    train = (FIXTURES / "nanogpt/train.py").read_text()
    tree = ast.parse(train)
    config: dict = {}
    exec(compile((FIXTURES / "nanogpt/config/finetune_shakespeare.py").read_text(), "finetune_shakespeare.py", "exec"), config)  # noqa: S102
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "get_lr")
    exec(compile(ast.Module([function], []), "train.py", "exec"), config)  # noqa: S102
    site = next(n for n in ast.walk(tree) if isinstance(n, ast.Assign) and isinstance(n.value, ast.IfExp) and "get_lr(" in ast.unparse(n))
    want = [eval(compile(ast.Expression(site.value), "train.py", "eval"), {**config, "iter_num": k}) for k in range(config["max_iters"] + 1)]  # noqa: S307
    assert lrs == want
    explained = CliRunner().invoke(cli, ["explain", str(FIXTURES / "nanogpt/train.py") + ":get_lr", "--set-file",
                                         str(FIXTURES / "nanogpt/config/finetune_shakespeare.py")])
    assert "decay_lr is False" in explained.output and "get_lr is not called" in explained.output


def test_a_functions_branches_are_marked_as_branches_not_scheduler_switches():
    from examples import legend_labels

    from lrplot.render import plot_trace
    from lrplot.term import plot_text

    spec = from_mapping({"optimizer": {"lr": 6e-4}, "run": {"iterations": 6001, "step": "iteration"},
                         "scheduler": {"type": "code", "function": "nanogpt/train.py:get_lr"}}, base_dir=FIXTURES)
    trace = simulate(spec)
    ax = plot_trace(trace).axes[0]
    labels = legend_labels(ax.figure, ax)
    assert "branch" in labels and "scheduler switch" not in labels  # warmup, then get_lr's cosine branch (line 244)
    assert "scheduler switch" not in plot_text(trace, size=(100, 30))


def test_the_guessed_call_gives_the_step_to_the_parameter_named_for_it(tmp_path):
    # written here, in the shapes of litgpt's pretrain.py get_lr(learning_rate, it, ...) and simsiam's
    # adjust_learning_rate(optimizer, init_lr, epoch, args): the step goes to `it` / `epoch`, and an error names the other one
    source = ("import math\n"
              "def scaled(scale=2.0, it=0, warmup=10):\n"
              "    return scale * min(1.0, (it + 1) / warmup)\n"
              "def get_lr(learning_rate, it, warmup_iters, max_iters, min_lr):\n"
              "    return learning_rate if it >= warmup_iters else learning_rate * it / warmup_iters\n"
              "def adjust_learning_rate(optimizer, init_lr, epoch, args):\n"
              "    for param_group in optimizer.param_groups:\n"
              "        param_group['lr'] = init_lr * 0.5 * (1. + math.cos(math.pi * epoch / args.epochs))\n")
    (tmp_path / "lr.py").write_text(source)
    spec = from_mapping({"run": {"iterations": 30, "step": "iteration"}, "scheduler": {"type": "code", "function": "lr.py:scaled"}}, base_dir=tmp_path)
    assert spec.scheduler.params["translated"].parts[0].call == "scaled(it=step)"
    namespace: dict = {}
    exec(compile(source, "lr.py", "exec"), namespace)  # noqa: S102 - the test runs the function it wrote
    assert np.array_equal(simulate(spec).lr[0], [namespace["scaled"](it=k) for k in range(30)])
    with pytest.raises(ConfigError, match=r"parameter 'learning_rate' .*get_lr\(<learning_rate>, step, <warmup_iters>"):
        from_mapping({"run": {"iterations": 30, "step": "iteration"}, "scheduler": {"type": "code", "function": "lr.py:get_lr"}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"parameter 'init_lr' .*adjust_learning_rate\(optimizer, <init_lr>, epoch, args\)"):
        from_mapping({"run": {"epochs": 30}, "scheduler": {"type": "code", "function": "lr.py:adjust_learning_rate"}}, base_dir=tmp_path)


def test_an_unknown_name_in_the_call_names_the_call_option(tmp_path):
    (tmp_path / "idf.py").write_text("def f(i, n):\n    return i + n / 1000\n")
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "idf.py") + ":f", "--call", "f(zz, len(loader))", "--when", "iteration",
                                      "--epochs", "2", "-o", "-"])
    assert result.exit_code == 2 and result.output.startswith("Error: --call:") and "'zz'" in result.output and "idf.py:1" not in result.output


def test_a_method_reads_init_and_set_and_the_optimizer_it_holds(tmp_path):
    # written here in the shape of openai/improved-diffusion's train_util.py TrainLoop._anneal_lr: __init__ assigns
    # self.lr = lr (given with --set self.lr), self.step = 0 (the loop's step), self.opt (the optimizer)
    source = ("class TrainLoop:\n"
              "    def __init__(self, lr, lr_anneal_steps=0):\n"
              "        self.lr = lr\n"
              "        self.lr_anneal_steps = lr_anneal_steps\n"
              "        self.step = 0\n"
              "        self.resume_step = 0\n"
              "        self.opt = None\n"
              "\n"
              "    def _anneal_lr(self):\n"
              "        if not self.lr_anneal_steps:\n"
              "            return\n"
              "        frac_done = (self.step + self.resume_step) / self.lr_anneal_steps\n"
              "        lr = self.lr * (1 - frac_done)\n"
              "        for param_group in self.opt.param_groups:\n"
              "            param_group['lr'] = lr\n")
    (tmp_path / "train_util.py").write_text(source)
    spec = from_mapping({"optimizer": {"lr": 1e-4}, "run": {"iterations": 500, "step": "iteration"},
                         "scheduler": {"type": "code", "function": "train_util.py:TrainLoop._anneal_lr", "set": "self.lr=1e-4,self.lr_anneal_steps=500"}},
                        base_dir=tmp_path)
    namespace: dict = {}
    exec(compile(source, "train_util.py", "exec"), namespace)  # noqa: S102 - the test runs the class it wrote
    loop = namespace["TrainLoop"](1e-4, 500)
    loop.opt = _Optimizer([1e-4])
    want = []
    for step in range(500):
        loop.step = step
        loop._anneal_lr()
        want.append(loop.opt.param_groups[0]["lr"])
    assert np.max(np.abs(simulate(spec).lr[0] - want)) <= 1e-12 * 1e-4


def test_args_from_gives_the_run_its_epochs():
    # MAE's util/lr_sched.py reads args.epochs, whose default is in main_pretrain.py (--args-from)
    import re

    from lrplot.sources import framework_target

    text = (FIXTURES / "mae/main_pretrain.py").read_text()
    epochs = int(re.search(r"add_argument\('--epochs', default=(\d+)", text).group(1))
    made = framework_target(str(FIXTURES / "mae/util/lr_sched.py") + ":adjust_learning_rate",
                            {"args_from": str(FIXTURES / "mae/main_pretrain.py")})
    assert made["run"]["epochs"] == epochs


LOOPS = {
    # written here in the shapes of karpathy/build-nanogpt's train_gpt2.py, modded-nanogpt's train_gpt2.py and nanochat's
    # scripts/base_train.py: how many times the loop calls the function is how long the run is
    "for-range": "max_steps = 50\nfor step in range(max_steps):\n    lr = get_lr(step)\n",
    "for-range-last-step": ("class Hyperparameters:\n    num_iterations : int = 40\nargs = Hyperparameters()\n"
                            "for step in range(args.num_iterations + 1):\n    last_step = (step == args.num_iterations)\n"
                            "    if last_step:\n        break\n    lr = get_lr(step)\n"),
    "while-last-step": ("num_iterations = 30\nstep = 0\nwhile True:\n    last_step = step == num_iterations\n    if last_step:\n        break\n"
                        "    lrm = get_lr(step)\n    step += 1\n"),
}


@pytest.mark.parametrize("case", LOOPS)
def test_the_run_length_is_read_from_the_loop(case, tmp_path):
    from lrplot.sources import framework_target

    function = "def get_lr(it):\n    return 0.1 * min(1.0, (it + 1) / 10)\n"
    (tmp_path / "train.py").write_text(function + LOOPS[case])
    calls = []
    namespace: dict = {}
    exec(compile(function, "train.py", "exec"), namespace)  # noqa: S102 - the test runs the loop it wrote
    counted = namespace["get_lr"]
    exec(compile(LOOPS[case], "train.py", "exec"), {**namespace, "get_lr": lambda it: calls.append(it) or counted(it)})  # noqa: S102
    made = framework_target(str(tmp_path / "train.py") + ":get_lr")
    assert made["run"]["iterations"] == len(calls)


def test_a_loop_length_lrplot_cannot_read_is_a_note(tmp_path):
    (tmp_path / "train.py").write_text("def get_lr(it):\n    return 0.1 * min(1.0, (it + 1) / 10)\n")
    result = CliRunner().invoke(cli, ["explain", str(tmp_path / "train.py") + ":get_lr"])
    assert result.exit_code == 0 and "does not say how long its loop runs" in result.output and "--iterations N" in result.output
