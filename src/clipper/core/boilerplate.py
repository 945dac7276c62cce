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
* :func:`join_split_bodies` and :func:`mark_thread` also run before extraction and
  point trafilatura at the whole body: an article body cut in pieces by advert rows is
  joined; a forum thread's posting (schema.org microdata) is named the body, replies and
  all, without quoted posts and link previews.
* :func:`restore_card_titles` runs on trafilatura's body and puts back the titles of a
  listing's cards (a blog's front page) that trafilatura dropped above their blurbs.
* :func:`append_listing` runs on the clean HTML and adds a listing's grid of cards (a
  shop's products, a news section's stories) that trafilatura dropped, when the clip
  holds little of the page (on a page with a byline or date, only a grid far longer than
  the clip: a list article).
* :func:`drop_teasers` runs on the clean article HTML and removes what is furniture by
  its words: a "READ MORE: <link>" line, a "Don't miss" label with its links, and the
  link lists, label and copyright line that end many articles.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice

from lxml import etree

from clipper.core.article import count_words, split_words
from clipper.core.cleanhtml import INLINE_TAGS, remove, safe_url
from clipper.core.metadata import squash, text_date
from clipper.core.pictures import strip_markers

__all__ = [
    "append_listing",
    "drop_placeholders",
    "drop_teasers",
    "join_split_bodies",
    "mark_thread",
    "prune_page",
    "restore_card_titles",
]

# -- before extraction: boxes named as furniture -----------------------------------------

