"""HTML -> Article: trafilatura finds the article, we turn its output into clean HTML and text.

Trafilatura returns the body in its own XML dialect (``<head rend="h2">``, ``<list>`` and
``<item>``, ``<hi rend="#b">``, ``<ref target>``, ``<graphic>``, ...). One walk turns that
into whitelisted HTML; a second walk over our HTML makes the plain text, so the two never
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
from clipper.core.errors import NoArticle
from clipper.core.markdown import html_to_text, markdown_title, markdown_to_html, text_to_html
from clipper.core.sources import MARKDOWN, TEXT, RawDocument, html_of, text_of

# A page is "no article" below this many words of prose. Prose means lines of at least
# _PROSE_LINE_WORDS words: a login form or a menu is all short labels ("Email address",
# "Forgot your password?"), while even a short news brief has a few full sentences.
MIN_ARTICLE_WORDS = 25
_PROSE_LINE_WORDS = 6

TITLE_MAX_CHARS = 100

# A closing paragraph this short, with this share of its words in links, is a tag or share line.
_LINK_LINE_MAX_WORDS = 15
_LINK_LINE_SHARE = 0.6

# htmldate's extensive search reads dates out of free text, which finds copyright years
# and "last updated" lines; on 400 WCXB pages it added 51 wrong dates for 6 right ones.
_DATE_PARAMS = {"original_date": True, "extensive_search": False}

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")
_WS = re.compile(r"[ \t\n\r\f\v]+")  # what HTML collapses; a no-break space is kept
_PERMALINK_SIGNS = frozenset("¶§#🔗⚓")
_HAS_SCHEME = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.-]*:")
_CONTENT_LANGUAGE = (
    "//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')='content-language']/@content"
)
_CANONICAL = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
# language-x, lang-x (HTML5 convention), highlight-x (Sphinx), highlight-source-x (GitHub),
# brush: x (SyntaxHighlighter).
_CODE_LANGUAGE = re.compile(
    r"(?:^|\s)(?:(?:language|lang|highlight-source|highlight)-|brush:\s*)([A-Za-z0-9_+#.-]+)"
)
_NOT_LANGUAGES = frozenset({"none", "text", "plain", "plaintext", "default", "nohighlight"})

_HI_TAGS = {"#b": "strong", "#i": "em", "#u": "em", "#t": "code", "#sub": "sub", "#sup": "sup"}
_BLOCK_XML = frozenset({"head", "p", "list", "quote", "table", "div"})
_CODE_BLOCK_PARENTS = frozenset({"body", "quote", "div", "doc"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


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
    root = _body_to_html(document.body, page.base)
    _drop_title_heading(root, title, page.h1)
    text = html_to_text(root)
    if prose_words(text) < MIN_ARTICLE_WORDS:
        raise no_article
    return Article(
        title=title,
        html=_serialize(root),
        text=text,
        url=url or page.canonical,
        canonical_url=page.canonical,
        author=document.author or None,
        date=document.date or None,
        site=site,
        description=document.description or None,
        image=_safe_url(document.image, page.base, image=True),
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
        image=_safe_url(meta.image, page.base, image=True),
        language=page.language,
        kind=KIND_LINK,
    )


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
    return text.rstrip("".join(_PERMALINK_SIGNS - {"#"})).strip()


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
    if len(root) and root[0].tag in _HEADINGS:
        heading = _key("".join(root[0].itertext()))
        if heading in {_key(title), _key(h1 or "")}:
            _remove(root[0])


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
    canonical = _safe_url(_first(tree, _CANONICAL) or _meta(tree, "og:url"), url)
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


def _safe_url(value: str | None, base: str | None, *, image: bool = False) -> str | None:
    """An absolute http(s) URL (or mailto: for links), or None for anything else."""
    if not value or not value.strip():
        return None
    try:
        absolute = urljoin(base or "", value.strip())
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    allowed = ("http", "https") if image else ("http", "https", "mailto")
    return absolute if scheme in allowed else None


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
    language = _code_language(pre)
    only_code = len(pre) == 1 and pre[0].tag == "code" and not (pre.text or "").strip()
    if not only_code:
        code = etree.Element("code")
        code.text, pre.text = pre.text, None
        code.extend(list(pre))
        pre.append(code)
    if language:
        pre.set("class", f"language-{language}")
        pre[0].set("class", f"language-{language}")


def _code_language(pre: etree._Element) -> str | None:
    """The language a code block declares in its classes (its own, its <code>'s or a wrapper's)."""
    candidates = [pre, *pre.iterchildren("code"), *list(pre.iterancestors())[:2]]
    for element in candidates:
        for match in _CODE_LANGUAGE.finditer(element.get("class") or ""):
            language = match.group(1).lower()
            if language not in _NOT_LANGUAGES:
                return language
    return None


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


# --- trafilatura XML -> clean HTML ----------------------------------------------------


def _body_to_html(body: etree._Element, base: str | None) -> lxml_html.HtmlElement:
    root = lxml_html.Element("div")
    _fill(root, body, base, wrap_inline=True)
    _tidy(root)
    _drop_trailing_link_lines(root)
    return root


def _drop_trailing_link_lines(root: etree._Element) -> None:
    """Drop short link-list paragraphs at the very end ("Topics: Flooding · Council").

    Trafilatura keeps such lines when they sit inside the <article>; a closing
    paragraph of prose has far fewer of its words in links.
    """
    while len(root) and root[-1].tag == "p":
        words = count_words("".join(root[-1].itertext()))
        linked = sum(count_words("".join(a.itertext())) for a in root[-1].iter("a"))
        if not words or words > _LINK_LINE_MAX_WORDS or linked < words * _LINK_LINE_SHARE:
            return
        _remove(root[-1])


def _content(element: etree._Element) -> Iterator[str | etree._Element]:
    """An element's text and children, each child followed by its tail."""
    if element.text:
        yield element.text
    for child in element:
        if isinstance(child.tag, str):  # skip comments and processing instructions
            yield child
        if child.tail:
            yield child.tail


