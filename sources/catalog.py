"""The source catalog: what rubrik harvests, as validated data.

``sources/catalog.yaml`` lists every source (chambers, ministries, the county, its towns …). This module owns
its schema: :func:`load_catalog` reads the file and collects *every* problem into one :class:`CatalogError`
whose lines name the file, the entry (position, line and id) and the field in plain words;
:func:`parse_source` validates one entry and is also used by the admin UI. Nothing here touches the network:
URLs are checked literally (scheme, host, no credentials, and :func:`sources.netguard.check_url` for literal
non-public addresses in any encoding); the fetcher checks again, with DNS, at fetch time.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

import soupsieve
import yaml

from sources.errors import FetchError
from sources.intervals import format_interval, parse_interval
from sources.mailbox import MailboxConfig, parse_mailbox
from sources.netguard import check_url

__all__ = [
    "KINDS",
    "SECTORS",
    "SELECTOR_KEYS",
    "TOPICS",
    "TOWNS",
    "CatalogError",
    "SourceConfig",
    "load_catalog",
    "parse_interval",
    "parse_source",
]

# "mailbox" (issue 8): e-mail intake, read by sources/mailbox.py instead of the fetcher.
KINDS: tuple[str, ...] = ("feed", "listing", "page", "mailbox")

# Stable slugs shared with the tagging taxonomy (a later issue moves them into a taxonomy YAML).
SECTORS: tuple[str, ...] = (
    "industrie", "handwerk", "handel", "gastgewerbe-tourismus", "landwirtschaft", "dienstleistungen",
    "kultur-kreativwirtschaft", "verkehr-logistik", "gesundheit-soziales",
    "soloselbststaendige-freie-berufe", "alle-branchen",
)  # fmt: skip
TOPICS: tuple[str, ...] = (
    "soforthilfen-zuschuesse", "kredite-buergschaften", "kurzarbeit-beschaeftigte", "steuern-abgaben",
    "entschaedigung", "recht-verordnungen", "einreise-pendler", "ausbildung-fachkraefte",
    "veranstaltungen-beratung", "kauf-regional",
)  # fmt: skip

# The municipalities of Landkreis Mittelsachsen, official spelling. 52 since 1 Jan 2023, when Ostrau and
# Zschaitz-Ottewig merged into Jahnatal (53 before). Checked against the county map of de.wikipedia
# (stored copy, 2024); not checked against the Statistisches Landesamt's register from here — verify there
# when the list matters legally.
TOWNS: tuple[str, ...] = (
    "Altmittweida", "Augustusburg", "Bobritzsch-Hilbersdorf", "Brand-Erbisdorf", "Burgstädt", "Claußnitz",
    "Döbeln", "Dorfchemnitz", "Eppendorf", "Erlau", "Flöha", "Frankenberg/Sa.", "Frauenstein", "Freiberg",
    "Geringswalde", "Großhartmannsdorf", "Großschirma", "Großweitzschen", "Hainichen", "Halsbrücke",
    "Hartha", "Hartmannsdorf", "Jahnatal", "Königsfeld", "Königshain-Wiederau", "Kriebstein", "Leisnig",
    "Leubsdorf", "Lichtenau", "Lichtenberg/Erzgeb.", "Lunzenau", "Mittweida", "Mühlau", "Mulda/Sa.",
    "Neuhausen/Erzgeb.", "Niederwiesa", "Oberschöna", "Oederan", "Penig", "Rechenberg-Bienenmühle",
    "Reinsberg", "Rochlitz", "Rossau", "Roßwein", "Sayda", "Seelitz", "Striegistal", "Taura", "Waldheim",
    "Wechselburg", "Weißenborn/Erzgeb.", "Zettlitz",
)  # fmt: skip
# Former municipalities, so an old name gets a precise hint instead of a fuzzy guess.
FORMER_TOWNS: Mapping[str, str] = MappingProxyType({"Ostrau": "Jahnatal", "Zschaitz-Ottewig": "Jahnatal"})

# Selector keys per kind. ``listing``: ``item`` is required, the rest optional. ``page``: an optional
# ``content`` selector narrows the watched main text (town sites with heavy chrome). Feeds take none.
SELECTOR_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"feed": (), "listing": ("item", "title", "link", "date", "summary"), "page": ("content",)}
)
REQUIRED_SELECTORS: Mapping[str, tuple[str, ...]] = MappingProxyType({"listing": ("item",)})

_REQUIRED = ("id", "name", "kind", "url", "interval")
_OPTIONAL = ("selectors", "sectors", "topics", "towns", "enabled", "verified", "obey_robots", "notes", "mailbox")
FIELDS: tuple[str, ...] = _REQUIRED + _OPTIONAL

_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
# "css" or "css@attr"; the attribute name must end the string, so "a[href$='@x.de']" stays pure CSS.
_SELECTOR = re.compile(r"(?P<css>.+?)(?:@(?P<attr>[A-Za-z_][\w:.-]*))?", re.DOTALL)
_MAX_URL = 2000
_MAX_TEXT = 2000


def default_obey_robots(kind: str) -> bool:
    """Scraped kinds obey robots.txt; feeds are published to be polled, so they do not by default."""
    return kind != "feed"


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One validated catalog entry. Build it with :func:`parse_source`, which applies kind defaults."""

    id: str
    name: str
    kind: str
    url: str
    interval: timedelta
    selectors: Mapping[str, str] | None = field(default=None, hash=False)
    sectors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()
    enabled: bool = True
    # False: the address could not be checked from where the catalog was written (no internet).
    verified: bool = False
    # parse_source defaults this by kind (see default_obey_robots); direct construction errs on the safe side.
    obey_robots: bool = True
    notes: str = ""
    mailbox: MailboxConfig | None = None  # kind "mailbox" only; its address becomes ``url``

    def to_dict(self) -> dict[str, object]:
        """Plain data for the admin UI and the database; ``parse_source(c.to_dict()) == c``."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "interval": format_interval(self.interval),
            "selectors": None if self.selectors is None else dict(self.selectors),
            "sectors": list(self.sectors),
            "topics": list(self.topics),
            "towns": list(self.towns),
            "enabled": self.enabled,
            "verified": self.verified,
            "obey_robots": self.obey_robots,
            "notes": self.notes,
            **({"mailbox": self.mailbox.to_dict()} if self.mailbox else {}),
        }


class CatalogError(ValueError):
    """The catalog (or one entry) is invalid. ``problems`` holds one plain-words line per problem."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            lines = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{len(self.problems)} problems in the source catalog:\n{lines}"
        super().__init__(message)


