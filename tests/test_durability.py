"""The library keeps its data: kill -9 mid-batch, several writers at once, a full disk, a
read-only file, a damaged file. Real processes on real files.

Run as a script, this module is also the worker those processes run
(``python test_durability.py writer|reader ...``).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clipper.core.article import Article
from clipper.core.errors import ClipperError
from clipper.core.library import Library

CLIPPER = [sys.executable, "-m", "clipper"]


def clipper(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*CLIPPER, *args], capture_output=True, text=True, timeout=120, **kw)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def page_html(i: int, tag: str = "") -> str:
    words = " ".join(f"word{i}x{j}" for j in range(40))
    paras = "".join(f"<p>Paragraph {k} of test article {tag}{i}: {words}.</p>" for k in range(8))
    head = f"<head><title>Test article {tag}{i}</title></head>"
    return (
        f"<html>{head}<body><article><h1>Test article {tag}{i}</h1>{paras}</article></body></html>"
    )


def write_pages(folder: Path, n: int, tag: str = "") -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        f = folder / f"{tag}{i:04}.html"
        f.write_text(page_html(i, tag))
        files.append(str(f))
    return files


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def assert_intact(conn: sqlite3.Connection) -> None:
    """SQLite's full integrity check, and the search index agrees with the clips."""
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO clips_fts(clips_fts) VALUES ('integrity-check')")


def writing(path: Path) -> bool:
    """Whether some connection is inside a write transaction on the library right now."""
    probe = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        probe.close()


def kill_mid_transaction(proc: subprocess.Popen[str], path: Path, deadline: float = 60) -> None:
    """SIGKILL ``proc`` while it holds the library's write lock (inside a transaction)."""
    end = time.monotonic() + deadline
    while not writing(path):
        assert proc.poll() is None, "the command finished before it was caught writing"
        assert time.monotonic() < end
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def make_clips(path: Path, n: int) -> None:
    with Library(path) as lib:
        for i in range(n):
            text = f"Paragraph of clip {i}: " + " ".join(f"w{i}x{j}" for j in range(60))
            lib.add(
                Article(
                    title=f"Clip {i}", html=f"<p>{text}</p>", text=text, url=f"https://e.com/{i}"
                )
            )


# -- kill -9 ---------------------------------------------------------------------------------


