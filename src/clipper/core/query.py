"""The search language: what people type into the search box and ``clipper search``.

The text is parsed into a :class:`Query`: two SQLite FTS5 expressions (what results must
match and what they must not) plus plain filters the library checks in SQL. User text never
reaches FTS5 raw: every word or phrase becomes a quoted FTS5 string, so any input is safe.

Search syntax
-------------

- ``apple pie`` - every word must appear (in any field: title, author, site, text, tags, note).
- ``"apple pie"`` - the exact phrase. A quote that is never closed runs to the end.
- ``-apple``, ``-"apple pie"`` - leave out clips with that word or phrase.
- ``apple OR pear`` (or ``apple | pear``) - either word. ``OR`` must be upper-case (``or``
  is an ordinary word) and it binds tighter than the spaces between words:
  ``apple OR pear pie`` means (apple or pear) and pie. An ``OR`` with nothing on one side
  is ignored.
- ``app*`` - words starting with "app". A ``*`` on its own is ignored.
- ``tag:recipes``, ``tag:"two words"`` - clips with that tag (case does not matter). Several
  ``tag:`` filters must all match. ``-tag:recipes`` leaves that tag out.
- ``site:example.com`` - clips from that site (``www.``, ``https://`` and any path are
  dropped). Several ``site:`` filters mean any of them. ``-site:`` leaves a site out.
- ``author:smith``, ``title:soup`` - the word (or ``"phrase"``, or ``prefix*``) must appear in
  the author or the title. ``-author:`` and ``-title:`` leave those clips out.
- ``lang:de`` - clips in that language (several mean any of them).
- ``after:2024-03-01`` - published on or after that day; ``before:2024-03-01`` - published
  strictly before it. ``2024`` and ``2024-03`` stand for their first day, so
  ``after:2024 before:2025`` is the whole of 2024.
- ``is:fav`` (also ``is:favourite``, ``is:favorite``), ``is:unread``, ``is:read``, and
  ``-is:fav``, ``-is:unread`` (``-is:read`` is ``is:unread``).
- Field names are case-insensitive. An unknown field such as ``foo:bar``, or a web address,
  is searched as ordinary words. ``AND``, ``NOT`` and ``NEAR`` are ordinary words, not
  operators. Parentheses are ordinary characters, but because ``OR`` binds tighter anyway,
  ``(apple OR pear) pie`` means what it looks like.
- Search looks at letters and numbers only: ``c++`` finds "C++" (as the word "c"), accents
  do not matter (``cafe`` finds "café"), and a term made only of punctuation or emoji is
  ignored. Text in Chinese, Japanese and similar scripts is matched as whole runs of
  characters between spaces or punctuation.

Parts that cannot be used (``before:yesterday``, a bare ``tag:``) are ignored and explained
in :attr:`Query.warnings`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

__all__ = ["Query", "parse_query", "quote_fts"]

# Fields that become FTS5 column filters; the values are column names of clips_fts.
_COLUMN_FIELDS = {"author": "author", "title": "title"}
# Hints shown when a field is typed with nothing after it.
_EMPTY_HINTS = {
    "tag": "a tag name after it, like tag:recipes",
    "site": "a site after it, like site:example.com",
    "lang": "a language code after it, like lang:en",
    "before": "a date after it, like before:2024-06-30",
    "after": "a date after it, like after:2024-06-30",
    "is": "fav, unread or read after it, like is:unread",
    "author": "a name after it, like author:smith",
    "title": "a word after it, like title:soup",
}
_IS_FLAGS = {
    "fav": ("favourite", True),
    "favourite": ("favourite", True),
    "favorite": ("favourite", True),
    "unread": ("unread", True),
    "read": ("unread", False),
}
_MAX_WARNINGS = 10
_SHOWN_CHARS = 40

# Python 3.11 calls these letters, but SQLite's older Unicode tables file them as marks, so
# FTS5 treats them as separators. A phrase made only of them would match nothing.
_FTS_SEPARATOR_LETTERS = frozenset(
    [*range(0x19B0, 0x19C1), 0x19C8, 0x19C9, 0x1CF2, 0x1CF3],
)

# NUL ends an FTS5 string early ("unterminated string"), other C0/C1 controls are noise, and
# lone surrogates cannot be encoded as UTF-8 for SQLite: all of them become spaces.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FIELD = re.compile(r"([A-Za-z]+):")
_BARE_WORD = re.compile(r'[^\s|"]*')
_STARS = re.compile(r"\**")
_DATE = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_OPENING_BRACKETS = "([{"
_CLOSING_BRACKETS = ")]}"


@dataclass
class Query:
    """A parsed search: FTS5 expressions for the words, plain values for the filters."""

    positive: str | None = None
    negative: str | None = None
    tags: list[str] = field(default_factory=list)
    not_tags: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    not_sites: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    before: str | None = None
    after: str | None = None
    favourite: bool | None = None
    unread: bool | None = None
    warnings: list[str] = field(default_factory=list)
    text: str = ""
    _plain_terms: list[str] = field(default_factory=list, repr=False)

    @property
    def is_empty(self) -> bool:
        """True when the search has no terms and no filters (it would match every clip)."""
        lists = (self.tags, self.not_tags, self.sites, self.not_sites, self.languages)
        values = (self.positive, self.negative, self.before, self.after)
        flags = (self.favourite, self.unread)
        return not any(lists) and all(v is None for v in (*values, *flags))

    @property
    def highlight_terms(self) -> list[str]:
        """The plain words and phrases a result matched, for highlighting in the reader.

        Prefix terms appear without their ``*``; excluded terms and ``author:``/``title:``
        terms are left out.
        """
        return list(self._plain_terms)


def quote_fts(term: str) -> str | None:
    """Turn one user word or phrase into a safe FTS5 string literal.

    Returns ``"..."`` with inner quotes doubled, or None when the term holds no character
    FTS5 indexes (only punctuation, emoji, spaces), because such a phrase would silently
    match nothing.
    """
    cleaned = _UNSAFE.sub(" ", term)
    if not any(_is_token_char(char) for char in cleaned):
        return None
    return '"' + cleaned.replace('"', '""') + '"'


def parse_query(text: str) -> Query:
    """Parse what the user typed into a :class:`Query`. Never raises."""
    builder = _Builder(text)
    for item in _scan(_UNSAFE.sub(" ", text)):
        builder.add(item)
    return builder.build()


def _is_token_char(char: str) -> bool:
    """Whether FTS5's unicode61 tokenizer (default categories L*, N*, Co) keeps this char."""
    if char.isascii():
        return char.isalnum()
    category = unicodedata.category(char)
    token_category = category[0] in "LN" or category == "Co"
    return token_category and ord(char) not in _FTS_SEPARATOR_LETTERS