# -- one entry ------------------------------------------------------------------------------------------


def parse_source(data: Mapping[str, object], *, where: str = "", allow_hosts: Iterable[str] = ()) -> SourceConfig:
    """Validate one entry; ``where`` (e.g. ``"catalog.yaml: entry 3 (line 40)"``) prefixes every message.

    ``allow_hosts``: exact ``host:port`` pairs allowed although not public (``RUBRIK_FETCH_ALLOW_HOSTS``;
    local test servers and the benchmark), as for the fetcher.
    """
    if not isinstance(data, Mapping):
        raise CatalogError([f"{where or 'source'}: an entry must be a mapping of fields, not {_kind_of(data)}"])
    label = _label(where, data.get("id"))
    problems = [f"{label}: {p}" for p in _field_set_problems(data)]
    values: dict[str, object] = {}
    checks: dict[str, Callable[[object], object]] = {
        **_CHECKS,
        "url": functools.partial(_check_url, allow_hosts=tuple(allow_hosts)),
    }
    if data.get("kind") == "mailbox":
        checks.pop("url")  # derived from the mailbox field
    for name, check in checks.items():
        if name in data:
            try:
                values[name] = check(data[name])
            except ValueError as exc:
                problems.append(f'{label}: field "{name}": {exc}')
    kind = values.get("kind")
    problems += _mailbox_problems(data, values, label, tuple(allow_hosts))
    try:
        values["selectors"] = _check_selectors(data.get("selectors"), kind if isinstance(kind, str) else None)
    except ValueError as exc:
        problems.append(f'{label}: field "selectors": {exc}')
    if problems:
        raise CatalogError(problems)
    return _build(values)


