"""The text renderings of an article: clean HTML -> Markdown and plain text, Markdown -> HTML.

``html_to_markdown`` writes CommonMark (with GitHub-style tables and strikethrough);
``html_to_text`` writes the plain text that search indexes; ``markdown_to_html`` renders
Markdown notes.

Our own converter over lxml. Text is escaped only where CommonMark would read it as
markup: ``snake_case_name`` stays as it is, a ``#`` or ``1.`` is escaped only at the
start of a line. Whitespace outside ``<pre>`` is collapsed as a browser would.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "iframe", "head", "title", "meta", "link",
     "svg", "math", "canvas", "object", "embed", "button", "input", "select", "textarea"}
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CONTAINERS = frozenset(
    {"div", "section", "article", "main", "header", "footer", "aside", "nav", "figure",
     "figcaption", "details", "summary", "address", "body", "html", "center", "form",
     "fieldset", "dd", "dt", "dl", "li", "hgroup", "picture"}
)  # fmt: skip
_BLOCKS = _HEADINGS | _CONTAINERS | {"p", "ul", "ol", "pre", "blockquote", "table", "hr"}
# Blocks that may not follow a list item's first line without a blank line between.
_LOOSE_MAKERS = _HEADINGS | _CONTAINERS | {"p", "table", "hr"}
_CODE_TAGS = frozenset({"code", "kbd", "samp", "tt", "var"})
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp", ""})

_WS = re.compile(r"[ \t\n\r\f\v]+")  # what HTML collapses; a no-break space is kept
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang)-([A-Za-z0-9_+#.-]+)")
_BREAK = "\x00"  # stands for <br> until a paragraph is assembled

# Inline characters CommonMark reads as markup wherever they are.
_ALWAYS = re.compile(r"[`\[\]]|\\(?=[!-/:-@\[-`{-~]|$)|<(?=[A-Za-z/!?])|&(?=#?\w+;)|~(?=~)|(?<=~)~")
_LINE_START = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|=+\s*$|(\d{1,9})[.)](?=\s|$))")
_THEMATIC = re.compile(r"^([-*_])(?:\s*\1){2,}\s*$")


def html_to_markdown(html: str, base_url: str | None = None) -> str:
    """Convert HTML to CommonMark; relative links and images are resolved against base_url.

    The result ends with exactly one newline (or is empty for empty input).
    """
    if not html.strip():
        return ""
    root = lxml_html.document_fromstring(html)
    body = root.find("body")
    blocks = _Converter(base_url).blocks(body if body is not None else root)
    text = "\n\n".join(block for block in blocks if block.strip())
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text.strip("\n") + "\n" if text.strip() else ""


class _Converter:
    """One conversion; keeps the base URL and renders elements to Markdown."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url

    # --- blocks ---

    def blocks(self, element: etree._Element) -> list[str]:
        """Markdown blocks of an element's content; loose inline content becomes paragraphs."""
        out: list[str] = []
        inline: list[str] = []
        previous_list: str | None = None
        for item in _content(element):
            if isinstance(item, str) or not _is_block(item):
                inline.append(item if isinstance(item, str) else self.inline(item))
                continue
            out.extend(_paragraphs("".join(inline)))
            inline = []
            if item.tag in ("ul", "ol"):
                # Two lists in a row would merge into one: switch the marker to keep them apart.
                alternate = previous_list == item.tag
                out.append(self.list_block(item, alternate=alternate))
                previous_list = None if alternate else item.tag
            else:
                out.extend(self.block(item))
                previous_list = None
        out.extend(_paragraphs("".join(inline)))
        return out

    def block(self, element: etree._Element) -> list[str]:
        tag = element.tag
        if tag in _HEADINGS:
            return self.heading(element)
        if tag == "p":
            return _paragraphs(self.inline_content(element))
        if tag == "pre":
            return [self.code_block(element)] if "".join(element.itertext()).strip() else []
        if tag == "blockquote":
            return [_prefix_lines("\n\n".join(self.blocks(element)), "> ", ">")]
        if tag == "table":
            return [self.table(element)]
        if tag == "hr":
            return ["---"]
        if tag == "dt":
            return _paragraphs(_wrap("**", self.inline_content(element)))
        return self.blocks(element)

    def heading(self, element: etree._Element) -> list[str]:
        text = _one_line(self.inline_content(element))
        if not text:
            return []
        # A trailing " #" would be read as the heading's optional closing sequence.
        text = re.sub(r"(\s)#(#*)$", r"\1\\#\2", text)
        return [f"{'#' * int(element.tag[1])} {text}"]

    def code_block(self, element: etree._Element) -> str:
        code = "".join(element.itertext())
        code = code if code.endswith("\n") else code + "\n"
        longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"{fence}{_code_language(element)}\n{code}{fence}"

    def list_block(self, element: etree._Element, *, alternate: bool = False) -> str:
        ordered = element.tag == "ol"
        start = element.get("start", "1")
        number = int(start) if start.isdigit() else 1
        items = [child for child in element if isinstance(child.tag, str)]
        loose = any(_is_loose(item) for item in items)
        rendered = []
        for offset, item in enumerate(items):
            if ordered:
                marker = f"{number + offset}{')' if alternate else '.'}"
            else:
                marker = "*" if alternate else "-"
            body = ("\n\n" if loose else "\n").join(b for b in self.blocks(item) if b.strip())
            rendered.append(_list_item(marker, body))
        return ("\n\n" if loose else "\n").join(rendered)

    def table(self, element: etree._Element) -> str:
        rows = [row for row in element.iter("tr") if _owning_table(row) is element]
        cells = [[self.cell(c) for c in row if c.tag in ("th", "td")] for row in rows]
        cells = [row for row in cells if row]
        if not cells:
            return ""
        width = max(len(row) for row in cells)
        lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in cells]
        lines.insert(1, "|" + " --- |" * width)
        return "\n".join(lines)

    def cell(self, element: etree._Element) -> str:
        text = _one_line(self.inline_content(element))
        return text.replace("|", "\\|")

    # --- inline ---

    def inline_content(self, element: etree._Element) -> str:
        """Inline Markdown of an element's text and children (blocks inside are flattened)."""
        pieces = []
        for item in _content(element):
            pieces.append(item if isinstance(item, str) else self.inline(item))
        return "".join(pieces)

    def inline(self, element: etree._Element) -> str:
        tag = element.tag
        if tag == "br":
            return _BREAK
        if tag == "img":
            return self.image(element)
        if tag in _CODE_TAGS:
            return _code_span(_WS.sub(" ", "".join(element.itertext())))
        content = self.inline_content(element)
        if tag in ("strong", "b"):
            return _wrap("**", content)
        if tag in ("em", "i", "cite"):
            return _wrap("*", content)
        if tag in ("del", "s", "strike"):
            return _wrap("~~", content)
        if tag == "a":
            return self.link(element, content)
        if tag in _BLOCKS:  # a block inside inline content: keep its text apart
            return f" {content} "
        return content

    def link(self, element: etree._Element, content: str) -> str:
        href = self.url(element.get("href"))
        if href is None or not content.strip():
            return content
        # spaces at the edges of the link text belong outside the brackets, or words run together
        lead = " " if content[:1].isspace() else ""
        trail = " " if content[-1:].isspace() else ""
        return f"{lead}[{_one_line(content)}]({_destination(href)}){trail}"

    def image(self, element: etree._Element) -> str:
        src = self.url(element.get("src"))
        if src is None or src.startswith("data:"):
            return ""
        alt = _escape(_WS.sub(" ", element.get("alt") or "").strip())
        return f"![{alt}]({_destination(src)})"

    def url(self, value: str | None) -> str | None:
        """The URL resolved against the base; None for empty or unsafe (javascript:) ones."""
        if not value or not value.strip():
            return None
        try:
            url = urljoin(self.base_url, value.strip()) if self.base_url else value.strip()
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            return None
        return url if scheme in _SAFE_SCHEMES else None


