"""PDF export drawn with Qt's own text engine: title block, readable body, page numbers.

This is the one core module that imports Qt (QtCore and QtGui, never QtWidgets): Qt lays
out rich text with font fallback for every script and writes PDFs with embedded font
subsets, so no second rendering stack is needed. Nothing else in the core imports this
module at load time. Pages are painted by hand (a QTextDocument sliced page by page) so
that we decide margins, headers, footers and where each clip starts. What QPdfWriter cannot
write (document outline, /Subject and /Keywords, /Lang) is added afterwards as a standard
PDF incremental update, in plain Python.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import re
import sys
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from lxml import html as lxml_html
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QLocale,
    QMarginsF,
    QRectF,
    QSizeF,
    Qt,
    QUrl,
    qVersion,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QImageReader,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QRawFont,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from clipper.core.cleanhtml import remove
from clipper.core.errors import ClipperError
from clipper.core.export.common import (
    Progress,
    each_clip,
    write_target,
    write_unique,
)
from clipper.core.export.markdown import file_stem
from clipper.core.library import Clip

PAGE_SIZES = ("A4", "Letter")
# Territories whose paper is US Letter (glibc's LC_PAPER data); everywhere else uses A4.
_LETTER_TERRITORIES = frozenset(
    {"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR", "GT", "CR", "PA", "SV", "NI", "DO", "BZ"}
)
_DPI = 1200  # QPdfWriter's device units; fine enough that rounding never shows
_MARGIN_MM = (22.0, 25.0, 22.0, 25.0)  # top, right, bottom, left
_TEXT, _MUTED, _RULE, _CODE_BACKGROUND = "#1b1b1b", "#6b6b6b", "#c8c8c8", "#f4f3ef"

_SERIF = ("Noto Serif", "DejaVu Serif")
_SANS = ("Noto Sans", "DejaVu Sans")
_MONO = ("DejaVu Sans Mono", "Noto Sans Mono", "Liberation Mono")
# Fallbacks for scripts the Latin faces lack; Qt tries them in order for each missing glyph.
_ARABIC = ("Noto Naskh Arabic", "Noto Sans Arabic")
_HEBREW_SERIF = ("Noto Serif Hebrew", "Noto Sans Hebrew")
_HEBREW_SANS = ("Noto Sans Hebrew",)
# Han characters are shared by Chinese, Japanese and Korean but drawn differently in each.
_CJK_REGION = {"ja": "JP", "ko": "KR", "zh-tw": "TC", "zh-hk": "HK", "zh-hant": "TC"}
_XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq>{authors}</rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
<dc:subject><rdf:Bag>{tags}</rdf:Bag></dc:subject>
<pdf:Keywords>{keywords}</pdf:Keywords>
<pdf:Producer>Clipper (Qt {qt})</pdf:Producer>
<xmp:CreatorTool>Clipper</xmp:CreatorTool>
<xmp:CreateDate>{now}</xmp:CreateDate>
<xmp:ModifyDate>{now}</xmp:ModifyDate>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""

_log = logging.getLogger(__name__)
# Keeps the application object we create alive for the rest of the process.
_CREATED_APPS: list[QGuiApplication] = []


# --- setting up ------------------------------------------------------------------------


def default_page_size() -> str:
    """Letter where the locale's territory uses it (US, Canada, Mexico...), else A4."""
    for name in ("LC_ALL", "LC_PAPER", "LANG"):
        territory = _territory(os.environ.get(name, ""))
        if territory:
            return "Letter" if territory in _LETTER_TERRITORIES else "A4"
    territory = _territory(QLocale.system().name())
    return "Letter" if territory in _LETTER_TERRITORIES else "A4"


def _territory(locale_name: str) -> str:
    """``en_US.UTF-8@euro`` -> ``US``; empty for ``C``, ``POSIX`` or nothing."""
    match = re.match(r"^[A-Za-z]{2,3}[_-]([A-Za-z]{2})\b", locale_name)
    return match.group(1).upper() if match else ""


def _page_size(name: str | None) -> QPageSize:
    chosen = name or default_page_size()
    ids = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
    if chosen.lower() not in ids:
        raise ClipperError(f"Unknown page size {chosen!r}; choose one of {', '.join(PAGE_SIZES)}.")
    return QPageSize(ids[chosen.lower()])


def ensure_gui_application() -> None:
    """Make sure a QGuiApplication exists, which Qt needs for fonts and painting.

    The window's QApplication is reused. Without one (command line use) and without a
    display, one is made on the "offscreen" platform, which needs no window system.
    """
    app = QCoreApplication.instance()
    if isinstance(app, QGuiApplication):
        return
    if app is not None:
        raise RuntimeError("PDF export needs a QGuiApplication, not a QCoreApplication")
    args = [sys.argv[0] if sys.argv and sys.argv[0] else "clipper"]
    if _needs_offscreen():
        args += ["-platform", "offscreen"]
    _CREATED_APPS.append(QGuiApplication(args))


def _needs_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"):
        return False  # the user chose a platform, or the system always has one
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# --- fonts and style -------------------------------------------------------------------


def _cjk(language: str, style: str) -> tuple[str, ...]:
    """Noto CJK families in the order that suits the clip's language (Chinese first)."""
    lang = language.lower()
    first = _CJK_REGION.get(lang) or _CJK_REGION.get(lang.split("-")[0]) or "SC"
    regions = [first, *(r for r in ("SC", "TC", "JP", "KR", "HK") if r != first)]
    return tuple(f"Noto {style} CJK {r}" for r in regions[:2])


