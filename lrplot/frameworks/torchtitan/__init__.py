"""torchtitan (0.3.0): its warmup-stable-decay LambdaLR, stepped after every optimizer step.

``records`` (the schedule and its keywords), ``schedule`` (the build arithmetic and the lambda, as the
library computes them and over numpy), ``section`` (the TOML's tables and 0.3's command-line
overrides), ``files`` (a torchtitan ``.toml`` of releases up to 0.2), ``engine``, ``describe``,
``checks``, ``code``, ``logs`` and ``reference`` (the real library, for the recorder and the tests).
"""