def test_sigkill_during_a_batch_tag_of_2000_clips_is_all_or_nothing(tmp_path: Path) -> None:
    lib = tmp_path / "library.sqlite3"
    make_clips(lib, 2000)
    ids = [str(i) for i in range(1, 2001)]
    proc = subprocess.Popen(
        [*CLIPPER, "--library", str(lib), "tag", *ids, "--add", "batch", "--add", "second"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    kill_mid_transaction(proc, lib)
    conn = connect(lib)
    assert_intact(conn)
    tagged = conn.execute(
        "SELECT count(*) FROM clips WHERE tags = ?", ("batch\nsecond",)
    ).fetchone()[0]
    found = conn.execute(
        "SELECT count(*) FROM clips_fts WHERE clips_fts MATCH 'tags:batch'"
    ).fetchone()[0]
    links = conn.execute("SELECT count(*) FROM clip_tags").fetchone()[0]
    assert (tagged, found, links) in ((0, 0, 0), (2000, 2000, 4000))
    conn.close()
    # and the library goes on working: the same command, left alone, tags every clip
    assert clipper("--library", str(lib), "tag", *ids, "--add", "batch").returncode == 0
    conn = connect(lib)
    assert conn.execute("SELECT count(*) FROM clips WHERE tags LIKE 'batch%'").fetchone()[0] == 2000
    conn.close()


def test_sigkill_during_reextract_all_leaves_each_clip_before_or_after(tmp_path: Path) -> None:
    from clipper.core.clipping import clip_document
    from clipper.core.sources import load_file

    lib = tmp_path / "library.sqlite3"
    files = write_pages(tmp_path / "pages", 150)
    with Library(lib) as library:
        for f in files:
            clip_document(library, load_file(Path(f)))
    conn = connect(lib)  # as an older extractor left them: one recognisable old version
    conn.execute(
        "UPDATE clips SET title = 'Old ' || id, text = 'old text', html = '<p>old</p>', "
        "word_count = 2"
    )
    conn.close()
    proc = subprocess.Popen(
        [*CLIPPER, "--library", str(lib), "reextract", "--all"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    conn = connect(lib)
    while conn.execute("SELECT count(*) FROM clips WHERE word_count > 2").fetchone()[0] < 40:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.005)
    kill_mid_transaction(proc, lib)
    assert_intact(conn)
    after = 0
    for clip_id, title, text, html, words in conn.execute(
        "SELECT id, title, text, html, word_count FROM clips"
    ):
        if title == f"Old {clip_id}":
            assert (text, html, words) == ("old text", "<p>old</p>", 2)
        else:
            i = int(title.split()[-1])
            assert title == f"Test article {i}" and words > 300
            assert text.count(f"word{i}x39") == 8 and f"word{i}x39" in html
            after += 1
    assert 40 <= after < 150
    old_in_index = conn.execute(
        "SELECT count(*) FROM clips_fts WHERE clips_fts MATCH 'title:old'"
    ).fetchone()[0]
    assert old_in_index == 150 - after
    conn.close()


# -- several processes at once ---------------------------------------------------------------


def worker_writer(path: str, name: str, n: int) -> None:
    """Add n clips one by one, tagging and marking each in transactions of their own."""
    with Library(path) as lib:
        for i in range(n):
            text = f"Paragraph {i} written by {name}. " * 30
            clip = lib.add(
                Article(
                    title=f"{name} {i}",
                    html=f"<p>{text}</p>",
                    text=text,
                    url=f"https://{name}.example/{i}",
                )
            ).clip
            lib.add_tags([clip.id], [name, "shared"])
            lib.set_read([clip.id])


def worker_reader(path: str, stop: str) -> None:
    """Search in a loop until ``stop`` exists; print what it saw as JSON."""
    totals: list[int] = []
    errors: list[str] = []
    with Library(path) as lib:
        while not os.path.exists(stop):
            try:
                totals.append(lib.search("paragraph", limit=5).total)
                lib.tags()
            except ClipperError as exc:
                errors.append(str(exc))
    print(json.dumps({"totals": totals, "errors": errors}))


def test_three_writers_and_a_reader_at_once_lose_nothing(tmp_path: Path) -> None:
    lib = tmp_path / "library.sqlite3"  # not there yet: all of them create it at once
    stop = tmp_path / "stop"
    me = [sys.executable, __file__]
    procs = [
        subprocess.Popen(
            [
                *CLIPPER,
                "--library",
                str(lib),
                "add",
                *write_pages(tmp_path / t, 200, t),
                "--tag",
                f"cli-{t}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for t in ("a", "b")
    ]
    procs.append(
        subprocess.Popen(
            [*me, "writer", str(lib), "api", "200"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    )
    reader = subprocess.Popen(
        [*me, "reader", str(lib), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0 and err == "", err
    stop.touch()
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0 and err == "", err
    seen = json.loads(out)
    assert seen["errors"] == []
    assert len(seen["totals"]) > 10 and seen["totals"] == sorted(seen["totals"])
    conn = connect(lib)
    assert_intact(conn)
    assert conn.execute("SELECT count(*) FROM clips").fetchone()[0] == 600
    with Library(lib) as library:
        counts = {t.name: t.count for t in library.tags()}
    assert counts == {"cli-a": 200, "cli-b": 200, "api": 200, "shared": 200}
    assert conn.execute("SELECT count(*) FROM clips WHERE read").fetchone()[0] == 200
    assert (
        conn.execute("SELECT count(*) FROM clips_fts WHERE clips_fts MATCH 'paragraph'").fetchone()[
            0
        ]
        == 600
    )
    conn.close()


# -- a full disk, a read-only library ----------------------------------------------------------


def _small_files(limit: int) -> None:
    """In the child: writes past ``limit`` bytes fail with EFBIG, like a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))


def test_a_full_disk_fails_clearly_and_keeps_every_clip_saved_before(tmp_path: Path) -> None:
    lib = tmp_path / "library.sqlite3"
    make_clips(lib, 20)
    files = write_pages(tmp_path / "pages", 40)
    result = subprocess.run(
        [*CLIPPER, "--library", str(lib), "add", *files],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: _small_files(320 * 1024),
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "bug" not in result.stderr
    added = [line for line in result.stdout.splitlines() if line.startswith("Added #")]
    failed = result.stderr.splitlines()
    assert added and failed and len(added) + len(failed) == 40
    for line in failed:
        assert line.startswith("clipper: ") and "The disk is full" in line, line
        assert line.endswith("Nothing was changed.")
    conn = connect(lib)
    assert_intact(conn)
    titles = {t for (t,) in conn.execute("SELECT title FROM clips")}
    assert len(titles) == 20 + len(added)
    assert {line.split(": ", 1)[1] for line in added} <= titles
    conn.close()
    assert not list(tmp_path.glob("backups/.*.part"))  # a backup that failed left nothing


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own temp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="clipper-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(folder)


def as_nobody(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PYTHONDONTWRITEBYTECODE": "1",
        **{f"XDG_{k}_HOME": str(home / k.lower()) for k in ("DATA", "CONFIG", "STATE", "CACHE")},
    }
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    return subprocess.run(
        [*drop, *CLIPPER, *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_a_read_only_library_opens_for_reading_and_refuses_changes(shared_folder: Path) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run Clipper as the unprivileged user nobody")
    home = shared_folder / "home"
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    page = home / "page.html"
    page.write_text(page_html(7))
    folder = shared_folder / "library"
    lib = folder / "library.sqlite3"
    make_clips(lib, 5)
    lib.chmod(0o444)
    folder.chmod(0o555)
    probe = as_nobody("--version", home=home)
    if probe.returncode != 0:
        pytest.skip(f"Clipper cannot run as nobody here: {probe.stderr.strip()[-200:]}")
    before = hashlib.sha256(lib.read_bytes()).hexdigest()

    listed = as_nobody("--library", str(lib), "list", home=home)
    assert listed.returncode == 0, listed.stderr
    assert "5 of 5 clips" in listed.stdout
    for command in (["add", str(page)], ["tag", "1", "--add", "x"], ["rm", "2"]):
        result = as_nobody("--library", str(lib), *command, home=home)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("clipper: ")]
        assert "The library is read-only" in line and "Nothing was changed." in line

    assert hashlib.sha256(lib.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in folder.iterdir()) == ["library.sqlite3"]


# -- a damaged library, end to end ---------------------------------------------------------------


def test_a_damaged_library_names_its_backup_and_restore_brings_it_back(tmp_path: Path) -> None:
    from core.test_backup import corrupt

    lib = tmp_path / "library.sqlite3"
    make_clips(lib, 400)
    assert clipper("--library", str(lib), "list").returncode == 0  # makes the automatic backup
    (backup,) = (tmp_path / "backups").iterdir()
    corrupt(lib)
    result = clipper("--library", str(lib), "search", "paragraph")
    assert result.returncode == 1 and result.stdout == ""
    assert f"clipper: The library {lib} is damaged (" in result.stderr
    restore = f"clipper --library {lib} restore {backup}"
    assert restore in result.stderr
    done = clipper(*restore.split()[1:])
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout
    assert len(list(tmp_path.glob("library.sqlite3.damaged-*[0-9]"))) == 1
    found = clipper("--library", str(lib), "search", "paragraph", "--json")
    assert json.loads(found.stdout)["total"] == 400


if __name__ == "__main__":
    if sys.argv[1] == "writer":
        worker_writer(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "reader":
        worker_reader(sys.argv[2], sys.argv[3])
