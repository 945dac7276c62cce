"""The search language, checked against a real SQLite FTS5 table like the library's."""

from __future__ import annotations

import re
import sqlite3
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipper.core.query import Query, parse_query, quote_fts

# The same definition as the library's table.
SCHEMA = """
CREATE VIRTUAL TABLE clips_fts USING fts5(
    title, author, site, text, tags, note,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""
ONE_COLUMN = "fts5(x, tokenize = 'unicode61 remove_diacritics 2')"
COLUMNS = ("title", "author", "site", "text", "tags", "note")
ROWS: dict[int, tuple[str, str, str, str, str, str]] = {
    1: ("Apple pie recipe", "Jane Smith", "example.com", "A classic apple pie.", "baking", ""),
    2: ("Pear tart", "John Doe", "blog.example.org", "An apple is not a pie, pears are.", "", ""),
    3: ("Café culture", "Amélie Poulain", "paris.fr", "Croissants on the terrace.", "", ""),
    4: ("Learning C++", "Bjarne Smithson", "cpp.dev", "Modern C++ and C# compared.", "", ""),
    5: ("日本語の記事", "", "example.jp", "東京 の 天気 は 晴れ", "", ""),
    6: ("Apple stock", "Reporter", "news.com", "Adam Smith on markets.", "", "AND NOT NEAR"),
}
ALL = set(ROWS)
LITERAL = re.compile(r'"((?:[^"]|"")*)"')


def make_db() -> sqlite3.Connection:
    """An in-memory database holding the FTS table, its rows, and a one-column probe table."""
    db = sqlite3.connect(":memory:")
    db.execute(SCHEMA)
    db.execute(f"CREATE VIRTUAL TABLE probe USING {ONE_COLUMN}")
    marks = ", ".join("?" * len(COLUMNS))
    db.executemany(
        f"INSERT INTO clips_fts(rowid, {', '.join(COLUMNS)}) VALUES (?, {marks})",
        [(rowid, *values) for rowid, values in ROWS.items()],
    )
    return db


# One connection for the whole module: Hypothesis examples must not rebuild it each time.
DB = make_db()


def search(text: str) -> set[int]:
    """Rows the library would return for text (FTS part only, as the library builds it)."""
    query = parse_query(text)
    sql = "SELECT rowid FROM clips_fts WHERE 1"
    params: list[str] = []
    if query.positive is not None:
        sql += " AND clips_fts MATCH ?"
        params.append(query.positive)
    if query.negative is not None:
        sql += " AND rowid NOT IN (SELECT rowid FROM clips_fts WHERE clips_fts MATCH ?)"
        params.append(query.negative)
    return {rowid for (rowid,) in DB.execute(sql, params)}


def tokenizes(literal: str) -> bool:
    """Whether an FTS5 string literal holds at least one token, asked of FTS5 itself.

    A phrase matches a document made of its own text exactly when it has a token; an empty
    phrase matches nothing.
    """
    text = literal[1:-1].replace('""', '"')
    DB.execute("INSERT INTO probe(rowid, x) VALUES (1, ?)", (text,))
    try:
        rows = DB.execute("SELECT rowid FROM probe WHERE probe MATCH ?", (literal,)).fetchall()
        return rows == [(1,)]
    finally:
        DB.execute("DELETE FROM probe")


def assert_valid_fts(query: Query) -> None:
    """Both expressions run in FTS5 and every string literal in them holds a token."""
    for expression in (query.positive, query.negative):
        if expression is None:
            continue
        DB.execute("SELECT rowid FROM clips_fts WHERE clips_fts MATCH ?", (expression,)).fetchall()
        for match in LITERAL.finditer(expression):
            assert tokenizes(match.group()), (expression, match.group())


# --- Words, phrases, OR, prefixes, exclusions ----------------------------------------------


def test_words_must_all_match() -> None:
    assert parse_query("apple pie").positive == '"apple" AND "pie"'
    assert search("apple pie") == {1, 2}
    assert search("pie apple") == {1, 2}


def test_phrase_matches_words_in_order() -> None:
    query = parse_query('"apple pie"')
    assert query.positive == '"apple pie"'
    assert query.highlight_terms == ["apple pie"]
    assert search('"apple pie"') == {1}
    assert search('"pie apple"') == set()


def test_unbalanced_quote_runs_to_the_end() -> None:
    assert parse_query('classic "apple pie').positive == '"classic" AND "apple pie"'
    assert search('classic "apple pie') == {1}


def test_quote_inside_phrase_is_doubled() -> None:
    assert parse_query('say"hi"').positive == '"say" AND "hi"'
    assert quote_fts('say "hi"') == '"say ""hi"""'


