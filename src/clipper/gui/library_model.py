"""The clip list: a table model over the library's search results.

The model keeps only the ordered list of matching clip ids. Rows are read from the library
in blocks when a view first asks for them and kept in a bounded cache, so a library of
100,000 clips opens at once and scrolls smoothly without holding every clip in memory.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QFont

from clipper.core.errors import ClipperError
from clipper.core.library import Clip, Library
from clipper.core.query import parse_query

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex
_Role = Qt.ItemDataRole


class Column(IntEnum):
    """The table's columns, in order."""

    TITLE = 0
    SITE = 1
    AUTHOR = 2
    PUBLISHED = 3
    CLIPPED = 4
    TAGS = 5
    WORDS = 6


HEADERS = ("Title", "Site", "Author", "Published", "Clipped", "Tags", "Words")
# Column -> the core's sort key. Tags have no order of their own, so they sort by title.
SORT_KEYS = {
    Column.TITLE: "title",
    Column.SITE: "site",
    Column.AUTHOR: "author",
    Column.PUBLISHED: "published",
    Column.CLIPPED: "newest",
    Column.TAGS: "title",
    Column.WORDS: "words",
}
BLOCK_SIZE = 200
CACHE_LIMIT = 5000
# A refresh that would remove rows in more separate runs than this resets the model instead:
# past that point one reset is cheaper for the views than many small removals.
_MAX_REMOVED_RUNS = 64
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class LibraryModel(QAbstractTableModel):
    """Clips matching the search box and the sidebar filter, in the chosen order.

    ``ClipIdRole`` gives a row's clip id (without loading the clip), ``ClipRole`` the
    ``Clip`` itself (summary fields only: no body).
    """

    ClipIdRole = _Role.UserRole + 1
    ClipRole = _Role.UserRole + 2

    query_warnings = Signal(list)  # list[str]: parts of the search that were ignored, and why
    total_changed = Signal(int)

    def __init__(
        self,
        library: Library,
        parent: QObject | None = None,
        *,
        block_size: int = BLOCK_SIZE,
        cache_limit: int = CACHE_LIMIT,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self._block_size = max(1, block_size)
        self._cache_limit = max(cache_limit, self._block_size)
        self._query = ""
        self._filter = ""
        self._sort_column: Column | None = None  # None until the user picks a column
        self._descending = False
        self._warnings: list[str] = []
        self._cache: OrderedDict[int, Clip | None] = OrderedDict()  # id -> clip, LRU order
        self._row_by_id: dict[int, int] | None = None  # built when first asked for
        self._bold: QFont | None = None
        self._ids = self._search()

    # -- what the window calls ---------------------------------------------------------

    def set_query(self, text: str) -> None:
        """Search with the text of the search box (the core's query language)."""
        self._query = text
        self._requery()

    def set_filter(self, fragment: str) -> None:
        """Narrow to the sidebar's choice, such as 'tag:"x"', 'is:unread' or '' for all."""
        self._filter = fragment
        self._requery()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by a column; a column of -1 goes back to the default order.

        The default is relevance when the search has words, newest first otherwise.
        """
        self._sort_column = Column(column) if 0 <= column < len(Column) else None
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    def refresh(self) -> None:
        """Run the search again (after clips changed), keeping rows' identity for views.

        Rows of clips that still match keep their persistent indexes (so the selection and
        current row survive); clips that left or joined the results are removed or inserted.
        """
        self._apply(self._search())

    @property
    def query_text(self) -> str:
        """The whole search as the library sees it: sidebar filter and search box text."""
        return " ".join(part for part in (self._filter.strip(), self._query.strip()) if part)

    @property
    def total(self) -> int:
        """How many clips match."""
        return len(self._ids)

    @property
    def warnings(self) -> list[str]:
        """Parts of the last search that could not be used, explained."""
        return list(self._warnings)

    @property
    def sort_key(self) -> str:
        """The core sort in use (one of clipper.core.search.SORTS)."""
        if self._sort_column is not None:
            return SORT_KEYS[self._sort_column]
        return "relevance" if parse_query(self.query_text).positive else "newest"

    @property
    def cached_rows(self) -> int:
        """How many clips the row cache holds now."""
        return len(self._cache)

    def clip_at(self, row: int) -> Clip | None:
        """The clip shown in ``row`` (summary fields only), or None."""
        return self._clip(row)

    def row_of(self, clip_id: int) -> int | None:
        """The row showing ``clip_id``, or None if it is not in the results."""
        if self._row_by_id is None:
            self._row_by_id = dict(zip(self._ids, range(len(self._ids)), strict=True))
        return self._row_by_id.get(clip_id)

    def ids_for_rows(self, rows: Iterable[int]) -> list[int]:
        """The clip ids shown in ``rows``, in the order given (rows out of range skipped)."""
        return [self._ids[row] for row in rows if 0 <= row < len(self._ids)]

    # -- the Qt model interface ------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Number of matching clips (a flat table: no children)."""
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Number of columns (a flat table: no children)."""
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = _Role.DisplayRole
    ) -> Any:
        """Column names; rows have no header text."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == _Role.DisplayRole:
            return HEADERS[section]
        if role == _Role.TextAlignmentRole and section == Column.WORDS:
            return _RIGHT
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Rows are selectable, enabled and can be dragged out as Markdown files."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", "text/plain"]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """Dragged rows become .md files (for a file manager) and Markdown text (for an editor)."""
        from clipper.core.export.markdown import clip_to_markdown, export_markdown

        rows = sorted({i.row() for i in indexes if i.isValid()})
        clips = self._library.get_many(self.ids_for_rows(rows), body=True)
        mime = QMimeData()
        if not clips:
            return mime
        folder = Path(tempfile.mkdtemp(prefix="drag-", dir=_drag_folder()))
        paths = export_markdown(clips, folder)
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        mime.setText("\n\n".join(clip_to_markdown(c) for c in clips))
        return mime

    def data(self, index: _Index, role: int = _Role.DisplayRole) -> Any:
        """Cell text and the font, tooltip, alignment and id roles."""
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == self.ClipIdRole:
            return self._ids[index.row()]
        if role not in _ROLES_NEEDING_CLIP:
            return None
        clip = self._clip(index.row())
        if clip is None:
            return None
        return self._clip_data(clip, Column(index.column()), role)

    # -- cells ------------------------------------------------------------------------------

    def _clip_data(self, clip: Clip, column: Column, role: int) -> Any:
        if role == _Role.DisplayRole:
            return _display(clip, column)
        if role == self.ClipRole:
            return clip
        if role == _Role.ToolTipRole and column == Column.TITLE:
            return f"{clip.title}\n{clip.url}" if clip.url else clip.title
        if role == _Role.FontRole and not clip.read:
            return self._bold_font()
        if role == _Role.TextAlignmentRole and column == Column.WORDS:
            return _RIGHT
        return None

    def _bold_font(self) -> QFont:
        if self._bold is None:
            self._bold = QFont()
            self._bold.setBold(True)
        return self._bold

    # -- the id list and the row cache ------------------------------------------------------

    def _search(self) -> list[int]:
        text = self.query_text
        self._warnings = parse_query(text).warnings
        sort = self.sort_key
        descending = self._descending if self._sort_column is not None else None
        return self._library.search_ids(text, sort=sort, descending=descending)

    def _clip(self, row: int) -> Clip | None:
        if not 0 <= row < len(self._ids):
            return None
        clip_id = self._ids[row]
        if clip_id not in self._cache:
            self._load_block(row)
        self._cache.move_to_end(clip_id)
        return self._cache[clip_id]

    def _load_block(self, row: int) -> None:
        """Read the block of rows around ``row`` in one query and cache it."""
        start = row - row % self._block_size
        wanted = [i for i in self._ids[start : start + self._block_size] if i not in self._cache]
        try:
            found = {clip.id: clip for clip in self._library.get_many(wanted)}
        except ClipperError as exc:
            # The cells stay blank until the next refresh rather than retrying on every paint.
            log.warning("Could not read clips for the list: %s", exc)
            found = {}
        for clip_id in wanted:
            self._cache[clip_id] = found.get(clip_id)  # None: deleted since the search ran
        while len(self._cache) > self._cache_limit:
            self._cache.popitem(last=False)

    def _requery(self) -> None:
        self._apply(self._search())
        self.query_warnings.emit(self.warnings)

    def _apply(self, new_ids: list[int]) -> None:
        """Move the model from the current id list to ``new_ids`` with the right signals."""
        self._cache.clear()  # clips may have changed even where their ids did not
        old_total = len(self._ids)
        if new_ids != self._ids:
            self._change_rows(new_ids)
        self._all_data_changed()
        if len(self._ids) != old_total:
            self.total_changed.emit(len(self._ids))

    def _change_rows(self, new_ids: list[int]) -> None:
        runs = _removed_runs(self._ids, set(new_ids), _MAX_REMOVED_RUNS)
        if runs is None:
            self.beginResetModel()
            self._set_ids(new_ids)
            self.endResetModel()
            return
        for first, last in reversed(runs):
            self.beginRemoveRows(QModelIndex(), first, last)
            self._set_ids(self._ids[:first] + self._ids[last + 1 :])
            self.endRemoveRows()
        self._insert_new(new_ids)
        if self._ids != new_ids:
            self._reorder(new_ids)

    def _insert_new(self, new_ids: list[int]) -> None:
        """Append the clips that joined the results; _reorder moves them into place."""
        if len(new_ids) == len(self._ids):  # the rows left are all in new_ids: the same set
            return
        have = set(self._ids)
        added = [clip_id for clip_id in new_ids if clip_id not in have]
        if added:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._set_ids(self._ids + added)
            self.endInsertRows()

    def _reorder(self, new_ids: list[int]) -> None:
        """Put the same set of ids in a new order, moving persistent indexes with their clips."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        where = [(self._ids[index.row()], index.column()) for index in persistent]
        self._set_ids(new_ids)
        rows = _rows_of(new_ids, {clip_id for clip_id, _column in where})
        moved = [self.index(rows.get(clip_id, 0), column) for clip_id, column in where]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _set_ids(self, ids: list[int]) -> None:
        self._ids = ids
        self._row_by_id = None

    def _all_data_changed(self) -> None:
        if self._ids:
            last = self.index(len(self._ids) - 1, len(Column) - 1)
            self.dataChanged.emit(self.index(0, 0), last)


_ROLES_NEEDING_CLIP = frozenset(
    {
        _Role.DisplayRole,
        _Role.ToolTipRole,
        _Role.FontRole,
        _Role.TextAlignmentRole,
        LibraryModel.ClipRole,
    }
)


def _display(clip: Clip, column: Column) -> str | int:
    if column == Column.TITLE:
        return clip.title
    if column == Column.SITE:
        return clip.site
    if column == Column.AUTHOR:
        return clip.author
    if column == Column.PUBLISHED:
        return (clip.date or "")[:10]
    if column == Column.CLIPPED:
        return local_date(clip.created)
    if column == Column.TAGS:
        return ", ".join(clip.tags)
    return clip.word_count


def _drag_folder() -> Path:
    """Where dragged clips are written; old drags are cleared so it never grows without end."""
    from clipper.core.paths import user_folders

    folder = user_folders().cache / "drag"
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - 24 * 3600
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    return folder


def local_date(stamp: str) -> str:
    """The local calendar date (YYYY-MM-DD) of a stored UTC time stamp."""
    try:
        return datetime.fromisoformat(stamp).astimezone().date().isoformat()
    except ValueError:
        return stamp[:10]


def _removed_runs(ids: Sequence[int], keep: set[int], most: int) -> list[tuple[int, int]] | None:
    """Rows of ``ids`` not in ``keep``, as (first, last) runs; None past ``most`` runs.

    Stopping early matters at scale: a new search over 100,000 rows usually removes rows in
    thousands of places, and the caller resets the model for anything past a few dozen.
    """
    if keep.issuperset(ids):  # a new order of the same clips, or clips added: a quick test
        return []
    runs: list[tuple[int, int]] = []
    for row, clip_id in enumerate(ids):
        if clip_id in keep:
            continue
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        elif len(runs) == most:
            return None
        else:
            runs.append((row, row))
    return runs


def _rows_of(ids: Sequence[int], wanted: set[int]) -> dict[int, int]:
    """The rows of the ``wanted`` ids in ``ids`` (a few, so no index of every id is built)."""
    if len(wanted) > 16:
        return {clip_id: row for row, clip_id in enumerate(ids) if clip_id in wanted}
    found: dict[int, int] = {}
    for clip_id in wanted:
        with contextlib.suppress(ValueError):
            found[clip_id] = ids.index(clip_id)
    return found
