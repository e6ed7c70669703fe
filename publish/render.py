"""Turn a :class:`~publish.context.Site` into files: Jinja2 pages (autoescape, StrictUndefined), feeds, CSS.

Returns ``{relative path: bytes}``; writing, validating and switching releases is ``publish/release.py``'s job.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from publish.context import Card, Site, feed_groups
from publish.feeds import RENDERERS, feed_path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
STATIC = {
    "static/rubrik.css": "public/rubrik.css",
    "static/widget.css": "widget/widget.css",
    "static/favicon.svg": "public/favicon.svg",
}


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_files() -> list[Path]:
    """Everything under templates/ that shapes the output (part of the render-input hash)."""
    return sorted(path for path in TEMPLATES.rglob("*") if path.is_file() and "staff" not in path.parts)


def root_of(path: str) -> str:
    return "../" * path.count("/")


def render_cards(cards: dict[int, Card]) -> dict[int, Markup]:
    """Each item's HTML once; pages only join these fragments."""
    template = environment().get_template("public/_card.html")
    return {card_id: Markup(template.render(card=card)) for card_id, card in cards.items()}  # noqa: S704


def render_site(site: Site, now: datetime) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    files.update(_pages(site))
    files.update(_widgets(site))
    for spec in site.feeds:
        for fmt, render in RENDERERS.items():
            files[feed_path(spec.ref.slug, fmt)] = render(spec, site.cards, site.config, now)
    for target, source in STATIC.items():
        files[target] = (TEMPLATES / source).read_bytes()
    return files


def _pages(site: Site) -> dict[str, bytes]:
    env = environment()
    cards_html = render_cards(site.cards)
    shared: dict[str, object] = {"common": site.common, "cards_html": cards_html, "base_url": site.config.base_url}
    out: dict[str, bytes] = {}
    listing = env.get_template("public/list.html")
    for page in site.lists:
        out[page.path] = _encode(listing.render(page=page, root=root_of(page.path), current=page.current, **shared))
    special: dict[str, tuple[str, dict[str, object]]] = {
        "feeds.html": ("public/feeds.html", {"groups": feed_groups(site.feeds), "feed_items": site.config.feed_items}),
        "einbinden.html": ("public/embed.html", {"towns": site.embed_towns}),
    }
    for path, (name, extra) in special.items():
        out[path] = _encode(env.get_template(name).render(root="", current=path, **shared, **extra))
    return out


def _widgets(site: Site) -> dict[str, bytes]:
    template = environment().get_template("widget/widget.html")
    common = site.common
    out: dict[str, bytes] = {}
    for widget in site.widgets:
        html = template.render(
            widget=widget,
            cards=site.cards,
            root=root_of(widget.path),
            base_url=site.config.base_url,
            site_title=common.site_title,
            stand_label=common.stand_label,
            stand_iso=common.stand_iso,
        )
        out[widget.path] = _encode(html)
    return out


def _encode(html: str) -> bytes:
    return html.encode("utf-8")
