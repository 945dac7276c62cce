"""The main window with a real library and a real loopback server (offscreen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QDialog, QMessageBox

from clipper.core.article import Article
from clipper.core.library import Library
from clipper.core.settings import Settings
from clipper.gui.main_window import MainWindow
from conftest import FIXTURES

PAGES = FIXTURES / "pages"


@pytest.fixture
def library(tmp_path: Path) -> Any:
    lib = Library(tmp_path / "lib.sqlite3")
    yield lib
    lib.close()


@pytest.fixture
def window(qtbot: Any, library: Library) -> Any:
    w = MainWindow(library, Settings(fetch_timeout=5))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.runner.shutdown(1000)


@pytest.fixture
def served(http_server: Any) -> Any:
    for name in ("news.html", "blog-code.html", "login.html"):
        http_server.page(f"/{name}", (PAGES / name).read_bytes())
    return http_server


def wait_for_clips(qtbot: Any, library: Library, n: int) -> None:
    qtbot.waitUntil(lambda: library.count() >= n, timeout=15000)


def fill(library: Library, n: int, tags: list[str] | None = None) -> None:
    for i in range(n):
        text = f"Article number {i} about gardens and rivers."
        art = Article(title=f"Clip {i}", html=f"<p>{text}</p>", text=text, url=f"https://e.com/{i}")
        library.add(art, tags=tags or [])


def test_empty_library_shows_the_how_to_panel(window: MainWindow) -> None:
    assert window.list_stack.currentWidget() is window.empty_panel
    assert window.count_label.text() == "0 clips"


def test_paste_a_url_clips_it_and_opens_it(qtbot: Any, window: MainWindow, served: Any) -> None:
    QGuiApplication.clipboard().setText(served.url("/news.html"))
    window.view.setFocus()
    window.acts.paste_clip.trigger()
    wait_for_clips(qtbot, window.library, 1)
    qtbot.waitUntil(lambda: window.model.total == 1 and window.reader.clip is not None)
    assert window.list_stack.currentWidget() is window.view
    clip = window.reader.clip
    assert clip is not None and "news.html" in (clip.url or "")
    assert window.library.get(clip.id).read  # opening marks it read
    assert "Clipped" in window.statusBar().currentMessage()


def test_ctrl_v_in_a_text_field_pastes_text_not_a_clip(qtbot: Any, window: MainWindow) -> None:
    QGuiApplication.clipboard().setText("hello")
    window.search_field.setFocus()
    qtbot.keyClick(window.search_field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.search_field.text() == "hello"
    assert window.runner.jobs() == []


def test_enter_in_the_clip_field_clips_and_duplicates_are_recognised(
    qtbot: Any, window: MainWindow, served: Any
) -> None:
    for _ in range(2):
        qtbot.keyClicks(window.clip_field, served.url("/blog-code.html"))
        qtbot.keyClick(window.clip_field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not window.runner.active_jobs(), timeout=15000)
    assert window.library.count() == 1
    assert "Already in your library" in window.statusBar().currentMessage()
    assert window.selected_ids() == window.library.all_ids()


def drop(window: MainWindow, mime: QMimeData) -> None:
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def test_drop_links_html_and_files(qtbot: Any, window: MainWindow, served: Any) -> None:
    links = QMimeData()
    links.setUrls([QUrl(served.url("/news.html")), QUrl(served.url("/blog-code.html"))])
    drop(window, links)
    wait_for_clips(qtbot, window.library, 2)
    selection = QMimeData()
    words = " ".join(f"selected{i}" for i in range(40))
    fragment = "".join(f"<p>Paragraph {k} copied from a browser: {words}.</p>" for k in range(6))
    selection.setHtml(f"<meta charset='utf-8'><h1>A selection</h1>{fragment}")
    selection.setData("text/x-moz-url", "https://example.org/picked\nTitle".encode("utf-16-le"))
    drop(window, selection)
    files = QMimeData()
    files.setUrls(
        [QUrl.fromLocalFile(str(PAGES / "note.md")), QUrl.fromLocalFile(str(PAGES / "docs.html"))]
    )
    drop(window, files)
    wait_for_clips(qtbot, window.library, 5)
    urls = {c.url for c in window.library.get_many(window.library.all_ids())}
    assert "https://example.org/picked" in urls


def test_failed_clip_is_reported_with_retry(qtbot: Any, window: MainWindow, served: Any) -> None:
    from clipper.gui.jobs import ClipRequest

    job = window.runner.submit(ClipRequest("url", served.url("/login.html")))
    qtbot.waitUntil(lambda: job.state == "failed", timeout=15000)
    assert "No article found" in window.statusBar().currentMessage()
    assert window.queue_view.isVisible()
    assert "No article found" in window.jobs_model.data(window.jobs_model.index(0, 0))
    assert window.library.count() == 0
    retried = window.runner.retry(job)
    qtbot.waitUntil(lambda: retried.state == "failed", timeout=15000)
    window.acts.clear_finished.trigger()
    assert not window.queue_view.isVisible()


def test_cancel_a_hanging_fetch(qtbot: Any, window: MainWindow, http_server: Any) -> None:
    from clipper.gui.jobs import ClipRequest

    def hang(handler: Any) -> None:
        http_server.stopping.wait(30)

    http_server.route("/hang", hang)
    job = window.runner.submit(ClipRequest("url", http_server.url("/hang")))
    qtbot.waitUntil(lambda: job.state == "fetching", timeout=5000)
    job.cancel()
    qtbot.waitUntil(lambda: job.state == "cancelled", timeout=1500)


def test_search_filters_the_list(qtbot: Any, window: MainWindow) -> None:
    fill(window.library, 30)
    window.library.add(
        Article(title="Volcanoes", html="<p>Lava.</p>", text="Lava and ash.", url="https://v.org/1")
    )
    window.reload_views()
    assert window.model.total == 31
    qtbot.keyClicks(window.search_field, "lava")
    qtbot.waitUntil(lambda: window.model.total == 1, timeout=2000)
    assert window.count_label.text() == "1 of 31 clips"
    window.search_field.setText('tag: "unbalanced')
    qtbot.waitUntil(lambda: window.search_hint.isVisible(), timeout=2000)


def test_tag_edits_update_sidebar_counts(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clipper.gui import dialogs

    fill(window.library, 3, tags=["old"])
    window.reload_views()
    window.view.selectAll()

    def accept(self: Any) -> int:
        self.add_text("fresh, second")
        self.remove_tag("old")
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(dialogs.TagEditorDialog, "exec", accept)
    window.acts.edit_tags.trigger()
    assert window.sidebar.count_for("tag:fresh") == 3 or "fresh" in window.sidebar.tag_names()
    assert {t.name: t.count for t in window.library.tags()}["fresh"] == 3
    assert "old" not in [t.name for t in window.library.tags() if t.count]


def test_favourite_read_delete(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(window.library, 2)
    window.reload_views()
    window.view.selectRow(0)
    clip_id = window.selected_ids()[0]
    window.acts.favourite.trigger()
    assert window.library.get(clip_id).favourite
    window.acts.toggle_read.trigger()
    assert not window.library.get(clip_id).read
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.acts.delete.trigger()
    assert window.library.count() == 1


def test_copy_as_markdown(window: MainWindow) -> None:
    fill(window.library, 1, tags=["x"])
    window.reload_views()
    window.view.selectRow(0)
    window.acts.copy_markdown.trigger()
    assert QGuiApplication.clipboard().text().startswith("---\ntitle: Clip 0")


def test_unexpected_exception_opens_the_crash_dialog(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from clipper.gui import app, dialogs

    log_file = tmp_path / "clipper.log"
    log_file.write_text("line one\nline two: the last thing that happened\n")
    shown: list[str] = []
    monkeypatch.setattr(dialogs.CrashDialog, "exec", lambda self: shown.append(self.details()) or 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app.install_excepthook(log_file)
    try:
        raise ValueError("boom")
    except ValueError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    assert shown and "ValueError: boom" in shown[0] and "the last thing" in shown[0]
    assert window.isVisible()


def test_ctrl_v_with_the_reader_focused_clips(qtbot: Any, window: MainWindow) -> None:
    QGuiApplication.clipboard().setText("Some words worth keeping as a note of their own.")
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [job.request.kind for job in window.runner.jobs()] == ["text"]
