"""Record the deepspeed golden traces: every config in ``deepspeed_cases.py`` on the real library (see family_recorder.py)."""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]
    from family_recorder import main

    raise SystemExit(main("deepspeed", sys.argv[1:]))
