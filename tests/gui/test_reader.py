"""The reader: what it shows, that it stays offline, links, zoom, typography, themes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QPalette,
    QTextBlockFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clipper.core.library import Clip
from clipper.gui.reader import (
    DEFAULT_FONT_SIZE,
    MAX_FONT_SIZE,
    SANS_FAMILIES,
    SERIF_FAMILIES,
    ReaderView,
    byline,
    reading_minutes,
)
from clipper.gui.theme import apply_theme, dark_palette, is_dark, light_palette

ARTICLE_HTML = """
<p>Most of what we read on the web arrives wrapped in noise: banners, pop-overs, autoplaying
video and a sidebar of things we did not ask for. A reader view strips that away and leaves
the words, set in a comfortable column with room to breathe.</p>
<h2>Why the measure matters</h2>
<p>Typographers have long recommended lines of roughly 45 to 75 characters. Shorter lines make
the eye jump back too often; longer ones make it easy to lose your place when returning to the
start of the next line. Around <em>sixty-six</em> characters is a good compromise.</p>
<blockquote><p>Typography exists to honour content.</p></blockquote>
<h3>A small example</h3>
<pre><code>def measure(metrics, chars=66):
    return metrics.averageCharWidth() * chars</code></pre>
<ul><li>Keep lines short.</li><li>Give lines room.</li></ul>
<table><tr><th>Setting</th><th>Value</th></tr><tr><td>Measure</td><td>66</td></tr></table>
<p>See <a href="https://example.com/guide">the full guide</a>, <a href="/about">about us</a>,
<a href="mailto:editor@example.com">write to us</a>, <a href="#top">back up</a> and
<a href="javascript:alert(1)">do not click</a>.</p>
"""


def make_clip(**changes: object) -> Clip:
    clip = Clip(
        id=1,
        kind="article",
        url="https://example.com/reading/quiet-craft",
        canonical_url=None,
        title="The Quiet Craft of Reading on Screens",
        author="Ada Lovelace",
        date="2024-03-05",
        site="Example Review",
        description="",
        image=None,
        language="en",
        word_count=1240,
        created="2024-03-06T10:00:00Z",
        updated="2024-03-06T10:00:00Z",
        read=False,
        favourite=False,
        note="",
        tags=[],
        text="Most of what we read",
        html=ARTICLE_HTML,
    )
    return replace(clip, **changes)  # type: ignore[arg-type]


class Opened:
    """An injected opener that records URLs instead of starting a browser."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString())
        return True


@pytest.fixture
def opened() -> Opened:
    return Opened()


@pytest.fixture
def reader(qtbot: QtBot, opened: Opened) -> ReaderView:
    view = ReaderView(opener=opened)
    qtbot.addWidget(view)
    view.resize(900, 700)
    return view


def shown(qtbot: QtBot, view: ReaderView) -> ReaderView:
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    return view


def blocks(doc: QTextDocument) -> list[tuple[str, QTextBlockFormat]]:
    result = []
    block = doc.begin()
    while block.isValid():
        result.append((block.text(), block.blockFormat()))
        block = block.next()
    return result


def block_with(doc: QTextDocument, start: str) -> QTextBlockFormat:
    return next(fmt for text, fmt in blocks(doc) if text.startswith(start))


def png(tmp_path: Path, name: str) -> Path:
    return tmp_path / f"{name}.png"


# --- what it shows ------------------------------------------------------------------------


def test_show_clip_renders_title_byline_link_and_body(reader: ReaderView) -> None:
    reader.show_clip(make_clip())
    text = reader.toPlainText()
    lines = text.splitlines()
    assert lines[0] == "The Quiet Craft of Reading on Screens"
    assert lines[1] == "Ada Lovelace · Example Review · 5 March 2024 · 6 min read"
    assert lines[2] == "Open original"
    assert "Most of what we read on the web" in text
    assert "Why the measure matters" in text
    assert "def measure(metrics, chars=66):" in text
    assert reader.clip is not None and reader.clip.id == 1
    assert "https://example.com/reading/quiet-craft" in reader.toHtml()


def test_byline_leaves_out_what_is_unknown() -> None:
    clip = make_clip(author="", site="", date=None, word_count=0)
    assert byline(clip) == ""
    assert byline(make_clip(author="A; B", site="", date="2024-13-99", word_count=231)) == (
        "A, B · 2024-13-99 · 2 min read"
    )
    assert reading_minutes(0) == 0
    assert reading_minutes(1) == 1


def test_clip_without_html_shows_its_text(reader: ReaderView) -> None:
    reader.show_clip(make_clip(html=None, text="First paragraph.\n\nSecond <one>."))
    assert "First paragraph." in reader.toPlainText()
    assert "Second <one>." in reader.toPlainText()


