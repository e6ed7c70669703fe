"""Entries staff write themselves: the draft as typed, its validation, and what it becomes (title, HTML, text).

Pure functions. The vocabularies (topics, sectors, towns) are passed in by the caller (they live in the
source catalog), so the same checks serve the staff UI and ``rubrik entries add``.
"""

from __future__ import annotations

import hashlib
import html as _html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from process.markup import render_markup
from process.sanitize import clean_html, safe_link
from process.text import one_line

SECTIONS = ("redaktion", "kommunale-angebote")
SECTION_LABELS = {"redaktion": "Eigene Meldung", "kommunale-angebote": "Angebot einer Kommune"}
MAX_TEXT = 20_000
MAX_LINKS = 10


class DraftError(ValueError):
    """The draft cannot be saved; ``problems`` lists every reason in German."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """A manual entry as staff typed it. ``text`` is in the formatting subset of :mod:`process.markup`."""

    title: str
    text: str
    section: str = "redaktion"
    topics: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    valid_until: date | None = None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    topics: tuple[str, ...]
    sectors: tuple[str, ...]
    towns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RenderedEntry:
    """What is stored as the revision: plain-text title, allowlist HTML, the source text, first link."""

    title: str
    summary_html: str
    content_text: str
    url: str | None
    content_hash: str
    links: tuple[Link, ...] = field(default=())


def check_draft(draft: EntryDraft, vocabulary: Vocabulary, *, today: date | None = None) -> EntryDraft:
    """The draft with tidied values, or DraftError naming every problem."""
    problems: list[str] = []
    title = one_line(draft.title)
    if not title:
        problems.append("Der Titel darf nicht leer sein.")
    if not draft.text.strip():
        problems.append("Der Text darf nicht leer sein.")
    if len(draft.text) > MAX_TEXT:
        problems.append(f"Der Text ist länger als {MAX_TEXT} Zeichen.")
    if draft.section not in SECTIONS:
        problems.append(f"Unbekannter Bereich {draft.section!r}.")
    for values, allowed, label in (
        (draft.topics, vocabulary.topics, "Thema"),
        (draft.sectors, vocabulary.sectors, "Branche"),
        (draft.towns, vocabulary.towns, "Ort"),
    ):
        problems += [f"Unbekannte(r) {label} {value!r}." for value in values if value not in allowed]
    if draft.section == "kommunale-angebote" and len(draft.towns) != 1:
        problems.append("Ein Angebot einer Kommune gehört zu genau einem Ort.")
    links = _checked_links(draft.links, problems)
    if draft.valid_until is not None and today is not None and draft.valid_until < today:
        problems.append("„Gültig bis“ liegt in der Vergangenheit.")
    if problems:
        raise DraftError(problems)
    return EntryDraft(
        title=title, text=draft.text.strip(), section=draft.section, topics=_unique(draft.topics),
        sectors=_unique(draft.sectors), towns=_unique(draft.towns), links=links, valid_until=draft.valid_until,
    )  # fmt: skip


def _checked_links(links: Sequence[Link], problems: list[str]) -> tuple[Link, ...]:
    if len(links) > MAX_LINKS:
        problems.append(f"Höchstens {MAX_LINKS} Links.")
    checked = []
    for link in links:
        url = safe_link(link.url.strip(), None)
        if url is None or not url.startswith(("http://", "https://")):
            problems.append(f"{link.url!r} ist keine gültige http(s)-Adresse.")
            continue
        checked.append(Link(one_line(link.label, 200) or url, url))
    return tuple(checked)


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def render_entry(draft: EntryDraft) -> RenderedEntry:
    """The stored form of a checked draft; links are appended to the HTML so every output shows them."""
    html = render_markup(draft.text)
    if draft.links:
        items = "".join(f'<li><a href="{_attr(link.url)}">{_text(link.label)}</a></li>' for link in draft.links)
        html = clean_html(f"{html}<p>Weitere Informationen:</p><ul>{items}</ul>", base_url=None)
    key = "\0".join([draft.title, draft.text, *(f"{link.label}\0{link.url}" for link in draft.links)])
    digest = hashlib.sha256(("manual\0" + key).encode()).hexdigest()
    url = draft.links[0].url if draft.links else None
    return RenderedEntry(draft.title, html, draft.text, url, digest, draft.links)


def _text(value: str) -> str:
    return _html.escape(value, quote=False)


def _attr(value: str) -> str:
    return _html.escape(value, quote=True)


def parse_links(raw: str) -> tuple[Link, ...]:
    """Links from a form/CLI text: one per line, ``Beschriftung | https://…`` or just the address."""
    links = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        label, sep, url = line.rpartition("|")
        links.append(Link(label.strip(), url.strip()) if sep else Link("", line.strip()))
    return tuple(links)
