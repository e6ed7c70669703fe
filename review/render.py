"""Rendering helpers shared by the views: one typed page context per template, flash messages via query."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from review.context import AppContext

STATUS_LABELS = {
    "pending": "offen",
    "approved": "freigegeben",
    "rejected": "abgelehnt",
    "unpublished": "zurückgezogen",
}
FACET_LABELS = {"sources": "Quelle", "sectors": "Branche", "topics": "Thema", "towns": "Ort"}


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
