"""Bulk adds: worker processes extract, this process stores, results in the given order."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clipper.core.bulk import ExtractorPool, clip_many
from clipper.core.clipping import ClipOptions, extract
from clipper.core.library import Library
from clipper.core.sources import load_file
from support.pages import write_numbered_articles

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
ARTICLES = ["news.html", "blog-code.html", "docs.html", "shift_jis.html", "windows-1251.html"]


def _clips(path: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT title, author, text, date FROM clips ORDER BY id").fetchall()


def test_many_sources_in_order_same_clips_as_one_by_one(tmp_path: Path) -> None:
    missing = tmp_path / "gone.html"
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.4 not a page")
    sources = [str(PAGES / name) for name in ARTICLES]
    sources[2:2] = [str(missing), str(binary)]
    sources.append(str(PAGES / "news.html"))  # the same page twice: updated, not duplicated

    results = {}
    for workers in (1, 2):
        path = tmp_path / f"lib{workers}.sqlite3"
        with Library(path) as lib:
            items = list(clip_many(lib, sources, ClipOptions(tags=["batch"]), workers=workers))
            tags = {t.name: t.count for t in lib.tags()}
        results[workers] = (items, _clips(path), tags)
    items, clips, tags = results[2]
    assert [i.source for i in items] == sources
    statuses = [i.result.status if i.result else "error" for i in items]
    assert statuses == ["added", "added", "error", "error", "added", "added", "added", "updated"]
    assert "gone.html" in (items[2].error or "")
    assert items[3].error and "scan.pdf" in items[3].error
    assert items[-1].result is not None and items[0].result is not None
    assert items[-1].result.clip.id == items[0].result.clip.id
    assert len(clips) == 5 and tags == {"batch": 5}
    # Extraction in another process gives exactly the clips extraction here gives.
    assert results[1][1] == clips
    assert [i.error for i in results[1][0]] == [i.error for i in items]


def test_a_dead_worker_costs_nothing_but_a_retry(tmp_path: Path) -> None:
    doc = load_file(PAGES / "news.html")
    expected = extract(doc)
    with ExtractorPool(workers=1) as pool:
        assert pool.extract(doc).text == expected.text
        for pid in list(pool._pool._processes):  # type: ignore[union-attr]
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        assert pool.extract(doc).text == expected.text  # a fresh pool took over


@pytest.mark.slow
def test_killed_clipper_leaves_no_workers_behind(tmp_path: Path) -> None:
    files = write_numbered_articles(tmp_path / "pages", 150)
    marker = tmp_path / "marker-path"  # shows up in the fork server's command line
    marker.mkdir()
    env = {**os.environ, "PYTHONPATH": f"{marker}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    lib = tmp_path / "lib.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "clipper", "--library", str(lib), "add", *files, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    for _ in range(10):
        proc.stdout.readline()
    assert _processes_mentioning(str(marker)), "no worker processes were started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _processes_mentioning(str(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning(str(marker)) == []


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline and "forkserver" in cmdline:
                found.append(int(entry.name))
    return found