def _mailbox_problems(
    data: Mapping[str, object], values: dict[str, object], label: str, allow_hosts: tuple[str, ...]
) -> list[str]:
    """A mailbox source needs the mailbox field (and any url it carries is the derived one); others must not
    have one."""
    if values.get("kind") != "mailbox":
        return [f'{label}: field "mailbox" is only for kind mailbox'] if "mailbox" in data else []
    values.pop("url", None)
    try:
        config = parse_mailbox(data.get("mailbox"))
        if config.imap_host:  # the same rule as for fetched hosts: no private or local addresses
            _check_url(f"https://{config.imap_host}:{config.imap_port}/", allow_hosts)
        values["mailbox"] = config
    except ValueError as exc:
        return [f'{label}: field "mailbox": {exc}']
    return []


def _build(values: Mapping[str, object]) -> SourceConfig:
    kind = str(values["kind"])
    obey = values.get("obey_robots", default_obey_robots(kind))
    interval = values["interval"]
    selectors = values["selectors"]
    mailbox = values.get("mailbox")
    assert isinstance(interval, timedelta)
    assert selectors is None or isinstance(selectors, Mapping)
    return SourceConfig(
        id=str(values["id"]),
        name=str(values["name"]),
        kind=kind,
        url=mailbox.address if isinstance(mailbox, MailboxConfig) else str(values["url"]),
        interval=interval,
        selectors=selectors,
        sectors=_tuple(values.get("sectors")),
        topics=_tuple(values.get("topics")),
        towns=_tuple(values.get("towns")),
        enabled=bool(values.get("enabled", True)),
        verified=bool(values.get("verified", False)),
        obey_robots=bool(obey),
        notes=str(values.get("notes", "")),
        mailbox=mailbox if isinstance(mailbox, MailboxConfig) else None,
    )


def _tuple(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, tuple) else ()


def _label(where: str, ident: object) -> str:
    who = f'id "{ident}"' if isinstance(ident, str) and ident else "without an id"
    return f"{where}, {who}" if where else f"source {who}"


def _kind_of(value: object) -> str:
    return {list: "a list", str: "a text", int: "a number", bool: "a yes/no value"}.get(
        type(value), "empty" if value is None else type(value).__name__
    )


def _field_set_problems(data: Mapping[str, object]) -> list[str]:
    problems = []
    for key in data:
        if key not in FIELDS:
            hint = difflib.get_close_matches(str(key), FIELDS, n=1)
            tip = f'; did you mean "{hint[0]}"?' if hint else f"; known fields: {', '.join(FIELDS)}"
            problems.append(f'unknown field "{key}"{tip}')
    # a mailbox has no http address: its "url" is derived from the mailbox field
    required = [name for name in _REQUIRED if not (name == "url" and data.get("kind") == "mailbox")]
    problems += [f'field "{name}" is missing' for name in required if name not in data]
    return problems


# -- field checks: each returns the clean value or raises ValueError with a plain-words reason ------------


