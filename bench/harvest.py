"""Benchmark (issue 2): harvest 300 feed sources spread over 20 hosts on 127.0.0.1, 100 ms added latency.

Prints, in one run: the cold cycle's wall time against (a) a naive sequential httpx + feedparser loop and
(b) the lower bound set by the per-host limits; the warm cycle (everything answers 304); peak RSS.
Targets: cold ≥ 5× faster than naive; warm ≤ 15 % of cold; peak RSS < 300 MB.

    .venv/bin/python bench/harvest.py [--sources 300] [--hosts 20] [--latency 0.1] [--items 20]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import math
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import feedparser
import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.pipeline import enrich_items, harvest
from settings import load_settings
from store.db import make_engine, upgrade
from tests.httpserver import TestServer, conditional

# Plain words of press releases, and the domain terms an item carries one or two of (as real ones do).
FILLER = (
    "der die das und mit für von auf bei nach über unter gegen ohne wird werden wurde haben hat sind ist "
    "heute morgen Woche Monat Jahr neue weitere rund etwa bereits zudem außerdem jedoch damit sowie "
    "Landrat Stadt Gemeinde Bürgermeister Mitteilung Angaben Informationen Hinweise Unterlagen Termin "
    "Verfahren Regelung Entscheidung Gespräch Vertreter Region Vorhaben Möglichkeit Anfrage Stelle Büro"
).split()
TERMS = (
    "Soforthilfe Kurzarbeitergeld Überbrückungshilfe Handwerksbetriebe Einzelhandel Gastronomie Bürgschaft "
    "Darlehen Landwirtschaft Tourismus Ausbildung Pendler Entschädigung Steuerstundung Verordnung Gutschein"
).split()


def make_feed(source: int, items: int) -> bytes:
    """A realistic feed: every item its own text (80 words, one or two domain terms), so no accidental
    duplicates and no item that is about everything."""
    rng = random.Random(source)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    entries = []
    for n in range(items):
        terms = rng.sample(TERMS, rng.choice((1, 2)))
        words = [rng.choice(FILLER) for _ in range(80)]
        for term in terms:
            words[rng.randrange(len(words))] = term
        when = format_datetime(now - timedelta(hours=source + n))
        entries.append(
            f"<item><title>Meldung {source}-{n}: {terms[0]} für Betriebe</title>"
            f"<link>https://quelle{source}.example/meldung/{n}?utm_source=rss</link>"
            f"<guid isPermaLink='false'>q{source}-m{n}</guid><pubDate>{when}</pubDate>"
            f"<description><![CDATA[<p>{' '.join(words)}</p><p><a href='/mehr/{n}'>Mehr</a></p>]]></description>"
            "</item>"
        )
    body = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Quelle {source}</title><link>https://quelle{source}.example/</link>{''.join(entries)}"
        "</channel></rss>"
    )
    return body.encode("utf-8")


def naive(urls: list[str]) -> float:
    """The obvious loop: one GET after another, parse each with feedparser."""
    start = time.perf_counter()
    with httpx.Client(timeout=10) as client:
        for url in urls:
            feedparser.parse(io.BytesIO(client.get(url).content))
    return time.perf_counter() - start


def per_host_bound(per_host: int, latency: float, concurrency: int, delay: float) -> float:
    """Least time the politeness limits allow for ``per_host`` requests to one host."""
    by_spacing = (per_host - 1) * delay + latency
    by_slots = math.ceil(per_host / concurrency) * latency
    return max(by_spacing, by_slots)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--per-host-delay", type=float, default=0.1)
    parser.add_argument("--per-host-concurrency", type=int, default=2)
    parser.add_argument(
        "--concurrency", type=int, default=None, help="sources at once (default: hosts × per-host concurrency)"
    )
    parser.add_argument("--warm-runs", type=int, default=3, help="warm cycles; the median is reported")
    args = parser.parse_args()
    concurrency = args.concurrency or args.hosts * args.per_host_concurrency

    servers = [TestServer(delay=args.latency).start() for _ in range(args.hosts)]
    try:
        urls, catalog = [], []
        for n in range(args.sources):
            server = servers[n % args.hosts]
            path = f"/feed/{n}"
            server.add_route(path, conditional(make_feed(n, args.items), f'"v{n}"', "Sun, 01 Nov 2026 00:00:00 GMT"))
            urls.append(server.url(path))
            catalog.append(
                {"id": f"quelle-{n:03d}", "name": f"Quelle {n}", "kind": "feed", "url": urls[-1], "interval": "1h"}
            )
        with tempfile.TemporaryDirectory() as tmp:
            catalog_path = Path(tmp) / "catalog.yaml"
            catalog_path.write_text(yaml.safe_dump({"sources": catalog}), encoding="utf-8")
            settings = load_settings(
                database_url=f"sqlite:///{tmp}/bench.db",
                catalog=catalog_path,
                fetch_allow_hosts=[server.host_port for server in servers],
                fetch_per_host_delay=args.per_host_delay,
                fetch_per_host_concurrency=args.per_host_concurrency,
                harvest_concurrency=concurrency,
            )
            upgrade(make_engine(settings.database_url))
            ids = [entry["id"] for entry in catalog]

            start = time.perf_counter()
            cold = asyncio.run(harvest(settings, enrich=False))
            cold_s = time.perf_counter() - start
            start = time.perf_counter()
            enriched = enrich_items(settings)
            enrich_s = time.perf_counter() - start
            warm_runs = []
            for _ in range(args.warm_runs):
                start = time.perf_counter()
                warm = asyncio.run(harvest(settings, only=ids, enrich=False))
                warm_runs.append(time.perf_counter() - start)
            warm_s = statistics.median(warm_runs)
            naive_s = naive(urls)
    finally:
        for server in servers:
            server.stop()

    per_host = math.ceil(args.sources / args.hosts)
    bound = max(
        per_host_bound(per_host, args.latency, args.per_host_concurrency, args.per_host_delay),
        math.ceil(args.sources / concurrency) * args.latency,  # the run's own limit
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    statuses = {status: sum(o.status == status for o in warm.sources) for status in ("not_modified", "ok", "error")}
    print(
        f"sources={args.sources} hosts={args.hosts} latency={args.latency}s items/feed={args.items} "
        f"per-host: {args.per_host_concurrency} parallel, {args.per_host_delay}s spacing; {concurrency} sources at once"
    )
    print(f"cold cycle:          {cold_s:7.2f} s  ({cold.totals()['new']} new items, {cold.totals()['errors']} errors)")
    print(f"naive loop:          {naive_s:7.2f} s  → cold is {naive_s / cold_s:5.1f}× faster (target ≥ 5×)")
    print(f"latency bound:       {bound:7.2f} s  → cold is {cold_s / bound:5.2f}× the bound")
    runs = ", ".join(f"{run:.2f}" for run in warm_runs)
    print(
        f"warm cycle (304):    {warm_s:7.2f} s  → {100 * warm_s / cold_s:5.1f} % of cold (target ≤ 15 %), "
        f"{warm_s / bound:4.2f}× the bound; median of [{runs}] {statuses}"
    )
    print(
        f"then tag + dedupe (issue 3, its own task in the flow): {enrich_s:6.2f} s for {enriched} items "
        f"({enriched / enrich_s:5.0f} items/s; bench/dedupe_tag.py measures it)"
    )
    print(f"peak RSS:            {rss_mb:7.1f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
