"""Export speed: N clips to Markdown (one file each), and to one combined PDF, HTML and EPUB.

Prints JSON with seconds and clips per second for each format.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from clipper.core.article import Article
from clipper.core.export.batch import ExportRequest, export_clips
from clipper.core.library import Library

PARAGRAPH = (
    "The council met again on Tuesday to discuss the river, the bridge and the long argument "
    "about who should pay for either, and as usual the public gallery was full of people who "
    "had opinions about both. "
)


def build(library: Library, n: int) -> list[int]:
    ids = []
    for i in range(n):
        body = "".join(f"<p>{PARAGRAPH * 3}</p>" for _ in range(12))
        text = "\n\n".join(PARAGRAPH * 3 for _ in range(12))
        art = Article(
            title=f"Clip {i}: the bridge",
            html=f"<h2>Part {i}</h2>{body}",
            text=text,
            url=f"https://example.org/{i}",
            author="A. Writer",
            date="2024-01-02",
        )
        ids.append(library.add(art, tags=["bench", f"t{i % 20}"]).clip.id)
    return ids


def timed(library: Library, request: ExportRequest) -> float:
    start = time.perf_counter()
    export_clips(library, request)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=1000)
    args = parser.parse_args()
    results: dict[str, object] = {"clips": args.clips}
    with tempfile.TemporaryDirectory() as tmp, Library(Path(tmp) / "b.sqlite3") as lib:
        ids = build(lib, args.clips)
        seconds = timed(lib, ExportRequest(ids=ids, format="md", folder=Path(tmp) / "md"))
        results["markdown_each"] = {
            "s": round(seconds, 2),
            "clips_per_s": round(len(ids) / seconds),
        }
        few = ids[:100]
        for fmt in ("html", "epub", "pdf"):
            target = Path(tmp) / f"all.{fmt}"
            seconds = timed(lib, ExportRequest(ids=few, format=fmt, combine=target))
            results[f"{fmt}_combined_100"] = {
                "s": round(seconds, 2),
                "bytes": target.stat().st_size,
            }
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