def test_clip_without_web_address_has_no_open_original(reader: ReaderView) -> None:
    reader.show_clip(make_clip(url=None))
    assert "Open original" not in reader.toPlainText()


def test_clear_clip_shows_a_placeholder(reader: ReaderView) -> None:
    reader.show_clip(make_clip())
    reader.clear_clip()
    assert reader.clip is None
    assert reader.toPlainText().strip() == "Choose a clip to read it here."


def test_scripts_styles_and_embeds_are_dropped(reader: ReaderView) -> None:
    html = (
        "<p>Visible</p><script>document.write('SCRIPT')</script><style>p{color:red}</style>"
        "<iframe src='https://example.com'>FRAME</iframe><noscript>NOSCRIPT</noscript>"
        "<p style='color:red' class='x' onclick='alert(1)'>Styled</p>"
    )
    reader.show_clip(make_clip(html=html))
    text = reader.toPlainText()
    assert "Visible" in text and "Styled" in text
    for hidden in ("SCRIPT", "FRAME", "NOSCRIPT", "color:red"):
        assert hidden not in text
    assert "onclick" not in reader.toHtml()


# --- never the network --------------------------------------------------------------------


def test_show_clip_makes_no_network_request(
    qtbot: QtBot, reader: ReaderView, http_server: object, tmp_path: Path
) -> None:
    server = http_server
    pixel = QImage(1, 1, QImage.Format.Format_ARGB32)
    pixel.fill(0xFFFF0000)
    pixel.save(str(tmp_path / "pixel.png"))
    server.page("/pixel.png", (tmp_path / "pixel.png").read_bytes(), "image/png")  # type: ignore[attr-defined]
    server.page("/style.css", "p { color: red }", "text/css")  # type: ignore[attr-defined]
    server.page("/app.js", "alert(1)", "text/javascript")  # type: ignore[attr-defined]
    url = server.url  # type: ignore[attr-defined]
    html = (
        f'<link rel="stylesheet" href="{url("/style.css")}">'
        f'<script src="{url("/app.js")}"></script>'
        f'<p>Before <img src="{url("/pixel.png")}" alt="A red dot"> after.</p>'
        f'<p style="background-image: url({url("/bg.png")})">Styled</p>'
        f'<table background="{url("/table.png")}"><tr><td>Cell</td></tr></table>'
        f'<video poster="{url("/poster.png")}" src="{url("/movie.mp4")}"></video>'
        f'<iframe src="{url("/frame.html")}"></iframe>'
    )
    shown(qtbot, reader).show_clip(make_clip(html=html))
    qtbot.wait(300)
    QApplication.processEvents()
    assert server.requests == []  # type: ignore[attr-defined]
    assert "[A red dot]" in reader.toPlainText()


def test_resource_guard_holds_even_for_raw_html(
    qtbot: QtBot, reader: ReaderView, http_server: object
) -> None:
    """Without the HTML cleaning, loadResource alone keeps the document offline."""
    url = http_server.url  # type: ignore[attr-defined]
    html = (
        f'<p>Raw <img src="{url("/raw.png")}" width="300" height="200"></p>'
        f'<table style="background-image: url({url("/t.png")})"><tr><td>x</td></tr></table>'
        f'<link rel="stylesheet" href="{url("/raw.css")}">'
    )
    shown(qtbot, reader).setHtml(html)
    qtbot.wait(200)
    assert http_server.requests == []  # type: ignore[attr-defined]
    image = reader.document().resource(
        QTextDocument.ResourceType.ImageResource.value, QUrl(url("/raw.png"))
    )
    assert isinstance(image, QImage) and image.size().width() == 1  # a blank pixel


def test_images_load_only_from_the_image_folder(
    qtbot: QtBot, tmp_path: Path, opened: Opened
) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    inside = QImage(40, 30, QImage.Format.Format_RGB32)
    inside.fill(0xFF3366CC)
    inside.save(str(folder / "inside.png"))
    inside.save(str(tmp_path / "outside.png"))
    view = ReaderView(image_folder=folder, opener=opened)
    qtbot.addWidget(view)
    image_type = QTextDocument.ResourceType.ImageResource.value

    def load(src: str) -> QImage:
        result = view.loadResource(image_type, QUrl(src))
        assert isinstance(result, QImage)
        return result

    assert load("inside.png").size().width() == 40
    assert load(QUrl.fromLocalFile(str(folder / "inside.png")).toString()).width() == 40
    assert load("../outside.png").width() == 1
    assert load(QUrl.fromLocalFile(str(tmp_path / "outside.png")).toString()).width() == 1
    assert load("https://example.com/inside.png").width() == 1
    assert view.loadResource(QTextDocument.ResourceType.StyleSheetResource.value, QUrl("x")) == ""

    view.show_clip(make_clip(html='<p><img src="inside.png"><img src="../outside.png" alt="o">'))
    assert '<img src="inside.png"' in view.toHtml()
    assert "[o]" in view.toPlainText()  # outside the folder: its alt text, not the file
    # No folder at all: no images.
    view.set_image_folder(None)
    assert load("inside.png").width() == 1


