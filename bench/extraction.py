"""Extraction quality on ../shared/corpus: Clipper vs plain trafilatura vs readability-lxml.

Scores the clip's plain text (Article.text) with both corpus methods (see scoring.py):
the Scrapinghub article-extraction-benchmark (aeb) and WCXB, overall and per WCXB page
type; title, author and date agreement on the WCXB pages whose ground truth has them;
median and p95 milliseconds per page. All systems see the same page and URL, one page at
a time, in turn, in one process (so timings compare fairly).

The developer set is split in two by each page's position in its corpus (sorted ids):
``--split tune`` (even positions) is for trying changes, ``--split check`` (odd) for
confirming them. ``--every 4`` is the subset the score gate uses.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scoring

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
BASELINE = Path(__file__).resolve().parent / "extraction_baseline.json"
SYSTEMS = ("clipper", "trafilatura", "readability")
GATE_EVERY = 4  # the gate scores every 4th page of each corpus


@dataclass
class Page:
    corpus: str  # "aeb" or "wcxb"
    id: str
    path: Path
    url: str | None
    reference: str
    page_type: str = "article"
    title: str | None = None
    author: str | None = None
    date: str | None = None

    def body(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


@dataclass
class Output:
    text: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None


# --- the corpus -------------------------------------------------------------------------


def aeb_pages(corpus: Path = CORPUS) -> list[Page]:
    truth = json.loads((corpus / "aeb" / "ground-truth.json").read_text("utf-8"))
    return [
        Page("aeb", key, corpus / "aeb" / "html" / f"{key}.html.gz", item.get("url"),
             item.get("articleBody") or "")
        for key, item in sorted(truth.items())
    ]  # fmt: skip


def wcxb_pages(corpus: Path = CORPUS) -> list[Page]:
    pages = []
    for file in sorted((corpus / "wcxb" / "ground-truth").glob("*.json")):
        data = json.loads(file.read_text("utf-8"))
        truth = data["ground_truth"]
        pages.append(
            Page(
                "wcxb",
                file.stem,
                corpus / "wcxb" / "html" / f"{file.stem}.html.gz",
                data.get("url"),
                truth.get("main_content") or "",
                data["_internal"]["page_type"]["primary"],
                truth.get("title"),
                truth.get("author"),
                truth.get("publish_date"),
            )
        )
    return pages


def select(
    pages: list[Page], *, split: str = "all", every: int = 1, limit: int | None = None
) -> list[Page]:
    """A deterministic subset: by position parity (tune/check), every n-th, the first n."""
    chosen = [
        page
        for position, page in enumerate(pages)
        if (split == "all" or position % 2 == (0 if split == "tune" else 1))
        and position % every == 0
    ]
    return chosen[:limit] if limit else chosen


def corpus_pages(
    only: str | None = None, *, split: str = "all", every: int = 1, limit: int | None = None
) -> list[Page]:
    pages: list[Page] = []
    if only in (None, "aeb"):
        pages += select(aeb_pages(), split=split, every=every, limit=limit)
    if only in (None, "wcxb"):
        pages += select(wcxb_pages(), split=split, every=every, limit=limit)
    return pages


# --- the systems ------------------------------------------------------------------------


def run_clipper(body: bytes, url: str | None) -> Output:
    """Clipper's own path for a downloaded page: bytes -> RawDocument -> Article."""
    from clipper.core.errors import NoArticle
    from clipper.core.extract import article_from_document
    from clipper.core.sources import document_from_bytes

    try:
        article = article_from_document(document_from_bytes(body, "text/html; charset=utf-8", url))
    except NoArticle:
        return Output()
    return Output(article.text, article.title, article.author, article.date)


def run_trafilatura(body: bytes, url: str | None) -> Output:
    """trafilatura.bare_extraction with its defaults, no comments (metadata on, for titles)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        body.decode("utf-8", "replace"), url=url, include_comments=False, with_metadata=True
    )
    if doc is None:
        return Output()
    return Output(doc.text or "", doc.title, doc.author, doc.date)


def run_readability(body: bytes, url: str | None) -> Output:
    """readability-lxml's summary, as text with a line break after each block."""
    from readability import Document

    doc = Document(body.decode("utf-8", "replace"), url=url)
    return Output(_block_text(doc.summary(html_partial=True)), doc.short_title() or None)


# readability-lxml reads no author or date: those are not scored for it.
UNSCORED = {"readability": frozenset({"author", "date"})}


_BLOCKS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "blockquote",
        "table",
        "tr",
        "td",
        "th",
        "br",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
        "dl",
    ]
)


def _block_text(html: str) -> str:
    from lxml import html as lxml_html

    if not html.strip():
        return ""
    root = lxml_html.fromstring(html)
    parts: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element.tag, str):
            parts.append(element.text or "")
            for child in element:
                walk(child)
            if element.tag in _BLOCKS:
                parts.append("\n")
        parts.append(element.tail or "")

    walk(root)
    return "".join(parts).strip()


