"""clipper.core.fetch against a real server on 127.0.0.1: real sockets, no mocks."""

from __future__ import annotations

import itertools
import re
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import brotli
import pytest

from clipper.core.errors import FetchCancelled, FetchError, FetchTimeout, NotHTML, TooLarge
from clipper.core.fetch import (
    DEFAULT_MAX_BYTES,
    MAX_REDIRECTS,
    USER_AGENT,
    CancelToken,
    fetch,
    is_http_url,
)
from support.server import LoopbackServer, tls_server_context

HTML = "<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello</p></body></html>"
SMALL_CAP = 100_000
SHORT = 1.5  # timeout for the tests that wait for it


def readable(exc: BaseException) -> str:
    """The message of exc, checked to be one plain line a person can read."""
    message = str(exc)
    assert message, "empty message"
    assert message == message.strip()
    assert "\n" not in message and "\r" not in message
    assert "Traceback" not in message
    assert not re.search(r"object at 0x|<\w+\.\w|\[Errno|\w+Error\(|urllib3", message), message
    return message


def raises(kind: type[FetchError], url: str, **kwargs: object) -> str:
    """Fetch url, expect kind, and return its (checked) message."""
    with pytest.raises(kind) as info:
        fetch(url, **kwargs)  # type: ignore[arg-type]
    return readable(info.value)


def timed_raises(kind: type[FetchError], url: str, **kwargs: object) -> tuple[str, float]:
    start = time.monotonic()
    message = raises(kind, url, **kwargs)
    return message, time.monotonic() - start


def peak_rss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def reset_connection(handler: object) -> None:
    """Abort the connection with a TCP RST instead of a clean close."""
    conn: socket.socket = handler.connection  # type: ignore[attr-defined]
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- normal pages and request headers -----------------------------------------------------


def test_normal_page_and_browser_headers(http_server: LoopbackServer) -> None:
    http_server.page("/article", HTML)
    response = fetch(http_server.url("/article"))

    assert response.status == 200
    assert response.url == response.requested_url == http_server.url("/article")
    assert response.content_type == "text/html"
    assert response.charset == "utf-8"
    assert response.body == HTML.encode()
    assert response.headers["content-type"] == "text/html; charset=utf-8"

    method, path, headers = http_server.requests[0]
    assert (method, path) == ("GET", "/article")
    assert headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("Mozilla/5.0 (")
    assert "Firefox/" in USER_AGENT or "Chrome/" in USER_AGENT
    assert headers["accept"].startswith("text/html")
    assert headers["accept-language"].startswith("en-US")
    assert {c.strip() for c in headers["accept-encoding"].split(",")} >= {"gzip", "deflate", "br"}
    assert headers["host"] == f"127.0.0.1:{http_server.port}"


def test_extra_headers_and_query_reach_the_server(http_server: LoopbackServer) -> None:
    http_server.page("/q", HTML)
    fetch(http_server.url("/q?a=1&b=caf\u00e9 x#frag"), extra_headers={"X-Test": "yes"})
    _, path, headers = http_server.requests[0]
    assert path == "/q?a=1&b=caf%C3%A9%20x"
    assert headers["x-test"] == "yes"


def test_surrounding_whitespace_is_ignored(http_server: LoopbackServer) -> None:
    http_server.page("/", HTML)
    assert fetch(f"  {http_server.url('/')}\n").body == HTML.encode()


def test_charset_parameter_is_parsed(http_server: LoopbackServer) -> None:
    http_server.page("/", HTML, content_type='Text/HTML; Charset="ISO-8859-1"')
    response = fetch(http_server.url("/"))
    assert (response.content_type, response.charset) == ("text/html", "iso-8859-1")


