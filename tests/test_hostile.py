"""Hostile and broken inputs, end to end: each gets its outcome, never a crash, hang or blow-up.

Every case goes through the real clip path (fetch -> extract -> library) against a loopback
server, and what is stored is checked for scripts and dangerous links.
"""

from __future__ import annotations

import gzip
import random
import re
import resource
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brotli
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipper.core.clipping import ClipOptions, clip_source
from clipper.core.errors import ClipperError, FetchError, FetchTimeout, NoArticle, NotHTML, TooLarge
from clipper.core.extract import extract_article
from clipper.core.library import Library
from conftest import CORPUS, FIXTURES

PAGES = FIXTURES / "pages"
ARTICLE = (PAGES / "news.html").read_bytes()
Handler = Callable[[Any], None]
OK = None  # the case must give a good clip


class Either(Exception):
    """The case may give a good clip or a clear error: both are fine, anything else is not."""


def _headers(h: Any, status: int = 200, ctype: str = "text/html", **extra: str) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    for name, value in extra.items():
        h.send_header(name.replace("_", "-"), value)
    h.end_headers()


def trickle(server: Any) -> Handler:
    def handle(h: Any) -> None:
        _headers(h)
        while not server.stopping.is_set():
            h.wfile.write(b"<p>a")
            h.wfile.flush()
            time.sleep(0.05)

    return handle


def hang(server: Any) -> Handler:
    return lambda h: server.stopping.wait(30)


def reset(_server: Any) -> Handler:
    def handle(h: Any) -> None:
        import socket
        import struct

        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()

    return handle


def bomb(kind: str) -> Callable[[Any], Handler]:
    def make(_server: Any) -> Handler:
        def handle(h: Any) -> None:
            _headers(h, Content_Encoding=kind)
            spaces = b" " * 1_000_000  # zeros would be refused at once as binary data
            if kind == "gzip":
                packer = zlib.compressobj(9, zlib.DEFLATED, 31)
                h.wfile.write(packer.compress(b"<html><body><p>"))
                for _ in range(1000):  # 1 GB, about 1 MB on the wire
                    h.wfile.write(packer.compress(spaces))
                h.wfile.write(packer.flush())
            else:
                packer = brotli.Compressor(quality=5)
                h.wfile.write(packer.process(b"<html><body><p>"))
                for _ in range(1000):
                    h.wfile.write(packer.process(spaces))
                h.wfile.write(packer.finish())

        return handle

    return make


def huge(_server: Any) -> Handler:
    def handle(h: Any) -> None:
        _headers(h)  # 200 MB with no Content-Length
        chunk = b"<p>" + b"x" * 65_536 + b"</p>"
        for _ in range(200 * 1024 * 1024 // len(chunk)):
            h.wfile.write(chunk)

    return handle


def lying_length(_server: Any) -> Handler:
    def handle(h: Any) -> None:
        _headers(h, Content_Length=str(len(ARTICLE) * 3))
        h.wfile.write(ARTICLE)  # then the connection closes: less than promised

    return handle


def body(data: bytes, ctype: str = "text/html") -> Callable[[Any], Handler]:
    def make(_server: Any) -> Handler:
        def handle(h: Any) -> None:
            _headers(h, ctype=ctype, Content_Length=str(len(data)))
            h.wfile.write(data)

        return handle

    return make


def article_page(paragraphs: str, head: str = "") -> bytes:
    text = (PAGES / "news.html").read_text(encoding="utf-8")
    return (
        text.replace("</head>", f"{head}</head>")
        .replace("<article", paragraphs + "<article", 1)
        .encode()
    )


def redirect(target: str) -> Callable[[Any], Handler]:
    def make(_server: Any) -> Handler:
        return lambda h: _headers(h, status=302, Location=target)

    return make


def loop(server: Any) -> Handler:
    return lambda h: _headers(h, status=302, Location=server.url("/case"))


NESTED = (
    b"<html><body>" + b"<div>" * 100_000 + b"<p>deep</p>" + b"</div>" * 100_000 + b"</body></html>"
)
ONE_LINE = b"<html><body><p>" + b"word " * 3_000_000 + b"</p></body></html>"  # 15 MB, no newline
IFRAMES = article_page(
    "".join(f'<iframe src="https://ads.example/{i}"></iframe>' for i in range(3000))
)
TRICKS = article_page(
    '<p><a href="javascript:alert(1)">click</a> <a href="data:text/html,x">data</a>'
    '<img src="javascript:alert(2)" onerror="alert(3)"><script>alert(4)</script></p>',
    head='<base href="javascript:alert(5)//"><script>document.cookie</script>',
)
PANELS = article_page(  # each answer is checked against the page's text: not 5,000 times over
    "".join(
        f"<h3>Question {i}?</h3><div class='answer' hidden><p>Answer {i}: the council met"
        " again on Tuesday and the members agreed to publish every decision online.</p></div>"
        for i in range(5000)
    )
)
BOM_VS_META = b"\xef\xbb\xbf" + ARTICLE.replace(b'charset="utf-8"', b'charset="windows-1251"')
MIXED = ARTICLE.replace(b"Councillors", "Councillors \u00e9t\u00e9".encode("latin-1"))

CASES: dict[str, tuple[Callable[[Any], Handler], type[Exception] | None]] = {
    "trickle forever": (trickle, FetchTimeout),
    "hang before headers": (hang, FetchTimeout),
    "connection reset": (reset, FetchError),
    "redirect loop": (loop, FetchError),
    "redirect to file:": (redirect("file:///etc/passwd"), FetchError),
    "redirect to data:": (redirect("data:text/html,<p>x</p>"), FetchError),
    "redirect to javascript:": (redirect("javascript:alert(1)"), FetchError),
    "redirect to ftp:": (redirect("ftp://example.com/x"), FetchError),
    "gzip bomb": (bomb("gzip"), TooLarge),
    "brotli bomb": (bomb("br"), TooLarge),
    "200 MB body": (huge, TooLarge),
    "Content-Length that lies": (lying_length, OK),
    "binary junk as text/html": (body(random.Random(1).randbytes(50_000)), NotHTML),
    "zeros as text/html": (body(bytes(100_000)), NotHTML),
    "PDF as text/html": (body(b"%PDF-1.7\n" + b"0" * 5000), NotHTML),
    "PNG as text/html": (body(b"\x89PNG\r\n\x1a\n" + b"0" * 5000), NotHTML),
    "empty body": (body(b""), NoArticle),
    "invalid UTF-8": (body(ARTICLE.replace(b"Councillors", b"Council\xff\xfelors")), OK),
    "mixed encodings": (body(MIXED), OK),
    "BOM contradicting the meta charset": (body(BOM_VS_META), OK),
    "100,000 nested divs": (body(NESTED), Either),
    "15 MB single line": (body(ONE_LINE), Either),
    "50 MB single line": (body(ONE_LINE * 4), TooLarge),
    "thousands of iframes": (body(IFRAMES), OK),
    "5,000 collapsed answers": (body(PANELS), OK),
    "base href, javascript: links, scripts": (body(TRICKS), OK),
}


@pytest.fixture
def library(tmp_path: Path) -> Any:
    lib = Library(tmp_path / "lib.sqlite3")
    yield lib
    lib.close()


_EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
_BAD_LINK = re.compile(r"""(?:href|src)\s*=\s*["']?\s*(?:javascript|data|vbscript):""", re.I)
_BAD_MD_LINK = re.compile(r"\]\(\s*(?:javascript|data|vbscript):", re.I)


def assert_harmless(html: str, *markdown: str) -> None:
    """No scripts, frames, event handlers or script links in HTML (or Markdown links)."""
    lowered = html.lower()
    for bad in ("<script", "<iframe", "<object", "<embed"):
        assert bad not in lowered, bad
    assert not _EVENT_ATTRIBUTE.search(html), _EVENT_ATTRIBUTE.search(html)
    assert not _BAD_LINK.search(html), _BAD_LINK.search(html)
    for text in markdown:
        assert not _BAD_MD_LINK.search(text), _BAD_MD_LINK.search(text)


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_server(name: str, http_server: Any, library: Library) -> None:
    make, outcome = CASES[name]
    http_server.route("/case", make(http_server))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    options = ClipOptions(timeout=3.0)
    if outcome is Either:
        try:
            clip_source(library, http_server.url("/case"), options)
        except ClipperError as exc:
            assert str(exc) and "\n" not in str(exc)
    elif outcome is OK:
        clip = clip_source(library, http_server.url("/case"), options).clip
        stored = library.get(clip.id)
        assert stored.word_count > 50
        assert "\ufffd" not in stored.title
        assert_harmless(stored.html or "", stored.markdown)
    else:
        with pytest.raises(outcome) as caught:
            clip_source(library, http_server.url("/case"), options)
        message = str(caught.value)
        assert message and "\n" not in message and "Traceback" not in message
        assert library.count() == 0  # nothing half-stored
    assert time.monotonic() - start < 45
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 400, f"memory grew by {grown_mb:.0f} MB"


def test_bom_wins_over_a_contradicting_meta(http_server: Any, library: Library) -> None:
    http_server.route("/case", body(BOM_VS_META)(http_server))
    clip = clip_source(library, http_server.url("/case"), ClipOptions(timeout=3)).clip
    assert "Riverside Flood Barrier" in clip.title


def test_tricks_are_neutralised_in_reader_and_exports(
    http_server: Any, library: Library, tmp_path: Path, qapp: Any
) -> None:
    from clipper.core.export.batch import FORMATS, ExportRequest, export_clips
    from clipper.gui.reader import ReaderView

    http_server.route("/case", body(TRICKS)(http_server))
    clip = clip_source(library, http_server.url("/case"), ClipOptions(timeout=3)).clip
    reader = ReaderView()
    reader.show_clip(library.get(clip.id))
    assert_harmless(reader.toHtml())
    for fmt in FORMATS:
        [path] = export_clips(
            library, ExportRequest(ids=[clip.id], format=fmt, combine=tmp_path / f"c.{fmt}")
        )
        if fmt == "md":
            assert_harmless("", path.read_text(encoding="utf-8"))
        if fmt in ("html", "json"):
            assert_harmless(path.read_text(encoding="utf-8"))
        if fmt == "epub":
            import zipfile

            with zipfile.ZipFile(path) as book:
                assert_harmless(
                    " ".join(book.read(n).decode() for n in book.namelist() if n.endswith("html"))
                )


@pytest.mark.parametrize(
    "title",
    ["../../x", "CON", "x" * 300, "\u202egpj.exe", 'a/b\\c:d*e?f"g<h>i|j', "  . ", "NUL.txt"],
)
def test_hostile_titles_stay_inside_the_export_folder(
    title: str, library: Library, tmp_path: Path
) -> None:
    from clipper.core.article import Article
    from clipper.core.export.batch import ExportRequest, export_clips

    text = "Words enough to be an article, repeated. " * 20
    clip = library.add(Article(title=title, html=f"<p>{text}</p>", text=text)).clip
    out = tmp_path / "out"
    for fmt in ("md", "html", "pdf", "epub"):
        [path] = export_clips(library, ExportRequest(ids=[clip.id], format=fmt, folder=out / fmt))
        assert path.parent == out / fmt
        assert len(path.name.encode()) <= 255
        assert "\u202e" not in path.name and path.stem.split(".")[0].upper() not in {"CON", "NUL"}


def _seed_pages() -> list[bytes]:
    pages = [
        (PAGES / n).read_bytes()
        for n in ("news.html", "blog-code.html", "docs.html", "aggregator.html")
    ]
    if (CORPUS / "aeb").is_dir():
        pages += [
            gzip.decompress(f.read_bytes())
            for f in sorted((CORPUS / "aeb" / "html").glob("*.gz"))[:6]
        ]
    return pages


SEEDS = _seed_pages()


def _mutate(data: bytes, rnd: random.Random, rounds: int) -> bytes:
    buf = bytearray(data)
    for _ in range(rounds):
        op, at = rnd.randrange(4), rnd.randrange(max(1, len(buf)))
        if op == 0:
            del buf[at : at + rnd.randrange(1, 400)]
        elif op == 1:
            buf[at:at] = rnd.choice(
                [b"<div>", b"</p>", b"<script>", b"<!--", b"\xff\xfe", b"<table>", b"&#0;", b"\0"]
            )
        elif op == 2:
            start = rnd.randrange(max(1, len(buf)))
            buf[at:at] = buf[start : start + rnd.randrange(1, 2000)]
        else:
            buf[at] = rnd.randrange(256) if buf else 0
    return bytes(buf)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, len(SEEDS) - 1), salt=st.integers(0, 2**32), rounds=st.integers(1, 60))
def test_fuzz_mutated_pages_extract_and_store(
    seed: int, salt: int, rounds: int, tmp_path_factory: Any
) -> None:
    """Mutated real pages: extraction + storage either work or say why; never anything else."""
    from clipper.core.sources import document_from_bytes, html_of

    data = _mutate(SEEDS[seed], random.Random(salt), rounds)
    try:
        doc = document_from_bytes(data, "text/html", "https://fuzz.example/page")
        article = extract_article(html_of(doc), doc.url)
    except ClipperError:
        return  # a clear "no article" or "not a page" is a fine outcome
    with Library(tmp_path_factory.mktemp("fuzz") / "lib.sqlite3") as lib:
        stored = lib.get(lib.add(article, doc).clip.id)
        assert stored.title and (stored.text or "").strip()
        assert_harmless(stored.html or "")
        assert lib.integrity_check() == "ok"