# --- Reading the text ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    """One thing the user typed: a word, a "phrase" or a field:value, maybe negated."""

    raw: str
    value: str
    field: str | None = None
    negated: bool = False
    quoted: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class _Or:
    """An OR (or ``|``) between two terms."""


def _scan(text: str) -> Iterator[_Word | _Or]:
    """Split the text into words, phrases, fields and ORs, left to right."""
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char == "|":
            yield _Or()
            pos += 1
        else:
            word, pos = _read_word(text, pos)
            yield _Or() if _is_or(word) else word


def _read_word(text: str, start: int) -> tuple[_Word, int]:
    """Read one (maybe negated, maybe field-prefixed) word or phrase starting at start."""
    pos = start
    negated = text[pos] == "-" and pos + 1 < len(text) and _starts_term(text[pos + 1])
    if negated:
        pos += 1
    # Brackets are plain text, but skipping them lets "(tag:a" or "-(apple" work as meant.
    while pos < len(text) and text[pos] in _OPENING_BRACKETS:
        pos += 1
    field_name = None
    match = _FIELD.match(text, pos)
    if match and _is_field(match.group(1)):
        field_name = match.group(1).lower()
        pos = match.end()
    value, quoted, prefix, pos = _read_value(text, pos)
    word = _Word(text[start:pos], value, field_name, negated, quoted, prefix)
    return word, pos


