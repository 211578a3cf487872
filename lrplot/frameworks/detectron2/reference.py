"""Drive real fvcore 0.1.5.post20221221 ParamSchedulers over real torch 2.13.0, the way detectron2 trains.

detectron2 itself is not on the package index, so the few pieces of it the schedule passes through
are transcribed here from facebookresearch/detectron2 at ``records.COMMIT`` — independently of
lrplot's own replica, over the real fvcore classes and torch's real ``LRScheduler``:

* ``detectron2/solver/lr_scheduler.py``: ``WarmupParamScheduler`` (a real fvcore
  ``CompositeParamScheduler``), ``LRMultiplier`` (a real torch ``LRScheduler``), the legacy
  ``WarmupMultiStepLR`` and ``WarmupCosineLR`` and ``_get_warmup_factor_at_iter``;
* ``detectron2/solver/build.py``: ``build_lr_scheduler`` (STEPS beyond MAX_ITER dropped, the three
  SOLVER.LR_SCHEDULER_NAMEs) and ``get_default_optimizer_params``' bias lr (``BIAS_LR_FACTOR``);
* ``detectron2/config/defaults.py``: the SOLVER defaults, in a real yacs ``CfgNode`` (fvcore's), so
  merging the section's keys checks their types as detectron2's ``merge_from_file`` does;
* ``detectron2/engine/defaults.py``: ``DefaultTrainer.auto_scale_workers``;
* ``detectron2/engine/train_loop.py`` and ``engine/hooks.py``: iterations ``0 .. max_iter - 1``,
  each followed by the LRScheduler hook's ``scheduler.step()``, the scheduler built in
  ``before_train`` with ``last_iter=-1``.

The recorder, the live tests and the benchmark use this module; lrplot never imports it.
"""

from __future__ import annotations

import bisect
import copy
import math
import warnings
from typing import Any, Mapping

FVCORE = "0.1.5.post20221221"


class LibraryError(Exception):
    """fvcore, detectron2 (transcribed) or torch raised: ``step`` is the iteration (None: while building)."""

    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


def versions() -> tuple[str, str]:
    import importlib.metadata

    import torch

    found = importlib.metadata.version("fvcore")
    if found != FVCORE or not torch.__version__.startswith("2.13.0"):
        raise SystemExit(f"detectron2 traces are recorded with fvcore {FVCORE} on torch 2.13.0, found fvcore {found}, torch {torch.__version__}")
    return found, torch.__version__


# ------------------------------------------------------------------------------------------------
# detectron2/solver/lr_scheduler.py (transcribed)


