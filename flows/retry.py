"""Prefect retry policy: retry a task only when it failed for a transient reason."""

from __future__ import annotations

from typing import Any

from store.db import is_transient_db_error


def transient_only(_task: Any, _task_run: Any, state: Any) -> bool:
    """``retry_condition_fn`` for tasks: a lost database connection is retried, a refused release is not."""
    try:
        state.result()
    except Exception as error:
        return is_transient_db_error(error)
    return False
