#!/usr/bin/env bash
# Build the double-click app with PyInstaller, smoke-test it, and pack it (what `make package` runs).
#
#   bash packaging/build.sh                  # dist/clipper/ + dist/clipper-<version>-linux-<arch>.tar.gz
#   CLIPPER_ONEFILE=1 bash packaging/build.sh  # one self-extracting file instead:
#                                            # dist/onefile/clipper/clipper + ...-onefile.tar.gz
#
# Environment: PYTHON (default .venv/bin/python, with Clipper installed in it),
# CLIPPER_SIZE_BUDGET_MB (default 160; the build fails above it), CLIPPER_SKIP_SMOKE=1.
# PyInstaller is installed into that Python from pyproject's `package` extra, never into the
# project's runtime dependencies.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-.venv/bin/python}
BUDGET_MB=${CLIPPER_SIZE_BUDGET_MB:-160}
ONEFILE=${CLIPPER_ONEFILE:-0}
[ "$ONEFILE" = 0 ] && ONEFILE=
APP_ID=io.github.clipper.Clipper
started=$(date +%s)

say() { printf '\033[1mbuild.sh:\033[0m %s\n' "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

[ "$(uname -s)" = Linux ] || die "this script builds the Linux bundle; for Windows and macOS see packaging/README.md"
[ -x "$PY" ] || die "no Python at $PY: run 'make test' (or 'make run') first, or set PYTHON"
VERSION=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(uname -m)

# -- tools -------------------------------------------------------------------------------------
mapfile -t PACKAGE_REQS < <("$PY" -c '
import tomllib
for req in tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["package"]:
    print(req)')
say "installing ${PACKAGE_REQS[*]} into $PY"
"$PY" -m pip --disable-pip-version-check install -q "${PACKAGE_REQS[@]}"
# The bundle reads Clipper's version from its installed metadata: it must match pyproject.
installed=$("$PY" -c 'from importlib.metadata import version; print(version("clipper"))' 2>/dev/null || true)
if [ "$installed" != "$VERSION" ]; then
  say "Clipper's installed metadata says '${installed:-nothing}', pyproject says $VERSION: reinstalling"
  "$PY" -m pip --disable-pip-version-check install -q --no-deps -e .
fi
for f in resources/icons/$APP_ID-256.png resources/icons/clipper.ico resources/icons/clipper.icns \
         src/clipper/resources/icons/clipper-256.png; do
  [ -f "$f" ] || die "$f is missing: run '$PY resources/make_icons.py'"
done

# -- freeze ------------------------------------------------------------------------------------
if [ -n "$ONEFILE" ]; then
  DISTPATH=build/onefile-dist
  OUT=dist/onefile/clipper          # the folder shipped in the tarball
  TARBALL=dist/clipper-$VERSION-linux-$ARCH-onefile.tar.gz
else
  DISTPATH=dist
  OUT=dist/clipper
  TARBALL=dist/clipper-$VERSION-linux-$ARCH.tar.gz
fi
say "freezing Clipper $VERSION (${ONEFILE:+one file, }PyInstaller $("$PY" -m PyInstaller --version))"
rm -rf "$OUT" "$TARBALL"
CLIPPER_ONEFILE=${ONEFILE:-0} "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DISTPATH" --workpath build/pyinstaller packaging/clipper.spec
if [ -n "$ONEFILE" ]; then
  mkdir -p "$OUT"
  mv "$DISTPATH/clipper" "$OUT/clipper"
fi
EXE=$OUT/clipper
[ -x "$EXE" ] || die "PyInstaller made no $EXE"

# Desktop integration files, installed by install-linux.sh from inside the bundle.
install -Dm644 resources/$APP_ID.desktop "$OUT/share/applications/$APP_ID.desktop"
install -Dm644 resources/$APP_ID.metainfo.xml "$OUT/share/metainfo/$APP_ID.metainfo.xml"
install -Dm644 resources/icons/$APP_ID.svg "$OUT/share/icons/hicolor/scalable/apps/$APP_ID.svg"
for png in resources/icons/$APP_ID-*.png; do
  size=${png##*-}; size=${size%.png}
  install -Dm644 "$png" "$OUT/share/icons/hicolor/${size}x$size/apps/$APP_ID.png"
done

# -- check -------------------------------------------------------------------------------------
gtk=$(find "$OUT" \( -name 'libgtk*' -o -name 'libgdk*' -o -name 'libqgtk3*' \) -print)
[ -z "$gtk" ] || die "the build machine's GTK stack got into the bundle: $gtk"
if [ -z "${CLIPPER_SKIP_SMOKE:-}" ]; then
  smoke=$(mktemp -d)
  trap 'rm -rf "$smoke"' EXIT
  say "smoke test: --version, --self-test (offscreen, in a temporary home)"
  # A bare environment, as a double-click gets: no venv, no PYTHONPATH, a home of its own.
  bare=(env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$smoke" XDG_DATA_HOME="$smoke/data"
        XDG_CONFIG_HOME="$smoke/config" XDG_STATE_HOME="$smoke/state" XDG_CACHE_HOME="$smoke/cache")
  got=$("${bare[@]}" "$EXE" --version)
  [ "$got" = "clipper $VERSION" ] || die "--version printed '$got', not 'clipper $VERSION'"
  "${bare[@]}" QT_QPA_PLATFORM=offscreen "$EXE" --self-test \
    || die "the frozen app failed its self-test (output above)"
fi

# -- pack --------------------------------------------------------------------------------------
say "packing $TARBALL"
chmod 755 packaging/install-linux.sh
tar --owner=0 --group=0 --numeric-owner --sort=name -czf "$TARBALL" \
  -C "$(dirname "$OUT")" clipper -C "$ROOT/packaging" install-linux.sh

# -- report ------------------------------------------------------------------------------------
size_mb=$(du -sm "$OUT" | cut -f1)
files=$(find "$OUT" -type f | wc -l)
# the newest glibc symbol version any bundled library asks for: the oldest Linux it runs on
glibc=$(find "$OUT" -type f -name '*.so*' -exec objdump -p {} + 2>/dev/null \
  | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 || true)
say "done in $(( $(date +%s) - started )) s"
say "bundle:  $OUT  $(du -sh "$OUT" | cut -f1)  ($size_mb MB, $files files; budget $BUDGET_MB MB)"
say "tarball: $TARBALL  $(du -h "$TARBALL" | cut -f1)"
if [ -n "$glibc" ] && [ -z "$ONEFILE" ]; then
  say "needs:   ${glibc/_/ } or newer (and the system libraries in packaging/README.md)"
fi
[ "$size_mb" -le "$BUDGET_MB" ] || die "the bundle is $size_mb MB, over the $BUDGET_MB MB budget"
