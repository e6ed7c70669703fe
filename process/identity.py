"""Who an entry is: content hash, identity key, duplicate-GUID suffixes, unstable-GUID detection.

Identity is the GUID when the source's GUIDs are stable, else the canonical link, else the content hash
(miniflux's fallback chain). The content hash covers title, summary and content text; a change to it makes
a new revision of the same item, never a new item.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Mapping

# A source whose GUIDs changed for the same links this many fetches in a row is switched to links.
UNSTABLE_GUID_STREAK = 2
# Identities are database keys; absurdly long GUIDs/links are replaced by their hash.
MAX_IDENTITY_LEN = 500


def _normal(text: str) -> str:
    """Whitespace and Unicode-form changes alone must not make a new revision."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_hash(title: str, summary_text: str, content_text: str) -> str:
    """sha256 hex over the normalized title, summary text and content text."""
    joined = "\x1f".join(_normal(part) for part in (title, summary_text, content_text))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def entry_identity(guid: str | None, url: str | None, content_hash: str) -> str:
    """ "guid:…" when a GUID is given, else "url:…", else "hash:…". Pass guid=None to ignore GUIDs."""
    if guid:
        return _capped("guid", guid)
    if url:
        return _capped("url", url)
    return f"hash:{content_hash}"


def _capped(kind: str, value: str) -> str:
    identity = f"{kind}:{value}"
    if len(identity) <= MAX_IDENTITY_LEN:
        return identity
    return f"{kind}:sha256:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


def disambiguate(identities: list[str]) -> list[str]:
    """Repeat identities within one fetch get "#2", "#3", … in order of appearance; the first keeps its own.

    Stable as long as the feed keeps its order, which is the best a feed with duplicate GUIDs allows.
    """
    taken = set(identities)
    seen: Counter[str] = Counter()
    result: list[str] = []
    for identity in identities:
        seen[identity] += 1
        if seen[identity] == 1:
            result.append(identity)
            continue
        n = seen[identity]
        while f"{identity}#{n}" in taken:
            n += 1
        seen[identity] = n
        taken.add(f"{identity}#{n}")
        result.append(f"{identity}#{n}")
    return result


def detect_unstable_guids(previous: Mapping[str, str], current: Mapping[str, str]) -> bool:
    """True when, between two fetches, every link both carried came with a different GUID.

    ``previous`` and ``current`` map guid → canonical url for one source's entries. Links seen in only one
    fetch say nothing (new or dropped items); with no common link the answer is False. One such fetch can
    be a CMS migration, so the harvest counts consecutive True results and falls back to links at
    ``UNSTABLE_GUID_STREAK`` (see ``next_unstable_streak``).
    """
    prev_by_url = _guids_by_url(previous)
    cur_by_url = _guids_by_url(current)
    common = prev_by_url.keys() & cur_by_url.keys()
    if not common:
        return False
    return all(not (prev_by_url[url] & cur_by_url[url]) for url in common)


def next_unstable_streak(streak: int, previous: Mapping[str, str], current: Mapping[str, str]) -> int:
    """The source's new count of consecutive GUID-changing fetches (0 once GUIDs held still)."""
    return streak + 1 if detect_unstable_guids(previous, current) else 0


def _guids_by_url(guid_to_url: Mapping[str, str]) -> dict[str, set[str]]:
    by_url: dict[str, set[str]] = {}
    for guid, url in guid_to_url.items():
        if url:
            by_url.setdefault(url, set()).add(guid)
    return by_url
