"""The configurations whose YOLO traces are recorded as golden files (inputs only).

``CASES`` is a list of ``(case_id, config)``; ``VERSIONS[case_id]`` is the ultralytics release whose
own schedule code records it (``pip install --no-deps ultralytics==<version>``), or ``"yolov5"`` for
the transcription of YOLOv5's train.py. ``tests/golden/record_yolo.py`` records the cases of the
installed ultralytics (and YOLOv5's) into ``tests/golden/yolo/<id>.json``. 8.3.150 (the 100-batch warmup,
biases first, SGD or AdamW under auto), every 8.4 warmup rule
(8.4.102's 100-batch minimum, 8.4.150's strict ``ni < nw``, 8.4.190's inclusive rule), 8.4.2's
bias-group rule and auto choice, 8.4.5's always-MuSGD auto, YOLOv5, short runs where the warmup
dominates, ``cos_lr``, ``warmup_epochs: 0``, fractional warmups and Adam appear; the ``sec-`` cases
use the ``yolo:`` section (the reference builds those through ultralytics' own ``build_optimizer``
and a real DataLoader). Runs are short so the committed traces stay small.
"""

from __future__ import annotations

from typing import Any

Config = dict[str, Any]
CASES: list[tuple[str, Config]] = []
VERSIONS: dict[str, str] = {}

ULTRALYTICS_GROUPS = [{"name": "weight", "lr": 0.01}, {"name": "bn", "lr": 0.01}, {"name": "bias", "lr": 0.01}]
YOLOV5_GROUPS = [{"name": "bias", "lr": 0.01}, {"name": "weight", "lr": 0.01}, {"name": "bn", "lr": 0.01}]
RULES = {"8.3.150": ("min100", "first"), "8.4.2": ("min100", "first"), "8.4.102": ("min100", "named"), "8.4.150": ("strict", "named"), "8.4.190": ("inclusive", "named")}


def _add(case_id: str, version: str, config: Config) -> None:
    assert case_id not in VERSIONS, f"duplicate case id {case_id}"
    CASES.append((case_id, {"name": case_id, **config}))
    VERSIONS[case_id] = version


def plain(case_id: str, version: str, *, epochs: int, batches: int, betas: list[float] | None = None, **keys: Any) -> None:
    """A plain `type: yolo.*` config: the loop's keywords over ultralytics' (or YOLOv5's) three groups."""
    if version == "yolov5":
        scheduler: Config = {"type": "yolo.yolov5", **keys}
        groups = YOLOV5_GROUPS
    else:
        rule, bias = RULES[version]
        scheduler = {"type": "yolo.ultralytics", "warmup_rule": rule, "bias_group": bias, **keys}
        groups = YOLOV5_GROUPS if version.startswith("8.3.") else ULTRALYTICS_GROUPS  # 8.3: bias, weight, bn
    optimizer: Config = {"param_groups": [dict(g) for g in groups]}
    optimizer.update({"betas": betas} if betas else {"momentum": 0.937})
    _add(case_id, version, {"optimizer": optimizer, "run": {"epochs": epochs, "steps_per_epoch": batches}, "scheduler": scheduler})


def section(case_id: str, version: str, **keys: Any) -> None:
    """A `yolo:` section: the hyperparameters, the images and devices, the code and version."""
    if version == "yolov5":
        keys = {"code": "yolov5", **keys}
    else:
        keys = {"version": version, **keys}
    _add(case_id, version, {"yolo": keys})


# ultralytics 8.4.190: the inclusive rule (`nw and ni <= nw`), warmup capped before the last epoch
plain("u190-default", "8.4.190", epochs=10, batches=20)
plain("u190-fractional-warmup", "8.4.190", epochs=8, batches=19, warmup_epochs=2.5)
plain("u190-cos", "8.4.190", epochs=12, batches=10, cos_lr=True, lrf=0.1)
plain("u190-warmup0", "8.4.190", epochs=6, batches=10, warmup_epochs=0)
plain("u190-short-capped", "8.4.190", epochs=2, batches=10)
plain("u190-one-epoch", "8.4.190", epochs=1, batches=30)
plain("u190-adam", "8.4.190", epochs=6, batches=10, betas=[0.9, 0.999], warmup_bias_lr=0.05)
plain("u190-momentum-targets", "8.4.190", epochs=6, batches=7, warmup_momentum=0.5, momentum=0.95, warmup_bias_lr=0.0)
section("sec-u190-auto-adamw", "8.4.190", epochs=10, batch=16, dataset_size=300, nc=3)
section("sec-u190-sgd-cos-ddp", "8.4.190", epochs=20, batch=16, dataset_size=500, devices=2, optimizer="SGD", cos_lr=True, warmup_epochs=2.5)
section("sec-u190-500-images", "8.4.190", epochs=30, dataset_size=500, optimizer="SGD")
section("sec-u190-batch-over-dataset", "8.4.190", epochs=5, batch=64, dataset_size=40, optimizer="SGD", lr0=0.02)
section("sec-u190-fraction", "8.4.190", epochs=6, batch=8, dataset_size=300, fraction=0.25, optimizer="RMSprop", lr0=0.001)

