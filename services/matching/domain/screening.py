"""The match score of many pairs at once, as numbers only: what a schedule draft needs.

``scoring.score`` explains one pair in words; a meet of 3,000 sellers and 300 buyers has
900,000 pairs, and parsing every product's prices and capacities for each of them took
about 25 s. ``Screen`` reads each profile once (sets, parsed decimals) and then gives
``points(seller, buyer)`` equal to ``score(seller, buyer, rare).score`` for every pair;
reasons are worth computing only for the pairs that are kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.scoring import WEIGHTS

_BAD = object()


def _decimal(value: Any) -> Any:
    try:
        parsed = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return _BAD
    return _BAD if parsed.is_nan() else parsed


@dataclass(frozen=True)
class _Offer:
    categories: frozenset
    names: str
    held: frozenset
    gi_made: frozenset
    export_ready: bool
    languages: frozenset
    district: str | None
    yearly_by_unit: dict
    bands: tuple


@dataclass(frozen=True)
class _Need:
    wanted: frozenset
    products: tuple
    required: frozenset
    gi_wanted: frozenset
    volume: tuple | None
    band: tuple | None
    international: bool
    languages: frozenset


def _offer(seller: ParticipantProfile) -> _Offer:
    products = seller.products or []
    yearly: dict[Any, Any] = {}
    for p in products:
        capacity = p.get("monthly_capacity")
        if capacity:
            unit = capacity.get("unit")
            value = _decimal(capacity.get("value")) if "value" in capacity else _BAD
            yearly[unit] = _BAD if _BAD in (value, yearly.get(unit)) else yearly.get(unit, Decimal(0)) + value * 12
    bands = tuple(
        (own.get("currency"), own.get("unit"), _decimal(own["min"]) if "min" in own else _BAD, _decimal(own["max"]) if "max" in own else _BAD)
        for own in (p.get("price_band") for p in products) if own
    )
    return _Offer(
        categories=frozenset(p.get("category") for p in products),
        names=" ".join(f"{p.get('name', '')} {p.get('odop_product') or ''}".lower() for p in products),
        held=frozenset(c.get("kind") for c in seller.verified_claims or []),
        gi_made=frozenset(p.get("gi_tag") for p in products if p.get("gi_tag")),
        export_ready=any(p.get("export_ready") for p in products),
        languages=frozenset(seller.languages), district=seller.district, yearly_by_unit=yearly, bands=bands,
    )


def _need(buyer: ParticipantProfile) -> _Need:
    need = buyer.sourcing or {}
    volume = need.get("annual_volume")
    band = need.get("price_band")
    return _Need(
        wanted=frozenset(need.get("categories") or []),
        products=tuple(w.lower() for w in need.get("products") or []),
        required=frozenset(need.get("required_certifications") or []),
        gi_wanted=frozenset(need.get("gi_tags") or []),
        volume=(_decimal(volume["value"]) if "value" in volume else _BAD, volume.get("unit")) if volume else None,
        band=(_decimal(band["min"]) if "min" in band else _BAD, _decimal(band["max"]) if "max" in band else _BAD, band.get("currency"), band.get("unit")) if band else None,
        international=buyer.international,
        languages=frozenset(buyer.languages),
    )


class Screen:
    """Scores pairs of the given profiles; ``rare_districts`` as in ``scoring.score``."""

    def __init__(self, profiles: list[ParticipantProfile], rare_districts: frozenset[str] = frozenset()):
        self.rare = rare_districts
        self.offers = {p.id: _offer(p) for p in profiles if p.role == "seller"}
        self.needs = {p.id: _need(p) for p in profiles if p.role == "buyer"}

    def points(self, seller_id: str, buyer_id: str) -> int:
        """The pair's score, 0 to 100. Raises KeyError for an id not given as that role."""
        s, b = self.offers[seller_id], self.needs[buyer_id]
        points = 0.0
        if s.categories & b.wanted:
            points += WEIGHTS["category"]
        elif not b.wanted:
            points += WEIGHTS["category"] / 2
        if any(w in s.names for w in b.products):
            points += WEIGHTS["product"]
        if b.required:
            points += WEIGHTS["certification"] * len(b.required & s.held) / len(b.required)
        else:
            points += WEIGHTS["certification"]
        if b.gi_wanted & s.gi_made:
            points += WEIGHTS["gi"]
        elif s.gi_made and not b.gi_wanted:
            points += WEIGHTS["gi"] / 2
        fit = _capacity_fit(s, b)
        points += WEIGHTS["capacity"] if fit is True else 0 if fit is False else WEIGHTS["capacity"] / 2
        if _prices_overlap(s, b):
            points += WEIGHTS["price"]
        if s.export_ready or not b.international:
            points += WEIGHTS["export"]
        if s.languages & b.languages:
            points += WEIGHTS["language"]
        if s.district and s.district in self.rare:
            points += WEIGHTS["district"]
        return max(0, min(100, round(points)))


def _capacity_fit(s: _Offer, b: _Need) -> bool | None:
    if b.volume is None or b.volume[0] is _BAD:
        return None
    return _yearly_fit(s.yearly_by_unit.get(b.volume[1], Decimal(0)), b.volume[0])


def _yearly_fit(yearly: Any, wanted: Decimal) -> bool | None:
    if yearly is _BAD or yearly == 0:
        return None
    return yearly >= wanted


def _prices_overlap(s: _Offer, b: _Need) -> bool:
    if b.band is None:
        return False
    low, high, currency, unit = b.band
    if low is _BAD or high is _BAD:
        return False
    return _bands_overlap(tuple((own_min, own_max) for own_currency, own_unit, own_min, own_max in s.bands if (own_currency, own_unit) == (currency, unit)), low, high)


def _bands_overlap(bands: tuple, low: Decimal, high: Decimal) -> bool:
    """Whether the first of a seller's ``(min, max)`` bands (in the buyer's currency and
    unit) that settles it overlaps ``low..high``; an unreadable amount settles it as no."""
    for own_min, own_max in bands:
        if own_min is _BAD:
            return False
        if own_min <= high:
            if own_max is _BAD:
                return False
            if low <= own_max:
                return True
    return False
