"""Serves the live release: correct Content-Type, strong ETag + Last-Modified with 304s, CSP, nosniff, CORS.

``create_public_app(settings)`` returns a plain Starlette app, so it can run alone (``rubrik serve-public``) or be
mounted next to the staff app (``Mount("/rubrik", app=create_public_app(settings))``). Only files listed in
the release manifest are served, so no request path ever reaches the file system unchecked.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from publish.release import MANIFEST
from settings import Settings

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
}
FEED_SUFFIXES = (".rss", ".atom", ".json")
PAGE_CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
WIDGET_CSP = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *"


@dataclass(frozen=True, slots=True)
class Release:
    root: Path
    files: dict[str, dict[str, str]]


class ReleaseCache:
    """The live release's manifest, re-read only when ``current`` points somewhere new."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._release: Release | None = None

    def get(self) -> Release | None:
        try:
            target = os.readlink(self.site_dir / "current")
        except OSError:
            return None
        root = (self.site_dir / target).resolve()
        if self._release is None or self._release.root != root:
            manifest = json.loads((root / MANIFEST).read_bytes())
            self._release = Release(root, manifest["files"])
        return self._release


def create_public_app(settings: Settings) -> Starlette:
    cache = ReleaseCache(settings.site_dir)

    def serve(request: Request) -> Response:  # sync: Starlette runs it in a thread, file reads do not block the loop
        release = cache.get()
        if release is None:
            return PlainTextResponse("Noch nichts veröffentlicht.", status_code=503, headers=_base_headers("x.html"))
        path = request.path_params["path"]
        if path == "" or path.endswith("/"):
            path += "index.html"
        entry = release.files.get(path)
        if entry is None:
            return PlainTextResponse("Nicht gefunden.", status_code=404, headers=_base_headers("x.html"))
        return _file_response(request, release.root / path, path, entry)

    return Starlette(routes=[Route("/{path:path}", serve, methods=["GET", "HEAD"])])


def _file_response(request: Request, file: Path, path: str, entry: dict[str, str]) -> Response:
    etag = f'"{entry["sha256"][:32]}"'
    modified = datetime.fromisoformat(entry["modified"])
    headers = _base_headers(path)
    headers.update({"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)})
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    body = b"" if request.method == "HEAD" else file.read_bytes()
    response = Response(body, media_type=None, headers=headers)
    response.headers["Content-Type"] = CONTENT_TYPES.get(Path(path).suffix, "application/octet-stream")
    if request.method == "HEAD":
        response.headers["Content-Length"] = str(file.stat().st_size)
    return response


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since; weak comparison for If-None-Match."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return modified <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _base_headers(path: str) -> dict[str, str]:
    widget = path.startswith("widget/") or path == "static/widget.css"
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": WIDGET_CSP if widget else PAGE_CSP,
        "Referrer-Policy": "no-referrer" if widget else "strict-origin-when-cross-origin",
        "Cache-Control": "public, max-age=60",
    }
    if not widget:
        headers["X-Frame-Options"] = "DENY"
    if path.endswith(FEED_SUFFIXES):
        headers["Access-Control-Allow-Origin"] = "*"
    return headers
