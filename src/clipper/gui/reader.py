"""The reader: a calm view of one clip that never loads anything from the network.

QTextBrowser renders HTML without running scripts. On top of that, every resource the
document asks for goes through :meth:`ReaderView.loadResource`, which only answers from an
allowed local image folder, and the clip's HTML is cleaned first (:class:`_ReaderHtml`) so
remote images become their alt text and unsafe links lose their target.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QUrl, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QWheelEvent,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from clipper.core.article import WORDS_PER_MINUTE, long_date
from clipper.core.library import Clip

log = logging.getLogger(__name__)

DEFAULT_FONT_SIZE = 17
MIN_FONT_SIZE = 11
MAX_FONT_SIZE = 32
# Zoom moves through these sizes (px); small steps where text is small, bigger ones above.
ZOOM_STEPS = (11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 24, 26, 28, 30, 32)
FONT_KINDS = ("serif", "sans")

MEASURE_CHARS = 66  # a comfortable line length for prose
LINE_HEIGHT = 160  # percent, for prose
TITLE_LINE_HEIGHT = 115  # big type needs less leading
HEADING_LINE_HEIGHT = 125
CODE_LINE_HEIGHT = 140
CELL_LINE_HEIGHT = 135

# fmt: off
SERIF_FAMILIES = [
    "Charter", "Iowan Old Style", "Source Serif 4", "Source Serif Pro", "Literata", "Georgia",
    "Noto Serif", "DejaVu Serif", "Liberation Serif", "Times New Roman",
]
SANS_FAMILIES = [
    "Inter", "Segoe UI", "SF Pro Text", "Helvetica Neue", "Noto Sans", "Cantarell", "Ubuntu",
    "DejaVu Sans", "Liberation Sans", "Arial",
]
MONO_FAMILIES = [
    "JetBrains Mono", "Cascadia Mono", "SF Mono", "Menlo", "Consolas", "Noto Sans Mono",
    "DejaVu Sans Mono", "Liberation Mono", "Courier New",
]
# fmt: on
_MEASURE_SAMPLE = "Reading should feel calm: the lines are short, and the words have room."

_EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
_SAFE_HREF_SCHEMES = frozenset({"", *_EXTERNAL_SCHEMES})
_LOCAL_IMAGE_SCHEMES = frozenset({"", "file"})

Opener = Callable[[QUrl], object]


# --- Cleaning the clip's HTML -------------------------------------------------------------

# Elements whose content is never shown: code, media, embedded documents, page chrome.
# fmt: off
_DROP_WITH_CONTENT = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
    "embed", "applet", "svg", "math", "canvas", "audio", "video", "head", "title", "select",
    "textarea", "button",
})
# fmt: on
# Elements dropped on their own (their content, if any, stays).
_DROP_TAG = frozenset(
    {"link", "meta", "base", "source", "track", "input", "param", "picture", "html", "body"}
)
_VOID = frozenset({"br", "hr", "img", "wbr", "area", "col"})
_CELL_ATTRS = frozenset({"colspan", "rowspan", "align", "valign"})
_KEEP_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name", "title"}),
    "td": _CELL_ATTRS,
    "th": _CELL_ATTRS,
    "ol": frozenset({"start", "type"}),
    "li": frozenset({"value"}),
    "col": frozenset({"span", "width"}),
}


def _scheme(url: str) -> str:
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:  # e.g. a malformed IPv6 host
        return "invalid"


class _ReaderHtml(HTMLParser):
    """Rewrites a clip's HTML for the reader.

    Drops scripts, styles, embeds, forms and every ``style``/``class`` attribute (a site's
    styling would fight the reader's); turns images that are not local into a muted alt
    caption; keeps links only to http(s), mailto and relative targets; lets the reader
    style tables and code blocks.
    """

    def __init__(self, is_local_image: Callable[[str], bool]) -> None:
        super().__init__(convert_charrefs=True)
        self._is_local_image = is_local_image
        self._out: list[str] = []
        self._skip = 0

    def rewrite(self, source: str) -> str:
        self.feed(source)
        self.close()
        return "".join(self._out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_WITH_CONTENT and tag not in _VOID:
            self._skip += 1
        if self._skip or tag in _DROP_TAG or tag in _DROP_WITH_CONTENT:
            return
        values = {name: value or "" for name, value in attrs}
        if tag == "img":
            self._image(values)
        elif tag == "pre":
            self._out.append(
                '<table class="code" width="100%" cellspacing="0" cellpadding="14"><tr><td><pre>'
            )
        elif tag == "table":
            self._out.append('<table class="data" cellspacing="0" cellpadding="6">')
        else:
            self._out.append(self._open(_body_tag(tag), values))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_WITH_CONTENT:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip or tag in _DROP_TAG or tag in _VOID:
            return
        if tag == "pre":
            self._out.append("</pre></td></tr></table>")
        else:
            self._out.append(f"</{_body_tag(tag)}>")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._out.append(html.escape(data, quote=False))

    def _open(self, tag: str, values: dict[str, str]) -> str:
        allowed = _KEEP_ATTRS.get(tag, frozenset()) | {"id"}
        kept = {k: v for k, v in values.items() if k in allowed}
        if "href" in kept and _scheme(kept["href"]) not in _SAFE_HREF_SCHEMES:
            del kept["href"]  # javascript:, data:, file: ... never become clickable
        parts = "".join(f' {k}="{html.escape(v)}"' for k, v in kept.items())
        return f"<{tag}{parts}>"

    def _image(self, values: dict[str, str]) -> None:
        src = values.get("src", "").strip()
        if src and self._is_local_image(src):
            self._out.append(f'<img src="{html.escape(src)}">')
        elif values.get("alt", "").strip():
            alt = html.escape(values["alt"].strip(), quote=False)
            self._out.append(f'<span class="alt">[{alt}]</span>')


def _body_tag(tag: str) -> str:
    # The clip's title is the page's only h1; a heading level 1 inside the body steps down.
    return "h2" if tag == "h1" else tag


# --- Looks --------------------------------------------------------------------------------


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    """a moved ``amount`` (0..1) of the way towards b."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


@dataclass(frozen=True)
class _Colours:
    """The reader's colours, all derived from the widget's palette."""

    link: str
    muted: str
    rule: str
    code_bg: str

    @classmethod
    def from_palette(cls, palette: QPalette) -> _Colours:
        text = palette.color(QPalette.ColorRole.Text)
        base = palette.color(QPalette.ColorRole.Base)
        return cls(
            link=palette.color(QPalette.ColorRole.Link).name(),
            muted=_mix(text, base, 0.42).name(),
            rule=_mix(text, base, 0.78).name(),
            code_bg=_mix(base, text, 0.055).name(),
        )


def _stylesheet(size: int, colours: _Colours, mono: str) -> str:
    """The document's CSS for a base text size in px (Qt's CSS subset: px, no em)."""

    def px(factor: float) -> str:
        return f"{round(size * factor)}px"

    return f"""
        p {{ margin-top: 0; margin-bottom: {px(0.95)}; }}
        h1 {{ font-size: {px(2.0)}; font-weight: 700; margin-top: 0; margin-bottom: {px(0.65)}; }}
        h2 {{ font-size: {px(1.45)}; font-weight: 700; margin-top: {px(1.7)};
              margin-bottom: {px(0.55)}; }}
        h3 {{ font-size: {px(1.2)}; font-weight: 700; margin-top: {px(1.4)};
              margin-bottom: {px(0.45)}; }}
        h4, h5, h6 {{ font-size: {px(1.0)}; font-weight: 700; margin-top: {px(1.2)};
              margin-bottom: {px(0.35)}; }}
        a {{ color: {colours.link}; text-decoration: none; }}
        blockquote {{ color: {colours.muted}; font-style: italic; margin-top: {px(0.4)};
              margin-bottom: {px(1.1)}; margin-left: {px(1.6)}; margin-right: {px(1.0)}; }}
        ul, ol {{ margin-top: 0; margin-bottom: {px(0.95)}; }}
        li {{ margin-bottom: {px(0.3)}; }}
        code, tt, kbd, samp {{ font-family: {mono}; font-size: {px(0.86)};
              background-color: {colours.code_bg}; }}
        pre {{ font-family: {mono}; font-size: {px(0.84)}; margin: 0; }}
        table.code {{ background-color: {colours.code_bg}; border-style: none;
              margin-top: {px(0.3)}; margin-bottom: {px(1.1)}; }}
        table.data {{ border-collapse: collapse; border-color: {colours.rule};
              border-style: solid; border-width: 1px; margin-top: {px(0.6)};
              margin-bottom: {px(1.1)}; }}
        table.data td, table.data th {{ border-color: {colours.rule}; border-style: solid;
              border-width: 1px; padding: {px(0.3)} {px(0.6)}; }}
        th {{ font-weight: 700; }}
        hr {{ color: {colours.rule}; }}
        .byline {{ color: {colours.muted}; font-size: {px(0.88)}; margin-bottom: {px(0.2)}; }}
        .source {{ font-size: {px(0.88)}; margin-bottom: {px(2.0)}; }}
        .alt {{ color: {colours.muted}; font-style: italic; font-size: {px(0.88)}; }}
        .placeholder {{ color: {colours.muted}; font-size: {px(1.1)}; }}
    """


def _font(kind: str, size: int) -> QFont:
    font = QFont()
    if kind == "sans":
        font.setFamilies(SANS_FAMILIES)
        font.setStyleHint(QFont.StyleHint.SansSerif)
    else:
        font.setFamilies(SERIF_FAMILIES)
        font.setStyleHint(QFont.StyleHint.Serif)
    font.setPixelSize(size)
    return font


def _css_families(families: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in families) + ", monospace"


# --- The header ---------------------------------------------------------------------------


def reading_minutes(word_count: int) -> int:
    """Minutes to read ``word_count`` words (0 for none, at least 1 otherwise)."""
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE)) if word_count > 0 else 0