# --- helpers ------------------------------------------------------------------------------


def _content(element: etree._Element) -> Iterator[str | etree._Element]:
    """Escaped, whitespace-collapsed text and the elements to render, in document order."""
    if element.text:
        yield _escape(_WS.sub(" ", element.text))
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _SKIPPED:
            yield child
        if child.tail:
            yield _escape(_WS.sub(" ", child.tail))


def _is_block(element: etree._Element) -> bool:
    return element.tag in _BLOCKS


def _is_loose(item: etree._Element) -> bool:
    """Whether a list item needs blank lines between its blocks (and so between items)."""
    return any(isinstance(c.tag, str) and c.tag in _LOOSE_MAKERS for c in item)


def _escape(text: str) -> str:
    """Backslash-escape what CommonMark would read as inline markup in plain text."""
    text = _ALWAYS.sub(lambda m: "\\" + m.group(0), text)
    stars = sum(1 for m in re.finditer(r"\*", text) if not _spaced(text, m.start()))
    return re.sub(r"[*_]", lambda m: _escape_delimiter(m, text, stars), text)


def _spaced(text: str, index: int) -> bool:
    """Whether text[index] has space (or nothing) on both sides, so it cannot delimit."""
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return before.isspace() and after.isspace()


def _escape_delimiter(match: re.Match[str], text: str, stars: int) -> str:
    char, start = match.group(0), match.start()
    if _spaced(text, start):
        return char
    before = text[start - 1] if start else " "
    after = text[start + 1] if start + 1 < len(text) else " "
    intraword = before.isalnum() and after.isalnum()
    # "_" inside a word never delimits; "*" does, but only if it has a partner.
    if intraword and (char == "_" or stars == 1):
        return char
    return "\\" + char


