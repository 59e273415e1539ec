"""The in-memory ranking index: the same scores as the reference BM25, documents added,
replaced and removed (and compacted), keyset pages, and filters that agree with
`domain.fits`."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ac_events.catalogue import Availability, MatchingPreferences, VacancyKind, WorkMode
from ac_matching.domain import Opportunity, fits
from ac_matching.index import TermIndex
from ac_matching.live import CV_COLUMNS, VACANCY_COLUMNS, LiveIndex, cv_values, tie_of
from ac_matching.ranking import Bm25Index, tokenize
from tools.matching_quality import load_labelled

DATA = Path(__file__).resolve().parents[3] / "bench" / "data" / "matching_labelled.json"


def indexed(texts: dict[str, str]) -> TermIndex:
    index = TermIndex()
    for key, text in texts.items():
        index.add(key, Counter(tokenize(text)), tie=tie_of(key))
    return index


def scores_of(index: TermIndex, text: str) -> dict[str, float]:
    scores = index.scores(Counter(tokenize(text)))
    return {str(k): float(scores[s]) for k, s in index.slot_of.items()}


def test_the_index_scores_exactly_as_the_reference_bm25_on_the_labelled_set() -> None:
    labelled = load_labelled(DATA)
    for direction in (labelled.cv_to_vacancy, labelled.vacancy_to_cv):
        reference = Bm25Index.build(direction.candidates.items())
        index = indexed(dict(direction.candidates))
        for q in direction.queries:
            assert scores_of(index, q.text) == reference.score(q.text)
            top = index.top(index.scores(Counter(tokenize(q.text))), None, 10)
            assert [s for _, s, _ in top] == [s for _, s in reference.top(q.text, 10)]


def test_removing_replacing_and_compacting_leave_the_scores_of_the_documents_left() -> None:
    rng = random.Random(7)
    words = ["python", "sql", "go", "rust", "データ分析", "営業", "kafka", "react", "aws"]
    texts = {f"d{i}": " ".join(rng.choices(words, k=rng.randint(1, 12))) for i in range(3000)}
    index = indexed(texts)
    for i in range(0, 3000, 2):  # half removed: compaction runs on the way
        index.remove(f"d{i}")
        del texts[f"d{i}"]
    for i in range(1, 300, 2):  # some replaced
        texts[f"d{i}"] = "python python kafka"
        index.add(f"d{i}", Counter(tokenize(texts[f"d{i}"])), tie=tie_of(f"d{i}"))
    assert len(index) == len(texts) and len(index.keys) < 3000 + 150  # compacted
    reference = Bm25Index.build(texts.items())
    for query in ("python kafka", "データ分析 営業", "rust aws go"):
        assert scores_of(index, query) == reference.score(query)


def test_keyset_pages_list_every_document_once_in_order() -> None:
    texts = {f"d{i}": "python " * (1 + i % 5) + "sql" for i in range(250)}
    index = indexed(texts)
    scores = index.scores(Counter(tokenize("python")))
    seen: list[Any] = []
    after = None
    while page := index.top(scores, None, 17, after):
        seen += page
        after = page[-1][1], page[-1][2]
    assert sorted(k for k, _, _ in seen) == sorted(texts)
    assert seen == sorted(seen, key=lambda r: (-r[1], r[2]))


KINDS, MODES = list(VacancyKind), list(WorkMode)
DAY0 = date(2026, 6, 1)


def _prefs(rng: random.Random) -> MatchingPreferences:
    periods = []
    for _ in range(rng.randint(0, 3)):
        start = DAY0 + timedelta(days=rng.randint(0, 120))
        periods.append(Availability(start=start, end=start + timedelta(days=rng.randint(0, 90))))
    return MatchingPreferences(available=tuple(periods),
                               kinds=tuple(rng.sample(KINDS, rng.randint(0, 2))),
                               work_modes=tuple(rng.sample(MODES, rng.randint(0, 2))))  # fmt: skip


def _opportunity(rng: random.Random) -> Opportunity:
    kind = rng.choice(KINDS)
    start = DAY0 + timedelta(days=rng.randint(0, 150))
    if kind is VacancyKind.INTERNSHIP and rng.random() < 0.6:
        return Opportunity(
            kind, rng.choice(MODES), start, start + timedelta(days=rng.randint(0, 60))
        )
    if kind is VacancyKind.INTERNSHIP:
        return Opportunity(kind, rng.choice(MODES), duration_weeks=rng.randint(1, 12))
    return Opportunity(kind, rng.choice(MODES))


def _vacancy_row(i: int, o: Opportunity) -> dict[str, Any]:
    internship = None
    if o.kind is VacancyKind.INTERNSHIP:
        internship = {"start_date": o.start and o.start.isoformat(),
                      "end_date": o.end and o.end.isoformat(), "duration_weeks": o.duration_weeks,
                      "paid": False}  # fmt: skip
    import orjson

    return {"vacancy_id": f"v{i}", "kind": o.kind.value, "work_mode": o.work_mode.value,
            "location_country": "JP", "posted_at": datetime(2026, 5, 1, tzinfo=UTC),
            "deadline": None, "internship": orjson.dumps(internship) if internship else None}  # fmt: skip


@pytest.mark.parametrize("seed", range(5))
def test_the_filters_before_ranking_agree_with_domain_fits(seed: int) -> None:
    from ac_matching.live import vacancy_values

    rng = random.Random(seed)
    live = LiveIndex(None, None)  # type: ignore[arg-type]  # no database: filters only
    opportunities = [_opportunity(rng) for _ in range(300)]
    for i, o in enumerate(opportunities):
        live.vacancies.add(f"v{i}", {"x": 1}, **vacancy_values(_vacancy_row(i, o)))
    people = [_prefs(rng) for _ in range(300)]
    for i, p in enumerate(people):
        live.cvs.add(f"s{i}", {"x": 1}, **cv_values(f"s{i}", p, assessable=True))
    now = datetime(2026, 5, 2, tzinfo=UTC)
    for p in people[:40]:
        mask = live.vacancy_mask(p, now)
        assert [bool(mask[live.vacancies.slot_of[f"v{i}"]]) for i in range(300)] == [
            fits(p, o) for o in opportunities
        ]
    for o in opportunities[:40]:
        mask = live.candidate_mask(o)
        assert [bool(mask[live.cvs.slot_of[f"s{i}"]]) for i in range(300)] == [
            fits(p, o) for p in people
        ]


def test_the_columns_are_those_the_index_keeps() -> None:
    assert {"kind", "mode", "deadline", "posted"} <= set(VACANCY_COLUMNS)
    assert {"assessable", "kinds", "modes", "p0s", "p11e"} <= set(CV_COLUMNS)


@pytest.mark.parametrize("seed", range(4))
def test_pruned_ranking_is_the_full_ranking_page_after_page(seed: int) -> None:
    import numpy as np

    rng = random.Random(seed)
    common = ["japanese", "english", "team", "data"]  # in almost every document
    rare = [f"skill{i}" for i in range(300)]
    index = TermIndex()
    for i in range(6000):
        words = rng.sample(common, rng.randint(2, 4)) + rng.sample(rare, rng.randint(1, 8))
        index.add(f"d{i}", Counter(w for w in words for _ in range(rng.randint(1, 3))),
                  tie=tie_of(f"d{i}"))  # fmt: skip
    for i in range(0, 6000, 7):
        index.remove(f"d{i}")
    mask = np.array([rng.random() < 0.8 for _ in index.keys])
    for _ in range(10):
        query = Counter(rng.sample(common, 3) + rng.sample(rare, 5))
        full = index.scores(query)
        after = None
        for _page in range(3):
            expected = index.top(full, mask, 20, after)
            assert index.best(query, mask, 20, after) == expected
            if not expected:
                break
            after = expected[-1][1], expected[-1][2]
