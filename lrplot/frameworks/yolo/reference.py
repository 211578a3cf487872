"""Drive YOLO's training-loop arithmetic over real torch 2.13 optimizers (needs the ``reference`` extra).

The ground truth the yolo family is measured against: the golden recorder and the live tests call
:func:`yolo_trace`; lrplot never imports this module.

**ultralytics** runs its own code wherever the schedule's arithmetic is a function or a statement:
from the installed package's source (``pip install --no-deps ultralytics==X``, whose import needs
torchvision and more), this module compiles ``one_cycle`` (``utils/torch_utils.py``),
``BaseTrainer._setup_scheduler``, ``_get_warmup_iterations`` and ``build_optimizer``
(``engine/trainer.py``), the ``nw = ...`` expression of ``_do_train`` and its whole warmup statement
(``if ni <= nw: ...``, whichever rule the version has), plus ``MuSGD`` (``optim/muon.py``), and runs
them on a stand-in trainer: its ``args`` are ``cfg/default.yaml`` with the config's values, its
optimizer the one ``build_optimizer`` builds over a small model shaped like a YOLO (a conv, a norm
layer and a detection head with ``cv3``, the 24th module), its ``nb`` the length of a real
``DataLoader`` (over a ``DistributedSampler`` for several devices). The loop around them - one
``scheduler.step()`` before each epoch, the warmup statement before each batch - is
``_do_train``'s, transcribed.

**YOLOv5** is transcribed from ``train.py`` (commit 5081342f04fb287fc2e5f2b5a4e06752b7937b1c of
github.com/ultralytics/yolov5: ``smart_optimizer``'s groups, the LambdaLR with ``lf``,
``scheduler.last_epoch = start_epoch - 1``, the warmup at lines 382-390, ``scheduler.step()`` after
each epoch); its cosine is ultralytics' ``one_cycle``, which it imports.

A config with a plain ``type: yolo.*`` scheduler runs over a torch optimizer with the config's
groups (a group named ``bias`` or ``bias.*`` is ultralytics' ``param_group: bias``).
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import logging
import math
from functools import lru_cache, partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Mapping

import numpy as np

YOLOV5_COMMIT = "5081342f04fb287fc2e5f2b5a4e06752b7937b1c"


class Ultralytics:
    """The installed ultralytics' own schedule code, compiled from its source files (never imported)."""

    def __init__(self) -> None:
        import torch
        import yaml

        spec = importlib.util.find_spec("ultralytics")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("ultralytics is not installed: pip install --no-deps ultralytics==<version>")
        root = Path(list(spec.submodule_search_locations)[0])
        self.version = importlib.metadata.version("ultralytics")
        self.defaults = yaml.safe_load((root / "cfg" / "default.yaml").read_text(encoding="utf-8"))
        self.namespace: dict[str, Any] = {
            "math": math, "np": np, "nn": torch.nn, "optim": torch.optim, "torch": torch, "partial": partial,
            "LOGGER": logging.getLogger("lrplot.reference.ultralytics"), "colorstr": lambda *a: a[-1],
            "unwrap_model": lambda m: m, "TORCH_2_0": True,
        }
        if (root / "optim" / "muon.py").is_file():  # 8.4 on; 8.3 has no MuSGD
            muon_spec = importlib.util.spec_from_file_location("lrplot_reference_ultralytics_muon", root / "optim" / "muon.py")
            muon = importlib.util.module_from_spec(muon_spec)
            muon_spec.loader.exec_module(muon)  # imports only torch
            self.namespace["MuSGD"] = muon.MuSGD
        # build_dataloader's drop_last under compile (8.3.196 on): 8.4.175 judges each rank's shard, before it the dataset
        self.at_least_one = "max(1, round(len(im_files)" in (root / "data" / "base.py").read_text(encoding="utf-8")
        build = (root / "data" / "build.py").read_text(encoding="utf-8")
        self.drop_rule = "shard" if "samples > batch > 0" in build else "dataset" if "len(dataset) % batch != 0" in build or "dataset_len % batch" in build else None
        utils = ast.parse((root / "utils" / "torch_utils.py").read_text(encoding="utf-8"))
        self._define(_function(utils.body, "one_cycle"))
        trainer = ast.parse((root / "engine" / "trainer.py").read_text(encoding="utf-8"))
        base = next(n for n in trainer.body if isinstance(n, ast.ClassDef) and n.name == "BaseTrainer")
        self.methods = {}
        for name in ("_setup_scheduler", "_get_warmup_iterations", "build_optimizer"):
            node = _function(base.body, name)
            if node is not None:
                self._define(node)
                self.methods[name] = self.namespace[name]
        do_train = _function(base.body, "_do_train")
        assign = next(n for n in ast.walk(do_train) if isinstance(n, ast.Assign) and _names(n.targets) == ["nw"])
        self.nw_expression = compile(ast.Expression(assign.value), "ultralytics/engine/trainer.py:nw", "eval")
        warm = next(n for n in ast.walk(do_train) if isinstance(n, ast.If) and {"ni", "nw"} <= _used(n.test))
        self.warmup_statement = compile(ast.Module([warm], []), "ultralytics/engine/trainer.py:warmup", "exec")

    def _define(self, node: ast.FunctionDef) -> None:
        exec(compile(ast.Module([node], []), f"ultralytics:{node.name}", "exec"), self.namespace)


