"""HTML, EPUB and JSON exports: structure, escaping, validity, round trips, cancel, no overwrite."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from clipper.core.article import Article
from clipper.core.errors import ClipperError
from clipper.core.export import jsonio
from clipper.core.export.common import ExportCancelled, Progress
from clipper.core.export.epub import export_epub, export_epub_each
from clipper.core.export.html import (
    clip_to_html,
    embed_local_images,
    export_html,
    export_html_combined,
)
from clipper.core.export.jsonio import export_json, import_json
from clipper.core.extract import article_from_document, link_article, text_article
from clipper.core.library import Clip, Library
from clipper.core.sources import RawDocument, load_file

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
FIXTURE_PAGES = ("news.html", "blog-code.html", "docs.html", "windows-1251.html", "shift_jis.html")
Pages = dict[str, tuple[Article, RawDocument]]
TRICKY_TITLE = '<b>"x" & y</b>'
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
# Markup a browser forgives and XML does not, plus things an export must never carry.
HOSTILE_HTML = (
    "<p>Broken&nbsp;entity &amp; <br> an unclosed <b>bold <i>and italic</p>"
    "<p>Control \x01characters\x0b stay out.</p><li>a stray item</li>"
    "<script>alert(1)</script><p onclick='steal()'>click <a href='javascript:alert(1)'>me</a>"
    "<a href='/relative/page'>relative</a></p><iframe src='https://evil.example/'></iframe>"
    "<img src='https://cdn.example.com/remote.jpg' alt='A remote picture'>"
    "<table><td>loose cell</td></table><span><p>block in inline</p></span>"
)


@pytest.fixture(scope="module")
def pages() -> Pages:
    """The fixture pages, extracted once for the whole module."""
    out: Pages = {}
    for name in FIXTURE_PAGES:
        raw = load_file(PAGES / name)
        out[name] = (article_from_document(raw), raw)
    return out


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library.sqlite3")
    yield lib
    lib.close()


def add_pages(library: Library, pages: Pages) -> list[Clip]:
    return [library.add(article, raw).clip for article, raw in pages.values()]


def hostile_clip(library: Library) -> Clip:
    article = Article(
        title=TRICKY_TITLE,
        html=HOSTILE_HTML,
        text="Broken entity and an unclosed bold",
        url="https://example.org/hostile",
        author="<i>Eve</i>",
        site="Example & Co",
        date="2024-05-06",
        description='Says "hi" <there>',
    )
    return library.add(article, tags=["a<b", "security"]).clip


def numbered_clips(library: Library, count: int) -> list[Clip]:
    clips = []
    for n in range(1, count + 1):
        body = f"<p>Paragraph number {n} of a short article.</p>"
        article = Article(f"Clip {n}", body, body, url=f"https://example.com/{n}")
        clips.append(library.add(article).clip)
    return clips


def stop_after(count: int) -> Progress:
    """A progress callback that cancels once ``count`` clips are done."""
    return lambda done, _total: done < count


# --- HTML ---------------------------------------------------------------------------


def test_html_page_reads_offline(library: Library, pages: Pages) -> None:
    article, raw = pages["news.html"]
    clip = library.add(article, raw, tags=["flooding", "city"]).clip
    page = clip_to_html(clip)
    tree = lxml_html.document_fromstring(page)
    assert page.startswith("<!DOCTYPE html>")
    assert tree.get("lang") == "en"
    assert tree.findtext(".//title") == clip.title
    assert tree.xpath("//meta[@charset='utf-8']")
    assert tree.xpath("//meta[@name='author']/@content") == ["Helen Marsh; Daniel Okoro"]
    assert tree.xpath("//meta[@name='description']/@content") == [clip.description]
    header = tree.xpath("//header")[0]
    assert header.findtext("h1") == clip.title
    assert header.xpath("string(p[@class='byline'])") == (
        "Helen Marsh, Daniel Okoro · The Daily Example · 2024-03-14"
    )
    assert header.xpath("p[@class='source']/a/@href") == [clip.url]
    assert header.xpath("ul[@class='tags']/li/text()") == ["city", "flooding"]
    assert len(tree.xpath("//div[@class='clip-body']/p")) >= 8
    assert "movable flood barrier" in tree.text_content()
    # no scripts, no network: the remote photo is now a caption with its alt text
    assert not tree.xpath("//script | //img | //iframe | //link | //*[@src]")
    assert tree.xpath("string(//span[@class='image-note'])").startswith("Image: An architect")
    css = tree.findtext(".//style")
    assert "max-width: 38em" in css and "prefers-color-scheme: dark" in css
    assert "blockquote" in css and "border-left" in css and "table" in css


def test_html_escapes_metadata_and_strips_active_content(library: Library) -> None:
    clip = hostile_clip(library)
    page = clip_to_html(clip)
    assert TRICKY_TITLE not in page and "<i>Eve</i>" not in page
    assert "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;" in page
    tree = lxml_html.document_fromstring(page)
    assert tree.findtext(".//title") == TRICKY_TITLE
    assert tree.xpath("string(//h1)") == TRICKY_TITLE
    assert not tree.xpath("//h1/b | //header//i")
    assert tree.xpath("//meta[@name='description']/@content") == ['Says "hi" <there>']
    assert tree.xpath("//ul[@class='tags']/li/text()") == ["a<b", "security"]
    assert not tree.xpath("//script | //iframe | //img | //@onclick")
    hrefs = tree.xpath("//div[@class='clip-body']//a/@href")
    assert hrefs == ["https://example.org/relative/page"]  # javascript: is gone
    assert "\x01" not in page and "\x0b" not in page
    assert "Image: A remote picture" in page


def test_embed_local_images(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    html = (
        '<p><img src="pic.png" alt="local"> <img src="../secret.png" alt="outside">'
        ' <img src="https://example.com/x.png" alt="remote"><img src="missing.png"></p>'
    )
    out = lxml_html.fragment_fromstring(embed_local_images(html, folder), create_parent="div")
    sources = out.xpath("//img/@src")
    assert sources == [
        "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    ]
    assert out.xpath("//span[@class='image-note']/text()") == ["Image: outside", "Image: remote"]
    # without a folder, nothing is read from disk at all
    none = embed_local_images(html, None)
    assert "<img" not in none and "Image: local" in none


def test_export_html_one_file_per_clip_never_overwrites(library: Library, tmp_path: Path) -> None:
    clips = numbered_clips(library, 2)
    out = tmp_path / "out"
    first = export_html(clips, out)
    second = export_html(clips, out, template="{title}")
    assert [p.name for p in first] == ["Clip 1.html", "Clip 2.html"]
    assert [p.name for p in second] == ["Clip 1 (2).html", "Clip 2 (2).html"]
    assert "Paragraph number 1" in first[0].read_text(encoding="utf-8")


def test_export_html_combined(library: Library, tmp_path: Path) -> None:
    clips = [*numbered_clips(library, 2), hostile_clip(library)]
    target = tmp_path / "all.html"
    target.write_text("keep me", encoding="utf-8")
    path = export_html_combined(clips, target, title="Reading list")
    assert path.name == "all (2).html" and target.read_text(encoding="utf-8") == "keep me"
    tree = lxml_html.document_fromstring(path.read_text(encoding="utf-8"))
    assert tree.findtext(".//title") == "Reading list"
    links = tree.xpath("//nav[@class='contents']//a")
    assert [a.get("href") for a in links] == ["#clip-1", "#clip-2", "#clip-3"]
    assert [a.text_content() for a in links] == ["Clip 1", "Clip 2", TRICKY_TITLE]
    articles = tree.xpath("//article")
    assert [a.get("id") for a in articles] == ["clip-1", "clip-2", "clip-3"]
    assert [a.xpath("string(header/h2)") for a in articles] == ["Clip 1", "Clip 2", TRICKY_TITLE]
    assert not tree.xpath("//script | //img")
    replaced = export_html_combined(clips[:1], target, overwrite=True)
    assert replaced == target and "Paragraph number 1" in target.read_text(encoding="utf-8")


def test_html_cancel_keeps_what_was_written(library: Library, tmp_path: Path) -> None:
    clips = numbered_clips(library, 5)
    with pytest.raises(ExportCancelled) as stop:
        export_html(clips, tmp_path / "out", progress=stop_after(2))
    assert [p.name for p in stop.value.written] == ["Clip 1.html", "Clip 2.html"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["Clip 1.html", "Clip 2.html"]
    with pytest.raises(ExportCancelled):
        export_html_combined(clips, tmp_path / "all.html", progress=stop_after(2))
    assert not (tmp_path / "all.html").exists()


# --- EPUB ---------------------------------------------------------------------------


@dataclass
class Book:
    """An EPUB's parsed package document, navigation document and chapters (spine order)."""

    opf: etree._Element
    nav: etree._Element
    chapters: list[etree._Element]


@dataclass
class Books:
    clips: list[Clip]
    single: Path
    multi: Path


def read_book(path: Path) -> Book:
    """Check the container and return the parsed OPF, nav and chapters of an EPUB."""
    with zipfile.ZipFile(path) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert first.extra == b"" and book.read("mimetype") == b"application/epub+zip"
        container = etree.fromstring(book.read("META-INF/container.xml"))
        opf_path = container.xpath("//c:rootfile/@full-path", namespaces=NS)[0]
        opf = etree.fromstring(book.read(opf_path))
        folder = opf_path.rpartition("/")[0]
        items = {i.get("id"): i for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)}
        spine = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)
        nav_href = opf.xpath("//opf:item[@properties='nav']/@href", namespaces=NS)[0]
        chapters = [
            etree.fromstring(book.read(f"{folder}/{items[ref].get('href')}")) for ref in spine
        ]
        nav = etree.fromstring(book.read(f"{folder}/{nav_href}"))
        book.read(f"{folder}/toc.ncx")
        assert book.testzip() is None
    return Book(opf, nav, chapters)


def dc(opf: etree._Element, name: str) -> list[str]:
    return [str(t) for t in opf.xpath(f"//dc:{name}/text()", namespaces=NS)]


@pytest.fixture
def books(library: Library, pages: Pages, tmp_path: Path) -> Books:
    """A single-clip book and a book of the fixture pages, a note and a hostile clip."""
    clips = add_pages(library, pages)
    note = text_article("# Shopping\n\n- eggs & milk\n- bread <fresh>\n", markdown=True)
    clips += [library.add(note).clip, hostile_clip(library)]
    single = export_epub(clips[:1], tmp_path / "single.epub")
    return Books(clips, single, export_epub(clips, tmp_path / "multi.epub"))


