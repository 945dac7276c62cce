"""`clipper --self-test`: check that this installation (or frozen bundle) really works.

Imports every module, extracts a sample page, checks full-text search, writes a PDF and
checks it has a text layer (a bundle without fonts writes empty PDFs silently), and
reports the keyring backend. Exits non-zero naming every failure.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

import clipper

_PARAGRAPH = (
    "The harbour town of Lindqvist keeps a ledger of every ship that has sheltered in its bay "
    "since the lighthouse was first lit, and the volunteers who look after it say the entries "
    "read like a history of the coast itself, storm by storm and season by season."
)
SAMPLE_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>The ledger of the lighthouse - Clipper Self-Test Gazette</title>
<meta property="og:site_name" content="Clipper Self-Test Gazette">
<meta name="author" content="Maren Holt">
<meta property="article:published_time" content="2024-05-02T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>The ledger of the lighthouse</h1>
{"".join(f"<p>{_PARAGRAPH} Paragraph {n}: зеркало, 灯台, φάρος.</p>" for n in range(6))}
</article>
<footer>Subscribe to our newsletter</footer>
</body></html>"""


def _check_imports() -> str:
    names = [m.name for m in pkgutil.walk_packages(clipper.__path__, "clipper.")]
    for name in names:
        importlib.import_module(name)
    return f"{len(names)} modules"


def _check_extract() -> str:
    from clipper.core.extract import extract_article

    article = extract_article(SAMPLE_PAGE, "https://example.org/ledger")
    if article.title != "The ledger of the lighthouse" or "Lindqvist" not in article.text:
        raise AssertionError(f"extracted the wrong thing: {article.title!r}")
    if "newsletter" in article.text:
        raise AssertionError("the page's footer was kept as article text")
    return f"{article.word_count} words, by {article.author}, {article.date}"


def _check_library_and_pdf(folder: Path) -> list[tuple[str, Callable[[], str]]]:
    from clipper.core.extract import extract_article
    from clipper.core.library import Library

    library = Library(folder / "selftest.sqlite3")
    clip = library.add(
        extract_article(SAMPLE_PAGE, "https://example.org/ledger"), tags=["test"]
    ).clip

    def search() -> str:
        hits = library.search("ledger tag:test").total + library.search("lighthous*").total
        if hits != 2:
            raise AssertionError(f"search found {hits} of 2")
        return "FTS5 search works"

    def pdf() -> str:
        from clipper.core.export.pdf import clip_to_pdf_bytes, pdf_has_text

        data = clip_to_pdf_bytes([library.get(clip.id)])
        if not pdf_has_text(data):
            raise AssertionError("the PDF has no text layer (are fonts installed?)")
        return f"{len(data):,} bytes with text"

    return [("search", search), ("pdf", pdf)]


def _check_keyring() -> str:
    import keyring

    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def run() -> int:
    """Run every check, print one line each, return the exit code."""
    print(f"Clipper {clipper.__version__} self-test ({'frozen' if _frozen() else 'source'})")
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        checks: list[tuple[str, Callable[[], str]]] = [
            ("imports", _check_imports),
            ("extract", _check_extract),
        ]
        try:
            checks += _check_library_and_pdf(Path(tmp))
        except Exception as exc:  # the library itself failed: report, go on with the rest
            checks.append(("library", lambda e=exc: _raise(e)))
        checks.append(("keyring", _check_keyring))
        for name, check in checks:
            try:
                print(f"ok    {name}: {check()}", flush=True)
            except Exception as exc:
                failures.append(name)
                print(f"FAIL  {name}: {type(exc).__name__}: {exc}", flush=True)
                traceback.print_exc(limit=3, file=sys.stderr)
    if failures:
        print(f"self-test failed: {', '.join(failures)}")
        return 1
    print("self-test passed")
    return 0


def _raise(exc: Exception) -> str:
    raise exc


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))