def _fill(dst: etree._Element, src: etree._Element, base: str | None, *, wrap_inline: bool) -> None:
    """Copy src's content into dst; with wrap_inline, loose inline content goes into <p>s."""
    para = None if wrap_inline else dst
    for item in _content(src):
        if isinstance(item, str) or not _is_block(item, src.tag):
            if para is None:
                if isinstance(item, str) and not item.strip():
                    continue
                para = etree.SubElement(dst, "p")
            _add_inline(para, item, base)
        else:
            para = None if wrap_inline else dst
            _add_block(dst, item, base)


def _is_block(element: etree._Element, parent_tag: str) -> bool:
    if element.tag == "code":
        return parent_tag in _CODE_BLOCK_PARENTS or "\n" in "".join(element.itertext())
    return element.tag in _BLOCK_XML


def _add_block(dst: etree._Element, src: etree._Element, base: str | None) -> None:
    tag = src.tag
    if tag == "head":
        level = re.sub(r"\D", "", src.get("rend") or "") or "3"
        _fill_inline(etree.SubElement(dst, f"h{min(max(int(level), 1), 6)}"), src, base)
    elif tag == "p":
        _fill_inline(etree.SubElement(dst, "p"), src, base)
    elif tag == "list":
        _add_list(dst, src, base)
    elif tag == "quote":
        _fill(etree.SubElement(dst, "blockquote"), src, base, wrap_inline=True)
    elif tag == "code":
        _add_code_block(dst, src)
    elif tag == "table":
        _add_table(dst, src, base)
    else:  # div and other containers: their content, without the wrapper
        _fill(dst, src, base, wrap_inline=True)


def _add_list(dst: etree._Element, src: etree._Element, base: str | None) -> None:
    ordered = (src.get("rend") or "").startswith("ol")
    target = etree.SubElement(dst, "ol" if ordered else "ul")
    for item in src:
        if isinstance(item.tag, str):
            _fill(etree.SubElement(target, "li"), item, base, wrap_inline=False)


