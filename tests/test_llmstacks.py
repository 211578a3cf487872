"""DeepSpeed, Megatron-LM and torchtitan: lrplot against golden traces recorded from the real libraries.

``tests/golden/<family>/<id>.json`` holds a config and what the library did with it, stepped as the
stack's own loop steps it (DeepSpeed's engine on CPU, Megatron's step(increment) in samples,
torchtitan's LambdaLR; ``tests/golden/record_<family>.py``). ``--exact`` must be bit-identical, the
default engine within 1e-12 of the peak lr, and where the library raised lrplot must refuse, naming
its exception. With the libraries importable the cases run live, and the code ``lrplot code``
writes runs on them.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
import lrplot.code
from lrplot.cli import cli
from lrplot.config import load
from lrplot.errors import ConfigError, TorchWouldRaise
from lrplot.explain import explain
from lrplot.registry import family

import test_golden as checks
from emitted import run_emitted

GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FAMILIES = ("deepspeed", "megatron", "torchtitan")
CASES = [(f, p.stem) for f in FAMILIES for p in sorted((GOLDEN / f).glob("*.json"))]


@functools.lru_cache(maxsize=None)
def golden(name: str, case_id: str) -> dict[str, Any]:
    return json.loads((GOLDEN / name / f"{case_id}.json").read_text(encoding="utf-8"))


def check_case(name: str, case_id: str, doc: dict[str, Any]) -> None:
    if doc["error"] is not None:
        for exact in (True, False):
            with pytest.raises(TorchWouldRaise) as refused:
                lrplot.simulate(load(doc["config"]), exact=exact)
            assert doc["error"]["type"] in str(refused.value), f"{case_id}: the refusal does not name {doc['error']['type']}: {refused.value}"
        return
    for exact in (True, False):
        trace = lrplot.simulate(load(doc["config"]), exact=exact)
        checks.check_trace(case_id, trace, doc["lr"], doc["momentum"] if doc["momentum"] is not None else None, exact)


# ------------------------------------------------------------------------------------------------
# Golden traces


@pytest.mark.parametrize(("name", "case_id"), CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_golden_case(name: str, case_id: str) -> None:
    check_case(name, case_id, golden(name, case_id))


@pytest.mark.parametrize("name", FAMILIES)
def test_goldens_match_cases_and_cover_every_class_and_style(name: str) -> None:
    recorder = checks._load_module("lrplot_family_recorder", GOLDEN / "family_recorder.py")
    cases = dict(recorder.load_cases(name))
    recorded = {c for f, c in CASES if f == name}
    assert recorded == set(cases), f"run tests/golden/record_{name}.py: missing {sorted(set(cases) - recorded)}, stale {sorted(recorded - set(cases))}"
    changed = [c for c, config in cases.items() if json.dumps(config, sort_keys=True) != json.dumps(golden(name, c)["config"], sort_keys=True)]
    assert not changed, f"configs changed since their traces were recorded (run tests/golden/record_{name}.py): {changed}"
    ran = [golden(name, c) for c in cases if golden(name, c)["error"] is None]
    specs = [load(d["config"]) for d in ran]
    used = {info.name for info in family(name).schedulers}
    assert used <= {s.scheduler.type for s in specs}
    assert any(name in d["config"] for d in ran), f"the {name}: section needs its own goldens"
    assert len(ran) < len(cases), f"no {name} case records a refusal"
    if name == "megatron":
        styles = {(s.scheduler.params["lr_decay_style"], s.scheduler.params["lr_wsd_decay_style"] if s.scheduler.params["lr_decay_style"] == "WSD" else "")
                  for s in specs}
        assert {st for st, _ in styles} == {"constant", "linear", "cosine", "inverse-square-root", "WSD"}
        assert {w for st, w in styles if st == "WSD"} == {"exponential", "linear", "cosine", "minus_sqrt"}
        assert any(s.scheduler.params["rampup_batch_size"] for s in specs)
    if name == "torchtitan":
        assert {s.scheduler.params["decay_type"] for s in specs} == {"linear", "sqrt", "cosine"}
    if name == "deepspeed":
        assert any(s.scheduler.params["skipped_steps"] for s in specs)
        assert any("transformers" in d["config"] for d in ran)


# ------------------------------------------------------------------------------------------------
# Live: the real libraries, where importable


def _live(name: str) -> Any:
    pytest.importorskip("torch", reason="the live tests need the reference extra")
    import importlib.util

    top = {"deepspeed": "deepspeed", "megatron": "megatron.core", "torchtitan": "torchtitan"}[name]
    try:
        found = importlib.util.find_spec(top)
    except ModuleNotFoundError:
        found = None
    if found is None:
        pytest.skip(f"{top} is not installed: the live tests need the reference extra")
    import importlib

    return importlib.import_module(f"lrplot.frameworks.{name}.reference")


@pytest.mark.parametrize(("name", "case_id"), CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_live_library_agrees_and_goldens_are_fresh(name: str, case_id: str) -> None:
    _live(name)
    recorder = checks._load_module("lrplot_family_recorder", GOLDEN / "family_recorder.py")
    doc = golden(name, case_id)
    fresh = recorder.record(name, case_id, doc["config"])
    assert json.dumps(fresh, sort_keys=True) == json.dumps(doc, sort_keys=True), (
        f"{case_id}: {name} records something else now; re-record with `python tests/golden/record_{name}.py {case_id}`"
    )


EMITTED = [(f, c) for f, c in CASES if golden(f, c)["error"] is None and "transformers" not in golden(f, c)["config"]]


@pytest.mark.parametrize(("name", "case_id"), EMITTED, ids=[f"{f}-{c}" for f, c in EMITTED])
def test_emitted_code_runs_on_the_library_bit_for_bit(name: str, case_id: str) -> None:
    _live(name)
    spec = load(golden(name, case_id)["config"])
    lr = run_emitted(lrplot.code.library_code(spec))
    expected = np.asarray(golden(name, case_id)["lr"])
    assert lr.shape == expected.shape
    assert np.array_equal(lr, expected), f"{case_id}: first difference at step {np.argmax((lr != expected).any(axis=0))}"


# ------------------------------------------------------------------------------------------------
# The stacks' own files, sections and logs, through the command line


def _cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("name", FAMILIES)
def test_list_shows_the_family_and_its_section(name: str) -> None:
    result = _cli("list", name)
    assert result.exit_code == 0, result.output
    assert f"{name}:" in result.output
    for info in family(name).schedulers:
        assert info.name in result.output
        one = _cli("list", info.name)
        assert one.exit_code == 0 and all("--" + p.name.replace("_", "-") in one.output for p in info.params), one.output


def test_megatron_own_gpt3_script_is_refused_in_megatron_words() -> None:
    """Megatron-LM's examples/gpt3/train_gpt3_175b_distributed.sh fails its own argument checks, on both sides of 0.16.1."""
    old = _cli("explain", str(FIXTURES / "megatron" / "gpt3-175b-core-0.16.1.sh"))
    assert old.exit_code == 2 and "expected no batch-size rampup for iteration-based training" in old.output
    assert "Traceback" not in old.output and old.output.count("Error:") == 1
    new = _cli("explain", str(FIXTURES / "megatron" / "gpt3-175b-step-batch-schedule.sh"))
    assert new.exit_code == 2 and "Cannot specify both --step-batch-size-schedule and --global-batch-size" in new.output
    assert "line 42" in new.output


def test_megatron_launch_script_is_read_without_running_it(tmp_path: Path) -> None:
    script = tmp_path / "pretrain_gpt.sh"
    script.write_text(
        "#!/bin/bash\nGBS=256\nTRAIN_ITERS=2000\nrm -rf /  # never run\n"
        "TRAINING_ARGS=(\n  --micro-batch-size 4 --global-batch-size ${GBS}\n  --train-iters $TRAIN_ITERS\n"
        "  --lr 3.0e-4 --min-lr 3.0e-5 --lr-decay-style WSD --lr-wsd-decay-style linear --lr-wsd-decay-iters 400 \\\n"
        "  --lr-warmup-iters 100 --bf16\n)\ntorchrun pretrain_gpt.py ${TRAINING_ARGS[@]} --num-layers 24\n"
    )
    spec = load(script)
    assert spec.run.total_steps == 2000 and spec.scheduler.params["increment"] == 256
    assert spec.scheduler.params["wsd_decay_steps"] == 400 * 256
    out = _cli("explain", str(script)).output
    assert "read as a Megatron-LM launch script, never executed" in out and "lr_decay_steps = lr-decay-iters = train-iters 2,000" in out
    unresolved = tmp_path / "args.sh"
    unresolved.write_text("torchrun pretrain_gpt.py --lr 1e-4 --train-iters $1 --global-batch-size 8\n")
    result = _cli("plot", str(unresolved), "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and "'$1' as the launch script writes it" in result.output and not (tmp_path / "x.png").exists()


def test_torchtitan_toml_and_overrides(tmp_path: Path) -> None:
    spec = load(FIXTURES / "torchtitan" / "llama3_8b.toml")
    assert spec.run.total_steps == 1000 and spec.optimizer.groups[0].lr == 3e-4 and spec.scheduler.params["warmup_steps"] == 200
    config = tmp_path / "titan.yaml"
    config.write_text("include: " + str(FIXTURES / "torchtitan" / "llama3_8b.toml") + "\ntorchtitan:\n  --lr_scheduler.decay_ratio: 0.2\n")
    assert load(config).scheduler.params["decay_ratio"] == 0.2
    result = _cli("plot", str(FIXTURES / "torchtitan" / "llama3_8b.toml"), "--iterations", "500", "--term")
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("torchtitan: {lr_scheduler: {warmup_step: 10}}\n")
    result = _cli("explain", str(bad))
    assert result.exit_code == 2 and "did you mean 'warmup_steps'" in result.output


def test_trainer_with_a_ds_scheduler_says_loudly_it_replaces_lr_scheduler_type() -> None:
    doc = golden("deepspeed", "trainer-decay-auto-warmup-cosine-asked")
    trace = lrplot.simulate(load(doc["config"]))
    text = explain(trace)
    assert "THE DS_CONFIG'S SCHEDULER TRAINS: DeepSpeed's WarmupDecayLR replaces lr_scheduler_type 'cosine'" in text
    assert "(DS101)" in text
    from lrplot.check import Subject, findings

    codes = {f.code for f in findings(Subject(trace.spec, trace))}
    assert {"DS101", "DS104"} <= codes
    # without a ds scheduler the Trainer's own schedule trains, stepped by DeepSpeed's engine
    plain = load(golden("deepspeed", "trainer-no-ds-scheduler")["config"])
    assert plain.scheduler.type == "transformers.cosine"


@pytest.mark.parametrize(
    ("name", "case_id", "codes"),
    [
        ("deepspeed", "warmupdecay-default-max-0.001", {"DS102", "DS104", "DS103"}),
        ("deepspeed", "warmupcosine-log-min-ratio", {"DS105"}),
        ("deepspeed", "onecycle-holds-min", {"DS108", "DS109"}),
        ("megatron", "cosine-flat-tail", {"MG101"}),
        ("megatron", "rampup-linear", {"MG104"}),
        ("megatron", "wsd-exponential-default", {"MG105"}),
        ("torchtitan", "warmup-longer-than-run", {"TT101"}),
        ("torchtitan", "decay-cut-short", {"TT102"}),
        ("torchtitan", "total-steps-shorter-cosine", {"TT103"}),
    ],
)
def test_traps_are_found(name: str, case_id: str, codes: set[str]) -> None:
    from lrplot.check import Subject, findings

    trace = lrplot.simulate(load(golden(name, case_id)["config"]))
    assert codes <= {f.code for f in findings(Subject(trace.spec, trace))}


@pytest.mark.parametrize("plan", ["deepspeed-monitor", "megatron-tensorboard", "torchtitan-tensorboard"])
def test_verify_reads_each_stack_log_with_its_step_numbering(plan: str) -> None:
    pytest.importorskip("tensorboard", reason="reading TensorBoard event files needs the tensorboard extra")
    result = _cli("verify", str(FIXTURES / "plans" / f"{plan}.yaml"), str(FIXTURES / "stacks" / plan))
    assert result.exit_code == 0, result.output
    assert "FOLLOWED THE PLAN" in result.output
    said = {"deepspeed-monitor": "global_samples / train_batch_size 4", "megatron-tensorboard": "the next iteration's lr",
            "torchtitan-tensorboard": "step s is optimizer step s-1"}[plan]
    assert said in result.output


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"megatron": {"lr": 1e-4, "train-iters": 10}}, "megatron.global-batch-size: missing"),
        ({"megatron": {"lr": 1e-4, "train-iters": 10, "global-batch-size": 8, "lr-decay-stlye": "cosine"}}, "did you mean 'lr_decay_style'"),
        ({"megatron": {"lr": 1e-4, "train-iters": 10, "global-batch-size": 8, "lr-decay-style": "cosin"}}, "invalid choice"),
        ({"megatron": {"lr": 1e-4, "train-samples": 1e300, "global-batch-size": 8}}, "megatron.train-samples"),
        ({"megatron": {"lr": 1e-4, "train-iters": 10**12, "global-batch-size": 8}}, "at most"),
        ({"deepspeed": {"scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 10}}}}, "give steps"),
        ({"deepspeed": {"scheduler": {"type": "WarmupDecay", "params": {}}, "steps": 5}}, "does not recognize LR scheduler"),
        ({"deepspeed": {"scheduler": {"type": "StepLR", "params": {"step_size": 5}}, "steps": 5}}, "is torch's"),
        ({"deepspeed": {"scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": "auto"}}, "steps": 5}}, '"auto" is filled'),
        ({"torchtitan": {"lr_scheduler": {"decay_type": "exp"}}}, "it takes linear, sqrt, cosine"),
        ({"torchtitan": {"training": {"steps": 1e18}}}, "torchtitan.training.steps"),
        ({"torchtitan": {}, "deepspeed": {"steps": 3}}, "one framework section per config"),
    ],
)
def test_bad_sections_are_one_clean_error(tmp_path: Path, config: dict, fragment: str) -> None:
    import yaml

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    result = _cli("explain", str(path))
    assert result.exit_code == 2, result.output
    assert fragment in result.output and result.output.count("Error:") == 1 and "Traceback" not in result.output


