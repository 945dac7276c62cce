"""The clip list model over a real library file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from clipper.core.article import Article
from clipper.core.library import Clip, Library
from clipper.gui.library_model import HEADERS, Column, LibraryModel

N = 50
ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
DISPLAY = Qt.ItemDataRole.DisplayRole


def article(i: int) -> Article:
    """Clip i of N: each column orders the clips differently, with no ties."""
    words = " ".join(["river"] * ((i * 19) % N + 1))
    return Article(
        title=f"{'Alpha' if i % 2 else 'beta'} {(i * 7) % N:02d}",
        html=f"<p>{words}</p>",
        text=words,
        url=f"https://site{(i * 11) % N:02d}.example/post/{i}",
        author=f"Author {(i * 13) % N:02d}",
        date=f"2024-{(i * 17) % N // 28 + 1:02d}-{(i * 17) % N % 28 + 1:02d}",
        site=f"Site {(i * 11) % N:02d}",
    )


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "lib.sqlite3") as lib:
        yield lib


@pytest.fixture
def filled(library: Library) -> Library:
    for i in range(N):
        library.add(article(i), tags=["odd"] if i % 2 else ["even", "Mills"])
    return library


def cell(model: LibraryModel, row: int, column: Column, role: int = DISPLAY) -> Any:
    return model.data(model.index(row, column), role)


def first_id(model: LibraryModel) -> int:
    return int(cell(model, 0, Column.TITLE, LibraryModel.ClipIdRole))


def test_empty_library_passes_the_model_tester(qtmodeltester: Any, library: Library) -> None:
    model = LibraryModel(library)
    qtmodeltester.check(model)
    assert model.rowCount() == 0 and model.total == 0
    model.set_query("anything")
    model.refresh()
    assert model.clip_at(0) is None and model.row_of(1) is None


def test_full_library_passes_the_model_tester_through_changes(
    qtmodeltester: Any, filled: Library
) -> None:
    model = LibraryModel(filled)
    qtmodeltester.check(model)  # the tester stays attached and checks every change below
    assert model.rowCount() == N and model.columnCount() == len(HEADERS)
    model.set_query("alpha")
    model.set_filter('tag:"odd"')
    model.sort(Column.WORDS, DESC)
    filled.delete(model.ids_for_rows([0, 3]))
    filled.add(Article("Alpha new", "<p>new</p>", "new", url="https://new.example/"), tags=["odd"])
    model.refresh()
    model.set_filter("")
    model.set_query("")
    model.sort(-1, ASC)
    assert model.total == N - 1


def test_headers(qapp: Any, filled: Library) -> None:
    model = LibraryModel(filled)
    names = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(Column))]
    assert names == ["Title", "Site", "Author", "Published", "Clipped", "Tags", "Words"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None


def test_query_and_filter_narrow_the_rows(qtbot: Any, filled: Library) -> None:
    model = LibraryModel(filled)
    with qtbot.waitSignal(model.query_warnings) as warned:
        model.set_query("alpha")
    assert warned.args == [[]]
    assert model.total == model.rowCount() == N // 2
    assert all(cell(model, r, Column.TITLE).startswith("Alpha") for r in range(model.total))
    model.set_filter('tag:"odd"')
    assert model.total == N // 2  # every Alpha clip is odd
    model.set_filter('tag:"mills"')
    assert model.total == 0
    model.set_query("")
    assert model.total == N // 2
    filled.set_read(model.ids_for_rows(range(5)))
    model.set_filter("is:unread")
    assert model.total == N - 5
    with qtbot.waitSignal(model.query_warnings) as warned:
        model.set_query("before:yesterday")
    assert warned.args[0] and warned.args[0] == model.warnings
    assert model.total == N - 5  # the unusable part is ignored


def expected_first(clips: Sequence[Clip], column: Column, descending: bool) -> int:
    keys = {
        Column.TITLE: lambda c: c.title.lower(),
        Column.SITE: lambda c: c.site.lower(),
        Column.AUTHOR: lambda c: c.author.lower(),
        Column.PUBLISHED: lambda c: c.date,
        Column.CLIPPED: lambda c: (c.created, c.id),
        Column.TAGS: lambda c: c.title.lower(),
        Column.WORDS: lambda c: c.word_count,
    }
    pick = max if descending else min
    return pick(clips, key=keys[column]).id


@pytest.mark.parametrize("column", list(Column), ids=[c.name.lower() for c in Column])
@pytest.mark.parametrize("order", [ASC, DESC], ids=["asc", "desc"])
def test_sorting_by_each_column(
    qapp: Any, filled: Library, column: Column, order: Qt.SortOrder
) -> None:
    clips = filled.get_many(filled.all_ids())
    model = LibraryModel(filled)
    model.sort(column, order)
    assert first_id(model) == expected_first(clips, column, order == DESC)
    assert model.total == N


def test_words_in_the_query_sort_by_relevance_until_a_header_is_clicked(
    qapp: Any, library: Library
) -> None:
    library.add(
        Article("Mill wheels", "<p>about mill wheels</p>", "about mill wheels", "https://a/")
    )
    for i in range(3):
        library.add(Article(f"Note {i}", "<p>t</p>", f"the mill at {i}", f"https://b/{i}"))
    model = LibraryModel(library)
    assert cell(model, 0, Column.TITLE) == "Note 2"  # newest first with no words
    model.set_query("mill")
    assert model.sort_key == "relevance"
    assert cell(model, 0, Column.TITLE) == "Mill wheels"  # the title match ranks highest
    model.sort(Column.CLIPPED, DESC)
    assert cell(model, 0, Column.TITLE) == "Note 2"
    model.sort(-1, ASC)
    assert cell(model, 0, Column.TITLE) == "Mill wheels"


def test_cells_fonts_and_tooltips(qapp: Any, filled: Library) -> None:
    model = LibraryModel(filled)
    model.sort(Column.TITLE, DESC)  # "beta 48", an even clip
    clip = model.clip_at(0)
    assert clip is not None
    row = [cell(model, 0, c) for c in Column]
    created = datetime.fromisoformat(clip.created).astimezone().date().isoformat()
    assert row == [
        clip.title, clip.site, clip.author, clip.date, created, "even, Mills", clip.word_count,
    ]  # fmt: skip
    assert isinstance(row[Column.WORDS], int)
    align = cell(model, 0, Column.WORDS, Qt.ItemDataRole.TextAlignmentRole)
    assert align & Qt.AlignmentFlag.AlignRight
    assert cell(model, 0, Column.TITLE, Qt.ItemDataRole.ToolTipRole) == f"{clip.title}\n{clip.url}"
    font = cell(model, 0, Column.SITE, Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()  # unread
    assert cell(model, 0, Column.TITLE, LibraryModel.ClipRole) == clip
    filled.set_read([clip.id])
    model.refresh()
    assert cell(model, 0, Column.SITE, Qt.ItemDataRole.FontRole) is None


def test_clip_at_row_of_and_ids_for_rows(qapp: Any, filled: Library) -> None:
    model = LibraryModel(filled)
    ids = model.ids_for_rows(range(N))
    assert sorted(ids) == sorted(filled.all_ids())
    assert model.ids_for_rows([2, 0, 99, -1]) == [ids[2], ids[0]]
    for row in (0, 17, N - 1):
        clip = model.clip_at(row)
        assert clip is not None and clip.id == ids[row]
        assert model.row_of(clip.id) == row
    assert model.clip_at(N) is None and model.clip_at(-1) is None
    assert model.row_of(10_000) is None


def test_refresh_keeps_persistent_rows_on_their_clips(qapp: Any, filled: Library) -> None:
    model = LibraryModel(filled)  # newest first
    target = model.ids_for_rows([10])[0]
    kept = QPersistentModelIndex(model.index(10, Column.AUTHOR))
    new = Article("Fresh", "<p>fresh</p>", "fresh", url="https://fresh.example/")
    added = filled.add(new).clip
    filled.delete(model.ids_for_rows([20, 30]))  # below the kept row
    model.refresh()
    assert model.total == N - 1
    assert first_id(model) == added.id
    assert kept.isValid() and kept.row() == 11 and kept.column() == Column.AUTHOR
    assert model.data(QModelIndex(kept), LibraryModel.ClipIdRole) == target
    model.sort(Column.TITLE, ASC)
    assert kept.isValid() and model.ids_for_rows([kept.row()]) == [target]
    filled.delete([target])
    model.refresh()
    assert not kept.isValid()


class CountingLibrary(Library):
    """A real library that counts how often the model reads clips."""

    reads: list[int]

    def get_many(self, ids: Sequence[int], *, body: bool = False) -> list[Clip]:
        self.reads.append(len(ids))
        return super().get_many(ids, body=body)


def test_rows_load_in_blocks_into_a_bounded_cache(qapp: Any, tmp_path: Path) -> None:
    with CountingLibrary(tmp_path / "big.sqlite3") as library:
        library.reads = []
        for i in range(3000):
            library.add(Article(f"Clip {i:04d}", "<p>x</p>", f"text {i}", f"https://e.com/{i}"))
        model = LibraryModel(library, block_size=200, cache_limit=1000)
        assert model.total == 3000 and model.cached_rows == 0
        for row in range(3000):  # scroll through every row, every column
            for column in Column:
                model.data(model.index(row, column))
            assert model.cached_rows <= 1000
        assert library.reads == [200] * 15  # one read per block of 200 rows
        assert cell(model, 0, Column.TITLE) == "Clip 2999"  # evicted, read again
        assert library.reads[-1] == 200
        assert model.cached_rows <= 1000


def test_default_cache_is_bounded(qapp: Any, tmp_path: Path) -> None:
    with Library(tmp_path / "big.sqlite3") as library:
        for i in range(6000):
            library.add(Article(f"C{i}", "<p>x</p>", "x", f"https://e.com/{i}"))
        model = LibraryModel(library)
        for row in range(model.total):
            model.data(model.index(row, Column.TITLE))
        assert model.cached_rows == 5000


@pytest.fixture
def ranked(library: Library, monkeypatch: pytest.MonkeyPatch) -> Library:
    """More matches for "pebble" than the core ranks whole (its limits made small here)."""
    from clipper.core import search

    monkeypatch.setattr(search, "RANK_ALL", 40)
    monkeypatch.setattr(search, "HEAD_FIELDS", 5)
    monkeypatch.setattr(search, "HEAD_NEWEST", 10)
    for i in range(120):
        title = f"Pebble {i}" if i in (2, 7) else f"Stone {i}"
        text = "pebble " * (i % 4 + 1) + f"item{i}"
        library.add(Article(title, f"<p>{text}</p>", text, url=f"https://e.com/{i}"))
    return library


def test_a_large_relevance_result_lists_title_matches_then_every_other_match(
    qtmodeltester: Any, ranked: Library
) -> None:
    model = LibraryModel(ranked)
    qtmodeltester.check(model)
    model.set_query("pebble")
    assert model.total == model.rowCount() == 120
    titles = [cell(model, row, Column.TITLE) for row in range(model.rowCount())]
    assert set(titles[:2]) == {"Pebble 2", "Pebble 7"}
    assert len(set(titles)) == 120
    assert model.ids_for_rows(range(120)) == ranked.search_ids("pebble")
    tail = model.ids_for_rows(range(12, 120))
    assert tail == sorted(tail, reverse=True)  # past the ranked head: newest first
    model.set_query("pebble item7")
    assert titles[0] != cell(model, 0, Column.TITLE) or model.total == 1


def test_searches_keep_persistent_rows_on_their_clips_at_scale(
    qtmodeltester: Any, ranked: Library
) -> None:
    model = LibraryModel(ranked)
    qtmodeltester.check(model)
    model.set_query("pebble -item1 -item3 -item5")
    assert model.total == 120 - 3
    kept_id = model.ids_for_rows([50])[0]
    kept = QPersistentModelIndex(model.index(50, Column.SITE))
    model.set_query("pebble -item1 -item3")  # one clip comes back: rows move, none removed
    assert model.total == 120 - 2
    assert kept.isValid() and model.ids_for_rows([kept.row()]) == [kept_id]
    assert model.row_of(kept_id) == kept.row()


def test_removed_rows_are_grouped_in_runs_until_there_are_too_many() -> None:
    from clipper.gui.library_model import _removed_runs

    ids = [10, 11, 12, 13, 14, 15]
    assert _removed_runs(ids, set(ids), 1) == []
    assert _removed_runs(ids, {10, 14, 15}, 1) == [(1, 3)]
    assert _removed_runs(ids, {10, 12, 14}, 3) == [(1, 1), (3, 3), (5, 5)]
    assert _removed_runs(ids, {10, 12, 14}, 2) is None