def test_or_binds_tighter_than_and() -> None:
    query = parse_query("apple OR pear tart")
    assert query.positive == '("apple" OR "pear") AND "tart"'
    # Read as apple OR (pear AND tart), rows 1 and 6 would come back too.
    assert search("apple OR pear tart") == {2}
    assert search("tart apple OR pear") == {2}


def test_or_chain_and_pipe() -> None:
    assert parse_query("pear OR croissants OR markets").positive == (
        '"pear" OR "croissants" OR "markets"'
    )
    assert search("pear OR croissants OR markets") == {2, 3, 6}
    assert search("pear | croissants") == {2, 3}
    assert search("pear|croissants") == {2, 3}


def test_lower_case_or_is_a_word() -> None:
    assert parse_query("apple or pear").positive == '"apple" AND "or" AND "pear"'
    assert search("apple or pear") == set()


@pytest.mark.parametrize(
    ("text", "positive"),
    [
        ("OR apple", '"apple"'),
        ("apple OR", '"apple"'),
        ("apple OR OR pear", '"apple" OR "pear"'),
        ("OR", None),
        ("OR OR | OR", None),
    ],
)
def test_dangling_or_is_ignored(text: str, positive: str | None) -> None:
    query = parse_query(text)
    assert query.positive == positive
    assert query.warnings == []


def test_prefix() -> None:
    query = parse_query("crois*")
    assert query.positive == '"crois"*'
    assert query.highlight_terms == ["crois"]
    assert search("crois*") == {3}
    assert search("crois") == set()
    assert search('"apple p"*') == {1}


def test_bare_star_is_ignored() -> None:
    assert parse_query("*").is_empty
    assert parse_query("apple * pie").positive == '"apple" AND "pie"'


def test_exclusion_alone() -> None:
    query = parse_query("-apple")
    assert query.positive is None
    assert query.negative == '"apple"'
    assert not query.is_empty
    assert search("-apple") == {3, 4, 5}


def test_exclusions_are_ored_together() -> None:
    query = parse_query('pie -classic -"not a pie"')
    assert query.positive == '"pie"'
    assert query.negative == '"classic" OR "not a pie"'
    assert search('pie -classic -"not a pie"') == set()
    assert search("apple -tart -stock") == {1}
    assert search("-crois*") == ALL - {3}


def test_lone_dash_is_not_an_exclusion() -> None:
    query = parse_query("apple - pie")
    assert (query.positive, query.negative) == ('"apple" AND "pie"', None)


def test_author_is_a_column_filter() -> None:
    assert parse_query("author:smith").positive == 'author : "smith"'
    assert search("smith") == {1, 6}
    assert search("author:smith") == {1}
    assert search("AUTHOR:Smith*") == {1, 4}
    assert search('author:"jane smith"') == {1}
    assert search("apple -author:smith") == {2, 6}
    assert parse_query("-author:smith").negative == 'author : "smith"'


def test_title_is_a_column_filter() -> None:
    assert search("apple") == {1, 2, 6}
    assert search("title:apple") == {1, 6}
    assert parse_query("title:apple pie").positive == '(title : "apple") AND "pie"'
    assert search("title:apple pie") == {1}
    assert search("title:apple OR tart") == {1, 2, 6}


def test_column_terms_are_not_highlighted() -> None:
    assert parse_query("author:smith title:apple pie").highlight_terms == ["pie"]


