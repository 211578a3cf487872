"""Golden cases for DeepSpeed (recorded by record_deepspeed.py through DeepSpeed 0.19.8's own engine on
CPU): every class and keyword branch, fp16 overflow skips, ds_configs alone and under transformers'
Trainer (filled by transformers 5.23's integration), and what DeepSpeed and transformers refuse."""


def _type(name: str, steps: int = 80, betas=None, **keywords) -> dict:
    optimizer = {"lr": 0.05, **({"betas": betas} if betas else {})}
    return {"optimizer": optimizer, "run": {"iterations": steps}, "scheduler": {"type": f"deepspeed.{name}", **keywords}}


_ADAM = [0.9, 0.999]


def _hf(ds: dict, **args) -> dict:
    return {"transformers": {"learning_rate": 2e-4, "num_train_epochs": 2, "per_device_train_batch_size": 4, "dataset_size": 120, **args},
            "deepspeed": ds}


_AUTO_DECAY = {"scheduler": {"type": "WarmupDecayLR", "params": {"warmup_min_lr": "auto", "warmup_max_lr": "auto",
                                                                  "warmup_num_steps": "auto", "total_num_steps": "auto"}},
               "optimizer": {"type": "AdamW", "params": {"lr": "auto", "betas": "auto"}}}

CASES = [
    ("warmuplr-log-default-max", _type("WarmupLR", warmup_num_steps=20)),
    ("warmuplr-linear-min-max", _type("WarmupLR", warmup_num_steps=25, warmup_type="linear", warmup_min_lr=0.001, warmup_max_lr=0.02)),
    ("warmuplr-one-step-is-two", _type("WarmupLR", warmup_num_steps=1)),
    ("warmupdecay-default-max-0.001", _type("WarmupDecayLR", warmup_num_steps=10)),
    ("warmupdecay-linear-total", _type("WarmupDecayLR", warmup_num_steps=15, warmup_type="linear", warmup_max_lr=0.05, total_num_steps=60)),
    ("warmupdecay-total-below-warmup", _type("WarmupDecayLR", warmup_num_steps=50, warmup_max_lr=0.05, total_num_steps=30)),
    ("warmupdecay-skipped-steps", _type("WarmupDecayLR", warmup_num_steps=10, warmup_max_lr=0.05, skipped_steps=[0, 1, 2, 3, 30, 31])),
    ("warmupcosine-log-min-ratio", _type("WarmupCosineLR", warmup_num_steps=20, warmup_min_ratio=0.1)),
    ("warmupcosine-linear-cos-min", _type("WarmupCosineLR", warmup_num_steps=10, warmup_type="linear", cos_min_ratio=0.2, total_num_steps=60)),
    ("warmupcosine-skipped", _type("WarmupCosineLR", warmup_num_steps=10, warmup_type="linear", skipped_steps=[5, 6, 40])),
    ("onecycle-adam-decay", _type("OneCycle", betas=_ADAM, cycle_min_lr=0.01, cycle_max_lr=0.1, cycle_first_step_size=20,
                                  decay_step_size=10, decay_lr_rate=0.5, decay_mom_rate=0.01)),
    ("onecycle-asymmetric-stairs", _type("OneCycle", betas=_ADAM, cycle_min_lr=0.01, cycle_max_lr=0.1, cycle_first_step_size=20,
                                         cycle_second_step_size=30, cycle_first_stair_count=4, cycle_second_stair_count=3)),
    ("onecycle-holds-min", _type("OneCycle", betas=_ADAM, cycle_min_lr=0.005, cycle_max_lr=0.05, cycle_first_step_size=15)),
    ("onecycle-sgd-no-momentum", _type("OneCycle", cycle_min_lr=0.01, cycle_max_lr=0.1, cycle_first_step_size=25)),
    ("onecycle-no-cycle-momentum", _type("OneCycle", betas=_ADAM, cycle_min_lr=0.01, cycle_max_lr=0.1, cycle_first_step_size=25, cycle_momentum=False)),
    ("rangetest-continuous", _type("LRRangeTest", lr_range_test_min_lr=0.001, lr_range_test_step_size=10, lr_range_test_step_rate=2.0)),
    ("rangetest-staircase", _type("LRRangeTest", lr_range_test_min_lr=0.002, lr_range_test_step_size=7, lr_range_test_staircase=True)),
    ("rangetest-defaults", _type("LRRangeTest")),
    ("warmup-zero-steps-raises", _type("WarmupLR", warmup_num_steps=0)),
    ("ds-config-alone", {"deepspeed": {"train_batch_size": 32, "optimizer": {"type": "AdamW", "params": {"lr": 3e-4}},
                                       "scheduler": {"type": "WarmupDecayLR", "params": {"total_num_steps": 120, "warmup_num_steps": 12}}}}),
    ("ds-config-cosine-steps", {"deepspeed": {"optimizer": {"type": "Adam", "params": {"lr": 1e-3, "betas": [0.9, 0.95]}},
                                              "scheduler": {"type": "WarmupCosineLR", "params": {"total_num_steps": 100, "warmup_num_steps": 10,
                                                                                                  "warmup_type": "linear"}},
                                              "steps": 80, "skipped_steps": [0, 1, 2]}}),
    ("ds-config-onecycle", {"deepspeed": {"optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
                                          "scheduler": {"type": "OneCycle", "params": {"cycle_min_lr": 1e-4, "cycle_max_lr": 1e-3,
                                                                                        "cycle_first_step_size": 20}}, "steps": 60}}),
    ("ds-config-unknown-param", {"deepspeed": {"scheduler": {"type": "WarmupLR", "params": {"warmup_steps": 10}}, "steps": 20}}),
    ("trainer-decay-auto-no-warmup", _hf(_AUTO_DECAY)),
    ("trainer-decay-auto-warmup-cosine-asked", _hf(_AUTO_DECAY, lr_scheduler_type="cosine", warmup_steps=0.1)),
    ("trainer-warmuplr-auto", _hf({"scheduler": {"type": "WarmupLR", "params": {"warmup_min_lr": "auto", "warmup_max_lr": "auto",
                                                                                 "warmup_num_steps": "auto", "warmup_type": "linear"}}}, warmup_steps=8)),
    ("trainer-cosine-auto", _hf({"scheduler": {"type": "WarmupCosineLR", "params": {"warmup_num_steps": "auto", "total_num_steps": "auto"}}},
                                warmup_steps=5, gradient_accumulation_steps=2)),
    ("trainer-decay-max-lr-missing", _hf({"scheduler": {"type": "WarmupDecayLR", "params": {"warmup_num_steps": "auto", "total_num_steps": "auto"}}})),
    ("trainer-mismatch-refused", _hf({"scheduler": {"type": "WarmupDecayLR", "params": {"warmup_max_lr": 0.001, "total_num_steps": "auto",
                                                                                         "warmup_num_steps": "auto"}}})),
    ("trainer-no-ds-scheduler", _hf({"optimizer": {"type": "AdamW", "params": {"lr": "auto"}}, "zero_optimization": {"stage": 2}},
                                    lr_scheduler_type="cosine", warmup_steps=4)),
]
