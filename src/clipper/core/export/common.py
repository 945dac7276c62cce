"""What every export format shares: safe, atomic, never-overwriting writes and batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from clipper.core.errors import ClipperError
from clipper.core.export.filenames import unique_path
from clipper.core.fileio import describe_os_error, write_new_file
from clipper.core.library import Clip

# progress(done, total): called after each clip; returning False cancels the export.
Progress = Callable[[int, int], bool | None]


class ExportCancelled(ClipperError):
    """The user cancelled an export; files already written are kept and listed."""

    def __init__(self, written: list[Path]) -> None:
        super().__init__(f"Export cancelled after {len(written)} file(s).")
        self.written = written


def write_unique(folder: Path, stem: str, extension: str, data: bytes) -> Path:
    """Write ``folder/stem.ext`` (or ``stem (2).ext``...) atomically; never overwrites."""
    for _attempt in range(100):
        path = unique_path(folder, stem, extension)
        try:
            write_new_file(path, data)
        except FileExistsError:
            continue  # another writer took that name in between: pick the next
        except OSError as exc:
            raise describe_os_error(exc, path) from exc
        return path
    raise ClipperError(f"Could not find a free file name for {stem}{extension} in {folder}.")


def write_target(path: Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write one combined file; an existing file is replaced only when asked (else a sibling)."""
    if overwrite or not path.exists():
        try:
            if overwrite and path.exists():
                path.unlink()
            write_new_file(path, data)
            return path
        except FileExistsError:
            pass
        except OSError as exc:
            raise describe_os_error(exc, path) from exc
    return write_unique(path.parent, path.stem, path.suffix, data)


def each_clip(
    clips: Iterable[Clip], total: int, progress: Progress | None, written: list[Path]
) -> Iterable[Clip]:
    """Iterate clips, reporting progress and stopping with ExportCancelled when asked."""
    for n, clip in enumerate(clips, 1):
        yield clip
        if progress is not None and progress(n, total) is False:
            raise ExportCancelled(written)


def write_each(
    clips: Sequence[Clip],
    folder: Path,
    extension: str,
    render: Callable[[Clip], bytes],
    name: Callable[[Clip], str],
    progress: Progress | None = None,
) -> list[Path]:
    """One file per clip in ``folder``: ``render`` makes its bytes, ``name`` its file stem.

    Existing files get a numbered sibling instead; ExportCancelled if progress says stop.
    """
    written: list[Path] = []
    for clip in each_clip(clips, len(clips), progress, written):
        written.append(write_unique(folder, name(clip), extension, render(clip)))
    return written
