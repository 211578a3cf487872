"""A corpus of bad inputs and the exact outcome each must have: exit 2 and a message naming the field.

``YAML`` cases are config files (text, or bytes for the binary ones); ``ARGS`` cases are command
lines. The fragments are what a user must see; tests/test_bad_inputs.py runs every case as a user
would, with an existing output file that must survive.
"""

from __future__ import annotations

PLATEAU = "scheduler: {type: plateau}\nrun: {epochs: 5}\n"

# (case id, config file content, fragment of the one-line error)
YAML: list[tuple[str, str | bytes, str]] = [
    # files that are not configs
    ("malformed-yaml", "scheduler: {type: step, step_size: 3\n", "invalid YAML at line 2"),
    ("tab-indentation", "scheduler:\n\ttype: step\n", "invalid YAML at line 2"),
    ("empty-file", "", "is empty"),
    ("only-comments", "# nothing here\n", "is empty"),
    ("non-mapping-list", "- step\n- cosine\n", "a config must be a mapping"),
    ("non-mapping-scalar", "42\n", "a config must be a mapping"),
    ("binary-file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
    ("latin1-file", "name: caf\xe9\nscheduler: cosine\n".encode("latin-1"), "not UTF-8"),
    ("nul-bytes", b"scheduler: cosine\x00\n", "invalid YAML"),
    ("python-object-tag", "scheduler: !!python/object/apply:os.system ['echo hacked']\n", "invalid YAML"),
    ("python-name-tag", "scheduler: !!python/name:os.system\n", "invalid YAML"),
    ("deep-nesting", "scheduler: " + "[" * 5000 + "]" * 5000 + "\n", "invalid YAML: nested too deeply"),
    ("alias-bomb", PLATEAU + "metric:\n  values: [&a [1, 1, 1, 1, 1, 1, 1, 1, 1], &b [*a, *a, *a, *a, *a, *a, *a, *a, *a], "
     "&c [*b, *b, *b, *b, *b, *b, *b, *b, *b], &d [*c, *c, *c, *c, *c, *c, *c, *c, *c], &e [*d, *d, *d, *d, *d, *d, *d, *d, *d], "
     "&f [*e, *e, *e, *e, *e, *e, *e, *e, *e], &g [*f, *f, *f, *f, *f, *f, *f, *f, *f], [*g, *g, *g, *g, *g, *g, *g, *g, *g]]\n",
     "expands to more than 1,000,000 values"),
    ("alias-bomb-in-milestones", "x: &x [1, 2]\ny: &y [*x, *x, *x, *x]\nscheduler: {type: multistep, milestones: *y}\n", "x: unknown key"),
    ("huge-file", "name: x\n" + "# padding\n" * 120_000 + "scheduler: cosine\n", "configs are limited to"),
    # schedulers and keys
    ("unknown-scheduler", "scheduler: {type: cosin}\n", "scheduler.type: unknown scheduler 'cosin' (did you mean 'cosine'?)"),
    ("scheduler-not-string", "scheduler: {type: 3}\n", "scheduler.type: must be a string"),
    ("missing-type", "scheduler: {step_size: 3}\n", "scheduler.type: missing"),
    ("missing-scheduler", "name: nothing\n", "scheduler: missing"),
    ("unknown-top-key", "schedular: cosine\n", "schedular: unknown key (did you mean 'scheduler'?)"),
    ("unknown-key-typo", "scheduler: {type: step, stepsize: 3}\n", "scheduler.stepsize: StepLR has no option 'stepsize' (did you mean 'step_size'?)"),
    ("verbose-key", "scheduler: {type: step, step_size: 3, verbose: true}\n", "scheduler.verbose: was removed"),
    ("last-epoch-resume", "scheduler: {type: step, step_size: 3, last_epoch: 10}\n", "scheduler.last_epoch: only -1"),
    ("missing-required", "scheduler: {type: step}\n", "scheduler.step_size: missing"),
    ("unknown-run-key", "scheduler: cosine\nrun: {epoch: 10}\n", "run.epoch: unknown key (did you mean 'epochs'?)"),
    ("unknown-step-mode", "scheduler: cosine\nrun: {step: batch}\n", "run.step: must be one of epoch, iteration, fractional"),
    ("unknown-optimizer-key", "optimizer: {learning_rate: 0.1}\nscheduler: cosine\n", "optimizer.learning_rate: unknown key"),
    # wrong types
    ("string-number", "scheduler: {type: step, step_size: '10'}\n", "scheduler.step_size: must be an integer"),
    ("float-for-int", "scheduler: {type: step, step_size: 2.5}\n", "scheduler.step_size: must be an integer"),
    ("bool-for-int", "scheduler: {type: step, step_size: true}\n", "scheduler.step_size: must be an integer"),
    ("list-for-float", "scheduler: {type: step, step_size: 3, gamma: [0.5]}\n", "scheduler.gamma: must be a number"),
    ("string-for-bool", "scheduler: {type: onecycle, max_lr: 0.1, three_phase: 'yes please'}\n", "scheduler.three_phase: must be true or false"),
    ("milestones-not-ints", "scheduler: {type: multistep, milestones: [a, b]}\n", "scheduler.milestones[0]: 'a' is not a defined name; a numeric field takes a number, or a name"),
    ("optimizer-not-mapping", "optimizer: 0.1\nscheduler: cosine\n", "optimizer: must be a mapping"),
    ("run-not-mapping", "scheduler: cosine\nrun: 100\n", "run: must be a mapping"),
    ("name-not-string", "name: [a]\nscheduler: cosine\n", "name: must be a string"),
    # zero, negative, NaN, infinity, absurd sizes
    ("zero-step-size", "scheduler: {type: step, step_size: 0}\n", "scheduler.step_size: must be > 0"),
    ("negative-gamma", "scheduler: {type: exponential, gamma: -0.5}\n", "scheduler.gamma: must be > 0"),
    ("zero-epochs", "scheduler: cosine\nrun: {epochs: 0}\n", "run.epochs: must be >= 1"),
    ("negative-steps-per-epoch", "scheduler: cosine\nrun: {steps_per_epoch: -4}\n", "run.steps_per_epoch: must be >= 1"),
    ("nan-lr", "optimizer: {lr: .nan}\nscheduler: cosine\n", "optimizer.lr: must be a finite number"),
    ("inf-gamma", "scheduler: {type: exponential, gamma: .inf}\n", "scheduler.gamma: must be a finite number"),
    ("nan-eta-min", "scheduler: {type: cosine, eta_min: .nan}\n", "scheduler.eta_min: must be a finite number"),
    ("inf-metric-value", PLATEAU + "metric: {values: [1.0, .inf, 1.0, 1.0, 1.0]}\n", "metric.values[1]: must be a number or NaN"),
    ("negative-lr", "optimizer: {lr: -0.1}\nscheduler: cosine\n", "optimizer.lr: must be >= 0"),
    ("absurd-run", "scheduler: cosine\nrun: {epochs: 1000000000, steps_per_epoch: 1000}\n", "lrplot simulates at most"),
    ("too-many-values", "optimizer: {lr: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]}\nscheduler: cosine\nrun: {epochs: 5000000}\n", "lrplot traces at most"),
    ("huge-integer", "scheduler: {type: step, step_size: 100000000000000000000000}\n", "scheduler.step_size: 100000000000000000000000 is too large"),
    # every validation torch itself performs
    ("constant-factor-above-1", "scheduler: {type: constant, factor: 1.5}\n", "scheduler.factor: must be >= 0 and <= 1, got 1.5 (torch raises ValueError)"),
    ("linear-start-zero", "scheduler: {type: linear, start_factor: 0}\n", "scheduler.start_factor: must be > 0 and <= 1"),
    ("linear-end-above-1", "scheduler: {type: linear, end_factor: 2}\n", "scheduler.end_factor: must be >= 0 and <= 1"),
    ("plateau-factor-1", PLATEAU + "scheduler: {type: plateau, factor: 1.0}\n", "scheduler.factor: must be >= 0 and < 1"),
    ("plateau-mode", "scheduler: {type: plateau, mode: mini}\nrun: {epochs: 5}\nmetric: {values: [1, 1, 1, 1, 1]}\n", "scheduler.mode: must be one of min, max, got 'mini' (did you mean 'min'?)"),
    ("plateau-threshold-mode", "scheduler: {type: plateau, threshold_mode: relative}\nrun: {epochs: 5}\nmetric: {values: [1, 1, 1, 1, 1]}\n", "scheduler.threshold_mode: must be one of rel, abs"),
    ("cyclic-mode", "scheduler: {type: cyclic, base_lr: 0.01, max_lr: 0.1, mode: triangle}\n", "scheduler.mode: must be one of triangular"),
    ("onecycle-pct-start", "scheduler: {type: onecycle, max_lr: 0.1, pct_start: 1.5}\n", "scheduler.pct_start: must be >= 0 and <= 1"),
    ("onecycle-anneal", "scheduler: {type: onecycle, max_lr: 0.1, anneal_strategy: cosine}\n", "scheduler.anneal_strategy: must be one of cos, linear"),
    ("onecycle-half-epochs", "scheduler: {type: onecycle, max_lr: 0.1, epochs: 10}\n", "OneCycleLR needs both epochs and steps_per_epoch"),
    ("onecycle-past-total", "scheduler: {type: onecycle, max_lr: 0.1, total_steps: 50}\nrun: {epochs: 10, steps_per_epoch: 10}\n", "scheduler.total_steps: torch raises ValueError"),
    ("warm-restarts-t0", "scheduler: {type: warm_restarts, T_0: 0}\n", "scheduler.T_0: must be > 0"),
    ("warm-restarts-tmult", "scheduler: {type: warm_restarts, T_0: 5, T_mult: 0}\n", "scheduler.T_mult: must be >= 1"),
    ("adam-beta", "optimizer: {betas: [0.9, 1.5]}\nscheduler: cosine\n", "optimizer.betas[1]: must be >= 0 and < 1"),
    ("sgd-negative-momentum", "optimizer: {momentum: -0.9}\nscheduler: cosine\n", "optimizer.momentum: must be >= 0"),
    ("constant-factor-zero-division", "scheduler: {type: constant, factor: 0, total_iters: 3}\nrun: {epochs: 10}\n", "torch raises ZeroDivisionError"),
    # mismatched list lengths
    ("lambda-list-length", "optimizer: {lr: [0.1, 0.2]}\nscheduler: {type: lambda, lr_lambda: ['1', '1', '1']}\n", "scheduler.lr_lambda: has 3 expressions but the optimizer has 2 param groups"),
    ("min-lr-list-length", "optimizer: {lr: [0.1, 0.2]}\nscheduler: {type: plateau, min_lr: [0.0]}\nrun: {epochs: 5}\nmetric: {values: [1, 1, 1, 1, 1]}\n", "scheduler.min_lr: has 1 values but the optimizer has 2"),
    ("max-lr-list-length", "scheduler: {type: onecycle, max_lr: [0.1, 0.2]}\n", "scheduler.max_lr: has 2 values but the optimizer has 1"),
    ("milestones-count", "scheduler: {type: sequential, milestones: [5, 10], schedulers: [linear, cosine]}\n", "scheduler.milestones: 2 milestones for 2 schedulers"),
    ("empty-schedulers", "scheduler: {type: chained, schedulers: []}\n", "scheduler.schedulers: is empty"),
    # composites torch refuses, and nesting
    ("plateau-in-sequential", "scheduler: {type: sequential, milestones: [5], schedulers: [cosine, plateau]}\nmetric: {values: [1]}\n", "scheduler.schedulers[1].type: torch's SequentialLR does not support ReduceLROnPlateau"),
    ("plateau-in-chained", "scheduler: {type: chained, schedulers: [cosine, plateau]}\n", "torch's ChainedScheduler does not support ReduceLROnPlateau"),
    ("fractional-composite", "scheduler: {type: chained, schedulers: [cosine]}\nrun: {step: fractional}\n", "run.step: torch's ChainedScheduler.step() takes no epoch"),
    ("nested-composite-at-milestone", "scheduler: {type: sequential, milestones: [5], schedulers: [cosine, {type: chained, schedulers: [cosine]}]}\nrun: {epochs: 10}\n", "torch raises NotImplementedError"),
    ("nesting-too-deep", "scheduler: " + "{type: chained, schedulers: [" * 12 + "cosine" + "]}" * 12 + "\n", "nested more than 8 deep"),
    ("child-not-mapping", "scheduler: {type: chained, schedulers: [[cosine]]}\n", "scheduler.schedulers[0]: must be a mapping"),
    # expressions that try to escape or blow up
    ("expr-name", "scheduler: {type: lambda, lr_lambda: 'os'}\n", "scheduler.lr_lambda: unknown name 'os'"),
    ("expr-attribute", "scheduler: {type: lambda, lr_lambda: 'epoch.__class__'}\n", "scheduler.lr_lambda: attribute access is not allowed"),
    ("expr-call", "scheduler: {type: lambda, lr_lambda: \"open('/etc/passwd')\"}\n", "scheduler.lr_lambda: function calls must name an allowed function"),
    ("expr-import", "scheduler: {type: lambda, lr_lambda: \"__import__('os').system('true')\"}\n", "scheduler.lr_lambda:"),
    ("expr-dunder", "scheduler: {type: lambda, lr_lambda: '().__class__.__bases__'}\n", "scheduler.lr_lambda:"),
    ("expr-lambda", "scheduler: {type: lambda, lr_lambda: 'lambda: 1'}\n", "scheduler.lr_lambda:"),
    ("expr-huge-power", "scheduler: {type: lambda, lr_lambda: '9 ** 9 ** 9'}\n", "scheduler.lr_lambda:"),
    ("expr-overflow", "scheduler: {type: lambda, lr_lambda: 'exp(epoch * 100)'}\nrun: {epochs: 20}\n", "scheduler.lr_lambda:"),
    ("expr-inf-lr", "scheduler: {type: multiplicative, lr_lambda: '1e10'}\nrun: {epochs: 100}\n", "becomes inf"),
    ("expr-syntax", "scheduler: {type: lambda, lr_lambda: '0.95 **'}\n", "scheduler.lr_lambda: syntax error"),
    ("expr-scale-fn", "scheduler: {type: cyclic, base_lr: 0.01, max_lr: 0.1, scale_fn: 'x.real'}\n", "scheduler.scale_fn: attribute access is not allowed"),
    # metrics and logs
    ("plateau-without-metric", PLATEAU, "metric: ReduceLROnPlateau needs a metric"),
    ("metric-too-short", PLATEAU + "metric: {values: [1.0, 0.9]}\n", "metric.values: 2 values for 5 scheduler steps"),
    ("metric-missing-log", PLATEAU + "metric: {csv: nowhere.csv, column: val_loss}\n", "metric.csv: no such file"),
    ("metric-log-is-binary", PLATEAU + "metric: {csv: out.json, column: val_loss}\n", "metric.column"),
    ("metric-two-sources", PLATEAU + "metric: {values: [1, 1, 1, 1, 1], synthetic: true}\n", "metric: give exactly one of"),
    ("metric-on-step", "scheduler: {type: step, step_size: 3}\nmetric: {values: [1]}\n", "metric: only ReduceLROnPlateau reads metric values"),
    ("metric-synthetic-typo", PLATEAU + "metric: {synthetic: {sed: 3}}\n", "metric.synthetic.sed: unknown key (did you mean 'seed'?)"),
    # issue 10 -- values YAML's constructors cannot make: the field is named, whatever the tag
    ("integer-of-5000-digits", "scheduler: {type: step, step_size: " + "9" * 5000 + "}\n", "scheduler.step_size: an integer of 5000 digits is too large"),
    ("float-tag-on-text", "scheduler: {type: exponential, gamma: !!float abc}\n", "scheduler.gamma: cannot read 'abc' as !!float (line 1, column 39)"),
    ("timestamp-tag-on-text", "name: !!timestamp x\nscheduler: cosine\n", "name: cannot read 'x' as !!timestamp"),
    ("int-tag-in-a-list", "scheduler: {type: multistep, milestones: [3, !!int x]}\n", "scheduler.milestones[1]: cannot read 'x' as !!int"),
    ("binary-tag-not-base64", "name: !!binary abc\nscheduler: cosine\n", "invalid YAML at line 1, column 7: name: failed to decode base64 data"),
    ("tag-on-the-wrong-node", "scheduler: {type: multistep, milestones: !!str [1, 2]}\n", "invalid YAML at line 1, column 42: scheduler.milestones: expected a scalar node"),
    ("date-for-an-integer", "scheduler: {type: step, step_size: 2001-13-45}\n", "scheduler.step_size: must be an integer, got a string '2001-13-45'"),
    ("recursive-anchor", "scheduler: &a {type: chained, schedulers: [*a]}\n", "scheduler.schedulers[0]: contains itself (a recursive YAML anchor)"),
    ("recursive-anchor-in-vars", "vars: &v {a: *v}\nscheduler: cosine\n", "vars.a: contains itself"),
    ("lone-surrogate-name", 'name: "\\ud800"\nscheduler: cosine\n', "name: contains '\\ud800', half of a UTF-16 pair"),
    ("lone-surrogate-group", 'optimizer: {param_groups: [{name: "a\\udfff", lr: 0.1}]}\nscheduler: cosine\n', "optimizer.param_groups[0].name: contains"),
    # numbers beyond a float, in every kind of field
    ("metric-value-beyond-float", PLATEAU + "metric: {values: [1, 1, 1, 1, 1" + "0" * 400 + "]}\n", "metric.values[4]: an integer of 401 digits is too large"),
    ("synthetic-initial-beyond-float", PLATEAU + "metric: {synthetic: {initial: 1" + "0" * 400 + "}}\n", "metric.synthetic.initial: an integer of 401 digits is too large"),
    ("synthetic-every-beyond-float", PLATEAU + "metric: {synthetic: {model: steps, every: 1" + "0" * 400 + "}}\n", "metric.synthetic.every: an integer of 401 digits is too large"),
    ("synthetic-rate-infinite", PLATEAU + "metric: {synthetic: {rate: .inf}}\n", "metric.synthetic.rate: must be a finite number"),
    ("momentum-overflows", "optimizer: {momentum: 0.9}\nscheduler: {type: cyclic, base_lr: 0.1, max_lr: 0.1, base_momentum: 0, max_momentum: 1e10, scale_fn: '1e300', step_size_up: 2}\nrun: {epochs: 5}\n",
     "the momentum of group 'group0' becomes -inf at step 1"),
    # metric logs that name no readable file
    ("metric-path-with-nul", PLATEAU + 'metric: {csv: "log\\0.csv", column: val_loss}\n', "metric.csv: the path contains a NUL byte"),
    ("metric-path-unknown-user", PLATEAU + "metric: {csv: ~no_such_user_lrplot/log.csv, column: val_loss}\n", "metric.csv: '~no_such_user_lrplot/log.csv': there is no user 'no_such_user_lrplot'"),
    ("metric-log-is-a-folder", PLATEAU + "metric: {csv: ., column: val_loss}\n", "is a folder, not a file"),
    ("metric-log-is-dev-zero", PLATEAU + "metric: {csv: /dev/zero, column: val_loss}\n", "metric.csv: /dev/zero is a character device; give a file (or a pipe)"),
    ("metric-log-is-a-terminal-device", PLATEAU + "metric: {csv: /dev/tty, column: val_loss}\n", "metric.csv: /dev/tty is a character device"),
    ("metric-log-path-too-long", PLATEAU + "metric: {csv: " + "x" * 300 + ".csv, column: val_loss}\n", "metric.csv: cannot read"),
    # work bounded before it starts
    ("chained-too-wide", "scheduler: {type: chained, schedulers: [cosine, cosine, cosine]}\nrun: {iterations: 10000000}\n",
     "3 schedulers stepped together (ChainedScheduler children) x 10,000,000 scheduler steps = 30,000,000 updates; lrplot computes at most 20,000,000"),
    ("nested-chains-too-wide", "scheduler: {type: chained, schedulers: [cosine, {type: chained, schedulers: [cosine, cosine, cosine, cosine, cosine]}]}\nrun: {epochs: 5000000}\n",
     "6 schedulers stepped together"),
    ("too-many-schedulers", "scheduler: {type: sequential, milestones: [" + ", ".join(str(i) for i in range(1, 300)) + "], schedulers: [" + ", ".join(["cosine"] * 300) + "]}\n",
     "scheduler.schedulers: 300 schedulers; lrplot simulates at most 256"),
    ("too-many-schedulers-nested", "scheduler: {type: chained, schedulers: [" + ", ".join(["{type: chained, schedulers: [" + ", ".join(["cosine"] * 20) + "]}"] * 13) + "]}\nrun: {epochs: 10}\n",
     "scheduler: 274 schedulers in all (nested ones included); lrplot simulates at most 256"),
    # issue 20 -- finite but huge numbers inside a framework's arithmetic: every derived count is
    # bounded before it is computed, and where the library's own float arithmetic fails, it says so
    *[(f"timm-{sched}-cycle-mul-1e308", f"timm: {{sched: {sched}, epochs: 10, lr_cycle_mul: 1e308}}\n",
       "timm.lr_cycle_mul: t_initial 10 x (lr_cycle_mul 1e+308 ** 1 cycles - 1) / (lr_cycle_mul - 1) is inf in floating point: "
       "timm raises OverflowError (cannot convert float infinity to integer) in get_cycle_length()") for sched in ("cosine", "tanh", "poly")],
    ("timm-cycle-mul-grows-past-the-run", "timm: {sched: cosine, epochs: 10, lr_cycle_mul: 1e10, lr_cycle_limit: 3}\n",
     "timm.lr_cycle_mul: t_initial 10 x (lr_cycle_mul 10,000,000,000 ** 3 cycles - 1) / (lr_cycle_mul - 1) = 1e+21; lrplot simulates at most 10,000,000 steps"),
    ("timm-cycle-limit-past-the-run", "timm: {sched: cosine, epochs: 10, lr_cycle_limit: 3000000000000}\n", "timm.lr_cycle_limit: t_initial 10 x 3000000000000 cycles"),
    ("timm-k-decay-1e18", "timm: {sched: cosine, epochs: 10, lr_k_decay: 1e18}\n",
     "timm.lr_k_decay: timm raises OverflowError (Numerical result out of range) when train.py steps CosineLRScheduler to epoch 5"),
    ("timm-poly-k-decay-1e18", "timm: {sched: poly, epochs: 10, lr_k_decay: 1e18}\n", "timm.lr_k_decay: timm raises OverflowError"),
    ("timm-k-decay-1e18-scheduler", "scheduler: {type: timm.cosine, k_decay: 1e18}\nrun: {epochs: 5}\n", "scheduler.k_decay: timm raises OverflowError"),
    ("timm-wsd-decay-1e308", "timm: {sched: wsd, epochs: 10, decay_epochs: 1e308}\n", "timm.decay_epochs: the decay length (decay_epochs) = 1e+308"),
    *[(f"transformers-{kind}-epochs-1e308", "transformers: {lr_scheduler_type: " + kind + ", num_train_epochs: 1e308, dataset_size: 1000, eval_strategy: epoch"
       + (", lr_scheduler_kwargs: {num_decay_steps: 10}" if kind == "warmup_stable_decay" else "") + "}\n",
       "transformers.num_train_epochs: num_train_epochs 1e+308 x 125 optimizer steps per epoch is inf in floating point: the Trainer raises OverflowError")
      for kind in ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt",
                   "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay", "greedy")],
    ("transformers-epochs-1e18", "transformers: {num_train_epochs: 1e18, dataset_size: 1000}\n",
     "transformers.num_train_epochs: num_train_epochs 1e+18 x 125 optimizer steps per epoch = 1.25e+20; lrplot simulates at most 10,000,000 steps"),
    ("timm-tanh-warmup-past-the-cycles", "scheduler: {type: timm.tanh, t_initial: 1, cycle_mul: 0.1, cycle_limit: 1, warmup_t: 2}\nrun: {epochs: 3}\n",
     "scheduler.cycle_mul: timm raises ValueError (math domain error) while building TanhLRScheduler (its warmup ramps to the lr at t = warmup_t 2"),
    ("timm-tanh-stepped-past-the-cycles", "scheduler: {type: timm.tanh, t_initial: 2, cycle_mul: 0.1, cycle_limit: 1, warmup_t: 2}\nrun: {iterations: 3}\n",
     "scheduler.cycle_mul: timm raises ValueError (math domain error) when train.py steps TanhLRScheduler to update 3: with cycle_mul 0.1 < 1"),
    ("newline-in-a-key", 'scheduler: {type: step, "step_size\\n": 3}\n', "scheduler['step_size\\n']: StepLR has no option 'step_size\\n'"),
    ("number-for-a-key", "scheduler: {type: step, step_size: 3, 7: 3}\n", "scheduler[7]: StepLR has no option 7"),
    ("escape-in-a-name", 'name: "a\\x1b[2Jb"\nscheduler: {type: step}\n', "scheduler.step_size: missing"),
    ("timm-tanh-section-past-the-cycles", "timm: {sched: tanh, epochs: 1, lr_cycle_mul: 0.1, warmup_epochs: 2}\n",
     "timm.lr_cycle_mul: timm raises ValueError (math domain error) while building TanhLRScheduler"),
]

