"""The sidebar: the library's sections (all, unread, favourites) and its tags, with counts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QInputDialog,
    QMenu,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from clipper.core import tags as tagnames
from clipper.core.errors import ClipperError
from clipper.core.library import Library
from clipper.core.query import tag_fragment

log = logging.getLogger(__name__)

# Characters the search language reads as part of a bare word (``*``, brackets and
# quotes mean something there, so names with them are quoted).
_LibraryCall = Callable[[Library], object]
_KEY_ROLE = Qt.ItemDataRole.UserRole
_COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
_HEADING_ROLE = Qt.ItemDataRole.UserRole + 2
_PADDING = 10  # px left and right of a row's text


@dataclass(frozen=True)
class _Section:
    key: str  # what identifies the row across reloads
    label: str
    fragment: str  # the query fragment the row stands for


_SECTIONS = (
    _Section("all", "All clips", ""),
    _Section("unread", "Unread", "is:unread"),
    _Section("fav", "Favourites", "is:fav"),
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class Sidebar(QTreeWidget):
    """Sections and tags with their counts; choosing one emits a query fragment.

    Signals: ``filter_changed(str)`` with "", "is:unread", "is:fav" or a ``tag:`` fragment;
    ``tags_changed()`` after a tag was renamed, merged or deleted from the context menu.
    Dialogs go through :meth:`_ask_text`, :meth:`_ask_item`, :meth:`_confirm` and
    :meth:`_warn`, which tests override.
    """

    filter_changed = Signal(str)
    tags_changed = Signal()

    def __init__(self, library: Library | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._tag_counts: dict[str, int] = {}
        self._current_key = "all"
        self._build_view()
        self._build_signals()
        self.reload(library)

    def _build_view(self) -> None:
        self.setAccessibleName("Library sections and tags")
        self.setAccessibleDescription("Choose which clips the list shows")
        self.setColumnCount(1)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.setItemDelegate(_RowDelegate(self))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def _build_signals(self) -> None:
        self.currentItemChanged.connect(self._on_current_changed)
        self.customContextMenuRequested.connect(self._on_context_menu)

    # -- contents -------------------------------------------------------------------------

    def reload(self, library: Library | None = None) -> None:
        """Rebuild rows and counts from the library, keeping the chosen row if it still exists.

        If the chosen tag is gone, "All clips" is chosen and filter_changed("") is emitted.
        """
        if library is not None:
            self._library = library
        previous = self._current_key
        self.blockSignals(True)
        try:
            self.clear()
            self._tag_counts = {}
            if self._library is not None:
                self._add_rows(self._library)
            item = self._item_for(previous) or self._item_for("all")
            if item is not None:
                self.setCurrentItem(item)
            self._current_key = self._key_of(item) if item else "all"
        finally:
            self.blockSignals(False)
        if self._current_key != previous:
            self.filter_changed.emit(self.current_fragment())

    def _add_rows(self, library: Library) -> None:
        counts = {
            "all": library.count(),
            "unread": library.search("is:unread", limit=0).total,
            "fav": library.search("is:fav", limit=0).total,
        }
        for section in _SECTIONS:
            self._add_row(section.label, counts[section.key], section.key)
        tags = library.tags()
        self._add_heading("Tags" if tags else "No tags yet")
        for tag in sorted(tags, key=lambda t: (t.name.casefold(), t.name)):
            self._tag_counts[tag.name] = tag.count
            self._add_row(tag.name, tag.count, f"tag:{tag.name}")

    def _add_row(self, label: str, count: int, key: str) -> None:
        item = QTreeWidgetItem(self, [label])
        item.setData(0, _KEY_ROLE, key)
        item.setData(0, _COUNT_ROLE, count)
        item.setData(0, Qt.ItemDataRole.ToolTipRole, f"{label}: {_plural(count, 'clip')}")
        item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, _plural(count, "clip"))

    def _add_heading(self, label: str) -> None:
        item = QTreeWidgetItem(self, [label])
        # Not enabled: a label that clicks and the arrow keys pass over.
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setData(0, _HEADING_ROLE, True)

    def _item_for(self, key: str) -> QTreeWidgetItem | None:
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            if self._key_of(item) == key:
                return item
        return None

    @staticmethod
    def _key_of(item: QTreeWidgetItem | None) -> str:
        if item is None:
            return ""
        return str(item.data(0, _KEY_ROLE) or "")

    # -- choosing -------------------------------------------------------------------------

    def current_fragment(self) -> str:
        """The query fragment of the chosen row."""
        return _fragment_for(self._current_key)

    def current_tag(self) -> str | None:
        """The chosen tag's name, or None when a section is chosen."""
        key = self._current_key
        return key[4:] if key.startswith("tag:") else None

    def tag_names(self) -> list[str]:
        """The tags listed, in order."""
        return list(self._tag_counts)

    def count_for(self, key: str) -> int | None:
        """The count shown for "all", "unread", "fav" or "tag:<name>" (None if not listed)."""
        item = self._item_for(key)
        return int(item.data(0, _COUNT_ROLE)) if item else None

    def select(self, key: str) -> bool:
        """Choose "all", "unread", "fav" or "tag:<name>"; False if there is no such row."""
        item = self._item_for(key)
        if item is None:
            return False
        self.setCurrentItem(item)
        return True

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_current_changed(
        self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None
    ) -> None:
        key = self._key_of(current)
        if not key:  # the "Tags" heading: stay where we were
            if previous is not None:
                self.blockSignals(True)
                self.setCurrentItem(previous)
                self.blockSignals(False)
            return
        if key != self._current_key:
            self._current_key = key
            self.filter_changed.emit(self.current_fragment())

    # -- tag actions ----------------------------------------------------------------------

    @Slot(QPoint)
    def _on_context_menu(self, pos: QPoint) -> None:
        key = self._key_of(self.itemAt(pos))
        if key.startswith("tag:"):
            self.tag_menu(key[4:]).exec(self.viewport().mapToGlobal(pos))

    def tag_menu(self, name: str) -> QMenu:
        """The context menu for one tag: Rename…, Merge into…, Delete."""
        menu = QMenu(self)
        menu.setAccessibleName(f"Tag {name}")
        for text, slot in (
            ("Rename…", lambda: self.rename_tag(name)),
            ("Merge into…", lambda: self.merge_tag(name)),
            ("Delete", lambda: self.delete_tag(name)),
        ):
            action = QAction(text, menu)
            action.triggered.connect(slot)
            menu.addAction(action)
        return menu

    def rename_tag(self, name: str) -> bool:
        """Ask for a new name and rename (onto another tag's name merges, after asking)."""
        new = self._ask_text("Rename tag", f"New name for the tag “{name}”:", name)
        new = tagnames.clean(new or "")
        if not new or new == name or self._library is None:
            return False
        existing = self._existing_tag(new)
        if existing is not None and tagnames.key(existing) != tagnames.key(name):
            question = (
                f"There is already a tag called “{existing}”. Merge “{name}” into it? "
                f"Clips tagged “{name}” will be tagged “{existing}”."
            )
            if not self._confirm("Merge tags", question):
                return False
            new = existing
        return self._change(lambda lib: lib.rename_tag(name, new), name, new)

    def merge_tag(self, name: str) -> bool:
        """Ask for another tag and move every clip tagged ``name`` onto it."""
        others = [t for t in self._tag_counts if tagnames.key(t) != tagnames.key(name)]
        if not others or self._library is None:
            self._warn("Merge tag", "There is no other tag to merge into.")
            return False
        target = self._ask_item("Merge tag", f"Merge the tag “{name}” into:", others)
        if not target or target not in others:
            return False
        return self._change(lambda lib: lib.merge_tags(name, target), name, target)

    def delete_tag(self, name: str) -> bool:
        """Ask, then take the tag off every clip (the clips are kept)."""
        if self._library is None:
            return False
        count = self._tag_counts.get(name, 0)
        question = (
            f"Delete the tag “{name}”? It is on {_plural(count, 'clip')}; "
            "the clips themselves are kept."
        )
        if not self._confirm("Delete tag", question):
            return False
        return self._change(lambda lib: lib.delete_tag(name), name, None)

    def _existing_tag(self, name: str) -> str | None:
        wanted = tagnames.key(name)
        return next((t for t in self._tag_counts if tagnames.key(t) == wanted), None)

    def _change(self, call: _LibraryCall, old: str, new: str | None) -> bool:
        """Run a tag change; follow the chosen tag to its new name, then reload and tell."""
        assert self._library is not None
        try:
            call(self._library)
        except ClipperError as exc:
            self._warn("Tags", str(exc))
            self.reload()
            return False
        if self._current_key == f"tag:{old}" and new is not None:
            # The chosen tag lives on under its new name: keep it chosen, with a new filter.
            self._current_key = f"tag:{new}"
            self.reload()
            self.filter_changed.emit(self.current_fragment())
        else:
            self.reload()
        self.tags_changed.emit()
        return True

    # -- dialogs (overridden in tests) ----------------------------------------------------

    def _ask_text(self, title: str, label: str, text: str) -> str | None:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value if ok else None

    def _ask_item(self, title: str, label: str, items: list[str]) -> str | None:
        value, ok = QInputDialog.getItem(self, title, label, items, 0, False)
        return value if ok else None

    def _confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes

    def _warn(self, title: str, message: str) -> None:
        QMessageBox.information(self, title, message)