def _function(body: list[ast.stmt], name: str) -> ast.FunctionDef | None:
    return next((n for n in body if isinstance(n, ast.FunctionDef) and n.name == name), None)


def _names(targets: list[ast.expr]) -> list[str]:
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


@lru_cache(maxsize=1)
def ultralytics() -> Ultralytics:
    return Ultralytics()


def ultralytics_version() -> str | None:
    try:
        return importlib.metadata.version("ultralytics")
    except importlib.metadata.PackageNotFoundError:
        return None


class Trainer(SimpleNamespace):
    """A stand-in for BaseTrainer: the attributes its schedule code reads."""

    def _get_warmup_iterations(self, nb: int) -> int:
        return ultralytics().methods["_get_warmup_iterations"](self, nb)


def _yolo_model() -> Any:
    """A model shaped like a YOLO for build_optimizer: a conv (4-D weight, bias), a norm layer, a
    linear layer (2-D weight), and at index 23 (the last) a detection head with ``cv3``."""
    from torch import nn

    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.cv2 = nn.Conv2d(4, 2, 1)
            self.cv3 = nn.Conv2d(4, 2, 1)
            self.norm = nn.BatchNorm2d(2)

    model = nn.Module()
    model.model = nn.ModuleList([nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(4, 4)] + [nn.Identity() for _ in range(20)] + [Head()])
    return model


def _batches(dataset_size: int, per_device: int, devices: int, drop_rule: str | None = None) -> int:
    """``len(train_loader)``: a real DataLoader, over a DistributedSampler for several devices; with
    ``drop_rule`` (compile) dropping a last partial batch as the release's ``build_dataloader`` decides."""
    import torch
    from torch.utils.data import DataLoader, DistributedSampler

    class Images(torch.utils.data.Dataset):
        def __len__(self) -> int:
            return dataset_size

        def __getitem__(self, i: int) -> int:
            return i

    data = Images()
    batch = min(per_device, dataset_size)
    sampler = DistributedSampler(data, num_replicas=devices, rank=0, shuffle=True) if devices > 1 else None
    samples = len(sampler) if sampler is not None else dataset_size
    drop = (drop_rule == "dataset" and dataset_size % batch != 0) or (drop_rule == "shard" and samples > batch > 0 and samples % batch != 0)
    return len(DataLoader(data, batch_size=batch, sampler=sampler, shuffle=sampler is None, drop_last=drop))


def yolo_trace(config: Mapping[str, Any]) -> dict[str, Any]:
    """Run a config (lrplot's schema) through the training loop it names: ``{"lr": [[...]], "momentum": [[...]]}``,
    one column per batch."""
    if "yolo" in config:
        section = config["yolo"]
        if section.get("code", "ultralytics") == "yolov5":
            return _yolov5_section(section)
        return _ultralytics_section(section)
    from ...config import load

    spec = load(config)
    if spec.scheduler.type == "yolo.yolov5":
        return _yolov5_plain(spec)
    return _ultralytics_plain(spec)


# ----------------------------------------------------------------------------------------------
# ultralytics


