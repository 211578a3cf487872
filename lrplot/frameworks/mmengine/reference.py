"""Drive real mmengine 0.10.7 (over torch 2.13.0): its Runner, train loop and ParamSchedulerHook.

The ground truth the mmengine family is measured against: the golden recorder and the live tests
call :func:`mmengine_trace`. lrplot never imports this module. A config becomes a real Runner on
CPU: a stand-in model with one parameter per param group, a dataset of as many samples as the run
needs, mmengine's DefaultSampler (unshuffled) and its dataloader, the ``param_scheduler`` list as
written (the Runner fills ``end`` and converts ``convert_to_iter_based`` itself), and
EpochBasedTrainLoop or IterBasedTrainLoop. A hook reads every param group's lr and momentum (or
beta1) in ``before_train_iter``, which is what each iteration trains with. A ``mmengine:`` section
goes to the Runner as it is (``optim_wrapper`` with its ``paramwise_cfg``, ``train_cfg``,
``auto_scale_lr``), independently of lrplot's translation; the dataset size per device comes from
mmengine's own DefaultSampler told the world size.
"""

from __future__ import annotations

import copy
import tempfile
import warnings
from typing import Any, Mapping

MMENGINE_VERSION = "0.10.7"


class MMEngineError(Exception):
    """Real mmengine raised: ``kind`` is its exception class, ``step`` the iteration (None: building)."""

    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


class LrplotRefusesWhatMMEngineRuns(Exception):
    """lrplot refused a config a real mmengine Runner trains without complaint."""


def mmengine_version() -> str:
    import mmengine

    return mmengine.__version__


