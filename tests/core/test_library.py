"""The library on real SQLite files: schema, duplicates, tags, search, safety."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from clipper.core.article import Article
from clipper.core.errors import LibraryError, LibraryTooNew, NotFound
from clipper.core.library import Library
from clipper.core.schema import SCHEMA_VERSION
from clipper.core.sources import RawDocument


def article(title: str, text: str = "", url: str | None = None, **kw: object) -> Article:
    body = text or f"{title} is the subject of this article, written at some length."
    return Article(title=title, html=f"<p>{body}</p>", text=body, url=url, **kw)  # type: ignore[arg-type]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    with Library(tmp_path / "lib.sqlite3") as library:
        yield library  # type: ignore[misc]


def test_new_library_has_wal_foreign_keys_and_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "lib.sqlite3"
    Library(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with Library(path) as library:
        assert library._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_library_from_newer_version_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    Library(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LibraryTooNew, match="newer version of Clipper"):
        Library(path)
    assert path.read_bytes() == before


def test_other_sqlite_files_and_junk_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE x (y)")
    conn.commit()
    conn.close()
    with pytest.raises(LibraryError, match="not a Clipper library"):
        Library(other)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LibraryError, match="not a Clipper library"):
        Library(junk)


def test_add_get_and_fields(lib: Library) -> None:
    result = lib.add(
        article(
            "Sea levels",
            url="https://www.example.com/a?utm_source=x",
            author="Ann Lee; Bo Chan",
            date="2024-03-01",
            site="Example News",
            language="EN",
        ),
        tags=["Climate", " science  "],
    )
    assert result.status == "added"
    clip = lib.get(result.clip.id)
    assert clip.title == "Sea levels"
    assert clip.author == "Ann Lee; Bo Chan"
    assert clip.language == "en"
    assert clip.tags == ["Climate", "science"]
    assert clip.read is False and clip.favourite is False
    assert clip.word_count == 12
    assert clip.created.endswith("Z")
    with pytest.raises(NotFound, match="#999"):
        lib.get(999)


def test_same_article_twice_updates_instead_of_duplicating(lib: Library) -> None:
    first = lib.add(article("One", url="https://example.com/story#top"))
    again = lib.add(article("One, revised", url="http://EXAMPLE.com:80/story/?utm_medium=mail"))
    assert again.status == "updated"
    assert again.clip.id == first.clip.id
    assert again.clip.title == "One, revised"
    saved_copy = article("One (saved)", url=None, canonical_url="https://example.com/story")
    assert lib.add(saved_copy).status == "updated"
    assert lib.count() == 1
    other = lib.add(article("Two", url="https://example.com/story?page=2"))
    assert other.status == "added"


def test_update_keeps_user_state_and_merges_tags(lib: Library) -> None:
    clip = lib.add(article("A", url="https://e.com/a"), tags=["x"]).clip
    lib.set_read([clip.id])
    lib.set_favourite([clip.id])
    lib.set_note(clip.id, "remember this")
    updated = lib.add(article("A2", url="https://e.com/a"), tags=["y"]).clip
    assert (updated.read, updated.favourite, updated.note) == (True, True, "remember this")
    assert updated.tags == ["x", "y"]


def test_raw_page_is_kept_compressed_and_restored(lib: Library) -> None:
    body = ("<html><body>" + "<p>words words words</p>" * 2000 + "</body></html>").encode()
    raw = RawDocument(body=body, content_type="text/html", url="https://e.com/p", charset="utf-8")
    clip = lib.add(article("P", url="https://e.com/p"), raw).clip
    stored = lib._conn.execute("SELECT length(body) FROM pages").fetchone()[0]
    assert stored < len(body) / 10
    page = lib.page(clip.id)
    assert page is not None and page.body == body and page.charset == "utf-8"
    lib.delete([clip.id])
    assert lib._conn.execute("SELECT count(*) FROM pages").fetchone()[0] == 0


def test_tags_unique_ignoring_case_bulk_and_counts(lib: Library) -> None:
    ids = [lib.add(article(f"T{i}", url=f"https://e.com/{i}")).clip.id for i in range(5)]
    lib.add_tags(ids, ["Ünïcode", "news"])
    lib.add_tags(ids[:2], ["NEWS", "ünïcode", "  "])
    assert [(t.name, t.count) for t in lib.tags()] == [("news", 5), ("Ünïcode", 5)]
    lib.remove_tags(ids[:3], ["News"])
    assert {t.name: t.count for t in lib.tags()}["news"] == 2
    with pytest.raises(NotFound):
        lib.add_tags([ids[0], 12345], ["x"])
    assert "x" not in {t.name for t in lib.tags()}


def test_rename_merge_delete_tags_keep_search_in_sync(lib: Library) -> None:
    a = lib.add(article("Alpha", url="https://e.com/a"), tags=["draft"]).clip.id
    b = lib.add(article("Beta", url="https://e.com/b"), tags=["todo", "draft"]).clip.id
    lib.rename_tag("DRAFT", "reading")
    assert lib.get(a).tags == ["reading"]
    assert lib.search("tag:reading").total == 2
    assert lib.search("reading").total == 2  # tags are in the full-text index too
    assert lib.search("draft").total == 0
    lib.merge_tags("todo", "reading")
    assert lib.get(b).tags == ["reading"]
    assert [t.name for t in lib.tags()] == ["reading"]
    lib.rename_tag("reading", "later")
    lib.add_tags([a], ["now"])
    lib.rename_tag("now", "Later")  # onto an existing tag: merges
    assert [(t.name, t.count) for t in lib.tags()] == [("later", 2)]
    assert lib.delete_tag("later") == 2
    assert lib.get(a).tags == [] and lib.search("later").total == 0
    with pytest.raises(NotFound, match="no tag"):
        lib.delete_tag("nothing")


@pytest.fixture
def searchable(lib: Library) -> Library:
    rows = [
        (
            "Rust for C++ programmers",
            "Ownership and borrowing explained.",
            "https://blog.rust.dev/x",
            "2023-05-01",
            "en",
            ["code"],
        ),
        (
            "Café culture in Paris",
            "The coffee houses of the left bank.",
            "https://www.lemonde.fr/c",
            "2021-01-10",
            "fr",
            ["travel"],
        ),
        (
            "Sea level rise",
            "Climate change raises the oceans; coffee farms move.",
            "https://news.example.com/s",
            "2024-02-02",
            "en",
            ["climate", "science"],
        ),
        (
            "Coffee and health",
            "Is coffee good for you? Researchers disagree.",
            "https://example.com/coffee",
            None,
            "en",
            ["science"],
        ),
    ]
    for title, text, url, date, lang, tags in rows:
        lib.add(article(title, text, url, date=date, language=lang), tags=tags)
    return lib


def titles(lib: Library, q: str, **kw: object) -> list[str]:
    return [c.title for c in lib.search(q, **kw).clips]  # type: ignore[arg-type]


def test_search_ranks_title_above_body_and_highlights(searchable: Library) -> None:
    page = searchable.search("coffee")
    assert page.total == 3
    assert page.clips[0].title == "Coffee and health"
    assert page.clips[-1].title == "Sea level rise"
    assert "\x02coffee\x03" in (page.clips[0].snippet or "").lower()


def test_search_filters(searchable: Library) -> None:
    lib = searchable
    assert titles(lib, "tag:science -tag:climate") == ["Coffee and health"]
    assert set(titles(lib, "site:example.com")) == {"Sea level rise", "Coffee and health"}
    assert titles(lib, "site:news.example.com") == ["Sea level rise"]
    assert titles(lib, "cafe") == ["Café culture in Paris"]
    assert titles(lib, "lang:fr") == ["Café culture in Paris"]
    assert titles(lib, "after:2023-01-01", sort="published") == [
        "Sea level rise",
        "Rust for C++ programmers",
    ]
    assert titles(lib, "before:2022") == ["Café culture in Paris"]
    assert titles(lib, "coffee -climate", sort="title") == [
        "Café culture in Paris",
        "Coffee and health",
    ]
    assert titles(lib, '"coffee farms"') == ["Sea level rise"]
    assert titles(lib, "c++ ownership") == ["Rust for C++ programmers"]
    assert set(titles(lib, "paris OR oceans")) == {"Café culture in Paris", "Sea level rise"}
    assert titles(lib, "borrow*") == ["Rust for C++ programmers"]


def test_search_flags_and_sorts(searchable: Library) -> None:
    lib = searchable
    ids = {c.title: c.id for c in lib.search("").clips}
    lib.set_favourite([ids["Sea level rise"]])
    lib.set_read([ids["Coffee and health"], ids["Sea level rise"]])
    assert titles(lib, "is:fav") == ["Sea level rise"]
    assert set(titles(lib, "is:unread")) == {"Rust for C++ programmers", "Café culture in Paris"}
    assert titles(lib, "", sort="oldest")[0] == "Rust for C++ programmers"
    assert titles(lib, "", sort="newest")[0] == "Coffee and health"
    assert titles(lib, "", sort="title")[0] == "Café culture in Paris"
    assert lib.search("", limit=2, offset=1).total == 4
    assert len(lib.search("", limit=2, offset=3).clips) == 1


@pytest.mark.parametrize(
    "q",
    [
        "c++",
        '"unbalanced',
        "AND",
        "OR",
        "NOT",
        "(",
        ")",
        "NEAR(",
        "tag:",
        "site:",
        "🙂",
        '"',
        "-",
        "*",
        ":",
        "a:b:c",
        "title:",
        "^x",
        "x OR OR y",
        "-(",
        "\x00",
    ],
)
def test_hostile_queries_never_raise(searchable: Library, q: str) -> None:
    page = searchable.search(q)
    assert page.total >= 0


def test_delete(searchable: Library) -> None:
    ids = searchable.all_ids()
    assert searchable.delete([*ids[:2], 9999]) == 2
    assert searchable.count() == 2
    assert searchable.search("rust").total == 0


def test_locked_library_gives_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    lib = Library(path)
    lib._conn.execute("PRAGMA busy_timeout = 100")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LibraryError, match="busy"):
            lib.add(article("X", url="https://e.com/x"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert lib.count() == 0
    lib.close()


def test_keep_as_link_on_an_empty_text_note(lib: Library) -> None:
    from clipper.core.clipping import ClipOptions, clip_document
    from clipper.core.sources import document_from_text

    doc = document_from_text("", url="https://example.com/empty")
    result = clip_document(lib, doc, ClipOptions(keep_as_link=True))
    assert result.clip.kind == "link" and result.clip.url == "https://example.com/empty"


def test_sort_directions(lib: Library) -> None:
    for title, words in (("b", "one two"), ("a", "one two three"), ("c", "one")):
        lib.add(article(title, words, f"https://e.com/{title}"))
    assert [c.title for c in lib.search("", sort="title", descending=True).clips] == ["c", "b", "a"]
    assert [c.title for c in lib.search("", sort="words").clips] == ["c", "b", "a"]
    assert (
        lib.search_ids("", sort="words", descending=True) == lib.search_ids("", sort="words")[::-1]
    )


def test_set_title_and_note_are_searchable(lib: Library) -> None:
    from clipper.core.errors import ClipperError

    clip = lib.add(article("Old", url="https://e.com/t")).clip
    lib.set_title(clip.id, "  Brand   new  ")
    lib.set_note(clip.id, "zebra crossing")
    assert lib.get(clip.id).title == "Brand new"
    assert lib.search("title:brand").total == 1 and lib.search("zebra").total == 1
    with pytest.raises(ClipperError):
        lib.set_title(clip.id, "   ")