def _gzip(data: bytes) -> bytes:
    return zlib.compress(data, wbits=31)


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-15)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", _gzip),
        ("x-gzip", _gzip),
        ("deflate", zlib.compress),
        ("deflate", _raw_deflate),
        ("br", brotli.compress),
        ("identity", lambda data: data),
    ],
)
def test_compressed_responses_are_decoded(
    http_server: LoopbackServer, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    body = (HTML * 200).encode()
    http_server.page("/", encode(body), headers={"Content-Encoding": encoding})
    assert fetch(http_server.url("/")).body == body


def test_damaged_gzip_is_a_clear_error(http_server: LoopbackServer) -> None:
    http_server.page("/", b"\x1f\x8b\x08\x00garbage garbage", headers={"Content-Encoding": "gzip"})
    assert "damaged" in raises(FetchError, http_server.url("/"))


def test_unknown_content_encoding_is_refused(http_server: LoopbackServer) -> None:
    http_server.page("/", b"\x28\xb5\x2f\xfd", headers={"Content-Encoding": "zstd"})
    assert "zstd" in raises(FetchError, http_server.url("/"))


def test_chunked_response(http_server: LoopbackServer) -> None:
    def respond(handler: object) -> None:
        out = handler.wfile  # type: ignore[attr-defined]
        out.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        out.write(b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for piece in (b"<html><body>", b"chunked", b"</body></html>"):
            out.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        out.write(b"0\r\n\r\n")

    http_server.route("/", respond)
    assert fetch(http_server.url("/")).body == b"<html><body>chunked</body></html>"


# --- redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_chain_relative_and_absolute(http_server: LoopbackServer, status: int) -> None:
    http_server.redirect("/a", "b", status)
    http_server.redirect("/b", http_server.url("/dir/c?x=1"), status)
    http_server.redirect("/dir/c", "../final", status)
    http_server.page("/final", HTML)

    response = fetch(http_server.url("/a"))

    assert response.url == http_server.url("/final")
    assert response.requested_url == http_server.url("/a")
    assert response.body == HTML.encode()
    assert [path for _, path, _ in http_server.requests] == ["/a", "/b", "/dir/c?x=1", "/final"]


def test_redirect_loop_is_refused(http_server: LoopbackServer) -> None:
    http_server.redirect("/one", "/two")
    http_server.redirect("/two", "/one")
    assert raises(FetchError, http_server.url("/one")).startswith("Too many redirects")


def _chain(server: LoopbackServer, hops: int) -> str:
    for i in range(hops):
        server.redirect(f"/r{i}", f"/r{i + 1}")
    server.page(f"/r{hops}", HTML)
    return server.url("/r0")


def test_ten_redirects_are_followed(http_server: LoopbackServer) -> None:
    response = fetch(_chain(http_server, MAX_REDIRECTS))
    assert response.url == http_server.url(f"/r{MAX_REDIRECTS}")


def test_eleven_redirects_are_refused(http_server: LoopbackServer) -> None:
    message = raises(FetchError, _chain(http_server, MAX_REDIRECTS + 1))
    assert message.startswith("Too many redirects")
    assert len(http_server.requests) == MAX_REDIRECTS + 1


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "data:text/html,<h1>hi</h1>",
        "javascript:alert(1)",
        "ftp://example.com/page.html",
    ],
)
def test_redirect_to_other_schemes_is_refused(http_server: LoopbackServer, location: str) -> None:
    http_server.redirect("/go", location)
    message = raises(FetchError, http_server.url("/go"))
    assert "redirected to a link Clipper will not follow" in message
    assert location.split(":")[0] in message


def test_redirect_without_location(http_server: LoopbackServer) -> None:
    http_server.page("/go", b"", status=302)
    assert "HTTP 302" in raises(FetchError, http_server.url("/go"))


def test_auth_for_is_asked_per_hop_and_not_carried(http_server: LoopbackServer) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/c")
    http_server.page("/c", HTML)
    asked: list[str] = []

    def auth_for(url: str) -> dict[str, str]:
        asked.append(url)
        if url.endswith("/a"):
            return {"Authorization": "Bearer for-a", "Cookie": "session=a"}
        return {"X-Hop": url.rsplit("/", 1)[1]}

    fetch(http_server.url("/a"), auth_for=auth_for, extra_headers={"X-Every": "1"})

    assert asked == [http_server.url(p) for p in ("/a", "/b", "/c")]
    sent = {path: headers for _, path, headers in http_server.requests}
    assert sent["/a"]["authorization"] == "Bearer for-a"
    assert sent["/a"]["cookie"] == "session=a"
    for path in ("/b", "/c"):
        assert "authorization" not in sent[path]
        assert "cookie" not in sent[path]
        assert sent[path]["x-hop"] == path[1:]
    assert all(headers["x-every"] == "1" for headers in sent.values())


