"""PDF export drawn with Qt's own text engine: title block, readable body, page numbers.

This is the one core module that imports Qt (QtCore and QtGui, never QtWidgets): Qt lays
out rich text with font fallback for every script and writes PDFs with embedded font
subsets, so no second rendering stack is needed. Nothing else in the core imports this
module at load time. Pages are painted by hand (a QTextDocument sliced page by page) so
that we decide margins, headers, footers and where each clip starts. The HTML and CSS are
built in plain Python (pdf_markup), and what QPdfWriter cannot write (document outline,
/Subject and /Keywords, /Lang) is added afterwards as a standard PDF incremental update,
also in plain Python (pdf_file, pdf_meta).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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

from clipper.core.errors import ClipperError
from clipper.core.export.common import Progress, each_clip, write_each, write_target
from clipper.core.export.markdown import file_stem
from clipper.core.export.pdf_file import Mark, add_update, pdf_has_text, radical_ideographs
from clipper.core.export.pdf_markup import (
    DPI,
    MUTED,
    RULE,
    TEXT,
    body_html,
    contents_html,
    gui_arguments,
    image_to_caption,
    local_file,
    paper_for,
    paper_from_environment,
    plan,
    right_to_left,
    stylesheet_css,
    territory,
    title_block,
    wanted_families,
)
from clipper.core.export.pdf_meta import Meta, default_title, info_entries, xmp
from clipper.core.library import Clip

__all__ = [
    "PAGE_SIZES",
    "clip_to_pdf_bytes",
    "default_page_size",
    "ensure_gui_application",
    "export_pdf",
    "export_pdf_combined",
    "pdf_has_text",
]

PAGE_SIZES = ("A4", "Letter")
_MARGIN_MM = (22.0, 25.0, 22.0, 25.0)  # top, right, bottom, left

_log = logging.getLogger(__name__)
# Keeps the application object we create alive for the rest of the process.
_CREATED_APPS: list[QGuiApplication] = []


# --- setting up ------------------------------------------------------------------------


def default_page_size() -> str:
    """Letter where the locale's territory uses it (US, Canada, Mexico...), else A4."""
    return paper_from_environment() or paper_for(territory(QLocale.system().name()))


def _page_size(name: str | None) -> QPageSize:
    chosen = name or default_page_size()
    ids = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
    if chosen.lower() not in ids:
        raise ClipperError(f"Unknown page size {chosen!r}; choose one of {', '.join(PAGE_SIZES)}.")
    return QPageSize(ids[chosen.lower()])


def ensure_gui_application() -> None:
    """Make sure a QGuiApplication exists, which Qt needs for fonts and painting.

    The window's QApplication is reused. Without one (command line use) and without a
    display, one is made on the "offscreen" platform, which needs no window system. It is a
    full QApplication, not a QGuiApplication, so the same process can still make widgets
    afterwards (a QGuiApplication, once made, rules that out for good).
    """
    from PySide6.QtWidgets import QApplication

    app = QCoreApplication.instance()
    if isinstance(app, QGuiApplication):
        return
    if app is not None:
        raise RuntimeError("PDF export needs a QGuiApplication, not a QCoreApplication")
    _CREATED_APPS.append(QApplication(gui_arguments()))


# --- fonts and style -------------------------------------------------------------------


@functools.cache
def _families(language: str, kind: str) -> tuple[str, ...]:
    """Installed font families for body ("serif"), headings ("sans") or code ("mono")."""
    installed = set(QFontDatabase.families())
    # Asking Qt for a family that is not installed costs a slow alias scan and a warning.
    found = [family for family in wanted_families(language, kind) if family in installed]
    if kind == "mono" or not found:
        generic = "FixedFont" if kind == "mono" else "GeneralFont"
        found.append(QFontDatabase.systemFont(QFontDatabase.SystemFont[generic]).family())
    return tuple(found)


@functools.cache
def _stylesheet(language: str) -> str:
    """The CSS for clip bodies, with line heights measured from the fonts in use."""
    serif, sans = _families(language, "serif"), _families(language, "sans")
    body, heading = _leading(serif, 1.55), _leading(sans, 1.25)
    return stylesheet_css(sans, _families(language, "mono"), body, heading)


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
        return local_file(self._image_folder, src)


def _resolve_image(image: lxml_html.HtmlElement, doc: _ClipDocument, room: QSizeF) -> None:
    """Fit a local image to the page body (in CSS px); replace a remote one by its alt text."""
    path = doc.local_image(image.get("src") or "")
    size = QImageReader(str(path)).size() if path is not None else None
    if size is None or size.isEmpty():
        image_to_caption(image)
        return
    # Qt cannot split an image across pages, so a tall one is shrunk to fit a page too.
    scale = min(1.0, room.width() / size.width(), room.height() * 0.9 / size.height())
    image.set("width", str(max(1, round(size.width() * scale))))
    image.attrib.pop("height", None)  # Qt keeps the aspect ratio from the width


# --- layout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geometry:
    """Where things go on a page, in device units (1/1200 inch), plus the page in points."""

    page: QRectF
    body: QRectF
    points_height: float

    @staticmethod
    def of(writer: QPdfWriter, size: QPageSize) -> _Geometry:
        unit = DPI / 25.4
        top, right, bottom, left = (margin * unit for margin in _MARGIN_MM)
        page = QRectF(0, 0, writer.width(), writer.height())
        body = page.adjusted(left, top, -right, -bottom)
        return _Geometry(page, body, size.sizePoints().height())

    def to_points(self, device: float) -> float:
        return device * 72 / DPI


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


