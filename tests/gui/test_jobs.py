"""Background clipping with a real library, a real loopback server and a real Qt event loop."""

from __future__ import annotations

import itertools
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from clipper.core.article import Article
from clipper.core.clipping import ClipOptions, clip_source
from clipper.core.errors import ClipperError
from clipper.core.library import AddResult, Library
from clipper.core.sources import RawDocument
from clipper.gui.jobs import BUG_MESSAGE, ClipJob, ClipRequest, JobListModel, JobRunner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
WAIT_MS = 15_000

_SENTENCES = [
    "The river town kept its old mills running long after the railway reached the valley.",
    "Every morning the millers opened the sluice gates and listened for the wheels to turn.",
    "Visitors often asked why nobody had replaced the machinery with something newer.",
    "The answer, according to the oldest families, had more to do with pride than money.",
    "Grain from three counties still arrived by cart in the weeks after the harvest.",
    "Children learned to tell the mills apart by the sound each one made at full speed.",
    "In winter the ice sometimes stopped the wheels, and the whole street fell quiet.",
    "A local historian spent twenty years collecting ledgers, letters and photographs.",
    "Her book describes arguments about water rights that lasted for several generations.",
    "Today two of the mills grind flour again, mostly for bakeries in the nearby city.",
]


def article_html(title: str, paragraphs: int = 8) -> str:
    """A plain article page of about 300 words."""
    body = "\n".join(
        "<p>" + " ".join(_SENTENCES[(p + s) % len(_SENTENCES)] for s in range(3)) + "</p>"
        for p in range(paragraphs)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"</head><body><header><a href='/'>Valley News</a></header><main><article>"
        f"<h1>{title}</h1>{body}</article></main><footer>© Valley News</footer></body></html>"
    )


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "lib.sqlite3") as lib:
        yield lib


@pytest.fixture
def runner(library: Library, qapp: Any) -> Iterator[JobRunner]:
    jobs = JobRunner(library, lambda: ClipOptions(timeout=10))
    yield jobs
    assert jobs.shutdown(3000)


class Recorder:
    """Every signal the runner emits, in order, as (name, job id, state)."""

    def __init__(self, runner: JobRunner) -> None:
        self.events: list[tuple[str, int, str]] = []
        for name in ("job_changed", "job_finished", "job_failed", "job_cancelled"):
            getattr(runner, name).connect(lambda job, n=name: self._add(n, job))

    def _add(self, name: str, job: ClipJob) -> None:
        self.events.append((name, job.id, job.state))

    def states(self, job: ClipJob) -> list[str]:
        return [s for n, i, s in self.events if n == "job_changed" and i == job.id]

    def names(self, job: ClipJob) -> list[str]:
        return [n for n, i, _ in self.events if i == job.id and n != "job_changed"]


