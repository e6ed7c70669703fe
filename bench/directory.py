"""Benchmark of Kauf regional: import of a 10,000-row CSV and rendering the directory for 5,000 businesses with
10,000 offers, each compared in the same run with a naive approach.

- import, ours: read + validate every row once, one transaction for all rows; naive: one transaction per row,
  re-reading the set of existing import keys before each row (what a row-by-row loop does).
- render, ours: two queries (entries, then offers by IN list) and one grouping pass over all entries;
  naive: one database query per filter page plus one offers query per business on it.

    .venv/bin/python bench/directory.py [--rows 10000] [--naive-rows 1000]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from process.directory import CATEGORIES, OFFER_TYPES  # noqa: E402
from process.directory_import import check_rows, read_table  # noqa: E402
from publish.directory import DirectoryConfig, directory_files  # noqa: E402
from review.directory_ops import import_file  # noqa: E402
from review.security import new_token, token_hash  # noqa: E402
from settings import load_settings  # noqa: E402
from sources.catalog import TOWNS  # noqa: E402
from store import directory_repo  # noqa: E402
from store.db import make_engine, session_factory, transaction, upgrade  # noqa: E402
from store.directory_repo import NewEntry  # noqa: E402

HEADER = ["name", "kategorie", "ort", "adresse", "plz", "lat", "lon", "telefon", "abholung", "lieferung",
          "onlineshop", "gutschein", "shop_url"]  # fmt: skip


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    kinds = list(OFFER_TYPES)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            offers = rnd.sample(kinds, k=2)  # two offers per business: 5,000 businesses -> 10,000 offers
            row = [f"Geschäft {n}", rnd.choice(list(CATEGORIES)), rnd.choice(TOWNS), f"Markt {n % 90 + 1}", "09599",
                   f"{rnd.uniform(50.7, 51.2):.5f}", f"{rnd.uniform(12.7, 13.6):.5f}", "03731 123456"]  # fmt: skip
            row += ["ja" if kind in offers else "" for kind in kinds]
            row.append(f"https://shop{n}.example.org/" if "onlineshop" in offers else "")
            writer.writerow(row)


def fresh_db(folder: Path, name: str) -> tuple[str, object]:
    url = f"sqlite:///{folder / name}"
    engine = make_engine(url)
    upgrade(engine)
    return url, engine


def bench_import(folder: Path, rows: int, naive_rows: int) -> None:
    source = folder / "liste.csv"
    write_csv(source, rows)
    url, _engine = fresh_db(folder, "import.db")
    settings = load_settings(database_url=url, site_dir=folder / "site")
    started = time.perf_counter()
    dry = import_file(settings, source, dry_run=True)
    dry_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = import_file(settings, source, dry_run=False, approve=True)
    ours = time.perf_counter() - started
    print(f"import {rows} rows: dry run {dry_seconds:.2f} s, import {ours:.2f} s ({result.created / ours:,.0f} rows/s)")
    assert len(dry.report.accepted) == result.created == rows
    small = folder / "klein.csv"
    write_csv(small, naive_rows, seed=2)
    naive_url, naive_engine = fresh_db(folder, "naive.db")
    factory = session_factory(naive_engine)  # type: ignore[arg-type]
    report = check_rows(read_table(small), TOWNS, today=datetime.now(UTC).date())
    started = time.perf_counter()
    for accepted in report.accepted:
        with transaction(factory) as session:
            if accepted.key in directory_repo.import_keys(session):
                continue
            entry = NewEntry(accepted.business, "import", token_hash(new_token()), "import", import_key=accepted.key)
            directory_repo.create(session, entry, datetime.now(UTC))
    naive = time.perf_counter() - started
    per_row_ours, per_row_naive = ours / rows, naive / naive_rows
    print(f"  naive row-by-row ({naive_rows} rows): {naive:.2f} s ({naive_rows / naive:,.0f} rows/s)"
          f" -> ours {per_row_naive / per_row_ours:.1f}x faster per row")  # fmt: skip
    del naive_url


def bench_render(folder: Path, businesses: int) -> None:
    _url, engine = fresh_db(folder, "import.db")  # reuses the imported data (first `businesses` of it)
    factory = session_factory(engine)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    started = time.perf_counter()
    with factory() as session:
        entries = directory_repo.public_entries(session, now.date())[:businesses]
    load = time.perf_counter() - started
    started = time.perf_counter()
    files = directory_files(entries, DirectoryConfig(tile_url="https://tiles.example.org/{z}/{x}/{y}.png"), now)
    render = time.perf_counter() - started
    offers = sum(len(e.business.offers) for e in entries)
    kinds = Counter(path.split("/")[1] if path.count("/") > 1 else "index" for path in files)
    print(f"render {len(entries)} businesses / {offers} offers: load {load:.2f} s (2 queries), "
          f"render {render:.2f} s, {len(files)} files, {sum(map(len, files.values())) / 1e6:.1f} MB")  # fmt: skip
    print("  pages per filter: " + ", ".join(f"{kind}: {count}" for kind, count in sorted(kinds.items())))
    naive = naive_render(factory, entries, now)
    print(f"  naive (one query per filter page + one per business): {naive:.2f} s for the queries alone"
          f" -> ours {naive / load:.1f}x faster to load")  # fmt: skip


def naive_render(factory: object, entries: list[directory_repo.PublicEntry], now: datetime) -> float:
    """Query per filter value (the way a page-by-page renderer asks), then the offers of each listed business."""
    from sqlalchemy import select

    from store.directory_schema import DirectoryBusinessRow, DirectoryOfferRow, DirectoryVersionRow

    values = {("town", e.business.town) for e in entries} | {("category", e.business.category) for e in entries}
    started = time.perf_counter()
    with factory() as session:  # type: ignore[operator]
        for column, value in sorted(values):
            query = (
                select(DirectoryBusinessRow.id, DirectoryVersionRow.id)
                .join(DirectoryVersionRow, DirectoryVersionRow.id == DirectoryBusinessRow.approved_version_id)
                .where(getattr(DirectoryVersionRow, column) == value)
            )
            for _business_id, version_id in session.execute(query).all():
                session.scalars(select(DirectoryOfferRow).where(DirectoryOfferRow.version_id == version_id)).all()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--naive-rows", type=int, default=1_000)
    parser.add_argument("--businesses", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_import(folder, args.rows, args.naive_rows)
        bench_render(folder, args.businesses)


if __name__ == "__main__":
    main()
