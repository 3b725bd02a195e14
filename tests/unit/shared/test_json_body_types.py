"""Every documented request body takes numbers and booleans only as the JSON types its
document names: no field of a body (nested, in a list or as a dict's values) is a
marshmallow Integer, Float or Boolean that would take ``"5"``, cut ``10.9`` to ``10`` or
read ``0`` as false (``shared/json_types.py``)."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask import Blueprint, Flask
from marshmallow import Schema, fields

import services
from shared.http import HexId
from shared.json_types import JsonBool, JsonInt, JsonNumber

LENIENT = {fields.Integer: JsonInt, fields.Float: JsonNumber, fields.Boolean: JsonBool}


def _documented_bodies() -> dict[str, type[Schema]]:
    """Every documented body of the three services: their blueprints registered on a bare
    Flask app each (views made inside functions, such as one per participant role,
    included)."""
    bodies = {}
    blueprints: dict[str, list[Blueprint]] = {}
    for module_info in pkgutil.walk_packages(services.__path__, "services."):
        if ".api" not in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        service = module_info.name.split(".")[1]
        for value in vars(module).values():
            if isinstance(value, Blueprint) and all(value is not b for b in blueprints.get(service, [])):
                blueprints.setdefault(service, []).append(value)
    for service, found in blueprints.items():
        app = Flask(service)
        app.url_map.converters["hexid"] = HexId
        for blueprint in found:
            app.register_blueprint(blueprint)
        for endpoint, view in app.view_functions.items():
            meta = getattr(view, "_openapi", None)
            if meta and meta.get("body") is not None:
                bodies[f"{service}.{endpoint}"] = meta["body"]
    return bodies


def _lenient_fields(schema: Schema, path: str = "") -> list[str]:
    found = []

    def visit(field: fields.Field, where: str) -> None:
        for lenient, strict in LENIENT.items():
            if isinstance(field, lenient) and not isinstance(field, strict):
                found.append(f"{where} ({type(field).__name__}, use {strict.__name__})")
        if isinstance(field, fields.Nested):
            nested = field.schema
            found.extend(_lenient_fields(nested, f"{where}."))
        elif isinstance(field, fields.List):
            visit(field.inner, f"{where}[]")
        elif isinstance(field, fields.Dict) and field.value_field is not None:
            visit(field.value_field, f"{where}{{}}")

    for name, field in schema.load_fields.items():
        visit(field, f"{path}{name}")
    return found


def test_every_service_documents_request_bodies():
    bodies = _documented_bodies()
    assert {name.split(".")[0] for name in bodies} == {"registration", "matching", "notifications"}
    assert len(bodies) >= 30


@pytest.mark.parametrize("view, body", sorted(_documented_bodies().items()))
def test_a_body_takes_numbers_and_booleans_only_as_json_numbers_and_booleans(view, body):
    assert _lenient_fields(body()) == []


def test_the_check_finds_a_lenient_field_however_deep():
    inner = Schema.from_dict({"tables": fields.Int()})
    outer = Schema.from_dict({"rooms": fields.List(fields.Nested(inner)), "weights": fields.Dict(values=fields.Float()), "ok": JsonInt()})
    assert sorted(_lenient_fields(outer())) == ["rooms[].tables (Integer, use JsonInt)", "weights{} (Float, use JsonNumber)"]
