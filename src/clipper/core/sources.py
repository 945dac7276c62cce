"""What comes in before extraction: downloaded bytes, files, pastes and saved pages.

A ``RawDocument`` keeps the original bytes, so a clip can be extracted again later
with a better extractor; ``html_of`` and ``text_of`` decode it when needed.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from clipper.core.encoding import decode_html, decode_text
from clipper.core.errors import SourceError

HTML = "text/html"
TEXT = "text/plain"
MARKDOWN = "text/markdown"
MHTML = "multipart/related"

MAX_FILE_BYTES = 50 * 1024 * 1024

_EXTENSIONS = {
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".mhtml": MHTML,
    ".mht": MHTML,
    ".txt": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
}

# Other names servers and browsers use for the four kinds we handle.
_TYPE_ALIASES = {
    "application/xhtml+xml": HTML,
    "text/x-markdown": MARKDOWN,
    "message/rfc822": MHTML,
    "application/x-mimearchive": MHTML,
    "multipart/related": MHTML,
}

# Chrome, Firefox and old IE mark saved pages with the address they came from.
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.IGNORECASE)
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b", re.DOTALL
)
_HTML_TAGS = re.compile(rb"<(?:head|body|title|meta|p|div)\b", re.IGNORECASE)


@dataclass
class RawDocument:
    """A page or text as it came in, before extraction."""

    body: bytes  # the original bytes, kept so clips can be re-extracted later
    content_type: str  # HTML, TEXT, MARKDOWN or MHTML
    url: str | None  # final URL, MHTML Content-Location, paste's source URL; None if unknown
    charset: str | None = None  # declared charset if known
    origin: str = "url"  # "url" | "file" | "paste"
    name: str | None = None  # file name for files (a fallback title for text clips)


def document_from_bytes(
    body: bytes,
    content_type: str,
    url: str | None = None,
    charset: str | None = None,
    origin: str = "url",
    name: str | None = None,
) -> RawDocument:
    """A RawDocument for bytes of a known content type (parameters like charset allowed).

    Saved pages carry their own address: the MHTML Content-Location, or the
    ``<!-- saved from url=... -->`` comment; either is used when ``url`` is None.
    """
    kind, declared = _split_content_type(content_type, body)
    charset = charset or declared
    if url is None and kind == MHTML:
        url = parse_mhtml(body)[2]
    elif url is None and kind == HTML:
        url = saved_from_url(body)
    return RawDocument(body, kind, url, charset, origin, name)


def document_from_paste(html: str, url: str | None = None) -> RawDocument:
    """A RawDocument for an HTML string pasted or dropped into the window."""
    return RawDocument(html.encode("utf-8"), HTML, url, "utf-8", "paste")


def document_from_text(text: str, url: str | None = None) -> RawDocument:
    """A RawDocument for pasted plain text."""
    return RawDocument(text.encode("utf-8"), TEXT, url, "utf-8", "paste")


def load_file(path: str | os.PathLike[str]) -> RawDocument:
    """Read a saved page or text file; raise SourceError with a plain reason if we can't."""
    file = Path(path)
    body = _read_capped(file)
    kind = _EXTENSIONS.get(file.suffix.lower())
    if kind is None:
        if not looks_like_html(body):
            raise SourceError(
                "Clipper can clip web pages (.html, .mhtml) and text (.txt, .md); "
                f"{file.name} is not one of them."
            )
        kind = HTML
    return document_from_bytes(body, kind, origin="file", name=file.name)


def looks_like_html(body: bytes) -> bool:
    """Whether bytes of an unknown file look like a web page."""
    start = body[:2048].removeprefix(b"\xef\xbb\xbf")
    if _HTML_START.match(start.lower()):
        return True
    return len(_HTML_TAGS.findall(start)) >= 3


def _read_capped(file: Path) -> bytes:
    try:
        if file.is_dir():
            raise SourceError(f"{file} is a folder, not a file.")
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(_too_large(file, size))
        with file.open("rb") as handle:
            # Read one byte past the cap: the file may have grown since stat().
            body = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SourceError(f"{file} does not exist.") from None
    except PermissionError:
        raise SourceError(f"Clipper is not allowed to read {file}.") from None
    except OSError as err:
        raise SourceError(f"{file} could not be read: {err.strerror or err}.") from None
    if len(body) > MAX_FILE_BYTES:
        raise SourceError(_too_large(file, len(body)))
    return body


