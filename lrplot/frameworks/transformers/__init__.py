"""transformers 5.23: every schedule ``get_scheduler`` builds, and the Trainer's arithmetic that sizes it.

``records`` (the schedules and their keywords), ``schedules`` (their lr_lambdas, as the library
computes them and over numpy arrays), ``trainer`` (TrainingArguments -> num_training_steps and
num_warmup_steps), ``replica`` (GreedyLR's state machine), ``engine``, ``describe``, ``code`` and
``reference`` (the real library, for the recorder and the tests).
"""
