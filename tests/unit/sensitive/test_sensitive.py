"""The sensitive-data detector: explicit cases per category, and its precision and recall on
the labelled corpus (tests/data/sensitive_corpus.jsonl)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ac_events.catalogue.vocab import SensitiveCategory
from ac_sensitive.detector import Finding, detect, findings
from tools.sensitive_eval import (
    Example,
    by_batch,
    evaluate,
    format_report,
    load_corpus,
    result_line,
)

CORPUS = Path(__file__).resolve().parents[2] / "data" / "sensitive_corpus.jsonl"

REL = SensitiveCategory.BELIEFS_RELIGION
RACE = SensitiveCategory.RACE_ETHNICITY_FAMILY_ORIGIN
DIS = SensitiveCategory.DISABILITY
CRIME = SensitiveCategory.CRIMINAL_HISTORY
UNION = SensitiveCategory.COLLECTIVE_BARGAINING
POL = SensitiveCategory.POLITICAL_RIGHTS
HEALTH = SensitiveCategory.SEX_LIFE_HEALTH

REVEALING = [
    (REL, "I am a practising Buddhist."),
    (REL, "私はクリスチャンです。"),
    (REL, "I sing in the choir of my local parish every Sunday."),
    (REL, "創価学会の会員として地域活動に参加しています。"),
    (RACE, "My family is from the Burakumin community."),
    (RACE, "在日朝鮮人二世です。"),
    (RACE, "本籍：北海道札幌市"),
    (DIS, "障害者手帳を持っています。"),
    (DIS, "I am hard of hearing and lip-read in meetings."),
    (DIS, "知的障害があり、療育手帳を持っています。"),
    (CRIME, "前科があります。"),
    (CRIME, "I was convicted of theft in 2018."),
    (CRIME, "執行猶予中です。"),
    (UNION, "労働組合の委員長を務めた。"),
    (UNION, "I was a union representative at the factory."),
    (UNION, "春闘で組合員として賃上げ交渉に参加しました。"),
    (POL, "I am a member of the Green Party."),
    (POL, "I voted in the 2022 upper house election."),
    (POL, "反戦デモに参加しました。"),
    (HEALTH, "I am HIV positive."),
    (HEALTH, "After in-patient treatment for depression I went back to work."),
    (HEALTH, "うつ病で休学しました。"),
    (HEALTH, "I came out as gay during my second year."),
    (HEALTH, "妊娠中のため、来年4月からの勤務を希望します。"),
]

NOT_REVEALING = [
    "Five years in the health care industry.",
    "Built healthcare software for clinics.",
    "Analysed data on disability insurance products.",
    "Completed a criminal law course.",
    "Political science major.",
    "Wrote labour union negotiations software.",
    "Python, Go and Rust.",
    "Ran the diversity & inclusion program.",
    "Treasurer of the student union.",
    "Optimised SQL UNION queries.",
    "Voted best speaker at the debate final.",
    "Gave a product demo to 50 customers.",
    "Organised the third-party vendor review.",
    "I have no criminal record.",
    "システム障害の一次対応を担当しました。",
    "医療業界向けのSaaSを販売しました。",
    "刑法ゼミで判例を研究しました。",
    "生活協同組合でアルバイトをしていました。",
    "政治学科を卒業しました。",
    "宗教学の授業を履修しました。",
    "ハーフマラソンを完走しました。",
    "前科はありません。",
    "健康状態：良好",
    "",
]


@pytest.mark.parametrize(("category", "text"), REVEALING)
def test_a_revealing_sentence_is_detected(category: SensitiveCategory, text: str) -> None:
    assert category in detect(text)


@pytest.mark.parametrize("text", NOT_REVEALING)
def test_a_professional_or_academic_use_is_not(text: str) -> None:
    assert detect(text) == frozenset()


def test_several_categories_in_one_cv() -> None:
    cv = "Political science major.\nI am a devout Muslim.\n前科があります。\nHIV陽性です。"
    assert detect(cv) == {REL, CRIME, HEALTH}


def test_a_finding_holds_no_matched_text() -> None:
    text = "Tanaka was convicted of fraud."
    [finding] = findings(text)
    fields = {f.name for f in dataclasses.fields(Finding)}
    assert fields == {"category", "start", "end", "rule"}
    assert finding.category is CRIME
    assert "fraud" not in repr(finding)
    assert "tanaka" not in repr(finding).casefold()
    assert text[finding.start : finding.end] == "was convicted"
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.start = 0  # type: ignore[misc]


def test_offsets_point_into_the_original_text_after_normalisation() -> None:
    text = "職歴：ＩＴ企業。ＨＩＶ陽性です。ｸﾘｽﾁｬﾝです。"
    spans = {f.category: text[f.start : f.end] for f in findings(text)}
    assert spans == {HEALTH: "ＨＩＶ", REL: "ｸﾘｽﾁｬﾝ"}


def test_findings_are_in_text_order() -> None:
    found = findings("うつ病で休学しました。I am a practising Buddhist.")
    assert [f.start for f in found] == sorted(f.start for f in found)
    assert {f.category for f in found} == {HEALTH, REL}


# --- the corpus ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> tuple[Example, ...]:
    return load_corpus(CORPUS)


def test_detect_answers_the_categories_of_findings(corpus: tuple[Example, ...]) -> None:
    """`detect` stops a rule at its first surviving match and skips a category found
    already; `findings` checks every match. They must agree."""
    texts = [e.text for e in corpus] + [t for _, t in REVEALING] + NOT_REVEALING
    texts.append("\n".join(texts))  # one CV holding them all
    for text in texts:
        assert detect(text) == {f.category for f in findings(text)}, text


def test_the_corpus_is_balanced(corpus: tuple[Example, ...]) -> None:
    japanese = sum(e.lang == "ja" for e in corpus)
    positive = sum(bool(e.categories) for e in corpus)
    test = sum(e.split == "test" for e in corpus)
    assert len(corpus) >= 160
    assert 0.4 <= japanese / len(corpus) <= 0.6
    assert 0.35 <= positive / len(corpus) <= 0.5
    assert 0.25 <= test / len(corpus) <= 0.5
    assert {e.lang for e in corpus} == {"ja", "en"}
    assert {c for e in corpus for c in e.categories} == set(SensitiveCategory)


def test_precision_and_recall_on_the_corpus(corpus: tuple[Example, ...]) -> None:
    reports = {split: evaluate(corpus, split) for split in ("dev", "test")}
    for split, report in reports.items():
        print(f"\n{format_report(report)}\n{by_batch(corpus, split)}")
    print(result_line(reports["test"]))
    test = reports["test"].overall
    assert test.precision >= 0.9
    assert test.recall >= 0.85
    assert reports["dev"].overall.recall >= 0.95


def test_recall_on_text_written_after_the_rules_froze(corpus: tuple[Example, ...]) -> None:
    """The `blind` batch was never tuned against: the honest estimate for new phrasing."""
    blind = evaluate(corpus, "test", batch="blind").overall
    print(f"\nblind: precision={blind.precision:.3f} recall={blind.recall:.3f}")
    assert blind.precision >= 0.9
    assert blind.recall >= 0.65
