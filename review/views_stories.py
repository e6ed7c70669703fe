"""Staff act on the panels of issue 3 in the item view: take an item out of its story, make it the story's
canonical text, merge another item's story into this one (audited by store/stories_repo.py; nothing is ever
deleted), take an older version of the same regulation out of the public rubric, accept a learnt tag suggestion
(a correction, tags_repo.correct_tags) or the suggested expiry date. Each is a POST from a button of the story,
duplicates or tags panel (review/story_panels.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from process.dates import BERLIN
from process.taxonomy import AXES, load_taxonomy
from review.auth import Policy, RouteSpec, staff_of
from review.context import AppContext
from review.render import redirect, tag_label
from store import review_repo, stories_repo, tags_repo
from store.db import transaction
from store.items_repo import DecisionError
from store.schema import ItemRow


def routes(ctx: AppContext) -> list[RouteSpec]:
    async def story_action(request: Request) -> Response:
        item_id = int(request.path_params["item_id"])
        action, other = request.path_params["action"], request.path_params.get("other")
        message = await run_in_threadpool(_apply, ctx, item_id, action, other, staff_of(request).name)
        return redirect(f"/staff/items/{item_id}", msg=message)

    async def accept(request: Request) -> Response:
        item_id = int(request.path_params["item_id"])
        axis, slug = request.path_params["axis"], request.path_params.get("slug")
        message = await run_in_threadpool(_accept, ctx, item_id, axis, slug, staff_of(request).name)
        return redirect(f"/staff/items/{item_id}", msg=message)

    return [
        RouteSpec("POST", "/staff/items/{item_id:int}/accept/{axis:str}", accept, Policy.REVIEWER, "accept"),
        RouteSpec(
            "POST", "/staff/items/{item_id:int}/accept/{axis:str}/{slug:str}", accept, Policy.REVIEWER, "accept_tag"
        ),
        RouteSpec("POST", "/staff/items/{item_id:int}/story/{action:str}", story_action, Policy.REVIEWER, "story"),
        RouteSpec(
            "POST",
            "/staff/items/{item_id:int}/story/{action:str}/{other:int}",
            story_action,
            Policy.REVIEWER,
            "story_merge",
        ),
    ]


def _apply(ctx: AppContext, item_id: int, action: str, other: int | None, actor: str) -> str:
    now, priority = datetime.now(UTC), load_taxonomy().priority
    try:
        with transaction(ctx.factory) as session:
            if action == "split" and other is None:
                story = stories_repo.split_story(session, [item_id], priority=priority, actor=actor, now=now)
                return f"Eintrag {item_id} aus seiner Geschichte gelöst: jetzt Geschichte {story}."
            if action == "canonical" and other is None:
                stories_repo.set_canonical(session, item_id, actor=actor, now=now)
                return f"Eintrag {item_id} ist jetzt der maßgebliche Text seiner Geschichte."
            if action == "merge" and other is not None:
                stories = stories_repo.stories_of(session, [item_id, other])
                if item_id not in stories or other not in stories:
                    raise DecisionError("Eintrag gehört noch zu keiner Geschichte.")
                target, joining = stories[item_id].story_id, stories[other].story_id
                if target == joining:
                    return f"Eintrag {other} gehört schon zu dieser Geschichte."
                stories_repo.merge_stories(session, [target, joining], priority=priority, actor=actor, now=now)
                return f"Geschichte {joining} (mit Eintrag {other}) in Geschichte {target} zusammengeführt."
            if action == "retire" and other is not None:
                return _retire(session, item_id, other, actor, now)
    except DecisionError as exc:
        return str(exc)
    return "Unbekannte Aktion."


def _retire(session: Session, item_id: int, other_story: int, actor: str, now: datetime) -> str:
    """Take every published item of a linked version (an older regulation text) out of the public rubric."""
    story = stories_repo.stories_of(session, [item_id]).get(item_id)
    if story is None or other_story not in story.versions:
        raise DecisionError(f"Geschichte {other_story} ist keine Fassung derselben Regelung wie Eintrag {item_id}.")
    (version,) = stories_repo.version_stories(session, [other_story])
    if not version.published:
        return "Diese Fassung ist nicht veröffentlicht."
    for one in version.published:
        review_repo.unpublish(session, one, actor=actor, now=now)
    listed = ", ".join(str(one) for one in version.published)
    return f"Fassung „{version.title}“ zurückgezogen (Eintrag {listed}); sie erscheint nicht mehr in der Rubrik."


def _accept(ctx: AppContext, item_id: int, axis: str, slug: str | None, actor: str) -> str:
    now, taxonomy = datetime.now(UTC), load_taxonomy()
    try:
        with transaction(ctx.factory) as session:
            info = tags_repo.tag_infos(session, [item_id]).get(item_id)
            if info is None:
                raise DecisionError(f"Eintrag {item_id} ist noch nicht verschlagwortet.")
            if axis == "expiry" and slug is None:
                if info.expires_suggested is None:
                    raise DecisionError("Für diesen Eintrag gibt es kein vorgeschlagenes Ablaufdatum.")
                review_repo.set_expiry(session, item_id, info.expires_suggested, actor=actor, now=now)
                return f"Ablaufdatum {info.expires_suggested.astimezone(BERLIN):%d.%m.%Y} übernommen."
            if axis in ("sectors", "topics") and slug is not None:
                item = session.get(ItemRow, item_id)
                assert item is not None  # tag_infos found its tags
                tags = {facet: list(getattr(item, facet) or []) for facet in AXES}
                if slug in tags[axis]:
                    return "Das Schlagwort ist schon gesetzt."
                tags[axis].append(slug)
                tags_repo.correct_if_changed(session, item_id, tags, relevant=None, taxonomy=taxonomy, actor=actor,
                                             now=now)  # fmt: skip
                return f"Vorschlag „{tag_label(axis, slug)}“ übernommen."
    except DecisionError as exc:
        return str(exc)
    return "Unbekannte Aktion."
