"""A page's metadata, read by us before trafilatura runs: address, title, author, date, site.

Each field has its sources in order of trust: what the page declares for machines
(JSON-LD, <meta>), then what it shows the reader (the h1, the byline and the date under
it), then trafilatura's and htmldate's own guesses, which are the slowest to make and
are only asked for when everything else found nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import htmldate
import trafilatura.metadata
from lxml import html as lxml_html

from clipper.core import byline, metadata
from clipper.core.cleanhtml import safe_url
from clipper.core.titles import choose_title, heading_text, squash

_CONTENT_LANGUAGE = (
    "//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')='content-language']/@content"
)
_CANONICAL = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
_AUTHOR_LABELS = ("written by", "author", "by")
_SITE_TYPES = frozenset({"organization", "website", "newsmediaorganization", "corporation"})


@dataclass
class PageInfo:
    """What we read from the page ourselves."""

    base: str | None  # what relative links resolve against
    canonical: str | None
    language: str | None
    title: str
    author: str | None  # several names joined with "; "
    date: str | None  # YYYY-MM-DD
    site: str | None
    description: str | None
    image: str | None
    h1: str | None  # the headline's text, as shown


def read_page(tree: lxml_html.HtmlElement, url: str | None) -> PageInfo:
    """The page's metadata; ``url`` is where it came from (None for a paste without one)."""
    metas = metadata.meta_values(tree)
    canonical = safe_url(_first(tree, _CANONICAL) or metas.get("og:url"), url)
    base_href = _first(tree, "//base/@href")
    base = (urljoin(url or "", base_href) if base_href else url) or canonical
    structured = metadata.read_json_ld(tree)
    og_title = metas.get("og:title")
    title_tag = _first(tree, "//title/text()")
    heading = byline.headline_element(tree, og_title or title_tag)
    # A headline found only as text matching the title says nothing new about the title.
    marked = heading is not None and heading.tag in ("h1", "h2", "h3")
    h1 = squash(heading_text(heading)) or None if marked else None
    address = url or canonical
    site = _site_name(tree, metas, structured) or host(address)
    title = choose_title(
        title_tag=title_tag,
        og_title=og_title,
        headline=h1,
        found=structured.headline,
        sites=[name for name in dict.fromkeys((metas.get("og:site_name"), host(address))) if name],
        home=_is_home(address),
    )
    date = _date(tree, metas, structured, heading, address)
    return PageInfo(
        base=base,
        canonical=canonical,
        language=_page_language(tree, metas),
        title=title or host(address) or "Untitled page",
        author=_author(tree, metas, structured, heading, site, dated=date is not None),
        date=date,
        site=site,
        description=_first_meta(metas, "og:description", "description", "twitter:description"),
        image=safe_url(_first_meta(metas, *_IMAGE_METAS), base, image=True),
        h1=h1,
    )


_IMAGE_METAS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
                "twitter:image:src")  # fmt: skip


def _author(
    tree: lxml_html.HtmlElement,
    metas: dict[str, str],
    structured: metadata.StructuredData,
    heading: lxml_html.HtmlElement | None,
    site: str | None,
    *,
    dated: bool,
) -> str | None:
    """Structured data first, then the byline under the headline, a labelled name, guesses.

    Trafilatura's guesses (a third of the time of reading the page) only for a page with
    a date: an undated page (a shop's, a service's) with no byline has no author.
    """
    twitter = metas.get("twitter:data1")
    if (metas.get("twitter:label1") or "").casefold() not in _AUTHOR_LABELS:
        twitter = None
    sites = [metas.get("og:site_name"), site]
    candidates: list[tuple[list[str] | str | None, bool]] = [
        (structured.authors, False),
        (metadata.meta_authors(metas), False),
        (twitter, False),
        (byline.byline_authors(heading) if heading is not None else [], True),
        (byline.microdata_authors(tree), False),
    ]

    # Each later source only when the earlier ones found no one but the publisher;
    # trafilatura's search copies the whole page.
    def guesses() -> list[tuple[list[str] | str | None, bool]]:
        found = metadata.split_authors(trafilatura.metadata.extract_author(tree)) if dated else []
        return [(found, True), (structured.organizations, False)]

    later: list[Callable[[], list[tuple[list[str] | str | None, bool]]]] = [
        lambda: [(byline.labelled_authors(tree), True)],
        guesses,
    ]
    found = metadata.choose_author(candidates, sites)
    for more in later:
        if found and not metadata.is_publisher(found, sites):
            return found
        candidates += more()
        found = metadata.choose_author(candidates, sites)
    return found