# --- deadlines and cancellation ---------------------------------------------------------------


def test_trickling_body_times_out(http_server: LoopbackServer) -> None:
    # Each byte comes well inside one read slice: only the overall deadline can stop this.
    http_server.stream("/slow", lambda: itertools.repeat(b"."), delay=0.1)
    _, elapsed = timed_raises(FetchTimeout, http_server.url("/slow"), timeout=SHORT)
    assert SHORT - 0.1 <= elapsed < SHORT + 1.0


def test_trickling_headers_time_out(http_server: LoopbackServer) -> None:
    def respond(handler: object) -> None:
        out = handler.wfile  # type: ignore[attr-defined]
        for byte in itertools.cycle(b"HTTP/1.1 200 OK\r\nX-Slow: yes\r\n"):
            if http_server.stopping.wait(0.1):
                return
            out.write(bytes([byte]))

    http_server.route("/slow", respond)
    _, elapsed = timed_raises(FetchTimeout, http_server.url("/slow"), timeout=SHORT)
    assert elapsed < SHORT + 1.0


def test_server_that_never_answers_times_out(http_server: LoopbackServer) -> None:
    http_server.hang("/silent")
    message, elapsed = timed_raises(FetchTimeout, http_server.url("/silent"), timeout=SHORT)
    assert SHORT - 0.1 <= elapsed < SHORT + 1.0
    assert "1.5 seconds" in message


def test_tls_handshake_that_never_completes_times_out() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        _, elapsed = timed_raises(FetchTimeout, f"https://127.0.0.1:{port}/", timeout=1.0)
    assert elapsed < 2.0


def test_cancel_from_another_thread_is_prompt(http_server: LoopbackServer) -> None:
    http_server.hang("/silent")
    token = CancelToken()
    timer = threading.Timer(0.3, token.cancel)
    timer.start()
    try:
        _, elapsed = timed_raises(
            FetchCancelled, http_server.url("/silent"), timeout=30, cancel=token
        )
    finally:
        timer.cancel()
    assert token.cancelled
    assert elapsed < 0.3 + 1.0


def test_cancel_during_a_trickling_body(http_server: LoopbackServer) -> None:
    http_server.stream("/slow", lambda: itertools.repeat(b"."), delay=0.05)
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    _, elapsed = timed_raises(FetchCancelled, http_server.url("/slow"), timeout=30, cancel=token)
    assert elapsed < 0.3 + 1.0


def test_already_cancelled_token_stops_at_once(http_server: LoopbackServer) -> None:
    http_server.page("/", HTML)
    token = CancelToken()
    token.cancel()
    _, elapsed = timed_raises(FetchCancelled, http_server.url("/"), cancel=token)
    assert elapsed < 0.5
    assert http_server.requests == []


# --- broken connections ------------------------------------------------------------------------


def test_connection_reset_before_answer(http_server: LoopbackServer) -> None:
    http_server.route("/reset", reset_connection)
    assert "reset" in raises(FetchError, http_server.url("/reset"), timeout=5)


def test_connection_reset_mid_body(http_server: LoopbackServer) -> None:
    def respond(handler: object) -> None:
        out = handler.wfile  # type: ignore[attr-defined]
        out.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 50000\r\n\r\n")
        out.write(b"<html>" + b"x" * 1000)
        time.sleep(0.1)
        reset_connection(handler)

    http_server.route("/reset", respond)
    raises(FetchError, http_server.url("/reset"), timeout=5)


def test_connection_closed_without_answer(http_server: LoopbackServer) -> None:
    http_server.route("/", lambda handler: handler.connection.close())
    assert "closed the connection" in raises(FetchError, http_server.url("/"), timeout=5)


