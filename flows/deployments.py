"""The deployments of ``rubrik run`` (served from this process); ``prefect.yaml`` holds the same for workers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.events import DeploymentEventTrigger
from prefect.schedules import Cron, Interval

from flows.decisions import DECISION_EVENT, DECISION_RESOURCE
from flows.harvest import harvest_flow
from flows.maintenance import maintenance_flow
from flows.publish import publish_flow
from settings import Settings

TIMEZONE = "Europe/Berlin"


def runner_deployments(settings: Settings) -> list[Any]:
    """harvest (due sources, every few minutes), publish (after decisions and on a schedule), maintenance
    (nightly). Flow runs read their settings from the RUBRIK_* environment, like every entrypoint."""
    one_at_a_time = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    # publish queues instead: a run triggered by a decision while another publish runs must not be dropped —
    # the running one may have read the approvals before that decision
    queued = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    return [
        harvest_flow.to_deployment(
            name="harvest",
            schedule=Interval(timedelta(seconds=settings.run_harvest_interval)),
            concurrency_limit=one_at_a_time,
            description="Fällige Quellen abrufen (jede Quelle nach ihrem eigenen Intervall).",
            tags=["rubrik"],
        ),
        publish_flow.to_deployment(
            name="publish",
            schedule=Interval(timedelta(seconds=settings.run_publish_interval)),
            concurrency_limit=queued,
            triggers=[
                DeploymentEventTrigger(
                    expect={DECISION_EVENT}, match={"prefect.resource.id": DECISION_RESOURCE}, name="nach Prüfung"
                )
            ],
            description="Freigegebenes veröffentlichen (nach Prüfentscheidungen und regelmäßig).",
            tags=["rubrik"],
        ),
        maintenance_flow.to_deployment(
            name="maintenance",
            schedule=Cron(settings.run_maintenance_cron, timezone=TIMEZONE),
            concurrency_limit=one_at_a_time,
            description="Nächtliche Wartung: Aufräumen, Meldung gestörter Quellen.",
            tags=["rubrik"],
        ),
    ]
