"""The Trainer's arithmetic (transformers 5.23): from TrainingArguments to the schedule it builds.

A config's ``transformers:`` section holds the ``TrainingArguments`` the user already has, plus what
the Trainer learns elsewhere: ``dataset_size`` (samples in the training set) and ``devices`` (the
processes ``torchrun`` starts). ``translate`` derives ``num_training_steps`` and ``num_warmup_steps``
exactly as ``Trainer.set_initial_training_values`` and ``TrainingArguments.get_warmup_steps`` do and
returns the plain config they mean (a run counted in optimizer steps, ``type: transformers.<name>``),
with the arithmetic in lines for ``explain``. Every formula here was checked against real Trainer
runs, on 1 to 4 processes (tests/golden/record_transformers.py records them).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

from ...errors import ConfigError, TorchWouldRaise
from ...values import MAX_STEPS, amount, count, integer, key_path, number, suggest, type_name
from .records import BY_NAME, PREFIX

SECTION = "transformers"

# dataclasses.fields(TrainingArguments) in 5.23.0, in order (a live test checks). A config may hold
# any of them, as a user's TrainingArguments do; the fields below the list are the ones lrplot reads.
TRAINING_ARGUMENTS = (
    'output_dir', 'per_device_train_batch_size', 'num_train_epochs', 'max_steps', 'learning_rate',
    'lr_scheduler_type', 'lr_scheduler_kwargs', 'warmup_steps', 'optim', 'optim_args', 'weight_decay', 'adam_beta1',
    'adam_beta2', 'adam_epsilon', 'optim_target_modules', 'gradient_accumulation_steps',
    'average_tokens_across_devices', 'max_grad_norm', 'label_smoothing_factor', 'bf16', 'fp16', 'bf16_full_eval',
    'fp16_full_eval', 'tf32', 'activation_checkpointing', 'activation_checkpointing_kwargs',
    'gradient_checkpointing', 'gradient_checkpointing_kwargs', 'torch_compile', 'torch_compile_backend',
    'torch_compile_mode', 'use_liger_kernel', 'liger_kernel_config', 'use_cache', 'neftune_noise_alpha',
    'torch_empty_cache_steps', 'auto_find_batch_size', 'logging_strategy', 'logging_steps', 'logging_first_step',
    'log_on_each_node', 'logging_nan_inf_filter', 'include_num_input_tokens_seen', 'log_level', 'log_level_replica',
    'disable_tqdm', 'report_to', 'run_name', 'project', 'trackio_space_id', 'trackio_bucket_id',
    'trackio_static_space_id', 'eval_strategy', 'eval_steps', 'eval_delay', 'per_device_eval_batch_size',
    'prediction_loss_only', 'eval_on_start', 'eval_do_concat_batches', 'eval_use_gather_object',
    'eval_accumulation_steps', 'include_for_metrics', 'batch_eval_metrics', 'save_only_model', 'save_strategy',
    'save_steps', 'save_on_each_node', 'save_total_limit', 'enable_jit_checkpoint', 'push_to_hub', 'hub_token',
    'hub_private_repo', 'hub_model_id', 'hub_strategy', 'hub_always_push', 'hub_revision', 'load_best_model_at_end',
    'metric_for_best_model', 'greater_is_better', 'ignore_data_skip', 'restore_callback_states_from_checkpoint',
    'full_determinism', 'seed', 'data_seed', 'use_cpu', 'accelerator_config', 'parallelism_config',
    'dataloader_drop_last', 'dataloader_num_workers', 'dataloader_pin_memory', 'dataloader_persistent_workers',
    'dataloader_prefetch_factor', 'dataloader_multiprocessing_context', 'dataloader_in_order',
    'remove_unused_columns', 'label_names', 'train_sampling_strategy', 'length_column_name',
    'ddp_find_unused_parameters', 'ddp_bucket_cap_mb', 'ddp_broadcast_buffers', 'ddp_static_graph', 'ddp_backend',
    'ddp_timeout', 'fsdp', 'fsdp_config', 'deepspeed', 'debug', 'skip_memory_metrics', 'do_train', 'do_eval',
    'do_predict', 'resume_from_checkpoint', 'local_rank',
)  # fmt: skip
PLAN_KEYS = ("dataset_size", "devices", "llamafactory")  # lrplot's: what the Trainer learns from the dataset and the launcher
# (llamafactory: the data keys of a LLaMA-Factory YAML that change the training set's length; see llamafactory.py)
# The run's and optimizer's options (a YAML's run:, or --dataset-size and the other flags) as the
# TrainingArguments they mean.
OPTIONS = {
    "run.epochs": "num_train_epochs", "run.iterations": "max_steps", "run.dataset_size": "dataset_size",
    "run.batch_size": "per_device_train_batch_size", "run.devices": "devices",
    "run.grad_accum": "gradient_accumulation_steps", "run.drop_last": "dataloader_drop_last", "optimizer.lr": "learning_rate",
}
SCHEDULER_TYPES = tuple(s.library_name for s in BY_NAME.values())  # SchedulerType's values
DEFAULTS: dict[str, Any] = {  # TrainingArguments' defaults for the fields lrplot reads
    "learning_rate": 5e-5,
    "lr_scheduler_type": "linear",
    "lr_scheduler_kwargs": None,
    "warmup_steps": 0,
    "num_train_epochs": 3.0,
    "max_steps": -1,
    "per_device_train_batch_size": 8,
    "gradient_accumulation_steps": 1,
    "dataloader_drop_last": False,
    "eval_strategy": "no",
}
# Sections in the config that the TrainingArguments replace.
_DOCS = {
    "learning_rate": "the peak lr",
    "lr_scheduler_type": f"one of {', '.join(SCHEDULER_TYPES)}",
    "lr_scheduler_kwargs": "the schedule's other keywords (num_cycles, lr_end, power, min_lr, ...)",
    "warmup_steps": "warmup optimizer steps; below 1, a fraction of the run (5.23 has no warmup_ratio)",
    "num_train_epochs": "epochs (a float); the Trainer rounds the steps up",
    "max_steps": "optimizer steps; when > 0 it overrides num_train_epochs",
    "per_device_train_batch_size": "samples per batch on each device",
    "gradient_accumulation_steps": "batches per optimizer step (a last partial group steps too)",
    "dataloader_drop_last": "drop each device's last partial batch",
    "eval_strategy": "when a metric-driven schedule (reduce_lr_on_plateau, greedy) is stepped",
}


def keys() -> list[tuple[str, str, str]]:
    """The section's keys for `lrplot list transformers`: (name, default, what it is)."""
    rows = [(k, "-" if DEFAULTS[k] is None else str(DEFAULTS[k]), _DOCS[k]) for k in DEFAULTS]
    rows += [("dataset_size", "-", "training samples (lrplot's: the Trainer reads len(train_dataset))"),
             ("devices", "1", "data-parallel processes (lrplot's: the launcher's world size)"),
             ("llamafactory", "-", "a LLaMA-Factory YAML's stage, dataset, max_samples, val_size, packing, streaming, mix_strategy (lrplot's: how its loader cuts the training set)"),
             ("(any other field)", "", "other TrainingArguments fields are accepted; the few that would change the steps in ways lrplot does not model are refused, saying why")]
    return rows


def names_sections(section: Any) -> tuple[str, ...]:
    """The other framework a section names: TrainingArguments' deepspeed (a path, or the ds_config itself; the
    Trainer takes it when truthy) hands the run to DeepSpeed, whose section then translates the config."""
    return ("deepspeed",) if isinstance(section, Mapping) and section.get("deepspeed") else ()


_REPLACED = {"optimizer": "learning_rate", "run": "num_train_epochs or max_steps", "scheduler": "lr_scheduler_type", "vars": "numbers"}


def argument_path(key: str | None) -> str:
    """The field of the section a scheduler keyword came from (for messages)."""
    if key is None or key == "num_training_steps":
        return SECTION
    if key == "num_warmup_steps":
        return f"{SECTION}.warmup_steps"
    return f"{SECTION}.lr_scheduler_kwargs.{key}"


# ----------------------------------------------------------------------------------------------
# The arithmetic


@dataclass(frozen=True)
class TrainerPlan:
    """What Trainer.set_initial_training_values (trainer.py:2487) makes of the arguments."""

    dataset_size: int | None  # None: a dataset without a length (max_steps must be given)
    per_device_train_batch_size: int
    gradient_accumulation_steps: int
    dataloader_drop_last: bool
    num_train_epochs: float
    max_steps: int
    warmup_steps: float
    devices: int = 1
    split_batches: bool = False
    even_batches: bool = True

    @property
    def batches(self) -> int:
        """len(BatchSampler): what torch's DataLoader makes of the whole dataset."""
        n, b = self.dataset_size or 0, self.per_device_train_batch_size
        return n // b if self.dataloader_drop_last else -(-n // b)

    @property
    def batches_per_device(self) -> int:
        """len(train_dataloader) on one process: accelerate's BatchSamplerShard.__len__ (data_loader.py:170)."""
        whole, w = self.batches, self.devices
        if w == 1 or self.split_batches:
            return whole  # split_batches cuts every batch across the processes instead
        if whole % w == 0 or self.dataloader_drop_last:
            return whole // w
        return whole // w + 1  # even_batches: the short processes re-use samples from the start

    @property
    def update_steps_per_epoch(self) -> int:
        """num_update_steps_per_epoch: the last, partial accumulation still steps."""
        length, gas = self.batches_per_device, self.gradient_accumulation_steps
        return max(length // gas + int(length % gas > 0), 1)

    @property
    def num_training_steps(self) -> int:
        """The scheduler's num_training_steps: the Trainer's max_steps."""
        if self.max_steps >= 0:
            return self.max_steps
        return math.ceil(self.num_train_epochs * self.update_steps_per_epoch)

    @property
    def steps_taken(self) -> int:
        """Optimizer steps the run trains: it stops once global_step >= max_steps, checked after a step."""
        if self.dataset_size is not None and self.batches_per_device == 0:
            return 0
        if self.max_steps == 0:
            return 1 if math.ceil(self.num_train_epochs) >= 1 else 0
        return max(self.num_training_steps, 0)

    @property
    def num_warmup_steps(self) -> int:
        """TrainingArguments.get_warmup_steps (training_args.py:2154): below 1 a fraction of the run."""
        w = self.warmup_steps
        return int(w) if w >= 1 else math.ceil(self.num_training_steps * w)

    def arithmetic(self) -> list[str]:
        lines = []
        b, gas = self.per_device_train_batch_size, self.gradient_accumulation_steps
        if self.dataset_size is None:
            lines.append(f"no dataset_size (a dataset without a length): the run is max_steps = {self.max_steps} optimizer steps")
        else:
            n = self.dataset_size
            rest = n % b
            how = ""
            if rest:
                dropped = f"the last {rest} samples" if rest > 1 else "the last sample"
                how = f" ({dropped} dropped: dataloader_drop_last)" if self.dataloader_drop_last else f" (the last one of {rest})"
            lines.append(f"{n:,} samples / per_device_train_batch_size {b} = {self.batches:,} batches{how}")
            length = self.batches_per_device
            if self.devices > 1:
                if self.split_batches:
                    lines.append(f"split_batches: each of {self.devices} devices takes {b // self.devices} samples of every batch: {length:,} batches per device")
                else:
                    short = self.batches % self.devices
                    tail = ""
                    if short:
                        tail = " (the last round dropped: dataloader_drop_last)" if self.dataloader_drop_last else " (accelerate fills the last round with samples from the start)"
                    lines.append(f"{self.batches:,} batches over {self.devices} devices = {length:,} per device{tail}")
            if gas > 1:
                left = length % gas
                tail = f" (the last step accumulates {left})" if left else ""
                lines.append(f"{length:,} batches / gradient_accumulation_steps {gas} = {self.update_steps_per_epoch:,} optimizer steps per epoch{tail}")
            else:
                lines.append(f"{self.update_steps_per_epoch:,} optimizer steps per epoch (one per batch)")
        t = self.num_training_steps
        if self.max_steps >= 0:
            lines.append(f"num_training_steps = max_steps = {t:,}" + (" (num_train_epochs is not used)" if self.max_steps > 0 else ""))
        else:
            product = self.num_train_epochs * self.update_steps_per_epoch
            lines.append(f"num_training_steps = ceil(num_train_epochs {_num(self.num_train_epochs)} x {self.update_steps_per_epoch:,}) = {t:,}")
            if math.ceil(Fraction(repr(self.num_train_epochs)) * self.update_steps_per_epoch) != t:  # as written, in decimal
                lines.append(f"  ({_num(self.num_train_epochs)} x {self.update_steps_per_epoch:,} is {product!r} in floating point: ceil adds a step)")
        w = self.warmup_steps
        if w >= 1:
            cut = " (int() truncates)" if not float(w).is_integer() else ""
            lines.append(f"num_warmup_steps = int(warmup_steps {_num(w)}) = {self.num_warmup_steps:,}{cut}")
        elif w > 0:
            lines.append(f"num_warmup_steps = ceil({t:,} x warmup_steps {_num(w)}) = {self.num_warmup_steps:,} (a warmup_steps below 1 is a fraction of the run)")
        else:
            lines.append("num_warmup_steps = 0")
        if self.steps_taken != max(t, 0):
            lines.append(f"the Trainer trains {self.steps_taken} optimizer step{'s' if self.steps_taken != 1 else ''} (it checks max_steps after a step)")
        return lines


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


# ----------------------------------------------------------------------------------------------
# Reading the section


@dataclass(frozen=True)
class Arguments:
    """The TrainingArguments fields that shape the schedule, validated."""

    learning_rate: float
    lr_scheduler_type: str
    lr_scheduler_kwargs: dict[str, Any]
    eval_strategy: str
    plan: TrainerPlan
    given: frozenset[str]  # the fields the section writes
    metric_for_best_model: str | None = None
    fp16: bool = False
    data_lines: tuple[str, ...] = ()  # how a LLaMA-Factory YAML's loader made the training set's length
    llamafactory: bool = False


def read(section: Any, path: str = SECTION) -> Arguments:
    if not isinstance(section, Mapping):
        raise ConfigError(path, f"must be a mapping of TrainingArguments fields (and dataset_size, devices), got {type_name(section)}")
    for key in section:
        where = key_path(path, key)
        if key == "warmup_ratio":
            raise TorchWouldRaise(
                where,
                "TrainingArguments has no warmup_ratio since transformers 5 (TypeError: unexpected keyword argument); "
                f"write warmup_steps: {section[key]!r} instead (a warmup_steps below 1 is a fraction of the run)",
            )
        if key not in TRAINING_ARGUMENTS and key not in PLAN_KEYS:
            raise ConfigError(
                where,
                f"TrainingArguments (transformers 5.23) has no field {key!r}{_closest(key)}; the section takes "
                "TrainingArguments fields, dataset_size and devices (a script's own arguments, like TRL's max_length "
                "or packing, do not go here)",
            )
    a = {**DEFAULTS, **{k: v for k, v in section.items() if k in DEFAULTS}}

    def where(key: str) -> str:
        return f"{path}.{key}"

    lr = number(a["learning_rate"], where("learning_rate"))
    if lr < 0:
        raise TorchWouldRaise(where("learning_rate"), f"must be >= 0, got {lr} (torch's AdamW raises ValueError: Invalid learning rate)")
    kind = a["lr_scheduler_type"]
    if kind not in SCHEDULER_TYPES:
        raise TorchWouldRaise(
            where("lr_scheduler_type"),
            f"transformers raises ValueError ({kind!r} is not a valid SchedulerType){suggest(kind, SCHEDULER_TYPES)}; "
            f"it takes {', '.join(SCHEDULER_TYPES)}",
        )
    warmup = number(a["warmup_steps"], where("warmup_steps"))
    if warmup < 0:
        raise TorchWouldRaise(where("warmup_steps"), f"transformers raises ValueError (Got warmup_steps = {_num(warmup)}, Expected value warmup_steps >= 0)")
    batch = integer(a["per_device_train_batch_size"], where("per_device_train_batch_size"))
    if batch < 1:
        raise TorchWouldRaise(where("per_device_train_batch_size"), f"must be >= 1, got {batch} (torch's DataLoader raises ValueError)")
    gas = integer(a["gradient_accumulation_steps"], where("gradient_accumulation_steps"))
    if gas < 1:
        raise ConfigError(where("gradient_accumulation_steps"), f"must be >= 1, got {gas} (the Trainer divides its batches by it)")
    drop_last = a["dataloader_drop_last"]
    if not isinstance(drop_last, bool):
        raise ConfigError(where("dataloader_drop_last"), f"must be true or false, got {drop_last!r}")
    strategy = a["eval_strategy"]
    if strategy not in ("no", "steps", "epoch"):
        raise TorchWouldRaise(where("eval_strategy"), f"transformers raises ValueError ({strategy!r} is not a valid IntervalStrategy); it takes no, steps, epoch")
    max_steps = integer(a["max_steps"], where("max_steps"))
    epochs = number(a["num_train_epochs"], where("num_train_epochs"))
    size = None
    if "dataset_size" in section:
        size = integer(section["dataset_size"], where("dataset_size"))
        if size < 1:
            raise ConfigError(where("dataset_size"), f"must be >= 1, got {size}")
    data_lines: tuple[str, ...] = ()
    if "llamafactory" in section:
        from .llamafactory import training_examples

        size, made = training_examples(size, section["llamafactory"], where("llamafactory"))
        data_lines = tuple(made)
    if size is None and max_steps <= 0:
        given = "dataset_size" in section
        if "llamafactory" in section:
            raise ConfigError(
                where("dataset_size"),
                ("is no length: a streaming dataset has none, so give max_steps, as LLaMA-Factory requires" if given else
                 "missing; the Trainer counts the run from the training set's size: give --dataset-size (run.dataset_size), "
                 "the number of training examples after LLaMA-Factory's preprocessing (max_samples and val_size are applied to it), or max_steps"),
            )
        raise ConfigError(
            where("dataset_size"),
            "missing; the Trainer counts the run from the training set's size (give dataset_size, the number of samples), "
            "or from max_steps",
        )
    devices = integer(section.get("devices", 1), where("devices"))
    if devices < 1:
        raise ConfigError(where("devices"), f"must be >= 1, got {devices}")
    split, even = _accelerator(section.get("accelerator_config"), where("accelerator_config"), devices, batch)
    _not_modelled(section, path)
    plan = TrainerPlan(size, batch, gas, drop_last, epochs, max_steps, warmup, devices, split, even)
    if max_steps < 0 and size is not None:
        # set_initial_training_values: max_steps = math.ceil(num_train_epochs * num_update_steps_per_epoch),
        # bounded before the ceil (a float beyond the run, or infinity, where the Trainer raises)
        upe = plan.update_steps_per_epoch
        count(
            epochs * upe, where("num_train_epochs"), f"num_train_epochs {amount(epochs)} x {upe:,} optimizer steps per epoch",
            overflow="the Trainer raises OverflowError (cannot convert float infinity to integer) in math.ceil; give fewer epochs",
        )
    if devices > 1 and not even and not split and plan.batches % devices and not drop_last:
        raise ConfigError(
            where("accelerator_config"),
            f"with even_batches false, {plan.batches} batches over {devices} devices give the processes different "
            "lengths, so each computes its own num_training_steps (and DDP hangs); keep even_batches true",
        )
    metric_name = section.get("metric_for_best_model")
    return Arguments(
        lr, kind, _kwargs(a["lr_scheduler_kwargs"], where("lr_scheduler_kwargs")), strategy, plan, frozenset(section),
        metric_name if isinstance(metric_name, str) else None, section.get("fp16") is True, data_lines, "llamafactory" in section,
    )


def _closest(key: str) -> str:
    """A did-you-mean, among the fields that shape the schedule first."""
    return suggest(key, (*DEFAULTS, *PLAN_KEYS)) or suggest(key, TRAINING_ARGUMENTS)


def _kwargs(value: Any, path: str) -> dict[str, Any]:
    """lr_scheduler_kwargs: a mapping, or a JSON object string as on the command line (training_args.py:1526)."""
    if value is None:
        return {}
    if isinstance(value, str):
        if not value.startswith("{"):
            raise ConfigError(path, f"must be a mapping (or a JSON object string), got {value!r}")
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ConfigError(path, f"is not valid JSON ({exc})") from None
        if not isinstance(value, dict):
            raise ConfigError(path, "must be a JSON object")
        value = _convert_str_dict(value)
    if not isinstance(value, Mapping):
        raise ConfigError(path, f"must be a mapping of the schedule's keywords, got {type_name(value)}")
    return dict(value)


def _convert_str_dict(passed_value: dict) -> dict:
    """training_args.py:161, verbatim: strings that look like bools, ints and plain decimals become them
    (so ``"1e-5"`` stays a string, and the schedule then fails on it)."""
    for key, value in passed_value.items():
        if isinstance(value, dict):
            passed_value[key] = _convert_str_dict(value)
        elif isinstance(value, str):
            if value.lower() in ("true", "false"):
                passed_value[key] = value.lower() == "true"
            elif value.isdigit():
                passed_value[key] = int(value)
            elif value.replace(".", "", 1).isdigit():
                passed_value[key] = float(value)
    return passed_value


def _accelerator(value: Any, path: str, devices: int, batch: int) -> tuple[bool, bool]:
    """accelerator_config's split_batches and even_batches (the rest does not change the lengths)."""
    if value is None:
        return False, True
    if isinstance(value, str) and value.startswith("{"):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ConfigError(path, f"is not valid JSON ({exc})") from None
    if not isinstance(value, Mapping):
        raise ConfigError(path, f"must be a mapping like {{split_batches: true}}, got {type_name(value)}")
    split, even = value.get("split_batches", False), value.get("even_batches", True)
    for key, v in (("split_batches", split), ("even_batches", even)):
        if not isinstance(v, bool):
            raise ConfigError(f"{path}.{key}", f"must be true or false, got {v!r}")
    if split and devices > 1 and batch % devices:
        raise TorchWouldRaise(
            f"{path}.split_batches",
            f"accelerate raises ValueError (To use `BatchSamplerShard` in `split_batches` mode, the batch size ({batch}) "
            f"needs to be a round multiple of the number of processes ({devices}).)",
        )
    return split, even


def _not_modelled(section: Mapping[str, Any], path: str) -> None:
    """Fields that change the number of steps in ways lrplot does not follow: refused, not guessed."""
    if section.get("parallelism_config") is not None:
        raise ConfigError(f"{path}.parallelism_config", "sequence parallelism changes the Trainer's step count, which lrplot does not follow; remove it")
    if section.get("train_sampling_strategy") == "batch_rebalance":
        raise ConfigError(f"{path}.train_sampling_strategy", "batch_rebalance sizes the batches at run time, which lrplot does not follow")


# ----------------------------------------------------------------------------------------------
# The plain config


def translate(section: Any, config: Mapping[str, Any], path: str = SECTION) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The plain config a ``transformers:`` section means, and the arithmetic that derived it."""
    for key in config:
        if key in _REPLACED:
            raise ConfigError(
                key,
                f"the `{path}:` section sets this through its TrainingArguments ({_REPLACED[key]}); remove `{key}:` "
                "(or the command-line flags that set it)",
            )
    args = read(section, path)
    plan = args.plan
    name = args.lr_scheduler_type
    filled = None
    if args.llamafactory and name == "warmup_stable_decay":
        from dataclasses import replace

        from .llamafactory import wsd_defaults

        kwargs, filled = wsd_defaults(args.lr_scheduler_kwargs, plan.num_warmup_steps, plan.num_training_steps)
        args = replace(args, lr_scheduler_kwargs=kwargs)
    info = BY_NAME[PREFIX + name]
    metric_driven = info.steps_on_metric
    steps = plan.steps_taken
    if plan.dataset_size is not None and plan.batches_per_device == 0:
        if plan.max_steps <= 0:
            raise TorchWouldRaise(
                f"{path}.dataloader_drop_last",
                f"transformers raises ValueError (args.max_steps must be set to a positive value if dataloader does not "
                f"have a length, was {plan.max_steps}): {plan.dataset_size} samples make no full batch of "
                f"{plan.per_device_train_batch_size} per device, and dataloader_drop_last drops it; set it false",
            )
        raise ConfigError(f"{path}.dataloader_drop_last", "the dataloader is empty (no full batch), so the Trainer stops before its first optimizer step")
    if steps == 0:
        raise ConfigError(f"{path}.num_train_epochs", f"num_train_epochs {_num(plan.num_train_epochs)} gives no optimizer step")
    if max(steps, plan.num_training_steps) > MAX_STEPS:
        raise ConfigError(path, f"{max(steps, plan.num_training_steps):,} optimizer steps; lrplot simulates at most {MAX_STEPS:,}")
    scheduler = {"type": info.name, **_scheduler_keywords(args, path)}
    run: dict[str, Any] = {"iterations": steps}
    if plan.dataset_size is not None:
        run["steps_per_epoch"] = plan.update_steps_per_epoch
    if metric_driven:
        run["step"] = _evaluation_step(args, path, plan)
    out: dict[str, Any] = {"optimizer": {"lr": args.learning_rate}, "run": run, "scheduler": scheduler}
    for key in ("name", "metric"):
        if key in config:
            out[key] = config[key]
    lines = [*args.data_lines, "transformers Trainer (5.23): the steps its schedule counts"]
    lines += [f"  {line}" for line in plan.arithmetic()]
    if filled:
        lines.append(f"  {filled}")
    # trainer.py:1367: the Trainer always passes both counts; get_scheduler's dispatch picks what the schedule takes
    kwargs = f", scheduler_specific_kwargs={args.lr_scheduler_kwargs!r}" if args.lr_scheduler_kwargs else ""
    lines.append(
        f"  get_scheduler({name!r}, optimizer, num_warmup_steps={plan.num_warmup_steps}, "
        f"num_training_steps={plan.num_training_steps}{kwargs})"
    )
    return out, tuple(lines)


def _scheduler_keywords(args: Arguments, path: str) -> dict[str, Any]:
    """What get_scheduler (optimization.py:960) hands the schedule: its dispatch, name by name."""
    name, kwargs, plan = args.lr_scheduler_type, args.lr_scheduler_kwargs, args.plan
    info = BY_NAME[PREFIX + name]
    warmup, training = plan.num_warmup_steps, plan.num_training_steps
    if name == "constant":
        return {}  # warmup, training steps and kwargs all ignored
    if name == "constant_with_warmup":
        return {"num_warmup_steps": warmup}  # kwargs silently ignored
    function = info.aliases[0][len(PREFIX):] + "()"
    fixed: dict[str, Any] = {}
    if info.steps_on_metric:
        function = ("GreedyLR" if name == "greedy" else "ReduceLROnPlateau") + ".__init__()"
    elif name == "inverse_sqrt":
        fixed = {"num_warmup_steps": warmup}
    else:
        fixed = {"num_warmup_steps": warmup, "num_training_steps": training}
    accepted = {p.name for p in info.params} - set(fixed)
    if not info.steps_on_metric:
        accepted.add("last_epoch")
    for key in kwargs:
        if key in fixed:
            raise TorchWouldRaise(
                f"{path}.lr_scheduler_kwargs.{key}",
                f"transformers raises TypeError ({function} got multiple values for keyword argument {key!r}): "
                "the Trainer passes it itself",
            )
        if key not in accepted:
            takes = f"it takes {', '.join(sorted(accepted - {'last_epoch'}))}" if accepted - {"last_epoch"} else f"{name} takes no lr_scheduler_kwargs"
            raise TorchWouldRaise(
                f"{path}.lr_scheduler_kwargs.{key}",
                f"transformers raises TypeError ({function} got an unexpected keyword argument {key!r}){suggest(key, accepted)}; {takes}",
            )
    if name == "warmup_stable_decay" and "num_decay_steps" not in kwargs:
        raise TorchWouldRaise(
            f"{path}.lr_scheduler_kwargs",
            "transformers raises TypeError (get_wsd_schedule() missing 1 required positional argument: 'num_decay_steps'); "
            "give num_decay_steps in lr_scheduler_kwargs",
        )
    return {**fixed, **{key: _number_given_as_text(name, key, value, info, path) for key, value in kwargs.items()}}


def _number_given_as_text(name: str, key: str, value: Any, info: Any, path: str) -> Any:
    """A quoted number reaches the schedule as a string (a JSON lr_scheduler_kwargs converts only
    plain decimals, training_args.py:161). Where the lambda passes it through float() it works;
    anywhere else transformers fails on it."""
    if not isinstance(value, str) or key == "last_epoch" or info.param(key).kind not in ("int", "float", "per_group"):
        return value
    if key == "warmup_lr_rate" or (key == "num_cycles" and name != "cosine_warmup_with_min_lr"):
        try:
            return float(value)
        except ValueError:
            kind = "ValueError"
    else:
        kind = "TypeError"
    raise TorchWouldRaise(
        f"{path}.lr_scheduler_kwargs.{key}",
        f"is the string {value!r}: transformers passes it on unconverted (a JSON lr_scheduler_kwargs converts only "
        f"plain decimals like 0.00001), and the schedule raises {kind} on it; write a number",
    )


def _evaluation_step(args: Arguments, path: str, plan: TrainerPlan) -> str:
    """When the Trainer steps a metric-driven schedule: after each evaluation (trainer.py:3294)."""
    name = args.lr_scheduler_type
    if args.eval_strategy == "no":
        raise TorchWouldRaise(f"{path}.eval_strategy", f"transformers raises ValueError (lr_scheduler_type {name} requires an eval strategy); set eval_strategy: epoch")
    if args.eval_strategy == "steps":
        raise ConfigError(
            f"{path}.eval_strategy",
            f"lrplot follows {name} evaluated once per epoch (eval_strategy: epoch); for evaluations every eval_steps, "
            f"use `scheduler: {{type: transformers.{name}}}` with run.steps_per_epoch: <eval_steps> and run.step: epoch",
        )
    if plan.dataset_size is None:
        raise ConfigError(f"{path}.dataset_size", "missing; evaluating once per epoch needs the epoch's length (the number of samples)")
    return "epoch"


def section_error(exc: ConfigError) -> ConfigError:
    """An error in the plain config this section became, named by the TrainingArguments field that caused it."""
    where = exc.path
    if where.startswith("scheduler."):
        key = where[len("scheduler."):].split("[")[0].split(".")[0]
        where = argument_path(key) + where[len("scheduler.") + len(key):]
    elif where.startswith("optimizer.lr"):
        where = f"{SECTION}.learning_rate"
    else:
        where = SECTION
    return type(exc)(where, exc.message)