RUNNERS: dict[str, Callable[[bytes, str | None], Output]] = {
    "clipper": run_clipper,
    "trafilatura": run_trafilatura,
    "readability": run_readability,
}


# --- running and scoring ------------------------------------------------------------------


@dataclass
class Tally:
    """One system's per-page results."""

    aeb: list[scoring.Counts] = field(default_factory=list)
    wcxb: dict[str, list[scoring.PageScore]] = field(default_factory=lambda: defaultdict(list))
    wcxb_set: dict[str, list[scoring.PageScore]] = field(default_factory=lambda: defaultdict(list))
    meta: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    ms: list[float] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def score_page(
    tally: Tally, page: Page, out: Output, ms: float, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    tally.ms.append(ms)
    row: dict[str, Any] = {"corpus": page.corpus, "id": page.id, "type": page.page_type,
                           "ms": round(ms, 1), "words": len(out.text.split())}  # fmt: skip
    if page.corpus == "aeb":
        counts = scoring.aeb_counts(page.reference, out.text)
        tally.aeb.append(counts)
        row["p"], row["r"] = scoring.aeb_page_precision(counts), scoring.aeb_page_recall(counts)
        return row
    result = scoring.wcxb_page(page.reference, out.text)
    tally.wcxb[page.page_type].append(result)
    tally.wcxb_set[page.page_type].append(scoring.wcxb_set_page(page.reference, out.text))
    row.update(p=result.precision, r=result.recall, f1=result.f1)
    checks = (
        ("title", page.title, scoring.title_agrees, out.title),
        ("author", page.author, scoring.author_agrees, out.author),
        ("date", page.date, scoring.date_agrees, out.date),
    )
    for name, reference, agrees, ours in checks:
        if reference and name not in skip:
            tally.meta[name].append(agrees(reference, ours))
            row[name] = [reference, ours, tally.meta[name][-1]]
    return row


def page_outputs(page: Page, systems: tuple[str, ...]) -> list[tuple[Output, float]]:
    """Each system's output for one page and its milliseconds (systems run in turn)."""
    body = page.body()
    results = []
    for name in systems:
        start = time.perf_counter()
        out = RUNNERS[name](body, page.url)
        results.append((out, (time.perf_counter() - start) * 1000))
    return results


def run(
    pages: list[Page], systems: tuple[str, ...], progress: bool = False, workers: int = 1
) -> dict[str, Tally]:
    """Every page through every system in turn (interleaved, so load affects all alike).

    With workers > 1 pages are spread over processes: quicker, but the timings then
    compete for cores and say little.
    """
    tallies = {name: Tally() for name in systems}
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = pool.map(page_outputs, pages, [systems] * len(pages), chunksize=4)
            outputs: Iterable[list[tuple[Output, float]]] = list(results)
    else:
        outputs = (page_outputs(page, systems) for page in pages)
    for number, (page, results) in enumerate(zip(pages, outputs, strict=True), 1):
        for name, (out, ms) in zip(systems, results, strict=True):
            skip = UNSCORED.get(name, frozenset())
            tallies[name].rows.append(score_page(tallies[name], page, out, ms, skip))
        if progress and number % 50 == 0:
            print(f"  {number}/{len(pages)} pages", file=sys.stderr, flush=True)
    return tallies


def summary(tally: Tally) -> dict[str, Any]:
    """The figures of one system, as plain numbers."""
    result: dict[str, Any] = {}
    if tally.aeb:
        result["aeb"] = vars(scoring.aeb_scores(tally.aeb))
    if tally.wcxb:
        everything = [s for scores in tally.wcxb.values() for s in scores]
        result["wcxb"] = vars(scoring.wcxb_scores(everything))
        result["wcxb_types"] = {
            kind: vars(scoring.wcxb_scores(scores)) for kind, scores in sorted(tally.wcxb.items())
        }
        every_set = [s for scores in tally.wcxb_set.values() for s in scores]
        result["wcxb_set"] = {
            "f1": scoring.wcxb_scores(every_set).f1,
            "article_f1": scoring.wcxb_scores(tally.wcxb_set.get("article", [])).f1,
        }
        result["meta"] = {
            name: {"agreement": statistics.fmean(hits), "pages": len(hits)}
            for name, hits in sorted(tally.meta.items())
        }
    if tally.ms:
        ordered = sorted(tally.ms)
        result["ms"] = {
            "median": statistics.median(ordered),
            "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
            "total": sum(ordered),
        }
    return result


def gate_figures(pages: list[Page] | None = None) -> dict[str, float]:
    """Clipper's figures on the gate subset: what extraction_baseline.json stores."""
    pages = pages if pages is not None else corpus_pages(every=GATE_EVERY)
    figures = summary(run(pages, ("clipper",))["clipper"])
    return {
        "aeb_f1": figures["aeb"]["f1"],
        "wcxb_f1": figures["wcxb"]["f1"],
        **{name: value["agreement"] for name, value in figures["meta"].items()},
    }


# --- printing -----------------------------------------------------------------------------


def _table(results: dict[str, dict[str, Any]]) -> Iterator[str]:
    names = list(results)
    yield f"{'':28}" + "".join(f"{n:>20}" for n in names)

    def line(label: str, get: Callable[[dict[str, Any]], Any]) -> str:
        cells = []
        for n in names:
            try:
                value = get(results[n])
            except KeyError:
                value = None
            cells.append(f"{'-' if value is None else format(value, '.3f'):>20}")
        return f"{label:28}" + "".join(cells)

    first = results[names[0]]
    for corpus in ("aeb", "wcxb"):
        if corpus in first:
            count = first[corpus]["pages"]
            for key in ("f1", "precision", "recall"):
                yield line(f"{corpus} {key} ({count})", lambda r, c=corpus, k=key: r[c][k])
    for kind, value in first.get("wcxb_types", {}).items():
        label = f"  {kind} f1/p/r ({value['pages']})"
        yield f"{label:28}" + "".join(
            "{:>20}".format("{f1:.3f}/{precision:.3f}/{recall:.3f}".format(**r["wcxb_types"][kind]))
            if kind in r.get("wcxb_types", {}) else f"{'-':>20}"
            for r in results.values()
        )  # fmt: skip
    if "wcxb_set" in first:
        yield line("wcxb f1, set of words", lambda r: r["wcxb_set"]["f1"])
        yield line("  article, set of words", lambda r: r["wcxb_set"]["article_f1"])
    for name, value in first.get("meta", {}).items():
        yield line(f"{name} agreement ({value['pages']})",
                   lambda r, m=name: r["meta"][m]["agreement"])  # fmt: skip
    for key in ("median", "p95"):
        yield f"{'ms ' + key:28}" + "".join(f"{r['ms'][key]:>20.1f}" for r in results.values())
    # The time target: Clipper at most 1.5x plain trafilatura on the same pages.
    if "trafilatura" in results:
        plain = results["trafilatura"]["ms"]
        for key in ("median", "total"):
            yield line(f"x trafilatura, {key}", lambda r, k=key: r["ms"][k] / plain[k])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="at most N pages of each corpus")
    parser.add_argument("--only", choices=("aeb", "wcxb"))
    parser.add_argument("--split", choices=("all", "tune", "check"), default="all")
    parser.add_argument("--every", type=int, default=1, help="every N-th page (gate: 4)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes; keep 1 for timings that compare fairly")  # fmt: skip
    parser.add_argument("--dump", type=Path, help="write per-page rows (JSON lines) here")
    parser.add_argument("--write-baseline", action="store_true",
                        help=f"store Clipper's gate-subset figures in {BASELINE.name}")  # fmt: skip
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}; nothing to measure", file=sys.stderr)
        return 0
    if args.write_baseline:
        figures = {k: round(v, 4) for k, v in gate_figures().items()}
        BASELINE.write_text(json.dumps(_baseline_doc(figures), indent=2) + "\n", "utf-8")
        print(json.dumps(figures, indent=2))
        return 0
    systems = tuple(s for s in args.systems.split(",") if s and _available(s))
    pages = corpus_pages(args.only, split=args.split, every=args.every, limit=args.limit)
    tallies = run(pages, systems, progress=not args.json, workers=args.workers)
    results = {name: summary(tally) for name, tally in tallies.items()}
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for name, tally in tallies.items():
                for row in tally.rows:
                    out.write(json.dumps({"system": name, **row}, ensure_ascii=False) + "\n")
    if args.json:
        meta = {"split": args.split, "every": args.every, "workers": args.workers}
        print(json.dumps({**meta, "results": results}, indent=2))
    else:
        print(
            f"{len(pages)} pages, split={args.split}, every={args.every}, "
            f"workers={args.workers}{' (timings not comparable)' if args.workers > 1 else ''}"
        )
        print("\n".join(_table(results)))
    return 0


def _available(system: str) -> bool:
    if system not in RUNNERS:
        raise SystemExit(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
    if system != "readability":
        return True
    try:
        import readability  # noqa: F401
    except ImportError:
        print("readability-lxml is not installed (pip install -e '.[bench]'): skipped",
              file=sys.stderr)  # fmt: skip
        return False
    return True


def _baseline_doc(figures: dict[str, float]) -> dict[str, Any]:
    return {
        "about": "Clipper's figures on every 4th page (by sorted id) of each corpus; "
        "tests/test_extraction_gate.py fails if one drops below by more than the tolerance. "
        "Regenerate with: python bench/extraction.py --write-baseline",
        "every": GATE_EVERY,
        "tolerance": 0.002,
        "figures": figures,
    }


if __name__ == "__main__":
    sys.exit(main())