TRAINER_CASES = [c for f, c in CASES if f == "deepspeed" and "transformers" in golden(f, c)["config"]]


@pytest.mark.parametrize("form", ["path", "path-from-config-folder", "mapping", "base64"])
@pytest.mark.parametrize("case_id", TRAINER_CASES)
def test_trainer_deepspeed_argument_names_the_ds_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case_id: str, form: str) -> None:
    """TrainingArguments' `deepspeed:` (LLaMA-Factory's own form: a path, or the ds_config as a dict, or base64 JSON, as
    HfDeepSpeedConfig reads it) trains as the same ds_config given as a `deepspeed:` section: the golden trace, the same checks."""
    import base64

    import yaml
    from lrplot.check import Subject, findings

    doc = golden("deepspeed", case_id)
    ds = doc["config"]["deepspeed"]
    (tmp_path / "ds_config.json").write_text(json.dumps(ds))
    value = {"path": "ds_config.json", "path-from-config-folder": "ds_config.json", "mapping": ds,
             "base64": base64.urlsafe_b64encode(json.dumps(ds).encode()).decode()}[form]
    config = {k: v for k, v in doc["config"].items() if k != "deepspeed"}
    config["transformers"] = {**config["transformers"], "deepspeed": value}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(config))
    monkeypatch.chdir(tmp_path if form == "path" else tmp_path.parent)
    check_case("deepspeed", case_id, {**doc, "config": path})
    if doc["error"] is None:
        named, inline = lrplot.simulate(load(path)), lrplot.simulate(load(doc["config"]))
        assert [(f.code, f.message) for f in findings(Subject(named.spec, named))] == [(f.code, f.message) for f in findings(Subject(inline.spec, inline))]
        if form.startswith("path"):
            assert any("ds_config.json" in line for line in named.spec.derivation)
            assert any(f.endswith("ds_config.json") for f in named.spec.files)