def _read_value(text: str, pos: int) -> tuple[str, bool, bool, int]:
    """Read a bare word or a quoted phrase: (value, quoted, prefix, end position)."""
    if pos < len(text) and text[pos] == '"':
        value, close = _read_quoted(text, pos + 1)
        if close == -1:  # an unbalanced quote runs to the end of the text
            return value, True, False, len(text)
        stars = _STARS.match(text, close + 1)
        end = stars.end() if stars else close + 1
        return value, True, end > close + 1, end
    match = _BARE_WORD.match(text, pos)
    word = match.group() if match else ""
    core = word.rstrip(_CLOSING_BRACKETS)  # so "(app* OR pie)" still has a prefix term
    stem = core.rstrip("*")
    return stem, False, stem != core, pos + len(word)


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    """The text up to the closing quote, with "" read as one literal quote (as in CSV and SQL).

    Returns (value, index of the closing quote), or -1 when the quote is never closed.
    """
    parts: list[str] = []
    while True:
        close = text.find('"', pos)
        if close == -1:
            parts.append(text[pos:])
            return "".join(parts), -1
        parts.append(text[pos:close])
        if text.startswith('""', close):
            parts.append('"')
            pos = close + 2
            continue
        return "".join(parts), close


def _starts_term(char: str) -> bool:
    """Whether a '-' followed by char negates a term (rather than being a lone dash)."""
    return not char.isspace() and char != "|"


def _is_field(name: str) -> bool:
    return name.lower() in _EMPTY_HINTS


def _is_or(word: _Word) -> bool:
    plain = word.field is None and not (word.negated or word.quoted or word.prefix)
    return plain and word.value == "OR"


# --- Building the query -------------------------------------------------------------------


class _Expr(NamedTuple):
    """Part of an FTS5 expression; simple parts need no parentheses around them."""

    text: str
    simple: bool


@dataclass(frozen=True)
class _Atom:
    """A positive FTS term: its expression and what to highlight (None: nothing)."""

    expr: _Expr
    plain: str | None


@dataclass(frozen=True)
class _Barrier:
    """A filter or exclusion: it cannot take part in an OR."""

    raw: str


