"""Rule-based tagging: sectors, topics and towns of an item, each with its reason, plus relevance.

Text is folded (case, umlauts), masked (a rule's ``exclude`` phrases) and matched by stem (whole words),
by word part (compounds: a part starts or ends a word, or — when long — sits inside it) and by phrase. Only
the title and the lead count, the title ``title_weight`` times; a tag needs ``min_score``. Source defaults
(catalog and taxonomy) add tags to relevant items. Items with no topic, no sector word and no business word
— or with a non-business subject (opening hours, sports, weather) and no topic, or with rules as their only topic
and no business or sector word anywhere in the text (a curfew) — are marked not relevant and get no sector and no topic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from process.deadlines import find_deadline
from process.german import fold, official_title, stem, words
from process.taxonomy import GENERAL_SECTOR, Rule, Taxonomy

_INFLECTION = ("", "s", "e", "n", "en", "es", "er", "ern", "in", "innen")
_LONG_PART = 7
_TOWN_TEXT_CHARS = 6000
_CACHED_WORDS = 50_000  # per rule set or part list: words whose matches are remembered (bounded for long workers)


@dataclass(frozen=True, slots=True)
class Tags:
    sectors: tuple[str, ...]
    topics: tuple[str, ...]
    towns: tuple[str, ...]
    relevant: bool
    reasons: Mapping[str, Mapping[str, str]]  # axis -> slug -> why (German, for staff)
    relevance_reason: str
    expires_at: datetime | None = None
    expires_reason: str | None = None
    suggestions: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # from the classifier


@dataclass(frozen=True, slots=True)
class SourceHints:
    """What the catalog says about the item's source."""

    source_id: str = ""
    sectors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()

    @classmethod
    def of(cls, source_id: str, config: Mapping[str, Any] | None) -> SourceHints:
        """The hints in a source's catalog entry (its ``sectors``, ``topics`` and ``towns``; missing ones empty)."""
        config = config or {}
        return cls(source_id, *(tuple(config.get(key) or ()) for key in ("sectors", "topics", "towns")))


@dataclass(frozen=True, slots=True)
class _Field:
    name: str  # "Titel" | "Text"
    text: str  # folded, single-spaced
    words: tuple[str, ...]
    hits: dict[Rule, list[str]] = field(default_factory=dict)  # rule -> its hits here, filled by _find_hits


def tag_item(title: str, text: str, taxonomy: Taxonomy, hints: SourceHints = SourceHints()) -> Tags:
    """All tags of one item with reasons; pure and deterministic."""
    # what the rules match: title and text with lower-case verbs blanked (same length, same positions)
    matched_title, matched_text = _verbs_blanked(title, text, taxonomy)
    title_f = _field("Titel", _masked_text(matched_title, taxonomy))
    official_f = _field("Langtitel", _masked_text(official_title(matched_text), taxonomy))
    lead_f = _field("Text", _masked_text(lead(matched_text, taxonomy.lead_chars), taxonomy))
    body = _spaced_fold(matched_text)  # folded once: the recipient section and the whole-text check both read it
    recipients_f = _field("Empfänger", _recipients_section(body, taxonomy))
    addressee_f = _field("Adressaten", addressee_text(lead_f.text, taxonomy))
    fields = ((title_f, taxonomy.title_weight), (lead_f, 1), (recipients_f, taxonomy.recipient_weight))
    # a teaser names whom it is for once, in the sentence that says so; a long text names sectors there in passing
    teaser = _teaser(text, taxonomy)
    addressee_weight = taxonomy.teaser_addressee_weight if teaser else taxonomy.addressee_weight
    sector_fields = (*fields, (addressee_f, addressee_weight), (official_f, taxonomy.title_weight))
    sectors = _match_axis(taxonomy.sectors, sector_fields, taxonomy.min_scores.get("sectors", taxonomy.min_score))
    topics = _match_axis(taxonomy.topics, fields[:2], taxonomy.min_scores.get("topics", taxonomy.min_score))
    relevant, why = judge_relevance(title_f, lead_f, recipients_f, sectors, topics, taxonomy, body=body, teaser=teaser)
    if relevant:
        _drop_sector_founders(sectors, taxonomy, (title_f, lead_f, recipients_f, addressee_f))
        _collapse_enumeration(sectors, taxonomy, title_f, (recipients_f, addressee_f))
        _add_defaults(sectors, topics, hints, taxonomy)
        if not sectors:
            sectors.update(_only_trade(taxonomy, (title_f, lead_f), teaser=teaser) or _GENERAL_FALLBACK)
    else:
        sectors, topics = {}, {}
    towns = find_towns(title + "\n" + text[:_TOWN_TEXT_CHARS], taxonomy, hints.towns)
    deadline = find_deadline(title + "\n" + text)
    written = _AsWritten(title + "\n" + text)
    return Tags(
        sectors=_ordered(sectors, taxonomy.slugs("sectors")),
        topics=_ordered(topics, taxonomy.slugs("topics")),
        towns=_ordered(towns, taxonomy.towns),
        relevant=relevant,
        reasons={"sectors": written.all(sectors), "topics": written.all(topics), "towns": written.all(towns)},
        relevance_reason=written(why),
        expires_at=deadline.expires_at if deadline else None,
        expires_reason=f"Frist erkannt: „{deadline.reason}“" if deadline else None,
    )


def _verbs_blanked(title: str, text: str, taxonomy: Taxonomy) -> tuple[str, str]:
    """``title`` and ``text`` with the taxonomy's lower-case verbs ("Maßnahmen zu unternehmen") blanked by as many
    spaces — every position stays where it was — each only if it capitalises its nouns: a feed that writes its
    titles in lower case ("hilfen für unternehmen") says nothing by their case."""
    verbs = taxonomy.lower_case_verbs
    # most texts hold none of them, even inside a word: a substring test spares them the pattern's pass
    if not any(verb in title or verb in text for verb in verbs):
        return title, text
    return _blanked(title, title, verbs), _blanked(text, text[:_CASE_SAMPLE_CHARS], verbs)


def _blanked(field_: str, sample: str, verbs: tuple[str, ...]) -> str:
    blank, found = _lower_case_verbs_re(verbs).subn(_spaces, field_)
    return blank if found and _capitalises_nouns(sample) else field_


def _spaces(found: re.Match[str]) -> str:
    return " " * len(found.group(0))


_CASE_SAMPLE_CHARS = 3000
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_CAPITALISED_SHARE = 0.1  # German prose: about a quarter of its words are capitalised nouns


def _capitalises_nouns(text: str) -> bool:
    """Is ``text`` written with capitalised nouns? A text written all in lower case (a chat, a slogan) is not."""
    found = _LETTER_WORD.findall(text)
    return bool(found) and sum(w[0].isupper() for w in found) >= _CAPITALISED_SHARE * len(found)


@lru_cache(maxsize=8)
def _lower_case_verbs_re(verbs: tuple[str, ...]) -> re.Pattern[str]:
    """The verbs as whole words, written in lower case (case-sensitive), not inside an address ("…/unternehmen").
    Each starts with its first letter and only then looks behind it: a pattern that starts with a look-behind is
    tried at every position, one that starts with a letter only where that letter is (bench/tag_speed.py times
    both)."""
    alternatives = [
        re.escape(verb[0]) + r"(?<![\w/.@-]" + re.escape(verb[0]) + ")" + re.escape(verb[1:]) for verb in verbs
    ]
    return re.compile("(?:" + "|".join(alternatives) + r")(?![\w/@-])")


def _teaser(text: str, taxonomy: Taxonomy) -> bool:
    """A text no longer than the lead: a feed's teaser, a short notice — its few words say little by their absence."""
    return len(text) <= taxonomy.lead_chars


def lead(text: str, chars: int) -> str:
    """The first ``chars`` characters of ``text``, ending at a word boundary: a word cut in two would count as
    a hit of its own ("Gastronomi" beside "Gastronomie")."""
    if len(text) <= chars or not _WORD_GOES_ON.match(text, chars):
        return text[:chars]
    head = text[:chars]
    space = _LAST_SPACE.search(head)
    return head[: space.start()] if space and space.start() > 0 else head


_WORD_GOES_ON = re.compile(r"\w|-\w")  # also a compound's hyphen ("Online-|Shop")
_LAST_SPACE = re.compile(r"\s\S*$")


class _AsWritten:
    """Reasons with each quoted hit spelled as the text spells it: matching runs on folded text
    ("„ueberbrueckungshilfe“"), staff read the original ("„Überbrückungshilfe“"). A hit the text does not
    spell in a way folding explains (other accents) stays folded."""

    _QUOTED = re.compile(r"„([^“]+)“")

    def __init__(self, raw: str) -> None:
        self._raw = raw
        self._head = raw[:_HEAD_CHARS]  # most hits are in the title and the lead: look there first
        self._spelled: dict[str, str] = {}

    def __call__(self, reason: str) -> str:
        return self._QUOTED.sub(lambda quoted: f"„{self._spelling(quoted.group(1))}“", reason)

    def all(self, reasons: Mapping[str, str]) -> dict[str, str]:
        return {slug: self(why) for slug, why in reasons.items()}

    def _spelling(self, folded: str) -> str:
        if folded not in self._spelled:
            pattern = _unfolded_re(folded)
            found = pattern.search(self._head) or pattern.search(self._raw)
            self._spelled[folded] = found.group(0) if found else folded
        return self._spelled[folded]


_HEAD_CHARS = 2000
_UNFOLD = {"ae": "(?:ae|ä)", "oe": "(?:oe|ö)", "ue": "(?:ue|ü)", "ss": "(?:ss|ß)"}


@lru_cache(maxsize=4096)
def _unfolded_re(folded: str) -> re.Pattern[str]:
    """The whole words (or phrase) ``folded`` stands for, in any case, umlauts and ß written either way."""
    pattern, i = [], 0
    while i < len(folded):
        if folded[i : i + 2] in _UNFOLD:
            pattern.append(_UNFOLD[folded[i : i + 2]])
            i += 2
            continue
        pattern.append(r"\s+" if folded[i] == " " else re.escape(folded[i]))
        i += 1
    # a word's trailing hyphen is not part of it ("Ausbildungs- und Fachkräfte" → "ausbildungs")
    return re.compile(r"(?<![\w-])" + "".join(pattern) + r"(?!\w|-\w)", re.IGNORECASE)


def _masked_text(raw: str, taxonomy: Taxonomy) -> str:
    """Folded text with the taxonomy's masks blanked (ministry names: "… für Wirtschaft, Arbeit und Verkehr")."""
    return _masked_fold(_spaced_fold(raw), taxonomy)


def _spaced_fold(raw: str) -> str:
    """``raw`` folded, its whitespace runs made single spaces: the text every match runs on."""
    return " ".join(fold(raw).split())


def _masked_fold(folded: str, taxonomy: Taxonomy) -> str:
    """Folded, single-spaced text with the taxonomy's masks blanked."""
    pattern = _mask_re(taxonomy.mask)
    return pattern.sub(" ", folded) if pattern is not None else folded


@lru_cache(maxsize=8)
def _mask_re(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def addressee_text(lead: str, taxonomy: Taxonomy) -> str:
    """The lead's sentences that say who may apply or is meant ("Unternehmen aus Industrie und Handwerk können
    …"): a sector named there is an addressee, not a sector mentioned in passing."""
    if not taxonomy.addressee_cues:
        return ""
    sentences = re.split(r"(?<=[.!?;])\s+", lead)
    pattern = _recipients_re(taxonomy.addressee_cues)
    return " ".join(s for s in sentences if pattern.search(s))


def recipients_text(text: str, taxonomy: Taxonomy) -> str:
    """The recipient section of a funding regulation ("Zuwendungsempfänger sind …"), which says whom a
    measure is for better than any other part — wherever it stands in the text; empty when there is none."""
    return _recipients_section(_spaced_fold(text), taxonomy)


def _recipients_section(folded: str, taxonomy: Taxonomy) -> str:
    """:func:`recipients_text` of a text already folded and single-spaced."""
    if not taxonomy.recipients:
        return ""
    match = _recipients_re(taxonomy.recipients).search(folded)
    if match is None:
        return ""
    window = lead(folded[match.end() : match.end() + taxonomy.recipient_chars + 1], taxonomy.recipient_chars)
    # the section ends at the next heading or where it turns to whom it excludes ("ausgeschlossen sind …")
    window = _stops_re(taxonomy.recipient_stops).split(window, maxsplit=1)[0]
    return _masked_fold(window, taxonomy)


@lru_cache(maxsize=8)
def _stops_re(stops: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(["##", *(re.escape(stop) for stop in stops)]))


@lru_cache(maxsize=8)
def _recipients_re(markers: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(m) for m in markers))


def _field(name: str, folded: str) -> _Field:
    found = tuple(words(folded))
    return _Field(name, folded, found)


def _ordered(found: Mapping[str, str], order: Sequence[str]) -> tuple[str, ...]:
    return tuple(slug for slug in order if slug in found)


def _match_axis(rules: Sequence[Rule], fields: Sequence[tuple[_Field, int]], min_score: int) -> dict[str, str]:
    """Score = weight × distinct hits per field (the lead counts repeats, up to 3 per term)."""
    found: dict[str, str] = {}
    for field_, _ in fields:
        _find_hits(tuple(rules), field_)
    for rule in rules:
        score, shown = 0, []
        for field_, weight in fields:
            if not field_.text or (rule.title_only and field_.name in ("Text", "Adressaten")):
                continue
            hits = rule_hits(rule, field_)
            distinct = len(set(hits))
            score += weight * distinct if weight != 1 else min(len(hits), 3 * distinct)
            shown.append((field_.name, hits))
        if score >= min_score:
            found[rule.slug] = _reason(rule, shown)
    return found


def _reason(rule: Rule, shown: list[tuple[str, list[str]]]) -> str:
    parts = []
    for where, hits in shown:
        if hits:
            counted = {hit: hits.count(hit) for hit in dict.fromkeys(hits)}
            listed = ", ".join(f"„{hit}“" + (f" ×{n}" if n > 1 else "") for hit, n in list(counted.items())[:4])
            parts.append(f"{where}: {listed}")
    return f"Regel {rule.slug} — " + "; ".join(parts)


def rule_hits(rule: Rule, field_: _Field) -> list[str]:
    """The words of ``field_`` (one entry per occurrence) that match ``rule``, after its exclusions."""
    if rule not in field_.hits:
        _find_hits((rule,), field_)
    return field_.hits[rule]


def _find_hits(rules: tuple[Rule, ...], field_: _Field) -> None:
    """Record in ``field_.hits`` what each of ``rules`` finds there: one pass over the words for all rules (each
    word's matching rules remembered per rule set), phrases only where one of them occurs at all."""
    index = _rules_by_word(rules)
    if len(index) > _CACHED_WORDS:
        index.clear()
    found: dict[Rule, list[str]] = {rule: [] for rule in rules}
    for w in field_.words:
        matched = index.get(w)
        if matched is None:
            matched = index[w] = tuple(rule for rule in rules if _word_matches(rule, w))
        for rule in matched:
            found[rule].append(w)
    phrases = _all_phrases(rules)
    any_phrase = bool(phrases) and _any_phrase_re(phrases).search(field_.text) is not None
    for rule, hits in found.items():
        if rule in field_.hits:
            continue
        if rule.exclude and any(phrase in field_.text for phrase in rule.exclude):
            masked = _masked(field_, rule.exclude)
            _find_hits((rule,), masked)
            field_.hits[rule] = masked.hits[rule]
            continue
        if any_phrase:
            hits += [p for p in rule.phrases + _spaced_parts(rule) if _phrase_re(p).search(field_.text)]
        field_.hits[rule] = hits


@lru_cache(maxsize=64)
def _rules_by_word(rules: tuple[Rule, ...]) -> dict[str, tuple[Rule, ...]]:
    """Per rule set: word -> the rules it matches (a dict, bounded by ``_CACHED_WORDS``)."""
    return {}


@lru_cache(maxsize=64)
def _all_phrases(rules: tuple[Rule, ...]) -> tuple[str, ...]:
    return tuple(p for rule in rules for p in rule.phrases + _spaced_parts(rule))


def _masked(field_: _Field, phrases: tuple[str, ...]) -> _Field:
    text = field_.text
    for phrase in phrases:
        text = text.replace(phrase, " ")
    return _Field(field_.name, text, tuple(words(text)))


def _word_matches(rule: Rule, word: str) -> bool:
    if stem(word) in _rule_stems(rule) or word in _exact_forms(rule):
        return True
    pattern = _parts_re(rule)
    return pattern is not None and any(pattern.search(piece) for piece in (word, *word.split("-")))


@lru_cache(maxsize=64)
def _rule_stems(rule: Rule) -> frozenset[str]:
    return frozenset(stem(w) for w in rule.words)


@lru_cache(maxsize=64)
def _exact_forms(rule: Rule) -> frozenset[str]:
    """A rule's ``exact`` words with their inflection endings ("Meister", "Meistern"), not by stem: the stem of
    "Meister" is that of "meisten", of "Gründer" that of "Grund", of "Bauern" that of "Bau"."""
    return frozenset(w + ending for w in rule.exact for ending in _INFLECTION)


@lru_cache(maxsize=64)
def _spaced_parts(rule: Rule) -> tuple[str, ...]:
    return tuple(part for part in rule.parts if " " in part)


@lru_cache(maxsize=64)
def _parts_re(rule: Rule) -> re.Pattern[str] | None:
    return _compound_re(tuple(part for part in rule.parts if " " not in part))


@lru_cache(maxsize=4096)  # one per rule, and one per single part (_part_in): the relevance lists hold hundreds
def _compound_re(parts: tuple[str, ...]) -> re.Pattern[str] | None:
    """A compound element: starts the word, ends it (with an inflection), or — if long — sits inside."""
    if not parts:
        return None
    alternatives = "|".join(re.escape(p) for p in parts)
    suffixes = "|".join(s for s in _INFLECTION if s)
    forms = [f"^(?:{alternatives})", f"(?:{alternatives})(?:{suffixes})?$"]
    long_parts = [re.escape(p) for p in parts if len(p) >= _LONG_PART]
    if long_parts:
        forms.append("(?:" + "|".join(long_parts) + ")")
    return re.compile("|".join(forms))


@lru_cache(maxsize=400_000)
def _part_in(part: str, word: str) -> bool:
    pattern = _compound_re((part,))
    return pattern is not None and pattern.search(word) is not None


@lru_cache(maxsize=4096)
def _phrase_re(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])")


@lru_cache(maxsize=256)
def _any_phrase_re(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z0-9])")


def judge_relevance(
    title: _Field,
    lead: _Field,
    recipients: _Field,
    sectors: dict[str, str],
    topics: dict[str, str],
    tax: Taxonomy,
    *,
    body: str,
    teaser: bool,
) -> tuple[bool, str]:
    """Is the item for businesses? Addressees decide, not subjects: a funding regulation for municipalities
    is no business news although it is about funding. ``body``: the whole text, folded and single-spaced, read
    only when a checked topic (rules) is the only evidence; ``teaser``: the text is no longer than the lead."""
    business_title = _business_found(tax, title)
    business = business_title + _business_found(tax, lead)
    # "Steuerbonus" marks a household's page, not "Hotels und Gaststätten bangen um Steuerbonus"
    private = [] if business else _parts_found(tax.private, title, lead)
    if private and not recipients.text:
        return False, f"nicht wirtschaftsrelevant: richtet sich an Privatpersonen ({_quoted(private, title, lead)})"
    # a page that speaks to its reader as an employee or job seeker, not as an employer
    if not business_title and not recipients.text and (staff := _parts_found(tax.employees, title, lead)):
        if not _parts_found(tax.employers, title, lead):
            return False, f"nicht wirtschaftsrelevant: richtet sich an Beschäftigte ({_quoted(staff, title, lead)})"
    if not topics and not business_title and (off := _parts_found(tax.not_relevant, title)):
        return False, f"nicht wirtschaftsrelevant: Thema {_quoted(off[:1], title)} im Titel, kein Wirtschaftsthema"
    if recipients.text:
        if found := _business_found(tax, recipients):
            return True, "Empfänger sind Unternehmen: " + _quoted(found, recipients, skip=tax.business_skip)
        if others := _parts_found(tax.non_business, recipients):
            return False, "nicht wirtschaftsrelevant: Empfänger sind " + _quoted(others, recipients)
    if not business_title and (public := _parts_found(tax.public_bodies, title, skip=tax.public_bodies_skip)):
        return False, "nicht wirtschaftsrelevant: Titel nennt als Adressaten " + _quoted(public, title)
    if not business_title and (service := _parts_found(tax.citizen_services, title)):
        return False, "nicht wirtschaftsrelevant: Titel nennt eine Leistung für Bürger " + _quoted(service, title)
    if strong := [t for t in topics if t in tax.business_topics]:
        return True, "Wirtschaftsthema erkannt: " + _labels(tax, "topics", strong)
    if business or sectors:
        shown = [f"Branche {tax.label('sectors', s)}" for s in sectors][:3]
        if business and len(shown) < 3:
            shown.append(_quoted(business, title, lead, most=3 - len(shown), skip=tax.business_skip))
        return True, "Unternehmensbezug: " + ", ".join(shown)
    if others := _parts_found(tax.non_business, title, lead):
        return False, "nicht wirtschaftsrelevant: richtet sich an " + _quoted(others, title, lead)
    checked = tax.checked_topics | (frozenset() if teaser else tax.checked_topics_long)
    if set(topics) - checked:
        return True, "Wirtschaftsthema erkannt: " + _labels(tax, "topics", topics)
    if topics:  # rules alone: a curfew regulates citizens — business news only where the text names firms or a trade
        whole = _field("Text", _masked_fold(body, tax))
        # firms anywhere; a trade only at the top — deep in a long text one is named in passing ("Musik" among a
        # school's afternoon clubs, "Verkehr" in the name of an authority)
        if found := _business_found(tax, whole) or _trades_named(tax, title, lead):
            example = _quoted(found[:1], title, lead, whole)
            return True, f"Wirtschaftsthema erkannt: {_labels(tax, 'topics', topics)}, laut Text auch für {example}"
        return (
            False,
            f"nicht wirtschaftsrelevant: {_labels(tax, 'topics', topics)}, im ganzen Text kein Unternehmensbezug",
        )
    return False, "nicht wirtschaftsrelevant: kein Wirtschaftsthema, keine Branche, kein Unternehmensbezug"


def _trades_named(tax: Taxonomy, *fields: _Field) -> list[str]:
    """The words of ``fields`` that name a specific sector (a trade), field by field."""
    return [hit for field_ in fields for rule in _trade_rules(tax) for hit in rule_hits(rule, field_)]


@lru_cache(maxsize=8)
def _general_rule(taxonomy: Taxonomy) -> Rule:
    """The rule of ``alle-branchen`` (businesses in general)."""
    return next(rule for rule in taxonomy.sectors if rule.slug == GENERAL_SECTOR)


@lru_cache(maxsize=8)
def _trade_rules(taxonomy: Taxonomy) -> tuple[Rule, ...]:
    """The rules of the specific sectors (every sector but ``alle-branchen``)."""
    return tuple(rule for rule in taxonomy.sectors if rule.slug != GENERAL_SECTOR)


def _quoted(parts: Sequence[str], *fields: _Field, most: int = 3, skip: tuple[str, ...] = ()) -> str:
    """The first ``most`` of ``parts`` as staff read them: each as the first word of ``fields`` it was found in
    ("unternehm" → „unternehmen“, spelled as written once the reasons are done), quoted."""
    shown = []
    for part in parts[:most]:
        found = (w for f in fields for w in f.words if _part_in(part, w) and not any(s in w for s in skip))
        shown.append(f"„{part if ' ' in part else next(found, part)}“")
    return ", ".join(shown)


def _business_found(tax: Taxonomy, *fields: _Field) -> list[str]:
    """Business parts in ``fields``, not counting words that name no addressee: the Gewerbesteuer is the
    municipalities' revenue, not a sign that businesses are addressed."""
    return _parts_found(tax.business, *fields, skip=tax.business_skip)


def _parts_found(parts: tuple[str, ...], *fields: _Field, skip: tuple[str, ...] = ()) -> list[str]:
    """The ``parts`` (in their order) that some word of ``fields`` contains, or — spaced ones — some text."""
    known = _parts_by_word(parts)
    if len(known) > _CACHED_WORDS:
        known.clear()
    single: set[str] = set()
    for w in _distinct_words(fields):
        matched = known.get(w)
        if matched is None:
            matched = known[w] = frozenset(p for p in parts if " " not in p and _part_in(p, w))
        if matched and not any(s in w for s in skip):  # most words match nothing: no need to test the skips
            single |= matched
    spaced = _spaced(parts)
    # the spaced parts one by one only where one of them occurs at all (one search per field)
    phrase_here = bool(spaced) and any(_any_phrase_re(spaced).search(f.text) for f in fields)
    found = []
    for part in parts:
        if " " in part:
            if phrase_here and any(_phrase_re(part).search(f.text) for f in fields):
                found.append(part)
        elif part in single:
            found.append(part)
    return found


@lru_cache(maxsize=64)
def _spaced(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in parts if " " in p)


@lru_cache(maxsize=64)
def _parts_by_word(parts: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Per list of parts: word -> the parts it contains."""
    return {}


def _distinct_words(fields: tuple[_Field, ...]) -> set[str]:
    return {w for f in fields for w in f.words}


def _drop_sector_founders(sectors: dict[str, str], taxonomy: Taxonomy, fields: tuple[_Field, ...]) -> None:
    """Founders of a named sector ("Existenzgründung in der Landwirtschaft") belong to that sector: the founders'
    sector (Soloselbstständige) is dropped when founder terms are its only evidence and another sector is named."""
    slug, prefixes = taxonomy.founders_sector, taxonomy.founder_terms
    if slug not in sectors or not prefixes or not any(s not in (slug, GENERAL_SECTOR) for s in sectors):
        return
    rule = next(r for r in taxonomy.sectors if r.slug == slug)
    hits = [hit for f in fields if f.text for hit in rule_hits(rule, f)]
    if hits and all(hit.startswith(prefixes) for hit in hits):
        del sectors[slug]


def _collapse_enumeration(
    sectors: dict[str, str], taxonomy: Taxonomy, title: _Field, addressees: tuple[_Field, ...] = ()
) -> None:
    """A text naming many sectors ("Handwerk, Handel, Dienstleistungen und freie Berufe") addresses businesses
    in general: it gets ``alle-branchen`` instead of each enumerated sector. Sectors named among the recipients
    or addressees count even below the tagging minimum — an enumeration names each only once — and so does a group
    named beside businesses in general there. ``alle-branchen`` stands next to specific sectors only when it is
    firm: named in the title, or businesses in general are among the addressees; "KMU" among one sector's
    recipients ("KMU der Landwirtschaft") is no general measure."""
    firm = GENERAL_SECTOR in sectors and bool(title.text and rule_hits(_general_rule(taxonomy), title))
    # whole words: "Nahverkehrsunternehmen, Verkehrsverbünde …" names transport firms, not businesses in general
    general = [(f, p) for f in addressees if f.text and (p := _general_addressee(f.text, taxonomy))]
    if general:
        phrase = general[0][1]
        sectors.setdefault(GENERAL_SECTOR, f"Adressaten: „{phrase}“ — Unternehmen allgemein neben anderen genannt")
        firm = True
        _add_named_beside(sectors, taxonomy, [f for f, _ in general])
    for field_ in addressees:
        named = [r.slug for r in _trade_rules(taxonomy) if field_.text and rule_hits(r, field_)]
        if len(named) >= taxonomy.enumeration_sectors:
            for slug in named:
                sectors.pop(slug, None)
            listed = _labels(taxonomy, "sectors", named)
            sectors[GENERAL_SECTOR] = f"{field_.name} zählen viele Branchen auf ({listed}): Unternehmen allgemein"
            firm = True
    specific = [slug for slug in sectors if slug != GENERAL_SECTOR]
    if specific and GENERAL_SECTOR in sectors and not firm:
        del sectors[GENERAL_SECTOR]
    if len(specific) >= taxonomy.enumeration_sectors:
        for slug in specific:
            del sectors[slug]
        sectors[GENERAL_SECTOR] = (
            f"Aufzählung vieler Branchen ({_labels(taxonomy, 'sectors', specific)}): Unternehmen allgemein"
        )


def _general_addressee(text: str, taxonomy: Taxonomy) -> str | None:
    """The first of the taxonomy's phrases for businesses in general among addressees ("Unternehmen, …") in
    ``text``, as whole words; None if there is none."""
    return next((p for p in taxonomy.general_addressees if _general_re(p).search(text)), None)


def _add_named_beside(sectors: dict[str, str], taxonomy: Taxonomy, fields: Sequence[_Field]) -> None:
    """ "Unternehmen und Selbstständige können … beantragen": a group named in an addressee field that names
    businesses in general (``fields``) is an addressee of its own, even named once. Founders are not such a group
    ("Betriebe und Existenzgründungen" are businesses at any stage)."""
    for field_ in fields:
        for rule in _trade_rules(taxonomy):
            if rule.slug in sectors:
                continue
            if hits := [hit for hit in rule_hits(rule, field_) if not hit.startswith(taxonomy.founder_terms)]:
                named = ", ".join(f"„{hit}“" for hit in dict.fromkeys(hits))
                sectors[rule.slug] = f"{field_.name}: {named} neben Unternehmen allgemein genannt"


def _labels(taxonomy: Taxonomy, axis: str, slugs: Iterable[str]) -> str:
    """The German labels of ``slugs`` on ``axis``, as the reasons list them."""
    return ", ".join(taxonomy.label(axis, slug) for slug in slugs)


@lru_cache(maxsize=64)
def _general_re(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9-])" + re.escape(phrase))


def _add_defaults(sectors: dict[str, str], topics: dict[str, str], hints: SourceHints, taxonomy: Taxonomy) -> None:
    defaults = taxonomy.defaults_for(hints.source_id)
    specific = any(slug != GENERAL_SECTOR for slug in sectors)
    for slug in dict.fromkeys(hints.sectors + defaults.get("sectors", ())):
        if slug == GENERAL_SECTOR and specific:
            continue  # a chamber's "alle Branchen" default yields to the sectors its text names
        sectors.setdefault(slug, f"Vorgabe der Quelle {hints.source_id}")
    for slug in dict.fromkeys(hints.topics + defaults.get("topics", ())):
        topics.setdefault(slug, f"Vorgabe der Quelle {hints.source_id}")


_GENERAL_FALLBACK = {GENERAL_SECTOR: "relevant, aber keine bestimmte Branche genannt: gilt für Unternehmen allgemein"}


def _only_trade(taxonomy: Taxonomy, fields: Sequence[_Field], *, teaser: bool = False) -> dict[str, str]:
    """The sector of a relevant item in which no sector reached the minimum but one trade is named more often
    (at least ``trade_fallback_hits`` times in title and lead, ``trade_fallback_teaser_hits`` in a ``teaser``) than
    any other, and businesses in general are not named there: a news item on taxi drivers that names "Taxi" twice
    is theirs, not one for businesses in general. Groups that are no trade (``trade_fallback_skip``: the
    self-employed, founders) are not counted — every business page names them."""
    if not taxonomy.trade_fallback_hits:  # switched off
        return {}
    least = (teaser and taxonomy.trade_fallback_teaser_hits) or taxonomy.trade_fallback_hits
    if any(field_.text and rule_hits(_general_rule(taxonomy), field_) for field_ in fields):
        return {}  # it speaks of businesses in general ("Unternehmen", "Betriebe"): a trade is one example
    named = []
    for rule in _trade_rules(taxonomy):
        if rule.slug not in taxonomy.trade_fallback_skip:
            if hits := [hit for field_ in fields if field_.text for hit in rule_hits(rule, field_)]:
                named.append((len(hits), rule.slug, hits))
    named.sort(key=lambda entry: entry[0], reverse=True)
    if not named or named[0][0] < least or (len(named) > 1 and named[1][0] == named[0][0]):
        return {}
    count, slug, hits = named[0]
    shown = ", ".join(f"„{hit}“" for hit in dict.fromkeys(hits))
    how = "einzige mehrfach genannte Branche" if count > 1 else "einzige genannte Branche einer Kurzmeldung"
    return {slug: f"{how} ({count}×: {shown}), sonst keine Branche sicher erkannt"}


def find_towns(text: str, taxonomy: Taxonomy, source_towns: Sequence[str] = ()) -> dict[str, str]:
    """Municipalities named in ``text`` (ambiguous names only with county context), plus the source's own
    town unless the text only passes on a county text without naming that town."""
    folded = " ".join(fold(text).split())
    named = {}
    for town, (bases, pattern) in _town_patterns(taxonomy).items():
        if any(base in folded for base in bases) and (match := pattern.search(folded)):  # substring test first
            named[town] = match.group(0)
    anchored = any(t not in taxonomy.ambiguous_towns for t in named) or bool(
        named and taxonomy.county_context and _any_phrase_re(taxonomy.county_context).search(folded)
    )
    found = {
        town: f"im Text genannt: „{word}“"
        for town, word in named.items()
        if town not in taxonomy.ambiguous_towns or anchored
    }
    missing = [town for town in source_towns if town not in found]
    # the town's page only forwards a county text ("… Landratsamt Mittelsachsen …"): not the town's own item
    if missing and not (taxonomy.county_passon and _any_phrase_re(taxonomy.county_passon).search(folded)):
        for town in missing:
            found[town] = "Ort der Quelle"
    return found


@lru_cache(maxsize=4)
def _town_patterns(taxonomy: Taxonomy) -> dict[str, tuple[tuple[str, ...], re.Pattern[str]]]:
    names: dict[str, list[str]] = {town: [town] for town in taxonomy.towns}
    for alias, town in taxonomy.town_aliases.items():
        names[town].append(alias)
    patterns = {}
    for town, spellings in names.items():
        bases = sorted({fold(s.split("/")[0]) for s in spellings}, key=len, reverse=True)
        alternatives = "|".join(re.escape(b) for b in bases)
        patterns[town] = (tuple(bases), re.compile(rf"(?<![a-z0-9-])(?:{alternatives})(?:er|ern|s)?(?![a-z0-9])"))
    return patterns
