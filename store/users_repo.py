"""Staff users, their server-side sessions and failed login attempts (hashing lives in review/passwords.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from store.review_schema import ROLES, LoginAttemptRow, StaffSessionRow, UserRow

# A session's last_seen_at is written at most this often: one write per click would serialize readers.
TOUCH_EVERY = timedelta(seconds=60)


class UserError(ValueError):
    """A user operation that cannot be done (name taken, unknown user, unknown role)."""


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    name: str
    role: str
    disabled: bool
    password_hash: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    """Who is behind a valid session cookie."""

    session_id: str
    user_id: int
    name: str
    role: str
    csrf_token: str


def add_user(session: Session, name: str, password_hash: str, role: str, now: datetime) -> int:
    if role not in ROLES:
        raise UserError(f"Unbekannte Rolle {role!r}; erlaubt: {', '.join(ROLES)}")
    if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
        raise UserError(f"Benutzer {name!r} gibt es schon.")
    row = UserRow(
        name=name, password_hash=password_hash, role=role, disabled=False, created_at=now, password_changed_at=now
    )
    session.add(row)
    session.flush()
    return row.id


def set_disabled(session: Session, name: str, disabled: bool) -> None:
    """Disable (or enable) a user; disabling ends every session of the user at once."""
    row = session.scalars(select(UserRow).where(UserRow.name == name)).one_or_none()
    if row is None:
        raise UserError(f"Unbekannter Benutzer {name!r}.")
    row.disabled = disabled
    if disabled:
        session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == row.id))


def set_password_hash(session: Session, user_id: int, password_hash: str) -> None:
    """Store a rehashed password (argon2 parameters raised since it was set)."""
    row = session.get(UserRow, user_id)
    if row is not None:
        row.password_hash = password_hash


def find_user(session: Session, name: str) -> UserRecord | None:
    row = session.scalars(select(UserRow).where(UserRow.name == name)).one_or_none()
    return None if row is None else _record(row)


def list_users(session: Session) -> list[UserRecord]:
    return [_record(row) for row in session.scalars(select(UserRow).order_by(UserRow.name))]


def _record(row: UserRow) -> UserRecord:
    return UserRecord(row.id, row.name, row.role, row.disabled, row.password_hash, row.created_at)


def create_session(session: Session, *, token_hash: str, user_id: int, csrf_token: str, now: datetime) -> None:
    session.add(
        StaffSessionRow(id=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now, last_seen_at=now)
    )


def load_session(
    session: Session, token_hash: str, *, now: datetime, idle: timedelta, absolute: timedelta
) -> StaffIdentity | None:
    """The identity of a live session; an expired one, or one of a disabled user, is deleted and None returned."""
    found = session.execute(
        select(StaffSessionRow, UserRow)
        .join(UserRow, UserRow.id == StaffSessionRow.user_id)
        .where(StaffSessionRow.id == token_hash)
    ).one_or_none()
    if found is None:
        return None
    row, user = found
    if user.disabled or now - row.last_seen_at > idle or now - row.created_at > absolute:
        session.delete(row)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return StaffIdentity(row.id, user.id, user.name, user.role, row.csrf_token)


def delete_session(session: Session, token_hash: str) -> None:
    session.execute(delete(StaffSessionRow).where(StaffSessionRow.id == token_hash))


def count_sessions(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).where(StaffSessionRow.user_id == user_id)) or 0


def record_failed_login(session: Session, *, name: str, ip: str, now: datetime) -> None:
    session.add(LoginAttemptRow(name=name[:100], ip=ip[:64], at=now))


def recent_failures(session: Session, *, name: str, ip: str, since: datetime) -> int:
    query = select(func.count()).where(
        LoginAttemptRow.name == name[:100], LoginAttemptRow.ip == ip[:64], LoginAttemptRow.at >= since
    )
    return session.scalar(query) or 0


def clear_failures(session: Session, *, name: str, ip: str) -> None:
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.name == name[:100], LoginAttemptRow.ip == ip[:64]))
