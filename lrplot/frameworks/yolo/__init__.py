"""YOLO: ultralytics 8.4.x (under each of its three warmup rules) and YOLOv5, transcribed from their training loops.

Neither has a scheduler class: the schedule is a per-epoch ``LambdaLR`` under a per-batch warmup
written inline in the training loop. ``loop`` holds that arithmetic (the warmup's length and the
per-epoch lambda, cited), ``records`` the two schedules as lrplot schedulers, ``section`` the
hyperparameters users have (``yolo:``) and what the trainer derives from them, ``files`` the
``args.yaml``/``opt.yaml``/``hyp.*.yaml`` runs write, ``logs`` their ``results.csv``.
"""
