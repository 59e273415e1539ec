"""Measure the sensitive-data detector on a labelled corpus.

    python -m tools.sensitive_eval [corpus_path] [--errors dev|test]

The corpus is JSON lines, one labelled text each:
``{"lang": "ja"|"en", "split": "dev"|"test", "text": "...", "categories": [...]}``
(an empty list is a negative). The default path is ``tests/data/sensitive_corpus.jsonl``
from the repository root.

For each split it prints precision, recall and F1 per category and micro-averaged over all
categories, then ``any``: the document-level decision (is the text flagged at all, the 422).
The last line is ``RESULT precision=<p> recall=<r> n=<n>`` for the test split (micro).
A score with nothing to count (no prediction, or no gold label) is 1.0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ac_events.catalogue.vocab import SensitiveCategory
from ac_sensitive.detector import detect

DEFAULT_CORPUS = Path("tests/data/sensitive_corpus.jsonl")
SPLITS = ("dev", "test")

Detector = Callable[[str], frozenset[SensitiveCategory]]


@dataclass(frozen=True, slots=True)
class Example:
    lang: str
    split: str
    text: str
    categories: frozenset[SensitiveCategory]
    batch: str = "initial"  # when the text was written relative to the rules


@dataclass(frozen=True, slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Report:
    split: str
    n: int
    per_category: Mapping[SensitiveCategory, Score]
    overall: Score  # micro-average over the categories
    document: Score  # is the text flagged at all


def parse_corpus(lines: Iterable[str]) -> tuple[Example, ...]:
    """The examples of JSON lines (blank lines skipped)."""
    return tuple(_example(json.loads(line)) for line in lines if line.strip())


def _example(row: Mapping[str, object]) -> Example:
    labels = row.get("categories", [])
    if not isinstance(labels, list):
        raise ValueError(f"categories must be a list: {row!r}")
    return Example(
        lang=str(row["lang"]),
        split=str(row.get("split", "dev")),
        text=str(row["text"]),
        categories=frozenset(SensitiveCategory(str(label)) for label in labels),
        batch=str(row.get("batch", "initial")),
    )


def load_corpus(path: Path) -> tuple[Example, ...]:
    with path.open(encoding="utf-8") as lines:
        return parse_corpus(lines)


def _score(gold: bool, predicted: bool) -> Score:
    return Score(
        tp=int(gold and predicted), fp=int(predicted and not gold), fn=int(gold and not predicted)
    )


def evaluate(
    examples: Sequence[Example], split: str, detector: Detector = detect, batch: str | None = None
) -> Report:
    """Score `detector` on the examples of `split` (and of `batch`, if given). Pure."""
    chosen = [e for e in examples if e.split == split and batch in (None, e.batch)]
    per_category = {category: Score() for category in SensitiveCategory}
    document = Score()
    for example in chosen:
        predicted = detector(example.text)
        for category in SensitiveCategory:
            gold = category in example.categories
            per_category[category] += _score(gold, category in predicted)
        document += _score(bool(example.categories), bool(predicted))
    overall = sum(per_category.values(), Score())
    return Report(split, len(chosen), per_category, overall, document)


def mistakes(
    examples: Sequence[Example], split: str, detector: Detector = detect
) -> tuple[tuple[Example, frozenset[SensitiveCategory]], ...]:
    """The examples of `split` where the detector's categories differ from the labels."""
    predictions = ((e, detector(e.text)) for e in examples if e.split == split)
    return tuple((e, p) for e, p in predictions if p != e.categories)


def _row(name: str, score: Score) -> str:
    return (
        f"{name:<30} {score.precision:>6.3f} {score.recall:>6.3f} {score.f1:>6.3f}"
        f" {score.tp:>4} {score.fp:>4} {score.fn:>4}"
    )


def by_batch(examples: Sequence[Example], split: str, detector: Detector = detect) -> str:
    """Micro scores of each batch of `split`, one row each."""
    batches = sorted({e.batch for e in examples if e.split == split})
    reports = [(b, evaluate(examples, split, detector, b)) for b in batches]
    return "\n".join(_row(f"  micro batch={b} n={r.n}", r.overall) for b, r in reports)


def format_report(report: Report) -> str:
    header = f"{'split=' + report.split + ' n=' + str(report.n):<30} {'prec':>6} {'recall':>6}"
    lines = [f"{header} {'f1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
    lines += [_row(category.value, score) for category, score in report.per_category.items()]
    lines += [_row("micro", report.overall), _row("any (document)", report.document)]
    return "\n".join(lines)


def result_line(report: Report) -> str:
    score = report.overall
    return f"RESULT precision={score.precision:.3f} recall={score.recall:.3f} n={report.n}"


def _format_mistakes(found: Sequence[tuple[Example, frozenset[SensitiveCategory]]]) -> str:
    return "\n".join(
        f"gold={sorted(e.categories)} got={sorted(p)} [{e.lang}] {e.text}" for e, p in found
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.sensitive_eval")
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--errors", choices=SPLITS, help="also list the mistakes of a split")
    args = parser.parse_args(argv)
    examples = load_corpus(args.corpus)
    reports = {split: evaluate(examples, split) for split in SPLITS}
    out = [f"{format_report(r)}\n{by_batch(examples, s)}\n" for s, r in reports.items()]
    if args.errors:
        out.append(_format_mistakes(mistakes(examples, args.errors)) + "\n")
    out.append(result_line(reports["test"]))
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
