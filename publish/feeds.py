"""RSS 2.0 and Atom 1.0 (feedgen, which builds them with lxml) and JSON Feed 1.1 (json) from a :class:`FeedSpec`.

Ids never change: ``tag:`` URIs on the item id, independent of the base URL and of the revision, so a
corrected item keeps its id (with a new ``updated``) and a reader updates it in place; a withdrawn item is
simply no longer in the feed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime

from feedgen.feed import FeedGenerator

from publish.context import Card, FeedSpec, PublishConfig

TAG_AUTHORITY = "landkreis-mittelsachsen.de,2020"
FORMATS = {"rss": "rss", "atom": "atom", "json": "json"}  # format -> file extension

# XML 1.0 Char production: everything else (C0 controls, lone surrogates, U+FFFE/FFFF) is illegal
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def item_id(card_id: int) -> str:
    return f"tag:{TAG_AUTHORITY}:rubrik:item:{card_id}"


def feed_id(slug: str) -> str:
    return f"tag:{TAG_AUTHORITY}:rubrik:feed:{slug}"


def feed_path(slug: str, fmt: str) -> str:
    return f"feeds/{slug}.{FORMATS[fmt]}"


def _link(card: Card, config: PublishConfig) -> str:
    return card.url or f"{config.base_url}{card.home_path}#e{card.id}"


def _updated(spec: FeedSpec, cards: Mapping[int, Card], fallback: datetime) -> datetime:
    stamps = [datetime.fromisoformat(cards[i].updated_iso) for i in spec.card_ids]
    return max(stamps, default=fallback)


def _generator(
    spec: FeedSpec, cards: Mapping[int, Card], config: PublishConfig, fmt: str, now: datetime
) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(feed_id(spec.ref.slug))
    fg.title(xml_safe(f"{config.title} – {spec.ref.title}"))
    fg.subtitle(xml_safe(spec.description))
    fg.author({"name": xml_safe(config.title), "email": config.contact.email})
    fg.link(href=config.base_url + spec.page_path, rel="alternate")
    fg.link(href=config.base_url + feed_path(spec.ref.slug, fmt), rel="self")
    fg.language("de")
    updated = _updated(spec, cards, now)
    fg.updated(updated)
    fg.lastBuildDate(updated)  # not the clock: same inputs, same bytes
    for card_id in spec.card_ids:
        _entry(fg, cards[card_id], config)
    return fg


def _entry(fg: FeedGenerator, card: Card, config: PublishConfig) -> None:
    fe = fg.add_entry(order="append")
    fe.id(item_id(card.id))
    fe.guid(item_id(card.id), permalink=False)
    fe.title(xml_safe(card.title))
    fe.link(href=_link(card, config))
    summary = xml_safe(card.summary_html) or xml_safe(card.title)
    fe.summary(summary, type="html")  # also the RSS <description>
    fe.published(datetime.fromisoformat(card.date_iso))
    fe.updated(datetime.fromisoformat(card.updated_iso))
    for source in card.sources:
        fe.author({"name": xml_safe(source.name)})
    for label in card.sectors:
        fe.category({"term": xml_safe(label)})


def rss(spec: FeedSpec, cards: Mapping[int, Card], config: PublishConfig, now: datetime) -> bytes:
    data: bytes = _generator(spec, cards, config, "rss", now).rss_str(pretty=False)
    return data


def atom(spec: FeedSpec, cards: Mapping[int, Card], config: PublishConfig, now: datetime) -> bytes:
    data: bytes = _generator(spec, cards, config, "atom", now).atom_str(pretty=False)
    return data


def json_feed(spec: FeedSpec, cards: Mapping[int, Card], config: PublishConfig, now: datetime) -> bytes:
    items = [_json_item(cards[i], config) for i in spec.card_ids]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{config.title} – {spec.ref.title}",
        "description": spec.description,
        "home_page_url": config.base_url + spec.page_path,
        "feed_url": config.base_url + feed_path(spec.ref.slug, "json"),
        "language": "de",
        "authors": [{"name": config.title}],
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_item(card: Card, config: PublishConfig) -> dict[str, object]:
    return {
        "id": item_id(card.id),
        "url": _link(card, config),
        "title": card.title,
        "content_html": card.summary_html or card.title,
        "date_published": card.date_iso,
        "date_modified": card.updated_iso,
        "authors": [{"name": source.name, **({"url": source.url} if source.url else {})} for source in card.sources],
        "tags": list(card.sectors),
    }


RENDERERS = {"rss": rss, "atom": atom, "json": json_feed}
