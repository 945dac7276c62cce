"""Site logins, kept in the operating system's keyring and nowhere else.

A login belongs to a host: a domain (and so its subdomains) or an IP address. It is a
cookie header value, an HTTP Basic user and password, or a bearer token. Where things live:

- The secret, its kind and the Basic user name: one keyring entry per host, service
  ``clipper``, user name the host, value a small JSON object. Nothing else holds them.
- The list of hosts that have a login: ``login_hosts.json`` beside the settings file. It is
  not secret, and it tells Clipper without asking the keyring whether a page could need a
  login at all, so clipping a page of any other host never touches the keyring (nor even
  imports the keyring library), and works when there is none. It is a file of its own,
  not a key in ``settings.json``: the window and Preferences hold copies of the settings
  and write them back whole, which would bring back a list changed in the meantime.

Only real keyrings are used: the Secret Service (GNOME Keyring, KWallet), the macOS
Keychain, the Windows Credential Manager. Backends that keep secrets in a file
(``keyrings.alt``, plaintext or not) and anything the keyring library itself rates below
"recommended" (priority < 1: the ``fail`` and ``null`` backends among them) are refused,
and then there are no logins. There is never a fallback store.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit

from clipper.core.errors import ClipperError, FetchCancelled, FetchError, NotFound
from clipper.core.fetch import CancelToken, fetch
from clipper.core.fileio import describe_os_error
from clipper.core.paths import user_folders

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = [
    "HOSTS_FILE",
    "KINDS",
    "SERVICE",
    "KeyringUnavailable",
    "Login",
    "LoginCheck",
    "LoginError",
    "LoginKind",
    "LoginStore",
    "check_login",
    "clean_secret",
    "host_matches",
    "normalize_host",
    "redetect_keyring",
    "usable_backend",
]

SERVICE = "clipper"
HOSTS_FILE = "login_hosts.json"
LoginKind = Literal["cookie", "basic", "bearer"]
KINDS: tuple[LoginKind, ...] = ("cookie", "basic", "bearer")
_MIN_PRIORITY = 1.0  # what the keyring library calls a "recommended" backend
_REFUSED_MODULES = ("keyrings.alt",)
_NO_SERVICE = (
    "no keyring service is installed or running (on Linux: GNOME Keyring, KWallet or "
    "another Secret Service; on macOS and Windows the system's own)."
)
_PROBE = "(clipper: is the keyring unlocked?)"  # a user name no login has
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_PRINTABLE_ASCII = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$")

log = logging.getLogger(__name__)


class LoginError(ClipperError):
    """A login that cannot be saved as given (bad host, empty or unusable secret)."""


class KeyringUnavailable(ClipperError):
    """There is no keyring Clipper will keep logins in (or it is locked)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Clipper keeps site logins only in your system keyring, and none is available: "
            f"{reason}"
        )
        self.reason = reason


# --- hosts ----------------------------------------------------------------------------------


def normalize_host(text: str) -> str:
    """A host as typed (or a whole link) -> its canonical form; LoginError if it is not one.

    Lower case, no port, no trailing dot, international names in their ASCII (IDNA) form,
    IP addresses in their standard spelling. "*.example.com" means "example.com".
    """
    raw = text.strip()
    ip = _ip(raw.strip("[]"))
    if ip is not None:
        return ip
    try:
        host = urlsplit(raw if "://" in raw else f"//{raw}").hostname or ""
    except ValueError:
        host = ""
    host = host.removeprefix("*.").strip(".")
    ip = _ip(host)
    if ip is not None:
        return ip
    domain = _ascii_domain(host)
    if domain is None:
        raise LoginError(f"“{text.strip()}” is not a host name or an IP address.")
    return domain


def host_matches(login_host: str, url_host: str) -> bool:
    """Whether a login saved for ``login_host`` may be sent to ``url_host``.

    A domain's login goes to the domain and its subdomains, never to a parent domain or
    a look-alike ("example.com" covers "news.example.com", not "badexample.com"). An IP
    address matches only itself. Ports do not matter.
    """
    login, url = _canonical(login_host), _canonical(url_host)
    if login is None or url is None:
        return False
    if _ip(login) is not None or _ip(url) is not None:
        return login == url
    return url == login or url.endswith("." + login)


def _canonical(host: str) -> str | None:
    try:
        return normalize_host(host)
    except LoginError:
        return None


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _ascii_domain(host: str) -> str | None:
    if not host or len(host) > 253:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    return ascii_host if all(_LABEL.match(label) for label in labels) else None


