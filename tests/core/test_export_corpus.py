"""Real pages from ../shared/corpus export to every format (skipped when the corpus is absent)."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from clipper.core.export.batch import FORMATS, ExportRequest, export_clips
from clipper.core.extract import extract_article
from clipper.core.library import Library
from conftest import CORPUS
from support.corpus import wcxb_page

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "wcxb").is_dir(), reason="../shared/corpus is not here"),
]


def words(text: str) -> set[str]:
    return set(re.findall(r"\w{4,}", unicodedata.normalize("NFKC", text).lower()))


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    lib = Library(tmp_path_factory.mktemp("corpus") / "lib.sqlite3")
    files = sorted((CORPUS / "wcxb" / "html").glob("*.html.gz"))[::150][:10]
    for f in files:
        lib.add(extract_article(*wcxb_page(f.name[:-8])), tags=["corpus"])
    return lib


@pytest.mark.parametrize("fmt", FORMATS)
def test_real_pages_export(library: Library, tmp_path: Path, fmt: str) -> None:
    ids = library.all_ids()
    assert len(ids) >= 8
    [combined] = export_clips(
        library, ExportRequest(ids=ids, format=fmt, combine=tmp_path / f"all.{fmt}")
    )
    if fmt != "json":
        each = export_clips(library, ExportRequest(ids=ids, format=fmt, folder=tmp_path / "each"))
        assert len(each) == len(ids)
    clips = library.get_many(ids, body=True)
    if fmt == "pdf":
        text = "\n".join(page.extract_text() for page in PdfReader(combined).pages)
    elif fmt == "epub":
        with zipfile.ZipFile(combined) as book:
            text = " ".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    else:
        text = combined.read_text(encoding="utf-8")
    found = words(text)
    for clip in clips:
        expected = words(clip.text or "")
        share = len(expected & found) / max(1, len(expected))
        assert share > 0.97, (fmt, clip.title, share)