@functools.cache
def _families(language: str, kind: str) -> tuple[str, ...]:
    """Installed font families for body ("serif"), headings ("sans") or code ("mono")."""
    chains = {
        "serif": (*_SERIF, *_cjk(language, "Serif"), *_cjk(language, "Sans"), *_ARABIC),
        "sans": (*_SANS, *_cjk(language, "Sans"), *_ARABIC),
        "mono": (*_MONO, *(f"Noto Sans Mono CJK {r[-2:]}" for r in _cjk(language, "Sans"))),
    }
    hebrew = _HEBREW_SERIF if kind == "serif" else _HEBREW_SANS
    wanted = [*chains[kind], *hebrew]
    installed = set(QFontDatabase.families())
    # Asking Qt for a family that is not installed costs a slow alias scan and a warning.
    found = [family for family in wanted if family in installed]
    if kind == "mono" or not found:
        generic = "FixedFont" if kind == "mono" else "GeneralFont"
        found.append(QFontDatabase.systemFont(QFontDatabase.SystemFont[generic]).family())
    return tuple(found)


def _css_families(families: Sequence[str]) -> str:
    return ", ".join(f"'{family}'" for family in families)


@functools.cache
def _stylesheet(language: str) -> str:
    """The CSS (Qt's rich-text subset) for clip bodies; px are 1/96 inch."""
    serif, sans = _families(language, "serif"), _families(language, "sans")
    body, heading = _leading(serif, 1.55), _leading(sans, 1.25)
    sans_css, mono = _css_families(sans), _css_families(_families(language, "mono"))
    # Qt scales vertical margins from 96 dpi to the PDF's resolution, but not side margins.
    indent = round(24 * _DPI / 96)
    return f"""
body {{ color: {_TEXT}; }}
p, li, dd, dt, blockquote {{ line-height: {body}%; }}
p {{ margin-top: 0px; margin-bottom: 9px; }}
h1, h2, h3, h4, h5, h6 {{ font-family: {sans_css}; font-weight: 600; color: #111111;
  margin-bottom: 6px; line-height: {heading}%; }}
h1 {{ font-size: 17pt; margin-top: 22px; }}
h2 {{ font-size: 14pt; margin-top: 20px; }}
h3 {{ font-size: 12pt; margin-top: 16px; }}
h4, h5, h6 {{ font-size: 11pt; margin-top: 14px; }}
h5, h6 {{ color: {_MUTED}; }}
ul, ol {{ margin-top: 0px; margin-bottom: 9px; }}
li {{ margin-bottom: 3px; }}
blockquote {{ color: #4a4a4a; font-style: italic;
  margin-left: {indent}px; margin-right: {indent}px; }}
pre {{ font-family: {mono}; font-size: 8.5pt; white-space: pre-wrap; margin: 0px; }}
table.code {{ margin-top: 2px; margin-bottom: 12px; }}
td.code {{ border: 0px; padding: 7px; }}
code {{ font-family: {mono}; font-size: 9pt; }}
a {{ color: #1f4e8c; text-decoration: none; }}
table {{ border-collapse: collapse; margin-bottom: 11px; }}
th, td {{ border: 1px solid {_RULE}; padding: 4px; }}
th {{ background-color: #f0efeb; font-weight: 600; }}
.doc-title {{ font-size: 21pt; font-weight: 700; margin-top: 0px; margin-bottom: 8px; }}
.byline {{ font-family: {sans_css}; font-size: 10pt; color: #333333; margin-bottom: 2px; }}
.source {{ font-family: {sans_css}; font-size: 8.5pt; margin-bottom: 2px; }}
.clipped {{ font-family: {sans_css}; font-size: 8pt; color: {_MUTED}; margin-bottom: 4px; }}
.img-alt {{ font-family: {sans_css}; font-size: 8.5pt; color: {_MUTED}; font-style: italic; }}
.contents td {{ border: 0px; padding-left: 0px; padding-right: 0px; padding-top: 5px;
  padding-bottom: 5px; }}
.page-number {{ font-family: {sans_css}; color: #333333; }}
.entry-meta {{ font-family: {sans_css}; font-size: 8.5pt; color: {_MUTED}; }}
"""


def _leading(families: Sequence[str], target: float) -> int:
    """The line-height percentage that spaces lines ``target`` times the font size apart.

    Qt's percentages scale a font's own line spacing, which differs a lot between
    families (Noto Serif: 1.36 em, DejaVu Serif: 1.16 em).
    """
    font = QFont()
    font.setFamilies(list(families))
    font.setPixelSize(100)
    return round(target * 100 * 100 / QFontMetricsF(font).lineSpacing())


def _body_font(language: str) -> QFont:
    font = QFont()
    font.setFamilies(list(_families(language, "serif")))
    font.setPointSizeF(10.5)
    return font


def _small_font() -> QFont:
    font = QFont()
    font.setFamilies(list(_families("", "sans")))
    font.setPointSizeF(7.5)
    return font


# --- documents -------------------------------------------------------------------------


