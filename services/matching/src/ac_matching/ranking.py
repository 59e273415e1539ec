"""Ranking student CVs against vacancies, both ways, with Okapi BM25 over Japanese and English.

The method
----------
Each CV and each vacancy is flattened to one text (`cv_text`, `vacancy_text`) in which the
parts that say most about fit are repeated: a CV's skills three times and its desired roles
twice; a vacancy's skills three times and its title twice. The texts are cut into terms by
`tokenize`, and one side is ranked against the other with BM25:

    score(D, Q) = sum over distinct terms t of Q of
                  qtf(t, Q) * idf(t) * tf(t, D) * (k1 + 1) / (tf(t, D) + k1 * (1 - b + b * |D| / avgdl))
    idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

N is the number of documents, df(t) how many contain t, |D| a document's length in terms
and avgdl the mean length. The idf is Lucene's, which is never negative, so every score is
a finite float >= 0. k1 = 1.2 bounds what repeating a term in a document can earn (the
term-frequency part tends to k1 + 1 = 2.2); b = 0.75 normalises most of the way for length,
so a long description does not win by naming everything. Terms count linearly on the query
side (Okapi's k3 taken as infinite): that is how the repetitions of `cv_text` and
`vacancy_text` weigh when the structured side is the query.

Both directions use the same scorer: a student's top vacancies index the open vacancies and
query with the CV (`rank_vacancies_for_cv`); a client's candidates for a vacancy index the
CVs and query with the vacancy (`rank_cvs_for_vacancy`). Documents that share no term with
the query score 0 and are left out of a top list: no evidence is not a match.

The tokenizer
-------------
Text is NFKC-normalised (full-width Latin and half-width katakana become ordinary) and
casefolded, then cut into runs of one script:

- Latin letters and digits make words. Dots between letters stay inside a word and `+` and
  `#` at its end stay on it ("node.js", "asp.net", ".net", "c++", "c#"); any other symbol
  separates ("ci/cd" -> "ci", "cd"; "full-stack" -> "full", "stack"). A small list of
  English stopwords is dropped, but not words that are also skills or places ("go", "it",
  "r", "c", "us"); numbers alone are dropped; a plural "s" is stripped from words of four
  letters or more not ending in "ss", "us" or "is" ("skills" -> "skill").
- Kanji, hiragana, katakana and hangul runs become character bigrams ("機械設計" -> "機械",
  "械設", "設計"), a one-character run a unigram. Bigrams never cross from one script to
  another, where Japanese words usually end ("データ分析" -> "デー", "ータ", "分析"), and a
  lone hiragana character (a particle: の, を, に, ...) is dropped.

Limits: it is lexical. There are no synonyms and no translation, so an English CV meets a
Japanese vacancy only through the words both write alike (Python, AWS, Excel, TOEIC) and
country names, which `vacancy_text` spells in both languages; and nothing understands that
a vacancy abroad does not suit someone who wants to stay in Tokyo.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

K1 = 1.2
"""BM25 term-frequency saturation: a term's contribution tends to (k1 + 1) times its idf."""
B = 0.75
"""BM25 length normalisation: 0 ignores document length, 1 divides fully by it."""

SKILL_WEIGHT = 3
ROLE_WEIGHT = 2
TITLE_WEIGHT = 2

# fmt: off
ENGLISH_STOPWORDS = frozenset({
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be",
    "been", "both", "but", "by", "can", "could", "e.g", "each", "etc", "for", "from", "had",
    "has", "have", "he", "her", "his", "i", "i.e", "if", "in", "into", "is", "its", "may",
    "me", "more", "most", "must", "my", "of", "on", "or", "other", "our", "over", "per",
    "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "under", "up", "very", "via", "was",
    "we", "were", "what", "when", "where", "which", "while", "who", "will", "with",
    "within", "without", "would", "you", "your", "s", "t",
})
# fmt: on
"""Dropped from Latin text. Not "it", "us", "go", "r" or "c": they are also skills or places."""

