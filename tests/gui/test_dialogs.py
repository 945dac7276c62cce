"""Tag editor, preferences, crash report and the empty-library panel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from clipper.core.settings import Settings, load_settings, save_settings
from clipper.gui.dialogs import (
    CrashDialog,
    EmptyLibraryPanel,
    PreferencesDialog,
    TagEditorDialog,
    log_tail,
)

# The offscreen platform cannot pass a window's minimum size (set by its layout) on, and
# says so with a warning whenever a dialog is shown; that is the test platform, not us.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

EXISTING = ["Python", "Reading", "recipes", "news"]


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)


def grab(widget: QWidget, path: Path) -> None:
    image = widget.grab().toImage()
    assert image.save(str(path))
    assert image.width() > 100 and image.height() > 100


# --- tag editor ---------------------------------------------------------------------------


@pytest.fixture
def editor(qtbot: QtBot) -> TagEditorDialog:
    dialog = TagEditorDialog(EXISTING, ["Python", "Reading"], clip_count=3)
    show(qtbot, dialog)
    return dialog


def test_tag_editor_lists_the_common_tags(editor: TagEditorDialog) -> None:
    assert editor.tags() == ["Python", "Reading"]
    assert editor.list_label.text() == "Tags on all 3 clips:"
    assert editor.tag_list.count() == 2
    assert editor.result_changes() == ([], [])
    assert not editor.empty_label.isVisible()


def test_tag_editor_remove_buttons(qtbot: QtBot, editor: TagEditorDialog) -> None:
    row = editor.tag_list.itemWidget(editor.tag_list.item(1))
    assert row.remove_button.accessibleName() == "Remove tag Reading"  # type: ignore[attr-defined]
    qtbot.mouseClick(row.remove_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert editor.tags() == ["Python"]
    assert editor.result_changes() == ([], ["Reading"])
    editor.remove_tag("python")  # any case
    assert editor.tags() == []
    assert editor.empty_label.isVisible()
    assert editor.result_changes() == ([], ["Python", "Reading"])


def test_tag_editor_adds_comma_separated_names(editor: TagEditorDialog) -> None:
    assert editor.add_text(" news,  python , Later ,, later") == ["news", "Later"]
    assert editor.tags() == ["Python", "Reading", "news", "Later"]
    editor.remove_tag("Reading")
    editor.add_text("READING")  # put back under another spelling: no change at all
    assert editor.result_changes() == (["news", "Later"], [])


def test_enter_adds_what_is_typed_without_closing(qtbot: QtBot, editor: TagEditorDialog) -> None:
    editor.tag_input.setFocus()
    qtbot.keyClicks(editor.tag_input, "to read, ideas")  # nothing to complete: no popup
    qtbot.keyClick(editor.tag_input, Qt.Key.Key_Return)
    assert editor.isVisible()
    assert editor.tags() == ["Python", "Reading", "to read", "ideas"]
    assert editor.tag_input.text() == ""
    # Enter on an empty line is the dialog's OK.
    qtbot.keyClick(editor.tag_input, Qt.Key.Key_Return)
    assert editor.result() == QDialog.DialogCode.Accepted


def test_ok_keeps_what_is_still_typed(editor: TagEditorDialog) -> None:
    editor.tag_input.setText("later")
    editor.accept()
    assert editor.result_changes() == (["later"], [])


def test_tag_completion_is_case_insensitive_and_per_name(editor: TagEditorDialog) -> None:
    completer = editor.completer
    assert completer.names() == ["news", "Python", "Reading", "recipes"]
    assert completer.caseSensitivity() == Qt.CaseSensitivity.CaseInsensitive
    assert completer.splitPath("news, RE") == ["RE"]
    completer.setCompletionPrefix(completer.splitPath("news, ")[0])
    assert completer.completionCount() == 0  # nothing typed after the comma yet
    editor.tag_input.setText("news, RE")
    completer.setCompletionPrefix("RE")
    found = completer.completionModel()
    assert [found.index(i, 0).data() for i in range(found.rowCount())] == ["Reading", "recipes"]
    completer.setCurrentRow(0)
    assert completer.pathFromIndex(completer.currentIndex()) == "news, Reading"
    editor.tag_input.setText("py")
    completer.setCompletionPrefix("py")
    assert completer.pathFromIndex(completer.currentIndex()) == "Python"


# The popup also asks the offscreen platform for raise() and a keyboard grab it lacks.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing|propagateSizeHints)")
def test_typing_completes_the_last_name(qtbot: QtBot, editor: TagEditorDialog) -> None:
    editor.tag_input.setFocus()
    qtbot.keyClicks(editor.tag_input, "news, re")
    completer = editor.completer
    found = completer.completionModel()
    assert [found.index(i, 0).data() for i in range(found.rowCount())] == ["Reading", "recipes"]
    completer.popup().hide()


def test_one_clip_without_tags(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = TagEditorDialog([], [])
    show(qtbot, dialog)
    assert dialog.list_label.text() == "Tags on this clip:"
    assert dialog.empty_label.isVisible()
    grab(dialog, tmp_path / "tags-empty.png")


def test_tag_editor_renders(editor: TagEditorDialog, tmp_path: Path) -> None:
    grab(editor, tmp_path / "tags.png")


# --- preferences --------------------------------------------------------------------------

EDITED = Settings(
    library_path="/home/me/Notes/library.sqlite3",
    fetch_timeout=12.5,
    max_page_mb=42.0,
    export_filename_template="{date} {title}",
    export_folder="/home/me/Exports",
    reader_font="sans",
    reader_size=21,
    theme="dark",
    extra={"window": {"width": 900}},
)


def test_preferences_round_trip_every_field(qtbot: QtBot) -> None:
    dialog = PreferencesDialog(EDITED)
    qtbot.addWidget(dialog)
    assert dialog.settings() == EDITED
    assert dialog.settings() is not EDITED
    assert dialog.font_combo.currentText() == "Sans serif"
    assert dialog.theme_combo.currentText() == "Dark"
    assert dialog.timeout_spin.value() == 12.5
    assert dialog.size_spin.value() == 21


def test_preferences_edits_come_back(qtbot: QtBot) -> None:
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.library_edit.setText("  /tmp/other.sqlite3 ")
    dialog.timeout_spin.setValue(1000)  # clamped to the range
    dialog.page_size_spin.setValue(0.1)
    dialog.export_edit.setText("/tmp/out")
    dialog.font_combo.setCurrentIndex(dialog.font_combo.findData("sans"))
    dialog.size_spin.setValue(24)
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("light"))
    got = dialog.settings()
    assert got.library_path == "/tmp/other.sqlite3"
    assert (got.fetch_timeout, got.max_page_mb) == (300.0, 1.0)
    assert got.export_folder == "/tmp/out"
    assert (got.reader_font, got.reader_size, got.theme) == ("sans", 24, "light")
    assert got.export_filename_template == Settings().export_filename_template


def test_preferences_show_defaults_for_odd_values(qtbot: QtBot) -> None:
    dialog = PreferencesDialog(Settings(reader_font="comic", theme="neon", reader_size=99))
    qtbot.addWidget(dialog)
    got = dialog.settings()
    assert (got.reader_font, got.theme, got.reader_size) == ("serif", "system", 32)


def test_preferences_mention_the_restart(qtbot: QtBot) -> None:
    dialog = PreferencesDialog(Settings())
    show(qtbot, dialog)
    assert "next time Clipper starts" in dialog.restart_note.text()
    assert dialog.restart_note.isVisible()


def test_preferences_browse_buttons(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = PreferencesDialog(Settings())
    show(qtbot, dialog)
    asked: list[str] = []

    def library_file(start: str) -> str | None:
        asked.append(start)
        return "/tmp/chosen.sqlite3"

    monkeypatch.setattr(dialog, "_choose_library_file", library_file)
    monkeypatch.setattr(dialog, "_choose_export_folder", lambda start: None)  # cancelled
    dialog.export_edit.setText("/tmp/kept")
    qtbot.mouseClick(dialog.library_browse, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.export_browse, Qt.MouseButton.LeftButton)
    assert asked == [""]
    assert dialog.settings().library_path == "/tmp/chosen.sqlite3"
    assert dialog.settings().export_folder == "/tmp/kept"


def test_preferences_file_dialogs_are_not_native(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    files = dialog.file_dialog("Library", str(tmp_path), folder=False)
    folders = dialog.file_dialog("Export", str(tmp_path), folder=True)
    for chooser in (files, folders):
        assert chooser.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert files.fileMode() == QFileDialog.FileMode.AnyFile
    assert folders.fileMode() == QFileDialog.FileMode.Directory
    assert "*.sqlite3" in files.nameFilters()[0]


def test_new_settings_fields_are_saved_and_loaded(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(EDITED, path)
    assert load_settings(path) == EDITED
    assert Settings().reader_size == 17 and Settings().theme == "system"
    assert Settings().reader_font == "serif" and Settings().export_folder == ""


def test_preferences_render(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = PreferencesDialog(EDITED)
    show(qtbot, dialog)
    grab(dialog, tmp_path / "preferences.png")


# --- crash dialog -------------------------------------------------------------------------


def write_log(path: Path, lines: int) -> Path:
    path.write_text(
        "".join(f"2024-05-01 10:00:00 INFO clipper: line {n}\n" for n in range(1, lines + 1)),
        encoding="utf-8",
    )
    return path


def test_crash_dialog_shows_the_summary_and_log_tail(qtbot: QtBot, tmp_path: Path) -> None:
    log = write_log(tmp_path / "clipper.log", 100)
    dialog = CrashDialog("ValueError: the parser fell over", log)
    show(qtbot, dialog)
    assert "did not expect. Your library is safe." in dialog.message_label.text()
    assert dialog.summary_label.text() == "ValueError: the parser fell over"
    shown = dialog.log_view.toPlainText().splitlines()
    assert len(shown) == 60
    assert shown[0].endswith("line 41") and shown[-1].endswith("line 100")
    assert dialog.log_view.isReadOnly()
    grab(dialog, tmp_path / "crash.png")


def test_copy_details_puts_everything_on_the_clipboard(qtbot: QtBot, tmp_path: Path) -> None:
    log = write_log(tmp_path / "clipper.log", 5)
    dialog = CrashDialog("KeyError: 'title'", log)
    show(qtbot, dialog)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "KeyError: 'title'" in copied
    assert "line 1\n" in copied and copied.rstrip().endswith("line 5")
    assert copied.startswith("Clipper ")
    assert dialog.copy_button.text() == "Copied"


def test_crash_dialog_without_a_log(qtbot: QtBot, tmp_path: Path) -> None:
    missing = CrashDialog("boom", tmp_path / "nope.log")
    none = CrashDialog("boom", None)
    for dialog in (missing, none):
        qtbot.addWidget(dialog)
        assert dialog.log_view.toPlainText() == "(The log is empty.)"
    assert none.log_label.text() == "No log file."
    qtbot.mouseClick(none.buttons.buttons()[-1], Qt.MouseButton.LeftButton)


def test_log_tail_reads_only_the_end_of_a_big_log(tmp_path: Path) -> None:
    log = write_log(tmp_path / "big.log", 20_000)
    tail = log_tail(log, 3).splitlines()
    assert [line.rsplit(" ", 1)[1] for line in tail] == ["19998", "19999", "20000"]
    everything = log_tail(log, 10_000).splitlines()
    assert all(line.startswith("2024-05-01") for line in everything)  # no cut-off first line
    assert log_tail(None) == ""


# --- empty library ------------------------------------------------------------------------


def test_empty_library_panel(qtbot: QtBot, tmp_path: Path) -> None:
    panel = EmptyLibraryPanel()
    panel.resize(700, 450)
    show(qtbot, panel)
    assert panel.title_label.text() == "Your library is empty"
    assert panel.title_label.font().pointSizeF() > panel.font().pointSizeF()
    assert panel.title_label.foregroundRole() == QPalette.ColorRole.PlaceholderText
    texts = [label.text() for label in panel.hint_labels]
    assert texts[0].startswith("Paste a link (") and "V" in texts[0]
    assert texts[1] == "Drop a page or a link here"
    assert texts[2] == "Type a link in the box above and press Enter"
    assert texts[3].startswith("Open a saved page: File → Open (")
    grab(panel, tmp_path / "empty.png")