class _ClipDocument(QTextDocument):
    """A text document that loads images only from a local folder, never from the network."""

    def __init__(self, image_folder: Path | None) -> None:
        super().__init__()
        self._image_folder = image_folder.resolve() if image_folder else None

    def loadResource(self, kind: int, name: QUrl | str, /) -> object:
        """Qt asks this for every image; only files in the image folder are answered."""
        path = self.local_image(name.toString() if isinstance(name, QUrl) else name)
        if kind == QTextDocument.ResourceType.ImageResource.value and path is not None:
            image = QImage(str(path))
            if not image.isNull():
                return image
        return QImage()  # an empty image draws nothing; a miss must never reach the network

    def local_image(self, src: str) -> Path | None:
        """The file a relative image source names inside the image folder, if it exists."""
        if self._image_folder is None or not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
            return None
        path = (self._image_folder / src).resolve()
        inside = path.is_relative_to(self._image_folder)
        return path if inside and path.is_file() else None


def _date_text(value: str | None) -> str:
    """``2024-03-14`` (or an ISO timestamp) -> ``14 March 2024``; other text unchanged."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def _title_block(clip: Clip) -> str:
    """Title, byline (authors · site · published), the source link and when it was clipped."""
    authors = ", ".join(a.strip() for a in clip.author.split(";") if a.strip())
    byline = " · ".join(part for part in (authors, clip.site, _date_text(clip.date)) if part)
    url = clip.url or clip.canonical_url or ""
    parts = [f'<h1 class="doc-title">{html.escape(clip.title or "Untitled")}</h1>']
    if byline:
        parts.append(f'<p class="byline">{html.escape(byline)}</p>')
    if url:
        parts.append(f'<p class="source"><a href="{html.escape(url)}">{html.escape(url)}</a></p>')
    parts.append(f'<p class="clipped">Clipped {html.escape(_date_text(clip.created))}</p><hr/>')
    return "".join(parts)


def _body_html(clip: Clip, doc: _ClipDocument, room: QSizeF) -> str:
    """The clip's HTML made printable: images resolved or replaced, code blocks boxed."""
    if not (clip.html or "").strip():
        return "".join(f"<p>{html.escape(p)}</p>" for p in (clip.text or "").split("\n\n"))
    root = lxml_html.fragment_fromstring(clip.html, create_parent="div")
    for image in list(root.iter("img")):
        _resolve_image(image, doc, room)
    for pre in list(root.iter("pre")):
        _box_code(pre)
    return str(lxml_html.tostring(root, encoding="unicode"))


def _resolve_image(image: lxml_html.HtmlElement, doc: _ClipDocument, room: QSizeF) -> None:
    """Fit a local image to the page body (in CSS px); replace a remote one by its alt text."""
    path = doc.local_image(image.get("src") or "")
    size = QImageReader(str(path)).size() if path is not None else None
    if size is not None and not size.isEmpty():
        # Qt cannot split an image across pages, so a tall one is shrunk to fit a page too.
        scale = min(1.0, room.width() / size.width(), room.height() * 0.9 / size.height())
        image.set("width", str(max(1, round(size.width() * scale))))
        image.attrib.pop("height", None)  # Qt keeps the aspect ratio from the width
        return
    alt = (image.get("alt") or "").strip()
    if alt:
        caption = lxml_html.Element("span", {"class": "img-alt"})
        caption.text = f"[Image: {alt}]"
        caption.tail, image.tail = image.tail, None
        image.addprevious(caption)
    remove(image)


def _box_code(pre: lxml_html.HtmlElement) -> None:
    """Put a code block in a shaded one-cell table: Qt pads table cells, not paragraphs."""
    last = pre[-1] if len(pre) else pre
    if len(last) == 0 and last.text:  # a trailing newline would print as an empty line
        last.text = last.text.rstrip("\n")
    elif len(last) and last[-1].tail:
        last[-1].tail = last[-1].tail.rstrip("\n")
    table = lxml_html.Element("table", {"class": "code", "width": "100%", "cellspacing": "0"})
    cell = lxml_html.Element("td", {"class": "code", "bgcolor": _CODE_BACKGROUND})
    pre.addprevious(table)
    table.append(lxml_html.Element("tr"))
    table[0].append(cell)
    table.tail, pre.tail = pre.tail, None
    cell.append(pre)


# --- layout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geometry:
    """Where things go on a page, in device units (1/1200 inch), plus the page in points."""

    page: QRectF
    body: QRectF
    points_height: float

    @staticmethod
    def of(writer: QPdfWriter, size: QPageSize) -> _Geometry:
        unit = _DPI / 25.4
        top, right, bottom, left = (margin * unit for margin in _MARGIN_MM)
        page = QRectF(0, 0, writer.width(), writer.height())
        body = page.adjusted(left, top, -right, -bottom)
        return _Geometry(page, body, size.sizePoints().height())

    def to_points(self, device: float) -> float:
        return device * 72 / _DPI


@dataclass
class _Mark:
    """An outline entry: a title and where it points (page index, points from the top)."""

    title: str
    page: int
    top: float
    children: list[_Mark]


@dataclass
class _Laid:
    """A document laid out into pages, and the title to repeat in its page headers."""

    doc: QTextDocument
    header: str
    first_page: int = 1  # 1-based, set once the whole PDF is planned

    @property
    def pages(self) -> int:
        return self.doc.pageCount()


