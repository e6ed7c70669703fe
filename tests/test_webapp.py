"""One server for both doors: /staff/ is the review app, everything else the public release."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from publish.publisher import run_publish
from store import items_repo
from tests.review.conftest import ReviewEnv, login, review_env  # noqa: F401  (fixtures)
from webapp import create_site


@pytest.mark.anyio
async def test_staff_and_public_share_one_server(review_env: ReviewEnv) -> None:  # noqa: F811
    settings = review_env.settings
    site = create_site(settings)
    transport = httpx.ASGITransport(app=site, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/")).status_code == 503  # nothing published yet
        assert "Anmelden" in (await http.get("/staff/login")).text
        await login(http)
        [first, *_] = review_env.item_ids()
        before = await http.get(f"/staff/items/{first}")
        assert "Erscheint nicht öffentlich" in before.text
        with review_env.session() as session:
            items_repo.approve(session, [first], actor="rita", now=datetime.now(UTC))
        after = await http.get(f"/staff/items/{first}")
        assert "Erscheint nach der nächsten Veröffentlichung auf" in after.text
        assert run_publish(settings).status == "published"
        page = await http.get("/")
        assert page.status_code == 200 and "Meldung" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.fixture
def anyio_backend() -> Any:
    return "asyncio"
