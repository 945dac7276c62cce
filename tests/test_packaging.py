"""The frozen app (PyInstaller, packaging/build.sh), used as a person who never saw Python would.

The bundle is built once per run by `bash packaging/build.sh`, or reused when the release tarball
is newer than every source, packaging and resource file (a build takes about half a minute here).
Then: its size and contents, the command line, the window on a virtual display (Xvfb), the
self-test against a real Secret Service, and install-linux.sh from the shipped tarball.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from support.xvfb import wait_for

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
ARCH = os.uname().machine
BUNDLE = ROOT / "dist" / "clipper"
EXE = BUNDLE / "clipper"
TARBALL = ROOT / "dist" / f"clipper-{VERSION}-linux-{ARCH}.tar.gz"
APP_ID = "io.github.clipper.Clipper"
BUDGET_MB = 160
SOURCES = ("src", "packaging", "resources", "pyproject.toml")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle"),
]


def _newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else path.rglob("*")
        for file in files:
            parts = set(file.parts)
            if "__pycache__" in parts or any(p.endswith(".egg-info") for p in parts):
                continue
            if file.is_file():
                newest = max(newest, file.stat().st_mtime)
    return newest


@pytest.fixture(scope="module")
def bundle() -> Path:
    """dist/clipper, built now unless the last build is newer than every source file."""
    (ROOT / "build").mkdir(exist_ok=True)
    # One build at a time, even with several test runs going in the same tree.
    with open(ROOT / "build" / ".package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fresh = EXE.exists() and TARBALL.exists() and TARBALL.stat().st_mtime > _newest_source()
        if not fresh:
            started = time.monotonic()
            build = subprocess.run(
                ["bash", "packaging/build.sh"],
                cwd=ROOT,
                env={**os.environ, "PYTHON": sys.executable, "CLIPPER_ONEFILE": "0"},
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert build.returncode == 0, (build.stdout + build.stderr)[-6000:]
            print(f"built the bundle in {time.monotonic() - started:.0f} s")
    return BUNDLE


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Any:
    """The frozen clipper with these arguments, in the test's isolated home."""
    return subprocess.run(
        [str(EXE), *args],
        env={**os.environ, "LANG": "C.UTF-8", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_bundle_fits_the_budget_and_leaves_gtk_out(bundle: Path) -> None:
    megabytes = int(subprocess.run(["du", "-sm", str(bundle)], capture_output=True,
                                   text=True, check=True).stdout.split()[0])  # fmt: skip
    assert megabytes <= BUDGET_MB, f"{megabytes} MB"
    names = [p.name for p in bundle.rglob("*")]
    unwanted = [n for n in names if n.startswith(("libgtk", "libgdk", "libqgtk3"))]
    assert not unwanted, unwanted
    plugins = bundle / "_internal" / "PySide6" / "Qt" / "plugins"
    assert (plugins / "platforms" / "libqxcb.so").exists()
    assert (plugins / "platforms" / "libqoffscreen.so").exists()
    assert not (plugins / "platformthemes" / "libqgtk3.so").exists()
    assert "libQt6Quick.so.6" not in names and "libQt6Qml.so.6" not in names
    icons = bundle / "_internal" / "clipper" / "resources" / "icons"
    assert (icons / "clipper-256.png").exists()


def test_the_tarball_holds_the_bundle_and_the_installer(bundle: Path) -> None:
    with tarfile.open(TARBALL) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert "install-linux.sh" in members
    assert members["install-linux.sh"].mode & 0o111
    assert "clipper/clipper" in members
    assert f"clipper/share/applications/{APP_ID}.desktop" in members
    assert f"clipper/share/icons/hicolor/256x256/apps/{APP_ID}.png" in members
    strays = [n for n in members if n not in ("clipper", "install-linux.sh")
              and not n.startswith("clipper/")]  # fmt: skip
    assert not strays, strays


# -- the command line ------------------------------------------------------------------------


def test_version_is_the_one_in_pyproject(bundle: Path) -> None:
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"clipper {VERSION}"


def test_info_reports_versions_and_folders(bundle: Path, isolated_home: Path) -> None:
    result = run("info", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["version"] == VERSION
    for package in ("trafilatura", "pyside6-essentials", "keyring", "lxml", "platformdirs"):
        assert info[package] != "not installed", package
    assert info["data_dir"].startswith(str(isolated_home))


def test_extract_needs_every_data_file(bundle: Path) -> None:
    """trafilatura's settings.cfg, jusText's stop lists and tld's suffix list are all inside."""
    expected = json.loads((FIXTURES / "pages" / "expected.json").read_text())["news.html"]
    result = run("extract", str(FIXTURES / "pages" / "news.html"), "--format", "json")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == expected["title"]
    assert article["author"] == expected["author"]
    assert article["date"] == expected["date"]
    assert expected["first_paragraph"] in article["text"]
    assert "Accept all cookies" not in article["text"]


def test_add_then_search(bundle: Path, isolated_home: Path) -> None:
    added = run("add", str(FIXTURES / "pages" / "news.html"), "--tag", "rivers", "--json")
    assert added.returncode == 0, added.stderr
    assert (isolated_home / "data" / "clipper" / "library.sqlite3").exists()
    found = run("search", "barrier tag:rivers", "--json")
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert result["total"] == 1
    assert result["clips"][0]["title"].startswith("Riverside Flood Barrier")


def test_bulk_add_extracts_in_worker_processes(bundle: Path, isolated_home: Path) -> None:
    pages = ["news.html", "blog-code.html", "docs.html", "shift_jis.html", "windows-1251.html"]
    added = run("add", *(str(FIXTURES / "pages" / p) for p in pages), "--jobs", "2", "--json")
    assert added.returncode == 0, added.stderr
    clips = [json.loads(line) for line in added.stdout.splitlines()]
    assert [c["status"] for c in clips] == ["added"] * 5
    assert clips[0]["title"].startswith("Riverside Flood Barrier")
    assert "Traceback" not in added.stderr


def test_self_test_finds_the_secret_service(bundle: Path) -> None:
    """Every module, extraction, FTS5, a PDF with text and the keyring's SecretService backend."""
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        if os.environ.get("CI"):
            pytest.fail("dbus-daemon and gnome-keyring-daemon are needed (make test installs them)")
        result = run("--self-test")
        assert result.returncode == 0, result.stdout + result.stderr
        pytest.skip("no gnome-keyring here: self-test passed without a Secret Service")
    from support.secret_service import SecretService

    service = SecretService().start()
    try:
        result = run(
            "--self-test",
            env={"DBUS_SESSION_BUS_ADDRESS": service.address, "HOME": str(service.home)},
        )
    finally:
        service.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(frozen)" in result.stdout
    assert "self-test passed" in result.stdout
    assert "keyring.backends.SecretService.Keyring" in result.stdout, result.stdout


# -- the window ------------------------------------------------------------------------------


def test_no_arguments_opens_the_window(bundle: Path, display: str, isolated_home: Path) -> None:
    env = {**os.environ, "LANG": "C.UTF-8", "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    app = subprocess.Popen(
        [str(EXE)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )

    def windows(*query: str) -> list[str]:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", *query], env=env,
                               capture_output=True, text=True, timeout=10)  # fmt: skip
        return found.stdout.split()

    try:
        window = wait_for(lambda: windows("--name", "^Clipper$"), 30, "the window")[0]
        # WM_CLASS "clipper": what the desktop file's StartupWMClass matches the window by
        assert window in windows("--classname", "^clipper$")
        assert app.poll() is None, "the window closed"
    finally:
        app.terminate()
        output = app.communicate(timeout=15)[0]
    assert "Traceback" not in output, output
    assert "qt.qpa.plugin" not in output, output
    log = isolated_home / "state" / "clipper" / "log" / "clipper.log"
    assert log.exists(), "the frozen app logs to the per-user log folder"


# -- install-linux.sh ------------------------------------------------------------------------


def test_install_linux_sh_installs_and_uninstalls(bundle: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "download"
    unpacked.mkdir()
    with tarfile.open(TARBALL) as tar:
        tar.extractall(unpacked, filter="tar")
    home = tmp_path / "home"
    data = tmp_path / "xdg data"
    prefix = tmp_path / "apps dir" / "clipper"  # a space, as in /home/Ada Lovelace
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(data),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PREFIX": str(prefix),
        "PATH": "/usr/bin:/bin",
    }
    installer = unpacked / "install-linux.sh"

    def install(*args: str) -> str:
        done = subprocess.run(
            [str(installer), *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    desktop = data / "applications" / f"{APP_ID}.desktop"
    launcher = home / ".local" / "bin" / "clipper"
    icon = data / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png"
    metainfo = data / "metainfo" / f"{APP_ID}.metainfo.xml"
    for _ in range(2):  # installing twice is an update, not an error
        install()
        assert desktop.is_file() and icon.is_file() and metainfo.is_file()
        assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
        assert launcher.is_symlink() and launcher.resolve() == prefix / "clipper"
        version = subprocess.run([str(launcher), "--version"], env=env, capture_output=True,
                                 text=True, timeout=60)  # fmt: skip
        assert version.stdout.strip() == f"clipper {VERSION}"
    exec_line = next(line for line in desktop.read_text().splitlines() if line.startswith("Exec="))
    assert exec_line == f'Exec="{prefix}/clipper" %U'
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True,
                                 text=True)  # fmt: skip
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "error" not in checked.stdout.lower(), checked.stdout
    assert not list(prefix.parent.glob("*.new.*")), "a staging folder was left behind"

    install("--uninstall")
    for path in (desktop, icon, metainfo, launcher, prefix):
        assert not path.exists() and not path.is_symlink(), path
    assert (unpacked / "clipper" / "clipper").exists(), "the download is left alone"