def _lay_out(
    doc: QTextDocument, markup: str, language: str, writer: QPdfWriter, body: QRectF
) -> None:
    """Lay out HTML for the page body, measuring fonts as the PDF will draw them."""
    doc.documentLayout().setPaintDevice(writer)
    doc.setDocumentMargin(0)
    doc.setDefaultFont(_body_font(language))
    doc.setDefaultStyleSheet(_stylesheet(language))
    doc.setHtml(markup)
    doc.setPageSize(body.size())
    _mend_page_breaks(doc, body.height())


def _mend_page_breaks(doc: QTextDocument, page_height: float) -> None:
    """Start a block on the next page where a page break would strand a line of it.

    Qt breaks pages wherever a line no longer fits: a heading can end a page, or one line of
    a paragraph can sit alone at the foot or the head of a page.
    """
    for _attempt in range(5):  # each move shifts what follows; a few passes settle it
        moved = False
        doc.pageCount()  # Qt lays out lazily; this finishes it, so every line has its place
        block = doc.begin().next()  # never the title, which starts the document
        while block.isValid():
            if _stranded(block, page_height):
                _start_page_with(block)
                moved = True
            block = block.next()
        if not moved:
            return


def _start_page_with(block: QTextBlock) -> None:
    """Break the page before a block, which then starts level with other pages' text."""
    change = QTextBlockFormat()
    change.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
    change.setTopMargin(0)
    QTextCursor(block).mergeBlockFormat(change)
    before = block.previous()
    if before.isValid() and QTextCursor(before).currentTable() is None:
        # Qt carries the margin below the last block of a page over to the next page.
        space = QTextBlockFormat()
        space.setBottomMargin(0)
        QTextCursor(before).mergeBlockFormat(space)


def _stranded(block: QTextBlock, page_height: float) -> bool:
    """A heading last on its page, a paragraph's first line alone, or a short one's last."""
    fmt = block.blockFormat()
    if fmt.pageBreakPolicy() or QTextCursor(block).currentTable() is not None:
        return False
    pages = [_line_page(block, n, page_height) for n in range(block.layout().lineCount())]
    following = block.next()
    if not pages or (fmt.headingLevel() and not following.isValid()):
        return False
    if fmt.headingLevel():
        return pages[-1] < _line_page(following, 0, page_height)
    if pages[0] == pages[-1]:
        return False
    return pages.count(pages[0]) == 1 or (pages.count(pages[-1]) == 1 and len(pages) <= 4)


def _line_page(block: QTextBlock, index: int, page_height: float) -> int:
    """The page (from 0) a line of a block is drawn on; a pushed-down line counts as moved."""
    line = block.layout().lineAt(max(index, 0))
    top = block.document().documentLayout().blockBoundingRect(block).top()
    middle = top + (line.y() + line.height() / 2 if line.isValid() else 0)
    return int(middle // page_height)


def _headings(laid: _Laid, geometry: _Geometry) -> list[_Mark]:
    """Outline entries for the h1-h3 headings of a clip's body (not its title)."""
    marks: list[_Mark] = []
    layout, height = laid.doc.documentLayout(), geometry.body.height()
    block = laid.doc.begin().next()  # the first block is the clip's title
    while block.isValid():
        if 0 < block.blockFormat().headingLevel() <= 3 and block.text().strip():
            top = layout.blockBoundingRect(block).top()
            offset = geometry.body.top() + top % height
            page = laid.first_page - 1 + int(top // height)
            marks.append(_Mark(block.text().strip(), page, geometry.to_points(offset), []))
        block = block.next()
    return marks


def _lay_out_clip(
    clip: Clip, writer: QPdfWriter, geometry: _Geometry, image_folder: Path | None
) -> _Laid:
    doc = _ClipDocument(image_folder)
    room = geometry.body.size() * (96 / _DPI)  # the page body in CSS px
    markup = _title_block(clip) + _body_html(clip, doc, room)
    _lay_out(doc, markup, clip.language or "", writer, geometry.body)
    return _Laid(doc, clip.title)


def _contents_html(title: str, laid: Sequence[_Laid], clips: Sequence[Clip]) -> str:
    """A contents page: the export's title, then each clip with the page it starts on."""
    rows = []
    for item, clip in zip(laid, clips, strict=True):
        authors = ", ".join(a.strip() for a in clip.author.split(";") if a.strip())
        meta = " · ".join(part for part in (authors, clip.site) if part)
        rows.append(
            f"<tr><td><b>{html.escape(clip.title or 'Untitled')}</b><br/>"
            f'<span class="entry-meta">{html.escape(meta)}</span></td>'
            f'<td class="page-number" align="right" width="12%">{item.first_page}</td></tr>'
        )
    pages = laid[-1].first_page + laid[-1].pages - 1 if laid else 1
    today = _date_text(date.today().isoformat())
    count = f"{_clip_count(len(clips))} · {pages} pages · exported {today}"
    return (
        f'<h1 class="doc-title">{html.escape(title)}</h1><p class="clipped">{count}</p><hr/>'
        f'<table class="contents" width="100%">{"".join(rows)}</table>'
    )


def _plan(contents: _Laid | None, laid: Sequence[_Laid]) -> int:
    """Number every document's first page; the total page count."""
    page = 1 + (contents.pages if contents else 0)
    for item in laid:
        item.first_page = page
        page += item.pages
    return page - 1


# --- painting --------------------------------------------------------------------------


def _paint(
    painter: QPainter, writer: QPdfWriter, geometry: _Geometry, laid: _Laid, total: int
) -> None:
    """Draw a laid-out document page by page, each slice clipped to the page body."""
    body = geometry.body
    context = QAbstractTextDocumentLayout.PaintContext()
    context.palette = _palette()
    for index in range(laid.pages):
        if laid.first_page + index > 1:
            writer.newPage()
        top = index * body.height()
        painter.save()
        painter.translate(body.left(), body.top() - top)
        context.clip = QRectF(0, top, body.width(), body.height())
        painter.setClipRect(context.clip)
        laid.doc.documentLayout().draw(painter, context)
        painter.restore()
        _paint_furniture(
            painter, geometry, laid.header if index else "", laid.first_page + index, total
        )


def _palette() -> QPalette:
    """Colours for what the style sheet cannot reach: default text and horizontal rules."""
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Text, QColor(_TEXT))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(_RULE))  # Qt draws <hr> in it
    return palette


