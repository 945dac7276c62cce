"""PDF export: real PDFs read back with pypdf and poppler's tools; nothing mocked."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest

from clipper.core.article import Article
from clipper.core.errors import ClipperError
from clipper.core.export.common import ExportCancelled
from clipper.core.export.pdf import (
    PAGE_SIZES,
    clip_to_pdf_bytes,
    default_page_size,
    export_pdf,
    export_pdf_combined,
    pdf_has_text,
)
from clipper.core.extract import article_from_document
from clipper.core.library import Clip, Library
from clipper.core.sources import load_file

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
SRC = Path(__file__).resolve().parents[2] / "src"
FOOTER = re.compile(r"^\d+\s*/\s*\d+$")
WORDS = re.compile(r"\w+")

CYRILLIC = (
    "Москва — столица России и крупнейший город страны. Город стоит на реке Москве. "
    "История Москвы насчитывает более восьми столетий."
)
CJK = "北京是中华人民共和国的首都，也是全国的政治和文化中心。这座城市有三千多年的历史。"  # noqa: RUF001
ARABIC = "القاهرة هي عاصمة جمهورية مصر العربية وأكبر مدنها، وتقع على ضفاف نهر النيل."
HEBREW = "ירושלים היא עיר עתיקה בהרי יהודה, ומהערים העתיקות בעולם."
GREEK = "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας και μία από τις αρχαιότερες πόλεις."  # noqa: RUF001


def needs(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (poppler-utils / qpdf)")


@pytest.fixture(autouse=True)
def _gui_app(qapp: Any) -> None:
    """The session's QApplication (pytest-qt), which the export reuses like the window's."""


# --- building clips ------------------------------------------------------------------


class Clips:
    """Clips stored in one real library for the whole module."""

    def __init__(self, folder: Path) -> None:
        self.library = Library(folder / "l.sqlite3")
        self._pages: dict[str, Clip] = {}

    def add(self, title: str, paragraphs: list[str], **kw: Any) -> Clip:
        html = "".join(f"<p>{p}</p>" for p in paragraphs)
        tags = kw.pop("tags", ())
        kw.setdefault("url", f"https://example.org/{len(self.library.all_ids())}")
        article = Article(title=title, html=html, text="\n\n".join(paragraphs), **kw)
        return self.library.get(self.library.add(article, tags=tags).clip.id)

    def page(self, name: str) -> Clip:
        if name not in self._pages:
            article = article_from_document(load_file(PAGES / name))
            added = self.library.add(article, tags=["research", "to read"])
            self._pages[name] = self.library.get(added.clip.id)
        return self._pages[name]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clips]:
    made = Clips(tmp_path_factory.mktemp("pdf-library"))
    yield made
    made.library.close()


def words(n: int, seed: str = "river") -> list[str]:
    """Paragraphs of plain English, about ``n`` words in all."""
    sentence = f"The {seed} barrier keeps the waterfront dry when storms push the sea upstream. "
    per = len(sentence.split())
    paragraphs, count = [], 0
    while count < n:
        paragraphs.append(sentence * 6)
        count += per * 6
    return paragraphs


# --- reading PDFs back -----------------------------------------------------------------


def page_texts(data: bytes) -> list[str]:
    """The text of each page: pdftotext when installed, else pypdf."""
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode("utf-8")
        return out.split("\f")[: len(pypdf.PdfReader(io.BytesIO(data)).pages)]
    # pypdf separates words that Qt placed one by one with tabs.
    return [p.extract_text().replace("\t", " ") for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def contains_words(text: str, part: str) -> bool:
    """Whether the words of ``part`` appear in ``text`` in order (see norm_words).

    pypdf, the fallback reader, sometimes splits a word in monospaced text, so without
    pdftotext the comparison ignores spaces.
    """
    haystack, needle = f" {norm_words(text)} ", f" {norm_words(part)} "
    if shutil.which("pdftotext") is None:
        haystack, needle = haystack.replace(" ", ""), needle.replace(" ", "")
    return needle in haystack


def norm_words(text: str) -> str:
    """NFKC-normalised words joined by single spaces (PDFs split ligatures and bullets)."""
    return " ".join(WORDS.findall(unicodedata.normalize("NFKC", text).casefold()))


def body_text(data: bytes, title: str) -> str:
    """All pages' text without page furniture (page numbers, the running title)."""
    kept: list[str] = []
    for index, page in enumerate(page_texts(data)):
        for line in (line.strip() for line in page.splitlines()):
            running_title = index > 0 and line and title.startswith(line.rstrip("…"))
            if line and not FOOTER.match(line) and not running_title:
                kept.append(line)
    return "\n".join(kept)


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


