"""Only transient database errors are retried."""

from __future__ import annotations

from prefect.states import Failed
from sqlalchemy.exc import IntegrityError, OperationalError

from flows.retry import transient_only
from publish.release import PublishError


def test_transient_database_errors_are_retried_others_not() -> None:
    lost = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
    assert transient_only(None, None, Failed(data=lost))
    assert not transient_only(None, None, Failed(data=IntegrityError("INSERT", {}, Exception("duplicate key"))))
    assert not transient_only(None, None, Failed(data=PublishError("Schrumpfschutz")))
    assert not transient_only(None, None, Failed(data=None))
