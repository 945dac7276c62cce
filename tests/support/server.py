"""A real HTTP(S) server on 127.0.0.1 for tests: fixed pages, redirects, hand-made answers.

Typical use (the ``http_server`` fixture in conftest.py gives you a started one)::

    with LoopbackServer() as server:
        server.page("/article", "<html><body><p>Hello</p></body></html>")
        server.redirect("/old", "/article")
        server.stream("/big", lambda: (b"x" * 65536 for _ in range(400)))
        server.stream("/slow", lambda: itertools.repeat(b"."), delay=0.1)   # trickles
        server.hang("/silent")                                              # never answers
        server.route("/odd", my_handler)          # my_handler(handler) writes everything
        response = fetch(server.url("/old"))
        method, path, headers = server.requests[0]   # ("GET", "/old", {"user-agent": ...})

Routes match the request path exactly, first with its query string, then without it.
Unknown paths get a 404 page. Every response closes its connection.

``route`` functions receive the ``BaseHTTPRequestHandler`` after the request line and
headers have been read; they write the status line, headers and body themselves (through
``handler.send_response`` / ``send_header`` / ``end_headers`` / ``wfile``, or raw bytes to
``handler.wfile``) and may reset the connection via ``handler.connection``. Anything that
waits must wait on ``server.stopping`` so the server can shut down promptly; a client that
hangs up mid-answer is expected and not reported.

``LoopbackServer(tls=True)`` serves https with a certificate for 127.0.0.1 signed by a test
CA; point ``SSL_CERT_FILE`` at ``server.ca_file`` to make clients trust it.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from types import TracebackType
from typing import Any, Self

RouteFn = Callable[[BaseHTTPRequestHandler], object]  # the return value is ignored
Request = tuple[str, str, dict[str, str]]

# Throwaway test certificates (P-256, valid 2000-2100): a CA and a leaf for 127.0.0.1 and
# localhost that it signed. Never trusted anywhere but in tests that ask for it.
_TEST_CA_PEM = """\
-----BEGIN CERTIFICATE-----
MIIBaDCCAQ6gAwIBAgICEAAwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPQ2xpcHBl
ciBUZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAaMRgw
FgYDVQQDDA9DbGlwcGVyIFRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AASzg9JTt+MShV7lhEJDyW07UiHCE8t+eWtbkWwsgSm99wmo7nuTVO9AVvX4HwvE
KRuO6mkFI8Tk4yQAqM3qrjHXo0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB
/wQEAwIBBjAdBgNVHQ4EFgQUZfnvL32I2FPqPO37NQ6mE3QyCYgwCgYIKoZIzj0E
AwIDSAAwRQIhAObBf0B6g5ot9smM6mHQygHk9KpsB6QrqRarf/29vmfHAiAEcfPi
cLtJ/qF+QmWnLboDoOw5aDKiwdoVBN39lg1Peg==
-----END CERTIFICATE-----
"""
_TEST_LEAF_PEM = """\
-----BEGIN CERTIFICATE-----
MIIBsjCCAVmgAwIBAgICEAEwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPQ2xpcHBl
ciBUZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAUMRIw
EAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASwgPjO
suXxeqF1RdWxju9aKbzxCWb1ac88iEiw4YAM4GnE+XmWfQrKVWIIVgmeYW+tFIoD
0O4qyKaHaNrfjt4po4GSMIGPMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeA
MBMGA1UdJQQMMAoGCCsGAQUFBwMBMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9z
dDAdBgNVHQ4EFgQUiqXxmHOopMqTMLcdXx+ntILmgQ4wHwYDVR0jBBgwFoAUZfnv
L32I2FPqPO37NQ6mE3QyCYgwCgYIKoZIzj0EAwIDRwAwRAIgCPsnZnZ6zdoYjRIp
/Eb7S0NupMETu3QUj+GBogTxeiwCIAPABsLmxrB+YEZLgaSCAEAXA8u/kih5e9Yq
3WoKE0aC
-----END CERTIFICATE-----
"""
_TEST_LEAF_KEY = """\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgW63zpkszjYmTqxQN
PtNRujXdfVXgwWdfyHSkivQ+KtWhRANCAASwgPjOsuXxeqF1RdWxju9aKbzxCWb1
ac88iEiw4YAM4GnE+XmWfQrKVWIIVgmeYW+tFIoD0O4qyKaHaNrfjt4p
-----END PRIVATE KEY-----
"""


class LoopbackServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 and a free port, for one test.

    Use as a context manager (or call start() and close()). Register answers with page(),
    redirect(), stream(), hang() or route(), before or while requests come in.
    """

    def __init__(self, *, tls: bool = False) -> None:
        self.tls = tls
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self.ca_file: Path | None = None
        self._routes: dict[str, RouteFn] = {}
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._cert_dir: tempfile.TemporaryDirectory[str] | None = None

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> Self:
        """Bind, start serving on a background thread and return self."""
        context = self._tls_context() if self.tls else None
        self._httpd = _Server(self, context)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="loopback-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, end waiting handlers, close every socket. Returns in well under 1 s."""
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        # Unblock handlers stuck reading from or writing to a client.
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._cert_dir is not None:
            self._cert_dir.cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- addresses ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._httpd is None:
            raise RuntimeError("LoopbackServer is not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """ "http://127.0.0.1:PORT" (or https with tls=True), without a trailing slash."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of path on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # --- answers ------------------------------------------------------------------------

    def page(
        self,
        path: str,
        body: bytes | str,
        content_type: str | None = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Serve a fixed response. str bodies are sent as UTF-8.

        content_type=None sends no Content-Type. Content-Length is the body's length unless
        headers sets one (handy for lying about it); headers may add or override anything.
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        extra = dict(headers or {})

        def respond(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            if content_type is not None and not _has(extra, "content-type"):
                handler.send_header("Content-Type", content_type)
            if not _has(extra, "content-length"):
                handler.send_header("Content-Length", str(len(data)))
            _send_headers(handler, extra)
            if handler.command != "HEAD":
                handler.wfile.write(data)

        self.route(path, respond)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        """Answer path with a redirect to location (sent as given, relative or absolute)."""
        self.page(path, b"", content_type=None, status=status, headers={"Location": location})

    def stream(
        self,
        path: str,
        chunks: Callable[[], Iterable[bytes]],
        content_type: str | None = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Send chunks() one after another with no Content-Length, then close.

        chunks is called once per request, so a generator may be endless. With delay, wait
        that many seconds before each chunk (a trickling server). Stops when the server
        closes or the client hangs up.
        """
        extra = dict(headers or {})

        def respond(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            if content_type is not None and not _has(extra, "content-type"):
                handler.send_header("Content-Type", content_type)
            _send_headers(handler, extra)
            handler.wfile.flush()
            for chunk in chunks():
                if self.stopping.wait(delay) if delay else self.stopping.is_set():
                    return
                handler.wfile.write(chunk)

        self.route(path, respond)

    def hang(self, path: str) -> None:
        """Read the request, then never answer (until the server closes)."""
        self.route(path, lambda handler: self.stopping.wait())

    def route(self, path: str, fn: RouteFn) -> None:
        """Answer path by calling fn(handler), which writes the whole response itself."""
        with self._lock:
            self._routes[path] = fn

    # --- used by the handler ------------------------------------------------------------

    def _find(self, path: str) -> RouteFn | None:
        with self._lock:
            return self._routes.get(path) or self._routes.get(path.split("?", 1)[0])

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _track(self, conn: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _tls_context(self) -> ssl.SSLContext:
        self._cert_dir = tempfile.TemporaryDirectory(prefix="loopback-tls-")
        self.ca_file, context = tls_server_context(Path(self._cert_dir.name))
        return context


def tls_server_context(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """Write the test certificates into folder; return the CA file and a server context.

    For tests that need a TLS server LoopbackServer cannot be (say, one that stalls before
    the handshake). Clients trust it once SSL_CERT_FILE points at the returned CA file.
    """
    ca_file, chain_file, key_file = folder / "ca.pem", folder / "leaf.pem", folder / "leaf.key"
    ca_file.write_text(_TEST_CA_PEM)
    chain_file.write_text(_TEST_LEAF_PEM + _TEST_CA_PEM)
    key_file.write_text(_TEST_LEAF_KEY)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain_file, key_file)
    return ca_file, context


def _has(headers: dict[str, str], name: str) -> bool:
    return any(key.lower() == name for key in headers)


def _send_headers(handler: BaseHTTPRequestHandler, headers: dict[str, str]) -> None:
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Connection", "close")
    handler.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Do not wait for handler threads on close: LoopbackServer.close ends them instead.
    block_on_close = False

    def __init__(self, owner: LoopbackServer, tls: ssl.SSLContext | None) -> None:
        self.owner = owner
        self.tls = tls
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host name, which can be slow; we know it.
        TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = int(self.server_address[1])

    def get_request(self) -> tuple[Any, Any]:
        conn, address = self.socket.accept()
        if self.tls is not None:
            # The handshake happens on the handler's thread, so a silent client cannot
            # block the accept loop.
            conn = self.tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        return conn, address

    def process_request(self, request: Any, client_address: Any) -> None:
        self.owner._track(request, True)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.owner._track(request, False)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-answer, or fail a TLS handshake, are what many tests
        # provoke on purpose; only real handler bugs are worth a traceback.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Idle or stuck connections give up after this many seconds.
    timeout = 10
    server: _Server

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean: no access log on stderr."""

    def _dispatch(self) -> None:
        owner = self.server.owner
        headers = {name.lower(): value for name, value in self.headers.items()}
        owner._record((self.command, self.path, headers))
        self.close_connection = True
        fn = owner._find(self.path)
        if fn is None:
            self.send_error(404, "Not found")
            return
        fn(self)
        self.wfile.flush()
