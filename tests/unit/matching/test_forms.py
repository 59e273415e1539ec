"""Application forms: questions numbered as posted, answers checked against them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ac_contracts.errors import Refused
from ac_events.catalogue import FormQuestion, QuestionKind
from ac_matching.forms import answered, numbered, texts

FORM = numbered([
    {"kind": QuestionKind.SHORT_TEXT, "prompt": "Your university?"},
    {"kind": QuestionKind.LONG_TEXT, "prompt": "Why us?", "required": False},
    {"kind": QuestionKind.ONE_CHOICE, "prompt": "Start", "choices": ["June", "July"]},
    {"kind": QuestionKind.SEVERAL_CHOICES, "prompt": "Stack", "choices": ["Python", "Go", "SQL"]},
    {"kind": QuestionKind.YES_NO, "prompt": "Can you work on site?"},
])  # fmt: skip
GOOD: dict[str, str | list[str] | bool] = {"q1": "Kyoto", "q3": "July",
                                           "q4": ["SQL", "Python", "SQL"], "q5": True}  # fmt: skip


def test_questions_are_numbered_in_order_and_choices_only_where_they_belong() -> None:
    assert [q.question_id for q in FORM] == ["q1", "q2", "q3", "q4", "q5"]
    with pytest.raises(ValidationError):
        FormQuestion(question_id="q1", kind=QuestionKind.ONE_CHOICE, prompt="?", choices=("a",))
    with pytest.raises(ValidationError):
        FormQuestion(question_id="q1", kind=QuestionKind.YES_NO, prompt="?", choices=("a", "b"))
    with pytest.raises(ValidationError):
        numbered([{"kind": QuestionKind.YES_NO, "prompt": "?"}] * 21)  # numbering stops at q20


def test_answers_keep_the_forms_order_and_prompts() -> None:
    got = answered(FORM, GOOD)
    assert [a["question_id"] for a in got] == ["q1", "q3", "q4", "q5"]  # q2 optional, unanswered
    assert got[2] == {"question_id": "q4", "kind": "several_choices", "prompt": "Stack",
                      "answer": ["Python", "SQL"]}  # fmt: skip
    assert texts(got) == ["Kyoto", "July", "Python", "SQL"]  # yes/no is not read


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({**GOOD, "q9": "x"}, "q9"),  # no such question
        ({k: v for k, v in GOOD.items() if k != "q1"}, "q1"),  # required, missing
        ({**GOOD, "q1": "   "}, "q1"),  # blank is no answer
        ({**GOOD, "q1": "x" * 201}, "q1"),  # short text: 200 at most
        ({**GOOD, "q3": "August"}, "q3"),  # not a choice
        ({**GOOD, "q4": ["Rust"]}, "q4"),
        ({**GOOD, "q5": "yes"}, "q5"),  # yes/no is a boolean
        ({**GOOD, "q1": True}, "q1"),
    ],
)
def test_answers_that_do_not_fit_are_refused_naming_the_question(
    answers: dict[str, str | list[str] | bool], question: str
) -> None:
    with pytest.raises(Refused) as refused:
        answered(FORM, answers)
    assert refused.value.reason == "form_answers_invalid"
    assert refused.value.details == {"question_id": question}