def test_diacritics_do_not_matter() -> None:
    assert search("cafe") == {3}
    assert search("café") == {3}
    assert search("CAFÉ") == {3}
    assert search("author:amelie") == {3}


def test_cjk_runs_are_single_tokens() -> None:
    assert search("晴れ") == {5}
    assert search("東京 天気") == {5}
    assert search("日本語の記事") == {5}
    # unicode61 does not split a run of CJK characters, so a part of one matches as a prefix.
    assert search("日本語") == set()
    assert search("日本語*") == {5}


def test_c_plus_plus_and_c_sharp() -> None:
    assert parse_query("c++").positive == '"c++"'
    assert parse_query("c++").highlight_terms == ["c++"]
    assert search("c++") == {4}
    assert search("C# compared") == {4}


@pytest.mark.parametrize("word", ["AND", "NOT", "NEAR", "NEAR(", "^", ":", "and"])
def test_operators_typed_by_the_user_are_plain_words(word: str) -> None:
    query = parse_query(f"apple {word} stock")
    assert_valid_fts(query)
    assert query.negative is None


def test_upper_case_operator_words_are_searched() -> None:
    assert search("NOT") == {2, 6}
    assert search("NEAR AND") == {6}
    assert parse_query("NEAR(apple pie)").positive == '"NEAR(apple" AND "pie"'


def test_parentheses_are_plain_characters() -> None:
    assert search("(apple OR pear) tart") == {2}
    assert parse_query("(crois* OR markets)").positive == '"crois"* OR "markets"'
    assert search("-(apple) ( ) )") == {3, 4, 5}
    assert parse_query("( ) [ ]").is_empty


def test_terms_without_token_characters_are_dropped() -> None:
    query = parse_query('apple !!! "" "--" 😀 pie')
    assert query.positive == '"apple" AND "pie"'
    assert query.warnings == ['Ignored "😀": search only looks at letters and numbers.']


@pytest.mark.parametrize("text", ["foo:bar", "c++:", "https://example.com/x", "http:"])
def test_unknown_fields_and_urls_are_words(text: str) -> None:
    query = parse_query(text)
    assert query.positive == quote_fts(text)
    assert query.warnings == []
    assert_valid_fts(query)


def test_a_url_finds_its_words() -> None:
    assert search("https://news.com/apple") == set()
    assert search("example.com") == {1}


# --- Filters ------------------------------------------------------------------------------


def test_tags() -> None:
    query = parse_query('tag:Baking TAG:"two words" -tag:old tag:baking tag:c*')
    assert query.tags == ["Baking", "two words", "c*"]
    assert query.not_tags == ["old"]
    assert query.positive is None
    assert query.negative is None


@pytest.mark.parametrize(
    ("text", "site"),
    [
        ("site:example.com", "example.com"),
        ("site:WWW.Example.COM", "example.com"),
        ("site:https://www.example.com/a/b?c=d#e", "example.com"),
        ("site:http://user@example.com:8080/", "example.com"),
        ("site:blog.example.org", "blog.example.org"),
    ],
)
def test_site_is_normalised(text: str, site: str) -> None:
    assert parse_query(text).sites == [site]
    assert parse_query("-" + text).not_sites == [site]


def test_several_sites_and_languages() -> None:
    query = parse_query("site:a.com site:b.com lang:DE lang:pt_BR lang:de")
    assert query.sites == ["a.com", "b.com"]
    assert query.languages == ["de", "pt-br"]


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        ("before:2024-03-05", "2024-03-05", None),
        ("after:2024-03-05", None, "2024-03-05"),
        ("before:2024", "2024-01-01", None),
        ("after:2024-03", None, "2024-03-01"),
        ("after:2024/3/5", None, "2024-03-05"),
        ("after:2024 before:2025", "2025-01-01", "2024-01-01"),
        ("before:2024 before:2023-06", "2023-06-01", None),
        ("after:2020 after:2021-02", None, "2021-02-01"),
    ],
)
def test_dates(text: str, before: str | None, after: str | None) -> None:
    query = parse_query(text)
    assert (query.before, query.after, query.warnings) == (before, after, [])


@pytest.mark.parametrize(
    ("text", "favourite", "unread"),
    [
        ("is:fav", True, None),
        ("is:favourite", True, None),
        ("IS:Favorite", True, None),
        ("-is:fav", False, None),
        ("is:unread", None, True),
        ("is:read", None, False),
        ("-is:unread", None, False),
        ("-is:read", None, True),
        ("is:fav is:unread", True, True),
    ],
)
def test_flags(text: str, favourite: bool | None, unread: bool | None) -> None:
    query = parse_query(text)
    assert (query.favourite, query.unread) == (favourite, unread)


def test_filters_mix_with_words() -> None:
    query = parse_query("apple tag:baking -site:news.com pie is:unread")
    assert query.positive == '"apple" AND "pie"'
    assert (query.tags, query.not_sites, query.unread) == (["baking"], ["news.com"], True)


def test_is_empty() -> None:
    assert parse_query("").is_empty
    assert parse_query("   ").is_empty
    assert parse_query("tag: ( * OR").is_empty
    assert not parse_query("is:read").is_empty
    assert not parse_query("before:2024").is_empty
    assert not parse_query("tag:x").is_empty
    assert Query().is_empty


def test_text_is_kept_as_typed() -> None:
    text = 'apple\x00 "pie'
    assert parse_query(text).text == text


def test_highlight_terms() -> None:
    query = parse_query('(apple OR Pear) "apple pie" crois* -tart apple tag:x')
    assert query.highlight_terms == ["apple", "Pear", "apple pie", "crois"]


# --- Warnings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("tag:", 'Ignored "tag:": write a tag name after it, like tag:recipes.'),
        ('-tag:""', 'Ignored "-tag:""": write a tag name after it, like tag:recipes.'),
        ("site:", 'Ignored "site:": write a site after it, like site:example.com.'),
        ("site:https://", 'Ignored "site:https://": write a site after it, like site:example.com.'),
        ("author:", 'Ignored "author:": write a name after it, like author:smith.'),
        ("is:", 'Ignored "is:": write fav, unread or read after it, like is:unread.'),
        ("before:yesterday", 'Ignored "before:yesterday": dates are written YYYY-MM-DD.'),
        ("after:2024-13-45", 'Ignored "after:2024-13-45": 2024-13-45 is not a real date.'),
        ("after:0000", 'Ignored "after:0000": 0000 is not a real date.'),
        ("-before:2024", 'Ignored "-before:2024": write after:2024 instead.'),
        ("is:great", 'Ignored "is:great": use is:fav, is:unread or is:read.'),
        ("lang:english", 'Ignored "lang:english": languages are written as codes, like lang:en.'),
        ("-lang:de", 'Ignored "-lang:de": languages cannot be excluded.'),
        ("title:😀", 'Ignored "title:😀": search only looks at letters and numbers.'),
        (
            "apple OR tag:x",
            'Ignored "OR" next to "tag:x": OR only joins search words, not filters or exclusions.',
        ),
        (
            "-apple | pear",
            'Ignored "OR" next to "-apple": OR only joins search words, not filters or exclusions.',
        ),
    ],
)
def test_warnings_are_sentences(text: str, warning: str) -> None:
    query = parse_query(text)
    assert query.warnings == [warning]


def test_ignored_filters_leave_the_rest() -> None:
    query = parse_query("apple before:soon tag: pie")
    assert query.positive == '"apple" AND "pie"'
    assert (query.before, query.tags) == (None, [])
    assert len(query.warnings) == 2


def test_warnings_stay_short() -> None:
    query = parse_query(" ".join(f"is:x{i}" for i in range(50)) + " tag:" + "x" * 500 + " tag:")
    assert len(query.warnings) == 10
    assert query.warnings[-1] == "Ignored 42 more parts of the search."
    long_one = parse_query("before:" + "y" * 200).warnings[0]
    assert len(long_one) < 100
    assert "…" in long_one


