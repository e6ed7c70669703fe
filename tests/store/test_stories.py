"""Stories and tags in the store (SQLite and PostgreSQL): assignment through the key index, provenance,
regulation versions linked, staff split/merge/canonical with audit entries, staff tag corrections."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.pipeline import enrich_in_batches
from process.classifier import THRESHOLD, labels
from process.model import Entry
from process.taxonomy import load_taxonomy
from store import items_repo, sources_repo, stories_repo, tags_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.records import SourceSpec
from store.schema import AuditRow, ItemRow
from store.story_schema import DedupeKeyRow, ItemTagsRow, StoryLinkRow, TagCorrectionRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TAX = load_taxonomy()
T = TypeVar("T")
RELEASE = (
    "Die Sächsische Aufbaubank startet ab Montag ein neues Zuschussprogramm für kleine und mittlere Unternehmen "
    "im Einzelhandel und in der Gastronomie. Gefördert werden Investitionen in die Digitalisierung bis zu "
    "einer Höhe von 20.000 Euro je Betrieb. Anträge können bis zum 30.06.2021 online gestellt werden. "
    "Die Bearbeitung erfolgt in der Reihenfolge des Eingangs, Beratung bietet die Hotline der SAB."
)
OTHER = (
    "Die Handwerkskammer Chemnitz lädt Betriebe zum Sprechtag über Nachfolge und Betriebsübergabe ein. "
    "Experten erklären Bewertung, Finanzierung und Steuerfragen; die Teilnahme ist kostenfrei, eine "
    "Anmeldung ist bis Freitag erbeten. Der Sprechtag findet in Freiberg im Haus des Handwerks statt."
)
SOURCES = [
    SourceSpec("medienservice-smwa", "SMWA", "feed", "https://www.medienservice.sachsen.de/", 3600, True,
               {"sectors": ["alle-branchen"]}),
    SourceSpec("sab-news", "SAB", "feed", "https://www.sab.sachsen.de/", 3600, True, {}),
    SourceSpec("doebeln-bekanntmachungen", "Döbeln", "listing", "https://www.doebeln.de/", 3600, True,
               {"towns": ["Döbeln"]}),
    SourceSpec("hwk-chemnitz-aktuelles", "HWK", "listing", "https://www.hwk-chemnitz.de/", 3600, True,
               {"sectors": ["handwerk"]}),
]  # fmt: skip


def entry(n: int, title: str, text: str, url: str | None = None) -> Entry:
    return Entry(
        identity=f"guid:{n}", guid=str(n), url=url or f"https://example.org/{n}", title=title,
        summary_html="", content_text=text, published_at=NOW - timedelta(days=1),
        content_hash=hashlib.sha256((title + text).encode()).hexdigest(),
    )  # fmt: skip


@pytest.fixture
def factory(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        sources_repo.sync_sources(session, SOURCES)
    yield factory
    engine.dispose()


def record(factory, source: str, *entries: Entry, at: datetime = NOW) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        items_repo.record_entries(session, source, list(entries), at)
        tags_repo.enrich_pending(session, TAX, at)


def get(session: Session, model: type[T], key: int) -> T:
    row: T | None = session.get(model, key)
    assert row is not None
    return row


def item_id(factory, source: str) -> int:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        return int(session.scalars(select(ItemRow.id).where(ItemRow.source_id == source)).one())


def test_reprint_joins_the_story_and_the_ministry_text_is_canonical(factory) -> None:  # type: ignore[no-untyped-def]
    record(factory, "doebeln-bekanntmachungen", entry(1, "Neues Förderprogramm", RELEASE + " Stadt Döbeln."))
    record(
        factory, "medienservice-smwa", entry(2, "SAB startet Zuschussprogramm", RELEASE), at=NOW + timedelta(hours=1)
    )
    record(factory, "hwk-chemnitz-aktuelles", entry(3, "Sprechtag Nachfolge", OTHER))
    town, ministry, hwk = (item_id(factory, s) for s in ("doebeln-bekanntmachungen", "medienservice-smwa",
                                                          "hwk-chemnitz-aktuelles"))  # fmt: skip
    with transaction(factory) as session:
        infos = stories_repo.stories_of(session, [town, ministry, hwk])
        assert infos[town].story_id == infos[ministry].story_id != infos[hwk].story_id
        assert infos[town].canonical_item_id == ministry  # ministry over the town's reprint, though later
        assert {p.source_id for p in infos[town].members} == {"doebeln-bekanntmachungen", "medienservice-smwa"}
        tags = tags_repo.tag_infos(session, [ministry, hwk])
        assert tags[ministry].reasons["sectors"]
        assert tags[ministry].expires_suggested == datetime(2021, 6, 30, 21, 59, 59, tzinfo=UTC)
        assert tags[hwk].reasons["sectors"]["handwerk"]
        assert get(session, ItemRow, hwk).towns == ["Freiberg"]


def test_split_merge_and_canonical_are_staff_decisions_with_audit(factory) -> None:  # type: ignore[no-untyped-def]
    record(factory, "sab-news", entry(1, "Zuschussprogramm", RELEASE))
    record(factory, "medienservice-smwa", entry(2, "Zuschussprogramm der SAB", RELEASE))
    sab, smwa = item_id(factory, "sab-news"), item_id(factory, "medienservice-smwa")
    with transaction(factory) as session:
        new = stories_repo.split_story(session, [sab], priority=TAX.priority, actor="anna", now=NOW)
        infos = stories_repo.stories_of(session, [sab, smwa])
        assert infos[sab].story_id == new != infos[smwa].story_id
        merged = stories_repo.merge_stories(session, [infos[smwa].story_id, new], priority=TAX.priority,
                                            actor="anna", now=NOW)  # fmt: skip
        stories_repo.set_canonical(session, sab, actor="anna", now=NOW)
    with transaction(factory) as session:
        infos = stories_repo.stories_of(session, [sab, smwa])
        assert infos[sab].story_id == infos[smwa].story_id == merged
        assert infos[sab].canonical_item_id == sab
        actions = list(session.scalars(select(AuditRow.action).order_by(AuditRow.id)))
        assert actions == ["story_split", "story_merge", "story_canonical"]


def test_regulation_versions_are_linked_not_merged(factory) -> None:  # type: ignore[no-untyped-def]
    base = " ".join(f"§ {n} Regelung für Betriebe der Gastronomie und des Handels Absatz {n}." for n in range(40))
    record(factory, "medienservice-smwa", entry(1, "Sächsische Corona-Schutz-Verordnung", base))
    changed = base.replace("Absatz 3.", "Absatz 3 entfällt.").replace("§ 30", "§ 30 neu gefasst")
    record(factory, "medienservice-smwa", entry(2, "Sächsische Corona-Schutz-Verordnung ab 1. Dezember", changed))
    with transaction(factory) as session:
        ids = list(session.scalars(select(ItemRow.id).order_by(ItemRow.id)))
        infos = stories_repo.stories_of(session, ids)
        assert infos[ids[0]].story_id != infos[ids[1]].story_id
        assert infos[ids[0]].versions == (infos[ids[1]].story_id,)
        assert session.scalar(select(func.count()).select_from(StoryLinkRow)) == 1
    rewritten = " ".join(f"§ {n} Öffnung von Hotels und Museen mit Testpflicht, Stufe {n}." for n in range(40))
    record(factory, "sab-news", entry(3, "Sächsische Corona-Schutz-Verordnung vom 4. Mai 2021", rewritten))
    unrelated = " ".join(f"§ {n} Sperrzeit der Gaststätten im Stadtgebiet, Ziffer {n}." for n in range(40))
    record(factory, "doebeln-bekanntmachungen", entry(4, "Allgemeinverfügung vom 4. Mai 2021", unrelated))
    with transaction(factory) as session:  # a new text under the same official name: found by its title key
        ids = list(session.scalars(select(ItemRow.id).order_by(ItemRow.id)))
        infos = stories_repo.stories_of(session, ids)
        assert len({info.story_id for info in infos.values()}) == 4  # linked, never merged
        assert set(infos[ids[2]].versions) == {infos[ids[0]].story_id, infos[ids[1]].story_id}
        assert infos[ids[3]].versions == ()  # a generic title names no particular text


def test_version_stories_tell_which_linked_version_is_older_and_still_published(factory) -> None:  # type: ignore[no-untyped-def]
    base = " ".join(f"§ {n} Regelung für Betriebe der Gastronomie und des Handels Absatz {n}." for n in range(40))
    record(factory, "medienservice-smwa", entry(1, "Sächsische Corona-Schutz-Verordnung", base))
    changed = base.replace("Absatz 3.", "Absatz 3 entfällt.").replace("§ 30", "§ 30 neu gefasst")
    record(factory, "medienservice-smwa", entry(2, "Sächsische Corona-Schutz-Verordnung ab 1. Dezember", changed),
           at=NOW + timedelta(days=7))  # fmt: skip
    with transaction(factory) as session:
        old, new = session.scalars(select(ItemRow.id).order_by(ItemRow.id))
        items_repo.approve(session, [old], actor="rita", now=NOW)
        infos = stories_repo.stories_of(session, [old, new])
        stories = [infos[old].story_id, infos[new].story_id]
        found = stories_repo.version_stories(session, [stories[1], stories[0], stories[1], 999_999])
    assert [v.story_id for v in found] == stories  # oldest first, each once, unknown ids left out
    older, newer = found
    assert (older.item_id, older.published, older.published_seen_at) == (old, (old,), NOW)
    assert older.title == "Sächsische Corona-Schutz-Verordnung" and older.first_seen_at == NOW
    assert (newer.item_id, newer.published, newer.published_seen_at) == (new, (), None)
    assert older.published_before(NOW + timedelta(days=7)) and not older.published_before(NOW)
    assert not newer.published_before(NOW + timedelta(days=30))


def test_retag_brings_items_under_review_up_to_the_current_rules(factory) -> None:  # type: ignore[no-untyped-def]
    """After the rules change, `rubrik items retag` re-tags items under review; staff corrections, reviewed items,
    stories and items the enrichment has not reached yet stay as they are."""
    regulation = "Diese Richtlinie tritt mit Ablauf des 31. Dezember 2029 außer Kraft."
    record(factory, "sab-news", entry(1, "Zuschussprogramm", RELEASE + " " + regulation))
    record(factory, "hwk-chemnitz-aktuelles", entry(2, "Sprechtag Nachfolge", OTHER))
    record(factory, "medienservice-smwa", entry(3, "Digitalbonus für Händler", RELEASE.replace("SAB", "Ministerium")))
    with transaction(factory) as session:
        old, corrected, approved = session.scalars(select(ItemRow.id).order_by(ItemRow.id))
        stale = get(session, ItemTagsRow, old)  # as an older tagger left it
        stale.reasons, stale.expires_suggested, stale.expires_reason = {"sectors": {}}, None, None
        get(session, ItemRow, old).sectors = []
        tags_repo.correct_tags(session, corrected, sectors=["handel"], topics=[], towns=[], relevant=True,
                               taxonomy=TAX, actor="anna", now=NOW)  # fmt: skip
        items_repo.approve(session, [approved], actor="anna", now=NOW)
        get(session, ItemRow, approved).sectors = ["kultur-kreativwirtschaft"]  # reviewed: must stay
        items_repo.record_entries(session, "sab-news", [entry(4, "Noch nicht verschlagwortet", OTHER)], NOW)
        untagged = session.scalars(select(func.max(ItemRow.id))).one()
        stories = {i: info.story_id for i, info in stories_repo.stories_of(session, [old, corrected]).items()}
    runs = []
    after = 0
    while True:
        with transaction(factory) as session:
            done = tags_repo.retag_pending(session, TAX, NOW, None, after=after, batch=1)
        if done.last_item_id is None:
            break
        runs.append(done)
        after = done.last_item_id
    assert [(r.last_item_id, r.checked, r.changed) for r in runs] == [(old, 1, 1), (corrected, 1, 0)]
    with transaction(factory) as session:
        renewed = tags_repo.tag_infos(session, [old])[old]
        assert get(session, ItemRow, old).sectors and renewed.reasons["sectors"]
        assert renewed.expires_suggested == datetime(2029, 12, 31, 22, 59, 59, tzinfo=UTC)
        assert get(session, ItemRow, corrected).sectors == ["handel"]  # the staff correction wins
        assert get(session, ItemRow, approved).sectors == ["kultur-kreativwirtschaft"]
        assert session.get(ItemTagsRow, untagged) is None  # left to the enrichment, which also finds its story
        assert {i: info.story_id for i, info in stories_repo.stories_of(session, [old, corrected]).items()} == stories
        assert tags_repo.enrich_pending(session, TAX, NOW) == 1 and stories_repo.stories_of(session, [untagged])


def test_changed_item_is_processed_once_per_revision(factory) -> None:  # type: ignore[no-untyped-def]
    record(factory, "sab-news", entry(1, "Zuschussprogramm", RELEASE))
    sab = item_id(factory, "sab-news")
    with transaction(factory) as session:
        assert tags_repo.enrich_pending(session, TAX, NOW) == 0
        keys = session.scalar(select(func.count()).select_from(DedupeKeyRow))
        story = stories_repo.stories_of(session, [sab])[sab].story_id
        tags_repo.correct_tags(session, sab, sectors=["handel"], topics=[], towns=[], relevant=True, taxonomy=TAX,
                               actor="anna", now=NOW)  # fmt: skip
    record(factory, "sab-news", entry(1, "Zuschussprogramm verlängert", RELEASE + " Neu: auch Handwerk."))
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(DedupeKeyRow)) == keys  # replaced, not added
        row = get(session, ItemTagsRow, sab)
        assert row.revision_id == get(session, ItemRow, row.item_id).current_revision_id
        info = stories_repo.stories_of(session, [sab])[sab]
        assert info.story_id == story and info.canonical_item_id == sab  # a changed item stays in its story
        assert row.tagged_by == "staff" and get(session, ItemRow, sab).sectors == ["handel"]  # staff's tags stay


def alternating(factory, count: int = 12) -> list[int]:  # type: ignore[no-untyped-def]
    """``count`` items, SAB releases and HWK notices by turns (even positions: the HWK's); their ids in order."""
    for n in range(count):
        source = "sab-news" if n % 2 else "hwk-chemnitz-aktuelles"
        text = (RELEASE if n % 2 else OTHER) + f" Meldung {n}."
        record(factory, source, entry(n, f"Meldung {n}", text, url=f"https://example.org/x{n}"))
    with transaction(factory) as session:
        return list(session.scalars(select(ItemRow.id).order_by(ItemRow.id)))


def test_staff_corrections_are_kept_recorded_and_train_suggestions(factory) -> None:  # type: ignore[no-untyped-def]
    ids = alternating(factory)
    with transaction(factory) as session:
        for n, one in enumerate(ids):
            sectors = ["handel"] if n % 2 else ["handwerk"]
            tags_repo.correct_tags(session, one, sectors=sectors, topics=[], towns=[], relevant=True,
                                   taxonomy=TAX, actor="anna", now=NOW)  # fmt: skip
        with pytest.raises(items_repo.DecisionError):
            tags_repo.correct_tags(session, ids[0], sectors=["bergbau"], topics=[], towns=[], relevant=True,
                                   taxonomy=TAX, actor="anna", now=NOW)  # fmt: skip
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(TagCorrectionRow)) == 12
        model = tags_repo.suggestion_model(session)
        assert model is not None
        assert "sectors:handwerk" in model.predict("Sprechtag", OTHER)
        assert "sectors:handwerk" not in model.predict("Programm", RELEASE)
        tags_repo.tag_one(session, ids[0], TAX, NOW, model)
        assert get(session, ItemRow, ids[0]).sectors == ["handwerk"]  # staff choice survives re-tagging