def _classes():
    import torch
    from fvcore.common.param_scheduler import CompositeParamScheduler, ConstantParamScheduler, LinearParamScheduler, ParamScheduler

    class WarmupParamScheduler(CompositeParamScheduler):
        def __init__(self, scheduler, warmup_factor, warmup_length, warmup_method="linear", rescale_interval=False):
            end_value = scheduler(0.0) if rescale_interval else scheduler(warmup_length)
            start_value = warmup_factor * scheduler(0.0)
            if warmup_method == "constant":
                warmup = ConstantParamScheduler(start_value)
            elif warmup_method == "linear":
                warmup = LinearParamScheduler(start_value, end_value)
            else:
                raise ValueError("Unknown warmup method: {}".format(warmup_method))
            super().__init__(
                [warmup, scheduler],
                interval_scaling=["rescaled", "rescaled" if rescale_interval else "fixed"],
                lengths=[warmup_length, 1 - warmup_length],
            )

    class LRMultiplier(torch.optim.lr_scheduler.LRScheduler):
        def __init__(self, optimizer, multiplier, max_iter, last_iter=-1):
            if not isinstance(multiplier, ParamScheduler):
                raise ValueError(f"_LRMultiplier(multiplier=) must be an instance of fvcore ParamScheduler. Got {multiplier} instead.")
            self._multiplier = multiplier
            self._max_iter = max_iter
            super().__init__(optimizer, last_epoch=last_iter)

        def get_lr(self):
            multiplier = self._multiplier(self.last_epoch / self._max_iter)
            return [base_lr * multiplier for base_lr in self.base_lrs]

    class WarmupMultiStepLR(torch.optim.lr_scheduler.LRScheduler):
        def __init__(self, optimizer, milestones, gamma=0.1, warmup_factor=0.001, warmup_iters=1000, warmup_method="linear", last_epoch=-1):
            if not list(milestones) == sorted(milestones):
                raise ValueError("Milestones should be a list of" " increasing integers. Got {}", milestones)
            self.milestones = milestones
            self.gamma = gamma
            self.warmup_factor = warmup_factor
            self.warmup_iters = warmup_iters
            self.warmup_method = warmup_method
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            warmup_factor = _get_warmup_factor_at_iter(self.warmup_method, self.last_epoch, self.warmup_iters, self.warmup_factor)
            return [base_lr * warmup_factor * self.gamma ** bisect.bisect_right(self.milestones, self.last_epoch) for base_lr in self.base_lrs]

    class WarmupCosineLR(torch.optim.lr_scheduler.LRScheduler):
        def __init__(self, optimizer, max_iters, warmup_factor=0.001, warmup_iters=1000, warmup_method="linear", last_epoch=-1):
            self.max_iters = max_iters
            self.warmup_factor = warmup_factor
            self.warmup_iters = warmup_iters
            self.warmup_method = warmup_method
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            warmup_factor = _get_warmup_factor_at_iter(self.warmup_method, self.last_epoch, self.warmup_iters, self.warmup_factor)
            return [base_lr * warmup_factor * 0.5 * (1.0 + math.cos(math.pi * self.last_epoch / self.max_iters)) for base_lr in self.base_lrs]

    return WarmupParamScheduler, LRMultiplier, WarmupMultiStepLR, WarmupCosineLR


def _get_warmup_factor_at_iter(method: str, iter: int, warmup_iters: int, warmup_factor: float) -> float:
    if iter >= warmup_iters:
        return 1.0
    if method == "constant":
        return warmup_factor
    elif method == "linear":
        alpha = iter / warmup_iters
        return warmup_factor * (1 - alpha) + alpha
    else:
        raise ValueError("Unknown warmup method: {}".format(method))


# ------------------------------------------------------------------------------------------------
# detectron2/config/defaults.py, solver/build.py, engine/defaults.py (transcribed)

SOLVER_DEFAULTS: dict[str, Any] = dict(
    LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=40000, BASE_LR=0.001, BASE_LR_END=0.0, MOMENTUM=0.9, NESTEROV=False,
    WEIGHT_DECAY=0.0001, WEIGHT_DECAY_NORM=0.0, GAMMA=0.1, STEPS=(30000,), NUM_DECAYS=3, WARMUP_FACTOR=1.0 / 1000,
    WARMUP_ITERS=1000, WARMUP_METHOD="linear", RESCALE_INTERVAL=False, CHECKPOINT_PERIOD=5000, IMS_PER_BATCH=16,
    REFERENCE_WORLD_SIZE=0, BIAS_LR_FACTOR=1.0, WEIGHT_DECAY_BIAS=None,
)


def solver_cfg(keys: Mapping[str, Any]) -> Any:
    """detectron2's default config with ``keys`` merged into SOLVER by yacs (type checks included)."""
    from fvcore.common.config import CfgNode

    cfg = CfgNode({"SOLVER": CfgNode(dict(SOLVER_DEFAULTS)), "TEST": CfgNode({"EVAL_PERIOD": 0})})
    cfg.merge_from_other_cfg(CfgNode({"SOLVER": CfgNode(dict(keys))}))
    return cfg


