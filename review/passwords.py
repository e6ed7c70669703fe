"""Password hashing (argon2id) and the password policy: minimum length, no common passwords, no truncation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")
MAX_LENGTH = 1024  # argon2 hashes every byte; the cap only stops absurd request bodies, it never truncates

_HASHER = PasswordHasher(type=Type.ID)  # argon2-cffi's RFC 9106 "low memory" defaults: t=3, m=64 MiB, p=4
# Verified when the user name is unknown, so both failures cost the same time.
_DUMMY_HASH = _HASHER.hash("rubrik-dummy-password-for-timing")


class PasswordRejected(ValueError):
    """The password does not meet the policy; the message says why (German, for the user)."""


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def check_policy(password: str, *, min_length: int, user_name: str = "") -> None:
    if len(password) < min_length:
        raise PasswordRejected(f"Das Passwort muss mindestens {min_length} Zeichen lang sein.")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"Das Passwort darf höchstens {MAX_LENGTH} Zeichen lang sein.")
    folded = password.casefold()
    if folded in common_passwords() or _repeats(folded):
        raise PasswordRejected("Dieses Passwort ist zu verbreitet und leicht zu erraten.")
    if user_name and user_name.casefold() in folded:
        raise PasswordRejected("Das Passwort darf den Benutzernamen nicht enthalten.")


def _repeats(password: str) -> bool:
    """ "aaaaaaaaaaaa", "abcabcabcabc": one short unit repeated."""
    return any(
        len(password) % size == 0 and password == password[:size] * (len(password) // size) for size in (1, 2, 3, 4)
    )


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; with ``stored_hash=None`` a dummy hash is checked (same cost, always False)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
