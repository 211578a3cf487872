"""The configurations whose transformers 5.23.0 traces are recorded as golden files.

Two kinds, each a list of ``(case_id, config)``:

* ``SCHEDULER_CASES``: ``type: transformers.<name>`` configs, built with ``transformers.get_scheduler``
  over a real torch optimizer and stepped per iteration, per epoch or fractionally: every name,
  every keyword branch, several param groups, and where the library raises.
* ``TRAINER_CASES``: ``transformers:`` sections (TrainingArguments, dataset_size, devices), run by a
  real ``Trainer`` on a tiny model (``devices`` > 1 under ``torchrun``): the step arithmetic over a
  grid of arguments, every ``lr_scheduler_type``, and the arguments the Trainer refuses.

Inputs only: the expected numbers come from the library (``record_transformers.py``). Metric
values are exact in float32 (the Trainer's eval_loss is a float32 mean), so the Trainer is fed them
exactly.
"""

from __future__ import annotations

import itertools
from typing import Any

Config = dict[str, Any]

SCHEDULER_CASES: list[tuple[str, Config]] = []
TRAINER_CASES: list[tuple[str, Config]] = []

GROUPS2 = [{"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]
GROUPS3 = [{"name": "embed", "lr": 0.002}, {"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]


def metric_curve(n: int, shape: str = "improve-stall") -> list[float]:
    """A loss that improves, stalls, improves again (dyadic values: exact in float32)."""
    out, value = [], 2.0
    for k in range(n):
        if shape == "improve-stall" and (k // 6) % 2 == 0:
            value -= 0.0625
        elif shape == "noisy":
            value += (-0.125, 0.0625, -0.0625, 0.125, 0.0)[k % 5]
        out.append(value)
    return out


def schedule(case_id: str, scheduler: dict[str, Any], *, iterations: int | None = 100, epochs: int | None = None,
             spe: int | None = None, step: str | None = None, lr: float | list[float] | None = 0.1,
             groups: list[dict[str, Any]] | None = None, momentum: float | None = None, betas: list[float] | None = None,
             metric: Any = None) -> None:
    assert all(case_id != cid for cid, _ in SCHEDULER_CASES), case_id
    optimizer: Config = {"param_groups": [dict(g) for g in groups]} if groups else {"lr": lr}
    if momentum is not None:
        optimizer["momentum"] = momentum
    if betas is not None:
        optimizer["betas"] = list(betas)
    run: Config = {"epochs": epochs} if epochs is not None else {"iterations": iterations}
    if spe is not None:
        run["steps_per_epoch"] = spe
    if step is not None:
        run["step"] = step
    config: Config = {"name": case_id, "optimizer": optimizer, "run": run, "scheduler": {"type": f"transformers.{scheduler.pop('name')}", **scheduler}}
    if metric is not None:
        config["metric"] = metric if isinstance(metric, dict) else {"values": metric}
    SCHEDULER_CASES.append((case_id, config))


def s(name: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, **kw}


# ------------------------------------------------------------------------------------------------
# get_scheduler: every name and keyword branch

for nm in ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant_with_warmup", "inverse_sqrt"):
    schedule(f"{nm}-basic", s(nm, num_warmup_steps=10))
    schedule(f"{nm}-no-warmup", s(nm, num_warmup_steps=0))
    schedule(f"{nm}-epoch", s(nm, num_warmup_steps=3), epochs=20, spe=5, step="epoch", momentum=0.9)
    schedule(f"{nm}-fractional", s(nm, num_warmup_steps=2), epochs=12, spe=4, step="fractional")
    schedule(f"{nm}-groups3", s(nm, num_warmup_steps=7), iterations=60, groups=GROUPS3, betas=[0.9, 0.95])
    schedule(f"{nm}-warmup-longer-than-run", s(nm, num_warmup_steps=150), iterations=80)
for nm in ("linear", "cosine", "cosine_with_restarts", "polynomial"):
    schedule(f"{nm}-run-past-training-steps", s(nm, num_warmup_steps=5, num_training_steps=60), iterations=100)
    schedule(f"{nm}-iteration-with-epochs", s(nm, num_warmup_steps=5), iterations=90, spe=7)
schedule("linear-training-steps-0", s("linear", num_warmup_steps=0, num_training_steps=0), iterations=5)
schedule("linear-warmup-past-training-steps", s("linear", num_warmup_steps=40, num_training_steps=30), iterations=50)
schedule("cosine-cycles-1.5", s("cosine", num_warmup_steps=10, num_cycles=1.5))
schedule("cosine-cycles-0", s("cosine", num_warmup_steps=10, num_cycles=0))
schedule("cosine-small-lr", s("cosine", num_warmup_steps=30), iterations=300, lr=3e-4)
schedule("cosine_with_restarts-cycles-2.5", s("cosine_with_restarts", num_warmup_steps=4, num_cycles=2.5))
schedule("cosine_with_restarts-cycles-1", s("cosine_with_restarts", num_warmup_steps=4, num_cycles=1), groups=GROUPS2)
schedule("polynomial-power-2", s("polynomial", num_warmup_steps=10, power=2.0, lr_end=1e-4))
schedule("polynomial-power-half", s("polynomial", num_warmup_steps=10, power=0.5, lr_end=1e-3))
schedule("polynomial-groups2-lr-end", s("polynomial", num_warmup_steps=5, lr_end=1e-3), groups=GROUPS2)
schedule("polynomial-warmup-past-training-steps", s("polynomial", num_warmup_steps=40, num_training_steps=30), iterations=50)
schedule("polynomial-lr-end-above-lr", s("polynomial", num_warmup_steps=5, lr_end=0.5))
schedule("polynomial-lr-end-equals-lr", s("polynomial", num_warmup_steps=5, lr_end=0.1))
schedule("polynomial-warmup-equals-training-steps", s("polynomial", num_warmup_steps=100))
schedule("polynomial-warmup-equals-training-steps-epoch", s("polynomial", num_warmup_steps=6), epochs=6, spe=3, step="epoch")
schedule("polynomial-training-steps-0", s("polynomial", num_warmup_steps=0, num_training_steps=0), iterations=5)
schedule("constant-basic", s("constant"))
schedule("constant-epoch", s("constant"), epochs=10, spe=3, step="epoch", groups=GROUPS2, momentum=0.9)
schedule("constant-fractional", s("constant"), epochs=5, spe=4, step="fractional")
schedule("inverse_sqrt-timescale-3", s("inverse_sqrt", num_warmup_steps=5, timescale=3))
schedule("inverse_sqrt-timescale-no-warmup", s("inverse_sqrt", num_warmup_steps=0, timescale=20))
schedule("inverse_sqrt-long", s("inverse_sqrt", num_warmup_steps=0), iterations=200)
schedule("inverse_sqrt-timescale-0", s("inverse_sqrt", num_warmup_steps=5, timescale=0))
schedule("inverse_sqrt-timescale-negative", s("inverse_sqrt", num_warmup_steps=0, timescale=-1))
for nm in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
    schedule(f"{nm}-rate", s(nm, num_warmup_steps=10, min_lr_rate=0.1))
    schedule(f"{nm}-min-lr", s(nm, num_warmup_steps=10, min_lr=1e-5), lr=3e-4)
    schedule(f"{nm}-cycles-1", s(nm, num_warmup_steps=5, num_cycles=1.0, min_lr_rate=0.05))
    schedule(f"{nm}-groups2-min-lr", s(nm, num_warmup_steps=5, min_lr=1e-3), groups=GROUPS2)
    schedule(f"{nm}-epoch", s(nm, num_warmup_steps=2, min_lr_rate=0.2), epochs=15, spe=4, step="epoch")
    schedule(f"{nm}-fractional", s(nm, num_warmup_steps=2, min_lr_rate=0.2), epochs=10, spe=3, step="fractional")
    schedule(f"{nm}-no-warmup", s(nm, num_warmup_steps=0, min_lr_rate=0.1))
    schedule(f"{nm}-run-past-training-steps", s(nm, num_warmup_steps=5, num_training_steps=60, min_lr_rate=0.1))
    schedule(f"{nm}-both", s(nm, num_warmup_steps=10, min_lr=1e-5, min_lr_rate=0.1))
    schedule(f"{nm}-neither", s(nm, num_warmup_steps=10))
    schedule(f"{nm}-min-lr-at-lr-0", s(nm, num_warmup_steps=10, min_lr=1e-5), lr=0.0)
schedule("cosine_warmup_with_min_lr-warmup-lr-rate", s("cosine_warmup_with_min_lr", num_warmup_steps=10, min_lr_rate=0.0, warmup_lr_rate=0.1))
schedule("cosine_warmup_with_min_lr-warmup-1-lr-rate", s("cosine_warmup_with_min_lr", num_warmup_steps=1, min_lr_rate=0.1, warmup_lr_rate=0.25))
wsd = "warmup_stable_decay"
schedule("wsd-basic", s(wsd, num_warmup_steps=10, num_decay_steps=30))
schedule("wsd-cosine-1-sqrt-min-ratio", s(wsd, num_warmup_steps=10, num_decay_steps=40, warmup_type="cosine", decay_type="1-sqrt", min_lr_ratio=0.1))
schedule("wsd-1-sqrt-linear", s(wsd, num_warmup_steps=20, num_decay_steps=20, warmup_type="1-sqrt", decay_type="linear"))
schedule("wsd-stable-given", s(wsd, num_warmup_steps=10, num_decay_steps=20, num_stable_steps=30), iterations=100)
schedule("wsd-stable-negative", s(wsd, num_warmup_steps=60, num_decay_steps=60))
schedule("wsd-decay-cycles-1", s(wsd, num_warmup_steps=5, num_decay_steps=50, num_cycles=1.0, min_lr_ratio=0.05))
schedule("wsd-no-warmup", s(wsd, num_warmup_steps=0, num_decay_steps=25))
schedule("wsd-epoch", s(wsd, num_warmup_steps=2, num_decay_steps=5, decay_type="linear"), epochs=12, spe=4, step="epoch")
schedule("wsd-fractional", s(wsd, num_warmup_steps=2, num_decay_steps=4), epochs=10, spe=4, step="fractional")
schedule("wsd-groups2", s(wsd, num_warmup_steps=5, num_decay_steps=15, min_lr_ratio=0.2), iterations=50, groups=GROUPS2)
schedule("wsd-neither-length", s(wsd, num_warmup_steps=5, num_decay_steps=15, num_training_steps=None))
schedule("wsd-bad-decay-type", s(wsd, num_warmup_steps=5, num_decay_steps=15, decay_type="exp"))
plateau = "reduce_lr_on_plateau"
schedule("plateau-patience-0", s(plateau, patience=0, factor=0.5), iterations=40, metric=metric_curve(40))
schedule("plateau-defaults", s(plateau), iterations=60, metric=metric_curve(60))
schedule("plateau-cooldown-max-mode", s(plateau, mode="max", patience=1, cooldown=2, factor=0.5, eps=0.02), iterations=50,
         metric=[-v for v in metric_curve(50)])
schedule("plateau-abs-min-lr-groups2", s(plateau, patience=1, threshold=0.1, threshold_mode="abs", min_lr=[0.002, 0.03]),
         iterations=50, groups=GROUPS2, metric=metric_curve(50, "noisy"))
schedule("plateau-epoch", s(plateau, patience=1, factor=0.5), epochs=20, spe=3, step="epoch", metric=metric_curve(20))
schedule("plateau-synthetic", s(plateau, patience=2, factor=0.5), iterations=80, metric={"synthetic": {"seed": 3}})
schedule("greedy-basic", s("greedy", patience=1, min_lr=1e-4), iterations=60, metric=metric_curve(60))
schedule("greedy-defaults-min-lr-above-lr", s("greedy", patience=2), iterations=60, lr=5e-5, metric=metric_curve(60))
schedule("greedy-smooth", s("greedy", patience=1, smooth=True, window_size=4, min_lr=1e-4), iterations=60, metric=metric_curve(60, "noisy"))
schedule("greedy-warmup-cooldown", s("greedy", patience=0, warmup=2, cooldown=3, factor=0.5, min_lr=1e-3), iterations=60,
         metric=metric_curve(60, "noisy"))
schedule("greedy-reset", s("greedy", patience=0, factor=0.5, min_lr=0.02, reset_start=3), iterations=60, metric=[1.0] * 60)
schedule("greedy-max-mode-max-lr", s("greedy", mode="max", patience=0, threshold=0.01, threshold_mode="rel", max_lr=0.15),
         iterations=40, metric=[-v for v in metric_curve(40)])
schedule("greedy-groups2", s("greedy", patience=1, min_lr=[1e-4, 1e-3], max_lr=[0.05, 0.5], eps=1e-3), iterations=50, groups=GROUPS2,
         metric=metric_curve(50))
schedule("greedy-epoch", s("greedy", patience=0, min_lr=1e-3), epochs=20, spe=3, step="epoch", metric=metric_curve(20, "noisy"))
schedule("greedy-factor-1", s("greedy", factor=1.0), iterations=10, metric=[1.0] * 10)


# ------------------------------------------------------------------------------------------------
# The Trainer: TrainingArguments, dataset size and devices


def trainer(case_id: str, metric: list[float] | None = None, **section: Any) -> None:
    assert all(case_id != cid for cid, _ in TRAINER_CASES + SCHEDULER_CASES), case_id
    config: Config = {"name": case_id, "transformers": section}
    if metric is not None:
        config["metric"] = {"values": metric}
    TRAINER_CASES.append((case_id, config))


# A grid over the arithmetic: dataset size x batch size x accumulation x drop_last, cycling
# through epochs (fractional too), max_steps, warmup_steps (ratios, truncated floats, 1.0) and
# the schedule types.
_TYPES = [
    ("linear", None), ("cosine", None), ("cosine", {"num_cycles": 1.5}), ("cosine_with_restarts", {"num_cycles": 3}),
    ("polynomial", {"lr_end": 1e-6, "power": 2.0}), ("constant", None), ("constant_with_warmup", None),
    ("inverse_sqrt", None), ("cosine_with_min_lr", {"min_lr_rate": 0.1}), ("cosine_warmup_with_min_lr", {"min_lr": 1e-6}),
    ("warmup_stable_decay", {"num_decay_steps": 3, "decay_type": "1-sqrt"}),
]
_EPOCHS = [1, 2.5, 0.3, 3, 1.7]
_MAX_STEPS = [-1, -1, 7, -1, 25]
_WARMUPS = [0, 3, 0.1, 0.25, 0.5, 2.7, 1, 1.0, 0.2, 0.05]
for i, (n, bs, gas, drop) in enumerate(itertools.product([10, 37, 64], [1, 3, 8], [1, 3], [False, True])):
    kind, kwargs = _TYPES[i % len(_TYPES)]
    section: Config = {
        "dataset_size": n, "per_device_train_batch_size": bs, "gradient_accumulation_steps": gas,
        "dataloader_drop_last": drop, "num_train_epochs": _EPOCHS[i % len(_EPOCHS)], "max_steps": _MAX_STEPS[(i // 5) % len(_MAX_STEPS)],
        "warmup_steps": _WARMUPS[i % len(_WARMUPS)], "lr_scheduler_type": kind, "learning_rate": 5e-5,
    }
    if kwargs:
        section["lr_scheduler_kwargs"] = kwargs
    trainer(f"grid-{i:02d}-{kind}", **section)

# Every type on one shape, with the defaults a user leaves out.
for j, (kind, kwargs) in enumerate(_TYPES):
    trainer(f"type-{j:02d}-{kind}", dataset_size=37, per_device_train_batch_size=4, gradient_accumulation_steps=3, num_train_epochs=2.5,
            warmup_steps=0.2, lr_scheduler_type=kind, **({"lr_scheduler_kwargs": kwargs} if kwargs else {}))
trainer("defaults", dataset_size=40)
trainer("plateau-per-epoch", dataset_size=37, per_device_train_batch_size=4, num_train_epochs=4, lr_scheduler_type="reduce_lr_on_plateau",
        lr_scheduler_kwargs={"patience": 0, "factor": 0.5}, eval_strategy="epoch", metric=[1.0, 0.75, 0.75, 0.75])
trainer("plateau-warmup-ignored", dataset_size=37, per_device_train_batch_size=8, num_train_epochs=6, warmup_steps=0.5,
        lr_scheduler_type="reduce_lr_on_plateau", eval_strategy="epoch", lr_scheduler_kwargs={"patience": 1, "cooldown": 1},
        metric=[1.0, 1.0, 1.0, 0.5, 0.5, 0.5])
trainer("greedy-per-epoch", dataset_size=20, per_device_train_batch_size=4, num_train_epochs=8, lr_scheduler_type="greedy",
        lr_scheduler_kwargs={"patience": 0, "min_lr": 1e-6}, eval_strategy="epoch", metric=[1.0, 0.75, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25])
# Pitfalls of the arithmetic: ceil of a float product, a ratio warmup rounding up, a warmup
# longer than the run, max_steps inside an epoch, a dataset smaller than a batch, accumulation
# beyond the dataloader, max_steps 0 (one step at num_training_steps 0), JSON kwargs.
trainer("ceil-float-epochs", dataset_size=100, per_device_train_batch_size=1, num_train_epochs=0.07, warmup_steps=0.07, lr_scheduler_type="cosine")
trainer("ceil-float-epochs-1.1", dataset_size=50, per_device_train_batch_size=1, num_train_epochs=1.1, warmup_steps=0.1)
trainer("warmup-longer-than-run", dataset_size=64, per_device_train_batch_size=8, num_train_epochs=1, warmup_steps=20)
trainer("warmup-almost-whole-run", dataset_size=64, per_device_train_batch_size=8, num_train_epochs=2, warmup_steps=0.999, lr_scheduler_type="cosine")
trainer("max-steps-inside-epoch", dataset_size=64, per_device_train_batch_size=8, num_train_epochs=9, max_steps=5, warmup_steps=2)
trainer("max-steps-over-epochs", dataset_size=37, per_device_train_batch_size=8, gradient_accumulation_steps=3, max_steps=11, lr_scheduler_type="cosine")
trainer("dataset-below-batch", dataset_size=5, per_device_train_batch_size=8, num_train_epochs=2)
trainer("accumulation-beyond-loader", dataset_size=10, per_device_train_batch_size=4, gradient_accumulation_steps=8, num_train_epochs=3, warmup_steps=1)
trainer("max-steps-0", dataset_size=37, per_device_train_batch_size=4, num_train_epochs=3, max_steps=0, warmup_steps=0.5)
trainer("json-kwargs", dataset_size=37, per_device_train_batch_size=4, num_train_epochs=2, warmup_steps=0.1, lr_scheduler_type="cosine_with_min_lr",
        lr_scheduler_kwargs='{"min_lr_rate": "0.1", "num_cycles": 0.5}')
trainer("kwargs-ignored-constant-with-warmup", dataset_size=37, per_device_train_batch_size=4, num_train_epochs=1, warmup_steps=3,
        lr_scheduler_type="constant_with_warmup", lr_scheduler_kwargs={"num_cycles": 2})
trainer("trainer-wsd-stable-given", dataset_size=37, per_device_train_batch_size=2, num_train_epochs=2, warmup_steps=2,
        lr_scheduler_type="warmup_stable_decay", lr_scheduler_kwargs={"num_decay_steps": 3, "num_stable_steps": 1, "min_lr_ratio": 0.2})
trainer("trainer-wsd-negative-stable", dataset_size=10, per_device_train_batch_size=2, num_train_epochs=1, warmup_steps=3,
        lr_scheduler_type="warmup_stable_decay", lr_scheduler_kwargs={"num_decay_steps": 4})
trainer("fine-tune-lr", dataset_size=200, per_device_train_batch_size=16, num_train_epochs=3, learning_rate=2e-5, warmup_steps=0.06,
        weight_decay=0.01, output_dir="out", logging_steps=10)
# Where the Trainer (or TrainingArguments) raises
trainer("error-warmup-ratio", dataset_size=37, warmup_ratio=0.1)
trainer("error-type-capitalised", dataset_size=37, lr_scheduler_type="Linear")
trainer("error-negative-warmup", dataset_size=37, warmup_steps=-1)
trainer("error-unknown-kwarg", dataset_size=37, lr_scheduler_type="linear", lr_scheduler_kwargs={"num_cycles": 2})
trainer("error-duplicate-kwarg", dataset_size=37, lr_scheduler_type="cosine", lr_scheduler_kwargs={"num_warmup_steps": 2})
trainer("error-wsd-without-decay", dataset_size=37, lr_scheduler_type="warmup_stable_decay")
trainer("error-polynomial-lr-end", dataset_size=37, lr_scheduler_type="polynomial", lr_scheduler_kwargs={"lr_end": 1e-3})
trainer("error-polynomial-warmup-whole-run", dataset_size=10, per_device_train_batch_size=2, num_train_epochs=1, warmup_steps=5,
        lr_scheduler_type="polynomial")
trainer("error-polynomial-ratio-whole-run", dataset_size=37, per_device_train_batch_size=4, num_train_epochs=1, warmup_steps=0.999,
        lr_scheduler_type="polynomial")
trainer("error-min-lr-both", dataset_size=37, lr_scheduler_type="cosine_with_min_lr", lr_scheduler_kwargs={"min_lr": 1e-6, "min_lr_rate": 0.1})
trainer("error-min-lr-neither", dataset_size=37, lr_scheduler_type="cosine_with_min_lr")
trainer("error-json-scientific-string", dataset_size=37, lr_scheduler_type="cosine_with_min_lr", lr_scheduler_kwargs='{"min_lr": "1e-5"}')
trainer("error-plateau-without-eval", dataset_size=37, lr_scheduler_type="reduce_lr_on_plateau")
trainer("error-empty-loader", dataset_size=5, per_device_train_batch_size=8, dataloader_drop_last=True, num_train_epochs=2)

# Several processes (recorded under torchrun, gloo on CPU): each process counts its own batches.
for n, bs, gas, drop in [(37, 4, 1, False), (37, 4, 1, True), (64, 3, 3, False), (10, 1, 3, True)]:
    trainer(f"devices-2-n{n}-b{bs}-g{gas}{'-drop' if drop else ''}", dataset_size=n, per_device_train_batch_size=bs,
            gradient_accumulation_steps=gas, dataloader_drop_last=drop, num_train_epochs=2.5, warmup_steps=0.25, devices=2)
trainer("devices-2-split-batches", dataset_size=37, per_device_train_batch_size=4, gradient_accumulation_steps=2, num_train_epochs=1.5,
        warmup_steps=1, lr_scheduler_type="cosine", devices=2, accelerator_config={"split_batches": True})
trainer("devices-3-cosine", dataset_size=37, per_device_train_batch_size=4, num_train_epochs=2.5, warmup_steps=0.25, lr_scheduler_type="cosine", devices=3)
trainer("devices-3-drop", dataset_size=37, per_device_train_batch_size=4, dataloader_drop_last=True, num_train_epochs=2.5, warmup_steps=0.25, devices=3)
trainer("devices-4-wsd", dataset_size=64, per_device_train_batch_size=2, gradient_accumulation_steps=2, num_train_epochs=2, warmup_steps=0.1,
        lr_scheduler_type="warmup_stable_decay", lr_scheduler_kwargs={"num_decay_steps": 3}, devices=4)