def auto_scale_workers(cfg: Any, num_workers: int) -> Any:
    old_world_size = cfg.SOLVER.REFERENCE_WORLD_SIZE
    if old_world_size == 0 or old_world_size == num_workers:
        return cfg
    cfg = cfg.clone()
    frozen = cfg.is_frozen()
    cfg.defrost()
    assert cfg.SOLVER.IMS_PER_BATCH % old_world_size == 0, "Invalid REFERENCE_WORLD_SIZE in config!"
    scale = num_workers / old_world_size
    cfg.SOLVER.IMS_PER_BATCH = int(round(cfg.SOLVER.IMS_PER_BATCH * scale))
    cfg.SOLVER.BASE_LR = cfg.SOLVER.BASE_LR * scale
    cfg.SOLVER.MAX_ITER = int(round(cfg.SOLVER.MAX_ITER / scale))
    cfg.SOLVER.WARMUP_ITERS = int(round(cfg.SOLVER.WARMUP_ITERS / scale))
    cfg.SOLVER.STEPS = tuple(int(round(s / scale)) for s in cfg.SOLVER.STEPS)
    cfg.TEST.EVAL_PERIOD = int(round(cfg.TEST.EVAL_PERIOD / scale))
    cfg.SOLVER.CHECKPOINT_PERIOD = int(round(cfg.SOLVER.CHECKPOINT_PERIOD / scale))
    cfg.SOLVER.REFERENCE_WORLD_SIZE = num_workers
    if frozen:
        cfg.freeze()
    return cfg


def build_lr_scheduler(cfg: Any, optimizer: Any) -> Any:
    from fvcore.common.param_scheduler import CosineParamScheduler, MultiStepParamScheduler, StepWithFixedGammaParamScheduler

    WarmupParamScheduler, LRMultiplier, _, _ = _classes()
    name = cfg.SOLVER.LR_SCHEDULER_NAME
    if name == "WarmupMultiStepLR":
        steps = [x for x in cfg.SOLVER.STEPS if x <= cfg.SOLVER.MAX_ITER]
        sched = MultiStepParamScheduler(
            values=[cfg.SOLVER.GAMMA**k for k in range(len(steps) + 1)],
            milestones=steps,
            num_updates=cfg.SOLVER.MAX_ITER,
        )
    elif name == "WarmupCosineLR":
        end_value = cfg.SOLVER.BASE_LR_END / cfg.SOLVER.BASE_LR
        assert end_value >= 0.0 and end_value <= 1.0, end_value
        sched = CosineParamScheduler(1, end_value)
    elif name == "WarmupStepWithFixedGammaLR":
        sched = StepWithFixedGammaParamScheduler(
            base_value=1.0, gamma=cfg.SOLVER.GAMMA, num_decays=cfg.SOLVER.NUM_DECAYS, num_updates=cfg.SOLVER.MAX_ITER,
        )
    else:
        raise ValueError("Unknown LR scheduler: {}".format(name))
    sched = WarmupParamScheduler(
        sched, cfg.SOLVER.WARMUP_FACTOR, min(cfg.SOLVER.WARMUP_ITERS / cfg.SOLVER.MAX_ITER, 1.0),
        cfg.SOLVER.WARMUP_METHOD, cfg.SOLVER.RESCALE_INTERVAL,
    )
    return LRMultiplier(optimizer, multiplier=sched, max_iter=cfg.SOLVER.MAX_ITER)