def _headings(laid: _Laid, geometry: _Geometry) -> list[Mark]:
    """Outline entries for the h1-h3 headings of a clip's body (not its title)."""
    marks: list[Mark] = []
    layout, height = laid.doc.documentLayout(), geometry.body.height()
    block = laid.doc.begin().next()  # the first block is the clip's title
    while block.isValid():
        if 0 < block.blockFormat().headingLevel() <= 3 and block.text().strip():
            top = layout.blockBoundingRect(block).top()
            offset = geometry.body.top() + top % height
            page = laid.first_page - 1 + int(top // height)
            marks.append(Mark(block.text().strip(), page, geometry.to_points(offset), []))
        block = block.next()
    return marks


def _lay_out_clip(
    clip: Clip, writer: QPdfWriter, geometry: _Geometry, image_folder: Path | None
) -> _Laid:
    doc = _ClipDocument(image_folder)
    room = geometry.body.size() * (96 / DPI)  # the page body in CSS px
    markup = title_block(clip) + body_html(clip, lambda image: _resolve_image(image, doc, room))
    _lay_out(doc, markup, clip.language or "", writer, geometry.body)
    return _Laid(doc, clip.title)


# --- painting --------------------------------------------------------------------------


def _paint_all(writer: QPdfWriter, geometry: _Geometry, docs: list[_Laid], total: int) -> None:
    """Paint every laid-out document in order, each from a new page."""
    painter = QPainter(writer)
    try:
        for item in docs:
            _paint(painter, writer, geometry, item, total)
    finally:
        painter.end()


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
    palette.setColor(QPalette.ColorRole.Text, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(RULE))  # Qt draws <hr> in it
    return palette


def _paint_furniture(
    painter: QPainter, geometry: _Geometry, header: str, number: int, total: int
) -> None:
    """The page number in the footer and, after a clip's first page, its title above."""
    painter.save()
    painter.setFont(_small_font())
    painter.setPen(QColor(MUTED))
    body, page = geometry.body, geometry.page
    footer = QRectF(body.left(), body.bottom(), body.width(), page.bottom() - body.bottom())
    painter.drawText(footer, Qt.AlignmentFlag.AlignCenter, f"{number} / {total}")
    if header:
        top = QRectF(body.left(), 0, body.width(), body.top() * 0.62)
        text = QFontMetricsF(painter.font(), painter.device()).elidedText(
            header, Qt.TextElideMode.ElideRight, body.width()
        )
        side = Qt.AlignmentFlag.AlignRight if right_to_left(header) else Qt.AlignmentFlag.AlignLeft
        painter.drawText(top, side | Qt.AlignmentFlag.AlignBottom, text)
    painter.restore()


# --- writing ---------------------------------------------------------------------------


def _new_writer(device: QIODevice, size: QPageSize, meta: Meta) -> QPdfWriter:
    writer = QPdfWriter(device)
    writer.setResolution(DPI)
    writer.setPageSize(size)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))  # we draw our own margins
    writer.setTitle(meta.title)
    writer.setAuthor("; ".join(meta.authors))
    writer.setCreator("Clipper")
    writer.setDocumentXmpMetadata(QByteArray(xmp(meta, qVersion())))
    return writer


def _add_update(data: bytes, meta: Meta, marks: list[Mark], height: float) -> bytes:
    """Append the outline, the full document information and the language to Qt's PDF."""
    try:
        info = info_entries(meta, qVersion())
        return add_update(
            data,
            info=info,
            language=meta.language,
            marks=marks,
            height=height,
            radicals=_radical_ideographs,
        )
    except (ValueError, KeyError, IndexError) as exc:
        # Qt changed how it writes PDFs: keep the PDF, lose only the extras.
        _log.warning("PDF outline and metadata skipped: %s", exc)
        return data


@functools.cache
def _radical_ideographs() -> dict[str, str]:
    """CJK radicals that the installed CJK fonts draw with an ideograph's glyph (⺠ -> 民).

    Most radicals have no Unicode decomposition, so the fonts themselves are asked.
    """
    fonts = (QRawFont.fromFont(QFont(f)) for f in QFontDatabase.families() if "CJK" in f)
    return radical_ideographs(font.glyphIndexesForString for font in fonts)


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
    return write_each(
        clips,
        folder,
        ".pdf",
        lambda c: clip_to_pdf_bytes([c], page_size=page_size, image_folder=image_folder),
        lambda c: file_stem(c, template),
        progress,
    )


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
    data = _render(clips, title or default_title(len(clips)), page_size, progress, image_folder)
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
    meta = Meta.of(clips, contents_title)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = _new_writer(buffer, size, meta)
    geometry = _Geometry.of(writer, size)
    laid = [
        _lay_out_clip(c, writer, geometry, image_folder)
        for c in each_clip(clips, len(clips), progress, [])
    ]
    contents = _contents(contents_title, laid, clips, writer, geometry)
    _paint_all(writer, geometry, [contents, *laid] if contents else laid, plan(contents, laid))
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
        plan(contents, laid)
        _lay_out(contents.doc, contents_html(title, laid, clips), "", writer, geometry.body)
        if contents.pages == assumed:
            break
    return contents


def _marks(
    clips: Sequence[Clip], laid: list[_Laid], geometry: _Geometry, *, per_clip: bool
) -> list[Mark]:
    """Outline entries: each clip with its headings inside, or (one article) its headings."""
    if not per_clip:
        return _headings(laid[0], geometry)
    return [
        Mark(clip.title or "Untitled", item.first_page - 1, 0.0, _headings(item, geometry))
        for clip, item in zip(clips, laid, strict=True)
    ]
