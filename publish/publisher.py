"""The publish step as one plain function (CLI and Prefect flow call it): read approved items, release."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from publish.context import Contact, PublishConfig
from publish.directory import FOLDER, config_from_settings, directory_files
from publish.release import PublishResult, publish_release
from publish.staff_content import StaffContent, load_staff_content
from settings import Settings
from store import leases
from store.db import check_schema, make_engine, session_factory, transaction
from store.directory_repo import public_entries
from store.publish_repo import approved_rows

if TYPE_CHECKING:  # publish/ uses the store's sessions, never SQLAlchemy itself
    from sqlalchemy.orm import Session, sessionmaker


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


PUBLISH_LEASE = "publish"
LEASE_TTL = timedelta(minutes=10)


def _take_lease(factory: sessionmaker[Session], holder: str, now: datetime) -> bool:
    """Take the publish lease; a lease left by a dead process of this machine is taken over at once
    (a killed publish must not block the next one until its lease runs out)."""
    with transaction(factory) as session:
        if leases.acquire(session, [PUBLISH_LEASE], holder=holder, now=now, ttl=LEASE_TTL):
            return True
        current = leases.holder_of(session, PUBLISH_LEASE, now)
        if current is None or not _dead_local_process(current):
            return False
        leases.release(session, [PUBLISH_LEASE], holder=current)
        return bool(leases.acquire(session, [PUBLISH_LEASE], holder=holder, now=now, ttl=LEASE_TTL))


def _dead_local_process(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


def run_publish(settings: Settings, *, force: bool = False, now: datetime | None = None) -> PublishResult:
    """Publish what staff approved; a new release only when something changed (or ``force``).

    At most one publish runs at a time, also across machines: a lease in the database (the file lock in
    ``publish.release`` covers one machine). A publish that finds the lease taken does nothing and says
    ``busy`` — the running one, or the next scheduled one, brings the same approved state out.
    """
    now = now or datetime.now(UTC)
    engine = make_engine(settings.database_url)
    factory = session_factory(engine)
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    try:
        check_schema(engine)
        if not _take_lease(factory, holder, now):
            return PublishResult(status="busy", release="", items=0, archived=0, files=0, inputs_hash="")
        try:
            with factory() as session:
                rows = approved_rows(session)
                entries = public_entries(session, now.date())
                staff = load_staff_content(session)  # issue 8: stored contacts, towns' offers
            config = publish_config(settings, staff)
            directory = directory_files(entries, config_from_settings(settings, config.base_url + FOLDER), now)
            return publish_release(
                settings.site_dir,
                rows,
                config,
                now,
                keep=settings.publish_keep_releases,
                shrink_limit=settings.publish_shrink_limit,
                force=force,
                extra_files=directory,  # Kauf regional (issue 7) under kauf-regional/
            )
        finally:
            with transaction(factory) as session:
                leases.release(session, [PUBLISH_LEASE], holder=holder)
    finally:
        engine.dispose()