# --- content -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["news.html", "blog-code.html", "docs.html"])
def test_every_paragraph_title_and_url_are_in_the_pdf(clips: Clips, name: str) -> None:
    clip = clips.page(name)
    data = clip_to_pdf_bytes([clip])
    assert data.startswith(b"%PDF-") and pdf_has_text(data)
    text = body_text(data, clip.title)
    assert contains_words(text, clip.title)
    assert clip.url and clip.url in page_texts(data)[0].replace("\n", "")
    for paragraph in (clip.text or "").split("\n\n"):
        assert contains_words(text, paragraph), paragraph[:80]


def test_byline_and_remote_images(clips: Clips) -> None:
    clip = clips.page("news.html")
    first = page_texts(clip_to_pdf_bytes([clip]))[0]
    assert "Helen Marsh, Daniel Okoro · The Daily Example · 14 March 2024" in first
    assert "Clipped " in first
    # The remote image is not fetched: its alt text stands in for it, and no image is embedded.
    assert "[Image: An architect's model of the movable barrier" in first.replace("\n", " ")
    assert b"/Subtype /Image" not in clip_to_pdf_bytes([clip])


def test_local_images_fit_the_page_body(clips: Clips, tmp_path: Path) -> None:
    from PySide6.QtGui import QColor, QImage

    for name, size in (("wide.png", (3000, 300)), ("tall.png", (300, 6000))):
        picture = QImage(*size, QImage.Format.Format_RGB32)
        picture.fill(QColor("#ff0000"))
        assert picture.save(str(tmp_path / name))
    clip = clips.add("Pictures", ["Before the picture."], url="https://example.org/pictures")
    clip.html = '<p>Before.</p><p><img src="wide.png" alt="a red band"></p><p>After.</p>'
    data = clip_to_pdf_bytes([clip], image_folder=tmp_path, page_size="A4")
    assert b"/Subtype /Image" in data
    needs("pdftoppm")
    margin = 25 / 25.4 * 30  # the side margins, 25 mm at 30 dpi
    left, right, _top, _bottom = red_box(data, tmp_path)
    assert abs(left - margin) <= 2 and abs(right - (595 / 72 * 30 - margin)) <= 2
    clip.html = '<p>Before.</p><p><img src="tall.png"></p><p>After.</p>'
    data = clip_to_pdf_bytes([clip], image_folder=tmp_path, page_size="A4")
    _left, _right, top, bottom = red_box(data, tmp_path, page=2)  # too tall for page 1
    body = (842 - 2 * 22 / 25.4 * 72) / 72 * 30
    assert 0.8 * body <= bottom - top <= body


def red_box(data: bytes, folder: Path, page: int = 1) -> tuple[int, int, int, int]:
    """Left, right, top and bottom of the red pixels on a page rendered at 30 dpi."""
    from PySide6.QtGui import QColor, QImage

    (folder / "page.pdf").write_bytes(data)
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    out = str(folder / "page")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", *pages, str(folder / "page.pdf"), out], check=True
    )
    image = QImage(str(folder / "page.png"))
    red = [
        (x, y)
        for y in range(image.height())
        for x in range(image.width())
        if (c := QColor(image.pixel(x, y))).red() > 200 and c.green() < 80
    ]
    assert red, "no red picture on the page"
    xs, ys = [x for x, _ in red], [y for _, y in red]
    return min(xs), max(xs), min(ys), max(ys)


