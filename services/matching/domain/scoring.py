"""How well a seller suits a buyer: a score from 0 to 100 and the reasons, in plain words.

Each criterion adds points and, when it speaks for the pair, a reason a seller would
understand. Weights add up to 100. Nothing here reads a database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from services.matching.domain.participants import ParticipantProfile

WEIGHTS = {"category": 25, "product": 15, "certification": 15, "gi": 10, "capacity": 10, "price": 10, "export": 7, "language": 5, "district": 3}
_LANGUAGE_NAMES = {"ks": "Kashmiri", "ur": "Urdu", "hi": "Hindi", "doi": "Dogri", "en": "English"}


@dataclass(frozen=True)
class Match:
    seller_id: str
    buyer_id: str
    score: int
    reasons: tuple[str, ...] = field(default_factory=tuple)
    concerns: tuple[str, ...] = field(default_factory=tuple)


def score(seller: ParticipantProfile, buyer: ParticipantProfile, rare_districts: frozenset[str] = frozenset()) -> Match:
    """Score one pair. ``rare_districts``: districts few sellers of the meet come from, which
    get a small boost so that buyers meet more of the region, not only its biggest towns."""
    points = 0.0
    reasons: list[str] = []
    concerns: list[str] = []
    need = buyer.sourcing or {}
    products = seller.products or []
    categories = {p.get("category") for p in products}
    wanted = set(need.get("categories") or [])

    shared = sorted(categories & wanted)
    if shared:
        points += WEIGHTS["category"]
        reasons.append(f"makes {_join(shared)} products, which {buyer.organisation or buyer.name} sources")
    elif not wanted:
        points += WEIGHTS["category"] / 2

    names = " ".join(f"{p.get('name', '')} {p.get('odop_product') or ''}".lower() for p in products)
    hits = [w for w in need.get("products") or [] if w.lower() in names]
    if hits:
        points += WEIGHTS["product"]
        reasons.append(f"offers {_join(hits)}, which the buyer asked for")

    held = {c.get("kind") for c in seller.verified_claims or []}
    required = set(need.get("required_certifications") or [])
    if required:
        covered = required & held
        points += WEIGHTS["certification"] * len(covered) / len(required)
        if covered:
            reasons.append(f"holds verified {_join(sorted(covered))} certification, as required")
        missing = required - held
        if missing:
            concerns.append(f"the buyer requires {_join(sorted(missing))}, not verified for this seller")
    else:
        points += WEIGHTS["certification"]

    gi_wanted = set(need.get("gi_tags") or [])
    gi_made = {p.get("gi_tag") for p in products if p.get("gi_tag")}
    if gi_wanted & gi_made:
        points += WEIGHTS["gi"]
        reasons.append(f"makes GI-tagged {_join(sorted(gi_wanted & gi_made))}, which you asked for")
    elif gi_made and not gi_wanted:
        points += WEIGHTS["gi"] / 2

    capacity_fit = _capacity_fit(products, need.get("annual_volume"))
    if capacity_fit is True:
        points += WEIGHTS["capacity"]
        reasons.append("can supply the yearly volume the buyer needs")
    elif capacity_fit is False:
        concerns.append("monthly capacity may be short of the buyer's yearly volume")
    else:
        points += WEIGHTS["capacity"] / 2

    if _prices_overlap(products, need.get("price_band")):
        points += WEIGHTS["price"]
        reasons.append("prices fall within the buyer's price band")
    elif need.get("price_band"):
        concerns.append("prices are outside the buyer's band")

    export_ready = any(p.get("export_ready") for p in products)
    if buyer.international:
        if export_ready:
            points += WEIGHTS["export"]
            reasons.append(f"is ready to export to {buyer.country}")
        else:
            concerns.append("not yet export-ready for an international buyer")
    else:
        points += WEIGHTS["export"]

    common = sorted(set(seller.languages) & set(buyer.languages))
    if common:
        points += WEIGHTS["language"]
        reasons.append(f"you both speak {_join([_LANGUAGE_NAMES.get(c, c) for c in common])}")
    else:
        concerns.append("no common language: an interpreter is needed")

    if seller.district and seller.district in rare_districts:
        points += WEIGHTS["district"]
        reasons.append(f"brings products from {seller.district}, rarely seen at this meet")

    return Match(seller.id, buyer.id, max(0, min(100, round(points))), tuple(reasons), tuple(concerns))


def _capacity_fit(products: list[dict], volume: dict | None) -> bool | None:
    if not volume:
        return None
    try:
        needed = Decimal(str(volume["value"]))
        yearly = sum(
            Decimal(str(p["monthly_capacity"]["value"])) * 12
            for p in products
            if p.get("monthly_capacity") and p["monthly_capacity"].get("unit") == volume.get("unit")
        )
    except (InvalidOperation, KeyError, TypeError):
        return None
    if yearly == 0:
        return None
    return yearly >= needed


def _prices_overlap(products: list[dict], band: dict | None) -> bool:
    if not band:
        return False
    try:
        low, high = Decimal(str(band["min"])), Decimal(str(band["max"]))
        for p in products:
            own = p.get("price_band")
            if own and own.get("currency") == band.get("currency") and own.get("unit") == band.get("unit"):
                if Decimal(str(own["min"])) <= high and low <= Decimal(str(own["max"])):
                    return True
    except (InvalidOperation, KeyError, TypeError):
        return False
    return False


def _join(items: list[str]) -> str:
    items = [str(i).replace("_", " ") for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
