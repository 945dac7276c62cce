"""HTML -> Article: trafilatura finds the article, we turn its output into clean HTML and text.

Trafilatura returns the body in its own XML dialect; ``cleanhtml`` turns that into
whitelisted HTML, and a second walk over our HTML makes the plain text, so the two never
disagree about what the article contains.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePath
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from clipper.core.article import KIND_LINK, KIND_TEXT, Article, count_words
from clipper.core.boilerplate import (
    drop_placeholders,
    drop_teasers,
    join_split_bodies,
    linked_share,
    prune_page,
)
from clipper.core.cleanhtml import (
    HEADINGS,
    body_to_html,
    code_language,
    detach_captions,
    drop_space_marks,
    keep_spaces,
    lift_line_breaks,
    put_back_spaces,
    remove,
    serialize,
)
from clipper.core.disclosure import open_disclosures
from clipper.core.errors import NoArticle
from clipper.core.htmlparse import parse_page
from clipper.core.listings import append_listing, restore_card_titles
from clipper.core.markdown import html_to_text, markdown_title, markdown_to_html, text_to_html
from clipper.core.metadata import meta_date, meta_values
from clipper.core.pagemeta import PageInfo, host, read_page
from clipper.core.pictures import Picture, mark_pictures
from clipper.core.sources import MARKDOWN, TEXT, RawDocument, html_of, text_of
from clipper.core.threads import THREAD_MIN_POSTS, mark_thread, thread_date
from clipper.core.titles import clean_title as clean_title  # re-exported: part of the API
from clipper.core.titles import squash, title_key

# A page is "no article" below this many words of prose. Prose means lines of at least
# _PROSE_LINE_WORDS words: a login form or a menu is all short labels ("Email address",
# "Forgot your password?"), while even a short news brief has a few full sentences.
MIN_ARTICLE_WORDS = 25
_PROSE_LINE_WORDS = 6
# ... unless it has this many words at all: a shop's category page or a list of links is
# all short lines, yet worth clipping; a login form or a menu never has this much text.
MIN_PAGE_WORDS = 100

TITLE_MAX_CHARS = 100

# The recall extraction replaces the balanced one when its text is this much longer;
# it is not tried when the balanced one has this share of the page's text already.
RECALL_GAIN = 1.2
RECALL_SKIP_SHARE = 0.5
# ... unless the balanced body kept no list while the page has this many list items of
# this many words or more, most of them not links, and it holds less than this share.
LOST_LIST_ITEMS, LIST_ITEM_WORDS, LOST_LIST_SHARE = 5, 3, 0.7
# A balanced body of at most this many paragraphs, one this long, and nothing else is
# trafilatura's fallback text (_is_flat); a recall body with structure and this share of
# its length replaces it.
FLAT_MAX_PARTS, FLAT_MIN_CHARS, FLAT_KEEP = 3, 1500, 0.7
# Both found less than this share of the page's text: try once more without links, and
# take that body when it is this much longer.
LINKS_OFF_SHARE = 0.02
LINKS_OFF_GAIN = 2
# A page with a byline or date gets its grid of cards when the grid holds this many times
# the clip's text (listings.append_listing; 1 for other pages).
ARTICLE_LIST_GAIN = 8
_HIDDEN = ("script", "style", "noscript", "template")
# A page showing less text than this, with this many times more inside <noscript>, is a
# script app whose readable view is the <noscript> one (Discourse forums serve the thread
# that way to anything that does not run their JavaScript).
NOSCRIPT_VIEW_MAX_TEXT = 1000
NOSCRIPT_VIEW_GAIN = 4

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# A path from the site root without dot segments, spaces or backslashes: origin + path.
_SITE_PATH = re.compile(r"(?!.*/\.)/(?!/)[^\s\\]*$")
_HAS_SCHEME = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.-]*:")


def extract_article(html: str, url: str | None = None) -> Article:
    """Extract the article of a web page; raise NoArticle if it has none."""
    no_article = NoArticle(f"No article found at {url or 'this page'}.")
    tree = _parse(html)
    if tree is None:
        raise no_article
    page = read_page(tree, url)
    pictures, page_text, thread = _prepare_tree(tree, page)
    # A thread's date is the day it was opened, unless the page declares one: the shown
    # dates and <time>s around it are a later post's, the join date of a poster.
    if thread and not meta_date(meta_values(tree)):
        page.date = thread_date(tree) or page.date
    edits = keep_spaces(tree, html)
    body = _extract_body(tree, url or page.canonical, page_text, thread=thread)
    put_back_spaces(edits)
    if body is None:
        raise no_article
    if edits:
        drop_space_marks(body)
    restore_card_titles(body, tree)
    root = body_to_html(body, page.base, pictures)
    drop_teasers(root)
    drop_placeholders(root)
    # An article's page lists other articles ("More stories"), about as long as the
    # article; a list article (the year's best restaurants) is its list.
    gain = ARTICLE_LIST_GAIN if page.date or page.author else 1
    append_listing(root, tree, page_text, page.base, gain=gain)
    _drop_title_heading(root, page.title, page.h1)
    text = html_to_text(root)
    if prose_words(text) < MIN_ARTICLE_WORDS and count_words(text) < MIN_PAGE_WORDS:
        raise no_article
    return Article(
        title=page.title,
        html=serialize(root),
        text=text,
        url=url or page.canonical,
        canonical_url=page.canonical,
        author=page.author,
        date=page.date,
        site=page.site,
        description=page.description,
        image=page.image,
        language=page.language,
    )


def article_from_document(doc: RawDocument) -> Article:
    """The Article of a downloaded page, saved page, file or paste."""
    if doc.content_type in (TEXT, MARKDOWN):
        stem = PurePath(doc.name).stem if doc.name else None
        return text_article(
            text_of(doc), markdown=doc.content_type == MARKDOWN, title=stem, url=doc.url
        )
    return extract_article(html_of(doc), doc.url)


def text_article(
    text: str, *, markdown: bool = False, title: str | None = None, url: str | None = None
) -> Article:
    """A text or Markdown note as an Article (kind "text"); the text is kept verbatim.

    The title is the first heading or first line; ``title`` (e.g. the file name) is the
    fallback for a note without either.
    """
    if not text.strip():
        raise NoArticle("There is no text to clip.")
    if markdown:
        html, first = markdown_to_html(text), markdown_title(text)
    else:
        html = text_to_html(text)
        first = next((line.strip() for line in text.splitlines() if line.strip()), None)
    title = _shorten(first or title or "Untitled note")
    return Article(title=title, html=html, text=text, url=url, kind=KIND_TEXT)


def link_article(url: str, html: str | None = None) -> Article:
    """A bookmark (kind "link"): the page's metadata, with an empty body."""
    tree = _parse(html) if html else None
    if tree is None:
        return Article(title=url, html="", text="", url=url, site=host(url), kind=KIND_LINK)
    page = read_page(tree, url)
    return Article(
        title=page.title,
        html="",
        text="",
        url=url,
        canonical_url=page.canonical,
        author=page.author,
        date=page.date,
        site=page.site,
        description=page.description,
        image=page.image,
        language=page.language,
        kind=KIND_LINK,
    )