def test_no_network_even_for_images_the_html_names(clips: Clips) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QTextDocument

    from clipper.core.export.pdf import _ClipDocument

    doc = _ClipDocument(PAGES)
    kind = QTextDocument.ResourceType.ImageResource.value
    assert doc.loadResource(kind, QUrl("https://example.org/x.png")).isNull()  # type: ignore[attr-defined]
    assert doc.loadResource(kind, QUrl("../../pyproject.toml")).isNull()  # type: ignore[attr-defined]
    assert doc.local_image("/etc/passwd") is None and doc.local_image("file:///etc/passwd") is None


def test_one_article_gets_its_headings_as_bookmarks(clips: Clips) -> None:
    clip = clips.page("blog-code.html")
    pdf = reader(clip_to_pdf_bytes([clip]))
    titles = [item.title for item in pdf.outline if not isinstance(item, list)]
    assert titles[:2] == ["Which errors are worth retrying", "Backoff with jitter"]
    texts = page_texts(clip_to_pdf_bytes([clip]))
    for item in pdf.outline:
        if not isinstance(item, list):
            assert item.title in texts[pdf.get_destination_page_number(item)]


# --- metadata, size, fonts ---------------------------------------------------------------


def test_metadata_in_the_info_dictionary_and_xmp(clips: Clips) -> None:
    clip = clips.page("news.html")
    pdf = reader(clip_to_pdf_bytes([clip]))
    info = pdf.metadata
    assert info is not None
    assert info.title == clip.title
    assert info.author == "Helen Marsh; Daniel Okoro"
    assert info.subject == clip.url
    assert info["/Keywords"] == "research, to read"
    assert info.creator == "Clipper"
    xmp = pdf.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title == {"x-default": clip.title}
    assert xmp.dc_creator == ["Helen Marsh", "Daniel Okoro"]
    assert xmp.dc_description == {"x-default": clip.url}
    assert xmp.dc_subject == ["research", "to read"]
    assert xmp.pdf_keywords == "research, to read"
    assert pdf.trailer["/Root"]["/Lang"] == "en"


@pytest.mark.parametrize(("size", "points"), [("A4", (595, 842)), ("Letter", (612, 792))])
def test_page_sizes(clips: Clips, size: str, points: tuple[int, int]) -> None:
    data = clip_to_pdf_bytes([clips.page("docs.html")], page_size=size)
    box = reader(data).pages[0].mediabox
    assert abs(float(box.width) - points[0]) <= 1 and abs(float(box.height) - points[1]) <= 1
    assert size in PAGE_SIZES


