"""Running the code `lrplot code` prints, on the real library, to compare what it trains with."""

from __future__ import annotations

import numpy as np
import pytest


def run_emitted(code: str, raises: str | None = None) -> np.ndarray:
    """The lr each optimizer step of the emitted script trains with (one row per param group).

    ``raises``: the exception class the script ends with (detectron2's hook stepping past the end), checked.
    """
    torch = pytest.importorskip("torch", reason="torch is not installed: running emitted code needs `pip install -e .[reference]`")
    import warnings

    records: list[list[float]] = []
    originals = {cls: cls.step for cls in (torch.optim.SGD, torch.optim.Adam)}

    def recording(original):
        def step(self, *args, **kwargs):
            records.append([float(g["lr"]) for g in self.param_groups])
            return original(self, *args, **kwargs)

        return step

    try:
        for cls, original in originals.items():
            cls.step = recording(original)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exec(compile(code, "<lrplot code>", "exec"), {})  # the test runs lrplot's own output
            except Exception as exc:  # noqa: BLE001
                if type(exc).__name__ != raises:
                    raise
            else:
                assert raises is None, f"the emitted code ran to its end; the library raised {raises}"
    finally:
        for cls, original in originals.items():
            cls.step = original
    return np.array(records).T