def test_trainer_deepspeed_argument_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    monkeypatch.chdir(tmp_path)
    plan = {"transformers": {"learning_rate": 1e-4, "dataset_size": 100, "deepspeed": "nonexistent.json"}}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan))
    result = _cli("plot", str(path), "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and result.output.count("Error:") == 1
    assert "transformers.deepspeed: 'nonexistent.json'" in result.output and str(tmp_path / "nonexistent.json") in result.output
    # falsy (TrainingArguments' `if self.deepspeed:`): no DeepSpeed, the Trainer's own schedule
    path.write_text(yaml.safe_dump({"transformers": {**plan["transformers"], "deepspeed": ""}}))
    assert load(path).scheduler.type == "transformers.linear"


def test_ds_config_without_a_scheduler_names_the_file_and_the_trainer_side(tmp_path: Path) -> None:
    """LLaMA-Factory's ds_configs have no scheduler (the Trainer's trains): the error names the file and says how to add
    the TrainingArguments; given them (an lrplot YAML including the file), the Trainer's schedule is drawn."""
    ds = FIXTURES / "llamafactory" / "ds_z3_config.json"
    for command in ("plot", "explain"):
        result = _cli(command, str(ds), *(("-o", str(tmp_path / "x.png")) if command == "plot" else ()))
        assert result.exit_code == 2 and result.output.count("Error:") == 1, result.output
        assert result.output.startswith(f"Error: {ds}: deepspeed.scheduler: missing") and "`transformers:` section" in result.output
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"include: {ds}\ntransformers: {{learning_rate: 1.0e-4, lr_scheduler_type: cosine, dataset_size: 1000, "
                    "per_device_train_batch_size: 1, gradient_accumulation_steps: 2, bf16: true}\n")
    assert load(plan).scheduler.type == "transformers.cosine"