def test_unknown_page_size_is_a_user_error(clips: Clips) -> None:
    with pytest.raises(ClipperError, match="A4, Letter"):
        clip_to_pdf_bytes([clips.page("docs.html")], page_size="A5")
    with pytest.raises(ClipperError, match="no clips"):
        clip_to_pdf_bytes([])


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LC_ALL": "", "LC_PAPER": "en_US.UTF-8", "LANG": "de_DE.UTF-8"}, "Letter"),
        ({"LC_ALL": "", "LC_PAPER": "", "LANG": "fr_CA.UTF-8"}, "Letter"),
        ({"LC_ALL": "es_MX", "LC_PAPER": "de_DE.UTF-8", "LANG": ""}, "Letter"),
        ({"LC_ALL": "", "LC_PAPER": "en_GB.UTF-8", "LANG": "en_US.UTF-8"}, "A4"),
        ({"LC_ALL": "", "LC_PAPER": "de_DE@euro", "LANG": ""}, "A4"),
    ],
)
def test_default_page_size_follows_the_locale(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_page_size() == expected


def test_page_counts_are_sane(clips: Clips) -> None:
    short = clip_to_pdf_bytes([clips.add("Short", words(300))])
    long = clip_to_pdf_bytes([clips.add("Long", words(5000, "harbour"))])
    assert 1 <= len(reader(short).pages) <= 2
    assert 6 <= len(reader(long).pages) <= 25


def test_scripts_keep_their_text_and_fonts_are_embedded(clips: Clips, tmp_path: Path) -> None:
    made = [
        clips.add("Москва", [CYRILLIC], language="ru"),
        clips.add("北京", [CJK], language="zh"),
        clips.add("القاهرة", [ARABIC], language="ar"),
        clips.add("ירושלים", [HEBREW], language="he"),
        clips.add("Αθήνα", [GREEK], language="el"),
    ]
    data = clip_to_pdf_bytes(made)
    texts = page_texts(data)
    assert len(texts) == 5
    assert CYRILLIC in " ".join(texts[0].split())
    assert CJK in "".join(texts[1].split())  # copied text is the real ideographs
    assert GREEK in " ".join(texts[4].split())
    for page, sample in ((texts[2], ARABIC), (texts[3], HEBREW)):
        letters = {ch for ch in unicodedata.normalize("NFKC", page) if ch.isalpha()}
        assert {ch for ch in sample if ch.isalpha()} <= letters
    needs("pdffonts")
    (tmp_path / "scripts.pdf").write_bytes(data)
    listed = fonts(tmp_path / "scripts.pdf")
    assert listed and all(row[-5] == "yes" for row in listed), listed  # emb column
    names = " ".join(row[0] for row in listed)
    assert "CJK" in names and ("Arabic" in names or "DejaVu" in names) and "Hebrew" in names


# --- combined exports ----------------------------------------------------------------


@pytest.fixture(scope="module")
def combined(clips: Clips, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Clip], Path]:
    made = [
        clips.page("news.html"),
        clips.page("blog-code.html"),
        clips.add("Москва: краткий очерк", [CYRILLIC] * 3, language="ru", author="Иван Петров"),
        clips.page("docs.html"),
    ]
    path = tmp_path_factory.mktemp("combined") / "export.pdf"
    return made, export_pdf_combined(made, path, title="Reading for Monday")


def test_combined_contents_page_lists_every_clip(combined: tuple[list[Clip], Path]) -> None:
    made, path = combined
    texts = page_texts(path.read_bytes())
    contents = " ".join(texts[0].split())
    assert "Reading for Monday" in contents
    for clip in made:
        assert " ".join(clip.title.split()) in contents


def test_combined_clips_start_on_new_pages_with_outline(combined: tuple[list[Clip], Path]) -> None:
    made, path = combined
    pdf = reader(path.read_bytes())
    texts = page_texts(path.read_bytes())
    top = [item for item in pdf.outline if not isinstance(item, list)]
    assert [item.title for item in top] == [clip.title for clip in made]
    contents = " ".join(texts[0].split())
    places = [contents.index(" ".join(clip.title.split())) for clip in made] + [len(contents)]
    for n, (clip, item) in enumerate(zip(made, top, strict=True)):
        page = pdf.get_destination_page_number(item)
        assert page > 0 and texts[page].lstrip().startswith(clip.title.split()[0])
        assert contains_words(texts[page].split("Clipped")[0], clip.title)
        # The contents page gives the same page number (1-based) in the clip's entry.
        assert str(page + 1) in contents[places[n] : places[n + 1]].split()
    starts = [pdf.get_destination_page_number(item) for item in top]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # Headings of a clip are nested under it, closed.
    nested = pdf.outline[pdf.outline.index(top[0]) + 1]
    assert isinstance(nested, list) and "How the barrier will work" in [i.title for i in nested]
    assert pdf.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_combined_is_valid_for_qpdf_and_fonts_are_embedded(
    combined: tuple[list[Clip], Path],
) -> None:
    _made, path = combined
    if shutil.which("qpdf"):
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    needs("pdffonts")
    listed = fonts(path)
    assert listed and all(row[-5] == "yes" for row in listed), listed