def test_the_classifier_learns_from_approved_items_and_the_latest_correction(factory) -> None:  # type: ignore[no-untyped-def]
    ids = alternating(factory)
    with transaction(factory) as session:
        assert tags_repo.training_examples(session) == []  # nothing reviewed yet
        assert tags_repo.suggestion_model(session) is None
        items_repo.approve(session, ids[:10], actor="anna", now=NOW)  # approving confirms the rule tags
        items_repo.reject(session, ids[10:], actor="anna", now=NOW)  # a rejection teaches nothing
        for _ in range(2):  # corrected twice: only the latest counts, and it replaces the approved tags
            tags_repo.correct_tags(session, ids[0], sectors=["industrie"], topics=[], towns=[], relevant=True,
                                   taxonomy=TAX, actor="anna", now=NOW)  # fmt: skip
        tags_repo.correct_tags(session, ids[1], sectors=[], topics=[], towns=[], relevant=False, taxonomy=TAX,
                               actor="anna", now=NOW)  # fmt: skip
        rule_tagged = [get(session, ItemRow, one) for one in ids[2:10]]  # approved with the tags the rules gave
        approved = Counter(labels(item.sectors, item.topics) for item in rule_tagged)
    assert sum(1 for found in approved if "sectors:handwerk" in found) == 1  # the HWK's, through its default
    with transaction(factory) as session:
        examples = tags_repo.training_examples(session)
        expected = approved + Counter([frozenset({"sectors:industrie"}), frozenset()])
        assert Counter(e.labels for e in examples) == expected
        assert len(tags_repo.training_examples(session, limit=3)) == 3  # the newest reviews only
        model = tags_repo.suggestion_model(session)
        assert model is not None and "sectors:handwerk" in model.predict("Sprechtag", OTHER)
        assert "sectors:handwerk" not in model.predict("Programm", RELEASE)
        tags_repo.tag_one(session, ids[10], TAX, NOW, model)  # staff are shown confident suggestions only
        stored = get(session, ItemTagsRow, ids[10]).suggestions
        assert stored and all(p >= THRESHOLD for found in stored.values() for p in found.values())
        assert min(model.probabilities("Sprechtag", OTHER).values()) < THRESHOLD  # and the model knows doubt


