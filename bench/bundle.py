"""The frozen app (dist/clipper, from `make package`): its size, and how fast its window opens.

Prints JSON: the bundle's size (MB on disk, files) and the tarball's, and the time from starting
the process to its window being visible on a virtual display (Xvfb), for the bundle and for
`python -m clipper` from source, the median of --runs runs each (each in a fresh empty home).
Skips (exit 0, with a message) when dist/clipper is missing or Xvfb/xdotool are not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "clipper"
EXE = BUNDLE / "clipper"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
TARBALL = ROOT / "dist" / f"clipper-{VERSION}-linux-{os.uname().machine}.tar.gz"


def size() -> dict[str, float | int | None]:
    """Disk usage of the bundle (as du counts it), its file count, and the tarball's size."""
    used = subprocess.run(["du", "-sk", str(BUNDLE)], capture_output=True, text=True, check=True)
    files = sum(1 for p in BUNDLE.rglob("*") if p.is_file())
    tarball = round(TARBALL.stat().st_size / 1e6, 1) if TARBALL.exists() else None
    return {"bundle_mb": round(int(used.stdout.split()[0]) / 1024, 1), "files": files,
            "tarball_mb": tarball}  # fmt: skip


@contextmanager
def display() -> Iterator[str]:
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def start_to_window(command: list[str], screen: str, timeout: float = 60) -> float:
    """Seconds from starting `command` to its visible window named Clipper, in a fresh home."""
    with tempfile.TemporaryDirectory(prefix="clipper-bench-") as home:
        env = {**os.environ, "DISPLAY": screen, "QT_QPA_PLATFORM": "xcb", "LANG": "C.UTF-8",
               "HOME": home, "XDG_DATA_HOME": f"{home}/data", "XDG_CONFIG_HOME": f"{home}/config",
               "XDG_STATE_HOME": f"{home}/state", "XDG_CACHE_HOME": f"{home}/cache"}  # fmt: skip
        env.pop("CLIPPER_LIBRARY", None)
        started = time.perf_counter()
        app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            while time.perf_counter() - started < timeout:
                found = subprocess.run(
                    ["xdotool", "search", "--onlyvisible", "--name", "^Clipper$"],
                    env=env, capture_output=True, text=True,
                )  # fmt: skip
                if found.stdout.strip():
                    return time.perf_counter() - started
                if app.poll() is not None:
                    raise RuntimeError(f"{command[0]} exited with {app.returncode}")
                time.sleep(0.02)
            raise RuntimeError(f"no window from {command[0]} after {timeout} s")
        finally:
            app.terminate()
            app.wait(15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not EXE.exists():
        print(f"skipped: {EXE.relative_to(ROOT)} is missing (make package builds it)")
        return 0
    figures: dict[str, object] = {"version": VERSION, **size()}
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        figures["window"] = "skipped: needs Xvfb and xdotool"
        print(json.dumps(figures, indent=2))
        return 0
    commands = {"bundle": [str(EXE)], "source": [sys.executable, "-m", "clipper"]}
    with display() as screen:
        for name, command in commands.items():
            runs = [start_to_window(command, screen) for _ in range(args.runs)]
            figures[f"{name}_window_s"] = round(statistics.median(runs), 2)
            figures[f"{name}_runs_s"] = [round(r, 2) for r in runs]
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
