"""Near-duplicate detection: fingerprints with index keys for candidates, and a conservative verifier.

Candidates come from keys an index can look up (so a new item is never compared with the whole store):
MinHash LSH band hashes (datasketch MinHash over word 3-shingles; ``BANDS`` × ``ROWS``), the exact normalized
text, the canonical URL, and the opening words of the body (a teaser is the start of its full text).
The verifier then decides on the texts themselves, boilerplate stripped first: identical → duplicate;
similar enough for their length (Jaccard) or a real teaser of the other (containment) → duplicate; two
versions of one regulation — similar text, or the same official title with the dates removed, however much the
text was rewritten — → ``version`` (linked, never merged). Texts under ``MIN_WORDS`` words never merge
by text: an empty, one-line or boilerplate-only item has nothing to compare.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from datasketch import MinHash

from process.german import fold, official_title, words

NUM_PERM = 128
BANDS, ROWS = 32, 4  # candidate threshold ≈ (1/32)^(1/4) ≈ 0.42 Jaccard: versions must be found too
SHINGLE = 3
MIN_WORDS = 12
MAX_WORDS = 20_000  # a 1 MB text is compared on its first 20,000 words
LEAD_WORDS = 12
_SEED = 17

Verdict = Literal["duplicate", "version", "different"]

# Lines that are site furniture, not the message: stripped before shingling and comparing.
_BOILERPLATE_LINE = re.compile(
    r"^\s*(?:teilen|drucken|nach oben|zur(?:ü|ue)ck|seite drucken|share|tweet|cookie|datenschutz|impressum|"
    r"barrierefreiheit|newsletter|kontakt|footer|navigation|inhalt(?:sverzeichnis)?|startseite|"
    r"mehr (?:erfahren|lesen|informationen)|weiterlesen|bild:|foto:|quelle:|©|\(c\)|copyright|"
    r"stand:|aktualisiert|veröffentlicht am|artikel (?:teilen|drucken))\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
# A footer block (press contact, "about us") runs from its heading to the end of the text.
_FOOTER = re.compile(
    r"\n\s*(?:pressekontakt|medienkontakt|ansprechpartner(?:in)?|über (?:die|den|das|uns)|hintergrund:|"
    r"kontakt für (?:journalisten|medien)|für rückfragen|v\.i\.s\.d\.p|herausgeber:)\b.*\Z",
    re.IGNORECASE | re.DOTALL,
)
_REGULATION = re.compile(
    r"verordnung|allgemeinverf(?:ü|ue)gung|richtlinie|satzung|gesetz\b|coronaschvo|anordnung|bekanntmachung",
    re.IGNORECASE,
)


# Dates in a legal text's title ("vom 11. Dezember 2020", "vom 04.05.2021", "ab 10. Mai 2021"): a new version
# of the same text differs there and nowhere else in its name.
_MONTHS = "januar|februar|maerz|märz|april|mai|juni|juli|august|september|oktober|november|dezember"
_TITLE_DATE = re.compile(
    rf"\b(?:vom|ab|bis|zum)?\s*\d{{1,2}}\.\s*(?:\d{{1,2}}\.|(?:{_MONTHS})\b)(?:\s*\d{{2,4}}\b)?|\b(?:19|20)\d{{2}}\b",
    re.IGNORECASE,
)
# A legal title names one text only when it is specific: "Allgemeinverfügung des Landkreises" or "Bekanntmachung
# der Stadt" name many. Specific: two words that are not among these, or one long one ("Corona-Schutz-Verordnung").
_GENERIC_TITLE_WORDS = frozenset(
    "verordnung allgemeinverfuegung bekanntmachung satzung richtlinie foerderrichtlinie gesetz anordnung "
    "verwaltungsvorschrift amtliche oeffentliche neue neuen nr der des die das dem den zur zum ueber fuer von vom "
    "und im in ab hier stadt gemeinde landkreis landkreises landratsamt landratsamtes mittelsachsen freistaat "
    "freistaates sachsen saechsische saechsischen saechsisches staatsministerium staatsministeriums".split()
)
_SPECIFIC_WORD_CHARS = 12
LEGAL_TITLE_BAND = -4


@dataclass(frozen=True, slots=True)
class Fingerprint:
    words: tuple[str, ...]  # folded body words, boilerplate stripped, capped at MAX_WORDS
    shingles: frozenset[int]
    keys: tuple[tuple[int, str], ...]  # (band, hash) for the index; band -1 text, -2 URL, -3 lead, -4 legal title
    regulation: bool
    legal_title: str = ""  # a regulation's name without its dates ("" if not a regulation or too generic)
    site: str = ""  # the host the item comes from (without "www."); versions by name only within one site


def strip_boilerplate(text: str) -> str:
    """The message without furniture lines and trailing contact/about blocks."""
    body = _FOOTER.sub("", "\n" + text)
    return _BOILERPLATE_LINE.sub("", body).strip()


def fingerprint(title: str, text: str, url: str | None = None) -> Fingerprint:
    body = tuple(words(fold(strip_boilerplate(text))))[:MAX_WORDS]
    shingles = _shingles(body)
    keys: list[tuple[int, str]] = []
    if url:
        keys.append((-2, _digest(url)))
    if len(body) >= MIN_WORDS:
        keys.append((-1, _digest(" ".join(body))))
        keys.append((-3, _digest(" ".join(body[:LEAD_WORDS]))))
        keys += _band_keys(shingles)
    named = legal_name(title, text)
    site = _site(url)
    if named:  # per site: two towns' "Allgemeinverfügung zur Corona-Pandemie" are not versions of each other
        keys.append((LEGAL_TITLE_BAND, _digest(f"{site}|{named}")))
    return Fingerprint(body, shingles, tuple(keys), bool(_REGULATION.search(title)), named, site)


def _site(url: str | None) -> str:
    host = urlsplit(url).netloc.lower() if url else ""
    return host.removeprefix("www.")


def legal_name(title: str, text: str) -> str:
    """The name a regulation's versions share (``legal_title`` of its title, or else of the official title its
    text opens with); "" for anything that is not a regulation or has no specific name. Cheap: no shingles."""
    if not _REGULATION.search(title):
        return ""
    return legal_title(title) or legal_title(official_title(text.lstrip().lstrip("#* \t")))


def legal_title(title: str) -> str:
    """The name of a legal text as its versions share it: folded, dates removed ("Sächsische
    Corona-Schutz-Verordnung vom 11. Dezember 2020" and "… vom 4. Mai 2021" → the same); "" when too short to
    name one text. Taken from the item's title, or else from the official title the text opens with (a heading
    "Verordnung des … (Sächsische Corona-Schutz-Verordnung – SächsCoronaSchVO)" under a short title)."""
    name = words(fold(_TITLE_DATE.sub(" ", title)))
    own = [w for w in name if w not in _GENERIC_TITLE_WORDS and not w.isdigit()]
    return " ".join(name) if len(own) >= 2 or any(len(w) >= _SPECIFIC_WORD_CHARS for w in own) else ""


def _shingles(body: tuple[str, ...]) -> frozenset[int]:
    if len(body) < SHINGLE:
        return frozenset()
    return frozenset(
        int.from_bytes(hashlib.blake2b(" ".join(body[i : i + SHINGLE]).encode(), digest_size=8).digest(), "big")
        for i in range(len(body) - SHINGLE + 1)
    )


def _band_keys(shingles: frozenset[int]) -> list[tuple[int, str]]:
    minhash = _blank_minhash().copy()  # the permutations drawn once per process, not once per text
    minhash.update_batch([value.to_bytes(8, "big") for value in shingles])
    values = minhash.hashvalues
    return [(band, _digest(values[band * ROWS : (band + 1) * ROWS].tobytes())) for band in range(BANDS)]


@lru_cache(maxsize=1)
def _blank_minhash() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=_SEED)


def _digest(value: str | bytes) -> str:
    data = value.encode() if isinstance(value, str) else value
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(small: frozenset[int], large: frozenset[int]) -> float:
    if not small:
        return 0.0
    return len(small & large) / len(small)


def jaccard_threshold(shorter_words: int) -> float:
    """Short texts must be nearly identical; long ones may differ in more places (edits, headers)."""
    if shorter_words < 40:
        return 0.8
    if shorter_words < 300:
        return 0.6
    return 0.55


def verify(a: Fingerprint, b: Fingerprint, *, same_url: bool = False) -> tuple[Verdict, str]:
    """Decide on one candidate pair; the reason is shown to staff."""
    if same_url:
        return "duplicate", "gleiche Adresse"
    short, long_ = sorted((a, b), key=lambda f: len(f.words))
    if len(short.words) < MIN_WORDS:
        return "different", "zu wenig Text zum Vergleichen"
    if a.words == b.words:
        return "duplicate", "gleicher Text"
    sim = jaccard(a.shingles, b.shingles)
    if (a.regulation or b.regulation) and sim >= 0.3:
        return "version", f"Fassungen desselben Rechtstextes (Ähnlichkeit {_de(sim)})"
    if sim >= jaccard_threshold(len(short.words)):
        return "duplicate", f"nahezu gleicher Text (Ähnlichkeit {_de(sim)})"
    contained = containment(short.shingles, long_.shingles)
    if len(short.shingles) >= 20 and contained >= 0.9 and short.words[:LEAD_WORDS] == long_.words[:LEAD_WORDS]:
        return "duplicate", f"Anreißer des längeren Textes ({contained * 100:.0f} % enthalten)"
    if a.legal_title and (a.legal_title, a.site) == (b.legal_title, b.site):  # rewritten, same official name
        return "version", f"Fassungen desselben Rechtstextes: gleicher amtlicher Titel (Ähnlichkeit {_de(sim)})"
    return "different", f"verschieden (Ähnlichkeit {_de(sim)})"


def _de(value: float) -> str:
    """A similarity as staff read it: "0,42" (German decimal comma)."""
    return f"{value:.2f}".replace(".", ",")
