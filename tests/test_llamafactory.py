"""A LLaMA-Factory training YAML (``llamafactory-cli train FILE.yaml``), read as it is (issue 22).

The fixtures are hiyouga/LLaMA-Factory's own examples at commit ff6d4d12 (tests/fixtures/llamafactory/SOURCES.md),
laid out as in its checkout, whose root is the folder llamafactory-cli runs in: ``deepspeed:
examples/deepspeed/ds_z3_config.json`` is found from there. The schedule is the Trainer's: each file is compared
with the plain ``transformers:`` section its TrainingArguments make, sized as LLaMA-Factory's loader sizes the
training set (max_samples per dataset, then val_size as datasets' train_test_split cuts it).
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

import lrplot
from lrplot.cli import cli
from lrplot.config import load
from lrplot.frameworks.transformers.trainer import TRAINING_ARGUMENTS

ROOT = Path(__file__).resolve().parent / "fixtures" / "llamafactory"
EXAMPLES = ROOT / "examples"
DS3 = EXAMPLES / "train_lora" / "qwen3_lora_sft_ds3.yaml"
FILES = [DS3, EXAMPLES / "train_lora" / "qwen3_lora_sft.yaml", EXAMPLES / "train_lora" / "qwen3_lora_dpo.yaml",
         EXAMPLES / "train_lora" / "qwen3_lora_pretrain.yaml", EXAMPLES / "train_full" / "qwen3_full_sft.yaml"]


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _lr(config: Any) -> np.ndarray:
    return np.asarray(lrplot.simulate(load(config)).lr)


def _including(tmp_path: Path, target: Path, **run: Any) -> Path:
    """An lrplot YAML that includes ``target`` and gives the plan (what --dataset-size and --devices give)."""
    path = tmp_path / f"with-{target.stem}.yaml"
    path.write_text(yaml.safe_dump({"include": str(target), "run": run}))
    return path


def _plain(target: Path, dataset_size: int, **extra: Any) -> dict[str, Any]:
    """The `transformers:` section of the file's TrainingArguments (warmup_ratio as transformers 5 spells it)."""
    data = yaml.safe_load(target.read_text())
    section = {k: v for k, v in data.items() if k in TRAINING_ARGUMENTS and k != "deepspeed"}
    section["warmup_steps"] = data["warmup_ratio"]
    return {"transformers": {**section, "dataset_size": dataset_size, **extra}}