section("sec-u190-compile", "8.4.190", epochs=5, dataset_size=300, compile=True, optimizer="SGD")
section("sec-u190-compile-ddp", "8.4.190", epochs=3, dataset_size=1000, devices=3, compile=True, optimizer="SGD")
section("sec-u190-ddp-uneven-batch", "8.4.190", epochs=3, dataset_size=1000, devices=3, optimizer="SGD")
section("sec-u190-fraction-count", "8.4.190", epochs=6, batch=8, dataset_size=300, fraction=100, optimizer="SGD")
section("sec-u190-fraction-list", "8.4.190", epochs=6, batch=8, dataset_size=300, fraction=[0.5, 1.0], optimizer="SGD")

# ultralytics 8.4.150: the strict rule (`ni < nw`)
plain("u150-fractional-warmup", "8.4.150", epochs=8, batches=19, warmup_epochs=2.5)
plain("u150-whole-epochs", "8.4.150", epochs=10, batches=10)
plain("u150-short-capped", "8.4.150", epochs=2, batches=10)
plain("u150-warmup0", "8.4.150", epochs=5, batches=8, warmup_epochs=0)
plain("u150-cos-odd", "8.4.150", epochs=9, batches=7, cos_lr=True, warmup_epochs=1.3)
section("sec-u150-auto", "8.4.150", epochs=10, dataset_size=300, nc=3, warmup_epochs=2.5)

# ultralytics 8.4.102: at least 100 warmup batches, `ni <= nw`
plain("u102-short-run", "8.4.102", epochs=5, batches=7)
plain("u102-default", "8.4.102", epochs=10, batches=20)
plain("u102-long-warmup", "8.4.102", epochs=6, batches=50)
plain("u102-warmup0", "8.4.102", epochs=5, batches=10, warmup_epochs=0)
plain("u102-cos-fractional", "8.4.102", epochs=12, batches=15, cos_lr=True, warmup_epochs=7.3)
section("sec-u102-cos", "8.4.102", epochs=8, batch=8, dataset_size=200, optimizer="SGD", cos_lr=True)
section("sec-u102-compile-ddp", "8.4.102", epochs=3, dataset_size=1000, devices=3, compile=True, optimizer="SGD")  # 1000 % 5 == 0: no drop
section("sec-u102-compile", "8.4.102", epochs=5, dataset_size=300, compile=True, optimizer="SGD")

# ultralytics 8.3.150: the 100-batch warmup, biases first (group 0 falls from warmup_bias_lr), auto: SGD or AdamW
plain("u83-default", "8.3.150", epochs=10, batches=20)
plain("u83-short-run", "8.3.150", epochs=5, batches=7)
plain("u83-cos-fractional", "8.3.150", epochs=12, batches=15, cos_lr=True, warmup_epochs=7.3)
plain("u83-warmup0", "8.3.150", epochs=5, batches=10, warmup_epochs=0)
plain("u83-adam", "8.3.150", epochs=6, batches=30, betas=[0.9, 0.999], warmup_bias_lr=0.05)
section("sec-u83-auto-adamw", "8.3.150", epochs=50, batch=8, dataset_size=420, nc=2)
section("sec-u83-sgd-ddp", "8.3.150", epochs=3, dataset_size=1000, devices=3, optimizer="SGD", cos_lr=True)
section("sec-u83-rmsprop", "8.3.150", epochs=4, batch=8, dataset_size=300, fraction=0.25, optimizer="RMSProp", lr0=0.001)

# ultralytics 8.4.2: the warmup's bias lr goes to the first group (the weights); auto: MuSGD below 10,000 iterations
plain("u2-first-group", "8.4.2", epochs=6, batches=20)
section("sec-u2-auto-musgd", "8.4.2", epochs=6, dataset_size=200, nc=3)
section("sec-u2-sgd", "8.4.2", epochs=6, dataset_size=200, optimizer="SGD")

# ultralytics 8.4.5: auto picks MuSGD at any length (8 groups, the head's at 3x)
section("sec-u5-auto-musgd", "8.4.5", epochs=6, dataset_size=200, nc=3)

# YOLOv5 train.py (transcribed): nw >= 100 even for warmup_epochs 0, the LambdaLR stepped after each epoch
plain("v5-default", "yolov5", epochs=10, batches=20)
plain("v5-warmup0", "yolov5", epochs=10, batches=20, warmup_epochs=0)
plain("v5-cos", "yolov5", epochs=12, batches=15, cos_lr=True)
plain("v5-short-run", "yolov5", epochs=3, batches=10)
section("sec-v5-scratch-low", "yolov5", epochs=8, batch=16, dataset_size=300)
section("sec-v5-adam-ddp", "yolov5", epochs=6, batch=16, dataset_size=300, devices=2, optimizer="Adam", lr0=0.001)
