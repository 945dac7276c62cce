"""Every menu action of the main window, with its shortcut and accessible text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


@dataclass
class Actions:
    """The window's actions, by name, so tests and menus share them."""

    open_file: QAction
    export: QAction
    preferences: QAction
    quit: QAction
    paste_clip: QAction
    focus_clip: QAction
    focus_search: QAction
    copy_link: QAction
    copy_markdown: QAction
    edit_tags: QAction
    edit_clip: QAction
    delete: QAction
    open_clip: QAction
    favourite: QAction
    toggle_read: QAction
    reextract: QAction
    open_original: QAction
    reader_below: QAction
    clear_finished: QAction
    about: QAction


def _action(
    window: QMainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: Shortcut = None,
    tip: str = "",
) -> QAction:
    action = QAction(text, window)
    if isinstance(shortcut, QKeySequence.StandardKey):
        action.setShortcuts(shortcut)
    elif shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip)
    action.setToolTip(tip or text.replace("&", "").rstrip("…"))
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)  # shortcuts work even when no menu is open
    return action


def build_actions(w: QMainWindow, c: object) -> Actions:
    """Create the actions; ``c`` has the slots (the window's commands)."""
    g = c.__getattribute__
    a = Actions(
        open_file=_action(
            w,
            "&Open Saved Page…",
            g("open_files"),
            QKeySequence.StandardKey.Open,
            "Clip saved pages (.html, .mhtml) and notes (.txt, .md)",
        ),
        export=_action(
            w,
            "&Export…",
            g("export"),
            "Ctrl+E",
            "Export clips to Markdown, PDF, HTML, EPUB or a JSON backup",
        ),
        preferences=_action(w, "&Preferences…", g("preferences"), "Ctrl+,"),
        quit=_action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit),
        paste_clip=_action(
            w,
            "&Paste as Clip",
            g("paste_as_clip"),
            QKeySequence.StandardKey.Paste,
            "Clip the link, page or text on the clipboard",
        ),
        focus_clip=_action(w, "Clip a &Link…", g("focus_clip_field"), "Ctrl+L"),
        focus_search=_action(w, "&Search", g("focus_search"), QKeySequence.StandardKey.Find),
        copy_link=_action(w, "Copy &Link", g("copy_link"), "Ctrl+Shift+L"),
        copy_markdown=_action(w, "Copy as &Markdown", g("copy_markdown"), "Ctrl+Shift+C"),
        edit_tags=_action(w, "Edit &Tags…", g("edit_tags"), "Ctrl+T"),
        edit_clip=_action(w, "Edit Title and &Note…", g("edit_clip"), "F2"),
        delete=_action(w, "&Delete", g("delete_clips"), QKeySequence.StandardKey.Delete),
        open_clip=_action(w, "&Read", g("open_current")),
        favourite=_action(w, "&Favourite", g("toggle_favourite"), "Ctrl+D"),
        toggle_read=_action(w, "Mark Read/&Unread", g("toggle_read"), "Ctrl+U"),
        reextract=_action(
            w,
            "&Re-extract",
            g("reextract"),
            None,
            "Rebuild the clip from the page kept when it was clipped",
        ),
        open_original=_action(w, "Open &Original in Browser", g("open_original"), "Ctrl+Shift+O"),
        reader_below=_action(w, "Reader &Below the List", g("toggle_reader_below")),
        clear_finished=_action(w, "&Clear Finished Clippings", g("clear_finished")),
        about=_action(w, "&About Clipper", g("about")),
    )
    a.reader_below.setCheckable(True)
    return a


def build_menus(window: QMainWindow, a: Actions, zoom: list[QAction]) -> dict[str, QMenu]:
    """The menu bar: File, Edit, Clip, View, Help. ``zoom`` are the reader's own actions."""
    bar = window.menuBar()
    layout: dict[str, list[QAction | None]] = {
        "&File": [a.open_file, a.focus_clip, None, a.export, None, a.preferences, None, a.quit],
        "&Edit": [a.paste_clip, a.copy_link, a.copy_markdown, None, a.focus_search],
        "&Clip": [
            a.open_clip,
            a.open_original,
            None,
            a.edit_tags,
            a.edit_clip,
            a.favourite,
            a.toggle_read,
            a.reextract,
            None,
            a.delete,
        ],
        "&View": [a.reader_below, None, *zoom, None, a.clear_finished],
        "&Help": [a.about],
    }
    menus = {}
    for title, items in layout.items():
        menu = bar.addMenu(title)
        for item in items:
            menu.addSeparator() if item is None else menu.addAction(item)
        menus[title.replace("&", "")] = menu
    return menus


def clip_context_menu(window: QMainWindow, a: Actions) -> QMenu:
    """The list's right-click menu."""
    menu = QMenu(window)
    for item in (
        a.open_clip,
        a.open_original,
        None,
        a.edit_tags,
        a.edit_clip,
        a.favourite,
        a.toggle_read,
        None,
        a.copy_link,
        a.copy_markdown,
        a.export,
        a.reextract,
        None,
        a.delete,
    ):
        menu.addSeparator() if item is None else menu.addAction(item)
    return menu
