"""The ``mmengine:`` config section: an OpenMMLab config's own keys, and the run its Runner trains.

An OpenMMLab config says ``param_scheduler = [...]``, ``train_cfg = dict(...)``,
``optim_wrapper = dict(optimizer=dict(...))``, ``auto_scale_lr`` and ``train_dataloader =
dict(batch_size=...)``; here the same keys (a YAML mapping, or read from the ``.py`` file itself by
``.files``), plus what the config cannot hold: ``dataset_size`` and ``world_size`` (processes), or
``epoch_length`` (``len(train_dataloader)``) itself. This module does what the Runner does with
them, and says so line by line for ``explain``:

* the train loop: ``train_cfg.type``, or the old ``by_epoch`` key (EpochBasedTrainLoop of
  ``max_epochs``, or IterBasedTrainLoop of ``max_iters``);
* ``len(train_dataloader)``: mmengine's DefaultSampler gives each of ``world_size`` processes
  ``ceil(dataset_size / world_size)`` samples (``round_up``), cut into batches of ``batch_size``,
  a last partial batch kept unless ``drop_last``;
* the lr: ``optim_wrapper.optimizer.lr``, x ``world_size * batch_size / base_batch_size`` when
  ``auto_scale_lr.enable`` (what ``--auto-scale-lr`` of the OpenMMLab train scripts turns on), and
  ``paramwise_cfg``'s ``lr_mult`` per ``custom_keys`` entry (each a param group);
* momentum: SGD's ``momentum``, or Adam's ``betas`` (beta1 is what momentum schedulers move);
* the ``param_scheduler`` list, each entry ``type: <Class>`` becoming ``mmengine.<Class>``. The
  generic ``<Kind>ParamScheduler`` classes move the optimizer key ``param_name`` names: with
  ``'lr'`` one is ``<Kind>LR`` (mmengine's LRSchedulerMixin only passes ``'lr'``), with
  ``'momentum'`` on SGD ``<Kind>Momentum``; one of another key (mmpretrain's
  ``CosineAnnealingParamScheduler`` of ``weight_decay``) leaves the lr alone and is left out, said.

The result is a plain config (``scheduler: {type: mmengine.param_scheduler, schedulers: [...]}``,
``run`` and ``optimizer``), validated like any other.
"""

from __future__ import annotations

from typing import Any, Mapping

from ...errors import ConfigError, LrplotError, TorchWouldRaise
from ...values import check_keys, integer, number, suggest, type_name

KEYS: dict[str, tuple[str, str]] = {
    "param_scheduler": ("-", "the list of schedulers (dicts with type: LinearLR, MultiStepLR, ...), or one"),
    "train_cfg": ("-", "type: EpochBasedTrainLoop (max_epochs) or IterBasedTrainLoop (max_iters), val_interval, val_begin"),
    "optim_wrapper": ("-", "optimizer: {type, lr, momentum or betas}, accumulative_counts, paramwise_cfg: {custom_keys: {name: {lr_mult}}}"),
    "auto_scale_lr": ("enable: false", "enable, base_batch_size: lr x world_size * batch_size / base_batch_size when enabled"),
    "train_dataloader": ("-", "batch_size (per process), drop_last"),
    "dataset_size": ("-", "samples in the training set (for len(train_dataloader))"),
    "world_size": ("1", "processes (GPUs) of the distributed run"),
    "epoch_length": ("-", "len(train_dataloader) itself, instead of dataset_size"),
}

# The run's and optimizer's options (a YAML's run:, or --dataset-size and the other flags) as the
# config keys they mean.
OPTIONS = {
    "run.dataset_size": "dataset_size", "run.devices": "world_size", "run.batch_size": "train_dataloader.batch_size",
    "run.drop_last": "train_dataloader.drop_last", "run.epochs": "train_cfg.max_epochs", "run.iterations": "train_cfg.max_iters",
    "run.steps_per_epoch": "epoch_length", "run.grad_accum": "optim_wrapper.accumulative_counts",
    "optimizer.lr": "optim_wrapper.optimizer.lr",
}
LOOPS = ("EpochBasedTrainLoop", "IterBasedTrainLoop")
_TRAIN_CFG = ("type", "by_epoch", "max_epochs", "max_iters", "val_interval", "val_begin", "dynamic_intervals")
_OPTIM_WRAPPER = ("type", "optimizer", "accumulative_counts", "clip_grad", "paramwise_cfg", "constructor", "loss_scale", "dtype",
                  "use_fsdp")
_DEFAULT_GROUP = "default"


