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

GI_TAGS = (
    "Kashmir Pashmina", "Kashmir Sozani Craft", "Kani Shawl", "Kashmiri Hand Knotted Carpet",
    "Kashmir Papier Mache", "Kashmir Walnut Wood Carving", "Khatamband", "Kashmir Saffron",
    "Basohli Painting", "Basohli Pashmina", "Bhaderwah Rajmash", "Ramban Anardana",
    "Mushqbudji Rice", "Kalari", "Sulai Honey", "Chikri Wood Craft",
)


def canonical_district(state: str, district: str) -> str | None:
    """The district's canonical spelling in ``state``, matched case-insensitively."""
    wanted = district.strip().casefold()
    return next((d for d in DISTRICTS.get(state, ()) if d.casefold() == wanted), None)
