"""Download a web page: a small HTTP client with hard limits.

Every fetch has one overall deadline (DNS, connect, TLS, each redirect and the whole body),
a size cap on both the bytes on the wire and the decompressed page, and a cancel token
that another thread may trip at any moment. All waits are short slices that re-check the
deadline and the token, so neither a silent server nor a trickling one can hold a fetch.

http.client does the HTTP parsing; we hand it a socket wrapper whose reads never block for
longer than one slice, because a plain socket timeout cannot be retried through
``socket.makefile`` once it has fired.
"""

from __future__ import annotations

import errno
import http.client
import io
import logging
import os
import selectors
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urljoin, urlsplit

import brotli

from clipper.core.errors import FetchCancelled, FetchError, FetchTimeout, NotHTML, TooLarge

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "CancelToken",
    "Response",
    "fetch",
    "is_http_url",
]

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 10
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"

_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.7"
_ACCEPT_LANGUAGE = "en-US,en;q=0.9"


def _brotli_is_bounded() -> bool:
    # Only brotli >= 1.2 can cap each output piece; without that a brotli bomb could fill
    # memory, so older versions are simply not offered to servers.
    try:
        brotli.Decompressor().process(b"", output_buffer_limit=1)
    except TypeError:
        return False
    return True


_BROTLI = _brotli_is_bounded()
_ACCEPT_ENCODING = "gzip, deflate, br" if _BROTLI else "gzip, deflate"

# Longest single wait: how late a cancel or the deadline can be noticed.
_SLICE = 0.25
# Read size from the socket and largest piece a decompressor may hand back at once.
_CHUNK = 64 * 1024
# How much of the page to look at before deciding what it really is.
_SNIFF_BYTES = 512
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Characters left as they are in a request target; everything else is percent-encoded.
_TARGET_SAFE = "!$%&'()*+,/:;=?@[]~"
_CONNECT_IN_PROGRESS = frozenset(
    {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, getattr(errno, "WSAEWOULDBLOCK", -1)}
)

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

logger = logging.getLogger(__name__)


class CancelToken:
    """A flag one thread raises to stop a fetch running in another."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask every fetch holding this token to stop as soon as it can."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel() has been called."""
        return self._event.is_set()


@dataclass(frozen=True)
class Response:
    """A downloaded page, body already decompressed."""

    url: str
    requested_url: str
    status: int
    content_type: str
    charset: str | None
    headers: dict[str, str]
    body: bytes


def is_http_url(text: str) -> bool:
    """Whether text (surrounding whitespace ignored) is an absolute http(s) URL with a host."""
    candidate = text.strip()
    if not candidate or any(ch.isspace() or ord(ch) < 32 for ch in candidate):
        return False
    try:
        parts = urlsplit(candidate)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    cancel: CancelToken | None = None,
    extra_headers: dict[str, str] | None = None,
    auth_for: Callable[[str], dict[str, str]] | None = None,
) -> Response:
    """Download url, following redirects, and return the page.

    Raises FetchTimeout once ``timeout`` seconds have passed in total, FetchCancelled when
    ``cancel`` is tripped, TooLarge past ``max_bytes``, NotHTML for files that are not web
    pages, and FetchError for everything else that goes wrong. ``extra_headers`` go with
    every request; ``auth_for(url)`` is asked for each hop and its headers go to that hop only.
    """
    requested = url.strip()
    clock = _Clock(timeout, cancel, requested)
    current = requested
    seen: set[str] = set()
    while True:
        target = _parse_target(current)
        clock.remaining()  # a cancelled or expired fetch makes no new request
        seen.add(current)
        headers = _hop_headers(target, current, extra_headers, auth_for)
        with _network_errors(target.host, clock), _exchange(target, headers, clock) as reply:
            logger.debug("GET %s -> HTTP %d", current, reply.status)
            location = _redirect_location(reply, current)
            if location is None:
                return _final_response(reply, requested, current, max_bytes)
        current = _next_hop(location, seen, requested)


class _Clock:
    """The deadline and cancel token of one fetch; every wait asks it how long it may be."""

    def __init__(self, timeout: float, cancel: CancelToken | None, url: str) -> None:
        self._timeout = timeout
        self._end = time.monotonic() + timeout
        self._cancel = cancel
        self._url = url

    def remaining(self) -> float:
        """Seconds left; raises once the fetch is cancelled or out of time."""
        if self._cancel is not None and self._cancel.cancelled:
            raise FetchCancelled(f"The download was cancelled: {_shown(self._url)}")
        left = self._end - time.monotonic()
        if left <= 0:
            raise self.timed_out()
        return left

    def slice(self) -> float:
        """How long the next single wait may last."""
        return min(self.remaining(), _SLICE)

    def timed_out(self) -> FetchTimeout:
        """The error for a fetch that ran out of time."""
        return FetchTimeout(
            f"The page did not arrive within {self._timeout:g} seconds: {_shown(self._url)}"
        )


