"""The matching service's pure rules: what a provision sends, and what a client may see."""

from __future__ import annotations

from uuid import uuid4

import pytest

from ac_contracts.errors import Refused
from ac_events.catalogue import DataCategory as D
from ac_events.catalogue import DecisionReason, ResumeContent
from ac_matching.domain import (
    DEFAULT_ITEMS,
    SeenResume,
    candidate_ref,
    candidate_skills,
    check_resume,
    items_to_send,
    match_reasons,
    missing_consent,
    snapshot,
    snapshot_sha256,
)
from ac_matching.ranking import tokenize
from ac_matching.views import text_of

CV = ResumeContent(education=("Kyoto University",), skills=("Python", "SQL"),
                   languages=("Japanese",), desired_roles=("Backend",), free_text="Hi, I am Hana.")  # fmt: skip
DETAILS = {"name": "Hana Sato", "email": "hana@example.jp", "school": "Kyoto University"}


def test_only_the_items_named_are_sent() -> None:
    sent = snapshot((D.NAME, D.SKILLS), DETAILS, CV)
    assert sent == {"name": "Hana Sato", "skills": ["Python", "SQL"]}
    full = snapshot(DEFAULT_ITEMS, DETAILS, CV)
    assert set(full) == {"name", "contact", "school", "resume"}
    assert full["contact"] == {"email": "hana@example.jp"}


def test_the_snapshot_hash_is_of_its_canonical_form() -> None:
    a = snapshot((D.NAME, D.SKILLS), DETAILS, CV)
    assert snapshot_sha256(a) == snapshot_sha256(dict(reversed(list(a.items()))))
    assert snapshot_sha256(a) != snapshot_sha256(snapshot((D.NAME,), DETAILS, CV))


def test_items_default_sorted_and_refused_when_unsendable() -> None:
    assert items_to_send(None) == tuple(sorted(DEFAULT_ITEMS))
    assert items_to_send([D.SKILLS, D.NAME, D.SKILLS]) == (D.NAME, D.SKILLS)
    with pytest.raises(Refused) as refused:
        items_to_send([D.APPLICATION_FORM])
    assert refused.value.reason == "unsendable_items"


def test_a_blocked_student_is_told_which_consent_is_missing() -> None:
    region = missing_consent(DecisionReason.REGION_NOT_COVERED, "Acme Inc.", "US", [])
    assert "US" in region and "Acme Inc." in region
    sensitive = missing_consent(DecisionReason.SENSITIVE_NOT_COVERED, "Acme", "JP", ["disability"])
    assert "disability" in sensitive


def test_a_candidate_reference_does_not_link_across_vacancies_or_name_the_person() -> None:
    key = b"k" * 32
    a1, a2 = candidate_ref(key, "v1", "subject-a"), candidate_ref(key, "v2", "subject-a")
    assert a1 != a2 and "subject-a" not in a1
    assert a1 == candidate_ref(key, "v1", "subject-a")
    assert a1 != candidate_ref(b"x" * 32, "v1", "subject-a")


def test_a_client_sees_the_vacancys_own_skills_that_matched_never_the_cvs_words() -> None:
    terms = frozenset(tokenize(text_of(CV)))
    assert candidate_skills(["python 3", "Rust", "SQL"], terms) == ["python 3", "SQL"]


def test_the_reasons_pair_the_students_skills_with_the_vacancys() -> None:
    got = match_reasons(["Python", "データ分析", "Go"], ["Python 3", "データ分析業務", "Rust"])
    assert got == [("Python", "Python 3"), ("データ分析", "データ分析業務")]
    assert match_reasons(["Machine learning"], ["Deep learning"]) == []


def test_a_form_goes_with_every_application_to_its_vacancy_and_only_then() -> None:
    assert D.APPLICATION_FORM in items_to_send([D.NAME], has_form=True)
    assert D.APPLICATION_FORM in items_to_send(None, has_form=True)


def test_with_a_token_matching_answers_on_the_cv_last_written_or_refuses() -> None:
    cv = uuid4()
    check_resume(cv, 2, None)  # no token: the CV held
    check_resume(cv, 2, SeenResume(cv, 2))
    check_resume(cv, 3, SeenResume(cv, 2))  # a later revision has arrived since
    for behind in (SeenResume(cv, 3), SeenResume(uuid4(), 1)):  # older, or another CV
        with pytest.raises(Refused) as refused:
            check_resume(cv, 2, behind)
        assert (refused.value.status, refused.value.reason) == (409, "resume_not_here_yet")