def _add_code_block(dst: etree._Element, src: etree._Element) -> None:
    code = etree.SubElement(etree.SubElement(dst, "pre"), "code")
    language = _code_language(src)
    if language:
        code.set("class", f"language-{language}")
    code.text = _code_text(src).strip("\n") + "\n"


def _code_text(element: etree._Element) -> str:
    """Verbatim text of a code element; <lb/> (a <br> in the page) is a line break."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _code_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _add_table(dst: etree._Element, src: etree._Element, base: str | None) -> None:
    table = etree.SubElement(dst, "table")
    for row in src.iterchildren("row"):
        tr = etree.SubElement(table, "tr")
        for cell in row.iterchildren("cell"):
            tag = "th" if cell.get("role") == "head" else "td"
            _fill(etree.SubElement(tr, tag), cell, base, wrap_inline=False)


def _fill_inline(dst: etree._Element, src: etree._Element, base: str | None) -> None:
    for item in _content(src):
        _add_inline(dst, item, base)


def _add_inline(dst: etree._Element, item: str | etree._Element, base: str | None) -> None:
    if isinstance(item, str):
        _append_text(dst, _WS.sub(" ", item))
        return
    tag = item.tag
    if tag == "hi":
        _fill_inline(etree.SubElement(dst, _HI_TAGS.get(item.get("rend") or "", "em")), item, base)
    elif tag == "ref":
        _add_link(dst, item, base)
    elif tag == "graphic":
        _add_image(dst, item, base)
    elif tag == "lb":
        etree.SubElement(dst, "br")
    elif tag == "code":
        etree.SubElement(dst, "code").text = _WS.sub(" ", "".join(item.itertext()))
    elif tag == "del":
        _fill_inline(etree.SubElement(dst, "del"), item, base)
    else:  # anything else is unwrapped to its text and inline children
        _fill_inline(dst, item, base)


def _add_link(dst: etree._Element, ref: etree._Element, base: str | None) -> None:
    text = "".join(ref.itertext()).strip()
    if text in _PERMALINK_SIGNS:  # a heading's "¶" anchor is page furniture
        return
    href = _safe_url(ref.get("target"), base)
    target = etree.SubElement(dst, "a", href=href) if href else dst
    _fill_inline(target, ref, base)


def _add_image(dst: etree._Element, graphic: etree._Element, base: str | None) -> None:
    src = _safe_url(graphic.get("src"), base, image=True)
    if src:
        image = etree.SubElement(dst, "img", src=src)
        alt = _WS.sub(" ", graphic.get("alt") or "").strip()
        if alt:
            image.set("alt", alt)


def _append_text(element: etree._Element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _tidy(root: etree._Element) -> None:
    """Trim space at the edges of blocks and drop blocks left empty."""
    for block in list(root.iter("p", "li", "td", "th", *_HEADINGS)):
        _trim_edges(block)
    empty_candidates = ("p", "li", "blockquote", "ul", "ol", "table", *_HEADINGS)
    for block in reversed(list(root.iter(*empty_candidates))):
        if not "".join(block.itertext()).strip() and not block.xpath(".//img"):
            _remove(block)


def _remove(element: etree._Element) -> None:
    """Remove an element but keep its tail text."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _trim_edges(block: etree._Element) -> None:
    if block.text:
        block.text = block.text.lstrip() or None
    last = block[-1] if len(block) else None
    if last is not None and last.tail:
        last.tail = last.tail.rstrip() or None
    elif last is None and block.text:
        block.text = block.text.rstrip() or None


def _serialize(root: lxml_html.HtmlElement) -> str:
    return "\n".join(lxml_html.tostring(child, encoding="unicode").strip() for child in root)


def prose_words(text: str) -> int:
    """Words in lines that read like prose; each CJK character counts as a word."""
    total = 0
    for line in text.splitlines():
        words = count_words(_CJK.sub(" ", line)) + len(_CJK.findall(line))
        if words >= _PROSE_LINE_WORDS:
            total += words
    return total
