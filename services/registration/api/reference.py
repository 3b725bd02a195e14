"""``/v1/reference``: read-only lists that clients build forms from."""
from flask import Blueprint, request

from shared.auth import ORGANISER
from shared.http import Problem, json_body, require
from shared.openapi import documented

from services.registration.api.context import registration
from services.registration.domain import participants, reference
from services.registration.domain.vocabularies import (
    COUNTRY_ALIASES, GI_TAG_ALIASES, INDIAN_STATE_CODES, LANGUAGE_CODES, LANGUAGE_NAMES, STATE_ALIASES, COUNTRY_NAMES,
)
from services.registration.schemas import StateIn

bp = Blueprint("reference", __name__, url_prefix="/v1/reference")
TAGS = ("reference",)


@bp.get("/states")
@documented("States/UTs and their districts", tags=TAGS, errors=())
def states():
    return {"items": [{"state": s, "districts": list(d)} for s, d in reference.current().districts.items()]}


@bp.put("/states")
@documented("Load (or replace) a state's districts and ODOP products", tags=TAGS, body=StateIn, roles=(ORGANISER,), errors=(400,))
def load_state():
    require(ORGANISER)
    body = StateIn().load(json_body())
    registration().reference.put_state(body["state"], body["districts"], body["odop_products"])
    return {"state": body["state"], "districts": body["districts"]}


@bp.get("/districts")
@documented("Districts of a state (default Jammu and Kashmir)", tags=TAGS, errors=(404,))
def districts():
    state = request.args.get("state", reference.JAMMU_AND_KASHMIR)
    districts = reference.current().districts
    if state not in districts:
        raise Problem(404, "Not Found", f"No districts are loaded for {state}.")
    return {"state": state, "items": list(districts[state])}


@bp.get("/odop-products")
@documented("One District One Product: products by district", tags=TAGS, errors=())
def odop_products():
    district = request.args.get("district")
    items = {d: list(p) for d, p in reference.current().odop.items() if not district or d.casefold() == district.casefold()}
    return {"items": [{"district": d, "products": p} for d, p in items.items()]}


@bp.get("/gi-tags")
@documented("Geographical Indication tags", tags=TAGS, errors=())
def gi_tags():
    return {"items": list(reference.GI_TAGS)}


@bp.get("/vocabularies")
@documented("Allowed values: languages, categories, kinds, certifications, e-commerce channels, India's states and union territories (ISO 3166-2:IN), countries (ISO 3166-1); the other spellings imports take for languages, GI tags, states and countries", tags=TAGS, errors=())
def vocabularies():
    return {
        "languages": reference.LANGUAGES,
        "categories": participants.CATEGORIES,
        "enterprise_kinds": participants.ENTERPRISE_KINDS,
        "buyer_kinds": participants.BUYER_KINDS,
        "certification_kinds": participants.CLAIM_KINDS,
        "ecommerce_channels": participants.ECOMMERCE_CHANNELS,
        "ecommerce_statuses": participants.ECOMMERCE_STATUSES,
        "indian_states": [{"name": name, "code": code} for name, code in INDIAN_STATE_CODES.items()],
        "countries": [{"code": code, "name": name} for code, name in COUNTRY_NAMES.items()],
        "import_spellings": {
            "languages": {code: list(LANGUAGE_CODES[code] + LANGUAGE_NAMES[code]) for code in reference.LANGUAGES},
            "gi_tags": {tag: list(GI_TAG_ALIASES[tag]) for tag in reference.GI_TAGS},
            "states": {name: list(aliases) for name, aliases in STATE_ALIASES.items()},
            "countries": {code: list(aliases) for code, aliases in COUNTRY_ALIASES.items()},
        },
    }
