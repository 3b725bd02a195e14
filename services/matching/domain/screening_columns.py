"""The match scores of one buyer with every seller at once: ``Screen.points`` as array work.

A national meet has 3,000 sellers and 300 buyers; scoring its 900,000 pairs one call at a
time took most of a draft's time. ``SellerColumns`` groups the sellers by each feature a
score part depends on (categories, certificates held, GI tags, languages, capacity in a
unit, price bands in a currency and unit): a part is worked out once per distinct value
and spread to the sellers with numpy. The parts are added in ``Screen.points``'s order, in
float64 as Python adds them, and rounded half to even as ``round`` does, so every score is
exactly the one ``Screen.points`` gives (``tests/unit/matching/test_screening_columns.py``).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Hashable, Iterable

import numpy as np

from services.matching.domain.preferences import pair_value
from services.matching.domain.scoring import WEIGHTS
from services.matching.domain.screening import _BAD, Screen, _bands_overlap, _Need, _yearly_fit


class _Column:
    """One feature of every seller: ``codes[i]`` is the index in ``keys`` of seller i's value."""

    def __init__(self, values: Iterable[Hashable]):
        index: dict[Hashable, int] = {}
        self.keys: list[Hashable] = []
        codes = []
        for value in values:
            code = index.get(value)
            if code is None:
                code = index[value] = len(self.keys)
                self.keys.append(value)
            codes.append(code)
        self.codes = np.array(codes, dtype=np.intp)

    def spread(self, part: Callable[[Any], float]) -> np.ndarray:
        """``part`` of each seller's value, computed once per distinct value (float64)."""
        return np.array([part(key) for key in self.keys], dtype=np.float64)[self.codes]


class SellerColumns:
    """Every seller of ``screen`` as columns; ``points_of(buyer_id)`` gives the buyer's score
    with each seller, in ``seller_ids`` order (int64, 0 to 100). KeyError for an unknown buyer."""

    def __init__(self, screen: Screen):
        self.screen = screen
        self.seller_ids = list(screen.offers)
        self.position = {seller_id: i for i, seller_id in enumerate(self.seller_ids)}
        offers = [screen.offers[s] for s in self.seller_ids]
        self.categories = _Column(o.categories for o in offers)
        self.held = _Column(o.held for o in offers)
        self.gi_made = _Column(o.gi_made for o in offers)
        self.languages = _Column(o.languages for o in offers)
        self.export_ready = np.array([o.export_ready for o in offers], dtype=bool)
        self.rare = np.array([bool(o.district) and o.district in screen.rare for o in offers], dtype=bool)
        self._names = [o.names for o in offers]
        self._offers = offers
        self._word_masks: dict[str, np.ndarray] = {}
        self._yearly: dict[Any, _Column] = {}
        self._bands: dict[tuple, _Column] = {}

    def points_of(self, buyer_id: str) -> np.ndarray:
        b = self.screen.needs[buyer_id]
        points = np.zeros(len(self.seller_ids), dtype=np.float64)
        points += self.categories.spread(lambda cats: WEIGHTS["category"] if cats & b.wanted else WEIGHTS["category"] / 2 if not b.wanted else 0)
        points += np.where(self._names_with_any(b.products), WEIGHTS["product"], 0)
        points += self.held.spread(lambda held: WEIGHTS["certification"] * len(b.required & held) / len(b.required) if b.required else WEIGHTS["certification"])
        points += self.gi_made.spread(lambda made: WEIGHTS["gi"] if b.gi_wanted & made else WEIGHTS["gi"] / 2 if made and not b.gi_wanted else 0)
        points += self._capacity(b)
        points += self._price(b)
        points += np.where(self.export_ready | (not b.international), WEIGHTS["export"], 0)
        points += self.languages.spread(lambda languages: WEIGHTS["language"] if languages & b.languages else 0)
        points += np.where(self.rare, WEIGHTS["district"], 0)
        return np.clip(np.round(points), 0, 100).astype(np.int64)

    def _names_with_any(self, words: tuple[str, ...]) -> np.ndarray:
        found = np.zeros(len(self.seller_ids), dtype=bool)
        for word in words:
            mask = self._word_masks.get(word)
            if mask is None:
                mask = self._word_masks[word] = np.array([word in names for names in self._names], dtype=bool)
            found |= mask
        return found

    def _capacity(self, b: _Need) -> np.ndarray:
        half = WEIGHTS["capacity"] / 2
        if b.volume is None or b.volume[0] is _BAD:
            return np.full(len(self.seller_ids), half, dtype=np.float64)
        wanted, unit = b.volume
        column = self._yearly.get(unit)
        if column is None:
            column = self._yearly[unit] = _Column(o.yearly_by_unit.get(unit, Decimal(0)) for o in self._offers)

        def part(yearly: Any) -> float:
            fit = _yearly_fit(yearly, wanted)
            return WEIGHTS["capacity"] if fit is True else 0 if fit is False else half

        return column.spread(part)

    def _price(self, b: _Need) -> np.ndarray:
        if b.band is None or b.band[0] is _BAD or b.band[1] is _BAD:
            return np.zeros(len(self.seller_ids), dtype=np.float64)
        low, high, currency, unit = b.band
        column = self._bands.get((currency, unit))
        if column is None:
            column = self._bands[(currency, unit)] = _Column(
                tuple((lo, hi) for cu, un, lo, hi in o.bands if (cu, un) == (currency, unit)) for o in self._offers)
        return column.spread(lambda bands: WEIGHTS["price"] if _bands_overlap(bands, low, high) else 0)


