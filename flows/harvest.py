"""Prefect flow ``harvest``: fetch all due sources and leave a run summary. Orchestration only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_table_artifact

from flows.pipeline import HarvestSummary, enrich_items, harvest
from flows.retry import transient_only
from notify.alerts import AlertResult, report_broken_sources
from settings import load_settings


@task(name="harvest-sources", retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=transient_only)
async def harvest_sources(overrides: dict[str, Any], only: list[str]) -> HarvestSummary:
    # No caching, and retries only when the database itself was unreachable: a failing *source* is backed off
    # per source in the database (the source of truth) and never fails the task.
    return await harvest(load_settings(**overrides), only=only, enrich=False)


@task(name="tag-and-dedupe", retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=transient_only)
def enrich(overrides: dict[str, Any]) -> int:
    logger = get_run_logger()
    return enrich_items(load_settings(**overrides), lambda done: logger.info("%d Einträge verschlagwortet …", done))


@task(name="report-broken-sources", retries=1, retry_delay_seconds=60)
def report_broken(overrides: dict[str, Any]) -> AlertResult:
    return report_broken_sources(load_settings(**overrides), datetime.now(UTC))


@flow(name="harvest", log_prints=False)
async def harvest_flow(
    settings_overrides: dict[str, Any] | None = None, only: list[str] | None = None
) -> dict[str, Any]:
    """Fetch the due sources (bounded concurrency), store new items, publish a summary artifact."""
    logger = get_run_logger()
    summary = await harvest_sources(settings_overrides or {}, only or [])
    for outcome in summary.sources:
        if outcome.status == "error":
            logger.warning("Quelle %s: %s (%s)", outcome.id, outcome.error_code, outcome.message)
        for warning in outcome.warnings:
            logger.warning("Quelle %s: %s", outcome.id, warning)
    await acreate_table_artifact(
        key="harvest-summary",
        table=[
            {
                "Quelle": o.id,
                "Status": o.status,
                "Fehlercode": o.error_code or "",
                "neu": o.new,
                "geändert": o.updated,
                "unverändert": o.unchanged,
                "Hinweise": " | ".join(o.warnings),
            }
            for o in summary.sources
        ],
        description=f"Abruf {summary.started_at:%d.%m.%Y %H:%M} UTC: {summary.totals()}",
    )
    logger.info("Abruf fertig: %s", summary.totals())
    logger.info("Verschlagwortet und Geschichten zugeordnet: %s Einträge", enrich(settings_overrides or {}))
    alerts = report_broken(settings_overrides or {})
    if alerts.new or alerts.recovered:
        logger.warning("Gestörte Quellen gemeldet: %s; wieder in Ordnung: %s", alerts.new, alerts.recovered)
    return summary.to_json()
