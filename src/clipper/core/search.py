"""Search: the parsed query language turned into parameterised SQL over the FTS5 index.

User text reaches MATCH only as the quoted expressions that ``clipper.core.query``
builds; everything else is bound parameters.

Relevance order
---------------
bm25 needs every match's column sizes, so ranking all 90,000 clips that contain a common
word costs a lookup per clip (about 200 ms at 100,000 clips). Results up to ``RANK_ALL``
matches are ranked whole. Above that only a bounded head is ranked, in two tiers:

1. clips whose short fields (title, author, site, tags, note) match, found in the small
   ``clips_fields`` index: the newest ``HEAD_FIELDS`` of them, by bm25 over those fields;
2. the newest ``HEAD_NEWEST`` other matches, by bm25 over every column;

and the rest follow, newest (highest id) first. The same order serves pages and id lists,
so paging through ``search`` and reading ``search_ids`` agree.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clipper.core.query import Query
from clipper.core.urls import reversed_host

if TYPE_CHECKING:
    from clipper.core.library import Clip

SORTS = ("relevance", "newest", "oldest", "title", "published", "site", "author", "words")
# Highlight markers in snippets; front ends turn them into bold, <mark> or brackets.
MARK_START = "\x02"
MARK_END = "\x03"
# bm25 column weights: title, author, site, text, tags, note.
_WEIGHTS = "10.0, 4.0, 2.0, 1.0, 6.0, 3.0"
# The same weights for clips_fields: title, author, site, tags, note.
_FIELD_WEIGHTS = "10.0, 4.0, 2.0, 6.0, 3.0"
# Result sets up to this size are ranked whole; larger ones get a ranked head (see above).
RANK_ALL = 2000
HEAD_FIELDS = 200
HEAD_NEWEST = 300
# Sorts that an index of clips (schema.py) keeps in order, "published" aside (NULLs last).
_INDEXED_SORTS = frozenset({"newest", "oldest", "title", "site", "author", "words"})
# sort key -> (ORDER BY expression, descending by default?)
_ORDER = {
    "newest": ("c.created", True),
    "oldest": ("c.created", False),
    "title": ("c.title COLLATE NOCASE", False),
    "published": ("c.date", True),
    "site": ("c.site COLLATE NOCASE", False),
    "author": ("c.author COLLATE NOCASE", False),
    "words": ("c.word_count", False),
}


def order_by(sort: str, descending: bool | None = None) -> str:
    """ORDER BY for a sort key; ``descending`` None keeps the key's natural direction."""
    column, natural = _ORDER.get(sort, _ORDER["newest"])
    desc = natural if descending is None else descending
    direction = "DESC" if desc else "ASC"
    nulls = f"{column.split()[0]} IS NULL, " if sort == "published" else ""
    return f"{nulls}{column} {direction}, c.id {direction}"


@dataclass
class SearchPage:
    """One page of results and how many there are in all."""

    total: int
    clips: list[Clip]
    warnings: list[str] = field(default_factory=list)
    query: Query | None = None


# -- filters ------------------------------------------------------------------------------

_TAGGED = "SELECT ct.clip_id FROM clip_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.key = ?"


def _tag_filter(names: list[str], negate: bool, column: str) -> tuple[list[str], list[Any]]:
    from clipper.core.tags import key

    sql = f"{column} {'NOT IN' if negate else 'IN'} ({_TAGGED})"
    return [sql] * len(names), [key(n) for n in names]


def _site_filter(sites: list[str], negate: bool) -> tuple[list[str], list[Any]]:
    if not sites:
        return [], []
    parts, params = [], []
    for site in sites:
        prefix = reversed_host(site)
        # com.example. .. com.example/ covers example.com and every subdomain
        parts.append("(c.rhost >= ? AND c.rhost < ?) OR c.site = ? COLLATE NOCASE")
        params += [prefix, prefix[:-1] + "/", site]
    sql = "(" + " OR ".join(f"({p})" for p in parts) + ")"
    return [f"NOT {sql}" if negate else sql], params


def _column_filters(query: Query) -> tuple[list[str], list[Any]]:
    """WHERE clauses (ANDed) on columns of ``clips c``: sites, language, dates, flags."""
    clauses, params = _site_filter(query.sites, False)
    more, values = _site_filter(query.not_sites, True)
    clauses, params = clauses + more, params + values
    if query.languages:
        clauses.append(f"c.language IN ({','.join('?' * len(query.languages))})")
        params += query.languages
    for op, value in (("<", query.before), (">=", query.after)):
        if value:
            clauses.append(f"c.date {op} ?")
            params.append(value)
    for column, flag in (
        ("favourite", query.favourite),
        ("read", None if query.unread is None else not query.unread),
    ):
        if flag is not None:
            clauses.append(f"c.{column} = ?")
            params.append(int(flag))
    return clauses, params