def _escape_line_start(line: str) -> str:
    """Escape a line start that would begin a heading, quote, list or rule."""
    if _THEMATIC.match(line):
        return "\\" + line
    match = _LINE_START.match(line)
    if match is None:
        return line
    if match.group(1):  # "1." -> "1\."
        digits = match.group(1)
        return digits + "\\" + line[len(digits) :]
    return "\\" + line


def _paragraphs(inline: str) -> list[str]:
    """Paragraphs of inline Markdown: <br> is a hard break, two in a row split paragraphs."""
    out = []
    for chunk in re.split(f"{_BREAK}\\s*{_BREAK}[\\s{_BREAK}]*", inline):
        lines = [_escape_line_start(_one_line(line)) for line in chunk.split(_BREAK)]
        lines = [line for line in lines if line]
        if lines:
            out.append("\\\n".join(lines))
    return out


def _one_line(inline: str) -> str:
    return re.sub(r" {2,}", " ", inline.replace(_BREAK, " ")).strip()


def _wrap(marker: str, content: str) -> str:
    """Emphasis markers around content, with its edge spaces moved outside them."""
    inner = content.strip()
    if not inner.replace(_BREAK, ""):
        return content
    lead = " " if content[:1].isspace() else ""
    trail = " " if content[-1:].isspace() else ""
    return f"{lead}{marker}{inner}{marker}{trail}"


def _code_span(code: str) -> str:
    if not code.strip():
        return code
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    # Padding keeps a backtick at an edge from joining the fence; one space each side is
    # stripped again by the parser.
    pad = " " if code.startswith("`") or code.endswith("`") or code[0] == code[-1] == " " else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _code_language(pre: etree._Element) -> str:
    for element in (*pre.iter("code"), pre):
        match = _LANGUAGE.search(element.get("class") or "")
        if match:
            return match.group(1)
    return ""


