"""The configurations whose detectron2 traces are recorded as golden files (inputs only).

``CASES`` is a list of ``(case_id, config)``; ``tests/golden/record_detectron2.py`` runs each on real
fvcore 0.1.5.post20221221 ParamSchedulers over torch 2.13.0, wrapped and stepped as detectron2's
trainer does (its solver transcribed in ``lrplot/frameworks/detectron2/reference.py`` from
facebookresearch/detectron2 at 02b5c4e295e990042a714712c21dc79b731e8833). Every ParamScheduler class
and keyword branch appears, the legacy LRSchedulers, and the ``sec-`` cases use the ``detectron2:``
section (SOLVER keys), which the recorder builds through detectron2's own path (its defaults in a
yacs CfgNode, auto_scale_workers, build_optimizer's groups, build_lr_scheduler). Runs are short so
the committed traces stay small.
"""

from __future__ import annotations

from typing import Any

Config = dict[str, Any]
CASES: list[tuple[str, Config]] = []

GROUPS2 = [{"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]


def add(case_id: str, scheduler: Any, *, iterations: int = 60, lr: Any = 0.02, momentum: float | None = 0.9,
        groups: list[dict[str, Any]] | None = None) -> None:
    assert all(case_id != cid for cid, _ in CASES), f"duplicate case id {case_id}"
    optimizer: Config = {"param_groups": [dict(g) for g in groups]} if groups is not None else {"lr": lr}
    if momentum is not None:
        optimizer["momentum"] = momentum
    CASES.append((case_id, {"name": case_id, "optimizer": optimizer, "run": {"iterations": iterations}, "scheduler": scheduler}))


def section(case_id: str, keys: Config) -> None:
    assert all(case_id != cid for cid, _ in CASES), f"duplicate case id {case_id}"
    CASES.append((case_id, {"name": case_id, "detectron2": keys}))


def d2(name: str, **keys: Any) -> Config:
    return {"type": f"detectron2.{name}", **keys}


def warm(inner: Config, factor: float = 0.001, length: float = 0.1, **keys: Any) -> Config:
    return d2("WarmupParamScheduler", scheduler=inner, warmup_factor=factor, warmup_length=length, **keys)


MULTI = d2("MultiStepParamScheduler", values=[1.0, 0.1, 0.01], milestones=[40, 50], num_updates=60)

# ------------------------------------------------------------------------------------------------
# fvcore's ParamSchedulers under LRMultiplier

add("constant-raises-after-last", d2("ConstantParamScheduler", value=0.5))
add("linear-up", d2("LinearParamScheduler", start_value=0.1, end_value=1.0), groups=GROUPS2)
add("linear-down-to-zero", d2("LinearParamScheduler", start_value=1.0, end_value=0.0), iterations=37, momentum=None)
add("cosine-to-end", d2("CosineParamScheduler", start_value=1.0, end_value=0.01), iterations=97)
add("cosine-up", d2("CosineParamScheduler", start_value=0.0, end_value=1.0), groups=GROUPS2, momentum=None)
add("exponential", d2("ExponentialParamScheduler", start_value=2.0, decay=0.02), iterations=83)
add("exponential-growth", d2("ExponentialParamScheduler", start_value=0.5, decay=3.0), groups=GROUPS2)
add("poly-09", d2("PolynomialDecayParamScheduler", base_value=1.0, power=0.9), iterations=91)
add("poly-2", d2("PolynomialDecayParamScheduler", base_value=0.5, power=2.0), momentum=None)
add("multistep-milestones-num-updates", MULTI)
add("multistep-even-split", d2("MultiStepParamScheduler", values=[1.0, 0.5, 0.25, 0.125], num_updates=70), iterations=70)
add("multistep-last-milestone-is-length", d2("MultiStepParamScheduler", values=[1.0, 0.1, 0.01], milestones=[6, 8, 9]), iterations=90)
add("multistep-scale-invariant", d2("MultiStepParamScheduler", values=[1.0, 0.1], milestones=[30], num_updates=90), iterations=47,
    groups=GROUPS2)
add("multistep-uneven-where", d2("MultiStepParamScheduler", values=[1.0, 0.3, 0.09], milestones=[333, 667], num_updates=1000), iterations=71)
add("multistep-no-length", d2("MultiStepParamScheduler", values=[1.0, 0.1]))
add("multistep-milestone-count", d2("MultiStepParamScheduler", values=[1.0, 0.1], milestones=[10, 20], num_updates=60))
add("multistep-milestone-at-end", d2("MultiStepParamScheduler", values=[1.0, 0.1], milestones=[60], num_updates=60))
add("multistep-unsorted", d2("MultiStepParamScheduler", values=[1.0, 0.1, 0.01], milestones=[40, 20], num_updates=60))
add("multistep-short", d2("MultiStepParamScheduler", values=[1.0, 0.1, 0.01], num_updates=2))
add("step-three", d2("StepParamScheduler", num_updates=60, values=[1.0, 0.3, 0.1]))
add("step-float-length", d2("StepParamScheduler", num_updates=7.5, values=[1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625]),
    iterations=113, groups=GROUPS2)
add("step-zero-length", d2("StepParamScheduler", num_updates=0, values=[1.0]))
add("step-fixed-gamma", d2("StepWithFixedGammaParamScheduler", base_value=1.0, num_decays=3, gamma=0.1, num_updates=60))
add("step-fixed-gamma-half", d2("StepWithFixedGammaParamScheduler", base_value=2.0, num_decays=5, gamma=0.5, num_updates=10), iterations=89)
add("step-fixed-gamma-zero", d2("StepWithFixedGammaParamScheduler", base_value=1.0, num_decays=0, gamma=0.1, num_updates=10))
add("composite-rescaled-fixed", d2("CompositeParamScheduler", schedulers=[
    d2("LinearParamScheduler", start_value=0.1, end_value=1.0), d2("CosineParamScheduler", start_value=1.0, end_value=0.0)],
    lengths=[0.2, 0.8], interval_scaling=["rescaled", "fixed"]), iterations=100)
add("composite-three-rescaled", d2("CompositeParamScheduler", schedulers=[
    d2("ConstantParamScheduler", value=0.2), d2("ConstantParamScheduler", value=1.0), d2("CosineParamScheduler", start_value=1.0, end_value=0.05)],
    lengths=[0.1, 0.3, 0.6], interval_scaling=["rescaled", "rescaled", "rescaled"]), iterations=73, groups=GROUPS2)
add("composite-lengths-adjusted", d2("CompositeParamScheduler", schedulers=[
    d2("LinearParamScheduler", start_value=0.0, end_value=1.0), d2("ExponentialParamScheduler", start_value=1.0, decay=0.1)],
    lengths=[0.3, 0.6995], interval_scaling=["rescaled", "rescaled"]), iterations=80)
add("composite-constant-last", d2("CompositeParamScheduler", schedulers=[
    d2("LinearParamScheduler", start_value=1.0, end_value=0.5), d2("ConstantParamScheduler", value=0.5)],
    lengths=[0.5, 0.5], interval_scaling=["rescaled", "fixed"]))
add("composite-nested-warmup", d2("CompositeParamScheduler", schedulers=[
    warm(d2("CosineParamScheduler", start_value=1.0, end_value=0.1), length=0.2), d2("ConstantParamScheduler", value=0.1)],
    lengths=[0.75, 0.25], interval_scaling=["rescaled", "rescaled"]), iterations=90)
add("composite-lengths-wrong", d2("CompositeParamScheduler", schedulers=[d2("ConstantParamScheduler", value=1.0)] * 2,
                                  lengths=[0.5, 0.4], interval_scaling=["rescaled", "rescaled"]))
add("composite-lengths-count", d2("CompositeParamScheduler", schedulers=[d2("ConstantParamScheduler", value=1.0)] * 2,
                                  lengths=[1.0], interval_scaling=["rescaled", "rescaled"]))
add("composite-scaling-unknown", d2("CompositeParamScheduler", schedulers=[d2("ConstantParamScheduler", value=1.0)],
                                    lengths=[1.0], interval_scaling=["stretched"]))
add("warmup-multistep", warm(MULTI))
add("warmup-multistep-two-groups", warm(MULTI, factor=0.01, length=0.25), groups=GROUPS2)
add("warmup-cosine-aims-below", warm(d2("CosineParamScheduler", start_value=1.0, end_value=0.0), factor=0.001, length=0.3), iterations=100)
add("warmup-cosine-rescaled", warm(d2("CosineParamScheduler", start_value=1.0, end_value=0.0), factor=0.001, length=0.3,
                                   rescale_interval=True), iterations=100)
add("warmup-constant-method", warm(MULTI, factor=0.1, length=0.2, warmup_method="constant"))
add("warmup-zero-length", warm(MULTI, length=0.0))
add("warmup-whole-run", warm(d2("CosineParamScheduler", start_value=1.0, end_value=0.0), length=1.0))
add("warmup-step-fixed-gamma", warm(d2("StepWithFixedGammaParamScheduler", base_value=1.0, num_decays=2, gamma=0.1, num_updates=60)))
add("warmup-step-fixed-gamma-rescaled", warm(d2("StepWithFixedGammaParamScheduler", base_value=1.0, num_decays=2, gamma=0.1,
                                                num_updates=60), rescale_interval=True))
add("warmup-whole-run-step", warm(d2("StepWithFixedGammaParamScheduler", base_value=1.0, num_decays=2, gamma=0.1, num_updates=60),
                                  length=1.0))
add("warmup-method-unknown", warm(MULTI, warmup_method="exponential"))
add("warmup-poly-exact-fraction", warm(d2("PolynomialDecayParamScheduler", base_value=1.0, power=1.0), factor=0.0, length=1 / 3),
    iterations=99)

# ------------------------------------------------------------------------------------------------
# The legacy LRSchedulers (detectron2/solver/lr_scheduler.py)

add("legacy-multistep", d2("WarmupMultiStepLR", milestones=[30, 45], gamma=0.1, warmup_factor=0.001, warmup_iters=10))
add("legacy-multistep-constant-warmup", d2("WarmupMultiStepLR", milestones=[20], gamma=0.5, warmup_factor=0.1, warmup_iters=7,
                                           warmup_method="constant"), groups=GROUPS2)
add("legacy-multistep-defaults", d2("WarmupMultiStepLR", milestones=[1500]), iterations=50)
add("legacy-multistep-unsorted", d2("WarmupMultiStepLR", milestones=[30, 10]))
add("legacy-cosine", d2("WarmupCosineLR", warmup_iters=10), iterations=80)
add("legacy-cosine-short", d2("WarmupCosineLR", max_iters=40, warmup_factor=0.01, warmup_iters=5), iterations=80)
add("legacy-cosine-method-unknown", d2("WarmupCosineLR", warmup_iters=5, warmup_method="cosine"))

# ------------------------------------------------------------------------------------------------
# The detectron2: section (SOLVER keys) through build_lr_scheduler

section("sec-base-rcnn-fpn-shrunk", {"BASE_LR": 0.02, "STEPS": [60, 80], "MAX_ITER": 90, "WARMUP_ITERS": 10})
section("sec-defaults-shrunk", {"MAX_ITER": 120, "STEPS": [100], "WARMUP_ITERS": 12})
section("sec-steps-beyond-max-iter", {"BASE_LR": 0.01, "STEPS": [50, 70, 200], "MAX_ITER": 80, "WARMUP_ITERS": 5})
section("sec-step-at-max-iter", {"STEPS": [40, 80], "MAX_ITER": 80, "WARMUP_ITERS": 5})
section("sec-steps-unsorted", {"STEPS": [60, 30], "MAX_ITER": 80, "WARMUP_ITERS": 5})
section("sec-cosine", {"LR_SCHEDULER_NAME": "WarmupCosineLR", "BASE_LR": 0.0002, "BASE_LR_END": 0.00002, "MAX_ITER": 100,
                       "WARMUP_ITERS": 20, "WARMUP_FACTOR": 0.01})
section("sec-cosine-rescaled", {"LR_SCHEDULER_NAME": "WarmupCosineLR", "BASE_LR": 0.001, "MAX_ITER": 100, "WARMUP_ITERS": 20,
                                "RESCALE_INTERVAL": True})
section("sec-cosine-end-above", {"LR_SCHEDULER_NAME": "WarmupCosineLR", "BASE_LR": 0.001, "BASE_LR_END": 0.01, "MAX_ITER": 100})
section("sec-fixed-gamma", {"LR_SCHEDULER_NAME": "WarmupStepWithFixedGammaLR", "BASE_LR": 0.01, "GAMMA": 0.5, "NUM_DECAYS": 4,
                            "MAX_ITER": 100, "WARMUP_ITERS": 10})
section("sec-fixed-gamma-rescaled", {"LR_SCHEDULER_NAME": "WarmupStepWithFixedGammaLR", "MAX_ITER": 60, "WARMUP_ITERS": 6,
                                     "RESCALE_INTERVAL": True})
section("sec-constant-warmup", {"BASE_LR": 0.02, "STEPS": [40], "MAX_ITER": 60, "WARMUP_ITERS": 15, "WARMUP_METHOD": "constant",
                                "WARMUP_FACTOR": 0.1})
section("sec-warmup-longer-than-run", {"STEPS": [20], "MAX_ITER": 30, "WARMUP_ITERS": 50})
section("sec-no-warmup", {"BASE_LR": 0.02, "STEPS": [30], "MAX_ITER": 50, "WARMUP_ITERS": 0})
section("sec-bias-lr-factor", {"BASE_LR": 0.01, "BIAS_LR_FACTOR": 2.0, "STEPS": [30, 40], "MAX_ITER": 50, "WARMUP_ITERS": 10})
section("sec-momentum-zero", {"BASE_LR": 0.1, "MOMENTUM": 0.0, "STEPS": [30], "MAX_ITER": 40, "WARMUP_ITERS": 4, "GAMMA": 0.2})
section("sec-scale-down-workers", {"BASE_LR": 0.02, "IMS_PER_BATCH": 16, "REFERENCE_WORLD_SIZE": 8, "WORLD_SIZE": 4,
                                   "STEPS": [30, 40], "MAX_ITER": 45, "WARMUP_ITERS": 5})
section("sec-scale-up-workers", {"BASE_LR": 0.02, "IMS_PER_BATCH": 16, "REFERENCE_WORLD_SIZE": 8, "WORLD_SIZE": 16,
                                 "STEPS": [60, 80], "MAX_ITER": 90, "WARMUP_ITERS": 10})
section("sec-scale-rounding", {"BASE_LR": 0.01, "IMS_PER_BATCH": 24, "REFERENCE_WORLD_SIZE": 8, "WORLD_SIZE": 3,
                               "STEPS": [25, 35], "MAX_ITER": 41, "WARMUP_ITERS": 7})
section("sec-scale-cosine-end", {"LR_SCHEDULER_NAME": "WarmupCosineLR", "BASE_LR": 0.001, "BASE_LR_END": 0.0005, "IMS_PER_BATCH": 8,
                                 "REFERENCE_WORLD_SIZE": 4, "WORLD_SIZE": 1, "MAX_ITER": 30, "WARMUP_ITERS": 5})
section("sec-same-world-size", {"BASE_LR": 0.02, "IMS_PER_BATCH": 16, "REFERENCE_WORLD_SIZE": 8, "WORLD_SIZE": 8, "STEPS": [30],
                                "MAX_ITER": 40, "WARMUP_ITERS": 5})
section("sec-invalid-reference-world-size", {"IMS_PER_BATCH": 12, "REFERENCE_WORLD_SIZE": 8, "WORLD_SIZE": 2, "MAX_ITER": 40, "STEPS": [20]})
section("sec-unknown-scheduler-name", {"LR_SCHEDULER_NAME": "WarmupPolyLR", "MAX_ITER": 40})
section("sec-int-base-lr", {"BASE_LR": 1, "MAX_ITER": 40, "STEPS": [20]})
section("sec-warmup-method-unknown", {"WARMUP_METHOD": "cosine", "MAX_ITER": 40, "STEPS": [20]})