def test_epub_structure(books: Books) -> None:
    clips = books.clips
    book = read_book(books.multi)
    opf, nav = book.opf, book.nav
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", dc(opf, "identifier")[0])
    assert dc(opf, "title") == [f"Clipper — {len(clips)} clips"]
    assert dc(opf, "language") == ["en"]
    assert dc(opf, "creator") == ["Various authors"]
    modified = opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=NS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified[0])
    toc = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:a/text()", namespaces=NS)
    assert toc == [c.title for c in clips]
    for clip, chapter in zip(clips, book.chapters, strict=True):
        assert chapter.xpath("string(//x:h1)", namespaces=NS) == clip.title
        assert not chapter.xpath("//x:img | //x:script | //x:iframe", namespaces=NS)
    russian, japanese = book.chapters[3], book.chapters[4]
    assert russian.get("lang") == "ru" and "городские сады" in "".join(russian.itertext())
    assert japanese.get("lang") == "ja" and "観光列車" in "".join(japanese.itertext())
    hostile = book.chapters[-1]
    assert "Broken\u00a0entity" in "".join(hostile.itertext())
    assert "Image: A remote picture" in "".join(hostile.itertext())


def test_epub_of_one_clip_is_titled_after_it(books: Books) -> None:
    clip = books.clips[0]
    book = read_book(books.single)
    assert dc(book.opf, "title") == [clip.title]
    assert dc(book.opf, "creator") == [clip.author]
    assert dc(book.opf, "source") == [clip.url]
    assert len(book.chapters) == 1
    byline = book.chapters[0].xpath("string(//x:p[@class='byline'])", namespaces=NS)
    assert byline.startswith("Helen Marsh, Daniel Okoro")


