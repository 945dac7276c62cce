"""Errors a user can cause, each with a message a person understands.

Anything that is not a ClipperError is a bug and goes to the log (and, in the
window, the crash dialog).
"""

from __future__ import annotations


class ClipperError(Exception):
    """A user-level error: its message is shown to the user as is."""


class FetchError(ClipperError):
    """A page could not be downloaded."""


class FetchTimeout(FetchError):
    """The overall deadline for a download passed."""


class FetchCancelled(FetchError):
    """The user (or another thread) cancelled a download."""


class TooLarge(FetchError):
    """A response was larger than the size cap."""


class NotHTML(FetchError):
    """A response was not a web page (PDF, image, archive, ...)."""


class SourceError(ClipperError):
    """A file, paste or other input could not be read."""


class NoArticle(ClipperError):
    """A page had no article text to keep."""


class LibraryError(ClipperError):
    """The library file could not be opened or written."""


class LibraryTooNew(LibraryError):
    """The library was written by a newer Clipper."""


class NotFound(ClipperError):
    """A clip, tag or login that was asked for does not exist."""
