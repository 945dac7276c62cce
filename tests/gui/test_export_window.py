"""Exporting from the window: the dialog, progress with Cancel, dragging clips out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl

from clipper.core.article import Article
from clipper.core.export.batch import ExportRequest
from clipper.core.library import Library
from clipper.core.settings import Settings
from clipper.gui.export_dialog import ExportDialog
from clipper.gui.main_window import MainWindow


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Any:
    lib = Library(tmp_path / "lib.sqlite3")
    for i in range(6):
        text = f"Clip number {i} is about rivers, bridges and the towns between them."
        lib.add(
            Article(title=f"Clip {i}", html=f"<p>{text}</p>", text=text, url=f"https://e.com/{i}")
        )
    w = MainWindow(lib, Settings())
    qtbot.addWidget(w)
    w.show()
    yield w
    w.runner.shutdown(1000)
    lib.close()


def test_dialog_builds_requests(qtbot: Any, tmp_path: Path) -> None:
    scopes = {"Selected clips": [3], "Clips shown in the list": [1, 2, 3], "The whole library": []}
    dialog = ExportDialog(scopes, str(tmp_path), "{title}")
    qtbot.addWidget(dialog)
    assert not dialog.scope_buttons.button(2).isEnabled()  # nothing to export there
    request = dialog.request()
    assert request.ids == [3] and request.format == "md" and request.folder == tmp_path
    dialog.scope_buttons.button(1).setChecked(True)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("pdf"))
    dialog.combine_button.setChecked(True)
    request = dialog.request()
    assert request.ids == [1, 2, 3] and request.folder is None
    assert request.combine is not None and request.combine.suffix == ".pdf"
    assert request.combine.parent == tmp_path
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("json"))
    assert dialog.combined and not dialog.each_button.isEnabled()
    assert dialog.request().combine.suffix == ".json"  # type: ignore[union-attr]


def test_export_with_progress_and_cancel(window: MainWindow, tmp_path: Path) -> None:
    ids = window.library.all_ids()
    written = window.commands.run_export(ExportRequest(ids=ids, folder=tmp_path / "md"))
    assert len(written) == 6 and all(p.suffix == ".md" for p in written)
    assert "Exported 6 clips" in window.statusBar().currentMessage()
    calls = {"n": 0}
    from PySide6.QtWidgets import QProgressDialog

    def cancel_after_two(self: QProgressDialog) -> bool:
        calls["n"] += 1
        return calls["n"] >= 2

    original = QProgressDialog.wasCanceled
    QProgressDialog.wasCanceled = cancel_after_two  # type: ignore[method-assign]
    try:
        partial = window.commands.run_export(ExportRequest(ids=ids, folder=tmp_path / "part"))
    finally:
        QProgressDialog.wasCanceled = original  # type: ignore[method-assign]
    assert len(partial) == 2 and len(list((tmp_path / "part").iterdir())) == 2
    assert "cancelled" in window.statusBar().currentMessage()


def test_dragging_rows_gives_markdown_files(window: MainWindow) -> None:
    model = window.model
    mime = model.mimeData([model.index(0, 0), model.index(1, 2), model.index(1, 0)])
    paths = [Path(QUrl(u).toLocalFile()) for u in mime.urls()]
    assert len(paths) == 2 and all(p.suffix == ".md" and p.exists() for p in paths)
    assert paths[0].read_text().startswith("---\ntitle: ")
    assert mime.text().count("---\ntitle: ") == 2
