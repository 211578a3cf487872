"""Megatron-LM (core 0.16.1): ``OptimizerParamScheduler`` stepped in samples, as pretrain_gpt.py steps it.

``records`` (the scheduler and its keywords), ``schedule`` (``get_lr`` as the library computes it and
over numpy arrays, and the samples each iteration consumes, batch-size ramp-up included),
``section`` (the launch arguments -> the schedule training.py builds), ``files`` (a launch script's
argument list, read without running it), ``engine``, ``describe``, ``checks``, ``code``, ``logs``
and ``reference`` (the real library, for the recorder and the tests).
"""