def _paint_furniture(
    painter: QPainter, geometry: _Geometry, header: str, number: int, total: int
) -> None:
    """The page number in the footer and, after a clip's first page, its title above."""
    painter.save()
    painter.setFont(_small_font())
    painter.setPen(QColor(_MUTED))
    body, page = geometry.body, geometry.page
    footer = QRectF(body.left(), body.bottom(), body.width(), page.bottom() - body.bottom())
    painter.drawText(footer, Qt.AlignmentFlag.AlignCenter, f"{number} / {total}")
    if header:
        top = QRectF(body.left(), 0, body.width(), body.top() * 0.62)
        text = QFontMetricsF(painter.font(), painter.device()).elidedText(
            header, Qt.TextElideMode.ElideRight, body.width()
        )
        side = Qt.AlignmentFlag.AlignRight if _right_to_left(header) else Qt.AlignmentFlag.AlignLeft
        painter.drawText(top, side | Qt.AlignmentFlag.AlignBottom, text)
    painter.restore()


def _right_to_left(text: str) -> bool:
    """Whether the first strongly directional letter of a text is Hebrew, Arabic or the like."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("L", "R", "AL"):
            return direction != "L"
    return False


# --- metadata --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Meta:
    """What goes into the PDF's document properties."""

    title: str
    authors: list[str]
    subject: str
    keywords: list[str]
    language: str

    @staticmethod
    def of(clips: Sequence[Clip], title: str | None) -> _Meta:
        authors = _unique(a.strip() for c in clips for a in c.author.split(";"))
        keywords = _unique(tag for clip in clips for tag in clip.tags)
        languages = _unique(clip.language for clip in clips)
        if len(clips) == 1 and title is None:
            clip = clips[0]
            subject = clip.url or clip.canonical_url or ""
            return _Meta(clip.title, authors, subject, keywords, clip.language or "")
        sites = ", ".join(_unique(clip.site for clip in clips))
        subject = f"{_clip_count(len(clips))} from {sites}" if sites else _clip_count(len(clips))
        language = languages[0] if len(languages) == 1 else ""
        return _Meta(title or _default_title(len(clips)), authors, subject, keywords, language)


def _unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty values in first-seen order, without repeats."""
    return list(dict.fromkeys(value for value in values if value))


def _clip_count(count: int) -> str:
    return f"{count} clip{'' if count == 1 else 's'}"


def _default_title(count: int) -> str:
    return f"Clipper export — {_clip_count(count)} — {date.today().isoformat()}"


def _xmp(meta: _Meta) -> bytes:
    """XMP metadata: title, authors, subject (dc:description) and tags (dc:subject, keywords)."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    items = "".join
    return _XMP_TEMPLATE.format(
        title=xml_escape(meta.title),
        authors=items(f"<rdf:li>{xml_escape(a)}</rdf:li>" for a in meta.authors),
        subject=xml_escape(meta.subject),
        tags=items(f"<rdf:li>{xml_escape(t)}</rdf:li>" for t in meta.keywords),
        keywords=xml_escape(", ".join(meta.keywords)),
        qt=xml_escape(qVersion()),
        now=now,
    ).encode("utf-8")


def _info(meta: _Meta) -> list[str]:
    """The document information dictionary's entries (what most viewers show)."""
    stamp = datetime.now(UTC).strftime("D:%Y%m%d%H%M%SZ")
    entries = {
        "Title": meta.title,
        "Author": "; ".join(meta.authors),
        "Subject": meta.subject,
        "Keywords": ", ".join(meta.keywords),
        "Creator": "Clipper",
        "Producer": f"Clipper (Qt {qVersion()})",
    }
    fields = [f"/{key} {_pdf_text(value)}" for key, value in entries.items() if value]
    return [*fields, f"/CreationDate ({stamp})", f"/ModDate ({stamp})"]


def _new_writer(device: QIODevice, size: QPageSize, meta: _Meta) -> QPdfWriter:
    writer = QPdfWriter(device)
    writer.setResolution(_DPI)
    writer.setPageSize(size)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))  # we draw our own margins
    writer.setTitle(meta.title)
    writer.setAuthor("; ".join(meta.authors))
    writer.setCreator("Clipper")
    writer.setDocumentXmpMetadata(QByteArray(_xmp(meta)))
    return writer


# --- an incremental update: outline, full document information, language ---------------


