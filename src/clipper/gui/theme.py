"""Light and dark looks for the window: the platform's own, or a calm Fusion palette."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")
_STYLE_PROPERTY = "clipper_platform_style"

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# Dark is deliberately not black: a soft charcoal is easier on the eyes for long reading.
_DARK: Mapping[QPalette.ColorRole, str] = {
    Role.Window: "#2b2d30",
    Role.WindowText: "#e6e6e6",
    Role.Base: "#1e1f22",
    Role.AlternateBase: "#26282b",
    Role.Text: "#e6e6e6",
    Role.Button: "#33353a",
    Role.ButtonText: "#e6e6e6",
    Role.BrightText: "#ff6b6b",
    Role.Light: "#45484e",
    Role.Midlight: "#3a3d42",
    Role.Mid: "#55585e",
    Role.Dark: "#18191b",
    Role.Shadow: "#0e0e10",
    Role.Highlight: "#2f5ea8",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#7aaeff",
    Role.LinkVisited: "#b197fc",
    Role.ToolTipBase: "#33353a",
    Role.ToolTipText: "#e6e6e6",
    Role.PlaceholderText: "#8a8f98",
}
_DARK_DISABLED: Mapping[QPalette.ColorRole, str] = {
    Role.WindowText: "#7d8188",
    Role.Text: "#7d8188",
    Role.ButtonText: "#7d8188",
    Role.Highlight: "#3a3d42",
}

# Light is warm off-white rather than glaring #fff panels.
_LIGHT: Mapping[QPalette.ColorRole, str] = {
    Role.Window: "#f3f3f1",
    Role.WindowText: "#1f2328",
    Role.Base: "#fdfdfc",
    Role.AlternateBase: "#f5f5f3",
    Role.Text: "#1f2328",
    Role.Button: "#ececea",
    Role.ButtonText: "#1f2328",
    Role.BrightText: "#c62828",
    Role.Light: "#ffffff",
    Role.Midlight: "#e4e4e2",
    Role.Mid: "#b8b8b4",
    Role.Dark: "#9a9a96",
    Role.Shadow: "#6b6b68",
    Role.Highlight: "#2f6fd6",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#1f5fbf",
    Role.LinkVisited: "#6f42c1",
    Role.ToolTipBase: "#fffef5",
    Role.ToolTipText: "#1f2328",
    Role.PlaceholderText: "#767a80",
}
_LIGHT_DISABLED: Mapping[QPalette.ColorRole, str] = {
    Role.WindowText: "#9a9ca0",
    Role.Text: "#9a9ca0",
    Role.ButtonText: "#9a9ca0",
    Role.Highlight: "#c9ccd1",
}


def _palette(
    colours: Mapping[QPalette.ColorRole, str], disabled: Mapping[QPalette.ColorRole, str]
) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role, colour in disabled.items():
        palette.setColor(Group.Disabled, role, QColor(colour))
    return palette


def dark_palette() -> QPalette:
    """Clipper's dark palette (charcoal background, soft white text, blue links)."""
    return _palette(_DARK, _DARK_DISABLED)


def light_palette() -> QPalette:
    """Clipper's light palette (warm off-white background, near-black text)."""
    return _palette(_LIGHT, _LIGHT_DISABLED)


def is_dark(palette: QPalette) -> bool:
    """True when the palette draws light text on a dark background."""
    window = palette.color(Role.Window).lightness()
    text = palette.color(Role.WindowText).lightness()
    return window < text


def apply_theme(app: QApplication, theme: str) -> None:
    """Apply "system", "light" or "dark" (anything else means "system") to the application."""
    _remember_platform_style(app)
    if theme == "light":
        _apply_fusion(app, light_palette(), Qt.ColorScheme.Light)
    elif theme == "dark":
        _apply_fusion(app, dark_palette(), Qt.ColorScheme.Dark)
    else:
        _apply_system(app)


def _remember_platform_style(app: QApplication) -> None:
    """Keep the platform's style name the first time, so "system" can go back to it."""
    if not app.property(_STYLE_PROPERTY):
        app.setProperty(_STYLE_PROPERTY, app.style().name())


def _apply_fusion(
    app: QApplication, palette: QPalette, scheme: Qt.ColorScheme | None = None
) -> None:
    # Fusion draws every control from the palette, so both looks are consistent everywhere.
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    hints = app.styleHints()
    if scheme is not None and hasattr(hints, "setColorScheme"):
        hints.setColorScheme(scheme)  # Qt 6.8+: native dialogs and icons follow too
    app.setPalette(palette)


def _apply_system(app: QApplication) -> None:
    hints = app.styleHints()
    if hasattr(hints, "unsetColorScheme"):
        hints.unsetColorScheme()
    original = str(app.property(_STYLE_PROPERTY) or "")
    if original and app.style().name().lower() != original.lower():
        app.setStyle(original)
    app.setPalette(QPalette())  # an empty palette resets to the platform's own
    if _system_prefers_dark(app) and not is_dark(app.palette()):
        # Some styles ignore the desktop's dark mode; follow it ourselves then.
        _apply_fusion(app, dark_palette())


def _system_prefers_dark(app: QApplication) -> bool:
    hints = app.styleHints()
    if not hasattr(hints, "colorScheme"):  # Qt before 6.5 cannot tell
        return False
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)
