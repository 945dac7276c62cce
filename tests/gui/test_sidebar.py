"""The sidebar over a real library: counts, filters, tag renames, merges and deletes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from clipper.core.article import Article
from clipper.core.library import Library
from clipper.gui.sidebar import Sidebar, tag_fragment

QUOTED = 'say "hi"'


class ScriptedSidebar(Sidebar):
    """A sidebar whose questions are answered from lists, and recorded."""

    def __init__(self, library: Library) -> None:
        self.answers: list[object] = []
        self.asked: list[tuple[str, ...]] = []
        self.warnings: list[str] = []
        super().__init__(library)

    def _answer(self, *question: str) -> object:
        self.asked.append(question)
        return self.answers.pop(0)

    def _ask_text(self, title: str, label: str, text: str) -> str | None:
        answer = self._answer("text", title, label, text)
        assert answer is None or isinstance(answer, str)
        return answer

    def _ask_item(self, title: str, label: str, items: list[str]) -> str | None:
        answer = self._answer("item", title, label, "|".join(items))
        assert answer is None or isinstance(answer, str)
        return answer

    def _confirm(self, title: str, question: str) -> bool:
        return bool(self._answer("confirm", title, question))

    def _warn(self, title: str, message: str) -> None:
        self.warnings.append(message)


def add(library: Library, title: str, tags: list[str]) -> int:
    return library.add(Article(title=title, html="<p>x</p>", text="x"), tags=tags).clip.id


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library.sqlite3")
    first = add(lib, "First", ["python", "reading list"])
    second = add(lib, "Second", ["Python", QUOTED])
    add(lib, "Third", [])
    lib.set_read([first])
    lib.set_favourite([second])
    yield lib
    lib.close()


@pytest.fixture
def sidebar(qtbot: QtBot, library: Library) -> ScriptedSidebar:
    view = ScriptedSidebar(library)
    qtbot.addWidget(view)
    view.resize(260, 420)
    view.show()
    qtbot.waitExposed(view)
    return view


def item(view: Sidebar, key: str) -> QTreeWidgetItem:
    found = view._item_for(key)
    assert found is not None, key
    return found


def click(qtbot: QtBot, view: Sidebar, key: str) -> None:
    rect = view.visualItemRect(item(view, key))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def tag_counts(library: Library) -> dict[str, int]:
    return {t.name: t.count for t in library.tags()}


# --- contents -----------------------------------------------------------------------------


def test_sections_and_tags_with_counts(sidebar: ScriptedSidebar) -> None:
    assert sidebar.count_for("all") == 3
    assert sidebar.count_for("unread") == 2
    assert sidebar.count_for("fav") == 1
    assert sidebar.tag_names() == ["python", "reading list", QUOTED]
    assert sidebar.count_for("tag:python") == 2
    assert sidebar.count_for("tag:reading list") == 1
    labels = [sidebar.topLevelItem(i).text(0) for i in range(sidebar.topLevelItemCount())]
    assert labels == ["All clips", "Unread", "Favourites", "Tags", "python", "reading list", QUOTED]
    assert sidebar.current_fragment() == ""
    assert sidebar.accessibleName() == "Library sections and tags"


def test_an_empty_library_has_no_tags(qtbot: QtBot, tmp_path: Path) -> None:
    with Library(tmp_path / "empty.sqlite3") as lib:
        view = Sidebar(lib)
        qtbot.addWidget(view)
        assert view.count_for("all") == 0
        assert view.tag_names() == []
        assert view.topLevelItem(3).text(0) == "No tags yet"


def test_a_sidebar_without_library_is_empty(qtbot: QtBot) -> None:
    view = Sidebar()
    qtbot.addWidget(view)
    assert view.topLevelItemCount() == 0
    assert view.current_fragment() == ""


# --- choosing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("unread", "is:unread"),
        ("fav", "is:fav"),
        ("tag:python", "tag:python"),
        ("tag:reading list", 'tag:"reading list"'),
        (f"tag:{QUOTED}", 'tag:"say ""hi"""'),
    ],
)
def test_clicking_emits_the_query_fragment(
    qtbot: QtBot, sidebar: ScriptedSidebar, key: str, fragment: str
) -> None:
    with qtbot.waitSignal(sidebar.filter_changed) as signal:
        click(qtbot, sidebar, key)
    assert signal.args == [fragment]
    assert sidebar.current_fragment() == fragment
    with qtbot.waitSignal(sidebar.filter_changed) as signal:
        click(qtbot, sidebar, "all")
    assert signal.args == [""]


