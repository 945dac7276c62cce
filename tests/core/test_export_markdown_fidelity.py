"""Markdown export is faithful: real YAML front matter, and the body renders back to the text."""

from __future__ import annotations

import datetime
import gzip
import re
import unicodedata
from html import unescape
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from clipper.core.export.markdown import clip_to_markdown, export_markdown_combined
from clipper.core.extract import extract_article
from clipper.core.library import Clip, Library
from clipper.core.markdown import html_to_text
from conftest import CORPUS, FIXTURES

PAGES = FIXTURES / "pages"
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def split(md: str) -> tuple[dict[str, object], str]:
    _, head, body = md.split("---\n", 2)
    return yaml.safe_load(head), body


def stored(tmp_path: Path, html: str, url: str, tags: list[str]) -> Clip:
    lib = Library(tmp_path / "lib.sqlite3")
    clip = lib.add(extract_article(html, url), tags=tags).clip
    clip = lib.get(clip.id)
    lib.close()
    return clip


def check_round_trip(clip: Clip) -> None:
    meta, body = split(clip_to_markdown(clip))
    assert meta["title"] == clip.title
    assert meta["tags"] == clip.tags
    assert meta.get("url") == (clip.url or clip.canonical_url)
    if clip.date:
        assert meta["date"] == datetime.date.fromisoformat(clip.date)  # a real YAML date
    assert isinstance(meta["clipped"], str) and meta["clipped"].endswith("Z")
    rendered = MarkdownIt("commonmark").enable("table").render(body)
    back, original = words(html_to_text(rendered)), words(clip.text or "")
    # every word of the clip comes back, in order (image alt texts may add a few)
    it = iter(back)
    missing = [w for w in original if w not in it]
    assert not missing, missing[:20]
    assert len(back) <= len(original) * 1.05 + 20


@pytest.mark.parametrize("name", ["news.html", "blog-code.html", "docs.html", "aggregator.html"])
def test_fixture_pages_round_trip(tmp_path: Path, name: str) -> None:
    html = (PAGES / name).read_text(encoding="utf-8")
    check_round_trip(stored(tmp_path, html, f"https://example.org/{name}", ["a b", "yes", "2024"]))


def test_tables_and_code_survive(tmp_path: Path) -> None:
    clip = stored(tmp_path, (PAGES / "blog-code.html").read_text(), "https://e.org/b", [])
    _, body = split(clip_to_markdown(clip))
    html = MarkdownIt("commonmark").enable("table").render(body)
    assert "<table>" in html and "<th>" in html
    assert re.search(r'<code class="language-python">', html)
    pattern = re.compile(r"<pre><code[^>]*>(.*?)</code></pre>", re.S)

    def blocks(html_text: str) -> list[str]:
        return [unescape(c).strip() for c in pattern.findall(html_text)]

    assert blocks(clip.html or "") and blocks(clip.html or "") == blocks(html)


def test_combined_file_parses_and_holds_every_clip(tmp_path: Path) -> None:
    clips = [
        stored(tmp_path / str(i), (PAGES / n).read_text(), f"https://e.org/{n}", [])
        for i, n in enumerate(["news.html", "docs.html"])
    ]
    path = export_markdown_combined(clips, tmp_path / "all.md", title="Reading: week 12")
    meta, body = split(path.read_text())
    assert meta == {"title": "Reading: week 12", "clips": 2}
    assert all(f"# {c.title}" in body for c in clips)


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "aeb").is_dir(), reason="../shared/corpus is not here")
def test_real_pages_round_trip(tmp_path: Path) -> None:
    files = sorted((CORPUS / "aeb" / "html").glob("*.html.gz"))[:25]
    for n, f in enumerate(files):
        html = gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
        check_round_trip(stored(tmp_path / str(n), html, f"https://news.example/{f.stem}", ["x"]))
