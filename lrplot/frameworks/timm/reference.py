"""Drive real timm 1.0.31 (over torch 2.13.0) the way its train.py does (needs the ``reference`` extra).

The ground truth the timm family is measured against: the golden recorder, the live differential
test and the benchmark call :func:`timm_trace`. lrplot never imports this module. A config's
scheduler is built with timm's own class; a config with a ``timm:`` section goes through train.py's
path instead, independently of lrplot's translation: its arguments with train.py's defaults, the
lr from ``lr_base`` as train.py scales it, the train loader's length from a real DataLoader over a
DistributedSampler, ``scheduler_kwargs`` and ``create_scheduler_v2``, and as many epochs as that
returns.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
import warnings
from types import SimpleNamespace
from typing import Any, Mapping

from ...config import Spec
from ...metric import MetricFeed

TIMM_VERSION = "1.0.31"

# train.py's argparse defaults for the arguments the schedule and the lr depend on
# (huggingface/pytorch-image-models train.py; lr_decay_fn and lr_stable_timescale came with WSD).
TRAIN_DEFAULTS = dict(
    sched="cosine", epochs=300, decay_epochs=90.0, decay_milestones=[90, 180, 270], cooldown_epochs=0,
    patience_epochs=10, decay_rate=0.1, min_lr=0.0, warmup_lr=1e-5, warmup_epochs=5, warmup_prefix=False,
    lr_noise=None, lr_noise_pct=0.67, lr_noise_std=1.0, seed=42, lr_cycle_mul=1.0, lr_cycle_decay=0.5,
    lr_cycle_limit=1, lr_k_decay=1.0, lr_decay_fn=None, lr_stable_timescale=None, eval_metric="top1",
    sched_on_updates=False, lr=None, lr_base=0.1, lr_base_size=256, lr_base_scale="", opt="sgd",
    batch_size=128, grad_accum_steps=1, world_size=1,
)


class TimmError(Exception):
    """Real timm raised: ``kind`` is its exception class, ``step`` the optimizer step (None: construction)."""

    def __init__(self, kind: str, message: str, step: int | None):
        self.kind, self.message, self.step = kind, message, step
        super().__init__(f"{kind} at step {step}: {message}")


def timm_scheduler_module() -> Any:
    """``timm.scheduler``; without torchvision (which ``import timm`` needs), through an empty ``timm``."""
    try:
        return importlib.import_module("timm.scheduler")
    except ImportError:
        for name in [n for n in sys.modules if n == "timm" or n.startswith("timm.")]:
            del sys.modules[name]
        spec = importlib.util.find_spec("timm")
        if spec is None:
            raise
        package = types.ModuleType("timm")
        package.__path__ = list(spec.submodule_search_locations)
        package.__spec__ = spec
        sys.modules["timm"] = package
        return importlib.import_module("timm.scheduler")


def timm_version() -> str:
    timm_scheduler_module()
    return importlib.import_module("timm.version").__version__


def timm_trace(config: Mapping[str, Any], base_dir: Any = None) -> dict[str, Any]:
    """Run a config (a mapping in lrplot's schema) on real timm, train.py's way.

    Returns ``{"lr": [[...]], "momentum": [[...]] | None, "metric": [...] | None}``, or raises
    :class:`TimmError` with what timm raised. A config lrplot refuses is still built on timm, from
    its keywords as written, to learn whether timm refuses it too (a class config then writes out
    every length); :class:`LrplotRefusesWhatTimmRuns` says when timm does not.
    """
    from ...config import load
    from ...errors import LrplotError

    try:
        spec = load(config, base_dir=base_dir)
    except LrplotError as exc:
        _construct(config, None)
        raise LrplotRefusesWhatTimmRuns(f"lrplot refuses the config ({exc}) but timm builds it") from None
    return _run(config, spec)


class LrplotRefusesWhatTimmRuns(Exception):
    """lrplot refused a config real timm builds without complaint."""


def _optimizer(config: Mapping[str, Any]) -> Any:
    import torch

    raw = config.get("optimizer") or {}
    section = config.get("timm")
    if section is not None:
        lr = _train_lr(SimpleNamespace(**{**TRAIN_DEFAULTS, **section}))
        lrs = [g.get("lr", lr) for g in raw.get("param_groups", [{}])]
    elif "param_groups" in raw:
        lrs = [g.get("lr", raw.get("lr", 0.1)) for g in raw["param_groups"]]
    else:
        lr = raw.get("lr", 0.1)
        lrs = lr if isinstance(lr, list) else [lr]
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    if "betas" in raw:
        return torch.optim.Adam(groups, betas=tuple(raw["betas"]))
    return torch.optim.SGD(groups, momentum=raw.get("momentum", 0))


def _construct(config: Mapping[str, Any], spec: Spec | None) -> tuple[Any, Any, int, int]:
    """(optimizer, scheduler, updates per epoch, updates to run), built as train.py (or the class) does."""
    ts = timm_scheduler_module()
    opt = _optimizer(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PlateauLRScheduler's deprecation
        try:
            section = config.get("timm")
            if section is not None:
                args = SimpleNamespace(**{**TRAIN_DEFAULTS, **section})
                upe = _updates_per_epoch(args)
                sched, num_epochs = ts.create_scheduler_v2(
                    opt, **ts.scheduler_kwargs(args, decreasing_metric=args.eval_metric == "loss"), updates_per_epoch=upe
                )
                return opt, sched, upe, num_epochs * upe
            cls = getattr(ts, _library_name(config["scheduler"]["type"]))
            if spec is None:  # lrplot refused it: the keywords as written
                keywords = {k: v for k, v in config["scheduler"].items() if k != "type"}
                return opt, cls(opt, **keywords), 1, 0
            sched = cls(opt, **{k: _timm_value(v) for k, v in spec.scheduler.params.items()})
            return opt, sched, spec.run.steps_per_epoch, spec.run.total_steps
        except Exception as exc:  # whatever timm raises is the recorded outcome
            raise TimmError(type(exc).__name__, str(exc), None) from None


def _library_name(kind: str) -> str:
    from .records import SCHEDULERS

    return next(s.library_name for s in SCHEDULERS if kind.lower() in (s.name.lower(), *(a.lower() for a in s.aliases)))


def _run(config: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
    from ...engine import tracks_momentum

    opt, sched, upe, total = _construct(config, spec)
    with_momentum = tracks_momentum(spec)
    betas = spec.optimizer.betas is not None
    feed = MetricFeed(spec.metric, spec.optimizer.groups[0].lr) if spec.scheduler.info.steps_on_metric else None
    lrs: list[list[float]] = []
    momenta: list[list[float]] = []
    step = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            num_updates = 0
            for step in range(total):  # train.py: train_one_epoch, then step(epoch + 1, eval metric)
                epoch, i = divmod(step, upe)
                lrs.append([float(g["lr"]) for g in opt.param_groups])
                if with_momentum:
                    momenta.append([float(g["betas"][0] if betas else g["momentum"]) for g in opt.param_groups])
                opt.step()
                num_updates += 1
                sched.step_update(num_updates=num_updates, metric=0.0)
                if i == upe - 1:
                    metric = feed.next(float(opt.param_groups[0]["lr"])) if feed is not None else None
                    sched.step(epoch + 1, metric)
        except Exception as exc:  # whatever timm raises is the recorded outcome
            raise TimmError(type(exc).__name__, str(exc), step) from None
    return {
        "lr": [list(col) for col in zip(*lrs)],
        "momentum": [list(col) for col in zip(*momenta)] if with_momentum else None,
        "metric": feed.fed if feed is not None else None,
    }


def _timm_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _train_lr(args: Any) -> float:
    """train.py: ``if not args.lr``: lr_base scaled by the global batch (sqrt for ada*/lamb, else linear)."""
    if args.lr:
        return args.lr
    global_batch_size = args.batch_size * args.world_size * args.grad_accum_steps
    batch_ratio = global_batch_size / args.lr_base_size
    scale = args.lr_base_scale or ("sqrt" if any(o in args.opt.lower() for o in ("ada", "lamb")) else "linear")
    if scale == "sqrt":
        batch_ratio = batch_ratio ** 0.5
    return args.lr_base * batch_ratio


def _updates_per_epoch(args: Any) -> int:
    """train.py: ``(len(loader_train) + grad_accum_steps - 1) // grad_accum_steps`` over timm's train loader."""
    if getattr(args, "updates_per_epoch", None) is not None:
        return args.updates_per_epoch
    if getattr(args, "dataset_size", None) is None:
        return 1
    import torch

    dataset = torch.utils.data.TensorDataset(torch.zeros(args.dataset_size))
    sampler = None
    if args.world_size > 1:  # timm's create_loader: a DistributedSampler for distributed training
        sampler = torch.utils.data.distributed.DistributedSampler(dataset, num_replicas=args.world_size, rank=0)
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, sampler=sampler, drop_last=True)  # drop_last=is_training
    return (len(loader) + args.grad_accum_steps - 1) // args.grad_accum_steps

