"""Prefect retry policy: retry a task only when it failed for a transient reason."""

from __future__ import annotations

from typing import Any

from store.db import is_transient_db_error


def transient_only(_task: Any, _task_run: Any, state: Any) -> bool:
    """``retry_condition_fn`` for tasks: a lost database connection is retried, a refused release is not.

    Prefect hands over a Failed state whose ``data`` is the exception (for sync and async tasks alike).
    """
    error = getattr(state, "data", None)
    return isinstance(error, BaseException) and is_transient_db_error(error)
