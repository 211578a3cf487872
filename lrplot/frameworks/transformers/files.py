"""transformers' own files: a LLaMA-Factory training YAML (``llamafactory-cli train FILE.yaml``), read as it is.

The file is one flat mapping: LLaMA-Factory's own arguments (the model, the data, the fine-tuning
method; ``llamafactory.OWN``) beside the TrainingArguments it hands to the Trainer. The
TrainingArguments become a ``transformers:`` section; of LLaMA-Factory's own keys, the few that
change the number of training examples (``llamafactory.PLAN``) go into the section's
``llamafactory:`` mapping, and the rest do not change the schedule. The training set's size is not
in the file (give it with --dataset-size). A key that is neither LLaMA-Factory's nor
TrainingArguments' is an error, as LLaMA-Factory's HfArgumentParser makes it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from ...sources import ConfigFile, SourceFile
from ...values import suggest
from . import llamafactory as lf
from .trainer import TRAINING_ARGUMENTS

_TRAINING_ARGUMENTS = frozenset(TRAINING_ARGUMENTS)


def claims(source: SourceFile) -> str | None:
    data = source.data
    if not isinstance(data, dict) or not any(k in data for k in lf.SIGNATURE):
        return None
    if "model_name_or_path" in data or any(k in _TRAINING_ARGUMENTS for k in data):
        return "a LLaMA-Factory training config (llamafactory-cli train)"
    return None


def read(source: SourceFile) -> ConfigFile:
    data: dict[str, Any] = source.data
    if not isinstance(data, dict):
        raise ConfigError(source.where, "is not a LLaMA-Factory training config (a mapping of its arguments)")
    section: dict[str, Any] = {}
    plan: dict[str, Any] = {}
    ignored = 0
    known = (*lf.OWN_KEYS, *TRAINING_ARGUMENTS, *lf.SEQ2SEQ, "warmup_ratio")
    for key, value in data.items():
        where = f"{source.where}: {key}"
        if key in lf.MEGATRON or (key in ("use_mca", "use_megatron_bridge") and value):
            raise ConfigError(where, "is a key of LLaMA-Factory's Megatron training (USE_MCA / USE_MEGATRON_BRIDGE), whose scheduler is "
                              "Megatron's, not the Trainer's; lrplot reads the runs LLaMA-Factory trains with the Trainer")
        if key in _TRAINING_ARGUMENTS or key == "warmup_ratio":
            section[key] = value
        elif key in lf.PLAN:
            plan[key] = value
        elif key in lf.OWN_KEYS or key in lf.SEQ2SEQ:
            ignored += 1
        else:
            hint = suggest(str(key), known)
            raise ConfigError(
                where,
                f"is neither LLaMA-Factory's argument (at commit {lf.COMMIT}) nor a TrainingArguments field (transformers 5.23){hint}; "
                "llamafactory-cli raises ValueError (Some keys are not used by the HfArgumentParser)",
            )
    lines = [f"  {len(section)} of its {len(data)} keys are TrainingArguments (the `transformers:` section); "
             f"{ignored + len(plan)} are LLaMA-Factory's own, of which {', '.join(plan) or 'none'} size the training set"]
    ratio = section.pop("warmup_ratio", None)
    if ratio is not None:
        steps = section.get("warmup_steps", 0)
        if not steps:
            section["warmup_steps"] = ratio
            lines.append(f"  warmup_ratio {ratio!r} (LLaMA-Factory's examples write it; transformers 5 spells it warmup_steps: {ratio!r}, "
                         "a value below 1 being a fraction of the run)")
        else:
            lines.append(f"  warmup_ratio {ratio!r} is not used: warmup_steps {steps!r} overrides it, as in the transformers LLaMA-Factory runs on")
    named = section.get("deepspeed")
    if isinstance(named, str) and named:
        section["deepspeed"], line = _ds_config(named, source)
        if line:
            lines.append(line)
    if plan:
        section["llamafactory"] = plan
    config: dict[str, Any] = {"transformers": section}
    return ConfigFile(config, "transformers", tuple(lines), (source.where,))


def _ds_config(named: str, source: SourceFile) -> tuple[str, str | None]:
    """TrainingArguments' deepspeed path as llamafactory-cli opens it: from the folder it runs in, LLaMA-Factory's
    checkout (its examples write ``examples/deepspeed/ds_z3_config.json``). Found from here, it stays; else the
    checkout is the first folder above the YAML that holds the path, which then names it from here."""
    path = Path(named)
    if path.is_absolute() or os.path.exists(path):
        return named, None
    for folder in (source.path.parent, *source.path.parent.parents):
        candidate = folder / path
        if os.path.exists(candidate):
            found = os.path.normpath(candidate)
            return found, (f"  deepspeed: {named!r} is relative to the folder llamafactory-cli runs in (LLaMA-Factory's checkout): "
                           f"found as {found}")
    if named.lower().endswith(".json"):
        from ...files import shown

        raise ConfigError(
            f"{source.where}: deepspeed",
            f"{named!r} is no file: llamafactory-cli opens it from the folder it runs in (LLaMA-Factory's checkout), and lrplot "
            f"looks there ({shown(Path.cwd())}) and in {shown(source.path.parent)} and the folders above it; run lrplot from the "
            "checkout, or write the ds_config's path from here",
        )
    return named, None  # base64-encoded JSON, or no file: the deepspeed section says which