@dataclass(frozen=True)
class _Target:
    tls: bool
    host: str  # ASCII (IDNA) form, no brackets: what DNS and TLS want
    port: int
    host_header: str
    path: str  # request target: path and query, percent-encoded, no fragment


def _parse_target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        explicit_port = parts.port
    except ValueError:
        raise FetchError(f"This link is not valid: {_shown(url)}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"Only http and https links can be clipped: {_shown(url)}")
    if not parts.hostname:
        raise FetchError(f"This link has no site name in it: {_shown(url)}")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError(f"This link has a site name Clipper cannot use: {_shown(url)}") from None
    tls = parts.scheme == "https"
    default_port = 443 if tls else 80
    port = explicit_port or default_port
    bracketed = f"[{host}]" if ":" in host else host
    host_header = bracketed if port == default_port else f"{bracketed}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(tls, host, port, host_header, quote(path, safe=_TARGET_SAFE))


def _hop_headers(
    target: _Target,
    url: str,
    extra_headers: dict[str, str] | None,
    auth_for: Callable[[str], dict[str, str]] | None,
) -> dict[str, str]:
    defaults = {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept": _ACCEPT,
        "Accept-Language": _ACCEPT_LANGUAGE,
        "Accept-Encoding": _ACCEPT_ENCODING,
        "Connection": "close",
    }
    # Later sources win, whatever the case of their header names.
    merged: dict[str, tuple[str, str]] = {}
    for source in (defaults, extra_headers or {}, auth_for(url) if auth_for else {}):
        for name, value in source.items():
            merged[name.lower()] = (name, value)
    return dict(merged.values())


def _next_hop(location: str, seen: set[str], requested: str) -> str:
    scheme = urlsplit(location).scheme
    if scheme not in ("http", "https"):
        raise FetchError(
            f"The site redirected to a link Clipper will not follow: {_shown(location, 80)}"
        )
    if location in seen:
        raise FetchError(
            f"Too many redirects: the site sends the link round in a circle: {_shown(requested)}"
        )
    if len(seen) > MAX_REDIRECTS:
        raise FetchError(f"Too many redirects (more than {MAX_REDIRECTS}) from {_shown(requested)}")
    return location


def _redirect_location(reply: http.client.HTTPResponse, url: str) -> str | None:
    if reply.status not in _REDIRECT_STATUSES:
        return None
    location = reply.headers.get("location")
    if not location or not location.strip():
        raise FetchError(
            f"The site redirected without saying where to (HTTP {reply.status}): {_shown(url)}"
        )
    return urljoin(url, _header_text(location.strip()))


def _header_text(value: str) -> str:
    # http.client decodes header bytes as Latin-1; most servers really send UTF-8.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _final_response(
    reply: http.client.HTTPResponse, requested: str, url: str, max_bytes: int
) -> Response:
    _check_status(reply.status, url)
    media_type, charset = _parse_content_type(reply.headers.get("content-type"))
    if media_type not in _HTML_TYPES | _TEXT_TYPES | _SNIFF_TYPES:
        raise NotHTML(_not_html_message(media_type))
    if reply.length is not None and reply.length > max_bytes:
        raise _too_large(max_bytes)
    decoder = _decoder_for(reply.headers.get("content-encoding"))
    body = _read_body(reply, decoder, media_type, max_bytes)
    return Response(
        url=url,
        requested_url=requested,
        status=reply.status,
        content_type=media_type,
        charset=charset,
        headers=_header_dict(reply),
        body=body,
    )


def _check_status(status: int, url: str) -> None:
    shown = _shown(url)
    if 200 <= status < 300:
        return
    if status in (404, 410):
        raise FetchError(f"The site says the page was not found (HTTP {status}): {shown}")
    if status == 401:
        raise FetchError(f"The page needs a login (HTTP 401): {shown}")
    if status == 403:
        raise FetchError(f"The site refused access; the page may need a login (HTTP 403): {shown}")
    if status == 429:
        raise FetchError(f"The site says too many requests; try again later (HTTP 429): {shown}")
    if 400 <= status < 500:
        raise FetchError(f"The site refused the request (HTTP {status}): {shown}")
    if status >= 500:
        raise FetchError(f"The site had an error (HTTP {status}): {shown}")
    raise FetchError(f"The site answered with HTTP {status}, which Clipper cannot use: {shown}")


