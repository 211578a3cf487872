"""A DeepSpeed config file (``ds_config.json``), read as it is.

The file is what ``deepspeed.initialize(config=...)`` and transformers' ``--deepspeed`` read: a
JSON object with a ``"scheduler"`` block, and usually ``"optimizer"``, the batch keys, ``"fp16"``
or ``"bf16"`` and ``"zero_optimization"``. It becomes a ``deepspeed:`` section; what DeepSpeed
learns elsewhere (how many steps the run takes, and under the Trainer the TrainingArguments that
fill its ``"auto"`` values) an lrplot YAML that ``include:``s the file can add.
"""

from __future__ import annotations

from ...sources import ConfigFile, SourceFile

_KEYS = ("scheduler", "optimizer", "train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps",
         "zero_optimization", "fp16", "bf16")


def claims(source: SourceFile) -> str | None:
    data = source.data
    if isinstance(data, dict) and ("scheduler" in data or sum(k in data for k in _KEYS) >= 2):
        return "a DeepSpeed config (ds_config)"
    return None


def read(source: SourceFile) -> ConfigFile:
    data = dict(source.data)
    sched = data.get("scheduler")
    said = f"its scheduler {sched.get('type')!r}" if isinstance(sched, dict) else "no scheduler block"
    lines = [f"  {said}; {len(data)} top-level keys, of which the scheduler, the optimizer's lr and fp16 shape the schedule"]
    return ConfigFile({"deepspeed": data}, "deepspeed", tuple(lines), (source.where,))
