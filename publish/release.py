"""Atomic releases: render into ``site_dir/releases/<timestamp>-<hash>/``, validate, switch ``current``.

Layout::

    site_dir/current -> releases/20261125T120000123456Z-3f2a…   (symlink, replaced with os.replace)
    site_dir/releases/<name>/.release.json                     (input hash, item count, per-file sha256)
    site_dir/releases/.tmp-<name>/                              (being written; never served)

A release directory gets its final name only when complete and valid, and ``current`` moves only after that,
so a failed or killed publish leaves the live release untouched; its leftover ``.tmp-*`` is removed next time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from publish.context import PublishConfig, build_site
from publish.render import render_site, template_files
from publish.validate import validate_files
from store.publish_repo import ApprovedRows, to_items

MANIFEST = ".release.json"
FORMAT_VERSION = "1"  # bump when the output changes in a way code, templates and data do not capture


class PublishError(RuntimeError):
    """The release was refused (validation, shrink guard); the current release stays live."""


@dataclass(frozen=True, slots=True)
class PublishResult:
    status: str  # published | unchanged | busy (another publish holds the lease)
    release: str  # directory name of the live release
    items: int  # active items on the page
    archived: int
    files: int
    inputs_hash: str


def inputs_hash(rows: ApprovedRows, config: PublishConfig, now: datetime) -> str:
    """Hash of everything the output depends on except the clock: config, templates, rows and which expired."""
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    digest.update(repr(config).encode())
    # the publish code and the templates are inputs too: a deploy that changes the output makes a new release
    for path in [*sorted(Path(__file__).parent.glob("*.py")), *template_files()]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(repr(rows.items).encode())
    digest.update(repr(rows.sources).encode())
    digest.update(repr([row[0] for row in rows.items if row[9] is not None and row[9] <= now]).encode())
    return digest.hexdigest()


def current_manifest(site_dir: Path) -> dict[str, object] | None:
    path = site_dir / "current" / MANIFEST
    try:
        loaded: dict[str, object] = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return loaded


def publish_release(
    site_dir: Path,
    rows: ApprovedRows,
    config: PublishConfig,
    now: datetime,
    *,
    keep: int,
    shrink_limit: float,
    force: bool = False,
) -> PublishResult:
    """Render, validate and switch to a new release — or do nothing if the inputs did not change."""
    digest = inputs_hash(rows, config, now)
    previous = current_manifest(site_dir)
    if previous is not None and previous.get("inputs_hash") == digest and not force:
        return _unchanged(site_dir, previous)
    site_dir.mkdir(parents=True, exist_ok=True)
    with _lock(site_dir):
        previous = current_manifest(site_dir)  # another publish may have switched while we waited
        site = build_site(to_items(rows), config, now)
        _shrink_guard(previous, site.active_count, shrink_limit, force)
        files = render_site(site, now)
        manifest = _manifest(digest, site.active_count, site.archive_count, files, previous, now)
        name = _release_name(site_dir / "releases", now, digest)
        _write_release(
            site_dir / "releases",
            name,
            files,
            manifest,
            lambda: validate_files(files, skip=_already_valid(manifest, previous)),
        )
        switch_current(site_dir, name)
        prune(site_dir / "releases", keep)
    return PublishResult("published", name, site.active_count, site.archive_count, len(files), digest)


def _release_name(releases: Path, now: datetime, digest: str) -> str:
    """``<UTC timestamp>-<hash>``: sorts by time; a forced re-publish of the same inputs at the same moment
    gets a counter instead of colliding."""
    base = f"{now.astimezone(UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{digest[:12]}"
    name, counter = base, 0
    while (releases / name).exists():
        counter += 1
        name = f"{base}-{counter}"
    return name


def _already_valid(manifest: Mapping[str, object], previous: Mapping[str, object] | None) -> Callable[[str], bool]:
    """A file byte-identical to the live release's copy passed validation there; checking it again is waste."""
    new, old = _files(manifest), _files(previous)

    def skip(path: str) -> bool:
        before = old.get(path)
        return before is not None and before.get("sha256") == new[path]["sha256"]

    return skip