_FURNITURE_NAME = re.compile(
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
        if len(names) > 1 and _FURNITURE_NAME.search(names):
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


def mark_thread(tree: etree._Element) -> bool:
    """Make a forum thread's posting, replies included, the body trafilatura takes.

    A thread marked up with schema.org microdata (Discourse and others) holds its replies
    as ``itemprop="comment"`` items inside the ``DiscussionForumPosting``; each post's text
    is a ``class="post"`` box, and trafilatura takes the first of those for the article:
    the question without its answers. Naming the posting the article body keeps the
    thread whole. Each post's text starts with who wrote it and when ("**alice** · May 3,
    2025"): trafilatura drops author markup as a byline, which would run the replies
    together. An ``<aside>`` in a post is a quote of another post or the preview card of a
    linked page, not the poster's words: it goes.

    XenForo and vBulletin mark each post as a ``Comment`` item of its own, side by side in
    one box, with no posting around them; phpBB and Invision have no microdata, but their
    posts are boxes of a fixed shape (_BOARDS). That box of posts becomes the body, and
    each post is rebuilt as its signature line and its text (_rebuild_post). Returns
    whether the page is a thread.
    """
    items = _items_by_type(tree)
    for posting in items.get("DiscussionForumPosting", []):
        replies = posting.xpath(_REPLY)
        if replies and not posting.xpath("ancestor::*[@itemprop='articleBody']"):
            posting.set("itemprop", "articleBody")
            for aside in posting.xpath(".//aside"):
                remove(aside)
            for post in [posting, *replies]:
                _sign_post(post)
            return True
    return (
        _mark_answers(items.get("Question", []))
        or _mark_comment_items(items.get("Comment", []))
        or _mark_board_posts(tree)
    )


def _mark_answers(questions: list[etree._Element]) -> bool:
    """Mark a question page (schema.org ``QAPage``: Stack Exchange and other Q&A sites).

    Trafilatura took the question and, at best, one answer: on a Stack Overflow page of
    ten answers it kept none, on one of a single answer it dropped it. The question item
    is rebuilt as the thread: the question's text, then each answer's, each under its
    "**name** · date" line. Comments on the posts, vote counts and the answer form go.
    """
    # An FAQ marks each of its entries as a Question too: a question page has one, with
    # a text of its own besides its title.
    if len(questions) != 1:
        return False
    question = questions[0]
    if question.tag in ("html", "body") or _item_text(question) is None:
        return False
    if question.xpath(f"{_IN_BODY}|{_IN_FAQ}"):
        return False
    answers = [a for a in question.xpath(_ANSWER) if _item_of(a) is question]
    posts = [
        (post, text) for post in (question, *answers) if (text := _item_text(post)) is not None
    ]
    if len(posts) < THREAD_MIN_POSTS:
        return False
    rebuilt = []
    for post, text in posts:
        line = _item_signature(post)
        box = etree.Element("article")
        if line is not None:
            box.append(line)
        box.append(text)
        text.tail = None
        _as_paragraphs(text)
        rebuilt.append(box)
    for child in list(question):
        question.remove(child)
    question.text = None
    question.set("itemprop", "articleBody")
    question.extend(rebuilt)
    return True


def _item_of(element: etree._Element) -> etree._Element | None:
    """The microdata item an element belongs to (its nearest ``itemscope`` ancestor)."""
    return next((a for a in element.iterancestors() if a.get("itemscope") is not None), None)


def _item_text(post: etree._Element) -> etree._Element | None:
    """A question's or an answer's own text, not a comment's on it."""
    return next((t for t in post.iterfind(".//*[@itemprop='text']") if _item_of(t) is post), None)


def _item_signature(post: etree._Element) -> etree._Element | None:
    """The "**name** · date" line of a question or answer from its own microdata."""
    authors = (a for a in post.iterfind(".//*[@itemprop='author']") if _item_of(a) is post)
    author = next(authors, None)
    if author is None:
        return None
    named = author.find(".//*[@itemprop='name']")
    name = (named.get("content") or _squash_text(named)) if named is not None else ""
    name = squash(name) or _squash_text(author)
    if not name or len(name) > _NAME_MAX_CHARS:
        return None
    created = next(
        (t for t in post.iterfind(".//*[@itemprop='dateCreated']") if _item_of(t) is post), None
    )
    when = ""
    if created is not None:
        day = re.match(r"\d{4}-\d\d-\d\d", created.get("datetime") or created.get("content") or "")
        when = day.group() if day else _squash_text(created)
    return _signature_line(name, when)


def _items_by_type(tree: etree._Element) -> dict[str, list[etree._Element]]:
    """The page's microdata items by type ("Comment" for https://schema.org/Comment)."""
    items: dict[str, list[etree._Element]] = {}
    for itemtype in tree.xpath("//@itemtype"):
        element = itemtype.getparent()
        if element.get("itemscope") is not None:
            items.setdefault(itemtype.rstrip("/ ").rsplit("/", 1)[-1], []).append(element)
    return items


def _mark_comment_items(comments: list[etree._Element]) -> bool:
    """Mark a thread whose posts are sibling schema.org ``Comment`` items (see mark_thread).

    The thread's opening post is often a plain box of the same kind as the replies (its
    markup is the page's JSON-LD): it counts when its text is where theirs is.
    """
    posts = [post for post in comments if _own_text(post) is not None]
    parent = _posts_box([post for post in posts if _is_outermost(post)])
    if parent is None:
        return False
    marked = [post for post in posts if post.getparent() is parent]
    tags = {post.tag for post in marked}
    # The classes every marked post has: the opening post adds its own ("message--first").
    shared = set.intersection(*(_classes(post) for post in marked))
    paths = {_path(post, _own_text(post)) for post in marked}
    # where the replies show their poster's name, for the opening post
    names = {_path(post, _author_name(post)) for post in marked} - {()}
    parent.set("itemprop", "articleBody")
    if parent.tag in ("ol", "ul"):
        parent.tag = "div"
    for post in list(parent):
        if post.tag not in tags or (shared and not shared <= _classes(post)):
            continue
        text = _own_text(post)
        if text is None:
            text = next((box for path in paths if (box := _follow(post, path)) is not None), None)
        if text is not None:
            _rebuild_post(post, text, _signature(post, names))
    return True


def _mark_board_posts(tree: etree._Element) -> bool:
    """Mark a thread of a forum whose posts have a fixed shape but no microdata (_BOARDS)."""
    for shape in _BOARDS:
        posts = [post for post in tree.xpath(shape.post) if post.xpath(shape.text)]
        parent = _posts_box(posts)
        if parent is None:
            continue
        parent.set("itemprop", "articleBody")
        for post in posts:
            if post.getparent() is parent:
                _rebuild_post(post, post.xpath(shape.text)[0], _board_signature(post, shape))
        return True
    return False


def _posts_box(posts: list[etree._Element]) -> etree._Element | None:
    """The box holding most of the posts, when it holds enough to be a thread and is not
    inside a body marked already."""
    for parent, count in Counter(post.getparent() for post in posts).most_common(1):
        if count >= THREAD_MIN_POSTS and parent is not None and not parent.xpath(_IN_BODY):
            return parent
    return None


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _board_signature(post: etree._Element, shape: _Board) -> etree._Element | None:
    names = [name for name in map(_squash_text, post.xpath(shape.name)) if name]
    if not names:
        return None
    header = next(iter(post.xpath(shape.date)), None)
    when = ""
    if header is not None:
        times = header.xpath("descendant-or-self::time")
        when = _squash_text(times[0]) if times else _squash_text(header)
        # phpBB's "by alice » Sun Dec 17, 2023 11:23 am"
        when = re.sub(r"^\W*(?:by\b)?\W*", "", when.replace(names[0], "", 1)).strip()
    return _signature_line(names[0], when)


def _own_text(post: etree._Element) -> etree._Element | None:
    return next(iter(post.xpath(".//*[@itemprop='text']")), None)


def _is_outermost(post: etree._Element) -> bool:
    """Not inside another item, but for the list of comments holding it (a vBulletin
    ``UserComments`` list); a Stack Exchange answer's comments are inside the answer."""
    items = post.xpath("ancestor::*[@itemscope]")
    return not items or items == [post.getparent()]


_Path = tuple[tuple[str, str], ...]


def _path(post: etree._Element, part: etree._Element | None) -> _Path:
    """The tags and classes from a post down to ``part``."""
    steps = []
    while part is not None and part is not post:
        steps.append((part.tag, part.get("class") or ""))
        part = part.getparent()
    return tuple(reversed(steps))


def _follow(post: etree._Element, path: _Path) -> etree._Element | None:
    here = post
    for tag, names in path:
        found = next((c for c in here if c.tag == tag and (c.get("class") or "") == names), None)
        if found is None:
            return None
        here = found
    return here if path else None


def _rebuild_post(post: etree._Element, text: etree._Element, line: etree._Element | None) -> None:
    """Leave only a post's signature line and its text, in paragraphs.

    Left whole, a post brings its poster's card (join date, post count, title) and its
    reaction bar.
    """
    for child in list(post):
        post.remove(child)
    post.text = None
    post.attrib.clear()
    post.tag = "article"
    if line is not None:
        post.append(line)
    text.tail = None
    post.append(text)
    _as_paragraphs(text)


def _signature(post: etree._Element, names: set[_Path]) -> etree._Element | None:
    """A "**name** · date" line from a post's author and first date.

    A post without the microdata (the opening post) has its poster's name in a box like
    the replies' (``names``: paths from a reply to its poster's name), or in its
    ``data-author``.
    """
    named = _author_name(post)
    if named is None:
        named = _like(post, names)
    name = _squash_text(named) if named is not None else ""
    name = name or squash(post.get("data-author") or "")
    if not name:
        return None
    when = next(iter(post.xpath(".//time|.//*[@itemprop='datePublished']")), None)
    return _signature_line(name, _squash_text(when) if when is not None else "")


def _like(post: etree._Element, paths: set[_Path]) -> etree._Element | None:
    """The box in a post most like the end of one of ``paths``: the deepest step of a path
    (tag and classes) that the post has too, holding a name-sized text. The opening
    post's markup differs from the replies' on the way down (a wrapper more or less)."""
    for path in paths:
        for tag, names in reversed(path):
            if not names:
                continue
            for found in post.iter(tag):
                if (found.get("class") or "") == names:
                    text = _squash_text(found)
                    if text and len(text) <= _NAME_MAX_CHARS:
                        return found
    return None


def _author_name(post: etree._Element) -> etree._Element | None:
    """The element holding the name of a post's author (microdata)."""
    author = next(iter(post.xpath(".//*[@itemprop='author']")), None)
    if author is None:
        return None
    named = author.xpath(".//*[@itemprop='name']")
    if named:
        return named[0]
    return author if len(_squash_text(author)) <= _NAME_MAX_CHARS else None


def _signature_line(name: str, when: str) -> etree._Element:
    line = etree.Element("p", {_WHEN: when})
    strong = etree.SubElement(line, "strong")
    strong.text = name
    if when:
        strong.tail = f" · {when}"
    return line


def thread_date(tree: etree._Element) -> str | None:
    """The day a marked thread was opened: the date on its first post's signature line."""
    for line in tree.iterfind(f".//*[@itemprop='articleBody']//p[@{_WHEN}]"):
        return text_date(line.get(_WHEN) or "")
    return None


def _as_paragraphs(box: etree._Element) -> None:
    """Make each run of text and inline elements in a box a paragraph of its own.

    A forum's post text is a ``<div>`` of lines split by ``<br>``; trafilatura keeps a
    ``<div>``'s own text only on pages with little paragraph text, so on a long thread
    it dropped each post's first line, or all of a one-line post.
    """
    if not any(_is_block(child) for child in box):
        if box.tag in ("div", "span") and squash("".join(box.itertext())):
            box.tag = "p"
        return
    run: etree._Element | None = None
    if squash(box.text or ""):
        run = etree.Element("p")
        run.text = box.text
        box.insert(0, run)
    box.text = None
    for child in [child for child in box if child is not run]:
        if _is_block(child):
            if child.tag in _RUN_BOXES:
                _as_paragraphs(child)
            run = None
            if squash(child.tail or ""):
                run = etree.Element("p")
                run.text, child.tail = child.tail, None
                child.addnext(run)
            continue
        if run is None:
            run = etree.Element("p")
            child.addprevious(run)
        run.append(child)


def _is_block(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and element.tag not in INLINE_TAGS


def _sign_post(post: etree._Element) -> None:
    """Put a "name · date" line at the top of a post's text (see mark_thread)."""
    own = [part for part in post.iterdescendants() if _owner(part) is post]
    text = next((part for part in own if part.get("itemprop") == "text"), None)
    author = next((part for part in own if part.get("itemprop") == "author"), None)
    if text is None or author is None:
        return
    named = author.xpath(".//*[@itemprop='name']")
    name = _squash_text(named[0] if named else author)
    if not name:
        return
    when = next((_squash_text(part) for part in own if part.tag == "time"), "")
    line = _signature_line(name, when)
    text.insert(0, line)
    line.tail, text.text = text.text, None


def _owner(element: etree._Element) -> etree._Element | None:
    """The post (reply item or thread posting) an element belongs to."""
    for ancestor in element.iterancestors():
        if ancestor.get("itemscope") is not None and (
            ancestor.get("itemprop") == "comment"
            or (ancestor.get("itemtype") or "").endswith("DiscussionForumPosting")
        ):
            return ancestor
    return None


_REPLY = ".//*[@itemprop='comment'][@itemscope]"
# The shown date of a post, kept on its signature line for thread_date.
_WHEN = "data-clipper-when"
_ANSWER = ".//*[@itemscope][@itemprop='acceptedAnswer' or @itemprop='suggestedAnswer']"
_IN_FAQ = "ancestor::*[@itemscope][contains(@itemtype, 'FAQPage')]"
_IN_BODY = "ancestor-or-self::*[@itemprop='articleBody']"


@dataclass(frozen=True)
class _Board:
    """Where a forum's posts, and each post's text, poster and date, are (XPath)."""

    post: str
    text: str
    name: str
    date: str


_BOARDS = (
    # phpBB: a div.post holds the poster's profile and a postbody with the text.
    _Board(
        post="//div[@class='postbody']"
        "/ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' post ')][1]",
        text=".//div[@class='postbody']//div[@class='content']",
        name=".//a[contains(@class, 'username')]",
        date=".//p[@class='author']",
    ),
    # Invision Community: an article.ipsComment with its author pane beside the text.
    _Board(
        post="//article[contains(@class, 'ipsComment')]"
        "[contains(concat(' ', normalize-space(@class), ' '), ' ipsComment ')]",
        text=".//*[@data-role='commentContent']",
        name=".//*[contains(@class, 'cAuthorPane_author')]//a",
        date=".//time",
    ),
)
# Posts that make a page a thread.
THREAD_MIN_POSTS = 2
_NAME_MAX_CHARS = 60
# Boxes in a post's text whose runs of lines become paragraphs too (a quote's text).
_RUN_BOXES = frozenset({"div", "span", "section", "blockquote"})


def _paragraph_chars(element: etree._Element) -> int:
    return sum(len("".join(p.itertext())) for p in element.iter("p"))


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
            elif _linked_share(block, words[0] - label_words) >= _LINK_SHARE or (
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
        if block.getparent() is not None and _PLACEHOLDER.match(_squash_text(block)):
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
    text = " ".join("".join(block.itertext()).split())
    return count_words(text), text


def _is_label(block: etree._Element) -> bool:
    count, text = _words(block)
    return bool(count) and _LABEL.match(text) is not None


def _linked_share(block: etree._Element, words: int) -> float:
    if words <= 0:
        return 0.0
    linked = sum(count_words("".join(a.itertext())) for a in block.iter("a"))
    return linked / words


def _is_link_block(block: etree._Element) -> bool:
    if block.tag in _LINE_TAGS:
        words = _words(block)[0]
        lines = 1 + len(block.findall(".//br"))  # links one per line: "A [VIDEO]<br>B"
        return 0 < words <= _LINE_MAX_WORDS * lines and _linked_share(block, words) >= _LINK_SHARE
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
        return bool(total) and _linked_share(block, total) >= _LINK_SHARE
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
    texts = {p: _squash_text(p) for p in body.iter("p")}
    wanted = {text: p for p, text in texts.items() if len(text) >= _CARD_TEXT_MIN_CHARS}
    if len(wanted) < _MIN_CARDS:
        return 0
    present = {_squash_text(head) for head in body.iter("head")}
    missing = (t for h in page.iter(*_HEADING_TAGS) if (t := _squash_text(h)) and t not in present)
    if sum(1 for _ in islice(missing, _MIN_CARDS)) < _MIN_CARDS:
        return 0
    sources: dict[str, etree._Element] = {}
    for element in page.iter("p", "div"):
        if element.tag == "div" and len(element):
            continue
        text = _squash_text(element)
        if text in wanted and text not in sources:
            sources[text] = element
    shown = _squash_text(body)
    lines = {text: p for p, text in texts.items() if len(p) <= 1}
    found = []
    kept = []  # titles trafilatura kept as a paragraph of their own
    for text, source in sources.items():
        heading = _card_heading(source)
        if heading is not None:
            title = strip_markers(_squash_text(heading)) or ""
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
            text = _squash_text(sibling)
            if not text:
                continue
            heading = sibling if sibling.tag in _HEADING_TAGS else None
            if heading is None:
                inner = sibling.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")
                if len(inner) == 1 and _squash_text(inner[0]) == text:
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


def _squash_text(element: etree._Element) -> str:
    """An element's text, white space collapsed (serialised in C: the passes call it a lot)."""
    return squash(etree.tostring(element, method="text", encoding="unicode", with_tail=False))


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
    shown = _squash_text(root)
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
        name = _squash_text(link) if link is not None else ""
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
    return len(names) > 1 and bool(_NOT_LISTING_NAME.search(names) or _FURNITURE_NAME.search(names))


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