def _destination(url: str) -> str:
    """A link destination that survives spaces, parentheses and angle brackets."""
    if re.search(r"[\s()<>]", url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"
    return url


def _list_item(marker: str, body: str) -> str:
    lines = body.split("\n")
    indent = " " * (len(marker) + 1)
    first = f"{marker} {lines[0]}" if lines[0] else marker
    return "\n".join([first, *(indent + line if line else "" for line in lines[1:])])


def _prefix_lines(text: str, prefix: str, empty_prefix: str) -> str:
    return "\n".join(prefix + line if line else empty_prefix for line in text.split("\n"))


def _owning_table(row: etree._Element) -> etree._Element | None:
    return next(row.iterancestors("table"), None)


# --- clean HTML -> plain text ---------------------------------------------------------------


def html_to_text(html: str | etree._Element) -> str:
    """Plain text of HTML: blocks separated by a blank line, list items one a line.

    Takes the HTML as a string, or as an element whose content is the blocks.
    """
    if isinstance(html, str):
        if not html.strip():
            return ""
        root = lxml_html.document_fromstring(html)
        body = root.find("body")
        html = body if body is not None else root
    return "\n\n".join(block for block in _text_blocks(html) if block.strip())


def _text_blocks(element: etree._Element) -> Iterator[str]:
    """Text of an element's blocks; loose inline content makes blocks of its own."""
    inline: list[str] = []
    for item in _raw_content(element):
        if isinstance(item, str) or not _is_block(item):
            inline.append(item if isinstance(item, str) else _plain_inline(item))
            continue
        yield _tidy_text("".join(inline))
        inline = []
        yield from _text_block(item)
    yield _tidy_text("".join(inline))


def _text_block(element: etree._Element) -> Iterator[str]:
    tag = element.tag
    if tag in ("ul", "ol"):
        yield "\n".join(_list_lines(element))
    elif tag == "pre":
        yield "".join(element.itertext()).rstrip("\n")
    elif tag == "table":
        rows = [row for row in element.iter("tr") if _owning_table(row) is element]
        cells = [[_cell_text(c) for c in r if c.tag in ("th", "td")] for r in rows]
        yield "\n".join("\t".join(row) for row in cells if row)
    elif tag in _HEADINGS or tag in ("p", "dt"):
        yield _tidy_text(_plain_inline(element))
    elif tag != "hr":
        yield from _text_blocks(element)


def _cell_text(cell: etree._Element) -> str:
    """A table cell on one line; blocks in it (a heading over a price) kept apart by a space."""
    if any(isinstance(child.tag, str) and _is_block(child) for child in cell):
        return " ".join(block.replace("\n", " ") for block in _text_blocks(cell) if block.strip())
    return _tidy_text(_plain_inline(cell))


def _list_lines(element: etree._Element) -> Iterator[str]:
    start = element.get("start", "1")
    number = int(start) if start.isdigit() else 1
    for item in element:
        if not isinstance(item.tag, str) or item.tag in _SKIPPED:
            continue
        marker = f"{number}. " if element.tag == "ol" else "- "
        number += 1
        lines = "\n".join(b for b in _text_blocks(item) if b.strip()).split("\n")
        yield marker + lines[0]
        yield from ("  " + line if line else "" for line in lines[1:])


def _raw_content(element: etree._Element) -> Iterator[str | etree._Element]:
    """Whitespace-collapsed text and the elements to render, in document order."""
    if element.text:
        yield _WS.sub(" ", element.text)
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _SKIPPED:
            yield child
        if child.tail:
            yield _WS.sub(" ", child.tail)


def _plain_inline(element: etree._Element) -> str:
    """Text of an element, blocks inside it included; <br> is a line break."""
    if element.tag == "br":
        return "\n"
    return "".join(
        item if isinstance(item, str) else _plain_inline(item) for item in _raw_content(element)
    )


def _tidy_text(text: str) -> str:
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r" {2,}", " ", text).strip()


def text_to_html(text: str) -> str:
    """A plain-text note as HTML: blank lines separate paragraphs, single newlines are <br>."""
    paragraphs = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(
        "<p>" + "<br>\n".join(escape(line) for line in para.strip("\n").split("\n")) + "</p>"
        for para in paragraphs
        if para.strip()
    )


# --- Markdown notes -> HTML ---------------------------------------------------------------


@functools.cache
def _markdown_it() -> MarkdownIt:
    # html=False: raw HTML in a note is shown as text, so no <script> passes through.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def markdown_to_html(text: str) -> str:
    """Render a Markdown note: CommonMark plus tables and strikethrough, raw HTML escaped."""
    html: str = _markdown_it().render(text)
    return html


def markdown_title(text: str) -> str | None:
    """Plain text of a note's first heading, else of its first line of text."""
    tokens = _markdown_it().parse(text)
    inline = [(i, t) for i, t in enumerate(tokens) if t.type == "inline" and t.children]
    for index, token in inline:
        if tokens[index - 1].type == "heading_open":
            return _plain(token)
    for _, token in inline:
        line = _plain(token).split("\n")[0].strip()
        if line:
            return line
    return None


def _plain(token: Any) -> str:
    pieces = []
    for child in token.children:
        if child.type in ("text", "code_inline"):
            pieces.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            pieces.append("\n")
    return "".join(pieces).strip()