def _pdf_text(text: str) -> str:
    """A PDF text string in UTF-16 (hex, so no escaping questions)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class _PdfFile:
    """Just enough of a PDF (as QPdfWriter writes it: one plain xref table) to append to."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        found = re.findall(rb"startxref\s+(\d+)\s+%%EOF\s*$", data[-200:])
        if not found:
            raise ValueError("no startxref at the end")
        self.startxref = int(found[-1])
        self.offsets, self.trailer = self._read_xref(self.startxref)

    def _read_xref(self, start: int) -> tuple[dict[int, int], bytes]:
        end = self.data.find(b"trailer", start)
        tokens = self.data[start:end].split()
        if end < 0 or not tokens or tokens[0] != b"xref":
            raise ValueError("not a plain cross-reference table")
        offsets: dict[int, int] = {}
        pos = 1
        while pos < len(tokens):
            first, count = int(tokens[pos]), int(tokens[pos + 1])
            for n in range(count):
                offset, _gen, kind = tokens[pos + 2 + 3 * n : pos + 5 + 3 * n]
                if kind == b"n":
                    offsets[first + n] = int(offset)
            pos += 2 + 3 * count
        return offsets, self.data[end : self.data.find(b"startxref", end)]

    def ref(self, key: str) -> int:
        match = re.search(rb"/" + key.encode() + rb"\s+(\d+)\s+0\s+R", self.trailer)
        if not match:
            raise ValueError(f"trailer has no /{key}")
        return int(match.group(1))

    def dictionary(self, number: int) -> bytes:
        """The body of a stream-less dictionary object, without the outer << >>."""
        start = self.offsets[number]
        match = re.match(
            rb"\s*%d\s+0\s+obj\s*<<(.*?)>>\s*endobj" % number,
            self.data[start : self.data.find(b"endobj", start) + 6],
            re.S,
        )
        if not match:
            raise ValueError(f"object {number} is not a plain dictionary")
        return match.group(1)

    def stream(self, number: int) -> bytes:
        """The decoded data of a stream object (plain or FlateDecode)."""
        start = self.offsets[number]
        head = re.compile(rb"\s*%d\s+0\s+obj\s*<<(.*?)>>\s*stream\r?\n" % number, re.S)
        match = head.match(self.data, start)
        if not match:
            raise ValueError(f"object {number} is not a stream")
        raw = self.data[match.end() : self.data.find(b"endstream", match.end())]
        return zlib.decompressobj().decompress(raw) if b"/FlateDecode" in match.group(1) else raw

    def page_ids(self, node: int | None = None) -> list[int]:
        """Page object numbers in reading order (walking the page tree)."""
        body = self.dictionary(self.ref_in(self.ref("Root"), "Pages") if node is None else node)
        if re.search(rb"/Type\s*/Page\b(?!s)", body):
            return [node] if node is not None else []
        kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S)
        refs = re.findall(rb"(\d+)\s+0\s+R", kids.group(1)) if kids else []
        return [page for ref in refs for page in self.page_ids(int(ref))]

    def ref_in(self, number: int, key: str) -> int:
        match = re.search(rb"/" + key.encode() + rb"\s+(\d+)\s+0\s+R", self.dictionary(number))
        if not match:
            raise ValueError(f"object {number} has no /{key}")
        return int(match.group(1))

    def size(self) -> int:
        match = re.search(rb"/Size\s+(\d+)", self.trailer)
        return int(match.group(1)) if match else max(self.offsets) + 1

    def append(self, objects: dict[int, str]) -> bytes:
        """The file with ``objects`` (new or replacing old ones) added as an update."""
        out = bytearray(self.data if self.data.endswith(b"\n") else self.data + b"\n")
        offsets: dict[int, int] = {}
        for number in sorted(objects):
            offsets[number] = len(out)
            out += f"{number} 0 obj\n{objects[number]}\nendobj\n".encode("latin-1")
        xref = len(out)
        out += b"xref\n" + _xref_rows(offsets)
        ident = re.search(rb"/ID\s*\[[^\]]*\]", self.trailer)
        size = max(self.size(), max(offsets) + 1)
        root, info = self.ref("Root"), self.ref("Info")
        trailer = (
            f"trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R /Prev {self.startxref} "
        )
        out += trailer.encode() + (ident.group(0) if ident else b"") + b" >>\n"
        out += f"startxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)


def _xref_rows(offsets: dict[int, int]) -> bytes:
    """Cross-reference subsections, one per run of consecutive object numbers."""
    rows: list[str] = []
    numbers = sorted(offsets)
    start = 0
    for index in range(1, len(numbers) + 1):
        if index == len(numbers) or numbers[index] != numbers[index - 1] + 1:
            run = numbers[start:index]
            rows.append(f"{run[0]} {len(run)}\n")
            rows += [f"{offsets[n]:010d} 00000 n \n" for n in run]
            start = index
    return "".join(rows).encode("ascii")


