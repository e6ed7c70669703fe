"""The publish step as one plain function (CLI and Prefect flow call it): read approved items, release."""

from __future__ import annotations

from datetime import UTC, datetime

from publish.context import Contact, PublishConfig
from publish.release import PublishResult, publish_release
from publish.staff_content import StaffContent, load_staff_content
from settings import Settings
from store.db import check_schema, make_engine, session_factory
from store.publish_repo import approved_rows


def publish_config(settings: Settings, staff: StaffContent | None = None) -> PublishConfig:
    base = settings.public_base_url if settings.public_base_url.endswith("/") else settings.public_base_url + "/"
    return PublishConfig(
        base_url=base,
        title=settings.public_title,
        contact=Contact(
            hotline=settings.contact_hotline,
            email=settings.contact_email,
            chat=settings.contact_chat,
            messenger=settings.contact_messenger,
        ),
        feed_items=settings.publish_feed_items,
        widget_items=settings.publish_widget_items,
        section_items=settings.publish_section_items,
        staff=staff or StaffContent(),
    )


def run_publish(settings: Settings, *, force: bool = False, now: datetime | None = None) -> PublishResult:
    """Publish what staff approved; a new release only when something changed (or ``force``)."""
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        with session_factory(engine)() as session:
            rows = approved_rows(session)
            staff = load_staff_content(session)  # issue 8: stored contacts, towns' offers
    finally:
        engine.dispose()
    return publish_release(
        settings.site_dir,
        rows,
        publish_config(settings, staff),
        now or datetime.now(UTC),
        keep=settings.publish_keep_releases,
        shrink_limit=settings.publish_shrink_limit,
        force=force,
    )
