"""The Export dialog: which clips, which format, one file each or combined, and where."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clipper.core.export.batch import EXTENSIONS, FORMAT_NAMES, FORMATS, ExportRequest


class ExportDialog(QDialog):
    """Ask what to export; ``request()`` builds the core's ExportRequest."""

    def __init__(
        self,
        scopes: dict[str, list[int]],
        folder: str,
        template: str,
        parent: QWidget | None = None,
        fields: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.resize(560, 0)
        self._scopes = scopes  # label -> ids, e.g. {"Selected clips": [...], ...}
        self._template = template
        self._fields = fields
        self._build_scope()
        self._build_format()
        self._build_target(folder)
        self._build_layout()
        self._update()

    def _build_scope(self) -> None:
        self.scope_buttons = QButtonGroup(self)
        self._scope_box = QVBoxLayout()
        for n, (label, ids) in enumerate(self._scopes.items()):
            button = QRadioButton(f"{label} ({len(ids):,})")
            button.setEnabled(bool(ids))
            self.scope_buttons.addButton(button, n)
            self._scope_box.addWidget(button)
        first = next((b for b in self.scope_buttons.buttons() if b.isEnabled()), None)
        if first is not None:
            first.setChecked(True)

    def _build_format(self) -> None:
        self.format_box = QComboBox()
        self.format_box.setAccessibleName("Format")
        for key in FORMATS:
            self.format_box.addItem(FORMAT_NAMES[key], key)
        self.each_button = QRadioButton("One file per clip, into a folder")
        self.combine_button = QRadioButton("All in one file")
        self.each_button.setChecked(True)
        self.format_box.currentIndexChanged.connect(self._update)
        self.combine_button.toggled.connect(self._update)

    def _build_target(self, folder: str) -> None:
        self.target_edit = QLineEdit(folder or str(Path.home()))
        self.target_edit.setAccessibleName("Where to export")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._browse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _build_layout(self) -> None:
        target = QHBoxLayout()
        target.addWidget(self.target_edit, 1)
        target.addWidget(self.browse_button)
        how = QVBoxLayout()
        how.addWidget(self.each_button)
        how.addWidget(self.combine_button)
        form = QFormLayout(self)
        form.addRow("Clips:", self._scope_box)
        form.addRow("&Format:", self.format_box)
        form.addRow("Files:", how)
        form.addRow("&Where:", target)
        form.addRow(self.buttons)

    @property
    def format(self) -> str:
        return str(self.format_box.currentData())

    @property
    def combined(self) -> bool:
        return self.format == "json" or self.combine_button.isChecked()

    def _update(self) -> None:
        json = self.format == "json"
        self.each_button.setEnabled(not json)
        self.combine_button.setEnabled(not json)
        if json:
            self.combine_button.setChecked(True)
        target = Path(self.target_edit.text() or Path.home())
        folder = target.parent if target.suffix in EXTENSIONS.values() else target
        if self.combined:
            name = f"Clipper {date.today().isoformat()}{EXTENSIONS[self.format]}"
            self.target_edit.setText(str(folder / name))
        else:
            self.target_edit.setText(str(folder))

    def _browse(self) -> None:
        current = self.target_edit.text()
        if self.combined:
            ext = EXTENSIONS[self.format]
            path, _ = QFileDialog.getSaveFileName(
                self, "Export to", current, f"{FORMAT_NAMES[self.format]} (*{ext})"
            )
            if path and not path.endswith(ext):
                path += ext
        else:
            path = QFileDialog.getExistingDirectory(self, "Export into", current)
        if path:
            self.target_edit.setText(path)

    def selected_ids(self) -> list[int]:
        button_id = self.scope_buttons.checkedId()
        labels = list(self._scopes)
        return self._scopes[labels[button_id]] if 0 <= button_id < len(labels) else []

    def request(self) -> ExportRequest:
        target = Path(self.target_edit.text()).expanduser()
        return ExportRequest(
            ids=self.selected_ids(),
            format=self.format,
            folder=None if self.combined else target,
            combine=target if self.combined else None,
            template=self._template,
            fields=self._fields,
        )
