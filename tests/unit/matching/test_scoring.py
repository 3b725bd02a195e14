from services.matching.domain.participants import ParticipantProfile
from services.matching.domain.scoring import score

SELLER = ParticipantProfile(
    id="s1", role="seller", name="Dar Papier Mache Works", country="IN", preferred_language="ks", version=1,
    district="Srinagar", languages=["en", "ks"],
    products=[{
        "name": "Pashmina shawl", "category": "handloom", "gi_tag": "Kashmir Pashmina", "export_ready": True,
        "monthly_capacity": {"value": "100", "unit": "piece"},
        "price_band": {"min": "8000", "max": "40000", "currency": "INR", "unit": "piece"},
    }],
    verified_claims=[{"kind": "gi_authorised_user"}],
)
BUYER = ParticipantProfile(
    id="b1", role="buyer", name="Anna", organisation="Keller Living", country="DE", preferred_language="en", version=1,
    languages=["en", "de"], international=True,
    sourcing={
        "categories": ["handloom"], "products": ["pashmina"], "gi_tags": ["Kashmir Pashmina"],
        "required_certifications": ["gi_authorised_user"], "annual_volume": {"value": "600", "unit": "piece"},
        "price_band": {"min": "10000", "max": "20000", "currency": "INR", "unit": "piece"},
    },
)


def test_a_seller_who_fits_every_need_scores_high_with_reasons_in_words():
    match = score(SELLER, BUYER)
    assert match.score >= 95
    assert "makes GI-tagged Kashmir Pashmina, which you asked for" in match.reasons
    assert "holds verified gi authorised user certification, as required" in match.reasons
    assert "you both speak English" in match.reasons
    assert match.concerns == ()


def test_missing_certificates_export_readiness_and_language_lower_the_score_and_say_why():
    weaker = ParticipantProfile(**{**SELLER.__dict__, "verified_claims": [], "languages": ["ks"],
                                   "products": [{**SELLER.products[0], "export_ready": False}]})
    match = score(weaker, BUYER)
    assert match.score < score(SELLER, BUYER).score - 20
    assert any("not verified" in c for c in match.concerns)
    assert any("interpreter" in c for c in match.concerns)
    assert any("export" in c for c in match.concerns)


def test_a_seller_of_other_goods_scores_low():
    saffron = ParticipantProfile(**{**SELLER.__dict__, "products": [{"name": "Saffron", "category": "spices"}], "verified_claims": []})
    assert score(saffron, BUYER).score < 40


def test_sellers_from_rarely_seen_districts_get_a_small_boost():
    assert score(SELLER, BUYER, frozenset({"Srinagar"})).score >= score(SELLER, BUYER).score
    assert any("rarely seen" in r for r in score(SELLER, BUYER, frozenset({"Srinagar"})).reasons)
