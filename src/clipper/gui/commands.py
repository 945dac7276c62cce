"""What the window's actions do to clips: thin calls into clipper.core."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QWidget,
)

from clipper import APP_NAME, __version__
from clipper.core.errors import ClipperError
from clipper.core.export.batch import ExportRequest
from clipper.core.library import Clip
from clipper.gui.jobs import ClipRequest
from clipper.gui.mime import requests_from_mime

if TYPE_CHECKING:
    from clipper.gui.main_window import MainWindow

log = logging.getLogger(__name__)
OPEN_FILTER = "Saved pages and notes (*.html *.htm *.xhtml *.mhtml *.mht *.txt *.md);;All files (*)"


class EditClipDialog(QDialog):
    """Edit a clip's title and note."""

    def __init__(self, clip: Clip, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit Clip")
        self.resize(520, 300)
        self.title_edit = QLineEdit(clip.title)
        self.title_edit.setAccessibleName("Title")
        self.note_edit = QPlainTextEdit(clip.note)
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setPlaceholderText("Your own notes about this clip (searchable)")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Title:", self.title_edit)
        form.addRow("&Note:", self.note_edit)
        form.addRow(buttons)


class Commands:
    """Slots for the window's actions. Each works on the selected clips."""

    def __init__(self, window: MainWindow) -> None:
        self.w = window

    # -- helpers ---------------------------------------------------------------------------

    @property
    def library(self):  # type: ignore[no-untyped-def]
        return self.w.library

    def _selected(self) -> list[Clip]:
        return self.library.get_many(self.w.selected_ids(), body=True)

    def _changed(self, message: str = "") -> None:
        self.w.reload_views()
        if message:
            self.w.show_status(message)

    def _guard(self, work):  # type: ignore[no-untyped-def]
        """Run work; a user-level error is shown in the status bar, never a traceback."""
        try:
            return work()
        except ClipperError as exc:
            self.w.show_status(str(exc), error=True)
            return None

    # -- getting things in -----------------------------------------------------------------

    def paste_as_clip(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        requests = requests_from_mime(mime) if mime is not None else []
        if not requests:
            self.w.show_status("The clipboard holds nothing to clip.", error=True)
        for request in requests:
            self.w.runner.submit(request)

    def open_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.w, "Open Saved Pages", "", OPEN_FILTER)
        for path in paths:
            self.w.runner.submit(ClipRequest("file", path))

    def focus_clip_field(self) -> None:
        self.w.clip_field.setFocus()
        self.w.clip_field.selectAll()

    def focus_search(self) -> None:
        self.w.search_field.setFocus()
        self.w.search_field.selectAll()

    # -- one or many clips -----------------------------------------------------------------

    def open_current(self) -> None:
        ids = self.w.selected_ids()
        if ids:
            self.w.open_clip(ids[0])

    def copy_link(self) -> None:
        links = [c.url or c.canonical_url for c in self._selected() if c.url or c.canonical_url]
        if links:
            QGuiApplication.clipboard().setText("\n".join(str(u) for u in links))
            self.w.show_status(f"Copied {len(links)} link{'s' if len(links) != 1 else ''}.")

    def copy_markdown(self) -> None:
        from clipper.core.export.markdown import clip_to_markdown

        clips = self._selected()
        if clips:
            QGuiApplication.clipboard().setText("\n\n".join(clip_to_markdown(c) for c in clips))
            self.w.show_status(
                f"Copied {len(clips)} clip{'s' if len(clips) != 1 else ''} as Markdown."
            )

    def edit_tags(self) -> None:
        from clipper.gui.dialogs import TagEditorDialog

        clips = self._selected()
        if not clips:
            return
        common = set.intersection(*(set(c.tags) for c in clips))
        ordered = [t for t in clips[0].tags if t in common]
        names = [t.name for t in self.library.tags()]
        dialog = TagEditorDialog(names, ordered, len(clips), self.w)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        add, remove = dialog.result_changes()
        ids = [c.id for c in clips]
        self._guard(
            lambda: (self.library.add_tags(ids, add), self.library.remove_tags(ids, remove))
        )
        self._changed("Tags updated.")

    def edit_clip(self) -> None:
        clips = self._selected()
        if not clips:
            return
        dialog = EditClipDialog(clips[0], self.w)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        clip_id = clips[0].id
        self._guard(lambda: self.library.set_title(clip_id, dialog.title_edit.text()))
        self._guard(lambda: self.library.set_note(clip_id, dialog.note_edit.toPlainText()))
        self._changed()
        self.w.open_clip(clip_id, mark_read=False)

    def delete_clips(self) -> None:
        clips = self._selected()
        if not clips or not self.w.confirm_delete(clips):
            return
        n = self._guard(lambda: self.library.delete([c.id for c in clips]))
        self.w.reader.clear_clip()
        self._changed(f"Deleted {n} clip{'s' if n != 1 else ''}.")

    def toggle_favourite(self) -> None:
        clips = self._selected()
        if clips:
            value = not all(c.favourite for c in clips)
            self._guard(lambda: self.library.set_favourite([c.id for c in clips], value))
            self._changed("Added to favourites." if value else "Removed from favourites.")

    def toggle_read(self) -> None:
        clips = self._selected()
        if clips:
            value = not all(c.read for c in clips)
            self._guard(lambda: self.library.set_read([c.id for c in clips], value))
            self._changed("Marked read." if value else "Marked unread.")

    def reextract(self) -> None:
        from clipper.core.clipping import reextract

        ids = self.w.selected_ids()
        if not ids:
            return
        report = reextract(self.library, ids)
        self._changed(
            f"Re-extracted {len(report.updated)}; {len(report.skipped)} had no stored page; "
            f"{len(report.failed)} failed."
        )
        self.w.open_clip(ids[0], mark_read=False)

    def open_original(self) -> None:
        for clip in self._selected()[:10]:  # a mis-click must not open a thousand tabs
            if clip.url:
                QDesktopServices.openUrl(QUrl(clip.url))

    def export(self) -> None:
        from clipper.gui.export_dialog import ExportDialog

        scopes = {
            "Selected clips": self.w.selected_ids(),
            "Clips shown in the list": self.library.search_ids(self.w.model.query_text),
            "The whole library": self.library.all_ids(),
        }
        settings = self.w.settings
        dialog = ExportDialog(
            scopes, settings.export_folder, settings.export_filename_template, self.w
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        request = dialog.request()
        self.run_export(request)
        folder = request.folder or (request.combine.parent if request.combine else None)
        if folder is not None and str(folder) != settings.export_folder:
            settings.export_folder = str(folder)
            self.w.save_settings()

    def run_export(self, request: ExportRequest) -> list[Path]:
        """Export with a progress bar and Cancel; the result is said in the status bar."""
        from clipper.core.export.batch import export_clips
        from clipper.core.export.common import ExportCancelled

        total = len(request.ids)
        bar = QProgressDialog(f"Exporting {total:,} clips…", "Cancel", 0, total, self.w)
        bar.setWindowModality(Qt.WindowModality.WindowModal)
        bar.setMinimumDuration(400)

        def progress(done: int, _total: int) -> bool:
            bar.setValue(done)
            QApplication.processEvents()
            return not bar.wasCanceled()

        written: list[Path] = []
        try:
            written = export_clips(self.library, request, progress)
        except ExportCancelled as stop:
            self.w.show_status(f"Export cancelled; {len(stop.written)} file(s) were written.")
            return stop.written
        except ClipperError as exc:
            self.w.show_status(str(exc), error=True)
        else:
            where = written[0] if request.combine else request.folder
            self.w.show_status(f"Exported {total:,} clip{'s' if total != 1 else ''} to {where}.")
        finally:
            bar.close()
        return written

    # -- window ----------------------------------------------------------------------------

    def preferences(self) -> None:
        self.w.edit_preferences()

    def toggle_reader_below(self) -> None:
        self.w.set_reader_below(self.w.acts.reader_below.isChecked())

    def clear_finished(self) -> None:
        self.w.runner.clear_finished()

    def about(self) -> None:
        QMessageBox.about(
            self.w,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3><p>Keep what you read on the web.</p>"
            f"<p>Library: {self.library.path}</p>",
        )
