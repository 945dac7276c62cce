"""The window over a large library: first rows, search, scrolling and memory, offscreen.

Each measurement starts a fresh interpreter that runs the real start path
(``clipper.gui.app.main``) with ``QT_QPA_PLATFORM=offscreen`` and per-user folders in a
temporary directory. A timer queued before ``main`` fires once the event loop runs (the
window is shown by then); it paints the list, then drives the window as a person would:

- ``first_rows_s``: process start (taken by the parent just before it spawns the child)
  to the list painted with its first rows read from the library;
  ``first_rows_without_checks_s`` is the same with the start-up health check (which reads
  the whole file) and the automatic backup left out, and the window figures below are
  measured that way too;
- ``search_ms``: the search box's query applied to the model and the list repainted, per
  query class (p50 / max over several searches);
- ``scroll``: jumping to the last row, and the longest single step of the UI thread while
  paging through the list (scroll bar moved, rows read, list repainted);
- ``peak_rss_mb``: the child's peak resident memory (VmHWM).

Usage: ``window_scale.py [--clips N] [--library PATH]``: the library that
``library_scale.py`` builds (and keeps in the temp folder) is reused, or built first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_T0 = "CLIPPER_BENCH_T0"
# Set: the child skips the start-up health check (PRAGMA quick_check reads the whole file)
# and the automatic backup, to time the rest of the start path on its own.
_WITHOUT_CHECKS = "CLIPPER_BENCH_WITHOUT_CHECKS"
_SEARCHES = 8  # searches per query class
_SCROLL_STEPS = 60


def child_environment(home: Path, t0: float) -> dict[str, str]:
    """The environment for a child: offscreen Qt, per-user folders under ``home``."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home))
    # As on a user's machine, compiled bytecode is kept and reused (the first run writes
    # it); this workplace turns that off, which would add compiling every module to each
    # start. The cache lives in the temp folder, not in the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "clipper-bench" / "pycache")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env.pop("CLIPPER_LIBRARY", None)
    env[_T0] = repr(t0)
    return env


def run_child(
    mode: str, library: Path, extra: list[str] | None = None, *, checks: bool = True
) -> dict[str, Any]:
    """Run this file in a fresh interpreter in ``mode``; returns the JSON it prints."""
    with tempfile.TemporaryDirectory() as home:
        args = [sys.executable, *(extra or []), str(Path(__file__)), f"--child={mode}"]
        t0 = time.time()
        env = child_environment(Path(home), t0)
        if not checks:
            env[_WITHOUT_CHECKS] = "1"
        done = subprocess.run(
            [*args, "--library", str(library)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"child {mode} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr"] = done.stderr
    return result


# -- the child ------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _paint(window: Any) -> None:
    """Paint the list now, as the next frame would (rows are read from the library).

    ``grab`` renders the widget whether or not the offscreen platform has exposed it.
    """
    window.view.viewport().grab()


def _timed(action: Any) -> float:
    t = time.perf_counter()
    action()
    return (time.perf_counter() - t) * 1000


def _search_times(window: Any, queries: dict[str, list[str]]) -> dict[str, Any]:
    """Search box text -> model -> list painted, per query class."""

    def search(text: str) -> None:
        window.search_field.setText(text)
        window._run_search()  # the debounce timer's slot, called at once
        _paint(window)

    result: dict[str, Any] = {}
    for name, texts in queries.items():
        runs = [_timed(lambda t=t: search(t)) for t in texts]
        result[name] = {
            "p50_ms": round(statistics.median(runs), 1),
            "max_ms": round(max(runs), 1),
            "rows": window.model.rowCount(),
        }
    search("")
    return result


def _scroll_times(window: Any) -> dict[str, Any]:
    """Jump to the last row, then page through the list at random places."""
    bar = window.view.verticalScrollBar()
    to_end = _timed(lambda: (window.view.scrollToBottom(), _paint(window)))
    rng = random.Random(7)
    steps = []
    for _ in range(_SCROLL_STEPS):
        value = rng.randint(0, bar.maximum())
        steps.append(_timed(lambda v=value: (bar.setValue(v), _paint(window))))
    return {
        "to_last_row_ms": round(to_end, 1),
        "step_p50_ms": round(statistics.median(steps), 1),
        "step_max_ms": round(max(steps), 1),
        "rows": window.model.rowCount(),
    }


def _window() -> Any:
    from PySide6.QtWidgets import QApplication

    from clipper.gui.main_window import MainWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            return widget
    raise RuntimeError("no main window is showing")


def _measure(t0: float, mode: str) -> dict[str, Any]:
    window = _window()
    _paint(window)
    result: dict[str, Any] = {
        "first_rows_s": round(time.time() - t0, 3),
        "rows": window.model.rowCount(),
        "rows_read": window.model.cached_rows,
    }
    if mode == "window":
        from library_scale import SEED, make_corpus, query_classes

        classes = query_classes(make_corpus(), random.Random(SEED + 2))
        result["search"] = _search_times(
            window, {name: texts[:_SEARCHES] for name, texts in classes.items()}
        )
        result["scroll"] = _scroll_times(window)
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


def child(mode: str, library: str) -> int:
    """Run the real app's main() and measure once the window is up."""
    t0 = float(os.environ[_T0])
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])  # main() uses the running instance

    def measure_and_quit() -> None:
        try:
            print(json.dumps(_measure(t0, mode)), flush=True)
        finally:
            app.quit()

    QTimer.singleShot(0, measure_and_quit)
    from clipper.gui import app as app_module

    if os.environ.get(_WITHOUT_CHECKS):
        for name in ("_check_health", "_backup_in_background"):
            if not hasattr(app_module, name):
                raise RuntimeError(f"clipper.gui.app has no {name}: update this benchmark")
        app_module._check_health = lambda _path: True  # type: ignore[assignment]
        app_module._backup_in_background = lambda *_args: None  # type: ignore[assignment]
    return app_module.main(["--library", library])


# -- the parent -----------------------------------------------------------------------------


def _remove_partial_backups(library: Path) -> None:
    """Delete the automatic backups the timed starts began and left unfinished when they quit."""
    from clipper.core.backup import backup_folder

    folder = backup_folder(library)
    for part in folder.glob(".*.part*") if folder.is_dir() else ():
        part.unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path)
    parser.add_argument("--clips", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="fresh starts to time")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(HERE))
        return child(args.child, str(args.library))
    from library_scale import build_or_reuse, default_library

    library = args.library or default_library(args.clips)
    build_or_reuse(library, args.clips)
    starts = [run_child("start", library)["first_rows_s"] for _ in range(args.runs)]
    bare = [run_child("start", library, checks=False)["first_rows_s"] for _ in range(args.runs)]
    full = run_child("window", library, checks=False)
    full.pop("stderr", None)
    _remove_partial_backups(library)
    bare.append(full.pop("first_rows_s"))
    full.update(
        first_rows_s=statistics.median(starts),
        first_rows_s_runs=starts,
        first_rows_without_checks_s=statistics.median(bare),
        first_rows_without_checks_s_runs=bare,
    )
    print(json.dumps(full, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