def byline(clip: Clip) -> str:
    """ "author · site · date · N min read", leaving out what the clip does not know."""
    minutes = reading_minutes(clip.word_count)
    parts = [
        clip.author.replace(";", ",").strip(),
        clip.site.strip(),
        long_date(clip.date),
        f"{minutes} min read" if minutes else "",
    ]
    return " · ".join(p for p in parts if p)


def _header_html(clip: Clip) -> str:
    title = html.escape(clip.title.strip() or "Untitled")
    parts = [f"<h1>{title}</h1>"]
    line = byline(clip)
    if line:
        parts.append(f'<p class="byline">{html.escape(line, quote=False)}</p>')
    if clip.url and _scheme(clip.url) in {"http", "https"}:
        parts.append(f'<p class="source"><a href="{html.escape(clip.url)}">Open original</a></p>')
    else:
        parts.append('<p class="source"></p>')
    return "".join(parts)


def _text_as_html(text: str) -> str:
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


# --- The view -----------------------------------------------------------------------------


class ReaderView(QTextBrowser):
    """Shows one clip with calm typography; loads nothing from the network.

    Links to http(s) and mailto are emitted as :attr:`link_activated` and opened with the
    ``opener`` (``QDesktopServices.openUrl`` unless one is given); other links do nothing.
    Images load only from ``image_folder`` (or ``data:`` URLs).
    """

    link_activated = Signal(QUrl)
    font_size_changed = Signal(int)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        font: str = "serif",
        font_size: int = DEFAULT_FONT_SIZE,
        image_folder: Path | None = None,
        opener: Opener | None = None,
    ) -> None:
        super().__init__(parent)
        self._clip: Clip | None = None
        self._font_kind = font if font in FONT_KINDS else "serif"
        self._font_size = _clamp_size(font_size)
        self._image_folder = image_folder.resolve() if image_folder else None
        self._opener: Opener = opener or QDesktopServices.openUrl
        self._rendering = False
        self._build_browser()
        self._build_actions()
        self._render()

    def _build_browser(self) -> None:
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setAccessibleName("Reader")
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.document().setUndoRedoEnabled(False)
        self.anchorClicked.connect(self._on_anchor_clicked)

    def _build_actions(self) -> None:
        self.zoom_in_action = self._action(
            "Larger text", [QKeySequence.StandardKey.ZoomIn, "Ctrl+=", "Ctrl++"], self.zoom_in
        )
        self.zoom_out_action = self._action(
            "Smaller text", [QKeySequence.StandardKey.ZoomOut, "Ctrl+-"], self.zoom_out
        )
        self.reset_zoom_action = self._action("Normal text size", ["Ctrl+0"], self.reset_zoom)

    def _action(
        self, text: str, keys: list[QKeySequence.StandardKey | str], slot: Callable[[], None]
    ) -> QAction:
        action = QAction(text, self)
        sequences: list[QKeySequence] = []
        for key in keys:
            for seq in QKeySequence.keyBindings(key) if not isinstance(key, str) else [key]:
                sequence = QKeySequence(seq)
                if sequence not in sequences:
                    sequences.append(sequence)
        action.setShortcuts(sequences)
        action.setShortcutContext(action.shortcutContext().WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # -- what to show ---------------------------------------------------------------------

    def show_clip(self, clip: Clip) -> None:
        """Show a clip: its title, byline and a link to the original, then its body."""
        self._clip = clip
        self._render(keep_scroll=False)

    def clear_clip(self) -> None:
        """Show the placeholder instead of a clip."""
        self._clip = None
        self._render(keep_scroll=False)

    @property
    def clip(self) -> Clip | None:
        """The clip on show, if any."""
        return self._clip

    @property
    def image_folder(self) -> Path | None:
        """The only folder images may load from (None: no images at all)."""
        return self._image_folder

    def set_image_folder(self, folder: Path | None) -> None:
        """Allow images from another local folder (None: none) and show the clip again."""
        self._image_folder = folder.resolve() if folder else None
        self._render()

    # -- typography -----------------------------------------------------------------------

    @property
    def font_size(self) -> int:
        """The body text size in px."""
        return self._font_size

    @property
    def font_kind(self) -> str:
        """ "serif" or "sans"."""
        return self._font_kind

    def set_font_size(self, size: int) -> None:
        """Use a body text size in px (clamped); emits font_size_changed when it changes."""
        size = _clamp_size(size)
        if size == self._font_size:
            return
        self._font_size = size
        self._render()
        self.font_size_changed.emit(size)

    def set_font_kind(self, kind: str) -> None:
        """Use "serif" or "sans" for the body text."""
        kind = kind if kind in FONT_KINDS else "serif"
        if kind != self._font_kind:
            self._font_kind = kind
            self._render()

    @Slot()
    def zoom_in(self) -> None:
        """Make the text one step larger."""
        bigger = [s for s in ZOOM_STEPS if s > self._font_size]
        self.set_font_size(bigger[0] if bigger else MAX_FONT_SIZE)

    @Slot()
    def zoom_out(self) -> None:
        """Make the text one step smaller."""
        smaller = [s for s in ZOOM_STEPS if s < self._font_size]
        self.set_font_size(smaller[-1] if smaller else MIN_FONT_SIZE)

    @Slot()
    def reset_zoom(self) -> None:
        """Go back to the normal text size."""
        self.set_font_size(DEFAULT_FONT_SIZE)

    # -- rendering ------------------------------------------------------------------------

    def _render(self, keep_scroll: bool = True) -> None:
        """Lay the document out again from the clip, the palette and the font settings."""
        bar = self.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if keep_scroll and bar.maximum() > 0 else 0.0
        self._rendering = True
        try:
            font = _font(self._font_kind, self._font_size)
            self.setFont(font)
            doc = self.document()
            doc.setDefaultFont(font)
            colours = _Colours.from_palette(self.palette())
            doc.setDefaultStyleSheet(
                _stylesheet(self._font_size, colours, _css_families(MONO_FAMILIES))
            )
            self.setHtml(self._document_html())
            self._apply_line_heights()
            self._apply_measure(force=True)
        finally:
            self._rendering = False
        bar.setValue(round(fraction * bar.maximum()))

    def _document_html(self) -> str:
        if self._clip is None:
            return (
                '<p class="placeholder" align="center"><br><br>Choose a clip to read it here.</p>'
            )
        clip = self._clip
        if clip.html:
            body = _ReaderHtml(self._is_local_image).rewrite(clip.html)
        else:
            body = _text_as_html(clip.text or "")
        return _header_html(clip) + body

    def _apply_line_heights(self) -> None:
        """Set line heights on every block (Qt's CSS does not reach list items and cells).

        Code blocks also lose their no-wrap flag: a long line of code should wrap inside the
        column rather than push the whole page sideways.
        """
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        block = self.document().begin()
        scale = _em_scale(self.document().defaultFont())
        while block.isValid():
            cursor.setPosition(block.position())
            fmt = QTextBlockFormat()
            height = round(_line_height_for(block.blockFormat(), cursor) * scale)
            fmt.setLineHeight(height, _PROPORTIONAL)
            fmt.setNonBreakableLines(False)
            cursor.mergeBlockFormat(fmt)
            block = block.next()
        cursor.endEditBlock()

    def _measure_px(self) -> float:
        """The width of a line of about MEASURE_CHARS characters of body text."""
        metrics = QFontMetricsF(self.document().defaultFont())
        per_char = metrics.horizontalAdvance(_MEASURE_SAMPLE) / len(_MEASURE_SAMPLE)
        return per_char * MEASURE_CHARS

    def _apply_measure(self, force: bool = False) -> None:
        """Centre a column of the comfortable measure by widening the page margins."""
        size = self._font_size
        width = self.viewport().width()
        side = max(size * 1.5, (width - self._measure_px()) / 2)
        root = self.document().rootFrame()
        fmt = root.frameFormat()
        if not force and abs(fmt.leftMargin() - side) < 0.5:
            return
        fmt.setLeftMargin(side)
        fmt.setRightMargin(side)
        fmt.setTopMargin(size * 2.2)
        fmt.setBottomMargin(size * 4)
        root.setFrameFormat(fmt)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the text column centred at the same measure."""
        super().resizeEvent(event)
        self._apply_measure()

    def event(self, event: QEvent) -> bool:
        # A read-only view has nothing to paste into: let the window's Ctrl+V (clip it) through.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Paste)
        ):
            event.ignore()
            return False
        return super().event(event)

    def changeEvent(self, event: QEvent) -> None:
        """Follow light/dark palette changes by rendering again with the new colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._rendering:
            self._render()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl+wheel zooms through our own sizes, so the setting sees the change."""
        if event.modifiers() & event.modifiers().ControlModifier:
            delta = event.angleDelta().y()
            if delta > 0:
                self.zoom_in()
            elif delta < 0:
                self.zoom_out()
            event.accept()
            return
        super().wheelEvent(event)

    # -- resources (the no-network guard) -------------------------------------------------

    def loadResource(self, resource_type: int, name: QUrl | str) -> Any:
        """Answer the document's resource requests from the image folder, never the network.

        Anything else gets an empty answer: a transparent pixel for images, so Qt neither
        shows a broken-image icon nor falls back to loading the file itself.
        """
        kind = getattr(resource_type, "value", resource_type)
        name = QUrl(name)
        if kind == QTextDocument.ResourceType.ImageResource.value:
            return self._load_image(name)
        if name.scheme().lower() != "data":
            log.debug("Reader refused a resource: %s", name.toString()[:200])
        return ""

    def _load_image(self, name: QUrl) -> QImage:
        path = self._local_image_path(name.toString())
        image = QImage(str(path)) if path else QImage()
        if image.isNull():
            return _blank_image()
        column = int(self._measure_px())
        if image.width() > column > 0:  # never wider than the text column
            image = image.scaledToWidth(column)
        return image

    def _is_local_image(self, src: str) -> bool:
        return self._local_image_path(src) is not None

    def _local_image_path(self, src: str) -> Path | None:
        """The file an image source names, if it is inside the image folder."""
        if self._image_folder is None or _scheme(src) not in _LOCAL_IMAGE_SCHEMES:
            return None
        url = QUrl(src)
        relative = url.toLocalFile() if url.isLocalFile() else url.path()
        if not relative:
            return None
        try:
            path = (self._image_folder / relative).resolve()
        except (OSError, ValueError):
            return None
        return path if path.is_relative_to(self._image_folder) and path.is_file() else None

    # -- links ----------------------------------------------------------------------------

    @Slot(QUrl)
    def _on_anchor_clicked(self, url: QUrl) -> None:
        if url.isRelative() and url.hasFragment() and not url.path():
            self.scrollToAnchor(url.fragment())
            return
        target = self._resolve(url)
        if target.scheme().lower() not in _EXTERNAL_SCHEMES:
            log.info("Reader ignored a link with scheme %r", target.scheme())
            return
        self.link_activated.emit(target)
        self.open_external(target)

    def _resolve(self, url: QUrl) -> QUrl:
        base = QUrl(self._clip.url) if self._clip and self._clip.url else QUrl()
        return base.resolved(url) if url.isRelative() and base.isValid() else url

    @Slot(QUrl)
    def open_external(self, url: QUrl) -> None:
        """Open an http(s) or mailto link outside Clipper (with the injected opener)."""
        if url.scheme().lower() in _EXTERNAL_SCHEMES:
            self._opener(url)


_PROPORTIONAL = int(QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)


def _line_height_for(fmt: QTextBlockFormat, cursor: QTextCursor) -> int:
    if fmt.headingLevel() == 1:
        return TITLE_LINE_HEIGHT
    if fmt.headingLevel() > 1:
        return HEADING_LINE_HEIGHT
    if fmt.nonBreakableLines():  # <pre>
        return CODE_LINE_HEIGHT
    if cursor.currentTable() is not None:
        return CELL_LINE_HEIGHT
    return LINE_HEIGHT


def _em_scale(font: QFont) -> float:
    """Qt's proportional line height is relative to the font's own line spacing, which is
    1.15 em for DejaVu but 1.36 em for Noto Serif; scale so heights are relative to the em."""
    metrics = QFontMetricsF(font)
    em = QFontInfo(font).pixelSize() or metrics.height()
    return min(1.0, em / metrics.lineSpacing()) if metrics.lineSpacing() > 0 else 1.0


def _clamp_size(size: int) -> int:
    return max(MIN_FONT_SIZE, min(MAX_FONT_SIZE, int(size)))


def _blank_image() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    image.fill(0)
    return image


__all__ = [
    "DEFAULT_FONT_SIZE",
    "MAX_FONT_SIZE",
    "MIN_FONT_SIZE",
    "ReaderView",
    "byline",
    "reading_minutes",
]
