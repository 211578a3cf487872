"""The code that builds a config's schedule with its own framework and steps it as the run says."""

from __future__ import annotations

from .config import Spec


def library_code(spec: Spec) -> str:
    """Python that reproduces the config with the real library (torch, transformers, timm, ...)."""
    return spec.family.part("code").code(spec)
