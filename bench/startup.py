"""Start-up with an empty library: process start to the window shown, and what it imports.

Starts the real app (``clipper.gui.app.main``) in a fresh interpreter several times with
``QT_QPA_PLATFORM=offscreen`` (see window_scale.py for how it is timed) and prints the
median. A further run with ``python -X importtime`` lists the heavy extraction modules
(trafilatura, lxml, htmldate, courlan, justext) that the start path imported; the window
should import none of them until a clip is made.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from window_scale import run_child

HEAVY = ("trafilatura", "lxml", "htmldate", "courlan", "justext", "markdown_it")


def heavy_imports(stderr: str) -> list[str]:
    """Top-level heavy packages named in ``-X importtime`` output."""
    found: set[str] = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip().split(".")[0]
            if name in HEAVY:
                found.add(name)
    return sorted(found)


def slowest_imports(stderr: str, count: int = 8) -> list[tuple[str, float]]:
    """The top-level-most imports with the largest cumulative time, in ms."""
    rows = []
    for line in stderr.splitlines():
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            depth = (len(name) - len(name.lstrip())) // 2
            if depth <= 1:
                rows.append((name.strip(), int(parts[1]) / 1000))
    return sorted(rows, key=lambda r: -r[1])[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "empty.sqlite3"
        run_child("start", library)  # creates the library file; the runs below open it
        runs = [run_child("start", library)["first_rows_s"] for _ in range(args.runs)]
        traced = run_child("start", library, ["-X", "importtime"])
    print(
        json.dumps(
            {
                "window_shown_s_median": round(statistics.median(runs), 3),
                "window_shown_s_runs": runs,
                "heavy_imports": heavy_imports(traced["stderr"]),
                "slowest_imports_ms": slowest_imports(traced["stderr"]),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
