"""What staff maintain themselves, as publishing inputs (issue 8): stored contacts and the towns' offers.

Read once per publish (:func:`load_staff_content`) and carried in :class:`~publish.context.PublishConfig`, so
they are part of the render-input hash: a changed phone number or a confirmed "Stand" makes a new release.
Pure helpers build the "Angebote der Kommunen" blocks from the approved items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from process.contacts import Contact
from publish.taxonomy import slugify
from store import contacts_repo, entries_repo
from store.publish_repo import ApprovedItem

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True, slots=True)
class StaffContent:
    block: tuple[Contact, ...] = ()  # replaces the RUBRIK_CONTACT_* block when not empty
    important: tuple[Contact, ...] = ()  # "Wichtige Kontakte"
    offer_ids: frozenset[int] = frozenset()  # items that are towns' offers
    town_stands: tuple[tuple[str, datetime], ...] = ()  # staff confirmed "Stand" per town


@dataclass(frozen=True, slots=True)
class TownBlock:
    """One town in "Angebote der Kommunen": its offers' cards and the "Stand"."""

    town: str
    slug: str  # ort/<slug>.html
    stand_label: str
    stand_iso: str
    card_ids: tuple[int, ...]


def load_staff_content(session: Session) -> StaffContent:
    stored = contacts_repo.contacts(session)
    stands = tuple(sorted(entries_repo.town_stands(session).items()))
    return StaffContent(stored.block, stored.important, entries_repo.municipal_offer_ids(session), stands)


def town_blocks(
    active: Sequence[ApprovedItem], content: StaffContent, town: str | None = None
) -> tuple[TownBlock, ...]:
    """Towns A–Z with their active offers (newest first); "Stand" = latest approval or confirmation."""
    by_town: dict[str, list[ApprovedItem]] = {}
    for item in active:
        if item.id in content.offer_ids:
            for name in item.towns:
                if town is None or name == town:
                    by_town.setdefault(name, []).append(item)
    confirmed = dict(content.town_stands)
    blocks = []
    for name in sorted(by_town, key=str.casefold):
        items = by_town[name]
        stand = max([item.updated_at for item in items] + ([confirmed[name]] if name in confirmed else []))
        label = stand.astimezone(BERLIN).strftime("%d.%m.%Y")
        blocks.append(TownBlock(name, slugify(name), label, stand.isoformat(), tuple(item.id for item in items)))
    return tuple(blocks)