@pytest.mark.parametrize("target", FILES, ids=lambda p: p.stem)
def test_a_llamafactory_yaml_is_plotted_as_it_is(tmp_path: Path, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22: `lrplot plot qwen3_lora_sft_ds3.yaml --dataset-size N` reads the file LLaMA-Factory trains from (it
    stopped at model_name_or_path), as does `--framework transformers` (refused: transformers read no files)."""
    monkeypatch.chdir(tmp_path)
    for framework in ((), ("--framework", "transformers")):
        result = _cli("plot", str(target), "--dataset-size", "1091", *framework, "-o", str(tmp_path / "x.svg"))
        assert result.exit_code == 0, result.output
    out = _cli("explain", str(target), "--dataset-size", "1091").output
    assert "read as a LLaMA-Factory training config (llamafactory-cli train), never executed" in out, out
    assert "dataset_size is the number of training examples after its preprocessing" in out
    assert "warmup_ratio 0.1" in out and "transformers.warmup_steps" not in out.split("\n")[0]
    assert _cli("check", str(target), "--dataset-size", "1091").exit_code == 0


def test_the_ds_config_is_found_from_the_checkout_and_its_checks_run(tmp_path: Path) -> None:
    """`deepspeed: examples/deepspeed/ds_z3_config.json` is relative to LLaMA-Factory's checkout, where llamafactory-cli
    runs: found from any folder; the same run as the gallery recipe that wrote its TrainingArguments and ds_config out
    by hand (configs/deepspeed-llamafactory-qwen3-lora.yaml: 1,000 samples on 2 GPUs)."""
    out = _cli("explain", str(DS3), "--dataset-size", "1000", "--devices", "2").output
    assert "examples/deepspeed/ds_z3_config.json" in out and "LLaMA-Factory's checkout" in out, out
    assert "transformers' DeepSpeed integration" in out and "the ds_config has no scheduler" in out
    spec = load(_including(tmp_path, DS3, dataset_size=1000, devices=2))
    assert any(f.endswith("ds_z3_config.json") for f in spec.files)
    recipe = Path(__file__).resolve().parents[1] / "configs" / "deepspeed-llamafactory-qwen3-lora.yaml"
    np.testing.assert_array_equal(np.asarray(lrplot.simulate(spec).lr), _lr(recipe))
    # the DeepSpeed rules read the ds_config the file names: one with a scheduler replaces lr_scheduler_type
    tree = tmp_path / "checkout"
    shutil.copytree(ROOT / "examples", tree / "examples")
    ds = tree / "examples" / "deepspeed" / "ds_z3_config.json"
    config = json.loads(ds.read_text())
    config["scheduler"] = {"type": "WarmupDecayLR", "params": {"warmup_num_steps": "auto", "total_num_steps": "auto"}}
    ds.write_text(json.dumps(config))
    copied = tree / "examples" / "train_lora" / DS3.name
    result = _cli("check", str(copied), "--dataset-size", "1000")
    assert "DS101" in result.output and "DS102" in result.output, result.output
    copied.write_text(copied.read_text().replace("bf16: true", "fp16: true"))
    assert "(DS107)" in _cli("explain", str(copied), "--dataset-size", "1000").output
    ds.unlink()
    result = _cli("plot", str(copied), "--dataset-size", "1000", "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and result.output.count("Error:") == 1, result.output
    assert "deepspeed: 'examples/deepspeed/ds_z3_config.json' is no file" in result.output and "LLaMA-Factory's checkout" in result.output


def test_max_samples_caps_each_dataset(tmp_path: Path) -> None:
    """data/loader.py keeps the first max_samples examples of each dataset: dpo_en_demo alone is capped at max_samples,
    identity,alpaca_en_demo at twice it; a stage pt run packs, so its count is the packed sequences, not capped."""
    for name, datasets in (("qwen3_lora_dpo", 1), ("qwen3_lora_sft", 2)):
        target = EXAMPLES / "train_lora" / f"{name}.yaml"
        cap = yaml.safe_load(target.read_text())["max_samples"] * datasets
        np.testing.assert_array_equal(_lr(_including(tmp_path, target, dataset_size=cap + 4321)), _lr(_plain(target, cap)))
        np.testing.assert_array_equal(_lr(_including(tmp_path, target, dataset_size=cap - 7)), _lr(_plain(target, cap - 7)))
    pretrain = EXAMPLES / "train_lora" / "qwen3_lora_pretrain.yaml"
    size = yaml.safe_load(pretrain.read_text())["max_samples"] + 4321
    np.testing.assert_array_equal(_lr(_including(tmp_path, pretrain, dataset_size=size)), _lr(_plain(pretrain, size)))
    assert "packed sequences" in _cli("explain", str(pretrain), "--dataset-size", str(size)).output


@pytest.mark.parametrize("val_size", [0.1, 0.37, 100, 100.7])
def test_val_size_splits_the_training_set_off_first(tmp_path: Path, val_size: float) -> None:
    """data_utils.split_dataset: a val_size above 1 is a count (int()), else a fraction, and datasets' train_test_split
    takes ceil(test_size * n) examples for the fraction; the Trainer counts from what is left."""
    source = EXAMPLES / "train_lora" / "qwen3_lora_dpo.yaml"
    target = tmp_path / source.name
    target.write_text(source.read_text() + f"val_size: {val_size}\n")
    n = yaml.safe_load(source.read_text())["max_samples"]
    test = int(val_size) if val_size > 1 else math.ceil(val_size * n)
    np.testing.assert_array_equal(_lr(_including(tmp_path, target, dataset_size=n + 50)), _lr(_plain(source, n - test)))
    assert f"val_size {val_size!r} splits" in _cli("explain", str(target), "--dataset-size", str(n)).output
    target.write_text(source.read_text() + f"val_size: {n}\n")
    result = _cli("plot", str(target), "--dataset-size", str(n), "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and "val_size" in result.output and "train_test_split raises ValueError" in result.output


def test_warmup_stable_decay_gets_llamafactorys_defaults(tmp_path: Path) -> None:
    """trainer_utils.create_custom_scheduler: num_stable_steps a third of the steps after warmup, num_decay_steps the rest
    (transformers alone raises without num_decay_steps)."""
    source = EXAMPLES / "train_lora" / "qwen3_lora_dpo.yaml"
    target = tmp_path / source.name
    target.write_text(source.read_text().replace("lr_scheduler_type: cosine", "lr_scheduler_type: warmup_stable_decay"))
    plain = _plain(target, 1000)
    spec = load(plain | {"transformers": {**plain["transformers"], "lr_scheduler_kwargs": {"num_decay_steps": 1}}})
    total, warmup = spec.scheduler.params["num_training_steps"], spec.scheduler.params["num_warmup_steps"]
    stable = (total - warmup) // 3
    expected = {**plain["transformers"], "lr_scheduler_kwargs": {"num_stable_steps": stable, "num_decay_steps": total - warmup - stable}}
    np.testing.assert_array_equal(_lr(_including(tmp_path, target, dataset_size=1000)), _lr({"transformers": expected}))
    assert "create_custom_scheduler" in _cli("explain", str(target), "--dataset-size", "1000").output


@pytest.mark.parametrize(("line", "said"), [
    ("lora_rnak: 8", "did you mean 'lora_rank'"),
    ("learning_rat: 1.0e-4", "did you mean 'learning_rate'"),
    ("sequence_parallel: true", "LLaMA-Factory's Megatron training"),
    ("stage: ppo", "PPO trainer sizes its schedule its own way"),
])
def test_a_key_neither_llamafactorys_nor_training_arguments_is_an_error(tmp_path: Path, line: str, said: str) -> None:
    source = EXAMPLES / "train_lora" / "qwen3_lora_sft.yaml"
    target = tmp_path / source.name
    text = source.read_text()
    target.write_text(text.replace("stage: sft", line) if line.startswith("stage") else text + line + "\n")
    result = _cli("plot", str(target), "--dataset-size", "1000", "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and result.output.count("Error:") == 1 and "Traceback" not in result.output, result.output
    assert said in result.output, result.output
    assert not (tmp_path / "x.png").exists()


def test_the_dataset_size_is_asked_for_in_llamafactorys_words(tmp_path: Path) -> None:
    result = _cli("plot", str(DS3), "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and result.output.count("Error:") == 1
    assert "--dataset-size" in result.output and "after LLaMA-Factory's preprocessing" in result.output
    # check completes it with the same flag (the Trainer rules read the section as translated)
    assert _cli("check", str(DS3), "--dataset-size", "1000").exit_code == 0


def test_a_trainer_yaml_without_llamafactorys_keys_is_not_taken_for_one(tmp_path: Path) -> None:
    """TRL's and run_clm's YAMLs also hold model_name_or_path and TrainingArguments; only LLaMA-Factory's keys claim a file."""
    path = tmp_path / "trl.yaml"
    path.write_text("model_name_or_path: Qwen/Qwen3-4B\nlearning_rate: 1.0e-4\ndataset_name: x\n")
    result = _cli("plot", str(path), "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and "LLaMA-Factory" not in result.output, result.output
