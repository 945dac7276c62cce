"""URL normalisation, so the same article added twice is recognised."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track where a click came from; they never change the page.
_TRACKING_EXACT = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "s_cid",
        "spm",
        "vero_id",
        "oly_enc_id",
        "oly_anon_id",
        "__twitter_impression",
        "rb_clickid",
        "wt_mc",
        "wt.mc_id",
        "ncid",
        "sr_share",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_", "at_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """A canonical form of an http(s) URL for duplicate detection.

    Lower-cases scheme and host, drops default ports, ``www.``, fragments,
    tracking parameters and a trailing slash; sorts what is left of the query.
    http and https count as the same page.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    port = (
        parts.port
        if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower())
        else None
    )
    netloc = f"{host}:{port}" if port else host
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    return urlunsplit(("http", netloc, path, urlencode(query), ""))


def host_of(url: str | None) -> str:
    """The host of a URL, lower-case, without ``www.``; empty when there is none."""
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".").removeprefix("www.")


def reversed_host(host: str) -> str:
    """``news.example.com`` -> ``com.example.news.``: a domain and its subdomains share a prefix."""
    return ".".join(reversed(host.split("."))) + "." if host else ""