def keys() -> list[tuple[str, str, str]]:
    """The section's keys for `lrplot list mmengine`: (name, default, what it is)."""
    return [(name, default, doc) for name, (default, doc) in KEYS.items()]


def _mapping(value: Any, path: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(path, f"must be a mapping ({what}), got {type_name(value)}")
    return value


def _count(value: Any, path: str, limit: int = 10**9) -> int:
    n = integer(value, path)
    if n < 1:
        raise ConfigError(path, f"must be >= 1, got {n}")
    if n > limit:
        raise ConfigError(path, f"{n:,} is beyond any training run lrplot simulates (at most {limit:,})")
    return n


def train_loop(section: Mapping[str, Any], path: str) -> tuple[str, int, dict[str, Any]]:
    """(loop type, max_epochs or max_iters, train_cfg) as the Runner's build_train_loop reads it."""
    cfg = _mapping(section.get("train_cfg"), f"{path}.train_cfg", "type: EpochBasedTrainLoop and max_epochs, or IterBasedTrainLoop and max_iters")
    check_keys(cfg, f"{path}.train_cfg", _TRAIN_CFG)
    if "type" in cfg and "by_epoch" in cfg:
        raise TorchWouldRaise(f"{path}.train_cfg.by_epoch", "mmengine raises RuntimeError (Only one of `type` or `by_epoch` can exist in `loop_cfg`.); keep one")
    if "type" in cfg:
        kind = cfg["type"]
        if kind not in LOOPS:
            raise ConfigError(f"{path}.train_cfg.type", f"lrplot steps {' and '.join(LOOPS)}, got {kind!r}{suggest(str(kind), LOOPS)}")
    else:  # Runner.build_train_loop: the old style names the loop by by_epoch
        if "by_epoch" not in cfg:
            raise ConfigError(f"{path}.train_cfg", "needs type (EpochBasedTrainLoop or IterBasedTrainLoop) or by_epoch, as mmengine's Runner does")
        kind = LOOPS[0] if cfg["by_epoch"] else LOOPS[1]
    key = "max_epochs" if kind == LOOPS[0] else "max_iters"
    if key not in cfg:
        raise ConfigError(f"{path}.train_cfg.{key}", f"missing; {kind} needs {key}")
    other = "max_iters" if key == "max_epochs" else "max_epochs"
    if other in cfg:
        raise ConfigError(f"{path}.train_cfg.{other}", f"{kind} takes {key}, not {other} (its Runner raises TypeError)")
    return kind, _count(cfg[key], f"{path}.train_cfg.{key}"), dict(cfg)


def epoch_length(section: Mapping[str, Any], path: str) -> tuple[int | None, list[str]]:
    """``len(train_dataloader)`` and how it came about (None: not known)."""
    loader = section.get("train_dataloader") or {}
    loader = _mapping(loader, f"{path}.train_dataloader", "batch_size, drop_last")
    if section.get("epoch_length") is not None:
        if section.get("dataset_size") is not None:
            raise ConfigError(f"{path}.epoch_length", "dataset_size is given too; give one or the other")
        n = _count(section["epoch_length"], f"{path}.epoch_length")
        return n, [f"len(train_dataloader) = {n} (epoch_length)"]
    if section.get("dataset_size") is None:
        return None, []
    n = _count(section["dataset_size"], f"{path}.dataset_size", 10**12)
    world = _count(section.get("world_size", 1), f"{path}.world_size", 1 << 20)
    if "batch_size" not in loader:
        raise ConfigError(f"{path}.train_dataloader.batch_size", "missing; the iterations of an epoch need the batch size (per process)")
    batch = _count(loader["batch_size"], f"{path}.train_dataloader.batch_size")
    drop_last = loader.get("drop_last", False)
    if not isinstance(drop_last, bool):
        raise ConfigError(f"{path}.train_dataloader.drop_last", f"must be true or false, got {drop_last!r}")
    per = -(-n // world)
    lines = []
    if world > 1:
        pad = per * world - n
        lines.append(f"DefaultSampler: {n} samples / {world} processes = {per} per process" + (f" (round_up repeats {pad} samples)" if pad else ""))
    else:
        lines.append(f"DefaultSampler: {n} samples in one process")
    length = per // batch if drop_last else -(-per // batch)
    if length == 0:
        raise ConfigError(f"{path}.train_dataloader.batch_size", f"{per} samples per process make no full batch of {batch} with drop_last")
    rest = per % batch
    tail = "" if not rest else (f" (drop_last drops the last {rest})" if drop_last else f" (the last one of {rest})")
    lines.append(f"len(train_dataloader) = {per} / batch_size {batch} = {length} iterations per epoch{tail}")
    return length, lines


def optimizer(section: Mapping[str, Any], path: str, loader_batch: int | None, world: int) -> tuple[dict[str, Any], list[str]]:
    """The lrplot optimizer the optim_wrapper builds (lr, groups, momentum or betas), and why."""
    where = f"{path}.optim_wrapper"
    wrapper = _mapping(section.get("optim_wrapper"), where, "optimizer: {type: SGD, lr: 0.02, momentum: 0.9}")
    check_keys(wrapper, where, _OPTIM_WRAPPER)
    opt = _mapping(wrapper.get("optimizer"), f"{where}.optimizer", "type, lr, momentum or betas")
    kind = opt.get("type", "SGD")
    if not isinstance(kind, str):
        raise ConfigError(f"{where}.optimizer.type", f"must be an optimizer name, got {type_name(kind)}")
    if "lr" not in opt:
        raise ConfigError(f"{where}.optimizer.lr", "missing; the lr the schedulers start from")
    lr = number(opt["lr"], f"{where}.optimizer.lr")
    if lr < 0:
        raise ConfigError(f"{where}.optimizer.lr", f"must be >= 0, got {lr}")
    lines = [f"lr {lr:g} ({where}.optimizer.lr, {kind})"]
    scale = section.get("auto_scale_lr")
    if scale is not None:
        scale = _mapping(scale, f"{path}.auto_scale_lr", "enable, base_batch_size")
        check_keys(scale, f"{path}.auto_scale_lr", ("enable", "base_batch_size"))
        if scale.get("enable", False):
            if "base_batch_size" not in scale:
                raise ConfigError(f"{path}.auto_scale_lr.base_batch_size", "missing; mmengine asserts it (Lack of `base_batch_size` in `auto_scale_lr`)")
            if loader_batch is None:
                raise ConfigError(f"{path}.train_dataloader.batch_size", "missing; auto_scale_lr scales the lr by world_size * batch_size")
            base = number(scale["base_batch_size"], f"{path}.auto_scale_lr.base_batch_size")
            ratio = float(world * loader_batch) / float(base)
            lr = lr * ratio
            lines.append(f"auto_scale_lr: lr x {world} processes x batch_size {loader_batch} / base_batch_size {base:g} = x{ratio:g}, lr {lr:g}")
        else:
            lines.append(f"auto_scale_lr is off (enable false; the train script's --auto-scale-lr turns it on): base_batch_size "
                         f"{scale.get('base_batch_size', '-')} is not applied")
    out: dict[str, Any] = {}
    groups = [{"name": _DEFAULT_GROUP, "lr": lr}]
    paramwise = wrapper.get("paramwise_cfg") or {}
    paramwise = _mapping(paramwise, f"{where}.paramwise_cfg", "custom_keys, ...")
    custom = paramwise.get("custom_keys") or {}
    custom = _mapping(custom, f"{where}.paramwise_cfg.custom_keys", "{name: {lr_mult: 0.1}}")
    decays = [k for k in ("bias_decay_mult", "norm_decay_mult", "dwconv_decay_mult") if k in paramwise]
    decays += [f"custom_keys.{k}.decay_mult" for k, v in custom.items() if isinstance(v, Mapping) and "decay_mult" in v]
    if decays and opt.get("weight_decay") is None:
        raise TorchWouldRaise(
            f"{where}.paramwise_cfg.{decays[0]}",
            "mmengine raises ValueError (base_wd should not be None): a decay_mult needs the optimizer's weight_decay; give it one",
        )
    for key, value in custom.items():
        value = _mapping(value, f"{where}.paramwise_cfg.custom_keys.{key}", "lr_mult, decay_mult")
        if "lr_mult" in value:
            mult = number(value["lr_mult"], f"{where}.paramwise_cfg.custom_keys.{key}.lr_mult")
            groups.append({"name": str(key), "lr": lr * mult})
            lines.append(f"param group {key!r}: lr x lr_mult {mult:g} (paramwise_cfg.custom_keys)")
    if len(groups) > 1:
        out["param_groups"] = groups
    else:
        out["lr"] = lr
    if "betas" in opt or "adam" in kind.lower() or kind.lower() in ("lion", "lamb"):
        betas = opt.get("betas", [0.9, 0.999])
        out["betas"] = list(betas) if isinstance(betas, (list, tuple)) else betas
    elif "momentum" in opt:
        out["momentum"] = opt["momentum"]
    accumulate = wrapper.get("accumulative_counts", 1)
    if accumulate != 1:
        n = _count(accumulate, f"{where}.accumulative_counts")
        lines.append(f"accumulative_counts {n}: the optimizer updates every {n} iterations; the schedulers still count iterations")
    return out, lines


GENERIC = "ParamScheduler"  # mmengine's ConstantParamScheduler, ..., of any optimizer key (param_name)
DRAWN_PARAMS = ("lr", "momentum")


def drawn(item: Any) -> bool:
    """Whether a param_scheduler entry moves what lrplot draws (not a generic one of another ``param_name``)."""
    if not isinstance(item, Mapping) or not str(item.get("type", "")).endswith(GENERIC):
        return True
    return item.get("param_name") in DRAWN_PARAMS or "param_name" not in item


def entries(section: Mapping[str, Any]) -> list[int]:
    """The indexes of the config's param_scheduler entries that lrplot draws, in order (the i-th
    scheduler lrplot draws is the config's entry ``entries(section)[i]``)."""
    raw = section.get("param_scheduler")
    items = [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, (list, tuple)) else []
    return [i for i, item in enumerate(items) if drawn(item)]


def _generic(item: dict[str, Any], name: str, where: str) -> str:
    """``<Kind>ParamScheduler`` of ``param_name`` 'lr' or 'momentum' as the class mmengine names for it."""
    if "param_name" not in item:
        raise TorchWouldRaise(f"{where}.param_name", f"missing; mmengine raises TypeError ({name} needs param_name, the optimizer key it moves)")
    param = item.pop("param_name")
    kind = name[: -len(GENERIC)]
    twin = kind + ("LR" if param == "lr" else "Momentum")
    if kind == "OneCycle" and param != "lr":
        raise TorchWouldRaise(f"{where}.param_name", f"mmengine raises AssertionError (OneCycle only works for learning rate updating, but got {param})")
    return twin


def schedulers(section: Mapping[str, Any], path: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The param_scheduler list, each ``type`` as lrplot names it (``mmengine.<Class>``), and what
    was left out (a generic scheduler of another optimizer key than the lr or momentum)."""
    from ...registry import lookup
    from .records import PREFIX

    raw = section.get("param_scheduler")
    if raw is None:
        raise ConfigError(f"{path}.param_scheduler", "missing; the schedulers are what lrplot draws")
    items = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(items, (list, tuple)) or not items:
        raise ConfigError(f"{path}.param_scheduler", f"must be a list of scheduler dicts (or one), got {type_name(raw)}")
    out = []
    notes = []
    for i, item in enumerate(items):
        where = f"{path}.param_scheduler[{i}]"
        item = dict(_mapping(item, where, "type: LinearLR, ..."))
        item.pop("_scope_", None)
        kind = item.get("type")
        if not isinstance(kind, str):
            raise ConfigError(f"{where}.type", "missing; name an mmengine scheduler (LinearLR, MultiStepLR, ...)")
        name = kind.split(".", 1)[1] if kind.startswith("mmengine.") else kind
        if name.endswith(GENERIC) and lookup(PREFIX + name[: -len(GENERIC)] + "LR") is not None:
            if not drawn(item):
                notes.append(f"param_scheduler[{i}]: {name} moves the optimizer's {item['param_name']!r}, not the lr or momentum: "
                             "left out (lrplot draws lr and momentum)")
                continue
            name = _generic(item, name, where)
        if lookup(PREFIX + name) is None or name == "param_scheduler":
            from .records import SCHEDULERS

            known = [s.library_name for s in SCHEDULERS if not s.composite]
            scope = f" ({kind.split('.')[0]}'s own scheduler, which mmengine does not have)" if "." in kind else ""
            raise ConfigError(f"{where}.type", f"{kind!r} is not an mmengine 0.10.7 scheduler{scope}{suggest(name, known)}; lrplot draws {', '.join(known)}")
        item["type"] = PREFIX + name
        out.append(item)
    if not out:
        raise ConfigError(f"{path}.param_scheduler", "moves neither the lr nor the momentum (" + "; ".join(notes) + "): nothing for lrplot to draw")
    return out, notes


def translate(section: Any, config: Any, path: str) -> tuple[dict, tuple[str, ...]]:
    """The plain config an OpenMMLab config's keys describe, and the arithmetic that derived it."""
    if "scheduler" in config:
        raise ConfigError("scheduler", f"the `{path}:` section's param_scheduler is the schedule; there is no `scheduler:` to give beside it")
    section = _mapping(section, path, "param_scheduler, train_cfg, optim_wrapper, ...")
    check_keys(section, path, KEYS)
    kind, length, cfg = train_loop(section, path)
    epoch_len, lines = epoch_length(section, path)
    loader = section.get("train_dataloader") or {}
    batch = loader.get("batch_size") if isinstance(loader, Mapping) else None
    world = _count(section.get("world_size", 1), f"{path}.world_size", 1 << 20)
    opt, opt_lines = optimizer(section, path, batch, world)
    items, left_out = schedulers(section, path)
    needs_length = kind == LOOPS[0] or any(s.get("convert_to_iter_based") for s in items)
    if epoch_len is None and needs_length:
        why = "an EpochBasedTrainLoop" if kind == LOOPS[0] else "convert_to_iter_based"
        raise ConfigError(
            f"{path}.dataset_size",
            f"missing; {why} needs len(train_dataloader): give the dataset size (--dataset-size N, and --devices for the processes), "
            "or epoch_length",
        )
    if any(str(s["type"]).endswith(("ReduceOnPlateauLR", "ReduceOnPlateauMomentum")) for s in items):
        if cfg.get("val_interval", 1) != 1 or cfg.get("val_begin", 1) != 1 or cfg.get("dynamic_intervals"):
            raise ConfigError(f"{path}.train_cfg.val_interval", "lrplot steps a ReduceOnPlateau scheduler after a validation every epoch "
                              "(val_interval 1, val_begin 1)")
    if kind == LOOPS[0]:
        run: dict[str, Any] = {"epochs": length, "steps_per_epoch": epoch_len}
        lines.append(f"{kind}: {length} epochs x {epoch_len} iterations = {length * epoch_len:,} iterations")
    else:
        run = {"iterations": length}
        if epoch_len is not None:
            run["steps_per_epoch"] = epoch_len
        lines.append(f"{kind}: {length:,} iterations (max_epochs 1: a scheduler with by_epoch true steps only after the last)")
    lines += opt_lines
    lines += left_out
    if "betas" in opt:
        raw = section["param_scheduler"]
        raw = [raw] if isinstance(raw, Mapping) else raw
        moved = [i for i, item in enumerate(raw) if str(item.get("type", "")).endswith(GENERIC) and item.get("param_name") == "momentum"]
        if moved:
            # Adam's groups have betas, no momentum key: only a Momentum class built before it (its
            # MomentumSchedulerMixin) would add one, which lrplot does not model
            i = moved[0]
            before = any(str(item.get("type", "")).endswith("Momentum") for item in raw[:i])
            fix = "write the Momentum class (CosineAnnealingMomentum, ...), which moves beta1"
            if not before:
                raise TorchWouldRaise(f"{path}.param_scheduler[{i}].param_name", "mmengine raises KeyError ('momentum'): Adam's param groups "
                                      f"have betas, not the momentum key a ParamScheduler of 'momentum' moves; {fix}")
            raise ConfigError(f"{path}.param_scheduler[{i}].param_name", "a ParamScheduler of 'momentum' beside a Momentum scheduler on "
                              f"Adam moves a momentum key the other one copies into beta1, which lrplot does not model; {fix}")
    out: dict[str, Any] = {k: v for k, v in config.items() if k != path}
    given = out.get("optimizer")
    if isinstance(given, Mapping) and given:
        raise ConfigError(f"optimizer.{next(iter(given))}", f"the optimizer is the `{path}:` section's optim_wrapper; set it there")
    out["optimizer"] = opt
    out["run"] = run
    out["scheduler"] = {"type": "mmengine.param_scheduler", "schedulers": items}
    return out, tuple(lines)


def section_error(exc: LrplotError) -> LrplotError:
    """An error in the translated config, named by the section's key that caused it."""
    path = exc.path
    for plain, own in (("scheduler.schedulers", "mmengine.param_scheduler"), ("optimizer.lr", "mmengine.optim_wrapper.optimizer.lr"),
                       ("optimizer.momentum", "mmengine.optim_wrapper.optimizer.momentum"),
                       ("optimizer.betas", "mmengine.optim_wrapper.optimizer.betas"), ("optimizer.param_groups", "mmengine.optim_wrapper.paramwise_cfg"),
                       ("run", "mmengine.train_cfg"), ("scheduler", "mmengine.param_scheduler")):
        if path == plain or path.startswith(plain + ".") or path.startswith(plain + "["):
            return type(exc)(own + path[len(plain):], exc.message)
    return exc