# --- quote_fts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "literal"),
    [
        ("apple", '"apple"'),
        ("two words", '"two words"'),
        ('a"b', '"a""b"'),
        ("c++", '"c++"'),
        ("a\x00b", '"a b"'),
        ("日本", '"日本"'),
        ("", None),
        ("  ", None),
        ("!?*()", None),
        ('"', None),
        ("😀🎉", None),
        ("\x00\x1f", None),
    ],
)
def test_quote_fts(term: str, literal: str | None) -> None:
    assert quote_fts(term) == literal
    if literal is not None:
        assert tokenizes(literal)


def test_quote_fts_agrees_with_the_real_tokenizer_on_every_character() -> None:
    """Every character quote_fts counts as a token is one for FTS5, so no empty phrases."""
    accepted = [
        code
        for code in range(1, sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and quote_fts(chr(code)) is not None
    ]
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING {ONE_COLUMN}")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    db.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", ((c, chr(c)) for c in accepted))
    db.commit()
    tokens = {doc for (doc,) in db.execute("SELECT DISTINCT doc FROM v")}
    missing = [f"U+{code:04X}" for code in accepted if code not in tokens]
    assert missing == []
    # And the ordinary non-token characters are rejected.
    for char in "😀🎉©€→·—「」、。":
        assert unicodedata.category(char)[0] in "SPZ"
        assert quote_fts(char) is None


# --- Anything goes ------------------------------------------------------------------------


def test_ten_thousand_characters() -> None:
    for text in (
        "apple " * 1700,
        "a OR " * 2000,
        '"' * 10_000,
        "-" * 10_000,
        "x" * 10_000,
        "(" * 5000 + ")" * 5000,
        " ".join(f"w{i} OR -v{i} tag:t{i} author:a{i}*" for i in range(300)),
    ):
        assert len(text) >= 5000
        assert_valid_fts(parse_query(text))


ANY_CHARACTER = st.characters(exclude_categories=())  # including lone surrogates
TOKENS = st.sampled_from(
    [
        "AND", "OR", "or", "NOT", "NEAR", "NEAR(", '"', "-", "*", "(", ")", "|", "^", ":",
        "tag:", "-tag:", "site:", "author:", "-author:", "title:", "lang:", "is:", "before:",
        "after:", "apple", "pie", "café", "c++", "日本", "😀", "\x00", "\u19b0", "x*", '"a b',
        "2024-13-45", "{author}", "+", "NEAR(a b)", "author:\"", '""', "AUTHOR:",
    ]
)  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.text(ANY_CHARACTER, max_size=80))
def test_any_text_gives_valid_fts(text: str) -> None:
    check_anything(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(TOKENS, max_size=12), st.sampled_from(["", " ", "  "]))
def test_any_mix_of_operators_gives_valid_fts(tokens: list[str], separator: str) -> None:
    check_anything(separator.join(tokens))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(TOKENS, st.text(ANY_CHARACTER, max_size=4)), max_size=10))
def test_operators_mixed_with_any_text_give_valid_fts(parts: list[str]) -> None:
    check_anything(" ".join(parts))


def check_anything(text: str) -> None:
    """parse_query copes with text and hands SQLite only valid, encodable values."""
    query = parse_query(text)
    assert_valid_fts(query)
    values = [*query.tags, *query.not_tags, *query.sites, *query.not_sites, *query.languages]
    for value in values:
        assert value.strip() == value != ""
        value.encode("utf-8")  # no lone surrogates reach SQLite
    for day in (query.before, query.after):
        assert day is None or re.fullmatch(r"\d{4}-\d\d-\d\d", day)
    for warning in query.warnings:
        assert warning[0].isupper()
        assert warning.endswith(".")
    settings_ = (query.positive, query.negative, query.before, query.after)
    flags = (query.favourite, query.unread)
    assert query.is_empty == (not values and all(v is None for v in (*settings_, *flags)))


def test_doubled_quote_inside_a_quoted_value_is_a_literal_quote() -> None:
    q = parse_query('tag:"say ""hi""" -tag:"x""y" "open ""ended')
    assert q.tags == ['say "hi"']
    assert q.not_tags == ['x"y']
    assert q.positive is not None and "ended" in q.positive
