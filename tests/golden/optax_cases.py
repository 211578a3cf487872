"""Configs whose lr the golden recorder runs on real optax 0.2.8 (record_optax.py), each in float64 and float32.

Every schedule function and keyword branch: transition_begin (and a negative one), staircase,
end_value as a floor and as a ceiling, the constant fallbacks, exponents, both interpolations,
onecycles long and too short for their boundaries, sgdr cycles, join_schedules nested, and the
lengths the run fills.
"""

from __future__ import annotations

from typing import Any

_LINEAR = {"type": "optax.linear_schedule", "init_value": 0.0, "end_value": 0.1, "transition_steps": 50}

SCHEDULES: list[tuple[str, dict[str, Any], int]] = [
    ("constant", {"type": "optax.constant_schedule", "value": 0.1}, 20),
    ("linear-begin", {"type": "optax.linear_schedule", "init_value": 0.1, "end_value": 0.001, "transition_steps": 333, "transition_begin": 20}, 400),
    ("linear-default-length", {"type": "optax.linear_schedule", "init_value": 0.1, "end_value": 0.0}, 300),
    ("linear-negative-begin", {"type": "optax.linear_schedule", "init_value": 0.1, "end_value": 0.01, "transition_steps": 100, "transition_begin": -5}, 150),
    ("linear-zero-steps", {"type": "optax.linear_schedule", "init_value": 0.1, "end_value": 0.01, "transition_steps": 0}, 20),
    ("polynomial-cubic", {"type": "optax.polynomial_schedule", "init_value": 0.1, "end_value": 0.001, "power": 3, "transition_steps": 333}, 400),
    ("polynomial-fractional", {"type": "optax.polynomial_schedule", "init_value": 0.1, "end_value": 0.001, "power": 0.5, "transition_steps": 250}, 300),
    ("exponential", {"type": "optax.exponential_decay", "init_value": 0.1, "transition_steps": 37, "decay_rate": 0.9}, 400),
    ("exponential-floor-begin", {"type": "optax.exponential_decay", "init_value": 0.1, "transition_steps": 37, "decay_rate": 0.9, "end_value": 0.02,
                                 "transition_begin": 10}, 400),
    ("exponential-staircase", {"type": "optax.exponential_decay", "init_value": 0.1, "transition_steps": 40, "decay_rate": 0.5, "staircase": True}, 300),
    ("exponential-ceiling", {"type": "optax.exponential_decay", "init_value": 1e-4, "transition_steps": 20, "decay_rate": 1.5, "end_value": 0.01}, 300),
    ("exponential-rate-zero", {"type": "optax.exponential_decay", "init_value": 0.1, "transition_steps": 20, "decay_rate": 0.0}, 20),
    ("cosine", {"type": "optax.cosine_decay_schedule", "init_value": 0.1, "decay_steps": 250, "alpha": 0.1}, 300),
    ("cosine-exponent-default-length", {"type": "optax.cosine_decay_schedule", "init_value": 0.1, "exponent": 2.0}, 300),
    ("warmup-cosine", {"type": "optax.warmup_cosine_decay_schedule", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 50, "decay_steps": 500,
                       "end_value": 0.001}, 500),
    ("warmup-cosine-decay-excludes-warmup", {"type": "optax.warmup_cosine_decay_schedule", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 50,
                                             "decay_steps": 450}, 500),
    ("warmup-cosine-exponent-length", {"type": "optax.warmup_cosine_decay_schedule", "init_value": 1e-4, "peak_value": 0.05, "warmup_steps": 30,
                                       "end_value": 1e-5, "exponent": 1.5}, 300),
    ("warmup-exponential", {"type": "optax.warmup_exponential_decay_schedule", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 30,
                            "transition_steps": 40, "decay_rate": 0.5, "staircase": True, "end_value": 0.005}, 400),
    ("warmup-constant", {"type": "optax.warmup_constant_schedule", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 77}, 150),
    ("onecycle-linear", {"type": "optax.linear_onecycle_schedule", "peak_value": 0.1}, 400),
    ("onecycle-linear-too-short", {"type": "optax.linear_onecycle_schedule", "peak_value": 0.1, "transition_steps": 1}, 5),
    ("onecycle-cosine", {"type": "optax.cosine_onecycle_schedule", "peak_value": 0.1, "transition_steps": 350, "pct_start": 0.25,
                         "div_factor": 10.0, "final_div_factor": 100.0}, 400),
    ("piecewise-constant", {"type": "optax.piecewise_constant_schedule", "init_value": 0.1, "boundaries_and_scales": {100: 0.1, 300: 0.3, 50: 2.0}}, 400),
    ("piecewise-constant-none", {"type": "optax.piecewise_constant_schedule", "init_value": 0.1}, 10),
    ("interpolate-linear", {"type": "optax.piecewise_interpolate_schedule", "interpolate_type": "linear", "init_value": 0.1,
                            "boundaries_and_scales": {100: 0.1, 300: 0.3, 400: 7.0}}, 450),
    ("interpolate-cosine", {"type": "optax.piecewise_interpolate_schedule", "interpolate_type": "cosine", "init_value": 0.1,
                            "boundaries_and_scales": {0: 0.5, 200: 0.1}}, 300),
    ("sgdr", {"type": "optax.sgdr_schedule", "cosine_kwargs": [
        {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10, "decay_steps": 100},
        {"init_value": 0.01, "peak_value": 0.05, "warmup_steps": 20, "decay_steps": 300, "end_value": 0.001}]}, 500),
    ("join-nested", {"type": "optax.join_schedules", "schedules": [
        _LINEAR,
        {"type": "optax.join_schedules", "schedules": [{"type": "optax.constant_schedule", "value": 0.1},
                                                      {"type": "optax.cosine_decay_schedule", "init_value": 0.1, "alpha": 0.05}],
         "boundaries": [100]}], "boundaries": [50]}, 500),
]


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name, scheduler, steps in SCHEDULES:
        for dtype in ("float64", "float32"):
            out.append((f"{name}-{dtype[-2:]}", {"scheduler": scheduler, "run": {"iterations": steps, "dtype": dtype}}))
    out.append(("warmup-cosine-epochs-plan-64", {"scheduler": {"type": "optax.warmup_cosine_decay_schedule", "init_value": 0.0, "peak_value": 0.05,
                                                               "warmup_steps": 20}, "run": {"epochs": 5, "dataset_size": 1000, "batch_size": 32}}))
    out.append(("raises-cosine-decay-steps-64", {"scheduler": {"type": "optax.warmup_cosine_decay_schedule", "init_value": 0.0, "peak_value": 0.1,
                                                                "warmup_steps": 50, "decay_steps": 50}, "run": {"iterations": 100}}))
    out.append(("raises-negative-scale-64", {"scheduler": {"type": "optax.piecewise_constant_schedule", "init_value": 0.1,
                                                            "boundaries_and_scales": {10: -0.5}}, "run": {"iterations": 30}}))
    return out


CASES = _cases()
