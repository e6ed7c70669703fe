"""The demo sources: every route answers, conditional GET gives 304, and the demo catalog is valid."""

from __future__ import annotations

from pathlib import Path

import httpx

from demo.server import ROUTES, DemoServer
from sources.catalog import load_catalog


def test_every_demo_source_answers_and_supports_conditional_get(tmp_path: Path) -> None:
    with DemoServer() as demo:
        for path in ROUTES:
            first = httpx.get(demo.base + path)
            assert first.status_code == 200 and first.content
            again = httpx.get(demo.base + path, headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304
        assert httpx.get(demo.base + "/gibt-es-nicht").status_code == 404
        catalog = load_catalog(demo.write_catalog(tmp_path / "catalog.yaml"), allow_hosts=[demo.host_port])
    assert {source.kind for source in catalog} == {"feed", "listing", "page"}
    assert all(source.url.startswith(demo.base) for source in catalog)
