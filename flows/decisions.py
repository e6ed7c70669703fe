"""The review-decision event: the web app and the CLI announce it, the ``publish`` deployment's trigger listens.

Light on purpose (no flow imports): ``rubrik serve`` and ``rubrik review approve`` use it without loading the
flows, and stay Prefect-free unless a Prefect server is configured.
"""

from __future__ import annotations

DECISION_EVENT = "rubrik.review.decided"
DECISION_RESOURCE = "rubrik.review"


def announce_decision() -> None:
    """Tell Prefect that staff decided something (the publish deployment's trigger listens)."""
    from prefect.events import emit_event

    emit_event(event=DECISION_EVENT, resource={"prefect.resource.id": DECISION_RESOURCE})


def prefect_api_configured() -> bool:
    """Whether a Prefect server is configured (PREFECT_API_URL, from the environment or a Prefect profile):
    only then does anyone listen for decisions."""
    from prefect.settings import PREFECT_API_URL

    return bool(PREFECT_API_URL.value())