# (case id, command line after `lrplot`, fragment); OUT is replaced by the path of an existing file,
# CONFIGS by the repository's folder of recipes
ARGS: list[tuple[str, list[str], str]] = [
    ("unknown-extension", ["plot", "cosine", "-o", "figure.jpg"], "end it with .png, .svg, .pdf or .html"),
    ("missing-output-folder", ["plot", "cosine", "-o", "no/such/folder/f.png"], "does not exist"),
    ("output-is-folder", ["export", "cosine", "-o", "."], "is a folder"),
    ("output-under-a-file", ["plot", "cosine", "-o", "OUT/f.png"], "does not exist"),
    ("unwritable-output", ["plot", "cosine", "-o", "/proc/lrplot.png"], "--output"),
    ("unknown-flag", ["plot", "cosine", "--T-mux", "3"], "--T-mux: CosineAnnealingLR has no option 'T_mux' (did you mean '--T-max'?)"),
    ("flag-of-another-scheduler", ["plot", "step", "--step-size", "3", "--T-max", "4"], "StepLR has no option 'T_max'; it takes --step-size, --gamma"),
    ("flag-without-value", ["export", "step", "--step-size"], "--step-size: needs a value"),
    ("switch-with-value", ["export", "cyclic", "--base-lr", "0.1", "--max-lr", "1", "--cycle-momentum=3"], "is a switch"),
    ("stray-argument", ["export", "step", "--step-size", "3", "extra"], "unexpected argument 'extra'"),
    ("bad-flag-value", ["plot", "step", "--step-size", "ten"], "is not an integer"),
    ("flag-for-other-scheduler", ["plot", "step", "--step-size", "3", "--eta-min", "0.1"], "--eta-min: StepLR has no option 'eta_min'"),
    ("bad-size", ["plot", "cosine", "--size", "7by4"], "WIDTHxHEIGHT"),
    ("bad-dpi", ["plot", "cosine", "--dpi", "0", "-o", "f.png"], "--dpi: must be between 10 and 1200"),
    ("bad-style", ["plot", "cosine", "--style", "seaborn-dark-ish", "-o", "f.png"], "--style: unknown matplotlib style"),
    ("missing-config-file", ["plot", "configs/none.yaml"], "no such file"),
    ("metric-both", ["plot", "plateau", "--metric", "synthetic", "--metric-csv", "x.csv"], "not both"),
    # issue 10 -- values YAML cannot make, in inline specs and sweeps
    ("inline-float-tag", ["compare", "exponential:gamma=!!float abc"], "cannot read 'abc' as !!float"),
    ("inline-timestamp-tag", ["compare", "step:step_size=!!timestamp x"], "cannot read 'x' as !!timestamp"),
    ("inline-integer-of-5000-digits", ["compare", "step:step_size=" + "9" * 5000], "an integer of 5000 digits is too large"),
    ("inline-recursive-anchor", ["compare", "chained:schedulers=&a [*a]"], "contains itself (a recursive YAML anchor)"),
    ("sweep-float-tag", ["compare", "cosine", "--sweep", "T_max=!!float abc"], "--sweep: cannot read the value '!!float abc'"),
    ("sweep-integer-of-5000-digits", ["compare", "cosine", "--sweep", "T_max=" + "9" * 5000], "an integer of 5000 digits is too large"),
    ("sweep-of-nothing", ["compare", "cosine", "--sweep", "T_max=,,,"], "--sweep: must be KEY=V1,V2"),
    ("metric-flag-unknown-user", ["export", "plateau", "--metric-csv", "~no_such_user_lrplot/log.csv", "--metric-column", "x"], "--metric-csv: '~no_such_user_lrplot/log.csv': there is no user"),
    ("size-with-two-dots", ["plot", "cosine", "--size", "1.2.3x4"], "--size': must be WIDTHxHEIGHT"),
    ("size-of-dots", ["plot", "cosine", "--size", ".x."], "--size': must be WIDTHxHEIGHT"),
    # names too long for a file are scheduler names
    ("scheduler-name-of-300-characters", ["plot", "x" * 300], "scheduler.type: unknown scheduler 'xxxxxxxx"),
    ("compare-spec-of-300-characters", ["compare", "x" * 300], "scheduler.type: unknown scheduler 'xxxxxxxx"),
    ("explain-name-of-300-characters", ["explain", "y" * 300], "unknown scheduler"),
    # output paths, refused before any work and without naming a temporary file
    ("output-trailing-slash", ["export", "cosine", "-o", "newdir/"], "--output: 'newdir/' ends with '/', so it names a folder"),
    ("figure-output-trailing-slash", ["plot", "cosine", "-o", "OUT/"], "ends with '/'"),
    ("output-empty", ["export", "cosine", "-o", ""], "--output: is empty"),
    ("output-name-too-long", ["export", "cosine", "-o", "x" * 300 + ".json"], "--output: cannot write 'xxxx"),
    ("output-under-a-file-for-compare", ["compare", "cosine", "step:step_size=3", "-o", "OUT/f.svg"], "does not exist"),
    ("gallery-output-under-a-file", ["gallery", "CONFIGS", "-o", "OUT/gallery"], "is a file, so folder"),
    ("gallery-output-is-a-file", ["gallery", "CONFIGS", "-o", "OUT"], "is a file"),
    # work bounded before it starts
    ("compare-25-schedules", ["compare", *["cosine"] * 25], "25 schedules; one figure compares at most 24"),
    ("compare-too-many-values", ["compare", "cosine", "step:step_size=3", "exponential:gamma=0.9", "--epochs", "8000000"],
     "the 3 schedules trace 24,000,000 values in all; a comparison traces at most 20,000,000"),
    # issue 20 -- click's usage errors in one Error: line, as everywhere else (no Usage:, Try ..., blank)
    ("usage-resume-at-nan", ["export", "CONFIGS/warmup-cosine.yaml", "--resume-at", "nan"], "Error: Invalid value for '--resume-at': 'nan' is not an integer"),
    ("usage-missing-argument", ["plot"], "Error: Missing argument 'SCHEDULER|CONFIG [SCHEDULER FLAGS]'. See '"),
    ("usage-missing-config", ["verify"], "Error: Missing argument 'CONFIG|RUN_FOLDER'. See '"),
    ("usage-unknown-command", ["plott", "cosine"], "Error: No such command 'plott'."),
    ("usage-unknown-top-option", ["--bogus"], "Error: No such option '--bogus'"),
    ("usage-unknown-option", ["check", "--frmat", "json", "CONFIGS"], "No such option '--frmat'. Did you mean '--format'? See '"),
    ("usage-bad-choice", ["export", "cosine", "--format", "xml"], "Error: Invalid value for '--format': 'xml' is not one of 'json', 'csv'"),
    ("usage-bad-int-range", ["verify", "CONFIGS/warmup-cosine.yaml", "log.csv", "--first-step", "7"], "Error: Invalid value for '--first-step'"),
]

