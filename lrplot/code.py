"""The code that builds a config's schedule with its own framework and steps it as the run says."""

from __future__ import annotations

from .config import Spec


def library_code(spec: Spec) -> str:
    """Python that reproduces the config with the real library (torch, transformers, timm, ...)."""
    return spec.family.part("code").code(spec)


def metric_lines(spec: Spec, scheduler: str, name: str, when: str = "") -> list[str]:
    """The metric a metric-driven scheduler is fed, written out so the emitted code reproduces the
    run: the config's own values, or what lrplot's synthetic model gave."""
    import numpy as np

    if spec.metric.values is not None:
        values, what = list(spec.metric.values), f"the config's {spec.metric.source}"
    else:
        from .engine import simulate

        metric = simulate(spec).metric
        values, what = metric[~np.isnan(metric)].tolist(), "what lrplot's synthetic model gave"
    return [f"# {scheduler} steps on your validation metric{when}; these are {what}.",
            f"{name} = {values!r}".replace("nan", "float('nan')"), ""]
