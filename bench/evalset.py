"""The labelled evaluation set and its scores: tagging (per sector/topic P/R/F1, micro-F1, relevance),
the classifier against the rules (cross-validated), and duplicate detection over labelled pairs.

Labels live in tests/fixtures/eval/; corpus texts are read from ../shared/corpus. The set is split
deterministically (by a hash of the item id) into a *dev* half, on which rules and term lists are tuned, and a
*held-out test* half that tuning never looks at. Used by the quality gate (tests/process/test_quality_gate.py),
printed by ``rubrik eval`` and bench/eval.py.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from bench.pagetext import page_text
from process.classifier import THRESHOLD, Example, labels, train
from process.dates import BERLIN, parse_date
from process.dedupe import fingerprint, verify
from process.tagging import SourceHints, Tags, tag_item
from process.taxonomy import Taxonomy, load_taxonomy
from process.text import one_line, plain_text
from store.tags_repo import Reviewed

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "eval"
CORPUS = REPO.parent / "shared" / "corpus"
HALVES = ("dev", "test")
GROUPS = ("rubrik", "pages")
CORPUS_DIRS = {
    "amt24": "saxony-amt24-business-pages/docs",
    "revosax": "saxony-revosax-foerderrichtlinien/markdown",
    "regulations": "saxony-corona-regulation-versions",
}


@dataclass(frozen=True)
class LabelledItem:
    id: str
    title: str
    text: str
    source: str
    sectors: frozenset[str]
    topics: frozenset[str]
    relevant: bool
    towns: frozenset[str] | None = None
    expires: date | None = None  # the day the text says it ends (deadline, validity), when labelled
    expiry_labelled: bool = False  # False: the item's deadline is not labelled (not counted for deadlines)
    hints: SourceHints | None = None  # the source's tagging hints; None: those of ``source`` in sources/catalog.yaml

    @property
    def group(self) -> str:
        """ "rubrik": texts of the kinds the rubric's sources publish (Saxon state portal, Saxon regulations, the
        corona rules, press-style texts); "pages": web pages from elsewhere (federal bodies, other states, national
        and trade press), a harder population measured on its own so that the floors keep their meaning."""
        return "pages" if self.id.startswith("pages:") else "rubrik"

    @property
    def half(self) -> str:
        """ "dev" or "test": fixed by the id alone, so adding items never moves others between halves."""
        return HALVES[hashlib.sha256(self.id.encode()).digest()[0] % 2]


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _resolve(path: Path) -> Path:
    """File names in the corpus may be NFD-encoded; labels are written NFC."""
    if path.exists():
        return path
    wanted = unicodedata.normalize("NFC", path.name)
    return next(p for p in path.parent.iterdir() if unicodedata.normalize("NFC", p.name) == wanted)


def _split_markdown(path: Path) -> tuple[str, str]:
    text = _resolve(path).read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    return first.lstrip("# ").strip(), rest


def load_items(corpus: Path) -> list[LabelledItem]:
    return list(_load_items(corpus))


@lru_cache(maxsize=2)
def _load_items(corpus: Path) -> tuple[LabelledItem, ...]:
    """Read once per process: the web pages' main text is extracted from their HTML (most of the cost)."""
    entries = yaml.safe_load((FIXTURES / "corpus_labels.yaml").read_text(encoding="utf-8"))["items"]
    items = []
    for entry in entries:
        if entry["corpus"] == "pages":  # real web pages: their main text is extracted from the HTML
            title, text = page_text(corpus, entry["file"])
        else:
            title, text = _split_markdown(corpus / CORPUS_DIRS[entry["corpus"]] / entry["file"])
        title, text = one_line(title), plain_text(text)  # as the harvest stores them (normalize_entry)
        items.append(LabelledItem(f"{entry['corpus']}:{entry['file']}", title, text, "", frozenset(entry["sectors"]),
                                  frozenset(entry["topics"]), bool(entry["relevant"]), None,
                                  _day(entry.get("expires")), "expires" in entry))  # fmt: skip
    written = yaml.safe_load((FIXTURES / "texts.yaml").read_text(encoding="utf-8"))["items"]
    for entry in written:
        items.append(LabelledItem(entry["id"], one_line(entry["title"]), plain_text(entry["text"]), entry["source"],
                                  frozenset(entry["sectors"]), frozenset(entry["topics"]),
                                  bool(entry.get("relevant", True)), frozenset(entry["towns"]),
                                  _day(entry.get("expires")), True))  # fmt: skip
    return tuple(items)