def _as_arrays(text: str) -> str:
    """The same script with each quoted-string argument list written as a bash array (the form lrplot read already)."""
    import re

    out = re.sub(r'^([A-Z_]+)=" ?\\?\n(.*?)\n"$', lambda m: f"{m.group(1)}=(\n{m.group(2)}\n)", text, flags=re.S | re.M)
    return re.sub(r"\$\{?([A-Z_]+)\}?(\s|$)", lambda m: f"${{{m.group(1)}[@]}}{m.group(2)}" if f"{m.group(1)}=(" in out else m.group(0), out)


@pytest.mark.parametrize("script", ["pretrain-gpt-string-args.sh", "pretrain-mistral-clip-string-args.sh"])
def test_megatron_arguments_in_a_quoted_string_variable(tmp_path: Path, script: str) -> None:
    """Megatron's own examples hold the arguments in a quoted string over several lines (`GPT_ARGS="` ... `"`, then
    `$GPT_ARGS`): the shell splits it into words where it is expanded, and so does lrplot."""
    text = (FIXTURES / "megatron" / script).read_text()
    arrays = tmp_path / "arrays.sh"
    arrays.write_text(_as_arrays(text))
    assert '="' not in arrays.read_text().split("torchrun")[0].split("ARGS")[-1]  # the rewrite took
    spec, same = load(FIXTURES / "megatron" / script), load(arrays)
    assert dict(spec.scheduler.params) == dict(same.scheduler.params) and spec.run.total_steps == same.run.total_steps
    out = _cli("explain", str(FIXTURES / "megatron" / script)).output
    assert "expanded into words where the script passes" in out, out
    one = tmp_path / "one.sh"
    one.write_text('OPTIONS="--lr 1e-4 --min-lr 1e-5 --train-iters 100 --global-batch-size 8"; torchrun pretrain_gpt.py ${OPTIONS}\n')
    assert load(one).run.total_steps == 100
    unused = tmp_path / "unused.sh"  # defined, never passed: not an argument of the run
    unused.write_text('OLD="--lr 1e-3"\ntorchrun pretrain_gpt.py --lr 1e-4 --train-iters 100 --global-batch-size 8\n')
    assert load(unused).optimizer.groups[0].lr == 1e-4
    unclosed = tmp_path / "unclosed.sh"
    unclosed.write_text('torchrun pretrain_gpt.py --lr 1e-4 --train-iters 100 --global-batch-size 8\nA="never closed\n--x\n')
    result = _cli("explain", str(unclosed))
    assert result.exit_code == 2 and "line 2: cannot be split into words" in result.output and "never closed" in result.output


SAMPLE_RUNS = [c for f, c in CASES if f == "megatron" and golden(f, c)["error"] is None and "train-samples" in golden(f, c)["config"].get("megatron", {})]


@pytest.mark.parametrize("how", ["--iterations", "exit-interval"])
@pytest.mark.parametrize("case_id", SAMPLE_RUNS)
def test_megatron_run_in_samples_draws_its_first_iterations(case_id: str, how: str) -> None:
    """A run in samples has no iteration count to set: --iterations N (or Megatron's own --exit-interval N, which stops
    the run there) draws its first N iterations, which are the golden run's (the schedule counts samples)."""
    doc = golden("megatron", case_id)
    n = len(doc["lr"][0]) // 3
    extra = {"run": {"iterations": n}} if how == "--iterations" else {"megatron": {**doc["config"]["megatron"], "exit-interval": n}}
    config = {**doc["config"], **extra}
    for exact in (True, False):
        trace = lrplot.simulate(load(config), exact=exact)
        assert trace.lr.shape[1] == n
        checks.check_trace(case_id, trace, [row[:n] for row in doc["lr"]], None, exact)
    assert f"{how if how == '--iterations' else '--exit-interval'} {n:,}: Megatron stops after iteration {n:,}" in explain(lrplot.simulate(load(config)))


def test_megatron_runs_past_the_limit_say_what_to_do() -> None:
    """Megatron's own Llama 3 8B examples train 1,953,125,000 samples at 128 a batch: 15,258,789 iterations."""
    section = {"lr": 3e-4, "min-lr": 3e-5, "lr-decay-style": "cosine", "lr-warmup-samples": 3906252, "lr-decay-samples": 1949218748,
               "train-samples": 1953125000, "global-batch-size": 128}
    with pytest.raises(ConfigError) as refused:
        load({"megatron": section})
    assert "15,258,789 iterations" in str(refused.value) and "--iterations N" in str(refused.value)
    assert load({"megatron": section, "run": {"iterations": 1000}}).run.total_steps == 1000
    long_iters = {"lr": 3e-4, "train-iters": 20_000_000, "global-batch-size": 8}
    with pytest.raises(ConfigError) as refused:
        load({"megatron": long_iters})
    assert "--exit-interval N" in str(refused.value)
    assert load({"megatron": {**long_iters, "exit-interval": 500}}).run.total_steps == 500


TITAN_SECTIONS = [c for f, c in CASES if f == "torchtitan" and golden(f, c)["error"] is None and "torchtitan" in golden(f, c)["config"]]


@pytest.mark.parametrize("case_id", TITAN_SECTIONS)
def test_torchtitan_command_line_overrides_on_a_toml(tmp_path: Path, case_id: str) -> None:
    """torchtitan's `--lr_scheduler.warmup_steps 100`-style overrides given after a TOML (or a config with a torchtitan
    section) override its tables as on torchtitan's command line: every schedule key of the golden case as a flag
    over Llama 3 8B's TOML gives the golden trace."""
    from lrplot.cli import build_spec
    from lrplot.frameworks.torchtitan.section import TABLES, read

    doc = golden("torchtitan", case_id)
    tables, _ = read(doc["config"]["torchtitan"])
    flags: list[str] = []
    for table, fields in TABLES.items():
        for key, (default, _) in fields.items():
            value = tables[table].get(key, default)
            flags += [f"--{table}.{key}", "None" if value is None else str(value)]
    for exact in (True, False):
        trace = lrplot.simulate(build_spec(str(FIXTURES / "torchtitan" / "llama3_8b.toml"), {}, flags=flags), exact=exact)
        checks.check_trace(case_id, trace, doc["lr"], None, exact)
    own = tmp_path / "titan.yaml"
    own.write_text("torchtitan: {training: {steps: 7}}\n")
    assert lrplot.simulate(build_spec(str(own), {}, flags=flags)).lr.shape[1] == len(doc["lr"][0])
    result = _cli("explain", str(FIXTURES / "torchtitan" / "llama3_8b.toml"), "--lr_scheduler.warmup_step", "100")
    assert result.exit_code == 2 and "did you mean '--lr_scheduler.warmup_steps'" in result.output


def test_ds_fp16_auto_is_what_the_trainer_fills() -> None:
    """fp16.enabled "auto" under the Trainer is its fp16 (or fp16_full_eval): LLaMA-Factory's bf16 run skips no steps."""
    import yaml
    from lrplot.check import Subject, findings

    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "configs" / "deepspeed-llamafactory-qwen3-lora.yaml").read_text())
    config["transformers"]["lr_scheduler_type"] = "constant"
    config["deepspeed"]["scheduler"] = {"type": "WarmupLR", "params": {"warmup_num_steps": "auto", "warmup_type": "linear"}}
    for fp16, found in ((False, False), (True, True)):
        hf = {k: v for k, v in config["transformers"].items() if k != "bf16"} | ({"fp16": True} if fp16 else {"bf16": True})
        trace = lrplot.simulate(load({**config, "transformers": hf}))
        assert ("DS107" in {f.code for f in findings(Subject(trace.spec, trace))}) is found
