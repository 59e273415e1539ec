"""An Okapi BM25 index kept in memory, documents added and removed one at a time, scored with
numpy: the ranking of `ranking.Bm25Index`, at the scale of 100,000 CVs.

Each document has a slot; its postings are appended to one growable array a term (slots and
term frequencies), so adding is cheap and scoring a query is one vectorised pass over the
postings of its terms. A removed document's slot is marked dead (its postings stay until
`compact` rebuilds the arrays, when a quarter of the slots are dead). Document frequencies,
the number of documents and their mean length count live documents only, so the scores are
exactly `Bm25Index`'s over the same documents (same formula, same order of floating-point
operations; `tests/unit/matching/test_index.py` checks it).

Beside its terms each slot has columns of its own (`columns`: typecode per name), which the
caller reads as numpy arrays to filter before ranking (`column`), and a 64-bit `tie` that
orders equal scores and makes keyset pages (`top`).
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from ac_matching.ranking import K1, B

Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]


class TermIndex:
    def __init__(self, columns: Mapping[str, str] | None = None, k1: float = K1, b: float = B):
        self.k1, self.b = k1, b
        self._kinds = {"tie": "q", **(columns or {})}
        self._reset()

    def _reset(self) -> None:
        self.keys: list[Hashable | None] = []
        self.slot_of: dict[Hashable, int] = {}
        self._terms: list[tuple[str, ...] | None] = []
        self._tfs: list[tuple[int, ...] | None] = []
        self._lengths = array("d")
        self._alive = array("b")
        self._columns = {name: array(code) for name, code in self._kinds.items()}
        self.postings: dict[str, tuple[array[int], array[float], array[float]]] = {}
        """term -> (slots, term frequencies, tf * (k1 + 1)), in slot order."""
        self._changes = 0
        self._normed: tuple[int, Floats] | None = None
        self.df: dict[str, int] = {}
        self.total_length = 0.0
        self.live = 0

    def __len__(self) -> int:
        return self.live

    def __contains__(self, key: Hashable) -> bool:
        return key in self.slot_of

    def add(self, key: Hashable, counts: Mapping[str, int], **values: Any) -> int:
        """Adds (or replaces) a document: its term counts and its columns' values."""
        if key in self.slot_of:
            self.remove(key)
        slot = len(self.keys)
        terms = tuple(sys.intern(t) for t in counts)
        tfs = tuple(int(counts[t]) for t in counts)
        self.keys.append(key)
        self.slot_of[key] = slot
        self._terms.append(terms)
        self._tfs.append(tfs)
        length = float(sum(tfs))
        self._lengths.append(length)
        self._alive.append(1)
        for name, col in self._columns.items():
            col.append(values[name])
        for term, tf in zip(terms, tfs, strict=True):
            posting = self.postings.get(term)
            if posting is None:
                posting = self.postings[term] = (array("i"), array("d"), array("d"))
            posting[0].append(slot)
            posting[1].append(float(tf))
            posting[2].append(tf * (self.k1 + 1))
            self.df[term] = self.df.get(term, 0) + 1
        self.total_length += length
        self.live += 1
        self._changes += 1
        return slot

    def remove(self, key: Hashable) -> None:
        slot = self.slot_of.pop(key, None)
        if slot is None:
            return
        terms = self._terms[slot]
        assert terms is not None
        for term in terms:
            self.df[term] -= 1
        self.total_length -= self._lengths[slot]
        self.live -= 1
        self._changes += 1
        self._alive[slot] = 0
        self.keys[slot] = None
        self._terms[slot] = None
        if len(self.keys) - self.live > max(1000, len(self.keys) // 4):
            self.compact()

    def compact(self) -> None:
        """Rebuilds the arrays from the live documents (slots change; keys do not)."""
        kept = [
            (key, terms, tfs, {n: c[slot] for n, c in self._columns.items()})
            for slot, (key, terms, tfs) in enumerate(zip(self.keys, self._terms, self._tfs,
                                                          strict=True))
            if key is not None and terms is not None and tfs is not None
        ]  # fmt: skip
        self._reset()
        for key, terms, tfs, values in kept:
            self.add(key, dict(zip(terms, tfs, strict=True)), **values)

    def terms_of(self, key: Hashable) -> frozenset[str]:
        terms = self._terms[self.slot_of[key]]
        return frozenset(terms or ())

    def column(self, name: str) -> npt.NDArray[Any]:
        """A column's values by slot (a view: valid until the next add or remove)."""
        return np.frombuffer(self._columns[name], dtype=np.dtype(self._kinds[name]))

    def alive(self) -> Mask:
        return np.frombuffer(self._alive, dtype=np.int8).astype(bool)

    def containing(self, terms: Iterable[str]) -> Mask:
        """The slots whose documents hold every one of `terms`."""
        found = self.alive()
        for term in set(terms):
            posting = self.postings.get(term)
            has = np.zeros(len(self.keys), dtype=bool)
            if posting is not None:
                has[np.frombuffer(posting[0], dtype=np.int32)] = True
            found &= has
        return found

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.live - df + 0.5) / (df + 0.5))

    def _length_norms(self) -> Floats:
        """k1 * (1 - b + b * |D| / avgdl) of every slot, kept until the next change."""
        if self._normed is None or self._normed[0] != self._changes:
            lengths = np.frombuffer(self._lengths, dtype=np.float64)
            average = self.total_length / self.live
            self._normed = self._changes, self.k1 * (1 - self.b + self.b * lengths / average)
        return self._normed[1]

    def scores(self, query: Mapping[str, int]) -> Floats:
        """Every slot's BM25 score for the query's term counts (0 for no shared term): per
        term, tf * (k1 + 1) / (tf + k1 * (1 - b + b * |D| / avgdl)), times qtf * idf, the
        reference's operations in its order, with what depends on the document alone
        computed once."""
        out = np.zeros(len(self.keys), dtype=np.float64)
        if not self.live:
            return out
        norms = self._length_norms()
        for term, qtf in query.items():
            posting = self.postings.get(term)
            if posting is None or not self.df.get(term):
                continue
            weight = qtf * self.idf(term)
            slots = np.frombuffer(posting[0], dtype=np.int32)
            tf = np.frombuffer(posting[1], dtype=np.float64)
            numerator = np.frombuffer(posting[2], dtype=np.float64)
            out[slots] += weight * (numerator / (tf + norms[slots]))
        return out

    def top(
        self,
        scores: Floats,
        mask: Mask | None,
        limit: int,
        after: tuple[float, int] | None = None,
    ) -> list[tuple[Hashable, float, int]]:
        """The best `limit` live slots with a score above 0 (and in `mask`), best first, equal
        scores by `tie`; `after` (score, tie) starts after that item: a keyset page."""
        chosen = self.alive() & (scores > 0)
        if mask is not None:
            chosen &= mask
        tie = self.column("tie")
        if after is not None:
            chosen &= (scores < after[0]) | ((scores == after[0]) & (tie > after[1]))
        slots = np.flatnonzero(chosen)
        if limit <= 0 or not len(slots):
            return []
        if len(slots) > limit:
            kth = np.partition(scores[slots], len(slots) - limit)[len(slots) - limit]
            slots = slots[scores[slots] >= kth]
        order = np.lexsort((tie[slots], -scores[slots]))[:limit]
        return [(self.keys[s], float(scores[s]), int(tie[s])) for s in slots[order]]

    def best(
        self,
        query: Mapping[str, int],
        mask: Mask | None,
        limit: int,
        after: tuple[float, int] | None = None,
    ) -> list[tuple[Hashable, float, int]]:
        """`top(scores(query), mask, limit, after)`, exactly, without scoring every document
        on every term (max-score pruning): the terms that can add most are summed first, over
        their (short) postings; before a long posting list, the documents that can still reach
        the page are counted (their sum so far, plus the most the terms left can add, reaches
        the page's threshold); when few can, only they are scored, term by term in the query's
        order, as `scores` would (the same sums, to the bit). Common words, whose postings are
        long and whose weight is small, are then read only for those few."""
        n = len(self.keys)
        terms = [(t, q) for t, q in query.items() if self.postings.get(t) and self.df.get(t)]
        if not self.live or limit <= 0 or not terms:
            return []
        norms = self._length_norms()
        bound = {t: q * self.idf(t) * (self.k1 + 1) * (1 + 1e-9) for t, q in terms}
        remaining = sum(bound.values())
        part = np.zeros(n, dtype=np.float64)
        allowed = self.alive() if mask is None else self.alive() & mask
        checked_at = math.inf  # what the terms left could add at the last count
        for term, qtf in sorted(terms, key=lambda tq: -bound[tq[0]]):
            posting = self.postings[term]
            if len(posting[0]) > n // 8 and remaining < checked_at / 2:
                checked_at = remaining  # count again once it has halved
                few = self._reachable(part, remaining, allowed, limit, after)
                if few is not None:
                    return self._finish(query, few, norms, limit, after)
            slots = np.frombuffer(posting[0], dtype=np.int32)
            tf = np.frombuffer(posting[1], dtype=np.float64)
            numerator = np.frombuffer(posting[2], dtype=np.float64)
            part[slots] += qtf * self.idf(term) * (numerator / (tf + norms[slots]))
            remaining -= bound[term]
        return self.top(self.scores(query), mask, limit, after)

    def _reachable(
        self,
        part: Floats,
        remaining: float,
        allowed: Mask,
        limit: int,
        after: tuple[float, int] | None,
    ) -> npt.NDArray[np.intp] | None:
        """The slots that may still be on the page, if they are few (else None)."""
        high = part + remaining
        sure = allowed & (part > 0)
        could = allowed & (high > 0)
        if after is not None:
            sure &= high < after[0] * (1 - 1e-9)  # certainly below the cursor's score
            could &= part <= after[0] * (1 + 1e-9) + 1e-12  # not certainly above it
        lows = part[sure]
        if len(lows) < limit:
            return None
        threshold = np.partition(lows, len(lows) - limit)[len(lows) - limit]
        few = np.flatnonzero(could & (high >= threshold * (1 - 1e-9)))
        return few if len(few) <= max(4 * limit, len(self.keys) // 16) else None

    def _finish(
        self,
        query: Mapping[str, int],
        slots: npt.NDArray[np.intp],
        norms: Floats,
        limit: int,
        after: tuple[float, int] | None,
    ) -> list[tuple[Hashable, float, int]]:
        """The exact scores of `slots` (term by term in the query's order) and their page."""
        exact = np.zeros(len(slots), dtype=np.float64)
        for term, qtf in query.items():
            posting = self.postings.get(term)
            if posting is None or not self.df.get(term):
                continue
            have = np.frombuffer(posting[0], dtype=np.int32)
            at = np.searchsorted(have, slots)
            found = at < len(have)
            found[found] = have[at[found]] == slots[found]
            at = at[found]
            tf = np.frombuffer(posting[1], dtype=np.float64)[at]
            numerator = np.frombuffer(posting[2], dtype=np.float64)[at]
            weight = qtf * self.idf(term)
            exact[found] += weight * (numerator / (tf + norms[slots[found]]))
        scores = np.zeros(len(self.keys), dtype=np.float64)
        scores[slots] = exact
        keep = np.zeros(len(self.keys), dtype=bool)
        keep[slots] = True
        return self.top(scores, keep, limit, after)