def _outline_objects(
    marks: list[_Mark], root: int, pages: list[int], height: float
) -> dict[int, str]:
    """The /Outlines tree (``root`` and the numbers after it); children start closed."""
    objects: dict[int, str] = {}
    counter = iter(range(root + 1, root + 1 + 100_000))

    def place(items: list[_Mark], parent: int) -> list[int]:
        numbers = [next(counter) for _ in items]
        for index, (mark, number) in enumerate(zip(items, numbers, strict=True)):
            kids = place(mark.children, number)
            entry = [
                f"/Title {_pdf_text(mark.title)} /Parent {parent} 0 R",
                f"/Dest [{pages[mark.page]} 0 R /XYZ 0 {height - mark.top:.1f} null]",
            ]
            if index:
                entry.append(f"/Prev {numbers[index - 1]} 0 R")
            if index + 1 < len(numbers):
                entry.append(f"/Next {numbers[index + 1]} 0 R")
            if kids:
                entry.append(f"/First {kids[0]} 0 R /Last {kids[-1]} 0 R /Count -{len(kids)}")
            objects[number] = "<< " + "\n".join(entry) + " >>"
        return numbers

    top = place(marks, root)
    objects[root] = (
        f"<< /Type /Outlines /First {top[0]} 0 R /Last {top[-1]} 0 R /Count {len(top)} >>"
    )
    return objects


# Qt writes a glyph's text as whichever character the font maps to it first: ligatures
# (U+FB01 "ﬁ"), Arabic presentation forms and Kangxi radicals (U+2F08 "⼈" for 人). Copying
# or searching such text fails, so those targets are rewritten to the plain characters.
_COMPATIBILITY = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\ufb00-\ufdff\ufe70-\ufeff]")
_RANGE_ENTRY = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]*>)")
_HEX = re.compile(r"<([0-9A-Fa-f]*)>")


def _plain_to_unicode(pdf: _PdfFile) -> dict[int, str]:
    """Replacement ToUnicode streams for the fonts whose text maps to compatibility forms."""
    objects: dict[int, str] = {}
    for ref in sorted(set(re.findall(rb"/ToUnicode\s+(\d+)\s+0\s+R", pdf.data))):
        cmap = pdf.stream(int(ref)).decode("latin-1").rstrip("\r\n")
        fixed = _RANGE_ENTRY.sub(_plain_range, cmap)
        fixed = re.sub(r"beginbfchar(.*?)endbfchar", _plain_chars, fixed, flags=re.S)
        if fixed != cmap:
            objects[int(ref)] = f"<< /Length {len(fixed)} >>\nstream\n{fixed}\nendstream"
    return objects


def _plain_range(match: re.Match[str]) -> str:
    """One bfrange entry with plain targets (a single target counts up: spell each out)."""
    first, last, target = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
    if target.startswith("<"):
        start = _HEX.fullmatch(target)
        if start is None or not _COMPATIBILITY.search(_decode_hex(start.group(1))):
            return match.group(0)
        code = int(start.group(1), 16)
        target = "[" + " ".join(f"<{code + n:04X}>" for n in range(last - first + 1)) + "]"
    plain = _HEX.sub(lambda m: f"<{_plain_hex(m.group(1))}>", target)
    return f"<{match.group(1)}> <{match.group(2)}> {plain}"


def _plain_chars(match: re.Match[str]) -> str:
    entries = re.sub(
        r"(<[0-9A-Fa-f]+>\s*)<([0-9A-Fa-f]*)>",
        lambda m: f"{m.group(1)}<{_plain_hex(m.group(2))}>",
        match.group(1),
    )
    return f"beginbfchar{entries}endbfchar"


def _decode_hex(code: str) -> str:
    return bytes.fromhex(code).decode("utf-16-be", errors="replace")


def _plain_hex(code: str) -> str:
    text = _decode_hex(code)
    if not _COMPATIBILITY.search(text):
        return code
    text = "".join(_radical_ideographs().get(ch, ch) for ch in text)
    return unicodedata.normalize("NFKC", text).encode("utf-16-be").hex().upper()


@functools.cache
def _radical_ideographs() -> dict[str, str]:
    """CJK radicals that the installed CJK fonts draw with an ideograph's glyph (⺠ -> 民).

    Most radicals have no Unicode decomposition, so the fonts themselves are asked.
    """
    radicals = "".join(chr(code) for code in range(0x2E80, 0x2FE0))
    ideographs = "".join(chr(code) for code in range(0x4E00, 0xA000))
    found: dict[str, str] = {}
    for family in (f for f in QFontDatabase.families() if "CJK" in f):
        font = QRawFont.fromFont(QFont(family))
        by_glyph: dict[int, str] = {}
        for char, glyph in zip(ideographs, font.glyphIndexesForString(ideographs), strict=True):
            by_glyph.setdefault(glyph, char)
        for char, glyph in zip(radicals, font.glyphIndexesForString(radicals), strict=True):
            if glyph and glyph in by_glyph:
                found.setdefault(char, by_glyph[glyph])
    return found


def _add_update(data: bytes, meta: _Meta, marks: list[_Mark], height: float) -> bytes:
    """Append the outline, the full document information and the language to Qt's PDF."""
    try:
        pdf = _PdfFile(data)
        root = pdf.ref("Root")
        catalog = pdf.dictionary(root).decode("latin-1")
        catalog = re.sub(r"/(Outlines|PageMode|Lang)\s+(\d+\s+0\s+R|/\w+|\([^)]*\))", "", catalog)
        objects = _plain_to_unicode(pdf)
        objects[pdf.ref("Info")] = "<< " + "\n".join(_info(meta)) + " >>"
        if meta.language:
            catalog += f" /Lang {_pdf_text(meta.language)}"
        if marks:
            first = pdf.size()
            objects.update(_outline_objects(marks, first, pdf.page_ids(), height))
            catalog += f" /Outlines {first} 0 R /PageMode /UseOutlines"
        objects[root] = f"<<{catalog} >>"
        return pdf.append(objects)
    except (ValueError, KeyError, IndexError) as exc:
        # Qt changed how it writes PDFs: keep the PDF, lose only the extras.
        _log.warning("PDF outline and metadata skipped: %s", exc)
        return data


