"""QApplication, logging, the crash dialog and main() for the window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from clipper import APP_ID, APP_NAME, __version__
from clipper.core.errors import ClipperError

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="clipper")
    parser.add_argument("--library", metavar="PATH")
    parser.add_argument("sources", nargs="*", help="files or links to clip")
    return parser.parse_args(list(argv))


def _absolute(source: str) -> str:
    """Paths made absolute, so another instance (another working folder) can read them."""
    if "://" in source or source.startswith("file:"):
        return source
    path = Path(source).expanduser()
    return str(path.resolve()) if path.exists() else source


def _no_display() -> bool:
    """True on Linux with no X11 or Wayland display (Qt would abort with a core dump)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def app_icon() -> QIcon:
    """The window icon, from the PNGs shipped inside the package."""
    from importlib.resources import files

    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon, folder = QIcon(), files("clipper") / "resources" / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addFile(str(folder / f"clipper-{size}.png"), QSize(size, size))
    return icon


def install_excepthook(log_file: Path | None) -> None:
    """Unexpected exceptions go to the log and a crash dialog; the app keeps running."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.critical("Unexpected error", exc_info=(kind, exc, tb))
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        from PySide6.QtWidgets import QApplication

        from clipper.gui.dialogs import CrashDialog

        if QApplication.instance() is None:
            traceback.print_exception(kind, exc, tb)
            return
        summary = "".join(traceback.format_exception_only(kind, exc)).strip()
        CrashDialog(summary, log_file).exec()

    sys.excepthook = hook


def _check_health(path: Path) -> bool:
    """A damaged library: offer the newest good backup. False when the window cannot open."""
    from PySide6.QtWidgets import QMessageBox

    from clipper.core.backup import (
        ALWAYS_CHECK_BYTES,
        backup_summary,
        check_library,
        latest_backup,
        restore_backup,
    )

    if path.exists() and path.stat().st_size > ALWAYS_CHECK_BYTES:
        return True  # checked when its backup is due: reading gigabytes would delay the window
    report = check_library(path)
    if not report.damaged:
        return True
    backup = latest_backup(path)
    if backup is None:
        QMessageBox.critical(
            None, APP_NAME, f"{report.describe()}\n\nThere is no backup to restore."
        )
        return False
    answer = QMessageBox.question(
        None,
        APP_NAME,
        f"{report.describe()}\n\nRestore the latest backup ({backup_summary(backup)})? "
        "The damaged file is kept beside it.",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        restore_backup(backup, path)
    except ClipperError as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return False
    return True


def _backup_in_background(library: object, settings: object) -> None:
    """The automatic rotating backup, off the UI thread (it has its own connections)."""
    import threading

    from clipper.core.backup import maybe_backup

    threading.Thread(
        target=maybe_backup, args=(library, settings), name="clipper-backup", daemon=True
    ).start()


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window on the user's library."""
    if _no_display():
        print(
            "clipper: there is no display to open the window on (DISPLAY is not set). "
            "Run it from a desktop session, or use the command line: clipper --help",
            file=sys.stderr,
        )
        return 1
    from PySide6.QtWidgets import QApplication, QMessageBox

    from clipper.core.library import Library
    from clipper.core.logs import setup_logging
    from clipper.core.paths import library_path
    from clipper.core.settings import load_settings
    from clipper.gui.main_window import MainWindow
    from clipper.gui.single_instance import InstanceServer, hand_over, server_name
    from clipper.gui.theme import apply_theme

    args = _parse(sys.argv[1:] if argv is None else argv)
    log_file = setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_ID)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    # on Wayland this is how the desktop matches the window to its menu entry and icon
    app.setDesktopFileName("io.github.clipper.Clipper")
    install_excepthook(log_file)
    settings = load_settings()
    path = library_path(args.library, settings.library_path)
    sources = [_absolute(s) for s in args.sources]
    name = server_name(path)
    if hand_over(name, sources):
        log.info("Handed %d source(s) to the running Clipper.", len(sources))
        return 0
    apply_theme(app, settings.theme)  # type: ignore[arg-type]
    if not _check_health(path):
        return 1
    try:
        library = Library(path)
    except ClipperError as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 1
    window = MainWindow(library, settings)
    _backup_in_background(library, settings)
    server = InstanceServer(name, window.clip_sources)
    window.show()
    window.clip_sources(sources)
    try:
        return int(app.exec())
    finally:
        server.close()
        library.close()
