"""Tag suggestions learnt from staff-reviewed items: one Bernoulli naive Bayes per tag over stemmed words.

Deliberately small and explainable: it only *suggests* tags (with a confidence) next to the rule tags; staff
decide. Trained on the corrections staff recorded; ``evaluate`` in the eval command compares it with the
rules alone on held-out folds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from process.german import fold, stem, words

MIN_EXAMPLES = 5  # per tag: below this a tag is never suggested
LEAD_CHARS = 2500
_STOP_WORDS = (
    "der die das und oder in im zu zum zur von für mit auf an bei des den dem ein eine einer eines ist sind wird "
    "werden wurde nicht auch als aus nach sich es sie wir ihr"
)
_STOP = frozenset(fold(w) for w in _STOP_WORDS.split())


@dataclass(frozen=True, slots=True)
class Example:
    title: str
    text: str
    labels: frozenset[str]  # "sectors:handwerk", "topics:kredite-buergschaften", …


def features(title: str, text: str) -> frozenset[str]:
    """Stemmed words of title (marked) and lead; a set: presence, not counts."""
    title_stems = {"t:" + stem(w) for w in words(fold(title)) if w not in _STOP}
    lead_stems = {stem(w) for w in words(fold(text[:LEAD_CHARS])) if w not in _STOP and len(w) > 2}
    return frozenset(title_stems | lead_stems)


@dataclass(frozen=True, slots=True)
class Model:
    priors: Mapping[str, float]  # label -> P(label)
    present: Mapping[str, Mapping[str, float]]  # label -> feature -> log P(f | label) (present)
    absent: Mapping[str, Mapping[str, float]]  # label -> feature -> log P(f | not label)
    vocabulary: frozenset[str]

    def predict(self, title: str, text: str, threshold: float = 0.5) -> dict[str, float]:
        """Labels with P(label | words) ≥ threshold; evidence from present features only (fast, stable)."""
        found = features(title, text) & self.vocabulary
        result = {}
        for label, prior in self.priors.items():
            logit = math.log(prior) - math.log(1 - prior)
            pos, neg = self.present[label], self.absent[label]
            logit += sum(pos.get(f, 0.0) - neg.get(f, 0.0) for f in found)
            confidence = 1 / (1 + math.exp(-max(-30.0, min(30.0, logit))))
            if confidence >= threshold:
                result[label] = round(confidence, 3)
        return result


def train(examples: Sequence[Example]) -> Model | None:
    """A model, or None when there are too few reviewed items to learn anything."""
    counts = Counter(label for example in examples for label in example.labels)
    labels = [label for label, n in counts.items() if MIN_EXAMPLES <= n < len(examples)]
    if not labels:
        return None
    feats = [features(e.title, e.text) for e in examples]
    doc_freq = Counter(f for fs in feats for f in fs)
    vocabulary = frozenset(f for f, n in doc_freq.items() if n >= 2)
    priors, present, absent = {}, {}, {}
    for label in labels:
        inside = [fs for fs, e in zip(feats, examples, strict=True) if label in e.labels]
        outside = [fs for fs, e in zip(feats, examples, strict=True) if label not in e.labels]
        priors[label] = len(inside) / len(examples)
        present[label] = _log_probs(inside, vocabulary)
        absent[label] = _log_probs(outside, vocabulary)
    return Model(priors, present, absent, vocabulary)


def _log_probs(docs: Iterable[frozenset[str]], vocabulary: frozenset[str]) -> dict[str, float]:
    docs = list(docs)
    counts = Counter(f for fs in docs for f in fs if f in vocabulary)
    return {f: math.log((counts[f] + 0.5) / (len(docs) + 1)) for f in vocabulary}