class Ranking:
    """The sellers a draft considers for each buyer, given the meet's ``said`` (``(who,
    counterpart)`` to must_meet, would_like or no_thanks) and the buyer factor: values and
    kinds as ``preferences.pair_value`` gives them; pairs nobody spoke of are valued at their
    score."""

    def __init__(self, columns: SellerColumns, said: dict[tuple[str, str], str], buyer_factor: float):
        self.columns = columns
        self.said = said
        self.buyer_factor = buyer_factor
        self.spoken_of: dict[str, set[str]] = {}
        for who, counterpart in said:
            self.spoken_of.setdefault(who, set()).add(counterpart)
            self.spoken_of.setdefault(counterpart, set()).add(who)

    def value_of(self, seller_id: str, buyer_id: str) -> tuple[float, str] | None:
        """``preferences.pair_value`` of one pair (None: a no thanks). KeyError for an
        unknown seller or buyer."""
        points = self.columns.points_of(buyer_id)[self.columns.position[seller_id]]
        return pair_value(int(points), self.said.get((buyer_id, seller_id)), self.said.get((seller_id, buyer_id)), self.buyer_factor)

    def sellers_for(self, buyer_id: str, keep: int) -> tuple[list[tuple[float, str, str]], set[tuple[str, str]]]:
        """``(value, kind, seller_id)`` in order of value (ties in ``seller_ids`` order): the
        first ``keep`` and every requested pair further down; and the ``(seller, buyer)``
        pairs a no thanks excludes. KeyError for an unknown buyer."""
        columns = self.columns
        points = columns.points_of(buyer_id)
        values = points.astype(np.float64)
        requested = np.zeros(len(values), dtype=bool)
        included = np.ones(len(values), dtype=bool)
        kind_of: dict[int, str] = {}
        excluded = set()
        for i in sorted(columns.position[s] for s in self.spoken_of.get(buyer_id, ()) if s in columns.position):
            seller_id = columns.seller_ids[i]
            valued = pair_value(int(points[i]), self.said.get((buyer_id, seller_id)), self.said.get((seller_id, buyer_id)), self.buyer_factor)
            if valued is None:
                included[i] = False
                excluded.add((seller_id, buyer_id))
            else:
                values[i], kind_of[i] = valued
                requested[i] = valued[1] != "recommended"
        order = np.flatnonzero(included)
        order = order[np.argsort(-values[order], kind="stable")]
        chosen = np.concatenate([order[:keep], order[keep:][requested[order[keep:]]]])
        return [(float(values[i]), kind_of.get(i, "recommended"), columns.seller_ids[i]) for i in chosen.tolist()], excluded
