"""Benchmark: training the suggestion classifier on the store's reviewed items (issue 3).

Approved items are training data too, so a county's store holds thousands of them after a year. Prints, for
growing numbers of reviewed items, the time to build features and train, the size of the feature matrix, and
the previous way — a dense matrix and plain gradient descent — where that still fits, with the ratio.

Texts are synthetic: words drawn Zipf-like from a vocabulary of 30,000 so that the vocabulary grows with the
store as real text does; labels follow marker words so that there is something to learn.

Usage: .venv/bin/python bench/classifier.py [--sizes 500,2000,5000] [--dense-up-to 2000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from process import classifier
from process.classifier import Example, features, train

STEPS, RATE = 300, 2.0  # the previous trainer: plain gradient descent, a fixed number of steps
LABELS = [f"sectors:s{n}" for n in range(11)] + [f"topics:t{n}" for n in range(10)]


def examples(count: int, seed: int = 3) -> list[Example]:
    rng = random.Random(seed)
    vocabulary = [f"wort{n}x" for n in range(30_000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    made = []
    for _ in range(count):
        labels = frozenset(rng.sample(LABELS, rng.randint(1, 3)))
        markers = [label.split(":")[1] + "marker" for label in labels]
        body = rng.choices(vocabulary, weights, k=350) + markers * 3
        rng.shuffle(body)
        made.append(Example(" ".join(rng.choices(vocabulary, weights, k=6)), " ".join(body), labels))
    return made


def dense_fit(found: list[Example], model: classifier.Model) -> int:
    """The previous way: the same features and vocabulary, a dense (items × terms + 1) matrix and plain gradient
    descent (without the L2 term, which changes nothing of the cost). Returns the matrix's size in bytes."""
    docs = [features(e.title, e.text) for e in found]
    x = np.zeros((len(docs), len(model.vocabulary) + 1))
    for row, doc in enumerate(docs):
        for term, count in doc.items():
            column = model.vocabulary.get(term)
            if column is not None:
                x[row, column] = (1 + np.log(count)) * model.idf[column]
        x[row, :-1] /= max(float(np.linalg.norm(x[row, :-1])), 1e-12)
    x[:, -1] = 1.0
    y = np.array([[label in e.labels for label in model.labels] for e in found], dtype=np.float64)
    positives = y.sum(axis=0)
    balance = np.where(y > 0, (len(y) - positives) / np.maximum(positives, 1), 1.0) ** 0.75
    weights = np.zeros((x.shape[1], y.shape[1]))
    for _ in range(STEPS):
        error = (classifier._sigmoid(x @ weights) - y) * balance
        weights -= RATE * (x.T @ error / len(y))
    return x.nbytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,5000")
    parser.add_argument("--dense-up-to", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'Einträge':>9} {'Begriffe':>9} {'dünn s':>8} {'dünn MB':>8} {'dicht s':>8} {'dicht MB':>9} {'Faktor':>7}")
    for size in (int(s) for s in args.sizes.split(",")):
        found = examples(size)
        start = time.perf_counter()
        model = train(found)
        sparse_s = time.perf_counter() - start
        assert model is not None
        matrix = classifier._vectorise([features(e.title, e.text) for e in found], model.vocabulary, model.idf)
        sparse_mb = (matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes) / 1e6
        line = f"{size:>9} {len(model.vocabulary):>9} {sparse_s:>8.2f} {sparse_mb:>8.1f}"
        if size <= args.dense_up_to:
            start = time.perf_counter()
            dense_bytes = dense_fit(found, model)
            dense_s = time.perf_counter() - start
            line += f" {dense_s:>8.2f} {dense_bytes / 1e6:>9.1f} {dense_s / sparse_s:>6.1f}×"
        else:
            line += f" {'–':>8} {size * (len(model.vocabulary) + 1) * 8 / 1e6:>9.0f} {'(zu groß)':>7}"
        print(line, flush=True)
        last = model, found
    model, found = last
    start = time.perf_counter()
    for example in found[:1000]:
        model.predict(example.title, example.text)
    rate = min(1000, len(found)) / (time.perf_counter() - start)
    print(
        f"Vorschläge mit dem Modell aus {len(found)} Einträgen: {rate:.0f} Einträge/s "
        "(je neuem Eintrag beim Verschlagworten)"
    )
    print(
        "dünn: dünne Matrix + L-BFGS (jetzt); dicht: dichte Matrix + Gradientenabstieg (vorher); "
        "Faktor: Zeit dicht / Zeit dünn; MB: nur die Merkmalsmatrix"
    )


if __name__ == "__main__":
    main()
