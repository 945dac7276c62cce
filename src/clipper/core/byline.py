"""What the reader sees around the headline: the byline and the date under it.

Many pages declare no author or date for machines but show them under the headline
("By Jane Doe · March 3, 2024"). The search walks the elements after the h1 and stops
where the article's prose begins, so dates and names further down (related posts,
comments, the footer) are never taken for the article's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import islice

from lxml import etree
from lxml import html as lxml_html

from clipper.core.metadata import (
    BY_PREFIX,
    plausible_name,
    squash,
    text_date,
    title_match_key,
    valid_date,
)

_UPDATED = re.compile(r"\b(?:updated?|modified|edited|revised|reviewed)\b", re.IGNORECASE)
# A line that is a date and little else: "Published March 3, 2024", "Mar 3, 2024 · 5 min read".
_DATE_LINE_MAX_CHARS = 60
_BODY_START_CHARS = 200
# How many elements before the headline are searched, after the ones under it.
_BEFORE_LIMIT = 40


def headline_element(
    tree: lxml_html.HtmlElement, title: str | None
) -> lxml_html.HtmlElement | None:
    """The page's headline: the h1 that matches the title, else the first h1 with text.

    A page without an h1 may show its headline as an h2 (or lower): one that matches the
    title is taken.
    """
    headings = [h for h in tree.iter("h1") if squash(h.text_content())][:12]
    if not headings:
        found = _matching(tree.iter("h2", "h3"), title)
        return _title_shown(tree, title) if found is None else found
    found = _matching(headings, title)
    return headings[0] if found is None else found


def _title_shown(tree: lxml_html.HtmlElement, title: str | None) -> lxml_html.HtmlElement | None:
    """A page with no heading markup: the first small element that shows the whole title.

    Site builders (Framer, some React themes) set the headline in a styled <p> or <div>.
    The element's text must be most of the title (the title may add " | Site name").
    """
    wanted = title_match_key(title or "")
    if len(wanted) < 8:
        return None
    body = tree.find("body")
    for element in body.iter(*_TITLE_TAGS) if body is not None else ():
        if len(element) > 2:
            continue
        key = title_match_key(element.text_content())
        if len(key) * 2 >= len(wanted) and key in wanted:
            return element
    return None


_TITLE_TAGS = ("p", "div", "span", "strong", "b", "legend", "h4", "h5", "h6", "header")


def _matching(
    headings: Iterable[lxml_html.HtmlElement], title: str | None
) -> lxml_html.HtmlElement | None:
    wanted = title_match_key(title or "")
    if not wanted:
        return None
    for heading in islice(headings, 12):
        key = title_match_key(heading.text_content())
        if len(key) > 3 and (key in wanted or wanted in key):
            return heading
    return None


def following(element: lxml_html.HtmlElement, limit: int) -> Iterator[lxml_html.HtmlElement]:
    """Up to ``limit`` elements after ``element`` in document order (not its own children)."""
    return _nearby(element, limit, backwards=False)


def preceding(element: lxml_html.HtmlElement, limit: int) -> Iterator[lxml_html.HtmlElement]:
    """Up to ``limit`` elements before ``element``, nearest first (not its ancestors)."""
    return _nearby(element, limit, backwards=True)


def _nearby(
    element: lxml_html.HtmlElement, limit: int, *, backwards: bool
) -> Iterator[lxml_html.HtmlElement]:
    count = 0
    node: lxml_html.HtmlElement | None = element
    while node is not None and node.tag != "body":  # never into the <head>
        for sibling in node.itersiblings(preceding=backwards):
            items = reversed(list(sibling.iter())) if backwards else sibling.iter()
            for item in items:
                if not isinstance(item.tag, str):
                    continue
                yield item
                count += 1
                if count >= limit:
                    return
        node = node.getparent()


def around(
    heading: lxml_html.HtmlElement, after: int, before: int
) -> Iterator[lxml_html.HtmlElement]:
    """The elements after the headline up to the prose, then the few just before it.

    A byline or date is under the headline on most pages, above it ("News · March 3")
    on some.
    """
    for element in following(heading, after):
        if _starts_body(element):
            break
        yield element
    for element in preceding(heading, before):
        if _starts_body(element):
            break
        yield element


def headline_dates(
    heading: lxml_html.HtmlElement, limit: int = 120
) -> tuple[str | None, str | None]:
    """The first publication date and update date shown between the headline and the prose."""
    published = updated = None
    for element in around(heading, limit, _BEFORE_LIMIT):
        if element.tag in _SKIP or len(element) > 4:
            continue
        found = valid_date(element.get("datetime")) if element.tag == "time" else None
        text = squash(element.text_content()) if found is None else ""
        if found is None and len(text) <= _DATE_LINE_MAX_CHARS:
            found = text_date(text)
        if found is not None:
            context = f"{text} {element.get('class') or ''} {_label_before(element)}"
        else:
            # A date in bare text after an element: "<legend>Title</legend> 20 December 2025".
            tail = squash(element.tail or "")
            if not tail or len(tail) > _DATE_LINE_MAX_CHARS or not (found := text_date(tail)):
                continue
            context = f"{tail} {text[-30:]}"
        if _UPDATED.search(context):
            updated = updated or found
        else:
            published = found
            break
    return published, updated


def _starts_body(element: lxml_html.HtmlElement) -> bool:
    """Whether the article's prose has begun: a byline or date is never after it."""
    return element.tag == "p" and len(element.text_content()) > _BODY_START_CHARS


