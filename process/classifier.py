"""Tag suggestions learnt from staff-reviewed items: one-vs-rest logistic regression over tf-idf features.

Features are Snowball stems of the title (marked ``t:``) and of the lead, weighted by sublinear tf × idf and
L2-normalised — the standard text-classification recipe. Each tag gets its own L2-regularised logistic
regression, all fitted together by L-BFGS (scipy) over a sparse feature matrix: 5,000 reviewed items train in
seconds (bench/classifier.py). Positive examples are weighted up so rare tags are not drowned by the many items
without them.

It only *suggests* tags, each with a confidence (the model's probability), next to the rule tags; staff
decide. Trained on staff-reviewed items (tags_repo.training_examples: staff corrections and approved items);
``bench/evalset.py`` compares it with the rules alone and with rules + suggestions by cross-validation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, sparse

from process.german import fold, stem, words

MIN_EXAMPLES = 3  # per tag: below this a tag is never suggested
LEAD_CHARS = 2500
# Suggestions shown to staff: only confident ones. Cross-validated on the dev half of the evaluation set, tags the
# rules had not given were right in 1 of 21 cases below 0.8 and in 2 of 6 from 0.8 (a small sample; 0.8 is the
# threshold `rubrik eval` reports as "Regeln + sichere Vorschläge").
THRESHOLD = 0.8
_L2 = 1e-3
_MAX_ITERATIONS = 60  # L-BFGS; the cross-validated scores no longer change beyond ~30
_STOP_WORDS = (
    "der die das und oder in im zu zum zur von für mit auf an bei des den dem ein eine einer eines ist sind wird "
    "werden wurde nicht auch als aus nach sich es sie wir ihr"
)
_STOP = frozenset(fold(w) for w in _STOP_WORDS.split())
Matrix: TypeAlias = Any  # a scipy.sparse.csr_array (scipy ships no type hints)


@dataclass(frozen=True, slots=True)
class Example:
    title: str
    text: str
    labels: frozenset[str]  # "sectors:handwerk", "topics:kredite-buergschaften", …


def labels(sectors: Iterable[str], topics: Iterable[str]) -> frozenset[str]:
    """An item's tags as the classifier's labels: "sectors:handel", "topics:kredite-buergschaften"."""
    return frozenset([f"sectors:{s}" for s in sectors] + [f"topics:{t}" for t in topics])


def features(title: str, text: str) -> Counter[str]:
    """Term counts: stems of the title (marked) and of the lead."""
    found: Counter[str] = Counter("t:" + stem(w) for w in words(fold(title)) if w not in _STOP)
    found.update(stem(w) for w in words(fold(text[:LEAD_CHARS])) if w not in _STOP and len(w) > 2)
    return found


@dataclass(frozen=True, slots=True, eq=False)
class Model:
    labels: tuple[str, ...]
    vocabulary: Mapping[str, int]  # term -> column
    idf: NDArray[np.float64]
    weights: NDArray[np.float64]  # terms × labels
    bias: NDArray[np.float64]  # labels

    def probabilities(self, title: str, text: str) -> dict[str, float]:
        row = _vectorise([features(title, text)], self.vocabulary, self.idf)
        scores = _sigmoid(row @ self.weights + self.bias)[0]
        return {label: float(p) for label, p in zip(self.labels, scores, strict=True)}

    def predict(self, title: str, text: str, threshold: float = THRESHOLD) -> dict[str, float]:
        """Labels whose probability reaches ``threshold``, with that probability as the confidence."""
        return {label: round(p, 3) for label, p in self.probabilities(title, text).items() if p >= threshold}


def train(examples: Sequence[Example]) -> Model | None:
    """A model, or None when there are too few reviewed items to learn anything."""
    counts = Counter(label for example in examples for label in example.labels)
    labels = tuple(sorted(label for label, n in counts.items() if MIN_EXAMPLES <= n < len(examples)))
    if not labels:
        return None
    docs = [features(e.title, e.text) for e in examples]
    doc_freq = Counter(term for doc in docs for term in doc)
    vocabulary = {term: n for n, term in enumerate(sorted(t for t, df in doc_freq.items() if df >= 2))}
    idf = np.array([math.log((1 + len(docs)) / (1 + doc_freq[t])) + 1 for t in vocabulary], dtype=np.float64)
    x = _vectorise(docs, vocabulary, idf)
    y = np.array([[label in e.labels for label in labels] for e in examples], dtype=np.float64)
    return Model(labels, vocabulary, idf, *_fit(x, y))


def _vectorise(docs: Sequence[Counter[str]], vocabulary: Mapping[str, int], idf: NDArray[np.float64]) -> Matrix:
    """Rows of L2-normalised sublinear tf-idf, as a sparse matrix: an item holds a few hundred of the store's
    tens of thousands of terms, so thousands of reviewed items fit in a few megabytes."""
    rows: list[int] = []
    columns: list[int] = []
    counts: list[int] = []
    for row, doc in enumerate(docs):
        for term, count in doc.items():
            column = vocabulary.get(term)
            if column is not None:
                rows.append(row)
                columns.append(column)
                counts.append(count)
    where = np.array(columns, dtype=np.int64)
    values = (1 + np.log(np.array(counts, dtype=np.float64))) * idf[where]
    norms = np.sqrt(np.bincount(np.array(rows, dtype=np.int64), weights=values**2, minlength=len(docs)))
    values /= np.where(norms > 0, norms, 1.0)[rows]
    return sparse.csr_array((values, (rows, columns)), shape=(len(docs), len(vocabulary)))


def _fit(x: Matrix, y: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """All labels at once: the class-weighted log loss, L2-regularised (not the bias), minimised by L-BFGS —
    about a fifth of the passes over the data that plain gradient descent needs. Returns (weights, bias)."""
    positives = y.sum(axis=0)
    balance = np.where(y > 0, (len(y) - positives) / np.maximum(positives, 1), 1.0)  # rare tags count as much
    balance = balance**0.75  # … but not fully: full balancing over-suggests
    terms, labels = x.shape[1], y.shape[1]
    transposed = x.T.tocsr()

    def loss_and_gradient(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        weights, bias = theta[: terms * labels].reshape(terms, labels), theta[terms * labels :]
        z = x @ weights + bias
        loss = (balance * (np.logaddexp(0.0, z) - y * z)).sum() / len(y) + _L2 / 2 * float((weights * weights).sum())
        error = (_sigmoid(z) - y) * balance
        gradient = transposed @ error / len(y) + _L2 * weights
        return float(loss), np.concatenate([gradient.ravel(), error.sum(axis=0) / len(y)])

    start = np.zeros(terms * labels + labels, dtype=np.float64)
    found = optimize.minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B",
                              options={"maxiter": _MAX_ITERATIONS})  # fmt: skip
    theta: NDArray[np.float64] = found.x
    return theta[: terms * labels].reshape(terms, labels), theta[terms * labels :]


def _sigmoid(z: NDArray[np.float64]) -> NDArray[np.float64]:
    result: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
    return result
