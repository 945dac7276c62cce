"""Trafilatura's XML body -> clean, whitelisted HTML.

Trafilatura returns the body in its own XML dialect (``<head rend="h2">``, ``<list>`` and
``<item>``, ``<hi rend="#b">``, ``<ref target>``, ``<graphic>``, ...). One walk turns that
into HTML made of a small set of tags, with only safe links and images; the plain text of
an article is then made from this HTML, so the two never disagree about what it contains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from clipper.core.htmlparse import new_element
from clipper.core.pictures import Picture, restore_pictures

__all__ = [
    "HEADINGS",
    "INLINE_TAGS",
    "PERMALINK_SIGNS",
    "SPACE_MARK",
    "body_to_html",
    "code_language",
    "detach_captions",
    "drop_space_marks",
    "keep_spaces",
    "lift_line_breaks",
    "put_back_spaces",
    "remove",
    "safe_url",
    "serialize",
]

_WS = re.compile(r"[ \t\n\r\f\v]+")  # what HTML collapses; a no-break space is kept
PERMALINK_SIGNS = frozenset("¶§#🔗⚓")

# language-x, lang-x (HTML5 convention), highlight-x (Sphinx), highlight-source-x (GitHub),
# brush: x (SyntaxHighlighter).
_CODE_LANGUAGE = re.compile(
    r"(?:^|\s)(?:(?:language|lang|highlight-source|highlight)-|brush:\s*)([A-Za-z0-9_+#.-]+)"
)
_NOT_LANGUAGES = frozenset({"none", "text", "plain", "plaintext", "default", "nohighlight"})

_HI_TAGS = {"#b": "strong", "#i": "em", "#u": "em", "#t": "code", "#sub": "sub", "#sup": "sup"}
_BLOCK_XML = frozenset({"head", "p", "list", "quote", "table", "div"})
_CODE_BLOCK_PARENTS = frozenset({"body", "quote", "div", "doc"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Inline elements split at the line breaks inside them (lift_line_breaks).
_BREAKABLE = frozenset({"a", "b", "em", "font", "i", "mark", "small", "span", "strong", "u"})
# HTML elements that sit inside a line of text (a paragraph's content).
INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "br", "cite", "code", "em", "i", "img", "mark", "q", "s", "small", "span",
     "strong", "sub", "sup", "time", "u"}
)  # fmt: skip
# ... counting words of two letters or more: "1 Green, 1 Red, 1 Yellow, 1 tsp." in each
# meal of a meal plan is a list, not a sentence said twice.
_REPEAT_MIN_WORDS = 10
_LETTERS = re.compile(r"[^\W\d_]")
_CAPTION_MAX_WORDS = 80
# A table cell with a heading or this many blocks is a page's layout, not data.
_LAYOUT_BLOCKS = frozenset({"head", "p", "list", "quote", "table", "code"})
_LAYOUT_MIN_BLOCKS = 3
_SENTENCE_END = re.compile(r"\w{3,}[.!?\u2026][\"'\u201d\u2019)]*$")
_CAPTION_HINT = re.compile(r"caption|credit", re.IGNORECASE)


def body_to_html(
    body: etree._Element, base: str | None, pictures: list[Picture] | None = None
) -> lxml_html.HtmlElement:
    """The clean HTML of trafilatura's body, in a <div>; links resolve against base.

    ``pictures`` are the images marked in the page before extraction (see pictures.py).
    """
    root = new_element("div")
    _fill(root, body, base, wrap_inline=True)
    if pictures:
        restore_pictures(root, pictures, lambda picture: _picture_element(picture, base))
    _tidy(root)
    _drop_repeated_blocks(root)
    return root


def _drop_repeated_blocks(root: etree._Element) -> None:
    """Drop paragraphs of a sentence or more that repeat an earlier one word for word.

    Teaser cards, carousels and "read more" boxes repeat the same lines; an article
    does not say the same sentence twice.
    """
    seen: set[str] = set()
    for block in list(root.iter("p")):
        text = _WS.sub(" ", "".join(block.itertext())).strip().casefold()
        words = sum(1 for word in text.split() if len(_LETTERS.findall(word)) >= 2)
        if words < _REPEAT_MIN_WORDS or not _SENTENCE_END.search(text):
            continue
        if block.find(".//img") is not None:
            continue
        if text in seen:
            remove(block)
        seen.add(text)


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
        if not _is_caption(src) or not _caption_to_alt(dst, src):
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


def _is_caption(element: etree._Element) -> bool:
    hints = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(_CAPTION_HINT.search(hints))


def _caption_to_alt(dst: etree._Element, caption: etree._Element) -> bool:
    """Make an image caption the alt text of the image just before it; False if none.

    A caption belongs to its picture, not to the article's text (which is what the
    reader shows as prose and what search indexes).
    """
    previous = dst[-1] if len(dst) else None
    images = list(previous.iter("img")) if previous is not None else []
    if not images:
        return False
    text = _WS.sub(" ", "".join(caption.itertext())).strip()
    if text and not images[-1].get("alt"):
        images[-1].set("alt", text)
    return True


def _add_list(dst: etree._Element, src: etree._Element, base: str | None) -> None:
    ordered = (src.get("rend") or "").startswith("ol")
    target = etree.SubElement(dst, "ol" if ordered else "ul")
    for item in src:
        if isinstance(item.tag, str):
            _fill(etree.SubElement(target, "li"), item, base, wrap_inline=False)


def _add_code_block(dst: etree._Element, src: etree._Element) -> None:
    code = etree.SubElement(etree.SubElement(dst, "pre"), "code")
    language = code_language(src)
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
    if _is_layout_table(src):
        for cell in _cells(src):
            _fill(dst, cell, base, wrap_inline=True)
        return
    table = etree.SubElement(dst, "table")
    for row in src.iterchildren("row"):
        tr = etree.SubElement(table, "tr")
        for cell in row.iterchildren("cell"):
            tag = "th" if cell.get("role") == "head" else "td"
            _fill(etree.SubElement(tr, tag), cell, base, wrap_inline=False)


def _is_layout_table(table: etree._Element) -> bool:
    """Whether a table only lays out the page: a cell holds headings or several paragraphs.

    Older sites and generated docs set the whole article in one cell; shown as a table,
    its sections would run together on one line of text, one row of Markdown.
    """
    for cell in _cells(table):
        blocks = [child for child in cell if child.tag in _LAYOUT_BLOCKS]
        if len(blocks) >= _LAYOUT_MIN_BLOCKS or any(block.tag == "head" for block in blocks):
            return True
    return False


def _cells(table: etree._Element) -> Iterator[etree._Element]:
    """A table's own cells, row by row (not those of a table inside one)."""
    for row in table.iterchildren("row"):
        yield from row.iterchildren("cell")


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
    if text in PERMALINK_SIGNS:  # a heading's "¶" anchor is page furniture
        return
    href = safe_url(ref.get("target"), base)
    target = etree.SubElement(dst, "a", href=href) if href else dst
    _fill_inline(target, ref, base)


