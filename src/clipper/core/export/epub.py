"""EPUB 3 export: clips as an e-book, one chapter per clip, readable on any e-reader.

The book holds the ``mimetype`` entry (first and uncompressed, as readers require),
``META-INF/container.xml``, an OPF package document, an XHTML navigation document,
an NCX table of contents for older readers, one stylesheet and one XHTML chapter
per clip. Chapters are built with lxml in the XHTML namespace, so whatever the clip's
HTML looked like, the chapter is well-formed XML. Images are left out: a remote image
would need the network, which a book must not.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from clipper.core.errors import ClipperError
from clipper.core.export.common import Progress, each_clip, write_each, write_target
from clipper.core.export.html import (
    byline,
    clip_body,
    collection_title,
    language_of,
    original_url,
    xml_safe,
)
from clipper.core.export.markdown import file_stem
from clipper.core.library import Clip, now_iso

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/epub+zip"
_DATE = re.compile(r"^\d{4}(?:-\d\d(?:-\d\d)?)?$")
_MAX_CREATORS = 3  # a collection by more authors than this is "Various authors"

# HTML's content rules, as far as a clip's tags need them. Browsers forgive a <li> outside
# a list or a <p> inside a <span>; EPUB validators and some readers do not.
_PARENTS = {
    "li": {"ul", "ol"},
    "dt": {"dl"},
    "dd": {"dl"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "caption": {"table"},
    "figcaption": {"figure"},
    "summary": {"details"},
    "rt": {"ruby"},
    "rp": {"ruby"},
}
_CHILDREN = {
    "ul": {"li"},
    "ol": {"li"},
    "dl": {"dt", "dd", "div"},
    "table": {"caption", "thead", "tbody", "tfoot", "tr"},
    "thead": {"tr"},
    "tbody": {"tr"},
    "tfoot": {"tr"},
    "tr": {"td", "th"},
}
_BLOCKS = frozenset(
    {"p", "div", "ul", "ol", "dl", "blockquote", "pre", "table", "figure", "hr", "section"}
    | {"aside", "details", "h1", "h2", "h3", "h4", "h5", "h6"}
    | set(_PARENTS)
)
_PHRASING_ONLY = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "span", "a", "strong", "em", "b", "i"}
    | {"u", "s", "small", "sub", "sup", "mark", "q", "cite", "abbr", "dfn", "code", "kbd"}
    | {"samp", "var", "bdi", "del", "ins", "ruby", "rt", "rp"}
)

# No colours: e-readers have their own day and night themes and a book should follow them.
BOOK_CSS = """\
body { font-family: serif; line-height: 1.5; margin: 0 0.4em; }
h1, h2, h3, h4, h5, h6 { font-family: sans-serif; line-height: 1.25; page-break-after: avoid; }
h1 { font-size: 1.6em; margin: 0 0 0.4em; }
blockquote { margin: 1em 0; padding-left: 1em; border-left: 0.2em solid #999; }
code, pre, kbd, samp { font-family: monospace; }
pre { white-space: pre-wrap; font-size: 0.85em; line-height: 1.35; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #999; padding: 0.2em 0.4em; vertical-align: top; }
.clip-header { margin-bottom: 1.5em; }
.byline, .source, .image-note { font-family: sans-serif; font-size: 0.85em; opacity: 0.75; }
.byline, .source { margin: 0.2em 0; }
.image-note { display: block; font-style: italic; }
nav ol { list-style: none; padding-left: 0; }
"""

_CONTAINER_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<container version="1.0" xmlns="{CONTAINER}">\n'
    "  <rootfiles>\n"
    '    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>\n'
    "  </rootfiles>\n"
    "</container>\n"
)


@dataclass(frozen=True)
class _Chapter:
    """One clip, ready to go into the book."""

    name: str  # file name inside OEBPS/
    title: str
    xhtml: bytes


def _x(tag: str) -> str:
    return f"{{{XHTML}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _x(tag), attrs)
    if text is not None:
        element.text = xml_safe(text)
    return element


def _serialize(root: etree._Element, *, doctype: str | None = None) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype=doctype))


# --- XHTML pages ---------------------------------------------------------------------


def _page(title: str, language: str) -> tuple[etree._Element, etree._Element]:
    """An empty XHTML page with the book's stylesheet: (html element, body element)."""
    root = etree.Element(_x("html"), nsmap={None: XHTML, "epub": OPS})
    root.set(XML_LANG, language)
    root.set("lang", language)
    head = _sub(root, "head")
    _sub(head, "title", title or "Untitled")
    _sub(head, "link", rel="stylesheet", type="text/css", href="style.css")
    return root, _sub(root, "body")


def _wrap_stray_cells(root: etree._Element) -> None:
    """Put cells that sit directly in a table (sloppy but common HTML) into rows."""
    for section in root.iter("table", "thead", "tbody", "tfoot"):
        row = None
        for child in list(section):
            if child.tag not in ("td", "th"):
                row = None
                continue
            if row is None:
                row = lxml_html.Element("tr")
                child.addprevious(row)
            row.append(child)


def _has_stray_content(element: etree._Element, allowed: set[str]) -> bool:
    texts = [element.text, *(child.tail for child in element)]
    return any(t and t.strip() for t in texts) or any(c.tag not in allowed for c in element)


def repair_structure(root: etree._Element) -> None:
    """Make a cleaned HTML tree follow HTML's content rules, giving up formatting, not text.

    A list or table holding something it may not becomes a <div>; an item outside its
    list, a cell outside its row, or a block inside a paragraph or inline element is
    unwrapped (its content stays where it was).
    """
    _wrap_stray_cells(root)
    # children first: a bad row makes its table fall back too
    for element in reversed(list(root.iterdescendants())):
        allowed = _CHILDREN.get(element.tag)
        if allowed is not None and _has_stray_content(element, allowed):
            element.tag = "div"
    for element in list(root.iterdescendants()):
        parent = element.getparent()
        needs = _PARENTS.get(element.tag)
        if (needs is not None and parent.tag not in needs) or (
            element.tag in _BLOCKS and parent.tag in _PHRASING_ONLY
        ):
            element.drop_tag()


def _xhtml_body(clip: Clip) -> etree._Element:
    """The clip's cleaned HTML moved into the XHTML namespace.

    The HTML parser has already repaired the markup (closed tags, entities such as
    ``&nbsp;``, stray ``<br>``); written out as XML and read back inside an element
    that declares the XHTML namespace, every element lands in that namespace.
    """
    body = clip_body(clip)
    repair_structure(body)
    markup = etree.tostring(body, method="xml", encoding="unicode")
    wrapper = etree.fromstring(f'<wrapper xmlns="{XHTML}">{markup}</wrapper>')
    return wrapper[0]


def chapter_xhtml(clip: Clip, language: str) -> bytes:
    """One clip as an XHTML chapter: a header (title, byline, link to the original), the body."""
    title = clip.title or "Untitled"
    root, body = _page(title, language_of(clip) or language)
    body.set(f"{{{OPS}}}type", "chapter")
    header = _sub(body, "header", **{"class": "clip-header"})
    _sub(header, "h1", title)
    if line := byline(clip):
        _sub(header, "p", line, **{"class": "byline"})
    if url := original_url(clip):
        source = _sub(header, "p", "Original: ", **{"class": "source"})
        _sub(source, "a", urlsplit(url).hostname or url, href=url)
    body.append(_xhtml_body(clip))
    return _serialize(root, doctype="<!DOCTYPE html>")


def nav_xhtml(chapters: Sequence[_Chapter], language: str) -> bytes:
    """The EPUB 3 navigation document: an ordered list of the chapters."""
    root, body = _page("Contents", language)
    nav = _sub(body, "nav", id="toc")
    nav.set(f"{{{OPS}}}type", "toc")
    _sub(nav, "h1", "Contents")
    items = _sub(nav, "ol")
    for chapter in chapters:
        _sub(_sub(items, "li"), "a", chapter.title, href=chapter.name)
    return _serialize(root, doctype="<!DOCTYPE html>")


# --- package documents ---------------------------------------------------------------


@dataclass(frozen=True)
class _BookInfo:
    identifier: str  # urn:uuid:...
    title: str
    language: str
    creators: list[str]
    source: str | None = None
    date: str | None = None


def _book_info(clips: Sequence[Clip], title: str | None) -> _BookInfo:
    languages = Counter(lang for c in clips if (lang := language_of(c)))
    authors = list(dict.fromkeys(a for c in clips if (a := " ".join(c.author.split()))))
    if len(authors) > _MAX_CREATORS:
        authors = ["Various authors"]
    single = clips[0] if len(clips) == 1 else None
    return _BookInfo(
        identifier=f"urn:uuid:{uuid.uuid4()}",
        title=collection_title(clips, title) or "Untitled",
        language=languages.most_common(1)[0][0] if languages else "en",
        creators=authors,
        source=original_url(single) if single else None,
        date=single.date if single and single.date and _DATE.match(single.date) else None,
    )


def opf_xml(info: _BookInfo, chapters: Sequence[_Chapter]) -> bytes:
    """The OPF package document: metadata, manifest and spine (chapters in clip order)."""
    package = etree.Element(
        f"{{{OPF}}}package",
        {"version": "3.0", "unique-identifier": "book-id", XML_LANG: info.language},
        nsmap={None: OPF, "dc": DC},
    )
    metadata = etree.SubElement(package, f"{{{OPF}}}metadata")

    def dc(name: str, value: str, **attrs: str) -> None:
        etree.SubElement(metadata, f"{{{DC}}}{name}", attrs).text = xml_safe(value)

    dc("identifier", info.identifier, id="book-id")
    dc("title", info.title)
    dc("language", info.language)
    for creator in info.creators:
        dc("creator", creator)
    if info.date:
        dc("date", info.date)
    if info.source:
        dc("source", info.source)
    modified = etree.SubElement(metadata, f"{{{OPF}}}meta", property="dcterms:modified")
    modified.text = now_iso()
    _manifest_and_spine(package, chapters)
    return _serialize(package)


def _manifest_and_spine(package: etree._Element, chapters: Sequence[_Chapter]) -> None:
    manifest = etree.SubElement(package, f"{{{OPF}}}manifest")

    def item(item_id: str, href: str, media_type: str, **attrs: str) -> None:
        attrs.update({"id": item_id, "href": href, "media-type": media_type})
        etree.SubElement(manifest, f"{{{OPF}}}item", attrs)

    item("nav", "nav.xhtml", "application/xhtml+xml", properties="nav")
    item("ncx", "toc.ncx", "application/x-dtbncx+xml")
    item("css", "style.css", "text/css")
    for n, chapter in enumerate(chapters, 1):
        item(f"chapter-{n}", chapter.name, "application/xhtml+xml")
    spine = etree.SubElement(package, f"{{{OPF}}}spine", toc="ncx")
    for n in range(1, len(chapters) + 1):
        etree.SubElement(spine, f"{{{OPF}}}itemref", idref=f"chapter-{n}")


def ncx_xml(info: _BookInfo, chapters: Sequence[_Chapter]) -> bytes:
    """The EPUB 2 table of contents, which older readers still look for."""
    ncx = etree.Element(
        f"{{{NCX}}}ncx", {"version": "2005-1", XML_LANG: info.language}, nsmap={None: NCX}
    )
    head = etree.SubElement(ncx, f"{{{NCX}}}head")
    for name, content in (("uid", info.identifier), ("depth", "1")):
        etree.SubElement(head, f"{{{NCX}}}meta", name=f"dtb:{name}", content=content)
    for name in ("totalPageCount", "maxPageNumber"):
        etree.SubElement(head, f"{{{NCX}}}meta", name=f"dtb:{name}", content="0")
    title = etree.SubElement(ncx, f"{{{NCX}}}docTitle")
    etree.SubElement(title, f"{{{NCX}}}text").text = xml_safe(info.title)
    nav_map = etree.SubElement(ncx, f"{{{NCX}}}navMap")
    for n, chapter in enumerate(chapters, 1):
        point = etree.SubElement(nav_map, f"{{{NCX}}}navPoint", id=f"nav-{n}", playOrder=str(n))
        label = etree.SubElement(point, f"{{{NCX}}}navLabel")
        etree.SubElement(label, f"{{{NCX}}}text").text = xml_safe(chapter.title)
        etree.SubElement(point, f"{{{NCX}}}content", src=chapter.name)
    return _serialize(ncx)


# --- the book ------------------------------------------------------------------------


def _zip_book(info: _BookInfo, chapters: Sequence[_Chapter]) -> bytes:
    """The EPUB container: ``mimetype`` first and stored, everything else deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), MEDIA_TYPE, compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", _CONTAINER_XML)
        book.writestr("OEBPS/content.opf", opf_xml(info, chapters))
        book.writestr("OEBPS/nav.xhtml", nav_xhtml(chapters, info.language))
        book.writestr("OEBPS/toc.ncx", ncx_xml(info, chapters))
        book.writestr("OEBPS/style.css", BOOK_CSS)
        for chapter in chapters:
            book.writestr(f"OEBPS/{chapter.name}", chapter.xhtml)
    return buffer.getvalue()


def _chapter(clip: Clip, n: int, language: str) -> _Chapter:
    return _Chapter(
        f"chapter-{n:04d}.xhtml", clip.title or "Untitled", chapter_xhtml(clip, language)
    )


def book_bytes(
    clips: Sequence[Clip], title: str | None = None, progress: Progress | None = None
) -> bytes:
    """A whole EPUB file for ``clips`` (in their order); ExportCancelled if progress says stop."""
    if not clips:
        raise ClipperError("There are no clips to put in a book.")
    info = _book_info(clips, title)
    chapters = [
        _chapter(clip, n, info.language)
        for n, clip in enumerate(each_clip(clips, len(clips), progress, []), 1)
    ]
    return _zip_book(info, chapters)


def export_epub(
    clips: Sequence[Clip],
    path: Path,
    *,
    title: str | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> Path:
    """One book with a chapter per clip; a single clip makes a book titled after it.

    Several clips make a book called ``title``, or "Clipper — N clips". An existing
    file is replaced only with ``overwrite``; else the book gets a numbered sibling name.
    """
    return write_target(path, book_bytes(clips, title, progress), overwrite=overwrite)


def export_epub_each(
    clips: Sequence[Clip],
    folder: Path,
    *,
    template: str = "{title}",
    progress: Progress | None = None,
) -> list[Path]:
    """One single-chapter book per clip in ``folder``, named by ``template``; never overwrites."""
    return write_each(
        clips,
        folder,
        ".epub",
        lambda c: book_bytes([c]),
        lambda c: file_stem(c, template),
        progress,
    )
