"""Background clipping: fetch and extract off the UI thread, results back by signal.

Each submitted request becomes a :class:`ClipJob`. Downloading, reading and extracting run
in a small thread pool (several pages at once); the library write runs in a pool of one
thread, so writes happen one at a time and never on the UI thread. Worker code never
touches a ``ClipJob`` or a widget: it reports through a bridge object whose signals are
queued to the UI thread, where :class:`JobRunner` updates the job and emits its signals.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    Signal,
)

from clipper.core.article import Article
from clipper.core.clipping import ClipOptions, extract, load_source
from clipper.core.errors import ClipperError
from clipper.core.fetch import CancelToken
from clipper.core.library import AddResult, Library
from clipper.core.sources import RawDocument, document_from_paste, document_from_text, load_file

log = logging.getLogger(__name__)

REQUEST_KINDS = ("url", "file", "html", "text")

QUEUED = "queued"
FETCHING = "fetching"
EXTRACTING = "extracting"
SAVING = "saving"
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"
FINISHED_STATES = frozenset({DONE, FAILED, CANCELLED})

BUG_MESSAGE = "Something went wrong inside Clipper; details are in the log."
MAX_DOWNLOADS = 3
# With this many jobs at once (a drop of many files, a pasted list of links), extraction
# moves to worker processes so every core works; single clips extract in their thread.
PROCESS_POOL_FROM = 2

_STAGE_MESSAGES = {
    QUEUED: "Waiting…",
    FETCHING: "Downloading…",
    EXTRACTING: "Finding the article…",
    SAVING: "Saving…",
    CANCELLED: "Cancelled",
}
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ClipRequest:
    """What the user handed us to clip.

    ``kind`` is "url" (``value`` is a link), "file" (a path), "html" (a pasted or dropped
    page fragment) or "text" (pasted text); ``source_url`` is where html or text came from.
    """

    kind: str
    value: str
    source_url: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in REQUEST_KINDS:
            raise ValueError(f"unknown clip request kind {self.kind!r}")

    @property
    def label(self) -> str:
        """A short name for the request in lists: the link, the file name, or "Pasted …"."""
        if self.kind == "url":
            return self.value
        if self.kind == "file":
            return Path(self.value).name or self.value
        return "Pasted page" if self.kind == "html" else "Pasted text"


class _Ticket:
    """A job's cancel token plus who got there first: the worker starting or a cancel.

    A queued job cancelled before any worker claimed it never runs, so the UI may call it
    cancelled at once; once claimed, only the worker can say how it ended.
    """

    def __init__(self) -> None:
        self.token = CancelToken()
        self._lock = threading.Lock()
        self._claimed = False

    def claim(self) -> bool:
        """Called by the worker before any work; False if the job was cancelled first."""
        with self._lock:
            if self.token.cancelled:
                return False
            self._claimed = True
            return True

    def cancel(self) -> bool:
        """Trip the token; True if no worker had claimed the job (so it will never run)."""
        with self._lock:
            self.token.cancel()
            return not self._claimed


class ClipJob(QObject):
    """One request on its way into the library; lives on the UI thread.

    ``state`` is one of queued, fetching, extracting, saving, done, failed, cancelled;
    ``message`` is text for the user; ``result`` is set once the clip is stored.
    """

    def __init__(
        self,
        job_id: int,
        request: ClipRequest,
        on_cancel: Callable[[ClipJob], None],
    ) -> None:
        super().__init__()
        self.id = job_id
        self.request = request
        self.state = QUEUED
        self.message = _STAGE_MESSAGES[QUEUED]
        self.result: AddResult | None = None
        self._ticket = _Ticket()
        self._on_cancel = on_cancel

    @property
    def finished(self) -> bool:
        """Whether the job has ended (done, failed or cancelled)."""
        return self.state in FINISHED_STATES

    def cancel(self) -> None:
        """Stop the job: a queued one never starts, a running download stops promptly."""
        if not self.finished:
            self._on_cancel(self)

    def __repr__(self) -> str:
        return f"<ClipJob {self.id} {self.request.kind} {self.state}>"


class _Bridge(QObject):
    """Signals emitted from worker threads; the runner receives them on the UI thread."""

    stage = Signal(int, str)
    saved = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int)


class _Cancelled(Exception):
    """Raised inside a worker when it notices the job was cancelled between steps."""


class _Extraction:
    """Where workers extract: in their own thread, or in a pool of processes for batches.

    A plain object shared with the worker threads (no Qt). The pool starts when a batch
    arrives and is let go when the queue is empty again; its fork server stays, so the
    next batch gets workers in milliseconds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: Any = None  # clipper.core.bulk.ExtractorPool, imported when needed

    def use_processes(self) -> None:
        with self._lock:
            if self._pool is None:
                from clipper.core.bulk import ExtractorPool

                self._pool = ExtractorPool()

    def release(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close(wait=False)

    def extract(self, doc: RawDocument, keep_as_link: bool) -> Article:
        with self._lock:
            pool = self._pool
        if pool is not None:
            try:
                return pool.extract(doc, keep_as_link)  # type: ignore[no-any-return]
            except RuntimeError:  # released meanwhile (cancelled jobs): finish here
                pass
        return extract(doc, keep_as_link)


class JobRunner(QObject):
    """Runs clip requests in the background and reports on the UI thread.

    Signals (all carry the ``ClipJob``): ``job_added``, ``job_changed`` (any change of
    state or message), ``job_finished`` (stored; ``job.result.status`` is "added" or
    "updated"), ``job_failed`` (``job.message`` says why), ``job_cancelled``,
    ``job_removed``; and ``queue_changed()`` when the set of active jobs changes.
    """

    job_added = Signal(object)
    job_changed = Signal(object)
    job_finished = Signal(object)
    job_failed = Signal(object)
    job_cancelled = Signal(object)
    job_removed = Signal(object)
    queue_changed = Signal()

    def __init__(
        self,
        library: Library,
        options_factory: Callable[[], ClipOptions],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self._options_factory = options_factory
        self._jobs: list[ClipJob] = []  # most recent first
        self._ids = itertools.count(1)
        self._downloads = QThreadPool(self)
        self._downloads.setMaxThreadCount(MAX_DOWNLOADS)
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)
        self._bridge = _Bridge(self)
        self._extraction = _Extraction()
        self._connect_bridge()
        self.queue_changed.connect(self._release_when_idle)

    def _connect_bridge(self) -> None:
        queued = Qt.ConnectionType.QueuedConnection
        self._bridge.stage.connect(self._on_stage, queued)
        self._bridge.saved.connect(self._on_saved, queued)
        self._bridge.failed.connect(self._on_failed, queued)
        self._bridge.cancelled.connect(self._on_cancelled, queued)

    # -- what the window calls ---------------------------------------------------------

    def submit(self, request: ClipRequest) -> ClipJob:
        """Queue a request; returns its job at once (state "queued")."""
        job = ClipJob(next(self._ids), request, self._cancel)
        options = dataclasses.replace(self._options_factory(), cancel=job._ticket.token)
        self._jobs.insert(0, job)
        if len(self.active_jobs()) >= PROCESS_POOL_FROM:
            self._extraction.use_processes()
        self.job_added.emit(job)
        self.queue_changed.emit()
        # The worker gets plain values only, never the job object: the job belongs to the
        # UI thread (and must not be freed by a worker dropping the last reference).
        work = functools.partial(
            _prepare,
            job.id,
            request,
            options,
            job._ticket,
            self._bridge,
            self._library,
            self._writer,
            self._extraction,
        )
        self._downloads.start(work)
        return job

    def retry(self, job: ClipJob) -> ClipJob:
        """Submit the same request again; a finished ``job`` leaves the list."""
        if job.finished:
            self._remove(job)
        return self.submit(job.request)

    def cancel_all(self) -> None:
        """Cancel every job that has not finished."""
        for job in self.active_jobs():
            job.cancel()

    def jobs(self) -> list[ClipJob]:
        """Every job still listed, most recent first."""
        return list(self._jobs)

    def active_jobs(self) -> list[ClipJob]:
        """Jobs not yet done, failed or cancelled, most recent first."""
        return [job for job in self._jobs if not job.finished]

    def job(self, job_id: int) -> ClipJob | None:
        """The listed job with this id, if any."""
        return next((job for job in self._jobs if job.id == job_id), None)

    def clear_finished(self) -> None:
        """Forget jobs that are done, failed or cancelled."""
        for job in [job for job in self._jobs if job.finished]:
            self._remove(job)

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Cancel everything and wait up to ``timeout_ms`` for the workers.

        Returns True if every worker stopped in time. Reports already sent by the workers
        are delivered before returning, so jobs show how they ended.
        """
        self.cancel_all()
        end = time.monotonic() + timeout_ms / 1000
        stopped = self._downloads.waitForDone(timeout_ms)
        left = max(0, round((end - time.monotonic()) * 1000))
        stopped = self._writer.waitForDone(left) and stopped
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
        self._extraction.release()
        return stopped

    def _release_when_idle(self) -> None:
        if not self.active_jobs():
            self._extraction.release()

    # -- job bookkeeping (UI thread) -----------------------------------------------------

    def _cancel(self, job: ClipJob) -> None:
        if job._ticket.cancel():
            self._end(job, CANCELLED, _STAGE_MESSAGES[CANCELLED], self.job_cancelled)
        else:
            # A worker holds the job; it stops at its next check and reports back.
            self._update(job, job.state, "Cancelling…")

    def _remove(self, job: ClipJob) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
            self.job_removed.emit(job)

    def _live(self, job_id: int) -> ClipJob | None:
        """The job a report is about, unless it already ended (late reports are dropped)."""
        job = self.job(job_id)
        return job if job is not None and not job.finished else None

    def _update(self, job: ClipJob, state: str, message: str) -> None:
        job.state, job.message = state, message
        self.job_changed.emit(job)

    def _end(self, job: ClipJob, state: str, message: str, signal: Any) -> None:
        self._update(job, state, message)
        signal.emit(job)
        self.queue_changed.emit()

    def _on_stage(self, job_id: int, state: str) -> None:
        job = self._live(job_id)
        if job is not None:
            cancelling = job._ticket.token.cancelled
            self._update(job, state, "Cancelling…" if cancelling else _stage_message(job, state))

    def _on_saved(self, job_id: int, result: AddResult) -> None:
        job = self._live(job_id)
        if job is not None:
            job.result = result
            verb = "Added" if result.status == "added" else "Updated"
            self._end(job, DONE, f"{verb}: {result.clip.title}", self.job_finished)

    def _on_failed(self, job_id: int, message: str) -> None:
        job = self._live(job_id)
        if job is not None:
            self._end(job, FAILED, message, self.job_failed)

    def _on_cancelled(self, job_id: int) -> None:
        job = self._live(job_id)
        if job is not None:
            self._end(job, CANCELLED, _STAGE_MESSAGES[CANCELLED], self.job_cancelled)


def _stage_message(job: ClipJob, state: str) -> str:
    if state == FETCHING and job.request.kind == "file":
        return "Reading the file…"
    return _STAGE_MESSAGES.get(state, state)


# -- worker side: runs in the pools, talks to the UI only through the bridge -----------------


def _prepare(
    job_id: int,
    request: ClipRequest,
    options: ClipOptions,
    ticket: _Ticket,
    bridge: _Bridge,
    library: Library,
    writer: QThreadPool,
    extraction: _Extraction,
) -> None:
    """Download or read the request and extract its article, then queue the write."""
    if not ticket.claim():
        return  # cancelled while queued; the UI already said so
    try:
        doc = _load(job_id, request, options, bridge)
        bridge.stage.emit(job_id, EXTRACTING)
        article = extraction.extract(doc, options.keep_as_link)
        _check(options)
    except Exception as exc:
        _report_error(job_id, exc, options, bridge)
        return
    writer.start(functools.partial(_save, job_id, doc, article, options, bridge, library))


def _load(job_id: int, request: ClipRequest, options: ClipOptions, bridge: _Bridge) -> RawDocument:
    if request.kind == "html":
        return document_from_paste(request.value, request.source_url)
    if request.kind == "text":
        return document_from_text(request.value, request.source_url)
    bridge.stage.emit(job_id, FETCHING)
    if request.kind == "file":
        return load_file(request.value)
    return load_source(request.value, options)


def _save(
    job_id: int,
    doc: RawDocument,
    article: Article,
    options: ClipOptions,
    bridge: _Bridge,
    library: Library,
) -> None:
    """Store an extracted article (runs on the single writer thread)."""
    try:
        _check(options)
        bridge.stage.emit(job_id, SAVING)
        result = library.add(article, doc, tags=options.tags)
    except Exception as exc:
        _report_error(job_id, exc, options, bridge)
        return
    bridge.saved.emit(job_id, result)


def _check(options: ClipOptions) -> None:
    if options.cancel is not None and options.cancel.cancelled:
        raise _Cancelled


def _report_error(job_id: int, exc: Exception, options: ClipOptions, bridge: _Bridge) -> None:
    """Tell the UI how a job ended badly; called from inside the ``except`` block."""
    # Once cancelled, whatever the worker tripped over on its way out is just the cancel.
    if options.cancel is not None and options.cancel.cancelled:
        bridge.cancelled.emit(job_id)
    elif isinstance(exc, ClipperError):
        bridge.failed.emit(job_id, str(exc))
    else:
        log.exception("Clipping job %d failed with a bug", job_id)
        bridge.failed.emit(job_id, BUG_MESSAGE)


# -- the clipping queue panel ------------------------------------------------------------------


class JobListModel(QAbstractListModel):
    """The runner's jobs for a small "clipping queue" list, most recent first.

    DisplayRole is "label — message"; ``StateRole`` gives the state name and ``JobRole``
    the ``ClipJob`` itself.
    """

    StateRole = Qt.ItemDataRole.UserRole + 1
    JobRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._jobs: list[ClipJob] = runner.jobs()
        runner.job_added.connect(self._on_added)
        runner.job_changed.connect(self._on_changed)
        runner.job_removed.connect(self._on_removed)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Number of jobs listed (a flat list: no children)."""
        return 0 if parent.isValid() else len(self._jobs)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The text, tooltip, state or job object for a row."""
        if not index.isValid() or not 0 <= index.row() < len(self._jobs):
            return None
        job = self._jobs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{job.request.label} — {job.message}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{job.request.label}\n{job.message}"
        if role == self.StateRole:
            return job.state
        if role == self.JobRole:
            return job
        return None

    def job_at(self, row: int) -> ClipJob | None:
        """The job shown in ``row``, if there is one."""
        return self._jobs[row] if 0 <= row < len(self._jobs) else None

    def jobs_for_rows(self, rows: Sequence[int]) -> list[ClipJob]:
        """The jobs shown in ``rows`` (rows out of range are skipped)."""
        return [job for row in rows if (job := self.job_at(row)) is not None]

    def clear_finished(self) -> None:
        """Remove done, failed and cancelled jobs from the list (and the runner)."""
        self._runner.clear_finished()

    def _on_added(self, job: ClipJob) -> None:
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._jobs.insert(0, job)
        self.endInsertRows()

    def _on_changed(self, job: ClipJob) -> None:
        if job in self._jobs:
            index = self.index(self._jobs.index(job), 0)
            self.dataChanged.emit(index, index)

    def _on_removed(self, job: ClipJob) -> None:
        if job in self._jobs:
            row = self._jobs.index(job)
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._jobs[row]
            self.endRemoveRows()
