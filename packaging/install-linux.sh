#!/usr/bin/env bash
# Install Clipper for the current user, from the unpacked release tarball (no root needed).
#
#   ./install-linux.sh              # install, or update an earlier install
#   ./install-linux.sh --uninstall  # remove everything this script installed (not your library)
#
# Puts the app in $PREFIX (default ~/.local/opt/clipper), a `clipper` command in $BINDIR
# (default ~/.local/bin), and the menu entry, icons and AppStream data under $XDG_DATA_HOME
# (default ~/.local/share). Running it again is safe. Your clips, settings and logs are left alone.
set -euo pipefail

APP_ID=io.github.clipper.Clipper
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE=$HERE/clipper
DATA=${XDG_DATA_HOME:-}
[[ "$DATA" == /* ]] || DATA=$HOME/.local/share  # the XDG spec: ignore a relative path
PREFIX=${PREFIX:-$HOME/.local/opt/clipper}
[[ "$PREFIX" == /* ]] || PREFIX=$PWD/$PREFIX
PREFIX=${PREFIX%/}
BINDIR=${BINDIR:-$HOME/.local/bin}
DESKTOP_FILE=$DATA/applications/$APP_ID.desktop
METAINFO=$DATA/metainfo/$APP_ID.metainfo.xml
ICONS=$DATA/icons/hicolor
LAUNCHER=$BINDIR/clipper

say() { printf 'clipper: %s\n' "$*"; }
die() { printf 'clipper: error: %s\n' "$*" >&2; exit 1; }
# Desktop caches are nice to have: a missing tool or a failing one never fails the install.
quietly() { command -v "$1" >/dev/null 2>&1 && "$@" >/dev/null 2>&1 || true; }

refresh_desktop() {
  quietly update-desktop-database "$DATA/applications"
  # Refresh a per-user icon cache if there is one (a stale cache hides new icons); never create
  # one: without it, menus find icons by reading the folder, whose changed time tells them to.
  if [ -f "$ICONS/icon-theme.cache" ]; then
    quietly gtk-update-icon-cache --quiet --force --ignore-theme-index "$ICONS"
  elif [ -d "$ICONS" ]; then
    touch "$ICONS"
  fi
}

# A path as one argument of a desktop file's Exec key: quoted when it needs to be, with the
# quoting rules of the Desktop Entry specification, then the file's own backslash escaping.
exec_arg() {
  local s=$1
  case $s in
    *[[:space:]\"\'\\\`\$\<\>\~\|\&\;\*\?\#\(\)]*)
      s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//\`/\\\`}; s=${s//\$/\\\$}
      s="\"$s\"" ;;
  esac
  printf '%s' "${s//\\/\\\\}"
}

usage() {
  sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

# Whether a folder holds a Clipper this script installed (never delete anything else).
is_clipper_install() {
  [ -f "$1/clipper" ] && [ -f "$1/share/applications/$APP_ID.desktop" ]
}

uninstall() {
  # Only what this script put there; the launcher only if it still points into $PREFIX.
  if [ -L "$LAUNCHER" ] && [ "$(readlink "$LAUNCHER")" = "$PREFIX/clipper" ]; then
    rm -f "$LAUNCHER"
  fi
  rm -f "$DESKTOP_FILE" "$METAINFO"
  find "$ICONS" -path "*/apps/$APP_ID.*" -delete 2>/dev/null || true
  if is_clipper_install "$PREFIX"; then
    rm -rf "$PREFIX"
  fi
  refresh_desktop
  say "uninstalled (your library, settings and logs are still in place)"
}

install_app() {
  [ -x "$SOURCE/clipper" ] || die "no clipper/ folder next to this script (unpack the whole tarball)"
  [ "$SOURCE" != "$PREFIX" ] || die "the tarball was unpacked into $PREFIX; unpack it elsewhere"
  if [ -e "$PREFIX" ] && ! is_clipper_install "$PREFIX"; then
    die "$PREFIX exists and is not a Clipper installation; choose another PREFIX"
  fi
  # Copy to a new folder, then swap it in: a failed copy never leaves half an app behind.
  mkdir -p "$(dirname "$PREFIX")"
  local staging=$PREFIX.new.$$
  rm -rf "$staging"
  cp -a "$SOURCE" "$staging"
  rm -rf "$PREFIX.old"
  [ -e "$PREFIX" ] && mv "$PREFIX" "$PREFIX.old"
  mv "$staging" "$PREFIX"
  rm -rf "$PREFIX.old"

  mkdir -p "$BINDIR"
  ln -sfn "$PREFIX/clipper" "$LAUNCHER"

  # The menu entry runs the installed binary by its full path (~/.local/bin may not be on PATH).
  mkdir -p "$DATA/applications"
  local line exe tryexec
  exe=$(exec_arg "$PREFIX/clipper")
  tryexec=$PREFIX/clipper
  while IFS= read -r line; do
    case $line in
      Exec=clipper*) line="Exec=$exe${line#Exec=clipper}" ;;
      TryExec=*) line="TryExec=${tryexec//\\/\\\\}" ;;
    esac
    printf '%s\n' "$line"
  done <"$PREFIX/share/applications/$APP_ID.desktop" >"$DESKTOP_FILE.tmp"
  mv "$DESKTOP_FILE.tmp" "$DESKTOP_FILE"

  local icon
  for icon in "$PREFIX"/share/icons/hicolor/*/apps/"$APP_ID".*; do
    [ -f "$icon" ] || continue
    local rel=${icon#"$PREFIX/share/icons/hicolor/"}
    mkdir -p "$ICONS/$(dirname "$rel")"
    cp -f "$icon" "$ICONS/$rel"
  done
  mkdir -p "$DATA/metainfo"
  cp -f "$PREFIX/share/metainfo/$APP_ID.metainfo.xml" "$METAINFO"

  refresh_desktop
  # Clipper opens saved web archives (.mhtml) by default. For .html it is offered in "Open with"
  # (the desktop file lists text/html) but the browser stays the default, unless asked for.
  quietly xdg-mime default "$APP_ID.desktop" application/x-mimearchive
  if [ -n "${CLIPPER_DEFAULT_FOR_HTML:-}" ]; then
    quietly xdg-mime default "$APP_ID.desktop" text/html application/xhtml+xml
  fi

  say "installed $("$PREFIX/clipper" --version 2>/dev/null || echo Clipper) in $PREFIX"
  say "it is in your applications menu; from a terminal run: $LAUNCHER"
  case ":$PATH:" in
    *":$BINDIR:"*) ;;
    *) say "($BINDIR is not on your PATH; add it to run 'clipper' by name)" ;;
  esac
}

case "${1:-}" in
  "") install_app ;;
  --uninstall) uninstall ;;
  -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac
