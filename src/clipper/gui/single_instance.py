"""One window per library: a second launch hands its files and links to the first.

The first instance listens on a local socket named after the user and the library file;
a later launch connects, sends its arguments as one JSON line, and exits.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
_TIMEOUT_MS = 1500


def server_name(library: Path) -> str:
    """A socket name unique to this user and library file."""
    key = f"{getpass.getuser()}:{library.expanduser().resolve()}".encode()
    return f"clipper-{hashlib.sha256(key).hexdigest()[:16]}"


def hand_over(name: str, sources: list[str]) -> bool:
    """Send sources to a running instance; False when none is running."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    socket.write((json.dumps({"sources": sources}) + "\n").encode())
    socket.flush()
    socket.waitForBytesWritten(_TIMEOUT_MS)
    socket.waitForReadyRead(_TIMEOUT_MS)  # the first instance says "ok" once it has read
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later launches; calls ``on_sources`` with what they hand over."""

    def __init__(self, name: str, on_sources: Callable[[list[str]], None]) -> None:
        super().__init__()
        self._on_sources = on_sources
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        if not self._server.listen(name):
            # a socket left behind by a crashed instance: nobody answered, so take it over
            QLocalServer.removeServer(name)
            if not self._server.listen(name):
                log.warning("Single-instance socket unavailable: %s", self._server.errorString())

    def _accept(self) -> None:
        socket = self._server.nextPendingConnection()
        if socket is None:
            return
        socket.readyRead.connect(lambda s=socket: self._read(s))
        socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data()).decode("utf-8", "replace")
        socket.write(b"ok\n")
        try:
            sources = json.loads(line).get("sources", [])
        except (ValueError, AttributeError):
            log.warning("Ignored a malformed message from another Clipper launch.")
            return
        self._on_sources([str(s) for s in sources if isinstance(s, str)])

    def close(self) -> None:
        self._server.close()
