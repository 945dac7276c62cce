"""HTML -> Article: trafilatura finds the article, we turn its output into clean HTML and text.

Trafilatura returns the body in its own XML dialect; ``cleanhtml`` turns that into
whitelisted HTML, and a second walk over our HTML makes the plain text, so the two never
disagree about what the article contains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from clipper.core.article import KIND_LINK, KIND_TEXT, Article, count_words
from clipper.core.cleanhtml import (
    HEADINGS,
    PERMALINK_SIGNS,
    body_to_html,
    code_language,
    remove,
    safe_url,
    serialize,
)
from clipper.core.errors import NoArticle
from clipper.core.markdown import html_to_text, markdown_title, markdown_to_html, text_to_html
from clipper.core.sources import MARKDOWN, TEXT, RawDocument, html_of, text_of

# A page is "no article" below this many words of prose. Prose means lines of at least
# _PROSE_LINE_WORDS words: a login form or a menu is all short labels ("Email address",
# "Forgot your password?"), while even a short news brief has a few full sentences.
MIN_ARTICLE_WORDS = 25
_PROSE_LINE_WORDS = 6

TITLE_MAX_CHARS = 100

# htmldate's extensive search reads dates out of free text, which finds copyright years
# and "last updated" lines; on 400 WCXB pages it added 51 wrong dates for 6 right ones.
_DATE_PARAMS = {"original_date": True, "extensive_search": False}

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")
_HAS_SCHEME = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.-]*:")
_CONTENT_LANGUAGE = (
    "//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')='content-language']/@content"
)
_CANONICAL = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"


@dataclass
class _Page:
    """What we read from the page ourselves, before trafilatura sees it."""

    base: str | None  # what relative links resolve against
    canonical: str | None
    language: str | None
    site_name: str | None
    og_title: str | None
    h1: str | None
    title_tag: str | None


def extract_article(html: str, url: str | None = None) -> Article:
    """Extract the article of a web page; raise NoArticle if it has none."""
    no_article = NoArticle(f"No article found at {url or 'this page'}.")
    tree = _parse(html)
    if tree is None:
        raise no_article
    page = _read_page(tree, url)
    _prepare_tree(tree, page.base)
    document = _run_trafilatura(tree, url or page.canonical)
    if document is None or document.body is None:
        raise no_article
    site = document.sitename or page.site_name or _host(url or page.canonical)
    title = _article_title(document.title, page, site, url or page.canonical)
    root = body_to_html(document.body, page.base)
    _drop_title_heading(root, title, page.h1)
    text = html_to_text(root)
    if prose_words(text) < MIN_ARTICLE_WORDS:
        raise no_article
    return Article(
        title=title,
        html=serialize(root),
        text=text,
        url=url or page.canonical,
        canonical_url=page.canonical,
        author=document.author or None,
        date=document.date or None,
        site=site,
        description=document.description or None,
        image=safe_url(document.image, page.base, image=True),
        language=page.language or _primary_language(document.language),
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
        return Article(title=url, html="", text="", url=url, site=_host(url), kind=KIND_LINK)
    page = _read_page(tree, url)
    meta = trafilatura.extract_metadata(tree, url, dict(_DATE_PARAMS))
    site = meta.sitename or page.site_name or _host(url)
    return Article(
        title=_article_title(meta.title, page, site, url),
        html="",
        text="",
        url=url,
        canonical_url=page.canonical,
        author=meta.author or None,
        date=meta.date or None,
        site=site,
        description=meta.description or None,
        image=safe_url(meta.image, page.base, image=True),
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


# --- titles ---------------------------------------------------------------------------

# " - ", " | ", " — ", " » ", " :: " and the like between a headline and a site name.
_TITLE_SEPARATOR = re.compile(r"(\s+(?:[-|\u2013\u2014»·•/]|::)\s+|(?<=\w):\s+)")


def clean_title(title: str, *, site: str | None, h1: str | None, og_title: str | None) -> str:
    """Remove the site name from a page title ("Headline - Site" -> "Headline").

    A part is removed when it matches the site name, or when the page's own h1 or
    og:title shows the shorter form. Anything else is left alone: a colon or a dash
    inside a headline is part of the headline.
    """
    title = _squash(title)
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 3 or (h1 and _key(h1) == _key(title)):
        return title
    # og:title often carries the site name too, so only a shorter form is evidence.
    short_forms = {_key(s) for s in (h1, og_title) if s} - {"", _key(title)}
    for candidate in _title_candidates(parts):
        # Many sites put their name in an h1 (the logo): that is never the headline.
        if _key(candidate) in short_forms and not (site and _same_site(candidate, site)):
            return candidate
    return _strip_site(parts, site) if site else title


def _strip_site(parts: list[str], site: str) -> str:
    """The title without a leading or trailing run of parts that names the site."""
    count = (len(parts) + 1) // 2
    for removed in range(1, count):
        kept = 2 * (count - removed)
        if _same_site("".join(parts[kept:]), site):
            return "".join(parts[: kept - 1]).strip()
        if _same_site("".join(parts[: 2 * removed - 1]), site):
            return "".join(parts[2 * removed :]).strip()
    return "".join(parts).strip()


def _title_candidates(parts: list[str]) -> Iterator[str]:
    """Runs of whole parts of a split title, longest first (parts alternate with separators)."""
    count = (len(parts) + 1) // 2
    for size in range(count - 1, 0, -1):
        for start in range(count - size + 1):
            yield "".join(parts[2 * start : 2 * (start + size) - 1]).strip()


def _same_site(part: str, site: str) -> bool:
    """Whether a title part names the site ("The Daily Example", "dailyexample.com", ...)."""
    names = {_key(site), _key(site.removeprefix("www.").split(".")[0])}
    names |= {name.removeprefix("the") for name in names}
    key = _key(part)
    return bool(key) and (key in names or key.removeprefix("the") in names)


def _key(text: str) -> str:
    """Text reduced to lower-case letters and digits, for comparing titles."""
    return re.sub(r"[\W_]+", "", _squash(text).casefold())


def _squash(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text.rstrip("".join(PERMALINK_SIGNS - {"#"})).strip()


def _article_title(found: str | None, page: _Page, site: str | None, url: str | None) -> str:
    raw = found or page.og_title or page.title_tag or page.h1 or ""
    title = _squash(raw)
    # The site may go by its og:site_name, trafilatura's guess or its host name.
    for name in dict.fromkeys(n for n in (site, page.site_name, _host(url)) if n):
        title = clean_title(raw, site=name, h1=page.h1, og_title=page.og_title)
        if title != _squash(raw):
            break
    return title or _host(url) or "Untitled page"


def _drop_title_heading(root: etree._Element, title: str, h1: str | None) -> None:
    """Remove a first heading that repeats the title: the reader shows the title already."""
    if len(root) and root[0].tag in HEADINGS:
        heading = _key("".join(root[0].itertext()))
        if heading in {_key(title), _key(h1 or "")}:
            remove(root[0])


def _shorten(text: str) -> str:
    text = _squash(text).lstrip("#").strip()
    if len(text) <= TITLE_MAX_CHARS:
        return text
    cut = text[:TITLE_MAX_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


# --- reading the page -----------------------------------------------------------------


def _parse(html: str) -> lxml_html.HtmlElement | None:
    """Parse a page once; pasted fragments are wrapped so trafilatura accepts them."""
    tree = trafilatura.load_html(html)
    if tree is None and html.strip():
        tree = trafilatura.load_html(f"<html><body>{html}</body></html>")
    return tree if isinstance(tree, lxml_html.HtmlElement) else None


def _read_page(tree: lxml_html.HtmlElement, url: str | None) -> _Page:
    canonical = safe_url(_first(tree, _CANONICAL) or _meta(tree, "og:url"), url)
    base_href = _first(tree, "//base/@href")
    base = (urljoin(url or "", base_href) if base_href else url) or canonical
    return _Page(
        base=base,
        canonical=canonical,
        language=_page_language(tree),
        site_name=_meta(tree, "og:site_name"),
        og_title=_meta(tree, "og:title"),
        h1=_heading_text(tree),
        title_tag=_first(tree, "//title/text()"),
    )


def _first(tree: lxml_html.HtmlElement, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        if str(value).strip():
            return _squash(str(value))
    return None


def _meta(tree: lxml_html.HtmlElement, key: str) -> str | None:
    return _first(tree, f"//meta[@property='{key}' or @name='{key}']/@content")


def _heading_text(tree: lxml_html.HtmlElement) -> str | None:
    for heading in tree.iter("h1"):
        text = _squash(heading.text_content())
        if text:
            return text
    return None


def _page_language(tree: lxml_html.HtmlElement) -> str | None:
    candidates = [
        tree.get("lang"),
        tree.get("xml:lang"),
        _first(tree, _CONTENT_LANGUAGE),
        _meta(tree, "language"),
        _meta(tree, "og:locale"),
    ]
    return next((lang for c in candidates if (lang := _primary_language(c))), None)


def _primary_language(value: str | None) -> str | None:
    """The primary language subtag ("en-GB" -> "en"); None if value is not a language tag."""
    match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_,;\s]|$)", value or "")
    return match.group(1).lower() if match else None


def _host(url: str | None) -> str | None:
    """The host of a URL without "www."; None if there is none."""
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return host.removeprefix("www.") if host else None


# --- trafilatura ----------------------------------------------------------------------


def _prepare_tree(tree: lxml_html.HtmlElement, base: str | None) -> None:
    """Make links absolute and code blocks recognisable, before trafilatura copies the tree.

    Trafilatura resolves relative links against the site root rather than the page, so
    "proxy.html" on /docs/guide/ would point to /proxy.html; we resolve them first.
    """
    if base:
        _absolutize_links(tree, base)
    for pre in tree.iter("pre"):
        _mark_code_block(pre)


def _absolutize_links(tree: lxml_html.HtmlElement, base: str) -> None:
    """Resolve the relative links and image sources that trafilatura keeps.

    lxml's make_links_absolute does this too, but it also rewrites every CSS url() and
    took a fifth of the whole extraction time on the benchmark pages.
    """
    for element in tree.iter("a", "img"):
        for name, value in element.attrib.items():
            if name in ("href", "src") or name.startswith("data-src"):
                if not value or _HAS_SCHEME.match(value):
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


def _run_trafilatura(tree: lxml_html.HtmlElement, url: str | None) -> Any:
    # Given a parsed tree, trafilatura works on a copy, so ours stays as we left it.
    return trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_links=True,
        include_formatting=True,
        output_format="python",
        date_extraction_params=dict(_DATE_PARAMS),
    )