def _parse_content_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    media_type, *params = value.split(";")
    charset = None
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'").strip().lower() or None
    return media_type.strip().lower(), charset


def _header_dict(reply: http.client.HTTPResponse) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in reply.getheaders():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


# --- the body: streaming, size caps, decompression, sniffing --------------------------------


def _read_body(
    reply: http.client.HTTPResponse, decoder: _Decoder, media_type: str, max_bytes: int
) -> bytes:
    body = bytearray()
    raw_total = 0
    sniffed = False
    while chunk := _next_chunk(reply):
        raw_total += len(chunk)
        if raw_total > max_bytes:
            raise _too_large(max_bytes)
        _append_capped(body, decoder.feed(chunk), max_bytes)
        if not sniffed and len(body) >= _SNIFF_BYTES:
            _check_body_start(media_type, bytes(body[:_SNIFF_BYTES]))
            sniffed = True
    _append_capped(body, decoder.finish(), max_bytes)
    if not sniffed:
        _check_body_start(media_type, bytes(body[:_SNIFF_BYTES]))
    return bytes(body)


def _next_chunk(reply: http.client.HTTPResponse) -> bytes:
    try:
        return reply.read1(_CHUNK)
    except http.client.IncompleteRead:
        # The server closed the connection early (a short Content-Length or a cut chunked
        # body). Like a browser, keep what arrived rather than throw it away.
        logger.debug("Body ended early; keeping what arrived")
        return b""


def _append_capped(body: bytearray, pieces: Iterator[bytes], max_bytes: int) -> None:
    # Pieces come one bounded slice at a time, so a compression bomb is stopped before
    # it can allocate more than the cap plus one piece.
    for piece in pieces:
        if len(body) + len(piece) > max_bytes:
            raise _too_large(max_bytes)
        body += piece


def _too_large(max_bytes: int) -> TooLarge:
    return TooLarge(f"The page is larger than {_size_words(max_bytes)}; Clipper stops there.")


def _size_words(n: int) -> str:
    mib = 1024 * 1024
    if n >= mib:
        return f"{round(n / mib, 1):g} MB"
    if n >= 1024:
        return f"{round(n / 1024)} KB"
    return f"{n} bytes"


def _check_body_start(media_type: str, head: bytes) -> None:
    real_type = _magic_type(head)
    if real_type is not None:
        raise NotHTML(_not_html_message(real_type))
    if media_type in _SNIFF_TYPES and not _looks_like_html(head):
        raise NotHTML(_not_html_message(media_type))


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


class _Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


def _decoder_for(content_encoding: str | None) -> _Decoder:
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
            yield inflater.decompress(data, _CHUNK)
            while inflater.unconsumed_tail and not inflater.eof:
                yield inflater.decompress(inflater.unconsumed_tail, _CHUNK)
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
            yield decompressor.process(data, output_buffer_limit=_CHUNK)
            while not decompressor.is_finished():
                piece = decompressor.process(b"", output_buffer_limit=_CHUNK)
                if not piece:
                    break
                yield piece
        except brotli.error:
            raise _damaged("br") from None

    def finish(self) -> Iterator[bytes]:
        yield from ()


# --- connections --------------------------------------------------------------------------


@contextmanager
def _exchange(
    target: _Target, headers: dict[str, str], clock: _Clock
) -> Iterator[http.client.HTTPResponse]:
    """Connect, send one GET and yield the response; the socket is closed afterwards."""
    sock = _open_socket(target, clock)
    try:
        conn = http.client.HTTPConnection(target.host, target.port)
        conn.sock = _GuardedSocket(sock, clock)
        try:
            conn.request("GET", target.path, headers=headers)
        except ValueError:
            # Its message would quote the header value, which may be a password.
            raise FetchError("Clipper could not send the request: a header is not valid.") from None
        reply = conn.getresponse()
        try:
            yield reply
        finally:
            reply.close()
    finally:
        sock.close()


