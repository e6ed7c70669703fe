"""Item-view panels of stories and tagging (issue 3), plugged into the review app through ``review.hooks``:
the story ("auch gemeldet von …", canonical text, linked versions), possible duplicates in other stories,
and why each tag was given plus the classifier's suggestions (labelled as suggestions, with confidence).

Providers read the store in the item page's own transaction (``review.hooks``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from process.dates import BERLIN
from review.hooks import Hooks, Panel, PanelLine
from review.render import tag_label
from store import review_repo, stories_repo, tags_repo
from store.review_repo import ItemDetail

_AXES = {"sectors": "Branche", "topics": "Thema", "towns": "Ort"}


def story_hooks(base: Hooks | None = None) -> Hooks:
    """``base`` with the story, duplicate and tag-reason providers added."""
    base = base or Hooks()
    return Hooks(
        story=(*base.story, story_panel),
        duplicates=(*base.duplicates, duplicates_panel),
        tag_reasons=(*base.tag_reasons, tags_panel),
        public=base.public,
        extra=dict(base.extra),
    )


def story_panel(session: Session, detail: ItemDetail) -> Panel | None:
    story = stories_repo.stories_of(session, [detail.view.id]).get(detail.view.id)
    if story is None:
        return None
    lines = [PanelLine(f"Geschichte {story.story_id}" + _canonical_note(story, detail.view.id))]
    others = [m for m in story.members if m.item_id != detail.view.id]
    names = review_repo.source_names(session, [m.source_id for m in others]) if others else {}
    lines += [PanelLine(_also_reported(m, names), f"/staff/items/{m.item_id}") for m in others]
    if story.canonical_item_id not in (None, detail.view.id):
        lines.append(
            PanelLine(
                f"Maßgeblicher Text: Eintrag {story.canonical_item_id}", f"/staff/items/{story.canonical_item_id}"
            )
        )
    here = f"/staff/items/{detail.view.id}/story"
    if story.versions:
        lines += _version_lines(session, story, here, detail.view.first_seen_at)
    if others:  # staff correct the rule: a wrong merge is split, the canonical text chosen
        if story.canonical_item_id != detail.view.id:
            lines.append(PanelLine("Dieser Eintrag soll die Geschichte vertreten?", action=f"{here}/canonical",
                                   action_label="Als maßgeblichen Text festlegen"))  # fmt: skip
        lines.append(PanelLine("Gehört nicht zu dieser Meldung?", action=f"{here}/split",
                               action_label="Aus der Geschichte lösen"))  # fmt: skip
    return Panel("Geschichte", tuple(lines))


def _version_lines(session: Session, story: stories_repo.StoryInfo, here: str, own_seen: datetime) -> list[PanelLine]:
    """Other versions of the same regulation, linked, with their state; an older one still published can be
    taken out of the public rubric here, so that readers do not find rules that no longer apply."""
    lines = []
    for other in stories_repo.version_stories(session, story.versions):
        seen = other.first_seen_at
        older, newer = (seen < own_seen, seen > own_seen) if seen else (False, False)
        when = f", zuerst gesehen {seen.astimezone(BERLIN):%d.%m.%Y}" if seen else ""
        state = "veröffentlicht" if other.published else "nicht veröffentlicht"
        kind = "Ältere" if older else "Neuere" if newer else "Andere"
        text = f"{kind} Fassung derselben Regelung ({state}{when}): {other.title}"
        link = f"/staff/items/{other.item_id}" if other.item_id is not None else None
        lines.append(PanelLine(text, link))
        if other.published_before(own_seen):  # the rule of the queue's "ältere Fassung noch veröffentlicht"
            lines.append(PanelLine("Die ältere Fassung gilt nicht mehr?", action=f"{here}/retire/{other.story_id}",
                                   action_label="Ältere Fassung zurückziehen"))  # fmt: skip
    return lines


def _also_reported(member: stories_repo.Provenance, names: dict[str, str]) -> str:
    seen = f"{member.first_seen_at.astimezone(BERLIN):%d.%m.%Y %H:%M}"  # local time, as everywhere in the UI
    source = f"{names[member.source_id]} ({member.source_id})" if member.source_id in names else member.source_id
    return f"auch gemeldet von {source}: Eintrag {member.item_id}, zuerst gesehen {seen}"


def _canonical_note(story: stories_repo.StoryInfo, item_id: int) -> str:
    return " – dieser Eintrag ist der maßgebliche Text" if story.canonical_item_id == item_id else ""


def duplicates_panel(session: Session, detail: ItemDetail) -> Panel | None:
    found = stories_repo.possible_duplicates(session, detail.view.id)
    if found:  # versions already linked are in the story panel (and are not to be merged)
        stories = stories_repo.stories_of(session, [detail.view.id, *(c.item_id for c in found)])
        own = stories.get(detail.view.id)
        linked = set(own.versions) if own else set()
        found = [c for c in found if c.item_id not in stories or stories[c.item_id].story_id not in linked]
    if not found:
        return None
    lines = tuple(
        PanelLine(
            f"Eintrag {c.item_id} ({c.source_id}): {c.verdict} – {c.reason}",
            f"/staff/items/{c.item_id}",
            action=f"/staff/items/{detail.view.id}/story/merge/{c.item_id}",
            action_label="Geschichten zusammenführen",
        )
        for c in found
    )
    return Panel("Mögliche Dubletten in anderen Geschichten", lines)


def tags_panel(session: Session, detail: ItemDetail) -> Panel | None:
    info = tags_repo.tag_infos(session, [detail.view.id]).get(detail.view.id)
    if info is None:
        return None
    lines = [PanelLine(("relevant: " if info.relevant else "nicht relevant: ") + info.relevance_reason)]
    for axis, label in _AXES.items():
        reasons: dict[str, Any] = info.reasons.get(axis) or {}
        lines += [PanelLine(f"{label} „{tag_label(axis, slug)}“: {why}") for slug, why in reasons.items()]
    here = f"/staff/items/{detail.view.id}/accept"
    agreed = []  # the classifier learns from approved items too, so mostly it agrees: one line for that
    for axis, found in info.suggestions.items():
        current = getattr(detail.view, axis, ()) if axis in _AXES else ()
        for slug, confidence in found.items():
            if slug in current:
                agreed.append(f"„{tag_label(axis, slug)}“ {_percent(confidence)}")
                continue
            text = (f"Vorschlag (gelernt, nicht übernommen): {_AXES.get(axis, axis)} „{tag_label(axis, slug)}“ – "
                    f"Konfidenz {_percent(confidence)}")  # fmt: skip
            action = f"{here}/{axis}/{slug}" if axis in ("sectors", "topics") else None
            lines.append(PanelLine(text, action=action, action_label="Übernehmen"))
    if agreed:
        lines.append(PanelLine("Gelernte Vorschläge bestätigen: " + ", ".join(agreed)))
    if info.expires_suggested is not None:
        suggested = info.expires_suggested
        action = f"{here}/expiry" if detail.expires_at != suggested else None
        day = f"{suggested.astimezone(BERLIN):%d.%m.%Y}"
        lines.append(PanelLine(f"Vorgeschlagenes Ablaufdatum {day}: {info.expires_reason}", action=action,
                               action_label="Als Ablaufdatum übernehmen"))  # fmt: skip
    return Panel("Schlagworte und Gründe", tuple(lines))


def _percent(confidence: Any) -> str:
    """A classifier confidence as staff read it: "61 %"."""
    return f"{float(confidence) * 100:.0f} %"
