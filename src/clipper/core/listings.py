"""A listing's cards that trafilatura dropped: their titles, and the grid itself.

* :func:`restore_card_titles` runs on trafilatura's body and puts back the titles of a
  listing's cards (a blog's front page) that trafilatura dropped above their blurbs.
* :func:`append_listing` runs on the clean HTML and adds a listing's grid of cards (a
  shop's products, a news section's stories) that trafilatura dropped, when the clip
  holds little of the page (on a page with a byline or date, only a grid far longer than
  the clip: a list article).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

from lxml import etree

from clipper.core.article import split_words
from clipper.core.boilerplate import FURNITURE_NAME, squash_text
from clipper.core.cleanhtml import safe_url
from clipper.core.pictures import strip_markers

__all__ = ["append_listing", "restore_card_titles"]


# -- after extraction: the titles of a listing's cards -----------------------------------

_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CARD_TEXT_MIN_CHARS = 40  # a card's blurb; shorter lines are too common to match
_CARD_META_MAX_CHARS = 40  # a date or a category between a card's title and its blurb
_MIN_CARDS = 3


def restore_card_titles(body: etree._Element, page: etree._Element) -> int:
    """Put back the titles of a listing's cards over the blurbs trafilatura kept.

    On a blog's front page or a search result page, trafilatura often keeps each card's
    blurb and drops its title (a heading inside a link, or a card too short for its
    rules), which leaves a list of sentences about nothing. Each blurb in the body is
    found on the page; when at least three of them sit under a heading the body lacks,
    those headings go back, above their blurbs, with their links. A title the body shows
    already is not added; one trafilatura kept as a paragraph of its own becomes a heading
    like the others. Returns how many were added.
    """
    texts = {p: squash_text(p) for p in body.iter("p")}
    wanted = {text: p for p, text in texts.items() if len(text) >= _CARD_TEXT_MIN_CHARS}
    if len(wanted) < _MIN_CARDS:
        return 0
    present = {squash_text(head) for head in body.iter("head")}
    missing = (t for h in page.iter(*_HEADING_TAGS) if (t := squash_text(h)) and t not in present)
    if sum(1 for _ in islice(missing, _MIN_CARDS)) < _MIN_CARDS:
        return 0
    sources: dict[str, etree._Element] = {}
    for element in page.iter("p", "div"):
        if element.tag == "div" and len(element):
            continue
        text = squash_text(element)
        if text in wanted and text not in sources:
            sources[text] = element
    shown = squash_text(body)
    lines = {text: p for p, text in texts.items() if len(p) <= 1}
    found = []
    kept = []  # titles trafilatura kept as a paragraph of their own
    for text, source in sources.items():
        heading = _card_heading(source)
        if heading is not None:
            title = strip_markers(squash_text(heading)) or ""
            if title and title not in present and title not in shown:
                found.append((wanted[text], heading, title))
                present.add(title)
            elif title in lines:
                kept.append((lines[title], heading))
    if len(found) < _MIN_CARDS:
        return 0
    for line, heading in kept:  # shown like the titles put back
        line.tag = "head"
        line.set("rend", heading.tag)
    for paragraph, heading, title in found:
        head = etree.Element("head", rend=heading.tag)
        link = next(heading.iterancestors("a"), None)  # <a><h2>Title</h2></a>
        link = heading.find(".//a[@href]") if link is None else link
        if link is not None and link.get("href"):
            ref = etree.SubElement(head, "ref", target=link.get("href"))
            ref.text = title
        else:
            head.text = title
        paragraph.addprevious(head)
    return len(found)


def _card_heading(source: etree._Element) -> etree._Element | None:
    """The heading just above a blurb in its card, over at most two short lines (a date).

    The blurb may be the first thing in its box: then the box's previous sibling counts,
    up to three levels out.
    """
    node = source
    for _ in range(3):
        skipped = 0
        for sibling in node.itersiblings(etree.Element, preceding=True):
            text = squash_text(sibling)
            if not text:
                continue
            heading = sibling if sibling.tag in _HEADING_TAGS else None
            if heading is None:
                inner = sibling.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")
                if len(inner) == 1 and squash_text(inner[0]) == text:
                    heading = inner[0]
            if heading is not None:
                return heading
            if len(text) > _CARD_META_MAX_CHARS or skipped >= 2:
                return None
            skipped += 1
        node = node.getparent()
        if node is None or node.tag == "body":
            return None
    return None


# -- after extraction: a listing's grid of cards ------------------------------------------

_GRID_MIN_CARDS = 4
_GRID_MIN_CARD_WORDS = 4  # a menu's items are one or two words
# The clip holds less than this share of the page's text (on tune 0.25 and 0.5 did worse).
_GRID_BODY_SHARE = 0.35
_OUTSIDE_CONTENT = frozenset({"nav", "header", "footer", "aside", "form", "select"})
# A card is in the clip already when this share of its runs of three words is.
_CARD_SHOWN_SHARE = 0.8


def append_listing(
    root: etree._Element,
    page: etree._Element,
    page_text: int,
    base: str | None,
    *,
    gain: float = 1.0,
) -> int:
    """Add the grid of cards of a listing page (a shop's category, a news section) to a clip.

    Trafilatura keeps a listing's prose (an introduction, the few long blurbs) and drops
    its cards: short lines of a name, a price, a date. When the clip (``root``, its clean
    HTML) holds little of the page and one grid of like cards (siblings of one tag and
    class, nearly all linked, each a few words or more) holds ``gain`` times more, the
    cards not in the clip already are added as a list, each card's link on its first
    words. Runs after drop_teasers, which would take such a list for the link list that
    ends an article. Returns the cards added.
    """
    shown = squash_text(root)
    # No grid can hold more than the page: most articles stop here, before the search.
    if len(shown) >= _GRID_BODY_SHARE * page_text or gain * len(shown) >= page_text:
        return 0
    grid = _largest_grid(page)
    if grid is None or sum(len(text) for _, text in grid) <= gain * len(shown):
        return 0
    clip_grams = _trigrams(split_words(" ".join(root.itertext()).casefold()))
    new = [(card, text) for card, text in grid if not _shown_in(text, shown, clip_grams)]
    if len(new) < _GRID_MIN_CARDS:
        return 0
    listing = etree.SubElement(root, "ul")
    for card, text in new:
        item = etree.SubElement(listing, "li")
        link = card if card.tag == "a" else card.find(".//a[@href]")
        name = squash_text(link) if link is not None else ""
        href = safe_url(link.get("href"), base) if link is not None else None
        if href and name and text.startswith(name):
            anchor = etree.SubElement(item, "a", href=href)
            anchor.text = name
            anchor.tail = text[len(name) :]
        else:
            item.text = text
    return len(new)


def _shown_in(card: str, shown: str, clip_grams: set[tuple[str, ...]]) -> bool:
    """Whether the clip already says what a card says, however it breaks its lines.

    The clip may hold a card in its own layout ("1", "Get to know your phone", "6 min"
    as lines) and without its button ("Start now"): most of the card's runs of three
    words are in the clip. A card of fewer words is in it only as it stands.
    """
    if card in shown:
        return True
    card_words = split_words(card.casefold())
    if len(card_words) < 3:
        return False
    grams = _trigrams(card_words)
    return sum(gram in clip_grams for gram in grams) >= _CARD_SHOWN_SHARE * len(grams)


def _trigrams(words: list[str]) -> set[tuple[str, ...]]:
    return set(zip(words, words[1:], words[2:], strict=False))


def _largest_grid(page: etree._Element) -> list[tuple[etree._Element, str]] | None:
    """The cards, with their text, of the page's largest grid of like linked cards."""
    best: list[tuple[etree._Element, str]] | None = None
    best_words = 0
    for element in page.iter("ul", "ol", "div", "section", "tbody"):
        if len(element) < _GRID_MIN_CARDS:
            continue
        kinds = Counter((k.tag, k.get("class")) for k in element if isinstance(k.tag, str))
        if not kinds:
            continue
        kind, count = kinds.most_common(1)[0]
        if count < _GRID_MIN_CARDS:
            continue
        cards = [k for k in element if isinstance(k.tag, str) and (k.tag, k.get("class")) == kind]
        linked = sum(1 for k in cards if k.tag == "a" or k.find(".//a[@href]") is not None)
        if linked < 0.8 * len(cards):
            continue
        texts = [strip_markers(_card_text(card)) or "" for card in cards]
        words = sum(len(text.split()) for text in texts)
        if words <= best_words or words < _GRID_MIN_CARD_WORDS * len(cards):
            continue
        if any(_not_a_listing(outer) for outer in (element, *element.iterancestors())):
            continue
        best, best_words = [(c, t) for c, t in zip(cards, texts, strict=True) if t], words
    return best


def _not_a_listing(element: etree._Element) -> bool:
    """A box whose cards are not the page's listing: comments, menus, carousels, furniture."""
    if element.tag in _OUTSIDE_CONTENT:
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return len(names) > 1 and bool(_NOT_LISTING_NAME.search(names) or FURNITURE_NAME.search(names))


_NOT_LISTING_NAME = re.compile(
    r"comment|repl(?:y|ies)|respon|review|discussion|carousel|slider|menu|modal|related", re.I
)


def _card_text(card: etree._Element) -> str:
    """A card's words, its separate pieces (name, price, blurb) kept apart.

    A card holding a script or a style sheet has none: its "text" would be code.
    """
    return " ".join(" ".join(card.itertext(etree.Element)).split()) if _no_code(card) else ""


def _no_code(card: etree._Element) -> bool:
    return next(card.iter("script", "style", "template"), None) is None
