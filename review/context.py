"""What every view of the staff app needs: settings, the database, templates, hooks, a small counts cache."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi.templating import Jinja2Templates

from review.hooks import Hooks
from settings import Settings

if TYPE_CHECKING:  # the store owns SQLAlchemy; the app only passes the factory on
    from sqlalchemy.orm import Session, sessionmaker


@dataclass
class CountsCache:
    """Facet counts per status, recomputed at most every ``ttl`` seconds (they scan all items of a status).

    One thread recomputes an expired value; the others keep serving the old one meanwhile (no stampede).
    """

    ttl: float
    _values: dict[str, tuple[float, Any]] = field(default_factory=dict)
    _computing: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
            if hit is not None and (now - hit[0] < self.ttl or key in self._computing):
                return hit[1]
            self._computing.add(key)
        try:
            value = compute()
        finally:
            with self._lock:
                self._computing.discard(key)
        with self._lock:
            self._values[key] = (now, value)
        return value


@dataclass
class AppContext:
    settings: Settings
    factory: sessionmaker[Session]
    templates: Jinja2Templates
    hooks: Hooks
    counts: CountsCache
