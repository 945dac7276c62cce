"""Bulk adding from local files, and search latency on the result.

Uses real pages from ../shared/corpus when present (else the test fixtures).
Prints JSON: clips per second through the real add path and search timings.
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

from clipper.core.clipping import clip_document
from clipper.core.errors import ClipperError
from clipper.core.library import Library
from clipper.core.sources import document_from_bytes

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "wcxb" / "html"
FIXTURES = ROOT / "tests" / "fixtures" / "pages"


def pages(limit: int) -> list[tuple[str, bytes]]:
    if CORPUS.is_dir():
        files = sorted(CORPUS.glob("*.html.gz"))[:limit]
        return [(f.name, gzip.decompress(f.read_bytes())) for f in files]
    return [(f.name, f.read_bytes()) for f in sorted(FIXTURES.glob("*.html"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    docs = pages(args.pages)
    with tempfile.TemporaryDirectory() as tmp, Library(Path(tmp) / "bench.sqlite3") as lib:
        added = failed = 0
        start = time.perf_counter()
        for name, body in docs:
            try:
                clip_document(lib, document_from_bytes(body, "text/html", origin="file", name=name))
                added += 1
            except ClipperError:
                failed += 1
        elapsed = time.perf_counter() - start
        timings = {}
        for q in ("the", "price", '"customer service"', "data*", "-the"):
            runs = []
            for _ in range(20):
                t = time.perf_counter()
                lib.search(q, limit=50)
                runs.append((time.perf_counter() - t) * 1000)
            timings[q] = round(statistics.median(runs), 2)
        stats = lib.stats()
    print(
        json.dumps(
            {
                "pages": len(docs),
                "added": added,
                "no_article": failed,
                "seconds": round(elapsed, 2),
                "clips_per_s": round(added / elapsed, 1),
                "bytes_per_clip": stats["bytes"] // max(added, 1),
                "search_median_ms": timings,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
