"""`lrplot verify` on a logged run of a million points, against the readers alone, side by side.

    python benchmarks/verify.py [--points 1000000] [--runs 3]

The run: a cosine over 100 epochs of 10,000 steps, stepped per step. Its log is written twice, as
Lightning's CSVLogger writes metrics.csv (an ``lr-SGD`` row per step, a ``train_loss`` row every 50)
and, where the tensorboard package is installed, as a TensorBoard event file (an ``lr`` scalar per
step). Reported, as medians over runs taken in turn so that load on this shared machine hits them
alike: lrplot reading and judging each log (once as logged, once resumed mid-run with a restarted
schedule, which makes it simulate every known mistake), and the ratios against pandas reading the
same CSV and TensorBoard's own reader (EventAccumulator, every point kept) reading the event file.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from lrplot.config import load
from lrplot.engine import simulate
from lrplot.runlog import read_runlog
from lrplot.verify import verify


READER = "TensorBoard's EventAccumulator"


def plan(points: int):
    return load({"name": "bench", "run": {"epochs": 100, "steps_per_epoch": points // 100, "step": "iteration"}, "scheduler": {"type": "cosine"}})


def logs(spec, restart_at: int) -> dict[str, np.ndarray]:
    lr = simulate(spec).lr[0]
    resumed = lr.copy()
    resumed[restart_at:] = lr[: lr.size - restart_at]
    return {"followed": lr, "resumed": resumed}


def write_csv(path: Path, lr: np.ndarray) -> None:
    lines = ["epoch,lr-SGD,step,train_loss"]
    for k, value in enumerate(lr.tolist()):
        lines.append(f",{value!r},{k},")
        if k % 50 == 49:
            lines.append(f"{k // 10000},,{k},0.5")
    path.write_text("\n".join(lines) + "\n")


def write_events(folder: Path, lr: np.ndarray) -> None:
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(folder), max_queue_size=100_000, flush_secs=3600)
    for k, value in enumerate(lr.tolist()):
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="lr", simple_value=value)])
        writer.add_event(event_pb2.Event(wall_time=1.7e9 + k, step=k, summary=summary))
    writer.close()


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spec = plan(args.points)
    series = logs(spec, restart_at=args.points * 6 // 10)
    with_tensorboard = importlib.util.find_spec("tensorboard") is not None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        contenders = {}
        for name, lr in series.items():
            csv_path = folder / f"{name}.csv"
            write_csv(csv_path, lr)
            contenders[f"lrplot verify, CSV {name}"] = lambda p=csv_path: verify(spec, read_runlog(p))
        import pandas

        contenders["pandas.read_csv"] = lambda: pandas.read_csv(folder / "followed.csv")
        if with_tensorboard:
            from tensorboard.backend.event_processing import event_accumulator

            for name, lr in series.items():
                (folder / name).mkdir()
                write_events(folder / name, lr)
                contenders[f"lrplot verify, TensorBoard {name}"] = lambda p=folder / name: verify(spec, read_runlog(p))

            def reader_alone(p=folder / "followed"):
                acc = event_accumulator.EventAccumulator(str(p), size_guidance={event_accumulator.SCALARS: 0})
                acc.Reload()
                return acc.Scalars("lr")

            contenders[READER] = reader_alone
        verdicts = {name: fn() for name, fn in contenders.items() if name.startswith("lrplot")}
        for name, verdict in verdicts.items():
            best = verdict.best.mistake.key if verdict.best else None
            print(f"{name}: {len(verdict.log):,} points, followed={verdict.followed}, explained by {best}, {len(verdict.fits)} mistakes simulated")
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(args.runs):
            for name, fn in contenders.items():
                times[name].append(timed(fn))
    median = {name: statistics.median(t) for name, t in times.items()}
    print(f"\nmedian of {args.runs} runs, {args.points:,} points")
    for name, t in median.items():
        print(f"  {name:<42} {t:8.3f} s")
    print("\nratios")
    for name in median:
        if "CSV" in name:
            print(f"  {name:<42} {median[name] / median['pandas.read_csv']:6.2f} x pandas.read_csv")
        if "TensorBoard " in name:
            print(f"  {name:<42} {median[name] / median[READER]:6.2f} x TensorBoard's reader alone")


if __name__ == "__main__":
    main()