def _text(value: object, *, max_len: int = _MAX_TEXT, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a text, not {_kind_of(value)}")
    text = value.strip()
    if not text and not empty_ok:
        raise ValueError("must not be empty")
    if len(text) > max_len:
        raise ValueError(f"is longer than {max_len} characters")
    return text


def _check_id(value: object) -> str:
    text = _text(value, max_len=63)
    if not _ID.fullmatch(text):
        raise ValueError(
            f'"{text}" is not a valid id: use 2–63 lower-case letters, digits and hyphens, starting with a '
            "letter or digit"
        )
    return text


def _check_kind(value: object) -> str:
    text = _text(value)
    if text not in KINDS:
        raise ValueError(f'unknown kind "{text}"; expected one of {", ".join(KINDS)}')
    return text


def _check_url(value: object, allow_hosts: tuple[str, ...] = ()) -> str:
    text = _text(value, max_len=_MAX_URL)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValueError(f'"{text}" contains spaces or control characters')
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f'"{text}" is not an http(s) address')
    if "@" in parts.netloc:
        raise ValueError(f'"{text}" contains a user name or password; put no credentials in the catalog')
    if not parts.hostname:
        raise ValueError(f'"{text}" has no host name')
    try:
        parts.port  # noqa: B018 - raises ValueError on a port out of range or not a number
    except ValueError:
        raise ValueError(f'"{text}" has an invalid port') from None
    try:
        check_url(text, allow_hosts)
    except FetchError as exc:  # InvalidURL or SSRFBlocked (German text, ends with the URL): say it plainly
        reason = str(exc).removesuffix(f" ({text})")
        if exc.code == "ssrf_blocked":
            raise ValueError(
                f'"{text}" points to a non-public address or local name ({reason}); only public hosts '
                "may be harvested (local test servers: RUBRIK_FETCH_ALLOW_HOSTS)"
            ) from None
        raise ValueError(f'"{text}" is not a valid http(s) address ({reason})') from None
    return text


def _check_interval(value: object) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"must be a duration like 30m, 2h or 1d, not {_kind_of(value)}")
    return parse_interval(value)


def _check_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {_kind_of(value)} {value!r}")
    return value


def _slug_list(allowed: tuple[str, ...], what: str) -> Callable[[object], tuple[str, ...]]:
    def check(value: object) -> tuple[str, ...]:
        items = _str_list(value)
        for item in items:
            if item not in allowed:
                hint = difflib.get_close_matches(item, allowed, n=1, cutoff=0.5)
                tip = f'; did you mean "{hint[0]}"?' if hint else f"; known {what}s: {', '.join(allowed)}"
                raise ValueError(f'unknown {what} "{item}"{tip}')
        return items

    return check


def _check_towns(value: object) -> tuple[str, ...]:
    items = _str_list(value)
    for item in items:
        if item in FORMER_TOWNS:
            raise ValueError(f'"{item}" is no longer a municipality; it is part of "{FORMER_TOWNS[item]}"')
        if item not in TOWNS:
            hint = difflib.get_close_matches(item, TOWNS, n=1, cutoff=0.6)
            tip = f'; did you mean "{hint[0]}"?' if hint else ""
            raise ValueError(f'"{item}" is not a municipality of Landkreis Mittelsachsen{tip}')
    return items


def _str_list(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list like [a, b], not {_kind_of(value)}")
    items: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"every element must be a non-empty text, not {_kind_of(item)} {item!r}")
        if item.strip() not in items:  # order kept, repeats dropped
            items.append(item.strip())
    return tuple(items)


def _check_notes(value: object) -> str:
    return "" if value is None else _text(value, empty_ok=True)


def _check_selectors(value: object, kind: str | None) -> Mapping[str, str] | None:
    required = REQUIRED_SELECTORS.get(kind or "", ())
    if value is None:
        if required:
            raise ValueError(f'a {kind} needs selectors with at least "{required[0]}"')
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a mapping like {{item: 'div.news'}}, not {_kind_of(value)}")
    allowed = SELECTOR_KEYS.get(kind, ()) if kind else tuple(sorted({k for ks in SELECTOR_KEYS.values() for k in ks}))
    if kind and not allowed:
        raise ValueError(f"a {kind} takes no selectors")
    for key in value:
        if key not in allowed:
            kind_part = f" for a {kind}" if kind else ""
            raise ValueError(f'unknown selector "{key}"{kind_part}; allowed: {", ".join(allowed)}')
    for key in required:
        if key not in value:
            raise ValueError(f'a {kind} needs the selector "{key}"')
    return MappingProxyType({str(k): _check_selector(str(k), v) for k, v in value.items()})