def _add_image(dst: etree._Element, graphic: etree._Element, base: str | None) -> None:
    src = safe_url(graphic.get("src"), base, image=True)
    if src:
        image = etree.SubElement(dst, "img", src=src)
        alt = _WS.sub(" ", graphic.get("alt") or "").strip()
        if alt:
            image.set("alt", alt)


def _picture_element(picture: Picture, base: str | None) -> etree._Element | None:
    src = safe_url(picture.src, base, image=True)
    if not src:
        return None
    image = etree.Element("img", src=src)
    if picture.alt:
        image.set("alt", picture.alt)
    return image


def _append_text(element: etree._Element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _tidy(root: etree._Element) -> None:
    """Trim space at the edges of blocks and drop blocks left empty."""
    for block in list(root.iter("p", "li", "td", "th", *HEADINGS)):
        _trim_edges(block)
    empty_candidates = ("p", "li", "blockquote", "ul", "ol", "table", *HEADINGS)
    for block in reversed(list(root.iter(*empty_candidates))):
        if not "".join(block.itertext()).strip() and not block.xpath(".//img"):
            remove(block)


def remove(element: etree._Element) -> None:
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


def serialize(root: lxml_html.HtmlElement) -> str:
    """The HTML of root's children, one top-level block per line."""
    return "\n".join(lxml_html.tostring(child, encoding="unicode").strip() for child in root)


# --- also used on the page before trafilatura sees it ---------------------------------


def code_language(pre: etree._Element) -> str | None:
    """The language a code block declares in its classes (its own, its <code>'s or a wrapper's)."""
    candidates = [pre, *pre.iterchildren("code"), *list(pre.iterancestors())[:2]]
    for element in candidates:
        for match in _CODE_LANGUAGE.finditer(element.get("class") or ""):
            language = match.group(1).lower()
            if language not in _NOT_LANGUAGES:
                return language
    return None


def safe_url(value: str | None, base: str | None, *, image: bool = False) -> str | None:
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


def detach_captions(tree: etree._Element) -> None:
    """Make figure captions the alt text of their pictures, before extraction.

    A caption describes its picture; as prose it would interrupt the article's text
    (and search would find it as if the author had written it in the body).
    """
    for caption in list(tree.iter("figcaption")):
        _caption_into_image(caption, caption.getparent())
    for element in tree.xpath(_CAPTION_XPATH):
        parent = element.getparent()
        if parent is not None and not element.xpath(_NOT_IN_CAPTION):
            _caption_into_image(element, parent)


# A "caption" box holding one of these is a card's text (a shop's "product-caption" with
# the product's name as a heading and buttons), not words about a picture.
_NOT_IN_CAPTION = ".//img|.//h1|.//h2|.//h3|.//h4|.//h5|.//h6|.//button"
_CAPTION_XPATH = (
    "//*[self::p or self::div or self::span or self::small]"
    "[contains(translate(@class, 'CAPTION', 'caption'), 'caption')]"
)


def _caption_into_image(caption: etree._Element, container: etree._Element | None) -> None:
    images = container.xpath(".//img") if container is not None else []
    text = _WS.sub(" ", "".join(caption.itertext())).strip()
    if not images or len(text.split()) > _CAPTION_MAX_WORDS:
        return
    if text and not images[0].get("alt"):
        images[0].set("alt", text)
    remove(caption)


def lift_line_breaks(tree: etree._Element) -> None:
    """Split inline elements at the line breaks inside them, before extraction.

    ``<b>Players in<br>Players out</b>`` becomes ``<b>Players in</b><br><b>Players out</b>``.
    Trafilatura cuts a paragraph holding a break inside an inline element into one
    paragraph per element and trims each, so "<b>Spence </b>to get" came out as
    "Spenceto get" on a line of its own.
    """
    for br in list(tree.iter("br")):
        parent = br.getparent()
        while _is_breakable(parent):
            rest = etree.Element(parent.tag, attrib=dict(parent.attrib))
            rest.attrib.pop("id", None)
            rest.text, br.tail = br.tail, None
            for sibling in list(br.itersiblings()):
                rest.append(sibling)
            rest.tail, parent.tail = parent.tail, None
            parent.remove(br)
            parent.addnext(br)
            if rest.text or len(rest):
                br.addnext(rest)
            else:
                br.tail = rest.tail
            parent = br.getparent()


def _is_breakable(element: etree._Element | None) -> bool:
    """An inline element of text alone: a <span> that holds blocks (a forum post's
    ``itemprop="text"`` box) or names a part of the page stays whole."""
    return (
        element is not None
        and element.tag in _BREAKABLE
        and element.getparent() is not None
        and element.get("itemprop") is None
        and all(child.tag in INLINE_TAGS for child in element if isinstance(child.tag, str))
    )


# Stands for a space trafilatura would trim at the edge of an inline element's text
# (keep_spaces): the "open box" sign, which pages about text alone show; trafilatura
# deletes characters that print nothing, such as the private-use ones.
SPACE_MARK = "\u2423"
_EDGE_SPACE_TAGS = frozenset(INLINE_TAGS - {"br", "img", "code"})


# One marked text: the element, whether it was the tail, and the text as it was.
SpaceEdit = tuple[etree._Element, bool, str]


def keep_spaces(tree: etree._Element, html: str) -> list[SpaceEdit]:
    """Mark the spaces around inline elements that trafilatura would trim, before extraction.

    Trafilatura trims the text and the tail of an inline element it takes outside a
    paragraph (a link or a bold word straight in a <div>): "<a>Pet Insurance</a> helps"
    came out "Pet Insurancehelps", "set of <a>45 patches</a>" as "set of45 patches".
    A page (``html``) that shows the mark itself is left alone. Returns the texts it
    changed, for put_back_spaces.
    """
    if SPACE_MARK in html or "&#9251;" in html or "&#x2423;" in html or "&#X2423;" in html:
        return []
    edits: list[SpaceEdit] = []
    verbatim = {part for box in tree.iter("pre", "code", "textarea") for part in box.iter()}
    for element in tree.iter(*_EDGE_SPACE_TAGS):
        if element in verbatim:
            continue  # its white space is kept as it is
        tail = element.tail
        if tail and tail[0].isspace() and not tail.isspace():
            edits.append((element, True, tail))
            element.tail = SPACE_MARK + tail.lstrip()
        if len(element):
            _mark_end(element, False, edits)
        before = element.getprevious()
        if before is not None:
            _mark_end(before, True, edits)
        elif (parent := element.getparent()) is not None:
            _mark_end(parent, False, edits)
    return edits


def _mark_end(element: etree._Element, tail: bool, edits: list[SpaceEdit]) -> None:
    """Mark the space at the end of an element's text (or tail), before an inline element."""
    text = element.tail if tail else element.text
    if not text or not text[-1].isspace() or text.isspace():
        return
    edits.append((element, tail, text))
    if tail:
        element.tail = text.rstrip() + SPACE_MARK
    else:
        element.text = text.rstrip() + SPACE_MARK


def put_back_spaces(edits: list[SpaceEdit]) -> None:
    """Undo keep_spaces on the page's tree, in reverse order (one text may be marked twice)."""
    for element, tail, text in reversed(edits):
        if tail:
            element.tail = text
        else:
            element.text = text


def drop_space_marks(body: etree._Element) -> None:
    """Make each mark in an extracted body a space again."""
    for element in body.iter():
        if element.text and SPACE_MARK in element.text:
            element.text = element.text.replace(SPACE_MARK, " ")
        if element.tail and SPACE_MARK in element.tail:
            element.tail = element.tail.replace(SPACE_MARK, " ")