# (case id, what is handed to lrplot.simulate, fragment of the LrplotError): the library's own inputs
LIBRARY: list[tuple[str, object, str]] = [
    ("simulate-none", None, "a config is a mapping in the YAML schema, a Spec, or the path of a YAML file; got nothing"),
    ("simulate-int", 5, "a config is a mapping in the YAML schema, a Spec, or the path of a YAML file; got an integer 5"),
    ("simulate-bytes", b"scheduler: cosine", "got bytes b'scheduler: cosine'"),
    ("simulate-list", ["cosine"], "got a list ['cosine']"),
]

# Inputs that looked bad to a fuzzer but are good: every command must succeed on them.
GOOD: list[tuple[str, str]] = [
    ("sequential-with-one-child", "scheduler: {type: sequential, milestones: [], schedulers: [cosine]}\nrun: {epochs: 5}\n"),
    ("name-like-an-impossible-date", "name: 2001-13-45\nscheduler: cosine\nrun: {epochs: 5}\n"),
    ("name-like-a-date", "name: 2001-12-14\nscheduler: cosine\nrun: {epochs: 5}\n"),
    ("groups-named-like-python", "optimizer: {param_groups: [{name: class, lr: 0.1}, {name: range, lr: 0.2}, {name: optimizer, lr: 0.3}, {name: lambda_lr, lr: 0.1}]}\n"
     "scheduler: {type: lambda, lr_lambda: '0.9 ** epoch'}\nrun: {epochs: 5}\n"),
    ("vars-named-like-python", "vars: {range: 10, torch: 2, i: 3, print: 'range * 2', optimizer: 0.5}\n"
     "scheduler: {type: lambda, lr_lambda: 'min(1, (epoch + 1) / range) * torch / i + print * 0 + optimizer * 0'}\nrun: {epochs: 5}\n"),
]

