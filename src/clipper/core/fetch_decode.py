"""The body of a reply: bounded decompression and a check that it really is a web page.

Decompressors hand back one bounded piece at a time, so a compression bomb is stopped at
the size cap. The declared Content-Type and the first bytes of the body (magic numbers,
HTML openers) decide whether the page is one Clipper can use; the ``NotHTML`` message says
in plain words what the link is instead.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, Protocol

import brotli

from clipper.core.errors import FetchError, NotHTML, TooLarge
from clipper.core.fetch_io import CHUNK

__all__ = [
    "ACCEPT_ENCODING",
    "SNIFF_BYTES",
    "Decoder",
    "check_body_start",
    "check_declared_type",
    "decoder_for",
    "too_large",
]


def _brotli_is_bounded() -> bool:
    # Only brotli >= 1.2 can cap each output piece; without that a brotli bomb could fill
    # memory, so older versions are simply not offered to servers.
    try:
        brotli.Decompressor().process(b"", output_buffer_limit=1)
    except TypeError:
        return False
    return True


_BROTLI = _brotli_is_bounded()
ACCEPT_ENCODING = "gzip, deflate, br" if _BROTLI else "gzip, deflate"

# How much of the page to look at before deciding what it really is.
SNIFF_BYTES = 512

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
# Servers send these for anything; only the body can tell whether it is a page.
_SNIFF_TYPES = frozenset({"", "application/octet-stream"})

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/x-rar"),
)

_ARCHIVE_TYPES = frozenset(
    {
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-gtar",
        "application/x-7z-compressed",
        "application/x-rar",
        "application/x-rar-compressed",
        "application/vnd.rar",
        "application/x-bzip2",
        "application/x-xz",
        "application/zstd",
    }
)
_TYPE_WORDS = {
    "application/pdf": "a PDF document",
    "application/json": "JSON data",
    "application/xml": "an XML document",
    "text/xml": "an XML document",
    "application/rss+xml": "a news feed",
    "application/atom+xml": "a news feed",
    "text/css": "a style sheet",
    "text/javascript": "a script",
    "application/javascript": "a script",
    "text/csv": "a spreadsheet (CSV)",
    "application/msword": "a Word document",
    "application/epub+zip": "an e-book",
    "application/octet-stream": "a file of unknown type",
    "": "a file of unknown type",
}
_TYPE_PREFIX_WORDS = {
    "image/": "an image",
    "audio/": "an audio file",
    "video/": "a video",
    "font/": "a font",
    "application/vnd.openxmlformats-officedocument.": "an office document",
    "application/vnd.oasis.opendocument.": "an office document",
    "application/vnd.ms-": "an office document",
}

# Tags that, at the very start of a body, mark it as HTML (after the WHATWG sniffing rules).
_HTML_OPENERS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<title",
    b"<style",
    b"<meta",
    b"<link",
    b"<table",
    b"<div",
    b"<font",
    b"<h1",
    b"<br",
    b"<p",
    b"<a",
    b"<b",
)


def too_large(max_bytes: int) -> TooLarge:
    return TooLarge(f"The page is larger than {_size_words(max_bytes)}; Clipper stops there.")


def _size_words(n: int) -> str:
    mib = 1024 * 1024
    if n >= mib:
        return f"{round(n / mib, 1):g} MB"
    if n >= 1024:
        return f"{round(n / 1024)} KB"
    return f"{n} bytes"


def check_declared_type(media_type: str) -> None:
    """Raise NotHTML when the Content-Type alone shows the body is not a web page."""
    if media_type not in _HTML_TYPES | _TEXT_TYPES | _SNIFF_TYPES:
        raise NotHTML(_not_html_message(media_type))


def check_body_start(media_type: str, head: bytes) -> None:
    real_type = _magic_type(head)
    if real_type is not None:
        raise NotHTML(_not_html_message(real_type))
    if _looks_binary(head):
        raise NotHTML("This link is binary data, not a web page (the site called it a page).")
    if media_type in _SNIFF_TYPES and not _looks_like_html(head):
        raise NotHTML(_not_html_message(media_type))


# Control bytes that never appear in text (tab, newlines, form feed and escape do).
_BINARY_BYTES = bytes(set(range(32)) - {9, 10, 12, 13, 27})


def _looks_binary(head: bytes) -> bool:
    """Many control bytes in the first kilobytes: binary data, whatever the label says.

    UTF-16 text has NUL bytes too, so a page that starts with a UTF-16 BOM is never binary.
    """
    if len(head) < 64 or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    sample = head[:4096]
    controls = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    return controls > len(sample) // 20


def _magic_type(head: bytes) -> str | None:
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    return None


def _looks_like_html(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c").lower()
    if text.startswith(b"<!--"):
        return True
    for opener in _HTML_OPENERS:
        if text.startswith(opener):
            after = text[len(opener) : len(opener) + 1]
            # "<b" must be a whole tag name, so "<bogus" does not count.
            if after in (b" ", b">", b"\t", b"\n", b"\r", b"\x0c", b"/"):
                return True
    return False


def _not_html_message(media_type: str) -> str:
    words = _type_words(media_type)
    if words is None:
        return f"This link is {media_type}, not a web page."
    if not media_type:
        return f"This link is {words}, not a web page."
    return f"This link is {words} ({media_type}), not a web page."


def _type_words(media_type: str) -> str | None:
    if media_type in _TYPE_WORDS:
        return _TYPE_WORDS[media_type]
    if media_type in _ARCHIVE_TYPES or media_type.endswith("+zip"):
        return "an archive"
    if media_type.endswith("+json"):
        return "JSON data"
    for prefix, words in _TYPE_PREFIX_WORDS.items():
        if media_type.startswith(prefix):
            return words
    return None


# --- decompression ------------------------------------------------------------------------


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


def decoder_for(content_encoding: str | None) -> Decoder:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Identity()
    if codings == ["gzip"] or codings == ["x-gzip"]:
        return _Zlib("gzip", 16 + zlib.MAX_WBITS)
    if codings == ["deflate"]:
        return _Deflate()
    if codings == ["br"] and _BROTLI:
        return _Brotli()
    raise FetchError(
        f"The site compressed the page in a way Clipper cannot read ({', '.join(codings)})."
    )


def _damaged(coding: str) -> FetchError:
    return FetchError(f"The site sent a damaged compressed page ({coding}).")


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        yield data

    def finish(self) -> Iterator[bytes]:
        yield from ()


class _Zlib:
    def __init__(self, coding: str, wbits: int) -> None:
        self._coding = coding
        self._inflater = zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        inflater = self._inflater
        try:
            # Anything after the end of the stream (a second gzip member, junk) is ignored.
            yield inflater.decompress(data, CHUNK)
            while inflater.unconsumed_tail and not inflater.eof:
                yield inflater.decompress(inflater.unconsumed_tail, CHUNK)
        except zlib.error:
            raise _damaged(self._coding) from None

    def finish(self) -> Iterator[bytes]:
        try:
            # Only a few KB can be left once every input byte has been consumed.
            yield self._inflater.flush()
        except zlib.error:
            raise _damaged(self._coding) from None


class _Deflate:
    """HTTP "deflate" is meant to be zlib-wrapped, but some servers send raw deflate."""

    def __init__(self) -> None:
        self._pending = b""
        self._inner: _Zlib | None = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inner is None:
            self._pending += data
            if len(self._pending) < 2:
                return
            data, self._pending = self._pending, b""
            self._inner = _Zlib("deflate", zlib.MAX_WBITS if _is_zlib_header(data) else -15)
        yield from self._inner.feed(data)

    def finish(self) -> Iterator[bytes]:
        if self._inner is None:
            if not self._pending:
                return
            self._inner = _Zlib("deflate", -15)
            yield from self._inner.feed(self._pending)
        yield from self._inner.finish()


def _is_zlib_header(data: bytes) -> bool:
    return data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


class _Brotli:
    def __init__(self) -> None:
        self._decompressor: Any = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        decompressor = self._decompressor
        if decompressor.is_finished():
            return  # junk after the end of the stream
        try:
            # output_buffer_limit bounds each piece; keep asking until the decoder needs input.
            yield decompressor.process(data, output_buffer_limit=CHUNK)
            while not decompressor.is_finished():
                piece = decompressor.process(b"", output_buffer_limit=CHUNK)
                if not piece:
                    break
                yield piece
        except brotli.error:
            raise _damaged("br") from None

    def finish(self) -> Iterator[bytes]:
        yield from ()
