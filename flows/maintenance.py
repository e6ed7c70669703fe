"""Prefect flow ``maintenance`` (nightly): prune old rows and releases, tell staff about broken sources."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.housekeeping import prune_old_rows
from flows.retry import transient_only
from notify.alerts import report_broken_sources
from publish.release import prune
from settings import load_settings


@task(name="prune-rows", retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=transient_only)
def prune_rows(overrides: dict[str, Any]) -> dict[str, int]:
    return prune_old_rows(load_settings(**overrides), datetime.now(UTC))


@task(name="prune-releases")
def prune_releases(overrides: dict[str, Any]) -> list[str]:
    settings = load_settings(**overrides)
    releases = settings.site_dir / "releases"
    return prune(releases, settings.publish_keep_releases) if releases.is_dir() else []


@task(name="health-digest", retries=1, retry_delay_seconds=300)
def health_digest(overrides: dict[str, Any]) -> dict[str, Any]:
    result = report_broken_sources(load_settings(**overrides), datetime.now(UTC))
    return {"new": list(result.new), "recovered": list(result.recovered), "sent": result.sent}


@flow(name="maintenance", log_prints=False)
def maintenance_flow(settings_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Nightly: expired items leave the page at the next publish by themselves; here old rows and releases go,
    and staff get the broken-source digest."""
    overrides = settings_overrides or {}
    summary = {
        "pruned_rows": prune_rows(overrides),
        "pruned_releases": prune_releases(overrides),
        "alerts": health_digest(overrides),
    }
    get_run_logger().info("Wartung: %s", summary)
    create_markdown_artifact(key="maintenance-summary", markdown=f"```\n{summary}\n```", description="Wartung")
    return summary