# ------------------------------------------------------------------------------------------------
# Figures (the figure classes of issue 10). A raster figure too large to draw is refused before
# anything is allocated; the rest are valid inputs that every figure must draw, text shown
# literally, with no warning on stderr: tests/test_figure_inputs.py runs them.

ARGS += [
    ("pixel-bomb", ["plot", "cosine", "--dpi", "1200", "--size", "50x50", "-o", "f.png"], "--dpi/--size: 60,000 x 60,000 pixels is more than"),
    ("pixel-bomb-compare", ["compare", "cosine", "step:step_size=3", "--dpi", "1200", "--size", "50x50", "-o", "f.svg"], "--dpi/--size"),
    ("xlim-outside-the-run", ["plot", "cosine", "--epochs", "10", "--xlim", "20:30", "-o", "f.png"], "--xlim: shows none of"),
    ("xlim-backwards", ["plot", "cosine", "--xlim", "5:2", "-o", "f.png"], "--xlim: the start must be below the end"),
    ("term-with-output", ["plot", "cosine", "--term", "-o", "f.png"], "--term draws in the terminal: leave out -o"),
    ("watch-without-file", ["plot", "cosine", "--watch"], "--watch follows config files"),
    ("x-epoch-without-epochs", ["compare", "cosine", "step:step_size=3", "--iterations", "100", "--x", "epoch"], "--x:"),
]

