"""Page furniture that trafilatura lets through: teaser boxes, sign-up forms, tool bars.

All general (no site rules):

* :func:`prune_page` runs on the page before extraction and removes boxes whose class or
  id names them as furniture ("Newsletter", "RecommendedRecirc", "latest-news-box",
  "print-tools", "explore-further"). Trafilatura has such a list too, but matches it
  case-sensitively and misses newer names. A box is never removed if it holds the
  headline or a large share of the page's text, so a misnamed wrapper cannot take the
  article with it. Dialogs (``role="dialog"``, ``aria-modal``, "modal") and customers'
  reviews under a product are removed whatever their size: they are never the content,
  but can outweigh a short product description. The headline guard still holds.
* :func:`join_split_bodies` also runs before extraction and points trafilatura at the
  whole body: an article body cut in pieces by advert rows is joined. (A forum thread's
  posting is marked the same way: threads.py.)
* :func:`drop_teasers` runs on the clean article HTML and removes what is furniture by
  its words: a "READ MORE: <link>" line, a "Don't miss" label with its links, and the
  link lists, label and copyright line that end many articles.

A listing's cards that trafilatura dropped are put back by listings.py.
"""

from __future__ import annotations

import re

from lxml import etree

from clipper.core.article import count_words
from clipper.core.cleanhtml import remove
from clipper.core.metadata import squash
from clipper.core.titles import heading_text

__all__ = [
    "FURNITURE_NAME",
    "drop_placeholders",
    "drop_teasers",
    "join_split_bodies",
    "linked_share",
    "prune_page",
    "squash_text",
]

# -- before extraction: boxes named as furniture -----------------------------------------

FURNITURE_NAME = re.compile(
    r"newsletter|recirc|taboola|outbrain|recommend|related-?(?:posts|stories|articles|links)"
    r"|more-?(?:stories|news|articles)|latest-?news|most-?(?:read|popular|viewed)"
    r"|you-?may|also-?like|dont-?miss|explore-?further|reprint|print-?tools|sign-?up"
    r"|subscribe-?(?:box|form|widget|cta|module)|promo-?(?:box|banner|unit|bar)"
    r"|announcement-?bar|notification-?bar",
    re.IGNORECASE,
)
# Boxes that are never the page's content, whatever their size: dialogs (a shop's "Remove
# product?", "Verify your account"), customers' reviews under a product, cookie banners.
_NEVER_CONTENT_NAME = re.compile(
    r"(?:^|\s)modal(?:\s|$)|customer[-_]?reviews?|(?:product|pdp|user)[-_]?reviews(?![a-z])"
    r"|(?<![a-z])reviews?[-_]?(?:list|section|container|widget|wrapper)|js-reviews"
    # cookie and privacy consent banners, including the common consent managers' boxes
    r"|cookie[-_]?(?:banner|consent|notice|message|bar|popup|pref|policy|law|warning|wall|modal)"
    r"|gdpr|(?<![a-z])consent[-_]?(?:banner|manager|popup|dialog|bar|notice)"
    r"|onetrust|cookiebot|didomi|usercentrics|qc-cmp|truste[-_]",
    re.IGNORECASE,
)
_DIALOG_ROLES = frozenset({"dialog", "alertdialog"})
_BOX_TAGS = ("div", "section", "aside", "ul", "ol", "form", "nav", "p")
# A named box is left alone if it holds this share of the page's text or more.
_MAX_BOX_SHARE = 0.25
_KEEP_INSIDE = ".//h1|.//article|.//*[@itemprop='articleBody']|.//main"


def prune_page(tree: etree._Element, page_text: int) -> None:
    """Remove furniture boxes from a parsed page (``page_text``: its visible characters)."""
    limit = max(200, _MAX_BOX_SHARE * page_text)
    found = []
    always: set[etree._Element] = set()
    for element in tree.iter(*_BOX_TAGS):
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if len(names) > 1 and FURNITURE_NAME.search(names):
            found.append(element)
        elif _is_never_content(element, names):
            found.append(element)
            always.add(element)
    removed: set[etree._Element] = set()
    for element in found:
        if any(ancestor in removed for ancestor in element.iterancestors()):
            continue
        if element.xpath(_KEEP_INSIDE):
            continue
        if element not in always and sum(len(t) for t in element.itertext()) > limit:
            continue
        parent = element.getparent()
        if parent is None:
            continue
        remove(element)
        removed.add(element)


