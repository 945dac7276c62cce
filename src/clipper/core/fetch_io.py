"""The network side of a fetch: the deadline, connecting, TLS and deadline-aware reads.

Every wait is a short slice that re-checks the deadline and the cancel token, so neither a
silent server nor a trickling one can hold a fetch. DNS runs on a throwaway thread because
getaddrinfo cannot be interrupted.

http.client does the HTTP parsing; we hand it a socket wrapper whose reads never block for
longer than one slice, because a plain socket timeout cannot be retried through
``socket.makefile`` once it has fired.
"""

from __future__ import annotations

import errno
import http.client
import io
import os
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from clipper.core.errors import FetchCancelled, FetchError, FetchTimeout

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from clipper.core.fetch import CancelToken

__all__ = ["CHUNK", "Clock", "Target", "exchange", "network_errors", "parse_target", "shown"]

# Longest single wait: how late a cancel or the deadline can be noticed.
_SLICE = 0.25
# Read size from the socket and largest piece a decompressor may hand back at once.
CHUNK = 64 * 1024
# Characters left as they are in a request target; everything else is percent-encoded.
_TARGET_SAFE = "!$%&'()*+,/:;=?@[]~"
_CONNECT_IN_PROGRESS = frozenset(
    {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, getattr(errno, "WSAEWOULDBLOCK", -1)}
)


class Clock:
    """The deadline and cancel token of one fetch; every wait asks it how long it may be."""

    def __init__(self, timeout: float, cancel: CancelToken | None, url: str) -> None:
        self._timeout = timeout
        self._end = time.monotonic() + timeout
        self._cancel = cancel
        self._url = url

    def remaining(self) -> float:
        """Seconds left; raises once the fetch is cancelled or out of time."""
        if self._cancel is not None and self._cancel.cancelled:
            raise FetchCancelled(f"The download was cancelled: {shown(self._url)}")
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
            f"The page did not arrive within {self._timeout:g} seconds: {shown(self._url)}"
        )


@dataclass(frozen=True)
class Target:
    tls: bool
    host: str  # ASCII (IDNA) form, no brackets: what DNS and TLS want
    port: int
    host_header: str
    path: str  # request target: path and query, percent-encoded, no fragment


def parse_target(url: str) -> Target:
    try:
        parts = urlsplit(url)
        explicit_port = parts.port
    except ValueError:
        raise FetchError(f"This link is not valid: {shown(url)}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"Only http and https links can be clipped: {shown(url)}")
    if not parts.hostname:
        raise FetchError(f"This link has no site name in it: {shown(url)}")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError(f"This link has a site name Clipper cannot use: {shown(url)}") from None
    tls = parts.scheme == "https"
    default_port = 443 if tls else 80
    port = explicit_port or default_port
    bracketed = f"[{host}]" if ":" in host else host
    host_header = bracketed if port == default_port else f"{bracketed}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(tls, host, port, host_header, quote(path, safe=_TARGET_SAFE))


# --- connections --------------------------------------------------------------------------


@contextmanager
def exchange(
    target: Target, headers: dict[str, str], clock: Clock
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
def network_errors(host: str, clock: Clock) -> Iterator[None]:
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


def _open_socket(target: Target, clock: Clock) -> socket.socket:
    sock = _connect_any(_resolve(target.host, target.port, clock), clock)
    if not target.tls:
        return sock
    try:
        return _start_tls(sock, target.host, clock)
    except BaseException:
        sock.close()
        raise


_AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]


def _resolve(host: str, port: int, clock: Clock) -> Sequence[_AddrInfo]:
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


def _connect_any(infos: Sequence[_AddrInfo], clock: Clock) -> socket.socket:
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


def _connect(sock: socket.socket, address: Any, clock: Clock) -> None:
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


def _start_tls(sock: socket.socket, host: str, clock: Clock) -> ssl.SSLSocket:
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

    def __init__(self, sock: socket.socket, clock: Clock) -> None:
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
        return io.BufferedReader(_GuardedReader(self._sock, self._clock), CHUNK)

    def close(self) -> None:
        """Do nothing: fetch closes the real socket once the body has been read.

        http.client closes its connection as soon as the headers are in (we send
        "Connection: close"), while the response still reads from the socket.
        """


class _GuardedReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, clock: Clock) -> None:
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


def shown(url: str, limit: int = 200) -> str:
    """A URL fit for a one-line message: no control characters, not endless."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in url)
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."