# (case id, config file content or None, command-line args after the config or scheduler); 130k
# milestones (437 s to mark, once) are in tests/test_figures.py: as YAML their parsing alone is slow.
FIGURE_INPUTS: list[tuple[str, str | None, list[str]]] = [
    ("mathtext-in-name", 'name: "$x$ cost_$ \\\\alpha"\nscheduler: cosine\n', []),
    ("mathtext-in-title", None, ["cosine", "--title", "$\\frac{1}{2}$ and $"]),
    ("mathtext-in-group", "optimizer:\n  param_groups: [{name: $b$, lr: 0.1}, {name: c, lr: 0.01}]\nscheduler: cosine\n", []),
    ("underscore-group", "optimizer:\n  param_groups: [{name: _head, lr: 0.1}, {name: _body, lr: 0.01}]\nscheduler: cosine\n", []),
    ("glyph-missing-from-the-font", "name: 学习率 \U0001d54a\nscheduler: cosine\n", []),
    ("size-narrower-than-margins", None, ["cosine", "--size", "1x4"]),
    ("size-lower-than-margins", None, ["cosine", "--size", "7x0.9"]),
    ("huge-lr", "optimizer: {lr: 1.7e+308}\nscheduler: {type: step, step_size: 10}\n", []),
    ("huge-lr-log", "optimizer: {lr: 1.7e+308}\nscheduler: {type: step, step_size: 10}\n", ["--log"]),
    ("huge-momentum", None, ["onecycle", "--max-lr", "0.1", "--momentum", "1e308", "--epochs", "3", "--steps-per-epoch", "5"]),
    ("huge-metric", "scheduler: {type: plateau, patience: 1}\nrun: {epochs: 5}\nmetric: {values: [1e308, 1e308, 1e308, 1e308, 1e308]}\n", ["--log"]),
    ("denormal-lr", None, ["step", "--step-size", "10", "--lr", "5e-324"]),
    ("denormal-lr-log", None, ["step", "--step-size", "10", "--lr", "5e-324", "--log"]),
    ("log-of-zero", None, ["poly", "--total-iters", "5", "--epochs", "10", "--log"]),
]

