"""DeepSpeed (0.19.8): the schedulers of ``deepspeed/runtime/lr_schedules.py``, stepped as its engine steps them.

``records`` (the five classes and their ``params`` keys), ``schedules`` (each class's lr as the
library computes it and over numpy), ``section`` (a ds_config, alone or beside transformers'
TrainingArguments, the way the Trainer's DeepSpeed integration fills it), ``files`` (a
``ds_config.json`` as it is), ``engine``, ``describe``, ``checks``, ``code``, ``logs`` and
``reference`` (the real engine on CPU, for the recorder and the tests).
"""
