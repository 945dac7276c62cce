"""Relevance search over thousands of clips: the ranked head, exact totals, paging, snippets."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from clipper.core import search
from clipper.core.article import Article
from clipper.core.library import Library
from clipper.core.schema import APPLICATION_ID, MIGRATIONS

CLIPS = 3000  # more than search.RANK_ALL, so a common word gets the bounded ranking
TITLED = (3, 17, 40, 41, 1500)  # the clips (by number) with "zephyr" in the title
FILLER = ["river", "stone", "cloud", "apple", "orange", "lantern", "meadow", "copper"]


def article(i: int) -> Article:
    """Clip i: every clip says "zephyr" in its text; a few also in the title."""
    extra = " ".join(FILLER[(i + k) % len(FILLER)] for k in range(i % 5 + 3))
    text = f"Zephyr notes number {i}. {extra} zephyr. Unique{i} ends here."
    if i % 100 == 7:
        text += " Rarely seen gadfly."
    title = f"Zephyr report {i}" if i in TITLED else f"Weekly report {i}"
    return Article(title, f"<p>{text}</p>", text, url=f"https://s{i % 20}.example/{i}")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, dict[int, int]]]:
    """A library of CLIPS clips and the map from clip number to id."""
    path = tmp_path_factory.mktemp("scale") / "lib.sqlite3"
    with Library(path) as lib:
        ids = {}
        for i in range(CLIPS):
            tags = ["odd"] if i % 2 else ["even"]
            ids[i] = lib.add(article(i), tags=tags).clip.id
        yield lib, ids


def test_title_matches_come_first_even_among_old_clips(big: tuple[Library, dict[int, int]]) -> None:
    lib, ids = big
    page = lib.search("zephyr", limit=10)
    assert page.total == CLIPS
    titled = {ids[i] for i in TITLED}
    assert {c.id for c in page.clips[: len(TITLED)]} == titled
    assert all("zephyr" not in c.title.lower() for c in page.clips[len(TITLED) :])


def test_after_the_title_matches_come_the_newest_ranked_then_the_rest(
    big: tuple[Library, dict[int, int]],
) -> None:
    lib, _ids = big
    order = lib.search_ids("zephyr")
    assert len(order) == len(set(order)) == CLIPS
    head_end = len(TITLED) + search.HEAD_NEWEST
    newest = order[len(TITLED) : head_end]
    assert sorted(newest, reverse=True) == sorted(set(newest), reverse=True)
    assert min(newest) > max(order[head_end:])  # the ranked window is the newest clips
    assert order[head_end:] == sorted(order[head_end:], reverse=True)  # the rest: newest first


def test_totals_are_exact_with_and_without_filters(big: tuple[Library, dict[int, int]]) -> None:
    lib, _ids = big
    assert lib.search("zephyr", limit=5).total == CLIPS
    assert lib.search("zephyr tag:odd", limit=5).total == CLIPS // 2
    assert lib.search("zephyr -gadfly", limit=5).total == CLIPS - CLIPS // 100
    assert lib.search("zephyr site:s3.example", limit=5).total == CLIPS // 20
    assert len(lib.search_ids("zephyr tag:odd")) == CLIPS // 2


def test_filters_hold_in_the_ranked_head(big: tuple[Library, dict[int, int]]) -> None:
    lib, ids = big
    page = lib.search("zephyr tag:odd", limit=20)
    assert all("odd" in c.tags for c in page.clips)
    assert {c.id for c in page.clips[:3]} == {ids[3], ids[17], ids[41]}  # the odd titled ones
    assert all("gadfly" not in (lib.get(i).text or "") for i in lib.search_ids("zephyr -gadfly"))


@pytest.mark.parametrize("size", [1, 37, 50, 199])
def test_pages_follow_the_id_order_across_the_head(
    big: tuple[Library, dict[int, int]], size: int
) -> None:
    lib, _ids = big
    order = lib.search_ids("zephyr")
    stop = len(TITLED) + search.HEAD_NEWEST + 3 * size
    pages = []
    for offset in range(0, stop, size):
        pages += [c.id for c in lib.search("zephyr", offset=offset, limit=size).clips]
    assert pages == order[: len(pages)]
    last = lib.search("zephyr", offset=CLIPS - 5, limit=size).clips
    assert [c.id for c in last] == order[CLIPS - 5 : CLIPS - 5 + size]


def test_every_clip_on_a_page_has_a_snippet(big: tuple[Library, dict[int, int]]) -> None:
    lib, _ids = big
    for offset in (0, 400, 2900):
        page = lib.search("zephyr", offset=offset, limit=50)
        assert page.clips and all(c.snippet and search.MARK_START in c.snippet for c in page.clips)


def test_small_result_sets_are_ranked_whole_by_bm25(big: tuple[Library, dict[int, int]]) -> None:
    lib, _ids = big
    found = lib.search_ids("gadfly OR unique8")
    assert len(found) == CLIPS // 100 + 1
    rows = lib._conn.execute(
        f'SELECT rowid FROM clips_fts WHERE clips_fts MATCH \'"gadfly" OR "unique8"\' '
        f"ORDER BY bm25(clips_fts, {search._WEIGHTS}), rowid DESC"
    )
    assert found == [r[0] for r in rows]


def test_other_sorts_still_cover_every_match(big: tuple[Library, dict[int, int]]) -> None:
    lib, _ids = big
    by_title = lib.search_ids("zephyr tag:even", sort="title")
    assert len(by_title) == CLIPS // 2
    titles = [c.title.lower() for c in lib.get_many(by_title[:100])]
    assert titles == sorted(titles)


def test_the_field_index_follows_edits(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.sqlite3") as lib:
        ids = [lib.add(article(i)).clip.id for i in range(search.RANK_ALL + 10)]
        assert set(lib.search_ids("zephyr")[: len(TITLED)]) == {ids[i] for i in TITLED}
        lib.set_title(ids[41], "Something else")
        lib.add_tags([ids[5]], ["zephyr"])
        lib.delete([ids[40]])
        head = lib.search_ids("zephyr")
        assert set(head[:4]) == {ids[5], ids[3], ids[17], ids[1500]}
        assert ids[40] not in head


def test_a_library_from_before_the_field_index_gets_one(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        f"{MIGRATIONS[0]}\nPRAGMA application_id = {APPLICATION_ID};\nPRAGMA user_version = 1;"
    )
    conn.execute(
        "INSERT INTO clips (title, text, created, updated) VALUES "
        "('Zephyr old', 'zephyr', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')"
    )
    conn.commit()
    conn.close()
    with Library(path) as lib:
        rows = lib._conn.execute(
            "SELECT rowid FROM clips_fields WHERE clips_fields MATCH 'zephyr'"
        ).fetchall()
        assert [r[0] for r in rows] == [1]
        assert lib.search("zephyr").total == 1