# --- links --------------------------------------------------------------------------------


def click_text(qtbot: QtBot, view: ReaderView, text: str) -> None:
    cursor = view.document().find(text)
    assert not cursor.isNull(), text
    cursor.setPosition(cursor.selectionStart() + 2)
    point = view.cursorRect(cursor).center() + QPoint(2, 0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_clicking_an_http_link_uses_the_injected_opener(
    qtbot: QtBot, reader: ReaderView, opened: Opened
) -> None:
    shown(qtbot, reader).show_clip(make_clip())
    with qtbot.waitSignal(reader.link_activated) as signal:
        click_text(qtbot, reader, "the full guide")
    assert signal.args is not None and signal.args[0].toString() == "https://example.com/guide"
    assert opened.urls == ["https://example.com/guide"]


def test_relative_and_mailto_links_open_resolved(reader: ReaderView, opened: Opened) -> None:
    reader.show_clip(make_clip())
    reader.anchorClicked.emit(QUrl("/about"))
    reader.anchorClicked.emit(QUrl("mailto:editor@example.com"))
    assert opened.urls == ["https://example.com/about", "mailto:editor@example.com"]


def test_javascript_and_other_links_never_act(
    qtbot: QtBot, reader: ReaderView, opened: Opened
) -> None:
    shown(qtbot, reader).show_clip(make_clip())
    assert "javascript" not in reader.toHtml()  # the link lost its target
    cursor = reader.document().find("do not click")
    assert cursor.charFormat().anchorHref() == ""
    with qtbot.assertNotEmitted(reader.link_activated):
        for url in ("javascript:alert(1)", "JavaScript:alert(1)", "file:///etc/passwd", "data:,x"):
            reader.anchorClicked.emit(QUrl(url))
        reader.anchorClicked.emit(QUrl("#top"))  # scrolls, opens nothing
        reader.open_external(QUrl("javascript:alert(1)"))
    assert opened.urls == []


# --- typography ---------------------------------------------------------------------------


def test_zoom_changes_the_size_and_tells_the_window(qtbot: QtBot, reader: ReaderView) -> None:
    reader.show_clip(make_clip())
    sizes: list[int] = []
    reader.font_size_changed.connect(sizes.append)
    reader.zoom_in()
    assert reader.font_size == 18
    assert reader.document().defaultFont().pixelSize() == 18
    reader.zoom_out()
    reader.zoom_out()
    assert reader.font_size == 16
    reader.reset_zoom()
    assert reader.font_size == DEFAULT_FONT_SIZE
    assert sizes == [18, 17, 16, 17]
    reader.reset_zoom()  # no change, no signal
    assert sizes == [18, 17, 16, 17]
    for _ in range(30):
        reader.zoom_in()
    assert reader.font_size == MAX_FONT_SIZE
    assert "Why the measure matters" in reader.toPlainText()  # still showing the clip


def test_zoom_shortcuts(qtbot: QtBot, reader: ReaderView) -> None:
    def keys(action_shortcuts: list[object]) -> set[str]:
        return {s.toString() for s in action_shortcuts}  # type: ignore[attr-defined]

    assert {"Ctrl+=", "Ctrl++"} <= keys(reader.zoom_in_action.shortcuts())
    assert "Ctrl+-" in keys(reader.zoom_out_action.shortcuts())
    assert keys(reader.reset_zoom_action.shortcuts()) == {"Ctrl+0"}
    shown(qtbot, reader).setFocus()
    reader.activateWindow()
    qtbot.waitUntil(reader.hasFocus)
    qtbot.keyClick(reader, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert reader.font_size == 18
    qtbot.keyClick(reader, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(reader, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert reader.font_size == 16
    qtbot.keyClick(reader, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert reader.font_size == DEFAULT_FONT_SIZE


def test_line_height_is_set_on_every_kind_of_block(reader: ReaderView) -> None:
    reader.show_clip(make_clip())
    doc = reader.document()
    proportional = QTextBlockFormat.LineHeightTypes.ProportionalHeight.value
    # Qt's percentage is of the font's own line spacing; prose should be 1.6 em whatever the font.
    metrics = QFontMetricsF(doc.defaultFont())
    em = QFontInfo(doc.defaultFont()).pixelSize()
    prose = block_with(doc, "Most of what").lineHeight()
    assert abs(prose / 100 * metrics.lineSpacing() - 1.6 * em) <= 1.0
    for start in ("Most of what", "Keep lines short", "Typography exists"):
        fmt = block_with(doc, start)
        assert fmt.lineHeight() == prose, start
        assert fmt.lineHeightType() == proportional
    assert block_with(doc, "The Quiet Craft").lineHeight() < prose  # big title: tighter
    assert block_with(doc, "Why the measure").headingLevel() == 2
    code = block_with(doc, "def measure")
    assert code.lineHeight() < prose
    assert not code.nonBreakableLines()  # long code lines wrap inside the column


def test_lines_keep_a_readable_measure(qtbot: QtBot, reader: ReaderView) -> None:
    reader.resize(1400, 800)
    shown(qtbot, reader).show_clip(make_clip())
    block = reader.document().findBlock(reader.document().find("Typographers").position())
    layout = block.layout()
    first_lines = [layout.lineAt(i).textLength() for i in range(layout.lineCount() - 1)]
    assert first_lines and all(50 <= n <= 80 for n in first_lines), first_lines
    margin = reader.document().rootFrame().frameFormat().leftMargin()
    assert margin > 200  # centred in a wide window
    reader.resize(500, 800)
    QApplication.processEvents()
    narrow = reader.document().rootFrame().frameFormat().leftMargin()
    assert 20 <= narrow < 40  # a small window still keeps a margin


def test_serif_or_sans(qtbot: QtBot, opened: Opened) -> None:
    view = ReaderView(font="sans", opener=opened)
    qtbot.addWidget(view)
    assert view.font_kind == "sans"
    assert view.document().defaultFont().families() == SANS_FAMILIES
    assert view.document().defaultFont().styleHint() == QFont.StyleHint.SansSerif
    view.set_font_kind("serif")
    assert view.document().defaultFont().families() == SERIF_FAMILIES
    assert view.document().defaultFont().styleHint() == QFont.StyleHint.Serif
    view.set_font_kind("comic")  # unknown: serif
    assert view.font_kind == "serif"


# --- palette ------------------------------------------------------------------------------


def colour_of(view: ReaderView, text: str) -> QColor:
    cursor = view.document().find(text)
    assert not cursor.isNull(), text
    return cursor.charFormat().foreground().color()


def test_palette_change_renders_again_with_dark_colours(reader: ReaderView) -> None:
    reader.setPalette(light_palette())
    reader.show_clip(make_clip())
    assert colour_of(reader, "the full guide").name() == "#1f5fbf"  # the palette's link
    assert colour_of(reader, "Ada Lovelace").lightness() > 80  # muted grey on light
    assert colour_of(reader, "Ada Lovelace").lightness() < 200

    reader.setPalette(dark_palette())  # a PaletteChange event, as when the theme switches
    assert colour_of(reader, "the full guide").name() == "#7aaeff"
    muted = colour_of(reader, "Ada Lovelace")
    assert QColor("#1e1f22").lightness() < muted.lightness() < QColor("#e6e6e6").lightness()
    assert "Why the measure matters" in reader.toPlainText()
    # Body text takes the palette's text colour: light on dark.
    image = reader.grab().toImage()
    assert image.pixelColor(5, 5).name() == "#1e1f22"


def test_theme_palettes_and_apply_theme(qapp: QApplication) -> None:
    assert is_dark(dark_palette())
    assert not is_dark(light_palette())
    assert dark_palette().color(QPalette.ColorRole.Base).name() == "#1e1f22"
    try:
        apply_theme(qapp, "dark")
        assert is_dark(qapp.palette())
        assert qapp.style().name().lower() == "fusion"
        apply_theme(qapp, "light")
        assert qapp.palette().color(QPalette.ColorRole.Base).name() == "#fdfdfc"
    finally:
        apply_theme(qapp, "system")
    assert qapp.palette().color(QPalette.ColorRole.Base).name() != "#fdfdfc"


# --- pictures -----------------------------------------------------------------------------


def test_rendering_smoke(qtbot: QtBot, reader: ReaderView, tmp_path: Path) -> None:
    """The realistic clip renders in light and dark (look at these PNGs when changing CSS)."""
    shown(qtbot, reader).show_clip(make_clip())
    for name, palette in (("reader-light", light_palette()), ("reader-dark", dark_palette())):
        reader.setPalette(palette)
        QApplication.processEvents()
        image = reader.grab().toImage()
        assert image.save(str(png(tmp_path, name)))
        assert image.width() == 900
        corner = image.pixelColor(5, 5).name()
        assert corner == palette.color(QPalette.ColorRole.Base).name()
    reader.clear_clip()
    assert reader.grab().save(str(png(tmp_path, "reader-empty")))