def epubcheck_command() -> list[str] | None:
    """How to run epubcheck here; Debian installs it as a jar that needs binfmt or java."""
    found = shutil.which("epubcheck")
    if found is None:
        return None
    with open(found, "rb") as handle:
        is_jar = handle.read(2) == b"PK"
    if not is_jar:
        return [found]
    java = shutil.which("java")
    return [java, "-jar", found] if java else None


def test_epubcheck_accepts_books(books: Books, tmp_path: Path) -> None:
    command = epubcheck_command()
    if command is None:
        pytest.skip("epubcheck is not installed")
    runs = {}
    # both JVMs at once: each takes a few seconds to start
    for name, path in (("single", books.single), ("multi", books.multi)):
        report = tmp_path / f"{name}.json"
        runs[name] = (
            subprocess.Popen(
                [*command, str(path), "--json", str(report)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            ),
            report,
        )
    for name, (process, report) in runs.items():
        output = process.communicate(timeout=120)[0]
        checker = json.loads(report.read_text(encoding="utf-8"))["checker"]
        counts = {key: checker[key] for key in ("nFatal", "nError", "nWarning")}
        assert counts == {"nFatal": 0, "nError": 0, "nWarning": 0}, f"{name}:\n{output}"


def test_epub_never_overwrites_and_cancels(library: Library, tmp_path: Path) -> None:
    clips = numbered_clips(library, 5)
    target = tmp_path / "book.epub"
    target.write_bytes(b"mine")
    assert export_epub(clips, target).name == "book (2).epub"
    assert target.read_bytes() == b"mine"
    assert export_epub(clips, target, overwrite=True) == target
    assert zipfile.is_zipfile(target)
    each = export_epub_each(clips[:2], tmp_path / "each")
    again = export_epub_each(clips[:2], tmp_path / "each")
    assert [p.name for p in each + again] == [
        "Clip 1.epub",
        "Clip 2.epub",
        "Clip 1 (2).epub",
        "Clip 2 (2).epub",
    ]
    assert dc(read_book(each[1]).opf, "title") == ["Clip 2"]
    with pytest.raises(ExportCancelled) as stop:
        export_epub_each(clips, tmp_path / "cancelled", progress=stop_after(2))
    assert len(stop.value.written) == 2
    assert len(list((tmp_path / "cancelled").iterdir())) == 2
    with pytest.raises(ExportCancelled):
        export_epub(clips, tmp_path / "never.epub", progress=stop_after(2))
    assert not (tmp_path / "never.epub").exists()
    with pytest.raises(ClipperError):
        export_epub([], tmp_path / "empty.epub")


# --- JSON ---------------------------------------------------------------------------


def varied_library(library: Library, pages: Pages) -> list[Clip]:
    """Five clips: articles with pages, a Cyrillic one, a text note, a link; tags, notes, flags."""
    news = library.add(*pages["news.html"], tags=["flooding", "To read"]).clip
    russian = library.add(*pages["windows-1251.html"], tags=["сады"]).clip
    japanese = library.add(*pages["shift_jis.html"]).clip
    note_text = "Remember: buy a kettle\n\nand ☕ beans — “good” ones"
    note = library.add(
        text_article(note_text), RawDocument(note_text.encode(), "text/plain", None)
    ).clip
    link = library.add(link_article("https://example.com/bookmark"), tags=["later"]).clip
    library.set_read([news.id, japanese.id])
    library.set_favourite([russian.id, link.id])
    library.set_note(news.id, "Check the £212m figure")
    library.set_note(note.id, "заметка 📝")
    library.restore_times(japanese.id, "2020-01-02T03:04:05Z", "2021-06-07T08:09:10Z")
    return [library.get(c.id) for c in (news, russian, japanese, note, link)]


def fields_of(clip: Clip) -> dict[str, object]:
    data = vars(clip).copy()
    del data["id"], data["snippet"]
    return data


def test_json_round_trip_restores_everything(
    library: Library, pages: Pages, tmp_path: Path
) -> None:
    originals = varied_library(library, pages)
    backup = export_json(library, tmp_path / "backup.json", include_pages=True)
    data = json.loads(backup.read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("clipper-library", 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["exported"])
    assert len(data["clips"]) == 5 and "page" in data["clips"][0]

    with Library(tmp_path / "restored.sqlite3") as restored:
        report = import_json(restored, backup)
        assert (report.added, report.updated, report.skipped, report.errors) == (5, 0, 0, [])
        by_key = {(c.url, c.title): c for c in restored.get_many(restored.all_ids(), body=True)}
        for original in originals:
            copy = by_key[(original.url, original.title)]
            assert fields_of(copy) == fields_of(original)
            assert restored.page(copy.id) == library.page(original.id)
        assert restored.search("barrier").total == 1
        assert restored.search("городские").total == 1
        assert restored.search("kettle").total == 1
        assert restored.search("заметка").total == 1  # the note is indexed too
        assert restored.get(by_key[(originals[2].url, originals[2].title)].id).created == (
            "2020-01-02T03:04:05Z"
        )


def test_json_import_twice_updates_instead_of_duplicating(
    library: Library,
    pages: Pages,
    tmp_path: Path,
) -> None:
    varied_library(library, pages)
    backup = export_json(library, tmp_path / "backup.json")
    with Library(tmp_path / "restored.sqlite3") as restored:
        first = import_json(restored, backup)
        second = import_json(restored, backup)
        assert (first.added, first.updated, first.skipped) == (5, 0, 0)
        assert (second.added, second.updated, second.skipped) == (0, 4, 1)
        assert restored.count() == 5
        tags = [(t.name, t.count) for t in restored.tags()]
        assert tags == [("flooding", 1), ("later", 1), ("To read", 1), ("сады", 1)]


def test_json_export_subset_batches_and_never_overwrites(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clips = numbered_clips(library, 5)
    batches: list[int] = []
    real_get_many = Library.get_many

    def spy(self: Library, ids: list[int], *, body: bool = False) -> list[Clip]:
        batches.append(len(ids))
        return real_get_many(self, ids, body=body)

    monkeypatch.setattr(jsonio, "BATCH", 2)
    monkeypatch.setattr(Library, "get_many", spy)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "backup.json"
    target.write_text("mine", encoding="utf-8")
    path = export_json(library, target, ids=[clips[4].id, clips[0].id, clips[2].id])
    assert path.name == "backup (2).json" and target.read_text(encoding="utf-8") == "mine"
    assert batches == [2, 1]  # the library is read a batch at a time
    titles = [c["title"] for c in json.loads(path.read_text(encoding="utf-8"))["clips"]]
    assert titles == ["Clip 5", "Clip 1", "Clip 3"]
    assert export_json(library, target, overwrite=True) == target
    assert len(json.loads(target.read_text(encoding="utf-8"))["clips"]) == 5
    with pytest.raises(ExportCancelled):
        export_json(library, out / "never.json", progress=stop_after(2))
    # neither the cancelled backup nor any temp file is left behind
    assert sorted(p.name for p in out.iterdir()) == ["backup (2).json", "backup.json"]


def write_backup(path: Path, clips: Sequence[object], **header: object) -> Path:
    head = {"format": "clipper-library", "version": 1, "exported": "2024-01-01T00:00:00Z"}
    head.update(header)
    lines = [json.dumps(c, ensure_ascii=False) for c in clips]
    path.write_text(json.dumps(head)[:-1] + ', "clips": [\n' + ",\n".join(lines) + "\n]}\n")
    return path


def good_entry(n: int, **changes: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "kind": "article",
        "url": f"https://example.com/{n}",
        "title": f"Entry {n}",
        "html": f"<p>Body {n}</p>",
        "text": f"Body {n}",
        "tags": ["imported"],
        "created": "2023-01-01T00:00:00Z",
        "updated": "2023-01-02T00:00:00Z",
    }
    entry.update(changes)
    return entry


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("this is not json", r"not a Clipper library backup"),
        (
            '{"format": "clipper-library", "version": 1, "clips": [\n{"title": "a"},\n{"title": }',
            r"bad\.json is not valid JSON \(line 3\)",
        ),
        ('{"format": "clipper-library", "version": 1, "clips": [\n{"title": "a"}', r"line 2"),
        (
            '{"format": "something-else", "version": 1, "clips": []}',
            r"not a Clipper library backup",
        ),
        ('{"format": "clipper-library", "version": 2, "clips": []}', r"newer version of Clipper"),
        ('{"format": "clipper-library", "version": "one", "clips": []}', r"unknown backup version"),
        ('[{"title": "a"}]', r"not a Clipper library backup"),
        ('{"format": "clipper-library", "version": 1, "clips": []} trailing', r"after the end"),
    ],
)
def test_json_bad_files_are_refused_before_importing(
    library: Library, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ClipperError, match=message):
        import_json(library, path)
    assert library.count() == 0


def test_json_malformed_line_late_in_a_file_names_it(library: Library, tmp_path: Path) -> None:
    path = write_backup(tmp_path / "backup.json", [good_entry(n) for n in range(1, 4)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace('"title": ', '"title" ')
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ClipperError, match=r"backup\.json is not valid JSON \(line 4\)"):
        import_json(library, path)
    assert library.count() == 0  # the whole file is checked before the first clip is added
    with pytest.raises(ClipperError, match="does not exist"):
        import_json(library, tmp_path / "missing.json")


def test_json_bad_entries_are_skipped_and_listed(library: Library, tmp_path: Path) -> None:
    entries = [
        good_entry(1),
        good_entry(2, title=5),
        good_entry(3),
        good_entry(4, tags="not a list"),
        good_entry(5, page={"body": "%%% not base64", "content_type": "text/html"}),
        good_entry(6, created="yesterday"),
        "not an object",
        good_entry(8, read=True, favourite=True, note="kept"),
    ]
    report = import_json(library, write_backup(tmp_path / "backup.json", entries))
    assert (report.added, report.updated, report.skipped) == (3, 0, 0)
    assert [e.split(" was skipped")[0] for e in report.errors] == [
        "Clip 2",
        'Clip 4 ("Entry 4")',
        'Clip 5 ("Entry 5")',
        'Clip 6 ("Entry 6")',
        "Clip 7",
    ]
    assert "title" in report.errors[0] and "base64" in report.errors[2]
    restored = {c.title: c for c in library.get_many(library.all_ids(), body=True)}
    assert sorted(restored) == ["Entry 1", "Entry 3", "Entry 8"]
    eight = restored["Entry 8"]
    assert (eight.read, eight.favourite, eight.note, eight.tags) == (
        True,
        True,
        "kept",
        ["imported"],
    )
    assert (eight.created, eight.updated) == ("2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z")


def test_json_reader_handles_any_piece_boundaries(
    library: Library,
    pages: Pages,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    varied_library(library, pages)
    backup = export_json(library, tmp_path / "backup.json", include_pages=True)
    monkeypatch.setattr(jsonio, "_READ_SIZE", 7)  # values split across reads everywhere
    entries = list(jsonio.read_entries(backup))
    assert entries == json.loads(backup.read_text(encoding="utf-8"))["clips"]
    with Library(tmp_path / "restored.sqlite3") as restored:
        calls: list[tuple[int, int]] = []

        def progress(done: int, total: int) -> bool:
            calls.append((done, total))
            return done < 3

        report = import_json(restored, backup, progress=progress)
        assert report.cancelled and report.added == 3 and calls == [(1, 5), (2, 5), (3, 5)]
    assert os.path.getsize(backup) > 0
