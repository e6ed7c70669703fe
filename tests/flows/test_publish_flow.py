"""The Prefect flow ``publish`` runs the plain publish function (real Prefect, temporary local server)."""

from __future__ import annotations

import os

import pytest

from tests.publish.conftest import STANDARD, open_site_db
from tests.publish.seed import add_approved

pytestmark = pytest.mark.prefect


def test_publish_flow_publishes_then_reports_unchanged(prefect_api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from flows.publish import publish_flow

    site_db = open_site_db(tmp_path)
    settings, factory = next(site_db)
    add_approved(factory, STANDARD)
    overrides = {"database_url": settings.database_url, "site_dir": str(settings.site_dir)}
    first = publish_flow(settings_overrides=overrides)
    second = publish_flow(settings_overrides=overrides)
    assert first["status"] == "published" and first["items"] == len(STANDARD)
    assert second == {**first, "status": "unchanged"}
    assert os.readlink(settings.site_dir / "current") == f"releases/{first['release']}"
