"""Download a web page: a small HTTP client with hard limits.

Every fetch has one overall deadline (DNS, connect, TLS, each redirect and the whole body),
a size cap on both the bytes on the wire and the decompressed page, and a cancel token
that another thread may trip at any moment. All waits are short slices that re-check the
deadline and the token, so neither a silent server nor a trickling one can hold a fetch.

This module holds the HTTP conversation: requests, redirects, status codes and streaming
the body under its caps. Sockets, TLS and the deadline-aware reads are in ``fetch_io``;
decompression and checking that the body is a web page are in ``fetch_decode``.
"""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from clipper.core.errors import FetchError
from clipper.core.fetch_decode import (
    ACCEPT_ENCODING,
    SNIFF_BYTES,
    Decoder,
    check_body_start,
    check_declared_type,
    decoder_for,
    too_large,
)
from clipper.core.fetch_io import (
    CHUNK,
    Clock,
    Target,
    exchange,
    network_errors,
    parse_target,
    shown,
)

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
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

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
    clock = Clock(timeout, cancel, requested)
    current = requested
    seen: set[str] = set()
    while True:
        target = parse_target(current)
        clock.remaining()  # a cancelled or expired fetch makes no new request
        seen.add(current)
        headers = _hop_headers(target, current, extra_headers, auth_for)
        with network_errors(target.host, clock), exchange(target, headers, clock) as reply:
            logger.debug("GET %s -> HTTP %d", current, reply.status)
            location = _redirect_location(reply, current)
            if location is None:
                return _final_response(reply, requested, current, max_bytes)
        current = _next_hop(location, seen, requested)


def _hop_headers(
    target: Target,
    url: str,
    extra_headers: dict[str, str] | None,
    auth_for: Callable[[str], dict[str, str]] | None,
) -> dict[str, str]:
    defaults = {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept": _ACCEPT,
        "Accept-Language": _ACCEPT_LANGUAGE,
        "Accept-Encoding": ACCEPT_ENCODING,
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
            f"The site redirected to a link Clipper will not follow: {shown(location, 80)}"
        )
    if location in seen:
        raise FetchError(
            f"Too many redirects: the site sends the link round in a circle: {shown(requested)}"
        )
    if len(seen) > MAX_REDIRECTS:
        raise FetchError(f"Too many redirects (more than {MAX_REDIRECTS}) from {shown(requested)}")
    return location


def _redirect_location(reply: http.client.HTTPResponse, url: str) -> str | None:
    if reply.status not in _REDIRECT_STATUSES:
        return None
    location = reply.headers.get("location")
    if not location or not location.strip():
        raise FetchError(
            f"The site redirected without saying where to (HTTP {reply.status}): {shown(url)}"
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
    check_declared_type(media_type)
    if reply.length is not None and reply.length > max_bytes:
        raise too_large(max_bytes)
    decoder = decoder_for(reply.headers.get("content-encoding"))
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
    where = shown(url)
    if 200 <= status < 300:
        return
    if status in (404, 410):
        raise FetchError(f"The site says the page was not found (HTTP {status}): {where}")
    if status == 401:
        raise FetchError(f"The page needs a login (HTTP 401): {where}")
    if status == 403:
        raise FetchError(f"The site refused access; the page may need a login (HTTP 403): {where}")
    if status == 429:
        raise FetchError(f"The site says too many requests; try again later (HTTP 429): {where}")
    if 400 <= status < 500:
        raise FetchError(f"The site refused the request (HTTP {status}): {where}")
    if status >= 500:
        raise FetchError(f"The site had an error (HTTP {status}): {where}")
    raise FetchError(f"The site answered with HTTP {status}, which Clipper cannot use: {where}")


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


# --- the body: streaming under the size caps ------------------------------------------------


def _read_body(
    reply: http.client.HTTPResponse, decoder: Decoder, media_type: str, max_bytes: int
) -> bytes:
    body = bytearray()
    raw_total = 0
    sniffed = False
    while chunk := _next_chunk(reply):
        raw_total += len(chunk)
        if raw_total > max_bytes:
            raise too_large(max_bytes)
        _append_capped(body, decoder.feed(chunk), max_bytes)
        if not sniffed and len(body) >= SNIFF_BYTES:
            check_body_start(media_type, bytes(body[:SNIFF_BYTES]))
            sniffed = True
    _append_capped(body, decoder.finish(), max_bytes)
    if not sniffed:
        check_body_start(media_type, bytes(body[:SNIFF_BYTES]))
    return bytes(body)


def _next_chunk(reply: http.client.HTTPResponse) -> bytes:
    try:
        return reply.read1(CHUNK)
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
            raise too_large(max_bytes)
        body += piece