def _date(
    tree: lxml_html.HtmlElement,
    metas: dict[str, str],
    structured: metadata.StructuredData,
    heading: lxml_html.HtmlElement | None,
    url: str | None,
) -> str | None:
    """The publication date: the declared meta tag, else the date the reader is shown.

    After article:published_time & co., the date shown around the headline (its "Updated"
    date when it shows no other) is what a reader would cite; JSON-LD and <time> markup
    more often carry a template's or an older version's date. On the WCXB pages this
    order agreed with the reference on 0.884 / 0.899 (tune / check) against 0.874 / 0.862
    with the markup before the shown date.
    """
    published, updated = byline.headline_dates(heading) if heading is not None else (None, None)
    declared = metadata.meta_date(metas)
    timed = metadata.time_date(tree)
    if not declared and published:
        return _read_as_marked(published, (timed, structured.published, structured.modified))
    candidates = (declared, published, updated, timed, structured.published)
    found = next((day for day in candidates if day), None)
    if found:
        return found
    # htmldate's extensive search reads dates out of free text, which finds copyright years
    # and "last updated" lines; on 400 WCXB pages it added 51 wrong dates for 6 right ones.
    guessed = htmldate.find_date(tree, url=url, original_date=True, extensive_search=False)
    # Last, a date the page labels as its own in a line of its own ("Last updated: ...").
    return metadata.valid_date(guessed) or metadata.labelled_date(tree)


def _read_as_marked(shown: str, marked: tuple[str | None, ...]) -> str:
    """A shown date whose day and month could be either way round, as the markup has it.

    "09.10.2024" is 9 October in most of the world and September 10 on many US sites;
    when the page's markup says 2024-09-10, that is the reading. (A date shown with its
    month's name is taken the markup's way too, if the markup has it swapped: that takes
    a page disagreeing with itself on exactly those two numbers.)
    """
    parts = shown.split("-")
    if len(parts) != 3 or int(parts[2]) > 12:
        return shown
    swapped = f"{parts[0]}-{parts[2]}-{parts[1]}"
    return swapped if swapped in marked else shown


def _is_home(url: str | None) -> bool:
    """Whether a page is its site's front page (or nothing says it is not)."""
    if not url:
        return True
    parts = urlsplit(url)
    return parts.path.strip("/") in ("", "index.html", "index.php", "home") and not parts.query


def _site_name(
    tree: lxml_html.HtmlElement, metas: dict[str, str], structured: metadata.StructuredData
) -> str | None:
    """og:site_name, the JSON-LD publisher or web site, application-name, a domain in <title>."""
    for node in structured.nodes:
        publisher = node.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            break
    else:
        publisher = None
    candidates = [
        metas.get("og:site_name"),
        publisher.get("name") if isinstance(publisher, dict) else None,
        *(
            node.get("name")
            for node in structured.nodes
            if _SITE_TYPES.intersection(str(t).lower() for t in _types(node))
        ),
        metas.get("application-name"),
        trafilatura.metadata.extract_sitename(tree),
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and squash(candidate):
            return squash(candidate).lstrip("@")
    return None


def _types(node: dict[str, object]) -> list[object]:
    value = node.get("@type")
    return value if isinstance(value, list) else [value]


def _first_meta(metas: dict[str, str], *keys: str) -> str | None:
    return next((metas[key] for key in keys if metas.get(key)), None)


def _first(tree: lxml_html.HtmlElement, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        if str(value).strip():
            return squash(str(value))
    return None


def _page_language(tree: lxml_html.HtmlElement, metas: dict[str, str]) -> str | None:
    candidates = [
        tree.get("lang"),
        tree.get("xml:lang"),
        _first(tree, _CONTENT_LANGUAGE),
        metas.get("language"),
        metas.get("og:locale"),
    ]
    return next((lang for c in candidates if (lang := primary_language(c))), None)


def primary_language(value: str | None) -> str | None:
    """The primary language subtag ("en-GB" -> "en"); None if value is not a language tag."""
    match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_,;\s]|$)", value or "")
    return match.group(1).lower() if match else None


def host(url: str | None) -> str | None:
    """The host of a URL without "www."; None if there is none."""
    try:
        name = urlsplit(url).hostname if url else None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return name.removeprefix("www.") if name else None