# --- logins ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    """A saved login without its secret: which host, which kind, and the Basic user name.

    The host is normalised on creation; LoginError if the host, kind or user is unusable.
    """

    host: str
    kind: LoginKind
    user: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", normalize_host(self.host))
        if self.kind not in KINDS:
            raise LoginError(f"A login is a cookie, basic or bearer login, not “{self.kind}”.")
        if self.kind == "basic":
            _check_basic_user(self.user)
        elif self.user:
            raise LoginError("Only Basic logins have a user name.")

    def describe(self) -> str:
        """The kind in words, e.g. "HTTP Basic (alice)"."""
        if self.kind == "basic":
            return f"HTTP Basic ({self.user})"
        return "Cookie" if self.kind == "cookie" else "Bearer token"


def _check_basic_user(user: str) -> None:
    if not user:
        raise LoginError("A Basic login needs a user name.")
    if ":" in user or any(ord(ch) < 32 or ord(ch) == 127 for ch in user):
        raise LoginError("A Basic user name cannot hold a colon or control characters.")


def clean_secret(kind: LoginKind, secret: str) -> str:
    """The secret as it will be stored; LoginError if it cannot go into an HTTP header.

    A pasted "Cookie: " or "Bearer " prefix and surrounding spaces are dropped from cookies
    and tokens; Basic passwords are kept exactly (they are sent base64-encoded).
    """
    if kind == "basic":
        if not secret or any(ch in secret for ch in "\r\n\x00"):
            raise LoginError("A Basic password cannot be empty or hold line breaks.")
        return secret
    text = secret.strip()
    prefix = "cookie:" if kind == "cookie" else "bearer "
    if text.lower().startswith(prefix):
        text = text[len(prefix) :].strip()
    if not _PRINTABLE_ASCII.match(text):
        what = "cookie header value" if kind == "cookie" else "bearer token"
        raise LoginError(
            f"The {what} cannot be empty and may hold only printable ASCII characters."
        )
    if kind == "bearer" and " " in text:
        raise LoginError("A bearer token cannot hold spaces.")
    return text


@dataclass(frozen=True)
class _Entry:
    """What the keyring holds for one host. The secret never shows in a repr."""

    login: Login
    secret: str = field(repr=False)

    def headers(self) -> dict[str, str]:
        if self.login.kind == "cookie":
            return {"Cookie": self.secret}
        if self.login.kind == "bearer":
            return {"Authorization": f"Bearer {self.secret}"}
        pair = f"{self.login.user}:{self.secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def dumps(self) -> str:
        data = {"v": 1, "kind": self.login.kind, "user": self.login.user, "secret": self.secret}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def loads(cls, host: str, text: str) -> _Entry | None:
        try:
            data = json.loads(text)
            return cls(Login(host, data["kind"], data.get("user", "")), str(data["secret"]))
        except (ValueError, KeyError, TypeError, ClipperError):
            # Never log the text: it is (or holds) a secret.
            log.warning("The keyring entry for %s is not a Clipper login; ignoring it.", host)
            return None


# --- the keyring backend --------------------------------------------------------------------


def usable_backend(backend: KeyringBackend | None = None) -> KeyringBackend:
    """The keyring backend to use (``backend``, or the keyring library's choice).

    Raises KeyringUnavailable when it is missing or is one Clipper refuses. A chain of
    backends is narrowed to its best acceptable member, so a secret can never slip into
    a file-based backend further down the chain.
    """
    if backend is not None:
        return _accepted(backend)
    try:
        return _accepted(_library_backend())
    except KeyringUnavailable:
        # The service may have started since the keyring library looked: look again.
        redetect_keyring()
        return _accepted(_library_backend())


def redetect_keyring() -> None:
    """Make the keyring library choose its backend afresh.

    It remembers both the backends it found usable and its choice among them, from the
    first time it was asked, for the life of the process.
    """
    import keyring.backend
    import keyring.core

    reset = getattr(keyring.backend.get_all_keyring, "reset", None)
    with suppress(KeyError):  # nothing remembered yet
        if callable(reset):
            reset()
    keyring.core.init_backend()


def _library_backend() -> KeyringBackend:
    import keyring

    try:
        return keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration raises anything
        raise KeyringUnavailable(f"the keyring configuration does not work ({exc}).") from exc


def _accepted(backend: KeyringBackend) -> KeyringBackend:
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        chained = cast("list[KeyringBackend]", backend.backends)
        for member in chained:
            if _refusal(member) is None:
                return member
        raise KeyringUnavailable(_NO_SERVICE)
    reason = _refusal(backend)
    if reason is not None:
        raise KeyringUnavailable(reason)
    return backend


def _refusal(backend: KeyringBackend) -> str | None:
    """Why Clipper will not keep secrets in ``backend`` (None: it will)."""
    cls = type(backend)
    name = f"{cls.__module__}.{cls.__qualname__}"
    if cls.__module__.startswith(_REFUSED_MODULES):
        return f"{name} keeps secrets in a file, which Clipper does not use for logins."
    try:
        priority = float(cls.priority)
    except Exception as exc:  # backends say "not here" by raising
        log.info("Keyring backend %s is not usable: %s", name, exc)
        return _NO_SERVICE
    if priority < _MIN_PRIORITY:
        if priority <= 0:  # the fail and null backends: there is nothing else
            return _NO_SERVICE
        return f"{name} is not a secure keyring, and Clipper does not use it for logins."
    return None


@contextmanager
def _keyring_errors() -> Iterator[None]:
    """Turn whatever a keyring backend raises into KeyringUnavailable."""
    import keyring.errors

    try:
        yield
    except keyring.errors.KeyringLocked as exc:
        raise KeyringUnavailable(
            "the keyring is locked and could not be unlocked. Unlock it (for example in "
            "your system's password manager) and try again."
        ) from exc
    except keyring.errors.NoKeyringError as exc:
        raise KeyringUnavailable(_NO_SERVICE) from exc
    except Exception as exc:  # D-Bus errors, a daemon that went away, ...
        log.warning("The keyring failed: %s", type(exc).__name__)
        raise KeyringUnavailable(f"the keyring failed ({type(exc).__name__}: {exc}).") from exc


# --- the store ------------------------------------------------------------------------------


class LoginStore:
    """Saved site logins: secrets in the keyring, the list of hosts in ``login_hosts.json``.

    ``hosts_file`` defaults to the one in the user's config folder, ``backend`` to the
    keyring library's choice. Methods that need the keyring raise KeyringUnavailable
    without one; list_hosts() and headers_for() for a host without a login never touch it.
    """

    def __init__(
        self, hosts_file: Path | None = None, backend: KeyringBackend | None = None
    ) -> None:
        self._hosts_file = hosts_file
        self._backend = backend

    def __repr__(self) -> str:
        return f"<LoginStore {self.hosts_file}>"

    # -- the list of hosts (no keyring) -------------------------------------------------

    @property
    def hosts_file(self) -> Path:
        """The file that lists the hosts with a login (and nothing else)."""
        return self._hosts_file or user_folders().config / HOSTS_FILE

    def list_hosts(self) -> list[str]:
        """Every host with a saved login, sorted."""
        try:
            raw: Any = json.loads(self.hosts_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("Could not read %s (%s); no site logins.", self.hosts_file, exc)
            return []
        hosts = raw.get("hosts") if isinstance(raw, dict) else None
        if not isinstance(hosts, list):
            return []
        return sorted({host for host in hosts if isinstance(host, str) and host})

    def _write_hosts(self, hosts: set[str]) -> None:
        """Replace the list atomically (temp file, then rename); no file for no hosts."""
        path = self.hosts_file
        text = json.dumps({"version": 1, "hosts": sorted(hosts)}, indent=2) + "\n"
        try:
            if not hosts:
                path.unlink(missing_ok=True)
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".login-hosts-", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError as exc:
            raise describe_os_error(exc, path) from exc

    # -- the keyring ----------------------------------------------------------------------

    def check_available(self) -> None:
        """Raise KeyringUnavailable unless there is a keyring Clipper will use, unlocked.

        Looks up an entry that never exists, so a locked keyring asks to be unlocked (or
        says it is locked) without any secret being read.
        """
        backend = usable_backend(self._backend)
        with _keyring_errors():
            backend.get_password(SERVICE, _PROBE)

    def logins(self) -> list[Login]:
        """Every saved login (reads the keyring)."""
        return [entry.login for entry in map(self._entry, self.list_hosts()) if entry]

    def get(self, host: str) -> Login | None:
        """The login saved for exactly this host, if any."""
        host = normalize_host(host)
        entry = self._entry(host) if host in self.list_hosts() else None
        return entry.login if entry else None

    def add(self, login: Login, secret: str | None) -> Login:
        """Save (or replace) the login for ``login.host``.

        ``secret=None`` keeps the saved secret, which needs a saved login of the same kind.
        """
        if secret is None:
            old = self._entry(login.host) if login.host in self.list_hosts() else None
            if old is None or old.login.kind != login.kind:
                raise LoginError(f"Enter the {_secret_name(login.kind)} for {login.host}.")
            secret = old.secret
        entry = _Entry(login, clean_secret(login.kind, secret))
        backend = usable_backend(self._backend)
        with _keyring_errors():
            backend.set_password(SERVICE, login.host, entry.dumps())
        self._write_hosts({*self.list_hosts(), login.host})
        log.info("Saved a %s login for %s", login.kind, login.host)
        return login

    def remove(self, host: str) -> None:
        """Forget the login for this host (NotFound if there is none)."""
        host = normalize_host(host)
        hosts = set(self.list_hosts())
        if host not in hosts:
            raise NotFound(f"There is no saved login for {host}.")
        from keyring.errors import PasswordDeleteError

        backend = usable_backend(self._backend)
        # Already gone from the keyring: drop it from the list all the same.
        with _keyring_errors(), suppress(PasswordDeleteError):
            backend.delete_password(SERVICE, host)
        self._write_hosts(hosts - {host})
        log.info("Removed the login for %s", host)

    def login_for(self, url: str) -> Login | None:
        """The login that would be sent with ``url``, if any."""
        entry = self._entry_for(url)
        return entry.login if entry else None

    def headers_for(self, url: str) -> dict[str, str]:
        """The HTTP headers that log in to ``url`` ({} when no login applies).

        Made to be fetch()'s ``auth_for``: asked afresh for every hop, so a redirect to
        another host gets nothing. The most specific matching host wins.
        """
        entry = self._entry_for(url)
        return entry.headers() if entry else {}

    def _entry_for(self, url: str) -> _Entry | None:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        matching = [h for h in self.list_hosts() if host_matches(h, parts.hostname)]
        for host in sorted(matching, key=len, reverse=True):
            entry = self._entry(host)
            if entry is not None:
                return entry
        return None

    def _entry(self, host: str) -> _Entry | None:
        backend = usable_backend(self._backend)
        with _keyring_errors():
            text = backend.get_password(SERVICE, host)
        return _Entry.loads(host, text) if text is not None else None


def _secret_name(kind: LoginKind) -> str:
    return {"cookie": "cookie header value", "basic": "password", "bearer": "token"}[kind]


# --- "Test": does the login make a difference? ----------------------------------------------

LOGGED_IN = "Logged in: the page differs from what a visitor sees"


@dataclass(frozen=True)
class LoginCheck:
    """What a test fetch found: logged_in is None when no login applies to the link."""

    logged_in: bool | None
    message: str


@dataclass(frozen=True)
class _Outcome:
    url: str = ""
    body: bytes = b""
    error: str | None = None


def check_login(
    url: str,
    auth_for: Callable[[str], dict[str, str]],
    *,
    timeout: float = 15.0,
    cancel: CancelToken | None = None,
) -> LoginCheck:
    """Fetch ``url`` with and without the login and say whether the login made a difference.

    A page that differs (another status, another final link, other content) counts as
    logged in. Raises KeyringUnavailable (from ``auth_for``) and FetchCancelled.
    """
    host = urlsplit(url.strip()).hostname or url.strip()
    if not auth_for(url):
        return LoginCheck(None, f"No saved login applies to {host}.")
    member = _fetch_outcome(url, auth_for, timeout, cancel)
    if member.error is not None:
        return LoginCheck(False, f"Not logged in: with the login, {_lower_first(member.error)}")
    visitor = _fetch_outcome(url, None, timeout, cancel)
    if visitor.error is not None:
        return LoginCheck(True, f"{LOGGED_IN} (a visitor gets: {visitor.error})")
    if visitor.url != member.url:
        return LoginCheck(True, f"{LOGGED_IN} (a visitor is sent to {visitor.url}).")
    if visitor.body != member.body:
        return LoginCheck(True, f"{LOGGED_IN}.")
    return LoginCheck(
        False,
        "Not logged in, or the page needs no login: it is the same with and without it.",
    )


def _fetch_outcome(
    url: str,
    auth_for: Callable[[str], dict[str, str]] | None,
    timeout: float,
    cancel: CancelToken | None,
) -> _Outcome:
    try:
        response = fetch(url, timeout=timeout, cancel=cancel, auth_for=auth_for)
    except FetchCancelled:
        raise
    except FetchError as exc:
        return _Outcome(error=str(exc))
    return _Outcome(url=response.url, body=response.body)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
