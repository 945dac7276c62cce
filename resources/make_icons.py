"""Render Clipper's icon from the SVG master: PNGs, a multi-size .ico and an .icns.

Run from anywhere with the project's venv (PySide6-Essentials ships QtSvg):

    .venv/bin/python resources/make_icons.py          # writes, then checks
    .venv/bin/python resources/make_icons.py --check  # only checks the committed files are current

Sizes up to 24 px come from `clipper-small.svg`, a simplified drawing (fewer, thicker lines)
that stays crisp on a 16 px grid; larger ones from `clipper.svg`. The PNGs the app loads at run time
are copied into the package (src/clipper/resources/icons/). ICO and ICNS are written here, with
PNG-compressed entries (Windows Vista+, macOS 10.7+), so no Pillow is needed.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MASTER = HERE / "clipper.svg"
SMALL_MASTER = HERE / "clipper-small.svg"
OUT = HERE / "icons"
PACKAGE_ICONS = HERE.parent / "src" / "clipper" / "resources" / "icons"
APP_ID = "io.github.clipper.Clipper"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PACKAGE_SIZES = (16, 24, 32, 48, 64, 128, 256)
SMALL_UP_TO = 24
# ICNS types holding PNG data: (type, pixel size)
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
    (b"ic09", 512), (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256),
    (b"ic14", 512),
)  # fmt: skip


def render(size: int) -> bytes:
    """The icon at size x size pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    source = SMALL_MASTER if size <= SMALL_UP_TO else MASTER
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {source}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes, the binding wants str
    buffer.close()
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG per size."""
    header = struct.pack("<HHH", 0, 1, len(ICO_SIZES))
    entries, blobs = b"", b""
    offset = len(header) + 16 * len(ICO_SIZES)
    for size in ICO_SIZES:
        blob = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG entries, 1x and 2x."""
    body = b"".join(
        kind + struct.pack(">I", len(pngs[size]) + 8) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def outputs() -> dict[Path, bytes]:
    """Every generated file and its content."""
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render(size) for size in sizes}
    files = {OUT / f"{APP_ID}-{size}.png": pngs[size] for size in PNG_SIZES}
    files |= {PACKAGE_ICONS / f"clipper-{size}.png": pngs[size] for size in PACKAGE_SIZES}
    files[OUT / f"{APP_ID}.svg"] = MASTER.read_bytes()
    files[OUT / "clipper.ico"] = ico(pngs)
    files[OUT / "clipper.icns"] = icns(pngs)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    stale = []
    for path, data in outputs().items():
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'} {path.relative_to(HERE.parent)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
