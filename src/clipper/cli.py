"""The command line: a thin front end over clipper.core.

Exit codes: 0 done; 1 a user-level error (one line on stderr, no traceback); 2 usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from clipper import __version__
from clipper.cli_backup import open_checked
from clipper.cli_backup import register as register_backup
from clipper.cli_login import auth_for_cli
from clipper.cli_login import register as register_login
from clipper.core.errors import ClipperError
from clipper.core.library import Clip, Library
from clipper.core.settings import Settings, load_settings

log = logging.getLogger("clipper.cli")


class UsageError(Exception):
    """Arguments that parse but do not make sense together (exit 2)."""


def _out(line: str = "") -> None:
    # flushed per line so a script (or a test) sees each clip as soon as it is stored
    print(line, flush=True)


def _json_line(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _ids(values: Sequence[str]) -> list[int]:
    ids = []
    for value in values:
        text = value.lstrip("#")
        if not text.isdigit():
            raise UsageError(
                f"{value!r} is not a clip id (ids are numbers, as `clipper list` shows)."
            )
        ids.append(int(text))
    return ids


# -- commands ------------------------------------------------------------------------------


def cmd_add(args: argparse.Namespace, ctx: Context) -> int:
    from clipper.core.bulk import clip_many
    from clipper.core.clipping import ClipOptions, clip_document
    from clipper.core.sources import document_from_paste

    options = ClipOptions(
        timeout=ctx.timeout,
        max_bytes=ctx.settings.max_page_bytes,
        keep_as_link=args.keep_as_link,
        auth_for=auth_for_cli(ctx),
        tags=args.tag or [],
    )
    failures = 0
    library = ctx.library()
    if "-" in args.sources:  # a page on standard input goes first
        html = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        try:
            result = clip_document(library, document_from_paste(html, args.url), options)
        except ClipperError as exc:
            failures += 1
            _report_failure(args, "-", str(exc))
        else:
            _report_added(args, result.clip, result.status)
    sources = [s for s in args.sources if s != "-"]
    # Many sources: read ahead in threads, extract on every core, store here in order.
    for item in clip_many(library, sources, options, workers=args.jobs):
        if item.result is None:
            failures += 1
            _report_failure(args, item.source, item.error or "")
        else:
            _report_added(args, item.result.clip, item.result.status)
    return 1 if failures else 0


def _report_failure(args: argparse.Namespace, source: str, message: str) -> None:
    print(f"clipper: {source}: {message}", file=sys.stderr)
    if args.json:
        _json_line({"source": source, "status": "error", "error": message})


def _report_added(args: argparse.Namespace, clip: Clip, status: str) -> None:
    if args.json:
        _json_line({**clip.to_json(), "status": status})
    elif status == "updated":
        _out(f"Updated #{clip.id}: {clip.title} (it was already in the library)")
    else:
        _out(f"Added #{clip.id}: {clip.title}")


def _clip_line(clip: Clip) -> str:
    tags = f"  [{', '.join(clip.tags)}]" if clip.tags else ""
    site = f"  — {clip.site}" if clip.site else ""
    date = clip.date or " " * 10
    return f"{clip.id:>6}  {date}  {clip.title}{site}{tags}"


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    page = ctx.library().search(args.query or "", sort=args.sort, limit=args.limit)
    _print_warnings(page.warnings)
    if args.json:
        _json_line({"total": page.total, "clips": [c.to_json(body=False) for c in page.clips]})
        return 0
    for clip in page.clips:
        _out(_clip_line(clip))
    _out(f"{len(page.clips)} of {page.total} clips")
    return 0


def cmd_search(args: argparse.Namespace, ctx: Context) -> int:
    from clipper.core.search import render_snippet

    page = ctx.library().search(args.query, sort=args.sort, limit=args.limit)
    _print_warnings(page.warnings)
    if args.json:
        clips = []
        for clip in page.clips:
            clip.snippet = render_snippet(clip.snippet or "", "", "") if clip.snippet else None
            clips.append(clip.to_json(body=False))
        _json_line({"total": page.total, "clips": clips})
        return 0
    bold = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("[", "]")
    for clip in page.clips:
        _out(_clip_line(clip))
        if clip.snippet:
            _out("        " + render_snippet(clip.snippet, *bold).replace("\n", " "))
    _out(f"{page.total} match{'es' if page.total != 1 else ''}")
    return 0


def _print_warnings(warnings: Iterable[str]) -> None:
    for warning in warnings:
        print(f"clipper: {warning}", file=sys.stderr)


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    clip = ctx.library().get(_ids([args.id])[0])
    if args.format == "json":
        _json_line(clip.to_json())
    elif args.format == "md":
        from clipper.core.export.markdown import clip_to_markdown

        sys.stdout.write(clip_to_markdown(clip))
    elif args.format == "html":
        sys.stdout.write((clip.html or "") + "\n")
    else:
        _out(clip.title)
        byline = " · ".join(
            x for x in (clip.author, clip.site, clip.date or "", clip.url or "") if x
        )
        _out(byline)
        _out()
        _out(clip.text or "")
    return 0


def cmd_tag(args: argparse.Namespace, ctx: Context) -> int:
    if not args.add and not args.remove:
        raise UsageError("Say what to do: --add TAG and/or --remove TAG.")
    ids = _ids(args.ids)
    library = ctx.library()
    if args.add:
        library.add_tags(ids, args.add)
    if args.remove:
        library.remove_tags(ids, args.remove)
    for clip in library.get_many(ids):
        _out(f"#{clip.id}: {', '.join(clip.tags) or '(no tags)'}")
    return 0


def cmd_tags(args: argparse.Namespace, ctx: Context) -> int:
    library = ctx.library()
    if args.rename:
        library.rename_tag(*args.rename)
        _out(f'Renamed "{args.rename[0]}" to "{args.rename[1]}".')
    elif args.merge:
        library.merge_tags(*args.merge)
        _out(f'Merged "{args.merge[0]}" into "{args.merge[1]}".')
    elif args.delete:
        n = library.delete_tag(args.delete)
        _out(f'Deleted the tag "{args.delete}" from {n} clip{"s" if n != 1 else ""}.')
    else:
        tags = library.tags()
        if args.json:
            _json_line([{"name": t.name, "count": t.count} for t in tags])
        for t in [] if args.json else tags:
            _out(f"{t.count:>6}  {t.name}")
    return 0


def cmd_rm(args: argparse.Namespace, ctx: Context) -> int:
    ids = _ids(args.ids)
    n = ctx.library().delete(ids)
    _out(f"Deleted {n} clip{'s' if n != 1 else ''}.")
    if n < len(set(ids)):
        print("clipper: some of those ids were not in the library.", file=sys.stderr)
        return 1
    return 0


def cmd_mark(args: argparse.Namespace, ctx: Context) -> int:
    library = ctx.library()
    ids = _existing(library, _ids(args.ids))
    if args.read is not None:
        library.set_read(ids, args.read)
    if args.favourite is not None:
        library.set_favourite(ids, args.favourite)
    if args.note is not None:
        library.set_note(ids[0], args.note)
    return 0


def cmd_reextract(args: argparse.Namespace, ctx: Context) -> int:
    from clipper.core.clipping import reextract

    library = ctx.library()
    if args.all == bool(args.ids):
        raise UsageError("Give clip ids or --all (not both).")
    report = reextract(library, library.all_ids() if args.all else _ids(args.ids))
    for clip_id, reason in report.failed.items():
        print(f"clipper: #{clip_id}: {reason}", file=sys.stderr)
    _out(
        f"Re-extracted {len(report.updated)} clips; {len(report.skipped)} had no stored page; "
        f"{len(report.failed)} failed."
    )
    return 1 if report.failed else 0


def _existing(library: Library, ids: list[int]) -> list[int]:
    """The ids, or NotFound naming the first one that is not in the library."""
    found = {c.id for c in library.get_many(ids)}
    for clip_id in ids:
        if clip_id not in found:
            library.get(clip_id)  # raises NotFound with the usual message
    return ids


def _export_ids(args: argparse.Namespace, library: Library) -> list[int]:
    chosen = [bool(args.ids), args.query is not None, bool(args.tag), args.all]
    if sum(chosen) != 1:
        raise UsageError("Choose what to export: clip ids, --query Q, --tag T or --all.")
    if args.ids:
        return _existing(library, _ids(args.ids))
    if args.tag:
        from clipper.core.query import tag_fragment

        return library.search_ids(" ".join(tag_fragment(t) for t in args.tag), sort="oldest")
    return library.search_ids(args.query or "", sort="oldest")


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    from datetime import date

    from clipper.core.export.batch import ExportRequest, export_clips

    library = ctx.library()
    if (args.out is None) == (args.combine is None):
        raise UsageError("Give --out DIR (one file per clip) or --combine FILE (one file).")
    combine = Path(args.combine) if args.combine else None
    if args.format == "json" and combine is None:  # a backup is always one file
        combine = Path(args.out) / f"clipper-backup-{date.today().isoformat()}.json"
    request = ExportRequest(
        ids=_export_ids(args, library),
        format=args.format,
        folder=Path(args.out) if args.out and combine is None else None,
        combine=combine,
        template=args.name or ctx.settings.export_filename_template,
        title=args.title,
        page_size=args.page_size,
        fields=ctx.settings.export_fields,
    )
    written = export_clips(library, request)
    n = len(request.ids)
    where = written[0] if combine is not None else args.out
    _out(f"Exported {n} clip{'s' if n != 1 else ''} to {where}")
    return 0


def cmd_import_json(args: argparse.Namespace, ctx: Context) -> int:
    from clipper.core.export.jsonio import import_json

    report = import_json(ctx.library(), Path(args.file))
    for error in report.errors:
        print(f"clipper: {error}", file=sys.stderr)
    _out(
        f"Imported {args.file}: {report.added} added, {report.updated} updated, "
        f"{report.skipped} already there, {len(report.errors)} could not be read."
    )
    return 1 if report.errors else 0


def cmd_extract(args: argparse.Namespace, ctx: Context) -> int:
    from clipper.core.clipping import ClipOptions, extract, load_source

    options = ClipOptions(
        timeout=ctx.timeout, max_bytes=ctx.settings.max_page_bytes, auth_for=auth_for_cli(ctx)
    )
    failures = 0
    for source in args.sources:
        try:
            article = extract(load_source(source, options))
        except ClipperError as exc:
            failures += 1
            print(f"clipper: {source}: {exc}", file=sys.stderr)
            if args.format == "json":
                _json_line({"source": source, "error": str(exc)})
            continue
        if args.format == "json":
            _json_line(
                {
                    "source": source,
                    "url": article.url,
                    "canonical_url": article.canonical_url,
                    "title": article.title,
                    "author": article.author,
                    "date": article.date,
                    "site": article.site,
                    "language": article.language,
                    "description": article.description,
                    "image": article.image,
                    "text": article.text,
                    "word_count": article.word_count,
                    "reading_time": article.reading_time,
                }
            )
        else:
            sys.stdout.write(
                (article.markdown if args.format == "md" else article.text).rstrip() + "\n"
            )
    return 1 if failures else 0


def cmd_info(args: argparse.Namespace, ctx: Context) -> int:
    import platform
    import sqlite3

    from clipper.core.paths import user_folders

    folders = user_folders()
    info: dict[str, Any] = {
        "version": __version__,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "library": str(ctx.library_path),
        "data_dir": str(folders.data),
        "config_dir": str(folders.config),
        "log_dir": str(folders.log),
        "settings_file": str(folders.settings_file),
    }
    info.update(_package_versions())
    stats = ctx.library().stats()
    info.update(clips=stats["clips"], tags=stats["tags"], library_bytes=stats["bytes"])
    if args.json:
        _json_line(info)
        return 0
    width = max(len(k) for k in info)
    for key, value in info.items():
        _out(f"{key.replace('_', ' '):<{width}}  {value}")
    return 0


def _package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("trafilatura", "PySide6-Essentials", "lxml", "platformdirs", "keyring"):
        try:
            found[package.lower()] = version(package)
        except PackageNotFoundError:
            found[package.lower()] = "not installed"
    return found


# -- parser --------------------------------------------------------------------------------


class Context:
    """What commands need: settings and the library, opened on first use."""

    def __init__(self, args: argparse.Namespace) -> None:
        from clipper.core.paths import library_path

        self.settings: Settings = load_settings()
        self.library_path = library_path(args.library, self.settings.library_path)
        self.timeout: float = args.timeout or self.settings.fetch_timeout
        self._library: Library | None = None

    def library(self) -> Library:
        if self._library is None:
            open_checked(self)  # refuse a damaged library; make the automatic backup if due
            self._library = Library(self.library_path)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the timeout must be more than 0 seconds")
    return value


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return int(text)


def _add_listing_args(p: argparse.ArgumentParser, default_sort: str) -> None:
    from clipper.core.search import SORTS

    p.add_argument("--limit", type=_positive_int, default=50, help="at most N clips (default 50)")
    p.add_argument("--sort", choices=SORTS, default=default_sort)
    p.add_argument("--json", action="store_true", help="print JSON")


Command = Callable[[argparse.Namespace, Context], int]


def _sub(subs: Any, name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subs.add_parser(name, help=help_text, description=help_text)
    p.set_defaults(func=func)
    return p


def _build_clip_commands(subs: Any) -> None:
    p = _sub(subs, "add", cmd_add, "clip URLs, files, or HTML from stdin (-) into the library")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="URL, file, file:// URL, or -")
    p.add_argument("--tag", action="append", metavar="TAG", help="tag the new clips (repeatable)")
    p.add_argument("--url", help="the source URL of HTML read from stdin")
    p.add_argument(
        "--keep-as-link", action="store_true", help="keep pages with no article as links"
    )
    p.add_argument("--json", action="store_true", help="print each clip as a JSON line")
    p.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        metavar="N",
        help="extract N pages at once (default: one per core)",
    )
    p = _sub(subs, "extract", cmd_extract, "extract articles without storing them")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument("--format", choices=("json", "md", "text"), default="text")
    p = _sub(subs, "reextract", cmd_reextract, "rebuild clips from their stored pages, offline")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="every clip")


def _build_library_commands(subs: Any) -> None:
    p = _sub(subs, "list", cmd_list, "list clips, newest first")
    p.add_argument("--query", "-q", help="only clips matching this search")
    _add_listing_args(p, "newest")
    p = _sub(subs, "search", cmd_search, "search the library (see README for the query language)")
    p.add_argument("query", help='e.g. climate -politics tag:science "sea level" site:example.com')
    _add_listing_args(p, "relevance")
    p = _sub(subs, "show", cmd_show, "print one clip")
    p.add_argument("id", metavar="ID")
    p.add_argument("--format", choices=("text", "json", "md", "html"), default="text")
    p = _sub(subs, "rm", cmd_rm, "delete clips")
    p.add_argument("ids", nargs="+", metavar="ID")
    p = _sub(subs, "mark", cmd_mark, "mark clips read/unread, favourite, or set a note")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--read", dest="read", action="store_true", default=None)
    p.add_argument("--unread", dest="read", action="store_false")
    p.add_argument("--fav", dest="favourite", action="store_true", default=None)
    p.add_argument("--unfav", dest="favourite", action="store_false")
    p.add_argument("--note", help="set the note of the (first) clip")


def _build_tag_commands(subs: Any) -> None:
    p = _sub(subs, "tag", cmd_tag, "add or remove tags on clips")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--add", action="append", metavar="TAG", default=[])
    p.add_argument("--remove", action="append", metavar="TAG", default=[])
    p = _sub(subs, "tags", cmd_tags, "list tags with counts, or rename, merge, delete one")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"))
    group.add_argument("--merge", nargs=2, metavar=("FROM", "INTO"))
    group.add_argument("--delete", metavar="TAG")
    p.add_argument("--json", action="store_true")


def _build_other_commands(subs: Any) -> None:
    from clipper.core.export.batch import FORMATS

    p = _sub(subs, "export", cmd_export, "export clips to Markdown, PDF, HTML, EPUB or JSON")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--format", choices=FORMATS, default="md")
    p.add_argument("--out", metavar="DIR", help="write one file per clip into this folder")
    p.add_argument("--combine", metavar="FILE", help="write every clip into this one file")
    p.add_argument("--title", help="title of a combined file")
    p.add_argument("--page-size", choices=("A4", "Letter"), help="PDF page size (default: locale)")
    p.add_argument("--query", "-q", help="export the clips matching this search")
    p.add_argument("--tag", action="append", metavar="TAG", help="export the clips with this tag")
    p.add_argument("--all", action="store_true", help="export the whole library")
    p.add_argument("--name", metavar="TEMPLATE", help="file name template, e.g. '{date} {title}'")
    p = _sub(subs, "import-json", cmd_import_json, "restore clips from a JSON backup")
    p.add_argument("file", metavar="FILE")
    p = _sub(subs, "info", cmd_info, "versions, folders, library size and clip count")
    p.add_argument("--json", action="store_true")


COMMANDS = frozenset(
    {
        "add",
        "extract",
        "reextract",
        "list",
        "search",
        "show",
        "rm",
        "mark",
        "tag",
        "tags",
        "export",
        "import-json",
        "info",
        "login",
        "backup",
        "restore",
        "help",
    }
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clipper",
        description="Clipper keeps what you read on the web. Run with no arguments for the window.",
    )
    parser.add_argument("--version", action="version", version=f"clipper {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="check that this installation works, then exit"
    )
    parser.add_argument("--library", metavar="PATH", help="use this library file")
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help="give up on a download after this long (default 30)",
    )
    subs = parser.add_subparsers(title="commands", metavar="COMMAND")
    _build_clip_commands(subs)
    _build_library_commands(subs)
    _build_tag_commands(subs)
    _build_other_commands(subs)
    register_login(subs, _sub)
    register_backup(subs, _sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one CLI command; returns the exit code."""
    from clipper.core.logs import setup_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return 2
    log_file = setup_logging()
    ctx: Context | None = None
    try:
        ctx = Context(args)
        return int(args.func(args, ctx))
    except UsageError as exc:
        print(f"clipper: {exc}", file=sys.stderr)
        return 2
    except ClipperError as exc:
        print(f"clipper: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("clipper: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception:  # a bug: the user gets one line, the log gets the traceback
        log.exception("Unexpected error in %s", getattr(args.func, "__name__", "command"))
        print(
            f"clipper: something went wrong inside Clipper (a bug). Details are in {log_file}.",
            file=sys.stderr,
        )
        return 1
    finally:
        if ctx is not None:
            ctx.close()