def test_the_tags_heading_cannot_be_chosen(qtbot: QtBot, sidebar: ScriptedSidebar) -> None:
    click(qtbot, sidebar, "fav")
    heading = sidebar.topLevelItem(3)
    with qtbot.assertNotEmitted(sidebar.filter_changed):
        qtbot.mouseClick(
            sidebar.viewport(),
            Qt.MouseButton.LeftButton,
            pos=sidebar.visualItemRect(heading).center(),
        )
    assert sidebar.current_fragment() == "is:fav"
    # The arrow keys step over it.
    with qtbot.waitSignal(sidebar.filter_changed) as signal:
        qtbot.keyClick(sidebar, Qt.Key.Key_Down)
    assert signal.args == ["tag:python"]


def test_tag_fragments_find_the_tagged_clips(library: Library) -> None:
    assert tag_fragment("python") == "tag:python"
    assert tag_fragment("c++") == "tag:c++"
    assert tag_fragment("to read*") == 'tag:"to read*"'
    assert tag_fragment("(draft)") == 'tag:"(draft)"'
    assert library.search(tag_fragment("reading list")).total == 1
    assert library.search(tag_fragment("python")).total == 2
    assert library.search(tag_fragment("Python") + " is:fav").total == 1


def test_a_tag_with_a_quote_finds_its_clip(library: Library) -> None:
    assert library.search(tag_fragment(QUOTED)).total == 1


# --- keeping the choice -------------------------------------------------------------------


def test_reload_keeps_the_chosen_row(
    qtbot: QtBot, sidebar: ScriptedSidebar, library: Library
) -> None:
    click(qtbot, sidebar, "tag:reading list")
    add(library, "Fourth", ["reading list"])
    with qtbot.assertNotEmitted(sidebar.filter_changed):
        sidebar.reload(library)
    assert sidebar.current_fragment() == 'tag:"reading list"'
    assert sidebar.currentItem() is item(sidebar, "tag:reading list")
    assert sidebar.count_for("tag:reading list") == 2
    assert sidebar.count_for("all") == 4


def test_reload_falls_back_to_all_when_the_tag_is_gone(
    qtbot: QtBot, sidebar: ScriptedSidebar, library: Library
) -> None:
    click(qtbot, sidebar, "tag:reading list")
    library.delete_tag("reading list")
    with qtbot.waitSignal(sidebar.filter_changed) as signal:
        sidebar.reload()
    assert signal.args == [""]
    assert sidebar.currentItem() is item(sidebar, "all")


# --- tag actions --------------------------------------------------------------------------


def test_tag_menu_offers_rename_merge_delete(sidebar: ScriptedSidebar) -> None:
    menu = sidebar.tag_menu("python")
    assert [a.text() for a in menu.actions()] == ["Rename…", "Merge into…", "Delete"]
    sidebar.answers = [None]  # the rename question, cancelled
    menu.actions()[0].trigger()
    assert sidebar.asked[0][0] == "text"


def test_rename_a_tag(qtbot: QtBot, sidebar: ScriptedSidebar, library: Library) -> None:
    click(qtbot, sidebar, "tag:python")
    sidebar.answers = ["  snakes  "]
    with (
        qtbot.waitSignal(sidebar.tags_changed),
        qtbot.waitSignal(sidebar.filter_changed) as signal,
    ):
        assert sidebar.rename_tag("python")
    assert sidebar.asked == [("text", "Rename tag", "New name for the tag “python”:", "python")]
    assert tag_counts(library) == {"snakes": 2, "reading list": 1, QUOTED: 1}
    assert sidebar.tag_names() == ["reading list", QUOTED, "snakes"]
    assert signal.args == ["tag:snakes"]  # the chosen tag followed its new name
    assert sidebar.current_fragment() == "tag:snakes"


