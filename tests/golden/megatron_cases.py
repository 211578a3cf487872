"""Golden cases for Megatron-LM (recorded by record_megatron.py on megatron-core 0.16.1's
OptimizerParamScheduler, training.py's arithmetic transcribed): every decay style and WSD anneal,
iteration and sample runs, warmup iterations, samples and fractions, the batch-size ramp-up,
decoupled lr, and the argument checks Megatron refuses."""


def _it(**args) -> dict:
    return {"megatron": {"lr": 3e-4, "min-lr": 3e-5, "train-iters": 300, "global-batch-size": 8, **args}}


def _samples(**args) -> dict:
    return {"megatron": {"lr": 1e-3, "min-lr": 1e-5, "train-samples": 100000, "global-batch-size": 256, **args}}


CASES = [
    ("linear-default", _it(**{"lr-warmup-iters": 30})),
    ("cosine-warmup-fraction", _it(**{"lr-decay-style": "cosine", "lr-warmup-fraction": 0.01, "lr-decay-iters": 250})),
    ("cosine-flat-tail", _it(**{"lr-decay-style": "cosine", "lr-warmup-iters": 30, "lr-decay-iters": 270})),
    ("constant-with-warmup", _it(**{"lr-decay-style": "constant", "lr-warmup-iters": 30, "lr-warmup-init": 1e-5})),
    ("inverse-square-root", _it(**{"lr-decay-style": "inverse-square-root", "lr-warmup-iters": 25})),
    ("inverse-square-root-no-warmup", _it(**{"lr-decay-style": "inverse-square-root"})),
    ("wsd-exponential-default", _it(**{"lr-decay-style": "WSD", "lr-warmup-iters": 20, "lr-wsd-decay-iters": 60})),
    ("wsd-linear", _it(**{"lr-decay-style": "WSD", "lr-wsd-decay-style": "linear", "lr-warmup-iters": 20, "lr-wsd-decay-iters": 60})),
    ("wsd-cosine", _it(**{"lr-decay-style": "WSD", "lr-wsd-decay-style": "cosine", "lr-warmup-iters": 20, "lr-wsd-decay-iters": 60})),
    ("wsd-minus-sqrt", _it(**{"lr-decay-style": "WSD", "lr-wsd-decay-style": "minus_sqrt", "lr-warmup-iters": 20, "lr-wsd-decay-iters": 60})),
    ("decoupled-lr", _it(**{"lr-decay-style": "cosine", "lr-warmup-iters": 30, "decoupled-lr": 1e-3, "decoupled-min-lr": 1e-4})),
    ("underscores", {"megatron": {"lr": 6e-5, "min_lr": 6e-6, "lr_decay_style": "cosine", "lr_warmup_iters": 10, "train_iters": 120,
                                  "global_batch_size": 32}}),
    ("samples-linear", _samples(**{"lr-warmup-samples": 5000})),
    ("samples-cosine-decay-samples", _samples(**{"lr-decay-style": "cosine", "lr-warmup-fraction": 0.02, "lr-decay-samples": 80000})),
    ("samples-wsd", _samples(**{"lr-decay-style": "WSD", "lr-wsd-decay-style": "linear", "lr-warmup-samples": 4000, "lr-wsd-decay-samples": 20000})),
    ("rampup-linear", _samples(**{"lr-warmup-samples": 6000, "rampup-batch-size": [32, 32, 40000]})),
    ("rampup-cosine", _samples(**{"lr-decay-style": "cosine", "lr-warmup-samples": 3000, "rampup-batch-size": [16, 48, 30000]})),
    ("rampup-wsd-cosine", _samples(**{"lr-decay-style": "WSD", "lr-wsd-decay-style": "cosine", "lr-warmup-samples": 2000,
                                      "lr-wsd-decay-samples": 25000, "rampup-batch-size": [64, 64, 50000]})),
    ("rampup-inverse-square-root", _samples(**{"lr-decay-style": "inverse-square-root", "lr-warmup-samples": 5000, "rampup-batch-size": [32, 32, 20000]})),
    ("rampup-past-the-run", _samples(**{"lr-decay-style": "cosine", "rampup-batch-size": [32, 32, 200000]})),
    ("gpt3-rampup-with-train-iters", _it(**{"rampup-batch-size": [16, 16, 5859375], "lr-warmup-fraction": 0.001})),
    ("warmup-not-below-decay", _it(**{"lr-warmup-iters": 300})),
    ("wsd-without-anneal-length", _it(**{"lr-decay-style": "WSD", "lr-warmup-iters": 20})),
    ("fraction-and-warmup-iters", _it(**{"lr-warmup-iters": 10, "lr-warmup-fraction": 0.1})),
    ("min-lr-above-lr", _it(**{"min-lr": 1e-3})),
    ("type-iterations", {"optimizer": {"lr": 0.01}, "run": {"iterations": 100},
                         "scheduler": {"type": "megatron.OptimizerParamScheduler", "lr_decay_style": "cosine", "lr_warmup_steps": 10, "min_lr": 0.001}}),
    ("type-samples-rampup", {"optimizer": {"lr": 0.01}, "run": {"iterations": 200},
                             "scheduler": {"type": "megatron.OptimizerParamScheduler", "lr_decay_style": "linear", "lr_warmup_steps": 500,
                                           "increment": 64, "rampup_batch_size": [16, 16, 4000], "init_lr": 0.001}}),
]
