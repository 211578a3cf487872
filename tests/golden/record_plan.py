"""Record the training-plan golden cases: real torch DataLoader and DistributedSampler lengths.

For a grid of (dataset_size, batch_size, devices, drop_last, grad_accum), build what a plain
PyTorch data-parallel loop builds -- a ``DistributedSampler`` for each rank (``num_replicas`` and
``rank`` given, so no processes are needed; none at all on one device) and a ``DataLoader`` over
it -- then run the accumulation loop that calls ``optimizer.step()`` after every ``grad_accum``
batches, and count. Needs torch 2.13.0 (``pip install -e .[reference]``):

    python tests/golden/record_plan.py           # rewrite tests/golden/plan.json
    python tests/golden/record_plan.py --check   # exit 1 if the committed file differs
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "plan.json"

DATASET_SIZES = (1, 7, 64, 97, 1000, 1281)
BATCH_SIZES = (1, 3, 8, 64)
DEVICES = (1, 2, 3, 8)
GRAD_ACCUM = (1, 2, 4, 5)


def measure(dataset_size: int, batch_size: int, devices: int, drop_last: bool, grad_accum: int) -> dict:
    import torch
    from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

    dataset = TensorDataset(torch.zeros(dataset_size, 1))
    per_rank = []
    for rank in range(devices):
        sampler = DistributedSampler(dataset, num_replicas=devices, rank=rank, shuffle=False) if devices > 1 else None
        loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=drop_last)
        steps = batches = 0
        for i, _ in enumerate(loader):  # the accumulation loop of a plain PyTorch script
            batches += 1
            if (i + 1) % grad_accum == 0:
                steps += 1  # optimizer.step(); optimizer.zero_grad()
        assert batches == len(loader)
        per_rank.append({"samples": len(sampler) if sampler is not None else dataset_size, "batches": batches, "steps": steps})
    assert all(r == per_rank[0] for r in per_rank), "every rank must step alike"
    return per_rank[0]


def record() -> list[dict]:
    import torch

    cases = []
    for n, bs, dev, drop, acc in itertools.product(DATASET_SIZES, BATCH_SIZES, DEVICES, (False, True), GRAD_ACCUM):
        got = measure(n, bs, dev, drop, acc)
        cases.append({"dataset_size": n, "batch_size": bs, "devices": dev, "drop_last": drop, "grad_accum": acc, **got})
    return [{"torch": torch.__version__}, *cases]


def main(argv: list[str]) -> int:
    text = json.dumps(record(), separators=(",", ":")).replace("},{", "},\n{") + "\n"
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text() == text
        print("plan.json is current" if same else "plan.json differs from a fresh recording", file=sys.stderr)
        return 0 if same else 1
    OUT.write_text(text)
    print(f"{len(json.loads(text)) - 1} plan cases written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
