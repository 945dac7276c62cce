"""`clipper login`: save, list and remove site logins (secrets live only in the keyring).

Wired into the main parser with ``register(subs, _sub)``. A secret is never a command-line
argument: it is read from standard input, or asked for without echo when that is a
terminal.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import Any, Protocol

from clipper.core.secrets import (
    KeyringUnavailable,
    Login,
    LoginKind,
    LoginStore,
    normalize_host,
)

__all__ = ["auth_for_cli", "register"]

AuthFor = Callable[[str], dict[str, str]]


class _Sub(Protocol):
    """The shape of cli._sub: add a subcommand parser that runs func(args, ctx)."""

    def __call__(
        self, subs: Any, name: str, func: Callable[..., int], help_text: str
    ) -> argparse.ArgumentParser: ...


def register(subs: Any, sub: _Sub) -> None:
    """Add `clipper login add|list|rm` to the parser's subcommands."""
    login = sub(subs, "login", _cmd_login_help, "save site logins for pages behind a login")
    actions = login.add_subparsers(title="login commands", metavar="ACTION")
    p = sub(actions, "add", cmd_login_add, "save a login for a host (secret from stdin)")
    p.add_argument("host", metavar="HOST", help="example.com (covers its subdomains) or an IP")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--cookie", action="store_true", help="a Cookie header value")
    kind.add_argument("--basic", metavar="USER", help="HTTP Basic: this user and a password")
    kind.add_argument("--bearer", action="store_true", help="a bearer token")
    p = sub(actions, "list", cmd_login_list, "list the hosts with a saved login")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub(actions, "rm", cmd_login_rm, "forget the login for a host")
    p.add_argument("host", metavar="HOST")


def _cmd_login_help(args: argparse.Namespace, ctx: object) -> int:
    print(
        "clipper: say what to do: clipper login add HOST --cookie|--basic USER|--bearer, "
        "clipper login list or clipper login rm HOST.",
        file=sys.stderr,
    )
    return 2


# -- commands ------------------------------------------------------------------------------


def cmd_login_add(args: argparse.Namespace, ctx: object) -> int:
    """Save a login; the secret comes from stdin or a hidden prompt."""
    kind: LoginKind = "basic" if args.basic is not None else "bearer" if args.bearer else "cookie"
    login = Login(args.host, kind, args.basic or "")
    store = LoginStore()
    store.check_available()  # before asking for a secret there is nowhere to keep
    replacing = store.get(login.host) is not None
    store.add(login, _read_secret(login))
    verb = "Replaced the" if replacing else "Saved a"
    print(f"{verb} login for {login.host}: {login.describe()}.", flush=True)
    if kind == "basic" and not replacing:
        print(
            "Basic logins are sent in clear over plain http:// links; "
            "they are safe only over https://.",
            flush=True,
        )
    return 0


def cmd_login_list(args: argparse.Namespace, ctx: object) -> int:
    """Print every saved login: host and kind (never the secret)."""
    store = LoginStore()
    hosts = store.list_hosts()
    if not hosts:
        _json_or_text(args.json, [], "No saved logins.")
        return 0
    try:
        logins = store.logins()
    except KeyringUnavailable as exc:
        _json_or_text(args.json, [{"host": h} for h in hosts], "\n".join(hosts))
        print(f"clipper: {exc}", file=sys.stderr, flush=True)
        return 1
    if args.json:
        rows = [{"host": x.host, "kind": x.kind, "user": x.user or None} for x in logins]
        print(json.dumps(rows, ensure_ascii=False), flush=True)
        return 0
    width = max(len(x.host) for x in logins) if logins else 0
    for login in logins:
        print(f"{login.host:<{width}}  {login.describe()}", flush=True)
    return 0


def cmd_login_rm(args: argparse.Namespace, ctx: object) -> int:
    """Forget a login: its keyring entry and its place in the list."""
    host = normalize_host(args.host)
    LoginStore().remove(host)
    print(f"Removed the login for {host}.", flush=True)
    return 0


def auth_for_cli(ctx: object) -> AuthFor | None:
    """What the clipping commands pass as ClipOptions.auth_for.

    None when no login is saved, or when the keyring is unavailable; then, if logins are
    saved, one warning line says they will not be used and clipping goes on without them.
    """
    store = LoginStore()
    if not store.list_hosts():
        return None  # no login saved: leave the keyring (and its library) alone
    try:
        store.check_available()
    except KeyringUnavailable as exc:
        print(f"clipper: {exc} Clipping without site logins.", file=sys.stderr, flush=True)
        return None
    return store.headers_for


# -- helpers ---------------------------------------------------------------------------------


def _read_secret(login: Login) -> str:
    """The secret from a hidden prompt (stdin is a terminal) or from stdin (a pipe)."""
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            return getpass.getpass(_prompt(login))
        except EOFError:  # Ctrl+D at the prompt: no secret
            return ""
    text = sys.stdin.read() if sys.stdin is not None else ""
    # One trailing line break is the end of the line, not part of the secret.
    return text.removesuffix("\n").removesuffix("\r")


def _prompt(login: Login) -> str:
    if login.kind == "basic":
        return f"Password for {login.user} at {login.host}: "
    what = "Cookie header value" if login.kind == "cookie" else "Bearer token"
    return f"{what} for {login.host}: "


def _json_or_text(as_json: bool, data: Any, text: str) -> None:
    print(json.dumps(data) if as_json else text, flush=True)
