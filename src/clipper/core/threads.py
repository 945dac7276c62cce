"""Forum threads and question pages: the whole posting is the body trafilatura takes.

:func:`mark_thread` runs on the page before extraction. A thread's posting (schema.org
``DiscussionForumPosting`` with its ``Comment`` replies, side-by-side ``Comment`` items,
the post boxes of phpBB and Invision Community) or a question page (``QAPage``) is named
the article body, replies and answers included, each post under a "**name** · date"
line, without quoted posts and link previews. :func:`thread_date` reads the day the
thread was opened from the first of those lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree

from clipper.core.boilerplate import squash_text
from clipper.core.cleanhtml import INLINE_TAGS, remove
from clipper.core.metadata import squash, text_date

__all__ = ["THREAD_MIN_POSTS", "mark_thread", "thread_date"]


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
    name = (named.get("content") or squash_text(named)) if named is not None else ""
    name = squash(name) or squash_text(author)
    if not name or len(name) > _NAME_MAX_CHARS:
        return None
    created = next(
        (t for t in post.iterfind(".//*[@itemprop='dateCreated']") if _item_of(t) is post), None
    )
    when = ""
    if created is not None:
        day = re.match(r"\d{4}-\d\d-\d\d", created.get("datetime") or created.get("content") or "")
        when = day.group() if day else squash_text(created)
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
    names = [name for name in map(squash_text, post.xpath(shape.name)) if name]
    if not names:
        return None
    header = next(iter(post.xpath(shape.date)), None)
    when = ""
    if header is not None:
        times = header.xpath("descendant-or-self::time")
        when = squash_text(times[0]) if times else squash_text(header)
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
    name = squash_text(named) if named is not None else ""
    name = name or squash(post.get("data-author") or "")
    if not name:
        return None
    when = next(iter(post.xpath(".//time|.//*[@itemprop='datePublished']")), None)
    return _signature_line(name, squash_text(when) if when is not None else "")


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
                    text = squash_text(found)
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
    return author if len(squash_text(author)) <= _NAME_MAX_CHARS else None


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
    name = squash_text(named[0] if named else author)
    if not name:
        return
    when = next((squash_text(part) for part in own if part.tag == "time"), "")
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