def _check_selector(key: str, value: object) -> str:
    """Accept ``"css"`` or ``"css@attr"``; the CSS part must compile with soupsieve (what the parser uses)."""
    text = _text(value, max_len=500)
    match = _SELECTOR.fullmatch(text)
    css = match.group("css").strip() if match else ""
    try:
        soupsieve.compile(css)
    except Exception as exc:  # soupsieve raises SelectorSyntaxError, but also others on odd input
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f'selector "{key}": "{css}" is not a valid CSS selector ({reason})') from None
    return text


_CHECKS: Mapping[str, Callable[[object], object]] = MappingProxyType(
    {
        "id": _check_id,
        "name": lambda v: _text(v, max_len=200),
        "kind": _check_kind,
        "url": _check_url,
        "interval": _check_interval,
        "sectors": _slug_list(SECTORS, "sector"),
        "topics": _slug_list(TOPICS, "topic"),
        "towns": _check_towns,
        "enabled": _check_flag,
        "verified": _check_flag,
        "obey_robots": _check_flag,
        "notes": _check_notes,
    }
)


# -- the file -------------------------------------------------------------------------------------------


def load_catalog(path: Path, *, allow_hosts: Iterable[str] = ()) -> tuple[SourceConfig, ...]:
    """Read and validate the catalog; raise one CatalogError listing every problem found."""
    path, allow_hosts = Path(path), tuple(allow_hosts)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([f"{path}: cannot read the source catalog ({exc})"]) from None
    entries, lines = _read_yaml(path, text)
    sources: list[SourceConfig] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    for index, entry in enumerate(entries, start=1):
        where = f"{path}: entry {index}" + (f" (line {lines[index - 1]})" if index <= len(lines) else "")
        ident = entry.get("id") if isinstance(entry, Mapping) else None
        if isinstance(ident, str) and ident in first_seen:
            problems.append(f'{_label(where, ident)}: field "id": duplicate of {first_seen[ident]}')
        elif isinstance(ident, str):
            first_seen[ident] = where.removeprefix(f"{path}: ")
        try:
            sources.append(parse_source(entry, where=where, allow_hosts=allow_hosts))
        except CatalogError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CatalogError(problems)
    return tuple(sources)


def _read_yaml(path: Path, text: str) -> tuple[list[Mapping[str, object]], list[int]]:
    """Parse the file; return the entries and each entry's 1-based line number."""
    # One parse (libyaml when available): compose the node tree for line numbers and duplicate keys,
    # then construct the data from that same tree.
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        _reject_duplicate_keys(root)
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        raise CatalogError([f"{path}: {_yaml_problem(exc)}"]) from None
    if not isinstance(data, dict) or "sources" not in data:
        raise CatalogError([f'{path}: the file must be a mapping with the key "sources" (a list of entries)'])
    extra = [str(k) for k in data if k != "sources"]
    if extra:
        raise CatalogError([f'{path}: unknown top-level key "{extra[0]}"; only "sources" is allowed'])
    entries = data["sources"]
    if not isinstance(entries, list):
        raise CatalogError([f'{path}: "sources" must be a list of entries, not {_kind_of(entries)}'])
    return entries, _entry_lines(root)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    reason = getattr(exc, "problem", None) or str(exc)
    return f"{where}YAML syntax error: {reason}"


def _reject_duplicate_keys(node: yaml.Node | None) -> None:
    """PyYAML silently keeps the last of two equal keys; in a catalog that hides a typo, so refuse it."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f'the key "{key.value}" appears twice in one mapping', key.start_mark
                    )
                seen.add(key.value)
            _reject_duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(item)


def _entry_lines(root: yaml.Node | None) -> list[int]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "sources" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []
