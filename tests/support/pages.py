"""Numbered article pages written for the tests, for runs that add many files at once."""

from __future__ import annotations

from pathlib import Path


def numbered_article(i: int) -> str:
    """Article ``i``: title "Test article i", 8 paragraphs each holding word{i}x0..x39."""
    words = " ".join(f"word{i}x{j}" for j in range(40))
    paras = "".join(f"<p>Paragraph {k} of test article {i}: {words}.</p>" for k in range(8))
    head = f"<head><title>Test article {i}</title></head>"
    return f"<html>{head}<body><article><h1>Test article {i}</h1>{paras}</article></body></html>"


def write_numbered_articles(folder: Path, count: int) -> list[str]:
    """``count`` numbered articles as a00N.html files in ``folder``; their paths, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(count):
        path = folder / f"a{i:03}.html"
        path.write_text(numbered_article(i), encoding="utf-8")
        files.append(str(path))
    return files