def _too_large(file: Path, size: int) -> str:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    return f"{file} is too large to clip ({size / 1024 / 1024:.0f} MB; the limit is {limit} MB)."


def file_url_to_path(url: str) -> Path | None:
    """The local path of a ``file:`` URL (percent-escapes decoded); None for other URLs."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        return None
    path = unquote(parts.path)
    host = parts.netloc if parts.netloc.lower() != "localhost" else ""
    if sys.platform == "win32":
        if host:
            return Path(f"//{host}{path}")  # a UNC share
        # file:///C:/x -> /C:/x: drop the slash before the drive letter.
        return Path(path[1:] if re.match(r"^/[A-Za-z]:", path) else path)
    return None if host else Path(path)


def saved_from_url(body: bytes) -> str | None:
    """The address in a browser's ``<!-- saved from url=(N)... -->`` mark, if any."""
    match = _SAVED_FROM.search(body[:4096])
    if match is None:
        return None
    url = match.group(1).decode("ascii", errors="replace")
    return url if url.lower().startswith(("http://", "https://")) else None


def parse_mhtml(data: bytes) -> tuple[bytes, str | None, str | None]:
    """The page inside an MHTML archive: (html bytes, its charset, its Content-Location).

    The page is the part the archive names as its root (RFC 2387 ``start`` or the
    ``Snapshot-Content-Location`` header Chrome writes), else the first HTML part.
    """
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    if not message.is_multipart():
        raise SourceError("This MHTML file is damaged: it has no parts.")
    part = _mhtml_root(message)
    if part is None:
        raise SourceError("This MHTML file has no web page in it.")
    payload = part.get_payload(decode=True)
    html = payload if isinstance(payload, bytes) else b""
    location = part.get("Content-Location") or message.get("Snapshot-Content-Location")
    return html, part.get_content_charset(), _clean_location(location)


def _mhtml_root(message: email.message.Message) -> email.message.Message | None:
    parts = [p for p in message.walk() if not p.is_multipart()]
    start = message.get_param("start")
    snapshot = message.get("Snapshot-Content-Location")
    for part in parts:
        if isinstance(start, str) and part.get("Content-ID", "").strip() == start.strip():
            return part
    for part in parts:
        if snapshot and part.get("Content-Location") == snapshot and _is_html(part):
            return part
    return next((p for p in parts if _is_html(p)), None)


def _is_html(part: email.message.Message) -> bool:
    return part.get_content_type() in (HTML, "application/xhtml+xml")


def _clean_location(location: str | None) -> str | None:
    if not location:
        return None
    location = "".join(location.split())  # header folding may have split a long URL
    return location if location.lower().startswith(("http://", "https://", "file:")) else None


def html_of(doc: RawDocument) -> str:
    """The decoded HTML of an HTML or MHTML document."""
    if doc.content_type == MHTML:
        html, charset, _ = parse_mhtml(doc.body)
        return decode_html(html, charset or doc.charset)[0]
    if doc.content_type == HTML:
        return decode_html(doc.body, doc.charset)[0]
    raise ValueError(f"html_of() needs a web page, not {doc.content_type}")


def text_of(doc: RawDocument) -> str:
    """The decoded text of a plain-text or Markdown document."""
    if doc.content_type not in (TEXT, MARKDOWN):
        raise ValueError(f"text_of() needs a text document, not {doc.content_type}")
    return decode_text(doc.body, doc.charset)


def _split_content_type(content_type: str, body: bytes) -> tuple[str, str | None]:
    """(kind, charset parameter) of a Content-Type value; SourceError if we can't clip it.

    A missing or generic type is sniffed: servers send web pages as octet-stream too.
    """
    kind, _, params = content_type.partition(";")
    kind = kind.strip().lower()
    kind = _TYPE_ALIASES.get(kind, kind)
    if kind in ("", "application/octet-stream", "unknown/unknown") and looks_like_html(body):
        kind = HTML
    if kind not in (HTML, TEXT, MARKDOWN, MHTML):
        raise SourceError(f"Clipper can clip web pages and text, not {kind or 'this'} content.")
    match = re.search(r"""charset\s*=\s*["']?([^"';\s]+)""", params, re.IGNORECASE)
    return kind, match.group(1) if match else None
