"""The OpenAPI 3 document of a service, built from its views and marshmallow schemas.

Views declare what they take and give with ``@documented(...)``; the same schema classes
load the requests, so the document cannot drift from the code. ``/openapi.json`` serves
it and ``/docs`` renders it (Swagger UI, ``shared/swagger_ui.py``).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import Blueprint, Flask, Response, current_app
from marshmallow import INCLUDE, Schema, fields

from shared.swagger_ui import add_docs_routes
from shared.text import SafeText, blank_pattern, text_pattern

_PATH_PARAM = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
STANDARD_ERRORS = {
    400: "Malformed request",
    401: "No or invalid credentials",
    403: "Not allowed for this caller",
    404: "Not found",
    409: "Conflicts with the current state",
    412: "Changed since you read it (If-Match)",
    413: "Body larger than the service accepts",
    415: "Body is not JSON",
    422: "Invalid fields (see errors)",
    428: "If-Match required",
    429: "Too many requests (see Retry-After)",
}
SUCCESSES = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}


ETAG_PATTERN = r'^(W/)?"[0-9]+"$'
HEADER_SCHEMAS = {
    "If-Match": {"type": "string", "pattern": ETAG_PATTERN, "description": "The ETag you last read."},
    "Idempotency-Key": {"type": "string", "minLength": 8, "maxLength": 200},
}
HEADER_ERRORS = {"If-Match": {400, 412, 428}, "Idempotency-Key": {400, 409, 422}}


class ProblemSchema(Schema):
    """RFC 9457 problem details; some problems add members of their own (``retry_after``,
    ``current_version``, ``max_bytes``...)."""

    class Meta:
        unknown = INCLUDE

    type = fields.Str()
    title = fields.Str()
    status = fields.Int()
    detail = fields.Str()
    errors = fields.Dict(keys=fields.Str(), metadata={"description": "Field name -> messages"})
    reason = fields.Str(metadata={"description": "Where the service names the rule that refused the request, its code (the "
                                                 "detail is English and may change): e.g. too_many_wrong_codes"})


def documented(
    summary: str,
    *,
    tags: tuple[str, ...] = (),
    body: type[Schema] | None = None,
    response: type[Schema] | None = None,
    status: int = 200,
    query: type[Schema] | None = None,
    paged: bool = False,
    roles: tuple[str, ...] = (),
    errors: tuple[int, ...] = (400, 404),
    headers: tuple[str, ...] = (),
    content_types: tuple[str, ...] = ("application/json",),
    body_optional: bool = False,
    also: tuple[tuple[int, type[Schema]], ...] = (),
):
    """Record a view's contract for the OpenAPI document. The errors every such view can
    give are added to ``errors`` when it is built: 401/403 with ``roles``; 400, 413, 415 and
    422 with a ``body`` (``body_optional``: it may be left out, see ``json_body``); 400 and
    422 with a ``query``; what ``HEADER_ERRORS`` lists for each of ``headers``. ``also``:
    the view's other success answers besides ``status`` and ``response``, as (status, body
    schema), such as a 202 with a job when the work goes on in the background. A view under
    ``shared.http.idempotent`` documents ``Idempotency-Key`` whether or not ``headers`` names it."""

    def mark(view):
        named = headers if not getattr(view, "idempotent", False) or "Idempotency-Key" in headers else (*headers, "Idempotency-Key")
        view._openapi = dict(
            summary=summary, tags=tags, body=body, response=response, status=status, query=query,
            paged=paged, roles=roles, errors=errors, headers=named, content_types=content_types,
            body_optional=body_optional, also=also,
        )
        return view

    return mark


@lru_cache(maxsize=None)
def page_of(item: type[Schema]) -> type[Schema]:
    """``{"items": [...], "next_cursor": "..."}`` for ``item``."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item)), "next_cursor": fields.Str(allow_none=True)},
        name=f"{item.__name__.removesuffix('Schema')}Page",
    )


class _RulesConverter(OpenAPIConverter):
    """apispec's converter, adding the rules a schema declares across its fields
    (``Meta.json_schema``: ``anyOf``, ``not``...) to the object it documents, and saying
    what a nullable nested object is: its schema, or null."""

    def schema2jsonschema(self, schema):
        jsonschema = super().schema2jsonschema(schema)
        jsonschema.update(getattr(getattr(schema, "Meta", None), "json_schema", {}))
        return jsonschema

    def field2property(self, field: fields.Field) -> dict:
        """A field that states its own JSON Schema (``metadata["json_schema"]``, for values of
        more than one JSON type) is documented by it; the rest as apispec does."""
        own = field.metadata.get("json_schema")
        return dict(own) if own is not None else super().field2property(field)

    def field2nullable(self, field: fields.Field, ret) -> dict:
        """apispec (OpenAPI 3.0) writes a nullable ``Nested`` as ``anyOf: [{type: object,
        nullable: true}, {$ref}]``, whose first branch takes any object at all; here that
        branch takes null only."""
        attributes = super().field2nullable(field, ret)
        if "anyOf" in attributes:
            any_object = {"type": "object", "nullable": True}
            attributes["anyOf"] = [{**any_object, "enum": [None]} if branch == any_object else branch for branch in attributes["anyOf"]]
        return attributes