class LabelFileError(ValueError):
    """A labelled file (``rubrik eval --labels``) that cannot be read; the message says where, in German."""


_LABEL_FIELDS = ("title", "text", "sectors", "topics", "relevant")


def load_labelled_file(path: Path, taxonomy: Taxonomy | None = None, *, part: str | None = None) -> list[LabelledItem]:
    """Labelled items from a file of one's own — staff's reviewed items (``rubrik eval --reviewed --export``), a
    sample labelled by hand: JSON Lines (one object per line) or one JSON array, each object with ``title``,
    ``text``, ``sectors``, ``topics``, ``relevant`` and optionally ``id``, ``source`` (a catalog source id: its
    tagging defaults apply), ``source_defaults`` (those defaults written out, ``{"sectors": [...], "topics": [...],
    "towns": [...]}``; they win over the catalog's), ``towns`` and ``part`` (the half of a set, as in
    external_sets.yaml: "einstellen" or "sauber"; ``part`` given, only those). Texts are normalized as the harvest
    stores them. Unknown slugs and missing fields are refused, with the line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelFileError(f"{path}: nicht lesbar ({exc})") from exc
    return labelled_entries(str(path), _label_entries(path, raw), taxonomy, part=part)


def labelled_entries(
    origin: str, entries: list[tuple[str, object]], taxonomy: Taxonomy | None = None, *, part: str | None = None
) -> list[LabelledItem]:
    """``entries`` (where each is, the entry) in the format of ``load_labelled_file`` as labelled items; errors
    name ``origin`` and where."""
    taxonomy = taxonomy or load_taxonomy()
    if not entries:
        raise LabelFileError(f"{origin}: keine Einträge")
    if part is not None:
        # an entry that is no object is kept, to be refused with its line like any other broken entry
        entries = [(where, e) for where, e in entries if not isinstance(e, dict) or e.get("part") == part]
        if not entries:
            raise LabelFileError(f"{origin}: keine Einträge mit part „{part}“")
    return [_labelled_item(origin, where, entry, taxonomy) for where, entry in entries]


def _label_entries(path: Path, raw: str) -> list[tuple[str, object]]:
    if raw.lstrip().startswith("["):
        try:
            return [(f"Eintrag {n}", entry) for n, entry in enumerate(json.loads(raw), 1)]
        except json.JSONDecodeError as exc:
            raise LabelFileError(f"{path}: kein gültiges JSON (Zeile {exc.lineno}: {exc.msg})") from exc
    entries = []
    for number, line in enumerate(raw.splitlines(), 1):
        if line.strip():
            try:
                entries.append((f"Zeile {number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise LabelFileError(f"{path}, Zeile {number}: kein gültiges JSON ({exc.msg})") from exc
    return entries


def _labelled_item(origin: str, where: str, entry: object, taxonomy: Taxonomy) -> LabelledItem:
    if not isinstance(entry, dict):
        raise LabelFileError(f"{origin}, {where}: ein Objekt erwartet")
    if missing := [name for name in _LABEL_FIELDS if name not in entry]:
        raise LabelFileError(f"{origin}, {where}: es fehlt {', '.join(missing)}")
    for axis in ("sectors", "topics"):
        if not _strings(entry[axis]):
            raise LabelFileError(f"{origin}, {where}: {axis} muss eine Liste sein")
        if unknown := sorted(set(entry[axis]) - set(taxonomy.slugs(axis))):
            raise LabelFileError(f"{origin}, {where}: unbekannte {axis} {', '.join(map(str, unknown))}")
    if not isinstance(entry["relevant"], bool):
        raise LabelFileError(f"{origin}, {where}: relevant muss true oder false sein")
    towns = entry.get("towns")
    if towns is not None and not _towns(towns, taxonomy):
        raise LabelFileError(f"{origin}, {where}: towns muss eine Liste von Gemeinden des Kreises sein")
    source = str(entry.get("source") or "")
    hints = _source_defaults(origin, where, source, entry.get("source_defaults"), taxonomy)
    return LabelledItem(str(entry.get("id") or where), one_line(str(entry["title"])), plain_text(str(entry["text"])),
                        source, frozenset(entry["sectors"]), frozenset(entry["topics"]), entry["relevant"],
                        None if towns is None else frozenset(towns),
                        hints=hints)  # fmt: skip


REVIEWED_ORIGIN = "Geprüfte Einträge"  # how errors about reviewed items name where they come from
REVIEWED_PARTS = {True: "korrigiert", False: "freigegeben"}  # the ``part`` of a reviewed item: corrected or not


def reviewed_entries(reviewed: Iterable[Reviewed], hints: Mapping[str, SourceHints]) -> list[dict[str, Any]]:
    """Items staff reviewed (``tags_repo.reviewed_items``) as entries of a labelled file: the tags staff left as
    labels, ``part`` "korrigiert" (staff changed the tags) or "freigegeben" (approved as tagged), the source's
    tagging defaults from the store written out as ``source_defaults`` so that the file measures the same later."""
    entries = []
    for r in reviewed:
        source = hints.get(r.source_id, SourceHints(r.source_id))
        entries.append({
            "id": f"item-{r.item_id}", "title": r.title, "text": r.text, "source": r.source_id,
            "source_defaults": {"sectors": list(source.sectors), "topics": list(source.topics),
                                "towns": list(source.towns)},
            "sectors": sorted(r.sectors), "topics": sorted(r.topics), "towns": sorted(r.towns),
            "relevant": r.relevant, "part": REVIEWED_PARTS[r.corrected],
        })  # fmt: skip
    return entries


def reviewed_labelled(
    entries: list[dict[str, Any]], taxonomy: Taxonomy, *, part: str | None = None
) -> tuple[list[LabelledItem], list[str]]:
    """``reviewed_entries`` as labelled items (only those of ``part`` when given), and the ids of those left out
    because the label checks refuse them — from the store, only a tag the taxonomy no longer has, in the item's tags
    or its source's defaults (a slug renamed since): one such item must not keep staff from measuring the others."""
    chosen, left_out = [], []
    for entry in entries:
        try:
            item = _labelled_item(REVIEWED_ORIGIN, entry["id"], entry, taxonomy)
        except LabelFileError:
            left_out.append(entry["id"])
            continue
        if part is None or entry["part"] == part:
            chosen.append(item)
    return chosen, left_out


