"""How well the tagging rules of today match what staff reviewed (GET /staff/quality): the same measure as
``rubrik eval --reviewed``, on the newest reviewed items, for people who do not use a shell."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from bench.evalset import (
    REVIEWED_PARTS,
    LabelledItem,
    Scores,
    compare_labels,
    hints_of,
    reviewed_entries,
    reviewed_labelled,
)
from process.tagging import Tags, tag_item
from process.taxonomy import Taxonomy, load_taxonomy
from review.auth import Policy, RouteSpec
from review.context import AppContext
from review.render import render, tag_label
from store import tags_repo
from store.db import transaction

QUALITY_ITEMS = 500  # the newest reviewed items measured: about a second of tagging (bench/quality_page.py)
DEVIATIONS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class ScoreRow:
    label: str
    scores: Scores


@dataclass(frozen=True, slots=True)
class Deviation:
    item_id: int
    title: str
    corrected: bool
    differences: tuple[str, ...]  # "Branchen: Handel → alle Branchen"


@dataclass(frozen=True, slots=True)
class QualityPage:
    measured: int
    corrected: int
    left_out: tuple[str, ...]
    overall: tuple[ScoreRow, ...]  # sectors, topics, not relevant, towns (micro)
    by_kind: tuple[tuple[str, tuple[ScoreRow, ...]], ...]  # "korrigiert"/"freigegeben" -> sectors, topics
    by_slug: tuple[tuple[str, tuple[ScoreRow, ...]], ...]  # "Branchen"/"Themen" -> each slug that occurs
    deviations: tuple[Deviation, ...]
    more_deviations: int


def routes(ctx: AppContext) -> list[RouteSpec]:
    last: dict[str, QualityPage] = {}  # the page of the last visit, by the digest of what it measured

    def quality(request: Request) -> Response:
        return render(ctx, request, "staff/quality.html", quality_page(ctx.factory, load_taxonomy(), cache=last))

    return [RouteSpec("GET", "/staff/quality", quality, Policy.REVIEWER, "quality")]


def quality_page(
    factory: sessionmaker[Session], taxonomy: Taxonomy, limit: int = QUALITY_ITEMS,
    cache: dict[str, QualityPage] | None = None,
) -> QualityPage:  # fmt: skip
    """The page's numbers: the newest ``limit`` reviewed items, tagged by the rules of today. With ``cache``, a
    visit that finds the same reviews (ids, labels, texts) and the same rules reuses the last page instead of
    tagging everything again; any new review, correction or rules update measures afresh."""
    with transaction(factory) as session:
        found = tags_repo.reviewed_items(session, limit)
        hints = tags_repo.source_hints(session, [r.source_id for r in found])
    entries = reviewed_entries(found, hints)
    key = _digest(entries, taxonomy.version)
    cached = cache.get(key) if cache is not None else None  # one lookup: another visit may clear it meanwhile
    if cached is not None:
        return cached
    page = _measure(entries, taxonomy)
    if cache is not None:
        cache.clear()
        cache[key] = page
    return page


def _digest(entries: list[dict[str, Any]], rules: str) -> str:
    digest = hashlib.blake2b(rules.encode(), digest_size=16)
    for entry in entries:
        digest.update(json.dumps(entry, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def _measure(entries: list[dict[str, Any]], taxonomy: Taxonomy) -> QualityPage:
    items, left_out = reviewed_labelled(entries, taxonomy)
    if not items:
        return QualityPage(0, 0, tuple(left_out), (), (), (), (), 0)
    # tagged here, not through the evaluation's cache: a server keeps no texts of past visits
    pairs = [(item, tag_item(item.title, item.text, taxonomy, hints_of(item))) for item in items]
    kind_of = {e["id"]: e["part"] for e in entries}
    scored = compare_labels(pairs, taxonomy)
    overall = (
        ScoreRow("Branchen", scored["sectors"]["micro"]),
        ScoreRow("Themen", scored["topics"]["micro"]),
        ScoreRow("nicht wirtschaftsrelevant", scored["not_relevant"]["micro"]),
        ScoreRow("Orte", scored["towns"]["micro"]),
    )
    by_kind = []
    for kind in REVIEWED_PARTS.values():
        chosen = [(i, t) for i, t in pairs if kind_of[i.id] == kind]
        if chosen:
            part = compare_labels(chosen, taxonomy)
            rows = (ScoreRow("Branchen", part["sectors"]["micro"]), ScoreRow("Themen", part["topics"]["micro"]))
            by_kind.append((f"{kind} ({len(chosen)})", rows))
    by_slug = tuple(
        (title, _slug_rows(axis, scored[axis])) for axis, title in (("sectors", "Branchen"), ("topics", "Themen"))
    )
    deviations = [d for d in (_deviation(i, t, kind_of[i.id] == REVIEWED_PARTS[True]) for i, t in pairs) if d]
    corrected = sum(1 for i in items if kind_of[i.id] == REVIEWED_PARTS[True])
    return QualityPage(len(items), corrected, tuple(left_out), overall, tuple(by_kind), by_slug,
                       tuple(deviations[:DEVIATIONS_SHOWN]), max(0, len(deviations) - DEVIATIONS_SHOWN))  # fmt: skip


def _slug_rows(axis: str, scored: dict[str, Scores]) -> tuple[ScoreRow, ...]:
    """A row per slug that the reviews or the rules gave at least once, with its German label."""
    return tuple(
        ScoreRow(tag_label(axis, slug), s) for slug, s in scored.items() if slug != "micro" and s.tp + s.fp + s.fn
    )


def _deviation(item: LabelledItem, tags: Tags, corrected: bool) -> Deviation | None:
    differences = []
    for axis, title in (("sectors", "Branchen"), ("topics", "Themen"), ("towns", "Orte")):
        staff, rules = set(getattr(item, axis) or ()), set(getattr(tags, axis) or ())
        if staff != rules:
            differences.append(f"{title}: {_labels(axis, staff)} → {_labels(axis, rules)}")
    if item.relevant != tags.relevant:
        said = "wirtschaftsrelevant" if tags.relevant else "nicht wirtschaftsrelevant"
        differences.append(f"Regeln: {said} ({tags.relevance_reason})")
    if not differences:
        return None
    return Deviation(int(item.id.removeprefix("item-")), item.title, corrected, tuple(differences))


def _labels(axis: str, slugs: set[str]) -> str:
    return ", ".join(sorted(tag_label(axis, slug) for slug in slugs)) or "keine"
