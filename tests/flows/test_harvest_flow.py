"""The Prefect flow around the harvest: runs under a real (temporary) Prefect API, leaves a summary artifact."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytestmark = pytest.mark.prefect


def test_harvest_flow_returns_the_summary_and_leaves_an_artifact(prefect_api, settings) -> None:  # type: ignore[no-untyped-def]
    from prefect.client.orchestration import get_client

    from flows.harvest import harvest_flow

    overrides = settings.model_dump(mode="json", exclude_defaults=True)
    summary = asyncio.run(harvest_flow(settings_overrides=overrides))
    assert summary["totals"]["sources"] == 3 and summary["totals"]["errors"] == 0
    assert summary["totals"]["new"] >= 6

    async def artifacts() -> list[Any]:
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["harvest-summary"]))
            )

    found = asyncio.run(artifacts())
    assert found and "hwk" in str(found[-1].data)
