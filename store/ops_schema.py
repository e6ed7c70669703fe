"""Tables for running rubrik: leases (so schedulers that double-fire never overlap) and source alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.schema import Base


class LeaseRow(Base):
    """A named lease with an expiry: ``host:www.hwk-chemnitz.de``, ``publish``. Whoever holds an unexpired
    lease may do the work; a crashed holder's lease simply runs out."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class SourceAlertRow(Base):
    """The last broken-source notice per source: staff hear once per distinct error until it recovers."""

    __tablename__ = "source_alerts"

    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    error_code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    notified_at: Mapped[datetime]