def _id_filters(query: Query, column: str) -> tuple[list[str], list[Any]]:
    """WHERE clauses (ANDed) on a clip id ``column``: tags and excluded words."""
    clauses, params = _tag_filter(query.tags, False, column)
    more, values = _tag_filter(query.not_tags, True, column)
    clauses, params = clauses + more, params + values
    if query.negative:
        clauses.append(f"{column} NOT IN (SELECT rowid FROM clips_fts WHERE clips_fts MATCH ?)")
        params.append(query.negative)
    return clauses, params


def _filters(query: Query) -> tuple[list[str], list[Any]]:
    """Every filter as WHERE clauses on ``clips c`` (for searches without words)."""
    clauses, params = _id_filters(query, "c.id")
    more, values = _column_filters(query)
    return clauses + more, params + values


def _post_filters(query: Query, rowid: str) -> tuple[list[str], list[Any]]:
    """Every filter as a test of an FTS row's id, applied after the index found the row.

    The ``+`` keeps SQLite from handing the id lists to FTS5 as lookups, which would
    restart the full-text query (and bm25's statistics) once per listed id.
    """
    clauses, params = _id_filters(query, f"+{rowid}")
    more, values = _column_filters(query)
    if more:
        clauses.append(f"+{rowid} IN (SELECT c.id FROM clips c WHERE {' AND '.join(more)})")
        params += values
    return clauses, params


def _matches(query: Query, score: bool = False, table: str = "clips_fts") -> tuple[str, list[Any]]:
    """SELECT id [, score] of the clips matching the words (in ``table``) and every filter."""
    assert query.positive is not None
    weights = _WEIGHTS if table == "clips_fts" else _FIELD_WEIGHTS
    column = f", bm25({table}, {weights}) AS score" if score else ""
    clauses, params = _post_filters(query, f"{table}.rowid")
    where = "".join(f" AND {c}" for c in clauses)
    sql = f"SELECT {table}.rowid AS id{column} FROM {table} WHERE {table} MATCH ?{where}"
    return sql, [query.positive, *params]


# -- counting and ordering ------------------------------------------------------------------


def run_count(conn: sqlite3.Connection, query: Query) -> int:
    """How many clips match."""
    if query.positive:
        sql, params = _matches(query)
        return int(conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])
    clauses, params = _filters(query)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return int(conn.execute(f"SELECT count(*) FROM clips c{where}", params).fetchone()[0])


def _column_ids(
    conn: sqlite3.Connection,
    query: Query,
    sort: str,
    descending: bool | None,
    offset: int,
    limit: int,
) -> list[int]:
    """Matching ids in an order of clips columns (any sort but relevance)."""
    clauses, params = _filters(query)
    if query.positive:
        match, values = _matches(query)
        # Where an index is in the sort's order, walking it and testing each id (the "+"
        # stops SQLite looking the matches up one by one) costs the same for any number of
        # matches; looking up and sorting 90,000 clips for a common word takes seconds.
        test = "+c.id" if sort in _INDEXED_SORTS else "c.id"
        clauses, params = [f"{test} IN ({match})", *clauses], [*values, *params]
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    order = order_by(sort, descending)
    sql = f"SELECT c.id FROM clips c{where} ORDER BY {order} LIMIT ? OFFSET ?"
    return _first_column(conn, sql, [*params, limit, offset])


def _scored_newest(
    conn: sqlite3.Connection, query: Query, table: str, count: int | None
) -> list[tuple[int, float]]:
    """(id, bm25) of the matches in ``table``, highest id first; only ``count`` if given.

    bm25 is worked out only for the rows read, so a LIMIT bounds the ranking's cost.
    """
    sql, params = _matches(query, score=True, table=table)
    sql = f"{sql} ORDER BY {table}.rowid DESC"
    if count is not None:
        sql, params = f"{sql} LIMIT ?", [*params, count]
    return [(int(r[0]), float(r[1])) for r in conn.execute(sql, params)]


def _by_score(scored: list[tuple[int, float]]) -> list[int]:
    """Ids best first (bm25 is negative: lower is better), ties newest first."""
    return [i for i, _ in sorted(scored, key=lambda row: (row[1], -row[0]))]


def _tiers(conn: sqlite3.Connection, query: Query, newest: list[tuple[int, float]]) -> list[int]:
    """The ranked head of a large result: short-field matches, then the newest matches."""
    fields = _by_score(_scored_newest(conn, query, "clips_fields", HEAD_FIELDS))
    seen = set(fields)
    return fields + [i for i in _by_score(newest[:HEAD_NEWEST]) if i not in seen]


