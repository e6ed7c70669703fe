"""Prefect flow ``publish``: render, validate and switch the public release. Orchestration only."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.retry import transient_only
from publish.publisher import run_publish
from settings import load_settings


@task(name="publish-release", retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=transient_only)
def publish_release_task(overrides: dict[str, Any], force: bool) -> dict[str, Any]:
    # retried only when the database was briefly unreachable: a refused release (shrink guard, validation)
    # needs a person, not a second try
    return asdict(run_publish(load_settings(**overrides), force=force))


@flow(name="publish", log_prints=False)
def publish_flow(settings_overrides: dict[str, Any] | None = None, force: bool = False) -> dict[str, Any]:
    """Publish what staff approved; unchanged inputs leave the live release as it is."""
    result = publish_release_task(settings_overrides or {}, force)
    get_run_logger().info(
        "Veröffentlichung: %s %s (%s Meldungen)", result["status"], result["release"], result["items"]
    )
    create_markdown_artifact(
        key="publish-summary",
        markdown=(
            f"**{result['status']}** · Release `{result['release'] or '–'}` · {result['items']} Meldungen, "
            f"{result['archived']} im Archiv, {result['files']} Dateien"
        ),
        description="Veröffentlichung",
    )
    return result
