"""Adding many sources at once, with every core extracting.

Extraction is pure Python for the most part (trafilatura, lxml), so threads share one
core. :class:`ExtractorPool` runs it in worker processes instead; reading and fetching
stay in threads of this process (they wait on disks and networks, and site logins live
in this process's keyring connection); writes stay on the caller's thread, one at a
time, in the order the sources were given.

Workers come from a fork server started before any threads exist, with the extractor
already imported, so a worker is ready in milliseconds and a window's threads are never
forked. A worker that dies (out of memory on a hostile page, a crash in a C library)
costs that one source, with a message; the pool is rebuilt for the rest.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import select
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from clipper.core.article import Article
from clipper.core.clipping import ClipOptions, extract, load_source
from clipper.core.errors import ClipperError
from clipper.core.library import AddResult, Library
from clipper.core.sources import RawDocument

log = logging.getLogger(__name__)

MAX_WORKERS = 8
CRASHED = "Clipper's extractor stopped while reading this page (it may be too large or damaged)."


def default_workers() -> int:
    """One extracting process per core this process may use, at most :data:`MAX_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _context() -> multiprocessing.context.BaseContext:
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["clipper.core.extract", "clipper.core.bulk"])
        return ctx
    return multiprocessing.get_context("spawn")


def _extract_in_worker(doc: RawDocument, keep_as_link: bool) -> Article:
    return extract(doc, keep_as_link)


def _worker_start(owner: int) -> None:
    """Each worker watches the Clipper process that started it and ends when it is gone.

    Without this, a Clipper killed outright (SIGKILL, a crash) would leave its idle
    workers and their fork server running: they hold their own ends of the task queue,
    so they never see it close.
    """
    threading.Thread(target=_exit_with, args=(owner,), name="clipper-owner", daemon=True).start()


def _exit_with(owner: int) -> None:
    try:
        fd = os.pidfd_open(owner)
    except (AttributeError, OSError):  # not Linux 5.3+: look every second instead
        while _alive(owner):
            time.sleep(1.0)
    else:
        select.select([fd], [], [])  # readable once the owner has exited
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ExtractorPool:
    """Worker processes that turn raw documents into articles; safe to call from threads."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self.extracted = 0  # documents the workers have handled

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("the extractor pool is closed")
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=_context(),
                    initializer=_worker_start,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def extract(self, doc: RawDocument, keep_as_link: bool = False) -> Article:
        """The article in ``doc`` (or a bookmark), extracted in a worker process.

        Raises the same :class:`ClipperError` as :func:`clipping.extract` would; a worker
        that dies takes only this document with it (a ClipperError saying so).
        """
        pool = self._executor()
        try:
            return self._count(pool.submit(_extract_in_worker, doc, keep_as_link).result())
        except BrokenProcessPool:
            # Either this page killed its worker or it was in a pool another page broke.
            # Try it once more on a fresh pool, so only the page at fault is lost.
            self._discard(pool)
        pool = self._executor()
        try:
            return self._count(pool.submit(_extract_in_worker, doc, keep_as_link).result())
        except BrokenProcessPool:
            self._discard(pool)
            log.warning("an extraction worker died on %s", doc.url or doc.name or "a document")
            raise ClipperError(CRASHED) from None

    def _count(self, article: Article) -> Article:
        with self._lock:
            self.extracted += 1
        return article

    def close(self, wait: bool = True) -> None:
        """Stop the workers; ``wait`` for pages being extracted (or let them finish alone)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class BulkItem:
    """What became of one source: ``result`` when stored, ``error`` (a message) when not."""

    source: str
    result: AddResult | None = None
    error: str | None = None


def clip_many(
    library: Library,
    sources: Iterable[str],
    options: ClipOptions | None = None,
    workers: int | None = None,
) -> Iterator[BulkItem]:
    """Read or fetch, extract and store each source; yields one item per source, in order.

    With one worker (or one source) it is :func:`clipping.clip_source` in a loop. Otherwise
    a few sources are read ahead in threads and extracted in worker processes while the
    caller's thread stores the finished ones, so at most ``4 x workers`` pages are in
    memory at once however many sources are given.
    """
    options = options or ClipOptions()
    items = list(sources)
    workers = min(workers or default_workers(), max(1, len(items)))
    if workers == 1:
        yield from _one_by_one(library, items, options)
        return
    window = 4 * workers
    extractors = ExtractorPool(workers)
    readers = ThreadPoolExecutor(window, thread_name_prefix="clipper-read")

    def prepare(source: str) -> tuple[RawDocument, Article]:
        doc = load_source(source, options)
        return doc, extractors.extract(doc, options.keep_as_link)

    pending: deque[tuple[str, Future[tuple[RawDocument, Article]]]] = deque()
    queue = iter(items)
    try:
        for source in queue:
            pending.append((source, readers.submit(prepare, source)))
            if len(pending) >= window:
                break
        while pending:
            source, future = pending.popleft()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((nxt, readers.submit(prepare, nxt)))
            yield _store(library, source, future, options)
    finally:
        # Stopped early (Ctrl+C, a consumer that breaks off): drop what has not started.
        readers.shutdown(wait=False, cancel_futures=True)
        extractors.close()


def _store(
    library: Library,
    source: str,
    future: Future[tuple[RawDocument, Article]],
    options: ClipOptions,
) -> BulkItem:
    try:
        doc, article = future.result()
        return BulkItem(source, result=library.add(article, doc, tags=options.tags))
    except ClipperError as exc:
        return BulkItem(source, error=str(exc))


def _one_by_one(library: Library, items: list[str], options: ClipOptions) -> Iterator[BulkItem]:
    from clipper.core.clipping import clip_source

    for source in items:
        try:
            yield BulkItem(source, result=clip_source(library, source, options))
        except ClipperError as exc:
            yield BulkItem(source, error=str(exc))