def _strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(one, str) for one in value)


def _towns(value: object, taxonomy: Taxonomy) -> bool:
    return _strings(value) and set(value) <= set(taxonomy.towns)


def _source_defaults(origin: str, where: str, source: str, value: object, taxonomy: Taxonomy) -> SourceHints | None:
    """The ``source_defaults`` of an entry as tagging hints; None when the entry has none."""
    if value is None:
        return None
    known = {"sectors": set(taxonomy.slugs("sectors")), "topics": set(taxonomy.slugs("topics")),
             "towns": set(taxonomy.towns)}  # fmt: skip
    if not (isinstance(value, dict) and set(value) <= set(known)
            and all(_strings(v) and set(v) <= known[k] for k, v in value.items())):  # fmt: skip
        raise LabelFileError(f"{origin}, {where}: source_defaults muss ein Objekt mit Listen sectors, topics, towns "
                             "aus der Taxonomie sein")  # fmt: skip
    return SourceHints.of(source, value)


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


@lru_cache(maxsize=1)
def load_catalog_defaults() -> dict[str, dict[str, list[str]]]:
    path = REPO / "sources" / "catalog.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {s["id"]: {k: s.get(k) or [] for k in ("sectors", "topics", "towns")} for s in data["sources"]}


def score_axis(pairs: Iterable[tuple[frozenset[str], frozenset[str]]], slugs: Iterable[str]) -> dict[str, Scores]:
    """Per-slug scores from (gold, predicted) pairs, plus "micro" over all slugs."""
    pairs = list(pairs)
    result = {}
    for slug in slugs:
        tp = sum(1 for gold, pred in pairs if slug in gold and slug in pred)
        fp = sum(1 for gold, pred in pairs if slug not in gold and slug in pred)
        fn = sum(1 for gold, pred in pairs if slug in gold and slug not in pred)
        result[slug] = Scores(tp, fp, fn)
    result["micro"] = Scores(*(sum(getattr(s, f) for s in result.values()) for f in ("tp", "fp", "fn")))
    return result