def _strip(scheduler: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(scheduler)
    kind = str(out["type"])
    out["type"] = kind.split(".", 1)[1] if kind.lower().startswith("mmengine.") else kind
    return out


def _plan(config: Mapping[str, Any]) -> dict[str, Any]:
    """What the Runner is given: train_cfg, optim_wrapper (or param groups), param_scheduler, data."""
    section = config.get("mmengine")
    if section is not None:
        section = copy.deepcopy(dict(section))
        schedulers = section["param_scheduler"]
        schedulers = [schedulers] if isinstance(schedulers, dict) else list(schedulers)
        return {
            "train_cfg": section["train_cfg"],
            "optim_wrapper": section.get("optim_wrapper", {}),
            "param_scheduler": [_strip(s) for s in schedulers],
            "auto_scale_lr": section.get("auto_scale_lr"),
            "batch_size": (section.get("train_dataloader") or {}).get("batch_size", 1),
            "drop_last": (section.get("train_dataloader") or {}).get("drop_last", False),
            "dataset_size": section.get("dataset_size"),
            "world_size": section.get("world_size", 1),
            "epoch_length": section.get("epoch_length"),
            "groups": None,
        }
    run = config.get("run", {})
    opt = config.get("optimizer", {})
    sched = config["scheduler"]
    schedulers = sched["schedulers"] if str(sched["type"]).lower() in ("mmengine.param_scheduler", "mmengine.paramschedulers") else [sched]
    spe = run.get("steps_per_epoch", 1)
    if "iterations" in run:
        train_cfg = {"type": "IterBasedTrainLoop", "max_iters": run["iterations"], "val_interval": 10**9}
    else:
        train_cfg = {"type": "EpochBasedTrainLoop", "max_epochs": run.get("epochs", 100), "val_interval": 1}
    if "param_groups" in opt:
        lrs = [g.get("lr", opt.get("lr", 0.1)) for g in opt["param_groups"]]
    else:
        lr = opt.get("lr", 0.1)
        lrs = lr if isinstance(lr, list) else [lr]
    return {
        "train_cfg": train_cfg, "optim_wrapper": None, "param_scheduler": [_strip(s) for s in schedulers],
        "auto_scale_lr": None, "batch_size": 1, "drop_last": False, "dataset_size": spe, "world_size": 1, "epoch_length": None,
        "groups": (lrs, opt.get("momentum"), opt.get("betas")),
    }


def mmengine_trace(config: Mapping[str, Any], base_dir: Any = None) -> dict[str, Any]:
    """Run a config (a mapping in lrplot's schema) on a real mmengine Runner.

    Returns ``{"lr": [[...]], "momentum": [[...]] | None, "metric": [...] | None}`` (one column per
    iteration), or raises :class:`MMEngineError` with what mmengine raised.
    """
    import torch
    from mmengine.dataset import sampler as sampler_module
    from mmengine.evaluator import BaseMetric
    from mmengine.hooks import Hook
    from mmengine.logging import MMLogger
    from mmengine.model import BaseModel
    from mmengine.optim import OptimWrapper
    from mmengine.registry import HOOKS, METRICS
    from mmengine.runner import Runner

    from ...config import load
    from ...metric import MetricFeed

    from ...errors import LrplotError

    plan = _plan(config)
    try:
        spec = load(config, base_dir=base_dir)  # for the metric lrplot feeds: the schedule is mmengine's own
    except LrplotError as exc:
        spec, refused = None, exc
    if spec is not None and spec.metric is not None:
        metric_feed = MetricFeed(spec.metric, spec.optimizer.groups[0].lr)
    else:
        values = list((config.get("metric") or {}).get("values") or [1.0] * 10_000)
        metric_feed = type("Feed", (), {"next": lambda self, lr: values.pop(0)})()
    plateau = next((s for s in plan["param_scheduler"] if str(s["type"]).startswith("ReduceOnPlateau")), None)
    # a parameter under each paramwise_cfg key with an lr_mult (a param group of its own), in its order
    keyed = ((plan["optim_wrapper"] or {}).get("paramwise_cfg") or {}).get("custom_keys", {})
    custom = [k for k, v in keyed.items() if "lr_mult" in v]
    n_params = len(plan["groups"][0]) if plan["groups"] else 1 + len(custom)
    recorded: dict[str, list] = {"lr": [], "momentum": [], "metric": []}

    class Model(BaseModel):
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.zeros(1))
            for key in custom:
                module = torch.nn.Module()
                module.weight = torch.nn.Parameter(torch.zeros(1))
                self.add_module(key.split(".")[0], module)
            self.extra = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(1)) for _ in range(n_params - 1 - len(custom))])

        def forward(self, x, mode="tensor"):
            out = sum(p.sum() for p in self.parameters()) * x.sum()
            return {"loss": out} if mode == "loss" else [out]

    class Record(Hook):
        priority = "HIGHEST"

        def before_train_iter(self, runner, batch_idx, data_batch=None):
            # the optimizer's own groups: OptimWrapper's param_groups adds a `base_param_settings`
            # pseudo-group (the optimizer's default lr, logged as base_lr) that trains nothing
            groups = runner.optim_wrapper.optimizer.param_groups
            recorded["lr"].append([float(g["lr"]) for g in groups])
            recorded["momentum"].append([float(g["betas"][0]) if "betas" in g else float(g.get("momentum", 0.0)) for g in groups])

    class FedMetric(BaseMetric):
        def process(self, data_batch, data_samples):
            self.results.append(0)

        def compute_metrics(self, results):
            value = metric_feed.next(float(runner.optim_wrapper.optimizer.param_groups[0]["lr"]))
            recorded["metric"].append(value)
            return {plateau.get("monitor", "loss"): value}

    name = f"lrplot_record_{id(recorded)}"
    HOOKS.register_module(name=name, module=Record, force=True)
    METRICS.register_module(name=name + "_metric", module=FedMetric, force=True)

    from mmengine.runner import loops

    # IterBasedTrainLoop sleeps 2 s whenever its dataloader restarts; the numbers do not depend on it
    loops.time = type("NoSleep", (), {"sleep": staticmethod(lambda seconds: None), "time": staticmethod(__import__("time").time)})
    world = plan["world_size"] or 1
    real_dist_info = sampler_module.get_dist_info
    sampler_module.get_dist_info = lambda: (0, world)  # DefaultSampler's share of one of `world` processes
    dataset_size = plan["dataset_size"]
    if dataset_size is None:
        dataset_size = (plan["epoch_length"] or 1) * plan["batch_size"] * world
    dataset = [dict(x=torch.ones(1)) for _ in range(int(dataset_size))]

    optim_wrapper: Any = None
    if plan["groups"] is not None:
        lrs, momentum, betas = plan["groups"]
    else:
        optim_wrapper = copy.deepcopy(plan["optim_wrapper"])
        optim_wrapper.setdefault("type", "OptimWrapper")
    step = None
    with tempfile.TemporaryDirectory() as work_dir, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = Model()
            if optim_wrapper is None:
                params = [{"params": [p], "lr": lr} for p, lr in zip(model.parameters(), lrs)]
                default = config.get("optimizer", {}).get("lr", 0.1)  # the optimizer's default: OptimWrapper's base group
                opt = (torch.optim.Adam(params, lr=default, betas=tuple(betas)) if betas is not None
                       else torch.optim.SGD(params, lr=default, momentum=momentum or 0))
                optim_wrapper = OptimWrapper(opt)
            extra: dict[str, Any] = {}
            if plateau is not None:
                extra = dict(val_dataloader=dict(dataset=[dict(x=torch.ones(1))], batch_size=1, sampler=dict(type="DefaultSampler", shuffle=False),
                                                 collate_fn=dict(type="default_collate")),
                             val_cfg=dict(type="ValLoop"), val_evaluator=dict(type=name + "_metric"))
            if plan["auto_scale_lr"] is not None:
                extra["auto_scale_lr"] = plan["auto_scale_lr"]
            runner = Runner(
                model=model, work_dir=work_dir,
                train_dataloader=dict(dataset=dataset, batch_size=plan["batch_size"], sampler=dict(type="DefaultSampler", shuffle=False),
                                      collate_fn=dict(type="default_collate"), num_workers=0, drop_last=plan["drop_last"]),
                train_cfg=copy.deepcopy(plan["train_cfg"]), optim_wrapper=optim_wrapper,
                param_scheduler=copy.deepcopy(plan["param_scheduler"]),
                default_hooks=dict(checkpoint=None, logger=None), custom_hooks=[dict(type=name)],
                log_level="ERROR", default_scope=None, **extra,
            )
            runner._world_size = world  # what auto_scale_lr's real batch size reads
            runner.train()
        except Exception as exc:  # whatever mmengine raises is the recorded outcome
            step = len(recorded["lr"]) - 1 if recorded["lr"] else None
            raise MMEngineError(type(exc).__name__, str(exc), step) from None
        finally:
            sampler_module.get_dist_info = real_dist_info
            for logger in list(MMLogger._instance_dict.values()):
                for handler in list(logger.handlers):
                    handler.close()
                    logger.removeHandler(handler)
            MMLogger._instance_dict.clear()
    if spec is None:
        raise LrplotRefusesWhatMMEngineRuns(f"lrplot refuses the config ({refused}) but mmengine runs it")
    lr = [list(col) for col in zip(*recorded["lr"])]
    from .engine import tracks_momentum  # when a trace carries momentum is lrplot's rule

    return {
        "lr": lr,
        "momentum": [list(col) for col in zip(*recorded["momentum"])] if tracks_momentum(spec) else None,
        "metric": recorded["metric"] or None,
    }