def _is_never_content(element: etree._Element, names: str) -> bool:
    role = (element.get("role") or "").strip().lower()
    return (
        role in _DIALOG_ROLES
        or element.get("aria-modal") == "true"
        or (len(names) > 1 and bool(_NEVER_CONTENT_NAME.search(names)))
    )


# -- before extraction: an article body cut in pieces ---------------------------------------

_BODY_CLASS = re.compile(r"(?:article|story)[-_]*body\b|\barticleBody\b", re.IGNORECASE)
_PIECE_MIN_CHARS = 200  # of paragraph text in each piece


def join_split_bodies(tree: etree._Element) -> None:
    """Put the pieces of an article body split by advert rows back into one container.

    Some publishers' templates close the body container before each mid-article advert
    and open a new one with the same class after it; trafilatura then takes the first
    piece for the article. Only containers named as an article's body, with the very
    same class, each holding paragraphs, are joined, in page order.
    """
    pieces: dict[str, list[etree._Element]] = {}
    for element in tree.iter("div", "section"):
        names = element.get("class") or ""
        if _BODY_CLASS.search(names):
            pieces.setdefault(names, []).append(element)
    for group in pieces.values():
        outer = [e for e in group if not any(a in group for a in e.iterancestors())]
        prose = [e for e in outer if _paragraph_chars(e) >= _PIECE_MIN_CHARS]
        if len(prose) < 2 or len(prose) != len(outer):
            continue
        first = prose[0]
        for piece in prose[1:]:
            if piece.getparent() is None:
                continue
            first.extend(list(piece))
            remove(piece)


# -- after extraction: furniture by its words ---------------------------------------------

_LABEL = re.compile(
    r"^\W*(?:read more|see more|more|also read|read also|related(?: articles| stories"
    r"| content| posts| reading| links)?|more (?:on|about|from) (?:this|the)\b.{0,30}"
    r"|recommended(?: for you| stories| reading)?|don'?t miss(?: this| out)?|must read"
    r"|explore further|you (?:may|might) (?:also )?(?:like|enjoy|be interested in)\b.{0,12}"
    r"|more stories|latest stories|our latest stories|most (?:read|popular|viewed)"
    r"|trending(?: now)?|top stories)\b\s*[:.\u2026\-\u2013\u2014|]*",
    re.IGNORECASE,
)
# What may close an article but is not part of it: the label of a comment section or a
# share bar, a tag line, an invitation to subscribe.
_CLOSING = re.compile(
    r"^\W*(?:\d* ?comments?|leave a (?:comment|reply)|join the discussion"
    r"|share(?: this)?(?: article| story| post| page)?|tags?|topics?|filed under|categories"
    r"|(?:click here to |sign up (?:for|to) |subscribe (?:to|for) ).*newsletter.*)\W*$",
    re.IGNORECASE,
)
_CLOSING_MAX_WORDS = 15
_FRAGMENT_MAX_WORDS = 2  # "[VIDEO]", "|": bits of a teaser block broken up by <br>
_LABEL_MAX_WORDS = 8
_LINK_SHARE = 0.6  # a block with this share of its words in links is a link block
_LINE_MAX_WORDS = 15  # ...if it is a line this short (a paragraph or a heading)
_ITEM_MAX_WORDS = 25  # ...or a list whose items are all this short
_COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)|copyright\b)|\ball rights reserved\b", re.IGNORECASE)
_COPYRIGHT_MAX_WORDS = 30
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)]*$")
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_LINE_TAGS = ("p", *_HEADINGS)


def drop_teasers(root: etree._Element) -> None:
    """Remove teaser lines, labelled link blocks and the furniture that ends an article."""
    blocks = list(root)
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.tag in _LINE_TAGS and _is_label(block):
            words = _words(block)
            label_words = count_words(_LABEL.match(words[1]).group(0))  # type: ignore[union-attr]
            if words[0] == label_words:
                # A label alone: it goes with the link blocks under it, if any.
                end = index + 1
                while end < len(blocks) and _in_teaser_block(blocks[end]):
                    end += 1
                if end > index + 1:
                    for dropped in blocks[index:end]:
                        root.remove(dropped)
                    index = end
                    continue
            elif linked_share(block, words[0] - label_words) >= _LINK_SHARE or (
                words[0] <= _LINE_MAX_WORDS and _is_headline_after_colon(words[1])
            ):
                root.remove(block)  # "READ MORE: <a headline>", "Related: <b>Headline</b>"
        index += 1
    _drop_trailing_furniture(root)


# What a script shows until it fills a box in: in a saved page, the box stays that way.
_PLACEHOLDER = re.compile(
    r"^\W*(?:loading|please wait|(?:loading|fetching) (?:content|more|results))\W*$", re.IGNORECASE
)


def drop_placeholders(root: etree._Element) -> int:
    """Remove the "Loading..." lines of boxes a script had not filled; returns how many.

    A shop's carousels saved before their script ran are a list of "Loading..." items.
    A list left empty goes too.
    """
    dropped = 0
    for block in list(root.iter("p", "li", *_HEADINGS)):
        if block.getparent() is not None and _PLACEHOLDER.match(squash_text(block)):
            parent = block.getparent()
            remove(block)
            dropped += 1
            if parent is not None and parent.tag in ("ul", "ol") and not len(parent):
                remove(parent)
    return dropped


def _drop_trailing_furniture(root: etree._Element) -> None:
    """Link lines and lists, their label and a copyright line, at the very end."""
    while len(root):
        last = root[-1]
        if (
            _is_link_block(last)
            or _is_copyright(last)
            or (last.tag in _LINE_TAGS and _is_closing(last))
            or (last.tag in _LINE_TAGS and _is_label(last) and _words(last)[0] <= _LABEL_MAX_WORDS)
        ):
            if last.find(".//img") is not None:
                return
            root.remove(last)
            continue
        return


def _words(block: etree._Element) -> tuple[int, str]:
    # As shown: "DON'T MISS<br>Headline" is a label and a headline, not "MISSHeadline".
    text = " ".join(heading_text(block).split())
    return count_words(text), text


def _is_label(block: etree._Element) -> bool:
    count, text = _words(block)
    return bool(count) and _LABEL.match(text) is not None


def linked_share(block: etree._Element, words: int) -> float:
    """The share of a block's ``words`` that are the text of its links."""
    if words <= 0:
        return 0.0
    linked = sum(count_words("".join(a.itertext())) for a in block.iter("a"))
    return linked / words


def _is_link_block(block: etree._Element) -> bool:
    if block.tag in _LINE_TAGS:
        words = _words(block)[0]
        lines = 1 + len(block.findall(".//br"))  # links one per line: "A [VIDEO]<br>B"
        return 0 < words <= _LINE_MAX_WORDS * lines and linked_share(block, words) >= _LINK_SHARE
    if block.tag in ("ul", "ol"):
        items = [item for item in block if item.tag == "li"]
        if not items:
            return False
        total = 0
        for item in items:
            words = _words(item)[0]
            if words > _ITEM_MAX_WORDS:
                return False
            total += words
        return bool(total) and linked_share(block, total) >= _LINK_SHARE
    return False


def _in_teaser_block(block: etree._Element) -> bool:
    """A link block, or a scrap of one ("[VIDEO]") left on its own line."""
    if _is_link_block(block):
        return True
    if block.tag not in _LINE_TAGS or block.find(".//img") is not None:
        return False
    return 0 < _words(block)[0] <= _FRAGMENT_MAX_WORDS


def _is_headline_after_colon(text: str) -> bool:
    """ "Related: Water Plumes on Europa" - a colon, then a title, not a sentence."""
    match = _LABEL.match(text)
    if match is None or ":" not in match.group(0):
        return False
    rest = text[match.end() :].strip()
    return bool(rest) and not _SENTENCE_END.search(rest)


def _is_closing(block: etree._Element) -> bool:
    count, text = _words(block)
    return 0 < count <= _CLOSING_MAX_WORDS and _CLOSING.match(text) is not None


def _is_copyright(block: etree._Element) -> bool:
    if block.tag != "p":
        return False
    count, text = _words(block)
    return 0 < count <= _COPYRIGHT_MAX_WORDS and _COPYRIGHT.search(text) is not None


def squash_text(element: etree._Element) -> str:
    """An element's text, white space collapsed (serialised in C: the passes call it a lot)."""
    return squash(etree.tostring(element, method="text", encoding="unicode", with_tail=False))


def _paragraph_chars(element: etree._Element) -> int:
    return sum(len("".join(p.itertext())) for p in element.iter("p"))