_LATIN = r"\.?[0-9a-z\u00c0-\u024f]+(?:\.[0-9a-z\u00c0-\u024f]+)*[+#]*"
_KANJI = r"[\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
_HIRAGANA = r"[\u3041-\u3096\u309d\u309e]+"
_KATAKANA = r"[\u30a1-\u30fa\u30fc-\u30ff]+"
_HANGUL = r"[\uac00-\ud7a3]+"
_RUN = re.compile(
    f"(?P<latin>{_LATIN})|(?P<hiragana>{_HIRAGANA})|(?P<cjk>{_KANJI}|{_KATAKANA}|{_HANGUL})"
)
_NUMBER = re.compile(r"^[0-9.]+$")

COUNTRY_NAMES: Mapping[str, tuple[str, ...]] = {
    "JP": ("Japan", "日本"),
    "US": ("United States", "USA", "アメリカ"),
    "GB": ("United Kingdom", "UK", "イギリス"),
    "SG": ("Singapore", "シンガポール"),
    "DE": ("Germany", "ドイツ"),
    "FR": ("France", "フランス"),
    "AU": ("Australia", "オーストラリア"),
    "NZ": ("New Zealand", "ニュージーランド"),
    "CA": ("Canada", "カナダ"),
    "KR": ("South Korea", "Korea", "韓国"),
    "CN": ("China", "中国"),
    "TW": ("Taiwan", "台湾"),
    "HK": ("Hong Kong", "香港"),
    "TH": ("Thailand", "タイ"),
    "VN": ("Vietnam", "ベトナム"),
    "PH": ("Philippines", "フィリピン"),
    "MY": ("Malaysia", "マレーシア"),
    "ID": ("Indonesia", "インドネシア"),
    "IN": ("India", "インド"),
}
"""A vacancy's country in English and Japanese, so that a CV's desired locations can meet it."""


def tokenize(text: str) -> list[str]:
    """The terms of `text`, in order (see the module docstring for the rules)."""
    terms: list[str] = []
    for match in _RUN.finditer(unicodedata.normalize("NFKC", text).casefold()):
        run = match.group()
        if match.lastgroup == "latin":
            terms.extend(_latin(run))
        elif match.lastgroup == "hiragana":
            terms.extend(_bigrams(run) if len(run) > 1 else ())
        else:
            terms.extend(_bigrams(run))
    return terms


def _latin(word: str) -> list[str]:
    if word in ENGLISH_STOPWORDS or _NUMBER.match(word):
        return []
    return [_singular(word)]


def _singular(word: str) -> str:
    plural = len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is"))
    return word[:-1] if plural and word.isalpha() else word


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


class Document(NamedTuple):
    """A text to rank and the key it is known by (a vacancy or a resume id)."""

    key: str
    text: str


