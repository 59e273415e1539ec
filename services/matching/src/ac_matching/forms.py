"""Application forms, pure: a vacancy's questions (numbered as posted) and a student's answers
checked against them.

A form has up to 20 questions: short text (up to 200 characters), long text (up to 5,000),
one choice, several choices, yes/no. An answer must fit its question's kind, a required
question must be answered, and an answer to no question is refused (`form_answers_invalid`,
naming the question). What is sent keeps each question's prompt beside its answer, so the
record stays readable if the vacancy's form is revised later. The answers pass the
sensitive-data guard like a CV (`texts` is what it reads) in `commands.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ac_contracts.errors import Refused
from ac_events.catalogue import FormQuestion, QuestionKind

SHORT_TEXT = 200
LONG_TEXT = 5000

AnswerValue = str | list[str] | bool


def numbered(questions: Iterable[Mapping[str, Any]]) -> tuple[FormQuestion, ...]:
    """The questions as posted, numbered `q1`, `q2`, ... in order."""
    return tuple(
        FormQuestion(question_id=f"q{i}", **dict(q)) for i, q in enumerate(questions, start=1)
    )


def _invalid(question_id: str, why: str) -> Refused:
    return Refused("form_answers_invalid", f"{question_id}: {why}", question_id=question_id)


def _checked(q: FormQuestion, answer: AnswerValue) -> AnswerValue | None:
    """The answer in its canonical form, None for no answer; refuses one of the wrong kind."""
    if q.kind is QuestionKind.YES_NO:
        if not isinstance(answer, bool):
            raise _invalid(q.question_id, "answer yes or no (true or false)")
        return answer
    if q.kind is QuestionKind.SEVERAL_CHOICES:
        if not isinstance(answer, list) or not set(answer) <= set(q.choices):
            raise _invalid(q.question_id, "pick among the question's choices")
        picked = [c for c in q.choices if c in answer]  # the form's order, no repeats
        return picked or None
    if not isinstance(answer, str):
        raise _invalid(q.question_id, "answer with text")
    text = answer.strip()
    if q.kind is QuestionKind.ONE_CHOICE and text and text not in q.choices:
        raise _invalid(q.question_id, "pick one of the question's choices")
    limit = SHORT_TEXT if q.kind is QuestionKind.SHORT_TEXT else LONG_TEXT
    if len(text) > limit:
        raise _invalid(q.question_id, f"at most {limit} characters")
    return text or None


def answered(
    form: Sequence[FormQuestion], answers: Mapping[str, AnswerValue]
) -> list[dict[str, Any]]:
    """The form as the student answered it: each answered question with its prompt, in the
    form's order; refuses answers that do not fit, and unanswered required questions."""
    known = {q.question_id for q in form}
    for question_id in sorted(set(answers) - known):
        raise _invalid(question_id, "the form has no such question")
    out = []
    for q in form:
        value = _checked(q, answers[q.question_id]) if q.question_id in answers else None
        if value is None:
            if q.required:
                raise _invalid(q.question_id, "this question must be answered")
            continue
        out.append({"question_id": q.question_id, "kind": q.kind.value, "prompt": q.prompt,
                    "answer": value})  # fmt: skip
    return out


def texts(form: Iterable[Mapping[str, Any]]) -> list[str]:
    """What the sensitive-data guard reads of an answered form: the student's own words (text
    answers) and the choices they picked. A yes/no is not read: its meaning is the client's
    question, which the guard is not built to judge (docs/recruitment.md, limits)."""
    out: list[str] = []
    for item in form:
        answer = item["answer"]
        if isinstance(answer, list):
            out.extend(answer)
        elif isinstance(answer, str):
            out.append(answer)
    return out
