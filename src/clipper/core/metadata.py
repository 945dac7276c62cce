"""Who wrote a page and when: JSON-LD, meta tags, <time> elements, dates in text, names.

Trafilatura reads these too, but it takes the first date it finds (often a "modified"
or crawl date) and an author from anywhere on the page. Here each source is read on its
own, so the caller can prefer the publication date of the article itself and an author
named by the page's structured data or its byline (byline.py reads what is shown).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lxml import html as lxml_html

# Publications before this are almost always a parsing accident (a "1970-01-01" epoch).
EARLIEST_YEAR = 1990

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "blogposting", "report", "techarticle", "scholarlyarticle",
        "opinionnewsarticle", "analysisnewsarticle", "reportagenewsarticle", "reviewnewsarticle",
        "backgroundnewsarticle", "review", "liveblogposting", "socialmediaposting",
        "discussionforumposting", "posting", "question", "medicalwebpage", "recipe", "howto",
        "creativework", "videoobject", "podcastepisode", "newsletter",
    }
)  # fmt: skip
_PAGE_TYPES = frozenset({"webpage", "itempage", "aboutpage", "qapage", "collectionpage"})

_SPACES = re.compile(r"\s+")
_ISO_DATE = re.compile(r"((?:19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])")
_NOT_A_NAME = re.compile(r"^(?:https?:|www\.|@)|@.+\.[a-z]{2,}$|^\W*$", re.IGNORECASE)
BY_PREFIX = re.compile(
    r"^\s*(?i:(?:view\s+)?(?:all\s+)?(?:posts|articles|stories)\s+|"
    r"(?:written|posted|published|authored|reviewed|edited|words|story|text)\s+)?"
    r"(?i:by)(?:\b[:\s]*|(?=[A-Z]))",
)

# <meta> names that carry a publication date, best first; and the ones naming an author.
_DATE_METAS = (
    "article:published_time", "og:article:published_time", "datepublished",
    "article.published", "publishdate", "publish-date", "publish_date", "pubdate",
    "parsely-pub-date", "sailthru.date", "citation_publication_date", "citation_date",
    "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date",
    "date", "original-publish-date", "article_date_original", "og:published_time",
    "cxenseparse:recs:publishtime", "release_date",
)  # fmt: skip
_AUTHOR_METAS = (
    "author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
    "dcterms.creator", "citation_author", "byl", "og:article:author", "article.author",
)  # fmt: skip


@dataclass
class StructuredData:
    """What the page's JSON-LD says about the article (or the page, if no article)."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    headline: str | None = None
    authors: list[str] = field(default_factory=list)  # people
    organizations: list[str] = field(default_factory=list)  # authors that are organisations
    published: str | None = None
    modified: str | None = None
    kind: str | None = None


def read_json_ld(tree: lxml_html.HtmlElement) -> StructuredData:
    """Every JSON-LD object of the page (incl. @graph and arrays); the article's fields."""
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath("//script[contains(translate(@type, 'JSONLD', 'jsonld'), 'ld+json')]"):
        data = _load_json(script.text or "")
        if data is not None:
            nodes.extend(_walk(data))
    data = StructuredData(nodes)
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    main = _main_node(nodes)
    if main is None:
        return data
    data.kind = next(iter(_types(main)), None)
    data.headline = _text(main.get("headline")) or _text(main.get("name"))
    data.authors, data.organizations = _json_authors(
        main.get("author") or main.get("creator"), by_id
    )
    data.published = valid_date(
        _text(main.get("datePublished")) or _text(main.get("dateCreated"))
        or _text(main.get("uploadDate"))
    )  # fmt: skip
    data.modified = valid_date(_text(main.get("dateModified")))
    return data


def _load_json(text: str) -> Any:
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:  # raw line breaks and tabs inside strings are common and harmless
        return json.loads(re.sub(r"[\x00-\x1f]+", " ", text))
    except ValueError:
        return None