@dataclass(frozen=True)
class Bm25Index:
    """An inverted index of documents, scored with Okapi BM25 (build one with `build`)."""

    lengths: Mapping[str, int]
    postings: Mapping[str, Mapping[str, int]] = field(repr=False)
    average_length: float
    k1: float = K1
    b: float = B

    @classmethod
    def build(cls, documents: Iterable[tuple[str, str]], k1: float = K1, b: float = B) -> Bm25Index:
        """Index (key, text) pairs (a `Document` is one); keys must be unique."""
        lengths: dict[str, int] = {}
        postings: dict[str, dict[str, int]] = {}
        for key, text in documents:
            if key in lengths:
                raise ValueError(f"duplicate document key {key!r}")
            counts = Counter(tokenize(text))
            lengths[key] = sum(counts.values())
            for term, tf in counts.items():
                postings.setdefault(term, {})[key] = tf
        average = sum(lengths.values()) / len(lengths) if lengths else 0.0
        return cls(lengths, postings, average, k1, b)

    def __len__(self) -> int:
        return len(self.lengths)

    def idf(self, term: str) -> float:
        """Lucene's BM25 idf: high for rare terms, near 0 (never below) for ubiquitous ones."""
        df = len(self.postings.get(term, {}))
        return math.log(1 + (len(self.lengths) - df + 0.5) / (df + 0.5))

    def score(self, query_text: str) -> dict[str, float]:
        """Every document's BM25 score for the query; 0.0 for those sharing no term with it."""
        scores = dict.fromkeys(self.lengths, 0.0)
        for term, qtf in Counter(tokenize(query_text)).items():
            postings = self.postings.get(term)
            if not postings:
                continue
            weight = qtf * self.idf(term)
            for key, tf in postings.items():
                scores[key] += weight * self._saturated(tf, self.lengths[key])
        return scores

    def _saturated(self, tf: int, length: int) -> float:
        # A term in a posting means some document has a term, so average_length > 0.
        norm = 1 - self.b + self.b * length / self.average_length
        return tf * (self.k1 + 1) / (tf + self.k1 * norm)

    def top(self, query_text: str, n: int) -> list[tuple[str, float]]:
        """The best `n` documents with a score above 0, best first, equal scores by key."""
        scored = [(key, s) for key, s in self.score(query_text).items() if s > 0]
        return sorted(scored, key=lambda pair: (-pair[1], pair[0]))[: max(n, 0)]


def rank_vacancies_for_cv(cv: str, vacancies: Mapping[str, str], n: int) -> list[tuple[str, float]]:
    """A student's top `n` vacancies: `vacancies` maps id to `vacancy_text`, `cv` is `cv_text`."""
    return Bm25Index.build(vacancies.items()).top(cv, n)


def rank_cvs_for_vacancy(vacancy: str, cvs: Mapping[str, str], n: int) -> list[tuple[str, float]]:
    """A client's top `n` candidates: `cvs` maps id to `cv_text`, `vacancy` is `vacancy_text`."""
    return Bm25Index.build(cvs.items()).top(vacancy, n)


def normalised(score: float, best: float) -> float:
    """`score` as a share of the best score of its list, in [0, 1] (0 when nothing scored).

    BM25 scores are not comparable across queries; this one is, within a list, for display.
    """
    if not (best > 0 and math.isfinite(best) and math.isfinite(score)):
        return 0.0
    return min(1.0, max(0.0, score / best))


def cv_text(
    skills: Sequence[str] = (),
    desired_roles: Sequence[str] = (),
    desired_locations: Sequence[str] = (),
    experience: Sequence[str] = (),
    education: Sequence[str] = (),
    languages: Sequence[str] = (),
    free_text: str = "",
) -> str:
    """A CV as one text to rank, its skills and desired roles repeated to weigh more."""
    return _joined(
        *_weighted(skills, SKILL_WEIGHT),
        *_weighted(desired_roles, ROLE_WEIGHT),
        *_items(desired_locations),
        *_items(experience),
        *_items(education),
        *_items(languages),
        free_text,
    )


def vacancy_text(
    title: str, description: str = "", skills: Sequence[str] = (), location_country: str = ""
) -> str:
    """A vacancy as one text to rank, its title and skills repeated to weigh more, and its
    country named in English and Japanese (the ISO code itself when not in COUNTRY_NAMES)."""
    country = COUNTRY_NAMES.get(location_country.upper(), (location_country,))
    return _joined(
        *_weighted([title], TITLE_WEIGHT),
        *_weighted(skills, SKILL_WEIGHT),
        description,
        *country,
    )


def _items(parts: Sequence[str]) -> Sequence[str]:
    if isinstance(parts, str):
        raise TypeError("expected a sequence of strings, not one string")
    return parts


def _weighted(parts: Sequence[str], times: int) -> list[str]:
    return [part for _ in range(times) for part in _items(parts)]


def _joined(*parts: str) -> str:
    return "\n".join(part for part in parts if part.strip())