# your own code (type: code, FILE.py:NAME): the file, the function, the call, and what cannot be translated
import os as _os  # noqa: E402

CODE = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "fixtures", "code")
NANOGPT = f"{CODE}/nanogpt/train.py"
YAML += [
    ("code-not-a-target", "scheduler: {type: code, function: train.py}\n", "scheduler.function: must be FILE.py:NAME"),
    ("code-no-file", "scheduler: {type: code, function: nowhere.py:get_lr}\n", "nowhere.py"),
    ("code-no-function", f"scheduler: {{type: code, function: '{NANOGPT}:get_learning_rate'}}\n", "has no function 'get_learning_rate'"),
    ("code-call-too-long", f"scheduler: {{type: code, function: '{NANOGPT}:get_lr', call: 'get_lr(step, 3)'}}\n", "passes 2 arguments"),
    ("code-call-other-function", f"scheduler: {{type: code, function: '{NANOGPT}:get_lr', call: 'lr(step)'}}\n", "must call get_lr(...)"),
    ("code-call-unknown-name", f"scheduler: {{type: code, function: '{NANOGPT}:get_lr', call: 'get_lr(foo)'}}\n", "reads 'foo'"),
    ("code-bad-when", f"scheduler: {{type: code, function: '{NANOGPT}:get_lr', when: batch}}\n", "scheduler.when: must be one of"),
    ("code-when-contradicts-step", f"scheduler: {{type: code, function: '{NANOGPT}:get_lr', when: iteration}}\nrun: {{epochs: 3, step: epoch}}\n",
     "is iteration, but run.step is epoch"),
    ("code-fractional", f"scheduler: {{type: code, function: '{NANOGPT}:get_lr'}}\nrun: {{epochs: 3, step: fractional}}\n", "run.step: a function is called"),
    ("code-in-sequential", f"scheduler: {{type: SequentialLR, milestones: [2], schedulers: [{{type: code, function: '{NANOGPT}:get_lr'}}, cosine]}}\n",
     "torch's SequentialLR nests torch schedulers only"),
    ("code-while-loop", f"scheduler: {{type: code, function: '{CODE}/coiltraine/network/optimizer.py:adjust_learning_rate', "
     "set: 'g_conf.LEARNING_RATE=2e-4,g_conf.LEARNING_RATE_DECAY_INTERVAL=5,g_conf.LEARNING_RATE_DECAY_LEVEL=0.5'}\n", "has a while loop"),
    ("code-raises", f"scheduler: {{type: code, function: '{NANOGPT}:get_lr', set: 'lr_decay_iters=2000'}}\nrun: {{iterations: 3000}}\n",
     "train.py:241: "),
    ("var-undefined-in-numeric-field", "scheduler: {type: step, step_size: w}\n", "scheduler.step_size: 'w' is not a defined name"),
    ("var-of-the-run-sizes-the-run", "vars: {n: total_steps}\nrun: {epochs: n}\nscheduler: cosine\n", "run.epochs: the var 'n' uses the run's names"),
]
ARGS += [
    ("code-target-no-function", ["export", f"{NANOGPT}:get_learning_rate", "-o", "OUT"], "has no function 'get_learning_rate'"),
    ("code-target-bad-set", ["export", f"{NANOGPT}:get_lr", "--set", "warmup_iters", "-o", "OUT"], "'warmup_iters' is not NAME=VALUE"),
]

