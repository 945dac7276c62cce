"""The CLI as a user runs it: a real process, a real loopback server, real files."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, FIXTURES
from support.pages import write_numbered_articles

PAGES = FIXTURES / "pages"


def run(
    *args: str, stdin: bytes | None = None, check: int | None = 0
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "clipper", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check is not None:
        assert result.returncode == check, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result


def jsons(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def served(http_server: Any) -> Any:
    for name in ("news.html", "blog-code.html", "docs.html", "aggregator.html", "login.html"):
        http_server.page(f"/{name}", (PAGES / name).read_bytes())
    http_server.page("/sjis", (PAGES / "shift_jis.html").read_bytes(), content_type="text/html")
    http_server.page(
        "/cp1251", (PAGES / "windows-1251.html").read_bytes(), content_type="text/html"
    )
    http_server.page("/report.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    http_server.redirect("/moved", "/news.html?utm_source=newsletter")
    return http_server


def test_add_search_tag_show_export_from_urls(served: Any, tmp_path: Path) -> None:
    out = run(
        "add", served.url("/news.html"), served.url("/blog-code.html"), "--tag", "Reading", "--json"
    )
    added = jsons(out.stdout)
    assert [c["status"] for c in added] == ["added", "added"]
    news = added[0]
    expected = json.loads((PAGES / "expected.json").read_text())["news.html"]
    assert news["title"] == expected["title"]
    assert news["date"] == expected["date"]
    assert news["tags"] == ["Reading"]
    for key in (
        "id",
        "url",
        "canonical_url",
        "author",
        "site",
        "language",
        "description",
        "image",
        "word_count",
        "created",
        "text",
        "html",
        "markdown",
    ):
        assert key in news
    # same article again, via a redirect with tracking parameters: updated, not duplicated
    again = jsons(run("add", served.url("/moved"), "--json").stdout)[0]
    assert again["status"] == "updated" and again["id"] == news["id"]
    assert "already in the library" in run("add", served.url("/news.html")).stdout

    word = expected["first_paragraph"].split()[3].strip(".,;:")
    found = jsons(run("search", word, "--json").stdout)[0]
    assert found["total"] >= 1 and found["clips"][0]["id"] == news["id"]
    assert run("search", word).stdout.count("[") >= 1  # highlighted snippet

    run("tag", str(news["id"]), "--add", "press", "--add", "2024", "--remove", "reading")
    listed = jsons(run("list", "--query", "tag:press", "--json").stdout)[0]
    assert [c["id"] for c in listed["clips"]] == [news["id"]]
    assert set(listed["clips"][0]["tags"]) == {"press", "2024"}
    tags = jsons(run("tags", "--json").stdout)[0]
    assert {t["name"]: t["count"] for t in tags} == {"2024": 1, "press": 1, "Reading": 1}

    md = run("show", str(news["id"]), "--format", "md").stdout
    assert md.startswith("---\ntitle: ") and "tags:\n  - " in md
    text = run("show", str(news["id"])).stdout
    assert expected["first_paragraph"][:40] in " ".join(text.split())

    out_dir = tmp_path / "export"
    run("export", str(news["id"]), "--format", "md", "--out", str(out_dir))
    run("export", "--all", "--out", str(out_dir))
    names = sorted(p.name for p in out_dir.iterdir())
    assert len(names) == 3 and any("(2)" in n for n in names)


def test_encodings_over_http(served: Any) -> None:
    sjis = jsons(run("add", served.url("/sjis"), "--json").stdout)[0]
    ru = jsons(run("add", served.url("/cp1251"), "--json").stdout)[0]
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", sjis["text"])
    assert re.search(r"[\u0410-\u044f]{4}", ru["text"])
    assert "\ufffd" not in sjis["text"] + ru["text"]


def test_clear_errors_and_exit_codes(served: Any, tmp_path: Path) -> None:
    r = run("add", served.url("/login.html"), check=1)
    assert f"No article found at {served.url('/login.html')}" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = run("add", served.url("/report.pdf"), check=1)
    assert "PDF" in r.stderr
    r = run("add", served.url("/missing"), check=1)
    assert "404" in r.stderr
    r = run("add", str(tmp_path / "nope.html"), check=1)
    assert "nope.html" in r.stderr
    assert run("show", "12345", check=1).stderr.startswith("clipper: There is no clip #12345")
    assert run("show", "abc", check=2).stderr
    assert run("frobnicate", check=2).stderr
    assert run("tag", "1", check=2).stderr
    # nothing half-stored by the failures
    assert jsons(run("info", "--json").stdout)[0]["clips"] == 0


def test_keep_as_link(served: Any) -> None:
    clip = jsons(run("add", served.url("/login.html"), "--keep-as-link", "--json").stdout)[0]
    assert clip["kind"] == "link" and clip["url"] == served.url("/login.html")


def test_timeout_option(http_server: Any) -> None:
    def trickle(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        while not http_server.stopping.is_set():
            handler.wfile.write(b"<p>a</p>")
            handler.wfile.flush()
            time.sleep(0.2)

    http_server.route("/slow", trickle)
    start = time.monotonic()
    r = run("--timeout", "1.5", "add", http_server.url("/slow"), check=1)
    assert time.monotonic() - start < 10
    assert "took longer" in r.stderr or "timed out" in r.stderr.lower() or "seconds" in r.stderr


def test_files_stdin_and_extract(tmp_path: Path) -> None:
    files = [PAGES / "saved.mhtml", PAGES / "note.txt", PAGES / "note.md"]
    added = jsons(run("add", *map(str, files), "--json").stdout)
    assert [c["kind"] for c in added] == ["article", "text", "text"]
    assert added[0]["url"].startswith("http")
    uri = (PAGES / "docs.html").resolve().as_uri()
    assert jsons(run("add", uri, "--json").stdout)[0]["status"] == "added"
    html = (PAGES / "blog-code.html").read_bytes()
    piped = jsons(
        run("add", "-", "--url", "https://blog.example.org/post", "--json", stdin=html).stdout
    )[0]
    assert piped["url"] == "https://blog.example.org/post"
    lines = jsons(
        run(
            "extract",
            str(PAGES / "news.html"),
            str(PAGES / "login.html"),
            "--format",
            "json",
            check=1,
        ).stdout
    )
    assert set(lines[0]) >= {
        "source",
        "url",
        "title",
        "author",
        "date",
        "site",
        "language",
        "text",
        "word_count",
    }
    assert "error" in lines[1]
    assert jsons(run("info", "--json").stdout)[0]["clips"] == 5  # extract stored nothing


def test_info_reextract_rm_and_library_option(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "my.sqlite3"
    run("--library", str(other), "add", str(PAGES / "news.html"))
    info = jsons(run("--library", str(other), "info", "--json").stdout)[0]
    assert info["library"] == str(other) and info["clips"] == 1 and info["library_bytes"] > 0
    assert info["trafilatura"] != "not installed"
    plain = run("--library", str(other), "info").stdout
    assert "data dir" in plain and "clips" in plain
    assert "1 clips" in run("--library", str(other), "reextract", "--all").stdout.replace(
        "Re-extracted ", ""
    )
    assert "Deleted 1 clip" in run("--library", str(other), "rm", "1").stdout
    assert (
        jsons(run("info", "--json").stdout)[0]["clips"] == 0
    )  # the default library is another file


@pytest.mark.skipif(not (CORPUS / "aeb").is_dir(), reason="../shared/corpus is not here")
def test_real_pages_from_the_corpus(http_server: Any) -> None:
    import gzip

    truth = json.loads((CORPUS / "aeb" / "ground-truth.json").read_text())
    ids = sorted(truth)[:5]
    for page_id in ids:
        http_server.page(
            f"/{page_id}",
            gzip.decompress((CORPUS / "aeb" / "html" / f"{page_id}.html.gz").read_bytes()),
        )
    added = jsons(run("add", *[http_server.url(f"/{i}") for i in ids], "--json").stdout)
    assert len(added) == 5 and all(c["word_count"] > 50 for c in added)
    for clip, page_id in zip(added, ids, strict=True):
        reference = truth[page_id]["articleBody"].split()
        middle = " ".join(reference[len(reference) // 2 : len(reference) // 2 + 6])
        assert middle in " ".join(clip["text"].split()), page_id
        word = max(reference[:40], key=len).strip(".,;:\"'\u201c\u201d\u2019")
        hits = jsons(run("search", word, "--json", "--limit", "100").stdout)[0]["clips"]
        assert clip["id"] in [h["id"] for h in hits]


@pytest.mark.slow
def test_sigkill_while_adding_loses_nothing_reported(tmp_path: Path) -> None:
    files = write_numbered_articles(tmp_path / "pages", 200)
    lib = tmp_path / "lib.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "clipper", "--library", str(lib), "add", *files, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    reported = []
    for line in proc.stdout:
        reported.append(json.loads(line))
        if len(reported) == 60:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    conn = sqlite3.connect(lib)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("SELECT count(*) FROM clips").fetchone()[0]
    assert 60 <= stored < 200
    for clip in reported:
        i = int(clip["title"].split()[-1])
        row = conn.execute(
            "SELECT c.title, c.text, length(p.body) FROM clips c JOIN pages p ON p.clip_id = c.id "
            "WHERE c.id = ?",
            (clip["id"],),
        ).fetchone()
        assert row is not None and row[0] == f"Test article {i}"
        assert row[1].count(f"word{i}x39") == 8 and row[2] > 0
    fts = conn.execute(
        "SELECT count(*) FROM clips_fts WHERE clips_fts MATCH 'paragraph'"
    ).fetchone()[0]
    assert fts == stored
    conn.close()


def test_self_test_passes_from_source() -> None:
    r = run("--self-test")
    assert r.stdout.splitlines()[-1] == "self-test passed"
    for name in ("imports", "extract", "search", "pdf", "keyring"):
        assert f"ok    {name}: " in r.stdout


def test_every_command_is_routed_to_the_cli() -> None:
    from clipper.cli import COMMANDS, build_parser

    subparsers = next(a for a in build_parser()._actions if a.dest == "==SUPPRESS==" and a.choices)
    assert set(subparsers.choices) <= COMMANDS


def test_export_every_format_and_restore_a_backup(tmp_path: Path) -> None:
    pages = [PAGES / n for n in ("news.html", "blog-code.html", "windows-1251.html")]
    run("add", *map(str, pages), "--tag", "week 12")
    out = tmp_path / "out"
    for fmt in ("md", "html", "epub", "pdf"):
        run("export", "--tag", "week 12", "--format", fmt, "--out", str(out / fmt))
        assert len(list((out / fmt).glob(f"*.{fmt}"))) == 3, fmt
        combined = tmp_path / f"all.{fmt}"
        r = run(
            "export", "--all", "--format", fmt, "--combine", str(combined), "--title", "Week 12"
        )
        assert combined.stat().st_size > 1000 and str(combined) in r.stdout
    pdf_text = (
        subprocess.run(
            ["pdftotext", str(tmp_path / "all.pdf"), "-"], capture_output=True, text=True
        ).stdout
        if shutil.which("pdftotext")
        else "Week 12"
    )
    assert "Week 12" in pdf_text
    run("export", "--all", "--format", "json", "--out", str(out))
    [backup] = out.glob("clipper-backup-*.json")
    other = tmp_path / "restored.sqlite3"
    r = run("--library", str(other), "import-json", str(backup))
    assert "3 added" in r.stdout
    restored = jsons(run("--library", str(other), "list", "--json").stdout)[0]
    assert sorted(c["title"] for c in restored["clips"]) == sorted(
        c["title"] for c in jsons(run("list", "--json").stdout)[0]["clips"]
    )
    assert all(c["tags"] == ["week 12"] for c in restored["clips"])
    assert run("export", "--all", "--format", "json", check=2).stderr  # neither --out nor --combine
