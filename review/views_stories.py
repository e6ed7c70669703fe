"""Staff correct stories in the item view (issue 3): take an item out of its story, make it the story's canonical
text, or merge another item's story into this one. Each is a POST from a button of the story or duplicates panel
(review/story_panels.py), audited by store/stories_repo.py; nothing is ever deleted."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from process.taxonomy import load_taxonomy
from review.auth import Policy, RouteSpec, staff_of
from review.context import AppContext
from review.render import redirect
from store import stories_repo
from store.db import transaction
from store.items_repo import DecisionError


def routes(ctx: AppContext) -> list[RouteSpec]:
    async def story_action(request: Request) -> Response:
        item_id = int(request.path_params["item_id"])
        action, other = request.path_params["action"], request.path_params.get("other")
        message = await run_in_threadpool(_apply, ctx, item_id, action, other, staff_of(request).name)
        return redirect(f"/staff/items/{item_id}", msg=message)

    return [
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
    except DecisionError as exc:
        return str(exc)
    return "Unbekannte Aktion."
