"""The equal-opportunity monitoring report's suppression and rounding [E] #18 (pure)."""

from __future__ import annotations

import itertools

from ac_audit.monitoring import (
    GENDERS,
    SCHOOL_TYPES,
    Entry,
    gender_group,
    publish,
    school_type,
    tabulate,
)
from ac_contracts.monitoring import OUTCOMES, MonitoringTable


def _cells(tables: list[MonitoringTable]) -> dict[tuple[str, str, str], int | None]:
    return {(t.dimension, c.group, c.outcome): c.people for t in tables for c in t.cells}


def test_a_cell_under_k_is_suppressed_and_every_other_is_rounded_to_the_step() -> None:
    assert [publish(n, k=10, step=5) for n in (0, 1, 9, 10, 12, 13, 17, 18, 101)] == [
        None, None, None, 10, 10, 15, 15, 20, 100,
    ]  # fmt: skip


def test_every_group_and_outcome_is_listed_whether_or_not_anyone_is_in_it() -> None:
    tables = tabulate([Entry("female", "university", frozenset({"offer"}))] * 3)
    gender, school = tables
    assert gender.groups == list(GENDERS) and school.groups == list(SCHOOL_TYPES)
    assert len(gender.cells) == len(GENDERS) * len(OUTCOMES)
    assert len(school.cells) == len(SCHOOL_TYPES) * len(OUTCOMES)
    assert all(c.people is None for t in tables for c in t.cells)  # three people: nothing


def test_people_are_counted_once_per_outcome_and_once_as_applied() -> None:
    people = [Entry("female", "university", frozenset({"offer", "rejected"}))] * 12
    people += [Entry("male", "kosen", frozenset({"rejected"}))] * 10
    cells = _cells(tabulate(people))
    assert cells[("gender", "female", "applied")] == 10  # 12, rounded
    assert cells[("gender", "female", "offer")] == 10
    assert cells[("gender", "male", "rejected")] == 10
    assert cells[("gender", "male", "offer")] is None
    assert cells[("school_type", "university", "rejected")] == 10
    assert cells[("school_type", "kosen", "applied")] == 10


def test_two_reports_differing_by_one_person_never_show_a_difference_of_one() -> None:
    """Whichever cell the extra person falls in, and however many were there before, the
    published difference is a multiple of the step: never the one person."""
    for before, gender, school in itertools.product(range(0, 30), GENDERS, SCHOOL_TYPES[:3]):
        base = [Entry(gender, school, frozenset({"interview"}))] * before
        one = Entry(gender, school, frozenset({"interview"}))
        a, b = _cells(tabulate(base)), _cells(tabulate([*base, one]))
        for key in a:
            shown = [v for v in (a[key], b[key]) if v is not None]
            assert all(v >= 10 and v % 5 == 0 for v in shown)
            if len(shown) == 2:
                assert (shown[1] - shown[0]) % 5 == 0


def test_a_persons_own_words_and_a_schools_name_fall_in_one_group() -> None:
    assert [gender_group(g) for g in ("女性", " Female ", "男", "m", "non-binary", "", None)] == [
        "female", "female", "male", "male", "other", "not_stated", "not_stated",
    ]  # fmt: skip
    names = ("東京大学大学院", "Osaka University", "仙台高等専門学校", "山田短期大学",
             "HAL専門学校", "県立高校", "Some Academy", None)  # fmt: skip
    assert [school_type(n) for n in names] == [
        "graduate_school", "university", "kosen", "junior_college", "vocational",
        "high_school", "other", "not_stated",
    ]  # fmt: skip
