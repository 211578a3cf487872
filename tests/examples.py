"""Example configs built from the registry, shared by the tests (no expected numbers here)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from lrplot.registry import family, SchedulerInfo


def metric_values(n: int) -> list[float]:
    """A loss curve that improves, stalls, improves: ReduceLROnPlateau has something to react to."""
    return [1.0 / (1 + (k // 7) * 0.3) + 0.01 * ((k * 37) % 5) for k in range(n)]


def example_config(info: SchedulerInfo, epochs: int = 30, steps_per_epoch: int = 4, **run: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "name": f"example-{info.name}",
        # a schedule that is the lr itself (Keras, optax) leaves the optimizer no lr to give
        "optimizer": {"lr": 0.1, "momentum": 0.9} if family(info.family).scales_lr else {"momentum": 0.9},
        "run": {"epochs": epochs, "steps_per_epoch": steps_per_epoch, **run},
        "scheduler": {"type": info.name, **copy.deepcopy(info.example)},
    }
    if "function" in info.example:  # your own code: a fixture file, named from the repository's root
        config["scheduler"]["function"] = str(ROOT / info.example["function"])
    if info.steps_on_metric:
        step = run.get("step", info.default_step)
        n = epochs if step == "epoch" else epochs * steps_per_epoch
        config["metric"] = {"values": metric_values(n)}
    return config


ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"


def legend_labels(fig, ax=None) -> list[str]:
    """The legend entries a figure shows for ``ax`` (its first panel by default): inside the panel,
    or in the legend above the panels where they moved for room (a wrapped label read whole)."""
    ax = fig.axes[0] if ax is None else ax
    legends = ([ax.get_legend()] if ax.get_legend() is not None else []) + list(fig.legends)
    return [t.get_text().replace("\n", " ") for legend in legends for t in legend.get_texts()]