def _files(manifest: Mapping[str, object] | None) -> Mapping[str, Mapping[str, str]]:
    files = manifest.get("files") if manifest else None
    return files if isinstance(files, dict) else {}


def _unchanged(site_dir: Path, manifest: Mapping[str, object]) -> PublishResult:
    target = os.readlink(site_dir / "current")
    files = manifest.get("files")
    return PublishResult(
        "unchanged",
        Path(target).name,
        int(str(manifest.get("items", 0))),
        int(str(manifest.get("archived", 0))),
        len(files) if isinstance(files, dict) else 0,
        str(manifest.get("inputs_hash")),
    )


def _shrink_guard(previous: Mapping[str, object] | None, count: int, limit: float, force: bool) -> None:
    """A harvest or tagging bug must not empty the municipalities' feeds: refuse a sudden drop."""
    if previous is None or force:
        return
    before = int(str(previous.get("items", 0)))
    if before > 0 and count < before * limit:
        raise PublishError(
            f"Die neue Fassung hätte nur {count} statt {before} Meldungen (Grenze {limit:.0%}). "
            "Veröffentlichung abgebrochen; mit --force trotzdem veröffentlichen."
        )


def _manifest(
    digest: str,
    active: int,
    archived: int,
    files: Mapping[str, bytes],
    previous: Mapping[str, object] | None,
    now: datetime,
) -> dict[str, object]:
    """Per file: sha256 (the strong ETag) and when its content last changed (Last-Modified survives releases)."""
    old = _files(previous)
    stamp = now.astimezone(UTC).replace(microsecond=0).isoformat()
    entries = {}
    for path, data in files.items():
        sha = hashlib.sha256(data).hexdigest()
        kept = old.get(path)
        modified = kept["modified"] if kept and kept.get("sha256") == sha else stamp
        entries[path] = {"sha256": sha, "modified": modified}
    return {"inputs_hash": digest, "items": active, "archived": archived, "created_at": stamp, "files": entries}


def _write_release(
    releases: Path,
    name: str,
    files: Mapping[str, bytes],
    manifest: Mapping[str, object],
    validate: Callable[[], object],
) -> None:
    """Write into ``.tmp-<name>`` while ``validate`` runs (file I/O releases the GIL, so the two overlap);
    only a complete and valid directory gets its real name."""
    releases.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(releases)
    temp = releases / f".tmp-{name}"
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="publish-write") as pool:
            written = pool.submit(_write_all, temp, files, manifest)
            validate()
            written.result()
        os.rename(temp, releases / name)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _write_all(temp: Path, files: Mapping[str, bytes], manifest: Mapping[str, object]) -> None:
    for path, data in files.items():
        write_file(temp / path, data)
    write_file(temp / MANIFEST, json.dumps(manifest, sort_keys=True).encode())


def write_file(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _remove_leftovers(releases: Path) -> None:
    """``.tmp-*`` directories of a publish that was killed (we hold the lock, so none is in progress)."""
    for leftover in releases.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def switch_current(site_dir: Path, name: str) -> None:
    """Point ``current`` at the release in one atomic step (rename of a fresh symlink over the old one)."""
    temp = site_dir / f".current-{os.getpid()}"
    temp.unlink(missing_ok=True)
    temp.symlink_to(Path("releases") / name)
    os.replace(temp, site_dir / "current")


def prune(releases: Path, keep: int) -> list[str]:
    """Remove all but the newest ``keep`` releases (names sort by time); the live one is among them."""
    names = sorted(entry.name for entry in releases.iterdir() if entry.is_dir() and not entry.name.startswith("."))
    removed = names[:-keep] if keep < len(names) else []
    for name in removed:
        shutil.rmtree(releases / name)
    return removed


@contextmanager
def _lock(site_dir: Path) -> Iterator[None]:
    """One publish at a time per site directory (a second one waits)."""
    with open(site_dir / ".publish.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
