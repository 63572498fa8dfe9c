"""Similar work: for every entry, the entries nearest to it by title, summary and topics.

``similar_entries(index)`` returns ``{entry id: [ids of the most similar entries, best first]}``
(at most :data:`SIMILAR_COUNT` each, only entries sharing some signal, ties broken by id), computed
once per build for the entry pages::

    from dllm_atlas.similar import similar_entries
    nearest = similar_entries(index)["llada"]   # e.g. ["llada-1-5", "smdm", ...]

Method: TF-IDF vectors, cosine similarity. A document is the entry's title (its words count
twice: a title says what the work is), its summary, and its topics as terms of their own
(``#masked-diffusion``, weighted like a title word), so two entries of one topic are near even
when their summaries share few words. Weights are ``(1 + log tf) * log(n / df)``; vectors are
normalised, so the score is the cosine. Scores are summed through an inverted index (only
documents sharing a term are ever compared), and terms found in more than :data:`MAX_DF` entries
are dropped: a term that many entries share cannot pick five neighbours by itself, and it costs
the most, the work being quadratic in a term's document frequency. At 3,000 entries this cut
(rather than one at 5% of the catalog) made the computation 2.8 times faster and agreed with a
cut at 20% on 83% of the neighbours (79% on the real catalog, better than the 5% cut's 73%).

Standard library only: measured with ``benchmarks/graph_bench.py`` (figures in
docs/performance.md), it takes about a second at 3,000 entries on this machine, so scikit-learn
(with SciPy and NumPy, tens of megabytes) would buy nothing a reader sees.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict

from .index import Index
from .load import LoadedEntry

SIMILAR_COUNT = 5
# Terms in more entries than this are dropped (see the module docstring).
MAX_DF = 50
TITLE_WEIGHT = 2
TOPIC_WEIGHT = 2
_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*|[0-9]+[a-z][a-z0-9]*")
# Words that say nothing about a paper's subject; the document-frequency cut removes the rest.
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "we",
        "which",
        "with",
        "without",
        "while",
        "than",
        "then",
        "these",
        "those",
        "our",
        "via",
        "using",
        "use",
        "used",
        "uses",
        "also",
        "both",
        "more",
        "most",
        "new",
        "not",
        "only",
        "over",
        "such",
    ]
)


def _terms(item: LoadedEntry) -> Counter[str]:
    entry = item.entry
    counts: Counter[str] = Counter()
    for word in _WORD.findall(entry.title.lower()):
        if word not in _STOP:
            counts[word] += TITLE_WEIGHT
    for word in _WORD.findall((entry.summary or "").lower()):
        if word not in _STOP:
            counts[word] += 1
    for topic in entry.topics:
        counts[f"#{topic}"] += TOPIC_WEIGHT
    return counts


def _vectors(items: list[LoadedEntry]) -> list[dict[str, float]]:
    """Each entry's normalised TF-IDF vector, common terms left out."""
    counted = [_terms(item) for item in items]
    df: Counter[str] = Counter(term for counts in counted for term in counts)
    n = len(items)
    vectors = []
    for counts in counted:
        vector = {
            term: (1 + math.log(tf)) * math.log(n / df[term]) for term, tf in counts.items() if 1 < df[term] <= MAX_DF
        }
        norm = math.sqrt(sum(w * w for w in vector.values()))
        vectors.append({term: w / norm for term, w in vector.items()} if norm else {})
    return vectors


def similar_entries(index: Index, count: int = SIMILAR_COUNT) -> dict[str, list[str]]:
    """The ``count`` most similar entries of every entry (see the module docstring)."""
    items = sorted(index.entries, key=lambda item: item.id)
    vectors = _vectors(items)
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for number, vector in enumerate(vectors):
        for term, weight in vector.items():
            postings[term].append((number, weight))
    nearest: dict[str, list[str]] = {}
    for number, vector in enumerate(vectors):
        scores: dict[int, float] = {}
        get = scores.get  # the innermost loop of the build: a bound method, not a defaultdict
        for term, weight in vector.items():
            for other, other_weight in postings[term]:
                scores[other] = get(other, 0.0) + weight * other_weight
        scores.pop(number, None)
        # Best score first; equal scores in id order (items are sorted by id, so by number).
        best = heapq.nsmallest(count, scores.items(), key=lambda pair: (-round(pair[1], 12), pair[0]))
        nearest[items[number].id] = [items[other].id for other, _ in best]
    return nearest