def prose_words(text: str) -> int:
    """Words in lines that read like prose; each CJK character counts as a word."""
    total = 0
    for line in text.splitlines():
        words = count_words(_CJK.sub(" ", line)) + len(_CJK.findall(line))
        if words >= _PROSE_LINE_WORDS:
            total += words
    return total


# --- the body ---------------------------------------------------------------------------


def _drop_title_heading(root: etree._Element, title: str, h1: str | None) -> None:
    """Remove a first heading that repeats the title: the reader shows the title already."""
    if len(root) and root[0].tag in HEADINGS:
        heading = title_key("".join(root[0].itertext()))
        if heading in {title_key(title), title_key(h1 or "")}:
            images = root[0].findall(".//img")
            remove(root[0])
            if images:  # a lead picture marked next to the headline stays
                holder = etree.Element("p")
                for image in images:
                    image.tail = None
                    holder.append(image)
                root.insert(0, holder)


def _shorten(text: str) -> str:
    text = squash(text).lstrip("#").strip()
    if len(text) <= TITLE_MAX_CHARS:
        return text
    cut = text[:TITLE_MAX_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


# --- reading the page -----------------------------------------------------------------


def _parse(html: str) -> lxml_html.HtmlElement | None:
    """Parse a page once; pasted fragments are wrapped so trafilatura accepts them."""
    tree = parse_page(html)
    if tree is None and html.strip():
        tree = parse_page(f"<html><body>{html}</body></html>")
    return tree


# --- trafilatura ----------------------------------------------------------------------


def _prepare_tree(tree: lxml_html.HtmlElement, page: PageInfo) -> tuple[list[Picture], int, bool]:
    """Make links absolute, code blocks recognisable and pictures words, before trafilatura.

    Trafilatura resolves relative links against the site root rather than the page, so
    "proxy.html" on /docs/guide/ would point to /proxy.html; we resolve them first.
    Furniture boxes are pruned and a body split by advert rows is joined (boilerplate.py);
    collapsed FAQ answers and accordion panels are opened (disclosure.py).
    A forum thread's posting is marked as the body (threads.mark_thread).
    Returns the pictures whose markers body_to_html turns back into images, the length
    of the page's text before pruning, and whether the page is a marked thread.
    """
    if page.base:
        _absolutize_links(tree, page.base)
    for pre in tree.iter("pre"):
        _mark_code_block(pre)
    detach_captions(tree)
    lift_line_breaks(tree)
    page_text = _open_noscript_view(tree, _page_text_length(tree))
    prune_page(tree, page_text)
    open_disclosures(tree)
    join_split_bodies(tree)
    thread = mark_thread(tree)
    return mark_pictures(tree), page_text, thread


def _absolutize_links(tree: lxml_html.HtmlElement, base: str) -> None:
    """Resolve the relative links and image sources that trafilatura keeps.

    lxml's make_links_absolute does this too, but it also rewrites every CSS url() and
    took a fifth of the whole extraction time on the benchmark pages.
    """
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
    for element in tree.iter("a", "img"):
        for name, value in element.attrib.items():
            if name in ("href", "src") or name.startswith("data-src"):
                if not value or _HAS_SCHEME.match(value):
                    continue
                if origin and _SITE_PATH.match(value):  # "/a/b": most links, no urljoin
                    element.set(name, origin + value)
                    continue
                try:
                    element.set(name, urljoin(base, value.strip()))
                except ValueError:  # a malformed URL (bad IPv6 host, ...): drop it
                    del element.attrib[name]


def _mark_code_block(pre: lxml_html.HtmlElement) -> None:
    """Give a <pre> one <code> child carrying its language, the shape trafilatura keeps."""
    language = code_language(pre)
    only_code = len(pre) == 1 and pre[0].tag == "code" and not (pre.text or "").strip()
    if not only_code:
        code = etree.Element("code")
        code.text, pre.text = pre.text, None
        code.extend(list(pre))
        pre.append(code)
    if language:
        pre.set("class", f"language-{language}")
        pre[0].set("class", f"language-{language}")


def _extract_body(
    tree: lxml_html.HtmlElement, url: str | None, page_text: int, *, thread: bool = False
) -> etree._Element | None:
    """Trafilatura's article body: its balanced extraction, or its recall one if much longer.

    The balanced mode misses parts of pages that are not plain articles (a guide's
    sections, a service page's feature list, a thread's replies); where the recall mode
    finds much more, it found content the balanced mode left out far more often than
    noise. A few more lines are usually noise (a byline, a caption, a share line). When
    the balanced body already holds half the page's text, there is nothing left to find,
    unless it kept none of the page's bulleted points (_lost_lists).
    A balanced body that is trafilatura's flat fallback (one run-on paragraph) gives way
    to a recall body with its headings and lists, if that keeps most of the text.
    On a marked thread (threads.mark_thread) trafilatura's own rules take the posting:
    its comparison with readability and jusText would trade the replies for the first post.
    """
    balanced = _run_trafilatura(tree, url, favor_recall=False, fast=thread)
    length = _body_length(balanced)
    flat = _is_flat(balanced)
    enough = length >= RECALL_SKIP_SHARE * page_text and not flat
    if enough and (length >= LOST_LIST_SHARE * page_text or not _lost_lists(balanced, tree)):
        return balanced
    recall = _run_trafilatura(tree, url, favor_recall=True)
    if _is_page_dump(recall) and length > 0:
        recall = None
    if flat and not _is_flat(recall) and _body_length(recall) >= FLAT_KEEP * length:
        return recall
    best = recall if _body_length(recall) > RECALL_GAIN * length else balanced
    if _body_length(best) < LINKS_OFF_SHARE * page_text:
        # Trafilatura drops blocks that are mostly links; on a page made of link cards (a
        # shop's category, a store's front page) that can be nearly everything. Without
        # links the cards are text like any other: the clip loses its links, not its words.
        unlinked = _run_trafilatura(tree, url, favor_recall=False, links=False)
        if _body_length(unlinked) > LINKS_OFF_GAIN * _body_length(best):
            return unlinked
    return best


def _lost_lists(body: etree._Element | None, tree: lxml_html.HtmlElement) -> bool:
    """Whether trafilatura's balanced pass dropped the page's lists of prose.

    It sometimes keeps every paragraph of a guide and none of its bulleted points (a
    third of the words on a cloud-computing explainer): a body without a list, on a page
    with several list items of a few words that are mostly not links (a menu's are), gets
    the recall pass.
    """
    if body is None or body.find(".//list") is not None:
        return False
    found = 0
    for item in tree.iter("li"):
        words = count_words(item.text_content())
        if words < LIST_ITEM_WORDS:
            continue
        if linked_share(item, words) < 0.5:
            found += 1
            if found >= LOST_LIST_ITEMS:
                return True
    return False


def _page_text_length(tree: lxml_html.HtmlElement) -> int:
    """Characters of text in the body, not counting scripts, styles and templates."""
    body = tree.find("body")
    if body is None:
        return 0
    # Serialising to text runs in C; walking the text nodes in Python took 3 ms a page.
    total = _text_length(body)
    for hidden in body.iter(*_HIDDEN):
        if not any(outer.tag in _HIDDEN for outer in hidden.iterancestors()):
            total -= _text_length(hidden)
    return total


def _is_flat(body: etree._Element | None) -> bool:
    """Whether a body is trafilatura's fallback: a page's or an <article>'s text as a
    paragraph or two of run-on text, every heading, list and line break gone."""
    if body is None or not len(body) or len(body) > FLAT_MAX_PARTS:
        return False
    if any(part.tag != "p" or len(part) for part in body):
        return False
    return max(len(part.text or "") for part in body) >= FLAT_MIN_CHARS


def _is_page_dump(body: etree._Element | None) -> bool:
    """Whether a body is trafilatura's last resort: every text of the page in one <p>."""
    if body is None or len(body) != 1 or body[0].tag != "p" or len(body[0]):
        return False
    return (body[0].text or "").count("\n") >= 5


def _open_noscript_view(tree: lxml_html.HtmlElement, shown: int) -> int:
    """Show a script app's <noscript> view when it holds the page's text (see above).

    ``shown``: the page's text length (_page_text_length); returns it as it is after.
    """
    body = tree.find("body")
    if body is None or shown >= NOSCRIPT_VIEW_MAX_TEXT:
        return shown
    views = [
        element
        for element in body.iter("noscript")
        if not any(outer.tag == "noscript" for outer in element.iterancestors())
    ]
    if not views or sum(map(_text_length, views)) < NOSCRIPT_VIEW_GAIN * max(shown, 1):
        return shown
    for view in views:
        _mark_posts(view)
        view.drop_tag()
    return _page_text_length(tree)


def _mark_posts(view: lxml_html.HtmlElement) -> None:
    """Name a <noscript> thread's list of posts the body, so all of them are kept.

    Flarum's view for browsers without JavaScript is one ``<article>`` per post, side by
    side; trafilatura takes the first ``<article>`` for the whole body. In a script app's
    view that is a thread, not a news page with the next story appended.
    """
    if view.xpath(".//*[@itemprop='articleBody']"):
        return
    siblings = Counter(article.getparent() for article in view.iter("article"))
    for parent, count in siblings.most_common(1):
        if count >= THREAD_MIN_POSTS:
            parent.set("itemprop", "articleBody")


def _text_length(element: etree._Element) -> int:
    return len(etree.tostring(element, method="text", encoding="unicode", with_tail=False))


def _body_length(body: etree._Element | None) -> int:
    return -1 if body is None else sum(len(text) for text in body.itertext())


def _run_trafilatura(
    tree: lxml_html.HtmlElement,
    url: str | None,
    *,
    favor_recall: bool,
    links: bool = True,
    fast: bool = False,
) -> etree._Element | None:
    # Given a parsed tree, trafilatura works on a copy, so ours stays as we left it.
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_recall=favor_recall,
        # the second, recall pass skips trafilatura's comparison with readability and
        # jusText: a third of the time, and on the tune pages it scored no worse
        fast=fast or favor_recall,
        with_metadata=False,  # read by pagemeta, before the pictures were marked
        include_comments=False,
        include_tables=True,
        include_images=False,  # pictures travel as marker words: see pictures.py
        include_links=links,
        include_formatting=True,
        output_format="python",
    )
    body: etree._Element | None = getattr(document, "body", None)
    return body
