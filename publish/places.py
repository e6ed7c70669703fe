"""Where an item appears in the public output: for the review UI's "erscheint öffentlich" panel (issue 4 hook).

Pure: from the item's tags, approval and expiry to (label, absolute URL) pairs, using the same facet rules as
the render (``publish.taxonomy``), so staff see exactly the pages and feeds the next publish will put it on.
Wiring (composition root): ``Hooks(public=(lambda session, d: Panel("Öffentlich", tuple(PanelLine(t, h) for t, h in
public_places(...)))),)``.
"""

from __future__ import annotations

from datetime import datetime

from publish.feeds import feed_path
from publish.taxonomy import OTHER_TOPIC, SECTORS, TOPICS, TOWN_FACETS, in_sector, in_town


def public_places(
    *,
    approved: bool,
    sectors: tuple[str, ...],
    topics: tuple[str, ...],
    towns: tuple[str, ...],
    expires_at: datetime | None,
    now: datetime,
    base_url: str,
) -> list[tuple[str, str]]:
    """Pages and RSS feeds that list the item after the next publish; empty when it is not approved."""
    if not approved:
        return []
    if expires_at is not None and expires_at <= now:
        return [("Archiv (abgelaufen)", f"{base_url}archiv.html")]
    chosen = [facet for facet in TOPICS if facet.key in topics] or [OTHER_TOPIC]
    places = [(f"Thema {f.label}", f"{base_url}thema/{f.slug}.html") for f in chosen]
    places += [
        (f"Branche {f.label}", f"{base_url}branche/{f.slug}.html") for f in SECTORS if in_sector(f, sectors, topics)
    ]
    places += [(f"Ort {f.label}", f"{base_url}ort/{f.slug}.html") for f in TOWN_FACETS if f.key in towns]
    feeds = ["alle", *(f"thema-{f.slug}" for f in chosen)]
    feeds += [f"branche-{f.slug}" for f in SECTORS if in_sector(f, sectors, topics)]
    town_feeds = [f for f in TOWN_FACETS if in_town(f, towns)]
    if len(town_feeds) == len(TOWN_FACETS):
        places.append(("Feeds aller Orte (landkreisweit)", f"{base_url}feeds.html"))
    else:
        feeds += [f"ort-{f.slug}" for f in town_feeds]
    places += [(f"Feed {slug}", base_url + feed_path(slug, "rss")) for slug in feeds]
    return places
