"""Reference data: states/UTs, districts and languages that forms and validation use."""

JAMMU_AND_KASHMIR = "Jammu and Kashmir"

DISTRICTS: dict[str, tuple[str, ...]] = {
    JAMMU_AND_KASHMIR: (
        "Anantnag", "Bandipora", "Baramulla", "Budgam", "Doda", "Ganderbal", "Jammu",
        "Kathua", "Kishtwar", "Kulgam", "Kupwara", "Poonch", "Pulwama", "Rajouri",
        "Ramban", "Reasi", "Samba", "Shopian", "Srinagar", "Udhampur",
    ),
}

LANGUAGES = {"ks": "Kashmiri", "ur": "Urdu", "hi": "Hindi", "doi": "Dogri", "en": "English"}


def canonical_district(state: str, district: str) -> str | None:
    """The district's canonical spelling in ``state``, matched case-insensitively."""
    wanted = district.strip().casefold()
    return next((d for d in DISTRICTS.get(state, ()) if d.casefold() == wanted), None)
