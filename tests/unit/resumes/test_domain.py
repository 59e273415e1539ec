"""The resumes service's pure rules: one CV per student, and what the guard refuses."""

from __future__ import annotations

from uuid import uuid4

import pytest

from ac_contracts.errors import Refused
from ac_events.catalogue import ResumeContent
from ac_events.catalogue.vocab import SensitiveCategory as S
from ac_resumes.domain import Cv, all_text, next_revision, undeclared


def test_the_guard_reads_every_part_of_a_cv() -> None:
    cv = ResumeContent(education=("Kyoto",), skills=("Go",), free_text="free", pdf_text="pdf")
    assert all_text(cv).split("\n") == ["Kyoto", "Go", "free", "pdf"]


def test_found_categories_are_refused_unless_declared_now_or_before() -> None:
    found = [S.CRIMINAL_HISTORY, S.BELIEFS_RELIGION]
    assert undeclared(found, [], []) == [S.BELIEFS_RELIGION, S.CRIMINAL_HISTORY]
    assert undeclared(found, [S.BELIEFS_RELIGION], []) == [S.CRIMINAL_HISTORY]
    assert undeclared(found, [S.BELIEFS_RELIGION], [S.CRIMINAL_HISTORY]) == []
    assert undeclared([], [], []) == []


def test_a_cv_is_submitted_once_then_revised() -> None:
    assert next_revision(None, new=True) == 1
    cv = Cv(uuid4(), 3)
    assert next_revision(cv, new=False) == 4
    with pytest.raises(Refused) as twice:
        next_revision(cv, new=True)
    assert (twice.value.status, twice.value.reason) == (409, "resume_exists")
    with pytest.raises(Refused) as none:
        next_revision(None, new=False)
    assert (none.value.status, none.value.reason) == (404, "no_resume")
