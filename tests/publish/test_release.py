"""Releases: atomic switch, unchanged inputs write nothing, expiry, shrink guard, keep N, failed/killed publish."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from publish import release as release_module
from publish.publisher import run_publish
from publish.release import PublishError
from publish.validate import ValidationError
from settings import Settings
from store import items_repo
from tests.publish.conftest import STANDARD
from tests.publish.seed import NOW, Seed, add_approved

SiteDb = tuple[Settings, sessionmaker[Session]]
REPO = Path(__file__).resolve().parents[2]


def live(settings: Settings) -> str:
    return os.readlink(settings.site_dir / "current")


def snapshot(root: Path) -> dict[str, int]:
    return {str(p): p.lstat().st_mtime_ns for p in root.rglob("*")} | {str(root): root.stat().st_mtime_ns}


def test_publish_switches_current_and_unchanged_inputs_write_nothing(site_db: SiteDb) -> None:
    settings, factory = site_db
    add_approved(factory, STANDARD)
    first = run_publish(settings, now=NOW)
    assert first.status == "published" and live(settings) == f"releases/{first.release}"
    assert (settings.site_dir / "current" / "index.html").is_file()
    before = snapshot(settings.site_dir)
    again = run_publish(settings, now=NOW + timedelta(hours=3))
    assert again.status == "unchanged" and again.release == first.release
    assert snapshot(settings.site_dir) == before  # no new release, not one byte written


def test_a_change_makes_a_new_release_and_old_ones_are_pruned(site_db: SiteDb) -> None:
    settings, factory = site_db
    settings = settings.model_copy(update={"publish_keep_releases": 2})
    names = []
    for n in range(3):
        add_approved(factory, [Seed(20 + n, topics=("steuern-abgaben",))])
        names.append(run_publish(settings, now=NOW + timedelta(minutes=n)).release)
    assert len(set(names)) == 3
    assert sorted(p.name for p in (settings.site_dir / "releases").iterdir()) == names[1:]
    assert live(settings) == f"releases/{names[-1]}"


def test_expired_items_leave_the_page_for_the_archive(site_db: SiteDb) -> None:
    settings, factory = site_db
    expiring = Seed(30, title="Befristete Regel", topics=("recht-verordnungen",), expires_at=NOW + timedelta(days=1))
    add_approved(factory, [*STANDARD, expiring])
    run_publish(settings, now=NOW)
    current = settings.site_dir / "current"
    assert "Befristete Regel" in (current / "index.html").read_text()
    assert "gültig bis 26.11.2026" in (current / "index.html").read_text()
    assert "Befristete Regel" not in (current / "archiv.html").read_text()
    later = run_publish(settings, now=NOW + timedelta(days=2))  # nothing approved meanwhile: expiry alone
    assert later.status == "published" and later.archived == 1
    assert "Befristete Regel" not in (current / "index.html").read_text()
    assert "Befristete Regel" not in (current / "feeds" / "alle.rss").read_text()
    assert "Befristete Regel" in (current / "archiv.html").read_text()


def test_shrink_guard_refuses_a_sudden_drop_unless_forced(site_db: SiteDb) -> None:
    settings, factory = site_db
    ids = add_approved(factory, STANDARD)
    first = run_publish(settings, now=NOW)
    with factory() as session, session.begin():
        items_repo.reject(session, ids[:5], actor="test", now=NOW)
    with pytest.raises(PublishError, match="nur 2 statt 7"):
        run_publish(settings, now=NOW)
    assert live(settings) == f"releases/{first.release}"
    forced = run_publish(settings, now=NOW, force=True)
    assert forced.status == "published" and forced.items == 2


def test_a_failing_validation_leaves_the_live_release(site_db: SiteDb, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, factory = site_db
    add_approved(factory, STANDARD)
    first = run_publish(settings, now=NOW)
    add_approved(factory, [Seed(40)])

    def broken(*args: object, **kwargs: object) -> int:
        raise ValidationError("feeds/alle.rss: kaputt")

    monkeypatch.setattr(release_module, "validate_files", broken)
    with pytest.raises(ValidationError):
        run_publish(settings, now=NOW)
    assert live(settings) == f"releases/{first.release}"
    assert [p.name for p in (settings.site_dir / "releases").iterdir()] == [first.release]


KILLABLE = """
import sys, time
from pathlib import Path
from publish import release
from publish.publisher import run_publish
from settings import load_settings
from tests.publish.seed import NOW

written = 0
original = release.write_file
def slow_write(target, data):
    global written
    original(target, data)
    written += 1
    if written == 20:
        Path(sys.argv[3]).write_text("mid-write")
        time.sleep(60)
release.write_file = slow_write
settings = load_settings(database_url=sys.argv[1], site_dir=sys.argv[2], public_base_url="https://rubrik.example.org/")
run_publish(settings, force=True, now=NOW)
"""


def test_a_publish_killed_mid_write_leaves_the_live_release(site_db: SiteDb, tmp_path: Path) -> None:
    settings, factory = site_db
    add_approved(factory, STANDARD)
    first = run_publish(settings, now=NOW)
    index_before = (settings.site_dir / "current" / "index.html").read_bytes()
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, settings.database_url, str(settings.site_dir), str(marker)], cwd=REPO
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the child publish never got to the middle of writing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert live(settings) == f"releases/{first.release}"
    assert (settings.site_dir / "current" / "index.html").read_bytes() == index_before
    leftovers = [p.name for p in (settings.site_dir / "releases").iterdir() if p.name.startswith(".tmp-")]
    assert len(leftovers) == 1
    add_approved(factory, [Seed(50)])
    run_publish(settings, now=NOW + timedelta(minutes=1))  # the next publish cleans up
    assert not [p for p in (settings.site_dir / "releases").iterdir() if p.name.startswith(".tmp-")]


def test_forced_publish_of_the_same_inputs_makes_a_second_release(site_db: SiteDb) -> None:
    settings, factory = site_db
    add_approved(factory, STANDARD)
    first = run_publish(settings, now=NOW)
    second = run_publish(settings, now=NOW, force=True)
    assert second.status == "published" and second.release == f"{first.release}-1"
    assert live(settings) == f"releases/{second.release}"
