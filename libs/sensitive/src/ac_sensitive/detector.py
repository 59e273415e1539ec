"""Detect special care-required personal information (APPI) in CV text, Japanese and English.

The categories are `SensitiveCategory`. A CV that reveals one is refused unless the student
declared it volunteered, so the detector aims at sentences that reveal *the applicant's own*
trait or history, not at every use of a sensitive word.

Method
------
1. Normalise: Unicode NFKC (full-width Latin and digits, half-width katakana) then casefold;
   curly apostrophes become straight ones. Normalisation runs per grapheme-like cluster so
   every normalised character maps back to a span of the original text: `Finding` offsets
   index the text the caller passed in.
2. Match the `Rule`s of ``rules/*.yaml`` (one file a language; the format and its
   checks are in `ac_sensitive.loader`), compiled once, at import. English patterns
   use word boundaries and mostly need a self-reference or an act (``I am a practising
   Buddhist``, ``convicted of``, ``took part in ... demonstrations``); Japanese patterns are
   substrings specific enough to stand alone (``障害者手帳``, ``前科``, ``労働組合``, ``うつ病``).
3. Drop a match when one of the rule's `excludes` occurs in the same clause (text between
   ``, 、 . 。 ; ! ?`` or a line break). Excludes describe contexts that do not reveal the
   person: work products and industries (``healthcare software``, ``障害保険の請求``), academic
   subjects (``criminal law course``, ``政治学科``), other people (``users``, ``利用者``,
   ``祖母``), the employer's side of bargaining (``労働組合との``), negation (``no criminal
   record``, ``前科はありません``) and homonyms (``システム障害``, ``student union``,
   ``生活協同組合``, ``product demo``).

What counts as revealing (decisions)
------------------------------------
- Religion/belief: self-identification, worship, membership of a religious body, baptism,
  mission work. A course (``religious studies``), a school's denomination or a church hall
  used as a venue are not.
- Race/ethnicity/family origin: ethnic or racial self-identification, parents' nationality,
  Buraku/dowa origin, Zainichi status, Ainu heritage, registered domicile (本籍). Birthplace,
  nationality and language ability are not (they are ordinary CV facts).
- Disability: certificates (手帳), quota hiring, the person's impairment or developmental
  disorder. Work for or with disabled people is not.
- Criminal history: arrests, convictions, sentences, probation, prison, juvenile training
  school. A stated clean record is not.
- Collective bargaining: union membership or office, strikes, bargaining as a worker.
  Bargaining for management, student unions and co-operatives are not.
- Political rights: party membership, campaigning, candidacy, voting, demonstrations,
  petitions.
- Sex life/health: diagnoses, illness, hospital or medical treatment, pregnancy, sexual
  orientation and gender identity. A good-health statement is not.

Cost
----
Linear in the text (a CV is up to 20,000 characters of free text, plus a PDF's): each
(exclude, clause) pair is searched once however many matches the clause holds (`_Clauses`),
`detect` stops a rule at its first surviving match and skips the categories it has found,
and no pattern re-reads a run from each of its positions. The worst inputs found take
0.02 to 0.06 s at 20,000 characters (the first engine: up to 30 s); the profile, before
and after, is in docs/resumes-and-matching.md and tests/unit/sensitive/test_sensitive_speed.py
keeps it.

Known limits: a lexicon misses paraphrases it does not list, and clause-level excludes can
hide a real disclosure that shares a clause with a work word. Findings store no matched text,
so they can be logged.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ac_events.catalogue.vocab import SensitiveCategory
from ac_sensitive.loader import Rule, load_rules

__all__ = ["RULES", "Finding", "Rule", "detect", "findings"]

RULES: tuple[Rule, ...] = load_rules()
"""The rules of ``rules/*.yaml``, compiled once, at import."""


@dataclass(frozen=True, slots=True)
class Finding:
    """Where a rule found a category: offsets into the original text, never the text."""

    category: SensitiveCategory
    start: int
    end: int
    rule: str


# --- normalisation with an offset map back to the original text ---------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'"})
_JOINERS = frozenset("\uff9e\uff9f")  # half-width (semi-)voiced sound marks


@dataclass(frozen=True, slots=True)
class _Normalised:
    text: str
    starts: Sequence[int]  # original start of each normalised character
    ends: Sequence[int]  # original end of each normalised character

    def original(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def _fold(cluster: str) -> str:
    return unicodedata.normalize("NFKC", cluster).casefold().translate(_QUOTES)


def _joins(char: str) -> bool:
    return unicodedata.combining(char) != 0 or char in _JOINERS


def _normalise(text: str) -> _Normalised:
    distinct = set(text)
    if any(_joins(char) for char in distinct):
        return _normalise_clusters(text)
    # Every character is a cluster of its own: fold each distinct one once.
    table = {ord(char): _fold(char) for char in distinct}
    folded = text.translate(table)
    if len(folded) == len(text):  # each character folded to one
        return _Normalised(folded, range(len(text)), range(1, len(text) + 1))
    starts: list[int] = []
    ends: list[int] = []
    for i, char in enumerate(text):
        width = len(table[ord(char)])
        starts.extend([i] * width)
        ends.extend([i + 1] * width)
    return _Normalised(folded, starts, ends)


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """Spans of a character and the combining marks that follow it."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not _joins(text[i]):
            yield start, i
            start = i


def _normalise_clusters(text: str) -> _Normalised:
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    folded: dict[str, str] = {}
    for start, end in _clusters(text):
        cluster = text[start:end]
        piece = folded.get(cluster)
        if piece is None:
            piece = folded[cluster] = _fold(cluster)
        pieces.append(piece)
        starts.extend([start] * len(piece))
        ends.extend([end] * len(piece))
    return _Normalised("".join(pieces), starts, ends)


# --- clauses: the context a rule's excludes are looked for in ------------------------------

_CLAUSE_BREAK = re.compile(r"[,、，。!！?？;；\n]|\.(?=\s|$)")


class _Clauses:
    """A normalised text cut into clauses, remembering whether an exclude occurs in a clause.

    A match's clause runs from the break before its start to the break after its end (more
    than one clause if the match spans a break). Each (exclude, clause) pair is searched
    once, however many matches the clause holds. The matches of one rule do not overlap, so
    the clauses of its matches that contain a given character are at most three (one within
    the character's own clause, the one of a match crossing that clause's start, the one of
    a match crossing its end): an exclude reads at most three times the text's length for
    each rule that has it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._bounds = (0, *(m.end() for m in _CLAUSE_BREAK.finditer(text)), len(text))
        self._occurs: dict[tuple[re.Pattern[str], int, int], bool] = {}
        self.searched = 0
        """Characters the excludes were searched over (the tests bound it)."""

    def excluded(self, rule: Rule, start: int, end: int) -> bool:
        """Whether one of `rule`'s excludes occurs in the clause of the span `start`..`end`."""
        if not rule.excludes:
            return False
        bounds = self._bounds
        first = bounds[bisect_right(bounds, start) - 1]
        last = bounds[min(bisect_right(bounds, max(start, end - 1)), len(bounds) - 1)]
        return any(self._occurs_in(exclude, first, last) for exclude in rule.excludes)

    def _occurs_in(self, exclude: re.Pattern[str], first: int, last: int) -> bool:
        key = (exclude, first, last)
        occurs = self._occurs.get(key)
        if occurs is None:
            occurs = self._occurs[key] = exclude.search(self.text[first:last]) is not None
            self.searched += last - first
        return occurs


# --- matching -----------------------------------------------------------------------------


def _span(match: re.Match[str]) -> tuple[int, int]:
    if "hit" in match.re.groupindex and match.group("hit") is not None:
        return match.span("hit")
    return match.span()


def _survivors(rule: Rule, clauses: _Clauses) -> Iterator[tuple[int, int]]:
    """The spans of `rule`'s matches that no exclude of their clause cancels, in text order."""
    for match in rule.pattern.finditer(clauses.text):
        start, end = _span(match)
        if end > start and not clauses.excluded(rule, start, end):
            yield start, end


def _categories(clauses: _Clauses) -> frozenset[SensitiveCategory]:
    """The categories of the rules with a surviving match: each rule stops at its first, and
    a rule whose category is found already is not run."""
    found: set[SensitiveCategory] = set()
    for rule in RULES:
        if rule.category not in found and next(_survivors(rule, clauses), None) is not None:
            found.add(rule.category)
    return frozenset(found)


def findings(text: str) -> tuple[Finding, ...]:
    """Every rule match that survives its excludes, in text order (offsets into `text`)."""
    normalised = _normalise(text)
    clauses = _Clauses(normalised.text)
    found = {
        Finding(rule.category, *normalised.original(start, end), rule.name)
        for rule in RULES
        for start, end in _survivors(rule, clauses)
    }
    return tuple(sorted(found, key=lambda f: (f.start, f.end, f.category, f.rule)))


def detect(text: str) -> frozenset[SensitiveCategory]:
    """The special care-required categories `text` reveals about its author.

    The same as the categories of `findings`, in time linear in the text."""
    return _categories(_Clauses(_normalise(text).text))