def _solver_optimizer(cfg: Any) -> Any:
    """``build_optimizer`` over a model of one weight (and one bias, when BIAS_LR_FACTOR makes it differ):
    get_default_optimizer_params puts each parameter in its own group, the bias's lr times the factor."""
    import torch

    base_lr = cfg.SOLVER.BASE_LR
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": base_lr}]
    if cfg.SOLVER.BIAS_LR_FACTOR is not None and cfg.SOLVER.BIAS_LR_FACTOR != 1.0:
        groups.append({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": base_lr * cfg.SOLVER.BIAS_LR_FACTOR})
    return torch.optim.SGD(groups, lr=base_lr, momentum=cfg.SOLVER.MOMENTUM, nesterov=cfg.SOLVER.NESTEROV,
                           weight_decay=cfg.SOLVER.WEIGHT_DECAY)


# ------------------------------------------------------------------------------------------------
# Configs in lrplot's schema


def _param_scheduler(data: Mapping[str, Any]) -> Any:
    """A ``detectron2.*`` ParamScheduler mapping built with the real classes, from its keywords as written."""
    import fvcore.common.param_scheduler as ps

    from ...registry import lookup

    written = dict(data)
    info = lookup(written.pop("type"))
    name = info.library_name
    if "scheduler" in written:
        written["scheduler"] = _param_scheduler(written["scheduler"])
    if "schedulers" in written:
        written["schedulers"] = [_param_scheduler(s) for s in written["schedulers"]]
    if name == "WarmupParamScheduler":
        return _classes()[0](**written)
    return getattr(ps, name)(**written)


def trace(config: Mapping[str, Any], base_dir: Any = None) -> dict[str, Any]:
    """Run a config on the real libraries: ``{"lr", "momentum", "after_last"}``, or LibraryError.

    A ``detectron2:`` section goes through detectron2's path (defaults, yacs merge, auto_scale_workers,
    build_optimizer's groups, build_lr_scheduler); a ``scheduler:`` through its classes, with the run
    and optimizer as lrplot reads them.
    """
    import torch

    from ...config import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        section = config.get("detectron2")
        try:
            if section is not None:
                keys = {k: (tuple(v) if isinstance(v, list) else v) for k, v in section.items() if k != "WORLD_SIZE"}
                cfg = solver_cfg(keys)
                if "WORLD_SIZE" in section:
                    cfg = auto_scale_workers(cfg, section["WORLD_SIZE"])
                opt = _solver_optimizer(cfg)
                sched = build_lr_scheduler(cfg, opt)
                max_iter, momentum = cfg.SOLVER.MAX_ITER, True
            else:
                stand_in = {"type": "detectron2.ConstantParamScheduler", "value": 1.0}
                spec = load({**config, "scheduler": stand_in}, base_dir=base_dir)
                groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": g.lr} for g in spec.optimizer.groups]
                opt = torch.optim.SGD(groups, lr=groups[0]["lr"], momentum=spec.optimizer.momentum or 0)
                max_iter, momentum = spec.run.total_steps, spec.optimizer.momentum is not None
                written = copy.deepcopy(dict(config["scheduler"]))
                _, LRMultiplier, WarmupMultiStepLR, WarmupCosineLR = _classes()
                kind = written.pop("type")
                if kind.lower() in ("detectron2.warmupmultisteplr", "detectron2.legacy_multistep"):
                    sched = WarmupMultiStepLR(opt, **written)
                elif kind.lower() in ("detectron2.warmupcosinelr", "detectron2.legacy_cosine"):
                    sched = WarmupCosineLR(opt, **{"max_iters": max_iter, **written})
                else:
                    sched = LRMultiplier(opt, _param_scheduler({"type": kind, **written}), max_iter, last_iter=-1)
        except Exception as exc:  # whatever the libraries raise is the recorded outcome
            raise LibraryError(type(exc).__name__, str(exc), None) from None
        lrs: list[list[float]] = []
        momenta: list[list[float]] = []
        it = None
        try:
            for it in range(max_iter):  # TrainerBase.train: run_step, then the hooks' after_step
                lrs.append([float(g["lr"]) for g in opt.param_groups])
                momenta.append([float(g["momentum"]) for g in opt.param_groups])
                opt.step()
                sched.step()  # hooks.LRScheduler.after_step
        except Exception as exc:  # noqa: BLE001
            if it != max_iter - 1:
                raise LibraryError(type(exc).__name__, str(exc), it + 1) from None
            after_last = {"type": type(exc).__name__, "message": str(exc)}
        else:
            after_last = None
    return {
        "lr": [list(col) for col in zip(*lrs)],
        "momentum": [list(col) for col in zip(*momenta)] if momentum else None,
        "after_last": after_last,
    }