def wait_until_finished(qtbot: Any, job: ClipJob, timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(lambda: job.finished, timeout=timeout)


def core_message(library: Library, url: str) -> str:
    """What the core itself says about a URL that cannot be clipped."""
    with pytest.raises(ClipperError) as info:
        clip_source(library, url, ClipOptions(timeout=10))
    return str(info.value)


def test_url_is_added_then_updated(
    qtbot: Any, runner: JobRunner, library: Library, http_server: Any
) -> None:
    http_server.page("/mills", article_html("The mills of the valley"))
    url = http_server.url("/mills")
    seen = Recorder(runner)
    with qtbot.waitSignal(runner.job_finished, timeout=WAIT_MS) as finished:
        job = runner.submit(ClipRequest("url", url))
        assert job.state == "queued"
    assert finished.args == [job]
    assert job.state == "done" and job.result is not None
    assert job.result.status == "added"
    assert seen.states(job) == ["fetching", "extracting", "saving", "done"]
    assert seen.names(job) == ["job_finished"]
    assert library.count() == 1
    assert library.get(job.result.clip.id).title == "The mills of the valley"

    again = runner.submit(ClipRequest("url", url))
    wait_until_finished(qtbot, again)
    assert again.result is not None and again.result.status == "updated"
    assert again.result.clip.id == job.result.clip.id
    assert library.count() == 1
    assert runner.jobs() == [again, job]


def test_ui_thread_keeps_running_during_a_slow_download(
    qtbot: Any, runner: JobRunner, library: Library, http_server: Any
) -> None:
    page = article_html("A slow page").encode()
    pieces = [page[i : i + len(page) // 10 + 1] for i in range(0, len(page), len(page) // 10 + 1)]
    http_server.stream("/slow", lambda: iter(pieces), delay=0.2)  # about 2 s in all
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    start = time.monotonic()
    job = runner.submit(ClipRequest("url", http_server.url("/slow")))
    wait_until_finished(qtbot, job)
    took = time.monotonic() - start
    timer.stop()
    assert job.state == "done", job.message
    assert took >= 1.5  # the page really trickled
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    # A 20 ms timer kept firing the whole time: the event loop was never held up for long.
    assert len(ticks) >= took / 0.02 * 0.5
    assert max(gaps) < 0.5


@pytest.mark.parametrize("case", ["missing", "login"])
def test_failures_carry_the_core_message(
    qtbot: Any, runner: JobRunner, library: Library, http_server: Any, case: str
) -> None:
    if case == "login":
        http_server.page("/login", (FIXTURES / "login.html").read_bytes())
    url = http_server.url("/login" if case == "login" else "/nowhere")
    expected = core_message(library, url)
    seen = Recorder(runner)
    with qtbot.waitSignal(runner.job_failed, timeout=WAIT_MS) as failed:
        job = runner.submit(ClipRequest("url", url))
    assert failed.args == [job]
    assert job.state == "failed" and job.result is None
    assert job.message == expected
    assert seen.names(job) == ["job_failed"]
    assert library.count() == 0


def test_cancel_stops_a_hanging_download_promptly(
    qtbot: Any, runner: JobRunner, http_server: Any
) -> None:
    http_server.route("/hang", lambda handler: http_server.stopping.wait())
    job = runner.submit(ClipRequest("url", http_server.url("/hang")))
    qtbot.waitUntil(lambda: job.state == "fetching", timeout=WAIT_MS)
    qtbot.wait(300)  # well into the request
    start = time.monotonic()
    with qtbot.waitSignal(runner.job_cancelled, timeout=1000):
        job.cancel()
    assert time.monotonic() - start < 1.0
    assert job.state == "cancelled" and job.message == "Cancelled"
    assert runner.active_jobs() == []


def test_a_cancelled_queued_job_never_starts(
    qtbot: Any, runner: JobRunner, http_server: Any
) -> None:
    http_server.hang("/hang")
    http_server.page("/mills", article_html("Never fetched"))
    hanging = [runner.submit(ClipRequest("url", http_server.url(f"/hang?{i}"))) for i in range(3)]
    qtbot.waitUntil(lambda: all(j.state == "fetching" for j in hanging), timeout=WAIT_MS)
    waiting = runner.submit(ClipRequest("url", http_server.url("/mills")))
    assert waiting.state == "queued"
    with qtbot.waitSignal(runner.queue_changed, timeout=1000):
        waiting.cancel()
    assert waiting.state == "cancelled"  # at once: no worker had it
    runner.cancel_all()
    qtbot.waitUntil(lambda: not runner.active_jobs(), timeout=WAIT_MS)
    qtbot.wait(200)
    assert all(j.state == "cancelled" for j in hanging)
    assert [p for _, p, _ in http_server.requests if p == "/mills"] == []
    assert waiting.state == "cancelled"


def test_at_most_three_downloads_at_once(qtbot: Any, runner: JobRunner, http_server: Any) -> None:
    http_server.hang("/hang")
    jobs = [runner.submit(ClipRequest("url", http_server.url(f"/hang?{i}"))) for i in range(4)]
    qtbot.waitUntil(lambda: sum(j.state == "fetching" for j in jobs) == 3, timeout=WAIT_MS)
    qtbot.wait(300)
    assert [j.state for j in jobs] == ["fetching"] * 3 + ["queued"]
    assert runner.active_jobs() == list(reversed(jobs))


def test_retry_submits_the_same_request_again(
    qtbot: Any, runner: JobRunner, library: Library, http_server: Any
) -> None:
    url = http_server.url("/later")
    first = runner.submit(ClipRequest("url", url))
    wait_until_finished(qtbot, first)
    assert first.state == "failed"
    http_server.page("/later", article_html("Back online"))
    second = runner.retry(first)
    assert second is not first and second.request == first.request
    assert runner.jobs() == [second]  # the failed attempt left the list
    wait_until_finished(qtbot, second)
    assert second.state == "done" and library.count() == 1


def test_shutdown_returns_quickly_with_a_hanging_job(
    qtbot: Any, library: Library, http_server: Any
) -> None:
    http_server.hang("/hang")
    runner = JobRunner(library, lambda: ClipOptions(timeout=60))
    job = runner.submit(ClipRequest("url", http_server.url("/hang")))
    queued = runner.submit(ClipRequest("url", http_server.url("/hang?2")))
    qtbot.waitUntil(lambda: job.state == "fetching", timeout=WAIT_MS)
    start = time.monotonic()
    assert runner.shutdown(1000)
    assert time.monotonic() - start < 1.5
    assert job.state == "cancelled" and queued.state == "cancelled"


def test_pasted_html_is_clipped_with_its_source(
    qtbot: Any, runner: JobRunner, library: Library
) -> None:
    seen = Recorder(runner)
    source = "https://news.example.com/2024/mills"
    job = runner.submit(ClipRequest("html", article_html("Pasted mills"), source))
    assert job.request.label == "Pasted page"
    wait_until_finished(qtbot, job)
    assert job.state == "done", job.message
    assert job.result is not None and job.result.clip.url == source
    assert "fetching" not in seen.states(job)
    assert library.page(job.result.clip.id).origin == "paste"  # type: ignore[union-attr]


def test_pasted_text_becomes_a_note(qtbot: Any, runner: JobRunner, library: Library) -> None:
    text = "Shopping list\n\nFlour from the mill, two loaves, and a jar of honey."
    job = runner.submit(ClipRequest("text", text))
    assert job.request.label == "Pasted text"
    wait_until_finished(qtbot, job)
    assert job.result is not None
    clip = library.get(job.result.clip.id)
    assert clip.kind == "text" and clip.title == "Shopping list" and clip.text == text


def test_files_are_read_and_unknown_files_explained(
    qtbot: Any, runner: JobRunner, library: Library, tmp_path: Path
) -> None:
    page = tmp_path / "saved mills.html"
    page.write_text(article_html("Saved to disk"), encoding="utf-8")
    other = tmp_path / "scan.pdf"
    other.write_bytes(b"%PDF-1.4 not a page")
    good = runner.submit(ClipRequest("file", str(page)))
    bad = runner.submit(ClipRequest("file", str(other)))
    assert good.request.label == "saved mills.html"
    wait_until_finished(qtbot, good)
    wait_until_finished(qtbot, bad)
    assert good.state == "done" and good.result is not None
    assert library.get(good.result.clip.id).title == "Saved to disk"
    assert bad.state == "failed" and "scan.pdf is not one of them" in bad.message


class BrokenLibrary(Library):
    """A real library whose add() has a bug."""

    def add(self, article: Article, raw: RawDocument | None = None, tags: Any = ()) -> AddResult:
        raise RuntimeError("a bug in add")


def test_a_bug_is_logged_and_shown_plainly(
    qtbot: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with BrokenLibrary(tmp_path / "broken.sqlite3") as broken:
        runner = JobRunner(broken, ClipOptions)
        with qtbot.waitSignal(runner.job_failed, timeout=WAIT_MS):
            job = runner.submit(ClipRequest("text", "A note that will not be kept."))
        assert runner.shutdown(1000)
    assert job.message == BUG_MESSAGE
    bugs = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert bugs and "a bug in add" in str(bugs[0].exc_info[1])  # type: ignore[index]


def test_job_list_model(
    qtbot: Any, qtmodeltester: Any, runner: JobRunner, http_server: Any
) -> None:
    model = JobListModel(runner)
    qtmodeltester.check(model)
    http_server.hang("/hang")
    note = runner.submit(ClipRequest("text", "A short note about mills and rivers."))
    hanging = runner.submit(ClipRequest("url", http_server.url("/hang")))
    assert model.rowCount() == 2
    first = model.index(0, 0)
    assert model.data(first, JobListModel.JobRole) is hanging
    assert model.data(first).startswith(f"{http_server.url('/hang')} — ")
    wait_until_finished(qtbot, note)
    second = model.index(1, 0)
    assert model.data(second, JobListModel.StateRole) == "done"
    assert model.data(second) == "Pasted text — Added: A short note about mills and rivers."
    model.clear_finished()
    assert model.rowCount() == 1 and model.job_at(0) is hanging
    hanging.cancel()
    wait_until_finished(qtbot, hanging)
    assert model.data(model.index(0, 0)) == f"{http_server.url('/hang')} — Cancelled"
    model.clear_finished()
    assert model.rowCount() == 0 and runner.jobs() == []


def test_requests_know_their_kind() -> None:
    with pytest.raises(ValueError):
        ClipRequest("ftp", "ftp://example.com/")
    assert ClipRequest("url", "https://example.com/a").label == "https://example.com/a"


def test_qt_bindings_keep_python_reference_counts(qapp: Any) -> None:
    """Signals and pool tasks must not drop references to Python's shared objects.

    PySide6 6.12.0 on Python 3.11 does both: every ``Signal.emit()`` returns ``True``
    without owning it, and every Python task run by a QThreadPool drops a reference to
    ``None``. A few hundred of either and the interpreter aborts ("Fatal Python error:
    bool_dealloc" or "none_dealloc"), at the latest when it exits. 6.11.3 is fine.
    """
    from PySide6.QtCore import QObject, QThreadPool, Signal

    class Emitter(QObject):
        ping = Signal()

    emitter, pool = Emitter(), QThreadPool()
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(20):
        emitter.ping.emit()
        pool.start(lambda: None)
    pool.waitForDone()
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert after[0] >= before[0], "Signal.emit() drops references to True (PySide6 bug)"
    assert after[1] >= before[1] - 5, "QThreadPool tasks drop references to None (PySide6 bug)"


def test_a_batch_extracts_in_worker_processes_then_lets_them_go(
    qtbot: Any, runner: JobRunner, library: Library, tmp_path: Path
) -> None:
    files = []
    for i in range(6):
        page = tmp_path / f"page{i}.html"
        page.write_text(article_html(f"Batch page {i}"), encoding="utf-8")
        files.append(page)
    single = runner.submit(ClipRequest("file", str(files[0])))
    assert runner._extraction._pool is None  # one clip: extracted in its thread
    wait_until_finished(qtbot, single)
    jobs = [runner.submit(ClipRequest("file", str(f))) for f in files[1:]]
    pool = runner._extraction._pool
    assert pool is not None  # a batch: extracted in worker processes
    for job in jobs:
        wait_until_finished(qtbot, job)
    assert [job.state for job in jobs] == ["done"] * 5
    titles = [library.get(job.result.clip.id).title for job in jobs if job.result]
    assert titles == [f"Batch page {i}" for i in range(1, 6)]
    assert pool.extracted == 5
    assert runner._extraction._pool is None  # idle again: the workers are let go
