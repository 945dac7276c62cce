"""The PySide6 window: depends on clipper.core, never the reverse."""