def test_rename_cancelled_or_unchanged_does_nothing(
    qtbot: QtBot, sidebar: ScriptedSidebar, library: Library
) -> None:
    sidebar.answers = [None, "python", "   "]
    with qtbot.assertNotEmitted(sidebar.tags_changed):
        for _ in range(3):
            assert not sidebar.rename_tag("python")
    assert tag_counts(library)["python"] == 2


def test_rename_changes_only_the_spelling(sidebar: ScriptedSidebar, library: Library) -> None:
    sidebar.answers = ["Python"]
    assert sidebar.rename_tag("python")
    assert "Python" in tag_counts(library)
    assert [q[0] for q in sidebar.asked] == ["text"]  # same tag: no merge question


def test_rename_onto_an_existing_tag_merges_after_asking(
    qtbot: QtBot, sidebar: ScriptedSidebar, library: Library
) -> None:
    sidebar.answers = ["Reading List", False]
    assert not sidebar.rename_tag("python")
    assert tag_counts(library)["python"] == 2
    sidebar.answers = ["Reading List", True]
    with qtbot.waitSignal(sidebar.tags_changed):
        assert sidebar.rename_tag("python")
    question = sidebar.asked[-1]
    assert question[0] == "confirm" and "already a tag called “reading list”" in question[2]
    assert tag_counts(library) == {"reading list": 2, QUOTED: 1}
    assert sidebar.count_for("tag:reading list") == 2


def test_merge_into_another_tag(qtbot: QtBot, sidebar: ScriptedSidebar, library: Library) -> None:
    sidebar.answers = ["reading list"]
    with qtbot.waitSignal(sidebar.tags_changed):
        assert sidebar.merge_tag(QUOTED)
    kind, _title, _label, choices = sidebar.asked[0]
    assert kind == "item"
    assert choices.split("|") == ["python", "reading list"]  # not the tag itself
    assert tag_counts(library) == {"python": 2, "reading list": 2}


def test_merge_cancelled_or_without_other_tags(
    qtbot: QtBot, tmp_path: Path, sidebar: ScriptedSidebar, library: Library
) -> None:
    sidebar.answers = [None]
    with qtbot.assertNotEmitted(sidebar.tags_changed):
        assert not sidebar.merge_tag("python")
    with Library(tmp_path / "one-tag.sqlite3") as lone:
        add(lone, "Only", ["solo"])
        view = ScriptedSidebar(lone)
        qtbot.addWidget(view)
        assert not view.merge_tag("solo")
        assert view.warnings == ["There is no other tag to merge into."]


def test_delete_a_tag_keeps_the_clips(
    qtbot: QtBot, sidebar: ScriptedSidebar, library: Library
) -> None:
    sidebar.answers = [False]
    assert not sidebar.delete_tag("python")
    assert "python" in tag_counts(library)
    assert "It is on 2 clips" in sidebar.asked[0][2]
    sidebar.answers = [True]
    with qtbot.waitSignal(sidebar.tags_changed):
        assert sidebar.delete_tag("python")
    assert "python" not in tag_counts(library)
    assert library.count() == 3
    assert sidebar.count_for("tag:python") is None


def test_deleting_the_chosen_tag_goes_back_to_all(qtbot: QtBot, sidebar: ScriptedSidebar) -> None:
    click(qtbot, sidebar, "tag:reading list")
    sidebar.answers = [True]
    with qtbot.waitSignal(sidebar.filter_changed) as signal:
        sidebar.delete_tag("reading list")
    assert signal.args == [""]
    assert sidebar.current_fragment() == ""


def test_a_tag_that_vanished_meanwhile_is_explained(
    qtbot: QtBot, sidebar: ScriptedSidebar, library: Library
) -> None:
    library.delete_tag("reading list")  # e.g. from the command line
    sidebar.answers = [True]
    with qtbot.assertNotEmitted(sidebar.tags_changed):
        assert not sidebar.delete_tag("reading list")
    assert sidebar.warnings == ['There is no tag "reading list".']
    assert sidebar.count_for("tag:reading list") is None  # reloaded


def test_sidebar_renders(sidebar: ScriptedSidebar, tmp_path: Path) -> None:
    sidebar.select("tag:python")
    assert sidebar.grab().save(str(tmp_path / "sidebar.png"))