def test_garbage_answer(http_server: LoopbackServer) -> None:
    http_server.route("/", lambda handler: handler.wfile.write(b"SPDY/9 what\r\n\r\n"))
    assert "could not understand" in raises(FetchError, http_server.url("/"), timeout=5)


def test_connection_refused() -> None:
    port = free_port()
    message = raises(FetchError, f"http://127.0.0.1:{port}/page", timeout=5)
    assert message == "Could not connect to 127.0.0.1: connection refused"


def test_unknown_host() -> None:
    # .invalid never resolves; a resolver that cannot answer at all ends in the timeout.
    with pytest.raises(FetchError) as info:
        fetch("http://nonexistent.invalid/", timeout=5)
    message = readable(info.value)
    if not isinstance(info.value, FetchTimeout):
        assert message.startswith("Could not connect to nonexistent.invalid: ")


def test_lying_content_length_longer_than_body(http_server: LoopbackServer) -> None:
    http_server.page("/", HTML, headers={"Content-Length": "100000"})
    start = time.monotonic()
    response = fetch(http_server.url("/"), timeout=5)
    assert response.body == HTML.encode()
    assert time.monotonic() - start < 2


def test_lying_content_length_shorter_than_body(http_server: LoopbackServer) -> None:
    http_server.page("/", HTML, headers={"Content-Length": "15"})
    assert fetch(http_server.url("/"), timeout=5).body == HTML.encode()[:15]


# --- size caps -----------------------------------------------------------------------------------


def test_content_length_over_the_cap_is_refused_at_once(http_server: LoopbackServer) -> None:
    # The body is never sent: reading it would hang, so only an early refusal passes.
    http_server.page("/", b"", headers={"Content-Length": str(10**12)})
    message, elapsed = timed_raises(TooLarge, http_server.url("/"), max_bytes=SMALL_CAP, timeout=5)
    assert message == "The page is larger than 98 KB; Clipper stops there."
    assert elapsed < 1


def test_streamed_body_over_the_cap(http_server: LoopbackServer) -> None:
    http_server.stream("/", lambda: itertools.repeat(b"<p>" + b"x" * 4093))
    raises(TooLarge, http_server.url("/"), max_bytes=SMALL_CAP, timeout=5)


def test_body_exactly_at_the_cap_is_kept(http_server: LoopbackServer) -> None:
    http_server.page("/exact", b"<p>" + b"x" * (SMALL_CAP - 3))
    http_server.page("/over", b"<p>" + b"x" * (SMALL_CAP - 2))
    assert len(fetch(http_server.url("/exact"), max_bytes=SMALL_CAP).body) == SMALL_CAP
    raises(TooLarge, http_server.url("/over"), max_bytes=SMALL_CAP)


def test_default_cap_stops_a_25_mb_stream(http_server: LoopbackServer) -> None:
    block = b"<p>" + b"x" * (64 * 1024 - 3)
    http_server.stream("/", lambda: itertools.repeat(block, 25 * 16))
    message = raises(TooLarge, http_server.url("/"), timeout=20)
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    assert message == "The page is larger than 20 MB; Clipper stops there."


