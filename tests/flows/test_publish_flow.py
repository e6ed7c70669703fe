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


def test_publish_runs_queue_and_other_flows_cancel_new(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A publish triggered by a decision while another publish runs must wait, not be dropped (the running one
    may have read the approvals before that decision); harvest and maintenance simply wait for their schedule."""
    from pathlib import Path

    import yaml
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy

    from flows.deployments import runner_deployments
    from settings import load_settings

    built = {d.name: d.concurrency_options for d in runner_deployments(load_settings(site_dir=tmp_path))}
    assert built["publish"] is not None and built["publish"].collision_strategy is ConcurrencyLimitStrategy.ENQUEUE
    for name in ("harvest", "maintenance"):
        assert built[name].collision_strategy is ConcurrencyLimitStrategy.CANCEL_NEW
    declared = yaml.safe_load((Path(__file__).parents[2] / "prefect.yaml").read_text(encoding="utf-8"))
    strategies = {d["name"]: d["concurrency_limit"]["collision_strategy"] for d in declared["deployments"]}
    assert strategies == {"harvest": "CANCEL_NEW", "publish": "ENQUEUE", "maintenance": "CANCEL_NEW"}
