"""Rendering helpers shared by the views: one typed page context per template, flash messages via query."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from process.taxonomy import load_taxonomy
from review.context import AppContext

_LABELLED_AXES = ("sectors", "topics")  # axes with German labels; towns are their own names

STATUS_LABELS = {
    "pending": "offen",
    "approved": "freigegeben",
    "rejected": "abgelehnt",
    "unpublished": "zurückgezogen",
}
FACET_LABELS = {"sources": "Quelle", "sectors": "Branche", "topics": "Thema", "towns": "Ort"}


@functools.cache
def _choices() -> dict[str, tuple[tuple[str, str], ...]]:
    taxonomy = load_taxonomy()
    found = {
        axis: tuple((slug, taxonomy.label(axis, slug)) for slug in taxonomy.slugs(axis)) for axis in _LABELLED_AXES
    }
    found["towns"] = tuple((town, town) for town in taxonomy.towns)
    return found


def tag_choices(axis: str) -> tuple[tuple[str, str], ...]:
    """(slug, German label) of every tag of ``axis`` ("sectors", "topics", "towns"), in taxonomy order."""
    return _choices()[axis]


def tag_label(axis: str, slug: str) -> str:
    """The German label staff read for a slug ("alle-branchen" -> "alle Branchen"); unknown slugs as they are."""
    labels = _labels().get(axis)
    return labels.get(slug, slug) if labels else slug


@functools.cache
def _labels() -> dict[str, dict[str, str]]:
    return {axis: dict(choices) for axis, choices in _choices().items()}


def render(ctx: AppContext, request: Request, template: str, page: Any, *, status_code: int = 200) -> Response:
    staff = getattr(request.state, "staff", None)
    context = {
        "page": page,
        "staff": staff,
        "csrf": staff.identity.csrf_token if staff else "",
        "flash": request.query_params.get("msg", ""),
        "status_labels": STATUS_LABELS,
        "facet_labels": FACET_LABELS,
    }
    return ctx.templates.TemplateResponse(request, template, context, status_code=status_code)


def redirect(path: str, **params: str) -> RedirectResponse:
    query = urlencode({key: value for key, value in params.items() if value})
    return RedirectResponse(path + ("?" + query if query else ""), status_code=303)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