def evaluate_rules(items: list[LabelledItem], taxonomy: Taxonomy | None = None) -> dict[str, dict[str, Scores]]:
    taxonomy = taxonomy or load_taxonomy()
    return compare_labels([(item, rule_tags(item, taxonomy)) for item in items], taxonomy)


def compare_labels(
    pairs: Sequence[tuple[LabelledItem, Tags | LabelledItem]], taxonomy: Taxonomy
) -> dict[str, dict[str, Scores]]:
    """Scores of the second of each pair (the rules' tags, or another annotation of the item) against the first's
    labels: per sector and topic, towns where the first has them, and "not relevant"."""
    with_towns = [(item, tags) for item, tags in pairs if item.towns is not None]
    return {
        "sectors": score_axis(((i.sectors, frozenset(t.sectors)) for i, t in pairs), taxonomy.slugs("sectors")),
        "topics": score_axis(((i.topics, frozenset(t.topics)) for i, t in pairs), taxonomy.slugs("topics")),
        "towns": {
            "micro": score_axis(
                ((i.towns or frozenset(), frozenset(t.towns or ())) for i, t in with_towns), taxonomy.towns
            )["micro"]
        },
        "not_relevant": {
            "micro": score_axis(
                (
                    (
                        frozenset({"x"}) if not i.relevant else frozenset(),
                        frozenset({"x"}) if not t.relevant else frozenset(),
                    )
                    for i, t in pairs
                ),
                ["x"],
            )["x"]
        },
    }


@lru_cache(maxsize=1)
def load_second_annotation() -> dict[str, dict[str, Any]]:
    """tests/fixtures/eval/second_annotation.yaml by item id: each text of the rubric's kind labelled a second time
    ("second"), blind to the first labels and the rules, and, where the two differ, the adjudicated labels."""
    entries = yaml.safe_load((FIXTURES / "second_annotation.yaml").read_text(encoding="utf-8"))["items"]
    return {entry["id"]: entry for entry in entries}


def relabelled(items: list[LabelledItem], which: str) -> list[LabelledItem]:
    """``items`` (of the rubric's kind) with the labels of the second annotation (``which`` "second") or of the
    adjudicated reference ("adjudicated": the adjudication where the annotations differ, else the labels they
    share)."""
    annotation = load_second_annotation()
    changed = []
    for item in items:
        entry = annotation[item.id]
        chosen = entry["second"] if which == "second" else entry.get("adjudicated", entry["second"])
        changed.append(
            replace(item, relevant=bool(chosen["relevant"]), sectors=frozenset(chosen["sectors"]),
                    topics=frozenset(chosen["topics"]))
        )  # fmt: skip
    return changed


def evaluate_deadlines(items: list[LabelledItem], taxonomy: Taxonomy | None = None) -> Scores:
    """The suggested expiry against the labelled one, on the items whose deadline is labelled: a suggestion is
    right when its day (Europe/Berlin) is the labelled day; a wrong day counts as a false and a missed one."""
    taxonomy = taxonomy or load_taxonomy()
    tp = fp = fn = 0
    for item in items:
        if not item.expiry_labelled:
            continue
        found = rule_tags(item, taxonomy).expires_at
        day = found.astimezone(BERLIN).date() if found else None
        tp += day is not None and day == item.expires
        fp += day is not None and day != item.expires
        fn += item.expires is not None and day != item.expires
    return Scores(tp, fp, fn)