def _gzip_bomb() -> Iterator[bytes]:
    """1 GB of spaces after a page's start, gzip-compressed on the fly (about 1 MB on the wire).

    Spaces rather than zeros: zeros would be refused at once as binary data, and this test is
    about the size cap.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    yield compressor.compress(b"<html><body><p>")
    zeros = b" " * (1024 * 1024)
    for _ in range(1024):
        yield compressor.compress(zeros)
    yield compressor.flush()


def _brotli_bomb() -> Iterator[bytes]:
    """1 GB of spaces as about 190 KB of brotli, sent in one go.

    Brotli packs hundreds of MB into one 64 KB read, so this also catches a decoder that
    inflates a whole read at once instead of in bounded pieces.
    """
    compressor = brotli.Compressor(quality=1)
    zeros = b" " * (1024 * 1024)
    start = compressor.process(b"<html><body><p>")
    stream = start + b"".join(compressor.process(zeros) for _ in range(1024))
    yield stream + compressor.finish()


@pytest.mark.parametrize(("encoding", "bomb"), [("gzip", _gzip_bomb), ("br", _brotli_bomb)])
def test_compression_bomb_is_stopped_with_bounded_memory(
    http_server: LoopbackServer, encoding: str, bomb: Callable[[], Iterator[bytes]]
) -> None:
    http_server.stream("/bomb", bomb, headers={"Content-Encoding": encoding})
    before = peak_rss_mb()
    message = raises(TooLarge, http_server.url("/bomb"), timeout=20)
    assert "20 MB" in message
    assert peak_rss_mb() - before < 200


def test_bomb_under_a_small_cap(http_server: LoopbackServer) -> None:
    http_server.stream("/bomb", _gzip_bomb, headers={"Content-Encoding": "gzip"})
    raises(TooLarge, http_server.url("/bomb"), max_bytes=SMALL_CAP, timeout=10)


# --- HTTP errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, "The site says the page was not found (HTTP 404): "),
        (410, "(HTTP 410)"),
        (401, "login"),
        (403, "login"),
        (403, "refused access"),
        (429, "(HTTP 429)"),
        (418, "(HTTP 418)"),
        (500, "The site had an error (HTTP 500)"),
        (503, "The site had an error (HTTP 503)"),
    ],
)
def test_http_errors(http_server: LoopbackServer, status: int, expected: str) -> None:
    http_server.page("/p", "<h1>Error</h1>", status=status)
    message = raises(FetchError, http_server.url("/p"))
    assert expected in message
    if status == 404:
        assert message.endswith(http_server.url("/p"))


# --- what the answer is ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "words"),
    [
        ("application/pdf", "a PDF document (application/pdf)"),
        ("image/png", "an image (image/png)"),
        ("image/svg+xml", "an image (image/svg+xml)"),
        ("application/zip", "an archive (application/zip)"),
        ("application/gzip", "an archive (application/gzip)"),
        ("application/x-tar", "an archive (application/x-tar)"),
        ("application/x-7z-compressed", "an archive (application/x-7z-compressed)"),
        ("application/x-rar", "an archive (application/x-rar)"),
        ("audio/mpeg", "an audio file (audio/mpeg)"),
        ("video/mp4", "a video (video/mp4)"),
        ("application/json; charset=utf-8", "JSON data (application/json)"),
        ("application/x-shockwave-flash", "application/x-shockwave-flash"),
    ],
)
def test_files_that_are_not_pages(
    http_server: LoopbackServer, content_type: str, words: str
) -> None:
    http_server.page("/file", b"\x00\x01binary", content_type=content_type)
    message = raises(NotHTML, http_server.url("/file"))
    assert message == f"This link is {words}, not a web page."


@pytest.mark.parametrize(
    ("magic", "words"),
    [
        (b"%PDF-1.7\n", "a PDF document (application/pdf)"),
        (b"\x89PNG\r\n\x1a\n", "an image (image/png)"),
        (b"\xff\xd8\xff\xe0", "an image (image/jpeg)"),
        (b"GIF89a", "an image (image/gif)"),
        (b"PK\x03\x04", "an archive (application/zip)"),
        (b"\x1f\x8b\x08\x00", "an archive (application/gzip)"),
    ],
)
def test_binary_served_as_html(http_server: LoopbackServer, magic: bytes, words: str) -> None:
    http_server.page("/file", magic + bytes(range(256)) * 8)
    assert raises(NotHTML, http_server.url("/file")) == f"This link is {words}, not a web page."


def test_binary_is_recognised_before_it_is_all_downloaded(http_server: LoopbackServer) -> None:
    # With a cap far below the size, only an early look at the first bytes gives NotHTML.
    http_server.stream(
        "/big.pdf", lambda: itertools.chain([b"%PDF-1.4\n"], itertools.repeat(b"0" * 4096))
    )
    assert "PDF" in raises(NotHTML, http_server.url("/big.pdf"), max_bytes=SMALL_CAP, timeout=5)


@pytest.mark.parametrize("content_type", ["text/plain", "text/markdown"])
def test_text_is_returned_as_is(http_server: LoopbackServer, content_type: str) -> None:
    text = "# Notes\n\nPlain words, <not> a page.\n"
    http_server.page("/notes", text, content_type=f"{content_type}; charset=utf-8")
    response = fetch(http_server.url("/notes"))
    assert (response.content_type, response.body) == (content_type, text.encode())


@pytest.mark.parametrize("content_type", ["application/octet-stream", None])
def test_untyped_html_is_sniffed(http_server: LoopbackServer, content_type: str | None) -> None:
    http_server.page("/", "\ufeff\n  " + HTML, content_type=content_type)
    response = fetch(http_server.url("/"))
    assert response.content_type == (content_type or "")
    assert response.body.endswith(HTML.encode())


@pytest.mark.parametrize("content_type", ["application/octet-stream", None])
def test_untyped_binary_is_refused(http_server: LoopbackServer, content_type: str | None) -> None:
    http_server.page("/", b"\x00\x01\x02 not a page", content_type=content_type)
    assert "a file of unknown type" in raises(NotHTML, http_server.url("/"))


def test_untyped_pdf_is_named(http_server: LoopbackServer) -> None:
    http_server.page("/", b"%PDF-1.4\n...", content_type="application/octet-stream")
    assert "PDF document" in raises(NotHTML, http_server.url("/"))


# --- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/file.txt", "file:///etc/passwd", "mailto:me@example.com", "example.com"],
)
def test_non_web_links_are_refused(url: str) -> None:
    assert raises(FetchError, url) == f"Only http and https links can be clipped: {url}"


@pytest.mark.parametrize("url", ["http://", "http:///path", "http://host:port/"])
def test_broken_links_are_refused(url: str) -> None:
    raises(FetchError, url)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a?b=c", True),
        ("http://127.0.0.1:8080", True),
        ("HTTP://EXAMPLE.COM", True),
        ("  https://example.com/  ", True),
        ("http://[::1]/", True),
        ("ftp://example.com/", False),
        ("example.com", False),
        ("https://", False),
        ("http:///path", False),
        ("http://exa mple.com/", False),
        ("http://host:notaport/", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_is_http_url(text: str, expected: bool) -> None:
    assert is_http_url(text) is expected


# --- TLS ---------------------------------------------------------------------------------------


def test_https_page(monkeypatch: pytest.MonkeyPatch) -> None:
    with LoopbackServer(tls=True) as server:
        assert server.ca_file is not None
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
        server.page("/secure", HTML)
        response = fetch(server.url("/secure"), timeout=5)
    assert response.body == HTML.encode()
    assert response.url.startswith("https://127.0.0.1:")


def test_slow_tls_handshake_and_slow_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stalls longer than one read slice at every step: handshake, headers and body must all
    # resume after their short socket timeouts.
    ca_file, context = tls_server_context(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        time.sleep(0.6)
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(4096)
            time.sleep(0.6)
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 20\r\n\r\n")
            tls.sendall(b"<html>")
            time.sleep(0.6)
            tls.sendall(b"<body>x</body>")

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        port = listener.getsockname()[1]
        response = fetch(f"https://127.0.0.1:{port}/", timeout=5)
    finally:
        server.join(timeout=5)
        listener.close()
    assert response.body == b"<html><body>x</body>"


def test_untrusted_certificate_is_refused() -> None:
    with LoopbackServer(tls=True) as server:
        server.page("/secure", HTML)
        message = raises(FetchError, server.url("/secure"), timeout=5)
    assert message.startswith("The site's security certificate is not valid: ")
    assert server.requests == []


# --- the test server itself ------------------------------------------------------------------


def test_server_closes_promptly_with_a_trickling_handler() -> None:
    server = LoopbackServer().start()
    server.stream("/slow", lambda: itertools.repeat(b"."), delay=0.5)
    port = server.port
    client = socket.create_connection(("127.0.0.1", port))
    try:
        client.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        assert client.recv(100).startswith(b"HTTP/1.1 200")
        start = time.monotonic()
        server.close()
        assert time.monotonic() - start < 1.0
    finally:
        client.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
