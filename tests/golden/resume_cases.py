"""The configurations whose resumed runs and stepping mistakes are recorded from torch 2.13.0.

``CASES`` is a list of ``(case_id, config, resume_at)``: each config (DESIGN.md's YAML schema) is
resumed at every scheduler step of ``resume_at`` by every method of ``lrplot.whatif.RESUME_METHODS``,
and run with every stepping mistake of ``lrplot.whatif.MISTAKES`` that applies to it. These are
inputs only: ``record_resume.py`` drives real torch through each and writes ``resume/<id>.json``.

The resume points sit inside a phase, on a milestone or a restart, and past the point where a
schedule stops moving, because torch's answer changes with them (StepLR resumed with last_epoch
decays twice only on a multiple of step_size). Every class and composite appears, with momentum
and Adam betas where a scheduler cycles them, and with two param groups.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

# The golden cases' config builder (``cases.py``, loaded by path: ``tests`` is not a package).
_spec = importlib.util.spec_from_file_location("lrplot_golden_cases", Path(__file__).resolve().parent / "cases.py")
_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cases)

Config = dict[str, Any]

CASES: list[tuple[str, Config, list[int]]] = []
GROUPS2 = _cases.GROUPS2


def add(case_id: str, scheduler: Any, at: list[int], **run: Any) -> None:
    assert all(case_id != cid for cid, _, _ in CASES), f"duplicate case id {case_id}"
    CASES.append((case_id, _cases.config(case_id, scheduler, **run), at))


WARMUP = {"type": "LinearLR", "start_factor": 0.1, "total_iters": 5}

add("step", {"type": "StepLR", "step_size": 10, "gamma": 0.5}, [6, 10, 15], momentum=0.9)
add("step-per-epoch-spe4", {"type": "StepLR", "step_size": 3, "gamma": 0.5}, [3, 4], epochs=8, spe=4)
add("multistep-groups2", {"type": "MultiStepLR", "milestones": [8, 16], "gamma": 0.1}, [5, 8, 20], groups=GROUPS2)
add("constant", {"type": "ConstantLR", "factor": 0.5, "total_iters": 6}, [3, 6, 10], epochs=16, spe=2)
add("linear-warmup", {"type": "LinearLR", "start_factor": 0.1, "total_iters": 8}, [4, 8, 12], epochs=20)
add("exponential", {"type": "ExponentialLR", "gamma": 0.9}, [5, 12], epochs=20)
add("polynomial", {"type": "PolynomialLR", "total_iters": 15, "power": 2.0}, [5, 15, 18], epochs=20)
add("cosine", {"type": "CosineAnnealingLR", "T_max": 20, "eta_min": 0.001}, [7, 20, 25])
add("cosine-per-iteration", {"type": "CosineAnnealingLR", "T_max": 40}, [10, 25], epochs=8, spe=5, step="iteration")
add("lambda-groups2", {"type": "LambdaLR", "lr_lambda": "0.9 ** epoch"}, [5, 12], epochs=20, groups=GROUPS2)
add("multiplicative", {"type": "MultiplicativeLR", "lr_lambda": "0.95"}, [5, 12], epochs=20)
add("warm-restarts", {"type": "CosineAnnealingWarmRestarts", "T_0": 5, "T_mult": 2, "eta_min": 0.001}, [5, 7, 16])
add("cyclic-momentum", {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}, [3, 10, 17],
    epochs=4, spe=10, momentum=0.9)
add("cyclic-triangular2-adam", {"type": "CyclicLR", "base_lr": 0.001, "max_lr": 0.01, "step_size_up": 4, "mode": "triangular2"},
    [6, 13], epochs=3, spe=10, betas=[0.9, 0.999])
add("onecycle-adam", {"type": "OneCycleLR", "max_lr": 0.1}, [6, 12, 30], epochs=5, spe=8, betas=[0.9, 0.99])
add("onecycle-three-phase-groups2", {"type": "OneCycleLR", "max_lr": [0.01, 0.1], "three_phase": True, "anneal_strategy": "linear"},
    [10, 25], epochs=4, spe=10, groups=GROUPS2, momentum=0.9)
add("plateau", {"type": "ReduceLROnPlateau", "patience": 2, "factor": 0.5},
    [6, 15], metric=[round(1.0 - 0.02 * min(k, 8) + 0.001 * (k % 3), 6) for k in range(30)])
add("sequential-warmup-cosine", {"type": "SequentialLR", "milestones": [5], "schedulers": [WARMUP, {"type": "CosineAnnealingLR"}]},
    [3, 5, 10])
add("sequential-warmup-step-iteration", {"type": "SequentialLR", "milestones": [10],
    "schedulers": [{"type": "LinearLR", "start_factor": 0.25, "total_iters": 10}, {"type": "StepLR", "step_size": 8, "gamma": 0.5}]},
    [6, 18], epochs=6, spe=6, step="iteration")
add("sequential-docs-constant-exponential", {"type": "SequentialLR", "milestones": [6],
    "schedulers": [{"type": "ConstantLR", "factor": 0.1, "total_iters": 6}, {"type": "ExponentialLR", "gamma": 0.9}]}, [4, 9], epochs=16)
add("sequential-milestone-0", {"type": "SequentialLR", "milestones": [0, 8],
    "schedulers": [WARMUP, {"type": "ExponentialLR", "gamma": 0.9}, {"type": "ConstantLR", "factor": 0.5, "total_iters": 3}]},
    [4, 10], epochs=16)
add("chained-constant-exponential", {"type": "ChainedScheduler",
    "schedulers": [{"type": "ConstantLR", "factor": 0.5, "total_iters": 3}, {"type": "ExponentialLR", "gamma": 0.9}]}, [2, 6], epochs=16)
add("chained-lambda-after-step", {"type": "ChainedScheduler",
    "schedulers": [{"type": "StepLR", "step_size": 4, "gamma": 0.5}, {"type": "LambdaLR", "lr_lambda": "1 / (1 + epoch)"}]}, [4, 7], epochs=12)
add("chained-with-sequential", {"type": "ChainedScheduler", "schedulers": [
    {"type": "SequentialLR", "milestones": [4], "schedulers": [{"type": "LinearLR", "start_factor": 0.2, "total_iters": 4},
                                                              {"type": "CosineAnnealingLR", "T_max": 12}]},
    {"type": "ExponentialLR", "gamma": 0.95}]}, [3, 8], epochs=16)