def _label_before(element: lxml_html.HtmlElement) -> str:
    """The text just before an element in its parent ("Updated: " <time>...</time>)."""
    previous = next(element.itersiblings(etree.Element, preceding=True), None)  # no comments
    if previous is not None:
        return f"{squash(previous.text_content())[-30:]} {previous.tail or ''}"
    parent = element.getparent()
    return (parent.text or "") if parent is not None else ""


_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "button", "select"})
_AUTHOR_HINT = re.compile(
    r"author|byline|by-line|writer|contributor|user-?name|poster|posted-?by|creator", re.IGNORECASE
)
_AUTHOR_LINK = re.compile(r"/(?:authors?|contributors?|writers?|people|staff|byline)/", re.I)


def microdata_authors(tree: lxml_html.HtmlElement) -> list[str]:
    """The author in schema.org microdata (itemprop="author") or a data-author attribute."""
    for element in tree.xpath("//*[@itemprop='author' or @data-author][1]"):
        value = element.get("data-author")
        if value is None:
            names = element.xpath(".//*[@itemprop='name']")
            source = names[0] if names else element
            value = source.get("content") or source.text_content()
        name = plausible_name(squash(value))
        if name:
            return [name]
    return []


def byline_authors(heading: lxml_html.HtmlElement, limit: int = 300) -> list[str]:
    """The author named in a byline just after the headline ("By Jane Doe", an author link)."""
    for element in around(heading, limit, _BEFORE_LIMIT):
        if element.tag in _SKIP:
            continue
        name = _byline_name(element)
        if name:
            return [name]
    return []


def _byline_name(element: lxml_html.HtmlElement) -> str | None:
    hints = " ".join(element.get(a) or "" for a in ("class", "id", "rel", "itemprop"))
    is_link = element.tag == "a" and bool(_AUTHOR_LINK.search(element.get("href") or ""))
    marked = is_link or bool(_AUTHOR_HINT.search(hints))
    if not marked and not BY_PREFIX.match(squash(element.text or "")):
        return None
    if len(element) > 8:
        return None
    # The first piece of text that is not "By": a byline box goes on with a role or a date.
    for chunk in element.itertext():
        text = BY_PREFIX.sub("", squash(chunk))
        if text and text.lower() not in _CONNECTORS:
            return plausible_name(text.split(" | ")[0].split(" · ")[0])
    return None


# Words before the name in a byline box that are not the name: "by", "via" (a link's poster).
_CONNECTORS = frozenset({"by", "by:", "via", "via:"})


# A label that names who wrote the page, with the name after it: "Author: Jane Doe",
# <h3>Author</h3><p>Jane Doe</p>, <span>by</span><a>Jane Doe</a>.
_LABEL = re.compile(
    r"^(?:(?:the\s+)?authors?|(?:written|article|words|story|posted)\s+by|contributors?|by)\s*:?$",
    re.IGNORECASE,
)
_LABEL_MAX_CHARS = 24
# Where a label names something else: a table's column, a form field, a comment's writer.
_NOT_LABEL_TAGS = frozenset({"th", "td", "option", "label", "button", "a", "title", *_SKIP})
_COMMENTS = re.compile(r"comment|repl(?:y|ies)|respon", re.IGNORECASE)


def labelled_authors(tree: lxml_html.HtmlElement) -> list[str]:
    """The name after an "Author" / "Written by" / "Contributors:" label, anywhere on the page.

    For pages whose byline is not near the headline (an author box under the article, a
    side panel of facts).
    """
    for element in _label_candidates(tree):
        if (
            element.tag in _NOT_LABEL_TAGS
            or len(element) > 1
            or len(element.text or "") > _LABEL_MAX_CHARS
            or not _LABEL.match(squash(element.text_content()))
        ):
            continue
        # "Powered by", "Theme by"; a comment's writer
        if _continues_a_phrase(element) or _in_comments(element):
            continue
        name = _text_after(element)
        found = plausible_name(name) if name else None
        if found:
            return [found]
    return []


# Short element texts with a label's word in them, found in C: walking every element in
# Python took 4 ms a page.
_LABEL_TEXTS = etree.XPath(
    "//text()[contains(., 'by') or contains(., 'By') or contains(., 'BY') or contains(., 'uthor')"
    " or contains(., 'UTHOR') or contains(., 'ontributor') or contains(., 'ONTRIBUTOR')]"
    f"[string-length(normalize-space()) <= {_LABEL_MAX_CHARS}]"
)


def _label_candidates(tree: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    """Elements whose own text (not a tail) is short and has a label's word in it."""
    for text in _LABEL_TEXTS(tree):
        if text.is_text:
            yield text.getparent()


def _text_after(label: lxml_html.HtmlElement) -> str | None:
    """The text right after a label: its tail, else the next element's first line."""
    tail = squash(label.tail or "")
    if tail:
        return tail
    following = label.getnext()
    if following is None or not isinstance(following.tag, str):  # a comment
        return None
    if following.tag in _NOT_LABEL_TAGS - {"a"}:
        return None
    lines = [squash(chunk) for chunk in following.itertext()]
    return next((line for line in lines if line), None)


def _continues_a_phrase(label: lxml_html.HtmlElement) -> bool:
    """Whether a label ends a phrase begun before it ("Made" <span>by</span>)."""
    return bool(re.search(r"\w\s*$", _label_before(label)))


def _in_comments(element: lxml_html.HtmlElement) -> bool:
    for outer in element.iterancestors():
        if _COMMENTS.search(f"{outer.get('class') or ''} {outer.get('id') or ''}"):
            return True
    return False
