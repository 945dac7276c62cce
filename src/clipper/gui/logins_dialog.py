"""Preferences → Site logins: add, edit, remove and test logins kept in the system keyring.

The dialogs never show a saved secret: editing a login leaves the secret field empty,
which keeps the saved one. "Test" fetches a link with and without the login, off the UI
thread, and says whether the page came back different (logged in).
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clipper.core.errors import ClipperError, FetchCancelled
from clipper.core.fetch import CancelToken
from clipper.core.secrets import (
    KINDS,
    KeyringUnavailable,
    Login,
    LoginCheck,
    LoginKind,
    LoginStore,
    check_login,
    clean_secret,
)

__all__ = ["LoginEditDialog", "SiteLoginsDialog", "open_site_logins"]

log = logging.getLogger(__name__)

TEST_TIMEOUT = 15.0
_KIND_LABELS: dict[LoginKind, str] = {
    "cookie": "Cookie (the Cookie header a logged-in browser sends)",
    "basic": "HTTP Basic (user name and password)",
    "bearer": "Bearer token",
}
_SECRET_LABELS: dict[LoginKind, str] = {
    "cookie": "Cookie &value:",
    "basic": "&Password:",
    "bearer": "&Token:",
}
_BUG = "Something went wrong inside Clipper while testing; details are in the log."


def _muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setWordWrap(True)
    return label


# --- one login ------------------------------------------------------------------------------


class LoginEditDialog(QDialog):
    """Add a login, or edit one (``existing``): host, kind, Basic user, and the secret.

    The secret field echoes dots. When editing, leaving it empty keeps the saved secret.
    :meth:`values` gives the login and the secret (None: keep) once accepted.
    """

    def __init__(self, existing: Login | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._existing = existing
        self._values: tuple[Login, str | None] | None = None
        self.setWindowTitle("Edit Site Login" if existing else "Add Site Login")
        self.resize(480, 0)
        self._build_fields()
        self._build_notes()
        self._build_buttons()
        self._build_layout()
        self._load(existing)

    def _build_fields(self) -> None:
        self.host_edit = QLineEdit()
        self.host_edit.setPlaceholderText("example.com, or an IP address")
        self.host_edit.setAccessibleName("Site")
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind of login")
        for kind in KINDS:
            self.kind_combo.addItem(_KIND_LABELS[kind], kind)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.user_edit = QLineEdit()
        self.user_edit.setAccessibleName("User name")
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setAccessibleName("Secret")
        self.secret_label = QLabel()
        self.secret_label.setBuddy(self.secret_edit)

    def _build_notes(self) -> None:
        self.note_label = _muted(
            QLabel(
                "A login for example.com is also used for its subdomains, such as "
                "news.example.com, and never sent to any other site. The secret is kept "
                "only in your system keyring."
            )
        )
        self.basic_note = _muted(
            QLabel("Basic logins travel in clear over plain http:// links; use https://.")
        )
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Problem")
        self.error_label.hide()

    def _build_buttons(self) -> None:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow("&Site:", self.host_edit)
        form.addRow("&Kind:", self.kind_combo)
        form.addRow("&User name:", self.user_edit)
        form.addRow(self.secret_label, self.secret_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note_label)
        layout.addWidget(self.basic_note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _load(self, existing: Login | None) -> None:
        if existing is not None:
            self.host_edit.setText(existing.host)
            self.host_edit.setReadOnly(True)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(existing.kind))
            self.user_edit.setText(existing.user)
        self._kind_changed()

    def kind(self) -> LoginKind:
        """The kind of login chosen."""
        return KINDS[max(0, self.kind_combo.currentIndex())]

    def _kind_changed(self) -> None:
        kind = self.kind()
        self.user_edit.setEnabled(kind == "basic")
        self.basic_note.setVisible(kind == "basic")
        self.secret_label.setText(_SECRET_LABELS[kind])
        keeps = self._existing is not None and self._existing.kind == kind
        self.secret_edit.setPlaceholderText("Leave empty to keep the saved one" if keeps else "")

    def values(self) -> tuple[Login, str | None] | None:
        """(the login, its new secret or None to keep the saved one), once accepted."""
        return self._values

    def accept(self) -> None:
        """Check what was typed; stay open and say what is wrong if it will not do."""
        try:
            self._values = self._read()
        except ClipperError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        super().accept()

    def _read(self) -> tuple[Login, str | None]:
        kind = self.kind()
        user = self.user_edit.text().strip() if kind == "basic" else ""
        login = Login(self.host_edit.text(), kind, user)
        typed = self.secret_edit.text()
        keeps = self._existing is not None and self._existing.kind == kind
        if not typed and keeps:
            return login, None
        return login, clean_secret(kind, typed)


# --- the list -------------------------------------------------------------------------------


class _Bridge(QObject):
    """Carries a test result from the worker thread to the dialog (queued)."""

    done = Signal(object)


class SiteLoginsDialog(QDialog):
    """Every saved site login, with Add…, Edit…, Remove and Test… buttons.

    Changes are saved at once (to the keyring and the list of hosts). ``test_finished``
    carries the :class:`LoginCheck` of a test. The ``_ask_*``/``_confirm_*`` methods are
    what tests override instead of driving modal dialogs.
    """

    test_finished = Signal(object)

    def __init__(
        self,
        store: LoginStore | None = None,
        parent: QWidget | None = None,
        *,
        timeout: float = TEST_TIMEOUT,
    ) -> None:
        super().__init__(parent)
        self.store = store or LoginStore()
        self._timeout = timeout
        self._logins: dict[str, Login | None] = {}
        self._available = False
        self._cancel: CancelToken | None = None
        self._pool = QThreadPool(self)  # made before the bridge, so destroyed first
        self._pool.setMaxThreadCount(1)
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._test_done, Qt.ConnectionType.QueuedConnection)
        self.setWindowTitle("Site Logins")
        self.resize(560, 380)
        self._build_list()
        self._build_buttons()
        self._build_layout()
        self.reload()

    def _build_list(self) -> None:
        self.intro_label = _muted(
            QLabel(
                "Clipper clips pages of these sites as you, logged in. The secrets are "
                "kept only in your system keyring."
            )
        )
        self.login_list = QTreeWidget()
        self.login_list.setHeaderLabels(["Site", "Login"])
        self.login_list.setRootIsDecorated(False)
        self.login_list.setAccessibleName("Site logins")
        self.login_list.itemSelectionChanged.connect(self._update_buttons)
        self.login_list.itemDoubleClicked.connect(lambda *_: self.edit_login())
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setAccessibleName("Message")

    def _build_buttons(self) -> None:
        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove")
        self.test_button = QPushButton("&Test…")
        self.test_button.setToolTip("Fetch a page with and without the login and compare")
        self.add_button.clicked.connect(self.add_login)
        self.edit_button.clicked.connect(self.edit_login)
        self.remove_button.clicked.connect(self.remove_login)
        self.test_button.clicked.connect(self.test_login)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

    def _build_layout(self) -> None:
        side = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button, self.test_button):
            button.setAutoDefault(False)
            side.addWidget(button)
        side.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.login_list, 1)
        middle.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addLayout(middle, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)

    # -- showing ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the logins again (the hosts alone when the keyring is unavailable)."""
        try:
            self.store.check_available()
            logins: dict[str, Login | None] = {x.host: x for x in self.store.logins()}
            self._available = True
        except KeyringUnavailable as exc:
            logins = dict.fromkeys(self.store.list_hosts())
            self._available = False
            self.show_message(str(exc))
        self._logins = logins
        self.login_list.clear()
        for host, login in logins.items():
            kind = login.describe() if login else "(in the keyring, which is unavailable)"
            item = QTreeWidgetItem([host, kind])
            item.setData(0, Qt.ItemDataRole.UserRole, host)
            self.login_list.addTopLevelItem(item)
        self.login_list.resizeColumnToContents(0)
        self._update_buttons()

    def hosts(self) -> list[str]:
        """The hosts listed, in order."""
        return list(self._logins)

    def selected_host(self) -> str | None:
        """The host of the selected row, if any."""
        items = self.login_list.selectedItems()
        return str(items[0].data(0, Qt.ItemDataRole.UserRole)) if items else None

    def select_host(self, host: str) -> None:
        """Select the row of this host."""
        for row in range(self.login_list.topLevelItemCount()):
            item = self.login_list.topLevelItem(row)
            if item is not None:
                item.setSelected(item.data(0, Qt.ItemDataRole.UserRole) == host)

    def show_message(self, text: str) -> None:
        """Say something under the list (results, problems)."""
        self.message_label.setText(text)

    def _update_buttons(self) -> None:
        chosen = self.selected_host() is not None
        self.add_button.setEnabled(self._available)
        self.edit_button.setEnabled(self._available and chosen)
        self.remove_button.setEnabled(self._available and chosen)
        self.test_button.setEnabled(self._available and chosen and self._cancel is None)

    # -- changing ----------------------------------------------------------------------------

    def add_login(self) -> None:
        """Ask for a new login and save it."""
        self._save(self._ask_login(None))

    def edit_login(self) -> None:
        """Edit the selected login (its secret stays unless a new one is typed)."""
        host = self.selected_host()
        login = self._logins.get(host) if host else None
        if login is not None and self._available:
            self._save(self._ask_login(login))

    def _save(self, values: tuple[Login, str | None] | None) -> None:
        if values is None:
            return
        login, secret = values
        try:
            self.store.add(login, secret)
        except ClipperError as exc:
            self.show_message(str(exc))
            return
        self.reload()
        self.select_host(login.host)
        self.show_message(f"Saved the login for {login.host}.")

    def remove_login(self) -> None:
        """Remove the selected login, after asking."""
        host = self.selected_host()
        if host is None or not self._confirm_remove(host):
            return
        try:
            self.store.remove(host)
        except ClipperError as exc:
            self.show_message(str(exc))
            return
        self.reload()
        self.show_message(f"Removed the login for {host}.")

    # -- testing ---------------------------------------------------------------------------

    def test_login(self) -> None:
        """Ask for a link of the selected site, then compare it with and without the login."""
        host = self.selected_host()
        url = self._ask_test_url(host) if host else None
        if not url:
            return
        self._cancel = CancelToken()
        self._update_buttons()
        self.show_message(f"Testing {url} …")
        work = functools.partial(
            _run_check, url, self.store, self._timeout, self._cancel, self._bridge
        )
        self._pool.start(work)

    def _test_done(self, result: LoginCheck) -> None:
        self._cancel = None
        self._update_buttons()
        self.show_message(result.message)
        self.test_finished.emit(result)

    def done(self, result: int) -> None:
        """Closing stops a running test (it gives up within a fraction of a second)."""
        if self._cancel is not None:
            self._cancel.cancel()
        self._pool.waitForDone(3000)
        super().done(result)

    # -- asking the user (overridden in tests) ---------------------------------------------

    def _ask_login(self, existing: Login | None) -> tuple[Login, str | None] | None:
        dialog = LoginEditDialog(existing, self)
        try:
            return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def _confirm_remove(self, host: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Remove Login",
            f"Remove the login for {host}? Its secret is deleted from the keyring.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _ask_test_url(self, host: str) -> str | None:
        start = f"https://[{host}]/" if ":" in host else f"https://{host}/"
        text, ok = QInputDialog.getText(
            self,
            "Test Login",
            f"A link to a page of {host} that needs the login:",
            QLineEdit.EchoMode.Normal,
            start,
        )
        return text.strip() if ok and text.strip() else None


def _run_check(
    url: str, store: LoginStore, timeout: float, cancel: CancelToken, bridge: _Bridge
) -> None:
    """Worker thread: test the login, report through the bridge (never touches a widget)."""
    try:
        result = check_login(url, store.headers_for, timeout=timeout, cancel=cancel)
    except FetchCancelled:
        result = LoginCheck(None, "Test cancelled.")
    except ClipperError as exc:
        result = LoginCheck(None, str(exc))
    except Exception:
        log.exception("Testing a site login failed with a bug")
        result = LoginCheck(None, _BUG)
    bridge.done.emit(result)


def open_site_logins(parent: QWidget | None = None) -> None:
    """Show the Site Logins dialog (changes are saved as they are made)."""
    dialog = SiteLoginsDialog(parent=parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()
