"""Bulk adding from local files, and search latency on the result.

Uses real pages from ../shared/corpus when present (else the test fixtures), written out
as .html files. Adds them through ``clipper.core.bulk.clip_many`` (what ``clipper add``
and the window's batches use): once extracting in this process only (``--jobs 1``) and
once with a worker process per core (the default). Prints JSON: clips per second for
each and search timings on the result.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from clipper.core.bulk import clip_many, default_workers
from clipper.core.library import Library

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "wcxb" / "html"
FIXTURES = ROOT / "tests" / "fixtures" / "pages"


def pages(limit: int) -> list[tuple[str, bytes]]:
    if CORPUS.is_dir():
        files = sorted(CORPUS.glob("*.html.gz"))[:limit]
        return [(f.name, gzip.decompress(f.read_bytes())) for f in files]
    return [(f.name, f.read_bytes()) for f in sorted(FIXTURES.glob("*.html"))]


def add_all(library: Library, files: list[str], workers: int) -> dict[str, float | int]:
    start = time.perf_counter()
    added = failed = 0
    for item in clip_many(library, files, workers=workers):
        if item.result is None:
            failed += 1
        else:
            added += 1
    elapsed = time.perf_counter() - start
    return {
        "workers": workers,
        "added": added,
        "no_article": failed,
        "seconds": round(elapsed, 2),
        "clips_per_s": round(added / elapsed, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    docs = pages(args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for name, body in docs:
            path = Path(tmp) / name.removesuffix(".gz")
            path.write_bytes(body)
            files.append(str(path))
        runs = []
        for workers in sorted({1, default_workers()}):
            with Library(Path(tmp) / f"bench{workers}.sqlite3") as lib:
                runs.append(add_all(lib, files, workers))
        with Library(Path(tmp) / f"bench{default_workers()}.sqlite3") as lib:
            timings = {}
            for q in ("the", "price", '"customer service"', "data*", "-the"):
                times = []
                for _ in range(20):
                    t = time.perf_counter()
                    lib.search(q, limit=50)
                    times.append((time.perf_counter() - t) * 1000)
                timings[q] = round(statistics.median(times), 2)
            stats = lib.stats()
    best = runs[-1]
    print(
        json.dumps(
            {
                "pages": len(docs),
                "added": best["added"],
                "no_article": best["no_article"],
                "seconds": best["seconds"],
                "clips_per_s": best["clips_per_s"],
                "runs": runs,
                "bytes_per_clip": stats["bytes"] // max(int(best["added"]), 1),
                "search_median_ms": timings,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
