"""Reference data: states/UTs, districts and languages that forms and validation use."""
from contextvars import ContextVar
from dataclasses import dataclass, field

from shared import gi_tags

JAMMU_AND_KASHMIR = "Jammu and Kashmir"

DISTRICTS: dict[str, tuple[str, ...]] = {
    JAMMU_AND_KASHMIR: (
        "Anantnag", "Bandipora", "Baramulla", "Budgam", "Doda", "Ganderbal", "Jammu",
        "Kathua", "Kishtwar", "Kulgam", "Kupwara", "Poonch", "Pulwama", "Rajouri",
        "Ramban", "Reasi", "Samba", "Shopian", "Srinagar", "Udhampur",
    ),
}

LANGUAGES = {"ks": "Kashmiri", "ur": "Urdu", "hi": "Hindi", "doi": "Dogri", "en": "English"}

# A seed for forms; organisers load the current official list through the reference API.
ODOP_PRODUCTS: dict[str, tuple[str, ...]] = {
    "Anantnag": ("Willow cricket bats",),
    "Budgam": ("Kani shawl", "Walnuts"),
    "Pulwama": ("Saffron",),
    "Srinagar": ("Papier mache", "Pashmina shawl"),
    "Baramulla": ("Walnut wood carving",),
    "Ganderbal": ("Crewel embroidery",),
    "Kathua": ("Basohli painting",),
    "Doda": ("Rajmash (red kidney beans)",),
    "Ramban": ("Anardana", "Sulai honey"),
    "Rajouri": ("Chikri wood craft",),
    "Jammu": ("Basmati rice",),
}

GI_TAGS = gi_tags.GI_TAGS


@dataclass(frozen=True)
class Reference:
    """States with their districts and ODOP products: the seed plus what organisers loaded."""

    districts: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DISTRICTS))
    odop: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(ODOP_PRODUCTS))

    def with_state(self, state: str, districts: list[str], odop: dict[str, list[str]]) -> "Reference":
        return Reference({**self.districts, state: tuple(districts)}, {**self.odop, **{d: tuple(p) for d, p in odop.items()}})

    def canonical_district(self, state: str, district: str) -> str | None:
        """The district's canonical spelling in ``state``, matched case-insensitively."""
        wanted = district.strip().casefold()
        return next((d for d in self.districts.get(state, ()) if d.casefold() == wanted), None)


SEED = Reference()
_current: ContextVar[Reference] = ContextVar("reference", default=SEED)


def current() -> Reference:
    """The reference data in force for the request in hand (the seed outside requests)."""
    return _current.get()


def use(reference: Reference) -> None:
    _current.set(reference)


def canonical_district(state: str, district: str) -> str | None:
    return current().canonical_district(state, district)