# --- checking ---------------------------------------------------------------------------

_STREAM = re.compile(rb">>\s*stream\r?\n")
_SETS_FONT = re.compile(rb"/[^\s/\[\]()<>{}%]+\s+[-+\d.]+\s+Tf\b")
_SHOWS_TEXT = re.compile(rb"[)>\]]\s*(?:Tj|TJ|'|\")(?![A-Za-z])")


def pdf_has_text(data: bytes) -> bool:
    """Whether a PDF has a text layer: some content stream selects a font and shows text.

    Content streams are usually compressed, so FlateDecode streams are inflated first.
    """
    pos = 0
    while match := _STREAM.search(data, pos):
        header = data[data.rfind(b"obj", 0, match.start()) : match.start()]
        end = data.find(b"endstream", match.end())
        if end < 0:
            return False
        content = data[match.end() : end]
        pos = end
        if b"/FlateDecode" in header:
            try:
                content = zlib.decompressobj().decompress(content)  # ignores the trailing EOL
            except zlib.error:
                continue
        if _SETS_FONT.search(content) and _SHOWS_TEXT.search(content):
            return True
    return False


# --- the public calls ------------------------------------------------------------------


def clip_to_pdf_bytes(
    clips: Sequence[Clip],
    *,
    page_size: str | None = None,
    progress: Progress | None = None,
    image_folder: Path | None = None,
) -> bytes:
    """One PDF of the clips, each starting on a new page (one clip: a plain article PDF).

    ``image_folder`` is where relative image sources are looked up; remote images are never
    fetched (their alt text is shown instead). ``progress(done, total)`` runs after each clip
    is laid out; returning False raises ExportCancelled.
    """
    return _render(clips, None, page_size, progress, image_folder)


def export_pdf(
    clips: Sequence[Clip],
    folder: Path,
    *,
    template: str = "{title}",
    page_size: str | None = None,
    progress: Progress | None = None,
    image_folder: Path | None = None,
) -> list[Path]:
    """One PDF per clip in ``folder``, named by ``template``; existing files are kept."""
    written: list[Path] = []
    for clip in each_clip(clips, len(clips), progress, written):
        data = clip_to_pdf_bytes([clip], page_size=page_size, image_folder=image_folder)
        written.append(write_unique(folder, file_stem(clip, template), ".pdf", data))
    return written


def export_pdf_combined(
    clips: Sequence[Clip],
    path: Path,
    *,
    title: str | None = None,
    page_size: str | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
    image_folder: Path | None = None,
) -> Path:
    """One PDF: a contents page, then each clip from a new page, with a bookmark per clip."""
    data = _render(clips, title or _default_title(len(clips)), page_size, progress, image_folder)
    return write_target(path, data, overwrite=overwrite)


def _render(
    clips: Sequence[Clip],
    contents_title: str | None,
    page_size: str | None,
    progress: Progress | None,
    image_folder: Path | None,
) -> bytes:
    """Lay out every clip (reporting progress), plan page numbers, paint, then add extras."""
    if not clips:
        raise ClipperError("There are no clips to export.")
    ensure_gui_application()
    size = _page_size(page_size)
    meta = _Meta.of(clips, contents_title)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = _new_writer(buffer, size, meta)
    geometry = _Geometry.of(writer, size)
    laid = [
        _lay_out_clip(c, writer, geometry, image_folder)
        for c in each_clip(clips, len(clips), progress, [])
    ]
    contents = _contents(contents_title, laid, clips, writer, geometry)
    total = _plan(contents, laid)
    painter = QPainter(writer)
    try:
        for item in [contents, *laid] if contents else laid:
            _paint(painter, writer, geometry, item, total)
    finally:
        painter.end()
    buffer.close()
    marks = _marks(clips, laid, geometry, per_clip=contents is not None or len(laid) > 1)
    return _add_update(bytes(buffer.data().data()), meta, marks, geometry.points_height)


def _contents(
    title: str | None,
    laid: list[_Laid],
    clips: Sequence[Clip],
    writer: QPdfWriter,
    geometry: _Geometry,
) -> _Laid | None:
    """The contents page(s), laid out twice: page numbers depend on its own length."""
    if title is None:
        return None
    contents = _Laid(QTextDocument(), "")  # empty: one page, the first guess
    for _attempt in range(3):
        assumed = contents.pages
        _plan(contents, laid)
        _lay_out(contents.doc, _contents_html(title, laid, clips), "", writer, geometry.body)
        if contents.pages == assumed:
            break
    return contents


def _marks(
    clips: Sequence[Clip], laid: list[_Laid], geometry: _Geometry, *, per_clip: bool
) -> list[_Mark]:
    """Outline entries: each clip with its headings inside, or (one article) its headings."""
    if not per_clip:
        return _headings(laid[0], geometry)
    return [
        _Mark(clip.title or "Untitled", item.first_page - 1, 0.0, _headings(item, geometry))
        for clip, item in zip(clips, laid, strict=True)
    ]