def test_enrichment_commits_batch_by_batch_and_reports_progress(factory) -> None:  # type: ignore[no-untyped-def]
    entries = [entry(n, f"Meldung {n}", f"{RELEASE} Nr. {n}.", url=f"https://example.org/b{n}") for n in range(5)]
    with transaction(factory) as session:
        items_repo.record_entries(session, "sab-news", entries, NOW)
    seen: list[tuple[int, int]] = []

    def progress(done: int) -> None:  # another session sees each batch committed while the next is pending
        with transaction(factory) as other:
            seen.append((done, other.scalar(select(func.count()).select_from(ItemTagsRow)) or 0))

    assert enrich_in_batches(factory, progress, batch=2) == 5
    assert seen == [(2, 2), (4, 4), (5, 5)]
    with transaction(factory) as session:  # one story: the five are near-duplicates of one release
        ids = list(session.scalars(select(ItemRow.id)))
        assert len({info.story_id for info in stories_repo.stories_of(session, ids).values()}) == 1
    assert enrich_in_batches(factory, progress) == 0  # nothing pending: no batch, no progress call
    assert len(seen) == 3


def test_the_classifier_is_trained_only_when_something_is_pending(factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    trained: list[int] = []
    real = tags_repo.suggestion_model

    def counting(session: Session, limit: int = tags_repo.TRAINING_ITEMS) -> object:
        trained.append(limit)
        return real(session, limit)

    monkeypatch.setattr(tags_repo, "suggestion_model", counting)
    assert enrich_in_batches(factory) == 0 and trained == []  # an empty run costs no training
    with transaction(factory) as session:
        items_repo.record_entries(session, "sab-news", [entry(1, "Meldung", RELEASE)], NOW)
    assert enrich_in_batches(factory) == 1 and len(trained) == 1
    assert enrich_in_batches(factory) == 0 and len(trained) == 1


def test_after_the_rules_change_the_enrichment_tags_items_under_review_again(factory) -> None:  # type: ignore[no-untyped-def]
    """An update that changes the taxonomy or the tagging code changes ``Taxonomy.version``: the next harvest's
    enrichment tags the items under review again by itself, batch by batch; reviewed items keep their tags."""
    for n in range(3):
        record(factory, "sab-news", entry(n, f"Zuschussprogramm {n}", f"{RELEASE} Nr. {n}.", f"https://e.org/{n}"))
    with transaction(factory) as session:
        first, second, approved = session.scalars(select(ItemRow.id).order_by(ItemRow.id))
        assert {get(session, ItemTagsRow, i).rules for i in (first, second, approved)} == {TAX.version}
        assert not tags_repo.has_outdated(session, TAX.version)
        for old in (first, second, approved):  # as older rules left them (NULL: stored before versions were kept)
            row = get(session, ItemTagsRow, old)
            row.rules, row.reasons = ("0123456789abcdef" if old == first else None), {"sectors": {}}
            get(session, ItemRow, old).sectors = ["landwirtschaft"]
        items_repo.approve(session, [approved], actor="anna", now=NOW)
    seen: list[int] = []
    assert enrich_in_batches(factory, seen.append, batch=1) == 2 and seen == [1, 2]
    with transaction(factory) as session:
        for renewed in (first, second):
            assert get(session, ItemRow, renewed).sectors != ["landwirtschaft"]
            assert get(session, ItemTagsRow, renewed).rules == TAX.version
        assert get(session, ItemRow, approved).sectors == ["landwirtschaft"]  # reviewed: stays, only marked
        assert get(session, ItemTagsRow, approved).rules == TAX.version
        assert not tags_repo.has_outdated(session, TAX.version)
    assert enrich_in_batches(factory) == 0


def test_a_source_whose_catalog_defaults_change_has_its_items_tagged_again(factory) -> None:  # type: ignore[no-untyped-def]
    """A source's sectors, topics and towns in the catalog are defaults of its items' tags: when a catalog sync
    (or the admin form) changes them, the next enrichment tags that source's items under review again — not
    those of other sources, and not when only something else (the interval) changed."""
    record(factory, "sab-news", entry(1, "Sprechtag", OTHER, "https://e.org/sab"))
    record(factory, "doebeln-bekanntmachungen", entry(2, "Zuschussprogramm", RELEASE, "https://e.org/doebeln"))
    with transaction(factory) as session:
        sab, doebeln = session.scalars(select(ItemRow.id).order_by(ItemRow.id))
        assert "landwirtschaft" not in get(session, ItemRow, sab).sectors
        slower = [spec if spec.id != "sab-news" else replace(spec, interval_seconds=7200) for spec in SOURCES]
        sources_repo.sync_sources(session, slower)
        assert not tags_repo.has_outdated(session, TAX.version)  # the interval is no tagging default
    farming = {"sectors": ["landwirtschaft"], "topics": ["kredite-buergschaften"]}
    changed = [spec if spec.id != "sab-news" else replace(spec, config=farming) for spec in SOURCES]
    with transaction(factory) as session:
        sources_repo.sync_sources(session, changed)
        assert get(session, ItemTagsRow, sab).rules is None and get(session, ItemTagsRow, doebeln).rules
    assert enrich_in_batches(factory) == 1
    with transaction(factory) as session:
        assert "landwirtschaft" in get(session, ItemRow, sab).sectors
        assert "kredite-buergschaften" in get(session, ItemRow, sab).topics
        assert "Vorgabe der Quelle sab-news" in get(session, ItemTagsRow, sab).reasons["sectors"].values()
        assert not tags_repo.has_outdated(session, TAX.version)


def test_items_of_other_rules_are_found_through_the_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every enrichment asks for them; in the steady state there are none, and finding that must not read every
    item (bench/dedupe_tag.py prints the time on 100,000 items)."""
    from sqlalchemy import text

    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade(engine)
    with engine.connect() as connection:
        for query in (tags_repo._outdated(TAX.version), tags_repo._tagged_by_other_rules(TAX.version)):
            sql = str(query.limit(500).compile(engine, compile_kwargs={"literal_binds": True}))
            plan = " | ".join(row[3] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert "ix_item_tags_rules" in plan and "SCAN" not in plan, plan
    engine.dispose()


def test_reviewed_items_are_the_tags_staff_left_with_their_source_hints(factory) -> None:  # type: ignore[no-untyped-def]
    """What `rubrik eval --reviewed` measures: corrections (the latest, not-relevant ones included, also on a
    rejected item) and approvals without one; pending items and plain rejections are not reviewed tags."""
    ids = alternating(factory, count=6)
    with transaction(factory) as session:
        assert tags_repo.reviewed_items(session) == []
        items_repo.approve(session, ids[:3], actor="anna", now=NOW)
        items_repo.reject(session, ids[3:5], actor="anna", now=NOW + timedelta(minutes=1))  # ids[5] stays pending
        for chosen in (["handel"], ["industrie"]):  # corrected twice: the latest counts
            tags_repo.correct_tags(session, ids[1], sectors=chosen, topics=["steuern-abgaben"], towns=["Döbeln"],
                                   relevant=True, taxonomy=TAX, actor="anna", now=NOW)  # fmt: skip
        tags_repo.correct_tags(session, ids[4], sectors=[], topics=[], towns=[], relevant=False, taxonomy=TAX,
                               actor="anna", now=NOW)  # fmt: skip
        approved = {one: get(session, ItemRow, one) for one in (ids[0], ids[2])}
        expected = {one: (tuple(i.sectors), tuple(i.topics), tuple(i.towns)) for one, i in approved.items()}
    with transaction(factory) as session:
        reviewed = tags_repo.reviewed_items(session)
        hints = tags_repo.source_hints(session, [r.source_id for r in reviewed] + ["gone"])
    by_item = {r.item_id: r for r in reviewed}
    assert [r.item_id for r in reviewed] == [ids[4], ids[1], ids[2], ids[0]]  # corrections first, newest first
    assert by_item[ids[1]].sectors == ("industrie",) and by_item[ids[1]].towns == ("Döbeln",)
    assert by_item[ids[1]].corrected and by_item[ids[1]].relevant
    assert by_item[ids[4]].corrected and not by_item[ids[4]].relevant and by_item[ids[4]].sectors == ()
    for one, (sectors, topics, towns) in expected.items():  # approved as tagged: the tags the rules gave
        assert (by_item[one].sectors, by_item[one].topics, by_item[one].towns) == (sectors, topics, towns)
        assert by_item[one].relevant and not by_item[one].corrected
    assert by_item[ids[0]].sectors == ("handwerk",)  # the HWK's item, through its catalog default
    assert by_item[ids[0]].title == "Meldung 0" and by_item[ids[0]].text.startswith(OTHER)
    assert hints["hwk-chemnitz-aktuelles"].sectors == ("handwerk",)
    assert hints["gone"].sectors == () and hints["gone"].source_id == "gone"  # a source no longer in the store
    with transaction(factory) as session:
        assert [r.item_id for r in tags_repo.reviewed_items(session, limit=2)] == [ids[4], ids[1]]
        assert len(tags_repo.reviewed_items(session, limit=3)) == 3