def test_combined_metadata(combined: tuple[list[Clip], Path]) -> None:
    made, path = combined
    info = reader(path.read_bytes()).metadata
    assert info is not None and info.title == "Reading for Monday"
    assert "Helen Marsh" in (info.author or "") and "Иван Петров" in (info.author or "")
    assert info["/Keywords"] == "research, to read"
    assert (info.subject or "").startswith(f"{len(made)} clips from The Daily Example")


# --- text layer check, files, cancelling -----------------------------------------------


def test_pdf_has_text_tells_text_from_pictures_of_nothing(clips: Clips) -> None:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect
    from PySide6.QtGui import QPainter, QPdfWriter

    assert pdf_has_text(clip_to_pdf_bytes([clips.page("docs.html")]))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    painter = QPainter(writer)
    painter.fillRect(QRect(100, 100, 2000, 1000), 0x336699)
    painter.end()
    buffer.close()
    assert bytes(data.data()).startswith(b"%PDF") and not pdf_has_text(bytes(data.data()))
    assert not pdf_has_text(b"not a pdf at all")


def test_one_file_per_clip_never_overwrites(clips: Clips, tmp_path: Path) -> None:
    clip = clips.page("docs.html")
    first = export_pdf([clip], tmp_path, template="{site} - {title}")
    second = export_pdf([clip], tmp_path, template="{site} - {title}")
    assert first[0].name == "Larkspur 2.4 documentation - Configuring the cache.pdf"
    assert second[0].name == "Larkspur 2.4 documentation - Configuring the cache (2).pdf"
    assert first[0].read_bytes().startswith(b"%PDF-")
    target = tmp_path / "all.pdf"
    target.write_bytes(b"keep me")
    written = export_pdf_combined([clip], target)
    assert target.read_bytes() == b"keep me" and written.name == "all (2).pdf"
    assert [item.title for item in reader(written.read_bytes()).outline[:1]] == [clip.title]
    assert export_pdf_combined([clip], target, overwrite=True) == target
    assert target.read_bytes().startswith(b"%PDF-")


def test_cancel_after_two_of_five_keeps_only_finished_files(clips: Clips, tmp_path: Path) -> None:
    made = [clips.add(f"Note {n}", words(80)) for n in range(5)]
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 2

    with pytest.raises(ExportCancelled) as cancelled:
        export_pdf(made, tmp_path / "out", progress=progress)
    assert seen == [(1, 5), (2, 5)]
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["Note 0.pdf", "Note 1.pdf"] == sorted(p.name for p in cancelled.value.written)
    with pytest.raises(ExportCancelled):
        export_pdf_combined(made, tmp_path / "all.pdf", progress=lambda done, total: done < 3)
    assert not (tmp_path / "all.pdf").exists()


def test_folder_that_cannot_be_written_is_a_user_error(clips: Clips, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(ClipperError):
        export_pdf([clips.page("docs.html")], blocker)


def test_command_line_use_makes_its_own_offscreen_application(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from clipper.core.article import Article\n"
        "from clipper.core.library import Library\n"
        "from clipper.core.export.pdf import clip_to_pdf_bytes, pdf_has_text\n"
        "lib = Library(sys.argv[1])\n"
        "art = Article(title='Hello', html='<p>Plain words here.</p>', text='Plain words here.')\n"
        "data = clip_to_pdf_bytes([lib.add(art).clip], page_size='A4')\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "print(QGuiApplication.platformName(), pdf_has_text(data))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["PYTHONPATH"] = str(SRC)
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "l.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["offscreen", "True"]