def _walk(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement"):
            if isinstance(data.get(key), (list, dict)):
                yield from _walk(data[key], depth + 1)


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return [v.lower() for v in values if isinstance(v, str)]


def _main_node(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The article node; else a web page node with a publication date or author."""
    articles = [n for n in nodes if ARTICLE_TYPES.intersection(_types(n))]
    dated = [n for n in articles if n.get("datePublished") or n.get("author")]
    if dated or articles:
        return (dated or articles)[0]
    pages = [n for n in nodes if _PAGE_TYPES.intersection(_types(n))]
    return next((n for n in pages if n.get("datePublished") or n.get("author")), None)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return squash(value) or None if isinstance(value, str) else None


def _json_authors(value: Any, by_id: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """People and organisations named by an author field (string, object, reference, list)."""
    people: list[str] = []
    others: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and set(item) <= {"@id", "@type"} and item.get("@id") in by_id:
            item = by_id[item["@id"]]
        if isinstance(item, str):
            name: str | None = item
        elif isinstance(item, dict):
            name = _text(item.get("name"))
            if not name and item.get("givenName"):
                name = f"{_text(item.get('givenName'))} {_text(item.get('familyName')) or ''}"
        else:
            continue
        name = clean_author(name)
        if name:
            is_person = isinstance(item, str) or "organization" not in _types(item)
            (people if is_person else others).append(name)
    return list(dict.fromkeys(people)), list(dict.fromkeys(others))


# --- meta tags, <time> and bylines ------------------------------------------------------


def meta_values(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """<meta> name/property/itemprop (lower-cased) -> first non-empty content."""
    values: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), squash(content))
    return values


def meta_date(metas: dict[str, str]) -> str | None:
    return next((d for key in _DATE_METAS if (d := valid_date(metas.get(key)))), None)


def meta_authors(metas: dict[str, str]) -> list[str]:
    for key in _AUTHOR_METAS:
        names = split_authors(metas.get(key))
        if names:
            return names
    return []


def time_date(tree: lxml_html.HtmlElement) -> str | None:
    """The datetime of a <time> (or itemprop) marked as the publication date."""
    for element in tree.xpath(
        "//*[@itemprop='datePublished' or @property='datePublished'][@datetime or @content]"
        "|//time[@datetime][@pubdate or contains(@class, 'publish') or contains(@class, 'posted')"
        " or contains(@class, 'entry-date') or contains(@class, 'created')]"
    ):
        found = valid_date(element.get("datetime") or element.get("content"))
        if found:
            return found
    return None


# "Last updated: November 13, 2025", "Published on 3 March 2025", "Date: 2024-05-01".
_LABELLED_DATE = re.compile(
    r"^(?:(?:last\s+)?(?:published|posted|updated|modified)|date)(?:\s+on)?\s*:?\s*(.+)$",
    re.IGNORECASE,
)
_LABELLED_DATE_MAX_CHARS = 80
_LABEL_WORDS = ("ublished", "osted", "pdated", "odified", "ate")


def labelled_date(tree: lxml_html.HtmlElement) -> str | None:
    """The first date the page labels as its own anywhere in its text ("Last updated: ...")."""
    with scripts_set_aside(tree):
        for text in tree.itertext():
            if len(text) > 4 * _LABELLED_DATE_MAX_CHARS or not any(w in text for w in _LABEL_WORDS):
                continue
            line = " ".join(text.split())
            if len(line) > _LABELLED_DATE_MAX_CHARS:
                continue
            match = _LABELLED_DATE.match(line)
            found = text_date(match.group(1)) if match else None
            if found:
                return found
    return None


@contextmanager
def scripts_set_aside(tree: lxml_html.HtmlElement) -> Iterator[None]:
    """The page without its scripts' and styles' text while the block runs, for reading
    its shown text with ``itertext`` (quicker than asking every text for its ancestors)."""
    code = [(element, element.text) for element in tree.iter("script", "style")]
    for element, _ in code:
        element.text = None
    try:
        yield
    finally:
        for element, text in code:
            element.text = text


def valid_date(value: str | None, today: date | None = None) -> str | None:
    """The YYYY-MM-DD of a date string, or None if it has none or it is implausible.

    Implausible: before 1990, or more than a day in the future.
    """
    if not value:
        return None
    match = _ISO_DATE.search(value)
    if not match:
        return None
    try:
        found = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    limit = (today or datetime.now(UTC).date()) + timedelta(days=1)
    return found.isoformat() if found.year >= EARLIEST_YEAR and found <= limit else None


# --- names ------------------------------------------------------------------------------


def squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def clean_author(name: str | None) -> str | None:
    """A name without "By ", without surrounding punctuation; None for URLs and e-mails."""
    if not name:
        return None
    name = BY_PREFIX.sub("", squash(name)).strip(" ,;:|-\u2013\u2014·•")
    if _NOT_A_NAME.search(name) or len(name) > 80 or len(name.split()) > 8:
        return None
    return name or None


def split_authors(value: str | None) -> list[str]:
    """Names in a meta-tag author field ("A, B and C" -> three names; "Doe, Jane" stays)."""
    if not value:
        return []
    parts = re.split(r"\s*(?:;|\||\band\b|&|,(?=\s*\S+\s+\S+))\s*", squash(value))
    names = [n for part in parts if (n := clean_author(part))]
    return list(dict.fromkeys(names))


# --- dates in text ------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# "03/04/2024", "11-29-2024": month first, as US sites write it (see text_date)
_MONTH_FIRST = re.compile(rf"\b(?P<month>[0-3]?\d)([/-])(?P<day>[0-3]?\d)\2{_YEAR}\b")
_TEXT_DATES = [
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\.?\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_YEAR}[-/.](?P<month>[01]?\d)[-/.](?P<day>[0-3]?\d)\b"),
    _MONTH_FIRST,
    re.compile(rf"\b(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.{_YEAR}\b"),
]


def text_date(text: str) -> str | None:
    """The date in a short line of text ("March 3rd, 2024", "3 Mar 2024", "03/03/2024",
    "11-29-2024", "28/11/2025")."""
    for pattern in _TEXT_DATES:
        match = pattern.search(text)
        if not match:
            continue
        month = match["month"]
        number = _MONTHS.get(month.lower().rstrip(".")) if not month.isdigit() else int(month)
        day = int(match["day"])
        if pattern is _MONTH_FIRST:  # unless the first number is no month
            number = int(month)
            if number > 12 >= day:  # "28/11/2025"
                number, day = day, number
            elif day <= 12 and match[2] == "-":
                continue  # "02-12-2025": December 2 in Europe, February 12 in the US
        if number:
            found = valid_date(f"{match['year']}-{number:02d}-{day:02d}")
            if found:
                return found
    return None


# --- choosing a name -----------------------------------------------------------------------

_NOT_AUTHOR = re.compile(
    r"^(?:authors?|by|posted|written|about(?: the)? authors?|more|view|read|share|follow|"
    r"contact|admin(?:istrator)?|editor|staff|team|guest|anonymous|unknown|user|member|"
    r"profile|bio|home|blog|news|comments?|updated?|guide|insights?|name|e-?mail)\b.{0,20}$|"
    # a CSS class list ("wp-block-co-authors-plus"), a numeric account id
    r"@|https?:|\w-\w+-\w+-|^\d+$|"
    r"\bposts?\b|\d:\d\d|\bago\b|\b(?:you|your|our|agree|from|the author)\b|^\W*\w?\W*$|"
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\W*)+"
    r"\d*\W*$",
    re.IGNORECASE,
)
_BYLINE_MAX_WORDS = 6


def plausible_name(text: str) -> str | None:
    name = clean_author(text)
    if not name or len(name.split()) > _BYLINE_MAX_WORDS or _NOT_AUTHOR.search(name):
        return None
    return None if text_date(name) else name


def title_match_key(text: str) -> str:
    """Lower-case letters and digits only, for comparing names and titles."""
    return re.sub(r"[\W_]+", "", text.casefold())


def choose_author(
    candidates: list[tuple[list[str] | str | None, bool]], sites: list[str | None]
) -> str | None:
    """The first usable candidate, best source first; a publisher's name only as a last resort.

    Each candidate is (names, guessed): names found by a heuristic (a byline, trafilatura)
    must also look like a name, while structured data is trusted as it is ("News Desk").
    Several names are joined with "; ".
    """
    publisher = None
    for candidate, guessed in candidates:
        names = [candidate] if isinstance(candidate, str) else list(candidate or [])
        check = plausible_name if guessed else clean_author
        names = list(dict.fromkeys(n for name in names if (n := check(name))))
        if not names:
            continue
        joined = "; ".join(names)
        if is_publisher(joined, sites):
            publisher = publisher or joined
            continue
        return joined
    return publisher


def is_publisher(author: str, sites: list[str | None]) -> bool:
    """Whether every name in an author field is one of the site's names."""
    site_names = {title_match_key(site) for site in sites if site}
    return all(title_match_key(name) in site_names for name in author.split("; "))
