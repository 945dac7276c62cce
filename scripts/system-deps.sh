#!/usr/bin/env bash
# Install the Debian/Ubuntu libraries Clipper needs, when they are missing.
# Usage: scripts/system-deps.sh run|test
# As root it installs them with apt-get; otherwise it says exactly what to run.
set -euo pipefail

what=${1:-run}
# Qt 6 widgets (xcb and offscreen platforms), fonts, and venv support.
packages=(python3-venv libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
          libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
          libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
          libxcb-xkb1 fonts-dejavu-core
          # fonts so PDFs and the reader show every script: Latin, Greek, Cyrillic (DejaVu),
          # Arabic, Hebrew, Devanagari, Thai... (Noto) and Chinese, Japanese, Korean (Noto CJK)
          fonts-noto-core fonts-noto-cjk)
if [ "$what" = test ]; then
  # Xvfb, xdotool and xclip for end-to-end tests of the real window.
  packages+=(xvfb xauth xdotool xclip)
  # pdftotext/pdftoppm read exported PDFs back; epubcheck validates exported EPUBs.
  packages+=(poppler-utils epubcheck)
  # A real Secret Service for the site-login tests: dbus-daemon (a private session bus) and
  # gnome-keyring-daemon on it. Python talks to it through SecretStorage/jeepney, so no libsecret.
  packages+=(dbus gnome-keyring)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; make sure Qt 6's runtime libraries are installed." >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Clipper needs these system packages, which are not installed:" >&2
  echo "  ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
