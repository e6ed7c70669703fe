"""The tagging taxonomy as typed, validated data: axes, slugs, German labels, WZ 2008 sections, match rules,
source defaults, source priority and the county's municipalities. The data lives in ``taxonomy.yaml``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from process.german import fold

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.yaml")
# The code whose changes change tags (with the taxonomy file): part of the rules' version.
RULE_CODE = tuple(Path(__file__).with_name(name) for name in ("tagging.py", "deadlines.py", "german.py", "taxonomy.py"))
AXES = ("sectors", "topics", "towns")
GENERAL_SECTOR = "alle-branchen"


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: rules are cache keys in tagging
class Rule:
    """How one tag is found in text (all terms already folded)."""

    slug: str
    label: str
    words: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()  # whole words in their own inflections only: their stem is another word's
    parts: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    wz2008: tuple[str, ...] = ()
    title_only: bool = False


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: cached per loaded taxonomy
class Taxonomy:
    sectors: tuple[Rule, ...]
    topics: tuple[Rule, ...]
    towns: tuple[str, ...]
    town_aliases: Mapping[str, str]
    ambiguous_towns: frozenset[str]
    county_context: tuple[str, ...]
    county_passon: tuple[str, ...]
    not_relevant: tuple[str, ...]
    business: tuple[str, ...]
    source_defaults: Mapping[str, Mapping[str, tuple[str, ...]]]
    source_priority: tuple[tuple[str, ...], ...]
    title_weight: int = 3
    lead_chars: int = 800
    min_score: int = 3
    # relevance and structure (see taxonomy.yaml: mask, recipients, relevance)
    mask: tuple[str, ...] = ()  # regular expressions over folded text, blanked before any matching
    # words that are verbs when written lower case in a text that capitalises its nouns ("zu unternehmen")
    lower_case_verbs: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()  # folded markers of a regulation's recipient section
    recipient_chars: int = 400
    recipient_stops: tuple[str, ...] = ()  # folded phrases after which a recipient section names the excluded
    recipient_weight: int = 2
    business_skip: tuple[str, ...] = ()  # words with a business part that address no business ("Gewerbesteuer")
    non_business: tuple[str, ...] = ()  # addressees that are not businesses (municipalities, students …)
    business_topics: frozenset[str] = frozenset()  # topics that concern businesses by themselves
    checked_topics: frozenset[str] = frozenset()  # topics that are business news only if the text names businesses
    # ... the same, but only in a text longer than the lead: a teaser's few words are no evidence of absence
    checked_topics_long: frozenset[str] = frozenset()
    enumeration_sectors: int = 3  # this many specific sectors in one text mean "alle Branchen"
    min_scores: Mapping[str, int] = field(default_factory=dict)  # per axis, overrides min_score
    addressee_cues: tuple[str, ...] = ()  # folded markers of a lead sentence naming whom a measure is for
    addressee_weight: int = 1
    teaser_addressee_weight: int = 1  # addressee_weight in a text no longer than the lead (a teaser, a notice)
    founders_sector: str = ""  # the sector founders count to unless they found in a named sector
    founder_terms: tuple[str, ...] = ()  # folded word beginnings of founder terms ("existenzgruend")
    general_addressees: tuple[str, ...] = ()  # "Unternehmen, …" among the addressees: businesses in general
    trade_fallback_hits: int = 0  # a trade named this often (and more than any other) beats the general fallback
    trade_fallback_teaser_hits: int = 0  # the same in a text no longer than the lead (a teaser); 0: as above
    trade_fallback_skip: tuple[str, ...] = ()  # sectors that are no trade for that fallback (the self-employed)
    public_bodies: tuple[str, ...] = ()  # public addressees that, named in a title, make an item not relevant
    public_bodies_skip: tuple[str, ...] = ()  # their forms that name the giver ("des Landkreises")
    citizen_services: tuple[str, ...] = ()  # citizens' services ("Wohngeld"): named in a title, a private page
    private: tuple[str, ...] = ()  # markers of a page for private persons (tax bonus, travelling)
    employees: tuple[str, ...] = ()  # phrases that address the reader as an employee ("Ihr Arbeitgeber")
    employers: tuple[str, ...] = ()  # phrases that address the reader as an employer ("Ihre Beschäftigten")
    # the rules' version: a digest of the taxonomy file and the tagging code; an item tagged by another version
    # is tagged again while under review (store/tags_repo.refresh_outdated)
    version: str = ""

    def slugs(self, axis: str) -> tuple[str, ...]:
        if axis == "towns":
            return self.towns
        rules = self.sectors if axis == "sectors" else self.topics
        return tuple(rule.slug for rule in rules)

    def label(self, axis: str, slug: str) -> str:
        rules = self.sectors if axis == "sectors" else self.topics
        return next((rule.label for rule in rules if rule.slug == slug), slug)

    def priority(self, source_id: str) -> int:
        """0 for the most authoritative sources (ministries); higher numbers rank lower."""
        for rank, prefixes in enumerate(self.source_priority):
            if any(source_id.startswith(prefix) for prefix in prefixes):
                return rank
        return len(self.source_priority)

    def defaults_for(self, source_id: str) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        for prefix, axes in self.source_defaults.items():
            if source_id.startswith(prefix):
                for axis, slugs in axes.items():
                    found[axis] = tuple(dict.fromkeys(found.get(axis, ()) + slugs))
        return found


class TaxonomyError(ValueError):
    """The taxonomy file is inconsistent (unknown slug in a default, missing label …)."""


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    taxonomy = Taxonomy(
        sectors=_rules(data["sectors"]),
        topics=_rules(data["topics"]),
        towns=tuple(data["towns"]),
        town_aliases=MappingProxyType(dict(data.get("town_aliases") or {})),
        ambiguous_towns=frozenset(data.get("ambiguous_towns") or ()),
        county_context=_folded(data.get("county_context")),
        county_passon=_folded(data.get("county_passon")),
        not_relevant=_folded((data.get("not_relevant") or {}).get("parts")),
        business=_folded((data.get("business") or {}).get("parts")),
        source_defaults=MappingProxyType(
            {prefix: {axis: tuple(v) for axis, v in axes.items()} for prefix, axes in data["source_defaults"].items()}
        ),
        source_priority=tuple(tuple(group) for group in data["source_priority"]),
        title_weight=int(data.get("title_weight", 3)),
        lead_chars=int(data.get("lead_chars", 800)),
        min_score=int(data.get("min_score", 3)),
        **_relevance_fields(data),
        version=rules_version(path),
    )
    _check(taxonomy)
    return taxonomy


def rules_version(path: Path = TAXONOMY_FILE) -> str:
    """16 hex digits of a digest over the taxonomy file and the tagging code: changes when either does."""
    digest = hashlib.sha256(path.read_bytes())
    for code in RULE_CODE:
        digest.update(code.read_bytes())
    return digest.hexdigest()[:16]


def _relevance_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    relevance = data.get("relevance") or {}
    return {
        "mask": tuple(str(pattern) for pattern in data.get("mask") or ()),
        "lower_case_verbs": tuple(str(word) for word in data.get("lower_case_verbs") or ()),
        "recipients": _folded(data.get("recipients")),
        "recipient_chars": int(data.get("recipient_chars", 400)),
        "recipient_stops": _folded(data.get("recipient_stops")),
        "business_skip": _folded((data.get("business") or {}).get("skip")),
        "recipient_weight": int(data.get("recipient_weight", 2)),
        "non_business": _folded(relevance.get("non_business")),
        "business_topics": frozenset(relevance.get("business_topics") or ()),
        "checked_topics": frozenset(relevance.get("checked_topics") or ()),
        "checked_topics_long": frozenset(relevance.get("checked_topics_long") or ()),
        "enumeration_sectors": int(data.get("enumeration_sectors", 3)),
        "min_scores": MappingProxyType(dict(data.get("min_scores") or {})),
        "addressee_cues": _folded(data.get("addressee_cues")),
        "addressee_weight": int(data.get("addressee_weight", 1)),
        "teaser_addressee_weight": int(data.get("teaser_addressee_weight", data.get("addressee_weight", 1))),
        "founders_sector": str((data.get("founders") or {}).get("sector", "")),
        "founder_terms": _folded((data.get("founders") or {}).get("terms")),
        "general_addressees": _folded(data.get("general_addressees")),
        "trade_fallback_hits": int((data.get("trade_fallback") or {}).get("hits", 0)),
        "trade_fallback_teaser_hits": int((data.get("trade_fallback") or {}).get("teaser_hits", 0)),
        "trade_fallback_skip": tuple((data.get("trade_fallback") or {}).get("skip") or ()),
        "private": _folded(relevance.get("private")),
        "employees": _folded(relevance.get("employees")),
        "employers": _folded(relevance.get("employers")),
        "public_bodies": _folded(relevance.get("public_bodies")),
        "public_bodies_skip": _folded(relevance.get("public_bodies_skip")),
        "citizen_services": _folded(relevance.get("citizen_services")),
    }


def _folded(values: Any) -> tuple[str, ...]:
    return tuple(fold(str(value)) for value in values or ())


def _rules(section: Mapping[str, Any]) -> tuple[Rule, ...]:
    return tuple(
        Rule(
            slug=slug,
            label=str(body["label"]),
            words=_folded(body.get("words")),
            exact=_folded(body.get("exact")),
            parts=_folded(list(body.get("parts") or ()) + list(body.get("wz_parts") or ())),
            phrases=_folded(body.get("phrases")),
            exclude=_folded(body.get("exclude")),
            wz2008=tuple(body.get("wz2008") or ()),
            title_only=bool(body.get("title_only", False)),
        )
        for slug, body in section.items()
    )


def _check(taxonomy: Taxonomy) -> None:
    problems = []
    for prefix, axes in taxonomy.source_defaults.items():
        for axis, slugs in axes.items():
            unknown = set(slugs) - set(taxonomy.slugs(axis)) if axis in AXES else {axis}
            if unknown:
                problems.append(f"source_defaults {prefix}: unknown {axis} {sorted(unknown)}")
    problems += [f"ambiguous town {t} is no town" for t in taxonomy.ambiguous_towns if t not in taxonomy.towns]
    problems += [f"alias target {t} is no town" for t in taxonomy.town_aliases.values() if t not in taxonomy.towns]
    for name in ("business_topics", "checked_topics", "checked_topics_long"):
        if unknown := set(getattr(taxonomy, name)) - set(taxonomy.slugs("topics")):
            problems.append(f"relevance {name}: unknown topics {sorted(unknown)}")
    if taxonomy.founders_sector and taxonomy.founders_sector not in taxonomy.slugs("sectors"):
        problems.append(f"founders sector {taxonomy.founders_sector} is no sector")
    if unknown := set(taxonomy.trade_fallback_skip) - set(taxonomy.slugs("sectors")):
        problems.append(f"trade_fallback skip: unknown sectors {sorted(unknown)}")
    if problems:
        raise TaxonomyError("; ".join(problems))
