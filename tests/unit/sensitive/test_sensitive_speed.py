"""The sensitive-data check is linear in the text: the worst inputs we could construct at the
size limit (a CV's free text: 20,000 characters), each under 0.2 s (issue 14, item 1).

Before, the detector re-searched a match's whole clause with every exclude at every match,
and two patterns re-read a run of characters from each of its positions: these inputs took
1.4 to 30 s each ("癌" repeated 30 s), but for the one cancelled at each clause's end (0.08 s:
its clauses are short), which is the worst for the linear engine. The shapes: no
punctuation (one clause), a match at every character, every rule's trigger cancelled only
by words at its clause's end (each exclude reads the whole clause, nothing is found, so no
rule stops early), runs of line breaks and of hyphenated words, and characters that make
normalisation take its slow path (combining marks) or grow the text.
"""

from __future__ import annotations

import time

import pytest

from ac_sensitive.detector import RULES, _Clauses, _normalise, _survivors, detect

LIMIT = 20_000

# A trigger of each rule that has excludes, and the words that cancel them all.
TRIGGERS = (
    "i am a practising buddhist bible study soka gakkai burakumin ainu heritage my heritage "
    "i am deaf i have adhd i use a wheelchair i was convicted criminal record in prison "
    "theft conviction union member collective bargaining green party election campaign "
    "joined the protest signed a petition i have cancer hospitalized i am gay convicted of "
    "my illness diagnosed with my daily medication i am hard of hearing attended mass "
    "クリスチャン 信仰 創価学会 浄土真宗の寺 部落 在日韓国 アイヌの血 日系ブラジル人 障害者手帳 "
    "聴覚障害 障害がある 前科 逮捕され 労働組合 自民党 選挙活動 デモに参加 癌 入院 妊娠中 ゲイ "
)
CANCELLING = (
    " buddhist university training statistics colleagues pep rally ally records news"
    " coverage 研究 問題 報道 照会 人事 祖母が 見舞い"
)


def fill(unit: str, size: int = LIMIT) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def shapes(size: int) -> dict[str, str]:
    clause, ending = TRIGGERS + CANCELLING + "。", CANCELLING + "。"
    return {
        "癌 repeated (the issue's)": "癌" * size,
        "Japanese triggers, no punctuation": fill(
            "癌入院前科労働組合信仰部落難聴デモに参加党員妊娠中", size
        ),
        "an English match every 14 characters": fill("i have cancer ", size),
        "every rule cancelled at the text's end": fill(TRIGGERS, size - len(CANCELLING))
        + CANCELLING,
        "every rule cancelled at each clause's end": fill(clause, size - len(ending)) + ending,
        "line breaks": "\n" * size,
        "a space and a line break": fill(" \n", size),
        "one hyphenated word": fill("a-", size),
        "combining marks": fill("癌\u0301", size),
        "characters that normalise to several": fill("㍿ß癌", size),
    }


WORST = shapes(LIMIT)


def cpu_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        detect(text)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("name", WORST)
def test_the_worst_inputs_at_the_size_limit_take_under_0_2_s(name: str) -> None:
    """CPU time of this process (`time.process_time`), not wall time: on a loaded 2-core
    machine, time spent waiting for a core does not count. The best of three runs, so a
    garbage collection or a page fault in one run does not either. Each shape takes 0.02 to
    0.06 s on this 2-core machine, so the limit leaves a factor of three or more. The two
    tests below count work instead of timing it."""
    text = WORST[name]
    assert len(text) == LIMIT
    assert cpu_seconds(text) < 0.2


def searched(text: str) -> int:
    """Characters the excludes read while every rule's every match is checked (`findings`)."""
    clauses = _Clauses(_normalise(text).text)
    for rule in RULES:
        for _ in _survivors(rule, clauses):
            pass
    return clauses.searched


@pytest.mark.parametrize("name", WORST)
def test_excludes_read_each_clause_a_bounded_number_of_times(name: str) -> None:
    """Counted, not timed: an exclude reads a clause once however many matches it holds, so
    it reads at most three times the text for each rule that has it (the quadratic engine
    read the clause again at each match: 400,000,000 characters for "癌" repeated)."""
    exclude_uses = sum(len(rule.excludes) for rule in RULES)
    assert searched(WORST[name]) <= 3 * LIMIT * exclude_uses


@pytest.mark.parametrize("name", WORST)
def test_twice_the_text_is_at_most_twice_the_work(name: str) -> None:
    """Counted, not timed: the characters the excludes read grow with the text, not with its
    square (the quadratic engine read four times as much for twice the text). The 5 % is
    where the text is cut: a clause more or less."""
    half, full = searched(shapes(LIMIT // 2)[name]), searched(WORST[name])
    assert full <= 2.1 * half
