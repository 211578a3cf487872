"""Keras 3.15 (``keras.optimizers.schedules``): a schedule is the optimizer's learning rate, evaluated at its iteration count.

``records`` (the six schedules and their keywords), ``schedules`` (their ``__call__``, over numpy
arrays in float64 or float32), ``engine``, ``describe``, ``checks`` (KR... rules), ``code``, ``logs``
(CSVLogger's per-epoch learning_rate) and ``reference`` (the real library, for the recorder and the tests).
"""
