"""optax 0.2.8 (``optax.schedules``): a schedule is the optimizer's learning rate, evaluated at its update count.

``records`` (the fourteen schedule functions and their keywords), ``schedules`` (the functions
they return, over numpy arrays in float64 or float32), ``engine``, ``describe``, ``checks`` (OX...
rules), ``code`` and ``reference`` (the real library, for the recorder and the tests).
"""
