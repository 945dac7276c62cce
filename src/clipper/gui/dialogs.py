"""Dialogs and panels: tag editor, preferences, crash report, empty library."""

from __future__ import annotations

import dataclasses
import platform
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QStringListModel, Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clipper import APP_NAME, __version__
from clipper.core import tags as tagnames
from clipper.core.settings import Settings
from clipper.gui.reader import MAX_FONT_SIZE, MIN_FONT_SIZE

LOG_TAIL_LINES = 60
_LOG_TAIL_BYTES = 64 * 1024  # plenty for 60 lines; never read a whole large log


def _muted(label: QLabel) -> QLabel:
    """Draw a label in the palette's muted text colour (follows light/dark)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setBold(bold)
    return font


# --- Tags ---------------------------------------------------------------------------------


_MATCHES_NOTHING = "\x00"  # no tag name holds a NUL


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, ignoring case."""

    def __init__(self, names: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setModel(QStringListModel(sorted(names, key=str.casefold), self))
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def splitPath(self, path: str) -> list[str]:
        """Complete only the part after the last comma."""
        part = path.rsplit(",", 1)[-1].lstrip()
        # Right after a comma nothing is typed yet; offering every tag then is just noise.
        return [part or _MATCHES_NOTHING]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        """Put the chosen name in place of the part being typed, keeping earlier tags."""
        chosen = str(index.data(Qt.ItemDataRole.EditRole) or "")
        widget = self.widget()
        typed = widget.text() if isinstance(widget, QLineEdit) else ""
        head = typed.rsplit(",", 1)[0] + ", " if "," in typed else ""
        return head + chosen

    def names(self) -> list[str]:
        """Every name the completer offers."""
        model = self.model()
        assert isinstance(model, QStringListModel)
        return model.stringList()


class TagEditorDialog(QDialog):
    """Edit the tags of one or more clips.

    Shows the tags every chosen clip has, each with a remove button, and a line to add tags
    (comma-separated, with completion over existing names). :meth:`result_changes` says
    what to add and what to remove; the window applies it to the library.
    """

    def __init__(
        self,
        existing_tags: Sequence[str],
        common_tags: Sequence[str],
        clip_count: int = 1,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._original = tagnames.clean_all(common_tags)
        self._tags: list[str] = []
        self._clip_count = clip_count
        self.setWindowTitle("Edit Tags")
        self.resize(420, 360)
        self._build_list()
        self._build_input(existing_tags)
        self._build_buttons()
        self._build_layout()
        for name in self._original:
            self._append(name)

    def _build_list(self) -> None:
        many = self._clip_count > 1
        text = f"Tags on all {self._clip_count} clips:" if many else "Tags on this clip:"
        self.list_label = QLabel(text)
        self.tag_list = QListWidget()
        self.tag_list.setAccessibleName("Tags")
        self.tag_list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.list_label.setBuddy(self.tag_list)
        self.empty_label = _muted(QLabel("No tags yet."))

    def _build_input(self, existing_tags: Sequence[str]) -> None:
        self.tag_input = QLineEdit()
        self.tag_input.setPlaceholderText("Add tags, separated by commas")
        self.tag_input.setAccessibleName("Add tags")
        self.tag_input.setClearButtonEnabled(True)
        self.completer = TagCompleter(existing_tags, self)
        self.tag_input.setCompleter(self.completer)
        self.tag_input.installEventFilter(self)
        self.add_button = QPushButton("Add")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._add_typed)

    def _build_buttons(self) -> None:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _build_layout(self) -> None:
        add_row = QHBoxLayout()
        add_row.addWidget(self.tag_input, 1)
        add_row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list_label)
        layout.addWidget(self.tag_list, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(add_row)
        layout.addWidget(self.buttons)

    # -- editing --------------------------------------------------------------------------

    def tags(self) -> list[str]:
        """The tags as they stand in the dialog."""
        return list(self._tags)

    def add_text(self, text: str) -> list[str]:
        """Add the comma-separated names in text; returns those that were new."""
        have = {tagnames.key(t) for t in self._tags}
        added = [n for n in tagnames.clean_all(text.split(",")) if tagnames.key(n) not in have]
        for name in added:
            self._append(name)
        return added

    def remove_tag(self, name: str) -> None:
        """Take a tag off the list."""
        wanted = tagnames.key(name)
        for row in range(self.tag_list.count()):
            item = self.tag_list.item(row)
            if tagnames.key(str(item.data(Qt.ItemDataRole.UserRole))) == wanted:
                self.tag_list.takeItem(row)
                break
        self._tags = [t for t in self._tags if tagnames.key(t) != wanted]
        self._update_empty()

    def result_changes(self) -> tuple[list[str], list[str]]:
        """(tags to add to every clip, tags to remove from every clip)."""
        before = {tagnames.key(t) for t in self._original}
        after = {tagnames.key(t) for t in self._tags}
        to_add = [t for t in self._tags if tagnames.key(t) not in before]
        to_remove = [t for t in self._original if tagnames.key(t) not in after]
        return to_add, to_remove

    def accept(self) -> None:
        """Whatever is still typed counts too."""
        self._add_typed()
        super().accept()

    def _add_typed(self) -> None:
        if self.tag_input.text().strip():
            self.add_text(self.tag_input.text())
        self.tag_input.clear()

    def _append(self, name: str) -> None:
        self._tags.append(name)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, name)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, name)
        row = _TagRow(name, self.remove_tag)
        item.setSizeHint(row.sizeHint())
        self.tag_list.addItem(item)
        self.tag_list.setItemWidget(item, row)
        self._update_empty()

    def _update_empty(self) -> None:
        self.empty_label.setVisible(not self._tags)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the tag line adds what is typed (instead of closing the dialog)."""
        if (
            watched is self.tag_input
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.tag_input.text().strip()
        ):
            self._add_typed()
            return True
        return super().eventFilter(watched, event)


class _TagRow(QWidget):
    """One tag in the editor: its name and a button that removes it."""

    def __init__(self, name: str, on_remove: Callable[[str], None]) -> None:
        super().__init__()
        label = QLabel(name)
        button = QToolButton()
        button.setText("✕")
        button.setAutoRaise(True)
        button.setToolTip(f"Remove the tag “{name}”")
        button.setAccessibleName(f"Remove tag {name}")
        button.clicked.connect(lambda: on_remove(name))
        self.remove_button = button
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 1, 2, 1)
        layout.addWidget(label, 1)
        layout.addWidget(button)


# --- Preferences --------------------------------------------------------------------------

_FONTS = (("Serif", "serif"), ("Sans serif", "sans"))
_THEMES = (("Same as the system", "system"), ("Light", "light"), ("Dark", "dark"))


class PreferencesDialog(QDialog):
    """Edit a copy of the settings; :meth:`settings` returns it (the window saves it)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = dataclasses.replace(settings, extra=dict(settings.extra))
        self.setWindowTitle("Preferences")
        self.resize(560, 0)
        self._build_library()
        self._build_fetching()
        self._build_export()
        self._build_reading()
        self._build_layout()
        self._load(self._settings)

    def _build_library(self) -> None:
        self.library_edit = QLineEdit()
        self.library_edit.setAccessibleName("Library file")
        self.library_edit.setPlaceholderText("The default location")
        self.library_browse = QPushButton("Browse…")
        self.library_browse.setAccessibleName("Browse for the library file")
        self.library_browse.clicked.connect(self._browse_library)
        self.restart_note = _muted(
            QLabel("A new library location is used the next time Clipper starts.")
        )
        self.restart_note.setWordWrap(True)

    def _build_fetching(self) -> None:
        self.timeout_spin = QDoubleSpinBox()
        self.timeout_spin.setRange(1.0, 300.0)
        self.timeout_spin.setDecimals(1)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setAccessibleName("Fetch timeout in seconds")
        self.page_size_spin = QDoubleSpinBox()
        self.page_size_spin.setRange(1.0, 500.0)
        self.page_size_spin.setDecimals(1)
        self.page_size_spin.setSuffix(" MB")
        self.page_size_spin.setAccessibleName("Largest page to download, in megabytes")
        from clipper.gui.logins_dialog import open_site_logins

        self.logins_button = QPushButton("Site logins…")
        self.logins_button.setToolTip("Logins for sites you subscribe to, kept in your keyring")
        self.logins_button.clicked.connect(lambda: open_site_logins(self))

    def _build_export(self) -> None:
        self.export_edit = QLineEdit()
        self.export_edit.setAccessibleName("Default export folder")
        self.export_edit.setPlaceholderText("Ask every time")
        self.export_browse = QPushButton("Browse…")
        self.export_browse.setAccessibleName("Browse for the export folder")
        self.export_browse.clicked.connect(self._browse_export)
        self.template_edit = QLineEdit()
        self.template_edit.setAccessibleName("Export file name template")
        self.template_edit.setToolTip("For example {date} {title}; also {site}, {author}, {id}")
        self.fields_edit = QLineEdit()
        self.fields_edit.setAccessibleName("Markdown front matter fields")
        self.fields_edit.setToolTip(
            "Space-separated: title url author date site tags description clipped language "
            "id word_count"
        )

    def _build_reading(self) -> None:
        self.font_combo = _combo(_FONTS, "Reader font")
        self.size_spin = QSpinBox()
        self.size_spin.setRange(MIN_FONT_SIZE, MAX_FONT_SIZE)
        self.size_spin.setSuffix(" px")
        self.size_spin.setAccessibleName("Reader text size in pixels")
        self.theme_combo = _combo(_THEMES, "Theme")

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow("&Library file:", _row(self.library_edit, self.library_browse))
        form.addRow("", self.restart_note)
        form.addRow("Fetch &timeout:", self.timeout_spin)
        form.addRow("Largest &page:", self.page_size_spin)
        form.addRow("Sites behind a login:", self.logins_button)
        form.addRow("&Export folder:", _row(self.export_edit, self.export_browse))
        form.addRow("File &names:", self.template_edit)
        form.addRow("Markdown front &matter:", self.fields_edit)
        form.addRow("Reader &font:", self.font_combo)
        form.addRow("Reader text &size:", self.size_spin)
        form.addRow("T&heme:", self.theme_combo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def _load(self, settings: Settings) -> None:
        self.library_edit.setText(settings.library_path)
        self.timeout_spin.setValue(settings.fetch_timeout)
        self.page_size_spin.setValue(settings.max_page_mb)
        self.export_edit.setText(settings.export_folder)
        self.template_edit.setText(settings.export_filename_template)
        self.fields_edit.setText(" ".join(settings.export_fields))
        _choose(self.font_combo, settings.reader_font)
        self.size_spin.setValue(settings.reader_size)
        _choose(self.theme_combo, settings.theme)

    def settings(self) -> Settings:
        """A copy of the settings with the dialog's values."""
        return dataclasses.replace(
            self._settings,
            library_path=self.library_edit.text().strip(),
            fetch_timeout=float(self.timeout_spin.value()),
            max_page_mb=float(self.page_size_spin.value()),
            export_folder=self.export_edit.text().strip(),
            export_filename_template=self.template_edit.text().strip() or "{title}",
            export_fields=self.fields_edit.text().replace(",", " ").split()
            or list(Settings().export_fields),
            reader_font=str(self.font_combo.currentData()),
            reader_size=int(self.size_spin.value()),
            theme=str(self.theme_combo.currentData()),
            extra=dict(self._settings.extra),
        )

    # -- choosing files (overridden in tests) ---------------------------------------------

    def _browse_library(self) -> None:
        chosen = self._choose_library_file(self.library_edit.text())
        if chosen:
            self.library_edit.setText(chosen)

    def _browse_export(self) -> None:
        chosen = self._choose_export_folder(self.export_edit.text())
        if chosen:
            self.export_edit.setText(chosen)

    def _choose_library_file(self, start: str) -> str | None:
        return _run_file_dialog(self.file_dialog("Choose the Library File", start, folder=False))

    def _choose_export_folder(self, start: str) -> str | None:
        return _run_file_dialog(self.file_dialog("Choose the Export Folder", start, folder=True))

    def file_dialog(self, title: str, start: str, *, folder: bool) -> QFileDialog:
        """A Qt (not native) file dialog, so it looks and behaves the same everywhere."""
        dialog = QFileDialog(self, title, start)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        if folder:
            dialog.setFileMode(QFileDialog.FileMode.Directory)
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        else:
            dialog.setFileMode(QFileDialog.FileMode.AnyFile)  # a new file is fine too
            dialog.setNameFilters(["Clipper libraries (*.sqlite3 *.sqlite *.db)", "All files (*)"])
        return dialog


def _run_file_dialog(dialog: QFileDialog) -> str | None:
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.selectedFiles():
            return dialog.selectedFiles()[0]
        return None
    finally:
        dialog.deleteLater()


def _combo(choices: Sequence[tuple[str, str]], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for label, value in choices:
        combo.addItem(label, value)
    return combo


def _choose(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(0, index))  # an unknown stored value shows the default


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if index == 0 else 0)
    return holder


# --- Crash report -------------------------------------------------------------------------


def log_tail(log_file: Path | None, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of the log file ("" when there is none or it cannot be read)."""
    if log_file is None:
        return ""
    try:
        with log_file.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - _LOG_TAIL_BYTES))
            data = fh.read()
    except OSError:
        return ""
    all_lines = data.decode("utf-8", errors="replace").splitlines()
    if size > _LOG_TAIL_BYTES:
        all_lines = all_lines[1:]  # the first line was cut in the middle
    return "\n".join(all_lines[-lines:])


class CrashDialog(QDialog):
    """Tells the user something unexpected happened, with details to copy into a report."""

    def __init__(self, summary: str, log_file: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._summary = summary
        self._log = log_tail(log_file)
        self.setWindowTitle(f"{APP_NAME}: Unexpected Problem")
        self.resize(640, 480)
        self._build_message()
        self._build_log(log_file)
        self._build_buttons()
        self._build_layout()

    def _build_message(self) -> None:
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.icon_label = QLabel()
        self.icon_label.setPixmap(icon.pixmap(40, 40))
        self.message_label = QLabel(
            f"{APP_NAME} ran into a problem it did not expect. Your library is safe."
        )
        self.message_label.setFont(_scaled_font(self, 1.1, bold=True))
        self.message_label.setWordWrap(True)
        self.summary_label = QLabel(self._summary)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setAccessibleName("What went wrong")

    def _build_log(self, log_file: Path | None) -> None:
        where = f"Recent entries from the log ({log_file}):" if log_file else "No log file."
        self.log_label = _muted(QLabel(where))
        self.log_label.setWordWrap(True)
        self.log_view = QPlainTextEdit(self._log or "(The log is empty.)")
        self.log_view.setReadOnly(True)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.log_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log_view.setAccessibleName("Recent log entries")
        self.log_view.verticalScrollBar().setValue(self.log_view.verticalScrollBar().maximum())

    def _build_buttons(self) -> None:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy Details")
        self.copy_button.setToolTip("Copy the problem and the log, to paste into a bug report")
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        self.buttons.rejected.connect(self.reject)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.addWidget(self.message_label)
        text.addWidget(self.summary_label)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addWidget(self.log_label)
        layout.addWidget(self.log_view, 1)
        layout.addWidget(self.buttons)

    def details(self) -> str:
        """What "Copy details" puts on the clipboard: versions, the problem, the log tail."""
        versions = (
            f"{APP_NAME} {__version__}, Python {platform.python_version()}, "
            f"PySide6 {pyside_version}, {platform.platform()} ({sys.platform})"
        )
        return f"{versions}\n\n{self._summary}\n\n--- log ---\n{self._log}\n"

    def copy_details(self) -> None:
        """Copy the details to the clipboard."""
        QGuiApplication.clipboard().setText(self.details())
        self.copy_button.setText("Copied")


# --- Empty library ------------------------------------------------------------------------


def _native(keys: str) -> str:
    """A shortcut as the platform writes it (Ctrl+V, or ⌘V on macOS)."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


class EmptyLibraryPanel(QWidget):
    """What the window shows while the library has no clips: how to add the first one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Your library is empty")
        self._build_labels()
        self._build_layout()

    def _build_labels(self) -> None:
        self.title_label = _muted(QLabel("Your library is empty"))
        self.title_label.setFont(_scaled_font(self, 1.9))
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.intro_label = _muted(QLabel("To keep something to read:"))
        self.intro_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_labels = [QLabel(text) for text in self.hints()]
        for label in self.hint_labels:
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setFont(_scaled_font(self, 1.1))

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title_label)
        layout.addSpacing(18)
        layout.addWidget(self.intro_label)
        layout.addSpacing(6)
        for label in self.hint_labels:
            layout.addWidget(label)
            layout.addSpacing(4)
        layout.addStretch(3)

    @staticmethod
    def hints() -> list[str]:
        """The ways to add a clip, one sentence each."""
        return [
            f"Paste a link ({_native('Ctrl+V')})",
            "Drop a page or a link here",
            "Type a link in the box above and press Enter",
            f"Open a saved page: File → Open ({_native('Ctrl+O')})",
        ]


__all__ = [
    "CrashDialog",
    "EmptyLibraryPanel",
    "PreferencesDialog",
    "TagCompleter",
    "TagEditorDialog",
    "log_tail",
]
