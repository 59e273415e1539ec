"""How good a ranking is: nDCG against graded judgements, beside a random ranking.

Relevance is graded 0 (not relevant) to 3 (excellent). A ranking's DCG@k sums each of its
first k items' gain, 2^grade - 1, discounted by log2(1 + position); nDCG@k divides it by the
DCG@k of the ideal ordering, so it lies in [0, 1] and 1 means nothing better could be shown.

`evaluate` scores one direction of a labelled set (`load_labelled`): the mean nDCG@k of BM25
(`ac_matching.ranking`) over the queries, and of random orderings of all candidates, the mean
and standard deviation over seeded shuffles, so the result is the same on every run.
"""

from __future__ import annotations

import json
import math
import random
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ac_matching.index import TermIndex
from ac_matching.live import tie_of
from ac_matching.ranking import Bm25Index, cv_text, tokenize, vacancy_text

GRADES = range(4)
K = 10
SHUFFLES = 200
SEED = 20260401


def gain(grade: int) -> float:
    """The gain of an item of this grade: 2^grade - 1 (0, 1, 3, 7)."""
    return float(2**grade - 1)


def dcg(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first `k` gains, in ranked order."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[: max(k, 0)]))


def ndcg(ranked_keys: Sequence[str], relevance: Mapping[str, int], k: int) -> float:
    """nDCG@k of a ranking; keys not in `relevance` have grade 0. 0.0 if nothing is relevant."""
    ideal = dcg(sorted((gain(g) for g in relevance.values()), reverse=True), k)
    if ideal <= 0:
        return 0.0
    return dcg([gain(relevance.get(key, 0)) for key in ranked_keys], k) / ideal


@dataclass(frozen=True)
class Query:
    """One query of a direction: its text, its language and the grades of the candidates."""

    key: str
    text: str
    language: str
    relevance: Mapping[str, int]


@dataclass(frozen=True)
class Direction:
    """Queries ranked over one set of candidates (vacancies for CVs, or CVs for a vacancy)."""

    name: str
    queries: tuple[Query, ...]
    candidates: Mapping[str, str]


@dataclass(frozen=True)
class LabelledSet:
    cv_to_vacancy: Direction
    vacancy_to_cv: Direction


@dataclass(frozen=True)
class Evaluation:
    """Mean nDCG@k of BM25 and of random orderings over one direction's queries."""

    direction: str
    queries: int
    candidates: int
    k: int
    ndcg: float
    random_mean: float
    random_sd: float
    per_query: Mapping[str, float]

    @property
    def ratio(self) -> float:
        return self.ndcg / self.random_mean if self.random_mean > 0 else math.inf


def rankers(direction: Direction) -> dict[str, Callable[[str, int], list[str]]]:
    """The two rankings measured: `index`, the in-memory index the service ranks with
    (`ac_matching.index`, numpy), and `reference`, the plain BM25 of `ac_matching.ranking`.
    Their scores are equal; only the order of equal scores differs."""
    reference = Bm25Index.build(direction.candidates.items())
    index = TermIndex()
    for key, text in direction.candidates.items():
        index.add(key, Counter(tokenize(text)), tie=tie_of(key))

    def by_index(text: str, k: int) -> list[str]:
        top = index.top(index.scores(Counter(tokenize(text))), None, k)
        return [str(key) for key, _, _ in top]

    return {"index": by_index, "reference": lambda t, k: [key for key, _ in reference.top(t, k)]}


def evaluate(
    direction: Direction,
    k: int = K,
    shuffles: int = SHUFFLES,
    seed: int = SEED,
    ranker: str = "index",
) -> Evaluation:
    """BM25 (as the service ranks, or the reference) and the random baseline on one direction
    of a labelled set."""
    rank = rankers(direction)[ranker]
    per_query = {q.key: ndcg(rank(q.text, k), q.relevance, k) for q in direction.queries}
    baseline = random_baseline(direction, k, shuffles, seed)
    return Evaluation(
        direction=direction.name,
        queries=len(direction.queries),
        candidates=len(direction.candidates),
        k=k,
        ndcg=statistics.fmean(per_query.values()),
        random_mean=statistics.fmean(baseline),
        random_sd=statistics.stdev(baseline) if len(baseline) > 1 else 0.0,
        per_query=per_query,
    )


def random_baseline(direction: Direction, k: int, shuffles: int, seed: int) -> list[float]:
    """Mean nDCG@k over the queries of each of `shuffles` seeded random orderings."""
    rng = random.Random(seed)
    keys = sorted(direction.candidates)
    means: list[float] = []
    for _ in range(shuffles):
        scores = []
        for query in direction.queries:
            rng.shuffle(keys)
            scores.append(ndcg(keys, query.relevance, k))
        means.append(statistics.fmean(scores))
    return means


def load_labelled(path: Path) -> LabelledSet:
    """The labelled set of `bench/data/matching_labelled.json` (its "about" says the format)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    vacancies = {v["id"]: v for v in data["vacancies"]}
    cvs = {c["id"]: c for c in data["cvs"]}
    vacancy_texts = {key: _vacancy(v) for key, v in vacancies.items()}
    cv_texts = {key: _cv(c) for key, c in cvs.items()}
    return LabelledSet(
        cv_to_vacancy=_direction(
            "CV -> vacancies", data["cv_to_vacancy"], cvs, cv_texts, vacancy_texts
        ),
        vacancy_to_cv=_direction(
            "vacancy -> CVs", data["vacancy_to_cv"], vacancies, vacancy_texts, cv_texts
        ),
    )


def _vacancy(v: Mapping[str, Any]) -> str:
    return vacancy_text(v["title"], v["description"], v["skills"], v["location_country"])


def _cv(c: Mapping[str, Any]) -> str:
    return cv_text(
        skills=c["skills"],
        desired_roles=c["desired_roles"],
        desired_locations=c["desired_locations"],
        experience=c["experience"],
        education=c["education"],
        languages=c["languages"],
        free_text=c["free_text"],
    )


def _direction(
    name: str,
    judgements: Mapping[str, Mapping[str, int]],
    sources: Mapping[str, Mapping[str, Any]],
    query_texts: Mapping[str, str],
    candidates: Mapping[str, str],
) -> Direction:
    queries = []
    for key, relevance in sorted(judgements.items()):
        _check(name, key, relevance, query_texts, candidates)
        queries.append(Query(key, query_texts[key], str(sources[key]["lang"]), dict(relevance)))
    return Direction(name, tuple(queries), candidates)


def _check(
    name: str,
    key: str,
    relevance: Mapping[str, int],
    query_texts: Mapping[str, str],
    candidates: Mapping[str, str],
) -> None:
    if key not in query_texts:
        raise ValueError(f"{name}: unknown query {key!r}")
    unknown = sorted(set(relevance) - set(candidates))
    if unknown:
        raise ValueError(f"{name}: {key} judges unknown candidates {unknown}")
    if any(grade not in GRADES for grade in relevance.values()):
        raise ValueError(f"{name}: {key} has a grade outside 0..3")
    if not any(relevance.values()):
        raise ValueError(f"{name}: {key} has no relevant candidate, so no nDCG")
