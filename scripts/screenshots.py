"""Render the window to PNG files under docs/ (offscreen): empty, a library, reading, dark.

Run with `make screenshots`. Uses only the test fixture pages (written for this project).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "pages"
DOCS = ROOT / "docs"
SAMPLES = {
    "news.html": ["news", "cities"],
    "aggregator.html": ["travel", "trains"],
    "blog-code.html": ["programming"],
    "docs.html": ["programming", "reference"],
    "saved.mhtml": ["coffee"],
    "windows-1251.html": ["cities"],
    "shift_jis.html": ["travel", "japan"],
    "note.md": ["notes"],
}


def fill(library: object) -> None:
    from clipper.core.clipping import ClipOptions, clip_document
    from clipper.core.sources import load_file

    for name, tags in SAMPLES.items():
        clip_document(library, load_file(PAGES / name), ClipOptions(tags=tags))  # type: ignore[arg-type]


def shoot(window: object, app: object, name: str) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(5):
        QApplication.processEvents()
    path = DOCS / name
    window.grab().save(str(path))  # type: ignore[attr-defined]
    print(f"wrote {path.relative_to(ROOT)}")


def render_pdf(library: object, tmp: str) -> None:
    """A combined PDF of three sample clips, its first pages rendered to PNG (needs pdftoppm)."""
    import shutil
    import subprocess

    from clipper.core.export.batch import ExportRequest, export_clips

    if not shutil.which("pdftoppm"):
        print("pdftoppm is missing (apt-get install poppler-utils): PDF pages not rendered")
        return
    ids = [library.search(q).clips[0].id for q in ("flood barrier", "retrying", "городские")]  # type: ignore[attr-defined]
    pdf = Path(tmp) / "sample.pdf"
    export_clips(library, ExportRequest(ids=ids, format="pdf", combine=pdf, title="Reading list"))  # type: ignore[arg-type]
    for page in (1, 2, 4):
        out = DOCS / f"pdf-page-{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(pdf),
                str(out),
            ],
            check=True,
        )
        print(f"wrote {out.relative_to(ROOT)}.png")


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
            os.environ[var] = str(Path(tmp) / var)
        from PySide6.QtWidgets import QApplication

        from clipper.core.library import Library
        from clipper.core.settings import Settings
        from clipper.gui.main_window import MainWindow
        from clipper.gui.theme import apply_theme

        app = QApplication(sys.argv[:1])
        apply_theme(app, "light")
        library = Library(Path(tmp) / "library.sqlite3")
        window = MainWindow(library, Settings())
        window.resize(1360, 820)
        window.show()
        shoot(window, app, "window-empty.png")
        fill(library)
        window.reload_views()
        window.view.clearSelection()
        window.reader.clear_clip()
        shoot(window, app, "window-library.png")
        row = window.model.row_of(library.search("flood barrier").clips[0].id) or 0
        window.view.selectRow(row)
        shoot(window, app, "window-reading.png")
        apply_theme(app, "dark")
        window.search_field.setText("tag:travel")
        window.model.set_query("tag:travel")
        window.view.selectRow(0)
        shoot(window, app, "window-dark.png")
        window.close()
        render_pdf(library, tmp)
        library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
