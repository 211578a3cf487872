"""Golden cases for torchtitan (recorded by record_torchtitan.py on torchtitan 0.3.0): every decay
type, decay_ratio on and off, the adjustments build() warns about, total_steps, the overrides
spelling and 0.1.0's lr_min."""


def _titan(lr_scheduler: dict, steps: int = 120, lr: float = 3e-4) -> dict:
    return {"torchtitan": {"lr_scheduler": lr_scheduler, "training": {"steps": steps}, "optimizer": {"lr": lr}}}


def _type(steps: int = 90, **keywords) -> dict:
    return {"optimizer": {"lr": 0.01}, "run": {"iterations": steps}, "scheduler": {"type": "torchtitan.linear_warmup_stable_decay", **keywords}}


CASES = [
    ("defaults-warmup-200-of-1000", _titan({}, steps=1000)),
    ("linear-no-decay-ratio", _titan({"warmup_steps": 20})),
    ("cosine-wsd-min-lr-factor", _titan({"warmup_steps": 10, "decay_ratio": 0.3, "decay_type": "cosine", "min_lr_factor": 0.1})),
    ("sqrt-wsd", _titan({"warmup_steps": 7, "decay_ratio": 0.5, "decay_type": "sqrt"})),
    ("linear-wsd-odd-rounding", _titan({"warmup_steps": 5, "decay_ratio": 0.125, "decay_type": "linear"}, steps=101)),
    ("no-warmup-cosine", _titan({"warmup_steps": 0, "decay_type": "cosine"})),
    ("warmup-longer-than-run", _titan({"warmup_steps": 500}, steps=100)),
    ("decay-cut-short", _titan({"warmup_steps": 60, "decay_ratio": 0.8, "decay_type": "cosine"}, steps=100)),
    ("decay-ratio-zero", _titan({"warmup_steps": 10, "decay_ratio": 0.0})),
    ("decay-ratio-one", _titan({"warmup_steps": 0, "decay_ratio": 1.0, "decay_type": "sqrt", "min_lr_factor": 0.2})),
    ("total-steps-longer-than-run", _titan({"warmup_steps": 10, "decay_ratio": 0.5, "total_steps": 200})),
    ("total-steps-shorter-linear-goes-negative", _titan({"warmup_steps": 10, "total_steps": 80})),
    ("total-steps-shorter-cosine", _titan({"warmup_steps": 10, "decay_type": "cosine", "total_steps": 80})),
    ("total-steps-shorter-no-decay-raises", _titan({"warmup_steps": 10, "decay_ratio": 0.0, "total_steps": 80})),
    ("overrides-spelling", {"torchtitan": {"--lr_scheduler.warmup_steps": 15, "--lr_scheduler.decay_ratio": 0.4,
                                           "lr_scheduler.decay_type": "cosine", "--training.steps": 150, "--optimizer.lr": 8e-4}}),
    ("lr-min-of-0.1.0", _titan({"warmup_steps": 10, "decay_ratio": 0.5, "lr_min": 0.1})),
    ("type-default-keywords", _type(warmup_steps=30)),
    ("type-wsd-alias-cosine", {**_type(), "scheduler": {"type": "torchtitan.wsd", "warmup_steps": 5, "decay_ratio": 0.2, "decay_type": "cosine"}}),
    ("type-sqrt-two-groups", {"optimizer": {"lr": [0.01, 0.1]}, "run": {"iterations": 60},
                              "scheduler": {"type": "torchtitan.linear_warmup_stable_decay", "warmup_steps": 3, "decay_ratio": 0.5, "decay_type": "sqrt"}}),
]
