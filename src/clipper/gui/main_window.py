"""The main window: composes the widgets; the work is done by clipper.core."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clipper import APP_ID, APP_NAME
from clipper.core.clipping import ClipOptions
from clipper.core.errors import ClipperError
from clipper.core.library import Clip, Library
from clipper.core.secrets import LoginStore
from clipper.core.settings import Settings, save_settings
from clipper.gui.actions import build_actions, build_menus, clip_context_menu
from clipper.gui.commands import Commands
from clipper.gui.dialogs import EmptyLibraryPanel
from clipper.gui.jobs import ClipJob, ClipRequest, JobListModel, JobRunner
from clipper.gui.library_model import Column, LibraryModel
from clipper.gui.mime import accepts, requests_from_mime
from clipper.gui.reader import ReaderView
from clipper.gui.sidebar import Sidebar

log = logging.getLogger(__name__)
SEARCH_DELAY_MS = 180
# Shown on request (right-click the header); the list pane is narrow by default.
HIDDEN_COLUMNS = (Column.AUTHOR, Column.CLIPPED, Column.WORDS)


class MainWindow(QMainWindow):
    """Clip field and search on top; sidebar, clip list and reader below."""

    def __init__(self, library: Library, settings: Settings | None = None) -> None:
        super().__init__()
        self.library = library
        self.settings = settings or Settings()
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self.runner = JobRunner(library, self._clip_options, self)
        self.commands = Commands(self)
        self._build_top_bar()
        self._build_views()
        self._build_queue()
        self._build_layout()
        self.acts = build_actions(self, self.commands)
        zoom = [
            self.reader.zoom_in_action,
            self.reader.zoom_out_action,
            self.reader.reset_zoom_action,
        ]
        build_menus(self, self.acts, zoom)
        self._build_status()
        self._connect()
        self._restore_state()
        self.reload_views()
        # Start on the list (or the empty panel), not a text field, so Ctrl+V clips at once.
        self.list_stack.currentWidget().setFocus()

    # -- building --------------------------------------------------------------------------

    def _build_top_bar(self) -> None:
        self.clip_field = QLineEdit()
        self.clip_field.setPlaceholderText("Paste a link or drop a page")
        self.clip_field.setAccessibleName("Link to clip")
        self.clip_field.setClearButtonEnabled(True)
        self.clip_button = QPushButton("Clip")
        self.clip_button.setAccessibleName("Clip the link")
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText('Search  (words, "phrase", tag:x, site:y, -word)')
        self.search_field.setAccessibleName("Search the library")
        self.search_field.setClearButtonEnabled(True)
        self.search_hint = QLabel()
        self.search_hint.setAccessibleName("Search message")
        self.search_hint.setStyleSheet("color: palette(placeholder-text);")
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)

    def _build_views(self) -> None:
        self.sidebar = Sidebar(self.library)
        self.model = LibraryModel(self.library, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Clips")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.verticalHeader().hide()
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setAcceptDrops(False)
        self.view.setDragEnabled(True)  # drag clips out as .md files
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        for column, width in ((Column.SITE, 130), (Column.AUTHOR, 130), (Column.TAGS, 120)):
            self.view.setColumnWidth(column, width)
        for column in HIDDEN_COLUMNS:
            self.view.setColumnHidden(column, True)
        self.empty_panel = EmptyLibraryPanel()
        self.empty_panel.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.view)
        self.list_stack.addWidget(self.empty_panel)
        self.reader = ReaderView(
            font=self.settings.reader_font, font_size=self.settings.reader_size
        )
        self.reader.setAccessibleName("Reader")

    def _build_queue(self) -> None:
        self.jobs_model = JobListModel(self.runner, self)
        self.queue_view = QListView()
        self.queue_view.setModel(self.jobs_model)
        self.queue_view.setAccessibleName("Clipping queue")
        self.queue_view.setMaximumHeight(96)
        self.queue_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.queue_view.setVisible(False)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.clip_field, 3)
        top.addWidget(self.clip_button)
        top.addSpacing(16)
        top.addWidget(self.search_field, 2)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.list_stack, 1)
        centre_layout.addWidget(self.queue_view)
        self.content_split = QSplitter(Qt.Orientation.Horizontal)
        self.content_split.addWidget(centre)
        self.content_split.addWidget(self.reader)
        self.content_split.setStretchFactor(0, 1)
        self.content_split.setStretchFactor(1, 1)
        self.content_split.setSizes([520, 560])
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(self.sidebar)
        self.main_split.addWidget(self.content_split)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setSizes([200, 1080])
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addWidget(self.search_hint)
        layout.addWidget(self.main_split, 1)
        self.search_hint.setVisible(False)
        self.setCentralWidget(body)

    def _build_status(self) -> None:
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Library size")
        self.statusBar().addPermanentWidget(self.count_label)

    def _connect(self) -> None:
        self.clip_field.returnPressed.connect(self._clip_typed)
        self.clip_button.clicked.connect(self._clip_typed)
        self.search_field.textChanged.connect(lambda _t: self._search_timer.start())
        self._search_timer.timeout.connect(self._run_search)
        self.model.query_warnings.connect(self._show_query_warnings)
        self.model.total_changed.connect(lambda _n: self._update_counts())
        self.sidebar.filter_changed.connect(self.model.set_filter)
        self.sidebar.tags_changed.connect(self.reload_views)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.activated.connect(lambda index: self.open_clip_at(index.row()))
        self.view.customContextMenuRequested.connect(self._list_menu)
        self.view.installEventFilter(self)
        self.reader.font_size_changed.connect(self._remember_font_size)
        self.runner.job_finished.connect(self._job_finished)
        self.runner.job_failed.connect(self._job_failed)
        self.runner.job_changed.connect(self._job_changed)
        self.runner.queue_changed.connect(self._queue_changed)
        self.runner.job_removed.connect(lambda _job: self._queue_changed())
        self.queue_view.customContextMenuRequested.connect(self._queue_menu)

    # -- state -----------------------------------------------------------------------------

    def _qsettings(self) -> QSettings:
        return QSettings(APP_ID, APP_ID)

    def _restore_state(self) -> None:
        qs = self._qsettings()
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("main_split", self.main_split.restoreState),
            ("content_split", self.content_split.restoreState),
            ("header", self.view.horizontalHeader().restoreState),
        ):
            value = qs.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        below = qs.value("reader_below", False, type=bool)
        self.acts.reader_below.setChecked(bool(below))
        self.set_reader_below(bool(below))

    def _save_state(self) -> None:
        qs = self._qsettings()
        qs.setValue("geometry", self.saveGeometry())
        qs.setValue("main_split", self.main_split.saveState())
        qs.setValue("content_split", self.content_split.saveState())
        qs.setValue("header", self.view.horizontalHeader().saveState())
        qs.setValue("reader_below", self.acts.reader_below.isChecked())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_state()
        self.runner.shutdown(1000)
        super().closeEvent(event)

    def _clip_options(self) -> ClipOptions:
        return ClipOptions(
            timeout=self.settings.fetch_timeout,
            max_bytes=self.settings.max_page_bytes,
            auth_for=LoginStore().headers_for,  # touches the keyring only for login sites
        )

    def _remember_font_size(self, size: int) -> None:
        self.settings.reader_size = size
        self.save_settings()

    def save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.show_status(f"Could not save settings: {exc.strerror or exc}.", error=True)

    # -- what commands call ----------------------------------------------------------------

    def clip_sources(self, sources: list[str]) -> None:
        """Clip files or links handed over on the command line or by another launch."""
        for source in sources:
            self.runner.submit(ClipRequest("url", source))  # the core tells links from files
        if self.isVisible():
            self.showNormal()
            self.raise_()
            self.activateWindow()

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        return self.model.ids_for_rows(rows)

    def show_status(self, message: str, *, error: bool = False) -> None:
        self.statusBar().showMessage(message, 0 if error else 6000)
        if error:
            log.info("Shown to the user: %s", message)

    def reload_views(self) -> None:
        self.model.refresh()
        self.sidebar.reload(self.library)
        self._update_counts()

    def _update_counts(self) -> None:
        total = self.library.count()
        self.list_stack.setCurrentWidget(self.empty_panel if total == 0 else self.view)
        shown = self.model.total
        text = f"{total:,} clips" if shown == total else f"{shown:,} of {total:,} clips"
        self.count_label.setText(text)

    def open_clip_at(self, row: int) -> None:
        clip_id = self.model.ids_for_rows([row])
        if clip_id:
            self.open_clip(clip_id[0])

    def open_clip(self, clip_id: int, *, mark_read: bool = True) -> None:
        try:
            clip = self.library.get(clip_id)
        except ClipperError as exc:
            self.show_status(str(exc), error=True)
            return
        self.reader.show_clip(clip)
        if mark_read and not clip.read:
            self.library.set_read([clip_id])
            self.reload_views()

    def select_clip(self, clip_id: int) -> None:
        row = self.model.row_of(clip_id)
        if row is None:  # not in the current filter: show everything
            self.search_field.clear()
            self.sidebar.select("all")
            self.model.set_filter("")
            self.model.set_query("")
            row = self.model.row_of(clip_id)
        if row is not None:
            self.view.selectRow(row)
            self.view.scrollTo(self.model.index(row, 0))

    def confirm_delete(self, clips: list[Clip]) -> bool:
        what = f"“{clips[0].title}”" if len(clips) == 1 else f"{len(clips)} clips"
        answer = QMessageBox.question(
            self,
            "Delete",
            f"Delete {what}? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def set_reader_below(self, below: bool) -> None:
        orientation = Qt.Orientation.Vertical if below else Qt.Orientation.Horizontal
        self.content_split.setOrientation(orientation)

    def edit_preferences(self) -> None:
        from clipper.gui.dialogs import PreferencesDialog
        from clipper.gui.theme import apply_theme

        dialog = PreferencesDialog(self.settings, self)
        if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
            return
        self.settings = dialog.settings()
        self.save_settings()
        self.reader.set_font_kind(self.settings.reader_font)
        self.reader.set_font_size(self.settings.reader_size)
        app = self._app()
        if app is not None:
            apply_theme(app, self.settings.theme)

    @staticmethod
    def _app():  # type: ignore[no-untyped-def]
        from PySide6.QtWidgets import QApplication

        return QApplication.instance()

    # -- slots -----------------------------------------------------------------------------

    def _clip_typed(self) -> None:
        text = self.clip_field.text().strip()
        if not text:
            self.clip_field.setFocus()
            return
        # the core decides: a link, a bare domain, a file: link or a path
        self.runner.submit(ClipRequest("url", text))
        self.clip_field.clear()

    def _run_search(self) -> None:
        self.model.set_query(self.search_field.text())

    def _show_query_warnings(self, warnings: list[str]) -> None:
        self.search_hint.setText(" ".join(warnings))
        self.search_hint.setVisible(bool(warnings))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.open_clip_at(current.row())

    def _list_menu(self, pos: object) -> None:
        clip_context_menu(self, self.acts).exec(self.view.viewport().mapToGlobal(pos))

    def _header_menu(self, pos: object) -> None:
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        for column in Column:
            if column == Column.TITLE:
                continue
            name = self.model.headerData(column, Qt.Orientation.Horizontal)
            action = menu.addAction(str(name))
            action.setCheckable(True)
            action.setChecked(not self.view.isColumnHidden(column))
            action.toggled.connect(lambda on, c=column: self.view.setColumnHidden(c, not on))
        menu.exec(self.view.horizontalHeader().mapToGlobal(pos))  # type: ignore[arg-type]

    def _job_changed(self, job: ClipJob) -> None:
        self.show_status(f"{job.request.label}: {job.message}")

    def _job_finished(self, job: ClipJob) -> None:
        result = job.result
        if result is None:
            return
        self.reload_views()
        self.select_clip(result.clip.id)
        if result.status == "updated":
            self.show_status(f"Already in your library: “{result.clip.title}” (updated).")
        else:
            self.show_status(f"Clipped “{result.clip.title}”.")

    def _job_failed(self, job: ClipJob) -> None:
        self.show_status(f"Could not clip {job.request.label}: {job.message}", error=True)
        self.queue_view.setVisible(True)

    def _queue_changed(self) -> None:
        # the queue shows while something is under way or needs the user's attention
        worth_showing = any(job.state != "done" for job in self.runner.jobs())
        self.queue_view.setVisible(worth_showing)

    def _queue_menu(self, pos: object) -> None:
        from PySide6.QtWidgets import QMenu

        index = self.queue_view.indexAt(pos)  # type: ignore[arg-type]
        job = self.jobs_model.job_at(index.row()) if index.isValid() else None
        menu = QMenu(self)
        if job is not None and not job.finished:
            menu.addAction("Cancel", job.cancel)
        if job is not None and job.state in ("failed", "cancelled"):
            menu.addAction("Retry", lambda: self.runner.retry(job))
        menu.addAction(self.acts.clear_finished)
        menu.exec(self.queue_view.viewport().mapToGlobal(pos))  # type: ignore[arg-type]

    # -- input -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.commands.open_current()
            return True
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if accepts(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if accepts(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        requests = requests_from_mime(event.mimeData())
        for request in requests:
            self.runner.submit(request)
        if requests:
            event.acceptProposedAction()
