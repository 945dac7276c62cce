"""The Article: what extraction produces and what a clip keeps."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+")

# What a clip is: an extracted article, a text or Markdown note, or a bare link.
KIND_ARTICLE = "article"
KIND_TEXT = "text"
KIND_LINK = "link"


def long_date(value: str | None) -> str:
    """``2024-03-14`` (or an ISO timestamp) -> ``14 March 2024``; other text unchanged."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def count_words(text: str) -> int:
    """Number of words (Unicode \\w runs) in text."""
    return sum(1 for _ in _WORD.finditer(text))


def split_words(text: str) -> list[str]:
    """The words of text (Unicode \\w runs), as count_words counts them."""
    return _WORD.findall(text)


@dataclass
class Article:
    """An extracted article with its metadata and its body in three forms.

    ``html`` is clean, script-free HTML (headings, lists, quotes, tables, code,
    links, image references); ``text`` is plain text (what search indexes and
    what the extraction benchmarks score); ``markdown`` is derived from ``html``.
    """

    title: str
    html: str
    text: str
    url: str | None = None
    canonical_url: str | None = None
    author: str | None = None  # several authors are joined with "; "
    date: str | None = None  # publication date, YYYY-MM-DD
    site: str | None = None
    description: str | None = None
    image: str | None = None
    language: str | None = None
    kind: str = KIND_ARTICLE
    _markdown: str | None = field(default=None, repr=False, compare=False)

    @property
    def word_count(self) -> int:
        return count_words(self.text)

    @property
    def reading_time(self) -> int:
        """Minutes to read, at least 1 for any text."""
        words = self.word_count
        return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0

    @property
    def markdown(self) -> str:
        if self._markdown is None:
            from clipper.core.markdown import html_to_markdown

            self._markdown = html_to_markdown(self.html, base_url=self.url)
        return self._markdown

    @property
    def authors(self) -> list[str]:
        return [a.strip() for a in (self.author or "").split(";") if a.strip()]