# Terminal sizes no screen has (issue 20): the terminal figure is drawn at most MAX_SIZE and says so.
# (case id, environment, command line after `lrplot`, fragment of the note)
TERMINAL: list[tuple[str, dict[str, str], list[str], str]] = [
    ("lines-of-a-million", {"LINES": "1000000", "COLUMNS": "100"}, ["plot", "cosine", "--term"], "drawn 100 x 300 characters: 100 x 1,000,000 (COLUMNS x LINES) is more than a screen shows"),
    ("columns-of-a-million", {"COLUMNS": "1000000", "LINES": "30"}, ["plot", "cosine", "--term"], "drawn 1000 x 29 characters"),
    ("both-a-million-compare", {"COLUMNS": "1000000", "LINES": "1000000"}, ["compare", "cosine", "step:step_size=3", "--term"], "drawn 1000 x 300 characters"),
    ("both-a-million-grid", {"COLUMNS": "1000000", "LINES": "1000000"}, ["compare", "cosine", "step:step_size=3", "--layout", "grid", "--term"], "drawn 1000 x 300 characters"),
]

# `lrplot check DIR` (issue 20): one finding per line whatever a file is named, and a file inside a
# folder reported as it is when named directly. (case id, files to make: name -> YAML text, or
# ("link", target) for a symbolic link; the line `check` prints for the first of them)
CHECKS: list[tuple[str, dict[str, str | tuple[str, str]], str]] = [
    ("newline-in-name", {"a\nb.yaml": "scheduler: {type: step}\n"}, "'a\\nb.yaml': invalid config: scheduler.step_size: missing"),
    ("tab-in-name", {"a\tb.yaml": "scheduler: {type: linear, start_factor: 0}\n"}, "'a\\tb.yaml': LR001 must be > 0 and <= 1"),
    ("escape-in-name", {"a\x1b[2Jb.yaml": "scheduler: {type: step}\n"}, "'a\\x1b[2Jb.yaml': invalid config"),
    ("line-separator-in-name", {"a\u2028b.yaml": "scheduler: {type: step}\n"}, "'a\\u2028b.yaml': invalid config"),
    ("newline-in-a-key", {"key.yaml": 'scheduler: {type: step, "step_size\\n": 3}\n'}, "key.yaml: invalid config: scheduler['step_size\\n']: StepLR has no option 'step_size\\n'"),
    ("dangling-symlink", {"x.yaml": ("link", "nowhere.yaml")}, "x.yaml: invalid config: x.yaml: is a symbolic link to 'nowhere.yaml', which does not exist"),
    ("symlink-loop", {"loop.yaml": ("link", "loop.yaml")}, "loop.yaml: invalid config: loop.yaml: is a loop of symbolic links"),
    ("symlink-loop-of-two", {"a.yaml": ("link", "b.yaml"), "b.yaml": ("link", "a.yaml")}, "a.yaml: invalid config: a.yaml: is a loop of symbolic links"),
    ("link-to-the-parent-folder", {"ok.yaml": "scheduler: cosine\n", "up": ("link", ".")}, "1 config checked: no findings"),
]

