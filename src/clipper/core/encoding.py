"""Bytes -> text for web pages and text files, the way a browser would decode them.

The order for HTML follows the WHATWG encoding sniffing algorithm in spirit: a byte
order mark, then the charset the server declared, then a ``<meta>`` charset near the
top of the page, then a guess. Labels are mapped the WHATWG way where it changes the
result (a page that says ``iso-8859-1`` is decoded as windows-1252, as browsers do).
Nothing here raises on bad bytes: undecodable bytes become U+FFFD.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# How far into a page a <meta charset> is looked for (WHATWG prescans 1024 bytes;
# real pages put long <script> blocks first often enough that 4 KB pays off).
META_SCAN_BYTES = 4096

# Detection is slow on large inputs and a sample decides as well as the whole.
DETECT_SAMPLE_BYTES = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG label -> encoding mappings that differ from Python's codecs.
_WHATWG_ALIASES = {
    **dict.fromkeys(
        ("ascii", "us-ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin-1", "latin1", "l1"),
        "cp1252",
    ),
    **dict.fromkeys(("cp819", "ibm819", "windows-1252", "x-cp1252"), "cp1252"),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "latin5", "l5"), "cp1254"),
    **dict.fromkeys(("iso-8859-11", "tis-620", "windows-874"), "cp874"),
    **dict.fromkeys(
        ("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j"),
        "cp932",
    ),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "ksc5601", "windows-949"), "cp949"),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "gb_2312-80", "chinese", "csgb2312"), "gb18030"),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "x-x-big5"), "big5hkscs"),
    "x-user-defined": "cp1252",
}

# UTF-7 can smuggle markup past filters, so browsers refuse it; so do we.
_REFUSED = {"utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7"}

_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_META = re.compile(rb"<meta\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(rb"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def normalize_charset(label: str | None) -> str | None:
    """The Python codec for a charset label, or None if it is unknown or refused.

    Returns the codec's canonical name (``"utf-8"``, ``"cp1252"``, ``"cp932"``, ...).
    """
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if not name or name in _REFUSED:
        return None
    name = _WHATWG_ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name)
        # lookup() also finds bytes-to-bytes codecs (base64, rot13, zlib): refuse those.
        b"x".decode(codec.name, errors="replace")
    except LookupError:
        return None
    return codec.name


def decode_html(body: bytes, charset: str | None = None) -> tuple[str, str]:
    """Decode a web page; return (text, codec name used).

    Order: byte order mark, then ``charset`` (the HTTP Content-Type parameter), then a
    ``<meta>`` declaration in the first few KB, then a guess, then UTF-8 with
    replacement characters. A BOM wins over any declaration, as in browsers.
    """
    encoding = (
        _bom_encoding(body)
        or normalize_charset(charset)
        or _meta_charset(body)
        or _guess_encoding(body)
    )
    return repair_double_encoding(_decode(body, encoding)), encoding


# The bytes 0x80-0xBF as Latin-1 or Windows-1252 show them: a UTF-8 continuation byte.
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")  # € and the like
_CONTINUATION = f"[\u0080-\u00bf{_CP1252_HIGH}]"
# A UTF-8 character whose bytes were read one by one as Latin-1 or Windows-1252:
# "â€™" for a right single quote, "Ã©" for "é".
_MISREAD_UTF8 = re.compile(
    f"[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}"
    f"|[\u00f0-\u00f4]{_CONTINUATION}{{3}}"
)
# "Ã©" and the like (Latin letters), "Â " (no-break space), "â€" and "â\x80" (quotes, dashes):
# single characters, which str.count finds several times faster than pairs.
_COMMON_LEADS = ("\u00c3", "\u00c2", "\u00e2")
# Fewer misread characters than this are left alone: text may show an "Â©" on purpose.
MISREAD_MIN = 3


def repair_double_encoding(text: str, minimum: int = MISREAD_MIN) -> str:
    """A page whose UTF-8 was once decoded as Latin-1 and saved again, read as written.

    Pages passed through a tool that got the encoding wrong carry "donâ€™t" where the
    author wrote "don't", in their text and titles alike. Each such run of characters
    is turned back into the bytes it was read from and decoded as UTF-8; runs that do
    not decode, and texts with fewer than ``minimum`` of them, are left as they are.
    """
    # Nearly every misread character starts with one of these; counting them is quick.
    if minimum > 1 and sum(text.count(lead) for lead in _COMMON_LEADS) < minimum:
        return text
    if len(_MISREAD_UTF8.findall(text)) < minimum:
        return text
    return _MISREAD_UTF8.sub(_reread, text)


def _reread(match: re.Match[str]) -> str:
    chars = match.group()
    try:
        raw = bytes(ord(c) if ord(c) < 256 else c.encode("cp1252")[0] for c in chars)
        return raw.decode("utf-8")
    except UnicodeError:
        return chars


def decode_text(body: bytes, charset: str | None = None) -> str:
    """Decode a plain-text or Markdown file: BOM, declared charset, UTF-8, then a guess."""
    encoding = _bom_encoding(body) or normalize_charset(charset) or _guess_encoding(body)
    return _decode(body, encoding)


def _decode(body: bytes, encoding: str) -> str:
    text = body.decode(encoding, errors="replace")
    # The BOM is a marker, not content (utf-16 codecs with explicit endianness keep it).
    return text.removeprefix("\ufeff")


def _bom_encoding(body: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return encoding
    return None


def _meta_charset(body: bytes) -> str | None:
    """The charset a ``<meta>`` tag declares near the top of the page, if any."""
    head = _COMMENT.sub(b"", body[:META_SCAN_BYTES])
    for match in _META.finditer(head):
        attrs = _meta_attributes(match.group(1))
        label = attrs.get(b"charset")
        if label is None and attrs.get(b"http-equiv", b"").lower() == b"content-type":
            param = _CHARSET_PARAM.search(attrs.get(b"content", b""))
            label = param.group(1) if param else None
        if label:
            encoding = normalize_charset(label.decode("ascii", errors="replace"))
            if encoding:
                return _meta_override(encoding)
    return None


def _meta_attributes(raw: bytes) -> dict[bytes, bytes]:
    attrs: dict[bytes, bytes] = {}
    for match in _ATTR.finditer(raw):
        value = next((v for v in match.groups()[1:] if v is not None), b"")
        attrs.setdefault(match.group(1).lower(), value.strip())
    return attrs


def _meta_override(encoding: str) -> str:
    # A page whose <meta> we could read as ASCII is not UTF-16, whatever it says (WHATWG).
    if encoding.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return encoding


def _guess_encoding(body: bytes) -> str:
    """UTF-8 if the bytes are valid UTF-8, else charset_normalizer's guess, else UTF-8."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Valid UTF-8 with any non-ASCII byte is almost never another encoding, and
        # detectors misjudge short UTF-8 texts; this check is also much faster.
        return "utf-8"
    best = from_bytes(body[:DETECT_SAMPLE_BYTES]).best()
    guessed = normalize_charset(best.encoding) if best is not None else None
    return guessed or "utf-8"
