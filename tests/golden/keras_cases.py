"""Configs whose lr the golden recorder runs on real Keras 3.15 (record_keras.py), each in float64 and float32.

Every class and every keyword branch: staircase, cycle, warmup (and warmup_target without warmup),
alpha, t_mul 1 and geometric restarts, m_mul, lengths the run fills, and runs that end before or
after the schedule does.
"""

from __future__ import annotations

from typing import Any

SCHEDULES: list[tuple[str, dict[str, Any], int]] = [
    ("exponential", {"type": "keras.ExponentialDecay", "initial_learning_rate": 0.1, "decay_steps": 37, "decay_rate": 0.9}, 400),
    ("exponential-staircase", {"type": "keras.ExponentialDecay", "initial_learning_rate": 0.1, "decay_steps": 37, "decay_rate": 0.9, "staircase": True}, 400),
    ("exponential-growth", {"type": "keras.ExponentialDecay", "initial_learning_rate": 1e-4, "decay_steps": 50, "decay_rate": 1.5}, 300),
    ("piecewise", {"type": "keras.PiecewiseConstantDecay", "boundaries": [100, 250], "values": [0.1, 0.01, 0.001]}, 400),
    ("piecewise-one", {"type": "keras.PiecewiseConstantDecay", "boundaries": [0], "values": [0.3, 0.07]}, 20),
    ("polynomial-linear-default-length", {"type": "keras.PolynomialDecay", "initial_learning_rate": 0.1}, 300),
    ("polynomial-power-shorter", {"type": "keras.PolynomialDecay", "initial_learning_rate": 0.1, "decay_steps": 200, "end_learning_rate": 0.001, "power": 2.0}, 300),
    ("polynomial-cycle", {"type": "keras.PolynomialDecay", "initial_learning_rate": 0.1, "decay_steps": 90, "power": 0.5, "cycle": True}, 400),
    ("inverse-time", {"type": "keras.InverseTimeDecay", "initial_learning_rate": 0.1, "decay_steps": 30, "decay_rate": 0.5}, 400),
    ("inverse-time-staircase", {"type": "keras.InverseTimeDecay", "initial_learning_rate": 0.1, "decay_steps": 30, "decay_rate": 0.5, "staircase": True}, 400),
    ("cosine-default-length", {"type": "keras.CosineDecay", "initial_learning_rate": 0.1}, 300),
    ("cosine-alpha-shorter", {"type": "keras.CosineDecay", "initial_learning_rate": 0.1, "decay_steps": 200, "alpha": 0.1}, 300),
    ("cosine-warmup-fills-length", {"type": "keras.CosineDecay", "initial_learning_rate": 0.0, "warmup_target": 0.1, "warmup_steps": 25}, 500),
    ("cosine-warmup-alpha", {"type": "keras.CosineDecay", "initial_learning_rate": 1e-4, "warmup_target": 0.05, "warmup_steps": 40,
                             "decay_steps": 360, "alpha": 0.01}, 500),
    ("cosine-warmup-decay-steps-whole-run", {"type": "keras.CosineDecay", "initial_learning_rate": 0.0, "warmup_target": 0.1, "warmup_steps": 50,
                                             "decay_steps": 500}, 500),
    ("cosine-target-no-warmup", {"type": "keras.CosineDecay", "initial_learning_rate": 0.2, "warmup_target": 0.1, "decay_steps": 100}, 150),
    ("cosine-warmup-steps-ignored", {"type": "keras.CosineDecay", "initial_learning_rate": 0.1, "warmup_steps": 30, "decay_steps": 100}, 150),
    ("restarts-geometric", {"type": "keras.CosineDecayRestarts", "initial_learning_rate": 0.1, "first_decay_steps": 40}, 500),
    ("restarts-mmul-alpha", {"type": "keras.CosineDecayRestarts", "initial_learning_rate": 0.1, "first_decay_steps": 30, "t_mul": 1.5, "m_mul": 0.7, "alpha": 0.05}, 500),
    ("restarts-fixed-period", {"type": "keras.CosineDecayRestarts", "initial_learning_rate": 0.1, "first_decay_steps": 60, "t_mul": 1.0, "alpha": 0.1}, 400),
]


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name, scheduler, steps in SCHEDULES:
        for dtype in ("float64", "float32"):
            run = {"iterations": steps, "dtype": dtype}
            out.append((f"{name}-{dtype[-2:]}", {"scheduler": scheduler, "run": run}))
    # an epoch-counted run: the plan decides the steps, the schedule still counts iterations
    out.append(("cosine-epochs-plan-64", {"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.05, "alpha": 0.02},
                                          "run": {"epochs": 6, "dataset_size": 1000, "batch_size": 32}}))
    # what Keras raises on
    out.append(("raises-decay-steps-zero-64", {"scheduler": {"type": "keras.ExponentialDecay", "initial_learning_rate": 0.1, "decay_steps": 0,
                                                             "decay_rate": 0.5}, "run": {"iterations": 10}}))
    out.append(("raises-piecewise-lengths-64", {"scheduler": {"type": "keras.PiecewiseConstantDecay", "boundaries": [10, 20], "values": [0.1, 0.01]},
                                                "run": {"iterations": 30}}))
    return out


CASES = _cases()