def bootstrap_f1(
    items: list[LabelledItem], axis: str, *, rounds: int = 1000, seed: int = 1, taxonomy: Taxonomy | None = None
) -> tuple[float, float]:
    """A 95 % interval of the rules' micro-F1 on ``axis`` ("sectors" or "topics"): ``items`` resampled with
    replacement ``rounds`` times. It says how far a score on about a hundred items can move by which items happen
    to be in the set: a difference of a few points lies within it."""
    taxonomy = taxonomy or load_taxonomy()
    counts = []
    for item in items:
        gold, found = getattr(item, axis), frozenset(getattr(rule_tags(item, taxonomy), axis))
        counts.append((len(gold & found), len(found - gold), len(gold - found)))
    rng = random.Random(seed)
    scores = []
    for _ in range(rounds):
        tp = fp = fn = 0
        for a, b, c in (counts[rng.randrange(len(counts))] for _ in counts):
            tp, fp, fn = tp + a, fp + b, fn + c
        scores.append(Scores(tp, fp, fn).f1)
    scores.sort()
    return scores[int(0.025 * rounds)], scores[min(rounds - 1, int(0.975 * rounds))]


def rule_tags(item: LabelledItem, taxonomy: Taxonomy) -> Tags:
    """The rules' tags of one item. They depend on its text and source, not its labels: the report's many slices
    (groups, halves, the classifier's folds, the same texts under a second annotation) tag each text once."""
    return _rule_tags(item.title, item.text, hints_of(item), taxonomy)


def hints_of(item: LabelledItem) -> SourceHints:
    """The tagging hints of an item's source: written out with the item, else its catalog entry's."""
    if item.hints is not None:
        return item.hints
    return SourceHints.of(item.source, load_catalog_defaults().get(item.source))


@lru_cache(maxsize=4096)
def _rule_tags(title: str, text: str, hints: SourceHints, taxonomy: Taxonomy) -> Tags:
    return tag_item(title, text, taxonomy, hints)


def evaluate_classifier(
    items: list[LabelledItem], folds: int = 5, seed: int = 7, combine_at: float = THRESHOLD
) -> dict[str, dict[str, Scores]]:
    """k-fold cross-validated micro scores per axis of the suggestion classifier alone, of the rules alone and
    of rules + the suggestions staff are shown (≥ ``combine_at``); the classifier never sees its test fold."""
    taxonomy = load_taxonomy()
    shuffled = items[:]
    random.Random(seed).shuffle(shuffled)
    kinds = ("Klassifikator", "Regeln", "Regeln+Klassifikator")
    gold_pred: dict[str, dict[str, list[tuple[frozenset[str], frozenset[str]]]]] = {
        axis: {kind: [] for kind in kinds} for axis in ("sectors", "topics")
    }
    for fold in range(folds):
        test = shuffled[fold::folds]
        model = train([Example(i.title, i.text, _labels(i)) for n, i in enumerate(shuffled) if n % folds != fold])
        for item in test:
            probs = model.probabilities(item.title, item.text) if model else {}
            tags = rule_tags(item, taxonomy)
            rules = labels(tags.sectors, tags.topics)
            predicted = {
                "Klassifikator": frozenset(label for label, p in probs.items() if p >= 0.5),
                "Regeln": rules,
                "Regeln+Klassifikator": rules | {label for label, p in probs.items() if p >= combine_at},
            }
            for axis, by_kind in gold_pred.items():
                gold = frozenset(s for s in _labels(item) if s.startswith(axis + ":"))
                for kind in kinds:
                    by_kind[kind].append((gold, frozenset(p for p in predicted[kind] if p.startswith(axis + ":"))))
    return {
        axis: {
            kind: score_axis(pairs, [f"{axis}:{s}" for s in taxonomy.slugs(axis)])["micro"]
            for kind, pairs in by_kind.items()
        }
        for axis, by_kind in gold_pred.items()
    }


def _labels(item: LabelledItem) -> frozenset[str]:
    return labels(item.sectors, item.topics)


@dataclass(frozen=True)
class Pair:
    id: str
    kind: str  # duplicate | version | different
    a: tuple[str, str]
    b: tuple[str, str]


