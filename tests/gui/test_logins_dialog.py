"""Preferences → Site logins, with a real Secret Service and a loopback server (offscreen)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from clipper.core.library import Library
from clipper.core.paths import user_folders
from clipper.core.secrets import Login, LoginCheck, LoginStore
from clipper.core.settings import Settings
from clipper.gui import logins_dialog
from clipper.gui.dialogs import PreferencesDialog
from clipper.gui.jobs import ClipRequest
from clipper.gui.logins_dialog import LoginEditDialog, SiteLoginsDialog
from clipper.gui.main_window import MainWindow
from support.secret_service import PAGES, SecretService, members_only

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

COOKIE = "sid=gui-SECRET-cookie"
PASSWORD = "gui-SECRET-password"
NEWS = (PAGES / "news.html").read_bytes()
TITLE = "Riverside Flood Barrier Approved After a Decade of Debate"


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)


@pytest.fixture
def dialog(qtbot: QtBot, secret_service: SecretService) -> SiteLoginsDialog:
    d = SiteLoginsDialog(timeout=5)
    show(qtbot, d)
    return d


def rows(d: SiteLoginsDialog) -> list[tuple[str, str]]:
    items = (d.login_list.topLevelItem(i) for i in range(d.login_list.topLevelItemCount()))
    return [(item.text(0), item.text(1)) for item in items if item is not None]


# --- the list -------------------------------------------------------------------------------


def test_add_edit_remove(dialog: SiteLoginsDialog, secret_service: SecretService) -> None:
    assert rows(dialog) == []
    assert not dialog.edit_button.isEnabled() and not dialog.test_button.isEnabled()
    dialog._ask_login = lambda existing: (Login("Example.com", "basic", "alice"), PASSWORD)  # type: ignore[method-assign]
    dialog.add_button.click()
    assert rows(dialog) == [("example.com", "HTTP Basic (alice)")]
    assert dialog.selected_host() == "example.com"
    assert dialog.message_label.text() == "Saved the login for example.com."
    assert json.loads(secret_service.items()["example.com"])["secret"] == PASSWORD
    # Edit: the dialog is handed the login without its secret; None keeps the secret.
    seen: list[Login | None] = []

    def rename(existing: Login | None) -> tuple[Login, str | None]:
        seen.append(existing)
        return Login("example.com", "basic", "bob"), None

    dialog._ask_login = rename  # type: ignore[method-assign]
    dialog.edit_button.click()
    assert seen == [Login("example.com", "basic", "alice")]
    assert rows(dialog) == [("example.com", "HTTP Basic (bob)")]
    assert json.loads(secret_service.items()["example.com"])["secret"] == PASSWORD
    # Remove, after a question that can be declined.
    answers = [False, True]
    dialog._confirm_remove = lambda host: answers.pop(0)  # type: ignore[method-assign]
    dialog.remove_button.click()
    assert rows(dialog) == [("example.com", "HTTP Basic (bob)")]
    dialog.remove_button.click()
    assert rows(dialog) == []
    assert secret_service.items() == {}
    assert dialog.store.list_hosts() == []


def test_a_login_that_cannot_be_saved_says_why(dialog: SiteLoginsDialog) -> None:
    dialog._ask_login = lambda existing: (Login("example.com", "bearer"), "two words")  # type: ignore[method-assign]
    dialog.add_button.click()
    assert "cannot hold spaces" in dialog.message_label.text()
    assert rows(dialog) == []


def test_without_a_keyring(qtbot: QtBot) -> None:
    hosts = user_folders().config / "login_hosts.json"
    hosts.parent.mkdir(parents=True, exist_ok=True)
    hosts.write_text(json.dumps({"version": 1, "hosts": ["example.com"]}))
    d = SiteLoginsDialog(LoginStore(backend=fail.Keyring()))
    show(qtbot, d)
    assert d.message_label.text().startswith(
        "Clipper keeps site logins only in your system keyring, and none is available:"
    )
    assert rows(d) == [("example.com", "(in the keyring, which is unavailable)")]
    d.select_host("example.com")
    for button in (d.add_button, d.edit_button, d.remove_button, d.test_button):
        assert not button.isEnabled()


# --- testing a login ------------------------------------------------------------------------


def test_test_says_logged_in(
    qtbot: QtBot, dialog: SiteLoginsDialog, http_server: Any, tmp_path: Path
) -> None:
    members_only(http_server, "/article", NEWS, cookie=COOKIE)
    http_server.page("/public", NEWS)
    dialog.store.add(Login("127.0.0.1", "cookie"), COOKIE)
    dialog.reload()
    dialog.select_host("127.0.0.1")
    asked: list[str] = []

    def ask(host: str) -> str:
        asked.append(host)
        return http_server.url("/article")

    dialog._ask_test_url = ask  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.test_finished, timeout=10000) as blocker:
        dialog.test_button.click()
        assert not dialog.test_button.isEnabled()  # the UI thread goes on meanwhile
        assert dialog.message_label.text().startswith("Testing ")
    result: LoginCheck = blocker.args[0]
    assert asked == ["127.0.0.1"]
    assert result.logged_in is True
    assert dialog.message_label.text().startswith(
        "Logged in: the page differs from what a visitor sees"
    )
    assert dialog.test_button.isEnabled()
    dialog.grab().save(str(tmp_path / "site-logins.png"))
    # A page that looks the same either way is not proof of anything.
    dialog._ask_test_url = lambda host: http_server.url("/public")  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.test_finished, timeout=10000) as blocker:
        dialog.test_button.click()
    assert blocker.args[0].logged_in is False
    assert "same with and without" in dialog.message_label.text()


def test_closing_stops_a_running_test(
    qtbot: QtBot, dialog: SiteLoginsDialog, http_server: Any
) -> None:
    http_server.hang("/silent")
    dialog.store.add(Login("127.0.0.1", "cookie"), COOKIE)
    dialog.reload()
    dialog.select_host("127.0.0.1")
    dialog._ask_test_url = lambda host: http_server.url("/silent")  # type: ignore[method-assign]
    dialog.test_button.click()
    qtbot.waitUntil(lambda: len(http_server.requests) == 1, timeout=5000)
    start = time.monotonic()
    dialog.reject()
    assert time.monotonic() - start < 2.0


# --- one login ------------------------------------------------------------------------------


def test_edit_dialog_hides_the_secret_and_checks_what_is_typed(qtbot: QtBot) -> None:
    d = LoginEditDialog()
    show(qtbot, d)
    assert d.secret_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not d.user_edit.isEnabled() and not d.basic_note.isVisible()
    d.host_edit.setText("not a host")
    d.secret_edit.setText(COOKIE)
    d.accept()
    assert d.isVisible() and "not a host name" in d.error_label.text()
    d.host_edit.setText("https://www.example.com/article")
    d.kind_combo.setCurrentIndex(d.kind_combo.findData("basic"))
    assert d.user_edit.isEnabled() and d.basic_note.isVisible()
    assert d.secret_label.text() == "&Password:"
    d.accept()
    assert "needs a user name" in d.error_label.text()
    d.user_edit.setText(" alice ")
    d.secret_edit.setText(PASSWORD)
    d.accept()
    assert d.values() == (Login("www.example.com", "basic", "alice"), PASSWORD)


def test_edit_dialog_keeps_the_saved_secret_when_left_empty(qtbot: QtBot) -> None:
    d = LoginEditDialog(Login("example.com", "cookie"))
    show(qtbot, d)
    assert d.host_edit.isReadOnly() and d.host_edit.text() == "example.com"
    assert d.secret_edit.text() == ""
    assert d.secret_edit.placeholderText() == "Leave empty to keep the saved one"
    d.kind_combo.setCurrentIndex(d.kind_combo.findData("bearer"))
    assert d.secret_edit.placeholderText() == ""  # another kind needs its own secret
    d.accept()
    assert "cannot be empty" in d.error_label.text()
    d.kind_combo.setCurrentIndex(d.kind_combo.findData("cookie"))
    d.accept()
    assert d.values() == (Login("example.com", "cookie"), None)


# --- Preferences and the window -------------------------------------------------------------


def test_preferences_opens_site_logins(
    qtbot: QtBot, secret_service: SecretService, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[SiteLoginsDialog] = []

    def fake_exec(self: SiteLoginsDialog) -> int:
        opened.append(self)
        self.store.add(Login("example.com", "cookie"), COOKIE)
        return 0

    monkeypatch.setattr(logins_dialog.SiteLoginsDialog, "exec", fake_exec)
    prefs = PreferencesDialog(Settings(extra={"other": 1}))
    show(qtbot, prefs)
    assert prefs.logins_button.text() == "Site logins…"
    prefs.logins_button.click()
    assert len(opened) == 1
    assert LoginStore().list_hosts() == ["example.com"]
    # The list of hosts is not part of the settings, so no copy of them can undo it.
    assert prefs.settings().extra == {"other": 1}


def test_the_window_clips_with_a_login(
    qtbot: QtBot, secret_service: SecretService, http_server: Any, tmp_path: Path
) -> None:
    members_only(http_server, "/article", NEWS, cookie=COOKIE)
    LoginStore().add(Login("127.0.0.1", "cookie"), COOKIE)
    library = Library(tmp_path / "lib.sqlite3")
    window = MainWindow(library, Settings(fetch_timeout=5))
    try:
        qtbot.addWidget(window)
        window.runner.submit(ClipRequest("url", http_server.url("/article")))
        qtbot.waitUntil(lambda: library.count() == 1, timeout=15000)
        assert library.get(library.all_ids()[0]).title == TITLE
        assert http_server.requests[-1][2]["cookie"] == COOKIE
    finally:
        window.runner.shutdown(1000)
        library.close()
