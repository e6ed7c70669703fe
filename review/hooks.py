"""Extension points of the item view for parts built elsewhere.

Stories (issue 3) add the story an item belongs to and its duplicates; publishing (issue 5) adds whether and
where the approved revision appears in the public output. Each provider gets the item page's database session
(one transaction for the whole page, read only) and the item's detail, and returns a :class:`Panel` (plain text,
escaped by the template) or None. ``create_app(settings, hooks=...)`` takes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from store.review_repo import ItemDetail


@dataclass(frozen=True, slots=True)
class PanelLine:
    text: str
    href: str | None = None  # http(s) or a local path; anything else is shown as text only
    action: str | None = None  # a /staff/ path the line's button POSTs to (with the CSRF token)
    action_label: str = ""


@dataclass(frozen=True, slots=True)
class Panel:
    heading: str
    lines: tuple[PanelLine, ...]


PanelProvider = Callable[[Session, ItemDetail], Panel | None]


@dataclass(frozen=True)
class Hooks:
    """Panel providers per slot of the item view, in display order."""

    story: tuple[PanelProvider, ...] = ()  # story info: other sources of the same story, merge/split
    duplicates: tuple[PanelProvider, ...] = ()  # possible duplicates
    tag_reasons: tuple[PanelProvider, ...] = ()  # why a tag was suggested
    public: tuple[PanelProvider, ...] = ()  # "appears in public output"
    extra: dict[str, tuple[PanelProvider, ...]] = field(default_factory=dict)

    def panels(self, slot: str, session: Session, detail: ItemDetail) -> list[Panel]:
        providers: tuple[PanelProvider, ...] = getattr(self, slot, None) or self.extra.get(slot, ())
        return [panel for provider in providers if (panel := provider(session, detail)) is not None]
