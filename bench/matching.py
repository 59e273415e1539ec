"""Matching quality: nDCG@10 of BM25 on a hand-labelled set, beside a random ranking.

The set (`bench/data/matching_labelled.json`) holds 62 vacancies and 28 student CVs in
Japanese and English, with graded judgements (0-3) written by a recruiter's reasoning
before the method was run. Two directions are measured, each ranked with
`ac_matching.ranking` (Okapi BM25, k1 = 1.2, b = 0.75, bilingual tokenizer):

- CV -> vacancies: for each of the 28 CVs, its top 10 of all vacancies (a student's
  suggestions), judged against the CV's grades of every vacancy;
- vacancy -> CVs: for 12 vacancies, the top 10 of all CVs (a client's candidates).

Each is ranked by the in-memory index the service uses (`ac_matching.index`), and, beside
it, by the plain reference BM25 (the same scores; equal scores may be ordered otherwise).

The baseline orders all candidates at random: its mean nDCG@10 and standard deviation
over 200 seeded shuffles (the same on every run). Per direction: nDCG@10 of each, their
ratio, BM25 by the query's language, and the queries it serves worst.

Last line: RESULT ndcg10=<x> random_ndcg10=<y> ratio=<r>, for the CV -> vacancies
direction (a student's suggestions, the main use). No infrastructure, no network.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from tools.matching_quality import Direction, Evaluation, evaluate, load_labelled

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "matching_labelled.json"
WORST = 3


def by_language(direction: Direction, result: Evaluation) -> str:
    parts = []
    for language in sorted({q.language for q in direction.queries}):
        scores = [result.per_query[q.key] for q in direction.queries if q.language == language]
        parts.append(f"{language} {statistics.fmean(scores):.3f} ({len(scores)} queries)")
    return ", ".join(parts)


def worst(result: Evaluation) -> str:
    ranked = sorted(result.per_query.items(), key=lambda pair: (pair[1], pair[0]))[:WORST]
    return ", ".join(f"{key} {score:.2f}" for key, score in ranked)


def report(direction: Direction, result: Evaluation) -> None:
    k = result.k
    print(f"\n{result.direction}: {result.queries} queries over {result.candidates} candidates")
    print(f"  {'ranking':<16} {f'nDCG@{k}':>18}")
    print(f"  {'BM25':<16} {result.ndcg:>18.3f}")
    print(f"  {'random':<16} {f'{result.random_mean:.3f} ± {result.random_sd:.3f}':>18}")
    print(f"  {'ratio':<16} {result.ratio:>18.2f}")
    print(f"  BM25 by query language: {by_language(direction, result)}")
    print(f"  worst queries: {worst(result)}")


def main() -> None:
    labelled = load_labelled(DATA)
    print(f"labelled set: {DATA.relative_to(ROOT)}")
    results = []
    for direction in (labelled.cv_to_vacancy, labelled.vacancy_to_cv):
        result = evaluate(direction)
        report(direction, result)
        reference = evaluate(direction, ranker="reference")
        print(f"  the reference BM25 (ranking.Bm25Index, same scores): {reference.ndcg:.3f}")
        results.append(result)
    main_result = results[0]
    print(f"\nRESULT line: the {main_result.direction} direction")
    print(
        f"RESULT ndcg10={main_result.ndcg:.3f} random_ndcg10={main_result.random_mean:.3f} "
        f"ratio={main_result.ratio:.2f}"
    )


if __name__ == "__main__":
    main()
