"""Canonical URLs: absolute http(s) only, tracking parameters and fragment removed.

No well-kept canonicaliser is installed (w3lib, url-normalize are not), so this is urllib.parse plus
RFC 3986 §6 normalisation: lower-case scheme and host, IDNA (UTS 46) host, default port dropped, dot
segments removed, percent-encoding normalised (unreserved characters decoded, hex upper-cased, unsafe
characters encoded). User info is dropped (a harvested link has no business carrying credentials).
Remaining query parameters keep their original order and spelling: some CMSs (TYPO3's ``cHash``) sign
the query, and reordering would not make two links equal that the source itself writes differently anyway.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, quote, unquote, urljoin, urlsplit, urlunsplit

import idna

ALLOWED_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "yclid",
        "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking", "igshid", "wt_mc", "wt.mc_id",
        "pk_campaign", "pk_kwd", "pk_keyword", "pk_source", "pk_medium", "pk_content", "pk_cid",
        "_ga", "_gl", "xtor", "at_medium", "at_campaign", "oly_anon_id", "oly_enc_id", "rb_clickid",
        "s_cid", "ttclid", "twclid", "li_fat_id", "srsltid", "ncid", "ocid", "spm", "vero_id", "vero_conv",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "piwik_", "mtm_", "matomo_", "hsa_")
_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Browsers strip these around a URL and drop tab/newline inside it; harvested links carry them often.
_STRIP = "".join(chr(c) for c in range(0x21)) + "\x7f"
_PATH_SAFE = "/:@!$&'()*+,;=~-._%"
_QUERY_SAFE = "/?:@!$'()*+,;~-._%="


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """The canonical absolute http(s) form of ``url`` (resolved against ``base``), or None."""
    if url is None:
        return None
    url = re.sub("[\t\n\r]", "", url.strip(_STRIP))
    if not url:
        return None
    try:
        parts = urlsplit(urljoin(base, url) if base else url)
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            return None
        netloc = _netloc(parts, scheme)
    except (ValueError, idna.IDNAError, UnicodeError):
        return None
    if netloc is None:
        return None
    path = _pct(_remove_dot_segments(parts.path) or "/", _PATH_SAFE)
    return urlunsplit((scheme, netloc, path, _query(parts.query), ""))


def is_tracking_param(name: str) -> bool:
    key = unquote(name).lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _netloc(parts: SplitResult, scheme: str) -> str | None:
    host = parts.hostname  # lower-cased, brackets removed, user info dropped
    if not host:
        return None
    port = parts.port  # raises ValueError when out of range or not a number
    if ":" in host:
        host = f"[{host}]"
    elif not host.isascii():
        host = idna.encode(unquote(host), uts46=True).decode("ascii")
    host = host.rstrip(".")
    if not host or not re.fullmatch(r"[a-z0-9._\-\[\]:]+", host):
        return None
    return host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"


def _query(query: str) -> str:
    kept = [p for p in query.split("&") if p and not is_tracking_param(p.split("=", 1)[0])]
    return "&".join(_pct(p, _QUERY_SAFE) for p in kept)


def _pct(text: str, safe: str) -> str:
    """Decode percent-escapes of unreserved characters, upper-case the rest, encode what is unsafe."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char.isascii() and (char.isalnum() or char in "-._~") else "%" + match.group(1).upper()

    text = _LONE_PERCENT.sub("%25", text)
    return quote(_UNRESERVED.sub(fix, text), safe=safe)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 for paths that urljoin did not already clean (absolute input)."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for segment in segments[1:] if path.startswith("/") else segments:
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if segments[-1] in {".", ".."}:
        output.append("")
    return "/" + "/".join(output)