def ranked_head(conn: sqlite3.Connection, query: Query) -> tuple[list[int], int | None]:
    """The ranked start of the relevance order, and the total when it is every match.

    One scan reads up to RANK_ALL + 1 of the newest matches with their scores: if that is
    all of them they are ranked whole, else the head is ranked in tiers (see above).
    """
    newest = _scored_newest(conn, query, "clips_fts", RANK_ALL + 1)
    if len(newest) <= RANK_ALL:
        return _by_score(newest), len(newest)
    return _tiers(conn, query, newest), None


def _newest_first(conn: sqlite3.Connection, query: Query) -> list[int]:
    """Every matching id, highest first (the index's own order: nothing to sort)."""
    sql, params = _matches(query)
    return _first_column(conn, f"{sql} ORDER BY clips_fts.rowid DESC", params)


def _first_column(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[int]:
    """The first column of every row as ints, read as plain tuples (cheaper than Row)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return [row[0] for row in cursor.execute(sql, params)]


def _rest_page(
    conn: sqlite3.Connection, query: Query, head: list[int], offset: int, limit: int
) -> list[int]:
    """A page of the matches not in ``head``, newest first."""
    sql, params = _matches(query)
    if head:
        sql = f"{sql} AND +clips_fts.rowid NOT IN ({_marks(len(head))})"
    sql = f"{sql} ORDER BY clips_fts.rowid DESC LIMIT ? OFFSET ?"
    return [int(r[0]) for r in conn.execute(sql, [*params, *head, limit, offset])]


def _relevance_page(
    conn: sqlite3.Connection, query: Query, offset: int, limit: int
) -> tuple[int, list[int]]:
    """The total and a page of ids in relevance order (the ranked head, then newest first)."""
    head, total = ranked_head(conn, query)
    if total is None:
        total = run_count(conn, query)
    end = offset + limit
    if end <= len(head) or len(head) >= total:
        return total, head[offset:end]
    start = max(offset, len(head))
    rest = _rest_page(conn, query, head, start - len(head), end - start)
    return total, head[offset:end] + rest


def _relevance_ids(conn: sqlite3.Connection, query: Query) -> list[int]:
    """Every matching id in relevance order."""
    head, total = ranked_head(conn, query)
    if total is not None:
        return head
    seen = set(head)
    return head + [i for i in _newest_first(conn, query) if i not in seen]


def search_page(
    conn: sqlite3.Connection,
    query: Query,
    sort: str,
    offset: int,
    limit: int,
    descending: bool | None = None,
) -> tuple[int, list[int]]:
    """How many clips match, and the ids of one page of them in the asked order."""
    if sort == "relevance" and query.positive and limit < 0:
        ids = _relevance_ids(conn, query)
        return len(ids), ids[offset:]
    if sort == "relevance" and query.positive and limit != 0:
        return _relevance_page(conn, query, offset, limit)
    ids = _column_ids(conn, query, sort, descending, offset, limit) if limit else []
    return run_count(conn, query), ids


def run_ids(
    conn: sqlite3.Connection, query: Query, sort: str, descending: bool | None = None
) -> list[int]:
    """Every matching id in the asked order."""
    if sort == "relevance" and query.positive:
        return _relevance_ids(conn, query)
    return _column_ids(conn, query, sort, descending, 0, -1)


def snippets_for(conn: sqlite3.Connection, query: Query, ids: list[int]) -> dict[int, str]:
    """Highlighted excerpts of the body text for the given clips (only when words were searched).

    The id range bounds the index scan and the list is tested per row (``+``): listing the ids
    as lookups would restart the full-text query for each one, which for a prefix search
    merges every word with that prefix again.
    """
    if not query.positive or not ids:
        return {}
    rows = conn.execute(
        f"SELECT rowid, snippet(clips_fts, 3, '{MARK_START}', '{MARK_END}', '…', 24) "
        "FROM clips_fts WHERE clips_fts MATCH ? AND rowid BETWEEN ? AND ? "
        f"AND +rowid IN ({_marks(len(ids))})",
        [query.positive, min(ids), max(ids), *ids],
    )
    return {int(r[0]): str(r[1]) for r in rows if r[1]}


def render_snippet(snippet: str, start: str = "[", end: str = "]") -> str:
    """A snippet with its highlight markers replaced."""
    return snippet.replace(MARK_START, start).replace(MARK_END, end)


def _marks(n: int) -> str:
    return ",".join("?" * n)
