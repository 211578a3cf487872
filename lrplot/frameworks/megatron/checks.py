"""Megatron's pitfalls, as ``lrplot check`` rules (codes MG...): the decay span, the warmup fraction,
the batch-size ramp-up, WSD's anneal, fp16's skipped iterations."""

from __future__ import annotations

from ...engine.pitfalls import Rule, Subject, num
from .describe import first_after, samples


def _args(s: Subject) -> dict:
    from .section import dest

    section = s.spec.source.get("megatron")
    return {dest(k): v for k, v in section.items()} if isinstance(section, dict) else {}


def _field(s: Subject, key: str, arg: str) -> str:
    return f"megatron.{arg}" if "megatron" in s.spec.source else f"{s.spec.scheduler.path}.{key}"


def _flat_tail(s: Subject):
    p, n = s.spec.scheduler.params, s.spec.run.total_steps
    if p["lr_decay_style"] in ("constant", "inverse-square-root"):
        return
    end = first_after(s.spec, p["lr_decay_steps"], strict=False)  # the lr is min-lr from lr_decay_steps samples on
    if end < n:
        args = _args(s)
        gbs = p["increment"]
        warm_iters = p["lr_warmup_steps"] / gbs
        hint = ""
        if args.get("train_iters") and args.get("lr_decay_iters") and args["lr_decay_iters"] + round(warm_iters) == args["train_iters"]:
            hint = " (lr-decay-iters is train-iters minus the warmup: Megatron's decay span already includes the warmup)"
        yield _field(s, "lr_decay_steps", "lr-decay-iters" if args.get("train_iters") else "lr-decay-samples"), (
            f"the decay ends at iteration {end:,}, so the last {n - end:,} iterations train at min-lr {num(_floor(p))}{hint}; "
            "set the decay span to the run's length to decay until the end"
        )


def _decay_past_run(s: Subject):
    p, n = s.spec.scheduler.params, s.spec.run.total_steps
    if p["lr_decay_style"] in ("constant", "inverse-square-root") or s.trace is None:
        return
    total = int(samples(s.spec)[-1]) + p["increment"]
    if p["lr_decay_steps"] > total:
        yield _field(s, "lr_decay_steps", "lr-decay-iters"), (
            f"the decay span ({p['lr_decay_steps']:,} samples) is longer than the run ({total:,}): the lr never reaches min-lr, "
            f"ending at {num(s.trace.lr[0, -1])}"
        )


def _warmup_fraction(s: Subject):
    args = _args(s)
    if args.get("lr_warmup_fraction") is None:
        return
    p = s.spec.scheduler.params
    decay_iters = p["lr_decay_steps"] / p["increment"]
    if decay_iters != s.spec.run.total_steps:
        yield "megatron.lr-warmup-fraction", (
            f"lr-warmup-fraction {args['lr_warmup_fraction']:g} is a fraction of the decay span ({decay_iters:,.0f} iterations), "
            f"not of the run: the warmup is {p['lr_warmup_steps'] / p['increment']:,.1f} iterations"
        )


def _ramp_drift(s: Subject):
    p = s.spec.scheduler.params
    ramp = p["rampup_batch_size"]
    if ramp is None or not p["lr_warmup_steps"]:
        return
    real = first_after(s.spec, p["lr_warmup_steps"])
    naive = p["lr_warmup_steps"] / p["increment"]
    if abs(real - naive) > max(1.0, 0.01 * naive):
        yield _field(s, "rampup_batch_size", "rampup-batch-size"), (
            f"during the batch-size ramp-up iterations consume fewer samples: the warmup of {p['lr_warmup_steps']:,.0f} samples lasts "
            f"{real:,} iterations, not {naive:,.0f} (= samples / global-batch-size); every phase counted in samples drifts the same way"
        )


def _wsd_default(s: Subject):
    p = s.spec.scheduler.params
    if p["lr_decay_style"] == "WSD" and "megatron" in s.spec.source and "lr_wsd_decay_style" not in _args(s):
        yield "megatron.lr-wsd-decay-style", (
            "WSD anneals with lr-wsd-decay-style exponential unless told (2 x 0.5^r - 1, not linear); the others are linear, cosine, minus_sqrt"
        )


def _wsd_into_warmup(s: Subject):
    p = s.spec.scheduler.params
    if p["lr_decay_style"] == "WSD" and p["lr_decay_steps"] - p["wsd_decay_steps"] < p["lr_warmup_steps"]:
        yield _field(s, "wsd_decay_steps", "lr-wsd-decay-iters"), (
            "the anneal is longer than the decay span after the warmup: it starts inside the warmup, so the lr never stays at its peak"
        )


def _fp16(s: Subject):
    if _args(s).get("fp16"):
        yield "megatron.fp16", (
            "with --fp16, iterations whose gradients overflow are skipped and do not step the scheduler (they still consume samples), "
            "so the schedule lags the samples"
        )


def _floor(p) -> float:
    return p["min_lr"][0] if isinstance(p["min_lr"], tuple) else p["min_lr"]


RULES: tuple[Rule, ...] = (
    Rule("MG101", "flat-tail", "warning", "the decay span ends before the run: the last iterations train at min-lr", _flat_tail),
    Rule("MG102", "decay-past-run", "warning", "the decay span is longer than the run: min-lr is never reached", _decay_past_run),
    Rule("MG103", "warmup-fraction-of-decay", "info", "lr-warmup-fraction is a fraction of the decay span, not of the run", _warmup_fraction),
    Rule("MG104", "rampup-drift", "warning", "a batch-size ramp-up makes phases counted in samples last other iterations", _ramp_drift),
    Rule("MG105", "wsd-exponential-default", "info", "WSD's anneal is exponential unless lr-wsd-decay-style says", _wsd_default),
    Rule("MG106", "wsd-anneal-in-warmup", "warning", "WSD's anneal starts inside the warmup", _wsd_into_warmup),
    Rule("MG107", "fp16-skipped-iterations", "info", "fp16: skipped iterations do not step the scheduler", _fp16),
)