class _RowDelegate(QStyledItemDelegate):
    """Draws a row: name on the left, its count muted on the right; headings small and muted."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        height = option.fontMetrics.height()
        if index.data(_HEADING_ROLE):
            return QSize(0, height * 2 + 2)  # air above a section heading
        return QSize(0, height + 10)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        rect = opt.rect.adjusted(_PADDING, 0, -_PADDING, 0)
        painter.save()
        if index.data(_HEADING_ROLE):
            self._paint_heading(painter, opt, rect, muted_colour)
        else:
            self._paint_row(painter, opt, rect, index, text_colour, muted_colour)
        painter.restore()

    @staticmethod
    def _paint_heading(
        painter: QPainter, opt: QStyleOptionViewItem, rect: QRect, colour: QColor
    ) -> None:
        font = QFont(opt.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(colour)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
        painter.drawText(rect.adjusted(0, 0, 0, -4), flags, opt.text)

    @staticmethod
    def _paint_row(
        painter: QPainter,
        opt: QStyleOptionViewItem,
        rect: QRect,
        index: QModelIndex | QPersistentModelIndex,
        text_colour: QColor,
        muted_colour: QColor,
    ) -> None:
        count = str(index.data(_COUNT_ROLE) or 0)
        metrics = opt.fontMetrics
        count_width = metrics.horizontalAdvance(count)
        painter.setFont(opt.font)
        painter.setPen(muted_colour)
        centre = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | centre, count)
        name_width = rect.width() - count_width - _PADDING
        name = metrics.elidedText(opt.text, Qt.TextElideMode.ElideRight, max(0, name_width))
        painter.setPen(text_colour)
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | centre, name)


def _fragment_for(key: str) -> str:
    if key.startswith("tag:"):
        return tag_fragment(key[4:])
    return next((s.fragment for s in _SECTIONS if s.key == key), "")