class _Plugin(MarshmallowPlugin):
    Converter = _RulesConverter


def build_spec(app: Flask, title: str, version: str, description: str = "") -> dict[str, Any]:
    marshmallow = _Plugin()
    spec = APISpec(title, version, "3.0.3", plugins=[marshmallow], info={"description": description})
    marshmallow.converter.add_attribute_function(_text_rules)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "description": "An API key (organisers, operators) or a participant token."})
    spec.components.schema("Problem", schema=ProblemSchema)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        meta = getattr(app.view_functions[rule.endpoint], "_openapi", None)
        if meta is None:
            continue
        path = _PATH_PARAM.sub(r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, meta)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _text_rules(self, field: fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Free-text fields the client sends (shared/text.py) carry the pattern of the text they
    accept and the rule that it is not blank (``not`` ``blank_pattern``), unless a choice or
    a pattern of their own says more (a test holds that no such pattern takes blank text)."""
    if not isinstance(field, SafeText) or field.dump_only or "enum" in ret or "pattern" in ret:
        return {}
    return {"pattern": text_pattern(field.multi_line), "not": {"pattern": blank_pattern()}}


def _errors(meta: dict[str, Any]) -> set[int]:
    """Every error status the operation described by ``meta`` can answer with."""
    codes = set(meta["errors"])
    if meta["roles"]:
        codes |= {401, 403}
    if meta["body"] is not None:
        codes |= {400, 413, 415, 422}
    if meta["query"] is not None or meta["paged"]:
        codes |= {400, 422}
    for header in meta["headers"]:
        codes |= HEADER_ERRORS.get(header, set())
    return codes


def _operation(rule, meta: dict[str, Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"in": "path", "name": name, "required": True, "schema": getattr(rule._converters.get(name), "json_schema", {"type": "string"})}
        for name in rule.arguments
    ]
    if meta["query"] is not None:
        parameters.append({"in": "query", "schema": meta["query"]})
    if meta["paged"]:
        parameters += [
            {"in": "query", "name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
            {"in": "query", "name": "cursor", "schema": {"type": "string"}},
        ]
    for header in meta["headers"]:
        parameters.append({"in": "header", "name": header, "required": header == "If-Match", "schema": HEADER_SCHEMAS.get(header, {"type": "string"})})
    ok: dict[str, Any] = {"description": SUCCESSES[meta["status"]]}
    if meta["response"] is not None:
        schema = page_of(meta["response"]) if meta["paged"] else meta["response"]
        ok["content"] = {"application/json": {"schema": schema}}
    responses: dict[Any, Any] = {str(meta["status"]): ok}
    for status, schema in meta["also"]:
        responses[str(status)] = {"description": SUCCESSES[status], "content": {"application/json": {"schema": schema}}}
    for code in sorted(_errors(meta)):
        responses[str(code)] = {"description": STANDARD_ERRORS[code], "content": {"application/problem+json": {"schema": "Problem"}}}
    operation: dict[str, Any] = {"summary": meta["summary"], "tags": list(meta["tags"]), "parameters": parameters, "responses": responses}
    if meta["roles"]:
        operation["security"] = [{"bearer": []}]
        operation["description"] = "Allowed for: " + ", ".join(meta["roles"])
    if meta["body"] is not None:
        operation["requestBody"] = {"required": not meta["body_optional"], "content": {ct: {"schema": meta["body"]} for ct in meta["content_types"]}}
    return operation


def openapi_blueprint(title: str, version: str, description: str = "") -> Blueprint:
    bp = Blueprint("openapi", __name__)

    @bp.get("/openapi.json")
    def openapi_json():
        """The document in UTF-8 as it is, not ASCII-escaped: the text patterns name characters
        beyond the Basic Multilingual Plane, which escaped JSON spells as surrogate pairs that
        YAML loaders (many OpenAPI tools read JSON as YAML) take for lone surrogates."""
        if "openapi_spec" not in current_app.extensions:
            spec = build_spec(current_app, title, version, description)
            current_app.extensions["openapi_spec"] = json.dumps(spec, ensure_ascii=False, sort_keys=True)
        return Response(current_app.extensions["openapi_spec"], mimetype="application/json")

    add_docs_routes(bp, title)
    return bp