def _ultralytics_section(section: Mapping[str, Any]) -> dict[str, Any]:
    u = ultralytics()
    given = {k: v for k, v in section.items() if k not in ("code", "version", "dataset_size", "devices", "nc")}
    args = SimpleNamespace(**{**u.defaults, **given})
    devices = section.get("devices", 1)
    images = section["dataset_size"]
    fraction = args.fraction[0] if isinstance(args.fraction, list) else args.fraction  # get_split_fraction(fraction, "train")
    if isinstance(fraction, int) and fraction > 1:  # 8.4.135 on: an image count
        images = min(images, fraction)
    elif fraction < 1:  # data/base.py get_img_files: round(len(im_files) * self.fraction) images (8.4.140 on: at least 1)
        images = max(1, round(images * fraction)) if u.at_least_one else round(images * fraction)
    compiled = bool(getattr(args, "compile", False))  # detect/train.py: drop_last=self.args.compile and mode == "train"
    nb = _batches(images, args.batch // max(devices, 1), devices, u.drop_rule if compiled else None)
    trainer = Trainer(args=args, epochs=args.epochs, batch_size=args.batch, data={"nc": section.get("nc", 10)})
    trainer.accumulate = max(round(args.nbs / trainer.batch_size), 1)  # (what it ramps to moves no lr)
    iterations = math.ceil(images / max(trainer.batch_size, args.nbs)) * trainer.epochs  # len(self.train_loader.dataset)
    trainer.optimizer = u.methods["build_optimizer"](
        trainer, model=_yolo_model(), name=args.optimizer, lr=args.lr0, momentum=args.momentum, decay=args.weight_decay, iterations=iterations)
    return _ultralytics_loop(trainer, nb)


def _ultralytics_plain(spec: Any) -> dict[str, Any]:
    u = ultralytics()
    p = spec.scheduler.params
    args = SimpleNamespace(**{**u.defaults, **{k: p[k] for k in ("lrf", "cos_lr", "warmup_epochs", "warmup_momentum", "warmup_bias_lr", "momentum")}})
    trainer = Trainer(args=args, epochs=spec.run.epochs, batch_size=args.nbs, accumulate=1)
    trainer.optimizer = _torch_optimizer(spec, ultralytics_groups=True)
    return _ultralytics_loop(trainer, spec.run.steps_per_epoch)


def _ultralytics_loop(trainer: Trainer, nb: int) -> dict[str, Any]:
    """``_do_train``'s schedule: the scheduler built, ``last_epoch = start_epoch - 1``, a step before
    each epoch, the warmup statement (ultralytics' own) before each batch."""
    import warnings

    u = ultralytics()
    u.methods["_setup_scheduler"](trainer)
    trainer.scheduler.last_epoch = -1  # self.start_epoch - 1
    nw = eval(u.nw_expression, u.namespace, {"self": trainer, "nb": nb})
    acc0 = trainer.accumulate
    lrs, momenta = [], []
    for epoch in range(trainer.epochs):
        trainer.epoch = epoch
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 'Detected lr_scheduler.step() before optimizer.step()'
            trainer.scheduler.step()
        for i in range(nb):
            ni = i + nb * epoch
            exec(u.warmup_statement, u.namespace, {"self": trainer, "ni": ni, "nw": nw, "epoch": epoch, "acc0": acc0})
            _read(trainer.optimizer, lrs, momenta)
    return _columns(lrs, momenta)


# ----------------------------------------------------------------------------------------------
# YOLOv5 (transcribed: train.py, smart_optimizer)


def _yolov5_section(section: Mapping[str, Any]) -> dict[str, Any]:
    from types import SimpleNamespace as Hyp

    hyp = {"lr0": 0.01, "lrf": 0.01, "momentum": 0.937, "warmup_epochs": 3.0, "warmup_momentum": 0.8, "warmup_bias_lr": 0.1}
    hyp.update({k: section[k] for k in hyp if k in section})
    epochs, batch_size = section.get("epochs", 100), section.get("batch", 16)
    devices = section.get("devices", 1)
    nb = _batches(section["dataset_size"], batch_size // devices, devices)
    optimizer = _yolov5_optimizer(section.get("optimizer", "SGD"), hyp["lr0"], hyp["momentum"])
    p = Hyp(cos_lr=section.get("cos_lr", False), **{k: hyp[k] for k in hyp if k != "lr0"})
    return _yolov5_loop(optimizer, p, epochs, nb, nbs=64, batch_size=batch_size)


def _yolov5_optimizer(name: str, lr: float, momentum: float) -> Any:
    """smart_optimizer's three groups: 0 biases, 1 weights with decay, 2 norm weights."""
    import torch

    g = [torch.nn.Parameter(torch.zeros(1)) for _ in range(3)]
    if name == "Adam":
        optimizer = torch.optim.Adam([g[2]], lr=lr, betas=(momentum, 0.999))
    elif name == "AdamW":
        optimizer = torch.optim.AdamW([g[2]], lr=lr, betas=(momentum, 0.999), weight_decay=0.0)
    else:
        optimizer = torch.optim.SGD([g[2]], lr=lr, momentum=momentum, nesterov=True)
    optimizer.add_param_group({"params": [g[0]], "weight_decay": 0.0005})
    optimizer.add_param_group({"params": [g[1]], "weight_decay": 0.0})
    return optimizer


def _yolov5_plain(spec: Any) -> dict[str, Any]:
    p = SimpleNamespace(**spec.scheduler.params)
    return _yolov5_loop(_torch_optimizer(spec, ultralytics_groups=False), p, spec.run.epochs, spec.run.steps_per_epoch, nbs=64, batch_size=64)


def _yolov5_loop(optimizer: Any, hyp: Any, epochs: int, nb: int, nbs: int, batch_size: int) -> dict[str, Any]:
    import warnings

    from torch.optim import lr_scheduler

    if hyp.cos_lr:
        lf = ultralytics().namespace["one_cycle"](1, hyp.lrf, epochs)  # from ultralytics.utils.torch_utils import one_cycle
    else:

        def lf(x):
            return (1 - x / epochs) * (1.0 - hyp.lrf) + hyp.lrf  # linear

    scheduler = lr_scheduler.LambdaLR(optimizer, lr_lambda=lf)
    nw = max(round(hyp.warmup_epochs * nb), 100)  # number of warmup iterations, max(3 epochs, 100 iterations)
    scheduler.last_epoch = -1  # start_epoch - 1, "do not move"
    lrs, momenta = [], []
    for epoch in range(epochs):
        for i in range(nb):
            ni = i + nb * epoch
            if ni <= nw:
                xi = [0, nw]
                accumulate = max(1, np.interp(ni, xi, [1, nbs / batch_size]).round())  # noqa: F841 - the loop's own
                for j, x in enumerate(optimizer.param_groups):
                    x["lr"] = np.interp(ni, xi, [hyp.warmup_bias_lr if j == 0 else 0.0, x["initial_lr"] * lf(epoch)])
                    if "momentum" in x:
                        x["momentum"] = np.interp(ni, xi, [hyp.warmup_momentum, hyp.momentum])
            _read(optimizer, lrs, momenta)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler.step()  # after the epoch's batches
    return _columns(lrs, momenta)


# ----------------------------------------------------------------------------------------------


def _torch_optimizer(spec: Any, ultralytics_groups: bool) -> Any:
    import torch

    opt = spec.optimizer
    groups = []
    for g in opt.groups:
        group: dict[str, Any] = {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": g.lr}
        if ultralytics_groups:
            group["param_group"] = g.name.split(".")[0]
        groups.append(group)
    if opt.betas is not None:
        return torch.optim.Adam(groups, lr=opt.groups[0].lr, betas=tuple(opt.betas))
    return torch.optim.SGD(groups, lr=opt.groups[0].lr, momentum=opt.momentum or 0.0, nesterov=bool(opt.momentum))


def _read(optimizer: Any, lrs: list, momenta: list) -> None:
    """Each group's lr and momentum (or beta1) as the batch trains with them, as Python floats."""
    lrs.append([float(x["lr"]) for x in optimizer.param_groups])
    momenta.append([float(x["momentum"]) if "momentum" in x else float(x["betas"][0]) for x in optimizer.param_groups])


def _columns(lrs: list, momenta: list) -> dict[str, Any]:
    return {"lr": [list(g) for g in zip(*lrs)], "momentum": [list(g) for g in zip(*momenta)]}
