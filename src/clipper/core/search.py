"""Search: the parsed query language turned into parameterised SQL over the FTS5 index.

User text reaches MATCH only as the quoted expressions that ``clipper.core.query``
builds; everything else is bound parameters.
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


def _tag_filter(names: list[str], negate: bool) -> tuple[list[str], list[Any]]:
    from clipper.core.tags import key

    sql = (
        "{} EXISTS (SELECT 1 FROM clip_tags ct JOIN tags t ON t.id = ct.tag_id "
        "WHERE ct.clip_id = c.id AND t.key = ?)"
    ).format("NOT" if negate else "")
    return [sql.strip()] * len(names), [key(n) for n in names]


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


def _filters(query: Query) -> tuple[list[str], list[Any]]:
    """WHERE clauses (ANDed) and their parameters for everything but the positive match."""
    clauses: list[str] = []
    params: list[Any] = []
    for sql, values in (
        _tag_filter(query.tags, False),
        _tag_filter(query.not_tags, True),
        _site_filter(query.sites, False),
        _site_filter(query.not_sites, True),
    ):
        clauses += sql
        params += values
    if query.negative:
        clauses.append("c.id NOT IN (SELECT rowid FROM clips_fts WHERE clips_fts MATCH ?)")
        params.append(query.negative)
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


def _base(query: Query, ranked: bool) -> tuple[str, list[Any]]:
    """FROM ... WHERE ... for a query, with column ``score`` when ``ranked``."""
    clauses, params = _filters(query)
    if query.positive:
        score = f", bm25(clips_fts, {_WEIGHTS}) AS score" if ranked else ""
        source = (
            f"(SELECT rowid{score} FROM clips_fts WHERE clips_fts MATCH ?) f "
            "JOIN clips c ON c.id = f.rowid"
        )
        params = [query.positive, *params]
    else:
        source = "clips c"
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return f"FROM {source}{where}", params


def run_count(conn: sqlite3.Connection, query: Query) -> int:
    """How many clips match."""
    sql, params = _base(query, ranked=False)
    return int(conn.execute(f"SELECT count(*) {sql}", params).fetchone()[0])


def run_ids(
    conn: sqlite3.Connection,
    query: Query,
    sort: str,
    offset: int,
    limit: int,
    descending: bool | None = None,
) -> list[int]:
    """Matching ids in the asked order; ``limit`` -1 means all."""
    ranked = sort == "relevance" and bool(query.positive)
    order = "f.score ASC, c.id DESC" if ranked else order_by(sort, descending)
    sql, params = _base(query, ranked=ranked)
    rows = conn.execute(
        f"SELECT c.id {sql} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
    )
    return [int(r[0]) for r in rows]


def snippets_for(conn: sqlite3.Connection, query: Query, ids: list[int]) -> dict[int, str]:
    """Highlighted excerpts of the body text for the given clips (only when words were searched)."""
    if not query.positive or not ids:
        return {}
    rows = conn.execute(
        f"SELECT rowid, snippet(clips_fts, 3, '{MARK_START}', '{MARK_END}', '…', 24) "
        f"FROM clips_fts WHERE clips_fts MATCH ? AND rowid IN ({','.join('?' * len(ids))})",
        [query.positive, *ids],
    )
    return {int(r[0]): str(r[1]) for r in rows if r[1]}


def render_snippet(snippet: str, start: str = "[", end: str = "]") -> str:
    """A snippet with its highlight markers replaced."""
    return snippet.replace(MARK_START, start).replace(MARK_END, end)
