"""Site logins: host rules, refusing unsafe keyrings, and a real Secret Service."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, ClassVar, cast

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend

from clipper.core.clipping import ClipOptions, extract, load_source
from clipper.core.errors import FetchError, NotFound
from clipper.core.fetch import fetch
from clipper.core.paths import user_folders
from clipper.core.secrets import (
    KeyringUnavailable,
    Login,
    LoginError,
    LoginStore,
    _Entry,
    check_login,
    clean_secret,
    host_matches,
    normalize_host,
    usable_backend,
)
from support.secret_service import PAGES, SecretService, members_only

COOKIE = "session=c00kie-SECRET-4711"
PASSWORD = "pa55-SECRET-word"
TOKEN = "t0ken-SECRET-abc"
UNAVAILABLE = "Clipper keeps site logins only in your system keyring, and none is available"


# --- hosts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "host"),
    [
        ("example.com", "example.com"),
        ("  Example.COM. ", "example.com"),
        ("https://News.Example.com:8443/a/b?c=d", "news.example.com"),
        ("example.com:8080", "example.com"),
        ("example.com/paywalled/article", "example.com"),
        ("*.example.com", "example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("wiki", "wiki"),
        ("intranet_host.corp", "intranet_host.corp"),
        ("10.0.0.5", "10.0.0.5"),
        ("10.0.0.5:8080", "10.0.0.5"),
        ("http://10.0.0.5/page", "10.0.0.5"),
        ("::1", "::1"),
        ("[2001:DB8:0:0::1]", "2001:db8::1"),
        ("http://[2001:db8::1]:8080/", "2001:db8::1"),
    ],
)
def test_hosts_are_normalised(typed: str, host: str) -> None:
    assert normalize_host(typed) == host


@pytest.mark.parametrize(
    "typed", ["", "   ", "exa mple.com", "-bad.com", "a..b", "x" * 64 + ".com", "ex!ample.com"]
)
def test_what_is_not_a_host_is_refused(typed: str) -> None:
    with pytest.raises(LoginError, match="not a host name or an IP address"):
        normalize_host(typed)


@pytest.mark.parametrize(
    ("login_host", "url_host", "matches"),
    [
        ("example.com", "example.com", True),
        ("example.com", "news.example.com", True),
        ("example.com", "a.b.example.com", True),
        ("example.com", "EXAMPLE.com.", True),
        ("news.example.com", "example.com", False),  # never a parent domain
        ("news.example.com", "sport.example.com", False),
        ("example.com", "badexample.com", False),
        ("example.com", "example.com.evil.org", False),
        ("example.com", "example.co", False),
        ("bücher.de", "xn--bcher-kva.de", True),
        ("10.0.0.5", "10.0.0.5", True),
        ("10.0.0.5", "10.0.0.50", False),
        ("0.0.5", "10.0.0.5", False),  # IP addresses match exactly, never as a suffix
        ("10.0.0.5", "x.10.0.0.5", False),
        ("::1", "0:0:0:0:0:0:0:1", True),
        ("example.com", "", False),
    ],
)
def test_host_matching(login_host: str, url_host: str, matches: bool) -> None:
    assert host_matches(login_host, url_host) is matches


# --- logins and secrets ---------------------------------------------------------------------


def test_login_checks_itself() -> None:
    assert Login("HTTPS://Example.com/x", "cookie").host == "example.com"
    assert Login("example.com", "basic", "alice").describe() == "HTTP Basic (alice)"
    assert Login("example.com", "bearer").describe() == "Bearer token"
    with pytest.raises(LoginError, match="needs a user name"):
        Login("example.com", "basic")
    with pytest.raises(LoginError, match="colon"):
        Login("example.com", "basic", "a:b")
    with pytest.raises(LoginError, match="Only Basic"):
        Login("example.com", "cookie", "alice")
    with pytest.raises(LoginError, match="not “password”"):
        Login("example.com", "password")  # type: ignore[arg-type]


def test_secrets_are_cleaned_for_their_header() -> None:
    assert clean_secret("cookie", "Cookie: a=1; b=2\n") == "a=1; b=2"
    assert clean_secret("bearer", " Bearer abc.def \n") == "abc.def"
    assert clean_secret("basic", " spaced pass ") == " spaced pass "  # kept exactly
    for kind, bad in [
        ("cookie", ""),
        ("cookie", "a=1\r\nX-Injected: yes"),
        ("cookie", "naïve=1"),
        ("bearer", "two words"),
        ("basic", ""),
        ("basic", "line\nbreak"),
    ]:
        with pytest.raises(LoginError):
            clean_secret(kind, bad)  # type: ignore[arg-type]


def test_headers_per_kind_and_no_secret_in_repr() -> None:
    basic = _Entry(Login("example.com", "basic", "alice"), "p:ss wörd")
    expected = base64.b64encode("alice:p:ss wörd".encode()).decode()
    assert basic.headers() == {"Authorization": f"Basic {expected}"}
    assert _Entry(Login("example.com", "bearer"), TOKEN).headers() == {
        "Authorization": f"Bearer {TOKEN}"
    }
    cookie = _Entry(Login("example.com", "cookie"), COOKIE)
    assert cookie.headers() == {"Cookie": COOKIE}
    for text in (repr(cookie), str(cookie), repr(basic)):
        assert "SECRET" not in text and "wörd" not in text
    assert "SECRET" not in repr(LoginStore())


# --- which keyrings are used -----------------------------------------------------------------


class _Fake:
    """A keyring backend by duck typing. (A KeyringBackend subclass would join the keyring
    library's registry, and its own backend detection could then pick it.)"""

    priority: float = 5
    stored: ClassVar[dict[tuple[str, str], str]] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.stored.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.stored[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.stored.pop((service, username), None)


class _FakePlaintext(_Fake):
    """Looks like keyrings.alt's plaintext file backend (not installed in tests)."""

    priority = 10  # even a high priority does not make a file safe


_FakePlaintext.__module__ = "keyrings.alt.file"


class _LowPriority(_Fake):
    priority = 0.5


class _NotRunningMeta(type):
    @property
    def priority(cls) -> float:
        raise RuntimeError("the service is not running")


class _NotRunning(metaclass=_NotRunningMeta):
    pass


def _backend(fake: object) -> KeyringBackend:
    return cast(KeyringBackend, fake)


def test_refused_backends_say_why() -> None:
    cases: list[tuple[KeyringBackend, str]] = [
        (fail.Keyring(), "no keyring service is installed or running"),
        (null.Keyring(), "no keyring service is installed or running"),
        (_backend(_NotRunning()), "no keyring service is installed or running"),
        (_backend(_FakePlaintext()), "keeps secrets in a file"),
        (_backend(_LowPriority()), "not a secure keyring"),
    ]
    for backend, reason in cases:
        with pytest.raises(KeyringUnavailable) as caught:
            usable_backend(backend)
        assert str(caught.value).startswith(UNAVAILABLE + ": ")
        assert reason in str(caught.value)
    good = _backend(_Fake())
    assert usable_backend(good) is good


def test_a_chain_is_narrowed_to_its_best_safe_member() -> None:
    good = _backend(_Fake())
    # Not monkeypatch.setattr: reading the old value would run the keyring's detection.
    original = ChainerBackend.__dict__["backends"]
    try:
        ChainerBackend.backends = [_FakePlaintext(), good]
        assert usable_backend(ChainerBackend()) is good
        ChainerBackend.backends = [_FakePlaintext(), _LowPriority()]
        with pytest.raises(KeyringUnavailable, match="no keyring service"):
            usable_backend(ChainerBackend())
    finally:
        ChainerBackend.backends = original


def test_no_keyring_no_logins_but_nothing_breaks(tmp_path: Path) -> None:
    store = LoginStore(backend=fail.Keyring())
    assert store.list_hosts() == []
    assert store.headers_for("https://example.com/") == {}
    with pytest.raises(KeyringUnavailable, match="no keyring service"):
        store.add(Login("example.com", "cookie"), COOKIE)
    assert store.list_hosts() == []
    assert not store.hosts_file.exists()


def test_a_plaintext_backend_never_receives_a_secret() -> None:
    _Fake.stored.clear()
    store = LoginStore(backend=_backend(_FakePlaintext()))
    with pytest.raises(KeyringUnavailable, match="keeps secrets in a file"):
        store.add(Login("example.com", "cookie"), COOKIE)
    assert _Fake.stored == {}


def test_unrelated_hosts_never_touch_the_keyring(secret_service: SecretService) -> None:
    LoginStore().add(Login("example.com", "cookie"), COOKIE)
    offline = LoginStore(backend=fail.Keyring())  # same index, but no keyring at all
    assert offline.headers_for("https://other.org/page") == {}
    assert offline.headers_for("ftp://example.com/") == {}
    with pytest.raises(KeyringUnavailable):
        offline.headers_for("https://news.example.com/page")


# --- a real Secret Service -------------------------------------------------------------------


def test_add_get_list_remove(secret_service: SecretService) -> None:
    store = LoginStore()
    store.add(Login("Example.com", "cookie"), f"Cookie: {COOKIE}")
    store.add(Login("10.0.0.5", "basic", "alice"), PASSWORD)
    store.add(Login("api.example.org", "bearer"), TOKEN)
    assert store.list_hosts() == ["10.0.0.5", "api.example.org", "example.com"]
    assert store.get("EXAMPLE.COM") == Login("example.com", "cookie")
    assert store.get("10.0.0.5") == Login("10.0.0.5", "basic", "alice")
    assert store.get("nowhere.org") is None
    assert [x.kind for x in store.logins()] == ["basic", "bearer", "cookie"]
    # The keyring holds the secret; the settings file only the list of hosts.
    items = secret_service.items()
    assert json.loads(items["example.com"]) == {
        "v": 1,
        "kind": "cookie",
        "user": "",
        "secret": COOKIE,
    }
    assert store.hosts_file == user_folders().config / "login_hosts.json"
    assert json.loads(store.hosts_file.read_text()) == {
        "version": 1,
        "hosts": ["10.0.0.5", "api.example.org", "example.com"],
    }
    assert not user_folders().settings_file.exists()  # logins leave the settings alone
    store.remove("example.com")
    assert "example.com" not in secret_service.items()
    assert store.list_hosts() == ["10.0.0.5", "api.example.org"]
    with pytest.raises(NotFound, match=r"no saved login for example\.com"):
        store.remove("example.com")
    store.remove("10.0.0.5")
    store.remove("api.example.org")
    assert not store.hosts_file.exists()


def test_a_damaged_list_of_hosts_means_no_logins(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hosts_file = tmp_path / "hosts.json"
    store = LoginStore(hosts_file, backend=fail.Keyring())
    for text in ("{not json", '{"hosts": "example.com"}', "[1, 2]"):
        hosts_file.write_text(text)
        assert store.list_hosts() == []
    hosts_file.write_text('{"hosts": ["b.org", 7, "", "a.org", "b.org"]}')
    assert store.list_hosts() == ["a.org", "b.org"]
    assert "Could not read" in caplog.text


def test_headers_follow_the_host_rules(secret_service: SecretService) -> None:
    store = LoginStore()
    store.add(Login("example.com", "cookie"), COOKIE)
    store.add(Login("news.example.com", "bearer"), TOKEN)
    store.add(Login("10.0.0.5", "basic", "alice"), PASSWORD)
    assert store.headers_for("https://example.com/a") == {"Cookie": COOKIE}
    assert store.headers_for("http://shop.example.com:8080/a") == {"Cookie": COOKIE}
    # The most specific login wins.
    assert store.headers_for("https://news.example.com/a") == {"Authorization": f"Bearer {TOKEN}"}
    assert store.headers_for("https://a.news.example.com/") == {"Authorization": f"Bearer {TOKEN}"}
    assert store.headers_for("https://badexample.com/") == {}
    assert store.headers_for("https://example.org/") == {}
    assert store.headers_for("http://10.0.0.5:8080/x")["Authorization"].startswith("Basic ")
    assert store.headers_for("http://10.0.0.50/") == {}
    assert store.login_for("https://www.example.com/") == Login("example.com", "cookie")


def test_edit_keeps_the_secret_unless_the_kind_changes(secret_service: SecretService) -> None:
    store = LoginStore()
    store.add(Login("example.com", "basic", "alice"), PASSWORD)
    store.add(Login("example.com", "basic", "bob"), None)  # new user, same password
    expected = base64.b64encode(f"bob:{PASSWORD}".encode()).decode()
    assert store.headers_for("https://example.com/") == {"Authorization": f"Basic {expected}"}
    with pytest.raises(LoginError, match="Enter the token"):
        store.add(Login("example.com", "bearer"), None)
    with pytest.raises(LoginError, match="Enter the cookie header value"):
        store.add(Login("new.example.org", "cookie"), None)
    assert store.list_hosts() == ["example.com"]


def test_an_entry_that_is_not_ours_is_ignored(
    secret_service: SecretService, caplog: pytest.LogCaptureFixture
) -> None:
    store = LoginStore()
    store.add(Login("example.com", "cookie"), COOKIE)
    keyring.set_password("clipper", "example.com", "not json SECRET")
    assert store.headers_for("https://example.com/") == {}
    assert "not a Clipper login" in caplog.text
    assert "SECRET" not in caplog.text


def test_a_locked_keyring(private_secret_service: SecretService) -> None:
    store = LoginStore()
    store.add(Login("example.com", "cookie"), COOKIE)
    private_secret_service.lock()
    with pytest.raises(KeyringUnavailable, match="locked"):
        store.headers_for("https://example.com/")
    with pytest.raises(KeyringUnavailable, match="locked"):
        store.add(Login("example.org", "cookie"), COOKIE)
    assert store.list_hosts() == ["example.com"]
    assert store.headers_for("https://elsewhere.org/") == {}


def test_a_keyring_that_goes_away(private_secret_service: SecretService) -> None:
    store = LoginStore()
    store.add(Login("example.com", "cookie"), COOKIE)
    private_secret_service.stop()
    with pytest.raises(KeyringUnavailable, match=UNAVAILABLE):
        store.headers_for("https://example.com/")


def test_secrets_never_reach_the_logs(
    secret_service: SecretService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    store = LoginStore()
    store.add(Login("example.com", "basic", "alice"), PASSWORD)
    store.headers_for("https://example.com/")
    store.remove("example.com")
    assert "Saved a basic login for example.com" in caplog.text
    assert PASSWORD not in caplog.text


# --- fetching with a login ------------------------------------------------------------------


def test_fetch_sends_the_login_to_its_host_only(
    secret_service: SecretService, http_server: Any
) -> None:
    store = LoginStore()
    store.add(Login("127.0.0.1", "cookie"), COOKIE)
    members_only(http_server, "/article", (PAGES / "news.html").read_bytes(), cookie=COOKIE)
    # The same server under another name: a redirect there must not carry the cookie.
    http_server.redirect("/away", f"http://localhost:{http_server.port}/article")
    assert fetch(http_server.url("/article"), auth_for=store.headers_for).status == 200
    page = fetch(http_server.url("/away"), auth_for=store.headers_for)
    assert page.url == f"http://localhost:{http_server.port}/login"  # not logged in there
    sent = [(path, h["host"].split(":")[0], h.get("cookie")) for _, path, h in http_server.requests]
    assert sent == [
        ("/article", "127.0.0.1", COOKIE),
        ("/away", "127.0.0.1", COOKIE),
        ("/article", "localhost", None),
        ("/login", "localhost", None),
    ]


def test_load_source_uses_the_login(secret_service: SecretService, http_server: Any) -> None:
    store = LoginStore()
    store.add(Login("127.0.0.1", "basic", "alice"), PASSWORD)
    members_only(
        http_server, "/report", (PAGES / "news.html").read_bytes(), basic=("alice", PASSWORD)
    )
    with pytest.raises(FetchError, match="HTTP 401"):
        load_source(http_server.url("/report"))
    doc = load_source(http_server.url("/report"), ClipOptions(auth_for=store.headers_for))
    assert "Flood Barrier" in extract(doc).title


def test_check_login_says_whether_the_login_made_a_difference(
    secret_service: SecretService, http_server: Any
) -> None:
    store = LoginStore()
    news = (PAGES / "news.html").read_bytes()
    members_only(http_server, "/cookie", news, cookie=COOKIE)
    members_only(http_server, "/basic", news, basic=("alice", "right"))
    http_server.page("/public", news)
    store.add(Login("127.0.0.1", "cookie"), COOKIE)
    result = check_login(http_server.url("/cookie"), store.headers_for, timeout=5)
    assert result.logged_in is True
    assert result.message.startswith("Logged in: the page differs from what a visitor sees")
    assert "/login" in result.message
    result = check_login(http_server.url("/public"), store.headers_for, timeout=5)
    assert result.logged_in is False and "same with and without" in result.message
    store.add(Login("127.0.0.1", "basic", "alice"), "wrong")
    result = check_login(http_server.url("/basic"), store.headers_for, timeout=5)
    assert result.logged_in is False and "HTTP 401" in result.message
    result = check_login("http://10.9.9.9/", store.headers_for, timeout=5)
    assert result.logged_in is None and "No saved login applies to 10.9.9.9" in result.message


def test_keyring_errors_become_one_message(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(_Fake):
        def get_password(self, service: str, username: str) -> str | None:
            raise keyring.errors.InitError("Failed to create the collection: no D-Bus")

    _Fake.stored.clear()
    store = LoginStore(backend=_backend(Broken()))
    store.add(Login("example.com", "cookie"), COOKIE)  # setting works, reading fails
    with pytest.raises(KeyringUnavailable, match=r"the keyring failed \(InitError: Failed"):
        store.headers_for("https://example.com/")
    assert COOKIE not in caplog.text