class _Builder:
    """Collects the parts of a query as they are read, then resolves ORs."""

    def __init__(self, text: str) -> None:
        self.query = Query(text=text)
        self.sequence: list[_Atom | _Barrier | _Or] = []
        self.negatives: list[_Expr] = []
        self.warnings: dict[str, None] = {}  # a dict keeps order and drops repeats cheaply

    def add(self, item: _Word | _Or) -> None:
        """Take the next item read from the text."""
        if isinstance(item, _Or):
            self.sequence.append(item)
        elif item.field is None or item.field in _COLUMN_FIELDS:
            self._add_term(item)
        elif not item.value.strip():
            self._warn(f'Ignored "{_shown(item.raw)}": write {_EMPTY_HINTS[item.field]}.')
        else:
            self._add_filter(item)

    def build(self) -> Query:
        """The finished query."""
        groups = self._resolve_or()
        either = [_join([atom.expr for atom in group], "OR") for group in groups]
        positive = _join([expr for expr in either if expr], "AND")
        negative = _join(self.negatives, "OR")
        self.query.positive = positive.text if positive else None
        self.query.negative = negative.text if negative else None
        plain = [atom.plain for group in groups for atom in group if atom.plain]
        self.query._plain_terms = _unique(plain)
        self.query.warnings = _capped(list(self.warnings))
        self._drop_repeated_filters()
        return self.query

    def _drop_repeated_filters(self) -> None:
        query = self.query
        query.tags, query.not_tags = _unique(query.tags), _unique(query.not_tags)
        query.sites, query.not_sites = _unique(query.sites), _unique(query.not_sites)
        query.languages = _unique(query.languages)

    def _warn(self, sentence: str) -> None:
        self.warnings.setdefault(sentence)

    # Terms ------------------------------------------------------------------------------

    def _add_term(self, word: _Word) -> None:
        expr = _term_expr(word)
        if expr is None:
            self._warn_dropped(word)
        elif word.negated:
            self.negatives.append(expr)
            self.sequence.append(_Barrier(word.raw))
        else:
            plain = _highlight_text(word) if word.field is None else None
            self.sequence.append(_Atom(expr, plain))

    def _warn_dropped(self, word: _Word) -> None:
        """Explain a dropped term, unless it was only ASCII punctuation such as ( or *."""
        if word.field is not None and not word.value.strip():
            self._warn(f'Ignored "{_shown(word.raw)}": write {_EMPTY_HINTS[word.field]}.')
        elif not all(char.isascii() or char.isspace() for char in word.value):
            self._warn(f'Ignored "{_shown(word.raw)}": search only looks at letters and numbers.')

    def _resolve_or(self) -> list[list[_Atom]]:
        """Group atoms joined by OR; every group must match (OR binds tighter than AND)."""
        groups: list[list[_Atom]] = []
        previous: _Atom | _Barrier | None = None
        pending = False  # an OR was read since the previous item; "a OR OR b" is one OR
        for item in self.sequence:
            if isinstance(item, _Or):
                pending = True
                continue
            # An OR at the very start or end has nothing to join and is dropped silently.
            if pending and previous is not None:
                if isinstance(previous, _Atom) and isinstance(item, _Atom):
                    groups[-1].append(item)  # previous is the last atom of groups[-1]
                    previous, pending = item, False
                    continue
                self._warn_or_barrier(previous, item)
            if isinstance(item, _Atom):
                groups.append([item])
            previous, pending = item, False
        return groups

    def _warn_or_barrier(self, left: _Atom | _Barrier, right: _Atom | _Barrier) -> None:
        barrier = left if isinstance(left, _Barrier) else right
        if isinstance(barrier, _Barrier):
            self._warn(
                f'Ignored "OR" next to "{_shown(barrier.raw)}": '
                "OR only joins search words, not filters or exclusions."
            )

    # Filters ----------------------------------------------------------------------------

    def _add_filter(self, word: _Word) -> None:
        self.sequence.append(_Barrier(word.raw))
        if word.field == "tag":
            self._add_tag(word)
        elif word.field == "site":
            self._add_site(word)
        elif word.field == "lang":
            self._add_language(word)
        elif word.field == "is":
            self._add_flag(word)
        else:
            self._add_date(word)

    def _add_tag(self, word: _Word) -> None:
        # The reader split a trailing "*" off as a prefix marker; in a tag name it is typed text.
        name = word.value if word.quoted or not word.prefix else word.value + "*"
        (self.query.not_tags if word.negated else self.query.tags).append(name.strip())

    def _add_site(self, word: _Word) -> None:
        site = _normalise_site(word.value)
        if not site:
            self._warn(f'Ignored "{_shown(word.raw)}": write {_EMPTY_HINTS["site"]}.')
            return
        (self.query.not_sites if word.negated else self.query.sites).append(site)

    def _add_language(self, word: _Word) -> None:
        code = word.value.strip().lower().replace("_", "-")
        if word.negated:
            self._warn(f'Ignored "{_shown(word.raw)}": languages cannot be excluded.')
        elif not _LANGUAGE.fullmatch(code):
            self._warn(
                f'Ignored "{_shown(word.raw)}": languages are written as codes, like lang:en.'
            )
        else:
            self.query.languages.append(code)

    def _add_flag(self, word: _Word) -> None:
        flag = _IS_FLAGS.get(word.value.strip().lower())
        if flag is None:
            self._warn(f'Ignored "{_shown(word.raw)}": use is:fav, is:unread or is:read.')
            return
        name, state = flag
        state = state != word.negated  # "-is:read" means unread
        if name == "favourite":
            self.query.favourite = state
        else:
            self.query.unread = state

    def _add_date(self, word: _Word) -> None:
        if word.negated:
            other = "after" if word.field == "before" else "before"
            suggestion = f"{other}:{word.value.strip()}"
            self._warn(f'Ignored "{_shown(word.raw)}": write {_shown(suggestion)} instead.')
            return
        day = self._parse_date(word)
        if day is None:
            return
        # Several filters must all hold, so the tightest bound wins.
        if word.field == "before":
            self.query.before = min(day, self.query.before or day)
        else:
            self.query.after = max(day, self.query.after or day)

    def _parse_date(self, word: _Word) -> str | None:
        """YYYY, YYYY-MM or YYYY-MM-DD as an ISO date (the first day of the period)."""
        value = word.value.strip()
        match = _DATE.fullmatch(value)
        if match is None:
            self._warn(f'Ignored "{_shown(word.raw)}": dates are written YYYY-MM-DD.')
            return None
        year, month, day = (int(part) if part else 1 for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            self._warn(f'Ignored "{_shown(word.raw)}": {value} is not a real date.')
            return None


def _term_expr(word: _Word) -> _Expr | None:
    """The FTS5 expression for one word or phrase, or None if it has nothing to search."""
    literal = quote_fts(word.value)
    if literal is None:
        return None
    if word.prefix:
        literal += "*"
    if word.field is None:
        return _Expr(literal, simple=True)
    return _Expr(f"{_COLUMN_FIELDS[word.field]} : {literal}", simple=False)


def _join(parts: list[_Expr], operator: str) -> _Expr | None:
    """Parts joined by AND or OR, with explicit parentheses so FTS5 precedence never matters."""
    unique = list(dict.fromkeys(parts))
    if len(unique) <= 1:
        return unique[0] if unique else None
    texts = [part.text if part.simple else f"({part.text})" for part in unique]
    return _Expr(f" {operator} ".join(texts), simple=False)


def _highlight_text(word: _Word) -> str:
    """The term as the reader should look for it: no quotes, stars or runs of spaces."""
    return " ".join(word.value.split())


def _normalise_site(value: str) -> str:
    """A bare host name: no scheme, user, port, path or leading "www."."""
    host = _SCHEME.sub("", value.strip().lower())
    host = re.split(r"[/?#]", host, maxsplit=1)[0]
    host = host.rpartition("@")[2].partition(":")[0].strip(".")
    return host.removeprefix("www.")


def _unique(values: list[str]) -> list[str]:
    """Values in order, without repeats that differ only in case."""
    first: dict[str, str] = {}
    for value in values:
        first.setdefault(value.casefold(), value)
    return list(first.values())


def _capped(warnings: list[str]) -> list[str]:
    """At most a screenful of warnings: a pasted paragraph could produce hundreds."""
    if len(warnings) <= _MAX_WARNINGS:
        return warnings
    rest = len(warnings) - _MAX_WARNINGS + 1
    return [*warnings[: _MAX_WARNINGS - 1], f"Ignored {rest} more parts of the search."]


def _shown(raw: str) -> str:
    """The typed text for a warning, shortened so a pasted page does not flood the screen."""
    if len(raw) <= _SHOWN_CHARS:
        return raw
    return raw[: _SHOWN_CHARS - 1] + "…"


_BARE_TAG_PUNCTUATION = frozenset("-_.+#&'/@")


def tag_fragment(name: str) -> str:
    """The search fragment for one tag: ``tag:name``, or ``tag:"two words"`` when needed.

    A double quote inside a quoted name is written twice (see ``_read_quoted``).
    """
    if name and all(ch.isalnum() or ch in _BARE_TAG_PUNCTUATION for ch in name):
        return f"tag:{name}"
    return 'tag:"' + name.replace('"', '""') + '"'
