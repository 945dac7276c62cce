"""Plain-Python PDF post-processing: an incremental update appended to the PDF Qt wrote.

QPdfWriter cannot write a document outline, the full document information dictionary or
/Lang, and it maps some glyphs to compatibility characters in its text maps. This module
reads just enough of the file (one plain cross-reference table, as QPdfWriter writes it)
to append replacements as a standard PDF incremental update. It never imports Qt: what
needs Qt's font database is passed in by the caller.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Mark",
    "PdfFile",
    "Radicals",
    "add_update",
    "outline_objects",
    "pdf_has_text",
    "pdf_text",
    "plain_to_unicode",
    "radical_ideographs",
]

# Returns the CJK radicals that the installed fonts draw with an ideograph's glyph (⺠ -> 民).
Radicals = Callable[[], Mapping[str, str]]


@dataclass
class Mark:
    """An outline entry: a title and where it points (page index, points from the top)."""

    title: str
    page: int
    top: float
    children: list[Mark]


def pdf_text(text: str) -> str:
    """A PDF text string in UTF-16 (hex, so no escaping questions)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


# --- reading and appending ---------------------------------------------------------------


class PdfFile:
    """Just enough of a PDF (as QPdfWriter writes it: one plain xref table) to append to."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        found = re.findall(rb"startxref\s+(\d+)\s+%%EOF\s*$", data[-200:])
        if not found:
            raise ValueError("no startxref at the end")
        self.startxref = int(found[-1])
        self.offsets, self.trailer = self._read_xref(self.startxref)

    def _read_xref(self, start: int) -> tuple[dict[int, int], bytes]:
        end = self.data.find(b"trailer", start)
        tokens = self.data[start:end].split()
        if end < 0 or not tokens or tokens[0] != b"xref":
            raise ValueError("not a plain cross-reference table")
        offsets: dict[int, int] = {}
        pos = 1
        while pos < len(tokens):
            first, count = int(tokens[pos]), int(tokens[pos + 1])
            for n in range(count):
                offset, _gen, kind = tokens[pos + 2 + 3 * n : pos + 5 + 3 * n]
                if kind == b"n":
                    offsets[first + n] = int(offset)
            pos += 2 + 3 * count
        return offsets, self.data[end : self.data.find(b"startxref", end)]

    def ref(self, key: str) -> int:
        match = re.search(rb"/" + key.encode() + rb"\s+(\d+)\s+0\s+R", self.trailer)
        if not match:
            raise ValueError(f"trailer has no /{key}")
        return int(match.group(1))

    def dictionary(self, number: int) -> bytes:
        """The body of a stream-less dictionary object, without the outer << >>."""
        start = self.offsets[number]
        match = re.match(
            rb"\s*%d\s+0\s+obj\s*<<(.*?)>>\s*endobj" % number,
            self.data[start : self.data.find(b"endobj", start) + 6],
            re.S,
        )
        if not match:
            raise ValueError(f"object {number} is not a plain dictionary")
        return match.group(1)

    def stream(self, number: int) -> bytes:
        """The decoded data of a stream object (plain or FlateDecode)."""
        start = self.offsets[number]
        head = re.compile(rb"\s*%d\s+0\s+obj\s*<<(.*?)>>\s*stream\r?\n" % number, re.S)
        match = head.match(self.data, start)
        if not match:
            raise ValueError(f"object {number} is not a stream")
        raw = self.data[match.end() : self.data.find(b"endstream", match.end())]
        return zlib.decompressobj().decompress(raw) if b"/FlateDecode" in match.group(1) else raw

    def page_ids(self, node: int | None = None) -> list[int]:
        """Page object numbers in reading order (walking the page tree)."""
        body = self.dictionary(self.ref_in(self.ref("Root"), "Pages") if node is None else node)
        if re.search(rb"/Type\s*/Page\b(?!s)", body):
            return [node] if node is not None else []
        kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S)
        refs = re.findall(rb"(\d+)\s+0\s+R", kids.group(1)) if kids else []
        return [page for ref in refs for page in self.page_ids(int(ref))]

    def ref_in(self, number: int, key: str) -> int:
        match = re.search(rb"/" + key.encode() + rb"\s+(\d+)\s+0\s+R", self.dictionary(number))
        if not match:
            raise ValueError(f"object {number} has no /{key}")
        return int(match.group(1))

    def size(self) -> int:
        match = re.search(rb"/Size\s+(\d+)", self.trailer)
        return int(match.group(1)) if match else max(self.offsets) + 1

    def append(self, objects: dict[int, str]) -> bytes:
        """The file with ``objects`` (new or replacing old ones) added as an update."""
        out = bytearray(self.data if self.data.endswith(b"\n") else self.data + b"\n")
        offsets: dict[int, int] = {}
        for number in sorted(objects):
            offsets[number] = len(out)
            out += f"{number} 0 obj\n{objects[number]}\nendobj\n".encode("latin-1")
        xref = len(out)
        out += b"xref\n" + _xref_rows(offsets)
        ident = re.search(rb"/ID\s*\[[^\]]*\]", self.trailer)
        size = max(self.size(), max(offsets) + 1)
        root, info = self.ref("Root"), self.ref("Info")
        trailer = (
            f"trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R /Prev {self.startxref} "
        )
        out += trailer.encode() + (ident.group(0) if ident else b"") + b" >>\n"
        out += f"startxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)


def _xref_rows(offsets: dict[int, int]) -> bytes:
    """Cross-reference subsections, one per run of consecutive object numbers."""
    rows: list[str] = []
    numbers = sorted(offsets)
    start = 0
    for index in range(1, len(numbers) + 1):
        if index == len(numbers) or numbers[index] != numbers[index - 1] + 1:
            run = numbers[start:index]
            rows.append(f"{run[0]} {len(run)}\n")
            rows += [f"{offsets[n]:010d} 00000 n \n" for n in run]
            start = index
    return "".join(rows).encode("ascii")


def outline_objects(
    marks: list[Mark], root: int, pages: list[int], height: float
) -> dict[int, str]:
    """The /Outlines tree (``root`` and the numbers after it); children start closed."""
    objects: dict[int, str] = {}
    counter = iter(range(root + 1, root + 1 + 100_000))

    def place(items: list[Mark], parent: int) -> list[int]:
        numbers = [next(counter) for _ in items]
        for index, (mark, number) in enumerate(zip(items, numbers, strict=True)):
            kids = place(mark.children, number)
            entry = [
                f"/Title {pdf_text(mark.title)} /Parent {parent} 0 R",
                f"/Dest [{pages[mark.page]} 0 R /XYZ 0 {height - mark.top:.1f} null]",
            ]
            if index:
                entry.append(f"/Prev {numbers[index - 1]} 0 R")
            if index + 1 < len(numbers):
                entry.append(f"/Next {numbers[index + 1]} 0 R")
            if kids:
                entry.append(f"/First {kids[0]} 0 R /Last {kids[-1]} 0 R /Count -{len(kids)}")
            objects[number] = "<< " + "\n".join(entry) + " >>"
        return numbers

    top = place(marks, root)
    objects[root] = (
        f"<< /Type /Outlines /First {top[0]} 0 R /Last {top[-1]} 0 R /Count {len(top)} >>"
    )
    return objects


# --- text maps ---------------------------------------------------------------------------

# Qt writes a glyph's text as whichever character the font maps to it first: ligatures
# (U+FB01 "ﬁ"), Arabic presentation forms and Kangxi radicals (U+2F08 "⼈" for 人). Copying
# or searching such text fails, so those targets are rewritten to the plain characters.
_COMPATIBILITY = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\ufb00-\ufdff\ufe70-\ufeff]")
_RANGE_ENTRY = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]*>)")
_HEX = re.compile(r"<([0-9A-Fa-f]*)>")


def plain_to_unicode(pdf: PdfFile, radicals: Radicals) -> dict[int, str]:
    """Replacement ToUnicode streams for the fonts whose text maps to compatibility forms."""
    objects: dict[int, str] = {}
    for ref in sorted(set(re.findall(rb"/ToUnicode\s+(\d+)\s+0\s+R", pdf.data))):
        cmap = pdf.stream(int(ref)).decode("latin-1").rstrip("\r\n")
        fixed = _RANGE_ENTRY.sub(lambda m: _plain_range(m, radicals), cmap)
        fixed = re.sub(
            r"beginbfchar(.*?)endbfchar", lambda m: _plain_chars(m, radicals), fixed, flags=re.S
        )
        if fixed != cmap:
            objects[int(ref)] = f"<< /Length {len(fixed)} >>\nstream\n{fixed}\nendstream"
    return objects


def _plain_range(match: re.Match[str], radicals: Radicals) -> str:
    """One bfrange entry with plain targets (a single target counts up: spell each out)."""
    first, last, target = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
    if target.startswith("<"):
        start = _HEX.fullmatch(target)
        if start is None or not _COMPATIBILITY.search(_decode_hex(start.group(1))):
            return match.group(0)
        code = int(start.group(1), 16)
        target = "[" + " ".join(f"<{code + n:04X}>" for n in range(last - first + 1)) + "]"
    plain = _HEX.sub(lambda m: f"<{_plain_hex(m.group(1), radicals)}>", target)
    return f"<{match.group(1)}> <{match.group(2)}> {plain}"


def _plain_chars(match: re.Match[str], radicals: Radicals) -> str:
    entries = re.sub(
        r"(<[0-9A-Fa-f]+>\s*)<([0-9A-Fa-f]*)>",
        lambda m: f"{m.group(1)}<{_plain_hex(m.group(2), radicals)}>",
        match.group(1),
    )
    return f"beginbfchar{entries}endbfchar"


def radical_ideographs(fonts: Iterable[Callable[[str], Sequence[int]]]) -> dict[str, str]:
    """CJK radicals that fonts draw with an ideograph's glyph (⺠ -> 民), first font first.

    Each font is given as its glyph lookup (text -> glyph indexes, 0 for a missing glyph).
    """
    radicals = "".join(chr(code) for code in range(0x2E80, 0x2FE0))
    ideographs = "".join(chr(code) for code in range(0x4E00, 0xA000))
    found: dict[str, str] = {}
    for glyph_indexes in fonts:
        by_glyph: dict[int, str] = {}
        for char, glyph in zip(ideographs, glyph_indexes(ideographs), strict=True):
            by_glyph.setdefault(glyph, char)
        for char, glyph in zip(radicals, glyph_indexes(radicals), strict=True):
            if glyph and glyph in by_glyph:
                found.setdefault(char, by_glyph[glyph])
    return found


def _decode_hex(code: str) -> str:
    return bytes.fromhex(code).decode("utf-16-be", errors="replace")


def _plain_hex(code: str, radicals: Radicals) -> str:
    text = _decode_hex(code)
    if not _COMPATIBILITY.search(text):
        return code
    ideographs = radicals()  # asked only here: it may scan every installed CJK font
    text = "".join(ideographs.get(ch, ch) for ch in text)
    return unicodedata.normalize("NFKC", text).encode("utf-16-be").hex().upper()


# --- the update --------------------------------------------------------------------------


def add_update(
    data: bytes,
    *,
    info: Sequence[str],
    language: str,
    marks: list[Mark],
    height: float,
    radicals: Radicals,
) -> bytes:
    """Append the outline, the document information and the language to Qt's PDF.

    ``info`` holds the information dictionary's entries and ``height`` is the page height
    in points. Raises ValueError, KeyError or IndexError if the file is not laid out as
    QPdfWriter writes it.
    """
    pdf = PdfFile(data)
    root = pdf.ref("Root")
    catalog = pdf.dictionary(root).decode("latin-1")
    catalog = re.sub(r"/(Outlines|PageMode|Lang)\s+(\d+\s+0\s+R|/\w+|\([^)]*\))", "", catalog)
    objects = plain_to_unicode(pdf, radicals)
    objects[pdf.ref("Info")] = "<< " + "\n".join(info) + " >>"
    if language:
        catalog += f" /Lang {pdf_text(language)}"
    if marks:
        first = pdf.size()
        objects.update(outline_objects(marks, first, pdf.page_ids(), height))
        catalog += f" /Outlines {first} 0 R /PageMode /UseOutlines"
    objects[root] = f"<<{catalog} >>"
    return pdf.append(objects)


# --- checking ----------------------------------------------------------------------------

_STREAM = re.compile(rb">>\s*stream\r?\n")
_SETS_FONT = re.compile(rb"/[^\s/\[\]()<>{}%]+\s+[-+\d.]+\s+Tf\b")
_SHOWS_TEXT = re.compile(rb"[)>\]]\s*(?:Tj|TJ|'|\")(?![A-Za-z])")


def pdf_has_text(data: bytes) -> bool:
    """Whether a PDF has a text layer: some content stream selects a font and shows text.

    Content streams are usually compressed, so FlateDecode streams are inflated first.
    """
    pos = 0
    while match := _STREAM.search(data, pos):
        header = data[data.rfind(b"obj", 0, match.start()) : match.start()]
        end = data.find(b"endstream", match.end())
        if end < 0:
            return False
        content = data[match.end() : end]
        pos = end
        if b"/FlateDecode" in header:
            try:
                content = zlib.decompressobj().decompress(content)  # ignores the trailing EOL
            except zlib.error:
                continue
        if _SETS_FONT.search(content) and _SHOWS_TEXT.search(content):
            return True
    return False
