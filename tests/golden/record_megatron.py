"""Record the megatron golden traces: every config in ``megatron_cases.py`` on the real library (see family_recorder.py)."""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]
    from family_recorder import main

    raise SystemExit(main("megatron", sys.argv[1:]))
