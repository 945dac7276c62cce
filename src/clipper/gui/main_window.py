"""The main window. For now a simple view of the library; the full window is the next step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from clipper import APP_NAME
from clipper.core.library import Library


class MainWindow(QMainWindow):
    """Shows where the library is and how many clips it holds."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.setWindowTitle(APP_NAME)
        self.resize(720, 420)
        self._build_body()

    def _build_body(self) -> None:
        count = self.library.count()
        text = (
            f"<h2>{APP_NAME}</h2>"
            f"<p>Your library holds <b>{count}</b> clip{'s' if count != 1 else ''}.</p>"
            f"<p style='color:gray'>{self.library.path}</p>"
            "<p>The reading window is on its way. Meanwhile, clip from a terminal:<br>"
            "<code>clipper add https://example.com/article</code></p>"
        )
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(label)
        self.setCentralWidget(body)