@contextmanager
def _network_errors(host: str, clock: _Clock) -> Iterator[None]:
    """Turn socket, TLS and protocol errors into one-line FetchErrors."""
    try:
        yield
    except http.client.RemoteDisconnected as exc:
        raise FetchError(f"{host} closed the connection without sending the page.") from exc
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or exc.reason or "verification failed"
        raise FetchError(f"The site's security certificate is not valid: {reason}") from exc
    except ssl.SSLError as exc:
        reason = (exc.reason or "handshake failed").replace("_", " ").lower()
        raise FetchError(f"Could not make a secure connection to {host}: {reason}") from exc
    except TimeoutError as exc:
        raise clock.timed_out() from exc
    except socket.gaierror as exc:
        raise FetchError(
            f"Could not connect to {host}: the site name was not found ({_os_reason(exc)})"
        ) from exc
    except ConnectionRefusedError as exc:
        raise FetchError(f"Could not connect to {host}: connection refused") from exc
    except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError) as exc:
        raise FetchError(f"The connection to {host} was reset before the page arrived.") from exc
    except OSError as exc:
        raise FetchError(f"Could not connect to {host}: {_os_reason(exc)}") from exc
    except http.client.HTTPException as exc:
        raise FetchError(f"{host} sent an answer Clipper could not understand.") from exc


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or "network error"
    return reason[:1].lower() + reason[1:]


def _open_socket(target: _Target, clock: _Clock) -> socket.socket:
    sock = _connect_any(_resolve(target.host, target.port, clock), clock)
    if not target.tls:
        return sock
    try:
        return _start_tls(sock, target.host, clock)
    except BaseException:
        sock.close()
        raise


_AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]


def _resolve(host: str, port: int, clock: _Clock) -> Sequence[_AddrInfo]:
    # getaddrinfo cannot be interrupted, so it runs on a throwaway daemon thread while we
    # keep watching the deadline and the cancel token.
    future: Future[Sequence[_AddrInfo]] = Future()

    def lookup() -> None:
        try:
            future.set_result(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except Exception as exc:
            future.set_exception(exc)

    threading.Thread(target=lookup, name="clipper-dns", daemon=True).start()
    while True:
        try:
            return future.result(timeout=clock.slice())
        except TimeoutError:
            continue


def _connect_any(infos: Sequence[_AddrInfo], clock: _Clock) -> socket.socket:
    last_error: OSError = OSError(errno.EHOSTUNREACH, "no address for the site")
    for family, kind, proto, _name, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            _connect(sock, address, clock)
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    raise last_error


def _connect(sock: socket.socket, address: Any, clock: _Clock) -> None:
    # A timed-out blocking connect cannot be resumed, so connect without blocking and
    # wait for the socket to become writable in short slices.
    sock.setblocking(False)
    err = sock.connect_ex(address)
    if err in _CONNECT_IN_PROGRESS:
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_WRITE)
            while not selector.select(clock.slice()):
                pass
        err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err:
        raise OSError(err, os.strerror(err))


def _start_tls(sock: socket.socket, host: str, clock: _Clock) -> ssl.SSLSocket:
    sock.settimeout(clock.slice())
    tls = _tls_context().wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
    try:
        while True:
            tls.settimeout(clock.slice())
            try:
                tls.do_handshake()
            except TimeoutError:
                continue  # nothing lost: OpenSSL resumes the handshake where it stopped
            return tls
    except BaseException:
        tls.close()
        raise


def _tls_context() -> ssl.SSLContext:
    # Built per fetch (a few ms) so a changed SSL_CERT_FILE or system store is honoured.
    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


class _GuardedSocket:
    """The socket http.client talks through: no wait ever outlasts one slice."""

    def __init__(self, sock: socket.socket, clock: _Clock) -> None:
        self._sock = sock
        self._clock = clock

    def sendall(self, data: bytes) -> None:
        """Send the request.

        A request is a few KB and the send buffer of a new connection is empty, so this
        does not block in practice; the remaining time still bounds it.
        """
        self._sock.settimeout(self._clock.remaining())
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb") -> io.BufferedReader:
        """A buffered reader whose every wait re-checks the deadline and the cancel token."""
        return io.BufferedReader(_GuardedReader(self._sock, self._clock), _CHUNK)

    def close(self) -> None:
        """Do nothing: fetch closes the real socket once the body has been read.

        http.client closes its connection as soon as the headers are in (we send
        "Connection: close"), while the response still reads from the socket.
        """


class _GuardedReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, clock: _Clock) -> None:
        super().__init__()
        self._sock = sock
        self._clock = clock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while True:
            self._sock.settimeout(self._clock.slice())
            try:
                return self._sock.recv_into(buffer)
            except TimeoutError:
                continue  # nothing was read; the next slice re-checks deadline and token


def _shown(url: str, limit: int = 200) -> str:
    """A URL fit for a one-line message: no control characters, not endless."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in url)
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."