def load_pairs(corpus: Path) -> list[Pair]:
    pairs = []
    revosax = corpus / CORPUS_DIRS["revosax"]
    groups = []
    for line in (corpus / "saxony-revosax-foerderrichtlinien" / "duplicates.tsv").read_text().splitlines()[1:]:
        groups.append([name.strip() for name in line.split("\t")[1].split("|")])
    for group in groups:
        for x, y in itertools.combinations(group, 2):
            pairs.append(
                Pair(f"revosax:{x}~{y}", "duplicate", _split_markdown(revosax / x), _split_markdown(revosax / y))
            )
    pairs += _regulation_pairs(corpus)
    pairs += _different_corpus_pairs(corpus, groups)
    written = yaml.safe_load((FIXTURES / "near_duplicates.yaml").read_text(encoding="utf-8"))["pairs"]
    for p in written:
        pairs.append(Pair(p["id"], p["kind"], (p["a"]["title"], p["a"]["text"]), (p["b"]["title"], p["b"]["text"])))
    return pairs


def _regulation_pairs(corpus: Path) -> list[Pair]:
    folder = corpus / CORPUS_DIRS["regulations"]
    rows = [line.split("\t") for line in (folder / "versions.tsv").read_text().splitlines()[1:]]
    by_branch: dict[str, list[list[str]]] = {}
    for row in sorted(rows, key=_in_force):
        by_branch.setdefault(row[1], []).append(row)
    pairs = []
    for branch_rows in by_branch.values():
        for older, newer in itertools.pairwise(branch_rows):
            a = (older[4], (folder / older[0]).read_text(encoding="utf-8"))
            b = (newer[4], (folder / newer[0]).read_text(encoding="utf-8"))
            pairs.append(Pair(f"version:{older[0]}~{newer[0]}", "version", a, b))
    return pairs


def _in_force(row: list[str]) -> str:
    """When a version took effect ("SächsCoronaSchVO ab 01. Oktober 2020"), else its commit date: two versions
    committed on one day are ordered by the day they took effect, so each is paired with the one it followed."""
    _, _, effective = row[4].partition(" ab ")
    day, _ = parse_date(effective, now=datetime.now(UTC)) if effective else (None, [])
    return day.astimezone(BERLIN).date().isoformat() if day else row[3]


def _different_corpus_pairs(corpus: Path, groups: list[list[str]]) -> list[Pair]:
    """Distinct documents of similar kind: consecutive insolvency pages of Amt24, neighbouring regulations."""
    pairs = []
    amt = sorted((corpus / CORPUS_DIRS["amt24"]).glob("Insolvenz*.md"))
    for x, y in itertools.pairwise(amt):
        pairs.append(Pair(f"amt24:{x.name}~{y.name}", "different", _split_markdown(x), _split_markdown(y)))
    duplicated = {name for group in groups for name in group}
    revosax = sorted(p for p in (corpus / CORPUS_DIRS["revosax"]).glob("*.md") if p.name not in duplicated)
    for x, y in list(itertools.pairwise(revosax))[:30]:
        pairs.append(Pair(f"revosax:{x.name}~{y.name}", "different", _split_markdown(x), _split_markdown(y)))
    return pairs


def evaluate_pairs(pairs: list[Pair]) -> dict[str, Scores]:
    """Duplicate and version detection: candidate keys shared (what the index finds) and the verifier agrees."""
    gold_pred = []
    for pair in pairs:
        fa, fb = fingerprint(*pair.a), fingerprint(*pair.b)
        candidate = bool(set(fa.keys) & set(fb.keys))
        verdict = verify(fa, fb)[0] if candidate else "different"
        gold_pred.append((pair.kind, verdict))
    return {
        kind: Scores(
            sum(1 for g, p in gold_pred if g == kind and p == kind),
            sum(1 for g, p in gold_pred if g != kind and p == kind),
            sum(1 for g, p in gold_pred if g == kind and p != kind),
        )
        for kind in ("duplicate", "version")
    }


def misses(pairs: list[Pair]) -> list[str]:
    found = []
    for pair in pairs:
        fa, fb = fingerprint(*pair.a), fingerprint(*pair.b)
        candidate = bool(set(fa.keys) & set(fb.keys))
        verdict, why = verify(fa, fb) if candidate else ("different", "kein Kandidat")
        if verdict != pair.kind:
            found.append(f"{pair.id}: erwartet {pair.kind}, erkannt {verdict} ({why})")
    return found