# ------------------------------------------------------------------------------------------------
# Logged runs (issue 20): `lrplot verify PLAN LOG` (and `compare PLAN LOG`) bounded by the plan,
# never by the log; what cannot be read is one Error: line naming the line, what can is judged with
# notes saying what was left out. PLAN is tests/fixtures/plans/torch-warmup-cosine.yaml (96 steps,
# lr 0.01 at step 0); the plan's own lrs, as a run that followed it logs them:
PLAN_LR = [0.010000000000000002, 0.013750000000000002, 0.017499999999999998]


def _crc(data: bytes) -> bytes:
    from lrplot.runlog import _masked_crc32c

    return _masked_crc32c(data).to_bytes(4, "little")


def event_file(points: list[tuple[int, float]], tag: str = "lr") -> bytes:
    """A TensorBoard event file of scalars, framed and encoded by hand (TFRecord; Event and Summary
    protocol buffers), so the corpus needs no TensorBoard to make one."""
    import struct

    def field(number: int, wire: int, payload: bytes) -> bytes:
        return _varint(number << 3 | wire) + payload

    def message(number: int, body: bytes) -> bytes:
        return field(number, 2, _varint(len(body)) + body)

    out = b""
    events = [field(1, 1, struct.pack("<d", 0.0)) + message(3, b"brain.Event:2")]  # file_version
    for step, value in points:
        scalar = message(1, tag.encode()) + field(2, 5, struct.pack("<f", value))
        events.append(field(1, 1, struct.pack("<d", 1.0 + step)) + field(2, 0, _varint(step)) + message(5, message(1, scalar)))
    for data in events:
        header = len(data).to_bytes(8, "little")
        out += header + _crc(header) + data + _crc(data)
    return out


def _varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def _random_bytes(n: int) -> bytes:
    import random

    return random.Random(20).randbytes(n)


_FOLLOWED = [(k, v) for k, v in enumerate(PLAN_LR)]
_D5000 = "9" * 5000

# (case id, file name, content, extra command-line args, expected exit code, fragment of the output)
LOGS: list[tuple[str, str, bytes, list[str], int, str]] = [
    ("stray-step-9999999", "run.csv", b"step,lr\n0,0.01\n9999999,0.01\n", [], 0,
     "1 logged point past the plan's last optimizer step (95), up to step 9,999,999, is left out"),
    ("stray-step-100000", "run.csv", b"step,lr\n0,0.01\n100000,0.01\n", [], 0, "up to step 100,000, is left out"),
    ("rows-past-the-plan", "run.csv", b"step,lr\n" + b"".join(b"%d,%r\n" % (k, v) for k, v in _FOLLOWED) + b"".join(b"%d,0.01\n" % k for k in range(96, 200_000)), [], 0,
     "199,904 logged points past the plan's last optimizer step (95), up to step 199,999, are left out"),
    ("only-steps-past-the-plan", "run.csv", b"step,lr\n500,0.01\n9999999,0.01\n", [], 2,
     "has no step inside the plan: it logs optimizer steps 500..9,999,999, the plan has 0..95"),
    ("stray-step-in-an-event-file", "events.out.tfevents.1.stray", event_file([(0, 0.01), (9_999_999, 0.01)]), [], 0,
     "up to step 9,999,999, is left out"),
    ("integer-of-5000-digits-as-lr", "run.jsonl", ('{"step": 0, "lr": 0.01}\n{"step": 1, "lr": %s}\n' % _D5000).encode(), [], 2,
     "line 2: 'lr' is inf, not a finite lr"),
    ("integer-of-5000-digits-as-step", "run.jsonl", ('{"step": 0, "lr": 0.01}\n{"step": %s, "lr": 0.01}\n' % _D5000).encode(), [], 2,
     "line 2: the step inf is not a whole number"),
    ("integer-of-5000-digits-in-trainer-state", "trainer_state.json",
     ('{"log_history": [{"step": 1, "learning_rate": 0.01}, {"step": %s, "learning_rate": 0.01}]}' % _D5000).encode(), [], 2,
     "entry 2: the step inf is not a whole number"),
    ("json-nested-100000-deep", "run.jsonl", b'{"step": 0, "lr": 0.01}\n' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"\n", [], 2,
     "line 2 is nested too deeply to read"),
    ("trainer-state-nested-100000-deep", "trainer_state.json", b'{"log_history": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", [], 2,
     "is nested too deeply to read"),
    ("lone-surrogate-in-a-name", "run.jsonl", b'{"step": 0, "\\ud800/lr": 0.01}\n{"step": 1, "\\ud800/lr": 0.01375}\n', ["-o", "v.svg"], 0,
     "column '\\ud800/lr'"),
    ("newline-in-a-name", "run.jsonl", b'{"step": 0, "lr\\n": 0.01}\n{"step": 1, "lr\\n": 0.01375}\n', ["-o", "v.svg"], 0, "column 'lr\\n'"),
    ("newline-in-a-missing-name", "run.jsonl", b'{"step": 0, "lr": 0.01}\n', ["--column", "lr\n"], 2, "has no 'lr\\n'"),
    ("lr-of-1e308-in-a-figure", "run.jsonl", b"".join(b'{"step": %d, "lr": %s}\n' % (k, b"1e308" if k == 1 else b"0.01") for k in range(3)), ["-o", "v.svg"], 2,
     "--output: the log's lr 1e+308 at step 1 is beyond 1e+100 times the plan's peak lr"),
    ("random-bytes-as-an-event-file", "events.out.tfevents.1.random", _random_bytes(4000), [], 2,
     "is not a TensorBoard event file: its first record's header does not check out"),
    ("event-file-cut-off", "events.out.tfevents.1.cut", event_file(_FOLLOWED + [(k, 0.01) for k in range(3, 40)])[:-30], [], 1,
     "is cut off: it ends inside record 41"),
    ("event-file-cut-in-its-first-header", "events.out.tfevents.1.short", event_file(_FOLLOWED)[:5], [], 2,
     "holds no whole TensorBoard event: the event file events.out.tfevents.1.short is cut off: it ends inside record 1, at byte 5"),
    ("empty-event-file", "events.out.tfevents.1.empty", b"", [], 2, "holds no whole TensorBoard event: the event file is empty"),
    ("not-utf8-jsonl", "run.jsonl", b'{"step": 0, "lr": 0.01}\n\xff\n', [], 2, "line 2 is not UTF-8 text"),
]
# Cases whose log TensorBoard's own reader must read (skipped where it is not installed).
NEEDS_TENSORBOARD = {"stray-step-in-an-event-file", "event-file-cut-off"}
